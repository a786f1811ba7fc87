"""The reliability suite's harness: the whole main job (playbooks/cross_region_access.yml, then playbooks/teardown.yml)
run with ansible-playbook against the cloud twin, and a census of what the cloud holds afterwards.

The playbooks run as a user runs them, with the seed inventory and tests/e2e/inventory/rehearsal.yml (the seed's endpoints
given instead of probed, so no network namespace is needed; step 4's play has no client host unless a test adds one).

Time: the twin runs at time scale 0 (every transition is due at the next request), and the module processes sleep
RELIABILITY_SLEEP_SCALE (default 0.01) of what the retry and waiter loops ask for (sitecustomize.py next to this file,
put on their PYTHONPATH): the same loops, the same number of attempts for the same faults, without their wall time.
`make reliability RELIABILITY_SLEEP_SCALE=1` runs the matrix on the real clock.
"""

import collections
import json
import os
import signal
import subprocess
import sys
import time

import pytest

import ansible_collections
from acr_twin.faults import Faults

HERE = os.path.dirname(os.path.abspath(__file__))
COLLECTIONS_PATH = os.path.dirname(list(ansible_collections.__path__)[0])
ROOT = os.path.join(list(ansible_collections.__path__)[0], "alicloud", "acr_access")
INVENTORIES = [os.path.join(ROOT, "tests", "demo", "inventory", "twin.yml"), os.path.join(ROOT, "tests", "e2e", "inventory", "rehearsal.yml")]
PLAYBOOKS = {name: os.path.join(ROOT, "playbooks", name + ".yml") for name in ("cross_region_access", "teardown")}
TWIN_KEY_ID = "LTAI5tTwinAccessKey00001"
TWIN_SECRET = "twin-secret-do-not-use-in-production"

# Realistic rates (per call): about one call in nine meets a fault. Every kind the twin injects: throttling with
# x-acs-retry-after, HTTP 503, the products' busy codes (each of them, tests/twin/acr_twin/faults.py BUSY_CODES) on reads
# and writes, and answers lost after the change took effect (writes).
FAULT_RATES = "throttle=0.03,server_error=0.02,busy=0.04,lost_response=0.02"
DEFAULT_SEEDS = (1,)  # make test: one seed (its time budget); make reliability: MATRIX_SEEDS
MATRIX_SEEDS = tuple(range(1, 13))

# Collections of the twin that hold credentials rather than resources: not part of the census.
NOT_RESOURCES = ("sts_credentials", "cr_tokens")


class CountingFaults(Faults):
    """The twin's faults, counting what was injected by kind (a lost answer is logged like a success)."""

    def __init__(self, spec=None):
        super().__init__(spec)
        self.injected = collections.Counter()

    def pick(self, action, product=None):
        fault = super().pick(action, product)
        if fault:
            self.injected[fault[0]] += 1
        return fault


def full_matrix():
    """`make reliability` sets RELIABILITY_FULL=1: every seed and every kill point instead of the default run's few."""
    return os.environ.get("RELIABILITY_FULL") == "1"


def seeds():
    return MATRIX_SEEDS if full_matrix() else DEFAULT_SEEDS


def natural_key(cloud, name, item):
    """What makes a resource the same resource, without the ids the cloud gives (for duplicates and orphans)."""
    if name == "cens":
        return (item.get("Name"),)
    if name == "transit_routers":
        return (item.get("RegionId"),)
    if name == "tr_attachments":
        router = cloud.transit_routers.get(item.get("TransitRouterId"), {})
        peer = cloud.transit_routers.get(item.get("PeerTransitRouterId"), {})
        return (item.get("ResourceType"), router.get("RegionId"), item.get("VpcId"), peer.get("RegionId"))
    if name == "tr_route_tables":
        router = cloud.transit_routers.get(item.get("TransitRouterId"), {})
        return (router.get("RegionId"), item.get("TransitRouterRouteTableType"))
    if name == "route_entries":
        hop = item.get("NextHopType")
        if hop == "Attachment":
            attachment = cloud.tr_attachments.get(item.get("NextHopId"), {})
            target = (attachment.get("VpcId"),)
        else:
            target = (item.get("NextHopId"),)
        return (item.get("RouteTableId"), item.get("DestinationCidrBlock"), hop) + target
    if name == "published_routes":
        return (item.get("ChildInstanceId"), item.get("DestinationCidrBlock"), item.get("PublishStatus"))
    if name == "tr_route_entries":
        return (item.get("TransitRouterRouteTableId") in cloud.tr_route_tables, item.get("TransitRouterRouteEntryDestinationCidrBlock"))
    # associations, propagations and the rest: one of each per (kind of) owner is what a plan makes; count them
    return ("*",)


def census(twin):
    """{(collection, natural key): count} of the live resources (transitions applied first)."""
    twin.settle()
    cloud = twin.cloud
    counts = collections.Counter()
    with cloud.lock:
        for name in sorted(vars(cloud)):
            items = getattr(cloud, name)
            if name.startswith("_") or name in NOT_RESOURCES or name == "extra" or not isinstance(items, dict):
                continue
            for item in items.values():
                if isinstance(item, dict) and str(item.get("Status", "")).lower() not in ("deleting", "deleted"):
                    counts[(name, natural_key(cloud, name, item))] += 1
    return counts


def compare(found, planned):
    """(duplicates, orphans, missing): resources beyond the plan's count of their kind, of a kind the plan has not, and
    the plan's resources that are not there."""
    duplicates = sum(n - planned[key] for key, n in found.items() if key in planned and n > planned[key])
    orphans = sum(n for key, n in found.items() if key not in planned)
    missing = sum(n - found.get(key, 0) for key, n in planned.items() if found.get(key, 0) < n)
    return duplicates, orphans, missing


def describe_difference(found, planned):
    lines = []
    for key in sorted(set(found) | set(planned), key=repr):
        if found.get(key, 0) != planned.get(key, 0):
            lines.append("  %r: found %d, planned %d" % (key, found.get(key, 0), planned.get(key, 0)))
    return "\n".join(lines) or "  (none)"


class Run:
    """One ansible-playbook process in its own process group (so that a test can SIGKILL all of it)."""

    def __init__(self, command, env, cwd):
        self.process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True, start_new_session=True)
        self.started = time.monotonic()

    def kill(self):
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def wait(self, timeout=600):
        try:
            output, _stderr = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            output, _stderr = self.process.communicate()
            output += "\n(the test killed the run after %ss)" % timeout
        self.seconds = time.monotonic() - self.started
        return self.process.returncode, output


@pytest.fixture
def main_job(twin, tmp_path):
    """``main_job.start(playbook, ...)`` -> Run; ``main_job(playbook, ...)`` -> (return code, output).

    ``playbook``: "cross_region_access" or "teardown", or a path. ``inventories``: more inventory files. ``env``: more
    environment. ``verbosity``: -v count. The twin is the session's (reset to the seed, time scale 0); ``main_job.faults(spec)``
    sets its random faults for the rest of the test.
    """
    home = tmp_path / "home"
    home.mkdir()
    sleep_scale = os.environ.get("RELIABILITY_SLEEP_SCALE", "0.01")
    python_path = os.pathsep.join(filter(None, [HERE, os.environ.get("PYTHONPATH")]))
    base_env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_PATH, ACR_ACCESS_ENDPOINT="http://%s" % twin.endpoint,
                    ALIBABA_CLOUD_ACCESS_KEY_ID=TWIN_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET=TWIN_SECRET, HOME=str(home),
                    ANSIBLE_LOCALHOST_WARNING="False", ANSIBLE_INVENTORY_UNPARSED_WARNING="False", ANSIBLE_NOCOLOR="1",
                    ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"), ANSIBLE_REMOTE_TEMP=str(tmp_path / "ansible-tmp"),
                    PYTHONPATH=python_path, RELIABILITY_SLEEP_SCALE=sleep_scale)
    for name in ("ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALICLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_SECURITY_TOKEN"):
        base_env.pop(name, None)

    def start(playbook="cross_region_access", inventories=(), env=None, verbosity=0, extra_vars=None):
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook")]
        for inventory in list(INVENTORIES) + list(inventories):
            command += ["-i", str(inventory)]
        command.append(PLAYBOOKS.get(playbook, str(playbook)))
        if verbosity:
            command.append("-" + "v" * verbosity)
        if extra_vars:
            command += ["-e", json.dumps(extra_vars)]
        return Run(command, dict(base_env, **(env or {})), str(tmp_path))

    def run(playbook="cross_region_access", **kwargs):
        return start(playbook, **kwargs).wait()

    def faults(spec):
        twin.faults = CountingFaults(spec)
        return twin.faults

    run.start = start
    run.faults = faults
    run.env = base_env
    run.tmp_path = tmp_path
    yield run
    twin.faults = Faults(None)


# What the main job makes on the seed (natural keys, conftest.natural_key), on top of the fixture: written down once from a
# clean run, so that each test compares with a plan instead of with another run of the code under test.
SEED_PLAN = (
    ("cens", ("acr-access",)),
    ("transit_routers", ("cn-hangzhou",)),
    ("transit_routers", ("cn-shanghai",)),
    ("tr_route_tables", ("cn-hangzhou", "System")),
    ("tr_route_tables", ("cn-shanghai", "System")),
    ("tr_attachments", ("VPC", "cn-hangzhou", "vpc-bp1twin0000000000001", None)),
    ("tr_attachments", ("VPC", "cn-shanghai", "vpc-uf6twin0000000000001", None)),
    ("tr_attachments", ("TR", "cn-hangzhou", None, "cn-shanghai")),
    ("tr_associations", ("*",)),
    ("tr_associations", ("*",)),
    ("tr_propagations", ("*",)),
    ("tr_propagations", ("*",)),
    # step 1: each VPC to the other's CIDR block through its own attachment
    ("route_entries", ("vtb-bp1twin0000000000001", "172.16.0.0/16", "Attachment", "vpc-bp1twin0000000000001")),
    ("route_entries", ("vtb-uf6twin0000000000001", "10.0.0.0/16", "Attachment", "vpc-uf6twin0000000000001")),
    # step 3: the source VPC to the registry, auth and OSS addresses; the registry VPC's covering routes, published
    ("route_entries", ("vtb-uf6twin0000000000001", "10.94.205.198/32", "Attachment", "vpc-uf6twin0000000000001")),
    ("route_entries", ("vtb-uf6twin0000000000001", "100.103.7.181/32", "Attachment", "vpc-uf6twin0000000000001")),
    ("route_entries", ("vtb-uf6twin0000000000001", "100.114.102.0/24", "Attachment", "vpc-uf6twin0000000000001")),
    ("route_entries", ("vtb-uf6twin0000000000001", "100.118.28.0/24", "Attachment", "vpc-uf6twin0000000000001")),
    ("route_entries", ("vtb-uf6twin0000000000001", "100.118.31.0/24", "Attachment", "vpc-uf6twin0000000000001")),
    ("route_entries", ("vtb-uf6twin0000000000001", "100.98.170.0/24", "Attachment", "vpc-uf6twin0000000000001")),
    ("route_entries", ("vtb-bp1twin0000000000001", "10.94.205.198/32", "Instance", "i-bp1twin0000000000001")),
    ("route_entries", ("vtb-bp1twin0000000000001", "100.0.0.0/8", "Instance", "i-bp1twin0000000000001")),
    ("published_routes", ("vpc-bp1twin0000000000001", "10.94.205.198/32", "Published")),
    ("published_routes", ("vpc-bp1twin0000000000001", "100.0.0.0/8", "Published")),
)


@pytest.fixture
def planned_census(twin):
    """{"fixture": the seed's census, "converged": the fixture plus SEED_PLAN}: what every teardown and every converge
    must end with."""
    twin.reset("seed")
    fixture = census(twin)
    converged = collections.Counter(fixture)
    converged.update(SEED_PLAN)
    return {"fixture": fixture, "converged": converged}


def print_table(title, header, rows):
    """A plain table on stdout (`make reliability` shows it: pytest -rP)."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    print(title)
    for row in [header] + rows:
        print("| " + " | ".join(str(cell).ljust(width) for cell, width in zip(row, widths)) + " |")


class KillAt:
    """SIGKILL a run's whole process group when the twin has applied the ``occurrence``-th write ``action`` (the change
    took effect; its answer never reaches the module): an interruption at that very step."""

    def __init__(self, twin, action, occurrence=1):
        self.twin, self.action, self.occurrence = twin, action, occurrence
        self.seen = 0
        self.run = None
        self.killed = False
        self._handle = twin.handle

    def __enter__(self):
        def handle(*args, **kwargs):
            try:
                return self._handle(*args, **kwargs)
            finally:
                self._maybe_kill()
        self.twin.handle = handle
        return self

    def _maybe_kill(self):
        calls = self.twin.calls(action=self.action)
        if self.run is not None and not self.killed and len(calls) >= self.occurrence:
            self.killed = True
            self.run.kill()

    def __exit__(self, *exc):
        del self.twin.handle
