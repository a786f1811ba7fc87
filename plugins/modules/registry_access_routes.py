#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: registry_access_routes
short_description: Write the routes of a registry access plan - both VPC route tables and the publication to the CEN - in one task
version_added: 0.1.0
description:
  - Step 3 of the console procedure in one task, with the routes that M(alicloud.acr_access.registry_access_plan) planned.
    In the source VPC's route table, the routes to the registry, auth and OSS addresses (next hop the transit router
    attachment); in the registry VPC's route table, the covering route(s) to the ECS instance; their publication to the
    CEN; and, with O(learned_by), the wait until the source's transit router has learned them.
  - The same comparisons and writes as M(alicloud.acr_access.vpc_route_entry) (routes not listed are never touched; an entry of
    someone else is an error naming it, before any change) and M(alicloud.acr_access.cen_route_advertisement), which remain
    the building blocks for other layouts. The two route tables are changed at the same time (each table takes one change
    at a time, but they do not wait for each other); every part is checked, reading only, before the first write of any part.
  - For a data center behind a VPN gateway in the registry VPC, O(vpn_gateway) gives the gateway's destination routes back to
    the data center (RV(alicloud.acr_access.registry_access_plan#module:plan.vpn_routes)), compared and written as
    M(alicloud.acr_access.vpn_route_entry) does, after the registry VPC's routes (their publication changes that VPC's table too).
    A data center has no source VPC, so O(source) is then left out.
  - With O(state=absent) the publication is withdrawn first (no transit router keeps a route whose entry is gone), then the
    routes of both tables and of the VPN gateway are removed.
  - Calls C(DescribeRouteTableList), C(DescribeRouteEntryList), C(CreateRouteEntry), C(ModifyRouteEntry), C(DeleteRouteEntry)
    (VPC API 2016-04-28), C(DescribePublishedRouteEntries), C(PublishRouteEntries), C(WithdrawPublishedRouteEntries) and for
    O(learned_by) C(ListTransitRouterVpcAttachments), C(ListTransitRouterRouteTables), C(ListTransitRouterRouteEntries) (CBN API 2017-09-12);
    for O(vpn_gateway) C(DescribeVpnGateways), C(DescribeVpnConnections), C(DescribeVpnRouteEntries), C(CreateVpnRouteEntry),
    C(PublishVpnRouteEntry), C(ModifyVpnRouteEntryWeight), C(DeleteVpnRouteEntry) (VPC API 2016-04-28).
author:
  - alicloud.acr_access contributors (@alicloud-acr-access)
options:
  cen_id:
    description:
      - The CEN instance the registry VPC is attached to (the publication goes to it). Required when O(registry_vpc.advertise) is not empty.
    type: str
  source:
    description:
      - The route table of the source VPC and its routes (RV(alicloud.acr_access.registry_access_plan#module:plan.source_routes)).
      - Left out for a data center, which has no VPC route table.
    type: dict
    suboptions:
      region:
        description: The region of the source VPC.
        type: str
        required: true
      vpc_id:
        description: The source VPC, whose system route table is meant when O(source.route_table_id) is not given.
        type: str
      route_table_id:
        description: The route table of the source VPC.
        type: str
      routes:
        description: The routes, as O(alicloud.acr_access.vpc_route_entry#module:routes) takes them. None - nothing to do in this table.
        type: list
        elements: dict
        default: []
        suboptions: &route
          destination_cidr_block:
            description: The destination.
            type: str
            required: true
          next_hop_type:
            description: The kind of next hop (default - inferred from the prefix of the next hop's ID), as in M(alicloud.acr_access.vpc_route_entry).
            type: str
            choices: [Attachment, Instance, VpnGateway, RouterInterface, HaVip, NetworkInterface, NatGateway, IPv6Gateway, Ipv4Gateway,
                      VpcPeer, GatewayEndpoint, Ecr]
          next_hop_id:
            description: The ID of the next hop.
            type: str
          name:
            description: The name of the route entry.
            type: str
          description:
            description: The description of the route entry; the ownership marker is appended to it.
            type: str
  registry_vpc:
    description:
      - The route table of the registry VPC, its covering route(s) (RV(alicloud.acr_access.registry_access_plan#module:plan.registry_routes))
        and the destinations to publish to the CEN.
    type: dict
    required: true
    suboptions:
      region:
        description: The region of the registry VPC.
        type: str
        required: true
      vpc_id:
        description: The registry VPC.
        type: str
        required: true
      route_table_id:
        description: The route table of the registry VPC (default - its system route table).
        type: str
      routes:
        description: The routes, as O(alicloud.acr_access.vpc_route_entry#module:routes) takes them.
        type: list
        elements: dict
        default: []
        suboptions: *route
      advertise:
        description: The destinations of O(registry_vpc.routes) to publish to the CEN.
        type: list
        elements: str
        default: []
  vpn_gateway:
    description:
      - The VPN gateway in the registry VPC that connects a data center, and its destination routes back to the data center
        (RV(alicloud.acr_access.registry_access_plan#module:plan.vpn_routes)). Its region is O(registry_vpc.region).
    type: dict
    suboptions:
      vpn_gateway_id:
        description: The VPN gateway.
        type: str
        required: true
      routes:
        description: The routes, as O(alicloud.acr_access.vpn_route_entry#module:routes) takes them.
        type: list
        elements: dict
        default: []
        suboptions:
          destination:
            description: The data center's CIDR block.
            type: str
            required: true
          next_hop:
            description: The IPsec connection of the gateway.
            type: str
            required: true
          weight:
            description: 100 (active) or 0 (standby).
            type: int
            default: 100
            choices: [100, 0]
          publish_vpc:
            description: Whether the route is published to the VPC's route table.
            type: bool
            default: true
          description:
            description: The description of the route.
            type: str
  learned_by:
    description:
      - With O(state=present), wait until this transit router route table (or the one of this attachment) has learned the published
        routes, as O(alicloud.acr_access.cen_route_advertisement#module:learned_by).
    type: dict
    suboptions:
      transit_router_route_table_id:
        description: The transit router route table.
        type: str
      transit_router_attachment_id:
        description: The VPC attachment whose transit router route table is meant (the source's).
        type: str
  state:
    description:
      - Whether the routes (and their publication) must exist or not.
    type: str
    choices: [present, absent]
    default: present
  wait_timeout:
    description:
      - How long the whole step may take, in seconds. Every wait draws on this one budget, and no write is sent once it is spent.
    type: int
    default: 600
extends_documentation_fragment:
  - alicloud.acr_access.alicloud
  - alicloud.acr_access.attributes
  - alicloud.acr_access.attributes.ACTIONGROUP_ALICLOUD
  - alicloud.acr_access.wait.progress
attributes:
  check_mode:
    support: full
    details:
      - Reads only, and predicts every change; routes not in the table yet are predicted as published once created.
  diff_mode:
    support: full
    details:
      - One diff with a key per part - C(source) and C(registry) (route entries by destination), C(advertisement)
        (publication status by destination).
  idempotent:
    support: full
requirements:
  - alibabacloud-vpc20160428
  - alibabacloud-cbn20170912
seealso:
  - module: alicloud.acr_access.registry_access_plan
  - module: alicloud.acr_access.vpc_route_entry
  - module: alicloud.acr_access.cen_route_advertisement
  - name: The role alicloud.acr_access.registry_routes
    description: Plans the routes from the facts of the earlier steps and writes them with this module.
    link: https://github.com/alicloud-acr-access/alicloud.acr_access/tree/main/roles/registry_routes
"""

EXAMPLES = r"""
- name: Plan the access (registry_access_plan), then route the registry, auth and OSS addresses from Shanghai to Hangzhou
  alicloud.acr_access.registry_access_routes:
    cen_id: cen-example0000000001
    source:
      region: cn-shanghai
      vpc_id: vpc-uf6example00000000001
      routes: "{{ routes.source_routes }}"
    registry_vpc:
      region: cn-hangzhou
      vpc_id: vpc-bp1example00000000001
      routes: "{{ routes.registry_routes }}"
      advertise: "{{ routes.advertised }}"
    learned_by:
      transit_router_attachment_id: tr-attach-example00000002
  vars:
    # the plan's routes in the shape of the routes options (the registry_access_plan task registered access)
    routes: "{{ access.plan | alicloud.acr_access.registry_route_entries('registry_routes') }}"

- name: Remove them again (the publication first)
  alicloud.acr_access.registry_access_routes:
    cen_id: cen-example0000000001
    source: {region: cn-shanghai, vpc_id: vpc-uf6example00000000001, routes: "{{ routes.source_routes }}"}
    registry_vpc: {region: cn-hangzhou, vpc_id: vpc-bp1example00000000001, routes: "{{ routes.registry_routes }}", advertise: "{{ routes.advertised }}"}
    state: absent
  vars:
    routes: "{{ access.plan | alicloud.acr_access.registry_route_entries('registry_routes') }}"
"""

RETURN = r"""
source:
  description: The source table's part, as M(alicloud.acr_access.vpc_route_entry) returns it; V({}) when it had no routes.
  returned: always
  type: dict
  sample: {changed: true, route_table_id: vtb-uf6example00000000001, routes: [{destination_cidr_block: 100.103.7.181/32, action: created}]}
registry:
  description: The registry table's part, as M(alicloud.acr_access.vpc_route_entry) returns it; V({}) when it had no routes.
  returned: always
  type: dict
advertisement:
  description: The publication, as M(alicloud.acr_access.cen_route_advertisement) returns it (with C(learned) for O(learned_by));
    V({}) when O(registry_vpc.advertise) is empty.
  returned: always
  type: dict
vpn_gateway:
  description: The VPN gateway's part, as M(alicloud.acr_access.vpn_route_entry) returns it; V({}) without O(vpn_gateway) routes.
  returned: always
  type: dict
  sample: {changed: true, vpn_gateway_id: vpn-bp1example000000001, routes: [{destination: 192.168.0.0/24, action: created}]}
diff:
  description: What C(--diff) shows - C(before) and C(after), each with a key per part that has something to show (C(source),
    C(registry) - route entries by destination; C(advertisement) - publication status by destination; C(vpn_gateway) - the gateway's
    routes by destination).
  returned: always
  type: dict
  sample: {"before": {"registry": {}}, "after": {"registry": {"100.0.0.0/8": {"next_hop_type": "Instance", "next_hop_id": "i-bp1example000000001"}}}}
"""

from ansible_collections.alicloud.acr_access.plugins.module_utils.access_routes import AccessRoutes
from ansible_collections.alicloud.acr_access.plugins.module_utils.client import AnsibleAlicloudModule
from ansible_collections.alicloud.acr_access.plugins.module_utils.resource import progress_argument_spec, run
from ansible_collections.alicloud.acr_access.plugins.module_utils.vpc_routes import route_options
from ansible_collections.alicloud.acr_access.plugins.module_utils.vpn_routes import vpn_route_options


def main():
    routes = dict(type="list", elements="dict", default=[], options=route_options())
    argument_spec = dict(
        cen_id=dict(type="str"),
        source=dict(type="dict", options=dict(region=dict(type="str", required=True), vpc_id=dict(type="str"),
                                              route_table_id=dict(type="str"), routes=routes),
                    required_one_of=[("vpc_id", "route_table_id")]),
        vpn_gateway=dict(type="dict", options=dict(vpn_gateway_id=dict(type="str", required=True),
                                                   routes=dict(type="list", elements="dict", default=[], options=vpn_route_options()))),
        registry_vpc=dict(type="dict", required=True, options=dict(
            region=dict(type="str", required=True), vpc_id=dict(type="str", required=True), route_table_id=dict(type="str"), routes=routes,
            advertise=dict(type="list", elements="str", default=[]))),
        learned_by=dict(type="dict", options=dict(transit_router_route_table_id=dict(type="str"), transit_router_attachment_id=dict(type="str")),
                        required_one_of=[("transit_router_route_table_id", "transit_router_attachment_id")]),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        wait_timeout=dict(type="int", default=600),
        **progress_argument_spec()
    )
    module = AnsibleAlicloudModule(argument_spec=argument_spec, supports_check_mode=True)
    run(module, AccessRoutes, "Failed to write the access routes of the registry VPC {vpc} (changed so far: {done})")


if __name__ == "__main__":
    main()
