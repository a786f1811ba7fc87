"""CBN 2017-09-12 in the twin: CEN, transit routers, attachments, routing and publishing -- driven by the real SDK client."""

import pytest
from alibabacloud_tea_openapi.exceptions import ClientException

from acr_twin.products.cbn import learned_routes, vpc_attachment_route
from acr_twin import seed_ids

HZ_VPC, HZ_VTB = seed_ids.REGISTRY_VPC, seed_ids.REGISTRY_ROUTE_TABLE
HZ_VSW_J, HZ_VSW_K = seed_ids.REGISTRY_VSWITCH_J, seed_ids.REGISTRY_VSWITCH_K
SH_VPC, SH_VTB = seed_ids.SOURCE_VPC, seed_ids.SOURCE_ROUTE_TABLE
SH_VSW_M, SH_VSW_N = seed_ids.SOURCE_VSWITCH_M, seed_ids.SOURCE_VSWITCH_N
HZ_ZONES = [(HZ_VSW_J, "cn-hangzhou-j"), (HZ_VSW_K, "cn-hangzhou-k")]
SH_ZONES = [(SH_VSW_M, "cn-shanghai-m"), (SH_VSW_N, "cn-shanghai-n")]


class Cbn:
    """The SDK client and its request models, with short helpers for the calls every test makes."""

    def __init__(self, client, models):
        self.client = client
        self.m = models

    def call(self, operation, **fields):
        request_class = getattr(self.m, "".join(part.title() for part in operation.split("_")) + "Request")
        return getattr(self.client, operation)(request_class(**fields)).body

    def error(self, operation, **fields):
        with pytest.raises(ClientException) as err:
            self.call(operation, **fields)
        return err.value

    def cen(self, name="cen-test", **fields):
        return self.call("create_cen", name=name, **fields).cen_id

    def transit_router(self, cen_id, region):
        return self.call("create_transit_router", cen_id=cen_id, region_id=region, transit_router_name="tr-" + region).transit_router_id

    def zones(self, pairs, model="CreateTransitRouterVpcAttachmentRequestZoneMappings"):
        return [getattr(self.m, model)(v_switch_id=vsw, zone_id=zone) for vsw, zone in pairs]

    def attach_vpc(self, tr_id, region, vpc_id, pairs, **fields):
        return self.call("create_transit_router_vpc_attachment", transit_router_id=tr_id, region_id=region, vpc_id=vpc_id,
                         zone_mappings=self.zones(pairs), **fields).transit_router_attachment_id

    def system_table(self, tr_id):
        tables = self.call("list_transit_router_route_tables", transit_router_id=tr_id, transit_router_route_table_type="System")
        assert len(tables.transit_router_route_tables) == 1
        return tables.transit_router_route_tables[0].transit_router_route_table_id

    def link(self, attachment_id, table_id):
        self.call("associate_transit_router_attachment_with_route_table", transit_router_attachment_id=attachment_id,
                  transit_router_route_table_id=table_id)
        self.call("enable_transit_router_route_table_propagation", transit_router_attachment_id=attachment_id,
                  transit_router_route_table_id=table_id)

    def vpc_attachment(self, attachment_id):
        found = self.call("list_transit_router_vpc_attachments", transit_router_attachment_id=attachment_id).transit_router_attachments
        return found[0] if found else None

    def route_cidrs(self, table_id):
        entries = self.call("list_transit_router_route_entries", transit_router_route_table_id=table_id).transit_router_route_entries
        return sorted((e.transit_router_route_entry_destination_cidr_block, e.transit_router_route_entry_next_hop_type,
                       e.transit_router_route_entry_next_hop_resource_type) for e in entries)


@pytest.fixture
def cbn(sdk_client, sdk_models):
    return Cbn(sdk_client("cbn"), sdk_models("cbn"))


def build_seed_topology(cbn):
    """What the role cen_connect makes for the seed: CEN, two transit routers, two VPC attachments, one peer link."""
    ids = {"cen": cbn.cen()}
    ids["tr_hz"] = cbn.transit_router(ids["cen"], "cn-hangzhou")
    ids["tr_sh"] = cbn.transit_router(ids["cen"], "cn-shanghai")
    ids["att_hz"] = cbn.attach_vpc(ids["tr_hz"], "cn-hangzhou", HZ_VPC, HZ_ZONES, transit_router_attachment_name="hz")
    ids["att_sh"] = cbn.attach_vpc(ids["tr_sh"], "cn-shanghai", SH_VPC, SH_ZONES, transit_router_attachment_name="sh")
    ids["peer"] = cbn.call("create_transit_router_peer_attachment", cen_id=ids["cen"], transit_router_id=ids["tr_hz"], region_id="cn-hangzhou",
                           peer_transit_router_id=ids["tr_sh"], peer_transit_router_region_id="cn-shanghai", bandwidth_type="DataTransfer",
                           bandwidth=10).transit_router_attachment_id
    ids["rt_hz"] = cbn.system_table(ids["tr_hz"])
    ids["rt_sh"] = cbn.system_table(ids["tr_sh"])
    cbn.link(ids["att_hz"], ids["rt_hz"])
    cbn.link(ids["att_sh"], ids["rt_sh"])
    return ids


def test_seed_scenario_end_to_end(cbn, twin):
    ids = build_seed_topology(cbn)
    cens = cbn.call("describe_cens", filter=[cbn.m.DescribeCensRequestFilter(key="CenId", value=[ids["cen"]])])
    assert [(c.cen_id, c.status, c.protection_level) for c in cens.cens.cen] == [(ids["cen"], "Active", "REDUCED")]
    routers = cbn.call("list_transit_routers", cen_id=ids["cen"]).transit_routers
    assert sorted((r.region_id, r.status, r.type) for r in routers) == [("cn-hangzhou", "Active", "Enterprise"), ("cn-shanghai", "Active", "Enterprise")]
    for attachment_id, vpc_id, zones in ((ids["att_hz"], HZ_VPC, HZ_ZONES), (ids["att_sh"], SH_VPC, SH_ZONES)):
        attachment = cbn.vpc_attachment(attachment_id)
        assert (attachment.status, attachment.vpc_id, attachment.resource_type, attachment.cen_id) == ("Attached", vpc_id, "VPC", ids["cen"])
        assert sorted((z.v_switch_id, z.zone_id) for z in attachment.zone_mappings) == sorted(zones)
        assert all(z.network_interface_id.startswith("eni-") for z in attachment.zone_mappings)
    peer = cbn.call("list_transit_router_peer_attachments", cen_id=ids["cen"]).transit_router_attachments
    assert [(a.status, a.bandwidth, a.bandwidth_type, a.peer_transit_router_region_id) for a in peer] == [("Attached", 10, "DataTransfer", "cn-shanghai")]
    for table_id, attachment_id, vpc_id in ((ids["rt_hz"], ids["att_hz"], HZ_VPC), (ids["rt_sh"], ids["att_sh"], SH_VPC)):
        associations = cbn.call("list_transit_router_route_table_associations", transit_router_route_table_id=table_id).transit_router_associations
        propagations = cbn.call("list_transit_router_route_table_propagations", transit_router_route_table_id=table_id).transit_router_propagations
        assert [(a.transit_router_attachment_id, a.resource_id, a.resource_type, a.status) for a in associations] == [(attachment_id, vpc_id, "VPC", "Active")]
        assert [(a.transit_router_attachment_id, a.status) for a in propagations] == [(attachment_id, "Active")]
    # Each transit router holds its own VPC's CIDR (propagated) and the other region's (learned over the peer link).
    assert cbn.route_cidrs(ids["rt_hz"]) == [("10.0.0.0/16", "Attachment", "VPC"), ("172.16.0.0/16", "Attachment", "TR")]
    assert cbn.route_cidrs(ids["rt_sh"]) == [("10.0.0.0/16", "Attachment", "TR"), ("172.16.0.0/16", "Attachment", "VPC")]
    route = vpc_attachment_route(twin.cloud, SH_VPC, "10.0.0.1")
    assert (route["cidr"], route["attachment"], route["origin"]) == ("10.0.0.0/16", ids["peer"], "TR")
    assert vpc_attachment_route(twin.cloud, HZ_VPC, "172.16.0.1")["attachment"] == ids["peer"]
    assert vpc_attachment_route(twin.cloud, HZ_VPC, "192.168.0.1") is None


@pytest.mark.parametrize("key, values, expected", [
    ("PrefixExactMatchCidrs", ["10.0.0.0/16", "192.0.2.0/24"], ["10.0.0.0/16"]),
    ("PrefixExactMatchCidrs", ["10.0.0.0/16", "172.16.0.0/16"], ["10.0.0.0/16", "172.16.0.0/16"]),
    ("SubnetOfMatchCidrs", ["10.0.0.0/8"], ["10.0.0.0/16"]),
    ("SupernetOfMatchCidrs", ["172.16.5.0/24"], ["172.16.0.0/16"]),
    ("LongestPrefixMatchCidrs", ["10.0.3.4"], ["10.0.0.0/16"]),
])
def test_route_entries_by_route_filter(cbn, key, values, expected):
    """RouteFilter (the API's successor of TransitRouterRouteEntryDestinationCidrBlock): one read for several destinations."""
    ids = build_seed_topology(cbn)
    route_filter = [cbn.m.ListTransitRouterRouteEntriesRequestRouteFilter(key=key, value=values)]
    entries = cbn.call("list_transit_router_route_entries", transit_router_route_table_id=ids["rt_sh"],
                       route_filter=route_filter).transit_router_route_entries
    assert [e.transit_router_route_entry_destination_cidr_block for e in entries] == expected


def test_route_filter_with_an_unknown_key(cbn):
    ids = build_seed_topology(cbn)
    err = cbn.error("list_transit_router_route_entries", transit_router_route_table_id=ids["rt_sh"],
                    route_filter=[cbn.m.ListTransitRouterRouteEntriesRequestRouteFilter(key="ExactCidrs", value=["10.0.0.0/16"])])
    assert err.code == "InvalidParameter.RouteFilter"


def test_routes_need_propagation_association_and_the_peer_link(cbn, twin):
    ids = build_seed_topology(cbn)
    cbn.call("disable_transit_router_route_table_propagation", transit_router_attachment_id=ids["att_hz"], transit_router_route_table_id=ids["rt_hz"])
    cbn.call("list_transit_routers")  # any request applies the due transitions
    assert [r["cidr"] for r in learned_routes(twin.cloud, ids["tr_sh"])] == ["172.16.0.0/16"]
    assert vpc_attachment_route(twin.cloud, SH_VPC, "10.0.0.1") is None
    cbn.call("enable_transit_router_route_table_propagation", transit_router_attachment_id=ids["att_hz"], transit_router_route_table_id=ids["rt_hz"])
    cbn.call("dissociate_transit_router_attachment_from_route_table", transit_router_attachment_id=ids["att_sh"],
             transit_router_route_table_id=ids["rt_sh"])
    cbn.call("list_transit_routers")
    assert "10.0.0.0/16" in [r["cidr"] for r in learned_routes(twin.cloud, ids["tr_sh"])]
    assert vpc_attachment_route(twin.cloud, SH_VPC, "10.0.0.1") is None  # no association: the VPC's traffic has no table


def test_intermediate_states_follow_the_clock(cbn, twin):
    twin.set_time_scale(1.0)  # real delays: nothing completes during the test unless settled
    cen_id = cbn.cen()
    assert cbn.call("describe_cens").cens.cen[0].status == "Creating"
    err = cbn.error("create_transit_router", cen_id=cen_id, region_id="cn-hangzhou")
    assert err.code == "InvalidOperation.CenInstanceStatus"
    twin.settle()
    tr_id = cbn.transit_router(cen_id, "cn-hangzhou")
    assert cbn.call("list_transit_routers", transit_router_id=tr_id).transit_routers[0].status == "Creating"
    assert cbn.error("create_transit_router_vpc_attachment", transit_router_id=tr_id, vpc_id=HZ_VPC,
                     zone_mappings=cbn.zones(HZ_ZONES)).code == "IncorrectStatus.TransitRouterInstance"
    assert cbn.error("delete_transit_router", transit_router_id=tr_id).code == "Operation.Blocking"
    twin.settle()
    attachment_id = cbn.attach_vpc(tr_id, "cn-hangzhou", HZ_VPC, HZ_ZONES)
    assert cbn.vpc_attachment(attachment_id).status == "Attaching"
    table_id = cbn.system_table(tr_id)
    err = cbn.error("associate_transit_router_attachment_with_route_table", transit_router_attachment_id=attachment_id,
                    transit_router_route_table_id=table_id)
    assert err.code == "IncorrectStatus.AttachmentOrRouteTable"
    assert cbn.error("delete_transit_router_vpc_attachment", transit_router_attachment_id=attachment_id).code == "Operation.Blocking"
    twin.settle()
    cbn.call("associate_transit_router_attachment_with_route_table", transit_router_attachment_id=attachment_id, transit_router_route_table_id=table_id)
    associations = cbn.call("list_transit_router_route_table_associations", transit_router_route_table_id=table_id).transit_router_associations
    assert [a.status for a in associations] == ["Associating"]
    twin.settle()
    cbn.call("dissociate_transit_router_attachment_from_route_table", transit_router_attachment_id=attachment_id, transit_router_route_table_id=table_id)
    associations = cbn.call("list_transit_router_route_table_associations", transit_router_route_table_id=table_id).transit_router_associations
    assert [a.status for a in associations] == ["Dissociating"]
    twin.settle()
    cbn.call("delete_transit_router_vpc_attachment", transit_router_attachment_id=attachment_id)
    assert cbn.vpc_attachment(attachment_id).status == "Detaching"
    twin.settle()
    assert cbn.vpc_attachment(attachment_id) is None


def test_cen_lifecycle_filters_and_paging(cbn):
    ids = [cbn.cen(name="cen-%d" % n, description="d%d" % n) for n in range(3)]
    cbn.call("modify_cen_attribute", cen_id=ids[0], name="renamed", description="new")
    named = cbn.call("describe_cens", filter=[cbn.m.DescribeCensRequestFilter(key="Name", value=["renamed", "cen-2"])])
    assert sorted((c.name, c.cen_id) for c in named.cens.cen) == sorted([("renamed", ids[0]), ("cen-2", ids[2])])
    assert named.cens.cen[0].cen_bandwidth_package_ids.cen_bandwidth_package_id == []
    first = cbn.call("describe_cens", page_size=2, page_number=1)
    second = cbn.call("describe_cens", page_size=2, page_number=2)
    assert (first.total_count, len(first.cens.cen), len(second.cens.cen)) == (3, 2, 1)
    assert set(c.cen_id for c in first.cens.cen + second.cens.cen) == set(ids)
    assert cbn.error("describe_cens", page_size=51).code == "InvalidParameter"
    cbn.call("delete_cen", cen_id=ids[1])
    assert cbn.error("delete_cen", cen_id=ids[1]).code == "ParameterCenInstanceId"
    assert cbn.error("modify_cen_attribute", cen_id="cen-nothere").code == "ParameterCenInstanceId"
    assert len(cbn.call("describe_cens").cens.cen) == 2


def test_client_token_replays_the_first_answer(cbn, twin):
    first = cbn.call("create_cen", name="tok", client_token="token-1").cen_id
    assert cbn.call("create_cen", name="tok", client_token="token-1").cen_id == first
    assert len(twin.cloud.cens) == 1
    tr_first = cbn.call("create_transit_router", cen_id=first, region_id="cn-hangzhou", client_token="token-tr").transit_router_id
    assert cbn.call("create_transit_router", cen_id=first, region_id="cn-hangzhou", client_token="token-tr").transit_router_id == tr_first
    attachment = cbn.attach_vpc(tr_first, "cn-hangzhou", HZ_VPC, HZ_ZONES, client_token="token-att")
    assert cbn.attach_vpc(tr_first, "cn-hangzhou", HZ_VPC, HZ_ZONES, client_token="token-att") == attachment
    assert len(twin.cloud.tr_attachments) == 1


def test_transit_router_rules(cbn, twin):
    cen_id = cbn.cen()
    tr_id = cbn.transit_router(cen_id, "cn-hangzhou")
    assert cbn.error("create_transit_router", cen_id=cen_id, region_id="cn-hangzhou").code == "QuotaExceeded.TransitRouter"
    assert cbn.error("create_transit_router", cen_id="cen-nothere", region_id="cn-hangzhou").code == "InvalidCenId.NotFound"
    assert cbn.error("create_transit_router", cen_id=cen_id).code == "MissingParameter"
    assert cbn.error("create_transit_router", cen_id=cen_id, region_id="cn-shanghai", dry_run=True).code == "DryRunOperation"
    assert cbn.error("delete_cen", cen_id=cen_id).code == "InvalidOperation.TransitRouterExist"
    attachment_id = cbn.attach_vpc(tr_id, "cn-hangzhou", HZ_VPC, HZ_ZONES)
    assert cbn.error("delete_transit_router", transit_router_id=tr_id).code == "InvalidOperation.AttachedChildInstanceExist"
    cbn.call("delete_transit_router_vpc_attachment", transit_router_attachment_id=attachment_id)
    cbn.call("delete_transit_router", transit_router_id=tr_id)
    cbn.call("delete_cen", cen_id=cen_id)
    cbn.call("describe_cens")
    assert (twin.cloud.cens, twin.cloud.transit_routers, twin.cloud.tr_route_tables, twin.cloud.tr_attachments) == ({}, {}, {}, {})
    assert cbn.error("delete_transit_router", transit_router_id=tr_id).code == "InvalidTransitRouterInstance.NotFound"


@pytest.mark.parametrize("vpc_id, pairs, code", [
    ("vpc-nothere", HZ_ZONES, "InvalidVpcId.NotFound"),
    (HZ_VPC, [], "IllegalParam.ZoneMappings"),
    (HZ_VPC, [("vsw-nothere", "cn-hangzhou-j")], "InvalidVSwitchId.NotFound"),
    (HZ_VPC, [(SH_VSW_M, "cn-shanghai-m")], "IllegalParam.VSwitchId"),
    (HZ_VPC, [(HZ_VSW_J, "cn-hangzhou-k")], "IllegalParam.ZoneId"),
    (HZ_VPC, [(HZ_VSW_J, "cn-hangzhou-j"), (HZ_VSW_J, "cn-hangzhou-j")], "Duplicated.ZoneMapping"),
    (SH_VPC, SH_ZONES, "IllegalParam.RegionId"),
])
def test_vpc_attachment_validation(cbn, twin, vpc_id, pairs, code):
    tr_id = cbn.transit_router(cbn.cen(), "cn-hangzhou")
    err = cbn.error("create_transit_router_vpc_attachment", transit_router_id=tr_id, region_id="cn-hangzhou", vpc_id=vpc_id,
                    zone_mappings=cbn.zones(pairs))
    assert err.code == code
    assert twin.cloud.tr_attachments == {}


def test_vpc_attachment_by_cen_and_region_and_duplicates(cbn):
    cen_id = cbn.cen()
    assert cbn.error("create_transit_router_vpc_attachment", cen_id=cen_id, region_id="cn-hangzhou", vpc_id=HZ_VPC,
                     zone_mappings=cbn.zones(HZ_ZONES)).code == "InvalidOperation.TransitRouterNotExist"
    tr_id = cbn.transit_router(cen_id, "cn-hangzhou")
    attachment_id = cbn.call("create_transit_router_vpc_attachment", cen_id=cen_id, region_id="cn-hangzhou", vpc_id=HZ_VPC,
                             zone_mappings=cbn.zones(HZ_ZONES[:1])).transit_router_attachment_id
    assert cbn.vpc_attachment(attachment_id).transit_router_id == tr_id
    assert cbn.error("create_transit_router_vpc_attachment", transit_router_id=tr_id, vpc_id=HZ_VPC,
                     zone_mappings=cbn.zones(HZ_ZONES)).code == "OperationFailed.VpcAlreadyAttached"
    assert cbn.error("create_transit_router_vpc_attachment", transit_router_id=tr_id, vpc_id=HZ_VPC).code == "IllegalParam.ZoneMappings"


def test_vpc_attachment_updates(cbn):
    cen_id = cbn.cen()
    tr_id = cbn.transit_router(cen_id, "cn-hangzhou")
    attachment_id = cbn.attach_vpc(tr_id, "cn-hangzhou", HZ_VPC, HZ_ZONES[:1])
    add = cbn.zones(HZ_ZONES[1:], model="UpdateTransitRouterVpcAttachmentZonesRequestAddZoneMappings")
    cbn.call("update_transit_router_vpc_attachment_zones", transit_router_attachment_id=attachment_id, add_zone_mappings=add)
    assert sorted(z.zone_id for z in cbn.vpc_attachment(attachment_id).zone_mappings) == ["cn-hangzhou-j", "cn-hangzhou-k"]
    remove = cbn.zones(HZ_ZONES[:1], model="UpdateTransitRouterVpcAttachmentZonesRequestRemoveZoneMappings")
    cbn.call("update_transit_router_vpc_attachment_zones", transit_router_attachment_id=attachment_id, remove_zone_mappings=remove)
    attachment = cbn.vpc_attachment(attachment_id)
    assert [(z.v_switch_id, attachment.status) for z in attachment.zone_mappings] == [(HZ_VSW_K, "Attached")]
    remove_last = cbn.zones(HZ_ZONES[1:], model="UpdateTransitRouterVpcAttachmentZonesRequestRemoveZoneMappings")
    assert cbn.error("update_transit_router_vpc_attachment_zones", transit_router_attachment_id=attachment_id,
                     remove_zone_mappings=remove_last).code == "IllegalParam.ZoneMappings"
    cbn.call("update_transit_router_vpc_attachment_attribute", transit_router_attachment_id=attachment_id,
             transit_router_attachment_name="renamed", auto_publish_route_enabled=True)
    attachment = cbn.vpc_attachment(attachment_id)
    assert (attachment.transit_router_attachment_name, attachment.auto_publish_route_enabled) == ("renamed", True)
    assert cbn.error("update_transit_router_vpc_attachment_attribute", transit_router_attachment_id="tr-attach-nothere").code \
        == "InvalidTransitRouterAttachmentId.NotFound"


def test_vpc_attachment_paging(cbn):
    cen_id = cbn.cen()
    tr_hz = cbn.transit_router(cen_id, "cn-hangzhou")
    tr_sh = cbn.transit_router(cen_id, "cn-shanghai")
    expected = {cbn.attach_vpc(tr_hz, "cn-hangzhou", HZ_VPC, HZ_ZONES), cbn.attach_vpc(tr_sh, "cn-shanghai", SH_VPC, SH_ZONES)}
    first = cbn.call("list_transit_router_vpc_attachments", cen_id=cen_id, max_results=1)
    second = cbn.call("list_transit_router_vpc_attachments", cen_id=cen_id, max_results=1, next_token=first.next_token)
    assert (first.total_count, len(first.transit_router_attachments), second.next_token) == (2, 1, "")
    assert {a.transit_router_attachment_id for a in first.transit_router_attachments + second.transit_router_attachments} == expected
    assert [a.vpc_id for a in cbn.call("list_transit_router_vpc_attachments", region_id="cn-shanghai").transit_router_attachments] == [SH_VPC]
    assert cbn.error("list_transit_router_vpc_attachments", next_token="garbage").code == "InvalidNextToken"


def test_detach_refused_while_linked_or_routed_to(cbn, twin):
    ids = build_seed_topology(cbn)
    err = cbn.error("delete_transit_router_vpc_attachment", transit_router_attachment_id=ids["att_hz"])
    assert err.code == "OperationFailed.RouteTableAssociationExist"
    cbn.call("dissociate_transit_router_attachment_from_route_table", transit_router_attachment_id=ids["att_hz"],
             transit_router_route_table_id=ids["rt_hz"])
    assert cbn.error("delete_transit_router_vpc_attachment", transit_router_attachment_id=ids["att_hz"]).code \
        == "OperationFailed.RouteTablePropagationExist"
    cbn.call("disable_transit_router_route_table_propagation", transit_router_attachment_id=ids["att_hz"],
             transit_router_route_table_id=ids["rt_hz"])
    twin.cloud.route_entries["rte-test"] = {
        "RouteEntryId": "rte-test", "RouteTableId": HZ_VTB, "DestinationCidrBlock": "172.16.0.0/16",
        "Type": "Custom", "Status": "Available", "NextHopType": "Attachment", "NextHopId": ids["att_hz"]}
    assert cbn.error("delete_transit_router_vpc_attachment", transit_router_attachment_id=ids["att_hz"]).code \
        == "OperationFailed.AttachmentReferencedVpcRouteEntryExisted"
    del twin.cloud.route_entries["rte-test"]
    cbn.call("delete_transit_router_vpc_attachment", transit_router_attachment_id=ids["att_hz"])
    # Force removes the associations and propagations with the attachment.
    cbn.call("delete_transit_router_vpc_attachment", transit_router_attachment_id=ids["att_sh"], force=True)
    cbn.call("list_transit_routers")
    assert (twin.cloud.tr_associations, twin.cloud.tr_propagations) == ({}, {})
    assert [a["ResourceType"] for a in twin.cloud.tr_attachments.values()] == ["TR"]


def test_association_and_propagation_errors(cbn):
    ids = build_seed_topology(cbn)
    link = dict(transit_router_attachment_id=ids["att_hz"], transit_router_route_table_id=ids["rt_hz"])
    assert cbn.error("associate_transit_router_attachment_with_route_table", **link).code == "AssociationExist.TransitRouterTable"
    assert cbn.error("enable_transit_router_route_table_propagation", **link).code == "PropagationExist.TransitRouterTable"
    wrong_table = dict(transit_router_attachment_id=ids["att_hz"], transit_router_route_table_id=ids["rt_sh"])
    assert cbn.error("enable_transit_router_route_table_propagation", **wrong_table).code == "InvalidParameter.TransitRouterRouteTableId"
    assert cbn.error("dissociate_transit_router_attachment_from_route_table", **wrong_table).code == "AssociationNotExist.TransitRouterTable"
    missing = dict(transit_router_attachment_id="tr-attach-nothere", transit_router_route_table_id=ids["rt_hz"])
    assert cbn.error("associate_transit_router_attachment_with_route_table", **missing).code == "InvalidAttachmentId.NotFound"
    assert cbn.error("list_transit_router_route_table_associations").code == "MissingParameter"
    # A peer attachment can be associated with the route tables at both of its ends.
    cbn.call("associate_transit_router_attachment_with_route_table", transit_router_attachment_id=ids["peer"], transit_router_route_table_id=ids["rt_sh"])
    found = cbn.call("list_transit_router_route_table_associations", transit_router_route_table_id=ids["rt_sh"],
                     transit_router_attachment_resource_type="TR").transit_router_associations
    assert [(a.resource_id, a.status) for a in found] == [(ids["tr_hz"], "Active")]


def test_peer_attachment_rules_and_bandwidth_update(cbn, twin):
    ids = build_seed_topology(cbn)
    peer_args = dict(transit_router_id=ids["tr_sh"], peer_transit_router_id=ids["tr_hz"])
    assert cbn.error("create_transit_router_peer_attachment", **peer_args).code == "OperationFailed.PeerAttachmentExist"
    assert cbn.error("create_transit_router_peer_attachment", transit_router_id=ids["tr_hz"], peer_transit_router_id=ids["tr_hz"]).code \
        == "IllegalParam.PeerTransitRouterRegionId"
    assert cbn.error("create_transit_router_peer_attachment", bandwidth_type="Fast", **peer_args).code == "IllegalParam.BandwidthType"
    assert cbn.error("create_transit_router_peer_attachment", bandwidth_type="BandwidthPackage", bandwidth=5, **peer_args).code \
        == "MissingParam.CenBandwidthPackageId"
    twin.set_time_scale(1.0)
    cbn.call("update_transit_router_peer_attachment_attribute", transit_router_attachment_id=ids["peer"], bandwidth=50)
    peer = cbn.call("list_transit_router_peer_attachments", transit_router_attachment_id=ids["peer"]).transit_router_attachments[0]
    assert (peer.status, peer.bandwidth, peer.transit_router_attachment_id) == ("Modifying", 50, ids["peer"])
    assert cbn.error("update_transit_router_peer_attachment_attribute", transit_router_attachment_id=ids["peer"], bandwidth=60).code \
        == "Operation.Blocking"
    twin.settle()
    assert cbn.error("update_transit_router_peer_attachment_attribute", transit_router_attachment_id=ids["peer"], bandwidth=-1).code \
        == "IllegalParam.Bandwidth"
    assert cbn.call("list_transit_router_peer_attachments", cen_id=ids["cen"]).transit_router_attachments[0].status == "Attached"
    cbn.call("delete_transit_router_peer_attachment", transit_router_attachment_id=ids["peer"])
    twin.settle()
    assert learned_routes(twin.cloud, ids["tr_sh"]) == [{"cidr": "172.16.0.0/16", "attachment": ids["att_sh"], "origin": "VPC",
                                                         "resource_id": SH_VPC, "resource_type": "VPC", "region": "cn-shanghai"}]


def _custom_entry(twin, table_id, cidr, next_hop_type="Instance", next_hop_id=seed_ids.REGISTRY_ECS):
    entry_id = "rte-custom-%d" % (len(twin.cloud.route_entries) + 1)
    twin.cloud.route_entries[entry_id] = {"RouteEntryId": entry_id, "RouteTableId": table_id, "DestinationCidrBlock": cidr, "Type": "Custom",
                                          "Status": "Available", "NextHopType": next_hop_type, "NextHopId": next_hop_id}
    return entry_id


def test_publish_and_withdraw(cbn, twin):
    ids = build_seed_topology(cbn)
    _custom_entry(twin, HZ_VTB, "192.168.10.0/24")
    child = dict(cen_id=ids["cen"], child_instance_id=HZ_VPC, child_instance_region_id="cn-hangzhou", child_instance_type="VPC")
    publish = dict(child, child_instance_route_table_id=HZ_VTB, destination_cidr_block="192.168.10.0/24")
    assert cbn.error("withdraw_published_route_entries", **publish).code == "InvalidOperation.NotFoundRoute"
    twin.set_time_scale(1.0)
    cbn.call("publish_route_entries", **publish)
    assert cbn.error("publish_route_entries", **publish).code == "Operation.Blocking"
    described = cbn.call("describe_published_route_entries", child_instance_route_table_id=HZ_VTB, destination_cidr_block="192.168.10.0/24", **child)
    assert [(e.publish_status, e.next_hop_type, e.route_type) for e in described.published_route_entries.published_route_entry] \
        == [("NonPublished", "Instance", "Custom")]
    twin.settle()
    described = cbn.call("describe_published_route_entries", **child)
    statuses = dict((e.destination_cidr_block, e.publish_status) for e in described.published_route_entries.published_route_entry)
    assert statuses["192.168.10.0/24"] == "Published" and statuses["10.0.0.0/24"] == "NonPublished"
    assert ("192.168.10.0/24", "Attachment", "TR") in cbn.route_cidrs(ids["rt_sh"])
    cbn.call("withdraw_published_route_entries", **publish)
    twin.settle()
    assert ("192.168.10.0/24", "Attachment", "TR") not in cbn.route_cidrs(ids["rt_sh"])
    assert cbn.error("withdraw_published_route_entries", **publish).code == "InvalidOperation.NotFoundRoute"


def test_publish_validation(cbn, twin):
    ids = build_seed_topology(cbn)
    custom_table = "vtb-bp1twincustom000001"
    twin.cloud.route_tables[custom_table] = dict(twin.cloud.route_tables[HZ_VTB], RouteTableId=custom_table, RouteTableType="Custom")
    _custom_entry(twin, custom_table, "192.168.20.0/24")
    child = dict(cen_id=ids["cen"], child_instance_id=HZ_VPC, child_instance_region_id="cn-hangzhou", child_instance_type="VPC")
    cases = [
        (dict(child, child_instance_route_table_id=custom_table, destination_cidr_block="192.168.20.0/24"), "InvalidOperation.UnsupportRouteTableType"),
        (dict(child, child_instance_route_table_id=HZ_VTB, destination_cidr_block="192.168.30.0/24"), "InvalidOperation.NotFoundRoute"),
        (dict(child, child_instance_route_table_id=HZ_VTB, destination_cidr_block="10.0.0.0/24"), "InvalidOperation.UnsupportnexthopType"),
        (dict(child, child_instance_route_table_id=HZ_VTB, destination_cidr_block="10.0.0.0/33"), "InvalidDestinationCidrBlock"),
        (dict(child, child_instance_route_table_id=SH_VTB, destination_cidr_block="172.16.0.0/24"), "Instance.NotExist"),
        (dict(child, child_instance_type="ECS", child_instance_route_table_id=HZ_VTB, destination_cidr_block="10.0.0.0/24"),
         "ParameterIllegal.ChildInstanceType"),
        (dict(child, cen_id="cen-nothere", child_instance_route_table_id=HZ_VTB, destination_cidr_block="10.0.0.0/24"),
         "ParameterIllegal.CenInstanceId"),
        (dict(child, child_instance_region_id="cn-shanghai", child_instance_route_table_id=HZ_VTB, destination_cidr_block="10.0.0.0/24"),
         "Instance.NotExist"),
    ]
    for fields, code in cases:
        assert cbn.error("publish_route_entries", **fields).code == code, fields
    assert twin.cloud.published_routes == {}


def _unset_fields(model, path="body"):
    """Every attribute of an SDK response model the answer left unset (None), as dotted paths."""
    if isinstance(model, list):
        return [gap for index, item in enumerate(model) for gap in _unset_fields(item, "%s[%d]" % (path, index))]
    if not hasattr(model, "to_map"):
        return []
    gaps = []
    for name, value in vars(model).items():
        if value is None:
            gaps.append("%s.%s" % (path, name))
        else:
            gaps.extend(_unset_fields(value, "%s.%s" % (path, name)))
    return gaps


def test_answers_populate_every_sdk_model_field(cbn, twin):
    ids = build_seed_topology(cbn)
    _custom_entry(twin, HZ_VTB, "192.168.10.0/24")
    child = dict(cen_id=ids["cen"], child_instance_id=HZ_VPC, child_instance_region_id="cn-hangzhou", child_instance_type="VPC")
    cbn.call("publish_route_entries", child_instance_route_table_id=HZ_VTB, destination_cidr_block="192.168.10.0/24", **child)
    answers = {
        "describe_cens": cbn.call("describe_cens"),
        "list_transit_routers": cbn.call("list_transit_routers"),
        "list_transit_router_route_tables": cbn.call("list_transit_router_route_tables", transit_router_id=ids["tr_hz"]),
        "list_transit_router_vpc_attachments": cbn.call("list_transit_router_vpc_attachments"),
        "list_transit_router_peer_attachments": cbn.call("list_transit_router_peer_attachments"),
        "associations": cbn.call("list_transit_router_route_table_associations", transit_router_route_table_id=ids["rt_hz"]),
        "propagations": cbn.call("list_transit_router_route_table_propagations", transit_router_route_table_id=ids["rt_hz"]),
        "route_entries": cbn.call("list_transit_router_route_entries", transit_router_route_table_id=ids["rt_sh"]),
        "published": cbn.call("describe_published_route_entries", **child),
    }
    gaps = dict((name, _unset_fields(body)) for name, body in answers.items())
    assert gaps == dict((name, []) for name in answers)


def test_child_instance_regions_are_the_fixture_regions(sdk_client, sdk_models):
    cbn = sdk_client("cbn")
    body = cbn.describe_child_instance_regions(sdk_models("cbn").DescribeChildInstanceRegionsRequest(product_type="VPC")).body
    assert [r.region_id for r in body.regions.region] == ["cn-hangzhou", "cn-shanghai"]
    assert body.regions.region[0].local_name == "China (Hangzhou)"


# -- the data center's links: VPN (IPsec connection) and VBR attachments ------------------------------------------------
IPSEC, VBR, DC_CIDR = seed_ids.IPSEC_TRANSIT_ROUTER, seed_ids.VBR, seed_ids.DATA_CENTER_CIDR


def attach_vpn(cbn, tr_id, vpn_id=IPSEC, **fields):
    return cbn.call("create_transit_router_vpn_attachment", transit_router_id=tr_id, region_id="cn-hangzhou", vpn_id=vpn_id,
                    **fields).transit_router_attachment_id


def attach_vbr(cbn, tr_id, vbr_id=VBR, **fields):
    return cbn.call("create_transit_router_vbr_attachment", transit_router_id=tr_id, region_id="cn-hangzhou", vbr_id=vbr_id,
                    **fields).transit_router_attachment_id


def unlink(cbn, attachment_id, table_id):
    link = dict(transit_router_attachment_id=attachment_id, transit_router_route_table_id=table_id)
    cbn.call("disable_transit_router_route_table_propagation", **link)
    cbn.call("dissociate_transit_router_attachment_from_route_table", **link)


@pytest.mark.parametrize("kind", ["vpn", "vbr"])
def test_data_center_attachment_brings_its_networks_to_the_registry_vpc(cbn, twin, kind):
    ids = build_seed_topology(cbn)
    zone = [cbn.m.CreateTransitRouterVpnAttachmentRequestZone(zone_id="cn-hangzhou-j")]
    attachment_id = attach_vpn(cbn, ids["tr_hz"], zone=zone) if kind == "vpn" else attach_vbr(cbn, ids["tr_hz"])
    resource_id = IPSEC if kind == "vpn" else VBR
    listed = cbn.call("list_transit_router_%s_attachments" % kind, transit_router_attachment_id=attachment_id).transit_router_attachments
    [attachment] = listed
    assert (attachment.status, attachment.resource_type, attachment.cen_id, attachment.transit_router_id) == (
        "Attached", kind.upper(), ids["cen"], ids["tr_hz"])
    if kind == "vpn":
        assert (attachment.vpn_id, attachment.vpn_region_id, [z.zone_id for z in attachment.zones]) == (IPSEC, "cn-hangzhou", ["cn-hangzhou-j"])
        assert attachment.auto_publish_route_enabled is True and attachment.charge_type == "POSTPAY"  # the SDK's documented defaults
    else:
        assert (attachment.vbr_id, attachment.vbr_region_id, attachment.auto_publish_route_enabled) == (VBR, "cn-hangzhou", False)
    # A new attachment learns nothing until it propagates to the table.
    assert DC_CIDR not in [r["cidr"] for r in learned_routes(twin.cloud, ids["tr_hz"])]
    cbn.link(attachment_id, ids["rt_hz"])
    links = cbn.call("list_transit_router_route_table_propagations", transit_router_route_table_id=ids["rt_hz"],
                     transit_router_attachment_id=attachment_id).transit_router_propagations
    assert [(a.resource_id, a.resource_type, a.status) for a in links] == [(resource_id, kind.upper(), "Active")]
    entries = cbn.call("list_transit_router_route_entries", transit_router_route_table_id=ids["rt_hz"],
                       transit_router_route_entry_destination_cidr_block=DC_CIDR).transit_router_route_entries
    assert [(e.transit_router_route_entry_next_hop_id, e.transit_router_route_entry_next_hop_resource_id,
             e.transit_router_route_entry_next_hop_resource_type) for e in entries] == [(attachment_id, resource_id, kind.upper())]
    # The registry VPC (associated with the same table) sends the data center's traffic to the attachment; the other region
    # learns the data center over the inter-region connection.
    route = vpc_attachment_route(twin.cloud, HZ_VPC, "192.168.0.10")
    assert (route["cidr"], route["attachment"], route["origin"]) == (DC_CIDR, attachment_id, kind.upper())
    assert (DC_CIDR, "Attachment", "TR") in cbn.route_cidrs(ids["rt_sh"])
    # The routes follow the connection's / VBR's own routes.
    source = twin.cloud.vpn_connections[IPSEC]["_remote_cidr_blocks"] if kind == "vpn" else twin.cloud.virtual_border_routers[VBR]["_static_routes"]
    source.append("192.168.1.0/24")
    assert "192.168.1.0/24" in [r["cidr"] for r in learned_routes(twin.cloud, ids["tr_hz"])]
    # Detaching: refused while linked; propagation disabled, the routes are gone; then the attachment goes.
    delete = "delete_transit_router_%s_attachment" % kind
    assert cbn.error(delete, transit_router_attachment_id=attachment_id).code == "OperationFailed.RouteTableAssociationExist"
    unlink(cbn, attachment_id, ids["rt_hz"])
    cbn.call("list_transit_routers")  # any request applies the due transitions
    assert [r["cidr"] for r in learned_routes(twin.cloud, ids["tr_hz"]) if r["cidr"].startswith("192.168.")] == []
    assert vpc_attachment_route(twin.cloud, HZ_VPC, "192.168.0.10") is None
    cbn.call(delete, transit_router_attachment_id=attachment_id)
    cbn.call("list_transit_routers")
    assert cbn.call("list_transit_router_%s_attachments" % kind, cen_id=ids["cen"]).transit_router_attachments == []


def test_data_center_attachments_follow_the_clock(cbn, twin):
    ids = build_seed_topology(cbn)
    twin.set_time_scale(1.0)  # real delays: nothing completes during the test unless settled
    vpn = attach_vpn(cbn, ids["tr_hz"])
    vbr = attach_vbr(cbn, ids["tr_hz"])
    for kind, attachment_id in (("vpn", vpn), ("vbr", vbr)):
        assert cbn.call("list_transit_router_%s_attachments" % kind, transit_router_attachment_id=attachment_id).transit_router_attachments[0].status \
            == "Attaching"
        err = cbn.error("associate_transit_router_attachment_with_route_table", transit_router_attachment_id=attachment_id,
                        transit_router_route_table_id=ids["rt_hz"])
        assert err.code == "IncorrectStatus.AttachmentOrRouteTable"
        assert cbn.error("delete_transit_router_%s_attachment" % kind, transit_router_attachment_id=attachment_id).code == "Operation.Blocking"
    twin.settle()
    for kind, attachment_id in (("vpn", vpn), ("vbr", vbr)):
        cbn.call("delete_transit_router_%s_attachment" % kind, transit_router_attachment_id=attachment_id)
        assert cbn.call("list_transit_router_%s_attachments" % kind, transit_router_attachment_id=attachment_id).transit_router_attachments[0].status \
            == "Detaching"
    twin.settle()
    assert [a["ResourceType"] for a in twin.cloud.tr_attachments.values() if a["ResourceType"] in ("VPN", "VBR")] == []


def _other_region_link(twin, collection, ident, new_ident):
    """A copy of the seed's IPsec connection / VBR in cn-shanghai."""
    getattr(twin.cloud, collection)[new_ident] = dict(getattr(twin.cloud, collection)[ident], RegionId="cn-shanghai")


def test_vpn_attachment_rules(cbn, twin):
    ids = build_seed_topology(cbn)
    assert cbn.error("create_transit_router_vpn_attachment", transit_router_id=ids["tr_hz"], vpn_id="vco-nothere").code == "InvalidVpnId.NotFound"
    # The IPsec connection of the VPN gateway (option 1) is not bound to a transit router.
    assert cbn.error("create_transit_router_vpn_attachment", transit_router_id=ids["tr_hz"],
                     vpn_id=seed_ids.IPSEC_VPN_GATEWAY).code == "IncorrectStatus.VpnAttachType"
    _other_region_link(twin, "vpn_connections", IPSEC, "vco-uf6other")
    assert cbn.error("create_transit_router_vpn_attachment", transit_router_id=ids["tr_hz"], vpn_id="vco-uf6other").code == "IllegalParam.RegionId"
    bad_zone = [cbn.m.CreateTransitRouterVpnAttachmentRequestZone(zone_id="cn-shanghai-m")]
    assert cbn.error("create_transit_router_vpn_attachment", transit_router_id=ids["tr_hz"], vpn_id=IPSEC, zone=bad_zone).code == "IllegalParam.ZoneId"
    assert cbn.error("create_transit_router_vpn_attachment", transit_router_id=ids["tr_hz"], vpn_id=IPSEC, vpn_owner_id=42).code \
        == "IllegalParam.VpnOwnerId"
    assert cbn.error("create_transit_router_vpn_attachment", transit_router_id=ids["tr_hz"], vpn_id=IPSEC, dry_run=True).code == "DryRunOperation"
    assert [a for a in twin.cloud.tr_attachments.values() if a["ResourceType"] == "VPN"] == []
    # By CenId + RegionId, with a ClientToken: the repeat answers the first attachment.
    first = cbn.call("create_transit_router_vpn_attachment", cen_id=ids["cen"], region_id="cn-hangzhou", vpn_id=IPSEC, client_token="t-vpn")
    again = cbn.call("create_transit_router_vpn_attachment", cen_id=ids["cen"], region_id="cn-hangzhou", vpn_id=IPSEC, client_token="t-vpn")
    assert first.transit_router_attachment_id == again.transit_router_attachment_id
    assert cbn.error("create_transit_router_vpn_attachment", transit_router_id=ids["tr_hz"], vpn_id=IPSEC).code == "OperationFailed.VpnAlreadyAttached"
    cbn.call("update_transit_router_vpn_attachment_attribute", transit_router_attachment_id=first.transit_router_attachment_id,
             transit_router_attachment_name="idc", auto_publish_route_enabled=False)
    [listed] = cbn.call("list_transit_router_vpn_attachments", cen_id=ids["cen"]).transit_router_attachments
    assert (listed.transit_router_attachment_name, listed.auto_publish_route_enabled) == ("idc", False)
    # A VPN attachment is not a VBR (nor a VPC) attachment.
    assert cbn.error("delete_transit_router_vbr_attachment", transit_router_attachment_id=listed.transit_router_attachment_id).code \
        == "InvalidTransitRouterAttachmentId.NotFound"
    assert cbn.call("list_transit_router_vpc_attachments", transit_router_attachment_id=listed.transit_router_attachment_id).transit_router_attachments == []


def test_vbr_attachment_rules(cbn, twin):
    ids = build_seed_topology(cbn)
    assert cbn.error("create_transit_router_vbr_attachment", transit_router_id=ids["tr_hz"], vbr_id="vbr-nothere").code == "InvalidVbrId.NotFound"
    _other_region_link(twin, "virtual_border_routers", VBR, "vbr-uf6other")
    assert cbn.error("create_transit_router_vbr_attachment", transit_router_id=ids["tr_sh"], vbr_id=VBR).code == "IllegalParam.RegionId"
    twin.cloud.virtual_border_routers[VBR]["Status"] = "terminated"
    assert cbn.error("create_transit_router_vbr_attachment", transit_router_id=ids["tr_hz"], vbr_id=VBR).code == "IncorrectStatus.VbrStatus"
    twin.cloud.virtual_border_routers[VBR]["Status"] = "active"
    assert cbn.error("create_transit_router_vbr_attachment", transit_router_id="tr-nothere", vbr_id=VBR).code == "InvalidTransitRouterId.NotFound"
    attachment_id = attach_vbr(cbn, ids["tr_hz"], transit_router_attachment_description="leased line")
    assert cbn.error("create_transit_router_vbr_attachment", transit_router_id=ids["tr_hz"], vbr_id=VBR).code == "OperationFailed.VbrAlreadyAttached"
    cbn.call("update_transit_router_vbr_attachment_attribute", transit_router_attachment_id=attachment_id, auto_publish_route_enabled=True)
    [listed] = cbn.call("list_transit_router_vbr_attachments", transit_router_id=ids["tr_hz"]).transit_router_attachments
    assert (listed.transit_router_attachment_description, listed.auto_publish_route_enabled) == ("leased line", True)
    assert cbn.call("list_transit_router_vbr_attachments", region_id="cn-shanghai").transit_router_attachments == []


def test_data_center_attachment_needs_an_active_transit_router(cbn, twin):
    cen_id = cbn.cen()
    twin.set_time_scale(1.0)
    tr_id = cbn.transit_router(cen_id, "cn-hangzhou")  # Creating for 20 s
    assert cbn.error("create_transit_router_vpn_attachment", transit_router_id=tr_id, vpn_id=IPSEC).code == "IncorrectStatus.TransitRouterInstance"
    assert cbn.error("create_transit_router_vbr_attachment", transit_router_id=tr_id, vbr_id=VBR).code == "IncorrectStatus.TransitRouterInstance"
    assert cbn.error("create_transit_router_vbr_attachment", cen_id=cen_id, region_id="cn-shanghai", vbr_id=VBR).code \
        == "InvalidOperation.TransitRouterNotExist"


def test_data_center_attachment_paging(cbn, twin):
    ids = build_seed_topology(cbn)
    twin.cloud.vpn_connections["vco-bp1second"] = dict(twin.cloud.vpn_connections[IPSEC], VpnConnectionId="vco-bp1second")
    expected = {attach_vpn(cbn, ids["tr_hz"]), attach_vpn(cbn, ids["tr_hz"], vpn_id="vco-bp1second")}
    first = cbn.call("list_transit_router_vpn_attachments", cen_id=ids["cen"], max_results=1)
    second = cbn.call("list_transit_router_vpn_attachments", cen_id=ids["cen"], max_results=1, next_token=first.next_token)
    assert (first.total_count, len(first.transit_router_attachments), second.next_token) == (2, 1, "")
    assert {a.transit_router_attachment_id for a in first.transit_router_attachments + second.transit_router_attachments} == expected


def test_data_center_answers_populate_every_sdk_model_field(cbn, twin):
    ids = build_seed_topology(cbn)
    attach_vpn(cbn, ids["tr_hz"], zone=[cbn.m.CreateTransitRouterVpnAttachmentRequestZone(zone_id="cn-hangzhou-k")])
    attach_vbr(cbn, ids["tr_hz"])
    answers = {"vpn": cbn.call("list_transit_router_vpn_attachments"), "vbr": cbn.call("list_transit_router_vbr_attachments")}
    assert dict((name, _unset_fields(body)) for name, body in answers.items()) == {"vpn": [], "vbr": []}
