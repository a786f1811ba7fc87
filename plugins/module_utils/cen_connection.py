# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Step 1 of the procedure in one process (module cen_connection, role cen_connect): the owner of the step.

It converges the same resources with the same managers as the per-resource modules (``cen_resources``,
``vpc_routes``), each built by ``resource.step_manager`` with that resource's options, in the order the cloud allows,
asking for everything whose preconditions hold before waiting for any of it:

    check the members (reads only) -> the CEN
    -> every transit router asked for, then waited for
    -> every VPC attachment and every inter-region connection asked for; the attachments waited for
    -> every association and propagation asked for, the routes between the members written meanwhile
    -> the links and the inter-region connections waited for

Why one process: the role made each of these a task (one module process per resource and per ask or wait: 15
for two VPCs), each starting Python, importing the SDKs and reading again what the task before had just read.
A resource already in its end state is not waited for (no second read). The result is the fact ``cen_connect``.
"""

from __future__ import annotations

import typing as t
from functools import partial

from . import role_plan
from .cen import check_members
from .cen_resources import CenManager, PeerAttachmentManager, TransitRouterManager, VpcAttachmentManager
from .resource import concurrently, step_manager
from .vpc_routes import RouteEntriesManager
from .waiter import Deadline

# The end state of each kind: a resource found in it is not waited for again.
ROUTER_READY = "Active"
ATTACHED = "Attached"
LINKED = "Active"


class CenConnection:
    """The VPC members of one CEN connected (module cen_connection). ``ensure()`` returns the module's result."""

    def __init__(self, module: t.Any):
        self.module = module
        self.params = module.params
        self.check_mode = module.check_mode
        self.deadline = Deadline(self.params["wait_timeout"])
        self.changed = False
        self.changes: list = []  # one line per resource changed, in the order of the writes
        self.router_managers: dict = {}  # region -> the last manager of its transit router, for what it read

    def failure_values(self) -> dict:
        """For the failure message of ``resource.run``: the CEN, and what was changed before the failure."""
        return {"cen": self.params["cen_id"] or self.params["cen_name"], "done": ", ".join(self.changes) or "nothing"}

    # --- the resources, each with its manager ---------------------------------------------------------------------

    def _ensure(self, what: str, manager: t.Any) -> dict:
        """Ensure one resource with its manager (``step_manager``); record what changed."""
        result = manager.ensure_present()
        if result["changed"]:
            self.changed = True
            if what not in self.changes:
                self.changes.append(what)  # from two threads at most for the member routes: list.append is atomic
        return result

    def _manager(self, manager_class: t.Any, known: dict | None = None, **options: t.Any) -> t.Any:
        return step_manager(self.module, self.deadline, manager_class, known, state="present", **options)

    def _router(self, cen_id: str, region: str, wait: bool) -> dict:
        manager = self.router_managers[region] = self._manager(TransitRouterManager, cen_id=cen_id, region=region, wait=wait)
        return self._ensure("transit router in %s" % region, manager)

    def _known_router(self, region: str) -> tuple:
        """(the raw transit router of ``region`` as its manager last saw it, its route tables); (None, None) while only
        planned (check mode)."""
        manager = self.router_managers.get(region)
        router = manager.item if manager is not None else None
        if not router or not router.get("TransitRouterId"):
            return None, None
        return router, manager.route_tables.get(router["TransitRouterId"])

    def _attachment(self, cen_id: str, member: dict, link: bool, wait: bool) -> dict:
        router, tables = self._known_router(member["region"])
        return self._ensure("VPC attachment of %s" % member["vpc_id"] + (" and its links" if link else ""), self._manager(
            VpcAttachmentManager, known={"router": router, "route_tables": tables, "zones": member["zones"]},
            cen_id=cen_id, region=member["region"], vpc_id=member["vpc_id"], vswitch_ids=member["vswitch_ids"],
            allow_single_zone=self.params["allow_single_zone"],
            auto_publish_route=self.params["route_mode"] == "auto_publish", associate=link, propagate=link, wait=wait))

    def _peer(self, cen_id: str, pair: list, wait: bool) -> dict:
        routers = [self._known_router(region)[0] for region in pair]
        return self._ensure("inter-region connection %s - %s" % tuple(pair), self._manager(
            PeerAttachmentManager, known={"routers": routers if all(routers) else None}, cen_id=cen_id, region=pair[0],
            peer_region=pair[1], bandwidth=self.params["bandwidth"], bandwidth_type=self.params["bandwidth_type"],
            cen_bandwidth_package_id=self.params["cen_bandwidth_package_id"] or None, wait=wait))

    def _member_routes(self, member: dict, routes: list, wait: bool) -> dict:
        result = self._ensure("routes of %s" % member["route_table_id"], self._manager(
            RouteEntriesManager, region=member["region"], route_table_id=member["route_table_id"], routes=routes, replace_foreign=False,
            wait=wait))
        return dict(result, item=member)

    # --- the step ------------------------------------------------------------------------------------------------------

    def ensure(self) -> dict:
        params = self.params
        regions, members = check_members(self.module, params["members"], params["members_label"], params["allow_single_zone"])
        cen = self._ensure("CEN %s" % (params["cen_id"] or params["cen_name"]), self._manager(
            CenManager, cen_id=params["cen_id"] or None, name=None if params["cen_id"] else params["cen_name"], wait=True))["cen"]
        cen_id = cen.get("cen_id")
        if cen_id is None:  # check mode, the CEN would be created: nothing further can be read
            return self._result(None, members, regions, [], [], [], [])
        region_list, pairs = role_plan.member_regions(members), role_plan.region_pairs(members)

        # Transit routers: all asked for, then the ones not Active yet waited for.
        routers = [self._router(cen_id, region, wait=False) for region in region_list]
        routers = [self._router(cen_id, region, wait=True) if _status(result, "transit_router") != ROUTER_READY else result
                   for region, result in zip(region_list, routers)]

        # VPC attachments and inter-region connections need only the routers: all asked for at once.
        attachments = [self._attachment(cen_id, member, link=False, wait=False) for member in members]
        peers = [self._peer(cen_id, pair, wait=False) for pair in pairs]
        attachments = [self._attachment(cen_id, member, link=False, wait=True) if _status(result, "attachment") != ATTACHED else result
                       for member, result in zip(members, attachments)]

        # Links of the attached attachments asked for (in check mode the waiting call below predicts them), routes
        # between the members written while the cloud makes the links, then everything waited for.
        unlinked = [_unlinked(result) for result in attachments]
        if not self.check_mode:
            attachments = [self._attachment(cen_id, member, link=True, wait=False) if todo else result
                           for member, result, todo in zip(members, attachments, unlinked)]
        made = role_plan.vpc_attachments_of(members, attachments)
        attachment_of = role_plan.attachment_ids(made)
        routes = role_plan.member_routes(members, attachment_of)
        routed = [member for member in members if params["route_mode"] == "vpc_route_entries" and attachment_of.get(member["vpc_id"]) is not None]

        def links_and_connections() -> tuple:
            linked = [self._attachment(cen_id, member, link=True, wait=True) if todo or _unlinked(result) else result
                      for member, result, todo in zip(members, attachments, unlinked)]
            connected = [self._peer(cen_id, pair, wait=True) if _status(result, "peer_attachment") != ATTACHED else result
                         for pair, result in zip(pairs, peers)]
            return linked, connected

        # One route table per member: their changes do not wait for each other, nor for the links (waited for meanwhile,
        # so that the first read of a link comes near its typical time after it was asked for).
        done = concurrently(links_and_connections, *[partial(self._member_routes, member, routes[member["vpc_id"]], True) for member in routed])
        (attachments, peers), route_results = done[0], done[1:]
        return self._result(cen_id, members, regions, routers, role_plan.vpc_attachments_of(members, attachments), peers, route_results)

    def _result(self, cen_id: str | None, members: list, regions: list | None, routers: list, attachments: list, peers: list,
                route_results: list) -> dict:
        if cen_id is None:
            connection = {"cen_id": None, "route_mode": self.params["route_mode"], "transit_routers": {}, "vpc_attachments": [],
                          "peer_attachments": [], "peer_regions": [], "route_entries": []}
        else:
            connection = role_plan.cen_connect_fact(cen_id, self.params["route_mode"], members, routers, attachments, peers, route_results)
        return {"changed": self.changed, "connection": connection, "members": members, "reachable_regions": regions, "changes": self.changes}


def _status(result: dict, key: str) -> str | None:
    return (result.get(key) or {}).get("status")


def _unlinked(result: dict) -> bool:
    """Whether the attachment's association or propagation is not Active yet."""
    attachment = result.get("attachment") or {}
    return attachment.get("association_status") != LINKED or attachment.get("propagation_status") != LINKED
