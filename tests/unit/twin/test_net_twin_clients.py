"""NetTwin(clients=N) (benchmark P3): the bulk client hosts' layout, computed from the seed's state without root.

The hosts themselves (sshd, podman, a real pull) run in tests/e2e/test_bench_p3_smoke.py.
"""

import ipaddress
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "e2e"))

from acr_twin import Twin  # noqa: E402
from net_twin import reconciler, topology as topo  # noqa: E402


@pytest.fixture(scope="module")
def seed_state():
    return Twin(fixture="seed", time_scale=0.0).cloud.dump()


def test_clients_take_free_addresses_of_the_source_vswitch(seed_state):
    hosts = dict(topo.SEED_HOSTS, **topo.BIND_HOSTS_CLIENT)
    hosts.update(topo.client_hosts(seed_state, 100))
    layout = topo.build("t", seed_state, hosts)
    clients = [h for h in layout["hosts"].values() if h["routes_once"]]
    assert sorted(h["name"] for h in clients) == ["client-%03d" % n for n in range(1, 101)]
    cidr = ipaddress.ip_network(seed_state["vswitches"][topo.CLIENTS_VSWITCH]["CidrBlock"])
    gateway = topo.gateway_of(str(cidr))
    addresses = [h["ip"] for h in layout["hosts"].values()]
    assert len(set(addresses)) == len(addresses)  # none taken twice, the seed's clients (.1, .2) included
    for host in clients:
        assert ipaddress.ip_address(host["ip"]) in cidr and host["ip"] != gateway
        assert (host["vpc"], host["vswitch"], host["group"], host["user"]) == (topo.CLIENTS_VPC, topo.CLIENTS_VSWITCH, "registry_clients", "root")
        assert not host["engines"]  # podman only: no dockerd per host
    assert len(set(h["ns"] for h in layout["hosts"].values())) == len(layout["hosts"])
    assert len(set(h["router_dev"] for h in layout["hosts"].values())) == len(layout["hosts"])


def test_clients_route_through_the_vswitch_gateway_whatever_the_cloud_state(seed_state):
    layout = topo.build("t", seed_state, topo.client_hosts(seed_state, 3))
    empty = {"vpcs": {}, "transit_routers": {}}
    want = reconciler.desired(layout, empty)
    for host in layout["hosts"].values():
        routes = want[host["ns"]][reconciler.MAIN]
        assert routes["0.0.0.0/0"] == ("0.0.0.0/0", "unicast", host["gateway"], "eth0")
        assert routes[host["cidr"]] == (host["cidr"], "unicast", None, "eth0")


def test_more_clients_than_the_vswitch_holds_is_refused_with_the_count(seed_state):
    assert topo.client_hosts(seed_state, 0) == {}
    with pytest.raises(ValueError, match=r"clients=1000: the vSwitch vsw-uf6twin00000000000m1"):
        topo.client_hosts(seed_state, 1000)
