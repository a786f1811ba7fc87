# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Static routes on a Linux gateway host (the on-premises side of a data center's access): the kernel and the persistence.

HOST SIDE: no cloud SDK, standard library and the SDK-free ``errors`` only; it runs on the data center's gateway.

Ownership. Every route this code makes carries the route protocol ``protocol`` (197 by default, a number no routing daemon of
iproute2's ``rt_protos`` uses): the kernel keeps it, so a route is ours when its ``proto`` is, and a route with another
protocol (static, kernel, dhcp, bird...) is foreign and never changed - a foreign route with the same destination and metric
is an input error before any change. ``ip route del DEST proto N`` removes only a route of that protocol.

Persistence is the distribution's own, detected on the host (``persist: auto``):

* ``networkd`` - systemd-networkd runs (``/run/systemd/netif/links``) and manages the device: a drop-in
  ``/etc/systemd/network/<the device's .network file>.d/<name>.conf`` with one ``[Route]`` per route (``Protocol=`` keeps the
  marker, and networkd then counts the routes as its own instead of removing them as foreign ones);
* ``ifupdown`` - ifupdown has brought interfaces up (``/run/network/ifstate*``): an ``if-up.d`` hook ``/etc/network/if-up.d/<name>``
  that adds the routes of the device ifupdown brings up;
* ``network_scripts`` - RHEL's ``/etc/sysconfig/network-scripts``: a marked block in ``route-<device>`` (its "ip" format,
  one ``ip route add`` argument line per route);
* NetworkManager is detected and refused: its routes belong in the connection profile (``nmcli connection modify``), which
  this code does not edit.

Nothing detected is an error naming ``persist``: ``persist: none`` (the routes last until the next reboot) must be chosen
explicitly.
"""

from __future__ import annotations

import glob
import ipaddress
import os
import re
from collections import OrderedDict, namedtuple

from .errors import InputError

DEFAULT_PROTOCOL = 197
DEFAULT_NAME = "alicloud-acr-access"
PERSIST_CHOICES = ("auto", "networkd", "ifupdown", "network_scripts", "none")
NETWORKD_LINKS = "/run/systemd/netif/links"
NETWORKD_DIR = "/etc/systemd/network"
NETWORK_MANAGER_RUN = "/run/NetworkManager"
IFUPDOWN_STATE = "/run/network"
IFUPDOWN_HOOKS = "/etc/network/if-up.d"
NETWORK_SCRIPTS = "/etc/sysconfig/network-scripts"
_IFNAME = re.compile(r"^[^/\s:]{1,15}$")
# run-parts runs only hooks whose names are letters, digits, '_' and '-'
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_MANAGED = "Managed by alicloud.acr_access.onprem_gateway_routes"

# A route as this code compares it: destination (str, a network), via (str or None), dev (str or None).
Route = namedtuple("Route", "destination via dev")
# A route as the kernel lists it.
KernelRoute = namedtuple("KernelRoute", "destination via dev protocol metric text")


class GatewayError(InputError):
    """Bad input or a host this code cannot serve, found before any change; the message starts with the field."""

    def __init__(self, field, problem):
        super(GatewayError, self).__init__("%s: %s" % (field, problem), field=field)


class CommandError(Exception):
    """A command failed (``ip``): the command line and its error output."""


# ---------------------------------------------------------------- input


def validate(routes, state, name, protocol):
    """The routes as [Route], checked (field named) before anything is read or changed."""
    if not _NAME.match(name or ""):
        raise GatewayError("name", "%r: 1 to 64 letters, digits, '_' or '-' (it names the persistence files)" % (name,))
    if not 1 <= protocol <= 255 or protocol in (1, 2, 3, 4):
        raise GatewayError("protocol", "%r: a route protocol number from 5 to 255 (1 to 4 are the kernel's and static routes')" % (protocol,))
    parsed, seen = [], {}
    for index, route in enumerate(routes or []):
        field = "routes[%d]" % index
        try:
            destination = str(ipaddress.IPv4Network(route.get("destination") or ""))
        except ValueError as error:
            raise GatewayError(field + ".destination", "invalid IPv4 CIDR block %r (%s)" % (route.get("destination"), error))
        via = route.get("via") or None
        if via is not None:
            try:
                via = str(ipaddress.IPv4Address(via))
            except ValueError:
                raise GatewayError(field + ".via", "invalid IPv4 address %r" % (via,))
        dev = route.get("dev") or None
        if dev is not None and not _IFNAME.match(dev):
            raise GatewayError(field + ".dev", "invalid device name %r (1 to 15 characters, no '/', ':' or blank)" % (dev,))
        if state == "present" and via is None and dev is None:
            raise GatewayError(field, "give via (the next hop address) and/or dev (the device) for %s" % destination)
        if destination in seen:
            raise GatewayError(field + ".destination", "%s is also routes[%d]: one route per destination" % (destination, seen[destination]))
        seen[destination] = index
        parsed.append(Route(destination, via, dev))
    return parsed


# ---------------------------------------------------------------- the kernel


def parse_kernel_routes(text):
    """``ip -4 route show table main`` as [KernelRoute]; a host route ("10.1.2.3") as a /32."""
    routes = []
    for line in text.splitlines():
        words = line.split()
        if not words or words[0] in ("broadcast", "local", "unreachable", "blackhole", "prohibit", "throw", "multicast"):
            continue
        destination = "0.0.0.0/0" if words[0] == "default" else words[0]
        try:
            destination = str(ipaddress.IPv4Network(destination))
        except ValueError:
            continue

        # Keys and values alternate after the destination, but flags such as "onlink" or "linkdown" stand alone: look each key up.
        def after(key, words=words):
            return words[words.index(key) + 1] if key in words[1:-1] else None
        protocol = after("proto") or "boot"  # ip leaves out "proto boot", the default
        routes.append(KernelRoute(destination, after("via"), after("dev"), protocol, int(after("metric") or 0), line.strip()))
    return routes


def is_ours(kernel_route, protocol):
    return kernel_route.protocol == str(protocol)


def matches(kernel_route, route):
    """Whether a kernel route already is the wanted one (an unspecified via or dev is whatever the kernel chose)."""
    return ((route.via is None or kernel_route.via == route.via) and (route.dev is None or kernel_route.dev == route.dev)
            and (route.via is not None or kernel_route.via is None))


def route_words(route, protocol, dev=None):
    """The arguments of ``ip route add|replace`` for a route (``dev`` the resolved device, when the route names none)."""
    words = [route.destination]
    if route.via:
        words += ["via", route.via]
    if route.dev or dev:
        words += ["dev", route.dev or dev]
    return words + ["proto", str(protocol)]


def kernel_plan(routes, kernel_routes, state, protocol):
    """[(route, action, kernel route or None)]: action add, replace, remove or unchanged. Foreign conflicts raise GatewayError."""
    plan = []
    for index, route in enumerate(routes):
        same = [k for k in kernel_routes if k.destination == route.destination and k.metric == 0]
        ours = [k for k in same if is_ours(k, protocol)]
        foreign = [k for k in same if not is_ours(k, protocol)]
        if state == "absent":
            plan.append((route, "remove" if ours else "unchanged", ours[0] if ours else None))
            continue
        if foreign:
            # The kernel keeps one route per destination and metric: adding ours would fail, replacing it would take a route
            # that is not ours.
            raise GatewayError("routes[%d].destination" % index, "%s is already routed by a route this module does not own (%s); "
                               "remove or change that route first, or leave this destination out" % (route.destination, foreign[0].text))
        if ours:
            plan.append((route, "unchanged" if matches(ours[0], route) else "replace", ours[0]))
        else:
            plan.append((route, "add", None))
    return plan


# ---------------------------------------------------------------- persistence: detection


def detect(devices, link_index):
    """The persistence mechanism of this host: networkd, ifupdown or network_scripts; GatewayError when none or NetworkManager.

    ``devices`` are the routes' devices; ``link_index(dev)`` gives a device's ifindex (networkd's state files are by index).
    """
    if os.path.isdir(NETWORKD_LINKS):
        unmanaged = [dev for dev in devices if not networkd_network_file(dev, link_index)]
        if not unmanaged:
            return "networkd"
        if not os.path.isdir(NETWORK_MANAGER_RUN):
            raise GatewayError("persist", "systemd-networkd runs but manages no .network file for %s; give that device a .network "
                                          "file, or set persist to none (the routes last until the next reboot)" % ", ".join(unmanaged))
    if os.path.isdir(NETWORK_MANAGER_RUN):
        raise GatewayError("persist", "NetworkManager manages this host, and this module does not edit its connection profiles: "
                                      "add the routes to the profile (nmcli connection modify CONNECTION +ipv4.routes 'DESTINATION "
                                      "NEXT_HOP'), then set persist to none")
    if glob.glob(os.path.join(IFUPDOWN_STATE, "ifstate*")):
        return "ifupdown"
    if os.path.isdir(NETWORK_SCRIPTS):
        return "network_scripts"
    raise GatewayError("persist", "no persistence mechanism found on this host (none of systemd-networkd, NetworkManager, ifupdown "
                                  "or RHEL network-scripts manages its network): set persist to none to apply the routes until the "
                                  "next reboot only, or name the mechanism (networkd, ifupdown, network_scripts)")


def networkd_network_file(dev, link_index):
    """The .network file systemd-networkd applied to a device (its state file's NETWORK_FILE=), or None."""
    index = link_index(dev)
    if index is None:
        return None
    try:
        with open(os.path.join(NETWORKD_LINKS, str(index))) as handle:
            for line in handle:
                if line.startswith("NETWORK_FILE="):
                    return line.split("=", 1)[1].strip() or None
    except (IOError, OSError):
        return None
    return None


# ---------------------------------------------------------------- persistence: the stores
#
# Each store reads what this module persisted ({dev: [Route]}, its own files only) and renders the files for a new set
# ({path: content, or None to delete the file}). The caller keeps every other file, and every other line of a shared file.


def _line_route(words, protocol):
    """A Route from ``DEST [via V] [dev D] proto N`` words, or None when it is not one of ours."""
    if not words or "proto" not in words or words[words.index("proto") + 1:words.index("proto") + 2] != [str(protocol)]:
        return None
    via = words[words.index("via") + 1] if "via" in words[:-1] else None
    dev = words[words.index("dev") + 1] if "dev" in words[:-1] else None
    return Route(words[0], via, dev)


class IfupdownStore:
    """One hook, /etc/network/if-up.d/<name>: ifupdown runs it after it brought a device up, with IFACE set."""

    def __init__(self, name, protocol):
        self.name, self.protocol = name, protocol
        self.path = os.path.join(IFUPDOWN_HOOKS, name)

    def paths(self):
        return [self.path]

    def read(self):
        persisted = OrderedDict()
        for line in (_read(self.path) or "").splitlines():
            words = line.split()
            if words[:3] == ["ip", "route", "replace"]:
                route = _line_route(words[3:], self.protocol)
                if route:
                    persisted.setdefault(route.dev, []).append(route)
        return persisted

    def render(self, persisted):
        if not any(persisted.values()):
            return {self.path: None}
        lines = ["#!/bin/sh", "# %s (%s): the routes into the tunnel, restored when ifupdown brings their device up." % (_MANAGED, self.name),
                 '[ "$MODE" = start ] || exit 0', 'case "$IFACE" in']
        for dev in sorted(persisted):
            lines.append("%s)" % dev)
            lines.extend("    ip route replace %s" % " ".join(route_words(route, self.protocol, dev)) for route in persisted[dev])
            lines.append("    ;;")
        lines += ["esac", "exit 0"]
        return {self.path: "\n".join(lines) + "\n"}

    mode = 0o755


class NetworkdStore:
    """A drop-in per device: /etc/systemd/network/<the device's .network file>.d/<name>.conf."""

    def __init__(self, name, protocol, network_file_of):
        self.name, self.protocol, self.network_file_of = name, protocol, network_file_of

    def path_of(self, dev):
        network_file = self.network_file_of(dev)
        if not network_file:
            raise GatewayError("persist", "systemd-networkd manages no .network file for %s: give it one, or set persist to none" % dev)
        return os.path.join(NETWORKD_DIR, os.path.basename(network_file) + ".d", self.name + ".conf")

    def paths(self):
        return sorted(glob.glob(os.path.join(NETWORKD_DIR, "*.network.d", self.name + ".conf")))

    def read(self):
        persisted = OrderedDict()
        for path in self.paths():
            dev = None
            routes = []
            for section in (_read(path) or "").split("[Route]")[1:]:
                keys = dict(line.split("=", 1) for line in section.splitlines() if "=" in line and not line.startswith("#"))
                keys = dict((key.strip(), value.strip()) for key, value in keys.items())
                if keys.get("Protocol") == str(self.protocol) and keys.get("Destination"):
                    routes.append(Route(keys["Destination"], keys.get("Gateway"), None))
            for line in (_read(path) or "").splitlines():
                if line.startswith("# Device: "):
                    dev = line[len("# Device: "):].strip()
            if dev:
                persisted.setdefault(dev, []).extend(route._replace(dev=dev) for route in routes)
        return persisted

    def render(self, persisted):
        files = {}
        for path in self.paths():
            files[path] = None  # a device whose routes are all gone loses its drop-in
        for dev, routes in persisted.items():
            if not routes:
                continue
            lines = ["# %s (%s): the routes into the tunnel." % (_MANAGED, self.name), "# Device: %s" % dev]
            for route in routes:
                lines += ["", "[Route]", "Destination=%s" % route.destination]
                if route.via:
                    lines.append("Gateway=%s" % route.via)
                lines.append("Protocol=%d" % self.protocol)
            files[self.path_of(dev)] = "\n".join(lines) + "\n"
        return files

    mode = 0o644


class NetworkScriptsStore:
    """A marked block in /etc/sysconfig/network-scripts/route-<dev> ("ip" format: each line is ``ip route add`` arguments)."""

    def __init__(self, name, protocol):
        self.name, self.protocol = name, protocol
        self.begin, self.end = "# BEGIN %s" % name, "# END %s" % name

    def path_of(self, dev):
        return os.path.join(NETWORK_SCRIPTS, "route-%s" % dev)

    def paths(self):
        return sorted(path for path in glob.glob(os.path.join(NETWORK_SCRIPTS, "route-*")) if self.begin in (_read(path) or ""))

    def _split(self, text):
        """(lines before the block, block lines, lines after); the block is empty when there is none."""
        lines = text.splitlines()
        if self.begin not in lines:
            return lines, [], []
        start = lines.index(self.begin)
        stop = lines.index(self.end, start) if self.end in lines[start:] else len(lines) - 1
        return lines[:start], lines[start + 1:stop], lines[stop + 1:]

    def read(self):
        persisted = OrderedDict()
        for path in self.paths():
            dev = os.path.basename(path)[len("route-"):]
            for line in self._split(_read(path) or "")[1]:
                route = _line_route(line.split(), self.protocol)
                if route:
                    persisted.setdefault(dev, []).append(route._replace(dev=route.dev or dev))
        return persisted

    def render(self, persisted):
        files = {}
        devices = set(os.path.basename(path)[len("route-"):] for path in self.paths()) | set(persisted)
        for dev in sorted(devices):
            path = self.path_of(dev)
            text = _read(path) or ""
            if re.search(r"^\s*ADDRESS[0-9]*=", text, re.M):
                # ifup-routes reads such a file as ADDRESSn=/NETMASKn=/GATEWAYn= keys and ignores "ip" lines in it
                raise GatewayError("persist", "%s uses the ADDRESSn=/GATEWAYn= format, which this module does not edit: convert it to "
                                              "the ip-command format, or set persist to none" % path)
            before, _block, after = self._split(text)
            routes = persisted.get(dev) or []
            block = [self.begin] + [" ".join(route_words(route, self.protocol, dev)) for route in routes] + [self.end] if routes else []
            lines = before + block + after
            files[path] = "\n".join(lines) + "\n" if any(line.strip() for line in lines) else None
        return files

    mode = 0o644


def store_for(mechanism, name, protocol, link_index):
    if mechanism == "ifupdown":
        return IfupdownStore(name, protocol)
    if mechanism == "networkd":
        return NetworkdStore(name, protocol, lambda dev: networkd_network_file(dev, link_index))
    if mechanism == "network_scripts":
        return NetworkScriptsStore(name, protocol)
    return None


def persisted_after(persisted, routes, state, dev_of):
    """The persisted set {dev: [Route]} once ``routes`` are present (each under its device) or absent (from every device)."""
    destinations = set(route.destination for route in routes)
    result = OrderedDict((dev, [r for r in kept if r.destination not in destinations]) for dev, kept in persisted.items())
    if state == "present":
        for route in routes:
            dev = dev_of(route)
            result.setdefault(dev, []).append(route._replace(dev=dev))
    return OrderedDict((dev, sorted(kept, key=lambda r: ipaddress.IPv4Network(r.destination))) for dev, kept in result.items())


def file_changes(files):
    """[(path, before or None, after or None)] for the files whose content changes."""
    changes = []
    for path in sorted(files):
        before = _read(path)
        if before != files[path]:
            changes.append((path, before, files[path]))
    return changes


def _read(path):
    try:
        with open(path) as handle:
            return handle.read()
    except (IOError, OSError):
        return None
