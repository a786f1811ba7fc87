"""Hosts of the network twin: a network namespace + a private mount namespace (overlay /etc, tmpfs /run) + sshd,
reached by Ansible over ssh exactly like ECS instances behind a bastion (a ProxyCommand that enters the namespace).

The mount namespace is held by sshd itself (``nsenter --net`` then ``unshare --mount --uts`` exec sshd), so
dockerd joins it with ``nsenter -t <sshd pid> -m -u -n`` and sees the host's /etc (hosts, docker/certs.d) and /run.
``ip netns exec`` is avoided on purpose: it remounts /sys without the cgroup mounts and dockerd then fails.
"""

import os
import shutil
import signal
import socket
import subprocess
import time

OPS_USER = "acrops"
SSHD = "/usr/sbin/sshd"
DOCKERD = "/usr/sbin/dockerd"


def _write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        handle.write(text)
    os.chmod(path, mode)


def host_dir(workdir, name):
    return os.path.join(workdir, "hosts", name)


def client_keys(workdir):
    """One ed25519 client key for every host: (private key path, authorized_keys path)."""
    keys = os.path.join(workdir, "keys")
    os.makedirs(keys, exist_ok=True)
    os.chmod(keys, 0o755)  # sshd reads authorized_keys with the user's rights (acrops too)
    private = os.path.join(keys, "id_ed25519")
    if not os.path.exists(private):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "net_twin", "-f", private], check=True)
    authorized = os.path.join(keys, "authorized_keys")
    shutil.copyfile(private + ".pub", authorized)
    os.chmod(authorized, 0o644)
    return private, authorized


def _free_uid():
    used = set()
    with open("/etc/passwd") as handle:
        for line in handle:
            parts = line.split(":")
            if len(parts) > 3:
                used.add(int(parts[2]))
                used.add(int(parts[3]))
    uid = 2000
    while uid in used:
        uid += 1
    return uid


def prepare(workdir, host, services, authorized_keys):
    """Write the host's overlay /etc (upper dir), sshd config and host key, homes; returns the paths used by start()."""
    base = host_dir(workdir, host["name"])
    upper, work = os.path.join(base, "etc-upper"), os.path.join(base, "etc-work")
    for path in (base, upper, work):
        os.makedirs(path, exist_ok=True)
    os.chmod(base, 0o755)
    root_home, ops_home = os.path.join(base, "root"), os.path.join(base, "home", OPS_USER)
    os.makedirs(root_home, exist_ok=True)
    os.makedirs(ops_home, exist_ok=True)
    os.chmod(os.path.join(base, "home"), 0o755)
    uid = _free_uid()
    os.chown(ops_home, uid, uid)
    # users: root's home moves into the workdir (Ansible's ~/.ansible stays out of the real /root); acrops is new.
    # '*' (not '!') as its password: sshd refuses locked accounts even for keys when PAM is off.
    passwd = []
    with open("/etc/passwd") as handle:
        for line in handle:
            fields = line.rstrip("\n").split(":")
            if fields[0] == "root":
                fields[5] = root_home
            if fields[0] != OPS_USER:
                passwd.append(":".join(fields))
    passwd.append("%s:x:%d:%d:net twin operator:%s:/bin/bash" % (OPS_USER, uid, uid, ops_home))
    _write(os.path.join(upper, "passwd"), "\n".join(passwd) + "\n")
    with open("/etc/group") as handle:
        groups = [line.rstrip("\n") for line in handle if not line.startswith(OPS_USER + ":")]
    _write(os.path.join(upper, "group"), "\n".join(groups + ["%s:x:%d:" % (OPS_USER, uid)]) + "\n")
    with open("/etc/shadow") as handle:
        shadow = [line.rstrip("\n") for line in handle if not line.startswith(OPS_USER + ":")]
    _write(os.path.join(upper, "shadow"), "\n".join(shadow + ["%s:*:20000:0:99999:7:::" % OPS_USER]) + "\n", mode=0o640)
    _write(os.path.join(upper, "sudoers.d", OPS_USER), "%s ALL=(ALL:ALL) NOPASSWD: ALL\n" % OPS_USER, mode=0o440)
    # name resolution: never leaves the host (a miss fails at once); the probe gets the registry VPC's names
    _write(os.path.join(upper, "resolv.conf"), "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
    lines = ["127.0.0.1 localhost", "127.0.1.1 %s" % host["name"], "::1 localhost ip6-localhost ip6-loopback"]
    if host.get("registry_names") and services:
        lines += ["%s %s" % (services["registry_ip"], services["registry_domain"]), "%s %s" % (services["auth_ip"], services["auth_domain"]),
                  "%s %s" % (services["oss_ip"], services["oss_domain"])]
    hosts_text = "\n".join(lines) + "\n"
    _write(os.path.join(upper, "hosts"), hosts_text)
    bind_hosts = os.path.join(base, "hosts.bind")
    if host.get("bind_hosts"):
        _write(bind_hosts, hosts_text)
    _write(os.path.join(upper, "hostname"), host["name"] + "\n")
    # container engines: podman reads the overlay /etc/containers; rootful, vfs, no systemd
    storage = os.path.join(base, "containers-storage")
    _write(os.path.join(upper, "containers", "storage.conf"),
           '[storage]\ndriver = "vfs"\nrunroot = "/run/containers/storage"\ngraphroot = "%s"\n' % storage)
    _write(os.path.join(upper, "containers", "containers.conf"),
           '[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\nevents_logfile_path = "/run/containers/events.log"\n'
           'runtime = "runc"\n')
    for directory in ("docker/certs.d", "containers/certs.d"):
        os.makedirs(os.path.join(upper, directory), exist_ok=True)
    host_key = os.path.join(base, "ssh_host_ed25519_key")
    if not os.path.exists(host_key):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", host_key], check=True)
    config = os.path.join(base, "sshd_config")
    _write(config, "\n".join([
        "ListenAddress %s:22" % host["ip"],
        "HostKey %s" % host_key,
        "PidFile /run/sshd.pid",
        "UsePAM no",
        "StrictModes no",
        "PermitRootLogin prohibit-password",
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "AuthorizedKeysFile %s" % authorized_keys,
        "UseDNS no",
        "MaxStartups 50:30:100",
        "MaxSessions 50",
        "Subsystem sftp /usr/lib/openssh/sftp-server",
        "AcceptEnv LANG LC_*",
        "",
    ]))
    return {"dir": base, "upper": upper, "work": work, "config": config, "bind_hosts": bind_hosts if host.get("bind_hosts") else None,
            "uid": uid, "home": ops_home, "root_home": root_home, "storage": storage, "docker_root": os.path.join(base, "docker"),
            "log": os.path.join(base, "sshd.log")}


def start_sshd(host, paths):
    """sshd in the host's netns, in a new mount + UTS namespace that it holds; returns its pid."""
    script = ('set -e; mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1,workdir=$2" /etc; '
              'mount -t tmpfs -o mode=755 tmpfs /run; mkdir -p /run/sshd; '
              'if [ -n "$5" ]; then mount --bind "$5" /etc/hosts; fi; '
              'hostname "$3"; exec %s -D -e -f "$4"' % SSHD)
    argv = ["nsenter", "--net=/run/netns/%s" % host["ns"], "--", "unshare", "--mount", "--uts", "--propagation", "private", "--",
            "sh", "-c", script, "net-twin-host", paths["upper"], paths["work"], host["name"], paths["config"], paths["bind_hosts"] or ""]
    log = open(paths["log"], "a")
    try:
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    finally:
        log.close()
    wait_listening(host["ns"], host["ip"], 22, process, paths["log"])
    return process.pid


def in_netns(namespace, function, *args):
    """Run ``function(*args)`` in a thread that joined ``namespace`` (setns affects only the calling thread)."""
    import ctypes
    import threading

    result = {}

    def target():
        libc = ctypes.CDLL(None, use_errno=True)
        fd = os.open("/run/netns/%s" % namespace, os.O_RDONLY)
        try:
            if libc.setns(fd, 0x40000000) != 0:
                raise OSError(ctypes.get_errno(), "setns %s" % namespace)
        finally:
            os.close(fd)
        try:
            result["value"] = function(*args)
        except BaseException as err:  # handed to the caller
            result["error"] = err

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result.get("value")


def _connects(address, port, timeout=1.0):
    try:
        with socket.create_connection((address, port), timeout=timeout):
            return True
    except OSError:
        return False


def connects(namespace, address, port, timeout=1.0):
    """Whether a TCP connection from inside ``namespace`` to address:port succeeds."""
    return in_netns(namespace, _connects, address, port, timeout)


def wait_listening(namespace, address, port, process, log_path, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if connects(namespace, address, port, timeout=0.5):
            return
        time.sleep(0.05)
    with open(log_path, errors="replace") as handle:
        raise RuntimeError("%s did not listen on %s:%d in %s: %s" % (process.args[0], address, port, namespace, handle.read()[-2000:]))


def start_dockerd(host, paths, sshd_pid, timeout=30.0):
    """dockerd inside the host's namespaces; its socket at /run/docker.sock of the host (the plain CLI finds it)."""
    os.makedirs(paths["docker_root"], exist_ok=True)
    log_path = os.path.join(paths["dir"], "dockerd.log")
    argv = ["nsenter", "-t", str(sshd_pid), "-m", "-u", "-n", "--", DOCKERD, "--data-root", paths["docker_root"],
            "--exec-root", "/run/docker", "--pidfile", "/run/docker.pid", "-H", "unix:///run/docker.sock",
            "--storage-driver", "vfs", "--iptables=false", "--ip6tables=false", "--bridge=none", "--ip-forward=false",
            "--ip-masq=false"]
    log = open(log_path, "a")
    try:
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    finally:
        log.close()
    socket_path = "/proc/%d/root/run/docker.sock" % sshd_pid  # the host's /run, seen through sshd's mount namespace
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if os.path.exists(socket_path):
            done = subprocess.run(["nsenter", "-t", str(sshd_pid), "-m", "-n", "--", "/usr/bin/docker", "-H", "unix:///run/docker.sock",
                                   "version", "--format", "{{.Server.Version}}"], capture_output=True, text=True, check=False)
            if done.returncode == 0:
                return process.pid
        time.sleep(0.1)
    with open(log_path, errors="replace") as handle:
        raise RuntimeError("dockerd did not start on %s: %s" % (host["name"], handle.read()[-3000:]))


def is_ours(pid, marker):
    """Whether ``pid`` still is a process we started (its command line names our workdir), not a reused pid."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as handle:
            return marker.encode() in handle.read()
    except (OSError, TypeError):
        return False


def stop_pid(pid, marker, timeout=10.0):
    """SIGTERM, then SIGKILL after ``timeout``; only when the pid still is ours."""
    if not pid or not is_ours(pid, marker):
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and is_ours(pid, marker):
        try:
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return
        except ChildProcessError:
            pass
        time.sleep(0.05)
    if is_ours(pid, marker):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
