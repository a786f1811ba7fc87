#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cen_connection
short_description: Connect VPCs of several regions through one CEN, in one task
version_added: 0.1.0
description:
  - Step 1 of the console procedure in one task. For the VPCs of O(members) it finds or creates the CEN instance, one
    Enterprise Edition transit router per member region, one VPC attachment per member (over two zones), one
    inter-region connection per pair of member regions, the association and propagation of every attachment with its
    transit router's system route table and, with O(route_mode=vpc_route_entries), the routes from each VPC to the
    other members through its own attachment.
  - The same resources, compared and written the same way, as the modules M(alicloud.acr_access.cen_instance),
    M(alicloud.acr_access.cen_transit_router), M(alicloud.acr_access.cen_transit_router_vpc_attachment),
    M(alicloud.acr_access.cen_transit_router_peer_attachment) and M(alicloud.acr_access.vpc_route_entry), which remain the
    building blocks for other layouts. This module asks for everything whose preconditions hold before it waits for any of
    it (the attachments and the inter-region connections need only the transit routers; the routes are written while the
    cloud makes the associations and propagations), so the step takes about as long as the cloud needs.
  - The members are checked first, reading only, as M(alicloud.acr_access.cen_info) does with its
    O(alicloud.acr_access.cen_info#module:validate_members); a wrong member fails the task before anything is changed.
  - It does not remove anything; the role P(alicloud.acr_access.cen_connect#role) with C(cen_connect_state=absent) does.
  - Calls the read and create operations of the modules above (CBN API 2017-09-12, VPC API 2016-04-28).
author:
  - alicloud.acr_access contributors (@alicloud-acr-access)
options:
  cen_id:
    description:
      - The ID of an existing CEN instance.
    type: str
  cen_name:
    description:
      - The name of the CEN instance to find, or to create when there is none of that name.
    type: str
  members:
    description:
      - The VPCs to connect, two or more, in at least two regions for an inter-region connection.
    type: list
    elements: dict
    required: true
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
        description: The vSwitches of the attachment, in two zones (one per zone) unless O(allow_single_zone).
        type: list
        elements: str
        required: true
      route_table_id:
        description: The VPC route table that gets the routes to the other members (default - the VPC's system route table).
        type: str
  members_label:
    description:
      - How error messages name O(members) (a role passes its own variable name).
    type: str
    default: members
  allow_single_zone:
    description:
      - Accept members whose vSwitches are all in one zone (no zone redundancy).
    type: bool
    default: false
  bandwidth:
    description:
      - The bandwidth of each inter-region connection in Mbit/s.
    type: int
    default: 10
  bandwidth_type:
    description:
      - How the inter-region bandwidth is billed.
    type: str
    choices: [DataTransfer, BandwidthPackage]
    default: DataTransfer
  cen_bandwidth_package_id:
    description:
      - The bandwidth package, required with O(bandwidth_type=BandwidthPackage).
    type: str
  route_mode:
    description:
      - V(vpc_route_entries) writes the routes to the other members into each member's route table (next hop type C(Attachment)).
      - V(auto_publish) lets the transit routers publish the learned routes into the VPCs' system route tables instead
        (no route entries are written).
    type: str
    choices: [vpc_route_entries, auto_publish]
    default: vpc_route_entries
  wait_timeout:
    description:
      - How long the whole step may take, in seconds. Every wait draws on this one budget, and no write is sent once it is spent.
    type: int
    default: 1800
extends_documentation_fragment:
  - alicloud.acr_access.alicloud
  - alicloud.acr_access.attributes
  - alicloud.acr_access.attributes.ACTIONGROUP_ALICLOUD
attributes:
  check_mode:
    support: full
    details:
      - Reads only, and predicts every change. When the CEN would be created, nothing further can be read - RV(connection.cen_id)
        is then V(null), and the task reports a change.
      - A new VPC attachment has no ID yet, so the routes through it cannot be predicted entry by entry.
  diff_mode:
    support: none
  idempotent:
    support: full
requirements:
  - alibabacloud-cbn20170912
  - alibabacloud-vpc20160428
seealso:
  - module: alicloud.acr_access.cen_info
  - module: alicloud.acr_access.cen_transit_router_vpc_attachment
  - name: The role alicloud.acr_access.cen_connect
    description: Runs this module and sets the fact cen_connect; removes the connection with cen_connect_state=absent.
    link: https://github.com/alicloud-acr-access/alicloud.acr_access/tree/main/roles/cen_connect
"""

EXAMPLES = r"""
- name: Connect the registry's VPC in Hangzhou with the clients' VPC in Shanghai
  alicloud.acr_access.cen_connection:
    cen_name: acr-access
    members:
      - region: cn-hangzhou
        vpc_id: vpc-bp1example00000000001
        vswitch_ids: [vsw-bp1example000000000j1, vsw-bp1example000000000k1]
      - region: cn-shanghai
        vpc_id: vpc-uf6example00000000001
        vswitch_ids: [vsw-uf6example000000000m1, vsw-uf6example000000000n1]
  register: step1

- name: The attachment of the clients' VPC, the next hop of the routes to the registry
  ansible.builtin.debug:
    msg: "{{ (step1.connection.vpc_attachments | selectattr('vpc_id', 'eq', 'vpc-uf6example00000000001') | first).transit_router_attachment_id }}"
"""

RETURN = r"""
connection:
  description:
    - Every ID of the connection, the fact C(cen_connect) of the role P(alicloud.acr_access.cen_connect#role).
  returned: always
  type: dict
  contains:
    cen_id:
      description: The CEN instance; V(null) in check mode when it would be created.
      type: str
      returned: always
      sample: cen-example0000000001
    route_mode:
      description: O(route_mode).
      type: str
      returned: always
      sample: vpc_route_entries
    transit_routers:
      description: The transit router of each member region, by region, as M(alicloud.acr_access.cen_transit_router) returns it.
      type: dict
      returned: always
      sample: {cn-hangzhou: {transit_router_id: tr-bp1example00000000001, status: Active, system_route_table_id: vtb-bp1example00000000002}}
    vpc_attachments:
      description: One per member, in the order of O(members).
      type: list
      elements: dict
      returned: always
      contains:
        region:
          description: The member's region.
          type: str
          returned: always
        vpc_id:
          description: The member's VPC.
          type: str
          returned: always
        route_table_id:
          description: The member's VPC route table (O(members[].route_table_id) or the system one).
          type: str
          returned: always
        cidr_blocks:
          description: The CIDR blocks of the member's VPC.
          type: list
          elements: str
          returned: always
        transit_router_attachment_id:
          description: The VPC attachment; V(null) in check mode when it would be created.
          type: str
          returned: always
        transit_router_route_table_id:
          description: The transit router route table it is associated with and propagates to.
          type: str
          returned: always
        status:
          description: The attachment's status, V(Attached) once done.
          type: str
          returned: always
    peer_attachments:
      description: The inter-region connections, one per pair of member regions, as M(alicloud.acr_access.cen_transit_router_peer_attachment) returns them.
      type: list
      elements: dict
      returned: always
    peer_regions:
      description: The region pairs of RV(connection.peer_attachments), in the same order.
      type: list
      elements: list
      returned: always
      sample: [[cn-hangzhou, cn-shanghai]]
    route_entries:
      description: The routes between the members (empty with O(route_mode=auto_publish)), each with its VPC and route table.
      type: list
      elements: dict
      returned: always
members:
  description: The members, checked and resolved (route table, CIDR blocks, zones).
  returned: always
  type: list
  elements: dict
reachable_regions:
  description: The regions the CEN can reach, V(null) when the account cannot list them.
  returned: always
  type: list
  elements: str
changes:
  description: What was created or changed (or would be, in check mode), one line per resource, in order.
  returned: always
  type: list
  elements: str
  sample: ["CEN acr-access", "transit router in cn-hangzhou", "VPC attachment of vpc-bp1example00000000001"]
"""

from ansible_collections.alicloud.acr_access.plugins.module_utils.cen import member_options
from ansible_collections.alicloud.acr_access.plugins.module_utils.cen_connection import CenConnection
from ansible_collections.alicloud.acr_access.plugins.module_utils.client import AnsibleAlicloudModule
from ansible_collections.alicloud.acr_access.plugins.module_utils.resource import run


def main():
    argument_spec = dict(
        cen_id=dict(type="str"),
        cen_name=dict(type="str"),
        members=dict(type="list", elements="dict", required=True, options=member_options()),
        members_label=dict(type="str", default="members"),
        allow_single_zone=dict(type="bool", default=False),
        bandwidth=dict(type="int", default=10),
        bandwidth_type=dict(type="str", default="DataTransfer", choices=["DataTransfer", "BandwidthPackage"]),
        cen_bandwidth_package_id=dict(type="str"),
        route_mode=dict(type="str", default="vpc_route_entries", choices=["vpc_route_entries", "auto_publish"]),
        wait_timeout=dict(type="int", default=1800),
    )
    # The bandwidth package is checked with the arguments: the peer attachment that uses it comes after the CEN, the
    # transit routers and the VPC attachments, which would otherwise be written before the missing ID is noticed.
    module = AnsibleAlicloudModule(argument_spec=argument_spec, mutually_exclusive=[("cen_id", "cen_name")],
                                   required_one_of=[("cen_id", "cen_name")],
                                   required_if=[("bandwidth_type", "BandwidthPackage", ("cen_bandwidth_package_id",))],
                                   supports_check_mode=True)
    run(module, CenConnection, "Failed to connect the members of CEN {cen} (changed so far: {done})")


if __name__ == "__main__":
    main()
