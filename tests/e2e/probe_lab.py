#!/usr/bin/env python
"""A registry probe lab: a network namespace with HTTPS servers on the seed's addresses, and a way to run a probe inside it.

What it builds (Linux, root, iproute2 and util-linux):

- a network namespace (unique name: prefix + pid + counter) whose ``lo`` holds the
  addresses of the listeners (10.94.205.198, 100.103.7.181, 100.118.28.43 for the seed);
  nothing is routed anywhere else, so no packet leaves the namespace;
- a test CA (``cryptography``) and one certificate per domain;
- one server process inside the namespace (``probe_lab.py serve CONFIG``) with one
  listener per address: a registry answering ``/v2/`` with a Bearer challenge, or a
  failure mode (a plain status, a silent TLS port, a full accept queue, another CA ...);
- a private ``hosts`` and ``resolv.conf`` (nameserver 127.0.0.1: a miss fails at once and
  no DNS packet leaves) that the probe sees as /etc/hosts through a private mount
  namespace, so the real /etc is never touched.

Python: ``with ProbeLab(listeners, hosts) as lab: subprocess.run(lab.wrap([python, ...]))``.
Command line (a lab that outlives the command, for ansible-playbook with tests/e2e/inventory/probe_lab.yml):
``probe_lab.py up STATE_DIR [--python PY] [--seed-bucket BUCKET]`` writes STATE_DIR/state.json and
STATE_DIR/python (an interpreter wrapper for ``ansible_python_interpreter``);
``probe_lab.py down STATE_DIR`` removes everything ``up`` made.
"""

from __future__ import annotations

import argparse
import datetime
import http.server
import itertools
import json
import os
import select
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading

SEED_REGISTRY = "acr-twin-registry-vpc.cn-hangzhou.cr.aliyuncs.com"
SEED_AUTH = "dockerauth-vpc.cn-hangzhou.aliyuncs.com"
SEED_OSS = "oss-cn-hangzhou-internal.aliyuncs.com"
SEED_REGISTRY_IP = "10.94.205.198"
SEED_AUTH_IP = "100.103.7.181"
SEED_OSS_IP = "100.118.28.43"
SEED_SERVICE = "registry.aliyuncs.com:cn-hangzhou:26842"
PROBE_HOSTNAME = "ecs1-hangzhou"
_counter = itertools.count()


def bearer(auth_domain: str, service: str = SEED_SERVICE, path: str = "/auth") -> str:
    return 'Bearer realm="https://%s%s",service="%s"' % (auth_domain, path, service)


def seed_listeners(bucket: str | None = None) -> tuple:
    """(listeners, hosts) of the seed: registry, auth and OSS on their documented addresses."""
    listeners = [
        dict(address=SEED_REGISTRY_IP, domain=SEED_REGISTRY, behaviour="registry", www_authenticate=[bearer(SEED_AUTH)]),
        dict(address=SEED_AUTH_IP, domain=SEED_AUTH, behaviour="status", status=401),
        dict(address=SEED_OSS_IP, domain=SEED_OSS, behaviour="status", status=403),
    ]
    hosts = {SEED_REGISTRY: [SEED_REGISTRY_IP], SEED_AUTH: [SEED_AUTH_IP], SEED_OSS: [SEED_OSS_IP]}
    if bucket:
        hosts["%s.%s" % (bucket, SEED_OSS)] = ["100.118.28.44"]
        listeners.append(dict(address="100.118.28.44", domain="%s.%s" % (bucket, SEED_OSS), behaviour="status", status=403))
    return listeners, hosts


# --- certificates -------------------------------------------------------------------------------


def _key():
    from cryptography.hazmat.primitives.asymmetric import ec
    return ec.generate_private_key(ec.SECP256R1())


def _pem_key(key) -> bytes:
    from cryptography.hazmat.primitives import serialization
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _cert(subject_cn: str, key, issuer_cn: str, issuer_key, ca: bool, san: list | None = None):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject_cn)]))
               .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_cn)]))
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(hours=1))
               .not_valid_after(now + datetime.timedelta(days=2))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                                      data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                                      encipher_only=False, decipher_only=False), critical=True)
        builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    else:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(name) for name in san]), critical=False)
        builder = builder.add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


class TestCA:
    """A CA in ``directory``: ``ca.pem`` and ``issue(domain)`` -> (cert path, key path)."""

    def __init__(self, directory: str, name: str = "acr_access probe lab CA"):
        from cryptography.hazmat.primitives import serialization
        self.directory = directory
        self.name = name
        self.key = _key()
        self.cert = _cert(name, self.key, name, self.key, ca=True)
        self.ca_path = os.path.join(directory, "%s.pem" % name.replace(" ", "_"))
        with open(self.ca_path, "wb") as handle:
            handle.write(self.cert.public_bytes(serialization.Encoding.PEM))

    def issue(self, domain: str, san: list | None = None) -> tuple:
        from cryptography.hazmat.primitives import serialization
        key = _key()
        cert = _cert(domain, key, self.name, self.key, ca=False, san=san or [domain])
        stem = os.path.join(self.directory, "%s--%s" % (self.name.replace(" ", "_"), domain))
        with open(stem + ".crt", "wb") as handle:
            handle.write(cert.public_bytes(serialization.Encoding.PEM) + self.cert.public_bytes(serialization.Encoding.PEM))
        with open(stem + ".key", "wb") as handle:
            handle.write(_pem_key(key))
        return stem + ".crt", stem + ".key"


# --- the lab ------------------------------------------------------------------------------------


def _run(*argv: str) -> str:
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


def warnings_of(result: dict) -> list:
    """The warning texts of a module result: ansible-core 2.19 prints them as structured events when a module runs alone."""
    return [warning["event"]["msg"] if isinstance(warning, dict) else warning for warning in result.get("warnings", [])]


def lab_supported() -> str | None:
    """None when this machine can build the lab, else why not (see require_lab)."""
    if os.geteuid() != 0:
        return "the probe lab needs root (network namespaces)"
    for tool in ("ip", "unshare"):
        if not shutil.which(tool):
            return "the probe lab needs %s" % tool
    return None


def require_lab() -> None:
    """In a pytest fixture: fail when the lab cannot be built here, or skip when ACR_ACCESS_SKIP_LAB=1 says so.

    A skip would turn a machine that cannot run the lab tests (not root, no iproute2) into a green run.
    """
    import pytest  # only the tests need it; the command line does not

    reason = lab_supported()
    if reason is None:
        return
    if os.environ.get("ACR_ACCESS_SKIP_LAB") == "1":
        pytest.skip(reason + " (skipped: ACR_ACCESS_SKIP_LAB=1)")
    pytest.fail("%s: run the tests as root, or set ACR_ACCESS_SKIP_LAB=1 to skip the probe lab tests knowingly" % reason, pytrace=False)


class ProbeLab:
    """A network namespace with listeners on its lo and a private /etc/hosts for the probe.

    ``listeners``: dicts {address, port=443, domain (certificate name), behaviour, ...} (see Handler);
    ``cert_domain`` signs a certificate for another name, ``ca: "other"`` with an untrusted CA.
    ``hosts``: {name: [addresses]} for the probe's /etc/hosts.
    """

    def __init__(self, listeners: list, hosts: dict, prefix: str = "acrprobe", workdir: str | None = None, reap: bool = True):
        self.name = "%s%d-%d" % (prefix, os.getpid(), next(_counter))
        self.listeners = [dict(listener) for listener in listeners]
        self.hosts = hosts
        self.own_workdir = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix="%s-" % self.name)
        os.makedirs(self.workdir, exist_ok=True)
        self.server = None
        self.ca_path = None
        self.reap = reap
        self.reaper = None

    # paths the probe sees as /etc/hosts and /etc/resolv.conf
    @property
    def hosts_path(self) -> str:
        return os.path.join(self.workdir, "hosts")

    @property
    def resolv_path(self) -> str:
        return os.path.join(self.workdir, "resolv.conf")

    def __enter__(self) -> "ProbeLab":
        try:
            self.up()
        except BaseException:
            self.down()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.down()

    @property
    def state_path(self) -> str:
        return os.path.join(self.workdir, "lab-state.json")

    def _save_state(self) -> None:
        with open(self.state_path, "w") as handle:
            json.dump(dict(self.state(), own_workdir=self.own_workdir), handle)

    def _start_reaper(self) -> None:
        """A watcher that tears the lab down when this process ends without calling down().

        Test runners that fork per test (ansible-test units) end the test process with os._exit,
        so fixture teardown never runs; the watcher sees its stdin pipe close and cleans up.
        """
        self.reaper = subprocess.Popen([sys.executable, os.path.abspath(__file__), "reap", self.state_path], stdin=subprocess.PIPE,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def up(self) -> None:
        self._save_state()
        if self.reap:
            self._start_reaper()
        self._write_etc()
        self._issue_certificates()
        _run("ip", "netns", "add", self.name)
        _run("ip", "-n", self.name, "link", "set", "lo", "up")
        for address in sorted({listener["address"] for listener in self.listeners} | set(self._extra_addresses())):
            _run("ip", "-n", self.name, "addr", "add", "%s/32" % address, "dev", "lo")
        self._start_server()

    def _extra_addresses(self) -> list:
        """Addresses in hosts without a listener: on lo too, so that connecting to them is refused, not routed."""
        return [address for addresses in self.hosts.values() for address in addresses if ":" not in address]

    def _write_etc(self) -> None:
        lines = ["127.0.0.1 localhost", "127.0.1.1 %s" % PROBE_HOSTNAME]
        lines += ["%s %s" % (address, name) for name, addresses in self.hosts.items() for address in addresses]
        with open(self.hosts_path, "w") as handle:
            handle.write("\n".join(lines) + "\n")
        with open(self.resolv_path, "w") as handle:
            handle.write("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")

    def _issue_certificates(self) -> None:
        trusted = TestCA(self.workdir)
        other = TestCA(self.workdir, name="untrusted CA")
        self.ca_path = trusted.ca_path
        for listener in self.listeners:
            if listener.get("domain"):
                issuer = other if listener.get("ca") == "other" else trusted
                listener["cert"], listener["key"] = issuer.issue(listener.get("cert_domain") or listener["domain"])

    def _start_server(self) -> None:
        config = os.path.join(self.workdir, "listeners.json")
        with open(config, "w") as handle:
            json.dump(self.listeners, handle)
        argv = ["ip", "netns", "exec", self.name, sys.executable, os.path.abspath(__file__), "serve", config]
        log = open(os.path.join(self.workdir, "server.log"), "w")
        self.server = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log, text=True, start_new_session=True)
        log.close()
        self._save_state()
        ready = self.server.stdout.readline()
        if ready.strip() != "ready":
            with open(os.path.join(self.workdir, "server.log")) as handle:
                raise RuntimeError("the lab's server did not start: %s %s" % (ready, handle.read()))

    def write_hosts(self, path: str, hosts: dict) -> str:
        """Another hosts file for a second probe host of the same namespace (``wrap(..., hosts_path=path)``)."""
        lines = ["127.0.0.1 localhost"] + ["%s %s" % (address, name) for name, addresses in hosts.items() for address in addresses]
        with open(path, "w") as handle:
            handle.write("\n".join(lines) + "\n")
        return path

    def wrap(self, argv: list, hostname: str = PROBE_HOSTNAME, hosts_path: str | None = None) -> list:
        """``argv`` run inside the namespace with the lab's /etc/hosts and resolv.conf (a private mount namespace)."""
        script = ('mount --bind "$1" /etc/hosts && mount --bind "$2" /etc/resolv.conf && hostname "$3" && shift 3 && exec "$@"')
        return (["ip", "netns", "exec", self.name, "unshare", "--mount", "--uts", "--propagation", "private", "sh", "-c", script, "probe-lab",
                 hosts_path or self.hosts_path, self.resolv_path, hostname] + list(argv))

    def run_module(self, name: str, args: dict, check_mode: bool = False, python: str = sys.executable) -> dict:
        """Run ``plugins/modules/<name>.py`` of the collection inside the lab (as Ansible would on the probe host); its JSON result."""
        args_path = os.path.join(self.workdir, "args-%d.json" % next(_counter))
        module_args = dict(args, _ansible_check_mode=check_mode)
        with open(args_path, "w") as handle:
            json.dump({"ANSIBLE_MODULE_ARGS": module_args}, handle)
        argv = [python, "-m", "ansible_collections.alicloud.acr_access.plugins.modules.%s" % name, args_path]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(path for path in sys.path if path))
        done = subprocess.run(self.wrap(argv), capture_output=True, text=True, env=env, timeout=120, check=False)
        try:
            return json.loads(done.stdout)
        except ValueError:
            raise AssertionError("module %s printed no JSON (exit %d): %s %s" % (name, done.returncode, done.stdout, done.stderr))

    def write_interpreter(self, path: str, python: str = sys.executable, hostname: str = PROBE_HOSTNAME, hosts_path: str | None = None) -> str:
        """An executable wrapper for ``ansible_python_interpreter``: Ansible's modules then run inside the lab."""
        quoted = " ".join("'%s'" % part.replace("'", "'\\''") for part in self.wrap([python], hostname, hosts_path))
        with open(path, "w") as handle:
            handle.write('#!/bin/sh\n# generated by probe_lab.py for namespace %s\nexec %s "$@"\n' % (self.name, quoted))
        os.chmod(path, 0o755)
        return path

    def down(self) -> None:
        """Stop every process of the namespace, delete it and the work directory; safe to call twice or after a failed up()."""
        if self.server and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait()
        if self.server and self.server.stdout:
            self.server.stdout.close()
        delete_namespace(self.name)
        if self.own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
        if self.reaper:
            self.reaper.stdin.close()  # nothing left to do for it: it finds no namespace and exits
            self.reaper.wait(timeout=30)
            self.reaper = None

    def state(self) -> dict:
        return dict(namespace=self.name, workdir=self.workdir, ca_path=self.ca_path, server_pid=self.server.pid if self.server else None,
                    hosts=self.hosts)


def _is_lab_server(pid: int, workdir: str) -> bool:
    """Whether ``pid`` still is this lab's server (not a reused pid)."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as handle:
            return workdir.encode() in handle.read()
    except OSError:
        return False


def reap(state_path: str) -> None:
    """Wait until the lab's owner closes stdin (or dies), then remove whatever of the lab is left."""
    sys.stdin.buffer.read()
    try:
        with open(state_path) as handle:
            state = json.load(handle)
    except (OSError, ValueError):
        return  # down() already removed everything
    pid = state.get("server_pid")
    if pid and _is_lab_server(pid, state["workdir"]):
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    delete_namespace(state["namespace"])
    if state.get("own_workdir"):
        shutil.rmtree(state["workdir"], ignore_errors=True)


def delete_namespace(name: str) -> None:
    """Kill what still runs in the namespace (by pid, only its own processes), then delete it."""
    names = [line.split()[0] for line in _run("ip", "netns", "list").splitlines() if line.strip()]
    if name not in names:
        return
    pids = subprocess.run(["ip", "netns", "pids", name], capture_output=True, text=True, check=False).stdout.split()
    for pid in pids:
        try:
            os.kill(int(pid), signal.SIGKILL)
        except ProcessLookupError:
            pass
    subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)


# --- the servers (run inside the namespace) -----------------------------------------------------


class Handler(http.server.BaseHTTPRequestHandler):
    """Behaviours: registry (401 + www_authenticate, switching to ``then`` after ``switch_after`` requests), status."""

    protocol_version = "HTTP/1.1"
    server_version = "probe-lab"

    def log_message(self, fmt, *args):  # keep the log small and on stderr
        sys.stderr.write("%s %s\n" % (self.server.listener["address"], fmt % args))

    def do_GET(self):
        listener = self.server.listener
        with self.server.lock:
            self.server.requests += 1
            count = self.server.requests
        if listener["behaviour"] == "registry":
            headers = listener.get("www_authenticate", [])
            if listener.get("switch_after") is not None and count > listener["switch_after"]:
                headers = listener["then"]
            self._answer(401, headers, b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}')
        else:
            self._answer(listener.get("status", 200), listener.get("www_authenticate", []), listener.get("body", "{}").encode())

    def _answer(self, status: int, challenges: list, body: bytes) -> None:
        self.send_response(status)
        for challenge in challenges:
            self.send_header("WWW-Authenticate", challenge)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Docker-Distribution-Api-Version", "registry/2.0")
        self.end_headers()
        self.wfile.write(body)


class TLSServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, listener: dict):
        self.listener = listener
        self.lock = threading.Lock()
        self.requests = 0
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(listener["cert"], listener["key"])
        self.context = context
        super().__init__((listener["address"], listener.get("port", 443)), Handler)

    def get_request(self):
        sock, address = super().get_request()
        # the handshake happens in the request's thread, so one stalled client does not block the others
        return self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address


def _silent(listener: dict) -> socket.socket:
    """Accepts TCP, never speaks: a TLS handshake times out. Bound here (before "ready"), accepting in a thread."""
    server = socket.create_server((listener["address"], listener.get("port", 443)))
    threading.Thread(target=_hold_connections, args=(server,), daemon=True).start()
    return server


def _hold_connections(server: socket.socket) -> None:
    held = []
    while True:
        held.append(server.accept()[0])


def _accept_queue(server: socket.socket) -> tuple:
    """(connections waiting in the accept queue, its limit) of a listening socket (Linux TCP_INFO: tcpi_unacked, tcpi_sacked)."""
    info = server.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 32)
    unacked, sacked = struct.unpack("8x4x4x4x4xII", info)
    return unacked, sacked


def _full_queue(listener: dict) -> tuple:
    """Listens with a full accept queue and never accepts: the kernel drops new SYNs, so connecting times out.

    Fillers connect one at a time; each is in the accept queue once its handshake is complete (the socket turns
    writable), and the kernel counts the queue full when it holds more than its limit.
    """
    address = (listener["address"], listener.get("port", 443))
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(address)
    server.listen(0)
    fillers = []
    while _accept_queue(server)[0] <= _accept_queue(server)[1]:
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(address)
        if not select.select([], [filler], [], 10)[1]:  # a safety net, not a synchronisation: the handshake is local
            raise RuntimeError("full_queue %s: filler %d did not connect" % (listener["address"], len(fillers) + 1))
        fillers.append(filler)
    return server, fillers


def serve(config: str) -> None:
    with open(config) as handle:
        listeners = json.load(handle)
    keep = []
    for listener in listeners:
        if listener["behaviour"] == "silent":
            keep.append(_silent(listener))
        elif listener["behaviour"] == "full_queue":
            keep.append(_full_queue(listener))
        elif listener["behaviour"] in ("registry", "status"):
            server = TLSServer(listener)
            threading.Thread(target=server.serve_forever, daemon=True).start()
        # behaviour "none": the address only, nothing listens (connection refused)
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM, signal.SIGINT])
    print("ready", flush=True)
    signal.sigwait([signal.SIGTERM, signal.SIGINT])


# --- command line -------------------------------------------------------------------------------


def _cli_up(args) -> None:
    listeners, hosts = seed_listeners(args.seed_bucket)
    os.makedirs(args.state_dir, exist_ok=True)
    # no watcher: the lab must outlive this command (`probe_lab.py down` removes it)
    lab = ProbeLab(listeners, hosts, prefix=args.prefix, workdir=os.path.join(args.state_dir, "lab"), reap=False)
    try:
        lab.up()
        lab.write_interpreter(os.path.join(args.state_dir, "python"), args.python)
    except BaseException:
        lab.down()
        raise
    with open(os.path.join(args.state_dir, "state.json"), "w") as handle:
        json.dump(lab.state(), handle, indent=2)
    lab.server.stdout.close()
    print(json.dumps(lab.state()))


def _cli_down(args) -> None:
    path = os.path.join(args.state_dir, "state.json")
    if not os.path.exists(path):
        return
    with open(path) as handle:
        state = json.load(handle)
    pid = state.get("server_pid")
    if pid and _is_lab_server(pid, state["workdir"]):  # not a process that reused the pid
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    delete_namespace(state["namespace"])
    shutil.rmtree(state["workdir"], ignore_errors=True)
    os.remove(path)


def main(argv: list | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="build the seed lab; state in STATE_DIR")
    up.add_argument("state_dir")
    up.add_argument("--python", default=sys.executable, help="the interpreter the wrapper runs inside the namespace")
    up.add_argument("--seed-bucket", default=None, help="also serve <bucket>.oss-cn-hangzhou-internal.aliyuncs.com")
    up.add_argument("--prefix", default="acrmol")
    down = commands.add_parser("down", help="remove what `up` made")
    down.add_argument("state_dir")
    run = commands.add_parser("serve", help="(inside the namespace) run the listeners of a config file")
    run.add_argument("config")
    watcher = commands.add_parser("reap", help="(internal) remove a lab when stdin closes")
    watcher.add_argument("state_path")
    args = parser.parse_args(argv)
    {"up": _cli_up, "down": _cli_down, "serve": lambda a: serve(a.config), "reap": lambda a: reap(a.state_path)}[args.command](args)


if __name__ == "__main__":
    main()
