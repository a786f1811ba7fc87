"""The role registry_endpoints: ansible-playbook against the cloud twin, the probe host inside a network namespace of the test.

The probe hosts are inventory hosts with the local connection whose Python interpreter is a
wrapper that enters the lab's namespace (with the lab's /etc/hosts): Ansible runs
registry_endpoint_info there through delegate_to, as it would over ssh on an ECS instance.
"""

import json
import os
import re
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "e2e"))

import probe_lab  # noqa: E402  (tests/e2e)
import ansible_collections.alicloud.acr_access as collection  # noqa: E402
from acr_twin import seed_ids as ids  # noqa: E402

TWIN_KEY_ID = "LTAI5tTwinAccessKey00001"
TWIN_SECRET = "twin-secret-do-not-use-in-production"
STALE_REGISTRY_IP = "10.94.205.199"
FAR_OSS_IP = "100.64.1.1"

PLAYBOOK = """
- name: Discover the registry endpoints
  hosts: localhost
  gather_facts: false
  roles:
    - role: alicloud.acr_access.registry_endpoints
  tasks:
    - name: Save the fact for the test
      ansible.builtin.copy:
        content: "{{ registry_endpoints | to_json }}"
        dest: "{{ result_path }}"
        mode: "0600"
      changed_when: false  # the test's bookkeeping, not a change of the role
"""

# As the main playbooks run step 2: the up-front check (tasks/validate.yml) first, the role later.
PLAYBOOK_CHECKED_FIRST = """
- name: Discover the registry endpoints after the up-front check
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Check the inputs
      ansible.builtin.include_role:
        name: alicloud.acr_access.registry_endpoints
        tasks_from: validate
    - name: Step 2
      ansible.builtin.include_role:
        name: alicloud.acr_access.registry_endpoints
    - name: Save the fact for the test
      ansible.builtin.copy:
        content: "{{ registry_endpoints | to_json }}"
        dest: "{{ result_path }}"
        mode: "0600"
      changed_when: false
"""


@pytest.fixture(scope="module")
def lab():
    probe_lab.require_lab()
    listeners, hosts = probe_lab.seed_listeners(bucket="my-bucket")
    # a second copy of the registry on another address, for a probe host with a stale hosts entry
    listeners.append(dict(listeners[0], address=STALE_REGISTRY_IP))
    with probe_lab.ProbeLab(listeners, hosts, prefix="acrrole") as built:
        yield built


@pytest.fixture
def playbook(lab, twin, tmp_path):
    """``playbook(**role_vars)`` -> (the registry_endpoints fact, the ansible-playbook output)."""
    stale_hosts = dict(lab.hosts, **{probe_lab.SEED_REGISTRY: [STALE_REGISTRY_IP], probe_lab.SEED_OSS: [FAR_OSS_IP]})
    lab.write_hosts(str(tmp_path / "stale-hosts"), stale_hosts)
    inventory = {
        "all": {
            "hosts": {"localhost": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}},
            "children": {
                "registry_probe": {"hosts": {"ecs1-hangzhou": {
                    "ansible_connection": "local",
                    "ansible_python_interpreter": lab.write_interpreter(str(tmp_path / "python-ecs1"))}}},
                "stale": {"hosts": {"ecs-stale": {
                    "ansible_connection": "local",
                    "ansible_python_interpreter": lab.write_interpreter(str(tmp_path / "python-stale"), hostname="ecs-stale",
                                                                        hosts_path=str(tmp_path / "stale-hosts"))}}},
            },
        }
    }
    (tmp_path / "inventory.json").write_text(json.dumps(inventory))
    (tmp_path / "play.yml").write_text(PLAYBOOK)
    (tmp_path / "checked-first.yml").write_text(PLAYBOOK_CHECKED_FIRST)
    collections_path = os.path.abspath(os.path.join(list(collection.__path__)[0], "..", "..", ".."))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path, ACR_ACCESS_ENDPOINT="http://%s" % twin.endpoint,
               ALIBABA_CLOUD_ACCESS_KEY_ID=TWIN_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET=TWIN_SECRET,
               ANSIBLE_LOCALHOST_WARNING="False", ANSIBLE_NOCOLOR="True", ANSIBLE_HOST_KEY_CHECKING="False")
    ansible_playbook = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    result_path = tmp_path / "result.json"

    def run(checked_first=False, **role_vars):
        extra = dict(role_vars, result_path=str(result_path), registry_endpoints_ca_path=lab.ca_path)
        extra.setdefault("registry_endpoints_region", "cn-hangzhou")
        if result_path.exists():
            result_path.unlink()
        play = str(tmp_path / ("checked-first.yml" if checked_first else "play.yml"))
        done = subprocess.run([ansible_playbook, "-i", str(tmp_path / "inventory.json"), play, "-e", json.dumps(extra)],
                              capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=300, check=False)
        output = done.stdout + done.stderr
        if done.returncode != 0:
            return None, output
        return json.loads(result_path.read_text()), output

    return run


def test_seed_endpoints_from_inside_the_namespace(playbook, twin):
    seq = twin.calls()[-1]["seq"] if twin.calls() else 0
    fact, output = playbook(registry_endpoints_instance_name=ids.INSTANCE_NAME)
    assert fact, output
    assert fact["registry"]["domain"] == ids.REGISTRY_DOMAIN
    assert fact["registry"]["addresses"] == ["10.94.205.198"]
    assert fact["auth"]["domain"] == ids.AUTH_DOMAIN
    assert fact["auth"]["addresses"] == ["100.103.7.181"]
    assert fact["oss"]["domain"] == ids.OSS_DOMAIN
    assert fact["oss"]["addresses"] == ["100.118.28.43"]
    assert fact["takeover"] is False
    assert fact["instance_id"] == ids.INSTANCE_ID
    assert fact["probe_host"] == "ecs1-hangzhou"
    assert fact["linked_vpc_addresses"] == ["10.94.205.198"]
    assert "cr_instance_info" in fact["registry"]["found_by"] and "ecs1-hangzhou" in fact["registry"]["found_by"]
    assert fact["auth"]["found_by"].startswith("realm of the Bearer challenge")
    assert fact["warnings"] == [] and "[WARNING]" not in output
    new_calls = [call for call in twin.calls() if call["seq"] > seq]
    assert new_calls and not [call for call in new_calls if call["write"]]
    # the Registry module's endpoints only: the role has no use for the Chart module's
    assert [(call["action"], call["params"].get("ModuleName")) for call in new_calls] == [
        ("ListInstance", None), ("ListInstanceEndpoint", "Registry"), ("GetInstanceVpcEndpoint", "Registry")]


def test_the_instance_read_by_the_up_front_check_is_taken_over(playbook, twin):
    seq = twin.calls()[-1]["seq"] if twin.calls() else 0
    fact, output = playbook(checked_first=True, registry_endpoints_instance_name=ids.INSTANCE_NAME)
    assert fact is not None, output
    assert fact["registry"]["domain"] == ids.REGISTRY_DOMAIN
    # one read of the instance and its endpoints for the whole run, not one by the check and one by the role
    assert [(call["action"], call["params"].get("ModuleName")) for call in twin.calls(seq)] == [
        ("ListInstance", None), ("ListInstanceEndpoint", "Registry"), ("GetInstanceVpcEndpoint", "Registry")]


def test_custom_bucket_changes_the_oss_domain(playbook):
    fact, output = playbook(registry_endpoints_instance_id=ids.INSTANCE_ID, registry_endpoints_oss_bucket="my-bucket")
    assert fact, output
    assert fact["oss"]["domain"] == "my-bucket.oss-cn-hangzhou-internal.aliyuncs.com"
    assert fact["oss"]["addresses"] == ["100.118.28.44"]
    assert fact["oss"]["bucket"] == "my-bucket"
    assert fact["registry"]["domain"] == ids.REGISTRY_DOMAIN  # the bucket changes only the OSS endpoint


def test_link_of_an_already_linked_vpc_changes_nothing_also_when_run_again(playbook, twin):
    seq = twin.last_seq()
    for _run in range(2):
        fact, output = playbook(registry_endpoints_instance_name=ids.INSTANCE_NAME,
                                registry_endpoints_link_vpc={"vpc_id": ids.REGISTRY_VPC, "vswitch_id": ids.REGISTRY_VSWITCH_J})
        assert fact, output
        assert fact["registry"]["addresses"] == ["10.94.205.198"] and fact["warnings"] == []
        link_task = output.split("Link the VPC to the instance's VPC endpoint]", 1)[1].split("TASK [", 1)[0]
        assert "ok: [localhost]" in link_task, link_task
        assert re.search(r"localhost\s*:.*changed=0\s", output), output
    assert twin.writes(seq) == [] and twin.calls(seq)  # both runs only read


def test_warns_about_a_stale_registry_address_and_oss_outside_the_vip_ranges(playbook):
    fact, output = playbook(registry_endpoints_instance_name=ids.INSTANCE_NAME, registry_endpoints_probe_host="ecs-stale")
    assert fact, output
    assert fact["registry"]["addresses"] == [STALE_REGISTRY_IP]
    assert fact["probe_host"] == "ecs-stale"
    assert len(fact["warnings"]) == 2, fact["warnings"]
    assert "resolves to 10.94.205.199 on ecs-stale, not to the linked VPC address 10.94.205.198" in fact["warnings"][0]
    assert "resolves to 100.64.1.1, outside the published OSS VIP ranges of cn-hangzhou" in fact["warnings"][1]
    assert output.count("[WARNING]") >= 2  # the module's own warnings, shown by Ansible


def test_warns_when_the_probe_vpc_is_not_linked_to_the_instance(playbook, twin):
    # The twin's instance is linked to the registry VPC only: a probe VPC of another VPC leaves no address to expect.
    seq = twin.last_seq()
    fact, output = playbook(registry_endpoints_instance_name=ids.INSTANCE_NAME, registry_endpoints_probe_vpc_id=ids.SOURCE_VPC)
    assert fact, output
    assert len(fact["warnings"]) == 1, fact["warnings"]
    warning = fact["warnings"][0]
    assert "registry_endpoints_probe_vpc_id" in warning and ids.SOURCE_VPC in warning and ids.REGISTRY_VPC in warning
    assert "registry_endpoints_link_vpc" in warning
    warn_task = output.split("Warn when the probe VPC is not linked to the instance]", 1)[1].split("TASK [", 1)[0]
    assert "registry_endpoints_probe_vpc_id" in warn_task, warn_task
    assert twin.writes(seq) == []


def test_needs_exactly_one_of_id_and_name(playbook):
    fact, output = playbook(registry_endpoints_instance_name=ids.INSTANCE_NAME, registry_endpoints_instance_id=ids.INSTANCE_ID)
    assert fact is None
    assert "registry_endpoints_instance_name: give the instance's name, or registry_endpoints_instance_id its ID (exactly one" in output


def test_unknown_instance_fails_before_probing(playbook):
    fact, output = playbook(registry_endpoints_instance_name="no-such-instance")
    assert fact is None
    # the role run alone names its variable, the instance and its region, as the main playbooks' up-front check does
    assert re.search(r"registry_endpoints_instance_name: no instance no-such-instance in region cn-hangzhou", output), output
    assert "Probe the registry" not in output


def test_probe_host_outside_the_inventory_fails_before_any_cloud_call(playbook, twin):
    fact, output = playbook(registry_endpoints_instance_name=ids.INSTANCE_NAME, registry_endpoints_probe_host="ecs1-hangzuo")
    assert fact is None
    assert "registry_endpoints_probe_host: 'ecs1-hangzuo' is not a host of the inventory" in output
    assert twin.calls() == []


def test_empty_region_fails_naming_the_variable(playbook, twin):
    fact, output = playbook(registry_endpoints_instance_name=ids.INSTANCE_NAME, registry_endpoints_region="")
    assert fact is None
    assert "registry_endpoints_region: give the region of the instance" in output
    assert twin.calls() == []


KNOWN = {"registry": {"addresses": ["10.94.205.198"]}, "auth": {"domain": ids.AUTH_DOMAIN, "addresses": ["100.103.7.181"]},
         "oss": {"domain": ids.OSS_DOMAIN, "addresses": ["100.118.28.43"]}, "takeover": False}


def test_known_endpoints_replace_the_probe(playbook):
    # no probe host at all (an empty group): the addresses are taken as given and the fact says so
    fact, output = playbook(registry_endpoints_instance_name=ids.INSTANCE_NAME, registry_endpoints_probe_group="nobody", registry_endpoints_known=KNOWN)
    assert fact, output
    assert fact["registry"]["domain"] == ids.REGISTRY_DOMAIN  # from the API, not given
    assert [fact[kind]["addresses"] for kind in ("registry", "auth", "oss")] == [["10.94.205.198"], ["100.103.7.181"], ["100.118.28.43"]]
    assert fact["auth"]["domain"] == KNOWN["auth"]["domain"] and fact["takeover"] is False
    assert "not probed" in fact["registry"]["found_by"] and "not probed" in fact["oss"]["found_by"]
    assert "registry_endpoints_known is set" in output
    assert fact["probe_host"] == ""
    assert re.search(r"Probe the registry from the probe host\] \**\nskipping: \[localhost\]", output), output  # the probe did not run


def test_known_endpoints_without_a_domain_name_the_field(playbook):
    known = dict(KNOWN, oss={"addresses": ["100.118.28.43"]})
    fact, output = playbook(registry_endpoints_instance_name=ids.INSTANCE_NAME, registry_endpoints_probe_group="nobody", registry_endpoints_known=known)
    assert fact is None
    assert "registry_endpoints_known.oss needs domain and addresses" in output
