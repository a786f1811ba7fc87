#!/usr/bin/env python
"""`make bench`: how long the main job takes against the cloud twin, compared with its bound and its floor.

P1  full converge of playbooks/cross_region_access.yml, steps 1 to 3 (as tests/e2e/inventory/rehearsal.yml runs them:
    no probe host, the seed's endpoints given with registry_endpoints_known), on a fresh in-process twin at
    --scale (1 = the cloud's typical delays). Compared with the critical-path bound: the shortest time in which the
    twin's own delay table (tests/twin/acr_twin/products/_cbn_common.py DELAYS, the VPC route entry delay of
    tests/twin/acr_twin/products/vpc.py) and its preconditions let anyone create what the run created. The
    derivation is printed.
P2  the same playbook again on the converged twin, nothing to change: writes, reads per resource, module processes
    (an interpreter wrapper logs every module process) and wall time, compared with the floor measured in the same
    run: the processes counted x the cost of one process that imports ansible's module basics and the SDKs and
    makes no call.
P3  step 4 (the role registry_client: hosts block, CA, login with a temporary token, pull, verify) over 20, 50 and 100
    client hosts of the network twin (tests/e2e/net_twin, NetTwin(clients=N): namespace hosts reached over ssh, podman),
    against tests/bench/p3_bare.yml doing the same work with lineinfile, copy and command on the same hosts with the
    same forks (tests/bench/p3_role.yml runs the role). Each run starts from clean hosts (hosts file, CA, login and
    images removed), the two playbooks in turn. Ratio role / bare per size (goal <= 1.5) and linear growth: the
    per-host slope from the middle size to the largest against the one from the smallest to the middle (goal <= 1.25,
    no superlinear growth). Needs root (namespaces, sshd); BENCH_P3_SIZES="20,50,100" overrides the sizes.

    .venv/bin/python tests/bench/bench.py [--runs 3] [--scale 1] [--parts p1,p2,p3] [--output-dir build/bench]

Needs the collection importable from ANSIBLE_COLLECTIONS_PATH (make collection mirrors the working tree into
build/) and ansible-playbook next to the Python running this script. Prints the figures and whether each goal is
met; asserts nothing (the exit status is non-zero only when a playbook run fails).
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "twin"))

from acr_twin import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Twin, TwinServer  # noqa: E402
from acr_twin.products._cbn_common import DELAYS  # noqa: E402
from acr_twin.products.vpc import ROUTE_CHANGE_SECONDS  # noqa: E402

PLAYBOOK = os.path.join(ROOT, "playbooks", "cross_region_access.yml")
INVENTORIES = [os.path.join(ROOT, "tests", "demo", "inventory", "twin.yml"), os.path.join(ROOT, "tests", "e2e", "inventory", "rehearsal.yml")]

# The goals of issue #10
P1_GOAL = 1.15        # converge wall <= 1.15 x the critical-path bound
P2_GOAL = 1.3         # re-run wall <= 1.3 x (module processes x one bare process)
P2_MAX_PROCESSES = 8  # module processes of the re-run, for the seed
P3_GOAL = 1.5         # client role wall <= 1.5 x the bare playbook's, at each size
P3_LINEAR_GOAL = 1.25  # per-host slope between the two largest sizes <= 1.25 x the one between the two smallest
P3_SIZES = (20, 50, 100)
P3_FORKS = 10
P3_PLAYBOOKS = {"role": os.path.join(HERE, "p3_role.yml"), "bare": os.path.join(HERE, "p3_bare.yml")}

# What one module process of the collection imports before its first call: the floor of P2.
FLOOR_IMPORTS = ("import ansible.module_utils.basic, alibabacloud_tea_openapi.client, alibabacloud_tea_openapi.models, "
                 "alibabacloud_credentials.client, alibabacloud_vpc20160428.client, alibabacloud_vpc20160428.models, "
                 "alibabacloud_cbn20170912.client, alibabacloud_cbn20170912.models, "
                 "alibabacloud_cr20181201.client, alibabacloud_cr20181201.models")
FLOOR_SAMPLES = 5

# Each module process runs `<interpreter> .../AnsiballZ_<module>.py`: the wrapper logs it, then becomes the interpreter.
WRAPPER = """#!/bin/sh
printf '%s\\n' "$*" >> '{log}'
exec '{python}' "$@"
"""


def collections_path():
    """ANSIBLE_COLLECTIONS_PATH when set; else the tree this file sits in (build/ansible_collections/...) or build/."""
    if os.environ.get("ANSIBLE_COLLECTIONS_PATH"):
        return os.environ["ANSIBLE_COLLECTIONS_PATH"]
    parts = ROOT.split(os.sep)
    if parts[-3:-2] == ["ansible_collections"]:
        return os.sep.join(parts[:-3])
    return os.path.join(ROOT, "build")


class Playbook:
    """ansible-playbook of the main job against one twin, with every module process logged."""

    def __init__(self, endpoint, workdir):
        self.workdir = workdir
        self.log = os.path.join(workdir, "processes.log")
        self.interpreter = os.path.join(workdir, "python")
        with open(self.interpreter, "w", encoding="utf-8") as handle:
            handle.write(WRAPPER.format(log=self.log, python=sys.executable))
        os.chmod(self.interpreter, 0o755)
        home = os.path.join(workdir, "home")
        os.makedirs(home)
        self.env = dict(os.environ, ACR_ACCESS_ENDPOINT="http://%s" % endpoint, ALIBABA_CLOUD_ACCESS_KEY_ID=DEFAULT_ACCESS_KEY_ID,
                        ALIBABA_CLOUD_ACCESS_KEY_SECRET=DEFAULT_ACCESS_KEY_SECRET, ANSIBLE_COLLECTIONS_PATH=collections_path(), HOME=home,
                        ANSIBLE_LOCALHOST_WARNING="False", ANSIBLE_INVENTORY_UNPARSED_WARNING="False", ANSIBLE_NOCOLOR="1")
        for name in ("ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALICLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_SECURITY_TOKEN"):
            self.env.pop(name, None)

    def run(self):
        """(wall seconds, {module: processes}) of one run; exits with the output when the playbook fails."""
        if os.path.exists(self.log):
            os.unlink(self.log)
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook")]
        for inventory in INVENTORIES:
            command += ["-i", inventory]
        command += [PLAYBOOK, "-e", "ansible_python_interpreter=%s" % self.interpreter]
        started = time.monotonic()
        done = subprocess.run(command, env=self.env, capture_output=True, text=True, check=False, cwd=self.workdir)
        wall = time.monotonic() - started
        if done.returncode != 0:
            sys.exit("bench: the playbook failed (exit %d):\n%s%s" % (done.returncode, done.stdout[-6000:], done.stderr[-3000:]))
        return wall, module_processes(self.log)


def module_processes(log):
    counts = Counter()
    if os.path.exists(log):
        with open(log, encoding="utf-8") as handle:
            for line in handle:
                name = os.path.basename(line.split()[0]) if line.split() else ""
                counts[name[len("AnsiballZ_"):-3] if name.startswith("AnsiballZ_") and name.endswith(".py") else "(other)"] += 1
    return dict(counts)


def floor_process_seconds(samples=FLOOR_SAMPLES):
    """Median wall time of a process that imports ansible's module basics and the SDKs, and makes no call."""
    times = []
    for _sample in range(samples):
        started = time.monotonic()
        subprocess.run([sys.executable, "-c", FLOOR_IMPORTS], check=True)
        times.append(time.monotonic() - started)
    return statistics.median(times)


def created_resources(before, after):
    """{collection: [ids]} of what exists after the run and did not before."""
    created = {}
    for name, items in after.items():
        if isinstance(items, dict):
            new = sorted(set(items) - set(before.get(name, {})))
            if new:
                created[name] = new
    return created


def named_inputs():
    """The fixture resources the inventory names: the members' VPCs and vSwitches, the registry instance, the next hop."""
    with open(INVENTORIES[0], encoding="utf-8") as handle:
        variables = yaml.safe_load(handle)["all"]["vars"]
    names = []
    for member in variables["cen_connect_members"]:
        names += [member["vpc_id"]] + list(member.get("vswitch_ids", []))
    names.append(variables.get("registry_endpoints_instance_name") or variables.get("registry_endpoints_instance_id"))
    if variables.get("registry_routes_next_hop_instance_id"):
        names.append(variables["registry_routes_next_hop_instance_id"])
    return names


# -- the P1 bound --------------------------------------------------------------------------------------------
class Schedule:
    """Earliest times of events, each after its preconditions plus a delay, remembering what held it back."""

    def __init__(self):
        self.events = {}

    def after(self, name, preconditions, delay, why):
        known = [p for p in preconditions if p in self.events]
        start_by = max(known, key=lambda p: self.events[p][0]) if known else None
        start = self.events[start_by][0] if start_by else 0.0
        self.events[name] = (start + delay, why, start_by)
        return name

    def at(self, name, when, why, held_by=None):
        self.events[name] = (when, why, held_by)
        return name

    def time(self, name):
        return self.events[name][0]

    def critical_path(self):
        last = max(self.events, key=lambda n: self.events[n][0])
        path = []
        while last:
            path.append(last)
            last = self.events[last][2]
        return list(reversed(path))


def p1_bound(state, created):
    """(bound in seconds at time scale 1, derivation lines) for what the converge created."""
    plan = Schedule()
    cen = None
    for cen_id in created.get("cens", []):
        cen = plan.after("CEN %s Active" % cen_id, [], DELAYS["cen_create"], "CreateCen, then cen_create %gs" % DELAYS["cen_create"])
    routers = {}
    for tr_id in created.get("transit_routers", []):
        router = state["transit_routers"][tr_id]
        routers[tr_id] = plan.after("transit router %s Active" % router["RegionId"], [cen], DELAYS["tr_create"],
                                    "needs the CEN Active; tr_create %gs (its route table too)" % DELAYS["tr_create"])
    attachments = {}
    for att_id in created.get("tr_attachments", []):
        att = state["tr_attachments"][att_id]
        if att["ResourceType"] == "VPC":
            attachments[att_id] = plan.after("VPC attachment %s (%s) Attached" % (att["VpcId"], att["RegionId"]), [routers.get(att["TransitRouterId"])],
                                             DELAYS["vpc_attach"], "needs its transit router Active; vpc_attach %gs" % DELAYS["vpc_attach"])
        else:
            attachments[att_id] = plan.after("peer attachment %s-%s Attached" % (att["RegionId"], att["PeerTransitRouterRegionId"]),
                                             [routers.get(att["TransitRouterId"]), routers.get(att["PeerTransitRouterId"])], DELAYS["peer_attach"],
                                             "needs both transit routers Active; peer_attach %gs" % DELAYS["peer_attach"])
    propagations = {}
    for collection, delay_key, word in (("tr_associations", "association", "association"), ("tr_propagations", "propagation", "propagation")):
        for key in created.get(collection, []):
            att_id = key.split("/")[0]
            att = state["tr_attachments"].get(att_id, {})
            name = plan.after("%s of %s Active" % (word, att.get("VpcId") or att_id), [attachments.get(att_id)], DELAYS[delay_key],
                              "needs the attachment Attached (its table is Active by then); %s %gs" % (delay_key, DELAYS[delay_key]))
            if collection == "tr_propagations":
                propagations[att_id] = name
    # Route entries: a table refuses a change while one of its entries is Pending (TaskConflict), so one at a time per
    # table; an entry through an attachment needs it Attached, one to an ECS instance can start at once.
    entries = {}
    tables = {}
    for entry_id in created.get("route_entries", []):
        entry = state["route_entries"][entry_id]
        release = attachments.get(entry["NextHopId"]) if entry.get("NextHopType") == "Attachment" else None
        tables.setdefault(entry["RouteTableId"], []).append((plan.time(release) if release else 0.0, entry_id, release))
    for table_id, rows in sorted(tables.items()):
        previous = None
        for _release_time, entry_id, release in sorted(rows):
            entry = state["route_entries"][entry_id]
            entries[entry_id] = previous = plan.after(
                "route %s in %s Available" % (entry["DestinationCidrBlock"], table_id), [previous, release], ROUTE_CHANGE_SECONDS,
                "one at a time in its table%s; %gs" % (", after its attachment" if release else "", ROUTE_CHANGE_SECONDS))
    published = []
    for key in created.get("published_routes", []):
        record = state["published_routes"][key]
        entry_name = entries.get(record["RouteEntryId"])
        vpc_attachment = [a for a, v in state["tr_attachments"].items() if v.get("VpcId") == record["ChildInstanceId"] and a in attachments]
        # PublishRouteEntries needs the entry to exist (created: its Available time minus the route delay) and the VPC
        # attached to the CEN (the attachment exists from its transit router's Active time on).
        ready = max([plan.time(entry_name) - ROUTE_CHANGE_SECONDS if entry_name else 0.0]
                    + [plan.time(routers[state["tr_attachments"][a]["TransitRouterId"]]) for a in vpc_attachment])
        cidr = record["DestinationCidrBlock"]
        plan.at("publish %s may start" % cidr, ready, "the entry exists and the VPC has an attachment", entry_name)
        published.append(plan.after("route %s published" % cidr, ["publish %s may start" % cidr], DELAYS["publish"],
                                    "publish %gs" % DELAYS["publish"]))
        # the other transit router learns it over the peer attachment once the publishing VPC's attachment propagates
        peers = [attachments[a] for a in attachments if state["tr_attachments"][a]["ResourceType"] == "TR"]
        owner = [propagations[a] for a in vpc_attachment if a in propagations]
        plan.after("route %s learned by the peer transit router" % cidr,
                   published[-1:] + peers + owner, 0.0, "needs it published, the peer attachment Attached, its attachment propagating")
    end = max(plan.time(n) for n in plan.events) if plan.events else 0.0
    lines = ["P1 bound: the earliest time the twin lets anyone create what the converge created (time scale 1;",
             "  delays from acr_twin.products._cbn_common.DELAYS and vpc.ROUTE_CHANGE_SECONDS; reads cost nothing)"]
    for name, (at, why, by) in sorted(plan.events.items(), key=lambda kv: (kv[1][0], kv[0])):
        if name.startswith("publish ") and name.endswith(" may start"):
            continue
        lines.append("  %7.1f s  %-62s %s%s" % (at, name, why, " [after: %s]" % by if by else ""))
    lines.append("  critical path: " + " -> ".join(plan.critical_path()))
    lines.append("  bound = %.1f s x time scale" % end)
    return end, lines


# -- one run -------------------------------------------------------------------------------------------------
def one_run(scale, index, runs, floor_samples=FLOOR_SAMPLES):
    """P1 then P2 on one fresh twin."""
    twin = Twin(fixture="seed", time_scale=scale)
    before = twin.cloud.dump()
    with TwinServer(twin) as server, tempfile.TemporaryDirectory(prefix="acr-bench.") as workdir:
        playbook = Playbook(server.endpoint, workdir)
        print("bench: run %d/%d: P1 converge at time scale %g ..." % (index, runs, scale), flush=True)
        p1_wall, p1_processes = playbook.run()
        after = twin.cloud.dump()
        created = created_resources(before, after)
        bound, derivation = p1_bound(after, created)
        pending = twin.cloud.pending_tasks()
        seq = twin.last_seq()
        p1_calls = twin.calls()
        print("bench: run %d/%d: P1 %.1f s; P2 re-run ..." % (index, runs, p1_wall), flush=True)
        p2_wall, p2_processes = playbook.run()
        calls = twin.calls(since=seq)
        floor_one = floor_process_seconds(floor_samples)
    reads = [c for c in calls if not c["write"]]
    resources = sum(len(v) for v in created.values()) + len(named_inputs())
    processes = sum(p2_processes.values())
    return {
        "p1": {"wall_seconds": round(p1_wall, 2), "bound_seconds": round(bound * scale, 2),
               "ratio": round(p1_wall / (bound * scale), 3) if bound * scale > 0 else None,
               "module_processes": sum(p1_processes.values()), "module_processes_by_module": p1_processes,
               "calls": len(p1_calls), "writes": sum(1 for c in p1_calls if c["write"]),
               "created": dict((k, len(v)) for k, v in created.items()), "pending_after": pending,
               "bound_at_scale_1": round(bound, 2), "derivation": derivation},
        "p2": {"wall_seconds": round(p2_wall, 2), "module_processes": processes, "module_processes_by_module": p2_processes,
               "floor_process_seconds": round(floor_one, 3), "floor_seconds": round(processes * floor_one, 2),
               "ratio": round(p2_wall / (processes * floor_one), 3) if processes else None,
               "writes": sum(1 for c in calls if c["write"]), "reads": len(reads), "resources": resources,
               "reads_per_resource": round(len(reads) / float(resources), 3),
               "calls_by_action": dict(sorted(Counter(c["action"] for c in calls).items(), key=lambda kv: (-kv[1], kv[0])))},
    }


# -- P3: the client role over N hosts -----------------------------------------------------------------------------
def p3_sizes():
    """BENCH_P3_SIZES ("20,50,100") or P3_SIZES, ascending."""
    text = os.environ.get("BENCH_P3_SIZES", "")
    sizes = sorted(set(int(word) for word in text.replace(",", " ").split())) if text.strip() else list(P3_SIZES)
    if not sizes or sizes[0] < 1:
        sys.exit("bench: BENCH_P3_SIZES must list positive host counts, e.g. 20,50,100")
    return sizes


RECAP = re.compile(r"^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)

# What a clean client host looks like before each run: its hosts file as the network twin wrote it, no CA, no
# login (podman's auth file is under /run/containers), no image (podman's run root and libpod's tmp dir; the graph
# root, in the twin's workdir, is removed from outside).
RESET = 'printf "%s" "$1" > /etc/hosts && rm -rf /etc/containers/certs.d/* /run/containers /run/libpod'


class ClientBench:
    """One network twin with the largest size's client hosts; each size runs on its first N of them."""

    def __init__(self, sizes, workdir):
        sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
        from net_twin import NetTwin
        from net_twin.scenario import Scenario

        self.sizes, self.workdir = sizes, workdir
        self.twin = Twin(fixture="seed", time_scale=0.0)
        self.server = TwinServer(self.twin)
        self.server.__enter__()
        # steps 1 to 3 in the cloud twin at once (the SDK calls of the roles): the network twin routes the clients'
        # packets to the registry, the auth service and OSS from the start
        Scenario(self.server.endpoint).build()
        self.net = NetTwin(os.path.join(workdir, "net"), "http://%s" % self.server.endpoint, prefix="p3b%d" % os.getpid(), engines=("podman",),
                           clients=sizes[-1])
        started = time.monotonic()
        self.net.up()
        self.up_seconds = time.monotonic() - started
        topology = self.net.state["topology"]
        self.clients = sorted(name for name, host in topology["hosts"].items() if host.get("routes_once"))
        services = topology["services"]
        instance = self.twin.cloud.dump()["cr_instances"][services["instance"]]
        # the registry_endpoints fact step 2 would give, and the hosts entries it means
        self.endpoints = {"instance_id": services["instance"], "instance_name": instance["InstanceName"], "region": services["region"],
                          "takeover": False}
        for kind in ("registry", "auth", "oss"):
            self.endpoints[kind] = {"domain": services[kind + "_domain"], "addresses": [services[kind + "_ip"]]}
        self.entries = [{"ip": services[kind + "_ip"], "names": [services[kind + "_domain"]]} for kind in ("registry", "auth", "oss")]
        self.image = "%s/%s" % (services["registry_domain"], self.net.state["services"]["image"])
        self.original_hosts = dict((name, self._on(name, ["cat", "/etc/hosts"])) for name in self.clients)
        self._wait_reachable(services["registry_ip"])
        local = os.path.join(workdir, "localhost.yml")
        with open(local, "w", encoding="utf-8") as handle:
            json.dump({"all": {"hosts": {"localhost": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}}}}, handle)
        self.inventory = [local, self.net.inventory_path]
        self.extra = os.path.join(workdir, "p3-vars.json")
        with open(self.extra, "w", encoding="utf-8") as handle:
            json.dump({"p3_endpoints": self.endpoints, "p3_entries": self.entries}, handle)
        home = os.path.join(workdir, "home")
        os.makedirs(home, exist_ok=True)
        self.env = dict(os.environ, ACR_ACCESS_ENDPOINT="http://%s" % self.server.endpoint, ALIBABA_CLOUD_ACCESS_KEY_ID=DEFAULT_ACCESS_KEY_ID,
                        ALIBABA_CLOUD_ACCESS_KEY_SECRET=DEFAULT_ACCESS_KEY_SECRET, ANSIBLE_COLLECTIONS_PATH=collections_path(), HOME=home,
                        ANSIBLE_LOCALHOST_WARNING="False", ANSIBLE_NOCOLOR="1", ANSIBLE_HOST_KEY_CHECKING="False",
                        ANSIBLE_FORKS=str(P3_FORKS), ANSIBLE_LOCAL_TEMP=os.path.join(workdir, "ansible-tmp"),
                        # one ssh exec per module instead of a copy, a chmod and an exec: what runs over many hosts use,
                        # for both playbooks (a root login: no requiretty, no become)
                        ANSIBLE_PIPELINING="True")
        if os.environ.get("BENCH_P3_CALLBACKS"):  # e.g. ansible.posix.profile_tasks: where the time goes
            self.env["ANSIBLE_CALLBACKS_ENABLED"] = os.environ["BENCH_P3_CALLBACKS"]
        for name in ("ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALICLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_SECURITY_TOKEN"):
            self.env.pop(name, None)
        self.count = 0

    def _on(self, name, argv):
        done = self.net.run(name, argv, capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            sys.exit("bench: P3: %s on %s failed: %s" % (" ".join(argv), name, done.stderr[-2000:]))
        return done.stdout

    def _wait_reachable(self, address, timeout=30.0):
        deadline = time.monotonic() + timeout
        while not self.net.connects(self.clients[0], address, 443, timeout=0.5):
            if time.monotonic() > deadline:
                sys.exit("bench: P3: %s does not reach the registry %s:443 (the network twin's routes)" % (self.clients[0], address))
            time.sleep(0.2)

    def reset(self, hosts):
        for name in hosts:
            self._on(name, ["sh", "-c", RESET, "reset", self.original_hosts[name]])
            storage = self.net.host(name)["paths"]["storage"]
            if os.path.isdir(storage):
                subprocess.run(["rm", "-rf", storage], check=True)

    def run(self, which, size):
        """Wall seconds of one playbook on the first ``size`` clients, from clean hosts and without ssh connections."""
        hosts = self.clients[:size]
        self.reset(hosts)
        self.count += 1
        control = os.path.join(self.workdir, "cp-%d" % self.count)  # no connection of an earlier run is reused
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook")]
        for inventory in self.inventory:
            command += ["-i", inventory]
        command += [P3_PLAYBOOKS[which], "-e", "@" + self.extra, "--limit", ",".join(hosts)]
        started = time.monotonic()
        done = subprocess.run(command, env=dict(self.env, ANSIBLE_SSH_CONTROL_PATH_DIR=control), capture_output=True, text=True,
                              check=False, cwd=self.workdir)
        wall = time.monotonic() - started
        close_masters(control)
        output = done.stdout + done.stderr
        if os.environ.get("BENCH_P3_LOG_DIR"):  # each playbook's output, to read where the time goes
            os.makedirs(os.environ["BENCH_P3_LOG_DIR"], exist_ok=True)
            with open(os.path.join(os.environ["BENCH_P3_LOG_DIR"], "%02d-%s-%d.log" % (self.count, which, size)), "w", encoding="utf-8") as handle:
                handle.write(output)
        recap = dict((m[0], [int(n) for n in m[1:]]) for m in RECAP.findall(done.stdout))
        bad = [h for h in hosts if h not in recap or recap[h][2] or recap[h][3] or not recap[h][1]]
        if done.returncode != 0 or bad:
            sys.exit("bench: P3: the %s playbook failed on %d host(s) (exit %d):\n%s" % (which, len(bad), done.returncode, output[-8000:]))
        # the real work is done: the first and the last host hold the image and the registry's hosts entry
        for name in (hosts[0], hosts[-1]):
            self._on(name, ["podman", "image", "exists", self.image])
            if self.endpoints["registry"]["domain"] not in self._on(name, ["cat", "/etc/hosts"]):
                sys.exit("bench: P3: no hosts entry of the registry on %s after the %s playbook" % (name, which))
        return wall, output

    def close(self):
        try:
            self.net.down()
        finally:
            self.server.__exit__(None, None, None)


def close_masters(directory):
    """Ends the ssh control masters (ControlPersist) an ansible-playbook run left in ``directory``."""
    if not os.path.isdir(directory):
        return
    for name in os.listdir(directory):
        subprocess.run(["ssh", "-o", "ControlPath=%s" % os.path.join(directory, name), "-O", "exit", "p3"], capture_output=True, check=False)


def p3_measure(runs, sizes, progress=None):
    """{"sizes": [...], "walls": {size: {"role": [...], "bare": [...]}}, ...}: every run, both playbooks in turn (the order
    alternates from run to run, so that neither always runs on a machine the other just warmed)."""
    workdir = tempfile.mkdtemp(prefix="acr-bench-p3.", dir="/tmp")  # the hosts' users traverse it: not a 0700 directory
    os.chmod(workdir, 0o755)
    bench = None
    try:
        print("bench: P3: network twin with %d client hosts ..." % sizes[-1], flush=True)
        bench = ClientBench(sizes, workdir)
        print("bench: P3: up in %.1f s" % bench.up_seconds, flush=True)
        walls = dict((size, {"role": [], "bare": []}) for size in sizes)
        # the machine's 1-minute load average after each playbook: other work on the machine shows in the walls
        loads = dict((size, {"role": [], "bare": []}) for size in sizes)
        for index in range(runs):
            for size in sizes:
                for which in (("role", "bare") if index % 2 == 0 else ("bare", "role")):
                    wall, _output = bench.run(which, size)
                    walls[size][which].append(round(wall, 2))
                    loads[size][which].append(round(os.getloadavg()[0], 2))
                    if progress:  # the walls so far, should a long run be stopped before its end
                        with open(progress, "w", encoding="utf-8") as handle:
                            json.dump({"sizes": sizes, "walls": dict((str(k), v) for k, v in walls.items()),
                                       "load_after": dict((str(k), v) for k, v in loads.items())}, handle, indent=1)
                    print("bench: P3: run %d/%d, %d hosts, %s: %.1f s (load average %.1f)" % (
                        index + 1, runs, size, which, wall, loads[size][which][-1]), flush=True)
        return {"sizes": sizes, "forks": P3_FORKS, "engine": "podman", "up_seconds": round(bench.up_seconds, 1), "walls": walls,
                "load_after": dict((str(k), v) for k, v in loads.items())}
    finally:
        if bench is not None:
            bench.close()
        shutil.rmtree(workdir, ignore_errors=True)


def p3_figures(measured):
    """Per size: median walls, ratio role / bare; per playbook: per-host slopes between sizes and the linearity ratio."""
    sizes = measured["sizes"]
    per_size = {}
    for size in sizes:
        role, bare = measured["walls"][size]["role"], measured["walls"][size]["bare"]
        ratio = statistics.median(role) / statistics.median(bare)
        per_size[size] = {"role_min": min(role), "role_median": statistics.median(role), "bare_min": min(bare),
                          "bare_median": statistics.median(bare), "ratio": round(ratio, 3), "met": ratio <= P3_GOAL,
                          "role_per_host": round(statistics.median(role) / size, 3), "bare_per_host": round(statistics.median(bare) / size, 3)}
    linear = {}
    for which in ("role", "bare"):
        medians = [per_size[size][which + "_median"] for size in sizes]
        slopes = [round((medians[i + 1] - medians[i]) / float(sizes[i + 1] - sizes[i]), 3) for i in range(len(sizes) - 1)]
        growth = round(slopes[-1] / slopes[0], 3) if len(slopes) >= 2 and slopes[0] > 0 else None
        linear[which] = {"slopes_seconds_per_host": slopes, "slope_ratio": growth,
                         "met": None if growth is None else growth <= P3_LINEAR_GOAL}
    return {"per_size": per_size, "linear": linear}


def p3_rows(figures, sizes):
    rows = []
    for size in sizes:
        f = figures["per_size"][size]
        rows.append({"figure": "P3 client role, %d hosts" % size, "min": f["role_min"], "median": f["role_median"], "unit": "s",
                     "goal": "<= %.1f x the bare playbook (min %.1f s, median %.1f s)" % (P3_GOAL, f["bare_min"], f["bare_median"]),
                     "ratio": round(f["ratio"], 2), "met": f["met"]})
    for which in ("role", "bare"):
        lin = figures["linear"][which]
        if lin["slope_ratio"] is None:
            continue
        slopes = lin["slopes_seconds_per_host"]
        rows.append({"figure": "P3 linear growth, %s" % ("client role" if which == "role" else "bare playbook"), "min": slopes[0],
                     "median": slopes[-1], "unit": "s/host",
                     "goal": "per-host slope %d-%d hosts <= %.2f x the one %d-%d (min column: %d-%d, median column: %d-%d)" % (
                         sizes[-2], sizes[-1], P3_LINEAR_GOAL, sizes[0], sizes[1], sizes[0], sizes[1], sizes[-2], sizes[-1]),
                     "ratio": round(lin["slope_ratio"], 2), "met": lin["met"]})
    return rows


# -- the table ---------------------------------------------------------------------------------------------------
def spread(values):
    return min(values), statistics.median(values)


def table(runs, scale, p3=None, p3_text=None):
    """Rows (figure, min, median, goal, ratio of the median to the goal's reference, met) and the printed table."""
    rows = []

    def row(figure, values, goal, ratio, met, unit="s"):
        low, mid = spread(values)
        rows.append({"figure": figure, "min": low, "median": mid, "unit": unit, "goal": goal, "ratio": ratio, "met": met})

    if runs:
        p1 = [r["p1"] for r in runs]
        p2 = [r["p2"] for r in runs]
        bound = p1[0]["bound_seconds"]
        p1_mid = statistics.median(r["wall_seconds"] for r in p1)
        p1_ratio = round(p1_mid / bound, 2) if bound else None
        row("P1 converge wall (scale %g)" % scale, [r["wall_seconds"] for r in p1], "<= %.2f x bound %.1f s" % (P1_GOAL, bound),
            p1_ratio, p1_ratio is not None and p1_ratio <= P1_GOAL)
        p2_ratios = [r["ratio"] for r in p2]
        p2_mid = statistics.median(p2_ratios)
        floor = statistics.median(r["floor_seconds"] for r in p2)
        row("P2 re-run wall", [r["wall_seconds"] for r in p2], "<= %.1f x floor: its processes x one bare process (median %.1f s)" % (
            P2_GOAL, floor), round(p2_mid, 2), p2_mid <= P2_GOAL)
        eight = [r["wall_seconds"] / (P2_MAX_PROCESSES * r["floor_process_seconds"]) for r in p2]
        row("P2 re-run wall vs %d processes" % P2_MAX_PROCESSES, [r["wall_seconds"] for r in p2],
            "<= %.1f x %d x one bare process" % (P2_GOAL, P2_MAX_PROCESSES), round(statistics.median(eight), 2),
            statistics.median(eight) <= P2_GOAL)
        row("P2 floor: one bare process", [r["floor_process_seconds"] for r in p2], "(imports, no call)", None, None)
        processes = [r["module_processes"] for r in p2]
        row("P2 module processes", processes, "<= %d" % P2_MAX_PROCESSES, round(statistics.median(processes) / float(P2_MAX_PROCESSES), 2),
            statistics.median(processes) <= P2_MAX_PROCESSES, unit="")
        writes = [r["writes"] for r in p2]
        row("P2 writes", writes, "0", None, max(writes) == 0, unit="")
        per_resource = [r["reads_per_resource"] for r in p2]
        row("P2 reads per resource", per_resource, "<= 1 (%d reads / %d resources)" % (p2[0]["reads"], p2[0]["resources"]),
            round(statistics.median(per_resource), 2), statistics.median(per_resource) <= 1, unit="")
        row("P1 module processes", [r["module_processes"] for r in p1], "(for information)", None, None, unit="")
    rows += p3 or []
    lines = ["| figure | min | median | goal | ratio | goal met |", "| --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        if r["unit"] == "s":
            fmt = "%.2f %s" if r["median"] < 10 else "%.1f %s"
        elif r["unit"] == "s/host":
            fmt = "%.3f %s"
        else:
            fmt = "%g%s"
        lines.append("| %s | %s | %s | %s | %s | %s |" % (
            r["figure"], (fmt % (r["min"], r["unit"])).strip(), (fmt % (r["median"], r["unit"])).strip(), r["goal"],
            "-" if r["ratio"] is None else "%.2f" % r["ratio"], "-" if r["met"] is None else ("yes" if r["met"] else "no")))
    if p3_text:
        lines.append("| P3 client role over hosts | - | - | - | - | %s |" % p3_text)
    return rows, lines


def git(*args):
    try:
        return subprocess.run(["git", "-C", ROOT] + list(args), capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def machine():
    cpus = os.cpu_count()
    model = None
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            model = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), None)
    ansible_version = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "--version"],
                                     capture_output=True, text=True, check=False).stdout.splitlines()[:1]
    return {"node": platform.node(), "system": platform.platform(), "cpus": cpus, "cpu_model": model, "python": platform.python_version(),
            "ansible": ansible_version[0] if ansible_version else None, "load_average_at_start": list(os.getloadavg())}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of P1 + P2 (each on a fresh twin) and of P3 at each size (default 3)")
    parser.add_argument("--scale", type=float, default=1.0, help="twin time scale of P1 (default 1: the cloud's typical delays)")
    parser.add_argument("--floor-samples", type=int, default=FLOOR_SAMPLES, help="bare processes timed per run for the P2 floor (median)")
    parser.add_argument("--parts", default=None,
                        help="what to measure: p1,p2 (together: P2 re-runs P1's twin) and/or p3 (root); default all three as root, "
                             "else p1,p2")
    parser.add_argument("--output-dir", default=os.path.join(ROOT, "build", "bench"), help="where the JSON goes (default build/bench)")
    args = parser.parse_args()
    if args.parts is None:
        args.parts = "p1,p2,p3" if os.geteuid() == 0 else "p1,p2"
    parts = set(word.strip().lower() for word in args.parts.split(",") if word.strip())
    if not parts or parts - {"p1", "p2", "p3"}:
        parser.error("--parts: a comma-separated list of p1, p2, p3")
    converge = bool(parts & {"p1", "p2"})
    # The modules pace their reads on the cloud's typical times; on a twin at another time scale, on its clock.
    os.environ.setdefault("ACR_ACCESS_WAIT_SCALE", repr(args.scale))
    if args.scale <= 0:
        parser.error("--scale must be positive: at 0 the bound is 0 and P1 has no ratio (use 0.02 for a quick try)")
    if "p3" in parts and os.geteuid() != 0:
        parser.error("--parts p3 needs root (the network twin's namespaces and sshd); leave it out with --parts p1,p2")
    started = datetime.datetime.now(datetime.timezone.utc)
    host = machine()
    # what is measured is the tree at the start (a long run may see commits made meanwhile)
    commit = git("rev-parse", "HEAD")
    dirty = git("status", "--porcelain", "--untracked-files=no")
    runs = [one_run(args.scale, i + 1, args.runs, args.floor_samples) for i in range(args.runs)] if converge else []
    p3 = p3_report = None
    p3_text = "not measured in this run (--parts %s%s)" % (args.parts, "; P3 needs root" if os.geteuid() else "") if "p3" not in parts else None
    if "p3" in parts:
        sizes = p3_sizes()
        os.makedirs(args.output_dir, exist_ok=True)
        measured = p3_measure(args.runs, sizes, os.path.join(args.output_dir, "p3-progress-%s.json" % started.strftime("%Y%m%dT%H%M%SZ")))
        figures = p3_figures(measured)
        p3 = p3_rows(figures, sizes)
        p3_report = dict(measured, figures=figures, walls=dict((str(k), v) for k, v in measured["walls"].items()),
                         goals={"ratio": P3_GOAL, "slope_ratio": P3_LINEAR_GOAL})
        p3_report["figures"]["per_size"] = dict((str(k), v) for k, v in figures["per_size"].items())
    rows, lines = table(runs, args.scale, p3, p3_text)
    host["load_average_at_end"] = list(os.getloadavg())
    print()
    if runs:
        print("\n".join(runs[0]["p1"]["derivation"]))
        print()
        print("P2 re-run (run 1): twin calls by action: %s" % json.dumps(runs[0]["p2"]["calls_by_action"]))
        print("P2 re-run (run 1): module processes by module: %s" % json.dumps(runs[0]["p2"]["module_processes_by_module"]))
        print("P2 floor: %d module processes x %.3f s (median of %d processes doing `%s`)" % (
            runs[0]["p2"]["module_processes"], runs[0]["p2"]["floor_process_seconds"], args.floor_samples, FLOOR_IMPORTS))
        print()
    if p3_report:
        for size in p3_report["sizes"]:
            walls = p3_report["walls"][str(size)]
            print("P3 %d hosts (%d forks, podman): role %s s, bare %s s" % (size, P3_FORKS, walls["role"], walls["bare"]))
        for which, lin in sorted(p3_report["figures"]["linear"].items()):
            print("P3 %s: seconds per added host between sizes %s, ratio last/first %s" % (
                which, lin["slopes_seconds_per_host"], lin["slope_ratio"]))
        print()
    print("%d run(s), commit %s%s, %s, %s (%d CPUs), load average %.2f at start, %.2f at the end" % (
        args.runs, (commit or "unknown")[:12], " + uncommitted changes" if dirty else "", started.strftime("%Y-%m-%d %H:%M UTC"),
        host["node"], host["cpus"] or 0, host["load_average_at_start"][0], host["load_average_at_end"][0]))
    print("\n".join(lines))
    if p3_text:
        print("P3: %s" % p3_text)
    report = {"commit": commit, "uncommitted_changes": bool(dirty), "uncommitted_files": [line.split(None, 1)[-1] for line in (dirty or "").splitlines()],
              "date": started.isoformat(timespec="seconds"), "machine": host, "parts": sorted(parts),
              "runs": args.runs, "time_scale": args.scale,
              "goals": {"p1_ratio": P1_GOAL, "p2_ratio": P2_GOAL, "p2_processes": P2_MAX_PROCESSES, "p3_ratio": P3_GOAL,
                        "p3_slope_ratio": P3_LINEAR_GOAL},
              "table": rows, "table_markdown": lines, "p3": p3_report if p3_report else p3_text, "run_details": runs}
    os.makedirs(args.output_dir, exist_ok=True)
    path = os.path.join(args.output_dir, "%s-%s.json" % (started.strftime("%Y%m%dT%H%M%SZ"), (commit or "nocommit")[:12]))
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(report, handle, indent=2)
        handle.write("\n")
    print("bench: JSON written to %s" % path)


if __name__ == "__main__":
    main()
