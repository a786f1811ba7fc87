"""CBN 2017-09-12: CEN instances, Enterprise Edition transit routers and their route tables."""

from acr_twin.errors import ApiError
from acr_twin.products._cbn_common import (TWIN_ACCOUNT, CBN_CODES, active_cen, check_dry_run, check_name, not_blocked, page_by_number,
                                           public, remove_later, set_status_later, token_page, tr_or_error)
from acr_twin.registry import action

CEN_FILTER_KEYS = ("CenId", "Name")


# -- CEN instances -----------------------------------------------------------
@action("cbn", "CreateCen")
def create_cen(cloud, p):
    name = check_name(p, "Name")
    description = check_name(p, "Description", maximum=256)
    level = p.str("ProtectionLevel", default="REDUCED", choices=("REDUCED",))
    return cloud.idempotent(p, lambda: _new_cen(cloud, name, description, level))


def _new_cen(cloud, name, description, level):
    cen_id = cloud.new_id("cen")
    cloud.cens[cen_id] = {
        "CenId": cen_id, "Name": name or "", "Description": description or "", "Status": "Creating", "ProtectionLevel": level,
        "CreationTime": cloud.now_iso(), "Ipv6Level": "DISABLE", "ResourceGroupId": "rg-twin000000000001",
        "CenBandwidthPackageIds": {"CenBandwidthPackageId": []}, "Tags": {"Tag": []},
    }
    set_status_later(cloud, "cens", cen_id, "cen_create", "Creating", "Active")
    return {"CenId": cen_id}


@action("cbn", "DescribeCens")
def describe_cens(cloud, p):
    filters = p.filters()
    for key in filters:
        if key not in CEN_FILTER_KEYS:
            raise ApiError("InvalidParameter", "The filter key %r is not supported (use %s)." % (key, ", ".join(CEN_FILTER_KEYS)))
    cens = [c for c in cloud.cens.values() if all(c[key] in values for key, values in filters.items())]
    cens.sort(key=lambda c: c["CenId"])
    page, meta = page_by_number(cens, p, default_size=10, max_size=50)
    answer = {"Cens": {"Cen": [public(c) for c in page]}}
    answer.update(meta)
    return answer


@action("cbn", "ModifyCenAttribute")
def modify_cen_attribute(cloud, p):
    cen = active_cen(cloud, p.required("CenId"), code="ParameterCenInstanceId")
    name = check_name(p, "Name")
    description = check_name(p, "Description", maximum=256)
    p.str("ProtectionLevel", choices=("REDUCED",))
    if name is not None:
        cen["Name"] = name
    if description is not None:
        cen["Description"] = description
    return {}


@action("cbn", "DeleteCen")
def delete_cen(cloud, p):
    cen_id = p.required("CenId")
    cen = active_cen(cloud, cen_id, code="ParameterCenInstanceId")
    routers = [r["TransitRouterId"] for r in cloud.transit_routers.values() if r["CenId"] == cen_id]
    if routers:
        # The twin is stricter than the cloud (which deletes empty transit routers with the CEN): delete them first.
        raise ApiError(CBN_CODES["cen_has_transit_routers"], "The CEN instance %s still has transit routers (%s); delete them first."
                       % (cen_id, ", ".join(sorted(routers))))
    cen["Status"] = "Deleting"
    remove_later(cloud, "cens", cen_id, "cen_delete", "Deleting")
    return {}


# -- transit routers ---------------------------------------------------------------
@action("cbn", "CreateTransitRouter")
def create_transit_router(cloud, p):
    cen_id = p.required("CenId")
    region = p.region()
    active_cen(cloud, cen_id)
    if cloud.regions and region not in cloud.regions:
        raise ApiError("IllegalParam.RegionId", "The Specified Parameter RegionId (%s) is illegal." % region)
    name = check_name(p, "TransitRouterName")
    description = check_name(p, "TransitRouterDescription", maximum=256)
    if p.bool("SupportMulticast", default=False):
        raise ApiError("OperationUnsupported.TransitRouterSupportMulticast", "The twin does not emulate multicast.")

    def create():
        existing = [r for r in cloud.transit_routers.values() if r["CenId"] == cen_id and r["RegionId"] == region]
        if existing:
            raise ApiError(CBN_CODES["tr_exists_in_region"], "The CEN instance %s already has transit router %s in region %s: "
                           "only one transit router per region and CEN." % (cen_id, existing[0]["TransitRouterId"], region))
        check_dry_run(p)
        return _new_transit_router(cloud, cen_id, region, name, description)

    return cloud.idempotent(p, create)


def _new_transit_router(cloud, cen_id, region, name, description):
    tr_id = cloud.new_id("tr", region)
    cloud.transit_routers[tr_id] = {
        "TransitRouterId": tr_id, "TransitRouterName": name or "", "TransitRouterDescription": description or "", "CenId": cen_id,
        "RegionId": region, "Status": "Creating", "Type": "Enterprise", "AliUid": TWIN_ACCOUNT, "CreationTime": cloud.now_iso(),
        "SupportMulticast": False, "Tags": [], "TransitRouterCidrList": [],
    }
    table_id = cloud.new_id("vtb", region)
    cloud.tr_route_tables[table_id] = {
        "TransitRouterRouteTableId": table_id, "TransitRouterId": tr_id, "RegionId": region, "TransitRouterRouteTableType": "System",
        "TransitRouterRouteTableStatus": "Creating", "TransitRouterRouteTableName": "", "TransitRouterRouteTableDescription": "",
        "CreateTime": cloud.now_iso(), "RouteTableOptions": {"MultiRegionECMP": "disable"}, "Tags": [],
    }
    set_status_later(cloud, "transit_routers", tr_id, "tr_create", "Creating", "Active")
    set_status_later(cloud, "tr_route_tables", table_id, "tr_create", "Creating", "Active", status_field="TransitRouterRouteTableStatus")
    return {"TransitRouterId": tr_id}


@action("cbn", "ListTransitRouters")
def list_transit_routers(cloud, p):
    wanted = dict((name, p.str(name)) for name in ("CenId", "RegionId", "TransitRouterId", "TransitRouterName", "Status", "Type"))
    routers = [r for r in cloud.transit_routers.values() if all(v is None or r[k] == v for k, v in wanted.items())]
    routers.sort(key=lambda r: r["TransitRouterId"])
    page, meta = page_by_number(routers, p, default_size=10, max_size=50)
    answer = {"TransitRouters": [public(r) for r in page]}
    answer.update(meta)
    return answer


@action("cbn", "DeleteTransitRouter")
def delete_transit_router(cloud, p):
    tr_id = p.required("TransitRouterId")
    router = tr_or_error(cloud, tr_id, code="InvalidTransitRouterInstance.NotFound")
    not_blocked(router, tr_id)
    attached = sorted(a["TransitRouterAttachmentId"] for a in cloud.tr_attachments.values()
                      if tr_id in (a["TransitRouterId"], a.get("PeerTransitRouterId")))
    if attached:
        raise ApiError("InvalidOperation.AttachedChildInstanceExist", "The transit router %s still has attachments (%s); delete them first."
                       % (tr_id, ", ".join(attached)))
    check_dry_run(p)
    router["Status"] = "Deleting"

    def drop_route_tables():
        for table_id in [t for t, table in cloud.tr_route_tables.items() if table["TransitRouterId"] == tr_id]:
            del cloud.tr_route_tables[table_id]

    remove_later(cloud, "transit_routers", tr_id, "tr_delete", "Deleting", then=drop_route_tables)
    return {}


# -- transit router route tables -------------------------------------------------------
@action("cbn", "ListTransitRouterRouteTables")
def list_transit_router_route_tables(cloud, p):
    tr_id = p.str("TransitRouterId")
    ids = p.str_list("TransitRouterRouteTableIds")
    names = p.str_list("TransitRouterRouteTableNames")
    if not tr_id and not ids:
        raise ApiError("MissingParam.TransitRouterId", "The parameter TransitRouterId is mandatory.")
    if tr_id:
        tr_or_error(cloud, tr_id)
    kind = p.str("TransitRouterRouteTableType", choices=("System", "Custom"))
    status = p.str("TransitRouterRouteTableStatus")
    tables = [t for t in cloud.tr_route_tables.values()
              if (not tr_id or t["TransitRouterId"] == tr_id) and (not ids or t["TransitRouterRouteTableId"] in ids)
              and (not names or t["TransitRouterRouteTableName"] in names) and (not kind or t["TransitRouterRouteTableType"] == kind)
              and (not status or t["TransitRouterRouteTableStatus"] == status)]
    tables.sort(key=lambda t: (t["TransitRouterRouteTableType"] != "System", t["TransitRouterRouteTableId"]))
    return token_page(tables, p, "TransitRouterRouteTables", default_size=50, max_size=100)


def system_route_table(cloud, tr_id):
    for table in cloud.tr_route_tables.values():
        if table["TransitRouterId"] == tr_id and table["TransitRouterRouteTableType"] == "System":
            return table
    return None


REGION_NAMES = {"cn-hangzhou": "China (Hangzhou)", "cn-shanghai": "China (Shanghai)", "cn-beijing": "China (Beijing)",
                "cn-qingdao": "China (Qingdao)", "cn-shenzhen": "China (Shenzhen)"}


@action("cbn", "DescribeChildInstanceRegions")
def describe_child_instance_regions(cloud, p):
    """The regions whose instances a CEN can attach: in the twin, every region of the fixture."""
    p.str("ProductType", choices=("VPC", "VBR", "CCN", "VPN"))
    regions = [{"RegionId": region, "LocalName": REGION_NAMES.get(region, region)} for region in sorted(cloud.regions)]
    return {"Regions": {"Region": regions}}
