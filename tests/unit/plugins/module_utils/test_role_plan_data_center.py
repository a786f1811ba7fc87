"""The decisions of the role data_center_connect (module_utils/role_plan.py), with tables: pure functions, no twin."""

import pytest

from ansible_collections.alicloud.acr_access.plugins.module_utils import role_plan

VPC = {"region": "cn-hangzhou", "vpc_id": "vpc-reg", "vswitch_ids": ["vsw-j", "vsw-k"]}
OPTION_1 = {"type": "vpn_gateway", "state": "present", "cidr_blocks": ["192.168.0.0/24"], "registry_vpc": VPC,
            "vpn_gateway_id": "vpn-1", "vpn_gateway_name": "", "ipsec_connection_id": "vco-1", "ipsec_connection_name": "",
            "cen_id": "", "cen_name": "", "attachment": {}}
OPTION_2 = dict(OPTION_1, type="transit_router", vpn_gateway_id="", ipsec_connection_id="", cen_name="acr",
                attachment={"kind": "vbr", "id": "vbr-1"})


def gateway(ident, name, vpc_id="vpc-reg", status="active", connections=()):
    return {"vpn_gateway_id": ident, "name": name, "vpc_id": vpc_id, "status": status, "business_status": "Normal",
            "ipsec_connections": [{"vpn_connection_id": c, "name": c + "-name", "remote_subnet": "192.168.0.0/16"} for c in connections]}


@pytest.mark.parametrize("changes, expected", [
    ({}, []),
    ({"type": "direct"}, ["data_center_connect_type: 'direct' is not a way"]),
    ({"cidr_blocks": []}, ["data_center_connect_cidr_blocks: give the data center's CIDR blocks"]),
    ({"cidr_blocks": [], "state": "absent"}, []),
    ({"cidr_blocks": ["192.168.0.0/33"]}, ["data_center_connect_cidr_blocks: '192.168.0.0/33' is not a CIDR block"]),
    ({"cidr_blocks": ["fd00::/8"]}, ["data_center_connect_cidr_blocks: fd00::/8 is not an IPv4 network address"]),
    ({"registry_vpc": {"region": "cn-hangzhou"}}, ["data_center_connect_registry_vpc.vpc_id: give the ID"]),
    ({"vpn_gateway_id": ""}, ["data_center_connect_vpn_gateway_id: give the VPN gateway of the registry VPC by ID, or"]),
    ({"vpn_gateway_name": "gw"}, ["data_center_connect_vpn_gateway_id: give"]),
])
def test_input_errors_of_option_1(changes, expected):
    errors = role_plan.data_center_connect_input_errors(dict(OPTION_1, **changes))
    assert len(errors) == len(expected) and all(error.startswith(start) for error, start in zip(errors, expected)), errors


@pytest.mark.parametrize("changes, expected", [
    ({}, []),
    ({"attachment": {"kind": "vpn", "id": "vco-1"}}, []),
    ({"cen_name": ""}, ["data_center_connect_cen_name: give the name of the CEN"]),
    ({"cen_name": "", "cen_id": "cen-1"}, []),
    ({"registry_vpc": dict(VPC, vswitch_ids=[])}, ["data_center_connect_registry_vpc.vswitch_ids: give vSwitches"]),
    ({"attachment": {}}, ["data_center_connect_attachment.kind: None; give vpn"]),
    ({"attachment": {"kind": "vpn", "id": "vbr-1"}}, ["data_center_connect_attachment.id: 'vbr-1' is not the ID of an IPsec connection"]),
    ({"attachment": {"kind": "vbr", "id": "vbr-"}}, ["data_center_connect_attachment.id: 'vbr-' is not the ID"]),
])
def test_input_errors_of_option_2(changes, expected):
    errors = role_plan.data_center_connect_input_errors(dict(OPTION_2, **changes))
    assert len(errors) == len(expected) and all(error.startswith(start) for error, start in zip(errors, expected)), errors


def test_a_gateway_by_name_must_be_unique_in_the_registry_vpc_and_one_elsewhere_does_not_count():
    info = {"vpn_gateways": [gateway("vpn-1", "gw", connections=["vco-1"]), gateway("vpn-2", "gw", vpc_id="vpc-other")]}
    found = role_plan.data_center_connect_found(info, dict(OPTION_1, vpn_gateway_id="", vpn_gateway_name="gw"))
    assert found == {"errors": [], "vpn_gateway_id": "vpn-1", "ipsec_connection_id": "vco-1"}
    info["vpn_gateways"].append(gateway("vpn-3", "gw"))
    [error] = role_plan.data_center_connect_found(info, dict(OPTION_1, vpn_gateway_id="", vpn_gateway_name="gw"))["errors"]
    assert error == ("data_center_connect_vpn_gateway_name: 'gw' names 2 VPN gateways of the registry VPC (vpn-1, vpn-3); "
                     "give data_center_connect_vpn_gateway_id.")


def test_a_connection_by_name_and_the_cidr_blocks_inside_its_remote_subnets():
    info = {"vpn_gateways": [gateway("vpn-1", "gw", connections=["vco-1", "vco-2"])]}
    inputs = dict(OPTION_1, ipsec_connection_id="", ipsec_connection_name="vco-2-name", cidr_blocks=["192.168.4.0/24"])
    assert role_plan.data_center_connect_found(info, inputs)["ipsec_connection_id"] == "vco-2"
    found = role_plan.data_center_connect_found(info, dict(inputs, cidr_blocks=["192.168.4.0/24", "10.1.0.0/16", "10.2.0.0/16"]))
    assert found["errors"] == ["data_center_connect_cidr_blocks: 10.1.0.0/16, 10.2.0.0/16 are outside the remote subnets 192.168.0.0/16 of "
                               "IPsec connection vco-2 (what its tunnel carries); correct the CIDR blocks or the connection's remote subnet."]


def test_option_2_with_a_vbr_reads_nothing_and_finds_no_error():
    assert role_plan.data_center_connect_found({"skipped": True}, OPTION_2) == {"errors": [], "vpn_gateway_id": None, "ipsec_connection_id": None}


def test_the_fact_of_option_2_in_check_mode_before_the_cen_and_after_the_run():
    planned = {"cen_id": None, "transit_routers": {}, "vpc_attachments": []}
    fact = role_plan.data_center_connect_fact(OPTION_2, {}, planned, [{"skipped": True}, {"skipped": True}])
    assert fact == {"type": "transit_router", "region": "cn-hangzhou", "vpc_id": "vpc-reg", "cidr_blocks": ["192.168.0.0/24"],
                    "cen_id": None, "transit_router_id": None, "transit_router_route_table_id": None, "registry_attachment_id": None,
                    "attachment": {"kind": "vbr", "resource_id": "vbr-1", "transit_router_attachment_id": None}}
    connection = {"cen_id": "cen-1", "transit_routers": {"cn-hangzhou": {"transit_router_id": "tr-1", "system_route_table_id": "vtb-sys"}},
                  "vpc_attachments": [{"transit_router_attachment_id": "tr-attach-reg", "transit_router_route_table_id": "vtb-custom"}]}
    fact = role_plan.data_center_connect_fact(OPTION_2, {}, connection, [{"skipped": True}, {"attachment": {"transit_router_attachment_id": "tr-attach-dc"}}])
    assert (fact["cen_id"], fact["transit_router_id"], fact["transit_router_route_table_id"], fact["registry_attachment_id"]) == \
        ("cen-1", "tr-1", "vtb-custom", "tr-attach-reg")
    assert fact["attachment"]["transit_router_attachment_id"] == "tr-attach-dc"


def test_absent_detaches_only_the_data_centers_attachment_to_the_registry_regions_transit_router():
    cen = {"cen_id": "cen-1", "transit_routers": [{"transit_router_id": "tr-hz", "region_id": "cn-hangzhou"},
                                                  {"transit_router_id": "tr-sh", "region_id": "cn-shanghai"}],
           "vbr_attachments": [{"vbr_id": "vbr-1", "transit_router_id": "tr-sh"}], "vpn_attachments": [{"vpn_id": "vbr-1", "transit_router_id": "tr-hz"}]}
    assert role_plan.data_center_connect_teardown({"cens": [cen]}, OPTION_2) == {"cen_id": "cen-1", "kind": "vbr", "resource_id": "vbr-1", "attached": False}
    cen["vbr_attachments"].append({"vbr_id": "vbr-1", "transit_router_id": "tr-hz"})
    assert role_plan.data_center_connect_teardown({"cens": [cen]}, OPTION_2)["attached"] is True
    assert role_plan.data_center_connect_teardown({"cens": []}, OPTION_2) == {"cen_id": None, "kind": "vbr", "resource_id": "vbr-1", "attached": False}
