"""privatelink_vpc_endpoint's main() against the twin with the real SDK: create, idempotence, check mode, delete, bad input."""

import ipaddress

from ansible_collections.alicloud.acr_access.plugins.modules.privatelink_vpc_endpoint import main
from acr_twin import seed_ids as ids
from acr_twin.products import privatelink

OSS = "com.aliyuncs.privatelink.%s.oss" % ids.REGISTRY_REGION


def present(twin_args, **extra):
    return twin_args(vpc_id=ids.REGISTRY_VPC, vswitch_ids=list(ids.REGISTRY_VSWITCHES), name="oss", **extra)


def writes(twin, since=0):
    return [call["action"] for call in twin.writes(since=since)]


def test_creates_the_oss_endpoint_with_a_token_and_returns_its_addresses(run_module, twin_args, twin):
    result = run_module(main, present(twin_args, security_group_ids=["sg-bp1twin0000000000001"]))
    assert result["changed"] is True and "failed" not in result
    endpoint = result["endpoint"]
    assert (endpoint["service_name"], endpoint["status"], endpoint["connection_status"]) == (OSS, "Active", "Connected")
    assert result["service_name"] == OSS and endpoint["domain"].startswith(endpoint["endpoint_id"] + ".")
    assert [z["vswitch_id"] for z in endpoint["zones"]] == ids.REGISTRY_VSWITCHES
    assert len(endpoint["addresses"]) == 2
    assert all(ipaddress.ip_address(a) in ipaddress.ip_network(ids.REGISTRY_VPC_CIDR) for a in endpoint["addresses"])
    [create] = twin.calls(action="CreateVpcEndpoint")
    assert create["params"]["ClientToken"] and create["params"]["SecurityGroupId.1"] == "sg-bp1twin0000000000001"
    assert writes(twin) == ["CreateVpcEndpoint"]
    assert result["diff"]["before"] == {}


def test_a_second_run_changes_nothing_and_only_reads(run_module, twin_args, twin):
    first = run_module(main, present(twin_args))
    seq = twin.last_seq()
    second = run_module(main, present(twin_args))
    assert second["changed"] is False and second["endpoint"] == first["endpoint"]
    assert writes(twin, since=seq) == []


def test_check_mode_predicts_without_a_write(run_module, twin_args, twin):
    result = run_module(main, present(twin_args, _ansible_check_mode=True))
    assert result["changed"] is True and result["endpoint"]["status"] == "Creating" and result["endpoint"]["addresses"] == []
    assert writes(twin) == [] and privatelink.endpoints(twin.cloud) == {}


def test_absent_deletes_and_waits_then_is_no_change(run_module, twin_args, twin):
    made = run_module(main, present(twin_args))
    gone = run_module(main, twin_args(vpc_id=ids.REGISTRY_VPC, name="oss", state="absent"))
    assert gone["changed"] is True and gone["diff"]["before"]["endpoint_id"] == made["endpoint"]["endpoint_id"]
    assert privatelink.endpoints(twin.cloud) == {}
    seq = twin.last_seq()
    again = run_module(main, twin_args(vpc_id=ids.REGISTRY_VPC, name="oss", state="absent"))
    assert again["changed"] is False and writes(twin, since=seq) == []


def test_a_vswitch_of_another_vpc_is_named_before_any_write(run_module, twin_args, twin):
    result = run_module(main, twin_args(vpc_id=ids.REGISTRY_VPC, vswitch_ids=[ids.SOURCE_VSWITCH_M]))
    assert result["failed"] is True and result["msg"].startswith("vswitch_ids: %s" % ids.SOURCE_VSWITCH_M)
    assert writes(twin) == []


def test_two_vswitches_in_one_zone_are_refused(run_module, twin_args, twin):
    result = run_module(main, twin_args(vpc_id=ids.REGISTRY_VPC, vswitch_ids=[ids.REGISTRY_VSWITCH_J, ids.REGISTRY_VSWITCH_J]))
    assert result["failed"] is True and "one vSwitch per zone" in result["msg"] and writes(twin) == []


def test_an_unknown_service_is_named_before_any_write(run_module, twin_args, twin):
    result = run_module(main, present(twin_args, service_name="com.aliyuncs.privatelink.cn-hangzhou.nosuch"))
    assert result["failed"] is True and result["msg"].startswith("service_name: no endpoint service") and OSS in result["msg"]
    assert writes(twin) == []


def test_no_vswitch_is_named(run_module, twin_args, twin):
    result = run_module(main, twin_args(vpc_id=ids.REGISTRY_VPC))
    assert result["failed"] is True and result["msg"].startswith("vswitch_ids is required") and writes(twin) == []
