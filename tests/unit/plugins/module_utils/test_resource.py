"""module_utils/resource.py: the pieces a step owner builds on - ScopedModule and concurrently."""

import threading
import time

import pytest

from ansible_collections.alicloud.acr_access.plugins.module_utils.cen import CBN
from ansible_collections.alicloud.acr_access.plugins.module_utils.resource import ScopedModule, concurrently


def test_concurrently_runs_at_once_and_keeps_the_order():
    started = []
    barrier = threading.Barrier(3, timeout=5)  # each call waits for the other two: only concurrent calls get past it

    def call(name):
        started.append(name)
        barrier.wait()
        return name.upper()

    assert concurrently(lambda: call("a"), lambda: call("b"), lambda: call("c")) == ["A", "B", "C"]
    assert sorted(started) == ["a", "b", "c"]


def test_concurrently_raises_the_first_error_once_every_call_has_ended():
    ended = []

    def slow():
        time.sleep(0.2)
        ended.append("slow")
        return 1

    def failing():
        raise ValueError("the source table refused")

    with pytest.raises(ValueError, match="source table"):
        concurrently(failing, slow)
    assert ended == ["slow"]  # not left running behind the failure


def test_concurrently_with_one_call_runs_it_in_this_thread():
    assert concurrently(threading.get_ident) == [threading.get_ident()]
    assert concurrently() == []


class RecordingModule:
    check_mode = True

    def __init__(self):
        self.params = {"region": "cn-hangzhou", "wait_timeout": 600}
        self.calls = []

    def call(self, product, action, params=None, region=None, **kwargs):
        self.calls.append((product.name, action, region, kwargs))
        return {}

    def warn(self, message):
        self.calls.append(("warn", message))


def test_scoped_module_gives_its_resource_options_and_region():
    module = RecordingModule()
    scoped = ScopedModule(module, region="cn-shanghai", wait=False)
    assert scoped.params["wait"] is False and scoped.params["route_table_id"] is None  # an option not set reads as None
    assert scoped.region == "cn-shanghai" and scoped.check_mode is True
    scoped.call(CBN, "ListTransitRouters", {"CenId": "cen-1"}, extra_codes=("Busy",))
    scoped.call(CBN, "ListTransitRouters", {"CenId": "cen-1"}, region="cn-beijing")
    scoped.warn("careful")
    assert module.calls == [("cbn", "ListTransitRouters", "cn-shanghai", {"extra_codes": ("Busy",)}),
                            ("cbn", "ListTransitRouters", "cn-beijing", {}), ("warn", "careful")]
