"""The module base: endpoint parsing, credential order, SDK clients and error mapping."""

import json
from unittest.mock import ANY

import pytest
from ansible.module_utils.testing import patch_module_args
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_cr20181201 import models as cr_models
from alibabacloud_vpc20160428 import models as vpc_models

from ansible_collections.alicloud.acr_access.plugins.module_utils.cen import CBN
from ansible_collections.alicloud.acr_access.plugins.module_utils.client import (
    AnsibleAlicloudModule, build_request, is_write, parse_endpoint, response_body, sdk_method_name)
from ansible_collections.alicloud.acr_access.plugins.module_utils.cr import CR
from ansible_collections.alicloud.acr_access.plugins.module_utils.credentials import chain_credentials, static_credentials
from ansible_collections.alicloud.acr_access.plugins.module_utils.sts import STS
from ansible_collections.alicloud.acr_access.plugins.module_utils.vpc import VPC
from ansible_collections.alicloud.acr_access.plugins.module_utils.errors import (
    AlicloudApiError, AlicloudCredentialError, CheckModeWriteError, from_sdk_exception, redact)

SECRET = "s3cr3t-value-never-shown"
TOKEN = "sts-token-never-shown-either"


# -- endpoint ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("127.0.0.1:8080", ("127.0.0.1:8080", "https")),
    ("http://127.0.0.1:8080", ("127.0.0.1:8080", "http")),
    ("HTTP://127.0.0.1:8080/", ("127.0.0.1:8080", "http")),
    ("https://proxy.example.com:8443", ("proxy.example.com:8443", "https")),
    ("  localhost:9000  ", ("localhost:9000", "https")),
    ("vpc.example.com", ("vpc.example.com", "https")),
    ("http://[::1]:8080", ("[::1]:8080", "http")),
])
def test_parse_endpoint(value, expected):
    assert parse_endpoint(value) == expected


@pytest.mark.parametrize("value, complaint", [
    ("ftp://127.0.0.1:21", "scheme"),
    ("http://127.0.0.1:8080/v2", "without path"),
    ("http://user@127.0.0.1:8080", "without path"),
    ("127.0.0.1:port", "port"),
    ("127.0.0.1:70000", "port"),
    ("", "expected host:port"),
    ("http://", "expected host:port"),
    (":8080", "host is missing"),
])
def test_parse_endpoint_rejects(value, complaint):
    with pytest.raises(ValueError) as raised:
        parse_endpoint(value)
    assert complaint in str(raised.value)


@pytest.mark.parametrize("value, shown", [
    ("http://admin:hunter2-pass@127.0.0.1:8080", "'http://127.0.0.1:8080'"),
    ("admin:hunter2-pass@127.0.0.1:8080/x", "'127.0.0.1:8080'"),
    ("https://admin:hun/ter2@pass@proxy.example.com", "'https://proxy.example.com'"),  # a / and an @ inside the password
    ("ftp://admin:hunter2-pass@127.0.0.1:21", "'ftp://127.0.0.1:21'"),
])
def test_parse_endpoint_never_echoes_user_credentials(value, shown):
    with pytest.raises(ValueError) as raised:
        parse_endpoint(value)
    message = str(raised.value)
    assert shown in message and "hunter2" not in message and "hun/ter2" not in message and "admin" not in message


def test_a_password_in_endpoint_is_not_in_the_failure(run_module):
    from ansible_collections.alicloud.acr_access.plugins.modules.vpc_info import main
    result = run_module(main, dict(endpoint="http://admin:hunter2-pass@127.0.0.1:1", region="cn-hangzhou"))
    assert result["failed"] and "'http://127.0.0.1:1'" in result["msg"] and "hunter2" not in result["msg"]


def test_bad_endpoint_fails_the_module(run_module):
    from ansible_collections.alicloud.acr_access.plugins.modules.vpc_info import main
    result = run_module(main, dict(endpoint="ftp://127.0.0.1:1", region="cn-hangzhou"))
    assert result["failed"] and "scheme must be http or https" in result["msg"]


# -- credential resolution order -------------------------------------------------------------------------

def set_env(monkeypatch, new, old):
    for name, value in zip(("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_REGION_ID"), new or ()):
        monkeypatch.setenv(name, value)
    for name, value in zip(("ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALICLOUD_REGION"), old or ()):
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize("options, new_env, old_env, expected", [
    ({"access_key_id": "OPT", "access_key_secret": "opt-secret", "region": "cn-beijing"},
     ("NEW", "new-secret", "cn-shanghai"), ("OLD", "old-secret", "cn-hangzhou"), ("OPT", "opt-secret", "cn-beijing")),
    ({}, ("NEW", "new-secret", "cn-shanghai"), ("OLD", "old-secret", "cn-hangzhou"), ("NEW", "new-secret", "cn-shanghai")),
    ({}, None, ("OLD", "old-secret", "cn-hangzhou"), ("OLD", "old-secret", "cn-hangzhou")),
    ({"access_key_id": "OPT", "access_key_secret": "opt-secret"}, None, ("OLD", "old-secret", "cn-hangzhou"),
     ("OPT", "opt-secret", "cn-hangzhou")),
])
def test_credential_order(monkeypatch, make_module, options, new_env, old_env, expected):
    set_env(monkeypatch, new_env, old_env)
    module = make_module(options)
    found = module.credentials()
    assert (found.access_key_id, found.access_key_secret, module.region) == expected


def test_security_token_order(monkeypatch, make_module):
    monkeypatch.setenv("ALICLOUD_SECURITY_TOKEN", "old-token")
    module = make_module({"access_key_id": "STS.ID", "access_key_secret": "x-secret"})
    assert module.credentials().security_token == "old-token"
    monkeypatch.setenv("ALIBABA_CLOUD_SECURITY_TOKEN", "new-token")
    assert make_module({"access_key_id": "STS.ID", "access_key_secret": "x-secret"}).credentials().security_token == "new-token"


@pytest.mark.parametrize("params, missing", [
    ({"access_key_id": "ID"}, "access_key_secret is not"),
    ({"access_key_secret": SECRET}, "access_key_id is not"),
])
def test_half_a_key_pair_is_an_error_without_the_secret(params, missing):
    with pytest.raises(AlicloudCredentialError) as raised:
        static_credentials(params)
    assert missing in str(raised.value)
    assert SECRET not in str(raised.value)


def test_no_key_means_the_chain_is_asked():
    assert static_credentials({"access_key_id": None, "access_key_secret": None}) is None


def write_credentials_ini(tmp_path, monkeypatch):
    path = tmp_path / "credentials.ini"
    path.write_text("[team]\ntype = access_key\naccess_key_id = PROFILEID\naccess_key_secret = profile-secret\n")
    monkeypatch.setenv("ALIBABA_CLOUD_CREDENTIALS_FILE", str(path))


def test_profile_from_credentials_file(tmp_path, monkeypatch):
    write_credentials_ini(tmp_path, monkeypatch)
    found = chain_credentials("team")
    assert (found.access_key_id, found.access_key_secret) == ("PROFILEID", "profile-secret")
    assert "profile-secret" not in repr(found)


def test_profile_from_cli_config_comes_first(tmp_path, monkeypatch):
    write_credentials_ini(tmp_path, monkeypatch)
    (tmp_path / ".aliyun").mkdir()
    (tmp_path / ".aliyun" / "config.json").write_text(json.dumps({"current": "team", "profiles": [
        {"name": "team", "mode": "AK", "access_key_id": "CLIID", "access_key_secret": "cli-secret"}]}))
    assert chain_credentials("team").access_key_id == "CLIID"


def test_unknown_profile_is_a_clear_error(tmp_path, monkeypatch):
    write_credentials_ini(tmp_path, monkeypatch)
    with pytest.raises(AlicloudCredentialError) as raised:
        chain_credentials("nobody")
    assert "profile 'nobody' found none" in str(raised.value)


def test_option_key_wins_over_profile(tmp_path, monkeypatch, make_module):
    write_credentials_ini(tmp_path, monkeypatch)
    module = make_module({"access_key_id": "OPT", "access_key_secret": "opt-secret", "profile": "team"})
    assert module.credentials().access_key_id == "OPT"
    assert make_module({"profile": "team"}).credentials().access_key_id == "PROFILEID"


# -- SDK clients -----------------------------------------------------------------------------------------

KEYS = {"access_key_id": "ID", "access_key_secret": "a-secret"}
PRODUCTS = {"vpc": VPC, "cbn": CBN, "cr": CR, "sts": STS}  # each product's one constant, from its home


@pytest.mark.parametrize("product, region, endpoint", [
    ("vpc", "cn-hangzhou", "vpc.aliyuncs.com"),             # the SDK's endpoint map
    ("vpc", "cn-shanghai", "vpc.cn-shanghai.aliyuncs.com"),
    ("vpc", "ap-southeast-1", "vpc.ap-southeast-1.aliyuncs.com"),
    ("cbn", "cn-shanghai", "cbn.aliyuncs.com"),
    ("cr", "cn-shanghai", "cr.cn-shanghai.aliyuncs.com"),
    ("sts", "cn-shanghai", "sts.aliyuncs.com"),
])
def test_real_endpoints_without_override(make_module, product, region, endpoint):
    client = make_module(KEYS).client(PRODUCTS[product], region)
    assert client._endpoint == endpoint
    assert client._protocol is None  # the SDK then uses HTTPS


@pytest.mark.parametrize("override, protocol", [("http://127.0.0.1:1234", "http"), ("127.0.0.1:1234", "https")])
def test_endpoint_override_applies_to_every_product(make_module, override, protocol):
    module = make_module(dict(KEYS, endpoint=override))
    for product in (VPC, CBN, CR, STS):
        client = module.client(product, "cn-shanghai")
        assert (client._endpoint, client._protocol) == ("127.0.0.1:1234", protocol)


def test_endpoint_from_environment(monkeypatch, make_module):
    monkeypatch.setenv("ACR_ACCESS_ENDPOINT", "http://127.0.0.1:4321")
    assert make_module(KEYS).client(VPC, "cn-hangzhou")._endpoint == "127.0.0.1:4321"


def test_one_client_per_product_and_region(make_module):
    module = make_module(dict(KEYS, region="cn-hangzhou"))
    assert module.client(VPC) is module.client(VPC, "cn-hangzhou")
    assert module.client(VPC, "cn-shanghai") is not module.client(VPC)
    assert module.client(CR) is not module.client(VPC)


def test_sdk_retries_stay_off(make_module):
    assert make_module(KEYS).client(VPC, "cn-hangzhou")._retry_options is None


def test_regional_product_needs_a_region(make_module):
    with pytest.raises(Exception) as raised:
        make_module(KEYS).client(VPC)
    assert "region is required" in str(raised.value)


@pytest.mark.parametrize("action, method", [
    ("DescribeVSwitches", "describe_vswitches"),
    ("DescribeRouteEntryList", "describe_route_entry_list"),
    ("CreateIpv6Gateway", "create_ipv_6gateway"),
])
def test_sdk_method_name(make_module, action, method):
    assert sdk_method_name(make_module(KEYS).client(VPC, "cn-hangzhou"), action) == method


def test_sdk_method_name_is_looked_up_once_per_class_and_action(make_module, monkeypatch):
    client = make_module(KEYS).client(VPC, "cn-hangzhou")
    assert sdk_method_name(client, "DescribeVpcs") == "describe_vpcs"
    scans = []
    from ansible_collections.alicloud.acr_access.plugins.module_utils import client as client_module
    monkeypatch.setattr(client_module, "dir", lambda *args: scans.append(args) or dir(*args), raising=False)
    assert sdk_method_name(client, "DescribeVpcs") == "describe_vpcs"
    assert scans == []
    with pytest.raises(AttributeError):
        sdk_method_name(client, "DescribeNothingAtAll")


def test_build_request_rejects_misspelled_parameters():
    request = build_request(vpc_models, "DescribeVpcs", {"RegionId": "cn-hangzhou", "VpcId": "vpc-1", "PageSize": None})
    assert request.region_id == "cn-hangzhou" and request.vpc_id == "vpc-1"
    with pytest.raises(ValueError) as raised:
        build_request(vpc_models, "DescribeVpcs", {"RegionId": "cn-hangzhou", "VpcID": "vpc-1"})
    assert "VpcID" in str(raised.value)


def test_cr_is_success_false_is_an_error():
    response = cr_models.GetInstanceVpcEndpointResponse().from_map(
        {"statusCode": 200, "body": {"IsSuccess": False, "Code": "INSTANCE_NOT_EXIST", "RequestId": "R9"}})
    with pytest.raises(AlicloudApiError) as raised:
        response_body(CR, "GetInstanceVpcEndpoint", response)
    assert (raised.value.code, raised.value.request_id, raised.value.operation) == ("INSTANCE_NOT_EXIST", "R9", "GetInstanceVpcEndpoint")


def test_only_the_product_with_the_rule_checks_is_success():
    """IsSuccess false is CR's own rule (CR.check_answer): CR's successful answers and other products' answers pass."""
    ok = cr_models.GetInstanceVpcEndpointResponse().from_map({"statusCode": 200, "body": {"IsSuccess": True, "RequestId": "R1"}})
    assert response_body(CR, "GetInstanceVpcEndpoint", ok)["RequestId"] == "R1"
    odd = vpc_models.DescribeVpcsResponse().from_map({"statusCode": 200, "body": {"RequestId": "R2", "TotalCount": 0}})
    assert response_body(VPC, "DescribeVpcs", odd)["RequestId"] == "R2" and VPC.check_answer is None


def test_a_product_is_given_as_its_constant_not_a_string(make_module):
    with pytest.raises(TypeError) as raised:
        make_module(KEYS).client("vpc", "cn-hangzhou")
    assert "must be a Product" in str(raised.value)


def test_region_required_fails_before_any_call(capsys):
    with patch_module_args(dict(KEYS)):
        with pytest.raises(SystemExit):
            AnsibleAlicloudModule(argument_spec={}, region_required="the transit router")
    result = json.loads(capsys.readouterr().out)
    assert result["failed"] and result["msg"].startswith("region: give the region of the transit router (")
    assert result["error"]["code"] == "InvalidInput"


# -- error mapping ---------------------------------------------------------------------------------------

def test_sdk_exception_mapping():
    exc = ClientException(status_code=404, code="InvalidVpcId.NotFound", request_id="REQ-1",
                          message="code: 404, Specified value of VpcId is not found. request id: REQ-1",
                          data={"Code": "InvalidVpcId.NotFound", "Message": "Specified value of VpcId is not found.", "RequestId": "REQ-1"})
    error = from_sdk_exception(exc, "DescribeVpcs")
    assert error.to_dict() == {"code": "InvalidVpcId.NotFound", "message": "Specified value of VpcId is not found.",
                               "request_id": "REQ-1", "operation": "DescribeVpcs", "status_code": 404, "attempts": 1}
    assert error.describe() == "DescribeVpcs failed: InvalidVpcId.NotFound: Specified value of VpcId is not found. (request id REQ-1)"


def test_sdk_message_without_data_is_undecorated():
    exc = ClientException(status_code=400, code="Bad", message="code: 400, Plain words request id: R2", request_id="R2")
    assert from_sdk_exception(exc, "X").message == "Plain words"


def test_redact_nested():
    value = {"msg": "key %s and %s" % (SECRET, TOKEN), "list": [SECRET], "n": 3}
    assert redact(value, [SECRET, TOKEN, None, ""]) == {"msg": "key ******** and ********", "list": ["********"], "n": 3}


def test_fail_json_api_never_shows_a_secret(capsys):
    leaked = AlicloudApiError("the server echoed %s and %s" % (SECRET, TOKEN), operation="DescribeVpcs", code="Leaky", request_id="R3")
    args = {"access_key_id": "ID", "access_key_secret": SECRET, "security_token": TOKEN, "region": "cn-hangzhou"}
    with patch_module_args(args):  # exit/fail_json need the module args context too
        module = AnsibleAlicloudModule(argument_spec={})
        with pytest.raises(SystemExit):
            module.fail_json_api(leaked, msg="Failed")
    out = capsys.readouterr().out
    result = json.loads(out)
    assert SECRET not in out and TOKEN not in out
    assert result["error"]["code"] == "Leaky" and result["error"]["operation"] == "DescribeVpcs"
    assert result["msg"].startswith("Failed: DescribeVpcs failed: Leaky: the server echoed ")


def test_unreachable_endpoint_fails_fast_with_the_transport_error(run_module):
    """Nothing listens on port 9 of 127.0.0.1: a few attempts, then a readable error."""
    from ansible_collections.alicloud.acr_access.plugins.modules.vpc_info import main
    result = run_module(main, dict(KEYS, endpoint="http://127.0.0.1:9", region="cn-hangzhou"))
    assert result["failed"] is True
    assert result["error"]["operation"] == "DescribeVpcs" and result["error"]["attempts"] == 3
    assert "Connection refused" in result["msg"] and "RetryError" not in result["msg"]


def test_only_the_product_asked_for_is_imported(tmp_path):
    """Each SDK costs about a second to import: building the VPC client must not import CBN, CR or STS."""
    import subprocess
    import sys
    script = (
        "import sys\n"
        "from ansible.module_utils.testing import patch_module_args\n"
        "from ansible_collections.alicloud.acr_access.plugins.module_utils.client import AnsibleAlicloudModule\n"
        "from ansible_collections.alicloud.acr_access.plugins.module_utils.vpc import VPC\n"
        "with patch_module_args({'access_key_id': 'ID', 'access_key_secret': 'x-secret', 'region': 'cn-hangzhou'}):\n"
        "    module = AnsibleAlicloudModule(argument_spec={})\n"
        "module.client(VPC)\n"
        "print(sorted(name for name in sys.modules if name.startswith('alibabacloud_') and name.count('.') == 0))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=str(tmp_path),
                          env={"PYTHONPATH": ":".join(sys.path), "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    loaded = done.stdout.strip()
    assert "alibabacloud_vpc20160428" in loaded
    for other in ("alibabacloud_cbn20170912", "alibabacloud_cr20181201", "alibabacloud_sts20150401"):
        assert other not in loaded


@pytest.mark.parametrize("code, expected", [
    ("InvalidVpcId.NotFound", True), ("InvalidRouteEntry.NotFound", True), ("EntityNotExist.Role", True),
    ("INSTANCE_NOT_EXIST", True), ("Throttling.User", False), (None, False),
    # credentials first: an unknown access key or a RAM refusal says nothing of the resource asked for
    ("InvalidAccessKeyId.NotFound", False), ("Forbidden.NotFound", False), ("NoPermission", False),
])
def test_is_not_found(code, expected):
    from ansible_collections.alicloud.acr_access.plugins.module_utils.errors import is_not_found
    assert is_not_found(AlicloudApiError("x", code=code)) is expected


# -- shared checks of AnsibleAlicloudModule ----------------------------------------------------------------

@pytest.mark.parametrize("wait_timeout", [0, -5])
def test_wait_timeout_must_be_positive_in_any_module_that_has_it(run_module, twin, twin_args, wait_timeout):
    from ansible_collections.alicloud.acr_access.plugins.module_utils.client import AnsibleAlicloudModule as Module

    def main():
        module = Module(argument_spec=dict(wait_timeout=dict(type="int", default=60)))
        module.call(VPC, "DescribeVpcs", {"RegionId": "cn-hangzhou"}, region="cn-hangzhou")
        module.exit_json(changed=False)

    assert run_module(main, twin_args(wait_timeout=5)) == {"changed": False, "invocation": ANY}  # a positive one passes
    twin.reset()
    result = run_module(main, twin_args(wait_timeout=wait_timeout))
    assert result["failed"] is True and "wait_timeout must be a positive number of seconds" in result["msg"]
    assert "wait_timeout > 0" in result["msg"]
    assert twin.calls() == []


def test_a_module_without_wait_timeout_is_not_checked(make_module):
    assert make_module(KEYS).params.get("wait_timeout") is None


@pytest.mark.parametrize("action", ["CreateInstanceVpcEndpointLinkedVpc", "DeleteRouteEntry", "CreateCen"])
def test_a_write_in_check_mode_is_refused_before_it_is_sent(make_module, twin_args, twin, action):
    module = make_module(twin_args(_ansible_check_mode=True), supports_check_mode=True)
    product = CR if "Instance" in action else (CBN if "Cen" in action else VPC)
    with pytest.raises(CheckModeWriteError) as raised:
        module.call(product, action, {}, region="cn-hangzhou")
    assert raised.value.code == "CheckModeWrite" and action in raised.value.message and "check mode" in raised.value.message
    assert twin.calls() == []


def test_reads_and_assume_role_pass_in_check_mode(make_module, twin_args, twin):
    module = make_module(twin_args(_ansible_check_mode=True, ram_role_arn="acs:ram::1234567890123456:role/ansible"), supports_check_mode=True)
    module.call(VPC, "DescribeVpcs", {"RegionId": "cn-hangzhou"}, region="cn-hangzhou")
    assert [call["action"] for call in twin.calls()] == ["AssumeRole", "DescribeVpcs"]


def test_is_write_follows_the_api_naming():
    assert not any(is_write(name) for name in ("DescribeVpcs", "ListInstance", "GetAuthorizationToken", "QueryX", "CheckY"))
    assert all(is_write(name) for name in ("CreateVpc", "DeleteRouteEntry", "ModifyCenAttribute", "AttachX", "AssumeRole"))


def test_a_product_says_which_of_its_writes_are_safe():
    """AssumeRole only issues a temporary key: STS lists it in safe_writes, so check mode may send it."""
    assert not is_write("AssumeRole", STS.safe_writes)
    assert is_write("AssumeRole", VPC.safe_writes)
    assert is_write("CreateVpc", STS.safe_writes)


def test_a_returned_secret_stays_out_of_failures_but_not_out_of_the_result(capsys):
    password = "registry-password-0123456789"
    args = {"access_key_id": "ID", "access_key_secret": SECRET, "region": "cn-hangzhou"}
    with patch_module_args(args):
        module = AnsibleAlicloudModule(argument_spec={})
        module.keep_out_of_errors(password)
        with pytest.raises(SystemExit):
            module.fail_json_api(AlicloudApiError("the answer held %s" % password, operation="GetAuthorizationToken"))
        failed = json.loads(capsys.readouterr().out)
        with pytest.raises(SystemExit):
            module.exit_json(changed=False, password=password)
        succeeded = json.loads(capsys.readouterr().out)
    assert password not in json.dumps(failed) and "the answer held ********" in failed["msg"]
    assert succeeded["password"] == password
