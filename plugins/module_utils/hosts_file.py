# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One managed block per registry instance in an /etc/hosts file, every other byte kept.

Pure code on bytes (no I/O but the cloud-init look-up, no Ansible): the file is split
on ``\\n`` only, so CRLF lines, tabs, odd whitespace, a missing final newline and
other blocks pass through unchanged. Standard library only: it runs on client hosts.
"""

from __future__ import annotations

import glob
import ipaddress
import os
import re

MARKER = "alicloud.acr_access"
_NAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*\.?$")
_INSTANCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_MANAGE = re.compile(r"^manage_etc_hosts\s*:\s*['\"]?([A-Za-z]+)['\"]?\s*(#.*)?$")
# cloud-init's /etc/cloud/templates/hosts.<name>.tmpl for an /etc/os-release ID
_TEMPLATE_OF_DISTRO = {
    "ubuntu": "debian", "debian": "debian",
    "centos": "redhat", "rhel": "redhat", "rocky": "redhat", "almalinux": "redhat", "fedora": "redhat", "alinux": "redhat",
    "anolis": "redhat", "amzn": "redhat", "ol": "redhat", "opencloudos": "redhat", "tencentos": "redhat",
    "sles": "suse", "opensuse": "suse", "opensuse-leap": "suse", "opensuse-tumbleweed": "suse",
    "alpine": "alpine", "arch": "arch", "freebsd": "freebsd", "photon": "photon", "gentoo": "gentoo",
}


class HostsError(ValueError):
    """Bad input or a file the block cannot be placed in; ``field`` names what to fix."""

    def __init__(self, field: str, message: str):
        super().__init__("%s: %s" % (field, message))
        self.field = field


def markers(instance_id: str) -> tuple:
    return "# BEGIN %s %s" % (MARKER, instance_id), "# END %s %s" % (MARKER, instance_id)


def validate(instance_id: str, entries: list) -> list:
    """The entries as [{ip, names}] (names deduplicated, order kept), or HostsError naming the bad item."""
    if not instance_id or not _INSTANCE.match(instance_id):
        raise HostsError("instance_id", "expected the instance ID (letters, digits, '.', '_', '-'), for example cri-xxxxxxxxxxxxxxxx, got %r"
                         % (instance_id,))
    clean = []
    for index, entry in enumerate(entries or []):
        where = "entries[%d]" % index
        if not isinstance(entry, dict):
            raise HostsError(where, "expected {ip: 10.94.205.198, names: [xxx-registry-vpc.cn-hangzhou.cr.aliyuncs.com]}, got %r" % (entry,))
        try:
            address = str(ipaddress.ip_address(str(entry.get("ip") or "").strip()))
        except ValueError:
            raise HostsError(where + ".ip", "expected an IPv4 or IPv6 address, for example 10.94.205.198, got %r" % (entry.get("ip"),))
        names = entry.get("names")
        if isinstance(names, str):
            names = names.split()
        if not names or not isinstance(names, list):
            raise HostsError(where + ".names", "expected a list of host names, for example [oss-cn-hangzhou-internal.aliyuncs.com]")
        unique = []
        for position, name in enumerate(names):
            if not isinstance(name, str) or not _NAME.match(name):
                raise HostsError("%s.names[%d]" % (where, position), "%r is not a host name (example: dockerauth-vpc.cn-hangzhou.aliyuncs.com)"
                                 % (name,))
            if name not in unique:
                unique.append(name)
        clean.append(dict(ip=address, names=unique))
    return clean


def split_lines(content: bytes) -> list:
    """Lines with their ``\\n`` (a CR stays part of its line); the last one may lack it."""
    parts = content.split(b"\n")
    lines = [part + b"\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def newline_of(content: bytes) -> bytes:
    """CRLF when the file's first line ends so, else LF."""
    first = content.find(b"\n")
    return b"\r\n" if first > 0 and content[first - 1:first] == b"\r" else b"\n"


def block_lines(instance_id: str, entries: list, newline: bytes = b"\n") -> list:
    begin, end = markers(instance_id)
    body = ["%s %s" % (entry["ip"], " ".join(entry["names"])) for entry in entries]
    return [(line.encode("utf-8") + newline) for line in [begin] + body + [end]]


def find_blocks(lines: list, instance_id: str) -> list:
    """[(first, last)] line indices of every block of the instance; HostsError for a BEGIN without END (or the reverse)."""
    begin, end = markers(instance_id)
    blocks, start = [], None
    for index, raw in enumerate(lines):
        text = raw.rstrip(b"\r\n").strip().decode("utf-8", "replace")
        if text == begin:
            if start is not None:
                raise HostsError("path", "line %d opens the block of %s again before line %d closed it: remove one of them by hand"
                                 % (index + 1, instance_id, start + 1))
            start = index
        elif text == end:
            if start is None:
                raise HostsError("path", "line %d (%s) has no BEGIN line before it: remove it or add '%s' by hand" % (index + 1, end, begin))
            blocks.append((start, index))
            start = None
    if start is not None:
        raise HostsError("path", "line %d (%s) has no END line: add '%s' after the block's entries by hand" % (start + 1, begin, end))
    return blocks


def render(content: bytes, instance_id: str, entries: list, state: str) -> tuple:
    """(new content, action): the block replaced where it is, appended when absent, or removed; every other byte kept.

    action is one of added, replaced, removed, unchanged. Extra blocks of the same instance (a hand-made copy) are removed.
    """
    lines = split_lines(content)
    blocks = find_blocks(lines, instance_id)
    new_block = block_lines(instance_id, entries, newline_of(content)) if state == "present" else []
    result = list(lines)
    for first, last in reversed(blocks[1:]):
        del result[first:last + 1]
    if blocks:
        first, last = blocks[0]
        result[first:last + 1] = new_block
    elif new_block:
        if result and not result[-1].endswith(b"\n"):
            result[-1] += newline_of(content)  # the block needs a line of its own
        result.extend(new_block)
    new_content = b"".join(result)
    if new_content == content:
        return content, "unchanged"
    if not blocks:
        return new_content, "added"
    return new_content, "replaced" if state == "present" else "removed"


def _distro_id(os_release: str) -> str:
    try:
        with open(os_release) as handle:
            for line in handle:
                if line.startswith("ID="):
                    return line[3:].strip().strip("\"'").lower()
    except OSError:
        pass
    return ""


def cloud_init_hosts(cloud_dir: str, os_release: str = "/etc/os-release") -> dict | None:
    """cloud-init's manage_etc_hosts setting (the last file that sets it wins), or None when cloud-init does not rewrite the file.

    Returns {value, source, template} when it is true or template: cloud-init then writes /etc/hosts from its template at
    every boot. ``localhost`` only adds the host's own name and keeps the rest of the file: no warning for it.
    """
    files = [os.path.join(cloud_dir, "cloud.cfg")] + sorted(glob.glob(os.path.join(cloud_dir, "cloud.cfg.d", "*.cfg")))
    value, source = None, None
    for path in files:
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                for line in handle:
                    match = _MANAGE.match(line.rstrip())
                    if match:
                        value, source = match.group(1).lower(), path
        except OSError:
            continue
    if value not in ("true", "yes", "on", "template"):
        return None
    distro = _distro_id(os_release)
    name = _TEMPLATE_OF_DISTRO.get(distro, distro or "<distro>")
    return dict(value=value, source=source, template=os.path.join(cloud_dir, "templates", "hosts.%s.tmpl" % name),
                override=os.path.join(cloud_dir, "cloud.cfg.d", "99-manage-etc-hosts.cfg"))


def cloud_init_warning(setting: dict, path: str, instance_id: str) -> str:
    return ("cloud-init rewrites %s at every boot (manage_etc_hosts: %s in %s), which drops the block of %s: to make it last, add its "
            "lines to %s too, or set 'manage_etc_hosts: false' (for example in %s)."
            % (path, setting["value"], setting["source"], instance_id, setting["template"], setting["override"]))
