# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The VPC product's home (API 2016-04-28): VPCs, vSwitches and route tables, VPN gateways with their IPsec connections,
customer gateways and destination routes, read with paging, and snake_case views; the VPN gateway's busy codes and waiters.

Route entries (validation, the route table editor, their waiters and busy codes) are in vpc_routes.py;
the manager of a VPN gateway's destination routes in vpn_routes.py.
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
from .waiter import WaiterSpec

# The SDK maps cn-hangzhou and some others to vpc.aliyuncs.com, the rest to vpc.<region>.aliyuncs.com.
# Its general busy codes (the API reference's retry advice, terraform-provider-alicloud's lists): retried on every read.
VPC = Product("vpc", "alibabacloud_vpc20160428", "alibabacloud-vpc20160428", None, True,
              busy_codes=("TaskConflict", "OperationConflict", "LastTokenProcessing", "OperationFailed.DistibuteLock"))
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


# --- VPN gateways ---------------------------------------------------------------------------------------
# The VPN gateway's own API (part of VPC 2016-04-28). The collection creates no gateway, customer gateway or IPsec
# connection (billing- and site-specific): it reads them, and manages the gateway's destination routes (vpn_routes.py).

VPN_PAGE = 50  # DescribeVpnGateways / DescribeVpnConnections / DescribeCustomerGateways / DescribeVpnRouteEntries maximum

# A change while the gateway is still applying the last one ("updating"): VpnGateway.Configuring is the API reference's code
# for it (PublishVpnRouteEntry, "The specified service is configuring"); the others are the VPC API's general busy codes.
VPN_GATEWAY_BUSY = (
    "VpnGateway.Configuring",
    "TaskConflict",
    "OperationConflict",
    "LastTokenProcessing",
)


def describe_vpn_gateways(module: t.Any, region: str, vpc_id: str | None = None, vpn_gateway_id: str | None = None) -> list:
    """VPN gateways of a region, optionally of one VPC or only the one with ``vpn_gateway_id``."""
    params = {"RegionId": region, "VpcId": vpc_id, "VpnGatewayId": vpn_gateway_id}
    return paging.number_pages(module, VPC, "DescribeVpnGateways", params, ("VpnGateways", "VpnGateway"), VPN_PAGE, region=region)


def describe_vpn_gateway(module: t.Any, region: str, vpn_gateway_id: str) -> dict | None:
    """One VPN gateway (VpcId, Status...), or None when the region has no such gateway."""
    try:
        found = describe_vpn_gateways(module, region, vpn_gateway_id=vpn_gateway_id)
    except AlicloudError as error:
        if is_not_found(error):
            return None
        raise
    return next((item for item in found if item.get("VpnGatewayId") == vpn_gateway_id), None)


def describe_vpn_connections(module: t.Any, region: str, vpn_gateway_id: str | None = None, vpn_connection_id: str | None = None) -> list:
    """IPsec connections of a region: those of one VPN gateway, or one by id; connections bound to a transit router
    (AttachType CEN) have no VpnGatewayId."""
    params = {"RegionId": region, "VpnGatewayId": vpn_gateway_id, "VpnConnectionId": vpn_connection_id}
    return paging.number_pages(module, VPC, "DescribeVpnConnections", params, ("VpnConnections", "VpnConnection"), VPN_PAGE, region=region)


def describe_customer_gateways(module: t.Any, region: str) -> list:
    params = {"RegionId": region}
    return paging.number_pages(module, VPC, "DescribeCustomerGateways", params, ("CustomerGateways", "CustomerGateway"), VPN_PAGE,
                               region=region)


def describe_vpn_route_entries(module: t.Any, region: str, vpn_gateway_id: str) -> list:
    """The destination routes of a VPN gateway (RouteEntryType custom: the routes somebody made, not those BGP learned).

    The answer has no Description (the API reference and the SDK model list none): a route's description cannot be read back.
    """
    params = {"RegionId": region, "VpnGatewayId": vpn_gateway_id, "RouteEntryType": "custom"}
    return paging.number_pages(module, VPC, "DescribeVpnRouteEntries", params, ("VpnRouteEntries", "VpnRouteEntry"), VPN_PAGE,
                               region=region)


def normalise_customer_gateway(item: dict) -> dict:
    # Never AuthKey: the BGP authentication key of the data center's gateway is a secret.
    return pick(item, ("CustomerGatewayId", "Name", "IpAddress", "Asn", "Description", "CreateTime"))


def normalise_vpn_connection(item: dict, customer_gateways: dict) -> dict:
    """One IPsec connection, with its customer gateway (``customer_gateways``: raw items by id) when the region has it.

    Never IkeConfig: the answer carries the connection's pre-shared key (IkeConfig.Psk).
    """
    view = pick(item, ("VpnConnectionId", "Name", "Status", "State", "AttachType", "VpnGatewayId", "CustomerGatewayId",
                       "LocalSubnet", "RemoteSubnet", "TransitRouterId", "TransitRouterName", "AttachInstanceId", "CreateTime"))
    view["vpn_gateway_id"] = view["vpn_gateway_id"] or None  # bound to a transit router: no VPN gateway
    customer = customer_gateways.get(item.get("CustomerGatewayId") or "")
    view["customer_gateway"] = normalise_customer_gateway(customer) if customer else None
    return view


def normalise_vpn_gateway(item: dict, connections: list) -> dict:
    view = pick(item, ("VpnGatewayId", "Name", "VpcId", "VSwitchId", "Status", "BusinessStatus", "Spec", "InternetIp",
                       "IpsecVpn", "SslVpn", "EnableBgp", "NetworkType", "ChargeType", "Description"))
    view["ipsec_connections"] = connections
    return view


def normalise_vpn_route(item: dict) -> dict:
    return pick(item, ("RouteDest", "NextHop", "Weight", "State", "VpnInstanceId", "CreateTime"))


def _same_vpn_gateway(item: dict, ids: dict) -> bool:
    return item.get("VpnGatewayId") == ids["vpn_gateway_id"]


# Pacing: the API reference says a route change is asynchronous and the gateway "updating" until it is done, with no figure;
# about 2 s is an estimate (the twin's too), so the second read comes just before and later ones every second.
VPN_GATEWAY_ACTIVE = WaiterSpec(resource="VPN gateway {vpn_gateway_id}", product=VPC, operation="DescribeVpnGateways",
                                request=lambda ids: {"RegionId": ids["region"], "VpnGatewayId": ids["vpn_gateway_id"]},
                                items=("VpnGateways", "VpnGateway"), status_key="Status", success=("active",),
                                failure=("deleting", "deleted"), when_gone="failure", match=_same_vpn_gateway,
                                delay=1.5, max_delay=1.0).check()


def _published_by(item: dict, ids: dict) -> bool:
    """The system table's entry for the destination whose next hop is the VPN gateway (a published VPN route)."""
    hops = unwrap_list(item, "NextHops", "NextHop") or [item]
    return (item.get("DestinationCidrBlock") == ids["destination"]
            and any(hop.get("NextHopType") == "VpnGateway" and hop.get("NextHopId") == ids["vpn_gateway_id"] for hop in hops))


_PUBLISHED_ROUTE = dict(resource="the VPC route to {destination} published by VPN gateway {vpn_gateway_id} in {route_table_id}",
                        product=VPC, operation="DescribeRouteEntryList",
                        request=lambda ids: {"RegionId": ids["region"], "RouteTableId": ids["route_table_id"],
                                             "DestinationCidrBlock": ids["destination"]},
                        items=("RouteEntrys", "RouteEntry"), status_key="Status", match=_published_by,
                        # Like a route entry of the table (Pending for about 3 s, vpc_routes.ROUTE_ENTRY_PACE), after the gateway's change.
                        delay=3.0, max_delay=1.0)
VPN_ROUTE_PUBLISHED = WaiterSpec(success=("Available",), failure=("Deleting",), when_gone="retry", **_PUBLISHED_ROUTE).check()
VPN_ROUTE_WITHDRAWN = WaiterSpec(success=(), when_gone="success", **_PUBLISHED_ROUTE).check()


def _not_found(what: str, region: str, code: str, module: t.Any, operation: str) -> AlicloudApiError:
    return AlicloudApiError("%s not found in region %s" % (what, region), operation=operation, code=code,
                            request_id=getattr(module, "last_request_id", None))


def describe_vpn_gateway_details(module: t.Any, region: str, vpc_id: str | None = None, vpn_gateway_ids: list | None = None,
                                 name: str | None = None, ipsec_connection_ids: list | None = None,
                                 ipsec_connection_name: str | None = None) -> dict:
    """{vpn_gateways, transit_router_connections} as snake_case dicts: the VPN gateways of a region (of ``vpc_id``, with the ids
    ``vpn_gateway_ids``, or named ``name``), each with its IPsec connections and their customer gateways; and the IPsec
    connections of the region bound to a transit router (AttachType CEN), all of them or those with the given ids or name.

    Three list calls however many gateways (gateways, connections and customer gateways of the region, paged). Asked-for ids or
    names that do not exist are an error (...NotFound), not an empty list: a typo must not look like a missing gateway.
    """
    gateways = describe_vpn_gateways(module, region, vpc_id=vpc_id)
    if vpn_gateway_ids:
        missing = [ident for ident in vpn_gateway_ids if ident not in set(item.get("VpnGatewayId") for item in gateways)]
        if missing:
            raise _not_found("VPN gateway %s%s" % (", ".join(missing), " of VPC %s" % vpc_id if vpc_id else ""), region,
                             "InvalidVpnGatewayInstanceId.NotFound", module, "DescribeVpnGateways")
        gateways = [item for item in gateways if item.get("VpnGatewayId") in vpn_gateway_ids]
    if name is not None:
        gateways = [item for item in gateways if item.get("Name") == name]
        if not gateways:
            raise _not_found("VPN gateway named %r%s" % (name, " in VPC %s" % vpc_id if vpc_id else ""), region,
                             "InvalidVpnGatewayName.NotFound", module, "DescribeVpnGateways")
    connections = describe_vpn_connections(module, region)
    customers = dict((item.get("CustomerGatewayId"), item) for item in describe_customer_gateways(module, region)) if connections else {}
    details = [normalise_vpn_gateway(gateway, [normalise_vpn_connection(item, customers) for item in connections
                                               if item.get("VpnGatewayId") == gateway.get("VpnGatewayId")])
               for gateway in gateways]
    bound = [item for item in connections if item.get("AttachType") == "CEN"]
    if ipsec_connection_ids:
        missing = [ident for ident in ipsec_connection_ids if ident not in set(item.get("VpnConnectionId") for item in bound)]
        if missing:
            raise _not_found("IPsec connection bound to a transit router %s" % ", ".join(missing), region,
                             "InvalidVpnConnectionInstanceId.NotFound", module, "DescribeVpnConnections")
        bound = [item for item in bound if item.get("VpnConnectionId") in ipsec_connection_ids]
    if ipsec_connection_name is not None:
        bound = [item for item in bound if item.get("Name") == ipsec_connection_name]
        if not bound:
            raise _not_found("IPsec connection bound to a transit router named %r" % ipsec_connection_name, region,
                             "InvalidVpnConnectionName.NotFound", module, "DescribeVpnConnections")
    return {"vpn_gateways": details, "transit_router_connections": [normalise_vpn_connection(item, customers) for item in bound]}
