#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cr_vpc_endpoint
short_description: Link a VPC to the VPC endpoint of a Container Registry Enterprise Edition instance, or unlink it
version_added: 0.1.0
description:
  - Links a VPC, through one of its vSwitches, to the VPC endpoint of an ACR Enterprise Edition instance, so that hosts in
    that VPC reach the registry at a private address of the vSwitch (the console's C(Access Control > VPC > Add VPC)).
    Unlinks it with O(state=absent).
  - Checks what a read can tell before any write - the instance exists and is C(RUNNING), the vSwitch exists in O(vpc_id)
    and has a free address - so that these mistakes fail with a clear message and nothing changed.
  - The linked-VPC quota of an instance (3 VPCs by default) cannot be read through the API; when it is used up, the
    error names the quota, the VPCs linked now, and the fix (unlink one, or ask for a higher quota).
  - Calls C(GetInstance), C(GetInstanceVpcEndpoint), C(CreateInstanceVpcEndpointLinkedVpc),
    C(DeleteInstanceVpcEndpointLinkedVpc) (CR API 2018-12-01) and C(DescribeVSwitches) (VPC API 2016-04-28).
    Without permission for C(vpc:DescribeVSwitches) the vSwitch check is left to the CR API, with a warning.
author:
  - alicloud.acr_access contributors (@alicloud-acr-access)
options:
  vpc_id:
    description:
      - The VPC to link or unlink. It must be in the instance's region.
    type: str
    required: true
  vswitch_id:
    description:
      - The vSwitch of O(vpc_id) in which the registry gets its private address.
      - Required with O(state=present). With O(state=absent) it is not needed and not used - the link of O(vpc_id) is
        removed whatever its vSwitch.
    type: str
  module_name:
    description:
      - The module of the instance whose VPC endpoint is meant - V(Registry) (images) or V(Chart) (Helm charts).
    type: str
    choices: [Registry, Chart]
    default: Registry
  state:
    description:
      - V(present) links the VPC, V(absent) unlinks it.
    type: str
    choices: [present, absent]
    default: present
  create_dns_record:
    description:
      - Let the cloud add the registry's VPC domain to PrivateZone for this VPC (C(EnableCreateDNSRecordInPvzt)),
        so that hosts in the VPC resolve it to the link's address.
      - Only used when a link is created; an existing link is not changed because of this option.
    type: bool
    default: false
  relink:
    description:
      - What to do when O(vpc_id) is already linked through another vSwitch than O(vswitch_id).
      - V(false) fails, naming both vSwitches, and changes nothing.
      - V(true) unlinks the VPC, waits until the link is gone (even with O(wait=false)), and links it again through
        O(vswitch_id). The registry's address in the VPC changes, and pulls from that VPC fail in between.
    type: bool
    default: false
  wait:
    description:
      - Wait until a new link is C(RUNNING), or a removed one is gone.
  wait_timeout:
    description:
      - How many seconds to wait, in all, for O(wait) (and for the unlink of O(relink)).
    default: 180
extends_documentation_fragment:
  - alicloud.acr_access.alicloud
  - alicloud.acr_access.attributes
  - alicloud.acr_access.attributes.ACTIONGROUP_ALICLOUD
  - alicloud.acr_access.cr_instance
  - alicloud.acr_access.wait
attributes:
  check_mode:
    support: full
    details:
      - Reads only and predicts the change; the link's address is unknown until it is created.
  diff_mode:
    support: full
  idempotent:
    support: full
requirements:
  - alibabacloud-cr20181201
  - alibabacloud-vpc20160428
notes:
  - A link takes about half a minute to become C(RUNNING). Its address is shown only from then on.
  - The API takes no idempotency token for this operation. If an answer is lost and the request is sent again,
    the cloud answers that the VPC is already linked; the module then reads the link back and accepts it when its
    vSwitch is O(vswitch_id).
seealso:
  - module: alicloud.acr_access.cr_instance_info
  - name: CreateInstanceVpcEndpointLinkedVpc API reference
    description: The CR API operation behind this module.
    link: https://www.alibabacloud.com/help/en/acr/developer-reference/api-cr-2018-12-01-createinstancevpcendpointlinkedvpc
"""

EXAMPLES = r"""
- name: Link the registry VPC so that its hosts can pull over a private address
  alicloud.acr_access.cr_vpc_endpoint:
    region: cn-hangzhou
    instance_name: acr-example
    vpc_id: vpc-bp1example00000000001
    vswitch_id: vsw-bp1example000000000j1
    create_dns_record: true
  register: link

- name: Show the address the registry domain must resolve to inside the VPC
  ansible.builtin.debug:
    msg: "{{ link.vpc_domains[0] }} -> {{ link.link.ip }}"

- name: Move the link to another vSwitch of the same VPC
  alicloud.acr_access.cr_vpc_endpoint:
    region: cn-hangzhou
    instance_id: cri-example000000001
    vpc_id: vpc-bp1example00000000001
    vswitch_id: vsw-bp1example000000000k1
    relink: true

- name: Unlink the VPC without waiting
  alicloud.acr_access.cr_vpc_endpoint:
    region: cn-hangzhou
    instance_id: cri-example000000001
    vpc_id: vpc-bp1example00000000001
    state: absent
    wait: false
"""

RETURN = r"""
instance_id:
  description: The ID of the instance.
  returned: success
  type: str
  sample: cri-example000000001
module_name:
  description: The module of the instance whose VPC endpoint was managed.
  returned: success
  type: str
  sample: Registry
link:
  description:
    - The link of O(vpc_id) after the task (predicted in check mode); an empty dict when the VPC is not linked.
  returned: success
  type: dict
  contains:
    vpc_id:
      description: The linked VPC.
      returned: when linked
      type: str
      sample: vpc-bp1example00000000001
    vswitch_id:
      description: The vSwitch that holds the registry's address.
      returned: when linked
      type: str
      sample: vsw-bp1example000000000j1
    ip:
      description: The registry's address in the VPC; empty until the link is C(RUNNING) (and in check mode).
      returned: when linked
      type: str
      sample: 10.94.205.198
    status:
      description: The status of the link, V(CREATING), V(RUNNING) or V(DELETING).
      returned: when linked
      type: str
      sample: RUNNING
    default_access:
      description: Whether the VPC is the default access VPC of the instance.
      returned: when linked
      type: bool
      sample: false
vpc_domains:
  description: The domain names of the instance's VPC endpoint (of O(module_name)), to be resolved to RV(link.ip) inside the VPC.
  returned: success
  type: list
  elements: str
  sample: ["acr-example-registry-vpc.cn-hangzhou.cr.aliyuncs.com"]
"""

from ansible_collections.alicloud.acr_access.plugins.module_utils.client import AnsibleAlicloudModule
from ansible_collections.alicloud.acr_access.plugins.module_utils.cr import (
    create_link, delete_link, find_link, get_vpc_endpoint, normalise_link, require_running, resolve_instance)
from ansible_collections.alicloud.acr_access.plugins.module_utils.errors import AlicloudApiError, AlicloudError, code_contains
from ansible_collections.alicloud.acr_access.plugins.module_utils.waiter import Deadline, wait_for

READ_DENIED = ("Forbidden", "NoPermission")


class LinkedVpc:
    """The link of one VPC to one module's VPC endpoint of an instance."""

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.region = module.region
        self.vpc_id = self.params["vpc_id"]
        self.module_name = self.params["module_name"]
        self.instance = None
        self.endpoint = {}
        # One budget for every write and wait of the task (relink waits twice).
        self.deadline = Deadline(self.params["wait_timeout"])

    @property
    def instance_id(self):
        return self.instance["InstanceId"]

    def load(self, running=False):
        self.instance = resolve_instance(self.module, self.region, self.params["instance_id"], self.params["instance_name"])
        if running:
            require_running(self.instance, self.region)
        self.refresh()

    def refresh(self):
        self.endpoint = get_vpc_endpoint(self.module, self.region, self.instance_id, self.module_name)
        return find_link(self.endpoint, self.vpc_id)

    def current(self):
        return find_link(self.endpoint, self.vpc_id)

    def result(self, changed, before, after):
        return dict(changed=changed, instance_id=self.instance_id, module_name=self.module_name, link=after,
                    vpc_domains=list(self.endpoint.get("Domains") or []), diff=dict(before=before, after=after))

    def wait(self, name):
        ids = dict(region=self.region, instance_id=self.instance_id, module_name=self.module_name, vpc_id=self.vpc_id)
        return wait_for(self.module, name, self.deadline, **ids)

    # -- present ------------------------------------------------------------------------------

    def ensure_present(self):
        self.load(running=True)
        vswitch_id = self.params["vswitch_id"]
        current = self.current()
        before = normalise_link(current)
        if current and current.get("Status") != "DELETING" and current.get("VswitchId") == vswitch_id:
            if self.params["wait"] and current.get("Status") != "RUNNING" and not self.module.check_mode:
                before = normalise_link(self.wait("cr_linked_vpc_running"))
            return self.result(False, before, before)
        moving = bool(current) and current.get("Status") != "DELETING"
        if moving and not self.params["relink"]:
            raise AlicloudError(
                "VPC %s is already linked to instance %s through vSwitch %s, not %s: set relink=true to move the link "
                "(the registry's address in the VPC changes), or use vswitch_id=%s"
                % (self.vpc_id, self.instance_id, current.get("VswitchId"), vswitch_id, current.get("VswitchId")),
                code="LinkedThroughAnotherVSwitch")
        self.check_vswitch(vswitch_id)
        predicted = {"vpc_id": self.vpc_id, "vswitch_id": vswitch_id, "ip": "", "status": "CREATING", "default_access": False}
        if self.module.check_mode:
            return self.result(True, before, predicted)
        if moving:
            self.deadline.before_write("unlinking VPC %s from vSwitch %s" % (self.vpc_id, current["VswitchId"]))
            delete_link(self.module, self.region, self.instance_id, self.module_name, self.vpc_id, current["VswitchId"])
        if current:  # moving, or an unlink still in progress: the create fails until the old link is gone
            self.wait("cr_linked_vpc_gone")
        self.deadline.before_write("linking VPC %s through vSwitch %s" % (self.vpc_id, vswitch_id))
        self.create(vswitch_id)
        if self.params["wait"]:
            return self.result(True, before, normalise_link(self.wait("cr_linked_vpc_running")))
        return self.result(True, before, normalise_link(self.refresh()))

    def check_vswitch(self, vswitch_id):
        """The vSwitch must exist in the VPC and have a free address: checked with a read before the write."""
        try:
            body = self.module.call("vpc", "DescribeVSwitches", {"RegionId": self.region, "VSwitchId": vswitch_id}, region=self.region)
        except AlicloudApiError as error:
            if not code_contains(error, *READ_DENIED):
                raise
            self.module.warn("Could not read vswitch_id %s (%s): the CR API checks it instead" % (vswitch_id, error.code))
            return
        found = [item for item in (body.get("VSwitches") or {}).get("VSwitch") or [] if item.get("VSwitchId") == vswitch_id]
        if not found:
            raise AlicloudApiError("vswitch_id %s does not exist in region %s: set vswitch_id to a vSwitch of vpc_id %s in that region"
                                   % (vswitch_id, self.region, self.vpc_id),
                                   operation="DescribeVSwitches", code="VSWITCH_NOT_EXIST", request_id=self.module.last_request_id)
        vswitch = found[0]
        if vswitch.get("VpcId") != self.vpc_id:
            raise AlicloudApiError("vswitch_id %s belongs to VPC %s, not to vpc_id %s: set vswitch_id to a vSwitch of vpc_id %s, "
                                   "or vpc_id to %s" % (vswitch_id, vswitch.get("VpcId"), self.vpc_id, self.vpc_id, vswitch.get("VpcId")),
                                   operation="DescribeVSwitches", code="VSWITCH_NOT_IN_VPC", request_id=self.module.last_request_id)
        if vswitch.get("AvailableIpAddressCount") == 0:
            raise AlicloudApiError("vswitch_id %s has no free IP address left for the registry: set vswitch_id to another vSwitch "
                                   "of vpc_id %s" % (vswitch_id, self.vpc_id), operation="DescribeVSwitches", code="VSWITCH_IP_NOT_ENOUGH",
                                   request_id=self.module.last_request_id)

    def create(self, vswitch_id):
        try:
            create_link(self.module, self.region, self.instance_id, self.module_name, self.vpc_id, vswitch_id,
                        create_dns_record=self.params["create_dns_record"])
        except AlicloudApiError as error:
            if code_contains(error, "QUOTA"):
                error.message = "%s; linked now: %s" % (error.message, self.describe_links())
                raise
            # A repeat of a create whose answer was lost: the link exists, and it is ours if its vSwitch is.
            if code_contains(error, "ALREADY_EXIST") and (self.refresh() or {}).get("VswitchId") == vswitch_id:
                return
            raise

    def describe_links(self):
        links = self.endpoint.get("LinkedVpcs") or []
        return ", ".join("%s (vSwitch %s, %s)" % (link.get("VpcId"), link.get("VswitchId"), link.get("Status")) for link in links) or "none"

    # -- absent -------------------------------------------------------------------------------

    def ensure_absent(self):
        try:
            self.load()
        except AlicloudApiError as error:
            if error.code == "INSTANCE_NOT_EXIST":  # no instance, no link
                return dict(changed=False, instance_id=self.params["instance_id"], module_name=self.module_name, link={},
                            vpc_domains=[], diff=dict(before={}, after={}))
            raise
        current = self.current()
        before = normalise_link(current)
        if not current or current.get("Status") == "DELETING":
            if current and self.params["wait"] and not self.module.check_mode:
                self.wait("cr_linked_vpc_gone")
            return self.result(False, before, {})
        if self.module.check_mode:
            return self.result(True, before, {})
        self.deadline.before_write("unlinking VPC %s" % self.vpc_id)
        changed = delete_link(self.module, self.region, self.instance_id, self.module_name, self.vpc_id, current["VswitchId"])
        if self.params["wait"]:
            self.wait("cr_linked_vpc_gone")
        return self.result(changed, before, {})


def main():
    argument_spec = dict(
        instance_id=dict(type="str"),
        instance_name=dict(type="str"),
        vpc_id=dict(type="str", required=True),
        vswitch_id=dict(type="str"),
        module_name=dict(type="str", default="Registry", choices=["Registry", "Chart"]),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        create_dns_record=dict(type="bool", default=False),
        relink=dict(type="bool", default=False),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=180),
    )
    module = AnsibleAlicloudModule(argument_spec=argument_spec, supports_check_mode=True,
                                   mutually_exclusive=[("instance_id", "instance_name")],
                                   required_one_of=[("instance_id", "instance_name")],
                                   required_if=[("state", "present", ("vswitch_id",))])
    link = LinkedVpc(module)
    try:
        result = link.ensure_present() if module.params["state"] == "present" else link.ensure_absent()
    except AlicloudError as error:
        verb = "link" if module.params["state"] == "present" else "unlink"
        module.fail_json_api(error, msg="Failed to %s VPC %s" % (verb, module.params["vpc_id"]))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
