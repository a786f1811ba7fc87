"""cen_transit_router_vpn_attachment's main() against the twin: the data center's IPsec connection attached, associated and
propagating (its networks learned by the transit router and routed from the registry VPC), updated, detached, bad input."""

import pytest

from ansible_collections.alicloud.acr_access.plugins.module_utils import cen as api
from ansible_collections.alicloud.acr_access.plugins.modules.cen_transit_router_vpn_attachment import main
from acr_twin import seed_ids as ids
from acr_twin.products.cbn import vpc_attachment_route

IPSEC = ids.IPSEC_TRANSIT_ROUTER


@pytest.fixture
def cen(twin, twin_args, make_module):
    """A CEN with an Active transit router in cn-hangzhou and the registry VPC attached and associated with its System
    table (what cen_connect makes): {cen_id, router_id, table_id, vpc_attachment_id, module}."""
    module = make_module(twin_args())
    cen_id = api.create_cen(module, "acr-access", None)
    twin.settle()
    router_id = api.create_transit_router(module, cen_id, "cn-hangzhou", None, None)
    twin.settle()
    table_id = next(t["TransitRouterRouteTableId"] for t in api.list_route_tables(module, router_id) if t["TransitRouterRouteTableType"] == "System")
    router = {"TransitRouterId": router_id, "CenId": cen_id, "RegionId": "cn-hangzhou"}
    vpc_attachment_id = api.create_vpc_attachment(module, router, ids.REGISTRY_VPC, {"cn-hangzhou-j": ids.REGISTRY_VSWITCH_J,
                                                                                     "cn-hangzhou-k": ids.REGISTRY_VSWITCH_K}, None, None, False)
    twin.settle()
    api.create_link(module, "association", vpc_attachment_id, table_id)
    twin.settle()
    return {"cen_id": cen_id, "router_id": router_id, "table_id": table_id, "vpc_attachment_id": vpc_attachment_id, "module": module}


def args(twin_args, cen, **extra):
    values = dict(cen_id=cen["cen_id"], vpn_id=IPSEC)
    values.update(extra)
    return twin_args(**values)


def data_center_routes(cen):
    """(destination, next hop attachment, next hop resource type) of the System table's routes to the data center, as
    ListTransitRouterRouteEntries shows them."""
    body = cen["module"].call(api.CBN, "ListTransitRouterRouteEntries", {"TransitRouterRouteTableId": cen["table_id"]})
    return sorted((e["TransitRouterRouteEntryDestinationCidrBlock"], e["TransitRouterRouteEntryNextHopId"], e["TransitRouterRouteEntryNextHopResourceType"])
                  for e in body["TransitRouterRouteEntries"] if e["TransitRouterRouteEntryDestinationCidrBlock"].startswith("192.168."))


def test_attach_associate_propagate_then_the_registry_vpc_routes_the_data_center(run_module, twin_args, twin, cen):
    assert vpc_attachment_route(twin.cloud, ids.REGISTRY_VPC, "192.168.0.10") is None
    result = run_module(main, args(twin_args, cen, zone_ids=["cn-hangzhou-j"], name="idc-ipsec"))
    assert result["changed"] is True and "failed" not in result, result
    attachment = result["attachment"]
    attachment_id = attachment["transit_router_attachment_id"]
    assert (attachment["status"], attachment["vpn_id"], attachment["vpn_region_id"], attachment["transit_router_id"]) == (
        "Attached", IPSEC, "cn-hangzhou", cen["router_id"])
    assert (attachment["zone_ids"], attachment["transit_router_attachment_name"], attachment["auto_publish_route_enabled"]) == (
        ["cn-hangzhou-j"], "idc-ipsec", True)
    assert (attachment["route_table_id"], attachment["association_status"], attachment["propagation_status"]) == (cen["table_id"], "Active", "Active")
    create = twin.calls(action="CreateTransitRouterVpnAttachment")[0]["params"]
    assert create["ClientToken"] and create["Zone.1.ZoneId"] == "cn-hangzhou-j" and create["VpnId"] == IPSEC
    assert "AutoPublishRouteEnabled" not in create  # not given: the cloud's default
    assert result["diff"]["before"] == {} and result["diff"]["after"]["propagation_status"] == "Active"
    # The transit router learned the data center from the attachment; the registry VPC's traffic to it goes there.
    assert data_center_routes(cen) == [(ids.DATA_CENTER_CIDR, attachment_id, "VPN")]
    route = vpc_attachment_route(twin.cloud, ids.REGISTRY_VPC, "192.168.0.10")
    assert (route["cidr"], route["attachment"]) == (ids.DATA_CENTER_CIDR, attachment_id)
    since = twin.last_seq()
    again = run_module(main, args(twin_args, cen, zone_ids=["cn-hangzhou-j"], name="idc-ipsec"))
    assert again["changed"] is False and again["attachment"] == attachment and "diff" in again
    assert twin.writes(since) == []


def test_check_mode_predicts_everything_without_writes(run_module, twin_args, twin, cen):
    since = twin.last_seq()
    result = run_module(main, args(twin_args, cen, _ansible_check_mode=True))
    assert result["changed"] is True and result["attachment"]["transit_router_attachment_id"] is None
    assert (result["attachment"]["vpn_id"], result["attachment"]["auto_publish_route_enabled"]) == (IPSEC, True)
    assert (result["attachment"]["association_status"], result["attachment"]["propagation_status"]) == ("Active", "Active")
    assert twin.writes(since) == [] and [a for a in twin.cloud.tr_attachments.values() if a["ResourceType"] == "VPN"] == []
    run_module(main, args(twin_args, cen))
    since = twin.last_seq()
    delete = run_module(main, args(twin_args, cen, state="absent", _ansible_check_mode=True))
    assert delete["changed"] is True and delete["attachment"] == {} and twin.writes(since) == []
    assert len([a for a in twin.cloud.tr_attachments.values() if a["ResourceType"] == "VPN"]) == 1


def test_update_name_and_auto_publish_in_place(run_module, twin_args, twin, cen):
    first = run_module(main, args(twin_args, cen))["attachment"]
    since = twin.last_seq()
    result = run_module(main, args(twin_args, cen, name="idc", description="the data center", auto_publish_route=False))
    assert result["changed"] is True and result["attachment"]["transit_router_attachment_id"] == first["transit_router_attachment_id"]
    assert (result["attachment"]["transit_router_attachment_name"], result["attachment"]["auto_publish_route_enabled"]) == ("idc", False)
    assert result["diff"]["before"]["auto_publish_route_enabled"] is True
    assert [c["action"] for c in twin.writes(since)] == ["UpdateTransitRouterVpnAttachmentAttribute"]


def test_absent_disables_dissociates_deletes_and_the_routes_go(run_module, twin_args, twin, cen):
    attachment_id = run_module(main, args(twin_args, cen))["attachment"]["transit_router_attachment_id"]
    since = twin.last_seq()
    result = run_module(main, args(twin_args, cen, state="absent"))
    assert result["changed"] is True and result["attachment"] == {} and result["diff"]["after"] == {}
    assert [c["action"] for c in twin.writes(since)] == ["DisableTransitRouterRouteTablePropagation",
                                                         "DissociateTransitRouterAttachmentFromRouteTable",
                                                         "DeleteTransitRouterVpnAttachment"]
    assert attachment_id not in twin.cloud.tr_attachments and data_center_routes(cen) == []
    assert vpc_attachment_route(twin.cloud, ids.REGISTRY_VPC, "192.168.0.10") is None
    since = twin.last_seq()
    assert run_module(main, args(twin_args, cen, state="absent"))["changed"] is False
    assert twin.writes(since) == []


def test_wait_false_leaves_links_for_the_waiting_run(run_module, twin_args, twin, cen):
    twin.set_time_scale(1000.0)  # stays Attaching until settled
    first = run_module(main, args(twin_args, cen, wait=False))
    assert first["changed"] is True and first["attachment"]["status"] == "Attaching"
    assert (first["attachment"]["association_status"], first["attachment"]["propagation_status"]) == ("pending", "pending")
    twin.settle()
    twin.set_time_scale(0.0)
    second = run_module(main, args(twin_args, cen))
    assert second["changed"] is True and second["attachment"]["propagation_status"] == "Active"
    assert data_center_routes(cen) == [(ids.DATA_CENTER_CIDR, second["attachment"]["transit_router_attachment_id"], "VPN")]


@pytest.mark.parametrize("extra, words", [
    ({"vpn_id": ids.VPN_GATEWAY}, ["vpn_id", ids.VPN_GATEWAY, "the ID of the IPsec connection to attach", "vco-"]),
    ({"zone_ids": ["cn-shanghai-m"]}, ["zone_ids", "cn-shanghai-m", "not a zone of region cn-hangzhou"]),
])
def test_bad_input_fails_before_any_call(run_module, twin_args, twin, cen, extra, words):
    since = twin.last_seq()
    result = run_module(main, args(twin_args, cen, **extra))
    assert result["failed"] is True and result["error"]["code"] == "InvalidInput"
    assert all(word in result["msg"] for word in words), result["msg"]
    assert twin.calls(since) == []


def test_unknown_route_table_and_missing_transit_router_fail_before_any_write(run_module, twin_args, twin, cen):
    since = twin.last_seq()
    table = run_module(main, args(twin_args, cen, route_table_id="vtb-bp1nothere00000000"))
    assert table["failed"] is True and table["msg"].startswith("route_table_id: vtb-bp1nothere00000000 is not a route table of transit router")
    no_router = run_module(main, args(twin_args, cen, region="cn-shanghai"))
    assert no_router["failed"] is True and "no transit router in region cn-shanghai" in no_router["msg"]
    assert twin.writes(since) == []


def test_zones_cannot_change_once_attached(run_module, twin_args, twin, cen):
    run_module(main, args(twin_args, cen, zone_ids=["cn-hangzhou-j"]))
    since = twin.last_seq()
    result = run_module(main, args(twin_args, cen, zone_ids=["cn-hangzhou-k"]))
    assert result["failed"] is True and result["msg"].startswith("zone_ids: attachment tr-attach-")
    assert "[cn-hangzhou-j], not [cn-hangzhou-k]" in result["msg"] and "state: absent" in result["msg"]
    assert twin.writes(since) == []
    assert run_module(main, args(twin_args, cen))["changed"] is False  # zone_ids left out: the zones are left alone


def test_a_connection_of_a_vpn_gateway_is_refused_by_the_cloud(run_module, twin_args, twin, cen):
    result = run_module(main, args(twin_args, cen, vpn_id=ids.IPSEC_VPN_GATEWAY))
    assert result["failed"] is True and result["error"]["code"] == "IncorrectStatus.VpnAttachType"
    assert result["msg"].startswith("Failed to manage the attachment of IPsec connection %s to CEN %s" % (ids.IPSEC_VPN_GATEWAY, cen["cen_id"]))
    assert [a for a in twin.cloud.tr_attachments.values() if a["ResourceType"] == "VPN"] == []


def test_busy_create_is_retried_with_the_same_client_token(run_module, twin_args, twin, cen):
    twin.faults.force([{"action": "CreateTransitRouterVpnAttachment", "kind": "busy", "count": 1}])
    result = run_module(main, args(twin_args, cen))
    assert "failed" not in result and result["attachment"]["status"] == "Attached"
    calls = twin.calls(action="CreateTransitRouterVpnAttachment")
    assert len(calls) == 2 and calls[0]["params"]["ClientToken"] == calls[1]["params"]["ClientToken"]
    assert len([a for a in twin.cloud.tr_attachments.values() if a["ResourceType"] == "VPN"]) == 1
