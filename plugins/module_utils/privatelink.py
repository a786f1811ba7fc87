# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""PrivateLink 2020-04-15: interface endpoints (VPC endpoints) to an endpoint service, such as the region's OSS.

The OSS fix of the console procedure ("Solutions to 100 CIDR block conflicts"): an endpoint of the OSS endpoint service in
the registry VPC puts OSS at addresses of the VPC's own vSwitches, which the CEN already carries, so that no 100.x OSS
route is needed. Readers return the API's items (PascalCase); ``normalise_endpoint`` builds the documented snake_case
view. ``VpcEndpointManager`` is the manager of privatelink_vpc_endpoint.
"""

from __future__ import annotations

import typing as t

from . import paging
from .errors import InputError
from .product import Product
from .resource import ResourceManager
from .vpc import describe_vswitch
from .waiter import WaiterSpec

# privatelink.<region>.aliyuncs.com (the SDK's own endpoint map). Busy codes: the API's answers to a change while another
# is running on the same endpoint (terraform-provider-alicloud retries them on its privatelink resources).
PRIVATELINK = Product("privatelink", "alibabacloud_privatelink20200415", "alibabacloud-privatelink20200415", None, True,
                      busy_codes=("ConcurrentCallNotSupported", "EndpointLocked"))
PAGE_SIZE = 50
# The documented name pattern of Alibaba Cloud's own endpoint services, com.aliyuncs.privatelink.<region>.<service>;
# for OSS taken to be "oss" (not verified against every region: ListVpcEndpointServicesByEndUser lists the real names).
OSS_SERVICE_NAME = "com.aliyuncs.privatelink.{region}.oss"
# A delete is refused while the endpoint is not Active (Creating, or being changed): retried until it is.
DELETE_BUSY = ("EndpointOperationDenied",)


def oss_service_name(region: str) -> str:
    return OSS_SERVICE_NAME.format(region=region)


def list_services(module: t.Any, region: str, service_name: str) -> list:
    """ListVpcEndpointServicesByEndUser: the endpoint services of that name this account may connect to."""
    return paging.token_pages(module, PRIVATELINK, "ListVpcEndpointServicesByEndUser", {"RegionId": region, "ServiceName": service_name},
                              ("Services",), "MaxResults", PAGE_SIZE, region=region)


def list_endpoints(module: t.Any, region: str, vpc_id: str | None = None, service_name: str | None = None,
                   endpoint_id: str | None = None, deadline: float | None = None) -> list:
    """ListVpcEndpoints filtered by VPC, service and/or id: [{EndpointId, EndpointName, EndpointStatus, EndpointDomain, ...}]."""
    params = {"RegionId": region, "VpcId": vpc_id, "ServiceName": service_name, "EndpointId": endpoint_id}
    return paging.token_pages(module, PRIVATELINK, "ListVpcEndpoints", params, ("Endpoints",), "MaxResults", PAGE_SIZE,
                              region=region, deadline=deadline)


def list_zones(module: t.Any, region: str, endpoint_id: str) -> list:
    """ListVpcEndpointZones: [{ZoneId, VSwitchId, EniId, EniIp, ZoneStatus, ZoneDomain}]."""
    return paging.token_pages(module, PRIVATELINK, "ListVpcEndpointZones", {"RegionId": region, "EndpointId": endpoint_id},
                              ("Zones",), "MaxResults", PAGE_SIZE, region=region)


def create_endpoint(module: t.Any, region: str, params: dict, token: str) -> str:
    body = module.call(PRIVATELINK, "CreateVpcEndpoint", dict(params, RegionId=region, ClientToken=token), region=region)
    return body["EndpointId"]


def delete_endpoint(module: t.Any, region: str, endpoint_id: str) -> None:
    module.call(PRIVATELINK, "DeleteVpcEndpoint", {"RegionId": region, "EndpointId": endpoint_id}, region=region, extra_codes=DELETE_BUSY)


def normalise_zone(zone: dict) -> dict:
    return {"zone_id": zone.get("ZoneId"), "vswitch_id": zone.get("VSwitchId"), "ip": zone.get("EniIp") or "",
            "eni_id": zone.get("EniId") or "", "status": zone.get("ZoneStatus"), "domain": zone.get("ZoneDomain") or ""}


def normalise_endpoint(item: dict | None, zones: list) -> dict:
    """{endpoint_id, name, service_name, service_id, vpc_id, status, connection_status, domain, zones, addresses}, {} for none."""
    if not item:
        return {}
    views = [normalise_zone(zone) for zone in zones]
    return {
        "endpoint_id": item.get("EndpointId"), "name": item.get("EndpointName") or "", "service_name": item.get("ServiceName"),
        "service_id": item.get("ServiceId"), "vpc_id": item.get("VpcId"), "status": item.get("EndpointStatus"),
        "connection_status": item.get("ConnectionStatus"), "domain": item.get("EndpointDomain") or "", "zones": views,
        # The ENI addresses, in zone order: what the plan routes and the clients' hosts entries name.
        "addresses": [zone["ip"] for zone in views if zone["ip"]],
    }


def _endpoint_request(ids: dict) -> dict:
    return {"RegionId": ids["region"], "EndpointId": ids["endpoint_id"]}


# Pacing on the cloud's clock (waiter.poll): the time a new endpoint takes to become Active is not published; about 60 s
# is an estimate (the console shows one Active within one to two minutes), a delete about 30 s (estimate). The second read
# comes at about 0.8 times that, then one read every 3 s.
CREATE_PACE = {"delay": 48.0, "max_delay": 3.0}
DELETE_PACE = {"delay": 24.0, "max_delay": 3.0}

ENDPOINT_ACTIVE = WaiterSpec(
    resource="PrivateLink endpoint {endpoint_id}",
    product=PRIVATELINK,
    operation="ListVpcEndpoints",
    request=_endpoint_request,
    items=("Endpoints",),
    status_key="EndpointStatus",
    success=("Active",),
    failure=("Deleting", "Inactive"),
    when_gone="retry",  # just created: the list may not show it yet
    **CREATE_PACE,
).check()
ENDPOINT_GONE = WaiterSpec(
    resource="PrivateLink endpoint {endpoint_id}",
    product=PRIVATELINK,
    operation="ListVpcEndpoints",
    request=_endpoint_request,
    items=("Endpoints",),
    status_key="EndpointStatus",
    success=(),
    when_gone="success",
    **DELETE_PACE,
).check()


class VpcEndpointManager(ResourceManager):
    """The interface endpoint of one endpoint service in one VPC (module privatelink_vpc_endpoint).

    Found by VPC and service name (and ``name`` when given); two of them (another run's at the same time) end as one
    (``create_one``). The zones are chosen at creation: an endpoint found in other vSwitches is kept as it is, with a warning.
    """

    result_key = "endpoint"
    id_key = "EndpointId"

    def __init__(self, module: t.Any):
        super().__init__(module)
        self.region = module.region
        self.service_name = self.params.get("service_name") or (oss_service_name(self.region) if self.region else None)
        self.zones: list = []          # [{VSwitchId, ZoneId}] as sent, once validated
        self._zones_of: dict = {}      # endpoint id -> its zones as read

    def failure_values(self) -> dict:
        return {"service_name": self.service_name}

    def validate(self) -> None:
        if self.params["state"] != "present":
            return
        if not self.params["vswitch_ids"]:
            raise InputError("vswitch_ids is required with state=present: give one vSwitch of vpc_id %s per zone the endpoint "
                             "should have an address in (two zones for high availability)" % self.params["vpc_id"], field="vswitch_ids")
        if not list_services(self.module, self.region, self.service_name):
            raise InputError("service_name: no endpoint service %s is offered to this account in region %s; give the name "
                             "ListVpcEndpointServicesByEndUser lists (OSS: %s)" % (self.service_name, self.region, oss_service_name(self.region)),
                             field="service_name")
        zones = []
        for vswitch_id in self.params["vswitch_ids"]:
            vswitch = describe_vswitch(self.module, self.region, vswitch_id)
            if vswitch is None or vswitch.get("VpcId") != self.params["vpc_id"]:
                raise InputError("vswitch_ids: %s is not a vSwitch of vpc_id %s in region %s; give vSwitches of that VPC"
                                 % (vswitch_id, self.params["vpc_id"], self.region), field="vswitch_ids")
            if any(zone["ZoneId"] == vswitch.get("ZoneId") for zone in zones):
                raise InputError("vswitch_ids: %s is a second vSwitch in zone %s; give at most one vSwitch per zone"
                                 % (vswitch_id, vswitch.get("ZoneId")), field="vswitch_ids")
            zones.append({"VSwitchId": vswitch_id, "ZoneId": vswitch.get("ZoneId")})
        self.zones = zones

    def _siblings(self) -> list:
        found = list_endpoints(self.module, self.region, vpc_id=self.params["vpc_id"], service_name=self.service_name)
        name = self.params.get("name")
        return [item for item in found if not name or item.get("EndpointName") == name]

    def read(self) -> dict | None:
        found = self._siblings()
        live = [item for item in found if not self.going(item)]
        if not live:
            # state=absent waits for someone else's delete to end; state=present makes a new one meanwhile.
            return found[0] if found and self.params["state"] == "absent" else None
        return sorted(live, key=lambda item: (item.get("CreateTime") or "", item["EndpointId"]))[0]

    def _zones(self, item: dict) -> list:
        endpoint_id = item.get("EndpointId")
        if not endpoint_id:
            return [dict(zone, ZoneStatus="Creating") for zone in self.zones]
        if endpoint_id not in self._zones_of:
            self._zones_of[endpoint_id] = list_zones(self.module, self.region, endpoint_id)
        return self._zones_of[endpoint_id]

    def view(self, item: dict | None) -> dict:
        return normalise_endpoint(item, self._zones(item)) if item else {}

    def changes(self, item: dict) -> dict:
        wanted = sorted(zone["VSwitchId"] for zone in self.zones)
        found = sorted(zone.get("VSwitchId") for zone in self._zones(item))
        if wanted and found and wanted != found:
            self.module.warn("PrivateLink endpoint %s has its addresses in vSwitches %s, not %s: kept as it is (delete it with "
                             "state=absent to make it again in the vSwitches given)" % (item["EndpointId"], ", ".join(found), ", ".join(wanted)))
        return {}

    def planned(self) -> dict:
        return {"EndpointId": None, "EndpointName": self.params.get("name") or "", "ServiceName": self.service_name,
                "VpcId": self.params["vpc_id"], "EndpointStatus": "Creating", "ConnectionStatus": "Disconnected", "EndpointDomain": ""}

    def _create_params(self) -> dict:
        params = {"VpcId": self.params["vpc_id"], "ServiceName": self.service_name, "EndpointType": "Interface",
                  "EndpointName": self.params.get("name") or None, "EndpointDescription": self.params.get("description") or None,
                  "Zone": self.zones}
        if self.params.get("security_group_ids"):
            params["SecurityGroupId"] = list(self.params["security_group_ids"])
        return params

    def create(self) -> dict:
        params = self._create_params()
        identity = ("CreateVpcEndpoint", self.region, params["VpcId"], params["ServiceName"], params["EndpointName"],
                    params["EndpointDescription"], tuple(zone["VSwitchId"] for zone in self.zones), tuple(params.get("SecurityGroupId") or ()))
        unchecked = None if self.params["wait"] else dict(self.planned(), EndpointId=None)
        item = self.create_one("CreateVpcEndpoint of %s in %s" % (self.service_name, params["VpcId"]),
                               lambda token: create_endpoint(self.module, self.region, params, token), self._siblings, identity, unchecked=unchecked)
        return self.ready(item) if self.params["wait"] else item

    def ready(self, item: dict) -> dict:
        if item.get("EndpointStatus") == "Active":
            return item
        done = self.wait(ENDPOINT_ACTIVE, region=self.region, endpoint_id=item["EndpointId"]) or item
        self._zones_of.pop(item["EndpointId"], None)  # the zones get their addresses and status with the endpoint
        return done

    def settle(self, item: dict) -> dict | None:
        return item

    def going(self, item: dict) -> bool:
        return item.get("EndpointStatus") == "Deleting"

    def delete(self, item: dict) -> bool:
        endpoint_id = item["EndpointId"]
        return self.write_delete("DeleteVpcEndpoint %s" % endpoint_id, lambda: delete_endpoint(self.module, self.region, endpoint_id))

    def discard(self, item: dict) -> None:
        # A twin of ours just created is still Creating, and a delete is refused until it is Active: wait first.
        self.delete(self.wait(ENDPOINT_ACTIVE, region=self.region, endpoint_id=item["EndpointId"]) or item)

    def wait_gone(self, item: dict) -> None:
        self.wait(ENDPOINT_GONE, region=self.region, endpoint_id=item["EndpointId"])

    def result(self, before: dict, after: dict) -> dict:
        result = super().result(before, after)
        result["service_name"] = self.service_name
        return result
