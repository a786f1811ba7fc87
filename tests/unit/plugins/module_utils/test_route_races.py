"""Two route tasks wanting different next hops for one destination: replacing is allowed, but never silent. The result and
the diff say which next hop was replaced, and a run whose route was changed by someone else between its read and its
write says so (RouteEntriesManager against the twin with the real SDK)."""

import pytest

from ansible_collections.alicloud.acr_access.plugins.module_utils import resource
from ansible_collections.alicloud.acr_access.plugins.module_utils.vpc_routes import ROUTE_OWNER_MARKER, RouteEntriesManager
from ansible_collections.alicloud.acr_access.plugins.module_utils.waiter import Deadline

HZ_TABLE, HZ_ECS, HZ_ECS_2, HZ_ECS_3 = "vtb-bp1twin0000000000001", "i-bp1twin0000000000001", "i-bp1twin0000000000002", "i-bp1twin0000000000003"
CIDR = "10.77.0.0/16"


@pytest.fixture(autouse=True)
def instances(twin):
    first = twin.cloud.instances[HZ_ECS]
    for other in (HZ_ECS_2, HZ_ECS_3):
        twin.cloud.instances[other] = dict(first, InstanceId=other)


# What the managers warned, as the module reported it (Ansible's process-wide warning list is shared by every test of a
# worker process and reset by other tests' modules, so it is not read here).
WARNED = []


def routes_manager(make_module, twin_args, hop):
    route = dict(destination_cidr_block=CIDR, next_hop_type="Instance", next_hop_id=hop)
    module = make_module(twin_args())
    module.warn = WARNED.append
    return resource.step_manager(module, Deadline(60), RouteEntriesManager, region="cn-hangzhou", route_table_id=HZ_TABLE,
                                 routes=[route], state="present", wait=True)


@pytest.fixture(autouse=True)
def warned():
    del WARNED[:]
    return WARNED


def entry_of(twin):
    twin.settle()
    [entry] = [e for e in twin.cloud.route_entries.values() if e["RouteTableId"] == HZ_TABLE and e["DestinationCidrBlock"] == CIDR]
    return entry


def test_replacing_another_runs_next_hop_says_what_was_replaced(twin, twin_args, make_module):
    routes_manager(make_module, twin_args, HZ_ECS).ensure()
    result = routes_manager(make_module, twin_args, HZ_ECS_2).ensure()
    [route] = result["routes"]
    assert route["action"] == "replaced" and route["replaced"] == {"next_hop_type": "Instance", "next_hop_id": HZ_ECS}
    assert result["diff"]["before"] == {CIDR: {"next_hop_type": "Instance", "next_hop_id": HZ_ECS}}
    assert result["diff"]["after"] == {CIDR: {"next_hop_type": "Instance", "next_hop_id": HZ_ECS_2}}


def test_a_route_changed_between_read_and_write_is_reported(twin, twin_args, make_module):
    routes_manager(make_module, twin_args, HZ_ECS).ensure()
    late = routes_manager(make_module, twin_args, HZ_ECS_2)
    late.plan()  # read: ours, next hop HZ_ECS
    other = routes_manager(make_module, twin_args, HZ_ECS_3)
    other.ensure()  # another run replaces it with HZ_ECS_3 meanwhile
    result = late.ensure()
    [route] = result["routes"]
    assert route["action"] == "replaced" and route["replaced"] == {"next_hop_type": "Instance", "next_hop_id": HZ_ECS_3}
    assert route["changed_meanwhile"] is True
    assert result["diff"]["before"] == {CIDR: {"next_hop_type": "Instance", "next_hop_id": HZ_ECS_3}}  # what the write replaced
    messages = list(WARNED)
    assert any(CIDR in text and HZ_ECS_3 in text and "between" in text for text in messages), messages
    assert entry_of(twin)["NextHopId"] == HZ_ECS_2


def test_a_route_created_by_another_run_between_read_and_write_is_reported(twin, twin_args, make_module):
    late = routes_manager(make_module, twin_args, HZ_ECS_2)
    late.plan()  # read: no route for the destination
    routes_manager(make_module, twin_args, HZ_ECS).ensure()  # another run creates it meanwhile
    result = late.ensure()
    [route] = result["routes"]
    assert route["action"] == "replaced" and route["replaced"] == {"next_hop_type": "Instance", "next_hop_id": HZ_ECS}
    assert route["changed_meanwhile"] is True
    assert any(CIDR in text and HZ_ECS in text for text in WARNED)
    entry = entry_of(twin)
    assert entry["NextHopId"] == HZ_ECS_2 and entry["Description"].endswith(ROUTE_OWNER_MARKER)


def test_a_route_someone_made_by_hand_meanwhile_is_not_taken(twin, twin_args, make_module, sdk_client, sdk_models):
    from ansible_collections.alicloud.acr_access.plugins.module_utils.errors import InputError
    late = routes_manager(make_module, twin_args, HZ_ECS_2)
    late.plan()
    vpc, m = sdk_client("vpc"), sdk_models("vpc")
    vpc.create_route_entry(m.CreateRouteEntryRequest(region_id="cn-hangzhou", route_table_id=HZ_TABLE, destination_cidr_block=CIDR,
                                                     next_hop_type="Instance", next_hop_id=HZ_ECS, description="by hand"))
    with pytest.raises(InputError) as raised:
        late.ensure()
    assert HZ_ECS in raised.value.message and "replace_foreign" in raised.value.message
    assert entry_of(twin)["NextHopId"] == HZ_ECS
