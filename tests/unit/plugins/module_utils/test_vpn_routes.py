"""VpnRoutesManager as a step owner builds it (resource.step_manager), against the twin with the real SDK; the pure plan."""

import pytest

from acr_twin import seed_ids as ids

from ansible_collections.alicloud.acr_access.plugins.module_utils.errors import InputError
from ansible_collections.alicloud.acr_access.plugins.module_utils.resource import step_manager
from ansible_collections.alicloud.acr_access.plugins.module_utils.vpn_routes import VpnRoutesManager, plan_vpn_route_changes
from ansible_collections.alicloud.acr_access.plugins.module_utils.waiter import Deadline


def test_a_step_owner_drives_the_manager_without_the_argument_spec(make_module, twin_args, twin):
    """Routes given without weight or publish_vpc (no argument spec fills them): the defaults apply, 100 and published."""
    module = make_module(twin_args())
    manager = step_manager(module, Deadline(60), VpnRoutesManager, region=ids.REGISTRY_REGION, vpn_gateway_id=ids.VPN_GATEWAY,
                           routes=[{"destination": ids.DATA_CENTER_CIDR, "next_hop": ids.IPSEC_VPN_GATEWAY}])
    assert twin.calls() == []  # validated without a call
    [change] = manager.plan()
    assert change.action == "created"
    result = manager.ensure_present()
    assert result["changed"] is True and result["routes"][0]["published"] is True
    twin.settle()
    [route] = twin.cloud.vpn_route_entries.values()
    assert (route["RouteDest"], route["NextHop"], route["Weight"], route["State"]) == (
        ids.DATA_CENTER_CIDR, ids.IPSEC_VPN_GATEWAY, 100, "published")


def test_a_step_owner_gets_bad_input_at_validation(make_module, twin_args, twin):
    with pytest.raises(InputError) as error:
        step_manager(make_module(twin_args()), Deadline(60), VpnRoutesManager, region=ids.REGISTRY_REGION, vpn_gateway_id=ids.VPN_GATEWAY,
                     routes=[{"destination": ids.DATA_CENTER_CIDR, "next_hop": ids.IPSEC_VPN_GATEWAY, "weight": 50}])
    assert str(error.value).startswith("routes[0].weight 50 is not a weight of a destination route") and twin.calls() == []


def _route(destination, hop, weight=100, state="published"):
    return {"RouteDest": destination, "NextHop": hop, "Weight": weight, "State": state}


def _wanted(destination, hop, weight=100, publish=True):
    return {"destination": destination, "next_hop": hop, "weight": weight, "publish_vpc": publish, "description": None}


def test_plan_orders_creates_before_replacements_and_leaves_other_destinations():
    found = [_route("192.168.0.0/24", "vco-a"), _route("10.9.0.0/16", "vco-a"), _route("192.168.0.0/24", "vco-c", 0, "normal")]
    wanted = [_wanted("192.168.0.0/24", "vco-b"), _wanted("192.168.0.0/24", "vco-c", 0, publish=True)]
    changes = plan_vpn_route_changes(found, wanted, "present", ["vco-a", "vco-b", "vco-c"], "vpn-1", replace_other_next_hops=True)
    assert [(c.action, (c.wanted or c.existing).get("next_hop") or c.existing["NextHop"], c.updates) for c in changes] == [
        ("created", "vco-b", ()), ("updated", "vco-c", ("publication",)), ("deleted", "vco-a", ())]
    kept = plan_vpn_route_changes(found, wanted, "present", ["vco-a", "vco-b", "vco-c"], "vpn-1")
    assert [c.action for c in kept] == ["created", "updated"]  # without replace_other_next_hops, vco-a stays
