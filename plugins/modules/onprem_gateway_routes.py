#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: onprem_gateway_routes
short_description: Keep the routes into the tunnel on a data center's Linux gateway, in the kernel and persisted
version_added: 0.1.0
description:
  - Applies static routes with C(ip route) on a Linux host that is the gateway of a data center - the access plan's
    C(on_premises_routes) (M(alicloud.acr_access.registry_access_plan) with a data center as the source), which send the registry,
    auth and OSS destinations into the IPsec tunnel or the Express Connect link.
  - Touches only its own routes - every route it makes carries the route protocol O(protocol), and a route with another protocol is
    never changed or removed. A route of another owner with the same destination (and metric 0) fails the task before any change.
  - Persists the routes the distribution's way, detected with O(persist=auto) - a systemd-networkd drop-in next to the device's
    C(.network) file, an ifupdown C(if-up.d) hook, or a marked block in RHEL's C(network-scripts/route-DEVICE). NetworkManager is
    detected and refused (its routes belong in the connection profile). A host without any of them fails unless O(persist=none)
    says that the routes last until the next reboot only.
  - Runs with the Python standard library and C(ip) (iproute2) only; no cloud credentials, not part of the C(alicloud) action group.
author:
  - alicloud.acr_access contributors (@alicloud-acr-access)
options:
  routes:
    description:
      - The routes. With O(state=present) each needs O(routes[].via), O(routes[].dev) or both; with O(state=absent) the destination is enough.
    type: list
    elements: dict
    required: true
    suboptions:
      destination:
        description: The destination CIDR block (IPv4).
        type: str
        required: true
      via:
        description: The next hop address.
        type: str
      dev:
        description: The device; without it, the device the kernel uses to reach O(routes[].via).
        type: str
      reason:
        description: Why the route exists (the access plan's); ignored, so that the plan's routes can be passed as they are.
        type: str
  state:
    description: V(present) adds or corrects the routes, V(absent) removes them (only this module's, by O(protocol)).
    type: str
    choices: [present, absent]
    default: present
  persist:
    description:
      - How the routes survive a reboot. V(auto) detects the mechanism (systemd-networkd, then NetworkManager, which is refused,
        then ifupdown, then RHEL network-scripts) and fails when there is none; V(networkd), V(ifupdown), V(network_scripts) name it;
        V(none) changes only the kernel's routes.
    type: str
    choices: [auto, networkd, ifupdown, network_scripts, none]
    default: auto
  name:
    description: Names the persistence files (C(if-up.d/NAME), C(NAME.conf) drop-ins) and the marked block of C(route-DEVICE) files.
    type: str
    default: alicloud-acr-access
  protocol:
    description: The route protocol number that marks this module's routes (5 to 255; iproute2's C(rt_protos) assigns 197 to nothing).
    type: int
    default: 197
extends_documentation_fragment:
  - alicloud.acr_access.attributes
attributes:
  check_mode:
    support: full
    details:
      - Reads the routes and the files and returns what would change, with the diff, without changing either.
  diff_mode:
    support: full
    details:
      - This module's routes in the kernel and the persistence files, before and after.
  idempotent:
    support: full
notes:
  - Needs root (C(become=true)) and C(ip) from iproute2.
  - With systemd-networkd the drop-in's routes carry C(Protocol=), so networkd counts them as its own at its next reload instead of
    removing them as foreign routes; the module does not reload networkd (the routes are already in the kernel).
seealso:
  - module: alicloud.acr_access.registry_access_plan
"""

EXAMPLES = r"""
- name: Route the registry, auth and OSS destinations into the tunnel
  alicloud.acr_access.onprem_gateway_routes:
    routes:
      - {destination: 10.94.205.198/32, via: 169.254.10.1, dev: vti0}
      - {destination: 100.103.7.181/32, via: 169.254.10.1, dev: vti0}
      - {destination: 100.118.28.0/24, via: 169.254.10.1, dev: vti0}
  become: true

- name: The same from the access plan, on a host whose routes need not survive a reboot
  alicloud.acr_access.onprem_gateway_routes:
    routes: "{{ access.plan.on_premises_routes }}"
    persist: none
  become: true

- name: Remove them
  alicloud.acr_access.onprem_gateway_routes:
    routes: [{destination: 10.94.205.198/32}, {destination: 100.103.7.181/32}, {destination: 100.118.28.0/24}]
    state: absent
  become: true
"""

RETURN = r"""
routes:
  description: Each route with the device it uses and what was done (or would be in check mode).
  returned: always
  type: list
  elements: dict
  contains:
    destination:
      description: The destination.
      returned: always
      type: str
      sample: 100.103.7.181/32
    via:
      description: The next hop address, or null.
      returned: always
      type: str
      sample: 169.254.10.1
    dev:
      description: The device (the given one, or the one the kernel uses), or null when unknown.
      returned: always
      type: str
      sample: vti0
    action:
      description: V(added), V(replaced), V(removed) or V(unchanged).
      returned: always
      type: str
      sample: added
persistence:
  description: The persistence mechanism used (V(networkd), V(ifupdown), V(network_scripts) or V(none)) and the files it changed.
  returned: always
  type: dict
  sample: {mechanism: ifupdown, changed_files: [/etc/network/if-up.d/alicloud-acr-access]}
"""

import os
import tempfile

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.alicloud.acr_access.plugins.module_utils.gateway_routes import (
    PERSIST_CHOICES, DEFAULT_NAME, DEFAULT_PROTOCOL, GatewayError, detect, file_changes, kernel_plan, parse_kernel_routes,
    persisted_after, route_words, store_for, validate,
)

ARGUMENT_SPEC = dict(
    routes=dict(type="list", elements="dict", required=True, options=dict(
        destination=dict(type="str", required=True), via=dict(type="str"), dev=dict(type="str"), reason=dict(type="str"),
    )),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    persist=dict(type="str", choices=list(PERSIST_CHOICES), default="auto"),
    name=dict(type="str", default=DEFAULT_NAME),
    protocol=dict(type="int", default=DEFAULT_PROTOCOL),
)
ACTIONS = {"add": "added", "replace": "replaced", "remove": "removed", "unchanged": "unchanged"}


def ip(module, *args):
    rc, out, err = module.run_command([module.get_bin_path("ip", required=True)] + list(args))
    if rc != 0:
        module.fail_json(msg="ip %s failed: %s" % (" ".join(args), (err or out).strip()), rc=rc)
    return out


def link_index(module, dev):
    rc, out, _err = module.run_command([module.get_bin_path("ip", required=True), "-o", "link", "show", "dev", dev])
    return out.split(":", 1)[0].strip() if rc == 0 and out else None


def device_of(module, route, kernel_route):
    """The given device, else the one our route uses now, else the one the kernel would use to reach the next hop."""
    if route.dev:
        return route.dev
    if kernel_route is not None and kernel_route.dev:
        return kernel_route.dev
    if route.via:
        words = ip(module, "-4", "route", "get", route.via).split()
        if "dev" in words[:-1]:
            return words[words.index("dev") + 1]
    return None


def write(module, path, content, mode):
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o755)
    fd, tmp = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), dir=directory)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(content)
        module.atomic_move(tmp, path)
        # atomic_move gives a new file the default mode: the hook must be executable for run-parts
        os.chmod(path, mode)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def kernel_text(entries):
    return "".join("%s\n" % entry for entry in entries)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    state, protocol = params["state"], params["protocol"]
    try:
        routes = validate(params["routes"], state, params["name"], protocol)
    except GatewayError as error:
        module.fail_json(msg=str(error), field=error.field)

    kernel_routes = parse_kernel_routes(ip(module, "-4", "route", "show", "table", "main"))
    try:
        plan = kernel_plan(routes, kernel_routes, state, protocol)
        devices = dict((route.destination, device_of(module, route, kernel_route)) for route, _action, kernel_route in plan)
        mechanism = params["persist"]
        if mechanism == "auto":
            mechanism = detect(sorted(set(dev for dev in devices.values() if dev)), lambda dev: link_index(module, dev))
        store = store_for(mechanism, params["name"], protocol, lambda dev: link_index(module, dev))
        changes = []
        if store is not None:
            if state == "present":
                unknown = [route.destination for route in routes if not devices[route.destination]]
                if unknown:
                    raise GatewayError("routes", "no device for %s: give dev (persisting a route needs its device)" % ", ".join(unknown))
            after = persisted_after(store.read(), routes, state, lambda route: devices[route.destination])
            changes = file_changes(store.render(after))
    except GatewayError as error:
        module.fail_json(msg=str(error), field=error.field)

    changed = any(action != "unchanged" for _route, action, _kernel in plan) or bool(changes)
    if changed and not module.check_mode:
        for route, action, _kernel in plan:
            if action == "remove":
                ip(module, "-4", "route", "del", route.destination, "proto", str(protocol))
            elif action in ("add", "replace"):
                ip(module, "-4", "route", action, *route_words(route, protocol))
        for path, _before, content in changes:
            if content is None:
                os.unlink(path)
            else:
                write(module, path, content, store.mode)

    result = dict(changed=changed, routes=[dict(destination=route.destination, via=route.via, dev=devices[route.destination],
                                                action=ACTIONS[action]) for route, action, _kernel in plan],
                  persistence=dict(mechanism=mechanism, changed_files=[path for path, _before, _after in changes]))
    if module._diff:
        # The routes of the task only, in one form for the kernel's and the planned ones: a check run shows the run's diff.
        before = "# ip route (proto %d)\n%s" % (protocol, kernel_text(
            " ".join(route_words(kernel, protocol)) for _route, _action, kernel in plan if kernel is not None))
        after = "# ip route (proto %d)\n%s" % (protocol, kernel_text(
            " ".join(route_words(route, protocol, devices[route.destination])) for route, _action, _kernel in plan if state == "present"))
        for path, old, new in changes:
            before += "# %s\n%s" % (path, old if old is not None else "(no file)\n")
            after += "# %s\n%s" % (path, new if new is not None else "(no file)\n")
        result["diff"] = dict(before=before, after=after, before_header="routes and persistence", after_header="routes and persistence")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
