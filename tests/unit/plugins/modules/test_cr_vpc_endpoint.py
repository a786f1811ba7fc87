"""cr_vpc_endpoint's main() against the twin with the real SDK: link, unlink, idempotence, check mode, waits, errors."""

import copy
import ipaddress

import pytest
from acr_twin.fixtures import SEED

from ansible_collections.alicloud.acr_access.plugins.modules.cr_vpc_endpoint import main
from acr_twin import seed_ids as ids

INSTANCE = ids.INSTANCE_ID
SEED_VPC, SEED_VSW_J, SEED_VSW_K = ids.REGISTRY_VPC, ids.REGISTRY_VSWITCH_J, ids.REGISTRY_VSWITCH_K
SHANGHAI_VSW = ids.SOURCE_VSWITCH_M
EXTRA_VPCS = [("vpc-bp1twin0000000000002", "vsw-bp1twin00000000002j1", "10.2"), ("vpc-bp1twin0000000000003", "vsw-bp1twin00000000003j1", "10.3"),
              ("vpc-bp1twin0000000000004", "vsw-bp1twin00000000004j1", "10.4")]
NEW_VPC, NEW_VSW = EXTRA_VPCS[0][:2]


def topology(quota=3):
    """The seed plus three more VPCs in cn-hangzhou (the seed's registry already links one), with a linked-VPC quota."""
    fixture = copy.deepcopy(SEED)
    hangzhou = fixture["regions"][0]
    for number, (vpc_id, vswitch_id, prefix) in enumerate(EXTRA_VPCS, start=2):
        hangzhou["vpcs"].append({"id": vpc_id, "name": "vpc%d-hangzhou" % number, "cidr_block": prefix + ".0.0/16",
                                 "route_table_id": "vtb-bp1twin000000000000%d" % number, "vrouter_id": "vrt-bp1twin000000000000%d" % number,
                                 "vswitches": [{"id": vswitch_id, "name": "vsw-%d" % number, "zone": "cn-hangzhou-j", "cidr_block": prefix + ".0.0/24"}]})
    hangzhou["registries"][0]["linked_vpc_quota"] = quota
    return fixture


@pytest.fixture
def cloud(twin):
    twin.reset(topology())
    return twin


def links(twin):
    return {link["VpcId"]: link for link in twin.cloud.cr_linked_vpcs.values() if link["InstanceId"] == INSTANCE}


def write_actions(twin, since=0):
    return [call["action"] for call in twin.writes(since=since)]


def test_links_a_vpc_and_waits_until_running(run_module, twin_args, cloud):
    result = run_module(main, twin_args(instance_id=INSTANCE, vpc_id=NEW_VPC, vswitch_id=NEW_VSW))
    assert result["changed"] is True and "failed" not in result
    link = result["link"]
    assert (link["vpc_id"], link["vswitch_id"], link["status"]) == (NEW_VPC, NEW_VSW, "RUNNING")
    assert ipaddress.ip_address(link["ip"]) in ipaddress.ip_network("10.2.0.0/24")
    assert result["vpc_domains"] == [ids.REGISTRY_DOMAIN]
    assert result["diff"] == {"before": {}, "after": link}
    assert write_actions(cloud) == ["CreateInstanceVpcEndpointLinkedVpc"]
    assert links(cloud)[NEW_VPC]["Status"] == "RUNNING" and links(cloud)[NEW_VPC]["_dns_record_in_pvzt"] is False


def test_link_again_is_no_change_and_no_write(run_module, twin_args, cloud):
    args = twin_args(instance_name=ids.INSTANCE_NAME, vpc_id=NEW_VPC, vswitch_id=NEW_VSW)
    first = run_module(main, args)
    seq = cloud.last_seq()
    second = run_module(main, args)
    assert second["changed"] is False and second["link"] == first["link"]
    assert write_actions(cloud, since=seq) == []


def test_the_seed_link_is_already_there(run_module, twin_args, cloud):
    result = run_module(main, twin_args(instance_id=INSTANCE, vpc_id=SEED_VPC, vswitch_id=SEED_VSW_J))
    assert result["changed"] is False
    assert (result["link"]["ip"], result["link"]["status"]) == ("10.94.205.198", "RUNNING")
    assert write_actions(cloud) == []


def test_create_dns_record_is_sent(run_module, twin_args, cloud):
    run_module(main, twin_args(instance_id=INSTANCE, vpc_id=NEW_VPC, vswitch_id=NEW_VSW, create_dns_record=True))
    assert links(cloud)[NEW_VPC]["_dns_record_in_pvzt"] is True
    [create] = cloud.calls(action="CreateInstanceVpcEndpointLinkedVpc")
    assert create["params"]["EnableCreateDNSRecordInPvzt"].lower() == "true"


def test_without_wait_returns_the_creating_link(run_module, twin_args, cloud):
    cloud.set_time_scale(1.0)  # a link needs 30 s to become RUNNING: nobody waits that long here
    result = run_module(main, twin_args(instance_id=INSTANCE, vpc_id=NEW_VPC, vswitch_id=NEW_VSW, wait=False))
    assert result["changed"] is True
    assert (result["link"]["status"], result["link"]["ip"]) == ("CREATING", "")


def test_waits_through_creating(run_module, twin_args, cloud, monkeypatch):
    cloud.set_time_scale(0.01)  # RUNNING after 0.3 s: the first read still sees CREATING
    monkeypatch.setenv("ACR_ACCESS_WAIT_SCALE", "0.01")  # the waiters pace on the twin's clock (second read after 0.24 s)
    result = run_module(main, twin_args(instance_id=INSTANCE, vpc_id=NEW_VPC, vswitch_id=NEW_VSW))
    assert result["link"]["status"] == "RUNNING" and result["link"]["ip"]
    assert len(cloud.calls(action="GetInstanceVpcEndpoint")) >= 3  # before, at least two polls, the read back


def test_a_short_wait_timeout_fails_naming_the_link(run_module, twin_args, cloud):
    cloud.set_time_scale(1.0)  # the link needs 30 s; the budget covers the reads before the write on a loaded machine
    result = run_module(main, twin_args(instance_id=INSTANCE, vpc_id=NEW_VPC, vswitch_id=NEW_VSW, wait_timeout=5))
    assert result["failed"] is True and result["error"]["code"] == "WaiterTimeout"
    assert NEW_VPC in result["msg"] and "RUNNING" in result["msg"] and "CREATING" in result["msg"]


def test_check_mode_predicts_without_writing(run_module, twin_args, cloud):
    result = run_module(main, twin_args(instance_id=INSTANCE, vpc_id=NEW_VPC, vswitch_id=NEW_VSW, _ansible_check_mode=True))
    assert result["changed"] is True
    assert result["link"] == {"vpc_id": NEW_VPC, "vswitch_id": NEW_VSW, "ip": "", "status": "CREATING", "default_access": False}
    absent = run_module(main, twin_args(instance_id=INSTANCE, vpc_id=SEED_VPC, state="absent", _ansible_check_mode=True))
    assert absent["changed"] is True and absent["link"] == {} and absent["diff"]["before"]["vpc_id"] == SEED_VPC
    assert write_actions(cloud) == []
    assert NEW_VPC not in links(cloud) and SEED_VPC in links(cloud)


def test_unlink_waits_until_gone_then_is_no_change(run_module, twin_args, cloud):
    result = run_module(main, twin_args(instance_id=INSTANCE, vpc_id=SEED_VPC, state="absent"))
    assert result["changed"] is True and result["link"] == {}
    assert result["diff"]["before"]["vswitch_id"] == SEED_VSW_J
    assert SEED_VPC not in links(cloud)
    [delete] = cloud.calls(action="DeleteInstanceVpcEndpointLinkedVpc")
    assert delete["params"]["VswitchId"] == SEED_VSW_J  # the link's own vSwitch, although none was given
    seq = cloud.last_seq()
    again = run_module(main, twin_args(instance_id=INSTANCE, vpc_id=SEED_VPC, state="absent"))
    assert again["changed"] is False and write_actions(cloud, since=seq) == []


def test_unlink_from_an_unknown_instance_is_no_change(run_module, twin_args, cloud):
    result = run_module(main, twin_args(instance_id="cri-doesnotexist00001", vpc_id=SEED_VPC, state="absent"))
    assert result["changed"] is False and "failed" not in result


def test_quota_used_up_names_the_quota_and_the_fix(run_module, twin_args, twin):
    twin.reset(topology(quota=1))
    result = run_module(main, twin_args(instance_id=INSTANCE, vpc_id=NEW_VPC, vswitch_id=NEW_VSW))
    assert result["failed"] is True
    assert result["error"]["code"] == "INSTANCE_ACCESS_QUOTA_EXCEED" and result["error"]["request_id"]
    for words in ("quota of linked VPCs", "unlink a VPC", "higher quota", SEED_VPC, INSTANCE):
        assert words in result["msg"]
    assert NEW_VPC not in links(twin)


def test_other_vswitch_is_an_error_without_relink(run_module, twin_args, cloud):
    result = run_module(main, twin_args(instance_id=INSTANCE, vpc_id=SEED_VPC, vswitch_id=SEED_VSW_K))
    assert result["failed"] is True and result["error"]["code"] == "LinkedThroughAnotherVSwitch"
    assert SEED_VSW_J in result["msg"] and SEED_VSW_K in result["msg"] and "relink=true" in result["msg"]
    assert write_actions(cloud) == []


def test_relink_moves_the_link_to_the_other_vswitch(run_module, twin_args, cloud):
    result = run_module(main, twin_args(instance_id=INSTANCE, vpc_id=SEED_VPC, vswitch_id=SEED_VSW_K, relink=True))
    assert result["changed"] is True
    assert (result["link"]["vswitch_id"], result["link"]["status"]) == (SEED_VSW_K, "RUNNING")
    assert ipaddress.ip_address(result["link"]["ip"]) in ipaddress.ip_network("10.0.1.0/24")
    assert write_actions(cloud) == ["DeleteInstanceVpcEndpointLinkedVpc", "CreateInstanceVpcEndpointLinkedVpc"]


@pytest.mark.parametrize("vswitch_id, code, words", [
    (SEED_VSW_J, "VSWITCH_NOT_IN_VPC", ["belongs to VPC " + SEED_VPC, "not to vpc_id " + NEW_VPC]),
    ("vsw-bp1doesnotexist0001", "VSWITCH_NOT_EXIST", ["does not exist in region cn-hangzhou"]),
    (SHANGHAI_VSW, "VSWITCH_NOT_EXIST", ["does not exist in region cn-hangzhou"]),
])
def test_a_wrong_vswitch_fails_before_any_write(run_module, twin_args, cloud, vswitch_id, code, words):
    result = run_module(main, twin_args(instance_id=INSTANCE, vpc_id=NEW_VPC, vswitch_id=vswitch_id))
    assert result["failed"] is True and result["error"]["code"] == code
    assert all(word in result["msg"] for word in words) and vswitch_id in result["msg"]
    assert write_actions(cloud) == []


def test_unknown_instance_is_an_input_error_naming_the_option(run_module, twin_args, cloud):
    result = run_module(main, twin_args(instance_id="cri-doesnotexist00001", vpc_id=NEW_VPC, vswitch_id=NEW_VSW))
    assert result["failed"] is True and result["error"]["code"] == "InvalidInput"
    assert result["msg"].startswith("instance_id: ") and "cri-doesnotexist00001 does not exist in region cn-hangzhou" in result["msg"]
    assert "give the exact ID" in result["msg"]
    named = run_module(main, twin_args(instance_name="acr", vpc_id=NEW_VPC, vswitch_id=NEW_VSW))  # a substring is not a name
    assert named["failed"] is True and named["msg"].startswith("instance_name: ")
    assert "no Container Registry instance is named 'acr'" in named["msg"] and "give the exact name" in named["msg"]
    assert write_actions(cloud) == []
    # unlinking from an instance that is not there has nothing to do
    gone = run_module(main, twin_args(instance_name="acr", vpc_id=NEW_VPC, state="absent"))
    assert gone.get("failed") is not True and gone["changed"] is False


def test_an_instance_that_is_not_running_fails_before_any_write(run_module, twin_args, cloud):
    cloud.cloud.cr_instances[INSTANCE]["InstanceStatus"] = "STOPPED"
    result = run_module(main, twin_args(instance_id=INSTANCE, vpc_id=NEW_VPC, vswitch_id=NEW_VSW))
    assert result["failed"] is True and result["error"]["code"] == "INSTANCE_STATUS_NOT_SUPPORT"
    assert "is STOPPED" in result["msg"] and write_actions(cloud) == []


def test_a_lost_answer_to_the_create_is_accepted_on_the_repeat(run_module, twin_args, cloud):
    cloud.faults.force([{"action": "CreateInstanceVpcEndpointLinkedVpc", "kind": "lost_response"}])
    result = run_module(main, twin_args(instance_id=INSTANCE, vpc_id=NEW_VPC, vswitch_id=NEW_VSW))
    assert result["changed"] is True and result["link"]["status"] == "RUNNING"
    assert write_actions(cloud) == ["CreateInstanceVpcEndpointLinkedVpc", "CreateInstanceVpcEndpointLinkedVpc"]


def test_vswitch_is_required_to_link(run_module, twin_args, cloud):
    result = run_module(main, twin_args(instance_id=INSTANCE, vpc_id=NEW_VPC))
    assert result["failed"] is True and "vswitch_id" in result["msg"]
    assert cloud.calls() == []


@pytest.mark.parametrize("vswitch_id, code, fix", [
    (SEED_VSW_J, "VSWITCH_NOT_IN_VPC", "set vswitch_id to a vSwitch of vpc_id %s, or vpc_id to %s" % (NEW_VPC, SEED_VPC)),
    ("vsw-bp1doesnotexist0001", "VSWITCH_NOT_EXIST", "set vswitch_id to a vSwitch of vpc_id %s" % NEW_VPC),
    (NEW_VSW, "VSWITCH_IP_NOT_ENOUGH", "set vswitch_id to another vSwitch of vpc_id %s" % NEW_VPC),
])
def test_a_wrong_vswitch_names_the_options_and_the_fix(run_module, twin_args, cloud, vswitch_id, code, fix):
    cloud.cloud.vswitches[NEW_VSW]["AvailableIpAddressCount"] = 0
    result = run_module(main, twin_args(instance_id=INSTANCE, vpc_id=NEW_VPC, vswitch_id=vswitch_id))
    assert result["failed"] is True and result["error"]["code"] == code
    assert "vswitch_id %s " % vswitch_id in result["msg"] and fix in result["msg"]
    assert write_actions(cloud) == []


def test_the_item_the_wait_returned_is_used_without_reading_again(run_module, twin_args, cloud):
    result = run_module(main, twin_args(instance_id=INSTANCE, vpc_id=NEW_VPC, vswitch_id=NEW_VSW))
    assert result["link"]["status"] == "RUNNING" and result["link"]["ip"]
    # One read before the create, one poll that sees RUNNING (time scale 0): no read back after it.
    assert len(cloud.calls(action="GetInstanceVpcEndpoint")) == 2


def test_waiting_for_an_existing_creating_link_reads_it_once_more_only(run_module, twin_args, cloud):
    seed_link = links(cloud)[SEED_VPC]
    seed_link["Status"] = "CREATING"
    requests = []

    def tick():  # runs at the start of each request (time scale 0): the link is RUNNING from the third one on
        requests.append(1)
        if len(requests) == 3:
            seed_link["Status"] = "RUNNING"
        else:
            cloud.cloud.later(0, tick)

    cloud.cloud.later(0, tick)
    result = run_module(main, twin_args(instance_id=INSTANCE, vpc_id=SEED_VPC, vswitch_id=SEED_VSW_J))
    assert result["changed"] is False and result["link"]["status"] == "RUNNING" and result["diff"]["before"] == result["link"]
    # GetInstance, GetInstanceVpcEndpoint (CREATING), one poll (RUNNING): the poll's item is the result.
    assert [call["action"] for call in cloud.calls()] == ["GetInstance", "GetInstanceVpcEndpoint", "GetInstanceVpcEndpoint"]


def test_no_write_once_the_task_budget_is_spent(run_module, twin_args, cloud, monkeypatch):
    """relink: the unlink and its wait use up wait_timeout, so the link is not sent (a change nobody would wait for)."""
    from ansible_collections.alicloud.acr_access.plugins.module_utils import resource
    from ansible_collections.alicloud.acr_access.plugins.module_utils.waiter import Deadline

    def clock():  # time passes only once the unlink was sent: far past the budget
        return 1000.0 if cloud.calls(action="DeleteInstanceVpcEndpointLinkedVpc") else 0.0

    monkeypatch.setattr(resource, "Deadline", lambda seconds: Deadline(seconds, clock=clock))
    result = run_module(main, twin_args(instance_id=INSTANCE, vpc_id=SEED_VPC, vswitch_id=SEED_VSW_K, relink=True, wait_timeout=60))
    assert result["failed"] is True and result["error"]["code"] == "WaiterTimeout"
    assert "before linking VPC %s through vSwitch %s" % (SEED_VPC, SEED_VSW_K) in result["msg"]
    assert write_actions(cloud) == ["DeleteInstanceVpcEndpointLinkedVpc"]


@pytest.mark.parametrize("wait_timeout", [0, -1])
def test_wait_timeout_must_be_positive(run_module, twin_args, cloud, wait_timeout):
    result = run_module(main, twin_args(instance_id=INSTANCE, vpc_id=NEW_VPC, vswitch_id=NEW_VSW, wait_timeout=wait_timeout))
    assert result["failed"] is True and "wait_timeout must be a positive number of seconds" in result["msg"]
    assert cloud.calls() == []


def test_a_failure_says_link_or_unlink_and_the_vpc(run_module, twin_args, cloud):
    cloud.faults.force([{"action": "CreateInstanceVpcEndpointLinkedVpc", "kind": "busy", "code": "Forbidden.RAM"}])
    linked = run_module(main, twin_args(instance_id=INSTANCE, vpc_id=NEW_VPC, vswitch_id=NEW_VSW))
    assert linked["failed"] is True and linked["msg"].startswith("Failed to link VPC %s: " % NEW_VPC)
    cloud.faults.force([{"action": "DeleteInstanceVpcEndpointLinkedVpc", "kind": "busy", "code": "Forbidden.RAM"}])
    unlinked = run_module(main, twin_args(instance_id=INSTANCE, vpc_id=SEED_VPC, state="absent"))
    assert unlinked["failed"] is True and unlinked["msg"].startswith("Failed to unlink VPC %s: " % SEED_VPC)
    assert unlinked["error"]["code"] == "Forbidden.RAM"
