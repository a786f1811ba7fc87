# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one shape of a module that manages a cloud resource.

A manager (one per resource, in its product's module_utils) fills in the steps;
the base runs them in the same order for every resource:

    read -> let a transitional state settle -> compare wanted with found
         -> predict (check mode) or write (Deadline first, ClientToken on creates) -> wait

and returns ``{changed, <result_key>: view, diff: {before, after}}``. The module file
is then its documentation, its argument spec and a short ``main()``:

    def main():
        module = AnsibleAlicloudModule(argument_spec=dict(..., **wait_argument_spec(600)),
                                       supports_check_mode=True, region_required="the transit router")
        run(module, TransitRouterManager, "Failed to manage the transit router of CEN {cen_id} in {region}")

A manager whose resource has more than one part (an attachment and its route
table links; the entries of a route table) overrides ``ensure_present`` /
``ensure_absent`` and keeps the same helpers: ``write``, ``wait``, ``result``.
"""

from __future__ import annotations

import hashlib
import time
import typing as t
import uuid
from concurrent.futures import ThreadPoolExecutor

from .errors import AlicloudApiError, AlicloudError, InputError, gone_on_delete
from .waiter import Deadline, WaiterSpec, wait_for

DEFAULT_WAIT_TIMEOUT = 600


def wait_argument_spec(wait_timeout: int = DEFAULT_WAIT_TIMEOUT) -> dict:
    """The ``wait``, ``wait_timeout`` and ``progress_file`` options (doc fragment alicloud.acr_access.wait), with this module's
    default timeout."""
    return dict(wait=dict(type="bool", default=True), wait_timeout=dict(type="int", default=wait_timeout), **progress_argument_spec())


def progress_argument_spec() -> dict:
    """The ``progress_file`` option (doc fragment alicloud.acr_access.wait.progress; the module base reports to it), for a
    module that documents its own waits (a step owner)."""
    return dict(progress_file=dict(type="path"))


def client_token() -> str:
    """One token per create: the retries of that create reuse it, so the cloud answers a repeat with the first result."""
    return str(uuid.uuid4())


def derived_token(*parts: t.Any) -> str:
    """A ClientToken derived from a create's action and every parameter it sends (name, region, CEN id, VPC id...).

    Two runs that send the same create at once send the same token, so the cloud makes one resource and answers both
    with it (a random token per run would make two). Every parameter is part of it: the cloud answers a known token sent
    with other parameters with an error (IdempotentParameterMismatch, the VPC and ECS idempotence guides), so runs that
    want different things get different tokens and meet again in ``create_one``'s re-read. UUID-shaped (the cloud takes up
    to 64 ASCII characters); the same in every process and Python version.
    """
    text = "\x1f".join("" if part is None else str(part) for part in parts)
    return str(uuid.UUID(hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]))


def oldest(items: list, id_key: str) -> dict:
    """The item every run picks among twins: the earliest CreationTime, then the smallest id (runs that see the same
    items pick the same one, whichever made it)."""
    return min(items, key=lambda item: (item.get("CreationTime") or "", item.get(id_key) or ""))


LISTED_TRIES = 2        # reads of a just-created resource before its id counts as not the cloud's any more
LISTED_PAUSE = 1.0      # seconds between them (a list may show a new resource a moment after the create answered)


class ResourceManager:
    """One managed resource. Subclasses set ``result_key`` and implement the steps they need.

    Steps (hooks): ``validate`` (input, before any write), ``read`` (the raw item or None), ``view``
    (the snake_case result), ``settle`` (wait out a transitional status before deciding), ``changes``
    (wanted vs found, {} when equal), ``planned`` (the raw item a create would make, for check mode),
    ``create`` / ``update`` / ``delete`` (writes, through ``write``), ``ready`` (wait for the end state when
    ``wait`` is true), ``going`` (already being deleted), ``wait_gone``.
    """

    result_key = "resource"

    def __init__(self, module: t.Any):
        self.module = module
        self.params = module.params
        self.check_mode = module.check_mode
        self.deadline = Deadline(self.params.get("wait_timeout") or DEFAULT_WAIT_TIMEOUT)
        self.changed = False
        self.item: dict | None = None

    # --- the steps a manager implements ----------------------------------------------------------

    def validate(self) -> None:
        """Check the input (reads allowed, no write); raise InputError naming the field and the fix."""

    def read(self) -> dict | None:
        raise NotImplementedError

    def view(self, item: dict | None) -> dict:
        raise NotImplementedError

    def settle(self, item: dict) -> dict | None:
        """The item once a transitional status is over (default: as found); None if it went away meanwhile."""
        return item

    def changes(self, item: dict) -> dict:
        """What differs between the wanted resource and ``item`` (default: nothing can change in place)."""
        return {}

    def planned(self) -> dict:
        raise NotImplementedError

    def create(self) -> dict:
        raise NotImplementedError

    def update(self, item: dict, changes: dict) -> dict:
        raise NotImplementedError("%s cannot be changed in place: %s" % (self.result_key, ", ".join(sorted(changes))))

    def predict_update(self, item: dict, changes: dict) -> dict:
        return dict(item, **changes)

    def ready(self, item: dict) -> dict:
        """The item in its end state (waited for when ``wait`` is true; default: as is)."""
        return item

    def going(self, item: dict) -> bool:
        """True when the resource is already being deleted (default: never)."""
        return False

    def delete(self, item: dict) -> bool:
        """Send the delete; False when it was already gone (use ``write_delete``)."""
        raise NotImplementedError

    def wait_gone(self, item: dict) -> None:
        """Wait until the resource is gone (called only when ``wait`` is true)."""

    def discard(self, item: dict) -> None:
        """Delete a twin this run has just created (``create_one``), not waited for (default: ``delete``)."""
        self.delete(item)

    def failure_values(self) -> dict:
        """Extra placeholders for the failure message of ``run`` (default: none), e.g. a route table found from its VPC."""
        return {}

    # --- the flow: the same for every resource ---------------------------------------------------

    def ensure(self) -> dict:
        self.validate()
        return self.ensure_present() if self.params.get("state", "present") == "present" else self.ensure_absent()

    def ensure_present(self) -> dict:
        before, item = self.converge()
        self.item = item  # the raw item (PascalCase) as it ended: a step owner passes it on to the next manager
        return self.result(before, self.view(item))

    def converge(self) -> tuple:
        """(the view before, the raw item after) of the present flow: created, updated, or as found (waited for).

        A manager with more parts (an attachment and its route table links) calls it, then does the rest."""
        found = self.read()
        if found is not None:
            found = self.settle(found)
        before = self.view(found) if found is not None else {}
        if found is None:
            self.changed = True
            item = self.planned() if self.check_mode else self.create()
        else:
            changes = self.changes(found)
            if changes:
                self.changed = True
                item = self.predict_update(found, changes) if self.check_mode else self.update(found, changes)
            else:
                item = self.ready(found) if self.params.get("wait", True) and not self.check_mode else found
        return before, item

    def ensure_absent(self) -> dict:
        found = self.read()
        if found is None:
            return self.result({}, {})
        before = self.view(found)
        if self.going(found):
            if self.params.get("wait", True) and not self.check_mode:
                self.wait_gone(found)
            return self.result({}, {})  # someone else's delete: no change of ours, and nothing to show
        if self.check_mode:
            self.changed = True
        else:
            self.changed = self.delete(found)
            if self.params.get("wait", True):
                self.wait_gone(found)
        return self.result(before, {})

    # --- helpers for the steps ------------------------------------------------------------------------

    id_key = "Id"        # the raw item's id field, for ``create_one``
    adopted = False      # True when ``create_one`` ended with a resource another run created

    def create_one(self, what: str, send: t.Callable[[str], str], siblings: t.Callable[[], list], identity: tuple,
                   unchecked: dict | None = None) -> dict:
        """Create through ``send(token)`` (-> the new id) so that runs creating the same resource at once end with one;
        the raw item as listed.

        ``identity``: the action and every parameter sent (``derived_token``); ``siblings()``: every item the lookup of this
        resource would find (all statuses). Three things make two runs converge:

        - the derived token: two runs sending the same create get the same resource from the cloud;
        - a create refused because the resource exists (another run, with other parameters, got there first, and the
          cloud allows one: a transit router per region, an attachment per VPC) takes the one listed;
        - the re-read after the create: among several live ones every run keeps the oldest (``oldest``), and the run that
          made another one deletes it (``discard``), with a warning naming both.

        A token the cloud still remembers for a resource deleted since (a teardown, then a converge, within the token's
        validity) answers that resource's id: it is not listed (or going), so the create is sent once more with a token
        of the next generation (derived from the stale id too, so concurrent runs still share it).

        ``unchecked``: the item to answer without the re-read (``unchecked`` plus the new id), for a task that must not read
        after its write (wait: false, so that a play asks for the next resource at once); the next run's lookup then finds a
        twin and refuses it loudly, and a stale id is not found there and created again, checked.
        """
        try:
            new_id = self.write(what, lambda: send(derived_token(*identity)))
        except AlicloudApiError:
            found = [item for item in siblings() if not self.going(item)]
            if not found:
                raise
            keeper = oldest(found, self.id_key)
            self.adopted = True
            self.module.warn("%s was refused: %s was created meanwhile (another run got there first); using it" % (what, keeper[self.id_key]))
            return keeper
        if unchecked is not None:
            return dict(unchecked, **{self.id_key: new_id})
        mine, found = self._listed(new_id, siblings)
        if mine is None or self.going(mine):
            stale = new_id
            new_id = self.write(what, lambda: send(derived_token(*(tuple(identity) + ("after", stale)))))
            mine, found = self._listed(new_id, siblings)
            if mine is None:
                raise AlicloudError("%s answered %s, which the cloud does not list; run the task again" % (what, new_id), operation=what)
        live = [item for item in found if not self.going(item)]
        keeper = oldest(live, self.id_key) if live else mine
        if keeper[self.id_key] != new_id:
            self.module.warn("%s: another run created %s at the same time; keeping the older %s and deleting %s, which this run made"
                             % (what, keeper[self.id_key], keeper[self.id_key], new_id))
            self.discard(mine)
            self.adopted = True
            return keeper
        others = sorted(item[self.id_key] for item in live if item[self.id_key] != new_id)
        if others:
            self.module.warn("%s: another run created %s at the same time; this run's %s is the older one and stays (the other run "
                             "deletes its own)" % (what, ", ".join(others), new_id))
        return mine

    def _listed(self, new_id: str, siblings: t.Callable[[], list]) -> tuple:
        """(the item of ``new_id`` or None, every sibling) after a create, read again briefly while it is not listed yet."""
        for attempt in range(LISTED_TRIES):
            found = siblings()
            mine = [item for item in found if item.get(self.id_key) == new_id]
            if mine or attempt == LISTED_TRIES - 1 or self.deadline.left() <= LISTED_PAUSE:
                return (mine[0] if mine else None), found
            time.sleep(LISTED_PAUSE)
        return None, []  # not reached

    def write(self, what: str, send: t.Callable[[], t.Any]) -> t.Any:
        """Send one write, unless the task's time budget is spent (then nothing more is changed)."""
        self.deadline.before_write(what)
        return send()

    def write_delete(self, what: str, send: t.Callable[[], t.Any], gone_codes: t.Iterable[str] = ()) -> bool:
        """A delete through ``write``: False when the cloud says it was already gone at the first attempt (a NotFound
        to a retry means an earlier attempt, whose answer was lost, deleted it: True; see ``gone_on_delete``)."""
        self.deadline.before_write(what)
        return gone_on_delete(send, gone_codes)

    def wait(self, spec: WaiterSpec, **ids: t.Any) -> dict | None:
        return wait_for(self.module, spec, self.deadline, **ids)

    def result(self, before: dict, after: dict) -> dict:
        result = {"changed": self.changed, self.result_key: after}
        if before or after:
            result["diff"] = {"before": before, "after": after}
        return result


class ScopedModule:
    """The module as one resource of a step sees it: that resource's options as ``params`` (every other option
    None), its region for calls without one, the step's module for everything else (check mode, warnings, clients).

    A module that converges several resources in one process (a step owner) gives each manager one of these,
    so the managers stay the ones the per-resource modules use.
    """

    def __init__(self, module: t.Any, **params: t.Any):
        self._module = module
        self.params = _Options(params)

    @property
    def region(self) -> str | None:
        return self.params.get("region")

    def call(self, product: t.Any, action: str, params: dict | None = None, region: str | None = None, **kwargs: t.Any) -> dict:
        return self._module.call(product, action, params, region=region or self.region, **kwargs)

    def __getattr__(self, name: str) -> t.Any:
        return getattr(self._module, name)


def step_manager(module: t.Any, deadline: Deadline, manager_class: t.Callable[..., ResourceManager], known: dict | None = None,
                 **options: t.Any) -> ResourceManager:
    """The manager of one resource of a step owner, validated (reads only): its ``options`` as its own module takes them
    (through a ScopedModule), the step's one Deadline, and ``known`` - what the step has read already - for its constructor."""
    manager = manager_class(ScopedModule(module, **options), **(known or {}))
    manager.deadline = deadline
    manager.validate()
    return manager


def concurrently(*calls: t.Callable[[], t.Any]) -> list:
    """Run independent calls at once (each mostly waits for the cloud), their results in order; the first error is raised
    once all have ended, so that no call is left running behind a failed task.

    For changes the cloud makes in parallel but a manager waits for one at a time: the route entries of two route
    tables (each table takes one change at a time), a route table and a route publication.
    """
    if len(calls) <= 1:
        return [call() for call in calls]
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(call) for call in calls]
    errors = [future.exception() for future in futures if future.exception() is not None]
    if errors:
        raise errors[0]
    return [future.result() for future in futures]


class _Options(dict):
    """Module options of one resource: an option the step does not set reads as None, as an unset module option does."""

    def __missing__(self, key: str) -> None:
        return None


def run(module: t.Any, manager_class: t.Callable[[t.Any], ResourceManager], failure: str) -> None:
    """main() of a resource module: ensure the state, exit with the result or fail with the API error.

    ``failure`` is formatted with the module's parameters, ``region`` and the manager's ``failure_values()``:
    "Failed to manage the transit router of CEN {cen_id} in {region}". An InputError fails with its own
    message, which already names the field and the fix.
    """
    manager = manager_class(module)
    try:
        result = manager.ensure()
    except InputError as error:
        module.fail_json_api(error)
    except AlicloudError as error:
        module.fail_json_api(error, msg=failure.format(**dict(module.params, region=module.region, **manager.failure_values())))
    module.exit_json(**result)
