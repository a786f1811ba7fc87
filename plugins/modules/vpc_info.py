#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vpc_info
short_description: Describe Alibaba Cloud VPCs with their vSwitches, route tables and route entries
version_added: 0.1.0
description:
  - Returns the VPCs of a region - one by O(vpc_id), those named O(vpc_name), or all of them - with their CIDR blocks
    (secondary ones included), their vSwitches and their route tables with every route entry.
  - A VPC asked for by O(vpc_id) or O(vpc_name) that does not exist is an error, so that a typo does not look like an empty VPC.
  - Calls C(DescribeVpcs), C(DescribeVSwitches), C(DescribeRouteTableList) and C(DescribeRouteEntryList) (VPC API 2016-04-28),
    following their paging.
author:
  - alicloud.acr_access contributors (@alicloud-acr-access)
options:
  vpc_id:
    description:
      - The ID of the VPC, for example V(vpc-bp1example00000000001).
      - Mutually exclusive with O(vpc_name).
    type: str
  vpc_name:
    description:
      - The name of the VPC. Names are not unique; every VPC with exactly this name is returned.
      - Mutually exclusive with O(vpc_id). Without both, every VPC of O(region) is returned.
    type: str
extends_documentation_fragment:
  - alicloud.acr_access.alicloud
  - alicloud.acr_access.attributes
  - alicloud.acr_access.attributes.INFO_MODULE
  - alicloud.acr_access.attributes.ACTIONGROUP_ALICLOUD
requirements:
  - alibabacloud-vpc20160428
seealso:
  - name: DescribeVpcs API reference
    description: The VPC API operation behind this module.
    link: https://www.alibabacloud.com/help/en/vpc/developer-reference/api-vpc-2016-04-28-describevpcs
"""

EXAMPLES = r"""
- name: Describe the registry VPC with its vSwitches and routes
  alicloud.acr_access.vpc_info:
    region: cn-hangzhou
    vpc_id: vpc-bp1example00000000001
  register: registry_vpc

- name: Show the CIDR and the system route table
  ansible.builtin.debug:
    msg: >-
      {{ registry_vpc.vpcs[0].cidr_block }} uses
      {{ registry_vpc.vpcs[0].route_tables | selectattr('route_table_type', 'eq', 'System') | map(attribute='route_table_id') | first }}

- name: Find a VPC by name, credentials from the environment (ALIBABA_CLOUD_ACCESS_KEY_ID...)
  alicloud.acr_access.vpc_info:
    region: cn-shanghai
    vpc_name: vpc2-shanghai
  register: client_vpc

- name: Every VPC of a region, through a local emulator and an assumed RAM role
  alicloud.acr_access.vpc_info:
    region: cn-hangzhou
    endpoint: http://127.0.0.1:8080
    ram_role_arn: acs:ram::123456789012:role/ansible
"""

RETURN = r"""
vpcs:
  description: The VPCs found, in the order of the API.
  returned: success
  type: list
  elements: dict
  contains:
    vpc_id:
      description: The ID of the VPC.
      returned: always
      type: str
      sample: vpc-bp1example00000000001
    vpc_name:
      description: The name of the VPC.
      returned: always
      type: str
      sample: vpc1-hangzhou
    region_id:
      description: The region of the VPC.
      returned: always
      type: str
      sample: cn-hangzhou
    cidr_block:
      description: The primary IPv4 CIDR block.
      returned: always
      type: str
      sample: 10.0.0.0/16
    secondary_cidr_blocks:
      description: The secondary IPv4 CIDR blocks (empty when there are none).
      returned: always
      type: list
      elements: str
      sample: ["192.168.0.0/16"]
    status:
      description: The status of the VPC, V(Pending) or V(Available).
      returned: always
      type: str
      sample: Available
    vrouter_id:
      description: The ID of the VPC's vRouter.
      returned: always
      type: str
      sample: vrt-bp1example00000000001
    description:
      description: The description of the VPC.
      returned: always
      type: str
      sample: registry VPC
    is_default:
      description: Whether this is the default VPC of the region.
      returned: always
      type: bool
      sample: false
    creation_time:
      description: When the VPC was created (UTC, ISO 8601).
      returned: always
      type: str
      sample: "2024-01-01T00:00:00Z"
    vswitches:
      description: The vSwitches of the VPC.
      returned: always
      type: list
      elements: dict
      contains:
        vswitch_id:
          description: The ID of the vSwitch.
          returned: always
          type: str
          sample: vsw-bp1example000000000j1
        vswitch_name:
          description: The name of the vSwitch.
          returned: always
          type: str
          sample: vsw-hangzhou-j
        vpc_id:
          description: The VPC of the vSwitch.
          returned: always
          type: str
          sample: vpc-bp1example00000000001
        zone_id:
          description: The zone of the vSwitch.
          returned: always
          type: str
          sample: cn-hangzhou-j
        cidr_block:
          description: The IPv4 CIDR block of the vSwitch.
          returned: always
          type: str
          sample: 10.0.0.0/24
        status:
          description: The status of the vSwitch, V(Pending) or V(Available).
          returned: always
          type: str
          sample: Available
        available_ip_address_count:
          description: How many IP addresses are still free in the vSwitch.
          returned: always
          type: int
          sample: 250
        description:
          description: The description of the vSwitch.
          returned: always
          type: str
          sample: ""
        route_table_id:
          description: The route table the vSwitch is associated with.
          returned: always
          type: str
          sample: vtb-bp1example00000000001
        route_table_type:
          description: The type of that route table, V(System) or V(Custom).
          returned: always
          type: str
          sample: System
    route_tables:
      description: The route tables of the VPC (system and custom) with their entries.
      returned: always
      type: list
      elements: dict
      contains:
        route_table_id:
          description: The ID of the route table.
          returned: always
          type: str
          sample: vtb-bp1example00000000001
        route_table_name:
          description: The name of the route table.
          returned: always
          type: str
          sample: ""
        route_table_type:
          description: V(System) or V(Custom).
          returned: always
          type: str
          sample: System
        router_id:
          description: The router the table belongs to (the vRouter of the VPC).
          returned: always
          type: str
          sample: vrt-bp1example00000000001
        router_type:
          description: The type of that router, V(VRouter) for a VPC.
          returned: always
          type: str
          sample: VRouter
        status:
          description: The status of the route table.
          returned: always
          type: str
          sample: Available
        description:
          description: The description of the route table.
          returned: always
          type: str
          sample: ""
        vswitch_ids:
          description: The vSwitches associated with the route table.
          returned: always
          type: list
          elements: str
          sample: ["vsw-bp1example000000000j1"]
        entries:
          description: The route entries of the table.
          returned: always
          type: list
          elements: dict
          contains:
            route_entry_id:
              description: The ID of the route entry.
              returned: always
              type: str
              sample: rte-bp1example00000000001
            route_entry_name:
              description: The name of the route entry.
              returned: always
              type: str
              sample: to-registry
            route_table_id:
              description: The route table of the entry.
              returned: always
              type: str
              sample: vtb-bp1example00000000001
            destination_cidr_block:
              description: The destination of the route.
              returned: always
              type: str
              sample: 172.16.0.0/16
            type:
              description: V(System) (created by the cloud), V(Custom) or V(BGP).
              returned: always
              type: str
              sample: Custom
            status:
              description: The status of the entry, V(Pending), V(Available) or V(Modifying).
              returned: always
              type: str
              sample: Available
            description:
              description: The description of the entry.
              returned: always
              type: str
              sample: ""
            next_hops:
              description: Where the route sends the traffic (empty for the local system routes).
              returned: always
              type: list
              elements: dict
              contains:
                next_hop_type:
                  description: The kind of next hop, for example V(Instance), V(Attachment) (a transit router), V(HaVip).
                  returned: always
                  type: str
                  sample: Attachment
                next_hop_id:
                  description: The ID of the next hop, for example V(i-...) or V(tr-attach-...).
                  returned: always
                  type: str
                  sample: tr-attach-example0000000000a
"""

from ansible_collections.alicloud.acr_access.plugins.module_utils.client import AnsibleAlicloudModule
from ansible_collections.alicloud.acr_access.plugins.module_utils.errors import AlicloudError
from ansible_collections.alicloud.acr_access.plugins.module_utils.vpc import describe_vpc_details


def main():
    argument_spec = dict(
        vpc_id=dict(type="str"),
        vpc_name=dict(type="str"),
    )
    module = AnsibleAlicloudModule(argument_spec=argument_spec, mutually_exclusive=[("vpc_id", "vpc_name")], supports_check_mode=True)
    try:
        vpcs = describe_vpc_details(module, module.region, vpc_id=module.params["vpc_id"], vpc_name=module.params["vpc_name"])
    except AlicloudError as error:
        module.fail_json_api(error, msg="Failed to describe the VPCs of region %s" % module.region)
    module.exit_json(changed=False, vpcs=vpcs)


if __name__ == "__main__":
    main()
