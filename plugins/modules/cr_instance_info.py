#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cr_instance_info
short_description: Describe Container Registry Enterprise Edition instances with their endpoints and linked VPCs
version_added: 0.1.0
description:
  - Returns the ACR Enterprise Edition instances of a region - one by O(instance_id), those named O(instance_name), or all
    of them - with their status, specification, and endpoints - the VPC endpoint domains of the Registry module (and of
    the Chart module where the instance has one), each linked VPC with its vSwitch, address and status, and the state and
    domains of the internet endpoint. O(module_names) limits the endpoints read to the modules needed.
  - An instance asked for by O(instance_id) or O(instance_name) that does not exist is an error, so that a typo does not
    look like an empty answer.
  - C(ListInstance) matches names as substrings; this module keeps only the instances named exactly O(instance_name).
  - Calls C(GetInstance) or C(ListInstance), then C(ListInstanceEndpoint) and C(GetInstanceVpcEndpoint) per module of
    O(module_names) (CR API 2018-12-01). CR requests carry no region; the client of O(region) is used.
author:
  - alicloud.acr_access contributors (@alicloud-acr-access)
options:
  instance_id:
    description:
      - The ID of the instance, for example V(cri-example000000001).
      - Mutually exclusive with O(instance_name).
    type: str
  instance_name:
    description:
      - The exact name of the instance. Every instance of O(region) with exactly this name is returned.
      - Mutually exclusive with O(instance_id). Without both, every instance of O(region) is returned.
    type: str
  module_names:
    description:
      - The modules of the instance whose endpoints are read - V(Registry) (images) and V(Chart) (Helm charts), two reads each.
      - Only these are in RV(instances[].endpoints); V([]) returns the instances without their endpoints.
    type: list
    elements: str
    choices: [Registry, Chart]
    default: [Registry, Chart]
extends_documentation_fragment:
  - alicloud.acr_access.alicloud
  - alicloud.acr_access.attributes
  - alicloud.acr_access.attributes.INFO_MODULE
  - alicloud.acr_access.attributes.ACTIONGROUP_ALICLOUD
requirements:
  - alibabacloud-cr20181201
seealso:
  - module: alicloud.acr_access.cr_vpc_endpoint
  - name: GetInstanceVpcEndpoint API reference
    description: The CR API operation that returns the linked VPCs.
    link: https://www.alibabacloud.com/help/en/acr/developer-reference/api-cr-2018-12-01-getinstancevpcendpoint
"""

EXAMPLES = r"""
- name: Describe the registry instance
  alicloud.acr_access.cr_instance_info:
    region: cn-hangzhou
    instance_name: acr-example
  register: registry

- name: Show the registry's VPC domain and its address in each linked VPC
  ansible.builtin.debug:
    msg: >-
      {{ registry.instances[0].endpoints.registry.vpc.domains[0] }}:
      {{ registry.instances[0].endpoints.registry.vpc.linked_vpcs | map(attribute='ip') | list }}

- name: Every instance of a region
  alicloud.acr_access.cr_instance_info:
    region: cn-shanghai

- name: Only the endpoints of the Registry module (images), not those of the Chart module
  alicloud.acr_access.cr_instance_info:
    region: cn-hangzhou
    instance_name: acr-example
    module_names: [Registry]
"""

RETURN = r"""
instances:
  description: The instances found.
  returned: success
  type: list
  elements: dict
  contains:
    instance_id:
      description: The ID of the instance.
      returned: always
      type: str
      sample: cri-example000000001
    instance_name:
      description: The name of the instance.
      returned: always
      type: str
      sample: acr-example
    region_id:
      description: The region of the instance.
      returned: always
      type: str
      sample: cn-hangzhou
    status:
      description: The status of the instance, for example V(RUNNING), V(STARTING), V(STOPPED).
      returned: always
      type: str
      sample: RUNNING
    specification:
      description: The edition, for example V(Enterprise_Basic), V(Enterprise_Standard), V(Enterprise_Advanced).
      returned: always
      type: str
      sample: Enterprise_Basic
    resource_group_id:
      description: The resource group of the instance.
      returned: always
      type: str
      sample: rg-example0000001
    tags:
      description: The tags of the instance, keys and values as the user spelled them.
      returned: always
      type: dict
      sample: {"env": "prod"}
    endpoints:
      description: The endpoints of the instance's modules (of O(module_names)).
      returned: always
      type: dict
      contains:
        registry:
          description: The endpoints of the Registry module (images).
          returned: when O(module_names) includes V(Registry)
          type: dict
          contains:
            vpc:
              description: The VPC endpoint.
              returned: always
              type: dict
              contains:
                enabled:
                  description: Whether the VPC endpoint is on (it is while at least one VPC is linked).
                  returned: always
                  type: bool
                  sample: true
                status:
                  description: The status of the VPC endpoint, for example V(RUNNING) or V(STOPPED).
                  returned: always
                  type: str
                  sample: RUNNING
                domains:
                  description: The domain names of the VPC endpoint.
                  returned: always
                  type: list
                  elements: str
                  sample: ["acr-example-registry-vpc.cn-hangzhou.cr.aliyuncs.com"]
                linked_vpcs:
                  description: The VPCs linked to the endpoint.
                  returned: always
                  type: list
                  elements: dict
                  contains:
                    vpc_id:
                      description: The linked VPC.
                      returned: always
                      type: str
                      sample: vpc-bp1example00000000001
                    vswitch_id:
                      description: The vSwitch that holds the registry's address.
                      returned: always
                      type: str
                      sample: vsw-bp1example000000000j1
                    ip:
                      description: The registry's address in the VPC (empty until the link is V(RUNNING)).
                      returned: always
                      type: str
                      sample: 10.94.205.198
                    status:
                      description: The status of the link, V(CREATING), V(RUNNING) or V(DELETING).
                      returned: always
                      type: str
                      sample: RUNNING
                    default_access:
                      description: Whether the VPC is the default access VPC of the instance.
                      returned: always
                      type: bool
                      sample: false
            internet:
              description: The internet endpoint.
              returned: always
              type: dict
              contains:
                enabled:
                  description: Whether access from the internet is on.
                  returned: always
                  type: bool
                  sample: false
                status:
                  description: The status of the internet endpoint, for example V(RUNNING) or V(STOPPED).
                  returned: always
                  type: str
                  sample: STOPPED
                domains:
                  description: The domain names of the internet endpoint.
                  returned: always
                  type: list
                  elements: str
                  sample: ["acr-example-registry.cn-hangzhou.cr.aliyuncs.com"]
        chart:
          description:
            - The endpoints of the Chart module (Helm charts), in the same shape as RV(instances[].endpoints.registry).
            - V(null) when the instance has no Chart module (the API answers an error for it).
          returned: when O(module_names) includes V(Chart)
          type: dict
"""

from ansible_collections.alicloud.acr_access.plugins.module_utils.client import AnsibleAlicloudModule
from ansible_collections.alicloud.acr_access.plugins.module_utils.cr import MODULE_NAMES, describe_instance_details
from ansible_collections.alicloud.acr_access.plugins.module_utils.errors import AlicloudError


def main():
    argument_spec = dict(
        instance_id=dict(type="str"),
        instance_name=dict(type="str"),
        module_names=dict(type="list", elements="str", choices=list(MODULE_NAMES), default=list(MODULE_NAMES)),
    )
    module = AnsibleAlicloudModule(argument_spec=argument_spec, mutually_exclusive=[("instance_id", "instance_name")],
                                   supports_check_mode=True)
    try:
        instances = describe_instance_details(module, module.region, instance_id=module.params["instance_id"],
                                              instance_name=module.params["instance_name"], module_names=module.params["module_names"])
    except AlicloudError as error:
        module.fail_json_api(error, msg="Failed to describe the Container Registry instances of region %s" % module.region)
    module.exit_json(changed=False, instances=instances)


if __name__ == "__main__":
    main()
