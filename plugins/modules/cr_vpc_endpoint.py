#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cr_vpc_endpoint
short_description: Link a VPC to the VPC endpoint of a Container Registry Enterprise Edition instance, or unlink it
version_added: 0.1.0
description:
  - Links a VPC, through one of its vSwitches, to the VPC endpoint of an ACR Enterprise Edition instance, so that hosts in
    that VPC reach the registry at a private address of the vSwitch (the console's C(Access Control > VPC > Add VPC)).
    Unlinks it with O(state=absent).
  - Checks what a read can tell before any write - the instance exists and is C(RUNNING), the vSwitch exists in O(vpc_id)
    and has a free address - so that these mistakes fail with a clear message and nothing changed.
  - The linked-VPC quota of an instance (3 VPCs by default) cannot be read through the API; when it is used up, the
    error names the quota, the VPCs linked now, and the fix (unlink one, or ask for a higher quota).
  - Calls C(GetInstance), C(GetInstanceVpcEndpoint), C(CreateInstanceVpcEndpointLinkedVpc),
    C(DeleteInstanceVpcEndpointLinkedVpc) (CR API 2018-12-01) and C(DescribeVSwitches) (VPC API 2016-04-28).
    Without permission for C(vpc:DescribeVSwitches) the vSwitch check is left to the CR API, with a warning.
author:
  - alicloud.acr_access contributors (@alicloud-acr-access)
options:
  vpc_id:
    description:
      - The VPC to link or unlink. It must be in the instance's region.
    type: str
    required: true
  vswitch_id:
    description:
      - The vSwitch of O(vpc_id) in which the registry gets its private address.
      - Required with O(state=present). With O(state=absent) it is not needed and not used - the link of O(vpc_id) is
        removed whatever its vSwitch.
    type: str
  module_name:
    description:
      - The module of the instance whose VPC endpoint is meant - V(Registry) (images) or V(Chart) (Helm charts).
    type: str
    choices: [Registry, Chart]
    default: Registry
  state:
    description:
      - V(present) links the VPC, V(absent) unlinks it.
    type: str
    choices: [present, absent]
    default: present
  create_dns_record:
    description:
      - Let the cloud add the registry's VPC domain to PrivateZone for this VPC (C(EnableCreateDNSRecordInPvzt)),
        so that hosts in the VPC resolve it to the link's address.
      - Only used when a link is created; an existing link is not changed because of this option.
    type: bool
    default: false
  relink:
    description:
      - What to do when O(vpc_id) is already linked through another vSwitch than O(vswitch_id).
      - V(false) fails, naming both vSwitches, and changes nothing.
      - V(true) unlinks the VPC, waits until the link is gone (even with O(wait=false)), and links it again through
        O(vswitch_id). The registry's address in the VPC changes, and pulls from that VPC fail in between.
    type: bool
    default: false
  wait:
    description:
      - Wait until a new link is C(RUNNING), or a removed one is gone.
  wait_timeout:
    description:
      - How many seconds to wait, in all, for O(wait) (and for the unlink of O(relink)).
    default: 180
extends_documentation_fragment:
  - alicloud.acr_access.alicloud
  - alicloud.acr_access.attributes
  - alicloud.acr_access.attributes.ACTIONGROUP_ALICLOUD
  - alicloud.acr_access.cr_instance
  - alicloud.acr_access.wait
  - alicloud.acr_access.wait.progress
attributes:
  check_mode:
    support: full
    details:
      - Reads only and predicts the change; the link's address is unknown until it is created.
  diff_mode:
    support: full
  idempotent:
    support: full
requirements:
  - alibabacloud-cr20181201
  - alibabacloud-vpc20160428
notes:
  - A link takes about half a minute to become C(RUNNING). Its address is shown only from then on.
  - The API takes no idempotency token for this operation. If an answer is lost and the request is sent again,
    the cloud answers that the VPC is already linked; the module then reads the link back and accepts it when its
    vSwitch is O(vswitch_id).
seealso:
  - module: alicloud.acr_access.cr_instance_info
  - name: CreateInstanceVpcEndpointLinkedVpc API reference
    description: The CR API operation behind this module.
    link: https://www.alibabacloud.com/help/en/acr/developer-reference/api-cr-2018-12-01-createinstancevpcendpointlinkedvpc
"""

EXAMPLES = r"""
- name: Link the registry VPC so that its hosts can pull over a private address
  alicloud.acr_access.cr_vpc_endpoint:
    region: cn-hangzhou
    instance_name: acr-example
    vpc_id: vpc-bp1example00000000001
    vswitch_id: vsw-bp1example000000000j1
    create_dns_record: true
  register: link

- name: Show the address the registry domain must resolve to inside the VPC
  ansible.builtin.debug:
    msg: "{{ link.vpc_domains[0] }} -> {{ link.link.ip }}"

- name: Move the link to another vSwitch of the same VPC
  alicloud.acr_access.cr_vpc_endpoint:
    region: cn-hangzhou
    instance_id: cri-example000000001
    vpc_id: vpc-bp1example00000000001
    vswitch_id: vsw-bp1example000000000k1
    relink: true

- name: Unlink the VPC without waiting
  alicloud.acr_access.cr_vpc_endpoint:
    region: cn-hangzhou
    instance_id: cri-example000000001
    vpc_id: vpc-bp1example00000000001
    state: absent
    wait: false
"""

RETURN = r"""
instance_id:
  description: The ID of the instance.
  returned: success
  type: str
  sample: cri-example000000001
module_name:
  description: The module of the instance whose VPC endpoint was managed.
  returned: success
  type: str
  sample: Registry
link:
  description:
    - The link of O(vpc_id) after the task (predicted in check mode); an empty dict when the VPC is not linked.
  returned: success
  type: dict
  contains:
    vpc_id:
      description: The linked VPC.
      returned: when linked
      type: str
      sample: vpc-bp1example00000000001
    vswitch_id:
      description: The vSwitch that holds the registry's address.
      returned: when linked
      type: str
      sample: vsw-bp1example000000000j1
    ip:
      description: The registry's address in the VPC; empty until the link is C(RUNNING) (and in check mode).
      returned: when linked
      type: str
      sample: 10.94.205.198
    status:
      description: The status of the link, V(CREATING), V(RUNNING) or V(DELETING).
      returned: when linked
      type: str
      sample: RUNNING
    default_access:
      description: Whether the VPC is the default access VPC of the instance.
      returned: when linked
      type: bool
      sample: false
vpc_domains:
  description: The domain names of the instance's VPC endpoint (of O(module_name)), to be resolved to RV(link.ip) inside the VPC.
  returned: success
  type: list
  elements: str
  sample: ["acr-example-registry-vpc.cn-hangzhou.cr.aliyuncs.com"]
"""

from ansible_collections.alicloud.acr_access.plugins.module_utils.client import AnsibleAlicloudModule
from ansible_collections.alicloud.acr_access.plugins.module_utils.cr import LINK_WAIT_TIMEOUT, MODULE_NAMES, LinkedVpcManager
from ansible_collections.alicloud.acr_access.plugins.module_utils.resource import run, wait_argument_spec


def main():
    argument_spec = dict(
        instance_id=dict(type="str"),
        instance_name=dict(type="str"),
        vpc_id=dict(type="str", required=True),
        vswitch_id=dict(type="str"),
        module_name=dict(type="str", default="Registry", choices=list(MODULE_NAMES)),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        create_dns_record=dict(type="bool", default=False),
        relink=dict(type="bool", default=False),
        **wait_argument_spec(LINK_WAIT_TIMEOUT),
    )
    module = AnsibleAlicloudModule(argument_spec=argument_spec, supports_check_mode=True,
                                   mutually_exclusive=[("instance_id", "instance_name")],
                                   required_one_of=[("instance_id", "instance_name")],
                                   required_if=[("state", "present", ("vswitch_id",))])
    run(module, LinkedVpcManager, "Failed to {verb} VPC {vpc_id}")


if __name__ == "__main__":
    main()
