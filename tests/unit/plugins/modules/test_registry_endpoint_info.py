"""registry_endpoint_info, run inside a network namespace of the test against HTTPS servers on the namespace's lo.

The module runs as Ansible runs it on a probe host (a separate Python process), inside the
lab's namespace with the lab's /etc/hosts: no packet leaves the namespace.
"""

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "e2e"))

import probe_lab  # noqa: E402  (tests/e2e)
from ansible_collections.alicloud.acr_access.plugins.modules import registry_endpoint_info  # noqa: E402
from acr_twin import seed_ids as ids  # noqa: E402

REGION = "cn-hangzhou"
SEED = dict(instance_name=ids.INSTANCE_NAME, region=REGION)


def domain(name):
    return "%s-registry-vpc.%s.cr.aliyuncs.com" % (name, REGION)


# name -> (addresses in /etc/hosts, listener on the first address that has one, or None: nothing listens)
FAILURE_REGISTRIES = {
    "refused": (["10.94.0.2"], None),
    "full-queue": (["10.94.0.3"], dict(behaviour="full_queue")),
    "other-ca": (["10.94.0.4"], dict(behaviour="registry", ca="other", www_authenticate=[probe_lab.bearer(probe_lab.SEED_AUTH)])),
    "wrong-name": (["10.94.0.5"], dict(behaviour="registry", cert_domain="someone-else.example", www_authenticate=[probe_lab.bearer(probe_lab.SEED_AUTH)])),
    "status-200": (["10.94.0.6"], dict(behaviour="status", status=200, body="{}")),
    "basic-only": (["10.94.0.7"], dict(behaviour="status", status=401, www_authenticate=['Basic realm="Registry Realm"'])),
    "silent": (["10.94.0.8"], dict(behaviour="silent")),
    "no-header": (["10.94.0.9"], dict(behaviour="status", status=401)),
    "malformed": (["10.94.0.10"], dict(behaviour="status", status=401, www_authenticate=['Bearer realm="https://dockerauth-vpc.cn-hangzhou'])),
    "unavailable": (["10.94.0.11"], dict(behaviour="status", status=503, body="upstream connect error")),
    "lost-auth": (["10.94.0.12"], dict(behaviour="registry", www_authenticate=[probe_lab.bearer("dockerauth-vpc.cn-nowhere-1.aliyuncs.com")])),
}
# registries that answer well, with something to notice
GOOD_REGISTRIES = {
    "takeover": (["10.94.0.20"], dict(behaviour="registry", www_authenticate=[probe_lab.bearer(domain("takeover"), path="/service/token")])),
    "ee": (["10.94.0.21"], dict(behaviour="registry", www_authenticate=[probe_lab.bearer("dockerauth-ee-vpc.cn-hangzhou.aliyuncs.com")])),
    # two A records: the first refuses, the probe falls back to the second as curl does
    "multi": (["10.94.0.22", "10.94.0.23"], dict(behaviour="registry", www_authenticate=[probe_lab.bearer(probe_lab.SEED_AUTH)])),
}


def build_lab_spec():
    listeners, hosts = probe_lab.seed_listeners(bucket="my-bucket")
    hosts["dockerauth-ee-vpc.cn-hangzhou.aliyuncs.com"] = ["100.103.7.182"]
    hosts["far-bucket.oss-cn-hangzhou-internal.aliyuncs.com"] = ["100.64.1.1"]  # outside the published VIP ranges
    for name, (addresses, listener) in list(FAILURE_REGISTRIES.items()) + list(GOOD_REGISTRIES.items()):
        hosts[domain(name)] = addresses
        if listener:
            listeners.append(dict(listener, address=addresses[-1], domain=domain(name)))
    return listeners, hosts


@pytest.fixture(scope="module")
def lab():
    probe_lab.require_lab()
    listeners, hosts = build_lab_spec()
    with probe_lab.ProbeLab(listeners, hosts, prefix="acrrei") as built:
        yield built


@pytest.fixture
def probe(lab):
    def run(check_mode=False, **args):
        args.setdefault("ca_path", lab.ca_path)
        return lab.run_module("registry_endpoint_info", args, check_mode=check_mode)
    return run


def test_seed_endpoints_as_the_probe_host_sees_them(probe):
    result = probe(**SEED)
    assert not result.get("failed"), result
    assert result["changed"] is False
    assert {k: result["registry"][k] for k in ("domain", "addresses")} == dict(domain=probe_lab.SEED_REGISTRY, addresses=["10.94.205.198"])
    assert {k: result["auth"][k] for k in ("domain", "addresses", "takeover", "kind")} == dict(
        domain=ids.AUTH_DOMAIN, addresses=["100.103.7.181"], takeover=False, kind="dockerauth-vpc")
    assert result["auth"]["realm"] == "https://dockerauth-vpc.cn-hangzhou.aliyuncs.com/auth"
    assert result["auth"]["service"] == probe_lab.SEED_SERVICE
    assert {k: result["oss"][k] for k in ("domain", "addresses", "bucket", "outside_vip_ranges")} == dict(
        domain=ids.OSS_DOMAIN, addresses=["100.118.28.43"], bucket=None, outside_vip_ranges=[])
    assert result["probe"]["host"] == probe_lab.PROBE_HOSTNAME
    assert result["probe"]["address"] == "10.94.205.198"
    assert "getaddrinfo on ecs1-hangzhou" in result["registry"]["found_by"]
    assert "realm of the Bearer challenge of GET https://%s/v2/ (HTTP 401)" % probe_lab.SEED_REGISTRY in result["auth"]["found_by"]
    assert "internal OSS endpoint of region cn-hangzhou" in result["oss"]["found_by"]
    assert not result.get("warnings")


def test_custom_bucket_changes_the_oss_domain(probe):
    result = probe(oss_bucket="my-bucket", **SEED)
    assert result["oss"]["domain"] == "my-bucket.oss-cn-hangzhou-internal.aliyuncs.com"
    assert result["oss"]["addresses"] == ["100.118.28.44"]
    assert result["oss"]["bucket"] == "my-bucket"
    assert "custom bucket my-bucket" in result["oss"]["found_by"]


def test_registry_domain_alone_gives_the_region(probe):
    result = probe(registry_domain=probe_lab.SEED_REGISTRY.upper() + ".")
    assert result["registry"]["domain"] == probe_lab.SEED_REGISTRY
    assert result["oss"]["domain"] == ids.OSS_DOMAIN
    assert result["registry"]["found_by"].startswith("option registry_domain")


def test_check_mode_probes_too(probe):
    result = probe(check_mode=True, **SEED)
    assert result["registry"]["addresses"] == ["10.94.205.198"] and result["changed"] is False


def test_takeover_realm_on_the_instance_domain(probe):
    result = probe(instance_name="takeover", region=REGION)
    assert result["auth"]["takeover"] is True
    assert result["auth"]["kind"] == "takeover"
    assert result["auth"]["domain"] == domain("takeover")
    assert result["auth"]["addresses"] == ["10.94.0.20"]


def test_dockerauth_ee_vpc_form(probe):
    result = probe(instance_name="ee", region=REGION)
    assert (result["auth"]["domain"], result["auth"]["kind"], result["auth"]["takeover"]) == (
        "dockerauth-ee-vpc.cn-hangzhou.aliyuncs.com", "dockerauth-ee-vpc", False)
    assert result["auth"]["addresses"] == ["100.103.7.182"]


def test_all_a_records_and_fallback_to_the_next_address(probe):
    result = probe(instance_name="multi", region=REGION)
    assert result["registry"]["addresses"] == ["10.94.0.22", "10.94.0.23"]
    assert result["probe"]["address"] == "10.94.0.23"


def test_warns_when_the_registry_is_not_at_the_linked_vpc_address(probe):
    result = probe(expected_registry_addresses=["10.0.0.99"], **SEED)
    assert result["registry"]["unexpected_addresses"] == ["10.94.205.198"]
    assert any("10.94.205.198" in warning and "10.0.0.99" in warning for warning in probe_lab.warnings_of(result)), result.get("warnings")


def test_no_warning_when_the_registry_is_at_the_linked_vpc_address(probe):
    result = probe(expected_registry_addresses=["10.94.205.198"], **SEED)
    assert result["registry"]["unexpected_addresses"] == [] and not result.get("warnings")


def test_warns_when_oss_is_outside_the_published_vip_ranges(probe):
    result = probe(oss_bucket="far-bucket", **SEED)
    assert result["oss"]["outside_vip_ranges"] == ["100.64.1.1"]
    assert any("outside the published OSS VIP ranges" in warning for warning in probe_lab.warnings_of(result))


def test_validate_certs_false_accepts_an_unknown_ca(probe):
    result = probe(instance_name="other-ca", region=REGION, validate_certs=False)
    assert not result.get("failed"), result
    assert result["auth"]["domain"] == probe_lab.SEED_AUTH


FAILURES = [
    pytest.param(dict(instance_name="missing"), "dns",
                 ["the registry domain: DNS: no answer for missing-registry-vpc.cn-hangzhou.cr.aliyuncs.com", "/etc/hosts"], id="no-dns-answer"),
    pytest.param(dict(instance_name="lost-auth"), "dns",
                 ["the auth domain from the realm https://dockerauth-vpc.cn-nowhere-1.aliyuncs.com/auth: DNS: no answer"], id="auth-not-resolved"),
    pytest.param(dict(instance_name=ids.INSTANCE_NAME, oss_bucket="unknown-bucket"), "dns",
                 ["the OSS domain: DNS: no answer for unknown-bucket.oss-cn-hangzhou-internal.aliyuncs.com"], id="oss-not-resolved"),
    pytest.param(dict(instance_name="refused"), "tcp", ["TCP connection to %s (10.94.0.2) port 443 refused" % domain("refused")], id="tcp-refused"),
    pytest.param(dict(instance_name="full-queue", timeout=1), "tcp",
                 ["TCP connection to %s (10.94.0.3) port 443 timed out after 1.0s" % domain("full-queue")], id="tcp-timeout"),
    pytest.param(dict(instance_name="other-ca"), "tls",
                 ["TLS verification of %s (10.94.0.4) failed: self-signed certificate in certificate chain" % domain("other-ca"), "ca_path"],
                 id="tls-unknown-ca"),
    pytest.param(dict(instance_name="wrong-name"), "tls", ["TLS verification of %s" % domain("wrong-name"), "Hostname mismatch"], id="tls-wrong-name"),
    pytest.param(dict(instance_name=ids.INSTANCE_NAME, ca_path=None), "tls",
                 ["TLS verification of %s (10.94.205.198) failed: self-signed certificate in certificate chain" % probe_lab.SEED_REGISTRY],
                 id="tls-system-cas"),
    pytest.param(dict(instance_name=ids.INSTANCE_NAME, ca_path="/nonexistent/ca.pem"), "tls", ["cannot load the CA bundle ca_path=/nonexistent/ca.pem"],
                 id="tls-bad-ca-path"),
    pytest.param(dict(instance_name="silent", timeout=1), "tls", ["TLS handshake with %s (10.94.0.8) timed out after 1.0s" % domain("silent")],
                 id="tls-silent-port"),
    pytest.param(dict(instance_name="status-200"), "http", ["unexpected answer to GET https://%s/v2/ (10.94.0.6): HTTP 200 OK" % domain("status-200"),
                                                            "expected 401 with a Bearer challenge"], id="http-200"),
    pytest.param(dict(instance_name="unavailable"), "http", ["HTTP 503 Service Unavailable", "upstream connect error"], id="http-503"),
    pytest.param(dict(instance_name="basic-only"), "http", ["HTTP 401 with WWW-Authenticate Basic realm=\"Registry Realm\": no Bearer challenge"],
                 id="http-401-basic"),
    pytest.param(dict(instance_name="no-header"), "http", ["HTTP 401 without a WWW-Authenticate header"], id="http-401-no-header"),
    pytest.param(dict(instance_name="malformed"), "http", ["unterminated quoted string"], id="http-401-malformed"),
]


@pytest.mark.parametrize("args, stage, fragments", FAILURES)
def test_failure_names_what_failed(probe, args, stage, fragments):
    args = dict(args, region=REGION)
    result = probe(**args)
    assert result.get("failed") is True, result
    assert result["stage"] == stage
    for fragment in fragments:
        assert fragment in result["msg"]


@pytest.mark.parametrize("args, message", [
    (dict(region=REGION), "needs registry_domain, or instance_name together with region"),
    (dict(instance_name=ids.INSTANCE_NAME), "needs registry_domain, or instance_name together with region"),
    (dict(registry_domain="registry.example.com"), "region is required: registry.example.com is not an instance system domain"),
    (dict(instance_name=ids.INSTANCE_NAME, region=REGION, oss_bucket="Bad_Bucket"), "invalid OSS bucket name 'Bad_Bucket'"),
])
def test_bad_input_fails_before_any_traffic(run_module, args, message):
    # in-process, outside any namespace: these must fail before resolving or connecting anything
    result = run_module(registry_endpoint_info.main, args)
    assert result["failed"] is True
    assert message in result["msg"]


@pytest.mark.parametrize("args, name", [
    (dict(timeout=0), "timeout"),
    (dict(timeout=-2.5), "timeout"),
    (dict(port=0), "port"),
    (dict(port=65536), "port"),
])
def test_bad_numbers_fail_before_any_traffic(run_module, args, name):
    result = run_module(registry_endpoint_info.main, dict(args, registry_domain="localhost", region=REGION))
    assert result["failed"] is True and result["msg"].startswith(name + " must be ") and "stage" not in result


def test_one_rule_for_the_registry_domain_and_the_instance_domains():
    from ansible_collections.alicloud.acr_access.plugins.module_utils.registry_probe import own_domains, registry_target
    assert registry_target("ACR-Twin-registry-vpc.cn-hangzhou.cr.aliyuncs.com.", "other", REGION) == (
        ids.REGISTRY_DOMAIN, "option registry_domain")
    assert registry_target(None, ids.INSTANCE_NAME, REGION) == (domain(ids.INSTANCE_NAME), "option instance_name + region")
    assert registry_target(None, ids.INSTANCE_NAME, None) is None
    # Without region, the region of a system domain gives the instance's other system domains (both modules alike).
    assert own_domains("custom-registry-vpc.cn-shanghai.cr.aliyuncs.com", ids.INSTANCE_NAME, None, ["r.example.com"]) == [
        "custom-registry-vpc.cn-shanghai.cr.aliyuncs.com", "r.example.com",
        "acr-twin-registry-vpc.cn-shanghai.cr.aliyuncs.com", "acr-twin-registry.cn-shanghai.cr.aliyuncs.com"]
    assert own_domains("registry.example.com", ids.INSTANCE_NAME, None) == ["registry.example.com"]
