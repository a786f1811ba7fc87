"""vpn_gateway_info's main() against the twin with the real SDK: the seed's data center as the cloud knows it."""

import json

from acr_twin import seed_ids as ids

from ansible_collections.alicloud.acr_access.plugins.modules.vpn_gateway_info import main


def test_the_gateway_of_the_registry_vpc_with_its_connection_and_customer_gateway(run_module, twin_args, twin):
    result = run_module(main, twin_args(vpc_id=ids.REGISTRY_VPC))
    assert result["changed"] is False
    [gateway] = result["vpn_gateways"]
    assert (gateway["vpn_gateway_id"], gateway["vpc_id"], gateway["name"], gateway["status"]) == (
        ids.VPN_GATEWAY, ids.REGISTRY_VPC, "vpn1-hangzhou", "active")
    assert gateway["vswitch_id"] == ids.REGISTRY_VSWITCH_J
    [connection] = gateway["ipsec_connections"]
    assert connection["vpn_connection_id"] == ids.IPSEC_VPN_GATEWAY
    assert (connection["name"], connection["status"], connection["attach_type"], connection["vpn_gateway_id"]) == (
        "idc-via-vpn-gateway", "ike_sa_established", "VPNGateway", ids.VPN_GATEWAY)
    assert (connection["local_subnet"], connection["remote_subnet"]) == ("0.0.0.0/0", "0.0.0.0/0")
    assert connection["customer_gateway"]["customer_gateway_id"] == ids.CUSTOMER_GATEWAY
    assert (connection["customer_gateway"]["name"], connection["customer_gateway"]["ip_address"]) == ("idc-gateway", "203.0.113.10")
    # The connection bound to the transit router is no connection of the gateway, but listed on its own.
    [bound] = result["transit_router_connections"]
    assert (bound["vpn_connection_id"], bound["attach_type"], bound["vpn_gateway_id"]) == (ids.IPSEC_TRANSIT_ROUTER, "CEN", None)
    assert bound["customer_gateway"]["customer_gateway_id"] == ids.CUSTOMER_GATEWAY
    assert twin.counts() == {"DescribeVpnGateways": 1, "DescribeVpnConnections": 1, "DescribeCustomerGateways": 1}
    assert twin.writes() == []


def test_secrets_of_the_answers_are_never_returned(run_module, twin_args, twin):
    twin.cloud.customer_gateways[ids.CUSTOMER_GATEWAY]["AuthKey"] = "bgp-secret-of-the-idc"
    result = run_module(main, twin_args())
    text = json.dumps(result)
    assert "twin-pre-shared-key" not in text and "bgp-secret-of-the-idc" not in text
    assert "ike_config" not in text and "auth_key" not in text


def test_by_ids_and_by_name(run_module, twin_args, twin):
    by_id = run_module(main, twin_args(vpn_gateway_ids=[ids.VPN_GATEWAY]))
    assert [g["vpn_gateway_id"] for g in by_id["vpn_gateways"]] == [ids.VPN_GATEWAY]
    by_name = run_module(main, twin_args(name="vpn1-hangzhou", ipsec_connection_name="idc-via-transit-router"))
    assert [g["vpn_gateway_id"] for g in by_name["vpn_gateways"]] == [ids.VPN_GATEWAY]
    assert [c["vpn_connection_id"] for c in by_name["transit_router_connections"]] == [ids.IPSEC_TRANSIT_ROUTER]
    bound = run_module(main, twin_args(ipsec_connection_ids=[ids.IPSEC_TRANSIT_ROUTER]))
    assert [c["vpn_connection_id"] for c in bound["transit_router_connections"]] == [ids.IPSEC_TRANSIT_ROUTER]


def test_a_vpc_without_gateway_is_an_empty_list(run_module, twin_args, twin):
    result = run_module(main, twin_args(region=ids.SOURCE_REGION, vpc_id=ids.SOURCE_VPC))
    assert result["vpn_gateways"] == [] and result["transit_router_connections"] == []
    assert twin.counts() == {"DescribeVpnGateways": 1, "DescribeVpnConnections": 1}  # no connections: no customer gateways to read


def test_asked_for_but_missing_is_an_error(run_module, twin_args, twin):
    result = run_module(main, twin_args(vpn_gateway_ids=["vpn-bp1nothere0000000001"]))
    assert result["failed"] is True and result["error"]["code"] == "InvalidVpnGatewayInstanceId.NotFound"
    assert "vpn-bp1nothere0000000001" in result["msg"]
    result = run_module(main, twin_args(name="no-such-gateway"))
    assert result["failed"] is True and "VPN gateway named 'no-such-gateway'" in result["msg"]
    # A connection of the VPN gateway is not one bound to a transit router.
    result = run_module(main, twin_args(ipsec_connection_ids=[ids.IPSEC_VPN_GATEWAY]))
    assert result["failed"] is True and result["error"]["code"] == "InvalidVpnConnectionInstanceId.NotFound"


def test_check_mode_reads_as_usual(run_module, twin_args, twin):
    result = run_module(main, twin_args(vpc_id=ids.REGISTRY_VPC, _ansible_check_mode=True))
    assert [g["vpn_gateway_id"] for g in result["vpn_gateways"]] == [ids.VPN_GATEWAY] and twin.writes() == []
