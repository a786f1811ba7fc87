import pytest

from ansible_collections.alicloud.acr_access.plugins.module_utils.common import camel_to_snake, dig, snake_dict, unwrap_list


@pytest.mark.parametrize("name, expected", [
    ("VpcId", "vpc_id"),
    ("VSwitchId", "vswitch_id"),
    ("VRouterId", "vrouter_id"),
    ("vSwitchId", "vswitch_id"),
    ("VswitchId", "vswitch_id"),
    ("SecondaryCidrBlocks", "secondary_cidr_blocks"),
    ("TransitRouterVPCAttachmentOptions", "transit_router_vpc_attachment_options"),
    ("EnabledIpv6", "enabled_ipv6"),
    ("Ipv6CidrBlock", "ipv6_cidr_block"),
    ("RouteEntrys", "route_entrys"),
    ("requestId", "request_id"),
    ("Status", "status"),
])
def test_camel_to_snake(name, expected):
    assert camel_to_snake(name) == expected


def test_snake_dict_converts_nested_keys_but_keeps_user_tag_keys():
    answer = {"VpcId": "vpc-1", "NextHops": {"NextHop": [{"NextHopId": "i-1"}]}, "Tags": {"MyTagKey": "Value"}}
    assert snake_dict(answer) == {"vpc_id": "vpc-1", "next_hops": {"next_hop": [{"next_hop_id": "i-1"}]}, "tags": {"MyTagKey": "Value"}}


@pytest.mark.parametrize("answer, expected", [
    ({"Vpcs": {"Vpc": [{"VpcId": "a"}, {"VpcId": "b"}]}}, [{"VpcId": "a"}, {"VpcId": "b"}]),
    ({"Vpcs": {"Vpc": {"VpcId": "a"}}}, [{"VpcId": "a"}]),
    ({"Vpcs": {}}, []),
    ({"Vpcs": None}, []),
    ({}, []),
])
def test_unwrap_list(answer, expected):
    assert unwrap_list(answer, "Vpcs", "Vpc") == expected


def test_dig_default_when_a_step_is_missing():
    assert dig({"A": {"B": 1}}, "A", "B") == 1
    assert dig({"A": {"B": 1}}, "A", "C", default="none") == "none"
    assert dig({"A": "text"}, "A", "B") is None


@pytest.mark.parametrize("name", ["VSwitchId", "VRouterId", "vSwitchId"])
def test_snake_dict_is_ours_because_ansibles_splits_the_v(name):
    """The reason common.snake_dict is not ansible's camel_dict_to_snake_dict (see its docstring)."""
    from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
    assert list(camel_dict_to_snake_dict({name: 1})) != list(snake_dict({name: 1}))
    assert list(snake_dict({name: 1}))[0] in ("vswitch_id", "vrouter_id")
