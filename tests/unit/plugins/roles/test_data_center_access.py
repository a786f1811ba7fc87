"""playbooks/data_center_access.yml in check mode against a fresh cloud twin: the cloud side only (the endpoints given,
tests/e2e/inventory/rehearsal.yml; no gateway or server in the inventory), at twin time scale 0.

Check mode must predict the run without a write call. With the transit_router option the CEN and the registry VPC's
attachment do not exist yet: step 3 plans through placeholders that say what they stand for, and the routes the run
would add are printed.
"""

import json
import os
import subprocess
import sys

import pytest

import ansible_collections
from acr_twin import seed_ids as ids

ROOT = os.path.join(list(ansible_collections.__path__)[0], "alicloud", "acr_access")


def _check_mode(playbook_env, tmp_path, connection_type):
    env = dict(playbook_env(), ACR_ACCESS_OUTPUT_DIR=str(tmp_path / "network-team"))
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
               "-i", os.path.join(ROOT, "tests", "demo", "inventory", "data_center.yml"),
               "-i", os.path.join(ROOT, "tests", "e2e", "inventory", "rehearsal.yml"),
               os.path.join(ROOT, "playbooks", "data_center_access.yml"), "--check",
               "-e", json.dumps({"data_center_connect_type": connection_type})]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False, cwd=str(tmp_path))
    return done.returncode, done.stdout + done.stderr


@pytest.mark.parametrize("connection_type, back_to_the_data_center", [
    ("transit_router", "(the attachment to be created in cn-hangzhou)"),
    ("vpn_gateway", ids.IPSEC_VPN_GATEWAY),
])
def test_check_mode_on_a_fresh_twin_predicts_the_routes_without_a_write(
        playbook_env, tmp_path, twin, connection_type, back_to_the_data_center):
    code, output = _check_mode(playbook_env, tmp_path, connection_type)
    assert code == 0, output[-6000:]
    assert twin.writes() == [], [call["action"] for call in twin.writes()]
    # the summary names the route back to the data center (to the attachment to be created, or the VPN gateway's) and
    # the covering route the run would add; the data center's own routes are in the network team's files
    summary = output.split("TASK [Summary of steps 1 to 3", 1)[1]
    assert back_to_the_data_center in summary and ids.DATA_CENTER_CIDR in summary, summary[:3000]
    if connection_type == "transit_router":
        assert '"destination_cidr_block": "100.0.0.0/8"' in summary and "(the CEN to be created)" in summary, summary[:3000]
