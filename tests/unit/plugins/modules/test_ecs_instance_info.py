"""ecs_instance_info's main() against the twin with the real SDK: the ECS instance behind the covering route."""

from acr_twin import seed_ids as ids

from ansible_collections.alicloud.acr_access.plugins.modules.ecs_instance_info import main


def test_the_next_hop_by_id(run_module, twin_args, twin):
    result = run_module(main, twin_args(instance_ids=[ids.REGISTRY_ECS]))
    assert result["changed"] is False
    [instance] = result["instances"]
    assert (instance["instance_id"], instance["instance_name"], instance["status"]) == (ids.REGISTRY_ECS, "ecs1-hangzhou", "Running")
    assert (instance["region_id"], instance["vpc_id"], instance["vswitch_id"]) == (ids.REGISTRY_REGION, ids.REGISTRY_VPC, ids.REGISTRY_VSWITCH_J)
    assert instance["private_ip_addresses"] == [ids.REGISTRY_ECS_IP] and instance["operation_locks"] == []
    assert twin.counts() == {"DescribeInstances": 1} and twin.writes() == []


def test_by_vpc_by_name_and_all(run_module, twin_args, twin):
    assert [i["instance_id"] for i in run_module(main, twin_args(vpc_id=ids.REGISTRY_VPC))["instances"]] == [ids.REGISTRY_ECS]
    assert run_module(main, twin_args(vpc_id=ids.SOURCE_VPC))["instances"] == []  # a VPC of another region: none here
    assert [i["instance_id"] for i in run_module(main, twin_args(name="ecs2-shanghai", region=ids.SOURCE_REGION))["instances"]] == [ids.SOURCE_ECS]
    assert [i["instance_id"] for i in run_module(main, twin_args(region=ids.SOURCE_REGION))["instances"]] == [ids.SOURCE_ECS]


def test_more_instances_than_a_page(run_module, twin_args, twin):
    for number in range(150):
        twin.cloud.instances["i-bp1many%012d" % number] = dict(twin.cloud.instances[ids.REGISTRY_ECS], InstanceId="i-bp1many%012d" % number)
    result = run_module(main, twin_args(vpc_id=ids.REGISTRY_VPC))
    assert len(result["instances"]) == 151 and twin.counts() == {"DescribeInstances": 2}


def test_asked_for_but_missing_is_an_error_naming_it(run_module, twin_args, twin):
    result = run_module(main, twin_args(instance_ids=[ids.REGISTRY_ECS, "i-bp1nothere0000000001"]))
    assert result["failed"] is True and result["error"]["code"] == "InvalidInstanceId.NotFound"
    assert "i-bp1nothere0000000001" in result["msg"] and ids.REGISTRY_ECS not in result["msg"]
    # an instance of another region is not found in this one
    result = run_module(main, twin_args(instance_ids=[ids.SOURCE_ECS]))
    assert result["failed"] is True and ids.SOURCE_ECS in result["msg"] and "cn-hangzhou" in result["msg"]
    result = run_module(main, twin_args(name="no-such-instance"))
    assert result["failed"] is True and result["error"]["code"] == "InvalidInstanceName.NotFound"


def test_a_stopped_instance_is_returned_as_it_is(run_module, twin_args, twin):
    twin.cloud.instances[ids.REGISTRY_ECS]["Status"] = "Stopped"
    [instance] = run_module(main, twin_args(instance_ids=[ids.REGISTRY_ECS]))["instances"]
    assert instance["status"] == "Stopped"


def test_check_mode_reads_as_usual(run_module, twin_args, twin):
    result = run_module(main, twin_args(instance_ids=[ids.REGISTRY_ECS], _ansible_check_mode=True))
    assert [i["instance_id"] for i in result["instances"]] == [ids.REGISTRY_ECS] and twin.writes() == []


def test_the_region_is_required(run_module, twin_args, twin):
    result = run_module(main, twin_args(region=None, instance_ids=[ids.REGISTRY_ECS]))
    assert result["failed"] is True and result["msg"].startswith("region") and twin.calls() == []
