"""The role registry_client: ansible-playbook on two local "client hosts" with their own hosts file and docker config,
a fake docker on PATH, the temporary login from the cloud twin's GetAuthorizationToken.

The endpoints are all named localhost (it resolves to 127.0.0.1 from the machine's own /etc/hosts, never through
DNS), with the seed's planned addresses: the verification must then fail at its first check, the name resolution,
for every host, print one table and name step 4. The real path (routes, TLS, a registry) is tested end to end elsewhere.
"""

import json
import os
import subprocess
import sys

import pytest

import ansible_collections.alicloud.acr_access as collection

TWIN_KEY_ID = "LTAI5tTwinAccessKey00001"
TWIN_SECRET = "twin-secret-do-not-use-in-production"
ENDPOINTS = dict(instance_id="cri-twin0000000000001", instance_name="acr-twin", region="cn-hangzhou", takeover=False,
                 registry=dict(domain="localhost", addresses=["10.94.205.198"]),
                 auth=dict(domain="localhost", addresses=["100.103.7.181"]),
                 oss=dict(domain="localhost", addresses=["100.118.28.43"]))

PLAYBOOK = """
- name: Set up the clients
  hosts: clients
  gather_facts: false
  environment:
    DOCKER_CONFIG: "{{ docker_config }}"
    PATH: "{{ fake_bin }}:{{ ansible_env_path }}"
  roles:
    - role: alicloud.acr_access.registry_client
  post_tasks:
    - name: Save the fact for the test
      ansible.builtin.copy:
        content: "{{ registry_client | to_json }}"
        dest: "{{ result_dir }}/{{ inventory_hostname }}.json"
        mode: "0600"
"""

FAKE_DOCKER = r'''#!%(python)s
import json, os, sys
args = sys.argv[1:]
stdin = sys.stdin.read() if args[:1] == ["login"] else ""
with open(os.path.join(os.environ["DOCKER_CONFIG"], "calls.log"), "a") as log:
    log.write(json.dumps(dict(argv=args, stdin=stdin)) + "\n")
if args[:2] == ["image", "inspect"]:
    sys.exit(1)
'''


@pytest.fixture
def playbook(twin, tmp_path):
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    (fake_bin / "docker").write_text(FAKE_DOCKER % dict(python=sys.executable))
    (fake_bin / "docker").chmod(0o755)
    hosts = {}
    for name in ("client1", "client2"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "hosts").write_text("127.0.0.1 localhost\n")
        hosts[name] = dict(ansible_connection="local", ansible_python_interpreter=sys.executable, docker_config=str(tmp_path / name),
                           registry_client_hosts_path=str(tmp_path / name / "hosts"))
    inventory = {"all": {"children": {"clients": {"hosts": hosts}},
                         "vars": {"fake_bin": str(fake_bin), "ansible_env_path": os.environ["PATH"], "result_dir": str(tmp_path)}}}
    (tmp_path / "inventory.json").write_text(json.dumps(inventory))
    (tmp_path / "play.yml").write_text(PLAYBOOK)
    collections_path = os.path.abspath(os.path.join(list(collection.__path__)[0], "..", "..", ".."))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path, ACR_ACCESS_ENDPOINT="http://%s" % twin.endpoint,
               ALIBABA_CLOUD_ACCESS_KEY_ID=TWIN_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET=TWIN_SECRET,
               ANSIBLE_LOCALHOST_WARNING="False", ANSIBLE_NOCOLOR="True", ANSIBLE_HOST_KEY_CHECKING="False")
    ansible_playbook = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")

    def run(**role_vars):
        extra = dict(dict(registry_client_endpoints=ENDPOINTS, registry_client_images=["team/app:1.0"]), **role_vars)
        done = subprocess.run([ansible_playbook, "-i", str(tmp_path / "inventory.json"), str(tmp_path / "play.yml"), "-e", json.dumps(extra)],
                              capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=300, check=False)
        facts = {}
        for name in hosts:
            path = tmp_path / ("%s.json" % name)
            facts[name] = json.loads(path.read_text()) if path.exists() else None
            if path.exists():
                path.unlink()
        return done.returncode, done.stdout + done.stderr, facts

    def calls(name):
        path = tmp_path / name / "calls.log"
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

    run.calls = calls
    run.tmp_path = tmp_path
    return run


def test_hosts_login_pull_then_one_table_and_the_failure_named(playbook, twin):
    since = twin.last_seq()
    rc, output, facts = playbook()
    assert rc != 0, output
    for name in ("client1", "client2"):
        hosts_file = (playbook.tmp_path / name / "hosts").read_text()
        assert hosts_file == ("127.0.0.1 localhost\n# BEGIN alicloud.acr_access cri-twin0000000000001\n10.94.205.198 localhost\n"
                              "100.103.7.181 localhost\n100.118.28.43 localhost\n# END alicloud.acr_access cri-twin0000000000001\n")
        calls = playbook.calls(name)
        login = [call for call in calls if call["argv"][0] == "login"]
        assert len(login) == 1 and login[0]["argv"][:4] == ["login", "--username", "cr_temp_user", "--password-stdin"], calls
        assert login[0]["stdin"] and login[0]["stdin"] not in output  # the token went on stdin, and nowhere in the output
        assert ["pull", "localhost/team/app:1.0"] in [call["argv"] for call in calls]
    # the token was fetched once for both hosts
    assert len(twin.calls(since, action="GetAuthorizationToken")) == 1
    table = output.split("Show the verification of every host", 1)[1].split("TASK [", 1)[0]
    assert "host    | resolve | tls | /v2 | token | manifest | blob via OSS | result" in table, table
    assert facts["client1"] is None  # the host failed before the test saved its fact
    assert "client1 | FAIL    | -   | -   | -     | -        | -            | FAILED (step 4)" in table, table
    assert "client2: localhost does not resolve to 10.94.205.198 (resolves to 127.0.0.1): the /etc/hosts block is missing or stale (step 4)" \
        in table, table
    assert output.count("the /etc/hosts block is missing or stale (step 4)") >= 4  # in the table and in each host's failure


def test_no_verify_anonymous_is_idempotent_and_absent_removes_the_block(playbook):
    rc, output, facts = playbook(registry_client_verify=False, registry_client_login=False, registry_client_images=[])
    assert rc == 0, output
    assert facts["client1"]["hosts"]["action"] == "added" and facts["client1"]["login"]["action"] == "anonymous"
    rc, output, facts = playbook(registry_client_verify=False, registry_client_login=False, registry_client_images=[])
    assert rc == 0, output
    assert facts["client1"]["hosts"]["action"] == "unchanged"
    assert "changed: [" not in output.split("TASK [Save the fact for the test]", 1)[0], output  # the role changed nothing
    rc, output, facts = playbook(registry_client_state="absent")
    assert rc == 0, output
    assert (playbook.tmp_path / "client1" / "hosts").read_text() == "127.0.0.1 localhost\n"
    assert facts["client2"]["hosts"]["action"] == "removed" and facts["client2"]["login"]["action"] == "none"


def test_endpoints_without_a_domain_fail_before_any_change_naming_what_is_missing(playbook):
    rc, output, facts = playbook(registry_client_endpoints=dict(ENDPOINTS, oss=dict(addresses=["100.118.28.43"])))
    assert rc != 0, output
    assert "registry_client_endpoints: oss.domain missing; give the registry_endpoints fact of the role" in output, output
    for name in ("client1", "client2"):
        assert (playbook.tmp_path / name / "hosts").read_text() == "127.0.0.1 localhost\n"
        assert playbook.calls(name) == []
        assert facts[name] is None
    # removing needs only the instance and the registry's domain
    rc, output, facts = playbook(registry_client_state="absent",
                                 registry_client_endpoints=dict(instance_id=ENDPOINTS["instance_id"], registry=dict(domain="localhost")))
    assert rc == 0, output
    assert facts["client1"]["hosts"]["action"] == "unchanged" and facts["client1"]["login"]["action"] == "none"
