"""cen_info's main() against the twin: the whole CEN read back, and the member checks that run before any change."""

import pytest

from ansible_collections.alicloud.acr_access.plugins.module_utils import cen as api
from ansible_collections.alicloud.acr_access.plugins.modules.cen_info import main
from acr_twin import seed_ids


def system_table(module, router_id):
    """The id of the transit router's System route table."""
    return next(table["TransitRouterRouteTableId"] for table in api.list_route_tables(module, router_id)
                if table["TransitRouterRouteTableType"] == "System")


HZ = {"region": "cn-hangzhou", "vpc_id": seed_ids.REGISTRY_VPC, "vswitch_ids": [seed_ids.REGISTRY_VSWITCH_J, seed_ids.REGISTRY_VSWITCH_K]}
SH = {"region": "cn-shanghai", "vpc_id": seed_ids.SOURCE_VPC, "vswitch_ids": [seed_ids.SOURCE_VSWITCH_M, seed_ids.SOURCE_VSWITCH_N]}


def build_connected_cen(twin, module):
    cen_id = api.create_cen(module, "acr-access", None)
    twin.settle()
    routers = {}
    for region in ("cn-hangzhou", "cn-shanghai"):
        routers[region] = {"TransitRouterId": api.create_transit_router(module, cen_id, region, None, None), "CenId": cen_id, "RegionId": region}
    twin.settle()
    attachment = api.create_vpc_attachment(module, routers["cn-hangzhou"], HZ["vpc_id"],
                                           {"cn-hangzhou-j": HZ["vswitch_ids"][0], "cn-hangzhou-k": HZ["vswitch_ids"][1]}, None, None, False)
    api.create_peer_attachment(module, routers["cn-hangzhou"], routers["cn-shanghai"], {"BandwidthType": "DataTransfer", "Bandwidth": 5}, None, None)
    twin.settle()
    table = system_table(module, routers["cn-hangzhou"]["TransitRouterId"])
    api.create_link(module, "association", attachment, table)
    twin.settle()
    return cen_id, attachment, table


def test_reads_back_the_whole_cen(run_module, twin_args, twin, make_module):
    cen_id, attachment_id, table_id = build_connected_cen(twin, make_module(twin_args()))
    since = twin.last_seq()
    result = run_module(main, twin_args(cen_name="acr-access"))
    assert result["changed"] is False and twin.writes(since) == []
    [cen] = result["cens"]
    assert cen["cen_id"] == cen_id and cen["status"] == "Active"
    assert sorted(r["region_id"] for r in cen["transit_routers"]) == ["cn-hangzhou", "cn-shanghai"]
    assert all(r["system_route_table_id"] in r["route_table_ids"] for r in cen["transit_routers"])
    [attachment] = cen["vpc_attachments"]
    assert attachment["transit_router_attachment_id"] == attachment_id and len(attachment["zone_mappings"]) == 2
    assert attachment["associations"] == [{"route_table_id": table_id, "status": "Active"}] and attachment["propagations"] == []
    [peer] = cen["peer_attachments"]
    assert (peer["status"], peer["bandwidth"]) == ("Attached", 5)
    assert (cen["vpn_attachments"], cen["vbr_attachments"]) == ([], [])
    assert "members" not in result


def test_route_entries_returns_what_each_transit_router_learned(run_module, twin_args, twin, make_module):
    module = make_module(twin_args())
    cen_id, attachment_id, table_id = build_connected_cen(twin, module)
    api.create_link(module, "propagation", attachment_id, table_id)
    twin.settle()
    since = twin.last_seq()
    result = run_module(main, twin_args(cen_id=cen_id, route_entries=True))
    assert twin.writes(since) == []
    routers = {router["region_id"]: router for router in result["cens"][0]["transit_routers"]}
    # one read per route table; the registry VPC's CIDR block is learned in Hangzhou and, over the peer, in Shanghai
    assert twin.counts(since)["ListTransitRouterRouteEntries"] == sum(len(r["route_table_ids"]) for r in routers.values())
    [learned] = routers["cn-hangzhou"]["route_entries"]
    assert (learned["transit_router_route_table_id"], learned["destination_cidr_block"], learned["status"], learned["next_hop_id"]) == (
        table_id, seed_ids.REGISTRY_VPC_CIDR, "Active", attachment_id)
    assert [entry["destination_cidr_block"] for entry in routers["cn-shanghai"]["route_entries"]] == [seed_ids.REGISTRY_VPC_CIDR]
    assert "route_entries" not in run_module(main, twin_args(cen_id=cen_id))["cens"][0]["transit_routers"][0]


def test_unknown_cen_gives_an_empty_list(run_module, twin_args):
    assert run_module(main, twin_args(cen_id="cen-doesnotexist0000001"))["cens"] == []


def test_validate_members_resolves_zones_cidrs_and_route_tables(run_module, twin_args, twin):
    result = run_module(main, twin_args(validate_members=[HZ, SH]))
    assert "failed" not in result and twin.writes() == []
    hz, sh = result["members"]
    assert hz["zones"] == {"cn-hangzhou-j": HZ["vswitch_ids"][0], "cn-hangzhou-k": HZ["vswitch_ids"][1]}
    assert (hz["cidr_blocks"], hz["route_table_id"]) == (["10.0.0.0/16"], seed_ids.REGISTRY_ROUTE_TABLE)
    assert (sh["cidr_blocks"], sh["route_table_id"]) == (["172.16.0.0/16"], seed_ids.SOURCE_ROUTE_TABLE)
    assert result["reachable_regions"] == ["cn-hangzhou", "cn-shanghai"]


def add_vpc(twin, vpc_id, region, cidr, zones):
    """A VPC with one vSwitch per zone, straight into the twin's state (the twin has no CreateVpc)."""
    template = twin.cloud.vpcs[seed_ids.REGISTRY_VPC]
    twin.cloud.vpcs[vpc_id] = dict(template, VpcId=vpc_id, RegionId=region, CidrBlock=cidr)
    ids = []
    for index, zone in enumerate(zones):
        vsw_id = "%s-vsw%d" % (vpc_id.replace("vpc-", "vsw-"), index)
        twin.cloud.vswitches[vsw_id] = dict(twin.cloud.vswitches[seed_ids.REGISTRY_VSWITCH_J], VSwitchId=vsw_id, VpcId=vpc_id,
                                            RegionId=region, ZoneId=zone, CidrBlock=cidr)
        ids.append(vsw_id)
    return {"region": region, "vpc_id": vpc_id, "vswitch_ids": ids}


@pytest.mark.parametrize("case, words", [
    ("unknown_vpc", ["cen_connect_members[1].vpc_id", "vpc-uf6nothere000000001", "cn-shanghai"]),
    ("unknown_vswitch", ["cen_connect_members[1].vswitch_ids", "vsw-uf6nothere00000001"]),
    ("one_zone", ["cen_connect_members[0].vswitch_ids", "cn-hangzhou-j", "allow_single_zone"]),
    ("other_vpc", ["cen_connect_members[1].vswitch_ids", "vsw-uf6other0000000001-vsw0", "belongs to VPC vpc-uf6other0000000001"]),
    ("overlap", ["cen_connect_members[1].vpc_id", "172.16.0.0/16", "overlaps 10.0.0.0/8"]),
    ("overlap_same_region", ["cen_connect_members[2].vpc_id", "10.0.128.0/17", "overlaps 10.0.0.0/16"]),
    ("region", ["cen_connect_members[1].region", "eu-nowhere-9"]),
    ("bad_region", ["cen_connect_members[1].region", "Not_A_Region"]),
])
def test_bad_members_fail_naming_the_field(run_module, twin_args, twin, case, words):
    members = [dict(HZ), dict(SH)]
    if case == "unknown_vpc":
        members[1]["vpc_id"] = "vpc-uf6nothere000000001"
    elif case == "unknown_vswitch":
        members[1]["vswitch_ids"] = [SH["vswitch_ids"][0], "vsw-uf6nothere00000001"]
    elif case == "one_zone":
        members[0]["vswitch_ids"] = [HZ["vswitch_ids"][0]]
    elif case == "other_vpc":
        other = add_vpc(twin, "vpc-uf6other0000000001", "cn-shanghai", "192.168.0.0/16", ["cn-shanghai-m"])
        members[1]["vswitch_ids"] = [SH["vswitch_ids"][0], other["vswitch_ids"][0]]
    elif case == "overlap":
        twin.cloud.vpcs[seed_ids.REGISTRY_VPC]["CidrBlock"] = "10.0.0.0/8"
        twin.cloud.vpcs[seed_ids.SOURCE_VPC]["SecondaryCidrBlocks"] = {"SecondaryCidrBlock": ["10.200.0.0/16"]}
        words = ["cen_connect_members[1].vpc_id", "10.200.0.0/16", "overlaps 10.0.0.0/8"]
    elif case == "overlap_same_region":
        members.append(add_vpc(twin, "vpc-bp1second000000001", "cn-hangzhou", "10.0.128.0/17", ["cn-hangzhou-j", "cn-hangzhou-k"]))
    elif case == "region":
        members[1]["region"] = "eu-nowhere-9"
    elif case == "bad_region":
        members[1]["region"] = "Not_A_Region"
    result = run_module(main, twin_args(validate_members=members, members_label="cen_connect_members"))
    assert result["failed"] is True and result["error"]["code"] == "InvalidInput"
    assert all(word in result["msg"] for word in words), result["msg"]
    assert twin.writes() == []


def test_links_are_read_once_per_route_table_not_per_attachment(run_module, twin_args, twin, make_module):
    module = make_module(twin_args())
    cen_id, first_id, table_id = build_connected_cen(twin, module)
    second = add_vpc(twin, "vpc-bp1second000000001", "cn-hangzhou", "10.1.0.0/16", ["cn-hangzhou-j", "cn-hangzhou-k"])
    router = {"TransitRouterId": twin.cloud.tr_route_tables[table_id]["TransitRouterId"], "CenId": cen_id, "RegionId": "cn-hangzhou"}
    zones = {"cn-hangzhou-j": second["vswitch_ids"][0], "cn-hangzhou-k": second["vswitch_ids"][1]}
    second_id = api.create_vpc_attachment(module, router, second["vpc_id"], zones, None, None, False)
    twin.settle()
    api.create_link(module, "propagation", second_id, table_id)
    twin.settle()
    since = twin.last_seq()
    [cen] = run_module(main, twin_args(cen_id=cen_id))["cens"]
    counts = twin.counts(since)
    # two attachments on the Hangzhou router, one route table there, none attached in Shanghai: one call per kind
    assert (counts["ListTransitRouterRouteTableAssociations"], counts["ListTransitRouterRouteTablePropagations"]) == (1, 1)
    views = {a["transit_router_attachment_id"]: a for a in cen["vpc_attachments"]}
    assert views[first_id]["associations"] == [{"route_table_id": table_id, "status": "Active"}] and views[first_id]["propagations"] == []
    assert views[second_id]["associations"] == [] and views[second_id]["propagations"] == [{"route_table_id": table_id, "status": "Active"}]


def test_data_center_attachments_are_read_back_with_their_links(run_module, twin_args, twin, make_module):
    module = make_module(twin_args())
    cen_id, _attachment_id, table_id = build_connected_cen(twin, module)
    router = {"TransitRouterId": twin.cloud.tr_route_tables[table_id]["TransitRouterId"], "CenId": cen_id, "RegionId": "cn-hangzhou"}
    vpn_id = api.create_data_center_attachment(module, "vpn", router, seed_ids.IPSEC_TRANSIT_ROUTER, {"Zone": [{"ZoneId": "cn-hangzhou-j"}]})
    vbr_id = api.create_data_center_attachment(module, "vbr", router, seed_ids.VBR, {})
    twin.settle()
    api.create_link(module, "propagation", vpn_id, table_id)
    api.create_link(module, "association", vbr_id, table_id)
    twin.settle()
    since = twin.last_seq()
    [cen] = run_module(main, twin_args(cen_id=cen_id))["cens"]
    assert twin.writes(since) == []
    [vpn] = cen["vpn_attachments"]
    assert (vpn["transit_router_attachment_id"], vpn["vpn_id"], vpn["vpn_region_id"], vpn["status"], vpn["zone_ids"]) == (
        vpn_id, seed_ids.IPSEC_TRANSIT_ROUTER, "cn-hangzhou", "Attached", ["cn-hangzhou-j"])
    assert vpn["associations"] == [] and vpn["propagations"] == [{"route_table_id": table_id, "status": "Active"}]
    [vbr] = cen["vbr_attachments"]
    assert (vbr["transit_router_attachment_id"], vbr["vbr_id"], vbr["status"]) == (vbr_id, seed_ids.VBR, "Attached")
    assert vbr["associations"] == [{"route_table_id": table_id, "status": "Active"}] and vbr["propagations"] == []
    # still one list per route table and kind, shared by the VPC, VPN and VBR attachments
    counts = twin.counts(since)
    assert (counts["ListTransitRouterRouteTableAssociations"], counts["ListTransitRouterRouteTablePropagations"]) == (1, 1)
    assert (counts["ListTransitRouterVpnAttachments"], counts["ListTransitRouterVbrAttachments"]) == (1, 1)
