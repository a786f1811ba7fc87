"""cen_connection's main() against the twin: the whole of step 1 in one process, check mode, a re-run that only reads,
the order the cloud allows, and bad input before any call."""

from acr_twin import seed_ids as ids

from ansible_collections.alicloud.acr_access.plugins.module_utils import cen as api
from ansible_collections.alicloud.acr_access.plugins.modules.cen_connection import main

MEMBERS = [
    {"region": "cn-hangzhou", "vpc_id": ids.REGISTRY_VPC, "vswitch_ids": [ids.REGISTRY_VSWITCH_J, ids.REGISTRY_VSWITCH_K]},
    {"region": "cn-shanghai", "vpc_id": ids.SOURCE_VPC, "vswitch_ids": [ids.SOURCE_VSWITCH_M, ids.SOURCE_VSWITCH_N]},
]


def connect(run_module, twin_args, **options):
    args = dict({"cen_name": "acr-access", "members": MEMBERS, "region": None}, **options)
    return run_module(main, twin_args(**{key: value for key, value in args.items() if key != "cen_name" or value is not None}))


def test_connects_everything_then_a_rerun_only_reads(run_module, twin_args, twin):
    start = twin.last_seq()
    result = connect(run_module, twin_args, bandwidth=20)
    assert result["changed"] is True and "failed" not in result, result
    connection = result["connection"]
    assert {r["status"] for r in connection["transit_routers"].values()} == {"Active"} and set(connection["transit_routers"]) == {
        "cn-hangzhou", "cn-shanghai"}
    attachments = {a["vpc_id"]: a for a in connection["vpc_attachments"]}
    assert {a["status"] for a in attachments.values()} == {"Attached"} and set(attachments) == {ids.REGISTRY_VPC, ids.SOURCE_VPC}
    [peer] = connection["peer_attachments"]
    assert peer["status"] == "Attached" and peer["bandwidth"] == 20 and connection["peer_regions"] == [["cn-hangzhou", "cn-shanghai"]]
    links = [(link["TransitRouterAttachmentId"], link["Status"]) for link in list(twin.cloud.tr_associations.values())
             + list(twin.cloud.tr_propagations.values())]
    assert sorted(links) == sorted((a["transit_router_attachment_id"], "Active") for a in attachments.values() for _kind in "ap")
    made = {(r["route_table_id"], r["destination_cidr_block"], r["next_hop_id"]) for r in connection["route_entries"]}
    assert made == {(ids.REGISTRY_ROUTE_TABLE, "172.16.0.0/16", attachments[ids.REGISTRY_VPC]["transit_router_attachment_id"]),
                    (ids.SOURCE_ROUTE_TABLE, "10.0.0.0/16", attachments[ids.SOURCE_VPC]["transit_router_attachment_id"])}
    assert result["changes"][:3] == ["CEN acr-access", "transit router in cn-hangzhou", "transit router in cn-shanghai"]

    # The cloud's order: every create of a kind before the first wait for it; links only once attached; routes after.
    calls = twin.calls(start)
    writes = [c["action"] for c in calls if c["write"]]
    assert all(c["params"].get("ClientToken") for c in calls if c["write"] and c["action"].startswith("Create"))
    assert writes.index("CreateTransitRouter") < writes.index("CreateTransitRouterVpcAttachment")
    assert writes.count("CreateTransitRouterVpcAttachment") == 2 and writes.count("CreateTransitRouterPeerAttachment") == 1
    assert max(i for i, action in enumerate(writes) if action in ("CreateTransitRouterVpcAttachment", "CreateTransitRouterPeerAttachment")) \
        < writes.index("AssociateTransitRouterAttachmentWithRouteTable")
    assert writes.index("CreateTransitRouterPeerAttachment") < writes.index("AssociateTransitRouterAttachmentWithRouteTable") \
        < writes.index("CreateRouteEntry")

    since = twin.last_seq()
    again = connect(run_module, twin_args, bandwidth=20)
    assert again["changed"] is False and again["changes"] == []
    assert dict(again["connection"], route_entries=None) == dict(connection, route_entries=None)
    assert [(r["route_entry_id"], r["action"]) for r in again["connection"]["route_entries"]] == [
        (r["route_entry_id"], "unchanged") for r in connection["route_entries"]]
    assert twin.writes(since) == []
    # One read per question: what one manager read (the routers, their route tables, the members' VPCs) is passed on.
    reads = [(c["action"], sorted(c["params"].items())) for c in twin.calls(since)]
    assert [read for index, read in enumerate(reads) if read in reads[:index]] == []


def test_check_mode_predicts_without_writes(run_module, twin_args, twin, make_module):
    fresh = connect(run_module, twin_args, _ansible_check_mode=True)
    assert fresh["changed"] is True and fresh["connection"]["cen_id"] is None and fresh["changes"] == ["CEN acr-access"]
    assert twin.writes() == []

    # With the CEN made, check mode follows the whole step: every router, attachment and connection predicted.
    cen_id = api.create_cen(make_module(twin_args()), "acr-access", None)
    twin.settle()
    since = twin.last_seq()
    predicted = connect(run_module, twin_args, cen_id=cen_id, cen_name=None, _ansible_check_mode=True)
    assert predicted.get("changed") is True and twin.writes(since) == [], predicted
    assert set(predicted["connection"]["transit_routers"]) == {"cn-hangzhou", "cn-shanghai"}
    assert [a["transit_router_attachment_id"] for a in predicted["connection"]["vpc_attachments"]] == [None, None]
    assert predicted["connection"]["route_entries"] == []  # no attachment id to route through yet


def test_a_wrong_member_fails_naming_it_before_any_write(run_module, twin_args, twin):
    members = [MEMBERS[0], dict(MEMBERS[1], vswitch_ids=[ids.SOURCE_VSWITCH_M, ids.REGISTRY_VSWITCH_J])]
    result = connect(run_module, twin_args, members=members, members_label="cen_connect_members")
    assert result["failed"] is True and "cen_connect_members[1].vswitch_ids" in result["msg"], result["msg"]
    assert twin.writes() == []
