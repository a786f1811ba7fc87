#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cen_transit_router
short_description: Create and delete the Enterprise Edition transit router of a CEN in a region
version_added: 0.1.0
description:
  - A CEN has at most one transit router per region. This module finds the one of O(cen_id) in O(region), creates it
    (always Enterprise Edition) when there is none, and deletes it with O(state=absent).
  - The name and description are used when the transit router is created; an existing transit router is not renamed.
  - Returns the ID of its system route table, which VPC attachments are associated with by default.
  - Calls C(ListTransitRouters), C(CreateTransitRouter), C(ListTransitRouterRouteTables) and C(DeleteTransitRouter) (CBN API 2017-09-12).
author:
  - alicloud.acr_access contributors (@alicloud-acr-access)
options:
  cen_id:
    description:
      - The ID of the CEN instance.
    type: str
    required: true
  name:
    description:
      - The name of a new transit router.
    type: str
  description:
    description:
      - The description of a new transit router.
    type: str
  state:
    description:
      - V(present) creates the transit router when the CEN has none in O(region); V(absent) deletes it.
      - The cloud refuses to delete a transit router that still has attachments.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description:
      - Wait until a new transit router is V(Active), or a deleted one is gone.
      - With V(false) the module returns at once; run it again with V(true) to wait (that run only reads).
  wait_timeout:
    default: 600
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
      - Reads only, and predicts the change. A CEN that an earlier task would create in check mode has no ID yet; such tasks are skipped.
  diff_mode:
    support: full
  idempotent:
    support: full
requirements:
  - alibabacloud-cbn20170912
seealso:
  - module: alicloud.acr_access.cen_instance
  - module: alicloud.acr_access.cen_transit_router_vpc_attachment
  - name: CreateTransitRouter API reference
    description: The CBN API operation behind this module.
    link: https://www.alibabacloud.com/help/en/cen/developer-reference/api-cbn-2017-09-12-createtransitrouter
"""

EXAMPLES = r"""
- name: The transit routers of the registry region and the client region, created together
  alicloud.acr_access.cen_transit_router:
    cen_id: "{{ cen.cen.cen_id }}"
    region: "{{ item }}"
    wait: false
  loop: [cn-hangzhou, cn-shanghai]

- name: Then wait for both (reads only)
  alicloud.acr_access.cen_transit_router:
    cen_id: "{{ cen.cen.cen_id }}"
    region: "{{ item }}"
  loop: [cn-hangzhou, cn-shanghai]
  register: routers
"""

RETURN = r"""
transit_router:
  description: The transit router; empty after O(state=absent). In check mode its ID is null when it would be created.
  returned: always
  type: dict
  contains:
    transit_router_id:
      description: The ID of the transit router.
      returned: when present
      type: str
      sample: tr-bp1example00000000001
    transit_router_name:
      description: Its name.
      returned: when present
      type: str
      sample: acr-access-hangzhou
    transit_router_description:
      description: Its description.
      returned: when present
      type: str
      sample: ""
    cen_id:
      description: The CEN it belongs to.
      returned: when present
      type: str
      sample: cen-example00000000001
    region_id:
      description: Its region.
      returned: when present
      type: str
      sample: cn-hangzhou
    status:
      description: V(Creating), V(Active), V(Modifying) or V(Deleting).
      returned: when present
      type: str
      sample: Active
    type:
      description: The edition, V(Enterprise).
      returned: when present
      type: str
      sample: Enterprise
    creation_time:
      description: When it was created.
      returned: when present
      type: str
      sample: "2024-01-01T00:00:00Z"
    system_route_table_id:
      description: The ID of its system route table (null in check mode for a new one).
      returned: when present
      type: str
      sample: vtb-bp1example00000000002
"""

from ansible_collections.alicloud.acr_access.plugins.module_utils.cen_resources import TransitRouterManager
from ansible_collections.alicloud.acr_access.plugins.module_utils.client import AnsibleAlicloudModule
from ansible_collections.alicloud.acr_access.plugins.module_utils.resource import run, wait_argument_spec


def main():
    argument_spec = dict(
        cen_id=dict(type="str", required=True),
        name=dict(type="str"),
        description=dict(type="str"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        **wait_argument_spec(600),
    )
    module = AnsibleAlicloudModule(argument_spec=argument_spec, supports_check_mode=True, region_required="the transit router")
    run(module, TransitRouterManager, "Failed to manage the transit router of CEN {cen_id} in {region}")


if __name__ == "__main__":
    main()
