"""The action plugin registry_access_plan through a real ansible-playbook: the module's plan, computed in the controller.

Every host's Python interpreter is a wrapper script that logs each start (as tests/bench/bench.py counts module
processes): the log of a playbook of plan tasks stays empty, while a module task (the control) shows up in it. The task
results are written by a small callback plugin of the test, itself no module. A host the controller cannot reach
gets its plan all the same: the action plugin needs no connection.

ansible-playbook runs here, so this file is run by `make pytest` only, like the role tests (ansible-test units runs
the in-process tests of UNITS_PATHS).
"""

import copy
import json
import os
import subprocess
import sys

import pytest

import ansible_collections.alicloud.acr_access as collection
from ansible_collections.alicloud.acr_access.plugins.module_utils.plan import build_plan
from ansible_collections.alicloud.acr_access.plugins.modules.registry_access_plan import main
from acr_twin import seed_ids as ids

ACTION = "alicloud.acr_access.registry_access_plan"
COLLECTIONS_PATH = os.path.abspath(os.path.join(list(collection.__path__)[0], "..", "..", ".."))
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
WRAPPER = """#!/bin/sh
printf '%s\\n' "$*" >> '{log}'
exec '{python}' "$@"
"""
# Writes every task result, as the callbacks see it, with its event (ok, failed, unreachable), to a JSON line of $RECORD_RESULTS.
RECORDER = '''
import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "record_results"
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, event, result):
        payload = result.result if hasattr(result, "result") else result._result
        line = dict(host=result._host.get_name(), task=result.task_name, event=event, result=json.loads(self._dump_results(payload)))
        with open(os.environ["RECORD_RESULTS"], "a") as handle:
            handle.write(json.dumps(line) + "\\n")

    def v2_runner_on_ok(self, result):
        self._record("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record("failed", result)

    def v2_runner_on_unreachable(self, result):
        self._record("unreachable", result)
'''

SEED = dict(
    source=dict(region="cn-shanghai", vpc_id=ids.SOURCE_VPC, route_table_id=ids.SOURCE_ROUTE_TABLE, cidr_blocks=["172.16.0.0/16"],
                next_hop_id="tr-attach-uf6example000000001"),
    registry_vpc=dict(region="cn-hangzhou", vpc_id=ids.REGISTRY_VPC, route_table_id=ids.REGISTRY_ROUTE_TABLE, cidr_blocks=["10.0.0.0/16"],
                      vswitch_cidr_blocks=["10.0.0.0/24", "10.0.1.0/24"], next_hop_instance_id=ids.REGISTRY_ECS),
    endpoints=dict(registry=dict(domain=ids.REGISTRY_DOMAIN, addresses=["10.94.205.198"]), auth=dict(domain=ids.AUTH_DOMAIN, addresses=["100.103.7.181"]),
                   oss=dict(domain=ids.OSS_DOMAIN, addresses=["100.118.28.43"])),
    reachable_cidrs=["10.0.0.0/16"],
)


def variant(**changes):
    args = copy.deepcopy(SEED)
    for path, value in changes.items():
        *parents, key = path.split("__")
        target = args
        for parent in parents:
            target = target[parent]
        if value is None:
            target.pop(key)
        else:
            target[key] = value
    return args


# name -> (task arguments as written in the playbook, the same input as native values for build_plan)
GOOD = {
    "seed": (SEED, SEED),
    # 100.64 registry VPC, takeover given as a string (the validator makes it a bool), existing routes, an accepted finding
    "conflicts": (
        variant(registry_vpc__cidr_blocks=["100.64.0.0/16"], registry_vpc__vswitch_cidr_blocks=["100.64.0.0/24"],
                endpoints__auth__takeover="yes", accept_findings=["oss_address_conflict"], oss_route_mode="address",
                source__existing_routes=[{"destination_cidr_block": "100.64.0.0/10", "next_hop_type": "service", "next_hop_id": ""},
                                         {"destination_cidr_block": "10.94.205.198/32", "next_hop_type": "Attachment",
                                          "next_hop_id": "tr-attach-uf6example000000001"}]),
        variant(registry_vpc__cidr_blocks=["100.64.0.0/16"], registry_vpc__vswitch_cidr_blocks=["100.64.0.0/24"],
                endpoints__auth__takeover=True, accept_findings=["oss_address_conflict"], oss_route_mode="address",
                source__existing_routes=[{"destination_cidr_block": "100.64.0.0/10", "next_hop_type": "service", "next_hop_id": ""},
                                         {"destination_cidr_block": "10.94.205.198/32", "next_hop_type": "Attachment",
                                          "next_hop_id": "tr-attach-uf6example000000001"}]),
    ),
}
# A data center behind a VPN gateway, and one through the transit router with another known VPC (the data center's options)
DATA_CENTER = dict(kind="data_center", cidr_blocks=["192.168.0.0/24"], on_premises=dict(via="192.168.0.1", dev="vti0"),
                   connection=dict(type="vpn_gateway", vpn_gateway_id="vpn-bp1example000000001", ipsec_connection_id="vco-bp1example000000001"))
GOOD["data center, VPN gateway"] = (variant(source=DATA_CENTER, reachable_cidrs=[]), variant(source=DATA_CENTER, reachable_cidrs=[]))
_TRANSIT = dict(DATA_CENTER, connection=dict(type="transit_router", transit_router_attachment_id="tr-attach-bp1example00000001"))
GOOD["data center, transit router"] = (
    variant(source=_TRANSIT, other_vpcs=[dict(vpc_id="vpc-uf6example00000000001", cidr_blocks=["192.168.0.0/16"])]),
    variant(source=_TRANSIT, other_vpcs=[dict(vpc_id="vpc-uf6example00000000001", cidr_blocks=["192.168.0.0/16"])]))

# name -> (task arguments, the option the message must name, PlanError's field or None for an argument spec error)
BAD = {
    "missing next_hop_id": (variant(source__next_hop_id=None), "next_hop_id", None),
    "oss_route_mode not a choice": (variant(oss_route_mode="nearest"), "oss_route_mode", None),
    "takeover not a bool": (variant(endpoints__auth__takeover="perhaps"), "takeover", None),
    "unknown option": (variant(bogus_option=1), "bogus_option", None),
    "bad CIDR": (variant(source__cidr_blocks=["172.16.0.0/99"]), "source.cidr_blocks[0]", "source.cidr_blocks[0]"),
    "unknown finding": (variant(accept_findings=["all"]), "accept_findings[0]", "accept_findings[0]"),
    "connection type not a choice": (variant(source=dict(DATA_CENTER, connection=dict(type="express_connect"))), "type", None),
    "data center without its gateway": (variant(source=dict(DATA_CENTER, on_premises=None)), "source.on_premises", "source.on_premises"),
    "data center without its IPsec connection": (
        variant(source=dict(DATA_CENTER, connection=dict(type="vpn_gateway", vpn_gateway_id="vpn-bp1example000000001"))),
        "source.connection.ipsec_connection_id", "source.connection.ipsec_connection_id"),
}


@pytest.fixture
def playbook(tmp_path):
    """``playbook(tasks, check=False, hosts="planner")`` -> ({(host, task name): result and its event}, [interpreter starts], output)."""
    log = tmp_path / "interpreter.log"
    interpreter = tmp_path / "python"
    interpreter.write_text(WRAPPER.format(log=log, python=sys.executable))
    interpreter.chmod(0o755)
    callbacks = tmp_path / "callbacks"
    callbacks.mkdir()
    (callbacks / "record_results.py").write_text(RECORDER)
    inventory = {"all": {"hosts": {
        "planner": {"ansible_connection": "local", "ansible_python_interpreter": str(interpreter)},
        # TEST-NET-1: nothing answers there; a task that needed the host would be unreachable
        "unreachable": {"ansible_connection": "ssh", "ansible_host": "192.0.2.1", "ansible_ssh_timeout": 3,
                        "ansible_python_interpreter": str(interpreter)},
    }}}
    (tmp_path / "inventory.json").write_text(json.dumps(inventory))
    results = tmp_path / "results.jsonl"
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_PATH, ANSIBLE_CALLBACK_PLUGINS=str(callbacks),
               ANSIBLE_CALLBACKS_ENABLED="record_results", RECORD_RESULTS=str(results), HOME=str(tmp_path),
               ANSIBLE_LOCALHOST_WARNING="False", ANSIBLE_INVENTORY_UNPARSED_WARNING="False", ANSIBLE_NOCOLOR="1",
               ANSIBLE_HOST_KEY_CHECKING="False")

    def run(tasks, check=False, hosts="planner"):
        play = [{"name": "Plans", "hosts": hosts, "gather_facts": False, "tasks": tasks}]
        (tmp_path / "play.yml").write_text(json.dumps(play, indent=1))
        for path in (results, log):
            if path.exists():
                path.unlink()
        command = [ANSIBLE_PLAYBOOK, "-i", str(tmp_path / "inventory.json"), str(tmp_path / "play.yml")] + (["--check"] if check else [])
        done = subprocess.run(command, env=env, cwd=str(tmp_path), capture_output=True, text=True, timeout=300, check=False)
        output = done.stdout + done.stderr
        assert done.returncode == 0, output
        recorded = [json.loads(line) for line in results.read_text().splitlines()] if results.exists() else []
        by_task = {(line["host"], line["task"]): dict(line["result"], event=line["event"]) for line in recorded}
        starts = log.read_text().splitlines() if log.exists() else []
        return by_task, starts, output

    return run


def plan_task(name, args):
    return {"name": name, ACTION: args, "ignore_errors": True}


def stable(message):
    """A validation message without the list of valid booleans, which is a set printed in the process's hash order."""
    return message.split("Valid booleans include")[0]


def module_result(run_module, args):
    """The module's main() run directly on the same arguments (the module process the action plugin replaces)."""
    return run_module(main, copy.deepcopy(args))


@pytest.mark.parametrize("check", [False, True], ids=["run", "check"])
def test_the_plan_is_build_plans_and_no_module_process_starts(playbook, run_module, check):
    results, starts, output = playbook([plan_task(name, args) for name, (args, _native) in GOOD.items()], check=check,
                                       hosts="planner,unreachable")
    assert starts == [], "module processes were started: %s\n%s" % (starts, output)
    for host in ("planner", "unreachable"):
        for name, (args, native) in GOOD.items():
            result = results[(host, name)]
            assert result["event"] == "ok", (host, name, result)
            assert result["changed"] is False
            expected = build_plan(native["source"], native["registry_vpc"], native["endpoints"], oss_route_mode=native.get("oss_route_mode", "vip_ranges"),
                                  oss_vip_ranges=native.get("oss_vip_ranges"), reachable_cidrs=native.get("reachable_cidrs"),
                                  accept_findings=native.get("accept_findings"), other_vpcs=native.get("other_vpcs"))
            assert result["plan"] == expected, (host, name)
            assert result["plan"] == module_result(run_module, args)["plan"], (host, name)
    # the variants are not the same plan: the comparison above compares something
    assert results[("planner", "seed")]["plan"] != results[("planner", "conflicts")]["plan"]
    assert [f["code"] for f in results[("planner", "conflicts")]["plan"]["findings"] if f["severity"] == "error"] == ["oss_address_conflict"]
    vpn = results[("planner", "data center, VPN gateway")]["plan"]
    assert [r["destination"] for r in vpn["on_premises_routes"]][:2] == ["10.94.205.198/32", "100.103.7.181/32"]
    assert [r["next_hop"] for r in vpn["vpn_routes"]] == ["vco-bp1example000000001"] and vpn["registry_routes"] == []
    transit = results[("planner", "data center, transit router")]["plan"]
    assert [f["code"] for f in transit["findings"] if f["severity"] == "error"] == ["data_center_vpc_overlap"]


def test_bad_input_fails_naming_the_option_as_the_module_does(playbook, run_module):
    results, starts, output = playbook([plan_task(name, args) for name, (args, _option, _field) in BAD.items()])
    assert starts == [], "module processes were started: %s\n%s" % (starts, output)
    for name, (args, option, field) in BAD.items():
        result = results[("planner", name)]
        assert result["event"] == "failed" and "plan" not in result, (name, result)
        assert option in result["msg"], (name, result["msg"])
        expected = module_result(run_module, args)
        assert expected["failed"] is True
        if field:  # PlanError: the module's message and field
            assert result["msg"].startswith("Invalid access plan input - " + field) and result["field"] == field
            assert (result["msg"], result["field"]) == (expected["msg"], expected["field"])
        elif name == "unknown option":  # AnsibleModule names the module by its short name, the action plugin by the task's
            assert result["msg"].startswith("Unsupported parameters for (%s) module: bogus_option." % ACTION), result["msg"]
            assert result["msg"].split(" module: ", 1)[1] == expected["msg"].split(" module: ", 1)[1]
        else:  # the argument spec's own message, word for word
            assert stable(result["msg"]) == stable(expected["msg"]) and "field" not in result


def test_the_wrapper_sees_a_module_process_and_the_unreachable_host_is_unreachable(playbook):
    """The controls: a module task starts the wrapped interpreter (an empty log above means no module process), and a
    module task cannot reach the host ``unreachable`` (the plans above needed no connection to it)."""
    results, starts, output = playbook([{"name": "ping", "ansible.builtin.ping": {}, "ignore_unreachable": True}], hosts="planner,unreachable")
    assert results[("planner", "ping")]["event"] == "ok" and results[("planner", "ping")]["ping"] == "pong"
    assert results[("unreachable", "ping")]["event"] == "unreachable", results[("unreachable", "ping")]
    assert len(starts) == 1 and "AnsiballZ_ping.py" in starts[0], (starts, output)
