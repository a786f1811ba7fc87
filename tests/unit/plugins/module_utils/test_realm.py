"""The WWW-Authenticate parser and the auth domain classification (pure code, table-driven)."""

import pytest

from ansible_collections.alicloud.acr_access.plugins.module_utils.realm import (
    RealmError, auth_domain_of, classify_auth_domain, is_takeover, parse_bearer, parse_challenges,
)

INSTANCE = "acr-twin-registry-vpc.cn-hangzhou.cr.aliyuncs.com"

# (header value(s), realm, service, scope, auth domain): what registries send, and what clients must cope with
BEARER_HEADERS = [
    pytest.param('Bearer realm="https://dockerauth-vpc.cn-hangzhou.aliyuncs.com/auth",service="registry.aliyuncs.com:cn-hangzhou:26842"',
                 "https://dockerauth-vpc.cn-hangzhou.aliyuncs.com/auth", "registry.aliyuncs.com:cn-hangzhou:26842", None,
                 "dockerauth-vpc.cn-hangzhou.aliyuncs.com", id="acr-ee-vpc"),
    pytest.param('Bearer realm="https://dockerauth-ee-vpc.cn-beijing.aliyuncs.com/auth",service="registry.aliyuncs.com:cn-beijing:1234"',
                 "https://dockerauth-ee-vpc.cn-beijing.aliyuncs.com/auth", "registry.aliyuncs.com:cn-beijing:1234", None,
                 "dockerauth-ee-vpc.cn-beijing.aliyuncs.com", id="acr-dockerauth-ee"),
    pytest.param('Bearer realm="https://%s/service/token",service="registry.aliyuncs.com:cn-hangzhou:26842"' % INSTANCE,
                 "https://%s/service/token" % INSTANCE, "registry.aliyuncs.com:cn-hangzhou:26842", None, INSTANCE, id="acr-takeover"),
    pytest.param('Bearer realm="https://auth.docker.io/token",service="registry.docker.io"',
                 "https://auth.docker.io/token", "registry.docker.io", None, "auth.docker.io", id="docker-hub"),
    pytest.param('Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:user/image:pull"',
                 "https://ghcr.io/token", "ghcr.io", "repository:user/image:pull", "ghcr.io", id="ghcr-with-scope"),
    pytest.param('Bearer realm="https://harbor.example.com/service/token",service="harbor-registry"',
                 "https://harbor.example.com/service/token", "harbor-registry", None, "harbor.example.com", id="harbor"),
    pytest.param('Bearer realm="https://auth.example:5001/auth",service="Docker registry"',
                 "https://auth.example:5001/auth", "Docker registry", None, "auth.example", id="distribution-port-in-realm"),
    pytest.param('bearer REALM = "https://Auth.Example.COM/auth" ,  Service="s"',
                 "https://Auth.Example.COM/auth", "s", None, "auth.example.com", id="case-and-whitespace"),
    pytest.param('Bearer realm=https://a.example/auth,service=registry',
                 "https://a.example/auth", "registry", None, "a.example", id="unquoted-values"),
    pytest.param('Bearer realm="https://a.example/auth",service="s",scope="repository:samalba/my-app:pull,push"',
                 "https://a.example/auth", "s", "repository:samalba/my-app:pull,push", "a.example", id="comma-inside-quotes"),
    pytest.param('Bearer realm="https://a.example/auth",error="invalid_token",error_description="The \\"token\\" expired \\\\ renew"',
                 "https://a.example/auth", None, None, "a.example", id="escaped-quotes-extra-params"),
    pytest.param('Basic realm="Registry Realm", Bearer realm="https://a.example/auth",service="s"',
                 "https://a.example/auth", "s", None, "a.example", id="basic-then-bearer"),
    pytest.param(['Basic realm="Registry Realm"', 'Bearer realm="https://a.example/auth",service="s"'],
                 "https://a.example/auth", "s", None, "a.example", id="two-header-lines"),
    pytest.param('Negotiate YIIBhwYGKwYBBQUCoIIBezCCAXeg==, Bearer realm="https://a.example/auth"',
                 "https://a.example/auth", None, None, "a.example", id="token68-then-bearer"),
    pytest.param(' , Bearer realm="https://a.example/auth",, service="s" ,',
                 "https://a.example/auth", "s", None, "a.example", id="empty-list-elements"),
    pytest.param('Bearer realm="https://a.example./auth"', "https://a.example./auth", None, None, "a.example", id="trailing-dot"),
]


@pytest.mark.parametrize("header, realm, service, scope, domain", BEARER_HEADERS)
def test_parse_bearer(header, realm, service, scope, domain):
    challenge = parse_bearer(header)
    assert (challenge.realm, challenge.service, challenge.scope, challenge.auth_domain) == (realm, service, scope, domain)


def test_extra_parameters_are_kept_and_unescaped():
    challenge = parse_bearer('Bearer realm="https://a/auth",error="invalid_token",error_description="The \\"token\\" expired"')
    assert challenge.params["error"] == "invalid_token"
    assert challenge.params["error_description"] == 'The "token" expired'


def test_several_challenges_in_order():
    challenges = parse_challenges('Basic realm="r1", Negotiate abc==, Bearer realm="https://a/auth",service="s"')
    assert [c.scheme for c in challenges] == ["basic", "negotiate", "bearer"]
    assert challenges[0].params == {"realm": "r1"}
    assert challenges[1].token68 == "abc=="
    assert challenges[2].params == {"realm": "https://a/auth", "service": "s"}


def test_scheme_without_parameters():
    assert parse_challenges("Bearer, Basic realm=x") == [("bearer", {}, None), ("basic", {"realm": "x"}, None)]


MALFORMED = [
    pytest.param("", "empty", id="empty"),
    pytest.param("  ,  ", "empty", id="only-commas"),
    pytest.param('Bearer realm="https://a/auth', "unterminated quoted string", id="unterminated-quote"),
    pytest.param('Bearer realm="https://a/auth\\', "unterminated quoted string", id="escape-at-end"),
    pytest.param('Bearer realm="https://a/auth" service="s"', "expected ','", id="missing-comma"),
    pytest.param('Bearer service="s",scope="x"', "no realm", id="no-realm"),
    pytest.param('Bearer realm=""', "no realm", id="empty-realm"),
    pytest.param('Bearer realm="/auth"', "not an http(s) URL", id="relative-realm"),
    pytest.param('Bearer realm="ftp://a.example/auth"', "not an http(s) URL", id="ftp-realm"),
    pytest.param('Bearer realm="https:///auth"', "not an http(s) URL", id="realm-without-host"),
    pytest.param('Basic realm="Registry Realm"', "no Bearer challenge in the WWW-Authenticate header (found: basic)", id="basic-only"),
    pytest.param('Bearer realm="https://a/x",realm="https://b/y"', "appears twice", id="duplicate-param"),
    pytest.param('="x"', "expected an auth scheme", id="no-scheme"),
    pytest.param('Bearer realm=,service="s"', "unexpected character '='", id="empty-bare-value"),
    pytest.param('Bearer"realm"', "unexpected character", id="quote-after-scheme"),
]


@pytest.mark.parametrize("header, message", MALFORMED)
def test_malformed_headers_raise_a_clear_error(header, message):
    with pytest.raises(RealmError) as raised:
        parse_bearer(header)
    assert message in str(raised.value)


@pytest.mark.parametrize("domain, instance_domains, kind", [
    ("dockerauth-vpc.cn-hangzhou.aliyuncs.com", [INSTANCE], "dockerauth-vpc"),
    ("dockerauth-ee-vpc.cn-hangzhou.aliyuncs.com", [INSTANCE], "dockerauth-ee-vpc"),
    ("dockerauth-ee-vpc-beijing.aliyuncs.com", [], "dockerauth-ee-vpc"),  # the console's own example spelling
    (INSTANCE, [INSTANCE], "takeover"),
    (INSTANCE.upper() + ".", [INSTANCE], "takeover"),
    ("acr-twin-registry.cn-hangzhou.cr.aliyuncs.com", [INSTANCE, "acr-twin-registry.cn-hangzhou.cr.aliyuncs.com"], "takeover"),
    (INSTANCE, [], "other"),  # without knowing the instance's domains, no takeover is claimed
    ("other-registry-vpc.cn-hangzhou.cr.aliyuncs.com", [INSTANCE], "other"),
    ("dockerauth.cn-hangzhou.aliyuncs.com", [INSTANCE], "other"),  # the internet auth service, not the VPC one
    ("auth.docker.io", [INSTANCE], "other"),
])
def test_classify_auth_domain(domain, instance_domains, kind):
    assert classify_auth_domain(domain, instance_domains) == kind
    assert is_takeover(domain, instance_domains) is (kind == "takeover")


def test_auth_domain_of_strips_port_user_and_case():
    assert auth_domain_of("https://user@Auth.Example:8443/a?b=c") == "auth.example"
