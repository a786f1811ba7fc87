"""PrivateLink 2020-04-15: the endpoint services an account may use, and interface endpoints (VPC endpoints) to them.

What the twin models is what the OSS fix of the console procedure ("Solutions to 100 CIDR block conflicts") needs: an
interface endpoint in the registry VPC for the region's OSS endpoint service, whose ENIs get addresses of the vSwitches
it is given (one per zone), so that OSS is reached at an address inside the VPC's own CIDR block instead of a 100.x VIP.

Every region of the fixture offers one system endpoint service, OSS's, named ``com.aliyuncs.privatelink.<region>.oss``
(the documented pattern of Alibaba Cloud's own services, ``com.aliyuncs.privatelink.<region>.<service>``; the OSS name
itself is NOT verified against a live account: a user reads it with ListVpcEndpointServicesByEndUser).

Statuses (the SDK model's documentation, alibabacloud-privatelink20200415 4.0.9): an endpoint is Creating, then Active;
Deleting while it goes; its ConnectionStatus is Disconnected until a system service accepts it (at once: system services
accept automatically), then Connected. Its zones (ListVpcEndpointZones) are Creating, then Connected. How long a create
and a delete take is not published: ENDPOINT_CREATE_SECONDS / ENDPOINT_DELETE_SECONDS are estimates (the console shows a
new endpoint Active within one to two minutes).

Error codes (HTTP 400/404 with Code/Message, as every RPC product): ``EndpointNotFound`` (unknown EndpointId),
``EndpointServiceNotFound`` (unknown service name or id), ``EndpointOperationDenied`` (delete of an endpoint that is not
Active), ``InvalidVpcId.NotFound``, ``InvalidVSwitchId.NotFound``, ``InvalidParameter.ZoneId`` (a zone that is not the
vSwitch's), ``IdempotentParameterMismatch``. NOT verified against the live API beyond their names in the SDK's and
terraform-provider-alicloud's retry lists; modules match ``NotFound`` in the code.
"""

import ipaddress

from acr_twin.errors import ApiError, missing, not_found
from acr_twin.registry import action
from acr_twin.state import REGION_ID_PREFIX, page_by_token

# Estimates (see above), scaled by the twin's time scale.
ENDPOINT_CREATE_SECONDS = 60.0
ENDPOINT_DELETE_SECONDS = 30.0
SERVICE_NAME = "com.aliyuncs.privatelink.{region}.oss"
# The ENI addresses of endpoints come from the top of the vSwitch (the low addresses are the fixture's ECS instances and
# registry links); the cloud picks any free address, which a user reads from ListVpcEndpointZones.
FIRST_HOST_INDEX = 200


def _state(cloud):
    """The product's state, kept in ``cloud.extra`` (rebuilt with the cloud on a reset)."""
    state = cloud.extra.get("privatelink")
    if state is None:
        state = cloud.extra["privatelink"] = {"services": {}, "endpoints": {}}
    for region in sorted(cloud.regions):
        name = SERVICE_NAME.format(region=region)
        if name not in state["services"]:
            service_id = "epsrv-%stwnoss%08d" % (REGION_ID_PREFIX.get(region, "xx0"), len(state["services"]) + 1)
            state["services"][name] = {
                "ServiceId": service_id, "ServiceName": name, "ServiceDomain": "%s.%s.privatelink.aliyuncs.com" % (service_id, region),
                "ServiceType": "Interface", "ServiceResourceType": "slb", "AutoAcceptEnabled": True, "Payer": "Endpoint",
                "ZoneAffinityEnabled": False, "AddressIpVersion": "IPv4", "RegionId": region,
                "ResourceGroupId": "", "ServiceSupportIPv6": False, "Tags": [], "VpcEndpointPolicySupported": False,
                "Zones": sorted(v["ZoneId"] for v in cloud.vswitches.values() if v["RegionId"] == region),
                "_oss": True,
            }
    return state


def endpoints(cloud):
    """Every endpoint (the network twin reads them through acr_twin.network)."""
    return _state(cloud)["endpoints"]


def service_of(cloud, endpoint):
    return _state(cloud)["services"].get(endpoint["ServiceName"])


def _public_endpoint(endpoint):
    return dict((key, value) for key, value in endpoint.items() if not key.startswith("_"))


def _service(cloud, p, region):
    services = _state(cloud)["services"]
    name, service_id = p.str("ServiceName"), p.str("ServiceId")
    for service in services.values():
        if service["RegionId"] == region and (service["ServiceName"] == name or service["ServiceId"] == service_id):
            return service
    if name is None and service_id is None:
        raise missing("ServiceName")
    raise not_found("EndpointServiceNotFound", "endpoint service", name or service_id, status=404)


@action("privatelink", "ListVpcEndpointServicesByEndUser")
def list_vpc_endpoint_services_by_end_user(cloud, p):
    region = p.region()
    name, service_id = p.str("ServiceName"), p.str("ServiceId")
    found = [dict((k, v) for k, v in s.items() if not k.startswith("_")) for s in _state(cloud)["services"].values()
             if s["RegionId"] == region and (name is None or s["ServiceName"] == name) and (service_id is None or s["ServiceId"] == service_id)]
    page, next_token = page_by_token(sorted(found, key=lambda s: s["ServiceName"]), p, default_size=50, max_size=1000)
    return {"Services": page, "NextToken": next_token, "MaxResults": len(page), "TotalCount": str(len(found))}


def _allocate_ip(cloud, vswitch):
    """A free address of the vSwitch: not an ECS instance's, a registry link's or another endpoint's."""
    used = set(i.get("PrivateIpAddress") for i in cloud.instances.values())
    used.update(link.get("Ip") or link.get("_ip") for link in cloud.cr_linked_vpcs.values())
    for endpoint in endpoints(cloud).values():
        used.update(zone["EniIp"] for zone in endpoint["_zones"])
    network = ipaddress.ip_network(vswitch["CidrBlock"])
    hosts = list(network.hosts())
    for address in hosts[FIRST_HOST_INDEX:] + hosts[:FIRST_HOST_INDEX]:
        if str(address) not in used:
            return str(address)
    raise ApiError("QuotaExceeded.PrivateIpAddress", "The vSwitch %s has no free IP address left." % vswitch["VSwitchId"])


def _zones(cloud, p, vpc, region):
    rows = p.list("Zone", ("VSwitchId", "ZoneId", "Ip"))
    if not rows:
        raise missing("Zone.1.VSwitchId")
    zones = []
    for index, row in enumerate(rows, 1):
        vswitch_id = row["VSwitchId"]
        if not vswitch_id:
            raise missing("Zone.%d.VSwitchId" % index)
        vswitch = cloud.vswitches.get(vswitch_id)
        if vswitch is None or vswitch["VpcId"] != vpc["VpcId"]:
            raise not_found("InvalidVSwitchId.NotFound", "vSwitch", "%s in VPC %s" % (vswitch_id, vpc["VpcId"]))
        if row["ZoneId"] and row["ZoneId"] != vswitch["ZoneId"]:
            raise ApiError("InvalidParameter.ZoneId", "The zone %s is not the zone of vSwitch %s (%s)." % (row["ZoneId"], vswitch_id, vswitch["ZoneId"]))
        if any(zone["ZoneId"] == vswitch["ZoneId"] for zone in zones):
            raise ApiError("DuplicatedParameter.ZoneId", "The zone %s is given twice: an endpoint has one vSwitch per zone." % vswitch["ZoneId"])
        zones.append({"ZoneId": vswitch["ZoneId"], "VSwitchId": vswitch_id, "RegionId": region, "ZoneStatus": "Creating",
                      "EniId": "eni-%s" % vswitch_id[4:], "EniIp": ""})
    return zones


@action("privatelink", "CreateVpcEndpoint")
def create_vpc_endpoint(cloud, p):
    region = p.region()
    vpc_id = p.required("VpcId")
    vpc = cloud.vpcs.get(vpc_id)
    if vpc is None or vpc["RegionId"] != region:
        raise not_found("InvalidVpcId.NotFound", "VPC", vpc_id)
    service = _service(cloud, p, region)
    zones = _zones(cloud, p, vpc, region)
    security_groups = p.str_list("SecurityGroupId")
    name = p.str("EndpointName", default="")
    if p.dry_run():
        raise ApiError("DryRunOperation", "Request validation has been passed with DryRun flag set.")

    def create():
        endpoint_id = cloud.new_id("ep", region, length=20)
        for zone in zones:
            zone["_ip"] = _allocate_ip(cloud, cloud.vswitches[zone["VSwitchId"]])
            zone["EniIp"] = zone["_ip"]
        endpoint = {
            "EndpointId": endpoint_id, "EndpointName": name, "EndpointDescription": p.str("EndpointDescription", default=""),
            "EndpointType": p.str("EndpointType", default="Interface"), "EndpointStatus": "Creating", "EndpointBusinessStatus": "Normal",
            "ConnectionStatus": "Disconnected", "EndpointDomain": "%s.%s" % (endpoint_id, service["ServiceDomain"]),
            "ServiceId": service["ServiceId"], "ServiceName": service["ServiceName"], "ServiceRegionId": region, "VpcId": vpc_id,
            "RegionId": region, "Bandwidth": 5000, "CreateTime": cloud.now_iso(), "ZoneAffinityEnabled": False, "AddressIpVersion": "IPv4",
            "ResourceGroupId": "", "Tags": [], "ProtectedEnabled": False, "ResourceOwner": False, "_zones": zones, "_security_groups": security_groups,
        }
        endpoints(cloud)[endpoint_id] = endpoint
        cloud.later(ENDPOINT_CREATE_SECONDS, _activate(endpoint))
        answered = ("EndpointId", "EndpointName", "EndpointStatus", "ConnectionStatus", "EndpointDomain", "ServiceId", "ServiceName",
                    "VpcId", "CreateTime", "EndpointDescription", "EndpointBusinessStatus", "ServiceRegionId", "Bandwidth",
                    "ZoneAffinityEnabled", "AddressIpVersion")
        return dict((k, endpoint[k]) for k in answered)

    return cloud.idempotent(p, create)


def _activate(endpoint):
    def finish():
        if endpoint["EndpointStatus"] == "Creating":
            endpoint["EndpointStatus"] = "Active"
            endpoint["ConnectionStatus"] = "Connected"  # a system service accepts every endpoint at once
            for zone in endpoint["_zones"]:
                zone["ZoneStatus"] = "Connected"
    return finish


def _endpoint(cloud, p):
    endpoint_id = p.required("EndpointId")
    endpoint = endpoints(cloud).get(endpoint_id)
    if endpoint is None or endpoint["RegionId"] != p.region():
        raise not_found("EndpointNotFound", "endpoint", endpoint_id)
    return endpoint


@action("privatelink", "ListVpcEndpoints")
def list_vpc_endpoints(cloud, p):
    region = p.region()
    wanted = dict((key, p.str(key)) for key in ("EndpointId", "EndpointName", "VpcId", "ServiceName", "EndpointStatus", "ConnectionStatus"))
    found = [_public_endpoint(e) for _id, e in sorted(endpoints(cloud).items()) if e["RegionId"] == region
             and all(value is None or e.get(key) == value for key, value in wanted.items())]
    page, next_token = page_by_token(found, p, default_size=50, max_size=1000)
    return {"Endpoints": page, "NextToken": next_token, "MaxResults": len(page), "TotalCount": len(found)}


@action("privatelink", "ListVpcEndpointZones")
def list_vpc_endpoint_zones(cloud, p):
    endpoint = _endpoint(cloud, p)
    service_domain = endpoint["EndpointDomain"].split(".", 1)[1]
    zones = [dict([(k, v) for k, v in zone.items() if not k.startswith("_")], ZoneDomain="%s-%s.%s" % (
        endpoint["EndpointId"], zone["ZoneId"], service_domain)) for zone in endpoint["_zones"]]
    page, next_token = page_by_token(zones, p, default_size=50, max_size=1000)
    return {"Zones": page, "NextToken": next_token, "MaxResults": len(page), "TotalCount": len(zones)}


@action("privatelink", "DeleteVpcEndpoint")
def delete_vpc_endpoint(cloud, p):
    endpoint = _endpoint(cloud, p)
    if endpoint["EndpointStatus"] == "Deleting":
        return {}
    if endpoint["EndpointStatus"] != "Active":
        raise ApiError("EndpointOperationDenied", "The endpoint %s is %s: it can be deleted once it is Active."
                       % (endpoint["EndpointId"], endpoint["EndpointStatus"]))
    if p.dry_run():
        raise ApiError("DryRunOperation", "Request validation has been passed with DryRun flag set.")
    endpoint["EndpointStatus"] = "Deleting"
    endpoint["ConnectionStatus"] = "Disconnected"
    for zone in endpoint["_zones"]:
        zone["ZoneStatus"] = "Deleting"
    endpoint_id = endpoint["EndpointId"]

    def gone():
        endpoints(cloud).pop(endpoint_id, None)
    cloud.later(ENDPOINT_DELETE_SECONDS, gone)
    return {}
