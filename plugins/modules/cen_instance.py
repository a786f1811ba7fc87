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

from ansible_collections.alicloud.acr_access.plugins.module_utils import cen as api
from ansible_collections.alicloud.acr_access.plugins.module_utils.client import AnsibleAlicloudModule
from ansible_collections.alicloud.acr_access.plugins.module_utils.errors import AlicloudError
from ansible_collections.alicloud.acr_access.plugins.module_utils.waiter import Deadline, wait_for


def _wanted_changes(params: dict, current: dict) -> dict:
    """Name / description that differ from the CEN's (None: not asked for)."""
    changes = {}
    if params["cen_id"] and params["name"] is not None and params["name"] != current.get("Name"):
        changes["Name"] = params["name"]
    if params["description"] is not None and params["description"] != current.get("Description"):
        changes["Description"] = params["description"]
    return changes


def _read(module, cen_id: str) -> dict:
    return api.find_cen(module, cen_id=cen_id) or {}


def _lookup(module) -> tuple:
    """(the live CEN or None, the CENs being deleted): a CEN in Deleting is on its way out, so it counts as absent."""
    params = module.params
    cens = api.list_cens(module, cen_id=params["cen_id"], name=None if params["cen_id"] else params["name"])
    going = [cen for cen in cens if cen.get("Status") == "Deleting"]
    live = [cen for cen in cens if cen.get("Status") != "Deleting"]
    return api.single_cen(live, params["name"]), going


def ensure_present(module, deadline: Deadline) -> dict:
    params = module.params
    current, going = _lookup(module)
    if current is None and params["cen_id"]:
        state = "is being deleted" if going else "not found"
        raise api.CenInputError("cen_id: CEN instance %s %s; leave cen_id out and give name to create one" % (params["cen_id"], state))
    if current is None:
        return _create(module, deadline, going)
    changes = _wanted_changes(params, current)
    before = api.normalise_cen(current)
    if not changes:
        if params["wait"] and current.get("Status") == "Creating":
            current = wait_for(module, "cen_active", deadline, cen_id=current["CenId"])
        return dict(changed=False, cen=api.normalise_cen(current))
    after = dict(before, **api.normalise_cen(dict(current, **changes)))
    if not module.check_mode:
        if current.get("Status") != "Active":
            wait_for(module, "cen_active", deadline, cen_id=current["CenId"])
        deadline.before_write("ModifyCenAttribute %s" % current["CenId"])
        api.modify_cen(module, current["CenId"], changes.get("Name"), changes.get("Description"))
        after = api.normalise_cen(_read(module, current["CenId"]))
    return dict(changed=True, cen=after, diff=dict(before=before, after=after))


def _create(module, deadline: Deadline, going: list) -> dict:
    params = module.params
    if not params["name"]:
        raise api.CenInputError("name: give the name of the CEN instance to find or create (or cen_id of an existing one)")
    planned = {"cen_id": None, "name": params["name"], "description": params["description"] or "", "status": None,
               "protection_level": "REDUCED", "creation_time": None}
    if module.check_mode:
        return dict(changed=True, cen=planned, diff=dict(before={}, after=planned))
    for cen in going:  # the old one of this name must be gone first, or the next lookup by name finds two
        wait_for(module, "cen_deleted", deadline, cen_id=cen["CenId"])
    deadline.before_write("CreateCen %s" % params["name"])
    cen_id = api.create_cen(module, params["name"], params["description"])
    created = wait_for(module, "cen_active", deadline, cen_id=cen_id) if params["wait"] else None
    after = api.normalise_cen(created) or dict(planned, cen_id=cen_id, status="Creating")
    return dict(changed=True, cen=after, diff=dict(before={}, after=after))


def ensure_absent(module, deadline: Deadline) -> dict:
    params = module.params
    current = api.find_cen(module, cen_id=params["cen_id"], name=None if params["cen_id"] else params["name"])
    if current is None:
        return dict(changed=False, cen={})
    before = api.normalise_cen(current)
    if current.get("Status") == "Deleting":
        if params["wait"] and not module.check_mode:
            wait_for(module, "cen_deleted", deadline, cen_id=current["CenId"])
        return dict(changed=False, cen={})
    if module.check_mode:
        return dict(changed=True, cen={}, diff=dict(before=before, after={}))
    if current.get("Status") != "Active":
        wait_for(module, "cen_active", deadline, cen_id=current["CenId"])
    deadline.before_write("DeleteCen %s" % current["CenId"])
    changed = api.delete_cen(module, current["CenId"])
    if changed and params["wait"]:
        wait_for(module, "cen_deleted", deadline, cen_id=current["CenId"])
    return dict(changed=changed, cen={}, diff=dict(before=before, after={}))


def main():
    argument_spec = dict(
        cen_id=dict(type="str"),
        name=dict(type="str"),
        description=dict(type="str"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=300),
    )
    module = AnsibleAlicloudModule(argument_spec=argument_spec, required_one_of=[("cen_id", "name")], supports_check_mode=True)
    try:
        deadline = Deadline(module.params["wait_timeout"])
        result = ensure_present(module, deadline) if module.params["state"] == "present" else ensure_absent(module, deadline)
    except AlicloudError as error:
        module.fail_json_api(error, msg="Failed to manage the CEN instance %s" % (module.params["cen_id"] or module.params["name"]))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
