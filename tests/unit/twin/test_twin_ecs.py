"""The twin's ECS 2014-05-26 DescribeInstances through the real SDK: the fixture's instances, the filters, paging, errors."""

import json

import pytest
from alibabacloud_ecs20140526 import models
from Tea.exceptions import TeaException

from acr_twin import seed_ids as ids


@pytest.fixture
def ecs(sdk_client):
    return sdk_client("ecs")


def describe(client, **request):
    return client.describe_instances(models.DescribeInstancesRequest(**request)).body


def test_the_next_hop_of_the_covering_route_in_the_sdk_model(ecs, twin):
    body = describe(ecs, region_id=ids.REGISTRY_REGION, instance_ids=json.dumps([ids.REGISTRY_ECS]))
    [instance] = body.instances.instance
    assert (instance.instance_id, instance.status, instance.region_id) == (ids.REGISTRY_ECS, "Running", ids.REGISTRY_REGION)
    assert (instance.vpc_attributes.vpc_id, instance.vpc_attributes.v_switch_id) == (ids.REGISTRY_VPC, ids.REGISTRY_VSWITCH_J)
    assert instance.vpc_attributes.private_ip_address.ip_address == [ids.REGISTRY_ECS_IP]
    assert body.total_count == 1 and body.request_id
    assert twin.counts() == {"DescribeInstances": 1} and twin.writes() == []


def test_filters_by_region_vpc_and_ids(ecs):
    # an id of another region, or unknown, is simply absent (the API answers an empty list, no error)
    assert describe(ecs, region_id=ids.REGISTRY_REGION, instance_ids=json.dumps([ids.SOURCE_ECS])).instances.instance == []
    assert describe(ecs, region_id=ids.REGISTRY_REGION, instance_ids='["i-bp1unknown0000000001"]').instances.instance == []
    assert [i.instance_id for i in describe(ecs, region_id=ids.SOURCE_REGION).instances.instance] == [ids.SOURCE_ECS]
    assert describe(ecs, region_id=ids.REGISTRY_REGION, vpc_id=ids.SOURCE_VPC).instances.instance == []
    assert [i.instance_id for i in describe(ecs, region_id=ids.REGISTRY_REGION, vpc_id=ids.REGISTRY_VPC).instances.instance] == [ids.REGISTRY_ECS]


def test_pages_by_number_and_by_token(ecs, twin):
    for number in range(2, 13):
        twin.cloud.instances["i-bp1page%012d" % number] = dict(twin.cloud.instances[ids.REGISTRY_ECS], InstanceId="i-bp1page%012d" % number)
    first = describe(ecs, region_id=ids.REGISTRY_REGION)  # the default page size is 10
    assert (len(first.instances.instance), first.total_count, first.page_number, first.page_size) == (10, 12, 1, 10)
    second = describe(ecs, region_id=ids.REGISTRY_REGION, page_number=2, page_size=10)
    assert len(second.instances.instance) == 2
    assert not {i.instance_id for i in first.instances.instance} & {i.instance_id for i in second.instances.instance}
    token = describe(ecs, region_id=ids.REGISTRY_REGION, max_results=5)
    assert len(token.instances.instance) == 5 and token.next_token
    with pytest.raises(TeaException) as error:
        describe(ecs, region_id=ids.REGISTRY_REGION, page_size=101)
    assert error.value.code == "InvalidParameter"


@pytest.mark.parametrize("request_, code", [
    (dict(region_id=ids.REGISTRY_REGION, instance_ids="i-bp1twin0000000000001"), "InvalidInstanceIds.Malformed"),
    (dict(region_id=ids.REGISTRY_REGION, instance_ids=json.dumps(["i-%d" % n for n in range(101)])), "InvalidInstanceIds.ValueNotSupported"),
    (dict(region_id="cn-nowhere-1x"), "InvalidRegionId.NotFound"),
    (dict(), "MissingParameter"),
])
def test_errors_as_the_cloud_answers_them(ecs, request_, code):
    with pytest.raises(TeaException) as error:
        describe(ecs, **request_)
    assert error.value.code == code
