# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The destination routes of one VPN gateway (module vpn_route_entry): validation of the wanted routes, the pure plan,
and VpnRoutesManager, which applies the plan one change at a time and waits for the routes and their publication.

A VPN destination route is named by its destination and its next hop (an IPsec connection of the gateway): the cloud holds
one route per pair, and a destination may have several (an active route of weight 100 and a standby one of weight 0).
Which routes are this collection's cannot be read back: DescribeVpnRouteEntries returns no description, so the ownership
marker that vpc_routes writes into a route entry's description would be write-only here. So the listed pairs are the ones
this manager converges, every other route of the gateway is left alone, and the routes of a listed destination through
another next hop are replaced (deleted once the listed ones are in place) only when the user asks for it
(``replace_other_next_hops``).
"""

from __future__ import annotations

import ipaddress
import typing as t

from .errors import AlicloudError, InputError
from .resource import ResourceManager, client_token
from .retry import is_transport_error
from .vpc import (VPN_GATEWAY_ACTIVE, VPN_GATEWAY_BUSY, VPN_ROUTE_PUBLISHED, VPN_ROUTE_WITHDRAWN, VPC, describe_route_entries,
                  describe_vpn_connections, describe_vpn_gateway, describe_vpn_route_entries, system_route_table_id)
from .vpc_routes import next_hop_of, normalise_cidr
from .waiter import wait_for

VPN_ROUTE_DEFAULT_TIMEOUT = 600
WEIGHTS = (100, 0)  # active, standby: the only weights of a destination route
# The API refuses a default route and the cloud's own service range (inside it or containing it) as a VPN destination
# (CreateVpnPbrRouteEntry's reference says so for policy routes; the twin's CreateVpnRouteEntry refuses the same).
CLOUD_SERVICE_CIDR = ipaddress.ip_network("100.64.0.0/10")
DESCRIPTION_MAX = 256
ROUTES_FIELD = "routes[{index}]."
IPSEC_CONNECTION_PREFIX = "vco-"


def vpn_route_options() -> dict:
    """The options of one route (vpn_route_entry's ``routes[]``, and every module that takes such routes)."""
    return dict(
        destination=dict(type="str", required=True),
        next_hop=dict(type="str", required=True),
        weight=dict(type="int", default=100, choices=list(WEIGHTS)),
        publish_vpc=dict(type="bool", default=True),
        description=dict(type="str"),
    )


def _field(index: int, name: str) -> str:
    return ROUTES_FIELD.format(index=index) + name


def _destination(value: t.Any, field: str) -> str:
    cidr = normalise_cidr(value, field)
    network = ipaddress.ip_network(cidr)
    if network.version != 4:
        raise InputError("%s %s is an IPv6 block: VPN gateway destination routes are IPv4; give the data center's IPv4 CIDR block"
                         % (field, cidr), field=field)
    if network.prefixlen == 0:
        raise InputError("%s %s is refused by the cloud (a VPN gateway takes no default route): give the data center's own "
                         "CIDR blocks" % (field, cidr), field=field)
    if network.overlaps(CLOUD_SERVICE_CIDR):
        raise InputError("%s %s is refused by the cloud (%s is reserved for the cloud's services, and a VPN route may neither lie "
                         "in nor contain it): give the data center's own CIDR blocks" % (field, cidr, CLOUD_SERVICE_CIDR), field=field)
    return cidr


def validate_vpn_routes(routes: list) -> list:
    """Normalised copies of the wanted routes; InputError (before any call) for bad CIDRs, reserved destinations,
    next hops that are no IPsec connection id, weights other than 100/0, pairs listed twice, descriptions the API refuses.

    Defaults (weight 100, publish_vpc true) apply here too, for a step owner that passes routes without the argument spec.
    """
    wanted, seen = [], {}
    for index, route in enumerate(routes or []):
        destination = _destination(route.get("destination"), _field(index, "destination"))
        next_hop = str(route.get("next_hop") or "").strip()
        if not next_hop.startswith(IPSEC_CONNECTION_PREFIX):
            field = _field(index, "next_hop")
            raise InputError("%s %r is not an IPsec connection id: give the id (vco-...) of an IPsec connection of the VPN gateway "
                             "(vpn_gateway_info lists them)" % (field, route.get("next_hop") or ""), field=field)
        weight = 100 if route.get("weight") is None else route.get("weight")
        if weight not in WEIGHTS:
            field = _field(index, "weight")
            raise InputError("%s %r is not a weight of a destination route: give 100 (active) or 0 (standby)" % (field, weight), field=field)
        description = route.get("description")
        if description is not None and (len(description) > DESCRIPTION_MAX or description.startswith(("http://", "https://"))):
            field = _field(index, "description")
            raise InputError("%s is refused by the API: at most %d characters, not starting with http:// or https://"
                             % (field, DESCRIPTION_MAX), field=field)
        key = (destination, next_hop)
        if key in seen:
            field = _field(index, "next_hop")
            raise InputError("%s: %s via %s is listed twice (routes[%d] and routes[%d]); the gateway holds one route per destination "
                             "and next hop" % (field, destination, next_hop, seen[key], index), field=field)
        seen[key] = index
        wanted.append({"destination": destination, "next_hop": next_hop, "weight": weight,
                       "publish_vpc": True if route.get("publish_vpc") is None else bool(route.get("publish_vpc")),
                       "description": description})
    return wanted


class VpnRouteChange(t.NamedTuple):
    wanted: dict | None     # None for a route of another next hop that replace_other_next_hops deletes
    existing: dict | None   # the route as DescribeVpnRouteEntries shows it
    action: str             # created | updated | unchanged | deleted | absent
    updates: tuple = ()     # for updated: "weight" and/or "publication", in the order they are sent


def is_published(route: dict) -> bool:
    return route.get("State") == "published"


def _key(route: dict) -> tuple:
    return route.get("RouteDest"), route.get("NextHop")


def plan_vpn_route_changes(found: list, wanted: list, state: str, connections: t.Iterable[str], gateway_id: str,
                           replace_other_next_hops: bool = False) -> list:
    """Compare the wanted routes with the gateway's routes (pure). InputError lists every next hop that is no IPsec connection
    of the gateway, each after its field, before any write. Changes of the listed routes come first, then the deletions
    of other next hops, so that a destination is never without its route."""
    connections = list(connections)
    problems = ["%s: %s is not an IPsec connection of VPN gateway %s (its connections: %s); give one of those"
                % (_field(index, "next_hop"), route["next_hop"], gateway_id, ", ".join(connections) or "none")
                for index, route in enumerate(wanted) if state == "present" and route["next_hop"] not in connections]
    if problems:
        raise InputError("; ".join(problems), field=problems[0].split(":", 1)[0])
    by_key = dict((_key(route), route) for route in found)
    changes = []
    for route in wanted:
        existing = by_key.get((route["destination"], route["next_hop"]))
        if state == "absent":
            changes.append(VpnRouteChange(route, existing, "deleted" if existing else "absent"))
        elif existing is None:
            changes.append(VpnRouteChange(route, None, "created"))
        else:
            updates = tuple(name for name, differs in (("weight", existing.get("Weight") != route["weight"]),
                                                       ("publication", is_published(existing) != route["publish_vpc"])) if differs)
            changes.append(VpnRouteChange(route, existing, "updated" if updates else "unchanged", updates))
    if state == "present" and replace_other_next_hops:
        listed = set((route["destination"], route["next_hop"]) for route in wanted)
        destinations = set(route["destination"] for route in wanted)
        changes.extend(VpnRouteChange(None, route, "deleted") for route in found
                       if route.get("RouteDest") in destinations and _key(route) not in listed)
    return changes


def _predicted(change: VpnRouteChange, gateway_id: str) -> dict | None:
    """The route as the gateway will hold it after the change (check mode, and the result)."""
    if change.action == "deleted":
        return None
    if change.action in ("absent", "unchanged"):
        return change.existing
    wanted = change.wanted
    base = dict(change.existing or {"VpnInstanceId": gateway_id, "RouteDest": wanted["destination"], "NextHop": wanted["next_hop"]})
    base.update(Weight=wanted["weight"], State="published" if wanted["publish_vpc"] else "normal")
    return base


def vpn_route_view(route: dict | None, wanted: dict | None, action: str) -> dict:
    route = route or {}
    wanted = wanted or {}
    return {
        "destination": route.get("RouteDest") or wanted.get("destination"),
        "next_hop": route.get("NextHop") or wanted.get("next_hop"),
        "weight": route.get("Weight"),
        "published": is_published(route) if route else None,
        "state": route.get("State"),
        "action": action,
    }


def _diff(routes: t.Iterable[dict | None]) -> dict:
    """{destination: {next hop: {weight, published}}}: dicts only, which Ansible's callbacks render as a diff."""
    shown: dict = {}
    for route in routes:
        if route:
            shown.setdefault(route["RouteDest"], {})[route["NextHop"]] = {"weight": route.get("Weight"), "published": is_published(route)}
    return shown


def _no_answer(error: AlicloudError) -> bool:
    return error.code is None and is_transport_error(error.__cause__ or error)


class VpnRoutesManager(ResourceManager):
    """The listed destination routes of one VPN gateway, present or absent (module vpn_route_entry).

    validate (no call) -> read the gateway, its IPsec connections and its routes once -> plan (InputError before any write;
    a destination to publish that the VPC's system table routes elsewhere is named too, from one read of that table)
    -> predict (check mode) or apply one change at a time, each after the gateway is active again (it refuses a change while
    "updating") -> wait for the gateway and for the publications in the VPC's system table.
    Returns {changed, vpn_gateway_id, vpc_id, routes: [...], diff: {before, after}}.
    """

    result_key = "routes"

    def __init__(self, module: t.Any):
        super().__init__(module)
        self.region = module.region
        self.gateway_id = self.params.get("vpn_gateway_id")
        self.wanted: list = []
        self.gateway: dict | None = None
        self.found: list = []
        self.planned_changes: list | None = None
        self.table_id: str | None = None  # the VPC's system route table, read only when a publication changes
        self._gateway_busy = False  # a change was sent (or somebody else's was running) and the gateway may still be "updating"

    def failure_values(self) -> dict:
        return {"gateway": self.gateway_id}

    def validate(self) -> None:
        if not self.gateway_id:
            raise InputError("vpn_gateway_id is required: give the id (vpn-...) of the VPN gateway whose routes to manage", field="vpn_gateway_id")
        self.wanted = validate_vpn_routes(self.params.get("routes") or [])

    def read(self) -> list:  # type: ignore[override]  # the routes of the whole gateway
        self.gateway = describe_vpn_gateway(self.module, self.region, self.gateway_id)
        if self.gateway is None:
            raise InputError("vpn_gateway_id %s is not a VPN gateway of region %s: give the id of an existing gateway "
                             "(vpn_gateway_info lists them)" % (self.gateway_id, self.region), field="vpn_gateway_id")
        return describe_vpn_route_entries(self.module, self.region, self.gateway_id)

    def plan(self) -> list:
        """Read once and plan (InputError for every problem, before any write); kept for ``ensure_present``, so that a step
        owner can check every gateway before it changes any."""
        if self.planned_changes is None:
            self.found = self.read()
            # Somebody else's change still running: the first write of ours waits for it instead of being refused.
            self._gateway_busy = self.gateway.get("Status") != "active"
            state = self.params.get("state") or "present"
            connections = []
            if state == "present":
                connections = [item["VpnConnectionId"] for item in describe_vpn_connections(self.module, self.region, vpn_gateway_id=self.gateway_id)]
            changes = plan_vpn_route_changes(self.found, self.wanted, state, connections, self.gateway_id,
                                             bool(self.params.get("replace_other_next_hops")))
            self._check_publishable(changes)
            self.planned_changes = changes
        return self.planned_changes

    def _publishes(self, change: VpnRouteChange) -> bool:
        return change.wanted is not None and change.wanted["publish_vpc"] and (
            change.action == "created" or "publication" in change.updates)

    def _check_publishable(self, changes: list) -> None:
        """A destination the system table routes elsewhere cannot be published (the cloud refuses it): name it now.
        Read only when a publication is planned, so that a run with nothing to change reads no table."""
        publishing = [(index, change) for index, change in enumerate(changes) if self._publishes(change)]
        if not publishing:
            return
        self.table_id = system_route_table_id(self.module, self.region, self.gateway["VpcId"])
        entries = dict((entry.get("DestinationCidrBlock"), entry) for entry in describe_route_entries(self.module, self.region, self.table_id))
        problems = []
        for index, change in publishing:
            entry = entries.get(change.wanted["destination"])
            if entry is not None and next_hop_of(entry) != ("VpnGateway", self.gateway_id):
                hop_type, hop_id = next_hop_of(entry)
                problems.append("%s: %s is routed by %s of the VPC's route table %s (next hop %s %s), so the cloud refuses to publish "
                                "the VPN route there; remove that route entry, or set publish_vpc: false"
                                % (_field(self.wanted.index(change.wanted), "destination"), change.wanted["destination"],
                                   entry.get("RouteEntryId"), self.table_id, hop_type or "-", hop_id or "-"))
        if problems:
            raise InputError("; ".join(problems), field=problems[0].split(":", 1)[0])

    # --- writes, one at a time -------------------------------------------------------------------------

    def _settle(self) -> None:
        """Wait until the gateway is active again after the last change: the next one would be refused (VpnGateway.Configuring)."""
        if self._gateway_busy:
            self._gateway_busy = False
            wait_for(self.module, VPN_GATEWAY_ACTIVE, self.deadline, region=self.region, vpn_gateway_id=self.gateway_id)

    def _send(self, action: str, params: dict, what: str) -> dict:
        self._settle()
        self.deadline.before_write("%s (%s on %s)" % (action, what, self.gateway_id))
        body = self.module.call(VPC, action, dict(params, RegionId=self.region, VpnGatewayId=self.gateway_id, ClientToken=client_token()),
                                region=self.region, extra_codes=VPN_GATEWAY_BUSY, deadline=self.deadline.left())
        self._gateway_busy = True
        return body

    def _create(self, route: dict) -> None:
        params = {"RouteDest": route["destination"], "NextHop": route["next_hop"], "Weight": route["weight"],
                  "PublishVpc": route["publish_vpc"], "Description": route.get("description") or None}
        try:
            self._send("CreateVpnRouteEntry", params, "%s via %s" % (route["destination"], route["next_hop"]))
        except AlicloudError as error:
            # No answer even after the retries (which re-send the same ClientToken), or a re-send the cloud saw twice:
            # if the route is there now, it is ours.
            if not (_no_answer(error) or error.code == "VpnRouteEntry.AlreadyExists"):
                raise
            found = describe_vpn_route_entries(self.module, self.region, self.gateway_id)
            if (route["destination"], route["next_hop"]) not in set(_key(item) for item in found):
                raise
            self._gateway_busy = True

    def _update(self, change: VpnRouteChange) -> None:
        route, existing = change.wanted, change.existing
        what = "%s via %s" % (route["destination"], route["next_hop"])
        for name in change.updates:
            if name == "weight":
                self._send("ModifyVpnRouteEntryWeight", {"RouteDest": route["destination"], "NextHop": route["next_hop"],
                                                         "Weight": existing.get("Weight"), "NewWeight": route["weight"]}, what)
            else:
                self._send("PublishVpnRouteEntry", {"RouteDest": route["destination"], "NextHop": route["next_hop"], "RouteType": "dbr",
                                                    "PublishVpc": route["publish_vpc"]}, what)

    def _delete(self, existing: dict) -> bool:
        params = {"RouteDest": existing["RouteDest"], "NextHop": existing["NextHop"], "Weight": existing.get("Weight")}
        try:
            self._send("DeleteVpnRouteEntry", params, "%s via %s" % _key(existing))
        except AlicloudError as error:
            if error.code == "InvalidRouteEntry.NotFound" or (error.code or "").endswith(".NotFound"):
                self._gateway_busy = False
                return False  # already gone: no change
            raise
        return True

    def _wait_for_publications(self, before: list, after: list) -> None:
        """Each destination whose publication changed: its route in the VPC's system table Available, or gone when no route
        of the gateway publishes it any more (an active and a standby route of one destination are one route of the VPC)."""
        published_before = set(route["RouteDest"] for route in before if is_published(route))
        published_after = set(route["RouteDest"] for route in after if is_published(route))
        changed = sorted(published_before ^ published_after)
        if not changed:
            return
        table_id = self.table_id or system_route_table_id(self.module, self.region, self.gateway["VpcId"])
        for destination in changed:
            spec = VPN_ROUTE_PUBLISHED if destination in published_after else VPN_ROUTE_WITHDRAWN
            wait_for(self.module, spec, self.deadline, region=self.region, route_table_id=table_id, destination=destination,
                     vpn_gateway_id=self.gateway_id)

    def ensure_present(self) -> dict:
        changes = self.plan()
        results = []
        for change in changes:
            if not self.check_mode:
                self._apply(change)
            results.append((change, _predicted(change, self.gateway_id)))
        self.changed = any(change.action in ("created", "updated", "deleted") for change in changes)
        touched = set(_key(change.existing or {}) for change in changes) | set(
            (change.wanted["destination"], change.wanted["next_hop"]) for change in changes if change.wanted)
        untouched = [route for route in self.found if _key(route) not in touched]
        after = untouched + [route for _change, route in results if route]
        if self.changed and not self.check_mode and self.params.get("wait", True):
            self._settle()
            self._wait_for_publications(self.found, after)
        destinations = set(route["destination"] for route in self.wanted)
        return {
            "changed": self.changed,
            "vpn_gateway_id": self.gateway_id,
            "vpc_id": (self.gateway or {}).get("VpcId"),
            "routes": [vpn_route_view(route if change.action != "deleted" else change.existing, change.wanted, change.action)
                       for change, route in results],
            "diff": {"before": _diff(route for route in self.found if route.get("RouteDest") in destinations),
                     "after": _diff(route for route in after if route.get("RouteDest") in destinations)},
        }

    ensure_absent = ensure_present  # the plan tells created/updated from deleted

    def _apply(self, change: VpnRouteChange) -> None:
        if change.action == "created":
            self._create(change.wanted)
        elif change.action == "updated":
            self._update(change)
        elif change.action == "deleted":
            self._delete(change.existing)
