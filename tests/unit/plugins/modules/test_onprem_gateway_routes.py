"""onprem_gateway_routes, run as Ansible runs it on a gateway host, inside namespaces the test creates.

Each test gets a gateway of its own: a network namespace (its devices vti0, the tunnel, and eth1, the data center's
side, both veth pairs) and a mount namespace in which /etc is an overlay whose writes land in a tmpfs and /run is a
tmpfs - so the host's own routes and files are never touched, and a test decides which network stack the gateway
appears to run (the files in /run that systemd-networkd, NetworkManager and ifupdown leave there). The module runs in a
separate Python process entered into both namespaces; the test reads the routes with ``ip`` there and the files
through /proc/PID/root (the namespace's view).
"""

import json
import os
import stat
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "e2e"))

import probe_lab  # noqa: E402  (tests/e2e: require_lab, the root check shared with the other namespace tests)

MODULE = "ansible_collections.alicloud.acr_access.plugins.modules.onprem_gateway_routes"
PROTO = "197"
HOOK = "/etc/network/if-up.d/alicloud-acr-access"
DROP_IN = "/etc/systemd/network/10-vti0.network.d/alicloud-acr-access.conf"
ROUTE_FILE = "/etc/sysconfig/network-scripts/route-vti0"
PLANNED = [
    dict(destination="10.94.205.198/32", via="169.254.10.1", dev="vti0", reason="registry address 10.94.205.198: ..."),
    dict(destination="100.103.7.181/32", via="169.254.10.1"),
    dict(destination="100.118.28.0/24", dev="vti0"),
]
# what `ip route` shows for them (a /32 without its prefix length)
PLANNED_KERNEL = [
    "10.94.205.198 via 169.254.10.1 dev vti0 proto 197",
    "100.103.7.181 via 169.254.10.1 dev vti0 proto 197",
    "100.118.28.0/24 dev vti0 proto 197 scope link",
]

SETUP = r"""
set -e
mount -t tmpfs tmpfs "$1"
mkdir "$1/upper" "$1/work"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1/upper,workdir=$1/work" /etc
mount -t tmpfs tmpfs /run
ip link set lo up
ip link add vti0 type veth peer name vti0-far
ip addr add 169.254.10.2/30 dev vti0
ip link add eth1 type veth peer name eth1-far
ip addr add 192.168.0.1/24 dev eth1
for dev in vti0 vti0-far eth1 eth1-far; do ip link set "$dev" up; done
# the data center's other routes, which are not the module's
ip route add 10.20.0.0/16 via 192.168.0.254
ip route add 100.118.28.0/24 via 192.168.0.254 metric 50
echo ready
exec sleep 600
"""


class Gateway:
    """A gateway host in namespaces of its own; ``stack`` is a shell script run in it first (the network stack's traces)."""

    def __init__(self, tmp_path, stack=""):
        self.tmp_path = tmp_path
        ns_dir = tmp_path / "ns"
        ns_dir.mkdir()
        script = SETUP.replace("echo ready", stack + "\necho ready")
        self.holder = subprocess.Popen(["unshare", "--net", "--mount", "--propagation", "private", "sh", "-c", script, "gateway", str(ns_dir)],
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        ready = self.holder.stdout.readline().strip()
        if ready != "ready":
            self.holder.kill()
            raise RuntimeError("the gateway's namespaces were not built: %s" % self.holder.stderr.read())
        self.runs = 0

    def close(self):
        self.holder.kill()
        self.holder.wait()

    def sh(self, command):
        done = subprocess.run(["nsenter", "--target", str(self.holder.pid), "--net", "--mount", "--", "sh", "-c", command],
                              capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, (command, done.stderr)
        return done.stdout

    def routes(self, proto=None):
        lines = [line.strip() for line in self.sh("ip -4 route show table main").splitlines()]
        return [line for line in lines if proto is None or "proto %s" % proto in line]

    def file(self, path):
        full = "/proc/%d/root%s" % (self.holder.pid, path)
        if not os.path.exists(full):
            return None
        with open(full) as handle:
            return handle.read()

    def mode(self, path):
        return stat.S_IMODE(os.stat("/proc/%d/root%s" % (self.holder.pid, path)).st_mode)

    def run(self, check=False, diff=False, **args):
        """The module's JSON result, run in the gateway's namespaces as Ansible runs a module (a separate Python)."""
        self.runs += 1
        args_path = self.tmp_path / ("args-%d.json" % self.runs)
        args_path.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": dict(args, _ansible_check_mode=check, _ansible_diff=diff)}))
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(path for path in sys.path if path))
        done = subprocess.run(["nsenter", "--target", str(self.holder.pid), "--net", "--mount", "--", sys.executable, "-m", MODULE,
                               str(args_path)], capture_output=True, text=True, env=env, timeout=120, check=False)
        try:
            return json.loads(done.stdout)
        except ValueError:
            raise AssertionError("no JSON from the module: %s %s" % (done.stdout, done.stderr))


@pytest.fixture
def gateway(tmp_path):
    probe_lab.require_lab()
    built = []

    def build(stack=""):
        home = tmp_path / ("gw%d" % len(built))
        home.mkdir()
        built.append(Gateway(home, stack))
        return built[-1]

    yield build
    for host in built:
        host.close()


FOREIGN = ["10.20.0.0/16 via 192.168.0.254 dev eth1", "100.118.28.0/24 via 192.168.0.254 dev eth1 metric 50"]


def foreign(host):
    return [route for route in host.routes() if "proto" not in route]


# ---------------------------------------------------------------- the kernel's routes (persist: none)


def test_routes_added_idempotent_and_removed_without_touching_foreign_ones(gateway):
    host = gateway()
    checked = host.run(check=True, diff=True, routes=PLANNED, persist="none")
    assert checked["changed"] is True and [r["action"] for r in checked["routes"]] == ["added"] * 3
    assert host.routes(PROTO) == []  # check mode changes nothing

    result = host.run(diff=True, routes=PLANNED, persist="none")
    assert result["changed"] is True and "failed" not in result, result
    assert sorted(host.routes(PROTO)) == sorted(PLANNED_KERNEL)
    assert [r["dev"] for r in result["routes"]] == ["vti0", "vti0", "vti0"]  # the via-only route's device is the kernel's
    assert result["diff"] == checked["diff"]  # check mode predicted the run
    assert "100.103.7.181/32 via 169.254.10.1 dev vti0 proto 197" in result["diff"]["after"]
    assert result["persistence"] == {"mechanism": "none", "changed_files": []}
    assert foreign(host) == FOREIGN  # the foreign 100.118.28.0/24 (metric 50) is still there, ours wins with metric 0

    again = host.run(routes=PLANNED, persist="none")
    assert again["changed"] is False and [r["action"] for r in again["routes"]] == ["unchanged"] * 3

    # absent with destinations only; the foreign route to the same destination (another metric) stays
    removal = [dict(destination=route["destination"]) for route in PLANNED]
    assert host.run(check=True, routes=removal, state="absent", persist="none")["changed"] is True
    assert len(host.routes(PROTO)) == 3
    removed = host.run(routes=removal, state="absent", persist="none")
    assert removed["changed"] is True and [r["action"] for r in removed["routes"]] == ["removed"] * 3
    assert host.routes(PROTO) == [] and foreign(host) == FOREIGN
    assert host.run(routes=removal, state="absent", persist="none")["changed"] is False


def test_a_changed_next_hop_replaces_only_that_route(gateway):
    host = gateway()
    host.run(routes=PLANNED, persist="none")
    moved = [dict(PLANNED[0], via="169.254.10.2")] + PLANNED[1:]
    result = host.run(routes=moved, persist="none")
    assert [r["action"] for r in result["routes"]] == ["replaced", "unchanged", "unchanged"]
    assert "10.94.205.198 via 169.254.10.2 dev vti0 proto 197" in host.routes(PROTO)


def test_a_foreign_route_to_the_same_destination_fails_before_any_change(gateway):
    host = gateway()
    routes = [PLANNED[0], dict(destination="10.20.0.0/16", via="169.254.10.1")]
    result = host.run(routes=routes, persist="none")
    assert result["failed"] is True and result["field"] == "routes[1].destination"
    assert "10.20.0.0/16 via 192.168.0.254" in result["msg"]
    assert host.routes(PROTO) == [] and foreign(host) == FOREIGN  # not even the first route was added
    # absent never removes it either: it is not ours
    assert host.run(routes=[dict(destination="10.20.0.0/16")], state="absent", persist="none")["changed"] is False
    assert foreign(host) == FOREIGN


@pytest.mark.parametrize("args, field", [
    (dict(routes=[dict(destination="10.0.0.1/8", via="169.254.10.1")]), "routes[0].destination"),
    (dict(routes=[dict(destination="fe80::/64", dev="vti0")]), "routes[0].destination"),
    (dict(routes=[dict(destination="10.0.0.0/8", via="gateway")]), "routes[0].via"),
    (dict(routes=[dict(destination="10.0.0.0/8", dev="a/b")]), "routes[0].dev"),
    (dict(routes=[dict(destination="10.0.0.0/8")]), "routes[0]"),
    (dict(routes=[dict(destination="10.0.0.0/8", dev="vti0"), dict(destination="10.0.0.0/8", dev="eth1")]), "routes[1].destination"),
    (dict(routes=PLANNED, name="my routes"), "name"),
    (dict(routes=PLANNED, protocol=4), "protocol"),
])
def test_bad_input_is_named_before_any_change(gateway, args, field):
    host = gateway()
    result = host.run(persist="none", **args)
    assert result["failed"] is True and result["field"] == field and result["msg"].startswith(field + ": ")
    assert host.routes(PROTO) == []


# ---------------------------------------------------------------- persistence


def test_no_persistence_mechanism_is_an_error_unless_persist_none(gateway):
    host = gateway()  # like idc-gateway: Debian, no network stack running
    result = host.run(routes=PLANNED)
    assert result["failed"] is True and result["field"] == "persist" and "persist to none" in result["msg"]
    assert host.routes(PROTO) == []


def test_network_manager_is_refused(gateway):
    host = gateway("mkdir -p /run/NetworkManager")
    result = host.run(routes=PLANNED)
    assert result["failed"] is True and result["field"] == "persist" and "nmcli connection modify" in result["msg"]
    assert host.routes(PROTO) == []


def test_ifupdown_hook_restores_the_routes_when_the_device_comes_up(gateway):
    host = gateway("mkdir -p /run/network && echo 'eth1=eth1' > /run/network/ifstate")
    checked = host.run(check=True, diff=True, routes=PLANNED)
    assert checked["changed"] is True and host.file(HOOK) is None
    result = host.run(diff=True, routes=PLANNED)
    assert result["persistence"] == {"mechanism": "ifupdown", "changed_files": [HOOK]}
    assert result["diff"] == checked["diff"] and "(no file)" in result["diff"]["before"]
    hook = host.file(HOOK)
    assert host.mode(HOOK) == 0o755
    assert hook.splitlines()[:4] == ["#!/bin/sh", hook.splitlines()[1], '[ "$MODE" = start ] || exit 0', 'case "$IFACE" in']
    assert "    ip route replace 100.103.7.181/32 via 169.254.10.1 dev vti0 proto 197" in hook.splitlines()
    assert host.run(routes=PLANNED)["changed"] is False

    # what the hook is for: the device comes up again without the routes, ifupdown runs the hook
    host.sh("ip link set vti0 down && ip link set vti0 up && ip route flush proto 197")
    assert host.routes(PROTO) == []
    host.sh("IFACE=eth1 MODE=start sh %s" % HOOK)
    assert host.routes(PROTO) == []  # another device: nothing
    host.sh("IFACE=vti0 MODE=start sh %s" % HOOK)
    assert sorted(host.routes(PROTO)) == sorted(PLANNED_KERNEL)

    # removing one route rewrites the hook without it; removing all deletes the hook
    assert host.run(routes=[dict(destination="100.103.7.181/32")], state="absent")["changed"] is True
    assert "100.103.7.181/32" not in host.file(HOOK) and "100.118.28.0/24 dev vti0" in host.file(HOOK)
    host.run(routes=[dict(destination=route["destination"]) for route in PLANNED], state="absent")
    assert host.file(HOOK) is None and host.routes(PROTO) == []


def test_networkd_drop_in_next_to_the_devices_network_file(gateway):
    # networkd's state file of the device names the .network file it applied (NETWORK_FILE=)
    host = gateway("mkdir -p /run/systemd/netif/links /etc/systemd/network && "
                   "printf '[Match]\\nName=vti0\\n' > /etc/systemd/network/10-vti0.network && "
                   "index=$(ip -o link show dev vti0 | cut -d: -f1) && "
                   "printf 'ADMIN_STATE=configured\\nNETWORK_FILE=/etc/systemd/network/10-vti0.network\\n' > /run/systemd/netif/links/$index")
    result = host.run(routes=PLANNED)
    assert "failed" not in result, result
    assert result["persistence"] == {"mechanism": "networkd", "changed_files": [DROP_IN]}
    text = host.file(DROP_IN)
    assert "[Route]\nDestination=10.94.205.198/32\nGateway=169.254.10.1\nProtocol=197\n" in text
    assert "[Route]\nDestination=100.118.28.0/24\nProtocol=197\n" in text
    assert text.count("[Route]") == 3 and host.mode(DROP_IN) == 0o644
    assert host.file("/etc/systemd/network/10-vti0.network") == "[Match]\nName=vti0\n"  # the .network file itself is not ours
    assert host.run(routes=PLANNED)["changed"] is False
    host.run(routes=[dict(destination=route["destination"]) for route in PLANNED], state="absent")
    assert host.file(DROP_IN) is None


def test_networkd_without_a_network_file_for_the_device_is_an_error(gateway):
    host = gateway("mkdir -p /run/systemd/netif/links")
    result = host.run(routes=PLANNED)
    assert result["failed"] is True and result["field"] == "persist" and "vti0" in result["msg"]
    assert host.routes(PROTO) == []


def test_network_scripts_block_in_route_file_keeps_the_other_lines(gateway):
    host = gateway("mkdir -p /etc/sysconfig/network-scripts && printf '10.30.0.0/16 via 169.254.10.1\\n' > %s" % ROUTE_FILE)
    result = host.run(routes=PLANNED)
    assert result["persistence"] == {"mechanism": "network_scripts", "changed_files": [ROUTE_FILE]}
    assert host.file(ROUTE_FILE) == ("10.30.0.0/16 via 169.254.10.1\n"
                                     "# BEGIN alicloud-acr-access\n"
                                     "10.94.205.198/32 via 169.254.10.1 dev vti0 proto 197\n"
                                     "100.103.7.181/32 via 169.254.10.1 dev vti0 proto 197\n"
                                     "100.118.28.0/24 dev vti0 proto 197\n"
                                     "# END alicloud-acr-access\n")
    assert host.run(routes=PLANNED)["changed"] is False
    host.run(routes=[dict(destination=route["destination"]) for route in PLANNED], state="absent")
    assert host.file(ROUTE_FILE) == "10.30.0.0/16 via 169.254.10.1\n"


def test_network_scripts_key_value_route_file_is_refused(gateway):
    host = gateway("mkdir -p /etc/sysconfig/network-scripts && printf 'ADDRESS0=10.30.0.0\\nNETMASK0=255.255.0.0\\n' > %s" % ROUTE_FILE)
    result = host.run(routes=PLANNED)
    assert result["failed"] is True and result["field"] == "persist" and "ADDRESSn=" in result["msg"]
    assert host.routes(PROTO) == [] and host.file(ROUTE_FILE).startswith("ADDRESS0=")


def test_explicit_persist_ifupdown_without_ifupdown_running(gateway):
    host = gateway()
    result = host.run(routes=PLANNED[:1], persist="ifupdown")
    assert result["persistence"]["mechanism"] == "ifupdown" and "10.94.205.198/32" in host.file(HOOK)


def test_the_host_side_module_needs_no_cloud_sdk():
    """The wall of tests/unit/plugins/test_house.py for host-side files, for this module and its module_utils."""
    import ast
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[4]
    for path in (root / "plugins" / "modules" / "onprem_gateway_routes.py", root / "plugins" / "module_utils" / "gateway_routes.py"):
        names = []
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                names.append((node.module or "") + "." + ".".join(alias.name for alias in node.names))
            elif isinstance(node, ast.Import):
                names.extend(alias.name for alias in node.names)
        assert not [n for n in names if n.startswith(("alibabacloud_", "Tea", "aliyunsdk")) or
                    any(part in n.split(".") for part in ("client", "credentials", "vpc", "cen", "cr", "sts", "vpc_routes"))], (path, names)
