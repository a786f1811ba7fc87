# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Whether a Container Registry instance has taken over its authentication domain, read from the registry itself
(the realm of its Bearer challenge): there is no API for this console setting. The module cr_auth_domain_takeover
reads it once, or waits with the shared ``waiter.poll`` until someone changes it in the console.
"""

from __future__ import annotations

import typing as t

from .errors import WaiterError
from .realm import AUTH_TAKEOVER, classify_auth_domain
from .registry_probe import ProbeError, own_domains, probe_registry, tls_context
from .waiter import Polling, poll

CONSOLE_PATH = 'Container Registry console > Instances > %s > Domain: "Instance Taking over Authentication Domain Name"'
ALLOW_LIST_NOTE = "the instance must first be allow-listed for this feature: submit a ticket"
MAX_POLL_INTERVAL = 60


class TakeoverProbe:
    """Reads the takeover state from the registry's challenge, once or until it is the wanted one."""

    def __init__(self, module: t.Any, registry_domain: str):
        self.module = module
        self.domain = registry_domain
        params = module.params
        self.own_domains = own_domains(registry_domain, params["instance_name"], params["region"], params["instance_domains"])
        self.context = tls_context(params["validate_certs"], params["ca_path"])
        self.count = 0

    def read(self) -> dict:
        self.count += 1
        params = self.module.params
        challenge = probe_registry(self.domain, params["port"], params["timeout"], self.context)["challenge"]
        kind = classify_auth_domain(challenge.auth_domain, self.own_domains)
        return dict(enabled=kind == AUTH_TAKEOVER, realm=challenge.realm, auth_domain=challenge.auth_domain, kind=kind)

    def wait_for(self, enabled: bool, first: dict) -> dict:
        """Probe with a doubling interval until the state is ``enabled`` or wait_timeout has passed; the last reading."""
        params = self.module.params
        pacing = Polling(success=(enabled,), delay=params["poll_interval"], max_delay=MAX_POLL_INTERVAL, growth=2.0, jitter=0.0)
        readings: list = []

        def read(_seconds_left: float) -> tuple:
            if not readings:
                readings.append(first)  # the first reading is the one already taken
            else:
                try:
                    readings.append(self.read())
                except ProbeError as error:  # the registry may restart while the setting changes: keep waiting
                    readings.append(dict(readings[-1], error=str(error)))
            return readings[-1]["enabled"], readings[-1]

        try:
            return poll(read, pacing, params["wait_timeout"], "the takeover state of %s" % self.domain)
        except WaiterError:  # timed out: the caller says what the last reading was
            return readings[-1]


def mismatch_message(domain: str, wanted: bool, reading: dict, instance: str) -> str:
    where = CONSOLE_PATH % instance
    if wanted:
        return ("The instance behind %s has not taken over its authentication domain: the registry's realm is %s. "
                "There is no API for this setting; turn it on in the %s (%s), then run again or use wait=true."
                % (domain, reading["realm"], where, ALLOW_LIST_NOTE))
    return ("The instance behind %s has taken over its authentication domain (realm %s). There is no API for this setting; "
            "turn it off in the %s, then run again or use wait=true." % (domain, reading["realm"], where))


def takeover_state(module: t.Any, probe: TakeoverProbe) -> dict:
    """The state read (and waited for), as returned; fails the module when it is not the wanted one (warns in check mode)."""
    reading = probe.read()
    state = module.params["state"]
    if state is None:
        return dict(_public(reading), probes=probe.count)
    wanted = state == "enabled"
    if reading["enabled"] != wanted and module.params["wait"] and not module.check_mode:
        reading = probe.wait_for(wanted, reading)
    if reading["enabled"] != wanted:
        message = mismatch_message(probe.domain, wanted, reading, module.params["instance_name"] or probe.domain)
        if module.params["wait"] and not module.check_mode:
            message = "Waited %ss (%d probes): %s" % (module.params["wait_timeout"], probe.count, message)
            if reading.get("error"):
                message += " The last probe failed: %s" % reading["error"]
        if module.check_mode:
            module.warn(message)
        else:
            module.fail_json(msg=message, registry_domain=probe.domain, console_path=CONSOLE_PATH % (module.params["instance_name"] or probe.domain),
                             **_public(reading), probes=probe.count)
    return dict(_public(reading), probes=probe.count)


def _public(reading: dict) -> dict:
    return {key: reading[key] for key in ("enabled", "realm", "auth_domain", "kind")}
