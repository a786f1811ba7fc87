# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Waiters as data: poll a read call until a resource reaches a status.

The Tea SDKs have no waiters. A waiter here is a ``WaiterSpec`` constant in
its product's home (``vpc_routes.ROUTE_ENTRY_AVAILABLE``, ``cen.VPC_ATTACHMENT_ATTACHED``...):
which read operation to call with which parameters, where the matching items
are in the answer, which status means done or failed, and what "gone" means
(success for a delete, keep polling right after a create).

    wait_for(module, ROUTE_ENTRY_AVAILABLE, timeout=600,
             region="cn-hangzhou", route_table_id="vtb-...", route_entry_id="rte-...")

``poll`` is the one polling loop; a wait whose read is no API call (a probe of a registry)
gives it its own read function and a ``Polling`` (statuses and pauses) instead of a WaiterSpec.

Pacing on the cloud's clock: the first read is at once (a resource already in its end state costs one
read and no pause); the pause after it is ``delay``, about the time the cloud typically takes for the
change (each product home gives its waiters' typical times, with their source), so that the second
read is the one that sees the change done; later pauses are short (``max_delay``, a few seconds, one
second for route entries and links), so that a change that takes longer than usual is seen within
seconds of its end. The environment variable ``ACR_ACCESS_WAIT_SCALE`` (default 1) multiplies every
pause: below 1 for an endpoint whose changes settle faster than the cloud's typical times (a test
double running on a scaled clock), above 1 to read less often.

Progress: a wait of minutes must not be silent. ``poll`` tells the process's progress reporter (``report_progress_to``,
set by the module base when the task gives ``progress_file``) after every read which resource, in which region, is in
which status, how long it has been waited for and when the next read comes; the reporter appends it to that file as one
JSON line, which the module's action plugin prints on the controller while the module runs. Without a reporter
nothing is written: the waits themselves are the same either way.
"""

from __future__ import annotations

import json
import math
import os
import random
import threading
import time
import typing as t

from .common import unwrap_list
from .errors import WaiterError, is_not_found
from .product import Product

GONE = "(absent)"  # the pseudo status of a resource the read call does not return


WHEN_GONE = ("retry", "success", "failure")
WAIT_SCALE_ENV = "ACR_ACCESS_WAIT_SCALE"  # multiplies every pause; default 1 (the cloud's typical times)
MIN_PAUSE = 0.05  # seconds: even on a scaled clock a wait never spins


class WaiterSpec(t.NamedTuple):
    resource: str                       # label with {placeholders} from the ids: "VPC route entry {route_entry_id}"
    product: Product                    # whose read call it is
    operation: str                      # the read action, e.g. "DescribeRouteEntryList"
    request: t.Callable[[dict], dict]   # ids -> API params of the read call
    items: tuple                        # path to the list (or single object) in the answer
    status_key: str                     # status field of an item
    success: tuple                      # statuses that end the wait
    failure: tuple = ()                 # statuses that fail it at once
    when_gone: str = "retry"            # absent resource: "retry" (just created), "success" (deleting), "failure"
    match: t.Callable[[dict, dict], bool] | None = None  # (item, ids) -> is it ours (lists may hold others)
    delay: float = 2.0                  # the pause after the first read: about the cloud's typical time for the change, seconds
    max_delay: float = 5.0              # the later pauses grow up to this: a few seconds, so a late change is seen soon after its end
    extra_codes: tuple = ()             # extra retryable codes of the read call
    growth: float = 1.5                 # each pause is this times the one before (up to max_delay)
    jitter: float = 0.25                # a pause is shortened by up to this fraction, so parallel tasks spread their reads

    def check(self) -> WaiterSpec:
        """The spec itself, after checking the fields a typo would break at run time; a product home defines
        its waiters as ``NAME = WaiterSpec(...).check()``."""
        if self.when_gone not in WHEN_GONE:
            raise ValueError("waiter of %s: when_gone must be one of %s, not %r" % (self.resource, ", ".join(WHEN_GONE), self.when_gone))
        if not isinstance(self.product, Product):
            raise ValueError("waiter of %s: product must be a Product, not %r" % (self.resource, self.product))
        return self


class Polling(t.NamedTuple):
    """How ``poll`` ends and paces a wait whose read is not an API call (a probe of a registry): the same
    fields as a WaiterSpec's, without the read call's. ``Polling(success=(True,), delay=5, growth=2, jitter=0)``."""
    success: tuple                      # statuses that end the wait
    failure: tuple = ()                 # statuses that fail it at once
    when_gone: str = "retry"            # a read answering GONE: "retry", "success" or "failure"
    delay: float = 2.0                  # first pause between reads, seconds
    max_delay: float = 15.0
    growth: float = 1.5
    jitter: float = 0.25


class Deadline:
    """One time budget for a whole task: every write and every wait of the task draws on it.

    ``wait_timeout`` is the user's promise of how long a task may take, so a task with
    several waits must not give each wait the full timeout again, and must not send a
    write once the budget is spent (a write after the deadline is a change nobody waits for).
    """

    def __init__(self, seconds: float, clock: t.Callable[[], float] = time.monotonic):
        self.seconds = seconds
        self._clock = clock
        self._end = clock() + seconds

    def left(self) -> float:
        """Seconds left, never negative."""
        return max(0.0, self._end - self._clock())

    def expired(self) -> bool:
        return self._end - self._clock() <= 0

    def before_write(self, what: str) -> None:
        """Raise a timeout instead of starting ``what`` (a write) once the budget is spent."""
        if self.expired():
            raise WaiterError("Timed out after %s seconds (wait_timeout) before %s; nothing more was changed"
                              % (_seconds(self.seconds), what), code="WaiterTimeout")


def status_from_answer(spec: WaiterSpec, answer: dict, ids: dict) -> tuple:
    """(status, item) of our resource in a read answer; (GONE, None) when it is not there."""
    for item in unwrap_list(answer, *spec.items):
        if isinstance(item, dict) and (spec.match is None or spec.match(item, ids)):
            return item.get(spec.status_key), item
    return GONE, None


def _label(spec: WaiterSpec, ids: dict) -> str:
    try:
        return spec.resource.format(**ids)
    except (KeyError, IndexError):
        return spec.resource


def wait_scale(environ: t.Mapping[str, str] | None = None) -> float:
    """The factor of every pause: ``ACR_ACCESS_WAIT_SCALE`` when it is a finite number >= 0, else 1 (the cloud's own times)."""
    text = (os.environ if environ is None else environ).get(WAIT_SCALE_ENV, "")
    try:
        value = float(text)
    except ValueError:
        return 1.0
    return value if math.isfinite(value) and value >= 0 else 1.0


def pauses(spec: WaiterSpec | Polling, scale: float = 1.0) -> t.Iterator[float]:
    """The pauses of a wait before jitter, for ever: ``delay``, then growing by ``growth`` from there up to ``max_delay``
    (a first pause longer than the cap is followed by the cap), each times ``scale``."""
    delay = spec.delay
    while True:
        yield max(MIN_PAUSE, delay * scale)
        delay = min(delay * spec.growth, spec.max_delay)


def poll(read: t.Callable[[float], tuple], spec: WaiterSpec | Polling, timeout: float, label: str,
         sleep: t.Callable[[float], None] = time.sleep,
         clock: t.Callable[[], float] = time.monotonic,
         uniform: t.Callable[[float, float], float] = random.uniform,
         scale: float | None = None, region: str | None = None) -> t.Any:
    """The polling loop. ``read(seconds_left)`` returns (status, item); returns the item on success.

    ``spec`` (a WaiterSpec, or a Polling for a read that is no API call) says which statuses end the wait
    and how long the pauses are (``pauses``): the first read at once, the second after ``delay``, then every
    few seconds. Raises WaiterError on a failure status, or when ``timeout`` seconds have passed.
    ``sleep``, ``clock`` and ``uniform`` exist for tests (a fake clock); production leaves them alone.
    ``scale`` multiplies the pauses (None: ``wait_scale()``, from the environment).
    ``region``: where the resource is, for the progress report (``report_progress_to``) after every read.
    """
    started = clock()
    give_up_at = started + timeout
    pacing = pauses(spec, wait_scale() if scale is None else scale)
    wanted = "/".join(str(status) for status in spec.success) if spec.success else "be deleted"
    progress = _progress
    status: t.Any = None
    polled = []  # a wait that ends at its first read is not reported: it made nobody wait

    def report(event: str, next_poll: float | None = None) -> None:
        if progress is not None and (event == "poll" or polled):
            polled.append(event)
            progress(event, label, region, status, clock() - started, next_poll)

    try:
        while True:
            status, item = read(max(0.0, give_up_at - clock()))
            if status == GONE and spec.when_gone == "success":
                report("done")
                return None
            if status == GONE and spec.when_gone == "failure":
                raise WaiterError("%s disappeared while waiting for it to reach %s" % (label, wanted), code="WaiterResourceGone")
            if status in spec.success:
                report("done")
                return item
            if status in spec.failure:
                raise WaiterError("%s reached the failure status %s while waiting for %s" % (label, status, wanted),
                                  code="WaiterFailureState")
            left = give_up_at - clock()
            if left <= 0:
                shown = "absent" if status == GONE else status
                raise WaiterError("Timed out after %s seconds waiting for %s to reach %s; last status: %s"
                                  % (_seconds(timeout), label, wanted, shown), code="WaiterTimeout")
            # Slightly jittered (shortened) so that parallel tasks spread their reads.
            pause = next(pacing)
            pause = min(left, uniform((1.0 - spec.jitter) * pause, pause))
            report("poll", pause)
            sleep(pause)
    except Exception:
        report("failed")  # the wait is over: it leaves the report's list of waits going on
        raise


class ProgressFile:
    """Reports every poll as one JSON line appended to ``path`` (the option ``progress_file``, from the action plugin).

    Each line holds the event (``poll``: read, not there yet; ``done``; ``failed``), the resource, its region and status,
    the seconds it has been waited for, the seconds to the next read, and ``waiting``: every wait of the task still
    going on (a step waits for several resources at once), so a line alone says what the step waits for. ``elapsed``
    counts from the reporter's start (the module's start). Progress is a courtesy to the person watching: a file that
    cannot be written turns the reporting off and never fails the task.
    """

    def __init__(self, path: str, clock: t.Callable[[], float] = time.monotonic):
        self.path = path
        self._clock = clock
        self._start = clock()
        self._lock = threading.Lock()  # resource.concurrently: waits of one task in several threads
        self._waiting: dict = {}  # (resource, region) -> its last poll, for the ``waiting`` list
        self.broken = False

    def __call__(self, event: str, resource: str, region: str | None, status: t.Any, waited: float,
                 next_poll: float | None = None) -> None:
        entry = {"resource": resource, "region": region, "status": "absent" if status == GONE else status,
                 "waited": round(waited, 1)}
        with self._lock:
            if event == "poll":
                self._waiting[(resource, region)] = entry
            else:
                self._waiting.pop((resource, region), None)
            line = dict(entry, event=event, elapsed=round(self._clock() - self._start, 1), waiting=list(self._waiting.values()))
            if next_poll is not None:
                line["next_poll"] = round(next_poll, 2)
            if self.broken:
                return
            try:
                with open(self.path, "a", encoding="utf-8") as stream:
                    stream.write(json.dumps(line, default=str) + "\n")
            except OSError:
                self.broken = True


_progress: t.Callable[..., None] | None = None  # the process's reporter: one module, one task


def report_progress_to(reporter: t.Callable[..., None] | None) -> None:
    """Send the progress of every later wait of this process to ``reporter`` (a ProgressFile; None: to nobody)."""
    global _progress  # pylint: disable=global-statement
    _progress = reporter


def as_deadline(timeout: float | Deadline) -> Deadline:
    """The task's Deadline: given, or started now from seconds."""
    return timeout if isinstance(timeout, Deadline) else Deadline(timeout)


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else "%.1f" % value


def wait_for(module: t.Any, spec: WaiterSpec, timeout: float | Deadline, **ids: t.Any) -> dict | None:
    """Wait with the waiter ``spec`` for the resource ``ids`` (region, ids of the read call).

    ``timeout`` is seconds, or the task's Deadline (the wait then gets what is left of it).

    Reads go through ``module.call``, so throttling is retried inside each read (within the time left).
    Returns the resource's last answer item (PascalCase), or None for a delete.
    """
    label = _label(spec, ids)
    if isinstance(timeout, Deadline):
        timeout = timeout.left()

    def read(seconds_left: float) -> tuple:
        try:
            answer = module.call(spec.product, spec.operation, spec.request(ids), region=ids.get("region"),
                                 extra_codes=spec.extra_codes, deadline=seconds_left)
        except Exception as error:  # pylint: disable=broad-except
            if is_not_found(error):  # some reads answer NotFound instead of an empty list
                return GONE, None
            raise
        return status_from_answer(spec, answer, ids)

    # A read without a region in its ids goes to the module's (a step's resource: its own); the report names it too.
    return poll(read, spec, timeout, label, region=ids.get("region") or getattr(module, "region", None))
