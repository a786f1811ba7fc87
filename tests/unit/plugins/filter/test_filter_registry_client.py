"""The role registry_client's filters: registry_client_plan (what its tasks need), hosts_entries (the access plan's rule)
and registry_verify_table.

Controller plugins: ansible-test runs these with the controller's packages, not in a module's sandbox.
"""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.alicloud.acr_access.plugins.filter.registry_client import hosts_entries, registry_client_plan
from ansible_collections.alicloud.acr_access.plugins.module_utils.role_plan import verify_endpoints

REGISTRY = "acr-twin-registry-vpc.cn-hangzhou.cr.aliyuncs.com"


def test_hosts_entries_filter_matches_the_plan():
    fact = dict(instance_id="cri-x", takeover=False, registry=dict(domain=REGISTRY, addresses=["10.94.205.198"], found_by="x"),
                auth=dict(domain="dockerauth-vpc.cn-hangzhou.aliyuncs.com", addresses=["100.103.7.181"], realm="r"),
                oss=dict(domain="oss-cn-hangzhou-internal.aliyuncs.com", addresses=["100.118.28.43"]))
    assert hosts_entries(fact) == [dict(ip="10.94.205.198", names=[REGISTRY]),
                                   dict(ip="100.103.7.181", names=["dockerauth-vpc.cn-hangzhou.aliyuncs.com"]),
                                   dict(ip="100.118.28.43", names=["oss-cn-hangzhou-internal.aliyuncs.com"])]
    takeover = dict(fact, takeover=True, auth=dict(domain=REGISTRY.replace("-vpc", ""), addresses=[]))
    assert hosts_entries(takeover)[0] == dict(ip="10.94.205.198", names=[REGISTRY, REGISTRY.replace("-vpc", "")])
    assert hosts_entries(dict(takeover, takeover="yes")) == hosts_entries(takeover)
    assert hosts_entries(dict(fact, takeover="false")) == hosts_entries(fact)  # an extra variable's string, as the bool filter reads it
    with pytest.raises(AnsibleFilterError, match="auth.addresses is empty"):
        hosts_entries(dict(fact, auth=dict(domain="a.example", addresses=[])))
    with pytest.raises(AnsibleFilterError, match="no oss.domain"):
        hosts_entries(dict(fact, oss={}))


def test_registry_client_plan_checks_the_endpoints_then_gives_what_the_tasks_need():
    fact = dict(instance_id="cri-x", region="cn-hangzhou", takeover=False, registry=dict(domain=REGISTRY, addresses=["10.94.205.198"]),
                auth=dict(domain="dockerauth-vpc.cn-hangzhou.aliyuncs.com", addresses=["100.103.7.181"]),
                oss=dict(domain="oss-cn-hangzhou-internal.aliyuncs.com", addresses=["100.118.28.43"]))
    plan = registry_client_plan(fact, "podman")
    assert plan == dict(instance_id="cri-x", registry=REGISTRY, ca_path="/etc/containers/certs.d/%s/ca.crt" % REGISTRY,
                        entries=hosts_entries(fact), targets=verify_endpoints(fact, hosts_entries(fact)))
    assert registry_client_plan(fact)["ca_path"] == "/etc/docker/certs.d/%s/ca.crt" % REGISTRY
    # given entries win, and the verification expects a domain where they map it (an OSS PrivateLink endpoint)
    given = [dict(ip="10.94.205.198", names=[REGISTRY]), dict(ip="10.0.0.201", names=["oss-cn-hangzhou-internal.aliyuncs.com"])]
    plan = registry_client_plan(fact, "docker", given)
    assert plan["entries"] == given and plan["targets"]["oss"]["addresses"] == ["10.0.0.201"]
    assert plan["targets"]["auth"]["addresses"] == ["100.103.7.181"]
    # with takeover the auth domain is checked at the registry's addresses
    assert registry_client_plan(dict(fact, takeover=True))["targets"]["auth"]["addresses"] == ["10.94.205.198"]


@pytest.mark.parametrize("endpoints, state, missing", [
    ({}, "present", "instance_id and registry.domain and auth.domain and oss.domain missing"),
    (None, "absent", "instance_id and registry.domain missing"),
    ({"instance_id": "cri-x", "registry": {"domain": REGISTRY}, "auth": {"domain": "a.example"}, "oss": {}}, "present", "oss.domain missing"),
    ({"instance_id": "", "registry": {"domain": REGISTRY}}, "absent", "instance_id missing"),
])
def test_registry_client_plan_names_every_missing_field(endpoints, state, missing):
    with pytest.raises(AnsibleFilterError, match="^registry_client_endpoints: %s; give the registry_endpoints fact" % missing):
        registry_client_plan(endpoints, "docker", [], state)


def test_registry_client_plan_for_absent_needs_no_address():
    plan = registry_client_plan({"instance_id": "cri-x", "registry": {"domain": REGISTRY}}, "docker", [], "absent")
    assert plan == dict(instance_id="cri-x", registry=REGISTRY, ca_path="/etc/docker/certs.d/%s/ca.crt" % REGISTRY, entries=[], targets=None)
    with pytest.raises(AnsibleFilterError, match="registry_client_endpoints: registry.addresses is empty: run step 2"):
        registry_client_plan({"instance_id": "cri-x", "registry": {"domain": REGISTRY}, "auth": {"domain": "a.example"},
                              "oss": {"domain": "o.example"}})
