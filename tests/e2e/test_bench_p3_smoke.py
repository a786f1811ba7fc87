"""Benchmark P3 in small (`make bench` measures 20, 50 and 100 hosts): one run over 2 client hosts of the network twin
produces the role's and the bare playbook's walls, their ratio and the JSON, after both did the real work (the
benchmark itself checks the hosts entry and the pulled image on the hosts after every playbook, and stops otherwise).

It checks that the figures come out as numbers, not what they are: the benchmark asserts no goal. About 40 s here.
"""

import glob
import json
import math
import os
import subprocess
import sys

import pytest

BENCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench", "bench.py")

if os.geteuid() != 0:
    pytest.fail("the network twin needs root (network and mount namespaces, sshd)", pytrace=False)


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def test_p3_over_two_hosts_prints_the_ratio_and_writes_the_json(tmp_path):
    env = dict(os.environ, BENCH_P3_SIZES="1,2")
    done = subprocess.run([sys.executable, BENCH, "--parts", "p3", "--runs", "1", "--output-dir", str(tmp_path)], env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "| P3 client role, 2 hosts |" in done.stdout and "| P3 linear growth" not in done.stdout  # two sizes: one slope

    (written,) = [path for path in glob.glob(str(tmp_path / "*.json")) if "progress" not in path]
    with open(written, encoding="utf-8") as handle:
        report = json.load(handle)
    assert report["parts"] == ["p3"] and report["run_details"] == []
    p3 = report["p3"]
    assert p3["sizes"] == [1, 2] and p3["engine"] == "podman"
    for size in ("1", "2"):
        walls = p3["walls"][size]
        assert len(walls["role"]) == 1 and len(walls["bare"]) == 1 and all(is_number(w) and w > 0 for w in walls["role"] + walls["bare"])
        figures = p3["figures"]["per_size"][size]
        assert is_number(figures["ratio"]) and figures["ratio"] > 0 and isinstance(figures["met"], bool)
    for which in ("role", "bare"):
        (slope,) = p3["figures"]["linear"][which]["slopes_seconds_per_host"]
        assert is_number(slope)
    rows = [row for row in report["table"] if row["figure"].startswith("P3 client role")]
    assert [row["figure"] for row in rows] == ["P3 client role, 1 hosts", "P3 client role, 2 hosts"]
    assert all(is_number(row["min"]) and is_number(row["median"]) and is_number(row["ratio"]) for row in rows)
