"""Steps 1 to 4 end to end: playbooks/cross_region_access.yml against the cloud twin and the network twin, ending in a
real pull on the clients of the source VPC, then each piece of the path removed in turn.

The network twin (net_twin) builds the procedure's topology in namespaces whose routes follow the cloud twin's state:
a packet from shanghai-client reaches the registry, the auth service and OSS only through routes the playbook made in
the twin. The clients are reached over ssh as an unprivileged user with become, as ECS instances behind a bastion:
- shanghai-client (172.16.0.1, the procedure's ECS instance 2): docker;
- shanghai-client2 (172.16.0.2): podman, and its /etc/hosts is a bind mount (the in-place write path).
The probe of step 2 runs on hangzhou-probe (10.0.0.1, ECS instance 1) inside the registry VPC.

The tests of this module run in order on one pair of twins (pytest runs a file's tests in order; make e2e keeps a
file on one worker).
"""

import base64
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
for _path in (HERE, os.path.join(HERE, "..", "twin")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from acr_twin import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Twin, TwinServer  # noqa: E402
from net_twin import NetTwin  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
COLLECTIONS_PATH = os.path.abspath(os.path.join(ROOT, "..", "..", ".."))
SEED_INVENTORY = os.path.join(ROOT, "tests", "demo", "inventory", "twin.yml")
BIN = os.path.dirname(sys.executable)
SH_TABLE, HZ_TABLE = "vtb-uf6twin0000000000001", "vtb-bp1twin0000000000001"
REGISTRY = "acr-twin-registry-vpc.cn-hangzhou.cr.aliyuncs.com"
AUTH = "dockerauth-vpc.cn-hangzhou.aliyuncs.com"
OSS = "oss-cn-hangzhou-internal.aliyuncs.com"
IMAGE = "acr-access/busybox:1.36"
CLIENTS = {"shanghai-client": "docker", "shanghai-client2": "podman"}
# Lines of someone else in a client's /etc/hosts: kept byte for byte by every run and by teardown
FOREIGN_LINES = "192.0.2.10\tforeign.example   foreign  # kept as it is\nfe80::1%lo ipv6-foreign\n"

if os.geteuid() != 0:
    pytest.fail("the network twin needs root (network and mount namespaces, dockerd, sshd)", pytrace=False)

# cross_region_access.yml as a user runs it, then the facts it left, for the test to read
WRAPPER = """
- name: The procedure
  ansible.builtin.import_playbook: {playbook}

- name: Save the facts for the test
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Save them
      ansible.builtin.copy:
        content: >-
          {{{{ {{'registry_endpoints': registry_endpoints, 'plan': registry_routes.plan | default(none), 'cen_connect': cen_connect,
                'clients': dict(groups['registry_clients'] | zip(groups['registry_clients'] | map('extract', hostvars, 'registry_client')))}}
             | to_json }}}}
        dest: {facts}
        mode: "0600"
      check_mode: false
      changed_when: false  # the test's bookkeeping, not part of the procedure's changes
"""

# Only step 4's verification, with what the first run found: shows what a client sees after one piece is removed.
VERIFY = """
- name: Verify the path from every client
  hosts: registry_clients
  gather_facts: false
  tasks:
    - name: Verify
      alicloud.acr_access.registry_client_verify:
        registry: {domain: "{{ registry_endpoints.registry.domain }}", addresses: "{{ registry_endpoints.registry.addresses }}"}
        auth: {domain: "{{ registry_endpoints.auth.domain }}", addresses: "{{ registry_endpoints.auth.addresses }}"}
        oss: {domain: "{{ registry_endpoints.oss.domain }}", addresses: "{{ registry_endpoints.oss.addresses }}"}
        images: [acr-access/busybox:1.36]
        engine: "{{ registry_client_engine | default('docker') }}"
        ca_path: "/etc/{{ 'docker' if registry_client_engine | default('docker') == 'docker' else 'containers' }}/certs.d/{{
                  registry_endpoints.registry.domain }}/ca.crt"
        source_routes: "{{ plan.source_routes }}"
      register: verified

    - name: Save the report
      ansible.builtin.copy:
        content: "{{ verified.report | to_json }}"
        dest: "{{ report_dir }}/{{ inventory_hostname }}.json"
        mode: "0600"
      delegate_to: localhost
      become: false
"""

# The read-only diagnosis (playbooks/diagnose.yml) with the same inventory, then its fact for the test
DIAGNOSE = """
- name: The diagnosis
  ansible.builtin.import_playbook: {playbook}

- name: Save its fact for the test
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Save it
      ansible.builtin.copy:
        content: "{{{{ diagnosis | to_json }}}}"
        dest: {fact}
        mode: "0600"
      check_mode: false
      changed_when: false
"""

# The collection's own modules remove one piece of the path (the "break" of each case below).
BREAK = """
- name: Remove one piece of the path
  hosts: {hosts}
  gather_facts: false
  tasks:
    - name: Remove it
      {module}:
{args}
"""


class World:
    def __init__(self, twin, server, net, workdir):
        self.twin, self.server, self.net, self.workdir = twin, server, net, workdir
        self.facts = None
        self.endpoint = "http://%s" % server.endpoint
        self.inventory = [SEED_INVENTORY, net.inventory_path, os.path.join(workdir, "clients.yml")]
        self.env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_PATH, ACR_ACCESS_ENDPOINT=self.endpoint,
                        ALIBABA_CLOUD_ACCESS_KEY_ID=DEFAULT_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET=DEFAULT_ACCESS_KEY_SECRET,
                        ANSIBLE_LOCALHOST_WARNING="False", ANSIBLE_NOCOLOR="1", ANSIBLE_HOST_KEY_CHECKING="False",
                        ANSIBLE_SSH_CONTROL_PATH_DIR=os.path.join(workdir, "cp"), ANSIBLE_LOCAL_TEMP=os.path.join(workdir, "ansible-tmp"),
                        ANSIBLE_FORKS="10")
        for name in ("ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN"):
            self.env.pop(name, None)

    def playbook(self, path, *args, log=None):
        command = [os.path.join(BIN, "ansible-playbook")] + [arg for inventory in self.inventory for arg in ("-i", inventory)]
        command += [path] + list(args)
        done = subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=900, check=False, cwd=self.workdir)
        output = done.stdout + done.stderr
        if log:
            with open(os.path.join(self.workdir, log), "w") as handle:
                handle.write(output)
        return done.returncode, output

    def converge(self, *args, log=None):
        """The main playbook (through the wrapper that saves the facts): (return code, output)."""
        facts = os.path.join(self.workdir, "facts.json")
        if os.path.exists(facts):
            os.remove(facts)
        wrapper = os.path.join(self.workdir, "converge.yml")
        with open(wrapper, "w") as handle:
            handle.write(WRAPPER.format(playbook=os.path.join(ROOT, "playbooks", "cross_region_access.yml"), facts=facts))
        code, output = self.playbook(wrapper, *args, log=log)
        if os.path.exists(facts):
            with open(facts) as handle:
                self.facts = json.load(handle)
        return code, output

    def verify(self):
        """Step 4's verification alone on every client: {host: report}."""
        reports = os.path.join(self.workdir, "reports")
        os.makedirs(reports, exist_ok=True)
        for name in os.listdir(reports):
            os.remove(os.path.join(reports, name))
        path = os.path.join(self.workdir, "verify.yml")
        with open(path, "w") as handle:
            handle.write(VERIFY)
        facts = os.path.join(self.workdir, "verify-vars.json")
        with open(facts, "w") as handle:
            json.dump({"registry_endpoints": self.facts["registry_endpoints"], "plan": self.facts["plan"], "report_dir": reports}, handle)
        code, output = self.playbook(path, "-e", "@" + facts)
        assert code == 0, output
        found = {}
        for name in os.listdir(reports):
            with open(os.path.join(reports, name)) as handle:
                found[name[:-len(".json")]] = json.load(handle)
        assert sorted(found) == sorted(CLIENTS), output
        return found

    def diagnose(self, *args):
        """playbooks/diagnose.yml: (return code, output, the fact diagnosis or None)."""
        fact = os.path.join(self.workdir, "diagnosis.json")
        if os.path.exists(fact):
            os.remove(fact)
        path = os.path.join(self.workdir, "diagnose.yml")
        with open(path, "w") as handle:
            handle.write(DIAGNOSE.format(playbook=os.path.join(ROOT, "playbooks", "diagnose.yml"), fact=fact))
        code, output = self.playbook(path, *args, log="diagnose.log")
        if not os.path.exists(fact):
            return code, output, None
        with open(fact) as handle:
            return code, output, json.load(handle)

    def break_with(self, module, args, hosts="localhost"):
        path = os.path.join(self.workdir, "break.yml")
        body = "\n".join("        " + line for line in json.dumps(args, indent=2).splitlines())
        with open(path, "w") as handle:
            handle.write(BREAK.format(hosts=hosts, module=module, args=body))
        code, output = self.playbook(path)
        assert code == 0 and re.search(r"changed=[1-9]", output), output

    def on_host(self, host, *argv):
        done = self.net.run(host, list(argv), capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def twin_state(self):
        return self.twin.cloud.dump()


@pytest.fixture(scope="module")
def world():
    # not pytest's tmp_path (mode 0700): the hosts' unprivileged user must traverse it to its home and keys
    workdir = tempfile.mkdtemp(prefix="acr-pull-", dir="/tmp")
    os.chmod(workdir, 0o755)
    twin = Twin(fixture="seed", time_scale=0.0)
    with TwinServer(twin) as server:
        net = NetTwin(os.path.join(workdir, "net"), "http://%s" % server.endpoint, prefix="acrpull", engines=("docker", "podman"),
                      bind_hosts_client=True)
        net.up()
        try:
            # the network twin's inventory gives the hosts, the test CA and the seeded image; this one the engines
            with open(os.path.join(workdir, "clients.yml"), "w") as handle:
                engines = dict((host, {"registry_client_engine": engine}) for host, engine in CLIENTS.items())
                handle.write(json.dumps({"all": {"children": {"registry_clients": {"hosts": engines}}}}))
            world = World(twin, server, net, workdir)
            for host in CLIENTS:
                world.on_host(host, "sh", "-c", 'printf "%s" "$1" >> /etc/hosts', "sh", FOREIGN_LINES)
            yield world
        finally:
            net.down()
            shutil.rmtree(workdir, ignore_errors=True)


def _recap(output):
    """{host: changed count} from the PLAY RECAP."""
    return dict((host, int(changed)) for host, changed in re.findall(r"^(\S+)\s*:\s*ok=\d+\s+changed=(\d+)", output, re.M))


class _ProcessWatch:
    """Every command line and environment of every process on the machine, sampled while a run logs in."""

    def __init__(self):
        self.seen = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()

    def _loop(self):
        while not self._stop.is_set():
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                for name in ("cmdline", "environ"):
                    try:
                        with open("/proc/%s/%s" % (pid, name), "rb") as handle:
                            self.seen.add(handle.read())
                    except OSError:
                        pass
            time.sleep(0.005)


def _stored_password(world, host, engine):
    """The password the engine stored for the registry (the only place it may be), and the credential file's mode."""
    if engine == "docker":
        # root's home as the host's own /etc/passwd has it (the network twin gives each host its own), not the HOME
        # this test runs with: nsenter keeps the caller's environment
        auths = json.loads(world.on_host(host, "sh", "-c", "cat ~root/.docker/config.json"))["auths"]
        mode = world.on_host(host, "sh", "-c", "stat -c %a ~root/.docker/config.json").strip()
    else:
        path = "/run/containers/0/auth.json"
        auths = json.loads(world.on_host(host, "cat", path))["auths"]
        mode = world.on_host(host, "stat", "-c", "%a", path).strip()
    user, password = base64.b64decode(auths[REGISTRY]["auth"]).decode().split(":", 1)
    return user, password, mode


def _files_holding(top, secret, skip):
    """Files under ``top`` (not following links) whose bytes hold ``secret``, except the paths in ``skip``."""
    found = []
    needle = secret.encode()
    for directory, _dirs, files in os.walk(top):
        for name in files:
            path = os.path.join(directory, name)
            if os.path.islink(path) or any(part in path for part in skip):
                continue
            try:
                with open(path, "rb") as handle:
                    if needle in handle.read():
                        found.append(path)
            except OSError:
                pass
    return found


def test_check_mode_predicts_the_clients_and_writes_nothing(world):
    before = dict((host, world.on_host(host, "cat", "/etc/hosts")) for host in CLIENTS)
    since = world.twin.last_seq()
    code, output = world.converge("--check", "--diff", log="check-run.log")
    assert code == 0, output[-6000:]
    assert world.twin.writes(since) == []
    recap = _recap(output)
    for host in CLIENTS:
        assert recap[host] > 0, output[-3000:]  # the hosts block, the login and the pull it would make
        assert world.on_host(host, "cat", "/etc/hosts") == before[host]
    assert "+# BEGIN alicloud.acr_access cri-twin0000000000001" in output  # the diff of the hosts block it would add


def test_first_run_pulls_on_every_client_and_keeps_the_secret(world):
    with _ProcessWatch() as watch:
        code, output = world.converge("-vvvv", log="first-run.log")
    assert code == 0, output[-6000:]
    facts = world.facts
    plan = facts["plan"]

    # every client pulled the image, with the digest the registry holds, and verified the whole path
    for host, engine in CLIENTS.items():
        client = facts["clients"][host]
        assert client["report"]["ok"], client["report"]
        assert [check["ok"] for check in client["report"]["checks"]] == [True] * len(client["report"]["checks"])
        (image,) = client["images"]
        assert image["digest"].startswith("sha256:") and image["pulled"] is True, image
        inspect = world.on_host(host, engine, "image", "inspect", "%s/%s" % (REGISTRY, IMAGE))
        assert image["digest"] in inspect

        # /etc/hosts: the plan's three names in one managed block, the foreign lines untouched
        hosts = world.on_host(host, "cat", "/etc/hosts")
        assert FOREIGN_LINES in hosts
        for entry in plan["hosts_entries"]:
            assert re.search(r"^%s\s+%s$" % (re.escape(entry["ip"]), r"\s+".join(map(re.escape, entry["names"]))), hosts, re.M), hosts
        assert {REGISTRY, AUTH, OSS} <= set(hosts.split())
        assert hosts.count(facts["registry_endpoints"]["instance_id"]) == 2  # the block's begin and end markers

    # the cloud twin holds exactly what the plan named: the fixture's entries, the CEN routes and the plan's routes
    state = world.twin_state()
    assert len(state["cens"]) == 1 and len(state["transit_routers"]) == 2
    custom = sorted((entry["RouteTableId"], entry["DestinationCidrBlock"]) for entry in state["route_entries"].values()
                    if entry.get("Type") == "Custom")
    member_routes = [(route["route_table_id"], route["destination_cidr_block"]) for route in facts["cen_connect"]["route_entries"]]
    planned = ([(SH_TABLE, route["destination_cidr_block"]) for route in plan["source_routes"]]
               + [(HZ_TABLE, route["destination_cidr_block"]) for route in plan["registry_routes"]])
    assert custom == sorted(member_routes + planned)

    # the temporary password: in the engines' credential stores only (mode 0600), nowhere in the -vvvv output,
    # in no command line or environment of any process seen during the run, in no other file of the twins or of Ansible
    for host, engine in CLIENTS.items():
        user, password, mode = _stored_password(world, host, engine)
        assert user == "cr_temp_user" and len(password) > 20
        assert mode == "600"
        assert password not in output
        assert not [seen for seen in watch.seen if password.encode() in seen]
        stores = ["/root/.docker/config.json", "containers/0/auth.json"]
        assert _files_holding(world.workdir, password, skip=stores) == []


def test_second_run_changes_nothing_and_only_reads(world):
    since = world.twin.last_seq()
    code, output = world.converge(log="second-run.log")
    assert code == 0, output[-6000:]
    recap = _recap(output)
    assert set(CLIENTS) <= set(recap) and recap == dict((host, 0) for host in recap), output[-3000:]
    assert world.twin.writes(since) == []


def test_diagnosis_probes_and_checks_every_client_and_finds_nothing_missing(world):
    since = world.twin.last_seq()
    code, output, diagnosis = world.diagnose("--check")
    assert code == 0 and diagnosis is not None, output[-6000:]
    assert diagnosis["findings"] == [] and diagnosis["clients_checked"] == len(CLIENTS), diagnosis["findings"]
    assert "the %d client host(s) reach the registry, auth and OSS (step 4)" % len(CLIENTS) in output
    assert "Probe the registry from the probe host" in output  # step 2 probed, not given
    assert world.twin.writes(since) == []
    # the probe takes the diagnosis's read of the instance over: one read of it, not one per step
    assert len(world.twin.calls(since, action="ListInstance")) == 1


def _source_route(world, kind):
    """The plan's source route that carries traffic to the first address of ``kind`` (registry, auth, oss)."""
    address = ipaddress.ip_address(world.facts["registry_endpoints"][kind]["addresses"][0])
    covering = [route for route in world.facts["plan"]["source_routes"] if address in ipaddress.ip_network(route["destination_cidr_block"])]
    return max(covering, key=lambda route: ipaddress.ip_network(route["destination_cidr_block"]).prefixlen)


def _attachment(world, vpc_region):
    return next(a["transit_router_attachment_id"] for a in world.facts["cen_connect"]["vpc_attachments"] if a["region"] == vpc_region)


# Each case: how the collection's own modules remove the piece, which of the three names fails first, what its message names
CASES = {
    "oss_route": dict(
        remove=lambda world: ("alicloud.acr_access.vpc_route_entry", {
            "region": "cn-shanghai", "route_table_id": SH_TABLE, "state": "absent",
            "routes": [{"destination_cidr_block": r["destination_cidr_block"], "next_hop_id": r["next_hop_id"]}
                       for r in world.facts["plan"]["source_routes"] if "OSS" in r["reason"]]}, "localhost"),
        failed="oss", message=lambda world: [_source_route(world, "oss")["destination_cidr_block"], "source VPC"]),
    "auth_route": dict(
        remove=lambda world: ("alicloud.acr_access.vpc_route_entry", {
            "region": "cn-shanghai", "route_table_id": SH_TABLE, "state": "absent",
            "routes": [{"destination_cidr_block": _source_route(world, "auth")["destination_cidr_block"],
                        "next_hop_id": _source_route(world, "auth")["next_hop_id"]}]}, "localhost"),
        failed="auth", message=lambda world: [_source_route(world, "auth")["destination_cidr_block"], "source VPC"]),
    "advertisement": dict(
        remove=lambda world: ("alicloud.acr_access.cen_route_advertisement", {
            "region": "cn-hangzhou", "cen_id": world.facts["cen_connect"]["cen_id"], "vpc_id": "vpc-bp1twin0000000000001",
            "destination_cidr_blocks": ["100.0.0.0/8"], "state": "absent"}, "localhost"),
        failed="auth", message=lambda world: ["transit router"]),
    "peer_attachment": dict(
        remove=lambda world: ("alicloud.acr_access.cen_transit_router_peer_attachment", {
            "cen_id": world.facts["cen_connect"]["cen_id"], "region": "cn-hangzhou", "peer_region": "cn-shanghai",
            "state": "absent"}, "localhost"),
        failed="registry", message=lambda world: ["registry", "transit router"]),
    "hosts_block": dict(
        remove=lambda world: ("alicloud.acr_access.registry_hosts", {
            "instance_id": world.facts["registry_endpoints"]["instance_id"], "state": "absent"}, "registry_clients"),
        failed="registry", message=lambda world: ["/etc/hosts", "step 4"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_missing_piece_is_named_and_the_playbook_repairs_it(world, case):
    spec = CASES[case]
    module, args, hosts = spec["remove"](world)
    world.break_with(module, args, hosts)

    for host, report in world.verify().items():
        assert not report["ok"], (host, report)
        failed = report["failed"]
        assert failed["kind"] == spec["failed"], (case, failed)
        for words in spec["message"](world):
            assert words in failed["message"], (case, host, failed["message"])
    if case == "hosts_block":  # nothing in the cloud is missing: the diagnosis names step 4 on each client
        code, output, diagnosis = world.diagnose()
        assert code == 0 and diagnosis is not None, output[-6000:]
        assert [(f["step"], f["code"]) for f in diagnosis["findings"]] == [(4, "client_check_failed")] * len(CLIENTS), diagnosis
        assert all("/etc/hosts" in f["what"] and "registry_client" in f["fix"] for f in diagnosis["findings"]), diagnosis

    code, output = world.converge(log="repair-%s.log" % case)
    assert code == 0, output[-6000:]
    for host, report in world.verify().items():
        assert report["ok"], (case, host, report)


def test_teardown_leaves_the_fixture_and_the_foreign_lines(world):
    code, output = world.playbook(os.path.join(ROOT, "playbooks", "teardown.yml"), log="teardown.log")
    assert code == 0, output[-6000:]
    state = world.twin_state()
    assert state["cens"] == {} and state["transit_routers"] == {}
    assert [entry for entry in state["route_entries"].values() if entry.get("Type") == "Custom"] == []
    for host in CLIENTS:
        hosts = world.on_host(host, "cat", "/etc/hosts")
        assert FOREIGN_LINES in hosts and REGISTRY not in hosts and "alicloud.acr_access" not in hosts, hosts

    since = world.twin.last_seq()
    code, output = world.playbook(os.path.join(ROOT, "playbooks", "teardown.yml"), log="second-teardown.log")
    assert code == 0, output[-6000:]
    assert world.twin.writes(since) == []
    assert set(_recap(output).values()) == {0}, output[-3000:]
