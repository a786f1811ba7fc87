# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Thin helpers for the CBN API (2017-09-12): CEN instances, transit routers and their attachments.

``find_*`` / ``list_*`` read (following the API's paging), ``create_*`` / ``delete_*`` /
``update_*`` write (ClientToken on every create, the transit router busy codes retried at
each write), ``normalise_*`` turn one API item into the documented snake_case dict, and
``check_members`` validates a planned set of VPC members before anything is changed, and
``describe_cen`` reads one CEN with everything hanging on it (cen_info).
Errors propagate as AlicloudError; retries happen in ``module.call``.
The waiters of this API are the ``WaiterSpec`` constants at the end (``CEN_ACTIVE``...);
the managers of the modules are in ``cen_resources``. VPC reads (VPCs, vSwitches, route tables) come from ``vpc``.
"""

from __future__ import annotations

import ipaddress
import typing as t

from . import paging
from .common import pick, unwrap_list
from .errors import AlicloudError, InputError, gone_on_delete, is_not_found
from .product import Product
from .resource import client_token
from .vpc import describe_vpc, describe_vswitches, region_has_vpcs, vpc_cidr_blocks, vswitch_owner
from .vpc import system_route_table_id as system_vpc_route_table_id
from .waiter import WaiterSpec

# CEN transit routers and their attachments: an earlier change is still being applied (terraform-provider-alicloud's list).
TRANSIT_ROUTER_BUSY = (
    "Operation.Blocking",
    "IncorrectStatus.Status",
    "IncorrectStatus.Attachment",
    "IncorrectStatus.VpcOrVswitch",
    "IncorrectStatus.VpcResource",
    "IncorrectStatus.VpcRouteTable",
    "IncorrectStatus.VpcSwitch",
    "InstanceStatus.NotSupport",
    "OperationFailed.IdempotentTokenProcessing",
)

# CBN (CEN, transit routers): one central endpoint cbn.aliyuncs.com; RegionId travels in the request. Its reads retry the
# busy codes too (Operation.Blocking answers a List call while the transit router applies a change).
CBN = Product("cbn", "alibabacloud_cbn20170912", "alibabacloud-cbn20170912", None, False, busy_codes=TRANSIT_ROUTER_BUSY)
ROUTE_PUBLISH_BUSY = ("Operation.Blocking",)
ROUTE_WITHDRAW_BUSY = ("InvalidOperation.CenInstanceStatus",)

PAGE_SIZE = 50      # DescribeCens / ListTransitRouters maximum
TOKEN_PAGE = 100    # MaxResults maximum of the List* calls with NextToken
DEFAULT_LINK_TYPE = "Gold"


# --- paging ------------------------------------------------------------------------------------

def _number_pages(module: t.Any, action: str, params: dict, items: tuple) -> list:
    return paging.number_pages(module, CBN, action, params, items, PAGE_SIZE)


def _token_pages(module: t.Any, action: str, params: dict, key: str) -> list:
    return paging.token_pages(module, CBN, action, params, (key,), "MaxResults", TOKEN_PAGE)


# --- CEN instances -------------------------------------------------------------------------------

def _cen_filter(cen_id: str | None, name: str | None) -> list:
    filters = []
    if cen_id:
        filters.append({"Key": "CenId", "Value": [cen_id]})
    if name:
        filters.append({"Key": "Name", "Value": [name]})
    return filters


def list_cens(module: t.Any, cen_id: str | None = None, name: str | None = None) -> list:
    """CEN instances, all or those with ``cen_id`` / exactly ``name`` (the API filters; we check again)."""
    cens = _number_pages(module, "DescribeCens", {"Filter": _cen_filter(cen_id, name) or None}, ("Cens", "Cen"))
    return [cen for cen in cens if (not cen_id or cen.get("CenId") == cen_id) and (not name or cen.get("Name") == name)]


def find_cen(module: t.Any, cen_id: str | None = None, name: str | None = None) -> dict | None:
    """The one CEN with this id, or with this name; a name that several CENs carry is an error."""
    return single_cen(list_cens(module, cen_id=cen_id, name=name), name)


def single_cen(cens: list, name: str | None) -> dict | None:
    """The one CEN of a lookup's result, None for none; several (only possible by name) is an error."""
    if len(cens) > 1:
        raise InputError("name: %d CEN instances are named %r (%s); give cen_id instead"
                         % (len(cens), name, ", ".join(sorted(c["CenId"] for c in cens))))
    return cens[0] if cens else None


def create_cen(module: t.Any, name: str | None, description: str | None, token: str | None = None) -> str:
    """``token``: the ClientToken (a manager passes one derived from the parameters, ``resource.derived_token``)."""
    body = module.call(CBN, "CreateCen", {"Name": name, "Description": description, "ClientToken": token or client_token()},
                       extra_codes=TRANSIT_ROUTER_BUSY)
    return body["CenId"]


def modify_cen(module: t.Any, cen_id: str, name: str | None, description: str | None) -> None:
    module.call(CBN, "ModifyCenAttribute", {"CenId": cen_id, "Name": name, "Description": description}, extra_codes=TRANSIT_ROUTER_BUSY)


def delete_cen(module: t.Any, cen_id: str) -> bool:
    """False when the CEN was already gone (NotFound on delete is no change)."""
    return _delete(module, "DeleteCen", {"CenId": cen_id}, extra=("ParameterCenInstanceId",))


def _delete(module: t.Any, action: str, params: dict, extra: tuple = ()) -> bool:
    return gone_on_delete(lambda: module.call(CBN, action, params, extra_codes=TRANSIT_ROUTER_BUSY), extra)


def normalise_cen(item: dict | None) -> dict:
    if not item:
        return {}
    view = pick(item, ("CenId", "Name", "Description", "Status", "ProtectionLevel", "CreationTime"))
    view["name"] = view["name"] or ""
    return view


# --- transit routers -------------------------------------------------------------------------------

def list_transit_routers(module: t.Any, cen_id: str, region: str | None = None) -> list:
    return _number_pages(module, "ListTransitRouters", {"CenId": cen_id, "RegionId": region}, ("TransitRouters",))


def transit_routers_in(module: t.Any, cen_id: str, region: str) -> list:
    """The CEN's transit routers in ``region``, whatever their status (one is expected)."""
    return [r for r in list_transit_routers(module, cen_id, region) if r.get("RegionId") == region]


def only_one(found: list, id_key: str, going: tuple, several: str) -> dict | None:
    """The one live item of a lookup (else one on its way out, else None); several live ones is an InputError.

    Two runs that once created the same resource at the same time may have left two: picking one would leave the other
    unmanaged (a teardown deleting the first and reporting success), so the lookup refuses, naming every one of them.
    ``several``: the message, formatted with ``count`` and ``ids``; it starts with the field and says the fix.
    """
    live = [item for item in found if item.get("Status") not in going]
    if len(live) > 1:
        ids = sorted(item.get(id_key) for item in live)
        raise InputError(several.format(count=len(ids), ids=", ".join(ids)), field=several.split(":", 1)[0])
    return live[0] if live else (found[0] if found else None)


ROUTER_GOING = ("Deleting",)
ATTACHMENT_GOING = ("Detaching", "Detached")


def find_transit_router(module: t.Any, cen_id: str, region: str) -> dict | None:
    """The CEN's transit router in ``region`` (one per region and CEN), or None; several is an error naming them."""
    return only_one(transit_routers_in(module, cen_id, region), "TransitRouterId", ROUTER_GOING,
                    "cen_id: CEN %s has {count} transit routers in region %s ({ids}), where one is expected; delete the ones not "
                    "in use, then run again" % (cen_id, region))


def create_transit_router(module: t.Any, cen_id: str, region: str, name: str | None, description: str | None,
                          token: str | None = None) -> str:
    body = module.call(CBN, "CreateTransitRouter", {
        "CenId": cen_id, "RegionId": region, "TransitRouterName": name, "TransitRouterDescription": description,
        "ClientToken": token or client_token()}, region=region, extra_codes=TRANSIT_ROUTER_BUSY)
    return body["TransitRouterId"]


def delete_transit_router(module: t.Any, transit_router_id: str) -> bool:
    return _delete(module, "DeleteTransitRouter", {"TransitRouterId": transit_router_id})


def list_route_tables(module: t.Any, transit_router_id: str) -> list:
    return _token_pages(module, "ListTransitRouterRouteTables", {"TransitRouterId": transit_router_id}, "TransitRouterRouteTables")


def normalise_transit_router(item: dict | None, route_table_id: str | None = None) -> dict:
    if not item:
        return {}
    view = pick(item, ("TransitRouterId", "TransitRouterName", "TransitRouterDescription", "CenId", "RegionId", "Status", "Type",
                       "CreationTime"))
    view["system_route_table_id"] = route_table_id
    return view


# --- VPC attachments -------------------------------------------------------------------------------------

def list_vpc_attachments(module: t.Any, **filters: t.Any) -> list:
    """Filters: CenId, RegionId, TransitRouterId, VpcId, TransitRouterAttachmentId (API spelling)."""
    return _token_pages(module, "ListTransitRouterVpcAttachments", filters, "TransitRouterAttachments")


def vpc_attachments_of(module: t.Any, transit_router_id: str, vpc_id: str) -> list:
    """The attachments of the VPC to the transit router, whatever their status (one is expected)."""
    return [a for a in list_vpc_attachments(module, TransitRouterId=transit_router_id, VpcId=vpc_id)
            if a.get("VpcId") == vpc_id and a.get("TransitRouterId") == transit_router_id]


def find_vpc_attachment(module: t.Any, transit_router_id: str, vpc_id: str) -> dict | None:
    """The VPC's attachment to the transit router, or None; several is an error naming them."""
    return only_one(vpc_attachments_of(module, transit_router_id, vpc_id), "TransitRouterAttachmentId", ATTACHMENT_GOING,
                    "vpc_id: VPC %s has {count} attachments to transit router %s ({ids}), where one is expected; detach the ones not "
                    "in use, then run again" % (vpc_id, transit_router_id))


def create_vpc_attachment(module: t.Any, router: dict, vpc_id: str, zones: dict, name: str | None, description: str | None,
                          auto_publish: bool, token: str | None = None) -> str:
    body = module.call(CBN, "CreateTransitRouterVpcAttachment", {
        "CenId": router["CenId"], "TransitRouterId": router["TransitRouterId"], "RegionId": router["RegionId"], "VpcId": vpc_id,
        "ZoneMappings": _zone_rows(zones), "TransitRouterAttachmentName": name, "TransitRouterAttachmentDescription": description,
        "AutoPublishRouteEnabled": auto_publish, "ClientToken": token or client_token()},
        region=router["RegionId"], extra_codes=TRANSIT_ROUTER_BUSY)
    return body["TransitRouterAttachmentId"]


def _zone_rows(zones: dict) -> list:
    return [{"ZoneId": zone, "VSwitchId": vswitch} for zone, vswitch in sorted(zones.items())]


def zones_of(attachment: dict) -> dict:
    """{zone id: vSwitch id} of an attachment."""
    return {m.get("ZoneId"): m.get("VSwitchId") for m in attachment.get("ZoneMappings") or []}


def zone_changes(current: dict, wanted: dict) -> tuple:
    """(add, remove) as {zone: vSwitch}: a zone whose vSwitch changes is removed and added again."""
    add = {zone: vsw for zone, vsw in wanted.items() if current.get(zone) != vsw}
    remove = {zone: vsw for zone, vsw in current.items() if wanted.get(zone) != vsw}
    return add, remove


def update_vpc_attachment_zones(module: t.Any, attachment_id: str, add: dict, remove: dict) -> None:
    module.call(CBN, "UpdateTransitRouterVpcAttachmentZones", {
        "TransitRouterAttachmentId": attachment_id, "AddZoneMappings": _zone_rows(add) or None,
        "RemoveZoneMappings": _zone_rows(remove) or None, "ClientToken": client_token()}, extra_codes=TRANSIT_ROUTER_BUSY)


def update_vpc_attachment_attribute(module: t.Any, attachment_id: str, changes: dict) -> None:
    module.call(CBN, "UpdateTransitRouterVpcAttachmentAttribute", dict(changes, TransitRouterAttachmentId=attachment_id),
                extra_codes=TRANSIT_ROUTER_BUSY)


def delete_vpc_attachment(module: t.Any, attachment_id: str) -> bool:
    return _delete(module, "DeleteTransitRouterVpcAttachment", {"TransitRouterAttachmentId": attachment_id})


def normalise_vpc_attachment(item: dict | None) -> dict:
    if not item:
        return {}
    view = pick(item, ("TransitRouterAttachmentId", "TransitRouterId", "CenId", "RegionId", "VpcId", "Status",
                       "TransitRouterAttachmentName", "TransitRouterAttachmentDescription", "AutoPublishRouteEnabled", "CreationTime"))
    view["zone_mappings"] = sorted(({"zone_id": m.get("ZoneId"), "vswitch_id": m.get("VSwitchId")} for m in item.get("ZoneMappings") or []),
                                   key=lambda m: m["zone_id"] or "")
    return view


# --- peer (inter-region) attachments ----------------------------------------------------------------------

def list_peer_attachments(module: t.Any, cen_id: str) -> list:
    return _token_pages(module, "ListTransitRouterPeerAttachments", {"CenId": cen_id}, "TransitRouterAttachments")


def peer_attachments_between(module: t.Any, cen_id: str, router_id: str, peer_router_id: str) -> list:
    """The connections between two transit routers, whichever side created them, whatever their status (one is expected).

    The API's TransitRouterId filter matches only the creating side, so the CEN's list is matched both ways.
    """
    pair = {router_id, peer_router_id}
    return [item for item in list_peer_attachments(module, cen_id) if {item.get("TransitRouterId"), item.get("PeerTransitRouterId")} == pair]


def find_peer_attachment(module: t.Any, cen_id: str, router_id: str, peer_router_id: str) -> dict | None:
    """The connection between two transit routers, or None; several is an error naming them."""
    return only_one(peer_attachments_between(module, cen_id, router_id, peer_router_id), "TransitRouterAttachmentId", ATTACHMENT_GOING,
                    "cen_id: transit routers %s and %s of CEN %s are connected {count} times ({ids}), where one connection is "
                    "expected; delete the ones not in use, then run again" % (router_id, peer_router_id, cen_id))


def create_peer_attachment(module: t.Any, router: dict, peer: dict, settings: dict, name: str | None, description: str | None,
                           token: str | None = None) -> str:
    params = dict(settings, CenId=router["CenId"], TransitRouterId=router["TransitRouterId"], RegionId=router["RegionId"],
                  PeerTransitRouterId=peer["TransitRouterId"], PeerTransitRouterRegionId=peer["RegionId"],
                  TransitRouterAttachmentName=name, TransitRouterAttachmentDescription=description, ClientToken=token or client_token())
    body = module.call(CBN, "CreateTransitRouterPeerAttachment", params, region=router["RegionId"], extra_codes=TRANSIT_ROUTER_BUSY)
    return body["TransitRouterAttachmentId"]


def update_peer_attachment(module: t.Any, attachment_id: str, changes: dict) -> None:
    module.call(CBN, "UpdateTransitRouterPeerAttachmentAttribute", dict(changes, TransitRouterAttachmentId=attachment_id),
                extra_codes=TRANSIT_ROUTER_BUSY)


def delete_peer_attachment(module: t.Any, attachment_id: str) -> bool:
    return _delete(module, "DeleteTransitRouterPeerAttachment", {"TransitRouterAttachmentId": attachment_id})


def normalise_peer_attachment(item: dict | None) -> dict:
    if not item:
        return {}
    view = pick(item, ("TransitRouterAttachmentId", "TransitRouterId", "PeerTransitRouterId", "CenId", "RegionId",
                       "PeerTransitRouterRegionId", "Status", "BandwidthType", "Bandwidth", "CenBandwidthPackageId", "DefaultLinkType",
                       "TransitRouterAttachmentName", "TransitRouterAttachmentDescription", "CreationTime"))
    return view


# --- the data center's links: VPN (IPsec connection) and VBR attachments -------------------------------------

# What differs between the two kinds of attachment, by kind: the API's actions, the field naming the attached network
# instance and its region, and how the cloud spells that instance's ids (checked before any call).
DATA_CENTER_LINKS = {
    "vpn": {"list": "ListTransitRouterVpnAttachments", "create": "CreateTransitRouterVpnAttachment",
            "update": "UpdateTransitRouterVpnAttachmentAttribute", "delete": "DeleteTransitRouterVpnAttachment",
            "instance": "VpnId", "region": "VpnRegionId", "prefix": "vco-", "what": "IPsec connection"},
    "vbr": {"list": "ListTransitRouterVbrAttachments", "create": "CreateTransitRouterVbrAttachment",
            "update": "UpdateTransitRouterVbrAttachmentAttribute", "delete": "DeleteTransitRouterVbrAttachment",
            "instance": "VbrId", "region": "VbrRegionId", "prefix": "vbr-", "what": "virtual border router"},
}


def list_data_center_attachments(module: t.Any, kind: str, **filters: t.Any) -> list:
    """VPN or VBR attachments (``kind`` "vpn" / "vbr"). Filters: CenId, RegionId, TransitRouterId, TransitRouterAttachmentId."""
    return _token_pages(module, DATA_CENTER_LINKS[kind]["list"], filters, "TransitRouterAttachments")


def data_center_attachments_of(module: t.Any, kind: str, transit_router_id: str, instance_id: str) -> list:
    """The attachments of the IPsec connection / VBR ``instance_id`` to the transit router (the API has no filter by it),
    whatever their status (one is expected)."""
    field = DATA_CENTER_LINKS[kind]["instance"]
    return [a for a in list_data_center_attachments(module, kind, TransitRouterId=transit_router_id)
            if a.get(field) == instance_id and a.get("TransitRouterId") == transit_router_id]


def find_data_center_attachment(module: t.Any, kind: str, transit_router_id: str, instance_id: str) -> dict | None:
    """The attachment of the IPsec connection / VBR to the transit router, or None; several is an error naming them."""
    option = DATA_CENTER_LINKS[kind]["instance"].replace("Id", "_id").lower()
    return only_one(data_center_attachments_of(module, kind, transit_router_id, instance_id), "TransitRouterAttachmentId", ATTACHMENT_GOING,
                    "%s: %s %s has {count} attachments to transit router %s ({ids}), where one is expected; detach the ones not in "
                    "use, then run again" % (option, DATA_CENTER_LINKS[kind]["what"], instance_id, transit_router_id))


def create_data_center_attachment(module: t.Any, kind: str, router: dict, instance_id: str, settings: dict, token: str | None = None) -> str:
    """``settings``: TransitRouterAttachmentName, TransitRouterAttachmentDescription, AutoPublishRouteEnabled (None: the cloud's
    default), and for a VPN attachment Zone ([{"ZoneId": ...}] or None)."""
    params = dict(settings, CenId=router["CenId"], TransitRouterId=router["TransitRouterId"], RegionId=router["RegionId"],
                  ClientToken=token or client_token())
    params[DATA_CENTER_LINKS[kind]["instance"]] = instance_id
    body = module.call(CBN, DATA_CENTER_LINKS[kind]["create"], params, region=router["RegionId"], extra_codes=TRANSIT_ROUTER_BUSY)
    return body["TransitRouterAttachmentId"]


def update_data_center_attachment(module: t.Any, kind: str, attachment_id: str, changes: dict) -> None:
    module.call(CBN, DATA_CENTER_LINKS[kind]["update"], dict(changes, TransitRouterAttachmentId=attachment_id), extra_codes=TRANSIT_ROUTER_BUSY)


def delete_data_center_attachment(module: t.Any, kind: str, attachment_id: str) -> bool:
    return _delete(module, DATA_CENTER_LINKS[kind]["delete"], {"TransitRouterAttachmentId": attachment_id})


def normalise_data_center_attachment(kind: str, item: dict | None) -> dict:
    if not item:
        return {}
    links = DATA_CENTER_LINKS[kind]
    view = pick(item, ("TransitRouterAttachmentId", "TransitRouterId", "CenId", links["instance"], links["region"], "Status",
                       "TransitRouterAttachmentName", "TransitRouterAttachmentDescription", "AutoPublishRouteEnabled", "CreationTime"))
    if kind == "vpn":
        view["zone_ids"] = sorted(zone.get("ZoneId") for zone in item.get("Zones") or [] if zone.get("ZoneId"))
    return view


# --- route table associations and propagations -----------------------------------------------------------

LINKS = {
    # kind: (list action, answer key, create action, remove action)
    "association": ("ListTransitRouterRouteTableAssociations", "TransitRouterAssociations",
                    "AssociateTransitRouterAttachmentWithRouteTable", "DissociateTransitRouterAttachmentFromRouteTable"),
    "propagation": ("ListTransitRouterRouteTablePropagations", "TransitRouterPropagations",
                    "EnableTransitRouterRouteTablePropagation", "DisableTransitRouterRouteTablePropagation"),
}


def link_status(module: t.Any, kind: str, attachment_id: str, route_table_id: str) -> str | None:
    """Status of the association / propagation of the attachment with the table (Active, Associating...), None when there is none."""
    body = module.call(CBN, LINKS[kind][0], {"TransitRouterRouteTableId": route_table_id, "TransitRouterAttachmentId": attachment_id})
    for item in unwrap_list(body, LINKS[kind][1]):
        if item.get("TransitRouterAttachmentId") == attachment_id:
            return item.get("Status")
    return None


def links_of(module: t.Any, kind: str, attachment_id: str, route_table_ids: t.Iterable[str]) -> dict:
    """{route table id: status} of the attachment's associations or propagations over the given tables."""
    found = {}
    for table_id in route_table_ids:
        status = link_status(module, kind, attachment_id, table_id)
        if status is not None:
            found[table_id] = status
    return found


def links_by_attachment(module: t.Any, kind: str, route_table_ids: t.Iterable[str]) -> dict:
    """{attachment id: {route table id: status}} of every association or propagation of the given tables.

    One unfiltered list per table, so that describing many attachments does not cost one call per attachment and table.
    """
    found: dict = {}
    for table_id in route_table_ids:
        for item in _token_pages(module, LINKS[kind][0], {"TransitRouterRouteTableId": table_id}, LINKS[kind][1]):
            found.setdefault(item.get("TransitRouterAttachmentId"), {})[table_id] = item.get("Status")
    return found


# "The attachment is already associated with / propagating to a route table": the public code list has AssociationExist.
# TransitRouterTable; the API reference's error tables OperationFailed.RouteTableAssociationExist / ...PropagationExist;
# PropagationExist.TransitRouterTable is unverified (named after its association sibling).
LINK_EXISTS = ("AssociationExist.TransitRouterTable", "PropagationExist.TransitRouterTable",
               "OperationFailed.RouteTableAssociationExist", "OperationFailed.RouteTablePropagationExist")
LINK_LEAVING = ("Dissociating", "Disabling")


def create_link(module: t.Any, kind: str, attachment_id: str, route_table_id: str) -> None:
    """Associate the attachment with / enable its propagation to the route table.

    "Already exists" is success when the link is with the wanted table: our own request whose answer was lost and that a
    cloud without ClientToken memory refuses the second time, or another run that got there first. A link with another
    table (an association elsewhere) or one going away is still an error: the caller moves or waits for it.
    """
    try:
        module.call(CBN, LINKS[kind][2], {"TransitRouterAttachmentId": attachment_id, "TransitRouterRouteTableId": route_table_id,
                                          "ClientToken": client_token()}, extra_codes=TRANSIT_ROUTER_BUSY)
    except AlicloudError as error:
        if error.code not in LINK_EXISTS:
            raise
        status = link_status(module, kind, attachment_id, route_table_id)
        if status is None or status in LINK_LEAVING:
            raise


def remove_link(module: t.Any, kind: str, attachment_id: str, route_table_id: str) -> bool:
    """False when the link was already gone (AssociationNotExist.* / PropagationNotExist.* are NotExist codes)."""
    return gone_on_delete(lambda: module.call(CBN, LINKS[kind][3], {"TransitRouterAttachmentId": attachment_id,
                                                                    "TransitRouterRouteTableId": route_table_id},
                                              extra_codes=TRANSIT_ROUTER_BUSY))


# --- VPC members: validation before any change ------------------------------------------------------------

def resolve_zones(module: t.Any, region: str, vpc_id: str, vswitch_ids: list, allow_single_zone: bool = False,
                  label: str = "") -> tuple:
    """(vpc item, {zone: vSwitch id}) after checking the VPC and every vSwitch; InputError names ``label`` + the field."""
    vpc = describe_vpc(module, region, vpc_id)
    if vpc is None:
        raise InputError("%svpc_id: VPC %s not found in region %s" % (label, vpc_id, region), field="vpc_id")
    if not vswitch_ids:
        raise InputError("%svswitch_ids: give at least one vSwitch of %s (two zones recommended)" % (label, vpc_id))
    # One read of all the VPC's vSwitches; the ids are matched here.
    items = {item.get("VSwitchId"): item for item in describe_vswitches(module, region, vpc_id)}
    zones: dict = {}
    for vswitch_id in vswitch_ids:
        item = items.get(vswitch_id)
        if item is None:
            owner = vswitch_owner(module, region, vswitch_id)
            if owner is None:
                raise InputError("%svswitch_ids: vSwitch %s not found in region %s" % (label, vswitch_id, region))
            raise InputError("%svswitch_ids: vSwitch %s belongs to VPC %s, not to vpc_id %s" % (label, vswitch_id, owner, vpc_id))
        zone = item.get("ZoneId")
        if zone in zones and zones[zone] != vswitch_id:
            raise InputError("%svswitch_ids: vSwitches %s and %s are both in zone %s; an attachment takes one vSwitch per zone"
                             % (label, zones[zone], vswitch_id, zone))
        zones[zone] = vswitch_id
    if len(zones) < 2 and not allow_single_zone:
        raise InputError("%svswitch_ids: every vSwitch (%s) is in zone %s; give vSwitches in at least two zones for zone redundancy, "
                         "or set allow_single_zone: true" % (label, ", ".join(vswitch_ids), next(iter(zones))))
    return vpc, zones


def reachable_regions(module: t.Any) -> list | None:
    """Regions whose VPCs a CEN can attach (DescribeChildInstanceRegions), or None when the endpoint cannot tell."""
    try:
        body = module.call(CBN, "DescribeChildInstanceRegions", {"ProductType": "VPC"})
    except AlicloudError as error:
        if is_not_found(error):  # an endpoint without this call (InvalidAction.NotFound): cannot check here
            return None
        raise
    return sorted(r.get("RegionId") for r in unwrap_list(body, "Regions", "Region") if r.get("RegionId"))


def member_options() -> dict:
    """The options of one planned member of a CEN (cen_info's validate_members, cen_connection's members)."""
    return dict(region=dict(type="str", required=True), vpc_id=dict(type="str", required=True),
                vswitch_ids=dict(type="list", elements="str", required=True), route_table_id=dict(type="str"))


def check_members(module: t.Any, members: list, label: str = "members", allow_single_zone: bool = False) -> tuple:
    """Validate planned VPC members of a CEN (reads only): (reachable regions or None, the members resolved).

    Checks, in this order, each naming ``label[i].field`` and the value: a region the CEN cannot reach,
    an unknown VPC or vSwitch, a vSwitch of another VPC, two vSwitches in one zone, one zone only,
    and CIDR blocks that overlap between members (two members in one region included).
    """
    regions = reachable_regions(module)
    resolved = []
    for index, member in enumerate(members):
        where = "%s[%d]." % (label, index)
        region = member.get("region")
        if regions is not None and region not in regions:
            raise InputError("%sregion: %s is not a region the CEN can reach (reachable: %s)" % (where, region, ", ".join(regions)))
        try:
            vpc, zones = resolve_zones(module, region, member.get("vpc_id"), member.get("vswitch_ids") or [], allow_single_zone, where)
        except InputError as error:
            # Without DescribeChildInstanceRegions, a region where no VPC at all is visible is the best sign of a wrong region.
            if error.field == "vpc_id" and regions is None and not region_has_vpcs(module, region):
                raise InputError("%sregion: %s is not a region the CEN can reach: no VPC is visible there" % (where, region)) from None
            raise
        except AlicloudError as error:
            if error.code and error.code.startswith("InvalidRegionId"):
                raise InputError("%sregion: %s is not a region the CEN can reach (%s)" % (where, region, error.message)) from None
            raise
        resolved.append({"region": region, "vpc_id": vpc["VpcId"], "vswitch_ids": list(member.get("vswitch_ids")),
                         "zones": dict(sorted(zones.items())), "cidr_blocks": vpc_cidr_blocks(vpc), "route_table_id": member.get("route_table_id")})
    _check_overlaps(resolved, label)
    for member in resolved:  # only once the input is known to be good
        member["route_table_id"] = member["route_table_id"] or system_vpc_route_table_id(module, member["region"], member["vpc_id"])
    return regions, resolved


def _check_overlaps(members: list, label: str) -> None:
    for first in range(len(members)):
        for second in range(first + 1, len(members)):
            for cidr_a in members[first]["cidr_blocks"]:
                for cidr_b in members[second]["cidr_blocks"]:
                    if ipaddress.ip_network(cidr_a).overlaps(ipaddress.ip_network(cidr_b)):
                        raise InputError(
                            "%s[%d].vpc_id: the CIDR block %s of %s (%s) overlaps %s of %s[%d] (%s, %s); connected VPCs need distinct "
                            "CIDR blocks" % (label, second, cidr_b, members[second]["vpc_id"], members[second]["region"], cidr_a, label, first,
                                             members[first]["vpc_id"], members[first]["region"]))


# --- one CEN with everything hanging on it (cen_info) ---------------------------------------------------

def _link_rows(found: dict) -> list:
    return [{"route_table_id": table, "status": status} for table, status in sorted(found.items())]


def describe_cen(module: t.Any, cen: dict) -> dict:
    """One CEN with its transit routers (and their route tables), VPC, VPN and VBR attachments (and their links) and peer attachments."""
    view = normalise_cen(cen)
    tables_of = {}
    view["transit_routers"] = []
    for router in list_transit_routers(module, cen["CenId"]):
        tables = list_route_tables(module, router["TransitRouterId"])
        system = [table["TransitRouterRouteTableId"] for table in tables if table.get("TransitRouterRouteTableType") == "System"]
        tables_of[router["TransitRouterId"]] = [table["TransitRouterRouteTableId"] for table in tables]
        router_view = normalise_transit_router(router, system[0] if system else None)
        router_view["route_table_ids"] = tables_of[router["TransitRouterId"]]
        view["transit_routers"].append(router_view)
    attachments = list_vpc_attachments(module, CenId=cen["CenId"])
    data_center = {kind: list_data_center_attachments(module, kind, CenId=cen["CenId"]) for kind in DATA_CENTER_LINKS}
    linked = attachments + [item for items in data_center.values() for item in items]
    # One list per route table and kind (of the routers that have VPC, VPN or VBR attachments), grouped by attachment here.
    used_tables = [table for router_id in dict.fromkeys(a.get("TransitRouterId") for a in linked) for table in tables_of.get(router_id, [])]
    links = {kind: links_by_attachment(module, kind, used_tables) for kind in LINKS}

    def with_links(attachment_view: dict) -> dict:
        attachment_id = attachment_view["transit_router_attachment_id"]
        attachment_view["associations"] = _link_rows(links["association"].get(attachment_id, {}))
        attachment_view["propagations"] = _link_rows(links["propagation"].get(attachment_id, {}))
        return attachment_view

    view["vpc_attachments"] = [with_links(normalise_vpc_attachment(item)) for item in attachments]
    for kind, items in data_center.items():
        view["%s_attachments" % kind] = [with_links(normalise_data_center_attachment(kind, item)) for item in items]
    view["peer_attachments"] = [normalise_peer_attachment(item) for item in list_peer_attachments(module, cen["CenId"])]
    return view


def transit_router_route_entries(module: t.Any, route_table_id: str) -> list:
    """Every route of a transit router route table (what it learned), in snake_case: one paged list per table."""
    return [{"transit_router_route_table_id": route_table_id,
             "destination_cidr_block": item.get("TransitRouterRouteEntryDestinationCidrBlock"),
             "status": item.get("TransitRouterRouteEntryStatus"),
             "type": item.get("TransitRouterRouteEntryType"),
             "next_hop_id": item.get("TransitRouterRouteEntryNextHopId"),
             "next_hop_resource_id": item.get("TransitRouterRouteEntryNextHopResourceId"),
             "next_hop_resource_type": item.get("TransitRouterRouteEntryNextHopResourceType")}
            for item in _token_pages(module, "ListTransitRouterRouteEntries", {"TransitRouterRouteTableId": route_table_id},
                                     "TransitRouterRouteEntries")]


# --- waiters -------------------------------------------------------------------------------------------

def _cen_request(ids: dict) -> dict:
    return {"Filter": [{"Key": "CenId", "Value": [ids["cen_id"]]}]}


def _router_request(ids: dict) -> dict:
    return {"TransitRouterId": ids["transit_router_id"]}


def _attachment_request(ids: dict) -> dict:
    return {"TransitRouterAttachmentId": ids["attachment_id"]}


def _peer_request(ids: dict) -> dict:
    return {"CenId": ids["cen_id"], "TransitRouterAttachmentId": ids["attachment_id"]}


def _link_request(ids: dict) -> dict:
    return {"TransitRouterRouteTableId": ids["route_table_id"], "TransitRouterAttachmentId": ids["attachment_id"]}


def _same(key: str, id_name: str) -> t.Callable[[dict, dict], bool]:
    return lambda item, ids: item.get(key) == ids[id_name]


# Pacing on the cloud's clock (waiter.poll): (first pause, later pauses up to) in seconds per change. The first pause is
# about 0.8 times the typical time of the change, so that a wait started right after the request sees it done at its
# second read, and one started a little later (the wait: true loop after the wait: false one) is not late; the later
# pauses are short. The CBN API reference (CreateTransitRouterVpcAttachment, CreateTransitRouterPeerAttachment...) says
# only that these operations are asynchronous and to poll the List* call; the typical times are the observed ones
# (the collection's issue #10, critical path of a connect: CEN 5 s, transit router 20 s, VPC attachment 60 s; an
# inter-region attachment about as long as a VPC attachment, a detach about half, an association or propagation 5 s).
# terraform-provider-alicloud waits for the same statuses with a 5 s first pause and 3 s to 10 s after it
# (BuildStateConf, MinTimeout 3 s): its later pauses are the upper bound of ours. Ours are 1 to 1.5 s once the change
# is near its typical end: a change seen 3 s late holds up everything after it (the next step of a connect), and
# those few extra reads of one List call are cheap.
PACE = {
    "cen": (4.0, 1.0),                  # CreateCen / DeleteCen: about 5 s
    "transit_router": (16.0, 1.5),      # CreateTransitRouter / DeleteTransitRouter: about 20 s
    "vpc_attach": (48.0, 1.5),          # CreateTransitRouterVpcAttachment: about 60 s
    "vpc_change": (24.0, 1.5),          # its zone change (UpdateTransitRouterVpcAttachmentZones) or delete: about 30 s
    "peer_attach": (48.0, 1.5),         # CreateTransitRouterPeerAttachment: about 60 s
    "peer_change": (8.0, 1.5),          # UpdateTransitRouterPeerAttachmentAttribute: about 10 s
    "peer_detach": (24.0, 1.5),         # DeleteTransitRouterPeerAttachment: about 30 s
    "link": (4.0, 1.0),                 # an association or a propagation, made or removed: about 5 s
    # VPN and VBR attachments: no observed figure yet; paced as a VPC attachment (the twin's estimate is the same).
    "data_center_attach": (48.0, 1.5),  # CreateTransitRouterVpnAttachment / CreateTransitRouterVbrAttachment
    "data_center_detach": (24.0, 1.5),  # their delete
}


def _pace(kind: str) -> dict:
    delay, max_delay = PACE[kind]
    return {"delay": delay, "max_delay": max_delay}


_CEN = dict(resource="CEN instance {cen_id}", product=CBN, operation="DescribeCens", request=_cen_request, items=("Cens", "Cen"),
            status_key="Status", match=_same("CenId", "cen_id"), **_pace("cen"))
_ROUTER = dict(resource="transit router {transit_router_id}", product=CBN, operation="ListTransitRouters", request=_router_request,
               items=("TransitRouters",), status_key="Status", match=_same("TransitRouterId", "transit_router_id"), **_pace("transit_router"))
_VPC_ATTACHMENT = dict(resource="VPC attachment {attachment_id}", product=CBN, operation="ListTransitRouterVpcAttachments",
                       request=_attachment_request, items=("TransitRouterAttachments",), status_key="Status",
                       match=_same("TransitRouterAttachmentId", "attachment_id"), **_pace("vpc_attach"))
_PEER = dict(_VPC_ATTACHMENT, resource="inter-region attachment {attachment_id}", operation="ListTransitRouterPeerAttachments",
             request=_peer_request, **_pace("peer_attach"))
_DATA_CENTER = {kind: dict(_VPC_ATTACHMENT, resource="%s attachment {attachment_id}" % kind.upper(), operation=links["list"],
                           **_pace("data_center_attach"))
                for kind, links in DATA_CENTER_LINKS.items()}
_ASSOCIATION = dict(resource="association of {attachment_id} with route table {route_table_id}", product=CBN,
                    operation="ListTransitRouterRouteTableAssociations", request=_link_request, items=("TransitRouterAssociations",),
                    status_key="Status", match=_same("TransitRouterAttachmentId", "attachment_id"), **_pace("link"))
_PROPAGATION = dict(_ASSOCIATION, resource="route propagation of {attachment_id} to route table {route_table_id}",
                    operation="ListTransitRouterRouteTablePropagations", items=("TransitRouterPropagations",))


def _ready(fields: dict, status: str, failure: tuple) -> WaiterSpec:
    """Wait for ``status``; ``failure``: the status that means it went the other way (deleting, detaching...)."""
    return WaiterSpec(success=(status,), failure=failure, when_gone="retry", **fields).check()  # just created: may not be listed yet


def _gone(fields: dict) -> WaiterSpec:
    return WaiterSpec(success=(), when_gone="success", **fields).check()


CEN_ACTIVE = _ready(_CEN, "Active", failure=("Deleting",))
CEN_DELETED = _gone(_CEN)
TRANSIT_ROUTER_ACTIVE = _ready(_ROUTER, "Active", failure=("Deleting",))
TRANSIT_ROUTER_DELETED = _gone(_ROUTER)
VPC_ATTACHMENT_ATTACHED = _ready(_VPC_ATTACHMENT, "Attached", failure=("Detaching",))
VPC_ATTACHMENT_MODIFIED = _ready(dict(_VPC_ATTACHMENT, **_pace("vpc_change")), "Attached", failure=("Detaching",))  # after a zone change
VPC_ATTACHMENT_DELETED = _gone(dict(_VPC_ATTACHMENT, **_pace("vpc_change")))
PEER_ATTACHMENT_ATTACHED = _ready(_PEER, "Attached", failure=("Detaching",))
PEER_ATTACHMENT_MODIFIED = _ready(dict(_PEER, **_pace("peer_change")), "Attached", failure=("Detaching",))  # after a bandwidth change
PEER_ATTACHMENT_DELETED = _gone(dict(_PEER, **_pace("peer_detach")))
# By kind ("vpn", "vbr"). After an attribute change (name, description, route publishing) ATTACHED reads it back: its first
# read is at once, and terraform-provider-alicloud waits for Attached after that change too.
DATA_CENTER_ATTACHMENT_ATTACHED = {kind: _ready(fields, "Attached", failure=("Detaching",)) for kind, fields in _DATA_CENTER.items()}
DATA_CENTER_ATTACHMENT_DELETED = {kind: _gone(dict(fields, **_pace("data_center_detach"))) for kind, fields in _DATA_CENTER.items()}
ASSOCIATION_ACTIVE = _ready(_ASSOCIATION, "Active", failure=("Dissociating",))
ASSOCIATION_DELETED = _gone(_ASSOCIATION)
PROPAGATION_ACTIVE = _ready(_PROPAGATION, "Active", failure=("Disabling",))
PROPAGATION_DELETED = _gone(_PROPAGATION)
# The waiters of an attachment's links to a route table, by kind ("association", "propagation")
LINK_ACTIVE = {"association": ASSOCIATION_ACTIVE, "propagation": PROPAGATION_ACTIVE}
LINK_DELETED = {"association": ASSOCIATION_DELETED, "propagation": PROPAGATION_DELETED}
