"""The twin's VPC 2016-04-28 product, driven by the real alibabacloud_vpc20160428 SDK client."""

import copy

import pytest
from alibabacloud_tea_openapi.exceptions import ClientException

from acr_twin.fixtures import SEED
from acr_twin import seed_ids as ids

HZ_VPC = ids.REGISTRY_VPC
HZ_TABLE = ids.REGISTRY_ROUTE_TABLE
HZ_VSW_J = ids.REGISTRY_VSWITCH_J
HZ_VSW_K = ids.REGISTRY_VSWITCH_K
HZ_ECS = ids.REGISTRY_ECS
SH_VPC = ids.SOURCE_VPC
SH_TABLE = ids.SOURCE_ROUTE_TABLE
SH_ECS = ids.SOURCE_ECS
VPN_GW = "vpn-bp1twin0000000000001"
IPSEC = "vco-bp1twin0000000000001"


@pytest.fixture
def vpc(sdk_client):
    return sdk_client("vpc")


@pytest.fixture
def m(sdk_models):
    return sdk_models("vpc")


def error_of(call, *args):
    with pytest.raises(ClientException) as err:
        call(*args)
    return err.value


def entries(vpc, m, table=HZ_TABLE, **filters):
    body = vpc.describe_route_entry_list(m.DescribeRouteEntryListRequest(region_id="cn-hangzhou", route_table_id=table, **filters)).body
    return body.route_entrys.route_entry


def create_route(vpc, m, cidr="192.168.0.0/16", hop=HZ_ECS, **kwargs):
    request = m.CreateRouteEntryRequest(region_id=kwargs.pop("region_id", "cn-hangzhou"), route_table_id=kwargs.pop("table", HZ_TABLE),
                                        destination_cidr_block=cidr, next_hop_id=hop, **kwargs)
    return vpc.create_route_entry(request).body.route_entry_id


def add_attachment(twin, ident="tr-attach-twin000000000001", vpc_id=HZ_VPC, status="Attached", resource_type="VPC"):
    """What the CBN product would have made: a transit router VPC attachment."""
    twin.cloud.tr_attachments[ident] = {
        "TransitRouterAttachmentId": ident, "ResourceType": resource_type, "TransitRouterId": "tr-bp1twin0000000000001",
        "CenId": "cen-twin000000000001", "RegionId": "cn-hangzhou", "VpcId": vpc_id, "Status": status,
    }
    return ident


# -- seed fixture and reads ---------------------------------------------------------
def test_describe_vpcs_answers_the_seed_vpc_fully(vpc, m):
    body = vpc.describe_vpcs(m.DescribeVpcsRequest(region_id="cn-hangzhou")).body
    assert (body.total_count, body.page_number, body.page_size) == (1, 1, 10)
    found = body.vpcs.vpc[0]
    assert (found.vpc_id, found.vpc_name, found.cidr_block, found.status) == (HZ_VPC, "vpc1-hangzhou", "10.0.0.0/16", "Available")
    assert found.vrouter_id == ids.REGISTRY_VROUTER
    assert found.v_switch_ids.v_switch_id == [HZ_VSW_J, HZ_VSW_K]
    assert found.router_table_ids.router_table_ids == [HZ_TABLE]
    assert found.secondary_cidr_blocks.secondary_cidr_block == []
    assert found.owner_id == 1234567890123456 and found.is_default is False and found.region_id == "cn-hangzhou"
    unset = [k for k, v in vars(found).items() if v is None]
    assert unset == []


def test_describe_vpcs_filters(vpc, m):
    shanghai = vpc.describe_vpcs(m.DescribeVpcsRequest(region_id="cn-shanghai")).body.vpcs.vpc
    assert [(v.vpc_id, v.cidr_block) for v in shanghai] == [(SH_VPC, "172.16.0.0/16")]
    by_name = vpc.describe_vpcs(m.DescribeVpcsRequest(region_id="cn-hangzhou", vpc_name="vpc1-hangzhou")).body
    assert by_name.total_count == 1
    assert vpc.describe_vpcs(m.DescribeVpcsRequest(region_id="cn-hangzhou", vpc_id=SH_VPC)).body.total_count == 0
    assert vpc.describe_vpcs(m.DescribeVpcsRequest(region_id="cn-hangzhou", vpc_name="nope")).body.vpcs.vpc == []


def test_describe_vpcs_validation(vpc, m):
    assert error_of(vpc.describe_vpcs, m.DescribeVpcsRequest()).code == "MissingParameter"
    assert error_of(vpc.describe_vpcs, m.DescribeVpcsRequest(region_id="cn-hangzhou", page_size=51)).code == "InvalidParameter"
    err = error_of(vpc.describe_vpcs, m.DescribeVpcsRequest(region_id="Mars!"))
    assert err.code == "InvalidRegionId.NotFound" and err.status_code == 404


def test_describe_vswitches_fields_and_paging(vpc, m):
    first = vpc.describe_vswitches(m.DescribeVSwitchesRequest(region_id="cn-hangzhou", vpc_id=HZ_VPC, page_size=1)).body
    second = vpc.describe_vswitches(m.DescribeVSwitchesRequest(region_id="cn-hangzhou", vpc_id=HZ_VPC, page_size=1, page_number=2)).body
    assert (first.total_count, first.page_size, second.page_number) == (2, 1, 2)
    vsw_j, vsw_k = first.v_switches.v_switch[0], second.v_switches.v_switch[0]
    assert (vsw_j.v_switch_id, vsw_j.zone_id, vsw_j.cidr_block) == (HZ_VSW_J, "cn-hangzhou-j", "10.0.0.0/24")
    assert (vsw_k.v_switch_id, vsw_k.zone_id, vsw_k.cidr_block) == (HZ_VSW_K, "cn-hangzhou-k", "10.0.1.0/24")
    assert (vsw_j.route_table.route_table_id, vsw_j.route_table.route_table_type) == (HZ_TABLE, "System")
    assert [k for k, v in vars(vsw_j).items() if v is None] == []
    by_zone = vpc.describe_vswitches(m.DescribeVSwitchesRequest(region_id="cn-shanghai", zone_id="cn-shanghai-n")).body.v_switches.v_switch
    assert [(v.v_switch_id, v.cidr_block) for v in by_zone] == [(ids.SOURCE_VSWITCH_N, "172.16.1.0/24")]
    by_id = vpc.describe_vswitches(m.DescribeVSwitchesRequest(region_id="cn-hangzhou", v_switch_id=HZ_VSW_K)).body
    assert by_id.total_count == 1


def test_describe_route_table_list(vpc, m):
    body = vpc.describe_route_table_list(m.DescribeRouteTableListRequest(region_id="cn-hangzhou", vpc_id=HZ_VPC)).body
    assert body.total_count == 1
    table = body.router_table_list.router_table_list_type[0]
    assert (table.route_table_id, table.route_table_type, table.vpc_id, table.router_id) == (HZ_TABLE, "System", HZ_VPC, ids.REGISTRY_VROUTER)
    assert table.v_switch_ids.v_switch_id == [HZ_VSW_J, HZ_VSW_K]
    assert [k for k, v in vars(table).items() if v is None] == []
    custom = vpc.describe_route_table_list(m.DescribeRouteTableListRequest(region_id="cn-hangzhou", route_table_type="Custom")).body
    assert custom.total_count == 0


def test_describe_route_entry_list_system_entries_and_next_token(vpc, m):
    found = entries(vpc, m)
    assert sorted(e.destination_cidr_block for e in found) == ["10.0.0.0/24", "10.0.1.0/24", "100.64.0.0/10"]
    assert {e.type for e in found} == {"System"} and {e.status for e in found} == {"Available"}
    assert [k for k, v in vars(found[0]).items() if v is None] == []
    hop = found[0].next_hops.next_hop[0]
    assert hop.next_hop_type in ("local", "service") and hop.next_hop_region_id == "cn-hangzhou"
    body = vpc.describe_route_entry_list(m.DescribeRouteEntryListRequest(region_id="cn-hangzhou", route_table_id=HZ_TABLE, max_result=2)).body
    assert len(body.route_entrys.route_entry) == 2 and body.next_token and body.total_count == 3
    rest = vpc.describe_route_entry_list(m.DescribeRouteEntryListRequest(region_id="cn-hangzhou", route_table_id=HZ_TABLE, max_result=2,
                                                                         next_token=body.next_token)).body
    assert len(rest.route_entrys.route_entry) == 1 and rest.next_token == ""
    paged = {e.route_entry_id for e in body.route_entrys.route_entry + rest.route_entrys.route_entry}
    assert paged == {e.route_entry_id for e in found}
    shanghai = vpc.describe_route_entry_list(m.DescribeRouteEntryListRequest(region_id="cn-shanghai", route_table_id=SH_TABLE)).body
    assert sorted(e.destination_cidr_block for e in shanghai.route_entrys.route_entry) == ["100.64.0.0/10", "172.16.0.0/24", "172.16.1.0/24"]


def test_describe_route_entry_list_validation(vpc, m):
    err = error_of(vpc.describe_route_entry_list, m.DescribeRouteEntryListRequest(region_id="cn-hangzhou"))
    assert err.code == "MissingParameter" and "RouteTableId" in err.message
    err = error_of(vpc.describe_route_entry_list, m.DescribeRouteEntryListRequest(region_id="cn-hangzhou", route_table_id="vtb-nope"))
    assert err.code == "InvalidRouteTableId.NotFound" and err.status_code == 404
    err = error_of(vpc.describe_route_entry_list, m.DescribeRouteEntryListRequest(region_id="cn-hangzhou", route_table_id=SH_TABLE))
    assert err.code == "InvalidRouteTableId.NotFound"  # a table of another region
    err = error_of(vpc.describe_route_entry_list, m.DescribeRouteEntryListRequest(region_id="cn-hangzhou", route_table_id=HZ_TABLE, max_result=101))
    assert err.code == "InvalidParameter"
    err = error_of(vpc.describe_route_entry_list, m.DescribeRouteEntryListRequest(region_id="cn-hangzhou", route_table_id=HZ_TABLE, next_token="x"))
    assert err.code == "InvalidNextToken"


# -- CreateRouteEntry -----------------------------------------------------------------
def test_create_route_entry_pending_then_available(twin, vpc, m):
    twin.set_time_scale(1000.0)  # delays far in the future: the intermediate state stays visible
    entry_id = create_route(vpc, m, route_entry_name="to-oss", description="oss vip range")
    assert entry_id.startswith("rte-bp1")
    [entry] = entries(vpc, m, route_entry_id=entry_id)
    assert (entry.status, entry.type, entry.destination_cidr_block) == ("Pending", "Custom", "192.168.0.0/16")
    assert (entry.route_entry_name, entry.description, entry.route_table_id) == ("to-oss", "oss vip range", HZ_TABLE)
    hop = entry.next_hops.next_hop[0]
    assert (hop.next_hop_type, hop.next_hop_id) == ("Instance", HZ_ECS)
    twin.settle()
    assert entries(vpc, m, route_entry_id=entry_id)[0].status == "Available"
    assert entries(vpc, m, route_entry_type="Custom")[0].route_entry_id == entry_id
    assert [e.route_entry_id for e in entries(vpc, m, next_hop_id=HZ_ECS)] == [entry_id]


def test_create_route_entry_host_address_is_a_32(twin, vpc, m):
    entry_id = create_route(vpc, m, cidr="47.100.1.1")
    assert entries(vpc, m, route_entry_id=entry_id)[0].destination_cidr_block == "47.100.1.1/32"


def test_task_conflict_while_a_change_is_pending(twin, vpc, m):
    twin.set_time_scale(1000.0)
    first = create_route(vpc, m, cidr="192.168.1.0/24")
    err = error_of(create_route, vpc, m, "192.168.2.0/24")
    assert err.code == "TaskConflict" and err.status_code == 400
    err = error_of(vpc.delete_route_entry, m.DeleteRouteEntryRequest(region_id="cn-hangzhou", route_entry_id=first))
    assert err.code == "TaskConflict"
    other_table = create_route(vpc, m, cidr="192.168.2.0/24", hop=SH_ECS, table=SH_TABLE, region_id="cn-shanghai")
    assert other_table  # another table is not blocked
    twin.settle()
    second = create_route(vpc, m, cidr="192.168.2.0/24")
    assert second != first


def test_client_token_replays_the_first_answer(twin, vpc, m):
    twin.set_time_scale(1000.0)
    first = create_route(vpc, m, client_token="token-1")
    again = create_route(vpc, m, client_token="token-1")  # no TaskConflict, no duplicate: the same answer
    assert again == first
    twin.settle()
    assert create_route(vpc, m, client_token="token-1") == first
    assert len(entries(vpc, m, route_entry_type="Custom")) == 1


def test_dry_run(twin, vpc, m):
    err = error_of(lambda: create_route(vpc, m, dry_run=True))
    assert err.code == "DryRunOperation"
    assert entries(vpc, m, route_entry_type="Custom") == []
    err = error_of(lambda: create_route(vpc, m, cidr="10.0.0.300/24", dry_run=True))
    assert err.code == "InvalidCidrBlock.Malformed"  # a dry run still validates
    entry_id = create_route(vpc, m)
    err = error_of(vpc.delete_route_entry, m.DeleteRouteEntryRequest(region_id="cn-hangzhou", route_entry_id=entry_id, dry_run=True))
    assert err.code == "DryRunOperation"
    assert entries(vpc, m, route_entry_id=entry_id)[0].status == "Available"


@pytest.mark.parametrize("kwargs, code", [
    ({"destination_cidr_block": None}, "MissingParameter"),
    ({"route_table_id": None}, "MissingParameter"),
    ({"destination_cidr_block": "10.0.0.0/33"}, "InvalidCidrBlock.Malformed"),
    ({"destination_cidr_block": "10.1.2.3/16"}, "InvalidCidrBlock.Malformed"),
    ({"destination_cidr_block": "not-a-cidr"}, "InvalidCidrBlock.Malformed"),
    ({"destination_cidr_block": "10.0.0.0/24"}, "InvalidCidrBlock.Overlapped"),
    ({"destination_cidr_block": "10.0.1.128/25"}, "InvalidCidrBlock.Overlapped"),
    ({"destination_cidr_block": "100.64.0.0/10"}, "InvalidCidrBlock.Overlapped"),
    ({"route_table_id": "vtb-bp1nothere"}, "InvalidRouteTableId.NotFound"),
    ({"next_hop_id": "i-bp1nothere"}, "InvalidNextHop.NotFound"),
    ({"next_hop_id": None}, "MissingParameter"),
    ({"next_hop_type": "Teleporter"}, "InvalidNextHopType"),
    ({"route_entry_name": "1-starts-with-a-digit"}, "InvalidRouteEntryName.Malformed"),
    ({"description": "http://spam"}, "InvalidDescription.Malformed"),
])
def test_create_route_entry_validation(vpc, m, kwargs, code):
    fields = {"region_id": "cn-hangzhou", "route_table_id": HZ_TABLE, "destination_cidr_block": "192.168.0.0/16", "next_hop_id": HZ_ECS}
    fields.update(kwargs)
    err = error_of(vpc.create_route_entry, m.CreateRouteEntryRequest(**fields))
    assert err.code == code


def test_create_route_entry_may_contain_a_vswitch_cidr(vpc, m):
    entry_id = create_route(vpc, m, cidr="10.0.0.0/8")  # contains the vSwitches: allowed, only the reverse is refused
    assert entries(vpc, m, route_entry_id=entry_id)[0].destination_cidr_block == "10.0.0.0/8"


def test_duplicate_names_the_existing_entry(vpc, m):
    entry_id = create_route(vpc, m)
    err = error_of(create_route, vpc, m)
    assert err.code == "RouterEntryConflict.Duplicated"
    assert entry_id in err.message and "192.168.0.0/16" in err.message


def test_next_hop_in_another_vpc_is_refused(vpc, m):
    err = error_of(create_route, vpc, m, "192.168.0.0/16", SH_ECS)
    assert err.code == "InvalidNextHop.NotFound"  # another region: not found at all
    shanghai = error_of(lambda: create_route(vpc, m, hop=HZ_ECS, table=SH_TABLE, region_id="cn-shanghai"))
    assert shanghai.code == "InvalidNextHop.NotFound"


def test_next_hop_instance_of_another_vpc_in_the_same_region(twin, vpc, m):
    other = dict(twin.cloud.instances[HZ_ECS], InstanceId="i-bp1twinother000001", VpcId="vpc-bp1twinother00001")
    twin.cloud.instances[other["InstanceId"]] = other
    err = error_of(create_route, vpc, m, "192.168.0.0/16", other["InstanceId"])
    assert err.code == "OperationFailed.InstanceDismatchCurrentVpc" and err.status_code == 404


def test_attachment_next_hop(twin, vpc, m):
    attachment = add_attachment(twin)
    entry_id = create_route(vpc, m, hop=attachment, next_hop_type="Attachment")
    [entry] = entries(vpc, m, route_entry_id=entry_id)
    hop = entry.next_hops.next_hop[0]
    assert (hop.next_hop_type, hop.next_hop_id) == ("Attachment", attachment)
    assert (hop.next_hop_related_info.instance_id, hop.next_hop_related_info.instance_type) == ("tr-bp1twin0000000000001", "TransitRouter")


@pytest.mark.parametrize("attachment, code", [
    ({"ident": "tr-attach-unknown"}, "InvalidAttachment.NotFound"),
    ({"vpc_id": SH_VPC}, "IllegalParam.AttachmentId"),
    ({"resource_type": "VBR"}, "IllegalParam.AttachmentId"),
    ({"status": "Attaching"}, "IncorrectStatus.Attachment"),
])
def test_attachment_next_hop_validation(twin, vpc, m, attachment, code):
    ident = attachment.pop("ident", "tr-attach-twin000000000001")
    if ident != "tr-attach-unknown":
        add_attachment(twin, ident, **attachment)
    err = error_of(lambda: create_route(vpc, m, hop=ident, next_hop_type="Attachment"))
    assert err.code == code


def test_quota_of_200_custom_entries(twin, vpc, m):
    for index in range(200):  # filled in directly: 200 SDK round trips would make the test slow
        twin.cloud.route_entries["rte-fill%03d" % index] = {
            "RouteEntryId": "rte-fill%03d" % index, "RouteTableId": HZ_TABLE, "DestinationCidrBlock": "172.%d.%d.0/24" % (20 + index // 200, index),
            "Type": "Custom", "Status": "Available", "NextHopType": "Instance", "NextHopId": HZ_ECS,
        }
    err = error_of(create_route, vpc, m)
    assert err.code == "QuotaExceeded"


# -- DeleteRouteEntry / ModifyRouteEntry ------------------------------------------------
def test_delete_route_entry_deleting_then_gone(twin, vpc, m):
    entry_id = create_route(vpc, m)
    twin.set_time_scale(1000.0)
    twin.settle()
    vpc.delete_route_entry(m.DeleteRouteEntryRequest(region_id="cn-hangzhou", route_entry_id=entry_id))
    assert entries(vpc, m, route_entry_id=entry_id)[0].status == "Deleting"
    twin.settle()
    assert entries(vpc, m, route_entry_id=entry_id) == []
    err = error_of(vpc.delete_route_entry, m.DeleteRouteEntryRequest(region_id="cn-hangzhou", route_entry_id=entry_id))
    assert err.code == "InvalidRouteEntry.NotFound"


def test_delete_route_entry_by_table_and_destination(twin, vpc, m):
    create_route(vpc, m)
    twin.settle()
    err = error_of(vpc.delete_route_entry, m.DeleteRouteEntryRequest(region_id="cn-hangzhou", route_table_id=HZ_TABLE,
                                                                     destination_cidr_block="192.168.0.0/16", next_hop_id="i-other"))
    assert err.code == "InvalidRouteEntry.NotFound"
    vpc.delete_route_entry(m.DeleteRouteEntryRequest(region_id="cn-hangzhou", route_table_id=HZ_TABLE,
                                                     destination_cidr_block="192.168.0.0/16", next_hop_id=HZ_ECS))
    twin.settle()
    assert entries(vpc, m, route_entry_type="Custom") == []


def test_delete_route_entry_validation(vpc, m):
    err = error_of(vpc.delete_route_entry, m.DeleteRouteEntryRequest(region_id="cn-hangzhou", route_table_id=HZ_TABLE))
    assert err.code == "MissingParameter"
    system = entries(vpc, m, destination_cidr_block="10.0.0.0/24")[0]
    err = error_of(vpc.delete_route_entry, m.DeleteRouteEntryRequest(region_id="cn-hangzhou", route_entry_id=system.route_entry_id))
    assert err.code == "OperationDenied"
    err = error_of(vpc.delete_route_entry, m.DeleteRouteEntryRequest(region_id="cn-hangzhou", route_table_id="vtb-nope",
                                                                     destination_cidr_block="192.168.0.0/16"))
    assert err.code == "InvalidRouteTableId.NotFound"


def test_modify_route_entry_name_and_next_hop(twin, vpc, m):
    entry_id = create_route(vpc, m)
    twin.settle()
    vpc.modify_route_entry(m.ModifyRouteEntryRequest(region_id="cn-hangzhou", route_entry_id=entry_id, route_entry_name="renamed",
                                                     description="new text"))
    [entry] = entries(vpc, m, route_entry_id=entry_id)
    assert (entry.route_entry_name, entry.description, entry.status) == ("renamed", "new text", "Available")
    attachment = add_attachment(twin)
    twin.set_time_scale(1000.0)
    vpc.modify_route_entry(m.ModifyRouteEntryRequest(region_id="cn-hangzhou", route_entry_id=entry_id, new_next_hop_type="Attachment",
                                                     new_next_hop_id=attachment))
    [entry] = entries(vpc, m, route_entry_id=entry_id)
    assert entry.status == "Modifying" and entry.next_hops.next_hop[0].next_hop_id == attachment
    assert error_of(create_route, vpc, m, "192.168.9.0/24").code == "TaskConflict"
    twin.settle()
    assert entries(vpc, m, route_entry_id=entry_id)[0].status == "Available"
    err = error_of(vpc.modify_route_entry, m.ModifyRouteEntryRequest(region_id="cn-hangzhou", route_entry_id=entry_id,
                                                                     new_next_hop_type="Attachment", new_next_hop_id=attachment))
    assert err.code == "OperationDenied.NextHopNotChanged"
    err = error_of(vpc.modify_route_entry, m.ModifyRouteEntryRequest(region_id="cn-hangzhou", route_entry_id="rte-nope", route_entry_name="x"))
    assert err.code == "InvalidRouteEntry.NotFound"


# -- custom route tables -----------------------------------------------------------------
def test_custom_route_table_lifecycle(twin, vpc, m):
    twin.set_time_scale(1000.0)
    table_id = vpc.create_route_table(m.CreateRouteTableRequest(region_id="cn-hangzhou", vpc_id=HZ_VPC, route_table_name="acr-routes",
                                                                client_token="rt-1")).body.route_table_id
    again = vpc.create_route_table(m.CreateRouteTableRequest(region_id="cn-hangzhou", vpc_id=HZ_VPC, route_table_name="acr-routes",
                                                             client_token="rt-1")).body.route_table_id
    assert again == table_id
    listed = vpc.describe_route_table_list(m.DescribeRouteTableListRequest(region_id="cn-hangzhou", route_table_type="Custom")).body
    [table] = listed.router_table_list.router_table_list_type
    assert (table.route_table_id, table.route_table_name, table.status, table.vpc_id) == (table_id, "acr-routes", "Creating", HZ_VPC)
    assert error_of(lambda: create_route(vpc, m, table=table_id)).code == "IncorrectStatus.RouteTableStatus"
    twin.settle()
    assert sorted(e.destination_cidr_block for e in entries(vpc, m, table=table_id)) == ["10.0.0.0/24", "10.0.1.0/24", "100.64.0.0/10"]
    vpc.associate_route_table(m.AssociateRouteTableRequest(region_id="cn-hangzhou", route_table_id=table_id, v_switch_id=HZ_VSW_J))
    vsw = vpc.describe_vswitches(m.DescribeVSwitchesRequest(region_id="cn-hangzhou", v_switch_id=HZ_VSW_J)).body.v_switches.v_switch[0]
    assert (vsw.route_table.route_table_id, vsw.route_table.route_table_type, vsw.status) == (table_id, "Custom", "Pending")
    twin.settle()
    tables = vpc.describe_route_table_list(m.DescribeRouteTableListRequest(region_id="cn-hangzhou", vpc_id=HZ_VPC)).body
    by_id = dict((t.route_table_id, t.v_switch_ids.v_switch_id) for t in tables.router_table_list.router_table_list_type)
    assert by_id == {HZ_TABLE: [HZ_VSW_K], table_id: [HZ_VSW_J]}
    found = vpc.describe_vpcs(m.DescribeVpcsRequest(region_id="cn-hangzhou")).body.vpcs.vpc[0]
    assert found.router_table_ids.router_table_ids == [HZ_TABLE, table_id]
    err = error_of(vpc.associate_route_table, m.AssociateRouteTableRequest(region_id="cn-hangzhou", route_table_id=table_id, v_switch_id=HZ_VSW_J))
    assert err.code == "ResourceAlreadyAssociated.RouteTable"
    err = error_of(vpc.delete_route_table, m.DeleteRouteTableRequest(region_id="cn-hangzhou", route_table_id=table_id))
    assert err.code == "DependencyViolation.VSwitch"
    vpc.unassociate_route_table(m.UnassociateRouteTableRequest(region_id="cn-hangzhou", route_table_id=table_id, v_switch_id=HZ_VSW_J))
    twin.settle()
    vsw = vpc.describe_vswitches(m.DescribeVSwitchesRequest(region_id="cn-hangzhou", v_switch_id=HZ_VSW_J)).body.v_switches.v_switch[0]
    assert (vsw.route_table.route_table_id, vsw.status) == (HZ_TABLE, "Available")
    vpc.delete_route_table(m.DeleteRouteTableRequest(region_id="cn-hangzhou", route_table_id=table_id))
    assert error_of(lambda: entries(vpc, m, table=table_id)).code == "InvalidRouteTableId.NotFound"


def test_route_table_validation(vpc, m):
    err = error_of(vpc.create_route_table, m.CreateRouteTableRequest(region_id="cn-hangzhou"))
    assert err.code == "MissingParameter"
    err = error_of(vpc.create_route_table, m.CreateRouteTableRequest(region_id="cn-hangzhou", vpc_id="vpc-nope"))
    assert err.code == "InvalidVpcId.NotFound" and err.status_code == 404
    err = error_of(vpc.delete_route_table, m.DeleteRouteTableRequest(region_id="cn-hangzhou", route_table_id=HZ_TABLE))
    assert err.code == "OperationDenied"
    err = error_of(vpc.associate_route_table, m.AssociateRouteTableRequest(region_id="cn-hangzhou", route_table_id=HZ_TABLE, v_switch_id="vsw-nope"))
    assert err.code == "InvalidVSwitchId.NotFound"


def test_custom_table_with_entries_cannot_be_deleted(twin, vpc, m):
    table_id = vpc.create_route_table(m.CreateRouteTableRequest(region_id="cn-hangzhou", vpc_id=HZ_VPC)).body.route_table_id
    twin.settle()
    create_route(vpc, m, table=table_id)
    twin.settle()
    err = error_of(vpc.delete_route_table, m.DeleteRouteTableRequest(region_id="cn-hangzhou", route_table_id=table_id))
    assert err.code == "DependencyViolation.RouteEntry"


# -- VPN gateways ---------------------------------------------------------------------------
@pytest.fixture
def vpn_twin(twin):
    fixture = copy.deepcopy(SEED)
    fixture["regions"][0]["vpcs"][0]["vpn_gateways"] = [{"id": VPN_GW, "name": "vpn1", "ipsec_connections": [IPSEC]}]
    twin.reset(fixture)
    return twin


def vpn_route(vpc, m, **kwargs):
    fields = {"region_id": "cn-hangzhou", "vpn_gateway_id": VPN_GW, "route_dest": "192.168.10.0/24", "next_hop": IPSEC, "weight": 100,
              "publish_vpc": True}
    fields.update(kwargs)
    return vpc.create_vpn_route_entry(m.CreateVpnRouteEntryRequest(**fields)).body


def test_describe_vpn_gateways(vpn_twin, vpc, m):
    body = vpc.describe_vpn_gateways(m.DescribeVpnGatewaysRequest(region_id="cn-hangzhou", vpc_id=HZ_VPC)).body
    assert body.total_count == 1
    gateway = body.vpn_gateways.vpn_gateway[0]
    assert (gateway.vpn_gateway_id, gateway.vpc_id, gateway.status, gateway.name) == (VPN_GW, HZ_VPC, "active", "vpn1")
    assert [k for k, v in vars(gateway).items() if v is None] == []


def test_vpn_route_entries(vpn_twin, vpc, m):
    vpn_twin.set_time_scale(1000.0)
    created = vpn_route(vpc, m, client_token="vpn-1")
    assert (created.route_dest, created.next_hop, created.weight, created.state, created.vpn_instance_id) == (
        "192.168.10.0/24", IPSEC, 100, "published", VPN_GW)
    assert vpn_route(vpc, m, client_token="vpn-1").create_time == created.create_time
    gateway = vpc.describe_vpn_gateways(m.DescribeVpnGatewaysRequest(region_id="cn-hangzhou")).body.vpn_gateways.vpn_gateway[0]
    assert gateway.status == "updating"
    assert error_of(lambda: vpn_route(vpc, m, route_dest="192.168.11.0/24")).code == "VpnGateway.Configuring"
    vpn_twin.settle()
    vpn_route(vpc, m, route_dest="192.168.11.0/24", weight=0, publish_vpc=False)
    vpn_twin.settle()
    listed = vpc.describe_vpn_route_entries(m.DescribeVpnRouteEntriesRequest(region_id="cn-hangzhou", vpn_gateway_id=VPN_GW)).body
    assert listed.total_count == 2 and listed.vpn_route_counts.vpn_route_count[0].route_count == 2
    states = dict((r.route_dest, (r.state, r.weight)) for r in listed.vpn_route_entries.vpn_route_entry)
    assert states == {"192.168.10.0/24": ("published", 100), "192.168.11.0/24": ("normal", 0)}
    vpc.delete_vpn_route_entry(m.DeleteVpnRouteEntryRequest(region_id="cn-hangzhou", vpn_gateway_id=VPN_GW, route_dest="192.168.11.0/24",
                                                            next_hop=IPSEC, weight=0))
    vpn_twin.settle()
    request = m.DeleteVpnRouteEntryRequest(region_id="cn-hangzhou", vpn_gateway_id=VPN_GW, route_dest="192.168.11.0/24",
                                           next_hop=IPSEC, weight=0)
    err = error_of(vpc.delete_vpn_route_entry, request)
    assert err.code == "InvalidRouteEntry.NotFound"


@pytest.mark.parametrize("kwargs, code", [
    ({"vpn_gateway_id": "vpn-nope"}, "InvalidVpnGatewayInstanceId.NotFound"),
    ({"next_hop": "vco-nope"}, "InvalidVpnConnectionInstanceId.NotFound"),
    ({"weight": 50}, "INVALID_WEIGHT_PARAM"),
    ({"weight": None}, "MissingParameter"),
    ({"publish_vpc": None}, "MissingParameter"),
    ({"route_dest": "0.0.0.0/0"}, "InvalidRouteDest"),
    ({"route_dest": "192.168.10.1/24"}, "InvalidCidrBlock.Malformed"),
    ({"dry_run": True}, "DryRunOperation"),
])
def test_vpn_route_validation(vpn_twin, vpc, m, kwargs, code):
    assert error_of(lambda: vpn_route(vpc, m, **kwargs)).code == code


def test_vpn_duplicate(vpn_twin, vpc, m):
    vpn_route(vpc, m)
    vpn_twin.settle()
    assert error_of(lambda: vpn_route(vpc, m)).code == "VpnRouteEntry.AlreadyExists"


def test_routes_inside_the_cloud_service_range_are_allowed(vpc, m):
    """The procedure's Step 3 routes the auth /32 and OSS VIP ranges, all inside 100.64.0.0/10: more specific wins."""
    for destination in ("100.103.7.181/32", "100.118.28.0/24"):
        answer = vpc.create_route_entry(m.CreateRouteEntryRequest(region_id="cn-hangzhou", route_table_id=HZ_TABLE,
                                                                  destination_cidr_block=destination, next_hop_id=HZ_ECS))
        assert answer.body.route_entry_id


# -- VPN gateways, IPsec connections, customer gateways: the seed's data center ---------------------
def vpn_routes(vpc, m, gateway=ids.VPN_GATEWAY):
    body = vpc.describe_vpn_route_entries(m.DescribeVpnRouteEntriesRequest(region_id="cn-hangzhou", vpn_gateway_id=gateway)).body
    return dict(((r.route_dest, r.next_hop), (r.weight, r.state)) for r in body.vpn_route_entries.vpn_route_entry)


def vpn_table_entries(twin, destination):
    """The system table's entries for ``destination`` from the twin's state, as the network twin reads them."""
    return [e for e in twin.cloud.route_entries.values() if e["RouteTableId"] == HZ_TABLE and e["DestinationCidrBlock"] == destination]


def publish(vpc, m, publish_vpc, destination=ids.DATA_CENTER_CIDR, hop=ids.IPSEC_VPN_GATEWAY, **kwargs):
    return vpc.publish_vpn_route_entry(m.PublishVpnRouteEntryRequest(
        region_id="cn-hangzhou", vpn_gateway_id=ids.VPN_GATEWAY, route_dest=destination, next_hop=hop, route_type=kwargs.pop("route_type", "dbr"),
        publish_vpc=publish_vpc, **kwargs))


def second_connection(twin, ident="vco-bp1twin0000000000003"):
    """Another IPsec connection on the seed's VPN gateway (a standby tunnel to the data center)."""
    twin.cloud.vpn_connections[ident] = dict(twin.cloud.vpn_connections[ids.IPSEC_VPN_GATEWAY], VpnConnectionId=ident, Name="idc-standby")
    return ident


def test_describe_vpn_connections_filters_and_fields(vpc, m):
    def listed(**filters):
        body = vpc.describe_vpn_connections(m.DescribeVpnConnectionsRequest(region_id="cn-hangzhou", **filters)).body
        return body, dict((c.vpn_connection_id, c) for c in body.vpn_connections.vpn_connection)

    _body, on_gateway = listed(vpn_gateway_id=ids.VPN_GATEWAY)
    assert list(on_gateway) == [ids.IPSEC_VPN_GATEWAY]
    connection = on_gateway[ids.IPSEC_VPN_GATEWAY]
    assert (connection.vpn_gateway_id, connection.customer_gateway_id, connection.attach_type, connection.name) == (
        ids.VPN_GATEWAY, ids.CUSTOMER_GATEWAY, "VPNGateway", "idc-via-vpn-gateway")
    assert (connection.local_subnet, connection.remote_subnet, connection.status) == ("0.0.0.0/0", "0.0.0.0/0", "ike_sa_established")
    assert [k for k, v in vars(connection).items() if v is None] == []
    _body, by_customer = listed(customer_gateway_id=ids.CUSTOMER_GATEWAY)
    assert set(by_customer) == {ids.IPSEC_VPN_GATEWAY, ids.IPSEC_TRANSIT_ROUTER}
    _body, bound = listed(vpn_connection_id=ids.IPSEC_TRANSIT_ROUTER)
    assert bound[ids.IPSEC_TRANSIT_ROUTER].attach_type == "CEN" and bound[ids.IPSEC_TRANSIT_ROUTER].vpn_gateway_id is None
    first, page = listed(page_size=1, page_number=2)
    assert (first.total_count, first.page_number, len(page)) == (2, 2, 1)
    assert listed(vpn_gateway_id="vpn-bp1nothere")[1] == {}
    assert vpc.describe_vpn_connections(m.DescribeVpnConnectionsRequest(region_id="cn-shanghai")).body.total_count == 0


def test_describe_customer_gateways(vpc, m):
    body = vpc.describe_customer_gateways(m.DescribeCustomerGatewaysRequest(region_id="cn-hangzhou")).body
    [gateway] = body.customer_gateways.customer_gateway
    assert (gateway.customer_gateway_id, gateway.name, gateway.ip_address) == (ids.CUSTOMER_GATEWAY, "idc-gateway", "203.0.113.10")
    assert body.total_count == 1 and gateway.create_time > 0
    one = vpc.describe_customer_gateways(m.DescribeCustomerGatewaysRequest(region_id="cn-hangzhou", customer_gateway_id="cgw-nope")).body
    assert one.customer_gateways.customer_gateway == []


def test_published_route_is_an_entry_of_the_system_table_until_withdrawn(twin, vpc, m):
    twin.set_time_scale(1000.0)  # transitions happen at settle() only, so the test sees Pending and Deleting
    destination = ids.DATA_CENTER_CIDR
    vpn_route(vpc, m, vpn_gateway_id=ids.VPN_GATEWAY, next_hop=ids.IPSEC_VPN_GATEWAY, route_dest=destination, publish_vpc=False)
    assert vpn_table_entries(twin, destination) == []  # not published: the VPC knows nothing of it
    twin.settle()
    publish(vpc, m, True)
    [entry] = vpn_table_entries(twin, destination)
    assert (entry["Status"], entry["NextHopType"], entry["NextHopId"], entry["Type"]) == ("Pending", "VpnGateway", ids.VPN_GATEWAY, "Custom")
    gateway = vpc.describe_vpn_gateways(m.DescribeVpnGatewaysRequest(region_id="cn-hangzhou")).body.vpn_gateways.vpn_gateway[0]
    assert gateway.status == "updating"  # publication takes the gateway's time: another change meanwhile is refused
    assert error_of(lambda: publish(vpc, m, False)).code == "VpnGateway.Configuring"
    twin.settle()
    [listed] = entries(vpc, m, destination_cidr_block=destination)
    assert (listed.status, listed.type, listed.next_hops.next_hop[0].next_hop_type, listed.next_hops.next_hop[0].next_hop_id) == (
        "Available", "Custom", "VpnGateway", ids.VPN_GATEWAY)
    assert vpn_routes(vpc, m)[(destination, ids.IPSEC_VPN_GATEWAY)] == (100, "published")
    # The network twin forwards along it.
    from acr_twin.network import forwarding
    routes = forwarding(twin.cloud)["vpcs"][HZ_VPC]["routes"]
    assert [(r["kind"], r["target"]) for r in routes if r["cidr"] == destination] == [("vpn", ids.VPN_GATEWAY)]
    # The VPC's own route entries cannot take the destination, nor change the gateway's entry.
    assert error_of(lambda: create_route(vpc, m, cidr=destination)).code == "RouterEntryConflict.Duplicated"
    err = error_of(vpc.delete_route_entry, m.DeleteRouteEntryRequest(region_id="cn-hangzhou", route_entry_id=listed.route_entry_id))
    assert err.code == "OperationDenied" and "PublishVpnRouteEntry" in err.message
    publish(vpc, m, False)
    assert [e["Status"] for e in vpn_table_entries(twin, destination)] == ["Deleting"]
    twin.settle()
    assert vpn_table_entries(twin, destination) == [] and vpn_routes(vpc, m)[(destination, ids.IPSEC_VPN_GATEWAY)] == (100, "normal")
    assert publish(vpc, m, False).body.request_id  # already withdrawn: no change, no error


def test_deleting_a_published_route_withdraws_it(twin, vpc, m):
    vpn_route(vpc, m, vpn_gateway_id=ids.VPN_GATEWAY, next_hop=ids.IPSEC_VPN_GATEWAY, route_dest=ids.DATA_CENTER_CIDR)
    twin.settle()
    assert [e["Status"] for e in vpn_table_entries(twin, ids.DATA_CENTER_CIDR)] == ["Available"]
    vpc.delete_vpn_route_entry(m.DeleteVpnRouteEntryRequest(region_id="cn-hangzhou", vpn_gateway_id=ids.VPN_GATEWAY,
                                                            route_dest=ids.DATA_CENTER_CIDR, next_hop=ids.IPSEC_VPN_GATEWAY, weight=100))
    twin.settle()
    assert vpn_table_entries(twin, ids.DATA_CENTER_CIDR) == [] and vpn_routes(vpc, m) == {}


def test_active_and_standby_routes_are_one_vpc_route(twin, vpc, m):
    standby = second_connection(twin)
    vpn_route(vpc, m, vpn_gateway_id=ids.VPN_GATEWAY, next_hop=ids.IPSEC_VPN_GATEWAY, route_dest=ids.DATA_CENTER_CIDR)
    twin.settle()
    vpn_route(vpc, m, vpn_gateway_id=ids.VPN_GATEWAY, next_hop=standby, route_dest=ids.DATA_CENTER_CIDR, weight=0)
    twin.settle()
    assert len(vpn_table_entries(twin, ids.DATA_CENTER_CIDR)) == 1
    publish(vpc, m, False)  # the active route withdrawn; the standby one still publishes the destination
    twin.settle()
    [entry] = vpn_table_entries(twin, ids.DATA_CENTER_CIDR)
    assert (entry["Status"], entry["NextHopId"]) == ("Available", ids.VPN_GATEWAY)


def test_a_destination_the_vpc_routes_already_cannot_be_published(twin, vpc, m):
    create_route(vpc, m, cidr=ids.DATA_CENTER_CIDR)
    twin.settle()
    err = error_of(lambda: vpn_route(vpc, m, vpn_gateway_id=ids.VPN_GATEWAY, next_hop=ids.IPSEC_VPN_GATEWAY, route_dest=ids.DATA_CENTER_CIDR))
    assert err.code == "RouterEntryConflict.Duplicated"
    vpn_route(vpc, m, vpn_gateway_id=ids.VPN_GATEWAY, next_hop=ids.IPSEC_VPN_GATEWAY, route_dest=ids.DATA_CENTER_CIDR, publish_vpc=False)
    twin.settle()
    assert error_of(lambda: publish(vpc, m, True)).code == "RouterEntryConflict.Duplicated"
    assert vpn_routes(vpc, m) == {(ids.DATA_CENTER_CIDR, ids.IPSEC_VPN_GATEWAY): (100, "normal")}


@pytest.mark.parametrize("kwargs, code", [
    ({"route_type": "pbr"}, "InvalidRouteEntry.NotFound"),
    ({"hop": "vco-bp1nothere"}, "InvalidRouteEntry.NotFound"),
    ({"route_type": None}, "MissingParameter"),
    ({"vpn_gateway_id": "vpn-nope"}, "InvalidVpnGatewayInstanceId.NotFound"),
])
def test_publish_validation(twin, vpc, m, kwargs, code):
    vpn_route(vpc, m, vpn_gateway_id=ids.VPN_GATEWAY, next_hop=ids.IPSEC_VPN_GATEWAY, route_dest=ids.DATA_CENTER_CIDR, publish_vpc=False)
    twin.settle()
    if "vpn_gateway_id" in kwargs:
        request = m.PublishVpnRouteEntryRequest(region_id="cn-hangzhou", vpn_gateway_id=kwargs["vpn_gateway_id"], route_dest=ids.DATA_CENTER_CIDR,
                                                next_hop=ids.IPSEC_VPN_GATEWAY, route_type="dbr", publish_vpc=True)
        assert error_of(vpc.publish_vpn_route_entry, request).code == code
        return
    assert error_of(lambda: publish(vpc, m, True, **kwargs)).code == code


def test_modify_vpn_route_entry_weight(twin, vpc, m):
    twin.set_time_scale(1000.0)
    vpn_route(vpc, m, vpn_gateway_id=ids.VPN_GATEWAY, next_hop=ids.IPSEC_VPN_GATEWAY, route_dest=ids.DATA_CENTER_CIDR)
    twin.settle()

    def modify(weight, new_weight):
        return vpc.modify_vpn_route_entry_weight(m.ModifyVpnRouteEntryWeightRequest(
            region_id="cn-hangzhou", vpn_gateway_id=ids.VPN_GATEWAY, route_dest=ids.DATA_CENTER_CIDR, next_hop=ids.IPSEC_VPN_GATEWAY,
            weight=weight, new_weight=new_weight))

    assert error_of(lambda: modify(0, 100)).code == "InvalidRouteEntry.NotFound"  # the weight names the route
    assert error_of(lambda: modify(100, 50)).code == "INVALID_WEIGHT_PARAM"
    modify(100, 0)
    assert error_of(lambda: modify(0, 100)).code == "VpnGateway.Configuring"
    twin.settle()
    assert vpn_routes(vpc, m) == {(ids.DATA_CENTER_CIDR, ids.IPSEC_VPN_GATEWAY): (0, "published")}
    assert [e["Status"] for e in vpn_table_entries(twin, ids.DATA_CENTER_CIDR)] == ["Available"]  # the weight keeps the publication
