"""VPC 2016-04-28: VPCs, vSwitches, route tables and entries, VPN gateways and their routes.

Views are built from the stored resources at answer time, so that derived lists
(a VPC's vSwitches and route tables, a table's vSwitches) never go stale when a
vSwitch moves to a custom table.
"""

import ipaddress
import re
import time

from acr_twin.errors import ApiError
from acr_twin.registry import action
from acr_twin.state import page_by_number, page_by_token, public

OWNER_ID = 1234567890123456
RESOURCE_GROUP = "rg-twin000000000001"
CLOUD_SERVICE_CIDR = ipaddress.ip_network("100.64.0.0/10")
ROUTE_CHANGE_SECONDS = 3.0  # a route entry stays Pending / Deleting / Modifying this long (scaled)
TABLE_CHANGE_SECONDS = 1.0  # a new route table stays Creating, a re-associated vSwitch Pending, this long
VPN_CHANGE_SECONDS = 2.0  # a VPN gateway stays "updating" this long after a route change
# Publishing (or withdrawing) a VPN destination route to the VPC: the gateway stays "updating" and the route entry in the
# VPC's system table Pending (Deleting) this long. An estimate: the API reference gives no figure (it only says the change is
# asynchronous and the gateway "updating" meanwhile); taken as the gateway's own route change (VPN_CHANGE_SECONDS) plus a
# VPC route entry's Pending time (ROUTE_CHANGE_SECONDS, observed for CreateRouteEntry).
VPN_PUBLISH_SECONDS = VPN_CHANGE_SECONDS + ROUTE_CHANGE_SECONDS
CUSTOM_ROUTE_QUOTA = 200
NEXT_HOP_TYPES = ("Instance", "HaVip", "RouterInterface", "NetworkInterface", "VpnGateway", "IPv6Gateway", "NatGateway",
                  "Attachment", "VpcPeer", "Ipv4Gateway", "GatewayEndpoint", "Ecr", "GatewayLoadBalancerEndpoint")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+(-\d+)?")
_CHANGING = ("Pending", "Deleting", "Modifying")
ROUTE_ENTRY_TYPES = ("System", "Custom", "BGP", "CEN", "ECR")
BATCH_MAX = 50  # CreateRouteEntries / DeleteRouteEntries: "up to 50" entries per request (their API references)


# -- shared helpers -----------------------------------------------------------
def _region(cloud, p, required=True):
    region = p.region(required=required)
    if region is not None and not _REGION.fullmatch(region):
        raise ApiError("InvalidRegionId.NotFound", "The specified RegionId (%s) does not exist." % region, status=404)
    return region


def _in_region(items, region):
    return [item for item in items if region is None or item.get("RegionId") == region]


def _ids(value):
    """``VpcId`` style filters take one id or several separated by commas."""
    return [part.strip() for part in value.split(",") if part.strip()] if value else []


def _table(cloud, table_id, region=None):
    table = cloud.route_tables.get(table_id) if table_id else None
    if table is None or (region and table.get("RegionId") != region):
        raise ApiError("InvalidRouteTableId.NotFound", "Specified route table (%s) does not exist." % table_id, status=404)
    return table


def _vpc(cloud, vpc_id, region=None):
    vpc = cloud.vpcs.get(vpc_id) if vpc_id else None
    if vpc is None or (region and vpc.get("RegionId") != region):
        raise ApiError("InvalidVpcId.NotFound", "Specified value of VpcId (%s) is not found in our record." % vpc_id, status=404)
    return vpc


def _vswitch(cloud, vsw_id, region=None):
    vsw = cloud.vswitches.get(vsw_id) if vsw_id else None
    if vsw is None or (region and vsw.get("RegionId") != region):
        raise ApiError("InvalidVSwitchId.NotFound", "Specified virtual switch (%s) does not exist." % vsw_id, status=404)
    return vsw


def _vswitches_of_vpc(cloud, vpc_id):
    return [v["VSwitchId"] for v in cloud.vswitches.values() if v["VpcId"] == vpc_id]


def _vswitches_of_table(cloud, table_id):
    return [v["VSwitchId"] for v in cloud.vswitches.values() if v.get("RouteTable", {}).get("RouteTableId") == table_id]


def _tables_of_vpc(cloud, vpc_id):
    return [t["RouteTableId"] for t in cloud.route_tables.values() if t["VpcId"] == vpc_id]


def _entries_of_table(cloud, table_id):
    return [e for e in cloud.route_entries.values() if e["RouteTableId"] == table_id]


def _matches(value, wanted):
    return wanted is None or value == wanted


# -- DescribeVpcs ---------------------------------------------------------------
def _vpc_view(cloud, vpc):
    view = public(vpc)
    view.update({
        "VSwitchIds": {"VSwitchId": _vswitches_of_vpc(cloud, vpc["VpcId"])},
        "RouterTableIds": {"RouterTableIds": _tables_of_vpc(cloud, vpc["VpcId"])},
    })
    view.setdefault("SecondaryCidrBlocks", {"SecondaryCidrBlock": []})
    for key, value in (("CenStatus", "Detached"), ("DhcpOptionsSetId", ""), ("DhcpOptionsSetStatus", ""),
                       ("DnsHostnameStatus", "DISABLED"), ("EnabledIpv6", False), ("Ipv6CidrBlock", ""),
                       ("Ipv6CidrBlocks", {"Ipv6CidrBlock": []}), ("IsDefault", False), ("NatGatewayIds", {"NatGatewayIds": []}),
                       ("OwnerId", OWNER_ID), ("ResourceGroupId", RESOURCE_GROUP), ("Tags", {"Tag": []}),
                       ("UserCidrs", {"UserCidr": []}), ("Description", ""), ("VpcName", "")):
        view.setdefault(key, value)
    return view


@action("vpc", "DescribeVpcs")
def describe_vpcs(cloud, p):
    region = _region(cloud, p)
    wanted_ids = _ids(p.str("VpcId"))
    name = p.str("VpcName")
    is_default = p.bool("IsDefault")
    vpcs = [v for v in _in_region(cloud.vpcs.values(), region)
            if (not wanted_ids or v["VpcId"] in wanted_ids) and _matches(v.get("VpcName"), name)
            and (is_default is None or bool(v.get("IsDefault")) == is_default)]
    page, meta = page_by_number(vpcs, p, max_size=50)
    meta["Vpcs"] = {"Vpc": [_vpc_view(cloud, v) for v in page]}
    return meta


# -- DescribeVSwitches ----------------------------------------------------------
def _vswitch_view(cloud, vsw):
    view = public(vsw)
    for key, value in (("EnabledIpv6", False), ("Ipv6CidrBlock", ""), ("NetworkAclId", ""), ("OwnerId", OWNER_ID),
                       ("ShareType", ""), ("Tags", {"Tag": []}), ("Description", ""), ("IsDefault", False),
                       ("ResourceGroupId", RESOURCE_GROUP)):
        view.setdefault(key, value)
    return view


@action("vpc", "DescribeVSwitches")
def describe_vswitches(cloud, p):
    region = _region(cloud, p, required=False)
    vpc_id = p.str("VpcId")
    if region is None and vpc_id is None and p.str("VSwitchId") is None:
        raise ApiError("MissingParameter", 'The input parameter "RegionId" that is mandatory for processing this request is not supplied.')
    wanted_ids = _ids(p.str("VSwitchId"))
    zone, name, table_id = p.str("ZoneId"), p.str("VSwitchName"), p.str("RouteTableId")
    is_default = p.bool("IsDefault")
    found = [v for v in _in_region(cloud.vswitches.values(), region)
             if _matches(v["VpcId"], vpc_id) and (not wanted_ids or v["VSwitchId"] in wanted_ids)
             and _matches(v["ZoneId"], zone) and _matches(v.get("VSwitchName"), name)
             and _matches(v.get("RouteTable", {}).get("RouteTableId"), table_id)
             and (is_default is None or bool(v.get("IsDefault")) == is_default)]
    page, meta = page_by_number(found, p, max_size=50)
    meta["VSwitches"] = {"VSwitch": [_vswitch_view(cloud, v) for v in page]}
    return meta


# -- DescribeRouteTableList -----------------------------------------------------
def _table_view(cloud, table):
    view = public(table)
    view["VSwitchIds"] = {"VSwitchId": _vswitches_of_table(cloud, table["RouteTableId"])}
    for key, value in (("AssociateType", "VSwitch"), ("GatewayIds", {"GatewayIds": []}), ("OwnerId", OWNER_ID),
                       ("RoutePropagationEnable", True), ("Tags", {"Tag": []}), ("ResourceGroupId", RESOURCE_GROUP),
                       ("RouteTableName", ""), ("Description", ""), ("RouterType", "VRouter"), ("Status", "Available")):
        view.setdefault(key, value)
    return view


@action("vpc", "DescribeRouteTableList")
def describe_route_table_list(cloud, p):
    region = _region(cloud, p)
    vpc_id, table_id = p.str("VpcId"), p.str("RouteTableId")
    table_type = p.str("RouteTableType", choices=("System", "Custom"))
    name, router_id, router_type = p.str("RouteTableName"), p.str("RouterId"), p.str("RouterType")
    tables = [t for t in _in_region(cloud.route_tables.values(), region)
              if _matches(t["VpcId"], vpc_id) and _matches(t["RouteTableId"], table_id) and _matches(t["RouteTableType"], table_type)
              and _matches(t.get("RouteTableName"), name) and _matches(t.get("RouterId"), router_id)
              and _matches(t.get("RouterType", "VRouter"), router_type)]
    page, meta = page_by_number(tables, p, max_size=50)
    meta["RouterTableList"] = {"RouterTableListType": [_table_view(cloud, t) for t in page]}
    return meta


# -- DescribeRouteEntryList -----------------------------------------------------
def _related_info(cloud, entry):
    hop_id = entry.get("NextHopId") or ""
    if entry.get("NextHopType") == "Attachment":
        attachment = cloud.tr_attachments.get(hop_id, {})
        return {"InstanceId": attachment.get("TransitRouterId", ""), "InstanceType": "TransitRouter" if attachment else "",
                "RegionId": attachment.get("RegionId", "")}
    return {"InstanceId": "", "InstanceType": "", "RegionId": ""}


def _entry_view(cloud, entry):
    table = cloud.route_tables.get(entry["RouteTableId"], {})
    next_hop = {
        "Enabled": 1, "NextHopId": entry.get("NextHopId") or "", "NextHopType": entry.get("NextHopType") or "",
        "NextHopRegionId": table.get("RegionId", ""), "NextHopRelatedInfo": _related_info(cloud, entry), "Weight": 0,
    }
    return {
        "RouteEntryId": entry["RouteEntryId"], "RouteTableId": entry["RouteTableId"],
        "DestinationCidrBlock": entry["DestinationCidrBlock"], "Type": entry["Type"], "Status": entry["Status"],
        "RouteEntryName": entry.get("RouteEntryName") or "", "Description": entry.get("Description") or "",
        "IpVersion": entry.get("IpVersion") or "ipv4", "Origin": entry.get("Origin") or entry["Type"],
        "ServiceType": entry.get("ServiceType") or "", "GmtModified": entry.get("GmtModified") or entry.get("CreationTime") or cloud.now_iso(),
        "NextHops": {"NextHop": [next_hop]},
    }


def _entry_filter(p):
    """The DescribeRouteEntryList filters as one predicate."""
    destination = p.str("DestinationCidrBlock")
    destinations = set(p.str_list("DestCidrBlockList"))
    entry_id, name = p.str("RouteEntryId"), p.str("RouteEntryName")
    # The SDK model's documented route types (DescribeRouteEntryListRequest.route_entry_type).
    entry_type = p.str("RouteEntryType", choices=ROUTE_ENTRY_TYPES)
    hop_id, hop_type = p.str("NextHopId"), p.str("NextHopType")
    ip_version = p.str("IpVersion", choices=("ipv4", "ipv6", "IPv4", "IPv6"))
    # ServiceType: "TR" lists the routes a transit router hosts (route synchronisation); empty means not hosted. The twin
    # hosts none for a transit router, so "TR" finds nothing, and routes it keeps carry an empty ServiceType.
    service_type = p.str("ServiceType", choices=("TR",))

    def keep(e):
        return (_matches(e["DestinationCidrBlock"], destination) and (not destinations or e["DestinationCidrBlock"] in destinations)
                and _matches(e["RouteEntryId"], entry_id) and _matches(e.get("RouteEntryName"), name)
                and _matches(e["Type"], entry_type) and _matches(e.get("NextHopId"), hop_id) and _matches(e.get("NextHopType"), hop_type)
                and (ip_version is None or (e.get("IpVersion") or "ipv4").lower() == ip_version.lower())
                and _matches(e.get("ServiceType") or None, service_type))

    return keep


@action("vpc", "DescribeRouteEntryList")
def describe_route_entry_list(cloud, p):
    region = _region(cloud, p)
    table = _table(cloud, p.required("RouteTableId"), region)
    keep = _entry_filter(p)
    entries = [e for e in _entries_of_table(cloud, table["RouteTableId"]) if keep(e)]
    page, next_token = page_by_token(entries, p, default_size=50, max_size=100, size_name="MaxResult")
    return {"RouteEntrys": {"RouteEntry": [_entry_view(cloud, e) for e in page]}, "NextToken": next_token, "TotalCount": len(entries)}


# -- route entry writes: shared checks -----------------------------------------
_NAME = re.compile(r"[^\W\d_][\w.\-]{0,127}")


def _dry_run(p):
    """After the request's own checks passed: the cloud answers DryRunOperation instead of acting."""
    if p.dry_run():
        raise ApiError("DryRunOperation", "Request validation has been passed with DryRun flag set.")


def _name(p, field, code):
    value = p.str(field)
    if value is not None and (not _NAME.fullmatch(value) or value.startswith(("http://", "https://"))):
        raise ApiError(code, "Specified %s (%s) is not valid." % (field, value))
    return value


def _description(p, field="Description"):
    value = p.str(field)
    if value is not None and (len(value) > 256 or value.startswith(("http://", "https://"))):
        raise ApiError("InvalidDescription.Malformed", "The Description is illegal.")
    return value


def _destination(p, name="DestinationCidrBlock", required=True):
    """A destination as the cloud reads it: an address without a mask is a /32 (/128) host route."""
    value = p.str(name, required=required)
    if value is None:
        return None
    try:
        return ipaddress.ip_network(value, strict=True)
    except ValueError:
        raise ApiError("InvalidCidrBlock.Malformed", "Specified CIDR block (%s) is not valid." % value)


def _table_busy(cloud, table_id):
    """The entry whose change is still running on this table, if any: the cloud serialises changes per table."""
    for entry in _entries_of_table(cloud, table_id):
        if entry["Status"] in _CHANGING:
            return entry
    return None


def _refuse_while_busy(cloud, table):
    busy = _table_busy(cloud, table["RouteTableId"])
    if busy is not None:
        raise ApiError("TaskConflict", "The operation is too frequent, please wait a moment and try again. (route entry %s of %s is %s)"
                       % (busy["RouteEntryId"], table["RouteTableId"], busy["Status"]))
    if table.get("Status", "Available") != "Available":
        raise ApiError("IncorrectStatus.RouteTableStatus", "The status of the specified RouteTable (%s) is incorrect: %s."
                       % (table["RouteTableId"], table["Status"]))


def _check_destination(cloud, table, destination):
    """Duplicates and overlaps with what the VPC routes itself (its vSwitches and the cloud service range)."""
    text = str(destination)
    for entry in _entries_of_table(cloud, table["RouteTableId"]):
        if entry["DestinationCidrBlock"] == text and entry["Type"] == "Custom":
            raise ApiError("RouterEntryConflict.Duplicated", "A route entry already exists, which CIDR is '%s': %s (next hop %s %s)."
                           % (text, entry["RouteEntryId"], entry.get("NextHopType"), entry.get("NextHopId")))
    if destination.version != 4:
        return
    # The cloud refuses the service range itself, but more specific routes inside it are what the procedure's
    # Step 3 adds (the auth service /32, the OSS VIP ranges): longest prefix wins over the system route.
    if destination == CLOUD_SERVICE_CIDR:
        raise ApiError("InvalidCidrBlock.Overlapped", "The destination %s overlaps the cloud service range %s." % (text, CLOUD_SERVICE_CIDR))
    for vsw in cloud.vswitches.values():
        own = ipaddress.ip_network(vsw["CidrBlock"])
        if vsw["VpcId"] == table["VpcId"] and (destination == own or destination.subnet_of(own)):
            raise ApiError("InvalidCidrBlock.Overlapped", "The destination %s overlaps the CIDR block %s of vSwitch %s."
                           % (text, own, vsw["VSwitchId"]))


def _check_next_hop(cloud, table, hop_type, hop_id):
    """The next hop must exist, be usable, and belong to the route table's VPC."""
    if hop_type not in NEXT_HOP_TYPES:
        raise ApiError("InvalidNextHopType", 'Specified parameter "NextHopType" (%s) is not valid.' % hop_type)
    if not hop_id:
        raise ApiError("MissingParameter", 'The input parameter "NextHopId" that is mandatory for processing this request is not supplied.')
    checks = {"Instance": _check_instance_hop, "Attachment": _check_attachment_hop, "VpnGateway": _check_vpn_hop}
    check = checks.get(hop_type)
    if check is not None:  # other next hop types are not modelled by the twin: taken as given
        check(cloud, table, hop_id)


def _check_instance_hop(cloud, table, hop_id):
    instance = cloud.instances.get(hop_id)
    if instance is None or instance.get("RegionId") != table.get("RegionId"):
        raise ApiError("InvalidNextHop.NotFound", "Specified next hop (%s) does not exist." % hop_id)
    if instance["VpcId"] != table["VpcId"]:
        raise ApiError("OperationFailed.InstanceDismatchCurrentVpc", "The specified instance (%s) does not exist in current vpc (%s)."
                       % (hop_id, table["VpcId"]), status=404)
    if instance.get("Status", "Running") not in ("Running", "Stopped"):
        raise ApiError("IncorrectInstanceStatus", "Current instance status (%s) does not support this operation." % instance["Status"])


def _check_attachment_hop(cloud, table, hop_id):
    attachment = cloud.tr_attachments.get(hop_id)
    if attachment is None:
        raise ApiError("InvalidAttachment.NotFound", "The attachment (%s) is not found." % hop_id)
    if attachment.get("ResourceType") != "VPC" or attachment.get("VpcId") != table["VpcId"]:
        raise ApiError("IllegalParam.AttachmentId", "The attachment (%s) is invalid: it is not a VPC attachment of %s." % (hop_id, table["VpcId"]))
    if attachment.get("Status") != "Attached":
        raise ApiError("IncorrectStatus.Attachment", "The status of attachment %s (%s) does not support this operation."
                       % (hop_id, attachment.get("Status")))


def _check_vpn_hop(cloud, table, hop_id):
    gateway = cloud.vpn_gateways.get(hop_id)
    if gateway is None or gateway.get("RegionId") != table.get("RegionId"):
        raise ApiError("InvalidVpnInstanceId.NotFound", "The specified VPN (%s) was not found." % hop_id)
    if gateway["VpcId"] != table["VpcId"]:
        raise ApiError("OperationFailed.InstanceDismatchCurrentVpc", "The specified instance (%s) does not exist in current vpc (%s)."
                       % (hop_id, table["VpcId"]), status=404)


def _becomes(cloud, entry_id, status):
    """The scheduled end of a route entry change: Pending/Modifying -> Available."""
    def apply():
        entry = cloud.route_entries.get(entry_id)
        if entry is not None:
            entry["Status"] = status
            entry["GmtModified"] = cloud.now_iso()
    return apply


def _removed(cloud, entry_id):
    def apply():
        cloud.route_entries.pop(entry_id, None)
    return apply


# -- CreateRouteEntry / DeleteRouteEntry / ModifyRouteEntry -----------------------
@action("vpc", "CreateRouteEntry")
def create_route_entry(cloud, p):
    region = _region(cloud, p)
    table = _table(cloud, p.required("RouteTableId"), region)
    destination = _destination(p)
    hop_type = p.str("NextHopType", default="Instance")
    hop_id = p.str("NextHopId")
    name = _name(p, "RouteEntryName", "InvalidRouteEntryName.Malformed")
    description = _description(p)
    if p.str_list("NextHopList") or p.list("NextHopList", ["NextHopId"]):
        raise ApiError("UnsupportedFeature.EcmpRouteEntry", "The twin does not emulate ECMP routes (NextHopList).")
    _dry_run(p)

    def create():
        _refuse_while_busy(cloud, table)
        _check_destination(cloud, table, destination)
        _check_next_hop(cloud, table, hop_type, hop_id)
        customs = [e for e in _entries_of_table(cloud, table["RouteTableId"]) if e["Type"] == "Custom"]
        if len(customs) >= CUSTOM_ROUTE_QUOTA:
            raise ApiError("QuotaExceeded", "Route entry quota exceeded in this route table (%d custom entries)." % CUSTOM_ROUTE_QUOTA)
        entry_id = cloud.new_id("rte", region)
        cloud.route_entries[entry_id] = {
            "RouteEntryId": entry_id, "RouteTableId": table["RouteTableId"], "DestinationCidrBlock": str(destination),
            "Type": "Custom", "Status": "Pending", "RouteEntryName": name or "", "Description": description or "",
            "IpVersion": "ipv%d" % destination.version, "Origin": "Custom", "NextHopType": hop_type, "NextHopId": hop_id,
            "CreationTime": cloud.now_iso(), "GmtModified": cloud.now_iso(), "RegionId": table.get("RegionId"),
        }
        cloud.later(ROUTE_CHANGE_SECONDS, _becomes(cloud, entry_id, "Available"))
        return {"RouteEntryId": entry_id}

    return cloud.idempotent(p, create)


def _find_entry(cloud, p, region):
    """DeleteRouteEntry / ModifyRouteEntry: by RouteEntryId, or by RouteTableId + DestinationCidrBlock (+ NextHopId)."""
    entry_id = p.str("RouteEntryId")
    table_id = p.str("RouteTableId")
    if entry_id is None and (table_id is None or p.str("DestinationCidrBlock") is None):
        raise ApiError("MissingParameter", 'The input parameter "RouteEntryId" (or "RouteTableId" and "DestinationCidrBlock") '
                       "that is mandatory for processing this request is not supplied.")
    if entry_id is not None:
        entry = cloud.route_entries.get(entry_id)
        if entry is None or (table_id and entry["RouteTableId"] != table_id):
            raise ApiError("InvalidRouteEntry.NotFound", "Route entry (%s) not exists." % entry_id)
        return _table(cloud, entry["RouteTableId"], region), entry
    table = _table(cloud, table_id, region)
    destination = str(_destination(p))
    hop_id = p.str("NextHopId")
    for entry in _entries_of_table(cloud, table_id):
        if entry["DestinationCidrBlock"] == destination and (hop_id is None or entry.get("NextHopId") == hop_id):
            return table, entry
    raise ApiError("InvalidRouteEntry.NotFound", "Route entry (%s %s) not exists." % (table_id, destination))


@action("vpc", "DeleteRouteEntry")
def delete_route_entry(cloud, p):
    region = _region(cloud, p)
    table, entry = _find_entry(cloud, p, region)
    if entry["Type"] == "System":
        raise ApiError("OperationDenied", "Specified operation is denied as route entry type is system (%s)." % entry["RouteEntryId"])
    refuse_published_entry(entry)
    _dry_run(p)
    _refuse_while_busy(cloud, table)
    entry["Status"] = "Deleting"
    cloud.later(ROUTE_CHANGE_SECONDS, _removed(cloud, entry["RouteEntryId"]))
    return {}


@action("vpc", "ModifyRouteEntry")
def modify_route_entry(cloud, p):
    region = _region(cloud, p)
    table, entry = _find_entry(cloud, p, region)
    refuse_published_entry(entry)
    name = _name(p, "RouteEntryName", "InvalidRouteEntryName.Malformed")
    description = _description(p)
    new_hop_id, new_hop_type = p.str("NewNextHopId"), p.str("NewNextHopType")
    changes_hop = new_hop_id is not None or new_hop_type is not None
    if changes_hop:
        if entry["Type"] == "System":
            raise ApiError("OperationDenied", "Specified operation is denied as route entry type is system (%s)." % entry["RouteEntryId"])
        new_hop_type = new_hop_type or entry["NextHopType"]
        new_hop_id = new_hop_id or entry["NextHopId"]
        if (new_hop_type, new_hop_id) == (entry["NextHopType"], entry["NextHopId"]):
            raise ApiError("OperationDenied.NextHopNotChanged", "The operation is not allowed because of NextHopNotChanged.")
        _check_next_hop(cloud, table, new_hop_type, new_hop_id)
    _dry_run(p)
    if changes_hop:
        _refuse_while_busy(cloud, table)
        entry.update({"NextHopType": new_hop_type, "NextHopId": new_hop_id, "Status": "Modifying"})
        cloud.later(ROUTE_CHANGE_SECONDS, _becomes(cloud, entry["RouteEntryId"], "Available"))
    if name is not None:
        entry["RouteEntryName"] = name
    if description is not None:
        entry["Description"] = description
    entry["GmtModified"] = cloud.now_iso()
    return {}


# -- custom route tables --------------------------------------------------------
def _add_system_entry(cloud, table_id, cidr, hop_type):
    """The routes the cloud puts in every table of a VPC (the same id scheme as the fixture's)."""
    entry_id = "rte-%s-%s" % (table_id[4:], cidr.replace(".", "-").replace("/", "-"))
    cloud.route_entries[entry_id] = {
        "RouteEntryId": entry_id, "RouteTableId": table_id, "DestinationCidrBlock": cidr, "Type": "System",
        "Status": "Available", "RouteEntryName": "", "Description": "", "IpVersion": "ipv4", "Origin": "",
        "NextHopType": hop_type, "NextHopId": "", "CreationTime": cloud.now_iso(),
    }


def _system_table_of(cloud, vpc_id):
    for table in cloud.route_tables.values():
        if table["VpcId"] == vpc_id and table["RouteTableType"] == "System":
            return table
    return None


def _table_status(cloud, table_id, status):
    def apply():
        table = cloud.route_tables.get(table_id)
        if table is not None:
            table["Status"] = status
    return apply


def _vswitch_status(cloud, vsw_id, status):
    def apply():
        vsw = cloud.vswitches.get(vsw_id)
        if vsw is not None:
            vsw["Status"] = status
    return apply


@action("vpc", "CreateRouteTable")
def create_route_table(cloud, p):
    region = _region(cloud, p)
    vpc = _vpc(cloud, p.required("VpcId"), region)
    name = _name(p, "RouteTableName", "InvalidRouteTableName.Malformed")
    description = _description(p)
    associate_type = p.str("AssociateType", default="VSwitch", choices=("VSwitch", "Gateway"))

    def create():
        table_id = cloud.new_id("vtb", region)
        cloud.route_tables[table_id] = {
            "RouteTableId": table_id, "RouteTableName": name or "", "RouteTableType": "Custom", "VpcId": vpc["VpcId"],
            "RouterId": vpc["VRouterId"], "RouterType": "VRouter", "RegionId": region, "Status": "Creating",
            "Description": description or "", "CreationTime": cloud.now_iso(), "AssociateType": associate_type,
            "ResourceGroupId": RESOURCE_GROUP, "OwnerId": OWNER_ID,
        }
        _add_system_entry(cloud, table_id, str(CLOUD_SERVICE_CIDR), "service")
        for vsw in sorted(cloud.vswitches.values(), key=lambda v: v["VSwitchId"]):
            if vsw["VpcId"] == vpc["VpcId"]:
                _add_system_entry(cloud, table_id, vsw["CidrBlock"], "local")
        cloud.later(TABLE_CHANGE_SECONDS, _table_status(cloud, table_id, "Available"))
        return {"RouteTableId": table_id}

    return cloud.idempotent(p, create)


@action("vpc", "DeleteRouteTable")
def delete_route_table(cloud, p):
    region = _region(cloud, p)
    table = _table(cloud, p.required("RouteTableId"), region)
    table_id = table["RouteTableId"]
    if table["RouteTableType"] == "System":
        raise ApiError("OperationDenied", "The system route table (%s) of a VPC cannot be deleted." % table_id)
    if _vswitches_of_table(cloud, table_id):
        raise ApiError("DependencyViolation.VSwitch", "The route table %s is still associated with vSwitches %s."
                       % (table_id, ", ".join(_vswitches_of_table(cloud, table_id))))
    entries = _entries_of_table(cloud, table_id)
    if any(e["Type"] == "Custom" for e in entries):
        raise ApiError("DependencyViolation.RouteEntry", "The route table %s still has custom route entries." % table_id)
    for entry in entries:
        del cloud.route_entries[entry["RouteEntryId"]]
    del cloud.route_tables[table_id]
    return {}


def _association_args(cloud, p):
    region = _region(cloud, p)
    table = _table(cloud, p.required("RouteTableId"), region)
    vsw = _vswitch(cloud, p.required("VSwitchId"), region)
    if vsw["VpcId"] != table["VpcId"]:
        raise ApiError("InvalidVSwitchId.NotFound", "Specified virtual switch (%s) does not exist in the VPC (%s) of route table %s."
                       % (vsw["VSwitchId"], table["VpcId"], table["RouteTableId"]), status=404)
    if vsw.get("Status", "Available") != "Available":
        raise ApiError("IncorrectVSwitchStatus", "The current virtual switch (%s) status (%s) does not support this operation."
                       % (vsw["VSwitchId"], vsw["Status"]))
    return table, vsw


def _move_vswitch(cloud, vsw, table):
    vsw["RouteTable"] = {"RouteTableId": table["RouteTableId"], "RouteTableType": table["RouteTableType"]}
    vsw["Status"] = "Pending"
    cloud.later(TABLE_CHANGE_SECONDS, _vswitch_status(cloud, vsw["VSwitchId"], "Available"))


@action("vpc", "AssociateRouteTable")
def associate_route_table(cloud, p):
    table, vsw = _association_args(cloud, p)

    def associate():
        if table["RouteTableType"] != "Custom" or table.get("AssociateType", "VSwitch") != "VSwitch":
            raise ApiError("OperationUnsupported.RouteTableType", "Only a custom route table of type VSwitch can be associated with a vSwitch.")
        if table.get("Status", "Available") != "Available":
            raise ApiError("IncorrectStatus.RouteTableStatus", "The status of the specified RouteTable (%s) is incorrect: %s."
                           % (table["RouteTableId"], table["Status"]))
        current = vsw.get("RouteTable", {})
        if current.get("RouteTableType") == "Custom":
            raise ApiError("ResourceAlreadyAssociated.RouteTable", "The resource (%s) has already associated with a routetable (%s)."
                           % (vsw["VSwitchId"], current.get("RouteTableId")))
        _move_vswitch(cloud, vsw, table)
        return {}

    return cloud.idempotent(p, associate)


@action("vpc", "UnassociateRouteTable")
def unassociate_route_table(cloud, p):
    table, vsw = _association_args(cloud, p)

    def unassociate():
        if vsw.get("RouteTable", {}).get("RouteTableId") != table["RouteTableId"] or table["RouteTableType"] != "Custom":
            raise ApiError("ResourceNotAssociated.RouteTable", "The vSwitch (%s) is not associated with the route table (%s)."
                           % (vsw["VSwitchId"], table["RouteTableId"]))
        _move_vswitch(cloud, vsw, _system_table_of(cloud, vsw["VpcId"]))
        return {}

    return cloud.idempotent(p, unassociate)


# -- VPN gateways and their destination routes ------------------------------------
def _epoch_ms():
    return int(time.time() * 1000)


def _vpn_gateway_view(gateway):
    view = public(gateway)
    for key, value in (("AutoPropagate", False), ("BusinessStatus", "Normal"), ("ChargeType", "POSTPAY"), ("CreateTime", 1767225600000),
                       ("Description", ""), ("DisasterRecoveryInternetIp", ""), ("DisasterRecoveryVSwitchId", ""), ("EnableBgp", False),
                       ("EndTime", 0), ("EniInstanceIds", {"EniInstanceId": []}), ("GatewayType", "Normal"), ("InternetIp", "47.96.0.1"),
                       ("IpsecVpn", "enable"), ("Name", ""), ("NetworkType", "public"),
                       ("ReservationData", {"ReservationEndTime": "", "ReservationIpsec": "", "ReservationMaxConnections": 0,
                                            "ReservationOrderType": "", "ReservationSpec": "", "ReservationSsl": "", "Status": ""}),
                       ("ResourceGroupId", RESOURCE_GROUP), ("Spec", "10M"), ("SslMaxConnections", 0), ("SslVpn", "disable"),
                       ("SslVpnInternetIp", ""), ("Tag", ""), ("Tags", {"Tag": []}), ("VpnType", "Normal")):
        view.setdefault(key, value)
    return view


@action("vpc", "DescribeVpnGateways")
def describe_vpn_gateways(cloud, p):
    region = _region(cloud, p)
    vpc_id, gateway_id = p.str("VpcId"), p.str("VpnGatewayId")
    status, business = p.str("Status"), p.str("BusinessStatus")
    found = [g for g in _in_region(cloud.vpn_gateways.values(), region)
             if _matches(g["VpcId"], vpc_id) and _matches(g["VpnGatewayId"], gateway_id)
             and _matches(g.get("Status"), status) and _matches(g.get("BusinessStatus"), business)]
    page, meta = page_by_number(found, p, max_size=50)
    meta["VpnGateways"] = {"VpnGateway": [_vpn_gateway_view(g) for g in page]}
    return meta


def _vpn_gateway(cloud, p, region):
    gateway_id = p.required("VpnGatewayId")
    gateway = cloud.vpn_gateways.get(gateway_id)
    if gateway is None or gateway.get("RegionId") != region:
        raise ApiError("InvalidVpnGatewayInstanceId.NotFound", "The specified vpn gateway instance id (%s) does not exist." % gateway_id, status=404)
    return gateway


def _gateway_connections(cloud, gateway):
    """The IPsec connections of a VPN gateway: the fixture's list, and every connection that names the gateway."""
    named = [c["VpnConnectionId"] for c in cloud.vpn_connections.values() if c.get("VpnGatewayId") == gateway["VpnGatewayId"]]
    return list(gateway.get("_connections", [])) + [c for c in named if c not in gateway.get("_connections", [])]


def _vpn_route_args(p):
    """RouteDest, NextHop, Weight: the three fields that name a VPN destination route."""
    destination = _destination(p, "RouteDest")
    next_hop = p.required("NextHop")
    weight = p.int("Weight", required=True)
    if weight not in (0, 100):
        raise ApiError("INVALID_WEIGHT_PARAM", "Specified value of weight (%s) invalid: use 100 (active) or 0 (standby)." % weight)
    return destination, next_hop, weight


def _vpn_route_key(gateway, destination, next_hop):
    return "%s/%s/%s" % (gateway["VpnGatewayId"], destination, next_hop)


def _gateway_updates(cloud, gateway, seconds=VPN_CHANGE_SECONDS):
    """A route change puts the gateway in "updating" for a while; another change meanwhile is refused."""
    _refuse_while_updating(gateway)
    gateway["Status"] = "updating"
    gateway_id = gateway["VpnGatewayId"]

    def done():
        if gateway_id in cloud.vpn_gateways:
            cloud.vpn_gateways[gateway_id]["Status"] = "active"

    cloud.later(seconds, done)


def _refuse_while_updating(gateway):
    if gateway.get("Status") != "active":
        raise ApiError("VpnGateway.Configuring", "The specified VPN gateway (%s) is being configured (%s), try again later."
                       % (gateway["VpnGatewayId"], gateway.get("Status")))


# -- publication of VPN destination routes to the VPC's system route table ----------------------
# A published route is a real entry of the system route table (cloud.route_entries), so that DescribeRouteEntryList and the
# network twin (acr_twin.network, entries with Status Available) see it: NextHopType VpnGateway, NextHopId the gateway.
# Type: the public API reference does not say which Type DescribeRouteEntryList reports for a route a VPN gateway published
# (its documented types are System, Custom, BGP, CEN and ECR, and none is named for VPN gateways). The twin reports "Custom",
# the type of every route with a next hop that is a gateway of the VPC; unconfirmed against the cloud.
# Its Description is empty: it is the gateway's route, not a route entry anybody created in the table.
def _published_entry(cloud, gateway_id, destination):
    for entry in cloud.route_entries.values():
        if entry.get("_vpn_gateway") == gateway_id and entry["DestinationCidrBlock"] == destination:
            return entry
    return None


def _check_publishable(cloud, gateway, destination):
    """A destination the VPC's system table already routes elsewhere cannot be published.

    The API reference documents no error for this case; the twin answers with the route table's own code for a
    destination it holds already (RouterEntryConflict.Duplicated), naming the entry.
    """
    table = _system_table_of(cloud, gateway["VpcId"])
    text = str(destination)
    for entry in _entries_of_table(cloud, table["RouteTableId"]) if table else []:
        if entry["DestinationCidrBlock"] == text and entry.get("_vpn_gateway") != gateway["VpnGatewayId"]:
            raise ApiError("RouterEntryConflict.Duplicated", "A route entry already exists, which CIDR is '%s': %s (next hop %s %s)."
                           % (text, entry["RouteEntryId"], entry.get("NextHopType"), entry.get("NextHopId")))


def _sync_publication(cloud, gateway, destination):
    """The system table holds the gateway's route for ``destination`` while at least one of its routes there is published
    (an active and a standby route of one destination are one route of the VPC); Pending / Deleting for the publication time."""
    gateway_id, text = gateway["VpnGatewayId"], str(destination)
    wanted = any(r["VpnInstanceId"] == gateway_id and r["RouteDest"] == text and r["State"] == "published"
                 for r in cloud.vpn_route_entries.values())
    entry = _published_entry(cloud, gateway_id, text)
    if wanted and (entry is None or entry["Status"] == "Deleting"):
        if entry is not None:
            cloud.route_entries.pop(entry["RouteEntryId"], None)
        table = _system_table_of(cloud, gateway["VpcId"])
        entry_id = cloud.new_id("rte", gateway["RegionId"])
        cloud.route_entries[entry_id] = {
            "RouteEntryId": entry_id, "RouteTableId": table["RouteTableId"], "DestinationCidrBlock": text, "Type": "Custom",
            "Status": "Pending", "RouteEntryName": "", "Description": "", "IpVersion": "ipv4", "Origin": "Custom",
            "NextHopType": "VpnGateway", "NextHopId": gateway_id, "CreationTime": cloud.now_iso(), "GmtModified": cloud.now_iso(),
            "RegionId": gateway["RegionId"], "_vpn_gateway": gateway_id,
        }
        cloud.later(VPN_PUBLISH_SECONDS, _published_entry_becomes(cloud, entry_id, "Pending", "Available"))
    elif not wanted and entry is not None and entry["Status"] != "Deleting":
        entry["Status"] = "Deleting"
        cloud.later(VPN_PUBLISH_SECONDS, _published_entry_becomes(cloud, entry["RouteEntryId"], "Deleting", None))


def _published_entry_becomes(cloud, entry_id, expected, status):
    """The end of a publication (status) or a withdrawal (None: removed), unless another change came in between."""
    def apply():
        entry = cloud.route_entries.get(entry_id)
        if entry is None or entry["Status"] != expected:
            return
        if status is None:
            del cloud.route_entries[entry_id]
        else:
            entry.update(Status=status, GmtModified=cloud.now_iso())
    return apply


def refuse_published_entry(entry):
    """DeleteRouteEntry / ModifyRouteEntry on a route a VPN gateway published: the cloud's answer is not documented;
    the twin refuses (OperationDenied), as it does for the other routes the table holds for someone else."""
    if entry.get("_vpn_gateway"):
        raise ApiError("OperationDenied", "Specified operation is denied as route entry %s is published by VPN gateway %s: "
                       "withdraw it there (PublishVpnRouteEntry)." % (entry["RouteEntryId"], entry["_vpn_gateway"]))


def _vpn_route_view(route):
    return dict((k, route[k]) for k in ("RouteDest", "NextHop", "Weight", "State", "VpnInstanceId", "CreateTime", "Description",
                                        "OverlayMode"))


@action("vpc", "CreateVpnRouteEntry")
def create_vpn_route_entry(cloud, p):
    region = _region(cloud, p)
    gateway = _vpn_gateway(cloud, p, region)
    destination, next_hop, weight = _vpn_route_args(p)
    publish = p.bool("PublishVpc")
    if publish is None:
        raise ApiError("MissingParameter", 'The input parameter "PublishVpc" that is mandatory for processing this request is not supplied.')
    description = _description(p)
    overlay = p.str("OverlayMode", default="Ipsec")
    if next_hop not in _gateway_connections(cloud, gateway):
        raise ApiError("InvalidVpnConnectionInstanceId.NotFound", "The IPsec connection (%s) does not exist on VPN gateway %s."
                       % (next_hop, gateway["VpnGatewayId"]), status=404)
    if destination.prefixlen == 0 or destination.overlaps(CLOUD_SERVICE_CIDR):
        raise ApiError("InvalidRouteDest", "The destination %s is not supported (0.0.0.0/0 and 100.64.0.0/10 are reserved)." % destination)
    _dry_run(p)

    def create():
        key = _vpn_route_key(gateway, destination, next_hop)
        if key in cloud.vpn_route_entries:
            raise ApiError("VpnRouteEntry.AlreadyExists", "The VPN route entry %s via %s already exists." % (destination, next_hop))
        if publish:
            _check_publishable(cloud, gateway, destination)
        _gateway_updates(cloud, gateway, VPN_PUBLISH_SECONDS if publish else VPN_CHANGE_SECONDS)
        cloud.vpn_route_entries[key] = {
            "VpnInstanceId": gateway["VpnGatewayId"], "RouteDest": str(destination), "NextHop": next_hop, "Weight": weight,
            "State": "published" if publish else "normal", "CreateTime": _epoch_ms(), "Description": description or "",
            "OverlayMode": overlay, "RegionId": region,
        }
        _sync_publication(cloud, gateway, destination)
        return _vpn_route_view(cloud.vpn_route_entries[key])

    return cloud.idempotent(p, create)


def _vpn_route(cloud, gateway, destination, next_hop, weight):
    route = cloud.vpn_route_entries.get(_vpn_route_key(gateway, destination, next_hop))
    if route is None or (weight is not None and route["Weight"] != weight):
        raise ApiError("InvalidRouteEntry.NotFound", "Route entry (%s via %s%s) not exists."
                       % (destination, next_hop, "" if weight is None else ", weight %s" % weight))
    return route


@action("vpc", "DeleteVpnRouteEntry")
def delete_vpn_route_entry(cloud, p):
    region = _region(cloud, p)
    gateway = _vpn_gateway(cloud, p, region)
    destination, next_hop, weight = _vpn_route_args(p)

    def delete():
        route = _vpn_route(cloud, gateway, destination, next_hop, weight)
        _gateway_updates(cloud, gateway, VPN_PUBLISH_SECONDS if route["State"] == "published" else VPN_CHANGE_SECONDS)
        del cloud.vpn_route_entries[_vpn_route_key(gateway, destination, next_hop)]
        _sync_publication(cloud, gateway, destination)  # a deleted route is withdrawn from the VPC too
        return {}

    return cloud.idempotent(p, delete)


@action("vpc", "PublishVpnRouteEntry")
def publish_vpn_route_entry(cloud, p):
    """Publish (PublishVpc true) or withdraw (false) one route of the gateway; RouteType dbr (destination) or pbr (policy)."""
    region = _region(cloud, p)
    gateway = _vpn_gateway(cloud, p, region)
    destination = _destination(p, "RouteDest")
    next_hop = p.required("NextHop")
    route_type = p.required("RouteType", choices=("dbr", "pbr"))
    publish = p.bool("PublishVpc")
    if publish is None:
        raise ApiError("MissingParameter", 'The input parameter "PublishVpc" that is mandatory for processing this request is not supplied.')

    def publish_or_withdraw():
        if route_type == "pbr":  # the twin holds no policy-based routes
            raise ApiError("InvalidRouteEntry.NotFound", "Policy-based route entry (%s via %s) not exists." % (destination, next_hop))
        route = _vpn_route(cloud, gateway, destination, next_hop, None)
        state = "published" if publish else "normal"
        if route["State"] == state:
            return {}  # already so: nothing to configure
        if publish:
            _check_publishable(cloud, gateway, destination)
        _gateway_updates(cloud, gateway, VPN_PUBLISH_SECONDS)
        route["State"] = state
        _sync_publication(cloud, gateway, destination)
        return {}

    return cloud.idempotent(p, publish_or_withdraw)


@action("vpc", "ModifyVpnRouteEntryWeight")
def modify_vpn_route_entry_weight(cloud, p):
    """Weight -> NewWeight of the route (RouteDest, NextHop, Weight): active (100) and standby (0) swap in place."""
    region = _region(cloud, p)
    gateway = _vpn_gateway(cloud, p, region)
    destination, next_hop, weight = _vpn_route_args(p)
    new_weight = p.int("NewWeight", required=True)
    if new_weight not in (0, 100):
        raise ApiError("INVALID_WEIGHT_PARAM", "Specified value of weight (%s) invalid: use 100 (active) or 0 (standby)." % new_weight)

    def modify():
        route = _vpn_route(cloud, gateway, destination, next_hop, weight)
        if new_weight == weight:
            return {}
        _gateway_updates(cloud, gateway)
        route["Weight"] = new_weight
        return {}

    return cloud.idempotent(p, modify)


@action("vpc", "DescribeVpnRouteEntries")
def describe_vpn_route_entries(cloud, p):
    region = _region(cloud, p)
    gateway = _vpn_gateway(cloud, p, region)
    entry_type = p.str("RouteEntryType")
    routes = [r for r in cloud.vpn_route_entries.values() if r["VpnInstanceId"] == gateway["VpnGatewayId"]]
    if entry_type not in (None, "custom"):
        routes = []  # the twin only has the routes clients create (custom); no BGP or VPC-learned ones
    page, meta = page_by_number(routes, p, max_size=50)
    # The answer has no Description (the API reference and the SDK model list none): a route's description is write-only.
    meta["VpnRouteEntries"] = {"VpnRouteEntry": [
        dict(((k, v) for k, v in _vpn_route_view(r).items() if k not in ("Description", "OverlayMode")),
             AsPath="", Community="", NextHopTunnelId="", RouteEntryType="custom", Source="CUSTOM") for r in page]}
    meta["VpnRouteCounts"] = {"VpnRouteCount": [{"RouteCount": len(routes), "RouteEntryType": "custom", "Source": "CUSTOM"}]}
    return meta


# -- customer gateways and IPsec connections ------------------------------------------------------
def _customer_gateway_view(gateway):
    view = public(gateway)
    asn = str(view.pop("Asn", "") or "")
    if asn.isdigit():
        view["Asn"] = int(asn)  # the SDK model's type; absent when the gateway has no ASN (no BGP)
    for key, value in (("AuthKey", ""), ("CreateTime", 1767225600000), ("Description", ""), ("Name", ""),
                       ("ResourceGroupId", RESOURCE_GROUP), ("Tags", {"Tag": []})):
        view.setdefault(key, value)
    return view


@action("vpc", "DescribeCustomerGateways")
def describe_customer_gateways(cloud, p):
    region = _region(cloud, p)
    gateway_id = p.str("CustomerGatewayId")
    found = [g for g in _in_region(cloud.customer_gateways.values(), region) if _matches(g["CustomerGatewayId"], gateway_id)]
    page, meta = page_by_number(found, p, max_size=50)
    meta["CustomerGateways"] = {"CustomerGateway": [_customer_gateway_view(g) for g in page]}
    return meta


# The fields of an IPsec connection the fixture does not give: the console's defaults for a single-tunnel connection.
_VPN_CONNECTION_DEFAULTS = (
    ("AttachInstanceId", ""), ("CreateTime", 1767225600000), ("CrossAccountAuthorized", False), ("EffectImmediately", False),
    ("EnableDpd", True), ("EnableNatTraversal", True), ("EnableTunnelsBgp", False), ("InternetIp", ""), ("Name", ""),
    ("NetworkType", "public"), ("RemoteCaCertificate", ""), ("ResourceGroupId", RESOURCE_GROUP), ("Spec", "1000M"),
    ("Tag", {"Tag": []}), ("TransitRouterId", ""), ("TransitRouterName", ""), ("TunnelBandwidth", ""),
    ("TunnelOptionsSpecification", {"TunnelOptions": []}),
    ("VcoHealthCheck", {"Dip": "", "Enable": "false", "Interval": 0, "Policy": "", "Retry": 0, "Sip": "", "Status": ""}),
    ("VpnBgpConfig", {"AuthKey": "", "LocalAsn": 45104, "LocalBgpIp": "", "PeerAsn": 0, "PeerBgpIp": "", "Status": "false",
                      "TunnelCidr": ""}),
    # The pre-shared key is part of the cloud's answer: the twin sends one so that tests can check it never leaks further.
    ("IkeConfig", {"IkeAuthAlg": "sha1", "IkeEncAlg": "aes", "IkeLifetime": 86400, "IkeMode": "main", "IkePfs": "group2",
                   "IkeVersion": "ikev2", "LocalId": "", "Psk": "twin-pre-shared-key", "RemoteId": ""}),
    ("IpsecConfig", {"IpsecAuthAlg": "sha1", "IpsecEncAlg": "aes", "IpsecLifetime": 86400, "IpsecPfs": "group2"}),
)


def _vpn_connection_view(connection):
    view = public(connection)
    for key, value in _VPN_CONNECTION_DEFAULTS:
        view.setdefault(key, value)
    if view.get("AttachType") == "CEN":
        view.pop("VpnGatewayId", None)  # bound to a transit router: no VPN gateway at all, not an empty one
    return view


@action("vpc", "DescribeVpnConnections")
def describe_vpn_connections(cloud, p):
    region = _region(cloud, p)
    gateway_id, customer_id, connection_id = p.str("VpnGatewayId"), p.str("CustomerGatewayId"), p.str("VpnConnectionId")
    found = [c for c in _in_region(cloud.vpn_connections.values(), region)
             if _matches(c.get("VpnGatewayId") or None, gateway_id) and _matches(c.get("CustomerGatewayId"), customer_id)
             and _matches(c["VpnConnectionId"], connection_id)]
    page, meta = page_by_number(found, p, max_size=50)
    meta["VpnConnections"] = {"VpnConnection": [_vpn_connection_view(c) for c in page]}
    return meta
