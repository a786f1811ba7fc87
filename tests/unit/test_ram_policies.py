"""The least-privilege RAM policies (docs/ram/*.json, written by scripts/ram_policies.py) against the code and the twin.

Statically: every action of the module table is one the code under plugins/ names and the product's SDK can send, and
every action the code names is in the table (no policy lists an action the code never calls, none is forgotten); the
files are what the script writes; a read-only playbook's policy allows reads only. Against the twin: the main job, its
diagnosis and its teardown run once each (steps 1 to 3, the endpoints given as in the rehearsal without root), and
every call in the twin's call log falls in the policy of the role whose task sent it, in the module table's entry of
that task's module, and in the playbook's policy. A callback notes when each task starts (CLOCK_MONOTONIC, shared by
every process): a call belongs to the task that started last before it (cloud calls are made on localhost only, one
task at a time).
"""

import importlib
import importlib.util
import json
import os
import re
import subprocess
import sys

import pytest

import ansible_collections

ROOT = os.path.join(list(ansible_collections.__path__)[0], "alicloud", "acr_access")
COLLECTIONS_PATH = os.path.dirname(list(ansible_collections.__path__)[0])
SDK_MODELS = {"vpc": "alibabacloud_vpc20160428.models", "cbn": "alibabacloud_cbn20170912.models",
              "cr": "alibabacloud_cr20181201.models", "sts": "alibabacloud_sts20150401.models",
              "privatelink": "alibabacloud_privatelink20200415.models", "ecs": "alibabacloud_ecs20140526.models"}
# A product home whose action names other SDKs have too (the VPC SDK also has ListVpcEndpoints..., the ECS SDK DescribeVpcs...): its file's names
# are its product's actions only, and other files' names are never its actions.
HOME_OF = {"privatelink.py": "privatelink", "ecs.py": "ecs"}


def load_script():
    spec = importlib.util.spec_from_file_location("ram_policies", os.path.join(ROOT, "scripts", "ram_policies.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ram = load_script()


def sdk_actions(product):
    models = importlib.import_module(SDK_MODELS[product])
    return {name[:-len("Request")] for name in dir(models) if name.endswith("Request") and name[0].isupper()}


def code_literals():
    """{file name: every quoted CamelCase word in it} of the shipped Python code."""
    found = {}
    for folder in ("modules", "module_utils", "action"):
        directory = os.path.join(ROOT, "plugins", folder)
        for name in os.listdir(directory):
            if name.endswith(".py"):
                with open(os.path.join(directory, name), encoding="utf-8") as stream:
                    found.setdefault(name, set()).update(re.findall(r"""["']([A-Z][A-Za-z0-9]+)["']""", stream.read()))
    return found


def code_calls():
    """{product: actions} the code names that the product's SDK has a request for."""
    calls = dict((product, set()) for product in SDK_MODELS)
    for name, literals in code_literals().items():
        products = [HOME_OF[name]] if name in HOME_OF else [product for product in SDK_MODELS if product not in HOME_OF.values()]
        for product in products:
            calls[product] |= literals & sdk_actions(product)
    return calls


def table():
    return ram.union(*ram.MODULE_ACTIONS.values())


def test_every_action_of_the_table_is_sent_by_the_code():
    calls = code_calls()
    never = sorted("%s:%s" % (product, action) for product, actions in table().items() for action in actions - calls[product])
    assert never == [], "in scripts/ram_policies.py's MODULE_ACTIONS but named nowhere in plugins/: %s" % never


def test_every_action_the_code_sends_is_in_the_table():
    listed = table()
    calls = code_calls()
    # AssumeRole is the caller's permission (ASSUME_ROLE, docs/ram/assume-role.json), not the roles' policies
    missing = sorted("%s:%s" % (product, action) for product, actions in calls.items() for action in actions
                     if action not in listed.get(product, set()) and (product, action) != ("sts", "AssumeRole"))
    assert missing == [], "named in plugins/ but in no module of scripts/ram_policies.py's MODULE_ACTIONS: %s" % missing
    assert "sts:AssumeRole" in ram.ASSUME_ROLE["Statement"][0]["Action"]


def test_every_cloud_module_is_in_the_table_and_host_modules_are_not():
    for name in os.listdir(os.path.join(ROOT, "plugins", "modules")):
        if not name.endswith(".py"):
            continue
        with open(os.path.join(ROOT, "plugins", "modules", name), encoding="utf-8") as stream:
            cloud = "AnsibleAlicloudModule" in stream.read()
        assert (name[:-3] in ram.MODULE_ACTIONS) == cloud, name


def test_the_policy_files_are_what_the_script_writes():
    assert ram.main(["--check"]) == 0, "run scripts/ram_policies.py and commit docs/ram/"
    for name, document in ram.documents().items():
        statement = document["Statement"][0]
        assert statement["Effect"] == "Allow" and statement["Action"] == sorted(set(statement["Action"])), name
        assert all(action.split(":")[0] in set(ram.RAM_CODE.values()) for action in statement["Action"]), name
    # the roles that call the cloud have one; onprem_gateway (runs on the data center's gateway) has none
    cloud_roles = ("cen_connect", "registry_endpoints", "registry_routes", "registry_client", "data_center_connect", "data_center_routes")
    assert {"role-%s.json" % role for role in cloud_roles} <= set(ram.documents())
    assert "role-onprem_gateway.json" not in ram.documents()


def test_a_playbook_policy_is_the_union_of_its_roles_and_tasks():
    roles = ram.actions_of(ram.role_modules("cen_connect") | ram.role_modules("registry_endpoints")
                           | ram.role_modules("registry_routes") | ram.role_modules("registry_client"))
    assert ram.actions_of(ram.playbook_modules("cross_region_access")) == roles
    assert "cen:DeleteCen" in ram.actions_of(ram.playbook_modules("teardown"))
    assert "cr:GetAuthorizationToken" in ram.actions_of(ram.role_modules("registry_client"))


def test_a_read_only_playbook_is_allowed_only_the_reads_of_its_modules():
    assert ram.READ_ONLY_PLAYBOOKS <= set(ram.playbook_names())
    diagnose = ram.playbook_actions("diagnose")
    # its modules can write (the check-mode advertisement, the role's VPC link): its policy allows none of that
    everything = ram.actions_of(ram.playbook_modules("diagnose"))
    assert {"cen:PublishRouteEntries", "cr:CreateInstanceVpcEndpointLinkedVpc"} <= everything - diagnose
    assert {"cen:DescribePublishedRouteEntries", "cr:ListInstance", "vpc:DescribeRouteEntryList"} <= diagnose
    assert not [action for action in diagnose if ram.is_write(action.split(":")[1])], sorted(diagnose)


CALLBACK = '''
import json, os, time
from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "task_clock"
    CALLBACK_NEEDS_ENABLED = True

    def v2_playbook_on_task_start(self, task, is_conditional):
        role = task._role.get_name(include_role_fqcn=False) if task._role else ""
        with open(os.environ["TASK_CLOCK"], "a") as stream:
            stream.write(json.dumps({"at": time.monotonic(), "role": role, "action": task.resolved_action or task.action}) + "\\n")
'''


@pytest.fixture
def playbook(twin, tmp_path):
    """``playbook(name)`` runs playbooks/<name>.yml against the twin (the seed inventory, endpoints given) and returns
    each call of the twin's log with the role and the module of the task that sent it."""
    (tmp_path / "callbacks").mkdir()
    (tmp_path / "callbacks" / "task_clock.py").write_text(CALLBACK)
    clock = tmp_path / "clock.jsonl"
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_PATH, ACR_ACCESS_ENDPOINT="http://%s" % twin.endpoint,
               ALIBABA_CLOUD_ACCESS_KEY_ID="LTAI5tTwinAccessKey00001", ALIBABA_CLOUD_ACCESS_KEY_SECRET="twin-secret-do-not-use-in-production",
               ANSIBLE_LOCALHOST_WARNING="False", ANSIBLE_NOCOLOR="1", ANSIBLE_CALLBACK_PLUGINS=str(tmp_path / "callbacks"),
               ANSIBLE_CALLBACKS_ENABLED="task_clock", TASK_CLOCK=str(clock))
    inventories = ["tests/demo/inventory/twin.yml", "tests/e2e/inventory/rehearsal.yml"]

    def run(name):
        since = twin.last_seq()
        clock.write_text("")
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), os.path.join(ROOT, "playbooks", name + ".yml")]
        for inventory in inventories:
            command += ["-i", os.path.join(ROOT, inventory)]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False, cwd=str(tmp_path))
        assert done.returncode == 0, done.stdout + done.stderr
        tasks = [json.loads(line) for line in clock.read_text().splitlines()]
        started = twin._started  # pylint: disable=protected-access  # the twin's clock origin (time.monotonic())
        calls = []
        for call in twin.calls(since):
            at = started + call["started"]
            before = [task for task in tasks if task["at"] <= at]
            assert before, call
            calls.append(dict(call, role=before[-1]["role"], module=before[-1]["action"].replace(ram.NAMESPACE, "")))
        return calls

    return run


def check_calls(playbook_name, calls):
    allowed = ram.playbook_actions(playbook_name)
    for call in calls:
        action = "%s:%s" % (ram.RAM_CODE[call["product"]], call["action"])
        where = "%s (role %s, module %s)" % (action, call["role"], call["module"])
        assert action in allowed, "%s: not in docs/ram/playbook-%s.json" % (where, playbook_name)
        assert action in ram.actions_of({call["module"]}), "%s: not in MODULE_ACTIONS[%r]" % (where, call["module"])
        if call["role"]:
            assert action in ram.actions_of(ram.role_modules(call["role"])), "%s: not in docs/ram/role-%s.json" % (where, call["role"])


def test_the_main_job_its_diagnosis_and_its_teardown_send_only_what_their_policies_allow(playbook, twin):
    calls = playbook("cross_region_access")
    sent = {(c["role"], c["action"]) for c in calls}
    # steps 1 and 3 wrote (so their writes were checked too), through their roles
    assert ("cen_connect", "CreateCen") in sent and ("registry_routes", "PublishRouteEntries") in sent, sorted(sent)
    assert {"cen_connect", "registry_endpoints", "registry_routes"} <= {c["role"] for c in calls}
    check_calls("cross_region_access", calls)

    # the diagnosis of the converged setup reads only, and only what its read-only policy allows
    calls = playbook("diagnose")
    assert calls and not [c for c in calls if c["write"]], [c["action"] for c in calls if c["write"]]
    modules = {c["module"] for c in calls}
    assert {"cen_info", "vpc_info", "cr_instance_info", "cen_route_advertisement"} <= modules, sorted(modules)
    check_calls("diagnose", calls)

    calls = playbook("teardown")
    sent = {(c["role"], c["action"]) for c in calls}
    assert ("", "DescribeCens") in sent and ("cen_connect", "DeleteCen") in sent, sorted(sent)  # a task of the playbook, a role
    assert ("registry_routes", "WithdrawPublishedRouteEntries") in sent, sorted(sent)
    check_calls("teardown", calls)
    assert twin.cloud.cens == {}
