"""Command line of the network twin (run with PYTHONPATH=tests/e2e:tests/twin).

    python -m net_twin up STATE_DIR --twin http://127.0.0.1:PORT [--no-podman] [--no-docker] [--bind-hosts-client] [--data-center] [--clients N]
    python -m net_twin reconcile STATE_DIR      # one pass now, prints what changed
    python -m net_twin down STATE_DIR

``up`` returns once everything is up; the supervisor (registry services + reconciler loop) keeps running
detached until ``down``.
"""

import argparse
import json
import os
import signal
import sys
import time

from net_twin import reconciler
from net_twin.twin import NetTwin, teardown


# The image the registry holds once up (the inventory's registry_client_images)
SEED_REPOSITORY, SEED_TAG = "acr-access/busybox", "1.36"


def _load(state_dir):
    with open(os.path.join(state_dir, "state.json")) as handle:
        return json.load(handle)


def cli_up(args):
    engines = [e for e in ("docker", "podman") if not getattr(args, "no_" + e)]
    twin = NetTwin(args.state_dir, args.twin, prefix=args.prefix, engines=engines, bind_hosts_client=args.bind_hosts_client,
                   services=args.services, seed_image=not args.no_seed, reap=False, data_center=args.data_center,
                   clients=args.clients)
    twin.up()
    state = twin.state
    print(json.dumps({"inventory": state["inventory"], "ssh_key": state["ssh_key"], "up_seconds": state["up_seconds"],
                      "services": state.get("services"), "hosts": dict((n, h["ip"]) for n, h in state["topology"]["hosts"].items())},
                     indent=2))


def cli_down(args):
    seconds = NetTwin(args.state_dir, "http://unused").down()
    print(json.dumps({"down_seconds": seconds}))


def cli_reconcile(args):
    state = _load(args.state_dir)
    changes = reconciler.reconcile_once(state["topology"], state["twin"])
    print(json.dumps(dict((ns, lines) for ns, lines in changes.items() if lines), indent=2))


def _start_services(state, log):
    """The registry services (the other engineer's RegistryServices), or plain TCP listeners when they cannot start."""
    services = state["topology"].get("services")
    if not services:
        return None, {"mode": "none"}
    if state.get("services_mode", "registry") == "registry":
        try:
            from net_twin.registry_services import RegistryServices

            registry = RegistryServices(os.path.join(state["workdir"], "services"), services["ns"], state["twin"],
                                        instance_id=services["instance"], registry_domain=services["registry_domain"],
                                        registry_ip=services["registry_ip"], auth_domain=services["auth_domain"],
                                        auth_ip=services["auth_ip"], oss_domain=services["oss_domain"], oss_ip=services["oss_ip"],
                                        oss_extra_ips=services.get("privatelink_oss_ips", []))
            registry.start()
            seeded = state.get("seed_image", True)
            digest = registry.seed_image(SEED_REPOSITORY, SEED_TAG) if seeded else None
            return registry, {"mode": "registry", "ca_path": registry.ca_path, "digest": digest, "pids": registry.pids(),
                              "image": "%s:%s" % (SEED_REPOSITORY, SEED_TAG) if seeded else None,
                              "cert_dir": getattr(registry, "cert_dir", None)}
        except Exception as err:  # keep the network twin usable: plain listeners instead
            log("registry services failed, falling back to plain listeners: %r" % err)
            try:
                registry.stop()
            except Exception:  # pylint: disable=broad-except
                pass
            error = repr(err)
    else:
        error = None
    from net_twin.hosts import in_netns
    import socket
    import threading

    def listen(address):
        server = socket.create_server((address, 443))
        return server

    sockets = [in_netns(services["ns"], listen, address) for address in services["addresses"]]

    def accept(server):
        while True:
            connection, _peer = server.accept()
            connection.close()

    for server in sockets:
        threading.Thread(target=accept, args=(server,), daemon=True).start()
    return None, {"mode": "listener", "error": error, "ca_path": None}


def cli_supervise(args):
    """(internal) the detached process: registry services, then the reconciler loop until down()."""
    state = _load(args.state_dir)
    state_path = os.path.join(args.state_dir, "state.json")

    def log(line):
        sys.stdout.write("%s %s\n" % (time.strftime("%H:%M:%S"), line))
        sys.stdout.flush()

    def stop(_signum, _frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    registry = None
    try:
        registry, report = _start_services(state, log)
        report["supervisor_pid"] = os.getpid()
        path = os.path.join(args.state_dir, "services.json")
        with open(path + ".tmp", "w") as handle:
            json.dump(report, handle, indent=1)
        os.replace(path + ".tmp", path)
        log("services: %s" % json.dumps(report))
        reconciler.loop(state["topology"], state["twin"], state_path, interval=state.get("interval", 0.3), log=log)
    finally:
        if registry is not None:
            registry.stop()
        log("supervisor stopped")


def cli_reap(args):
    """(internal) wait until the owner's pipe closes, then remove whatever state.json still records."""
    sys.stdin.buffer.read()
    path = os.path.join(args.state_dir, "state.json")
    if os.path.exists(path):
        teardown(_load(args.state_dir))
        os.remove(path)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="net_twin", description="the network twin of the cloud twin's VPCs and transit routers")
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="build the network twin in STATE_DIR")
    up.add_argument("state_dir")
    up.add_argument("--twin", required=True, help="the cloud twin's endpoint, http://127.0.0.1:PORT")
    up.add_argument("--prefix", default="acrnet", help="namespace name prefix (unique per twin)")
    up.add_argument("--no-podman", action="store_true")
    up.add_argument("--no-docker", action="store_true")
    up.add_argument("--no-seed", action="store_true", help="do not push the busybox image into the registry")
    up.add_argument("--bind-hosts-client", action="store_true", help="also shanghai-client2 (172.16.0.2) with a bind-mounted /etc/hosts")
    up.add_argument("--data-center", action="store_true", help="also the data center: idc-gateway (its Linux gateway) and idc-client (192.168.0.1)")
    up.add_argument("--clients", type=int, default=0, metavar="N",
                    help="also N client hosts client-001... in the source vSwitch (group registry_clients, root, podman only)")
    up.add_argument("--services", choices=("registry", "listener"), default="registry")
    for name, helptext in (("down", "remove everything up made"), ("reconcile", "one reconcile pass now"),
                           ("supervise", "(internal) services + reconciler loop"), ("reap", "(internal) clean up when stdin closes")):
        command = commands.add_parser(name, help=helptext)
        command.add_argument("state_dir")
    args = parser.parse_args(argv)
    {"up": cli_up, "down": cli_down, "reconcile": cli_reconcile, "supervise": cli_supervise, "reap": cli_reap}[args.command](args)


if __name__ == "__main__":
    main()
