# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of registry_access_plan: the access plan is computed in the controller's process, no module is started.

Why not a module process: the plan is a pure function of the task's options (``module_utils/plan.py``: no cloud call,
no file, no network, standard library only). As a module, every use paid for a module process - AnsiballZ packs the
module with its module_utils, a connection to the task's host runs a new Python that imports Ansible's module base,
parses the options and answers in JSON: about a second for a computation of a few milliseconds. Here the controller
does the same work in its own process, without a connection to the host (``_requires_connection = False``):

* the options are validated against the module's own argument spec (``plan.plan_argument_spec()``, the one the module's
  ``main()`` gives AnsibleModule) with ArgumentSpecValidator, the validator inside AnsibleModule; an invalid option fails
  the task with AnsibleModule's message, which names the option;
* the plan comes from ``plan.plan_from_params()``, the function the module's ``main()`` calls, so the result is the
  module's: ``changed: false`` and ``plan``, or for invalid input ``failed``, ``msg`` ("Invalid access plan input - ...")
  and ``field``.

Check mode changes nothing here: the plan reads and writes nothing, so a check run gets the same plan.
The module file stays for the documentation (ansible-doc, ansible-test) and for a direct run of its ``main()``.
"""

from __future__ import annotations

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import UnsupportedError
from ansible.plugins.action import ActionBase

from ansible_collections.alicloud.acr_access.plugins.module_utils.plan import PlanError, input_error_result, plan_argument_spec, plan_from_params


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp  # unused since Ansible 2.7

        validation = ArgumentSpecValidator(plan_argument_spec()).validate(self._task.args)
        if validation.error_messages:
            # AnsibleModule's message: the first error, which names the option
            message = validation.errors.msg
            if isinstance(validation.errors[0], UnsupportedError):
                message = "Unsupported parameters for (%s) module: %s" % (self._task.resolved_action or self._task.action, message)
            result.update(failed=True, msg=message)
            return result

        try:
            plan = plan_from_params(validation.validated_parameters)
        except PlanError as error:
            result.update(failed=True, **input_error_result(error))
            return result
        result.update(changed=False, plan=plan)
        return result
