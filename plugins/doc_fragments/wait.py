# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The O(wait) and O(wait_timeout) options of the cloud modules that change resources (alicloud.acr_access.wait).

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
