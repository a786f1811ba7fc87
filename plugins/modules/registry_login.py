#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: registry_login
short_description: Log a client host's docker or podman in to a registry, only when its stored login does not work
version_added: 0.1.0
description:
  - Does on a client host what step 4 of the cross-region access procedure does with C(docker login).
  - Reads the login the engine has stored for O(registry) - docker from C($DOCKER_CONFIG/config.json) or C(~/.docker/config.json)
    (C(auths), or a credential helper named by C(credHelpers) / C(credsStore), run as C(docker-credential-<name> get));
    podman from C($REGISTRY_AUTH_FILE), C($XDG_RUNTIME_DIR/containers/auth.json), C(/run/containers/<uid>/auth.json),
    C($XDG_CONFIG_HOME/containers/auth.json), then docker's file.
  - Tests that login against the registry as C(docker login) does - C(GET https://<registry>/v2/) answers 401 with a Bearer
    challenge, and its realm issues a token for the stored user name and password (Basic auth). When it does, nothing changes; the
    stored password is never compared with O(password) (temporary logins from M(alicloud.acr_access.cr_authorization_token)
    differ at every run).
  - Otherwise runs C(<engine> login --username <username> --password-stdin <registry>) with the password on standard input (never on
    the command line or in the environment), then makes sure the file that holds the login is readable by its owner only (0600).
  - With O(state=absent) runs C(<engine> logout <registry>) when a login is stored.
  - Runs with the Python standard library only; no cloud credentials, not part of the C(alicloud) action group.
author:
  - alicloud.acr_access contributors (@alicloud-acr-access)
options:
  engine:
    description: The container engine whose login to manage.
  registry:
    description: The registry's domain, for example V(acr-example-registry-vpc.cn-hangzhou.cr.aliyuncs.com).
    type: str
    required: true
  username:
    description:
      - The user name to log in with. Required when a login has to be made.
      - A stored login of another user name counts as not working.
    type: str
  password:
    description:
      - The password (for example the temporary password of M(alicloud.acr_access.cr_authorization_token)). Required when a login
        has to be made. Never logged, never on a command line.
    type: str
  ca_path:
    description:
      - A CA bundle (PEM) to verify the registry and its auth service with, instead of the host's trusted CAs. The engine itself
        reads C(/etc/docker/certs.d/<registry>/ca.crt) or C(/etc/containers/certs.d/<registry>/ca.crt).
  repository:
    description: A repository (C(namespace/name)) to ask a pull token for in the test; without it the token has no scope, as C(docker login) asks.
    type: str
  timeout:
    description: Seconds for each connection and answer of the test.
    default: 10
  state:
    description: V(present) makes sure a working login is stored; V(absent) logs out.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - alicloud.acr_access.attributes
  - alicloud.acr_access.registry
attributes:
  check_mode:
    support: full
    details:
      - Reads and tests the stored login, then reports whether it would log in or out.
  diff_mode:
    support: none
    details:
      - A login holds a secret; RV(action) says what was done.
  idempotent:
    support: full
    details:
      - A second run finds the login working and changes nothing.
seealso:
  - module: alicloud.acr_access.cr_authorization_token
  - module: alicloud.acr_access.registry_image
"""

EXAMPLES = r"""
- name: Get a temporary login once, on the controller
  alicloud.acr_access.cr_authorization_token:
    region: cn-hangzhou
    instance_name: acr-example
  register: registry_token
  run_once: true
  delegate_to: localhost
  no_log: true

- name: Log every client in, unless its stored login still works
  alicloud.acr_access.registry_login:
    registry: acr-example-registry-vpc.cn-hangzhou.cr.aliyuncs.com
    username: "{{ registry_token.username }}"
    password: "{{ registry_token.password }}"
  no_log: true

- name: Log out
  alicloud.acr_access.registry_login:
    engine: podman
    registry: acr-example-registry-vpc.cn-hangzhou.cr.aliyuncs.com
    state: absent
"""

RETURN = r"""
registry:
  description: The registry.
  returned: always
  type: str
  sample: acr-example-registry-vpc.cn-hangzhou.cr.aliyuncs.com
engine:
  description: The engine.
  returned: always
  type: str
  sample: docker
action:
  description: V(kept) (the stored login works), V(login), V(logout) or V(none) (absent and nothing stored).
  returned: always
  type: str
  sample: kept
username:
  description: The user name of the login now stored (null when none).
  returned: always
  type: str
  sample: cr_temp_user
stored_in:
  description: Where the login was found or written - the file, and C(auths) or the credential helper.
  returned: always
  type: str
  sample: "/root/.docker/config.json (auths)"
reason:
  description: Why a login was (or would be) made - no stored login, another user name, or what the test answered.
  returned: always
  type: str
  sample: "the auth service dockerauth-vpc.cn-hangzhou.aliyuncs.com refused the login of cr_temp_user: HTTP 401 Unauthorized"
"""

import os
import stat

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.alicloud.acr_access.plugins.module_utils.registry_client import (
    ClientError, docker_config_path, login_works, podman_write_path, stored_login,
)
from ansible_collections.alicloud.acr_access.plugins.module_utils.registry_probe import ProbeError, tls_context

ARGUMENT_SPEC = dict(
    engine=dict(type="str", choices=["docker", "podman"], default="docker"),
    registry=dict(type="str", required=True),
    username=dict(type="str"),
    password=dict(type="str", no_log=True),
    ca_path=dict(type="path"),
    repository=dict(type="str"),
    timeout=dict(type="float", default=10),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def helper_runner(module: AnsibleModule):
    def run(argv, stdin_text):
        return module.run_command(argv, data=stdin_text, binary_data=True, check_rc=False)
    return run


def redact(module: AnsibleModule, text: str) -> str:
    for secret in (module.params.get("password"),):
        if secret:
            text = text.replace(secret, "********")
    return text


def secure_file(module: AnsibleModule, engine: str) -> str | None:
    """chmod 0600 the file the engine wrote the login to; its path."""
    path = podman_write_path() if engine == "podman" else docker_config_path()
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return None
    except OSError as error:
        module.warn("cannot check the mode of %s: %s" % (path, error.strerror or error))
        return path
    if mode & 0o077:
        os.chmod(path, 0o600)
    return path


def run_engine(module: AnsibleModule, argv: list, data: str | None = None) -> str:
    rc, out, err = module.run_command(argv, data=data, binary_data=True, check_rc=False)
    if rc != 0:
        module.fail_json(msg="%s failed (exit %d): %s" % (" ".join(argv), rc, redact(module, (err or out).strip())[:1000]),
                         registry=module.params["registry"], engine=module.params["engine"])
    return out


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    engine, state = params["engine"], params["state"]
    registry = params["registry"].strip().lower().rstrip(".")
    if params["timeout"] <= 0:
        module.fail_json(msg="timeout must be a positive number of seconds, not %s" % params["timeout"])
    try:
        stored = stored_login(engine, registry, helper_runner(module))
    except ClientError as error:
        module.fail_json(msg=redact(module, str(error)), registry=registry, engine=engine)
    if stored:
        module.no_log_values.add(stored["password"])
    where = "%s (%s)" % (stored["path"], stored["source"]) if stored else None
    result = dict(changed=False, registry=registry, engine=engine, action="none", username=stored and stored["username"], stored_in=where, reason="")

    if state == "absent":
        if stored:
            result.update(changed=True, action="logout", username=None, reason="a login is stored in %s" % where)
            if not module.check_mode:
                run_engine(module, [module.get_bin_path(engine, required=True), "logout", registry])
        module.exit_json(**result)

    if stored and params["username"] and stored["username"] != params["username"]:
        reason = "the stored login is for %s, not %s" % (stored["username"], params["username"])
    elif stored:
        try:
            context = tls_context(True, params["ca_path"])
        except ProbeError as error:
            module.fail_json(msg=str(error), registry=registry)
        works, reason = login_works(registry, stored, context, params["timeout"], params["repository"])
        if works:
            result.update(action="kept", reason=reason)
            module.exit_json(**result)
    else:
        reason = "no login for %s is stored (%s)" % (registry, engine)
    if not params["username"] or not params["password"]:
        module.fail_json(msg="username and password are required to log in to %s: %s" % (registry, redact(module, reason)),
                         registry=registry, engine=engine)
    result.update(changed=True, action="login", username=params["username"], reason=redact(module, reason))
    if not module.check_mode:
        binary = module.get_bin_path(engine, required=True)
        run_engine(module, [binary, "login", "--username", params["username"], "--password-stdin", registry], data=params["password"])
        path = secure_file(module, engine)
        if path:
            result["stored_in"] = path
    module.exit_json(**result)


if __name__ == "__main__":
    main()
