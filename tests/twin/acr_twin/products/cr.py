"""CR 2018-12-01 (Container Registry Enterprise Edition): instances, endpoints, linked VPCs, tokens, sync and storage rules.

CR requests carry no RegionId (the real cloud reads the region from the host name,
``cr.<region>.aliyuncs.com``, which the endpoint override replaces): the twin takes the
region from the instance, and ListInstance answers across regions with each item's RegionId.

Errors, as the real service answers them:

* Parameter validation happens at the API gateway before the CR service sees the request:
  ``MissingParameter`` / ``InvalidParameter`` with HTTP 400 (the framework's ``Params``).
* Business errors of the CR service come back as HTTP 200 with ``"IsSuccess": false`` and an
  upper-case ``Code``. Evidence: terraform-provider-alicloud (alicloud/service_alicloud_cr_ee.go)
  checks ``!response.GetInstanceIsSuccess`` and maps ``response.Code == "INSTANCE_NOT_EXIST"`` to
  NotFound, and the reference (alibaba-cloud-api.md, "Wire format") says the CR API answers
  HTTP 200 with IsSuccess false. Codes used and where they come from:
    - ``INSTANCE_NOT_EXIST``: unknown instance (terraform service_alicloud_cr_ee.go). Verified.
    - ``INSTANCE_ACCESS_NOT_EXIST``: unlinking a VPC that is not linked
      (terraform resource_alicloud_cr_vpc_endpoint_linked_vpc.go ignores it on delete). Verified.
    - ``INSTANCE_ACCESS_ALREADY_EXIST``: linking a VPC already linked. NOT verified: named after
      the verified ``INSTANCE_ACCESS_NOT_EXIST``; match on ``ALREADY_EXIST`` in modules.
    - ``INSTANCE_ACCESS_QUOTA_EXCEED``: the linked-VPC quota is used up. NOT verified; the message
      names the quota. Modules should match ``QUOTA`` in the code.
    - ``INSTANCE_STATUS_NOT_SUPPORT``: the instance is not RUNNING. NOT verified.
    - ``VPC_NOT_EXIST`` / ``VSWITCH_NOT_EXIST``: the VPC is unknown in the instance's region, or the
      vSwitch is unknown in that VPC. NOT verified (same family as INSTANCE_NOT_EXIST).
    - ``VSWITCH_IP_NOT_ENOUGH``: no free address left in the vSwitch. NOT verified.
    - ``SYNC_RULE_NOT_EXIST``, ``STORAGE_DOMAIN_ROUTING_RULE_NOT_EXIST``,
      ``STORAGE_DOMAIN_ROUTING_RULE_ALREADY_EXIST``: NOT verified, same naming family.
"""

import calendar
import hashlib
import ipaddress
import secrets
import time

from acr_twin.errors import ApiError
from acr_twin.registry import action

MODULES = ("Registry", "Chart")
INSTANCE_STATUSES = ("PENDING", "INIT_ERROR", "STARTING", "RUNNING", "STOPPING", "STOPPED", "DELETING", "DELETED")
SYNC_SCOPES = ("REPO", "NAMESPACE", "INSTANCE")
SYNC_TRIGGERS = ("PASSIVE", "INITIATIVE")

# Seconds a new VPC link stays CREATING, and an unlinked one DELETING (scaled by the time scale).
# terraform waits up to 3 minutes for RUNNING; about 30 s is what the console shows.
LINK_CREATE_SECONDS = 30.0
LINK_DELETE_SECONDS = 10.0
# The user name GetAuthorizationToken answers for an account (the API's own example: temp_user_cr).
TEMP_USERNAME = "cr_temp_user"


class CrFailure(Exception):
    """A CR business error: answered with HTTP 200, ``IsSuccess: false`` and this code."""

    def __init__(self, code, message):
        super().__init__("%s: %s" % (code, message))
        self.code = code
        self.message = message


def cr_action(name, success_field="IsSuccess"):
    """Register a CR handler; its CrFailure becomes the 200 + ``IsSuccess: false`` answer the service sends.

    Storage routing answers name the flag ``Success``; they carry ``IsSuccess: false`` as well on failure
    because the twin's call log recognises a failed 200 answer by it.
    """

    def register(fn):
        def handle(cloud, params):
            try:
                return fn(cloud, params)
            except CrFailure as failure:
                answer = {"Code": failure.code, "Message": failure.message, "IsSuccess": False}
                answer[success_field] = False
                return answer

        handle.__name__ = fn.__name__
        handle.__doc__ = fn.__doc__
        return action("cr", name)(handle)

    return register


def _ok(**fields):
    answer = {"Code": "success", "IsSuccess": True}
    answer.update(fields)
    return answer


def _now_ms():
    return int(time.time() * 1000)


def _epoch_ms(text):
    """The fixture's ``YYYY-MM-DD HH:MM:SS`` -> epoch milliseconds (GetInstance answers a long)."""
    try:
        return calendar.timegm(time.strptime(text, "%Y-%m-%d %H:%M:%S")) * 1000
    except (TypeError, ValueError):
        return _now_ms()


# -- lookups ------------------------------------------------------------------------------------

def _instance(cloud, p, name="InstanceId"):
    instance_id = p.required(name)
    instance = cloud.cr_instances.get(instance_id)
    if instance is None or instance["InstanceStatus"] == "DELETED":
        raise CrFailure("INSTANCE_NOT_EXIST", "The instance %s does not exist." % instance_id)
    return instance


def _running_instance(cloud, p):
    instance = _instance(cloud, p)
    if instance["InstanceStatus"] != "RUNNING":
        raise CrFailure("INSTANCE_STATUS_NOT_SUPPORT", "The instance %s is %s; this operation needs it RUNNING."
                        % (instance["InstanceId"], instance["InstanceStatus"]))
    return instance


def _module(p):
    return p.str("ModuleName", default="Registry", choices=MODULES)


def _link_key(instance_id, module, vpc_id):
    # fixtures.py keys Registry links "<instance>/<vpc>"; Chart links get their own key.
    if module == "Registry":
        return "%s/%s" % (instance_id, vpc_id)
    return "%s/%s/%s" % (instance_id, vpc_id, module)


def _links(cloud, instance_id, module):
    return [link for link in cloud.cr_linked_vpcs.values() if link["InstanceId"] == instance_id and link.get("ModuleName", "Registry") == module]


def _vpc_domain(instance, module):
    if module == "Registry":
        return instance["_vpc_domain"]
    return "%s-chart-vpc.%s.cr.aliyuncs.com" % (instance["InstanceName"], instance["RegionId"])


def _internet_domain(instance, module):
    if module == "Registry":
        return instance["_internet_domain"]
    return "%s-chart.%s.cr.aliyuncs.com" % (instance["InstanceName"], instance["RegionId"])


def _internet_enabled(instance, module):
    field = "_internet_enabled" if module == "Registry" else "_chart_internet_enabled"
    return bool(instance.get(field, False))


# -- instances ------------------------------------------------------------------------------------

def _tags(instance):
    return [{"TagKey": k, "TagValue": v} for k, v in sorted(instance.get("_tags", {}).items())]


@cr_action("GetInstance")
def get_instance(cloud, p):
    instance = _instance(cloud, p)
    return _ok(InstanceId=instance["InstanceId"], InstanceName=instance["InstanceName"], InstanceStatus=instance["InstanceStatus"],
               InstanceSpecification=instance["InstanceSpecification"], InstanceIssue=instance.get("_issue", ""),
               CreateTime=_epoch_ms(instance["CreateTime"]), ModifiedTime=_epoch_ms(instance["ModifiedTime"]),
               ResourceGroupId=instance["ResourceGroupId"], Tags=_tags(instance))


def _list_item(instance):
    # ListInstance answers times as strings (the SDK model types them str), GetInstance as longs.
    return {"InstanceId": instance["InstanceId"], "InstanceName": instance["InstanceName"], "RegionId": instance["RegionId"],
            "InstanceStatus": instance["InstanceStatus"], "InstanceSpecification": instance["InstanceSpecification"],
            "InstanceIssue": instance.get("_issue", ""), "CreateTime": instance["CreateTime"], "ModifiedTime": instance["ModifiedTime"],
            "ResourceGroupId": instance["ResourceGroupId"], "Tags": _tags(instance)}


def _page(items, p):
    """CR paging: PageNo / PageSize (default 30, as the SDK documents)."""
    size = p.int("PageSize", default=30, minimum=1, maximum=100)
    number = p.int("PageNo", default=1, minimum=1)
    start = (number - 1) * size
    return items[start:start + size], {"PageNo": number, "PageSize": size, "TotalCount": len(items)}


@cr_action("ListInstance")
def list_instance(cloud, p):
    # InstanceName is matched as a substring: the console searches that way, and a module must
    # filter the exact name itself either way.
    name = p.str("InstanceName")
    status = p.str("InstanceStatus", choices=INSTANCE_STATUSES)
    group = p.str("ResourceGroupId")
    found = [i for i in sorted(cloud.cr_instances.values(), key=lambda i: i["InstanceId"])
             if (name is None or name in i["InstanceName"]) and (status is None or i["InstanceStatus"] == status)
             and (group is None or i["ResourceGroupId"] == group) and (status == "DELETED" or i["InstanceStatus"] != "DELETED")]
    page, meta = _page(found, p)
    return _ok(Instances=[_list_item(i) for i in page], **meta)


# -- endpoints ------------------------------------------------------------------------------------

def _internet_endpoint(instance, module):
    enabled = _internet_enabled(instance, module)
    return {"EndpointType": "internet", "Enable": enabled, "Status": "RUNNING" if enabled else "STOPPED",
            "Domains": [{"Domain": _internet_domain(instance, module), "Type": "SYSTEM"}], "LinkedVpcs": [],
            "AclEnable": False, "AclEntries": []}


def _vpc_endpoint(cloud, instance, module):
    links = _links(cloud, instance["InstanceId"], module)
    return {"EndpointType": "vpc", "Enable": bool(links), "Status": "RUNNING" if links else "STOPPED",
            "Domains": [{"Domain": _vpc_domain(instance, module), "Type": "SYSTEM"}],
            "LinkedVpcs": [{"VpcId": link["VpcId"]} for link in links], "AclEnable": False, "AclEntries": []}


@cr_action("ListInstanceEndpoint")
def list_instance_endpoint(cloud, p):
    instance = _instance(cloud, p)
    module = _module(p)
    return _ok(Endpoints=[_internet_endpoint(instance, module), _vpc_endpoint(cloud, instance, module)])


def _endpoint_type(p):
    """``internet`` (the SDK documents the value Internet) or ``vpc``, case-insensitively."""
    value = p.required("EndpointType")
    if value.lower() not in ("internet", "vpc"):
        raise ApiError("InvalidParameter", 'The parameter "EndpointType" must be internet or vpc, not %r.' % value)
    return value.lower()


@cr_action("GetInstanceEndpoint")
def get_instance_endpoint(cloud, p):
    endpoint_type = _endpoint_type(p)
    instance = _instance(cloud, p)
    module = _module(p)
    endpoint = _internet_endpoint(instance, module) if endpoint_type == "internet" else _vpc_endpoint(cloud, instance, module)
    return _ok(Enable=endpoint["Enable"], Status=endpoint["Status"], Domains=endpoint["Domains"],
               AclEnable=endpoint["AclEnable"], AclEntries=[])


@cr_action("UpdateInstanceEndpointStatus")
def update_instance_endpoint_status(cloud, p):
    endpoint_type = _endpoint_type(p)
    enable = p.bool("Enable")
    if enable is None:
        raise ApiError("MissingParameter", 'The input parameter "Enable" that is mandatory for processing this request is not supplied.')
    instance = _running_instance(cloud, p)
    module = _module(p)
    if endpoint_type != "internet":
        raise ApiError("InvalidParameter", 'The parameter "EndpointType" must be internet for this operation.')
    instance["_internet_enabled" if module == "Registry" else "_chart_internet_enabled"] = enable
    instance["ModifiedTime"] = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    return _ok()


def _public_link(link):
    return {"VpcId": link["VpcId"], "VswitchId": link["VswitchId"], "Ip": link["Ip"], "Status": link["Status"],
            "DefaultAccess": bool(link.get("DefaultAccess", False)), "Issue": link.get("Issue", "")}


@cr_action("GetInstanceVpcEndpoint")
def get_instance_vpc_endpoint(cloud, p):
    instance = _instance(cloud, p)
    module = _module(p)
    links = _links(cloud, instance["InstanceId"], module)
    return _ok(ModuleName=module, Domains=[_vpc_domain(instance, module)], Enable=bool(links),
               LinkedVpcs=[_public_link(link) for link in links])


# -- linked VPCs ----------------------------------------------------------------------------------

def _vpc_and_vswitch(cloud, instance, vpc_id, vswitch_id):
    """The VPC and vSwitch, as the CR service finds them: only in the instance's own region."""
    vpc = cloud.vpcs.get(vpc_id)
    if vpc is None or vpc["RegionId"] != instance["RegionId"]:
        raise CrFailure("VPC_NOT_EXIST", "The VPC %s does not exist in region %s." % (vpc_id, instance["RegionId"]))
    vswitch = cloud.vswitches.get(vswitch_id)
    if vswitch is None or vswitch["VpcId"] != vpc_id:
        raise CrFailure("VSWITCH_NOT_EXIST", "The vSwitch %s does not exist in VPC %s." % (vswitch_id, vpc_id))
    return vpc, vswitch


def _used_addresses(cloud):
    used = set()
    for link in cloud.cr_linked_vpcs.values():
        used.update(a for a in (link.get("Ip"), link.get("_ip")) if a)
    used.update(i.get("PrivateIpAddress") for i in cloud.instances.values())
    return used


def _allocate_ip(cloud, vswitch, seed):
    """A free address of the vSwitch, away from its first and last few (reserved by the cloud).

    Picked from a hash of the link so that ids and addresses look unrelated but repeat from run to run.
    """
    network = ipaddress.ip_network(vswitch["CidrBlock"])
    usable = network.num_addresses - 8
    if usable <= 0:
        raise CrFailure("VSWITCH_IP_NOT_ENOUGH", "The vSwitch %s has no free IP address." % vswitch["VSwitchId"])
    used = _used_addresses(cloud)
    start = int(hashlib.sha256(seed.encode("utf-8")).hexdigest(), 16) % usable
    for step in range(usable):
        address = str(network.network_address + 4 + (start + step) % usable)
        if address not in used:
            return address
    raise CrFailure("VSWITCH_IP_NOT_ENOUGH", "The vSwitch %s has no free IP address." % vswitch["VSwitchId"])


def _link_running(cloud, key):
    def finish():
        link = cloud.cr_linked_vpcs.get(key)
        if link is not None and link["Status"] == "CREATING":
            link["Status"] = "RUNNING"
            link["Ip"] = link.pop("_ip")
    return finish


def _link_gone(cloud, key):
    def finish():
        link = cloud.cr_linked_vpcs.get(key)
        if link is not None and link["Status"] == "DELETING":
            del cloud.cr_linked_vpcs[key]
    return finish


@cr_action("CreateInstanceVpcEndpointLinkedVpc")
def create_instance_vpc_endpoint_linked_vpc(cloud, p):
    vpc_id = p.required("VpcId")
    vswitch_id = p.required("VswitchId")
    module = _module(p)
    dns_record = p.bool("EnableCreateDNSRecordInPvzt", default=False)
    instance = _running_instance(cloud, p)
    _vpc, vswitch = _vpc_and_vswitch(cloud, instance, vpc_id, vswitch_id)
    instance_id = instance["InstanceId"]
    key = _link_key(instance_id, module, vpc_id)
    if key in cloud.cr_linked_vpcs:
        raise CrFailure("INSTANCE_ACCESS_ALREADY_EXIST", "The VPC %s is already linked to instance %s (%s)."
                        % (vpc_id, instance_id, cloud.cr_linked_vpcs[key]["Status"]))
    quota = instance.get("_linked_vpc_quota", 3)
    if len(_links(cloud, instance_id, module)) >= quota:
        raise CrFailure("INSTANCE_ACCESS_QUOTA_EXCEED", "The instance %s already has %d linked VPCs: the quota of linked VPCs is %d."
                        % (instance_id, quota, quota))
    # The address is reserved now and shown once the link is RUNNING (the API shows no IP before).
    cloud.cr_linked_vpcs[key] = {
        "InstanceId": instance_id, "VpcId": vpc_id, "VswitchId": vswitch_id, "Ip": "", "Status": "CREATING",
        "DefaultAccess": False, "ModuleName": module, "_ip": _allocate_ip(cloud, vswitch, key), "_dns_record_in_pvzt": dns_record,
    }
    cloud.later(LINK_CREATE_SECONDS, _link_running(cloud, key))
    return _ok()


@cr_action("DeleteInstanceVpcEndpointLinkedVpc")
def delete_instance_vpc_endpoint_linked_vpc(cloud, p):
    vpc_id = p.required("VpcId")
    vswitch_id = p.required("VswitchId")
    module = _module(p)
    instance = _instance(cloud, p)
    key = _link_key(instance["InstanceId"], module, vpc_id)
    link = cloud.cr_linked_vpcs.get(key)
    if link is None or link["Status"] == "DELETING" or link["VswitchId"] != vswitch_id:
        raise CrFailure("INSTANCE_ACCESS_NOT_EXIST", "The VPC %s (vSwitch %s) is not linked to instance %s."
                        % (vpc_id, vswitch_id, instance["InstanceId"]))
    link["Status"] = "DELETING"
    cloud.later(LINK_DELETE_SECONDS, _link_gone(cloud, key))
    return _ok()


# -- authorization tokens -------------------------------------------------------------------------

def _caller_expiry(p):
    """Wall-clock expiry (epoch seconds) of the caller's STS credentials, or None for a long-term key.

    The real API: "If you use STS to make the request, the validity period of the temporary password
    is the same as that of the STS token" (GetAuthorizationToken operation description).
    """
    caller = getattr(p, "caller", None) or {}
    if not caller.get("temporary") or caller.get("expires_in") is None:
        return None
    return time.time() + caller["expires_in"]


def token_expiry_ms(hours, caller_expiry=None, now=None):
    """The token's ExpireTime: ``hours`` from now, never later than the caller's STS credentials."""
    now = time.time() if now is None else now
    expiry = now + hours * 3600
    if caller_expiry is not None:
        expiry = min(expiry, caller_expiry)
    return int(expiry * 1000)


def _password_digest(password):
    return hashlib.sha256(password.encode("utf-8")).hexdigest()


@cr_action("GetAuthorizationToken")
def get_authorization_token(cloud, p):
    # 1 to 24 hours, default 1 (SDK: GetAuthorizationTokenRequest.expires_in_hours; API doc: "valid for 1 hour").
    hours = p.int("ExpiresInHours", default=1, minimum=1, maximum=24)
    instance = _running_instance(cloud, p)
    password = secrets.token_urlsafe(32)
    expire_ms = token_expiry_ms(hours, _caller_expiry(p))
    token_id = cloud.new_id("crt")
    # Only a digest is stored: the state dump (admin /_twin/state) must never show a password.
    cloud.cr_tokens[token_id] = {"InstanceId": instance["InstanceId"], "TempUsername": TEMP_USERNAME, "ExpireTime": expire_ms,
                                 "_password_sha256": _password_digest(password)}
    return _ok(TempUsername=TEMP_USERNAME, AuthorizationToken=password, ExpireTime=expire_ms)


def valid_token(cloud, instance_id, username, password, now=None):
    """True when ``username``/``password`` is an unexpired GetAuthorizationToken login for the instance.

    For the registry of the network twin: ``now`` (epoch seconds) defaults to the wall clock.
    """
    if not (instance_id and username and password):
        return False
    now_ms = int((time.time() if now is None else now) * 1000)
    digest = _password_digest(password)
    with cloud.lock:
        for token in cloud.cr_tokens.values():
            if (token["InstanceId"] == instance_id and token["TempUsername"] == username and token["ExpireTime"] > now_ms
                    and secrets.compare_digest(token["_password_sha256"], digest)):
                return True
    return False


# -- repository sync rules ------------------------------------------------------------------------

def _sync_rule_fields(cloud, p):
    scope = p.required("SyncScope", choices=SYNC_SCOPES)
    target_region = p.required("TargetRegionId")
    target_id = p.required("TargetInstanceId")
    fields = {
        "SyncRuleName": p.required("SyncRuleName"), "SyncScope": scope, "TagFilter": p.required("TagFilter"),
        "SyncTrigger": p.str("SyncTrigger", default="PASSIVE", choices=SYNC_TRIGGERS),
        "Priority": p.int("Priority", default=3, minimum=1, maximum=5),
        "LocalNamespaceName": p.str("NamespaceName", default=""), "LocalRepoName": p.str("RepoName", default=""),
        "TargetNamespaceName": p.str("TargetNamespaceName", default=""), "TargetRepoName": p.str("TargetRepoName", default=""),
        "NamespaceNameFilter": p.str("NamespaceNameFilter", default=""), "RepoNameFilter": p.str("RepoNameFilter", default=""),
        "LinkId": p.str("LinkId", default=""), "TargetInstanceId": target_id, "TargetRegionId": target_region,
        "CrossUser": bool(p.str("TargetUserId")),
    }
    needs = {"REPO": ("NamespaceName", "RepoName", "TargetNamespaceName", "TargetRepoName"),
             "NAMESPACE": ("NamespaceName", "TargetNamespaceName"), "INSTANCE": ()}[scope]
    for name in needs:
        p.required(name)
    if not fields["CrossUser"]:
        target = cloud.cr_instances.get(target_id)
        if target is None or target["RegionId"] != target_region:
            raise CrFailure("INSTANCE_NOT_EXIST", "The target instance %s does not exist in region %s." % (target_id, target_region))
    return fields


@cr_action("CreateRepoSyncRule")
def create_repo_sync_rule(cloud, p):
    instance = _running_instance(cloud, p)

    def create():
        fields = _sync_rule_fields(cloud, p)
        rule_id = cloud.new_id("crsr")
        now = _now_ms()
        rule = {"SyncRuleId": rule_id, "LocalInstanceId": instance["InstanceId"], "LocalRegionId": instance["RegionId"],
                "SyncDirection": "FROM", "CreateTime": now, "ModifiedTime": now}
        rule.update(fields)
        cloud.cr_sync_rules[rule_id] = rule
        return _ok(SyncRuleId=rule_id)

    return cloud.idempotent(p, create)


@cr_action("ListRepoSyncRule")
def list_repo_sync_rule(cloud, p):
    instance = _instance(cloud, p)
    wanted = {"LocalNamespaceName": p.str("NamespaceName"), "LocalRepoName": p.str("RepoName"),
              "TargetInstanceId": p.str("TargetInstanceId"), "TargetRegionId": p.str("TargetRegionId")}
    rules = [r for r in cloud.cr_sync_rules.values() if r["LocalInstanceId"] == instance["InstanceId"]
             and all(value is None or r[field] == value for field, value in wanted.items())]
    page, meta = _page(sorted(rules, key=lambda r: (r["CreateTime"], r["SyncRuleId"])), p)
    return _ok(SyncRules=[dict(r) for r in page], **meta)


@cr_action("DeleteRepoSyncRule")
def delete_repo_sync_rule(cloud, p):
    rule_id = p.required("SyncRuleId")
    instance = _instance(cloud, p)
    rule = cloud.cr_sync_rules.get(rule_id)
    if rule is None or rule["LocalInstanceId"] != instance["InstanceId"]:
        raise CrFailure("SYNC_RULE_NOT_EXIST", "The sync rule %s does not exist." % rule_id)
    del cloud.cr_sync_rules[rule_id]
    return _ok()


# -- storage domain routing rules (the feature is allow-listed by ticket in the real cloud) -------
# These answers carry ``Success`` instead of ``IsSuccess`` (CreateStorageDomainRoutingRuleResponseBody).

ROUTE_FIELDS = ("EndpointType", "InstanceDomain", "StorageDomain")


def _routes(p):
    routes = p.json("Routes", required=True)
    if not isinstance(routes, list) or not routes:
        raise ApiError("InvalidParameter", 'The parameter "Routes" must be a non-empty JSON list.')
    for route in routes:
        if not isinstance(route, dict) or any(not isinstance(route.get(f), str) or not route.get(f) for f in ROUTE_FIELDS):
            raise ApiError("InvalidParameter", 'Each item of "Routes" needs %s.' % ", ".join(ROUTE_FIELDS))
    return [dict((f, route[f]) for f in ROUTE_FIELDS) for route in routes]


def _storage_rule(cloud, instance, rule_id):
    for rule in cloud.cr_storage_rules.values():
        if rule["_instance_id"] == instance["InstanceId"] and (rule_id is None or rule["RuleId"] == rule_id):
            return rule
    raise CrFailure("STORAGE_DOMAIN_ROUTING_RULE_NOT_EXIST", "The storage domain routing rule %s of instance %s does not exist."
                    % (rule_id or "", instance["InstanceId"]))


def _storage_ok(**fields):
    answer = {"Code": "success", "Success": True}
    answer.update(fields)
    return answer


@cr_action("CreateStorageDomainRoutingRule", success_field="Success")
def create_storage_domain_routing_rule(cloud, p):
    routes = _routes(p)
    instance = _running_instance(cloud, p)
    existing = [r for r in cloud.cr_storage_rules.values() if r["_instance_id"] == instance["InstanceId"]]
    if existing:
        raise CrFailure("STORAGE_DOMAIN_ROUTING_RULE_ALREADY_EXIST", "The instance %s already has the storage domain routing rule %s."
                        % (instance["InstanceId"], existing[0]["RuleId"]))
    rule_id = cloud.new_id("crsdr")
    now = _now_ms()
    cloud.cr_storage_rules[rule_id] = {"RuleId": rule_id, "Routes": routes, "CreateTime": now, "ModifyTime": now,
                                       "_instance_id": instance["InstanceId"]}
    return _storage_ok(RuleId=rule_id)


@cr_action("GetStorageDomainRoutingRule", success_field="Success")
def get_storage_domain_routing_rule(cloud, p):
    instance = _instance(cloud, p)
    rule = _storage_rule(cloud, instance, p.str("RuleId"))
    return _storage_ok(RuleId=rule["RuleId"], Routes=[dict(r) for r in rule["Routes"]], CreateTime=rule["CreateTime"],
                       ModifyTime=rule["ModifyTime"])


@cr_action("UpdateStorageDomainRoutingRule", success_field="Success")
def update_storage_domain_routing_rule(cloud, p):
    rule_id = p.required("RuleId")
    routes = _routes(p)
    instance = _running_instance(cloud, p)
    rule = _storage_rule(cloud, instance, rule_id)
    rule["Routes"] = routes
    rule["ModifyTime"] = _now_ms()
    return _storage_ok()


@cr_action("DeleteStorageDomainRoutingRule", success_field="Success")
def delete_storage_domain_routing_rule(cloud, p):
    rule_id = p.required("RuleId")
    instance = _instance(cloud, p)
    rule = _storage_rule(cloud, instance, rule_id)
    del cloud.cr_storage_rules[rule["RuleId"]]
    return _storage_ok()


# -- data for the network twin (not an API) -------------------------------------------------------

def registry_addresses(cloud, instance_id, vpc_id=None):
    """``{registry: (domain, ip), auth: (domain, ip, takeover), oss: (domain, ip)}`` of a CR instance.

    The registry address is the linked VPC's (``vpc_id``, or the first RUNNING Registry link);
    None while no link is RUNNING. Raises KeyError for an unknown instance.
    """
    with cloud.lock:
        instance = cloud.cr_instances[instance_id]
        running = [link for link in _links(cloud, instance_id, "Registry") if link["Status"] == "RUNNING"
                   and (vpc_id is None or link["VpcId"] == vpc_id)]
        registry_ip = running[0]["Ip"] if running else None
        return {
            "registry": (instance["_vpc_domain"], registry_ip),
            "auth": (instance["_auth_domain"], instance["_auth_ip"], instance["_auth_takeover"]),
            "oss": (instance["_oss_domain"], instance["_oss_ip"]),
        }
