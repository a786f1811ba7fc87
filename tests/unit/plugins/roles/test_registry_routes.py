"""The role registry_routes through ansible-playbook against the twin: --check, apply, re-run, absent; the 100.x conflict.

Prepared as a user would: the role cen_connect connects the seed's two VPCs, and its fact with the seed's endpoints (in the
shape of the fact registry_endpoints) are the inputs. The whole procedure (playbooks/cross_region_access.yml, with the
probe lab) is test_cross_region_access.py's. Each playbook run costs a few seconds (one Python process per module task).
"""

import os
import re

import pytest

from acr_twin import seed_ids as ids
from acr_twin.fixtures import FIXTURES_DIR, read_fixture

from ansible_collections.alicloud.acr_access.plugins.modules import cen_route_advertisement, registry_access_plan

HZ_VPC, SH_VPC = ids.REGISTRY_VPC, ids.SOURCE_VPC
HZ_TABLE, SH_TABLE = ids.REGISTRY_ROUTE_TABLE, ids.SOURCE_ROUTE_TABLE
OSS_RANGES = ["100.114.102.0/24", "100.118.28.0/24", "100.118.31.0/24", "100.98.170.0/24"]
# The fact of the role registry_endpoints as it finds the seed's endpoints (test_registry_endpoints.py probes them)
REGISTRY_ENDPOINTS = {
    "region": ids.REGISTRY_REGION,
    "registry": {"domain": ids.REGISTRY_DOMAIN, "addresses": [ids.REGISTRY_IP], "found_by": "given"},
    "auth": {"domain": ids.AUTH_DOMAIN, "addresses": [ids.AUTH_IP], "kind": "dockerauth-vpc", "found_by": "given"},
    "oss": {"domain": ids.OSS_DOMAIN, "addresses": [ids.OSS_IP], "bucket": None, "found_by": "given"},
    "takeover": False,
}
# A closed local port (discard): a cloud call could reach nothing and would fail its task
NOWHERE = "127.0.0.1:9"


@pytest.fixture
def play(play_role):
    """``play(role, check=False, endpoint=None, **extra_vars)`` -> (return code, output, the role's fact or None)."""
    return play_role


def changed_count(output):
    return int(re.search(r"localhost\s*:.*changed=(\d+)", output).group(1))


def custom_routes(twin, table):
    """{destination: (next hop type, next hop id, status)} of a VPC route table's custom entries."""
    return {e["DestinationCidrBlock"]: (e["NextHopType"], e["NextHopId"], e["Status"]) for e in twin.cloud.route_entries.values()
            if e["RouteTableId"] == table and e.get("Type") == "Custom"}


def test_check_apply_rerun_then_absent_with_the_explicit_inputs_removes_exactly_its_routes(play, twin, run_module, twin_args):
    # Step 1, as the role cen_connect makes it
    code, output, cen = play("cen_connect", cen_connect_cen_name="acr-access", cen_connect_members=ids.cen_members())
    assert code == 0, output
    sh = next(a for a in cen["vpc_attachments"] if a["vpc_id"] == SH_VPC)
    cen_routes = sorted(r["destination_cidr_block"] for r in cen["route_entries"])
    facts = dict(cen_connect=cen, registry_endpoints=REGISTRY_ENDPOINTS, registry_routes_next_hop_instance_id=ids.REGISTRY_ECS)

    # --check with the real attachment ids: predicts the routes, writes nothing
    since = twin.last_seq()
    code, output, fact = play("registry_routes", check=True, **facts)
    assert code == 0, output
    assert twin.writes(since) == [] and twin.calls(since)
    assert fact["inputs"]["source"]["attachment_id"] == sh["transit_router_attachment_id"]
    assert fact["changed"] and changed_count(output) >= 1
    assert custom_routes(twin, SH_TABLE).keys() == {"10.0.0.0/16"}  # cen_connect's only

    code, output, fact = play("registry_routes", **facts)
    assert code == 0, output
    assert fact["changed"]
    twin.settle()
    # Shanghai routes the registry, auth and OSS addresses to its attachment (10.0.0.0/16, the registry VPC, is cen_connect's)
    assert {cidr for cidr, (hop_type, hop, _status) in custom_routes(twin, SH_TABLE).items()
            if (hop_type, hop) == ("Attachment", sh["transit_router_attachment_id"])} == \
        {"10.0.0.0/16", ids.REGISTRY_IP + "/32", ids.AUTH_IP + "/32"} | set(OSS_RANGES)
    # Hangzhou's system table sends 100.0.0.0/8 to ECS instance 1
    assert custom_routes(twin, HZ_TABLE)["100.0.0.0/8"] == ("Instance", ids.REGISTRY_ECS, "Available")

    since = twin.last_seq()
    code, output, fact = play("registry_routes", **facts)
    assert code == 0, output
    assert twin.writes(since) == [] and twin.calls(since)
    assert changed_count(output) == 0 and not fact["changed"], output
    # What cen_connect knows is not looked up again: the learning table is its (checked with one read, not found from the
    # attachment), the source's route table its; the registry's system table is looked up once; one read of what was learned.
    assert fact["inputs"]["source"]["transit_router_route_table_id"] == sh["transit_router_route_table_id"]
    reads = twin.counts(since)
    assert "ListTransitRouterVpcAttachments" not in reads and "ListTransitRouterRouteTableAssociations" not in reads
    assert (reads["ListTransitRouterRouteTables"], reads["DescribeRouteTableList"], reads["ListTransitRouterRouteEntries"]) == (1, 1, 1)
    assert [c["params"]["VpcId"] for c in twin.calls(since, action="DescribeRouteTableList")] == [HZ_VPC]

    # Published, and learned by the Shanghai transit router: the advertisement again changes nothing and says what was learned
    since = twin.last_seq()
    advertised = run_module(cen_route_advertisement.main, twin_args(
        cen_id=cen["cen_id"], vpc_id=HZ_VPC, destination_cidr_blocks=["100.0.0.0/8"],
        learned_by={"transit_router_attachment_id": sh["transit_router_attachment_id"]}))
    assert advertised["changed"] is False and twin.writes(since) == []
    assert advertised["entries"][0]["publish_status"] == "Published"
    assert advertised["learned"]["transit_router_route_table_id"] == sh["transit_router_route_table_id"]
    assert [(r["status"], r["next_hop_resource_id"]) for r in advertised["learned"]["routes"]] == [
        ("Active", cen["transit_routers"]["cn-hangzhou"]["transit_router_id"])]

    # state absent with the explicit inputs and without the facts (what a user who made steps 1 and 2 by hand gives)
    explicit = dict(
        registry_routes_cen_id=cen["cen_id"],
        registry_routes_source={"region": ids.SOURCE_REGION, "vpc_id": SH_VPC, "attachment_id": sh["transit_router_attachment_id"],
                                "cidr_blocks": [ids.SOURCE_VPC_CIDR]},
        registry_routes_registry_vpc={"region": ids.REGISTRY_REGION, "vpc_id": HZ_VPC, "next_hop_instance_id": ids.REGISTRY_ECS,
                                      "cidr_blocks": [ids.REGISTRY_VPC_CIDR],
                                      "vswitch_cidr_blocks": [twin.cloud.vswitches[v]["CidrBlock"] for v in ids.REGISTRY_VSWITCHES]},
        registry_routes_endpoints={"registry": {"domain": ids.REGISTRY_DOMAIN, "addresses": [ids.REGISTRY_IP]},
                                   "auth": {"domain": ids.AUTH_DOMAIN, "addresses": [ids.AUTH_IP], "takeover": False},
                                   "oss": {"domain": ids.OSS_DOMAIN, "addresses": [ids.OSS_IP]}},
        registry_routes_reachable_cidrs=[ids.REGISTRY_VPC_CIDR])
    code, output, fact = play("registry_routes", registry_routes_state="absent", cen_connect={}, registry_endpoints={}, **explicit)
    assert code == 0, output
    assert fact["changed"]
    assert {entry["action"] for entry in fact["advertisement"]["entries"]} == {"withdrawn"}
    twin.settle()
    assert sorted(list(custom_routes(twin, SH_TABLE)) + list(custom_routes(twin, HZ_TABLE))) == cen_routes

    # again, from the facts: nothing left to remove
    since = twin.last_seq()
    code, output, fact = play("registry_routes", registry_routes_state="absent", **facts)
    assert code == 0, output
    assert twin.writes(since) == [] and not fact["changed"]


def test_a_registry_vpc_in_100_64_stops_on_the_conflicts_before_any_cloud_call(play, run_module):
    fixture = read_fixture(os.path.join(FIXTURES_DIR, "registry-vpc-100-64.yml"))
    hangzhou = next(region for region in fixture["regions"] if region["region"] == "cn-hangzhou")
    shanghai = next(region for region in fixture["regions"] if region["region"] == "cn-shanghai")
    vpc, registry, source = hangzhou["vpcs"][0], hangzhou["registries"][0], shanghai["vpcs"][0]
    inputs = dict(
        registry_routes_cen_id="cen-notused0000000001",
        registry_routes_source={"region": "cn-shanghai", "vpc_id": source["id"], "attachment_id": "tr-attach-notused00000001",
                                "cidr_blocks": [source["cidr_block"]]},
        registry_routes_registry_vpc={"region": "cn-hangzhou", "vpc_id": vpc["id"], "next_hop_instance_id": vpc["instances"][0]["id"],
                                      "cidr_blocks": [vpc["cidr_block"]], "vswitch_cidr_blocks": [v["cidr_block"] for v in vpc["vswitches"]]},
        registry_routes_endpoints={
            "registry": {"domain": "%s-registry-vpc.cn-hangzhou.cr.aliyuncs.com" % registry["name"], "addresses": [registry["linked_vpcs"][0]["ip"]]},
            "auth": {"domain": registry["auth_domain"], "addresses": [registry["auth_ip"]], "takeover": False},
            "oss": {"domain": registry["oss_domain"], "addresses": [registry["oss_ip"]]}})

    # nothing listens at the endpoint: a cloud call would fail its own task before the conflict's
    code, output = play("registry_routes", endpoint=NOWHERE, **inputs)[:2]
    assert code != 0
    task = "TASK [alicloud.acr_access.registry_routes : Stop on a conflict that was not accepted]"
    assert task in output, output
    failure = output.split(task, 1)[1].split("PLAY RECAP", 1)[0]  # what the task printed: the only failure of the run
    assert "fatal: [localhost]: FAILED!" in failure and "TASK [" not in failure, output
    assert output.count("fatal:") == 1 and changed_count(output) == 0, output
    assert "auth_address_conflict" in failure and "oss_address_conflict" in failure
    assert "Instance Taking over Authentication Domain Name" in failure  # the fix of the auth conflict
    assert "PrivateLink" in failure and "CNAME" in failure  # the fixes of the OSS conflict

    # with the auth domain taken over: no auth route, no auth conflict, but still the OSS one
    endpoints = inputs["registry_routes_endpoints"]
    plan = run_module(registry_access_plan.main, dict(
        source={"next_hop_id": inputs["registry_routes_source"]["attachment_id"], "cidr_blocks": inputs["registry_routes_source"]["cidr_blocks"]},
        registry_vpc=inputs["registry_routes_registry_vpc"],
        endpoints=dict(endpoints, auth=dict(endpoints["auth"], takeover=True))))["plan"]
    assert registry["auth_ip"] + "/32" not in [route["destination_cidr_block"] for route in plan["source_routes"]]
    codes = [finding["code"] for finding in plan["findings"]]
    assert "auth_address_conflict" not in codes and "oss_address_conflict" in codes
