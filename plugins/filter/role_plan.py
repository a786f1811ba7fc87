# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters of the roles and playbooks: the decisions of module_utils/role_plan.py (pure functions, tested with tables).

The roles' YAML sequences modules; whatever it has to decide between them (which routes, which ids, what a teardown may
remove, the facts it publishes) is one of these filters. Each is documented in plugins/filter/<name>.yml.
"""

from __future__ import annotations

import functools

from ansible.errors import AnsibleFilterError
from ansible_collections.alicloud.acr_access.plugins.module_utils import role_plan, topology


def _filter(name, function):
    """The pure function as a filter: a missing key or a value of the wrong type fails naming the filter."""
    @functools.wraps(function)
    def run(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except (KeyError, TypeError, AttributeError, IndexError) as exc:
            raise AnsibleFilterError("%s: unexpected input (%s: %s)" % (name, type(exc).__name__, exc)) from exc
    return run


# ---------------------------------------------------------------- cen_connect and teardown


def cen_connect_layout(members):
    """{regions, region_pairs} of the members: one transit router per region, one inter-region connection per pair."""
    return dict(regions=role_plan.member_regions(members), region_pairs=role_plan.region_pairs(members))


def cen_connect_rebuilt(cen_info, route_mode="vpc_route_entries"):
    """The fact cen_connect as step 1 left it, from cen_info's result; {} with fewer than two members attached."""
    return role_plan.rebuilt_cen_connect(cen_info, route_mode)


# ---------------------------------------------------------------- registry_routes


def registry_routes_inputs(role, cen_connect=None, registry_endpoints=None):
    """The role's inputs merged with the facts cen_connect and registry_endpoints."""
    return role_plan.registry_routes_inputs(role, cen_connect, registry_endpoints)


def registry_routes_fact(inputs, state, plan, source, registry, advertisement):
    """The fact registry_routes."""
    return role_plan.registry_routes_fact(state, inputs, plan, source, registry, advertisement)


# ---------------------------------------------------------------- registry_endpoints


def registry_endpoints_fact(probe_result, instance, region, probe_host, linked_ips, known=False, warnings=None):
    """The fact registry_endpoints."""
    return role_plan.registry_endpoints_fact(instance, region, probe_host, linked_ips, probe_result, bool(known), warnings)


# ---------------------------------------------------------------- cross_region_access


def cross_region_access_summary(cen_connect, registry_endpoints, registry_routes=None):
    """The fact cross_region_access."""
    return role_plan.cross_region_summary(cen_connect, registry_endpoints, registry_routes)


# ---------------------------------------------------------------- onprem_gateway


def onprem_gateway_fact(inputs, state, table_path, json_path, applied=None):
    """The fact onprem_gateway."""
    return role_plan.onprem_gateway_fact(state, inputs, table_path, json_path, applied)


def data_center_routes_inputs(given, data_center_connect=None, registry_endpoints=None):
    """The inputs of data_center_routes (the explicit ones, else the facts data_center_connect and registry_endpoints)."""
    return role_plan.data_center_routes_inputs(given, data_center_connect, registry_endpoints)


def data_center_routes_fact(inputs, state, plan, written=None):
    """The fact data_center_routes."""
    return role_plan.data_center_routes_fact(state, inputs, plan, written)


# ---------------------------------------------------------------- data_center_connect


def data_center_connect_fact(inputs, found, connection=None, links=None):
    """The fact data_center_connect."""
    return role_plan.data_center_connect_fact(inputs, found, connection, links)


FILTERS = {
    "cen_connect_layout": cen_connect_layout,
    "cen_member_routes": role_plan.member_routes,
    "cen_disconnect_plan": role_plan.cen_disconnect_plan,
    "cen_connect_pending": role_plan.connection_pending,
    "cen_connect_predicted": role_plan.connection_predicted,
    "cen_connect_placeholder": role_plan.is_placeholder,
    "cen_connect_rebuilt": cen_connect_rebuilt,
    "registry_routes_inputs": registry_routes_inputs,
    "registry_routes_oss": role_plan.registry_routes_oss,
    "registry_route_entries": role_plan.registry_route_entries,
    "registry_routes_fact": registry_routes_fact,
    "registry_plan_errors": role_plan.blocking_findings,
    "registry_endpoints_known_result": role_plan.known_probe_result,
    "registry_endpoints_source": role_plan.registry_endpoints_source,
    "registry_endpoints_probe_vpc_warnings": role_plan.registry_endpoints_probe_vpc_warnings,
    "registry_endpoints_fact": registry_endpoints_fact,
    "registry_ca_path": role_plan.registry_ca_path,
    "registry_verify_endpoints": role_plan.verify_endpoints,
    "registry_client_reports": role_plan.client_reports,
    "cross_region_access_summary": cross_region_access_summary,
    "cross_region_access_report": role_plan.cross_region_report,
    "onprem_gateway_inputs": role_plan.onprem_gateway_inputs,
    "onprem_gateway_table": role_plan.onprem_gateway_table,
    "onprem_gateway_fact": onprem_gateway_fact,
    "vpn_route_entries": role_plan.vpn_route_entries,
    "data_center_routes_inputs": data_center_routes_inputs,
    "data_center_routes_registry_vpc": role_plan.data_center_routes_registry_vpc,
    "data_center_routes_fact": data_center_routes_fact,
    "data_center_connect_input_errors": role_plan.data_center_connect_input_errors,
    "data_center_connect_found": role_plan.data_center_connect_found,
    "data_center_connect_transit": role_plan.data_center_connect_transit,
    "data_center_connect_fact": data_center_connect_fact,
    "data_center_connect_teardown": role_plan.data_center_connect_teardown,
    "registry_routes_input_errors": role_plan.registry_routes_input_errors,
    "registry_endpoints_input_errors": role_plan.registry_endpoints_input_errors,
    "access_topology_svg": topology.routes_fact_svg,
    "data_center_connect_predicted": role_plan.data_center_connection_predicted,
    "registry_endpoints_instance_errors": role_plan.registry_endpoints_instance_errors,
    "data_center_routes_input_errors": role_plan.data_center_routes_input_errors,
    "registry_routes_next_hop": role_plan.registry_routes_next_hop,
    "data_center_routes_next_hop": role_plan.data_center_routes_next_hop,
    "next_hop_instance_problems": role_plan.next_hop_instance_problems,
}


class FilterModule:
    def filters(self):
        return dict((name, _filter(name, function)) for name, function in FILTERS.items())
