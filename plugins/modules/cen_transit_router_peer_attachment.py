#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cen_transit_router_peer_attachment
short_description: Connect the transit routers of a CEN in two regions (inter-region connection)
version_added: 0.1.0
description:
  - Creates the inter-region connection (peer attachment) between the transit router of O(cen_id) in O(region) and the one in
    O(peer_region), with its bandwidth; deletes it with O(state=absent).
  - The connection is found whichever side created it, so running the module from the other region changes nothing.
  - A change of O(bandwidth), O(bandwidth_type), O(cen_bandwidth_package_id) or O(link_type) updates the connection
    (C(UpdateTransitRouterPeerAttachmentAttribute)); it is never re-created.
  - The cloud associates the connection with the system route tables of both transit routers and exchanges their routes.
  - Calls C(ListTransitRouters), C(ListTransitRouterPeerAttachments), C(CreateTransitRouterPeerAttachment),
    C(UpdateTransitRouterPeerAttachmentAttribute) and C(DeleteTransitRouterPeerAttachment) (CBN API 2017-09-12).
author:
  - alicloud.acr_access contributors (@alicloud-acr-access)
options:
  cen_id:
    description:
      - The ID of the CEN instance both transit routers belong to.
    type: str
    required: true
  transit_router_id:
    description:
      - The local transit router. By default the one of O(cen_id) in O(region).
    type: str
  peer_region:
    description:
      - The region of the other transit router.
    type: str
    required: true
  peer_transit_router_id:
    description:
      - The other transit router. By default the one of O(cen_id) in O(peer_region).
    type: str
  bandwidth_type:
    description:
      - V(DataTransfer) (pay by data transfer) or V(BandwidthPackage) (bandwidth from the CEN bandwidth package O(cen_bandwidth_package_id)).
    type: str
    choices: [DataTransfer, BandwidthPackage]
    default: DataTransfer
  bandwidth:
    description:
      - The bandwidth of the connection in Mbit/s, a positive integer. Required with O(state=present).
    type: int
  cen_bandwidth_package_id:
    description:
      - The CEN bandwidth package, with O(bandwidth_type=BandwidthPackage).
    type: str
  link_type:
    description:
      - The default link type. V(Gold) for a new connection when not given; left alone on an existing one.
    type: str
    choices: [Platinum, Gold, Silver]
  name:
    description:
      - The name of the connection. Updated when given.
    type: str
  description:
    description:
      - The description of the connection. Updated when given.
    type: str
  state:
    description:
      - V(present) creates or updates the connection, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description:
      - Wait until the connection is C(Attached) (after a create or an update), or gone.
  wait_timeout:
    default: 900
extends_documentation_fragment:
  - alicloud.acr_access.alicloud
  - alicloud.acr_access.attributes
  - alicloud.acr_access.attributes.ACTIONGROUP_ALICLOUD
  - alicloud.acr_access.wait
  - alicloud.acr_access.wait.progress
attributes:
  check_mode:
    support: full
    details:
      - Reads only, and predicts the change.
  diff_mode:
    support: full
  idempotent:
    support: full
requirements:
  - alibabacloud-cbn20170912
seealso:
  - module: alicloud.acr_access.cen_transit_router
  - name: CreateTransitRouterPeerAttachment API reference
    description: The CBN API operation behind this module.
    link: https://www.alibabacloud.com/help/en/cen/developer-reference/api-cbn-2017-09-12-createtransitrouterpeerattachment
"""

EXAMPLES = r"""
- name: Connect Hangzhou and Shanghai with 10 Mbit/s paid by data transfer
  alicloud.acr_access.cen_transit_router_peer_attachment:
    cen_id: "{{ cen_id }}"
    region: cn-hangzhou
    peer_region: cn-shanghai
    bandwidth: 10
  register: peer

- name: Raise the bandwidth (an update, not a new connection)
  alicloud.acr_access.cen_transit_router_peer_attachment:
    cen_id: "{{ cen_id }}"
    region: cn-hangzhou
    peer_region: cn-shanghai
    bandwidth: 50
"""

RETURN = r"""
peer_attachment:
  description: The inter-region connection; empty after O(state=absent). In check mode the ID is null for one that would be created.
  returned: always
  type: dict
  contains:
    transit_router_attachment_id:
      description: The ID of the connection.
      returned: when present
      type: str
      sample: tr-attach-example0000000000c
    transit_router_id:
      description: The transit router on the side that created the connection.
      returned: when present
      type: str
      sample: tr-bp1example00000000001
    peer_transit_router_id:
      description: The transit router on the other side.
      returned: when present
      type: str
      sample: tr-uf6example00000000001
    cen_id:
      description: The CEN.
      returned: when present
      type: str
      sample: cen-example00000000001
    region_id:
      description: The region of RV(peer_attachment.transit_router_id).
      returned: when present
      type: str
      sample: cn-hangzhou
    peer_transit_router_region_id:
      description: The region of RV(peer_attachment.peer_transit_router_id).
      returned: when present
      type: str
      sample: cn-shanghai
    status:
      description: V(Attaching), V(Attached), V(Modifying) or V(Detaching).
      returned: when present
      type: str
      sample: Attached
    bandwidth_type:
      description: V(DataTransfer) or V(BandwidthPackage).
      returned: when present
      type: str
      sample: DataTransfer
    bandwidth:
      description: The bandwidth in Mbit/s.
      returned: when present
      type: int
      sample: 10
    cen_bandwidth_package_id:
      description: The bandwidth package (empty with V(DataTransfer)).
      returned: when present
      type: str
      sample: ""
    default_link_type:
      description: V(Platinum), V(Gold) or V(Silver).
      returned: when present
      type: str
      sample: Gold
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
    creation_time:
      description: When the connection was created.
      returned: when present
      type: str
      sample: "2024-01-01T00:00:00Z"
"""

from ansible_collections.alicloud.acr_access.plugins.module_utils.cen_resources import PeerAttachmentManager
from ansible_collections.alicloud.acr_access.plugins.module_utils.client import AnsibleAlicloudModule
from ansible_collections.alicloud.acr_access.plugins.module_utils.resource import run, wait_argument_spec


def main():
    argument_spec = dict(
        cen_id=dict(type="str", required=True),
        transit_router_id=dict(type="str"),
        peer_region=dict(type="str", required=True),
        peer_transit_router_id=dict(type="str"),
        bandwidth_type=dict(type="str", default="DataTransfer", choices=["DataTransfer", "BandwidthPackage"]),
        bandwidth=dict(type="int"),
        cen_bandwidth_package_id=dict(type="str"),
        link_type=dict(type="str", choices=["Platinum", "Gold", "Silver"]),
        name=dict(type="str"),
        description=dict(type="str"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        **wait_argument_spec(900),
    )
    module = AnsibleAlicloudModule(argument_spec=argument_spec, supports_check_mode=True, region_required="the local transit router")
    run(module, PeerAttachmentManager, "Failed to manage the connection of CEN {cen_id} between {region} and {peer_region}")


if __name__ == "__main__":
    main()
