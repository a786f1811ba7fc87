# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The managers of the CEN modules, one per resource, on ``resource.ResourceManager``:

- ``CenManager`` (cen_instance): a CEN instance found by id or by name;
- ``TransitRouterManager`` (cen_transit_router): the CEN's transit router in the task's region;
- ``PeerAttachmentManager`` (cen_transit_router_peer_attachment): the inter-region connection of two transit routers;
- ``VpcAttachmentManager`` (cen_transit_router_vpc_attachment): a VPC attachment and its association with
  and route propagation to one transit router route table;
- ``VpnAttachmentManager`` / ``VbrAttachmentManager`` (cen_transit_router_vpn_attachment / _vbr_attachment): the data
  center's IPsec connection or Express Connect VBR attached, associated and propagating the same way.

The three attachments with links share ``LinkedAttachmentManager`` (the links); VPN and VBR share ``DataCenterAttachmentManager``.

The calls, views and waiters are in ``cen``; every write goes through ``write`` (the task's Deadline first).
"""

from __future__ import annotations

import typing as t

from . import cen as api
from .errors import InputError
from .resource import ResourceManager, wait_argument_spec
from .waiter import WaiterSpec

# --- CEN instances ----------------------------------------------------------------------------------------------


class CenManager(ResourceManager):
    """A CEN instance, by ``cen_id`` or by ``name``; ``name`` and ``description`` change in place.

    A CEN in Deleting is on its way out: it counts as absent (a create by name waits until it is gone first).
    """

    result_key = "cen"
    id_key = "CenId"

    def __init__(self, module: t.Any):
        super().__init__(module)
        self.deleting: list = []  # the CENs of this id / name that are being deleted

    def failure_values(self) -> dict:
        return {"cen": self.params["cen_id"] or self.params["name"]}

    def read(self) -> dict | None:
        """The live CEN of this id (or name); else one being deleted (so that absent can wait for it); else None."""
        cens = api.list_cens(self.module, cen_id=self.params["cen_id"], name=None if self.params["cen_id"] else self.params["name"])
        self.deleting = [cen for cen in cens if cen.get("Status") == "Deleting"]
        live = api.single_cen([cen for cen in cens if cen.get("Status") != "Deleting"], self.params["name"])
        return live or (self.deleting[0] if self.deleting else None)

    def view(self, item: dict | None) -> dict:
        return api.normalise_cen(item)

    def settle(self, item: dict) -> dict | None:
        return None if self.going(item) else item

    def changes(self, item: dict) -> dict:
        """Name (renamed only when found by cen_id) and description that differ from the CEN's (None: not asked for)."""
        changes = {}
        if self.params["cen_id"] and self.params["name"] is not None and self.params["name"] != item.get("Name"):
            changes["Name"] = self.params["name"]
        if self.params["description"] is not None and self.params["description"] != item.get("Description"):
            changes["Description"] = self.params["description"]
        return changes

    def planned(self) -> dict:
        if self.params["cen_id"]:
            state = "is being deleted" if self.deleting else "not found"
            raise InputError("cen_id: CEN instance %s %s; leave cen_id out and give name to create one" % (self.params["cen_id"], state),
                             field="cen_id")
        if not self.params["name"]:
            raise InputError("name: give the name of the CEN instance to find or create (or cen_id of an existing one)", field="name")
        return {"CenId": None, "Name": self.params["name"], "Description": self.params["description"] or "", "Status": None,
                "ProtectionLevel": "REDUCED", "CreationTime": None}

    def create(self) -> dict:
        planned = self.planned()
        for cen in self.deleting:  # the old one of this name must be gone first, or the next lookup by name finds two
            self.wait(api.CEN_DELETED, cen_id=cen["CenId"])
        name, description = self.params["name"], self.params["description"]
        # Two runs creating this CEN at once end with one (resource.create_one): the same derived token, then a re-read by name.
        # The CENs of this name just deleted are part of the token: the cloud may still answer the token of the create that
        # made one of them with its id; every run that waited for the same ones still sends the same token.
        gone = tuple(sorted(cen["CenId"] for cen in self.deleting))
        cen = self.create_one("CreateCen %s" % name, lambda token: api.create_cen(self.module, name, description, token),
                              lambda: api.list_cens(self.module, name=name), ("CreateCen", name, description) + gone,
                              unchecked=None if self.params["wait"] else dict(planned, Status="Creating"))
        if cen.get("Status") == "Active" or not self.params["wait"]:
            return dict(planned, **cen)
        return self.wait(api.CEN_ACTIVE, cen_id=cen["CenId"]) or dict(planned, **cen)

    def update(self, item: dict, changes: dict) -> dict:
        cen_id = item["CenId"]
        self._active(item)
        self.write("ModifyCenAttribute %s" % cen_id, lambda: api.modify_cen(self.module, cen_id, changes.get("Name"), changes.get("Description")))
        return api.find_cen(self.module, cen_id=cen_id) or {}

    def ready(self, item: dict) -> dict:
        return self.wait(api.CEN_ACTIVE, cen_id=item["CenId"]) if item.get("Status") == "Creating" else item

    def going(self, item: dict) -> bool:
        return item.get("Status") == "Deleting"

    def delete(self, item: dict) -> bool:
        self._active(item)
        return self.write("DeleteCen %s" % item["CenId"], lambda: api.delete_cen(self.module, item["CenId"]))

    def wait_gone(self, item: dict) -> None:
        self.wait(api.CEN_DELETED, cen_id=item["CenId"])

    def _active(self, item: dict) -> None:
        """The cloud refuses a change while the previous one runs: wait for Active first."""
        if item.get("Status") != "Active":
            self.wait(api.CEN_ACTIVE, cen_id=item["CenId"])


# --- transit routers ----------------------------------------------------------------------------------------------


class TransitRouterManager(ResourceManager):
    """The CEN's transit router in the task's region (one per CEN and region); nothing of it changes in place."""

    result_key = "transit_router"
    id_key = "TransitRouterId"

    def __init__(self, module: t.Any):
        super().__init__(module)
        self.region = module.region
        self.route_tables: dict = {}  # transit router id -> its route tables, read once (a step owner passes them on)

    def read(self) -> dict | None:
        return api.find_transit_router(self.module, self.params["cen_id"], self.region)

    def view(self, item: dict | None) -> dict:
        if not item:
            return {}
        router_id = item.get("TransitRouterId")
        if router_id and router_id not in self.route_tables:
            self.route_tables[router_id] = api.list_route_tables(self.module, router_id)
        system = [table["TransitRouterRouteTableId"] for table in self.route_tables.get(router_id, [])
                  if table.get("TransitRouterRouteTableType") == "System"]
        return api.normalise_transit_router(item, system[0] if system else None)

    def planned(self) -> dict:
        return {"TransitRouterId": None, "TransitRouterName": self.params["name"] or "", "TransitRouterDescription": self.params["description"] or "",
                "CenId": self.params["cen_id"], "RegionId": self.region, "Status": None, "Type": "Enterprise", "CreationTime": None}

    def create(self) -> dict:
        cen_id, name, description = self.params["cen_id"], self.params["name"], self.params["description"]
        # Two runs creating it at once end with one (resource.create_one): the same derived token, a "one per region" refusal
        # taken as "the other run made it", then a re-read of the region's routers (the last read, when already Active).
        router = self.create_one("CreateTransitRouter in %s" % self.region,
                                 lambda token: api.create_transit_router(self.module, cen_id, self.region, name, description, token),
                                 lambda: api.transit_routers_in(self.module, cen_id, self.region),
                                 ("CreateTransitRouter", cen_id, self.region, name, description))
        if router.get("Status") == "Active" or not self.params["wait"]:
            return router
        return self.wait(api.TRANSIT_ROUTER_ACTIVE, transit_router_id=router["TransitRouterId"]) or router

    def ready(self, item: dict) -> dict:
        return self._active(item)

    def going(self, item: dict) -> bool:
        return item.get("Status") == "Deleting"

    def delete(self, item: dict) -> bool:
        self._active(item)
        router_id = item["TransitRouterId"]
        return self.write("DeleteTransitRouter %s" % router_id, lambda: api.delete_transit_router(self.module, router_id))

    def wait_gone(self, item: dict) -> None:
        self.wait(api.TRANSIT_ROUTER_DELETED, transit_router_id=item["TransitRouterId"])

    def _active(self, item: dict) -> dict:
        if item.get("Status") == "Active":
            return item
        return self.wait(api.TRANSIT_ROUTER_ACTIVE, transit_router_id=item["TransitRouterId"])


# --- peer (inter-region) attachments --------------------------------------------------------------------------------

BANDWIDTH_FIELDS = ("BandwidthType", "Bandwidth", "CenBandwidthPackageId")


class PeerAttachmentManager(ResourceManager):
    """The connection between the transit routers of the task's region and ``peer_region``, found from either side.

    Bandwidth, link type, name and description change in place.
    """

    result_key = "peer_attachment"
    id_key = "TransitRouterAttachmentId"

    def __init__(self, module: t.Any, routers: list | None = None):
        """``routers``: the CEN's transit routers when the caller has just read them (a step owner), else read here."""
        super().__init__(module)
        self.region = module.region
        self.routers = routers
        self.router: dict | None = None
        self.peer: dict | None = None

    def validate(self) -> None:
        params = self.params
        present = params["state"] == "present"
        if present and params["bandwidth"] is None:
            raise InputError("bandwidth is required with state=present: give the bandwidth of the connection in Mbit/s, a positive integer",
                             field="bandwidth")
        if present and params["bandwidth"] < 1:
            raise InputError("bandwidth: %s is not a positive integer number of Mbit/s" % params["bandwidth"], field="bandwidth")
        if params["bandwidth_type"] == "BandwidthPackage" and present and not params["cen_bandwidth_package_id"]:
            raise InputError("cen_bandwidth_package_id: required with bandwidth_type BandwidthPackage", field="cen_bandwidth_package_id")
        if params["bandwidth_type"] == "DataTransfer" and params["cen_bandwidth_package_id"]:
            raise InputError("cen_bandwidth_package_id: %s is only for bandwidth_type BandwidthPackage" % params["cen_bandwidth_package_id"],
                             field="cen_bandwidth_package_id")
        if params["peer_region"] == self.region:
            raise InputError("peer_region: %s is the region of the local transit router; an inter-region connection needs two regions"
                             % params["peer_region"], field="peer_region")

    def read(self) -> dict | None:
        routers = self.routers if self.routers is not None else api.list_transit_routers(self.module, self.params["cen_id"])
        self.router = self._router(routers, self.params["transit_router_id"], self.region, "transit_router_id")
        self.peer = self._router(routers, self.params["peer_transit_router_id"], self.params["peer_region"], "peer_transit_router_id")
        if self.router is None or self.peer is None:
            return None
        return api.find_peer_attachment(self.module, self.params["cen_id"], self.router["TransitRouterId"], self.peer["TransitRouterId"])

    def _router(self, routers: list, router_id: str | None, region: str, option: str) -> dict | None:
        """The transit router given by id (which must be the CEN's), else the CEN's one in ``region``."""
        for router in routers:
            if (router_id and router["TransitRouterId"] == router_id) or (not router_id and router.get("RegionId") == region):
                return router
        if router_id:
            raise InputError("%s: %s is not a transit router of CEN %s" % (option, router_id, self.params["cen_id"]), field=option)
        return None

    def view(self, item: dict | None) -> dict:
        return api.normalise_peer_attachment(item)

    def _settings(self) -> dict:
        settings = {"BandwidthType": self.params["bandwidth_type"], "Bandwidth": self.params["bandwidth"]}
        if self.params["bandwidth_type"] == "BandwidthPackage":
            settings["CenBandwidthPackageId"] = self.params["cen_bandwidth_package_id"]
        return settings

    def changes(self, item: dict) -> dict:
        wanted = dict(self._settings(), DefaultLinkType=self.params["link_type"], TransitRouterAttachmentName=self.params["name"],
                      TransitRouterAttachmentDescription=self.params["description"])
        changes = {key: value for key, value in wanted.items() if value is not None and value != item.get(key)}
        if changes.keys() & set(BANDWIDTH_FIELDS):
            changes.update(self._settings())  # the API takes the bandwidth settings together
        return changes

    def planned(self) -> dict:
        return dict(self._settings(), TransitRouterAttachmentId=None, TransitRouterId=(self.router or {}).get("TransitRouterId"),
                    PeerTransitRouterId=(self.peer or {}).get("TransitRouterId"), CenId=self.params["cen_id"], RegionId=self.region,
                    PeerTransitRouterRegionId=self.params["peer_region"], Status=None,
                    DefaultLinkType=self.params["link_type"] or api.DEFAULT_LINK_TYPE,
                    TransitRouterAttachmentName=self.params["name"] or "", TransitRouterAttachmentDescription=self.params["description"] or "")

    def create(self) -> dict:
        if self.router is None or self.peer is None:
            missing = self.region if self.router is None else self.params["peer_region"]
            raise InputError("cen_id: CEN %s has no transit router in region %s; create it first (alicloud.acr_access.cen_transit_router)"
                             % (self.params["cen_id"], missing), field="cen_id")
        settings = dict(self._settings(), DefaultLinkType=self.params["link_type"] or api.DEFAULT_LINK_TYPE)
        name, description = self.params["name"], self.params["description"]
        router_id, peer_id = self.router["TransitRouterId"], self.peer["TransitRouterId"]
        # Two runs connecting the same routers at once end with one connection (resource.create_one).
        item = self.create_one("CreateTransitRouterPeerAttachment %s-%s" % (self.region, self.params["peer_region"]),
                               lambda token: api.create_peer_attachment(self.module, self.router, self.peer, settings, name, description, token),
                               lambda: api.peer_attachments_between(self.module, self.params["cen_id"], router_id, peer_id),
                               ("CreateTransitRouterPeerAttachment", router_id, peer_id, sorted(settings.items()), name, description))
        if item.get("Status") == "Attached" or not self.params["wait"]:
            return item
        return self._after_write(item["TransitRouterAttachmentId"], api.PEER_ATTACHMENT_ATTACHED) or item

    def update(self, item: dict, changes: dict) -> dict:
        attachment_id = item["TransitRouterAttachmentId"]
        self._attached(item)  # the cloud refuses a change while the previous one runs
        self.write("UpdateTransitRouterPeerAttachmentAttribute %s" % attachment_id,
                   lambda: api.update_peer_attachment(self.module, attachment_id, changes))
        return self._after_write(attachment_id, api.PEER_ATTACHMENT_MODIFIED) or {}

    def _after_write(self, attachment_id: str, waiter: WaiterSpec) -> dict | None:
        """The attachment once Attached (wait: true; ``waiter`` paced for the change made), else as listed now."""
        if self.params["wait"]:
            return self.wait(waiter, cen_id=self.params["cen_id"], attachment_id=attachment_id)
        found = [a for a in api.list_peer_attachments(self.module, self.params["cen_id"]) if a["TransitRouterAttachmentId"] == attachment_id]
        return found[0] if found else None

    def ready(self, item: dict) -> dict:
        return self._attached(item)

    def going(self, item: dict) -> bool:
        return item.get("Status") == "Detaching"

    def delete(self, item: dict) -> bool:
        attachment_id = item["TransitRouterAttachmentId"]
        self._attached(item)
        return self.write("DeleteTransitRouterPeerAttachment %s" % attachment_id, lambda: api.delete_peer_attachment(self.module, attachment_id))

    def wait_gone(self, item: dict) -> None:
        self.wait(api.PEER_ATTACHMENT_DELETED, cen_id=self.params["cen_id"], attachment_id=item["TransitRouterAttachmentId"])

    def _attached(self, item: dict) -> dict:
        if item.get("Status") == "Attached":
            return item
        waiter = api.PEER_ATTACHMENT_MODIFIED if item.get("Status") == "Modifying" else api.PEER_ATTACHMENT_ATTACHED
        return self.wait(waiter, cen_id=self.params["cen_id"], attachment_id=item["TransitRouterAttachmentId"])


# --- VPC attachments, with their association and propagation ---------------------------------------------------------

PENDING = "pending"  # association / propagation left for a run with wait: true
KINDS = ("association", "propagation")
LIVE = ("Active", "Associating", "Enabling")  # a link that exists or is being made
ASKED = {"association": "Associating", "propagation": "Enabling"}  # the status right after the request
LINK_WRITES = {"association": "AssociateTransitRouterAttachmentWithRouteTable %s %s",
               "propagation": "EnableTransitRouterRouteTablePropagation %s %s"}
UNLINK_WRITES = {"association": "DissociateTransitRouterAttachmentFromRouteTable %s %s",
                 "propagation": "DisableTransitRouterRouteTablePropagation %s %s"}


def _mappings(zones: dict) -> list:
    return [{"ZoneId": zone, "VSwitchId": vswitch} for zone, vswitch in sorted(zones.items())]


def linked_attachment_argument_spec(wait_timeout_default: int, **own: dict) -> dict:
    """The argument spec of an attachment module whose manager is a LinkedAttachmentManager (doc fragment
    alicloud.acr_access.transit_router_attachment): the shared options, then ``own`` (the attached instance, ...)."""
    return dict(
        cen_id=dict(type="str", required=True),
        transit_router_id=dict(type="str"),
        name=dict(type="str"),
        description=dict(type="str"),
        associate=dict(type="bool", default=True),
        propagate=dict(type="bool", default=True),
        route_table_id=dict(type="str"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        **own,
        **wait_argument_spec(wait_timeout_default),
    )


class LinkedAttachmentManager(ResourceManager):
    """An attachment to the transit router of the task's region, and its links to one transit router route table
    (``route_table_id``, else the system one): the association (one table per attachment: moved) and the propagation.

    The attachment goes through the base flow (``converge``); the links follow, once it is Attached. Route tables
    and links are read once and passed down; absent removes the links first (the cloud refuses the delete before).
    A subclass says which attachment: ``find``, ``view_of``, ``planned``, ``create``, ``changes`` / ``update``,
    ``send_delete`` and its waiters (``attached_waiter``, ``deleted_waiter``).
    """

    result_key = "attachment"
    id_key = "TransitRouterAttachmentId"

    def __init__(self, module: t.Any, router: dict | None = None, route_tables: list | None = None):
        """``router`` (its ``route_tables``): what the caller has just read (a step owner), else read here."""
        super().__init__(module)
        self.region = module.region
        self.known_router = router
        self.router: dict | None = None
        self.tables: list | None = route_tables  # the transit router's route tables, read once
        self.table_id: str | None = None     # the table to link with
        self.links: dict = {kind: {} for kind in KINDS}      # {kind: {route table id: status}} as read
        self.status: dict = {kind: None for kind in KINDS}   # {kind: status with table_id}: what the view shows

    # --- what a subclass says -----------------------------------------------------------------------------------------

    def validate_present(self) -> None:
        """The attachment's own checks for state=present (reads only), once the transit router is known."""

    def find(self, router_id: str) -> dict | None:
        raise NotImplementedError

    def view_of(self, item: dict) -> dict:
        raise NotImplementedError

    def send_delete(self, attachment_id: str) -> bool:
        raise NotImplementedError

    def attached_waiter(self, item: dict) -> WaiterSpec:
        """The waiter for the attachment's status now (Attaching, Modifying...) to end in Attached."""
        raise NotImplementedError

    def deleted_waiter(self) -> WaiterSpec:
        raise NotImplementedError

    # --- reading and checking ----------------------------------------------------------------------------------------

    def validate(self) -> None:
        """Reads only: the transit router, and for present the subclass's checks (``validate_present``) and the route table,
        before any write."""
        self.router = self.known_router or self._find_router()
        if self.params["state"] != "present":
            return
        self.validate_present()
        if self.router is None and not self.check_mode:
            raise InputError("cen_id: CEN %s has no transit router in region %s; create it first (alicloud.acr_access.cen_transit_router)"
                             % (self.params["cen_id"], self.region), field="cen_id")
        self._read_route_tables()

    def _find_router(self) -> dict | None:
        router_id = self.params["transit_router_id"]
        if router_id:
            found = [r for r in api.list_transit_routers(self.module, self.params["cen_id"]) if r["TransitRouterId"] == router_id]
            if not found:
                raise InputError("transit_router_id: %s is not a transit router of CEN %s" % (router_id, self.params["cen_id"]),
                                 field="transit_router_id")
            return found[0]
        return api.find_transit_router(self.module, self.params["cen_id"], self.region)

    def _read_route_tables(self) -> None:
        """The router's route tables (none without a router, in check mode), and route_table_id checked against them, else
        the system route table."""
        if self.tables is None:
            self.tables = api.list_route_tables(self.module, self.router["TransitRouterId"]) if self.router else []
        ids = [table["TransitRouterRouteTableId"] for table in self.tables]
        wanted = self.params["route_table_id"]
        if wanted:
            if self.router and wanted not in ids:
                raise InputError("route_table_id: %s is not a route table of transit router %s (its route tables: %s); "
                                 "give one of those, or leave route_table_id out for the system route table"
                                 % (wanted, self.router["TransitRouterId"], ", ".join(ids) or "none"), field="route_table_id")
            self.table_id = wanted
            return
        system = [table["TransitRouterRouteTableId"] for table in self.tables if table.get("TransitRouterRouteTableType") == "System"]
        self.table_id = system[0] if system else None

    def read(self) -> dict | None:
        """The attachment to the router, with its links over all the router's tables (read once)."""
        if self.router is None:
            return None
        found = self.find(self.router["TransitRouterId"])
        if found is not None:
            if self.tables is None:
                self._read_route_tables()
            self._read_links(found["TransitRouterAttachmentId"])
        return found

    def _read_links(self, attachment_id: str) -> None:
        table_ids = [table["TransitRouterRouteTableId"] for table in self.tables or []]
        self._set_links({kind: api.links_of(self.module, kind, attachment_id, table_ids) for kind in KINDS})

    def _set_links(self, links: dict) -> None:
        self.links = links
        self.status = {kind: links[kind].get(self.table_id) for kind in KINDS}

    def view(self, item: dict | None) -> dict:
        if not item:
            return {}
        return dict(self.view_of(item), route_table_id=self.table_id, association_status=self.status["association"],
                    propagation_status=self.status["propagation"])

    # --- the attachment ------------------------------------------------------------------------------------------------

    def settle(self, item: dict) -> dict | None:
        """An attachment being detached is waited away (not in check mode) and made again."""
        if item.get("Status") != "Detaching":
            return item
        if not self.check_mode:
            self.wait(self.deleted_waiter(), attachment_id=item["TransitRouterAttachmentId"])
        self._set_links({kind: {} for kind in KINDS})
        return None

    def _attributes(self, item: dict) -> dict:
        wanted = {"TransitRouterAttachmentName": self.params["name"], "TransitRouterAttachmentDescription": self.params["description"],
                  "AutoPublishRouteEnabled": self.params["auto_publish_route"]}
        return {key: value for key, value in wanted.items() if value is not None and value != item.get(key)}

    def _settled(self, attachment_id: str, waiter: WaiterSpec) -> dict | None:
        """The attachment, waited for when asked to (``waiter`` paced for the change made); None with wait: false (no read,
        so that a play can ask for the next one at once)."""
        if self.params["wait"]:
            return self.wait(waiter, attachment_id=attachment_id)
        return None

    def created(self, item: dict, waiter: WaiterSpec) -> dict:
        """After ``create_one``: the attachment (waited for as ``_settled`` does), and the links of one another run made."""
        attachment_id = item["TransitRouterAttachmentId"]
        if self.adopted:  # the other run may be linking it already
            self._read_links(attachment_id)
        if item.get("Status") == "Attached":
            return item
        return self._settled(attachment_id, waiter) or item

    def discard(self, item: dict) -> None:
        """A twin this run has just made has no links of its own: the keeper's (or none) must not be removed from it."""
        kept = self.links
        self._set_links({kind: {} for kind in KINDS})
        self.delete(item)
        self._set_links(kept)

    def ready(self, item: dict) -> dict:
        return self._attached(item)

    def _attached(self, item: dict) -> dict:
        if item.get("Status") == "Attached":
            return item
        return self.wait(self.attached_waiter(item), attachment_id=item["TransitRouterAttachmentId"])

    # --- present: the attachment, then its links ----------------------------------------------------------------------

    def ensure_present(self) -> dict:
        before, attachment = self.converge()
        wanted = {"association": self.params["associate"], "propagation": self.params["propagate"]}
        # Both links are asked for before either is waited for: the cloud makes them at the same time.
        asked = {kind: self._ensure_link(kind, wanted[kind], attachment) for kind in KINDS}
        self.status = {kind: self._link_settled(kind, wanted[kind], asked[kind], attachment) for kind in KINDS}
        return self.result(before, self.view(attachment))

    def _will_be_attached(self, attachment: dict) -> bool:
        # In check mode a run with wait: true would have waited for the attachment before linking it.
        return attachment.get("Status") == "Attached" or (self.check_mode and self.params["wait"])

    def _ensure_link(self, kind: str, wanted: bool, attachment: dict) -> str | None:
        """The link's status right after asking for it (not waited for: ``_link_settled``); ``self.links[kind]`` is
        {route table id: status} as read before any change."""
        attachment_id = attachment.get("TransitRouterAttachmentId")
        table_id = self.table_id
        current = self.links[kind]
        status = current.get(table_id)
        if not wanted or table_id is None:
            return status
        if status in LIVE:
            return status
        if not self._will_be_attached(attachment):
            # Nothing is sent: the cloud links only an attached attachment. Say so instead of reporting a change.
            state = attachment.get("Status") or "being created"
            self.module.warn("The %s of attachment %s with route table %s is not requested yet: the attachment is %s. "
                             "Run the task again with wait: true to finish it." % (kind, attachment_id or "(new)", table_id, state))
            return PENDING
        self.changed = True
        if self.check_mode:
            return "Active" if self.params["wait"] else ASKED[kind]
        if kind == "association":  # one associated table per transit router: move it
            for other in [table for table in current if table != table_id]:
                self._unlink(kind, attachment_id, other)
        self.write(LINK_WRITES[kind] % (attachment_id, table_id), lambda: api.create_link(self.module, kind, attachment_id, table_id))
        return ASKED[kind]

    def _link_settled(self, kind: str, wanted: bool, status: str | None, attachment: dict) -> str | None:
        """The link's status once Active, waited for with wait: true (not in check mode, nor a link not asked for)."""
        waits = self.params["wait"] and not self.check_mode
        if not (waits and wanted and self.table_id) or status != ASKED[kind]:  # being made, not Active yet
            return status
        return self.wait(api.LINK_ACTIVE[kind], attachment_id=attachment["TransitRouterAttachmentId"], route_table_id=self.table_id)["Status"]

    def _unlink(self, kind: str, attachment_id: str, table_id: str) -> None:
        self.write(UNLINK_WRITES[kind] % (attachment_id, table_id), lambda: api.remove_link(self.module, kind, attachment_id, table_id))
        # The attachment cannot be deleted (nor re-associated) while the link is still going away.
        self.wait(api.LINK_DELETED[kind], attachment_id=attachment_id, route_table_id=table_id)

    # --- absent: the links, then the attachment -------------------------------------------------------------------------

    def going(self, item: dict) -> bool:
        return item.get("Status") == "Detaching"

    def delete(self, item: dict) -> bool:
        attachment_id = item["TransitRouterAttachmentId"]
        if item.get("Status") != "Attached":
            self._attached(item)
            self._read_links(attachment_id)  # links may have moved while it settled
        for kind in ("propagation", "association"):
            for table_id in self.links[kind]:
                self._unlink(kind, attachment_id, table_id)
        return self.send_delete(attachment_id)

    def wait_gone(self, item: dict) -> None:
        self.wait(self.deleted_waiter(), attachment_id=item["TransitRouterAttachmentId"])


class VpcAttachmentManager(LinkedAttachmentManager):
    """A VPC attachment (one vSwitch per zone; zones change in place) with its association and propagation."""

    def __init__(self, module: t.Any, router: dict | None = None, route_tables: list | None = None, zones: dict | None = None):
        """``router`` (its ``route_tables``) and ``zones`` (zone -> vSwitch of the members' check): what the caller has just
        read (a step owner), else read here."""
        super().__init__(module, router, route_tables)
        self.known_zones = zones
        self.zones: dict = {}

    def validate_present(self) -> None:
        """The VPC and its vSwitches (reads only). vswitch_ids is required with state=present by the argument spec; an empty
        list is refused by ``resolve_zones``."""
        self.zones = self.known_zones or api.resolve_zones(self.module, self.region, self.params["vpc_id"], self.params["vswitch_ids"] or [],
                                                           self.params["allow_single_zone"])[1]

    def find(self, router_id: str) -> dict | None:
        return api.find_vpc_attachment(self.module, router_id, self.params["vpc_id"])

    def view_of(self, item: dict) -> dict:
        return api.normalise_vpc_attachment(item)

    def changes(self, item: dict) -> dict:
        add, remove = api.zone_changes(api.zones_of(item), self.zones)
        attributes = self._attributes(item)
        return {"add": add, "remove": remove, "attributes": attributes} if add or remove or attributes else {}

    def predict_update(self, item: dict, changes: dict) -> dict:
        return dict(item, ZoneMappings=_mappings(self.zones), **changes["attributes"])

    def planned(self) -> dict:
        return {"TransitRouterAttachmentId": None, "TransitRouterId": (self.router or {}).get("TransitRouterId"), "CenId": self.params["cen_id"],
                "RegionId": self.region, "VpcId": self.params["vpc_id"], "Status": None, "ZoneMappings": _mappings(self.zones),
                "TransitRouterAttachmentName": self.params["name"] or "", "TransitRouterAttachmentDescription": self.params["description"] or "",
                "AutoPublishRouteEnabled": bool(self.params["auto_publish_route"])}

    def create(self) -> dict:
        vpc_id, name, description = self.params["vpc_id"], self.params["name"], self.params["description"]
        auto_publish = bool(self.params["auto_publish_route"])
        router_id = self.router["TransitRouterId"]
        # Two runs attaching the VPC at once end with one attachment (resource.create_one).
        item = self.create_one("CreateTransitRouterVpcAttachment %s" % vpc_id, lambda token: api.create_vpc_attachment(
            self.module, self.router, vpc_id, self.zones, name, description, auto_publish, token),
            lambda: api.vpc_attachments_of(self.module, router_id, vpc_id),
            ("CreateTransitRouterVpcAttachment", router_id, vpc_id, sorted(self.zones.items()), name, description, auto_publish),
            unchecked=None if self.params["wait"] else dict(self.planned(), Status="Attaching"))
        return self.created(item, api.VPC_ATTACHMENT_ATTACHED)

    def update(self, item: dict, changes: dict) -> dict:
        attachment_id = item["TransitRouterAttachmentId"]
        add, remove, attributes = changes["add"], changes["remove"], changes["attributes"]
        self._attached(item)  # the cloud refuses changes while the previous one runs
        if add or remove:
            self.write("UpdateTransitRouterVpcAttachmentZones", lambda: api.update_vpc_attachment_zones(self.module, attachment_id, add, remove))
        if attributes:
            if add or remove:
                self.wait(api.VPC_ATTACHMENT_MODIFIED, attachment_id=attachment_id)
            self.write("UpdateTransitRouterVpcAttachmentAttribute",
                       lambda: api.update_vpc_attachment_attribute(self.module, attachment_id, attributes))
        updated = self._settled(attachment_id, api.VPC_ATTACHMENT_MODIFIED)
        return updated or dict(item, ZoneMappings=_mappings(self.zones), Status="Modifying" if add or remove else item.get("Status"), **attributes)

    def attached_waiter(self, item: dict) -> WaiterSpec:
        return api.VPC_ATTACHMENT_MODIFIED if item.get("Status") == "Modifying" else api.VPC_ATTACHMENT_ATTACHED

    def deleted_waiter(self) -> WaiterSpec:
        return api.VPC_ATTACHMENT_DELETED

    def send_delete(self, attachment_id: str) -> bool:
        return self.write("DeleteTransitRouterVpcAttachment %s" % attachment_id, lambda: api.delete_vpc_attachment(self.module, attachment_id))


# --- the data center's links: VPN (IPsec connection) and VBR attachments, with their association and propagation ---------

class DataCenterAttachmentManager(LinkedAttachmentManager):
    """The attachment of an IPsec connection (``kind`` "vpn", option ``vpn_id``) or an Express Connect VBR ("vbr",
    ``vbr_id``) to the transit router of the task's region, with its association and propagation: the propagation is
    what makes the transit router learn the data center's networks from it.

    Name, description and route publishing change in place; the IPsec connection's zones are fixed at its creation.
    """

    kind = ""
    instance_option = ""

    def __init__(self, module: t.Any, router: dict | None = None, route_tables: list | None = None):
        super().__init__(module, router, route_tables)
        self.links_of_kind = api.DATA_CENTER_LINKS[self.kind]

    def failure_values(self) -> dict:
        return {"what": self.links_of_kind["what"]}

    def validate(self) -> None:
        """Before any call: the id's spelling (and the zones of a VPN attachment); then the reads of the base."""
        instance_id = self.params[self.instance_option]
        prefix = self.links_of_kind["prefix"]
        if not instance_id.startswith(prefix) or instance_id == prefix:
            raise InputError("%s: %r does not look like the ID of the %s to attach (those start with %s); give the ID the console "
                             "shows for it" % (self.instance_option, instance_id, self.links_of_kind["what"], prefix), field=self.instance_option)
        self.validate_zones()
        super().validate()

    def validate_zones(self) -> None:
        """Only an IPsec connection takes zones."""

    def wanted_zones(self) -> list | None:
        return None

    def find(self, router_id: str) -> dict | None:
        return api.find_data_center_attachment(self.module, self.kind, router_id, self.params[self.instance_option])

    def view_of(self, item: dict) -> dict:
        return api.normalise_data_center_attachment(self.kind, item)

    def changes(self, item: dict) -> dict:
        return self._attributes(item)

    def default_auto_publish(self) -> bool:
        raise NotImplementedError

    def planned(self) -> dict:
        auto_publish = self.params["auto_publish_route"]
        planned = {"TransitRouterAttachmentId": None, "TransitRouterId": (self.router or {}).get("TransitRouterId"), "CenId": self.params["cen_id"],
                   self.links_of_kind["instance"]: self.params[self.instance_option], self.links_of_kind["region"]: self.region, "Status": None,
                   "TransitRouterAttachmentName": self.params["name"] or "", "TransitRouterAttachmentDescription": self.params["description"] or "",
                   "AutoPublishRouteEnabled": self.default_auto_publish() if auto_publish is None else auto_publish}
        if self.wanted_zones() is not None:
            planned["Zones"] = [{"ZoneId": zone} for zone in self.wanted_zones()]
        return planned

    def create(self) -> dict:
        settings = {"TransitRouterAttachmentName": self.params["name"], "TransitRouterAttachmentDescription": self.params["description"],
                    "AutoPublishRouteEnabled": self.params["auto_publish_route"]}  # None: the cloud's default
        if self.wanted_zones():
            settings["Zone"] = [{"ZoneId": zone} for zone in self.wanted_zones()]
        action = self.links_of_kind["create"]
        instance_id, router_id = self.params[self.instance_option], self.router["TransitRouterId"]
        # Two runs attaching it at once end with one attachment (resource.create_one).
        item = self.create_one("%s %s" % (action, instance_id), lambda token: api.create_data_center_attachment(
            self.module, self.kind, self.router, instance_id, settings, token),
            lambda: api.data_center_attachments_of(self.module, self.kind, router_id, instance_id),
            (action, router_id, instance_id, sorted((key, str(value)) for key, value in settings.items())),
            unchecked=None if self.params["wait"] else dict(self.planned(), Status="Attaching"))
        return self.created(item, api.DATA_CENTER_ATTACHMENT_ATTACHED[self.kind])

    def update(self, item: dict, changes: dict) -> dict:
        attachment_id = item["TransitRouterAttachmentId"]
        self._attached(item)  # the cloud refuses changes while the previous one runs
        self.write("%s %s" % (self.links_of_kind["update"], attachment_id),
                   lambda: api.update_data_center_attachment(self.module, self.kind, attachment_id, changes))
        return self._settled(attachment_id, api.DATA_CENTER_ATTACHMENT_ATTACHED[self.kind]) or dict(item, **changes)

    def attached_waiter(self, item: dict) -> WaiterSpec:
        return api.DATA_CENTER_ATTACHMENT_ATTACHED[self.kind]

    def deleted_waiter(self) -> WaiterSpec:
        return api.DATA_CENTER_ATTACHMENT_DELETED[self.kind]

    def send_delete(self, attachment_id: str) -> bool:
        return self.write("%s %s" % (self.links_of_kind["delete"], attachment_id),
                          lambda: api.delete_data_center_attachment(self.module, self.kind, attachment_id))


class VpnAttachmentManager(DataCenterAttachmentManager):
    """An IPsec connection bound to a transit router (attach type CEN) attached to it: cen_transit_router_vpn_attachment."""

    kind = "vpn"
    instance_option = "vpn_id"

    def default_auto_publish(self) -> bool:
        return True  # the API reference's default for CreateTransitRouterVpnAttachment

    def wanted_zones(self) -> list | None:
        zones = self.params["zone_ids"]
        return None if zones is None else sorted(set(zones))

    def validate_zones(self) -> None:
        for zone in self.params["zone_ids"] or []:
            if not zone.startswith(self.region + "-"):
                raise InputError("zone_ids: %s is not a zone of region %s (its zones are named %s-<letter>)" % (zone, self.region, self.region),
                                 field="zone_ids")

    def changes(self, item: dict) -> dict:
        wanted = self.wanted_zones()
        found = sorted(zone.get("ZoneId") for zone in item.get("Zones") or [])
        if wanted is not None and wanted != found:
            details = (item["TransitRouterAttachmentId"], self.params["vpn_id"], ", ".join(found), ", ".join(wanted))
            raise InputError("zone_ids: attachment %s of %s is in zones [%s], not [%s], and its zones cannot change; leave zone_ids out, "
                             "or detach it (state: absent) and attach it again" % details, field="zone_ids")
        return super().changes(item)


class VbrAttachmentManager(DataCenterAttachmentManager):
    """An Express Connect virtual border router attached to the transit router: cen_transit_router_vbr_attachment."""

    kind = "vbr"
    instance_option = "vbr_id"

    def default_auto_publish(self) -> bool:
        return False  # the API reference's default for CreateTransitRouterVbrAttachment
