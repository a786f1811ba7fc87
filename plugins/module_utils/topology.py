# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The topology picture of an access plan: the networks and the routes the plan creates, as a hand-written SVG.

PURE (standard library only, no I/O). Two users: the docs site draws the example topology of each scenario with it
(scripts/topology_svg.py), and the main playbooks draw the run they just made (the filter access_topology_svg, from the
fact registry_routes or data_center_routes), so the pictures follow the plan's rules: docs and code cannot drift.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

LEGEND = "Blue: the routes the access plan creates (plugins/module_utils/plan.py build_plan of this topology)."


BOX_WIDTH = 340
GAP = 110
LINE = 16
TOP = 56
MARGIN = 20
_STYLE = """
text { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 12px; fill: #1d1d1d; }
.title { font-size: 15px; font-weight: bold; }
.head { font-size: 13px; font-weight: bold; }
.mono { font-family: 'DejaVu Sans Mono', monospace; font-size: 10.5px; }
.planned { fill: #0b5394; }
.present { fill: #6b6b6b; }
.link { font-size: 11px; fill: #444444; }
rect.network { fill: #f4f8fb; stroke: #5b7a99; stroke-width: 1.5; }
rect.router { fill: #fdf6e3; stroke: #b58900; stroke-width: 1.5; }
rect.services { fill: #f3f9f1; stroke: #5f8f4e; stroke-width: 1.5; }
line { stroke: #555555; stroke-width: 2; }
"""


def _route_line(destination, hop, extra=""):
    return ("mono planned", "%s -> %s%s" % (destination, hop, extra))


def _boxes_vpc(facts, plan):
    source, registry = facts["source"], facts["registry_vpc"]
    source_lines = [("", "%s, %s" % (source.get("region") or "?", ", ".join(source.get("cidr_blocks") or []))),
                    ("", "route table %s:" % (source.get("route_table_id") or "(the system route table)"))]
    source_lines += [_route_line(r["destination_cidr_block"], "%s %s" % (r["next_hop_type"], r["next_hop_id"])) for r in plan["source_routes"]]
    routers = [("", "transit router, %s" % source.get("region")), ("", "attachment %s" % source.get("next_hop_id")), ("", "inter-region connection"),
               ("", "transit router, %s" % registry.get("region")), ("", "learns what the registry VPC advertises")]
    return [
        ("network", "source VPC %s" % source["vpc_id"], source_lines),
        ("router", "CEN", routers),
        ("network", "registry VPC %s" % registry["vpc_id"], _registry_lines(registry, plan)),
        ("services", "what a pull needs", _service_lines(facts)),
    ], ["VPC attachment", "VPC attachment", "100.64.0.0/10 (service)"]


def _boxes_data_center(facts, plan):
    source, registry = facts["source"], facts["registry_vpc"]
    gateway = source["on_premises"]
    hop = " ".join(part for part in ("via %s" % gateway["via"] if gateway.get("via") else "", "dev %s" % gateway["dev"] if gateway.get("dev") else "") if part)
    dc_lines = [("", "on premises %s" % ", ".join(source["cidr_blocks"])), ("", "the gateway's routes into the tunnel:")]
    dc_lines += [_route_line(r["destination"], hop) for r in plan["on_premises_routes"]]
    connection = source["connection"]
    if connection["type"] == "vpn_gateway":
        middle = ("router", "VPN gateway %s" % connection["vpn_gateway_id"], [
            ("", "in the registry VPC"), ("", "IPsec connection %s" % connection["ipsec_connection_id"]), ("", "destination routes back:")]
            + [_route_line(r["destination"], r["next_hop"], " (weight %s, published)" % r["weight"]) for r in plan["vpn_routes"]])
        links = ["IPsec", "published routes", "100.64.0.0/10 (service)"]
    else:
        middle = ("router", "transit router, %s" % registry["region"], [
            ("", "the data center's IPsec connection or VBR"), ("", "registry VPC attachment"),
            ("", connection["transit_router_attachment_id"]), ("", "learns what the registry VPC advertises")])
        links = ["IPsec / Express Connect", "VPC attachment", "100.64.0.0/10 (service)"]
    return [
        ("network", "data center", dc_lines),
        middle,
        ("network", "registry VPC %s" % registry["vpc_id"], _registry_lines(registry, plan)),
        ("services", "what a pull needs", _service_lines(facts)),
    ], links


def _registry_lines(registry, plan):
    lines = [("", "%s, %s" % (registry.get("region") or "?", ", ".join(registry.get("cidr_blocks") or []))),
             ("", "system route 100.64.0.0/10 -> cloud services"), ("", "route table %s:" % (registry.get("route_table_id") or "(the system route table)"))]
    for route in plan.get("registry_routes") or []:
        lines.append(_route_line(route["destination_cidr_block"], "%s %s" % (route["next_hop_type"], route["next_hop_id"]),
                                 " (advertised)" if route.get("advertise") else ""))
    if not plan.get("registry_routes"):
        lines.append(("present", "(no route needed: the traffic arrives inside the VPC)"))
    return lines


def _service_lines(facts):
    lines = []
    for kind, label in (("registry", "registry endpoint"), ("auth", "auth service"), ("oss", "OSS")):
        endpoint = (facts.get("endpoints") or {}).get(kind) or {}
        lines.append(("head", label))
        lines.append(("mono", endpoint.get("domain") or "?"))
        lines.append(("mono", ", ".join(endpoint.get("addresses") or [])))
    return lines


def _wrap(text, width):
    """Split a line that is wider than the box (about 6.2 px a character) at spaces."""
    limit = max(10, int(width / 6.4))
    lines, current = [], ""
    for word in text.split(" "):
        if current and len(current) + 1 + len(word) > limit:
            lines.append(current)
            current = "  " + word
        else:
            current = (current + " " + word) if current else word
    return lines + [current]


def render(title, facts, plan, legend=LEGEND):
    """The SVG document (text) of a plan: one box per network, left to right, each with the routes the plan creates.

    ``facts``: the plan's inputs - ``source`` (a VPC with its ``next_hop_id``, or a data center), ``registry_vpc`` and
    ``endpoints``, as build_plan takes them (what is missing is drawn as "?")."""
    if facts["source"].get("kind") == "data_center":
        boxes, links = _boxes_data_center(facts, plan)
    else:
        boxes, links = _boxes_vpc(facts, plan)
    laid = []
    for kind, head, lines in boxes:
        rows = []
        for style, text in lines:
            rows.extend((style, part) for part in _wrap(text, BOX_WIDTH - 20))
        laid.append((kind, head, rows))
    height = TOP + max(40 + LINE * len(rows) for _kind, _head, rows in laid) + MARGIN + 40
    width = MARGIN * 2 + len(laid) * BOX_WIDTH + (len(laid) - 1) * GAP
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img">' % (width, height, width, height),
           '<title>%s</title>' % escape(title), '<style>%s</style>' % _STYLE,
           '<text class="title" x="%d" y="30">%s</text>' % (MARGIN, escape(title))]
    box_height = height - TOP - MARGIN - 40
    for index, (kind, head, rows) in enumerate(laid):
        x = MARGIN + index * (BOX_WIDTH + GAP)
        out.append('<rect class="%s" x="%d" y="%d" width="%d" height="%d" rx="8"/>' % (kind, x, TOP, BOX_WIDTH, box_height))
        out.append('<text class="head" x="%d" y="%d">%s</text>' % (x + 10, TOP + 22, escape(head)))
        for row, (style, text) in enumerate(rows):
            attribute = ' class="%s"' % style if style else ""
            out.append('<text%s x="%d" y="%d">%s</text>' % (attribute, x + 10, TOP + 44 + row * LINE, escape(text)))
        if index < len(laid) - 1:
            y = TOP + 60
            out.append('<line x1="%d" y1="%d" x2="%d" y2="%d"/>' % (x + BOX_WIDTH, y, x + BOX_WIDTH + GAP, y))
            for part, text in enumerate(_wrap(links[index], GAP - 4)):
                out.append('<text class="link" x="%d" y="%d">%s</text>' % (x + BOX_WIDTH + 4, y - 8 - 14 * (len(_wrap(links[index], GAP - 4)) - 1 - part),
                                                                           escape(text)))
    out.append('<text class="link" x="%d" y="%d">%s</text>' % (
        MARGIN, height - MARGIN, escape(legend)))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def from_routes_fact(fact):
    """(title, facts, plan) of the fact registry_routes (a VPC source) or data_center_routes (a data center)."""
    plan = fact.get("plan") or {}
    if "inputs" in fact:  # registry_routes
        inputs = fact["inputs"]
        source = dict(inputs.get("source") or {}, kind="vpc")
        source.setdefault("next_hop_id", source.get("attachment_id"))
        facts = {"source": source, "registry_vpc": inputs.get("registry_vpc") or {}, "endpoints": inputs.get("endpoints") or {}}
        title = "Cross-region access: %s (%s) pulls from the registry in %s" % (
            source.get("vpc_id"), source.get("region"), facts["registry_vpc"].get("region"))
    else:  # data_center_routes
        source = fact.get("source") or {}
        facts = {"source": dict(source, kind="data_center"), "registry_vpc": fact.get("registry_vpc") or {},
                 "endpoints": fact.get("endpoints") or {}}
        title = "Data-center access (%s): %s pulls from the registry in %s" % (
            (source.get("connection") or {}).get("type"), ", ".join(source.get("cidr_blocks") or []), facts["registry_vpc"].get("region"))
    return title, facts, plan


def routes_fact_svg(fact, title=None):
    """The SVG of the run a main playbook just made, from its fact registry_routes or data_center_routes."""
    default_title, facts, plan = from_routes_fact(fact)
    return render(title or default_title, facts, plan, legend="Blue: the routes this run's access plan made.")
