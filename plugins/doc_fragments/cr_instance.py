# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """How a module names one Container Registry Enterprise Edition instance (alicloud.acr_access.cr_instance).

    DOCUMENTATION: the cloud modules that act on one instance, by ID or by name in O(region) (the region option comes
    from alicloud.acr_access.alicloud).
    REGISTRY_DOMAIN: the modules that run on a host and reach the instance's registry by its domain, or by name and region.
    """

    DOCUMENTATION = r"""
options:
  instance_id:
    description:
      - The ID of the instance, for example V(cri-example000000001).
      - One of O(instance_id) and O(instance_name) is required.
    type: str
  instance_name:
    description:
      - The exact name of the instance in O(region); it must be unique there (otherwise give O(instance_id)).
    type: str
"""

    REGISTRY_DOMAIN = r"""
options:
  registry_domain:
    description:
      - The registry's domain, usually the VPC endpoint domain C(<instance-name>-registry-vpc.<region>.cr.aliyuncs.com).
      - Required unless O(instance_name) and O(region) are given.
    type: str
  instance_name:
    description:
      - The name of the Container Registry Enterprise Edition instance; with O(region) it gives the VPC endpoint domain
        when O(registry_domain) is not set.
    type: str
  region:
    description:
      - The region of the instance, for example V(cn-hangzhou).
      - Defaults to the region in O(registry_domain) when that is an instance's system domain.
    type: str
"""
