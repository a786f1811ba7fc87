# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Thin helpers for the Container Registry Enterprise Edition API (CR 2018-12-01).

CR requests carry no RegionId: the region is the client's (``module.call("cr", ..., region=)``).
CR business errors come back as HTTP 200 with ``IsSuccess: false`` and an upper-case code but,
as the SDK's response models have no Message field, without any text: ``cr_call`` gives each
known code a message that names the resource and the fix.

Readers return the API's items (PascalCase); ``normalise_*`` build the documented snake_case views.
"""

from __future__ import annotations

import datetime
import typing as t

from .errors import AlicloudApiError, AlicloudError
from .waiter import WaiterSpec, register

MODULE_NAMES = ("Registry", "Chart")
LIST_PAGE_SIZE = 50
LINK_WAIT_TIMEOUT = 180  # terraform-provider-alicloud waits 3 minutes for a linked VPC
DEFAULT_LINKED_VPC_QUOTA = 3

# Messages for CR's codes; placeholders come from the request (InstanceId, VpcId, VswitchId, ModuleName) and {region}.
CR_ERROR_MESSAGES = {
    "INSTANCE_NOT_EXIST": "the Container Registry instance {InstanceId} does not exist in region {region}",
    "INSTANCE_STATUS_NOT_SUPPORT": "the Container Registry instance {InstanceId} is not RUNNING; wait until it is, then try again",
    "INSTANCE_ACCESS_ALREADY_EXIST": "VPC {VpcId} is already linked to the {ModuleName} VPC endpoint of instance {InstanceId}",
    "INSTANCE_ACCESS_NOT_EXIST": "VPC {VpcId} (vSwitch {VswitchId}) is not linked to the {ModuleName} VPC endpoint of instance {InstanceId}",
    "INSTANCE_ACCESS_QUOTA_EXCEED": ("the {ModuleName} VPC endpoint of instance {InstanceId} has used up its quota of linked VPCs "
                                     "(default %d); unlink a VPC that no longer needs the registry, or ask for a higher quota "
                                     "(Quota Center or a ticket)" % DEFAULT_LINKED_VPC_QUOTA),
    "VPC_NOT_EXIST": "VPC {VpcId} does not exist in region {region} (a registry is linked only to VPCs of its own region)",
    "VSWITCH_NOT_EXIST": "vSwitch {VswitchId} does not exist in VPC {VpcId}: give a vSwitch of that VPC",
    "VSWITCH_IP_NOT_ENOUGH": "vSwitch {VswitchId} has no free IP address left for the registry: choose another vSwitch of VPC {VpcId}",
}
_NO_MESSAGE = "the API answered IsSuccess false"  # client.response_body's text when the answer has no Message


class _Defaults(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def cr_error_message(code: str | None, params: dict, region: str | None, api_message: str | None = None) -> str:
    """A clear message for a CR error code; the API's own text is kept when it has one."""
    values = _Defaults({key: value for key, value in params.items() if value is not None})
    values.setdefault("ModuleName", "Registry")
    values["region"] = region or "?"
    template = CR_ERROR_MESSAGES.get(code or "")
    own = api_message if api_message and api_message != _NO_MESSAGE else None
    if template is None:
        return own or "the API answered IsSuccess false with code %s and no message" % (code or "(none)")
    text = template.format_map(values)
    return "%s (%s)" % (text, own) if own else text


def cr_call(module: t.Any, action: str, params: dict, region: str, extra_codes: t.Iterable[str] = ()) -> dict:
    """``module.call("cr", ...)`` whose CR business errors carry a message built from the code."""
    try:
        return module.call("cr", action, params, region=region, extra_codes=extra_codes)
    except AlicloudApiError as error:
        if error.status_code == 200 or error.code in CR_ERROR_MESSAGES:
            error.message = cr_error_message(error.code, params, region, error.message)
        raise


# -- instances ------------------------------------------------------------------------------------

def list_instances(module: t.Any, region: str, instance_name: str | None = None) -> list:
    """Instances of ``region``; with ``instance_name`` only those named exactly so (the API matches substrings)."""
    found: list = []
    page = 1
    while True:
        body = cr_call(module, "ListInstance", {"InstanceName": instance_name, "PageNo": page, "PageSize": LIST_PAGE_SIZE}, region)
        batch = body.get("Instances") or []
        found.extend(batch)
        total = body.get("TotalCount")
        if len(batch) < LIST_PAGE_SIZE or (total is not None and len(found) >= int(total)):
            break
        page += 1
    # A client of cr.<region> sees that region's instances; an item naming another region is not ours.
    found = [item for item in found if item.get("RegionId") in (None, region)]
    if instance_name is not None:
        found = [item for item in found if item.get("InstanceName") == instance_name]
    return found


def get_instance(module: t.Any, region: str, instance_id: str) -> dict:
    body = cr_call(module, "GetInstance", {"InstanceId": instance_id}, region)
    body.setdefault("RegionId", region)
    return body


def find_instances(module: t.Any, region: str, instance_id: str | None = None, instance_name: str | None = None) -> list:
    """The instance with ``instance_id``, those named ``instance_name``, or every instance of the region.

    An id or name that matches nothing is an error (code INSTANCE_NOT_EXIST), so a typo never looks like an empty answer.
    """
    if instance_id:
        return [get_instance(module, region, instance_id)]
    found = list_instances(module, region, instance_name)
    if instance_name is not None and not found:
        raise AlicloudApiError("no Container Registry instance is named %r in region %s" % (instance_name, region),
                               operation="ListInstance", code="INSTANCE_NOT_EXIST", request_id=module.last_request_id)
    return found


def resolve_instance(module: t.Any, region: str, instance_id: str | None = None, instance_name: str | None = None) -> dict:
    """Exactly one instance, by id or by a name that must be unique in the region."""
    found = find_instances(module, region, instance_id, instance_name)
    if len(found) > 1:
        ids = ", ".join(sorted(item.get("InstanceId", "?") for item in found))
        raise AlicloudError("%d Container Registry instances are named %r in region %s (%s): give instance_id instead"
                            % (len(found), instance_name, region, ids), code="AmbiguousInstanceName")
    return found[0]


def require_running(instance: dict, region: str) -> None:
    status = instance.get("InstanceStatus")
    if status != "RUNNING":
        raise AlicloudError("the Container Registry instance %s in region %s is %s: it must be RUNNING for this operation"
                            % (instance.get("InstanceId"), region, status), code="INSTANCE_STATUS_NOT_SUPPORT")


# -- endpoints ------------------------------------------------------------------------------------

def get_vpc_endpoint(module: t.Any, region: str, instance_id: str, module_name: str = "Registry") -> dict:
    """GetInstanceVpcEndpoint: {Domains: [str], Enable, LinkedVpcs: [{VpcId, VswitchId, Ip, Status, DefaultAccess}]}."""
    return cr_call(module, "GetInstanceVpcEndpoint", {"InstanceId": instance_id, "ModuleName": module_name}, region)


def list_endpoints(module: t.Any, region: str, instance_id: str, module_name: str = "Registry") -> list:
    """ListInstanceEndpoint: [{EndpointType internet|vpc, Enable, Status, Domains: [{Domain, Type}]}]."""
    body = cr_call(module, "ListInstanceEndpoint", {"InstanceId": instance_id, "ModuleName": module_name}, region)
    return body.get("Endpoints") or []


def find_link(vpc_endpoint: dict, vpc_id: str) -> dict | None:
    for link in vpc_endpoint.get("LinkedVpcs") or []:
        if link.get("VpcId") == vpc_id:
            return link
    return None


def normalise_link(link: dict | None) -> dict:
    """{vpc_id, vswitch_id, ip, status, default_access}, or {} for no link."""
    if not link:
        return {}
    return {"vpc_id": link.get("VpcId"), "vswitch_id": link.get("VswitchId"), "ip": link.get("Ip") or "",
            "status": link.get("Status"), "default_access": bool(link.get("DefaultAccess", False))}


def _domain_names(domains: list) -> list:
    """Domain names from either shape: plain strings (GetInstanceVpcEndpoint) or {Domain, Type} (ListInstanceEndpoint)."""
    return [item.get("Domain") if isinstance(item, dict) else item for item in domains or []]


def normalise_module_endpoints(endpoints: list, vpc_endpoint: dict) -> dict:
    """One module's (Registry or Chart) endpoints: {vpc: {...}, internet: {...}}."""
    by_type = {str(item.get("EndpointType", "")).lower(): item for item in endpoints}
    internet = by_type.get("internet") or {}
    vpc = by_type.get("vpc") or {}
    return {
        "vpc": {
            "enabled": bool(vpc_endpoint.get("Enable", vpc.get("Enable", False))),
            "status": vpc.get("Status"),
            "domains": _domain_names(vpc_endpoint.get("Domains")) or _domain_names(vpc.get("Domains")),
            "linked_vpcs": [normalise_link(link) for link in vpc_endpoint.get("LinkedVpcs") or []],
        },
        "internet": {
            "enabled": bool(internet.get("Enable", False)),
            "status": internet.get("Status"),
            "domains": _domain_names(internet.get("Domains")),
        },
    }


def describe_module_endpoints(module: t.Any, region: str, instance_id: str, module_name: str) -> dict:
    return normalise_module_endpoints(list_endpoints(module, region, instance_id, module_name),
                                      get_vpc_endpoint(module, region, instance_id, module_name))


def describe_chart_endpoints(module: t.Any, region: str, instance_id: str) -> dict | None:
    """The Chart module's endpoints, or None when the instance has no Chart module (a business error other than not found)."""
    try:
        return describe_module_endpoints(module, region, instance_id, "Chart")
    except AlicloudApiError as error:
        if error.status_code == 200 and error.code != "INSTANCE_NOT_EXIST":
            return None
        raise


def normalise_instance(item: dict, endpoints: dict) -> dict:
    tags = {tag.get("TagKey"): tag.get("TagValue") for tag in item.get("Tags") or [] if isinstance(tag, dict)}
    return {
        "instance_id": item.get("InstanceId"),
        "instance_name": item.get("InstanceName"),
        "region_id": item.get("RegionId"),
        "status": item.get("InstanceStatus"),
        "specification": item.get("InstanceSpecification"),
        "resource_group_id": item.get("ResourceGroupId"),
        "tags": tags,
        "endpoints": endpoints,
    }


def describe_instance_details(module: t.Any, region: str, instance_id: str | None = None, instance_name: str | None = None) -> list:
    """Instances with the endpoints of their Registry (and Chart) modules, as snake_case dicts."""
    details = []
    for item in find_instances(module, region, instance_id, instance_name):
        endpoints = {"registry": describe_module_endpoints(module, region, item["InstanceId"], "Registry"),
                     "chart": describe_chart_endpoints(module, region, item["InstanceId"])}
        details.append(normalise_instance(item, endpoints))
    return details


# -- linked VPCs ----------------------------------------------------------------------------------

def _link_params(instance_id: str, module_name: str, vpc_id: str, vswitch_id: str) -> dict:
    return {"InstanceId": instance_id, "ModuleName": module_name, "VpcId": vpc_id, "VswitchId": vswitch_id}


def create_link(module: t.Any, region: str, instance_id: str, module_name: str, vpc_id: str, vswitch_id: str,
                create_dns_record: bool = False) -> None:
    """CreateInstanceVpcEndpointLinkedVpc (the API takes no ClientToken: callers handle ALREADY_EXIST on a repeat)."""
    params = _link_params(instance_id, module_name, vpc_id, vswitch_id)
    params["EnableCreateDNSRecordInPvzt"] = bool(create_dns_record)
    cr_call(module, "CreateInstanceVpcEndpointLinkedVpc", params, region)


def delete_link(module: t.Any, region: str, instance_id: str, module_name: str, vpc_id: str, vswitch_id: str) -> bool:
    """DeleteInstanceVpcEndpointLinkedVpc; False when the link was already gone."""
    try:
        cr_call(module, "DeleteInstanceVpcEndpointLinkedVpc", _link_params(instance_id, module_name, vpc_id, vswitch_id), region)
    except AlicloudApiError as error:
        if error.code == "INSTANCE_ACCESS_NOT_EXIST":
            return False
        raise
    return True


def _link_request(ids: dict) -> dict:
    return {"InstanceId": ids["instance_id"], "ModuleName": ids.get("module_name") or "Registry"}


def _same_vpc(item: dict, ids: dict) -> bool:
    return item.get("VpcId") == ids["vpc_id"]


_LINK_LABEL = "the link of VPC {vpc_id} to the {module_name} VPC endpoint of instance {instance_id}"

register("cr_linked_vpc_running", WaiterSpec(
    resource=_LINK_LABEL,
    product="cr",
    operation="GetInstanceVpcEndpoint",
    request=_link_request,
    items=("LinkedVpcs",),
    status_key="Status",
    success=("RUNNING",),
    failure=("DELETING", "CREATE_FAILED", "FAILED"),
    when_gone="retry",  # just created: the list may not show it yet
    match=_same_vpc,
))
register("cr_linked_vpc_gone", WaiterSpec(
    resource=_LINK_LABEL,
    product="cr",
    operation="GetInstanceVpcEndpoint",
    request=_link_request,
    items=("LinkedVpcs",),
    status_key="Status",
    success=(),
    when_gone="success",
    match=_same_vpc,
))


# -- authorization tokens -------------------------------------------------------------------------

# A token that lives this much less than asked is "capped"; less than that is clock skew and request latency.
CAP_TOLERANCE_SECONDS = 60


def _iso8601(epoch_seconds: float) -> str:
    return datetime.datetime.fromtimestamp(int(epoch_seconds), tz=datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def token_view(body: dict, hours: int, asked_at: float, now: float) -> dict:
    """The documented result of GetAuthorizationToken: login, expiry, and whether it lives shorter than asked.

    ``asked_at`` is the wall-clock time just before the request, ``now`` the time of the answer (epoch seconds).
    The result holds the password: never put it, or this dict, in a message.
    """
    username, password, expire_ms = body.get("TempUsername"), body.get("AuthorizationToken"), body.get("ExpireTime")
    if not username or not password or expire_ms is None:
        raise AlicloudApiError("GetAuthorizationToken answered without a user name, password or expiry time",
                               operation="GetAuthorizationToken", code="IncompleteAnswer", request_id=body.get("RequestId"))
    expires_at = int(expire_ms) / 1000.0
    requested = hours * 3600
    return {
        "username": username,
        "password": password,
        "expires_at": _iso8601(expires_at),
        "expires_at_epoch": int(expires_at),
        "expires_in_seconds": max(0, int(expires_at - now)),
        "requested_expires_in_seconds": requested,
        "capped": expires_at < asked_at + requested - CAP_TOLERANCE_SECONDS,
    }


def capped_warning(view: dict, hours: int) -> str:
    return ("The registry token expires at %s, in %d seconds, sooner than the %d hour(s) asked: the request was signed with "
            "temporary STS credentials, and a token never outlives them. Use a long-term AccessKey, or a longer STS session, "
            "for a longer-lived token." % (view["expires_at"], view["expires_in_seconds"], hours))
