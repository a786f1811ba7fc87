#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vpn_route_entry
short_description: Manage destination routes of an Alibaba Cloud VPN gateway and their publication to the VPC
version_added: 0.1.0
description:
  - Makes the listed destination routes of one VPN gateway present or absent - for example the data center's CIDR blocks,
    next hop the IPsec connection to the data center, published to the system route table of the gateway's VPC.
  - The gateway, its customer gateways and IPsec connections are not created here (they are billed and site-specific);
    M(alicloud.acr_access.vpn_gateway_info) finds their ids by name.
  - A route is named by its destination and its next hop; a destination may have several routes (an active one of weight
    V(100) and a standby one of weight V(0)). The gateway's routes are read once (C(DescribeVpnRouteEntries), paged) and each
    listed route is compared with the route of the same destination and next hop. Missing - created with a C(ClientToken)
    (C(CreateVpnRouteEntry)). Another weight - changed in place (C(ModifyVpnRouteEntryWeight)). Another publication -
    published or withdrawn in place (C(PublishVpnRouteEntry)). Routes that are not listed are never touched, unless
    O(replace_other_next_hops=true) (see there).
  - The cloud returns no description for a VPN route, so the module cannot tell the routes it created from anybody else's;
    a listed route is converged whoever created it.
  - The gateway refuses a change while it applies the last one (it is C(updating)), so changes are made one at a time, each
    after the gateway is C(active) again; C(VpnGateway.Configuring) and the other busy codes are retried within O(wait_timeout).
  - With O(wait=true), the task ends when the gateway is C(active) and every publication or withdrawal is visible in the
    VPC's system route table (an entry with next hop type C(VpnGateway) and the gateway as next hop, C(Available), or gone).
  - All input is checked before any write - CIDR syntax (an address becomes a /32; host bits set is an error naming the network),
    IPv4 only, V(0.0.0.0/0) and anything overlapping V(100.64.0.0/10) (refused by the cloud), next hops that are no IPsec
    connection of the gateway (named with the gateway's connections), a pair listed twice, and a destination to publish that the
    VPC's system route table already routes elsewhere.
author:
  - alicloud.acr_access contributors (@alicloud-acr-access)
options:
  vpn_gateway_id:
    description:
      - The ID of the VPN gateway, for example V(vpn-bp1example00000000001).
    type: str
    required: true
  routes:
    description:
      - The destination routes to manage on the gateway.
    type: list
    elements: dict
    required: true
    suboptions:
      destination:
        description:
          - The destination, for example V(192.168.0.0/24) (the data center's network). An address without a prefix length
            means that address alone (/32).
        type: str
        required: true
      next_hop:
        description:
          - The IPsec connection of the gateway that leads to the destination, for example V(vco-bp1example00000000001).
        type: str
        required: true
      weight:
        description:
          - V(100) for the active route, V(0) for a standby route of the same destination.
        type: int
        default: 100
        choices: [100, 0]
      publish_vpc:
        description:
          - Publish the route to the system route table of the gateway's VPC, so that the VPC's instances reach the destination
            through the gateway. V(false) withdraws a published route.
        type: bool
        default: true
      description:
        description:
          - The description of the route, set when it is created (the cloud can neither change nor return it afterwards).
        type: str
  state:
    description: Whether the listed routes must be on the gateway or not (a deleted published route is withdrawn from the VPC too).
    type: str
    default: present
    choices: [present, absent]
  replace_other_next_hops:
    description:
      - Delete the routes of a listed destination whose next hop is not listed for it, once the listed routes are in place
        (so the destination is never without a route). This is how a route moves to another IPsec connection.
      - Without it such routes are kept, whoever made them.
    type: bool
    default: false
  wait:
    description:
      - Wait until the gateway is C(active) after the last change and every changed publication is visible in the VPC's
        system route table. Changes before the last are always waited for, because the gateway takes one change at a time.
  wait_timeout:
    description:
      - Seconds for the whole task (changes, retries of busy answers and waits), one budget for all of them.
      - No change is sent once it is spent; the task then fails naming the change it did not make.
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
  diff_mode:
    support: full
    details:
      - The routes of the listed destinations before and after, by destination and next hop (weight, published).
  idempotent:
    support: full
requirements:
  - alibabacloud-vpc20160428
seealso:
  - module: alicloud.acr_access.vpn_gateway_info
  - module: alicloud.acr_access.vpc_route_entry
  - name: CreateVpnRouteEntry API reference
    description: The API operation behind this module.
    link: https://www.alibabacloud.com/help/en/vpn/sub-product-ipsec-vpn/developer-reference/api-vpc-2016-04-28-createvpnrouteentry-vpns
  - name: PublishVpnRouteEntry API reference
    description: How a route is published to, or withdrawn from, the VPC's system route table.
    link: https://www.alibabacloud.com/help/en/vpn/sub-product-ipsec-vpn/developer-reference/api-vpc-2016-04-28-publishvpnrouteentry-vpns
"""

EXAMPLES = r"""
- name: Find the VPN gateway of the registry VPC and its IPsec connection to the data center
  alicloud.acr_access.vpn_gateway_info:
    region: cn-hangzhou
    vpc_id: vpc-bp1example00000000001
    name: vpn-to-idc
  register: vpn

- name: Route the data center's network through the IPsec connection, published to the registry VPC
  alicloud.acr_access.vpn_route_entry:
    region: cn-hangzhou
    vpn_gateway_id: "{{ vpn.vpn_gateways[0].vpn_gateway_id }}"
    routes:
      - destination: 192.168.0.0/24
        next_hop: "{{ vpn.vpn_gateways[0].ipsec_connections[0].vpn_connection_id }}"
        description: data center

- name: An active and a standby tunnel to the data center
  alicloud.acr_access.vpn_route_entry:
    region: cn-hangzhou
    vpn_gateway_id: vpn-bp1example00000000001
    routes:
      - {destination: 192.168.0.0/24, next_hop: vco-bp1example00000000001, weight: 100}
      - {destination: 192.168.0.0/24, next_hop: vco-bp1example00000000002, weight: 0}

- name: Remove the route (and its publication)
  alicloud.acr_access.vpn_route_entry:
    region: cn-hangzhou
    vpn_gateway_id: vpn-bp1example00000000001
    routes:
      - {destination: 192.168.0.0/24, next_hop: vco-bp1example00000000001}
    state: absent
"""

RETURN = r"""
vpn_gateway_id:
  description: The VPN gateway whose routes were managed.
  returned: success
  type: str
  sample: vpn-bp1example00000000001
vpc_id:
  description: The VPC of the gateway, whose system route table receives the published routes.
  returned: success
  type: str
  sample: vpc-bp1example00000000001
routes:
  description:
    - One item per listed route, in the order given, then the routes O(replace_other_next_hops=true) deleted.
  returned: success
  type: list
  elements: dict
  contains:
    destination:
      description: The destination, normalised (V(10.0.0.1) becomes V(10.0.0.1/32)).
      returned: always
      type: str
      sample: 192.168.0.0/24
    next_hop:
      description: The IPsec connection the route leads to.
      returned: always
      type: str
      sample: vco-bp1example00000000001
    weight:
      description: The weight after the task (as predicted in check mode); for a deleted route, its weight before; V(null) when absent.
      returned: always
      type: int
      sample: 100
    published:
      description: Whether the route is published to the VPC's system route table; V(null) when absent.
      returned: always
      type: bool
      sample: true
    state:
      description: The route's state as the cloud reports it, V(published) or V(normal); V(null) when absent.
      returned: always
      type: str
      sample: published
    action:
      description:
        - V(created), V(updated) (weight or publication changed in place), V(unchanged), V(deleted), or V(absent)
          (O(state=absent) and the gateway has no such route).
      returned: always
      type: str
      sample: created
diff:
  description: The routes of the listed destinations before and after, as Ansible's C(--diff) shows them.
  returned: success
  type: dict
  contains:
    before:
      description: By destination, then by next hop - C(weight) and C(published).
      returned: always
      type: dict
      sample: {"192.168.0.0/24": {"vco-bp1example00000000001": {"weight": 100, "published": false}}}
    after:
      description: The same after the task (as predicted in check mode).
      returned: always
      type: dict
"""

from ansible_collections.alicloud.acr_access.plugins.module_utils.client import AnsibleAlicloudModule
from ansible_collections.alicloud.acr_access.plugins.module_utils.resource import run, wait_argument_spec
from ansible_collections.alicloud.acr_access.plugins.module_utils.vpn_routes import (
    VPN_ROUTE_DEFAULT_TIMEOUT, VpnRoutesManager, vpn_route_options)


def main():
    module = AnsibleAlicloudModule(
        argument_spec=dict(
            vpn_gateway_id=dict(type="str", required=True),
            routes=dict(type="list", elements="dict", required=True, options=vpn_route_options()),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            replace_other_next_hops=dict(type="bool", default=False),
            **wait_argument_spec(VPN_ROUTE_DEFAULT_TIMEOUT),
        ),
        supports_check_mode=True,
    )
    run(module, VpnRoutesManager, "Failed to manage the destination routes of VPN gateway {gateway}")


if __name__ == "__main__":
    main()
