"""Suite 2, interruption: the main job or its teardown killed (SIGKILL of ansible-playbook's whole process group) at a step,
just after the cloud applied that step's change and before its answer came back; then run again.

The second run must complete with exactly the plan's resources (no duplicate: the ClientTokens and lookups find what
the killed run made) or, for the teardown, the seed fixture; a third run must make no write at all (the twin's call log).
Default run: one kill point in the main job; `make reliability`: every write step of the main job and of the teardown.
"""

import pytest

from reliability_lab import KillAt, census, compare, describe_difference, full_matrix, print_table

# (write action, its n-th call): each step of the main job and of the teardown (the order of their writes on the seed)
CONVERGE_POINTS = [("CreateCen", 1), ("CreateTransitRouter", 1), ("CreateTransitRouter", 2), ("CreateTransitRouterVpcAttachment", 1),
                   ("CreateTransitRouterVpcAttachment", 2), ("CreateTransitRouterPeerAttachment", 1),
                   ("AssociateTransitRouterAttachmentWithRouteTable", 1), ("EnableTransitRouterRouteTablePropagation", 1),
                   ("CreateRouteEntry", 1), ("CreateRouteEntry", 4), ("PublishRouteEntries", 1), ("CreateRouteEntry", 10)]
TEARDOWN_POINTS = [("WithdrawPublishedRouteEntries", 1), ("DeleteRouteEntry", 1), ("DeleteRouteEntry", 8),
                   ("DisableTransitRouterRouteTablePropagation", 1), ("DissociateTransitRouterAttachmentFromRouteTable", 1),
                   ("DeleteTransitRouterVpcAttachment", 1), ("DeleteTransitRouterPeerAttachment", 1), ("DeleteTransitRouter", 1),
                   ("DeleteCen", 1)]
DEFAULT_POINTS = {"cross_region_access": [("CreateTransitRouterVpcAttachment", 1)], "teardown": [("DeleteRouteEntry", 8)]}


# The teardown's kill points (a converge first, then three teardowns each) run in `make reliability` only: make test's time.
@pytest.mark.parametrize("playbook", ["cross_region_access", "teardown"] if full_matrix() else ["cross_region_access"])
def test_a_run_killed_at_a_step_completes_when_run_again_without_duplicates_and_then_writes_nothing(
        main_job, twin, planned_census, playbook):
    points = (CONVERGE_POINTS if playbook == "cross_region_access" else TEARDOWN_POINTS) if full_matrix() else DEFAULT_POINTS[playbook]
    wanted = planned_census["converged"] if playbook == "cross_region_access" else planned_census["fixture"]
    rows, failures = [], []
    for action, occurrence in points:
        twin.reset("seed")
        if playbook == "teardown":
            code, output = main_job()
            assert code == 0, output
        with KillAt(twin, action, occurrence) as kill:
            kill.run = main_job.start(playbook)
            killed_code, killed_output = kill.run.wait()
        code, output = main_job(playbook)
        found = census(twin)
        duplicates, orphans, missing = compare(found, wanted)
        third = twin.last_seq()
        third_code, third_output = main_job(playbook)
        writes = [c["action"] for c in twin.writes(third)]
        row = [playbook, "%s #%d" % (action, occurrence), "yes" if kill.killed else "NO", "yes" if code == 0 else "NO",
               duplicates, orphans, missing, len(writes)]
        rows.append(row)
        point = "%s #%d" % (action, occurrence)
        if not kill.killed or killed_code == 0:
            failures.append("%s: the run was not killed at %s (exit %s)\n%s" % (playbook, point, killed_code, killed_output[-3000:]))
        if code != 0 or (duplicates, orphans, missing) != (0, 0, 0):
            difference = describe_difference(found, wanted)
            failures.append("%s killed at %s, run again (exit %d):\n%s\n%s" % (playbook, point, code, difference, output[-6000:]))
        if third_code != 0 or writes:
            failures.append("%s killed at %s, third run (exit %d) wrote %s\n%s" % (playbook, point, third_code, writes, third_output[-4000:]))
    print_table("Interruption: %s killed at each point, then run twice" % playbook,
                ["playbook", "killed at (write, n-th)", "killed", "re-run completes", "duplicates", "orphans", "missing",
                 "writes of the third run"], rows)
    assert not failures, "\n\n".join(failures)
