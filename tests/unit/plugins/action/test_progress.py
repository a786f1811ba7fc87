"""Progress of long waits: the waiter's report per read (module_utils/waiter.py ProgressFile), its printed form
(plugins/plugin_utils/progress.py), and the lines of a real ansible-playbook run against the twin while the module waits.

The playbook test is deterministic, with no timed assertion: the twin's clock is slowed down so far (scale 1000) that
nothing it is asked for gets ready by itself, and the test lets each resource get ready (``twin.settle()``) only once the
line saying that the module waits for it has been read from ansible-playbook's output (a pipe, as in AWX: no terminal).
A line printed only when the task ended would never come, and the watchdog would end the run as a failure.

ansible-playbook runs here, so this file is run by `make pytest` only, like the role tests.
"""

import json
import os
import re
import subprocess
import sys
import threading

import pytest

from acr_twin import seed_ids as ids

from ansible_collections.alicloud.acr_access.plugins.module_utils import waiter
from ansible_collections.alicloud.acr_access.plugins.module_utils.errors import WaiterError
from ansible_collections.alicloud.acr_access.plugins.module_utils.waiter import GONE, Polling, ProgressFile, poll, report_progress_to
from ansible_collections.alicloud.acr_access.plugins.plugin_utils.progress import ProgressPrinter, coalesce, progress_message


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


@pytest.fixture
def reporter(tmp_path):
    clock = FakeClock()
    path = tmp_path / "progress.jsonl"
    report = ProgressFile(str(path), clock=clock)
    report_progress_to(report)
    yield clock, path, report
    report_progress_to(None)


def lines_of(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_each_read_that_does_not_end_the_wait_is_reported_with_status_seconds_waited_and_next_read(reporter):
    clock, path, _report = reporter
    statuses = iter(["Attaching", "Attaching", "Attached"])
    spec = Polling(success=("Attached",), delay=2.0, max_delay=4.0, growth=2.0, jitter=0.0)
    poll(lambda left: (next(statuses), {"id": "x"}), spec, 60, "VPC attachment tr-attach-1", sleep=clock.sleep, clock=clock,
         scale=1.0, region="cn-shanghai")
    lines = lines_of(path)
    assert [(line["event"], line["status"], line["waited"], line.get("next_poll")) for line in lines] == [
        ("poll", "Attaching", 0.0, 2.0), ("poll", "Attaching", 2.0, 4.0), ("done", "Attached", 6.0, None)]
    assert all(line["resource"] == "VPC attachment tr-attach-1" and line["region"] == "cn-shanghai" for line in lines)
    assert [line["elapsed"] for line in lines] == [0.0, 2.0, 6.0]
    # While it waits, the line lists it among the waits going on; once done, it is no longer listed.
    assert lines[1]["waiting"] == [{"resource": "VPC attachment tr-attach-1", "region": "cn-shanghai", "status": "Attaching",
                                    "waited": 2.0}]
    assert lines[2]["waiting"] == []


def test_a_wait_that_ends_at_its_first_read_is_not_reported(reporter):
    clock, path, _report = reporter
    spec = Polling(success=("Active",), failure=("Failed",), delay=1.0, jitter=0.0)
    assert poll(lambda left: ("Active", "item"), spec, 60, "transit router tr-1", sleep=clock.sleep, clock=clock, scale=1.0) == "item"
    with pytest.raises(WaiterError):
        poll(lambda left: ("Failed", None), spec, 60, "transit router tr-2", sleep=clock.sleep, clock=clock, scale=1.0)
    assert not path.exists()


def test_a_failed_wait_is_reported_and_leaves_the_list_of_waits(reporter):
    clock, path, _report = reporter
    spec = Polling(success=("Attached",), failure=("Failed",), delay=1.0, jitter=0.0)
    statuses = iter([GONE, "Failed"])
    with pytest.raises(WaiterError):
        poll(lambda left: (next(statuses), None), spec, 60, "VPC attachment tr-attach-2", sleep=clock.sleep, clock=clock, scale=1.0)
    lines = lines_of(path)
    assert [(line["event"], line["status"]) for line in lines] == [("poll", "absent"), ("failed", "Failed")]
    assert lines[-1]["waiting"] == []


def test_concurrent_waits_are_listed_together(reporter):
    _clock, path, report = reporter
    report("poll", "route entry rte-1 in vtb-1", "cn-hangzhou", "Pending", 1.0, 1.0)
    report("poll", "route entry rte-2 in vtb-2", "cn-shanghai", "Pending", 1.0, 1.0)
    report("done", "route entry rte-1 in vtb-1", "cn-hangzhou", "Available", 2.0)
    lines = lines_of(path)
    assert [entry["resource"] for entry in lines[1]["waiting"]] == ["route entry rte-1 in vtb-1", "route entry rte-2 in vtb-2"]
    assert [entry["resource"] for entry in lines[2]["waiting"]] == ["route entry rte-2 in vtb-2"]


def test_no_reporter_writes_nothing_and_an_unwritable_file_never_fails_the_wait(tmp_path):
    clock = FakeClock()
    spec = Polling(success=("Active",), delay=1.0, jitter=0.0)
    statuses = iter(["Creating", "Active"])
    assert poll(lambda left: (next(statuses), "item"), spec, 60, "x", sleep=clock.sleep, clock=clock, scale=1.0) == "item"
    assert waiter._progress is None and list(tmp_path.iterdir()) == []

    report = ProgressFile(str(tmp_path / "no-such-dir" / "progress.jsonl"), clock=clock)
    report_progress_to(report)
    try:
        statuses = iter(["Creating", "Active"])
        assert poll(lambda left: (next(statuses), "item"), spec, 60, "x", sleep=clock.sleep, clock=clock, scale=1.0) == "item"
    finally:
        report_progress_to(None)
    assert report.broken


def test_printed_form_of_polls_ends_and_failures():
    poll_line = {"event": "poll", "elapsed": 40.4, "resource": "VPC attachment tr-attach-1", "region": "cn-shanghai",
                 "status": "Attaching", "waited": 38.0, "next_poll": 5.0,
                 "waiting": [{"resource": "VPC attachment tr-attach-1", "region": "cn-shanghai", "status": "Attaching", "waited": 38.0},
                             {"resource": "inter-region attachment tr-attach-2", "region": "cn-hangzhou", "status": "Attaching",
                              "waited": 30.0}]}
    assert progress_message("cen_connection", poll_line) == (
        "cen_connection: 40s: VPC attachment tr-attach-1 (cn-shanghai) Attaching, inter-region attachment tr-attach-2 (cn-hangzhou) "
        "Attaching; next read in 5s")
    done = {"event": "done", "elapsed": 52.0, "resource": "VPC attachment tr-attach-1", "region": "cn-shanghai", "status": "Attached",
            "waited": 50.5}
    assert progress_message("cen_connection", done) == "cen_connection: 52s: VPC attachment tr-attach-1 (cn-shanghai) Attached after 50.5s"
    gone = dict(done, status="absent", resource="CEN instance cen-1", region=None)
    assert progress_message("cen_instance", gone) == "cen_instance: 52s: CEN instance cen-1 gone after 50.5s"
    failed = dict(done, event="failed", status="Failed")
    assert progress_message("x", failed) == "x: 52s: VPC attachment tr-attach-1 (cn-shanghai): stopped waiting after 50.5s at Failed"


def test_a_burst_of_polls_prints_its_last_and_every_end():
    lines = [{"event": "poll", "n": 1}, {"event": "poll", "n": 2}, {"event": "done", "n": 3}, {"event": "poll", "n": 4},
             {"event": "poll", "n": 5}]
    assert [line["n"] for line in coalesce(lines)] == [2, 3, 5]


def test_the_printer_shows_complete_lines_only_and_each_once(tmp_path):
    path = tmp_path / "progress.jsonl"
    shown = []
    printer = ProgressPrinter(str(path), "m", show=shown.append)
    printer.print_new()  # no file yet: nothing
    line = {"event": "done", "elapsed": 1, "resource": "r", "region": None, "status": "Active", "waited": 1}
    path.write_text(json.dumps(line) + "\n" + '{"event": "po')  # the second line is being written
    printer.print_new()
    assert shown == ["m: 1s: r Active after 1s"]
    with open(path, "a") as stream:
        stream.write('ll", "elapsed": 2, "resource": "r", "region": null, "status": "Creating", "waited": 2}\n')
    printer.print_new()
    printer.print_new()
    assert shown == ["m: 1s: r Active after 1s", "m: 2s: r Creating"]


# --- through ansible-playbook -----------------------------------------------------------------------------------------

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
    ansible_async_dir: "{{ async_dir }}"  # the test's own: nothing else running on the machine sees or cleans it
  tasks:
    - name: Step 1
      ansible.builtin.include_role:
        name: alicloud.acr_access.cen_connect
    - name: A module with an action plugin, in the background (async passes through)
      alicloud.acr_access.cen_instance:
        name: acr-access-async
      async: 120
      poll: 1
      register: made
    - name: Its result for the test
      ansible.builtin.copy:
        content: "{{ made | to_json }}"
        dest: "{{ result_file }}"
        mode: "0600"
"""
MEMBERS = [
    {"region": "cn-hangzhou", "vpc_id": ids.REGISTRY_VPC, "vswitch_ids": [ids.REGISTRY_VSWITCH_J, ids.REGISTRY_VSWITCH_K]},
    {"region": "cn-shanghai", "vpc_id": ids.SOURCE_VPC, "vswitch_ids": [ids.SOURCE_VSWITCH_M, ids.SOURCE_VSWITCH_N]},
]
CEN_WAIT = re.compile(r"^cen_connection: \d+s: CEN instance cen-\S+ Creating; next read in [\d.]+s$")
ROUTER_WAIT = re.compile(r"^cen_connection: \d+s: .*transit router tr-\S+ \(cn-(hangzhou|shanghai)\) Creating.*; next read in ")
ATTACHMENT_WAIT = re.compile(r"^cen_connection: \d+s: .*VPC attachment tr-attach-\S+ \(cn-(hangzhou|shanghai)\) Attaching")
ATTACHED = re.compile(r"^cen_connection: \d+s: VPC attachment tr-attach-\S+ \(cn-(hangzhou|shanghai)\) Attached after [\d.]+s$")


def test_a_playbook_prints_each_wait_while_the_module_waits_and_async_passes_through(playbook_env, twin, tmp_path):
    playbook = tmp_path / "play.yml"
    playbook.write_text(PLAYBOOK)
    result_file = tmp_path / "result.json"
    extra = {"cen_connect_cen_name": "acr-access", "cen_connect_members": MEMBERS, "cen_connect_wait_timeout": 120,
             "result_file": str(result_file), "async_dir": str(tmp_path / "async")}
    twin.set_time_scale(1000.0)  # nothing gets ready by itself: the test settles each wait once its line was printed
    env = dict(playbook_env(), ACR_ACCESS_WAIT_SCALE="0.02")  # reads every 0.1 s or less
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), str(playbook), "-e", json.dumps(extra)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    watchdog = threading.Timer(120, process.kill)  # a line that never comes must not hang the test run
    watchdog.start()
    output = []
    try:
        waits = [CEN_WAIT, ROUTER_WAIT, ATTACHMENT_WAIT]
        for line in process.stdout:
            output.append(line)
            if waits and waits[0].match(line):
                # The module is waiting, and its wait cannot end before this: the line came while it waited.
                waits.pop(0)
                twin.settle()
                if not waits:
                    twin.set_time_scale(0.0)  # the rest (links) ready at once
        code = process.wait()
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
    text = "".join(output)
    assert code == 0 and not waits, text
    assert any(ATTACHED.match(line) for line in output), text
    # The task's own result does not show the progress file (the invocation the user sees is the task's).
    assert "progress_file" not in text
    # async: the job ran the module (its job id, the module's own result)
    result = json.loads(result_file.read_text())
    assert result["ansible_job_id"] and result["finished"] == 1 and result["changed"] is True
    assert result["cen"]["status"] == "Active" and "acr-access-async" in [cen["Name"] for cen in twin.cloud.cens.values()]
