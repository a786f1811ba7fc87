"""The access plan, rule by rule, with tables of cases built on the seed's topology."""

import copy
import random

import pytest

from ansible_collections.alicloud.acr_access.plugins.module_utils.plan import FINDINGS, PlanError, build_plan

HANGZHOU_RANGES = ["100.98.170.0/24", "100.114.102.0/24", "100.118.28.0/24", "100.118.31.0/24"]  # sorted by address
REGISTRY = "xxxxxx-registry-vpc.cn-hangzhou.cr.aliyuncs.com"
AUTH = "dockerauth-vpc.cn-hangzhou.aliyuncs.com"
OSS = "oss-cn-hangzhou-internal.aliyuncs.com"
ATTACHMENT = "tr-attach-uf6twin0000000001"
ECS = "i-bp1twin0000000000001"

# The seed: Shanghai VPC2 pulls from the Hangzhou instance in VPC1; cen_connect routed VPC1's CIDR to the transit router.
SEED = {
    "source": {
        "kind": "vpc", "region": "cn-shanghai", "vpc_id": "vpc-uf6twin0000000000001", "route_table_id": "vtb-uf6twin0000000000001",
        "cidr_blocks": ["172.16.0.0/16"], "next_hop_type": "Attachment", "next_hop_id": ATTACHMENT,
        "existing_routes": [
            {"destination_cidr_block": "100.64.0.0/10", "next_hop_type": "service", "next_hop_id": "", "type": "System"},
            {"destination_cidr_block": "172.16.0.0/24", "next_hop_type": "local", "next_hop_id": "", "type": "System"},
            {"destination_cidr_block": "172.16.1.0/24", "next_hop_type": "local", "next_hop_id": "", "type": "System"},
            {"destination_cidr_block": "10.0.0.0/16", "next_hop_type": "Attachment", "next_hop_id": ATTACHMENT, "type": "Custom"},
        ],
    },
    "registry_vpc": {
        "region": "cn-hangzhou", "vpc_id": "vpc-bp1twin0000000000001", "route_table_id": "vtb-bp1twin0000000000001",
        "cidr_blocks": ["10.0.0.0/16"], "vswitch_cidr_blocks": ["10.0.0.0/24", "10.0.1.0/24"], "next_hop_instance_id": ECS,
        "existing_routes": [{"destination_cidr_block": "100.64.0.0/10", "next_hop_type": "service", "type": "System"}],
    },
    "endpoints": {
        "registry": {"domain": REGISTRY, "addresses": ["10.94.205.198"]},
        "auth": {"domain": AUTH, "addresses": ["100.103.7.181"], "takeover": False},
        "oss": {"domain": OSS, "addresses": ["100.118.28.43"]},
    },
    "reachable_cidrs": ["10.0.0.0/16"],
}


def facts(changes=None):
    """The seed's facts with ``{"dotted.path": value}`` changes applied."""
    args = copy.deepcopy(SEED)
    for path, value in (changes or {}).items():
        *parents, leaf = path.split(".")
        node = args
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    return args


def plan_of(changes=None):
    return build_plan(**facts(changes))


def destinations(routes):
    return [route["destination_cidr_block"] for route in routes]


def codes(plan, severity=None):
    return [f["code"] for f in plan["findings"] if severity is None or f["severity"] == severity]


def route(destination, hop_type="Attachment", hop_id=ATTACHMENT):
    return {"destination_cidr_block": destination, "next_hop_type": hop_type, "next_hop_id": hop_id}


# ---------------------------------------------------------------- the seed, end to end


def test_seed_plan():
    plan = plan_of()
    # 10.94.205.198 lies outside VPC1's 10.0.0.0/16 (reachable), so it needs a /32; auth /32; OSS the four published ranges.
    assert destinations(plan["source_routes"]) == ["10.94.205.198/32", "100.103.7.181/32"] + HANGZHOU_RANGES
    assert {(r["next_hop_type"], r["next_hop_id"]) for r in plan["source_routes"]} == {("Attachment", ATTACHMENT)}
    assert [(r["destination_cidr_block"], r["next_hop_type"], r["next_hop_id"], r["advertise"]) for r in plan["registry_routes"]] == [
        ("100.0.0.0/8", "Instance", ECS, True), ("10.94.205.198/32", "Instance", ECS, True)]
    assert plan["hosts_entries"] == [{"ip": "10.94.205.198", "names": [REGISTRY]}, {"ip": "100.103.7.181", "names": [AUTH]},
                                     {"ip": "100.118.28.43", "names": [OSS]}]
    assert codes(plan) == ["registry_address_outside_vpc"]
    assert plan["blocking"] is False


def test_every_route_carries_its_reason():
    plan = plan_of()
    for item in plan["source_routes"] + plan["registry_routes"][1:]:
        assert item["destination_cidr_block"].split("/")[0] in item["reason"]
    assert plan["registry_routes"][0]["reason"].startswith("covering route for ")
    assert "100.103.7.181" in plan["registry_routes"][0]["reason"] and "100.118.28.0/24" in plan["registry_routes"][0]["reason"]


# ---------------------------------------------------------------- rule: only what the source cannot reach yet


@pytest.mark.parametrize("changes, expected", [
    # the seed: VPC1's CIDR is reachable, the registry address is not inside it
    ({}, ["10.94.205.198/32", "100.103.7.181/32"] + HANGZHOU_RANGES),
    # registry address inside the reachable VPC CIDR: no /32
    ({"endpoints.registry.addresses": ["10.0.3.4"]}, ["100.103.7.181/32"] + HANGZHOU_RANGES),
    # the registry VPC CIDR counts only when it is reachable (neither listed nor routed to the attachment)
    ({"endpoints.registry.addresses": ["10.0.3.4"], "reachable_cidrs": [], "source.existing_routes": []},
     ["10.0.3.4/32", "100.103.7.181/32"] + HANGZHOU_RANGES),
    # an existing source route with the same next hop makes an address reachable
    ({"reachable_cidrs": [], "source.existing_routes": [route("10.0.0.0/8")]}, ["100.103.7.181/32"] + HANGZHOU_RANGES),
    # ... next hop type compared case-insensitively, vpc_info's next_hops shape accepted
    ({"reachable_cidrs": [], "source.existing_routes": [
        {"destination_cidr_block": "10.0.0.0/8", "next_hops": [{"next_hop_type": "attachment", "next_hop_id": ATTACHMENT}]}]},
     ["100.103.7.181/32"] + HANGZHOU_RANGES),
    # the same destination through another attachment does not count
    ({"reachable_cidrs": [], "source.existing_routes": [route("10.0.0.0/8", hop_id="tr-attach-other")]},
     ["10.94.205.198/32", "100.103.7.181/32"] + HANGZHOU_RANGES),
    # 100.0.0.0/8 already reachable: nothing for auth and OSS
    ({"reachable_cidrs": ["10.0.0.0/16", "100.0.0.0/8"]}, ["10.94.205.198/32"]),
    # a reachable CIDR covering only part of a range does not make the range reachable
    ({"reachable_cidrs": ["10.0.0.0/8", "100.118.28.0/25"]}, ["100.103.7.181/32"] + HANGZHOU_RANGES),
    # a reachable /32 is enough for a /32
    ({"reachable_cidrs": ["10.94.205.198/32", "100.103.7.181/32"]}, HANGZHOU_RANGES),
])
def test_source_routes_only_for_unreachable_addresses(changes, expected):
    assert destinations(plan_of(changes)["source_routes"]) == expected


@pytest.mark.parametrize("existing, present", [
    ([], {"10.94.205.198/32": False, "100.103.7.181/32": False}),
    ([route("10.94.205.198/32")], {"10.94.205.198/32": True, "100.103.7.181/32": False}),
    ([route("10.94.205.198/32"), route("100.103.7.181/32")], {"10.94.205.198/32": True, "100.103.7.181/32": True}),
])
def test_own_routes_from_an_earlier_run_stay_in_the_plan(existing, present):
    plan = plan_of({"source.existing_routes": existing})
    assert {r["destination_cidr_block"]: r["already_present"] for r in plan["source_routes"][:2]} == present
    assert destinations(plan["source_routes"]) == ["10.94.205.198/32", "100.103.7.181/32"] + HANGZHOU_RANGES


# ---------------------------------------------------------------- rule: auth /32, takeover


@pytest.mark.parametrize("auth, expected_auth_routes, hosts", [
    ({"addresses": ["100.103.7.181"], "takeover": False}, ["100.103.7.181/32"],
     [("10.94.205.198", [REGISTRY]), ("100.103.7.181", [AUTH]), ("100.118.28.43", [OSS])]),
    ({"addresses": ["100.103.7.182", "100.103.7.181"]}, ["100.103.7.181/32", "100.103.7.182/32"],
     [("10.94.205.198", [REGISTRY]), ("100.103.7.182", [AUTH]), ("100.103.7.181", [AUTH]), ("100.118.28.43", [OSS])]),
    ({"addresses": ["100.103.7.181"], "takeover": True}, [],
     [("10.94.205.198", [REGISTRY, AUTH]), ("100.118.28.43", [OSS])]),
    ({"addresses": [], "takeover": True}, [], [("10.94.205.198", [REGISTRY, AUTH]), ("100.118.28.43", [OSS])]),
])
def test_auth_routes_and_takeover(auth, expected_auth_routes, hosts):
    auth = dict({"domain": AUTH}, **auth)
    plan = plan_of({"endpoints.auth": auth})
    assert [d for d in destinations(plan["source_routes"]) if d.startswith("100.103.")] == expected_auth_routes
    assert [(h["ip"], h["names"]) for h in plan["hosts_entries"]] == hosts
    assert ("auth_domain_takeover" in codes(plan, "info")) is bool(auth.get("takeover"))


def test_takeover_removes_the_auth_address_from_the_covering_route_reason():
    reason = plan_of({"endpoints.auth.takeover": True})["registry_routes"][0]["reason"]
    assert "100.103.7.181" not in reason and "100.118.28.0/24" in reason


# ---------------------------------------------------------------- rule: OSS ranges or address


@pytest.mark.parametrize("changes, expected_oss, expected_codes", [
    ({}, HANGZHOU_RANGES, []),
    ({"oss_route_mode": "address"}, ["100.118.28.43/32"], ["oss_address_mode"]),
    # outside the published ranges: the ranges plus a /32, and a warning
    ({"endpoints.oss.addresses": ["100.100.1.1"]}, HANGZHOU_RANGES[:1] + ["100.100.1.1/32"] + HANGZHOU_RANGES[1:],
     ["oss_address_outside_vip_ranges"]),
    ({"endpoints.oss.addresses": ["100.100.1.1"], "oss_route_mode": "address"}, ["100.100.1.1/32"],
     ["oss_address_outside_vip_ranges", "oss_address_mode"]),
    # a region without published ranges (the government cloud's page says 不支持): /32 fallback with a warning
    ({"registry_vpc.region": "cn-north-2-gov-1", "endpoints.oss.addresses": ["100.118.78.9"]}, ["100.118.78.9/32"], ["oss_vip_ranges_unknown"]),
    # the override replaces the table
    ({"oss_vip_ranges": ["100.118.0.0/16"]}, ["100.118.0.0/16"], []),
    ({"oss_vip_ranges": ["100.99.0.0/24"]}, ["100.99.0.0/24", "100.118.28.43/32"], ["oss_address_outside_vip_ranges"]),
    # vip_ranges without an OSS address: the ranges, no hosts entry
    ({"endpoints.oss.addresses": []}, HANGZHOU_RANGES, []),
    # a Beijing registry gets the expanded Beijing ranges
    ({"registry_vpc.region": "cn-beijing", "endpoints.oss": {"addresses": ["100.118.171.20"]}},
     ["100.118.58.0/24", "100.118.167.0/24", "100.118.170.0/24", "100.118.171.0/24", "100.118.172.0/24", "100.118.173.0/24"], []),
])
def test_oss_routes(changes, expected_oss, expected_codes):
    plan = plan_of(changes)
    oss = [d for d in destinations(plan["source_routes"]) if d not in ("10.94.205.198/32", "100.103.7.181/32")]
    assert oss == expected_oss
    assert codes(plan, "warning") == expected_codes


@pytest.mark.parametrize("oss, expected_domain", [
    ({"addresses": ["100.118.28.43"]}, OSS),
    ({"addresses": ["100.118.28.43"], "bucket": "my-images"}, "my-images." + OSS),
    ({"addresses": ["100.118.28.43"], "domain": "custom.example.com", "bucket": "ignored"}, "custom.example.com"),
])
def test_oss_domain_defaults_to_the_region(oss, expected_domain):
    assert plan_of({"endpoints.oss": oss})["hosts_entries"][-1] == {"ip": "100.118.28.43", "names": [expected_domain]}


# ---------------------------------------------------------------- rule: covering route(s) in the registry VPC


@pytest.mark.parametrize("changes, expected", [
    ({}, ["100.0.0.0/8", "10.94.205.198/32"]),
    # registry address inside the registry VPC: the attachment teaches the transit router, no route of its own
    ({"endpoints.registry.addresses": ["10.0.3.4"]}, ["100.0.0.0/8"]),
    # a secondary CIDR block counts as the VPC's own
    ({"registry_vpc.cidr_blocks": ["10.0.0.0/16", "10.94.0.0/16"]}, ["100.0.0.0/8"]),
    # a narrower covering CIDR: what lies outside it gets its own advertised route
    ({"registry_vpc.covering_cidr": "100.112.0.0/12", "endpoints.registry.addresses": ["10.0.3.4"]},
     ["100.112.0.0/12", "100.98.170.0/24", "100.103.7.181/32"]),
    # no address in 100.0.0.0/8 at all: no covering route
    ({"endpoints.registry.addresses": ["10.0.3.4"], "endpoints.auth.takeover": True, "oss_vip_ranges": ["11.1.0.0/24"],
      "endpoints.oss.addresses": ["11.1.0.5"]}, ["11.1.0.0/24"]),
])
def test_registry_routes(changes, expected):
    plan = plan_of(changes)
    assert destinations(plan["registry_routes"]) == expected
    assert all(r["advertise"] is True and r["next_hop_type"] == "Instance" and r["next_hop_id"] == ECS for r in plan["registry_routes"])


def test_registry_route_already_present_to_the_same_instance():
    existing = [route("100.0.0.0/8", "Instance", ECS), {"destination_cidr_block": "100.64.0.0/10", "next_hop_type": "service"}]
    plan = plan_of({"registry_vpc.existing_routes": existing})
    assert [(r["destination_cidr_block"], r["already_present"]) for r in plan["registry_routes"]] == [
        ("100.0.0.0/8", True), ("10.94.205.198/32", False)]
    assert plan["blocking"] is False


def test_registry_routes_need_an_instance():
    with pytest.raises(PlanError) as error:
        plan_of({"registry_vpc.next_hop_instance_id": None})
    assert error.value.field == "registry_vpc.next_hop_instance_id"


def test_no_registry_route_needs_no_instance():
    plan = plan_of({"registry_vpc.next_hop_instance_id": None, "endpoints.registry.addresses": ["10.0.3.4"],
                    "endpoints.auth.takeover": True, "oss_vip_ranges": ["10.0.9.0/24"], "endpoints.oss.addresses": ["10.0.9.5"]})
    assert plan["registry_routes"] == []


# ---------------------------------------------------------------- rule: 100.x conflicts


@pytest.mark.parametrize("changes, expected_errors", [
    ({}, []),
    # the registry VPC uses 100.64.0.0/16: it overlaps the covering route of auth and OSS
    ({"registry_vpc.cidr_blocks": ["100.64.0.0/16"], "registry_vpc.vswitch_cidr_blocks": ["100.64.0.0/24"]},
     ["auth_address_conflict", "oss_address_conflict"]),
    # takeover on: the auth conflict disappears, OSS remains
    ({"registry_vpc.cidr_blocks": ["100.64.0.0/16"], "endpoints.auth.takeover": True}, ["oss_address_conflict"]),
    # a vSwitch alone (e.g. of a secondary block not listed) overlapping the covering route
    ({"registry_vpc.vswitch_cidr_blocks": ["10.0.0.0/24", "100.101.0.0/24"]}, ["auth_address_conflict", "oss_address_conflict"]),
    # a secondary CIDR containing an OSS range
    ({"registry_vpc.cidr_blocks": ["10.0.0.0/16", "100.118.0.0/16"]}, ["auth_address_conflict", "oss_address_conflict"]),
    # a route in the registry VPC overlapping the covering route, another next hop
    ({"registry_vpc.existing_routes": [route("100.100.0.0/16", "VpnGateway", "vpn-bp1")]}, ["auth_address_conflict", "oss_address_conflict"]),
    # ... the same next hop (ECS instance) is not a conflict, nor is the system route for cloud services
    ({"registry_vpc.existing_routes": [route("100.64.0.0/10", "Instance", ECS)]}, []),
    ({"registry_vpc.existing_routes": [{"destination_cidr_block": "100.64.0.0/10", "next_hop_type": "service", "type": "System"}]}, []),
    # a source route to another next hop overlapping an OSS range (and so the covering route)
    ({"source.existing_routes": [route("100.118.28.0/24", "VpnGateway", "vpn-uf6")]}, ["auth_address_conflict", "oss_address_conflict"]),
    # a source route overlapping only the auth /32 of the registry address
    ({"source.existing_routes": [route("10.94.0.0/16", "VpnGateway", "vpn-uf6")]}, ["registry_address_conflict"]),
    # the source network's own CIDR blocks overlapping an address
    ({"source.cidr_blocks": ["172.16.0.0/16", "100.103.0.0/16"]}, ["auth_address_conflict"]),
    ({"source.cidr_blocks": ["10.94.0.0/16"]}, ["registry_address_conflict"]),
    ({"source.cidr_blocks": ["100.114.0.0/16"]}, ["oss_address_conflict"]),
    # a local (vSwitch) system route of the source counts as its own CIDR
    ({"source.existing_routes": [{"destination_cidr_block": "100.118.31.0/24", "next_hop_type": "local", "type": "System"}]},
     ["oss_address_conflict"]),
    # a source CIDR in 100.x that overlaps none of the destinations is not a conflict
    ({"source.cidr_blocks": ["100.120.0.0/16"]}, []),
    # a source route to the same attachment covering 100.0.0.0/8: reachable, not a conflict
    ({"source.existing_routes": [route("100.0.0.0/8")]}, []),
    # OSS address mode: only the /32 counts, not the ranges
    ({"source.cidr_blocks": ["100.114.0.0/16"], "oss_route_mode": "address"}, []),
])
def test_conflicts(changes, expected_errors):
    plan = plan_of(changes)
    assert codes(plan, "error") == expected_errors
    assert plan["blocking"] is bool(expected_errors)


# ---------------------------------------------------------------- rule: no route inside a vSwitch CIDR block

# The cloud refuses a route entry whose destination is a vSwitch's CIDR block or lies inside it (InvalidCidrBlock.Overlapped, as
# the twin answers CreateRouteEntry): the plan names it before any write. A registry VPC whose secondary block is missing from
# registry_vpc.cidr_blocks makes the registry address look outside the VPC, and its /32 route then lands in a vSwitch.
SECONDARY_VSWITCH = "10.94.205.0/24"
LOCAL_ROUTE = {"destination_cidr_block": SECONDARY_VSWITCH, "next_hop_type": "local", "type": "System"}


@pytest.mark.parametrize("changes, expected_errors", [
    # the registry address's own route inside a vSwitch CIDR block of the registry VPC ...
    ({"registry_vpc.vswitch_cidr_blocks": ["10.0.0.0/24", SECONDARY_VSWITCH]}, ["registry_address_conflict"]),
    # ... equal to it
    ({"registry_vpc.vswitch_cidr_blocks": ["10.94.205.198/32"]}, ["registry_address_conflict"]),
    # ... known only from the registry VPC's local (vSwitch) system route, vswitch_cidr_blocks not given
    ({"registry_vpc.vswitch_cidr_blocks": [], "registry_vpc.existing_routes": [LOCAL_ROUTE]}, ["registry_address_conflict"]),
    # an OSS range inside a vSwitch of the registry VPC, known from its local route only
    ({"registry_vpc.vswitch_cidr_blocks": [], "registry_vpc.existing_routes": [
        {"destination_cidr_block": "100.118.28.0/25", "next_hop_type": "local", "type": "System"}]},
     ["auth_address_conflict", "oss_address_conflict"]),
    # the source side: a planned source route inside a vSwitch (local route) of the source VPC
    ({"source.existing_routes": [{"destination_cidr_block": "10.94.205.0/24", "next_hop_type": "local", "type": "System"}]},
     ["registry_address_conflict"]),
    # a vSwitch next to the route, or the secondary block listed (no route of its own then): no conflict
    ({"registry_vpc.vswitch_cidr_blocks": ["10.0.0.0/24", "10.94.206.0/24"]}, []),
    ({"registry_vpc.cidr_blocks": ["10.0.0.0/16", "10.94.0.0/16"], "registry_vpc.vswitch_cidr_blocks": ["10.0.0.0/24", SECONDARY_VSWITCH]}, []),
])
def test_no_route_inside_a_vswitch_cidr_block(changes, expected_errors):
    plan = plan_of(changes)
    assert codes(plan, "error") == expected_errors
    assert plan["blocking"] is bool(expected_errors)


def test_a_registry_route_inside_a_vswitch_names_the_block_and_the_fix():
    plan = plan_of({"registry_vpc.vswitch_cidr_blocks": ["10.0.0.0/24", SECONDARY_VSWITCH]})
    message = [f["message"] for f in plan["findings"] if f["code"] == "registry_address_conflict"][0]
    assert "10.94.205.198/32" in message and SECONDARY_VSWITCH in message and "registry_vpc.cidr_blocks" in message


def test_the_100_64_variant_names_both_fixes_and_takeover_drops_the_auth_route():
    variant = {"registry_vpc.cidr_blocks": ["100.64.0.0/16"], "registry_vpc.vswitch_cidr_blocks": ["100.64.0.0/24", "100.64.1.0/24"]}
    plan = plan_of(variant)
    errors = {f["code"]: f for f in plan["findings"] if f["severity"] == "error"}
    assert plan["blocking"] is True
    assert "Instance Taking over Authentication Domain Name" in errors["auth_address_conflict"]["fix"]
    assert "ticket" in errors["auth_address_conflict"]["fix"]
    assert "PrivateLink" in errors["oss_address_conflict"]["fix"] and "CNAME" in errors["oss_address_conflict"]["fix"]
    assert "100.64.0.0/16" in errors["auth_address_conflict"]["message"] and "100.0.0.0/8" in errors["auth_address_conflict"]["message"]
    assert "100.103.7.181/32" in destinations(plan["source_routes"])

    taken_over = plan_of(dict(variant, **{"endpoints.auth.takeover": True}))
    assert "100.103.7.181/32" not in destinations(taken_over["source_routes"])
    assert codes(taken_over, "error") == ["oss_address_conflict"] and taken_over["blocking"] is True

    accepted = plan_of(dict(variant, **{"endpoints.auth.takeover": True, "accept_findings": ["oss_address_conflict"]}))
    assert accepted["blocking"] is False
    assert [f["accepted"] for f in accepted["findings"] if f["severity"] == "error"] == [True]


@pytest.mark.parametrize("accept, blocking", [
    ([], True), (["auth_address_conflict"], True), (["oss_address_conflict"], True),
    (["auth_address_conflict", "oss_address_conflict"], False), (["oss_address_mode"], True),
])
def test_accepting_findings(accept, blocking):
    plan = plan_of({"registry_vpc.cidr_blocks": ["100.64.0.0/16"], "accept_findings": accept})
    assert plan["blocking"] is blocking
    assert all(f["accepted"] is (f["code"] in accept) for f in plan["findings"])


def test_every_finding_has_a_fix_and_a_known_code():
    plan = plan_of({"registry_vpc.cidr_blocks": ["100.64.0.0/16"], "oss_route_mode": "address", "endpoints.oss.addresses": ["100.1.1.1"],
                    "source.cidr_blocks": ["10.94.0.0/16"]})
    assert codes(plan, "error") == ["registry_address_conflict", "auth_address_conflict", "oss_address_conflict"]
    for finding in plan["findings"]:
        assert finding["code"] in FINDINGS and finding["fix"] and finding["message"]
        assert finding["severity"] == FINDINGS[finding["code"]][0]
    severities = [f["severity"] for f in plan["findings"]]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)


# ---------------------------------------------------------------- hosts entries


@pytest.mark.parametrize("endpoints, expected", [
    # shared address: one line with both names, registry first
    ({"endpoints.auth.addresses": ["10.94.205.198"]}, [("10.94.205.198", [REGISTRY, AUTH]), ("100.118.28.43", [OSS])]),
    # two registry addresses, input order kept, duplicates merged
    ({"endpoints.registry.addresses": ["10.94.205.199", "10.94.205.198", "10.94.205.199"]},
     [("10.94.205.199", [REGISTRY]), ("10.94.205.198", [REGISTRY]), ("100.103.7.181", [AUTH]), ("100.118.28.43", [OSS])]),
    # takeover with two registry addresses: the auth domain on both
    ({"endpoints.registry.addresses": ["10.94.205.198", "10.94.205.199"], "endpoints.auth.takeover": True},
     [("10.94.205.198", [REGISTRY, AUTH]), ("10.94.205.199", [REGISTRY, AUTH]), ("100.118.28.43", [OSS])]),
    # takeover where the auth domain is the registry's own: no duplicate name
    ({"endpoints.auth": {"domain": REGISTRY, "takeover": True}}, [("10.94.205.198", [REGISTRY]), ("100.118.28.43", [OSS])]),
    ({"endpoints.oss.addresses": []}, [("10.94.205.198", [REGISTRY]), ("100.103.7.181", [AUTH])]),
])
def test_hosts_entries(endpoints, expected):
    assert [(h["ip"], h["names"]) for h in plan_of(endpoints)["hosts_entries"]] == expected


# ---------------------------------------------------------------- determinism


def test_same_input_same_output_whatever_the_input_order():
    changes = {"endpoints.auth.addresses": ["100.103.7.182", "100.103.7.181"], "oss_vip_ranges": list(HANGZHOU_RANGES),
               "source.cidr_blocks": ["172.16.0.0/16", "100.103.0.0/16"], "registry_vpc.cidr_blocks": ["10.0.0.0/16", "100.64.0.0/16"]}
    first = plan_of(changes)
    assert plan_of(changes) == first
    for seed in range(5):
        shuffled = copy.deepcopy(changes)
        for values in shuffled.values():
            random.Random(seed).shuffle(values)
        plan = plan_of(shuffled)
        assert destinations(plan["source_routes"]) == destinations(first["source_routes"])
        assert destinations(plan["registry_routes"]) == destinations(first["registry_routes"])
        assert [f["code"] for f in plan["findings"]] == [f["code"] for f in first["findings"]]
        assert [f["message"] for f in plan["findings"]] == [f["message"] for f in first["findings"]]


def test_the_input_is_not_modified():
    args = facts({"registry_vpc.cidr_blocks": ["100.64.0.0/16"]})
    before = copy.deepcopy(args)
    build_plan(**args)
    assert args == before


# ---------------------------------------------------------------- input validation


@pytest.mark.parametrize("changes, field", [
    ({"source.cidr_blocks": ["172.16.0.0/33"]}, "source.cidr_blocks[0]"),
    ({"source.cidr_blocks": ["172.16.0.1/16"]}, "source.cidr_blocks[0]"),  # host bits set
    ({"source.cidr_blocks": "172.16.0.0/16"}, "source.cidr_blocks"),     # a string, not a list
    ({"source.kind": "office"}, "source.kind"),
    ({"source.next_hop_id": None}, "source.next_hop_id"),
    ({"source.existing_routes": [{"next_hop_type": "Attachment"}]}, "source.existing_routes[0].destination_cidr_block"),
    ({"registry_vpc.cidr_blocks": []}, "registry_vpc.cidr_blocks"),
    ({"registry_vpc.vswitch_cidr_blocks": ["10.0.0.0/24", "x"]}, "registry_vpc.vswitch_cidr_blocks[1]"),
    ({"registry_vpc.covering_cidr": "100.0.0.0/88"}, "registry_vpc.covering_cidr"),
    ({"registry_vpc.region": None}, "registry_vpc.region"),
    ({"registry_vpc.region": "Hangzhou!"}, "registry_vpc.region"),
    ({"registry_vpc.existing_routes": [{"destination_cidr_block": "fe80::/64"}]}, "registry_vpc.existing_routes[0].destination_cidr_block"),
    ({"endpoints.registry.domain": ""}, "endpoints.registry.domain"),
    ({"endpoints.registry.addresses": []}, "endpoints.registry.addresses"),
    ({"endpoints.registry.addresses": ["10.94.205.300"]}, "endpoints.registry.addresses[0]"),
    ({"endpoints.auth.domain": None}, "endpoints.auth.domain"),
    ({"endpoints.auth.addresses": []}, "endpoints.auth.addresses"),
    ({"endpoints.auth.addresses": ["100.103.7.181/32"]}, "endpoints.auth.addresses[0]"),
    ({"endpoints.auth.takeover": "yes"}, "endpoints.auth.takeover"),
    ({"endpoints.oss.addresses": ["::1"]}, "endpoints.oss.addresses[0]"),
    ({"endpoints.oss": {"addresses": ["100.118.28.43"], "bucket": "Bad_Bucket"}}, "endpoints.oss.domain"),
    ({"endpoints.oss.addresses": [], "oss_route_mode": "address"}, "endpoints.oss.addresses"),
    ({"endpoints.oss.addresses": [], "registry_vpc.region": "cn-north-2-gov-1"}, "endpoints.oss.addresses"),
    ({"oss_route_mode": "dns"}, "oss_route_mode"),
    ({"oss_vip_ranges": ["100.118.28.0/24", "bad"]}, "oss_vip_ranges[1]"),
    ({"reachable_cidrs": ["10.0.0.0/16", "10.0.0.0/8/8"]}, "reachable_cidrs[1]"),
    ({"accept_findings": ["oss_address_conflict", "everything"]}, "accept_findings[1]"),
    ({"endpoints": None}, "endpoints.registry.domain"),
    ({"endpoints.registry": "10.94.205.198"}, "endpoints.registry"),
])
def test_invalid_input_names_the_field(changes, field):
    with pytest.raises(PlanError) as error:
        plan_of(changes)
    assert error.value.field == field
    assert str(error.value).startswith(field + ": ")


def test_unknown_finding_code_lists_the_known_ones():
    with pytest.raises(PlanError, match="known codes: registry_address_conflict, auth_address_conflict"):
        plan_of({"accept_findings": ["nope"]})


# ---------------------------------------------------------------- a data center as the source

VPN_GATEWAY = "vpn-bp1example000000001"
IPSEC = "vco-bp1example000000001"
REGISTRY_ATTACHMENT = "tr-attach-bp1example00000001"
ALL_TARGETS = ["10.94.205.198/32", "100.103.7.181/32"] + HANGZHOU_RANGES
VPN = {"type": "vpn_gateway", "vpn_gateway_id": VPN_GATEWAY, "ipsec_connection_id": IPSEC}
TRANSIT = {"type": "transit_router", "transit_router_attachment_id": REGISTRY_ATTACHMENT}


def dc_plan_of(changes=None, connection=None):
    """The seed's registry with the data center 192.168.0.0/24 as the source (VPN gateway unless ``connection``)."""
    base = {"source": {"kind": "data_center", "cidr_blocks": ["192.168.0.0/24"], "connection": dict(connection or VPN),
                       "on_premises": {"via": "192.168.0.1", "dev": "vti0"}},
            "reachable_cidrs": []}
    base.update(changes or {})
    return plan_of(base)


def on_premises(plan):
    return [(r["destination"], r["via"], r["dev"]) for r in plan["on_premises_routes"]]


def test_data_center_behind_a_vpn_gateway():
    plan = dc_plan_of()
    assert set(plan) == {"on_premises_routes", "vpn_routes", "registry_routes", "hosts_entries", "findings", "blocking"}
    # the same targets a VPC source gets, each into the tunnel
    assert on_premises(plan) == [(d, "192.168.0.1", "vti0") for d in ALL_TARGETS]
    assert all(IPSEC in r["reason"] and VPN_GATEWAY in r["reason"] for r in plan["on_premises_routes"])
    assert [{k: v for k, v in r.items() if k != "reason"} for r in plan["vpn_routes"]] == [
        {"destination": "192.168.0.0/24", "next_hop": IPSEC, "weight": 100, "publish_vpc": True}]
    # inside the registry VPC the system route 100.64.0.0/10 delivers the services: no covering route, no instance needed
    assert plan["registry_routes"] == []
    assert plan["hosts_entries"] == plan_of()["hosts_entries"]
    assert codes(plan) == [] and plan["blocking"] is False


def test_data_center_through_the_transit_router():
    plan = dc_plan_of({"source.cidr_blocks": ["192.168.1.0/24", "192.168.0.0/24"]}, connection=TRANSIT)
    assert on_premises(plan) == [(d, "192.168.0.1", "vti0") for d in ALL_TARGETS]
    assert plan["vpn_routes"] == []
    assert [(r["destination_cidr_block"], r["next_hop_type"], r["next_hop_id"], r["advertise"], r["already_present"])
            for r in plan["registry_routes"]] == [
        ("100.0.0.0/8", "Instance", ECS, True, False), ("10.94.205.198/32", "Instance", ECS, True, False),
        ("192.168.0.0/24", "Attachment", REGISTRY_ATTACHMENT, False, False),
        ("192.168.1.0/24", "Attachment", REGISTRY_ATTACHMENT, False, False)]
    assert codes(plan) == ["registry_address_outside_vpc"] and plan["blocking"] is False


def test_data_center_routes_already_in_the_registry_vpc_stay_planned():
    existing = [route("192.168.0.0/24", "Attachment", REGISTRY_ATTACHMENT), route("100.0.0.0/8", "Instance", ECS)]
    plan = dc_plan_of({"registry_vpc.existing_routes": existing}, connection=TRANSIT)
    assert [(r["destination_cidr_block"], r["already_present"]) for r in plan["registry_routes"]] == [
        ("100.0.0.0/8", True), ("10.94.205.198/32", False), ("192.168.0.0/24", True)]
    assert codes(plan, "error") == []


@pytest.mark.parametrize("changes, expected", [
    # the gateway's address only, or its device only
    ({"source.on_premises": {"via": "192.168.0.254"}}, [(d, "192.168.0.254", None) for d in ALL_TARGETS]),
    ({"source.on_premises": {"dev": "ipsec0"}}, [(d, None, "ipsec0") for d in ALL_TARGETS]),
    # what the gateway already sends into the tunnel needs no route
    ({"reachable_cidrs": ["10.0.0.0/8"]}, [(d, "192.168.0.1", "vti0") for d in ALL_TARGETS[1:]]),
    # takeover: no auth route; address mode: the OSS /32
    ({"endpoints.auth.takeover": True, "oss_route_mode": "address"},
     [("10.94.205.198/32", "192.168.0.1", "vti0"), ("100.118.28.43/32", "192.168.0.1", "vti0")]),
])
def test_on_premises_routes(changes, expected):
    assert on_premises(dc_plan_of(changes)) == expected


@pytest.mark.parametrize("connection, changes, expected_errors", [
    (VPN, {}, []),
    # overlapping the registry VPC (or one of its vSwitches)
    (VPN, {"source.cidr_blocks": ["10.0.0.0/24"]}, ["data_center_registry_vpc_overlap"]),
    # ... a wider one also holds the registry address, a planned destination
    (VPN, {"source.cidr_blocks": ["10.0.0.0/8"]}, ["registry_address_conflict", "data_center_registry_vpc_overlap"]),
    (TRANSIT, {"source.cidr_blocks": ["10.0.1.128/25"]}, ["data_center_registry_vpc_overlap"]),
    # the cloud's service range used on premises; overlapping a destination names the endpoint too
    (VPN, {"source.cidr_blocks": ["100.70.0.0/16"]}, ["data_center_service_range_overlap"]),
    (VPN, {"source.cidr_blocks": ["100.103.0.0/16"]}, ["auth_address_conflict", "data_center_service_range_overlap"]),
    (VPN, {"source.cidr_blocks": ["100.118.28.0/24"]}, ["oss_address_conflict", "data_center_service_range_overlap"]),
    (VPN, {"source.cidr_blocks": ["10.94.205.0/24"]}, ["registry_address_conflict"]),
    # with takeover the auth address is no destination: only the service range remains
    (VPN, {"source.cidr_blocks": ["100.103.0.0/16"], "endpoints.auth.takeover": True}, ["data_center_service_range_overlap"]),
    # another known VPC with the same CIDR
    (VPN, {"other_vpcs": [{"vpc_id": "vpc-uf6example0000000001", "cidr_blocks": ["172.16.0.0/16", "192.168.0.0/16"]}]},
     ["data_center_vpc_overlap"]),
    (TRANSIT, {"other_vpcs": [{"vpc_id": "vpc-uf6example0000000001", "cidr_blocks": ["172.16.0.0/16"]}]}, []),
    # a registry VPC route for the data-center CIDR (or a part of it) to another next hop
    (TRANSIT, {"registry_vpc.existing_routes": [route("192.168.0.0/24", "Instance", ECS)]}, ["data_center_route_conflict"]),
    (VPN, {"registry_vpc.existing_routes": [route("192.168.0.128/25", "Attachment", REGISTRY_ATTACHMENT)]}, ["data_center_route_conflict"]),
    # ... its own next hop is not one (the VPN gateway's published route, the attachment route), nor is a wider route
    (VPN, {"registry_vpc.existing_routes": [route("192.168.0.0/24", "VpnGateway", VPN_GATEWAY)]}, []),
    (TRANSIT, {"registry_vpc.existing_routes": [route("192.168.0.0/24", "Attachment", REGISTRY_ATTACHMENT)]}, []),
    (VPN, {"registry_vpc.existing_routes": [route("192.168.0.0/16", "Instance", ECS)]}, []),
    # the covering route is a transit router's only: a registry VPC route overlapping it conflicts there, not behind a VPN gateway
    (VPN, {"registry_vpc.existing_routes": [route("100.100.0.0/16", "VpnGateway", "vpn-bp1other")]}, []),
    (TRANSIT, {"registry_vpc.existing_routes": [route("100.100.0.0/16", "VpnGateway", "vpn-bp1other")]},
     ["auth_address_conflict", "oss_address_conflict"]),
])
def test_data_center_conflicts(connection, changes, expected_errors):
    plan = dc_plan_of(changes, connection=connection)
    assert codes(plan, "error") == expected_errors
    assert plan["blocking"] is bool(expected_errors)
    for finding in plan["findings"]:
        assert finding["fix"] and finding["code"] in FINDINGS


def test_data_center_findings_can_be_accepted_and_name_the_blocks():
    plan = dc_plan_of({"source.cidr_blocks": ["10.0.0.0/24"], "accept_findings": ["data_center_registry_vpc_overlap"]})
    finding = plan["findings"][0]
    assert finding["code"] == "data_center_registry_vpc_overlap" and finding["accepted"] is True and plan["blocking"] is False
    assert "10.0.0.0/24" in finding["message"] and "10.0.0.0/16" in finding["message"]


def test_a_vpc_source_ignores_other_vpcs():
    assert plan_of({"other_vpcs": [{"vpc_id": "vpc-x", "cidr_blocks": ["172.16.0.0/16"]}]}) == plan_of()


@pytest.mark.parametrize("changes, field", [
    ({"source.cidr_blocks": []}, "source.cidr_blocks"),
    ({"source.connection": None}, "source.connection"),
    ({"source.connection": {"type": "express"}}, "source.connection.type"),
    ({"source.connection": {"type": "vpn_gateway", "ipsec_connection_id": IPSEC}}, "source.connection.vpn_gateway_id"),
    ({"source.connection": {"type": "vpn_gateway", "vpn_gateway_id": VPN_GATEWAY}}, "source.connection.ipsec_connection_id"),
    ({"source.connection": {"type": "transit_router"}}, "source.connection.transit_router_attachment_id"),
    ({"source.connection": dict(TRANSIT, vpn_gateway_id=VPN_GATEWAY)}, "source.connection.vpn_gateway_id"),
    ({"source.connection": dict(VPN, transit_router_attachment_id=REGISTRY_ATTACHMENT)}, "source.connection.transit_router_attachment_id"),
    ({"source.on_premises": {}}, "source.on_premises"),
    ({"source.on_premises": {"via": "192.168.0.300"}}, "source.on_premises.via"),
    ({"source.on_premises": {"dev": "a/b"}}, "source.on_premises.dev"),
    ({"source.on_premises": {"dev": "a-very-long-device-name"}}, "source.on_premises.dev"),
    ({"source.next_hop_id": ATTACHMENT}, "source.next_hop_id"),
    ({"source.existing_routes": [route("10.0.0.0/8")]}, "source.existing_routes"),
    ({"other_vpcs": [{"vpc_id": "vpc-x", "cidr_blocks": ["172.16.0.0/12", "bad"]}]}, "other_vpcs[0].cidr_blocks[1]"),
    ({"other_vpcs": "vpc-x"}, "other_vpcs"),
])
def test_invalid_data_center_input_names_the_field(changes, field):
    with pytest.raises(PlanError) as error:
        dc_plan_of(changes)
    assert error.value.field == field
    assert str(error.value).startswith(field + ": ")


@pytest.mark.parametrize("key, value", [("connection", VPN), ("on_premises", {"via": "192.168.0.1"})])
def test_a_vpc_source_takes_no_data_center_keys(key, value):
    with pytest.raises(PlanError) as error:
        plan_of({"source.%s" % key: value})
    assert error.value.field == "source.%s" % key


# ---------------------------------------------------------------- rule: OSS through a PrivateLink endpoint

ENDPOINT_IPS = ["10.0.0.201", "10.0.1.201"]  # the endpoint's addresses in the registry VPC's two vSwitches
PRIVATELINK = {"oss_route_mode": "privatelink", "endpoints.oss.addresses": ENDPOINT_IPS}


def test_privatelink_routes_no_100_x_oss_target_and_advertises_nothing_for_oss():
    plan = plan_of(PRIVATELINK)
    # the endpoint lies in 10.0.0.0/16, which the source reaches already (cen_connect): no source route, no advertisement
    assert destinations(plan["source_routes"]) == ["10.94.205.198/32", "100.103.7.181/32"]
    assert destinations(plan["registry_routes"]) == ["100.0.0.0/8", "10.94.205.198/32"]
    assert "OSS" not in plan["registry_routes"][0]["reason"]  # the covering route carries only the auth service now
    assert {"ip": "10.0.0.201", "names": [OSS]} in plan["hosts_entries"] and {"ip": "10.0.1.201", "names": [OSS]} in plan["hosts_entries"]
    assert codes(plan) == ["oss_privatelink", "registry_address_outside_vpc"] and plan["blocking"] is False  # as without it


def test_privatelink_routes_the_endpoint_when_the_source_does_not_reach_the_vpc_yet():
    plan = plan_of(dict(PRIVATELINK, reachable_cidrs=[], **{"source.existing_routes": []}))
    assert destinations(plan["source_routes"]) == ["10.94.205.198/32", "100.103.7.181/32", "10.0.0.201/32", "10.0.1.201/32"]
    # inside the VPC's CIDR blocks: learned from the attachment, never advertised
    assert "10.0.0.201/32" not in destinations(plan["registry_routes"])


def test_privatelink_fixes_the_oss_conflict_of_a_source_in_the_oss_ranges():
    assert codes(plan_of({"source.cidr_blocks": ["172.16.0.0/16", "100.114.0.0/16"]}), "error") == ["oss_address_conflict"]
    fixed = plan_of(dict(PRIVATELINK, **{"source.cidr_blocks": ["172.16.0.0/16", "100.114.0.0/16"]}))
    assert codes(fixed, "error") == [] and fixed["blocking"] is False
    assert not [r for r in fixed["source_routes"] if r["destination_cidr_block"].startswith("100.1")
                and r["destination_cidr_block"] != "100.103.7.181/32"]


def test_privatelink_with_a_bucket_domain_maps_both_names():
    plan = plan_of(dict(PRIVATELINK, **{"endpoints.oss.domain": None, "endpoints.oss.bucket": "images"}))
    assert {"ip": "10.0.0.201", "names": ["images." + OSS, OSS]} in plan["hosts_entries"]


@pytest.mark.parametrize("changes, field", [
    ({"oss_route_mode": "privatelink", "endpoints.oss.addresses": []}, "endpoints.oss.addresses"),
    ({"oss_route_mode": "privatelink", "endpoints.oss.addresses": ["10.0.0.201", "100.118.28.43"]}, "endpoints.oss.addresses[1]"),
])
def test_privatelink_input_errors_name_the_field(changes, field):
    with pytest.raises(PlanError) as raised:
        plan_of(changes)
    assert raised.value.field == field and "privatelink" in str(raised.value)
