# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Advertising (publishing) VPC route entries to CEN, withdrawing them, and waiting until a transit router learned them.

CBN 2017-09-12: PublishRouteEntries / WithdrawPublishedRouteEntries / DescribePublishedRouteEntries,
ListTransitRouterVpcAttachments / ListTransitRouterRouteTables / ListTransitRouterRouteTableAssociations /
ListTransitRouterRouteEntries. Only entries of a VPC's *system* route table can be published (the transit
router guide; the API answers InvalidOperation.UnsupportRouteTableType): checked before the write.
``AdvertisementManager`` is the manager of cen_route_advertisement; ``plan_advertisement`` and
``normalise_cidrs`` are its pure steps, ``learning_route_table`` / ``wait_learned`` the learning wait it uses.
"""

from __future__ import annotations

import typing as t

from . import paging
from .cen import CBN, ROUTE_PUBLISH_BUSY, ROUTE_WITHDRAW_BUSY, link_status, list_route_tables, list_vpc_attachments
from .common import snake_dict, unwrap_list
from .errors import AlicloudApiError, AlicloudError, InputError, WaiterError, is_not_found
from .resource import ResourceManager
from .vpc import describe_route_table, system_route_table_id
from .vpc_routes import normalise_cidr
from .waiter import GONE, Deadline, WaiterSpec, as_deadline, poll

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


# Pacing on the cloud's clock (waiter.poll): publishing or withdrawing a route to the CEN takes about 5 s, as long as
# an association or a propagation (see cen.PACE); a published route is learned by the transit router's route table
# within a few seconds. The second read comes a little before that, then one read a second.
PUBLISH_PACE = {"delay": 4.0, "max_delay": 1.0}
LEARN_PACE = {"delay": 2.0, "max_delay": 1.0}

_PUBLISHED = dict(resource="route {destination_cidr_block} of {route_table_id} advertised to CEN {cen_id}", product=CBN,
                  operation="DescribePublishedRouteEntries", request=_published_request,
                  items=("PublishedRouteEntries", "PublishedRouteEntry"), status_key="PublishStatus", match=_same_destination,
                  **PUBLISH_PACE)
ROUTE_PUBLISHED = WaiterSpec(success=("Published",), when_gone="failure",  # the route entry itself disappeared
                             **_PUBLISHED).check()
ROUTE_WITHDRAWN = WaiterSpec(success=("NonPublished",), when_gone="success", **_PUBLISHED).check()


# One read of the table per poll for every destination: the API's RouteFilter with PrefixExactMatchCidrs returns the
# routes whose destination is exactly one of the values (the older TransitRouterRouteEntryDestinationCidrBlock takes one
# destination, so one read per destination; it is to be deprecated). Without TransitRouterRouteEntryStatus the API
# returns the Active routes only.
LEARNED_FILTER = "PrefixExactMatchCidrs"
LEARNED_PAGE = 100


def _learned_request(ids: dict) -> dict:
    return {"TransitRouterRouteTableId": ids["transit_router_route_table_id"],
            "RouteFilter": [{"Key": LEARNED_FILTER, "Value": list(ids["destination_cidr_blocks"])}]}


# Read by wait_learned through waiter.poll (one read of the table for all the destinations); ``match`` tells the
# routes of the destinations waited for from the others.
ROUTE_LEARNED = WaiterSpec(
    resource="routes {destinations} in transit router route table {transit_router_route_table_id}",
    product=CBN,
    operation="ListTransitRouterRouteEntries",
    request=_learned_request,
    items=("TransitRouterRouteEntries",),
    status_key="TransitRouterRouteEntryStatus",
    success=("Active",),
    when_gone="retry",  # not learned yet
    match=lambda item, ids: item.get("TransitRouterRouteEntryDestinationCidrBlock") in ids["destination_cidr_blocks"],
    **LEARN_PACE,
).check()


def resolve_route_table(module: t.Any, region: str, vpc_id: str, route_table_id: str | None, system_table_id: str | None = None) -> str:
    """The table to advertise from: the VPC's system table by default; a custom table is refused before any write.

    ``system_table_id``: the VPC's system route table when the caller has read it already (a step owner whose route table
    manager looked it up from the VPC): that table is neither looked up nor checked again.
    """
    if system_table_id is not None and route_table_id in (None, system_table_id):
        return system_table_id
    if route_table_id is None:
        return system_route_table_id(module, region, vpc_id)
    table = describe_route_table(module, region, route_table_id)
    if table.get("VpcId") and table["VpcId"] != vpc_id:
        raise InputError("route_table_id %s belongs to VPC %s, not to vpc_id %s" % (route_table_id, table["VpcId"], vpc_id))
    if table.get("RouteTableType") == "Custom":
        raise InputError("route_table_id %s is a custom route table: %s" % (route_table_id, CUSTOM_TABLE_FIX))
    return route_table_id


def describe_published(module: t.Any, cen_id: str, region: str, vpc_id: str, route_table_id: str) -> list:
    """Every entry of the table with its PublishStatus (DescribePublishedRouteEntries, paged)."""
    params = {"CenId": cen_id, "ChildInstanceId": vpc_id, "ChildInstanceRegionId": region, "ChildInstanceType": "VPC",
              "ChildInstanceRouteTableId": route_table_id}
    return paging.number_pages(module, CBN, "DescribePublishedRouteEntries", params,
                               ("PublishedRouteEntries", "PublishedRouteEntry"), PUBLISHED_PAGE)


def normalise_published(item: dict | None, cidr: str, action: str) -> dict:
    view = snake_dict(dict(item or {}))
    view.pop("conflicts", None)
    conflicts = unwrap_list(item or {}, "Conflicts", "Conflict")
    view.update({"destination_cidr_block": cidr, "publish_status": (item or {}).get("PublishStatus") or "NonPublished",
                 "conflicts": snake_dict(conflicts), "action": action})
    return view


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
        raise InputError("%s not in route table %s: create the route entry first (alicloud.acr_access.vpc_route_entry), then advertise it"
                         % (", ".join(missing), route_table_id))
    return plan


def normalise_cidrs(cidrs: list) -> list:
    found = []
    for index, cidr in enumerate(cidrs):
        value = normalise_cidr(cidr, "destination_cidr_blocks[%d]" % index)
        if value in found:
            raise InputError("destination_cidr_blocks[%d]: %s is listed twice" % (index, value))
        found.append(value)
    return found


class AdvertisementManager(ResourceManager):
    """The listed destinations of one VPC route table published to a CEN (state present) or withdrawn from it (absent).

    One read of the table's publication states, then only the needed writes, each followed by its wait; with ``learned_by``,
    the wait until a transit router route table learned them (``wait_learned``) draws on what is left of the same Deadline.
    Every input is checked, and every id resolved, before the first write.
    """

    result_key = "entries"

    def __init__(self, module: t.Any, system_table_id: str | None = None):
        """``system_table_id``: the VPC's system route table when the caller has just read it (a step owner), else read here."""
        super().__init__(module)
        self.cidrs: list = []
        self.learning: dict | None = None  # the transit router route table to watch (learning_route_table)
        self.ids: dict = {}
        self.system_table_id = system_table_id

    def failure_values(self) -> dict:
        return {"verb": "advertise" if self.params["state"] == "present" else "withdraw"}

    def watches_learning(self) -> bool:
        return bool(self.params.get("learned_by")) and self.params["state"] == "present" and self.params["wait"] and not self.check_mode

    def validate(self) -> None:
        self.cidrs = normalise_cidrs(self.params["destination_cidr_blocks"])
        # Resolved before any write: a wrong learned_by id must fail before the routes are advertised.
        if self.watches_learning():
            self.learning = learning_route_table(self.module, self.params["learned_by"])
        region, vpc_id = self.module.region, self.params["vpc_id"]
        table_id = resolve_route_table(self.module, region, vpc_id, self.params.get("route_table_id"), self.system_table_id)
        self.ids = {"cen_id": self.params["cen_id"], "region": region, "vpc_id": vpc_id, "route_table_id": table_id}

    def read(self) -> list:
        """Every entry of the table with its PublishStatus."""
        return describe_published(self.module, self.ids["cen_id"], self.ids["region"], self.ids["vpc_id"], self.ids["route_table_id"])

    def ensure_present(self) -> dict:
        return self.advertise()

    def ensure_absent(self) -> dict:
        return self.advertise()

    def advertise(self) -> dict:
        """{changed, route_table_id, entries, diff: {before, after} (publish status by destination)[, learned]}."""
        state, table_id = self.params["state"], self.ids["route_table_id"]
        plan = plan_advertisement(self.read(), self.cidrs, state, table_id, missing_ok=self.check_mode)
        missing = [cidr for cidr, item, _action in plan if item is None and state == "present"]
        if missing:
            self.module.warn("check mode: %s not in route table %s yet; predicted as published once created" % (", ".join(missing), table_id))
        self.changed = any(action in ("published", "withdrawn") for _cidr, _item, action in plan)
        # Every publication (withdrawal) is asked for before any is waited for: the cloud makes them at the same time.
        asked = [(cidr, item if self.check_mode else self._ask(cidr, item, action), action) for cidr, item, action in plan]
        entries = []
        for cidr, item, action in asked:
            if not self.check_mode:
                item = self._settled(cidr, item, action)
            elif action in ("published", "withdrawn"):
                item = dict(item or {}, PublishStatus="Published" if action == "published" else "NonPublished")
            entries.append(normalise_published(item, cidr, action))
        result = {"changed": self.changed, "route_table_id": table_id, "entries": entries,
                  "diff": {"before": {cidr: (item or {}).get("PublishStatus") or "NonPublished" for cidr, item, _action in plan},
                           "after": {entry["destination_cidr_block"]: entry["publish_status"] for entry in entries}}}
        if self.learning is not None:
            result["learned"] = wait_learned(self.module, self.learning, [entry["destination_cidr_block"] for entry in entries], self.deadline)
        return result

    def _ask(self, cidr: str, item: dict | None, action: str) -> dict | None:
        """Send the publication or withdrawal; the entry as it is then (its status while the cloud works on it)."""
        if action == "published":
            self._send("PublishRouteEntries", cidr, ROUTE_PUBLISH_BUSY)
            return dict(item or {}, PublishStatus="Publishing")
        if action == "withdrawn":
            return dict(item or {}, PublishStatus="Withdrawing" if self.withdraw(cidr) else "NonPublished")
        return item

    def _settled(self, cidr: str, item: dict | None, action: str) -> dict | None:
        """The entry once its publication or withdrawal is done (with wait: true), else as asked."""
        if not self.params["wait"] or action not in ("published", "withdrawn"):
            return item
        if action == "published":
            return self._wait(ROUTE_PUBLISHED, cidr)
        return self._wait(ROUTE_WITHDRAWN, cidr) or dict(item or {}, PublishStatus="NonPublished")

    def _send(self, action: str, cidr: str, extra_codes: tuple) -> dict:
        request = _published_request(dict(self.ids, destination_cidr_block=cidr))
        return self.write("%s (%s of %s)" % (action, cidr, self.ids["route_table_id"]),
                          lambda: self.module.call(CBN, action, request, extra_codes=extra_codes, deadline=self.deadline.left()))

    def withdraw(self, cidr: str) -> bool:
        """False when the cloud says the route was not published (any more)."""
        try:
            self._send("WithdrawPublishedRouteEntries", cidr, ROUTE_WITHDRAW_BUSY + ROUTE_PUBLISH_BUSY)
        except AlicloudError as error:
            if error.code == ALREADY_WITHDRAWN:
                return False
            raise
        return True

    def _wait(self, spec: WaiterSpec, cidr: str) -> dict | None:
        return self.wait(spec, destination_cidr_block=cidr, **self.ids)


# --- what a transit router learned -------------------------------------------------------------------------

def learning_route_table(module: t.Any, learned_by: dict) -> dict:
    """The transit router route table to watch (reads only; call it before any write, so that a typo changes nothing).

    Given as ``transit_router_route_table_id``, or found from ``transit_router_attachment_id``: the table the attachment is
    associated with, else its transit router's System table. InputError names the option of an id that does not exist.
    """
    if learned_by.get("transit_router_route_table_id"):
        return _given_learning_table(module, learned_by["transit_router_route_table_id"], learned_by.get("transit_router_id"))
    attachment_id = learned_by["transit_router_attachment_id"]
    attachment = next((item for item in list_vpc_attachments(module, TransitRouterAttachmentId=attachment_id)
                       if item.get("TransitRouterAttachmentId") == attachment_id), None)
    if attachment is None:
        raise InputError("learned_by.transit_router_attachment_id: transit router VPC attachment %s not found: give the id of "
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
    body = module.call(CBN, "ListTransitRouterRouteTables", {"TransitRouterRouteTableIds": [table_id]})
    table = next((item for item in unwrap_list(body, "TransitRouterRouteTables") if item.get("TransitRouterRouteTableId") == table_id), None)
    if table is None:
        raise InputError("learned_by.transit_router_route_table_id: transit router route table %s not found: give the id of an "
                         "existing transit router route table" % table_id)
    return {"transit_router_id": router_id or table.get("TransitRouterId"), "transit_router_route_table_id": table_id}


def learned_status(items: list, cidrs: list) -> tuple:
    """(status, {cidr: route}) of the table's routes for ``cidrs``: Active once every destination has an Active route,
    else the status of the first one that has not (GONE when it has no route at all). An Active route of a destination wins
    over its others."""
    spec = ROUTE_LEARNED
    ids = {"destination_cidr_blocks": cidrs}
    found: dict = {}
    for item in items:
        if not isinstance(item, dict) or not spec.match(item, ids):
            continue
        cidr = item["TransitRouterRouteEntryDestinationCidrBlock"]
        if cidr not in found or (item.get(spec.status_key) in spec.success and found[cidr].get(spec.status_key) not in spec.success):
            found[cidr] = item
    for cidr in cidrs:
        if cidr not in found:
            return GONE, found
        if found[cidr].get(spec.status_key) not in spec.success:
            return found[cidr].get(spec.status_key), found
    return spec.success[0], found


def wait_learned(module: t.Any, table: dict, cidrs: list, timeout: float | Deadline) -> dict:
    """Wait until the transit router route table (from learning_route_table) has an Active route for every cidr.

    One read of the table per poll for all the destinations (ROUTE_LEARNED's pacing), until each has an Active route.
    ``timeout``: the task's Deadline (what is left after the advertisement), or seconds.
    """
    deadline = as_deadline(timeout)
    spec = ROUTE_LEARNED
    ids = {"transit_router_route_table_id": table["transit_router_route_table_id"], "destination_cidr_blocks": list(cidrs),
           "destinations": ", ".join(cidrs)}
    last: dict = {}

    def read(seconds_left: float) -> tuple:
        try:
            items = paging.token_pages(module, spec.product, spec.operation, spec.request(ids), spec.items, "MaxResults", LEARNED_PAGE,
                                       deadline=seconds_left)
        except AlicloudError as error:
            if is_not_found(error):  # as wait_for: a read answering NotFound is "not there yet"
                return GONE, {}
            raise
        status, found = learned_status(items, ids["destination_cidr_blocks"])
        last["found"] = found
        return status, found

    try:
        found = poll(read, spec, deadline.left(), spec.resource.format(**ids), region=table.get("region")) if cidrs else {}
    except WaiterError as error:
        if error.code != "WaiterTimeout":
            raise
        learned = last.get("found") or {}
        waiting = [cidr for cidr in cidrs if (learned.get(cidr) or {}).get(spec.status_key) not in spec.success]
        raise WaiterError("%s (not learned yet: %s)" % (error.message, ", ".join(waiting)), code=error.code) from None
    routes = []
    for cidr in cidrs:
        item = found[cidr]
        routes.append({"destination_cidr_block": cidr, "transit_router_route_entry_id": item.get("TransitRouterRouteEntryId"),
                       "next_hop_id": item.get("TransitRouterRouteEntryNextHopId"),
                       "next_hop_resource_id": item.get("TransitRouterRouteEntryNextHopResourceId"),
                       "status": item.get("TransitRouterRouteEntryStatus")})
    return dict(table, routes=routes)
