"""The OSS conflict fix made real, end to end: playbooks/cross_region_access.yml with registry_routes_oss_route_mode
privatelink against the cloud twin and the network twin. The role makes a PrivateLink endpoint of the region's OSS service
in the registry VPC; the plan routes its addresses (inside the registry VPC's CIDR, already routed by step 1) instead of
the 100.x OSS VIP ranges; the client's hosts block maps the OSS domain to the endpoint. The pull on shanghai-client must
work with no OSS route in 100.64.0.0/10 in any route table, a second run changes nothing, and teardown removes the endpoint.
"""

import ipaddress
import json
import os
import shutil
import sys
import tempfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
for _path in (HERE, os.path.join(HERE, "..", "twin")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from acr_twin import Twin, TwinServer  # noqa: E402
from acr_twin import seed_ids as ids  # noqa: E402
from net_twin import NetTwin  # noqa: E402
from test_cross_region_pull import ROOT, World, _recap  # noqa: E402

CLIENT = "shanghai-client"
SERVICE_RANGE = ipaddress.ip_network("100.64.0.0/10")
PRIVATELINK = ["-e", "registry_routes_oss_route_mode=privatelink",
               "-e", json.dumps({"registry_routes_oss_privatelink_vswitch_ids": ids.REGISTRY_VSWITCHES})]

if os.geteuid() != 0:
    pytest.fail("the network twin needs root (network and mount namespaces, dockerd, sshd)", pytrace=False)


@pytest.fixture(scope="module")
def world():
    workdir = tempfile.mkdtemp(prefix="acr-plink-", dir="/tmp")  # the hosts' unprivileged user must traverse it
    os.chmod(workdir, 0o755)
    twin = Twin(fixture="seed", time_scale=0.0)
    with TwinServer(twin) as server:
        net = NetTwin(os.path.join(workdir, "net"), "http://%s" % server.endpoint, prefix="acrplk", engines=("docker",))
        net.up()
        try:
            with open(os.path.join(workdir, "clients.yml"), "w") as handle:
                handle.write(json.dumps({"all": {"children": {"registry_clients": {"hosts": {CLIENT: {"registry_client_engine": "docker"}}}}}}))
            yield World(twin, server, net, workdir)
        finally:
            net.down()
            shutil.rmtree(workdir, ignore_errors=True)


def _endpoints(world):
    return (world.twin.cloud.extra.get("privatelink") or {}).get("endpoints") or {}


def test_the_pull_goes_through_the_oss_endpoint_with_no_oss_route_in_the_service_range(world):
    code, output = world.converge(*PRIVATELINK, log="privatelink-run.log")
    assert code == 0, output[-6000:]
    client = world.facts["clients"][CLIENT]
    assert client["report"]["ok"], client["report"]
    (image,) = client["images"]
    assert image["digest"].startswith("sha256:"), image

    [endpoint] = _endpoints(world).values()
    addresses = sorted(zone["EniIp"] for zone in endpoint["_zones"])
    assert endpoint["EndpointStatus"] == "Active" and endpoint["VpcId"] == ids.REGISTRY_VPC
    # the client resolves the OSS domain to the endpoint, inside the registry VPC's CIDR
    oss_entry = next(entry for entry in world.facts["plan"]["hosts_entries"] if ids.OSS_DOMAIN in entry["names"])
    assert oss_entry["ip"] in addresses
    hosts = world.on_host(CLIENT, "cat", "/etc/hosts")
    assert any(line.split()[:1] == [oss_entry["ip"]] and ids.OSS_DOMAIN in line.split() for line in hosts.splitlines()), hosts
    # no route of any table leads an OSS address through the service range: only the auth service's /32 is in it
    in_range = sorted(entry["DestinationCidrBlock"] for entry in world.twin.cloud.dump()["route_entries"].values()
                      if entry.get("Type") != "System" and ipaddress.ip_network(entry["DestinationCidrBlock"]).subnet_of(SERVICE_RANGE))
    assert in_range == [ids.AUTH_IP + "/32"], in_range


def test_a_second_run_changes_nothing(world):
    since = world.twin.last_seq()
    code, output = world.converge(*PRIVATELINK, log="privatelink-second-run.log")
    assert code == 0, output[-6000:]
    recap = _recap(output)
    assert CLIENT in recap and recap == dict((host, 0) for host in recap), output[-3000:]
    assert world.twin.writes(since) == []


def test_teardown_removes_the_endpoint(world):
    code, output = world.playbook(os.path.join(ROOT, "playbooks", "teardown.yml"), *PRIVATELINK, log="privatelink-teardown.log")
    assert code == 0, output[-6000:]
    world.twin.settle()
    assert _endpoints(world) == {}
    state = world.twin.cloud.dump()
    assert state["cens"] == {} and [e for e in state["route_entries"].values() if e.get("Type") == "Custom"] == []
