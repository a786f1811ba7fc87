"""module_utils/cr.py: messages for CR's codes, the token view, endpoint views (tables), and lookups and waiters against the twin."""

import pytest

from ansible_collections.alicloud.acr_access.plugins.module_utils import cr
from ansible_collections.alicloud.acr_access.plugins.module_utils.errors import AlicloudApiError, AlicloudError, code_contains, is_not_found
from ansible_collections.alicloud.acr_access.plugins.module_utils.waiter import wait_for
from acr_twin import seed_ids

INSTANCE = seed_ids.INSTANCE_ID
SEED_VPC, SEED_VSW = seed_ids.REGISTRY_VPC, seed_ids.REGISTRY_VSWITCH_J


@pytest.fixture
def module(make_module, twin_args):
    return make_module(twin_args())


# -- messages -------------------------------------------------------------------------------------

@pytest.mark.parametrize("code, api_message, expected", [
    ("INSTANCE_NOT_EXIST", None, "the Container Registry instance cri-x does not exist in region cn-hangzhou"),
    ("INSTANCE_ACCESS_QUOTA_EXCEED", None, "the Registry VPC endpoint of instance cri-x has used up its quota of linked VPCs (default 3); "
                                           "unlink a VPC that no longer needs the registry, or ask for a higher quota (Quota Center or a ticket)"),
    ("VSWITCH_NOT_EXIST", "the API answered IsSuccess false", "vSwitch vsw-x does not exist in VPC vpc-x: give a vSwitch of that VPC"),
    ("VPC_NOT_EXIST", "Vpc not found.", "VPC vpc-x does not exist in region cn-hangzhou (a registry is linked only to VPCs of its own region) "
                                        "(Vpc not found.)"),
    ("SOME_NEW_CODE", None, "the API answered IsSuccess false with code SOME_NEW_CODE and no message"),
    ("SOME_NEW_CODE", "A message of its own.", "A message of its own."),
    (None, None, "the API answered IsSuccess false with code (none) and no message"),
])
def test_cr_error_messages(code, api_message, expected):
    params = {"InstanceId": "cri-x", "VpcId": "vpc-x", "VswitchId": "vsw-x", "ModuleName": None}
    assert cr.cr_error_message(code, params, "cn-hangzhou", api_message) == expected


def test_a_missing_placeholder_does_not_break_the_message():
    assert cr.cr_error_message("INSTANCE_ACCESS_NOT_EXIST", {}, None) == \
        "VPC ? (vSwitch ?) is not linked to the Registry VPC endpoint of instance ?"


def test_cr_call_gives_the_code_a_message(module):
    with pytest.raises(AlicloudApiError) as caught:
        cr.cr_call(module, "GetInstance", {"InstanceId": "cri-doesnotexist00001"}, "cn-hangzhou")
    error = caught.value
    assert (error.code, error.operation, error.status_code) == ("INSTANCE_NOT_EXIST", "GetInstance", 200)
    assert error.message == "the Container Registry instance cri-doesnotexist00001 does not exist in region cn-hangzhou"
    assert error.request_id


# -- the token view -------------------------------------------------------------------------------

ASKED_AT = 1_700_000_000.0


@pytest.mark.parametrize("hours, lives, capped", [
    (1, 3600, False),
    (1, 3600 - 59, False),   # latency and skew are not a cap
    (2, 3600, True),         # STS keys of one hour
    (24, 86400, False),
    (24, 900, True),
])
def test_token_view(hours, lives, capped):
    body = {"TempUsername": "cr_temp_user", "AuthorizationToken": "pw-0123456789", "ExpireTime": int((ASKED_AT + lives) * 1000)}
    view = cr.token_view(body, hours, ASKED_AT, ASKED_AT + 1)
    assert view == {"username": "cr_temp_user", "password": "pw-0123456789", "expires_at_epoch": int(ASKED_AT + lives),
                    "expires_at": view["expires_at"], "expires_in_seconds": lives - 1, "requested_expires_in_seconds": hours * 3600,
                    "capped": capped}
    assert view["expires_at"].endswith("Z") and view["expires_at"].startswith("2023-11-1")


def test_token_view_iso_format():
    view = cr.token_view({"TempUsername": "u", "AuthorizationToken": "p" * 8, "ExpireTime": 1767229200000}, 1, 1767225600, 1767225600)
    assert view["expires_at"] == "2026-01-01T01:00:00Z" and view["expires_in_seconds"] == 3600


def test_an_incomplete_answer_fails_without_the_password():
    with pytest.raises(AlicloudApiError) as caught:
        cr.token_view({"AuthorizationToken": "secret-password-123", "RequestId": "req-1"}, 1, ASKED_AT, ASKED_AT)
    assert "secret-password-123" not in caught.value.describe() and caught.value.request_id == "req-1"


def test_capped_warning_names_the_expiry_and_the_fix():
    view = {"expires_at": "2026-01-01T01:00:00Z", "expires_in_seconds": 3599, "password": "secret-password-123"}
    text = cr.capped_warning(view, 24)
    assert "2026-01-01T01:00:00Z" in text and "24 hour(s)" in text and "STS" in text and "secret-password-123" not in text


# -- endpoint views -------------------------------------------------------------------------------

def test_normalise_module_endpoints_takes_both_domain_shapes():
    endpoints = [{"EndpointType": "internet", "Enable": True, "Status": "RUNNING", "Domains": [{"Domain": "r.example", "Type": "SYSTEM"},
                                                                                               {"Domain": "custom.example", "Type": "USER"}]},
                 {"EndpointType": "vpc", "Enable": True, "Status": "RUNNING", "Domains": [{"Domain": "r-vpc.example", "Type": "SYSTEM"}]}]
    vpc_endpoint = {"Domains": ["r-vpc.example"], "Enable": True,
                    "LinkedVpcs": [{"VpcId": "vpc-1", "VswitchId": "vsw-1", "Ip": "10.0.0.9", "Status": "RUNNING"}]}
    view = cr.normalise_module_endpoints(endpoints, vpc_endpoint)
    assert view["internet"] == {"enabled": True, "status": "RUNNING", "domains": ["r.example", "custom.example"]}
    assert view["vpc"]["domains"] == ["r-vpc.example"]
    assert view["vpc"]["linked_vpcs"] == [{"vpc_id": "vpc-1", "vswitch_id": "vsw-1", "ip": "10.0.0.9", "status": "RUNNING",
                                           "default_access": False}]


def test_normalise_module_endpoints_with_nothing():
    view = cr.normalise_module_endpoints([], {})
    assert view == {"vpc": {"enabled": False, "status": None, "domains": [], "linked_vpcs": []},
                    "internet": {"enabled": False, "status": None, "domains": []}}
    assert cr.normalise_link(None) == {}


# -- lookups against the twin ---------------------------------------------------------------------

def add_instances(twin, count, name_format, region="cn-hangzhou"):
    seed = twin.cloud.cr_instances[INSTANCE]
    for number in range(count):
        instance_id = "cri-bulk%013d" % number
        twin.cloud.cr_instances[instance_id] = dict(seed, InstanceId=instance_id, InstanceName=name_format % number, RegionId=region)


def test_list_instances_follows_pages_and_filters_exactly(module, twin):
    add_instances(twin, 60, "acr-twin-%d")
    everything = cr.list_instances(module, "cn-hangzhou")
    assert len(everything) == 61
    assert len(twin.calls(action="ListInstance")) == 2
    assert [item["InstanceId"] for item in cr.list_instances(module, "cn-hangzhou", seed_ids.INSTANCE_NAME)] == [INSTANCE]
    assert [item["InstanceName"] for item in cr.list_instances(module, "cn-hangzhou", "acr-twin-7")] == ["acr-twin-7"]


def test_list_instances_keeps_to_the_region(module, twin):
    add_instances(twin, 2, "elsewhere-%d", region="cn-shanghai")
    assert [item["InstanceId"] for item in cr.list_instances(module, "cn-hangzhou")] == [INSTANCE]


def test_resolve_instance_refuses_an_ambiguous_name(module, twin):
    add_instances(twin, 2, "twin-%d")
    twin.cloud.cr_instances["cri-bulk0000000000001"]["InstanceName"] = "twin-0"
    with pytest.raises(AlicloudError) as caught:
        cr.resolve_instance(module, "cn-hangzhou", instance_name="twin-0")
    assert caught.value.code == "AmbiguousInstanceName"
    assert "cri-bulk0000000000000, cri-bulk0000000000001" in caught.value.message and "instance_id" in caught.value.message


def test_require_running():
    cr.require_running({"InstanceId": "cri-x", "InstanceStatus": "RUNNING"}, "cn-hangzhou")
    with pytest.raises(AlicloudError, match="cri-x in region cn-hangzhou is STARTING"):
        cr.require_running({"InstanceId": "cri-x", "InstanceStatus": "STARTING"}, "cn-hangzhou")


# -- links and waiters against the twin -----------------------------------------------------------

def test_link_waiters():
    assert cr.CR_LINKED_VPC_RUNNING.product is cr.CR and cr.CR_LINKED_VPC_RUNNING.success == ("RUNNING",)
    assert cr.CR_LINKED_VPC_GONE.when_gone == "success"


def test_unlink_wait_gone_link_wait_running(module, twin):
    ids = dict(region="cn-hangzhou", instance_id=INSTANCE, module_name="Registry", vpc_id=SEED_VPC)
    assert cr.delete_link(module, "cn-hangzhou", INSTANCE, "Registry", SEED_VPC, SEED_VSW) is True
    assert wait_for(module, cr.CR_LINKED_VPC_GONE, 30, **ids) is None
    assert twin.cloud.cr_linked_vpcs == {}
    assert cr.delete_link(module, "cn-hangzhou", INSTANCE, "Registry", SEED_VPC, SEED_VSW) is False  # already gone
    cr.create_link(module, "cn-hangzhou", INSTANCE, "Registry", SEED_VPC, SEED_VSW, create_dns_record=True)
    item = wait_for(module, cr.CR_LINKED_VPC_RUNNING, 30, **ids)
    assert (item["VpcId"], item["VswitchId"], item["Status"]) == (SEED_VPC, SEED_VSW, "RUNNING") and item["Ip"]
    found = cr.find_link(cr.get_vpc_endpoint(module, "cn-hangzhou", INSTANCE), SEED_VPC)
    assert cr.normalise_link(found)["ip"] == item["Ip"]


def test_a_second_link_of_the_same_vpc_is_already_exist(module):
    with pytest.raises(AlicloudApiError) as caught:
        cr.create_link(module, "cn-hangzhou", INSTANCE, "Registry", SEED_VPC, SEED_VSW)
    assert caught.value.code == "INSTANCE_ACCESS_ALREADY_EXIST" and code_contains(caught.value, "ALREADY_EXIST")
    assert caught.value.message == "VPC %s is already linked to the Registry VPC endpoint of instance %s" % (SEED_VPC, INSTANCE)


def test_chart_endpoints_are_read(module):
    chart = cr.describe_chart_endpoints(module, "cn-hangzhou", INSTANCE)
    assert chart["vpc"]["domains"] == ["acr-twin-chart-vpc.cn-hangzhou.cr.aliyuncs.com"]


@pytest.mark.parametrize("code, markers, expected", [
    ("INSTANCE_ACCESS_QUOTA_EXCEED", ("QUOTA",), True),
    ("Forbidden.RAM", ("Forbidden", "NoPermission"), True),
    ("INSTANCE_NOT_EXIST", ("QUOTA",), False),
    ("None", ("None",), False),  # the SDK's text for "no code" is no code
    (None, ("NotFound",), False),
])
def test_code_contains_is_the_one_code_matcher(code, markers, expected):
    error = AlicloudApiError("x", code=code)
    assert code_contains(error, *markers) is expected
    assert is_not_found(error) is (code == "INSTANCE_NOT_EXIST")
