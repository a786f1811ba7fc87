"""The role registry_routes with registry_routes_oss_route_mode privatelink through ansible-playbook against the twin: the OSS
endpoint is made in the registry VPC before the plan, no 100.x OSS route is written, a re-run writes nothing, absent removes
the endpoint after the routes."""

import ipaddress
import re

from acr_twin import seed_ids as ids
from acr_twin.products import privatelink

REGISTRY_ENDPOINTS = {
    "region": ids.REGISTRY_REGION,
    "registry": {"domain": ids.REGISTRY_DOMAIN, "addresses": [ids.REGISTRY_IP], "found_by": "given"},
    "auth": {"domain": ids.AUTH_DOMAIN, "addresses": [ids.AUTH_IP], "kind": "dockerauth-vpc", "found_by": "given"},
    "oss": {"domain": ids.OSS_DOMAIN, "addresses": [ids.OSS_IP], "bucket": None, "found_by": "given"},
    "takeover": False,
}
SERVICES = ipaddress.ip_network("100.64.0.0/10")


def changed_count(output):
    return int(re.search(r"localhost\s*:.*changed=(\d+)", output).group(1))


def oss_routes(twin):
    """Custom route entries of any table inside 100.64.0.0/10 other than the auth /32 (which stays a 100.x route)."""
    return sorted(e["DestinationCidrBlock"] for e in twin.cloud.route_entries.values() if e.get("Type") == "Custom"
                  and ipaddress.ip_network(e["DestinationCidrBlock"]).subnet_of(SERVICES) and e["DestinationCidrBlock"] != ids.AUTH_IP + "/32")


def test_privatelink_mode_makes_the_endpoint_routes_no_oss_range_and_absent_removes_it(play_role, twin):
    code, output, cen = play_role("cen_connect", cen_connect_cen_name="acr-access", cen_connect_members=ids.cen_members())
    assert code == 0, output
    facts = dict(cen_connect=cen, registry_endpoints=REGISTRY_ENDPOINTS, registry_routes_next_hop_instance_id=ids.REGISTRY_ECS,
                 registry_routes_oss_route_mode="privatelink", registry_routes_oss_privatelink_vswitch_ids=ids.REGISTRY_VSWITCHES)

    code, output, fact = play_role("registry_routes", **facts)
    assert code == 0, output
    [endpoint] = privatelink.endpoints(twin.cloud).values()
    assert (endpoint["VpcId"], endpoint["EndpointStatus"], endpoint["EndpointName"]) == (ids.REGISTRY_VPC, "Active", "registry-oss")
    addresses = [zone["EniIp"] for zone in endpoint["_zones"]]
    assert oss_routes(twin) == []  # no OSS VIP range in any table (the auth /32 and the covering 100.0.0.0/8 stay)
    hosts = {entry["ip"]: entry["names"] for entry in fact["plan"]["hosts_entries"]}
    assert all(hosts[address] == [ids.OSS_DOMAIN] for address in addresses) and ids.OSS_IP not in hosts
    assert "oss_privatelink" in [finding["code"] for finding in fact["plan"]["findings"]]

    since = twin.last_seq()
    code, output, _fact = play_role("registry_routes", **facts)
    assert code == 0 and changed_count(output) == 0, output
    assert twin.writes(since=since) == []

    code, output, _fact = play_role("registry_routes", registry_routes_state="absent", **facts)
    assert code == 0, output
    assert privatelink.endpoints(twin.cloud) == {} and oss_routes(twin) == []
    deletes = [call["action"] for call in twin.writes(since=since) if call["product"] == "privatelink"]
    assert deletes == ["DeleteVpcEndpoint"]


def test_privatelink_mode_without_vswitches_is_named_before_any_cloud_write(play_role, twin):
    code, output, cen = play_role("cen_connect", cen_connect_cen_name="acr-access", cen_connect_members=ids.cen_members())
    assert code == 0, output
    since = twin.last_seq()
    code, output, _fact = play_role("registry_routes", cen_connect=cen, registry_endpoints=REGISTRY_ENDPOINTS,
                                    registry_routes_next_hop_instance_id=ids.REGISTRY_ECS, registry_routes_oss_route_mode="privatelink")
    assert code != 0 and "registry_routes_oss_privatelink_vswitch_ids" in output
    assert twin.writes(since=since) == []
