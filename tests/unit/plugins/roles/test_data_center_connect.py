"""The role data_center_connect through ansible-playbook against the twin (seed fixture, time scale 0): option 1 (an IPsec
connection on the registry VPC's VPN gateway, read and checked, never written), option 2 (the data center's IPsec connection
or VBR attached to the registry region's transit router, in the registry VPC's route table), a second run and check mode
without writes, absent back to the fixture, and bad input named before anything is written.
"""

import json
import os
import re
import subprocess
import sys

import pytest

from acr_twin import seed_ids as ids
from acr_twin.products.cbn import learned_routes

# The role, then both of its facts for the test
PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Run the role
      ansible.builtin.include_role:
        name: alicloud.acr_access.data_center_connect
    - name: Save its facts for the test
      ansible.builtin.copy:
        content: "{{ {'data_center_connect': data_center_connect, 'cen_connect': cen_connect | default(None)} | to_json }}"
        dest: "{{ fact_file }}"
        mode: "0600"
      check_mode: false
      changed_when: false  # the test's bookkeeping, not a change of the role
"""

REGISTRY_VPC = {"region": ids.REGISTRY_REGION, "vpc_id": ids.REGISTRY_VPC, "vswitch_ids": list(ids.REGISTRY_VSWITCHES)}
OPTION_1 = {"data_center_connect_type": "vpn_gateway", "data_center_connect_registry_vpc": REGISTRY_VPC,
            "data_center_connect_cidr_blocks": [ids.DATA_CENTER_CIDR], "data_center_connect_vpn_gateway_id": ids.VPN_GATEWAY,
            "data_center_connect_ipsec_connection_id": ids.IPSEC_VPN_GATEWAY}
ATTACHED = {"vpn": ids.IPSEC_TRANSIT_ROUTER, "vbr": ids.VBR}


def option_2(kind):
    return {"data_center_connect_type": "transit_router", "data_center_connect_registry_vpc": REGISTRY_VPC,
            "data_center_connect_cidr_blocks": [ids.DATA_CENTER_CIDR], "data_center_connect_cen_name": "acr-idc",
            "data_center_connect_attachment": {"kind": kind, "id": ATTACHED[kind]}}


@pytest.fixture
def play(playbook_env, tmp_path):
    """``play(check=False, **role_vars)`` -> (return code, output, {data_center_connect, cen_connect} or None)."""
    playbook = tmp_path / "play.yml"
    playbook.write_text(PLAYBOOK)
    fact_file = tmp_path / "facts.json"

    def run(check=False, **role_vars):
        extra = dict(role_vars, fact_file=str(fact_file))
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), str(playbook), "-e", json.dumps(extra)]
        if check:
            command.append("--check")
        if fact_file.exists():
            fact_file.unlink()
        done = subprocess.run(command, env=playbook_env(), capture_output=True, text=True, timeout=600, check=False)
        facts = json.loads(fact_file.read_text()) if fact_file.exists() else None
        return done.returncode, done.stdout + done.stderr, facts

    return run


def changed(output):
    return int(re.search(r"localhost\s*:.*changed=(\d+)", output).group(1))


def cen_resources(cloud):
    return (cloud.cens, cloud.transit_routers, cloud.tr_attachments, cloud.tr_associations, cloud.tr_propagations)


# ---------------------------------------------------------------- option 1: a VPN gateway of the registry VPC


def test_option_1_publishes_the_gateway_and_its_connection_and_writes_nothing(play, twin):
    code, output, facts = play(**dict(OPTION_1, data_center_connect_vpn_gateway_id="",
                                      data_center_connect_vpn_gateway_name="vpn1-hangzhou"))  # by name: the same gateway
    assert code == 0, output
    assert facts["data_center_connect"] == {
        "type": "vpn_gateway", "region": ids.REGISTRY_REGION, "vpc_id": ids.REGISTRY_VPC, "cidr_blocks": [ids.DATA_CENTER_CIDR],
        "vpn_gateway_id": ids.VPN_GATEWAY, "ipsec_connection_id": ids.IPSEC_VPN_GATEWAY}
    assert facts["cen_connect"] is None  # no CEN in option 1
    assert twin.writes() == [] and twin.calls(action="DescribeVpnGateways")
    assert changed(output) == 0

    code, output, facts = play(data_center_connect_state="absent", **OPTION_1)
    assert code == 0, output
    assert "there is nothing to remove" in output and facts["data_center_connect"] == {}
    assert twin.writes() == [] and changed(output) == 0


def gateway_elsewhere(twin):
    twin.cloud.vpn_gateways[ids.VPN_GATEWAY]["VpcId"] = ids.SOURCE_VPC  # pretend: the gateway of another VPC


def gateway_updating(twin):
    twin.cloud.vpn_gateways[ids.VPN_GATEWAY]["Status"] = "updating"


@pytest.mark.parametrize("change, role_vars, message", [
    (None, {"data_center_connect_vpn_gateway_id": "vpn-bp1nosuchgateway0001"},
     "data_center_connect_vpn_gateway_id: vpn-bp1nosuchgateway0001 is not a VPN gateway of region cn-hangzhou (the registry VPC %s has: %s)"
     % (ids.REGISTRY_VPC, ids.VPN_GATEWAY)),
    (gateway_elsewhere, {},
     "data_center_connect_vpn_gateway_id: %s is in VPC %s, not in the registry VPC %s" % (ids.VPN_GATEWAY, ids.SOURCE_VPC, ids.REGISTRY_VPC)),
    (gateway_updating, {}, "data_center_connect_vpn_gateway_id: %s is updating (business status Normal), not active" % ids.VPN_GATEWAY),
    (None, {"data_center_connect_ipsec_connection_id": ids.IPSEC_TRANSIT_ROUTER},
     "data_center_connect_ipsec_connection_id: %s is not an IPsec connection of VPN gateway %s (its IPsec connections: %s)"
     % (ids.IPSEC_TRANSIT_ROUTER, ids.VPN_GATEWAY, ids.IPSEC_VPN_GATEWAY)),
    (None, {"data_center_connect_ipsec_connection_id": "", "data_center_connect_ipsec_connection_name": "idc-via-transit-router"},
     "data_center_connect_ipsec_connection_name: 'idc-via-transit-router' is not an IPsec connection of VPN gateway %s" % ids.VPN_GATEWAY),
], ids=["unknown-gateway", "gateway-of-another-vpc", "gateway-not-active", "connection-of-no-gateway", "connection-by-wrong-name"])
def test_option_1_names_a_wrong_gateway_or_connection_and_writes_nothing(play, twin, change, role_vars, message):
    if change is not None:
        change(twin)
    code, output, facts = play(**dict(OPTION_1, **role_vars))
    assert code != 0 and message in output, output
    assert facts is None and twin.writes() == []


def test_option_1_data_center_cidr_outside_the_tunnel_is_named(play, twin):
    twin.cloud.vpn_connections[ids.IPSEC_VPN_GATEWAY]["RemoteSubnet"] = "192.168.0.0/24,192.168.1.0/24"
    code, output = play(**dict(OPTION_1, data_center_connect_cidr_blocks=["192.168.1.0/24", "10.8.0.0/16"]))[:2]
    assert code != 0, output
    assert ("data_center_connect_cidr_blocks: 10.8.0.0/16 is outside the remote subnets 192.168.0.0/24,192.168.1.0/24 of IPsec "
            "connection %s" % ids.IPSEC_VPN_GATEWAY) in output
    assert twin.writes() == []


@pytest.mark.parametrize("role_vars, message", [
    ({"data_center_connect_ipsec_connection_name": "idc-via-vpn-gateway"},
     "data_center_connect_ipsec_connection_id: give the IPsec connection of that VPN gateway by ID, or "
     "data_center_connect_ipsec_connection_name by name (exactly one of the two)."),
    ({"data_center_connect_cidr_blocks": ["192.168.0.1/24"]},
     "data_center_connect_cidr_blocks: 192.168.0.1/24 is not an IPv4 network address with its prefix length; write 192.168.0.0/24."),
    ({"data_center_connect_type": "transit_router", "data_center_connect_cen_name": "acr-idc",
      "data_center_connect_attachment": {"kind": "vbr", "id": ids.IPSEC_TRANSIT_ROUTER}},
     "data_center_connect_attachment.id: '%s' is not the ID of a virtual border router (those start with vbr-)" % ids.IPSEC_TRANSIT_ROUTER),
], ids=["connection-id-and-name", "host-bits-in-cidr", "vbr-id-misspelt"])
def test_bad_input_is_named_before_any_call(play, twin, role_vars, message):
    code, output = play(**dict(OPTION_1, **role_vars))[:2]
    assert code != 0 and message in output, output
    assert twin.calls() == []


# ---------------------------------------------------------------- option 2: the region's transit router


@pytest.mark.parametrize("kind", ["vpn", "vbr"])
def test_option_2_attaches_the_data_center_to_the_registry_vpcs_route_table_then_absent_goes_back_to_the_fixture(play, twin, kind):
    entries_before = {key: dict(entry) for key, entry in twin.cloud.route_entries.items()}
    code, output, facts = play(**option_2(kind))
    assert code == 0, output
    fact, cloud = facts["data_center_connect"], twin.cloud
    [cen_id] = list(cloud.cens)
    [router] = list(cloud.transit_routers.values())
    registry = [a for a in cloud.tr_attachments.values() if a["ResourceType"] == "VPC"]
    data_center = [a for a in cloud.tr_attachments.values() if a["ResourceType"] == kind.upper()]
    assert [a["VpcId"] for a in registry] == [ids.REGISTRY_VPC] and len(data_center) == 1
    [table] = [link["TransitRouterRouteTableId"] for link in cloud.tr_associations.values()
               if link["TransitRouterAttachmentId"] == registry[0]["TransitRouterAttachmentId"]]
    assert fact == {
        "type": "transit_router", "region": ids.REGISTRY_REGION, "vpc_id": ids.REGISTRY_VPC, "cidr_blocks": [ids.DATA_CENTER_CIDR],
        "cen_id": cen_id, "transit_router_id": router["TransitRouterId"], "transit_router_route_table_id": table,
        "registry_attachment_id": registry[0]["TransitRouterAttachmentId"],
        "attachment": {"kind": kind, "resource_id": ATTACHED[kind], "transit_router_attachment_id": data_center[0]["TransitRouterAttachmentId"]}}
    # the fact cen_connect, as the role cen_connect sets it: the registry VPC's attachment
    assert facts["cen_connect"]["cen_id"] == cen_id
    assert [(a["vpc_id"], a["transit_router_attachment_id"]) for a in facts["cen_connect"]["vpc_attachments"]] == \
        [(ids.REGISTRY_VPC, fact["registry_attachment_id"])]
    # the data center's attachment is associated with and propagates to the registry VPC's route table, which has learned
    # the data center's CIDR block through it (and the registry VPC's through the VPC attachment)
    for links in (cloud.tr_associations, cloud.tr_propagations):
        assert [(link["TransitRouterRouteTableId"], link["Status"]) for link in links.values()
                if link["TransitRouterAttachmentId"] == fact["attachment"]["transit_router_attachment_id"]] == [(table, "Active")]
    learned = {(route["cidr"], route["attachment"]) for route in learned_routes(cloud, router["TransitRouterId"], table)}
    assert (ids.DATA_CENTER_CIDR, fact["attachment"]["transit_router_attachment_id"]) in learned
    assert (ids.REGISTRY_VPC_CIDR, fact["registry_attachment_id"]) in learned

    # a second run only reads and reports no change
    since = twin.last_seq()
    code, output, again = play(**option_2(kind))
    assert code == 0, output
    assert twin.writes(since) == [] and twin.calls(since)
    assert changed(output) == 0, output
    assert again["data_center_connect"] == fact

    # absent: the data center's attachment first (propagation, association, attachment), then the registry VPC's connection
    since = twin.last_seq()
    code, output, facts = play(data_center_connect_state="absent", **option_2(kind))
    assert code == 0, output
    assert facts == {"data_center_connect": {}, "cen_connect": {}}
    assert cen_resources(twin.cloud) == ({}, {}, {}, {}, {})
    assert {key: dict(entry) for key, entry in twin.cloud.route_entries.items()} == entries_before
    writes = [c["action"] for c in twin.writes(since)]
    kind_name = kind.capitalize()
    assert writes.index("DisableTransitRouterRouteTablePropagation") < writes.index("DeleteTransitRouter%sAttachment" % kind_name) \
        < writes.index("DeleteTransitRouterVpcAttachment") < writes.index("DeleteTransitRouter") < writes.index("DeleteCen"), writes

    # absent again changes nothing: reads only
    since = twin.last_seq()
    code, output, facts = play(data_center_connect_state="absent", **option_2(kind))
    assert code == 0, output
    assert twin.writes(since) == [] and changed(output) == 0, output
    assert facts == {"data_center_connect": {}, "cen_connect": {}}


@pytest.mark.parametrize("kind", ["vpn", "vbr"])
def test_option_2_check_mode_on_a_fresh_twin_writes_nothing_and_reports_the_changes(play, twin, kind):
    code, output, facts = play(check=True, **option_2(kind))
    assert code == 0, output
    assert twin.writes() == [] and twin.calls()
    assert changed(output) >= 2 and "Would create the CEN acr-idc" in output  # the CEN, and the report of what follows it
    assert facts["data_center_connect"]["cen_id"] is None and facts["data_center_connect"]["attachment"] == {
        "kind": kind, "resource_id": ATTACHED[kind], "transit_router_attachment_id": None}
    assert cen_resources(twin.cloud) == ({}, {}, {}, {}, {})


def test_option_2_ipsec_connection_of_a_vpn_gateway_is_named_before_any_write(play, twin):
    code, output = play(**dict(option_2("vpn"), data_center_connect_attachment={"kind": "vpn", "id": ids.IPSEC_VPN_GATEWAY}))[:2]
    assert code != 0, output
    assert ("data_center_connect_attachment.id: %s is not an IPsec connection of region cn-hangzhou bound to a transit router "
            "(attach type CEN; the region has: %s)" % (ids.IPSEC_VPN_GATEWAY, ids.IPSEC_TRANSIT_ROUTER)) in output
    assert twin.writes() == []
