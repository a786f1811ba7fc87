"""The role data_center_routes through ansible-playbook against the twin, for both ways a data center connects.

vpn_gateway: the seed's VPN gateway in the registry VPC and its IPsec connection, given as the fact data_center_connect
would give them. transit_router: the registry VPC connected to a CEN by cen_connection (one member) and the data center's
IPsec connection attached with cen_transit_router_vpn_attachment, as the role data_center_connect makes them.
"""

import re

from acr_twin import seed_ids as ids

from ansible_collections.alicloud.acr_access.plugins.modules.cen_connection import main as connect
from ansible_collections.alicloud.acr_access.plugins.modules.cen_transit_router_vpn_attachment import main as attach_vpn

HZ_TABLE = ids.REGISTRY_ROUTE_TABLE
OSS_RANGES = ["100.114.102.0/24", "100.118.28.0/24", "100.118.31.0/24", "100.98.170.0/24"]
REGISTRY_ENDPOINTS = {
    "region": ids.REGISTRY_REGION,
    "registry": {"domain": ids.REGISTRY_DOMAIN, "addresses": [ids.REGISTRY_IP], "found_by": "given"},
    "auth": {"domain": ids.AUTH_DOMAIN, "addresses": [ids.AUTH_IP], "kind": "dockerauth-vpc", "found_by": "given"},
    "oss": {"domain": ids.OSS_DOMAIN, "addresses": [ids.OSS_IP], "bucket": None, "found_by": "given"},
    "takeover": False,
}
ON_PREMISES = {"via": "169.254.4.1", "dev": "vpn0"}
VPN_GATEWAY_CONNECTION = {"type": "vpn_gateway", "region": ids.REGISTRY_REGION, "vpc_id": ids.REGISTRY_VPC,
                          "cidr_blocks": [ids.DATA_CENTER_CIDR], "vpn_gateway_id": ids.VPN_GATEWAY,
                          "ipsec_connection_id": ids.IPSEC_VPN_GATEWAY}


def changed_count(output):
    return int(re.search(r"localhost\s*:.*changed=(\d+)", output).group(1))


def table_routes(twin, table):
    """{destination: (next hop type, next hop id, status)} of a VPC route table's non-system entries."""
    return {e["DestinationCidrBlock"]: (e["NextHopType"], e["NextHopId"], e["Status"]) for e in twin.cloud.route_entries.values()
            if e["RouteTableId"] == table and e.get("Type") != "System"}


def test_behind_the_vpn_gateway_the_route_back_is_published_and_the_gateway_gets_the_three_destinations(play_role, twin):
    facts = dict(data_center_connect=VPN_GATEWAY_CONNECTION, registry_endpoints=REGISTRY_ENDPOINTS, data_center_routes_on_premises=ON_PREMISES)
    since = twin.last_seq()
    code, output, fact = play_role("data_center_routes", check=True, **facts)
    assert code == 0, output
    assert twin.writes(since) == [] and fact["changed"]

    code, output, fact = play_role("data_center_routes", **facts)
    assert code == 0, output
    twin.settle()
    assert table_routes(twin, HZ_TABLE) == {ids.DATA_CENTER_CIDR: ("VpnGateway", ids.VPN_GATEWAY, "Available")}
    assert [(r["destination"], r["action"]) for r in fact["vpn_gateway"]["routes"]] == [(ids.DATA_CENTER_CIDR, "created")]
    # Into the tunnel on premises: the registry and auth addresses, and the OSS VIP ranges of cn-hangzhou
    assert sorted(r["destination"] for r in fact["plan"]["on_premises_routes"]) == sorted(
        [ids.REGISTRY_IP + "/32", ids.AUTH_IP + "/32"] + OSS_RANGES)
    assert {(r["via"], r["dev"]) for r in fact["plan"]["on_premises_routes"]} == {("169.254.4.1", "vpn0")}
    assert fact["plan"]["registry_routes"] == []  # no covering route: inside the VPC the system route reaches the services

    since = twin.last_seq()
    code, output, fact = play_role("data_center_routes", **facts)
    assert code == 0, output
    assert twin.writes(since) == [] and changed_count(output) == 0

    code, output, fact = play_role("data_center_routes", data_center_routes_state="absent", **facts)
    assert code == 0, output
    twin.settle()
    assert table_routes(twin, HZ_TABLE) == {}


def test_missing_inputs_are_named_before_any_call(play_role, twin):
    since = twin.last_seq()
    code, output, _fact = play_role("data_center_routes", registry_endpoints=REGISTRY_ENDPOINTS)
    assert code != 0
    assert "run the role data_center_connect first" in output and "data_center_routes_on_premises" in output, output
    assert twin.calls(since) == []


def test_a_data_center_network_inside_the_registry_vpc_stops_before_any_write(play_role, twin):
    connection = dict(VPN_GATEWAY_CONNECTION, cidr_blocks=["10.0.1.0/24"])
    since = twin.last_seq()
    code, output, _fact = play_role("data_center_routes", data_center_connect=connection, registry_endpoints=REGISTRY_ENDPOINTS,
                                    data_center_routes_on_premises=ON_PREMISES)
    assert code != 0 and "data_center_registry_vpc_overlap" in output, output
    assert twin.writes(since) == []


def test_through_the_transit_router_the_registry_vpc_routes_back_and_advertises_the_covering_route(play_role, twin, run_module, twin_args):
    member = {"region": ids.REGISTRY_REGION, "vpc_id": ids.REGISTRY_VPC, "vswitch_ids": list(ids.REGISTRY_VSWITCHES)}
    connected = run_module(connect, twin_args(cen_name="acr-idc", members=[member], region=None))
    assert connected.get("failed") is not True, connected
    connection = connected["connection"]
    [registry_attachment] = connection["vpc_attachments"]
    router = connection["transit_routers"][ids.REGISTRY_REGION]
    attached = run_module(attach_vpn, twin_args(cen_id=connection["cen_id"], transit_router_id=router["transit_router_id"],
                                                vpn_id=ids.IPSEC_TRANSIT_ROUTER, region=ids.REGISTRY_REGION,
                                                route_table_id=registry_attachment["transit_router_route_table_id"]))
    assert attached.get("failed") is not True, attached
    fact_in = {"type": "transit_router", "region": ids.REGISTRY_REGION, "vpc_id": ids.REGISTRY_VPC, "cidr_blocks": [ids.DATA_CENTER_CIDR],
               "cen_id": connection["cen_id"], "transit_router_id": router["transit_router_id"],
               "transit_router_route_table_id": registry_attachment["transit_router_route_table_id"],
               "registry_attachment_id": registry_attachment["transit_router_attachment_id"]}
    facts = dict(data_center_connect=fact_in, registry_endpoints=REGISTRY_ENDPOINTS, data_center_routes_on_premises={"dev": "tr0"},
                 data_center_routes_next_hop_instance_id=ids.REGISTRY_ECS)
    twin.settle()
    code, output, fact = play_role("data_center_routes", **facts)
    assert code == 0, output
    twin.settle()
    routes = table_routes(twin, HZ_TABLE)
    assert routes[ids.DATA_CENTER_CIDR] == ("Attachment", registry_attachment["transit_router_attachment_id"], "Available")
    assert routes["100.0.0.0/8"] == ("Instance", ids.REGISTRY_ECS, "Available")
    # The covering route and the registry endpoint's /32 (outside the VPC's CIDR blocks) are advertised to the transit router
    assert {e["destination_cidr_block"]: e["publish_status"] for e in fact["advertisement"]["entries"]} == {
        "100.0.0.0/8": "Published", ids.REGISTRY_IP + "/32": "Published"}
    assert fact["advertisement"]["learned"]["routes"], fact["advertisement"]

    since = twin.last_seq()
    code, output, _fact = play_role("data_center_routes", **facts)
    assert code == 0 and twin.writes(since) == [] and changed_count(output) == 0, output

    code, output, _fact = play_role("data_center_routes", data_center_routes_state="absent", **facts)
    assert code == 0, output
    twin.settle()
    assert ids.DATA_CENTER_CIDR not in table_routes(twin, HZ_TABLE) and "100.0.0.0/8" not in table_routes(twin, HZ_TABLE)
