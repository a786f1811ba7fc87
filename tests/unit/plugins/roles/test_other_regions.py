"""The cloud side of the main job (playbooks/cross_region_access.yml, steps 1 to 3) in two other regions than the seed's.

The twin starts from tests/twin/fixtures/beijing-shenzhen.yml: the registry in cn-beijing, the source VPC in cn-shenzhen,
each with its own CIDR blocks. The endpoints are given (registry_endpoints_known), so no probe host (and no root) is needed.
The source table must hold one route for each published OSS VIP block of cn-beijing, all through the source's attachment:
the OSS VIP moves within them, so the route of the address seen once would not do.
"""

import json
import os
import re
import subprocess
import sys

import yaml

import ansible_collections
from acr_twin.fixtures import FIXTURES_DIR

ROOT = os.path.join(list(ansible_collections.__path__)[0], "alicloud", "acr_access")
FIXTURE = os.path.join(FIXTURES_DIR, "beijing-shenzhen.yml")

BJ_VPC, BJ_TABLE, BJ_ECS = "vpc-2zetwin0000000000001", "vtb-2zetwin0000000000001", "i-2zetwin0000000000001"
SZ_VPC, SZ_TABLE = "vpc-wz9twin0000000000001", "vtb-wz9twin0000000000001"
REGISTRY_ADDRESS, AUTH_ADDRESS, OSS_ADDRESS = "10.20.0.200", "100.103.9.20", "100.118.171.20"
# cn-beijing's blocks in the OSS page "Regions and endpoints" (tests/unit/plugins/module_utils/data/oss-vip-ranges.yaml)
BEIJING_OSS_RANGES = ["100.118.58.0/24", "100.118.167.0/24", "100.118.170.0/24", "100.118.171.0/24", "100.118.172.0/24",
                      "100.118.173.0/24"]

INVENTORY = {"all": {
    "hosts": {"localhost": {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"}},
    "vars": {
        "cen_connect_cen_name": "acr-access",
        "cen_connect_members": [
            {"region": "cn-beijing", "vpc_id": BJ_VPC, "vswitch_ids": ["vsw-2zetwin00000000000h1", "vsw-2zetwin00000000000i1"]},
            {"region": "cn-shenzhen", "vpc_id": SZ_VPC, "vswitch_ids": ["vsw-wz9twin00000000000c1", "vsw-wz9twin00000000000d1"]},
        ],
        "registry_endpoints_instance_name": "acr-twin-beijing",
        "registry_endpoints_region": "cn-beijing",
        "registry_endpoints_known": {
            "registry": {"addresses": [REGISTRY_ADDRESS]},
            "auth": {"domain": "dockerauth-vpc.cn-beijing.aliyuncs.com", "addresses": [AUTH_ADDRESS]},
            "oss": {"domain": "oss-cn-beijing-internal.aliyuncs.com", "addresses": [OSS_ADDRESS]},
            "takeover": False,
        },
        "registry_routes_next_hop_instance_id": BJ_ECS,
    },
}}

WRAPPER = """
- name: The procedure
  ansible.builtin.import_playbook: {playbook}

- name: Save the facts for the test
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Save them
      ansible.builtin.copy:
        content: "{{{{ {{'cen_connect': cen_connect, 'registry_routes': registry_routes | default(none)}} | to_json }}}}"
        dest: {facts}
        mode: "0600"
      check_mode: false
      changed_when: false  # the test's bookkeeping
"""


def routes_of(twin, table):
    return {e["DestinationCidrBlock"]: (e["NextHopType"], e["NextHopId"]) for e in twin.cloud.route_entries.values()
            if e["RouteTableId"] == table and e.get("Type") == "Custom"}


def run_playbook(playbook_env, tmp_path, playbook):
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(yaml.safe_dump(INVENTORY))
    facts = tmp_path / "facts.json"
    if facts.exists():
        facts.unlink()
    wrapper = tmp_path / "cross_region_access.yml"
    wrapper.write_text(WRAPPER.format(playbook=os.path.join(ROOT, "playbooks", "cross_region_access.yml"), facts=facts))
    path = str(wrapper) if playbook == "cross_region_access" else os.path.join(ROOT, "playbooks", playbook + ".yml")
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", str(inventory), path]
    done = subprocess.run(command, env=playbook_env(), capture_output=True, text=True, timeout=600, check=False, cwd=str(tmp_path))
    return done.returncode, done.stdout + done.stderr, json.loads(facts.read_text()) if facts.exists() else None


def test_a_beijing_registry_is_reached_from_shenzhen_through_every_published_oss_range(twin, playbook_env, tmp_path):
    twin.reset(FIXTURE)
    code, output, facts = run_playbook(playbook_env, tmp_path, "cross_region_access")
    assert code == 0, output
    attachments = {a["vpc_id"]: a["transit_router_attachment_id"] for a in facts["cen_connect"]["vpc_attachments"]}
    assert set(attachments) == {BJ_VPC, SZ_VPC} and all(attachments.values())
    assert set(facts["cen_connect"]["transit_routers"]) == {"cn-beijing", "cn-shenzhen"}

    # Shenzhen: the registry VPC's CIDR block (cen_connect; it holds the registry address, a vSwitch address here, so that
    # needs no route of its own), the auth address, and cn-beijing's OSS blocks
    expected = ["10.20.0.0/16", "%s/32" % AUTH_ADDRESS]
    assert routes_of(twin, SZ_TABLE) == {cidr: ("Attachment", attachments[SZ_VPC]) for cidr in expected + BEIJING_OSS_RANGES}
    assert "%s/32" % OSS_ADDRESS not in routes_of(twin, SZ_TABLE)  # the address lies in a block: no /32 of its own
    # Beijing: the route back to Shenzhen's CIDR block; the 100.x service addresses through the ECS instance
    beijing = routes_of(twin, BJ_TABLE)
    assert beijing["172.20.0.0/16"] == ("Attachment", attachments[BJ_VPC])
    assert all(hop == ("Instance", BJ_ECS) for cidr, hop in beijing.items() if cidr != "172.20.0.0/16")

    plan = facts["registry_routes"]["plan"]
    assert [f["code"] for f in plan["findings"] if f["severity"] != "info"] == []
    assert {"ip": OSS_ADDRESS, "names": ["oss-cn-beijing-internal.aliyuncs.com"]} in plan["hosts_entries"]

    # the re-run changes nothing; the teardown leaves the fixture's routes and no CEN
    since = twin.last_seq()
    code, output, facts = run_playbook(playbook_env, tmp_path, "cross_region_access")
    assert code == 0, output
    assert twin.writes(since) == []
    assert int(re.search(r"localhost\s*:.*changed=(\d+)", output).group(1)) == 0, output
    code, output = run_playbook(playbook_env, tmp_path, "teardown")[:2]
    assert code == 0, output
    assert routes_of(twin, SZ_TABLE) == {} and routes_of(twin, BJ_TABLE) == {} and twin.cloud.cens == {}
