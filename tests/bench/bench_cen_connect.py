#!/usr/bin/env python
"""Benchmark: does the role cen_connect wait for its VPC attachments together?

Runs playbooks/cen_connect.yml (Hangzhou + Shanghai, the seed's VPCs given as extra vars in place of the
playbook's placeholder ids) against an in-process cloud twin twice:
with time scale 0 (no cloud delays: the cost of Ansible and the modules alone) and with a
time scale where one VPC attachment takes several seconds. The difference is the time spent
waiting for the cloud; it is compared with the cloud's own delays on the critical path when
the two attachments run together, and when they would run one after the other.

    .venv/bin/python tests/bench/bench_cen_connect.py [--scale 0.1]

Needs the collection importable as ansible_collections.alicloud.acr_access (make collection)
and ansible-playbook next to the Python running this script. Prints, asserts nothing.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "twin"))

from acr_twin import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Twin, TwinServer  # noqa: E402
from acr_twin import seed_ids  # noqa: E402
from acr_twin.products.cbn import DELAYS  # noqa: E402


def collections_path() -> str:
    """ANSIBLE_COLLECTIONS_PATH when set, else build/ (make collection mirrors the working tree there)."""
    return os.environ.get("ANSIBLE_COLLECTIONS_PATH") or os.path.join(ROOT, "build")


def run_role(scale: float) -> tuple:
    """(wall seconds, number of write calls) of one run of the playbook on a fresh twin."""
    twin = Twin(fixture="seed", time_scale=scale)
    with TwinServer(twin) as server, tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, ACR_ACCESS_ENDPOINT="http://%s" % server.endpoint, ALIBABA_CLOUD_ACCESS_KEY_ID=DEFAULT_ACCESS_KEY_ID,
                   ALIBABA_CLOUD_ACCESS_KEY_SECRET=DEFAULT_ACCESS_KEY_SECRET, ANSIBLE_COLLECTIONS_PATH=collections_path(), HOME=home,
                   ANSIBLE_LOCALHOST_WARNING="False", ANSIBLE_INVENTORY_UNPARSED_WARNING="False")
        playbook = os.path.join(ROOT, "playbooks", "cen_connect.yml")
        members = json.dumps({"cen_connect_members": seed_ids.cen_members()})
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), playbook, "-e", members]
        started = time.monotonic()
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        wall = time.monotonic() - started
        if done.returncode != 0:
            sys.exit("the playbook failed:\n%s%s" % (done.stdout[-4000:], done.stderr[-2000:]))
        return wall, len(twin.writes())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1, help="twin time scale (0.1: one VPC attachment takes %.0f s)"
                        % (DELAYS["vpc_attach"] * 0.1))
    scale = parser.parse_args().scale
    base, writes = run_role(0.0)
    wall = run_role(scale)[0]
    attach = DELAYS["vpc_attach"] * scale
    # Critical path of the cloud's delays: CEN, routers (together), attachments (together), links, peer.
    together = (DELAYS["cen_create"] + DELAYS["tr_create"] + DELAYS["vpc_attach"] + DELAYS["association"] + DELAYS["propagation"]
                + DELAYS["peer_attach"]) * scale
    serial = together + attach  # the second attachment waited for after the first
    print(json.dumps({
        "time_scale": scale,
        "one_vpc_attach_seconds": round(attach, 1),
        "role_wall_seconds_no_cloud_delay": round(base, 1),
        "role_wall_seconds": round(wall, 1),
        "seconds_waiting_for_the_cloud": round(wall - base, 1),
        "expected_if_attachments_together": round(together, 1),
        "expected_if_attachments_one_after_the_other": round(serial, 1),
        "write_calls": writes,
    }, indent=2))


if __name__ == "__main__":
    main()
