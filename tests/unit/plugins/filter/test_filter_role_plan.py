"""The roles' filters (plugins/filter/role_plan.py): each one documented, each one the pure function of role_plan, errors named.

Controller plugins: ansible-test runs these with the controller's packages, not in a module's sandbox.
"""

import inspect
import os

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.alicloud.acr_access.plugins.filter import role_plan as plugin
from ansible_collections.alicloud.acr_access.plugins.module_utils import role_plan

FILTERS = plugin.FilterModule().filters()
FILTER_DIR = os.path.dirname(plugin.__file__)
HZ = {"region": "cn-hangzhou", "vpc_id": "vpc-hz", "route_table_id": "vtb-hz", "cidr_blocks": ["10.0.0.0/16"]}
SH = {"region": "cn-shanghai", "vpc_id": "vpc-sh", "route_table_id": "vtb-sh", "cidr_blocks": ["172.16.0.0/16"]}


def _doc(name):
    with open(os.path.join(FILTER_DIR, name + ".yml")) as handle:
        return yaml.safe_load(handle)


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_every_filter_is_documented_with_its_arguments(name):
    doc = _doc(name)["DOCUMENTATION"]
    assert doc["name"] == name
    parameters = list(inspect.signature(inspect.unwrap(FILTERS[name])).parameters)
    positional = [p.strip() for p in doc.get("positional", "_input").split(",")]
    assert positional[0] == "_input" and positional[1:] == parameters[1:len(positional)]
    assert set(doc["options"]) == {"_input"} | set(parameters[1:])


def test_the_filters_are_the_pure_functions():
    assert FILTERS["cen_member_routes"]([HZ, SH], {"vpc-hz": "tr-attach-hz"}) == role_plan.member_routes([HZ, SH], {"vpc-hz": "tr-attach-hz"})
    assert FILTERS["cen_connect_layout"]([HZ, SH]) == {"regions": ["cn-hangzhou", "cn-shanghai"], "region_pairs": [["cn-hangzhou", "cn-shanghai"]]}
    assert FILTERS["registry_ca_path"]("podman", "r.example") == "/etc/containers/certs.d/r.example/ca.crt"
    assert FILTERS["cen_connect_rebuilt"]({"members": [HZ, SH], "cens": []}) == {}
    assert FILTERS["cen_connect_pending"]({"cen_id": None}) == "the CEN"


def test_the_argument_order_of_the_filters_that_reorder():
    plan = {"findings": [], "source_routes": [], "registry_routes": []}
    inputs = role_plan.registry_routes_inputs({"next_hop_instance_id": "i-1"}, {}, {})
    fact = FILTERS["registry_routes_fact"](inputs, "absent", plan, {"skipped": True}, {"changed": True}, {"skipped": True})
    assert (fact["state"], fact["registry"], fact["source"], fact["changed"]) == ("absent", {"changed": True}, {}, True)


@pytest.mark.parametrize("name, args", [
    ("cen_disconnect_plan", ({"vpc_attachments": [{"no_vpc_id": 1}]}, [HZ])),
    ("cen_member_routes", ([{"region": "x"}], {})),
    ("registry_verify_endpoints", ({"registry": {}},)),
    ("cross_region_access_summary", ({}, {})),
])
def test_bad_input_fails_naming_the_filter(name, args):
    with pytest.raises(AnsibleFilterError, match="^%s: unexpected input" % name):
        FILTERS[name](*args)


def test_the_onprem_gateway_filters():
    plan = {"on_premises_routes": [{"destination": "10.94.205.198/32", "via": "169.254.10.1", "dev": None, "reason": "registry"}],
            "vpn_routes": [{"destination": "192.168.0.0/24", "next_hop": "vco-1", "weight": 100, "publish_vpc": True, "reason": "back"}]}
    inputs = FILTERS["onprem_gateway_inputs"]([], plan, None)
    assert inputs == {"routes": plan["on_premises_routes"], "source": "onprem_gateway_plan", "error": ""}
    assert FILTERS["onprem_gateway_inputs"]([], {}, {"plan": plan})["source"] == "registry_routes.plan"
    assert "no on-premises routes" in FILTERS["onprem_gateway_inputs"]([], {"source_routes": []}, {})["error"]
    table = FILTERS["onprem_gateway_table"](inputs["routes"])
    assert "10.94.205.198/32  169.254.10.1  -       registry" in table and "ip route replace 10.94.205.198/32 via 169.254.10.1" in table
    applied = {"results": [{"item": "gw1", "changed": True, "routes": [], "persistence": {"mechanism": "none"}}, {"item": "gw2", "skipped": True}]}
    fact = FILTERS["onprem_gateway_fact"](inputs, "present", "/t.txt", "/t.json", applied)
    assert fact["hosts"] == {"gw1": {"changed": True, "routes": [], "persistence": {"mechanism": "none"}}} and fact["changed"] is True
    assert FILTERS["vpn_route_entries"](plan, "dc") == [
        {"destination": "192.168.0.0/24", "next_hop": "vco-1", "weight": 100, "publish_vpc": True, "description": "dc"}]
