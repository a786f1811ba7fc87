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
import typing as t

from .errors import AlicloudCredentialError
from .sts import DEFAULT_ROLE_SESSION_NAME, assume_role


class Credentials:
    """An access key pair (and STS token); repr never shows the secrets."""

    def __init__(self, access_key_id: str, access_key_secret: str, security_token: str | None = None, source: str = "options"):
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.security_token = security_token or None
        self.source = source

    def secrets(self) -> list[str]:
        return [value for value in (self.access_key_secret, self.security_token) if value]

    def __repr__(self) -> str:
        return "Credentials(access_key_id=%r, source=%r, secret=<hidden>)" % (self.access_key_id, self.source)


def static_credentials(params: dict) -> Credentials | None:
    """Credentials from the options (their environment fallbacks already applied), or None."""
    key_id, secret = params.get("access_key_id"), params.get("access_key_secret")
    if key_id and secret:
        return Credentials(key_id, secret, params.get("security_token"))
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
                           source=found.get_provider_name())
    where = "profile %r" % profile if profile else "the default credential chain"
    raise AlicloudCredentialError(
        "No credentials: give access_key_id and access_key_secret (or their environment variables), "
        "or a profile; %s found none (%s)" % (where, "; ".join(problems)), code="InvalidCredentials")


def role_credentials(base: Credentials, role_arn: str, session_name: str | None, caller: t.Callable[[Credentials], t.Callable]) -> Credentials:
    """The temporary key of ``role_arn``, asked for with ``base`` (``caller(base)`` is a call function using it)."""
    issued = assume_role(caller(base), role_arn, session_name)
    return Credentials(issued["access_key_id"], issued["access_key_secret"], issued["security_token"], source="ram_role_arn")


__all__ = ["DEFAULT_ROLE_SESSION_NAME", "Credentials", "chain_credentials", "role_credentials", "static_credentials"]
