# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The VPC product's home (API 2016-04-28): VPCs, vSwitches and route tables, read with paging, and snake_case views.

Route entries (validation, the route table editor, their waiters and busy codes) are in vpc_routes.py.
``describe_*`` return the API's items (PascalCase, wrappers removed);
``normalise_*`` turn one item into the documented snake_case dict.
Errors propagate as AlicloudError; retries happen in ``module.call``.
"""

from __future__ import annotations

import typing as t

from . import paging
from .common import pick, unwrap_list
from .errors import AlicloudApiError, AlicloudError, is_not_found
from .product import Product

# The SDK maps cn-hangzhou and some others to vpc.aliyuncs.com, the rest to vpc.<region>.aliyuncs.com.
VPC = Product("vpc", "alibabacloud_vpc20160428", "alibabacloud-vpc20160428", None, True)
PAGE_SIZE = 50          # DescribeVpcs / DescribeVSwitches / DescribeRouteTableList maximum
ROUTE_ENTRY_PAGE = 100  # DescribeRouteEntryList MaxResult maximum


def _number_pages(module: t.Any, action: str, params: dict, items: tuple, region: str | None = None) -> list:
    """All items of a VPC PageNumber/PageSize list call."""
    return paging.number_pages(module, VPC, action, params, items, PAGE_SIZE, region=region)


def _token_pages(module: t.Any, action: str, params: dict, items: tuple, region: str) -> list:
    """All items of a VPC NextToken/MaxResult list call."""
    return paging.token_pages(module, VPC, action, params, items, "MaxResult", ROUTE_ENTRY_PAGE, region=region)


def describe_vpcs(module: t.Any, region: str, vpc_id: str | None = None, vpc_name: str | None = None) -> list:
    """VPCs of a region, optionally only the one with ``vpc_id`` or those named ``vpc_name`` (exact match)."""
    vpcs = _number_pages(module, "DescribeVpcs", {"RegionId": region, "VpcId": vpc_id, "VpcName": vpc_name}, ("Vpcs", "Vpc"), region)
    if vpc_name is not None:
        vpcs = [vpc for vpc in vpcs if vpc.get("VpcName") == vpc_name]
    if vpc_id is not None:
        vpcs = [vpc for vpc in vpcs if vpc.get("VpcId") == vpc_id]
    return vpcs


def describe_vswitches(module: t.Any, region: str, vpc_id: str) -> list:
    return _number_pages(module, "DescribeVSwitches", {"RegionId": region, "VpcId": vpc_id}, ("VSwitches", "VSwitch"), region)


def _route_table_list(module: t.Any, region: str, **filters: t.Any) -> list:
    """DescribeRouteTableList, paged; the items are wrapped twice (RouterTableList.RouterTableListType)."""
    return _number_pages(module, "DescribeRouteTableList", dict(filters, RegionId=region), ("RouterTableList", "RouterTableListType"), region)


def describe_route_tables(module: t.Any, region: str, vpc_id: str) -> list:
    return _route_table_list(module, region, VpcId=vpc_id)


def describe_route_entries(module: t.Any, region: str, route_table_id: str, destination_cidr_block: str | None = None) -> list:
    params = {"RegionId": region, "RouteTableId": route_table_id, "DestinationCidrBlock": destination_cidr_block}
    return _token_pages(module, "DescribeRouteEntryList", params, ("RouteEntrys", "RouteEntry"), region)


def normalise_vswitch(item: dict) -> dict:
    view = pick(item, ("VSwitchId", "VSwitchName", "VpcId", "ZoneId", "CidrBlock", "Status", "AvailableIpAddressCount", "Description"))
    view["route_table_id"] = (item.get("RouteTable") or {}).get("RouteTableId")
    view["route_table_type"] = (item.get("RouteTable") or {}).get("RouteTableType")
    return view


def normalise_route_entry(item: dict) -> dict:
    view = pick(item, ("RouteEntryId", "RouteEntryName", "RouteTableId", "DestinationCidrBlock", "Type", "Status", "Description"))
    view["next_hops"] = [pick(hop, ("NextHopType", "NextHopId")) for hop in unwrap_list(item, "NextHops", "NextHop")]
    return view


def normalise_route_table(item: dict, entries: list) -> dict:
    view = pick(item, ("RouteTableId", "RouteTableName", "RouteTableType", "RouterId", "RouterType", "Status", "Description"))
    view["vswitch_ids"] = unwrap_list(item, "VSwitchIds", "VSwitchId")
    view["entries"] = [normalise_route_entry(entry) for entry in entries]
    return view


def normalise_vpc(item: dict, vswitches: list, route_tables: list) -> dict:
    view = pick(item, ("VpcId", "VpcName", "RegionId", "CidrBlock", "Status", "VRouterId", "Description", "IsDefault", "CreationTime"))
    view["secondary_cidr_blocks"] = unwrap_list(item, "SecondaryCidrBlocks", "SecondaryCidrBlock")
    view["vswitches"] = vswitches
    view["route_tables"] = route_tables
    return view


def describe_vpc_details(module: t.Any, region: str, vpc_id: str | None = None, vpc_name: str | None = None) -> list:
    """VPCs with their vSwitches, route tables and route entries, as snake_case dicts.

    A VPC asked for by id or name that does not exist is an error (InvalidVpcId.NotFound), not an empty list:
    a typo must not look like an empty VPC.
    """
    vpcs = describe_vpcs(module, region, vpc_id=vpc_id, vpc_name=vpc_name)
    if not vpcs and (vpc_id or vpc_name):
        wanted = "VPC %s" % vpc_id if vpc_id else "VPC named %r" % vpc_name
        raise AlicloudApiError("%s not found in region %s" % (wanted, region), operation="DescribeVpcs",
                               code="InvalidVpcId.NotFound" if vpc_id else "InvalidVpcName.NotFound",
                               request_id=getattr(module, "last_request_id", None))
    details = []
    for vpc in vpcs:
        vswitches = [normalise_vswitch(item) for item in describe_vswitches(module, region, vpc["VpcId"])]
        tables = [normalise_route_table(table, describe_route_entries(module, region, table["RouteTableId"]))
                  for table in describe_route_tables(module, region, vpc["VpcId"])]
        details.append(normalise_vpc(vpc, vswitches, tables))
    return details


# --- route tables --------------------------------------------------------------------------------------

def system_route_table_id(module: t.Any, region: str, vpc_id: str) -> str:
    tables = _route_table_list(module, region, VpcId=vpc_id, RouteTableType="System")
    if not tables:
        raise AlicloudApiError("VPC %s has no system route table in region %s (does the VPC exist there?)" % (vpc_id, region),
                               operation="DescribeRouteTableList", code="InvalidVpcId.NotFound",
                               request_id=getattr(module, "last_request_id", None))
    return tables[0]["RouteTableId"]


def describe_route_table(module: t.Any, region: str, route_table_id: str) -> dict:
    """One route table (RouteTableType, VpcId...); InvalidRouteTableId.NotFound when the region has no such table."""
    tables = [table for table in _route_table_list(module, region, RouteTableId=route_table_id)
              if table.get("RouteTableId") == route_table_id]
    if not tables:
        raise AlicloudApiError("route table %s not found in region %s" % (route_table_id, region), operation="DescribeRouteTableList",
                               code="InvalidRouteTableId.NotFound", request_id=getattr(module, "last_request_id", None))
    return tables[0]


# --- single reads used to check input ---------------------------------------------------------------

def describe_vpc(module: t.Any, region: str, vpc_id: str) -> dict | None:
    """One VPC, or None when the region has no such VPC."""
    try:
        found = describe_vpcs(module, region, vpc_id=vpc_id)
    except AlicloudError as error:
        if is_not_found(error):
            return None
        raise
    return found[0] if found else None


def describe_vswitch(module: t.Any, region: str, vswitch_id: str) -> dict | None:
    """One vSwitch (VpcId, AvailableIpAddressCount...), or None when the region has no such vSwitch.

    Asked for by one vSwitch ID, the form the API reference documents.
    """
    body = module.call(VPC, "DescribeVSwitches", {"RegionId": region, "VSwitchId": vswitch_id}, region=region)
    found = [item for item in unwrap_list(body, "VSwitches", "VSwitch") if item.get("VSwitchId") == vswitch_id]
    return found[0] if found else None


def vswitch_owner(module: t.Any, region: str, vswitch_id: str) -> str | None:
    """The VPC of a vSwitch, or None when the region has no such vSwitch (only read on the error path)."""
    return (describe_vswitch(module, region, vswitch_id) or {}).get("VpcId")


def region_has_vpcs(module: t.Any, region: str) -> bool:
    """True when at least one VPC is visible in ``region`` (False also for a region the API does not know)."""
    try:
        body = module.call(VPC, "DescribeVpcs", {"RegionId": region, "PageSize": 1}, region=region)
    except AlicloudError as error:
        if is_not_found(error):  # InvalidRegionId.NotFound
            return False
        raise
    return bool(unwrap_list(body, "Vpcs", "Vpc"))


def vpc_cidr_blocks(vpc: dict) -> list:
    return [vpc["CidrBlock"]] + [c for c in unwrap_list(vpc, "SecondaryCidrBlocks", "SecondaryCidrBlock") if c]
