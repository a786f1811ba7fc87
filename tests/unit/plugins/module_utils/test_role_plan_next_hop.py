"""The covering route's next hop, checked before step 1: where it must be (registry_routes_next_hop,
data_center_routes_next_hop) and what the ECS read found of it (next_hop_instance_problems). Tables, pure."""

import pytest

from ansible_collections.alicloud.acr_access.plugins.module_utils import role_plan

ECS = "i-bp1example000000001"
REGISTRY_VPC = "vpc-bp1example00000000001"
SOURCE_VPC = "vpc-uf6example00000000001"
MEMBERS = [{"region": "cn-hangzhou", "vpc_id": REGISTRY_VPC}, {"region": "cn-shanghai", "vpc_id": SOURCE_VPC}]


def target(instance_id=ECS, variable="registry_routes_next_hop_instance_id", vpc_id=REGISTRY_VPC, vpc_variable="cen_connect_members",
           region="cn-hangzhou"):
    return {"instance_id": instance_id, "variable": variable, "vpc_id": vpc_id, "vpc_variable": vpc_variable, "region": region}


@pytest.mark.parametrize("role, members, region, expected", [
    pytest.param({"next_hop_instance_id": ECS}, MEMBERS, "cn-hangzhou", target(), id="the-member-in-the-registry-region"),
    pytest.param({"next_hop_instance_id": ECS, "registry_vpc_id": SOURCE_VPC}, MEMBERS, "cn-hangzhou",
                 target(vpc_id=SOURCE_VPC, vpc_variable="registry_routes_registry_vpc_id", region="cn-shanghai"),
                 id="a-named-member-gives-its-region"),
    pytest.param({"registry_vpc": {"next_hop_instance_id": ECS, "vpc_id": REGISTRY_VPC, "region": "cn-hangzhou"}}, [], "",
                 target(variable="registry_routes_registry_vpc.next_hop_instance_id", vpc_variable="registry_routes_registry_vpc.vpc_id"),
                 id="the-explicit-registry-vpc"),
    pytest.param({"next_hop_instance_id": ECS}, [], "cn-hangzhou", target(vpc_id="", vpc_variable=""), id="no-members-the-region-only"),
    pytest.param({"next_hop_instance_id": ECS}, MEMBERS + [{"region": "cn-hangzhou", "vpc_id": "vpc-bp1third"}], "cn-hangzhou",
                 target(vpc_id="", vpc_variable=""), id="two-members-in-the-region-the-vpc-unknown"),
    pytest.param({"next_hop_instance_id": ECS}, MEMBERS, "", {}, id="no-region-nothing-to-read"),
    pytest.param({"next_hop_instance_id": ECS, "state": "absent"}, MEMBERS, "cn-hangzhou", {}, id="absent-nothing-to-read"),
    pytest.param({"next_hop_instance_id": "bp1twin0000000000001"}, MEMBERS, "cn-hangzhou", {}, id="malformed-said-elsewhere"),
    pytest.param({}, MEMBERS, "cn-hangzhou", {}, id="none-given-said-elsewhere"),
])
def test_registry_routes_next_hop(role, members, region, expected):
    assert role_plan.registry_routes_next_hop(role, members, region) == expected


DC_VPC = {"region": "cn-hangzhou", "vpc_id": REGISTRY_VPC}


@pytest.mark.parametrize("role, connect_type, registry_vpc, expected", [
    pytest.param({"next_hop_instance_id": ECS}, "transit_router", DC_VPC,
                 target(variable="data_center_routes_next_hop_instance_id", vpc_variable="data_center_connect_registry_vpc.vpc_id"),
                 id="transit-router"),
    pytest.param({"next_hop_instance_id": ECS, "registry_vpc": {"vpc_id": SOURCE_VPC, "region": ""}}, "transit_router", DC_VPC,
                 target(variable="data_center_routes_next_hop_instance_id", vpc_id=SOURCE_VPC,
                        vpc_variable="data_center_routes_registry_vpc.vpc_id"),
                 id="the-role-overrides-the-vpc-key-by-key"),
    pytest.param({"next_hop_instance_id": ECS}, "vpn_gateway", DC_VPC,
                 target(variable="data_center_routes_next_hop_instance_id", vpc_variable="data_center_connect_registry_vpc.vpc_id"),
                 id="given-with-a-vpn-gateway-checked-too"),
    pytest.param({"next_hop_instance_id": ""}, "vpn_gateway", DC_VPC, {}, id="vpn-gateway-no-covering-route"),
    pytest.param({"next_hop_instance_id": ECS, "state": "absent"}, "transit_router", DC_VPC, {}, id="absent"),
    pytest.param({"next_hop_instance_id": ECS}, "transit_router", {}, {}, id="no-region"),
])
def test_data_center_routes_next_hop(role, connect_type, registry_vpc, expected):
    assert role_plan.data_center_routes_next_hop(role, connect_type, registry_vpc) == expected


def found(status="Running", vpc_id=REGISTRY_VPC, instance_id=ECS):
    return {"changed": False, "instances": [{"instance_id": instance_id, "vpc_id": vpc_id, "status": status}]}


NOT_FOUND = {"failed": True, "msg": "Failed to describe the ECS instances of region cn-hangzhou: ECS instance %s not found" % ECS,
             "error": {"code": "InvalidInstanceId.NotFound"}}
FORBIDDEN = {"failed": True, "msg": "Failed to describe the ECS instances: Forbidden.RAM (a RAM policy must allow DescribeInstances)",
             "error": {"code": "Forbidden.RAM"}}


@pytest.mark.parametrize("info, wanted, errors, warnings", [
    pytest.param(found(), target(), [], [], id="running-in-the-registry-vpc"),
    pytest.param(NOT_FOUND, target(), ["registry_routes_next_hop_instance_id: there is no ECS instance %s in region cn-hangzhou" % ECS],
                 [], id="unknown"),
    pytest.param({"instances": []}, target(), ["registry_routes_next_hop_instance_id: there is no ECS instance"], [], id="not-answered"),
    pytest.param(found(vpc_id=SOURCE_VPC), target(),
                 ["registry_routes_next_hop_instance_id: the ECS instance %s is in the VPC %s, not in the registry VPC %s (from "
                  "cen_connect_members)" % (ECS, SOURCE_VPC, REGISTRY_VPC)], [], id="another-vpc"),
    pytest.param(found(vpc_id=SOURCE_VPC), target(vpc_id="", vpc_variable=""), [], [], id="vpc-not-known-yet-existence-only"),
    pytest.param(FORBIDDEN, target(), ["registry_routes_next_hop_instance_id: reading the ECS instance %s in region cn-hangzhou "
                                       "failed: Failed to describe" % ECS], [], id="read-failed"),
    pytest.param(found(status="Stopped"), target(), [],
                 ["registry_routes_next_hop_instance_id: the ECS instance %s is Stopped, not Running" % ECS], id="stopped-warns"),
    pytest.param(found(status="Starting"), target(), [], ["is Starting, not Running"], id="starting-warns"),
    pytest.param({"skipped": True}, {}, [], [], id="nothing-read"),
])
def test_next_hop_instance_problems(info, wanted, errors, warnings):
    problems = role_plan.next_hop_instance_problems(info, wanted)
    assert len(problems["errors"]) == len(errors) and len(problems["warnings"]) == len(warnings), problems
    for text, expected in zip(problems["errors"] + problems["warnings"], errors + warnings):
        assert expected in text, text
    for text in problems["errors"]:
        assert text.startswith(wanted["variable"] + ":") and ("give the ID" in text or "failed" in text), text
