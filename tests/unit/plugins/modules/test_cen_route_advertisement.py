"""cen_route_advertisement's main() against the twin: publish, wait, learned by the other region, withdraw, custom table refused."""

import pytest

from ansible_collections.alicloud.acr_access.plugins.module_utils.errors import AlicloudError
from ansible_collections.alicloud.acr_access.plugins.module_utils.route_publish import AdvertisementManager, learning_route_table, wait_learned
from ansible_collections.alicloud.acr_access.plugins.module_utils.waiter import Deadline
from ansible_collections.alicloud.acr_access.plugins.modules import vpc_route_entry
from ansible_collections.alicloud.acr_access.plugins.modules.cen_route_advertisement import main

HZ_VPC, HZ_TABLE, HZ_ECS = "vpc-bp1twin0000000000001", "vtb-bp1twin0000000000001", "i-bp1twin0000000000001"
SH_VPC = "vpc-uf6twin0000000000001"
HZ_ZONES = (("vsw-bp1twin00000000000j1", "cn-hangzhou-j"), ("vsw-bp1twin00000000000k1", "cn-hangzhou-k"))
SH_ZONES = (("vsw-uf6twin00000000000m1", "cn-shanghai-m"), ("vsw-uf6twin00000000000n1", "cn-shanghai-n"))
COVERING = "100.0.0.0/8"


def build_cen(sdk_client, sdk_models, twin):
    """The seed's inter-region connection (what cen_connect makes), through the SDK."""
    cbn, m = sdk_client("cbn"), sdk_models("cbn")

    def call(op, **fields):
        request = getattr(m, "".join(part.title() for part in op.split("_")) + "Request")(**fields)
        return getattr(cbn, op)(request).body

    ids = {"cen": call("create_cen", name="acr").cen_id}
    for key, region, vpc, zones in (("hz", "cn-hangzhou", HZ_VPC, HZ_ZONES), ("sh", "cn-shanghai", SH_VPC, SH_ZONES)):
        ids["tr_" + key] = call("create_transit_router", cen_id=ids["cen"], region_id=region).transit_router_id
        mappings = [m.CreateTransitRouterVpcAttachmentRequestZoneMappings(v_switch_id=v, zone_id=z) for v, z in zones]
        ids["att_" + key] = call("create_transit_router_vpc_attachment", transit_router_id=ids["tr_" + key], region_id=region, vpc_id=vpc,
                                 zone_mappings=mappings).transit_router_attachment_id
    call("create_transit_router_peer_attachment", cen_id=ids["cen"], transit_router_id=ids["tr_hz"], region_id="cn-hangzhou",
         peer_transit_router_id=ids["tr_sh"], peer_transit_router_region_id="cn-shanghai", bandwidth_type="DataTransfer", bandwidth=10)
    twin.settle()
    for key in ("hz", "sh"):
        tables = call("list_transit_router_route_tables", transit_router_id=ids["tr_" + key], transit_router_route_table_type="System")
        ids["rt_" + key] = tables.transit_router_route_tables[0].transit_router_route_table_id
        for op in ("associate_transit_router_attachment_with_route_table", "enable_transit_router_route_table_propagation"):
            call(op, transit_router_attachment_id=ids["att_" + key], transit_router_route_table_id=ids["rt_" + key])
    twin.settle()
    return ids


@pytest.fixture
def cen(sdk_client, sdk_models, twin, run_module, twin_args):
    """The connection plus the covering route 100.0.0.0/8 -> ECS in the Hangzhou system table."""
    ids = build_cen(sdk_client, sdk_models, twin)
    result = run_module(vpc_route_entry.main, twin_args(vpc_id=HZ_VPC, destination_cidr_block=COVERING, next_hop_id=HZ_ECS))
    assert result["routes"][0]["action"] == "created"
    return ids


def published_status(twin, cidr=COVERING):
    twin.settle()
    record = twin.cloud.published_routes.get("%s/%s/%s" % (HZ_VPC, HZ_TABLE, cidr))
    return record["PublishStatus"] if record else None


def test_publishes_waits_and_is_learned_in_the_other_region(run_module, twin_args, twin, cen):
    seq = twin.last_seq()
    result = run_module(main, twin_args(cen_id=cen["cen"], vpc_id=HZ_VPC, destination_cidr_blocks=["100.0.0.0/8"],
                                        learned_by={"transit_router_attachment_id": cen["att_sh"]}))
    assert result["changed"] is True and result["route_table_id"] == HZ_TABLE
    [entry] = result["entries"]
    assert (entry["destination_cidr_block"], entry["publish_status"], entry["action"], entry["next_hop_id"]) == (
        COVERING, "Published", "published", HZ_ECS)
    assert [c["action"] for c in twin.writes(since=seq)] == ["PublishRouteEntries"]
    assert published_status(twin) == "Published"
    learned = result["learned"]
    assert learned["transit_router_route_table_id"] == cen["rt_sh"] and learned["transit_router_id"] == cen["tr_sh"]
    assert [(r["destination_cidr_block"], r["status"], r["next_hop_resource_id"]) for r in learned["routes"]] == [
        (COVERING, "Active", cen["tr_hz"])]
    assert result["diff"] == {"before": {COVERING: "NonPublished"}, "after": {COVERING: "Published"}}


def test_second_run_is_unchanged_with_reads_only(run_module, twin_args, twin, cen):
    args = twin_args(cen_id=cen["cen"], vpc_id=HZ_VPC, destination_cidr_blocks=[COVERING])
    run_module(main, args)
    seq = twin.last_seq()
    result = run_module(main, args)
    assert result["changed"] is False and result["entries"][0]["action"] == "unchanged"
    assert twin.writes(since=seq) == []


def test_check_mode_predicts_without_writing(run_module, twin_args, twin, cen):
    seq = twin.last_seq()
    result = run_module(main, twin_args(cen_id=cen["cen"], vpc_id=HZ_VPC, destination_cidr_blocks=[COVERING], _ansible_check_mode=True))
    assert result["changed"] is True and result["entries"][0]["publish_status"] == "Published"
    assert twin.writes(since=seq) == [] and published_status(twin) is None


def test_withdraw_waits_until_not_published(run_module, twin_args, twin, cen):
    run_module(main, twin_args(cen_id=cen["cen"], vpc_id=HZ_VPC, destination_cidr_blocks=[COVERING]))
    result = run_module(main, twin_args(cen_id=cen["cen"], vpc_id=HZ_VPC, destination_cidr_blocks=[COVERING], state="absent"))
    assert result["changed"] is True
    assert (result["entries"][0]["action"], result["entries"][0]["publish_status"]) == ("withdrawn", "NonPublished")
    assert published_status(twin) is None
    again = run_module(main, twin_args(cen_id=cen["cen"], vpc_id=HZ_VPC, destination_cidr_blocks=[COVERING], state="absent"))
    assert again["changed"] is False and again["entries"][0]["action"] == "absent"


def test_publish_busy_is_retried(run_module, twin_args, twin, cen):
    twin.faults.force([{"action": "PublishRouteEntries", "kind": "busy", "code": "Operation.Blocking", "count": 1}])
    result = run_module(main, twin_args(cen_id=cen["cen"], vpc_id=HZ_VPC, destination_cidr_blocks=[COVERING]))
    assert result["entries"][0]["publish_status"] == "Published"
    assert [c["code"] for c in twin.calls(action="PublishRouteEntries")] == ["Operation.Blocking", None]


def test_custom_route_table_is_refused_before_any_write(run_module, twin_args, twin, cen, sdk_client, sdk_models):
    vpc, m = sdk_client("vpc"), sdk_models("vpc")
    custom = vpc.create_route_table(m.CreateRouteTableRequest(region_id="cn-hangzhou", vpc_id=HZ_VPC)).body.route_table_id
    twin.settle()
    seq = twin.last_seq()
    result = run_module(main, twin_args(cen_id=cen["cen"], vpc_id=HZ_VPC, route_table_id=custom, destination_cidr_blocks=[COVERING]))
    assert result["failed"] is True
    assert custom in result["msg"] and "custom route table" in result["msg"] and "system route table" in result["msg"]
    assert twin.writes(since=seq) == []


def test_missing_route_entry_is_an_error_naming_the_fix(run_module, twin_args, twin, cen):
    seq = twin.last_seq()
    result = run_module(main, twin_args(cen_id=cen["cen"], vpc_id=HZ_VPC, destination_cidr_blocks=["192.168.0.0/16"]))
    assert result["failed"] is True and "192.168.0.0/16 not in route table" in result["msg"] and "vpc_route_entry" in result["msg"]
    assert twin.writes(since=seq) == []


def test_bad_cidr_is_refused(run_module, twin_args, twin, cen):
    result = run_module(main, twin_args(cen_id=cen["cen"], vpc_id=HZ_VPC, destination_cidr_blocks=["100.1.0.0/8"]))
    assert result["failed"] is True and "host bits" in result["msg"]


def test_check_mode_predicts_a_route_an_earlier_task_would_create(run_module, twin_args, twin, cen):
    seq = twin.last_seq()
    result = run_module(main, twin_args(cen_id=cen["cen"], vpc_id=HZ_VPC, destination_cidr_blocks=["192.168.0.0/16"], _ansible_check_mode=True))
    assert "failed" not in result and result["entries"][0]["action"] == "published"
    assert any("192.168.0.0/16 not in route table" in str(warning) for warning in result["warnings"]), result["warnings"]
    assert twin.writes(since=seq) == []


# --- review fixes ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("learned_by, option", [
    ({"transit_router_attachment_id": "tr-attach-typo0000000001"}, "learned_by.transit_router_attachment_id"),
    ({"transit_router_route_table_id": "vtb-typo00000000000001"}, "learned_by.transit_router_route_table_id"),
])
def test_wrong_learned_by_fails_before_the_route_is_advertised(run_module, twin_args, twin, cen, learned_by, option):
    seq = twin.last_seq()
    result = run_module(main, twin_args(cen_id=cen["cen"], vpc_id=HZ_VPC, destination_cidr_blocks=[COVERING], learned_by=learned_by))
    assert result["failed"] is True and result["msg"].startswith(option) and "not found" in result["msg"]
    assert twin.writes(since=seq) == [] and published_status(twin) is None


def test_learned_by_a_route_table_id(run_module, twin_args, twin, cen):
    result = run_module(main, twin_args(cen_id=cen["cen"], vpc_id=HZ_VPC, destination_cidr_blocks=[COVERING],
                                        learned_by={"transit_router_route_table_id": cen["rt_sh"]}))
    assert (result["learned"]["transit_router_route_table_id"], result["learned"]["transit_router_id"]) == (cen["rt_sh"], cen["tr_sh"])
    assert [r["status"] for r in result["learned"]["routes"]] == ["Active"]


def test_several_destinations_learned_with_one_read(run_module, twin_args, twin, cen):
    run_module(vpc_route_entry.main, twin_args(vpc_id=HZ_VPC, destination_cidr_block="192.168.0.0/16", next_hop_id=HZ_ECS))
    since = twin.last_seq()
    result = run_module(main, twin_args(cen_id=cen["cen"], vpc_id=HZ_VPC, destination_cidr_blocks=["192.168.0.0/16", COVERING],
                                        learned_by={"transit_router_route_table_id": cen["rt_sh"]}))
    assert [(r["destination_cidr_block"], r["status"], r["next_hop_resource_id"]) for r in result["learned"]["routes"]] == [
        ("192.168.0.0/16", "Active", cen["tr_hz"]), (COVERING, "Active", cen["tr_hz"])]
    [read] = twin.calls(since=since, action="ListTransitRouterRouteEntries")  # published at once here, so learned at the first read
    assert read["params"]["RouteFilter.1.Key"] == "PrefixExactMatchCidrs"
    assert [read["params"]["RouteFilter.1.Value.%d" % n] for n in (1, 2)] == ["192.168.0.0/16", COVERING]


def jumps_after(twin, action):
    """A clock for a Deadline that is spent as soon as ``action`` has been sent."""
    return lambda: 10000.0 if twin.calls(action=action) else 0.0


# The options of cen_route_advertisement, with its defaults, for a manager built outside main().
SPEC = dict(cen_id=dict(type="str"), vpc_id=dict(type="str"), route_table_id=dict(type="str"), destination_cidr_blocks=dict(type="list", elements="str"),
            state=dict(type="str", default="present"), learned_by=dict(type="dict"), wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=300))


def advertisement(make_module, twin_args, cen, cidrs, deadline):
    """The manager of cen_route_advertisement for ``cidrs``, drawing on ``deadline``."""
    module = make_module(twin_args(cen_id=cen["cen"], vpc_id=HZ_VPC, destination_cidr_blocks=cidrs), argument_spec=SPEC)
    manager = AdvertisementManager(module)
    manager.deadline = deadline
    return manager


def test_no_publish_once_the_budget_is_spent(run_module, make_module, twin_args, twin, cen):
    """The first publication uses up the budget: the second is not sent (was: every write had at least 1 s)."""
    run_module(vpc_route_entry.main, twin_args(vpc_id=HZ_VPC, destination_cidr_block="192.168.0.0/16", next_hop_id=HZ_ECS))
    manager = advertisement(make_module, twin_args, cen, [COVERING, "192.168.0.0/16"], Deadline(300, clock=jumps_after(twin, "PublishRouteEntries")))
    with pytest.raises(AlicloudError) as err:
        manager.ensure()
    assert err.value.code == "WaiterTimeout" and "PublishRouteEntries (192.168.0.0/16" in str(err.value)
    assert [c["params"]["DestinationCidrBlock"] for c in twin.calls(action="PublishRouteEntries")] == [COVERING]


def test_learning_wait_gets_what_is_left_of_the_same_budget(make_module, twin_args, twin, cen, sdk_client, sdk_models):
    """Hangzhou's routes never reach Shanghai here; the budget is spent by the publication, so the learning wait reads once and stops."""
    cbn, m = sdk_client("cbn"), sdk_models("cbn")
    cbn.disable_transit_router_route_table_propagation(m.DisableTransitRouterRouteTablePropagationRequest(
        transit_router_attachment_id=cen["att_hz"], transit_router_route_table_id=cen["rt_hz"]))
    twin.settle()
    manager = advertisement(make_module, twin_args, cen, [COVERING], Deadline(300, clock=jumps_after(twin, "PublishRouteEntries")))
    table = learning_route_table(manager.module, {"transit_router_attachment_id": cen["att_sh"]})
    result = manager.ensure()
    assert result["entries"][0]["publish_status"] == "Published"
    seq = twin.last_seq()
    with pytest.raises(AlicloudError) as err:
        wait_learned(manager.module, table, [COVERING], manager.deadline)
    assert err.value.code == "WaiterTimeout"
    assert twin.counts(since=seq) == {"ListTransitRouterRouteEntries": 1}


def test_the_learning_wait_follows_the_advertisement_in_the_same_budget(make_module, twin_args, twin, cen):
    """learned_by through the manager: resolved first, waited for last, on the task's one Deadline."""
    module = make_module(twin_args(cen_id=cen["cen"], vpc_id=HZ_VPC, destination_cidr_blocks=[COVERING],
                                   learned_by={"transit_router_route_table_id": cen["rt_sh"]}), argument_spec=SPEC)
    manager = AdvertisementManager(module)
    result = manager.ensure()
    assert manager.learning == {"transit_router_id": cen["tr_sh"], "transit_router_route_table_id": cen["rt_sh"]}
    assert result["learned"]["routes"][0]["status"] == "Active" and manager.failure_values() == {"verb": "advertise"}
