#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: registry_access_plan
short_description: Compute the routes, /etc/hosts entries and 100.x conflicts for reaching a Container Registry instance
version_added: 0.1.0
description:
  - Computes, from facts only, what a pull from another region or from a data center needs to reach a Container Registry
    Enterprise Edition instance over private networks - the console procedure's Steps 2 to 4 and its
    "Solutions to 100 CIDR block conflicts" as rules.
  - Makes no cloud call, needs no credentials and changes nothing (RV(ignore:changed) is always V(false)). It runs in the
    controller's own process through an action plugin of the same name, whatever host the task targets - no module process,
    no connection to the host and no Python on it (C(delegate_to=localhost) is not needed).
  - A VPC source gets a route to its next hop (its transit router attachment) for every
    address it cannot already reach. An address inside O(reachable_cidrs), or inside an existing route of the source table with
    the same next hop, needs nothing. An existing route with exactly a planned destination stays in the plan (RV(plan.source_routes[].already_present)).
  - The auth service gets a /32 per address, none when the instance has taken over the auth domain (O(endpoints.auth.takeover));
    the auth domain then maps to the registry address in RV(plan.hosts_entries).
  - OSS gets the region's published VIP ranges (O(oss_route_mode=vip_ranges), because the OSS VIP moves within them) or the /32
    of its address (O(oss_route_mode=address), with a warning finding). An address outside the ranges gets its own /32 and a
    warning; a region without published ranges falls back to the /32 with a warning.
  - The registry VPC gets one covering route (O(registry_vpc.covering_cidr), 100.0.0.0/8 by default) to an ECS instance for every
    destination inside it, to be advertised to the transit router; only a /32 or range outside the covering CIDR and outside
    the registry VPC's CIDR blocks gets a route of its own. Destinations inside the registry VPC's CIDR blocks need none (the
    transit router learns them from the VPC attachment).
  - 100.x conflicts are error findings with the console procedure's fix (auth-domain takeover for the auth service, PrivateLink plus a CNAME
    for OSS). The system route 100.64.0.0/10 that every VPC has for cloud services (next hop type C(service)) is not a conflict
    by itself and is ignored. RV(plan.blocking) is true while an error finding is not listed in O(accept_findings).
  - A data center (O(source.kind=data_center)) gets RV(plan.on_premises_routes) - the routes its on-premises gateway needs into the
    tunnel (O(source.on_premises)), one per destination a VPC source would get. The way back depends on O(source.connection.type).
    V(vpn_gateway) - RV(plan.vpn_routes), a destination route per data-center CIDR block on the VPN gateway in the registry VPC, next
    hop the IPsec connection, weight 100, published to the VPC; nothing is advertised (inside the registry VPC the system route
    100.64.0.0/10 delivers the cloud services), so RV(plan.registry_routes) is empty. V(transit_router) - the covering route(s) as
    for a VPC source, and a route per data-center CIDR block to the registry VPC's transit router attachment, both in
    RV(plan.registry_routes).
  - A data center's CIDR blocks are error findings when they overlap the registry VPC, the cloud's service range 100.64.0.0/10,
    another known VPC (O(other_vpcs)), or when the registry VPC has a route inside one of them to another next hop.
author:
  - alicloud.acr_access contributors (@alicloud-acr-access)
options:
  source:
    description: The network that pulls (a VPC in another region, or a data center).
    type: dict
    required: true
    suboptions:
      kind:
        description:
          - V(vpc) for a VPC in another region, V(data_center) for a data center connected by an IPsec connection or an Express
            Connect VBR (O(source.connection)).
        type: str
        choices: [vpc, data_center]
        default: vpc
      region:
        description: The region of the source VPC (informational).
        type: str
      vpc_id:
        description: The ID of the source VPC (informational).
        type: str
      route_table_id:
        description: The route table the source routes go into (informational; the role creates them there).
        type: str
      cidr_blocks:
        description:
          - The CIDR blocks of the source VPC or of the data center; checked for overlaps with the registry, auth and OSS addresses.
          - Required for a data center - the cloud routes them back into the connection.
        type: list
        elements: str
        default: []
      next_hop_type:
        description: The next hop type of the source routes, as the VPC API spells it.
        type: str
        default: Attachment
      next_hop_id:
        description:
          - The next hop of the source routes - the source VPC's transit router attachment ID (C(tr-attach-...)).
          - Required with O(source.kind=vpc); not used for a data center (O(source.connection) and O(source.on_premises) instead).
        type: str
      existing_routes:
        description:
          - The current entries of the source route table, each with C(destination_cidr_block) and either C(next_hop_type) and
            C(next_hop_id) or a C(next_hops) list (the shape of M(alicloud.acr_access.vpc_info)'s entries); other keys are ignored.
          - Entries with next hop type C(service) are ignored; entries with next hop type C(local) count as the network's own CIDR blocks.
          - Not used for a data center.
        type: list
        elements: dict
        default: []
      connection:
        description: How a data center reaches the registry's region. Required with O(source.kind=data_center).
        type: dict
        suboptions:
          type:
            description:
              - V(vpn_gateway) - an IPsec connection on a VPN gateway in the registry VPC.
              - V(transit_router) - the data center's IPsec connection or Express Connect VBR attached to the transit router of the
                registry's region, which also has the registry VPC's attachment.
            type: str
            required: true
            choices: [vpn_gateway, transit_router]
          vpn_gateway_id:
            description: The VPN gateway (C(vpn-...)); required with O(source.connection.type=vpn_gateway).
            type: str
          ipsec_connection_id:
            description: The IPsec connection (C(vco-...)), the next hop of the VPN gateway's routes; required with O(source.connection.type=vpn_gateway).
            type: str
          transit_router_attachment_id:
            description:
              - The registry VPC's transit router attachment (C(tr-attach-...)), the next hop of the registry VPC's routes to the
                data center; required with O(source.connection.type=transit_router).
            type: str
      on_premises:
        description:
          - The next hop of the data center's gateway into the tunnel, for RV(plan.on_premises_routes) - its address O(source.on_premises.via),
            its device O(source.on_premises.dev), or both. Required with O(source.kind=data_center).
        type: dict
        suboptions:
          via:
            description: The next hop address (for example the tunnel's far end, or the IPsec router of the data center).
            type: str
          dev:
            description: The device (for example the IPsec tunnel's C(vti0)).
            type: str
  registry_vpc:
    description: The VPC of the Container Registry instance.
    type: dict
    required: true
    suboptions:
      region:
        description: The region of the registry VPC and of the instance; selects the published OSS VIP ranges.
        type: str
        required: true
      vpc_id:
        description: The ID of the registry VPC (informational).
        type: str
      route_table_id:
        description: The route table the registry routes go into (informational; the role creates them there).
        type: str
      cidr_blocks:
        description: Every CIDR block of the registry VPC, secondary ones included.
        type: list
        elements: str
        required: true
      vswitch_cidr_blocks:
        description: The CIDR blocks of the registry VPC's vSwitches.
        type: list
        elements: str
        default: []
      next_hop_instance_id:
        description: The ECS instance in the registry VPC that is the next hop of the covering route(s); required when one is planned.
        type: str
      covering_cidr:
        description: The CIDR block of the covering route.
        type: str
        default: 100.0.0.0/8
      existing_routes:
        description: The current entries of the registry VPC's route table, in the shape of O(source.existing_routes).
        type: list
        elements: dict
        default: []
  endpoints:
    description: The three endpoints a pull reaches, as discovered in the registry VPC (Step 2 of the console procedure).
    type: dict
    required: true
    suboptions:
      registry:
        description: The registry's VPC endpoint.
        type: dict
        required: true
        suboptions:
          domain:
            description: The VPC domain of the instance, for example C(NAME-registry-vpc.cn-hangzhou.cr.aliyuncs.com). Required.
            type: str
          addresses:
            description: The addresses the domain resolves to inside the registry VPC. At least one is required.
            type: list
            elements: str
            default: []
      auth:
        description: The auth service.
        type: dict
        required: true
        suboptions:
          domain:
            description: The auth domain, for example C(dockerauth-vpc.cn-hangzhou.aliyuncs.com). Required.
            type: str
          addresses:
            description: The addresses the auth domain resolves to; required unless O(endpoints.auth.takeover=true).
            type: list
            elements: str
            default: []
          takeover:
            description: Whether the instance has taken over the auth domain ("Instance Taking over Authentication Domain Name").
            type: bool
            default: false
      oss:
        description: OSS, where the instance stores the image layers.
        type: dict
        default: {}
        suboptions:
          domain:
            description:
              - The internal OSS domain. Without it, the registry region's internal domain is used
                (C(oss-REGION-internal.aliyuncs.com), or C(BUCKET.oss-REGION-internal.aliyuncs.com) with O(endpoints.oss.bucket)).
            type: str
          addresses:
            description:
              - The addresses the OSS domain resolves to. Required with O(oss_route_mode=address) or when the region has no
                published VIP ranges; without them there is no hosts entry for OSS.
            type: list
            elements: str
            default: []
          bucket:
            description: A custom bucket, for the default domain.
            type: str
  oss_route_mode:
    description:
      - V(vip_ranges) routes the region's published OSS VIP ranges; V(address) routes only the /32 of each OSS address, which
        breaks when the VIP moves.
      - V(privatelink) - O(endpoints.oss.addresses) are the addresses of a PrivateLink endpoint of OSS in the registry VPC
        (M(alicloud.acr_access.privatelink_vpc_endpoint)), inside its CIDR blocks - no 100.x OSS route, nothing advertised for OSS,
        and the OSS domain (and the region's internal domain) resolves to them through RV(plan.hosts_entries).
    type: str
    choices: [vip_ranges, address, privatelink]
    default: vip_ranges
  oss_vip_ranges:
    description: The OSS VIP ranges to route instead of the built-in table of published ranges.
    type: list
    elements: str
  reachable_cidrs:
    description:
      - CIDR blocks the source already routes to its next hop, for example the registry VPC's CIDR block added by the role
        C(cen_connect). Addresses inside them need no source route.
    type: list
    elements: str
    default: []
  accept_findings:
    description: Codes of findings the user accepts; an accepted error finding no longer makes RV(plan.blocking) true.
    type: list
    elements: str
    default: []
  other_vpcs:
    description:
      - Other VPCs known to be connected (for example the members of the CEN); a data center's CIDR block that overlaps one of theirs is
        an error finding (V(data_center_vpc_overlap)). Not used for a VPC source.
    type: list
    elements: dict
    default: []
    suboptions:
      vpc_id:
        description: The VPC's ID, for the message.
        type: str
      region:
        description: Its region (informational).
        type: str
      cidr_blocks:
        description: Its CIDR blocks.
        type: list
        elements: str
        default: []
extends_documentation_fragment:
  - alicloud.acr_access.attributes
  - alicloud.acr_access.attributes.INFO_MODULE
attributes:
  action:
    description: Runs through an action plugin of the same name, in the controller's process; no module process is started.
    support: full
notes:
  - Runs on the controller, in the Ansible process itself (the action plugin); it needs no SDK, makes no network call and reads
    no file. The options are validated as a module's would be, and an invalid one fails the task naming it.
  - Finding codes - V(registry_address_conflict), V(auth_address_conflict), V(oss_address_conflict) (errors);
    V(data_center_registry_vpc_overlap), V(data_center_service_range_overlap), V(data_center_vpc_overlap),
    V(data_center_route_conflict) (errors, data center only);
    V(oss_address_outside_vip_ranges), V(oss_address_mode), V(oss_vip_ranges_unknown) (warnings); V(auth_domain_takeover),
    V(registry_address_outside_vpc) (information).
seealso:
  - name: Internal OSS endpoints and VIP ranges
    description: The published OSS VIP ranges per region.
    link: https://www.alibabacloud.com/help/en/oss/user-guide/regions-and-endpoints
"""

EXAMPLES = r"""
- name: Plan the access from the Shanghai VPC to the Hangzhou registry (the console procedure)
  alicloud.acr_access.registry_access_plan:
    source:
      region: cn-shanghai
      vpc_id: vpc-uf6example00000000001
      cidr_blocks: [172.16.0.0/16]
      next_hop_id: "{{ cen.source_attachment_id }}"
    registry_vpc:
      region: cn-hangzhou
      vpc_id: vpc-bp1example00000000001
      cidr_blocks: [10.0.0.0/16]
      vswitch_cidr_blocks: [10.0.0.0/24, 10.0.1.0/24]
      next_hop_instance_id: i-bp1example000000001
    endpoints:
      registry: {domain: xxxxxx-registry-vpc.cn-hangzhou.cr.aliyuncs.com, addresses: [10.94.205.198]}
      auth: {domain: dockerauth-vpc.cn-hangzhou.aliyuncs.com, addresses: [100.103.7.181]}
      oss: {domain: oss-cn-hangzhou-internal.aliyuncs.com, addresses: [100.118.28.43]}
    reachable_cidrs: [10.0.0.0/16]
  register: access

- name: Plan the access from a data center behind a VPN gateway in the registry VPC
  alicloud.acr_access.registry_access_plan:
    source:
      kind: data_center
      cidr_blocks: [192.168.0.0/24]
      connection:
        type: vpn_gateway
        vpn_gateway_id: vpn-bp1example000000001
        ipsec_connection_id: vco-bp1example000000001
      on_premises: {via: 169.254.10.1, dev: vti0}
    registry_vpc:
      region: cn-hangzhou
      cidr_blocks: [10.0.0.0/16]
    endpoints:
      registry: {domain: xxxxxx-registry-vpc.cn-hangzhou.cr.aliyuncs.com, addresses: [10.94.205.198]}
      auth: {domain: dockerauth-vpc.cn-hangzhou.aliyuncs.com, addresses: [100.103.7.181]}
  register: data_center_access

- name: Stop on a 100.x conflict that was not accepted
  ansible.builtin.fail:
    msg: "{{ access.plan.findings | selectattr('severity', 'eq', 'error') | rejectattr('accepted') | map(attribute='message') | list }}"
  when: access.plan.blocking

- name: Write the hosts entries on a client
  ansible.builtin.lineinfile:
    path: /etc/hosts
    line: "{{ item.ip }} {{ item.names | join(' ') }}"
  loop: "{{ access.plan.hosts_entries }}"
"""

RETURN = r"""
plan:
  description: The access plan; the same input always gives the same plan, in the same order.
  returned: success
  type: dict
  contains:
    source_routes:
      description: The route entries the source route table needs, registry first, then auth, then OSS, each sorted by destination.
      returned: for a VPC source
      type: list
      elements: dict
      contains:
        destination_cidr_block:
          description: The destination.
          returned: always
          type: str
          sample: 100.103.7.181/32
        next_hop_type:
          description: The next hop type, O(source.next_hop_type).
          returned: always
          type: str
          sample: Attachment
        next_hop_id:
          description: The next hop, O(source.next_hop_id).
          returned: always
          type: str
          sample: tr-attach-example0000000000b
        reason:
          description: Why the route exists.
          returned: always
          type: str
          sample: "auth service address 100.103.7.181: the auth service dockerauth-vpc.cn-hangzhou.aliyuncs.com resolves to it, ..."
        already_present:
          description: Whether O(source.existing_routes) already has this destination with this next hop.
          returned: always
          type: bool
          sample: false
    on_premises_routes:
      description:
        - The routes the data center's gateway needs into the tunnel, registry first, then auth, then OSS, each sorted by
          destination - the destinations a VPC source gets. For M(alicloud.acr_access.onprem_gateway_routes) or the network team.
      returned: for a data center
      type: list
      elements: dict
      contains:
        destination:
          description: The destination.
          returned: always
          type: str
          sample: 100.103.7.181/32
        via:
          description: The next hop address, O(source.on_premises.via), or null.
          returned: always
          type: str
          sample: 169.254.10.1
        dev:
          description: The device, O(source.on_premises.dev), or null.
          returned: always
          type: str
          sample: vti0
        reason:
          description: Why the route exists.
          returned: always
          type: str
          sample: "auth service address 100.103.7.181: ...; the data center reaches it through the IPsec connection ..."
    vpn_routes:
      description:
        - The VPN gateway's destination routes back to the data center, one per data-center CIDR block, in the shape of the
          C(routes) of the module C(vpn_route_entry) (plus C(reason)); empty with O(source.connection.type=transit_router).
      returned: for a data center
      type: list
      elements: dict
      contains:
        destination:
          description: The data-center CIDR block.
          returned: always
          type: str
          sample: 192.168.0.0/24
        next_hop:
          description: The IPsec connection, O(source.connection.ipsec_connection_id).
          returned: always
          type: str
          sample: vco-bp1example000000001
        weight:
          description: Always V(100) (the active route).
          returned: always
          type: int
          sample: 100
        publish_vpc:
          description: Always V(true) - the route is published to the registry VPC's route table.
          returned: always
          type: bool
          sample: true
        reason:
          description: Why the route exists.
          returned: always
          type: str
          sample: "data-center CIDR block 192.168.0.0/24: the registry VPC's answers go to the VPN gateway ..."
    registry_routes:
      description:
        - The route entries the registry VPC needs - the covering route first, then routes of their own, each to be advertised to
          the transit router; for a data center through the transit router, then a route per data-center CIDR block to the
          registry VPC's attachment (not advertised). Empty for a data center behind a VPN gateway.
      returned: always
      type: list
      elements: dict
      contains:
        destination_cidr_block:
          description: The destination, the covering CIDR or a /32 or range outside it.
          returned: always
          type: str
          sample: 100.0.0.0/8
        next_hop_type:
          description: V(Instance), or V(Attachment) for a route to a data-center CIDR block.
          returned: always
          type: str
          sample: Instance
        next_hop_id:
          description: The ECS instance, O(registry_vpc.next_hop_instance_id), or O(source.connection.transit_router_attachment_id).
          returned: always
          type: str
          sample: i-bp1example000000001
        advertise:
          description: Whether to advertise (publish) the entry to the transit router - V(false) only for the routes to a data center.
          returned: always
          type: bool
          sample: true
        reason:
          description: Why the route exists and what it carries.
          returned: always
          type: str
          sample: "covering route for auth service address 100.103.7.181, OSS VIP range 100.118.28.0/24, ..."
        already_present:
          description: Whether O(registry_vpc.existing_routes) already has this destination to this next hop.
          returned: always
          type: bool
          sample: false
    hosts_entries:
      description: The /etc/hosts lines for clients, one per address, in the order registry, auth, OSS.
      returned: always
      type: list
      elements: dict
      contains:
        ip:
          description: The address.
          returned: always
          type: str
          sample: 10.94.205.198
        names:
          description: The domain names that resolve to it.
          returned: always
          type: list
          elements: str
          sample: [xxxxxx-registry-vpc.cn-hangzhou.cr.aliyuncs.com]
    findings:
      description: Conflicts, warnings and notes, errors first.
      returned: always
      type: list
      elements: dict
      contains:
        code:
          description: The finding code, for O(accept_findings).
          returned: always
          type: str
          sample: auth_address_conflict
        severity:
          description: V(error), V(warning) or V(info).
          returned: always
          type: str
          sample: error
        message:
          description: What was found.
          returned: always
          type: str
          sample: "100.x conflict for the auth service (...): the registry VPC CIDR block 100.64.0.0/16 overlaps ..."
        fix:
          description: How to fix it (the console procedure's solution for 100.x conflicts).
          returned: always
          type: str
          sample: "Turn on auth-domain takeover: ..."
        accepted:
          description: Whether the code is in O(accept_findings).
          returned: always
          type: bool
          sample: false
    blocking:
      description: Whether an error finding is not accepted; the role stops then.
      returned: always
      type: bool
      sample: false
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.alicloud.acr_access.plugins.module_utils.plan import PlanError, input_error_result, plan_argument_spec, plan_from_params


def main():
    """The plan as a module process: only when the module is run directly (the action plugin of the same name runs the tasks)."""
    module = AnsibleModule(argument_spec=plan_argument_spec(), supports_check_mode=True)
    try:
        plan = plan_from_params(module.params)
    except PlanError as error:
        module.fail_json(**input_error_result(error))
    module.exit_json(changed=False, plan=plan)


if __name__ == "__main__":
    main()
