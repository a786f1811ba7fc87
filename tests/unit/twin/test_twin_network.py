"""network.forwarding(): the forwarding state the network twin applies, computed from the cloud twin's state.

The cloud side is made with the real SDKs (net_twin.scenario, the procedure's steps); each table row then takes one
thing away and checks that exactly the paths that needed it are gone.
"""

import ipaddress
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "e2e"))

from acr_twin import network  # noqa: E402
from net_twin.scenario import (AUTH_IP, COVERING_CIDR, HZ_VPC, HZ_VTB, OSS_IP, REGISTRY_IP, SH_VPC, SH_VTB,  # noqa: E402
                               Scenario)


def _best(routes, address, key="cidr"):
    ip = ipaddress.ip_address(address)
    matching = [r for r in routes if ip in ipaddress.ip_network(r[key])]
    return max(matching, key=lambda r: ipaddress.ip_network(r[key]).prefixlen) if matching else None


def trace(fwd, vpc_id, address, limit=8):
    """Follow the forwarding tables from a host of ``vpc_id`` to ``address``: the hops, ending in the delivering
    route kind (local, service, endpoint, instance), or in 'drop: why'."""
    hops, vpc, tr, ingress = [], vpc_id, None, None
    for _hop in range(limit):
        if vpc is not None:
            route = _best(fwd["vpcs"][vpc]["routes"], address)
            if route is None:
                return hops + ["drop: no route in %s" % vpc]
            hops.append("%s:%s" % (vpc, route["kind"]))
            if route["kind"] != "attachment":
                return hops
            if not route["usable"]:
                return hops + ["drop: attachment %s" % route["status"]]
            tr, ingress, vpc = route["transit_router"], route["target"], None
        else:
            router = fwd["transit_routers"].get(tr)
            if router is None or router["status"] != "Active" or ingress not in router["ingress"]:
                return hops + ["drop: %s not usable at %s" % (ingress, tr)]
            table = router["ingress"][ingress]
            if table["route_table"] is None:
                return hops + ["drop: %s has no route table" % ingress]
            route = _best(table["routes"], address)
            if route is None:
                return hops + ["drop: no route in %s" % table["route_table"]]
            hops.append("%s:%s" % (tr, route["next"]["type"]))
            if route["next"]["type"] == "VPC":
                vpc = route["next"]["id"]
            else:
                ingress, tr = route["attachment"], route["next"]["id"]
    return hops + ["drop: loop"]


def delivered(fwd, vpc_id, address, to_vpc):
    """Whether the packet arrives in ``to_vpc`` (a source's own service route delivers 100.x to its own region: not there)."""
    return trace(fwd, vpc_id, address)[-1].startswith(to_vpc + ":")


@pytest.fixture
def built(twin):
    scenario = Scenario(twin.endpoint)
    scenario.build()
    return scenario


def test_seed_alone_has_no_cross_region_path(twin):
    fwd = network.forwarding(twin.cloud)
    assert fwd["transit_routers"] == {}
    hz, sh = fwd["vpcs"][HZ_VPC], fwd["vpcs"][SH_VPC]
    assert (hz["region"], hz["cidrs"], sh["region"], sh["cidrs"]) == ("cn-hangzhou", ["10.0.0.0/16"], "cn-shanghai", ["172.16.0.0/16"])
    assert [(v["id"], v["cidr"], v["zone"]) for v in sh["vswitches"]] == [("vsw-uf6twin00000000000m1", "172.16.0.0/24", "cn-shanghai-m"),
                                                                          ("vsw-uf6twin00000000000n1", "172.16.1.0/24", "cn-shanghai-n")]
    assert hz["instances"] == [{"id": "i-bp1twin0000000000001", "ip": "10.0.0.1", "vswitch": "vsw-bp1twin00000000000j1"}]
    assert sorted((r["cidr"], r["kind"]) for r in sh["routes"]) == [("100.64.0.0/10", "service"), ("172.16.0.0/24", "local"),
                                                                    ("172.16.1.0/24", "local")]
    assert ("10.94.205.198/32", "endpoint", "cri-twin0000000000001") in [(r["cidr"], r["kind"], r["target"]) for r in hz["routes"]]
    # in its own region the registry is local: the endpoint and the region's services
    assert trace(fwd, HZ_VPC, REGISTRY_IP) == [HZ_VPC + ":endpoint"]
    assert trace(fwd, HZ_VPC, OSS_IP) == [HZ_VPC + ":service"]
    assert trace(fwd, SH_VPC, REGISTRY_IP) == ["drop: no route in " + SH_VPC]
    # Shanghai's own 100.64.0.0/10 covers the Hangzhou OSS address: it reaches Shanghai's services, not Hangzhou's
    assert trace(fwd, SH_VPC, OSS_IP) == [SH_VPC + ":service"]


def test_procedure_makes_every_cross_region_path(twin, built):
    fwd = network.forwarding(twin.cloud)
    ids = built.ids
    for address, last in ((REGISTRY_IP, "endpoint"), (AUTH_IP, "service"), (OSS_IP, "service"), ("10.0.0.1", "local")):
        assert trace(fwd, SH_VPC, address) == [SH_VPC + ":attachment", ids["tr_sh"] + ":TR", ids["tr_hz"] + ":VPC", "%s:%s" % (HZ_VPC, last)]
    # the way back
    assert trace(fwd, HZ_VPC, "172.16.0.1") == [HZ_VPC + ":attachment", ids["tr_hz"] + ":TR", ids["tr_sh"] + ":VPC", SH_VPC + ":local"]
    sh_ingress = fwd["transit_routers"][ids["tr_sh"]]["ingress"]
    assert (sh_ingress[ids["att_sh"]]["route_table"], sh_ingress[ids["att_sh"]]["via"]) == (ids["rt_sh"], "association")
    # peer attachments are never associated in the twin: traffic over the peer link uses the System table
    assert (sh_ingress[ids["peer"]]["route_table"], sh_ingress[ids["peer"]]["via"]) == (ids["rt_sh"], "system")
    published = sorted(r["cidr"] for r in sh_ingress[ids["att_sh"]]["routes"])
    assert published == ["10.0.0.0/16", "10.94.205.198/32", COVERING_CIDR]
    # the registry VPC's endpoint /32 wins over its own custom entry of the same prefix (the one it advertises)
    hz_routes = [(r["cidr"], r["kind"]) for r in fwd["vpcs"][HZ_VPC]["routes"] if r["cidr"] == REGISTRY_IP + "/32"]
    assert hz_routes == [(REGISTRY_IP + "/32", "endpoint")]


def _delete_source_oss_route(scenario, twin):
    scenario.delete_route("cn-shanghai", SH_VTB, OSS_IP + "/32")


def _attachment_not_attached(scenario, twin):
    twin.cloud.tr_attachments[scenario.ids["att_sh"]]["Status"] = "Detaching"


def _dissociate_source(scenario, twin):
    scenario.dissociate(scenario.ids["att_sh"], scenario.ids["rt_sh"])


def _dissociate_registry(scenario, twin):
    scenario.dissociate(scenario.ids["att_hz"], scenario.ids["rt_hz"])


def _peer_not_attached(scenario, twin):
    twin.cloud.tr_attachments[scenario.ids["peer"]]["Status"] = "Detaching"


def _withdraw_covering(scenario, twin):
    scenario.withdraw(COVERING_CIDR)


def _delete_return_route(scenario, twin):
    scenario.delete_route("cn-hangzhou", HZ_VTB, "172.16.0.0/16")


def _no_propagation_from_registry_vpc(scenario, twin):
    scenario.cbn.call("disable_transit_router_route_table_propagation", transit_router_attachment_id=scenario.ids["att_hz"],
                      transit_router_route_table_id=scenario.ids["rt_hz"])


# (what is taken away, {address from Shanghai: still delivered?}, the way back still delivered?)
ROWS = [
    (_delete_source_oss_route, {REGISTRY_IP: True, AUTH_IP: True, OSS_IP: False}, True),
    (_attachment_not_attached, {REGISTRY_IP: False, AUTH_IP: False, OSS_IP: False}, False),
    (_dissociate_source, {REGISTRY_IP: False, AUTH_IP: False, OSS_IP: False}, True),
    (_dissociate_registry, {REGISTRY_IP: True, AUTH_IP: True, OSS_IP: True}, False),
    (_peer_not_attached, {REGISTRY_IP: False, AUTH_IP: False, OSS_IP: False}, False),
    (_withdraw_covering, {REGISTRY_IP: True, AUTH_IP: False, OSS_IP: False}, True),
    (_delete_return_route, {REGISTRY_IP: True, AUTH_IP: True, OSS_IP: True}, False),
    (_no_propagation_from_registry_vpc, {REGISTRY_IP: False, AUTH_IP: False, OSS_IP: False}, True),
]


@pytest.mark.parametrize("take_away, forward, back", ROWS, ids=[row[0].__name__.strip("_") for row in ROWS])
def test_removing_one_piece_removes_exactly_its_paths(twin, built, take_away, forward, back):
    before = network.forwarding(twin.cloud)
    assert all(delivered(before, SH_VPC, address, HZ_VPC) for address in forward) and delivered(before, HZ_VPC, "172.16.0.1", SH_VPC)
    take_away(built, twin)
    built.settle_request()
    after = network.forwarding(twin.cloud)
    assert dict((address, delivered(after, SH_VPC, address, HZ_VPC)) for address in forward) == forward
    assert delivered(after, HZ_VPC, "172.16.0.1", SH_VPC) is back


def test_only_available_entries_forward(twin, built):
    twin.set_time_scale(1.0)  # real delays: the new entry stays Pending during the test
    built.route("cn-shanghai", SH_VTB, "192.168.0.0/16", "Attachment", built.ids["att_sh"])
    assert "192.168.0.0/16" not in [r["cidr"] for r in network.forwarding(twin.cloud)["vpcs"][SH_VPC]["routes"]]
    twin.settle()
    route = _best(network.forwarding(twin.cloud)["vpcs"][SH_VPC]["routes"], "192.168.1.1")
    assert (route["cidr"], route["kind"], route["target"], route["usable"]) == ("192.168.0.0/16", "attachment", built.ids["att_sh"], True)
    # a Deleting entry no longer forwards
    built.delete_route("cn-shanghai", SH_VTB, "192.168.0.0/16")
    assert _best(network.forwarding(twin.cloud)["vpcs"][SH_VPC]["routes"], "192.168.1.1") is None


def test_instance_route_and_custom_tables(twin, built):
    fwd = network.forwarding(twin.cloud)
    covering = _best(fwd["vpcs"][HZ_VPC]["routes"], "100.1.1.1")
    assert (covering["cidr"], covering["kind"], covering["target"]) == (COVERING_CIDR, "instance", "i-bp1twin0000000000001")
    # every vSwitch names its table; only the system table's routes are the VPC's "routes"
    assert all(v["route_table"] == HZ_VTB for v in fwd["vpcs"][HZ_VPC]["vswitches"])
    assert fwd["vpcs"][HZ_VPC]["route_tables"][HZ_VTB] == fwd["vpcs"][HZ_VPC]["routes"]


def test_forwarding_is_served_by_the_admin_endpoint(twin, built):
    import json
    import urllib.request

    with urllib.request.urlopen("http://%s/_twin/network" % twin.endpoint, timeout=10) as answer:
        served = json.loads(answer.read().decode("utf-8"))
    assert served == json.loads(json.dumps(network.forwarding(twin.cloud)))
