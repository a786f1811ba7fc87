"""CR 2018-12-01 of the twin, driven by the real alibabacloud_cr20181201 client."""

import time

import pytest
from alibabacloud_tea_openapi.exceptions import ClientException

from acr_twin.products import cr as cr_product
from acr_twin import seed_ids

INSTANCE = seed_ids.INSTANCE_ID
REGISTRY_DOMAIN = seed_ids.REGISTRY_DOMAIN
VPC_HZ = seed_ids.REGISTRY_VPC
VSW_HZ_J = seed_ids.REGISTRY_VSWITCH_J
VSW_HZ_K = seed_ids.REGISTRY_VSWITCH_K
VPC_SH = seed_ids.SOURCE_VPC
VSW_SH_M = seed_ids.SOURCE_VSWITCH_M
ROLE_ARN = "acs:ram::1234567890123456:role/acr-access"


@pytest.fixture
def cr(sdk_client):
    return sdk_client("cr")


@pytest.fixture
def models(sdk_models):
    return sdk_models("cr")


def add_vpc(twin, vpc_id, cidr, vsw_id, vsw_cidr, region="cn-hangzhou"):
    """An extra VPC with one vSwitch, straight into the twin's state (the VPC product is another file)."""
    cloud = twin.cloud
    cloud.vpcs[vpc_id] = {"VpcId": vpc_id, "RegionId": region, "CidrBlock": cidr, "Status": "Available"}
    cloud.vswitches[vsw_id] = {"VSwitchId": vsw_id, "VpcId": vpc_id, "RegionId": region, "CidrBlock": vsw_cidr, "Status": "Available"}


def link(cr, models, vpc_id, vswitch_id, instance_id=INSTANCE, **kwargs):
    request = models.CreateInstanceVpcEndpointLinkedVpcRequest(instance_id=instance_id, vpc_id=vpc_id, vswitch_id=vswitch_id,
                                                               module_name="Registry", **kwargs)
    return cr.create_instance_vpc_endpoint_linked_vpc(request).body


def unlink(cr, models, vpc_id, vswitch_id, instance_id=INSTANCE):
    request = models.DeleteInstanceVpcEndpointLinkedVpcRequest(instance_id=instance_id, vpc_id=vpc_id, vswitch_id=vswitch_id,
                                                               module_name="Registry")
    return cr.delete_instance_vpc_endpoint_linked_vpc(request).body


def vpc_endpoint(cr, models, instance_id=INSTANCE):
    return cr.get_instance_vpc_endpoint(models.GetInstanceVpcEndpointRequest(instance_id=instance_id, module_name="Registry")).body


def token(cr, models, **kwargs):
    return cr.get_authorization_token(models.GetAuthorizationTokenRequest(instance_id=INSTANCE, **kwargs)).body


# -- instances -------------------------------------------------------------------------------------

def test_get_instance_seed(cr, models):
    body = cr.get_instance(models.GetInstanceRequest(instance_id=INSTANCE)).body
    assert (body.code, body.is_success) == ("success", True)
    assert body.request_id
    assert body.instance_name == seed_ids.INSTANCE_NAME
    assert body.instance_status == "RUNNING"
    assert body.instance_specification == "Enterprise_Basic"
    assert isinstance(body.create_time, int) and body.create_time > 1.7e12
    assert body.resource_group_id.startswith("rg-")
    assert body.tags == []


def test_unknown_instance_is_a_200_failure(cr, models, twin):
    body = cr.get_instance(models.GetInstanceRequest(instance_id="cri-doesnotexist0001")).body
    assert (body.is_success, body.code) == (False, "INSTANCE_NOT_EXIST")
    assert twin.calls()[-1]["code"] == "INSTANCE_NOT_EXIST"
    assert twin.calls()[-1]["status"] == 200
    for result in (cr.list_instance_endpoint(models.ListInstanceEndpointRequest(instance_id="cri-nope")).body,
                   vpc_endpoint(cr, models, "cri-nope"),
                   cr.get_authorization_token(models.GetAuthorizationTokenRequest(instance_id="cri-nope")).body):
        assert (result.is_success, result.code) == (False, "INSTANCE_NOT_EXIST")


def test_missing_instance_id_is_a_400(cr, models):
    with pytest.raises(ClientException) as err:
        cr.get_instance(models.GetInstanceRequest())
    assert err.value.code == "MissingParameter" and "InstanceId" in err.value.message
    with pytest.raises(ClientException) as err:
        link(cr, models, vpc_id=None, vswitch_id=VSW_HZ_J)
    assert err.value.code == "MissingParameter" and "VpcId" in err.value.message


def add_instances(twin, count):
    for n in range(count):
        instance_id = "cri-extra%011d" % n
        twin.cloud.cr_instances[instance_id] = dict(twin.cloud.cr_instances[INSTANCE], InstanceId=instance_id,
                                                    InstanceName="extra-%02d" % n, RegionId="cn-shanghai" if n % 2 else "cn-hangzhou")


def test_list_instance_paging_and_regions(cr, models, twin):
    add_instances(twin, 4)
    first = cr.list_instance(models.ListInstanceRequest(page_no=1, page_size=2)).body
    second = cr.list_instance(models.ListInstanceRequest(page_no=2, page_size=2)).body
    third = cr.list_instance(models.ListInstanceRequest(page_no=3, page_size=2)).body
    assert first.total_count == 5 and (first.page_no, first.page_size) == (1, 2)
    ids = [i.instance_id for page in (first, second, third) for i in page.instances]
    assert len(ids) == len(set(ids)) == 5
    assert {i.region_id for page in (first, second, third) for i in page.instances} == {"cn-hangzhou", "cn-shanghai"}
    by_name = cr.list_instance(models.ListInstanceRequest(instance_name=seed_ids.INSTANCE_NAME)).body
    assert [i.instance_id for i in by_name.instances] == [INSTANCE]
    seed = by_name.instances[0]
    assert (seed.region_id, seed.instance_status, seed.instance_specification) == ("cn-hangzhou", "RUNNING", "Enterprise_Basic")
    assert cr.list_instance(models.ListInstanceRequest(instance_status="STOPPED")).body.total_count == 0
    with pytest.raises(ClientException) as err:
        cr.list_instance(models.ListInstanceRequest(page_size=0))
    assert err.value.code == "InvalidParameter"


# -- endpoints --------------------------------------------------------------------------------------

def test_list_instance_endpoint_seed(cr, models):
    body = cr.list_instance_endpoint(models.ListInstanceEndpointRequest(instance_id=INSTANCE, module_name="Registry")).body
    assert body.is_success
    endpoints = dict((e.endpoint_type, e) for e in body.endpoints)
    assert set(endpoints) == {"internet", "vpc"}
    vpc = endpoints["vpc"]
    assert vpc.enable is True and vpc.status == "RUNNING"
    assert [(d.domain, d.type) for d in vpc.domains] == [(REGISTRY_DOMAIN, "SYSTEM")]
    assert [v.vpc_id for v in vpc.linked_vpcs] == [VPC_HZ]
    internet = endpoints["internet"]
    assert internet.enable is False and internet.acl_enable is False
    assert internet.domains[0].domain == "acr-twin-registry.cn-hangzhou.cr.aliyuncs.com"


def test_internet_endpoint_toggle(cr, models):
    def get():
        request = models.GetInstanceEndpointRequest(instance_id=INSTANCE, endpoint_type="Internet", module_name="Registry")
        return cr.get_instance_endpoint(request).body

    assert get().enable is False
    body = cr.update_instance_endpoint_status(models.UpdateInstanceEndpointStatusRequest(
        instance_id=INSTANCE, endpoint_type="Internet", enable=True, module_name="Registry")).body
    assert (body.code, body.is_success) == ("success", True)
    after = get()
    assert after.enable is True and after.status == "RUNNING"
    assert after.domains[0].type == "SYSTEM"
    with pytest.raises(ClientException) as err:
        cr.update_instance_endpoint_status(models.UpdateInstanceEndpointStatusRequest(instance_id=INSTANCE, endpoint_type="Internet"))
    assert err.value.code == "MissingParameter" and "Enable" in err.value.message


def test_get_instance_vpc_endpoint_seed(cr, models):
    body = vpc_endpoint(cr, models)
    assert (body.code, body.is_success, body.enable, body.module_name) == ("success", True, True, "Registry")
    assert body.domains == [REGISTRY_DOMAIN]
    [seed] = body.linked_vpcs
    assert (seed.vpc_id, seed.vswitch_id, seed.ip, seed.status, seed.default_access) == (VPC_HZ, VSW_HZ_J, "10.94.205.198", "RUNNING", False)


# -- linked VPCs ------------------------------------------------------------------------------------

def test_link_goes_creating_then_running_with_ip_in_vswitch(cr, models, twin):
    add_vpc(twin, "vpc-bp1extra000000000001", "192.168.0.0/16", "vsw-bp1extra000000000001", "192.168.5.0/24")
    twin.set_time_scale(1000.0)  # 30 s -> 8 hours: stays CREATING until settled
    body = link(cr, models, "vpc-bp1extra000000000001", "vsw-bp1extra000000000001", enable_create_dnsrecord_in_pvzt=True)
    assert (body.code, body.is_success) == ("success", True)
    creating = [v for v in vpc_endpoint(cr, models).linked_vpcs if v.vpc_id == "vpc-bp1extra000000000001"]
    assert [v.status for v in creating] == ["CREATING"]
    twin.settle()
    running = [v for v in vpc_endpoint(cr, models).linked_vpcs if v.vpc_id == "vpc-bp1extra000000000001"][0]
    assert running.status == "RUNNING"
    assert running.vswitch_id == "vsw-bp1extra000000000001"
    address = running.ip
    assert address.startswith("192.168.5.") and address not in ("192.168.5.0", "192.168.5.255")
    assert cr_product.registry_addresses(twin.cloud, INSTANCE, vpc_id="vpc-bp1extra000000000001")["registry"] == (REGISTRY_DOMAIN, address)


def test_link_twice_and_unlink_twice_fail(cr, models, twin):
    twin.set_time_scale(0.0)
    again = link(cr, models, VPC_HZ, VSW_HZ_K)
    assert (again.is_success, again.code) == (False, "INSTANCE_ACCESS_ALREADY_EXIST")
    assert unlink(cr, models, VPC_HZ, VSW_HZ_J).is_success is True
    gone = vpc_endpoint(cr, models)  # time scale 0: the deletion completes at this request
    assert gone.linked_vpcs == [] and gone.enable is False
    second = unlink(cr, models, VPC_HZ, VSW_HZ_J)
    assert (second.is_success, second.code) == (False, "INSTANCE_ACCESS_NOT_EXIST")
    assert link(cr, models, VPC_HZ, VSW_HZ_K).is_success is True
    [relinked] = vpc_endpoint(cr, models).linked_vpcs
    assert (relinked.vswitch_id, relinked.status) == (VSW_HZ_K, "RUNNING")
    assert relinked.ip.startswith("10.0.1.")
    assert [c["code"] for c in twin.calls(action="DeleteInstanceVpcEndpointLinkedVpc")] == [None, "INSTANCE_ACCESS_NOT_EXIST"]


def test_unlink_with_wrong_vswitch_is_not_found(cr, models):
    body = unlink(cr, models, VPC_HZ, VSW_HZ_K)
    assert (body.is_success, body.code) == (False, "INSTANCE_ACCESS_NOT_EXIST")
    assert vpc_endpoint(cr, models).linked_vpcs[0].status == "RUNNING"


def test_link_quota(cr, models, twin):
    for n in (2, 3):
        add_vpc(twin, "vpc-bp1quota00000000000%d" % n, "10.%d.0.0/16" % (10 + n), "vsw-bp1quota00000000000%d" % n, "10.%d.0.0/24" % (10 + n))
        assert link(cr, models, "vpc-bp1quota00000000000%d" % n, "vsw-bp1quota00000000000%d" % n).is_success is True
    add_vpc(twin, "vpc-bp1quota000000000004", "10.14.0.0/16", "vsw-bp1quota000000000004", "10.14.0.0/24")
    body = link(cr, models, "vpc-bp1quota000000000004", "vsw-bp1quota000000000004")
    assert (body.is_success, body.code) == (False, "INSTANCE_ACCESS_QUOTA_EXCEED")
    assert twin.calls()[-1]["code"] == "INSTANCE_ACCESS_QUOTA_EXCEED"
    assert len(vpc_endpoint(cr, models).linked_vpcs) == 3


def test_link_validation(cr, models, twin):
    cross_region = link(cr, models, VPC_SH, VSW_SH_M)
    assert (cross_region.is_success, cross_region.code) == (False, "VPC_NOT_EXIST")
    assert link(cr, models, "vpc-bp1nothere0000000001", VSW_HZ_J).code == "VPC_NOT_EXIST"
    add_vpc(twin, "vpc-bp1other000000000001", "10.20.0.0/16", "vsw-bp1other000000000001", "10.20.0.0/24")
    assert link(cr, models, "vpc-bp1other000000000001", VSW_HZ_J).code == "VSWITCH_NOT_EXIST"
    assert link(cr, models, VPC_HZ, VSW_HZ_J, instance_id="cri-nothere").code == "INSTANCE_NOT_EXIST"
    with pytest.raises(ClientException) as err:
        cr.create_instance_vpc_endpoint_linked_vpc(models.CreateInstanceVpcEndpointLinkedVpcRequest(
            instance_id=INSTANCE, vpc_id=VPC_HZ, vswitch_id=VSW_HZ_J, module_name="Helm"))
    assert err.value.code == "InvalidParameter"


def test_link_needs_a_running_instance(cr, models, twin):
    twin.cloud.cr_instances[INSTANCE]["InstanceStatus"] = "STOPPED"
    add_vpc(twin, "vpc-bp1other000000000001", "10.20.0.0/16", "vsw-bp1other000000000001", "10.20.0.0/24")
    body = link(cr, models, "vpc-bp1other000000000001", "vsw-bp1other000000000001")
    assert (body.is_success, body.code) == (False, "INSTANCE_STATUS_NOT_SUPPORT")


# -- authorization tokens ----------------------------------------------------------------------------

def test_token_and_valid_token(cr, models, twin):
    before = time.time()
    body = token(cr, models, expires_in_hours=2)
    assert (body.code, body.is_success) == ("success", True)
    assert body.temp_username and body.authorization_token
    assert before + 2 * 3600 - 5 <= body.expire_time / 1000.0 <= time.time() + 2 * 3600 + 5
    cloud = twin.cloud
    assert cr_product.valid_token(cloud, INSTANCE, body.temp_username, body.authorization_token)
    assert not cr_product.valid_token(cloud, INSTANCE, body.temp_username, body.authorization_token + "x")
    assert not cr_product.valid_token(cloud, INSTANCE, "someone-else", body.authorization_token)
    assert not cr_product.valid_token(cloud, "cri-other", body.temp_username, body.authorization_token)
    after_expiry = body.expire_time / 1000.0 + 1
    assert not cr_product.valid_token(cloud, INSTANCE, body.temp_username, body.authorization_token, now=after_expiry)
    assert body.authorization_token not in str(twin.cloud.dump())


def test_token_default_one_hour_and_range(cr, models):
    body = token(cr, models)
    assert abs(body.expire_time / 1000.0 - (time.time() + 3600)) < 10
    for hours in (0, 25):
        with pytest.raises(ClientException) as err:
            token(cr, models, expires_in_hours=hours)
        assert err.value.code == "InvalidParameter"


def test_token_never_outlives_sts_credentials(sdk_client, sdk_models, twin):
    sts = sdk_client("sts")
    creds = sts.assume_role(sdk_models("sts").AssumeRoleRequest(role_arn=ROLE_ARN, role_session_name="pytest",
                                                                duration_seconds=900)).body.credentials
    cr = sdk_client("cr", access_key_id=creds.access_key_id, access_key_secret=creds.access_key_secret,
                    security_token=creds.security_token)
    body = cr.get_authorization_token(sdk_models("cr").GetAuthorizationTokenRequest(instance_id=INSTANCE, expires_in_hours=24)).body
    assert body.is_success
    # Capped at the STS credentials' 900 s, not the 24 hours asked for.
    assert abs(body.expire_time / 1000.0 - (time.time() + 900)) < 30
    assert cr_product.valid_token(twin.cloud, INSTANCE, body.temp_username, body.authorization_token)
    assert not cr_product.valid_token(twin.cloud, INSTANCE, body.temp_username, body.authorization_token, now=time.time() + 1000)
    assert cr_product.token_expiry_ms(24, caller_expiry=1000.0, now=0.0) == 1000000
    assert cr_product.token_expiry_ms(1, caller_expiry=None, now=0.0) == 3600000


# -- sync rules and storage routing ------------------------------------------------------------------

def test_repo_sync_rules(cr, models, twin):
    add_instances(twin, 2)  # cri-extra00000000001 is in cn-shanghai
    request = models.CreateRepoSyncRuleRequest(
        instance_id=INSTANCE, sync_rule_name="to-shanghai", sync_scope="NAMESPACE", namespace_name="team",
        target_instance_id="cri-extra00000000001", target_region_id="cn-shanghai", target_namespace_name="team", tag_filter=".*")
    created = cr.create_repo_sync_rule(request).body
    assert (created.code, created.is_success) == ("success", True) and created.sync_rule_id
    listed = cr.list_repo_sync_rule(models.ListRepoSyncRuleRequest(instance_id=INSTANCE, page_no=1, page_size=10)).body
    assert listed.total_count == 1
    [rule] = listed.sync_rules
    assert (rule.sync_rule_id, rule.local_region_id, rule.target_region_id, rule.sync_scope, rule.sync_trigger, rule.priority) == (
        created.sync_rule_id, "cn-hangzhou", "cn-shanghai", "NAMESPACE", "PASSIVE", 3)
    wrong_region = models.CreateRepoSyncRuleRequest(
        instance_id=INSTANCE, sync_rule_name="bad", sync_scope="INSTANCE", target_instance_id="cri-extra00000000001",
        target_region_id="cn-beijing", tag_filter=".*")
    assert cr.create_repo_sync_rule(wrong_region).body.code == "INSTANCE_NOT_EXIST"
    with pytest.raises(ClientException) as err:
        cr.create_repo_sync_rule(models.CreateRepoSyncRuleRequest(
            instance_id=INSTANCE, sync_rule_name="x", sync_scope="REPO", target_instance_id="cri-extra00000000001",
            target_region_id="cn-shanghai", tag_filter=".*", namespace_name="team"))
    assert err.value.code == "MissingParameter"
    deleted = cr.delete_repo_sync_rule(models.DeleteRepoSyncRuleRequest(instance_id=INSTANCE, sync_rule_id=created.sync_rule_id)).body
    assert deleted.is_success
    assert cr.list_repo_sync_rule(models.ListRepoSyncRuleRequest(instance_id=INSTANCE)).body.total_count == 0


def test_storage_domain_routing_rule(cr, models):
    routes = [models.RouteItem(endpoint_type="Internet", instance_domain=REGISTRY_DOMAIN,
                               storage_domain="bucket.oss-cn-hangzhou-internal.aliyuncs.com")]
    created = cr.create_storage_domain_routing_rule(models.CreateStorageDomainRoutingRuleRequest(instance_id=INSTANCE, routes=routes)).body
    assert (created.code, created.success) == ("success", True) and created.rule_id
    got = cr.get_storage_domain_routing_rule(models.GetStorageDomainRoutingRuleRequest(instance_id=INSTANCE, rule_id=created.rule_id)).body
    assert got.success and got.rule_id == created.rule_id and isinstance(got.create_time, int)
    assert [(r.endpoint_type, r.instance_domain, r.storage_domain) for r in got.routes] == [
        ("Internet", REGISTRY_DOMAIN, "bucket.oss-cn-hangzhou-internal.aliyuncs.com")]
    second = cr.create_storage_domain_routing_rule(models.CreateStorageDomainRoutingRuleRequest(instance_id=INSTANCE, routes=routes)).body
    assert (second.success, second.code) == (False, "STORAGE_DOMAIN_ROUTING_RULE_ALREADY_EXIST")
    with pytest.raises(ClientException) as err:
        cr.create_storage_domain_routing_rule(models.CreateStorageDomainRoutingRuleRequest(
            instance_id=INSTANCE, routes=[models.RouteItem(endpoint_type="Internet")]))
    assert err.value.code == "InvalidParameter"
    assert cr.delete_storage_domain_routing_rule(models.DeleteStorageDomainRoutingRuleRequest(
        instance_id=INSTANCE, rule_id=created.rule_id)).body.success
    missing = cr.get_storage_domain_routing_rule(models.GetStorageDomainRoutingRuleRequest(instance_id=INSTANCE)).body
    assert (missing.success, missing.code) == (False, "STORAGE_DOMAIN_ROUTING_RULE_NOT_EXIST")


# -- data for the network twin -----------------------------------------------------------------------

def test_registry_addresses_seed(twin):
    assert cr_product.registry_addresses(twin.cloud, INSTANCE) == {
        "registry": (REGISTRY_DOMAIN, "10.94.205.198"),
        "auth": (seed_ids.AUTH_DOMAIN, "100.103.7.181", False),
        "oss": (seed_ids.OSS_DOMAIN, "100.118.28.43"),
    }
