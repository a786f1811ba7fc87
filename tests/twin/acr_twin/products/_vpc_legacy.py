"""VPC 2016-04-28 calls that widely deployed clients still make, next to the ones the collection uses.

- ``DescribeRouteTables``: deprecated in favour of DescribeRouteTableList, still served by the cloud (older Ansible
  collections and terraform providers read routes with it): route tables *with their entries*.
- ``DescribeVRouters``: a VPC's vRouter and its route tables.
- ``CreateRouteEntries`` / ``DeleteRouteEntries``: up to 50 route entries in one request, possibly in several tables.

Field names are the installed SDK models' (alibabacloud_vpc20160428 7.2.2). Semantics from the API references
(help.aliyun.com "CreateRouteEntries", "DeleteRouteEntries", "DescribeRouteTables", "DescribeVRouters"):

- Both batch calls are asynchronous: each created entry is Pending, each deleted one Deleting, for the same time as with
  the single-entry calls (``ROUTE_CHANGE_SECONDS``).
- "CreateRouteEntries does not support concurrent batch creation in the same VPC" and "you cannot delete a route of a
  VPC in which a vSwitch or another route is being created or deleted": a batch touching a VPC that still has a route
  change running (or a vSwitch Pending) is refused as a whole, with the code the single-entry calls answer for a busy
  route table (TaskConflict, in terraform-provider-alicloud's retry list for route entries). Several entries of one
  batch may go to the same table: the batch is one task.
- Per-entry results: the answer counts successes and failures (SuccessCount, FailedCount) and lists each failed entry
  with its own FailedCode / FailedMessage; the others are made. The twin fails an entry for what would fail the
  single-entry call on that entry (unknown table, duplicate or overlapping destination -- within the table or earlier
  in the same batch --, unusable next hop, quota of 200 custom entries). A malformed request (no entries, more than 50,
  an entry without RouteTableId or DstCidrBlock, an IpVersion other than 4 or 6) is refused as a whole. Which checks
  the cloud makes per entry and which for the whole request is not published: this split is the twin's (unverified).
- DeleteRouteEntries deletes "only routes in the Available state": any other state fails that entry
  (IncorrectRouteEntryStatus, in terraform-provider-alicloud's retry list).
"""

import ipaddress

from acr_twin.errors import ApiError
from acr_twin.products import vpc as v
from acr_twin.registry import action
from acr_twin.state import page_by_number

IP_VERSIONS = {"4": "ipv4", "6": "ipv6"}


# -- DescribeVRouters -------------------------------------------------------------
@action("vpc", "DescribeVRouters")
def describe_vrouters(cloud, p):
    region = v._region(cloud, p)
    router_id = p.str("VRouterId")
    vpcs = [vpc for vpc in v._in_region(cloud.vpcs.values(), region) if v._matches(vpc.get("VRouterId"), router_id)]
    page, meta = page_by_number(vpcs, p, max_size=50)
    meta["VRouters"] = {"VRouter": [{
        "VRouterId": vpc["VRouterId"], "VpcId": vpc["VpcId"], "RegionId": vpc["RegionId"], "VRouterName": vpc.get("VRouterName", ""),
        "Description": vpc.get("VRouterDescription", ""), "CreationTime": vpc.get("CreationTime") or cloud.now_iso(),
        "RouteTableIds": {"RouteTableId": [t["RouteTableId"] for t in cloud.route_tables.values() if t.get("RouterId") == vpc["VRouterId"]]},
    } for vpc in page]}
    return meta


# -- DescribeRouteTables ----------------------------------------------------------
def _legacy_entry_view(entry):
    """One route of DescribeRouteTables: InstanceId is the next hop; NextHops lists the hops of an ECMP route only (the
    API reference: "the next hops of an ECMP route"), and the twin has no ECMP routes, so it is always empty."""
    return {
        "RouteEntryId": entry["RouteEntryId"], "RouteTableId": entry["RouteTableId"], "RouteEntryName": entry.get("RouteEntryName") or "",
        "Description": entry.get("Description") or "", "DestinationCidrBlock": entry["DestinationCidrBlock"],
        "InstanceId": entry.get("NextHopId") or "", "NextHopType": entry.get("NextHopType") or "", "Status": entry["Status"],
        "Type": entry["Type"], "NextHops": {"NextHop": []},
    }


@action("vpc", "DescribeRouteTables")
def describe_route_tables(cloud, p):
    region = v._region(cloud, p, required=False)
    vrouter_id, router_id = p.str("VRouterId"), p.str("RouterId")
    table_id, name = p.str("RouteTableId"), p.str("RouteTableName")
    if not (vrouter_id or router_id or table_id or name):
        # The SDK model: "You must specify at least one of VRouterId, RouteTableId, RouterId and RouteTableName".
        raise ApiError("MissingParameter", 'The input parameter "VRouterId", "RouteTableId", "RouterId" or "RouteTableName" '
                       "that is mandatory for processing this request is not supplied.")
    if vrouter_id and router_id:
        raise ApiError("InvalidParameter", "Specify VRouterId or RouterId, not both.")
    router_type = p.str("RouterType", default="VRouter", choices=("VRouter", "VBR"))
    entry_type = p.str("Type", choices=v.ROUTE_ENTRY_TYPES)
    group = p.str("ResourceGroupId")
    tables = [t for t in v._in_region(cloud.route_tables.values(), region)
              if v._matches(t.get("RouterId"), vrouter_id or router_id) and v._matches(t["RouteTableId"], table_id)
              and v._matches(t.get("RouteTableName"), name) and t.get("RouterType", "VRouter") == router_type
              and v._matches(t.get("ResourceGroupId", v.RESOURCE_GROUP), group)]
    page, meta = page_by_number(tables, p, max_size=50)
    meta["RouteTables"] = {"RouteTable": [{
        "RouteTableId": t["RouteTableId"], "RouteTableType": t["RouteTableType"], "VRouterId": t.get("RouterId", ""),
        "Status": t.get("Status", "Available"), "CreationTime": t.get("CreationTime") or cloud.now_iso(),
        "ResourceGroupId": t.get("ResourceGroupId", v.RESOURCE_GROUP),
        "VSwitchIds": {"VSwitchId": v._vswitches_of_table(cloud, t["RouteTableId"])},
        "RouteEntrys": {"RouteEntry": [_legacy_entry_view(e) for e in v._entries_of_table(cloud, t["RouteTableId"])
                                       if v._matches(e["Type"], entry_type)]},
    } for t in page]}
    return meta


# -- the batch calls ----------------------------------------------------------------
def _batch_rows(p, fields, required):
    rows = p.list("RouteEntries", fields)
    if not rows:
        raise ApiError("MissingParameter", 'The input parameter "RouteEntries" that is mandatory for processing this request is not supplied.')
    if len(rows) > v.BATCH_MAX:
        raise ApiError("InvalidParameter", "At most %d route entries can be given in one request, not %d." % (v.BATCH_MAX, len(rows)))
    for index, row in enumerate(rows, 1):
        for name in required:
            if not row.get(name):
                raise ApiError("MissingParameter", 'The input parameter "RouteEntries.%d.%s" that is mandatory for processing this '
                               "request is not supplied." % (index, name))
    return rows


def _refuse_busy_vpcs(cloud, tables):
    """The batch is refused while a VPC it touches has a route change running or a vSwitch Pending (module docstring)."""
    for vpc_id in sorted(set(t["VpcId"] for t in tables)):
        for table_id in v._tables_of_vpc(cloud, vpc_id):
            busy = v._table_busy(cloud, table_id)
            if busy is not None:
                raise ApiError("TaskConflict", "The operation is too frequent, please wait a moment and try again. (route entry %s of "
                               "%s in %s is %s)" % (busy["RouteEntryId"], table_id, vpc_id, busy["Status"]))
        for vsw in cloud.vswitches.values():
            if vsw["VpcId"] == vpc_id and vsw.get("Status", "Available") != "Available":
                raise ApiError("TaskConflict", "The operation is too frequent, please wait a moment and try again. (vSwitch %s of %s is %s)"
                               % (vsw["VSwitchId"], vpc_id, vsw["Status"]))


def _known_tables(cloud, rows, region):
    return [cloud.route_tables[r["RouteTableId"]] for r in rows
            if r["RouteTableId"] in cloud.route_tables and cloud.route_tables[r["RouteTableId"]].get("RegionId") == region]


@action("vpc", "CreateRouteEntries")
def create_route_entries(cloud, p):
    region = v._region(cloud, p)
    rows = _batch_rows(p, ["RouteTableId", "DstCidrBlock", "NextHop", "NextHopType", "IpVersion", "Name", "Description"],
                       ("RouteTableId", "DstCidrBlock"))
    for index, row in enumerate(rows, 1):
        if row["IpVersion"] not in (None, "") and row["IpVersion"] not in IP_VERSIONS:
            raise ApiError("InvalidParameter", 'The parameter "RouteEntries.%d.IpVersion" must be 4 or 6, not %r.' % (index, row["IpVersion"]))
    _refuse_busy_vpcs(cloud, _known_tables(cloud, rows, region))
    v._dry_run(p)
    created, failed = [], []
    for row in rows:
        try:
            created.append(_create_one(cloud, region, row))
        except ApiError as err:
            failed.append({"DstCidrBlock": row["DstCidrBlock"], "NextHop": row["NextHop"] or "", "FailedCode": err.code,
                           "FailedMessage": err.message})
    return {"SuccessCount": len(created), "FailedCount": len(failed), "RouteEntryIds": created, "FailedRouteEntries": failed}


def _create_one(cloud, region, row):
    """One entry of a batch, checked as CreateRouteEntry checks it (ApiError: this entry failed)."""
    table = v._table(cloud, row["RouteTableId"], region)
    try:
        destination = ipaddress.ip_network(row["DstCidrBlock"], strict=True)
    except ValueError:
        raise ApiError("InvalidCidrBlock.Malformed", "Specified CIDR block (%s) is not valid." % row["DstCidrBlock"])
    if row["IpVersion"] and IP_VERSIONS[row["IpVersion"]] != "ipv%d" % destination.version:
        raise ApiError("InvalidParameter", "The destination %s is not an IPv%s CIDR block." % (destination, row["IpVersion"]))
    for field, value in (("Name", row["Name"]), ("Description", row["Description"])):
        if value and (len(value) > (128 if field == "Name" else 256) or value.startswith(("http://", "https://"))):
            raise ApiError("InvalidRouteEntryName.Malformed" if field == "Name" else "InvalidDescription.Malformed",
                           "Specified %s (%s) is not valid." % (field, value))
    hop_type = row["NextHopType"] or "Instance"
    v._check_destination(cloud, table, destination)
    v._check_next_hop(cloud, table, hop_type, row["NextHop"])
    customs = [e for e in v._entries_of_table(cloud, table["RouteTableId"]) if e["Type"] == "Custom"]
    if len(customs) >= v.CUSTOM_ROUTE_QUOTA:
        raise ApiError("QuotaExceeded", "Route entry quota exceeded in this route table (%d custom entries)." % v.CUSTOM_ROUTE_QUOTA)
    entry_id = cloud.new_id("rte", region)
    cloud.route_entries[entry_id] = {
        "RouteEntryId": entry_id, "RouteTableId": table["RouteTableId"], "DestinationCidrBlock": str(destination),
        "Type": "Custom", "Status": "Pending", "RouteEntryName": row["Name"] or "", "Description": row["Description"] or "",
        "IpVersion": "ipv%d" % destination.version, "Origin": "Custom", "NextHopType": hop_type, "NextHopId": row["NextHop"],
        "CreationTime": cloud.now_iso(), "GmtModified": cloud.now_iso(), "RegionId": table.get("RegionId"),
    }
    cloud.later(v.ROUTE_CHANGE_SECONDS, v._becomes(cloud, entry_id, "Available"))
    return entry_id


@action("vpc", "DeleteRouteEntries")
def delete_route_entries(cloud, p):
    region = v._region(cloud, p)
    rows = _batch_rows(p, ["RouteTableId", "RouteEntryId", "DstCidrBlock", "NextHop"], ("RouteTableId",))
    for index, row in enumerate(rows, 1):
        if not row["RouteEntryId"] and not (row["DstCidrBlock"] and row["NextHop"]):
            raise ApiError("MissingParameter", 'The input parameter "RouteEntries.%d.RouteEntryId" (or "DstCidrBlock" and "NextHop") '
                           "that is mandatory for processing this request is not supplied." % index)
    _refuse_busy_vpcs(cloud, _known_tables(cloud, rows, region))
    v._dry_run(p)
    deleted, failed = 0, []
    for row in rows:
        try:
            _delete_one(cloud, region, row)
            deleted += 1
        except ApiError as err:
            failed.append({"RouteEntryId": row["RouteEntryId"] or "", "DstCidrBlock": row["DstCidrBlock"] or "",
                           "NextHop": row["NextHop"] or "", "FailedCode": err.code, "FailedMessage": err.message})
    return {"SuccessCount": deleted, "FailedCount": len(failed), "FailedRouteEntries": failed}


def _delete_one(cloud, region, row):
    table = v._table(cloud, row["RouteTableId"], region)
    entry = None
    for candidate in v._entries_of_table(cloud, table["RouteTableId"]):
        if row["RouteEntryId"]:
            if candidate["RouteEntryId"] == row["RouteEntryId"]:
                entry = candidate
        elif candidate["DestinationCidrBlock"] == _normalised(row["DstCidrBlock"]) and candidate.get("NextHopId") == row["NextHop"]:
            entry = candidate
    if entry is None:
        raise ApiError("InvalidRouteEntry.NotFound", "Route entry (%s) not exists."
                       % (row["RouteEntryId"] or "%s %s via %s" % (table["RouteTableId"], row["DstCidrBlock"], row["NextHop"])))
    if entry["Type"] == "System":
        raise ApiError("OperationDenied", "Specified operation is denied as route entry type is system (%s)." % entry["RouteEntryId"])
    v.refuse_published_entry(entry)
    if entry["Status"] != "Available":
        raise ApiError("IncorrectRouteEntryStatus", "The status of route entry %s (%s) does not support this operation."
                       % (entry["RouteEntryId"], entry["Status"]))
    entry["Status"] = "Deleting"
    cloud.later(v.ROUTE_CHANGE_SECONDS, v._removed(cloud, entry["RouteEntryId"]))


def _normalised(cidr):
    try:
        return str(ipaddress.ip_network(cidr, strict=True))
    except ValueError:
        return cidr
