#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: registry_hosts
short_description: Keep one block of a registry instance's names in /etc/hosts on a client host
version_added: 0.1.0
description:
  - Does on a client host what step 4 of the cross-region access procedure does with C(vim /etc/hosts) - map the registry's, the
    authentication service's and the OSS bucket's domains to their addresses in the registry's VPC.
  - Keeps the lines in one block per instance, between C(# BEGIN alicloud.acr_access <instance_id>) and
    C(# END alicloud.acr_access <instance_id>). The block is replaced where it is, appended when the file has none, and removed
    with O(state=absent).
  - Every other byte of the file is kept - other lines and comments, whitespace and tabs, IPv6 lines, CRLF line ends (the block
    then uses CRLF too), other instances' blocks. A file without a final newline gets one only when the block is appended after its
    last line.
  - Writes to a temporary file and renames it over the file, keeping its mode, owner and SELinux context; when the rename is
    impossible (inside a container C(/etc/hosts) is a bind mount and the rename fails with EBUSY) the file is rewritten in place.
  - Warns when cloud-init rewrites the file at every boot (C(manage_etc_hosts) V(true) or V(template)), and says how to make the
    block last.
  - Runs with the Python standard library only; no cloud credentials, not part of the C(alicloud) action group.
author:
  - alicloud.acr_access contributors (@alicloud-acr-access)
options:
  path:
    description: The hosts file.
    type: path
    default: /etc/hosts
  instance_id:
    description:
      - The registry instance the block belongs to, for example V(cri-example000000001); it names the block in its markers.
    type: str
    required: true
  entries:
    description:
      - The lines of the block, in order - an address and its names (the access plan's C(hosts_entries)).
      - Required with O(state=present), ignored with O(state=absent).
    type: list
    elements: dict
    default: []
    suboptions:
      ip:
        description: The address (IPv4 or IPv6).
        type: str
        required: true
      names:
        description: The host names for the address.
        type: list
        elements: str
        required: true
  state:
    description: V(present) writes the block, V(absent) removes it (and nothing else).
    type: str
    choices: [present, absent]
    default: present
  cloud_init_dir:
    description: Where cloud-init's configuration is (C(cloud.cfg), C(cloud.cfg.d/*.cfg), C(templates/)); for the warning only.
    type: path
    default: /etc/cloud
extends_documentation_fragment:
  - alicloud.acr_access.attributes
attributes:
  check_mode:
    support: full
    details:
      - Computes the new file and returns the change and the diff without writing.
  diff_mode:
    support: full
    details:
      - The whole file before and after.
  idempotent:
    support: full
seealso:
  - module: alicloud.acr_access.registry_access_plan
  - module: alicloud.acr_access.registry_client_verify
"""

EXAMPLES = r"""
- name: Map the registry's, auth and OSS domains to their VPC addresses
  alicloud.acr_access.registry_hosts:
    instance_id: cri-example000000001
    entries:
      - {ip: 10.94.205.198, names: [acr-example-registry-vpc.cn-hangzhou.cr.aliyuncs.com]}
      - {ip: 100.103.7.181, names: [dockerauth-vpc.cn-hangzhou.aliyuncs.com]}
      - {ip: 100.118.28.43, names: [oss-cn-hangzhou-internal.aliyuncs.com]}
  become: true

- name: The same from the access plan
  alicloud.acr_access.registry_hosts:
    instance_id: "{{ registry_endpoints.instance_id }}"
    entries: "{{ registry_routes.plan.hosts_entries }}"
  become: true

- name: Remove the block
  alicloud.acr_access.registry_hosts:
    instance_id: cri-example000000001
    state: absent
  become: true
"""

RETURN = r"""
path:
  description: The hosts file.
  returned: always
  type: str
  sample: /etc/hosts
action:
  description: V(added), V(replaced), V(removed) or V(unchanged) (what was done, or would be in check mode).
  returned: always
  type: str
  sample: added
block:
  description: The lines of the block as written (empty with O(state=absent)).
  returned: always
  type: list
  elements: str
  sample:
    - "# BEGIN alicloud.acr_access cri-example000000001"
    - "10.94.205.198 acr-example-registry-vpc.cn-hangzhou.cr.aliyuncs.com"
    - "# END alicloud.acr_access cri-example000000001"
cloud_init:
  description: cloud-init's C(manage_etc_hosts) when it rewrites the file at boot (C(value), C(source), C(template), C(override)), else null.
  returned: always
  type: dict
  sample: null
"""

import os
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_text
from ansible_collections.alicloud.acr_access.plugins.module_utils.hosts_file import (
    HostsError, block_lines, cloud_init_hosts, cloud_init_warning, render, validate,
)

ARGUMENT_SPEC = dict(
    path=dict(type="path", default="/etc/hosts"),
    instance_id=dict(type="str", required=True),
    entries=dict(type="list", elements="dict", default=[], options=dict(
        ip=dict(type="str", required=True),
        names=dict(type="list", elements="str", required=True),
    )),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    cloud_init_dir=dict(type="path", default="/etc/cloud"),
)


def read(module: AnsibleModule, path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None
    except OSError as error:
        module.fail_json(msg="cannot read path=%s: %s (run the task with become: true?)" % (path, error.strerror or error))


def write(module: AnsibleModule, path: str, content: bytes, existed: bool) -> None:
    """Temporary file next to the target, then atomic_move (in place when the rename fails, as on a bind-mounted /etc/hosts)."""
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".registry_hosts.", dir=directory)
    except OSError:
        fd, tmp = tempfile.mkstemp(prefix=".registry_hosts.", dir=module.tmpdir)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        if not existed:
            os.chmod(tmp, 0o644)
        module.atomic_move(tmp, path, unsafe_writes=True)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True,
                           required_if=[("state", "present", ("entries",))])
    params = module.params
    path, instance_id, state = params["path"], params["instance_id"], params["state"]
    try:
        entries = validate(instance_id, params["entries"]) if state == "present" else []
        if state == "present" and not entries:
            raise HostsError("entries", "give at least one {ip, names} with state=present (or state=absent to remove the block)")
    except HostsError as error:
        module.fail_json(msg=str(error), field=error.field)
    before = read(module, path)
    try:
        after, action = render(before or b"", instance_id, entries, state)
    except HostsError as error:
        module.fail_json(msg="%s in %s" % (error, path), field=error.field)
    changed = action != "unchanged"
    if changed and not module.check_mode:
        write(module, path, after, before is not None)
    result = dict(changed=changed, path=path, action=action,
                  block=[to_text(line).rstrip("\r\n") for line in block_lines(instance_id, entries)] if state == "present" else [])
    if module._diff:
        result["diff"] = dict(before=(before or b"").decode("utf-8", "replace"), after=after.decode("utf-8", "replace"),
                              before_header=path, after_header=path)
    setting = cloud_init_hosts(params["cloud_init_dir"]) if state == "present" else None
    if setting:
        module.warn(cloud_init_warning(setting, path, instance_id))
    result["cloud_init"] = setting
    module.exit_json(**result)


if __name__ == "__main__":
    main()
