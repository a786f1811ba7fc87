"""`make bench` in small: one run of tests/bench/bench.py at time scale 0.001 produces every figure of P1 and P2 and
its JSON (P3 needs root: tests/e2e/test_bench_p3_smoke.py).

The real benchmark (time scale 1, three runs, several minutes each) is `make bench`; this only checks that the
figures come out as numbers, not what they are: the benchmark prints whether a goal is met, it asserts none.
"""

import glob
import json
import math
import os
import subprocess
import sys

BENCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench", "bench.py")


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def test_one_small_run_prints_the_table_and_writes_every_figure_to_json(tmp_path):
    done = subprocess.run([sys.executable, BENCH, "--runs", "1", "--scale", "0.001", "--floor-samples", "1", "--parts", "p1,p2",
                           "--output-dir", str(tmp_path)],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "critical path: " in done.stdout and "| P1 converge wall" in done.stdout
    assert "P3: not measured in this run (--parts p1,p2" in done.stdout  # P3 (root) has its smoke in tests/e2e

    written = glob.glob(str(tmp_path / "*.json"))
    assert len(written) == 1
    with open(written[0], encoding="utf-8") as handle:
        report = json.load(handle)
    assert report["date"] and report["machine"]["cpus"] and "commit" in report
    for row in report["table"]:
        assert is_number(row["min"]) and is_number(row["median"]), row
        assert row["ratio"] is None or is_number(row["ratio"]), row
    run = report["run_details"][0]
    for figure in ("wall_seconds", "bound_seconds", "ratio", "module_processes"):
        assert is_number(run["p1"][figure]), figure
    for figure in ("wall_seconds", "module_processes", "floor_process_seconds", "floor_seconds", "ratio", "writes", "reads", "resources",
                   "reads_per_resource"):
        assert is_number(run["p2"][figure]), figure
    assert run["p1"]["bound_at_scale_1"] > 0 and run["p2"]["module_processes"] > 0
    assert run["p2"]["calls_by_action"] and all(is_number(n) for n in run["p2"]["calls_by_action"].values())
