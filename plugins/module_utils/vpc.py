# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Thin helpers for the VPC API (2016-04-28): read calls with paging, and snake_case views.

``describe_*`` return the API's items (PascalCase, wrappers removed);
``normalise_*`` turn one item into the documented snake_case dict.
Errors propagate as AlicloudError; retries happen in ``module.call``.
"""

from __future__ import annotations

import typing as t

from .common import camel_to_snake, unwrap_list
from .errors import AlicloudApiError

PAGE_SIZE = 50          # DescribeVpcs / DescribeVSwitches / DescribeRouteTableList maximum
ROUTE_ENTRY_PAGE = 100  # DescribeRouteEntryList MaxResult maximum


def _pages(module: t.Any, action: str, params: dict, items: tuple, region: str) -> list:
    """All items of a PageNumber/PageSize list call."""
    found: list = []
    page = 1
    while True:
        body = module.call("vpc", action, dict(params, PageNumber=page, PageSize=PAGE_SIZE), region=region)
        batch = unwrap_list(body, *items)
        found.extend(batch)
        total = body.get("TotalCount")
        if len(batch) < PAGE_SIZE or (total is not None and len(found) >= int(total)):
            return found
        page += 1


def _token_pages(module: t.Any, action: str, params: dict, items: tuple, region: str) -> list:
    """All items of a NextToken/MaxResult list call."""
    found: list = []
    token = None
    seen = set()
    while True:
        body = module.call("vpc", action, dict(params, MaxResult=ROUTE_ENTRY_PAGE, NextToken=token), region=region)
        found.extend(unwrap_list(body, *items))
        token = body.get("NextToken") or None
        if token is None or token in seen:  # a repeated token would loop for ever
            return found
        seen.add(token)


def describe_vpcs(module: t.Any, region: str, vpc_id: str | None = None, vpc_name: str | None = None) -> list:
    """VPCs of a region, optionally only the one with ``vpc_id`` or those named ``vpc_name`` (exact match)."""
    vpcs = _pages(module, "DescribeVpcs", {"RegionId": region, "VpcId": vpc_id, "VpcName": vpc_name}, ("Vpcs", "Vpc"), region)
    if vpc_name is not None:
        vpcs = [vpc for vpc in vpcs if vpc.get("VpcName") == vpc_name]
    if vpc_id is not None:
        vpcs = [vpc for vpc in vpcs if vpc.get("VpcId") == vpc_id]
    return vpcs


def describe_vswitches(module: t.Any, region: str, vpc_id: str) -> list:
    return _pages(module, "DescribeVSwitches", {"RegionId": region, "VpcId": vpc_id}, ("VSwitches", "VSwitch"), region)


def describe_route_tables(module: t.Any, region: str, vpc_id: str) -> list:
    return _pages(module, "DescribeRouteTableList", {"RegionId": region, "VpcId": vpc_id},
                  ("RouterTableList", "RouterTableListType"), region)


def describe_route_entries(module: t.Any, region: str, route_table_id: str, destination_cidr_block: str | None = None) -> list:
    params = {"RegionId": region, "RouteTableId": route_table_id, "DestinationCidrBlock": destination_cidr_block}
    return _token_pages(module, "DescribeRouteEntryList", params, ("RouteEntrys", "RouteEntry"), region)


def _pick(item: dict, keys: tuple) -> dict:
    return {camel_to_snake(key): item.get(key) for key in keys}


def normalise_vswitch(item: dict) -> dict:
    view = _pick(item, ("VSwitchId", "VSwitchName", "VpcId", "ZoneId", "CidrBlock", "Status", "AvailableIpAddressCount", "Description"))
    view["route_table_id"] = (item.get("RouteTable") or {}).get("RouteTableId")
    view["route_table_type"] = (item.get("RouteTable") or {}).get("RouteTableType")
    return view


def normalise_route_entry(item: dict) -> dict:
    view = _pick(item, ("RouteEntryId", "RouteEntryName", "RouteTableId", "DestinationCidrBlock", "Type", "Status", "Description"))
    view["next_hops"] = [_pick(hop, ("NextHopType", "NextHopId")) for hop in unwrap_list(item, "NextHops", "NextHop")]
    return view


def normalise_route_table(item: dict, entries: list) -> dict:
    view = _pick(item, ("RouteTableId", "RouteTableName", "RouteTableType", "RouterId", "RouterType", "Status", "Description"))
    view["vswitch_ids"] = unwrap_list(item, "VSwitchIds", "VSwitchId")
    view["entries"] = [normalise_route_entry(entry) for entry in entries]
    return view


def normalise_vpc(item: dict, vswitches: list, route_tables: list) -> dict:
    view = _pick(item, ("VpcId", "VpcName", "RegionId", "CidrBlock", "Status", "VRouterId", "Description", "IsDefault", "CreationTime"))
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
