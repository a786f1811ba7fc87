# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The module base of this collection: SDK clients, calls with retries, failures.

    module = AnsibleAlicloudModule(argument_spec=spec, supports_check_mode=True)
    body = module.call(VPC, "DescribeVpcs", {"RegionId": region, "VpcId": vpc_id})   # VPC: from vpc.py
    ...
    except AlicloudError as error:
        module.fail_json_api(error, msg="Failed to describe the VPC")

The base knows no product: each product's home (vpc.py, cen.py, cr.py, sts.py)
describes its SDK with a ``Product`` and passes it to ``call()``. A module never
reads credentials (credentials.py does, from the shared options of the doc
fragment ``alicloud.acr_access.alicloud``, merged into its spec here). Each
Alibaba SDK costs about a second to import, so a product's SDK is imported only
when a client for it is first asked for, and of its request and response models
only those a call uses (lazy_sdk_models).
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
import types
import threading
import traceback
import typing as t
from urllib.parse import urlsplit

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from .credentials import (DEFAULT_ROLE_SESSION_NAME, Credentials, authentication_failure, chain_credentials, check_role_input,
                          role_credentials, static_credentials)
from .errors import (AlicloudApiError, AlicloudError, CheckModeWriteError, InputError, authentication_problem, from_sdk_exception,
                     is_authorization_error, redact, transport_problem)
from .product import Product, is_write
from .regions import is_known_region, unknown_region_problem
from .retry import DEFAULT_DEADLINE, RetryPolicy
from .waiter import ProgressFile, report_progress_to

try:
    # Cheap (about 1 ms): the base class of every SDK error; the rest is imported lazily.
    from Tea.exceptions import TeaException
    TEA_IMPORT_ERROR = None
except ImportError:
    TeaException = None
    TEA_IMPORT_ERROR = traceback.format_exc()


USER_AGENT = "ansible-collection-alicloud.acr_access"

# A line of a generated SDK's models/__init__.py: "from ._describe_vpcs_request import DescribeVpcsRequest"; the rest of
# that file: comments, the __future__ import and the list __all__.
_MODEL_IMPORT = re.compile(r"^from \.(\w+) import (\w+)$", re.MULTILINE)
_MODELS_INIT_REST = re.compile(r"^(#.*|from __future__ import annotations|__all__ = \[[^\]]*\])$", re.MULTILINE)


def lazy_sdk_models(package: str) -> bool:
    """Make ``<package>.models`` load each model class on first use instead of all of them at once.

    The generated SDKs keep one file per model and a ``models/__init__.py`` that imports every one (ECS: 2,085 classes
    in 1,151 files, a quarter to half a second; VPC's about as much), while a module uses a few dozen. The SDK's
    client and the models themselves only read ``models.<Name>`` when a call builds or parses one, so a package whose
    attributes are looked up in that ``__init__``'s index on first use (PEP 562) serves them the same classes.
    Anything else - a single-file models.py, another layout, the package already imported - is left to the normal
    import. Returns whether the lazy package was installed.
    """
    name = package + ".models"
    if name in sys.modules:
        return False
    try:
        spec = importlib.util.find_spec(name)  # imports the package itself, which might import its models
        if spec is None or not spec.submodule_search_locations or not spec.origin or name in sys.modules:
            return False
        with open(spec.origin, encoding="utf-8") as stream:
            source = stream.read()
    except (ImportError, OSError, ValueError):
        return False
    index = dict((cls, submodule) for submodule, cls in _MODEL_IMPORT.findall(source))
    # nothing else in the __init__ (another statement would be missing from the lazy package): else load it as it is
    if not index or _MODELS_INIT_REST.sub("", _MODEL_IMPORT.sub("", source)).strip():
        return False
    module = types.ModuleType(name)
    module.__file__ = spec.origin
    module.__path__ = list(spec.submodule_search_locations)
    module.__package__ = name
    module.__spec__ = spec

    def load(attribute: str) -> t.Any:
        submodule = index.get(attribute)
        if submodule is None:
            raise AttributeError("module %r has no attribute %r" % (name, attribute))
        value = getattr(importlib.import_module("%s.%s" % (name, submodule)), attribute)
        setattr(module, attribute, value)
        return value

    def names() -> list:  # dir() lists every model, loaded or not, as the eager package's does
        return sorted(set(index) | set(vars(module)))

    module.__getattr__ = load  # type: ignore[attr-defined]  # PEP 562: called only for names not set yet
    module.__dir__ = names  # type: ignore[attr-defined]
    module.__all__ = sorted(index)  # type: ignore[attr-defined]
    sys.modules[name] = module
    parent = sys.modules.get(package)
    if parent is not None:
        setattr(parent, "models", module)
    return True


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


def response_body(product: Product, action: str, response: t.Any) -> dict:
    """The answer as a PascalCase dict, after the product's own error rule for an HTTP 200 answer."""
    body = response.body.to_map() if getattr(response, "body", None) is not None else {}
    if product.check_answer is not None:
        product.check_answer(action, body)
    return body


def client_endpoint(client: t.Any) -> str:
    """The endpoint an SDK client sends to, as ``https://host[:port]`` (the SDK keeps it in private attributes)."""
    return "%s://%s" % (getattr(client, "_protocol", None) or "https", getattr(client, "_endpoint", None) or "(the SDK's endpoint)")


def explain(error: AlicloudApiError, exc: BaseException, client: t.Any, credentials: Credentials | None) -> AlicloudError:
    """The one line a person can act on, for the failures whose API text does not say what to do.

    Credentials first: a refused key fails every call, whatever the code says of the resource (InvalidAccessKeyId.NotFound
    is no "not found" of a VPC). Then a request that got no answer: which endpoint, and why in a few words.
    """
    if credentials is not None and authentication_problem(error) is not None:
        return authentication_failure(error, credentials)
    if credentials is not None and is_authorization_error(error):
        error.message = "%s (access key %s, %s: a RAM policy must allow %s)" % (
            error.message, credentials.access_key_id, credentials.source, error.operation)
        return error
    problem = transport_problem(exc)
    if problem is not None:
        error.message = "cannot reach the endpoint %s: %s. Check the network, DNS and proxy settings, or the endpoint option" % (
            shown_endpoint(client_endpoint(client)), problem)
    return error


class AnsibleAlicloudModule(AnsibleModule):
    """AnsibleModule with the shared auth options, one SDK client per (product, region), API calls with retries."""

    def __init__(self, argument_spec: dict | None = None, region_required: str | None = None, **kwargs: t.Any):
        """``region_required``: what the region is of ("the transit router"), when the module cannot work without one."""
        spec = alicloud_argument_spec()
        spec.update(argument_spec or {})
        super().__init__(argument_spec=spec, **kwargs)
        if region_required and not self.region:
            error = InputError("region: give the region of %s (option region, or ALIBABA_CLOUD_REGION_ID / ALICLOUD_REGION)"
                               % region_required, field="region")
            self.fail_json(msg=error.message, error=error.to_dict())
        if TEA_IMPORT_ERROR or importlib.util.find_spec("alibabacloud_tea_openapi") is None:
            self.fail_json(msg=missing_required_lib("alibabacloud-tea-openapi"), exception=TEA_IMPORT_ERROR)
        try:
            self._endpoint = parse_endpoint(self.params["endpoint"]) if self.params.get("endpoint") else None
        except ValueError as exc:
            self.fail_json(msg=str(exc))
        try:  # the shared options that can be checked without the cloud, before any module starts its work
            if self.region:
                self.check_region(self.region)
            if self.params.get("ram_role_arn"):
                check_role_input(self.params["ram_role_arn"], self.params.get("role_session_name"))
        except InputError as error:
            self.fail_json(msg=error.message, error=error.to_dict())
        self._check_wait_timeout()
        if self.params.get("progress_file"):  # set by the module's action plugin, which prints the waits while the task runs
            report_progress_to(ProgressFile(self.params["progress_file"]))
        self._clients: dict = {}
        self._clients_lock = threading.RLock()  # resource.concurrently: calls of one task from several threads
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

    def check_region(self, region: str, field: str = "region") -> None:
        """A region id the SDK would build a real endpoint from must be a known one: a typo then fails here, with the
        likely id, instead of as a host name that does not resolve after three attempts. With ``endpoint`` set, the
        endpoint is asked as it is and answers for itself (an emulator, a proxy, a region newer than regions.py)."""
        if self._endpoint is None and not is_known_region(region):
            raise InputError("%s: %s" % (field, unknown_region_problem(region)), field=field)

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
                found = role_credentials(found, self.params["ram_role_arn"], self.params.get("role_session_name"), self._caller)
                self._remember_secrets(found)
            self._credentials = found
        return self._credentials

    def _remember_secrets(self, credentials: Credentials) -> None:
        for secret in credentials.secrets():
            self._secrets.add(secret)
            self.no_log_values.add(secret)  # Ansible then scrubs it from any output as well

    def _caller(self, credentials: Credentials) -> t.Callable[..., dict]:
        """call() with other credentials than the task's (the base key that asks STS for the role's key)."""
        def call(product: Product, action: str, params: dict) -> dict:
            return self._invoke(self._new_client(product, self.region, credentials), product, action, params, credentials=credentials)
        return call

    # --- clients --------------------------------------------------------------------------------

    def _import_sdk(self, product: Product, module: str) -> t.Any:
        try:
            lazy_sdk_models(product.package)
            return importlib.import_module("%s.%s" % (product.package, module))
        except ImportError:
            self.fail_json(msg=missing_required_lib(product.requirement), exception=traceback.format_exc())
            raise  # not reached: fail_json exits

    def sdk_config(self, product: Product, region: str | None, credentials: Credentials) -> t.Any:
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
        elif product.endpoint:
            settings["endpoint"] = product.endpoint
        return config_module.Config(**settings)

    def _new_client(self, product: Product, region: str | None, credentials: Credentials) -> t.Any:
        client_class = self._import_sdk(product, "client").Client
        return client_class(self.sdk_config(product, region, credentials))

    def client(self, product: Product, region: str | None = None) -> t.Any:
        """The SDK client of ``product`` for ``region`` (default: the region option)."""
        if not isinstance(product, Product):
            raise TypeError("product must be a Product (VPC, CBN, CR, STS from their module_utils), not %r" % (product,))
        region = region or self.region
        if product.needs_region and not region:
            raise AlicloudError("region is required (option region, or ALIBABA_CLOUD_REGION_ID / ALICLOUD_REGION)",
                                code="MissingRegion")
        if region:
            self.check_region(region)
        key = (product.name, region)
        with self._clients_lock:
            if key not in self._clients:
                self._clients[key] = self._new_client(product, region, self.credentials())
            return self._clients[key]

    # --- calls ----------------------------------------------------------------------------------

    def call(self, product: Product, action: str, params: dict | None = None, region: str | None = None,
             extra_codes: t.Iterable[str] = (), deadline: float | None = None) -> dict:
        """Call ``action`` with API-spelled ``params``; the answer as a PascalCase dict.

        Retries the base retryable codes plus ``extra_codes`` (see retry.py), and for a read the product's
        ``busy_codes`` as well, until
        ``deadline`` seconds have passed; raises AlicloudApiError naming the action.
        A request that got no answer is sent again too: every create must carry a
        ClientToken, so that the cloud answers a repeat with the first result.
        """
        client = self.client(product, region)
        return self._invoke(client, product, action, params, extra_codes, deadline, credentials=self.credentials())

    def _invoke(self, client: t.Any, product: Product, action: str, params: dict | None,
                extra_codes: t.Iterable[str] = (), deadline: float | None = None, credentials: Credentials | None = None) -> dict:
        if self.check_mode and is_write(action, product.safe_writes):
            # Modules predict in check mode; reaching here is a bug in the module, so nothing is sent.
            raise CheckModeWriteError("internal error: %s would change the cloud, and check mode is on; nothing was sent. "
                                      "This is a bug of the module: please report it" % action,
                                      operation=action, code="CheckModeWrite")
        request = build_request(self._import_sdk(product, "models"), action, params)
        method = getattr(client, sdk_method_name(client, action))
        if not is_write(action, product.safe_writes):
            # A read changes nothing: a "busy, try again" answer is retried like a throttle, whoever calls it (a lookup, a
            # page of a list, a waiter's poll), so that one busy moment of the cloud does not fail the task.
            extra_codes = tuple(extra_codes) + tuple(product.busy_codes)
        policy = RetryPolicy(deadline=DEFAULT_DEADLINE if deadline is None else deadline, extra_codes=extra_codes)

        def attempt() -> dict:
            return response_body(product, action, method(request) if request is not None else method())

        try:
            body = policy.run(attempt)
        except AlicloudError as error:
            error.attempts = policy.attempts
            raise
        except (TeaException, OSError) as exc:
            error = explain(from_sdk_exception(exc, action), exc, client, credentials)
            error.attempts = policy.attempts
            if authentication_problem(error) is not None:
                raise error from None  # the SDK's text holds the server's string-to-sign: not even in the -vvv traceback
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
