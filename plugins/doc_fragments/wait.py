# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The O(wait) and O(wait_timeout) options of the cloud modules that change resources (alicloud.acr_access.wait),
    and O(progress_file) (alicloud.acr_access.wait.progress), which every module that waits extends as well - alone
    when it documents its own waits. (Two fragments rather than one string built from parts: ansible-test reads doc
    fragments from the source and takes only string literals.)

    What differs per module stays in the module: the default of O(wait_timeout) (always), and the description of
    O(wait) (what is waited for) or of O(wait_timeout) when the module says more than this one.
    """

    DOCUMENTATION = r"""
options:
  wait:
    description:
      - Wait until the cloud has finished the change (the resource is ready, or gone).
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds the whole task may take, every wait included (one budget for the task).
    type: int
"""

    PROGRESS = r"""
options:
  progress_file:
    description:
      - Set by the module's action plugin, not by hand. A local file to which the module appends one JSON line per read of
        every wait (which resource, in which region, is in which status, how long it has been waited for, when the next
        read comes).
      - "When the module runs on the controller (a local connection, as in a task delegated to localhost) without become and
        without C(async), the action plugin sets it to a temporary file and prints each line while the task runs, for example
        C(cen_connection: 40s: VPC attachment tr-attach-... (cn-shanghai) Attaching, next read in 1.0s). A module run on
        another host, with become, or with C(async) prints no progress; its waits are the same."
      - Unset, nothing is written. A file that cannot be written turns the reporting off; it never fails the task.
    type: path
"""
