# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters of the registry_client role: what its tasks need on one host (registry_client_plan), the /etc/hosts entries
of a registry_endpoints fact, the verification table, and the up-front check of the clients' inputs."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.alicloud.acr_access.plugins.module_utils.client_verify import table
from ansible_collections.alicloud.acr_access.plugins.module_utils.plan import hosts_entries as plan_hosts_entries
from ansible_collections.alicloud.acr_access.plugins.module_utils.registry_client import ENGINES, parse_image
from ansible_collections.alicloud.acr_access.plugins.module_utils.role_plan import _as_bool, registry_ca_path, verify_endpoints

# Only the syntax of a relative reference is checked before step 2 knows the registry's domain.
_ANY_REGISTRY = "registry.example"


def _domain(fact, kind):
    """The fact's ``<kind>.domain``, or None when it has none."""
    value = fact.get(kind) if isinstance(fact, dict) else None
    return value.get("domain") if isinstance(value, dict) and value.get("domain") else None


def _endpoint(fact, kind, name="hosts_entries"):
    if not _domain(fact, kind):
        raise AnsibleFilterError("%s: the endpoints have no %s.domain; pass the registry_endpoints fact of the role "
                                 "alicloud.acr_access.registry_endpoints" % (name, kind))
    return dict(domain=str(fact[kind]["domain"]), addresses=[str(a) for a in fact[kind].get("addresses") or []])


def _hosts_entries(endpoints, parsed, name):
    parsed = dict((kind, dict(value)) for kind, value in parsed.items())
    # as Ansible's bool filter reads it: the string "false" of an extra variable is false
    takeover = _as_bool(endpoints.get("takeover", endpoints["auth"].get("takeover", False)))
    parsed["auth"]["takeover"] = takeover
    if not parsed["registry"]["addresses"]:
        raise AnsibleFilterError("%s: registry.addresses is empty: run step 2 (registry_endpoints) first" % name)
    if not takeover and not parsed["auth"]["addresses"]:
        raise AnsibleFilterError("%s: auth.addresses is empty and takeover is false: run step 2 (registry_endpoints) first" % name)
    return plan_hosts_entries(parsed)


def hosts_entries(endpoints):
    """[{ip, names}] for /etc/hosts from a registry_endpoints fact (takeover at its top level or in auth), as the access plan has them."""
    parsed = {kind: _endpoint(endpoints, kind) for kind in ("registry", "auth", "oss")}
    return _hosts_entries(endpoints, parsed, "hosts_entries")


def registry_client_plan(endpoints, engine="docker", given_entries=None, state="present"):
    """What the tasks of the role registry_client need on one host, worked out by one task: each task whose arguments
    call a filter of the collection loads the collection's filter files again in its worker process (50 to 100 ms per
    host and task, measured in benchmark P3). The endpoints are checked first, naming what is missing (for state absent
    only the instance and the registry's domain are used); then the hosts entries (the given ones, else computed as the
    access plan computes them), where the engine reads the registry's CA, and what the verification checks.
    """
    name = "registry_client_endpoints"
    kinds = ("registry", "auth", "oss") if state == "present" else ("registry",)
    fact = endpoints if isinstance(endpoints, dict) else {}
    missing = [] if fact.get("instance_id") else ["instance_id"]
    missing += ["%s.domain" % kind for kind in kinds if not _domain(fact, kind)]
    if missing:
        raise AnsibleFilterError(
            "%s: %s missing; give the registry_endpoints fact of the role alicloud.acr_access.registry_endpoints (instance_id, region, "
            "registry/auth/oss with domain and addresses, takeover)." % (name, " and ".join(missing)))
    parsed = {kind: _endpoint(fact, kind, name) for kind in kinds}
    plan = dict(instance_id=str(fact["instance_id"]), registry=parsed["registry"]["domain"],
                ca_path=registry_ca_path(engine, parsed["registry"]["domain"]), entries=[], targets=None)
    if state == "present":
        plan["entries"] = list(given_entries) if given_entries else _hosts_entries(fact, parsed, name)
        plan["targets"] = verify_endpoints(dict(fact, **parsed), plan["entries"])
    return plan


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
        return {"hosts_entries": hosts_entries, "registry_client_plan": registry_client_plan, "registry_verify_table": registry_verify_table,
                "registry_client_input_errors": registry_client_input_errors}
