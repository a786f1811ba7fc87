# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Small pure helpers shared by every module_utils file (no SDK, no Ansible)."""

from __future__ import annotations

import re
import typing as t

# Alibaba spells these product words with a leading capital letter ("VSwitchId",
# "VRouterId"); users know them as one word (vswitch_id, vrouter_id), not v_switch_id.
_WORDS_WITH_CAPITAL_PREFIX = (("VSwitch", "Vswitch"), ("VRouter", "Vrouter"), ("vSwitch", "vswitch"))
_LOWER_TO_UPPER = re.compile(r"([a-z0-9])([A-Z])")
_ACRONYM_END = re.compile(r"([A-Z]+)([A-Z][a-z])")


def camel_to_snake(name: str) -> str:
    """PascalCase or camelCase API key -> snake_case ("TransitRouterVPCAttachmentId" -> "transit_router_vpc_attachment_id")."""
    for spelling, word in _WORDS_WITH_CAPITAL_PREFIX:
        name = name.replace(spelling, word)
    name = _ACRONYM_END.sub(r"\1_\2", name)
    return _LOWER_TO_UPPER.sub(r"\1_\2", name).lower()


def snake_dict(value: t.Any, keep: t.Iterable[str] = ("Tags",)) -> t.Any:
    """Convert the keys of an API answer to snake_case, recursively.

    The values under the keys in ``keep`` are returned as they are: they hold
    user data (tag keys, for example) whose spelling must not change.
    Not ansible's camel_dict_to_snake_dict: it turns VSwitchId / VRouterId into v_switch_id / v_router_id, not vswitch_id / vrouter_id.
    """
    keep = frozenset(keep)
    if isinstance(value, dict):
        return {camel_to_snake(key): (item if key in keep else snake_dict(item, keep)) for key, item in value.items()}
    if isinstance(value, list):
        return [snake_dict(item, keep) for item in value]
    return value


def dig(data: t.Any, *path: str, default: t.Any = None) -> t.Any:
    """data[p1][p2]... or ``default`` when any step is missing (the old APIs omit empty wrappers)."""
    for key in path:
        if not isinstance(data, dict) or data.get(key) is None:
            return default
        data = data[key]
    return data


def unwrap_list(data: t.Any, *path: str) -> list:
    """The list at ``path`` in the old APIs' wrappers (``Vpcs.Vpc[]``), empty when absent."""
    found = dig(data, *path, default=[])
    return found if isinstance(found, list) else [found]


def pick(item: dict, keys: tuple) -> dict:
    """The API fields ``keys`` of ``item`` under their snake_case names (absent ones as None)."""
    return {camel_to_snake(key): item.get(key) for key in keys}
