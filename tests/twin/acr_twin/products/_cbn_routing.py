"""CBN 2017-09-12: route table associations and propagations, the routes a transit router learns, published VPC routes."""

import ipaddress

from acr_twin.errors import ApiError
from acr_twin.products._cbn_common import (DELAYS, CBN_CODES, attachment_or_error, cen_or_error, check_dry_run, not_blocked,
                                           page_by_number, route_table_or_error, stable_id, token_page)
from acr_twin.registry import action

# Next hops whose VPC routes the cloud does not let a VPC publish to CEN.
UNPUBLISHABLE_NEXT_HOPS = ("Attachment", "local", "service", "")


# -- associations and propagations ----------------------------------------------------------
def _link_arguments(cloud, p):
    """The attachment and route table of an (un)association or propagation, both usable."""
    attachment = attachment_or_error(cloud, p.required("TransitRouterAttachmentId"), code="InvalidAttachmentId.NotFound")
    table = route_table_or_error(cloud, p.required("TransitRouterRouteTableId"))
    if table["TransitRouterId"] not in (attachment["TransitRouterId"], attachment.get("PeerTransitRouterId")):
        raise ApiError("InvalidParameter.TransitRouterRouteTableId", "The route table %s is not a table of the transit router of %s."
                       % (table["TransitRouterRouteTableId"], attachment["TransitRouterAttachmentId"]))
    if attachment["Status"] != "Attached" or table["TransitRouterRouteTableStatus"] != "Active":
        raise ApiError("IncorrectStatus.AttachmentOrRouteTable", "The attachment %s (%s) or the route table %s (%s) is not in a valid "
                       "state for the operation." % (attachment["TransitRouterAttachmentId"], attachment["Status"],
                                                     table["TransitRouterRouteTableId"], table["TransitRouterRouteTableStatus"]))
    return attachment, table


# The network instance behind an attachment of each kind (peer attachments: the transit router at the other end).
RESOURCE_ID_FIELD = {"VPC": "VpcId", "VPN": "VpnId", "VBR": "VbrId"}


def _link_record(attachment, table, status):
    field = RESOURCE_ID_FIELD.get(attachment["ResourceType"])
    if field:
        resource_id = attachment[field]
    elif table["TransitRouterId"] == attachment["TransitRouterId"]:
        resource_id = attachment["PeerTransitRouterId"]
    else:
        resource_id = attachment["TransitRouterId"]
    return {"TransitRouterAttachmentId": attachment["TransitRouterAttachmentId"], "TransitRouterRouteTableId": table["TransitRouterRouteTableId"],
            "ResourceId": resource_id, "ResourceType": attachment["ResourceType"], "Status": status, "_transit_router": table["TransitRouterId"]}


def _create_link(cloud, p, collection, pending, existing_code, delay_key):
    # The API reference lists ClientToken for AssociateTransitRouterAttachmentWithRouteTable and
    # EnableTransitRouterRouteTablePropagation: a repeat of the same request (its answer lost) gets the first answer.
    return cloud.idempotent(p, lambda: _make_link(cloud, p, collection, pending, existing_code, delay_key))


def _make_link(cloud, p, collection, pending, existing_code, delay_key):
    attachment, table = _link_arguments(cloud, p)
    links = getattr(cloud, collection)
    key = "%s/%s" % (attachment["TransitRouterAttachmentId"], table["TransitRouterRouteTableId"])
    if key in links:
        not_blocked(links[key], key)
        raise ApiError(existing_code, "The attachment %s is already linked to route table %s." % tuple(key.split("/")))
    if collection == "tr_associations":
        # An attachment forwards with one route table per transit router.
        for other in links.values():
            if other["TransitRouterAttachmentId"] == attachment["TransitRouterAttachmentId"] and other["_transit_router"] == table["TransitRouterId"]:
                raise ApiError(existing_code, "The attachment %s is already associated with route table %s."
                               % (attachment["TransitRouterAttachmentId"], other["TransitRouterRouteTableId"]))
    check_dry_run(p)
    links[key] = _link_record(attachment, table, pending)

    def activate():
        link = links.get(key)
        if link is not None and link["Status"] == pending:
            link["Status"] = "Active"

    cloud.later(DELAYS[delay_key], activate)
    return {}


def _remove_link(cloud, p, collection, leaving, missing_code, delay_key):
    attachment = attachment_or_error(cloud, p.required("TransitRouterAttachmentId"), code="InvalidAttachmentId.NotFound")
    table = route_table_or_error(cloud, p.required("TransitRouterRouteTableId"))
    links = getattr(cloud, collection)
    key = "%s/%s" % (attachment["TransitRouterAttachmentId"], table["TransitRouterRouteTableId"])
    if key not in links:
        raise ApiError(missing_code, "The attachment %s is not linked to route table %s." % tuple(key.split("/")))
    not_blocked(links[key], key)
    check_dry_run(p)
    links[key]["Status"] = leaving

    def drop():
        if links.get(key, {}).get("Status") == leaving:
            del links[key]

    cloud.later(DELAYS[delay_key], drop)
    return {}


@action("cbn", "AssociateTransitRouterAttachmentWithRouteTable")
def associate_transit_router_attachment_with_route_table(cloud, p):
    return _create_link(cloud, p, "tr_associations", "Associating", "AssociationExist.TransitRouterTable", "association")


@action("cbn", "DissociateTransitRouterAttachmentFromRouteTable")
def dissociate_transit_router_attachment_from_route_table(cloud, p):
    return _remove_link(cloud, p, "tr_associations", "Dissociating", CBN_CODES["association_missing"], "association")


@action("cbn", "EnableTransitRouterRouteTablePropagation")
def enable_transit_router_route_table_propagation(cloud, p):
    return _create_link(cloud, p, "tr_propagations", "Enabling", CBN_CODES["propagation_exists"], "propagation")


@action("cbn", "DisableTransitRouterRouteTablePropagation")
def disable_transit_router_route_table_propagation(cloud, p):
    return _remove_link(cloud, p, "tr_propagations", "Disabling", CBN_CODES["propagation_missing"], "propagation")


def _list_links(cloud, p, collection, key):
    table = route_table_or_error(cloud, p.required("TransitRouterRouteTableId"))
    wanted = {"TransitRouterAttachmentId": p.str("TransitRouterAttachmentId"), "Status": p.str("Status"),
              "ResourceId": p.str("TransitRouterAttachmentResourceId"), "ResourceType": p.str("TransitRouterAttachmentResourceType")}
    links = [link for link in getattr(cloud, collection).values()
             if link["TransitRouterRouteTableId"] == table["TransitRouterRouteTableId"]
             and all(v is None or link[k] == v for k, v in wanted.items())]
    links.sort(key=lambda link: link["TransitRouterAttachmentId"])
    return token_page(links, p, key, default_size=50, max_size=100)


@action("cbn", "ListTransitRouterRouteTableAssociations")
def list_transit_router_route_table_associations(cloud, p):
    return _list_links(cloud, p, "tr_associations", "TransitRouterAssociations")


@action("cbn", "ListTransitRouterRouteTablePropagations")
def list_transit_router_route_table_propagations(cloud, p):
    return _list_links(cloud, p, "tr_propagations", "TransitRouterPropagations")


# -- learned routes ---------------------------------------------------------------------------------
def _vpc_cidrs(cloud, vpc_id):
    vpc = cloud.vpcs.get(vpc_id)
    if vpc is None:
        return []
    return [vpc["CidrBlock"]] + list(vpc.get("SecondaryCidrBlocks", {}).get("SecondaryCidrBlock", []))


def _published_cidrs(cloud, vpc_id):
    return [r["DestinationCidrBlock"] for r in cloud.published_routes.values()
            if r["ChildInstanceId"] == vpc_id and r["PublishStatus"] == "Published"]


def _data_center_cidrs(cloud, attachment):
    """The data center's networks a VPN or VBR attachment brings to the transit router.

    The cloud: with static routing, a route learning correlation (propagation) advertises the routes of the IPsec
    connection's destination-based route table to the transit router route table (the VPN Gateway guide "Configure routes
    for an IPsec-VPN connection"); with BGP it advertises what the connection learned from the data center. A VBR
    advertises its routes to the data center (static routes or BGP-learned) the same way. The twin models the static case
    only: the fixture's ``_remote_cidr_blocks`` of the IPsec connection and ``_static_routes`` of the VBR, read live.
    """
    if attachment["ResourceType"] == "VPN":
        return list(cloud.vpn_connections.get(attachment["VpnId"], {}).get("_remote_cidr_blocks", []))
    return list(cloud.virtual_border_routers.get(attachment["VbrId"], {}).get("_static_routes", []))


def _propagated_routes(cloud, table_id):
    """What the table learns from its own propagating attachments: VPC CIDR blocks and published VPC routes, and the data
    center's networks behind VPN and VBR attachments."""
    routes = []
    for link in cloud.tr_propagations.values():
        attachment = cloud.tr_attachments.get(link["TransitRouterAttachmentId"])
        if link["TransitRouterRouteTableId"] != table_id or link["Status"] != "Active" or attachment is None:
            continue
        if attachment["Status"] not in ("Attached", "Modifying"):
            continue
        kind = attachment["ResourceType"]
        if kind == "VPC":
            for cidr in _vpc_cidrs(cloud, attachment["VpcId"]):
                routes.append(_route(cidr, attachment, "VPC", attachment["VpcId"], "VPC"))
            for cidr in _published_cidrs(cloud, attachment["VpcId"]):
                routes.append(_route(cidr, attachment, "Published", attachment["VpcId"], "VPC"))
        elif kind in ("VPN", "VBR"):
            resource_id = attachment[RESOURCE_ID_FIELD[kind]]
            for cidr in _data_center_cidrs(cloud, attachment):
                routes.append(_route(cidr, attachment, kind, resource_id, kind))
    return routes


def _route(cidr, attachment, origin, resource_id, resource_type, region=None):
    return {"cidr": cidr, "attachment": attachment["TransitRouterAttachmentId"], "origin": origin, "resource_id": resource_id,
            "resource_type": resource_type, "region": region or attachment["RegionId"]}


def learned_routes(cloud, transit_router_id, route_table_id=None):
    """The routes of a transit router's route table (its System table by default): list of dicts
    {cidr, attachment, origin (VPC | Published | VPN | VBR | TR), resource_id, resource_type, region}.

    VPC, VPN and VBR attachments contribute only while their propagation to the table is Active; the routes of the
    peer transit router (what its own System table learned from its VPC attachments) arrive over an
    Attached peer attachment, as the cloud exchanges them between the two System tables of an
    inter-region connection.
    """
    table = _table_of(cloud, transit_router_id, route_table_id)
    if table is None:
        return []
    routes = _propagated_routes(cloud, table["TransitRouterRouteTableId"])
    if table["TransitRouterRouteTableType"] != "System":
        return routes
    for attachment in cloud.tr_attachments.values():
        if attachment["ResourceType"] != "TR" or attachment["Status"] not in ("Attached", "Modifying"):
            continue
        ends = (attachment["TransitRouterId"], attachment["PeerTransitRouterId"])
        if transit_router_id not in ends:
            continue
        peer_id = ends[1] if ends[0] == transit_router_id else ends[0]
        peer_table = _table_of(cloud, peer_id, None)
        if peer_table is None:
            continue
        peer_region = cloud.transit_routers[peer_id]["RegionId"]
        for learned in _propagated_routes(cloud, peer_table["TransitRouterRouteTableId"]):
            routes.append(_route(learned["cidr"], attachment, "TR", peer_id, "TR", region=peer_region))
    return routes


def _table_of(cloud, transit_router_id, route_table_id):
    for table in cloud.tr_route_tables.values():
        if table["TransitRouterId"] != transit_router_id:
            continue
        if route_table_id == table["TransitRouterRouteTableId"] or (route_table_id is None and table["TransitRouterRouteTableType"] == "System"):
            return table
    return None


def vpc_attachment_route(cloud, vpc_id, destination_ip):
    """For the network twin: the learned route a VPC's traffic to ``destination_ip`` takes through its transit router, or None.

    The VPC's attachment must be Attached and associated (Active) with a route table of its transit router,
    and that table must hold a route covering the address.
    """
    address = ipaddress.ip_address(destination_ip)
    for attachment in cloud.tr_attachments.values():
        if attachment["ResourceType"] != "VPC" or attachment["VpcId"] != vpc_id or attachment["Status"] not in ("Attached", "Modifying"):
            continue
        for link in cloud.tr_associations.values():
            if link["TransitRouterAttachmentId"] != attachment["TransitRouterAttachmentId"] or link["Status"] != "Active":
                continue
            candidates = [r for r in learned_routes(cloud, attachment["TransitRouterId"], link["TransitRouterRouteTableId"])
                          if address in ipaddress.ip_network(r["cidr"]) and r["attachment"] != attachment["TransitRouterAttachmentId"]]
            if candidates:
                return max(candidates, key=lambda r: ipaddress.ip_network(r["cidr"]).prefixlen)
    return None


@action("cbn", "ListTransitRouterRouteEntries")
def list_transit_router_route_entries(cloud, p):
    table = route_table_or_error(cloud, p.required("TransitRouterRouteTableId"))
    entries = [_entry(cloud, table, r) for r in learned_routes(cloud, table["TransitRouterId"], table["TransitRouterRouteTableId"])]
    wanted = {"TransitRouterRouteEntryDestinationCidrBlock": p.str("TransitRouterRouteEntryDestinationCidrBlock"),
              "TransitRouterRouteEntryStatus": p.str("TransitRouterRouteEntryStatus"),
              "TransitRouterRouteEntryType": p.str("TransitRouterRouteEntryType"),
              "TransitRouterRouteEntryNextHopId": p.str("TransitRouterRouteEntryNextHopId"),
              "TransitRouterRouteEntryNextHopResourceId": p.str("TransitRouterRouteEntryNextHopResourceId"),
              "TransitRouterRouteEntryNextHopResourceType": p.str("TransitRouterRouteEntryNextHopResourceType")}
    ids = p.str_list("TransitRouterRouteEntryIds")
    matches = _route_filters(p, [e["TransitRouterRouteEntryDestinationCidrBlock"] for e in entries])
    entries = [e for e in entries if all(v is None or e[k] == v for k, v in wanted.items())
               and (not ids or e["TransitRouterRouteEntryId"] in ids)
               and all(match(e["TransitRouterRouteEntryDestinationCidrBlock"]) for match in matches)]
    entries.sort(key=lambda e: (e["TransitRouterRouteEntryDestinationCidrBlock"], e["TransitRouterRouteEntryId"]))
    return token_page(entries, p, "TransitRouterRouteEntries", default_size=50, max_size=100)


# RouteFilter.N.Key / RouteFilter.N.Value.M of ListTransitRouterRouteEntries: each key a test of a route's destination
# against the values; a route must pass every key given (AND), and one of a key's values.
ROUTE_FILTERS = {
    "PrefixExactMatchCidrs": lambda route, value: route == value,
    "SubnetOfMatchCidrs": lambda route, value: route.version == value.version and route.subnet_of(value),
    "SupernetOfMatchCidrs": lambda route, value: route.version == value.version and route.supernet_of(value),
    "LongestPrefixMatchCidrs": None,  # the covering route with the longest prefix, per value (needs every route: _longest)
}


def _route_filters(p, destinations):
    """The RouteFilter of a request as tests of a destination CIDR block (str); ``destinations`` every route's (for longest prefix)."""
    tests = []
    for key, values in p.filters("RouteFilter").items():
        if key not in ROUTE_FILTERS:
            raise ApiError("InvalidParameter.RouteFilter", "The RouteFilter key %s is not supported (%s)." % (key, ", ".join(ROUTE_FILTERS)))
        try:
            networks = [ipaddress.ip_network(value, strict=False) for value in values]
        except ValueError:
            raise ApiError("InvalidParameter.RouteFilter", "The RouteFilter %s has a value that is not a CIDR block: %s." % (key, ", ".join(values)))
        if ROUTE_FILTERS[key] is None:
            kept = _longest(networks, destinations)
            tests.append(lambda cidr, kept=kept: cidr in kept)
        else:
            tests.append(lambda cidr, test=ROUTE_FILTERS[key], networks=networks:
                         any(test(ipaddress.ip_network(cidr), value) for value in networks))
    return tests


def _longest(networks, destinations):
    kept = set()
    for value in networks:
        covering = [ipaddress.ip_network(cidr) for cidr in destinations]
        covering = [route for route in covering if route.version == value.version and value.subnet_of(route)]
        if covering:
            kept.add(str(max(covering, key=lambda route: route.prefixlen)))
    return kept


def _entry(cloud, table, route):
    entry_id = stable_id("rte", table["TransitRouterRouteTableId"], route["cidr"], route["attachment"])
    return {
        "TransitRouterRouteEntryId": entry_id, "TransitRouterRouteEntryDestinationCidrBlock": route["cidr"],
        "TransitRouterRouteEntryType": "Propagated", "TransitRouterRouteEntryStatus": "Active",
        "TransitRouterRouteEntryNextHopType": "Attachment", "TransitRouterRouteEntryNextHopId": route["attachment"],
        "TransitRouterRouteEntryNextHopResourceId": route["resource_id"], "TransitRouterRouteEntryNextHopResourceType": route["resource_type"],
        "TransitRouterRouteEntryOriginResourceId": route["resource_id"], "TransitRouterRouteEntryOriginResourceType": route["resource_type"],
        "TransitRouterRouteEntryName": "", "TransitRouterRouteEntryDescription": "", "CreateTime": table["CreateTime"],
        "OperationalMode": False, "PrefixListId": "", "Tag": "",
        "PathAttributes": {"AsPaths": [], "Communities": [], "OriginInstanceId": route["resource_id"], "OriginInstanceType": route["resource_type"],
                           "OriginRouteType": "Custom" if route["origin"] == "Published" else "System", "Preference": 50},
    }


# -- publishing VPC route entries to CEN ------------------------------------------------------------------
def _child_instance(cloud, p):
    cen_id = p.required("CenId")
    cen_or_error(cloud, cen_id, code="ParameterIllegal.CenInstanceId")
    kind = p.required("ChildInstanceType")
    if kind not in ("VPC", "VBR"):
        raise ApiError("ParameterIllegal.ChildInstanceType", "The parameter of child instance type (%s) is illegal." % kind)
    vpc_id = p.required("ChildInstanceId")
    region = p.required("ChildInstanceRegionId")
    vpc = cloud.vpcs.get(vpc_id) if kind == "VPC" else None
    if vpc is None or vpc["RegionId"] != region:
        raise ApiError("Instance.NotExist", "The instance is not exist: %s %s in %s." % (kind, vpc_id, region), status=404)
    attached = [a for a in cloud.tr_attachments.values() if a["ResourceType"] == "VPC" and a["VpcId"] == vpc_id and a["CenId"] == cen_id]
    if not attached:
        raise ApiError("Instance.NotExist", "The instance is not exist: VPC %s is not attached to CEN %s." % (vpc_id, cen_id), status=404)
    return cen_id, vpc


def _route_entry(cloud, vpc, table_id, cidr):
    table = cloud.route_tables.get(table_id)
    if table is None or table.get("VpcId") != vpc["VpcId"]:
        raise ApiError("Instance.NotExist", "The instance is not exist: route table %s of VPC %s." % (table_id, vpc["VpcId"]), status=404)
    if table.get("RouteTableType") != "System":
        # The transit router guide: routes of a VPC custom route table cannot be advertised to a transit router.
        raise ApiError("InvalidOperation.UnsupportRouteTableType", "The route table type is unsupported: %s is a %s route table; only "
                       "entries of the VPC's system route table can be published to CEN." % (table_id, table.get("RouteTableType")))
    for entry in cloud.route_entries.values():
        if entry["RouteTableId"] == table_id and entry["DestinationCidrBlock"] == cidr:
            return entry
    raise ApiError("InvalidOperation.NotFoundRoute", "The specified route does not exist: %s in %s." % (cidr, table_id))


def _publish_key(vpc_id, table_id, cidr):
    return "%s/%s/%s" % (vpc_id, table_id, cidr)


@action("cbn", "PublishRouteEntries")
def publish_route_entries(cloud, p):
    cen_id, vpc = _child_instance(cloud, p)
    table_id = p.required("ChildInstanceRouteTableId")
    cidr = p.cidr("DestinationCidrBlock", required=True)
    entry = _route_entry(cloud, vpc, table_id, cidr)
    if entry.get("Type") == "System" or entry.get("NextHopType") in UNPUBLISHABLE_NEXT_HOPS:
        raise ApiError("InvalidOperation.UnsupportnexthopType", "The nexthop type is unsupported: the entry %s (%s, next hop %s) cannot be "
                       "published." % (cidr, entry.get("Type"), entry.get("NextHopType")))
    key = _publish_key(vpc["VpcId"], table_id, cidr)
    record = cloud.published_routes.get(key)
    if record is not None and record["_pending"]:
        raise ApiError("Operation.Blocking", "A change of the published route %s is in progress." % cidr)
    if record is not None and record["PublishStatus"] == "Published":
        return {}
    cloud.published_routes[key] = {"CenId": cen_id, "ChildInstanceId": vpc["VpcId"], "ChildInstanceRegionId": vpc["RegionId"],
                                   "ChildInstanceRouteTableId": table_id, "ChildInstanceType": "VPC", "DestinationCidrBlock": cidr,
                                   "RouteEntryId": entry["RouteEntryId"], "PublishStatus": "NonPublished", "_pending": "Published"}
    _settle_publish_later(cloud, key)
    return {}


def _settle_publish_later(cloud, key):
    def apply():
        record = cloud.published_routes.get(key)
        if record is None or not record["_pending"]:
            return
        if record["_pending"] == "NonPublished":
            del cloud.published_routes[key]
            return
        record["PublishStatus"], record["_pending"] = record["_pending"], None

    cloud.later(DELAYS["publish"], apply)


@action("cbn", "WithdrawPublishedRouteEntries")
def withdraw_published_route_entries(cloud, p):
    _cen, vpc = _child_instance(cloud, p)
    table_id = p.required("ChildInstanceRouteTableId")
    cidr = p.cidr("DestinationCidrBlock", required=True)
    key = _publish_key(vpc["VpcId"], table_id, cidr)
    record = cloud.published_routes.get(key)
    if record is None or (record["PublishStatus"] != "Published" and not record["_pending"]):
        raise ApiError("InvalidOperation.NotFoundRoute", "The specified route does not exist: %s is not published from %s." % (cidr, table_id))
    if record["_pending"]:
        raise ApiError("Operation.Blocking", "A change of the published route %s is in progress." % cidr)
    record["_pending"] = "NonPublished"
    _settle_publish_later(cloud, key)
    return {}


@action("cbn", "DescribePublishedRouteEntries")
def describe_published_route_entries(cloud, p):
    _cen, vpc = _child_instance(cloud, p)
    table_id = p.str("ChildInstanceRouteTableId")
    cidr = p.cidr("DestinationCidrBlock")
    tables = [t for t in cloud.route_tables.values() if t.get("VpcId") == vpc["VpcId"] and (not table_id or t["RouteTableId"] == table_id)]
    if table_id and not tables:
        raise ApiError("Instance.NotExist", "The instance is not exist: route table %s of VPC %s." % (table_id, vpc["VpcId"]), status=404)
    table_ids = set(t["RouteTableId"] for t in tables)
    entries = [e for e in cloud.route_entries.values() if e["RouteTableId"] in table_ids and (not cidr or e["DestinationCidrBlock"] == cidr)]
    entries.sort(key=lambda e: (e["RouteTableId"], e["DestinationCidrBlock"]))
    page, meta = page_by_number(entries, p, default_size=10, max_size=100)
    answer = {"PublishedRouteEntries": {"PublishedRouteEntry": [_published_entry(cloud, vpc, e) for e in page]}}
    answer.update(meta)
    return answer


def _published_entry(cloud, vpc, entry):
    record = cloud.published_routes.get(_publish_key(vpc["VpcId"], entry["RouteTableId"], entry["DestinationCidrBlock"]))
    return {"ChildInstanceRouteTableId": entry["RouteTableId"], "DestinationCidrBlock": entry["DestinationCidrBlock"],
            "NextHopType": entry.get("NextHopType", ""), "NextHopId": entry.get("NextHopId", ""), "RouteType": entry.get("Type", "Custom"),
            "PublishStatus": record["PublishStatus"] if record else "NonPublished", "OperationalMode": False, "Conflicts": {"Conflict": []}}
