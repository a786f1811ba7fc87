"""The twin answers the clients operators have: the SDKs' response models, and a second, independent client.

One scenario (``SCRIPT``) drives every registered action once, in an order that gives each a resource to act on; the
twin's raw answers (what went on the wire) are kept.

- Through the real SDK client of each product: per action, every field the response model declares (``__init__`` of the
  Tea model and its nested models) must be present with the declared type, except the fields in ``OPTIONAL`` (the API
  reference marks them optional or conditional; the reason is given). The field declarations are read from the
  installed SDK models, the ground truth for field names.
- Through the legacy core SDK (aliyun-python-sdk-core's generic ``CommonRequest``: its own parameter encoding and the
  RPC signature, HMAC-SHA1 over the sorted query, which the twin verifies as strictly as the SDK's ACS3 one): every
  action the collection calls (named in plugins/) must succeed and answer the same shape.
"""

import copy
import importlib
import inspect
import json
import os
import re

import pytest

from acr_twin import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET
from acr_twin import seed_ids as ids
from acr_twin.registry import PRODUCT_VERSIONS, actions

SDK_PACKAGES = {"vpc": "alibabacloud_vpc20160428", "cbn": "alibabacloud_cbn20170912", "cr": "alibabacloud_cr20181201",
                "sts": "alibabacloud_sts20150401", "privatelink": "alibabacloud_privatelink20200415", "ecs": "alibabacloud_ecs20140526"}
HZ, SH = ids.REGISTRY_REGION, ids.SOURCE_REGION
OSS_SERVICE = "com.aliyuncs.privatelink.%s.oss" % HZ
VPN_GATEWAY, VPN_CONNECTION, VPN_CEN_CONNECTION = "vpn-bp1twin0000000000001", "vco-bp1twin0000000000001", "vco-bp1twin0000000000002"
VBR = "vbr-bp1twin0000000000001"
HZ_ZONES = [{"VSwitchId": ids.REGISTRY_VSWITCH_J, "ZoneId": "cn-hangzhou-j"}, {"VSwitchId": ids.REGISTRY_VSWITCH_K, "ZoneId": "cn-hangzhou-k"}]
VPN_ROUTE = {"RegionId": HZ, "VpnGatewayId": VPN_GATEWAY, "RouteDest": "192.168.30.0/24", "NextHop": VPN_CONNECTION}


def _table(answers):
    return answers["ListTransitRouterRouteTables"]["TransitRouterRouteTables"][0]["TransitRouterRouteTableId"]


def _link(answers):
    return {"TransitRouterAttachmentId": answers["CreateTransitRouterVpcAttachment"]["TransitRouterAttachmentId"],
            "TransitRouterRouteTableId": _table(answers)}


def _child_route(answers):
    return {"CenId": answers["CreateCen"]["CenId"], "ChildInstanceId": ids.REGISTRY_VPC, "ChildInstanceRegionId": HZ,
            "ChildInstanceType": "VPC", "ChildInstanceRouteTableId": ids.REGISTRY_ROUTE_TABLE, "DestinationCidrBlock": "172.31.0.0/24"}


# (product, action, region, request fields by their API names; a callable gets the answers so far: {action: body}).
SCRIPT = [
    # -- VPC ------------------------------------------------------------------------------------------------------------
    ("vpc", "DescribeVpcs", HZ, {"RegionId": HZ}),
    ("vpc", "DescribeVSwitches", HZ, {"RegionId": HZ, "VpcId": ids.REGISTRY_VPC}),
    ("vpc", "DescribeRouteTableList", HZ, {"RegionId": HZ, "VpcId": ids.REGISTRY_VPC}),
    ("vpc", "DescribeVRouters", HZ, {"RegionId": HZ}),
    ("vpc", "CreateRouteEntry", HZ, {"RegionId": HZ, "RouteTableId": ids.REGISTRY_ROUTE_TABLE, "DestinationCidrBlock": "192.168.10.0/24",
                                     "NextHopType": "Instance", "NextHopId": ids.REGISTRY_ECS}),
    ("vpc", "DescribeRouteEntryList", HZ, {"RegionId": HZ, "RouteTableId": ids.REGISTRY_ROUTE_TABLE}),
    ("vpc", "DescribeRouteTables", HZ, {"RegionId": HZ, "VRouterId": ids.REGISTRY_VROUTER}),
    ("vpc", "ModifyRouteEntry", HZ, lambda a: {"RegionId": HZ, "RouteEntryId": a["CreateRouteEntry"]["RouteEntryId"], "RouteEntryName": "renamed"}),
    ("vpc", "DeleteRouteEntry", HZ, lambda a: {"RegionId": HZ, "RouteEntryId": a["CreateRouteEntry"]["RouteEntryId"]}),
    # one entry made, one refused (it overlaps a vSwitch): both halves of the answer are filled
    ("vpc", "CreateRouteEntries", HZ, {"RegionId": HZ, "RouteEntries": [
        {"RouteTableId": ids.REGISTRY_ROUTE_TABLE, "DstCidrBlock": "192.168.20.0/24", "NextHop": ids.REGISTRY_ECS, "NextHopType": "Instance"},
        {"RouteTableId": ids.REGISTRY_ROUTE_TABLE, "DstCidrBlock": ids.REGISTRY_VPC_CIDR.replace("/16", "/24"), "NextHop": ids.REGISTRY_ECS,
         "NextHopType": "Instance"}]}),
    ("vpc", "DeleteRouteEntries", HZ, lambda a: {"RegionId": HZ, "RouteEntries": [
        {"RouteTableId": ids.REGISTRY_ROUTE_TABLE, "RouteEntryId": a["CreateRouteEntries"]["RouteEntryIds"][0]},
        {"RouteTableId": ids.REGISTRY_ROUTE_TABLE, "RouteEntryId": "rte-bp1nosuch00000000001"}]}),
    ("vpc", "CreateRouteTable", HZ, {"RegionId": HZ, "VpcId": ids.REGISTRY_VPC, "RouteTableName": "custom"}),
    ("vpc", "AssociateRouteTable", HZ, lambda a: {"RegionId": HZ, "RouteTableId": a["CreateRouteTable"]["RouteTableId"],
                                                  "VSwitchId": ids.REGISTRY_VSWITCH_K}),
    ("vpc", "UnassociateRouteTable", HZ, lambda a: {"RegionId": HZ, "RouteTableId": a["CreateRouteTable"]["RouteTableId"],
                                                    "VSwitchId": ids.REGISTRY_VSWITCH_K}),
    ("vpc", "DeleteRouteTable", HZ, lambda a: {"RegionId": HZ, "RouteTableId": a["CreateRouteTable"]["RouteTableId"]}),
    ("vpc", "DescribeVpnGateways", HZ, {"RegionId": HZ}),
    ("vpc", "DescribeCustomerGateways", HZ, {"RegionId": HZ}),
    ("vpc", "DescribeVpnConnections", HZ, {"RegionId": HZ}),
    ("vpc", "CreateVpnRouteEntry", HZ, dict(VPN_ROUTE, Weight=100, PublishVpc=False)),
    ("vpc", "ModifyVpnRouteEntryWeight", HZ, dict(VPN_ROUTE, Weight=100, NewWeight=0)),
    ("vpc", "PublishVpnRouteEntry", HZ, dict(VPN_ROUTE, RouteType="dbr", PublishVpc=True)),
    ("vpc", "DescribeVpnRouteEntries", HZ, {"RegionId": HZ, "VpnGatewayId": VPN_GATEWAY}),
    ("vpc", "DeleteVpnRouteEntry", HZ, dict(VPN_ROUTE, Weight=0)),
    # -- CBN ------------------------------------------------------------------------------------------------------------
    ("cbn", "CreateCen", HZ, {"Name": "shapes"}),
    ("cbn", "DescribeCens", HZ, {}),
    ("cbn", "ModifyCenAttribute", HZ, lambda a: {"CenId": a["CreateCen"]["CenId"], "Name": "shapes-renamed"}),
    ("cbn", "DescribeChildInstanceRegions", HZ, {"ProductType": "VPC"}),
    ("cbn", "CreateTransitRouter", HZ, lambda a: {"CenId": a["CreateCen"]["CenId"], "RegionId": HZ}),
    ("cbn", "ListTransitRouters", HZ, lambda a: {"CenId": a["CreateCen"]["CenId"]}),
    ("cbn", "ListTransitRouterRouteTables", HZ, lambda a: {"TransitRouterId": a["CreateTransitRouter"]["TransitRouterId"]}),
    ("cbn", "CreateTransitRouterVpcAttachment", HZ, lambda a: {
        "CenId": a["CreateCen"]["CenId"], "TransitRouterId": a["CreateTransitRouter"]["TransitRouterId"], "RegionId": HZ,
        "VpcId": ids.REGISTRY_VPC, "ZoneMappings": HZ_ZONES}),
    ("cbn", "ListTransitRouterVpcAttachments", HZ, lambda a: {"TransitRouterId": a["CreateTransitRouter"]["TransitRouterId"]}),
    ("cbn", "UpdateTransitRouterVpcAttachmentAttribute", HZ, lambda a: {
        "TransitRouterAttachmentId": a["CreateTransitRouterVpcAttachment"]["TransitRouterAttachmentId"], "TransitRouterAttachmentName": "hz"}),
    ("cbn", "UpdateTransitRouterVpcAttachmentZones", HZ, lambda a: {
        "TransitRouterAttachmentId": a["CreateTransitRouterVpcAttachment"]["TransitRouterAttachmentId"], "RemoveZoneMappings": HZ_ZONES[1:]}),
    ("cbn", "AssociateTransitRouterAttachmentWithRouteTable", HZ, _link),
    ("cbn", "EnableTransitRouterRouteTablePropagation", HZ, _link),
    ("cbn", "ListTransitRouterRouteTableAssociations", HZ, lambda a: {"TransitRouterRouteTableId": _table(a)}),
    ("cbn", "ListTransitRouterRouteTablePropagations", HZ, lambda a: {"TransitRouterRouteTableId": _table(a)}),
    ("cbn", "ListTransitRouterRouteEntries", HZ, lambda a: {"TransitRouterRouteTableId": _table(a)}),
    # a route for PublishRouteEntries to advertise
    ("vpc", "CreateRouteEntry", HZ, {"RegionId": HZ, "RouteTableId": ids.REGISTRY_ROUTE_TABLE, "DestinationCidrBlock": "172.31.0.0/24",
                                     "NextHopType": "Instance", "NextHopId": ids.REGISTRY_ECS}),
    ("cbn", "PublishRouteEntries", HZ, _child_route),
    ("cbn", "DescribePublishedRouteEntries", HZ, lambda a: dict((k, v) for k, v in _child_route(a).items() if k != "DestinationCidrBlock")),
    ("cbn", "WithdrawPublishedRouteEntries", HZ, _child_route),
    ("cbn", "CreateTransitRouterVpnAttachment", HZ, lambda a: {
        "CenId": a["CreateCen"]["CenId"], "TransitRouterId": a["CreateTransitRouter"]["TransitRouterId"], "RegionId": HZ,
        "VpnId": VPN_CEN_CONNECTION, "Zone": [{"ZoneId": "cn-hangzhou-j"}]}),
    ("cbn", "ListTransitRouterVpnAttachments", HZ, lambda a: {"TransitRouterId": a["CreateTransitRouter"]["TransitRouterId"]}),
    ("cbn", "UpdateTransitRouterVpnAttachmentAttribute", HZ, lambda a: {
        "TransitRouterAttachmentId": a["CreateTransitRouterVpnAttachment"]["TransitRouterAttachmentId"], "TransitRouterAttachmentName": "vpn"}),
    ("cbn", "CreateTransitRouterVbrAttachment", HZ, lambda a: {
        "CenId": a["CreateCen"]["CenId"], "TransitRouterId": a["CreateTransitRouter"]["TransitRouterId"], "RegionId": HZ, "VbrId": VBR}),
    ("cbn", "ListTransitRouterVbrAttachments", HZ, lambda a: {"TransitRouterId": a["CreateTransitRouter"]["TransitRouterId"]}),
    ("cbn", "UpdateTransitRouterVbrAttachmentAttribute", HZ, lambda a: {
        "TransitRouterAttachmentId": a["CreateTransitRouterVbrAttachment"]["TransitRouterAttachmentId"], "TransitRouterAttachmentName": "vbr"}),
    ("cbn", "DeleteTransitRouterVbrAttachment", HZ, lambda a: {
        "TransitRouterAttachmentId": a["CreateTransitRouterVbrAttachment"]["TransitRouterAttachmentId"]}),
    ("cbn", "DeleteTransitRouterVpnAttachment", HZ, lambda a: {
        "TransitRouterAttachmentId": a["CreateTransitRouterVpnAttachment"]["TransitRouterAttachmentId"]}),
    ("cbn", "CreateTransitRouter", SH, lambda a: {"CenId": a["CreateCen"]["CenId"], "RegionId": SH}),
    ("cbn", "CreateTransitRouterPeerAttachment", HZ, lambda a: {
        "CenId": a["CreateCen"]["CenId"], "TransitRouterId": a["_tr_hz"], "RegionId": HZ, "PeerTransitRouterId": a["CreateTransitRouter"]["TransitRouterId"],
        "PeerTransitRouterRegionId": SH, "BandwidthType": "DataTransfer", "Bandwidth": 10}),
    ("cbn", "ListTransitRouterPeerAttachments", HZ, lambda a: {"TransitRouterId": a["_tr_hz"]}),
    ("cbn", "UpdateTransitRouterPeerAttachmentAttribute", HZ, lambda a: {
        "TransitRouterAttachmentId": a["CreateTransitRouterPeerAttachment"]["TransitRouterAttachmentId"], "Bandwidth": 20}),
    ("cbn", "DeleteTransitRouterPeerAttachment", HZ, lambda a: {
        "TransitRouterAttachmentId": a["CreateTransitRouterPeerAttachment"]["TransitRouterAttachmentId"]}),
    ("cbn", "DisableTransitRouterRouteTablePropagation", HZ, _link),
    ("cbn", "DissociateTransitRouterAttachmentFromRouteTable", HZ, _link),
    ("vpc", "DeleteRouteEntry", HZ, lambda a: {"RegionId": HZ, "RouteEntryId": a["CreateRouteEntry"]["RouteEntryId"]}),
    ("cbn", "DeleteTransitRouterVpcAttachment", HZ, lambda a: {
        "TransitRouterAttachmentId": a["CreateTransitRouterVpcAttachment"]["TransitRouterAttachmentId"]}),
    ("cbn", "DeleteTransitRouter", SH, lambda a: {"TransitRouterId": a["CreateTransitRouter"]["TransitRouterId"]}),
    ("cbn", "DeleteTransitRouter", HZ, lambda a: {"TransitRouterId": a["_tr_hz"]}),
    ("cbn", "DeleteCen", HZ, lambda a: {"CenId": a["CreateCen"]["CenId"]}),
    # -- CR -------------------------------------------------------------------------------------------------------------
    ("cr", "GetInstance", HZ, {"InstanceId": ids.INSTANCE_ID}),
    ("cr", "ListInstance", HZ, {}),
    ("cr", "ListInstanceEndpoint", HZ, {"InstanceId": ids.INSTANCE_ID}),
    ("cr", "GetInstanceEndpoint", HZ, {"InstanceId": ids.INSTANCE_ID, "EndpointType": "internet"}),
    ("cr", "UpdateInstanceEndpointStatus", HZ, {"InstanceId": ids.INSTANCE_ID, "EndpointType": "internet", "Enable": True}),
    # the seed links the registry VPC through vSwitch j: unlink it, then link it again
    ("cr", "DeleteInstanceVpcEndpointLinkedVpc", HZ, {"InstanceId": ids.INSTANCE_ID, "VpcId": ids.REGISTRY_VPC,
                                                      "VswitchId": ids.REGISTRY_VSWITCH_J, "ModuleName": "Registry"}),
    ("cr", "CreateInstanceVpcEndpointLinkedVpc", HZ, {"InstanceId": ids.INSTANCE_ID, "VpcId": ids.REGISTRY_VPC,
                                                      "VswitchId": ids.REGISTRY_VSWITCH_J, "ModuleName": "Registry"}),
    ("cr", "GetInstanceVpcEndpoint", HZ, {"InstanceId": ids.INSTANCE_ID, "ModuleName": "Registry"}),
    ("cr", "GetAuthorizationToken", HZ, {"InstanceId": ids.INSTANCE_ID}),
    ("cr", "CreateRepoSyncRule", HZ, {"InstanceId": ids.INSTANCE_ID, "SyncRuleName": "all", "SyncScope": "INSTANCE", "TagFilter": ".*",
                                      "TargetInstanceId": ids.INSTANCE_ID, "TargetRegionId": HZ}),
    ("cr", "ListRepoSyncRule", HZ, {"InstanceId": ids.INSTANCE_ID}),
    ("cr", "DeleteRepoSyncRule", HZ, lambda a: {"InstanceId": ids.INSTANCE_ID, "SyncRuleId": a["CreateRepoSyncRule"]["SyncRuleId"]}),
    ("cr", "CreateStorageDomainRoutingRule", HZ, {"InstanceId": ids.INSTANCE_ID, "Routes": [
        {"EndpointType": "Internet", "InstanceDomain": ids.REGISTRY_DOMAIN, "StorageDomain": ids.OSS_DOMAIN}]}),
    ("cr", "GetStorageDomainRoutingRule", HZ, lambda a: {"InstanceId": ids.INSTANCE_ID, "RuleId": a["CreateStorageDomainRoutingRule"]["RuleId"]}),
    ("cr", "UpdateStorageDomainRoutingRule", HZ, lambda a: {
        "InstanceId": ids.INSTANCE_ID, "RuleId": a["CreateStorageDomainRoutingRule"]["RuleId"],
        "Routes": [{"EndpointType": "Vpc", "InstanceDomain": ids.REGISTRY_DOMAIN, "StorageDomain": ids.OSS_DOMAIN}]}),
    ("cr", "DeleteStorageDomainRoutingRule", HZ, lambda a: {"InstanceId": ids.INSTANCE_ID, "RuleId": a["CreateStorageDomainRoutingRule"]["RuleId"]}),
    # -- ECS, STS and PrivateLink ----------------------------------------------------------------------------------------------
    ("ecs", "DescribeInstances", HZ, {"RegionId": HZ, "VpcId": ids.REGISTRY_VPC}),
    ("sts", "AssumeRole", HZ, {"RoleArn": "acs:ram::1234567890123456:role/acr-access", "RoleSessionName": "shapes"}),
    ("privatelink", "ListVpcEndpointServicesByEndUser", HZ, {"RegionId": HZ, "ServiceName": OSS_SERVICE}),
    ("privatelink", "CreateVpcEndpoint", HZ, {"RegionId": HZ, "VpcId": ids.REGISTRY_VPC, "ServiceName": OSS_SERVICE, "EndpointName": "oss",
                                              "Zone": [{"VSwitchId": ids.REGISTRY_VSWITCH_J, "ZoneId": "cn-hangzhou-j"}]}),
    ("privatelink", "ListVpcEndpoints", HZ, {"RegionId": HZ, "VpcId": ids.REGISTRY_VPC}),
    ("privatelink", "ListVpcEndpointZones", HZ, lambda a: {"RegionId": HZ, "EndpointId": a["CreateVpcEndpoint"]["EndpointId"]}),
    ("privatelink", "DeleteVpcEndpoint", HZ, lambda a: {"RegionId": HZ, "EndpointId": a["CreateVpcEndpoint"]["EndpointId"]}),
]


# Fields the response model declares that the API reference marks optional or conditional: (model class, field) -> why.
OPTIONAL = {
    ("AssumeRoleResponseBody", "SourceIdentity"):
        "AssumeRole reference: returned only when the request sets SourceIdentity (the twin's callers never do)",
    ("DescribeCustomerGatewaysResponseBodyCustomerGatewaysCustomerGateway", "Asn"):
        "DescribeCustomerGateways reference: the ASN of a gateway that uses BGP; a gateway without BGP has none",
    ("DescribeVpnConnectionsResponseBodyVpnConnectionsVpnConnection", "VpnGatewayId"):
        "DescribeVpnConnections reference: an IPsec connection bound to a transit router (AttachType CEN) has no VPN gateway",
    ("ListVpcEndpointZonesResponseBodyZones", "ZoneIpv6Address"):
        "ListVpcEndpointZones reference: only for an endpoint whose AddressIpVersion is DualStack (the twin's are IPv4)",
    ("ListVpcEndpointsResponseBodyEndpoints", "CrossRegionBandwidth"):
        "ListVpcEndpoints reference: the bandwidth of a cross-region endpoint only (the twin's are in the service's region)",
    ("ListVpcEndpointsResponseBodyEndpoints", "PolicyDocument"):
        "ListVpcEndpoints reference: the access policy, only for services with VpcEndpointPolicySupported (OSS in the twin: false)",
    ("CreateVpcEndpointResponseBody", "CrossRegionBandwidth"):
        "CreateVpcEndpoint reference: the bandwidth of a cross-region endpoint only",
}


# -- the SDK models' declarations ---------------------------------------------------------------------------------------
def _models(product):
    return importlib.import_module(SDK_PACKAGES[product] + ".models")


def declared_fields(model_class):
    """[(API name, annotation)] of a Tea model: names from ``to_map``, annotations from ``__init__``."""
    annotations = dict((name, param.annotation) for name, param in inspect.signature(model_class.__init__).parameters.items()
                       if name != "self")
    source = inspect.getsource(model_class.to_map)
    fields = []
    for key, attr_a, attr_b in re.findall(r"result\['([^']+)'\] = (?:self\.(\w+)|(?:\[\]|\{\})\s*\n\s*if self\.(\w+))", source):
        attr = attr_a or attr_b
        if attr in annotations:
            fields.append((key, str(annotations[attr])))
    return fields


def _type_problems(value, annotation, models, path, problems):
    annotation = annotation.strip()
    if annotation.startswith("List["):
        if not isinstance(value, list):
            problems.append("%s: a list expected, not %r" % (path, value))
            return
        for index, item in enumerate(value):
            _type_problems(item, annotation[len("List["):-1], models, "%s[%d]" % (path, index), problems)
        return
    if annotation.startswith("main_models."):
        if not isinstance(value, dict):
            problems.append("%s: an object (%s) expected, not %r" % (path, annotation, value))
            return
        check_shape(value, getattr(models, annotation[len("main_models."):]), models, path, problems)
        return
    expected = {"str": (str,), "int": (int,), "float": (int, float), "bool": (bool,)}.get(annotation)
    if expected is None:  # Dict[str, Any], Any: no declared shape
        return
    if not isinstance(value, expected) or (annotation in ("int", "float") and isinstance(value, bool)):
        problems.append("%s: %s expected, not %r" % (path, annotation, value))


def check_shape(body, model_class, models, path, problems):
    for key, annotation in declared_fields(model_class):
        where = "%s.%s" % (path, key)
        if key not in body or body[key] is None:
            if (model_class.__name__, key) not in OPTIONAL:
                problems.append("%s: missing (declared %s in %s)" % (where, annotation, model_class.__name__))
            continue
        _type_problems(body[key], annotation, models, where, problems)


def _method(client, action):
    wanted = action.lower()
    return next(getattr(client, name) for name in dir(client) if name.replace("_", "") == wanted and not name.endswith("_with_options")
                and not name.endswith("_async"))


# -- the scenario, run once -----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def answers(twin_server):
    return run_script(twin_server, sdk_send)


@pytest.fixture(scope="module")
def legacy_answers(twin_server):
    return run_script(twin_server, legacy_send)


def run_script(twin_server, send):
    """Run SCRIPT against the served twin: ({action: raw answer}, {action: the error its call raised}).

    ``send(clients, endpoint, product, action, region, fields)`` makes one call with a client of its kind (kept in
    ``clients``); the answer recorded is the one the twin sent, whatever the client made of it.
    """
    twin = twin_server.twin
    twin.reset("seed")
    twin.set_time_scale(0.0)
    wire = []
    original = twin.handle

    def spy(*args, **kwargs):
        answer = original(*args, **kwargs)
        wire.append(copy.deepcopy(answer.body))
        return answer

    twin.handle = spy
    clients, found, failures = {}, {}, {}
    try:
        for product, action, region, fields in SCRIPT:
            try:
                request_fields = fields(found) if callable(fields) else fields
                send(clients, twin_server.endpoint, product, action, region, copy.deepcopy(request_fields))
                found[action] = wire[-1]
                if action == "CreateTransitRouter" and "_tr_hz" not in found:
                    found["_tr_hz"] = wire[-1]["TransitRouterId"]
            except Exception as err:  # pylint: disable=broad-except
                failures.setdefault(action, "%s: %s" % (type(err).__name__, err))
            twin.settle()
    finally:
        del twin.handle
        twin.reset("seed")
    return found, failures


def sdk_send(clients, endpoint, product, action, region, fields):
    """One call through the product's SDK client (alibabacloud_<product>), its request model filled from the API names."""
    from alibabacloud_tea_openapi.utils_models import Config

    if (product, region) not in clients:
        client_module = importlib.import_module(SDK_PACKAGES[product] + ".client")
        clients[product, region] = client_module.Client(Config(
            access_key_id=DEFAULT_ACCESS_KEY_ID, access_key_secret=DEFAULT_ACCESS_KEY_SECRET, endpoint=endpoint, protocol="http",
            region_id=region))
    request = getattr(_models(product), action + "Request")().from_map(fields)
    body = _method(clients[product, region], action)(request).body
    _refuse_business_error(action, body.to_map())


# Request fields the RPC APIs take as one JSON string (the SDKs' "shrink" fields), not as Name.N.Field.
JSON_FIELDS = ("TransitRouterVPCAttachmentOptions", "Routes")


def rpc_params(fields):
    """The flat RPC query of an API request, written out here (not by an SDK): Name.N.Field for lists of objects,
    Name.N for lists of values, JSON for the shrink fields, booleans as true/false."""
    flat = {}

    def scalar(value):
        return ("true" if value else "false") if isinstance(value, bool) else str(value)

    for name, value in fields.items():
        if name in JSON_FIELDS:
            flat[name] = json.dumps(value)
        elif isinstance(value, list):
            for index, item in enumerate(value, 1):
                if isinstance(item, dict):
                    for key, inner in item.items():
                        flat["%s.%d.%s" % (name, index, key)] = scalar(inner)
                else:
                    flat["%s.%d" % (name, index)] = scalar(item)
        else:
            flat[name] = scalar(value)
    return flat


def legacy_send(clients, endpoint, product, action, region, fields):
    """One call through aliyun-python-sdk-core's CommonRequest: its own client, encoding and RPC (v2) signature."""
    from aliyunsdkcore.client import AcsClient
    from aliyunsdkcore.request import CommonRequest

    if region not in clients:
        clients[region] = AcsClient(DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, region)
    request = CommonRequest(domain=endpoint, version=VERSIONS[product], action_name=action)
    request.set_protocol_type("http")
    request.set_method("POST")
    for name, value in rpc_params(fields).items():
        request.add_query_param(name, value)
    _refuse_business_error(action, json.loads(clients[region].do_action_with_exception(request)))


def _refuse_business_error(action, answer):
    """CR answers its business errors with HTTP 200 and IsSuccess (or Success) false: a failed call all the same."""
    if answer.get("IsSuccess") is False or answer.get("Success") is False:
        raise AssertionError("%s answered %s: %s" % (action, answer.get("Code"), answer.get("Message")))


VERSIONS = dict((product, version) for version, product in PRODUCT_VERSIONS.items())


ALL_ACTIONS = [(product, name) for product in sorted(set(PRODUCT_VERSIONS.values())) for name in actions(product)]


def test_the_script_drives_every_action():
    scripted = set((product, action) for product, action, _region, _fields in SCRIPT)
    assert sorted(set(ALL_ACTIONS) - scripted) == []


@pytest.mark.parametrize("product, action", ALL_ACTIONS, ids=["%s.%s" % pair for pair in ALL_ACTIONS])
def test_answer_has_the_sdk_models_shape(answers, product, action):
    found, failures = answers
    assert action not in failures, failures.get(action)
    models = _models(product)
    problems = []
    check_shape(found[action], getattr(models, action + "ResponseBody"), models, action, problems)
    assert problems == []


def test_optional_fields_name_declared_fields():
    """Every exemption names a field some model declares, so that a renamed field cannot hide behind a stale entry."""
    for (class_name, key), reason in OPTIONAL.items():
        model_class = next(getattr(_models(p), class_name) for p in SDK_PACKAGES if hasattr(_models(p), class_name))
        assert key in dict(declared_fields(model_class)), (class_name, key)
        assert reason


# -- the legacy core SDK ----------------------------------------------------------------------------------------------------
PLUGINS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "plugins")


def collection_actions():
    """The (product, action) pairs of the twin that the collection's code names (plugins/)."""
    text = ""
    for folder, _dirs, files in os.walk(PLUGINS):
        for name in files:
            if name.endswith(".py"):
                with open(os.path.join(folder, name), encoding="utf-8") as handle:
                    text += handle.read()
    return [(product, action) for product, action in ALL_ACTIONS if '"%s"' % action in text or "'%s'" % action in text]


COLLECTION_ACTIONS = collection_actions()


def test_the_collection_calls_actions_the_twin_serves():
    """The list below is read from plugins/: an empty one would test nothing."""
    assert len(COLLECTION_ACTIONS) >= 50
    assert ("vpc", "CreateRouteEntry") in COLLECTION_ACTIONS and ("cr", "GetAuthorizationToken") in COLLECTION_ACTIONS


@pytest.mark.parametrize("product, action", COLLECTION_ACTIONS, ids=["%s.%s" % pair for pair in COLLECTION_ACTIONS])
def test_legacy_core_sdk_gets_the_same_answers(legacy_answers, product, action):
    found, failures = legacy_answers
    assert action not in failures, failures.get(action)
    models = _models(product)
    problems = []
    check_shape(found[action], getattr(models, action + "ResponseBody"), models, action, problems)
    assert problems == []


def test_rpc_params_encoding():
    assert rpc_params({"RegionId": "cn-hangzhou", "DryRun": False, "Weight": 100, "ZoneMappings": HZ_ZONES[:1],
                       "DestCidrBlockList": ["10.0.0.0/8"], "Routes": [{"EndpointType": "Vpc"}]}) == {
        "RegionId": "cn-hangzhou", "DryRun": "false", "Weight": "100", "ZoneMappings.1.VSwitchId": ids.REGISTRY_VSWITCH_J,
        "ZoneMappings.1.ZoneId": "cn-hangzhou-j", "DestCidrBlockList.1": "10.0.0.0/8", "Routes": '[{"EndpointType": "Vpc"}]'}
