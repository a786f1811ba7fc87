"""The role onprem_gateway through ansible-playbook: the routes of a data center's plan as files on the controller and on
a Linux gateway host that lives in namespaces of the test (tests/unit/plugins/modules/test_onprem_gateway_routes.py's
Gateway: its own network and mount namespaces, so this machine's routes and /etc are never touched).

The gateway host of the inventory is reached with the local connection and a Python interpreter that enters the
gateway's namespaces first (nsenter), so the module runs there as it would over ssh on the data center's gateway.
"""

import importlib.util
import json
import os
import re
import subprocess
import sys

import pytest

import ansible_collections

from ansible_collections.alicloud.acr_access.plugins.module_utils.plan import build_plan

_spec = importlib.util.spec_from_file_location(
    "gateway_namespaces", os.path.join(os.path.dirname(__file__), "..", "modules", "test_onprem_gateway_routes.py"))
gateway_namespaces = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gateway_namespaces)

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Run the role
      ansible.builtin.include_role:
        name: alicloud.acr_access.onprem_gateway
    - name: Save its fact for the test
      ansible.builtin.copy:
        content: "{{ onprem_gateway | to_json }}"
        dest: "{{ fact_file }}"
        mode: "0600"
      check_mode: false
      changed_when: false
"""
ENDPOINTS = {"registry": {"domain": "xxxxxx-registry-vpc.cn-hangzhou.cr.aliyuncs.com", "addresses": ["10.94.205.198"]},
             "auth": {"domain": "dockerauth-vpc.cn-hangzhou.aliyuncs.com", "addresses": ["100.103.7.181"]},
             "oss": {"addresses": ["100.118.28.43"]}}
PLAN = build_plan({"kind": "data_center", "cidr_blocks": ["192.168.0.0/24"], "on_premises": {"via": "169.254.10.1", "dev": "vti0"},
                   "connection": {"type": "vpn_gateway", "vpn_gateway_id": "vpn-bp1example000000001",
                                  "ipsec_connection_id": "vco-bp1example000000001"}},
                  {"region": "cn-hangzhou", "cidr_blocks": ["10.0.0.0/16"]}, ENDPOINTS)
DESTINATIONS = ["10.94.205.198/32", "100.103.7.181/32", "100.98.170.0/24", "100.114.102.0/24", "100.118.28.0/24", "100.118.31.0/24"]


@pytest.fixture
def play(tmp_path):
    """``play(check=False, gateway=None, **extra_vars)`` -> (return code, output, the fact or None, changed count of the recap)."""
    (tmp_path / "play.yml").write_text(PLAYBOOK)
    fact_file = tmp_path / "fact.json"

    def run(check=False, gateway=None, **extra_vars):
        # The interpreters are host variables, not play variables: a play variable would also be the delegated gateway's, and
        # the module would then run in this machine's namespaces instead of the gateway's.
        inventory = {"all": {"hosts": {"localhost": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}},
                             "children": {"onprem_gateway": {"hosts": {}}}}}
        if gateway is not None:
            interpreter = tmp_path / "gateway-python"
            interpreter.write_text("#!/bin/sh\nexec nsenter --target %d --net --mount -- '%s' \"$@\"\n" % (gateway.holder.pid, sys.executable))
            interpreter.chmod(0o755)
            inventory["all"]["children"]["onprem_gateway"]["hosts"]["idc-gateway"] = {
                "ansible_connection": "local", "ansible_python_interpreter": str(interpreter)}
        (tmp_path / "inventory.json").write_text(json.dumps(inventory))
        extra = dict(extra_vars, fact_file=str(fact_file))
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", str(tmp_path / "inventory.json"),
                   str(tmp_path / "play.yml"), "-e", json.dumps(extra)] + (["--check"] if check else [])
        if fact_file.exists():
            fact_file.unlink()
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.dirname(list(ansible_collections.__path__)[0]), HOME=str(tmp_path),
                   ANSIBLE_LOCALHOST_WARNING="False", ANSIBLE_INVENTORY_UNPARSED_WARNING="False", ANSIBLE_NOCOLOR="1")
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)
        output = done.stdout + done.stderr
        fact = json.loads(fact_file.read_text()) if fact_file.exists() else None
        changed = sum(int(count) for count in re.findall(r"changed=(\d+)", output))
        return done.returncode, output, fact, changed

    return run


def test_files_for_the_network_team_without_gateway_hosts(play, tmp_path):
    out = tmp_path / "network-team"
    rc, output, fact, changed = play(onprem_gateway_plan=PLAN, onprem_gateway_output_dir=str(out))
    assert rc == 0, output
    assert [route["destination"] for route in fact["routes"]] == DESTINATIONS and fact["source"] == "onprem_gateway_plan"
    assert fact["hosts"] == {} and fact["changed"] is False and changed > 0
    assert json.loads((out / "onprem_gateway_routes.json").read_text()) == fact["routes"]
    table = (out / "onprem_gateway_routes.txt").read_text()
    assert re.search(r"^100\.103\.7\.181/32 +169\.254\.10\.1 +vti0 +auth service address 100\.103\.7\.181", table, re.M), table
    assert "ip route replace 100.118.31.0/24 via 169.254.10.1 dev vti0" in table.splitlines()
    assert fact["files"] == {"table": str(out / "onprem_gateway_routes.txt"), "json": str(out / "onprem_gateway_routes.json")}

    rc, output, again, changed = play(onprem_gateway_plan=PLAN, onprem_gateway_output_dir=str(out))
    assert rc == 0 and changed == 0 and again == fact, output

    rc, output, removed, changed = play(onprem_gateway_plan=PLAN, onprem_gateway_output_dir=str(out), onprem_gateway_state="absent")
    assert rc == 0 and removed["state"] == "absent", output
    assert not (out / "onprem_gateway_routes.txt").exists() and not (out / "onprem_gateway_routes.json").exists()


def test_routes_from_the_fact_registry_routes_and_explicit_ones_win(play, tmp_path):
    rc, output, fact, _changed = play(registry_routes={"plan": PLAN}, onprem_gateway_output_dir=str(tmp_path / "out"))
    assert rc == 0 and fact["source"] == "registry_routes.plan" and len(fact["routes"]) == 6, output
    explicit = [{"destination": "10.94.205.198/32", "dev": "vti0"}]
    rc, output, fact, _changed = play(registry_routes={"plan": PLAN}, onprem_gateway_routes=explicit, onprem_gateway_output_dir=str(tmp_path / "out"))
    assert rc == 0 and fact["source"] == "onprem_gateway_routes", output
    assert fact["routes"] == [{"destination": "10.94.205.198/32", "via": None, "dev": "vti0", "reason": None}]


def test_a_plan_without_on_premises_routes_fails_saying_what_to_give(play, tmp_path):
    vpc_plan = {"source_routes": [], "registry_routes": [], "findings": []}
    rc, output, fact, _changed = play(onprem_gateway_plan=vpc_plan, onprem_gateway_output_dir=str(tmp_path / "out"))
    assert rc != 0 and fact is None
    assert "no on-premises routes: give onprem_gateway_routes" in output
    assert not (tmp_path / "out").exists()


def test_the_routes_on_a_linux_gateway_host(play, tmp_path):
    gateway_namespaces.probe_lab.require_lab()
    (tmp_path / "gw").mkdir()
    gateway = gateway_namespaces.Gateway(tmp_path / "gw")
    try:
        args = dict(onprem_gateway_plan=PLAN, onprem_gateway_output_dir=str(tmp_path / "out"), onprem_gateway_persist="none")
        rc, output, fact, _changed = play(check=True, gateway=gateway, **args)
        assert rc == 0, output
        assert fact["hosts"]["idc-gateway"]["changed"] is True and gateway.routes("197") == []  # check mode: predicted, not made

        rc, output, fact, _changed = play(gateway=gateway, **args)
        assert rc == 0, output
        host = fact["hosts"]["idc-gateway"]
        assert host["changed"] is True and fact["changed"] is True and host["persistence"]["mechanism"] == "none"
        assert sorted(route.split()[0] for route in gateway.routes("197")) == sorted(
            destination.replace("/32", "") for destination in DESTINATIONS)

        rc, output, fact, changed = play(gateway=gateway, **args)
        assert rc == 0 and changed == 0 and fact["changed"] is False, output

        # without persist: none the idc-gateway (no network stack running) fails naming the option, and changes nothing
        rc, output, _fact, _changed = play(gateway=gateway, **dict(args, onprem_gateway_persist="auto", onprem_gateway_state="absent"))
        assert rc != 0 and "persist to none" in output and len(gateway.routes("197")) == 6

        rc, output, fact, _changed = play(gateway=gateway, **dict(args, onprem_gateway_state="absent"))
        assert rc == 0 and fact["hosts"]["idc-gateway"]["changed"] is True and gateway.routes("197") == [], output
    finally:
        gateway.close()
