#!/usr/bin/env python
"""The registry side of the network twin: a real registry, its token server and its OSS host in a network namespace.

What ``RegistryServices(workdir, netns, twin_endpoint).start()`` runs (Linux, root):

- ``docker-registry serve`` (distribution 2.8) inside the namespace on ``registry_ip:443`` with a
  certificate for ``registry_domain``, filesystem storage under ``workdir/storage``, token auth
  (realm ``https://<auth_domain>/auth``) and the OSS redirect middleware: blob GETs answer 307 to
  ``https://<oss_domain>/docker/registry/v2/blobs/...``;
- the token server (this file, ``serve-auth``): a process of the ROOT namespace whose listening socket
  was made inside the namespace (setns, socket, bind, listen, setns back), so clients of the namespace
  reach it on ``auth_ip:443`` while it reaches the cloud twin on the root namespace's 127.0.0.1 to check
  temporary logins (``POST /_twin/cr/login``); fixed users come from ``add_user`` (``users.json``, only
  password digests); it signs RS256 JWTs with an ``x5c`` header the registry verifies;
- the OSS host (this file, ``serve-oss``): HTTPS on ``oss_ip:443`` for ``oss_domain``, serving the
  registry's storage root read-only (GET and HEAD with Content-Length, 404 when missing), logging each request.

``seed_image()`` pushes a tiny real image (busybox-static) with the registry HTTP API from inside the
namespace and returns its manifest digest. Every process runs in its own process group with a pipe on
stdin: ``stop()`` kills the groups, and a helper whose parent dies without ``stop()`` ends itself.
"""

from __future__ import annotations

import base64
import ctypes
import gzip
import hashlib
import http.client
import http.server
import io
import json
import os
import platform
import posixpath
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import tarfile
import threading
import time
import urllib.parse
import urllib.request
import uuid

CLONE_NEWNET = 0x40000000
MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json"
CONFIG_V1 = "application/vnd.docker.container.image.v1+json"
LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip"
TEMP_USERNAME = "cr_temp_user"
SEEDER = "twin-seeder"


# --- network namespaces -----------------------------------------------------------------------------


def _setns(fd: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, "setns: %s" % os.strerror(err))


def netns_path(netns: str) -> str:
    return netns if netns.startswith("/") else os.path.join("/run/netns", netns)


def listen_in_netns(netns: str, address: str, port: int) -> socket.socket:
    """A listening TCP socket made inside ``netns``; the calling thread returns to its own namespace."""
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    target = os.open(netns_path(netns), os.O_RDONLY)
    try:
        _setns(target)
        try:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((address, port))
            sock.listen(128)
        finally:
            _setns(own)
    finally:
        os.close(own)
        os.close(target)
    return sock


def run_in_netns(netns: str, function, *args, **kwargs):
    """``function(*args, **kwargs)`` in a fresh thread that sits in ``netns``: every socket it makes is of the namespace.

    setns(CLONE_NEWNET) changes only the calling thread, so the rest of the process (a twin server thread,
    pytest) stays where it is.
    """
    outcome = {}

    def target():
        try:
            own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
            fd = os.open(netns_path(netns), os.O_RDONLY)
            try:
                _setns(fd)
                try:
                    outcome["value"] = function(*args, **kwargs)
                finally:
                    _setns(own)
            finally:
                os.close(fd)
                os.close(own)
        except BaseException as err:  # handed to the caller
            outcome["error"] = err

    thread = threading.Thread(target=target, name="in-netns-%s" % netns, daemon=True)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to ``ip`` with SNI, Host and certificate check for ``host`` (no resolver involved)."""

    def __init__(self, ip: str, host: str, context: ssl.SSLContext, port: int = 443, timeout: float = 30):
        super().__init__(host, port, context=context, timeout=timeout)
        self.ip = ip

    def connect(self):
        sock = socket.create_connection((self.ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _wait_accepting(targets: list, deadline: float) -> list:
    """The (address, port) pairs of ``targets`` that still refuse connections at ``deadline`` (run inside the namespace)."""
    pending = list(targets)
    while pending:
        for target in list(pending):
            try:
                socket.create_connection(target, timeout=1).close()
                pending.remove(target)
            except OSError:
                pass
        if not pending or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    return pending


# --- certificates and tokens ------------------------------------------------------------------------


def _signing_pair(directory: str, name: str) -> tuple:
    """A self-signed RSA certificate for the JWTs: the token server's key, the registry's rootcertbundle, the ``x5c``."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.datetime.now(datetime.timezone.utc)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path = os.path.join(directory, "token-signing.crt")
    key_path = os.path.join(directory, "token-signing.key")
    with open(cert_path, "wb") as handle:
        handle.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    os.chmod(key_path, 0o600)
    return cert_path, key_path


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def make_jwt(key_path: str, cert_path: str, claims: dict) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    with open(cert_path, "rb") as handle:
        cert = x509.load_pem_x509_certificate(handle.read())
    with open(key_path, "rb") as handle:
        key = serialization.load_pem_private_key(handle.read(), password=None)
    header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode("ascii")]}
    signing_input = "%s.%s" % (_b64url(json.dumps(header, separators=(",", ":")).encode()),
                               _b64url(json.dumps(claims, separators=(",", ":")).encode()))
    signature = key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return "%s.%s" % (signing_input, _b64url(signature))


def parse_scopes(values: list) -> list:
    """``repository:NAME:pull,push`` strings (several may share one parameter, space separated) -> [(type, name, [actions])]."""
    scopes = []
    for value in values:
        for item in value.split():
            parts = item.split(":")
            if len(parts) < 3:
                continue
            kind, name, actions = parts[0], ":".join(parts[1:-1]), parts[-1]
            scopes.append((kind, name, [action for action in actions.split(",") if action]))
    return scopes


def _password_digest(salt: str, password: str) -> str:
    return hashlib.sha256((salt + ":" + password).encode("utf-8")).hexdigest()


# --- the token server (serve-auth) ------------------------------------------------------------------


class _TLSServer(http.server.ThreadingHTTPServer):
    """A threading HTTPS server on a socket made elsewhere; the TLS handshake runs in the request's thread."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, sock: socket.socket, context: ssl.SSLContext, handler, config: dict, log):
        super().__init__(sock.getsockname(), handler, bind_and_activate=False)
        self.socket.close()
        self.socket = sock
        self.context = context
        self.config = config
        self.log = log

    def finish_request(self, request, client_address):
        request.settimeout(30)
        try:
            request = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLEOFError, ConnectionResetError):  # a readiness probe: connect and close
            request.close()
            return
        except (ssl.SSLError, OSError) as err:
            self.log("%s TLS handshake failed: %s" % (client_address[0], err))
            request.close()
            return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        self.log("%s connection error: %s" % (client_address[0], sys.exc_info()[1]))


def _logger(path: str):
    lock = threading.Lock()
    handle = open(path, "a", buffering=1)

    def log(line: str) -> None:
        with lock:
            handle.write("%s %s\n" % (time.strftime("%H:%M:%S"), line))

    return log


class AuthHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "acr-twin-dockerauth"

    def log_message(self, fmt, *args):  # the access line never holds credentials (they are in a header)
        self.server.log("%s %s" % (self.client_address[0], fmt % args))

    def _send(self, status: int, doc: dict, headers: dict | None = None) -> None:
        body = json.dumps(doc).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _unauthorized(self, message: str) -> None:
        config = self.server.config
        self._send(401, {"errors": [{"code": "UNAUTHORIZED", "message": message, "detail": None}]},
                   {"WWW-Authenticate": 'Basic realm="https://%s/auth"' % config["auth_domain"]})

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/auth":
            return self._send(404, {"errors": [{"code": "NOT_FOUND", "message": "no such path %s" % url.path}]})
        query = urllib.parse.parse_qs(url.query)
        credentials = None
        header = self.headers.get("Authorization", "")
        if header[:6].lower() == "basic ":
            try:
                username, _colon, password = base64.b64decode(header[6:].strip()).decode("utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                return self._unauthorized("malformed basic credentials")
            credentials = (username, password)
        return self._issue(query.get("service", [None])[0], query.get("scope", []), credentials, query.get("account", [None])[0])

    def do_POST(self):
        # the OAuth2 password grant some clients use (docker with an identity token, containerd)
        length = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8")) if length else {}
        if urllib.parse.urlsplit(self.path).path != "/auth" or form.get("grant_type", [""])[0] != "password":
            return self._send(400, {"errors": [{"code": "UNSUPPORTED", "message": "only grant_type=password is supported"}]})
        credentials = (form.get("username", [""])[0], form.get("password", [""])[0])
        return self._issue(form.get("service", [None])[0], form.get("scope", []), credentials, None)

    def _issue(self, service, scope_values, credentials, account):
        config = self.server.config
        if service is not None and service != config["service"]:
            return self._send(400, {"errors": [{"code": "INVALID_SERVICE", "message": "unknown service %s" % service}]})
        subject = ""
        allowed = None  # function(name) -> actions
        if credentials:
            username, password = credentials
            verdict = self._check(username, password)
            if verdict is None:
                return self._send(503, {"errors": [{"code": "UNAVAILABLE", "message": "the login service is unavailable"}]})
            if verdict is False:
                self.server.log("login for %s refused" % username)
                return self._unauthorized("authentication required: wrong user name or password")
            self.server.log("login for %s accepted" % username)
            subject = username
            granted = verdict

            def allowed(name):
                del name  # a known user's rights are the same on every repository
                return granted
        else:
            def allowed(name):
                return ["pull"] if name.startswith("public/") else []
        access = []
        for kind, name, actions in parse_scopes(scope_values):
            if kind != "repository":
                continue
            rights = allowed(name)
            access.append({"type": kind, "name": name, "actions": [action for action in actions if action in rights or "*" in rights]})
        now = int(time.time())
        ttl = int(config.get("ttl", 1800))
        claims = {"iss": config["issuer"], "sub": subject, "aud": config["service"], "exp": now + ttl, "nbf": now - 10, "iat": now,
                  "jti": uuid.uuid4().hex, "access": access}
        token = make_jwt(config["signing_key"], config["signing_cert"], claims)
        self.server.log("token for %s: %s" % (subject or "anonymous", json.dumps(access, separators=(",", ":"))))
        issued = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
        return self._send(200, {"token": token, "access_token": token, "expires_in": ttl, "issued_at": issued})

    def _check(self, username: str, password: str):
        """The actions this login may use, False when refused, None when the twin cannot be asked."""
        config = self.server.config
        try:
            with open(config["users_path"]) as handle:
                users = json.load(handle)
        except (OSError, ValueError):
            users = {}
        user = users.get(username)
        if user is not None:
            if secrets.compare_digest(user["sha256"], _password_digest(user["salt"], password)):
                return list(user["actions"])
            return False
        if not config.get("twin_endpoint"):
            return False
        body = json.dumps({"instance_id": config["instance_id"], "username": username, "password": password}).encode("utf-8")
        request = urllib.request.Request(config["twin_endpoint"].rstrip("/") + "/_twin/cr/login", data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                valid = json.load(answer).get("valid") is True
        except (OSError, ValueError) as err:
            self.server.log("cannot ask the cloud twin about %s: %s" % (username, err))
            return None
        return list(config.get("twin_actions", ["pull", "push"])) if valid else False


# --- the OSS host (serve-oss) -----------------------------------------------------------------------


class OssHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "AliyunOSS"

    def log_message(self, fmt, *args):
        self.server.log("%s %s" % (self.client_address[0], fmt % args))

    def _error(self, status: int, code: str) -> None:
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code><Message>%s</Message></Error>\n' % (code, code)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        root = self.server.config["root"]
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        normal = posixpath.normpath("/" + path.lstrip("/"))
        full = os.path.join(root, normal.lstrip("/"))
        if normal != path or not os.path.isfile(full) or not os.path.realpath(full).startswith(os.path.realpath(root) + os.sep):
            return self._error(404, "NoSuchKey")
        try:
            handle = open(full, "rb")
        except OSError:
            return self._error(404, "NoSuchKey")
        with handle:
            size = os.fstat(handle.fileno()).st_size
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            if self.command == "HEAD":
                return
            while True:
                chunk = handle.read(1 << 16)
                if not chunk:
                    break
                self.wfile.write(chunk)

    do_HEAD = do_GET

    def do_PUT(self):
        self._error(403, "AccessDenied")

    do_POST = do_DELETE = do_PUT


def _watch_stdin() -> None:
    """End this process group when the parent's pipe closes (the parent died without stop())."""
    def watch():
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except OSError:
            pass
        # the main thread's SIGTERM handler ends the process (the guard reaps its child first)
        signal.pthread_kill(threading.main_thread().ident, signal.SIGTERM)
        time.sleep(10)
        os.killpg(os.getpgrp(), signal.SIGKILL)
    threading.Thread(target=watch, daemon=True).start()


def serve(kind: str, config_path: str) -> None:
    with open(config_path) as handle:
        config = json.load(handle)
    # the listening socket first, on the main thread, before any other thread exists
    sock = listen_in_netns(config["netns"], config["address"], config["port"])
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(config["cert"], config["key"])
    log = _logger(config["log_path"])
    server = _TLSServer(sock, context, AuthHandler if kind == "serve-auth" else OssHandler, config, log)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    _watch_stdin()
    log("%s listening on %s:%d in netns %s" % (kind, config["address"], config["port"], config["netns"]))
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    server.serve_forever()


def guard(argv: list) -> None:
    """Run ``argv`` (same process group) until it ends or the parent's pipe closes."""
    child = subprocess.Popen(argv, stdin=subprocess.DEVNULL)

    def on_term(*_):  # end the child and reap it here, so that no zombie is left to init
        deadline = time.monotonic() + 5
        try:
            os.kill(child.pid, signal.SIGTERM)
            while os.waitpid(child.pid, os.WNOHANG) == (0, 0):
                if time.monotonic() > deadline:
                    os.kill(child.pid, signal.SIGKILL)
                    os.waitpid(child.pid, 0)
                    break
                time.sleep(0.02)
        except (ProcessLookupError, ChildProcessError):
            pass
        os._exit(0)

    signal.signal(signal.SIGTERM, on_term)
    _watch_stdin()
    sys.exit(child.wait())


# --- the image ---------------------------------------------------------------------------------------


def _arch() -> str:
    machine = platform.machine().lower()
    return {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "armv7l": "arm", "i686": "386",
            "ppc64le": "ppc64le", "s390x": "s390x"}.get(machine, machine)


def busybox_image(busybox: str = "/bin/busybox") -> dict:
    """{"layer", "config", "manifest"} bytes of a one-layer schema2 image: bin/busybox and bin/sh -> busybox."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        directory = tarfile.TarInfo("bin")
        directory.type, directory.mode, directory.mtime = tarfile.DIRTYPE, 0o755, 0
        tar.addfile(directory)
        with open(busybox, "rb") as handle:
            data = handle.read()
        member = tarfile.TarInfo("bin/busybox")
        member.size, member.mode, member.mtime = len(data), 0o755, 0
        tar.addfile(member, io.BytesIO(data))
        link = tarfile.TarInfo("bin/sh")
        link.type, link.linkname, link.mode, link.mtime = tarfile.SYMTYPE, "busybox", 0o777, 0
        tar.addfile(link)
    uncompressed = raw.getvalue()
    layer = gzip.compress(uncompressed, mtime=0)
    config = json.dumps({
        "architecture": _arch(), "os": "linux", "created": "2026-01-01T00:00:00Z",
        "config": {"Cmd": ["/bin/sh"], "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(uncompressed).hexdigest()]},
        "history": [{"created": "2026-01-01T00:00:00Z", "created_by": "acr_twin network twin: busybox-static"}],
    }, sort_keys=True).encode("utf-8")
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": MANIFEST_V2,
        "config": {"mediaType": CONFIG_V1, "size": len(config), "digest": "sha256:" + hashlib.sha256(config).hexdigest()},
        "layers": [{"mediaType": LAYER_GZIP, "size": len(layer), "digest": "sha256:" + hashlib.sha256(layer).hexdigest()}],
    }, indent=3).encode("utf-8")
    return {"layer": layer, "config": config, "manifest": manifest}


# --- the services --------------------------------------------------------------------------------------


class RegistryServices:
    """Registry, token server and OSS host of one CR instance, all on port 443 inside network namespace ``netns``."""

    def __init__(self, workdir, netns, twin_endpoint, instance_id="cri-twin0000000000001",
                 registry_domain="acr-twin-registry-vpc.cn-hangzhou.cr.aliyuncs.com", registry_ip="10.94.205.198",
                 auth_domain="dockerauth-vpc.cn-hangzhou.aliyuncs.com", auth_ip="100.103.7.181",
                 oss_domain="oss-cn-hangzhou-internal.aliyuncs.com", oss_ip="100.118.28.43", oss_extra_ips=(),
                 service="registry.aliyuncs.com:cn-hangzhou:26842", issuer=None, twin_actions=("pull", "push"),
                 registry_binary="docker-registry", start_timeout=20.0):
        self.workdir = os.path.abspath(workdir)
        self.netns = netns
        if twin_endpoint and "://" not in twin_endpoint:
            twin_endpoint = "http://" + twin_endpoint
        self.twin_endpoint = twin_endpoint
        self.instance_id = instance_id
        self.registry_domain, self.registry_ip = registry_domain, registry_ip
        self.auth_domain, self.auth_ip = auth_domain, auth_ip
        self.oss_domain, self.oss_ip = oss_domain, oss_ip
        self.oss_extra_ips = list(oss_extra_ips)  # OSS answers there too (a PrivateLink endpoint's addresses)
        self.service = service
        self.issuer = issuer or auth_domain
        self.twin_actions = list(twin_actions)
        self.registry_binary = registry_binary
        self.start_timeout = start_timeout
        self.storage = os.path.join(self.workdir, "storage")
        self.users_path = os.path.join(self.workdir, "users.json")
        self.processes = {}  # name -> Popen
        self.ca_path = None
        self.cert_dir = os.path.join(self.workdir, "certs")  # ca.crt: skopeo/podman --cert-dir, docker certs.d/<domain>/
        self._seeder_password = secrets.token_urlsafe(24)
        os.makedirs(self.workdir, exist_ok=True)

    # paths of the logs
    def log_path(self, name: str) -> str:
        return os.path.join(self.workdir, "%s.log" % name)

    def read_log(self, name: str) -> str:
        try:
            with open(self.log_path(name), errors="replace") as handle:
                return handle.read()
        except OSError:
            return ""

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info):
        self.stop()

    # -- set-up ------------------------------------------------------------------------------------

    def _certificates(self) -> None:
        here = os.path.dirname(os.path.abspath(__file__))
        sys.path.insert(0, os.path.dirname(here))
        try:
            from probe_lab import TestCA
        finally:
            sys.path.remove(os.path.dirname(here))
        tls = os.path.join(self.workdir, "tls")
        os.makedirs(tls, exist_ok=True)
        ca = TestCA(tls, name="acr_access network twin CA")
        self.ca_path = ca.ca_path
        self.certs = {name: ca.issue(domain) for name, domain in
                      (("registry", self.registry_domain), ("auth", self.auth_domain), ("oss", self.oss_domain))}
        os.makedirs(self.cert_dir, exist_ok=True)
        with open(self.ca_path, "rb") as source, open(os.path.join(self.cert_dir, "ca.crt"), "wb") as target:
            target.write(source.read())
        self.signing_cert, self.signing_key = _signing_pair(tls, "acr_twin token signer")

    def _registry_config(self) -> str:
        cert, key = self.certs["registry"]
        config = {
            "version": 0.1,
            "log": {"level": "info", "formatter": "text", "accesslog": {"disabled": False}},
            "storage": {"filesystem": {"rootdirectory": self.storage}, "delete": {"enabled": True},
                        "cache": {"blobdescriptor": "inmemory"}, "maintenance": {"uploadpurging": {"enabled": False}}},
            "http": {"addr": "%s:443" % self.registry_ip, "host": "https://%s" % self.registry_domain,
                     "secret": secrets.token_hex(16), "tls": {"certificate": cert, "key": key},
                     "headers": {"X-Content-Type-Options": ["nosniff"]}},
            "auth": {"token": {"realm": "https://%s/auth" % self.auth_domain, "service": self.service, "issuer": self.issuer,
                               "rootcertbundle": self.signing_cert}},
            "middleware": {"storage": [{"name": "redirect", "options": {"baseurl": "https://%s" % self.oss_domain}}]},
        }
        path = os.path.join(self.workdir, "registry.yml")
        with open(path, "w") as handle:
            json.dump(config, handle, indent=2)  # JSON is YAML
        return path

    def _spawn(self, name: str, argv: list) -> subprocess.Popen:
        log = open(self.log_path(name + "-process"), "a")
        try:
            process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True,
                                       start_new_session=True, cwd=self.workdir)
        finally:
            log.close()
        self.processes[name] = process
        return process

    def _helper(self, kind: str, name: str, config: dict) -> None:
        path = os.path.join(self.workdir, "%s.json" % name)
        with open(path, "w") as handle:
            json.dump(config, handle, indent=2)
        process = self._spawn(name, [sys.executable, os.path.abspath(__file__), kind, path])
        line = process.stdout.readline()  # bounded: the helper prints "ready" or dies
        if line.strip() != "ready":
            raise RuntimeError("the %s did not start (%s): %s %s" % (name, line.strip(), self.read_log(name + "-process"), self.read_log(name)))

    def start(self) -> None:
        """Start the three services and wait until each accepts; on failure stop what started and raise with the logs."""
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> None:
        if not os.path.exists(netns_path(self.netns)):
            raise RuntimeError("no network namespace %s" % netns_path(self.netns))
        os.makedirs(self.storage, exist_ok=True)
        if not os.path.exists(self.users_path):
            self._write_users({})
        self._certificates()
        self.add_user(SEEDER, self._seeder_password, actions=("pull", "push"))
        common = {"netns": self.netns, "port": 443}
        cert, key = self.certs["auth"]
        self._helper("serve-auth", "auth", dict(common, address=self.auth_ip, cert=cert, key=key, log_path=self.log_path("auth"),
                                                auth_domain=self.auth_domain, service=self.service, issuer=self.issuer,
                                                signing_cert=self.signing_cert, signing_key=self.signing_key,
                                                users_path=self.users_path, twin_endpoint=self.twin_endpoint,
                                                instance_id=self.instance_id, twin_actions=self.twin_actions))
        cert, key = self.certs["oss"]
        self._helper("serve-oss", "oss", dict(common, address=self.oss_ip, cert=cert, key=key, log_path=self.log_path("oss"),
                                              root=self.storage))
        for index, address in enumerate(self.oss_extra_ips, 1):
            self._helper("serve-oss", "oss-%d" % index, dict(common, address=address, cert=cert, key=key,
                                                             log_path=self.log_path("oss-%d" % index), root=self.storage))
        registry = [sys.executable, os.path.abspath(__file__), "guard", "ip", "netns", "exec", self.netns,
                    self.registry_binary, "serve", self._registry_config()]
        log = open(self.log_path("registry"), "a")
        try:
            self.processes["registry"] = subprocess.Popen(registry, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT,
                                                          start_new_session=True, cwd=self.workdir)
        finally:
            log.close()
        targets = [(self.registry_ip, 443), (self.auth_ip, 443), (self.oss_ip, 443)] + [(ip, 443) for ip in self.oss_extra_ips]
        pending = run_in_netns(self.netns, _wait_accepting, targets, time.monotonic() + self.start_timeout)
        dead = [name for name, process in self.processes.items() if process.poll() is not None]
        if pending or dead:
            raise RuntimeError("registry services not ready in %.0f s (not accepting: %s; exited: %s)\n--- registry.log\n%s\n--- auth\n%s%s"
                               % (self.start_timeout, pending, dead, self.read_log("registry")[-4000:],
                                  self.read_log("auth-process")[-2000:], self.read_log("auth")[-2000:]))
        # the registry answers /v2/ (401 with the Bearer challenge) once it serves
        deadline = time.monotonic() + self.start_timeout
        while True:
            try:
                status, headers, _body = self.request("GET", "/v2/")
                if status == 401 and "Bearer" in headers.get("Www-Authenticate", ""):
                    break
            except OSError:
                status = None
            if time.monotonic() > deadline:
                raise RuntimeError("the registry does not answer /v2/ (last status %s):\n%s" % (status, self.read_log("registry")[-4000:]))
            time.sleep(0.1)

    def _write_users(self, users: dict) -> None:
        path = self.users_path + ".tmp"
        with open(path, "w") as handle:
            json.dump(users, handle)
        os.chmod(path, 0o600)
        os.replace(path, self.users_path)

    def add_user(self, username, password, actions=("pull",)) -> None:
        """A fixed login the token server accepts (it reads users.json on every request; only a salted digest is stored)."""
        try:
            with open(self.users_path) as handle:
                users = json.load(handle)
        except (OSError, ValueError):
            users = {}
        salt = secrets.token_hex(8)
        users[username] = {"salt": salt, "sha256": _password_digest(salt, password), "actions": list(actions)}
        self._write_users(users)

    # -- clients from inside the namespace -----------------------------------------------------------

    def _context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=self.ca_path)
        return context

    def _call(self, ip, host, method, path, headers=None, body=None) -> tuple:
        """(status, headers, body) of one HTTPS request; the caller's thread must be in the namespace."""
        connection = PinnedHTTPSConnection(ip, host, self._context())
        try:
            connection.request(method, path, body=body, headers=headers or {})
            answer = connection.getresponse()
            data = answer.read()
            return answer.status, answer.headers, data
        finally:
            connection.close()

    def request(self, method, path, headers=None, body=None, host="registry") -> tuple:
        """One HTTPS request from inside the namespace to the registry (or ``host='auth'``/``'oss'``)."""
        ip, domain = {"registry": (self.registry_ip, self.registry_domain), "auth": (self.auth_ip, self.auth_domain),
                      "oss": (self.oss_ip, self.oss_domain)}[host]
        return run_in_netns(self.netns, self._call, ip, domain, method, path, headers, body)

    def token(self, scopes, username=None, password=None) -> tuple:
        """(status, JSON) of the token server for ``scopes`` (['repository:x:pull']), from inside the namespace."""
        query = urllib.parse.urlencode([("service", self.service)] + [("scope", scope) for scope in scopes])
        headers = {}
        if username is not None:
            headers["Authorization"] = "Basic " + base64.b64encode(("%s:%s" % (username, password)).encode()).decode()
        status, _headers, body = self.request("GET", "/auth?" + query, headers=headers, host="auth")
        return status, json.loads(body or b"{}")

    def _push(self, repository: str, tag: str, image: dict) -> str:
        scope = "repository:%s:pull,push" % repository
        query = urllib.parse.urlencode({"service": self.service, "scope": scope})
        basic = base64.b64encode(("%s:%s" % (SEEDER, self._seeder_password)).encode()).decode()
        status, _headers, body = self._call(self.auth_ip, self.auth_domain, "GET", "/auth?" + query, {"Authorization": "Basic " + basic})
        if status != 200:
            raise RuntimeError("the token server refused the seeder: %s %s" % (status, body[:300]))
        bearer = {"Authorization": "Bearer " + json.loads(body)["token"]}

        def call(method, path, headers=None, data=None, expect=(200,)):
            status, answer_headers, answer = self._call(self.registry_ip, self.registry_domain, method, path,
                                                        dict(bearer, **(headers or {})), data)
            if status not in expect:
                raise RuntimeError("%s %s: %s %s" % (method, path, status, answer[:500]))
            return status, answer_headers

        for blob in (image["layer"], image["config"]):
            digest = "sha256:" + hashlib.sha256(blob).hexdigest()
            status, _headers = call("HEAD", "/v2/%s/blobs/%s" % (repository, digest), expect=(200, 404))
            if status == 200:
                continue
            _status, headers = call("POST", "/v2/%s/blobs/uploads/" % repository, {"Content-Length": "0"}, b"", expect=(202,))
            location = urllib.parse.urlsplit(headers["Location"])
            separator = "&" if location.query else ""
            path = "%s?%s%sdigest=%s" % (location.path, location.query, separator, urllib.parse.quote(digest))
            call("PUT", path, {"Content-Type": "application/octet-stream", "Content-Length": str(len(blob))}, blob, expect=(201,))
        _status, headers = call("PUT", "/v2/%s/manifests/%s" % (repository, tag), {"Content-Type": MANIFEST_V2}, image["manifest"],
                                expect=(201,))
        return headers.get("Docker-Content-Digest")

    def seed_image(self, repository="acr-access/busybox", tag="1.36") -> str:
        """Push busybox-static as ``repository:tag`` and as ``public/busybox:tag``; the manifest digest."""
        image = busybox_image()
        expected = "sha256:" + hashlib.sha256(image["manifest"]).hexdigest()
        for name in dict.fromkeys([repository, "public/busybox"]):
            digest = run_in_netns(self.netns, self._push, name, tag, image)
            if digest != expected:
                raise RuntimeError("the registry stored %s as %s, expected %s" % (name, digest, expected))
        return expected

    # -- tear-down -------------------------------------------------------------------------------------

    def pids(self) -> list:
        """The pids of every live process started here (each helper's whole process group)."""
        groups = {process.pid for process in self.processes.values() if process.poll() is None}
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % entry) as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) in groups and fields[0] != "Z":
                found.append(int(entry))
        return sorted(found)

    def stop(self) -> None:
        for name, process in list(self.processes.items()):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
            try:
                os.killpg(process.pid, signal.SIGKILL)  # what is left of the group (the registry under its guard)
            except (ProcessLookupError, PermissionError):
                pass
            process.wait()
            for pipe in (process.stdin, process.stdout):
                if pipe:
                    try:
                        pipe.close()
                    except OSError:
                        pass
        self.processes.clear()


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] in ("serve-auth", "serve-oss"):
        serve(sys.argv[1], sys.argv[2])
    elif len(sys.argv) >= 3 and sys.argv[1] == "guard":
        guard(sys.argv[2:])
    else:
        sys.exit("usage: registry_services.py serve-auth|serve-oss CONFIG | guard ARGV...")
