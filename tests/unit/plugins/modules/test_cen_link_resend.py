"""An association or route propagation asked for twice (its first answer lost, or another run got there first) converges:
"already linked to the wanted route table" is success; linked to another table is still an error."""

import pytest

from ansible_collections.alicloud.acr_access.plugins.module_utils import cen as api
from ansible_collections.alicloud.acr_access.plugins.modules.cen_transit_router_vpc_attachment import main
from acr_twin import seed_ids as ids

LINK_ACTIONS = {"association": "AssociateTransitRouterAttachmentWithRouteTable", "propagation": "EnableTransitRouterRouteTablePropagation"}


@pytest.fixture
def cen(twin, twin_args, make_module):
    """A CEN with an Active transit router in cn-hangzhou: {cen_id, router_id, table_id}."""
    module = make_module(twin_args())
    cen_id = api.create_cen(module, "acr-access", None)
    twin.settle()
    router_id = api.create_transit_router(module, cen_id, "cn-hangzhou", None, None)
    twin.settle()
    table_id = next(t["TransitRouterRouteTableId"] for t in api.list_route_tables(module, router_id) if t["TransitRouterRouteTableType"] == "System")
    return {"cen_id": cen_id, "router_id": router_id, "table_id": table_id}


def attach_args(twin_args, cen, **extra):
    return twin_args(cen_id=cen["cen_id"], vpc_id=ids.REGISTRY_VPC, vswitch_ids=[ids.REGISTRY_VSWITCH_J, ids.REGISTRY_VSWITCH_K], **extra)


def links(twin, collection):
    return {key: link["Status"] for key, link in getattr(twin.cloud, collection).items()}


@pytest.mark.parametrize("kind", ["association", "propagation"])
def test_link_whose_answer_is_lost_converges(run_module, twin_args, twin, cen, kind):
    twin.faults.force([{"action": LINK_ACTIONS[kind], "kind": "lost_response", "count": 1}])
    result = run_module(main, attach_args(twin_args, cen))
    assert "failed" not in result, result.get("msg")
    attachment = result["attachment"]
    assert (attachment["association_status"], attachment["propagation_status"]) == ("Active", "Active")
    sent = twin.calls(action=LINK_ACTIONS[kind])
    assert len(sent) == 2 and sent[0]["params"]["ClientToken"] == sent[1]["params"]["ClientToken"]  # the same request again
    key = "%s/%s" % (attachment["transit_router_attachment_id"], cen["table_id"])
    assert links(twin, "tr_associations") == {key: "Active"} and links(twin, "tr_propagations") == {key: "Active"}
    since = twin.last_seq()
    assert run_module(main, attach_args(twin_args, cen))["changed"] is False and twin.writes(since) == []


@pytest.mark.parametrize("kind", ["association", "propagation"])
def test_link_made_by_another_run_first_is_success(twin_args, twin, cen, make_module, kind):
    """Two runs each with their own ClientToken: the second finds the link made, to the table it wants."""
    module = make_module(twin_args())
    attachment_id = api.create_vpc_attachment(module, {"CenId": cen["cen_id"], "TransitRouterId": cen["router_id"], "RegionId": "cn-hangzhou"},
                                              ids.REGISTRY_VPC, {"cn-hangzhou-j": ids.REGISTRY_VSWITCH_J, "cn-hangzhou-k": ids.REGISTRY_VSWITCH_K},
                                              None, None, False)
    twin.settle()
    api.create_link(module, kind, attachment_id, cen["table_id"])
    api.create_link(module, kind, attachment_id, cen["table_id"])  # no AssociationExist / PropagationExist error
    tokens = [call["params"]["ClientToken"] for call in twin.calls(action=LINK_ACTIONS[kind])]
    assert len(tokens) == 2 and tokens[0] != tokens[1]


def test_association_with_another_table_is_still_an_error(twin_args, twin, cen, make_module):
    from ansible_collections.alicloud.acr_access.plugins.module_utils.errors import AlicloudError
    module = make_module(twin_args())
    attachment_id = api.create_vpc_attachment(module, {"CenId": cen["cen_id"], "TransitRouterId": cen["router_id"], "RegionId": "cn-hangzhou"},
                                              ids.REGISTRY_VPC, {"cn-hangzhou-j": ids.REGISTRY_VSWITCH_J, "cn-hangzhou-k": ids.REGISTRY_VSWITCH_K},
                                              None, None, False)
    twin.settle()
    custom = "vtb-bp1custom0000000000"
    twin.cloud.tr_route_tables[custom] = dict(twin.cloud.tr_route_tables[cen["table_id"]], TransitRouterRouteTableId=custom,
                                              TransitRouterRouteTableType="Custom")
    api.create_link(module, "association", attachment_id, custom)
    with pytest.raises(AlicloudError) as raised:
        api.create_link(module, "association", attachment_id, cen["table_id"])
    assert raised.value.code == "AssociationExist.TransitRouterTable"
