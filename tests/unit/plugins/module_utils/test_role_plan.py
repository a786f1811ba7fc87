"""The roles' decisions (module_utils/role_plan.py), rule by rule, with tables of cases on the seed's topology."""

import copy

import pytest

from ansible_collections.alicloud.acr_access.plugins.module_utils import role_plan

HZ_VPC, SH_VPC, BJ_VPC = "vpc-bp1twin0000000000001", "vpc-uf6twin0000000000001", "vpc-2zetwin0000000000001"
HZ_TABLE, SH_TABLE = "vtb-bp1twin0000000000001", "vtb-uf6twin0000000000001"
HZ_ATT, SH_ATT = "tr-attach-hz0000000000001", "tr-attach-sh0000000000001"
HZ_TR, SH_TR, BJ_TR = "tr-bp1twin0000000000001", "tr-uf6twin0000000000001", "tr-2zetwin0000000000001"
REGISTRY = "acr-twin-registry-vpc.cn-hangzhou.cr.aliyuncs.com"
AUTH = "dockerauth-vpc.cn-hangzhou.aliyuncs.com"
OSS = "oss-cn-hangzhou-internal.aliyuncs.com"

# The members as cen_info resolves them
HZ = {"region": "cn-hangzhou", "vpc_id": HZ_VPC, "route_table_id": HZ_TABLE, "cidr_blocks": ["10.0.0.0/16"], "vswitch_ids": ["vsw-j", "vsw-k"]}
SH = {"region": "cn-shanghai", "vpc_id": SH_VPC, "route_table_id": SH_TABLE, "cidr_blocks": ["172.16.0.0/16"], "vswitch_ids": ["vsw-m", "vsw-n"]}
BJ = {"region": "cn-beijing", "vpc_id": BJ_VPC, "route_table_id": "vtb-bj", "cidr_blocks": ["192.168.0.0/16", "192.169.0.0/16"]}


def _route(cidr, hop, to):
    return {"destination_cidr_block": cidr, "next_hop_type": "Attachment", "next_hop_id": hop, "name": "cen-connect",
            "description": "cen_connect: to %s in %s" % (to["vpc_id"], to["region"])}


# ---------------------------------------------------------------- cen_connect


@pytest.mark.parametrize("members, regions, pairs", [
    ([HZ, SH], ["cn-hangzhou", "cn-shanghai"], [["cn-hangzhou", "cn-shanghai"]]),
    ([SH, HZ], ["cn-shanghai", "cn-hangzhou"], [["cn-shanghai", "cn-hangzhou"]]),  # the members' order, not sorted
    ([HZ, dict(HZ, vpc_id="vpc-2"), SH], ["cn-hangzhou", "cn-shanghai"], [["cn-hangzhou", "cn-shanghai"]]),  # one router per region
    ([HZ, SH, BJ], ["cn-hangzhou", "cn-shanghai", "cn-beijing"],
     [["cn-hangzhou", "cn-shanghai"], ["cn-hangzhou", "cn-beijing"], ["cn-shanghai", "cn-beijing"]]),
    ([HZ, dict(HZ, vpc_id="vpc-2")], ["cn-hangzhou"], []),  # one region: no inter-region connection
])
def test_regions_and_pairs(members, regions, pairs):
    assert role_plan.member_regions(members) == regions
    assert role_plan.region_pairs(members) == pairs


@pytest.mark.parametrize("attachment_of, expected", [
    ({HZ_VPC: HZ_ATT, SH_VPC: SH_ATT}, {HZ_VPC: [_route("172.16.0.0/16", HZ_ATT, SH)], SH_VPC: [_route("10.0.0.0/16", SH_ATT, HZ)]}),
    # check mode: a new attachment has no id yet, so no route through it
    ({HZ_VPC: None, SH_VPC: SH_ATT}, {HZ_VPC: [], SH_VPC: [_route("10.0.0.0/16", SH_ATT, HZ)]}),
    # teardown: a member without an attachment found is not a key of attachment_of
    ({SH_VPC: SH_ATT}, {HZ_VPC: [], SH_VPC: [_route("10.0.0.0/16", SH_ATT, HZ)]}),
    ({}, {HZ_VPC: [], SH_VPC: []}),
])
def test_member_routes_two_members(attachment_of, expected):
    assert role_plan.member_routes([HZ, SH], attachment_of) == expected


def test_member_routes_every_cidr_block_of_every_other_member_in_order():
    routes = role_plan.member_routes([HZ, SH, BJ], {HZ_VPC: HZ_ATT, SH_VPC: SH_ATT, BJ_VPC: "tr-attach-bj"})
    assert [r["destination_cidr_block"] for r in routes[HZ_VPC]] == ["172.16.0.0/16", "192.168.0.0/16", "192.169.0.0/16"]
    assert [r["destination_cidr_block"] for r in routes[BJ_VPC]] == ["10.0.0.0/16", "172.16.0.0/16"]
    assert {r["next_hop_id"] for r in routes[BJ_VPC]} == {"tr-attach-bj"}


def _attachment_result(member, attachment_id, status="Attached"):
    return {"item": member, "attachment": {"transit_router_attachment_id": attachment_id, "route_table_id": "vtb-tr-" + member["region"],
                                           "status": status, "vpc_id": member["vpc_id"]}}


def test_vpc_attachments_and_ids():
    made = role_plan.vpc_attachments_of([HZ, SH], [_attachment_result(HZ, HZ_ATT), _attachment_result(SH, None, "Attaching")])
    assert made == [
        {"region": "cn-hangzhou", "vpc_id": HZ_VPC, "route_table_id": HZ_TABLE, "cidr_blocks": ["10.0.0.0/16"],
         "transit_router_attachment_id": HZ_ATT, "transit_router_route_table_id": "vtb-tr-cn-hangzhou", "status": "Attached"},
        {"region": "cn-shanghai", "vpc_id": SH_VPC, "route_table_id": SH_TABLE, "cidr_blocks": ["172.16.0.0/16"],
         "transit_router_attachment_id": None, "transit_router_route_table_id": "vtb-tr-cn-shanghai", "status": "Attaching"},
    ]
    assert role_plan.attachment_ids(made) == {HZ_VPC: HZ_ATT, SH_VPC: None}
    assert role_plan.attachment_ids([]) == {}


def test_cen_connect_fact():
    attachments = role_plan.vpc_attachments_of([HZ, SH], [_attachment_result(HZ, HZ_ATT), _attachment_result(SH, SH_ATT)])
    routes = role_plan.member_routes([HZ, SH], role_plan.attachment_ids(attachments))
    route_results = [
        {"item": HZ, "routes": [dict(r, route_entry_id="rte-1") for r in routes[HZ_VPC]]},
        {"item": SH, "skipped": True, "changed": False},  # no routes: left out
    ]
    fact = role_plan.cen_connect_fact("cen-1", "vpc_route_entries", [HZ, SH],
                                      [{"transit_router": {"transit_router_id": HZ_TR}}, {"transit_router": {"transit_router_id": SH_TR}}],
                                      attachments, [{"peer_attachment": {"status": "Attached"}}], route_results)
    assert fact == {
        "cen_id": "cen-1", "route_mode": "vpc_route_entries",
        "transit_routers": {"cn-hangzhou": {"transit_router_id": HZ_TR}, "cn-shanghai": {"transit_router_id": SH_TR}},
        "vpc_attachments": attachments, "peer_attachments": [{"status": "Attached"}], "peer_regions": [["cn-hangzhou", "cn-shanghai"]],
        "route_entries": [dict(routes[HZ_VPC][0], route_entry_id="rte-1", vpc_id=HZ_VPC, route_table_id=HZ_TABLE)],
    }
    assert role_plan.cen_connect_fact("cen-1", "auto_publish", [HZ, SH], [{"transit_router": 1}, {"transit_router": 2}],
                                      attachments, [], [])["route_entries"] == []


# ---------------------------------------------------------------- what a teardown may remove


def _vpc_att(vpc_id, router, att_id):
    return {"vpc_id": vpc_id, "transit_router_id": router, "transit_router_attachment_id": att_id}


def _peer(region, router, peer_region, peer_router):
    return {"region_id": region, "transit_router_id": router, "peer_transit_router_region_id": peer_region, "peer_transit_router_id": peer_router}


ROUTERS = [{"region_id": "cn-hangzhou", "transit_router_id": HZ_TR}, {"region_id": "cn-shanghai", "transit_router_id": SH_TR}]
OURS = [_vpc_att(HZ_VPC, HZ_TR, HZ_ATT), _vpc_att(SH_VPC, SH_TR, SH_ATT)]
HZ_SH = _peer("cn-hangzhou", HZ_TR, "cn-shanghai", SH_TR)
SH_HZ = _peer("cn-shanghai", SH_TR, "cn-hangzhou", HZ_TR)  # the same connection, asked for from the other side

TEARDOWN_CASES = {
    "only ours: everything goes": (
        {"transit_routers": ROUTERS, "vpc_attachments": OURS, "peer_attachments": [HZ_SH]},
        dict(attachment_of={HZ_VPC: HZ_ATT, SH_VPC: SH_ATT}, kept_pairs=[], peers_to_delete=[["cn-hangzhou", "cn-shanghai"]],
             kept_routers=[], routers_to_delete=ROUTERS, all_routers_deleted=True)),
    "nothing left (a second teardown)": (
        {"transit_routers": [], "vpc_attachments": [], "peer_attachments": []},
        dict(attachment_of={}, kept_pairs=[], peers_to_delete=[["cn-hangzhou", "cn-shanghai"]], kept_routers=[], routers_to_delete=[],
             all_routers_deleted=True)),
    "another VPC on the Hangzhou router: the router and the connection stay, and so does the Shanghai end": (
        {"transit_routers": ROUTERS, "vpc_attachments": OURS + [_vpc_att("vpc-other", HZ_TR, "tr-attach-other")], "peer_attachments": [SH_HZ]},
        dict(attachment_of={HZ_VPC: HZ_ATT, SH_VPC: SH_ATT}, kept_pairs=[["cn-hangzhou", "cn-shanghai"]], peers_to_delete=[],
             kept_routers=[HZ_TR, SH_TR], routers_to_delete=[], all_routers_deleted=False)),
    "a connection to a region outside the members keeps its router": (
        {"transit_routers": ROUTERS + [{"region_id": "cn-beijing", "transit_router_id": BJ_TR}], "vpc_attachments": OURS,
         "peer_attachments": [HZ_SH, _peer("cn-shanghai", SH_TR, "cn-beijing", BJ_TR)]},
        dict(attachment_of={HZ_VPC: HZ_ATT, SH_VPC: SH_ATT}, kept_pairs=[], peers_to_delete=[["cn-hangzhou", "cn-shanghai"]],
             kept_routers=[SH_TR, BJ_TR], routers_to_delete=[ROUTERS[0]], all_routers_deleted=False)),
    "only one member attached (a partial connect)": (
        {"transit_routers": ROUTERS[:1], "vpc_attachments": OURS[:1], "peer_attachments": []},
        dict(attachment_of={HZ_VPC: HZ_ATT}, kept_pairs=[], peers_to_delete=[["cn-hangzhou", "cn-shanghai"]], kept_routers=[],
             routers_to_delete=ROUTERS[:1], all_routers_deleted=True)),
}


@pytest.mark.parametrize("cen, expected", list(TEARDOWN_CASES.values()), ids=list(TEARDOWN_CASES))
def test_cen_disconnect_plan(cen, expected):
    before = copy.deepcopy(cen)
    assert role_plan.cen_disconnect_plan(cen, [HZ, SH]) == expected
    assert cen == before  # facts in, nothing changed


def test_cen_disconnect_plan_sorts_the_pairs_to_delete():
    plan = role_plan.cen_disconnect_plan({"transit_routers": [], "vpc_attachments": [], "peer_attachments": []}, [SH, HZ])
    assert plan["peers_to_delete"] == [["cn-hangzhou", "cn-shanghai"]]


@pytest.mark.parametrize("fact, pending", [
    ({"cen_id": None, "vpc_attachments": []}, "the CEN"),
    ({"cen_id": "cen-1", "vpc_attachments": [{"vpc_id": HZ_VPC, "transit_router_attachment_id": None},
                                             {"vpc_id": SH_VPC, "transit_router_attachment_id": None}]},
     "the VPC attachment of %s, %s" % (HZ_VPC, SH_VPC)),
    ({"cen_id": "cen-1", "vpc_attachments": [{"vpc_id": HZ_VPC, "transit_router_attachment_id": HZ_ATT},
                                             {"vpc_id": SH_VPC, "transit_router_attachment_id": ""}]}, "the VPC attachment of %s" % SH_VPC),
    ({"cen_id": "cen-1", "vpc_attachments": OURS}, ""),
])
def test_connection_pending(fact, pending):
    assert role_plan.connection_pending(fact) == pending


# ---------------------------------------------------------------- teardown: the fact rebuilt


def test_rebuilt_cen_connect():
    cen_info = {"members": [HZ, SH], "cens": [{"cen_id": "cen-1", "vpc_attachments": OURS + [_vpc_att("vpc-other", HZ_TR, "tr-o")]}]}
    fact = role_plan.rebuilt_cen_connect(cen_info, "vpc_route_entries")
    assert fact == {
        "cen_id": "cen-1", "route_mode": "vpc_route_entries",
        "vpc_attachments": [dict(HZ, transit_router_attachment_id=HZ_ATT), dict(SH, transit_router_attachment_id=SH_ATT)],
        "route_entries": [
            {"vpc_id": HZ_VPC, "route_table_id": HZ_TABLE, "destination_cidr_block": "172.16.0.0/16", "next_hop_id": HZ_ATT},
            {"vpc_id": SH_VPC, "route_table_id": SH_TABLE, "destination_cidr_block": "10.0.0.0/16", "next_hop_id": SH_ATT},
        ],
    }


@pytest.mark.parametrize("cen_info", [
    {"members": [HZ, SH], "cens": []},  # no CEN
    {"members": [HZ, SH], "cens": [{"cen_id": "cen-1", "vpc_attachments": OURS[:1]}]},  # one member attached
    {"members": [HZ, SH], "cens": [{"cen_id": "cen-1", "vpc_attachments": []}]},
])
def test_rebuilt_cen_connect_needs_two_attached_members(cen_info):
    assert role_plan.rebuilt_cen_connect(cen_info) == {}


def test_member_attachments_keep_the_members_order_and_keys():
    cens = [{"vpc_attachments": [OURS[1], OURS[0]]}]
    assert [a["vpc_id"] for a in role_plan.member_attachments([HZ, SH], cens)] == [HZ_VPC, SH_VPC]
    assert role_plan.member_attachments([HZ, SH], cens)[0]["vswitch_ids"] == ["vsw-j", "vsw-k"]


# ---------------------------------------------------------------- registry_routes: the input merge

ROLE_DEFAULTS = {"source_vpc_id": "", "registry_vpc_id": "", "next_hop_instance_id": "i-ecs1", "cen_id": "", "source": {},
                 "registry_vpc": {}, "endpoints": {}, "reachable_cidrs": []}
CEN_CONNECT = {
    "cen_id": "cen-1", "route_mode": "vpc_route_entries",
    "vpc_attachments": [dict(HZ, transit_router_attachment_id=HZ_ATT, transit_router_route_table_id="vtb-tr-hz"),
                        dict(SH, transit_router_attachment_id=SH_ATT, transit_router_route_table_id="vtb-tr-sh")],
    "route_entries": [{"vpc_id": SH_VPC, "route_table_id": SH_TABLE, "destination_cidr_block": "10.0.0.0/16", "next_hop_id": SH_ATT},
                      {"vpc_id": HZ_VPC, "route_table_id": HZ_TABLE, "destination_cidr_block": "172.16.0.0/16", "next_hop_id": HZ_ATT}],
}
ENDPOINTS_FACT = {
    "instance_id": "cri-1", "region": "cn-hangzhou", "takeover": False,
    "registry": {"domain": REGISTRY, "addresses": ["10.0.0.201"], "found_by": "x"},
    "auth": {"domain": AUTH, "addresses": ["100.103.7.181"], "realm": "r", "kind": "vpc"},
    "oss": {"domain": OSS, "addresses": ["100.118.28.43"], "bucket": None, "found_by": "y"},
}
PLAN_ENDPOINTS = {
    "registry": {"domain": REGISTRY, "addresses": ["10.0.0.201"]},
    "auth": {"domain": AUTH, "addresses": ["100.103.7.181"], "takeover": False},
    "oss": {"domain": OSS, "addresses": ["100.118.28.43"], "bucket": None},
}


def _inputs(**given):
    """registry_routes_inputs with the role's defaults, the seed's cen_connect and registry_endpoints, and what the case changes."""
    cen_connect = given.pop("cen_connect", CEN_CONNECT)
    registry_endpoints = given.pop("registry_endpoints", ENDPOINTS_FACT)
    return role_plan.registry_routes_inputs(dict(ROLE_DEFAULTS, **given), cen_connect, registry_endpoints)


def test_inputs_from_the_facts_of_the_steps_before():
    assert _inputs() == {
        "cen_id": "cen-1",
        "source_vpc": {"region": "cn-shanghai", "vpc_id": SH_VPC, "route_table_id": SH_TABLE, "attachment_id": SH_ATT,
                       "transit_router_route_table_id": "vtb-tr-sh", "cidr_blocks": ["172.16.0.0/16"]},
        "registry_vpc": {"region": "cn-hangzhou", "vpc_id": HZ_VPC, "route_table_id": "", "cidr_blocks": ["10.0.0.0/16"],
                         "vswitch_cidr_blocks": [], "next_hop_instance_id": "i-ecs1"},
        "endpoints": PLAN_ENDPOINTS,
        "reachable_cidrs": ["10.0.0.0/16"],
        "member_ids": [HZ_VPC, SH_VPC],
        "error": "",
    }


THREE = dict(CEN_CONNECT, vpc_attachments=CEN_CONNECT["vpc_attachments"] + [dict(BJ, transit_router_attachment_id="tr-attach-bj")])

# (case, inputs, {key: expected}); dotted keys reach into the result
MERGE_CASES = [
    ("three members: the registry VPC is still the only one in its region, the source is ambiguous",
     dict(cen_connect=THREE), {"registry_vpc.vpc_id": HZ_VPC, "source_vpc.vpc_id": "", "source_vpc.region": "", "source_vpc.attachment_id": ""}),
    ("three members, the source named", dict(cen_connect=THREE, source_vpc_id=BJ_VPC),
     {"source_vpc.vpc_id": BJ_VPC, "source_vpc.attachment_id": "tr-attach-bj", "source_vpc.region": "cn-beijing", "reachable_cidrs": []}),
    ("the registry VPC named by the explicit dict", dict(registry_vpc={"vpc_id": SH_VPC}),
     {"registry_vpc.vpc_id": SH_VPC, "source_vpc.vpc_id": HZ_VPC, "registry_vpc.region": "cn-shanghai"}),
    ("the registry region from the explicit dict", dict(registry_vpc={"region": "cn-shanghai"}, registry_endpoints=None),
     {"registry_vpc.vpc_id": SH_VPC, "source_vpc.vpc_id": HZ_VPC}),
    ("no registry_endpoints fact: no region, no registry VPC, no source", dict(registry_endpoints=None),
     {"registry_vpc.vpc_id": "", "source_vpc.vpc_id": "", "endpoints": {}}),
    ("explicit keys override the member's; None and '' do not; [] does",
     dict(source={"route_table_id": "vtb-custom", "attachment_id": None, "region": "", "cidr_blocks": []},
          registry_vpc={"next_hop_instance_id": "i-other", "vswitch_cidr_blocks": ["10.0.0.0/24"]}),
     {"source_vpc.route_table_id": "vtb-custom", "source_vpc.attachment_id": SH_ATT, "source_vpc.region": "cn-shanghai",
      "source_vpc.cidr_blocks": [], "registry_vpc.next_hop_instance_id": "i-other", "registry_vpc.vswitch_cidr_blocks": ["10.0.0.0/24"]}),
    ("an explicit key the member does not have is added", dict(source={"kind": "vpc"}), {"source_vpc.kind": "vpc"}),
    ("the learning table: the one cen_connect found for the source's attachment", dict(source={"attachment_id": SH_ATT}),
     {"source_vpc.transit_router_route_table_id": "vtb-tr-sh"}),
    ("another attachment given: its learning table is not the member's (looked up from the attachment)",
     dict(source={"attachment_id": "tr-attach-other"}), {"source_vpc.attachment_id": "tr-attach-other", "source_vpc.transit_router_route_table_id": ""}),
    ("another attachment and its learning table given", dict(source={"attachment_id": "tr-attach-other", "transit_router_route_table_id": "vtb-tr-x"}),
     {"source_vpc.transit_router_route_table_id": "vtb-tr-x"}),
    ("the learning table given", dict(source={"transit_router_route_table_id": "vtb-tr-x"}), {"source_vpc.transit_router_route_table_id": "vtb-tr-x"}),
    ("a member without a learning table (cen_connect in check mode)", dict(cen_connect=dict(CEN_CONNECT, vpc_attachments=[
        dict(member, transit_router_route_table_id=None) for member in CEN_CONNECT["vpc_attachments"]])),
     {"source_vpc.transit_router_route_table_id": "", "source_vpc.attachment_id": SH_ATT}),
    ("the explicit CEN wins", dict(cen_id="cen-given"), {"cen_id": "cen-given"}),
    ("explicit endpoints win", dict(endpoints={"registry": {"domain": "r"}}), {"endpoints": {"registry": {"domain": "r"}}}),
    ("no cen_connect at all: explicit inputs only", dict(cen_connect=None, cen_id="cen-x", source={"vpc_id": SH_VPC, "region": "cn-shanghai"}),
     {"cen_id": "cen-x", "source_vpc": {"region": "cn-shanghai", "vpc_id": SH_VPC, "route_table_id": "", "attachment_id": "",
                                        "transit_router_route_table_id": "", "cidr_blocks": []},
      "member_ids": [], "reachable_cidrs": []}),
    ("the given reachable CIDR blocks come first, each once", dict(reachable_cidrs=["10.0.0.0/16", "192.0.2.0/24"]),
     {"reachable_cidrs": ["10.0.0.0/16", "192.0.2.0/24"]}),
    ("only the routes through the source's own attachment count", dict(
        cen_connect=dict(CEN_CONNECT, route_entries=CEN_CONNECT["route_entries"] + [
            {"vpc_id": SH_VPC, "destination_cidr_block": "10.9.0.0/16", "next_hop_id": "tr-attach-other"}])),
     {"reachable_cidrs": ["10.0.0.0/16"]}),
    ("auto_publish: every other member's CIDR blocks arrive through the transit router",
     dict(cen_connect=dict(THREE, route_mode="auto_publish", route_entries=[]), source_vpc_id=SH_VPC),
     {"reachable_cidrs": ["10.0.0.0/16", "192.168.0.0/16", "192.169.0.0/16"]}),
    ("takeover as a string", dict(registry_endpoints=dict(ENDPOINTS_FACT, takeover="yes")), {"endpoints.auth.takeover": True}),
    ("takeover missing", dict(registry_endpoints={k: v for k, v in ENDPOINTS_FACT.items() if k != "takeover"}), {"endpoints.auth.takeover": False}),
]


def _at(value, dotted):
    for key in dotted.split("."):
        value = value[key]
    return value


@pytest.mark.parametrize("case, given, expected", MERGE_CASES, ids=[case[0] for case in MERGE_CASES])
def test_inputs_merge(case, given, expected):
    result = _inputs(**given)
    for dotted, value in expected.items():
        assert _at(result, dotted) == value, (case, dotted)


def test_inputs_do_not_change_the_facts():
    cen_connect, endpoints = copy.deepcopy(CEN_CONNECT), copy.deepcopy(ENDPOINTS_FACT)
    _inputs(cen_connect=cen_connect, registry_endpoints=endpoints, source={"route_table_id": "vtb-x"})
    assert (cen_connect, endpoints) == (CEN_CONNECT, ENDPOINTS_FACT)


def test_plan_endpoints():
    assert role_plan.plan_endpoints({}) == {}
    assert role_plan.plan_endpoints(None) == {}
    assert role_plan.plan_endpoints(ENDPOINTS_FACT) == PLAN_ENDPOINTS
    assert role_plan.plan_endpoints(dict(ENDPOINTS_FACT, takeover=True))["auth"]["takeover"] is True


# ---------------------------------------------------------------- registry_routes: the routes and the fact

PLAN = {
    "source_routes": [
        {"destination_cidr_block": "100.103.7.181/32", "next_hop_type": "Attachment", "next_hop_id": SH_ATT, "reason": "auth", "already_present": False},
        {"destination_cidr_block": "100.118.28.0/24", "next_hop_type": "Attachment", "next_hop_id": SH_ATT, "reason": "oss", "already_present": True},
    ],
    "registry_routes": [
        {"destination_cidr_block": "100.0.0.0/8", "next_hop_type": "Instance", "next_hop_id": "i-ecs1", "advertise": True, "reason": "covering"},
        {"destination_cidr_block": "192.0.2.1/32", "next_hop_type": "Instance", "next_hop_id": "i-ecs1", "advertise": False, "reason": "x"},
    ],
    "hosts_entries": [{"ip": "10.0.0.201", "names": [REGISTRY]}, {"ip": "100.103.7.181", "names": [AUTH]}],
    "findings": [
        {"code": "auth_address_conflict", "severity": "error", "accepted": False, "message": "auth conflict"},
        {"code": "oss_address_conflict", "severity": "error", "accepted": True, "message": "oss conflict"},
        {"code": "oss_address_mode", "severity": "warning", "accepted": False, "message": "oss mode"},
        {"code": "auth_domain_takeover", "severity": "info", "accepted": False, "message": "takeover"},
    ],
    "blocking": True,
}


def test_registry_route_entries():
    assert role_plan.registry_route_entries(PLAN, "registry_routes") == {
        "source_routes": [
            {"destination_cidr_block": "100.103.7.181/32", "next_hop_type": "Attachment", "next_hop_id": SH_ATT, "description": "registry_routes"},
            {"destination_cidr_block": "100.118.28.0/24", "next_hop_type": "Attachment", "next_hop_id": SH_ATT, "description": "registry_routes"},
        ],
        "registry_routes": [
            {"destination_cidr_block": "100.0.0.0/8", "next_hop_type": "Instance", "next_hop_id": "i-ecs1", "description": "registry_routes"},
            {"destination_cidr_block": "192.0.2.1/32", "next_hop_type": "Instance", "next_hop_id": "i-ecs1", "description": "registry_routes"},
        ],
        "advertised": ["100.0.0.0/8"],
    }
    assert role_plan.registry_route_entries({}, "d") == {"source_routes": [], "registry_routes": [], "advertised": []}


def test_blocking_findings():
    assert [f["code"] for f in role_plan.blocking_findings(PLAN)] == ["auth_address_conflict"]
    assert role_plan.blocking_findings({"findings": []}) == []


SKIPPED = {"skipped": True, "changed": False, "skip_reason": "Conditional result was False", "false_condition": "x"}


@pytest.mark.parametrize("source, registry, advertisement, shown, changed", [
    ({"changed": True, "routes": [1]}, {"changed": False}, {"changed": False},
     ({"changed": True, "routes": [1]}, {"changed": False}, {"changed": False}), True),
    ({"changed": False}, {"changed": False}, {"changed": False}, ({"changed": False}, {"changed": False}, {"changed": False}), False),
    (SKIPPED, SKIPPED, SKIPPED, ({}, {}, {}), False),  # nothing planned
    (SKIPPED, {"changed": False}, {"changed": True}, ({}, {"changed": False}, {"changed": True}), True),
])
def test_registry_routes_fact(source, registry, advertisement, shown, changed):
    inputs = _inputs()
    fact = role_plan.registry_routes_fact("present", inputs, PLAN, source, registry, advertisement)
    assert fact["state"] == "present" and fact["plan"] is PLAN
    assert fact["inputs"] == {"cen_id": "cen-1", "source": inputs["source_vpc"], "registry_vpc": inputs["registry_vpc"],
                              "endpoints": PLAN_ENDPOINTS, "reachable_cidrs": ["10.0.0.0/16"]}
    assert (fact["source"], fact["registry"], fact["advertisement"]) == shown
    assert fact["changed"] is changed


# ---------------------------------------------------------------- registry_endpoints

KNOWN = {"registry": {"addresses": ["10.0.0.201"]}, "auth": {"domain": AUTH, "addresses": ["100.103.7.181"]},
         "oss": {"domain": OSS, "addresses": ["100.118.28.43"]}}


@pytest.mark.parametrize("known, wrong", [
    (KNOWN, []),
    (dict(KNOWN, takeover=True), []),
    (dict(KNOWN, registry={"domain": REGISTRY, "addresses": ["10.0.0.201"]}), []),
    (dict(KNOWN, oss={"addresses": ["100.118.28.43"]}), ["oss"]),
    (dict(KNOWN, oss={"domain": OSS, "addresses": []}), ["oss"]),
    (dict(KNOWN, registry={}), ["registry"]),
    ({"auth": "x"}, ["registry", "auth", "oss"]),
])
def test_known_endpoints_errors(known, wrong):
    errors = role_plan.known_endpoints_errors(known)
    assert [e.split(" ")[0] for e in errors] == ["registry_endpoints_known.%s" % kind for kind in wrong]
    if "oss" in wrong:
        assert ("registry_endpoints_known.oss needs domain and addresses, for example oss: {domain: %s, addresses: [100.118.28.43]}." % OSS) in errors
    if "registry" in wrong:
        assert errors[0].startswith("registry_endpoints_known.registry needs addresses, for example registry: {domain: ")


def test_known_probe_result():
    result = role_plan.known_probe_result(dict(KNOWN, takeover=True), REGISTRY, "")
    assert result == {
        "probe": {"host": ""},
        "registry": {"domain": REGISTRY, "addresses": ["10.0.0.201"], "unexpected_addresses": []},
        "auth": {"domain": AUTH, "addresses": ["100.103.7.181"], "realm": "https://%s/auth" % AUTH, "service": "", "kind": "given",
                 "found_by": "registry_endpoints_known (not probed)", "takeover": True},
        "oss": {"domain": OSS, "addresses": ["100.118.28.43"], "bucket": None, "found_by": "registry_endpoints_known (not probed)",
                "outside_vip_ranges": []},
    }
    given = role_plan.known_probe_result(dict(KNOWN, registry={"domain": "other.example", "addresses": ["10.0.0.9"]}), REGISTRY, "my-bucket")
    assert given["registry"]["domain"] == "other.example" and given["oss"]["bucket"] == "my-bucket" and given["auth"]["takeover"] is False


INSTANCE = {"instance_id": "cri-1", "instance_name": "acr-twin", "endpoints": {"registry": {
    "vpc": {"domains": [REGISTRY, "acr-twin-registry-vpc.example"], "linked_vpcs": [
        {"vpc_id": HZ_VPC, "ip": "10.0.0.201"}, {"vpc_id": "vpc-b", "ip": "10.1.0.9"}, {"vpc_id": "vpc-c", "ip": ""}]},
    "internet": {"domains": ["acr-twin-registry.cn-hangzhou.cr.aliyuncs.com", REGISTRY]}}}}


@pytest.mark.parametrize("probe_vpc, linked", [("", ["10.0.0.201", "10.1.0.9"]), (HZ_VPC, ["10.0.0.201"]), ("vpc-c", []), ("vpc-x", [])])
def test_registry_endpoints_source(probe_vpc, linked):
    source = role_plan.registry_endpoints_source(INSTANCE, probe_vpc)
    assert source == {"domain": REGISTRY, "linked_ips": linked,
                      "own_domains": [REGISTRY, "acr-twin-registry-vpc.example", "acr-twin-registry.cn-hangzhou.cr.aliyuncs.com"]}
    no_internet = copy.deepcopy(INSTANCE)
    del no_internet["endpoints"]["registry"]["internet"]
    assert role_plan.registry_endpoints_source(no_internet, probe_vpc)["own_domains"] == [REGISTRY, "acr-twin-registry-vpc.example"]


PROBED = {
    "probe": {"host": "hangzhou-probe-1"},
    "registry": {"domain": REGISTRY, "addresses": ["10.0.0.201"], "unexpected_addresses": []},
    "auth": {"domain": AUTH, "addresses": ["100.103.7.181"], "realm": "https://%s/auth" % AUTH, "service": "registry", "kind": "vpc",
             "found_by": "realm", "takeover": False},
    "oss": {"domain": OSS, "addresses": ["100.118.28.43"], "bucket": None, "found_by": "table", "outside_vip_ranges": []},
}


@pytest.mark.parametrize("probe_vpc, link_vpc, warned", [
    ("", "", False),             # no probe VPC given: any linked VPC's address is accepted
    (HZ_VPC, "", False),         # linked
    ("vpc-c", "", False),        # linked, its address not assigned yet
    ("vpc-x", "", True),         # not linked: nothing to expect, the probe checks nothing
    ("vpc-x", "vpc-x", False),   # the role links it first (registry_endpoints_link_vpc)
])
def test_registry_endpoints_probe_vpc_warnings(probe_vpc, link_vpc, warned):
    warnings = role_plan.registry_endpoints_probe_vpc_warnings(INSTANCE, probe_vpc, link_vpc)
    assert bool(warnings) is warned
    if warned:
        assert "registry_endpoints_probe_vpc_id" in warnings[0] and "vpc-x" in warnings[0] and "registry_endpoints_link_vpc" in warnings[0]
        assert "%s, vpc-b, vpc-c" % HZ_VPC in warnings[0]


def test_registry_endpoints_fact_carries_extra_warnings():
    fact = role_plan.registry_endpoints_fact(INSTANCE, "cn-hangzhou", "probe-1", ["10.0.0.201"], PROBED, warnings=["probe VPC"])
    assert fact["warnings"] == ["probe VPC"]


def test_registry_endpoints_fact_probed():
    fact = role_plan.registry_endpoints_fact(INSTANCE, "cn-hangzhou", "probe", ["10.0.0.201"], PROBED)
    assert fact == {
        "instance_id": "cri-1", "instance_name": "acr-twin", "region": "cn-hangzhou", "probe_host": "probe", "linked_vpc_addresses": ["10.0.0.201"],
        "registry": {"domain": REGISTRY, "addresses": ["10.0.0.201"],
                     "found_by": "VPC endpoint domain from cr_instance_info (cri-1); addresses resolved on probe (hangzhou-probe-1)"},
        "auth": {"domain": AUTH, "addresses": ["100.103.7.181"], "realm": "https://%s/auth" % AUTH, "service": "registry", "kind": "vpc",
                 "found_by": "realm"},
        "oss": {"domain": OSS, "addresses": ["100.118.28.43"], "bucket": None, "found_by": "table"},
        "takeover": False, "warnings": [],
    }


def test_registry_endpoints_fact_known_and_warnings():
    known = role_plan.known_probe_result(KNOWN, REGISTRY)
    fact = role_plan.registry_endpoints_fact(INSTANCE, "cn-hangzhou", "", ["10.0.0.201"], known, known=True)
    assert fact["registry"]["found_by"] == "VPC endpoint domain from cr_instance_info (cri-1); addresses from registry_endpoints_known (not probed)"
    odd = copy.deepcopy(PROBED)
    odd["registry"]["unexpected_addresses"] = ["10.9.9.9", "10.9.9.8"]
    odd["oss"]["outside_vip_ranges"] = ["100.99.0.1"]
    assert role_plan.registry_endpoints_fact(INSTANCE, "cn-hangzhou", "probe", ["10.0.0.201"], odd)["warnings"] == [
        "%s resolves to 10.9.9.9, 10.9.9.8 on probe, not to the linked VPC address 10.0.0.201 that the API reports" % REGISTRY,
        "%s resolves to 100.99.0.1, outside the published OSS VIP ranges of cn-hangzhou" % OSS,
    ]


# ---------------------------------------------------------------- registry_client


@pytest.mark.parametrize("engine, path", [
    ("docker", "/etc/docker/certs.d/%s/ca.crt" % REGISTRY),
    ("podman", "/etc/containers/certs.d/%s/ca.crt" % REGISTRY),
    ("anything-else", "/etc/containers/certs.d/%s/ca.crt" % REGISTRY),
])
def test_registry_ca_path(engine, path):
    assert role_plan.registry_ca_path(engine, REGISTRY) == path


@pytest.mark.parametrize("takeover, auth_addresses", [
    (False, ["100.103.7.181"]), (True, ["10.0.0.201"]), ("true", ["10.0.0.201"]), ("no", ["100.103.7.181"]), (None, ["100.103.7.181"]),
])
def test_verify_endpoints(takeover, auth_addresses):
    assert role_plan.verify_endpoints(dict(ENDPOINTS_FACT, takeover=takeover)) == {
        "registry": {"domain": REGISTRY, "addresses": ["10.0.0.201"]},
        "auth": {"domain": AUTH, "addresses": auth_addresses},
        "oss": {"domain": OSS, "addresses": ["100.118.28.43"]},
    }


def test_verify_endpoints_expects_a_domain_where_the_hosts_entries_map_it():
    # the OSS PrivateLink endpoint: the hosts block maps the OSS domain into the registry VPC, not to the probe's 100.x
    entries = [{"ip": "10.0.0.201", "names": [REGISTRY]}, {"ip": "100.103.7.181", "names": [AUTH]},
               {"ip": "10.0.0.202", "names": [OSS]}, {"ip": "10.0.1.202", "names": [OSS, "other.example"]}]
    targets = role_plan.verify_endpoints(ENDPOINTS_FACT, entries)
    assert targets["oss"] == {"domain": OSS, "addresses": ["10.0.0.202", "10.0.1.202"]}
    assert targets["registry"]["addresses"] == ["10.0.0.201"] and targets["auth"]["addresses"] == ["100.103.7.181"]
    assert role_plan.verify_endpoints(ENDPOINTS_FACT, []) == role_plan.verify_endpoints(ENDPOINTS_FACT)
    # a block that maps the domain to the probe's address too keeps the probe's addresses as what is checked
    both = [{"ip": "100.118.28.43", "names": [OSS]}, {"ip": "10.0.0.202", "names": [OSS]}]
    assert role_plan.verify_endpoints(ENDPOINTS_FACT, both)["oss"]["addresses"] == ["100.118.28.43"]


def test_client_reports():
    hosts = [{"registry_client": {"report": {"host": "a"}}}, {"other": 1}, {"registry_client": {"report": None}}, None,
             {"registry_client": {"report": {"host": "b"}}}]
    assert role_plan.client_reports(hosts) == [{"host": "a"}, {"host": "b"}]
    assert role_plan.client_reports([]) == []


# ---------------------------------------------------------------- cross_region_access

ROUTES_FACT = {"plan": PLAN, "inputs": {"source": {"attachment_id": SH_ATT}, "registry_vpc": {"next_hop_instance_id": "i-ecs1"}},
               "advertisement": {"learned": {"transit_router_route_table_id": "vtb-tr-sh"}}}


def test_cross_region_summary_and_report():
    summary = role_plan.cross_region_summary(CEN_CONNECT, ENDPOINTS_FACT, ROUTES_FACT)
    assert summary == {
        "cen_id": "cen-1", "attachments": [[HZ_VPC, HZ_ATT], [SH_VPC, SH_ATT]],
        "endpoints": [[REGISTRY, "10.0.0.201"], [AUTH, "100.103.7.181"], [OSS, "100.118.28.43"]], "takeover": False,
        "source_routes": ["100.103.7.181/32", "100.118.28.0/24"], "registry_routes": ["100.0.0.0/8", "192.0.2.1/32"], "learned_by": "vtb-tr-sh",
        "findings": ["auth conflict", "oss conflict", "oss mode"],
        "hosts_lines": ["10.0.0.201 " + REGISTRY, "100.103.7.181 " + AUTH],
    }
    assert role_plan.cross_region_report(summary, ROUTES_FACT) == [
        "Step 1: CEN cen-1; VPC attachments %s -> %s, %s -> %s" % (HZ_VPC, HZ_ATT, SH_VPC, SH_ATT),
        "Step 2: %s = 10.0.0.201; %s = 100.103.7.181; %s = 100.118.28.43; auth-domain takeover False" % (REGISTRY, AUTH, OSS),
        "Step 3: source routes 100.103.7.181/32, 100.118.28.0/24 -> %s; covering route(s) 100.0.0.0/8, 192.0.2.1/32 -> i-ecs1, "
        "advertised and learned by vtb-tr-sh" % SH_ATT,
        "Findings: auth conflict | oss conflict | oss mode",
        "The /etc/hosts lines every client needs (step 4 writes them on the hosts of the group registry_clients):",
        ["10.0.0.201 " + REGISTRY, "100.103.7.181 " + AUTH],
    ]


def test_cross_region_summary_in_check_mode_without_step_3():
    planned = {"cen_id": None, "vpc_attachments": []}
    summary = role_plan.cross_region_summary(planned, dict(ENDPOINTS_FACT, takeover=True), {})
    assert (summary["source_routes"], summary["registry_routes"], summary["learned_by"], summary["findings"], summary["hosts_lines"]) == (
        [], [], None, [], [])
    assert role_plan.cross_region_report(summary, {})[:4] == [
        "Step 1: CEN None; VPC attachments ",
        "Step 2: %s = 10.0.0.201; %s = 100.103.7.181; %s = 100.118.28.43; auth-domain takeover True" % (REGISTRY, AUTH, OSS),
        "Step 3: source routes none -> -; covering route(s) none -> -, advertised and learned by None",
        "Findings: none",
    ]
    # a check-mode attachment without id
    pending = {"cen_id": "cen-1", "vpc_attachments": [{"vpc_id": HZ_VPC, "transit_router_attachment_id": None}]}
    assert role_plan.cross_region_report(role_plan.cross_region_summary(pending, ENDPOINTS_FACT, {}), {})[0] == (
        "Step 1: CEN cen-1; VPC attachments %s -> None" % HZ_VPC)


@pytest.mark.parametrize("given, named", [
    (dict(cen_connect={}), ["registry_routes_cen_id", "registry_routes_source_vpc_id (one of the members of cen_connect: none)",
                            "registry_routes_registry_vpc_id"]),
    (dict(cen_connect=THREE), ["registry_routes_source_vpc_id (one of the members of cen_connect: %s, %s, %s)"]),
    (dict(source={"vpc_id": "vpc-elsewhere"}), ["registry_routes_source.region", "registry_routes_source.attachment_id"]),
    (dict(next_hop_instance_id=""), ["registry_routes_next_hop_instance_id (the ECS instance in the registry VPC %s" % HZ_VPC]),
    (dict(registry_endpoints=None, registry_vpc={"region": "cn-hangzhou"}), ["registry_routes_endpoints (run the role registry_endpoints"]),
])
def test_missing_inputs_name_their_variables(given, named):
    error = _inputs(**given)["error"]
    assert error.startswith("registry_routes: missing ")
    for name in named:
        if "%s" in name:
            name = name % tuple(member["vpc_id"] for member in THREE["vpc_attachments"])
        assert name in error, error
