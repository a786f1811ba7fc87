#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cen_transit_router_peer_attachment
short_description: Connect the transit routers of a CEN in two regions (inter-region connection)
version_added: 0.1.0
description:
  - Creates the inter-region connection (peer attachment) between the transit router of O(cen_id) in O(region) and the one in
    O(peer_region), with its bandwidth; deletes it with O(state=absent).
  - The connection is found whichever side created it, so running the module from the other region changes nothing.
  - A change of O(bandwidth), O(bandwidth_type), O(cen_bandwidth_package_id) or O(link_type) updates the connection
    (C(UpdateTransitRouterPeerAttachmentAttribute)); it is never re-created.
  - The cloud associates the connection with the system route tables of both transit routers and exchanges their routes.
  - Calls C(ListTransitRouters), C(ListTransitRouterPeerAttachments), C(CreateTransitRouterPeerAttachment),
    C(UpdateTransitRouterPeerAttachmentAttribute) and C(DeleteTransitRouterPeerAttachment) (CBN API 2017-09-12).
author:
  - alicloud.acr_access contributors (@alicloud-acr-access)
options:
  cen_id:
    description:
      - The ID of the CEN instance both transit routers belong to.
    type: str
    required: true
  transit_router_id:
    description:
      - The local transit router. By default the one of O(cen_id) in O(region).
    type: str
  peer_region:
    description:
      - The region of the other transit router.
    type: str
    required: true
  peer_transit_router_id:
    description:
      - The other transit router. By default the one of O(cen_id) in O(peer_region).
    type: str
  bandwidth_type:
    description:
      - V(DataTransfer) (pay by data transfer) or V(BandwidthPackage) (bandwidth from the CEN bandwidth package O(cen_bandwidth_package_id)).
    type: str
    choices: [DataTransfer, BandwidthPackage]
    default: DataTransfer
  bandwidth:
    description:
      - The bandwidth of the connection in Mbit/s, a positive integer. Required with O(state=present).
    type: int
  cen_bandwidth_package_id:
    description:
      - The CEN bandwidth package, with O(bandwidth_type=BandwidthPackage).
    type: str
  link_type:
    description:
      - The default link type. V(Gold) for a new connection when not given; left alone on an existing one.
    type: str
    choices: [Platinum, Gold, Silver]
  name:
    description:
      - The name of the connection. Updated when given.
    type: str
  description:
    description:
      - The description of the connection. Updated when given.
    type: str
  state:
    description:
      - V(present) creates or updates the connection, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description:
      - Wait until the connection is C(Attached) (after a create or an update), or gone.
  wait_timeout:
    default: 900
extends_documentation_fragment:
  - alicloud.acr_access.alicloud
  - alicloud.acr_access.attributes
  - alicloud.acr_access.attributes.ACTIONGROUP_ALICLOUD
  - alicloud.acr_access.wait
attributes:
  check_mode:
    support: full
    details:
      - Reads only, and predicts the change.
  diff_mode:
    support: full
  idempotent:
    support: full
requirements:
  - alibabacloud-cbn20170912
seealso:
  - module: alicloud.acr_access.cen_transit_router
  - name: CreateTransitRouterPeerAttachment API reference
    description: The CBN API operation behind this module.
    link: https://www.alibabacloud.com/help/en/cen/developer-reference/api-cbn-2017-09-12-createtransitrouterpeerattachment
"""

EXAMPLES = r"""
- name: Connect Hangzhou and Shanghai with 10 Mbit/s paid by data transfer
  alicloud.acr_access.cen_transit_router_peer_attachment:
    cen_id: "{{ cen_id }}"
    region: cn-hangzhou
    peer_region: cn-shanghai
    bandwidth: 10
  register: peer

- name: Raise the bandwidth (an update, not a new connection)
  alicloud.acr_access.cen_transit_router_peer_attachment:
    cen_id: "{{ cen_id }}"
    region: cn-hangzhou
    peer_region: cn-shanghai
    bandwidth: 50
"""

RETURN = r"""
peer_attachment:
  description: The inter-region connection; empty after O(state=absent). In check mode the ID is null for one that would be created.
  returned: always
  type: dict
  contains:
    transit_router_attachment_id:
      description: The ID of the connection.
      returned: when present
      type: str
      sample: tr-attach-example0000000000c
    transit_router_id:
      description: The transit router on the side that created the connection.
      returned: when present
      type: str
      sample: tr-bp1example00000000001
    peer_transit_router_id:
      description: The transit router on the other side.
      returned: when present
      type: str
      sample: tr-uf6example00000000001
    cen_id:
      description: The CEN.
      returned: when present
      type: str
      sample: cen-example00000000001
    region_id:
      description: The region of RV(peer_attachment.transit_router_id).
      returned: when present
      type: str
      sample: cn-hangzhou
    peer_transit_router_region_id:
      description: The region of RV(peer_attachment.peer_transit_router_id).
      returned: when present
      type: str
      sample: cn-shanghai
    status:
      description: V(Attaching), V(Attached), V(Modifying) or V(Detaching).
      returned: when present
      type: str
      sample: Attached
    bandwidth_type:
      description: V(DataTransfer) or V(BandwidthPackage).
      returned: when present
      type: str
      sample: DataTransfer
    bandwidth:
      description: The bandwidth in Mbit/s.
      returned: when present
      type: int
      sample: 10
    cen_bandwidth_package_id:
      description: The bandwidth package (empty with V(DataTransfer)).
      returned: when present
      type: str
      sample: ""
    default_link_type:
      description: V(Platinum), V(Gold) or V(Silver).
      returned: when present
      type: str
      sample: Gold
    transit_router_attachment_name:
      description: The name.
      returned: when present
      type: str
      sample: ""
    transit_router_attachment_description:
      description: The description.
      returned: when present
      type: str
      sample: ""
    creation_time:
      description: When the connection was created.
      returned: when present
      type: str
      sample: "2024-01-01T00:00:00Z"
"""

from ansible_collections.alicloud.acr_access.plugins.module_utils import cen as api
from ansible_collections.alicloud.acr_access.plugins.module_utils.client import AnsibleAlicloudModule
from ansible_collections.alicloud.acr_access.plugins.module_utils.errors import AlicloudError
from ansible_collections.alicloud.acr_access.plugins.module_utils.waiter import Deadline, wait_for


def _router(module, routers: list, router_id: str | None, region: str, option: str) -> dict | None:
    for router in routers:
        if (router_id and router["TransitRouterId"] == router_id) or (not router_id and router.get("RegionId") == region):
            return router
    if router_id:
        raise api.CenInputError("%s: %s is not a transit router of CEN %s" % (option, router_id, module.params["cen_id"]))
    return None


def _check_input(module) -> None:
    params = module.params
    if params["state"] == "present" and params["bandwidth"] is None:
        raise api.CenInputError("bandwidth is required with state=present: give the bandwidth of the connection in Mbit/s, a positive integer")
    if params["state"] == "present" and params["bandwidth"] < 1:
        raise api.CenInputError("bandwidth: %s is not a positive integer number of Mbit/s" % params["bandwidth"])
    if params["bandwidth_type"] == "BandwidthPackage" and params["state"] == "present" and not params["cen_bandwidth_package_id"]:
        raise api.CenInputError("cen_bandwidth_package_id: required with bandwidth_type BandwidthPackage")
    if params["bandwidth_type"] == "DataTransfer" and params["cen_bandwidth_package_id"]:
        raise api.CenInputError("cen_bandwidth_package_id: %s is only for bandwidth_type BandwidthPackage" % params["cen_bandwidth_package_id"])
    if params["peer_region"] == module.region:
        raise api.CenInputError("peer_region: %s is the region of the local transit router; an inter-region connection needs two regions"
                                % params["peer_region"])


def _settings(params: dict) -> dict:
    settings = {"BandwidthType": params["bandwidth_type"], "Bandwidth": params["bandwidth"]}
    if params["bandwidth_type"] == "BandwidthPackage":
        settings["CenBandwidthPackageId"] = params["cen_bandwidth_package_id"]
    return settings


def _changes(params: dict, current: dict) -> dict:
    wanted = dict(_settings(params), DefaultLinkType=params["link_type"], TransitRouterAttachmentName=params["name"],
                  TransitRouterAttachmentDescription=params["description"])
    changes = {key: value for key, value in wanted.items() if value is not None and value != current.get(key)}
    if changes.keys() & {"BandwidthType", "Bandwidth", "CenBandwidthPackageId"}:
        changes.update(_settings(params))  # the API takes the bandwidth settings together
    return changes


def ensure_present(module, deadline: Deadline) -> dict:
    params = module.params
    routers = api.list_transit_routers(module, params["cen_id"])
    router = _router(module, routers, params["transit_router_id"], module.region, "transit_router_id")
    peer = _router(module, routers, params["peer_transit_router_id"], params["peer_region"], "peer_transit_router_id")
    if (router is None or peer is None) and not module.check_mode:
        missing = module.region if router is None else params["peer_region"]
        raise api.CenInputError("cen_id: CEN %s has no transit router in region %s; create it first (alicloud.acr_access.cen_transit_router)"
                                % (params["cen_id"], missing))
    current = api.find_peer_attachment(module, params["cen_id"], router["TransitRouterId"], peer["TransitRouterId"]) if router and peer else None
    if current is None:
        return _create(module, deadline, router, peer)
    before = api.normalise_peer_attachment(current)
    changes = _changes(params, current)
    attachment_id = current["TransitRouterAttachmentId"]
    if not changes:
        if params["wait"] and current.get("Status") != "Attached":
            current = wait_for(module, "peer_attachment_attached", deadline, cen_id=params["cen_id"], attachment_id=attachment_id)
        return dict(changed=False, peer_attachment=api.normalise_peer_attachment(current))
    if module.check_mode:
        after = api.normalise_peer_attachment(dict(current, **changes))
        return dict(changed=True, peer_attachment=after, diff=dict(before=before, after=after))
    if current.get("Status") != "Attached":  # the cloud refuses a change while the previous one runs
        wait_for(module, "peer_attachment_attached", deadline, cen_id=params["cen_id"], attachment_id=attachment_id)
    deadline.before_write("UpdateTransitRouterPeerAttachmentAttribute %s" % attachment_id)
    api.update_peer_attachment(module, attachment_id, changes)
    after = api.normalise_peer_attachment(_read(module, deadline, attachment_id))
    return dict(changed=True, peer_attachment=after, diff=dict(before=before, after=after))


def _read(module, deadline: Deadline, attachment_id: str) -> dict | None:
    params = module.params
    if params["wait"]:
        return wait_for(module, "peer_attachment_attached", deadline, cen_id=params["cen_id"], attachment_id=attachment_id)
    found = [a for a in api.list_peer_attachments(module, params["cen_id"]) if a["TransitRouterAttachmentId"] == attachment_id]
    return found[0] if found else None


def _create(module, deadline: Deadline, router: dict | None, peer: dict | None) -> dict:
    params = module.params
    planned = dict(_settings(params), TransitRouterAttachmentId=None, TransitRouterId=(router or {}).get("TransitRouterId"),
                   PeerTransitRouterId=(peer or {}).get("TransitRouterId"), CenId=params["cen_id"], RegionId=module.region,
                   PeerTransitRouterRegionId=params["peer_region"], Status=None, DefaultLinkType=params["link_type"] or api.DEFAULT_LINK_TYPE,
                   TransitRouterAttachmentName=params["name"] or "", TransitRouterAttachmentDescription=params["description"] or "")
    if module.check_mode:
        after = api.normalise_peer_attachment(planned)
        return dict(changed=True, peer_attachment=after, diff=dict(before={}, after=after))
    settings = dict(_settings(params), DefaultLinkType=params["link_type"] or api.DEFAULT_LINK_TYPE)
    deadline.before_write("CreateTransitRouterPeerAttachment %s-%s" % (module.region, params["peer_region"]))
    attachment_id = api.create_peer_attachment(module, router, peer, settings, params["name"], params["description"])
    after = api.normalise_peer_attachment(_read(module, deadline, attachment_id) or dict(planned, TransitRouterAttachmentId=attachment_id, Status="Attaching"))
    return dict(changed=True, peer_attachment=after, diff=dict(before={}, after=after))


def ensure_absent(module, deadline: Deadline) -> dict:
    params = module.params
    routers = api.list_transit_routers(module, params["cen_id"])
    router = _router(module, routers, params["transit_router_id"], module.region, "transit_router_id")
    peer = _router(module, routers, params["peer_transit_router_id"], params["peer_region"], "peer_transit_router_id")
    current = api.find_peer_attachment(module, params["cen_id"], router["TransitRouterId"], peer["TransitRouterId"]) if router and peer else None
    if current is None:
        return dict(changed=False, peer_attachment={})
    before = api.normalise_peer_attachment(current)
    attachment_id = current["TransitRouterAttachmentId"]
    changed = current.get("Status") != "Detaching"
    if module.check_mode:
        return dict(changed=changed, peer_attachment={}, diff=dict(before=before, after={}))
    if changed:
        if current.get("Status") != "Attached":
            wait_for(module, "peer_attachment_attached", deadline, cen_id=params["cen_id"], attachment_id=attachment_id)
        deadline.before_write("DeleteTransitRouterPeerAttachment %s" % attachment_id)
        changed = api.delete_peer_attachment(module, attachment_id)
    if params["wait"]:
        wait_for(module, "peer_attachment_deleted", deadline, cen_id=params["cen_id"], attachment_id=attachment_id)
    return dict(changed=changed, peer_attachment={}, diff=dict(before=before, after={}))


def main():
    argument_spec = dict(
        cen_id=dict(type="str", required=True),
        transit_router_id=dict(type="str"),
        peer_region=dict(type="str", required=True),
        peer_transit_router_id=dict(type="str"),
        bandwidth_type=dict(type="str", default="DataTransfer", choices=["DataTransfer", "BandwidthPackage"]),
        bandwidth=dict(type="int"),
        cen_bandwidth_package_id=dict(type="str"),
        link_type=dict(type="str", choices=["Platinum", "Gold", "Silver"]),
        name=dict(type="str"),
        description=dict(type="str"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=900),
    )
    module = AnsibleAlicloudModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        if not module.region:
            raise api.CenInputError("region: give the region of the local transit router")
        _check_input(module)
        deadline = Deadline(module.params["wait_timeout"])
        result = ensure_present(module, deadline) if module.params["state"] == "present" else ensure_absent(module, deadline)
    except AlicloudError as error:
        module.fail_json_api(error, msg="Failed to manage the connection of CEN %s between %s and %s"
                             % (module.params["cen_id"], module.region, module.params["peer_region"]))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
