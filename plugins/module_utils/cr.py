# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Thin helpers for the Container Registry Enterprise Edition API (CR 2018-12-01).

CR requests carry no RegionId: the region is the client's (``module.call(CR, ..., region=)``).
CR business errors come back as HTTP 200 with ``IsSuccess: false`` and an upper-case code but,
as the SDK's response models have no Message field, without any text: ``cr_call`` gives each
known code a message that names the resource and the fix.

Readers return the API's items (PascalCase); ``normalise_*`` build the documented snake_case views.
``LinkedVpcManager`` is the manager of cr_vpc_endpoint (the link of a VPC to an instance's VPC endpoint);
``authorization_token`` the read of cr_authorization_token.
"""

from __future__ import annotations

import datetime
import time
import typing as t

from . import paging
from .errors import AlicloudApiError, AlicloudError, InputError, code_contains, gone_on_delete
from .product import Product
from .resource import ResourceManager
from .vpc import describe_vswitch
from .waiter import WaiterSpec

_NO_MESSAGE = "the API answered IsSuccess false"  # the text of such an answer without a Message


def _is_success(action: str, body: dict) -> None:
    """CR's own error rule: an HTTP 200 answer with IsSuccess false is a failure."""
    if body.get("IsSuccess") is False:
        raise AlicloudApiError(body.get("Message") or _NO_MESSAGE, operation=action, code=body.get("Code"),
                               request_id=body.get("RequestId"), status_code=200)


# cr.<region>.aliyuncs.com; its requests carry no RegionId, so the client's region matters.
CR = Product("cr", "alibabacloud_cr20181201", "alibabacloud-cr20181201", None, True, check_answer=_is_success)

MODULE_NAMES = ("Registry", "Chart")
LIST_PAGE_SIZE = 50
LINK_WAIT_TIMEOUT = 180  # terraform-provider-alicloud waits 3 minutes for a linked VPC
READ_DENIED = ("Forbidden", "NoPermission")  # a vSwitch we may not read: the CR API checks it instead
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
    """``module.call(CR, ...)`` whose CR business errors carry a message built from the code."""
    try:
        return module.call(CR, action, params, region=region, extra_codes=extra_codes)
    except AlicloudApiError as error:
        if error.status_code == 200 or error.code in CR_ERROR_MESSAGES:
            error.message = cr_error_message(error.code, params, region, error.message)
        raise


# -- instances ------------------------------------------------------------------------------------

def list_instances(module: t.Any, region: str, instance_name: str | None = None) -> list:
    """Instances of ``region``; with ``instance_name`` only those named exactly so (the API matches substrings)."""
    found = paging.number_pages(module, CR, "ListInstance", {"InstanceName": instance_name}, ("Instances",), LIST_PAGE_SIZE, region,
                                page_key="PageNo", send=lambda params: cr_call(module, "ListInstance", params, region))
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


def describe_instance_details(module: t.Any, region: str, instance_id: str | None = None, instance_name: str | None = None,
                              module_names: t.Iterable[str] = MODULE_NAMES) -> list:
    """Instances with the endpoints of their Registry (and Chart) modules, as snake_case dicts.

    ``module_names``: whose endpoints are read (two reads each), keyed by the name in lower case; Chart's are None when the
    instance has no Chart module.
    """
    details = []
    for item in find_instances(module, region, instance_id, instance_name):
        endpoints = {}
        for name in MODULE_NAMES:  # in this order, whatever the order asked for
            if name in module_names:
                endpoints[name.lower()] = (describe_chart_endpoints(module, region, item["InstanceId"]) if name == "Chart"
                                           else describe_module_endpoints(module, region, item["InstanceId"], name))
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
    return gone_on_delete(lambda: cr_call(module, "DeleteInstanceVpcEndpointLinkedVpc", _link_params(instance_id, module_name, vpc_id, vswitch_id),
                                          region), gone_codes=("INSTANCE_ACCESS_NOT_EXIST",))


def _link_request(ids: dict) -> dict:
    return {"InstanceId": ids["instance_id"], "ModuleName": ids.get("module_name") or "Registry"}


def _same_vpc(item: dict, ids: dict) -> bool:
    return item.get("VpcId") == ids["vpc_id"]


_LINK_LABEL = "the link of VPC {vpc_id} to the {module_name} VPC endpoint of instance {instance_id}"

# Pacing on the cloud's clock (waiter.poll): a new VPC link of an instance's endpoint is CREATING for about 30 s (what
# the console shows; terraform-provider-alicloud allows up to 3 minutes), an unlinked one DELETING for about 10 s.
# The second read comes at about 0.8 times that, then one read every 3 s (2 s for the unlink).
LINK_PACE = {"delay": 24.0, "max_delay": 3.0}
UNLINK_PACE = {"delay": 8.0, "max_delay": 2.0}

CR_LINKED_VPC_RUNNING = WaiterSpec(
    resource=_LINK_LABEL,
    product=CR,
    operation="GetInstanceVpcEndpoint",
    request=_link_request,
    items=("LinkedVpcs",),
    status_key="Status",
    success=("RUNNING",),
    failure=("DELETING", "CREATE_FAILED", "FAILED"),
    when_gone="retry",  # just created: the list may not show it yet
    match=_same_vpc,
    **LINK_PACE,
).check()
CR_LINKED_VPC_GONE = WaiterSpec(
    resource=_LINK_LABEL,
    product=CR,
    operation="GetInstanceVpcEndpoint",
    request=_link_request,
    items=("LinkedVpcs",),
    status_key="Status",
    success=(),
    when_gone="success",
    match=_same_vpc,
    **UNLINK_PACE,
).check()


class LinkedVpcManager(ResourceManager):
    """The link of one VPC to one module's (Registry or Chart) VPC endpoint of an instance (module cr_vpc_endpoint).

    The item is the link as GetInstanceVpcEndpoint lists it ({VpcId, VswitchId, Ip, Status, DefaultAccess}). The
    API takes no ClientToken: a repeated create answers ALREADY_EXIST, accepted when the link is through our vSwitch.
    A link through another vSwitch is moved only with ``relink`` (unlink, wait until gone, link again).
    """

    result_key = "link"

    def __init__(self, module: t.Any):
        super().__init__(module)
        self.region = module.region
        self.vpc_id = self.params["vpc_id"]
        self.vswitch_id = self.params.get("vswitch_id")
        self.module_name = self.params["module_name"]
        self.instance: dict | None = None
        self.endpoint: dict = {}

    @property
    def instance_id(self) -> str | None:
        return self.instance["InstanceId"] if self.instance else self.params.get("instance_id")

    def failure_values(self) -> dict:
        return {"verb": "link" if self.params["state"] == "present" else "unlink"}

    def _refresh(self) -> dict | None:
        self.endpoint = get_vpc_endpoint(self.module, self.region, self.instance_id, self.module_name)
        return find_link(self.endpoint, self.vpc_id)

    def read(self) -> dict | None:
        present = self.params["state"] == "present"
        try:
            self.instance = resolve_instance(self.module, self.region, self.params.get("instance_id"), self.params.get("instance_name"))
        except AlicloudApiError as error:
            if error.code != "INSTANCE_NOT_EXIST":
                raise
            if present:  # a typo or the wrong region: said as the input it is, before anything is linked
                field = "instance_id" if self.params.get("instance_id") else "instance_name"
                raise InputError("%s: %s; give the exact %s of the instance (the Container Registry console lists its instances) and the "
                                 "region it is in" % (field, error.message, "ID" if field == "instance_id" else "name"), field=field) from error
            return None  # no instance, no link
        if present:
            require_running(self.instance, self.region)
        return self._refresh()

    def view(self, item: dict | None) -> dict:
        return normalise_link(item)

    def _wait_running(self) -> dict | None:
        return self.wait(CR_LINKED_VPC_RUNNING, region=self.region, instance_id=self.instance_id, module_name=self.module_name,
                         vpc_id=self.vpc_id)

    def _wait_unlinked(self) -> None:
        self.wait(CR_LINKED_VPC_GONE, region=self.region, instance_id=self.instance_id, module_name=self.module_name, vpc_id=self.vpc_id)

    def settle(self, item: dict) -> dict | None:
        """A link through our vSwitch that is still being created: wait until it runs (no change of ours)."""
        if (item.get("Status") not in ("RUNNING", "DELETING") and item.get("VswitchId") == self.vswitch_id
                and self.params["wait"] and not self.check_mode):
            return self._wait_running()
        return item

    def changes(self, item: dict) -> dict:
        if item.get("Status") != "DELETING" and item.get("VswitchId") == self.vswitch_id:
            return {}
        if item.get("Status") != "DELETING" and not self.params["relink"]:
            raise AlicloudError(
                "VPC %s is already linked to instance %s through vSwitch %s, not %s: set relink=true to move the link "
                "(the registry's address in the VPC changes), or use vswitch_id=%s"
                % (self.vpc_id, self.instance_id, item.get("VswitchId"), self.vswitch_id, item.get("VswitchId")),
                code="LinkedThroughAnotherVSwitch")
        self.check_vswitch()
        return {"VswitchId": self.vswitch_id}

    def _predicted(self) -> dict:
        return {"VpcId": self.vpc_id, "VswitchId": self.vswitch_id, "Ip": "", "Status": "CREATING", "DefaultAccess": False}

    def planned(self) -> dict:
        self.check_vswitch()
        return self._predicted()

    def predict_update(self, item: dict, changes: dict) -> dict:
        return self._predicted()

    def create(self) -> dict:
        self.check_vswitch()
        return self._link()

    def update(self, item: dict, changes: dict) -> dict:
        """Move the link (relink), or link again after someone else's unlink: the create fails until the old link is gone."""
        if item.get("Status") != "DELETING":
            self.write("unlinking VPC %s from vSwitch %s" % (self.vpc_id, item["VswitchId"]),
                       lambda: delete_link(self.module, self.region, self.instance_id, self.module_name, self.vpc_id, item["VswitchId"]))
        self._wait_unlinked()
        return self._link()

    def _link(self) -> dict:
        self.write("linking VPC %s through vSwitch %s" % (self.vpc_id, self.vswitch_id), self._send_link)
        return self._wait_running() if self.params["wait"] else self._refresh()

    def _send_link(self) -> None:
        try:
            create_link(self.module, self.region, self.instance_id, self.module_name, self.vpc_id, self.vswitch_id,
                        create_dns_record=self.params["create_dns_record"])
        except AlicloudApiError as error:
            if code_contains(error, "QUOTA"):
                error.message = "%s; linked now: %s" % (error.message, self._describe_links())
                raise
            # A repeat of a create whose answer was lost: the link exists, and it is ours if its vSwitch is.
            if code_contains(error, "ALREADY_EXIST") and (self._refresh() or {}).get("VswitchId") == self.vswitch_id:
                return
            raise

    def _describe_links(self) -> str:
        links = self.endpoint.get("LinkedVpcs") or []
        return ", ".join("%s (vSwitch %s, %s)" % (link.get("VpcId"), link.get("VswitchId"), link.get("Status")) for link in links) or "none"

    def check_vswitch(self) -> None:
        """The vSwitch must exist in the VPC and have a free address: checked with a read before the write."""
        try:
            vswitch = describe_vswitch(self.module, self.region, self.vswitch_id)
        except AlicloudApiError as error:
            if not code_contains(error, *READ_DENIED):
                raise
            self.module.warn("Could not read vswitch_id %s (%s): the CR API checks it instead" % (self.vswitch_id, error.code))
            return
        request_id = self.module.last_request_id
        if vswitch is None:
            raise AlicloudApiError("vswitch_id %s does not exist in region %s: set vswitch_id to a vSwitch of vpc_id %s in that region"
                                   % (self.vswitch_id, self.region, self.vpc_id),
                                   operation="DescribeVSwitches", code="VSWITCH_NOT_EXIST", request_id=request_id)
        if vswitch.get("VpcId") != self.vpc_id:
            raise AlicloudApiError("vswitch_id %s belongs to VPC %s, not to vpc_id %s: set vswitch_id to a vSwitch of vpc_id %s, "
                                   "or vpc_id to %s" % (self.vswitch_id, vswitch.get("VpcId"), self.vpc_id, self.vpc_id, vswitch.get("VpcId")),
                                   operation="DescribeVSwitches", code="VSWITCH_NOT_IN_VPC", request_id=request_id)
        if vswitch.get("AvailableIpAddressCount") == 0:
            raise AlicloudApiError("vswitch_id %s has no free IP address left for the registry: set vswitch_id to another vSwitch "
                                   "of vpc_id %s" % (self.vswitch_id, self.vpc_id), operation="DescribeVSwitches", code="VSWITCH_IP_NOT_ENOUGH",
                                   request_id=request_id)

    def going(self, item: dict) -> bool:
        return item.get("Status") == "DELETING"

    def delete(self, item: dict) -> bool:
        return self.write("unlinking VPC %s" % self.vpc_id,
                          lambda: delete_link(self.module, self.region, self.instance_id, self.module_name, self.vpc_id, item["VswitchId"]))

    def wait_gone(self, item: dict) -> None:
        self._wait_unlinked()

    def result(self, before: dict, after: dict) -> dict:
        return {"changed": self.changed, "instance_id": self.instance_id, "module_name": self.module_name, "link": after,
                "vpc_domains": list(self.endpoint.get("Domains") or []), "diff": {"before": before, "after": after}}


# -- authorization tokens -------------------------------------------------------------------------

# A token that lives this much less than asked is "capped"; less than that is clock skew and request latency.
CAP_TOLERANCE_SECONDS = 60
TOKEN_HOURS = range(1, 25)  # the lifetimes GetAuthorizationToken accepts (ExpiresInHours)


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


def authorization_token(module: t.Any, region: str, hours: int, instance_id: str | None = None, instance_name: str | None = None) -> dict:
    """The registry login of an instance (token_view plus instance_id); warns when the token lives shorter than asked.

    The instance is looked up only when given by name (GetAuthorizationToken checks an id).
    """
    if not instance_id:
        instance_id = resolve_instance(module, region, instance_name=instance_name)["InstanceId"]
    asked_at = time.time()
    body = cr_call(module, "GetAuthorizationToken", {"InstanceId": instance_id, "ExpiresInHours": hours}, region)
    # Failures are printed in the open (only a successful result is no_log): the password must never reach one.
    module.keep_out_of_errors(body.get("AuthorizationToken"))
    view = token_view(body, hours, asked_at, time.time())
    if view["capped"]:
        module.warn(capped_warning(view, hours))
    view["instance_id"] = instance_id
    return view
