"""The network twin end to end: real namespaces whose routes follow the cloud twin's state (root, Linux).

Brings the twin up against a TwinServer on the seed, makes the procedure's CEN setup through the real SDKs, and
checks from inside shanghai-client's namespace that the registry's addresses answer only while the cloud's state
routes them; then ssh (ProxyCommand into the namespace) as acrops with sudo, the engines, and a clean down().
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "twin"))

from acr_twin import Twin, TwinServer  # noqa: E402
from net_twin import NetTwin  # noqa: E402
from net_twin.scenario import AUTH_IP, OSS_IP, REGISTRY_IP, SH_VTB, Scenario  # noqa: E402
from net_twin.twin import netns_list  # noqa: E402

if os.geteuid() != 0:
    pytest.fail("the network twin needs root (network and mount namespaces)", pytrace=False)


def eventually(check, timeout=10.0):
    """The reconciler runs every 0.3 s: wait (bounded) until ``check()`` holds, return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


@pytest.fixture(scope="module")
def cloud():
    twin = Twin(fixture="seed", time_scale=0.0)
    with TwinServer(twin) as server:
        yield twin, server


@pytest.fixture(scope="module")
def net(cloud):
    _twin, server = cloud
    workdir = tempfile.mkdtemp(prefix="net-twin-", dir="/tmp")  # /tmp: acrops must reach its home under it
    prefix = "ntt%d" % os.getpid()
    twin = NetTwin(workdir, server.endpoint, prefix=prefix, bind_hosts_client=True)
    twin.up()
    yield twin
    twin.down()
    shutil.rmtree(workdir, ignore_errors=True)


def ssh(net, host, command, user=None):
    state = net._state()
    spec = state["topology"]["hosts"][host]
    argv = ["ssh", "-i", state["ssh_key"], "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "LogLevel=ERROR", "-o", "ProxyCommand=nsenter --net=/run/netns/%s socat STDIO TCP:%%h:%%p" % spec["ns"],
            "%s@%s" % (user or spec["user"], spec["ip"]), command]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)


def test_reachability_follows_the_cloud_state(cloud, net):
    twin, server = cloud
    assert net.state["services"]["mode"] == "registry", net.state["services"]
    assert net.state["services"]["digest"].startswith("sha256:")
    # the seed alone: no CEN, nothing crosses regions
    for address in (REGISTRY_IP, AUTH_IP, OSS_IP):
        assert not net.connects("shanghai-client", address, 443), address
    # the probe in the registry's VPC reaches the registry and the region's services directly
    assert net.connects("hangzhou-probe", REGISTRY_IP, 443) and net.connects("hangzhou-probe", OSS_IP, 443)
    scenario = Scenario(server.endpoint)
    scenario.build()
    for address in (REGISTRY_IP, AUTH_IP, OSS_IP):
        assert eventually(lambda: net.connects("shanghai-client", address, 443)), address
    # the way back to Shanghai works for a connection the other way too (sshd of shanghai-client from the probe)
    assert net.connects("hangzhou-probe", "172.16.0.1", 22)
    # converged: a pass now changes nothing
    assert not any(net.reconcile().values())
    # withdraw the source VPC's OSS route: OSS stops answering (Shanghai's own service route leads nowhere), the rest stays
    scenario.delete_route("cn-shanghai", SH_VTB, OSS_IP + "/32")
    scenario.settle_request()
    assert eventually(lambda: not net.connects("shanghai-client", OSS_IP, 443))
    assert net.connects("shanghai-client", REGISTRY_IP, 443) and net.connects("shanghai-client", AUTH_IP, 443)
    # the way back goes with the registry VPC's association: every answer is lost, nothing connects
    scenario.dissociate(scenario.ids["att_hz"], scenario.ids["rt_hz"])
    scenario.settle_request()
    assert eventually(lambda: not net.connects("shanghai-client", REGISTRY_IP, 443, timeout=0.5))
    scenario.associate(scenario.ids["att_hz"], scenario.ids["rt_hz"])
    scenario.settle_request()
    assert eventually(lambda: net.connects("shanghai-client", REGISTRY_IP, 443))
    # the route the reconciler wrote is the only kind there is: the Shanghai router's OSS route is unreachable now
    vpc_ns = net.state["topology"]["vpcs"]["vpc-uf6twin0000000000001"]["ns"]
    shown = subprocess.run(["ip", "-n", vpc_ns, "route", "get", OSS_IP, "from", "172.16.0.1", "iif", "vsw0"], capture_output=True, text=True, check=False)
    assert "unreachable" in (shown.stdout + shown.stderr) or shown.returncode != 0


def test_ssh_as_acrops_with_sudo_and_engines(net):
    done = ssh(net, "shanghai-client", "id -un; hostname; sudo -n id -u; sudo -n docker version --format '{{.Server.Version}}'")
    assert done.returncode == 0, done.stderr
    user, hostname, uid, docker = done.stdout.split()
    assert (user, hostname, uid) == ("acrops", "shanghai-client", "0") and docker[0].isdigit()
    done = ssh(net, "shanghai-client", "sudo -n podman info --format '{{.Store.GraphDriverName}} {{.Host.CgroupManager}}'")
    assert (done.returncode, done.stdout.split()) == (0, ["vfs", "cgroupfs"]), done.stderr
    done = ssh(net, "hangzhou-probe", "id -u; getent hosts acr-twin-registry-vpc.cn-hangzhou.cr.aliyuncs.com; cat /proc/sys/net/ipv4/ip_forward")
    assert done.returncode == 0 and done.stdout.split() == ["0", REGISTRY_IP, "acr-twin-registry-vpc.cn-hangzhou.cr.aliyuncs.com", "1"]
    assert "aliyuncs" not in ssh(net, "shanghai-client", "cat /etc/hosts").stdout


RENAME = ("sudo -n python3 -c \"import os; open('/etc/hosts.new','w').write(open('/etc/hosts').read() + '192.0.2.1 t.example\\n'); "
          "os.rename('/etc/hosts.new', '/etc/hosts')\" 2>&1; grep -c t.example /etc/hosts")


def test_hosts_file_overlay_renames_and_bind_mount_refuses(net):
    with open("/etc/hosts") as handle:
        real = handle.read()
    overlay = ssh(net, "shanghai-client", RENAME)
    assert overlay.stdout.split()[-1] == "1", overlay.stdout + overlay.stderr
    bound = ssh(net, "shanghai-client2", RENAME)
    assert "Device or resource busy" in bound.stdout and bound.stdout.split()[-1] == "0", bound.stdout
    with open("/etc/hosts") as handle:
        assert handle.read() == real  # the machine's /etc never changes


def test_down_leaves_nothing(cloud):
    _twin, server = cloud
    workdir = tempfile.mkdtemp(prefix="net-twin-down-", dir="/tmp")
    prefix = "ntd%d" % os.getpid()
    twin = NetTwin(workdir, server.endpoint, prefix=prefix, engines=("docker",), services="listener", seed_image=False)
    started = time.monotonic()
    twin.up()
    pids = [pid for key, pid in twin.state["pids"].items()]
    assert len([n for n in netns_list() if n.startswith(prefix + "-")]) == 7
    assert time.monotonic() - started < 60
    twin.down()
    twin.down()  # twice is fine
    assert [n for n in netns_list() if n.startswith(prefix + "-")] == []
    assert [pid for pid in pids if os.path.exists("/proc/%d" % pid) and workdir.encode() in open("/proc/%d/cmdline" % pid, "rb").read()] == []
    with open("/proc/mounts") as handle:
        assert workdir not in handle.read()
    leftover = subprocess.run(["pgrep", "-f", workdir], capture_output=True, text=True, check=False).stdout.split()
    assert leftover == []
    assert not os.path.exists(os.path.join(workdir, "state.json"))
    shutil.rmtree(workdir, ignore_errors=True)
