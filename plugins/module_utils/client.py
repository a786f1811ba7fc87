# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The module base of this collection: credentials, SDK clients, retries, errors.

    module = AnsibleAlicloudModule(argument_spec=spec, supports_check_mode=True)
    body = module.call("vpc", "DescribeVpcs", {"RegionId": region, "VpcId": vpc_id})
    ...
    except AlicloudError as error:
        module.fail_json_api(error, msg="Failed to describe the VPC")

A module never reads credentials: the shared options (doc fragment
``alicloud.acr_access.alicloud``) are merged into its spec here. Each Alibaba
SDK costs about a second to import, so a product's SDK is imported only when
a client for it is first asked for.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import traceback
import typing as t
from urllib.parse import urlsplit

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from .errors import AlicloudApiError, AlicloudCredentialError, AlicloudError, CheckModeWriteError, from_sdk_exception, redact
from .retry import DEFAULT_DEADLINE, RetryPolicy

try:
    # Cheap (about 1 ms): the base class of every SDK error; the rest is imported lazily.
    from Tea.exceptions import TeaException
    TEA_IMPORT_ERROR = None
except ImportError:
    TeaException = None
    TEA_IMPORT_ERROR = traceback.format_exc()


class _Product(t.NamedTuple):
    package: str        # Python package of the SDK
    requirement: str    # its name on PyPI
    endpoint: str | None  # None: let the SDK pick the regional/central endpoint (its own endpoint map)
    needs_region: bool


PRODUCTS = {
    # VPC: the SDK maps cn-hangzhou and some others to vpc.aliyuncs.com, the rest to vpc.<region>.aliyuncs.com.
    "vpc": _Product("alibabacloud_vpc20160428", "alibabacloud-vpc20160428", None, True),
    # CBN (CEN, transit routers): one central endpoint cbn.aliyuncs.com; RegionId travels in the request.
    "cbn": _Product("alibabacloud_cbn20170912", "alibabacloud-cbn20170912", None, False),
    # CR: cr.<region>.aliyuncs.com; its requests carry no RegionId, so the client's region matters.
    "cr": _Product("alibabacloud_cr20181201", "alibabacloud-cr20181201", None, True),
    "sts": _Product("alibabacloud_sts20150401", "alibabacloud-sts20150401", "sts.aliyuncs.com", False),
}
USER_AGENT = "ansible-collection-alicloud.acr_access"
DEFAULT_ROLE_SESSION_NAME = "ansible-acr-access"
ROLE_DURATION_SECONDS = 3600


def alicloud_argument_spec() -> dict:
    """The shared options (documented in the doc fragment alicloud.acr_access.alicloud)."""
    return dict(
        access_key_id=dict(type="str", no_log=False, aliases=["alicloud_access_key"],
                           fallback=(env_fallback, ["ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY"])),
        access_key_secret=dict(type="str", no_log=True, aliases=["alicloud_secret_key"],
                               fallback=(env_fallback, ["ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY"])),
        security_token=dict(type="str", no_log=True, aliases=["alicloud_security_token"],
                            fallback=(env_fallback, ["ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN"])),
        region=dict(type="str", aliases=["alicloud_region", "region_id"],
                    fallback=(env_fallback, ["ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION"])),
        profile=dict(type="str", aliases=["alicloud_profile"],
                     fallback=(env_fallback, ["ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE"])),
        ram_role_arn=dict(type="str", aliases=["alicloud_assume_role_arn"]),
        role_session_name=dict(type="str", default=DEFAULT_ROLE_SESSION_NAME),
        endpoint=dict(type="str", fallback=(env_fallback, ["ACR_ACCESS_ENDPOINT"])),
    )


def shown_endpoint(value: str) -> str:
    """``value`` safe for a message: the scheme and host part only, never a ``user:password@`` or a path."""
    text = (value or "").strip()
    scheme = ""
    if "://" in text:
        scheme, text = text.split("://", 1)
        scheme += "://"
    text = text.rsplit("@", 1)[-1]  # the last @ ends any userinfo, even one holding / or @
    for mark in "/?#":
        text = text.split(mark, 1)[0]
    return scheme + text


def parse_endpoint(value: str) -> tuple[str, str]:
    """``host[:port]`` or ``http(s)://host[:port]`` -> (host[:port], protocol); protocol defaults to https.

    Errors show the value through shown_endpoint(): the option is not no_log, so a rejected password must not be echoed.
    """
    text = (value or "").strip()
    shown = shown_endpoint(value)
    protocol = "https"
    if "://" in text:
        protocol, text = text.split("://", 1)
        protocol = protocol.lower()
        if protocol not in ("http", "https"):
            raise ValueError("endpoint %r: the scheme must be http or https" % shown)
    text = text.rstrip("/")
    if not text or "/" in text or "?" in text or "@" in text:
        raise ValueError("endpoint %r: expected host:port or http(s)://host:port, without path or user (credentials go in "
                         "access_key_id and access_key_secret)" % shown)
    try:
        parsed = urlsplit("//" + text)
        parsed.port  # pylint: disable=pointless-statement  # raises ValueError for a bad port
    except ValueError:
        raise ValueError("endpoint %r: the port must be a number from 1 to 65535" % shown) from None
    if not parsed.hostname:
        raise ValueError("endpoint %r: the host is missing" % shown)
    return text, protocol


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


_METHOD_NAMES: dict = {}  # (client class, action) -> method name: dir() of an SDK client lists hundreds of names


def sdk_method_name(client: t.Any, action: str) -> str:
    """SDK method for an API action: DescribeVSwitches -> describe_vswitches, CreateIpv6Gateway -> create_ipv_6gateway."""
    key = (type(client), action)
    if key not in _METHOD_NAMES:
        wanted = action.lower()
        found = [name for name in dir(client) if name.replace("_", "").lower() == wanted and not name.startswith("_")]
        if not found:
            raise AttributeError("%s has no method for the action %s" % (type(client).__module__, action))
        _METHOD_NAMES[key] = found[0]
    return _METHOD_NAMES[key]


READ_PREFIXES = ("Describe", "List", "Get", "Query", "Check")
WRITE_ALLOWED_IN_CHECK_MODE = ("AssumeRole",)  # changes nothing in the cloud: it only issues a temporary key


def is_write(action: str) -> bool:
    """True for an action that changes the cloud: every name the API does not use for reads (the twin's rule)."""
    return not action.startswith(READ_PREFIXES) and action not in WRITE_ALLOWED_IN_CHECK_MODE


def build_request(models: t.Any, action: str, params: dict | None) -> t.Any:
    """The SDK request model for ``action`` from API-spelled params ({"RegionId": ...}).

    The models drop unknown keys silently; a misspelled parameter is a bug, so it fails here.
    """
    request_class = getattr(models, action + "Request", None)
    if request_class is None:
        if params:
            raise ValueError("%s takes no parameters" % action)
        return None
    given = {key: value for key, value in (params or {}).items() if value is not None}
    request = request_class().from_map(given)
    unknown = sorted(set(given) - set(request.to_map()))
    if unknown:
        raise ValueError("%s has no parameter %s" % (action, ", ".join(unknown)))
    return request


def response_body(action: str, response: t.Any) -> dict:
    """The answer as a PascalCase dict; CR's "HTTP 200 but IsSuccess false" becomes an error."""
    body = response.body.to_map() if getattr(response, "body", None) is not None else {}
    if body.get("IsSuccess") is False:
        raise AlicloudApiError(body.get("Message") or "the API answered IsSuccess false", operation=action,
                               code=body.get("Code"), request_id=body.get("RequestId"), status_code=200)
    return body


class AnsibleAlicloudModule(AnsibleModule):
    """AnsibleModule with the shared auth options, one SDK client per (product, region), API calls with retries."""

    def __init__(self, argument_spec: dict | None = None, **kwargs: t.Any):
        spec = alicloud_argument_spec()
        spec.update(argument_spec or {})
        super().__init__(argument_spec=spec, **kwargs)
        if TEA_IMPORT_ERROR or importlib.util.find_spec("alibabacloud_tea_openapi") is None:
            self.fail_json(msg=missing_required_lib("alibabacloud-tea-openapi"), exception=TEA_IMPORT_ERROR)
        try:
            self._endpoint = parse_endpoint(self.params["endpoint"]) if self.params.get("endpoint") else None
        except ValueError as exc:
            self.fail_json(msg=str(exc))
        self._check_wait_timeout()
        self._clients: dict = {}
        self._credentials: Credentials | None = None
        self._secrets: set = set()
        self.last_request_id: str | None = None  # of the last successful call, for errors found in its answer

    def _check_wait_timeout(self) -> None:
        """One check for every module with a wait_timeout option, before any call: a wait of 0 s or less is a mistake."""
        wait_timeout = self.params.get("wait_timeout")
        if wait_timeout is not None and wait_timeout <= 0:
            self.fail_json(msg="wait_timeout must be a positive number of seconds, not %s: give wait_timeout > 0 "
                               "(or wait=false to not wait at all)" % wait_timeout)

    @property
    def region(self) -> str | None:
        return self.params.get("region")

    def keep_out_of_errors(self, secret: str) -> None:
        """Redact ``secret`` from every later failure, without scrubbing it from a successful result (a returned password)."""
        if secret:
            self._secrets.add(secret)

    # --- credentials -------------------------------------------------------------------------

    def credentials(self) -> Credentials:
        """Resolved once per task: options/environment, else profile or default chain; then ram_role_arn."""
        if self._credentials is None:
            found = static_credentials(self.params) or chain_credentials(self.params.get("profile"))
            self._remember_secrets(found)
            if self.params.get("ram_role_arn"):
                found = self._assume_role(found)
                self._remember_secrets(found)
            self._credentials = found
        return self._credentials

    def _remember_secrets(self, credentials: Credentials) -> None:
        for secret in credentials.secrets():
            self._secrets.add(secret)
            self.no_log_values.add(secret)  # Ansible then scrubs it from any output as well

    def _assume_role(self, base: Credentials) -> Credentials:
        """STS AssumeRole through the same endpoint override, then use the temporary key."""
        sts = self._new_client("sts", self.region, base)
        body = self._invoke(sts, "sts", "AssumeRole", {
            "RoleArn": self.params["ram_role_arn"],
            "RoleSessionName": self.params.get("role_session_name") or DEFAULT_ROLE_SESSION_NAME,
            "DurationSeconds": ROLE_DURATION_SECONDS,
        })
        issued = body.get("Credentials") or {}
        if not issued.get("AccessKeyId") or not issued.get("AccessKeySecret"):
            raise AlicloudApiError("AssumeRole answered without credentials", operation="AssumeRole",
                                   request_id=body.get("RequestId"))
        return Credentials(issued["AccessKeyId"], issued["AccessKeySecret"], issued.get("SecurityToken"), source="ram_role_arn")

    # --- clients --------------------------------------------------------------------------------

    def _import_sdk(self, product: str, module: str) -> t.Any:
        spec = PRODUCTS[product]
        try:
            return importlib.import_module("%s.%s" % (spec.package, module))
        except ImportError:
            self.fail_json(msg=missing_required_lib(spec.requirement), exception=traceback.format_exc())
            raise  # not reached: fail_json exits

    def sdk_config(self, product: str, region: str | None, credentials: Credentials) -> t.Any:
        """The Tea Config of one client: credentials, region, endpoint (override or real), no SDK retries."""
        config_module = importlib.import_module("alibabacloud_tea_openapi.models")
        settings = dict(
            access_key_id=credentials.access_key_id,
            access_key_secret=credentials.access_key_secret,
            security_token=credentials.security_token,
            region_id=region,
            user_agent=USER_AGENT,
            # retry_options stays None: the SDK then sends each request once and RetryPolicy owns retries.
        )
        if self._endpoint:
            settings["endpoint"], settings["protocol"] = self._endpoint
        elif PRODUCTS[product].endpoint:
            settings["endpoint"] = PRODUCTS[product].endpoint
        return config_module.Config(**settings)

    def _new_client(self, product: str, region: str | None, credentials: Credentials) -> t.Any:
        client_class = self._import_sdk(product, "client").Client
        return client_class(self.sdk_config(product, region, credentials))

    def client(self, product: str, region: str | None = None) -> t.Any:
        """The SDK client of ``product`` ("vpc", "cbn", "cr", "sts") for ``region`` (default: the region option)."""
        if product not in PRODUCTS:
            raise ValueError("unknown product %r, expected one of %s" % (product, ", ".join(sorted(PRODUCTS))))
        region = region or self.region
        if PRODUCTS[product].needs_region and not region:
            raise AlicloudError("region is required (option region, or ALIBABA_CLOUD_REGION_ID / ALICLOUD_REGION)",
                                code="MissingRegion")
        key = (product, region)
        if key not in self._clients:
            self._clients[key] = self._new_client(product, region, self.credentials())
        return self._clients[key]

    # --- calls ----------------------------------------------------------------------------------

    def call(self, product: str, action: str, params: dict | None = None, region: str | None = None,
             extra_codes: t.Iterable[str] = (), deadline: float | None = None) -> dict:
        """Call ``action`` with API-spelled ``params``; the answer as a PascalCase dict.

        Retries the base retryable codes plus ``extra_codes`` (see retry.py) until
        ``deadline`` seconds have passed; raises AlicloudApiError naming the action.
        A request that got no answer is sent again too: every create must carry a
        ClientToken, so that the cloud answers a repeat with the first result.
        """
        return self._invoke(self.client(product, region), product, action, params, extra_codes, deadline)

    def _invoke(self, client: t.Any, product: str, action: str, params: dict | None,
                extra_codes: t.Iterable[str] = (), deadline: float | None = None) -> dict:
        if self.check_mode and is_write(action):
            # Modules predict in check mode; reaching here is a bug in the module, so nothing is sent.
            raise CheckModeWriteError("internal error: %s would change the cloud, and check mode is on; nothing was sent. "
                                      "This is a bug of the module: please report it" % action,
                                      operation=action, code="CheckModeWrite")
        request = build_request(self._import_sdk(product, "models"), action, params)
        method = getattr(client, sdk_method_name(client, action))
        policy = RetryPolicy(deadline=DEFAULT_DEADLINE if deadline is None else deadline, extra_codes=extra_codes)

        def attempt() -> dict:
            return response_body(action, method(request) if request is not None else method())

        try:
            body = policy.run(attempt)
        except AlicloudError as error:
            error.attempts = policy.attempts
            raise
        except (TeaException, OSError) as exc:
            error = from_sdk_exception(exc, action)
            error.attempts = policy.attempts
            raise error from exc
        self.last_request_id = body.get("RequestId")
        return body

    # --- failures -------------------------------------------------------------------------------

    def fail_json_api(self, error: BaseException, msg: str | None = None, **kwargs: t.Any) -> None:
        """fail_json with ``error: {code, message, request_id, operation}`` and a message naming the operation."""
        if not isinstance(error, AlicloudError):
            error = from_sdk_exception(error, operation=None)
        text = error.describe() if not msg else "%s: %s" % (msg, error.describe())
        secrets = self._secrets | {self.params.get("access_key_secret") or "", self.params.get("security_token") or ""}
        if sys.exc_info()[0] is not None:  # shown with -vvv
            kwargs.setdefault("exception", redact(traceback.format_exc(), secrets))
        self.fail_json(msg=redact(text, secrets), error=redact(error.to_dict(), secrets), **kwargs)
