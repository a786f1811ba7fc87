#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cen_route_advertisement
short_description: Advertise VPC route entries to a CEN transit router, or withdraw them
version_added: 0.1.0
description:
  - Advertises (publishes) the route entries of a VPC route table with the listed destinations to the CEN the VPC is attached to,
    as the console's B(Advertise) button does, and waits until they are V(Published). With O(state=absent) withdraws them and
    waits until they are no longer published.
  - Reads C(DescribePublishedRouteEntries) once and publishes only what is not published yet, so a second run makes no change.
  - Only entries of the VPC's B(system) route table can be advertised to a transit router (the transit router guide; the API answers
    C(InvalidOperation.UnsupportRouteTableType)). The console procedure speaks of a custom route table; this module checks the table type
    with C(DescribeRouteTableList) first and fails with the fix (use the system route table) before any write.
  - Optionally waits until a transit router has learned the advertised routes (O(learned_by)), for example the transit router of
    the other region of an inter-region connection. The ids of O(learned_by) are checked before any change. The wait reads the
    table's routes for every destination at once (C(ListTransitRouterRouteEntries) with a C(RouteFilter)), once per poll.
author:
  - alicloud.acr_access contributors (@alicloud-acr-access)
options:
  cen_id:
    description: The CEN instance the VPC is attached to.
    type: str
    required: true
  vpc_id:
    description: The VPC whose route entries are advertised. O(region) is the VPC's region.
    type: str
    required: true
  route_table_id:
    description:
      - The VPC route table holding the entries. Default - the VPC's system route table.
      - A custom route table is refused (see the description).
    type: str
  destination_cidr_blocks:
    description:
      - The destinations of the route entries to advertise or withdraw, for example V(100.0.0.0/8).
      - The entries must exist in the table with O(state=present) (create them with M(alicloud.acr_access.vpc_route_entry)).
    type: list
    elements: str
    required: true
  state:
    description: V(present) advertises, V(absent) withdraws.
    type: str
    default: present
    choices: [present, absent]
  learned_by:
    description:
      - With O(state=present) and O(wait=true), also wait until this transit router route table has an V(Active) route for every
        destination. Give the table, or a transit router VPC attachment (the table it is associated with is used, else its
        transit router's System table).
    type: dict
    suboptions:
      transit_router_route_table_id:
        description: The transit router route table to watch.
        type: str
      transit_router_attachment_id:
        description: A VPC attachment whose transit router route table is watched.
        type: str
  wait:
    description: Wait until every listed entry is V(Published) (or no longer published with O(state=absent)).
  wait_timeout:
    description:
      - Seconds for the whole task, one budget for every change and wait (publishing, then learning by O(learned_by)).
      - No change is sent once it is spent; the task then fails naming the change it did not make.
    default: 300
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
  idempotent:
    support: full
requirements:
  - alibabacloud-cbn20170912
  - alibabacloud-vpc20160428
notes:
  - C(DescribePublishedRouteEntries) tells only V(Published) from V(NonPublished); a publication still being applied reads
    V(NonPublished). So a run right after a O(wait=false) run publishes that entry again and reports it as changed (the cloud takes the
    second request once the first is done, and nothing changes twice). Use O(wait=true), the default, where the second run must be
    unchanged.
seealso:
  - module: alicloud.acr_access.vpc_route_entry
  - name: PublishRouteEntries API reference
    description: The CBN API operation behind this module.
    link: https://www.alibabacloud.com/help/en/cen/developer-reference/api-cbn-2017-09-12-publishrouteentries
"""

EXAMPLES = r"""
- name: Advertise the covering route of the registry VPC and wait until Shanghai's transit router learned it
  alicloud.acr_access.cen_route_advertisement:
    region: cn-hangzhou
    cen_id: "{{ cen_id }}"
    vpc_id: vpc-bp1example00000000001
    destination_cidr_blocks: [100.0.0.0/8]
    learned_by:
      transit_router_attachment_id: "{{ shanghai_attachment_id }}"

- name: Withdraw it
  alicloud.acr_access.cen_route_advertisement:
    region: cn-hangzhou
    cen_id: "{{ cen_id }}"
    vpc_id: vpc-bp1example00000000001
    destination_cidr_blocks: [100.0.0.0/8]
    state: absent
"""

RETURN = r"""
route_table_id:
  description: The VPC route table whose entries were advertised.
  returned: success
  type: str
  sample: vtb-bp1example00000000001
entries:
  description: One item per listed destination, in the order given (the API's fields in snake_case).
  returned: success
  type: list
  elements: dict
  contains:
    destination_cidr_block:
      description: The destination (normalised).
      returned: always
      type: str
      sample: 100.0.0.0/8
    publish_status:
      description: V(Published) or V(NonPublished) (V(Publishing) / V(Withdrawing) when O(wait=false)).
      returned: always
      type: str
      sample: Published
    child_instance_route_table_id:
      description: The VPC route table of the entry.
      returned: when the entry exists
      type: str
      sample: vtb-bp1example00000000001
    next_hop_type:
      description: The next hop type of the VPC route entry.
      returned: when the entry exists
      type: str
      sample: Instance
    next_hop_id:
      description: The next hop of the VPC route entry.
      returned: when the entry exists
      type: str
      sample: i-bp1example000000001
    route_type:
      description: The type of the VPC route entry (V(Custom), V(System)).
      returned: when the entry exists
      type: str
      sample: Custom
    operational_mode:
      description: Whether the entry can be withdrawn in the console.
      returned: when the entry exists
      type: bool
      sample: false
    conflicts:
      description: Routes in the CEN that conflict with this one (as the API reports them).
      returned: always
      type: list
      elements: dict
    action:
      description: V(published), V(unchanged), V(withdrawn) or V(absent) (was not published).
      returned: always
      type: str
      sample: published
learned:
  description: What the transit router of O(learned_by) learned.
  returned: when O(learned_by) is given, O(state=present), O(wait=true) and not in check mode
  type: dict
  contains:
    transit_router_id:
      description: The transit router (when found from an attachment).
      returned: when known
      type: str
      sample: tr-uf6example00000000001
    transit_router_route_table_id:
      description: The transit router route table that was watched.
      returned: always
      type: str
      sample: vtb-uf6example00000000002
    routes:
      description: The learned route of each destination.
      returned: always
      type: list
      elements: dict
      contains:
        destination_cidr_block:
          description: The destination.
          returned: always
          type: str
        transit_router_route_entry_id:
          description: The ID of the transit router route entry.
          returned: always
          type: str
        next_hop_id:
          description: The attachment the traffic leaves by (the peer attachment for a route learned from another region).
          returned: always
          type: str
        next_hop_resource_id:
          description: The resource behind that attachment (a VPC or the peer transit router).
          returned: always
          type: str
        status:
          description: V(Active).
          returned: always
          type: str
diff:
  description: The publish status of each destination before and after.
  returned: success
  type: dict
"""

from ansible_collections.alicloud.acr_access.plugins.module_utils.client import AnsibleAlicloudModule
from ansible_collections.alicloud.acr_access.plugins.module_utils.resource import run, wait_argument_spec
from ansible_collections.alicloud.acr_access.plugins.module_utils.route_publish import PUBLISH_DEFAULT_TIMEOUT, AdvertisementManager


def main():
    argument_spec = dict(
        cen_id=dict(type="str", required=True),
        vpc_id=dict(type="str", required=True),
        route_table_id=dict(type="str"),
        destination_cidr_blocks=dict(type="list", elements="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        learned_by=dict(type="dict", options=dict(transit_router_route_table_id=dict(type="str"), transit_router_attachment_id=dict(type="str")),
                        required_one_of=[("transit_router_route_table_id", "transit_router_attachment_id")]),
        **wait_argument_spec(PUBLISH_DEFAULT_TIMEOUT),
    )
    module = AnsibleAlicloudModule(argument_spec=argument_spec, supports_check_mode=True, region_required="the VPC")
    run(module, AdvertisementManager, "Failed to {verb} routes of VPC {vpc_id} in CEN {cen_id}")


if __name__ == "__main__":
    main()
