"""cr_auth_domain_takeover: the takeover state read from the registry's realm, inside a namespace of the test.

The "console switch" is a test server whose realm changes after a number of requests, so
waiting is tested by counting probes, not by timing them.
"""

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "e2e"))

import probe_lab  # noqa: E402  (tests/e2e)
from ansible_collections.alicloud.acr_access.plugins.modules import cr_auth_domain_takeover  # noqa: E402

REGION = "cn-hangzhou"
SHARED_AUTH = probe_lab.bearer(probe_lab.SEED_AUTH)


def domain(name):
    return "%s-registry-vpc.%s.cr.aliyuncs.com" % (name, REGION)


def own_realm(name):
    return probe_lab.bearer(domain(name), path="/service/token")


# name -> (address, challenge headers, optional switch after N requests to `then`)
REGISTRIES = {
    "acr-off": ("10.94.1.1", [SHARED_AUTH], None),
    "acr-on": ("10.94.1.2", [own_realm("acr-on")], None),
    "acr-turned-on": ("10.94.1.3", [SHARED_AUTH], (2, [own_realm("acr-turned-on")])),
    "acr-turned-off": ("10.94.1.4", [own_realm("acr-turned-off")], (1, [SHARED_AUTH])),
    "acr-internet": ("10.94.1.5", [probe_lab.bearer("acr-internet-registry.cn-hangzhou.cr.aliyuncs.com")], None),
    "acr-check": ("10.94.1.6", [SHARED_AUTH], (1, [own_realm("acr-check")])),
}


@pytest.fixture(scope="module")
def lab():
    probe_lab.require_lab()
    listeners, hosts = [], {probe_lab.SEED_AUTH: [probe_lab.SEED_AUTH_IP]}
    for name, (address, challenges, switch) in REGISTRIES.items():
        listener = dict(address=address, domain=domain(name), behaviour="registry", www_authenticate=challenges)
        if switch:
            listener.update(switch_after=switch[0], then=switch[1])
        listeners.append(listener)
        hosts[domain(name)] = [address]
    with probe_lab.ProbeLab(listeners, hosts, prefix="acrtko") as built:
        yield built


@pytest.fixture
def takeover(lab):
    def run(name, check_mode=False, **args):
        args = dict(args, instance_name=name, region=REGION, ca_path=lab.ca_path)
        return lab.run_module("cr_auth_domain_takeover", args, check_mode=check_mode)
    return run


def test_reports_takeover_off(takeover):
    result = takeover("acr-off")
    assert not result.get("failed"), result
    assert (result["enabled"], result["kind"], result["auth_domain"], result["changed"]) == (False, "dockerauth-vpc", probe_lab.SEED_AUTH, False)
    assert result["realm"] == "https://%s/auth" % probe_lab.SEED_AUTH
    assert result["probes"] == 1


def test_reports_takeover_on(takeover):
    result = takeover("acr-on")
    assert (result["enabled"], result["kind"], result["auth_domain"]) == (True, "takeover", domain("acr-on"))


def test_realm_on_a_listed_instance_domain_is_takeover(takeover):
    assert takeover("acr-internet")["enabled"] is True  # the internet domain is derived from instance_name + region


def test_enabled_and_on_is_ok_without_change(takeover):
    result = takeover("acr-on", state="enabled")
    assert not result.get("failed") and result["changed"] is False and result["enabled"] is True


def test_enabled_but_off_fails_with_the_console_path(takeover):
    result = takeover("acr-off", state="enabled")
    assert result["failed"] is True
    assert result["enabled"] is False
    message = result["msg"]
    assert 'Container Registry console > Instances > acr-off > Domain: "Instance Taking over Authentication Domain Name"' in message
    assert "turn it on" in message and "submit a ticket" in message and "allow-listed" in message
    assert "There is no API for this setting" in message
    assert result["console_path"].startswith("Container Registry console > Instances > acr-off")


def test_disabled_but_on_fails_with_the_console_path(takeover):
    result = takeover("acr-on", state="disabled")
    assert result["failed"] is True
    assert "turn it off in the Container Registry console > Instances > acr-on > Domain" in result["msg"]


def test_wait_until_someone_turns_it_on(takeover):
    # the server's realm switches to the instance domain after 2 answers: the third probe sees it
    result = takeover("acr-turned-on", state="enabled", wait=True, wait_timeout=60, poll_interval=0.05)
    assert not result.get("failed"), result
    assert (result["enabled"], result["probes"], result["changed"]) == (True, 3, False)


def test_wait_until_someone_turns_it_off(takeover):
    result = takeover("acr-turned-off", state="disabled", wait=True, wait_timeout=60, poll_interval=0.05)
    assert not result.get("failed"), result
    assert (result["enabled"], result["probes"]) == (False, 2)


def test_wait_gives_up_after_wait_timeout(takeover):
    result = takeover("acr-off", state="enabled", wait=True, wait_timeout=1, poll_interval=0.2)
    assert result["failed"] is True
    assert result["msg"].startswith("Waited 1s (")
    assert result["probes"] >= 2
    assert "Instance Taking over Authentication Domain Name" in result["msg"]


def test_check_mode_warns_and_does_not_wait(takeover):
    # the server would switch after one answer: a waiting module would see it on, check mode must not wait
    result = takeover("acr-check", check_mode=True, state="enabled", wait=True, wait_timeout=60, poll_interval=0.05)
    assert not result.get("failed"), result
    assert (result["enabled"], result["probes"], result["changed"]) == (False, 1, False)
    assert any("Instance Taking over Authentication Domain Name" in warning for warning in probe_lab.warnings_of(result))


def test_probe_failure_names_the_stage(takeover):
    result = takeover("acr-missing", state="enabled")
    assert result["failed"] is True
    assert result["stage"] == "dns"
    assert result["msg"].startswith("Cannot read the takeover state: DNS: no answer for %s" % domain("acr-missing"))


def test_needs_a_registry(run_module):
    result = run_module(cr_auth_domain_takeover.main, dict(state="enabled"))
    assert result["failed"] is True and "needs registry_domain, or instance_name together with region" in result["msg"]


@pytest.mark.parametrize("args, name", [
    (dict(poll_interval=0), "poll_interval"),
    (dict(poll_interval=-1), "poll_interval"),
    (dict(timeout=0), "timeout"),
    (dict(wait_timeout=-5), "wait_timeout"),
    (dict(port=0), "port"),
    (dict(port=70000), "port"),
])
def test_bad_numbers_fail_before_any_probe(run_module, args, name):
    # localhost: were it probed, only 127.0.0.1 would see it (and the failure would name a stage)
    result = run_module(cr_auth_domain_takeover.main, dict(args, registry_domain="localhost", state="enabled", wait=True))
    assert result["failed"] is True and result["msg"].startswith(name + " must be ") and "stage" not in result
    assert "give %s" % name in result["msg"]  # and the fix
