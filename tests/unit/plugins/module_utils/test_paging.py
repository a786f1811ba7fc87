"""module_utils/paging.py against the twin with the real SDK: every page is read, in order, and nothing more is asked for.

A spy around ``module.call`` records what each request asked for and what the twin answered; the calls
themselves are the real ones (SDK -> HTTP -> twin).
"""

import pytest

from ansible_collections.alicloud.acr_access.plugins.module_utils import paging
from ansible_collections.alicloud.acr_access.plugins.module_utils.cr import CR, cr_call
from ansible_collections.alicloud.acr_access.plugins.module_utils.errors import AlicloudApiError
from ansible_collections.alicloud.acr_access.plugins.module_utils.vpc import VPC

HZ_VPC = "vpc-bp1twin0000000000001"
HZ_TABLE = "vtb-bp1twin0000000000001"
SH_TABLE = "vtb-uf6twin0000000000001"
VSWITCHES = ("VSwitches", "VSwitch")
ENTRIES = ("RouteEntrys", "RouteEntry")


@pytest.fixture
def module(twin, twin_args, make_module):
    """The module base against the twin, its ``call`` wrapped by a spy: ``module.calls`` lists (action, params, region, body)."""
    built = make_module(twin_args())
    real = built.call
    built.calls = []

    def call(product, action, params=None, region=None, **kwargs):
        body = real(product, action, params, region=region, **kwargs)
        built.calls.append((action, dict(params or {}), region, body))
        return body

    built.call = call
    return built


def ids(items, key):
    return [item[key] for item in items]


def test_number_pages_reads_every_page(module):
    everything = paging.number_pages(module, VPC, "DescribeVSwitches", {"RegionId": "cn-hangzhou", "VpcId": HZ_VPC}, VSWITCHES, 50)
    assert len(everything) == 2 and len(module.calls) == 1  # one page holds them all: no second call
    module.calls.clear()
    paged = paging.number_pages(module, VPC, "DescribeVSwitches", {"RegionId": "cn-hangzhou", "VpcId": HZ_VPC}, VSWITCHES, 1)
    assert ids(paged, "VSwitchId") == ids(everything, "VSwitchId")
    asked = [(params["PageNumber"], params["PageSize"], params["VpcId"]) for _action, params, _region, _body in module.calls]
    assert asked == [(1, 1, HZ_VPC), (2, 1, HZ_VPC)]
    # the twin answered the page that was asked for: the SDK sent PageNumber / PageSize
    assert [(body["PageNumber"], body["PageSize"], body["TotalCount"]) for *_rest, body in module.calls] == [(1, 1, 2), (2, 1, 2)]


def test_number_pages_stops_at_the_total_count(module):
    """A full last page: TotalCount says it is the last, so no empty page is asked for."""
    paged = paging.number_pages(module, VPC, "DescribeVSwitches", {"RegionId": "cn-hangzhou", "VpcId": HZ_VPC}, VSWITCHES, 2)
    assert len(paged) == 2 and len(module.calls) == 1


def test_number_pages_in_another_region(module):
    paged = paging.number_pages(module, VPC, "DescribeVSwitches", {"RegionId": "cn-shanghai"}, VSWITCHES, 1, region="cn-shanghai")
    assert sorted(ids(paged, "VSwitchId")) == ["vsw-uf6twin00000000000m1", "vsw-uf6twin00000000000n1"]
    assert [region for _action, _params, region, _body in module.calls] == ["cn-shanghai", "cn-shanghai"]


def test_number_pages_of_nothing(module):
    paged = paging.number_pages(module, VPC, "DescribeVSwitches", {"RegionId": "cn-hangzhou", "VpcId": "vpc-none"}, VSWITCHES, 10)
    assert paged == [] and len(module.calls) == 1


def test_token_pages_follows_the_token(module):
    params = {"RegionId": "cn-hangzhou", "RouteTableId": HZ_TABLE}
    everything = paging.token_pages(module, VPC, "DescribeRouteEntryList", params, ENTRIES, "MaxResult", 100, region="cn-hangzhou")
    assert len(everything) == 3 and len(module.calls) == 1
    assert module.calls[0][1]["NextToken"] is None and module.calls[0][1]["MaxResult"] == 100
    module.calls.clear()
    paged = paging.token_pages(module, VPC, "DescribeRouteEntryList", params, ENTRIES, "MaxResult", 1, region="cn-hangzhou")
    assert ids(paged, "RouteEntryId") == ids(everything, "RouteEntryId")
    assert [(p["NextToken"], p["MaxResult"]) for _action, p, _region, _body in module.calls] == [
        (None, 1), ("twin-page-1", 1), ("twin-page-2", 1)]
    assert [body["NextToken"] for *_rest, body in module.calls] == ["twin-page-1", "twin-page-2", ""]
    assert all(entry["RouteTableId"] == HZ_TABLE for entry in paged)
    assert params == {"RegionId": "cn-hangzhou", "RouteTableId": HZ_TABLE}  # the caller's dict is not changed


def test_token_pages_stops_on_a_repeated_token(module):
    """A cloud that hands out the same token again would loop for ever: the second sighting ends the paging."""
    real = module.call

    def stuck(product, action, params=None, region=None, **kwargs):
        body = dict(real(product, action, params, region=region, **kwargs))
        body["NextToken"] = "twin-page-1"
        return body

    module.call = stuck
    paged = paging.token_pages(module, VPC, "DescribeRouteEntryList", {"RegionId": "cn-hangzhou", "RouteTableId": HZ_TABLE}, ENTRIES,
                               "MaxResult", 1, region="cn-hangzhou")
    assert [p["NextToken"] for _action, p, _region, _body in module.calls] == [None, "twin-page-1"]
    assert len(paged) == 2


def test_an_api_error_on_a_page_is_raised(module):
    with pytest.raises(AlicloudApiError) as raised:
        paging.token_pages(module, VPC, "DescribeRouteEntryList", {"RegionId": "cn-hangzhou", "RouteTableId": "vtb-none"}, ENTRIES,
                           "MaxResult", 1, region="cn-hangzhou")
    assert raised.value.operation == "DescribeRouteEntryList" and raised.value.code and raised.value.request_id
    assert "vtb-none" in raised.value.message


def test_both_tables_page_separately(module):
    hz = paging.token_pages(module, VPC, "DescribeRouteEntryList", {"RegionId": "cn-hangzhou", "RouteTableId": HZ_TABLE}, ENTRIES,
                            "MaxResult", 2, region="cn-hangzhou")
    sh = paging.token_pages(module, VPC, "DescribeRouteEntryList", {"RegionId": "cn-shanghai", "RouteTableId": SH_TABLE}, ENTRIES,
                            "MaxResult", 2, region="cn-shanghai")
    assert sorted(e["DestinationCidrBlock"] for e in hz) == ["10.0.0.0/24", "10.0.1.0/24", "100.64.0.0/10"]
    assert sorted(e["DestinationCidrBlock"] for e in sh) == ["100.64.0.0/10", "172.16.0.0/24", "172.16.1.0/24"]
    assert len(module.calls) == 4  # two pages each


def test_cr_pages_are_numbered_with_page_no_and_sent_through_the_given_call(module):
    """CR numbers its pages PageNo (not PageNumber); ``send`` lets cr_call word CR's error codes."""
    sent = []

    def send(params):
        sent.append(params)
        return cr_call(module, "ListInstance", params, "cn-hangzhou")

    found = paging.number_pages(module, CR, "ListInstance", {}, ("Instances",), 1, "cn-hangzhou", page_key="PageNo", send=send)
    assert found and all(item["InstanceId"].startswith("cri-") for item in found)
    assert [params["PageNo"] for params in sent] == list(range(1, len(found) + 1))
    assert all("PageNumber" not in params for params in sent)
    assert [body["PageNo"] for action, _params, _region, body in module.calls if action == "ListInstance"] == list(range(1, len(found) + 1))
