# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one exception family of this collection.

Helpers raise; ``main()`` catches ``AlicloudError`` once and calls
``module.fail_json_api()``. No SDK import here, so the classifiers work on any
exception that looks like a Tea error (attributes ``code``, ``status_code``...).
"""

from __future__ import annotations

import re
import typing as t

REDACTED = "********"
# The SDK formats its messages as "code: 400, <Message> request id: <id>": keep the middle.
_SDK_MESSAGE = re.compile(r"^code: \d+, (?P<message>.*) request id: \S*$", re.DOTALL)


class AlicloudError(Exception):
    """Base class: everything a module reports with fail_json_api()."""

    def __init__(self, message: str, operation: str | None = None, code: str | None = None,
                 request_id: str | None = None, status_code: int | None = None):
        super().__init__(message)
        self.message = message
        self.operation = operation
        self.code = code
        self.request_id = request_id
        self.status_code = status_code
        self.attempts = 1

    def describe(self) -> str:
        """One line naming the operation, the code and the request id."""
        text = self.message
        if self.code:
            text = "%s: %s" % (self.code, text)
        if self.operation:
            text = "%s failed: %s" % (self.operation, text)
        if self.request_id:
            text = "%s (request id %s)" % (text, self.request_id)
        if self.attempts > 1:
            text = "%s, after %d attempts" % (text, self.attempts)
        return text

    def to_dict(self) -> dict:
        """The ``error`` key of a failed module result."""
        return {
            "code": self.code,
            "message": self.message,
            "request_id": self.request_id,
            "operation": self.operation,
            "status_code": self.status_code,
            "attempts": self.attempts,
        }


class AlicloudApiError(AlicloudError):
    """An API call answered an error (HTTP 4xx/5xx, CR ``IsSuccess: false``) or could not be sent."""


class AlicloudCredentialError(AlicloudError):
    """No usable credentials (missing, half given, or the default chain found nothing)."""


class WaiterError(AlicloudError):
    """A waiter saw a failure state, or its timeout passed."""


class CheckModeWriteError(AlicloudError):
    """A module bug: a write call was about to be sent in check mode (refused before it left)."""


class InputError(AlicloudError):
    """Bad input, found before any change: the message starts with the field and says what to give instead
    ("routes[0].destination_cidr_block 10.0.0.1/8 has host bits set: the network is 10.0.0.0/8"); ``field``
    names it for programs. The one input error of the collection: ``main()`` catches AlicloudError only.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message, code="InvalidInput")
        self.field = field

    def describe(self) -> str:
        return self.message  # names the field already; the code would only repeat "invalid input"


def error_code(exc: BaseException) -> str | None:
    """The API error code of an exception, or None (the SDK writes a missing code as the text 'None')."""
    code = getattr(exc, "code", None)
    if code in (None, "", "None"):
        return None
    return str(code)


def http_status(exc: BaseException) -> int | None:
    """HTTP status of an SDK error: attribute names differ between Tea SDK generations."""
    for source in (exc, getattr(exc, "data", None)):
        if source is None:
            continue
        for name in ("status_code", "statusCode"):
            value = source.get(name) if isinstance(source, dict) else getattr(source, name, None)
            if isinstance(value, int):
                return value
    return None


def request_id_of(exc: BaseException) -> str | None:
    request_id = getattr(exc, "request_id", None)
    data = getattr(exc, "data", None)
    if request_id in (None, "", "None") and isinstance(data, dict):
        request_id = data.get("RequestId") or data.get("requestId")
    return None if request_id in (None, "", "None") else str(request_id)


def message_of(exc: BaseException) -> str:
    """The API's own message, without the SDK's "code: 400, ... request id: ..." decoration."""
    data = getattr(exc, "data", None)
    if isinstance(data, dict) and (data.get("Message") or data.get("message")):
        return str(data.get("Message") or data.get("message"))
    inner = getattr(exc, "inner_exception", None)  # Tea's UnretryableException around a transport error
    if inner is not None:
        return str(getattr(inner, "message", None) or inner)
    message = getattr(exc, "message", None) or str(exc)
    match = _SDK_MESSAGE.match(str(message))
    return match.group("message") if match else str(message)


def code_contains(error: BaseException, *markers: str) -> bool:
    """True when the error's code contains one of ``markers`` (codes are families: ``INSTANCE_ACCESS_QUOTA_EXCEED``...)."""
    code = error_code(error) or ""
    return any(marker in code for marker in markers)


# Authentication: the request's own credentials were refused, so every call fails alike whatever it asks for. Codes as the
# API gateway answers them (RPC and ACS3 signatures): a wrong secret is IncompleteSignature (ACS3) or SignatureDoesNotMatch
# (v2); an unknown or deleted key InvalidAccessKeyId.NotFound (HTTP 404); the key of a removed RAM user InvalidAccessKeyId;
# a disabled key InvalidAccessKeyId.Inactive; a temporary key's token InvalidSecurityToken.* or MissingSecurityToken.
AUTHENTICATION_CODES = {
    "IncompleteSignature": "wrong_secret",
    "SignatureDoesNotMatch": "wrong_secret",
    "InvalidAccessKeyId.NotFound": "unknown_key",
    "InvalidAccessKeyId": "unknown_key",
    "InvalidAccessKeyId.Inactive": "disabled_key",
    "Forbidden.AccessKeyDisabled": "disabled_key",
    "InvalidSecurityToken.Expired": "expired_token",
    "SecurityToken.Expired": "expired_token",
    "InvalidSecurityToken.Malformed": "wrong_token",
    "InvalidSecurityToken.MismatchWithAccessKey": "wrong_token",
    "MissingSecurityToken": "wrong_token",
}
# Authorization: the credentials are good, the RAM policy does not allow this action (Forbidden.RAM, NoPermission...).
AUTHORIZATION_MARKERS = ("Forbidden", "NoPermission", "Unauthorized", "AccessDenied")


def authentication_problem(error: BaseException) -> str | None:
    """``wrong_secret``, ``unknown_key``, ``disabled_key``, ``expired_token`` or ``wrong_token``; None for other errors."""
    return AUTHENTICATION_CODES.get(error_code(error) or "")


def is_authorization_error(error: BaseException) -> bool:
    """True when a RAM policy refused the action (the key itself was accepted)."""
    return authentication_problem(error) is None and code_contains(error, *AUTHORIZATION_MARKERS)


def is_credential_error(error: BaseException) -> bool:
    """Authentication or authorization: to be classified before any test of what the code says about a resource."""
    return authentication_problem(error) is not None or is_authorization_error(error)


def is_not_found(error: BaseException) -> bool:
    """True for the cloud's "no such thing" answers (``InvalidVpcId.NotFound``, ``EntityNotExist.Role``, CR's ``INSTANCE_NOT_EXIST``).

    Credential errors first: ``InvalidAccessKeyId.NotFound`` says nothing about the resource asked for.
    """
    if is_credential_error(error):
        return False
    return code_contains(error, "NotFound", "NotExist", "NOT_FOUND", "NOT_EXIST")


def gone_on_delete(delete: t.Callable[[], t.Any], gone_codes: t.Iterable[str] = ()) -> bool:
    """Run a delete call: True when it was sent, False when the cloud answered that the resource is
    already gone (NotFound, or one of the API's own ``gone_codes``): a delete of nothing is no change.

    Unless that answer came to a retry (``attempts`` > 1, set by the client): the resource was read just before the
    delete, so an earlier attempt whose answer was lost (or a 5xx sent after the change) is what deleted it, and the
    task changed the cloud."""
    try:
        delete()
    except AlicloudError as error:
        if is_not_found(error) or error.code in tuple(gone_codes):
            return error.attempts > 1
        raise
    return True


def _causes(exc: BaseException) -> t.Iterator[BaseException]:
    """``exc`` and what it wraps: Tea's inner_exception, then Python's cause/context chain (requests -> urllib3 -> socket)."""
    seen = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = getattr(current, "inner_exception", None) or current.__cause__ or current.__context__


def _is_a(exc: BaseException, class_name: str) -> bool:
    return any(cls.__name__ == class_name for cls in type(exc).__mro__)


def transport_problem(exc: BaseException) -> str | None:
    """Why a request got no answer, in a few words ("the host name does not resolve"), or None when it got one.

    Found by the standard library's exception types deep in the chain, so the SDK's wrappers (RetryError around
    requests' ConnectionError around urllib3's MaxRetryError...) and their many-line messages stay out of the message.
    """
    causes = list(_causes(exc))
    if error_code(exc) is not None:
        return None
    for cause in causes:
        if _is_a(cause, "gaierror"):  # socket.gaierror: this file does no I/O, so the name stands for the import
            return "the host name does not resolve (%s)" % (getattr(cause, "strerror", None) or cause)
    for cause in causes:
        if _is_a(cause, "SSLError"):
            return "the TLS handshake failed (%s)" % (getattr(cause, "reason", None) or cause)
        if isinstance(cause, ConnectionRefusedError):
            return cause.strerror or "Connection refused"
        if isinstance(cause, TimeoutError) or _is_a(cause, "timeout") or "Timeout" in type(cause).__name__:  # socket.timeout (3.8, 3.9)
            return "no answer in time (timed out)"
    for cause in reversed(causes):  # the innermost OS error says the most (ConnectionResetError, no route to host...)
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror
    return None


def from_sdk_exception(exc: BaseException, operation: str) -> AlicloudApiError:
    """Turn a Tea/transport exception into our error, naming the operation."""
    return AlicloudApiError(
        message_of(exc),
        operation=operation,
        code=error_code(exc),
        request_id=request_id_of(exc),
        status_code=http_status(exc),
    )


def redact(value: t.Any, secrets: t.Iterable[str]) -> t.Any:
    """Replace every secret inside strings, dicts and lists (defence in depth: no message should hold one)."""
    secrets = [secret for secret in secrets if secret and len(secret) >= 4]
    if not secrets:
        return value
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, REDACTED)
        return value
    if isinstance(value, dict):
        return {key: redact(item, secrets) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(item, secrets) for item in value]
    return value
