#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cen_instance
short_description: Create, update and delete Alibaba Cloud CEN (Cloud Enterprise Network) instances
version_added: 0.1.0
description:
  - Finds a CEN instance by O(cen_id) or by O(name), creates it when it does not exist, updates its name and description,
    and deletes it with O(state=absent).
  - A name that several CEN instances carry is an error; use O(cen_id) then.
  - A CEN in C(Deleting) (for example after O(state=absent) with O(wait=false)) counts as absent; O(state=present) waits
    until it is gone, then creates a new one.
  - Calls C(DescribeCens), C(CreateCen), C(ModifyCenAttribute) and C(DeleteCen) (CBN API 2017-09-12).
  - The CBN API is global; O(region) is not needed.
author:
  - alicloud.acr_access contributors (@alicloud-acr-access)
options:
  cen_id:
    description:
      - The ID of an existing CEN instance, for example V(cen-example00000000001).
      - With O(state=present), a CEN with this ID must exist (the module does not create one with a given ID);
        O(name) then renames it.
    type: str
  name:
    description:
      - The name of the CEN instance (1 to 128 characters, not starting with C(http://) or C(https://)).
      - Without O(cen_id), the CEN is looked up by this name and created with it when there is none.
    type: str
  description:
    description:
      - The description of the CEN instance. Left alone when not given.
    type: str
  state:
    description:
      - V(present) creates or updates the CEN instance, V(absent) deletes it.
      - The cloud refuses to delete a CEN that still has transit routers; delete them first (M(alicloud.acr_access.cen_transit_router)).
    type: str
    choices: [present, absent]
    default: present
  wait:
    description:
      - Wait until a new CEN is V(Active), or until a deleted one is gone.
  wait_timeout:
    default: 300
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
  - module: alicloud.acr_access.cen_info
  - name: CreateCen API reference
    description: The CBN API operation behind this module.
    link: https://www.alibabacloud.com/help/en/cen/developer-reference/api-cbn-2017-09-12-createcen
"""

EXAMPLES = r"""
- name: A CEN for the registry connection
  alicloud.acr_access.cen_instance:
    name: acr-access
    description: connects the access source VPCs to the registry VPC
  register: cen

- name: Delete it (its transit routers must be gone)
  alicloud.acr_access.cen_instance:
    cen_id: "{{ cen.cen.cen_id }}"
    state: absent
"""

RETURN = r"""
cen:
  description: The CEN instance; empty after O(state=absent). In check mode, C(cen_id) is null for a CEN that would be created.
  returned: always
  type: dict
  contains:
    cen_id:
      description: The ID of the CEN instance.
      returned: when present
      type: str
      sample: cen-example00000000001
    name:
      description: The name.
      returned: when present
      type: str
      sample: acr-access
    description:
      description: The description.
      returned: when present
      type: str
      sample: connects the access source VPCs
    status:
      description: V(Creating), V(Active), V(Modifying) or V(Deleting).
      returned: when present
      type: str
      sample: Active
    protection_level:
      description: The CIDR overlap protection level, V(REDUCED).
      returned: when present
      type: str
      sample: REDUCED
    creation_time:
      description: When the CEN was created.
      returned: when present
      type: str
      sample: "2024-01-01T00:00:00Z"
"""

from ansible_collections.alicloud.acr_access.plugins.module_utils.cen_resources import CenManager
from ansible_collections.alicloud.acr_access.plugins.module_utils.client import AnsibleAlicloudModule
from ansible_collections.alicloud.acr_access.plugins.module_utils.resource import run, wait_argument_spec


def main():
    argument_spec = dict(
        cen_id=dict(type="str"),
        name=dict(type="str"),
        description=dict(type="str"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        **wait_argument_spec(300),
    )
    module = AnsibleAlicloudModule(argument_spec=argument_spec, required_one_of=[("cen_id", "name")], supports_check_mode=True)
    run(module, CenManager, "Failed to manage the CEN instance {cen}")


if __name__ == "__main__":
    main()
