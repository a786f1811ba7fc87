# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ECS product's home (API 2014-05-26): the instances a route entry can point at, read only.

The collection changes no ECS instance: it reads one to know, before any write, that the next hop of a route (the
covering 100.0.0.0/8 route's ECS instance) exists, is in the route table's VPC and runs. ``describe_instances`` returns
the API's items (PascalCase, wrappers removed); ``normalise_instance`` the documented snake_case view.
Errors propagate as AlicloudError; retries happen in ``module.call``.
"""

from __future__ import annotations

import json
import typing as t

from . import paging
from .common import pick, unwrap_list
from .errors import AlicloudApiError
from .product import Product

# ecs.aliyuncs.com or ecs.<region>.aliyuncs.com: the SDK's own endpoint map. No busy code of its own is retried on reads:
# DescribeInstances answers throttling only (retried by the base), and this collection sends ECS no write.
ECS = Product("ecs", "alibabacloud_ecs20140526", "alibabacloud-ecs20140526", None, True)
PAGE_SIZE = 100  # DescribeInstances PageSize maximum; also the most ids one InstanceIds filter takes


def describe_instances(module: t.Any, region: str, instance_ids: list | None = None, vpc_id: str | None = None,
                       name: str | None = None) -> list:
    """Instances of a region: those with ``instance_ids`` (at most 100 ids per call: sent in batches), of ``vpc_id``,
    named ``name`` (exact match), or all. Unknown ids are simply absent, as in the API's answer."""
    params = {"RegionId": region, "VpcId": vpc_id, "InstanceName": name}
    if instance_ids:
        found: list = []
        for start in range(0, len(instance_ids), PAGE_SIZE):
            # InstanceIds is a JSON array in one string: ["i-...", "i-..."]
            batch = dict(params, InstanceIds=json.dumps(list(instance_ids[start:start + PAGE_SIZE])))
            found.extend(_pages(module, batch, region))
    else:
        found = _pages(module, params, region)
    if name is not None:  # InstanceName also matches a prefix with a trailing *; the option means the exact name
        found = [item for item in found if item.get("InstanceName") == name]
    return found


def _pages(module: t.Any, params: dict, region: str) -> list:
    return paging.number_pages(module, ECS, "DescribeInstances", params, ("Instances", "Instance"), PAGE_SIZE, region=region)


def describe_instance_details(module: t.Any, region: str, instance_ids: list | None = None, vpc_id: str | None = None,
                              name: str | None = None) -> list:
    """The snake_case views of describe_instances(); an asked-for id that is not there is an error naming it (a typo
    must not look like an empty answer), as is a name no instance has."""
    items = describe_instances(module, region, instance_ids=instance_ids, vpc_id=vpc_id, name=name)
    if instance_ids:
        seen = set(item.get("InstanceId") for item in items)
        missing = [ident for ident in instance_ids if ident not in seen]
        if missing:
            raise AlicloudApiError("ECS instance %s not found in region %s%s" % (", ".join(missing), region,
                                                                                 " in VPC %s" % vpc_id if vpc_id else ""),
                                   operation="DescribeInstances", code="InvalidInstanceId.NotFound",
                                   request_id=getattr(module, "last_request_id", None))
    if name is not None and not items:
        raise AlicloudApiError("no ECS instance named %r in region %s%s" % (name, region, " in VPC %s" % vpc_id if vpc_id else ""),
                               operation="DescribeInstances", code="InvalidInstanceName.NotFound",
                               request_id=getattr(module, "last_request_id", None))
    return [normalise_instance(item) for item in items]


def normalise_instance(item: dict) -> dict:
    """One instance as the documented snake_case dict: where it is (region, zone, VPC, vSwitch), its private addresses
    and its status."""
    view = pick(item, ("InstanceId", "InstanceName", "Status", "RegionId", "ZoneId", "InstanceType", "Description", "CreationTime"))
    vpc = item.get("VpcAttributes") or {}
    view["vpc_id"] = vpc.get("VpcId")
    view["vswitch_id"] = vpc.get("VSwitchId")
    view["private_ip_addresses"] = list(unwrap_list(vpc, "PrivateIpAddress", "IpAddress"))
    view["network_interface_ids"] = [nic.get("NetworkInterfaceId") for nic in unwrap_list(item, "NetworkInterfaces", "NetworkInterface")]
    view["operation_locks"] = [lock.get("LockReason") for lock in unwrap_list(item, "OperationLocks", "LockReason")]
    return view
