"""diagnosis.diagnose: facts in, findings out, in procedure order - a table of setups, each missing one piece."""

import copy

import pytest

from ansible_collections.alicloud.acr_access.plugins.module_utils import diagnosis

HZ, SH = "vpc-bp1example00000000001", "vpc-uf6example00000000001"
HZ_TABLE, SH_TABLE = "vtb-bp1example00000000001", "vtb-uf6example00000000001"
HZ_ATT, SH_ATT = "tr-attach-example0000000000a", "tr-attach-example0000000000b"
HZ_TR_TABLE, SH_TR_TABLE = "vtb-bp1example00000000002", "vtb-uf6example00000000002"
ECS = "i-bp1example000000001"
REGISTRY_IP, AUTH_IP, OSS_IP = "10.0.5.198", "100.103.7.181", "100.118.28.50"
OSS_RANGES = ["100.114.102.0/24", "100.118.28.0/24", "100.118.31.0/24", "100.98.170.0/24"]


def _entry(cidr, hop):
    return {"destination_cidr_block": cidr, "type": "Custom", "next_hops": [{"next_hop_type": "X", "next_hop_id": hop}]}


def healthy():
    links = [{"route_table_id": HZ_TR_TABLE, "status": "Active"}]
    sh_links = [{"route_table_id": SH_TR_TABLE, "status": "Active"}]
    source_routes = [_entry("10.0.0.0/16", SH_ATT), _entry(AUTH_IP + "/32", SH_ATT)] + [_entry(cidr, SH_ATT) for cidr in OSS_RANGES]
    return {
        "cen_name": "acr-access", "registry_region": "cn-hangzhou", "next_hop_instance_id": ECS, "instance_name": "acr-example",
        "endpoints": {"registry": {"domain": "acr-example-registry-vpc.cn-hangzhou.cr.aliyuncs.com", "addresses": [REGISTRY_IP]},
                      "auth": {"domain": "dockerauth-vpc.cn-hangzhou.aliyuncs.com", "addresses": [AUTH_IP]},
                      "oss": {"domain": "oss-cn-hangzhou-internal.aliyuncs.com", "addresses": [OSS_IP]}},
        "cen": {
            "members": [{"region": "cn-hangzhou", "vpc_id": HZ, "vswitch_ids": ["vsw-a", "vsw-b"], "cidr_blocks": ["10.0.0.0/16"],
                         "route_table_id": HZ_TABLE},
                        {"region": "cn-shanghai", "vpc_id": SH, "vswitch_ids": ["vsw-c", "vsw-d"], "cidr_blocks": ["172.16.0.0/16"],
                         "route_table_id": SH_TABLE}],
            "cens": [{"cen_id": "cen-example00000000001",
                      "transit_routers": [
                          {"transit_router_id": "tr-bp1", "region_id": "cn-hangzhou", "status": "Active", "system_route_table_id": HZ_TR_TABLE,
                           "route_entries": []},
                          {"transit_router_id": "tr-uf6", "region_id": "cn-shanghai", "status": "Active", "system_route_table_id": SH_TR_TABLE,
                           "route_entries": [{"transit_router_route_table_id": SH_TR_TABLE, "destination_cidr_block": "100.0.0.0/8",
                                              "status": "Active"}]}],
                      "vpc_attachments": [
                          {"transit_router_attachment_id": HZ_ATT, "vpc_id": HZ, "status": "Attached", "associations": links,
                           "propagations": links},
                          {"transit_router_attachment_id": SH_ATT, "vpc_id": SH, "status": "Attached", "associations": sh_links,
                           "propagations": sh_links}],
                      "peer_attachments": [{"region_id": "cn-hangzhou", "peer_transit_router_region_id": "cn-shanghai", "status": "Attached"}]}],
        },
        "vpcs": [
            {"vpc_id": HZ, "vswitches": [{"cidr_block": "10.0.1.0/24"}],
             "route_tables": [{"route_table_id": HZ_TABLE, "route_table_type": "System",
                               "entries": [_entry("172.16.0.0/16", HZ_ATT), _entry("100.0.0.0/8", ECS)]}]},
            {"vpc_id": SH, "vswitches": [], "route_tables": [{"route_table_id": SH_TABLE, "route_table_type": "System", "entries": source_routes}]},
        ],
        "instances": [{"instance_id": "cri-example000000001", "status": "RUNNING", "endpoints": {"registry": {"vpc": {
            "linked_vpcs": [{"vpc_id": HZ, "ip": REGISTRY_IP, "status": "RUNNING"}]}}}}],
        "published": [{"destination_cidr_block": "100.0.0.0/8", "publish_status": "Published", "action": "unchanged"}],
    }


def _drop(path, match):
    """A change of healthy(): remove the items of the list at ``path`` for which ``match`` holds."""
    def change(facts):
        container = facts
        for key in path[:-1]:
            container = container[key]
        container[path[-1]] = [item for item in container[path[-1]] if not match(item)]
    return change


def _set(path, value):
    def change(facts):
        container = facts
        for key in path[:-1]:
            container = container[key]
        container[path[-1]] = value
    return change


ATTACHMENTS = ("cen", "cens", 0, "vpc_attachments")
CASES = [
    ("no CEN", _set(("cen", "cens"), []), "cen_missing", 1),
    ("no transit router in Shanghai", _drop(("cen", "cens", 0, "transit_routers"), lambda r: r["region_id"] == "cn-shanghai"),
     "transit_router_missing", 1),
    ("source not attached", _drop(ATTACHMENTS, lambda a: a["vpc_id"] == SH), "vpc_attachment_missing", 1),
    ("source not associated", _set(ATTACHMENTS + (1, "associations"), []), "association_missing", 1),
    ("registry not propagating", _set(ATTACHMENTS + (0, "propagations"), []), "propagation_missing", 1),
    ("no peer", _set(("cen", "cens", 0, "peer_attachments"), []), "peer_attachment_missing", 1),
    ("no route back", _drop(("vpcs", 0, "route_tables", 0, "entries"), lambda e: e["destination_cidr_block"] == "172.16.0.0/16"),
     "member_route_missing", 1),
    ("no instance", _set(("instances",), []), "instance_missing", 2),
    ("registry VPC not linked", _set(("instances", 0, "endpoints", "registry", "vpc", "linked_vpcs"), []), "registry_vpc_not_linked", 2),
    ("no endpoints", _set(("endpoints",), {}), "endpoints_unknown", 2),
    ("no OSS route", _drop(("vpcs", 1, "route_tables", 0, "entries"), lambda e: e["destination_cidr_block"] == "100.118.28.0/24"),
     "source_route_missing", 3),
    ("no covering route", _drop(("vpcs", 0, "route_tables", 0, "entries"), lambda e: e["destination_cidr_block"] == "100.0.0.0/8"),
     "covering_route_missing", 3),
    ("not advertised", _set(("published", 0, "action"), "published"), "covering_route_not_advertised", 3),
    ("not learned", _set(("cen", "cens", 0, "transit_routers", 1, "route_entries"), []), "covering_route_not_learned", 3),
    ("the probe failed", _set(("probe_error",), "registry_endpoint_info: the registry domain does not resolve"), "probe_failed", 2),
    ("a client without its hosts block", _set(("clients",), {"ecs2": {"report": {"ok": False, "failed": {
        "check": "resolve", "kind": "registry", "step": "4", "message": "the registry domain does not resolve: no /etc/hosts entry (step 4)"}}}}),
     "client_check_failed", 4),
]


def test_a_complete_setup_has_no_finding_and_reads_the_publication_of_the_covering_route():
    result = diagnosis.diagnose(healthy())
    assert result["findings"] == [] and result["healthy"] and result["first"] is None
    assert result["advertise"] == ["100.0.0.0/8"] and result["registry_route_table_id"] == HZ_TABLE
    assert diagnosis.diagnosis_report(result)[0].startswith("Nothing missing")
    # what the client hosts verify: the plan's targets, as the role registry_client would
    check = result["client_check"]
    assert check["registry"] == {"domain": "acr-example-registry-vpc.cn-hangzhou.cr.aliyuncs.com", "addresses": [REGISTRY_IP]}
    assert check["auth"]["addresses"] == [AUTH_IP] and check["oss"]["domain"] == "oss-cn-hangzhou-internal.aliyuncs.com"
    assert "100.118.28.0/24" in [route["destination_cidr_block"] for route in check["source_routes"]]


def test_client_hosts_that_pass_are_counted_and_one_that_fails_on_step_3_points_there():
    facts = healthy()
    facts["clients"] = {"ecs2": {"report": {"ok": True, "failed": None}}, "ecs3": {"report": {"ok": True, "failed": None}}}
    result = diagnosis.diagnose(facts)
    assert result["findings"] == [] and result["clients_checked"] == 2
    assert "the 2 client host(s) reach the registry, auth and OSS (step 4)" in diagnosis.diagnosis_report(result)[0]
    failed = {"check": "tcp", "kind": "oss", "step": "3", "message": "OSS is unreachable from this host"}
    facts["clients"]["ecs3"] = {"report": {"ok": False, "failed": failed}}
    first = diagnosis.diagnose(facts)["first"]
    assert (first["code"], first["step"]) == ("client_check_failed", 4)
    assert first["what"].startswith("ecs3 (oss): OSS is unreachable") and "Repair step 3 first" in first["fix"]


def test_a_failed_probe_replaces_the_unknown_endpoints_finding_and_step_3_is_not_planned():
    facts = healthy()
    facts["endpoints"], facts["probe_error"] = {}, "no probe host"
    result = diagnosis.diagnose(facts)
    assert [finding["code"] for finding in result["findings"]] == ["probe_failed"]
    assert result["client_check"] is None and result["advertise"] == []


@pytest.mark.parametrize("case, change, code, step", CASES, ids=[case[0] for case in CASES])
def test_the_missing_piece_is_the_first_finding(case, change, code, step):
    facts = copy.deepcopy(healthy())
    change(facts)
    result = diagnosis.diagnose(facts)
    assert (result["first"]["code"], result["first"]["step"]) == (code, step), result["findings"]
    assert result["first"]["fix"] and not result["healthy"]
    steps = [finding["step"] for finding in result["findings"]]
    assert steps == sorted(steps), "procedure order"


def test_the_oss_route_names_the_symptom_and_the_fix():
    facts = healthy()
    _drop(("vpcs", 1, "route_tables", 0, "entries"), lambda e: e["destination_cidr_block"] == "100.118.28.0/24")(facts)
    first = diagnosis.diagnose(facts)["first"]
    assert first["what"] == ("The source VPC has no route for 100.118.28.0/24: OSS pulls will stall at the first blob "
                             "(the manifest arrives, the layers do not).")
    assert "100.118.28.0/24 -> %s (Attachment) in route table %s" % (SH_ATT, SH_TABLE) in first["fix"]


def test_a_route_to_another_next_hop_is_wrong_not_missing():
    facts = healthy()
    facts["vpcs"][1]["route_tables"][0]["entries"][1] = _entry(AUTH_IP + "/32", "i-elsewhere")
    first = diagnosis.diagnose(facts)["first"]
    assert first["code"] == "source_route_wrong_next_hop" and "i-elsewhere" in first["what"] and "docker login" in first["what"]


def test_without_the_cen_the_publication_is_not_read_and_step_2_is_still_checked():
    facts = healthy()
    facts["cen"]["cens"] = []
    facts["instances"] = []
    result = diagnosis.diagnose(facts)
    assert result["advertise"] == [] and result["cen_id"] is None
    assert [f["code"] for f in result["findings"]][:2] == ["cen_missing", "instance_missing"]


def test_an_unusable_endpoint_is_a_finding_not_a_crash():
    facts = healthy()
    facts["endpoints"]["auth"]["addresses"] = ["not-an-address"]
    codes = [f["code"] for f in diagnosis.diagnose(facts)["findings"]]
    assert codes == ["plan_input"]


def test_a_client_that_cannot_be_reached_is_a_warning_naming_it():
    facts = healthy()
    facts["clients"] = {"ecs2": {"unreachable": True, "msg": "ssh: connect timed out"}}
    result = diagnosis.diagnose(facts)
    assert [(f["code"], f["step"], f["severity"]) for f in result["findings"]] == [("client_not_checked", 4, "warning")]
    assert "ecs2 could not be checked: ssh: connect timed out" in result["first"]["what"] and result["healthy"]
