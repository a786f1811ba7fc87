# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Advertising (publishing) VPC route entries to CEN, withdrawing them, and waiting until a transit router learned them.

CBN 2017-09-12: PublishRouteEntries / WithdrawPublishedRouteEntries / DescribePublishedRouteEntries,
ListTransitRouterVpcAttachments / ListTransitRouterRouteTables / ListTransitRouterRouteTableAssociations /
ListTransitRouterRouteEntries. Only entries of a VPC's *system* route table can be published (the transit
router guide; the API answers InvalidOperation.UnsupportRouteTableType): checked before the write.
"""

from __future__ import annotations

import typing as t

from . import paging
from .cen import link_status, list_route_tables, list_vpc_attachments
from .common import snake_dict, unwrap_list
from .errors import AlicloudApiError, AlicloudError
from .retry import ROUTE_PUBLISH_BUSY, ROUTE_WITHDRAW_BUSY
from .vpc import RouteInputError, as_deadline, describe_route_table, normalise_cidr, system_route_table_id
from .waiter import Deadline, WaiterSpec, register, wait_for

PUBLISH_DEFAULT_TIMEOUT = 300
PUBLISHED_PAGE = 100
ALREADY_WITHDRAWN = "InvalidOperation.NotFoundRoute"
CUSTOM_TABLE_FIX = ("only entries of the VPC's system route table can be advertised to a transit router: create the route in the "
                    "system route table (omit route_table_id, or give the table whose RouteTableType is System)")


def _published_request(ids: dict) -> dict:
    return {"CenId": ids["cen_id"], "ChildInstanceId": ids["vpc_id"], "ChildInstanceRegionId": ids["region"],
            "ChildInstanceRouteTableId": ids["route_table_id"], "ChildInstanceType": "VPC",
            "DestinationCidrBlock": ids["destination_cidr_block"]}


def _same_destination(item: dict, ids: dict) -> bool:
    return item.get("DestinationCidrBlock") == ids["destination_cidr_block"] and \
        item.get("ChildInstanceRouteTableId", ids["route_table_id"]) == ids["route_table_id"]


register("route_published", WaiterSpec(
    resource="route {destination_cidr_block} of {route_table_id} advertised to CEN {cen_id}",
    product="cbn",
    operation="DescribePublishedRouteEntries",
    request=_published_request,
    items=("PublishedRouteEntries", "PublishedRouteEntry"),
    status_key="PublishStatus",
    success=("Published",),
    when_gone="failure",  # the route entry itself disappeared
    match=_same_destination,
    delay=1.0,
))
register("route_withdrawn", WaiterSpec(
    resource="route {destination_cidr_block} of {route_table_id} advertised to CEN {cen_id}",
    product="cbn",
    operation="DescribePublishedRouteEntries",
    request=_published_request,
    items=("PublishedRouteEntries", "PublishedRouteEntry"),
    status_key="PublishStatus",
    success=("NonPublished",),
    when_gone="success",
    match=_same_destination,
    delay=1.0,
))


def _learned_request(ids: dict) -> dict:
    return {"TransitRouterRouteTableId": ids["transit_router_route_table_id"],
            "TransitRouterRouteEntryDestinationCidrBlock": ids["destination_cidr_block"]}


register("route_learned", WaiterSpec(
    resource="route {destination_cidr_block} in transit router route table {transit_router_route_table_id}",
    product="cbn",
    operation="ListTransitRouterRouteEntries",
    request=_learned_request,
    items=("TransitRouterRouteEntries",),
    status_key="TransitRouterRouteEntryStatus",
    success=("Active",),
    when_gone="retry",  # not learned yet
    match=lambda item, ids: item.get("TransitRouterRouteEntryDestinationCidrBlock") == ids["destination_cidr_block"],
    delay=1.0,
))


def resolve_route_table(module: t.Any, region: str, vpc_id: str, route_table_id: str | None) -> str:
    """The table to advertise from: the VPC's system table by default; a custom table is refused before any write."""
    if route_table_id is None:
        return system_route_table_id(module, region, vpc_id)
    table = describe_route_table(module, region, route_table_id)
    if table.get("VpcId") and table["VpcId"] != vpc_id:
        raise RouteInputError("route_table_id %s belongs to VPC %s, not to vpc_id %s" % (route_table_id, table["VpcId"], vpc_id))
    if table.get("RouteTableType") == "Custom":
        raise RouteInputError("route_table_id %s is a custom route table: %s" % (route_table_id, CUSTOM_TABLE_FIX))
    return route_table_id


def describe_published(module: t.Any, cen_id: str, region: str, vpc_id: str, route_table_id: str) -> list:
    """Every entry of the table with its PublishStatus (DescribePublishedRouteEntries, paged)."""
    params = {"CenId": cen_id, "ChildInstanceId": vpc_id, "ChildInstanceRegionId": region, "ChildInstanceType": "VPC",
              "ChildInstanceRouteTableId": route_table_id}
    return paging.number_pages(module, "cbn", "DescribePublishedRouteEntries", params,
                               ("PublishedRouteEntries", "PublishedRouteEntry"), PUBLISHED_PAGE)


def normalise_published(item: dict | None, cidr: str, action: str) -> dict:
    view = snake_dict(dict(item or {}))
    view.pop("conflicts", None)
    conflicts = unwrap_list(item or {}, "Conflicts", "Conflict")
    view.update({"destination_cidr_block": cidr, "publish_status": (item or {}).get("PublishStatus") or "NonPublished",
                 "conflicts": snake_dict(conflicts), "action": action})
    return view


class Advertiser:
    """Publish or withdraw the listed destinations of one VPC route table, then wait for the outcome.

    Every write and wait draws on the task's one Deadline; no write is sent once it is spent.
    """

    def __init__(self, module: t.Any, cen_id: str, region: str, vpc_id: str, route_table_id: str, deadline: Deadline):
        self.module = module
        self.ids = {"cen_id": cen_id, "region": region, "vpc_id": vpc_id, "route_table_id": route_table_id}
        self.deadline = deadline

    def _write(self, action: str, cidr: str, extra_codes: tuple) -> dict:
        self.deadline.before_write("%s (%s of %s)" % (action, cidr, self.ids["route_table_id"]))
        return self.module.call("cbn", action, _published_request(dict(self.ids, destination_cidr_block=cidr)),
                                extra_codes=extra_codes, deadline=self.deadline.left())

    def publish(self, cidr: str) -> None:
        self._write("PublishRouteEntries", cidr, ROUTE_PUBLISH_BUSY)

    def withdraw(self, cidr: str) -> bool:
        try:
            self._write("WithdrawPublishedRouteEntries", cidr, ROUTE_WITHDRAW_BUSY + ROUTE_PUBLISH_BUSY)
        except AlicloudError as error:
            if error.code == ALREADY_WITHDRAWN:
                return False
            raise
        return True

    def wait(self, name: str, cidr: str) -> dict | None:
        return wait_for(self.module, name, self.deadline, destination_cidr_block=cidr, **self.ids)


def plan_advertisement(published: list, cidrs: list, state: str, route_table_id: str, missing_ok: bool = False) -> list:
    """[(cidr, current item or None, action)]; a destination missing from the table is an error when it must be published.

    ``missing_ok`` (check mode): an earlier task of the same check run would have created the entry, so predict its publication.
    """
    by_cidr = {item.get("DestinationCidrBlock"): item for item in published
               if item.get("ChildInstanceRouteTableId", route_table_id) == route_table_id}
    plan, missing = [], []
    for cidr in cidrs:
        item = by_cidr.get(cidr)
        is_published = item is not None and item.get("PublishStatus") == "Published"
        if state == "present":
            if item is None:
                missing.append(cidr)
            plan.append((cidr, item, "unchanged" if is_published else "published"))
        else:
            plan.append((cidr, item, "withdrawn" if is_published else "absent"))
    if missing and not missing_ok:
        raise RouteInputError("%s not in route table %s: create the route entry first (alicloud.acr_access.vpc_route_entry), then advertise it"
                              % (", ".join(missing), route_table_id))
    return plan


def normalise_cidrs(cidrs: list) -> list:
    found = []
    for index, cidr in enumerate(cidrs):
        value = normalise_cidr(cidr, "destination_cidr_blocks[%d]" % index)
        if value in found:
            raise RouteInputError("destination_cidr_blocks[%d]: %s is listed twice" % (index, value))
        found.append(value)
    return found


def ensure_advertised(module: t.Any, cen_id: str, region: str, vpc_id: str, route_table_id: str | None, cidrs: list,
                      state: str = "present", wait: bool = True, timeout: float | Deadline = PUBLISH_DEFAULT_TIMEOUT,
                      check_mode: bool = False) -> dict:
    """Publish (or withdraw) the listed destinations of the table; one read, then only the needed writes.

    ``timeout``: seconds, or the task's Deadline (shared with wait_learned).
    """
    cidrs = normalise_cidrs(cidrs)
    table_id = resolve_route_table(module, region, vpc_id, route_table_id)
    published = describe_published(module, cen_id, region, vpc_id, table_id)
    plan = plan_advertisement(published, cidrs, state, table_id, missing_ok=check_mode)
    missing = [cidr for cidr, item, _action in plan if item is None and state == "present"]
    if missing:
        module.warn("check mode: %s not in route table %s yet; predicted as published once created" % (", ".join(missing), table_id))
    advertiser = Advertiser(module, cen_id, region, vpc_id, table_id, as_deadline(timeout))
    results = []
    for cidr, item, action in plan:
        if not check_mode:
            item = _apply_advertisement(advertiser, cidr, item, action, wait)
        elif action in ("published", "withdrawn"):
            item = dict(item or {}, PublishStatus="Published" if action == "published" else "NonPublished")
        results.append(normalise_published(item, cidr, action))
    return {"changed": any(action in ("published", "withdrawn") for _cidr, _item, action in plan),
            "route_table_id": table_id, "entries": results,
            "diff": {"before": {cidr: (item or {}).get("PublishStatus") or "NonPublished" for cidr, item, _action in plan},
                     "after": {entry["destination_cidr_block"]: entry["publish_status"] for entry in results}}}


def _apply_advertisement(advertiser: Advertiser, cidr: str, item: dict | None, action: str, wait: bool) -> dict | None:
    if action == "published":
        advertiser.publish(cidr)
        return advertiser.wait("route_published", cidr) if wait else dict(item or {}, PublishStatus="Publishing")
    if action == "withdrawn":
        advertiser.withdraw(cidr)
        if wait:
            return advertiser.wait("route_withdrawn", cidr) or dict(item or {}, PublishStatus="NonPublished")
        return dict(item or {}, PublishStatus="Withdrawing")
    return item


# --- what a transit router learned -------------------------------------------------------------------------

def learning_route_table(module: t.Any, learned_by: dict) -> dict:
    """The transit router route table to watch (reads only; call it before any write, so that a typo changes nothing).

    Given as ``transit_router_route_table_id``, or found from ``transit_router_attachment_id``: the table the attachment is
    associated with, else its transit router's System table. RouteInputError names the option of an id that does not exist.
    """
    if learned_by.get("transit_router_route_table_id"):
        return _given_learning_table(module, learned_by["transit_router_route_table_id"], learned_by.get("transit_router_id"))
    attachment_id = learned_by["transit_router_attachment_id"]
    attachment = next((item for item in list_vpc_attachments(module, TransitRouterAttachmentId=attachment_id)
                       if item.get("TransitRouterAttachmentId") == attachment_id), None)
    if attachment is None:
        raise RouteInputError("learned_by.transit_router_attachment_id: transit router VPC attachment %s not found: give the id of "
                              "an existing VPC attachment (tr-attach-...)" % attachment_id)
    router_id = attachment["TransitRouterId"]
    tables = list_route_tables(module, router_id)
    for table in tables:
        if link_status(module, "association", attachment_id, table["TransitRouterRouteTableId"]) is not None:
            return {"transit_router_id": router_id, "transit_router_route_table_id": table["TransitRouterRouteTableId"]}
    system = next((table for table in tables if table.get("TransitRouterRouteTableType") == "System"), None)
    if system is None:
        raise AlicloudApiError("transit router %s has no route table" % router_id, operation="ListTransitRouterRouteTables")
    return {"transit_router_id": router_id, "transit_router_route_table_id": system["TransitRouterRouteTableId"]}


def _given_learning_table(module: t.Any, table_id: str, router_id: str | None) -> dict:
    body = module.call("cbn", "ListTransitRouterRouteTables", {"TransitRouterRouteTableIds": [table_id]})
    table = next((item for item in unwrap_list(body, "TransitRouterRouteTables") if item.get("TransitRouterRouteTableId") == table_id), None)
    if table is None:
        raise RouteInputError("learned_by.transit_router_route_table_id: transit router route table %s not found: give the id of an "
                              "existing transit router route table" % table_id)
    return {"transit_router_id": router_id or table.get("TransitRouterId"), "transit_router_route_table_id": table_id}


def wait_learned(module: t.Any, table: dict, cidrs: list, timeout: float | Deadline) -> dict:
    """Wait until the transit router route table (from learning_route_table) has an Active route for every cidr.

    ``timeout``: the task's Deadline (what is left after ensure_advertised), or seconds.
    """
    deadline = as_deadline(timeout)
    routes = []
    for cidr in cidrs:
        item = wait_for(module, "route_learned", deadline, destination_cidr_block=cidr,
                        transit_router_route_table_id=table["transit_router_route_table_id"])
        routes.append({"destination_cidr_block": cidr, "transit_router_route_entry_id": item.get("TransitRouterRouteEntryId"),
                       "next_hop_id": item.get("TransitRouterRouteEntryNextHopId"),
                       "next_hop_resource_id": item.get("TransitRouterRouteEntryNextHopResourceId"),
                       "status": item.get("TransitRouterRouteEntryStatus")})
    return dict(table, routes=routes)
