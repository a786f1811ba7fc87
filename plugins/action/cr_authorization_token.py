# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of cr_authorization_token: the module's successful result holds a password, so it is no_log.

A module cannot mark its own result no_log (Ansible removes ``_ansible_*`` keys a module returns, and
``no_log_values`` would scrub the password from the registered variable too). An action plugin can:
``_ansible_no_log`` on its result makes every callback print the censored result at any verbosity, while
the registered variable keeps the password for the next (no_log) task.

A failed result holds no password (the module redacts it from every failure), and its message is what the
user needs to fix the task ("expires_in_hours must be from 1 to 24", the API error): it stays visible.
"""

from __future__ import annotations

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp  # unused since Ansible 2.7
        result.update(self._execute_module(task_vars=task_vars))
        if not result.get("failed"):
            result["_ansible_no_log"] = True
        return result
