"""registry_access_routes' main() against the twin: both tables at the same time, the publication and what the source's
transit router learned, a re-run that only reads, check mode, absent (withdrawn first), and a conflict before any write."""

import pytest
from acr_twin import seed_ids as ids

from ansible_collections.alicloud.acr_access.plugins.module_utils.vpc import VPC
from ansible_collections.alicloud.acr_access.plugins.modules.cen_connection import main as connect
from ansible_collections.alicloud.acr_access.plugins.modules.registry_access_routes import main

SOURCE_CIDRS = ["10.94.205.198/32", "100.103.7.181/32", "100.118.28.0/24"]


@pytest.fixture
def connection(run_module, twin_args):
    """Step 1 on the seed: the CEN, both attachments, linked (cen_connection)."""
    members = [
        {"region": "cn-hangzhou", "vpc_id": ids.REGISTRY_VPC, "vswitch_ids": [ids.REGISTRY_VSWITCH_J, ids.REGISTRY_VSWITCH_K]},
        {"region": "cn-shanghai", "vpc_id": ids.SOURCE_VPC, "vswitch_ids": [ids.SOURCE_VSWITCH_M, ids.SOURCE_VSWITCH_N]},
    ]
    result = run_module(connect, twin_args(cen_name="acr-access", members=members, region=None))
    assert result.get("changed") is True, result
    connection = result["connection"]
    connection["source_attachment"] = next(a["transit_router_attachment_id"] for a in connection["vpc_attachments"]
                                           if a["vpc_id"] == ids.SOURCE_VPC)
    return connection


def routes_args(twin_args, connection, **options):
    hop = connection["source_attachment"]
    args = dict(
        cen_id=connection["cen_id"], region=None,
        source={"region": "cn-shanghai", "vpc_id": ids.SOURCE_VPC,
                "routes": [{"destination_cidr_block": cidr, "next_hop_id": hop} for cidr in SOURCE_CIDRS]},
        registry_vpc={"region": "cn-hangzhou", "vpc_id": ids.REGISTRY_VPC, "route_table_id": ids.REGISTRY_ROUTE_TABLE,
                      "routes": [{"destination_cidr_block": "100.0.0.0/8", "next_hop_id": ids.REGISTRY_ECS}], "advertise": ["100.0.0.0/8"]},
        learned_by={"transit_router_attachment_id": hop},
    )
    args.update(options)
    return twin_args(**args)


def test_both_tables_at_once_published_and_learned_then_a_rerun_only_reads(run_module, twin_args, twin, connection, monkeypatch):
    twin.set_time_scale(0.1)  # a route change takes 0.3 s: the source table's three take 0.6 s at least
    monkeypatch.setenv("ACR_ACCESS_WAIT_SCALE", "0.1")  # the waiters pace on the twin's clock
    since = twin.last_seq()
    result = run_module(main, routes_args(twin_args, connection))
    assert result.get("changed") is True, result
    assert [(r["destination_cidr_block"], r["action"]) for r in result["source"]["routes"]] == [(cidr, "created") for cidr in SOURCE_CIDRS]
    assert [(r["destination_cidr_block"], r["action"]) for r in result["registry"]["routes"]] == [("100.0.0.0/8", "created")]
    assert [(e["destination_cidr_block"], e["publish_status"]) for e in result["advertisement"]["entries"]] == [("100.0.0.0/8", "Published")]
    assert [(r["destination_cidr_block"], r["status"]) for r in result["advertisement"]["learned"]["routes"]] == [("100.0.0.0/8", "Active")]

    creates = [c for c in twin.writes(since) if c["action"] == "CreateRouteEntry"]
    source_seqs = [c["seq"] for c in creates if c["params"]["RouteTableId"] == ids.SOURCE_ROUTE_TABLE]
    [registry_seq] = [c["seq"] for c in creates if c["params"]["RouteTableId"] == ids.REGISTRY_ROUTE_TABLE]
    # Either table may start first; the registry's entry must not wait until the source table is done (or the reverse).
    assert registry_seq < source_seqs[-1], "the registry table waited for the source table"
    [publish] = [c for c in twin.writes(since) if c["action"] == "PublishRouteEntries"]
    assert registry_seq < publish["seq"] and source_seqs[0] < publish["seq"], "the source table waited for the registry side"

    twin.settle()
    since = twin.last_seq()
    again = run_module(main, routes_args(twin_args, connection))
    assert again["changed"] is False and twin.writes(since) == []
    assert {r["action"] for r in again["source"]["routes"] + again["registry"]["routes"]} == {"unchanged"}


def test_check_mode_predicts_without_writes(run_module, twin_args, twin, connection):
    since = twin.last_seq()
    result = run_module(main, routes_args(twin_args, connection, _ansible_check_mode=True))
    assert result.get("changed") is True and twin.writes(since) == [], result
    assert [r["action"] for r in result["source"]["routes"]] == ["created"] * 3
    assert result["advertisement"]["entries"][0]["publish_status"] == "Published"


def test_absent_withdraws_first_and_leaves_foreign_routes(run_module, twin_args, twin, connection, make_module):
    module = make_module(twin_args())
    module.call(VPC, "CreateRouteEntry", {"RegionId": "cn-hangzhou", "RouteTableId": ids.REGISTRY_ROUTE_TABLE, "ClientToken": "foreign",
                                          "DestinationCidrBlock": "192.168.0.0/16", "NextHopType": "Instance", "NextHopId": ids.REGISTRY_ECS})
    twin.settle()
    assert run_module(main, routes_args(twin_args, connection)).get("changed") is True
    twin.settle()
    since = twin.last_seq()
    removed = run_module(main, routes_args(twin_args, connection, state="absent", learned_by=None))
    assert removed.get("changed") is True, removed
    writes = [c["action"] for c in twin.writes(since)]
    assert writes[0] == "WithdrawPublishedRouteEntries" and writes.count("DeleteRouteEntry") == 4
    left = {e["DestinationCidrBlock"] for e in twin.cloud.route_entries.values() if e["RouteTableId"] == ids.REGISTRY_ROUTE_TABLE}
    assert "192.168.0.0/16" in left and "100.0.0.0/8" not in left
    twin.settle()
    since = twin.last_seq()
    assert run_module(main, routes_args(twin_args, connection, state="absent", learned_by=None))["changed"] is False
    assert twin.writes(since) == []


def test_a_foreign_entry_in_either_table_fails_before_any_write(run_module, twin_args, twin, connection, make_module):
    module = make_module(twin_args())
    module.call(VPC, "CreateRouteEntry", {"RegionId": "cn-hangzhou", "RouteTableId": ids.REGISTRY_ROUTE_TABLE, "ClientToken": "foreign",
                                          "DestinationCidrBlock": "100.0.0.0/8", "NextHopType": "Attachment",
                                          "NextHopId": next(a["transit_router_attachment_id"] for a in connection["vpc_attachments"]
                                                            if a["vpc_id"] == ids.REGISTRY_VPC)})
    twin.settle()
    since = twin.last_seq()
    result = run_module(main, routes_args(twin_args, connection))
    assert result["failed"] is True and "100.0.0.0/8" in result["msg"], result
    assert twin.writes(since) == []  # not even the source table, whose routes were fine


def test_a_rerun_reads_each_table_once(run_module, twin_args, twin, connection):
    """Each VPC's system table is looked up once (the registry's for its routes and their advertisement); the learning table, given,
    is checked with one read (not found again from the attachment); one read of it sees both destinations learned."""
    source = next(a for a in connection["vpc_attachments"] if a["vpc_id"] == ids.SOURCE_VPC)
    covering = [{"destination_cidr_block": cidr, "next_hop_id": ids.REGISTRY_ECS} for cidr in ("100.0.0.0/8", "10.94.205.198/32")]
    args = routes_args(twin_args, connection, learned_by={"transit_router_route_table_id": source["transit_router_route_table_id"]},
                       registry_vpc={"region": "cn-hangzhou", "vpc_id": ids.REGISTRY_VPC, "routes": covering,
                                     "advertise": ["100.0.0.0/8", "10.94.205.198/32"]})
    first = run_module(main, args)
    assert first.get("changed") is True, first
    twin.settle()
    since = twin.last_seq()
    again = run_module(main, args)
    assert again["changed"] is False and twin.writes(since) == []
    assert again["registry"]["route_table_id"] == again["advertisement"]["route_table_id"] == ids.REGISTRY_ROUTE_TABLE
    learned = again["advertisement"]["learned"]
    assert learned["transit_router_route_table_id"] == source["transit_router_route_table_id"]
    assert [(r["destination_cidr_block"], r["status"]) for r in learned["routes"]] == [("100.0.0.0/8", "Active"), ("10.94.205.198/32", "Active")]
    assert twin.counts(since=since) == {"DescribeRouteEntryList": 2, "DescribeRouteTableList": 2, "ListTransitRouterRouteTables": 1,
                                        "DescribePublishedRouteEntries": 1, "ListTransitRouterRouteEntries": 1}
    # each VPC's system table once (neither table is given here)
    assert sorted(c["params"]["VpcId"] for c in twin.calls(since=since, action="DescribeRouteTableList")) == sorted([ids.REGISTRY_VPC, ids.SOURCE_VPC])


def test_a_custom_registry_table_is_refused_before_any_write(run_module, twin_args, twin, connection, sdk_client, sdk_models):
    custom = sdk_client("vpc").create_route_table(sdk_models("vpc").CreateRouteTableRequest(
        region_id="cn-hangzhou", vpc_id=ids.REGISTRY_VPC)).body.route_table_id
    twin.settle()
    registry = {"region": "cn-hangzhou", "vpc_id": ids.REGISTRY_VPC, "route_table_id": custom,
                "routes": [{"destination_cidr_block": "100.0.0.0/8", "next_hop_id": ids.REGISTRY_ECS}], "advertise": ["100.0.0.0/8"]}
    since = twin.last_seq()
    result = run_module(main, routes_args(twin_args, connection, registry_vpc=registry))
    assert result["failed"] is True and "route_table_id %s is a custom route table" % custom in result["msg"], result
    assert twin.writes(since) == []


def vpn_args(twin_args, **options):
    """A data center behind the registry VPC's VPN gateway (option 1): no source table, no CEN, the gateway's route back."""
    args = dict(
        region=None,
        registry_vpc={"region": "cn-hangzhou", "vpc_id": ids.REGISTRY_VPC, "routes": [], "advertise": []},
        vpn_gateway={"vpn_gateway_id": ids.VPN_GATEWAY,
                     "routes": [{"destination": ids.DATA_CENTER_CIDR, "next_hop": ids.IPSEC_VPN_GATEWAY}]},
    )
    args.update(options)
    return twin_args(**args)


def test_a_data_center_behind_the_vpn_gateway_gets_its_route_back_published_then_a_rerun_only_reads(run_module, twin_args, twin):
    since = twin.last_seq()
    result = run_module(main, vpn_args(twin_args))
    assert result.get("changed") is True, result
    assert result["source"] == {} and result["registry"] == {} and result["advertisement"] == {}
    assert [(r["destination"], r["action"]) for r in result["vpn_gateway"]["routes"]] == [(ids.DATA_CENTER_CIDR, "created")]
    assert [c["action"] for c in twin.writes(since)] == ["CreateVpnRouteEntry"]
    published = [e for e in twin.cloud.route_entries.values()
                 if e["RouteTableId"] == ids.REGISTRY_ROUTE_TABLE and e["DestinationCidrBlock"] == ids.DATA_CENTER_CIDR]
    assert [(e["NextHopType"], e["NextHopId"], e["Status"]) for e in published] == [("VpnGateway", ids.VPN_GATEWAY, "Available")]
    assert result["diff"]["after"]["vpn_gateway"] and not result["diff"]["before"]["vpn_gateway"]

    since = twin.last_seq()
    again = run_module(main, vpn_args(twin_args))
    assert again["changed"] is False and twin.writes(since) == []

    since = twin.last_seq()
    gone = run_module(main, vpn_args(twin_args, state="absent"))
    assert gone["changed"] is True and [c["action"] for c in twin.writes(since)] == ["DeleteVpnRouteEntry"]
    twin.settle()
    assert not [e for e in twin.cloud.route_entries.values() if e["DestinationCidrBlock"] == ids.DATA_CENTER_CIDR]


def test_a_next_hop_that_is_not_the_gateways_fails_before_any_write(run_module, twin_args, twin):
    since = twin.last_seq()
    result = run_module(main, vpn_args(twin_args, vpn_gateway={
        "vpn_gateway_id": ids.VPN_GATEWAY, "routes": [{"destination": ids.DATA_CENTER_CIDR, "next_hop": ids.IPSEC_TRANSIT_ROUTER}]}))
    assert result.get("failed") is True and ids.IPSEC_TRANSIT_ROUTER in result["msg"], result
    assert twin.writes(since) == []


def test_advertising_without_a_cen_is_named_before_any_call(run_module, twin_args, twin):
    since = twin.last_seq()
    result = run_module(main, vpn_args(twin_args, registry_vpc={
        "region": "cn-hangzhou", "vpc_id": ids.REGISTRY_VPC, "routes": [{"destination_cidr_block": "100.0.0.0/8", "next_hop_id": ids.REGISTRY_ECS}],
        "advertise": ["100.0.0.0/8"]}))
    assert result.get("failed") is True and result["msg"].find("cen_id") >= 0, result
    assert twin.writes(since) == []


def test_an_unknown_route_table_is_named_as_the_option_before_any_write(run_module, twin_args, twin):
    """The step owner's route tables are named as its options spell them (source.route_table_id), not as vpc_route_entry's."""
    since = twin.last_seq()
    result = run_module(main, twin_args(region=None, cen_id="cen-example0000000001", source={
        "region": "cn-shanghai", "vpc_id": ids.SOURCE_VPC, "route_table_id": "vtb-uf6unknown0000000000001",
        "routes": [{"destination_cidr_block": "100.118.28.0/24", "next_hop_id": "tr-attach-example0000001"}]},
        registry_vpc={"region": "cn-hangzhou", "vpc_id": ids.REGISTRY_VPC, "routes": [], "advertise": []}))
    assert result.get("failed") is True, result
    assert "source.route_table_id: there is no route table vtb-uf6unknown0000000000001 in region cn-shanghai" in result["msg"], result
    assert twin.writes(since) == []
