# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The read-only diagnosis of a cross-region setup (playbooks/diagnose.yml): what is missing or wrong, in procedure order.

PURE, like plan.py and role_plan.py: facts in (the results of cen_info, vpc_info, cr_instance_info and
cen_route_advertisement in check mode, the probe of step 2, the client hosts' registry_client_verify reports, and the
inventory's inputs), findings out. No I/O, no Ansible import, no SDK.
What should exist comes from the access plan itself (plan.build_plan), so the diagnosis and the role registry_routes
never disagree on which routes a pull needs.

``diagnose(facts)`` is the one entry point. The playbook calls it twice: after the first reads, to learn what is left to
read (``advertise``: the destinations whose publication cen_route_advertisement reads in check mode; ``client_check``: what
the client hosts verify), then with every fact for the report. A finding is {step, code, severity, what, fix}; the findings
come in procedure order (step 1 before step 2 before step 3 before step 4, and within a step in the order the console
procedure builds the pieces), so the first one is the first thing to repair: what comes after it often follows from it.
"""

from __future__ import annotations

import ipaddress

from .plan import PlanError, build_plan
from .role_plan import verify_endpoints

STEPS = {
    1: "Step 1 - connect the VPCs through CEN",
    2: "Step 2 - the registry's endpoints",
    3: "Step 3 - route the registry, auth and OSS addresses",
    4: "Step 4 - the client hosts",
}

# What a pull shows when the source VPC has no route for a destination of this kind (plan.py's target labels)
SYMPTOMS = (
    ("registry address", "docker pull and login time out connecting to the registry"),
    ("auth service address", "docker login fails dialing the auth service (the registry answers, the token never comes)"),
    ("OSS", "OSS pulls will stall at the first blob (the manifest arrives, the layers do not)"),
)


def _finding(step, code, what, fix, severity="error"):
    return {"step": step, "step_name": STEPS[step], "code": code, "severity": severity, "what": what, "fix": fix}


def _symptom(reason):
    return next((symptom for label, symptom in SYMPTOMS if reason.startswith(label)), "pulls cannot reach this address")


def _by(items, key):
    return {item.get(key): item for item in items or []}


def _active(links):
    return [link["route_table_id"] for link in links or [] if link.get("status") == "Active"]


def _hops(entry):
    """The next hop ids of a vpc_info route entry (ECMP routes have several)."""
    return [hop.get("next_hop_id") for hop in entry.get("next_hops") or []]


def _routes_of(vpcs, table_id):
    """{destination: [entries]} of one VPC route table from vpc_info's VPCs."""
    found = {}
    for vpc in vpcs or []:
        for table in vpc.get("route_tables") or []:
            if table.get("route_table_id") == table_id:
                for entry in table.get("entries") or []:
                    found.setdefault(_net(entry.get("destination_cidr_block")), []).append(entry)
    return found


def _system_table(vpcs, vpc_id):
    for vpc in vpcs or []:
        if vpc.get("vpc_id") == vpc_id:
            for table in vpc.get("route_tables") or []:
                if table.get("route_table_type") == "System":
                    return table.get("route_table_id")
    return None


def _vswitch_cidrs(vpcs, vpc_id):
    return [vsw["cidr_block"] for vpc in vpcs or [] if vpc.get("vpc_id") == vpc_id for vsw in vpc.get("vswitches") or []]


def _net(cidr):
    try:
        return str(ipaddress.ip_network(cidr, strict=False))
    except (TypeError, ValueError):
        return cidr


def _roles(facts, members):
    """(registry member, source member) of cen_info's validated members: named, else the one in the registry's region / the other."""
    registry_id = facts.get("registry_vpc_id") or next(
        (m["vpc_id"] for m in members if m.get("region") == facts.get("registry_region")), "")
    source_id = facts.get("source_vpc_id") or next((m["vpc_id"] for m in members if m["vpc_id"] != registry_id), "")
    by_id = _by(members, "vpc_id")
    return by_id.get(registry_id) or {"vpc_id": registry_id}, by_id.get(source_id) or {"vpc_id": source_id}


def _name(member, roles):
    registry, source = roles
    label = "the registry VPC" if member["vpc_id"] == registry["vpc_id"] else (
        "the source VPC" if member["vpc_id"] == source["vpc_id"] else "the VPC")
    return "%s %s (%s)" % (label, member["vpc_id"], member.get("region", "?"))


# ---------------------------------------------------------------- step 1


def _step1(facts, cen, members, roles, attachment_of):
    findings = []
    if cen is None:
        name = facts.get("cen_name") or facts.get("cen_id") or "?"
        return [_finding(1, "cen_missing", "There is no CEN %s: the VPCs are not connected at all." % name,
                         "Run playbooks/cen_connect.yml (role cen_connect) with these members, or create the CEN and give its id "
                         "as cen_connect_cen_id.")]
    routers = _by(cen.get("transit_routers"), "region_id")
    for region in dict.fromkeys(m["region"] for m in members):
        router = routers.get(region)
        if router is None:
            findings.append(_finding(1, "transit_router_missing", "CEN %s has no transit router in %s." % (cen["cen_id"], region),
                                     "Create an Enterprise Edition transit router in %s (cen_transit_router, or re-run the role "
                                     "cen_connect)." % region))
        elif router.get("status") != "Active":
            findings.append(_finding(1, "transit_router_not_active", "The transit router %s in %s is %s, not Active." % (
                router["transit_router_id"], region, router.get("status")), "Wait until it is Active, then run the diagnosis again.",
                "warning"))
    for member in members:
        attachment = attachment_of.get(member["vpc_id"])
        router = routers.get(member["region"]) or {}
        if attachment is None:
            if router:
                findings.append(_finding(1, "vpc_attachment_missing", "%s is not attached to the transit router %s." % (
                    _name(member, roles), router["transit_router_id"]),
                    "Attach it with vSwitches in two zones (%s; cen_transit_router_vpc_attachment, or re-run the role cen_connect)."
                    % ", ".join(member.get("vswitch_ids") or [])))
            continue
        if attachment.get("status") != "Attached":
            findings.append(_finding(1, "vpc_attachment_not_attached", "The VPC attachment %s of %s is %s, not Attached." % (
                attachment["transit_router_attachment_id"], _name(member, roles), attachment.get("status")),
                "Wait until it is Attached (or delete it and re-run the role cen_connect if it stays so)."))
        table = router.get("system_route_table_id") or "the transit router's route table"
        if not _active(attachment.get("associations")):
            findings.append(_finding(1, "association_missing", "The VPC attachment %s of %s is not associated with a route table of "
                                     "the transit router %s: traffic leaving the VPC has no transit router route table to follow." % (
                                         attachment["transit_router_attachment_id"], _name(member, roles), router.get("transit_router_id")),
                                     "Associate %s with %s (cen_transit_router_vpc_attachment with route_table_id, or re-run the "
                                     "role cen_connect)." % (attachment["transit_router_attachment_id"], table)))
        if not _active(attachment.get("propagations")):
            findings.append(_finding(1, "propagation_missing", "The VPC attachment %s of %s does not propagate to a route table of the "
                                     "transit router %s: the other region never learns %s, nor the routes it advertises." % (
                                         attachment["transit_router_attachment_id"], _name(member, roles), router.get("transit_router_id"),
                                         ", ".join(member.get("cidr_blocks") or [member["vpc_id"]])),
                                     "Enable the route propagation of %s to %s (cen_transit_router_vpc_attachment with "
                                     "route_table_id, or re-run the role cen_connect)." % (attachment["transit_router_attachment_id"], table)))
    regions = sorted(dict.fromkeys(m["region"] for m in members))
    peers = [p for p in cen.get("peer_attachments") or [] if p.get("status") == "Attached"]
    for index, first in enumerate(regions):
        for second in regions[index + 1:]:
            if first in routers and second in routers and not any(
                    {p.get("region_id"), p.get("peer_transit_router_region_id")} == {first, second} for p in peers):
                findings.append(_finding(1, "peer_attachment_missing", "No Attached inter-region connection between the transit routers "
                                         "of %s and %s: nothing crosses between the regions." % (first, second),
                                         "Connect them (cen_transit_router_peer_attachment with a bandwidth, or re-run the role "
                                         "cen_connect)."))
    if facts.get("route_mode", "vpc_route_entries") == "vpc_route_entries":
        findings.extend(_member_route_findings(facts, members, roles, attachment_of))
    return findings


def _member_route_findings(facts, members, roles, attachment_of):
    """Each member routes every other member's CIDR blocks to its own attachment (what cen_connect writes)."""
    findings = []
    for member in members:
        attachment = attachment_of.get(member["vpc_id"])
        if attachment is None:
            continue
        routes = _routes_of(facts.get("vpcs"), member.get("route_table_id"))
        hop = attachment["transit_router_attachment_id"]
        for other in members:
            if other["vpc_id"] == member["vpc_id"]:
                continue
            for cidr in other.get("cidr_blocks") or []:
                if any(hop in _hops(entry) for entry in routes.get(_net(cidr), [])):
                    continue
                back = member["vpc_id"] == roles[0]["vpc_id"]
                findings.append(_finding(1, "member_route_missing", "%s has no route for %s (%s) through its attachment %s: %s." % (
                    _name(member, roles), cidr, other["vpc_id"], hop,
                    "the registry's answers never find their way back" if back else "nothing reaches the other VPC"),
                    "Add the route %s -> %s (Attachment) in route table %s (vpc_route_entry, or re-run the role cen_connect)." % (
                        cidr, hop, member.get("route_table_id"))))
    return findings


# ---------------------------------------------------------------- step 2


def _step2(facts, registry):
    instances = facts.get("instances") or []
    instance_label = facts.get("instance_name") or facts.get("instance_id") or "?"
    if not instances:
        return [_finding(2, "instance_missing", "No Container Registry Enterprise Edition instance %s in %s." % (
            instance_label, facts.get("registry_region")), "Check registry_endpoints_instance_name (or _id) and registry_endpoints_region.")]
    findings = []
    instance = instances[0]
    if instance.get("status") != "RUNNING":
        findings.append(_finding(2, "instance_not_running", "The instance %s is %s, not RUNNING." % (instance["instance_id"], instance.get("status")),
                                 "Start or renew the instance in the Container Registry console."))
    vpc_endpoint = ((instance.get("endpoints") or {}).get("registry") or {}).get("vpc") or {}
    link = _by(vpc_endpoint.get("linked_vpcs"), "vpc_id").get(registry["vpc_id"])
    if link is None:
        findings.append(_finding(2, "registry_vpc_not_linked", "The registry VPC %s is not linked to the VPC endpoint of %s: the registry "
                                 "has no address in it." % (registry["vpc_id"], instance["instance_id"]),
                                 "Link it (cr_vpc_endpoint, or the role registry_endpoints with registry_endpoints_link_vpc "
                                 "{vpc_id: %s, vswitch_id: ...})." % registry["vpc_id"]))
    elif link.get("status") != "RUNNING" or not link.get("ip"):
        findings.append(_finding(2, "registry_vpc_link_not_running", "The link of %s to the VPC endpoint of %s is %s." % (
            registry["vpc_id"], instance["instance_id"], link.get("status")), "Wait until it is RUNNING, then run the diagnosis again."))
    endpoints = facts.get("endpoints") or {}
    if facts.get("probe_error"):
        findings.append(_finding(2, "probe_failed", "Step 2 (probing the endpoints from inside the registry VPC, or completing "
                                 "registry_endpoints_known) failed: %s" % facts["probe_error"],
                                 "Repair what the message names (the probe host, its hosts file, the routes inside the registry VPC, "
                                 "or registry_endpoints_known), or give registry_endpoints_known {registry, auth, oss} as resolved "
                                 "inside the registry VPC."))
    elif not all((endpoints.get(kind) or {}).get("addresses") for kind in ("registry", "auth")):
        findings.append(_finding(2, "endpoints_unknown", "The registry and auth addresses are not known, so step 3 cannot be checked.",
                                 "Give registry_endpoints_known {registry, auth, oss} (domains and addresses as resolved inside the "
                                 "registry VPC), for example from the fact registry_endpoints of a run of the role registry_endpoints."))
    elif link is not None and link.get("ip") and link["ip"] not in endpoints["registry"]["addresses"]:
        findings.append(_finding(2, "registry_address_differs", "The registry's address in %s is %s, the endpoints given say %s." % (
            registry["vpc_id"], link["ip"], ", ".join(endpoints["registry"]["addresses"])),
            "Correct registry_endpoints_known.registry.addresses (probe again with the role registry_endpoints).", "warning"))
    return findings


# ---------------------------------------------------------------- step 3


def _plan_endpoints(endpoints):
    """registry_endpoints_known (or the fact registry_endpoints) in the shape of the plan's endpoints."""
    def pick(kind, keys):
        given = endpoints.get(kind) or {}
        return dict((key, given[key]) for key in keys if given.get(key) is not None)
    auth = pick("auth", ("domain", "addresses"))
    auth["takeover"] = bool(endpoints.get("takeover") or (endpoints.get("auth") or {}).get("takeover"))
    return {"registry": pick("registry", ("domain", "addresses")), "auth": auth, "oss": pick("oss", ("domain", "addresses", "bucket"))}


def _plan(facts, registry, source, source_attachment):
    return build_plan(
        {"kind": "vpc", "cidr_blocks": source.get("cidr_blocks") or [], "next_hop_type": "Attachment",
         # Without an attachment the plan still says which destinations need a route; the next hop is checked only with one.
         "next_hop_id": source_attachment or "the-source-attachment"},
        {"region": registry.get("region") or facts.get("registry_region"), "vpc_id": registry["vpc_id"],
         "cidr_blocks": registry.get("cidr_blocks") or [], "vswitch_cidr_blocks": _vswitch_cidrs(facts.get("vpcs"), registry["vpc_id"]),
         "next_hop_instance_id": facts.get("next_hop_instance_id") or None},
        _plan_endpoints(facts.get("endpoints") or {}),
        oss_route_mode=facts.get("oss_route_mode") or "vip_ranges",
        # cen_connect's member routes carry the registry VPC's own CIDR blocks (step 1 checks them)
        reachable_cidrs=list(registry.get("cidr_blocks") or []))


def _step3(facts, plan, cen, registry, source, attachment_of):
    findings = [_finding(3, finding["code"], finding["message"], finding["fix"]) for finding in plan["findings"]
                if finding["severity"] == "error"]
    source_attachment = (attachment_of.get(source["vpc_id"]) or {}).get("transit_router_attachment_id")
    source_table = source.get("route_table_id") or _system_table(facts.get("vpcs"), source["vpc_id"])
    routes = _routes_of(facts.get("vpcs"), source_table)
    for route in plan["source_routes"]:
        cidr = route["destination_cidr_block"]
        found = routes.get(_net(cidr), [])
        symptom = _symptom(route["reason"])
        if not found:
            findings.append(_finding(3, "source_route_missing", "The source VPC has no route for %s: %s." % (cidr, symptom),
                                     "Add the route %s -> %s (Attachment) in route table %s (the role registry_routes, or "
                                     "vpc_route_entry)." % (cidr, source_attachment or "the source VPC's attachment", source_table)))
        elif source_attachment and not any(source_attachment in _hops(entry) for entry in found):
            findings.append(_finding(3, "source_route_wrong_next_hop", "The source VPC's route for %s goes to %s, not to its attachment %s: "
                                     "%s." % (cidr, ", ".join(", ".join(_hops(entry)) or "-" for entry in found), source_attachment, symptom),
                                     "Point the route %s at %s (the role registry_routes replaces its own routes; a foreign one must "
                                     "be changed by its owner)." % (cidr, source_attachment)))
    registry_table = _system_table(facts.get("vpcs"), registry["vpc_id"])
    registry_routes = _routes_of(facts.get("vpcs"), registry_table)
    published = _by(facts.get("published") or [], "destination_cidr_block")
    learned = _learned(cen, attachment_of.get(source["vpc_id"]))
    for route in plan["registry_routes"]:
        cidr = route["destination_cidr_block"]
        found = registry_routes.get(_net(cidr), [])
        instance = route["next_hop_id"]
        if not any(instance in _hops(entry) for entry in found):
            findings.append(_finding(3, "covering_route_missing", "The registry VPC has no route for %s to the ECS instance %s: there is "
                                     "nothing to advertise, so the source's transit router never learns a route to %s and login "
                                     "and pulls time out." % (cidr, instance, cidr),
                                     "Add the route %s -> %s (Instance) in the system route table %s and advertise it (the role "
                                     "registry_routes)." % (cidr, instance, registry_table)))
            continue
        if not route.get("advertise"):
            continue
        # In check mode the module predicts the state after its run: action "published" says it is not published now.
        entry = published.get(cidr) or {}
        if facts.get("published") is not None and (entry.get("publish_status") != "Published" or entry.get("action") == "published"):
            findings.append(_finding(3, "covering_route_not_advertised", "The registry VPC's route %s is not advertised to the CEN: the "
                                     "source's transit router cannot learn it, so login and pulls time out." % cidr,
                                     "Advertise it (cen_route_advertisement with destination_cidr_blocks [%s], or the role "
                                     "registry_routes)." % cidr))
        elif learned is not None and cidr not in learned:
            findings.append(_finding(3, "covering_route_not_learned", "The source VPC's transit router route table does not hold %s "
                                     "(Active): the route is advertised but not learned." % cidr,
                                     "Check the propagation of the registry VPC's attachment and the inter-region connection "
                                     "(step 1), then wait for the route to be learned."))
    return findings


# ---------------------------------------------------------------- step 4


def _step4(clients):
    """``clients``: {host: registry_client_verify's result on it (report), or its failure (msg, unreachable)}."""
    findings = []
    for host in sorted(clients or {}):
        result = clients[host] or {}
        report = result.get("report")
        if report is None:
            findings.append(_finding(4, "client_not_checked", "The client host %s could not be checked: %s" % (
                host, result.get("msg") or "no report"), "Check that Ansible reaches %s (its inventory entry, ssh, Python)." % host,
                "warning"))
            continue
        failed = report.get("failed")
        if report.get("ok") or not failed:
            continue
        blamed = str(failed.get("step") or "")
        if blamed == "4":
            fix = ("Run the role registry_client on %s (playbooks/cross_region_access.yml): it writes the hosts block, the "
                   "engine's CA certificate and the login." % host)
        else:
            fix = "Repair step %s first (the findings before this one); this host's check fails where it does." % (blamed or "?")
        findings.append(_finding(4, "client_check_failed", "%s (%s): %s" % (host, failed.get("kind"), failed.get("message")), fix))
    return findings


def _learned(cen, source_attachment):
    """{destination} of the Active routes of the table(s) the source's attachment is associated with; None when unknown."""
    if cen is None or source_attachment is None:
        return None
    tables = _active(source_attachment.get("associations"))
    routers = [router for router in cen.get("transit_routers") or [] if "route_entries" in router]
    if not tables or not routers:
        return None
    return {_net(entry["destination_cidr_block"]) for router in routers for entry in router["route_entries"]
            if entry.get("transit_router_route_table_id") in tables and entry.get("status") == "Active"}


# ---------------------------------------------------------------- the entry point


def diagnose(facts):
    """The findings of a setup, in procedure order, and what the playbook still has to read.

    ``facts``: cen_name or cen_id, registry_region, registry_vpc_id / source_vpc_id (optional: the member in the registry's
    region / the other one), next_hop_instance_id, route_mode (cen_connect's, default vpc_route_entries), oss_route_mode,
    instance_name or instance_id; the reads: cen (cen_info's result with validate_members and route_entries), instances
    (cr_instance_info's), vpcs (vpc_info's VPCs of the members), endpoints (registry_endpoints_known), published
    (cen_route_advertisement's entries in check mode, or None when not read).

    Also probe_error (why the probe of step 2 failed, or '') and clients ({host: registry_client_verify's result}).

    Returns findings, first (the first finding or None), healthy, clients_checked, and for the next reads: cen_id,
    registry_vpc_id, registry_route_table_id, advertise (the destinations whose publication to read; [] when it cannot be
    read yet), client_check (registry, auth, oss and source_routes for registry_client_verify; None when unknown).
    """
    cen_result = facts.get("cen") or {}
    cens = cen_result.get("cens") or []
    cen = cens[0] if cens else None
    members = cen_result.get("members") or []
    roles = _roles(facts, members)
    registry, source = roles
    attachment_of = _by(cen.get("vpc_attachments") if cen else [], "vpc_id")
    attachment_of.pop(None, None)
    findings = _step1(facts, cen, members, roles, attachment_of)
    findings.extend(_step2(facts, registry))
    advertise, client_check = [], None
    if not any(f["code"] in ("endpoints_unknown", "probe_failed") for f in findings) and registry.get("cidr_blocks"):
        source_attachment = (attachment_of.get(source["vpc_id"]) or {}).get("transit_router_attachment_id")
        try:
            plan = _plan(facts, registry, source, source_attachment)
        except PlanError as error:
            findings.append(_finding(3, "plan_input", "The access plan cannot be computed: %s." % error,
                                     "Correct the named input (registry_endpoints_known, registry_routes_next_hop_instance_id)."))
        else:
            findings.extend(_step3(facts, plan, cen, registry, source, attachment_of))
            if cen is not None and registry["vpc_id"] in attachment_of:
                advertise = [route["destination_cidr_block"] for route in plan["registry_routes"] if route.get("advertise")]
            client_check = _client_check(facts.get("endpoints") or {}, plan)
    findings.extend(_step4(facts.get("clients")))
    return {
        "findings": findings,
        "first": findings[0] if findings else None,
        "healthy": not any(f["severity"] == "error" for f in findings),
        "cen_id": cen["cen_id"] if cen else None,
        "registry_vpc_id": registry["vpc_id"],
        "source_vpc_id": source["vpc_id"],
        "registry_route_table_id": _system_table(facts.get("vpcs"), registry["vpc_id"]),
        "advertise": advertise,
        "client_check": client_check,
        "clients_checked": len(facts.get("clients") or {}),
    }


def _client_check(endpoints, plan):
    """What each client host verifies (registry_client_verify's registry, auth, oss and source_routes), as the role
    registry_client would after this plan: None when a domain is not known."""
    if not all((endpoints.get(kind) or {}).get("domain") for kind in ("registry", "auth", "oss")):
        return None
    targets = verify_endpoints(dict(endpoints, takeover=bool(endpoints.get("takeover") or (endpoints.get("auth") or {}).get("takeover"))),
                               plan.get("hosts_entries"))
    return dict(targets, source_routes=[{"destination_cidr_block": route["destination_cidr_block"], "reason": route.get("reason")}
                                        for route in plan["source_routes"]])


def diagnosis_report(diagnosis):
    """The findings as readable lines: one per finding (step, what, fix), or that nothing is missing."""
    if not diagnosis["findings"]:
        clients = diagnosis.get("clients_checked") or 0
        step4 = ", and the %d client host(s) reach the registry, auth and OSS (step 4)" % clients if clients else ""
        return ["Nothing missing: steps 1 to 3 are in place (CEN, transit routers, attachments, routes, advertisement, "
                "the registry's VPC link)%s." % step4]
    lines = []
    for number, finding in enumerate(diagnosis["findings"], 1):
        lines.append("%d. [%s] %s: %s Fix: %s" % (number, finding["severity"], finding["step_name"], finding["what"], finding["fix"]))
    return lines
