#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cen_transit_router_vpn_attachment
short_description: Attach a data center's IPsec connection to the transit router of its region, associate it and enable route propagation
version_added: 0.1.0
description:
  - Attaches the IPsec-VPN connection O(vpn_id) to the transit router of O(cen_id) in O(region) (a VPN attachment). The
    connection must be bound to a transit router (attach type CEN, made with C(CreateVpnAttachment)), not to a VPN gateway,
    be in O(region) and not be attached yet; the cloud checks that and the module reports its answer.
  - Then associates the attachment with a route table of the transit router and enables route propagation to it
    (the system route table unless O(route_table_id) names a custom one). An attachment is associated with one route table
    per transit router, so an association with another table is moved.
  - The propagation is what lets the transit router learn the data center's networks - with static routing the
    destination-based routes of the IPsec connection, with BGP what the connection learned - so that a VPC attached to
    the same transit router (and associated with the same route table) can route the data center's CIDR blocks to it.
  - O(name), O(description) and O(auto_publish_route) change in place (C(UpdateTransitRouterVpnAttachmentAttribute)).
    The zones of an attachment cannot change; a different O(zone_ids) fails before any change.
  - O(state=absent) disables the propagations, removes the associations, then deletes the attachment, waiting after each step.
  - With O(wait=false) the module returns right after asking for the attachment; association and propagation need an
    attached attachment and are done by a later run with O(wait=true) (until then they are reported as V(pending) with a warning).
  - O(vpn_id), O(zone_ids) and O(route_table_id) are checked before any change.
  - Calls C(ListTransitRouters), C(ListTransitRouterRouteTables), C(ListTransitRouterVpnAttachments),
    C(CreateTransitRouterVpnAttachment), C(UpdateTransitRouterVpnAttachmentAttribute), C(DeleteTransitRouterVpnAttachment) and the
    association and propagation calls (CBN API 2017-09-12).
author:
  - alicloud.acr_access contributors (@alicloud-acr-access)
options:
  vpn_id:
    description:
      - The ID of the IPsec-VPN connection (C(vco-...)) bound to a transit router, in O(region).
    type: str
    required: true
  zone_ids:
    description:
      - The zones of O(region) to deploy the attachment in (C(Zone.N.ZoneId)). By default the cloud chooses.
      - Fixed once the attachment exists; a different list fails before any change.
    type: list
    elements: str
  auto_publish_route:
    description:
      - Let the transit router advertise its routes to the IPsec connection (C(AutoPublishRouteEnabled)).
      - Left alone on an existing attachment when not given; the cloud's default (V(true)) for a new one.
    type: bool
  state:
    description:
      - V(present) attaches (or updates) the IPsec connection, V(absent) detaches it.
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
  - module: alicloud.acr_access.cen_transit_router_vbr_attachment
  - module: alicloud.acr_access.cen_info
  - name: CreateTransitRouterVpnAttachment API reference
    description: The CBN API operation behind this module.
    link: https://www.alibabacloud.com/help/en/cen/developer-reference/api-cbn-2017-09-12-createtransitroutervpnattachment
"""

EXAMPLES = r"""
- name: Attach the data center's IPsec connection to the registry region's transit router, associate and propagate
  alicloud.acr_access.cen_transit_router_vpn_attachment:
    cen_id: "{{ cen_id }}"
    region: cn-hangzhou
    vpn_id: vco-bp1example00000000002
    zone_ids: [cn-hangzhou-j]
  register: idc_attachment

- name: Detach it (propagation and association are removed first)
  alicloud.acr_access.cen_transit_router_vpn_attachment:
    cen_id: "{{ cen_id }}"
    region: cn-hangzhou
    vpn_id: vco-bp1example00000000002
    state: absent
"""

RETURN = r"""
attachment:
  description: The VPN attachment; empty after O(state=absent). In check mode, the ID is null for an attachment that would be created.
  returned: always
  type: dict
  contains:
    transit_router_attachment_id:
      description: The ID of the attachment, the next hop of the transit router's routes to the data center.
      returned: when present
      type: str
      sample: tr-attach-example0000000000d
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
    vpn_id:
      description: The attached IPsec connection.
      returned: when present
      type: str
      sample: vco-bp1example00000000002
    vpn_region_id:
      description: The region of the IPsec connection.
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
      description: Whether the transit router advertises its routes to the IPsec connection.
      returned: when present
      type: bool
      sample: true
    creation_time:
      description: When the attachment was created.
      returned: when present
      type: str
      sample: "2024-01-01T00:00:00Z"
    zone_ids:
      description: The zones of the attachment.
      returned: when present
      type: list
      elements: str
      sample: [cn-hangzhou-j]
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

from ansible_collections.alicloud.acr_access.plugins.module_utils.cen_resources import VpnAttachmentManager, linked_attachment_argument_spec
from ansible_collections.alicloud.acr_access.plugins.module_utils.client import AnsibleAlicloudModule
from ansible_collections.alicloud.acr_access.plugins.module_utils.resource import run


def main():
    argument_spec = linked_attachment_argument_spec(
        vpn_id=dict(type="str", required=True),
        zone_ids=dict(type="list", elements="str"),
        auto_publish_route=dict(type="bool"),
        wait_timeout_default=1800,
    )
    module = AnsibleAlicloudModule(argument_spec=argument_spec, supports_check_mode=True, region_required="the IPsec connection and its transit router")
    run(module, VpnAttachmentManager, "Failed to manage the attachment of {what} {vpn_id} to CEN {cen_id}")


if __name__ == "__main__":
    main()
