"""The twin's PrivateLink 2020-04-15 through the real SDK: the OSS endpoint service, endpoints and their zones, errors."""

import ipaddress

import pytest
from alibabacloud_privatelink20200415 import models
from alibabacloud_privatelink20200415.client import Client
from alibabacloud_tea_openapi.utils_models import Config
from Tea.exceptions import TeaException

from acr_twin import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET
from acr_twin import seed_ids as ids
from acr_twin.products import privatelink

REGION = ids.REGISTRY_REGION
OSS = "com.aliyuncs.privatelink.%s.oss" % REGION


@pytest.fixture
def client(twin):
    return Client(Config(access_key_id=DEFAULT_ACCESS_KEY_ID, access_key_secret=DEFAULT_ACCESS_KEY_SECRET, endpoint=twin.endpoint,
                         protocol="http", region_id=REGION))


def create(client, token="t-1", vswitches=(ids.REGISTRY_VSWITCH_J, ids.REGISTRY_VSWITCH_K), **extra):
    zones = [models.CreateVpcEndpointRequestZone(v_switch_id=vsw) for vsw in vswitches]
    request = models.CreateVpcEndpointRequest(region_id=REGION, vpc_id=ids.REGISTRY_VPC, service_name=OSS, zone=zones,
                                              client_token=token, endpoint_name="oss", **extra)
    return client.create_vpc_endpoint(request).body


def zones(client, endpoint_id):
    return client.list_vpc_endpoint_zones(models.ListVpcEndpointZonesRequest(region_id=REGION, endpoint_id=endpoint_id)).body.zones


def test_each_region_offers_the_oss_service(client):
    body = client.list_vpc_endpoint_services_by_end_user(models.ListVpcEndpointServicesByEndUserRequest(region_id=REGION, service_name=OSS)).body
    assert [s.service_name for s in body.services] == [OSS]
    other = models.ListVpcEndpointServicesByEndUserRequest(region_id=REGION, service_name="com.aliyuncs.privatelink.cn-hangzhou.nosuch")
    assert client.list_vpc_endpoint_services_by_end_user(other).body.services == []


def test_an_endpoint_is_creating_then_active_with_an_address_in_each_vswitch(twin, client):
    twin.set_time_scale(1.0)  # the cloud's pace: the create stays Creating until settled
    made = create(client)
    assert made.endpoint_status == "Creating" and made.endpoint_id.startswith("ep-")
    assert [z.zone_status for z in zones(client, made.endpoint_id)] == ["Creating", "Creating"]
    twin.settle()
    listed = client.list_vpc_endpoints(models.ListVpcEndpointsRequest(region_id=REGION, vpc_id=ids.REGISTRY_VPC)).body.endpoints
    assert [(e.endpoint_id, e.endpoint_status, e.connection_status) for e in listed] == [(made.endpoint_id, "Active", "Connected")]
    found = zones(client, made.endpoint_id)
    cidrs = {v: twin.cloud.vswitches[v]["CidrBlock"] for v in ids.REGISTRY_VSWITCHES}
    assert [z.zone_status for z in found] == ["Connected", "Connected"]
    for zone in found:
        assert ipaddress.ip_address(zone.eni_ip) in ipaddress.ip_network(cidrs[zone.v_switch_id])
        assert zone.eni_ip not in (ids.REGISTRY_ECS_IP, ids.REGISTRY_IP)


def test_a_repeated_token_makes_one_endpoint_and_another_parameter_is_refused(twin, client):
    first, again = create(client), create(client)
    assert first.endpoint_id == again.endpoint_id and len(privatelink.endpoints(twin.cloud)) == 1
    with pytest.raises(TeaException) as caught:
        create(client, vswitches=(ids.REGISTRY_VSWITCH_J,))
    assert caught.value.code == "IdempotentParameterMismatch"


@pytest.mark.parametrize("change, code", [
    (dict(vswitches=(ids.SOURCE_VSWITCH_M,)), "InvalidVSwitchId.NotFound"),
    (dict(vswitches=()), "MissingParameter"),
])
def test_bad_vswitches_are_refused(twin, client, change, code):
    with pytest.raises(TeaException) as caught:
        create(client, **change)
    assert caught.value.code == code and privatelink.endpoints(twin.cloud) == {}


def test_a_creating_endpoint_cannot_be_deleted_an_active_one_goes(twin, client):
    twin.set_time_scale(1.0)
    made = create(client)
    request = models.DeleteVpcEndpointRequest(region_id=REGION, endpoint_id=made.endpoint_id)
    with pytest.raises(TeaException) as caught:
        client.delete_vpc_endpoint(request)
    assert caught.value.code == "EndpointOperationDenied"
    twin.settle()
    client.delete_vpc_endpoint(request)
    assert privatelink.endpoints(twin.cloud)[made.endpoint_id]["EndpointStatus"] == "Deleting"
    twin.settle()
    assert privatelink.endpoints(twin.cloud) == {}
    with pytest.raises(TeaException) as caught:
        client.delete_vpc_endpoint(request)
    assert caught.value.code == "EndpointNotFound"
