"""The bad-input table: one bad input per row, across modules, roles and the main playbooks, against the cloud twin.

Each row runs the real thing (a module's main() with the real SDK, a role or a main playbook through ansible-playbook)
with one input wrong and asserts three things: it fails, the message names the field (the option, or the role variable
a user sets), and the twin's call log holds no write call since the row started - the error came before any change.

Module rows are the unit where the module is (fast, in this process). The playbook rows are the cases where the input of
a later step used to fail only after step 1 had written (a CEN, transit routers, attachments, routes): the main playbooks
now check every input of every step first, reads only. They run the cloud side only (registry_endpoints_known instead
of a probe host: tests/e2e/inventory/rehearsal.yml), at twin time scale 0.
"""

import json
import os
import subprocess
import sys

import pytest

import ansible_collections
from acr_twin import seed_ids as ids
from ansible_collections.alicloud.acr_access.plugins.modules import (
    cen_connection, cen_instance, cr_authorization_token, cr_vpc_endpoint, registry_access_plan, registry_image, vpc_route_entry,
    vpn_route_entry)

ROOT = os.path.join(list(ansible_collections.__path__)[0], "alicloud", "acr_access")
WRONG_SECRET = "not-the-twin-secret-0123456789"

MEMBERS = [
    {"region": "cn-hangzhou", "vpc_id": ids.REGISTRY_VPC, "vswitch_ids": ids.REGISTRY_VSWITCHES},
    {"region": "cn-shanghai", "vpc_id": ids.SOURCE_VPC, "vswitch_ids": ids.SOURCE_VSWITCHES},
]
PLAN = {
    "source": {"kind": "vpc", "region": "cn-shanghai", "vpc_id": ids.SOURCE_VPC, "cidr_blocks": [ids.SOURCE_VPC_CIDR],
               "next_hop_type": "Attachment", "next_hop_id": "tr-attach-example0000001"},
    "registry_vpc": {"region": "cn-hangzhou", "vpc_id": ids.REGISTRY_VPC, "cidr_blocks": [ids.REGISTRY_VPC_CIDR],
                     "next_hop_instance_id": ids.REGISTRY_ECS},
    "endpoints": {"registry": {"domain": ids.REGISTRY_DOMAIN, "addresses": [ids.REGISTRY_IP]},
                  "auth": {"domain": ids.AUTH_DOMAIN, "addresses": [ids.AUTH_IP]},
                  "oss": {"domain": ids.OSS_DOMAIN, "addresses": [ids.OSS_IP]}},
}


def _with(base, path, value):
    """A deep copy of ``base`` with the value at ``path`` (a tuple of keys and indexes) replaced."""
    copy = json.loads(json.dumps(base))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy


def _members(index, key, value):
    return _with(MEMBERS, (index, key), value)


def _route(**route):
    return dict(route_table_id=ids.SOURCE_ROUTE_TABLE, region="cn-shanghai", routes=[route])


# (row id, module, its arguments beyond the twin's credentials and endpoint, the field the message must name)
MODULE_ROWS = [
    # route entries: malformed CIDRs, missing or unguessable next hops, duplicates, unknown ids
    ("route-cidr-prefix-33", vpc_route_entry, _route(destination_cidr_block="10.0.0.0/33", next_hop_id=ids.SOURCE_ECS),
     "routes[0].destination_cidr_block"),
    ("route-cidr-host-bits", vpc_route_entry, _route(destination_cidr_block="10.0.0.1/8", next_hop_id=ids.SOURCE_ECS),
     "routes[0].destination_cidr_block"),
    ("route-cidr-not-an-address", vpc_route_entry, _route(destination_cidr_block="registry", next_hop_id=ids.SOURCE_ECS),
     "routes[0].destination_cidr_block"),
    ("route-next-hop-missing", vpc_route_entry, _route(destination_cidr_block="10.0.0.0/16"), "routes[0].next_hop_id"),
    ("route-next-hop-type-unknown", vpc_route_entry, _route(destination_cidr_block="10.0.0.0/16", next_hop_id="gw-123"),
     "routes[0].next_hop_type"),
    ("route-duplicate", vpc_route_entry, dict(_route(destination_cidr_block="10.0.0.0/16", next_hop_id=ids.SOURCE_ECS),
                                              routes=[{"destination_cidr_block": "10.0.0.0/16", "next_hop_id": ids.SOURCE_ECS}] * 2),
     "routes[1].destination_cidr_block"),
    ("route-table-unknown", vpc_route_entry, dict(_route(destination_cidr_block="10.0.0.0/16", next_hop_id=ids.SOURCE_ECS),
                                                  route_table_id="vtb-uf6unknown0000000000001"), "route_table_id"),
    # step 1: the members to connect
    ("member-vpc-unknown", cen_connection, dict(cen_name="acr-access", members=_members(1, "vpc_id", "vpc-uf6unknown0000000000001")),
     "members[1]"),
    ("member-wrong-region", cen_connection, dict(cen_name="acr-access", members=_members(1, "region", "cn-beijing")), "members[1]"),
    ("bandwidth-package-without-its-id", cen_connection, dict(cen_name="acr-access", members=MEMBERS, bandwidth_type="BandwidthPackage"),
     "cen_bandwidth_package_id"),
    ("member-vswitch-of-other-vpc", cen_connection,
     dict(cen_name="acr-access", members=_members(0, "vswitch_ids", [ids.REGISTRY_VSWITCH_J, ids.SOURCE_VSWITCH_M])), "members[0]"),
    # step 2: the instance and the VPC linked to its endpoint
    ("endpoint-vpc-unknown", cr_vpc_endpoint, dict(instance_id=ids.INSTANCE_ID, vpc_id="vpc-bp1unknown0000000000001",
                                                   vswitch_id=ids.REGISTRY_VSWITCH_J), "vpc_id"),
    ("endpoint-vswitch-of-other-vpc", cr_vpc_endpoint, dict(instance_id=ids.INSTANCE_ID, vpc_id=ids.REGISTRY_VPC,
                                                            vswitch_id=ids.SOURCE_VSWITCH_M), "vswitch_id"),
    ("endpoint-instance-name-unknown", cr_vpc_endpoint, dict(instance_name="acr-nope", vpc_id=ids.REGISTRY_VPC,
                                                             vswitch_id=ids.REGISTRY_VSWITCH_J), "instance_name"),
    ("token-hours-25", cr_authorization_token, dict(instance_id=ids.INSTANCE_ID, expires_in_hours=25), "expires_in_hours"),
    # step 3: the plan's inputs
    ("plan-reachable-cidr-33", registry_access_plan, dict(PLAN, reachable_cidrs=["10.0.0.0/33"]), "reachable_cidrs[0]"),
    ("plan-registry-address-malformed", registry_access_plan, _with(PLAN, ("endpoints", "registry", "addresses"), ["10.94.205.300"]),
     "endpoints.registry.addresses[0]"),
    ("plan-registry-vpc-cidr-malformed", registry_access_plan, _with(PLAN, ("registry_vpc", "cidr_blocks"), ["10.0.0.0/8/8"]),
     "registry_vpc.cidr_blocks[0]"),
    ("vpn-route-destination-malformed", vpn_route_entry,
     dict(vpn_gateway_id=ids.VPN_GATEWAY, routes=[{"destination": "192.168.0.0/33", "next_hop": ids.IPSEC_VPN_GATEWAY}]),
     "routes[0].destination"),
    # credentials and the shared options, on a module that would create something
    ("credentials-wrong-secret", cen_instance, dict(name="acr-access", access_key_secret=WRONG_SECRET), "access_key_secret"),
    ("credentials-half-a-key-pair", cen_instance, dict(name="acr-access", access_key_secret=None), "access_key_secret"),
    ("credentials-not-a-role-arn", cen_instance, dict(name="acr-access", ram_role_arn="arn:aws:iam::123:role/x"), "ram_role_arn"),
    ("wait-timeout-zero", cen_instance, dict(name="acr-access", wait_timeout=0), "wait_timeout"),
]


@pytest.mark.parametrize("module, args, field", [pytest.param(*row[1:], id=row[0]) for row in MODULE_ROWS])
def test_a_module_names_the_bad_field_before_any_write(run_module, twin_args, twin, module, args, field):
    since = twin.last_seq()
    # registry_access_plan calls nothing and takes no credentials: its arguments as they are
    result = run_module(module.main, args if module is registry_access_plan else twin_args(**args))
    assert result.get("failed") is True, result
    assert field in result["msg"], result["msg"]
    assert twin.writes(since) == []


@pytest.mark.parametrize("images, field", [
    pytest.param(["team/App:1.0"], "images[0]", id="image-uppercase-repository"),
    pytest.param(["team/app:1.0 latest"], "images[0]", id="image-space-in-tag"),
    pytest.param(["team/app@sha256:1234"], "images[0]", id="image-short-digest"),
])
def test_a_bad_image_reference_is_named_before_any_pull(run_module, twin, images, field):
    """registry_image runs on the client host (no cloud call at all): the reference is refused before docker is asked."""
    since = twin.last_seq()
    result = run_module(registry_image.main, dict(registry=ids.REGISTRY_DOMAIN, images=images))
    assert result.get("failed") is True, result
    assert field in result["msg"], result["msg"]
    assert twin.calls(since) == []


ROLE_PLAY = """
- hosts: localhost
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  roles:
    - alicloud.acr_access.registry_routes
"""


def test_a_role_refuses_a_source_network_overlapping_the_registry_address(playbook_env, tmp_path, twin):
    """registry_routes alone: the source VPC's CIDR block holds the registry's address, so no route can reach it."""
    since = twin.last_seq()
    play = tmp_path / "play.yml"
    play.write_text(ROLE_PLAY)
    extra = dict(registry_routes_cen_id="cen-example0000000001",
                 registry_routes_source=dict(region="cn-shanghai", vpc_id=ids.SOURCE_VPC, attachment_id="tr-attach-example0000001",
                                             cidr_blocks=["10.94.0.0/16"]),
                 registry_routes_registry_vpc=PLAN["registry_vpc"], registry_routes_endpoints=PLAN["endpoints"])
    done = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), str(play), "-e", json.dumps(extra)],
                          env=playbook_env(), capture_output=True, text=True, timeout=300, check=False)
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    text = " ".join(output.split())
    assert "registry_routes_accept_findings" in text and "10.94.0.0/16" in text, output
    assert twin.writes(since) == []


# -- the main playbooks: every input of every step checked before step 1 writes ----------------------------------------

def _playbook(playbook_env, tmp_path, playbook, inventory, extra, more_inventory=()):
    env = dict(playbook_env(), ACR_ACCESS_OUTPUT_DIR=str(tmp_path / "network-team"))
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
               "-i", os.path.join(ROOT, "tests", "demo", "inventory", inventory),
               "-i", os.path.join(ROOT, "tests", "e2e", "inventory", "rehearsal.yml")]
    command += [arg for path in more_inventory for arg in ("-i", path)]
    command += [os.path.join(ROOT, "playbooks", playbook + ".yml"), "-e", json.dumps(extra)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False, cwd=str(tmp_path))
    return done.returncode, done.stdout + done.stderr


# (row id, the bad extra vars, the variable the message must name)
CROSS_REGION_ROWS = [
    ("instance-name-unknown", {"registry_endpoints_instance_name": "acr-nope"}, "registry_endpoints_instance_name: no instance acr-nope"),
    ("instance-id-unknown", {"registry_endpoints_instance_name": "", "registry_endpoints_instance_id": "cri-unknown00000001"},
     "registry_endpoints_instance_id"),
    ("region-of-another-instance", {"registry_endpoints_region": "cn-shanghai"}, "registry_endpoints_region"),
    ("probe-host-not-in-inventory", {"registry_endpoints_known": {}, "registry_endpoints_probe_host": "ecs9-nowhere"},
     "registry_endpoints_probe_host: 'ecs9-nowhere' is not a host of the inventory"),
    ("reachable-cidr-33", {"registry_routes_reachable_cidrs": ["10.0.0.0/33"]}, "registry_routes_reachable_cidrs[0]"),
    ("next-hop-not-an-ecs-id", {"registry_routes_next_hop_instance_id": "bp1twin0000000000001"}, "registry_routes_next_hop_instance_id"),
    # well formed, but read from the ECS API before step 1: no such instance, or one of another VPC (the source's)
    ("next-hop-unknown-instance", {"registry_routes_next_hop_instance_id": "i-bp1unknown0000000001"},
     "registry_routes_next_hop_instance_id: there is no ECS instance i-bp1unknown0000000001 in region cn-hangzhou"),
    ("registry-vpc-not-a-member", {"registry_routes_registry_vpc_id": "vpc-bp1unknown0000000000001"}, "registry_routes_registry_vpc_id"),
]


@pytest.mark.parametrize("extra, named", [pytest.param(*row[1:], id=row[0]) for row in CROSS_REGION_ROWS])
def test_cross_region_access_checks_every_step_before_the_first_write(playbook_env, tmp_path, twin, extra, named):
    code, output = _playbook(playbook_env, tmp_path, "cross_region_access", "twin.yml", extra)
    assert code != 0, output
    assert named in " ".join(output.split()), output
    assert twin.writes() == [], [call["action"] for call in twin.writes()]
    assert "Step 1" not in output  # stopped in the up-front check, before step 1 started


DATA_CENTER_ROWS = [
    ("on-premises-next-hop-missing", {"data_center_routes_on_premises": {}}, "data_center_routes_on_premises"),
    ("covering-route-next-hop-missing", {"data_center_connect_type": "transit_router", "data_center_routes_next_hop_instance_id": ""},
     "data_center_routes_next_hop_instance_id"),
    ("covering-route-next-hop-unknown", {"data_center_connect_type": "transit_router",
                                         "data_center_routes_next_hop_instance_id": "i-bp1unknown0000000001"},
     "data_center_routes_next_hop_instance_id: there is no ECS instance i-bp1unknown0000000001 in region cn-hangzhou"),
    ("network-team-directory-missing", {"onprem_gateway_output_dir": ""}, "onprem_gateway_output_dir"),
]


@pytest.mark.parametrize("extra, named", [pytest.param(*row[1:], id=row[0]) for row in DATA_CENTER_ROWS])
def test_data_center_access_checks_every_step_before_the_first_write(playbook_env, tmp_path, twin, extra, named):
    code, output = _playbook(playbook_env, tmp_path, "data_center_access", "data_center.yml", extra)
    assert code != 0, output
    assert named in " ".join(output.split()), output
    assert twin.writes() == [], [call["action"] for call in twin.writes()]
    assert "Step 1" not in output


# -- the covering route's next hop: an ECS instance of the registry's region but of another VPC --------------------------

OTHER_VPC = "vpc-bp1othervpc000000001"
OTHER_ECS = "i-bp1othervpc00000001"


@pytest.fixture
def ecs_of_another_vpc(twin):
    """An ECS instance in the registry's region (cn-hangzhou) whose VPC is not the registry VPC (the seed has none)."""
    twin.cloud.instances[OTHER_ECS] = dict(twin.cloud.instances[ids.REGISTRY_ECS], InstanceId=OTHER_ECS, InstanceName="ecs9-other",
                                           VpcId=OTHER_VPC, VSwitchId="vsw-bp1othervpc00000j1", PrivateIpAddress="192.168.9.9")
    return OTHER_ECS


def test_cross_region_access_refuses_a_next_hop_of_another_vpc_before_the_first_write(playbook_env, tmp_path, twin, ecs_of_another_vpc):
    code, output = _playbook(playbook_env, tmp_path, "cross_region_access", "twin.yml",
                             {"registry_routes_next_hop_instance_id": ecs_of_another_vpc})
    text = " ".join(output.split())
    assert code != 0, output
    assert ("registry_routes_next_hop_instance_id: the ECS instance %s is in the VPC %s, not in the registry VPC %s"
            % (OTHER_ECS, OTHER_VPC, ids.REGISTRY_VPC)) in text, output
    assert twin.writes() == [], [call["action"] for call in twin.writes()]
    assert "Step 1" not in output


def test_data_center_access_refuses_a_next_hop_of_another_vpc_before_the_first_write(playbook_env, tmp_path, twin, ecs_of_another_vpc):
    code, output = _playbook(playbook_env, tmp_path, "data_center_access", "data_center.yml",
                             {"data_center_connect_type": "transit_router", "data_center_routes_next_hop_instance_id": ecs_of_another_vpc})
    text = " ".join(output.split())
    assert code != 0, output
    assert ("data_center_routes_next_hop_instance_id: the ECS instance %s is in the VPC %s, not in the registry VPC %s"
            % (OTHER_ECS, OTHER_VPC, ids.REGISTRY_VPC)) in text, output
    assert twin.writes() == [], [call["action"] for call in twin.writes()]
    assert "Step 1" not in output


VALIDATE_PLAY = """
- hosts: localhost
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - ansible.builtin.include_role:
        name: alicloud.acr_access.registry_routes
        tasks_from: validate
"""


def test_a_stopped_next_hop_is_a_warning_not_an_error(playbook_env, tmp_path, twin):
    """The cloud takes a route to a stopped instance, and the instance may be stopped on purpose: the check warns, reads only."""
    twin.cloud.instances[ids.REGISTRY_ECS]["Status"] = "Stopped"
    since = twin.last_seq()
    play = tmp_path / "play.yml"
    play.write_text(VALIDATE_PLAY)
    extra = dict(cen_connect_members=MEMBERS, registry_endpoints_region="cn-hangzhou", registry_routes_next_hop_instance_id=ids.REGISTRY_ECS)
    done = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), str(play), "-e", json.dumps(extra)],
                          env=playbook_env(), capture_output=True, text=True, timeout=300, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "WARNING: registry_routes_next_hop_instance_id: the ECS instance %s is Stopped, not Running" % ids.REGISTRY_ECS in output, output
    assert [call["action"] for call in twin.calls(since)] == ["DescribeInstances"]


@pytest.mark.parametrize("playbook, inventory, group", [
    ("cross_region_access", "twin.yml", "registry_clients"), ("data_center_access", "data_center.yml", "data_center_clients")])
def test_a_bad_image_of_a_client_host_fails_before_step_1(playbook_env, tmp_path, twin, playbook, inventory, group):
    """Step 4's inputs are checked on the controller from the client hosts' variables: the hosts are never contacted."""
    clients = tmp_path / "clients.json"
    clients.write_text(json.dumps({"all": {"children": {group: {"hosts": {
        "ecs2-good": {"registry_client_images": ["team/app:1.0"]},
        "ecs3-bad": {"registry_client_images": ["team/app:1.0", "team/App:1.0"], "registry_client_engine": "containerd"}}}}}}))
    code, output = _playbook(playbook_env, tmp_path, playbook, inventory, {}, [str(clients)])
    assert code != 0, output
    text = " ".join(output.split())
    assert "registry_client_images[1] on ecs3-bad: 'team/App:1.0': the repository 'team/App' is not valid" in text, output
    assert "registry_client_engine on ecs3-bad: 'containerd'" in text and "on ecs2-good" not in text, output
    assert twin.writes() == [] and "Step 1" not in output
