"""cen_transit_router_vpc_attachment's main() against the twin: attach, zones, association, propagation, detach, bad input."""

import pytest

from ansible_collections.alicloud.acr_access.plugins.module_utils import cen as api
from ansible_collections.alicloud.acr_access.plugins.module_utils.vpc import VPC
from ansible_collections.alicloud.acr_access.plugins.modules.cen_transit_router_vpc_attachment import main
from acr_twin import seed_ids as ids


def system_table(module, router_id):
    """The id of the transit router's System route table."""
    return next(table["TransitRouterRouteTableId"] for table in api.list_route_tables(module, router_id)
                if table["TransitRouterRouteTableType"] == "System")


HZ_VPC = ids.REGISTRY_VPC
HZ_J, HZ_K = ids.REGISTRY_VSWITCH_J, ids.REGISTRY_VSWITCH_K
SH_VPC = ids.SOURCE_VPC
SH_M = ids.SOURCE_VSWITCH_M


@pytest.fixture
def cen(twin, twin_args, make_module):
    """A CEN with an Active transit router in cn-hangzhou: {cen_id, router_id, table_id}."""
    module = make_module(twin_args())
    cen_id = api.create_cen(module, "acr-access", None)
    twin.settle()
    router_id = api.create_transit_router(module, cen_id, "cn-hangzhou", None, None)
    twin.settle()
    return {"cen_id": cen_id, "router_id": router_id, "table_id": system_table(module, router_id)}


def args(twin_args, cen, **extra):
    values = dict(cen_id=cen["cen_id"], vpc_id=HZ_VPC, vswitch_ids=[HZ_J, HZ_K])
    values.update(extra)
    return twin_args(**values)


def link_statuses(twin, attachment_id):
    associations = {k: v["Status"] for k, v in twin.cloud.tr_associations.items() if v["TransitRouterAttachmentId"] == attachment_id}
    propagations = {k: v["Status"] for k, v in twin.cloud.tr_propagations.items() if v["TransitRouterAttachmentId"] == attachment_id}
    return associations, propagations


def test_attach_associate_propagate_then_rerun_reads_only(run_module, twin_args, twin, cen):
    result = run_module(main, args(twin_args, cen))
    assert result["changed"] is True and "failed" not in result
    attachment = result["attachment"]
    assert (attachment["status"], attachment["vpc_id"], attachment["transit_router_id"]) == ("Attached", HZ_VPC, cen["router_id"])
    assert attachment["zone_mappings"] == [{"zone_id": "cn-hangzhou-j", "vswitch_id": HZ_J}, {"zone_id": "cn-hangzhou-k", "vswitch_id": HZ_K}]
    assert (attachment["route_table_id"], attachment["association_status"], attachment["propagation_status"]) == (cen["table_id"], "Active", "Active")
    key = "%s/%s" % (attachment["transit_router_attachment_id"], cen["table_id"])
    assert link_statuses(twin, attachment["transit_router_attachment_id"]) == ({key: "Active"}, {key: "Active"})
    create = twin.calls(action="CreateTransitRouterVpcAttachment")[0]["params"]
    assert create["ClientToken"] and create["ZoneMappings.1.ZoneId"] == "cn-hangzhou-j" and create["ZoneMappings.2.VSwitchId"] == HZ_K
    assert result["diff"]["before"] == {} and result["diff"]["after"]["association_status"] == "Active"
    since = twin.last_seq()
    again = run_module(main, args(twin_args, cen))
    assert again["changed"] is False and again["attachment"] == attachment
    assert twin.writes(since) == []


def test_zone_change_updates_instead_of_recreating(run_module, twin_args, twin, cen, make_module):
    first = run_module(main, args(twin_args, cen))["attachment"]
    module = make_module(twin_args())
    module.call(VPC, "DescribeVpcs", {"RegionId": "cn-hangzhou"})  # the twin has no CreateVSwitch: add a third zone directly
    twin.cloud.vswitches["vsw-bp1twin00000000000h1"] = dict(twin.cloud.vswitches[HZ_J], VSwitchId="vsw-bp1twin00000000000h1",
                                                            ZoneId="cn-hangzhou-h", CidrBlock="10.0.2.0/24")
    since = twin.last_seq()
    result = run_module(main, args(twin_args, cen, vswitch_ids=[HZ_K, "vsw-bp1twin00000000000h1"]))
    assert result["changed"] is True
    assert result["attachment"]["transit_router_attachment_id"] == first["transit_router_attachment_id"]
    assert {m["zone_id"] for m in result["attachment"]["zone_mappings"]} == {"cn-hangzhou-h", "cn-hangzhou-k"}
    assert [c["action"] for c in twin.writes(since)] == ["UpdateTransitRouterVpcAttachmentZones"]
    params = twin.writes(since)[0]["params"]
    assert params["AddZoneMappings.1.VSwitchId"] == "vsw-bp1twin00000000000h1" and params["RemoveZoneMappings.1.VSwitchId"] == HZ_J
    assert result["diff"]["before"]["zone_mappings"] != result["diff"]["after"]["zone_mappings"]


def test_update_name_and_auto_publish(run_module, twin_args, twin, cen):
    run_module(main, args(twin_args, cen))
    since = twin.last_seq()
    result = run_module(main, args(twin_args, cen, name="hz", auto_publish_route=True))
    assert result["changed"] is True and result["attachment"]["transit_router_attachment_name"] == "hz"
    assert result["attachment"]["auto_publish_route_enabled"] is True
    assert [c["action"] for c in twin.writes(since)] == ["UpdateTransitRouterVpcAttachmentAttribute"]


def test_check_mode_predicts_everything_without_writes(run_module, twin_args, twin, cen):
    since = twin.last_seq()
    result = run_module(main, args(twin_args, cen, _ansible_check_mode=True))
    assert result["changed"] is True and result["attachment"]["transit_router_attachment_id"] is None
    assert (result["attachment"]["association_status"], result["attachment"]["propagation_status"]) == ("Active", "Active")
    assert twin.writes(since) == [] and twin.cloud.tr_attachments == {}
    run_module(main, args(twin_args, cen))
    since = twin.last_seq()
    delete = run_module(main, args(twin_args, cen, state="absent", _ansible_check_mode=True))
    assert delete["changed"] is True and twin.writes(since) == [] and len(twin.cloud.tr_attachments) == 1


def test_check_mode_without_transit_router_predicts_create(run_module, twin_args, twin, cen):
    result = run_module(main, args(twin_args, cen, region="cn-shanghai", vpc_id=SH_VPC, vswitch_ids=[SH_M, ids.SOURCE_VSWITCH_N],
                                   _ansible_check_mode=True))
    assert result["changed"] is True and result["attachment"]["transit_router_id"] is None
    assert [c for c in twin.writes() if c["action"] != "CreateCen" and c["action"] != "CreateTransitRouter"] == []


def test_absent_disables_dissociates_then_deletes(run_module, twin_args, twin, cen):
    attachment_id = run_module(main, args(twin_args, cen))["attachment"]["transit_router_attachment_id"]
    since = twin.last_seq()
    result = run_module(main, args(twin_args, cen, state="absent"))
    assert result["changed"] is True and result["attachment"] == {}
    assert [c["action"] for c in twin.writes(since)] == ["DisableTransitRouterRouteTablePropagation",
                                                         "DissociateTransitRouterAttachmentFromRouteTable",
                                                         "DeleteTransitRouterVpcAttachment"]
    assert attachment_id not in twin.cloud.tr_attachments and twin.cloud.tr_associations == {} and twin.cloud.tr_propagations == {}
    since = twin.last_seq()
    assert run_module(main, args(twin_args, cen, state="absent"))["changed"] is False
    assert twin.writes(since) == []


def test_custom_route_table_moves_the_association(run_module, twin_args, twin, cen):
    attachment_id = run_module(main, args(twin_args, cen))["attachment"]["transit_router_attachment_id"]
    custom = "vtb-bp1custom0000000000"
    twin.cloud.tr_route_tables[custom] = dict(twin.cloud.tr_route_tables[cen["table_id"]], TransitRouterRouteTableId=custom,
                                              TransitRouterRouteTableType="Custom")
    result = run_module(main, args(twin_args, cen, route_table_id=custom))
    assert result["changed"] is True and result["attachment"]["association_status"] == "Active"
    associations, propagations = link_statuses(twin, attachment_id)
    assert set(associations) == {"%s/%s" % (attachment_id, custom)}  # moved: one associated table per transit router
    assert set(propagations) == {"%s/%s" % (attachment_id, t) for t in (custom, cen["table_id"])}  # propagation is added


def test_wait_false_leaves_links_for_the_waiting_run(run_module, twin_args, twin, cen):
    twin.set_time_scale(1000.0)
    first = run_module(main, args(twin_args, cen, wait=False))
    attachment = first["attachment"]
    assert first["changed"] is True and attachment["status"] == "Attaching"
    assert (attachment["association_status"], attachment["propagation_status"]) == ("pending", "pending")
    twin.settle()
    twin.set_time_scale(0.0)
    second = run_module(main, args(twin_args, cen))
    assert second["changed"] is True and second["attachment"]["association_status"] == "Active"


def test_association_and_propagation_are_asked_for_together_then_waited_for(run_module, twin_args, twin, cen, monkeypatch):
    run_module(main, args(twin_args, cen, associate=False, propagate=False))  # attached, not linked
    twin.set_time_scale(0.2)  # each link takes 1 s
    monkeypatch.setenv("ACR_ACCESS_WAIT_SCALE", "0.2")  # the waiters pace on the twin's clock
    since = twin.last_seq()
    result = run_module(main, args(twin_args, cen))
    assert (result["attachment"]["association_status"], result["attachment"]["propagation_status"]) == ("Active", "Active")
    calls = twin.calls(since)
    writes = [c["seq"] for c in calls if c["write"]]
    assert [c["action"] for c in calls if c["write"]] == ["AssociateTransitRouterAttachmentWithRouteTable",
                                                          "EnableTransitRouterRouteTablePropagation"]
    # no read between the two writes: the propagation is not held back until the association is Active
    assert [c for c in calls if writes[0] < c["seq"] < writes[1]] == []


@pytest.mark.parametrize("extra, words", [
    ({"vpc_id": "vpc-bp1doesnotexist0001"}, ["vpc_id", "vpc-bp1doesnotexist0001", "cn-hangzhou"]),
    ({"vswitch_ids": [HZ_J, "vsw-bp1doesnotexist01"]}, ["vswitch_ids", "vsw-bp1doesnotexist01", "not found"]),
    ({"vswitch_ids": [HZ_J]}, ["vswitch_ids", "cn-hangzhou-j", "allow_single_zone"]),
    ({"vswitch_ids": [HZ_J, SH_M]}, ["vswitch_ids", SH_M, "not found"]),  # a vSwitch of another region's VPC
])
def test_bad_input_fails_before_any_write(run_module, twin_args, twin, cen, extra, words):
    since = twin.last_seq()
    result = run_module(main, args(twin_args, cen, **extra))
    assert result["failed"] is True and result["error"]["code"] == "InvalidInput"
    assert all(word in result["msg"] for word in words), result["msg"]
    assert twin.writes(since) == []


def test_vswitch_of_another_vpc_and_two_in_one_zone(run_module, twin_args, twin, cen):
    twin.cloud.vpcs["vpc-bp1other000000000001"] = dict(twin.cloud.vpcs[HZ_VPC], VpcId="vpc-bp1other000000000001", CidrBlock="10.9.0.0/16")
    twin.cloud.vswitches["vsw-bp1other0000000001"] = dict(twin.cloud.vswitches[HZ_J], VSwitchId="vsw-bp1other0000000001",
                                                          VpcId="vpc-bp1other000000000001", CidrBlock="10.9.0.0/24")
    twin.cloud.vswitches["vsw-bp1twin00000000000j2"] = dict(twin.cloud.vswitches[HZ_J], VSwitchId="vsw-bp1twin00000000000j2", CidrBlock="10.0.3.0/24")
    since = twin.last_seq()
    other = run_module(main, args(twin_args, cen, vswitch_ids=[HZ_J, "vsw-bp1other0000000001"]))
    assert other["failed"] is True and "vsw-bp1other0000000001 belongs to VPC vpc-bp1other000000000001" in other["msg"]
    same_zone = run_module(main, args(twin_args, cen, vswitch_ids=[HZ_J, "vsw-bp1twin00000000000j2", HZ_K]))
    assert same_zone["failed"] is True and "both in zone cn-hangzhou-j" in same_zone["msg"]
    assert twin.writes(since) == []


def test_single_zone_when_allowed(run_module, twin_args, twin, cen):
    result = run_module(main, args(twin_args, cen, vswitch_ids=[HZ_J], allow_single_zone=True))
    assert result["changed"] is True and len(result["attachment"]["zone_mappings"]) == 1


def test_no_transit_router_in_region_is_an_error(run_module, twin_args, twin, cen):
    since = twin.last_seq()
    result = run_module(main, args(twin_args, cen, region="cn-shanghai", vpc_id=SH_VPC, vswitch_ids=[SH_M, ids.SOURCE_VSWITCH_N]))
    assert result["failed"] is True and "no transit router in region cn-shanghai" in result["msg"]
    assert twin.writes(since) == []


def test_busy_attachment_create_is_retried(run_module, twin_args, twin, cen):
    twin.faults.force([{"action": "CreateTransitRouterVpcAttachment", "kind": "busy", "count": 1}])
    result = run_module(main, args(twin_args, cen))
    assert "failed" not in result and result["attachment"]["status"] == "Attached"
    calls = twin.calls(action="CreateTransitRouterVpcAttachment")
    assert len(calls) == 2 and calls[0]["params"]["ClientToken"] == calls[1]["params"]["ClientToken"]


def test_unknown_route_table_fails_before_the_attachment_is_created(run_module, twin_args, twin, cen):
    since = twin.last_seq()
    result = run_module(main, args(twin_args, cen, route_table_id="vtb-bp1nothere00000000"))
    assert result["failed"] is True and result["error"]["code"] == "InvalidInput"
    assert "route_table_id: vtb-bp1nothere00000000 is not a route table of transit router %s" % cen["router_id"] in result["msg"]
    assert cen["table_id"] in result["msg"]  # names the tables it could be
    assert twin.writes(since) == [] and twin.cloud.tr_attachments == {}


def test_rerun_reads_route_tables_and_links_once(run_module, twin_args, twin, cen):
    run_module(main, args(twin_args, cen))
    since = twin.last_seq()
    again = run_module(main, args(twin_args, cen))
    assert again["changed"] is False
    counts = twin.counts(since)
    assert counts["ListTransitRouterRouteTables"] == 1
    # one route table (the system one): one lookup per kind, shared by the diff and the change check
    assert (counts["ListTransitRouterRouteTableAssociations"], counts["ListTransitRouterRouteTablePropagations"]) == (1, 1)


def test_no_write_once_the_wait_spent_wait_timeout(run_module, twin_args, twin, cen):
    run_module(main, args(twin_args, cen))
    twin.set_time_scale(1 / 60.0)  # detached 0.5 s after the delete: inside the 1 s budget, seen by the read at its end
    run_module(main, args(twin_args, cen, state="absent", wait=False))
    since = twin.last_seq()
    result = run_module(main, args(twin_args, cen, wait_timeout=1))
    assert result["failed"] is True and result["error"]["code"] == "WaiterTimeout"
    assert "before CreateTransitRouterVpcAttachment" in result["msg"] and "nothing more was changed" in result["msg"]
    assert twin.writes(since) == [] and twin.cloud.tr_attachments == {}


def test_still_attaching_with_wait_false_reports_no_change(run_module, twin_args, twin, cen):
    twin.set_time_scale(1000.0)  # stays Attaching for the test
    first = run_module(main, args(twin_args, cen, wait=False))
    assert first["changed"] is True and first["attachment"]["status"] == "Attaching"
    since = twin.last_seq()
    second = run_module(main, args(twin_args, cen, wait=False))
    assert second["changed"] is False and twin.writes(since) == []  # nothing was sent
    assert (second["attachment"]["association_status"], second["attachment"]["propagation_status"]) == ("pending", "pending")
    assert any("wait: true" in str(warning) and "is Attaching" in str(warning) for warning in second["warnings"])


def test_vswitch_ids_are_checked_once_by_the_spec_then_by_the_zones(run_module, twin_args, twin, cen):
    missing = run_module(main, twin_args(cen_id=cen["cen_id"], vpc_id=HZ_VPC))
    assert missing["failed"] is True and "vswitch_ids" in missing["msg"] and "state is present" in missing["msg"]
    empty = run_module(main, args(twin_args, cen, vswitch_ids=[]))
    assert empty["failed"] is True and empty["msg"].startswith("vswitch_ids: give at least one vSwitch of %s" % HZ_VPC)
    assert twin.writes() == [c for c in twin.writes() if c["action"] in ("CreateCen", "CreateTransitRouter")]


def test_absent_needs_no_vswitch_ids_and_ignores_the_table_of_a_missing_attachment(run_module, twin_args, twin, cen):
    since = twin.last_seq()
    result = run_module(main, twin_args(cen_id=cen["cen_id"], vpc_id=HZ_VPC, state="absent", route_table_id="vtb-bp1nothere00000000"))
    assert "failed" not in result and result["changed"] is False and result["attachment"] == {}
    assert twin.writes(since) == [] and "ListTransitRouterRouteTables" not in twin.counts(since)


def test_region_is_required(run_module, twin_args, twin, cen):
    values = args(twin_args, cen)
    del values["region"]
    result = run_module(main, values)
    assert result["failed"] is True and result["msg"].startswith("region: give the region of the VPC and its transit router")
