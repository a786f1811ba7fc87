# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The action plugin of a module that waits: print its waits while it runs (``ProgressAction``).

A first run against the cloud waits minutes (a VPC attachment about a minute, an inter-region connection about as long)
in one module process, and Ansible prints a task's result only when the task has ended. The module's waits report every
read to the file of its option ``progress_file`` (``module_utils/waiter.py``: one JSON line each); this plugin gives the
module a temporary file, and a thread of the worker reads it while the module runs and prints what is new with Ansible's
Display, at default verbosity:

    cen_connection: 40s: VPC attachment tr-attach-... (cn-shanghai) Attaching; next read in 5s
    cen_connection: 52s: VPC attachment tr-attach-... (cn-shanghai) Attached after 50s

A worker's Display goes through Ansible's queue to the main process, which prints it at once, so the lines appear while
the task runs, on a terminal and in a captured (AWX) output alike. The step stays one module process polling on the
cloud's clock: only the reporting is added.

The file is read on the controller, so progress is printed only when the module runs there: a local connection (the
cloud modules' normal case, localhost or delegate_to: localhost) without become (the module would write as another
user). With ``async``, on a remote host, with become, or with ``progress_file`` given by hand, the module runs as the
generic action runs it, printing nothing while it waits.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import typing as t

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

display = Display()

OPTION = "progress_file"
READ_EVERY = 0.5  # seconds between looks at the file: a line is printed within half a second of the read it reports


def _where(entry: dict) -> str:
    region = " (%s)" % entry["region"] if entry.get("region") else ""
    return "%s%s" % (entry.get("resource"), region)


def progress_message(prefix: str, line: dict) -> str:
    """The printed form of one progress line of the module (``waiter.ProgressFile``)."""
    elapsed = "%s: %ds: " % (prefix, round(line.get("elapsed") or 0))
    event = line.get("event")
    if event == "poll":
        waiting = line.get("waiting") or [line]
        text = ", ".join("%s %s" % (_where(entry), entry.get("status")) for entry in waiting)
        if line.get("next_poll") is not None:
            text += "; next read in %ss" % _number(line["next_poll"])
        return elapsed + text
    if event == "done":
        status = "gone" if line.get("status") == "absent" else line.get("status")
        return elapsed + "%s %s after %ss" % (_where(line), status, _number(line.get("waited") or 0))
    return elapsed + "%s: stopped waiting after %ss at %s" % (_where(line), _number(line.get("waited") or 0), line.get("status"))


def _number(value: float) -> str:
    """Seconds as people read them: 50, 50.5, 0.08 (a pause on a scaled clock)."""
    value = float(value)
    if value.is_integer():
        return str(int(value))
    return "%.1f" % value if value >= 1 else "%.2g" % value


def coalesce(lines: list) -> list:
    """The lines worth printing of one look at the file: every end of a wait, and of several polls in a row only the last
    (it lists every wait still going on), so that a burst of short polls prints one line."""
    kept: list = []
    for line in lines:
        if kept and line.get("event") == "poll" and kept[-1].get("event") == "poll":
            kept[-1] = line
        else:
            kept.append(line)
    return kept


class ProgressPrinter:
    """A thread that prints the new lines of a progress file until ``stop()`` (which prints the last ones first)."""

    def __init__(self, path: str, prefix: str, show: t.Callable[[str], None] | None = None, every: float = READ_EVERY):
        self.path = path
        self.prefix = prefix
        self.show = show or display.display
        self.every = every
        self._offset = 0
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="progress", daemon=True)

    def __enter__(self) -> ProgressPrinter:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: t.Any) -> None:
        self._stopping.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stopping.wait(self.every):
            self.print_new()
        self.print_new()

    def new_lines(self) -> list:
        """The complete lines written since the last look (a line being written is left for the next look)."""
        try:
            with open(self.path, "rb") as stream:
                stream.seek(self._offset)
                data = stream.read()
        except OSError:
            return []
        end = data.rfind(b"\n") + 1
        self._offset += end
        lines = []
        for raw in data[:end].splitlines():
            try:
                lines.append(json.loads(raw.decode("utf-8")))
            except ValueError:
                continue  # not a progress line: nothing to show
        return [line for line in lines if isinstance(line, dict)]

    def print_new(self) -> None:
        for line in coalesce(self.new_lines()):
            self.show(progress_message(self.prefix, line))


class ProgressAction(ActionBase):
    """Runs the task's module as the generic action does, printing its waits while it runs when it runs on the controller."""

    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp  # unused since Ansible 2.7
        wrap_async = bool(self._task.async_val) and not self._connection.has_native_async
        if wrap_async or not self.shows_progress():
            module_result = self._execute_module(task_vars=task_vars, wrap_async=wrap_async)
        else:
            module_result = self._run_with_progress(task_vars)
        result = merge_hash(result, module_result)
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    def shows_progress(self) -> bool:
        """Whether the module runs where this process can read its progress file: on the controller, as this user."""
        return (self._connection.transport == "local" and not self._play_context.become
                and not self._task.args.get(OPTION))

    def _run_with_progress(self, task_vars: dict | None) -> dict:
        handle, path = tempfile.mkstemp(prefix="acr_access_progress_", suffix=".jsonl")
        os.close(handle)
        prefix = self._task.action.rsplit(".", 1)[-1]
        try:
            with ProgressPrinter(path, prefix):
                module_result = self._execute_module(module_args=dict(self._task.args, **{OPTION: path}), task_vars=task_vars)
        finally:
            os.remove(path)
        # The file was this run's, and is gone: the invocation the user sees holds the task's own arguments.
        invocation = module_result.get("invocation")
        if isinstance(invocation, dict) and isinstance(invocation.get("module_args"), dict):
            invocation["module_args"].pop(OPTION, None)
        return module_result
