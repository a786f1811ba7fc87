# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters of playbooks/diagnose.yml: the decisions of module_utils/diagnosis.py (pure, tested with tables).

Each is documented in plugins/filter/<name>.yml.
"""

from __future__ import annotations

import functools

from ansible.errors import AnsibleFilterError
from ansible_collections.alicloud.acr_access.plugins.module_utils import diagnosis


def _filter(name, function):
    """The pure function as a filter: a missing key or a value of the wrong type fails naming the filter."""
    @functools.wraps(function)
    def run(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except (KeyError, TypeError, AttributeError, IndexError) as exc:
            raise AnsibleFilterError("%s: unexpected input (%s: %s)" % (name, type(exc).__name__, exc)) from exc
    return run


FILTERS = {
    "diagnose": diagnosis.diagnose,
    "diagnosis_report": diagnosis.diagnosis_report,
}


class FilterModule:
    def filters(self):
        return dict((name, _filter(name, function)) for name, function in FILTERS.items())
