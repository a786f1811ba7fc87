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
P3  not measured (needs a clients=N knob in tests/e2e/net_twin/topology.py).

    .venv/bin/python tests/bench/bench.py [--runs 3] [--scale 1] [--output-dir build/bench]

Needs the collection importable from ANSIBLE_COLLECTIONS_PATH (make collection mirrors the working tree into
build/) and ansible-playbook next to the Python running this script. Prints the figures and whether each goal is
met; asserts nothing (the exit status is non-zero only when a playbook run fails).
"""

import argparse
import datetime
import json
import os
import platform
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
P3_TEXT = "not measured (needs a clients=N knob in tests/e2e/net_twin/topology.py)"

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


# -- the table ---------------------------------------------------------------------------------------------------
def spread(values):
    return min(values), statistics.median(values)


def table(runs, scale):
    """Rows (figure, min, median, goal, ratio of the median to the goal's reference, met) and the printed table."""
    p1 = [r["p1"] for r in runs]
    p2 = [r["p2"] for r in runs]
    bound = p1[0]["bound_seconds"]
    rows = []

    def row(figure, values, goal, ratio, met, unit="s"):
        low, mid = spread(values)
        rows.append({"figure": figure, "min": low, "median": mid, "unit": unit, "goal": goal, "ratio": ratio, "met": met})

    p1_mid = statistics.median(r["wall_seconds"] for r in p1)
    p1_ratio = round(p1_mid / bound, 2) if bound else None
    row("P1 converge wall (scale %g)" % scale, [r["wall_seconds"] for r in p1], "<= %.2f x bound %.1f s" % (P1_GOAL, bound),
        p1_ratio, p1_ratio is not None and p1_ratio <= P1_GOAL)
    p2_ratios = [r["ratio"] for r in p2]
    p2_mid = statistics.median(p2_ratios)
    floor = statistics.median(r["floor_seconds"] for r in p2)
    row("P2 re-run wall", [r["wall_seconds"] for r in p2], "<= %.1f x floor: its processes x one bare process (median %.1f s)" % (P2_GOAL, floor),
        round(p2_mid, 2), p2_mid <= P2_GOAL)
    eight = [r["wall_seconds"] / (P2_MAX_PROCESSES * r["floor_process_seconds"]) for r in p2]
    row("P2 re-run wall vs %d processes" % P2_MAX_PROCESSES, [r["wall_seconds"] for r in p2],
        "<= %.1f x %d x one bare process" % (P2_GOAL, P2_MAX_PROCESSES), round(statistics.median(eight), 2), statistics.median(eight) <= P2_GOAL)
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
    lines = ["| figure | min | median | goal | ratio | goal met |", "| --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        fmt = ("%.2f %s" if r["median"] < 10 else "%.1f %s") if r["unit"] == "s" else "%g%s"
        lines.append("| %s | %s | %s | %s | %s | %s |" % (
            r["figure"], (fmt % (r["min"], r["unit"])).strip(), (fmt % (r["median"], r["unit"])).strip(), r["goal"],
            "-" if r["ratio"] is None else "%.2f" % r["ratio"], "-" if r["met"] is None else ("yes" if r["met"] else "no")))
    lines.append("| P3 client role over 20/50/100 hosts | - | - | - | - | %s |" % P3_TEXT)
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
    parser.add_argument("--runs", type=int, default=3, help="runs of P1 + P2, each on a fresh twin (default 3)")
    parser.add_argument("--scale", type=float, default=1.0, help="twin time scale of P1 (default 1: the cloud's typical delays)")
    parser.add_argument("--floor-samples", type=int, default=FLOOR_SAMPLES, help="bare processes timed per run for the P2 floor (median)")
    parser.add_argument("--output-dir", default=os.path.join(ROOT, "build", "bench"), help="where the JSON goes (default build/bench)")
    args = parser.parse_args()
    # The modules pace their reads on the cloud's typical times; on a twin at another time scale, on its clock.
    os.environ.setdefault("ACR_ACCESS_WAIT_SCALE", repr(args.scale))
    if args.scale <= 0:
        parser.error("--scale must be positive: at 0 the bound is 0 and P1 has no ratio (use 0.02 for a quick try)")
    started = datetime.datetime.now(datetime.timezone.utc)
    host = machine()
    runs = [one_run(args.scale, i + 1, args.runs, args.floor_samples) for i in range(args.runs)]
    rows, lines = table(runs, args.scale)
    host["load_average_at_end"] = list(os.getloadavg())
    print()
    print("\n".join(runs[0]["p1"]["derivation"]))
    print()
    print("P2 re-run (run 1): twin calls by action: %s" % json.dumps(runs[0]["p2"]["calls_by_action"]))
    print("P2 re-run (run 1): module processes by module: %s" % json.dumps(runs[0]["p2"]["module_processes_by_module"]))
    print("P2 floor: %d module processes x %.3f s (median of %d processes doing `%s`)" % (
        runs[0]["p2"]["module_processes"], runs[0]["p2"]["floor_process_seconds"], args.floor_samples, FLOOR_IMPORTS))
    print()
    commit = git("rev-parse", "HEAD")
    dirty = git("status", "--porcelain", "--untracked-files=no")
    print("%d run(s), commit %s%s, %s, %s (%d CPUs), load average %.2f at start, %.2f at the end" % (
        args.runs, (commit or "unknown")[:12], " + uncommitted changes" if dirty else "", started.strftime("%Y-%m-%d %H:%M UTC"),
        host["node"], host["cpus"] or 0, host["load_average_at_start"][0], host["load_average_at_end"][0]))
    print("\n".join(lines))
    print("P3: %s" % P3_TEXT)
    report = {"commit": commit, "uncommitted_changes": bool(dirty), "uncommitted_files": [line.split(None, 1)[-1] for line in (dirty or "").splitlines()],
              "date": started.isoformat(timespec="seconds"), "machine": host,
              "runs": args.runs, "time_scale": args.scale, "goals": {"p1_ratio": P1_GOAL, "p2_ratio": P2_GOAL, "p2_processes": P2_MAX_PROCESSES},
              "table": rows, "table_markdown": lines, "p3": P3_TEXT, "run_details": runs}
    os.makedirs(args.output_dir, exist_ok=True)
    path = os.path.join(args.output_dir, "%s-%s.json" % (started.strftime("%Y%m%dT%H%M%SZ"), (commit or "nocommit")[:12]))
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(report, handle, indent=2)
        handle.write("\n")
    print("bench: JSON written to %s" % path)


if __name__ == "__main__":
    main()
