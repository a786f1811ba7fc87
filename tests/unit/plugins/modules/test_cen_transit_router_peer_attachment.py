"""cen_transit_router_peer_attachment's main() against the twin: create, both sides, bandwidth update, check mode, absent, bad input."""

import pytest

from ansible_collections.alicloud.acr_access.plugins.module_utils import cen as api
from ansible_collections.alicloud.acr_access.plugins.modules.cen_transit_router_peer_attachment import main


@pytest.fixture
def cen_id(twin, twin_args, make_module):
    """A CEN with Active transit routers in cn-hangzhou and cn-shanghai."""
    module = make_module(twin_args())
    created = api.create_cen(module, "acr-access", None)
    twin.settle()
    for region in ("cn-hangzhou", "cn-shanghai"):
        api.create_transit_router(module, created, region, None, None)
    twin.settle()
    return created


def test_create_then_rerun_from_either_side_reads_only(run_module, twin_args, twin, cen_id):
    result = run_module(main, twin_args(cen_id=cen_id, peer_region="cn-shanghai", bandwidth=10))
    assert result["changed"] is True and "failed" not in result
    peer = result["peer_attachment"]
    assert (peer["status"], peer["bandwidth"], peer["bandwidth_type"], peer["default_link_type"]) == ("Attached", 10, "DataTransfer", "Gold")
    assert (peer["region_id"], peer["peer_transit_router_region_id"]) == ("cn-hangzhou", "cn-shanghai")
    assert twin.calls(action="CreateTransitRouterPeerAttachment")[0]["params"]["ClientToken"]
    since = twin.last_seq()
    again = run_module(main, twin_args(cen_id=cen_id, peer_region="cn-shanghai", bandwidth=10))
    other_side = run_module(main, twin_args(cen_id=cen_id, region="cn-shanghai", peer_region="cn-hangzhou", bandwidth=10))
    assert again["changed"] is False and other_side["changed"] is False
    assert other_side["peer_attachment"]["transit_router_attachment_id"] == peer["transit_router_attachment_id"]
    assert twin.writes(since) == []


def test_bandwidth_change_is_an_update(run_module, twin_args, twin, cen_id):
    first = run_module(main, twin_args(cen_id=cen_id, peer_region="cn-shanghai", bandwidth=10))["peer_attachment"]
    since = twin.last_seq()
    result = run_module(main, twin_args(cen_id=cen_id, peer_region="cn-shanghai", bandwidth=50, link_type="Platinum"))
    assert result["changed"] is True and result["peer_attachment"]["bandwidth"] == 50
    assert result["peer_attachment"]["transit_router_attachment_id"] == first["transit_router_attachment_id"]
    assert result["peer_attachment"]["default_link_type"] == "Platinum" and result["peer_attachment"]["status"] == "Attached"
    assert [c["action"] for c in twin.writes(since)] == ["UpdateTransitRouterPeerAttachmentAttribute"]
    assert (result["diff"]["before"]["bandwidth"], result["diff"]["after"]["bandwidth"]) == (10, 50)


def test_check_mode_makes_no_writes(run_module, twin_args, twin, cen_id):
    since = twin.last_seq()
    result = run_module(main, twin_args(cen_id=cen_id, peer_region="cn-shanghai", bandwidth=10, _ansible_check_mode=True))
    assert result["changed"] is True and result["peer_attachment"]["transit_router_attachment_id"] is None
    assert twin.writes(since) == []
    run_module(main, twin_args(cen_id=cen_id, peer_region="cn-shanghai", bandwidth=10))
    since = twin.last_seq()
    update = run_module(main, twin_args(cen_id=cen_id, peer_region="cn-shanghai", bandwidth=20, _ansible_check_mode=True))
    delete = run_module(main, twin_args(cen_id=cen_id, peer_region="cn-shanghai", state="absent", _ansible_check_mode=True))
    assert update["changed"] is True and update["peer_attachment"]["bandwidth"] == 20 and delete["changed"] is True
    assert twin.writes(since) == []


def test_absent_from_the_other_side(run_module, twin_args, twin, cen_id):
    attachment_id = run_module(main, twin_args(cen_id=cen_id, peer_region="cn-shanghai", bandwidth=10))["peer_attachment"]["transit_router_attachment_id"]
    result = run_module(main, twin_args(cen_id=cen_id, region="cn-shanghai", peer_region="cn-hangzhou", state="absent"))
    assert result["changed"] is True and attachment_id not in twin.cloud.tr_attachments
    since = twin.last_seq()
    assert run_module(main, twin_args(cen_id=cen_id, peer_region="cn-shanghai", state="absent"))["changed"] is False
    assert twin.writes(since) == []


@pytest.mark.parametrize("extra, words", [
    ({"bandwidth": 0}, ["bandwidth", "0", "positive"]),
    ({"bandwidth": -5}, ["bandwidth", "-5", "positive"]),
    ({"bandwidth": None}, ["bandwidth is required with state=present", "positive"]),
    ({"peer_region": "cn-hangzhou"}, ["peer_region", "cn-hangzhou"]),
    ({"bandwidth_type": "BandwidthPackage"}, ["cen_bandwidth_package_id"]),
    ({"cen_bandwidth_package_id": "cenbwp-x"}, ["cen_bandwidth_package_id", "cenbwp-x"]),
    ({"peer_region": "eu-nowhere-9"}, ["no transit router in region eu-nowhere-9"]),
])
def test_bad_input_fails_before_any_write(run_module, twin_args, twin, cen_id, extra, words):
    values = dict(cen_id=cen_id, peer_region="cn-shanghai", bandwidth=10)
    values.update(extra)
    since = twin.last_seq()
    result = run_module(main, twin_args(**values))
    assert result["failed"] is True and all(word in result["msg"] for word in words), result["msg"]
    assert twin.writes(since) == []


def test_bandwidth_not_an_integer(run_module, twin_args, twin, cen_id):
    result = run_module(main, twin_args(cen_id=cen_id, peer_region="cn-shanghai", bandwidth="ten"))
    assert result["failed"] is True and "bandwidth" in result["msg"] and twin.writes() == [c for c in twin.writes() if c["action"].startswith("Create")]


def test_no_write_once_the_wait_spent_wait_timeout(run_module, twin_args, twin, cen_id):
    twin.set_time_scale(1 / 120.0)  # Attached 0.5 s after the create: inside the 1 s budget, seen by the read at its end
    run_module(main, twin_args(cen_id=cen_id, peer_region="cn-shanghai", bandwidth=10, wait=False))
    since = twin.last_seq()
    result = run_module(main, twin_args(cen_id=cen_id, peer_region="cn-shanghai", bandwidth=20, wait_timeout=1))
    assert result["failed"] is True and result["error"]["code"] == "WaiterTimeout"
    assert "before UpdateTransitRouterPeerAttachmentAttribute" in result["msg"] and twin.writes(since) == []


def test_deleting_attachment_counts_as_absent(run_module, twin_args, twin, cen_id):
    run_module(main, twin_args(cen_id=cen_id, peer_region="cn-shanghai", bandwidth=10))
    twin.set_time_scale(1000.0)  # stays Detaching for the test
    assert run_module(main, twin_args(cen_id=cen_id, peer_region="cn-shanghai", state="absent", wait=False))["changed"] is True
    since = twin.last_seq()
    again = run_module(main, twin_args(cen_id=cen_id, peer_region="cn-shanghai", state="absent", wait=False))
    assert again["changed"] is False and again["peer_attachment"] == {} and twin.writes(since) == []


def test_failure_names_both_regions(run_module, twin_args, twin, cen_id):
    result = run_module(main, twin_args(cen_id=cen_id, peer_region="cn-shanghai", bandwidth=10, name="x" * 200))  # the API refuses the name
    assert result["failed"] is True and result["error"]["operation"] == "CreateTransitRouterPeerAttachment"
    assert result["msg"].startswith("Failed to manage the connection of CEN %s between cn-hangzhou and cn-shanghai: " % cen_id), result["msg"]
