"""The registry side of the network twin, end to end with a real client (root: network namespaces).

A namespace holds the registry (10.94.205.198), its token server (100.103.7.181) and the OSS host
(100.118.28.43) on lo; skopeo runs inside it with a private /etc/hosts, logs in with a temporary
login that the cloud twin issued through the real CR SDK (GetAuthorizationToken), and pulls through
the OSS redirect.

Run: PYTHONPATH=tests/e2e:tests/twin python -m pytest -q tests/e2e/test_registry_services.py
"""

import base64
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
for path in (HERE, os.path.join(HERE, "..", "twin")):
    if path not in sys.path:
        sys.path.insert(0, path)

from acr_twin import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Twin, TwinServer  # noqa: E402
from net_twin.registry_services import RegistryServices  # noqa: E402
from probe_lab import SEED_AUTH, SEED_AUTH_IP, SEED_OSS, SEED_OSS_IP, SEED_REGISTRY, SEED_REGISTRY_IP, delete_namespace, require_lab  # noqa: E402

INSTANCE = "cri-twin0000000000001"
REPOSITORY = "acr-access/busybox"
ADDRESSES = (SEED_REGISTRY_IP, SEED_AUTH_IP, SEED_OSS_IP)


def make_namespace(prefix):
    name = "%s%d-%d" % (prefix, os.getpid(), int(time.monotonic() * 1000) % 100000)
    subprocess.run(["ip", "netns", "add", name], check=True, capture_output=True)
    subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True, capture_output=True)
    for address in ADDRESSES:
        subprocess.run(["ip", "-n", name, "addr", "add", "%s/32" % address, "dev", "lo"], check=True, capture_output=True)
    return name


@pytest.fixture(scope="module")
def twin_server():
    with TwinServer(Twin(fixture="seed", time_scale=0.0)) as server:
        yield server


@pytest.fixture(scope="module")
def lab(twin_server):
    """(services, namespace, workdir, digest): everything started once for the module."""
    for tool in ("docker-registry", "skopeo"):
        if not shutil.which(tool):
            pytest.fail("the registry services test needs %s" % tool, pytrace=False)
    require_lab()
    workdir = tempfile.mkdtemp(prefix="registry-services-")
    namespace = make_namespace("acrreg")
    services = RegistryServices(os.path.join(workdir, "services"), namespace, "http://%s" % twin_server.endpoint)
    try:
        started = time.monotonic()
        services.start()
        digest = services.seed_image(REPOSITORY, "1.36")
        sys.stderr.write("registry services up and seeded in %.1f s\n" % (time.monotonic() - started))
        with open(os.path.join(workdir, "hosts"), "w") as handle:
            names = (SEED_REGISTRY_IP, SEED_REGISTRY, SEED_AUTH_IP, SEED_AUTH, SEED_OSS_IP, SEED_OSS)
            handle.write("127.0.0.1 localhost\n%s %s\n%s %s\n%s %s\n" % names)
        with open(os.path.join(workdir, "resolv.conf"), "w") as handle:
            handle.write("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
        with open(os.path.join(workdir, "policy.json"), "w") as handle:
            json.dump({"default": [{"type": "insecureAcceptAnything"}]}, handle)
        yield services, namespace, workdir, digest
    finally:
        services.stop()
        leftover = services.pids()
        delete_namespace(namespace)
        shutil.rmtree(workdir, ignore_errors=True)
        assert leftover == [], "processes left after stop(): %s" % leftover


def cr_client(endpoint):
    from alibabacloud_cr20181201.client import Client
    from alibabacloud_tea_openapi.utils_models import Config
    return Client(Config(access_key_id=DEFAULT_ACCESS_KEY_ID, access_key_secret=DEFAULT_ACCESS_KEY_SECRET, endpoint=endpoint,
                         protocol="http", region_id="cn-hangzhou", read_timeout=10000, connect_timeout=5000))


def temporary_login(twin_server):
    """(user name, password) from GetAuthorizationToken through the real SDK, and the twin's token id."""
    from alibabacloud_cr20181201.models import GetAuthorizationTokenRequest
    before = set(twin_server.twin.cloud.cr_tokens)
    body = cr_client(twin_server.endpoint).get_authorization_token(GetAuthorizationTokenRequest(instance_id=INSTANCE)).body
    assert body.is_success, body.to_map()
    (token_id,) = set(twin_server.twin.cloud.cr_tokens) - before
    return body.temp_username, body.authorization_token, token_id


def skopeo_copy(lab, reference, credentials=None, name="out"):
    """``skopeo copy docker://REGISTRY/reference dir:OUT`` inside the namespace with the lab's /etc/hosts; (CompletedProcess, OUT)."""
    services, namespace, workdir, _digest = lab
    out = os.path.join(workdir, "%s-%s" % (name, secrets.token_hex(4)))
    argv = ["skopeo", "--policy", os.path.join(workdir, "policy.json"), "copy", "--src-cert-dir", services.cert_dir]
    if credentials:
        authfile = os.path.join(workdir, "auth-%s.json" % secrets.token_hex(4))
        with open(authfile, "w") as handle:
            json.dump({"auths": {SEED_REGISTRY: {"auth": base64.b64encode(("%s:%s" % credentials).encode()).decode()}}}, handle)
        os.chmod(authfile, 0o600)
        argv += ["--src-authfile", authfile]
    else:
        argv += ["--src-no-creds"]
    argv += ["docker://%s/%s" % (SEED_REGISTRY, reference), "dir:" + out]
    script = 'mount --bind "$1" /etc/hosts && mount --bind "$2" /etc/resolv.conf && shift 2 && exec "$@"'
    wrapped = (["ip", "netns", "exec", namespace, "unshare", "--mount", "--propagation", "private", "sh", "-c", script, "skopeo-in-ns",
                os.path.join(workdir, "hosts"), os.path.join(workdir, "resolv.conf")] + argv)
    env = dict(os.environ, HOME=workdir)
    env.pop("REGISTRY_AUTH_FILE", None)
    return subprocess.run(wrapped, capture_output=True, text=True, timeout=90, env=env, check=False), out


def test_temporary_login_pulls_through_the_oss_redirect(lab, twin_server):
    services, _namespace, _workdir, digest = lab
    username, password, _token_id = temporary_login(twin_server)
    assert username == "cr_temp_user"
    oss_before = services.read_log("oss")
    started = time.monotonic()
    done, out = skopeo_copy(lab, REPOSITORY + ":1.36", (username, password), name="pull")
    assert done.returncode == 0, done.stderr
    sys.stderr.write("skopeo copy with a temporary login: %.1f s\n" % (time.monotonic() - started))
    with open(os.path.join(out, "manifest.json"), "rb") as handle:
        manifest_bytes = handle.read()
    assert "sha256:" + hashlib.sha256(manifest_bytes).hexdigest() == digest
    manifest = json.loads(manifest_bytes)
    for blob in [manifest["config"]] + manifest["layers"]:
        hexdigest = blob["digest"].split(":", 1)[1]
        with open(os.path.join(out, hexdigest), "rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == hexdigest
        # the blob came from the OSS host (the registry answered 307), not from the registry itself
        line = '"GET /docker/registry/v2/blobs/sha256/%s/%s/data HTTP/1.1" 200' % (hexdigest[:2], hexdigest)
        assert line in services.read_log("oss")[len(oss_before):], services.read_log("oss")
    registry_log = services.read_log("registry")
    assert " 307 " in registry_log
    auth_log = services.read_log("auth")
    assert "login for cr_temp_user accepted" in auth_log
    assert password not in auth_log and password not in registry_log and password not in services.read_log("oss")


def test_wrong_password_is_refused(lab, twin_server):
    services = lab[0]
    username, password, _token_id = temporary_login(twin_server)
    done, _out_dir = skopeo_copy(lab, REPOSITORY + ":1.36", (username, password + "x"), name="wrong")
    assert done.returncode != 0
    assert "invalid username/password: unauthorized" in done.stderr, done.stderr
    assert "login for cr_temp_user refused" in services.read_log("auth")
    # the token server itself: 401 with a JSON error
    status, doc = services.token(["repository:%s:pull" % REPOSITORY], username, password + "x")
    assert status == 401 and doc["errors"][0]["code"] == "UNAUTHORIZED"


def test_unknown_and_expired_logins_are_refused(lab, twin_server):
    services = lab[0]
    status, _answer = services.token(["repository:%s:pull" % REPOSITORY], "cr_temp_user", secrets.token_urlsafe(32))
    assert status == 401
    username, password, token_id = temporary_login(twin_server)
    status, doc = services.token(["repository:%s:pull" % REPOSITORY], username, password)
    assert status == 200 and doc["token"] == doc["access_token"] and doc["expires_in"] > 0
    cloud = twin_server.twin.cloud
    with cloud.lock:
        cloud.cr_tokens[token_id]["ExpireTime"] = int((time.time() - 60) * 1000)
    status, doc = services.token(["repository:%s:pull" % REPOSITORY], username, password)
    assert status == 401 and doc["errors"][0]["code"] == "UNAUTHORIZED"
    done, _out_dir = skopeo_copy(lab, REPOSITORY + ":1.36", (username, password), name="expired")
    assert done.returncode != 0
    assert "invalid username/password: unauthorized" in done.stderr, done.stderr
    assert services.read_log("auth").count("login for cr_temp_user refused") >= 2


def test_anonymous_pull_only_of_public(lab):
    services, _namespace, _workdir, digest = lab
    done, out = skopeo_copy(lab, "public/busybox:1.36", name="anonymous")
    assert done.returncode == 0, done.stderr
    with open(os.path.join(out, "manifest.json"), "rb") as handle:
        assert "sha256:" + hashlib.sha256(handle.read()).hexdigest() == digest
    done, _out_dir = skopeo_copy(lab, REPOSITORY + ":1.36", name="anonymous-private")
    assert done.returncode != 0
    assert "denied: requested access to the resource is denied" in done.stderr, done.stderr
    status, doc = services.token(["repository:%s:pull" % REPOSITORY, "repository:public/busybox:pull,push"])
    assert status == 200
    claims = json.loads(base64.urlsafe_b64decode(doc["token"].split(".")[1] + "=="))
    assert claims["sub"] == "" and claims["access"] == [
        {"type": "repository", "name": REPOSITORY, "actions": []},
        {"type": "repository", "name": "public/busybox", "actions": ["pull"]}]


def test_fixed_user_and_token_shape(lab):
    services, _namespace, _workdir, digest = lab
    services.add_user("reader", "reader-password-1", actions=("pull",))
    status, doc = services.token(["repository:%s:pull,push" % REPOSITORY], "reader", "reader-password-1")
    assert status == 200
    header, claims = (json.loads(base64.urlsafe_b64decode(part + "==")) for part in doc["token"].split(".")[:2])
    assert header["alg"] == "RS256" and len(header["x5c"]) == 1
    assert claims["iss"] == services.issuer and claims["aud"] == services.service and claims["sub"] == "reader"
    assert claims["nbf"] <= claims["iat"] < claims["exp"] and claims["jti"]
    assert claims["access"] == [{"type": "repository", "name": REPOSITORY, "actions": ["pull"]}]
    assert "reader-password-1" not in open(services.users_path).read()
    assert services.token([], "reader", "wrong")[0] == 401
    # the registry takes the token: the manifest by digest
    status, headers, body = services.request("GET", "/v2/%s/manifests/%s" % (REPOSITORY, digest), {
        "Authorization": "Bearer " + doc["token"], "Accept": "application/vnd.docker.distribution.manifest.v2+json"})
    assert status == 200 and headers["Docker-Content-Digest"] == digest


def test_oss_host_is_read_only_storage(lab):
    services, _namespace, _workdir, digest = lab
    path = "/docker/registry/v2/blobs/sha256/%s/%s/data" % (digest[7:9], digest[7:])
    status, headers, body = services.request("GET", path, host="oss")
    assert status == 200 and "sha256:" + hashlib.sha256(body).hexdigest() == digest
    assert int(headers["Content-Length"]) == len(body)
    status, headers, body = services.request("HEAD", path, host="oss")
    assert status == 200 and int(headers["Content-Length"]) > 0 and body == b""
    for missing in ("/docker/registry/v2/blobs/sha256/00/%s/data" % ("0" * 64), "/../users.json", "/docker/../../users.json"):
        assert services.request("GET", missing, host="oss")[0] == 404
    assert services.request("PUT", path, body=b"x", host="oss")[0] == 403


def test_start_failure_raises_with_the_log_and_cleans_up(lab, twin_server):
    # a second set on the same namespace: port 443 of the token server's address is taken
    workdir = tempfile.mkdtemp(prefix="registry-services-clash-")
    try:
        services = RegistryServices(workdir, lab[1], twin_server.endpoint)
        with pytest.raises(RuntimeError, match="(?s)the auth did not start.*Address already in use"):
            services.start()
        assert services.pids() == [] and services.processes == {}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def test_stop_is_idempotent_and_leaves_nothing(twin_server):
    require_lab()
    workdir = tempfile.mkdtemp(prefix="registry-services-stop-")
    namespace = make_namespace("acrstp")
    try:
        services = RegistryServices(workdir, namespace, twin_server.endpoint)
        services.start()
        pids = services.pids()
        assert len(pids) >= 4  # two helpers, the registry's guard and the registry
        services.stop()
        services.stop()
        assert services.pids() == []
        for pid in pids:
            assert not os.path.exists("/proc/%d" % pid) or open("/proc/%d/stat" % pid).read().split(")")[1].split()[0] == "Z"
    finally:
        delete_namespace(namespace)
        shutil.rmtree(workdir, ignore_errors=True)
