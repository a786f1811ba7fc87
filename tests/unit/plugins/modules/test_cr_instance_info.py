"""cr_instance_info's main() against the twin with the real SDK: lookup by id and exact name, endpoints, errors."""

import pytest

from ansible_collections.alicloud.acr_access.plugins.modules.cr_instance_info import main
from acr_twin import seed_ids as ids

INSTANCE = ids.INSTANCE_ID
REGISTRY_VPC_DOMAIN = ids.REGISTRY_DOMAIN
SEED_LINK = {"vpc_id": ids.REGISTRY_VPC, "vswitch_id": ids.REGISTRY_VSWITCH_J, "ip": "10.94.205.198",
             "status": "RUNNING", "default_access": False}


def add_instance(twin, instance_id, name, region="cn-hangzhou"):
    """A second instance, shaped as the fixture loader shapes them."""
    twin.cloud.cr_instances[instance_id] = dict(twin.cloud.cr_instances[INSTANCE], InstanceId=instance_id, InstanceName=name, RegionId=region,
                                                _vpc_domain="%s-registry-vpc.%s.cr.aliyuncs.com" % (name, region),
                                                _internet_domain="%s-registry.%s.cr.aliyuncs.com" % (name, region))


def test_by_id_returns_the_instance_and_its_endpoints(run_module, twin_args):
    result = run_module(main, twin_args(instance_id=INSTANCE))
    assert result["changed"] is False and "failed" not in result
    [instance] = result["instances"]
    assert (instance["instance_id"], instance["instance_name"], instance["region_id"]) == (INSTANCE, ids.INSTANCE_NAME, "cn-hangzhou")
    assert (instance["status"], instance["specification"]) == ("RUNNING", "Enterprise_Basic")
    registry = instance["endpoints"]["registry"]
    assert registry["vpc"] == {"enabled": True, "status": "RUNNING", "domains": [REGISTRY_VPC_DOMAIN], "linked_vpcs": [SEED_LINK]}
    assert registry["internet"] == {"enabled": False, "status": "STOPPED", "domains": ["acr-twin-registry.cn-hangzhou.cr.aliyuncs.com"]}
    chart = instance["endpoints"]["chart"]
    assert chart["vpc"]["domains"] == ["acr-twin-chart-vpc.cn-hangzhou.cr.aliyuncs.com"] and chart["vpc"]["linked_vpcs"] == []


def test_by_name_matches_exactly(run_module, twin_args, twin):
    add_instance(twin, "cri-twin0000000000002", "acr-twin-mirror")  # ListInstance's substring match returns both
    result = run_module(main, twin_args(instance_name=ids.INSTANCE_NAME))
    assert [i["instance_id"] for i in result["instances"]] == [INSTANCE]
    [list_call] = twin.calls(action="ListInstance")
    assert list_call["params"]["InstanceName"] == ids.INSTANCE_NAME


def test_without_id_or_name_every_instance_of_the_region(run_module, twin_args, twin):
    add_instance(twin, "cri-twin0000000000002", "acr-twin-mirror")
    add_instance(twin, "cri-twin0000000000003", "acr-shanghai", region="cn-shanghai")
    result = run_module(main, twin_args())
    assert sorted(i["instance_id"] for i in result["instances"]) == [INSTANCE, "cri-twin0000000000002"]
    shanghai = run_module(main, twin_args(region="cn-shanghai"))
    assert [i["instance_id"] for i in shanghai["instances"]] == ["cri-twin0000000000003"]


def test_internet_endpoint_when_enabled(run_module, twin_args, twin):
    twin.cloud.cr_instances[INSTANCE]["_internet_enabled"] = True
    [instance] = run_module(main, twin_args(instance_id=INSTANCE))["instances"]
    assert instance["endpoints"]["registry"]["internet"]["enabled"] is True
    assert instance["endpoints"]["registry"]["internet"]["status"] == "RUNNING"


def test_check_mode_reads_only(run_module, twin_args, twin):
    result = run_module(main, twin_args(instance_name=ids.INSTANCE_NAME, _ansible_check_mode=True))
    assert result["changed"] is False and len(result["instances"]) == 1
    assert twin.writes() == []
    assert twin.counts() == {"ListInstance": 1, "ListInstanceEndpoint": 2, "GetInstanceVpcEndpoint": 2}


@pytest.mark.parametrize("args, operation, words", [
    ({"instance_id": "cri-doesnotexist00001"}, "GetInstance", "the Container Registry instance cri-doesnotexist00001 does not exist in region cn-hangzhou"),
    ({"instance_name": "acr"}, "ListInstance", "no Container Registry instance is named 'acr' in region cn-hangzhou"),  # a substring only
    ({"instance_name": ids.INSTANCE_NAME, "region": "cn-shanghai"}, "ListInstance", "named 'acr-twin' in region cn-shanghai"),
])
def test_unknown_instance_is_a_clear_error(run_module, twin_args, args, operation, words):
    result = run_module(main, twin_args(**args))
    assert result["failed"] is True
    assert result["error"]["code"] == "INSTANCE_NOT_EXIST" and result["error"]["operation"] == operation
    assert result["error"]["request_id"]
    assert words in result["msg"]


def test_id_and_name_are_exclusive(run_module, twin_args, twin):
    result = run_module(main, twin_args(instance_id=INSTANCE, instance_name=ids.INSTANCE_NAME))
    assert result["failed"] is True and "mutually exclusive" in result["msg"]
    assert twin.calls() == []


@pytest.mark.parametrize("module_names, keys, reads", [
    (["Registry"], ["registry"], {"ListInstance": 1, "ListInstanceEndpoint": 1, "GetInstanceVpcEndpoint": 1}),
    (["Chart"], ["chart"], {"ListInstance": 1, "ListInstanceEndpoint": 1, "GetInstanceVpcEndpoint": 1}),
    (["Chart", "Registry"], ["registry", "chart"], {"ListInstance": 1, "ListInstanceEndpoint": 2, "GetInstanceVpcEndpoint": 2}),
    ([], [], {"ListInstance": 1}),
])
def test_module_names_reads_only_the_endpoints_asked_for(run_module, twin_args, twin, module_names, keys, reads):
    result = run_module(main, twin_args(instance_name=ids.INSTANCE_NAME, module_names=module_names))
    [instance] = result["instances"]
    assert list(instance["endpoints"]) == keys
    assert twin.counts() == reads
    assert [call["params"]["ModuleName"] for call in twin.calls(action="ListInstanceEndpoint")] == [name.title() for name in keys]
    if "registry" in keys:
        assert instance["endpoints"]["registry"]["vpc"]["linked_vpcs"] == [SEED_LINK]


def test_module_names_must_be_known(run_module, twin_args, twin):
    result = run_module(main, twin_args(instance_name=ids.INSTANCE_NAME, module_names=["Registry", "Charts"]))
    assert result["failed"] is True and "module_names" in result["msg"] and "Charts" in result["msg"]
    assert twin.calls() == []
