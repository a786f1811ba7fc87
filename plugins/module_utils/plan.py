# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The access plan: which routes, which /etc/hosts lines and which warnings a pull from another network needs.

PURE: facts in, plain data out. No I/O, no Ansible, standard library only (Python 3.8+), so that the rules can be
tested with tables and the plan can be shown before anything changes. The options of the ``registry_access_plan`` task
(its argument spec, as plain dicts) and their mapping to ``build_plan`` are at the end: the module and the action plugin of
that name (which computes the plan in the controller's process) share them.

The console procedure (Steps 2-4 and "Solutions to 100 CIDR block conflicts") in rules:

* Source side. Every address a pull needs (registry endpoint, auth service, OSS) gets a route to the source's next hop
  (the source VPC's transit router attachment, or a VPN gateway for a data center) unless the source already reaches
  it: an address inside ``reachable_cidrs`` or inside an existing route of the source table with the same next hop
  needs nothing. An existing route whose destination is exactly a planned one stays in the plan (marked
  ``already_present``) so that a re-run plans the same routes and ``state: absent`` can still find them.
* Auth: a /32 per address, none when the instance has taken over the auth domain; the auth domain then resolves
  to the registry address (hosts entries).
* OSS: ``vip_ranges`` (default) routes the region's published VIP ranges, because the OSS VIP moves within them;
  ``address`` routes the /32 that a ping returned (fragile: a warning). An address outside the published ranges gets
  its own /32 and a warning; a region without published ranges falls back to the /32s with a warning. ``privatelink``
  (the procedure's fix of an OSS conflict, made real): the addresses are those of a PrivateLink endpoint of the OSS
  service in the registry VPC, inside the VPC's own CIDR blocks; each gets a /32 like the registry address - no 100.x OSS
  target, no advertisement (the transit router learns the VPC's blocks from its attachment), no source route when the
  source already reaches the VPC (``reachable_cidrs``) - and the OSS domain (and the region's internal domain, when a
  bucket's is given) resolves to them through the hosts entries.
* Registry side. The transit router learns the registry VPC's own CIDR blocks from the VPC attachment. Everything
  else must be advertised from a route in the registry VPC: destinations inside the covering CIDR (100.0.0.0/8 by
  default) share one covering route to the given ECS instance; only a /32 or range outside the covering CIDR (and
  outside the VPC's CIDR blocks) needs a route of its own. Inside the registry VPC the covering route does not
  capture the traffic to the 100.x services: the system route 100.64.0.0/10 (next hop type ``service``) is more
  specific and still delivers it to the cloud services; the covering route exists to be advertised.
* The 100.x conflicts. The system route 100.64.0.0/10 that every VPC has for cloud services is not a conflict by
  itself: it is how the VPC reaches the auth service and OSS, a planned /32 or /24 in the source is more specific
  than it, and in the registry VPC it is what delivers the traffic. It is therefore ignored, as are routes with the
  plan's own next hop. A conflict is: the registry VPC's CIDR blocks or vSwitches overlapping the auth/OSS
  destinations or the route that carries them to the transit router (covering route); an existing route (another
  next hop) in the registry VPC or the source overlapping a planned destination or the covering route; the source
  network's own CIDR blocks (and its ``local`` system routes) overlapping a planned destination. Each is an error
  finding of the endpoint concerned, with the procedure's fix: auth-domain takeover for the auth service (with takeover
  on there is no auth route and no auth conflict), PrivateLink plus a CNAME for OSS.
* A data center as the source (``source.kind: data_center``). Its gateway gets the routes a VPC source would get (the same
  targets), into the tunnel: ``on_premises_routes`` with the gateway's ``via`` and/or ``dev``. The way back depends on the
  connection. ``vpn_gateway`` (an IPsec connection on a VPN gateway in the registry VPC): a destination route on the VPN
  gateway per data-center CIDR block to the IPsec connection, weight 100, published to the VPC (``vpn_routes``); nothing is
  advertised, since the traffic arrives inside the registry VPC, where the system route 100.64.0.0/10 delivers the cloud
  services, so no covering route either. ``transit_router`` (the data center's IPsec connection or VBR attached to the
  transit router of the registry's region): in the registry VPC a route per data-center CIDR block to the VPC's own
  attachment, plus the covering route advertised as above, so that the transit router sends the data center's 100.x
  traffic into the registry VPC (both in ``registry_routes``). Conflicts of the data center's CIDR blocks: overlapping the
  registry VPC (it delivers its own blocks locally), overlapping 100.64.0.0/10 (the cloud's service range), overlapping
  another known VPC (``other_vpcs``), a registry VPC route inside one of them to another next hop; overlapping a planned
  destination is the endpoint's conflict, as for a VPC source.
"""

from __future__ import annotations

import ipaddress
import re
from collections import OrderedDict, namedtuple

from . import oss as oss_table
from .errors import InputError

SOURCE_KINDS = ("vpc", "data_center")
CONNECTION_TYPES = ("vpn_gateway", "transit_router")
OSS_ROUTE_MODES = ("vip_ranges", "address", "privatelink")
ENDPOINT_KINDS = ("registry", "auth", "oss")
DEFAULT_COVERING_CIDR = "100.0.0.0/8"
DEFAULT_SOURCE_NEXT_HOP_TYPE = "Attachment"
REGISTRY_NEXT_HOP_TYPE = "Instance"
# The route entry a transit router connection needs in the registry VPC for a data-center CIDR: to the VPC's own attachment.
DATA_CENTER_NEXT_HOP_TYPE = "Attachment"
# The VPN gateway's destination route to the IPsec connection: the active route (weight 100, 0 is the standby) and published
# to the VPC, so that the registry VPC's route table sends the return traffic to the VPN gateway.
VPN_ROUTE_WEIGHT = 100
# The range every VPC reaches the cloud services in (its system route, next hop type service).
CLOUD_SERVICE_RANGE = ipaddress.ip_network("100.64.0.0/10")
_IFNAME = re.compile(r"^[^/\s:]{1,15}$")
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}

_AUTH_FIX = (
    "Turn on auth-domain takeover: in the Container Registry console open the Enterprise Edition instance, go to its "
    "Domain page and turn on 'Instance Taking over Authentication Domain Name' (the instance must first be added to the "
    "whitelist through a support ticket). Then set endpoints.auth.takeover to true: the auth domain resolves to the "
    "registry address and no 100.x auth route is needed."
)
_OSS_FIX = (
    "Access OSS through PrivateLink: an OSS endpoint in the registry VPC (module privatelink_vpc_endpoint; the role "
    "registry_routes makes it with registry_routes_oss_route_mode: privatelink) and oss_route_mode: privatelink with its "
    "addresses, so that no 100.x OSS route is needed and the OSS domain resolves to the endpoint through the hosts entries "
    "(or a CNAME record that points the OSS domain to the endpoint's domain)."
)
_REGISTRY_FIX = (
    "Link the instance's VPC endpoint to a vSwitch whose CIDR block does not overlap the source network (the endpoint "
    "address comes from that vSwitch), or change the overlapping CIDR block or route."
)

# code -> (severity, fix). The catalogue is also what accept_findings is checked against.
FINDINGS = OrderedDict([
    ("registry_address_conflict", ("error", _REGISTRY_FIX)),
    ("auth_address_conflict", ("error", _AUTH_FIX)),
    ("oss_address_conflict", ("error", _OSS_FIX)),
    ("oss_address_outside_vip_ranges", ("warning", "Check the OSS address and the published VIP ranges of the region "
                                                   "(oss_vip_ranges overrides the built-in table); the address got a /32 route.")),
    ("oss_address_mode", ("warning", "Use oss_route_mode: vip_ranges, which routes the published ranges the OSS VIP moves within.")),
    ("oss_vip_ranges_unknown", ("warning", "Give the region's published OSS VIP ranges in oss_vip_ranges; until then the "
                                           "OSS address got a /32 route, which breaks when the VIP moves.")),
    ("auth_domain_takeover", ("info", "Nothing to do: the auth domain resolves to the registry address.")),
    ("oss_privatelink", ("info", "Nothing to do: OSS is reached through the PrivateLink endpoint in the registry VPC, and its "
                                 "domain resolves to the endpoint's addresses through the hosts entries.")),
    ("data_center_registry_vpc_overlap", ("error", "Readdress the overlapping data-center network (or the registry VPC): the registry "
                                                   "VPC delivers its own CIDR blocks locally, so it can never send the answers "
                                                   "to those data-center addresses back into the tunnel.")),
    ("data_center_service_range_overlap", ("error", "Readdress the data-center network out of 100.64.0.0/10, or have the "
                                                    "on-premises gateway NAT it to addresses outside that range: the cloud uses "
                                                    "100.64.0.0/10 for its services (auth, OSS), so the registry VPC delivers "
                                                    "answers to those addresses to the cloud services, not to the tunnel.")),
    ("data_center_vpc_overlap", ("error", "Readdress the data-center network or the other VPC: the same CIDR block on both "
                                          "sides of the connection makes the routes to it ambiguous (the transit router or "
                                          "the VPC takes one of them).")),
    ("data_center_route_conflict", ("error", "Delete or change the registry VPC's route to the other next hop (or narrow the "
                                             "data-center CIDR block): while it is there, the answers to those data-center "
                                             "addresses do not go back into the connection.")),
    ("registry_address_outside_vpc", ("info", "Nothing to do if intended: the registry route advertised from the registry "
                                              "VPC makes the transit router learn the address.")),
])


class PlanError(InputError):
    """The input error of the plan, built from the field (``endpoints.auth.addresses[0]``) and the problem."""

    def __init__(self, field, problem):
        super(PlanError, self).__init__("%s: %s" % (field, problem), field=field)


# One destination a pull needs: kind registry|auth|oss, an IPv4Network, a human label and why it exists; in_vpc: it is an
# address of the registry VPC by design (a PrivateLink endpoint), so the VPC's own blocks around it are no conflict.
Target = namedtuple("Target", "kind network label why in_vpc", defaults=(False,))
# One existing route entry: destination (IPv4Network), role service|local|custom, next hops as {(type_lower, id)}.
ExistingRoute = namedtuple("ExistingRoute", "destination role hops text")


# ---------------------------------------------------------------- validation


def _mapping(value, field):
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PlanError(field, "expected a dictionary, got %s" % type(value).__name__)
    return value


def _list(value, field):
    if value is None:
        return []
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise PlanError(field, "expected a list, got %s" % type(value).__name__)
    return list(value)


def _text(value, field, required=False):
    if value is None or value == "":
        if required:
            raise PlanError(field, "required")
        return None
    if not isinstance(value, str):
        raise PlanError(field, "expected a string, got %s" % type(value).__name__)
    return value


def _network(value, field):
    try:
        network = ipaddress.ip_network(_text(value, field, required=True))
    except ValueError as error:
        raise PlanError(field, "invalid IPv4 CIDR block %r (%s)" % (value, error))
    if network.version != 4:
        raise PlanError(field, "invalid IPv4 CIDR block %r (IPv6 is not supported)" % (value,))
    return network


def _address(value, field):
    try:
        address = ipaddress.ip_address(_text(value, field, required=True))
    except ValueError:
        raise PlanError(field, "invalid IPv4 address %r" % (value,))
    if address.version != 4:
        raise PlanError(field, "invalid IPv4 address %r (IPv6 is not supported)" % (value,))
    return address


def _networks(values, field):
    """Sorted and de-duplicated, so that the input order never shows in the plan."""
    return sorted({_network(value, "%s[%d]" % (field, index)) for index, value in enumerate(_list(values, field))})


def _addresses(values, field):
    seen = []
    for index, value in enumerate(_list(values, field)):
        address = _address(value, "%s[%d]" % (field, index))
        if address not in seen:
            seen.append(address)
    return seen


def _hops(route, field):
    """{(type_lower, id)} from flat next_hop_type/next_hop_id or from vpc_info's next_hops list."""
    hops = set()
    if route.get("next_hop_type") or route.get("next_hop_id"):
        hops.add(((_text(route.get("next_hop_type"), field + ".next_hop_type") or "").lower(),
                  _text(route.get("next_hop_id"), field + ".next_hop_id") or ""))
    for index, hop in enumerate(_list(route.get("next_hops"), field + ".next_hops")):
        hop = _mapping(hop, "%s.next_hops[%d]" % (field, index))
        hops.add(((hop.get("next_hop_type") or "").lower(), hop.get("next_hop_id") or ""))
    return hops


def _existing_routes(values, field):
    routes = []
    for index, value in enumerate(_list(values, field)):
        item_field = "%s[%d]" % (field, index)
        route = _mapping(value, item_field)
        destination = _network(route.get("destination_cidr_block"), item_field + ".destination_cidr_block")
        hops = _hops(route, item_field)
        hop_types = {hop_type for hop_type, _hop_id in hops}
        if "service" in hop_types:
            role = "service"
        elif "local" in hop_types or (not hops and str(route.get("type", "")).lower() == "system"):
            role = "local"
        else:
            role = "custom"
        text = "%s (next hop %s)" % (destination, ", ".join(sorted("%s %s" % hop for hop in hops)) or "none")
        routes.append(ExistingRoute(destination, role, hops, text))
    return routes


def _parse_source(source):
    source = _mapping(source, "source")
    kind = _text(source.get("kind"), "source.kind") or "vpc"
    if kind not in SOURCE_KINDS:
        raise PlanError("source.kind", "expected one of %s, got %r" % (", ".join(SOURCE_KINDS), kind))
    if kind == "data_center":
        return _parse_data_center(source)
    for key in ("connection", "on_premises"):
        if source.get(key):
            raise PlanError("source.%s" % key, "only for source.kind data_center; a VPC source routes to source.next_hop_id")
    next_hop_type = _text(source.get("next_hop_type"), "source.next_hop_type") or DEFAULT_SOURCE_NEXT_HOP_TYPE
    return {
        "kind": kind,
        "cidr_blocks": _networks(source.get("cidr_blocks"), "source.cidr_blocks"),
        "next_hop_type": next_hop_type,
        "next_hop_id": _text(source.get("next_hop_id"), "source.next_hop_id", required=True),
        "existing_routes": _existing_routes(source.get("existing_routes"), "source.existing_routes"),
    }


def _parse_data_center(source):
    """A data center: its CIDR blocks, how it is connected (connection) and the on-premises next hop into the tunnel."""
    cidr_blocks = _networks(source.get("cidr_blocks"), "source.cidr_blocks")
    if not cidr_blocks:
        raise PlanError("source.cidr_blocks", "required for a data center: its on-premises CIDR blocks (for example 192.168.0.0/24), "
                                              "which the cloud routes back into the connection")
    # A data center has no route table of ours: its next hop is the connection, the gateway's routes are on_premises_routes.
    for key in ("next_hop_id", "existing_routes"):
        if source.get(key):
            raise PlanError("source.%s" % key, "not used for a data center: give source.connection (the cloud side) and "
                                               "source.on_premises (the on-premises gateway's next hop into the tunnel)")
    return {
        "kind": "data_center",
        "cidr_blocks": cidr_blocks,
        "connection": _parse_connection(source.get("connection")),
        "on_premises": _parse_on_premises(source.get("on_premises")),
        # the rules shared with a VPC source (conflicts with the source's own CIDR blocks) read these
        "next_hop_type": "", "next_hop_id": "", "existing_routes": [],
    }


def _parse_connection(connection):
    if not connection:
        raise PlanError("source.connection", "required for a data center: {type: vpn_gateway, vpn_gateway_id, ipsec_connection_id} or "
                                             "{type: transit_router, transit_router_attachment_id}")
    connection = _mapping(connection, "source.connection")
    kind = _text(connection.get("type"), "source.connection.type", required=True)
    if kind not in CONNECTION_TYPES:
        raise PlanError("source.connection.type", "expected one of %s, got %r" % (", ".join(CONNECTION_TYPES), kind))
    parsed = {"type": kind}
    if kind == "vpn_gateway":
        parsed["vpn_gateway_id"] = _text(connection.get("vpn_gateway_id"), "source.connection.vpn_gateway_id", required=True)
        parsed["ipsec_connection_id"] = _text(connection.get("ipsec_connection_id"), "source.connection.ipsec_connection_id", required=True)
        unused = "transit_router_attachment_id"
    else:
        parsed["transit_router_attachment_id"] = _text(connection.get("transit_router_attachment_id"),
                                                       "source.connection.transit_router_attachment_id", required=True)
        unused = "vpn_gateway_id"
    if connection.get(unused):
        raise PlanError("source.connection.%s" % unused, "not used with source.connection.type %s; remove it or change the type" % kind)
    return parsed


def _parse_on_premises(on_premises):
    on_premises = _mapping(on_premises, "source.on_premises")
    via = on_premises.get("via")
    dev = _text(on_premises.get("dev"), "source.on_premises.dev")
    if (via is None or via == "") and not dev:
        raise PlanError("source.on_premises", "required for a data center: the on-premises gateway's next hop into the tunnel, "
                                              "{via: ADDRESS} and/or {dev: DEVICE} (for example the IPsec tunnel's device vti0)")
    if dev is not None and not _IFNAME.match(dev):
        raise PlanError("source.on_premises.dev", "invalid device name %r (1 to 15 characters, no '/', ':' or blank)" % (dev,))
    return {"via": None if via is None or via == "" else _address(via, "source.on_premises.via"), "dev": dev}


def _other_vpcs(values):
    vpcs = []
    for index, value in enumerate(_list(values, "other_vpcs")):
        field = "other_vpcs[%d]" % index
        vpc = _mapping(value, field)
        vpcs.append({"vpc_id": _text(vpc.get("vpc_id"), field + ".vpc_id") or field,
                     "cidr_blocks": _networks(vpc.get("cidr_blocks"), field + ".cidr_blocks")})
    return vpcs


def _parse_registry_vpc(registry_vpc):
    registry_vpc = _mapping(registry_vpc, "registry_vpc")
    region = _text(registry_vpc.get("region"), "registry_vpc.region", required=True)
    try:
        oss_table.vip_ranges(region)
    except ValueError as error:
        raise PlanError("registry_vpc.region", str(error))
    cidr_blocks = _networks(registry_vpc.get("cidr_blocks"), "registry_vpc.cidr_blocks")
    if not cidr_blocks:
        raise PlanError("registry_vpc.cidr_blocks", "required: the registry VPC's CIDR blocks (secondary ones included)")
    return {
        "region": region,
        "cidr_blocks": cidr_blocks,
        "vswitch_cidr_blocks": _networks(registry_vpc.get("vswitch_cidr_blocks"), "registry_vpc.vswitch_cidr_blocks"),
        "next_hop_instance_id": _text(registry_vpc.get("next_hop_instance_id"), "registry_vpc.next_hop_instance_id"),
        "covering_cidr": _network(registry_vpc.get("covering_cidr") or DEFAULT_COVERING_CIDR, "registry_vpc.covering_cidr"),
        "existing_routes": _existing_routes(registry_vpc.get("existing_routes"), "registry_vpc.existing_routes"),
    }


def _parse_endpoints(endpoints, region):
    endpoints = _mapping(endpoints, "endpoints")
    registry = _mapping(endpoints.get("registry"), "endpoints.registry")
    auth = _mapping(endpoints.get("auth"), "endpoints.auth")
    oss = _mapping(endpoints.get("oss"), "endpoints.oss")
    takeover = auth.get("takeover", False)
    if not isinstance(takeover, bool):
        raise PlanError("endpoints.auth.takeover", "expected a boolean, got %r" % (takeover,))
    parsed = {
        "registry": {"domain": _text(registry.get("domain"), "endpoints.registry.domain", required=True),
                     "addresses": _addresses(registry.get("addresses"), "endpoints.registry.addresses")},
        "auth": {"domain": _text(auth.get("domain"), "endpoints.auth.domain", required=True),
                 "addresses": _addresses(auth.get("addresses"), "endpoints.auth.addresses"), "takeover": takeover},
        "oss": {"domain": _oss_domain(oss, region), "addresses": _addresses(oss.get("addresses"), "endpoints.oss.addresses")},
    }
    if not parsed["registry"]["addresses"]:
        raise PlanError("endpoints.registry.addresses", "required: the registry's VPC address(es)")
    if not takeover and not parsed["auth"]["addresses"]:
        raise PlanError("endpoints.auth.addresses", "required unless endpoints.auth.takeover is true")
    return parsed


def _oss_domain(oss, region):
    """The given OSS domain, else the region's internal domain (of the bucket when one is given)."""
    domain = _text(oss.get("domain"), "endpoints.oss.domain")
    if domain:
        return domain
    try:
        return oss_table.oss_domain(region, _text(oss.get("bucket"), "endpoints.oss.bucket"))
    except ValueError as error:
        raise PlanError("endpoints.oss.domain", "required, and it cannot be derived: %s" % error)


def _accepted(values):
    accepted = set()
    for index, code in enumerate(_list(values, "accept_findings")):
        if code not in FINDINGS:
            raise PlanError("accept_findings[%d]" % index, "unknown finding code %r; known codes: %s" % (code, ", ".join(FINDINGS)))
        accepted.add(code)
    return accepted


# ---------------------------------------------------------------- targets


def _host(address):
    return ipaddress.ip_network("%s/32" % address)


def _targets(endpoints, region, oss_route_mode, oss_vip_ranges, findings, registry_cidrs=()):
    """Every destination a pull needs, in a fixed order: registry, auth, OSS; each kind sorted by network."""
    registry = endpoints["registry"]
    targets = [Target("registry", _host(address), "registry address %s" % address,
                      "the registry endpoint %s resolves to it" % registry["domain"])
               for address in registry["addresses"]]
    auth = endpoints["auth"]
    if auth["takeover"]:
        findings.append(_finding("auth_domain_takeover", "The instance has taken over the auth domain %s: no auth route is "
                                                         "planned and the domain maps to the registry address." % auth["domain"]))
    else:
        targets.extend(Target("auth", _host(address), "auth service address %s" % address,
                              "the auth service %s resolves to it" % auth["domain"])
                       for address in auth["addresses"])
    if oss_route_mode == "privatelink":
        targets.extend(_oss_privatelink_targets(endpoints["oss"], registry_cidrs, findings))
    else:
        targets.extend(_oss_targets(endpoints["oss"], region, oss_route_mode, oss_vip_ranges, findings))
    order = {kind: index for index, kind in enumerate(ENDPOINT_KINDS)}
    return sorted(targets, key=lambda target: (order[target.kind], target.network))


def _oss_targets(oss, region, mode, override, findings):
    domain, addresses = oss["domain"], oss["addresses"]
    ranges = _networks(override, "oss_vip_ranges") if override else _networks(oss_table.vip_ranges(region), "oss table")
    outside = [address for address in addresses if not any(address in network for network in ranges)]
    if ranges:
        for address in outside:
            findings.append(_finding("oss_address_outside_vip_ranges", "The OSS address %s of %s lies outside the published VIP "
                                     "ranges of %s (%s)." % (address, domain, region, ", ".join(str(n) for n in ranges))))
    if mode == "address":
        if not addresses:
            raise PlanError("endpoints.oss.addresses", "required when oss_route_mode is address")
        findings.append(_finding("oss_address_mode", "oss_route_mode address routes only %s: the OSS VIP moves within the "
                                 "published ranges, so the route breaks when it moves." % ", ".join(str(a) for a in addresses)))
        return [_oss_address_target(address, domain, "oss_route_mode is address") for address in addresses]
    if not ranges:
        if not addresses:
            raise PlanError("endpoints.oss.addresses", "required: region %s has no published OSS VIP ranges and oss_vip_ranges "
                                                       "is not given" % region)
        findings.append(_finding("oss_vip_ranges_unknown", "Region %s has no OSS VIP ranges in the published table (%s, read "
                                 "%s): falling back to a /32 route for %s." % (
                                     region, oss_table.VIP_TABLE_SOURCE, oss_table.VIP_TABLE_RETRIEVED,
                                     ", ".join(str(a) for a in addresses))))
        return [_oss_address_target(address, domain, "no published VIP ranges for %s" % region) for address in addresses]
    origin = "oss_vip_ranges" if override else "the published VIP ranges of %s" % region
    targets = [Target("oss", network, "OSS VIP range %s" % network,
                      "%s resolves within %s, where the OSS VIP moves" % (domain, origin))
               for network in ranges]
    targets.extend(_oss_address_target(address, domain, "it lies outside %s" % origin) for address in outside)
    return targets


def _oss_privatelink_targets(oss, registry_cidrs, findings):
    """The PrivateLink endpoint's addresses: inside the registry VPC, where the endpoint's network interfaces are."""
    if not oss["addresses"]:
        raise PlanError("endpoints.oss.addresses", "required when oss_route_mode is privatelink: the addresses of the OSS "
                                                   "PrivateLink endpoint in the registry VPC (privatelink_vpc_endpoint's endpoint.addresses)")
    for index, address in enumerate(oss["addresses"]):
        if not _covered(_host(address), registry_cidrs):
            raise PlanError("endpoints.oss.addresses[%d]" % index, "%s lies outside the registry VPC's CIDR blocks (%s): with "
                            "oss_route_mode privatelink give the addresses of the OSS endpoint in the registry VPC" % (
                                address, ", ".join(str(cidr) for cidr in registry_cidrs)))
    findings.append(_finding("oss_privatelink", "OSS (%s) is reached at %s, the PrivateLink endpoint in the registry VPC: no 100.x "
                             "OSS route." % (", ".join(oss["names"]), ", ".join(str(a) for a in oss["addresses"]))))
    return [Target("oss", _host(address), "OSS PrivateLink endpoint address %s" % address,
                   "%s resolves to it (the OSS endpoint in the registry VPC)" % oss["domain"], True) for address in oss["addresses"]]


def _oss_address_target(address, domain, because):
    return Target("oss", _host(address), "OSS address %s" % address, "%s resolves to it; /32 because %s" % (domain, because))


# ---------------------------------------------------------------- routes


def _covered(network, candidates):
    return any(network.subnet_of(candidate) for candidate in candidates)


def _source_routes(targets, source, reachable):
    next_hop = (source["next_hop_type"].lower(), source["next_hop_id"])
    same_hop = [route.destination for route in source["existing_routes"] if route.role == "custom" and next_hop in route.hops]
    planned = {target.network for target in targets}
    # A route with exactly a planned destination is this plan's own (from an earlier run): it does not make itself redundant.
    already_reaching = reachable + [destination for destination in same_hop if destination not in planned]
    routes = OrderedDict()
    for target in targets:
        if _covered(target.network, already_reaching):
            continue
        reason = "%s: %s, and the source does not reach it through %s %s yet" % (
            target.label, target.why, source["next_hop_type"], source["next_hop_id"])
        _add_route(routes, target.network, reason, target.network in same_hop)
    return [dict(destination_cidr_block=str(network), next_hop_type=source["next_hop_type"], next_hop_id=source["next_hop_id"],
                 reason=entry["reason"], already_present=entry["present"]) for network, entry in routes.items()]


def _add_route(routes, network, reason, present):
    if network in routes:
        routes[network]["reason"] += "; " + reason
    else:
        routes[network] = {"reason": reason, "present": present}


def _connection_text(connection):
    if connection["type"] == "vpn_gateway":
        return "the IPsec connection %s of the VPN gateway %s" % (connection["ipsec_connection_id"], connection["vpn_gateway_id"])
    return "the transit router (the registry VPC's attachment %s)" % connection["transit_router_attachment_id"]


def _on_premises_routes(targets, source, reachable):
    """The data center's side: the gateway's route into the tunnel for every target, as a VPC source gets them."""
    gateway = source["on_premises"]
    through = _connection_text(source["connection"])
    routes = OrderedDict()
    for target in targets:
        if _covered(target.network, reachable):
            continue
        _add_route(routes, target.network, "%s: %s; the data center reaches it through %s" % (target.label, target.why, through), False)
    via = str(gateway["via"]) if gateway["via"] is not None else None
    return [dict(destination=str(network), via=via, dev=gateway["dev"], reason=entry["reason"]) for network, entry in routes.items()]


def _vpn_routes(source):
    """The VPN gateway's destination routes back to the data center, in the shape of vpn_route_entry's routes."""
    connection = source["connection"]
    return [dict(destination=str(cidr), next_hop=connection["ipsec_connection_id"], weight=VPN_ROUTE_WEIGHT, publish_vpc=True,
                 reason="data-center CIDR block %s: the registry VPC's answers go to the VPN gateway %s and into the IPsec connection %s "
                        "(published to the VPC's route table)" % (cidr, connection["vpn_gateway_id"], connection["ipsec_connection_id"]))
            for cidr in source["cidr_blocks"]]


def _data_center_own_hop(source):
    """The next hop, as (type_lower, id), that the registry VPC's route to a data-center CIDR block has when it is ours."""
    connection = source["connection"]
    if connection["type"] == "vpn_gateway":
        return ("vpngateway", connection["vpn_gateway_id"])
    return (DATA_CENTER_NEXT_HOP_TYPE.lower(), connection["transit_router_attachment_id"])


def _registry_routes_to_data_center(source, registry_vpc):
    """transit_router: the registry VPC's route per data-center CIDR block to its own attachment (not advertised)."""
    attachment = source["connection"]["transit_router_attachment_id"]
    own_hop = _data_center_own_hop(source)
    present = {route.destination for route in registry_vpc["existing_routes"] if route.role == "custom" and own_hop in route.hops}
    return [dict(destination_cidr_block=str(cidr), next_hop_type=DATA_CENTER_NEXT_HOP_TYPE, next_hop_id=attachment, advertise=False,
                 reason="data-center CIDR block %s: the registry VPC sends the answers to its transit router attachment %s, which "
                        "reaches the data center's connection" % (cidr, attachment),
                 already_present=cidr in present)
            for cidr in source["cidr_blocks"]]


def _registry_route_of(target, registry_vpc):
    """The registry-VPC route that makes the transit router learn a target, or None when the VPC attachment teaches it."""
    if _covered(target.network, registry_vpc["cidr_blocks"]):
        return None
    if target.network.subnet_of(registry_vpc["covering_cidr"]):
        return registry_vpc["covering_cidr"]
    return target.network


def _registry_routes(targets, registry_vpc):
    carried = OrderedDict()
    for target in targets:
        network = _registry_route_of(target, registry_vpc)
        if network is not None:
            carried.setdefault(network, []).append(target)
    if not carried:
        return []
    instance_id = registry_vpc["next_hop_instance_id"]
    if not instance_id:
        raise PlanError("registry_vpc.next_hop_instance_id", "required: %s must be advertised from the registry VPC through an "
                                                             "ECS instance" % ", ".join(str(n) for n in carried))
    present = {route.destination for route in registry_vpc["existing_routes"]
               if route.role == "custom" and (REGISTRY_NEXT_HOP_TYPE.lower(), instance_id) in route.hops}
    covering = registry_vpc["covering_cidr"]
    ordered = sorted(carried, key=lambda network: (network != covering, network))
    return [dict(destination_cidr_block=str(network), next_hop_type=REGISTRY_NEXT_HOP_TYPE, next_hop_id=instance_id, advertise=True,
                 reason=_registry_reason(network, covering, carried[network]), already_present=network in present)
            for network in ordered]


def _registry_reason(network, covering, targets):
    labels = ", ".join(target.label for target in targets)
    if network == covering:
        return ("covering route for %s, which lie outside the registry VPC's CIDR blocks: advertised so that the transit router "
                "sends them to the registry VPC (inside the VPC the more specific system route 100.64.0.0/10 still delivers the "
                "100.x cloud services)" % labels)
    return ("%s lies outside the covering route %s and the registry VPC's CIDR blocks: its own route, advertised so that the "
            "transit router sends it to the registry VPC" % (labels, covering))


# ---------------------------------------------------------------- conflicts


def _overlaps(network, candidates):
    return [candidate for candidate in candidates if candidate.overlaps(network)]


def _conflicts_of(target, registry_vpc, source, source_hop, instance_hop, advertised=True):
    """Human-readable reasons why one target conflicts with the networks, sorted and de-duplicated by the caller.

    ``advertised`` false (a data center behind a VPN gateway in the registry VPC): no covering route carries the target.
    """
    reasons = []
    carrier = _registry_route_of(target, registry_vpc) if advertised else None
    checked = [("the planned destination %s" % target.network, target.network)]
    if carrier is not None and carrier != target.network:
        checked.append(("the covering route %s that carries it" % carrier, carrier))
    vswitch_blocks = _vswitch_blocks(registry_vpc)
    for what, network in checked:
        if (target.kind != "registry" and not target.in_vpc) or network != target.network:
            # The registry address belongs in the registry VPC; a 100.x service address or covering route does not.
            reasons.extend("the registry VPC CIDR block %s overlaps %s" % (c, what) for c in _overlaps(network, registry_vpc["cidr_blocks"]))
            reasons.extend("the registry vSwitch CIDR block %s overlaps %s" % (c, what) for c in _overlaps(network, vswitch_blocks))
        elif network == carrier:
            # The registry address's own route: the cloud refuses a route entry inside a vSwitch's CIDR block
            # (InvalidCidrBlock.Overlapped), which happens when the VPC's block holding that vSwitch is missing from cidr_blocks.
            reasons.extend("the registry VPC's route %s would lie inside its vSwitch CIDR block %s, which the cloud refuses: list the "
                           "VPC CIDR block that holds the vSwitch in registry_vpc.cidr_blocks (the VPC delivers it itself, no route "
                           "is needed)" % (network, c) for c in vswitch_blocks if network.subnet_of(c))
        reasons.extend("the route %s in the registry VPC overlaps %s" % (route.text, what)
                       for route in _foreign_routes(registry_vpc["existing_routes"], instance_hop, network))
        reasons.extend("the route %s in the source route table overlaps %s" % (route.text, what)
                       for route in _foreign_routes(source["existing_routes"], source_hop, network))
    own_cidrs = source["cidr_blocks"] + [route.destination for route in source["existing_routes"] if route.role == "local"]
    owner = "the data center's" if source["kind"] == "data_center" else "the source network's"
    reasons.extend("%s CIDR block %s overlaps %s" % (owner, c, target.network) for c in _overlaps(target.network, own_cidrs))
    return reasons


def _vswitch_blocks(registry_vpc):
    """The registry VPC's vSwitch CIDR blocks: given, or known from the local system routes (one per vSwitch) of its table."""
    local = [route.destination for route in registry_vpc["existing_routes"] if route.role == "local"]
    return sorted(set(registry_vpc["vswitch_cidr_blocks"]) | set(local))


def _foreign_routes(routes, own_hop, network):
    """Custom routes with another next hop that overlap a network; the 100.64.0.0/10 service route is never one."""
    return [route for route in routes if route.role == "custom" and own_hop not in route.hops and route.destination.overlaps(network)]


def _conflict_findings(targets, registry_vpc, source, endpoints, advertised=True):
    source_hop = (source["next_hop_type"].lower(), source["next_hop_id"])
    instance_hop = (REGISTRY_NEXT_HOP_TYPE.lower(), registry_vpc["next_hop_instance_id"])
    findings = []
    for kind in ENDPOINT_KINDS:
        reasons = []
        for target in targets:
            if target.kind == kind:
                reasons.extend(reason for reason in _conflicts_of(target, registry_vpc, source, source_hop, instance_hop, advertised)
                               if reason not in reasons)
        if reasons:
            findings.append(_finding("%s_address_conflict" % kind, "100.x conflict for %s (%s): %s." % (
                _KIND_NAMES[kind], endpoints[kind]["domain"], "; ".join(sorted(reasons)))))
    return findings


_KIND_NAMES = {"registry": "the registry endpoint", "auth": "the auth service", "oss": "OSS"}


def _data_center_findings(source, registry_vpc, targets, other_vpcs):
    """The data center's own conflicts: its CIDR blocks against the registry VPC, the cloud's service range, other VPCs and the
    registry VPC's routes. (Its overlaps with a planned destination are the endpoint conflicts of _conflict_findings.)"""
    findings = []
    registry_blocks = registry_vpc["cidr_blocks"] + registry_vpc["vswitch_cidr_blocks"]
    own_hop = _data_center_own_hop(source)
    destinations = ", ".join(str(target.network) for target in targets)
    for cidr in source["cidr_blocks"]:
        overlapping = _overlaps(cidr, registry_blocks)
        if overlapping:
            findings.append(_finding("data_center_registry_vpc_overlap", "The data-center CIDR block %s overlaps the registry VPC's %s." % (
                cidr, ", ".join(str(block) for block in sorted(set(overlapping))))))
        if cidr.overlaps(CLOUD_SERVICE_RANGE):
            findings.append(_finding("data_center_service_range_overlap", "The data-center CIDR block %s overlaps %s, the cloud's service "
                                     "range (the pull's planned destinations: %s)." % (cidr, CLOUD_SERVICE_RANGE, destinations)))
        for vpc in other_vpcs:
            for block in _overlaps(cidr, vpc["cidr_blocks"]):
                findings.append(_finding("data_center_vpc_overlap", "The data-center CIDR block %s overlaps the CIDR block %s of %s." % (
                    cidr, block, vpc["vpc_id"])))
        for route in registry_vpc["existing_routes"]:
            if route.role == "custom" and own_hop not in route.hops and route.destination.subnet_of(cidr):
                findings.append(_finding("data_center_route_conflict", "The registry VPC's route %s takes traffic for the data-center "
                                         "CIDR block %s away from %s." % (route.text, cidr, _connection_text(source["connection"]))))
    return findings


# ---------------------------------------------------------------- hosts and findings


def _hosts_entries(endpoints):
    """One line per address, names in the order registry, auth, OSS; with takeover the auth domain joins the registry address."""
    lines = OrderedDict()
    registry, auth, oss = endpoints["registry"], endpoints["auth"], endpoints["oss"]
    auth_addresses = registry["addresses"] if auth["takeover"] else auth["addresses"]
    oss_names = oss.get("names") or [oss["domain"]]
    for addresses, domains in ((registry["addresses"], [registry["domain"]]), (auth_addresses, [auth["domain"]]), (oss["addresses"], oss_names)):
        for address in addresses:
            names = lines.setdefault(str(address), [])
            names.extend(domain for domain in domains if domain not in names)
    return [dict(ip=ip, names=names) for ip, names in lines.items()]


def _finding(code, message):
    severity, fix = FINDINGS[code]
    return dict(code=code, severity=severity, message=message, fix=fix)


def _registry_outside_findings(targets, registry_vpc):
    blocks = ", ".join(str(cidr) for cidr in registry_vpc["cidr_blocks"])
    outside = [target for target in targets if target.kind == "registry" and not _covered(target.network, registry_vpc["cidr_blocks"])]
    return [_finding("registry_address_outside_vpc", "The registry address %s lies outside the registry VPC's CIDR blocks (%s)." % (
        target.network.network_address, blocks)) for target in outside]


def _finish_findings(findings, accepted):
    unique = []
    for finding in findings:
        if finding not in unique:
            unique.append(finding)
    for finding in unique:
        finding["accepted"] = finding["code"] in accepted
    return sorted(unique, key=lambda f: (_SEVERITY_ORDER[f["severity"]], list(FINDINGS).index(f["code"]), f["message"]))


# ---------------------------------------------------------------- entry point


def build_plan(source, registry_vpc, endpoints, oss_route_mode="vip_ranges", oss_vip_ranges=None, reachable_cidrs=None, accept_findings=None,
               other_vpcs=None):
    """The access plan as plain data.

    A VPC source: source_routes, registry_routes, hosts_entries, findings, blocking. A data center: on_premises_routes (the
    on-premises gateway's routes into the tunnel, one per destination a VPC source would get), vpn_routes (the VPN gateway's
    routes back, for connection type vpn_gateway), registry_routes (for connection type transit_router: the covering route(s)
    to advertise and the registry VPC's routes to the data center through its attachment), hosts_entries, findings, blocking.

    Raises PlanError (naming the field) for invalid input. Same input, same output, in the same order.
    """
    if oss_route_mode not in OSS_ROUTE_MODES:
        raise PlanError("oss_route_mode", "expected one of %s, got %r" % (", ".join(OSS_ROUTE_MODES), oss_route_mode))
    source = _parse_source(source)
    registry_vpc = _parse_registry_vpc(registry_vpc)
    parsed_endpoints = _parse_endpoints(endpoints, registry_vpc["region"])
    if oss_route_mode == "privatelink":
        parsed_endpoints["oss"]["names"] = _oss_privatelink_names(parsed_endpoints["oss"]["domain"], registry_vpc["region"])
    reachable = _networks(reachable_cidrs, "reachable_cidrs")
    accepted = _accepted(accept_findings)
    _networks(oss_vip_ranges, "oss_vip_ranges")  # validated before anything else uses it
    known_vpcs = _other_vpcs(other_vpcs)

    findings = []
    targets = _targets(parsed_endpoints, registry_vpc["region"], oss_route_mode, oss_vip_ranges, findings, registry_vpc["cidr_blocks"])
    if source["kind"] == "data_center":
        plan = _data_center_plan(targets, source, registry_vpc, parsed_endpoints, reachable, known_vpcs, findings)
    else:
        plan = {
            "source_routes": _source_routes(targets, source, reachable),
            "registry_routes": _registry_routes(targets, registry_vpc),
            "hosts_entries": _hosts_entries(parsed_endpoints),
        }
        findings.extend(_conflict_findings(targets, registry_vpc, source, parsed_endpoints))
        findings.extend(_registry_outside_findings(targets, registry_vpc))
    plan["findings"] = _finish_findings(findings, accepted)
    plan["blocking"] = any(f["severity"] == "error" and not f["accepted"] for f in plan["findings"])
    return plan


def _data_center_plan(targets, source, registry_vpc, endpoints, reachable, known_vpcs, findings):
    """The routes of a data center; the findings are appended to ``findings``."""
    # Behind a VPN gateway in the registry VPC the traffic arrives inside the VPC, where the system route 100.64.0.0/10 delivers
    # the cloud services: nothing is advertised. Through a transit router it arrives there only for what the VPC advertises.
    through_transit_router = source["connection"]["type"] == "transit_router"
    plan = {"on_premises_routes": _on_premises_routes(targets, source, reachable)}
    if through_transit_router:
        plan["vpn_routes"] = []
        plan["registry_routes"] = _registry_routes(targets, registry_vpc) + _registry_routes_to_data_center(source, registry_vpc)
    else:
        plan["vpn_routes"] = _vpn_routes(source)
        plan["registry_routes"] = []
    plan["hosts_entries"] = _hosts_entries(endpoints)
    findings.extend(_conflict_findings(targets, registry_vpc, source, endpoints, advertised=through_transit_router))
    findings.extend(_data_center_findings(source, registry_vpc, targets, known_vpcs))
    if through_transit_router:
        findings.extend(_registry_outside_findings(targets, registry_vpc))
    return plan


def _oss_privatelink_names(domain, region):
    """The names that resolve to the OSS endpoint: the OSS domain the registry redirects to, and the region's internal domain
    when that is another one (a bucket's domain was given): through the endpoint both reach the same OSS."""
    names = [domain]
    regional = oss_table.oss_domain(region)
    if regional not in names:
        names.append(regional)
    return names


def hosts_entries(endpoints):
    """Public name of _hosts_entries: the /etc/hosts lines [{ip, names}] of parsed endpoints (auth.takeover inside auth)."""
    return _hosts_entries(endpoints)


# ---------------------------------------------------------------- the task's options


def plan_argument_spec() -> dict:
    """The options of ``registry_access_plan`` as an Ansible argument spec (plain dicts, no Ansible import).

    ONE spec for both ways the plan runs: the module's ``main()`` (AnsibleModule) and the action plugin of the same name
    (ArgumentSpecValidator, in the controller's process). A fresh copy on every call (defaults included):
    the controller validates many tasks in one process, and a validated default is the spec's own object.
    """
    source = dict(
        kind=dict(type="str", choices=list(SOURCE_KINDS), default="vpc"), region=dict(type="str"), vpc_id=dict(type="str"),
        route_table_id=dict(type="str"), cidr_blocks=dict(type="list", elements="str", default=[]),
        next_hop_type=dict(type="str", default=DEFAULT_SOURCE_NEXT_HOP_TYPE), next_hop_id=dict(type="str"),
        existing_routes=dict(type="list", elements="dict", default=[]),
        connection=dict(type="dict", options=dict(
            type=dict(type="str", required=True, choices=list(CONNECTION_TYPES)), vpn_gateway_id=dict(type="str"),
            ipsec_connection_id=dict(type="str"), transit_router_attachment_id=dict(type="str"),
        )),
        on_premises=dict(type="dict", options=dict(via=dict(type="str"), dev=dict(type="str"))),
    )
    registry_vpc = dict(
        region=dict(type="str", required=True), vpc_id=dict(type="str"), route_table_id=dict(type="str"),
        cidr_blocks=dict(type="list", elements="str", required=True), vswitch_cidr_blocks=dict(type="list", elements="str", default=[]),
        next_hop_instance_id=dict(type="str"), covering_cidr=dict(type="str", default=DEFAULT_COVERING_CIDR),
        existing_routes=dict(type="list", elements="dict", default=[]),
    )
    registry = dict(domain=dict(type="str"), addresses=dict(type="list", elements="str", default=[]))
    auth = dict(domain=dict(type="str"), addresses=dict(type="list", elements="str", default=[]), takeover=dict(type="bool", default=False))
    oss = dict(domain=dict(type="str"), addresses=dict(type="list", elements="str", default=[]), bucket=dict(type="str"))
    endpoints = dict(registry=dict(type="dict", required=True, options=registry), auth=dict(type="dict", required=True, options=auth),
                     oss=dict(type="dict", default={}, options=oss))
    return dict(
        # next_hop_id is a VPC source's only required key; a data center's are checked by the plan, which names them.
        source=dict(type="dict", required=True, options=source, required_if=[("kind", "vpc", ("next_hop_id",))]),
        registry_vpc=dict(type="dict", required=True, options=registry_vpc),
        endpoints=dict(type="dict", required=True, options=endpoints),
        oss_route_mode=dict(type="str", choices=list(OSS_ROUTE_MODES), default="vip_ranges"),
        oss_vip_ranges=dict(type="list", elements="str"),
        reachable_cidrs=dict(type="list", elements="str", default=[]),
        accept_findings=dict(type="list", elements="str", default=[]),
        other_vpcs=dict(type="list", elements="dict", default=[], options=dict(
            vpc_id=dict(type="str"), region=dict(type="str"), cidr_blocks=dict(type="list", elements="str", default=[]))),
    )


def plan_from_params(params):
    """The plan of the options validated against ``plan_argument_spec()``: the one mapping of the options to build_plan.

    Raises PlanError (naming the field) like build_plan; ``input_error_result`` turns it into the failed result.
    """
    return build_plan(params["source"], params["registry_vpc"], params["endpoints"], oss_route_mode=params["oss_route_mode"],
                      oss_vip_ranges=params["oss_vip_ranges"], reachable_cidrs=params["reachable_cidrs"],
                      accept_findings=params["accept_findings"], other_vpcs=params.get("other_vpcs"))


def input_error_result(error):
    """The keys of the failed result for a PlanError: ``msg`` and ``field`` (the option, ``endpoints.auth.addresses[0]``)."""
    return dict(msg="Invalid access plan input - %s" % error, field=error.field)
