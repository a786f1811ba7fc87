"""Suite 1, faults: the whole main job and its teardown with the cloud failing at realistic rates, over a matrix of seeds.

Each seed: playbooks/cross_region_access.yml with random faults (conftest.FAULT_RATES: throttling with retry-after,
HTTP 503, every busy code of each product on reads and writes, answers lost after the change took effect) must converge
in that run (retries, not a second run) to exactly the resources of the clean plan: no duplicate, no orphan, nothing
missing. Then playbooks/teardown.yml, with faults too, must bring the cloud back to the seed fixture in one run.
Each run also gets one fault of each kind for sure (forced, on top of the random draw). Default run: seed 1;
`make reliability`: seeds 1 to 12. A table closes the test (pytest -rP shows it).
"""

import collections

from reliability_lab import FAULT_RATES, census, compare, describe_difference, print_table, seeds


def test_the_main_job_and_its_teardown_converge_in_run_under_faults(main_job, twin, planned_census):
    rows, failures, kinds = [], [], collections.Counter()
    for seed in seeds():
        twin.reset("seed")
        faults = main_job.faults("seed=%d,%s" % (seed, FAULT_RATES))
        # One of each kind for sure, on top of the random draw (whose mix varies with the order of the calls): an answer
        # lost after the first VPC attachment was made, a throttle, a 5xx and a busy answer on the first calls.
        faults.force([{"action": "CreateTransitRouterVpcAttachment", "kind": "lost_response"},
                      {"kind": "throttle"}, {"kind": "server_error"}, {"kind": "busy"}])
        code, output = main_job()
        converged = census(twin)
        duplicates, orphans, missing = compare(converged, planned_census["converged"])
        converge_ok = code == 0 and (duplicates, orphans, missing) == (0, 0, 0)
        if not converge_ok:
            difference = describe_difference(converged, planned_census["converged"])
            failures.append("seed %d converge (exit %d):\n%s\n%s" % (seed, code, difference, output[-6000:]))
        teardown_code, teardown_output = main_job("teardown")
        left = census(twin)
        leftovers = sum(compare(left, planned_census["fixture"]))
        if teardown_code != 0 or leftovers:
            difference = describe_difference(left, planned_census["fixture"])
            failures.append("seed %d teardown (exit %d):\n%s\n%s" % (seed, teardown_code, difference, teardown_output[-6000:]))
        kinds.update(faults.injected)
        rows.append([seed, "yes" if converge_ok else "NO", "yes" if teardown_code == 0 else "NO", duplicates, orphans, missing, leftovers,
                     " ".join("%s=%d" % item for item in sorted(faults.injected.items())), len(twin.calls())])
    print_table("Faults (%s), %d seeds: the main job, then its teardown" % (FAULT_RATES, len(rows)),
                ["seed", "converged in-run", "teardown in-run", "duplicates", "orphans", "missing", "leftovers", "faults injected", "calls"],
                rows)
    print("runs %d, converged in-run %d, duplicates %d, orphans %d, leftovers %d" % (
        len(rows), sum(1 for row in rows if row[1] == "yes" and row[2] == "yes"), sum(r[3] for r in rows), sum(r[4] for r in rows),
        sum(r[6] for r in rows)))
    assert not failures, "\n\n".join(failures)
    # the faults were really there: every kind of them over the seeds
    assert set(kinds) == {"throttle", "server_error", "busy", "lost_response"}, kinds
