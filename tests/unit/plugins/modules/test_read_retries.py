"""Busy and throttling answers to reads are retried like those of writes (a read changes nothing, so a repeat is safe).

One forced fault on a read of each product (VPC, CBN, CR), through a module's main() against the twin with the real SDK:
the module succeeds and the read was sent again.
"""

import pytest

from ansible_collections.alicloud.acr_access.plugins.modules import cen_instance, cr_instance_info, vpc_route_entry
from acr_twin import seed_ids as ids

HZ_TABLE, HZ_ECS = "vtb-bp1twin0000000000001", "i-bp1twin0000000000001"


def assert_read_again(twin, action, code):
    calls = twin.calls(action=action)
    assert calls[0]["code"] == code and any(call["code"] is None for call in calls[1:]), [(c["action"], c["code"]) for c in calls]


@pytest.mark.parametrize("kind, code", [("busy", None), ("busy", "SystemBusy"), ("throttle", None)])
def test_cbn_read_is_retried(run_module, twin_args, twin, kind, code):
    twin.faults.force([{"action": "DescribeCens", "kind": kind, "count": 1, "code": code}])
    result = run_module(cen_instance.main, twin_args(name="acr-access"))
    assert "failed" not in result, result.get("msg")
    assert_read_again(twin, "DescribeCens", code or {"busy": "Operation.Blocking", "throttle": "Throttling.User"}[kind])


@pytest.mark.parametrize("kind, code", [("busy", None), ("busy", "TaskConflict"), ("throttle", None)])
def test_vpc_read_is_retried(run_module, twin_args, twin, kind, code):
    twin.faults.force([{"action": "DescribeRouteEntryList", "kind": kind, "count": 1, "code": code}])
    route = dict(destination_cidr_block="10.77.0.0/16", next_hop_type="Instance", next_hop_id=HZ_ECS)
    result = run_module(vpc_route_entry.main, twin_args(route_table_id=HZ_TABLE, routes=[route]))
    assert "failed" not in result, result.get("msg")
    assert_read_again(twin, "DescribeRouteEntryList", code or {"busy": "OperationConflict", "throttle": "Throttling.User"}[kind])


@pytest.mark.parametrize("kind", ["busy", "throttle"])
def test_cr_read_is_retried(run_module, twin_args, twin, kind):
    twin.faults.force([{"action": "GetInstance", "kind": kind, "count": 1}])
    result = run_module(cr_instance_info.main, twin_args(instance_id=ids.INSTANCE_ID))
    assert "failed" not in result, result.get("msg")
    assert_read_again(twin, "GetInstance", {"busy": "SystemBusy", "throttle": "Throttling.User"}[kind])
