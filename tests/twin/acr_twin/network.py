"""For the network twin: what every VPC router and transit router forwards, computed from the cloud's state.

``forwarding(cloud)`` is the only thing the network twin (tests/e2e/net_twin) knows about the cloud: it turns
route tables, attachments, associations, propagations, published routes and linked registry endpoints into
plain forwarding tables, so that packets inside the network twin go exactly where the cloud's state sends them.

Shape (JSON-able)::

    {"vpcs": {vpc_id: {"region", "cidrs", "system_route_table",
                       "vswitches": [{"id", "cidr", "zone", "route_table"}],
                       "instances": [{"id", "ip", "vswitch"}],
                       "endpoints": [{"instance", "ip", "vswitch"}],     # linked registry VPC endpoints (RUNNING)
                       "routes": [route...],                            # the system table's effective routes
                       "route_tables": {table_id: [route...]}}},        # every table of the VPC (vSwitches name theirs)
     "transit_routers": {tr_id: {"region", "status", "cen",
                                 "ingress": {attachment_id: {"type": "VPC"|"TR"|"VPN"|"VBR",
                                                             "resource": vpc, peer TR, IPsec connection or VBR id,
                                                             "route_table": id or None, "via": "association"|"system",
                                                             "routes": [{"cidr", "attachment", "next": {"type", "id"}}]}}}},
     "regions": {region: {"services": "100.64.0.0/10"}}}

A VPC route is ``{"cidr", "kind", "target", "table", ...}`` with kind ``local`` (target: the vSwitch), ``service``
(target: the region), ``instance`` (target: ECS id), ``attachment`` (target: attachment id, plus ``status`` and
``usable``), ``endpoint`` (target: the registry instance id), ``vpn`` (target: the VPN gateway that published the
route: into its IPsec tunnel) or ``other`` (a next hop type the network twin does
not model, with ``next_hop_type``: it forwards nothing).
"""

import ipaddress

from acr_twin.fixtures import CLOUD_SERVICE_CIDR
from acr_twin.products._cbn_routing import learned_routes

# Only entries in their final state forward: Pending (being created), Modifying and Deleting ones do not.
AVAILABLE_ENTRY = "Available"
USABLE_ATTACHMENT = "Attached"
ACTIVE_LINK = "Active"
# Attachments that lead to a data center: an IPsec connection (VpnId) or an Express Connect VBR (VbrId).
EDGE_TYPES = ("VPN", "VBR")


def _edge_resource(attachment):
    return attachment.get("VpnId") or attachment.get("VbrId") or attachment.get("ResourceId") or ""


def forwarding(cloud):
    with cloud.lock:
        # Transitions whose time has come are part of the state (the API applies them before each request too).
        cloud.run_due()
        return {
            "vpcs": dict((vpc_id, _vpc(cloud, vpc)) for vpc_id, vpc in sorted(cloud.vpcs.items())),
            "transit_routers": dict((tr_id, _transit_router(cloud, tr)) for tr_id, tr in sorted(cloud.transit_routers.items())),
            "regions": dict((region, {"services": CLOUD_SERVICE_CIDR}) for region in sorted(cloud.regions)),
        }


# -- VPC routers ------------------------------------------------------------------------------------------------
def _vpc(cloud, vpc):
    vpc_id = vpc["VpcId"]
    tables = sorted((t for t in cloud.route_tables.values() if t.get("VpcId") == vpc_id),
                    key=lambda t: (t.get("RouteTableType") != "System", t["RouteTableId"]))
    system = next((t["RouteTableId"] for t in tables if t.get("RouteTableType") == "System"), None)
    vswitches = sorted((v for v in cloud.vswitches.values() if v["VpcId"] == vpc_id), key=lambda v: v["VSwitchId"])
    endpoints = _endpoints(cloud, vpc_id)
    route_tables = dict((t["RouteTableId"], _table_routes(cloud, vpc, t["RouteTableId"], vswitches, endpoints)) for t in tables)
    return {
        "region": vpc["RegionId"],
        "cidrs": [vpc["CidrBlock"]] + list(vpc.get("SecondaryCidrBlocks", {}).get("SecondaryCidrBlock", [])),
        "system_route_table": system,
        "vswitches": [{"id": v["VSwitchId"], "cidr": v["CidrBlock"], "zone": v["ZoneId"],
                       "route_table": v.get("RouteTable", {}).get("RouteTableId") or system} for v in vswitches],
        "instances": [{"id": i["InstanceId"], "ip": i["PrivateIpAddress"], "vswitch": i["VSwitchId"]}
                      for i in sorted(cloud.instances.values(), key=lambda i: i["InstanceId"]) if i.get("VpcId") == vpc_id],
        "endpoints": endpoints,
        "routes": route_tables.get(system, []),
        "route_tables": route_tables,
    }


def _endpoints(cloud, vpc_id):
    """The registry VPC endpoints (an ENI in one of the VPC's vSwitches) of every RUNNING linked VPC, and the zone
    addresses of every Active PrivateLink endpoint of the region's OSS service in the VPC (module "oss")."""
    found = []
    for link in sorted(cloud.cr_linked_vpcs.values(), key=lambda link: (link["InstanceId"], link.get("ModuleName", ""))):
        if link["VpcId"] == vpc_id and link.get("Status") == "RUNNING" and link.get("Ip"):
            found.append({"instance": link["InstanceId"], "ip": link["Ip"], "vswitch": link.get("VswitchId", ""),
                          "module": link.get("ModuleName", "Registry")})
    endpoints = ((cloud.extra.get("privatelink") or {}).get("endpoints") or {}).values()
    for endpoint in sorted(endpoints, key=lambda endpoint: endpoint["EndpointId"]):
        if endpoint["VpcId"] == vpc_id and endpoint["EndpointStatus"] == "Active" and endpoint["ServiceName"].endswith(".oss"):
            found.extend({"instance": endpoint["EndpointId"], "ip": zone["EniIp"], "vswitch": zone["VSwitchId"], "module": "oss"}
                         for zone in endpoint["_zones"] if zone.get("EniIp"))
    return found


def _table_routes(cloud, vpc, table_id, vswitches, endpoints):
    routes = []
    endpoint_prefixes = set("%s/32" % e["ip"] for e in endpoints)
    entries = sorted((e for e in cloud.route_entries.values() if e["RouteTableId"] == table_id),
                     key=lambda e: (ipaddress.ip_network(e["DestinationCidrBlock"]).prefixlen, e["DestinationCidrBlock"]))
    for entry in entries:
        if entry.get("Status") != AVAILABLE_ENTRY:
            continue
        cidr = str(ipaddress.ip_network(entry["DestinationCidrBlock"]))
        if cidr in endpoint_prefixes:
            continue  # the registry endpoint ENI's own /32 wins over a custom entry of the same prefix
        routes.append(_route_of_entry(cloud, vpc, table_id, entry, cidr, vswitches))
    for endpoint in endpoints:
        routes.append({"cidr": "%s/32" % endpoint["ip"], "kind": "endpoint", "target": endpoint["instance"], "table": table_id})
    return routes


def _route_of_entry(cloud, vpc, table_id, entry, cidr, vswitches):
    hop_type, hop_id = entry.get("NextHopType") or "", entry.get("NextHopId") or ""
    route = {"cidr": cidr, "table": table_id, "entry": entry["RouteEntryId"]}
    if hop_type == "local":
        owner = next((v["VSwitchId"] for v in vswitches if v["CidrBlock"] == cidr), "")
        route.update(kind="local", target=owner)
    elif hop_type == "service":
        route.update(kind="service", target=vpc["RegionId"])
    elif hop_type == "Instance":
        route.update(kind="instance", target=hop_id)
    elif hop_type == "VpnGateway":
        route.update(kind="vpn", target=hop_id)
    elif hop_type == "Attachment":
        attachment = cloud.tr_attachments.get(hop_id)
        status = attachment["Status"] if attachment else "Missing"
        # The attachment forwards while it is Attached; a Modifying one keeps forwarding, as learned_routes assumes.
        route.update(kind="attachment", target=hop_id, status=status, usable=status in (USABLE_ATTACHMENT, "Modifying"),
                     transit_router=attachment["TransitRouterId"] if attachment else None)
    else:
        route.update(kind="other", target=hop_id, next_hop_type=hop_type)
    return route


# -- transit routers --------------------------------------------------------------------------------------------
def _transit_router(cloud, router):
    tr_id = router["TransitRouterId"]
    ingress = {}
    for attachment in sorted(cloud.tr_attachments.values(), key=lambda a: a["TransitRouterAttachmentId"]):
        if attachment["Status"] not in (USABLE_ATTACHMENT, "Modifying"):
            continue
        if attachment["ResourceType"] == "VPC" and attachment["TransitRouterId"] == tr_id:
            resource = attachment["VpcId"]
        elif attachment["ResourceType"] == "TR" and tr_id in (attachment["TransitRouterId"], attachment.get("PeerTransitRouterId")):
            resource = attachment["PeerTransitRouterId"] if attachment["TransitRouterId"] == tr_id else attachment["TransitRouterId"]
        elif attachment["ResourceType"] in EDGE_TYPES and attachment["TransitRouterId"] == tr_id:
            resource = _edge_resource(attachment)
        else:
            continue
        ingress[attachment["TransitRouterAttachmentId"]] = _ingress(cloud, tr_id, attachment, resource)
    return {"region": router["RegionId"], "status": router["Status"], "cen": router.get("CenId"), "ingress": ingress}


def _ingress(cloud, tr_id, attachment, resource):
    """The table traffic arriving over ``attachment`` at ``tr_id`` is forwarded with, and its routes."""
    table_id, via = _associated_table(cloud, tr_id, attachment["TransitRouterAttachmentId"]), "association"
    if table_id is None and attachment["ResourceType"] == "TR":
        # The twin never associates peer attachments (no API call does; the cloud associates an inter-region
        # connection with the System tables of both routers itself): traffic over the peer link uses the System table.
        table_id, via = _system_table(cloud, tr_id), "system"
    entry = {"type": attachment["ResourceType"], "resource": resource, "route_table": table_id, "via": via if table_id else None,
             "routes": []}
    if table_id is None:
        return entry  # no association: traffic from this attachment is dropped
    seen = set()
    for learned in learned_routes(cloud, tr_id, table_id):
        if learned["attachment"] == attachment["TransitRouterAttachmentId"]:
            continue  # never back out of the attachment it came in by
        next_hop = _next_hop(cloud, tr_id, learned)
        if next_hop is None or (learned["cidr"], learned["attachment"]) in seen:
            continue
        seen.add((learned["cidr"], learned["attachment"]))
        entry["routes"].append({"cidr": learned["cidr"], "attachment": learned["attachment"], "origin": learned["origin"], "next": next_hop})
    return entry


def _associated_table(cloud, tr_id, attachment_id):
    for link in cloud.tr_associations.values():
        if (link["TransitRouterAttachmentId"] == attachment_id and link["Status"] == ACTIVE_LINK
                and link.get("_transit_router", tr_id) == tr_id):
            table = cloud.tr_route_tables.get(link["TransitRouterRouteTableId"])
            if table is not None and table["TransitRouterId"] == tr_id:
                return table["TransitRouterRouteTableId"]
    return None


def _system_table(cloud, tr_id):
    for table in cloud.tr_route_tables.values():
        if table["TransitRouterId"] == tr_id and table["TransitRouterRouteTableType"] == "System":
            return table["TransitRouterRouteTableId"]
    return None


def _next_hop(cloud, tr_id, learned):
    attachment = cloud.tr_attachments.get(learned["attachment"])
    if attachment is None:
        return None
    if attachment["ResourceType"] == "VPC":
        return {"type": "VPC", "id": attachment["VpcId"]}
    if attachment["ResourceType"] in EDGE_TYPES:
        return {"type": attachment["ResourceType"], "id": _edge_resource(attachment)}
    peer = attachment["PeerTransitRouterId"] if attachment["TransitRouterId"] == tr_id else attachment["TransitRouterId"]
    return {"type": "TR", "id": peer}
