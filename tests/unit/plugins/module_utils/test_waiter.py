"""The waiter loop on a fake clock (scripted reads), the waiter constants of the product homes, and waits against the twin."""

import pytest

from ansible_collections.alicloud.acr_access.plugins.module_utils import cen, cr, privatelink, route_publish, vpc, vpc_routes
from ansible_collections.alicloud.acr_access.plugins.module_utils.errors import WaiterError
from ansible_collections.alicloud.acr_access.plugins.module_utils.vpc import VPC
from ansible_collections.alicloud.acr_access.plugins.module_utils.vpc_routes import ROUTE_ENTRY_AVAILABLE, ROUTE_ENTRY_DELETED
from ansible_collections.alicloud.acr_access.plugins.module_utils.waiter import (
    GONE, MIN_PAUSE, WAIT_SCALE_ENV, WHEN_GONE, WaiterSpec, pauses, poll, status_from_answer, wait_for, wait_scale)

ROUTE_TABLE = "vtb-bp1twin0000000000001"


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def scripted(statuses):
    """A read() that answers the statuses in turn (the last one for ever), recording the time left it was given."""
    seen = []

    def read(seconds_left):
        seen.append(seconds_left)
        status = statuses[min(len(seen), len(statuses)) - 1]
        return status, (None if status == GONE else {"Status": status, "Id": "thing-1"})

    read.seen = seen
    return read


def spec(**overrides):
    values = dict(resource="thing {thing_id}", product=VPC, operation="DescribeThings", request=lambda ids: {},
                  items=("Things", "Thing"), status_key="Status", success=("Available",), failure=("Failed",))
    values.update(overrides)
    return WaiterSpec(**values)


def run(statuses, timeout=60, **overrides):
    clock = FakeClock()
    read = scripted(statuses)
    result = poll(read, spec(**overrides), timeout, "thing thing-1", sleep=clock.sleep, clock=clock.clock,
                  uniform=lambda low, high: high, scale=1.0)
    return result, read, clock


def test_success_after_pending():
    result, read, clock = run(["Pending", "Pending", "Available"])
    assert result == {"Status": "Available", "Id": "thing-1"}
    assert len(read.seen) == 3
    assert clock.sleeps == [2.0, 3.0]  # backoff: pauses grow by half


def test_pauses_stop_growing_at_max_delay():
    clock = run(["Pending"] * 9 + ["Available"], timeout=600)[2]
    assert max(clock.sleeps) == 5.0  # a few seconds: a change that takes longer than usual is seen soon after its end
    assert clock.sleeps == sorted(clock.sleeps)


def test_failure_state_fails_at_once():
    with pytest.raises(WaiterError) as raised:
        run(["Pending", "Failed", "Available"])
    assert raised.value.code == "WaiterFailureState"
    assert "thing thing-1" in str(raised.value) and "Failed" in str(raised.value)


def test_timeout_names_resource_last_status_and_timeout():
    with pytest.raises(WaiterError) as raised:
        run(["Pending"], timeout=10)
    message = str(raised.value)
    assert raised.value.code == "WaiterTimeout"
    assert "10 seconds" in message and "thing thing-1" in message and "last status: Pending" in message


def test_timeout_never_sleeps_past_the_deadline():
    clock = FakeClock()
    read = scripted(["Pending"])
    with pytest.raises(WaiterError):
        poll(read, spec(), 7, "thing", sleep=clock.sleep, clock=clock.clock, uniform=lambda low, high: high, scale=1.0)
    assert clock.now == 7.0
    assert read.seen[0] == 7.0 and read.seen[-1] == 0.0  # each read is told the time left for its own retries


@pytest.mark.parametrize("when_gone, statuses, outcome", [
    ("success", ["Deleting", GONE], None),
    ("success", [GONE], None),
    ("retry", [GONE, "Pending", "Available"], "Available"),
    ("failure", ["Pending", GONE], "WaiterResourceGone"),
])
def test_gone_handling(when_gone, statuses, outcome):
    if outcome == "WaiterResourceGone":
        with pytest.raises(WaiterError) as raised:
            run(statuses, when_gone=when_gone)
        assert raised.value.code == outcome
        return
    result = run(statuses, when_gone=when_gone)[0]
    assert (result or {}).get("Status") == outcome


def test_timeout_while_absent_says_absent():
    with pytest.raises(WaiterError) as raised:
        run([GONE], timeout=5)
    assert "last status: absent" in str(raised.value)


def test_check_returns_the_spec_itself():
    waiter = spec()
    assert waiter.check() is waiter


def test_check_rejects_bad_gone_handling_and_lists_the_valid_ones():
    with pytest.raises(ValueError) as raised:
        spec(when_gone="maybe").check()
    message = str(raised.value)
    assert "thing {thing_id}" in message and "'maybe'" in message
    assert all(choice in message for choice in WHEN_GONE)


def test_check_rejects_a_product_given_as_a_string():
    with pytest.raises(ValueError) as raised:
        spec(product="vpc").check()
    assert "must be a Product" in str(raised.value)


def _homes_waiters():
    """Every waiter constant of the product homes (the CEN link waiters are in dicts by kind)."""
    found = {}
    for home in (vpc, vpc_routes, cr, cen, route_publish, privatelink):
        for name, value in vars(home).items():
            if isinstance(value, WaiterSpec):
                found["%s.%s" % (home.__name__.rsplit(".", 1)[-1], name)] = value
            elif isinstance(value, dict) and value and all(isinstance(item, WaiterSpec) for item in value.values()):
                found.update(("%s.%s[%s]" % (home.__name__.rsplit(".", 1)[-1], name, kind), item) for kind, item in value.items())
    return found


def test_the_product_homes_define_their_waiters_as_checked_constants():
    found = _homes_waiters()
    for name in ("vpc_routes.ROUTE_ENTRY_AVAILABLE", "vpc_routes.ROUTE_ENTRY_DELETED", "cr.CR_LINKED_VPC_RUNNING", "cr.CR_LINKED_VPC_GONE",
                 "cen.CEN_ACTIVE", "cen.TRANSIT_ROUTER_ACTIVE", "cen.TRANSIT_ROUTER_DELETED", "cen.LINK_ACTIVE[association]",
                 "cen.LINK_DELETED[propagation]", "route_publish.ROUTE_PUBLISHED", "route_publish.ROUTE_WITHDRAWN"):
        assert name in found
    for name, waiter in found.items():
        assert waiter.check() is waiter, name
        assert waiter.operation.startswith(("Describe", "List", "Get")), name  # a waiter only reads
        # a delete waiter succeeds when the resource is gone, and waits for no status
        assert waiter.success or waiter.when_gone == "success", name


def test_route_entry_waiters():
    assert (ROUTE_ENTRY_AVAILABLE.product, ROUTE_ENTRY_AVAILABLE.success, ROUTE_ENTRY_AVAILABLE.when_gone) == (VPC, ("Available",), "retry")
    assert (ROUTE_ENTRY_DELETED.success, ROUTE_ENTRY_DELETED.when_gone) == ((), "success")
    ids = {"region": "cn-hangzhou", "route_table_id": ROUTE_TABLE, "route_entry_id": "rte-1"}
    assert ROUTE_ENTRY_AVAILABLE.request(ids) == {"RegionId": "cn-hangzhou", "RouteTableId": ROUTE_TABLE, "RouteEntryId": "rte-1"}


def test_status_from_answer_picks_our_item():
    waiter = ROUTE_ENTRY_AVAILABLE
    answer = {"RouteEntrys": {"RouteEntry": [{"RouteEntryId": "rte-other", "Status": "Pending"},
                                             {"RouteEntryId": "rte-1", "Status": "Available"}]}}
    ids = {"route_entry_id": "rte-1"}
    assert status_from_answer(waiter, answer, ids) == ("Available", answer["RouteEntrys"]["RouteEntry"][1])
    assert status_from_answer(waiter, {"RouteEntrys": {"RouteEntry": []}}, ids) == (GONE, None)
    assert status_from_answer(waiter, {}, ids) == (GONE, None)


# -- against the twin (real SDK, real HTTP) ---------------------------------------------------------------

def system_entry(module):
    body = module.call(VPC, "DescribeRouteEntryList", {"RegionId": "cn-hangzhou", "RouteTableId": ROUTE_TABLE})
    return body["RouteEntrys"]["RouteEntry"][0]


def test_route_entry_available_against_twin(make_module, twin_args):
    module = make_module(twin_args())
    entry = system_entry(module)
    found = wait_for(module, ROUTE_ENTRY_AVAILABLE, 30, region="cn-hangzhou", route_table_id=ROUTE_TABLE,
                     route_entry_id=entry["RouteEntryId"])
    assert found["RouteEntryId"] == entry["RouteEntryId"] and found["Status"] == "Available"


def test_route_entry_deleted_against_twin_for_an_absent_entry(make_module, twin_args, twin):
    module = make_module(twin_args())
    since = twin.last_seq()
    assert wait_for(module, ROUTE_ENTRY_DELETED, 30, region="cn-hangzhou", route_table_id=ROUTE_TABLE,
                    route_entry_id="rte-bp1doesnotexist000001") is None
    assert [call["action"] for call in twin.calls(since)] == ["DescribeRouteEntryList"]


def test_waiter_read_retries_throttling_inside(make_module, twin_args, twin):
    module = make_module(twin_args())
    entry = system_entry(module)
    twin.faults.force([{"action": "DescribeRouteEntryList", "kind": "throttle", "count": 1}])
    since = twin.last_seq()
    found = wait_for(module, ROUTE_ENTRY_AVAILABLE, 30, region="cn-hangzhou", route_table_id=ROUTE_TABLE,
                     route_entry_id=entry["RouteEntryId"])
    assert found["Status"] == "Available"
    assert [call["code"] for call in twin.calls(since)] == ["Throttling.User", None]


def test_new_route_entry_goes_from_pending_to_available(make_module, twin_args, twin, monkeypatch):
    """A real CreateRouteEntry: the entry is Pending for a (scaled) while, the waiter polls until Available."""
    twin.set_time_scale(0.3)  # the twin keeps a new route Pending for 3 s * 0.3
    monkeypatch.setenv(WAIT_SCALE_ENV, "0.3")  # and the waiter paces on the twin's clock
    module = make_module(twin_args())
    created = module.call(VPC, "CreateRouteEntry", {
        "RegionId": "cn-hangzhou", "RouteTableId": ROUTE_TABLE, "DestinationCidrBlock": "172.16.0.0/16",
        "NextHopType": "Instance", "NextHopId": "i-bp1twin0000000000001", "ClientToken": "waiter-test"})
    since = twin.last_seq()
    found = wait_for(module, ROUTE_ENTRY_AVAILABLE, 60, region="cn-hangzhou", route_table_id=ROUTE_TABLE,
                     route_entry_id=created["RouteEntryId"])
    assert found["Status"] == "Available" and found["DestinationCidrBlock"] == "172.16.0.0/16"
    assert len(twin.calls(since, action="DescribeRouteEntryList")) >= 2  # it was Pending at first


def test_waiter_times_out_against_twin(make_module, twin_args, twin):
    twin.set_time_scale(100.0)  # Pending for 300 s
    module = make_module(twin_args())
    created = module.call(VPC, "CreateRouteEntry", {
        "RegionId": "cn-hangzhou", "RouteTableId": ROUTE_TABLE, "DestinationCidrBlock": "172.17.0.0/16",
        "NextHopType": "Instance", "NextHopId": "i-bp1twin0000000000001"})
    with pytest.raises(WaiterError) as raised:
        wait_for(module, ROUTE_ENTRY_AVAILABLE, 1, region="cn-hangzhou", route_table_id=ROUTE_TABLE,
                 route_entry_id=created["RouteEntryId"])
    assert created["RouteEntryId"] in str(raised.value) and "last status: Pending" in str(raised.value)


class _Clock:
    def __init__(self):
        self.now = 50.0

    def __call__(self):
        return self.now


def test_deadline_is_one_budget_for_the_task():
    from ansible_collections.alicloud.acr_access.plugins.module_utils.errors import WaiterError
    from ansible_collections.alicloud.acr_access.plugins.module_utils.waiter import Deadline

    clock = _Clock()
    deadline = Deadline(10, clock=clock)
    deadline.before_write("CreateRouteEntry")  # within the budget: no error
    clock.now += 4
    assert deadline.left() == 6 and not deadline.expired()
    clock.now += 7
    assert deadline.left() == 0 and deadline.expired()
    with pytest.raises(WaiterError) as error:
        deadline.before_write("CreateRouteEntry 10.0.0.0/8")
    assert error.value.code == "WaiterTimeout"
    assert "10 seconds" in str(error.value) and "CreateRouteEntry 10.0.0.0/8" in str(error.value)


def test_as_deadline_keeps_a_deadline_and_starts_one_from_seconds():
    from ansible_collections.alicloud.acr_access.plugins.module_utils.waiter import Deadline, as_deadline

    deadline = Deadline(30, clock=_Clock())
    assert as_deadline(deadline) is deadline
    started = as_deadline(45)
    assert isinstance(started, Deadline) and started.seconds == 45 and 44 < started.left() <= 45


def test_polling_paces_a_read_that_is_no_api_call():
    """Polling: a probe's own statuses (any value, here booleans), pauses doubling without jitter, capped."""
    from ansible_collections.alicloud.acr_access.plugins.module_utils.waiter import Polling

    clock = FakeClock()
    answers = iter([False, False, False, False, True])

    def probe(_left):
        value = next(answers)
        return value, {"enabled": value}

    result = poll(probe,
                  Polling(success=(True,), delay=5, max_delay=12, growth=2.0, jitter=0.0), 600, "the takeover state",
                  sleep=clock.sleep, clock=clock.clock, scale=1.0)  # the real uniform: without jitter a pause is exact
    assert result == {"enabled": True} and clock.sleeps == [5, 10, 12, 12]


def test_polling_timeout_names_the_wanted_status_of_any_type():
    from ansible_collections.alicloud.acr_access.plugins.module_utils.waiter import Polling

    clock = FakeClock()
    with pytest.raises(WaiterError) as raised:
        poll(lambda left: (False, {}), Polling(success=(True,), delay=1, jitter=0.0), 3, "the takeover state",
             sleep=clock.sleep, clock=clock.clock, scale=1.0)
    assert "waiting for the takeover state to reach True; last status: False" in str(raised.value)


def test_a_waiter_spec_default_pacing():
    waiter = spec()
    assert (waiter.delay, waiter.max_delay, waiter.growth, waiter.jitter) == (2.0, 5.0, 1.5, 0.25)
    low = []
    clock = FakeClock()
    poll(scripted(["Pending", "Available"]), waiter, 60, "thing", sleep=clock.sleep, clock=clock.clock,
         uniform=lambda a, b: low.append((a, b)) or a, scale=1.0)
    assert low == [(1.5, 2.0)]  # a pause is shortened by at most a quarter


# -- pacing on the cloud's clock ----------------------------------------------------------------------------

def timed_read(clock, done_at, final="Available"):
    """A read() on the fake clock: Pending until ``done_at`` seconds, then ``final``; records the time of each read."""
    times = []

    def read(_left):
        times.append(clock.now)
        status = final if clock.now >= done_at else "Pending"
        return status, (None if status == GONE else {"Status": status})

    read.times = times
    return read


# waiter -> (first pause, cap of the later pauses, the change's typical seconds, the times of the reads when the change
# takes exactly its typical time, no jitter). The first read is at once; the second near the typical time; then every cap.
PACING = [
    ("cen.CEN_ACTIVE", 4.0, 1.0, 5, [0, 4, 5]),
    ("cen.CEN_DELETED", 4.0, 1.0, 5, [0, 4, 5]),
    ("cen.TRANSIT_ROUTER_ACTIVE", 16.0, 1.5, 20, [0, 16, 17.5, 19, 20.5]),
    ("cen.TRANSIT_ROUTER_DELETED", 16.0, 1.5, 20, [0, 16, 17.5, 19, 20.5]),
    ("cen.VPC_ATTACHMENT_ATTACHED", 48.0, 1.5, 60, [0, 48, 49.5, 51, 52.5, 54, 55.5, 57, 58.5, 60]),
    ("cen.VPC_ATTACHMENT_MODIFIED", 24.0, 1.5, 30, [0, 24, 25.5, 27, 28.5, 30]),
    ("cen.VPC_ATTACHMENT_DELETED", 24.0, 1.5, 30, [0, 24, 25.5, 27, 28.5, 30]),
    ("cen.PEER_ATTACHMENT_ATTACHED", 48.0, 1.5, 60, [0, 48, 49.5, 51, 52.5, 54, 55.5, 57, 58.5, 60]),
    ("cen.PEER_ATTACHMENT_MODIFIED", 8.0, 1.5, 10, [0, 8, 9.5, 11]),
    ("cen.PEER_ATTACHMENT_DELETED", 24.0, 1.5, 30, [0, 24, 25.5, 27, 28.5, 30]),
    ("cen.DATA_CENTER_ATTACHMENT_ATTACHED[vpn]", 48.0, 1.5, 60, [0, 48, 49.5, 51, 52.5, 54, 55.5, 57, 58.5, 60]),
    ("cen.DATA_CENTER_ATTACHMENT_ATTACHED[vbr]", 48.0, 1.5, 60, [0, 48, 49.5, 51, 52.5, 54, 55.5, 57, 58.5, 60]),
    ("cen.DATA_CENTER_ATTACHMENT_DELETED[vpn]", 24.0, 1.5, 30, [0, 24, 25.5, 27, 28.5, 30]),
    ("cen.DATA_CENTER_ATTACHMENT_DELETED[vbr]", 24.0, 1.5, 30, [0, 24, 25.5, 27, 28.5, 30]),
    ("cen.ASSOCIATION_ACTIVE", 4.0, 1.0, 5, [0, 4, 5]),
    ("cen.ASSOCIATION_DELETED", 4.0, 1.0, 5, [0, 4, 5]),
    ("cen.PROPAGATION_ACTIVE", 4.0, 1.0, 5, [0, 4, 5]),
    ("cen.PROPAGATION_DELETED", 4.0, 1.0, 5, [0, 4, 5]),
    ("cen.LINK_ACTIVE[association]", 4.0, 1.0, 5, [0, 4, 5]),
    ("cen.LINK_ACTIVE[propagation]", 4.0, 1.0, 5, [0, 4, 5]),
    ("cen.LINK_DELETED[association]", 4.0, 1.0, 5, [0, 4, 5]),
    ("cen.LINK_DELETED[propagation]", 4.0, 1.0, 5, [0, 4, 5]),
    ("route_publish.ROUTE_PUBLISHED", 4.0, 1.0, 5, [0, 4, 5]),
    ("route_publish.ROUTE_WITHDRAWN", 4.0, 1.0, 5, [0, 4, 5]),
    ("route_publish.ROUTE_LEARNED", 2.0, 1.0, 3, [0, 2, 3]),
    ("vpc_routes.ROUTE_ENTRY_AVAILABLE", 2.5, 0.5, 3, [0, 2.5, 3.0]),
    ("vpc_routes.ROUTE_ENTRY_DELETED", 2.5, 0.5, 3, [0, 2.5, 3.0]),
    ("vpc.VPN_GATEWAY_ACTIVE", 1.5, 1.0, 2, [0, 1.5, 2.5]),
    ("vpc.VPN_ROUTE_PUBLISHED", 3.0, 1.0, 5, [0, 3, 4, 5]),
    ("vpc.VPN_ROUTE_WITHDRAWN", 3.0, 1.0, 5, [0, 3, 4, 5]),
    ("cr.CR_LINKED_VPC_RUNNING", 24.0, 3.0, 30, [0, 24, 27, 30]),
    ("cr.CR_LINKED_VPC_GONE", 8.0, 2.0, 10, [0, 8, 10]),
    ("privatelink.ENDPOINT_ACTIVE", 48.0, 3.0, 60, [0, 48, 51, 54, 57, 60]),
    ("privatelink.ENDPOINT_GONE", 24.0, 3.0, 30, [0, 24, 27, 30]),
]


def test_the_pacing_table_covers_every_waiter_of_the_homes():
    assert sorted(row[0] for row in PACING) == sorted(_homes_waiters())


@pytest.mark.parametrize("name, first, cap, typical, read_times", PACING, ids=[row[0] for row in PACING])
def test_a_waiter_reads_near_the_typical_time_then_every_few_seconds(name, first, cap, typical, read_times):
    waiter = _homes_waiters()[name]
    assert (waiter.delay, waiter.max_delay) == (first, cap)
    assert first < typical and cap <= 3.0  # the second read comes before the change is usually done; later ones close together
    clock = FakeClock()
    ending = GONE if waiter.when_gone == "success" else waiter.success[0]
    read = timed_read(clock, typical, final=ending)
    poll(read, waiter, 600, name, sleep=clock.sleep, clock=clock.clock, uniform=lambda low, high: high, scale=1.0)
    assert read.times == read_times
    assert read.times[-1] - typical < cap  # seen less than one short pause after the change was done


@pytest.mark.parametrize("name", [row[0] for row in PACING])
def test_a_resource_already_in_its_end_state_costs_one_read_and_no_pause(name):
    waiter = _homes_waiters()[name]
    clock = FakeClock()
    read = timed_read(clock, 0, final=GONE if waiter.when_gone == "success" else waiter.success[0])
    poll(read, waiter, 600, name, sleep=clock.sleep, clock=clock.clock, uniform=lambda low, high: high, scale=1.0)
    assert read.times == [0] and clock.sleeps == []


def test_a_wait_started_late_is_not_late_by_more_than_one_short_pause():
    """The wait: true loop starts some seconds after the wait: false one asked for the attachment: the first pause, a
    little shorter than the typical time, absorbs that."""
    waiter = cen.VPC_ATTACHMENT_ATTACHED
    for started_after in (0, 5, 10):
        clock = FakeClock()
        read = timed_read(clock, 60 - started_after, final="Attached")
        poll(read, waiter, 600, "late", sleep=clock.sleep, clock=clock.clock, uniform=lambda low, high: high, scale=1.0)
        assert 0 <= read.times[-1] - (60 - started_after) < waiter.max_delay, started_after


def test_a_slow_change_is_read_every_cap_seconds_until_the_timeout():
    clock = FakeClock()
    read = timed_read(clock, 10 ** 6)
    with pytest.raises(WaiterError):
        poll(read, cen.VPC_ATTACHMENT_ATTACHED, 120, "slow", sleep=clock.sleep, clock=clock.clock, uniform=lambda low, high: high, scale=1.0)
    assert read.times[:3] == [0, 48, 49.5] and read.times[-1] == 120
    assert {round(later - earlier, 6) for earlier, later in zip(read.times[1:-1], read.times[2:-1])} == {1.5}


def test_pauses_after_a_short_first_one_grow_to_the_cap():
    import itertools

    assert list(itertools.islice(pauses(spec(delay=1.0, max_delay=3.0)), 5)) == [1.0, 1.5, 2.25, 3.0, 3.0]
    assert list(itertools.islice(pauses(spec(delay=48.0, max_delay=3.0)), 3)) == [48.0, 3.0, 3.0]


def test_jitter_only_shortens_the_first_long_pause():
    bounds = []
    clock = FakeClock()
    poll(timed_read(clock, 60, final="Attached"), cen.VPC_ATTACHMENT_ATTACHED, 600, "jitter", sleep=clock.sleep, clock=clock.clock,
         uniform=lambda low, high: bounds.append((low, high)) or low, scale=1.0)
    assert bounds[0] == (36.0, 48.0) and all(high == 1.5 for _low, high in bounds[1:])


@pytest.mark.parametrize("value, scale", [(None, 1.0), ("", 1.0), ("0.1", 0.1), ("0", 0.0), ("2", 2.0), ("-1", 1.0), ("fast", 1.0),
                                          ("nan", 1.0), ("inf", 1.0)])
def test_wait_scale_from_the_environment(value, scale):
    environ = {} if value is None else {WAIT_SCALE_ENV: value}
    assert wait_scale(environ) == scale


def test_a_scaled_clock_multiplies_every_pause_and_never_spins(monkeypatch):
    clock = FakeClock()
    monkeypatch.setenv(WAIT_SCALE_ENV, "0.1")
    read = timed_read(clock, 6.0, final="Attached")  # an emulator ten times faster than the cloud
    poll(read, cen.VPC_ATTACHMENT_ATTACHED, 600, "scaled", sleep=clock.sleep, clock=clock.clock, uniform=lambda low, high: high)
    assert [round(time, 6) for time in read.times] == [0, 4.8, 4.95, 5.1, 5.25, 5.4, 5.55, 5.7, 5.85, 6.0]
    assert next(pauses(spec(), 0.0)) == MIN_PAUSE  # a scale of 0 never spins
