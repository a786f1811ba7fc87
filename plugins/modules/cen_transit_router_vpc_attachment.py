#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cen_transit_router_vpc_attachment
short_description: Attach a VPC to the transit router of its region, associate it and enable route propagation
version_added: 0.1.0
description:
  - Attaches O(vpc_id) to the transit router of O(cen_id) in O(region) with one vSwitch per zone. Only the vSwitch IDs are
    given (O(vswitch_ids)); the zone of each is looked up.
  - Checks before any change that the VPC and every vSwitch exist in O(region), that each vSwitch belongs to O(vpc_id),
    that no two vSwitches share a zone, and that the vSwitches span at least two zones (unless O(allow_single_zone=true)).
  - Adding, removing or replacing a zone of an existing attachment updates it (C(UpdateTransitRouterVpcAttachmentZones)) instead of re-creating it.
  - Then associates the attachment with a route table of the transit router and enables route propagation to it
    (the system route table unless O(route_table_id) names a custom one). An attachment is associated with one route table
    per transit router, so an association with another table is moved.
  - O(state=absent) disables the propagations, removes the associations, then deletes the attachment, waiting after each step.
    The cloud refuses while a VPC route entry still points at the attachment; remove those first.
  - With O(wait=false) the module returns right after asking for the attachment, so that a play can attach several VPCs
    at once and then wait for all of them with a second task (O(wait=true), which only reads until the attachment is
    C(Attached)); association and propagation need an attached attachment and are done by that second run
    (until then they are reported as V(pending) with a warning, and a run that sends nothing reports no change).
  - O(route_table_id) is checked against the transit router's route tables before any change.
author:
  - alicloud.acr_access contributors (@alicloud-acr-access)
options:
  cen_id:
    description:
      - The ID of the CEN instance.
    type: str
    required: true
  transit_router_id:
    description:
      - The ID of the transit router. By default the transit router of O(cen_id) in O(region).
    type: str
  vpc_id:
    description:
      - The ID of the VPC to attach; it must be in O(region).
    type: str
    required: true
  vswitch_ids:
    description:
      - The vSwitches of O(vpc_id) the transit router uses, one per zone, in at least two zones.
      - Required with O(state=present).
    type: list
    elements: str
  allow_single_zone:
    description:
      - Accept vSwitches in one zone only (no zone redundancy).
    type: bool
    default: false
  name:
    description:
      - The name of the attachment. Updated on an existing attachment when given.
    type: str
  description:
    description:
      - The description of the attachment. Updated on an existing attachment when given.
    type: str
  auto_publish_route:
    description:
      - Let the transit router publish the routes it learns into the VPC's system route table (C(AutoPublishRouteEnabled)).
      - Left alone on an existing attachment when not given; V(false) for a new one.
    type: bool
  associate:
    description:
      - Associate the attachment with the route table (O(route_table_id) or the system route table). V(false) leaves associations alone.
    type: bool
    default: true
  propagate:
    description:
      - Enable route propagation from the attachment to the route table. V(false) leaves propagations alone.
    type: bool
    default: true
  route_table_id:
    description:
      - A route table of the transit router (C(vtb-...)) to associate with and propagate to. By default its system route table.
    type: str
  state:
    description:
      - V(present) attaches (or updates) the VPC, V(absent) detaches it.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description:
      - Wait for the attachment to be C(Attached) (and the association and propagation C(Active)), or to be gone.
  wait_timeout:
    description:
      - How many seconds the whole task may take, every step included (one budget, not one per step).
        Attaching takes minutes in the cloud. No change is started once the time is spent.
    default: 1800
extends_documentation_fragment:
  - alicloud.acr_access.alicloud
  - alicloud.acr_access.attributes
  - alicloud.acr_access.attributes.ACTIONGROUP_ALICLOUD
  - alicloud.acr_access.wait
attributes:
  check_mode:
    support: full
    details:
      - Reads only (the input checks included), and predicts the changes.
  diff_mode:
    support: full
  idempotent:
    support: full
requirements:
  - alibabacloud-cbn20170912
  - alibabacloud-vpc20160428
seealso:
  - module: alicloud.acr_access.cen_transit_router
  - module: alicloud.acr_access.cen_transit_router_peer_attachment
  - name: CreateTransitRouterVpcAttachment API reference
    description: The CBN API operation behind this module.
    link: https://www.alibabacloud.com/help/en/cen/developer-reference/api-cbn-2017-09-12-createtransitroutervpcattachment
"""

EXAMPLES = r"""
- name: Ask for both attachments at once
  alicloud.acr_access.cen_transit_router_vpc_attachment:
    cen_id: "{{ cen_id }}"
    region: "{{ item.region }}"
    vpc_id: "{{ item.vpc_id }}"
    vswitch_ids: "{{ item.vswitch_ids }}"
    wait: false
  loop:
    - {region: cn-hangzhou, vpc_id: vpc-bp1example00000000001, vswitch_ids: [vsw-bp1example000000000j1, vsw-bp1example000000000k1]}
    - {region: cn-shanghai, vpc_id: vpc-uf6example00000000001, vswitch_ids: [vsw-uf6example000000000m1, vsw-uf6example000000000n1]}

- name: Then wait for them, associate and propagate (the same task with wait true)
  alicloud.acr_access.cen_transit_router_vpc_attachment:
    cen_id: "{{ cen_id }}"
    region: cn-hangzhou
    vpc_id: vpc-bp1example00000000001
    vswitch_ids: [vsw-bp1example000000000j1, vsw-bp1example000000000k1]
  register: attachment

- name: Detach (propagation and association are removed first)
  alicloud.acr_access.cen_transit_router_vpc_attachment:
    cen_id: "{{ cen_id }}"
    region: cn-hangzhou
    vpc_id: vpc-bp1example00000000001
    state: absent
"""

RETURN = r"""
attachment:
  description: The VPC attachment; empty after O(state=absent). In check mode, the ID is null for an attachment that would be created.
  returned: always
  type: dict
  contains:
    transit_router_attachment_id:
      description: The ID of the attachment, the next hop of VPC routes of type C(Attachment).
      returned: when present
      type: str
      sample: tr-attach-example0000000000a
    transit_router_id:
      description: The transit router.
      returned: when present
      type: str
      sample: tr-bp1example00000000001
    cen_id:
      description: The CEN.
      returned: when present
      type: str
      sample: cen-example00000000001
    region_id:
      description: The region.
      returned: when present
      type: str
      sample: cn-hangzhou
    vpc_id:
      description: The attached VPC.
      returned: when present
      type: str
      sample: vpc-bp1example00000000001
    status:
      description: V(Attaching), V(Attached), V(Modifying) or V(Detaching).
      returned: when present
      type: str
      sample: Attached
    transit_router_attachment_name:
      description: The name.
      returned: when present
      type: str
      sample: ""
    transit_router_attachment_description:
      description: The description.
      returned: when present
      type: str
      sample: ""
    auto_publish_route_enabled:
      description: Whether the transit router publishes its routes into the VPC.
      returned: when present
      type: bool
      sample: false
    creation_time:
      description: When the attachment was created.
      returned: when present
      type: str
      sample: "2024-01-01T00:00:00Z"
    zone_mappings:
      description: One vSwitch per zone.
      returned: when present
      type: list
      elements: dict
      contains:
        zone_id:
          description: The zone.
          returned: always
          type: str
          sample: cn-hangzhou-j
        vswitch_id:
          description: The vSwitch in that zone.
          returned: always
          type: str
          sample: vsw-bp1example000000000j1
    route_table_id:
      description: The transit router route table the module associates with and propagates to.
      returned: when present
      type: str
      sample: vtb-bp1example00000000002
    association_status:
      description: Status of the association with RV(attachment.route_table_id) (V(Associating), V(Active)...), V(pending) when
        O(wait=false) left it for a later run, null when there is none.
      returned: when present
      type: str
      sample: Active
    propagation_status:
      description: Status of the route propagation to RV(attachment.route_table_id) (V(Enabling), V(Active)...), V(pending) or null, as above.
      returned: when present
      type: str
      sample: Active
"""

from ansible_collections.alicloud.acr_access.plugins.module_utils import cen as api
from ansible_collections.alicloud.acr_access.plugins.module_utils.client import AnsibleAlicloudModule
from ansible_collections.alicloud.acr_access.plugins.module_utils.errors import AlicloudError
from ansible_collections.alicloud.acr_access.plugins.module_utils.waiter import Deadline, wait_for

PENDING = "pending"  # association / propagation left for a run with wait: true
KINDS = ("association", "propagation")
LIVE = ("Active", "Associating", "Enabling")  # a link that exists or is being made
ASKED = {"association": "Associating", "propagation": "Enabling"}  # the status right after the request


class AttachmentManager:
    """Collects what must change on one VPC attachment, then applies it (or only predicts it in check mode).

    Every read is done once and passed down; every wait and write draws on one ``Deadline`` (wait_timeout).
    """

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.deadline = Deadline(module.params["wait_timeout"])
        self.changed = False
        self.router = None

    # --- reading ------------------------------------------------------------------------------
    def find_router(self) -> dict | None:
        if self.params["transit_router_id"]:
            found = [r for r in api.list_transit_routers(self.module, self.params["cen_id"])
                     if r["TransitRouterId"] == self.params["transit_router_id"]]
            if not found:
                raise api.CenInputError("transit_router_id: %s is not a transit router of CEN %s" % (self.params["transit_router_id"], self.params["cen_id"]))
            return found[0]
        return api.find_transit_router(self.module, self.params["cen_id"], self.module.region)

    def route_tables(self) -> list:
        """The transit router's route tables, read once (none without a router, in check mode)."""
        return api.list_route_tables(self.module, self.router["TransitRouterId"]) if self.router else []

    def table_id(self, tables: list) -> str | None:
        """route_table_id checked against the router's tables (before any write), or the system route table."""
        ids = [table["TransitRouterRouteTableId"] for table in tables]
        wanted = self.params["route_table_id"]
        if wanted:
            if self.router and wanted not in ids:
                raise api.CenInputError("route_table_id: %s is not a route table of transit router %s (its route tables: %s); "
                                        "give one of those, or leave route_table_id out for the system route table"
                                        % (wanted, self.router["TransitRouterId"], ", ".join(ids) or "none"))
            return wanted
        system = [table["TransitRouterRouteTableId"] for table in tables if table.get("TransitRouterRouteTableType") == "System"]
        return system[0] if system else None

    def read_links(self, attachment: dict | None, tables: list) -> dict:
        """{kind: {route table id: status}} of the attachment over all the router's tables (a new attachment has none)."""
        attachment_id = (attachment or {}).get("TransitRouterAttachmentId")
        if not attachment_id:
            return {kind: {} for kind in KINDS}
        ids = [table["TransitRouterRouteTableId"] for table in tables]
        return {kind: api.links_of(self.module, kind, attachment_id, ids) for kind in KINDS}

    def view(self, attachment: dict | None, table_id: str | None, association: str | None, propagation: str | None) -> dict:
        if not attachment:
            return {}
        return dict(api.normalise_vpc_attachment(attachment), route_table_id=table_id, association_status=association,
                    propagation_status=propagation)

    def _wait(self, name: str, **ids) -> dict | None:
        return wait_for(self.module, name, self.deadline, **ids)

    # --- present --------------------------------------------------------------------------------
    def ensure_present(self) -> dict:
        if not self.params["vswitch_ids"]:
            raise api.CenInputError("vswitch_ids: give the vSwitches of %s, one per zone, in at least two zones" % self.params["vpc_id"])
        self.router = self.find_router()
        zones = api.resolve_zones(self.module, self.module.region, self.params["vpc_id"], self.params["vswitch_ids"],
                                  self.params["allow_single_zone"])[1]
        if self.router is None and not self.module.check_mode:
            raise api.CenInputError("cen_id: CEN %s has no transit router in region %s; create it first (alicloud.acr_access.cen_transit_router)"
                                    % (self.params["cen_id"], self.module.region))
        tables = self.route_tables()
        table_id = self.table_id(tables)
        current = api.find_vpc_attachment(self.module, self.router["TransitRouterId"], self.params["vpc_id"]) if self.router else None
        if current and current.get("Status") == "Detaching":
            if not self.module.check_mode:
                self._wait("vpc_attachment_deleted", attachment_id=current["TransitRouterAttachmentId"])
            current = None
        links = self.read_links(current, tables)
        before = self.view(current, table_id, links["association"].get(table_id), links["propagation"].get(table_id))
        attachment = self._create(zones) if current is None else self._update(current, zones)
        association, propagation = self._ensure_links(attachment, table_id, links)
        after = self.view(attachment, table_id, association, propagation)
        return dict(changed=self.changed, attachment=after, diff=dict(before=before, after=after))

    def _create(self, zones: dict) -> dict:
        self.changed = True
        planned = {"TransitRouterAttachmentId": None, "TransitRouterId": (self.router or {}).get("TransitRouterId"), "CenId": self.params["cen_id"],
                   "RegionId": self.module.region, "VpcId": self.params["vpc_id"], "Status": None,
                   "ZoneMappings": [{"ZoneId": z, "VSwitchId": v} for z, v in sorted(zones.items())],
                   "TransitRouterAttachmentName": self.params["name"] or "", "TransitRouterAttachmentDescription": self.params["description"] or "",
                   "AutoPublishRouteEnabled": bool(self.params["auto_publish_route"])}
        if self.module.check_mode:
            return planned
        self.deadline.before_write("CreateTransitRouterVpcAttachment")
        attachment_id = api.create_vpc_attachment(self.module, self.router, self.params["vpc_id"], zones, self.params["name"],
                                                  self.params["description"], bool(self.params["auto_publish_route"]))
        return self._settled(attachment_id) or dict(planned, TransitRouterAttachmentId=attachment_id, Status="Attaching")

    def _settled(self, attachment_id: str) -> dict | None:
        """The attachment, waited for when asked to; None with wait: false (no read, so that a play can ask for the next one at once)."""
        if self.params["wait"]:
            return self._wait("vpc_attachment_attached", attachment_id=attachment_id)
        return None

    def _attribute_changes(self, current: dict) -> dict:
        wanted = {"TransitRouterAttachmentName": self.params["name"], "TransitRouterAttachmentDescription": self.params["description"],
                  "AutoPublishRouteEnabled": self.params["auto_publish_route"]}
        return {key: value for key, value in wanted.items() if value is not None and value != current.get(key)}

    def _update(self, current: dict, zones: dict) -> dict:
        add, remove = api.zone_changes(api.zones_of(current), zones)
        attributes = self._attribute_changes(current)
        attachment_id = current["TransitRouterAttachmentId"]
        if not add and not remove and not attributes:
            if self.params["wait"] and current.get("Status") != "Attached":
                return self._wait("vpc_attachment_attached", attachment_id=attachment_id)
            return current
        self.changed = True
        if self.module.check_mode:
            mappings = [{"ZoneId": z, "VSwitchId": v} for z, v in sorted(zones.items())]
            return dict(current, ZoneMappings=mappings, **attributes)
        if current.get("Status") != "Attached":  # the cloud refuses changes while the previous one runs
            self._wait("vpc_attachment_attached", attachment_id=attachment_id)
        if add or remove:
            self.deadline.before_write("UpdateTransitRouterVpcAttachmentZones")
            api.update_vpc_attachment_zones(self.module, attachment_id, add, remove)
        if attributes:
            if add or remove:
                self._wait("vpc_attachment_attached", attachment_id=attachment_id)
            self.deadline.before_write("UpdateTransitRouterVpcAttachmentAttribute")
            api.update_vpc_attachment_attribute(self.module, attachment_id, attributes)
        mappings = [{"ZoneId": z, "VSwitchId": v} for z, v in sorted(zones.items())]
        return self._settled(attachment_id) or dict(current, ZoneMappings=mappings, Status="Modifying" if add or remove else current.get("Status"),
                                                    **attributes)

    # --- association and propagation --------------------------------------------------------------
    def _ensure_links(self, attachment: dict, table_id: str | None, links: dict) -> tuple:
        wanted = {"association": self.params["associate"], "propagation": self.params["propagate"]}
        return tuple(self._ensure_link(kind, wanted[kind], attachment, table_id, links[kind]) for kind in KINDS)

    def _will_be_attached(self, attachment: dict) -> bool:
        # In check mode a run with wait: true would have waited for the attachment before linking it.
        return attachment.get("Status") == "Attached" or (self.module.check_mode and self.params["wait"])

    def _ensure_link(self, kind: str, wanted: bool, attachment: dict, table_id: str | None, current: dict) -> str | None:
        """The link's status after making it; ``current`` is {route table id: status} as read before any change."""
        attachment_id = attachment.get("TransitRouterAttachmentId")
        status = current.get(table_id)
        if not wanted or table_id is None:
            return status
        if status in LIVE:
            if self.params["wait"] and status != "Active" and not self.module.check_mode:
                return self._wait(kind + "_active", attachment_id=attachment_id, route_table_id=table_id)["Status"]
            return status
        if not self._will_be_attached(attachment):
            # Nothing is sent: the cloud links only an attached attachment. Say so instead of reporting a change.
            state = attachment.get("Status") or "being created"
            self.module.warn("The %s of attachment %s with route table %s is not requested yet: the attachment is %s. "
                             "Run the task again with wait: true to finish it." % (kind, attachment_id or "(new)", table_id, state))
            return PENDING
        self.changed = True
        if self.module.check_mode:
            return "Active" if self.params["wait"] else ASKED[kind]
        if kind == "association":  # one associated table per transit router: move it
            for other in [t for t in current if t != table_id]:
                self._unlink(kind, attachment_id, other)
        self.deadline.before_write(LINK_WRITES[kind] % (attachment_id, table_id))
        api.create_link(self.module, kind, attachment_id, table_id)
        if not self.params["wait"]:
            return ASKED[kind]
        return self._wait(kind + "_active", attachment_id=attachment_id, route_table_id=table_id)["Status"]

    def _unlink(self, kind: str, attachment_id: str, table_id: str) -> None:
        self.deadline.before_write(UNLINK_WRITES[kind] % (attachment_id, table_id))
        api.remove_link(self.module, kind, attachment_id, table_id)
        # The attachment cannot be deleted (nor re-associated) while the link is still going away.
        self._wait(kind + "_deleted", attachment_id=attachment_id, route_table_id=table_id)

    # --- absent ---------------------------------------------------------------------------------------
    def ensure_absent(self) -> dict:
        self.router = self.find_router()
        current = api.find_vpc_attachment(self.module, self.router["TransitRouterId"], self.params["vpc_id"]) if self.router else None
        if current is None:
            return dict(changed=False, attachment={})
        attachment_id = current["TransitRouterAttachmentId"]
        tables = self.route_tables()
        table_id = self.table_id(tables)
        links = self.read_links(current, tables)
        before = self.view(current, table_id, links["association"].get(table_id), links["propagation"].get(table_id))
        if current.get("Status") == "Detaching":
            if self.params["wait"] and not self.module.check_mode:
                self._wait("vpc_attachment_deleted", attachment_id=attachment_id)
            return dict(changed=False, attachment={})
        if self.module.check_mode:
            return dict(changed=True, attachment={}, diff=dict(before=before, after={}))
        if current.get("Status") != "Attached":
            self._wait("vpc_attachment_attached", attachment_id=attachment_id)
            links = self.read_links(current, tables)  # links may have moved while it settled
        for kind in ("propagation", "association"):
            for other in links[kind]:
                self._unlink(kind, attachment_id, other)
        self.deadline.before_write("DeleteTransitRouterVpcAttachment %s" % attachment_id)
        changed = api.delete_vpc_attachment(self.module, attachment_id)
        if self.params["wait"]:
            self._wait("vpc_attachment_deleted", attachment_id=attachment_id)
        return dict(changed=changed, attachment={}, diff=dict(before=before, after={}))


LINK_WRITES = {"association": "AssociateTransitRouterAttachmentWithRouteTable %s %s",
               "propagation": "EnableTransitRouterRouteTablePropagation %s %s"}
UNLINK_WRITES = {"association": "DissociateTransitRouterAttachmentFromRouteTable %s %s",
                 "propagation": "DisableTransitRouterRouteTablePropagation %s %s"}


def main():
    argument_spec = dict(
        cen_id=dict(type="str", required=True),
        transit_router_id=dict(type="str"),
        vpc_id=dict(type="str", required=True),
        vswitch_ids=dict(type="list", elements="str"),
        allow_single_zone=dict(type="bool", default=False),
        name=dict(type="str"),
        description=dict(type="str"),
        auto_publish_route=dict(type="bool"),
        associate=dict(type="bool", default=True),
        propagate=dict(type="bool", default=True),
        route_table_id=dict(type="str"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1800),
    )
    module = AnsibleAlicloudModule(argument_spec=argument_spec, required_if=[("state", "present", ("vswitch_ids",))], supports_check_mode=True)
    manager = AttachmentManager(module)
    try:
        if not module.region:
            raise api.CenInputError("region: give the region of the VPC and its transit router")
        result = manager.ensure_present() if module.params["state"] == "present" else manager.ensure_absent()
    except AlicloudError as error:
        module.fail_json_api(error, msg="Failed to manage the attachment of VPC %s to CEN %s" % (module.params["vpc_id"], module.params["cen_id"]))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
