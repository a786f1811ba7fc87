"""The network twin's layout: which namespaces, links and addresses stand for the cloud's VPCs, transit routers,
cloud services and ECS instances. Pure data (a JSON-able dict, saved in state.json), derived from ``/_twin/state``.

Namespaces (names are ``<prefix>-...``; interface names are local to each namespace, so they stay short):

- one VPC router per VPC: a bridge ``vswN`` per vSwitch (the vSwitch gateway, .253 of a /24, is its address), a link
  ``tr0`` to its region's transit router namespace, and for the registry's VPC a link ``svc0`` to the services;
- one transit router per region: links ``vN`` to each VPC router of the region and ``pN`` to every other region's
  transit router (the backbone: links always exist, only routes decide);
- one services namespace for the registry's region: the registry VPC endpoint, auth and OSS addresses on ``lo``;
- one namespace per host (an ECS instance or a plain host of a vSwitch): ``eth0`` enslaved to its vSwitch's bridge;
- with a data center: its gateway host (``idc-gateway``: a router reached over ssh like the others, holding the data
  center's LAN bridge ``lan0``) and its servers (``idc-client``: ``eth0`` on that bridge). The gateway has two "tunnel"
  links, both always present: ``vpn0`` to the registry VPC's router (the VPN gateway in that VPC, option 1) and
  ``tr0`` to the registry region's transit router (an IPsec connection or VBR attached to it, option 2). Which one
  carries traffic is decided by routes only: the cloud side's from the cloud twin's state, the gateway's own ones
  by whatever was applied on it (the collection's on-premises routes), never by the reconciler.

Every address is added with ``noprefixroute`` and every next hop is ``onlink``: no route exists that the
reconciler did not write.
"""

import ipaddress

from acr_twin.products.privatelink import FIRST_HOST_INDEX as PRIVATELINK_FIRST_HOST_INDEX

REGISTRY_DOMAIN = "acr-twin-registry-vpc.cn-hangzhou.cr.aliyuncs.com"
AUTH_DOMAIN = "dockerauth-vpc.cn-hangzhou.aliyuncs.com"
OSS_DOMAIN = "oss-cn-hangzhou-internal.aliyuncs.com"
AUTH_IP = "100.103.7.181"
OSS_IP = "100.118.28.43"

# Fixed policy-routing table numbers: a VPC router looks up vSwitch N's table in VSWITCH_TABLE + N; a transit
# router looks up the table of VPC link N in VPC_LINK_TABLE + N and of peer link N in PEER_LINK_TABLE + N.
VSWITCH_TABLE = 100
VPC_LINK_TABLE = 10
PEER_LINK_TABLE = 200
DATA_CENTER_LINK_TABLE = 250  # a transit router's table for traffic arriving from the data center's link

# The data center: its LAN, its gateway's address on it, and its hosts (asked for with NetTwin(data_center=True)).
DATA_CENTER_CIDR = "192.168.0.0/24"
DATA_CENTER_GATEWAY_IP = "192.168.0.254"
DATA_CENTER_HOSTS = {
    "idc-gateway": {"data_center": True, "ip": DATA_CENTER_GATEWAY_IP, "user": "root", "group": "onprem_gateway", "forward": True,
                    "gateway": True},
    "idc-client": {"data_center": True, "ip": "192.168.0.1", "user": "acrops", "group": "data_center_clients", "engines": True},
}

# The hosts the tests ask for: name -> the ECS instance it is (or None: a plain host at that address).
SEED_HOSTS = {
    "shanghai-client": {"instance": "i-uf6twin0000000000001", "user": "acrops", "group": "registry_clients", "engines": True},
    "hangzhou-probe": {"instance": "i-bp1twin0000000000001", "user": "root", "group": "registry_probe", "forward": True,
                       "registry_names": True},
}
BIND_HOSTS_CLIENT = {"shanghai-client2": {"vpc": "vpc-uf6twin0000000000001", "vswitch": "vsw-uf6twin00000000000m1", "ip": "172.16.0.2",
                                          "user": "acrops", "group": "registry_clients", "bind_hosts": True}}


# The bulk clients of NetTwin(clients=N) (benchmark P3): plain hosts of the source VPC's first vSwitch, from its
# CLIENTS_FIRST_INDEX-th address on (after the seed's clients at .1 and .2), reached as root (no become: the same for
# every playbook that runs on them), podman only (daemonless: no dockerd per host, see docs/performance.md).
CLIENTS_VPC, CLIENTS_VSWITCH = "vpc-uf6twin0000000000001", "vsw-uf6twin00000000000m1"
CLIENTS_FIRST_INDEX = 10
CLIENT_NAME = "client-%03d"


def client_hosts(state, count):
    """{name: spec} of ``count`` bulk client hosts (group registry_clients) with addresses of the source vSwitch."""
    if count <= 0:
        return {}
    cidr = state["vswitches"][CLIENTS_VSWITCH]["CidrBlock"]
    network = ipaddress.ip_network(cidr)
    gateway = ipaddress.ip_address(gateway_of(cidr))
    usable = [a for a in network.hosts() if int(a) - int(network.network_address) >= CLIENTS_FIRST_INDEX and a != gateway]
    if count > len(usable):
        raise ValueError("clients=%d: the vSwitch %s (%s) has %d addresses from .%d on" % (
            count, CLIENTS_VSWITCH, cidr, len(usable), CLIENTS_FIRST_INDEX))
    return dict((CLIENT_NAME % (n + 1), {"vpc": CLIENTS_VPC, "vswitch": CLIENTS_VSWITCH, "ip": str(usable[n]), "user": "root",
                                         "group": "registry_clients", "routes_once": True})
                for n in range(count))


def _link_pair(block, index):
    """The two addresses of the index-th /30 in 169.254.<block>.0/24: (a, b)."""
    base = 4 * index
    return "169.254.%d.%d" % (block, base + 1), "169.254.%d.%d" % (block, base + 2)


def gateway_of(cidr):
    """The vSwitch gateway, as the cloud reserves it: the address 2 below the broadcast (x.x.x.253 of a /24)."""
    network = ipaddress.ip_network(cidr)
    return str(network.broadcast_address - 2)


def build(prefix, state, hosts=None, services=None):
    """``state``: the JSON of /_twin/state. ``hosts``: {name: spec} (SEED_HOSTS by default). ``services``: overrides of
    the services' addresses/domains. Returns the topology dict."""
    hosts = dict(SEED_HOSTS if hosts is None else hosts)
    vpcs, regions = {}, {}
    for index, (vpc_id, vpc) in enumerate(sorted(state["vpcs"].items())):
        region = vpc["RegionId"]
        regions.setdefault(region, {"ns": "%s-tr%d" % (prefix, len(regions)), "vpc_links": {}, "peers": {}})
        vswitches = sorted((v for v in state["vswitches"].values() if v["VpcId"] == vpc_id), key=lambda v: v["VSwitchId"])
        link_index = len(regions[region]["vpc_links"])
        router_addr, tr_addr = _link_pair(1, index)
        regions[region]["vpc_links"][vpc_id] = {"dev": "v%d" % link_index, "addr": tr_addr, "peer_addr": router_addr,
                                                "table": VPC_LINK_TABLE + link_index}
        vpcs[vpc_id] = {
            "ns": "%s-vpc%d" % (prefix, index), "region": region, "tr_dev": "tr0", "tr_addr": router_addr, "tr_peer_addr": tr_addr,
            "vswitches": dict((v["VSwitchId"], {"dev": "vsw%d" % n, "cidr": v["CidrBlock"], "gateway": gateway_of(v["CidrBlock"]),
                                                "table": VSWITCH_TABLE + n}) for n, v in enumerate(vswitches)),
        }
    names = sorted(regions)
    pair_index = 0
    for i, left in enumerate(names):
        for right in names[i + 1:]:
            a, b = _link_pair(2, pair_index)
            n_left, n_right = len(regions[left]["peers"]), len(regions[right]["peers"])
            regions[left]["peers"][right] = {"dev": "p%d" % n_left, "addr": a, "peer_addr": b, "table": PEER_LINK_TABLE + n_left}
            regions[right]["peers"][left] = {"dev": "p%d" % n_right, "addr": b, "peer_addr": a, "table": PEER_LINK_TABLE + n_right}
            pair_index += 1
    topology = {"prefix": prefix, "vpcs": vpcs, "regions": regions, "hosts": {}, "services": _services(prefix, state, vpcs, services or {})}
    for name, spec in sorted(hosts.items()):
        topology["hosts"][name] = _host(prefix, name, spec, state, vpcs, len(topology["hosts"]))
    topology["data_center"] = _data_center(state, topology)
    return topology


def _data_center(state, topology):
    """The data center's links to the registry's region, when the hosts include its gateway: the VPN gateway of the
    registry VPC (option 1) and what can be attached to the region's transit router (option 2)."""
    gateway = next((h for h in topology["hosts"].values() if h.get("gateway_host")), None)
    services = topology.get("services")
    if gateway is None or services is None:
        return None
    vpc_id, region = services["vpc"], services["region"]
    vpn_gateway = next((g["VpnGatewayId"] for g in sorted(state.get("vpn_gateways", {}).values(), key=lambda g: g["VpnGatewayId"])
                        if g["VpcId"] == vpc_id), None)
    attachable = sorted([c["VpnConnectionId"] for c in state.get("vpn_connections", {}).values()
                         if c.get("AttachType") == "CEN" and c.get("RegionId") == region]
                        + [v["VbrId"] for v in state.get("virtual_border_routers", {}).values() if v.get("RegionId") == region])
    vpn_vpc_addr, vpn_addr = _link_pair(4, 0)
    tr_addr, gw_tr_addr = _link_pair(4, 1)
    return {
        "cidr": DATA_CENTER_CIDR, "gateway_host": gateway["name"], "ns": gateway["ns"], "lan_dev": "lan0",
        "lan_addr": DATA_CENTER_GATEWAY_IP,
        # option 1: the registry VPC's router <-> the gateway; routes published by the VPN gateway lead here
        "vpn": {"vpn_gateway": vpn_gateway, "vpc": vpc_id, "vpc_dev": "idc0", "vpc_addr": vpn_vpc_addr, "dev": "vpn0", "addr": vpn_addr},
        # option 2: the region's transit router <-> the gateway; the attachments of these resources arrive here
        "tr": {"region": region, "tr_dev": "idc0", "tr_addr": tr_addr, "dev": "tr0", "addr": gw_tr_addr, "resources": attachable,
               "table": DATA_CENTER_LINK_TABLE},
    }


def _services(prefix, state, vpcs, overrides):
    """The registry's region: its VPC endpoint address (the linked VPC's Ip in the CR state), auth and OSS."""
    links = [link for link in state.get("cr_linked_vpcs", {}).values() if link.get("Ip") and link["VpcId"] in vpcs]
    if not links:
        return None
    link = sorted(links, key=lambda link: link["InstanceId"])[0]
    instance = state["cr_instances"][link["InstanceId"]]
    vpc_addr, svc_addr = _link_pair(3, 0)
    services = {
        "ns": "%s-svc" % prefix, "instance": link["InstanceId"], "vpc": link["VpcId"], "region": vpcs[link["VpcId"]]["region"],
        "vpc_dev": "svc0", "vpc_addr": vpc_addr, "dev": "vpc0", "addr": svc_addr,
        "registry_ip": link["Ip"], "registry_domain": "%s-registry-vpc.%s.cr.aliyuncs.com" % (instance["InstanceName"], instance["RegionId"]),
        "auth_ip": AUTH_IP, "auth_domain": "dockerauth-vpc.%s.aliyuncs.com" % instance["RegionId"],
        "oss_ip": OSS_IP, "oss_domain": "oss-%s-internal.aliyuncs.com" % instance["RegionId"],
    }
    # The addresses the twin gives the first PrivateLink endpoint of the OSS service in each vSwitch of the registry's VPC:
    # the OSS host answers there too, and the VPC routes them to the services only while such an endpoint is Active.
    services["privatelink_oss_ips"] = sorted(
        str(list(ipaddress.ip_network(v["CidrBlock"]).hosts())[PRIVATELINK_FIRST_HOST_INDEX])
        for v in state["vswitches"].values() if v["VpcId"] == link["VpcId"])
    services.update(overrides)
    services["addresses"] = [services["registry_ip"], services["auth_ip"], services["oss_ip"]] + services["privatelink_oss_ips"]
    return services


def _host(prefix, name, spec, state, vpcs, index):
    if spec.get("data_center"):
        # A data-center machine: on the LAN bridge of the gateway host, which routes for it (the gateway's own
        # namespace holds the bridge, so the gateway has no "eth0" and no default route of the reconciler's).
        return {
            "ns": "%s-h%d" % (prefix, index), "name": name, "instance": None, "vpc": None, "vswitch": None, "ip": spec["ip"],
            "cidr": DATA_CENTER_CIDR, "gateway": DATA_CENTER_GATEWAY_IP, "dev": "lan0" if spec.get("gateway") else "eth0",
            "router_dev": "h%d" % index, "user": spec.get("user", "root"), "group": spec.get("group", "ungrouped"),
            "forward": bool(spec.get("forward")), "engines": bool(spec.get("engines")), "bind_hosts": False, "registry_names": False,
            "data_center": True, "gateway_host": bool(spec.get("gateway")),
        }
    if spec.get("instance"):
        instance = state["instances"][spec["instance"]]
        vpc_id, vswitch_id, ip = instance["VpcId"], instance["VSwitchId"], instance["PrivateIpAddress"]
    else:
        vpc_id, vswitch_id, ip = spec["vpc"], spec["vswitch"], spec["ip"]
    vswitch = vpcs[vpc_id]["vswitches"][vswitch_id]
    return {
        "ns": "%s-h%d" % (prefix, index), "name": name, "instance": spec.get("instance"), "vpc": vpc_id, "vswitch": vswitch_id,
        "ip": ip, "cidr": vswitch["cidr"], "gateway": vswitch["gateway"], "dev": "eth0", "router_dev": "h%d" % index,
        "user": spec.get("user", "root"), "group": spec.get("group", "ungrouped"), "forward": bool(spec.get("forward")),
        "engines": bool(spec.get("engines")), "bind_hosts": bool(spec.get("bind_hosts")), "registry_names": bool(spec.get("registry_names")),
        "routes_once": bool(spec.get("routes_once")),
    }


def namespaces(topology):
    """Every namespace of the topology, routers first (the order up() creates them in)."""
    found = [v["ns"] for v in topology["vpcs"].values()] + [r["ns"] for r in topology["regions"].values()]
    if topology.get("services"):
        found.append(topology["services"]["ns"])
    return found + [h["ns"] for h in topology["hosts"].values()]
