"""Suite 4, secrets: the whole main job at -vvv with a distinctive access key secret, STS credentials through
ram_role_arn (the twin's AssumeRole) and step 4's registry login on a local client host (the temporary password of
cr_authorization_token, given to the engine's login on stdin).

No secret may appear in the output, in the twin's call log, or in any file of the run (home, Ansible's temporary
directories, its log, the client's hosts file and engine directory), except the engine's own credential store, which
must be mode 0600. The engine is a stand-in `docker` on PATH that stores the login as docker does (config.json, an
`auth` of base64 user:password) and hands the password to the test outside the scanned tree: the network twin's real
registry is not needed for this, and the login is not verified against a registry (registry_client_verify false).
"""

import base64
import json
import os
import stat
import sys

import yaml

from acr_twin import Twin, TwinServer

from reliability_lab import PLAYBOOKS

ACCESS_KEY_ID = "LTAI5tReliabilitySecrets"
ACCESS_KEY_SECRET = "RelSecret-7f3c9e1a5b2d8c4e6f0a1b3c5d7e9f2a"  # distinctive: any occurrence is a leak
ROLE_ARN = "acs:ram::1234567890123456:role/acr-access-reliability"

FAKE_DOCKER = r'''#!%(python)s
import base64, json, os, sys
args = sys.argv[1:]
config = os.path.join(os.environ["DOCKER_CONFIG"], "config.json")
if args[:1] == ["login"]:
    password = sys.stdin.read()
    user, registry = args[args.index("--username") + 1], args[-1]
    with open(os.path.join(%(witness)r, "passwords"), "a") as witness:
        witness.write(password + "\n")
    doc = json.load(open(config)) if os.path.exists(config) else {}
    doc.setdefault("auths", {})[registry] = {"auth": base64.b64encode(("%%s:%%s" %% (user, password)).encode()).decode()}
    fd = os.open(config, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(doc, handle)
    print("Login Succeeded")
'''


def with_role(playbook, target):
    """playbooks/cross_region_access.yml as a user configures ram_role_arn: module_defaults of the action group on every play."""
    with open(playbook, encoding="utf-8") as handle:
        plays = yaml.safe_load(handle)
    for play in plays:
        play["module_defaults"] = {"group/alicloud.acr_access.alicloud": {"ram_role_arn": ROLE_ARN}}
    target.write_text(yaml.safe_dump(plays, sort_keys=False))
    return target


def test_no_secret_in_the_output_the_twin_log_or_any_file_of_a_full_run_at_vvv(main_job, tmp_path):
    witness = tmp_path.parent / (tmp_path.name + "-witness")
    witness.mkdir()
    client = tmp_path / "client"
    (client / "docker").mkdir(parents=True)
    (client / "bin").mkdir()
    (client / "hosts").write_text("127.0.0.1 localhost\n")
    fake = client / "bin" / "docker"
    fake.write_text(FAKE_DOCKER % dict(python=sys.executable, witness=str(witness)))
    fake.chmod(0o755)
    inventory = tmp_path / "clients.yml"
    inventory.write_text(json.dumps({"all": {"children": {"registry_clients": {"hosts": {"client1": {
        "ansible_connection": "local", "ansible_python_interpreter": sys.executable,
        "registry_client_hosts_path": str(client / "hosts"), "registry_client_verify": False}}}}}}))
    playbook = with_role(PLAYBOOKS["cross_region_access"], tmp_path / "cross_region_access.yml")

    with TwinServer(Twin(fixture="seed", time_scale=0.0, access_key_id=ACCESS_KEY_ID, access_key_secret=ACCESS_KEY_SECRET)) as server:
        twin = server.twin
        code, output = main_job(playbook, inventories=[inventory], verbosity=3, env={
            "ACR_ACCESS_ENDPOINT": "http://%s" % twin.endpoint, "ALIBABA_CLOUD_ACCESS_KEY_ID": ACCESS_KEY_ID,
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": ACCESS_KEY_SECRET, "DOCKER_CONFIG": str(client / "docker"),
            "PATH": "%s:%s" % (client / "bin", os.environ["PATH"]), "ANSIBLE_LOG_PATH": str(tmp_path / "ansible.log"),
            "ANSIBLE_KEEP_REMOTE_FILES": "0"})
        assert code == 0, output[-8000:]
        call_log = json.dumps(twin.calls())
        # the run really used every kind of secret: STS keys (each task assumes the role), a registry password
        temporary = dict(twin.keys.temporary)
        assert twin.calls(action="AssumeRole") and temporary
        assert twin.calls(action="GetAuthorizationToken")
    passwords = [line for line in (witness / "passwords").read_text().splitlines() if line]
    assert passwords, "the engine was never asked to log in"

    secrets = {"access key secret": ACCESS_KEY_SECRET}
    for key_id, (secret, token, _expires) in temporary.items():
        secrets["STS secret of %s" % key_id] = secret
        secrets["STS security token of %s" % key_id] = token
    for number, password in enumerate(passwords):
        secrets["registry password %d" % number] = password
        secrets["registry password %d (docker's base64 auth)" % number] = base64.b64encode(("cr_temp_user:%s" % password).encode()).decode()

    store = client / "docker" / "config.json"
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    places = {"the output": output, "the twin's call log": call_log}
    scanned = 0
    for directory, _dirs, files in os.walk(tmp_path):
        for name in files:
            path = os.path.join(directory, name)
            if path == str(store) or os.path.islink(path):
                continue
            with open(path, "rb") as handle:
                places[path] = handle.read().decode("utf-8", "replace")
            scanned += 1
    leaks = ["%s in %s" % (what, where) for where, text in places.items() for what, secret in secrets.items() if secret in text]
    print("secrets: %d values (%s) searched in the output, the twin's call log and %d files: %d found" % (
        len(secrets), ", ".join(sorted(set(w.split(" of ")[0].split(" (")[0].rstrip("0123456789 ") for w in secrets))), scanned, len(leaks)))
    assert not leaks, leaks
    assert scanned >= 3 and (tmp_path / "ansible.log").exists()
