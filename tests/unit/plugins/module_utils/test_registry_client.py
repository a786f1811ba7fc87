"""registry_client: image references, stored logins (docker config, credential helpers, podman auth files), the token flow
against a registry-like HTTPS server on 127.0.0.1, and the verify messages and table."""

import base64
import json
import os
import ssl
import sys
import threading
import http.server

import pytest

from ansible_collections.alicloud.acr_access.plugins.module_utils import client_verify
from ansible_collections.alicloud.acr_access.plugins.module_utils import registry_client as rc

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "e2e"))
import probe_lab  # noqa: E402  (tests/e2e: the test CA)

REGISTRY = "acr-twin-registry-vpc.cn-hangzhou.cr.aliyuncs.com"
DIGEST = "sha256:" + "ab" * 32


# ---------------------------------------------------------------- image references

@pytest.mark.parametrize("ref, expected", [
    ("team/app:1.0", (REGISTRY, "team/app", "1.0", None, REGISTRY + "/team/app:1.0")),
    ("team/app", (REGISTRY, "team/app", "latest", None, REGISTRY + "/team/app:latest")),
    ("team/app@" + DIGEST, (REGISTRY, "team/app", None, DIGEST, REGISTRY + "/team/app@" + DIGEST)),
    ("team/app:1.0@" + DIGEST, (REGISTRY, "team/app", "1.0", DIGEST, REGISTRY + "/team/app:1.0@" + DIGEST)),
    ("other.example.com/ns/deep/app:v2", ("other.example.com", "ns/deep/app", "v2", None, "other.example.com/ns/deep/app:v2")),
    ("localhost:5000/ns/app:x", ("localhost:5000", "ns/app", "x", None, "localhost:5000/ns/app:x")),
    ("team/my_app-x.y:1.0_rc-1", (REGISTRY, "team/my_app-x.y", "1.0_rc-1", None, REGISTRY + "/team/my_app-x.y:1.0_rc-1")),
])
def test_parse_image(ref, expected):
    image = rc.parse_image(ref, REGISTRY)
    assert (image["registry"], image["repository"], image["tag"], image["digest"], image["ref"]) == expected
    assert image["reference"] == (image["digest"] or image["tag"])


@pytest.mark.parametrize("ref, message", [
    ("", "empty image reference"),
    ("app:1.0", "has no namespace"),
    ("Team/App:1.0", "the repository 'Team/App' is not valid"),
    ("team/app:-bad", "the tag '-bad' is not valid"),
    ("team/app@sha256:abc", "is not sha256:<64"),
    ("team/app :1", "whitespace"),
])
def test_parse_image_errors_say_what_and_give_an_example(ref, message):
    with pytest.raises(ValueError) as raised:
        rc.parse_image(ref, REGISTRY)
    assert message in str(raised.value) and "team/app:1.0" in str(raised.value)


def test_parse_images_names_the_item():
    with pytest.raises(ValueError, match=r"^images\[1\]: 'nope'"):
        rc.parse_images(["team/app:1", "nope"], REGISTRY)
    with pytest.raises(ValueError, match="no registry is given"):
        rc.parse_image("team/app:1", None)


# ---------------------------------------------------------------- stored logins

def basic(user, password):
    return base64.b64encode(("%s:%s" % (user, password)).encode()).decode()


def no_helper(argv, data):
    raise AssertionError("no helper expected, got %s" % argv)


def subprocess_runner(argv, data):
    import subprocess
    done = subprocess.run(argv, input=data.encode(), capture_output=True, check=False)
    return done.returncode, done.stdout.decode(), done.stderr.decode()


def test_docker_config_auths(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"auths": {"https://%s/v1/" % REGISTRY: {"auth": basic("cr_temp_user", "p:w")}}}))
    login = rc.stored_login("docker", REGISTRY, no_helper, {"DOCKER_CONFIG": str(tmp_path)})
    assert login == dict(username="cr_temp_user", password="p:w", source="auths", path=str(tmp_path / "config.json"))
    assert rc.stored_login("docker", "other.example", no_helper, {"DOCKER_CONFIG": str(tmp_path)}) is None
    assert rc.stored_login("docker", REGISTRY, no_helper, {"DOCKER_CONFIG": str(tmp_path / "none")}) is None


def test_docker_config_broken_auth_names_the_file_not_the_secret(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"auths": {REGISTRY: {"auth": base64.b64encode(b"nocolon").decode()}}}))
    with pytest.raises(rc.ClientError) as raised:
        rc.stored_login("docker", REGISTRY, no_helper, {"DOCKER_CONFIG": str(tmp_path)})
    assert str(tmp_path) in str(raised.value) and "nocolon" not in str(raised.value)


@pytest.fixture
def fake_helper(tmp_path, monkeypatch):
    """docker-credential-fake on PATH: knows REGISTRY only; records what it read on stdin."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "docker-credential-fake"
    script.write_text("#!%s\nimport json, sys\nserver = sys.stdin.read().strip()\nopen(%r, 'a').write(server + '\\n')\n"
                      "if sys.argv[1] != 'get' or server != %r:\n    print('credentials not found in native keychain'); sys.exit(1)\n"
                      "print(json.dumps({'ServerURL': server, 'Username': 'helper_user', 'Secret': 'helper-secret'}))\n"
                      % (sys.executable, str(tmp_path / "helper.log"), REGISTRY))
    script.chmod(0o755)
    monkeypatch.setenv("PATH", "%s:%s" % (bin_dir, os.environ["PATH"]))
    return tmp_path / "helper.log"


@pytest.mark.parametrize("config", [{"credsStore": "fake"}, {"credHelpers": {REGISTRY: "fake"}, "auths": {REGISTRY: {"auth": basic("x", "y")}}}])
def test_docker_credential_helper(tmp_path, fake_helper, config):
    (tmp_path / "config.json").write_text(json.dumps(config))
    login = rc.stored_login("docker", REGISTRY, subprocess_runner, {"DOCKER_CONFIG": str(tmp_path)})
    assert login == dict(username="helper_user", password="helper-secret", source="docker-credential-fake", path=str(tmp_path / "config.json"))
    assert fake_helper.read_text() == REGISTRY + "\n"  # the registry went on stdin
    assert rc.stored_login("docker", "other.example", subprocess_runner, {"DOCKER_CONFIG": str(tmp_path)}) is None


def test_missing_credential_helper_is_named(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"credsStore": "does-not-exist-xyz"}))
    with pytest.raises(rc.ClientError, match="docker-credential-does-not-exist-xyz"):
        rc.stored_login("docker", REGISTRY, subprocess_runner, {"DOCKER_CONFIG": str(tmp_path)})


def test_podman_auth_files_in_order(tmp_path):
    runtime, config_home, docker = tmp_path / "run", tmp_path / "config", tmp_path / "docker"
    for directory in (runtime / "containers", config_home / "containers", docker):
        directory.mkdir(parents=True)
    environ = {"XDG_RUNTIME_DIR": str(runtime), "XDG_CONFIG_HOME": str(config_home), "DOCKER_CONFIG": str(docker)}
    (docker / "config.json").write_text(json.dumps({"auths": {REGISTRY: {"auth": basic("from_docker", "d")}}}))
    assert rc.stored_login("podman", REGISTRY, no_helper, environ)["username"] == "from_docker"
    (config_home / "containers" / "auth.json").write_text(json.dumps({"auths": {REGISTRY: {"auth": basic("from_config", "c")}}}))
    assert rc.stored_login("podman", REGISTRY, no_helper, environ)["username"] == "from_config"
    (runtime / "containers" / "auth.json").write_text(json.dumps({"auths": {REGISTRY: {"auth": basic("from_runtime", "r")}}}))
    assert rc.stored_login("podman", REGISTRY, no_helper, environ)["username"] == "from_runtime"
    (tmp_path / "explicit.json").write_text(json.dumps({"auths": {REGISTRY: {"auth": basic("from_env", "e")}}}))
    login = rc.stored_login("podman", REGISTRY, no_helper, dict(environ, REGISTRY_AUTH_FILE=str(tmp_path / "explicit.json")))
    assert (login["username"], login["password"]) == ("from_env", "e")
    assert rc.podman_write_path(environ) == str(runtime / "containers" / "auth.json")


# ---------------------------------------------------------------- a registry-like HTTPS server

class RegistryHandler(http.server.BaseHTTPRequestHandler):
    users = {"cr_temp_user": "good-password"}
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                           "config": {"digest": DIGEST, "size": 2}, "layers": []}).encode()
    redirect_host = None

    def log_message(self, *args):
        pass

    def _send(self, status, body=b"", headers=None):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        base = "https://localhost:%d" % self.server.server_port
        bearer = self.headers.get("Authorization") == "Bearer token-123"
        if self.path == "/v2/":
            return self._send(401, b"{}", {"WWW-Authenticate": 'Bearer realm="%s/auth",service="registry.test"' % base})
        if self.path.startswith("/auth?"):
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Basic "):
                user, _sep, password = base64.b64decode(auth[6:]).decode().partition(":")
                if self.users.get(user) != password:
                    return self._send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}')
            if "service=registry.test" not in self.path:
                return self._send(400)
            return self._send(200, json.dumps({"token": "token-123"}).encode(), {"Content-Type": "application/json"})
        if self.path.startswith("/v2/team/app/manifests/"):
            if not bearer:
                return self._send(401)
            return self._send(200, self.manifest, {"Content-Type": "application/vnd.docker.distribution.manifest.v2+json",
                                                   "Docker-Content-Digest": "sha256:" + "cd" * 32})
        if self.path.startswith("/v2/team/missing/manifests/"):
            return self._send(404 if bearer else 401)
        if self.path == "/v2/team/app/blobs/" + DIGEST:
            host = self.redirect_host or "localhost:%d" % self.server.server_port
            return self._send(307, b"", {"Location": "https://%s/oss/blob?Signature=x" % host})
        if self.path.startswith("/oss/blob"):
            return self._send(206 if self.headers.get("Range") == "bytes=0-0" else 200, b"{")
        return self._send(404)


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    directory = str(tmp_path_factory.mktemp("registry"))
    ca = probe_lab.TestCA(directory, name="registry client test CA")
    cert, key = ca.issue("localhost")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RegistryHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield dict(domain="localhost:%d" % server.server_port, ca_path=ca.ca_path, context=ssl.create_default_context(cafile=ca.ca_path))
    server.shutdown()
    server.server_close()


def test_token_flow(registry):
    bearer = rc.challenge(registry["domain"], registry["context"], 5)
    assert bearer.service == "registry.test" and bearer.auth_domain == "localhost"
    good = dict(username="cr_temp_user", password="good-password")
    assert rc.get_token(bearer, registry["context"], 5, good, "repository:team/app:pull") == "token-123"
    assert rc.login_works(registry["domain"], good, registry["context"], 5) == (True, "the auth service issued a token for cr_temp_user")
    works, detail = rc.login_works(registry["domain"], dict(good, password="stale-password"), registry["context"], 5)
    assert not works and "refused the login of cr_temp_user: HTTP 401" in detail and "stale-password" not in detail


def test_remote_digest(registry):
    image = rc.parse_image("team/app:1.0", registry["domain"])
    good = dict(username="cr_temp_user", password="good-password")
    assert rc.remote_digest(image, good, registry["context"], 5) == "sha256:" + "cd" * 32
    with pytest.raises(rc.ClientError) as raised:
        rc.remote_digest(rc.parse_image("team/missing:1", registry["domain"]), good, registry["context"], 5)
    assert raised.value.stage == "manifest" and "HTTP 404" in str(raised.value)


def test_tls_failure_without_the_ca(registry):
    works, detail = rc.login_works(registry["domain"], dict(username="u", password="p"), ssl.create_default_context(), 5)
    assert not works and "TLS verification of localhost" in detail


def http_chain(registry, images, login, oss_domain="localhost"):
    checks, failures = [], []

    def fail(check, kind, target, detail, extra):
        failures.append(client_verify.explain(check, kind, target, detail, dict(dict(auth_domain="localhost", oss_domain=oss_domain), **extra)))

    endpoints = dict(registry=dict(domain=registry["domain"]), auth=dict(domain="localhost"), oss=dict(domain=oss_domain))
    client_verify._http_chain(registry["domain"], endpoints, [rc.parse_image(i, registry["domain"]) for i in images], login,
                              registry["context"], 5, checks, fail, dict(registry="x", auth="x", oss="x"), True)
    return checks, failures


def test_verify_http_chain_follows_the_oss_redirect(registry):
    checks, failures = http_chain(registry, ["team/app:1.0"], dict(username="cr_temp_user", password="good-password"))
    assert failures == []
    assert [(c["name"], c["ok"]) for c in checks] == [("v2", True), ("token", True), ("manifest", True), ("blob", True)]
    assert "HTTP 307 redirect to localhost, then HTTP 206 from OSS" == checks[-1]["detail"]


@pytest.mark.parametrize("images, login, oss, step, fragment", [
    (["team/app:1.0"], None, "localhost", "4", "no login for"),
    (["team/app:1.0"], dict(username="cr_temp_user", password="old"), "localhost", "4", "log in again"),
    (["team/missing:1"], dict(username="cr_temp_user", password="good-password"), "localhost", "image", "is not in the registry"),
    (["team/app:1.0"], dict(username="cr_temp_user", password="good-password"), "oss-cn-hangzhou-internal.aliyuncs.com", "2",
     "redirected to localhost, not to the planned OSS domain"),
])
def test_verify_http_chain_failures(registry, images, login, oss, step, fragment):
    _checks, failures = http_chain(registry, images, login, oss)
    assert len(failures) == 1 and failures[0][0] == step and fragment in failures[0][1], failures


# ---------------------------------------------------------------- verify messages (pure)

ROUTES = [dict(destination_cidr_block="10.94.205.198/32"), dict(destination_cidr_block="100.103.7.181/32"),
          dict(destination_cidr_block="100.118.28.0/24"), dict(destination_cidr_block="100.0.0.0/8")]


@pytest.mark.parametrize("check, kind, target, detail, context, step, message", [
    ("tcp", "oss", "oss-cn-hangzhou-internal.aliyuncs.com", "timed out", dict(address="100.118.28.43", source_routes=ROUTES), "3",
     "OSS is unreachable from this host (100.118.28.43:443: timed out): the route for 100.118.28.0/24 in the source VPC is missing, "
     "or the transit router has not learned it (step 3)"),
    ("resolve", "auth", "dockerauth-vpc.cn-hangzhou.aliyuncs.com", "resolves to 100.100.2.136", dict(planned=["100.103.7.181"]), "4",
     "dockerauth-vpc.cn-hangzhou.aliyuncs.com does not resolve to 100.103.7.181 (resolves to 100.100.2.136): the /etc/hosts block is "
     "missing or stale (step 4)"),
    ("tcp", "registry", REGISTRY, "timed out", dict(address="10.94.205.198", source_routes=ROUTES), "1/3",
     "The registry is unreachable from this host (10.94.205.198:443: timed out): the route for 10.94.205.198/32 in the source VPC is "
     "missing, or the transit router has not learned it, or the CEN connection between the VPCs is not up (step 1/3)"),
    ("tcp", "auth", "dockerauth-vpc.cn-hangzhou.aliyuncs.com", "timed out", dict(address="100.103.7.181"), "3",
     "The auth service is unreachable from this host (100.103.7.181:443: timed out): the route for 100.103.7.181/32 in the source VPC is "
     "missing, or the transit router has not learned it (step 3)"),
    ("tcp", "oss", "x", "timed out", dict(address="100.118.28.43"), "3",
     "the route for the region's OSS VIP range holding 100.118.28.43 in the source VPC is missing"),
    ("tcp", "oss", "x", "timed out", dict(address="100.64.0.1", source_routes=ROUTES[:3]), "3", "no route of the plan covers 100.64.0.1"),
    ("tcp", "auth", "x", "connection refused", dict(address="100.103.7.181"), "2/4", "refused the connection"),
    ("v2", "registry", REGISTRY, "realm", dict(realm_host="dockerauth-ee-vpc.cn-hangzhou.aliyuncs.com",
                                               auth_domain="dockerauth-vpc.cn-hangzhou.aliyuncs.com"), "2", "run step 2 again"),
])
def test_explain(check, kind, target, detail, context, step, message):
    got_step, got_message = client_verify.explain(check, kind, target, detail, context)
    assert got_step == step
    assert message in got_message


def test_covering_route_prefers_the_longest():
    assert client_verify.covering_route("100.118.28.43", ROUTES) == "100.118.28.0/24"
    assert client_verify.covering_route("100.1.1.1", ROUTES) == "100.0.0.0/8"
    assert client_verify.covering_route("172.16.0.1", ROUTES) is None


def test_table():
    ok = dict(host="ecs2", ok=True, failed=None, checks=[dict(name=n, ok=True) for n in ("resolve", "tcp", "tls", "v2", "token", "manifest", "blob")])
    bad = dict(host="ecs3-long-name", ok=False, checks=[dict(name="resolve", ok=True), dict(name="tcp", ok=False)],
               failed=dict(check="tcp", step="3", message="OSS unreachable"), failures=[dict(check="tcp", step="3", message="OSS unreachable")])
    lines = client_verify.table([ok, bad])
    assert lines[0].split(" | ")[0].strip() == "host" and "blob via OSS" in lines[0]
    assert [part.strip() for part in lines[1].split("|")] == ["ecs2", "ok", "ok", "ok", "ok", "ok", "ok", "ok"]
    assert [part.strip() for part in lines[2].split("|")] == ["ecs3-long-name", "ok", "FAIL", "-", "-", "-", "-", "FAILED (step 3)"]
    assert lines[3] == "ecs3-long-name: OSS unreachable"


# ---------------------------------------------------------------- the modules with a fake docker on PATH

FAKE_DOCKER = r'''#!%(python)s
import base64, json, os, sys
log = open(%(log)r, "a")
args = sys.argv[1:]
stdin = sys.stdin.read() if args[:1] == ["login"] else ""
log.write(json.dumps(dict(argv=args, stdin=stdin, env=sorted(k for k, v in os.environ.items() if "good-password" in v))) + "\n")
path = os.path.join(os.environ["DOCKER_CONFIG"], "config.json")
config = json.load(open(path)) if os.path.exists(path) else {}
if args[0] == "login":
    config.setdefault("auths", {})[args[-1]] = {"auth": base64.b64encode(("%%s:%%s" %% (args[2], stdin)).encode()).decode()}
    json.dump(config, open(path, "w"))
    os.chmod(path, 0o644)
    print("Login Succeeded")
elif args[0] == "logout":
    config.get("auths", {}).pop(args[-1], None)
    json.dump(config, open(path, "w"))
elif args[:2] == ["image", "inspect"]:
    images = json.load(open(%(images)r))
    if args[2] not in images:
        sys.stderr.write("Error: No such image: %%s\n" %% args[2]); sys.exit(1)
    print(json.dumps([images[args[2]]]))
elif args[0] == "pull":
    images = json.load(open(%(images)r))
    name = args[1].rsplit(":", 1)[0]
    images[args[1]] = {"Id": "sha256:" + "11" * 32, "RepoDigests": [name + "@sha256:" + "cd" * 32]}
    json.dump(images, open(%(images)r, "w"))
'''


@pytest.fixture
def fake_docker(tmp_path, monkeypatch):
    bin_dir, config = tmp_path / "fakebin", tmp_path / "docker-config"
    bin_dir.mkdir()
    config.mkdir()
    log, images = tmp_path / "docker.log", tmp_path / "images.json"
    images.write_text("{}")
    script = bin_dir / "docker"
    script.write_text(FAKE_DOCKER % dict(python=sys.executable, log=str(log), images=str(images)))
    script.chmod(0o755)
    monkeypatch.setenv("PATH", "%s:%s" % (bin_dir, os.environ["PATH"]))
    monkeypatch.setenv("DOCKER_CONFIG", str(config))

    class Fake:
        config_path = config / "config.json"
        images_path = images

        @staticmethod
        def calls():
            return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    return Fake


def test_registry_login_logs_in_once_with_the_password_on_stdin(run_module, registry, fake_docker):
    import stat
    from ansible_collections.alicloud.acr_access.plugins.modules.registry_login import main
    args = dict(registry=registry["domain"], username="cr_temp_user", password="good-password", ca_path=registry["ca_path"])
    check = run_module(main, dict(args, _ansible_check_mode=True))
    assert check["changed"] is True and check["action"] == "login" and fake_docker.calls() == []
    first = run_module(main, args)
    assert first["changed"] is True and first["action"] == "login", first
    [call] = fake_docker.calls()
    assert call["argv"] == ["login", "--username", "cr_temp_user", "--password-stdin", registry["domain"]]
    assert call["stdin"] == "good-password" and call["env"] == []
    assert stat.S_IMODE(os.stat(fake_docker.config_path).st_mode) == 0o600
    assert "good-password" not in json.dumps(first)
    # a new temporary password: the stored login still works, so nothing happens
    second = run_module(main, dict(args, password="another-temporary-password"))
    assert second["changed"] is False and second["action"] == "kept" and len(fake_docker.calls()) == 1


def test_registry_login_replaces_a_stale_login_and_logs_out(run_module, registry, fake_docker):
    from ansible_collections.alicloud.acr_access.plugins.modules.registry_login import main
    fake_docker.config_path.write_text(json.dumps({"auths": {registry["domain"]: {"auth": basic("cr_temp_user", "expired")}}}))
    args = dict(registry=registry["domain"], username="cr_temp_user", password="good-password", ca_path=registry["ca_path"])
    result = run_module(main, args)
    assert result["changed"] is True and "refused the login of cr_temp_user" in result["reason"]
    no_password = run_module(main, dict(registry=registry["domain"], ca_path=registry["ca_path"], username="someone_else"))
    assert no_password["failed"] and "username and password are required" in no_password["msg"]
    out = run_module(main, dict(registry=registry["domain"], state="absent"))
    assert out["changed"] is True and fake_docker.calls()[-1]["argv"] == ["logout", registry["domain"]]
    assert run_module(main, dict(registry=registry["domain"], state="absent"))["changed"] is False


def test_registry_image_missing_and_always(run_module, registry, fake_docker):
    from ansible_collections.alicloud.acr_access.plugins.modules.registry_image import main
    fake_docker.config_path.write_text(json.dumps({"auths": {registry["domain"]: {"auth": basic("cr_temp_user", "good-password")}}}))
    args = dict(registry=registry["domain"], images=["team/app:1.0"], ca_path=registry["ca_path"])
    check = run_module(main, dict(args, _ansible_check_mode=True))
    assert check["changed"] is True and check["images"][0]["pulled"] is True and check["images"][0]["reason"] == "not on this host"
    first = run_module(main, args)
    ref = registry["domain"] + "/team/app:1.0"
    assert first["changed"] is True and first["images"] == [dict(ref=ref, digest="sha256:" + "cd" * 32, id="sha256:" + "11" * 32,
                                                                 pulled=True, reason="not on this host")]
    assert run_module(main, args)["changed"] is False
    assert run_module(main, dict(args, pull="always"))["changed"] is False  # the registry's digest is the local one
    images = json.loads(fake_docker.images_path.read_text())
    images[ref]["RepoDigests"] = [registry["domain"] + "/team/app@sha256:" + "00" * 32]
    fake_docker.images_path.write_text(json.dumps(images))
    always = run_module(main, dict(args, pull="always", _ansible_check_mode=True))
    assert always["changed"] is True and "the registry has sha256:cdcd" in always["images"][0]["reason"]
    bad = run_module(main, dict(args, images=["team/app:1.0", "App"]))
    assert bad["failed"] and bad["msg"].startswith("images[1]:")
