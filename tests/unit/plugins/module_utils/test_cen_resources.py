"""module_utils/cen_resources.py: the steps of the CEN managers on their own (the modules' tests run the whole flows)."""

import pytest

from ansible_collections.alicloud.acr_access.plugins.module_utils import cen as api
from ansible_collections.alicloud.acr_access.plugins.module_utils.cen_resources import (
    CenManager, PeerAttachmentManager, TransitRouterManager, VpcAttachmentManager)
from ansible_collections.alicloud.acr_access.plugins.module_utils.errors import InputError

COMMON = dict(cen_id=dict(type="str"), name=dict(type="str"), description=dict(type="str"), state=dict(type="str", default="present"),
              wait=dict(type="bool", default=True), wait_timeout=dict(type="int", default=60))
PEER = dict(COMMON, transit_router_id=dict(type="str"), peer_region=dict(type="str"), peer_transit_router_id=dict(type="str"),
            bandwidth_type=dict(type="str", default="DataTransfer"), bandwidth=dict(type="int"), cen_bandwidth_package_id=dict(type="str"),
            link_type=dict(type="str"))
ATTACHMENT = dict(COMMON, transit_router_id=dict(type="str"), vpc_id=dict(type="str"), vswitch_ids=dict(type="list", elements="str"),
                  allow_single_zone=dict(type="bool", default=False), auto_publish_route=dict(type="bool"), associate=dict(type="bool", default=True),
                  propagate=dict(type="bool", default=True), route_table_id=dict(type="str"))


def test_cen_read_prefers_the_live_cen_and_remembers_the_deleting_ones(twin, twin_args, make_module):
    module = make_module(twin_args())
    old_id = api.create_cen(module, "acr", None)
    twin.settle()
    twin.cloud.cens[old_id]["Status"] = "Deleting"
    manager = CenManager(make_module(twin_args(name="acr"), argument_spec=COMMON))
    assert manager.read()["CenId"] == old_id and manager.going(manager.read()) and manager.settle(manager.read()) is None
    new_id = api.create_cen(module, "acr", None)
    twin.settle()
    assert manager.read()["CenId"] == new_id and [cen["CenId"] for cen in manager.deleting] == [old_id]
    assert manager.failure_values() == {"cen": "acr"}


def test_cen_planned_refuses_a_missing_id_or_name(twin, twin_args, make_module):
    manager = CenManager(make_module(twin_args(cen_id="cen-gone"), argument_spec=COMMON))
    manager.read()
    with pytest.raises(InputError, match="^cen_id: CEN instance cen-gone not found"):
        manager.planned()
    assert manager.failure_values() == {"cen": "cen-gone"}


@pytest.mark.parametrize("options, changes", [
    ({"name": "acr"}, {}),                                                # found by name: the name is not a rename
    ({"cen_id": "cen-1", "name": "new"}, {"Name": "new"}),
    ({"name": "acr", "description": "d"}, {"Description": "d"}),
    ({"name": "acr", "description": "old"}, {}),
])
def test_cen_changes(twin, twin_args, make_module, options, changes):
    manager = CenManager(make_module(twin_args(**options), argument_spec=COMMON))
    assert manager.changes({"CenId": "cen-1", "Name": "acr", "Description": "old"}) == changes


def test_transit_router_view_reads_the_system_table_once_and_never_for_a_planned_one(twin, twin_args, make_module):
    module = make_module(twin_args())
    cen_id = api.create_cen(module, "acr", None)
    twin.settle()
    manager = TransitRouterManager(make_module(twin_args(cen_id=cen_id), argument_spec=COMMON))
    assert manager.view(manager.planned())["system_route_table_id"] is None and twin.calls(action="ListTransitRouterRouteTables") == []
    api.create_transit_router(module, cen_id, "cn-hangzhou", None, None)
    twin.settle()
    router = manager.read()
    assert manager.view(router) == manager.view(router) and manager.view(router)["system_route_table_id"]
    assert len(twin.calls(action="ListTransitRouterRouteTables")) == 1


@pytest.mark.parametrize("options, changes", [
    ({"bandwidth": 10}, {}),
    ({"bandwidth": 20}, {"BandwidthType": "DataTransfer", "Bandwidth": 20}),
    ({"bandwidth": 10, "link_type": "Platinum"}, {"DefaultLinkType": "Platinum"}),
    ({"bandwidth": 10, "bandwidth_type": "BandwidthPackage", "cen_bandwidth_package_id": "cenbwp-1"},   # the settings go together
     {"BandwidthType": "BandwidthPackage", "Bandwidth": 10, "CenBandwidthPackageId": "cenbwp-1"}),
    ({"bandwidth": 10, "name": "hz-sh", "description": ""}, {"TransitRouterAttachmentName": "hz-sh"}),
])
def test_peer_changes(twin, twin_args, make_module, options, changes):
    manager = PeerAttachmentManager(make_module(twin_args(cen_id="cen-1", peer_region="cn-shanghai", **options), argument_spec=PEER))
    current = {"BandwidthType": "DataTransfer", "Bandwidth": 10, "DefaultLinkType": "Gold", "TransitRouterAttachmentName": "",
               "TransitRouterAttachmentDescription": ""}
    assert manager.changes(current) == changes


def test_vpc_attachment_changes_and_prediction(twin, twin_args, make_module):
    manager = VpcAttachmentManager(make_module(twin_args(cen_id="cen-1", vpc_id="vpc-1", vswitch_ids=["v1", "v3"], name="hz"),
                                               argument_spec=ATTACHMENT))
    manager.zones = {"z1": "v1", "z3": "v3"}
    current = {"TransitRouterAttachmentId": "tr-attach-1", "Status": "Attached", "TransitRouterAttachmentName": "",
               "ZoneMappings": [{"ZoneId": "z1", "VSwitchId": "v1"}, {"ZoneId": "z2", "VSwitchId": "v2"}]}
    changes = manager.changes(current)
    assert changes == {"add": {"z3": "v3"}, "remove": {"z2": "v2"}, "attributes": {"TransitRouterAttachmentName": "hz"}}
    predicted = manager.predict_update(current, changes)
    assert api.zones_of(predicted) == {"z1": "v1", "z3": "v3"} and predicted["TransitRouterAttachmentName"] == "hz"
    manager.zones = api.zones_of(predicted)
    assert manager.changes(predicted) == {}
    assert manager.view(None) == {} and manager.view(predicted)["association_status"] is None
