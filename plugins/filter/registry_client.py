# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters of the registry_client role: the /etc/hosts entries of a registry_endpoints fact, the verification table, and
the up-front check of the clients' inputs."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.alicloud.acr_access.plugins.module_utils.client_verify import table
from ansible_collections.alicloud.acr_access.plugins.module_utils.plan import hosts_entries as plan_hosts_entries
from ansible_collections.alicloud.acr_access.plugins.module_utils.registry_client import ENGINES, parse_image

# Only the syntax of a relative reference is checked before step 2 knows the registry's domain.
_ANY_REGISTRY = "registry.example"


def _endpoint(fact, kind):
    value = fact.get(kind) if isinstance(fact, dict) else None
    if not isinstance(value, dict) or not value.get("domain"):
        raise AnsibleFilterError("hosts_entries: the endpoints have no %s.domain; pass the registry_endpoints fact of the role "
                                 "alicloud.acr_access.registry_endpoints" % kind)
    return dict(domain=str(value["domain"]), addresses=[str(a) for a in value.get("addresses") or []])


def hosts_entries(endpoints):
    """[{ip, names}] for /etc/hosts from a registry_endpoints fact (takeover at its top level or in auth), as the access plan has them."""
    parsed = {kind: _endpoint(endpoints, kind) for kind in ("registry", "auth", "oss")}
    takeover = endpoints.get("takeover", endpoints["auth"].get("takeover", False))
    parsed["auth"]["takeover"] = bool(takeover)
    if not parsed["registry"]["addresses"]:
        raise AnsibleFilterError("hosts_entries: registry.addresses is empty: run step 2 (registry_endpoints) first")
    if not takeover and not parsed["auth"]["addresses"]:
        raise AnsibleFilterError("hosts_entries: auth.addresses is empty and takeover is false: run step 2 (registry_endpoints) first")
    return plan_hosts_entries(parsed)


def registry_client_input_errors(hosts):
    """The input errors of the role registry_client on each host (its hostvars, with inventory_hostname), found without
    a call, each naming the variable, the host and the fix: every reference of registry_client_images, the engine, the
    pull policy. [] when they are good."""
    errors = []
    for facts in hosts or []:
        host = facts.get("inventory_hostname", "?")
        images = facts.get("registry_client_images", [])
        if not isinstance(images, list):
            errors.append("registry_client_images on %s: give a list of image references, for example [team/app:1.0]." % host)
            images = []
        for index, ref in enumerate(images):
            try:
                parse_image(ref, _ANY_REGISTRY)
            except ValueError as error:
                errors.append("registry_client_images[%d] on %s: %s." % (index, host, str(error).rstrip(".")))
        engine = facts.get("registry_client_engine", "docker")
        if engine not in ENGINES:
            errors.append("registry_client_engine on %s: %r is not an engine this role drives; give %s." % (host, engine, " or ".join(ENGINES)))
        pull = facts.get("registry_client_pull", "missing")
        if pull not in ("missing", "always"):
            errors.append("registry_client_pull on %s: %r; give missing or always." % (host, pull))
    return errors


def registry_verify_table(reports):
    """Lines of a table, one row per registry_client_verify report, then each failure's message."""
    return table([report for report in reports or [] if isinstance(report, dict)])


class FilterModule:
    def filters(self):
        return {"hosts_entries": hosts_entries, "registry_verify_table": registry_verify_table,
                "registry_client_input_errors": registry_client_input_errors}
