"""CBN 2017-09-12 (Cloud Enterprise Network with Enterprise Edition transit routers).

The handlers live in four modules, imported here so that they register:
``_cbn_core`` (CEN instances, transit routers, their route tables), ``_cbn_attachments`` (VPC and
inter-region attachments), ``_cbn_data_center`` (VPN attachments of IPsec connections, VBR attachments)
and ``_cbn_routing`` (associations, propagations, learned routes, published VPC routes).
Shared delays, lookups and the sources of the error codes: ``_cbn_common``.

Helpers for the other twins (the network twin decides reachability with them):
- ``learned_routes(cloud, transit_router_id, route_table_id=None)``: the routes of a transit router
  route table as [{cidr, attachment, origin, resource_id, resource_type, region}].
- ``vpc_attachment_route(cloud, vpc_id, destination_ip)``: the route a VPC's traffic to an address
  takes through its transit router (attachment associated and the table holding a covering route), or None.
"""

# Registers the handlers.
from acr_twin.products import _cbn_attachments, _cbn_core, _cbn_data_center  # noqa: F401 pylint: disable=unused-import
from acr_twin.products._cbn_common import CBN_CODES, DELAYS
from acr_twin.products._cbn_core import system_route_table
from acr_twin.products._cbn_routing import learned_routes, vpc_attachment_route

__all__ = ["CBN_CODES", "DELAYS", "learned_routes", "system_route_table", "vpc_attachment_route"]
