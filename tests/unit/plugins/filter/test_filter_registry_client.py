"""The role registry_client's filters: hosts_entries (the access plan's rule) and registry_verify_table.

Controller plugins: ansible-test runs these with the controller's packages, not in a module's sandbox.
"""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.alicloud.acr_access.plugins.filter.registry_client import hosts_entries

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
    with pytest.raises(AnsibleFilterError, match="auth.addresses is empty"):
        hosts_entries(dict(fact, auth=dict(domain="a.example", addresses=[])))
    with pytest.raises(AnsibleFilterError, match="no oss.domain"):
        hosts_entries(dict(fact, oss={}))
