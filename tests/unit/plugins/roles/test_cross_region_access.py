"""playbooks/cross_region_access.yml and teardown.yml: the whole procedure against the cloud twin, with the seed inventory.

The seed inventory tests/demo/inventory/twin.yml with the probe lab's host (tests/e2e/inventory/probe_lab.yml): the probe
runs inside a probe lab (a network namespace of the test, see
test_registry_endpoints.py): ACR_ACCESS_PROBE_LAB names a directory with the lab's interpreter wrapper (python)
and state.json (its test CA), as `tests/e2e/probe_lab.py up` writes them for scripts/demo.
"""

import json
import os
import re
import subprocess
import sys
from xml.etree import ElementTree

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "e2e"))

import probe_lab  # noqa: E402  (tests/e2e)
import ansible_collections  # noqa: E402
from acr_twin import seed_ids as ids  # noqa: E402

COLLECTIONS_PATH = os.path.dirname(list(ansible_collections.__path__)[0])
ROOT = os.path.join(list(ansible_collections.__path__)[0], "alicloud", "acr_access")
INVENTORY = [os.path.join(ROOT, "tests", "demo", "inventory", "twin.yml"), os.path.join(ROOT, "tests", "e2e", "inventory", "probe_lab.yml")]
HZ_VPC, SH_VPC = ids.REGISTRY_VPC, ids.SOURCE_VPC
HZ_TABLE, SH_TABLE = ids.REGISTRY_ROUTE_TABLE, ids.SOURCE_ROUTE_TABLE
OSS_RANGES = ["100.114.102.0/24", "100.118.28.0/24", "100.118.31.0/24", "100.98.170.0/24"]
# a route of someone else in each VPC: neither the procedure nor its teardown may touch it
FOREIGN = [("cn-shanghai", SH_TABLE, "192.168.10.0/24", ids.SOURCE_ECS), ("cn-hangzhou", HZ_TABLE, "192.168.20.0/24", ids.REGISTRY_ECS)]

# cross_region_access.yml as a user runs it, then the facts it left, for the test to read
WRAPPER = """
- name: The procedure
  ansible.builtin.import_playbook: {playbook}

- name: Save the facts for the test
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Save them
      ansible.builtin.copy:
        content: "{{{{ {{'cen_connect': cen_connect, 'registry_routes': registry_routes | default(none),
                      'cross_region_access': cross_region_access | default(none)}} | to_json }}}}"
        dest: {facts}
        mode: "0600"
      check_mode: false
      changed_when: false  # the test's bookkeeping, not part of the procedure's changes
"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    probe_lab.require_lab()
    listeners, hosts = probe_lab.seed_listeners()
    state_dir = tmp_path_factory.mktemp("probe-lab")
    with probe_lab.ProbeLab(listeners, hosts, prefix="acrxra") as built:
        built.write_interpreter(str(state_dir / "python"))
        (state_dir / "state.json").write_text(json.dumps(built.state()))
        yield str(state_dir)


@pytest.fixture
def ansible(lab, twin, tmp_path):
    """``ansible(playbook, check=False, *extra)`` -> (return code, output, the saved facts or None); ``extra``: more arguments."""
    facts = tmp_path / "facts.json"
    wrapper = tmp_path / "cross_region_access.yml"
    wrapper.write_text(WRAPPER.format(playbook=os.path.join(ROOT, "playbooks", "cross_region_access.yml"), facts=facts))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_PATH, ACR_ACCESS_ENDPOINT="http://%s" % twin.endpoint,
               ALIBABA_CLOUD_ACCESS_KEY_ID="LTAI5tTwinAccessKey00001", ALIBABA_CLOUD_ACCESS_KEY_SECRET="twin-secret-do-not-use-in-production",
               ACR_ACCESS_PROBE_LAB=lab, ANSIBLE_LOCALHOST_WARNING="False", ANSIBLE_NOCOLOR="1")

    def run(playbook="cross_region_access", check=False, *extra):
        path = str(wrapper) if playbook == "cross_region_access" else os.path.join(ROOT, "playbooks", playbook + ".yml")
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", INVENTORY[0], "-i", INVENTORY[1], path]
        command += (["--check"] if check else []) + list(extra)
        if facts.exists():
            facts.unlink()
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False, cwd=str(tmp_path))
        return done.returncode, done.stdout + done.stderr, json.loads(facts.read_text()) if facts.exists() else None

    return run


def add_foreign_routes(twin, sdk_client, sdk_models):
    models = sdk_models("vpc")
    for region, table, cidr, instance in FOREIGN:
        sdk_client("vpc", region).create_route_entry(models.CreateRouteEntryRequest(
            region_id=region, route_table_id=table, destination_cidr_block=cidr, next_hop_type="Instance", next_hop_id=instance))
    twin.settle()


def routes_of(twin, table):
    """{destination: (next hop type, next hop id)} of a VPC route table's custom entries."""
    return {e["DestinationCidrBlock"]: (e["NextHopType"], e["NextHopId"]) for e in twin.cloud.route_entries.values()
            if e["RouteTableId"] == table and e.get("Type") == "Custom"}


def changed_tasks(output):
    """The names of the tasks that reported changed, in order (a loop's task once per changed item)."""
    tasks, task = [], None
    for line in output.splitlines():
        if line.startswith("TASK ["):
            task = line[len("TASK ["):line.rindex("]")]
        elif line.startswith("changed:") and task:
            tasks.append(task)
    return tasks


def changed_roles(output):
    """The roles of the tasks that reported changed (a playbook's own task: its name), sorted."""
    return sorted(task.split(" : ")[0] for task in changed_tasks(output))


def changed_count(output):
    return int(re.search(r"localhost\s*:.*changed=(\d+)", output).group(1))


def test_procedure_routes_publishes_and_is_learned_then_reruns_without_writes_and_tears_down_only_its_own(
        ansible, twin, sdk_client, sdk_models, tmp_path):
    add_foreign_routes(twin, sdk_client, sdk_models)
    entries_before = {k: dict(v) for k, v in twin.cloud.route_entries.items()}

    diagram = tmp_path / "run.svg"
    code, output, facts = ansible("cross_region_access", False, "-e", "cross_region_access_diagram_path=%s" % diagram)
    assert code == 0, output
    sh_attachment = next(a["transit_router_attachment_id"] for a in facts["cen_connect"]["vpc_attachments"] if a["vpc_id"] == SH_VPC)
    hz_attachment = next(a["transit_router_attachment_id"] for a in facts["cen_connect"]["vpc_attachments"] if a["vpc_id"] == HZ_VPC)

    # Shanghai: cen_connect's route to the registry VPC, the plan's routes for the three addresses, the foreign route
    assert routes_of(twin, SH_TABLE) == dict(
        {cidr: ("Attachment", sh_attachment) for cidr in ["10.0.0.0/16", "10.94.205.198/32", "100.103.7.181/32"] + OSS_RANGES},
        **{"192.168.10.0/24": ("Instance", ids.SOURCE_ECS)})
    # Hangzhou system table: cen_connect's route back, the covering route(s) to ECS instance 1, the foreign route
    assert routes_of(twin, HZ_TABLE) == {"172.16.0.0/16": ("Attachment", hz_attachment), "100.0.0.0/8": ("Instance", ids.REGISTRY_ECS),
                                         "10.94.205.198/32": ("Instance", ids.REGISTRY_ECS),
                                         "192.168.20.0/24": ("Instance", ids.REGISTRY_ECS)}
    # the facts flowed: the registry VPC's CIDR block came from cen_connect, the endpoints from the probe in the namespace
    inputs = facts["registry_routes"]["inputs"]
    assert inputs["reachable_cidrs"] == ["10.0.0.0/16"] and inputs["source"]["attachment_id"] == sh_attachment
    assert inputs["endpoints"]["registry"]["addresses"] == ["10.94.205.198"] and inputs["endpoints"]["auth"]["takeover"] is False

    published = {r["DestinationCidrBlock"]: r["PublishStatus"] for r in twin.cloud.published_routes.values() if r["ChildInstanceId"] == HZ_VPC}
    assert published == {"100.0.0.0/8": "Published", "10.94.205.198/32": "Published"}

    # learned by the Shanghai transit router (through the peer link), read with the real SDK
    table = facts["registry_routes"]["advertisement"]["learned"]["transit_router_route_table_id"]
    assert table == facts["cen_connect"]["transit_routers"]["cn-shanghai"]["system_route_table_id"]
    request = sdk_models("cbn").ListTransitRouterRouteEntriesRequest(transit_router_route_table_id=table)
    learned = {e.transit_router_route_entry_destination_cidr_block: e.transit_router_route_entry_status
               for e in sdk_client("cbn", "cn-shanghai").list_transit_router_route_entries(request).body.transit_router_route_entries}
    assert learned.get("100.0.0.0/8") == "Active" and learned.get("10.94.205.198/32") == "Active", learned

    assert facts["cross_region_access"]["hosts_lines"] == ["10.94.205.198 acr-twin-registry-vpc.cn-hangzhou.cr.aliyuncs.com",
                                                           "100.103.7.181 dockerauth-vpc.cn-hangzhou.aliyuncs.com",
                                                           "100.118.28.43 oss-cn-hangzhou-internal.aliyuncs.com"]
    assert "The /etc/hosts lines every client needs" in output
    # the picture of this run names the routes it made in both tables, the attachment they go to, and the three endpoints
    picture = ElementTree.parse(str(diagram)).getroot()
    # (a line wider than its box continues on the next text element: compare with the whitespace normalised)
    texts = " ".join(" ".join(text.text or "" for text in picture.iter("{http://www.w3.org/2000/svg}text")).split())
    for words in ["100.103.7.181/32 -> Attachment %s" % sh_attachment, "100.0.0.0/8 -> Instance %s (advertised)" % ids.REGISTRY_ECS,
                  SH_VPC, HZ_VPC, "oss-cn-hangzhou-internal.aliyuncs.com"]:
        assert words in texts, (words, texts)
    # how long each step took, from the controller's clock at each step's start and end, in the fact and in the summary
    times = facts["cross_region_access"]["step_times"]
    assert [entry["step"] for entry in times] == ["checks", "step 1", "step 2", "step 3"], times
    assert all(entry["start"] <= entry["end"] and entry["seconds"] >= 0 for entry in times), times
    assert all(before["end"] <= after["start"] for before, after in zip(times, times[1:])), times
    assert re.search(r"Time per step: checks [\d.]+m? ?[\d]*s, step 1 .*s, step 2 .*s, step 3 .*s; total .*s", output), output

    since = twin.last_seq()
    code, output, facts = ansible()
    assert code == 0, output
    assert twin.writes(since) == [] and twin.calls(since)
    assert changed_count(output) == 0, output

    # teardown --check predicts exactly what the teardown then does: the same number of changed tasks, and no write
    since = twin.last_seq()
    code, predicted = ansible("teardown", check=True)[:2]
    assert code == 0, predicted
    assert twin.writes(since) == []

    since = twin.last_seq()
    code, output = ansible("teardown")[:2]
    assert code == 0, output
    assert changed_tasks(predicted) == changed_tasks(output)
    assert changed_count(predicted) == changed_count(output), (predicted, output)
    cloud = twin.cloud
    assert (cloud.cens, cloud.transit_routers, cloud.tr_attachments) == ({}, {}, {})
    assert cloud.published_routes == {}
    assert {k: (v["RouteTableId"], v["DestinationCidrBlock"], v["NextHopId"]) for k, v in cloud.route_entries.items()} == \
        {k: (v["RouteTableId"], v["DestinationCidrBlock"], v["NextHopId"]) for k, v in entries_before.items()}
    # the advertisement went before its route entry
    writes = [c["action"] for c in twin.writes(since)]
    assert writes.index("WithdrawPublishedRouteEntries") < writes.index("DeleteRouteEntry") < writes.index("DeleteTransitRouterVpcAttachment")

    # a second teardown finds nothing left and changes nothing
    since = twin.last_seq()
    code, output = ansible("teardown")[:2]
    assert code == 0, output
    assert twin.writes(since) == []


def test_check_mode_on_a_fresh_twin_predicts_step_3_with_placeholders_and_the_first_run_without_writes(ansible, twin):
    code, output, facts = ansible(check=True)
    assert code == 0, output
    assert facts["cen_connect"]["cen_id"] is None and twin.writes() == [] and twin.calls()
    assert changed_count(output) >= 1
    # step 3 was planned through the attachments to be created, and the summary says so instead of printing empty fields
    plan = facts["registry_routes"]["plan"]
    assert sorted(r["destination_cidr_block"] for r in plan["source_routes"]) == sorted(["10.94.205.198/32", "100.103.7.181/32"] + OSS_RANGES)
    assert {r["next_hop_id"] for r in plan["source_routes"]} == {"(the attachment to be created in cn-shanghai)"}
    text = " ".join(output.split())
    assert "Step 1: CEN (the CEN to be created); VPC attachments %s -> (the attachment to be created in cn-hangzhou), " \
        "%s -> (the attachment to be created in cn-shanghai)" % (HZ_VPC, SH_VPC) in text, text
    assert "Step 3 (check mode, would add): source routes 10.94.205.198/32, 100.103.7.181/32" in text, text
    assert "CEN ;" not in text and "VPC attachments ," not in text and "None" not in text.split("Step 1:")[1].split("Findings")[0]

    # --check predicts the first run: as many changes, in each role (step 3's report stands for its write, which check
    # mode cannot send through the attachment to be created)
    code, real = ansible()[:2]
    assert code == 0, real
    assert changed_count(output) == changed_count(real) >= 2, (changed_tasks(output), changed_tasks(real))
    assert changed_roles(output) == changed_roles(real), (changed_tasks(output), changed_tasks(real))


def test_check_mode_with_a_premade_cen_predicts_step_3_through_the_attachments_to_be_created(ansible, twin, sdk_client, sdk_models):
    # The CEN exists (made beforehand, or left by a run that failed later) but no VPC is attached yet.
    sdk_client("cbn", "cn-hangzhou").create_cen(sdk_models("cbn").CreateCenRequest(name="acr-access"))
    twin.settle()
    since = twin.last_seq()
    code, output, facts = ansible(check=True)
    assert code == 0, output
    cen_id = facts["cen_connect"]["cen_id"]
    assert cen_id and [a["transit_router_attachment_id"] for a in facts["cen_connect"]["vpc_attachments"]] == [None, None]
    assert facts["registry_routes"]["inputs"]["source"]["attachment_id"] == "(the attachment to be created in cn-shanghai)"
    text = " ".join(output.split())
    assert "Step 1: CEN %s; VPC attachments %s -> (the attachment to be created in cn-hangzhou)" % (cen_id, HZ_VPC) in text, text
    assert "would add" in text
    assert twin.writes(since) == []
