#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cen_info
short_description: Describe CEN instances with their transit routers, attachments, associations and propagations
version_added: 0.1.0
description:
  - Returns the CEN instances - one by O(cen_id), those named O(cen_name), or all - each with its transit routers
    (and their route tables), its VPC attachments and the data center's VPN (IPsec connection) and VBR attachments (each with its
    associations and route propagations), and its inter-region connections.
  - With O(validate_members), also checks a planned set of VPCs to connect, reading only, and fails before anything is
    changed when one is wrong (see the option); the resolved members are returned in RV(members).
  - A CEN asked for by O(cen_id) or O(cen_name) that does not exist gives an empty RV(cens), so that a play can decide to create it.
  - Calls C(DescribeCens), C(ListTransitRouters), C(ListTransitRouterRouteTables), C(ListTransitRouterVpcAttachments),
    C(ListTransitRouterVpnAttachments), C(ListTransitRouterVbrAttachments), C(ListTransitRouterPeerAttachments),
    C(ListTransitRouterRouteTableAssociations), C(ListTransitRouterRouteTablePropagations),
    with O(route_entries) C(ListTransitRouterRouteEntries), and for O(validate_members) C(DescribeChildInstanceRegions) (CBN),
    C(DescribeVpcs), C(DescribeVSwitches) and C(DescribeRouteTableList) (VPC).
author:
  - alicloud.acr_access contributors (@alicloud-acr-access)
options:
  cen_id:
    description:
      - The ID of the CEN instance. Mutually exclusive with O(cen_name).
    type: str
  cen_name:
    description:
      - The name of the CEN instances to return. Mutually exclusive with O(cen_id).
    type: str
  validate_members:
    description:
      - VPCs planned to be connected by the CEN. Each is checked, in order - the region must be one the CEN can reach,
        the VPC must exist in it, every vSwitch must exist and belong to that VPC, no two vSwitches may share a zone,
        the vSwitches must span two zones (unless O(allow_single_zone)), and no CIDR block may overlap one of another member
        (also for two members in one region).
      - The first problem fails the module with a message naming the field as C(<members_label>[index].<field>) and the value.
    type: list
    elements: dict
    suboptions:
      region:
        description: The region of the VPC.
        type: str
        required: true
      vpc_id:
        description: The VPC.
        type: str
        required: true
      vswitch_ids:
        description: Its vSwitches for the transit router, one per zone.
        type: list
        elements: str
        required: true
      route_table_id:
        description: A VPC route table to return as the member's C(route_table_id); by default the VPC's system route table.
        type: str
  members_label:
    description:
      - How error messages about O(validate_members) name the list (a role passes its own variable name).
    type: str
    default: members
  allow_single_zone:
    description:
      - With O(validate_members), accept members whose vSwitches are all in one zone.
    type: bool
    default: false
  route_entries:
    description:
      - Also return what every transit router learned - the routes of each of its route tables
        (RV(cens[].transit_routers[].route_entries)), one paged read per table.
    type: bool
    default: false
extends_documentation_fragment:
  - alicloud.acr_access.alicloud
  - alicloud.acr_access.attributes
  - alicloud.acr_access.attributes.INFO_MODULE
  - alicloud.acr_access.attributes.ACTIONGROUP_ALICLOUD
requirements:
  - alibabacloud-cbn20170912
  - alibabacloud-vpc20160428
seealso:
  - module: alicloud.acr_access.cen_instance
  - name: DescribeCens API reference
    description: The CBN API operation behind this module.
    link: https://www.alibabacloud.com/help/en/cen/developer-reference/api-cbn-2017-09-12-describecens
"""

EXAMPLES = r"""
- name: Everything of one CEN, for verification or teardown
  alicloud.acr_access.cen_info:
    cen_name: acr-access
  register: cen_state

- name: Check the VPCs before connecting them
  alicloud.acr_access.cen_info:
    cen_name: acr-access
    region: cn-hangzhou
    validate_members:
      - {region: cn-hangzhou, vpc_id: vpc-bp1example00000000001, vswitch_ids: [vsw-bp1example000000000j1, vsw-bp1example000000000k1]}
      - {region: cn-shanghai, vpc_id: vpc-uf6example00000000001, vswitch_ids: [vsw-uf6example000000000m1, vsw-uf6example000000000n1]}
  register: checked
"""

RETURN = r"""
cens:
  description: The CEN instances found.
  returned: always
  type: list
  elements: dict
  contains:
    cen_id:
      description: The ID of the CEN.
      returned: always
      type: str
      sample: cen-example00000000001
    name:
      description: Its name.
      returned: always
      type: str
      sample: acr-access
    description:
      description: Its description.
      returned: always
      type: str
      sample: ""
    status:
      description: V(Creating), V(Active), V(Modifying) or V(Deleting).
      returned: always
      type: str
      sample: Active
    protection_level:
      description: V(REDUCED).
      returned: always
      type: str
      sample: REDUCED
    creation_time:
      description: When it was created.
      returned: always
      type: str
      sample: "2024-01-01T00:00:00Z"
    transit_routers:
      description: Its transit routers, as M(alicloud.acr_access.cen_transit_router) returns them, plus C(route_table_ids).
      returned: always
      type: list
      elements: dict
      sample: [{transit_router_id: tr-bp1example00000000001, region_id: cn-hangzhou, status: Active,
                system_route_table_id: vtb-bp1example00000000002, route_table_ids: [vtb-bp1example00000000002]}]
      contains:
        route_entries:
          description:
            - With O(route_entries), the routes of its route tables, each C({transit_router_route_table_id, destination_cidr_block,
              status, type, next_hop_id, next_hop_resource_id, next_hop_resource_type}).
          returned: when O(route_entries) is true
          type: list
          elements: dict
          sample: [{transit_router_route_table_id: vtb-uf6example00000000002, destination_cidr_block: 100.0.0.0/8, status: Active,
                    type: Propagated, next_hop_id: tr-attach-example0000000000c, next_hop_resource_id: tr-bp1example00000000001,
                    next_hop_resource_type: TR}]
    vpc_attachments:
      description: Its VPC attachments, as M(alicloud.acr_access.cen_transit_router_vpc_attachment) returns them (without
        C(route_table_id), C(association_status), C(propagation_status)), plus C(associations) and C(propagations),
        each a list of C({route_table_id, status}).
      returned: always
      type: list
      elements: dict
      sample: [{transit_router_attachment_id: tr-attach-example0000000000a, vpc_id: vpc-bp1example00000000001, status: Attached,
                zone_mappings: [{zone_id: cn-hangzhou-j, vswitch_id: vsw-bp1example000000000j1}],
                associations: [{route_table_id: vtb-bp1example00000000002, status: Active}],
                propagations: [{route_table_id: vtb-bp1example00000000002, status: Active}]}]
    vpn_attachments:
      description: Its VPN attachments (IPsec connections of a data center), as M(alicloud.acr_access.cen_transit_router_vpn_attachment)
        returns them (without C(route_table_id), C(association_status), C(propagation_status)), plus C(associations) and
        C(propagations) as for RV(cens[].vpc_attachments).
      returned: always
      type: list
      elements: dict
      sample: [{transit_router_attachment_id: tr-attach-example0000000000d, vpn_id: vco-bp1example00000000002, vpn_region_id: cn-hangzhou,
                status: Attached, zone_ids: [cn-hangzhou-j], associations: [{route_table_id: vtb-bp1example00000000002, status: Active}],
                propagations: [{route_table_id: vtb-bp1example00000000002, status: Active}]}]
    vbr_attachments:
      description: Its VBR attachments (Express Connect virtual border routers of a data center), as
        M(alicloud.acr_access.cen_transit_router_vbr_attachment) returns them, plus C(associations) and C(propagations), as above.
      returned: always
      type: list
      elements: dict
      sample: [{transit_router_attachment_id: tr-attach-example0000000000e, vbr_id: vbr-bp1example00000000001, vbr_region_id: cn-hangzhou,
                status: Attached, associations: [], propagations: [{route_table_id: vtb-bp1example00000000002, status: Active}]}]
    peer_attachments:
      description: Its inter-region connections, as M(alicloud.acr_access.cen_transit_router_peer_attachment) returns them.
      returned: always
      type: list
      elements: dict
      sample: [{transit_router_attachment_id: tr-attach-example0000000000c, region_id: cn-hangzhou,
                peer_transit_router_region_id: cn-shanghai, status: Attached, bandwidth: 10, bandwidth_type: DataTransfer}]
members:
  description: The members of O(validate_members), checked and resolved.
  returned: when O(validate_members) is given
  type: list
  elements: dict
  contains:
    region:
      description: The region.
      returned: always
      type: str
      sample: cn-shanghai
    vpc_id:
      description: The VPC.
      returned: always
      type: str
      sample: vpc-uf6example00000000001
    vswitch_ids:
      description: The vSwitches, as given.
      returned: always
      type: list
      elements: str
      sample: [vsw-uf6example000000000m1, vsw-uf6example000000000n1]
    zones:
      description: Zone ID to vSwitch ID.
      returned: always
      type: dict
      sample: {cn-shanghai-m: vsw-uf6example000000000m1, cn-shanghai-n: vsw-uf6example000000000n1}
    cidr_blocks:
      description: The VPC's IPv4 CIDR blocks (primary first, then the secondary ones).
      returned: always
      type: list
      elements: str
      sample: [172.16.0.0/16]
    route_table_id:
      description: The VPC route table for routes to the other members (as given, or the VPC's system route table).
      returned: always
      type: str
      sample: vtb-uf6example00000000001
reachable_regions:
  description: The regions whose VPCs a CEN can attach, or null when the endpoint cannot tell (then a region is only checked by finding the VPC in it).
  returned: when O(validate_members) is given
  type: list
  elements: str
  sample: [cn-hangzhou, cn-shanghai]
"""

from ansible_collections.alicloud.acr_access.plugins.module_utils import cen as api
from ansible_collections.alicloud.acr_access.plugins.module_utils.client import AnsibleAlicloudModule
from ansible_collections.alicloud.acr_access.plugins.module_utils.errors import AlicloudError


def main():
    argument_spec = dict(
        cen_id=dict(type="str"),
        cen_name=dict(type="str"),
        validate_members=dict(type="list", elements="dict", options=api.member_options()),
        members_label=dict(type="str", default="members"),
        allow_single_zone=dict(type="bool", default=False),
        route_entries=dict(type="bool", default=False),
    )
    module = AnsibleAlicloudModule(argument_spec=argument_spec, mutually_exclusive=[("cen_id", "cen_name")], supports_check_mode=True)
    result = dict(changed=False)
    try:
        if module.params["validate_members"] is not None:
            regions, members = api.check_members(module, module.params["validate_members"], module.params["members_label"],
                                                 module.params["allow_single_zone"])
            result.update(reachable_regions=regions, members=members)
        cens = api.list_cens(module, cen_id=module.params["cen_id"], name=module.params["cen_name"])
        result["cens"] = [api.describe_cen(module, cen) for cen in cens]
        if module.params["route_entries"]:
            for router in (router for cen in result["cens"] for router in cen["transit_routers"]):
                router["route_entries"] = [entry for table_id in router["route_table_ids"]
                                           for entry in api.transit_router_route_entries(module, table_id)]
    except AlicloudError as error:
        module.fail_json_api(error, msg="Failed to describe the CEN instances")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
