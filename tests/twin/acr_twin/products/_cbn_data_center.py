"""CBN 2017-09-12: the data center's links attached to a transit router -- IPsec connections (VPN attachments) and
Express Connect virtual border routers (VBR attachments).

The IPsec connections and VBRs themselves belong to the VPC API (``cloud.vpn_connections``, ``cloud.virtual_border_routers``,
loaded from the fixture); these handlers read those collections directly and never change them.

What the cloud checks, and what the twin does of it:
- CreateTransitRouterVpnAttachment: the IPsec connection must be in the transit router's region, bound to a transit router
  (AttachType CEN, not to a VPN gateway) and not attached yet (the API reference's prerequisites). The reference also asks
  for a transit router CIDR block first (CreateTransitRouterCidr): the twin does not model those and does not ask.
- CreateTransitRouterVbrAttachment: the VBR must exist in the region and be attached to no other transit router. Given
  CenId + RegionId without a transit router there, the cloud creates one; the twin answers
  InvalidOperation.TransitRouterNotExist instead (the collection always creates the transit router first).
- A new attachment is neither associated with nor propagating to any route table (both API references).
Error codes not found in a public source are in ``acr_twin.error_codes.UNVERIFIED`` (named by case in ``_cbn_common.CBN_CODES``).
"""

from acr_twin.errors import ApiError
from acr_twin.products._cbn_attachments import common_attribute_changes, delete_attachment, list_attachments, router_for_attachment
from acr_twin.products._cbn_common import (TWIN_ACCOUNT, CBN_CODES, attachment_or_error, check_dry_run, check_name, not_blocked,
                                           set_status_later)
from acr_twin.registry import action

LIST_FILTERS = ("CenId", "RegionId", "TransitRouterId", "TransitRouterAttachmentId")


def _common_fields(cloud, router, resource_type, p, auto_publish_default):
    return {
        "ResourceType": resource_type, "TransitRouterId": router["TransitRouterId"], "CenId": router["CenId"],
        "RegionId": router["RegionId"], "Status": "Attaching", "CreationTime": cloud.now_iso(), "OrderType": "PayByCenOwner", "Tags": [],
        "AutoPublishRouteEnabled": p.bool("AutoPublishRouteEnabled", default=auto_publish_default),
        "TransitRouterAttachmentName": check_name(p, "TransitRouterAttachmentName") or "",
        "TransitRouterAttachmentDescription": check_name(p, "TransitRouterAttachmentDescription", maximum=256) or "",
    }


def _owner(p, name):
    """VpnOwnerId / VbrOwnerId: the twin has one account; another one's resource is not visible to it."""
    owner = p.int(name, default=TWIN_ACCOUNT)
    if owner != TWIN_ACCOUNT:
        raise ApiError("IllegalParam.%s" % name, "The twin has one account (%d); %s %d is not it." % (TWIN_ACCOUNT, name, owner))
    return owner


def _holder(cloud, key, ident):
    """The attachment that already holds the IPsec connection / VBR (whatever its status), or None."""
    for attachment in cloud.tr_attachments.values():
        if attachment.get(key) == ident:
            return attachment
    return None


# -- VPN (IPsec connection) attachments ----------------------------------------------------------------
@action("cbn", "CreateTransitRouterVpnAttachment")
def create_transit_router_vpn_attachment(cloud, p):
    router = router_for_attachment(cloud, p)
    vpn_id = p.required("VpnId")
    connection = cloud.vpn_connections.get(vpn_id)
    if connection is None:
        raise ApiError(CBN_CODES["vpn_not_found"], "The specified VpnId (%s) is not found." % vpn_id, status=404)
    if connection["RegionId"] != router["RegionId"]:
        raise ApiError("IllegalParam.RegionId", "The IPsec connection %s is in region %s, not in the transit router's region %s."
                       % (vpn_id, connection["RegionId"], router["RegionId"]))
    if connection.get("AttachType") != "CEN":
        raise ApiError(CBN_CODES["vpn_not_cen"], "The IPsec connection %s is bound to %s (attach type %s); only a connection bound to "
                       "a transit router (attach type CEN) can be attached." % (vpn_id, connection.get("VpnGatewayId") or "a VPN gateway",
                                                                                connection.get("AttachType")))
    owner = _owner(p, "VpnOwnerId")
    zones = _zones(cloud, p.list("Zone", ["ZoneId"]), router["RegionId"])
    p.str("ChargeType", choices=("POSTPAY",))
    # The SDK's documented default: the transit router advertises its routes to the IPsec connection unless told not to.
    fields = _common_fields(cloud, router, "VPN", p, auto_publish_default=True)

    def create():
        holder = _holder(cloud, "VpnId", vpn_id)
        if holder is not None:
            raise ApiError(CBN_CODES["vpn_already_attached"], "The IPsec connection %s is already attached by %s."
                           % (vpn_id, holder["TransitRouterAttachmentId"]))
        check_dry_run(p)
        attachment_id = cloud.new_id("tr-attach")
        cloud.tr_attachments[attachment_id] = dict(fields, TransitRouterAttachmentId=attachment_id, VpnId=vpn_id, VpnOwnerId=owner,
                                                   VpnRegionId=connection["RegionId"], ChargeType="POSTPAY",
                                                   Zones=[{"ZoneId": zone} for zone in zones])
        set_status_later(cloud, "tr_attachments", attachment_id, "vpn_attach", "Attaching", "Attached")
        return {"TransitRouterAttachmentId": attachment_id}

    return cloud.idempotent(p, create)


def _zones(cloud, rows, region):
    """Zone.N.ZoneId: zones of the region (those of its vSwitches in the twin), each once."""
    known = set(v["ZoneId"] for v in cloud.vswitches.values() if v.get("RegionId") == region)
    zones = []
    for index, row in enumerate(rows, 1):
        zone = row["ZoneId"]
        if not zone:
            raise ApiError("MissingParameter", 'The input parameter "Zone.%d.ZoneId" that is mandatory for processing this request is not supplied.'
                           % index)
        if zone not in known:
            raise ApiError("IllegalParam.ZoneId", "The zone %s is not a zone of region %s." % (zone, region))
        if zone in zones:
            raise ApiError("Duplicated.ZoneMapping", "The zone %s appears twice." % zone)
        zones.append(zone)
    return zones


@action("cbn", "ListTransitRouterVpnAttachments")
def list_transit_router_vpn_attachments(cloud, p):
    return list_attachments(cloud, p, "VPN", LIST_FILTERS)


@action("cbn", "UpdateTransitRouterVpnAttachmentAttribute")
def update_transit_router_vpn_attachment_attribute(cloud, p):
    return _update_attribute(cloud, p, "VPN")


@action("cbn", "DeleteTransitRouterVpnAttachment")
def delete_transit_router_vpn_attachment(cloud, p):
    delete_attachment(cloud, p, attachment_or_error(cloud, p.required("TransitRouterAttachmentId"), "VPN"), "vpn_detach")
    return {}


def _update_attribute(cloud, p, resource_type):
    attachment = attachment_or_error(cloud, p.required("TransitRouterAttachmentId"), resource_type)
    not_blocked(attachment, attachment["TransitRouterAttachmentId"])
    changes = common_attribute_changes(p)
    check_dry_run(p)
    attachment.update(changes)
    return {}


# -- VBR (Express Connect virtual border router) attachments -------------------------------------------------------
@action("cbn", "CreateTransitRouterVbrAttachment")
def create_transit_router_vbr_attachment(cloud, p):
    router = router_for_attachment(cloud, p)
    vbr_id = p.required("VbrId")
    vbr = cloud.virtual_border_routers.get(vbr_id)
    if vbr is None:
        raise ApiError(CBN_CODES["vbr_not_found"], "The specified VbrId (%s) is not found." % vbr_id, status=404)
    if vbr["RegionId"] != router["RegionId"]:
        raise ApiError("IllegalParam.RegionId", "The VBR %s is in region %s, not in the transit router's region %s."
                       % (vbr_id, vbr["RegionId"], router["RegionId"]))
    if vbr.get("Status") != "active":
        raise ApiError(CBN_CODES["vbr_not_active"], "The VBR %s is %s, not active." % (vbr_id, vbr.get("Status")))
    owner = _owner(p, "VbrOwnerId")
    fields = _common_fields(cloud, router, "VBR", p, auto_publish_default=False)  # the SDK's documented default

    def create():
        holder = _holder(cloud, "VbrId", vbr_id)
        if holder is not None:
            raise ApiError(CBN_CODES["vbr_already_attached"], "The VBR %s is already attached by %s." % (vbr_id, holder["TransitRouterAttachmentId"]))
        check_dry_run(p)
        attachment_id = cloud.new_id("tr-attach")
        cloud.tr_attachments[attachment_id] = dict(fields, TransitRouterAttachmentId=attachment_id, VbrId=vbr_id, VbrOwnerId=owner,
                                                   VbrRegionId=vbr["RegionId"])
        set_status_later(cloud, "tr_attachments", attachment_id, "vbr_attach", "Attaching", "Attached")
        return {"TransitRouterAttachmentId": attachment_id}

    return cloud.idempotent(p, create)


@action("cbn", "ListTransitRouterVbrAttachments")
def list_transit_router_vbr_attachments(cloud, p):
    return list_attachments(cloud, p, "VBR", LIST_FILTERS)


@action("cbn", "UpdateTransitRouterVbrAttachmentAttribute")
def update_transit_router_vbr_attachment_attribute(cloud, p):
    return _update_attribute(cloud, p, "VBR")


@action("cbn", "DeleteTransitRouterVbrAttachment")
def delete_transit_router_vbr_attachment(cloud, p):
    delete_attachment(cloud, p, attachment_or_error(cloud, p.required("TransitRouterAttachmentId"), "VBR"), "vbr_detach")
    return {}
