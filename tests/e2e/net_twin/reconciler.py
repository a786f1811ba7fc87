"""The reconciler: the only code that writes routes in the network twin.

One pass: read ``GET /_twin/network`` (network.forwarding of the cloud twin), compute every namespace's routing
tables, read what the kernel has, and apply only the differences with ``ip -n NS route replace / del``.
Anything the cloud's state does not route becomes an ``unreachable`` route: a connection fails at once with
"no route to host" instead of waiting for a timeout (the cloud would silently drop; tests want fast answers).
"""

import ipaddress
import json
import os
import subprocess
import time
import urllib.request

MAIN = "main"
EDGE_TYPES = ("VPN", "VBR")  # transit router attachments that lead out of the cloud, to a data center


def fetch_forwarding(twin_endpoint, timeout=5):
    url = twin_endpoint.rstrip("/")
    if "://" not in url:
        url = "http://" + url
    with urllib.request.urlopen(url + "/_twin/network", timeout=timeout) as answer:
        return json.loads(answer.read().decode("utf-8"))


def _net(cidr):
    return str(ipaddress.ip_network(cidr, strict=False))


def _route(cidr, via=None, dev=None, kind="unicast"):
    """A route as (destination, type, gateway, device): the form both desired and kernel routes are compared in."""
    return (_net(cidr), kind, via, dev)


def _unreachable(cidr):
    return _route(cidr, kind="unreachable")


def _put(table, route):
    """First route for a prefix wins (a table has one route per prefix)."""
    table.setdefault(route[0], route)


# -- desired state ------------------------------------------------------------------------------------------------
def desired(topology, forwarding):
    """{namespace: {table: {destination: route}}} for every namespace of the topology."""
    result = {}
    hosts_by_instance = dict((h["instance"], h) for h in topology["hosts"].values() if h.get("instance"))
    services = topology.get("services")
    for vpc_id, vpc in topology["vpcs"].items():
        state = forwarding["vpcs"].get(vpc_id)
        tables = {MAIN: {}}
        if state is not None:
            for route in state["routes"]:
                _put(tables[MAIN], _vpc_route(topology, vpc_id, vpc, route, hosts_by_instance, services))
            by_id = dict((v["id"], v) for v in state["vswitches"])
            for vsw_id, vsw in vpc["vswitches"].items():
                table = tables.setdefault(str(vsw["table"]), {})
                source = by_id.get(vsw_id)
                for route in state["route_tables"].get(source["route_table"], []) if source else []:
                    _put(table, _vpc_route(topology, vpc_id, vpc, route, hosts_by_instance, services))
            # Traffic from the data center's tunnel enters where the VPN gateway sits: its vSwitch uses the system
            # table, i.e. the main table here (the VPN gateway's own destination routes only choose the tunnel).
        for vsw in vpc["vswitches"].values():
            tables.setdefault(str(vsw["table"]), {})
        for table in tables.values():
            _put(table, _unreachable("0.0.0.0/0"))
        result[vpc["ns"]] = tables
    for region, router in topology["regions"].items():
        result[router["ns"]] = _transit_router_tables(topology, region, router, forwarding)
    if services:
        result[services["ns"]] = {MAIN: {"0.0.0.0/0": _route("0.0.0.0/0", services["vpc_addr"], services["dev"])}}
    for host in topology["hosts"].values():
        if host.get("gateway_host"):
            continue  # the data center's gateway: its routes are applied on it, as on premises, never by the cloud's state
        result[host["ns"]] = {MAIN: dict((r[0], r) for r in (_route(host["cidr"], dev=host["dev"]),
                                                             _route("0.0.0.0/0", host["gateway"], host["dev"])))}
    return result


def _vpc_route(topology, vpc_id, vpc, route, hosts_by_instance, services):
    cidr, kind = route["cidr"], route["kind"]
    if kind == "local":
        vsw = vpc["vswitches"].get(route["target"])
        return _route(cidr, dev=vsw["dev"]) if vsw else _unreachable(cidr)
    if kind in ("service", "endpoint"):
        # The region's cloud services (and the registry endpoint ENI) live in the services namespace, linked to the
        # registry's VPC only; any other VPC's service routes lead nowhere in the twin.
        if services and services["vpc"] == vpc_id:
            return _route(cidr, services["addr"], services["vpc_dev"])
        return _unreachable(cidr)
    if kind == "instance":
        host = hosts_by_instance.get(route["target"])
        if host and host["vpc"] == vpc_id:
            return _route(cidr, host["ip"], vpc["vswitches"][host["vswitch"]]["dev"])
        return _unreachable(cidr)
    if kind == "attachment" and route.get("usable"):
        return _route(cidr, vpc["tr_peer_addr"], vpc["tr_dev"])
    if kind == "vpn":
        # A destination route the VPN gateway published to the VPC: into the data center's tunnel when that gateway
        # is the one the data center's link stands for.
        link = (topology.get("data_center") or {}).get("vpn") or {}
        if link.get("vpn_gateway") == route["target"] and link.get("vpc") == vpc_id:
            return _route(cidr, link["addr"], link["vpc_dev"])
    return _unreachable(cidr)


def _transit_router_tables(topology, region, router, forwarding):
    tables = {MAIN: {}}
    region_of_tr = dict((tr_id, tr["region"]) for tr_id, tr in forwarding["transit_routers"].items())
    ingress_by_vpc, ingress_by_peer_region, ingress_by_edge = {}, {}, {}
    for tr_id, tr in sorted(forwarding["transit_routers"].items()):
        if tr["region"] != region or tr["status"] != "Active":
            continue
        for _attachment_id, ingress in sorted(tr["ingress"].items()):
            if ingress["type"] == "VPC":
                ingress_by_vpc.setdefault(ingress["resource"], ingress)
            elif ingress["type"] in EDGE_TYPES:
                ingress_by_edge.setdefault(ingress["resource"], ingress)
            else:
                ingress_by_peer_region.setdefault(region_of_tr.get(ingress["resource"]), ingress)
    for vpc_id, link in router["vpc_links"].items():
        tables[str(link["table"])] = _ingress_table(topology, region, router, ingress_by_vpc.get(vpc_id), region_of_tr, forwarding)
    for peer_region, link in router["peers"].items():
        tables[str(link["table"])] = _ingress_table(topology, region, router, ingress_by_peer_region.get(peer_region), region_of_tr,
                                                    forwarding)
    edge = _edge_link(topology, region)
    if edge:
        # The data center's link carries whichever of its attachments (IPsec connection or VBR) exists; the first one wins.
        ingress = next((ingress_by_edge[r] for r in edge["resources"] if r in ingress_by_edge), None)
        tables[str(edge["table"])] = _ingress_table(topology, region, router, ingress, region_of_tr, forwarding)
    for table in tables.values():
        _put(table, _unreachable("0.0.0.0/0"))
    return tables


def _ingress_table(topology, region, router, ingress, region_of_tr, forwarding):
    table = {}
    if ingress is None or not ingress.get("route_table"):
        return table  # no association: everything arriving over this attachment is dropped
    edge = _edge_link(topology, region)
    for route in ingress["routes"]:
        nxt = route["next"]
        if nxt["type"] in EDGE_TYPES:
            usable = edge and nxt["id"] in edge["resources"]
            _put(table, _route(route["cidr"], edge["addr"], edge["tr_dev"]) if usable else _unreachable(route["cidr"]))
        elif nxt["type"] == "VPC":
            link = router["vpc_links"].get(nxt["id"])
            _put(table, _route(route["cidr"], link["peer_addr"], link["dev"]) if link else _unreachable(route["cidr"]))
        else:
            peer_tr = forwarding["transit_routers"].get(nxt["id"])
            link = router["peers"].get(region_of_tr.get(nxt["id"]))
            usable = link and peer_tr and peer_tr["status"] == "Active"
            _put(table, _route(route["cidr"], link["peer_addr"], link["dev"]) if usable else _unreachable(route["cidr"]))
    return table


def _edge_link(topology, region):
    """The data center's link to this region's transit router (option 2), if the topology has one."""
    link = (topology.get("data_center") or {}).get("tr")
    return link if link and link["region"] == region else None


# -- the kernel's state -----------------------------------------------------------------------------------------
def _ip(*argv, check=True, stdin=None):
    done = subprocess.run(("ip",) + argv, input=stdin, capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise RuntimeError("ip %s: %s" % (" ".join(argv), done.stderr.strip()))
    return done


def actual(namespace, tables):
    """{table: {destination: route}} of the managed tables of ``namespace`` (IPv4)."""
    done = _ip("-4", "-j", "-n", namespace, "route", "show", "table", "all")
    found = dict((t, {}) for t in tables)
    for item in json.loads(done.stdout or "[]"):
        table = str(item.get("table", MAIN))
        if table not in found:
            continue
        dst = item.get("dst", "")
        dst = "0.0.0.0/0" if dst == "default" else (dst if "/" in dst else dst + "/32")
        found[table][_net(dst)] = (_net(dst), item.get("type", "unicast"), item.get("gateway"), item.get("dev"))
    return found


def _command(verb, route, table):
    dst, kind, via, dev = route
    words = ["route", verb]
    if verb == "replace" and kind != "unicast":
        words.append(kind)
    words.append(dst)
    if verb == "replace":
        if via:
            words += ["via", via]
        if dev:
            words += ["dev", dev]
        if via:
            words.append("onlink")
    words += ["table", table]
    return " ".join(words)


def plan(want, have):
    """The ``ip -batch`` lines that turn ``have`` into ``want`` for one namespace (deletions first)."""
    lines = []
    for table, routes in sorted(have.items()):
        for dst, route in sorted(routes.items()):
            if dst not in want.get(table, {}):
                lines.append(_command("del", route, table))
    for table, routes in sorted(want.items()):
        for dst, route in sorted(routes.items()):
            if have.get(table, {}).get(dst) != route:
                lines.append(_command("replace", route, table))
    return lines


def reconcile_once(topology, twin_endpoint, forwarding=None, skip=()):
    """One pass; returns {namespace: [applied lines]} (empty lists when nothing changed). ``skip``: namespaces left out."""
    forwarding = forwarding if forwarding is not None else fetch_forwarding(twin_endpoint)
    changes = {}
    for namespace, want in desired(topology, forwarding).items():
        if namespace in skip:
            continue
        lines = plan(want, actual(namespace, want))
        if lines:
            # -force: one failing line (a route that vanished meanwhile) must not stop the others; the next pass retries
            _ip("-n", namespace, "-force", "-batch", "-", stdin="\n".join(lines) + "\n", check=False)
        changes[namespace] = lines
    return changes


# A host's own routes (its vSwitch and the default route to the gateway) never follow the cloud's state. The bulk clients
# of NetTwin(clients=N) (routes_once) are checked on every ROUTES_ONCE_EVERY-th pass only: reading the routes of 100
# namespaces every 0.3 s would be 300 `ip` processes a second on the machine the benchmark measures.
ROUTES_ONCE_EVERY = 30


def loop(topology, twin_endpoint, state_path, interval=0.3, log=None):
    """Reconcile every ``interval`` seconds until ``state_path`` disappears (down() removes it) or SIGTERM."""
    static = set(h["ns"] for h in topology["hosts"].values() if h.get("routes_once"))
    passes = 0
    while os.path.exists(state_path):
        started = time.monotonic()
        passes += 1
        try:
            changes = reconcile_once(topology, twin_endpoint, skip=static if passes % ROUTES_ONCE_EVERY else ())
            if log:
                for namespace, lines in changes.items():
                    for line in lines:
                        log("%s %s" % (namespace, line))
        except Exception as err:  # the twin restarting or a namespace going away: try again next time
            if log:
                log("reconcile failed: %s" % err)
        time.sleep(max(0.0, interval - (time.monotonic() - started)))
