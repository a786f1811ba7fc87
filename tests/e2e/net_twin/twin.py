"""NetTwin: the network twin's life cycle (up, reconcile, down) and its supervisor process.

``up()`` builds the namespaces and links of the topology, starts the hosts (sshd, dockerd), writes
``inventory.yml`` and ``state.json`` in ``workdir``, applies a first reconcile pass, then starts a detached
supervisor (``python -m net_twin supervise WORKDIR``) that runs the registry services and the reconciler loop
(every 0.3 s) until ``down()``. The supervisor outlives the process that called ``up()`` (the CLI's ``up`` exits).
``down()`` is safe twice and after a failed ``up()``: it works from ``state.json`` alone.
"""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

from net_twin import hosts as hostlib
from net_twin import reconciler, topology as topo

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHONPATH = os.pathsep.join([os.path.dirname(HERE), os.path.join(os.path.dirname(os.path.dirname(HERE)), "twin")])


def _ip(*argv, check=True):
    done = subprocess.run(("ip",) + argv, capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise RuntimeError("ip %s: %s" % (" ".join(argv), done.stderr.strip()))
    return done.stdout


def _get_json(endpoint, path):
    url = endpoint.rstrip("/")
    url = url if "://" in url else "http://" + url
    with urllib.request.urlopen(url + path, timeout=10) as answer:
        return json.loads(answer.read().decode("utf-8"))


def netns_list():
    return [line.split()[0] for line in _ip("netns", "list").splitlines() if line.strip()]


def delete_namespace(name):
    """Kill what still runs in the namespace (only its own processes, by pid), then delete it (its veths go with it)."""
    if name not in netns_list():
        return
    for _attempt in range(3):
        pids = subprocess.run(["ip", "netns", "pids", name], capture_output=True, text=True, check=False).stdout.split()
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.1)
    subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)


def _parents(path):
    """``path``'s directories from / down to its parent."""
    parts = os.path.abspath(path).split(os.sep)[1:-1]
    return [os.sep + os.path.join(*parts[:index]) for index in range(1, len(parts) + 1)]


class NetTwin:
    def __init__(self, workdir, twin_endpoint, prefix="acrnet", engines=("docker", "podman"), bind_hosts_client=False,
                 services="registry", seed_image=True, reap=True, interval=0.3, data_center=False, clients=0):
        self.workdir = os.path.abspath(workdir)
        self.twin_endpoint = twin_endpoint if "://" in twin_endpoint else "http://" + twin_endpoint
        self.prefix = prefix
        self.engines = tuple(engines)
        self.bind_hosts_client = bind_hosts_client
        self.data_center = data_center
        self.clients = clients  # bulk client hosts client-001... (topology.client_hosts): benchmark P3
        self.services_mode = services
        self.seed_image = seed_image
        self.reap = reap
        self.interval = interval
        self.state = None
        self.reaper = None

    # -- paths -------------------------------------------------------------------------------------------------
    @property
    def state_path(self):
        return os.path.join(self.workdir, "state.json")

    @property
    def inventory_path(self):
        return os.path.join(self.workdir, "inventory.yml")

    @property
    def services_path(self):
        return os.path.join(self.workdir, "services.json")

    def _save(self):
        tmp = self.state_path + ".tmp"
        with open(tmp, "w") as handle:
            json.dump(self.state, handle, indent=1, sort_keys=True)
        os.replace(tmp, self.state_path)

    def __enter__(self):
        self.up()
        return self

    def __exit__(self, *exc_info):
        self.down()

    # -- up ----------------------------------------------------------------------------------------------------
    def up(self):
        started = time.monotonic()
        os.makedirs(self.workdir, exist_ok=True)
        os.chmod(self.workdir, 0o755)  # acrops reaches its home and the authorized keys under it
        closed = [path for path in _parents(self.workdir) if not os.stat(path).st_mode & 0o001]
        if closed:
            raise RuntimeError("the hosts' unprivileged user cannot traverse %s (mode without o+x): put the workdir under a directory "
                               "others may enter, e.g. tempfile.mkdtemp(dir='/tmp') with mode 0755" % ", ".join(closed))
        try:
            cloud_state = _get_json(self.twin_endpoint, "/_twin/state")
            wanted_hosts = dict(topo.SEED_HOSTS)
            if self.bind_hosts_client:
                wanted_hosts.update(topo.BIND_HOSTS_CLIENT)
            if self.data_center:
                wanted_hosts.update(topo.DATA_CENTER_HOSTS)
            wanted_hosts.update(topo.client_hosts(cloud_state, self.clients))
            layout = topo.build(self.prefix, cloud_state, wanted_hosts)
            taken = set(netns_list()) & set(topo.namespaces(layout))
            if taken:
                raise RuntimeError("namespaces already exist (another net twin with prefix %r?): %s" % (self.prefix, sorted(taken)))
            self.state = {"workdir": self.workdir, "twin": self.twin_endpoint, "topology": layout, "namespaces": [],
                          "pids": {}, "engines": list(self.engines), "interval": self.interval, "services_mode": self.services_mode,
                          "seed_image": self.seed_image}
            self._save()
            if self.reap:
                self._start_reaper()
            self._namespaces(layout)
            self._links(layout)
            self._rules(layout)
            reconciler.reconcile_once(layout, self.twin_endpoint)
            self._hosts(layout)
            self._start_supervisor()
            self._write_inventory(layout)
        except BaseException:
            self.down()
            raise
        self.state["up_seconds"] = round(time.monotonic() - started, 2)
        self._save()
        return self

    def _start_reaper(self):
        """Tears the twin down if the process that called up() dies without down() (its stdin pipe closes)."""
        self.reaper = subprocess.Popen([sys.executable, "-m", "net_twin", "reap", self.workdir], stdin=subprocess.PIPE,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                                       env=dict(os.environ, PYTHONPATH=PYTHONPATH))

    def _namespaces(self, layout):
        for name in topo.namespaces(layout):
            _ip("netns", "add", name)
            self.state["namespaces"].append(name)
            self._save()
            _ip("-n", name, "link", "set", "lo", "up")
        routers = [v["ns"] for v in layout["vpcs"].values()] + [r["ns"] for r in layout["regions"].values()]
        forwarding = set(routers) | set(h["ns"] for h in layout["hosts"].values() if h["forward"])
        for name in topo.namespaces(layout):
            settings = {"net.ipv4.ip_forward": "1" if name in forwarding else "0",
                        "net.ipv4.conf.all.rp_filter": "0", "net.ipv4.conf.default.rp_filter": "0"}
            for key, value in settings.items():
                # /proc/sys/net is the namespace's own for a process in it: nsenter --net, no /sys remount
                subprocess.run(["nsenter", "--net=/run/netns/%s" % name, "--", "sysctl", "-q", "-w", "%s=%s" % (key, value)],
                               check=True, capture_output=True)

    def _veth(self, ns_a, dev_a, addr_a, ns_b, dev_b, addr_b):
        """A veth pair made directly between two namespaces (never in the root namespace)."""
        _ip("-n", ns_a, "link", "add", dev_a, "type", "veth", "peer", "name", dev_b, "netns", ns_b)
        for ns, dev, addr in ((ns_a, dev_a, addr_a), (ns_b, dev_b, addr_b)):
            if addr:
                _ip("-n", ns, "addr", "add", addr, "dev", dev, "noprefixroute")
            _ip("-n", ns, "link", "set", dev, "up")

    def _links(self, layout):
        for vpc_id, vpc in layout["vpcs"].items():
            for vsw in vpc["vswitches"].values():
                _ip("-n", vpc["ns"], "link", "add", vsw["dev"], "type", "bridge")
                prefix = vsw["cidr"].split("/")[1]
                _ip("-n", vpc["ns"], "addr", "add", "%s/%s" % (vsw["gateway"], prefix), "dev", vsw["dev"], "noprefixroute")
                _ip("-n", vpc["ns"], "link", "set", vsw["dev"], "up")
            router = layout["regions"][vpc["region"]]
            link = router["vpc_links"][vpc_id]
            self._veth(vpc["ns"], vpc["tr_dev"], vpc["tr_addr"] + "/30", router["ns"], link["dev"], link["addr"] + "/30")
        done = set()
        for region, router in sorted(layout["regions"].items()):
            for peer_region, link in sorted(router["peers"].items()):
                if (peer_region, region) in done:
                    continue
                other = layout["regions"][peer_region]["peers"][region]
                self._veth(router["ns"], link["dev"], link["addr"] + "/30", layout["regions"][peer_region]["ns"], other["dev"],
                           other["addr"] + "/30")
                done.add((region, peer_region))
        services = layout.get("services")
        if services:
            vpc = layout["vpcs"][services["vpc"]]
            self._veth(vpc["ns"], services["vpc_dev"], services["vpc_addr"] + "/30", services["ns"], services["dev"],
                       services["addr"] + "/30")
            for address in services["addresses"]:
                _ip("-n", services["ns"], "addr", "add", address + "/32", "dev", "lo")
        data_center = layout.get("data_center")
        if data_center:
            self._data_center_links(layout, data_center)
        for host in layout["hosts"].values():
            prefix = host["cidr"].split("/")[1]
            if host.get("gateway_host"):
                continue  # its address is on the LAN bridge (_data_center_links)
            if host.get("data_center"):
                self._veth(host["ns"], host["dev"], "%s/%s" % (host["ip"], prefix), data_center["ns"], host["router_dev"], None)
                _ip("-n", data_center["ns"], "link", "set", host["router_dev"], "master", data_center["lan_dev"])
                continue
            vpc = layout["vpcs"][host["vpc"]]
            self._veth(host["ns"], host["dev"], "%s/%s" % (host["ip"], prefix), vpc["ns"], host["router_dev"], None)
            _ip("-n", vpc["ns"], "link", "set", host["router_dev"], "master", vpc["vswitches"][host["vswitch"]]["dev"])

    def _data_center_links(self, layout, data_center):
        """The gateway host's LAN bridge (with the one route the data center itself provides: its own LAN) and its two
        tunnel links; every other route of the gateway is applied on it from outside, as on a real one."""
        ns, prefix = data_center["ns"], data_center["cidr"].split("/")[1]
        _ip("-n", ns, "link", "add", data_center["lan_dev"], "type", "bridge")
        _ip("-n", ns, "addr", "add", "%s/%s" % (data_center["lan_addr"], prefix), "dev", data_center["lan_dev"])
        _ip("-n", ns, "link", "set", data_center["lan_dev"], "up")
        # The gateway is an ordinary Linux host: its tunnel addresses come with their connected /30 (no noprefixroute),
        # so that a route "via" the far end works as on a real tunnel interface.
        vpn = data_center["vpn"]
        self._veth(layout["vpcs"][vpn["vpc"]]["ns"], vpn["vpc_dev"], vpn["vpc_addr"] + "/30", ns, vpn["dev"], None)
        _ip("-n", ns, "addr", "add", vpn["addr"] + "/30", "dev", vpn["dev"])
        tr = data_center["tr"]
        self._veth(layout["regions"][tr["region"]]["ns"], tr["tr_dev"], tr["tr_addr"] + "/30", ns, tr["dev"], None)
        _ip("-n", ns, "addr", "add", tr["addr"] + "/30", "dev", tr["dev"])

    def _rules(self, layout):
        """Policy routing that never changes with the cloud's state: which table traffic entering by which link uses."""
        for vpc in layout["vpcs"].values():
            for vsw in vpc["vswitches"].values():
                _ip("-n", vpc["ns"], "rule", "add", "pref", str(1000 + vsw["table"]), "iif", vsw["dev"], "lookup", str(vsw["table"]))
        for router in layout["regions"].values():
            for link in list(router["vpc_links"].values()) + list(router["peers"].values()):
                _ip("-n", router["ns"], "rule", "add", "pref", str(1000 + link["table"]), "iif", link["dev"], "lookup", str(link["table"]))
        data_center = layout.get("data_center")
        if data_center:
            tr = data_center["tr"]
            _ip("-n", layout["regions"][tr["region"]]["ns"], "rule", "add", "pref", str(1000 + tr["table"]), "iif", tr["tr_dev"],
                "lookup", str(tr["table"]))

    def _hosts(self, layout):
        private_key, authorized = hostlib.client_keys(self.workdir)
        self.state["ssh_key"] = private_key
        services = layout.get("services")
        for name, host in sorted(layout["hosts"].items()):
            paths = hostlib.prepare(self.workdir, host, services, authorized)
            pid = hostlib.start_sshd(host, paths)
            self.state["pids"]["sshd:" + name] = pid
            host["paths"] = paths
            self._save()
        for name, host in sorted(layout["hosts"].items()):
            if host["engines"] and "docker" in self.engines:
                self.state["pids"]["dockerd:" + name] = hostlib.start_dockerd(host, host["paths"], self.state["pids"]["sshd:" + name])
                self._save()

    def _start_supervisor(self, timeout=90.0):
        if os.path.exists(self.services_path):
            os.remove(self.services_path)
        log = open(os.path.join(self.workdir, "supervisor.log"), "a")
        try:
            process = subprocess.Popen([sys.executable, "-m", "net_twin", "supervise", self.workdir], stdin=subprocess.DEVNULL,
                                       stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=self.workdir,
                                       env=dict(os.environ, PYTHONPATH=PYTHONPATH))
        finally:
            log.close()
        self.state["pids"]["supervisor"] = process.pid
        self._save()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if os.path.exists(self.services_path):
                with open(self.services_path) as handle:
                    self.state["services"] = json.load(handle)
                self._save()
                return
            if process.poll() is not None:
                break
            time.sleep(0.1)
        with open(os.path.join(self.workdir, "supervisor.log"), errors="replace") as handle:
            raise RuntimeError("the supervisor did not report ready: %s" % handle.read()[-3000:])

    def _write_inventory(self, layout):
        groups = {}
        for name, host in sorted(layout["hosts"].items()):
            proxy = 'nsenter --net=/run/netns/%s socat STDIO TCP:%%h:%%p' % host["ns"]
            entry = {"ansible_host": host["ip"], "ansible_user": host["user"], "ansible_python_interpreter": "/usr/bin/python3",
                     "ansible_ssh_private_key_file": self.state["ssh_key"],
                     "ansible_ssh_common_args": '-o ProxyCommand="%s" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null' % proxy,
                     "net_twin_namespace": host["ns"], "net_twin_instance_id": host["instance"] or ""}
            if host["user"] != "root":
                entry["ansible_become"] = True
            groups.setdefault(host["group"], {"hosts": {}})["hosts"][name] = entry
        inventory = {"all": {"children": groups}}
        services = self.state.get("services") or {}
        if services.get("ca_path"):
            # what the collection needs to trust the twin's registry, and the image it holds: step 2's probe on
            # hangzhou-probe and step 4's clients use the test CA, the clients pull the seeded image
            inventory["all"]["vars"] = {"registry_endpoints_ca_path": services["ca_path"], "registry_client_ca_certificate": services["ca_path"],
                                        "registry_client_images": [services["image"]] if services.get("image") else []}
        try:
            import yaml

            text = yaml.safe_dump(inventory, default_flow_style=False, sort_keys=True)
        except ImportError:  # JSON is YAML too
            text = json.dumps(inventory, indent=2)
        with open(self.inventory_path, "w") as handle:
            handle.write("# written by net_twin up: hosts of the network twin, reached through their namespaces\n" + text)
        self.state["inventory"] = self.inventory_path

    # -- while up ----------------------------------------------------------------------------------------------
    def reconcile(self):
        """One reconcile pass now (the supervisor runs them every 0.3 s anyway); {namespace: [applied lines]}."""
        return reconciler.reconcile_once(self._state()["topology"], self._state()["twin"])

    def _state(self):
        if self.state is None:
            with open(self.state_path) as handle:
                self.state = json.load(handle)
        return self.state

    def host(self, name):
        return self._state()["topology"]["hosts"][name]

    def run(self, host_name, argv, **kwargs):
        """``argv`` inside the host's namespaces (net, mount, uts: its /etc and /run), as root."""
        pid = self._state()["pids"]["sshd:" + host_name]
        check = kwargs.pop("check", False)
        return subprocess.run(["nsenter", "-t", str(pid), "-m", "-u", "-n", "--"] + list(argv), check=check, **kwargs)

    def connects(self, host_name, address, port, timeout=1.0):
        return hostlib.connects(self.host(host_name)["ns"], address, port, timeout)

    @property
    def ca_path(self):
        return (self._state().get("services") or {}).get("ca_path")

    # -- down --------------------------------------------------------------------------------------------------
    def down(self):
        started = time.monotonic()
        state = self.state
        if state is None and os.path.exists(self.state_path):
            with open(self.state_path) as handle:
                state = json.load(handle)
        if state is not None:
            teardown(state)
        if os.path.exists(self.state_path):
            os.remove(self.state_path)
        if self.reaper is not None:
            self.reaper.stdin.close()  # it finds no state.json and exits
            self.reaper.wait(timeout=30)
            self.reaper = None
        self.state = None
        return round(time.monotonic() - started, 2)


def teardown(state):
    """Remove everything ``state`` records: the supervisor (it stops the registry services), engines, sshd, namespaces."""
    marker = state["workdir"]
    pids = state.get("pids", {})
    hostlib.stop_pid(pids.get("supervisor"), marker, timeout=15)
    for key, pid in sorted(pids.items()):
        if key.startswith("dockerd:"):
            hostlib.stop_pid(pid, marker, timeout=15)
    for key, pid in sorted(pids.items()):
        if key.startswith("sshd:"):
            hostlib.stop_pid(pid, marker, timeout=5)
    layout = state.get("topology") or {}
    names = list(state.get("namespaces", []))
    if layout:
        names += [n for n in topo.namespaces(layout) if n not in names]
    for name in reversed(names):
        delete_namespace(name)
