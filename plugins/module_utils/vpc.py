# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Thin helpers for the VPC API (2016-04-28): read calls with paging, and snake_case views.

``describe_*`` return the API's items (PascalCase, wrappers removed);
``normalise_*`` turn one item into the documented snake_case dict.
Errors propagate as AlicloudError; retries happen in ``module.call``.
"""

from __future__ import annotations

import ipaddress
import typing as t
import uuid

from . import paging
from .common import pick, unwrap_list
from .errors import AlicloudApiError, AlicloudError, is_not_found
from .retry import ROUTE_ENTRY_BUSY, is_transport_error
from .waiter import Deadline, wait_for

PAGE_SIZE = 50          # DescribeVpcs / DescribeVSwitches / DescribeRouteTableList maximum
ROUTE_ENTRY_PAGE = 100  # DescribeRouteEntryList MaxResult maximum


def number_pages(module: t.Any, action: str, params: dict, items: tuple, region: str | None = None) -> list:
    """All items of a VPC PageNumber/PageSize list call."""
    return paging.number_pages(module, "vpc", action, params, items, PAGE_SIZE, region=region)


def _token_pages(module: t.Any, action: str, params: dict, items: tuple, region: str) -> list:
    """All items of a VPC NextToken/MaxResult list call."""
    return paging.token_pages(module, "vpc", action, params, items, "MaxResult", ROUTE_ENTRY_PAGE, region=region)


def describe_vpcs(module: t.Any, region: str, vpc_id: str | None = None, vpc_name: str | None = None) -> list:
    """VPCs of a region, optionally only the one with ``vpc_id`` or those named ``vpc_name`` (exact match)."""
    vpcs = number_pages(module, "DescribeVpcs", {"RegionId": region, "VpcId": vpc_id, "VpcName": vpc_name}, ("Vpcs", "Vpc"), region)
    if vpc_name is not None:
        vpcs = [vpc for vpc in vpcs if vpc.get("VpcName") == vpc_name]
    if vpc_id is not None:
        vpcs = [vpc for vpc in vpcs if vpc.get("VpcId") == vpc_id]
    return vpcs


def describe_vswitches(module: t.Any, region: str, vpc_id: str) -> list:
    return number_pages(module, "DescribeVSwitches", {"RegionId": region, "VpcId": vpc_id}, ("VSwitches", "VSwitch"), region)


def _route_table_list(module: t.Any, region: str, **filters: t.Any) -> list:
    """DescribeRouteTableList, paged; the items are wrapped twice (RouterTableList.RouterTableListType)."""
    return number_pages(module, "DescribeRouteTableList", dict(filters, RegionId=region), ("RouterTableList", "RouterTableListType"), region)


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


# --- route entries: validation, comparison, serialised changes -----------------------------------------

# Route entries this collection creates carry this marker at the end of their Description, so that a later
# run can tell its own entries (replaced in place when the next hop changes) from anybody else's (never touched).
ROUTE_OWNER_MARKER = "[managed by alicloud.acr_access]"
NEXT_HOP_TYPES = ("Instance", "Attachment", "VpnGateway", "RouterInterface", "HaVip", "NetworkInterface",
                  "NatGateway", "IPv6Gateway", "Ipv4Gateway", "VpcPeer", "GatewayEndpoint", "Ecr")
ROUTE_ENTRY_DEFAULT_TIMEOUT = 600
DESCRIPTION_MAX = 256


class RouteInputError(ValueError):
    """A route given by the user is wrong; the message names the field and the fix."""


def normalise_cidr(value: str, field: str = "destination_cidr_block") -> str:
    """``10.0.0.1`` -> ``10.0.0.1/32``; ``10.0.0.0/8`` unchanged; host bits set -> RouteInputError naming the network."""
    text = str(value or "").strip()
    if not text:
        raise RouteInputError("%s is empty: give an IPv4 or IPv6 CIDR block such as 10.94.205.198/32" % field)
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise RouteInputError("%s %r is not a CIDR block: give an address or ADDRESS/PREFIX such as 10.94.205.198/32"
                              % (field, value)) from None
    if "/" in text and str(network.network_address) != text.split("/", 1)[0].strip():
        raise RouteInputError("%s %s has host bits set: the network is %s (or use %s/%d for the single address)"
                              % (field, text, network, text.split("/", 1)[0], network.max_prefixlen))
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
        raise RouteInputError("%s is required for %s%s: give the id of the %s"
                              % (_field(prefix, index, "next_hop_id"), cidr, " (next_hop_type %s)" % hop_type if hop_type else "", hint))
    if hop_id and not hop_type:
        raise RouteInputError("%s is not given and cannot be inferred from next_hop_id %s: set it to one of %s"
                              % (_field(prefix, index, "next_hop_type"), hop_id, ", ".join(NEXT_HOP_TYPES)))
    return hop_type, hop_id


def validate_routes(routes: list, state: str, prefix: str = ROUTES_FIELD) -> list:
    """Normalised copies of the wanted routes; RouteInputError (before any write) for bad CIDRs, duplicates, missing next hops.

    ``prefix`` names the fields in errors as the user wrote them: ``routes[{index}].`` for the list, "" for the shorthand.
    """
    wanted = []
    seen: dict = {}
    for index, route in enumerate(routes):
        where = _field(prefix, index, "destination_cidr_block")
        cidr = normalise_cidr(route.get("destination_cidr_block"), where)
        if cidr in seen:
            raise RouteInputError("%s: %s is listed twice (routes[%d] and routes[%d]); a route table holds one route per destination"
                                  % (where, cidr, seen[cidr], index))
        seen[cidr] = index
        hop_type, hop_id = _next_hop(route, state, index, cidr, prefix)
        description = route.get("description")
        if description is not None and len(mark_description(description)) > DESCRIPTION_MAX:
            raise RouteInputError("%s is too long: at most %d characters (the ownership marker %r takes %d)"
                                  % (_field(prefix, index, "description"), DESCRIPTION_MAX - len(ROUTE_OWNER_MARKER) - 1,
                                     ROUTE_OWNER_MARKER, len(ROUTE_OWNER_MARKER) + 1))
        wanted.append({"destination_cidr_block": cidr, "next_hop_type": hop_type, "next_hop_id": hop_id,
                       "name": route.get("name"), "description": description})
    return wanted


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


def route_view(entry: dict | None, wanted: dict | None = None, action: str | None = None) -> dict:
    """The snake_case result of one route: the entry as the cloud has it (or will, in check mode), and what was done."""
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
    }


def _diff_item(entry: dict | None) -> dict | None:
    if not entry:
        return None
    hop_type, hop_id = next_hop_of(entry)
    return {"destination_cidr_block": entry.get("DestinationCidrBlock"), "next_hop_type": hop_type, "next_hop_id": hop_id}


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
    """Compare the wanted routes with the table's entries (pure). RouteInputError lists every conflict, before any write."""
    by_destination = {entry.get("DestinationCidrBlock"): entry for entry in entries}
    changes, conflicts = [], []
    for index, wanted in enumerate(wanted_routes):
        existing = by_destination.get(wanted["destination_cidr_block"])
        if state == "absent":
            action = _absent_action(existing, wanted, table_id, _field(prefix, index, "next_hop_id"), conflicts)
            changes.append(RouteChange(wanted, existing, action))
            continue
        if existing is None:
            changes.append(RouteChange(wanted, None, "created"))
        elif _hop_matches(existing, wanted):
            changes.append(RouteChange(wanted, existing, "unchanged"))
        elif existing.get("Type") == "Custom" and (is_ours(existing) or replace_foreign):
            changes.append(RouteChange(wanted, existing, "replaced"))
        else:
            conflicts.append(_conflict_message(existing, wanted, table_id))
    if conflicts:
        raise RouteInputError("; ".join(conflicts))
    return changes


def _absent_action(existing: dict | None, wanted: dict, table_id: str, hop_field: str, conflicts: list) -> str:
    """absent: delete a listed route only when it is ours or its next hop is the given one; foreign entries are never guessed at."""
    if existing is None:
        return "absent"
    if existing.get("Type") != "Custom":
        conflicts.append("%s in %s is a %s route of the cloud (%s): it cannot be deleted; remove it from the list"
                         % (wanted["destination_cidr_block"], table_id, existing.get("Type"), existing.get("RouteEntryId")))
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


def as_deadline(timeout: float | Deadline) -> Deadline:
    """The task's Deadline: given, or started now from seconds."""
    return timeout if isinstance(timeout, Deadline) else Deadline(timeout)


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
        return self.module.call("vpc", action, dict(params, RegionId=self.region), region=self.region,
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
                  "ClientToken": str(uuid.uuid4())}
        self.settle()
        try:
            entry_id = self._write("CreateRouteEntry", params, wanted["destination_cidr_block"])["RouteEntryId"]
        except AlicloudError as error:
            found = self._read_back(error, wanted)
            if found is None:
                raise
            entry_id = found["RouteEntryId"]
        self._pending = ("route_entry_available", entry_id)
        return entry_id

    def _read_back(self, error: AlicloudError, wanted: dict) -> dict | None:
        """After no answer, or a Duplicated answer to a re-sent create: is our route there already?"""
        if not (_no_answer(error) or error.code == "RouterEntryConflict.Duplicated"):
            return None
        found = self.find(wanted["destination_cidr_block"])
        if found is not None and _hop_matches(found, wanted):
            return found
        return None

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
        self._pending = ("route_entry_available", entry["RouteEntryId"])
        return entry["RouteEntryId"]

    def delete(self, entry: dict) -> bool:
        """DeleteRouteEntry; NotFound means already gone (False). The deletion is waited for by the next change, or at the end."""
        self.settle()
        try:
            self._write("DeleteRouteEntry", {"RouteEntryId": entry["RouteEntryId"]}, entry.get("DestinationCidrBlock"))
        except AlicloudError as error:
            if is_not_found(error):
                return False
            raise
        self._pending = ("route_entry_deleted", entry["RouteEntryId"])
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


def ensure_route_entries(module: t.Any, region: str, table_id: str, routes: list, state: str = "present",
                         replace_foreign: bool = False, wait: bool = True, timeout: float | Deadline = ROUTE_ENTRY_DEFAULT_TIMEOUT,
                         check_mode: bool = False, prefix: str = ROUTES_FIELD) -> dict:
    """Make the listed routes of one table present (or absent): one read of the table, then one change at a time.

    ``timeout`` is the task's budget (seconds or its Deadline) for every write and wait; ``prefix`` names fields in errors
    (see validate_routes). Returns {changed, routes: [...], diff: {before, after}}. Raises RouteInputError (before any write)
    or AlicloudError.
    """
    wanted_routes = validate_routes(routes, state, prefix)
    entries = describe_route_entries(module, region, table_id)
    changes = plan_route_changes(entries, wanted_routes, state, table_id, replace_foreign, prefix)
    before = [_diff_item(change.existing) for change in changes]
    results = []
    editor = None if check_mode else RouteTableEditor(module, region, table_id, as_deadline(timeout))
    for change in changes:
        entry = _predicted_entry(change, table_id)
        if editor is not None:
            entry = _apply(editor, change, entry)
        results.append((change, entry))
    if editor is not None:
        last_changed = editor.pending
        last = editor.settle() if wait else None
        results = [(change, _refresh(entry, last, last_changed, wait)) for change, entry in results]
    return {
        "changed": any(change.action in ("created", "replaced", "deleted") for change in changes),
        "routes": [route_view(entry if change.action != "deleted" else change.existing, change.wanted, change.action)
                   for change, entry in results],
        "diff": {"before": [item for item in before if item],
                 "after": [item for item in (_diff_item(entry) for _change, entry in results) if item]},
    }


def _apply(editor: RouteTableEditor, change: RouteChange, predicted: dict | None) -> dict | None:
    if change.action == "created":
        predicted = dict(predicted, RouteEntryId=editor.create(change.wanted), Status="Pending")
    elif change.action == "replaced":
        editor.replace(change.existing, change.wanted)
        predicted = dict(predicted, Status="Modifying")
    elif change.action == "deleted":
        editor.delete(change.existing)
    return predicted


def _refresh(entry: dict | None, latest: dict | None, last_changed: str | None, waited: bool) -> dict | None:
    """Each change waited for the one before it, so only the last one can still be Pending/Modifying (when wait is false)."""
    if entry is None or entry.get("Status") not in ("Pending", "Modifying"):
        return entry
    if entry.get("RouteEntryId") == last_changed:
        if not waited:
            return entry
        return dict(entry, Status=(latest or {}).get("Status") or "Available")
    return dict(entry, Status="Available")
