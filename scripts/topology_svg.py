"""The topology pictures of the docs site: each scenario's example drawn by the collection's own module_utils/topology.py.

Standard library only. The pictures of the docs site are drawn from the output of the collection's own pure plan
(plugins/module_utils/plan.py build_plan) for the example topology of each scenario (SCENARIOS below: the seed
topology of the cloud twin with neutral ids), so a change of the plan's rules changes the pictures: docs and code
cannot drift.

Usage (make docs): python scripts/topology_svg.py OUTDIR   -> OUTDIR/<scenario>.svg and OUTDIR/<scenario>-routes.rst
"""

import copy
import os
import sys

# ---------------------------------------------------------------- the plan, imported from the collection tree


def _collections_root():
    """The directory holding ansible_collections/: the tree this file is in (build/...), else the repository's build/."""
    here = os.path.dirname(os.path.abspath(__file__))
    path = here
    while os.path.dirname(path) != path:
        if os.path.basename(path) == "ansible_collections":
            return os.path.dirname(path)
        path = os.path.dirname(path)
    return os.path.join(os.path.dirname(here), "build")


def module_utils(name):
    """A pure module of plugins/module_utils (plan, client_verify), imported as the collection's own module.

    The repository root is not at an ansible_collections/<ns>/<name>/ path: `make collection` mirrors it into build/,
    which is where the collection's absolute imports resolve.
    """
    root = _collections_root()
    if root not in sys.path:
        sys.path.insert(0, root)
    module = __import__("ansible_collections.alicloud.acr_access.plugins.module_utils." + name, fromlist=[name])
    return module


# ---------------------------------------------------------------- the example topology of each scenario

# The seed topology (the console guide's example): the registry in cn-hangzhou (VPC 10.0.0.0/16, the instance's VPC
# endpoint 10.94.205.198, the auth service 100.103.7.181, OSS 100.118.28.43), the source VPC in cn-shanghai
# (172.16.0.0/16), or the data center 192.168.0.0/24. Neutral example ids in the cloud's format.
REGISTRY_DOMAIN = "example-registry-vpc.cn-hangzhou.cr.aliyuncs.com"
AUTH_DOMAIN = "dockerauth-vpc.cn-hangzhou.aliyuncs.com"
OSS_DOMAIN = "oss-cn-hangzhou-internal.aliyuncs.com"
SOURCE_ATTACHMENT = "tr-attach-uf6example00000001"
REGISTRY_ATTACHMENT = "tr-attach-bp1example00000001"
ECS = "i-bp1example0000000000001"
VPN_GATEWAY = "vpn-bp1example000000001"
IPSEC = "vco-bp1example000000001"

_REGISTRY_VPC = {
    "region": "cn-hangzhou", "vpc_id": "vpc-bp1example000000000001", "route_table_id": "vtb-bp1example000000000001",
    "cidr_blocks": ["10.0.0.0/16"], "vswitch_cidr_blocks": ["10.0.0.0/24", "10.0.1.0/24"], "next_hop_instance_id": ECS,
    "existing_routes": [{"destination_cidr_block": "100.64.0.0/10", "next_hop_type": "service", "type": "System"}],
}
_ENDPOINTS = {
    "registry": {"domain": REGISTRY_DOMAIN, "addresses": ["10.94.205.198"]},
    "auth": {"domain": AUTH_DOMAIN, "addresses": ["100.103.7.181"], "takeover": False},
    "oss": {"domain": OSS_DOMAIN, "addresses": ["100.118.28.43"]},
}
_DATA_CENTER = {"kind": "data_center", "cidr_blocks": ["192.168.0.0/24"], "on_premises": {"via": "192.168.0.1", "dev": "vti0"}}

# name -> (title, build_plan keyword arguments)
SCENARIOS = {
    "cross_region": ("Cross-region: a VPC in cn-shanghai pulls from the registry in cn-hangzhou", {
        "source": {
            "kind": "vpc", "region": "cn-shanghai", "vpc_id": "vpc-uf6example000000000001", "route_table_id": "vtb-uf6example000000000001",
            "cidr_blocks": ["172.16.0.0/16"], "next_hop_type": "Attachment", "next_hop_id": SOURCE_ATTACHMENT,
            "existing_routes": [
                {"destination_cidr_block": "100.64.0.0/10", "next_hop_type": "service", "type": "System"},
                {"destination_cidr_block": "10.0.0.0/16", "next_hop_type": "Attachment", "next_hop_id": SOURCE_ATTACHMENT, "type": "Custom"},
            ],
        },
        "registry_vpc": _REGISTRY_VPC, "endpoints": _ENDPOINTS,
        # step 1 (cen_connect) routed the registry VPC's CIDR block to the transit router already
        "reachable_cidrs": ["10.0.0.0/16"],
    }),
    "data_center_vpn_gateway": ("Data center through an IPsec connection on a VPN gateway in the registry VPC", {
        "source": dict(_DATA_CENTER, connection={"type": "vpn_gateway", "vpn_gateway_id": VPN_GATEWAY, "ipsec_connection_id": IPSEC}),
        "registry_vpc": _REGISTRY_VPC, "endpoints": _ENDPOINTS,
    }),
    "data_center_transit_router": ("Data center through its IPsec connection or VBR on the transit router", {
        "source": dict(_DATA_CENTER, connection={"type": "transit_router", "transit_router_attachment_id": REGISTRY_ATTACHMENT}),
        "registry_vpc": _REGISTRY_VPC, "endpoints": _ENDPOINTS,
    }),
}


def scenario_plan(name):
    """(title, facts, plan) of an example scenario: the plan as the collection's build_plan makes it."""
    title, facts = SCENARIOS[name]
    facts = copy.deepcopy(facts)
    return title, facts, module_utils("plan").build_plan(**copy.deepcopy(facts))


def planned_destinations(plan):
    """Every destination the plan routes, in any table: what the picture must name."""
    found = [r["destination_cidr_block"] for key in ("source_routes", "registry_routes") for r in plan.get(key) or []]
    found += [r["destination"] for key in ("on_premises_routes", "vpn_routes") for r in plan.get(key) or []]
    return found


# ---------------------------------------------------------------- the picture (the collection's module_utils/topology.py)


def render(title, facts, plan):
    return module_utils("topology").render(title, facts, plan)


# ---------------------------------------------------------------- the route tables next to the picture


def _rst_table(header, rows):
    widths = [max(len(str(row[i])) for row in [header] + rows) for i in range(len(header))]
    rule = " ".join("=" * width for width in widths)
    lines = [rule, " ".join(str(value).ljust(widths[i]) for i, value in enumerate(header)).rstrip(), rule]
    lines += [" ".join(str(value).ljust(widths[i]) for i, value in enumerate(row)).rstrip() for row in rows]
    return lines + [rule]


def routes_rst(plan):
    """The plan's routes as reStructuredText tables (destination, next hop, why), one per route table."""
    out = []
    tables = (
        ("source_routes", "The source VPC's route table", lambda r: (r["destination_cidr_block"], "%s %s" % (r["next_hop_type"], r["next_hop_id"]))),
        ("on_premises_routes", "The data center's gateway", lambda r: (r["destination"], " ".join(
            p for p in ("via %s" % r["via"] if r.get("via") else "", "dev %s" % r["dev"] if r.get("dev") else "") if p))),
        ("vpn_routes", "The VPN gateway (destination routes, published to the registry VPC)", lambda r: (r["destination"], r["next_hop"])),
        ("registry_routes", "The registry VPC's route table", lambda r: (
            r["destination_cidr_block"], "%s %s%s" % (r["next_hop_type"], r["next_hop_id"], ", advertised" if r.get("advertise") else ""))),
    )
    for key, caption, columns in tables:
        routes = plan.get(key) or []
        if not routes:
            continue
        out += ["**%s**" % caption, ""]
        out += _rst_table(["destination", "next hop", "why"], [list(columns(r)) + [r["reason"].replace("*", "\\*")] for r in routes])
        out.append("")
    findings = plan.get("findings") or []
    out += ["**Findings of this topology**: %s" % (", ".join("``%s`` (%s)" % (f["code"], f["severity"]) for f in findings) or "none"), ""]
    return "\n".join(out)


def write_all(outdir):
    """Every scenario's SVG and route tables into outdir; the file names written."""
    os.makedirs(outdir, exist_ok=True)
    written = []
    for name in SCENARIOS:
        title, facts, plan = scenario_plan(name)
        for suffix, text in ((".svg", render(title, facts, plan)), ("-routes.rst", routes_rst(plan))):
            path = os.path.join(outdir, name + suffix)
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
            written.append(path)
    return written


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: %s OUTDIR\n" % argv[0])
        return 2
    for path in write_all(argv[1]):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
