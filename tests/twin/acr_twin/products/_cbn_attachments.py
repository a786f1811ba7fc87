"""CBN 2017-09-12: VPC attachments and inter-region (peer) attachments of transit routers."""

from acr_twin.errors import ApiError
from acr_twin.products._cbn_common import (TWIN_ACCOUNT, CBN_CODES, active_cen, active_tr, attachment_or_error, check_dry_run,
                                           check_name, not_blocked, remove_later, set_status_later, token_page, tr_or_error)
from acr_twin.registry import action

MAX_ZONES = 10
BANDWIDTH_TYPES = ("DataTransfer", "BandwidthPackage")


# -- VPC attachments -----------------------------------------------------------
@action("cbn", "CreateTransitRouterVpcAttachment")
def create_transit_router_vpc_attachment(cloud, p):
    router = router_for_attachment(cloud, p)
    vpc = _vpc_in_region(cloud, p.required("VpcId"), router["RegionId"])
    mappings = _zone_mappings(cloud, p.list("ZoneMappings", ["VSwitchId", "ZoneId"]), vpc, "ZoneMappings", required=True)
    name = check_name(p, "TransitRouterAttachmentName")
    description = check_name(p, "TransitRouterAttachmentDescription", maximum=256)
    options = p.json("TransitRouterVPCAttachmentOptions", default={}) or {}
    auto_publish = p.bool("AutoPublishRouteEnabled", default=False)
    p.str("ChargeType", choices=("POSTPAY",))

    def create():
        for other in cloud.tr_attachments.values():
            if other["ResourceType"] == "VPC" and other["VpcId"] == vpc["VpcId"] and other["CenId"] != router["CenId"]:
                # A VPC joins one CEN instance only. The code and status are the ones the AttachCenChildInstance API
                # reference documents for a network instance attached to another CEN (help.aliyun.com doc-detail 65902,
                # "InvalidOperation.ChildInstanceAlreadyAttached: Operation is invalid because the child-instance has
                # already been attached to another CEN", HTTP 409); the CreateTransitRouterVpcAttachment reference lists
                # no code of its own for this case, and the transit router attaches the same child instance.
                raise ApiError("InvalidOperation.ChildInstanceAlreadyAttached", "Operation is invalid because the child-instance %s has "
                               "already been attached to another CEN (%s, by %s)."
                               % (vpc["VpcId"], other["CenId"], other["TransitRouterAttachmentId"]), status=409)
            if other["ResourceType"] == "VPC" and other["VpcId"] == vpc["VpcId"] and other["TransitRouterId"] == router["TransitRouterId"]:
                raise ApiError(CBN_CODES["vpc_already_attached"], "The VPC %s is already attached to transit router %s by %s."
                               % (vpc["VpcId"], router["TransitRouterId"], other["TransitRouterAttachmentId"]))
        check_dry_run(p)
        attachment_id = cloud.new_id("tr-attach")
        cloud.tr_attachments[attachment_id] = {
            "TransitRouterAttachmentId": attachment_id, "ResourceType": "VPC", "TransitRouterId": router["TransitRouterId"],
            "CenId": router["CenId"], "RegionId": router["RegionId"], "VpcId": vpc["VpcId"], "VpcRegionId": vpc["RegionId"],
            "VpcOwnerId": TWIN_ACCOUNT, "Status": "Attaching", "ZoneMappings": [_mapping(cloud, m) for m in mappings],
            "AutoPublishRouteEnabled": auto_publish, "TransitRouterAttachmentName": name or "",
            "TransitRouterAttachmentDescription": description or "", "CreationTime": cloud.now_iso(), "ChargeType": "POSTPAY",
            "OrderType": "PayByCenOwner", "ManagedService": "", "Tags": [],
            "TransitRouterVPCAttachmentOptions": dict({"ipv6Support": "disable"}, **dict((k, str(v)) for k, v in options.items())),
        }
        set_status_later(cloud, "tr_attachments", attachment_id, "vpc_attach", "Attaching", "Attached")
        return {"TransitRouterAttachmentId": attachment_id}

    return cloud.idempotent(p, create)


def router_for_attachment(cloud, p):
    """TransitRouterId, or CenId + RegionId naming the CEN's transit router in that region."""
    tr_id = p.str("TransitRouterId")
    cen_id = p.str("CenId")
    region = p.region(required=False)
    if tr_id:
        router = tr_or_error(cloud, tr_id)
        if cen_id and router["CenId"] != cen_id:
            raise ApiError("IllegalParam.CenId", "The transit router %s does not belong to CEN %s." % (tr_id, cen_id))
    else:
        if not cen_id or not region:
            raise ApiError("MissingParam.CenIdOrRegionId", "Either TransitRouterId, or CenId and RegionId must be specified.")
        active_cen(cloud, cen_id)
        found = [r for r in cloud.transit_routers.values() if r["CenId"] == cen_id and r["RegionId"] == region]
        if not found:
            raise ApiError("InvalidOperation.TransitRouterNotExist", "CEN %s has no transit router in region %s." % (cen_id, region))
        router = found[0]
    if region and region != router["RegionId"]:
        raise ApiError("IllegalParam.RegionId", "RegionId %s is not the region of transit router %s (%s)."
                       % (region, router["TransitRouterId"], router["RegionId"]))
    active_cen(cloud, router["CenId"])
    return active_tr(cloud, router["TransitRouterId"])


def _vpc_in_region(cloud, vpc_id, region):
    vpc = cloud.vpcs.get(vpc_id)
    if vpc is None:
        raise ApiError(CBN_CODES["vpc_not_found"], "The specified VpcId (%s) is not found." % vpc_id, status=404)
    if vpc["RegionId"] != region:
        raise ApiError("IllegalParam.RegionId", "The VPC %s is in region %s, not in the transit router's region %s."
                       % (vpc_id, vpc["RegionId"], region))
    if vpc.get("Status") != "Available":
        raise ApiError("IncorrectStatus.Vpc", "The VPC %s is %s, not in a valid state for the attachment operation." % (vpc_id, vpc.get("Status")))
    return vpc


def _zone_mappings(cloud, rows, vpc, name, required):
    """Validate ``Name.N.VSwitchId`` / ``Name.N.ZoneId`` against the VPC's vSwitches, as the cloud does."""
    if required and not rows:
        raise ApiError("IllegalParam.ZoneMappings", "The Specified Parameter %s is illegal: at least one zone (two recommended) is required." % name)
    if len(rows) > MAX_ZONES:
        raise ApiError("IllegalParam.ZoneMappings", "At most %d zones can be specified, not %d." % (MAX_ZONES, len(rows)))
    zones = set()
    for index, row in enumerate(rows, 1):
        vsw_id, zone = row["VSwitchId"], row["ZoneId"]
        if not vsw_id or not zone:
            raise ApiError("MissingParameter", 'The input parameter "%s.%d.%s" that is mandatory for processing this request is not supplied.'
                           % (name, index, "VSwitchId" if not vsw_id else "ZoneId"))
        vswitch = cloud.vswitches.get(vsw_id)
        if vswitch is None:
            raise ApiError("InvalidVSwitchId.NotFound", "The specified VSwitchId (%s) is not found." % vsw_id, status=404)
        if vswitch["VpcId"] != vpc["VpcId"]:
            raise ApiError("IllegalParam.VSwitchId", "The vSwitch %s belongs to VPC %s, not to %s." % (vsw_id, vswitch["VpcId"], vpc["VpcId"]))
        if vswitch["ZoneId"] != zone:
            raise ApiError("IllegalParam.ZoneId", "The vSwitch %s is in zone %s, not in %s." % (vsw_id, vswitch["ZoneId"], zone))
        if zone in zones:
            raise ApiError("Duplicated.ZoneMapping", "The parameter ZoneMapping is duplicated: zone %s appears twice." % zone)
        zones.add(zone)
    return rows


def _mapping(cloud, row):
    return {"VSwitchId": row["VSwitchId"], "ZoneId": row["ZoneId"], "NetworkInterfaceId": cloud.new_id("eni", cloud.vswitches[row["VSwitchId"]]["RegionId"])}


@action("cbn", "ListTransitRouterVpcAttachments")
def list_transit_router_vpc_attachments(cloud, p):
    return list_attachments(cloud, p, "VPC", ("CenId", "RegionId", "TransitRouterId", "VpcId", "TransitRouterAttachmentId", "Status"))


def list_attachments(cloud, p, resource_type, filter_names):
    wanted = dict((name, p.str(name)) for name in filter_names)
    items = [a for a in cloud.tr_attachments.values()
             if a["ResourceType"] == resource_type and all(v is None or a.get(k) == v for k, v in wanted.items())]
    items.sort(key=lambda a: a["TransitRouterAttachmentId"])
    return token_page(items, p, "TransitRouterAttachments")


@action("cbn", "UpdateTransitRouterVpcAttachmentZones")
def update_transit_router_vpc_attachment_zones(cloud, p):
    attachment = attachment_or_error(cloud, p.required("TransitRouterAttachmentId"), "VPC")
    not_blocked(attachment, attachment["TransitRouterAttachmentId"])
    vpc = cloud.vpcs.get(attachment["VpcId"], {"VpcId": attachment["VpcId"]})
    added = _zone_mappings(cloud, p.list("AddZoneMappings", ["VSwitchId", "ZoneId"]), vpc, "AddZoneMappings", required=False)
    removed = p.list("RemoveZoneMappings", ["VSwitchId", "ZoneId"])
    if not added and not removed:
        raise ApiError("MissingParameter", "Either AddZoneMappings or RemoveZoneMappings must be specified.")
    current = dict((m["ZoneId"], m) for m in attachment["ZoneMappings"])
    for row in removed:
        mapping = current.get(row["ZoneId"])
        if mapping is None or mapping["VSwitchId"] != row["VSwitchId"]:
            raise ApiError("IllegalParam.ZoneMappings", "The attachment has no zone mapping %s / %s to remove." % (row["ZoneId"], row["VSwitchId"]))
        del current[row["ZoneId"]]
    for row in added:
        if row["ZoneId"] in current:
            raise ApiError("Duplicated.ZoneMapping", "The attachment already has a vSwitch in zone %s." % row["ZoneId"])
        current[row["ZoneId"]] = _mapping(cloud, row)
    if not current:
        raise ApiError("IllegalParam.ZoneMappings", "An attachment needs at least one zone: the last one cannot be removed.")
    check_dry_run(p)
    attachment["ZoneMappings"] = sorted(current.values(), key=lambda m: m["ZoneId"])
    attachment["Status"] = "Modifying"
    set_status_later(cloud, "tr_attachments", attachment["TransitRouterAttachmentId"], "vpc_modify", "Modifying", "Attached")
    return {}


@action("cbn", "UpdateTransitRouterVpcAttachmentAttribute")
def update_transit_router_vpc_attachment_attribute(cloud, p):
    attachment = attachment_or_error(cloud, p.required("TransitRouterAttachmentId"), "VPC")
    not_blocked(attachment, attachment["TransitRouterAttachmentId"])
    changes = common_attribute_changes(p)
    options = p.json("TransitRouterVPCAttachmentOptions")
    check_dry_run(p)
    attachment.update(changes)
    if options:
        attachment["TransitRouterVPCAttachmentOptions"].update(dict((k, str(v)) for k, v in options.items()))
    return {}


def common_attribute_changes(p):
    changes = {}
    name = check_name(p, "TransitRouterAttachmentName")
    description = check_name(p, "TransitRouterAttachmentDescription", maximum=256)
    auto_publish = p.bool("AutoPublishRouteEnabled")
    if name is not None:
        changes["TransitRouterAttachmentName"] = name
    if description is not None:
        changes["TransitRouterAttachmentDescription"] = description
    if auto_publish is not None:
        changes["AutoPublishRouteEnabled"] = auto_publish
    return changes


@action("cbn", "DeleteTransitRouterVpcAttachment")
def delete_transit_router_vpc_attachment(cloud, p):
    attachment = attachment_or_error(cloud, p.required("TransitRouterAttachmentId"), "VPC")
    delete_attachment(cloud, p, attachment, "vpc_detach")
    return {}


def delete_attachment(cloud, p, attachment, delay_key):
    attachment_id = attachment["TransitRouterAttachmentId"]
    not_blocked(attachment, attachment_id)
    force = p.bool("Force", default=False)
    associations = [k for k, a in cloud.tr_associations.items() if a["TransitRouterAttachmentId"] == attachment_id]
    propagations = [k for k, a in cloud.tr_propagations.items() if a["TransitRouterAttachmentId"] == attachment_id]
    if associations and not force:
        raise ApiError("OperationFailed.RouteTableAssociationExist", "Operation failed because there is associated routing table (%s)."
                       % ", ".join(cloud.tr_associations[k]["TransitRouterRouteTableId"] for k in associations))
    if propagations and not force:
        raise ApiError("OperationFailed.RouteTablePropagationExist", "The specified TransitRouterAttachment %s has configured "
                       "RouteTablePropagation. Please remove the configuration first." % attachment_id)
    referencing = sorted(e["RouteEntryId"] for e in cloud.route_entries.values() if e.get("NextHopId") == attachment_id)
    if referencing:
        raise ApiError("OperationFailed.AttachmentReferencedVpcRouteEntryExisted", "Operation is failed because there is at least one "
                       "route entry which next hop is the specified attachment: %s." % ", ".join(referencing))
    check_dry_run(p)
    for key in associations:
        del cloud.tr_associations[key]
    for key in propagations:
        del cloud.tr_propagations[key]
    attachment["Status"] = "Detaching"
    remove_later(cloud, "tr_attachments", attachment_id, delay_key, "Detaching")


# -- peer (inter-region) attachments -----------------------------------------------------------------
@action("cbn", "CreateTransitRouterPeerAttachment")
def create_transit_router_peer_attachment(cloud, p):
    router = active_tr(cloud, p.required("TransitRouterId"))
    peer = tr_or_error(cloud, p.required("PeerTransitRouterId"))
    region = p.region(required=False)
    if region and region != router["RegionId"]:
        raise ApiError("IllegalParam.RegionId", "RegionId %s is not the region of transit router %s (%s)."
                       % (region, router["TransitRouterId"], router["RegionId"]))
    peer_region = p.str("PeerTransitRouterRegionId")
    if peer_region and peer_region != peer["RegionId"]:
        raise ApiError("IllegalParam.PeerTransitRouterRegionId", "PeerTransitRouterRegionId %s is not the region of %s (%s)."
                       % (peer_region, peer["TransitRouterId"], peer["RegionId"]))
    if peer["RegionId"] == router["RegionId"]:
        raise ApiError("IllegalParam.PeerTransitRouterRegionId", "An inter-region connection needs transit routers in two regions, "
                       "both are in %s." % router["RegionId"])
    cen_id = p.str("CenId") or router["CenId"]
    if router["CenId"] != cen_id or peer["CenId"] != cen_id:
        raise ApiError("IllegalParam.CenId", "Both transit routers must belong to CEN %s." % cen_id)
    active_cen(cloud, cen_id)
    active_tr(cloud, peer["TransitRouterId"])
    bandwidth = _bandwidth_settings(p, defaults={"BandwidthType": "BandwidthPackage", "Bandwidth": 0, "CenBandwidthPackageId": ""})
    name = check_name(p, "TransitRouterAttachmentName")
    description = check_name(p, "TransitRouterAttachmentDescription", maximum=256)
    link_type = p.str("DefaultLinkType", default="Gold", choices=("Platinum", "Gold", "Silver"))
    auto_publish = p.bool("AutoPublishRouteEnabled", default=False)

    def create():
        pair = set((router["TransitRouterId"], peer["TransitRouterId"]))
        for other in cloud.tr_attachments.values():
            if other["ResourceType"] == "TR" and set((other["TransitRouterId"], other["PeerTransitRouterId"])) == pair:
                raise ApiError(CBN_CODES["peer_exists"], "Transit routers %s are already connected by %s."
                               % (" and ".join(sorted(pair)), other["TransitRouterAttachmentId"]))
        check_dry_run(p)
        attachment_id = cloud.new_id("tr-attach")
        cloud.tr_attachments[attachment_id] = dict(bandwidth, **{
            "TransitRouterAttachmentId": attachment_id, "ResourceType": "TR", "TransitRouterId": router["TransitRouterId"],
            "CenId": cen_id, "RegionId": router["RegionId"], "PeerTransitRouterId": peer["TransitRouterId"],
            "PeerTransitRouterRegionId": peer["RegionId"], "PeerTransitRouterOwnerId": TWIN_ACCOUNT, "Status": "Attaching",
            "AutoPublishRouteEnabled": auto_publish, "DefaultLinkType": link_type, "GeographicSpanId": "china_china",
            "TransitRouterAttachmentName": name or "", "TransitRouterAttachmentDescription": description or "",
            "CreationTime": cloud.now_iso(), "Tags": [],
        })
        set_status_later(cloud, "tr_attachments", attachment_id, "peer_attach", "Attaching", "Attached")
        return {"TransitRouterAttachmentId": attachment_id}

    return cloud.idempotent(p, create)


def _bandwidth_settings(p, defaults):
    """BandwidthType / Bandwidth / CenBandwidthPackageId as the cloud checks them; ``defaults`` fill what is not sent."""
    kind = p.str("BandwidthType", default=defaults["BandwidthType"])
    if kind not in BANDWIDTH_TYPES:
        raise ApiError("IllegalParam.BandwidthType", "BandwidthType must be DataTransfer or BandwidthPackage, not %r." % kind)
    bandwidth = p.str("Bandwidth")
    if bandwidth is None:
        bandwidth = defaults["Bandwidth"]
    elif not bandwidth.isdigit() or not 0 <= int(bandwidth) <= 100000:
        raise ApiError("IllegalParam.Bandwidth", "Bandwidth is illegal: an integer number of Mbit/s expected, not %r." % bandwidth)
    package = p.str("CenBandwidthPackageId", default=defaults["CenBandwidthPackageId"] if kind == "BandwidthPackage" else "")
    if kind == "BandwidthPackage" and int(bandwidth) > 0 and not package:
        raise ApiError("MissingParam.CenBandwidthPackageId", "BandwidthType BandwidthPackage with a bandwidth needs CenBandwidthPackageId.")
    if kind == "DataTransfer" and p.str("CenBandwidthPackageId"):
        raise ApiError("IllegalParam.CenBandwidthPackageId", "BandwidthType DataTransfer takes no CenBandwidthPackageId.")
    return {"BandwidthType": kind, "Bandwidth": int(bandwidth), "CenBandwidthPackageId": package or ""}


@action("cbn", "ListTransitRouterPeerAttachments")
def list_transit_router_peer_attachments(cloud, p):
    return list_attachments(cloud, p, "TR", ("CenId", "RegionId", "TransitRouterId", "TransitRouterAttachmentId"))


@action("cbn", "UpdateTransitRouterPeerAttachmentAttribute")
def update_transit_router_peer_attachment_attribute(cloud, p):
    attachment = attachment_or_error(cloud, p.required("TransitRouterAttachmentId"), "TR")
    not_blocked(attachment, attachment["TransitRouterAttachmentId"])
    changes = common_attribute_changes(p)
    bandwidth = _bandwidth_settings(p, defaults=attachment)
    link_type = p.str("DefaultLinkType", choices=("Platinum", "Gold", "Silver"))
    if link_type:
        changes["DefaultLinkType"] = link_type
    check_dry_run(p)
    attachment.update(changes)
    if any(attachment[k] != v for k, v in bandwidth.items()):
        attachment.update(bandwidth)
        attachment["Status"] = "Modifying"
        set_status_later(cloud, "tr_attachments", attachment["TransitRouterAttachmentId"], "peer_modify", "Modifying", "Attached")
    return {}


@action("cbn", "DeleteTransitRouterPeerAttachment")
def delete_transit_router_peer_attachment(cloud, p):
    attachment = attachment_or_error(cloud, p.required("TransitRouterAttachmentId"), "TR")
    delete_attachment(cloud, p, attachment, "peer_detach")
    return {}
