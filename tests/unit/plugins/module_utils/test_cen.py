"""module_utils/cen.py: pure helpers (table tests), the waiter table, paging and the peer lookup against the twin."""

import pytest

from ansible_collections.alicloud.acr_access.plugins.module_utils import cen as api
from ansible_collections.alicloud.acr_access.plugins.module_utils.errors import InputError
from ansible_collections.alicloud.acr_access.plugins.module_utils.vpc import vpc_cidr_blocks
from ansible_collections.alicloud.acr_access.plugins.module_utils.waiter import WaiterSpec, wait_for
from acr_twin import seed_ids as ids


def system_table(module, router_id):
    """The id of the transit router's System route table."""
    return next(table["TransitRouterRouteTableId"] for table in api.list_route_tables(module, router_id)
                if table["TransitRouterRouteTableType"] == "System")


@pytest.mark.parametrize("current, wanted, add, remove", [
    ({"a": "v1", "b": "v2"}, {"a": "v1", "b": "v2"}, {}, {}),
    ({"a": "v1"}, {"a": "v1", "b": "v2"}, {"b": "v2"}, {}),
    ({"a": "v1", "b": "v2"}, {"a": "v1"}, {}, {"b": "v2"}),
    ({"a": "v1", "b": "v2"}, {"a": "v3", "b": "v2"}, {"a": "v3"}, {"a": "v1"}),  # a new vSwitch in a zone: remove + add
])
def test_zone_changes(current, wanted, add, remove):
    assert api.zone_changes(current, wanted) == (add, remove)


def test_zones_of_and_normalise_vpc_attachment():
    item = {"TransitRouterAttachmentId": "tr-attach-1", "ZoneMappings": [{"ZoneId": "z2", "VSwitchId": "v2"}, {"ZoneId": "z1", "VSwitchId": "v1"}]}
    assert api.zones_of(item) == {"z1": "v1", "z2": "v2"}
    view = api.normalise_vpc_attachment(item)
    assert view["zone_mappings"] == [{"zone_id": "z1", "vswitch_id": "v1"}, {"zone_id": "z2", "vswitch_id": "v2"}]
    assert view["transit_router_attachment_id"] == "tr-attach-1" and view["vpc_id"] is None
    assert api.normalise_vpc_attachment(None) == {} and api.normalise_cen({}) == {}


def test_vpc_cidr_blocks_include_secondary():
    vpc = {"CidrBlock": "10.0.0.0/16", "SecondaryCidrBlocks": {"SecondaryCidrBlock": ["192.168.0.0/16"]}}
    assert vpc_cidr_blocks(vpc) == ["10.0.0.0/16", "192.168.0.0/16"]


def test_overlap_check_names_both_members():
    members = [{"vpc_id": "vpc-a", "region": "r1", "cidr_blocks": ["10.0.0.0/16"]},
               {"vpc_id": "vpc-b", "region": "r2", "cidr_blocks": ["172.16.0.0/16"]},
               {"vpc_id": "vpc-c", "region": "r1", "cidr_blocks": ["10.0.5.0/24"]}]
    with pytest.raises(InputError) as caught:
        api._check_overlaps(members, "m")
    assert "m[2].vpc_id" in caught.value.message and "10.0.5.0/24 of vpc-c" in caught.value.message and "m[0]" in caught.value.message
    api._check_overlaps(members[:2], "m")  # disjoint: no error


def test_every_waiter_has_its_success_and_gone_rules():
    for spec in (api.CEN_ACTIVE, api.TRANSIT_ROUTER_ACTIVE, api.VPC_ATTACHMENT_ATTACHED, api.PEER_ATTACHMENT_ATTACHED, api.ASSOCIATION_ACTIVE,
                 api.PROPAGATION_ACTIVE):
        assert isinstance(spec, WaiterSpec) and spec.check() is spec and spec.product is api.CBN
        assert spec.when_gone == "retry" and spec.success
    for spec in (api.CEN_DELETED, api.TRANSIT_ROUTER_DELETED, api.VPC_ATTACHMENT_DELETED, api.PEER_ATTACHMENT_DELETED, api.ASSOCIATION_DELETED,
                 api.PROPAGATION_DELETED):
        assert spec.when_gone == "success" and spec.success == ()
    assert api.VPC_ATTACHMENT_ATTACHED.failure == ("Detaching",)
    assert api.LINK_ACTIVE == {"association": api.ASSOCIATION_ACTIVE, "propagation": api.PROPAGATION_ACTIVE}
    assert api.LINK_DELETED == {"association": api.ASSOCIATION_DELETED, "propagation": api.PROPAGATION_DELETED}


def test_waiters_and_peer_lookup_against_the_twin(twin, twin_args, make_module):
    module = make_module(twin_args())
    twin.set_time_scale(1000.0)  # nothing settles on its own during the test
    cen_id = api.create_cen(module, "w", None)
    assert api.find_cen(module, cen_id=cen_id)["Status"] == "Creating"
    twin.settle()
    assert wait_for(module, api.CEN_ACTIVE, 5, cen_id=cen_id)["Status"] == "Active"
    routers = {}
    for region in ("cn-hangzhou", "cn-shanghai"):
        routers[region] = {"TransitRouterId": api.create_transit_router(module, cen_id, region, None, None), "CenId": cen_id, "RegionId": region}
    twin.settle()
    peer_id = api.create_peer_attachment(module, routers["cn-shanghai"], routers["cn-hangzhou"], {"BandwidthType": "DataTransfer", "Bandwidth": 2},
                                         None, None)
    twin.settle()
    hz, sh = routers["cn-hangzhou"]["TransitRouterId"], routers["cn-shanghai"]["TransitRouterId"]
    # The API's TransitRouterId filter only sees the creating side; the lookup finds it from both.
    assert api.find_peer_attachment(module, cen_id, hz, sh)["TransitRouterAttachmentId"] == peer_id
    assert api.find_peer_attachment(module, cen_id, sh, hz)["TransitRouterAttachmentId"] == peer_id
    assert wait_for(module, api.PEER_ATTACHMENT_ATTACHED, 5, cen_id=cen_id, attachment_id=peer_id)["Status"] == "Attached"
    assert api.delete_peer_attachment(module, peer_id) is True
    twin.settle()
    assert wait_for(module, api.PEER_ATTACHMENT_DELETED, 5, cen_id=cen_id, attachment_id=peer_id) is None
    assert api.delete_peer_attachment(module, peer_id) is False  # NotFound on delete: no change


def test_system_route_table_and_paging_of_cens(twin, twin_args, make_module):
    module = make_module(twin_args())
    ids = {api.create_cen(module, "page-%d" % index, None) for index in range(55)}  # more than one DescribeCens page (50)
    twin.settle()
    assert {cen["CenId"] for cen in api.list_cens(module)} == ids
    assert len(twin.calls(action="DescribeCens")) == 2
    router_id = api.create_transit_router(module, sorted(ids)[0], "cn-hangzhou", None, None)
    twin.settle()
    table = system_table(module, router_id)
    assert twin.cloud.tr_route_tables[table]["TransitRouterRouteTableType"] == "System"


def test_reachable_regions_is_none_when_the_endpoint_cannot_tell(twin, twin_args, make_module):
    regions = api.reachable_regions(make_module(twin_args()))
    assert regions is None or "cn-hangzhou" in regions


def test_resolve_zones_reads_the_vpcs_vswitches_once(twin, twin_args, make_module):
    module = make_module(twin_args())
    vpc, zones = api.resolve_zones(module, "cn-hangzhou", ids.REGISTRY_VPC, [ids.REGISTRY_VSWITCH_J, ids.REGISTRY_VSWITCH_K])
    assert zones == {"cn-hangzhou-j": ids.REGISTRY_VSWITCH_J, "cn-hangzhou-k": ids.REGISTRY_VSWITCH_K}
    [call] = twin.calls(action="DescribeVSwitches")
    assert call["params"]["VpcId"] == ids.REGISTRY_VPC and "VSwitchId" not in call["params"]  # no comma-separated id list


def test_vswitch_of_another_vpc_is_looked_up_by_its_single_id(twin, twin_args, make_module):
    module = make_module(twin_args())
    since = twin.last_seq()
    with pytest.raises(InputError) as caught:
        api.resolve_zones(module, "cn-shanghai", ids.SOURCE_VPC, [ids.SOURCE_VSWITCH_M, ids.REGISTRY_VSWITCH_J])
    assert "vsw-bp1twin00000000000j1 not found in region cn-shanghai" in caught.value.message
    lookups = [c["params"].get("VSwitchId") for c in twin.calls(since, action="DescribeVSwitches")]
    assert lookups == [None, ids.REGISTRY_VSWITCH_J]


def test_links_by_attachment_groups_one_list_per_table(twin, twin_args, make_module):
    module = make_module(twin_args())
    assert api.links_by_attachment(module, "association", []) == {}
    assert twin.calls(action="ListTransitRouterRouteTableAssociations") == []
