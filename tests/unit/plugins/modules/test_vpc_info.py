"""vpc_info's main() against the twin with the real SDK: output shape, errors, credentials, retries."""

import json

import pytest

from ansible_collections.alicloud.acr_access.plugins.module_utils.vpc import VPC
from ansible_collections.alicloud.acr_access.plugins.module_utils.vpc_routes import ROUTE_ENTRY_BUSY
from ansible_collections.alicloud.acr_access.plugins.modules.vpc_info import main
from acr_twin import seed_ids as ids

HANGZHOU_VPC = ids.REGISTRY_VPC
HANGZHOU_TABLE = ids.REGISTRY_ROUTE_TABLE
SHANGHAI_VPC = ids.SOURCE_VPC
TWIN_ACCOUNT_ROLE = "acs:ram::1234567890123456:role/ansible"
TWIN_KEY_ID = "LTAI5tTwinAccessKey00001"
TWIN_SECRET = "twin-secret-do-not-use-in-production"


def test_by_id_returns_the_whole_vpc(run_module, twin_args):
    result = run_module(main, twin_args(vpc_id=HANGZHOU_VPC))
    assert result["changed"] is False and "failed" not in result
    [vpc] = result["vpcs"]
    assert (vpc["vpc_id"], vpc["vpc_name"], vpc["cidr_block"], vpc["status"]) == (HANGZHOU_VPC, "vpc1-hangzhou", "10.0.0.0/16", "Available")
    assert vpc["secondary_cidr_blocks"] == [] and vpc["vrouter_id"].startswith("vrt-")
    vswitches = {(v["vswitch_id"], v["zone_id"], v["cidr_block"], v["route_table_id"]) for v in vpc["vswitches"]}
    assert vswitches == {(ids.REGISTRY_VSWITCH_J, "cn-hangzhou-j", "10.0.0.0/24", HANGZHOU_TABLE),
                         (ids.REGISTRY_VSWITCH_K, "cn-hangzhou-k", "10.0.1.0/24", HANGZHOU_TABLE)}
    [table] = vpc["route_tables"]
    assert (table["route_table_id"], table["route_table_type"]) == (HANGZHOU_TABLE, "System")
    assert sorted(table["vswitch_ids"]) == [ids.REGISTRY_VSWITCH_J, ids.REGISTRY_VSWITCH_K]
    destinations = {entry["destination_cidr_block"] for entry in table["entries"]}
    assert {"10.0.0.0/24", "10.0.1.0/24"} <= destinations
    for entry in table["entries"]:
        assert set(entry) == {"route_entry_id", "route_entry_name", "route_table_id", "destination_cidr_block", "type", "status",
                              "description", "next_hops"}
        assert all(set(hop) == {"next_hop_type", "next_hop_id"} for hop in entry["next_hops"])


def test_by_name_in_another_region(run_module, twin_args):
    result = run_module(main, twin_args(vpc_name="vpc2-shanghai", region="cn-shanghai"))
    [vpc] = result["vpcs"]
    assert (vpc["vpc_id"], vpc["cidr_block"], vpc["region_id"]) == (SHANGHAI_VPC, "172.16.0.0/16", "cn-shanghai")
    assert {v["zone_id"] for v in vpc["vswitches"]} == {"cn-shanghai-m", "cn-shanghai-n"}
    assert vpc["route_tables"][0]["route_table_id"] == ids.SOURCE_ROUTE_TABLE


def test_all_vpcs_of_a_region_in_check_mode(run_module, twin_args):
    result = run_module(main, twin_args(_ansible_check_mode=True))
    assert result["changed"] is False
    assert [vpc["vpc_id"] for vpc in result["vpcs"]] == [HANGZHOU_VPC]


def test_reads_only(run_module, twin_args, twin):
    run_module(main, twin_args(vpc_id=HANGZHOU_VPC))
    assert twin.writes() == []
    assert twin.counts() == {"DescribeVpcs": 1, "DescribeVSwitches": 1, "DescribeRouteTableList": 1, "DescribeRouteEntryList": 1}


@pytest.mark.parametrize("args, code", [
    ({"vpc_id": "vpc-bp1doesnotexist000001"}, "InvalidVpcId.NotFound"),
    ({"vpc_name": "no-such-vpc"}, "InvalidVpcName.NotFound"),
    ({"vpc_id": SHANGHAI_VPC}, "InvalidVpcId.NotFound"),  # exists, but in another region
])
def test_unknown_vpc_is_a_clear_error(run_module, twin_args, args, code):
    result = run_module(main, twin_args(**args))
    assert result["failed"] is True
    assert result["error"]["code"] == code and result["error"]["operation"] == "DescribeVpcs"
    assert result["error"]["request_id"]
    assert list(args.values())[0] in result["msg"] and "cn-hangzhou" in result["msg"]


def test_wrong_secret_is_a_clear_error_without_the_secret(run_module, twin_args, capsys):
    wrong = "not-the-twin-secret-0123456789"
    result = run_module(main, twin_args(vpc_id=HANGZHOU_VPC, access_key_secret=wrong))
    assert result["failed"] is True
    assert result["error"]["code"] == "IncompleteSignature"
    assert result["error"]["operation"] == "DescribeVpcs" and result["error"]["request_id"]
    assert result["error"]["attempts"] == 1  # a signature error is not retried
    assert "DescribeVpcs failed: IncompleteSignature" in result["msg"]
    assert wrong not in json.dumps(result)


def test_unknown_key_id(run_module, twin_args):
    result = run_module(main, twin_args(access_key_id="LTAI5tNobodyKnowsThis01"))
    assert result["failed"] is True and result["error"]["code"] == "InvalidAccessKeyId.NotFound"


def test_ram_role_arn_through_twin_assume_role(run_module, twin_args, twin):
    result = run_module(main, twin_args(vpc_id=HANGZHOU_VPC, ram_role_arn=TWIN_ACCOUNT_ROLE, role_session_name="unit-test"))
    assert "failed" not in result and result["vpcs"][0]["vpc_id"] == HANGZHOU_VPC
    actions = [call["action"] for call in twin.calls()]
    assert actions[0] == "AssumeRole" and actions.count("AssumeRole") == 1
    assert twin.calls(action="AssumeRole")[0]["params"]["RoleSessionName"] == "unit-test"
    assert len(twin.cloud.sts_credentials) == 1
    issued = next(iter(twin.cloud.sts_credentials))
    assert issued.startswith("STS.") and issued not in json.dumps(result)


def test_ram_role_arn_of_another_account_fails_on_assume_role(run_module, twin_args, twin):
    result = run_module(main, twin_args(vpc_id=HANGZHOU_VPC, ram_role_arn="acs:ram::999999999999:role/ansible"))
    assert result["failed"] is True
    assert (result["error"]["operation"], result["error"]["code"]) == ("AssumeRole", "EntityNotExist.Role")
    assert [call["action"] for call in twin.calls()] == ["AssumeRole"]


def test_throttled_first_call_is_retried(run_module, twin_args, twin):
    twin.faults.force([{"action": "DescribeVpcs", "kind": "throttle", "count": 1}])
    result = run_module(main, twin_args(vpc_id=HANGZHOU_VPC))
    assert "failed" not in result and result["vpcs"][0]["vpc_id"] == HANGZHOU_VPC
    assert [call["code"] for call in twin.calls(action="DescribeVpcs")] == ["Throttling.User", None]


def test_server_error_is_retried(run_module, twin_args, twin):
    twin.faults.force([{"action": "DescribeRouteEntryList", "kind": "server_error", "count": 1}])
    result = run_module(main, twin_args(vpc_id=HANGZHOU_VPC))
    assert "failed" not in result
    assert [call["status"] for call in twin.calls(action="DescribeRouteEntryList")] == [503, 200]


def test_a_busy_read_is_retried_like_a_write(run_module, twin_args, twin):
    # Reads are safe to send again: the product's busy codes are retried for every Describe/List call.
    twin.faults.force([{"action": "DescribeVpcs", "kind": "busy", "count": 1}])
    result = run_module(main, twin_args(vpc_id=HANGZHOU_VPC))
    assert "failed" not in result and result["vpcs"][0]["vpc_id"] == HANGZHOU_VPC
    assert [call["code"] for call in twin.calls(action="DescribeVpcs")] == ["OperationConflict", None]


def test_paging_follows_every_page(run_module, twin_args, twin, make_module):
    """More route entries than one DescribeRouteEntryList page (100): NextToken is followed."""
    module = make_module(twin_args())
    for index in range(105):
        module.call(VPC, "CreateRouteEntry", {"RegionId": "cn-hangzhou", "RouteTableId": HANGZHOU_TABLE,
                                              "DestinationCidrBlock": "192.168.%d.0/24" % index, "NextHopType": "Instance",
                                              "NextHopId": ids.REGISTRY_ECS, "ClientToken": "page-%d" % index},
                    extra_codes=ROUTE_ENTRY_BUSY)
    since = twin.last_seq()
    result = run_module(main, twin_args(vpc_id=HANGZHOU_VPC))
    entries = result["vpcs"][0]["route_tables"][0]["entries"]
    assert len({entry["route_entry_id"] for entry in entries}) == len(entries) >= 108  # 105 custom + the system ones
    custom = [entry for entry in entries if entry["type"] == "Custom"]
    assert len(custom) == 105
    assert custom[0]["next_hops"] == [{"next_hop_type": "Instance", "next_hop_id": ids.REGISTRY_ECS}]
    assert len(twin.calls(since, action="DescribeRouteEntryList")) == 2


# -- credentials from the environment, in order ----------------------------------------------------------

@pytest.mark.parametrize("new_secret, old_secret, succeeds", [
    (TWIN_SECRET, "wrong-old-secret-xyz", True),    # ALIBABA_CLOUD_* wins over ALICLOUD_*
    ("wrong-new-secret-xyz", TWIN_SECRET, False),
    (None, TWIN_SECRET, True),                      # ALICLOUD_* alone is used
])
def test_environment_credentials_order_against_twin(run_module, twin, monkeypatch, new_secret, old_secret, succeeds):
    if new_secret:
        monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", TWIN_KEY_ID)
        monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", new_secret)
    monkeypatch.setenv("ALICLOUD_ACCESS_KEY", TWIN_KEY_ID)
    monkeypatch.setenv("ALICLOUD_SECRET_KEY", old_secret)
    monkeypatch.setenv("ALICLOUD_REGION", "cn-hangzhou")
    monkeypatch.setenv("ACR_ACCESS_ENDPOINT", "http://%s" % twin.endpoint)
    result = run_module(main, {"vpc_id": HANGZHOU_VPC})
    assert ("failed" not in result) is succeeds
    output = json.dumps(result)
    assert "wrong-old-secret-xyz" not in output and "wrong-new-secret-xyz" not in output and TWIN_SECRET not in output


def test_profile_credentials_against_twin(run_module, twin, tmp_path, monkeypatch):
    ini = tmp_path / "credentials.ini"
    ini.write_text("[twin]\ntype = access_key\naccess_key_id = %s\naccess_key_secret = %s\n" % (TWIN_KEY_ID, TWIN_SECRET))
    monkeypatch.setenv("ALIBABA_CLOUD_CREDENTIALS_FILE", str(ini))
    result = run_module(main, {"vpc_id": HANGZHOU_VPC, "profile": "twin", "region": "cn-hangzhou", "endpoint": "http://%s" % twin.endpoint})
    assert "failed" not in result and result["vpcs"][0]["vpc_id"] == HANGZHOU_VPC


def test_missing_region_is_a_clear_error(run_module, twin_args):
    args = twin_args(vpc_id=HANGZHOU_VPC)
    del args["region"]
    result = run_module(main, args)
    assert result["failed"] is True and "region is required" in result["msg"]


def test_vpc_id_and_name_are_exclusive(run_module, twin_args):
    result = run_module(main, twin_args(vpc_id=HANGZHOU_VPC, vpc_name="vpc1-hangzhou"))
    assert result["failed"] is True and "mutually exclusive" in result["msg"]
