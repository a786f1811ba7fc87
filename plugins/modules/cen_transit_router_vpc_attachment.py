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
  auto_publish_route:
    description:
      - Let the transit router publish the routes it learns into the VPC's system route table (C(AutoPublishRouteEnabled)).
      - Left alone on an existing attachment when not given; V(false) for a new one.
    type: bool
  state:
    description:
      - V(present) attaches (or updates) the VPC, V(absent) detaches it.
  wait_timeout:
    description:
      - How many seconds the whole task may take, every step included (one budget, not one per step).
        Attaching takes minutes in the cloud. No change is started once the time is spent.
    default: 1800
extends_documentation_fragment:
  - alicloud.acr_access.alicloud
  - alicloud.acr_access.attributes
  - alicloud.acr_access.attributes.ACTIONGROUP_ALICLOUD
  - alicloud.acr_access.transit_router_attachment
  - alicloud.acr_access.wait
  - alicloud.acr_access.wait.progress
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

from ansible_collections.alicloud.acr_access.plugins.module_utils.cen_resources import VpcAttachmentManager, linked_attachment_argument_spec
from ansible_collections.alicloud.acr_access.plugins.module_utils.client import AnsibleAlicloudModule
from ansible_collections.alicloud.acr_access.plugins.module_utils.resource import run


def main():
    argument_spec = linked_attachment_argument_spec(
        vpc_id=dict(type="str", required=True),
        vswitch_ids=dict(type="list", elements="str"),
        allow_single_zone=dict(type="bool", default=False),
        auto_publish_route=dict(type="bool"),
        wait_timeout_default=1800,
    )
    module = AnsibleAlicloudModule(argument_spec=argument_spec, required_if=[("state", "present", ("vswitch_ids",))], supports_check_mode=True,
                                   region_required="the VPC and its transit router")
    run(module, VpcAttachmentManager, "Failed to manage the attachment of VPC {vpc_id} to CEN {cen_id}")


if __name__ == "__main__":
    main()
