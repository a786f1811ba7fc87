#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ecs_instance_info
short_description: Describe Alibaba Cloud ECS instances - where they are and whether they run
version_added: 0.2.0
description:
  - Returns the ECS instances of a region - those with the ids O(instance_ids), those of O(vpc_id), those named O(name),
    or all of them - each with its VPC, vSwitch, zone, private addresses and status.
  - The roles use it to check, before any change, that the ECS instance behind the covering V(100.0.0.0/8) route (the
    next hop of that route in the registry VPC) exists, is in the registry VPC and runs.
  - An instance asked for by id or name that does not exist is an error (code C(InvalidInstanceId.NotFound) or
    C(InvalidInstanceName.NotFound)), so that a typo does not look like a missing instance.
  - Calls C(DescribeInstances) (ECS API 2014-05-26), following its paging; reads only, also in check mode.
author:
  - alicloud.acr_access contributors (@alicloud-acr-access)
options:
  instance_ids:
    description:
      - Only the instances with these ids, for example V(i-bp1example000000001).
    type: list
    elements: str
  vpc_id:
    description:
      - Only the instances in this VPC, for example V(vpc-bp1example00000000001).
      - With O(instance_ids), an asked-for instance in another VPC is reported as not found.
    type: str
  name:
    description:
      - Only the instances with exactly this name (names are not unique).
    type: str
extends_documentation_fragment:
  - alicloud.acr_access.alicloud
  - alicloud.acr_access.attributes
  - alicloud.acr_access.attributes.INFO_MODULE
  - alicloud.acr_access.attributes.ACTIONGROUP_ALICLOUD
requirements:
  - alibabacloud-ecs20140526
seealso:
  - module: alicloud.acr_access.vpc_route_entry
  - name: DescribeInstances API reference
    description: The API operation behind this module.
    link: https://www.alibabacloud.com/help/en/ecs/developer-reference/api-ecs-2014-05-26-describeinstances
"""

EXAMPLES = r"""
- name: The ECS instance that forwards the registry VPC's 100.x traffic
  alicloud.acr_access.ecs_instance_info:
    region: cn-hangzhou
    instance_ids: [i-bp1example000000001]
  register: forwarder

- name: Stop unless it runs in the registry VPC
  ansible.builtin.assert:
    that:
      - forwarder.instances[0].vpc_id == 'vpc-bp1example00000000001'
      - forwarder.instances[0].status == 'Running'

- name: Every instance of a VPC
  alicloud.acr_access.ecs_instance_info:
    region: cn-hangzhou
    vpc_id: vpc-bp1example00000000001
  register: vpc_instances
"""

RETURN = r"""
instances:
  description: The instances found, in the order of the API.
  returned: success
  type: list
  elements: dict
  contains:
    instance_id:
      description: The ID of the instance.
      returned: always
      type: str
      sample: i-bp1example000000001
    instance_name:
      description: The name of the instance.
      returned: always
      type: str
      sample: ecs1-hangzhou
    status:
      description:
        - V(Running), V(Stopped), or a transitional V(Pending), V(Starting), V(Stopping).
        - Only a running instance forwards traffic; a route entry may still point at a stopped one.
      returned: always
      type: str
      sample: Running
    region_id:
      description: The region of the instance.
      returned: always
      type: str
      sample: cn-hangzhou
    zone_id:
      description: The zone of the instance.
      returned: always
      type: str
      sample: cn-hangzhou-j
    vpc_id:
      description: The VPC of the instance; V(null) for a classic-network instance.
      returned: always
      type: str
      sample: vpc-bp1example00000000001
    vswitch_id:
      description: The vSwitch of the instance.
      returned: always
      type: str
      sample: vsw-bp1example000000000j1
    private_ip_addresses:
      description: The private addresses of the instance in its VPC.
      returned: always
      type: list
      elements: str
      sample: [10.0.0.1]
    network_interface_ids:
      description: The elastic network interfaces of the instance.
      returned: always
      type: list
      elements: str
      sample: [eni-bp1example000000001]
    instance_type:
      description: The instance type.
      returned: always
      type: str
      sample: ecs.g7.large
    description:
      description: The description of the instance.
      returned: always
      type: str
      sample: ""
    operation_locks:
      description: Why the instance is locked (for example V(financial) when the account is overdue); empty when it is not.
      returned: always
      type: list
      elements: str
      sample: []
    creation_time:
      description: When the instance was created (UTC, ISO 8601).
      returned: always
      type: str
      sample: "2026-01-01T00:00Z"
"""

from ansible_collections.alicloud.acr_access.plugins.module_utils.client import AnsibleAlicloudModule
from ansible_collections.alicloud.acr_access.plugins.module_utils.ecs import describe_instance_details
from ansible_collections.alicloud.acr_access.plugins.module_utils.errors import AlicloudError


def main():
    argument_spec = dict(
        instance_ids=dict(type="list", elements="str"),
        vpc_id=dict(type="str"),
        name=dict(type="str"),
    )
    module = AnsibleAlicloudModule(argument_spec=argument_spec, supports_check_mode=True, region_required="the instances")
    params = module.params
    try:
        instances = describe_instance_details(module, module.region, instance_ids=params["instance_ids"], vpc_id=params["vpc_id"],
                                              name=params["name"])
    except AlicloudError as error:
        module.fail_json_api(error, msg="Failed to describe the ECS instances of region %s" % module.region)
    module.exit_json(changed=False, instances=instances)


if __name__ == "__main__":
    main()
