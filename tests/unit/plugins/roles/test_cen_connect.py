"""The role cen_connect through ansible-playbook against the twin: order of calls, the final state, a second run without
writes, check mode, teardown, bad input. Each playbook run costs a few seconds (one Python process per module task).
"""

import copy
import re

import pytest

from acr_twin import Twin, TwinServer
from acr_twin.fixtures import SEED
from acr_twin import seed_ids as ids

from ansible_collections.alicloud.acr_access.plugins.module_utils.vpc import VPC

HZ_VPC, SH_VPC = ids.REGISTRY_VPC, ids.SOURCE_VPC
HZ_TABLE, SH_TABLE = ids.REGISTRY_ROUTE_TABLE, ids.SOURCE_ROUTE_TABLE
MEMBERS = [
    {"region": "cn-hangzhou", "vpc_id": HZ_VPC, "vswitch_ids": [ids.REGISTRY_VSWITCH_J, ids.REGISTRY_VSWITCH_K]},
    {"region": "cn-shanghai", "vpc_id": SH_VPC, "vswitch_ids": [ids.SOURCE_VSWITCH_M, ids.SOURCE_VSWITCH_N]},
]


@pytest.fixture
def play(play_role):
    """``play(check=False, endpoint=None, **role_vars)`` -> (return code, output, the fact cen_connect or None)."""
    def run(check=False, endpoint=None, **role_vars):
        return play_role("cen_connect", check=check, endpoint=endpoint,
                         **dict({"cen_connect_cen_name": "acr-access", "cen_connect_members": MEMBERS}, **role_vars))
    return run


def test_attachments_are_waited_for_together_a_second_run_only_reads_then_absent_removes_exactly_what_was_made(
        play, twin, make_module, twin_args):
    # A route of someone else, in a member's table: the role must leave it alone.
    module = make_module(twin_args())
    module.call(VPC, "CreateRouteEntry", {"RegionId": "cn-hangzhou", "RouteTableId": HZ_TABLE, "DestinationCidrBlock": "192.168.0.0/16",
                                          "NextHopType": "Instance", "NextHopId": ids.REGISTRY_ECS, "ClientToken": "foreign"})
    twin.settle()
    foreign = {k for k, e in twin.cloud.route_entries.items() if e["DestinationCidrBlock"] == "192.168.0.0/16"}
    entries_before = set(twin.cloud.route_entries)
    start = twin.last_seq()
    code, output, fact = play(cen_connect_bandwidth=10)
    assert code == 0, output
    calls = twin.calls(start)

    attachments = {a["vpc_id"]: a["transit_router_attachment_id"] for a in fact["vpc_attachments"]}
    # Concurrency: both attachments are asked for before any waiting read of either. A read of the first attachment
    # after its create names it by VPC (the find of the waiting task) or by attachment id (the waiter): every such
    # read comes after the second create.
    [first, second] = [c for c in calls if c["action"] == "CreateTransitRouterVpcAttachment"]
    first_vpc = first["params"]["VpcId"]
    reads_of_first = [c["seq"] for c in calls if c["action"] == "ListTransitRouterVpcAttachments" and c["seq"] > first["seq"]
                      and (c["params"].get("VpcId") == first_vpc or c["params"].get("TransitRouterAttachmentId") == attachments[first_vpc])]
    assert first_vpc != second["params"]["VpcId"] and reads_of_first
    assert second["seq"] < min(reads_of_first), "the role waited for %s before asking for the second attachment" % first_vpc
    # The inter-region connection needs only the transit routers: asked for before any attachment is waited for.
    [peer] = [c for c in calls if c["action"] == "CreateTransitRouterPeerAttachment"]
    assert peer["seq"] < min(reads_of_first), "the role waited for %s before asking for the inter-region connection" % first_vpc
    # Order: CEN, routers, attachments and peer, then the links of every attachment (asked for together), VPC routes.
    writes = [c["action"] for c in calls if c["write"]]
    assert writes.index("CreateCen") < writes.index("CreateTransitRouter") < writes.index("CreateTransitRouterVpcAttachment") \
        < writes.index("CreateTransitRouterPeerAttachment") < writes.index("AssociateTransitRouterAttachmentWithRouteTable")
    links = [c for c in calls if c["write"] and c["action"] in ("AssociateTransitRouterAttachmentWithRouteTable", "EnableTransitRouterRouteTablePropagation")]
    assert sorted((c["action"], c["params"]["TransitRouterAttachmentId"]) for c in links) == sorted(
        (action, attachment) for action in ("AssociateTransitRouterAttachmentWithRouteTable", "EnableTransitRouterRouteTablePropagation")
        for attachment in attachments.values())  # each link asked for once
    assert max(c["seq"] for c in links) < writes_seq(calls, "CreateRouteEntry")
    assert "is not requested yet" not in output  # no link was asked for before its attachment was attached

    assert set(fact["transit_routers"]) == {"cn-hangzhou", "cn-shanghai"}
    assert all(r["system_route_table_id"] for r in fact["transit_routers"].values())
    assert len(fact["peer_attachments"]) == 1 and fact["peer_attachments"][0]["status"] == "Attached"
    made = {(r["route_table_id"], r["destination_cidr_block"], r["next_hop_id"]) for r in fact["route_entries"]}
    assert made == {(HZ_TABLE, "172.16.0.0/16", attachments[HZ_VPC]), (SH_TABLE, "10.0.0.0/16", attachments[SH_VPC])}

    # a second run only reads, reports no change, and finds the connected topology
    since = twin.last_seq()
    code, output, fact = play(cen_connect_bandwidth=10)
    assert code == 0, output
    assert twin.writes(since) == [] and twin.calls(since)
    assert int(re.search(r"localhost\s*:.*changed=(\d+)", output).group(1)) == 0, output
    twin.settle()
    cloud = twin.cloud
    assert len(cloud.cens) == 1
    assert [r["Status"] for r in cloud.transit_routers.values()] == ["Active", "Active"]
    assert {a["VpcId"]: (a["Status"], len(a["ZoneMappings"])) for a in cloud.tr_attachments.values() if a["ResourceType"] == "VPC"} == \
        {HZ_VPC: ("Attached", 2), SH_VPC: ("Attached", 2)}
    assert [(a["Status"], a["Bandwidth"]) for a in cloud.tr_attachments.values() if a["ResourceType"] == "TR"] == [("Attached", 10)]
    for attachment in attachments.values():
        for links in (cloud.tr_associations, cloud.tr_propagations):
            assert [link["Status"] for link in links.values() if link["TransitRouterAttachmentId"] == attachment] == ["Active"]
    # each VPC routes the other's CIDR block to its own attachment, in its route table
    for table, other_cidr, vpc in ((HZ_TABLE, "172.16.0.0/16", HZ_VPC), (SH_TABLE, "10.0.0.0/16", SH_VPC)):
        assert [(e["NextHopType"], e["NextHopId"]) for e in cloud.route_entries.values()
                if e["RouteTableId"] == table and e["DestinationCidrBlock"] == other_cidr] == [("Attachment", attachments[vpc])]

    since = twin.last_seq()
    code, output, fact = play(cen_connect_state="absent")
    assert code == 0, output
    assert fact == {}
    cloud = twin.cloud
    assert (cloud.cens, cloud.transit_routers, cloud.tr_attachments, cloud.tr_associations, cloud.tr_propagations) == ({}, {}, {}, {}, {})
    assert set(cloud.route_entries) == entries_before and foreign <= set(cloud.route_entries)
    deleted = [c["action"] for c in twin.writes(since)]
    assert deleted.index("DeleteRouteEntry") < deleted.index("DisableTransitRouterRouteTablePropagation") \
        < deleted.index("DissociateTransitRouterAttachmentFromRouteTable") < deleted.index("DeleteTransitRouterVpcAttachment") \
        < deleted.index("DeleteTransitRouterPeerAttachment") < deleted.index("DeleteTransitRouter") < deleted.index("DeleteCen")


def writes_seq(calls, action):
    """The seq of the first write ``action`` among ``calls``."""
    return min(c["seq"] for c in calls if c["write"] and c["action"] == action)


def test_check_mode_on_a_fresh_twin_reports_changes_without_writes(play, twin):
    code, output, fact = play(check=True)
    assert code == 0, output
    assert int(re.search(r"changed=(\d+)", output).group(1)) == 1  # the one task that connects; the report is not a change
    assert "Would create the CEN acr-access" in output
    assert fact["cen_id"] is None
    assert "is not requested yet" not in output  # check mode predicts what the run does: the links once attached
    assert twin.writes() == [] and twin.calls()
    assert twin.cloud.cens == {}
    # the recap of --check is the run's
    code, run_output = play()[:2]
    assert code == 0, run_output
    assert re.search(r"changed=(\d+)", run_output).group(1) == re.search(r"changed=(\d+)", output).group(1)


def test_bad_bandwidth_fails_before_any_call(play, twin):
    code, output = play(cen_connect_bandwidth=0)[:2]
    assert code != 0 and "cen_connect_bandwidth: 0 is not a positive integer" in output
    assert twin.calls() == []


def test_overlapping_members_fail_before_any_write(play, twin):
    twin.cloud.vpcs[SH_VPC]["CidrBlock"] = "10.0.0.0/8"
    code, output = play()[:2]
    assert code != 0 and "cen_connect_members[1].vpc_id" in output and "overlaps" in output
    assert twin.writes() == []


def with_second_pair():
    """The seed plus a second VPC in each region (pair B), so that two pairs of VPCs can share one CEN."""
    fixture = copy.deepcopy(SEED)
    for region, prefix, cidr, zones in (("cn-hangzhou", "bp1", "10.1", "jk"), ("cn-shanghai", "uf6", "172.17", "mn")):
        vpcs = next(r for r in fixture["regions"] if r["region"] == region)["vpcs"]
        vpcs.append({"id": "vpc-%stwin0000000000002" % prefix, "cidr_block": "%s.0.0/16" % cidr,
                     "vswitches": [{"id": "vsw-%stwin00000000000%s2" % (prefix, zone), "zone": "%s-%s" % (region, zone),
                                    "cidr_block": "%s.%d.0/24" % (cidr, number)} for number, zone in enumerate(zones)]})
    return fixture


PAIR_B = [
    {"region": "cn-hangzhou", "vpc_id": "vpc-bp1twin0000000000002", "vswitch_ids": ["vsw-bp1twin00000000000j2", "vsw-bp1twin00000000000k2"]},
    {"region": "cn-shanghai", "vpc_id": "vpc-uf6twin0000000000002", "vswitch_ids": ["vsw-uf6twin00000000000m2", "vsw-uf6twin00000000000n2"]},
]


def test_absent_keeps_the_connection_other_vpcs_still_use(play):
    twin = Twin(fixture=with_second_pair(), time_scale=0.0)
    with TwinServer(twin) as server:
        code, output, pair_b = play(endpoint=server.endpoint, cen_connect_members=PAIR_B)
        assert code == 0, output
        code, output = play(endpoint=server.endpoint)[:2]  # pair A (the seed's VPCs) in the same CEN
        assert code == 0, output
        cloud = twin.cloud
        assert len(cloud.cens) == 1 and len(cloud.transit_routers) == 2 and len(cloud.tr_attachments) == 5  # 4 VPCs + 1 connection
        routes_b = {k: dict(v) for k, v in cloud.route_entries.items() if v["NextHopId"] in
                    {a["transit_router_attachment_id"] for a in pair_b["vpc_attachments"]}}
        assert len(routes_b) == 2

        since = twin.last_seq()
        code, output, fact = play(endpoint=server.endpoint, cen_connect_state="absent")  # remove pair A only
        assert code == 0, output
        assert fact == {}
        writes = [c["action"] for c in twin.writes(since)]
        assert writes.count("DeleteTransitRouterVpcAttachment") == 2, writes
        assert "DeleteTransitRouterPeerAttachment" not in writes and "DeleteTransitRouter" not in writes and "DeleteCen" not in writes
        assert "Keeping the connection between cn-hangzhou and cn-shanghai" in output
        # pair B is still connected: its attachments, the connection between the regions, its routes
        attached = {a["VpcId"]: a["Status"] for a in cloud.tr_attachments.values() if a["ResourceType"] == "VPC"}
        assert attached == {"vpc-bp1twin0000000000002": "Attached", "vpc-uf6twin0000000000002": "Attached"}
        assert [a["Status"] for a in cloud.tr_attachments.values() if a["ResourceType"] == "TR"] == ["Attached"]
        assert {k: v for k, v in cloud.route_entries.items() if k in routes_b} == routes_b

        # removing pair B then leaves nothing
        code, output = play(endpoint=server.endpoint, cen_connect_state="absent", cen_connect_members=PAIR_B)[:2]
        assert code == 0, output
        assert (cloud.cens, cloud.transit_routers, cloud.tr_attachments) == ({}, {}, {})
