# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The decisions of the roles and playbooks: which routes, which ids, which facts, what teardown may remove.

PURE, like plan.py: facts in (module results and role inputs as plain data), decisions out. No I/O, no Ansible import,
no SDK, standard library only (Python 3.8+), so that the rules are tested with tables and the role YAML only
sequences modules. The filter plugins (plugins/filter/role_plan.py) expose these functions to the roles.

Each function keeps the meaning of the Jinja it replaced, including its loose spots: a value that is missing or empty
("default(x, true)") falls back, a value given explicitly wins.
"""

from __future__ import annotations

import ipaddress
import re
from itertools import combinations

MEMBER_ROUTE_NAME = "cen-connect"
_TRUE = ("yes", "on", "true", "1")


def _first(items):
    return items[0] if items else None


def _unique(items):
    """The items in their first order, each once (Jinja's unique)."""
    seen = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def _as_bool(value):
    """Ansible's bool filter for the values it accepts (true, 'yes', 'on', 'true', '1', any case)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, str)):
        return str(value).lower() in _TRUE
    return False


def _or_empty(value, empty):
    """value, or ``empty`` when value is missing or falsy (Jinja's default(empty, true))."""
    return value if value else empty


def _given(overrides):
    """The keys of an explicit input dict whose value is neither None nor '' (those are "not given")."""
    return dict((key, value) for key, value in (overrides or {}).items() if value is not None and value != "")


# ---------------------------------------------------------------- cen_connect


def member_regions(members):
    """The members' regions, each once, in the members' order: one transit router per region."""
    return _unique([member["region"] for member in members])


def region_pairs(members):
    """Every pair of member regions, [a, b] in the order of member_regions: one inter-region connection per pair."""
    return [list(pair) for pair in combinations(member_regions(members), 2)]


def attachment_ids(attachments):
    """{vpc_id: transit_router_attachment_id} of VPC attachments (the last one of a VPC wins; None while only planned)."""
    return dict((attachment["vpc_id"], attachment.get("transit_router_attachment_id")) for attachment in attachments)


def member_routes(members, attachment_of):
    """{vpc_id: [route]} - each member to every CIDR block of every other member, through the member's own attachment.

    A member whose attachment has no id (check mode, or not attached) gets no route; every member has a key.
    The routes have the shape of vpc_route_entry's ``routes``.
    """
    routes = dict((member["vpc_id"], []) for member in members)
    for member in members:
        hop = attachment_of.get(member["vpc_id"])
        if hop is None:
            continue
        for other in members:
            if other["vpc_id"] == member["vpc_id"]:
                continue
            for cidr in other.get("cidr_blocks") or []:
                routes[member["vpc_id"]].append({
                    "destination_cidr_block": cidr, "next_hop_type": "Attachment", "next_hop_id": hop, "name": MEMBER_ROUTE_NAME,
                    "description": "cen_connect: to %s in %s" % (other["vpc_id"], other["region"]),
                })
    return routes


def vpc_attachments_of(members, results):
    """The fact cen_connect's vpc_attachments: each member (as cen_info resolved it) with its attachment's ids and status.

    ``results`` are the waiting loop's results, in the members' order (each with ``attachment``).
    """
    attachments = []
    for member, result in zip(members, results):
        attachment = result["attachment"]
        attachments.append({
            "region": member["region"], "vpc_id": member["vpc_id"], "route_table_id": member["route_table_id"],
            "cidr_blocks": member["cidr_blocks"], "transit_router_attachment_id": attachment["transit_router_attachment_id"],
            "transit_router_route_table_id": attachment["route_table_id"], "status": attachment["status"],
        })
    return attachments


def route_entries_made(results):
    """The route entries of the vpc_route_entry loop's results, each with its member's vpc_id and route_table_id
    (items skipped, in check mode or with auto_publish, have no ``routes``)."""
    entries = []
    for result in results or []:
        if "routes" not in result:
            continue
        where = {"vpc_id": result["item"]["vpc_id"], "route_table_id": result["item"]["route_table_id"]}
        entries.extend(dict(route, **where) for route in result["routes"])
    return entries


def cen_connect_fact(cen_id, route_mode, members, routers, vpc_attachments, peers, route_entries):
    """The fact cen_connect after a connect: every id for the next roles.

    ``routers`` and ``peers`` are the waiting loops' results (in the order of member_regions and region_pairs),
    ``vpc_attachments`` what vpc_attachments_of returned, ``route_entries`` the results of the vpc_route_entry loop.
    """
    return {
        "cen_id": cen_id,
        "route_mode": route_mode,
        "transit_routers": dict(zip(member_regions(members), [result["transit_router"] for result in routers])),
        "vpc_attachments": vpc_attachments,
        "peer_attachments": [result["peer_attachment"] for result in peers],
        "peer_regions": region_pairs(members),
        "route_entries": route_entries_made(route_entries),
    }


def cen_disconnect_plan(cen, members):
    """What the teardown of cen_connect may remove from ``cen`` (cen_info's CEN) for these members, and what stays.

    Other VPCs (not members) may still use the member regions' transit routers and the connections between them:
    a connection stays when either of its transit routers carries a VPC attachment of another VPC, and a transit
    router stays when it carries such an attachment or a connection that stays (connections outside the member
    regions included). Returns attachment_of (the members' attachments found), kept_pairs, peers_to_delete
    (sorted region pairs), kept_routers, routers_to_delete (cen_info's transit routers) and
    all_routers_deleted (the CEN is then empty of transit routers).
    """
    member_ids = [member["vpc_id"] for member in members]
    regions = member_regions(members)
    attachments = cen.get("vpc_attachments") or []
    peers = cen.get("peer_attachments") or []
    routers = cen.get("transit_routers") or []

    attachment_of = attachment_ids([attachment for attachment in attachments if attachment["vpc_id"] in member_ids])
    foreign_routers = [attachment["transit_router_id"] for attachment in attachments if attachment["vpc_id"] not in member_ids]
    our_peers = [peer for peer in peers if peer["region_id"] in regions and peer["peer_transit_router_region_id"] in regions]
    foreign_peers = [peer for peer in peers if peer not in our_peers]
    kept_peers = ([peer for peer in our_peers if peer["transit_router_id"] in foreign_routers]
                  + [peer for peer in our_peers if peer["peer_transit_router_id"] in foreign_routers])
    kept_pairs = _unique([sorted([peer["region_id"], peer["peer_transit_router_region_id"]]) for peer in kept_peers])
    kept_routers = _unique(foreign_routers
                           + [peer["transit_router_id"] for peer in foreign_peers + kept_peers]
                           + [peer["peer_transit_router_id"] for peer in foreign_peers + kept_peers])
    to_delete = [router for router in routers if router["region_id"] in regions and router["transit_router_id"] not in kept_routers]
    return {
        "attachment_of": attachment_of,
        "kept_pairs": kept_pairs,
        "peers_to_delete": [pair for pair in (sorted(pair) for pair in region_pairs(members)) if pair not in kept_pairs],
        "kept_routers": kept_routers,
        "routers_to_delete": to_delete,
        "all_routers_deleted": len(to_delete) == len(routers),
    }


def connection_pending(cen_connect):
    """What step 1 would create before anything can be routed (check mode): '' when the CEN and every attachment exist."""
    if cen_connect.get("cen_id") is None:
        return "the CEN"
    missing = [attachment["vpc_id"] for attachment in cen_connect.get("vpc_attachments") or []
               if not attachment.get("transit_router_attachment_id")]
    return "the VPC attachment of " + ", ".join(missing) if missing else ""


PLACEHOLDER_CEN = "(the CEN to be created)"
PLACEHOLDER_ATTACHMENT = "(the attachment to be created in %s)"


def is_placeholder(value):
    """Whether ``value`` is one of connection_predicted's placeholders (never a cloud ID: those do not start with '(')."""
    return str(value or "").startswith("(the ")


def connection_predicted(cen_connect):
    """The fact cen_connect with a placeholder for each ID check mode could not know yet (the CEN, the VPC attachments).

    Step 3 then plans its routes through the attachments to be created, and the summary names them instead of printing
    empty fields. A real run (every ID known) gets its fact back unchanged. registry_routes never sends a placeholder to
    the cloud: its route-writing task is skipped in check mode when the source's attachment is one.
    """
    predicted = dict(cen_connect or {})
    if not predicted.get("cen_id"):
        predicted["cen_id"] = PLACEHOLDER_CEN
    predicted["vpc_attachments"] = [
        dict(attachment, transit_router_attachment_id=attachment.get("transit_router_attachment_id")
             or PLACEHOLDER_ATTACHMENT % attachment.get("region", "its region"))
        for attachment in predicted.get("vpc_attachments") or []]
    return predicted


def data_center_connection_predicted(data_center_connect):
    """The fact data_center_connect with a placeholder for each ID check mode could not know yet: with the transit_router
    option, the CEN and the registry VPC's attachment (the routes back to the data center go to it). The vpn_gateway option
    (it creates nothing) and a real run get their fact back unchanged. data_center_routes never sends a placeholder."""
    predicted = dict(data_center_connect or {})
    if predicted.get("type") != "transit_router":
        return predicted
    if not predicted.get("cen_id"):
        predicted["cen_id"] = PLACEHOLDER_CEN
    if not predicted.get("registry_attachment_id"):
        predicted["registry_attachment_id"] = PLACEHOLDER_ATTACHMENT % predicted.get("region", "its region")
    return predicted


# ---------------------------------------------------------------- teardown: the fact cen_connect rebuilt from cen_info


def member_attachments(members, cens):
    """The members that have a VPC attachment in the first CEN, each with its transit_router_attachment_id, in order."""
    if not cens:
        return []
    attachment_of = attachment_ids(cens[0].get("vpc_attachments") or [])
    return [dict(member, transit_router_attachment_id=attachment_of[member["vpc_id"]]) for member in members if member["vpc_id"] in attachment_of]


def rebuilt_route_entries(attachments, members):
    """The route entries cen_connect made between the members (shape of cen_connect.route_entries, the keys registry_routes reads)."""
    return [{"vpc_id": attachment["vpc_id"], "route_table_id": attachment["route_table_id"], "destination_cidr_block": cidr,
             "next_hop_id": attachment["transit_router_attachment_id"]}
            for attachment in attachments for other in members if other["vpc_id"] != attachment["vpc_id"]
            for cidr in other.get("cidr_blocks") or []]


def rebuilt_cen_connect(cen_info, route_mode="vpc_route_entries"):
    """The fact cen_connect as step 1 left it, from cen_info's result; {} unless two or more members are attached."""
    attachments = member_attachments(cen_info.get("members") or [], cen_info.get("cens") or [])
    if len(attachments) < 2:
        return {}
    return {
        "cen_id": cen_info["cens"][0]["cen_id"],
        "route_mode": route_mode,
        "vpc_attachments": attachments,
        "route_entries": rebuilt_route_entries(attachments, cen_info.get("members") or []),
    }


# ---------------------------------------------------------------- registry_routes


def registry_routes_oss(endpoints, mode, state, endpoint=None):
    """The OSS part of registry_routes' plan input: {plan_mode, endpoints, manage_endpoint}.

    ``mode`` privatelink with state present: the PrivateLink endpoint's addresses (``endpoint``, the result of
    privatelink_vpc_endpoint) replace the OSS addresses, and the plan routes them. With state absent the routes go before
    the endpoint, and no 100.x OSS route was made in that mode: the plan is that of the VIP ranges, whose routes the
    removal does not find (nothing to remove, no write), so it needs no address of an endpoint. ``manage_endpoint``: the
    role makes (present) or removes (absent) the endpoint.
    """
    endpoints = dict(endpoints or {})
    if mode != "privatelink":
        return {"plan_mode": mode, "endpoints": endpoints, "manage_endpoint": False}
    if state != "present":
        return {"plan_mode": "vip_ranges", "endpoints": endpoints, "manage_endpoint": True}
    found = (endpoint or {}).get("endpoint") or {}
    oss = dict(endpoints.get("oss") or {})
    oss["addresses"] = list(found.get("addresses") or [])
    endpoints["oss"] = oss
    return {"plan_mode": "privatelink", "endpoints": endpoints, "manage_endpoint": True}


def registry_routes_inputs(role, cen_connect=None, registry_endpoints=None):
    """The inputs of registry_routes: the explicit ones where given, else the facts of cen_connect and registry_endpoints.

    ``role`` holds the role's variables without their prefix: source_vpc_id, registry_vpc_id, next_hop_instance_id,
    cen_id, source, registry_vpc, endpoints, reachable_cidrs. Returns cen_id, source_vpc, registry_vpc, endpoints,
    reachable_cidrs, member_ids (cen_connect's members, for messages) and ``error`` (what is missing, or '').
    """
    cen = cen_connect or {}
    found = registry_endpoints or {}
    members = cen.get("vpc_attachments") or []
    source_given = role.get("source") or {}
    registry_given = role.get("registry_vpc") or {}

    # The registry VPC: named, else the only member in the registry's region; the source: named, else the only other member.
    registry_region = registry_given.get("region") or found.get("region", "")
    in_region = [member["vpc_id"] for member in members if member.get("region") == registry_region]
    registry_vpc_id = (role.get("registry_vpc_id") or registry_given.get("vpc_id") or (in_region[0] if len(in_region) == 1 else ""))
    others = [member["vpc_id"] for member in members if member["vpc_id"] != registry_vpc_id]
    source_vpc_id = role.get("source_vpc_id") or source_given.get("vpc_id") or (others[0] if len(others) == 1 else "")

    # A member gives {region, vpc_id, route_table_id, cidr_blocks, transit_router_attachment_id,
    # transit_router_route_table_id}; the explicit dicts override it key by key (keys left empty do not).
    source_member = _first([member for member in members if member["vpc_id"] == source_vpc_id]) or {}
    registry_member = _first([member for member in members if member["vpc_id"] == registry_vpc_id]) or {}
    source_vpc = {"region": source_member.get("region", ""), "vpc_id": source_vpc_id,
                  "route_table_id": _or_empty(source_member.get("route_table_id"), ""),
                  "attachment_id": _or_empty(source_member.get("transit_router_attachment_id"), ""),
                  "transit_router_route_table_id": _or_empty(source_member.get("transit_router_route_table_id"), ""),
                  "cidr_blocks": source_member.get("cidr_blocks", [])}
    source_vpc.update(_given(source_given))
    # The transit router route table that learns the registry's routes is the one cen_connect found the member's
    # attachment associated with: it does not hold for another attachment given explicitly (that one's is looked up).
    if source_vpc["attachment_id"] != source_member.get("transit_router_attachment_id") and "transit_router_route_table_id" not in _given(source_given):
        source_vpc["transit_router_route_table_id"] = ""
    # The registry VPC's route table stays the system table by default (only its entries can be advertised),
    # whatever table cen_connect wrote its member routes into (the fact does not say whether the member's table is the
    # system one). registry_access_routes reads the system table once, for both the routes and their advertisement.
    registry_vpc = {"region": registry_member.get("region", ""), "vpc_id": registry_vpc_id, "route_table_id": "",
                    "cidr_blocks": registry_member.get("cidr_blocks", []), "vswitch_cidr_blocks": [],
                    "next_hop_instance_id": role.get("next_hop_instance_id", "")}
    registry_vpc.update(_given(registry_given))

    # cen_connect already routes the source to the other members' CIDR blocks through the source's attachment
    # (or, with auto_publish, the transit routers publish them): addresses inside need no route of their own.
    routed = [entry["destination_cidr_block"] for entry in cen.get("route_entries") or []
              if entry.get("vpc_id") == source_vpc.get("vpc_id") and entry.get("next_hop_id") == source_vpc.get("attachment_id")]
    published = []
    if cen.get("route_mode", "") == "auto_publish":
        published = _flatten([member.get("cidr_blocks") for member in members if member["vpc_id"] != source_vpc.get("vpc_id")])
    cen_id = role.get("cen_id") or cen.get("cen_id") or ""
    endpoints = role.get("endpoints") or plan_endpoints(found)
    member_ids = [member["vpc_id"] for member in members]
    return {
        "cen_id": cen_id,
        "source_vpc": source_vpc,
        "registry_vpc": registry_vpc,
        "endpoints": endpoints,
        "reachable_cidrs": _unique(list(role.get("reachable_cidrs") or []) + routed + published),
        "member_ids": member_ids,
        "error": _registry_routes_missing(cen_id, source_vpc, registry_vpc, endpoints, member_ids),
    }


def _registry_routes_missing(cen_id, source_vpc, registry_vpc, endpoints, member_ids):
    """What registry_routes still lacks after the merge, each naming the variable that gives it ('' when nothing): the same
    form as data_center_routes_inputs' ``error``."""
    members = ", ".join(member_ids) or "none"
    missing = []
    if not cen_id:
        missing.append("registry_routes_cen_id (run the role cen_connect first: its fact cen_connect gives it)")
    if not source_vpc.get("vpc_id"):
        missing.append("registry_routes_source_vpc_id (one of the members of cen_connect: %s), or registry_routes_source "
                       "{region, vpc_id, attachment_id}" % members)
    missing += ["registry_routes_source.%s" % key for key in ("region", "attachment_id") if source_vpc.get("vpc_id") and not source_vpc.get(key)]
    if not registry_vpc.get("vpc_id"):
        missing.append("registry_routes_registry_vpc_id (one of the members of cen_connect: %s), or registry_routes_registry_vpc "
                       "{region, vpc_id, cidr_blocks}" % members)
    missing += ["registry_routes_registry_vpc.%s" % key for key in ("region", "cidr_blocks") if registry_vpc.get("vpc_id") and not registry_vpc.get(key)]
    if not registry_vpc.get("next_hop_instance_id"):
        missing.append("registry_routes_next_hop_instance_id (the ECS instance in the registry VPC %s that forwards the 100.x traffic: "
                       "ECS Instance 1 of the console procedure)" % (registry_vpc.get("vpc_id") or "-"))
    if not ((endpoints.get("registry") or {}).get("domain") and (endpoints.get("auth") or {}).get("domain")):
        missing.append("registry_routes_endpoints (run the role registry_endpoints first: its fact registry_endpoints gives them; "
                       "or give {registry, auth, oss})")
    return ("registry_routes: missing " + "; ".join(missing)) if missing else ""


def _flatten(values):
    flat = []
    for value in values:
        if isinstance(value, (list, tuple)):
            flat.extend(_flatten(value))
        elif value is not None:
            flat.append(value)
    return flat


def plan_endpoints(registry_endpoints):
    """The fact registry_endpoints in the shape of registry_access_plan's ``endpoints`` (only the keys it knows); {} for none."""
    if not registry_endpoints:
        return {}
    registry, auth, oss = (registry_endpoints.get(kind) or {} for kind in ("registry", "auth", "oss"))
    return {
        "registry": {"domain": registry.get("domain"), "addresses": registry.get("addresses")},
        "auth": {"domain": auth.get("domain"), "addresses": auth.get("addresses"), "takeover": _as_bool(registry_endpoints.get("takeover", False))},
        "oss": {"domain": oss.get("domain"), "addresses": oss.get("addresses"), "bucket": oss.get("bucket")},
    }


def registry_route_entries(plan, description):
    """The access plan's routes in the shape of vpc_route_entry, and the registry routes to advertise.

    Returns source_routes, registry_routes ({destination_cidr_block, next_hop_type, next_hop_id, description}) and
    advertised (destination CIDR blocks).
    """
    def shape(route):
        return {"destination_cidr_block": route["destination_cidr_block"], "next_hop_type": route["next_hop_type"],
                "next_hop_id": route["next_hop_id"], "description": description}

    return {
        "source_routes": [shape(route) for route in plan.get("source_routes") or []],
        "registry_routes": [shape(route) for route in plan.get("registry_routes") or []],
        "advertised": [route["destination_cidr_block"] for route in plan.get("registry_routes") or [] if route.get("advertise")],
    }


def _ran(result):
    """A registered result, or {} when its task was skipped (or never ran)."""
    return {} if not result or result.get("skipped") else result


def registry_routes_fact(state, inputs, plan, source, registry, advertisement):
    """The fact registry_routes: the inputs, the plan, and the results of the route and advertisement tasks."""
    results = [_ran(source), _ran(registry), _ran(advertisement)]
    return {
        "state": state,
        "inputs": {"cen_id": inputs["cen_id"], "source": inputs["source_vpc"], "registry_vpc": inputs["registry_vpc"],
                   "endpoints": inputs["endpoints"], "reachable_cidrs": inputs["reachable_cidrs"]},
        "plan": plan,
        "source": results[0],
        "registry": results[1],
        "advertisement": results[2],
        "changed": any(bool(result.get("changed")) for result in results),
    }


def blocking_findings(plan):
    """The plan's errors that were not accepted."""
    return [finding for finding in plan.get("findings") or [] if finding.get("severity") == "error" and not finding.get("accepted")]


# ---------------------------------------------------------------- registry_endpoints

KNOWN_EXAMPLES = {
    "registry": ("my-registry-registry-vpc.cn-hangzhou.cr.aliyuncs.com", "10.0.0.201"),
    "auth": ("dockerauth-vpc.cn-hangzhou.aliyuncs.com", "100.103.7.181"),
    "oss": ("oss-cn-hangzhou-internal.aliyuncs.com", "100.118.28.43"),
}


def known_endpoints_errors(known):
    """One message per endpoint of registry_endpoints_known that lacks its addresses (or, but for the registry, its domain)."""
    errors = []
    for kind, (domain, address) in KNOWN_EXAMPLES.items():
        value = known.get(kind) if isinstance(known, dict) else None
        complete = (isinstance(value, dict) and len(value.get("addresses") or []) > 0
                    and (kind == "registry" or len(value.get("domain") or "") > 0))
        if not complete:
            errors.append("registry_endpoints_known.%s needs %s, for example %s: {domain: %s, addresses: [%s]}." % (
                kind, "addresses" if kind == "registry" else "domain and addresses", kind, domain, address))
    return errors


def known_probe_result(known, registry_domain, oss_bucket=""):
    """registry_endpoints_known in the shape of registry_endpoint_info's result (the probe it replaces)."""
    given = "registry_endpoints_known (not probed)"
    return {
        "probe": {"host": ""},
        "registry": {"domain": known["registry"].get("domain") or registry_domain, "addresses": known["registry"]["addresses"],
                     "unexpected_addresses": []},
        "auth": {"domain": known["auth"]["domain"], "addresses": known["auth"]["addresses"], "realm": "https://%s/auth" % known["auth"]["domain"],
                 "service": "", "kind": "given", "found_by": given, "takeover": known.get("takeover", False)},
        "oss": {"domain": known["oss"]["domain"], "addresses": known["oss"]["addresses"], "bucket": oss_bucket or None,
                "found_by": given, "outside_vip_ranges": []},
    }


def registry_endpoints_source(instance, probe_vpc_id):
    """From cr_instance_info's instance: the registry domain, the linked-VPC addresses to expect (the probe VPC's, else
    every linked VPC's) and the instance's own domains (VPC, then internet)."""
    registry = instance["endpoints"]["registry"]
    links = [link for link in registry["vpc"].get("linked_vpcs") or [] if link.get("ip")]
    if probe_vpc_id:
        links = [link for link in links if link.get("vpc_id") == probe_vpc_id]
    return {
        "domain": registry["vpc"]["domains"][0],
        "linked_ips": [link["ip"] for link in links],
        "own_domains": _unique(list(registry["vpc"]["domains"]) + list((registry.get("internet") or {}).get("domains") or [])),
    }


def registry_endpoints_probe_vpc_warnings(instance, probe_vpc_id, link_vpc_id=""):
    """[a warning] when registry_endpoints_probe_vpc_id names a VPC the instance is not linked to (and the role does not
    link first): the API then reports no address for it, so the probe has nothing to check the resolved address against."""
    if not probe_vpc_id or probe_vpc_id == link_vpc_id:
        return []
    linked = _unique([link.get("vpc_id") for link in instance["endpoints"]["registry"]["vpc"].get("linked_vpcs") or [] if link.get("vpc_id")])
    if probe_vpc_id in linked:
        return []
    return ["registry_endpoints_probe_vpc_id: %s is not linked to the VPC endpoint of instance %s (linked VPCs: %s), so no address "
            "is expected and the probe's answer is not checked; link it with registry_endpoints_link_vpc ({vpc_id, vswitch_id}), "
            "or probe from a host in a linked VPC and give that VPC." % (
                probe_vpc_id, instance.get("instance_id"), ", ".join(linked) or "none")]


def registry_endpoints_fact(instance, region, probe, linked_ips, result, known=False, warnings=None):
    """The fact registry_endpoints from the instance, the probe's (or registry_endpoints_known's) result and the probe host;
    ``warnings``: the role's own, found before the probe (they come first)."""
    registry, auth, oss = result["registry"], result["auth"], result["oss"]
    if known:
        registry_found = "addresses from registry_endpoints_known (not probed)"
    else:
        registry_found = "addresses resolved on %s (%s)" % (probe, result["probe"]["host"])
    warnings = list(warnings or [])
    if registry.get("unexpected_addresses"):
        warnings.append("%s resolves to %s on %s, not to the linked VPC address %s that the API reports" % (
            registry["domain"], ", ".join(registry["unexpected_addresses"]), probe, ", ".join(linked_ips)))
    if oss.get("outside_vip_ranges"):
        warnings.append("%s resolves to %s, outside the published OSS VIP ranges of %s" % (
            oss["domain"], ", ".join(oss["outside_vip_ranges"]), region))
    return {
        "instance_id": instance["instance_id"],
        "instance_name": instance["instance_name"],
        "region": region,
        "probe_host": probe,
        "linked_vpc_addresses": linked_ips,
        "registry": {"domain": registry["domain"], "addresses": registry["addresses"],
                     "found_by": "VPC endpoint domain from cr_instance_info (%s); %s" % (instance["instance_id"], registry_found)},
        "auth": dict((key, auth[key]) for key in ("domain", "addresses", "realm", "service", "kind", "found_by")),
        "oss": dict((key, oss[key]) for key in ("domain", "addresses", "bucket", "found_by")),
        "takeover": auth["takeover"],
        "warnings": warnings,
    }


# ---------------------------------------------------------------- registry_client

CA_DIRECTORIES = {"docker": "/etc/docker/certs.d/", "podman": "/etc/containers/certs.d/"}


def registry_ca_path(engine, registry_domain):
    """Where the engine reads a registry's CA: docker's certs.d, else (podman) the containers' certs.d."""
    return "%s%s/ca.crt" % (CA_DIRECTORIES["docker" if engine == "docker" else "podman"], registry_domain)


def verify_endpoints(endpoints, hosts_entries=None):
    """registry_client_verify's registry/auth/oss from a registry_endpoints fact: with takeover the auth domain
    resolves to the registry's addresses. With the hosts entries the client writes (``[{ip, names}]``), a domain they map
    only to other addresses than the probe saw is expected there: with the OSS PrivateLink endpoint, the OSS domain
    resolves to the endpoint, not to the 100.x address the probe saw (where they map one of its addresses too, the
    probe's addresses stay what is checked)."""
    registry, auth, oss = endpoints["registry"], endpoints["auth"], endpoints["oss"]
    takeover = _as_bool(endpoints.get("takeover", False))
    targets = {
        "registry": {"domain": registry["domain"], "addresses": registry["addresses"]},
        "auth": {"domain": auth["domain"], "addresses": registry["addresses"] if takeover else auth["addresses"]},
        "oss": {"domain": oss["domain"], "addresses": oss["addresses"]},
    }
    for target in targets.values():
        mapped = [entry["ip"] for entry in hosts_entries or [] if target["domain"] in (entry.get("names") or [])]
        if mapped and not set(mapped) & set(target["addresses"]):
            target["addresses"] = mapped
    return targets


def client_reports(host_facts):
    """The verification reports of the hosts (each host's facts or hostvars) that have a fact registry_client with one."""
    reports = []
    for facts in host_facts:
        client = facts.get("registry_client") if facts is not None else None
        if client is not None and client.get("report"):
            reports.append(client["report"])
    return reports


# ---------------------------------------------------------------- cross_region_access

_ENDPOINT_KINDS = ("registry", "auth", "oss")


def cross_region_summary(cen_connect, registry_endpoints, registry_routes):
    """The fact cross_region_access: what steps 1 to 3 did, in the short forms the summary prints."""
    plan = (registry_routes or {}).get("plan") or {}
    learned = ((registry_routes or {}).get("advertisement") or {}).get("learned") or {}
    return {
        "cen_id": cen_connect["cen_id"],
        "attachments": [[attachment["vpc_id"], attachment["transit_router_attachment_id"]] for attachment in cen_connect["vpc_attachments"]],
        "endpoints": [[registry_endpoints[kind]["domain"], ", ".join(str(address) for address in registry_endpoints[kind]["addresses"])]
                      for kind in _ENDPOINT_KINDS],
        "takeover": registry_endpoints["takeover"],
        "source_routes": [route["destination_cidr_block"] for route in plan.get("source_routes") or []],
        "registry_routes": [route["destination_cidr_block"] for route in plan.get("registry_routes") or []],
        "learned_by": learned.get("transit_router_route_table_id"),
        "findings": [finding["message"] for finding in plan.get("findings") or [] if finding.get("severity") != "info"],
        "hosts_lines": ["%s %s" % (entry["ip"], " ".join(entry["names"])) for entry in plan.get("hosts_entries") or []],
    }


def cross_region_report(summary, registry_routes):
    """The summary's lines (steps 1 to 3, the findings, and the /etc/hosts lines every client needs)."""
    inputs = (registry_routes or {}).get("inputs") or {}
    attachment = (inputs.get("source") or {}).get("attachment_id", "-")
    instance = (inputs.get("registry_vpc") or {}).get("next_hop_instance_id", "-")
    return [
        "Step 1: CEN %s; VPC attachments %s" % (summary["cen_id"], ", ".join(" -> ".join(str(v) for v in pair) for pair in summary["attachments"])),
        "Step 2: %s; auth-domain takeover %s" % ("; ".join(" = ".join(pair) for pair in summary["endpoints"]), summary["takeover"]),
        # check mode through an attachment to be created (cen_connect_predicted): the plan is what the run would add, and
        # nothing was advertised or learned yet
        ("Step 3 (check mode, would add): source routes %s -> %s; covering route(s) %s -> %s, to be advertised" % (
            ", ".join(summary["source_routes"]) or "none", attachment, ", ".join(summary["registry_routes"]) or "none", instance)
         if is_placeholder(attachment) else
         "Step 3: source routes %s -> %s; covering route(s) %s -> %s, advertised and learned by %s" % (
             ", ".join(summary["source_routes"]) or "none", attachment, ", ".join(summary["registry_routes"]) or "none", instance,
             summary["learned_by"])),
        "Findings: %s" % (" | ".join(summary["findings"]) or "none"),
        "The /etc/hosts lines every client needs (step 4 writes them on the hosts of the group registry_clients):",
        summary["hosts_lines"],
    ]


# ---------------------------------------------------------------- onprem_gateway (a data center's gateway)

ONPREM_ROUTE_KEYS = ("destination", "via", "dev", "reason")


def onprem_gateway_inputs(explicit_routes=None, plan=None, registry_routes=None):
    """The on-premises routes of the role onprem_gateway: {routes, source, error}.

    The explicit routes where given, else the ``on_premises_routes`` of the given plan, else those of the fact
    registry_routes' plan. ``error`` (a message naming the inputs) when none of them has any: a plan of a VPC source has none.
    """
    candidates = [("onprem_gateway_routes", explicit_routes), ("onprem_gateway_plan", (plan or {}).get("on_premises_routes")),
                  ("registry_routes.plan", ((registry_routes or {}).get("plan") or {}).get("on_premises_routes"))]
    for source, routes in candidates:
        if routes:
            return {"routes": [dict((key, route.get(key)) for key in ONPREM_ROUTE_KEYS) for route in routes], "source": source,
                    "error": ""}
    return {"routes": [], "source": "", "error": (
        "no on-premises routes: give onprem_gateway_routes ([{destination, via, dev}]), or onprem_gateway_plan, or run the "
        "plan with a data center as the source (registry_access_plan, source.kind data_center) so that registry_routes.plan "
        "has on_premises_routes")}


def onprem_gateway_table(routes):
    """The routes as a text table for the network team, with the ``ip route`` commands of a Linux gateway."""
    header = ("DESTINATION", "VIA", "DEVICE", "REASON")
    rows = [(route["destination"], route.get("via") or "-", route.get("dev") or "-", route.get("reason") or "") for route in routes]
    widths = [max(len(row[column]) for row in [header] + rows) for column in range(3)]
    lines = ["# The data center's gateway needs these routes into the tunnel to the Container Registry (alicloud.acr_access).", ""]
    for row in [header] + rows:
        lines.append("  ".join(value.ljust(width) for value, width in zip(row[:3], widths)) + "  " + row[3])
    lines += ["", "# On a Linux gateway:"]
    for route in routes:
        words = ["ip", "route", "replace", route["destination"]]
        if route.get("via"):
            words += ["via", route["via"]]
        if route.get("dev"):
            words += ["dev", route["dev"]]
        lines.append(" ".join(words))
    return "\n".join(lines) + "\n"


def onprem_gateway_fact(state, inputs, table_path, json_path, applied):
    """The fact onprem_gateway: the routes, where they were written, and the gateway hosts' results (by host)."""
    results = [result for result in ((applied or {}).get("results") or []) if not result.get("skipped")]
    hosts = dict((result.get("item"), {"changed": bool(result.get("changed")), "routes": result.get("routes", []),
                                       "persistence": result.get("persistence", {})}) for result in results)
    return {"state": state, "source": inputs["source"], "routes": inputs["routes"], "files": {"table": table_path, "json": json_path},
            "hosts": hosts, "changed": any(host["changed"] for host in hosts.values())}


def vpn_route_entries(plan, description):
    """The plan's vpn_routes in the shape of vpn_route_entry's routes ({destination, next_hop, weight, publish_vpc, description})."""
    return [{"destination": route["destination"], "next_hop": route["next_hop"], "weight": route["weight"],
             "publish_vpc": route["publish_vpc"], "description": description} for route in plan.get("vpn_routes") or []]


# ---------------------------------------------------------------- data_center_routes (step 3 for a data center)

def data_center_routes_inputs(role, data_center_connect=None, registry_endpoints=None):
    """The inputs of data_center_routes: the explicit ones where given, else the facts of data_center_connect and
    registry_endpoints.

    ``role`` holds the role's variables without their prefix: connection, cidr_blocks, on_premises, registry_vpc,
    next_hop_instance_id, endpoints, reachable_cidrs. Returns the plan's ``source`` (kind data_center), ``registry_vpc``
    ({region, vpc_id}), ``cen_id``, ``vpn_gateway_id``, ``learned_by`` (the transit router route table that must learn
    the covering route, or None), ``endpoints``, ``reachable_cidrs`` and ``error`` (what is missing, or '').
    """
    fact = dict(data_center_connect or {})
    fact.update(_given(role.get("connection") or {}))
    kind = fact.get("type") or ""
    registry_vpc = {"region": fact.get("region") or "", "vpc_id": fact.get("vpc_id") or ""}
    registry_vpc.update(_given(role.get("registry_vpc") or {}))
    cidr_blocks = list(role.get("cidr_blocks") or fact.get("cidr_blocks") or [])
    on_premises = dict((key, value) for key, value in (role.get("on_premises") or {}).items() if value not in (None, ""))
    connection = {"type": kind}
    if kind == "vpn_gateway":
        connection.update(vpn_gateway_id=fact.get("vpn_gateway_id") or "", ipsec_connection_id=fact.get("ipsec_connection_id") or "")
    elif kind == "transit_router":
        connection["transit_router_attachment_id"] = fact.get("registry_attachment_id") or fact.get("transit_router_attachment_id") or ""
    missing = []
    if kind not in DATA_CENTER_TYPES:
        missing.append("the connection's type (%s): run the role data_center_connect first (its fact data_center_connect), or give "
                       "data_center_routes_connection {type, ...}" % " or ".join(DATA_CENTER_TYPES))
    missing += ["data_center_routes_connection.%s" % key for key, value in connection.items() if not value and key != "type"]
    missing += ["data_center_routes_registry_vpc.%s" % key for key, value in registry_vpc.items() if not value]
    if not cidr_blocks:
        missing.append("data_center_routes_cidr_blocks (the data center's networks, e.g. [192.168.0.0/24])")
    if not on_premises:
        missing.append("data_center_routes_on_premises {via, dev} (the on-premises gateway's next hop into the tunnel)")
    if kind == "transit_router" and not role.get("next_hop_instance_id"):
        missing.append("data_center_routes_next_hop_instance_id (the ECS instance in the registry VPC behind the covering route)")
    if kind == "transit_router" and not fact.get("cen_id"):
        missing.append("data_center_routes_connection.cen_id")
    endpoints = role.get("endpoints") or plan_endpoints(registry_endpoints or {})
    if not endpoints:
        missing.append("data_center_routes_endpoints: run the role registry_endpoints first (its fact registry_endpoints), or give "
                       "{registry, auth, oss}")
    table = fact.get("transit_router_route_table_id") or ""
    return {
        "type": kind,
        "source": {"kind": "data_center", "cidr_blocks": cidr_blocks, "connection": connection, "on_premises": on_premises},
        "registry_vpc": registry_vpc,
        "next_hop_instance_id": role.get("next_hop_instance_id") or "",
        "cen_id": (fact.get("cen_id") or "") if kind == "transit_router" else "",
        "vpn_gateway_id": connection.get("vpn_gateway_id", ""),
        "learned_by": {"transit_router_route_table_id": table} if kind == "transit_router" and table else None,
        "endpoints": endpoints,
        "reachable_cidrs": list(role.get("reachable_cidrs") or []),
        "error": ("data_center_routes: missing " + "; ".join(missing)) if missing else "",
    }


def data_center_routes_registry_vpc(inputs, vpcs):
    """The plan's ``registry_vpc`` from what vpc_info read of it: its CIDR blocks, vSwitches and system table's routes."""
    vpc = _first([item for item in vpcs or [] if item.get("vpc_id") == inputs["registry_vpc"]["vpc_id"]]) or {}
    system = _first([table for table in vpc.get("route_tables") or [] if table.get("route_table_type") == "System"]) or {}
    return {
        "region": inputs["registry_vpc"]["region"], "vpc_id": inputs["registry_vpc"]["vpc_id"],
        "route_table_id": system.get("route_table_id"),
        "cidr_blocks": [block for block in [vpc.get("cidr_block")] + list(vpc.get("secondary_cidr_blocks") or []) if block],
        "vswitch_cidr_blocks": [vswitch["cidr_block"] for vswitch in vpc.get("vswitches") or []],
        "next_hop_instance_id": inputs["next_hop_instance_id"] or None,
        "existing_routes": [dict((key, entry.get(key)) for key in ("destination_cidr_block", "type", "next_hops"))
                            for entry in system.get("entries") or []],
    }


def data_center_routes_fact(state, inputs, plan, written):
    """The fact data_center_routes: the inputs, the plan (its on_premises_routes are the gateway's) and what was written."""
    written = _ran(written)
    return {
        "state": state, "type": inputs["type"], "cen_id": inputs["cen_id"], "registry_vpc": inputs["registry_vpc"],
        "source": inputs["source"], "endpoints": inputs["endpoints"], "plan": plan,
        "registry": written.get("registry", {}), "advertisement": written.get("advertisement", {}),
        "vpn_gateway": written.get("vpn_gateway", {}), "changed": bool(written.get("changed")),
    }


# ---------------------------------------------------------------- data_center_connect

DATA_CENTER_TYPES = ("vpn_gateway", "transit_router")
DATA_CENTER_KINDS = {"vpn": ("vco-", "an IPsec connection"), "vbr": ("vbr-", "a virtual border router")}
_DC = "data_center_connect_"


def _one_of(inputs, by_id, by_name, what):
    """The error when not exactly one of the inputs ``by_id`` and ``by_name`` is given, else ''."""
    if bool(inputs.get(by_id)) == bool(inputs.get(by_name)):
        return "%s%s: give the %s by ID, or %s%s by name (exactly one of the two)." % (_DC, by_id, what, _DC, by_name)
    return ""


def _cidr_errors(cidr_blocks):
    if not isinstance(cidr_blocks, list) or not cidr_blocks:
        return ["%scidr_blocks: give the data center's CIDR blocks, a non-empty list such as [192.168.0.0/24]." % _DC]
    errors = []
    for cidr in cidr_blocks:
        try:
            network = ipaddress.ip_network(str(cidr), strict=False)
        except ValueError:
            errors.append("%scidr_blocks: %r is not a CIDR block (for example 192.168.0.0/24)." % (_DC, cidr))
            continue
        if str(network) != str(cidr) or network.version != 4:
            errors.append("%scidr_blocks: %s is not an IPv4 network address with its prefix length; write %s." % (_DC, cidr, network))
    return errors


def data_center_connect_input_errors(inputs):
    """The input errors of the role data_center_connect, each naming its variable and the fix; [] when the inputs are good.

    ``inputs``: the role's variables without their prefix (type, state, cidr_blocks, registry_vpc, vpn_gateway_id,
    vpn_gateway_name, ipsec_connection_id, ipsec_connection_name, cen_id, cen_name, attachment). Checked before any call.
    """
    kind_of = inputs.get("type")
    if kind_of not in DATA_CENTER_TYPES:
        return ["%stype: %r is not a way to reach the registry VPC; give vpn_gateway (an IPsec connection on a VPN gateway of the "
                "registry VPC) or transit_router (an IPsec connection or VBR attached to the region's transit router)." % (_DC, kind_of)]
    errors = []
    vpc = inputs.get("registry_vpc") or {}
    for key in ("region", "vpc_id"):
        if not vpc.get(key):
            errors.append("%sregistry_vpc.%s: give the %s of the registry's VPC." % (_DC, key, "region" if key == "region" else "ID"))
    if inputs.get("state", "present") == "present":
        errors.extend(_cidr_errors(inputs.get("cidr_blocks")))
    if kind_of == "vpn_gateway":
        errors.extend(error for error in (_one_of(inputs, "vpn_gateway_id", "vpn_gateway_name", "VPN gateway of the registry VPC"),
                                          _one_of(inputs, "ipsec_connection_id", "ipsec_connection_name", "IPsec connection of that VPN gateway"))
                      if error)
        return errors
    if not inputs.get("cen_id") and not inputs.get("cen_name"):
        errors.append("%scen_name: give the name of the CEN to find or create (or %scen_id of an existing one)." % (_DC, _DC))
    if len(vpc.get("vswitch_ids") or []) == 0:
        errors.append("%sregistry_vpc.vswitch_ids: give vSwitches of the registry VPC for its transit router attachment, one per zone "
                      "in two zones." % _DC)
    attachment = inputs.get("attachment") or {}
    kind = attachment.get("kind")
    if kind not in DATA_CENTER_KINDS:
        errors.append("%sattachment.kind: %r; give vpn (the data center's IPsec connection, attach type CEN) or vbr (its Express "
                      "Connect virtual border router)." % (_DC, kind))
        return errors
    prefix, what = DATA_CENTER_KINDS[kind]
    ident = attachment.get("id") or ""
    if not ident.startswith(prefix) or ident == prefix:
        errors.append("%sattachment.id: %r is not the ID of %s (those start with %s); give the ID the console shows." % (_DC, ident, what, prefix))
    return errors


def _pick(items, by_id, by_name, ident_key):
    """The items with the id ``by_id`` or else the name ``by_name``."""
    if by_id:
        return [item for item in items if item.get(ident_key) == by_id]
    return [item for item in items if item.get("name") == by_name]


def _named(by_id, by_name, ident_option, name_option):
    return ("%s%s: %s" % (_DC, ident_option, by_id)) if by_id else ("%s%s: %r" % (_DC, name_option, by_name))


def _ids(items, key):
    return ", ".join(item.get(key) or "?" for item in items) or "none"


def _gateway_errors(gateways, inputs):
    """(errors, the gateway) for option 1: one active VPN gateway of the registry VPC."""
    vpc = inputs["registry_vpc"]
    by_id, by_name = inputs.get("vpn_gateway_id"), inputs.get("vpn_gateway_name")
    named = _named(by_id, by_name, "vpn_gateway_id", "vpn_gateway_name")
    found = _pick(gateways, by_id, by_name, "vpn_gateway_id")
    ours = [gateway for gateway in found if gateway.get("vpc_id") == vpc["vpc_id"]]
    of_vpc = [gateway for gateway in gateways if gateway.get("vpc_id") == vpc["vpc_id"]]
    if not found:
        return ["%s is not a VPN gateway of region %s (the registry VPC %s has: %s)."
                % (named, vpc["region"], vpc["vpc_id"], _ids(of_vpc, "vpn_gateway_id"))], None
    if not ours:
        return ["%s is in VPC %s, not in the registry VPC %s (%sregistry_vpc.vpc_id); give a VPN gateway of the registry VPC (it has: %s)."
                % (named, ", ".join(_unique([gateway.get("vpc_id") for gateway in found])), vpc["vpc_id"], _DC, _ids(of_vpc, "vpn_gateway_id"))], None
    if len(ours) > 1:
        return ["%s names %d VPN gateways of the registry VPC (%s); give %svpn_gateway_id." % (named, len(ours), _ids(ours, "vpn_gateway_id"), _DC)], None
    gateway = ours[0]
    if gateway.get("status") != "active" or gateway.get("business_status", "Normal") != "Normal":
        return ["%s is %s (business status %s), not active; wait until it is active, or give another VPN gateway." % (
            named, gateway.get("status"), gateway.get("business_status"))], None
    return [], gateway


def _connection_errors(gateway, inputs):
    """(errors, the IPsec connection) for option 1: one of the gateway's IPsec connections, covering the data center's CIDR blocks."""
    by_id, by_name = inputs.get("ipsec_connection_id"), inputs.get("ipsec_connection_name")
    named = _named(by_id, by_name, "ipsec_connection_id", "ipsec_connection_name")
    connections = gateway.get("ipsec_connections") or []
    found = _pick(connections, by_id, by_name, "vpn_connection_id")
    if not found:
        return ["%s is not an IPsec connection of VPN gateway %s (its IPsec connections: %s)." % (
            named, gateway["vpn_gateway_id"], _ids(connections, "vpn_connection_id"))], None
    if len(found) > 1:
        return ["%s names %d IPsec connections of VPN gateway %s (%s); give %sipsec_connection_id." % (
            named, len(found), gateway["vpn_gateway_id"], _ids(found, "vpn_connection_id"), _DC)], None
    connection = found[0]
    return _remote_subnet_errors(connection, inputs.get("cidr_blocks") or []), connection


def _remote_subnet_errors(connection, cidr_blocks):
    """The data center's CIDR blocks outside the connection's remote subnets (what its IPsec tunnel carries)."""
    remote = [ipaddress.ip_network(item.strip(), strict=False) for item in (connection.get("remote_subnet") or "").split(",") if item.strip()]
    if not remote:
        return []
    outside = [cidr for cidr in cidr_blocks
               if not any(ipaddress.ip_network(cidr).subnet_of(network) for network in remote if network.version == 4)]
    if not outside:
        return []
    return ["%scidr_blocks: %s outside the remote subnets %s of IPsec connection %s (what its tunnel carries); correct the CIDR blocks "
            "or the connection's remote subnet." % (_DC, ", ".join(outside) + (" is" if len(outside) == 1 else " are"),
                                                    connection.get("remote_subnet"), connection["vpn_connection_id"])]


def _bound_connection_errors(connections, inputs):
    """For option 2 with an IPsec connection: one of the region bound to a transit router (attach type CEN)."""
    ident = inputs["attachment"]["id"]
    region = inputs["registry_vpc"]["region"]
    if any(connection.get("vpn_connection_id") == ident for connection in connections):
        return []
    return ["%sattachment.id: %s is not an IPsec connection of region %s bound to a transit router (attach type CEN; the region has: %s); "
            "give one made with attach type CEN, or use %stype vpn_gateway for one on a VPN gateway." % (
                _DC, ident, region, _ids(connections, "vpn_connection_id"), _DC)]


def data_center_connect_found(vpn_info, inputs):
    """What vpn_gateway_info read, checked against the inputs: {errors, vpn_gateway_id, ipsec_connection_id}.

    Option 1 (type vpn_gateway): the gateway (by id or name) must be in the registry VPC and active, the IPsec connection one of
    that gateway's, the data center's CIDR blocks inside its remote subnets. Option 2 with an IPsec connection: it must be one of
    the region's bound to a transit router. Option 2 with a VBR (nothing read): no error.
    """
    found = {"errors": [], "vpn_gateway_id": None, "ipsec_connection_id": None}
    if inputs["type"] == "transit_router":
        if inputs["attachment"]["kind"] == "vpn":
            found["errors"] = _bound_connection_errors(vpn_info.get("transit_router_connections") or [], inputs)
            found["ipsec_connection_id"] = inputs["attachment"]["id"]
        return found
    errors, gateway = _gateway_errors(vpn_info.get("vpn_gateways") or [], inputs)
    if gateway is None:
        return dict(found, errors=errors)
    errors, connection = _connection_errors(gateway, inputs)
    return dict(found, errors=errors, vpn_gateway_id=gateway["vpn_gateway_id"],
                ipsec_connection_id=connection["vpn_connection_id"] if connection else None)


def data_center_connect_transit(connection):
    """From cen_connection's ``connection`` (one member, the registry VPC): {cen_id, transit_router_id,
    transit_router_route_table_id, registry_attachment_id}; None for what check mode could not predict."""
    attachments = connection.get("vpc_attachments") or [{}]
    router = _first(list((connection.get("transit_routers") or {}).values())) or {}
    return {
        "cen_id": connection.get("cen_id"),
        "transit_router_id": router.get("transit_router_id"),
        "transit_router_route_table_id": attachments[0].get("transit_router_route_table_id") or router.get("system_route_table_id"),
        "registry_attachment_id": attachments[0].get("transit_router_attachment_id"),
    }


def data_center_connect_fact(inputs, found, connection=None, links=None):
    """The fact data_center_connect. ``found``: what data_center_connect_found returned; for transit_router, ``connection``
    cen_connection's ``connection`` and ``links`` the registered results of the VPN and the VBR attachment tasks (the one
    that ran has ``attachment``; both are skipped in check mode when the CEN would be created)."""
    vpc = inputs["registry_vpc"]
    fact = {"type": inputs["type"], "region": vpc["region"], "vpc_id": vpc["vpc_id"], "cidr_blocks": list(inputs["cidr_blocks"])}
    if inputs["type"] == "vpn_gateway":
        fact.update(vpn_gateway_id=found["vpn_gateway_id"], ipsec_connection_id=found["ipsec_connection_id"])
        return fact
    fact.update(data_center_connect_transit(connection or {}))
    attachment = _first([link["attachment"] for link in links or [] if (link or {}).get("attachment")]) or {}
    fact["attachment"] = {"kind": inputs["attachment"]["kind"], "resource_id": inputs["attachment"]["id"],
                          "transit_router_attachment_id": attachment.get("transit_router_attachment_id")}
    return fact


def data_center_connect_teardown(cen_info, inputs):
    """What the absent path of option 2 removes first: {cen_id (None without the CEN), kind, resource_id, attached (the data
    center's attachment to the registry region's transit router exists)}."""
    attachment = inputs["attachment"]
    cens = cen_info.get("cens") or []
    plan = {"cen_id": cens[0]["cen_id"] if cens else None, "kind": attachment["kind"], "resource_id": attachment["id"], "attached": False}
    if cens:
        region = inputs["registry_vpc"]["region"]
        routers = [router["transit_router_id"] for router in cens[0].get("transit_routers") or [] if router.get("region_id") == region]
        field = "vpn_id" if attachment["kind"] == "vpn" else "vbr_id"
        plan["attached"] = any(item.get(field) == attachment["id"] and item.get("transit_router_id") in routers
                               for item in cens[0].get("%s_attachments" % attachment["kind"]) or [])
    return plan


# ---------------------------------------------------------------- the main playbooks: every input checked before the first write
#
# playbooks/cross_region_access.yml and data_center_access.yml run each role's tasks/validate.yml before step 1: the inputs
# of steps 2 and 3 are otherwise only read after step 1 has written (a CEN, transit routers, attachments). Each function
# returns one message per problem, starting with the variable and saying the fix; [] when the inputs are good.

_ECS_ID = re.compile(r"i-[0-9a-z]{6,}")


def ipv4_cidr_errors(values, variable):
    """The entries of ``values`` that registry_access_plan would refuse as CIDR blocks (the same rule: an IPv4 network
    address with its prefix length, a bare address meaning /32), each named ``variable[index]``."""
    if values is None or values == "":
        return []
    if not isinstance(values, (list, tuple)):
        return ["%s: give a list of CIDR blocks such as [10.0.0.0/16], not %r." % (variable, values)]
    errors = []
    for index, value in enumerate(values):
        field = "%s[%d]" % (variable, index)
        try:
            network = ipaddress.ip_network(str(value))
        except ValueError as error:
            hint = ""
            try:  # host bits set: name the network the user probably meant
                hint = "; write %s" % ipaddress.ip_network(str(value), strict=False)
            except ValueError:
                pass
            errors.append("%s: %r is not a CIDR block (%s)%s. Give an IPv4 network with its prefix length, for example 10.0.0.0/16."
                          % (field, value, error, hint))
            continue
        if network.version != 4:
            errors.append("%s: %s is an IPv6 network; the routes of this collection are IPv4, give an IPv4 CIDR block." % (field, value))
    return errors


def _ecs_id_errors(value, variable, what):
    if not value:
        return ["%s: give the ID of %s (i-...)." % (variable, what)]
    if not isinstance(value, str) or not _ECS_ID.fullmatch(value):
        return ["%s: %r is not the ID of an ECS instance (those look like i-bp1..., as the ECS console shows); give the ID of %s."
                % (variable, value, what)]
    return []


def _member_ids(members):
    return [member.get("vpc_id") for member in members or [] if isinstance(member, dict)]


def registry_routes_input_errors(role, members=None, registry_region=""):
    """The input errors of the role registry_routes that can be found before step 1 has run (reads none).

    ``role``: the role's variables without their prefix (state, source_vpc_id, registry_vpc_id, next_hop_instance_id,
    source, registry_vpc, reachable_cidrs); ``members``: cen_connect_members when step 1 runs before (its VPCs are the ones
    the role chooses from); ``registry_region``: registry_endpoints_region, where the registry VPC is looked for.
    """
    errors = []
    source = role.get("source") or {}
    registry_vpc = role.get("registry_vpc") or {}
    errors += ipv4_cidr_errors(role.get("reachable_cidrs"), "registry_routes_reachable_cidrs")
    errors += ipv4_cidr_errors(source.get("cidr_blocks"), "registry_routes_source.cidr_blocks")
    errors += ipv4_cidr_errors(registry_vpc.get("cidr_blocks"), "registry_routes_registry_vpc.cidr_blocks")
    if role.get("state", "present") == "present":
        if role.get("next_hop_instance_id") or not registry_vpc.get("next_hop_instance_id"):
            errors += _ecs_id_errors(role.get("next_hop_instance_id"), "registry_routes_next_hop_instance_id",
                                     "the ECS instance in the registry VPC behind the covering 100.0.0.0/8 route (ECS instance 1 of the console procedure)")
        else:
            errors += _ecs_id_errors(registry_vpc.get("next_hop_instance_id"), "registry_routes_registry_vpc.next_hop_instance_id",
                                     "the ECS instance in the registry VPC behind the covering 100.0.0.0/8 route")
    ids = _member_ids(members)
    if not ids:
        return errors
    # The VPCs are chosen among cen_connect_members exactly as registry_routes_inputs chooses them after step 1.
    # (the explicit dicts registry_routes_source / _registry_vpc may name a VPC outside the CEN step 1 makes: not checked)
    for variable, value in (("registry_routes_registry_vpc_id", role.get("registry_vpc_id")),
                            ("registry_routes_source_vpc_id", role.get("source_vpc_id"))):
        if value and value not in ids:
            errors.append("%s: %s is not one of cen_connect_members (%s); name one of them." % (variable, value, ", ".join(ids)))
    registry_vpc_id = role.get("registry_vpc_id") or registry_vpc.get("vpc_id")
    if registry_vpc_id and registry_vpc_id not in ids:
        return errors  # said above (or an explicit VPC outside the CEN): which member is the source is not known either
    if not registry_vpc_id:
        region = registry_vpc.get("region") or registry_region
        in_region = [member.get("vpc_id") for member in members if isinstance(member, dict) and member.get("region") == region]
        if len(in_region) != 1:
            errors.append("registry_endpoints_region: %s of cen_connect_members %s in %s, the registry's region; give the region the "
                          "instance is in, or name the registry VPC with registry_routes_registry_vpc_id."
                          % (len(in_region) or "none", "is" if len(in_region) < 2 else "are", region or "(no region given)"))
            return errors
        registry_vpc_id = in_region[0]
    if not (role.get("source_vpc_id") or source.get("vpc_id")) and len([i for i in ids if i != registry_vpc_id]) != 1:
        errors.append("registry_routes_source_vpc_id: cen_connect_members has %d VPCs besides the registry VPC %s; name the one the "
                      "clients are in." % (len([i for i in ids if i != registry_vpc_id]), registry_vpc_id))
    return errors


def registry_endpoints_input_errors(role, groups=None):
    """The input errors of the role registry_endpoints found without a call (the probe host must be in the inventory).

    ``role``: the role's variables without their prefix (region, instance_id, instance_name, link_vpc, known, probe_host,
    probe_group); ``groups``: Ansible's ``groups``.
    """
    groups = groups or {}
    errors = []
    if not role.get("region"):
        errors.append("registry_endpoints_region: give the region of the instance, for example cn-hangzhou.")
    if bool(role.get("instance_id")) == bool(role.get("instance_name")):
        errors.append("registry_endpoints_instance_name: give the instance's name, or registry_endpoints_instance_id its ID "
                      "(exactly one of the two).")
    link = role.get("link_vpc") or {}
    if link and not (link.get("vpc_id") and link.get("vswitch_id")):
        errors.append("registry_endpoints_link_vpc: give vpc_id and vswitch_id (or leave it empty to link nothing).")
    known = role.get("known") or {}
    if known:
        return errors + known_endpoints_errors(known)
    group = role.get("probe_group") or "registry_probe"
    probe = role.get("probe_host") or _first(groups.get(group) or []) or ""
    if not probe:
        errors.append("registry_endpoints_probe_host: no probe host; put a host inside the registry VPC into the inventory group %s, "
                      "set registry_endpoints_probe_host, or give the endpoints with registry_endpoints_known." % group)
    elif probe not in (groups.get("all") or []):
        errors.append("registry_endpoints_probe_host: %r is not a host of the inventory (hosts: %s); name an inventory host inside the "
                      "registry VPC." % (probe, ", ".join(groups.get("all") or []) or "none"))
    return errors


def registry_endpoints_instance_errors(info, role):
    """What cr_instance_info (registered with failed_when false) found of the instance, as the role's variables name it.

    ``role``: region, instance_id, instance_name. [] when exactly one instance was found.
    """
    variable = "registry_endpoints_instance_id" if role.get("instance_id") else "registry_endpoints_instance_name"
    wanted = role.get("instance_id") or role.get("instance_name")
    region = role.get("region")
    if info.get("failed"):
        message = str(info.get("msg") or "")
        code = (info.get("error") or {}).get("code") or ""
        if message.startswith("region"):
            return ["registry_endpoints_region: %s" % message[len("region"):].lstrip(" :")]
        if code in ("INSTANCE_NOT_EXIST", "InstanceNotExist", "INSTANCE_NOT_EXIST.InstanceId") or "not exist" in message.lower() \
                or "no container registry instance" in message.lower():
            return ["%s: no instance %s in region %s (registry_endpoints_region): %s. Give the instance's exact %s, and the region "
                    "it is in." % (variable, wanted, region, message, "ID" if role.get("instance_id") else "name")]
        return ["%s: reading instance %s in %s failed: %s" % (variable, wanted, region, message)]
    found = info.get("instances") or []
    if not found:
        return ["%s: no instance %s in region %s; give the instance's exact %s, and in registry_endpoints_region the region it "
                "is in (the console's Container Registry page shows both)." % (variable, wanted, region, "ID" if role.get("instance_id") else "name")]
    if len(found) > 1:
        return ["%s: %d instances are named %s in region %s; give registry_endpoints_instance_id instead."
                % (variable, len(found), wanted, region)]
    return []


def data_center_routes_input_errors(role, connect_type=""):
    """The input errors of the role data_center_routes that can be found before step 1 has run (reads none).

    ``role``: the role's variables without their prefix (state, cidr_blocks, on_premises, next_hop_instance_id,
    reachable_cidrs, oss_vip_ranges); ``connect_type``: data_center_connect_type (transit_router needs the next hop).
    """
    errors = []
    errors += ipv4_cidr_errors(role.get("cidr_blocks"), "data_center_routes_cidr_blocks")
    errors += ipv4_cidr_errors(role.get("reachable_cidrs"), "data_center_routes_reachable_cidrs")
    errors += ipv4_cidr_errors(role.get("oss_vip_ranges"), "data_center_routes_oss_vip_ranges")
    if role.get("state", "present") != "present":
        return errors
    on_premises = dict((key, value) for key, value in (role.get("on_premises") or {}).items() if value not in (None, ""))
    if not on_premises.get("via") and not on_premises.get("dev"):
        errors.append("data_center_routes_on_premises: give {via, dev}, the on-premises gateway's next hop into the tunnel "
                      "(for example {dev: vti0}).")
    elif on_premises.get("via"):
        try:
            if ipaddress.ip_address(str(on_premises["via"])).version != 4:
                raise ValueError("IPv6")
        except ValueError:
            errors.append("data_center_routes_on_premises.via: %r is not an IPv4 address; give the tunnel peer's address (or only dev)."
                          % on_premises["via"])
    if connect_type == "transit_router" or role.get("next_hop_instance_id"):
        errors += _ecs_id_errors(role.get("next_hop_instance_id"), "data_center_routes_next_hop_instance_id",
                                 "the ECS instance in the registry VPC behind the covering 100.0.0.0/8 route")
    return errors


# ---------------------------------------------------------------- the covering route's next hop (read before any write)

# ECS instance statuses (DescribeInstances) in which the instance forwards traffic: only Running.
_FORWARDING = ("Running",)
_NOT_FOUND_CODES = ("InvalidInstanceId.NotFound", "InvalidInstanceID.NotFound")


def _next_hop_target(instance_id, variable, vpc_id, vpc_variable, region):
    if not instance_id or not _ECS_ID.fullmatch(str(instance_id)) or not region:
        return {}  # no ID, or a malformed one (the input errors said so already), or no region to look in: nothing to read
    return {"instance_id": instance_id, "variable": variable, "vpc_id": vpc_id or "", "vpc_variable": vpc_variable, "region": region}


def registry_routes_next_hop(role, members=None, registry_region=""):
    """What the up-front check of registry_routes reads: the ECS instance behind the covering route, and where it must be.

    ``role``, ``members`` and ``registry_region`` as for registry_routes_input_errors. Returns {instance_id, variable (the
    role variable that named it), vpc_id (the registry VPC, '' when step 1 has not chosen it yet), vpc_variable, region},
    or {} when there is nothing to read (state absent, no or a malformed ID, no region known).
    The registry VPC is chosen as registry_routes_inputs chooses it after step 1: named, else the one member in the
    registry's region.
    """
    if role.get("state", "present") != "present":
        return {}
    registry_vpc = role.get("registry_vpc") or {}
    if role.get("next_hop_instance_id") or not registry_vpc.get("next_hop_instance_id"):
        instance_id, variable = role.get("next_hop_instance_id"), "registry_routes_next_hop_instance_id"
    else:
        instance_id, variable = registry_vpc.get("next_hop_instance_id"), "registry_routes_registry_vpc.next_hop_instance_id"
    members = [member for member in members or [] if isinstance(member, dict)]
    region = registry_vpc.get("region") or registry_region
    if role.get("registry_vpc_id"):
        vpc_id, vpc_variable = role["registry_vpc_id"], "registry_routes_registry_vpc_id"
    elif registry_vpc.get("vpc_id"):
        vpc_id, vpc_variable = registry_vpc["vpc_id"], "registry_routes_registry_vpc.vpc_id"
    else:
        in_region = [member.get("vpc_id") for member in members if member.get("region") == region]
        vpc_id, vpc_variable = (in_region[0], "cen_connect_members") if len(in_region) == 1 else ("", "")
    member = _first([item for item in members if item.get("vpc_id") == vpc_id]) or {}
    return _next_hop_target(instance_id, variable, vpc_id, vpc_variable, member.get("region") or region)


def data_center_routes_next_hop(role, connect_type="", registry_vpc=None):
    """What the up-front check of data_center_routes reads: the ECS instance behind the covering route (transit_router).

    ``role``: the role's variables without their prefix (state, next_hop_instance_id, registry_vpc); ``connect_type``:
    data_center_connect_type; ``registry_vpc``: data_center_connect_registry_vpc ({region, vpc_id}), which
    data_center_routes_registry_vpc overrides key by key. The same shape as registry_routes_next_hop.
    """
    if role.get("state", "present") != "present" or not (connect_type == "transit_router" or role.get("next_hop_instance_id")):
        return {}
    vpc = dict((key, value) for key, value in (registry_vpc or {}).items() if key in ("region", "vpc_id"))
    vpc_variable = "data_center_connect_registry_vpc.vpc_id"
    if (role.get("registry_vpc") or {}).get("vpc_id"):
        vpc_variable = "data_center_routes_registry_vpc.vpc_id"
    vpc.update(dict((key, value) for key, value in _given(role.get("registry_vpc") or {}).items() if key in ("region", "vpc_id")))
    return _next_hop_target(role.get("next_hop_instance_id"), "data_center_routes_next_hop_instance_id", vpc.get("vpc_id"),
                            vpc_variable, vpc.get("region"))


def next_hop_instance_problems(info, target):
    """What ecs_instance_info (registered with failed_when false) found of the covering route's next hop, in the role's words.

    ``target``: registry_routes_next_hop's or data_center_routes_next_hop's answer. Returns {errors, warnings}.
    Errors (the run stops before any write): no such instance in the region, an instance of another VPC than the registry
    VPC (the cloud refuses a route entry whose next hop is outside the route table's VPC), a failed read.
    A warning only for an instance that exists there but is not Running: the cloud accepts the route to a stopped
    instance, the instance may be stopped on purpose for a while (maintenance, a resize), and starting it makes the route
    work without another run; the registry's 100.x addresses stay unreachable until then, which the warning says.
    """
    if not target:
        return {"errors": [], "warnings": []}
    variable, instance_id, region = target["variable"], target["instance_id"], target["region"]
    vpc_id = target.get("vpc_id") or ""
    where = " in the registry VPC %s" % vpc_id if vpc_id else " in the registry VPC"
    fix = ("give the ID of the ECS instance%s that forwards the registry's 100.x traffic (ECS instance 1 of the console "
           "procedure; the ECS console lists the instances of a VPC)" % where)
    if info.get("failed"):
        code = (info.get("error") or {}).get("code") or ""
        message = str(info.get("msg") or "")
        if code in _NOT_FOUND_CODES:
            return {"errors": ["%s: there is no ECS instance %s in region %s; %s." % (variable, instance_id, region, fix)], "warnings": []}
        return {"errors": ["%s: reading the ECS instance %s in region %s failed: %s" % (variable, instance_id, region, message)],
                "warnings": []}
    found = _first([item for item in info.get("instances") or [] if item.get("instance_id") == instance_id])
    if found is None:
        return {"errors": ["%s: there is no ECS instance %s in region %s; %s." % (variable, instance_id, region, fix)], "warnings": []}
    if vpc_id and found.get("vpc_id") != vpc_id:
        return {"errors": ["%s: the ECS instance %s is in the VPC %s, not in the registry VPC %s (from %s): a route of the registry VPC "
                           "can only lead to an instance of that VPC; %s." % (variable, instance_id, found.get("vpc_id") or "(none)",
                                                                              vpc_id, target.get("vpc_variable") or "", fix)],
                "warnings": []}
    if found.get("status") not in _FORWARDING:
        return {"errors": [], "warnings": ["%s: the ECS instance %s is %s, not Running: the route to it is written, but the registry's "
                                           "100.x addresses stay unreachable until the instance runs; start it." %
                                           (variable, instance_id, found.get("status") or "in an unknown state")]}
    return {"errors": [], "warnings": []}
