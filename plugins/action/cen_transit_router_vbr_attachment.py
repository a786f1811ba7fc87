# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of cen_transit_router_vbr_attachment: prints the module's waits while it runs (plugin_utils/progress.py)."""

from __future__ import annotations

from ansible_collections.alicloud.acr_access.plugins.plugin_utils.progress import ProgressAction


class ActionModule(ProgressAction):
    pass
