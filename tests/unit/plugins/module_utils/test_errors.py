"""module_utils/errors.py: code, status, request id and message read from the SDK's own exception objects, built the way the
SDK builds them and raised by the real SDK against the twin; redaction; describe() and to_dict()."""

import socket

import pytest
from Tea.exceptions import TeaException
from Tea.exceptions import UnretryableException as TeaUnretryableException
from alibabacloud_tea_openapi.exceptions import ClientException, ServerException
from darabonba.exceptions import UnretryableException
from darabonba.policy.retry import RetryPolicyContext

from ansible_collections.alicloud.acr_access.plugins.module_utils import errors

REQUEST_ID = "6F0B6C3E-5A1D-4F0B-9E4E-1C2D3E4F5A6B"


def sdk_response_error(status, body, exception=ClientException):
    """An error exactly as alibabacloud_tea_openapi's do_rpcrequest raises it for an HTTP 4xx/5xx answer."""
    request_id = body.get("RequestId") or body.get("requestId")
    code = body.get("Code") or body.get("code")
    return exception(
        status_code=status,
        code=f"{code}",
        message=f'code: {status}, {body.get("Message") or body.get("message")} request id: {request_id}',
        detail=f'{body.get("Detail") or body.get("detail")}',
        description=f'{body.get("Description") or body.get("description")}',
        data=body,
        request_id=f"{request_id}",
    )


def legacy_tea_error(status, body):
    """An error as the Tea SDK generation before darabonba raised it: TeaException(dict) with the status in data."""
    return TeaException({
        "code": body.get("Code"),
        "message": "code: %d, %s request id: %s" % (status, body.get("Message"), body.get("RequestId")),
        "data": dict(body, statusCode=status),
    })


# ---------------------------------------------------------------- extraction from SDK exception objects

def test_client_exception_of_the_current_sdk():
    exc = sdk_response_error(404, {"Code": "InvalidVpcId.NotFound", "Message": "Specified value of VpcId (vpc-x) is not found.",
                                   "RequestId": REQUEST_ID})
    assert isinstance(exc, TeaException)  # what client.py catches
    assert errors.error_code(exc) == "InvalidVpcId.NotFound"
    assert errors.http_status(exc) == 404
    assert errors.request_id_of(exc) == REQUEST_ID
    assert errors.message_of(exc) == "Specified value of VpcId (vpc-x) is not found."
    assert errors.is_not_found(exc) and errors.code_contains(exc, "VpcId") and not errors.code_contains(exc, "Throttling")


def test_server_exception_lowercase_keys_and_no_message_in_data():
    exc = sdk_response_error(503, {"code": "ServiceUnavailable", "requestId": REQUEST_ID}, ServerException)
    exc.data.pop("message", None)
    assert (errors.error_code(exc), errors.http_status(exc), errors.request_id_of(exc)) == ("ServiceUnavailable", 503, REQUEST_ID)
    # no message in the body: the SDK's "code: 503, None request id: ..." text, without its decoration
    assert errors.message_of(exc) == "None"
    assert not errors.is_not_found(exc)


def test_sdk_writes_a_missing_code_and_request_id_as_none_text():
    exc = sdk_response_error(500, {"Message": "upstream failed"}, ServerException)
    assert exc.code == "None" and exc.request_id == "None"  # the SDK's f-strings
    assert errors.error_code(exc) is None and errors.request_id_of(exc) is None
    assert errors.message_of(exc) == "upstream failed" and errors.http_status(exc) == 500


def test_legacy_tea_exception():
    exc = legacy_tea_error(400, {"Code": "IncorrectStatus.cbnInstance", "Message": "The CEN is not Active.", "RequestId": REQUEST_ID})
    assert not hasattr(exc, "status_code") and exc.statusCode == 400  # the old spelling, set by Tea itself
    assert errors.http_status(exc) == 400
    assert errors.error_code(exc) == "IncorrectStatus.cbnInstance" and errors.request_id_of(exc) == REQUEST_ID
    assert errors.message_of(exc) == "The CEN is not Active."


def test_message_without_data_strips_the_sdk_decoration():
    exc = TeaException({"code": "Forbidden.RAM", "message": "code: 403, User not authorized to operate on the specified resource. "
                                                            "request id: %s" % REQUEST_ID})
    assert errors.message_of(exc) == "User not authorized to operate on the specified resource."
    assert errors.http_status(exc) is None and errors.request_id_of(exc) is None
    plain = TeaException({"code": "X", "message": "a message of our own"})
    assert errors.message_of(plain) == "a message of our own"


def test_unretryable_transport_error_names_the_inner_error():
    inner = ConnectionError("HTTPConnectionPool(host='127.0.0.1', port=1): Max retries exceeded")
    exc = UnretryableException(RetryPolicyContext(retries_attempted=0, exception=inner))
    assert isinstance(exc, TeaUnretryableException) and exc.inner_exception is inner
    assert errors.message_of(exc) == str(inner)
    assert errors.error_code(exc) is None and errors.http_status(exc) is None and errors.request_id_of(exc) is None


def test_unretryable_around_a_response_error_is_the_response_error():
    """darabonba re-raises the ResponseException itself instead of wrapping it."""
    response = sdk_response_error(409, {"Code": "OperationConflict", "Message": "busy", "RequestId": REQUEST_ID})
    with pytest.raises(ClientException) as raised:
        UnretryableException(RetryPolicyContext(exception=response))
    assert errors.from_sdk_exception(raised.value, "CreateRouteEntry").to_dict() == dict(
        code="OperationConflict", message="busy", request_id=REQUEST_ID, operation="CreateRouteEntry", status_code=409, attempts=1)


def test_http_status_ignores_non_integers():
    class Odd(Exception):
        status_code = "404"
        data = {"statusCode": 502}

    assert errors.http_status(Odd()) == 502  # the attribute is text: the data's number is used
    assert errors.http_status(ValueError("x")) is None


# ---------------------------------------------------------------- the same, raised by the real SDK against the twin

def test_real_sdk_error_from_the_twin(sdk_client, sdk_models):
    client = sdk_client("vpc")
    request = sdk_models("vpc").DescribeRouteEntryListRequest(region_id="cn-hangzhou", route_table_id="vtb-none")
    with pytest.raises(TeaException) as raised:
        client.describe_route_entry_list(request)
    exc = raised.value
    assert errors.error_code(exc) == "InvalidRouteTableId.NotFound" and errors.is_not_found(exc)
    assert errors.http_status(exc) == 404
    assert errors.message_of(exc) == "Specified route table (vtb-none) does not exist."
    request_id = errors.request_id_of(exc)
    assert request_id and request_id != "None" and request_id == exc.data["RequestId"]
    error = errors.from_sdk_exception(exc, "DescribeRouteEntryList")
    assert isinstance(error, errors.AlicloudApiError)
    assert error.describe() == ("DescribeRouteEntryList failed: InvalidRouteTableId.NotFound: Specified route table (vtb-none) does not "
                                "exist. (request id %s)" % request_id)


def test_real_sdk_transport_error(sdk_models):
    """Nothing listens on the port: the SDK raises an UnretryableException around the connection error."""
    from alibabacloud_tea_openapi.utils_models import Config
    from alibabacloud_vpc20160428.client import Client

    with socket.create_server(("127.0.0.1", 0)) as sock:
        port = sock.getsockname()[1]
    client = Client(Config(access_key_id="LTAI5tTwinAccessKey00001", access_key_secret="x" * 16, endpoint="127.0.0.1:%d" % port,
                           protocol="http", region_id="cn-hangzhou", read_timeout=2000, connect_timeout=2000))
    with pytest.raises(TeaException) as raised:
        client.describe_vpcs(sdk_models("vpc").DescribeVpcsRequest(region_id="cn-hangzhou"))
    exc = raised.value
    assert getattr(exc, "inner_exception", None) is not None
    error = errors.from_sdk_exception(exc, "DescribeVpcs")
    assert (error.code, error.status_code, error.request_id) == (None, None, None)
    # the inner error's str() is a dict's repr ({'message': ...}): its message attribute is the text to show
    assert str(exc.inner_exception).startswith("{'message': ")
    assert error.message == exc.inner_exception.message and "Connection refused" in error.message and "127.0.0.1" in error.message
    assert error.describe().startswith("DescribeVpcs failed: ")


# ---------------------------------------------------------------- describe() and to_dict()

@pytest.mark.parametrize("kwargs, attempts, text", [
    (dict(), 1, "it broke"),
    (dict(code="Throttling"), 1, "Throttling: it broke"),
    (dict(operation="CreateCen"), 1, "CreateCen failed: it broke"),
    (dict(operation="CreateCen", code="Throttling", request_id="r-1"), 1, "CreateCen failed: Throttling: it broke (request id r-1)"),
    (dict(operation="CreateCen", code="Throttling", request_id="r-1"), 3,
     "CreateCen failed: Throttling: it broke (request id r-1), after 3 attempts"),
    (dict(request_id="r-1"), 2, "it broke (request id r-1), after 2 attempts"),
])
def test_describe(kwargs, attempts, text):
    error = errors.AlicloudApiError("it broke", **kwargs)
    error.attempts = attempts
    assert error.describe() == text
    assert str(error) == "it broke"


def test_to_dict_and_the_family():
    error = errors.WaiterError("still Attaching after 900s", operation="wait vpc_attachment_attached", code="WaiterTimeout", status_code=None)
    error.attempts = 4
    assert error.to_dict() == dict(code="WaiterTimeout", message="still Attaching after 900s", request_id=None,
                                   operation="wait vpc_attachment_attached", status_code=None, attempts=4)
    for cls in (errors.AlicloudApiError, errors.AlicloudCredentialError, errors.WaiterError, errors.CheckModeWriteError):
        assert issubclass(cls, errors.AlicloudError)
    assert errors.AlicloudError("x").to_dict()["attempts"] == 1


# ---------------------------------------------------------------- redaction

SECRET = "twin-secret-do-not-use-in-production"


def test_redact_strings_dicts_lists_and_tuples():
    value = {"msg": "signature of %s failed" % SECRET, "nested": [SECRET, ("a", "token=sts-token-1234"), 7, None], "n": 3}
    assert errors.redact(value, [SECRET, "sts-token-1234"]) == {
        "msg": "signature of ******** failed", "nested": ["********", ["a", "token=********"], 7, None], "n": 3}
    assert value["msg"].endswith("failed") and SECRET in value["msg"]  # the input is not changed


def test_redact_every_occurrence_and_several_secrets():
    assert errors.redact("%s/%s/abcd" % (SECRET, SECRET), [SECRET, "abcd"]) == "********/********/********"


def test_redact_ignores_empty_and_short_secrets():
    assert errors.redact("a b abc", ["", None, "a", "abc"]) == "a b abc"  # too short to be a secret: would eat ordinary text
    value = {"k": ["v"]}
    assert errors.redact(value, []) is value


def test_redact_a_failed_result():
    error = errors.from_sdk_exception(sdk_response_error(400, {"Code": "InvalidAccessKeyId", "Message": "key %s is wrong" % SECRET,
                                                               "RequestId": REQUEST_ID}), "DescribeVpcs")
    redacted = errors.redact(error.to_dict(), [SECRET])
    assert redacted["message"] == "key ******** is wrong" and redacted["code"] == "InvalidAccessKeyId"
    assert SECRET not in errors.redact(error.describe(), [SECRET])


# -- credentials first, and a request without an answer -------------------------------------------------------

@pytest.mark.parametrize("code, problem, authorization", [
    ("IncompleteSignature", "wrong_secret", False), ("SignatureDoesNotMatch", "wrong_secret", False),
    ("InvalidAccessKeyId.NotFound", "unknown_key", False), ("InvalidAccessKeyId.Inactive", "disabled_key", False),
    ("InvalidSecurityToken.Expired", "expired_token", False), ("InvalidSecurityToken.Malformed", "wrong_token", False),
    ("Forbidden.RAM", None, True), ("NoPermission", None, True), ("InvalidVpcId.NotFound", None, False), (None, None, False),
])
def test_credential_errors_are_classified_first(code, problem, authorization):
    error = errors.AlicloudApiError("x", code=code)
    assert errors.authentication_problem(error) == problem
    assert errors.is_authorization_error(error) is authorization
    assert errors.is_not_found(error) is (code == "InvalidVpcId.NotFound")


def chained(*chain):
    """``chain[0]`` raised while handling ``chain[1]``..., as requests and urllib3 wrap a socket error."""
    for outer, inner in zip(chain, chain[1:]):
        outer.__context__ = inner
    return chain[0]


@pytest.mark.parametrize("exc, expected", [
    (chained(RuntimeError("Max retries exceeded"), socket.gaierror(-2, "Name or service not known")),
     "the host name does not resolve (Name or service not known)"),
    (chained(RuntimeError("wrapper"), ConnectionRefusedError(111, "Connection refused")), "Connection refused"),
    (chained(RuntimeError("wrapper"), socket.timeout("timed out")), "no answer in time (timed out)"),
    (chained(RuntimeError("wrapper"), ConnectionResetError(104, "Connection reset by peer")), "Connection reset by peer"),
    (RuntimeError("no OS error inside"), None),
])
def test_transport_problem_reads_the_standard_library_error_inside(exc, expected):
    assert errors.transport_problem(exc) == expected


def test_an_answer_with_a_code_is_no_transport_problem():
    exc = chained(sdk_response_error(400, {"Code": "InvalidParameter", "Message": "m"}), ConnectionRefusedError(111, "x"))
    assert errors.transport_problem(exc) is None
