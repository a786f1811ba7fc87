#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cen_transit_router_vbr_attachment
short_description: Attach a data center's Express Connect virtual border router to the transit router of its region, associate it and enable route propagation
version_added: 0.1.0
description:
  - Attaches the virtual border router (VBR) O(vbr_id) of an Express Connect circuit to the transit router of O(cen_id) in
    O(region) (a VBR attachment). The VBR must be in O(region) and attached to no transit router yet; the cloud checks
    that and the module reports its answer.
  - Then associates the attachment with a route table of the transit router and enables route propagation to it
    (the system route table unless O(route_table_id) names a custom one). An attachment is associated with one route table
    per transit router, so an association with another table is moved.
  - The propagation is what lets the transit router learn the data center's networks from the VBR (its static routes to the
    data center, or what it learned over BGP), so that a VPC attached to the same transit router (and associated with the
    same route table) can route the data center's CIDR blocks to it.
  - O(name), O(description) and O(auto_publish_route) change in place (C(UpdateTransitRouterVbrAttachmentAttribute)).
  - O(state=absent) disables the propagations, removes the associations, then deletes the attachment, waiting after each step.
  - With O(wait=false) the module returns right after asking for the attachment; association and propagation need an
    attached attachment and are done by a later run with O(wait=true) (until then they are reported as V(pending) with a warning).
  - O(vbr_id) and O(route_table_id) are checked before any change.
  - Calls C(ListTransitRouters), C(ListTransitRouterRouteTables), C(ListTransitRouterVbrAttachments),
    C(CreateTransitRouterVbrAttachment), C(UpdateTransitRouterVbrAttachmentAttribute), C(DeleteTransitRouterVbrAttachment) and the
    association and propagation calls (CBN API 2017-09-12).
author:
  - alicloud.acr_access contributors (@alicloud-acr-access)
options:
  vbr_id:
    description:
      - The ID of the virtual border router (C(vbr-...)) in O(region).
    type: str
    required: true
  auto_publish_route:
    description:
      - Let the transit router advertise its routes to the VBR (C(AutoPublishRouteEnabled)).
      - Left alone on an existing attachment when not given; the cloud's default (V(false)) for a new one.
    type: bool
  state:
    description:
      - V(present) attaches (or updates) the VBR, V(absent) detaches it.
  wait_timeout:
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
seealso:
  - module: alicloud.acr_access.cen_transit_router
  - module: alicloud.acr_access.cen_transit_router_vpc_attachment
  - module: alicloud.acr_access.cen_transit_router_vpn_attachment
  - module: alicloud.acr_access.cen_info
  - name: CreateTransitRouterVbrAttachment API reference
    description: The CBN API operation behind this module.
    link: https://www.alibabacloud.com/help/en/cen/developer-reference/api-cbn-2017-09-12-createtransitroutervbrattachment
"""

EXAMPLES = r"""
- name: Attach the data center's VBR to the registry region's transit router, associate and propagate
  alicloud.acr_access.cen_transit_router_vbr_attachment:
    cen_id: "{{ cen_id }}"
    region: cn-hangzhou
    vbr_id: vbr-bp1example00000000001
  register: idc_attachment

- name: Detach it (propagation and association are removed first)
  alicloud.acr_access.cen_transit_router_vbr_attachment:
    cen_id: "{{ cen_id }}"
    region: cn-hangzhou
    vbr_id: vbr-bp1example00000000001
    state: absent
"""

RETURN = r"""
attachment:
  description: The VBR attachment; empty after O(state=absent). In check mode, the ID is null for an attachment that would be created.
  returned: always
  type: dict
  contains:
    transit_router_attachment_id:
      description: The ID of the attachment, the next hop of the transit router's routes to the data center.
      returned: when present
      type: str
      sample: tr-attach-example0000000000e
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
    vbr_id:
      description: The attached VBR.
      returned: when present
      type: str
      sample: vbr-bp1example00000000001
    vbr_region_id:
      description: The region of the VBR.
      returned: when present
      type: str
      sample: cn-hangzhou
    status:
      description: V(Attaching), V(Attached) or V(Detaching).
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
      description: Whether the transit router advertises its routes to the VBR.
      returned: when present
      type: bool
      sample: false
    creation_time:
      description: When the attachment was created.
      returned: when present
      type: str
      sample: "2024-01-01T00:00:00Z"
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

from ansible_collections.alicloud.acr_access.plugins.module_utils.cen_resources import VbrAttachmentManager, linked_attachment_argument_spec
from ansible_collections.alicloud.acr_access.plugins.module_utils.client import AnsibleAlicloudModule
from ansible_collections.alicloud.acr_access.plugins.module_utils.resource import run


def main():
    argument_spec = linked_attachment_argument_spec(
        vbr_id=dict(type="str", required=True),
        auto_publish_route=dict(type="bool"),
        wait_timeout_default=1800,
    )
    module = AnsibleAlicloudModule(argument_spec=argument_spec, supports_check_mode=True, region_required="the VBR and its transit router")
    run(module, VbrAttachmentManager, "Failed to manage the attachment of {what} {vbr_id} to CEN {cen_id}")


if __name__ == "__main__":
    main()
