"""registry_probe: name rules, options, and the resolve -> TCP -> TLS -> GET /v2/ probe against HTTPS servers on 127.0.0.x.

Every server listens on a loopback address of this host (127.0.0.1, 127.0.0.2); names are resolved from
/etc/hosts (``localhost``) or fail before any query leaves (an invalid label), so no packet leaves the host.
The last part checks client_verify's host chain, which runs on these functions: its report must stay as it was.
"""

import os
import select
import socket
import ssl
import sys
import threading

import pytest

from ansible_collections.alicloud.acr_access.plugins.module_utils import client_verify
from ansible_collections.alicloud.acr_access.plugins.module_utils import registry_probe as rp

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "e2e"))
import probe_lab  # noqa: E402  (tests/e2e: the test CA and the lab's HTTPS server)

AUTH = "dockerauth-vpc.cn-hangzhou.aliyuncs.com"
BEARER = probe_lab.bearer(AUTH)
INVALID_NAME = "a..b"  # an empty label: the resolver refuses it before sending anything


# ---------------------------------------------------------------- pure helpers

def test_registry_domains_and_their_region():
    assert rp.registry_vpc_domain("acr-twin", "cn-hangzhou") == "acr-twin-registry-vpc.cn-hangzhou.cr.aliyuncs.com"
    assert rp.region_of_registry_domain("ACR-Twin-registry-vpc.cn-hangzhou.cr.aliyuncs.com") == "cn-hangzhou"
    assert rp.region_of_registry_domain("acr-twin-registry.ap-southeast-1.cr.aliyuncs.com") == "ap-southeast-1"
    assert rp.region_of_registry_domain("registry.example.com") is None
    assert rp.region_of_registry_domain("acr-twin.cn-hangzhou.cr.aliyuncs.com") is None  # no -registry part


def test_registry_target_prefers_the_domain_option():
    assert rp.registry_target("Reg.Example.COM.", "acr-twin", "cn-hangzhou") == ("reg.example.com", "option registry_domain")
    by_name = ("acr-twin-registry-vpc.cn-hangzhou.cr.aliyuncs.com", "option instance_name + region")
    assert rp.registry_target(None, "acr-twin", "cn-hangzhou") == by_name
    assert rp.registry_target(None, "acr-twin", None) is None
    assert rp.registry_target(None, None, "cn-hangzhou") is None


def test_own_domains_take_the_region_from_a_system_domain():
    domains = rp.own_domains("acr-twin-registry-vpc.cn-hangzhou.cr.aliyuncs.com", "acr-twin", None, ["reg.example.com"])
    assert domains == ["acr-twin-registry-vpc.cn-hangzhou.cr.aliyuncs.com", "reg.example.com",
                       "acr-twin-registry-vpc.cn-hangzhou.cr.aliyuncs.com", "acr-twin-registry.cn-hangzhou.cr.aliyuncs.com"]
    assert rp.own_domains("reg.example.com", "acr-twin", None) == ["reg.example.com"]  # custom domain, no region: nothing to add
    assert rp.own_domains("reg.example.com", None, "cn-hangzhou", None) == ["reg.example.com"]


@pytest.mark.parametrize("params, problem", [
    (dict(port=443, timeout=5), None),
    (dict(port=None, timeout=None), None),
    (dict(port=0), "port must be from 1 to 65535, not 0"),
    (dict(port=65536), "port must be from 1 to 65535, not 65536"),
    (dict(timeout=0), "timeout must be a positive number of seconds, not 0"),
    (dict(poll_interval=-1), "poll_interval must be a positive number of seconds, not -1"),
    (dict(wait_timeout=0.0), "wait_timeout must be a positive number of seconds, not 0.0"),
])
def test_probe_option_problem(params, problem):
    found = rp.probe_option_problem(params)
    if problem is None:
        assert found is None
    else:
        assert found is not None and found.startswith(problem)


# ---------------------------------------------------------------- resolve and the TLS context

def test_resolve_reads_etc_hosts():
    assert rp.resolve("localhost") == ["127.0.0.1"]


def test_resolve_failure_is_a_dns_stage_error_with_its_cause():
    with pytest.raises(rp.ProbeError) as raised:
        rp.resolve(INVALID_NAME)
    assert raised.value.stage == "dns" and raised.value.details == dict(name=INVALID_NAME)
    assert str(raised.value).startswith("DNS: no answer for a..b on this host (")
    assert "Add it to /etc/hosts" in str(raised.value)
    assert isinstance(raised.value.cause, UnicodeError)


def test_resolve_keeps_the_resolver_order_without_duplicates(monkeypatch):
    def getaddrinfo(name, port, family, kind):
        assert (name, port, family, kind) == ("reg.example", 8443, socket.AF_INET, socket.SOCK_STREAM)
        return [(family, kind, 6, "", (address, port)) for address in ("10.0.0.2", "10.0.0.1", "10.0.0.2")]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    assert rp.resolve("reg.example", 8443) == ["10.0.0.2", "10.0.0.1"]


def test_tls_context_variants(tmp_path):
    assert rp.tls_context(validate_certs=False).verify_mode == ssl.CERT_NONE
    assert rp.tls_context(validate_certs=False).check_hostname is False
    strict = rp.tls_context()
    assert strict.verify_mode == ssl.CERT_REQUIRED and strict.check_hostname is True
    with pytest.raises(rp.ProbeError) as raised:
        rp.tls_context(ca_path=str(tmp_path / "missing.pem"))
    assert raised.value.stage == "tls" and "cannot load the CA bundle ca_path=%s" % (tmp_path / "missing.pem") in str(raised.value)
    (tmp_path / "junk.pem").write_text("not a certificate")
    with pytest.raises(rp.ProbeError, match="cannot load the CA bundle"):
        rp.tls_context(ca_path=str(tmp_path / "junk.pem"))


# ---------------------------------------------------------------- servers on loopback

@pytest.fixture(scope="module")
def cas(tmp_path_factory):
    directory = str(tmp_path_factory.mktemp("probe-ca"))
    return dict(trusted=probe_lab.TestCA(directory, name="probe test CA"), other=probe_lab.TestCA(directory, name="untrusted CA"))


class Servers:
    """Starts servers on 127.0.0.x and stops them all at the end of the test."""

    def __init__(self, cas):
        self.cas = cas
        self._stop = []

    def https(self, address="127.0.0.1", port=0, ca="trusted", cert_domain="localhost", **listener):
        """probe_lab's HTTPS server: behaviour "registry" (401 + www_authenticate) or "status" (status, www_authenticate, body)."""
        listener.setdefault("behaviour", "registry")
        cert, key = self.cas[ca].issue(cert_domain)
        server = probe_lab.TLSServer(dict(listener, address=address, port=port, cert=cert, key=key, domain=cert_domain))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self._stop.append(lambda: (server.shutdown(), server.server_close()))
        return server.server_address[1]

    def raw(self, answer=None, address="127.0.0.1"):
        """A TCP server that accepts and then sends ``answer`` (not TLS), or nothing at all (None): held until the test ends."""
        server = socket.create_server((address, 0))
        held = []

        def accept():
            while True:
                try:
                    conn = server.accept()[0]
                except OSError:
                    return
                held.append(conn)
                if answer is not None:
                    conn.sendall(answer)

        threading.Thread(target=accept, daemon=True).start()
        self._stop.append(lambda: [sock.close() for sock in held + [server]])
        return server.getsockname()[1]

    def full_queue(self, address="127.0.0.1"):
        """Listens with a full accept queue and never accepts: the kernel drops new SYNs, so connecting times out."""
        server = socket.socket()
        server.bind((address, 0))
        server.listen(0)
        port = server.getsockname()[1]
        fillers = []
        while probe_lab._accept_queue(server)[0] <= probe_lab._accept_queue(server)[1]:  # pylint: disable=protected-access
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex((address, port))
            assert select.select([], [filler], [], 10)[1], "filler did not connect"
            fillers.append(filler)
        self._stop.append(lambda: [sock.close() for sock in fillers + [server]])
        return port

    def closed_port(self, address="127.0.0.1"):
        """A port of ``address`` on which nothing listens (connection refused)."""
        with socket.create_server((address, 0)) as sock:
            return sock.getsockname()[1]

    def stop(self):
        for stop in reversed(self._stop):
            stop()


@pytest.fixture
def servers(cas):
    made = Servers(cas)
    yield made
    made.stop()


@pytest.fixture
def trusted(cas):
    return rp.tls_context(ca_path=cas["trusted"].ca_path)


# ---------------------------------------------------------------- probe_registry

def test_probe_reads_the_bearer_challenge(servers, trusted):
    port = servers.https(www_authenticate=[BEARER])
    found = rp.probe_registry("localhost", port=port, timeout=5, context=trusted)
    assert {k: found[k] for k in ("domain", "addresses", "address", "url", "status", "www_authenticate")} == dict(
        domain="localhost", addresses=["127.0.0.1"], address="127.0.0.1", url="https://localhost:%d/v2/" % port, status=401,
        www_authenticate=[BEARER])
    assert (found["challenge"].realm, found["challenge"].service, found["challenge"].auth_domain) == (
        "https://%s/auth" % AUTH, probe_lab.SEED_SERVICE, AUTH)


def test_probe_falls_back_to_the_next_address_only_after_a_tcp_failure(servers, trusted):
    port = servers.https(www_authenticate=[BEARER])  # 127.0.0.1 only: 127.0.0.2 refuses the same port
    found = rp.probe_registry("localhost", port=port, timeout=5, context=trusted, addresses=["127.0.0.2", "127.0.0.1"])
    assert found["address"] == "127.0.0.1" and found["addresses"] == ["127.0.0.2", "127.0.0.1"]


def test_probe_stops_at_an_address_that_answers_badly(servers, trusted):
    port = servers.https(ca="other", www_authenticate=[BEARER])
    servers.https(address="127.0.0.2", port=port, www_authenticate=[BEARER])  # would answer well, but is not tried
    with pytest.raises(rp.ProbeError) as raised:
        rp.probe_registry("localhost", port=port, timeout=5, context=trusted, addresses=["127.0.0.1", "127.0.0.2"])
    assert raised.value.stage == "tls" and raised.value.details == dict(address="127.0.0.1")


def test_probe_every_address_refused_raises_the_last_failure(servers, trusted):
    port = servers.closed_port()
    with pytest.raises(rp.ProbeError) as raised:
        rp.probe_registry("localhost", port=port, timeout=5, context=trusted, addresses=["127.0.0.1", "127.0.0.2"])
    assert raised.value.stage == "tcp" and raised.value.details == dict(address="127.0.0.2")
    assert str(raised.value).startswith("TCP connection to localhost (127.0.0.2) port %d refused: " % port)
    assert isinstance(raised.value.cause, ConnectionRefusedError)


def test_probe_without_addresses_is_a_dns_failure(trusted):
    with pytest.raises(rp.ProbeError) as raised:
        rp.probe_registry("localhost", port=443, context=trusted, addresses=[])
    assert (raised.value.stage, str(raised.value)) == ("dns", "DNS: no address for localhost.")


def test_probe_tcp_timeout(servers, trusted):
    port = servers.full_queue()
    with pytest.raises(rp.ProbeError) as raised:
        rp.probe_registry("localhost", port=port, timeout=0.5, context=trusted)
    assert raised.value.stage == "tcp"
    assert "TCP connection to localhost (127.0.0.1) port %d timed out after 0.5s" % port in str(raised.value)
    assert isinstance(raised.value.cause, socket.timeout)


@pytest.mark.parametrize("ca, cert_domain, fragment", [
    ("other", "localhost", "TLS verification of localhost (127.0.0.1) failed: self-signed certificate in certificate chain. Give the CA bundle"),
    ("trusted", "someone-else.example", "TLS verification of localhost (127.0.0.1) failed: Hostname mismatch"),
])
def test_probe_tls_verification_failures(servers, trusted, ca, cert_domain, fragment):
    port = servers.https(ca=ca, cert_domain=cert_domain, www_authenticate=[BEARER])
    with pytest.raises(rp.ProbeError) as raised:
        rp.probe_registry("localhost", port=port, timeout=5, context=trusted)
    assert raised.value.stage == "tls" and fragment in str(raised.value)
    assert isinstance(raised.value.cause, ssl.SSLCertVerificationError)
    # validate_certs=false: the same server is probed without a check
    assert rp.probe_registry("localhost", port=port, timeout=5, context=rp.tls_context(validate_certs=False))["status"] == 401


def test_probe_tls_silent_port_times_out(servers, trusted):
    port = servers.raw(answer=None)
    with pytest.raises(rp.ProbeError) as raised:
        rp.probe_registry("localhost", port=port, timeout=0.5, context=trusted)
    assert raised.value.stage == "tls"
    assert str(raised.value) == ("TLS handshake with localhost (127.0.0.1) timed out after 0.5s: the port accepts TCP but does not speak TLS.")


def test_probe_tls_plain_http_port(servers, trusted):
    port = servers.raw(answer=b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    with pytest.raises(rp.ProbeError) as raised:
        rp.probe_registry("localhost", port=port, timeout=5, context=trusted)
    assert raised.value.stage == "tls" and str(raised.value).startswith("TLS handshake with localhost (127.0.0.1) failed: ")
    assert isinstance(raised.value.cause, (ssl.SSLError, OSError))


@pytest.mark.parametrize("listener, fragment", [
    (dict(behaviour="status", status=200, body='{"ok": true}'),
     'HTTP 200 OK (expected 401 with a Bearer challenge, as an anonymous request to a registry gets): {"ok": true}'),
    (dict(behaviour="status", status=503, body=""), "HTTP 503 Service Unavailable (expected 401 with a Bearer challenge"),
    (dict(behaviour="status", status=401), "HTTP 401 without a WWW-Authenticate header (expected 401 with a Bearer challenge"),
    (dict(behaviour="status", status=401, www_authenticate=['Basic realm="Registry Realm"']),
     'HTTP 401 with WWW-Authenticate Basic realm="Registry Realm": no Bearer challenge in the WWW-Authenticate header (found: basic)'),
    (dict(behaviour="status", status=401, www_authenticate=['Bearer realm="https://dockerauth', 'Basic realm="x"']),
     'with WWW-Authenticate Bearer realm="https://dockerauth / Basic realm="x": unterminated quoted string'),
])
def test_probe_http_answers_that_are_not_a_registry(servers, trusted, listener, fragment):
    port = servers.https(**listener)
    with pytest.raises(rp.ProbeError) as raised:
        rp.probe_registry("localhost", port=port, timeout=5, context=trusted)
    assert raised.value.stage == "http" and raised.value.details["address"] == "127.0.0.1"
    assert raised.value.details["status"] == listener["status"]
    assert str(raised.value).startswith("unexpected answer to GET https://localhost:%d/v2/ (127.0.0.1): " % port)
    assert fragment in str(raised.value)


def test_probe_http_no_answer(servers, trusted):
    """TLS works, then the server closes without an HTTP answer."""
    cert, key = servers.cas["trusted"].issue("localhost")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = socket.create_server(("127.0.0.1", 0))

    def hang_up():
        conn = server.accept()[0]
        with context.wrap_socket(conn, server_side=True) as tls:
            tls.recv(1024)

    thread = threading.Thread(target=hang_up, daemon=True)
    thread.start()
    try:
        with pytest.raises(rp.ProbeError) as raised:
            rp.probe_registry("localhost", port=server.getsockname()[1], timeout=5, context=trusted)
    finally:
        thread.join(5)
        server.close()
    assert raised.value.stage == "http" and "failed: not an HTTP answer (RemoteDisconnected" in str(raised.value)


# ---------------------------------------------------------------- client_verify's host chain runs on the probe's steps

@pytest.fixture
def chain(monkeypatch):
    """``chain(kind, domain, planned, port, context, timeout)`` -> (address, checks, failures) of client_verify's host chain.

    The chain always connects to port 443; here that connection goes to the test server's ``port`` instead.
    """

    def run(kind, domain, planned, port, context, timeout=5):
        real = socket.create_connection

        def to_test_port(address, *args, **kwargs):
            host, wanted = address
            assert wanted == 443
            return real((host, port), *args, **kwargs)

        monkeypatch.setattr(socket, "create_connection", to_test_port)
        checks, failures = [], []

        def fail(check, kind, target, detail, extra):
            step, message = client_verify.explain(check, kind, target, detail, dict(dict(source_routes=[]), **extra))
            failures.append((check, step, message))

        try:
            address = client_verify._address_chain(kind, dict(domain=domain, addresses=planned), context, timeout, checks, fail)
        finally:
            monkeypatch.setattr(socket, "create_connection", real)
        return address, [(c["name"], c["kind"], c["target"], c["ok"], c["detail"]) for c in checks], failures

    return run


def test_chain_works(servers, trusted, chain):
    port = servers.https(www_authenticate=[BEARER])
    address, checks, failures = chain("registry", "localhost", ["127.0.0.1"], port, trusted)
    assert address == "127.0.0.1" and failures == []
    assert checks == [("resolve", "registry", "localhost", True, "resolves to 127.0.0.1"),
                      ("tcp", "registry", "127.0.0.1:443", True, "connected"),
                      ("tls", "registry", "localhost", True, "certificate verified")]


def test_chain_resolve_failures(trusted, chain, monkeypatch):
    with pytest.raises(UnicodeError) as refused:
        socket.getaddrinfo(INVALID_NAME, 443, socket.AF_INET, socket.SOCK_STREAM)
    reason = str(refused.value)
    address, checks, failures = chain("auth", INVALID_NAME, ["100.103.7.181"], 1, trusted)
    assert address is None
    assert checks == [("resolve", "auth", INVALID_NAME, False, "does not resolve: %s" % reason)]
    assert failures == [("resolve", "4", "a..b does not resolve to 100.103.7.181 (does not resolve: %s): the /etc/hosts block is missing "
                                         "or stale (step 4)" % reason)]

    def no_answer(*args):
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_answer)
    _address, checks, failures = chain("oss", "oss.example", [], 1, trusted)
    assert checks == [("resolve", "oss", "oss.example", False, "does not resolve: [Errno -2] Name or service not known")]
    assert failures[0][1:] == ("4", "oss.example does not resolve to an address (does not resolve: [Errno -2] Name or service not known): "
                                    "the /etc/hosts block is missing or stale (step 4)")


def test_chain_resolves_elsewhere_than_planned(trusted, chain):
    address, checks, failures = chain("auth", "localhost", ["100.103.7.181"], 1, trusted)
    assert address is None and checks == [("resolve", "auth", "localhost", False, "resolves to 127.0.0.1")]
    assert failures == [("resolve", "4", "localhost does not resolve to 100.103.7.181 (resolves to 127.0.0.1): the /etc/hosts block is "
                                         "missing or stale (step 4)")]


def test_chain_refused(servers, trusted, chain):
    address, checks, failures = chain("auth", "localhost", [], servers.closed_port(), trusted)
    assert address is None
    assert checks[1:] == [("tcp", "auth", "127.0.0.1:443", False, "connection refused")]
    assert failures == [("tcp", "2/4", "localhost refused the connection on 127.0.0.1:443: the address answers but is not the auth "
                                       "service - the /etc/hosts entry or the address found in step 2 is wrong (step 2/4)")]


def test_chain_tcp_timeout(servers, trusted, chain):
    address, checks, failures = chain("registry", "localhost", ["127.0.0.1"], servers.full_queue(), trusted, timeout=0.5)
    assert address is None and checks[1:] == [("tcp", "registry", "127.0.0.1:443", False, "timed out")]
    assert failures == [("tcp", "1/3", "The registry is unreachable from this host (127.0.0.1:443: timed out): the route for "
                                       "127.0.0.1/32 in the source VPC is missing, or the transit router has not learned it, or the CEN "
                                       "connection between the VPCs is not up (step 1/3)")]


@pytest.mark.parametrize("ca, cert_domain, detail", [
    ("other", "localhost", "self-signed certificate in certificate chain"),  # the server sends its CA along
    ("trusted", "someone-else.example", "Hostname mismatch, certificate is not valid for 'localhost'."),
])
def test_chain_tls_verification(servers, trusted, chain, ca, cert_domain, detail):
    port = servers.https(ca=ca, cert_domain=cert_domain, www_authenticate=[BEARER])
    address, checks, failures = chain("oss", "localhost", [], port, trusted)
    assert address is None and checks[1:] == [("tcp", "oss", "127.0.0.1:443", True, "connected"), ("tls", "oss", "localhost", False, detail)]
    assert failures == [("tls", "4", "TLS to localhost (127.0.0.1) failed: %s: install the CA that signed its certificate "
                                     "(registry_client_ca_certificate / ca_path), or the name maps to another service's address "
                                     "(step 4)" % detail)]


def test_chain_tls_not_spoken(servers, trusted, chain):
    address, checks, failures = chain("registry", "localhost", [], servers.raw(answer=None), trusted, timeout=0.5)
    assert address is None and checks[2][:4] == ("tls", "registry", "localhost", False)
    assert "handshake operation timed out" in checks[2][4] and failures[0][:2] == ("tls", "4")
    address, checks, failures = chain("registry", "localhost", [], servers.raw(answer=b"HTTP/1.1 400 Bad Request\r\n\r\n"), trusted)
    assert address is None and checks[2][:4] == ("tls", "registry", "localhost", False)
    assert checks[2][4].startswith("[SSL")
    assert failures[0][2] == ("TLS to localhost (127.0.0.1) failed: %s: install the CA that signed its certificate "
                              "(registry_client_ca_certificate / ca_path), or the name maps to another service's address (step 4)" % checks[2][4])
