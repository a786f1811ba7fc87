"""cen_transit_router_vbr_attachment's main() against the twin: the data center's Express Connect VBR attached, associated
and propagating (its static routes learned by the transit router and routed from the registry VPC), updated, detached, bad input."""

import pytest

from ansible_collections.alicloud.acr_access.plugins.module_utils import cen as api
from ansible_collections.alicloud.acr_access.plugins.modules.cen_transit_router_vbr_attachment import main
from acr_twin import seed_ids as ids
from acr_twin.products.cbn import vpc_attachment_route


@pytest.fixture
def cen(twin, twin_args, make_module):
    """A CEN with an Active transit router in cn-hangzhou and the registry VPC attached and associated with its System
    table (what cen_connect makes): {cen_id, router_id, table_id, module}."""
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
    return {"cen_id": cen_id, "router_id": router_id, "table_id": table_id, "module": module}


def args(twin_args, cen, **extra):
    values = dict(cen_id=cen["cen_id"], vbr_id=ids.VBR)
    values.update(extra)
    return twin_args(**values)


def data_center_routes(cen):
    """(destination, next hop attachment, next hop resource type) of the System table's routes to the data center, as
    ListTransitRouterRouteEntries shows them."""
    body = cen["module"].call(api.CBN, "ListTransitRouterRouteEntries", {"TransitRouterRouteTableId": cen["table_id"]})
    return sorted((e["TransitRouterRouteEntryDestinationCidrBlock"], e["TransitRouterRouteEntryNextHopId"], e["TransitRouterRouteEntryNextHopResourceType"])
                  for e in body["TransitRouterRouteEntries"] if e["TransitRouterRouteEntryDestinationCidrBlock"].startswith("192.168."))


def vbr_attachments(twin):
    return [a for a in twin.cloud.tr_attachments.values() if a["ResourceType"] == "VBR"]


def test_attach_associate_propagate_then_the_registry_vpc_routes_the_data_center(run_module, twin_args, twin, cen):
    result = run_module(main, args(twin_args, cen, description="leased line"))
    assert result["changed"] is True and "failed" not in result, result
    attachment = result["attachment"]
    attachment_id = attachment["transit_router_attachment_id"]
    assert (attachment["status"], attachment["vbr_id"], attachment["vbr_region_id"], attachment["auto_publish_route_enabled"]) == (
        "Attached", ids.VBR, "cn-hangzhou", False)
    assert (attachment["route_table_id"], attachment["association_status"], attachment["propagation_status"]) == (cen["table_id"], "Active", "Active")
    assert "zone_ids" not in attachment
    create = twin.calls(action="CreateTransitRouterVbrAttachment")[0]["params"]
    assert create["ClientToken"] and create["VbrId"] == ids.VBR and create["TransitRouterAttachmentDescription"] == "leased line"
    assert result["diff"]["before"] == {} and result["diff"]["after"]["association_status"] == "Active"
    assert data_center_routes(cen) == [(ids.DATA_CENTER_CIDR, attachment_id, "VBR")]
    assert vpc_attachment_route(twin.cloud, ids.REGISTRY_VPC, "192.168.0.10")["attachment"] == attachment_id
    since = twin.last_seq()
    again = run_module(main, args(twin_args, cen, description="leased line"))
    assert again["changed"] is False and again["attachment"] == attachment
    assert twin.writes(since) == []


def test_check_mode_predicts_everything_without_writes(run_module, twin_args, twin, cen):
    since = twin.last_seq()
    result = run_module(main, args(twin_args, cen, _ansible_check_mode=True))
    assert result["changed"] is True and result["attachment"]["transit_router_attachment_id"] is None
    assert (result["attachment"]["vbr_id"], result["attachment"]["auto_publish_route_enabled"]) == (ids.VBR, False)
    assert twin.writes(since) == [] and vbr_attachments(twin) == []
    run_module(main, args(twin_args, cen))
    since = twin.last_seq()
    update = run_module(main, args(twin_args, cen, auto_publish_route=True, _ansible_check_mode=True))
    assert update["changed"] is True and update["attachment"]["auto_publish_route_enabled"] is True
    delete = run_module(main, args(twin_args, cen, state="absent", _ansible_check_mode=True))
    assert delete["changed"] is True and twin.writes(since) == [] and len(vbr_attachments(twin)) == 1


def test_update_auto_publish_in_place(run_module, twin_args, twin, cen):
    run_module(main, args(twin_args, cen))
    since = twin.last_seq()
    result = run_module(main, args(twin_args, cen, auto_publish_route=True))
    assert result["changed"] is True and result["attachment"]["auto_publish_route_enabled"] is True
    assert [c["action"] for c in twin.writes(since)] == ["UpdateTransitRouterVbrAttachmentAttribute"]
    assert vbr_attachments(twin)[0]["AutoPublishRouteEnabled"] is True


def test_absent_disables_dissociates_deletes_and_the_routes_go(run_module, twin_args, twin, cen):
    run_module(main, args(twin_args, cen))
    since = twin.last_seq()
    result = run_module(main, args(twin_args, cen, state="absent"))
    assert result["changed"] is True and result["attachment"] == {}
    assert [c["action"] for c in twin.writes(since)] == ["DisableTransitRouterRouteTablePropagation",
                                                         "DissociateTransitRouterAttachmentFromRouteTable",
                                                         "DeleteTransitRouterVbrAttachment"]
    assert vbr_attachments(twin) == [] and data_center_routes(cen) == []
    since = twin.last_seq()
    assert run_module(main, args(twin_args, cen, state="absent"))["changed"] is False
    assert twin.writes(since) == []


def test_propagate_false_attaches_without_learning(run_module, twin_args, twin, cen):
    result = run_module(main, args(twin_args, cen, propagate=False))
    assert (result["attachment"]["association_status"], result["attachment"]["propagation_status"]) == ("Active", None)
    assert data_center_routes(cen) == []


def test_bad_id_fails_before_any_call(run_module, twin_args, twin, cen):
    since = twin.last_seq()
    result = run_module(main, args(twin_args, cen, vbr_id=ids.IPSEC_TRANSIT_ROUTER))
    assert result["failed"] is True and result["error"]["code"] == "InvalidInput"
    assert result["msg"].startswith("vbr_id: '%s' does not look like the ID of the virtual border router to attach" % ids.IPSEC_TRANSIT_ROUTER)
    assert twin.calls(since) == []


def test_unknown_and_already_attached_vbrs_are_refused_by_the_cloud(run_module, twin_args, twin, cen, make_module):
    missing = run_module(main, args(twin_args, cen, vbr_id="vbr-bp1nothere000000001"))
    assert missing["failed"] is True and missing["error"]["code"] == "InvalidVbrId.NotFound"
    assert missing["msg"].startswith("Failed to manage the attachment of virtual border router vbr-bp1nothere000000001 to CEN")
    # The VBR attached to another CEN's transit router: this one's create is refused, nothing is made.
    module = make_module(twin_args())
    other = api.create_cen(module, "other", None)
    twin.settle()
    other_router = api.create_transit_router(module, other, "cn-hangzhou", None, None)
    twin.settle()
    api.create_data_center_attachment(module, "vbr", {"TransitRouterId": other_router, "CenId": other, "RegionId": "cn-hangzhou"}, ids.VBR, {})
    twin.settle()
    taken = run_module(main, args(twin_args, cen))
    assert taken["failed"] is True and taken["error"]["code"] == "OperationFailed.VbrAlreadyAttached"
    assert [a["TransitRouterId"] for a in vbr_attachments(twin)] == [other_router]
