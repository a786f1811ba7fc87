# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Where a task's access key comes from: the options (or their environment variables), else a
profile or the SDK's default credential chain (alibabacloud-credentials). ``ram_role_arn`` then
swaps it for a temporary key (sts.py): the one product the base needs, because the option is shared.
"""

from __future__ import annotations

import importlib.util
import os
import re
import typing as t

from .errors import (AlicloudApiError, AlicloudCredentialError, InputError, authentication_problem, is_authorization_error,
                     is_not_found)
from .sts import DEFAULT_ROLE_SESSION_NAME, assume_role


# The environment variables of each option, in the order Ansible's env_fallback reads them (client.py's argument spec).
OPTION_ENVIRONMENT = {
    "access_key_id": ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY"),
    "access_key_secret": ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY"),
    "security_token": ("ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN"),
}
# alibabacloud-credentials' provider names (get_provider_name(), "default/env" through the default chain) in words.
_PROVIDER_WORDS = (
    ("cli_profile", "the Alibaba Cloud CLI profile {profile}in ~/.aliyun/config.json"),
    ("profile", "the profile {profile}of the credentials file (ALIBABA_CLOUD_CREDENTIALS_FILE or ~/.alibabacloud/credentials.ini)"),
    ("env", "the environment variables ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET, read by the default "
            "credential chain"),
    ("ecs_ram_role", "the RAM role of this ECS instance (instance metadata)"),
    ("oidc_role_arn", "the OIDC role of ALIBABA_CLOUD_ROLE_ARN (default credential chain)"),
    ("ram_role_arn", "a RAM role of the credentials file"),
    ("credential_uri", "the credentials URI ALIBABA_CLOUD_CREDENTIALS_URI"),
    ("cloud_sso", "a CloudSSO profile"),
    ("external", "an external credential process"),
)


def option_origin(params: dict, option: str) -> str:
    """Where a shared option's value came from: "option access_key_id" or "environment variable ALICLOUD_ACCESS_KEY".

    Ansible has filled in the environment fallback already; a value equal to the first variable that is set came from it
    (or was given again with the same value, where fixing either place fixes it).
    """
    for name in OPTION_ENVIRONMENT.get(option, ()):
        if name in os.environ:
            if os.environ[name] == params.get(option):
                return "environment variable %s" % name
            break
    return "option %s" % option


def provider_origin(provider_name: str | None, profile: str | None = None) -> str:
    """alibabacloud-credentials' provider name ("default/cli_profile/static_ak") in words a person can look up."""
    parts = (provider_name or "").split("/")
    for name, words in _PROVIDER_WORDS:
        if name in parts:
            return words.format(profile="%r " % profile if profile else "")
    return "the default credential chain (%s)" % (provider_name or "unknown provider")


class Credentials:
    """An access key pair (and STS token); repr never shows the secrets.

    ``source`` says in words where the pair came from, for messages ("option access_key_id", "ram_role_arn ...");
    ``secret_source`` and ``token_source`` say it for the secret and the token when they came from elsewhere.
    """

    def __init__(self, access_key_id: str, access_key_secret: str, security_token: str | None = None, source: str = "options",
                 secret_source: str | None = None, token_source: str | None = None):
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.security_token = security_token or None
        self.source = source
        self.secret_source = secret_source or source
        self.token_source = token_source or source

    def secrets(self) -> list[str]:
        return [value for value in (self.access_key_secret, self.security_token) if value]

    def __repr__(self) -> str:
        return "Credentials(access_key_id=%r, source=%r, secret=<hidden>)" % (self.access_key_id, self.source)


def static_credentials(params: dict) -> Credentials | None:
    """Credentials from the options (their environment fallbacks already applied), or None."""
    key_id, secret = params.get("access_key_id"), params.get("access_key_secret")
    if key_id and secret:
        token = params.get("security_token")
        return Credentials(key_id, secret, token, source=option_origin(params, "access_key_id"),
                           secret_source=option_origin(params, "access_key_secret"),
                           token_source=option_origin(params, "security_token") if token else None)
    if key_id or secret:
        given, missing = ("access_key_id", "access_key_secret") if key_id else ("access_key_secret", "access_key_id")
        raise AlicloudCredentialError(
            "%s is set but %s is not: give both (options, ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET "
            "or ALICLOUD_ACCESS_KEY/ALICLOUD_SECRET_KEY)" % (given, missing), code="InvalidCredentials")
    return None


def _credential_providers(profile: str | None) -> list:
    """alibabacloud-credentials providers: the named profile, or the SDK's whole default chain."""
    from alibabacloud_credentials.provider import (  # pylint: disable=import-outside-toplevel
        CLIProfileCredentialsProvider, DefaultCredentialsProvider, ProfileCredentialsProvider)
    if not profile:
        return [DefaultCredentialsProvider()]
    # File locations are read now, not at the SDK's import time, so HOME and
    # ALIBABA_CLOUD_CREDENTIALS_FILE set for this task are honoured.
    ini_file = os.environ.get("ALIBABA_CLOUD_CREDENTIALS_FILE") or os.path.expanduser("~/.alibabacloud/credentials.ini")
    return [
        CLIProfileCredentialsProvider(profile_name=profile, profile_file=os.path.expanduser("~/.aliyun/config.json")),
        ProfileCredentialsProvider(profile_name=profile, profile_file=ini_file),
    ]


def chain_credentials(profile: str | None) -> Credentials:
    """Credentials from a profile file, the ECS RAM role, OIDC... (alibabacloud-credentials)."""
    if importlib.util.find_spec("alibabacloud_credentials") is None:
        raise AlicloudCredentialError("No access key given and alibabacloud-credentials is not installed", code="InvalidCredentials")
    problems = []
    for provider in _credential_providers(profile):
        try:
            found = provider.get_credentials()
        except Exception as exc:  # pylint: disable=broad-except  # each provider has its own exception types
            problems.append("%s: %s" % (provider.get_provider_name(), exc))
            continue
        return Credentials(found.get_access_key_id(), found.get_access_key_secret(), found.get_security_token(),
                           source=provider_origin(found.get_provider_name(), profile))
    where = "profile %r" % profile if profile else "the default credential chain"
    raise AlicloudCredentialError(
        "No credentials: give access_key_id and access_key_secret (or their environment variables), "
        "or a profile; %s found none (%s)" % (where, "; ".join(problems)), code="InvalidCredentials")


def role_credentials(base: Credentials, role_arn: str, session_name: str | None, caller: t.Callable[[Credentials], t.Callable]) -> Credentials:
    """The temporary key of ``role_arn``, asked for with ``base`` (``caller(base)`` is a call function using it)."""
    check_role_input(role_arn, session_name)
    try:
        issued = assume_role(caller(base), role_arn, session_name)
    except AlicloudApiError as error:
        if authentication_problem(error) is not None:
            raise  # the base key itself was refused: caller() has said so, naming its source
        raise assume_role_refused(error, base, role_arn) from None
    return Credentials(issued["access_key_id"], issued["access_key_secret"], issued["security_token"],
                       source="the temporary key of ram_role_arn %s (issued by AssumeRole for %s)" % (role_arn, base.source))


_ROLE_ARN = re.compile(r"^acs:ram::\d+:role/[^/\s]+$")
_SESSION_NAME = re.compile(r"^[A-Za-z0-9.@_-]{2,64}$")


def check_role_input(role_arn: str, session_name: str | None) -> None:
    """The role ARN and the session name, checked before AssumeRole is sent (STS's own rules)."""
    if not _ROLE_ARN.match(role_arn or ""):
        raise InputError("ram_role_arn: %r is not a RAM role ARN: give acs:ram::<account id>:role/<role name>, for example "
                         "acs:ram::1234567890123456:role/ansible-acr-access" % (role_arn,), field="ram_role_arn")
    if session_name is not None and not _SESSION_NAME.match(session_name):
        raise InputError("role_session_name: %r is not a session name STS accepts: give 2 to 64 letters, digits or . @ _ -, "
                         "for example %s" % (session_name, DEFAULT_ROLE_SESSION_NAME), field="role_session_name")


def assume_role_refused(error: AlicloudApiError, base: Credentials, role_arn: str) -> AlicloudCredentialError:
    """One line for an AssumeRole that STS refused: the role, the key that asked and where it came from, what to fix."""
    if is_not_found(error):
        fix = "check the account id and the role name of ram_role_arn (RAM console, Roles)"
    elif is_authorization_error(error):
        fix = ("the role's trust policy must name this key's account or RAM user, and the user needs the "
               "sts:AssumeRole permission for the role")
    else:
        fix = "see the code"
    return AlicloudCredentialError(
        "ram_role_arn: STS refused AssumeRole of %s for access key %s (%s): %s" % (role_arn, base.access_key_id, base.source, fix),
        operation=error.operation, code=error.code, request_id=error.request_id, status_code=error.status_code)


def authentication_failure(error: AlicloudApiError, credentials: Credentials) -> AlicloudCredentialError:
    """One line for a call whose credentials the cloud refused: what is wrong, which credential, from where, what to do.

    The cloud's own message is dropped: for a wrong secret it holds the server's string-to-sign, no help to a person.
    """
    problem = authentication_problem(error)
    key = "access key %s (%s)" % (credentials.access_key_id, credentials.source)
    temporary = (credentials.access_key_id or "").startswith("STS.")
    if problem == "wrong_secret":
        text = ("access_key_secret: the secret (%s) does not match %s: give the AccessKey secret that was created with this "
                "access key id" % (credentials.secret_source, key))
    elif problem == "unknown_key":
        text = ("access_key_id: Alibaba Cloud knows no %s: check it for a typo, or create an AccessKey in the RAM console "
                "(a deleted key or the key of a deleted RAM user is unknown too)" % key)
    elif problem == "disabled_key":
        text = "access_key_id: %s is disabled: enable it in the RAM console, or use an active key" % key
    elif problem == "expired_token" and temporary and credentials.token_source == credentials.source:
        text = "security_token: the temporary %s has expired: run again to get a new one" % key
    elif problem == "expired_token":
        text = ("security_token: the STS token (%s) of %s has expired: get a new temporary key and token (or use ram_role_arn, "
                "which asks STS for a fresh one in every task)" % (credentials.token_source, key))
    else:  # wrong_token
        text = ("security_token: the STS token (%s) does not belong to %s: give the token issued together with this temporary "
                "key, and no token with a long-term key (LTAI...)" % (credentials.token_source, key))
    return AlicloudCredentialError(text, operation=error.operation, code=error.code, request_id=error.request_id,
                                   status_code=error.status_code)


__all__ = ["DEFAULT_ROLE_SESSION_NAME", "Credentials", "authentication_failure", "chain_credentials", "option_origin",
           "role_credentials", "static_credentials"]
