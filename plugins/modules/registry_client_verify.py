#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: registry_client_verify
short_description: Check a client host's whole path to a registry, and name the step of the procedure that is missing
version_added: 0.1.0
description:
  - Checks from the host it runs on, in the order a pull's packets go, and stops each chain at its first failure.
  - Each of the registry, auth and OSS domains resolves to its planned addresses (C(/etc/hosts), step 4); TCP to port 443 of the
    address answers (the routes of steps 1 and 3); TLS with a verified certificate.
  - C(GET https://<registry>/v2/) answers 401 with a Bearer challenge whose realm is on the auth domain (step 2).
  - The auth service issues a token for the engine's stored login (read as M(alicloud.acr_access.registry_login) reads it), or an
    anonymous one with O(login=false).
  - The manifest of the first image is read; a C(GET) of one of its blobs (C(Range bytes=0-0)) is redirected to the OSS domain, and
    the redirect is followed and answered by OSS.
  - "Each failure says which step of the procedure is missing, for example: OSS is unreachable from this host (100.118.28.43:443: timed out):
    the route for 100.118.28.0/24 in the source VPC is missing, or the transit router has not learned it (step 3)."
  - Read-only; never reports a change. A failed check fails the task only with O(fail_on_error=true).
  - Runs with the Python standard library only; no cloud credentials, not part of the C(alicloud) action group.
author:
  - alicloud.acr_access contributors (@alicloud-acr-access)
options:
  images:
    description: Images (as for M(alicloud.acr_access.registry_image)); the first one is read. Empty - stop after the token.
    type: list
    elements: str
    default: []
  engine:
    description: Whose stored login to use.
  login:
    description: Use the stored login (V(true)) or ask for an anonymous token (V(false), for public repositories).
    type: bool
    default: true
  ca_path:
    description: A CA bundle (PEM) to verify the three services with, instead of the host's trusted CAs.
  timeout:
    default: 5
  source_routes:
    description: The access plan's source routes (C(destination_cidr_block) each), to name the missing route in a message.
    type: list
    elements: dict
    default: []
  fail_on_error:
    description: Fail the task when a check fails (the report is returned either way).
    type: bool
    default: false
extends_documentation_fragment:
  - alicloud.acr_access.attributes
  - alicloud.acr_access.attributes.INFO_MODULE
  - alicloud.acr_access.registry
  - alicloud.acr_access.registry.ENDPOINTS
seealso:
  - module: alicloud.acr_access.registry_hosts
  - module: alicloud.acr_access.registry_login
"""

EXAMPLES = r"""
- name: Verify the path from this host
  alicloud.acr_access.registry_client_verify:
    registry: {domain: acr-example-registry-vpc.cn-hangzhou.cr.aliyuncs.com, addresses: [10.94.205.198]}
    auth: {domain: dockerauth-vpc.cn-hangzhou.aliyuncs.com, addresses: [100.103.7.181]}
    oss: {domain: oss-cn-hangzhou-internal.aliyuncs.com, addresses: [100.118.28.43]}
    images: [team/app:1.0]
    source_routes: "{{ registry_routes.plan.source_routes }}"
  register: verified

- name: Say what failed
  ansible.builtin.debug:
    msg: "{{ verified.report.failed.message if verified.report.failed else 'ok' }}"
"""

RETURN = r"""
report:
  description: What was checked.
  returned: success
  type: dict
  contains:
    host:
      description: The host name of the machine that ran the checks.
      type: str
      sample: ecs2-shanghai
    ok:
      description: Whether every check passed.
      type: bool
      sample: false
    checks:
      description: Every check run, in order - C(name) (resolve, tcp, tls, v2, token, manifest, blob), C(kind) (registry, auth, oss),
        C(target), C(ok), C(detail), C(seconds).
      type: list
      elements: dict
      sample: [{name: resolve, kind: oss, target: oss-cn-hangzhou-internal.aliyuncs.com, ok: true, detail: resolves to 100.118.28.43, seconds: 0.001}]
    failed:
      description: The first failure - C(check), C(kind), C(step) of the procedure, C(message) - or null.
      type: dict
      sample: {check: tcp, kind: oss, step: "3", message: "OSS is unreachable from this host (100.118.28.43:443: timed out): ..."}
    failures:
      description: Every failure (one per chain at most).
      type: list
      elements: dict
"""

import socket

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.alicloud.acr_access.plugins.module_utils.client_verify import verify
from ansible_collections.alicloud.acr_access.plugins.module_utils.registry_client import ClientError, parse_images, stored_login
from ansible_collections.alicloud.acr_access.plugins.module_utils.registry_probe import ProbeError, tls_context

ENDPOINT = dict(type="dict", required=True, options=dict(
    domain=dict(type="str", required=True),
    addresses=dict(type="list", elements="str", default=[]),
))
ARGUMENT_SPEC = dict(
    registry=ENDPOINT,
    auth=ENDPOINT,
    oss=ENDPOINT,
    images=dict(type="list", elements="str", default=[]),
    engine=dict(type="str", choices=["docker", "podman"], default="docker"),
    login=dict(type="bool", default=True),
    ca_path=dict(type="path"),
    timeout=dict(type="float", default=5),
    source_routes=dict(type="list", elements="dict", default=[]),
    fail_on_error=dict(type="bool", default=False),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    if params["timeout"] <= 0:
        module.fail_json(msg="timeout must be a positive number of seconds, not %s" % params["timeout"])
    registry = params["registry"]["domain"].strip().lower().rstrip(".")
    try:
        images = parse_images(params["images"], registry)
        context = tls_context(True, params["ca_path"])
    except (ValueError, ProbeError) as error:
        module.fail_json(msg=str(error))
    login = None
    if params["login"]:
        try:
            login = stored_login(params["engine"], registry, lambda argv, data: module.run_command(argv, data=data, binary_data=True))
        except ClientError as error:
            module.fail_json(msg=str(error))
        if login:
            module.no_log_values.add(login["password"])
    endpoints = {kind: dict(domain=params[kind]["domain"].strip().lower().rstrip("."), addresses=params[kind]["addresses"])
                 for kind in ("registry", "auth", "oss")}
    report = verify(socket.gethostname(), endpoints, images, login, context, params["timeout"], params["source_routes"], params["login"])
    if not report["ok"] and params["fail_on_error"]:
        module.fail_json(msg=report["failed"]["message"], report=report)
    module.exit_json(changed=False, report=report)


if __name__ == "__main__":
    main()
