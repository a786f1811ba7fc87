# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""VPC route entries: validation of wanted routes, the pure comparison with a table, the route table
editor that applies changes one at a time, and the manager of vpc_route_entry (RouteEntriesManager),
with the route entry waiters and busy codes.
"""

from __future__ import annotations

import ipaddress
import typing as t

from .common import unwrap_list
from .errors import AlicloudApiError, AlicloudError, InputError, gone_on_delete, is_not_found
from .resource import ResourceManager, client_token
from .retry import is_transport_error
from .vpc import VPC, describe_route_entries, system_route_table_id
from .waiter import Deadline, WaiterSpec, wait_for

# The route table (or a resource it points at) is busy with another change (terraform-provider-alicloud's list).
ROUTE_ENTRY_BUSY = (
    "TaskConflict",
    "OperationConflict",
    "IncorrectRouteEntryStatus",
    "IncorrectVpcStatus",
    "IncorrectVSwitchStatus",
    "IncorrectInstanceStatus",
    "IncorrectStatus.RouteTableStatus",
    "OperationFailed.DistibuteLock",  # sic: the API spells it this way
    "LastTokenProcessing",
)


def _route_entry_request(ids: dict) -> dict:
    return {"RegionId": ids["region"], "RouteTableId": ids["route_table_id"], "RouteEntryId": ids["route_entry_id"]}


def _same_route_entry(item: dict, ids: dict) -> bool:
    return item.get("RouteEntryId") == ids["route_entry_id"]


# Pacing on the cloud's clock (waiter.poll): a route entry is Pending (or Deleting) for about 3 s after the write (observed,
# issue #10: 7 entries one after another took 7 x 3 s). The second read comes a little before that, then one read every
# half second: the entries of a table are written one after the other, each after the one before is done, so a change
# seen late delays every later entry of the table (one DescribeRouteEntryList of one entry per read).
ROUTE_ENTRY_PACE = {"delay": 2.5, "max_delay": 0.5}

_ROUTE_ENTRY = dict(resource="VPC route entry {route_entry_id} in {route_table_id}", product=VPC, operation="DescribeRouteEntryList",
                    request=_route_entry_request, items=("RouteEntrys", "RouteEntry"), status_key="Status", match=_same_route_entry,
                    **ROUTE_ENTRY_PACE)
ROUTE_ENTRY_AVAILABLE = WaiterSpec(success=("Available",), failure=("Deleting", "Deleted"),
                                   when_gone="retry",  # just created: the list may not show it yet
                                   **_ROUTE_ENTRY).check()
ROUTE_ENTRY_DELETED = WaiterSpec(success=(), when_gone="success", **_ROUTE_ENTRY).check()


# Route entries this collection creates carry this marker at the end of their Description, so that a later
# run can tell its own entries (replaced in place when the next hop changes) from anybody else's (never touched).
ROUTE_OWNER_MARKER = "[managed by alicloud.acr_access]"
NEXT_HOP_TYPES = ("Instance", "Attachment", "VpnGateway", "RouterInterface", "HaVip", "NetworkInterface",
                  "NatGateway", "IPv6Gateway", "Ipv4Gateway", "VpcPeer", "GatewayEndpoint", "Ecr")
ROUTE_ENTRY_DEFAULT_TIMEOUT = 600
DESCRIPTION_MAX = 256


def normalise_cidr(value: str, field: str = "destination_cidr_block") -> str:
    """``10.0.0.1`` -> ``10.0.0.1/32``; ``10.0.0.0/8`` unchanged; host bits set -> InputError naming the network."""
    text = str(value or "").strip()
    if not text:
        raise InputError("%s is empty: give an IPv4 or IPv6 CIDR block such as 10.94.205.198/32" % field, field=field)
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise InputError("%s %r is not a CIDR block: give an address or ADDRESS/PREFIX such as 10.94.205.198/32"
                         % (field, value), field=field) from None
    if "/" in text and str(network.network_address) != text.split("/", 1)[0].strip():
        raise InputError("%s %s has host bits set: the network is %s (or use %s/%d for the single address)"
                         % (field, text, network, text.split("/", 1)[0], network.max_prefixlen), field=field)
    return str(network)


def is_ours(entry: dict) -> bool:
    return (entry.get("Description") or "").endswith(ROUTE_OWNER_MARKER)


def mark_description(description: str | None) -> str:
    """The Description we send: the user's text, then the ownership marker."""
    text = (description or "").strip()
    return "%s %s" % (text, ROUTE_OWNER_MARKER) if text else ROUTE_OWNER_MARKER


def replacement_description(wanted: dict, entry: dict) -> str:
    """The marked Description after a create or replace: the wanted text, else the entry's own (taken over with replace_foreign)."""
    text = wanted.get("description")
    return mark_description(text if text is not None else user_description(entry.get("Description")))


def user_description(entry_description: str | None) -> str:
    text = entry_description or ""
    if text.endswith(ROUTE_OWNER_MARKER):
        text = text[:-len(ROUTE_OWNER_MARKER)]
    return text.strip()


def next_hop_of(entry: dict) -> tuple:
    """(NextHopType, NextHopId) of an entry as DescribeRouteEntryList shows it (first hop of NextHops)."""
    hops = unwrap_list(entry, "NextHops", "NextHop")
    if hops:
        return hops[0].get("NextHopType") or "", hops[0].get("NextHopId") or ""
    return entry.get("NextHopType") or "", entry.get("NextHopId") or ""


ROUTES_FIELD = "routes[{index}]."  # how validate_routes names a field of the routes option; "" for the single-route shorthand

# Id prefix -> next hop type, for routes given without next_hop_type ("tr-attach-" before any shorter prefix).
HOP_ID_PREFIXES = (
    ("tr-attach-", "Attachment"),
    ("i-", "Instance"),
    ("vpn-", "VpnGateway"),
    ("ri-", "RouterInterface"),
    ("havip-", "HaVip"),
    ("eni-", "NetworkInterface"),
    ("ngw-", "NatGateway"),
    ("ipv6gw-", "IPv6Gateway"),
    ("ipv4gw-", "Ipv4Gateway"),
    ("pcc-", "VpcPeer"),
    ("vpce-", "GatewayEndpoint"),
    ("ecr-", "Ecr"),
)
_HOP_NAMES = {
    "Instance": "ECS instance", "Attachment": "transit router VPC attachment", "VpnGateway": "VPN gateway",
    "RouterInterface": "router interface", "HaVip": "HaVip", "NetworkInterface": "elastic network interface",
    "NatGateway": "NAT gateway", "IPv6Gateway": "IPv6 gateway", "Ipv4Gateway": "IPv4 gateway", "VpcPeer": "VPC peer connection",
    "GatewayEndpoint": "gateway endpoint", "Ecr": "Express Connect Router",
}
_HOP_HINTS = {hop_type: "%s (%s...)" % (_HOP_NAMES[hop_type], prefix) for prefix, hop_type in HOP_ID_PREFIXES}


def infer_next_hop_type(hop_id: str | None) -> str | None:
    """The next hop type an id stands for, from its prefix (``tr-attach-...`` -> Attachment); None when unknown."""
    for prefix, hop_type in HOP_ID_PREFIXES:
        if (hop_id or "").startswith(prefix):
            return hop_type
    return None


def _field(prefix: str, index: int, name: str) -> str:
    return prefix.format(index=index) + name


def _next_hop(route: dict, state: str, index: int, cidr: str, prefix: str) -> tuple:
    """(type, id) of a wanted route; the type defaults to the one the id's prefix stands for."""
    hop_id = route.get("next_hop_id") or None
    hop_type = route.get("next_hop_type") or infer_next_hop_type(hop_id)
    if state == "present" and not hop_id:
        hint = _HOP_HINTS.get(hop_type) if hop_type else "next hop: %s" % ", ".join(_HOP_HINTS.values())
        field = _field(prefix, index, "next_hop_id")
        raise InputError("%s is required for %s%s: give the id of the %s"
                         % (field, cidr, " (next_hop_type %s)" % hop_type if hop_type else "", hint), field=field)
    if hop_id and not hop_type:
        field = _field(prefix, index, "next_hop_type")
        raise InputError("%s is not given and cannot be inferred from next_hop_id %s: set it to one of %s"
                         % (field, hop_id, ", ".join(NEXT_HOP_TYPES)), field=field)
    return hop_type, hop_id


def validate_routes(routes: list, state: str, prefix: str = ROUTES_FIELD) -> list:
    """Normalised copies of the wanted routes; InputError (before any write) for bad CIDRs, duplicates, missing next hops.

    ``prefix`` names the fields in errors as the user wrote them: ``routes[{index}].`` for the list, "" for the shorthand.
    """
    wanted = []
    seen: dict = {}
    for index, route in enumerate(routes):
        where = _field(prefix, index, "destination_cidr_block")
        cidr = normalise_cidr(route.get("destination_cidr_block"), where)
        if cidr in seen:
            raise InputError("%s: %s is listed twice (routes[%d] and routes[%d]); a route table holds one route per destination"
                             % (where, cidr, seen[cidr], index), field=where)
        seen[cidr] = index
        hop_type, hop_id = _next_hop(route, state, index, cidr, prefix)
        description = route.get("description")
        if description is not None and len(mark_description(description)) > DESCRIPTION_MAX:
            field = _field(prefix, index, "description")
            raise InputError("%s is too long: at most %d characters (the ownership marker %r takes %d)"
                             % (field, DESCRIPTION_MAX - len(ROUTE_OWNER_MARKER) - 1, ROUTE_OWNER_MARKER, len(ROUTE_OWNER_MARKER) + 1),
                             field=field)
        wanted.append({"destination_cidr_block": cidr, "next_hop_type": hop_type, "next_hop_id": hop_id,
                       "name": route.get("name"), "description": description})
    return wanted


def route_view(entry: dict | None, wanted: dict | None = None, action: str | None = None, replaced: dict | None = None,
               changed_meanwhile: bool = False) -> dict:
    """The snake_case result of one route: the entry as the cloud has it (or will, in check mode), and what was done.

    ``replaced``: the entry whose next hop a replace overwrote (shown as ``replaced``); ``changed_meanwhile``: the entry
    was not what this run had read when it wrote (another run or a person changed it in between)."""
    if replaced is not None:
        hop_type, hop_id = next_hop_of(replaced)
        shown_replaced: dict | None = {"next_hop_type": hop_type or None, "next_hop_id": hop_id or None}
    else:
        shown_replaced = None
    entry = entry or {}
    hop_type, hop_id = next_hop_of(entry) if entry else ((wanted or {}).get("next_hop_type"), (wanted or {}).get("next_hop_id"))
    return {
        "destination_cidr_block": entry.get("DestinationCidrBlock") or (wanted or {}).get("destination_cidr_block"),
        "route_entry_id": entry.get("RouteEntryId"),
        "next_hop_type": hop_type or None,
        "next_hop_id": hop_id or None,
        "status": entry.get("Status"),
        "name": entry.get("RouteEntryName") or None,
        "description": user_description(entry.get("Description")) or None,
        "managed": is_ours(entry) if entry else False,
        "type": entry.get("Type"),
        "action": action,
        "replaced": shown_replaced if action == "replaced" else None,
        "changed_meanwhile": changed_meanwhile,
    }


def _diff(entries: t.Iterable[dict | None]) -> dict:
    """The entries for Ansible's diff: {destination: {next_hop_type, next_hop_id}} (a dict, which Ansible's callbacks
    render as a diff; a list breaks them: 'list' object has no attribute 'splitlines')."""
    shown = {}
    for entry in entries:
        if entry:
            hop_type, hop_id = next_hop_of(entry)
            shown[entry.get("DestinationCidrBlock")] = {"next_hop_type": hop_type, "next_hop_id": hop_id}
    return shown


class RouteChange(t.NamedTuple):
    wanted: dict
    existing: dict | None
    action: str  # created | replaced | unchanged | deleted | absent


def _hop_matches(entry: dict, wanted: dict) -> bool:
    return next_hop_of(entry) == (wanted["next_hop_type"], wanted["next_hop_id"])


def _conflict_message(entry: dict, wanted: dict, table_id: str) -> str:
    hop_type, hop_id = next_hop_of(entry)
    if entry.get("Type") != "Custom":
        return ("%s in %s is a %s route of the cloud (%s, next hop %s %s): it cannot be replaced; choose another destination"
                % (wanted["destination_cidr_block"], table_id, entry.get("Type"), entry.get("RouteEntryId"), hop_type or "-", hop_id or "-"))
    return ("%s in %s already routes to %s %s (route entry %s, not created by this collection); wanted %s %s. Fix: set replace_foreign: true "
            "to replace its next hop in place, or remove that entry first"
            % (wanted["destination_cidr_block"], table_id, hop_type, hop_id, entry.get("RouteEntryId"),
               wanted["next_hop_type"], wanted["next_hop_id"]))


def plan_route_changes(entries: list, wanted_routes: list, state: str, table_id: str, replace_foreign: bool = False,
                       prefix: str = ROUTES_FIELD) -> list:
    """Compare the wanted routes with the table's entries (pure). InputError lists every conflict, each after its field, before any write."""
    by_destination = {entry.get("DestinationCidrBlock"): entry for entry in entries}
    changes, conflicts = [], []
    for index, wanted in enumerate(wanted_routes):
        existing = by_destination.get(wanted["destination_cidr_block"])
        destination = _field(prefix, index, "destination_cidr_block")
        if state == "absent":
            action = _absent_action(existing, wanted, table_id, destination, _field(prefix, index, "next_hop_id"), conflicts)
            changes.append(RouteChange(wanted, existing, action))
            continue
        if existing is None:
            changes.append(RouteChange(wanted, None, "created"))
        elif _hop_matches(existing, wanted):
            changes.append(RouteChange(wanted, existing, "unchanged"))
        elif existing.get("Type") == "Custom" and (is_ours(existing) or replace_foreign):
            changes.append(RouteChange(wanted, existing, "replaced"))
        else:
            conflicts.append("%s: %s" % (destination, _conflict_message(existing, wanted, table_id)))
    if conflicts:
        raise InputError("; ".join(conflicts), field=conflicts[0].split(":", 1)[0])
    return changes


def _absent_action(existing: dict | None, wanted: dict, table_id: str, destination_field: str, hop_field: str, conflicts: list) -> str:
    """absent: delete a listed route only when it is ours or its next hop is the given one; foreign entries are never guessed at."""
    if existing is None:
        return "absent"
    if existing.get("Type") != "Custom":
        conflicts.append("%s: %s in %s is a %s route of the cloud (%s): it cannot be deleted; remove it from the list"
                         % (destination_field, wanted["destination_cidr_block"], table_id, existing.get("Type"), existing.get("RouteEntryId")))
        return "absent"
    if is_ours(existing) or (wanted.get("next_hop_id") is not None and _hop_matches(existing, wanted)):
        return "deleted"
    if wanted.get("next_hop_id") is None:
        hop_type, hop_id = next_hop_of(existing)
        conflicts.append("%s: %s in %s is route entry %s (next hop %s %s), not created by this collection; it is removed only when "
                         "its next hop is given: set %s: %s to remove it"
                         % (hop_field, wanted["destination_cidr_block"], table_id, existing.get("RouteEntryId"), hop_type or "-",
                            hop_id or "-", hop_field.rsplit(".", 1)[-1], hop_id or "-"))
    return "absent"  # refused above, or the destination routes elsewhere: not the route we were asked to remove


def _no_answer(error: AlicloudError) -> bool:
    """No answer at all (transport failure after the retries): the change may or may not have been made."""
    return error.code is None and is_transport_error(error.__cause__ or error)


class RouteChangedMeanwhile(AlicloudError):
    """The destination's entry is not the one this run read: ``entry`` is what the table holds now (None: gone)."""

    def __init__(self, entry: dict | None):
        super().__init__("route entry changed since it was read", code="RouteChangedMeanwhile")
        self.entry = entry


class RouteTableEditor:
    """Applies route changes to one route table, one at a time (the cloud refuses concurrent changes: TaskConflict).

    Every write and wait draws on the task's one Deadline; no write is sent once it is spent.
    """

    def __init__(self, module: t.Any, region: str, table_id: str, deadline: Deadline):
        self.module = module
        self.region = region
        self.table_id = table_id
        self.deadline = deadline
        # (waiter, entry id) of the last change, which may still be running: the next change on the table waits for it.
        self._pending: tuple | None = None

    @property
    def pending(self) -> str | None:
        return self._pending[1] if self._pending else None

    def _write(self, action: str, params: dict, what: str) -> dict:
        self.deadline.before_write("%s (%s in %s)" % (action, what, self.table_id))
        return self.module.call(VPC, action, dict(params, RegionId=self.region), region=self.region,
                                extra_codes=ROUTE_ENTRY_BUSY, deadline=self.deadline.left())

    def settle(self) -> dict | None:
        """Wait until the last change is done (entry Available, or gone after a delete): the next change would be refused."""
        if self._pending is None:
            return None
        (waiter, entry_id), self._pending = self._pending, None
        return wait_for(self.module, waiter, self.deadline, region=self.region, route_table_id=self.table_id, route_entry_id=entry_id)

    def find(self, destination: str) -> dict | None:
        found = describe_route_entries(self.module, self.region, self.table_id, destination_cidr_block=destination)
        return next((entry for entry in found if entry.get("DestinationCidrBlock") == destination), None)

    def create(self, wanted: dict) -> str:
        """CreateRouteEntry with a ClientToken (module.call re-sends it after no answer); then one read-back if still in doubt."""
        params = {"RouteTableId": self.table_id, "DestinationCidrBlock": wanted["destination_cidr_block"],
                  "NextHopType": wanted["next_hop_type"], "NextHopId": wanted["next_hop_id"],
                  "RouteEntryName": wanted.get("name") or None, "Description": mark_description(wanted.get("description")),
                  "ClientToken": client_token()}
        self.settle()
        try:
            entry_id = self._write("CreateRouteEntry", params, wanted["destination_cidr_block"])["RouteEntryId"]
        except AlicloudError as error:
            found = self._read_back(error, wanted)
            if found is None:
                raise
            entry_id = found["RouteEntryId"]
        self._pending = (ROUTE_ENTRY_AVAILABLE, entry_id)
        return entry_id

    def _read_back(self, error: AlicloudError, wanted: dict) -> dict | None:
        """After no answer, or a Duplicated answer to a re-sent create: is our route there already?

        A Duplicated answer with another next hop: someone created the destination's route between this run's read and its
        write (RouteChangedMeanwhile, for the caller to replace it or refuse)."""
        if not (_no_answer(error) or error.code == "RouterEntryConflict.Duplicated"):
            return None
        found = self.find(wanted["destination_cidr_block"])
        if found is not None and _hop_matches(found, wanted):
            return found
        if found is not None and error.code == "RouterEntryConflict.Duplicated":
            raise RouteChangedMeanwhile(found) from error
        return None

    def current(self, entry: dict) -> dict | None:
        """The destination's entry just before a change of ``entry`` (read once more: another run may have changed it since
        the plan's read, and a replace must say what it overwrote, not what the plan saw)."""
        self.settle()
        return self.find(entry.get("DestinationCidrBlock"))

    def replace(self, entry: dict, wanted: dict) -> str:
        """Change the next hop in place (ModifyRouteEntry): traffic never meets a missing route."""
        self.settle()
        params = {"RouteEntryId": entry["RouteEntryId"], "NewNextHopType": wanted["next_hop_type"], "NewNextHopId": wanted["next_hop_id"],
                  "Description": replacement_description(wanted, entry)}
        if wanted.get("name"):
            params["RouteEntryName"] = wanted["name"]
        try:
            self._write("ModifyRouteEntry", params, wanted["destination_cidr_block"])
        except AlicloudError as error:
            if error.code != "OperationDenied.NextHopNotChanged":  # a re-send after a lost answer: already done
                raise
        self._pending = (ROUTE_ENTRY_AVAILABLE, entry["RouteEntryId"])
        return entry["RouteEntryId"]

    def delete(self, entry: dict) -> bool:
        """DeleteRouteEntry; NotFound means already gone (False). The deletion is waited for by the next change, or at the end."""
        self.settle()
        if not gone_on_delete(lambda: self._write("DeleteRouteEntry", {"RouteEntryId": entry["RouteEntryId"]}, entry.get("DestinationCidrBlock"))):
            return False
        self._pending = (ROUTE_ENTRY_DELETED, entry["RouteEntryId"])
        return True


def _predicted_entry(change: RouteChange, table_id: str) -> dict | None:
    """What the table will hold after a change (check mode, and the result before the final read)."""
    wanted = change.wanted
    if change.action in ("deleted",):
        return None
    if change.action == "absent" or change.action == "unchanged":
        return change.existing
    new_entry = {"RouteEntryId": None, "RouteTableId": table_id, "Type": "Custom", "DestinationCidrBlock": wanted["destination_cidr_block"]}
    base = dict(change.existing or new_entry)
    base.pop("NextHops", None)
    base.update({"NextHopType": wanted["next_hop_type"], "NextHopId": wanted["next_hop_id"], "Status": "Available",
                 "Description": replacement_description(wanted, base)})
    if wanted.get("name"):
        base["RouteEntryName"] = wanted["name"]
    return base


def route_options() -> dict:
    """The options of one route (vpc_route_entry's ``routes[]``, and every module that takes such routes)."""
    return dict(
        destination_cidr_block=dict(type="str", required=True),
        next_hop_type=dict(type="str", choices=list(NEXT_HOP_TYPES)),
        next_hop_id=dict(type="str"),
        name=dict(type="str"),
        description=dict(type="str"),
    )


SINGLE_ROUTE_OPTIONS = ("destination_cidr_block", "next_hop_type", "next_hop_id", "name", "description")


def wanted_routes(params: dict) -> list:
    """The routes option, or the single-route shorthand of vpc_route_entry as a one-item list."""
    if params.get("routes") is not None:
        return params["routes"]
    return [dict((key, params.get(key)) for key in SINGLE_ROUTE_OPTIONS)]


def field_prefix(params: dict) -> str:
    """How errors name a route's fields: as the user wrote them (routes[0].next_hop_id, or next_hop_id for the shorthand)."""
    return ROUTES_FIELD if params.get("routes") is not None else ""


class RouteEntriesManager(ResourceManager):
    """The listed routes of one VPC route table (module vpc_route_entry): present or absent, one change at a time.

    One resource of many parts, so ``ensure_present`` / ``ensure_absent`` are one flow (``plan_route_changes``
    knows the state): validate -> read the table once -> plan (InputError for every conflict, before any write)
    -> predict (check mode) or apply through RouteTableEditor -> wait for the last change.
    Returns {changed, route_table_id, routes: [...], diff: {before, after}}.
    """

    result_key = "routes"

    def __init__(self, module: t.Any, table_field: str = "route_table_id"):
        """``table_field``: how errors name the route table's option (a step owner passes its own, source.route_table_id)."""
        super().__init__(module)
        self.region = module.region
        self.table_id = self.params.get("route_table_id")
        self.table_field = table_field
        self.prefix = field_prefix(self.params)
        self.wanted: list = []
        self.planned_changes: list | None = None

    def failure_values(self) -> dict:
        return {"table": self.table_id or self.params.get("vpc_id")}

    def validate(self) -> None:
        self.wanted = validate_routes(wanted_routes(self.params), self.params["state"], self.prefix)

    def read(self) -> list:  # type: ignore[override]  # the entries of the whole table
        if self.table_id is None:
            self.table_id = system_route_table_id(self.module, self.region, self.params["vpc_id"])
            return describe_route_entries(self.module, self.region, self.table_id)
        try:
            return describe_route_entries(self.module, self.region, self.table_id)
        except AlicloudApiError as error:
            # The first call that names the table: its not-found is a typo or a wrong region, said as the input it is
            if is_not_found(error) and "Region" not in (error.code or ""):
                raise InputError("%s: there is no route table %s in region %s; give the ID of a route table of the VPC (vtb-..., "
                                 "the VPC console's Route Tables page) in that region, or vpc_id instead for the VPC's system "
                                 "route table" % (self.table_field, self.table_id, self.region), field=self.table_field) from error
            raise

    def plan(self) -> list:
        """Read the table once and plan the changes (InputError for every conflict, before any write); kept for
        ``ensure_present``, so that a step owner can check every table before it changes any."""
        if self.planned_changes is None:
            self.planned_changes = plan_route_changes(self.read(), self.wanted, self.params["state"], self.table_id,
                                                      self.params.get("replace_foreign", False), self.prefix)
        return self.planned_changes

    def ensure_present(self) -> dict:
        changes = self.plan()
        results = []
        editor = None if self.check_mode else RouteTableEditor(self.module, self.region, self.table_id, self.deadline)
        for change in changes:
            entry = _predicted_entry(change, self.table_id)
            meanwhile = False
            if editor is not None:  # the change as made: the table may have changed since the plan's read
                change, entry, meanwhile = _apply(editor, change, entry, bool(self.params.get("replace_foreign")))
            results.append((change, entry, meanwhile))
        if editor is not None:
            wait = self.params.get("wait", True)
            last_changed = editor.pending
            last = editor.settle() if wait else None
            results = [(change, _refresh(entry, last, last_changed, wait), meanwhile) for change, entry, meanwhile in results]
        self.changed = any(change.action in ("created", "replaced", "deleted") for change, _entry, _meanwhile in results)
        return {
            "changed": self.changed,
            "route_table_id": self.table_id,
            "routes": [route_view(entry if change.action != "deleted" else change.existing, change.wanted, change.action, change.existing,
                                  meanwhile)
                       for change, entry, meanwhile in results],
            # before: what each write replaced or removed, as read just before it (not only as planned)
            "diff": {"before": _diff(change.existing for change, _entry, _meanwhile in results),
                     "after": _diff(entry for _change, entry, _meanwhile in results)},
        }

    ensure_absent = ensure_present  # the plan tells created/replaced from deleted


def _apply(editor: RouteTableEditor, change: RouteChange, predicted: dict | None, replace_foreign: bool) -> tuple:
    """Apply one planned change: (the change as made, the entry predicted after it, whether the table had changed since the read).

    Replacing a next hop is allowed, never silently: a replace reads the entry again just before its write, so that the
    result names the next hop it overwrote; an entry another run changed (or created) in between is replaced all the same
    when it is ours (the last writer wins, with a warning naming both next hops), refused like any foreign route when not.
    """
    if change.action == "created":
        try:
            return change, dict(predicted, RouteEntryId=editor.create(change.wanted), Status="Pending"), False
        except RouteChangedMeanwhile as taken:
            return _replace_meanwhile(editor, change, taken.entry, replace_foreign)
    if change.action == "replaced":
        current = editor.current(change.existing)
        if current is None or current.get("RouteEntryId") != change.existing.get("RouteEntryId") or not _same_hop(current, change.existing):
            return _replace_meanwhile(editor, change, current, replace_foreign)
        editor.replace(change.existing, change.wanted)
        return change, dict(predicted, Status="Modifying"), False
    if change.action == "deleted":
        editor.delete(change.existing)
    return change, predicted, False


def _same_hop(entry: dict, other: dict) -> bool:
    return next_hop_of(entry) == next_hop_of(other)


def _replace_meanwhile(editor: RouteTableEditor, change: RouteChange, current: dict | None, replace_foreign: bool) -> tuple:
    """The destination's entry changed between this run's read and its write: say so, and converge on the wanted next hop."""
    wanted = change.wanted
    destination = wanted["destination_cidr_block"]
    read = "no route" if change.existing is None else "next hop %s %s" % next_hop_of(change.existing)
    if current is None:  # removed meanwhile: created again
        editor.module.warn("%s in %s had %s when this run read the table and none just before its write (removed by someone else "
                           "in between); created again" % (destination, editor.table_id, read))
        entry = _predicted_entry(RouteChange(wanted, None, "created"), editor.table_id)
        return RouteChange(wanted, None, "created"), dict(entry, RouteEntryId=editor.create(wanted), Status="Pending"), True
    now = "next hop %s %s" % next_hop_of(current)
    if _hop_matches(current, wanted):  # someone made it what we want: nothing to write
        editor.module.warn("%s in %s had %s when this run read the table and %s, the wanted one, just before its write (changed by "
                           "someone else in between); nothing to change" % (destination, editor.table_id, read, now))
        return RouteChange(wanted, current, "unchanged"), current, True
    if current.get("Type") != "Custom" or not (is_ours(current) or replace_foreign):
        raise InputError("%s: %s (it was created or changed between this run's read and its write)"
                         % (destination, _conflict_message(current, wanted, editor.table_id)), field="destination_cidr_block")
    editor.module.warn("%s in %s had %s when this run read the table and %s just before its write (changed by someone else in "
                       "between, another run of this collection for example); replaced %s by %s %s"
                       % (destination, editor.table_id, read, now, now, wanted["next_hop_type"], wanted["next_hop_id"]))
    replaced = RouteChange(wanted, current, "replaced")
    editor.replace(current, wanted)
    return replaced, dict(_predicted_entry(replaced, editor.table_id), Status="Modifying"), True


def _refresh(entry: dict | None, latest: dict | None, last_changed: str | None, waited: bool) -> dict | None:
    """Each change waited for the one before it, so only the last one can still be Pending/Modifying (when wait is false)."""
    if entry is None or entry.get("Status") not in ("Pending", "Modifying"):
        return entry
    if entry.get("RouteEntryId") == last_changed:
        if not waited:
            return entry
        return dict(entry, Status=(latest or {}).get("Status") or "Available")
    return dict(entry, Status="Available")
