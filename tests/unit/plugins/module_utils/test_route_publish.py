"""module_utils/route_publish.py: the pure steps (table tests), then the reads, the manager and the learning wait against the twin."""

import pytest
from ansible.module_utils.common import warnings

from ansible_collections.alicloud.acr_access.plugins.module_utils import cen as api
from ansible_collections.alicloud.acr_access.plugins.module_utils.errors import AlicloudApiError, InputError, WaiterError
from ansible_collections.alicloud.acr_access.plugins.module_utils.route_publish import (
    LEARN_PACE, ROUTE_LEARNED, ROUTE_PUBLISHED, ROUTE_WITHDRAWN, AdvertisementManager, describe_published, learned_status,
    learning_route_table, normalise_cidrs, normalise_published, plan_advertisement, resolve_route_table, wait_learned)
from ansible_collections.alicloud.acr_access.plugins.module_utils.waiter import GONE, WAIT_SCALE_ENV
from ansible_collections.alicloud.acr_access.plugins.modules import vpc_route_entry

TABLE = "vtb-test"
OTHER = "vtb-other"
HZ_VPC, HZ_TABLE, HZ_ECS = "vpc-bp1twin0000000000001", "vtb-bp1twin0000000000001", "i-bp1twin0000000000001"
HZ_ZONES = {"cn-hangzhou-j": "vsw-bp1twin00000000000j1", "cn-hangzhou-k": "vsw-bp1twin00000000000k1"}
COVERING = "100.0.0.0/8"


def published(cidr, status, table=TABLE):
    return {"DestinationCidrBlock": cidr, "PublishStatus": status, "ChildInstanceRouteTableId": table}


# --- plan_advertisement -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("entries, state, action", [
    ([published("10.1.0.0/16", "Published")], "present", "unchanged"),
    ([published("10.1.0.0/16", "NonPublished")], "present", "published"),
    ([published("10.1.0.0/16", "Publishing")], "present", "published"),       # not published yet: asked again
    ([published("10.1.0.0/16", "Published")], "absent", "withdrawn"),
    ([published("10.1.0.0/16", "NonPublished")], "absent", "absent"),
    ([published("10.1.0.0/16", "Withdrawing")], "absent", "absent"),
    ([], "absent", "absent"),                                                  # no such entry: nothing to withdraw
    ([published("10.1.0.0/16", "Published", table=OTHER), published("10.1.0.0/16", "NonPublished")], "present", "published"),
    ([{"DestinationCidrBlock": "10.1.0.0/16", "PublishStatus": "Published"}], "present", "unchanged"),  # no table id: ours
])
def test_plan_one_destination(entries, state, action):
    [(cidr, item, planned)] = plan_advertisement(entries, ["10.1.0.0/16"], state, TABLE)
    assert (cidr, planned) == ("10.1.0.0/16", action)
    assert item is None or item.get("ChildInstanceRouteTableId", TABLE) == TABLE  # never another table's entry


def test_plan_keeps_the_order_of_the_list():
    entries = [published("10.2.0.0/16", "Published"), published("10.1.0.0/16", "NonPublished")]
    plan = plan_advertisement(entries, ["10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"], "absent", TABLE)
    assert [(cidr, action) for cidr, _item, action in plan] == [("10.1.0.0/16", "absent"), ("10.2.0.0/16", "withdrawn"), ("10.3.0.0/16", "absent")]


def test_plan_names_every_missing_destination_and_the_fix():
    with pytest.raises(InputError) as err:
        plan_advertisement([published("10.1.0.0/16", "Published")], ["10.8.0.0/16", "10.1.0.0/16", "10.9.0.0/16"], "present", TABLE)
    assert str(err.value).startswith("10.8.0.0/16, 10.9.0.0/16 not in route table %s" % TABLE)
    assert "alicloud.acr_access.vpc_route_entry" in str(err.value) and err.value.code == "InvalidInput"


def test_plan_in_check_mode_predicts_a_missing_destination_as_published():
    [(cidr, item, action)] = plan_advertisement([], ["10.8.0.0/16"], "present", TABLE, missing_ok=True)
    assert (cidr, item, action) == ("10.8.0.0/16", None, "published")


# --- normalise_cidrs / normalise_published --------------------------------------------------------------------------------

@pytest.mark.parametrize("given, expected", [
    ([], []),
    (["100.0.0.0/8"], ["100.0.0.0/8"]),
    (["10.0.0.1", " 192.168.0.0/16 "], ["10.0.0.1/32", "192.168.0.0/16"]),
    (["2408:4000::1"], ["2408:4000::1/128"]),
])
def test_normalise_cidrs(given, expected):
    assert normalise_cidrs(given) == expected


@pytest.mark.parametrize("given, message", [
    (["10.0.0.1", "10.0.0.1/32"], "destination_cidr_blocks[1]: 10.0.0.1/32 is listed twice"),
    (["10.0.0.0/8", "10.1.0.1/8"], "destination_cidr_blocks[1] 10.1.0.1/8 has host bits set"),
    (["example.com"], "destination_cidr_blocks[0]"),
    ([""], "destination_cidr_blocks[0]"),
])
def test_normalise_cidrs_errors_name_the_item(given, message):
    with pytest.raises(InputError) as err:
        normalise_cidrs(given)
    assert str(err.value).startswith(message), str(err.value)


def test_normalise_published():
    item = {"DestinationCidrBlock": COVERING, "PublishStatus": "Published", "NextHopId": HZ_ECS,
            "Conflicts": {"Conflict": [{"DestinationCidrBlock": COVERING, "InstanceId": "vpc-x"}]}}
    view = normalise_published(item, COVERING, "unchanged")
    assert (view["publish_status"], view["next_hop_id"], view["action"]) == ("Published", HZ_ECS, "unchanged")
    assert view["conflicts"] == [{"destination_cidr_block": COVERING, "instance_id": "vpc-x"}]
    assert normalise_published(None, COVERING, "published") == {"destination_cidr_block": COVERING, "publish_status": "NonPublished",
                                                                "conflicts": [], "action": "published"}


def test_waiters_are_spec_constants():
    assert ROUTE_PUBLISHED.success == ("Published",) and ROUTE_PUBLISHED.when_gone == "failure"
    assert ROUTE_WITHDRAWN.success == ("NonPublished",) and ROUTE_WITHDRAWN.when_gone == "success"
    assert ROUTE_LEARNED.when_gone == "retry" and all(spec.product is api.CBN for spec in (ROUTE_PUBLISHED, ROUTE_WITHDRAWN, ROUTE_LEARNED))


# --- wait_learned: one read of the table per poll for every destination ------------------------------------------------

LEARNING = {"transit_router_id": "tr-sh", "transit_router_route_table_id": "vtb-tr-sh"}
SECOND = "10.94.205.198/32"


def learned(cidr, status="Active", hop="tr-hz"):
    return {"TransitRouterRouteEntryDestinationCidrBlock": cidr, "TransitRouterRouteEntryStatus": status,
            "TransitRouterRouteEntryId": "rte-" + cidr, "TransitRouterRouteEntryNextHopId": "tr-attach-peer",
            "TransitRouterRouteEntryNextHopResourceId": hop}


class Answers:
    """A module whose ``call`` answers ListTransitRouterRouteEntries from a list (one answer per read; the last repeats)."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests = []

    def call(self, product, action, params=None, region=None, **kwargs):
        assert action == "ListTransitRouterRouteEntries" and "deadline" in kwargs
        self.requests.append(params)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return {"TransitRouterRouteEntries": answer, "NextToken": ""}


@pytest.fixture
def quick(monkeypatch):
    monkeypatch.setenv(WAIT_SCALE_ENV, "0")  # the shortest pauses (waiter.MIN_PAUSE)


def test_wait_learned_reads_the_table_once_per_poll_for_every_destination(quick):
    module = Answers([learned(COVERING)], [learned(SECOND), learned("172.16.0.0/16"), learned(COVERING)])
    result = wait_learned(module, LEARNING, [COVERING, SECOND], 30)
    assert len(module.requests) == 2  # the second destination was not learned at the first read
    assert all(request["TransitRouterRouteTableId"] == "vtb-tr-sh" and request["MaxResults"] == 100 and
               request["RouteFilter"] == [{"Key": "PrefixExactMatchCidrs", "Value": [COVERING, SECOND]}] and
               "TransitRouterRouteEntryDestinationCidrBlock" not in request for request in module.requests)
    assert result == dict(LEARNING, routes=[
        {"destination_cidr_block": cidr, "transit_router_route_entry_id": "rte-" + cidr, "next_hop_id": "tr-attach-peer",
         "next_hop_resource_id": "tr-hz", "status": "Active"} for cidr in (COVERING, SECOND)])


def test_wait_learned_keeps_the_pacing_of_route_learned():
    assert (ROUTE_LEARNED.delay, ROUTE_LEARNED.max_delay) == (LEARN_PACE["delay"], LEARN_PACE["max_delay"])
    assert ROUTE_LEARNED.operation == "ListTransitRouterRouteEntries" and ROUTE_LEARNED.success == ("Active",)


@pytest.mark.parametrize("items, status", [
    ([], GONE),
    ([learned(COVERING)], GONE),                                                  # the second not there yet
    ([learned(COVERING), learned(SECOND, "Rejected")], "Rejected"),
    ([learned(SECOND, "Standby"), learned(SECOND), learned(COVERING)], "Active"),  # an Active route of a destination wins
    ([learned(COVERING), learned(SECOND), learned("10.0.0.0/8", "Rejected")], "Active"),  # others do not count
])
def test_learned_status(items, status):
    assert learned_status(items, [COVERING, SECOND])[0] == status


def test_wait_learned_names_what_was_not_learned_when_the_time_is_up(quick):
    module = Answers([learned(COVERING), learned(SECOND, "Rejected")])
    with pytest.raises(WaiterError) as err:
        wait_learned(module, LEARNING, [COVERING, SECOND, "192.0.2.0/24"], 0.3)
    assert err.value.code == "WaiterTimeout" and len(module.requests) > 1
    message = str(err.value)
    assert message.startswith("Timed out after 0.3 seconds waiting for routes %s, %s, 192.0.2.0/24 in transit router route table vtb-tr-sh "
                              "to reach Active; last status: Rejected" % (COVERING, SECOND))
    assert message.endswith("(not learned yet: %s, 192.0.2.0/24)" % SECOND)


def test_wait_learned_reads_a_not_found_answer_as_not_learned_yet(quick):
    not_found = AlicloudApiError("no such table", operation="ListTransitRouterRouteEntries", code="InvalidTransitRouterRouteTableId.NotFound")
    module = Answers(not_found, [learned(COVERING)])
    assert [route["status"] for route in wait_learned(module, LEARNING, [COVERING], 30)["routes"]] == ["Active"]
    assert len(module.requests) == 2


def test_wait_learned_for_no_destination_reads_nothing():
    module = Answers([])
    assert wait_learned(module, LEARNING, [], 30) == dict(LEARNING, routes=[]) and module.requests == []


# --- against the twin -------------------------------------------------------------------------------------------------------

SPEC = dict(cen_id=dict(type="str"), vpc_id=dict(type="str"), route_table_id=dict(type="str"), destination_cidr_blocks=dict(type="list", elements="str"),
            state=dict(type="str", default="present"), learned_by=dict(type="dict"), wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=300))


@pytest.fixture
def attached(twin, twin_args, make_module, run_module):
    """The Hangzhou VPC attached to a CEN, with the route 100.0.0.0/8 -> ECS in its system table: {cen_id, attachment_id}."""
    module = make_module(twin_args())
    cen_id = api.create_cen(module, "acr", None)
    twin.settle()
    router = {"TransitRouterId": api.create_transit_router(module, cen_id, "cn-hangzhou", None, None), "CenId": cen_id, "RegionId": "cn-hangzhou"}
    twin.settle()
    attachment_id = api.create_vpc_attachment(module, router, HZ_VPC, HZ_ZONES, None, None, False)
    twin.settle()
    assert "failed" not in run_module(vpc_route_entry.main, twin_args(vpc_id=HZ_VPC, destination_cidr_block=COVERING, next_hop_id=HZ_ECS))
    return {"cen_id": cen_id, "attachment_id": attachment_id, "router_id": router["TransitRouterId"]}


def manager(make_module, twin_args, attached, **options):
    values = dict(cen_id=attached["cen_id"], vpc_id=HZ_VPC, destination_cidr_blocks=[COVERING])
    values.update(options)
    return AdvertisementManager(make_module(twin_args(**values), argument_spec=SPEC, supports_check_mode=True))


def test_resolve_route_table(twin, twin_args, make_module, sdk_client, sdk_models):
    module = make_module(twin_args())
    assert resolve_route_table(module, "cn-hangzhou", HZ_VPC, None) == HZ_TABLE
    assert resolve_route_table(module, "cn-hangzhou", HZ_VPC, HZ_TABLE) == HZ_TABLE
    custom = sdk_client("vpc").create_route_table(sdk_models("vpc").CreateRouteTableRequest(region_id="cn-hangzhou", vpc_id=HZ_VPC)).body.route_table_id
    twin.settle()
    with pytest.raises(InputError) as err:
        resolve_route_table(module, "cn-hangzhou", HZ_VPC, custom)
    assert str(err.value).startswith("route_table_id %s is a custom route table" % custom) and "system route table" in str(err.value)
    assert twin.writes() == [c for c in twin.writes() if c["action"] == "CreateRouteTable"]


def test_resolve_route_table_takes_the_system_table_read_already(twin, twin_args, make_module):
    """A step owner that looked up the VPC's system table passes it: no read for it; another table given is still checked."""
    module = make_module(twin_args())
    assert resolve_route_table(module, "cn-hangzhou", HZ_VPC, None, system_table_id=HZ_TABLE) == HZ_TABLE
    assert resolve_route_table(module, "cn-hangzhou", HZ_VPC, HZ_TABLE, system_table_id=HZ_TABLE) == HZ_TABLE
    assert twin.calls() == []
    with pytest.raises(AlicloudApiError) as err:
        resolve_route_table(module, "cn-hangzhou", HZ_VPC, "vtb-bp1other000000000001", system_table_id=HZ_TABLE)
    assert err.value.code == "InvalidRouteTableId.NotFound" and twin.counts() == {"DescribeRouteTableList": 1}


def test_resolve_route_table_of_another_vpc(twin, twin_args, make_module):
    module = make_module(twin_args())
    other_vpc = "vpc-bp1other000000000001"
    with pytest.raises(InputError) as err:
        resolve_route_table(module, "cn-hangzhou", other_vpc, HZ_TABLE)
    assert str(err.value) == "route_table_id %s belongs to VPC %s, not to vpc_id %s" % (HZ_TABLE, HZ_VPC, other_vpc)


def test_describe_published_lists_the_table(twin, twin_args, make_module, attached):
    entries = describe_published(make_module(twin_args()), attached["cen_id"], "cn-hangzhou", HZ_VPC, HZ_TABLE)
    by_cidr = {entry["DestinationCidrBlock"]: entry for entry in entries}
    assert by_cidr[COVERING]["PublishStatus"] == "NonPublished" and by_cidr[COVERING]["ChildInstanceRouteTableId"] == HZ_TABLE


def test_manager_publishes_then_withdraws(twin, twin_args, make_module, attached):
    published_once = manager(make_module, twin_args, attached).ensure()
    assert published_once["changed"] is True and published_once["entries"][0]["publish_status"] == "Published"
    assert published_once["route_table_id"] == HZ_TABLE and "learned" not in published_once
    since = twin.last_seq()
    again = manager(make_module, twin_args, attached).ensure()
    assert again["changed"] is False and twin.writes(since) == []
    withdrawn = manager(make_module, twin_args, attached, state="absent")
    result = withdrawn.ensure()
    assert result["changed"] is True and result["entries"][0]["publish_status"] == "NonPublished"
    assert result["diff"] == {"before": {COVERING: "Published"}, "after": {COVERING: "NonPublished"}}
    assert withdrawn.failure_values() == {"verb": "withdraw"}
    assert withdrawn.withdraw(COVERING) is False  # the cloud says it is not published: no change


def test_manager_check_mode_and_wait_false(twin, twin_args, make_module, attached):
    since = twin.last_seq()
    predicted = manager(make_module, twin_args, attached, _ansible_check_mode=True).ensure()
    assert predicted["changed"] is True and predicted["entries"][0]["publish_status"] == "Published" and twin.writes(since) == []
    twin.set_time_scale(1000.0)
    asked = manager(make_module, twin_args, attached, wait=False).ensure()
    assert asked["changed"] is True and asked["entries"][0]["publish_status"] == "Publishing"
    assert len(twin.calls(action="PublishRouteEntries")) == 1 and twin.calls(action="DescribePublishedRouteEntries")[-1]["seq"] < \
        twin.calls(action="PublishRouteEntries")[0]["seq"]  # no wait after the write


def test_learning_route_table_from_the_attachment(twin, twin_args, make_module, attached):
    module = make_module(twin_args())
    system = next(table["TransitRouterRouteTableId"] for table in api.list_route_tables(module, attached["router_id"])
                  if table["TransitRouterRouteTableType"] == "System")
    assert learning_route_table(module, {"transit_router_attachment_id": attached["attachment_id"]}) == {
        "transit_router_id": attached["router_id"], "transit_router_route_table_id": system}  # not associated: the System table
    api.create_link(module, "association", attached["attachment_id"], system)
    twin.settle()
    assert learning_route_table(module, {"transit_router_route_table_id": system})["transit_router_id"] == attached["router_id"]
    with pytest.raises(InputError, match=r"^learned_by.transit_router_route_table_id: transit router route table vtb-x not found"):
        learning_route_table(module, {"transit_router_route_table_id": "vtb-x"})


def test_check_mode_reads_only(twin, twin_args, make_module, attached):
    module = make_module(twin_args(cen_id=attached["cen_id"], vpc_id=HZ_VPC, destination_cidr_blocks=["10.77.0.0/16"], _ansible_check_mode=True),
                         argument_spec=SPEC, supports_check_mode=True)
    since = twin.last_seq()
    result = AdvertisementManager(module).ensure()
    assert result["entries"][0]["action"] == "published" and twin.writes(since) == []
    assert any("10.77.0.0/16 not in route table" in str(warning) for warning in warnings.get_warning_messages())
