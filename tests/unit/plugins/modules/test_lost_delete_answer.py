"""A delete whose answer was lost: the request deleted, the retry hears NotFound, and the task must still say changed.

Against the twin with the real SDK: its fault injector applies the write and drops the answer (lost_response)."""

from ansible_collections.alicloud.acr_access.plugins.modules.cen_instance import main as cen_main
from ansible_collections.alicloud.acr_access.plugins.modules.privatelink_vpc_endpoint import main as endpoint_main
from ansible_collections.alicloud.acr_access.plugins.modules.vpc_route_entry import main as route_main
from acr_twin import seed_ids as ids
from acr_twin.products import privatelink

HZ_VPC, HZ_TABLE, HZ_ECS = "vpc-bp1twin0000000000001", "vtb-bp1twin0000000000001", "i-bp1twin0000000000001"
ROUTE = dict(destination_cidr_block="192.168.0.0/16", next_hop_type="Instance", next_hop_id="i-bp1twin0000000000001")


def custom_destinations(twin):
    twin.settle()
    return {e["DestinationCidrBlock"] for e in twin.cloud.route_entries.values() if e["RouteTableId"] == HZ_TABLE and e["Type"] == "Custom"}


def test_route_delete_with_lost_answer_reports_changed(run_module, twin_args, twin):
    run_module(route_main, twin_args(vpc_id=HZ_VPC, routes=[ROUTE]))
    twin.faults.force([{"action": "DeleteRouteEntry", "kind": "lost_response", "count": 1}])
    seq = twin.last_seq()
    result = run_module(route_main, twin_args(vpc_id=HZ_VPC, state="absent", routes=[ROUTE]))
    deletes = twin.calls(action="DeleteRouteEntry", since=seq)
    assert len(deletes) >= 2, "the fault was not exercised: the module did not retry the delete"
    assert "failed" not in result and custom_destinations(twin) == set()
    assert result["changed"] is True and result["routes"][0]["action"] == "deleted"


def test_cen_delete_with_lost_answer_reports_changed(run_module, twin_args, twin):
    cen_id = run_module(cen_main, twin_args(name="acr-access"))["cen"]["cen_id"]
    twin.faults.force([{"action": "DeleteCen", "kind": "lost_response", "count": 1}])
    seq = twin.last_seq()
    result = run_module(cen_main, twin_args(name="acr-access", state="absent"))
    assert len(twin.calls(action="DeleteCen", since=seq)) >= 2, "the fault was not exercised"
    twin.settle()
    assert "failed" not in result and cen_id not in twin.cloud.cens
    assert result["changed"] is True and result["diff"]["before"]["cen_id"] == cen_id


def test_endpoint_delete_with_lost_answer_reports_changed(run_module, twin_args, twin):
    """The ResourceManager.write_delete path (privatelink_vpc_endpoint)."""
    run_module(endpoint_main, twin_args(vpc_id=ids.REGISTRY_VPC, vswitch_ids=list(ids.REGISTRY_VSWITCHES), name="oss"))
    twin.faults.force([{"action": "DeleteVpcEndpoint", "kind": "lost_response", "count": 1}])
    seq = twin.last_seq()
    result = run_module(endpoint_main, twin_args(vpc_id=ids.REGISTRY_VPC, name="oss", state="absent"))
    assert len(twin.calls(action="DeleteVpcEndpoint", since=seq)) >= 2, "the fault was not exercised"
    assert "failed" not in result and privatelink.endpoints(twin.cloud) == {}
    assert result["changed"] is True


def test_delete_of_what_is_already_gone_stays_unchanged(run_module, twin_args, twin):
    """The other side: a first answer of NotFound (no lost answer before it) is still no change."""
    cen_id = run_module(cen_main, twin_args(name="acr-access"))["cen"]["cen_id"]
    run_module(cen_main, twin_args(cen_id=cen_id, state="absent"))
    seq = twin.last_seq()
    again = run_module(cen_main, twin_args(cen_id=cen_id, state="absent"))
    assert again["changed"] is False and twin.writes(since=seq) == []
