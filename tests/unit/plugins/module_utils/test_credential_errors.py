"""Errors a person can act on: refused credentials, a mistyped region, an endpoint that does not answer.

Each runs a real module (vpc_info, cen_info) with the real SDK against the twin, which answers as the cloud does
(codes, HTTP status, the string-to-sign in a signature error's message); the result must say in one line what is
wrong, which credential and where it came from, and what to do, and never the string-to-sign or a secret.
"""

import json

import pytest
from alibabacloud_tea_openapi.exceptions import ClientException

from ansible_collections.alicloud.acr_access.plugins.module_utils.client import explain
from ansible_collections.alicloud.acr_access.plugins.module_utils.credentials import Credentials, authentication_failure
from ansible_collections.alicloud.acr_access.plugins.module_utils.errors import AlicloudApiError, InputError, from_sdk_exception
from ansible_collections.alicloud.acr_access.plugins.module_utils.vpc import VPC
from ansible_collections.alicloud.acr_access.plugins.modules.vpc_info import main as vpc_info
from ansible_collections.alicloud.acr_access.plugins.modules.cen_info import main as cen_info
from acr_twin import seed_ids as ids

TWIN_KEY_ID = "LTAI5tTwinAccessKey00001"
TWIN_SECRET = "twin-secret-do-not-use-in-production"
WRONG_SECRET = "not-the-twin-secret-0123456789"
ROLE = "acs:ram::1234567890123456:role/ansible"


def one_line(result):
    assert result["failed"] is True
    assert "\n" not in result["msg"], result["msg"]
    return result["msg"]


def never_shown(result, *values):
    text = json.dumps(result)
    for value in values + ("string to sign", "ACS3-HMAC-SHA256", "HTTPConnectionPool", "RetryError"):
        assert value not in text, value


# -- wrong secret ----------------------------------------------------------------------------------------

def test_wrong_secret_from_the_options_says_so_without_the_string_to_sign(run_module, twin_args):
    result = run_module(vpc_info, twin_args(access_key_secret=WRONG_SECRET))
    msg = one_line(result)
    assert result["error"]["code"] == "IncompleteSignature" and result["error"]["status_code"] == 400
    assert "access_key_secret: the secret (option access_key_secret) does not match access key %s (option access_key_id)" \
        % TWIN_KEY_ID in msg, msg
    assert "give the AccessKey secret that was created with this access key id" in msg
    assert result["error"]["attempts"] == 1
    never_shown(result, WRONG_SECRET)


@pytest.mark.parametrize("id_variable, secret_variable", [
    ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"),
    ("ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY"),
])
def test_wrong_secret_from_the_environment_names_the_variables(run_module, twin_args, monkeypatch, id_variable, secret_variable):
    monkeypatch.setenv(id_variable, TWIN_KEY_ID)
    monkeypatch.setenv(secret_variable, WRONG_SECRET)
    args = twin_args()
    del args["access_key_id"], args["access_key_secret"]
    msg = one_line(run_module(vpc_info, args))
    assert "the secret (environment variable %s) does not match access key %s (environment variable %s)" % (
        secret_variable, TWIN_KEY_ID, id_variable) in msg, msg
    assert WRONG_SECRET not in msg


def test_wrong_secret_of_a_profile_names_the_profile(run_module, twin_args, tmp_path, monkeypatch):
    path = tmp_path / "credentials.ini"
    path.write_text("[team]\ntype = access_key\naccess_key_id = %s\naccess_key_secret = %s\n" % (TWIN_KEY_ID, WRONG_SECRET))
    monkeypatch.setenv("ALIBABA_CLOUD_CREDENTIALS_FILE", str(path))
    args = twin_args(profile="team")
    del args["access_key_id"], args["access_key_secret"]
    result = run_module(vpc_info, args)
    msg = one_line(result)
    assert "the secret (the profile 'team' of the credentials file" in msg and "access key %s (the profile 'team'" % TWIN_KEY_ID in msg
    never_shown(result, WRONG_SECRET)


# -- unknown, disabled key -------------------------------------------------------------------------------

def test_unknown_access_key_id(run_module, twin_args):
    result = run_module(vpc_info, twin_args(access_key_id="LTAI5tNobodyKnowsThis01"))
    msg = one_line(result)
    assert result["error"]["code"] == "InvalidAccessKeyId.NotFound" and result["error"]["status_code"] == 404
    assert "access_key_id: Alibaba Cloud knows no access key LTAI5tNobodyKnowsThis01 (option access_key_id)" in msg, msg


def test_unknown_access_key_is_not_a_region_without_vpcs(run_module, twin_args, twin):
    """Issue 5: the not-found test matched InvalidAccessKeyId.NotFound, so cen_info blamed the member's region."""
    members = [{"region": "cn-hangzhou", "vpc_id": ids.REGISTRY_VPC, "vswitch_ids": [ids.REGISTRY_VSWITCH_J, ids.REGISTRY_VSWITCH_K]},
               {"region": "cn-shanghai", "vpc_id": ids.SOURCE_VPC, "vswitch_ids": [ids.SOURCE_VSWITCH_M, ids.SOURCE_VSWITCH_N]}]
    result = run_module(cen_info, twin_args(access_key_id="LTAI5tNobodyKnowsThis01", validate_members=members,
                                            members_label="cen_connect_members"))
    msg = one_line(result)
    assert "no VPC is visible" not in msg and "cen_connect_members" not in msg, msg
    assert result["error"]["code"] == "InvalidAccessKeyId.NotFound"
    assert "Alibaba Cloud knows no access key LTAI5tNobodyKnowsThis01 (option access_key_id)" in msg
    assert len(twin.calls()) == 1  # the first refusal ends the task: no read is taken for an empty answer


def test_disabled_access_key(run_module, twin_args, twin):
    twin.keys.disabled = True
    try:
        result = run_module(vpc_info, twin_args())
    finally:
        twin.keys.disabled = False
    msg = one_line(result)
    assert result["error"]["code"] == "InvalidAccessKeyId.Inactive"
    assert "access_key_id: access key %s (option access_key_id) is disabled: enable it in the RAM console" % TWIN_KEY_ID in msg


# -- STS tokens and ram_role_arn -------------------------------------------------------------------------

def temporary_key(sdk_client, sdk_models):
    request = sdk_models("sts").AssumeRoleRequest(role_arn=ROLE, role_session_name="pytest")
    return sdk_client("sts").assume_role(request).body.credentials


def test_expired_security_token_from_the_options(run_module, twin_args, twin, sdk_client, sdk_models):
    issued = temporary_key(sdk_client, sdk_models)
    twin.keys.expire(issued.access_key_id)
    result = run_module(vpc_info, twin_args(access_key_id=issued.access_key_id, access_key_secret=issued.access_key_secret,
                                            security_token=issued.security_token))
    msg = one_line(result)
    assert result["error"]["code"] == "InvalidSecurityToken.Expired"
    assert "security_token: the STS token (option security_token) of access key %s (option access_key_id) has expired" \
        % issued.access_key_id in msg, msg
    never_shown(result, issued.security_token, issued.access_key_secret)


def test_expired_security_token_from_the_environment(run_module, twin_args, twin, sdk_client, sdk_models, monkeypatch):
    issued = temporary_key(sdk_client, sdk_models)
    twin.keys.expire(issued.access_key_id)
    monkeypatch.setenv("ALIBABA_CLOUD_SECURITY_TOKEN", issued.security_token)
    msg = one_line(run_module(vpc_info, twin_args(access_key_id=issued.access_key_id, access_key_secret=issued.access_key_secret)))
    assert "the STS token (environment variable ALIBABA_CLOUD_SECURITY_TOKEN)" in msg, msg


def test_token_of_another_key(run_module, twin_args, sdk_client, sdk_models):
    first, second = temporary_key(sdk_client, sdk_models), temporary_key(sdk_client, sdk_models)
    msg = one_line(run_module(vpc_info, twin_args(access_key_id=first.access_key_id, access_key_secret=first.access_key_secret,
                                                  security_token=second.security_token)))
    assert "security_token: the STS token (option security_token) does not belong to access key %s" % first.access_key_id in msg


def test_assume_role_refused_names_the_role_and_the_key_that_asked(run_module, twin_args, twin):
    role = "acs:ram::1234567890123456:role/untrusted-ci"
    result = run_module(vpc_info, twin_args(ram_role_arn=role))
    msg = one_line(result)
    assert (result["error"]["operation"], result["error"]["code"], result["error"]["status_code"]) == ("AssumeRole", "NoPermission", 403)
    assert "ram_role_arn: STS refused AssumeRole of %s for access key %s (option access_key_id): the role's trust policy" \
        % (role, TWIN_KEY_ID) in msg, msg
    assert [call["action"] for call in twin.calls()] == ["AssumeRole"]


def test_assume_role_of_a_missing_role(run_module, twin_args):
    msg = one_line(run_module(vpc_info, twin_args(ram_role_arn="acs:ram::999999999999:role/ansible")))
    assert "STS refused AssumeRole of acs:ram::999999999999:role/ansible" in msg and "check the account id and the role name" in msg


def test_assume_role_with_a_wrong_base_secret_blames_the_base_key(run_module, twin_args):
    result = run_module(vpc_info, twin_args(ram_role_arn=ROLE, access_key_secret=WRONG_SECRET))
    msg = one_line(result)
    assert result["error"]["operation"] == "AssumeRole"
    assert "the secret (option access_key_secret) does not match access key %s (option access_key_id)" % TWIN_KEY_ID in msg
    never_shown(result, WRONG_SECRET)


@pytest.mark.parametrize("args, field", [
    ({"ram_role_arn": "arn:aws:iam::123:role/x"}, "ram_role_arn: 'arn:aws:iam::123:role/x' is not a RAM role ARN: give acs:ram::"),
    ({"ram_role_arn": ROLE, "role_session_name": "has space"}, "role_session_name: 'has space' is not a session name"),
])
def test_bad_role_input_fails_before_any_call(run_module, twin_args, twin, args, field):
    result = run_module(vpc_info, twin_args(**args))
    assert one_line(result).startswith(field) and result["error"]["code"] == "InvalidInput"
    assert twin.calls() == []


def test_an_expired_temporary_key_of_ram_role_arn_says_to_run_again():
    """The key of ram_role_arn lasts an hour; a task that outlives it gets this (the twin's clock cannot pass an hour)."""
    key = Credentials("STS.NExample", "x-secret", "token", source="the temporary key of ram_role_arn %s" % ROLE)
    error = authentication_failure(AlicloudApiError("Specified SecurityToken is expired.", code="InvalidSecurityToken.Expired"), key)
    assert error.message == ("security_token: the temporary access key STS.NExample (the temporary key of ram_role_arn %s) "
                             "has expired: run again to get a new one" % ROLE)


def test_a_ram_policy_refusal_names_the_key_and_the_action():
    exc = ClientException(status_code=403, code="Forbidden.RAM", request_id="R1", message="code: 403, User not authorized "
                          "to operate on the specified resource. request id: R1",
                          data={"Code": "Forbidden.RAM", "Message": "User not authorized to operate on the specified resource."})
    key = Credentials(TWIN_KEY_ID, "x-secret", source="option access_key_id")
    error = explain(from_sdk_exception(exc, "DescribeVpcs"), exc, None, key)
    assert error.code == "Forbidden.RAM" and error.describe() == (
        "DescribeVpcs failed: Forbidden.RAM: User not authorized to operate on the specified resource. (access key %s, option "
        "access_key_id: a RAM policy must allow DescribeVpcs) (request id R1)" % TWIN_KEY_ID)


# -- regions and endpoints -------------------------------------------------------------------------------

@pytest.mark.parametrize("region, words", [
    ("cn-hangzou", "did you mean cn-hangzhou?"),
    ("us-west1", "did you mean us-west-1?"),
    ("mars-north-1", "give a region id such as cn-hangzhou"),
])
def test_region_typo_without_endpoint_fails_before_any_request(run_module, region, words):
    result = run_module(vpc_info, {"access_key_id": TWIN_KEY_ID, "access_key_secret": TWIN_SECRET, "region": region})
    msg = one_line(result)
    assert msg.startswith("region: %s is not an Alibaba Cloud region id: %s" % (region, words)), msg
    assert "Regions and endpoints" in msg and result["error"]["code"] == "InvalidInput"


def test_a_member_region_typo_fails_when_its_client_is_asked_for(make_module):
    module = make_module({"access_key_id": TWIN_KEY_ID, "access_key_secret": TWIN_SECRET, "region": "cn-hangzhou"})
    with pytest.raises(InputError) as raised:
        module.call(VPC, "DescribeVpcs", {"RegionId": "cn-shangai"}, region="cn-shangai")
    assert raised.value.message.startswith("region: cn-shangai is not an Alibaba Cloud region id: did you mean cn-shanghai?")


@pytest.mark.parametrize("region", ["cn-hangzhou", "cn-north-2-gov-1", "cn-shanghai-finance-1", "me-central-1"])
def test_known_regions_pass(make_module, region):
    assert make_module({"access_key_id": TWIN_KEY_ID, "access_key_secret": TWIN_SECRET, "region": region}).client(VPC)


def test_with_endpoint_any_region_is_passed_on(run_module, twin_args, twin):
    """An emulator or a region newer than the list: the endpoint answers for the region itself."""
    result = run_module(vpc_info, twin_args(region="xx-future-1"))
    assert twin.calls()[0]["params"]["RegionId"] == "xx-future-1" and "is not an Alibaba Cloud region id" not in json.dumps(result)


@pytest.mark.parametrize("endpoint, words", [
    ("http://127.0.0.1:9", "cannot reach the endpoint http://127.0.0.1:9: Connection refused."),
    ("http://acr-access-test.invalid:80", "cannot reach the endpoint http://acr-access-test.invalid:80: the host name does not "
                                          "resolve ("),
])
def test_an_endpoint_without_answer_is_one_line(run_module, endpoint, words):
    result = run_module(vpc_info, {"access_key_id": TWIN_KEY_ID, "access_key_secret": TWIN_SECRET, "region": "cn-hangzhou",
                                   "endpoint": endpoint})
    msg = one_line(result)
    assert words in msg and "Check the network, DNS and proxy settings, or the endpoint option" in msg, msg
    assert result["error"]["attempts"] == 3 and result["error"]["operation"] == "DescribeVpcs"
    never_shown({"msg": msg})
