"""The twin's ClientToken memory: the first answer again for the same request, a mismatch for other parameters, and
tokens that expire (so a deleted resource's id is not answered for ever)."""

import pytest
from alibabacloud_tea_openapi.exceptions import ClientException


def create_cen(sdk_client, sdk_models, token, name="acr-access", description=None):
    request = sdk_models("cbn").CreateCenRequest(name=name, description=description, client_token=token)
    return sdk_client("cbn").create_cen(request).body.cen_id


def test_same_token_same_parameters_answers_the_first_cen(twin, sdk_client, sdk_models):
    first = create_cen(sdk_client, sdk_models, "t-1")
    assert create_cen(sdk_client, sdk_models, "t-1") == first and list(twin.cloud.cens) == [first]


def test_same_token_other_parameters_is_a_mismatch(twin, sdk_client, sdk_models):
    create_cen(sdk_client, sdk_models, "t-1", description="one")
    with pytest.raises(ClientException) as raised:
        create_cen(sdk_client, sdk_models, "t-1", description="two")
    assert raised.value.code == "IdempotentParameterMismatch" and len(twin.cloud.cens) == 1


def test_a_token_answers_a_deleted_cen_until_it_expires(twin, sdk_client, sdk_models):
    first = create_cen(sdk_client, sdk_models, "t-1")
    twin.settle()
    sdk_client("cbn").delete_cen(sdk_models("cbn").DeleteCenRequest(cen_id=first))
    twin.settle()
    assert twin.cloud.cens == {} and create_cen(sdk_client, sdk_models, "t-1") == first  # remembered, though gone
    twin.cloud.token_ttl = 0.0
    second = create_cen(sdk_client, sdk_models, "t-1")
    assert second != first and list(twin.cloud.cens) == [second]


def test_association_takes_a_client_token(twin, sdk_client, sdk_models):
    """AssociateTransitRouterAttachmentWithRouteTable / EnableTransitRouterRouteTablePropagation list ClientToken (API reference):
    the same request again gets the first answer instead of AssociationExist."""
    from acr_twin import seed_ids as ids
    cbn, m = sdk_client("cbn"), sdk_models("cbn")
    cen_id = create_cen(sdk_client, sdk_models, "t-1")
    twin.settle()
    router_id = cbn.create_transit_router(m.CreateTransitRouterRequest(cen_id=cen_id, region_id="cn-hangzhou")).body.transit_router_id
    twin.settle()
    zones = [m.CreateTransitRouterVpcAttachmentRequestZoneMappings(v_switch_id=ids.REGISTRY_VSWITCH_J, zone_id="cn-hangzhou-j")]
    attachment_id = cbn.create_transit_router_vpc_attachment(m.CreateTransitRouterVpcAttachmentRequest(
        cen_id=cen_id, transit_router_id=router_id, region_id="cn-hangzhou", vpc_id=ids.REGISTRY_VPC, zone_mappings=zones)).body.transit_router_attachment_id
    twin.settle()
    table_id = next(t["TransitRouterRouteTableId"] for t in twin.cloud.tr_route_tables.values() if t["TransitRouterId"] == router_id)
    for request_class, action in ((m.AssociateTransitRouterAttachmentWithRouteTableRequest, cbn.associate_transit_router_attachment_with_route_table),
                                  (m.EnableTransitRouterRouteTablePropagationRequest, cbn.enable_transit_router_route_table_propagation)):
        request = request_class(transit_router_attachment_id=attachment_id, transit_router_route_table_id=table_id, client_token="link-1")
        action(request)
        action(request)  # no error
        with pytest.raises(ClientException):
            action(request_class(transit_router_attachment_id=attachment_id, transit_router_route_table_id=table_id, client_token="link-2"))
    assert len(twin.cloud.tr_associations) == 1 and len(twin.cloud.tr_propagations) == 1
