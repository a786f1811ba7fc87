"""playbooks/diagnose.yml against the twin: each piece of steps 1 to 3 removed in turn is named first, with zero writes.

The cloud side is built once with the roles cen_connect and registry_routes (the seed's endpoints given, as
test_registry_routes.py does); each case then removes one piece from the twin's state (as a hand-made setup would lack
it), runs the diagnosis once, and puts the piece back. One ansible-playbook run per case, at twin time scale 0.
"""

import json
import os
import subprocess
import sys

import pytest

from acr_twin import seed_ids as ids

HZ_VPC, SH_VPC = ids.REGISTRY_VPC, ids.SOURCE_VPC
HZ_TABLE, SH_TABLE = ids.REGISTRY_ROUTE_TABLE, ids.SOURCE_ROUTE_TABLE
ENDPOINTS = {
    "registry": {"domain": ids.REGISTRY_DOMAIN, "addresses": [ids.REGISTRY_IP]},
    "auth": {"domain": ids.AUTH_DOMAIN, "addresses": [ids.AUTH_IP]},
    "oss": {"domain": ids.OSS_DOMAIN, "addresses": [ids.OSS_IP]},
}
REGISTRY_ENDPOINTS = {
    "region": ids.REGISTRY_REGION,
    "registry": {"domain": ids.REGISTRY_DOMAIN, "addresses": [ids.REGISTRY_IP], "found_by": "given"},
    "auth": {"domain": ids.AUTH_DOMAIN, "addresses": [ids.AUTH_IP], "kind": "dockerauth-vpc", "found_by": "given"},
    "oss": {"domain": ids.OSS_DOMAIN, "addresses": [ids.OSS_IP], "bucket": None, "found_by": "given"},
    "takeover": False,
}
INVENTORY = dict(
    cen_connect_cen_name="acr-access", cen_connect_members=ids.cen_members(),
    registry_endpoints_instance_name=ids.INSTANCE_NAME,
    registry_endpoints_region=ids.REGISTRY_REGION, registry_routes_next_hop_instance_id=ids.REGISTRY_ECS,
    registry_endpoints_known=ENDPOINTS)

# The collection's playbook, then its fact for the test
WRAPPER = """
- name: The diagnosis
  ansible.builtin.import_playbook: alicloud.acr_access.diagnose
- name: Save its fact for the test
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Save
      ansible.builtin.copy:
        content: "{{ diagnosis | to_json }}"
        dest: "{{ fact_file }}"
        mode: "0600"
      check_mode: false
"""


def _where(collection, **match):
    return lambda cloud: [key for key, item in getattr(cloud, collection).items() if all(item.get(k) == v for k, v in match.items())]


def _attachment(cloud, vpc_id):
    return next(a["TransitRouterAttachmentId"] for a in cloud.tr_attachments.values() if a.get("VpcId") == vpc_id and a["ResourceType"] == "VPC")


# (case, collection, which items to take away, the code of the first finding, its step, words its text or fix must hold)
CASES = [
    ("source association", "tr_associations",
     lambda cloud: _where("tr_associations", TransitRouterAttachmentId=_attachment(cloud, SH_VPC))(cloud),
     "association_missing", 1, SH_VPC),
    ("registry propagation", "tr_propagations",
     lambda cloud: _where("tr_propagations", TransitRouterAttachmentId=_attachment(cloud, HZ_VPC))(cloud),
     "propagation_missing", 1, HZ_VPC),
    ("peer attachment", "tr_attachments", _where("tr_attachments", ResourceType="TR"), "peer_attachment_missing", 1, "inter-region"),
    ("member route back", "route_entries", _where("route_entries", RouteTableId=HZ_TABLE, DestinationCidrBlock=ids.SOURCE_VPC_CIDR),
     "member_route_missing", 1, ids.SOURCE_VPC_CIDR),
    ("registry VPC link", "cr_linked_vpcs", _where("cr_linked_vpcs", VpcId=HZ_VPC), "registry_vpc_not_linked", 2, "cr_vpc_endpoint"),
    ("OSS source route", "route_entries", _where("route_entries", RouteTableId=SH_TABLE, DestinationCidrBlock="100.118.28.0/24"),
     "source_route_missing", 3, "OSS pulls will stall at the first blob"),
    ("auth source route", "route_entries", _where("route_entries", RouteTableId=SH_TABLE, DestinationCidrBlock=ids.AUTH_IP + "/32"),
     "source_route_missing", 3, "docker login fails"),
    ("covering route", "route_entries", _where("route_entries", RouteTableId=HZ_TABLE, DestinationCidrBlock="100.0.0.0/8"),
     "covering_route_missing", 3, ids.REGISTRY_ECS),
    ("its advertisement", "published_routes", _where("published_routes", DestinationCidrBlock="100.0.0.0/8"),
     "covering_route_not_advertised", 3, "cen_route_advertisement"),
]


@pytest.fixture
def diagnose(playbook_env, tmp_path):
    """``diagnose(check=False)`` -> (return code, output, the fact diagnosis or None)."""
    playbook = tmp_path / "diagnose.yml"
    playbook.write_text(WRAPPER)
    fact_file = tmp_path / "diagnosis.json"

    def run(check=False, **inventory):
        extra = dict(INVENTORY, fact_file=str(fact_file), ansible_python_interpreter=sys.executable, **inventory)
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), str(playbook), "-e", json.dumps(extra)]
        if check:
            command.append("--check")
        if fact_file.exists():
            fact_file.unlink()
        done = subprocess.run(command, env=playbook_env(), capture_output=True, text=True, timeout=600, check=False)
        return done.returncode, done.stdout + done.stderr, json.loads(fact_file.read_text()) if fact_file.exists() else None

    return run


def test_each_removed_piece_is_the_first_finding_with_its_fix_and_no_write(play_role, twin, diagnose):
    # Steps 1 and 3 as the roles make them (step 2's endpoints given)
    code, output, cen = play_role("cen_connect", cen_connect_cen_name="acr-access", cen_connect_members=ids.cen_members())
    assert code == 0, output
    code, output, _fact = play_role("registry_routes", cen_connect=cen, registry_endpoints=REGISTRY_ENDPOINTS,
                                    registry_routes_next_hop_instance_id=ids.REGISTRY_ECS)
    assert code == 0, output
    twin.settle()

    # Complete: nothing to report, reads only (in check mode too)
    since = twin.last_seq()
    code, output, diagnosis = diagnose(check=True)
    assert code == 0, output
    assert diagnosis["findings"] == [] and diagnosis["healthy"], output
    assert twin.writes(since) == [] and twin.calls(since)
    assert "Nothing missing" in output
    # the known endpoints as tests/e2e/inventory/rehearsal.yml gives them: the registry's domain left to the instance's
    # VPC domain, which step 2 fills in (the instance is read once)
    since = twin.last_seq()
    rehearsal = {"registry": {"addresses": [ids.REGISTRY_IP]}, "auth": {"domain": ids.AUTH_DOMAIN, "addresses": [ids.AUTH_IP]},
                 "oss": {"domain": ids.OSS_DOMAIN, "addresses": [ids.OSS_IP]}, "takeover": False}
    code, output, diagnosis = diagnose(registry_endpoints_known=rehearsal)
    assert code == 0 and diagnosis["findings"] == [], (output, diagnosis and diagnosis["findings"])
    assert len(twin.calls(since, action="ListInstance")) == 1 and twin.writes(since) == []

    for case, collection, which, code_expected, step, words in CASES:
        with twin.cloud.lock:
            items = getattr(twin.cloud, collection)
            keys = which(twin.cloud)
            assert keys, case
            taken = {key: items.pop(key) for key in keys}
        try:
            since = twin.last_seq()
            code, output, diagnosis = diagnose()
            assert code == 0, (case, output)
            assert twin.writes(since) == [], case
            first = diagnosis["first"]
            assert (first["code"], first["step"]) == (code_expected, step), (case, diagnosis["findings"])
            assert words in first["what"] + " " + first["fix"], (case, first)
            assert not diagnosis["healthy"] and first["fix"] in output, case
        finally:
            with twin.cloud.lock:
                getattr(twin.cloud, collection).update(taken)
