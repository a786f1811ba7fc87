"""The pure route-entry helpers of module_utils/vpc_routes.py and route_publish.py: CIDRs, validation, the comparison with a table."""

import pytest

from ansible_collections.alicloud.acr_access.plugins.module_utils.route_publish import normalise_cidrs, plan_advertisement
from ansible_collections.alicloud.acr_access.plugins.module_utils.errors import InputError
from ansible_collections.alicloud.acr_access.plugins.module_utils.vpc_routes import (
    ROUTE_OWNER_MARKER, infer_next_hop_type, is_ours, mark_description, next_hop_of, normalise_cidr, plan_route_changes,
    user_description, validate_routes)

TABLE = "vtb-test"


@pytest.mark.parametrize("given, expected", [
    ("10.0.0.1", "10.0.0.1/32"),
    ("10.0.0.0/8", "10.0.0.0/8"),
    (" 100.103.7.181/32 ", "100.103.7.181/32"),
    ("0.0.0.0/0", "0.0.0.0/0"),
    ("2408:4000::1", "2408:4000::1/128"),
    ("2408:4000::/32", "2408:4000::/32"),
])
def test_normalise_cidr(given, expected):
    assert normalise_cidr(given) == expected


@pytest.mark.parametrize("given, message", [
    ("10.0.0.1/8", "10.0.0.1/8 has host bits set: the network is 10.0.0.0/8 (or use 10.0.0.1/32 for the single address)"),
    ("10.0.0.0/33", "is not a CIDR block"),
    ("", "is empty"),
    (None, "is empty"),
    ("example.com", "is not a CIDR block"),
])
def test_normalise_cidr_errors(given, message):
    with pytest.raises(InputError, match="x_field") as err:
        normalise_cidr(given, "x_field")
    assert message in str(err.value)


def test_owner_marker_round_trip():
    assert mark_description("registry") == "registry " + ROUTE_OWNER_MARKER
    assert mark_description(None) == ROUTE_OWNER_MARKER
    assert user_description(mark_description("registry")) == "registry"
    assert is_ours({"Description": mark_description("x")}) and not is_ours({"Description": "x"}) and not is_ours({})


def test_next_hop_from_either_shape():
    assert next_hop_of({"NextHops": {"NextHop": [{"NextHopType": "Instance", "NextHopId": "i-1"}]}}) == ("Instance", "i-1")
    assert next_hop_of({"NextHopType": "Attachment", "NextHopId": "tr-attach-1"}) == ("Attachment", "tr-attach-1")


def wanted(cidr, hop="i-1", hop_type="Instance", **extra):
    return dict(destination_cidr_block=cidr, next_hop_type=hop_type, next_hop_id=hop, **extra)


def entry(cidr, hop="i-1", hop_type="Instance", ours=True, kind="Custom", entry_id=None):
    return {"RouteEntryId": entry_id or "rte-" + cidr, "DestinationCidrBlock": cidr, "Type": kind,
            "Description": mark_description("") if ours else "by hand", "NextHops": {"NextHop": [{"NextHopType": hop_type, "NextHopId": hop}]}}


def test_validate_defaults_and_normalises():
    [route] = validate_routes([{"destination_cidr_block": "10.1.1.1", "next_hop_id": "i-1"}], "present")
    assert route == {"destination_cidr_block": "10.1.1.1/32", "next_hop_type": "Instance", "next_hop_id": "i-1", "name": None, "description": None}


@pytest.mark.parametrize("routes, state, message", [
    ([wanted("10.1.0.0/16"), wanted("10.1.0.0/16")], "present", "routes[1].destination_cidr_block: 10.1.0.0/16 is listed twice"),
    ([wanted("10.1.0.0/16", hop=None, hop_type="Attachment")], "present", "transit router VPC attachment"),
    ([wanted("10.1.0.0/16", description="x" * 250)], "present", "description is too long"),
])
def test_validate_errors(routes, state, message):
    with pytest.raises(InputError) as err:
        validate_routes(routes, state)
    assert message in str(err.value)


def test_absent_needs_no_next_hop():
    assert validate_routes([wanted("10.1.0.0/16", hop=None)], "absent")[0]["next_hop_id"] is None


@pytest.mark.parametrize("table, route, replace_foreign, action", [
    ([], wanted("10.1.0.0/16"), False, "created"),
    ([entry("10.1.0.0/16")], wanted("10.1.0.0/16"), False, "unchanged"),
    ([entry("10.1.0.0/16", ours=False)], wanted("10.1.0.0/16"), False, "unchanged"),
    ([entry("10.1.0.0/16", hop="i-2")], wanted("10.1.0.0/16"), False, "replaced"),
    ([entry("10.1.0.0/16", hop_type="Attachment", hop="tr-attach-1")], wanted("10.1.0.0/16"), False, "replaced"),
    ([entry("10.1.0.0/16", hop="i-2", ours=False)], wanted("10.1.0.0/16"), True, "replaced"),
    ([entry("10.2.0.0/16", hop="i-2", ours=False)], wanted("10.1.0.0/16"), False, "created"),
])
def test_plan_present(table, route, replace_foreign, action):
    [change] = plan_route_changes(table, [route], "present", TABLE, replace_foreign)
    assert change.action == action


def test_plan_present_conflicts_name_every_entry_and_the_fix():
    table = [entry("10.1.0.0/16", hop="i-2", ours=False, entry_id="rte-a"), entry("10.2.0.0/16", hop="i-3", ours=False, entry_id="rte-b"),
             entry("10.0.0.0/24", hop="", hop_type="local", kind="System", entry_id="rte-sys")]
    with pytest.raises(InputError) as err:
        plan_route_changes(table, [wanted("10.1.0.0/16"), wanted("10.2.0.0/16"), wanted("10.0.0.0/24")], "present", TABLE, False)
    text = str(err.value)
    assert "rte-a" in text and "i-2" in text and "rte-b" in text and "replace_foreign: true" in text and "remove that entry" in text
    assert "rte-sys" in text and "System route" in text


@pytest.mark.parametrize("table, route, action", [
    ([], wanted("10.1.0.0/16"), "absent"),
    ([entry("10.1.0.0/16")], wanted("10.1.0.0/16"), "deleted"),
    ([entry("10.1.0.0/16", hop="i-2")], wanted("10.1.0.0/16"), "deleted"),                 # ours: deleted whatever the hop
    ([entry("10.1.0.0/16", hop="i-2", ours=False)], wanted("10.1.0.0/16"), "absent"),      # foreign, elsewhere: kept
    ([entry("10.1.0.0/16", ours=False)], wanted("10.1.0.0/16"), "deleted"),                # foreign, same hop: deleted
    ([entry("10.1.0.0/16", hop="i-2")], wanted("10.1.0.0/16", hop=None), "deleted"),      # ours, no hop given: deleted
])
def test_plan_absent(table, route, action):
    [change] = plan_route_changes(table, [route], "absent", TABLE)
    assert change.action == action


def test_plan_absent_never_deletes_a_foreign_entry_without_its_next_hop():
    """Was "no hop given: delete whatever it is", which removed routes somebody else made."""
    table = [entry("10.9.0.0/16", ours=False), entry("10.1.0.0/16", hop="i-2", ours=False, entry_id="rte-foreign")]
    with pytest.raises(InputError) as err:
        plan_route_changes(table, [wanted("10.9.0.0/16"), wanted("10.1.0.0/16", hop=None)], "absent", TABLE)
    text = str(err.value)
    assert text.startswith("routes[1].next_hop_id: ") and "rte-foreign" in text and "next_hop_id: i-2 to remove it" in text


def test_plan_absent_names_the_shorthand_field():
    with pytest.raises(InputError, match=r"^next_hop_id: 10.1.0.0/16"):
        plan_route_changes([entry("10.1.0.0/16", ours=False)], [wanted("10.1.0.0/16", hop=None)], "absent", TABLE, prefix="")


@pytest.mark.parametrize("hop_id, hop_type", [
    ("i-bp1abc", "Instance"), ("tr-attach-uf6abc", "Attachment"), ("vpn-bp1abc", "VpnGateway"), ("ri-bp1abc", "RouterInterface"),
    ("havip-bp1abc", "HaVip"), ("eni-bp1abc", "NetworkInterface"), ("ngw-bp1abc", "NatGateway"),
])
def test_next_hop_type_is_inferred_from_the_id(hop_id, hop_type):
    assert infer_next_hop_type(hop_id) == hop_type
    [route] = validate_routes([{"destination_cidr_block": "10.1.0.0/16", "next_hop_id": hop_id}], "present")
    assert route["next_hop_type"] == hop_type


def test_given_next_hop_type_wins_over_the_prefix():
    [route] = validate_routes([{"destination_cidr_block": "10.1.0.0/16", "next_hop_id": "i-1", "next_hop_type": "HaVip"}], "present")
    assert route["next_hop_type"] == "HaVip"


def test_next_hop_type_that_cannot_be_inferred_is_an_error_naming_the_field():
    routes = [wanted("10.1.0.0/16"), {"destination_cidr_block": "10.2.0.0/16", "next_hop_id": "weird-1"}]
    with pytest.raises(InputError) as err:
        validate_routes(routes, "present")
    assert str(err.value).startswith("routes[1].next_hop_type is not given and cannot be inferred from next_hop_id weird-1")
    assert "Attachment" in str(err.value)


def test_shorthand_errors_name_the_option_the_user_set():
    with pytest.raises(InputError) as err:
        validate_routes([{"destination_cidr_block": "10.0.0.1/8", "next_hop_id": "i-1"}], "present", prefix="")
    assert str(err.value).startswith("destination_cidr_block 10.0.0.1/8 has host bits set")
    with pytest.raises(InputError, match=r"^next_hop_id is required"):
        validate_routes([{"destination_cidr_block": "10.0.0.0/8"}], "present", prefix="")


def test_plan_absent_refuses_system_routes():
    with pytest.raises(InputError, match="cannot be deleted"):
        plan_route_changes([entry("10.0.0.0/24", kind="System")], [wanted("10.0.0.0/24", hop=None)], "absent", TABLE)


def test_advertisement_plan():
    published = [{"DestinationCidrBlock": "100.0.0.0/8", "PublishStatus": "Published", "ChildInstanceRouteTableId": TABLE},
                 {"DestinationCidrBlock": "10.9.0.0/16", "PublishStatus": "NonPublished", "ChildInstanceRouteTableId": TABLE}]
    assert [a for _c, _i, a in plan_advertisement(published, ["100.0.0.0/8", "10.9.0.0/16"], "present", TABLE)] == ["unchanged", "published"]
    assert [a for _c, _i, a in plan_advertisement(published, ["100.0.0.0/8", "10.9.0.0/16", "10.8.0.0/16"], "absent", TABLE)] == [
        "withdrawn", "absent", "absent"]
    with pytest.raises(InputError, match="10.8.0.0/16 not in route table"):
        plan_advertisement(published, ["10.8.0.0/16"], "present", TABLE)


def test_normalise_cidrs_refuses_duplicates():
    assert normalise_cidrs(["100.0.0.0/8", "10.0.0.1"]) == ["100.0.0.0/8", "10.0.0.1/32"]
    with pytest.raises(InputError, match="listed twice"):
        normalise_cidrs(["10.0.0.1", "10.0.0.1/32"])


@pytest.mark.parametrize("state, table, route, prefix, field", [
    ("present", [entry("10.1.0.0/16", hop="i-2", ours=False)], wanted("10.1.0.0/16"), "routes[{index}].", "routes[0].destination_cidr_block"),
    ("present", [entry("10.1.0.0/16", hop="i-2", ours=False)], wanted("10.1.0.0/16"), "", "destination_cidr_block"),
    ("absent", [entry("10.0.0.0/24", hop="", hop_type="local", kind="System")], wanted("10.0.0.0/24"), "routes[{index}].",
     "routes[0].destination_cidr_block"),
    ("absent", [entry("10.1.0.0/16", ours=False)], wanted("10.1.0.0/16", hop=None), "routes[{index}].", "routes[0].next_hop_id"),
])
def test_every_conflict_starts_with_its_field(state, table, route, prefix, field):
    with pytest.raises(InputError) as err:
        plan_route_changes(table, [route], state, TABLE, prefix=prefix)
    assert str(err.value).startswith(field + ": 10.") and err.value.field == field


@pytest.mark.parametrize("routes, field", [
    ([wanted("10.0.0.1/8")], "routes[0].destination_cidr_block"),
    ([wanted("10.1.0.0/16"), wanted("10.1.0.0/16")], "routes[1].destination_cidr_block"),
    ([wanted("10.1.0.0/16", hop=None)], "routes[0].next_hop_id"),
    ([{"destination_cidr_block": "10.1.0.0/16", "next_hop_id": "weird-1"}], "routes[0].next_hop_type"),
    ([wanted("10.1.0.0/16", description="x" * 250)], "routes[0].description"),
])
def test_validation_errors_carry_their_field(routes, field):
    with pytest.raises(InputError) as err:
        validate_routes(routes, "present")
    assert err.value.field == field and str(err.value).startswith(field)
