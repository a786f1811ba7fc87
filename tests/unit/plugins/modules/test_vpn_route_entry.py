"""vpn_route_entry's main() against the twin with the real SDK: create and publish, compare, change in place, replace,
foreign routes, delete, check mode, bad input before any call."""

import pytest

from acr_twin import seed_ids as ids

from ansible_collections.alicloud.acr_access.plugins.modules.vpn_route_entry import main

GATEWAY, ACTIVE, DC = ids.VPN_GATEWAY, ids.IPSEC_VPN_GATEWAY, ids.DATA_CENTER_CIDR
READS = {"DescribeVpnGateways": 1, "DescribeVpnRouteEntries": 1, "DescribeVpnConnections": 1}


@pytest.fixture
def standby(twin):
    """A second IPsec connection on the seed's VPN gateway (a standby tunnel to the data center)."""
    ident = "vco-bp1twin0000000000003"
    twin.cloud.vpn_connections[ident] = dict(twin.cloud.vpn_connections[ACTIVE], VpnConnectionId=ident, Name="idc-standby")
    return ident


def route(destination=DC, hop=ACTIVE, **extra):
    return dict(destination=destination, next_hop=hop, **extra)


def gateway_routes(twin):
    """{(destination, next hop): (weight, state)} of the gateway, from the twin's state."""
    twin.settle()
    return dict(((r["RouteDest"], r["NextHop"]), (r["Weight"], r["State"])) for r in twin.cloud.vpn_route_entries.values()
                if r["VpnInstanceId"] == GATEWAY)


def published_entries(twin, destination=DC):
    """The registry VPC's system table entries for ``destination``: (id, status, next hop type, next hop)."""
    return [(e["RouteEntryId"], e["Status"], e["NextHopType"], e["NextHopId"]) for e in twin.cloud.route_entries.values()
            if e["RouteTableId"] == ids.REGISTRY_ROUTE_TABLE and e["DestinationCidrBlock"] == destination]


def sdk_vpn_route(sdk_client, sdk_models, destination, hop=ACTIVE, weight=100, publish=False):
    """A route somebody else made, through the SDK directly."""
    vpc, m = sdk_client("vpc"), sdk_models("vpc")
    vpc.create_vpn_route_entry(m.CreateVpnRouteEntryRequest(region_id="cn-hangzhou", vpn_gateway_id=GATEWAY, route_dest=destination,
                                                            next_hop=hop, weight=weight, publish_vpc=publish))


def test_creates_and_publishes_to_the_vpc(run_module, twin_args, twin):
    result = run_module(main, twin_args(vpn_gateway_id=GATEWAY, routes=[route(description="data center")]))
    assert result["changed"] is True and (result["vpn_gateway_id"], result["vpc_id"]) == (GATEWAY, ids.REGISTRY_VPC)
    assert result["routes"] == [{"destination": DC, "next_hop": ACTIVE, "weight": 100, "published": True, "state": "published",
                                 "action": "created"}]
    assert gateway_routes(twin) == {(DC, ACTIVE): (100, "published")}
    [(_id, status, hop_type, hop)] = published_entries(twin)
    assert (status, hop_type, hop) == ("Available", "VpnGateway", GATEWAY)
    [create] = twin.calls(action="CreateVpnRouteEntry")
    assert create["params"]["ClientToken"] and create["params"]["Description"] == "data center"
    assert create["params"]["PublishVpc"].lower() == "true"
    assert result["diff"] == {"before": {}, "after": {DC: {ACTIVE: {"weight": 100, "published": True}}}}


def test_second_run_is_unchanged_and_only_reads(run_module, twin_args, twin):
    args = twin_args(vpn_gateway_id=GATEWAY, routes=[route(), route("172.20.0.0/16", publish_vpc=False)])
    run_module(main, args)
    seq = twin.last_seq()
    result = run_module(main, args)
    assert result["changed"] is False and [r["action"] for r in result["routes"]] == ["unchanged", "unchanged"]
    assert twin.writes(since=seq) == []
    assert twin.counts(since=seq) == READS
    assert result["diff"]["before"] == result["diff"]["after"]


def test_check_mode_predicts_without_writing(run_module, twin_args, twin):
    result = run_module(main, twin_args(vpn_gateway_id=GATEWAY, _ansible_check_mode=True, routes=[route(weight=0)]))
    assert result["changed"] is True and result["routes"][0]["action"] == "created"
    assert (result["routes"][0]["weight"], result["routes"][0]["published"]) == (0, True)
    assert twin.writes() == [] and gateway_routes(twin) == {} and published_entries(twin) == []
    assert result["diff"]["after"] == {DC: {ACTIVE: {"weight": 0, "published": True}}}
    # The prediction is the run: the same task for real answers the same.
    real = run_module(main, twin_args(vpn_gateway_id=GATEWAY, routes=[route(weight=0)]))
    assert (real["routes"], real["diff"]) == (result["routes"], result["diff"])


def test_weight_and_publication_change_in_place(run_module, twin_args, twin):
    run_module(main, twin_args(vpn_gateway_id=GATEWAY, routes=[route(publish_vpc=False)]))
    assert published_entries(twin) == []
    seq = twin.last_seq()
    result = run_module(main, twin_args(vpn_gateway_id=GATEWAY, routes=[route(weight=0)]))
    assert result["changed"] is True and result["routes"][0]["action"] == "updated"
    writes = twin.writes(since=seq)
    assert [c["action"] for c in writes] == ["ModifyVpnRouteEntryWeight", "PublishVpnRouteEntry"]
    assert all(c["code"] is None for c in writes)  # the second waited until the gateway was active again
    assert (writes[0]["params"]["Weight"], writes[0]["params"]["NewWeight"], writes[1]["params"]["RouteType"]) == ("100", "0", "dbr")
    assert gateway_routes(twin) == {(DC, ACTIVE): (0, "published")}
    assert [entry[1:] for entry in published_entries(twin)] == [("Available", "VpnGateway", GATEWAY)]
    assert result["diff"]["before"] == {DC: {ACTIVE: {"weight": 100, "published": False}}}
    # Withdrawn again: the VPC's route goes.
    run_module(main, twin_args(vpn_gateway_id=GATEWAY, routes=[route(weight=0, publish_vpc=False)]))
    assert published_entries(twin) == [] and gateway_routes(twin) == {(DC, ACTIVE): (0, "normal")}


def test_next_hop_replaced_without_a_gap(run_module, twin_args, twin, standby):
    run_module(main, twin_args(vpn_gateway_id=GATEWAY, routes=[route()]))
    [(entry_id, _status, _type, _hop)] = published_entries(twin)
    seq = twin.last_seq()
    result = run_module(main, twin_args(vpn_gateway_id=GATEWAY, replace_other_next_hops=True, routes=[route(hop=standby)]))
    assert [(r["next_hop"], r["action"]) for r in result["routes"]] == [(standby, "created"), (ACTIVE, "deleted")]
    assert [c["action"] for c in twin.writes(since=seq)] == ["CreateVpnRouteEntry", "DeleteVpnRouteEntry"]
    assert gateway_routes(twin) == {(DC, standby): (100, "published")}
    # The new route was published before the old one went, so the VPC's route never disappeared: the same entry.
    assert published_entries(twin) == [(entry_id, "Available", "VpnGateway", GATEWAY)]
    assert result["diff"] == {"before": {DC: {ACTIVE: {"weight": 100, "published": True}}},
                              "after": {DC: {standby: {"weight": 100, "published": True}}}}


def test_other_routes_are_never_touched(run_module, twin_args, twin, sdk_client, sdk_models, standby):
    sdk_vpn_route(sdk_client, sdk_models, DC, hop=standby, weight=0)
    twin.settle()
    sdk_vpn_route(sdk_client, sdk_models, "172.20.0.0/16")
    twin.settle()
    result = run_module(main, twin_args(vpn_gateway_id=GATEWAY, routes=[route()]))
    assert [r["action"] for r in result["routes"]] == ["created"]
    run_module(main, twin_args(vpn_gateway_id=GATEWAY, routes=[route()], state="absent"))
    assert gateway_routes(twin) == {(DC, standby): (0, "normal"), ("172.20.0.0/16", ACTIVE): (100, "normal")}
    assert all(c["params"].get("NextHop") == ACTIVE and c["params"].get("RouteDest") == DC for c in twin.writes()[2:])


def test_a_listed_route_made_by_someone_else_is_converged(run_module, twin_args, twin, sdk_client, sdk_models):
    sdk_vpn_route(sdk_client, sdk_models, DC)
    twin.settle()
    seq = twin.last_seq()
    result = run_module(main, twin_args(vpn_gateway_id=GATEWAY, routes=[route()]))
    assert result["routes"][0]["action"] == "updated"
    assert [c["action"] for c in twin.writes(since=seq)] == ["PublishVpnRouteEntry"]


def test_absent_deletes_and_withdraws(run_module, twin_args, twin):
    run_module(main, twin_args(vpn_gateway_id=GATEWAY, routes=[route()]))
    seq = twin.last_seq()
    check = run_module(main, twin_args(vpn_gateway_id=GATEWAY, state="absent", _ansible_check_mode=True, routes=[route()]))
    assert check["changed"] is True and check["routes"][0]["action"] == "deleted" and twin.writes(since=seq) == []
    result = run_module(main, twin_args(vpn_gateway_id=GATEWAY, state="absent", routes=[route(), route("172.30.0.0/16")]))
    assert [(r["destination"], r["action"]) for r in result["routes"]] == [(DC, "deleted"), ("172.30.0.0/16", "absent")]
    assert [c["action"] for c in twin.writes(since=seq)] == ["DeleteVpnRouteEntry"]
    assert gateway_routes(twin) == {} and published_entries(twin) == []
    assert result["diff"] == {"before": {DC: {ACTIVE: {"weight": 100, "published": True}}}, "after": {}}
    again = run_module(main, twin_args(vpn_gateway_id=GATEWAY, state="absent", routes=[route()]))
    assert again["changed"] is False and again["routes"][0]["action"] == "absent"


def test_waits_for_the_publication_on_the_clock(run_module, twin_args, twin, monkeypatch):
    """On a running clock the module returns once the VPC's route is Available, not when the API call answered."""
    twin.set_time_scale(0.02)
    monkeypatch.setenv("ACR_ACCESS_WAIT_SCALE", "0.02")
    result = run_module(main, twin_args(vpn_gateway_id=GATEWAY, routes=[route()]))
    assert result["routes"][0]["action"] == "created"
    entries = [e for e in twin.cloud.route_entries.values() if e["DestinationCidrBlock"] == DC]  # no settle(): as the module left it
    assert [(e["Status"], e["NextHopId"]) for e in entries] == [("Available", GATEWAY)]
    assert twin.cloud.vpn_gateways[GATEWAY]["Status"] == "active"
    assert twin.counts().get("DescribeRouteEntryList", 0) >= 1


def test_busy_gateway_is_retried_with_one_token(run_module, twin_args, twin):
    twin.faults.force([{"action": "CreateVpnRouteEntry", "kind": "busy", "code": "VpnGateway.Configuring", "count": 2}])
    result = run_module(main, twin_args(vpn_gateway_id=GATEWAY, routes=[route()]))
    assert result["changed"] is True
    creates = twin.calls(action="CreateVpnRouteEntry")
    assert [c["code"] for c in creates] == ["VpnGateway.Configuring", "VpnGateway.Configuring", None]
    assert len({c["params"]["ClientToken"] for c in creates}) == 1


@pytest.mark.parametrize("bad, expected", [
    (route("not-a-cidr"), "routes[0].destination 'not-a-cidr' is not a CIDR block"),
    (route("192.168.0.1/24"), "routes[0].destination 192.168.0.1/24 has host bits set: the network is 192.168.0.0/24"),
    (route("0.0.0.0/0"), "routes[0].destination 0.0.0.0/0 is refused by the cloud"),
    (route("100.64.0.0/10"), "routes[0].destination 100.64.0.0/10 is refused by the cloud"),
    (route("100.100.0.0/16"), "routes[0].destination 100.100.0.0/16 is refused by the cloud (100.64.0.0/10 is reserved"),
    (route("fd00::/64"), "is an IPv6 block"),
    (route(hop="i-bp1twin0000000000001"), "routes[0].next_hop 'i-bp1twin0000000000001' is not an IPsec connection id"),
])
def test_bad_input_is_named_before_any_call(run_module, twin_args, twin, bad, expected):
    result = run_module(main, twin_args(vpn_gateway_id=GATEWAY, routes=[route("172.31.0.0/16"), bad]))
    assert result["failed"] is True and expected.replace("[0]", "[1]") in result["msg"]
    assert twin.calls() == []


def test_listed_twice_is_named_before_any_call(run_module, twin_args, twin):
    result = run_module(main, twin_args(vpn_gateway_id=GATEWAY, routes=[route(), route("192.168.0.0/24", weight=0)]))
    assert result["failed"] is True and result["msg"].startswith("routes[1].next_hop: %s via %s is listed twice" % (DC, ACTIVE))
    assert twin.calls() == []


def test_next_hop_of_another_gateway_is_named_before_any_write(run_module, twin_args, twin):
    result = run_module(main, twin_args(vpn_gateway_id=GATEWAY, routes=[route("172.31.0.0/16"), route(hop=ids.IPSEC_TRANSIT_ROUTER)]))
    assert result["failed"] is True
    assert result["msg"].startswith("routes[1].next_hop: %s is not an IPsec connection of VPN gateway %s (its connections: %s)"
                                    % (ids.IPSEC_TRANSIT_ROUTER, GATEWAY, ACTIVE))
    assert twin.writes() == []


def test_a_destination_the_vpc_routes_elsewhere_is_named_before_any_write(run_module, twin_args, twin, sdk_client, sdk_models):
    vpc, m = sdk_client("vpc"), sdk_models("vpc")
    entry_id = vpc.create_route_entry(m.CreateRouteEntryRequest(region_id="cn-hangzhou", route_table_id=ids.REGISTRY_ROUTE_TABLE,
                                                                destination_cidr_block=DC, next_hop_id=ids.REGISTRY_ECS)).body.route_entry_id
    twin.settle()
    seq = twin.last_seq()
    result = run_module(main, twin_args(vpn_gateway_id=GATEWAY, routes=[route()]))
    assert result["failed"] is True and result["msg"].startswith("routes[0].destination: %s is routed by %s" % (DC, entry_id))
    assert "publish_vpc: false" in result["msg"] and twin.writes(since=seq) == []
    # Not published, the route is no conflict.
    assert run_module(main, twin_args(vpn_gateway_id=GATEWAY, routes=[route(publish_vpc=False)]))["changed"] is True


def test_unknown_gateway_names_the_option(run_module, twin_args, twin):
    result = run_module(main, twin_args(vpn_gateway_id="vpn-bp1nothere0000000001", routes=[route()]))
    assert result["failed"] is True and result["msg"].startswith("vpn_gateway_id vpn-bp1nothere0000000001 is not a VPN gateway of region cn-hangzhou")
    assert twin.writes() == []
