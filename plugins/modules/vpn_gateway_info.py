#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vpn_gateway_info
short_description: Describe Alibaba Cloud VPN gateways with their IPsec connections and customer gateways
version_added: 0.1.0
description:
  - Returns the VPN gateways of a region - those of O(vpc_id), those with the ids O(vpn_gateway_ids), those named O(name),
    or all of them - each with its IPsec connections (id, name, status, local and remote subnets, attach type) and the
    customer gateway (the data center's side) of each connection.
  - Also returns the IPsec connections of the region that are bound to a transit router instead of a VPN gateway
    (attach type V(CEN)) - all of them, or those with the ids O(ipsec_connection_ids) or named O(ipsec_connection_name).
  - A gateway or connection asked for by id or name that does not exist is an error, so that a typo does not look like
    a missing gateway.
  - Calls C(DescribeVpnGateways), C(DescribeVpnConnections) and C(DescribeCustomerGateways) once each (VPC API 2016-04-28),
    following their paging. Secrets of the answers (the connections' pre-shared keys, the customer gateways' BGP
    authentication keys) are never returned.
author:
  - alicloud.acr_access contributors (@alicloud-acr-access)
options:
  vpc_id:
    description:
      - Only the VPN gateways of this VPC, for example V(vpc-bp1example00000000001).
    type: str
  vpn_gateway_ids:
    description:
      - Only the VPN gateways with these ids.
    type: list
    elements: str
  name:
    description:
      - Only the VPN gateways with exactly this name (names are not unique).
    type: str
  ipsec_connection_ids:
    description:
      - Only the IPsec connections bound to a transit router with these ids (in RV(transit_router_connections)).
    type: list
    elements: str
  ipsec_connection_name:
    description:
      - Only the IPsec connections bound to a transit router with exactly this name (in RV(transit_router_connections)).
    type: str
extends_documentation_fragment:
  - alicloud.acr_access.alicloud
  - alicloud.acr_access.attributes
  - alicloud.acr_access.attributes.INFO_MODULE
  - alicloud.acr_access.attributes.ACTIONGROUP_ALICLOUD
requirements:
  - alibabacloud-vpc20160428
seealso:
  - module: alicloud.acr_access.vpn_route_entry
  - name: DescribeVpnConnections API reference
    description: The API operation behind the IPsec connections.
    link: https://www.alibabacloud.com/help/en/vpn/sub-product-ipsec-vpn/developer-reference/api-vpc-2016-04-28-describevpnconnections-ipsec
"""

EXAMPLES = r"""
- name: The VPN gateway of the registry VPC and its IPsec connection to the data center
  alicloud.acr_access.vpn_gateway_info:
    region: cn-hangzhou
    vpc_id: vpc-bp1example00000000001
    name: vpn-to-idc
  register: vpn

- name: Route the data center through that connection
  alicloud.acr_access.vpn_route_entry:
    region: cn-hangzhou
    vpn_gateway_id: "{{ vpn.vpn_gateways[0].vpn_gateway_id }}"
    routes:
      - destination: 192.168.0.0/24
        next_hop: "{{ vpn.vpn_gateways[0].ipsec_connections[0].vpn_connection_id }}"

- name: The IPsec connection to the data center that is bound to a transit router
  alicloud.acr_access.vpn_gateway_info:
    region: cn-hangzhou
    ipsec_connection_name: idc-via-transit-router
  register: idc
"""

RETURN = r"""
vpn_gateways:
  description: The VPN gateways found, in the order of the API.
  returned: success
  type: list
  elements: dict
  contains:
    vpn_gateway_id:
      description: The ID of the VPN gateway.
      returned: always
      type: str
      sample: vpn-bp1example00000000001
    name:
      description: The name of the VPN gateway.
      returned: always
      type: str
      sample: vpn-to-idc
    vpc_id:
      description: The VPC of the gateway.
      returned: always
      type: str
      sample: vpc-bp1example00000000001
    vswitch_id:
      description: The vSwitch of the gateway.
      returned: always
      type: str
      sample: vsw-bp1example000000000j1
    status:
      description: V(active), or V(updating) while a change is applied (the gateway then refuses another one).
      returned: always
      type: str
      sample: active
    business_status:
      description: V(Normal), or V(FinancialLocked) when the account is overdue.
      returned: always
      type: str
      sample: Normal
    spec:
      description: The bandwidth of the gateway.
      returned: always
      type: str
      sample: 10M
    internet_ip:
      description: The public IP address of the gateway.
      returned: always
      type: str
      sample: 47.96.0.1
    ipsec_vpn:
      description: Whether IPsec-VPN is enabled (V(enable) or V(disable)).
      returned: always
      type: str
      sample: enable
    ssl_vpn:
      description: Whether SSL-VPN is enabled (V(enable) or V(disable)).
      returned: always
      type: str
      sample: disable
    enable_bgp:
      description: Whether BGP is enabled on the gateway.
      returned: always
      type: bool
      sample: false
    network_type:
      description: V(public) or V(private).
      returned: always
      type: str
      sample: public
    charge_type:
      description: The billing method.
      returned: always
      type: str
      sample: POSTPAY
    description:
      description: The description of the gateway.
      returned: always
      type: str
      sample: ""
    ipsec_connections:
      description: The IPsec connections of the gateway.
      returned: always
      type: list
      elements: dict
      contains: &vpn_connection
        vpn_connection_id:
          description: The ID of the IPsec connection.
          returned: always
          type: str
          sample: vco-bp1example00000000001
        name:
          description: The name of the IPsec connection.
          returned: always
          type: str
          sample: idc-via-vpn-gateway
        status:
          description: The negotiation status, for example V(ike_sa_established), V(ipsec_sa_established), V(ike_sa_not_established).
          returned: always
          type: str
          sample: ike_sa_established
        state:
          description: The state of the connection, for example V(active).
          returned: always
          type: str
          sample: active
        attach_type:
          description: V(VPNGateway) (on a VPN gateway) or V(CEN) (bound to a transit router).
          returned: always
          type: str
          sample: VPNGateway
        vpn_gateway_id:
          description: The VPN gateway of the connection; V(null) for a connection bound to a transit router.
          returned: always
          type: str
          sample: vpn-bp1example00000000001
        customer_gateway_id:
          description: The customer gateway (the data center's side) of the connection.
          returned: always
          type: str
          sample: cgw-bp1example00000000001
        customer_gateway:
          description: That customer gateway; V(null) when the region does not show it.
          returned: always
          type: dict
          contains:
            customer_gateway_id:
              description: The ID of the customer gateway.
              returned: always
              type: str
              sample: cgw-bp1example00000000001
            name:
              description: The name of the customer gateway.
              returned: always
              type: str
              sample: idc-gateway
            ip_address:
              description: The public IP address of the data center's gateway.
              returned: always
              type: str
              sample: 203.0.113.10
            asn:
              description: The BGP AS number of the data center's gateway; V(null) without BGP.
              returned: always
              type: int
              sample: 65010
            description:
              description: The description of the customer gateway.
              returned: always
              type: str
              sample: ""
            create_time:
              description: When the customer gateway was created (milliseconds since the epoch).
              returned: always
              type: int
              sample: 1767225600000
        local_subnet:
          description: The CIDR blocks of the cloud side of the connection (comma-separated).
          returned: always
          type: str
          sample: 10.0.0.0/16
        remote_subnet:
          description: The CIDR blocks of the data center's side of the connection (comma-separated).
          returned: always
          type: str
          sample: 192.168.0.0/24
        transit_router_id:
          description: The transit router a connection of attach type V(CEN) is attached to; empty otherwise.
          returned: always
          type: str
          sample: ""
        transit_router_name:
          description: The name of that transit router.
          returned: always
          type: str
          sample: ""
        attach_instance_id:
          description: The instance the connection is associated with, as the cloud reports it.
          returned: always
          type: str
          sample: ""
        create_time:
          description: When the connection was created (milliseconds since the epoch).
          returned: always
          type: int
          sample: 1767225600000

transit_router_connections:
  description: The IPsec connections of the region bound to a transit router (attach type V(CEN)), as asked for.
  returned: success
  type: list
  elements: dict
  contains: *vpn_connection

"""

from ansible_collections.alicloud.acr_access.plugins.module_utils.client import AnsibleAlicloudModule
from ansible_collections.alicloud.acr_access.plugins.module_utils.errors import AlicloudError
from ansible_collections.alicloud.acr_access.plugins.module_utils.vpc import describe_vpn_gateway_details


def main():
    argument_spec = dict(
        vpc_id=dict(type="str"),
        vpn_gateway_ids=dict(type="list", elements="str"),
        name=dict(type="str"),
        ipsec_connection_ids=dict(type="list", elements="str"),
        ipsec_connection_name=dict(type="str"),
    )
    module = AnsibleAlicloudModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    try:
        found = describe_vpn_gateway_details(module, module.region, vpc_id=params["vpc_id"], vpn_gateway_ids=params["vpn_gateway_ids"],
                                             name=params["name"], ipsec_connection_ids=params["ipsec_connection_ids"],
                                             ipsec_connection_name=params["ipsec_connection_name"])
    except AlicloudError as error:
        module.fail_json_api(error, msg="Failed to describe the VPN gateways of region %s" % module.region)
    module.exit_json(changed=False, **found)


if __name__ == "__main__":
    main()
