"""The data-center scenario end to end: playbooks/data_center_access.yml against the cloud twin and the network twin,
ending in a real pull on a data-center server, for both ways a data center connects, each piece of the path removed in
turn, and playbooks/data_center_teardown.yml back to the fixture.

The network twin (NetTwin(data_center=True)) adds the data center: idc-gateway (its Linux gateway, reached over ssh as
root, linked to the registry VPC's VPN gateway and to the cn-hangzhou transit router) and idc-client (192.168.0.1, docker,
reached as an unprivileged user with become). The cloud side forwards into the data center only along what the cloud twin
holds (published VPN routes, VPN attachments); the gateway forwards only along the routes the playbook applied on it.

The tests of this module run in order on one pair of twins.
"""

import json
import os
import shutil
import sys
import tempfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
for _path in (HERE, os.path.join(HERE, "..", "twin")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from acr_twin import Twin, TwinServer  # noqa: E402
from acr_twin import seed_ids as ids  # noqa: E402
from acr_twin.fixtures import build_cloud  # noqa: E402
from net_twin import NetTwin  # noqa: E402
from test_cross_region_pull import ROOT, World as CrossRegionWorld, _recap  # noqa: E402

INVENTORY = os.path.join(ROOT, "tests", "demo", "inventory", "data_center.yml")
CLIENT, GATEWAY = "idc-client", "idc-gateway"
IMAGE = "acr-access/busybox:1.36"
# The collections the cloud side changes; teardown must leave them as the fixture holds them
CLOUD_COLLECTIONS = ("route_entries", "vpn_route_entries", "cens", "transit_routers", "tr_attachments", "tr_associations",
                     "tr_propagations", "tr_route_entries", "published_routes")

if os.geteuid() != 0:
    pytest.fail("the network twin needs root (network and mount namespaces, dockerd, sshd)", pytrace=False)

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
          {{{{ {{'registry_endpoints': registry_endpoints, 'plan': data_center_routes.plan, 'connection': data_center_connect,
                'onprem_gateway': onprem_gateway, 'client': hostvars['{client}'].registry_client}} | to_json }}}}
        dest: {facts}
        mode: "0600"
      check_mode: false
      changed_when: false  # the test's bookkeeping, not part of the procedure's changes
"""

VERIFY = """
- name: Verify the path from the data-center server
  hosts: data_center_clients
  gather_facts: false
  tasks:
    - name: Verify
      alicloud.acr_access.registry_client_verify:
        registry: {{domain: "{{{{ registry_endpoints.registry.domain }}}}", addresses: "{{{{ registry_endpoints.registry.addresses }}}}"}}
        auth: {{domain: "{{{{ registry_endpoints.auth.domain }}}}", addresses: "{{{{ registry_endpoints.auth.addresses }}}}"}}
        oss: {{domain: "{{{{ registry_endpoints.oss.domain }}}}", addresses: "{{{{ registry_endpoints.oss.addresses }}}}"}}
        images: [{image}]
        ca_path: "/etc/docker/certs.d/{{{{ registry_endpoints.registry.domain }}}}/ca.crt"
        timeout: 5
      register: verified

    - name: Save the report
      ansible.builtin.copy:
        content: "{{{{ verified.report | to_json }}}}"
        dest: "{report}"
        mode: "0600"
      delegate_to: localhost
      become: false
"""


class World(CrossRegionWorld):
    """The cross-region test's world with the data center's inventory; every run names the connection type."""

    def __init__(self, twin, server, net, workdir):
        super().__init__(twin, server, net, workdir)
        self.inventory = [INVENTORY, net.inventory_path]
        self.env["ACR_ACCESS_OUTPUT_DIR"] = os.path.join(workdir, "network-team")
        self.connection_type = "vpn_gateway"

    def playbook(self, path, *args, log=None):
        return super().playbook(path, "-e", "data_center_connect_type=%s" % self.connection_type, *args,
                                log=log and "%s-%s" % (self.connection_type, log))

    def converge(self, *args, log=None):
        facts = os.path.join(self.workdir, "facts.json")
        if os.path.exists(facts):
            os.remove(facts)
        wrapper = os.path.join(self.workdir, "converge.yml")
        with open(wrapper, "w") as handle:
            handle.write(WRAPPER.format(playbook=os.path.join(ROOT, "playbooks", "data_center_access.yml"), facts=facts, client=CLIENT))
        code, output = self.playbook(wrapper, *args, log=log)
        if os.path.exists(facts):
            with open(facts) as handle:
                self.facts = json.load(handle)
        return code, output

    def verify(self):
        """Step 4's verification alone on the data-center server: its report."""
        report = os.path.join(self.workdir, "report.json")
        if os.path.exists(report):
            os.remove(report)
        path = os.path.join(self.workdir, "verify.yml")
        with open(path, "w") as handle:
            handle.write(VERIFY.format(image=IMAGE, report=report))
        facts = os.path.join(self.workdir, "verify-vars.json")
        with open(facts, "w") as handle:
            json.dump({"registry_endpoints": self.facts["registry_endpoints"]}, handle)
        code, output = self.playbook(path, "-e", "@" + facts)
        assert code == 0, output
        with open(report) as handle:
            return json.load(handle)

    def cloud(self):
        return _comparable(self.twin.cloud.dump())


@pytest.fixture(scope="module")
def world():
    workdir = tempfile.mkdtemp(prefix="acr-idc-", dir="/tmp")  # the hosts' unprivileged user must traverse it
    os.chmod(workdir, 0o755)
    twin = Twin(fixture="seed", time_scale=0.0)
    with TwinServer(twin) as server:
        net = NetTwin(os.path.join(workdir, "net"), "http://%s" % server.endpoint, prefix="acridc", engines=("docker",),
                      data_center=True)
        net.up()
        try:
            yield World(twin, server, net, workdir)
        finally:
            net.down()
            shutil.rmtree(workdir, ignore_errors=True)


def _comparable(state):
    """The cloud side's collections without the times the twin stamps when it loads or makes a resource."""
    def strip(value):
        if isinstance(value, dict):
            return dict((key, strip(item)) for key, item in value.items() if key not in ("CreationTime", "CreateTime"))
        return value
    return dict((name, strip(state[name])) for name in CLOUD_COLLECTIONS)


def _fixture_cloud():
    return _comparable(build_cloud("seed", 0).dump())


def _gateway_routes(world):
    """The destinations of the routes the collection applied on the data center's gateway (route protocol 197)."""
    return sorted(line.split()[0] for line in world.on_host(GATEWAY, "ip", "-4", "route", "show", "proto", "197").splitlines() if line)


def _converged_and_pulled(world, log):
    diagram = os.path.join(world.workdir, "%s.svg" % world.connection_type)
    code, output = world.converge("-e", "data_center_access_diagram_path=%s" % diagram, log=log)
    assert code == 0, output[-6000:]
    # the picture of the run: the data center's networks and every on-premises route the plan made
    with open(diagram) as handle:
        picture = handle.read()
    assert ids.DATA_CENTER_CIDR in picture and world.facts["plan"]["on_premises_routes"], picture
    assert all(route["destination"] in picture for route in world.facts["plan"]["on_premises_routes"]), picture
    client = world.facts["client"]
    assert client["report"]["ok"], client["report"]
    (image,) = client["images"]
    assert image["digest"].startswith("sha256:"), image
    assert image["digest"] in world.on_host(CLIENT, "docker", "image", "inspect", "%s/%s" % (ids.REGISTRY_DOMAIN, IMAGE))
    # the network team's file and the gateway hold exactly the on-premises routes the plan computed
    planned = sorted(route["destination"] for route in world.facts["plan"]["on_premises_routes"])
    with open(world.facts["onprem_gateway"]["files"]["json"]) as handle:
        assert sorted(route["destination"] for route in json.load(handle)) == planned
    assert _gateway_routes(world) == sorted(destination.replace("/32", "") for destination in planned)
    return output


def _second_run_changes_nothing(world):
    since = world.twin.last_seq()
    code, output = world.converge(log="second-run.log")
    assert code == 0, output[-6000:]
    recap = _recap(output)
    # the gateway's routes are applied by a task of localhost delegated to it: its changes count in localhost's recap
    assert {CLIENT, "localhost"} <= set(recap) and recap == dict((host, 0) for host in recap), output[-3000:]
    assert world.twin.writes(since) == []


def _break_then_repair(world, case, module, args, hosts, failed_kind):
    world.break_with(module, args, hosts)
    report = world.verify()
    assert not report["ok"] and report["failed"]["kind"] == failed_kind, (case, report)
    code, output = world.converge(log="repair-%s.log" % case)
    assert code == 0, output[-6000:]
    assert world.verify()["ok"], case


def _teardown_to_the_fixture(world):
    code, output = world.playbook(os.path.join(ROOT, "playbooks", "data_center_teardown.yml"), log="teardown.log")
    assert code == 0, output[-6000:]
    world.twin.settle()
    assert world.cloud() == _fixture_cloud()
    assert _gateway_routes(world) == []
    hosts = world.on_host(CLIENT, "cat", "/etc/hosts")
    assert ids.REGISTRY_DOMAIN not in hosts and "alicloud.acr_access" not in hosts, hosts
    since = world.twin.last_seq()
    code, output = world.playbook(os.path.join(ROOT, "playbooks", "data_center_teardown.yml"), log="teardown-again.log")
    assert code == 0 and world.twin.writes(since) == [], output[-6000:]


# -- option 1: the VPN gateway in the registry VPC ------------------------------------------------------------------------
def test_vpn_gateway_first_run_pulls_on_the_data_center_server(world):
    world.connection_type = "vpn_gateway"
    _converged_and_pulled(world, "first-run.log")
    routes = world.facts["plan"]["vpn_routes"]
    assert [(r["destination"], r["next_hop"]) for r in routes] == [(ids.DATA_CENTER_CIDR, ids.IPSEC_VPN_GATEWAY)]


def test_vpn_gateway_second_run_changes_nothing(world):
    _second_run_changes_nothing(world)


VPN_ROUTE = {"destination": ids.DATA_CENTER_CIDR, "next_hop": ids.IPSEC_VPN_GATEWAY}
VPN_CASES = {
    # the way back: without the VPN gateway's route, the registry's answers never reach the data center
    "vpn_route": ("alicloud.acr_access.vpn_route_entry",
                  dict(region="cn-hangzhou", vpn_gateway_id=ids.VPN_GATEWAY, routes=[VPN_ROUTE], state="absent"), "localhost", "registry"),
    "vpn_publication": ("alicloud.acr_access.vpn_route_entry",
                        dict(region="cn-hangzhou", vpn_gateway_id=ids.VPN_GATEWAY, routes=[dict(VPN_ROUTE, publish_vpc=False)]),
                        "localhost", "registry"),
    # the way there: the gateway's route into the tunnel for the OSS VIP range in use
    "on_premises_route": ("alicloud.acr_access.onprem_gateway_routes", dict(persist="none", state="absent", routes=[
        {"destination": "100.118.28.0/24", "via": "169.254.4.1", "dev": "vpn0"}]), "onprem_gateway", "oss"),
}


@pytest.mark.parametrize("case", list(VPN_CASES))
def test_vpn_gateway_a_missing_piece_fails_the_verification_and_the_playbook_repairs_it(world, case):
    module, args, hosts, failed = VPN_CASES[case]
    _break_then_repair(world, case, module, args, hosts, failed)


def test_vpn_gateway_teardown_returns_to_the_fixture(world):
    _teardown_to_the_fixture(world)


# -- option 2: the data center's IPsec connection attached to the transit router --------------------------------------------
def test_transit_router_first_run_pulls_on_the_data_center_server(world):
    world.connection_type = "transit_router"
    _converged_and_pulled(world, "first-run.log")
    attachment = world.facts["connection"]["registry_attachment_id"]
    assert {(r["destination_cidr_block"], r["next_hop_id"]) for r in world.facts["plan"]["registry_routes"]} >= {
        (ids.DATA_CENTER_CIDR, attachment), ("100.0.0.0/8", ids.REGISTRY_ECS)}


def test_transit_router_second_run_changes_nothing(world):
    _second_run_changes_nothing(world)


TR_CASES = {
    "route_to_the_attachment": lambda world: ("alicloud.acr_access.vpc_route_entry", dict(
        region="cn-hangzhou", route_table_id=ids.REGISTRY_ROUTE_TABLE, state="absent",
        routes=[{"destination_cidr_block": ids.DATA_CENTER_CIDR, "next_hop_id": world.facts["connection"]["registry_attachment_id"]}]),
        "localhost", "registry"),
    "on_premises_route": lambda world: ("alicloud.acr_access.onprem_gateway_routes", dict(persist="none", state="absent", routes=[
        {"destination": ids.AUTH_IP + "/32", "via": "169.254.4.5", "dev": "tr0"}]), "onprem_gateway", "auth"),
}


@pytest.mark.parametrize("case", list(TR_CASES))
def test_transit_router_a_missing_piece_fails_the_verification_and_the_playbook_repairs_it(world, case):
    module, args, hosts, failed = TR_CASES[case](world)
    _break_then_repair(world, case, module, args, hosts, failed)


def test_transit_router_teardown_returns_to_the_fixture(world):
    _teardown_to_the_fixture(world)
