"""--diff through a real ansible-playbook run: Ansible's callback shows the route modules' diffs (a diff whose before
and after are lists made it fail with "Callback dispatch 'v2_on_file_diff' failed ... 'list' object has no attribute
'splitlines'", and nothing was shown)."""

import json
import os
import subprocess
import sys

from acr_twin import seed_ids as ids

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Step 1
      alicloud.acr_access.cen_connection:
        cen_name: acr-access
        members: "{{ members }}"
      register: step1

    - name: One route with vpc_route_entry
      alicloud.acr_access.vpc_route_entry:
        region: cn-hangzhou
        route_table_id: "{{ registry_table }}"
        routes: [{destination_cidr_block: 192.168.50.0/24, next_hop_id: "{{ ecs }}"}]

    - name: Step 3 with registry_access_routes
      alicloud.acr_access.registry_access_routes:
        cen_id: "{{ step1.connection.cen_id }}"
        source:
          region: cn-shanghai
          vpc_id: "{{ source_vpc }}"
          routes: [{destination_cidr_block: 100.103.7.181/32, next_hop_id: "{{ attachment }}"}]
        registry_vpc:
          region: cn-hangzhou
          vpc_id: "{{ registry_vpc }}"
          routes: [{destination_cidr_block: 100.0.0.0/8, next_hop_id: "{{ ecs }}"}]
          advertise: [100.0.0.0/8]
      vars:
        attachment: "{{ (step1.connection.vpc_attachments | selectattr('vpc_id', 'eq', source_vpc) | first).transit_router_attachment_id }}"
"""


def test_the_route_changes_show_in_the_diff(playbook_env, tmp_path):
    playbook = tmp_path / "diff.yml"
    playbook.write_text(PLAYBOOK)
    extra = {"members": [{"region": "cn-hangzhou", "vpc_id": ids.REGISTRY_VPC, "vswitch_ids": ids.REGISTRY_VSWITCHES},
                         {"region": "cn-shanghai", "vpc_id": ids.SOURCE_VPC, "vswitch_ids": [ids.SOURCE_VSWITCH_M, ids.SOURCE_VSWITCH_N]}],
             "registry_table": ids.REGISTRY_ROUTE_TABLE, "registry_vpc": ids.REGISTRY_VPC, "source_vpc": ids.SOURCE_VPC, "ecs": ids.REGISTRY_ECS}
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), str(playbook), "--diff", "-e", json.dumps(extra)]
    done = subprocess.run(command, env=playbook_env(), capture_output=True, text=True, timeout=300, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Callback dispatch" not in output and "splitlines" not in output, output
    # vpc_route_entry's diff, then registry_access_routes' (both tables and the publication), as unified diffs
    assert output.count("--- before") >= 2 and output.count("+++ after") >= 2, output
    for shown in ('+    "192.168.50.0/24": {', '"100.103.7.181/32": {', '"100.0.0.0/8": {', '"100.0.0.0/8": "Published"'):
        assert shown in output, (shown, output)
