"""Every error code the twin answers with, and where it comes from.

``SOURCES`` names the public source each code was checked against; ``UNVERIFIED`` is the one list of the codes no
public source was found for (the twin names them in the style of their documented siblings, and says why it needs
them). tests/unit/twin/test_twin_error_codes.py fails when the twin raises a code that is in neither, or in both.
Clients must not match an unverified code exactly: match its family (``...NotFound``, ``ALREADY_EXIST``) instead.

Abbreviations: "ref <Action>" is the error table of that action's Alibaba Cloud API reference (help.aliyun.com /
alibabacloud.com, "Error codes"); "tf" is terraform-provider-alicloud (retry lists and NotFound checks, gathered in
shared/reference/alibaba-cloud-api.md, "Errors worth retrying"); "common" is the OpenAPI common error codes (API
Error Center) that every product answers.
"""

_TF_VPC = "tf: VPC route entry retry list"
_TF_TR = "tf: transit router attachment retry list"
_CBN_REFS = "ref CBN (CreateTransitRouterVpcAttachment, DeleteTransitRouter*, PublishRouteEntries, ...; _cbn_common docstring)"

SOURCES = {
    # -- every product: protocol, signature, paging, faults -------------------------------------------------------
    "MissingParameter": "common", "InvalidParameter": "common", "InvalidAction.NotFound": "common",
    "InvalidVersion": "common", "IncompleteSignature": "common", "SignatureDoesNotMatch": "common",
    "InvalidAccessKeyId.NotFound": "common", "InvalidAccessKeyId.Inactive": "common",
    "InvalidSecurityToken.Expired": "common", "InvalidSecurityToken.Malformed": "common",
    "InvalidSecurityToken.MismatchWithAccessKey": "common",
    "Throttling.User": "common; tf: retried everywhere", "ServiceUnavailable": "common; tf: retried everywhere",
    "SystemBusy": "tf: retried everywhere", "DryRunOperation": _CBN_REFS,
    "IdempotentParameterMismatch": "VPC / ECS idempotence guides (help.aliyun.com knowledge_detail/36569, doc-detail/25693)",
    # -- VPC 2016-04-28 ----------------------------------------------------------------------------------------------
    "TaskConflict": _TF_VPC, "OperationConflict": _TF_VPC, "IncorrectRouteEntryStatus": _TF_VPC,
    "IncorrectVSwitchStatus": _TF_VPC, "IncorrectInstanceStatus": _TF_VPC, "IncorrectStatus.RouteTableStatus": _TF_VPC,
    "RouterEntryConflict.Duplicated": "shared/reference/alibaba-cloud-api.md (VPC: duplicates)",
    "InvalidCidrBlock.Overlapped": "shared/reference/alibaba-cloud-api.md (VPC: overlap)",
    "InvalidRouteEntry.NotFound": "shared/reference/alibaba-cloud-api.md (VPC: delete of a missing entry)",
    "InvalidVSwitchId.NotFound": _CBN_REFS,
    # -- CBN 2017-09-12 (sources per code in _cbn_common's docstring) -------------------------------------------------
    "InvalidCenId.NotFound": _CBN_REFS, "InvalidTransitRouterId.NotFound": _CBN_REFS,
    "InvalidTransitRouterInstance.NotFound": _CBN_REFS, "InvalidTransitRouterAttachmentId.NotFound": _CBN_REFS,
    "InvalidAttachmentId.NotFound": _CBN_REFS, "IllegalParam.ZoneMappings": _CBN_REFS, "IllegalParam.ZoneId": _CBN_REFS,
    "IllegalParam.VSwitchId": _CBN_REFS, "IllegalParam.RegionId": _CBN_REFS, "IllegalParam.Bandwidth": _CBN_REFS,
    "Duplicated.ZoneMapping": _CBN_REFS, "IncorrectStatus.TransitRouterInstance": _CBN_REFS,
    "IncorrectStatus.Attachment": _CBN_REFS + "; " + _TF_TR, "IncorrectStatus.AttachmentOrRouteTable": _CBN_REFS,
    "InvalidOperation.CenInstanceStatus": _CBN_REFS, "InvalidOperation.TransitRouterNotExist": _CBN_REFS,
    "OperationFailed.RouteTableAssociationExist": _CBN_REFS, "OperationFailed.RouteTablePropagationExist": _CBN_REFS,
    "OperationFailed.AttachmentReferencedVpcRouteEntryExisted": _CBN_REFS,
    "AssociationExist.TransitRouterTable": "CBN public error code list", "InvalidOperation.UnsupportRouteTableType": _CBN_REFS,
    "InvalidOperation.UnsupportnexthopType": _CBN_REFS, "InvalidOperation.NotFoundRoute": _CBN_REFS + "; tf (withdraw)",
    "ParameterIllegal.CenInstanceId": _CBN_REFS, "ParameterIllegal.ChildInstanceType": _CBN_REFS, "Instance.NotExist": _CBN_REFS,
    "ParameterCenInstanceId": "tf: DescribeCens / DeleteCen NotFound", "Operation.Blocking": _TF_TR,
    "InvalidOperation.AttachedChildInstanceExist": "tf: DeleteTransitRouter retry list",
    "InvalidOperation.ChildInstanceAlreadyAttached": "ref AttachCenChildInstance (help.aliyun.com doc-detail 65902, HTTP 409)",
    # -- CR 2018-12-01 (business codes answered with HTTP 200 and IsSuccess false) -----------------------------------
    "INSTANCE_NOT_EXIST": "tf: service_alicloud_cr_ee.go (GetInstance NotFound)",
    "INSTANCE_ACCESS_NOT_EXIST": "tf: resource_alicloud_cr_vpc_endpoint_linked_vpc.go (ignored on delete)",
    # -- STS 2015-04-01 -------------------------------------------------------------------------------------------------
}

UNVERIFIED = {
    # -- every product --------------------------------------------------------------------------------------------------
    "InvalidNextToken": "a NextToken the twin did not issue; the family of InvalidParameter",
    "InvalidDestinationCidrBlock": "Params.cidr's default for a malformed CIDR parameter",
    # -- busy answers of the fault injector (faults.BUSY_CODES), retried by the collection ---------------------------------
    "LastTokenProcessing": "a VPC busy code (faults.BUSY_CODES; the collection's VPC busy codes); its source not checked here",
    "OperationFailed.DistibuteLock": "a VPC busy code (faults.BUSY_CODES; the collection's VPC busy codes); its source not checked here",
    "ConcurrentCallNotSupported": "a PrivateLink busy code (faults.BUSY_CODES); its source not checked here",
    "EndpointLocked": "a PrivateLink busy code (faults.BUSY_CODES); its source not checked here",
    # -- VPC 2016-04-28 -------------------------------------------------------------------------------------------------
    "InvalidCidrBlock.Malformed": "a malformed destination (CreateRouteEntry, CreateRouteEntries, VPN routes)",
    "InvalidNextHopType": "a NextHopType outside the documented values",
    "InvalidNextHop.NotFound": "an ECS next hop that does not exist",
    "InvalidAttachment.NotFound": "an Attachment next hop that does not exist",
    "IllegalParam.AttachmentId": "an Attachment next hop that is not a VPC attachment of the table's VPC",
    "InvalidVpnInstanceId.NotFound": "a VpnGateway next hop that does not exist",
    "InvalidRouteEntryName.Malformed": "a RouteEntryName the naming rule refuses",
    "InvalidRouteTableName.Malformed": "a RouteTableName the naming rule refuses",
    "InvalidDescription.Malformed": "a Description the naming rule refuses",
    "QuotaExceeded": "the 200 custom route entries of a table (the quota is documented, the code is not)",
    "OperationDenied": "deleting or changing a system route, or a route a VPN gateway published; deleting a system table",
    "UnsupportedFeature.EcmpRouteEntry": "the twin's own: it does not emulate ECMP (NextHopList)",
    "DependencyViolation.VSwitch": "deleting a route table still associated with vSwitches",
    "DependencyViolation.RouteEntry": "deleting a route table that still holds custom routes",
    "OperationUnsupported.RouteTableType": "associating a system or gateway route table with a vSwitch",
    "ResourceNotAssociated.RouteTable": "unassociating a vSwitch from a table it is not associated with",
    "InvalidRouteDest": "a VPN destination route to 0.0.0.0/0 or inside 100.64.0.0/10",
    "InvalidVpnConnectionInstanceId.NotFound": "a VPN route whose next hop is not an IPsec connection of the gateway",
    "VpnRouteEntry.AlreadyExists": "a VPN destination route that exists already",
    # -- CBN 2017-09-12 (the keys of _cbn_common.CBN_CODES name the cases) --------------------------------------------
    "QuotaExceeded.TransitRouter": "a second transit router of one CEN in one region",
    "InvalidOperation.TransitRouterExist": "deleting a CEN that still has transit routers",
    "InvalidTransitRouterRouteTableId.NotFound": "an unknown transit router route table",
    "OperationFailed.VpcAlreadyAttached": "attaching a VPC to the same transit router twice",
    "OperationFailed.PeerAttachmentExist": "connecting two transit routers twice",
    "PropagationExist.TransitRouterTable": "enabling a propagation that exists",
    "AssociationNotExist.TransitRouterTable": "dissociating an attachment that is not associated",
    "PropagationNotExist.TransitRouterTable": "disabling a propagation that does not exist",
    "InvalidVpnId.NotFound": "a VPN attachment of an unknown IPsec connection",
    "IncorrectStatus.VpnAttachType": "a VPN attachment of an IPsec connection not bound to a transit router",
    "OperationFailed.VpnAlreadyAttached": "attaching an IPsec connection twice",
    "InvalidVbrId.NotFound": "a VBR attachment of an unknown VBR",
    "IncorrectStatus.VbrStatus": "a VBR attachment of a VBR that is not active",
    "OperationFailed.VbrAlreadyAttached": "attaching a VBR twice",
    "IncorrectStatus.Vpc": "attaching a VPC that is not Available (IncorrectStatus.VpcOrVswitch is in tf's retry list)",
    "IllegalParam.CenId": "a TransitRouterId of another CEN than CenId",
    "IllegalParam.BandwidthType": "a peer attachment's BandwidthType outside the documented values",
    "IllegalParam.CenBandwidthPackageId": "a bandwidth package id given with BandwidthType DataTransfer",
    "IllegalParam.PeerTransitRouterRegionId": "a PeerTransitRouterRegionId that is not the peer's region",
    "MissingParam.CenIdOrRegionId": "a VPC attachment naming neither a transit router nor CEN and region",
    "MissingParam.CenBandwidthPackageId": "BandwidthType BandwidthPackage without a package",
    "MissingParam.TransitRouterId": "a transit router call without TransitRouterId",
    "OperationUnsupported.TransitRouterSupportMulticast": "SupportMulticast, which the twin does not emulate",
    "InvalidParameter.RouteFilter": "a route filter of ListTransitRouterRouteEntries outside the documented values",
    "InvalidParameter.TransitRouterRouteTableId": "a route table of another transit router",
    # -- CR 2018-12-01 (business codes, HTTP 200 and IsSuccess false; cr.py's docstring) ------------------------------
    "INSTANCE_ACCESS_ALREADY_EXIST": "linking a VPC that is linked (named after INSTANCE_ACCESS_NOT_EXIST)",
    "INSTANCE_ACCESS_QUOTA_EXCEED": "the linked-VPC quota is used up",
    "INSTANCE_STATUS_NOT_SUPPORT": "the instance is not RUNNING",
    "VPC_NOT_EXIST": "an unknown VPC in the instance's region",
    "VSWITCH_NOT_EXIST": "an unknown vSwitch in that VPC",
    "VSWITCH_IP_NOT_ENOUGH": "no free address left in the vSwitch",
    "SYNC_RULE_NOT_EXIST": "an unknown sync rule",
    "STORAGE_DOMAIN_ROUTING_RULE_NOT_EXIST": "an unknown storage domain routing rule",
    "STORAGE_DOMAIN_ROUTING_RULE_ALREADY_EXIST": "a second storage domain routing rule",
    # -- moved from SOURCES: named by the twin, no public source found --------------------------------------------
    "InvalidRegionId.NotFound": "an unknown RegionId (the DescribeRegions family's code)",
    "InvalidRouteTableId.NotFound": "an unknown route table",
    "InvalidVpcId.NotFound": "an unknown VPC",
    "OperationFailed.InstanceDismatchCurrentVpc": "a next hop in another VPC than the route table's",
    "OperationDenied.NextHopNotChanged": "ModifyRouteEntry to the next hop the route has",
    "InvalidVpnGatewayInstanceId.NotFound": "an unknown VPN gateway",
    "VpnGateway.Configuring": "a VPN route change while the gateway is updating",
    "INVALID_WEIGHT_PARAM": "a VPN route weight other than 0 or 100",
    "ResourceAlreadyAssociated.RouteTable": "associating a vSwitch that has a custom route table",
    "EntityNotExist.Role": "AssumeRole of a role the account does not have",
    "NoPermission": "AssumeRole of a role whose trust policy names nobody the twin knows",
    "InvalidParameter.RoleArn": "a malformed RoleArn",
    "InvalidParameter.RoleSessionName": "a malformed RoleSessionName",
    "EndpointNotFound": "an unknown EndpointId (privatelink.py's docstring)",
    "EndpointServiceNotFound": "an unknown endpoint service (privatelink.py's docstring)",
    # -- ECS 2014-05-26 (products/ecs.py) -------------------------------------------------------------------------------
    "InvalidInstanceIds.Malformed": "InstanceIds that is not a JSON array of ids",
    "InvalidInstanceIds.ValueNotSupported": "more than 100 ids in InstanceIds (the limit is documented, the code is not)",
    # -- PrivateLink 2020-04-15 -----------------------------------------------------------------------------------------
    "DuplicatedParameter.ZoneId": "one zone given twice", "InvalidParameter.ZoneId": "a zone the service is not in",
    "EndpointOperationDenied": "a change while the endpoint is not Active",
    "QuotaExceeded.PrivateIpAddress": "no free address left in the vSwitch",
}
