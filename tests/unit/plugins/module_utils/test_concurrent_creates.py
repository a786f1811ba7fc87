"""Two runs creating the same resource at once end with one (cen_instance, cen_transit_router, the VPC attachment), and a
lookup that finds several refuses loudly, naming them, for present and absent alike.

Each run is a manager as its module builds it, with its own module (SDK clients), in its own thread, against the twin with
the real SDK. The first create is throttled, so that the other run reads (nothing there) and creates while it backs off.
"""

import pytest

from ansible_collections.alicloud.acr_access.plugins.module_utils import cen as api
from ansible_collections.alicloud.acr_access.plugins.module_utils import resource
from ansible_collections.alicloud.acr_access.plugins.module_utils.cen_resources import CenManager, TransitRouterManager, VpcAttachmentManager
from ansible_collections.alicloud.acr_access.plugins.module_utils.errors import InputError
from ansible_collections.alicloud.acr_access.plugins.module_utils.waiter import Deadline
from acr_twin import seed_ids as ids

ZONES = [ids.REGISTRY_VSWITCH_J, ids.REGISTRY_VSWITCH_K]


def manager(make_module, twin_args, manager_class, **options):
    """A manager with its own module (its own SDK clients), options as its module takes them."""
    options = dict(dict(state="present", wait=True, wait_timeout=120, region="cn-hangzhou"), **options)
    return resource.step_manager(make_module(twin_args()), Deadline(120), manager_class, **options)


def both(first, second):
    """Run two managers at once; their results."""
    return resource.concurrently(first.ensure, second.ensure)


def live(items, going):
    return [item for item in items if item.get("Status") not in going]


@pytest.fixture
def cen(twin, twin_args, make_module):
    module = make_module(twin_args())
    cen_id = api.create_cen(module, "acr-access", None)
    twin.settle()
    return cen_id


@pytest.fixture
def router(twin, twin_args, make_module, cen):
    module = make_module(twin_args())
    router_id = api.create_transit_router(module, cen, "cn-hangzhou", None, None)
    twin.settle()
    return router_id


def test_two_runs_create_one_cen(twin, twin_args, make_module):
    twin.faults.force([{"action": "CreateCen", "kind": "throttle", "count": 1}])
    results = both(manager(make_module, twin_args, CenManager, name="acr-access"), manager(make_module, twin_args, CenManager, name="acr-access"))
    twin.settle()
    assert len(twin.cloud.cens) == 1, twin.cloud.cens
    [cen_id] = twin.cloud.cens
    assert [result["cen"]["cen_id"] for result in results] == [cen_id, cen_id]
    tokens = {call["params"]["ClientToken"] for call in twin.calls(action="CreateCen")}
    assert len(tokens) == 1  # derived from what identifies the CEN: the cloud answers both with one instance


def test_two_runs_create_one_transit_router(twin, twin_args, make_module, cen):
    twin.faults.force([{"action": "CreateTransitRouter", "kind": "throttle", "count": 1}])
    results = both(manager(make_module, twin_args, TransitRouterManager, cen_id=cen),
                   manager(make_module, twin_args, TransitRouterManager, cen_id=cen))
    twin.settle()
    assert len(twin.cloud.transit_routers) == 1
    [router_id] = twin.cloud.transit_routers
    assert [result["transit_router"]["transit_router_id"] for result in results] == [router_id, router_id]


def test_two_runs_create_one_vpc_attachment(twin, twin_args, make_module, cen, router):
    twin.faults.force([{"action": "CreateTransitRouterVpcAttachment", "kind": "throttle", "count": 1}])
    options = dict(cen_id=cen, vpc_id=ids.REGISTRY_VPC, vswitch_ids=ZONES, associate=True, propagate=True, allow_single_zone=False)
    results = both(manager(make_module, twin_args, VpcAttachmentManager, **options), manager(make_module, twin_args, VpcAttachmentManager, **options))
    twin.settle()
    attachments = [a for a in twin.cloud.tr_attachments.values() if a["ResourceType"] == "VPC"]
    assert len(attachments) == 1, [a["TransitRouterAttachmentId"] for a in attachments]
    attachment_id = attachments[0]["TransitRouterAttachmentId"]
    assert [result["attachment"]["transit_router_attachment_id"] for result in results] == [attachment_id, attachment_id]
    assert [result["attachment"]["association_status"] for result in results] == ["Active", "Active"]
    assert len(twin.cloud.tr_associations) == 1 and len(twin.cloud.tr_propagations) == 1


def test_two_runs_with_different_descriptions_still_end_with_one_cen(twin, twin_args, make_module):
    """Different create parameters, so different tokens: the re-read after the create finds the twin and the later one yields."""
    twin.faults.force([{"action": "CreateCen", "kind": "throttle", "count": 1}])
    results = both(manager(make_module, twin_args, CenManager, name="acr-access", description="one"),
                   manager(make_module, twin_args, CenManager, name="acr-access", description="two"))
    twin.settle()
    assert len(twin.cloud.cens) == 1, twin.cloud.cens
    [cen_id] = twin.cloud.cens
    assert [result["cen"]["cen_id"] for result in results] == [cen_id, cen_id]


def test_recreate_after_teardown_gets_a_new_cen(twin, twin_args, make_module):
    """The cloud may still answer a deleted CEN's id to the same derived token: the run notices and asks again."""
    first = manager(make_module, twin_args, CenManager, name="acr-access").ensure()["cen"]["cen_id"]
    manager(make_module, twin_args, CenManager, name="acr-access", state="absent").ensure()
    twin.settle()
    assert twin.cloud.cens == {}
    again = manager(make_module, twin_args, CenManager, name="acr-access").ensure()
    assert again["changed"] is True and again["cen"]["cen_id"] != first and again["cen"]["status"] == "Active"
    assert list(twin.cloud.cens) == [again["cen"]["cen_id"]]


@pytest.mark.parametrize("state", ["present", "absent"])
def test_several_cens_of_the_name_are_refused(twin, twin_args, make_module, state):
    module = make_module(twin_args())
    ids_ = sorted(api.create_cen(module, "twice", None, token) for token in ("a", "b"))
    twin.settle()
    since = twin.last_seq()
    with pytest.raises(InputError) as raised:
        manager(make_module, twin_args, CenManager, name="twice", state=state).ensure()
    assert all(cen_id in raised.value.message for cen_id in ids_) and "cen_id" in raised.value.message
    assert twin.writes(since) == []


@pytest.mark.parametrize("state", ["present", "absent"])
def test_several_transit_routers_in_a_region_are_refused(twin, twin_args, make_module, cen, router, state):
    copy = dict(twin.cloud.transit_routers[router], TransitRouterId="tr-bp1twinextra00000001")
    twin.cloud.transit_routers[copy["TransitRouterId"]] = copy  # as a cloud without the one-per-region rule could leave it
    since = twin.last_seq()
    with pytest.raises(InputError) as raised:
        manager(make_module, twin_args, TransitRouterManager, cen_id=cen, state=state).ensure()
    assert router in raised.value.message and copy["TransitRouterId"] in raised.value.message
    assert twin.writes(since) == []


@pytest.mark.parametrize("state", ["present", "absent"])
def test_several_attachments_of_a_vpc_are_refused(twin, twin_args, make_module, cen, router, state):
    module = make_module(twin_args())
    attachment_id = api.create_vpc_attachment(module, {"CenId": cen, "TransitRouterId": router, "RegionId": "cn-hangzhou"}, ids.REGISTRY_VPC,
                                              {"cn-hangzhou-j": ZONES[0], "cn-hangzhou-k": ZONES[1]}, None, None, False)
    twin.settle()
    copy = dict(twin.cloud.tr_attachments[attachment_id], TransitRouterAttachmentId="tr-attach-twinextra0000001")
    twin.cloud.tr_attachments[copy["TransitRouterAttachmentId"]] = copy
    since = twin.last_seq()
    with pytest.raises(InputError) as raised:
        manager(make_module, twin_args, VpcAttachmentManager, cen_id=cen, vpc_id=ids.REGISTRY_VPC, vswitch_ids=ZONES, state=state,
                associate=True, propagate=True).ensure()
    assert attachment_id in raised.value.message and copy["TransitRouterAttachmentId"] in raised.value.message
    assert twin.writes(since) == []
