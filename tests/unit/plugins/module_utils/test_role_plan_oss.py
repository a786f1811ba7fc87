"""role_plan.registry_routes_oss: the OSS part of registry_routes' plan input, mode by mode."""

from ansible_collections.alicloud.acr_access.plugins.module_utils.role_plan import registry_routes_oss

ENDPOINTS = {"registry": {"domain": "r"}, "auth": {"domain": "a"}, "oss": {"domain": "o", "addresses": ["100.118.28.43"]}}
RESULT = {"changed": False, "endpoint": {"endpoint_id": "ep-1", "addresses": ["10.0.0.201", "10.0.1.201"]}}


def test_other_modes_pass_the_endpoints_through():
    assert registry_routes_oss(ENDPOINTS, "vip_ranges", "present") == {"plan_mode": "vip_ranges", "endpoints": ENDPOINTS, "manage_endpoint": False}


def test_privatelink_present_takes_the_endpoint_addresses_without_changing_the_input():
    out = registry_routes_oss(ENDPOINTS, "privatelink", "present", RESULT)
    assert out["plan_mode"] == "privatelink" and out["manage_endpoint"] is True
    assert out["endpoints"]["oss"] == {"domain": "o", "addresses": ["10.0.0.201", "10.0.1.201"]}
    assert ENDPOINTS["oss"]["addresses"] == ["100.118.28.43"]


def test_privatelink_absent_plans_the_removal_without_an_endpoint():
    assert registry_routes_oss(ENDPOINTS, "privatelink", "absent") == {"plan_mode": "vip_ranges", "endpoints": ENDPOINTS, "manage_endpoint": True}
