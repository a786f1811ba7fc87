"""cen_transit_router's main() against the twin: create, idempotence, check mode, absent, wait false, errors."""

import pytest

from ansible_collections.alicloud.acr_access.plugins.module_utils import cen as api
from ansible_collections.alicloud.acr_access.plugins.modules.cen_transit_router import main


@pytest.fixture
def cen_id(twin, twin_args, make_module):
    created = api.create_cen(make_module(twin_args()), "acr-access", None)
    twin.settle()
    return created


def test_create_returns_the_system_route_table_and_rerun_reads_only(run_module, twin_args, twin, cen_id):
    result = run_module(main, twin_args(cen_id=cen_id, name="tr-hz"))
    assert result["changed"] is True and "failed" not in result
    router = result["transit_router"]
    assert (router["cen_id"], router["region_id"], router["status"], router["type"]) == (cen_id, "cn-hangzhou", "Active", "Enterprise")
    table = twin.cloud.tr_route_tables[router["system_route_table_id"]]
    assert table["TransitRouterId"] == router["transit_router_id"] and table["TransitRouterRouteTableType"] == "System"
    assert twin.calls(action="CreateTransitRouter")[0]["params"]["ClientToken"]
    since = twin.last_seq()
    again = run_module(main, twin_args(cen_id=cen_id, name="another name is not a rename"))
    assert again["changed"] is False and again["transit_router"]["transit_router_id"] == router["transit_router_id"]
    assert twin.writes(since) == []


def test_one_router_per_region(run_module, twin_args, twin, cen_id):
    first = run_module(main, twin_args(cen_id=cen_id))["transit_router"]
    second = run_module(main, twin_args(cen_id=cen_id, region="cn-shanghai"))["transit_router"]
    assert first["region_id"] == "cn-hangzhou" and second["region_id"] == "cn-shanghai"
    assert first["transit_router_id"] != second["transit_router_id"] and len(twin.cloud.transit_routers) == 2


def test_wait_false_returns_creating_then_wait_only_reads(run_module, twin_args, twin, cen_id):
    twin.set_time_scale(1000.0)  # 20 s of creation -> 20000 s: stays Creating for the test
    result = run_module(main, twin_args(cen_id=cen_id, wait=False))
    assert result["changed"] is True and result["transit_router"]["status"] == "Creating"
    since = twin.last_seq()
    twin.settle()
    twin.set_time_scale(0.0)
    waited = run_module(main, twin_args(cen_id=cen_id))
    assert waited["changed"] is False and waited["transit_router"]["status"] == "Active"
    assert twin.writes(since) == []


def test_check_mode_makes_no_writes(run_module, twin_args, twin, cen_id):
    result = run_module(main, twin_args(cen_id=cen_id, _ansible_check_mode=True))
    assert result["changed"] is True and result["transit_router"]["transit_router_id"] is None
    assert twin.writes() == [c for c in twin.writes() if c["action"] == "CreateCen"] and twin.cloud.transit_routers == {}
    router_id = run_module(main, twin_args(cen_id=cen_id))["transit_router"]["transit_router_id"]
    since = twin.last_seq()
    delete = run_module(main, twin_args(cen_id=cen_id, state="absent", _ansible_check_mode=True))
    assert delete["changed"] is True and twin.writes(since) == [] and router_id in twin.cloud.transit_routers


def test_absent_deletes_and_is_idempotent(run_module, twin_args, twin, cen_id):
    router_id = run_module(main, twin_args(cen_id=cen_id))["transit_router"]["transit_router_id"]
    result = run_module(main, twin_args(cen_id=cen_id, state="absent"))
    assert result["changed"] is True and result["diff"]["before"]["transit_router_id"] == router_id
    assert router_id not in twin.cloud.transit_routers
    since = twin.last_seq()
    assert run_module(main, twin_args(cen_id=cen_id, state="absent"))["changed"] is False
    assert twin.writes(since) == []


def test_unknown_cen_fails_on_create(run_module, twin_args, twin):
    result = run_module(main, twin_args(cen_id="cen-doesnotexist0000001"))
    assert result["failed"] is True and result["error"]["code"] == "InvalidCenId.NotFound"


def test_region_the_cen_cannot_reach(run_module, twin_args, twin, cen_id):
    result = run_module(main, twin_args(cen_id=cen_id, region="eu-nowhere-9"))
    assert result["failed"] is True and result["error"]["code"] == "IllegalParam.RegionId" and "eu-nowhere-9" in result["msg"]


def test_create_uses_the_waiters_answer(run_module, twin_args, twin, cen_id):
    run_module(main, twin_args(cen_id=cen_id))
    [create] = twin.calls(action="CreateTransitRouter")
    assert len(twin.calls(since=create["seq"], action="ListTransitRouters")) == 1  # the wait's read, no read again after it


def test_no_write_once_the_wait_spent_wait_timeout(run_module, twin_args, twin, cen_id):
    twin.set_time_scale(0.025)  # Active 0.5 s after the create: inside the 1 s budget, seen by the read at its end
    router_id = run_module(main, twin_args(cen_id=cen_id, wait=False))["transit_router"]["transit_router_id"]
    since = twin.last_seq()
    result = run_module(main, twin_args(cen_id=cen_id, state="absent", wait_timeout=1))
    assert result["failed"] is True and result["error"]["code"] == "WaiterTimeout" and "before DeleteTransitRouter" in result["msg"]
    assert twin.writes(since) == [] and twin.cloud.transit_routers[router_id]["Status"] == "Active"


def test_rerun_reads_the_system_route_table_once(run_module, twin_args, twin, cen_id):
    run_module(main, twin_args(cen_id=cen_id))
    since = twin.last_seq()
    again = run_module(main, twin_args(cen_id=cen_id))
    assert again["changed"] is False and again["diff"]["before"] == again["diff"]["after"] == again["transit_router"]
    assert twin.counts(since) == {"ListTransitRouters": 1, "ListTransitRouterRouteTables": 1}  # shared by the before and after views


def test_failure_names_the_cen_and_region_and_region_is_required(run_module, twin_args, twin):
    failed = run_module(main, twin_args(cen_id="cen-doesnotexist0000001"))
    assert failed["msg"].startswith("Failed to manage the transit router of CEN cen-doesnotexist0000001 in cn-hangzhou: ")
    values = twin_args(cen_id="cen-doesnotexist0000001")
    del values["region"]
    since = twin.last_seq()
    result = run_module(main, values)
    assert result["failed"] is True and result["msg"].startswith("region: give the region of the transit router") and twin.writes(since) == []
