# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The options every attachment of a transit router that is associated and propagated shares (the VPC, VPN and VBR
    attachment modules: alicloud.acr_access.transit_router_attachment); their argument spec is
    ``cen_resources.linked_attachment_argument_spec``.

    What differs stays in the module: the attached instance's option, O(auto_publish_route), the description of
    O(state) (what is attached), and O(wait_timeout)'s default.
    """

    DOCUMENTATION = r"""
options:
  cen_id:
    description:
      - The ID of the CEN instance.
    type: str
    required: true
  transit_router_id:
    description:
      - The ID of the transit router. By default the transit router of O(cen_id) in O(region).
    type: str
  name:
    description:
      - The name of the attachment. Updated on an existing attachment when given.
    type: str
  description:
    description:
      - The description of the attachment. Updated on an existing attachment when given.
    type: str
  associate:
    description:
      - Associate the attachment with the route table (O(route_table_id) or the system route table). V(false) leaves associations alone.
    type: bool
    default: true
  propagate:
    description:
      - Enable route propagation from the attachment to the route table, so that the transit router learns the attached
        network's routes. V(false) leaves propagations alone.
    type: bool
    default: true
  route_table_id:
    description:
      - A route table of the transit router (C(vtb-...)) to associate with and propagate to. By default its system route table.
    type: str
  state:
    description:
      - V(present) attaches (or updates), V(absent) detaches.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description:
      - Wait for the attachment to be C(Attached) (and the association and propagation C(Active)), or to be gone.
  wait_timeout:
    description:
      - How many seconds the whole task may take, every step included (one budget, not one per step).
        No change is started once the time is spent.
"""
