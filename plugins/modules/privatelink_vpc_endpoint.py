#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: privatelink_vpc_endpoint
short_description: Make or remove a PrivateLink interface endpoint of an endpoint service (by default the region's OSS) in a VPC
version_added: 0.2.0
description:
  - Makes, finds or removes the interface endpoint (VPC endpoint) of one endpoint service in a VPC, with an address in each
    vSwitch given (one per zone). By default the service is the region's OSS, C(com.aliyuncs.privatelink.<region>.oss).
  - This is the OSS fix of the procedure "Access an Enterprise Edition instance across regions or from a data center"
    when the OSS VIP ranges conflict with a 100.x CIDR block in use - OSS is then reached at the endpoint's addresses,
    inside the VPC's own CIDR block, and no 100.x OSS route is needed.
  - The endpoint is found by O(vpc_id) and O(service_name) (and O(name) when given). Its zones are chosen when it is made;
    an endpoint found in other vSwitches is kept as it is, with a warning.
  - Checks before any write that the service is offered to the account in the region and that each vSwitch belongs to
    O(vpc_id), one per zone.
  - Calls C(ListVpcEndpointServicesByEndUser), C(ListVpcEndpoints), C(ListVpcEndpointZones), C(CreateVpcEndpoint),
    C(DeleteVpcEndpoint) (PrivateLink API 2020-04-15) and C(DescribeVSwitches) (VPC API 2016-04-28).
author:
  - alicloud.acr_access contributors (@alicloud-acr-access)
options:
  vpc_id:
    description:
      - The VPC the endpoint is in (for OSS behind a registry, the registry's VPC).
    type: str
    required: true
  service_name:
    description:
      - The name of the endpoint service.
      - Default - the OSS endpoint service of O(region), C(com.aliyuncs.privatelink.<region>.oss).
    type: str
  vswitch_ids:
    description:
      - The vSwitches of O(vpc_id) the endpoint gets an address in, at most one per zone (two zones for high availability).
      - Required with O(state=present); only used when the endpoint is made.
    type: list
    elements: str
    default: []
  security_group_ids:
    description:
      - Security groups of O(vpc_id) for the endpoint's network interfaces (the console asks for one; they must allow HTTPS
        from the clients).
    type: list
    elements: str
    default: []
  name:
    description:
      - The endpoint's name. When given it is also part of the lookup.
    type: str
  description:
    description:
      - The endpoint's description, sent when it is made.
    type: str
  state:
    description:
      - V(present) makes the endpoint (or finds it), V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description:
      - Wait until a new endpoint is C(Active) (its addresses are known then), or a removed one is gone.
  wait_timeout:
    description:
      - How many seconds to wait, in all, for O(wait).
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
      - Reads only and predicts the change; a new endpoint's id, domain and addresses are unknown until it is made.
  diff_mode:
    support: full
  idempotent:
    support: full
requirements:
  - alibabacloud-privatelink20200415
  - alibabacloud-vpc20160428
notes:
  - Every create sends a ClientToken derived from its parameters, so that a create sent again, or by two runs at once,
    makes one endpoint.
  - An endpoint that is still C(Creating) cannot be deleted; O(state=absent) retries the delete until it is C(Active).
seealso:
  - module: alicloud.acr_access.registry_access_plan
  - name: CreateVpcEndpoint API reference
    description: The PrivateLink API operation behind this module.
    link: https://www.alibabacloud.com/help/en/privatelink/developer-reference/api-privatelink-2020-04-15-createvpcendpoint
"""

EXAMPLES = r"""
- name: Reach the registry region's OSS through PrivateLink from inside the registry VPC
  alicloud.acr_access.privatelink_vpc_endpoint:
    region: cn-hangzhou
    vpc_id: vpc-bp1example00000000001
    vswitch_ids: [vsw-bp1example000000000j1, vsw-bp1example000000000k1]
    security_group_ids: [sg-bp1example00000000001]
    name: oss-for-registry
  register: oss_endpoint

- name: Show the addresses the OSS domain resolves to now
  ansible.builtin.debug:
    msg: "{{ oss_endpoint.endpoint.addresses }} ({{ oss_endpoint.endpoint.domain }})"

- name: Remove it
  alicloud.acr_access.privatelink_vpc_endpoint:
    region: cn-hangzhou
    vpc_id: vpc-bp1example00000000001
    name: oss-for-registry
    state: absent
"""

RETURN = r"""
service_name:
  description: The endpoint service's name (the default one when O(service_name) was not given).
  returned: success
  type: str
  sample: com.aliyuncs.privatelink.cn-hangzhou.oss
endpoint:
  description:
    - The endpoint after the task (predicted in check mode); an empty dict when there is none.
  returned: success
  type: dict
  contains:
    endpoint_id:
      description: The endpoint's ID (none in check mode before it exists).
      returned: when present
      type: str
      sample: ep-bp1example000000000001
    name:
      description: The endpoint's name.
      returned: when present
      type: str
      sample: oss-for-registry
    service_name:
      description: The endpoint service's name.
      returned: when present
      type: str
      sample: com.aliyuncs.privatelink.cn-hangzhou.oss
    service_id:
      description: The endpoint service's ID.
      returned: when present
      type: str
      sample: epsrv-bp1example000000001
    vpc_id:
      description: The VPC of the endpoint.
      returned: when present
      type: str
      sample: vpc-bp1example00000000001
    status:
      description: V(Creating), V(Active), V(Pending) or V(Deleting).
      returned: when present
      type: str
      sample: Active
    connection_status:
      description: The connection to the service, V(Connected) once the service accepted it.
      returned: when present
      type: str
      sample: Connected
    domain:
      description: The endpoint's domain name (a CNAME target for the service's domain).
      returned: when present
      type: str
      sample: ep-bp1example000000000001.epsrv-bp1example000000001.cn-hangzhou.privatelink.aliyuncs.com
    addresses:
      description: The addresses of the endpoint's network interfaces, one per zone, once they are known.
      returned: when present
      type: list
      elements: str
      sample: ["10.0.0.201", "10.0.1.201"]
    zones:
      description: The endpoint's zones.
      returned: when present
      type: list
      elements: dict
      contains:
        zone_id:
          description: The zone.
          type: str
          sample: cn-hangzhou-j
        vswitch_id:
          description: The vSwitch that holds the address.
          type: str
          sample: vsw-bp1example000000000j1
        ip:
          description: The address (empty until it is known).
          type: str
          sample: 10.0.0.201
        eni_id:
          description: The network interface.
          type: str
          sample: eni-bp1example000000000001
        status:
          description: V(Creating), V(Wait), V(Connected), V(Deleting) or V(Disconnected).
          type: str
          sample: Connected
        domain:
          description: The zone's own domain name.
          type: str
          sample: ep-bp1example000000000001-cn-hangzhou-j.epsrv-bp1example000000001.cn-hangzhou.privatelink.aliyuncs.com
"""

from ansible_collections.alicloud.acr_access.plugins.module_utils.client import AnsibleAlicloudModule
from ansible_collections.alicloud.acr_access.plugins.module_utils.privatelink import VpcEndpointManager
from ansible_collections.alicloud.acr_access.plugins.module_utils.resource import run, wait_argument_spec


def main():
    argument_spec = dict(
        vpc_id=dict(type="str", required=True),
        service_name=dict(type="str"),
        vswitch_ids=dict(type="list", elements="str", default=[]),
        security_group_ids=dict(type="list", elements="str", default=[]),
        name=dict(type="str"),
        description=dict(type="str"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        **wait_argument_spec(600),
    )
    module = AnsibleAlicloudModule(argument_spec=argument_spec, supports_check_mode=True, region_required="the endpoint")
    run(module, VpcEndpointManager, "Failed to manage the PrivateLink endpoint of {service_name} in VPC {vpc_id} ({region})")


if __name__ == "__main__":
    main()
