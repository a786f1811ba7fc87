"""registry_access_plan's main(): the plan as a module result, check mode, input errors as fail_json, vpc_info facts as input."""

import pytest

from ansible_collections.alicloud.acr_access.plugins.modules import vpc_info
from ansible_collections.alicloud.acr_access.plugins.modules.registry_access_plan import main
from acr_twin import seed_ids as ids

REGISTRY = "xxxxxx-registry-vpc.cn-hangzhou.cr.aliyuncs.com"
AUTH = ids.AUTH_DOMAIN
OSS = ids.OSS_DOMAIN
ATTACHMENT = "tr-attach-uf6twin0000000001"
ECS = ids.REGISTRY_ECS
HANGZHOU_RANGES = ["100.98.170.0/24", "100.114.102.0/24", "100.118.28.0/24", "100.118.31.0/24"]


def seed_args(**changes):
    args = dict(
        source=dict(region="cn-shanghai", vpc_id=ids.SOURCE_VPC, route_table_id=ids.SOURCE_ROUTE_TABLE,
                    cidr_blocks=["172.16.0.0/16"], next_hop_id=ATTACHMENT),
        registry_vpc=dict(region="cn-hangzhou", vpc_id=ids.REGISTRY_VPC, route_table_id=ids.REGISTRY_ROUTE_TABLE,
                          cidr_blocks=["10.0.0.0/16"], vswitch_cidr_blocks=["10.0.0.0/24", "10.0.1.0/24"], next_hop_instance_id=ECS),
        endpoints=dict(registry=dict(domain=REGISTRY, addresses=["10.94.205.198"]), auth=dict(domain=AUTH, addresses=["100.103.7.181"]),
                       oss=dict(domain=OSS, addresses=["100.118.28.43"])),
        reachable_cidrs=["10.0.0.0/16"],
    )
    args.update(changes)
    return args


def destinations(routes):
    return [route["destination_cidr_block"] for route in routes]


@pytest.mark.parametrize("check_mode", [False, True])
def test_seed_plan(run_module, check_mode):
    result = run_module(main, dict(seed_args(), _ansible_check_mode=check_mode))
    assert result["changed"] is False and "failed" not in result
    plan = result["plan"]
    assert destinations(plan["source_routes"]) == ["10.94.205.198/32", "100.103.7.181/32"] + HANGZHOU_RANGES
    assert plan["source_routes"][0]["next_hop_type"] == "Attachment"  # the default
    assert [(r["destination_cidr_block"], r["next_hop_id"], r["advertise"]) for r in plan["registry_routes"]] == [
        ("100.0.0.0/8", ECS, True), ("10.94.205.198/32", ECS, True)]
    assert plan["hosts_entries"][0] == {"ip": "10.94.205.198", "names": [REGISTRY]}
    assert plan["blocking"] is False
    assert set(plan) == {"source_routes", "registry_routes", "hosts_entries", "findings", "blocking"}


@pytest.mark.parametrize("changes, source_routes, error_codes, blocking", [
    ({"oss_route_mode": "address"}, ["10.94.205.198/32", "100.103.7.181/32", "100.118.28.43/32"], [], False),
    # the 100.64.0.0/16 variant blocks with both conflicts; takeover (given as a string, as templates may) drops the auth route
    ({"registry_vpc": "100.64"}, ["10.94.205.198/32", "100.103.7.181/32"] + HANGZHOU_RANGES,
     ["auth_address_conflict", "oss_address_conflict"], True),
    ({"registry_vpc": "100.64", "takeover": "yes"}, ["10.94.205.198/32"] + HANGZHOU_RANGES, ["oss_address_conflict"], True),
    ({"registry_vpc": "100.64", "takeover": "yes", "accept_findings": ["oss_address_conflict"]},
     ["10.94.205.198/32"] + HANGZHOU_RANGES, ["oss_address_conflict"], False),
])
def test_variants(run_module, changes, source_routes, error_codes, blocking):
    args = seed_args()
    if changes.pop("registry_vpc", None):
        args["registry_vpc"].update(cidr_blocks=["100.64.0.0/16"], vswitch_cidr_blocks=["100.64.0.0/24", "100.64.1.0/24"])
    if "takeover" in changes:
        args["endpoints"]["auth"]["takeover"] = changes.pop("takeover")
    args.update(changes)
    plan = run_module(main, args)["plan"]
    assert destinations(plan["source_routes"]) == source_routes
    assert [f["code"] for f in plan["findings"] if f["severity"] == "error"] == error_codes
    assert plan["blocking"] is blocking


@pytest.mark.parametrize("change, field", [
    (lambda a: a["source"].update(cidr_blocks=["172.16.0.0/99"]), "source.cidr_blocks[0]"),
    (lambda a: a["endpoints"]["registry"].pop("domain"), "endpoints.registry.domain"),
    (lambda a: a["endpoints"]["auth"].update(addresses=["dockerauth"]), "endpoints.auth.addresses[0]"),
    (lambda a: a["registry_vpc"].pop("next_hop_instance_id"), "registry_vpc.next_hop_instance_id"),
    (lambda a: a.update(accept_findings=["all"]), "accept_findings[0]"),
])
def test_invalid_input_fails_naming_the_field(run_module, change, field):
    args = seed_args()
    change(args)
    result = run_module(main, args)
    assert result["failed"] is True and result["field"] == field
    assert field in result["msg"]


def test_missing_required_option_fails(run_module):
    args = seed_args()
    args["source"].pop("next_hop_id")
    result = run_module(main, args)
    assert result["failed"] is True and "next_hop_id" in result["msg"]


def test_vpc_info_route_entries_are_accepted_as_existing_routes(run_module, twin_args):
    """The facts of vpc_info (from the twin, real SDK) go in unchanged: system entries are not conflicts."""
    hangzhou = run_module(vpc_info.main, twin_args(vpc_id=ids.REGISTRY_VPC))["vpcs"][0]
    shanghai = run_module(vpc_info.main, twin_args(vpc_id=ids.SOURCE_VPC, region="cn-shanghai"))["vpcs"][0]
    args = seed_args()
    args["source"]["existing_routes"] = shanghai["route_tables"][0]["entries"]
    args["registry_vpc"]["existing_routes"] = hangzhou["route_tables"][0]["entries"]
    assert any(e["destination_cidr_block"] == "100.64.0.0/10" for e in args["source"]["existing_routes"])
    result = run_module(main, args)
    assert "failed" not in result
    plan = result["plan"]
    assert plan["blocking"] is False and [f["code"] for f in plan["findings"]] == ["registry_address_outside_vpc"]
    assert destinations(plan["source_routes"]) == ["10.94.205.198/32", "100.103.7.181/32"] + HANGZHOU_RANGES


DATA_CENTER = dict(kind="data_center", cidr_blocks=["192.168.0.0/24"], on_premises=dict(via="192.168.0.1"),
                   connection=dict(type="transit_router", transit_router_attachment_id="tr-attach-bp1example00000001"))


@pytest.mark.parametrize("check_mode", [False, True])
def test_data_center_plan(run_module, check_mode):
    result = run_module(main, dict(seed_args(source=DATA_CENTER, reachable_cidrs=[]), _ansible_check_mode=check_mode))
    assert result["changed"] is False and "failed" not in result
    plan = result["plan"]
    assert set(plan) == {"on_premises_routes", "vpn_routes", "registry_routes", "hosts_entries", "findings", "blocking"}
    assert [(r["destination"], r["via"], r["dev"]) for r in plan["on_premises_routes"]] == [
        (d, "192.168.0.1", None) for d in ["10.94.205.198/32", "100.103.7.181/32"] + HANGZHOU_RANGES]
    assert destinations(plan["registry_routes"]) == ["100.0.0.0/8", "10.94.205.198/32", "192.168.0.0/24"]
    assert plan["registry_routes"][-1]["next_hop_id"] == "tr-attach-bp1example00000001"
    assert plan["blocking"] is False


@pytest.mark.parametrize("source, other_vpcs, field, option", [
    (dict(DATA_CENTER, cidr_blocks=[]), [], "source.cidr_blocks", None),
    (dict(DATA_CENTER, connection=dict(type="transit_router")), [], "source.connection.transit_router_attachment_id", None),
    (dict(DATA_CENTER, connection=dict(type="ipsec")), [], None, "type"),
    (DATA_CENTER, [dict(vpc_id="vpc-a", cidr_blocks=["192.168.0.0/33"])], "other_vpcs[0].cidr_blocks[0]", None),
])
def test_invalid_data_center_input(run_module, source, other_vpcs, field, option):
    result = run_module(main, seed_args(source=source, other_vpcs=other_vpcs))
    assert result["failed"] is True
    if field:
        assert result["field"] == field and field in result["msg"]
    else:  # the argument spec's own check
        assert option in result["msg"] and "must be one of: vpn_gateway, transit_router" in result["msg"]


def test_data_center_blocks_on_another_vpc_with_its_cidr(run_module):
    result = run_module(main, seed_args(source=DATA_CENTER, other_vpcs=[dict(vpc_id="vpc-a", cidr_blocks=["192.168.0.0/23"])]))
    plan = result["plan"]
    assert plan["blocking"] is True
    assert [f["code"] for f in plan["findings"] if f["severity"] == "error"] == ["data_center_vpc_overlap"]
    assert "vpc-a" in plan["findings"][0]["message"]
