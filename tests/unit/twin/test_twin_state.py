"""The twin's state: fixtures from files, scaled time, idempotency, paging."""

import json
import os

import pytest

from acr_twin.errors import ApiError
from acr_twin.fixtures import SEED, FixtureError, build_cloud
from acr_twin.params import Params
from acr_twin.state import Cloud, page_by_number, page_by_token
from acr_twin import seed_ids as ids

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "twin", "fixtures")


def test_seed_topology():
    cloud = build_cloud("seed")
    assert cloud.regions == {"cn-hangzhou", "cn-shanghai"}
    hz = cloud.vpcs[ids.REGISTRY_VPC]
    assert hz["CidrBlock"] == "10.0.0.0/16" and hz["RegionId"] == "cn-hangzhou"
    zones = sorted(v["ZoneId"] for v in cloud.vswitches.values() if v["VpcId"] == hz["VpcId"])
    assert zones == ["cn-hangzhou-j", "cn-hangzhou-k"]
    assert cloud.instances[ids.REGISTRY_ECS]["PrivateIpAddress"] == "10.0.0.1"
    system = sorted(e["DestinationCidrBlock"] for e in cloud.route_entries.values() if e["RouteTableId"] == ids.REGISTRY_ROUTE_TABLE)
    assert system == ["10.0.0.0/24", "10.0.1.0/24", "100.64.0.0/10"]
    link = cloud.cr_linked_vpcs["cri-twin0000000000001/vpc-bp1twin0000000000001"]
    assert link["Ip"] == "10.94.205.198"
    registry = cloud.cr_instances[ids.INSTANCE_ID]
    assert registry["_vpc_domain"] == ids.REGISTRY_DOMAIN
    assert (registry["_auth_ip"], registry["_oss_ip"]) == ("100.103.7.181", "100.118.28.43")


def test_fixture_from_yaml_and_json(tmp_path):
    cloud = build_cloud(os.path.join(FIXTURES, "registry-vpc-100-64.yml"))
    assert cloud.vpcs["vpc-bp1twin0000000000064"]["CidrBlock"] == "100.64.0.0/16"
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(SEED))
    assert sorted(build_cloud(str(path)).vpcs) == sorted(build_cloud("seed").vpcs)


def test_fixture_errors(tmp_path):
    with pytest.raises(FixtureError, match="no such file"):
        build_cloud(str(tmp_path / "missing.yml"))
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"regions": [{"region": "cn-hangzhou", "vpcs": [{"id": "vpc-x"}]}]}))
    with pytest.raises(FixtureError, match="cidr_block"):
        build_cloud(str(path))


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_later_runs_when_scaled_delay_passed():
    clock = FakeClock()
    cloud = Cloud(time_scale=0.5, clock=clock)
    done = []
    cloud.later(10, lambda: done.append("b"))
    cloud.later(2, lambda: done.append("a"))
    clock.now += 0.9
    cloud.run_due()
    assert done == []
    clock.now += 0.2  # 1.1 s > 2 s * 0.5
    cloud.run_due()
    assert done == ["a"]
    cloud.settle()
    assert done == ["a", "b"] and cloud.pending_tasks() == 0


def test_time_scale_zero_is_next_request():
    cloud = Cloud(time_scale=0)
    done = []
    cloud.later(3600, lambda: done.append(1))
    cloud.run_due()
    assert done == [1]


def test_idempotent_client_token():
    cloud = Cloud()
    made = []

    def create():
        made.append(1)
        return {"Id": len(made)}

    p = Params({"ClientToken": "t-1"}, "CreateThing", "vpc")
    assert cloud.idempotent(p, create) == {"Id": 1}
    assert cloud.idempotent(p, create) == {"Id": 1}
    assert cloud.idempotent(Params({"ClientToken": "t-2"}, "CreateThing", "vpc"), create) == {"Id": 2}
    assert cloud.idempotent(Params({}, "CreateThing", "vpc"), create) == {"Id": 3}


def test_paging_helpers():
    items = list(range(25))
    page, meta = page_by_number(items, Params({"PageSize": "10", "PageNumber": "3"}, "X", "vpc"))
    assert page == [20, 21, 22, 23, 24] and meta == {"PageNumber": 3, "PageSize": 10, "TotalCount": 25}
    page, token = page_by_token(items, Params({"MaxResults": "20"}, "X", "cbn"))
    assert page == list(range(20)) and token
    page, token = page_by_token(items, Params({"MaxResults": "20", "NextToken": token}, "X", "cbn"))
    assert page == list(range(20, 25)) and token == ""
    with pytest.raises(ApiError) as err:
        page_by_token(items, Params({"NextToken": "bogus"}, "X", "cbn"))
    assert err.value.code == "InvalidNextToken"
    with pytest.raises(ApiError):
        page_by_number(items, Params({"PageSize": "500"}, "X", "vpc"))


def test_params_lists_and_filters():
    p = Params({"ZoneMappings.2.VSwitchId": "vsw-b", "ZoneMappings.1.VSwitchId": "vsw-a", "ZoneMappings.1.ZoneId": "z1",
                "Filter.1.Key": "CenId", "Filter.1.Value.1": "cen-1", "Filter.1.Value.2": "cen-2", "Tag.1": "x"}, "X", "cbn")
    assert p.list("ZoneMappings", ["VSwitchId", "ZoneId"]) == [{"VSwitchId": "vsw-a", "ZoneId": "z1"}, {"VSwitchId": "vsw-b", "ZoneId": None}]
    assert p.filters() == {"CenId": ["cen-1", "cen-2"]}
    assert p.str_list("Tag") == ["x"]
    with pytest.raises(ApiError) as err:
        p.required("RegionId")
    assert err.value.code == "MissingParameter" and "RegionId" in err.value.message
    with pytest.raises(ApiError):
        Params({"DryRun": "maybe"}, "X", "vpc").dry_run()
