#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vpc_route_entry
short_description: Manage custom route entries of an Alibaba Cloud VPC route table
version_added: 0.1.0
description:
  - Makes the listed route entries of one VPC route table present or absent. Routes that are not listed are never touched.
  - The table is read once (C(DescribeRouteEntryList), paged); each wanted route is compared with the entry of the same destination.
    Same next hop - unchanged. Different next hop - replaced in place with C(ModifyRouteEntry) (C(NewNextHopType), C(NewNextHopId)),
    so there is no moment without a route (no black hole), but only when the entry was created by this collection or
    O(replace_foreign=true). An entry of someone else with another next hop is an error naming it, raised before any change.
  - Entries created by this collection carry the marker C([managed by alicloud.acr_access]) at the end of their description
    (after the user's O(routes[].description)). Keep it there; removing it makes the entry foreign to this module.
  - The cloud refuses concurrent changes on one route table (C(TaskConflict)), so changes are made one at a time, each waiting
    until the previous entry is C(Available); C(TaskConflict) and the other route-entry busy codes are retried within O(wait_timeout).
  - Every create carries a C(ClientToken); after a create that got no answer, the table is read back before creating again.
  - O(state=absent) deletes a listed destination only when the entry was created by this collection, or its next hop is the given
    O(routes[].next_hop_id). An entry of someone else listed without its next hop is an error naming it (give its next hop to remove
    it), raised before any change; one with another next hop is kept (V(absent)). A destination that is not in the table is no change.
  - All input is checked before any write - CIDR syntax (an address becomes a /32; host bits set is an error naming the network),
    duplicate destinations, missing next hop ids, next hop types that cannot be inferred.
  - Errors name the option as it was given - V(routes[1].next_hop_id) for the list, V(next_hop_id) for the single-route shorthand.
author:
  - alicloud.acr_access contributors (@alicloud-acr-access)
options:
  route_table_id:
    description:
      - The ID of the route table (system or custom), for example V(vtb-uf6example00000000001).
      - Give this or O(vpc_id).
    type: str
  vpc_id:
    description:
      - The VPC whose system route table is meant, when O(route_table_id) is not given.
    type: str
  routes:
    description:
      - The routes to manage in the table. Mutually exclusive with the single-route options O(destination_cidr_block)...
    type: list
    elements: dict
    suboptions:
      destination_cidr_block:
        description:
          - The destination, for example V(100.103.7.181/32). An address without a prefix length means that address alone (/32, /128).
        type: str
        required: true
      next_hop_type:
        description:
          - The kind of next hop. V(Attachment) is a transit router (the VPC attachment id as O(routes[].next_hop_id)),
            V(Instance) an ECS instance.
          - Default - inferred from the prefix of O(routes[].next_hop_id) - V(i-) Instance, V(tr-attach-) Attachment,
            V(vpn-) VpnGateway, V(ri-) RouterInterface, V(havip-) HaVip, V(eni-) NetworkInterface, V(ngw-) NatGateway,
            V(ipv6gw-) IPv6Gateway, V(ipv4gw-) Ipv4Gateway, V(pcc-) VpcPeer, V(vpce-) GatewayEndpoint, V(ecr-) Ecr.
            An id with another prefix needs this option (the task fails naming it, before any change).
        type: str
        choices: [Attachment, Instance, VpnGateway, RouterInterface, HaVip, NetworkInterface, NatGateway, IPv6Gateway, Ipv4Gateway,
                  VpcPeer, GatewayEndpoint, Ecr]
      next_hop_id:
        description:
          - The ID of the next hop (V(i-...), V(tr-attach-...)...). Required with O(state=present).
          - With O(state=absent), the entry is deleted only when its next hop is this one, or it was created by this collection;
            without it, only an entry of this collection is deleted (an entry of someone else is an error naming it).
        type: str
      name:
        description: The name of the route entry (set when it is created or replaced).
        type: str
      description:
        description: The description of the route entry; the ownership marker is appended to it.
        type: str
  destination_cidr_block:
    description: Single-route shorthand for O(routes[].destination_cidr_block).
    type: str
  next_hop_type:
    description: Single-route shorthand for O(routes[].next_hop_type) (default - inferred from O(next_hop_id)).
    type: str
    choices: [Attachment, Instance, VpnGateway, RouterInterface, HaVip, NetworkInterface, NatGateway, IPv6Gateway, Ipv4Gateway,
              VpcPeer, GatewayEndpoint, Ecr]
  next_hop_id:
    description: Single-route shorthand for O(routes[].next_hop_id).
    type: str
  name:
    description: Single-route shorthand for O(routes[].name).
    type: str
  description:
    description: Single-route shorthand for O(routes[].description).
    type: str
  state:
    description: Whether the listed routes must be in the table or not.
    type: str
    default: present
    choices: [present, absent]
  replace_foreign:
    description:
      - Replace the next hop of an entry that this collection did not create (it then carries the ownership marker).
      - Without it such an entry is an error.
    type: bool
    default: false
  wait:
    description:
      - Wait until the last changed entry is V(Available) (or deleted). Changes before the last are always waited for,
        because the cloud takes one change per table at a time - so with O(wait=false) only the last change (a create,
        replace or delete) is left running.
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
      - The listed routes before and after, by destination (next hop type and ID).
  idempotent:
    support: full
requirements:
  - alibabacloud-vpc20160428
notes:
  - The API refuses the cloud service range V(100.64.0.0/10) itself and the CIDR blocks of the VPC's vSwitches
    (C(InvalidCidrBlock.Overlapped)); more specific routes inside V(100.64.0.0/10), such as the auth service /32 and the
    OSS VIP ranges of the procedure, are accepted and win over the system route.
seealso:
  - module: alicloud.acr_access.vpc_info
  - module: alicloud.acr_access.cen_route_advertisement
  - name: CreateRouteEntry API reference
    description: The VPC API operation behind this module.
    link: https://www.alibabacloud.com/help/en/vpc/developer-reference/api-vpc-2016-04-28-createrouteentry
"""

EXAMPLES = r"""
- name: Route the registry addresses of Hangzhou through the Shanghai VPC's transit router attachment
  alicloud.acr_access.vpc_route_entry:
    region: cn-shanghai
    route_table_id: vtb-uf6example00000000001
    routes:
      - destination_cidr_block: 10.94.205.198/32
        next_hop_type: Attachment
        next_hop_id: "{{ shanghai_attachment_id }}"
        description: registry endpoint
      - destination_cidr_block: 100.103.7.181
        next_hop_type: Attachment
        next_hop_id: "{{ shanghai_attachment_id }}"

- name: The covering route in the registry VPC's system table, to an ECS instance
  alicloud.acr_access.vpc_route_entry:
    region: cn-hangzhou
    vpc_id: vpc-bp1example00000000001
    destination_cidr_block: 100.0.0.0/8
    next_hop_id: i-bp1example000000001  # next_hop_type Instance, inferred from i-

- name: Remove a route (only if it still goes to that instance)
  alicloud.acr_access.vpc_route_entry:
    region: cn-hangzhou
    vpc_id: vpc-bp1example00000000001
    destination_cidr_block: 100.0.0.0/8
    next_hop_id: i-bp1example000000001
    state: absent
"""

RETURN = r"""
route_table_id:
  description: The route table that was managed.
  returned: success
  type: str
  sample: vtb-uf6example00000000001
routes:
  description: One item per listed route, in the order given.
  returned: success
  type: list
  elements: dict
  contains:
    destination_cidr_block:
      description: The destination, normalised (V(10.0.0.1) becomes V(10.0.0.1/32)).
      returned: always
      type: str
      sample: 100.103.7.181/32
    route_entry_id:
      description: The ID of the entry; V(null) for a route that check mode predicts to create, or that is absent.
      returned: always
      type: str
      sample: rte-uf6example00000000001
    next_hop_type:
      description: The next hop type of the entry (after the change).
      returned: always
      type: str
      sample: Attachment
    next_hop_id:
      description: The next hop of the entry (after the change).
      returned: always
      type: str
      sample: tr-attach-example0000000000b
    status:
      description: V(Available), V(Pending) or V(Modifying) (when O(wait=false)); V(null) when absent.
      returned: always
      type: str
      sample: Available
    name:
      description: The name of the entry.
      returned: always
      type: str
      sample: to-registry
    description:
      description: The description of the entry without the ownership marker.
      returned: always
      type: str
      sample: registry endpoint
    managed:
      description: Whether the entry carries the ownership marker of this collection.
      returned: always
      type: bool
      sample: true
    type:
      description: V(Custom) or V(System); V(null) when absent or not yet created.
      returned: always
      type: str
      sample: Custom
    action:
      description:
        - V(created), V(replaced) (next hop changed in place), V(unchanged), V(deleted), or V(absent)
          (O(state=absent) and the destination is not in the table, or routes to another next hop).
      returned: always
      type: str
      sample: created
diff:
  description: The listed destinations before and after, as Ansible's C(--diff) shows them.
  returned: success
  type: dict
  contains:
    before:
      description: The entries that existed for the listed destinations, by destination (C(next_hop_type), C(next_hop_id)).
      returned: always
      type: dict
      sample: {"100.103.7.181/32": {"next_hop_type": "Attachment", "next_hop_id": "tr-attach-example00000002"}}
    after:
      description: The entries for the listed destinations after the task (as predicted in check mode), by destination.
      returned: always
      type: dict
"""

from ansible_collections.alicloud.acr_access.plugins.module_utils.client import AnsibleAlicloudModule
from ansible_collections.alicloud.acr_access.plugins.module_utils.resource import run, wait_argument_spec
from ansible_collections.alicloud.acr_access.plugins.module_utils.vpc_routes import (
    NEXT_HOP_TYPES, ROUTE_ENTRY_DEFAULT_TIMEOUT, SINGLE_ROUTE_OPTIONS, RouteEntriesManager, route_options)


def argument_spec() -> dict:
    return dict(
        route_table_id=dict(type="str"),
        vpc_id=dict(type="str"),
        routes=dict(type="list", elements="dict", options=route_options()),
        destination_cidr_block=dict(type="str"),
        next_hop_type=dict(type="str", choices=list(NEXT_HOP_TYPES)),
        next_hop_id=dict(type="str"),
        name=dict(type="str"),
        description=dict(type="str"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        replace_foreign=dict(type="bool", default=False),
        **wait_argument_spec(ROUTE_ENTRY_DEFAULT_TIMEOUT),
    )


def main():
    module = AnsibleAlicloudModule(
        argument_spec=argument_spec(),
        mutually_exclusive=[("routes", option) for option in SINGLE_ROUTE_OPTIONS] + [("route_table_id", "vpc_id")],
        required_one_of=[("route_table_id", "vpc_id"), ("routes", "destination_cidr_block")],
        supports_check_mode=True,
    )
    run(module, RouteEntriesManager, "Failed to manage the route entries of {table}")


if __name__ == "__main__":
    main()
