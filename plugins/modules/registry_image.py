#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: registry_image
short_description: Pull images from a registry onto a client host with docker or podman, only when needed
version_added: 0.1.0
description:
  - Does on a client host what step 4 of the cross-region access procedure does with C(docker pull).
  - With O(pull=missing), C(<engine> image inspect) decides - an image that is there is not pulled again.
  - With O(pull=always), asks the registry for the image's current digest (C(HEAD /v2/<repository>/manifests/<tag>), with a token
    for the engine's stored login) and pulls only when the local image's C(RepoDigests) do not hold it.
    An image given by digest never changes, so it is only pulled when missing.
  - The task reports a change only when an image was actually fetched.
  - Runs with the Python standard library only; no cloud credentials, not part of the C(alicloud) action group.
author:
  - alicloud.acr_access contributors (@alicloud-acr-access)
options:
  registry:
    description: The registry's domain; images given without one are relative to it.
    type: str
  images:
    description:
      - The images, as V(namespace/repository:tag) or V(namespace/repository@sha256:<digest>) (relative to O(registry)), or fully
        qualified (V(<registry>/namespace/repository:tag)). Without tag or digest, V(latest).
    type: list
    elements: str
    required: true
  pull:
    description: V(missing) pulls images that are not on the host; V(always) also pulls a tag whose digest in the registry changed.
    type: str
    choices: [missing, always]
    default: missing
  ca_path:
    description: A CA bundle (PEM) to verify the registry and its auth service with for the digest look-up of O(pull=always).
  timeout:
    description: Seconds for each connection and answer of the digest look-up.
    default: 10
extends_documentation_fragment:
  - alicloud.acr_access.attributes
  - alicloud.acr_access.registry
attributes:
  check_mode:
    support: full
    details:
      - Inspects the local images (and asks the registry for digests with O(pull=always)), and reports which would be pulled.
  diff_mode:
    support: none
  idempotent:
    support: full
seealso:
  - module: alicloud.acr_access.registry_login
"""

EXAMPLES = r"""
- name: Pull two images (once)
  alicloud.acr_access.registry_image:
    registry: acr-example-registry-vpc.cn-hangzhou.cr.aliyuncs.com
    images:
      - team/app:1.0
      - team/base@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef

- name: Keep a moving tag current
  alicloud.acr_access.registry_image:
    engine: podman
    images: [acr-example-registry-vpc.cn-hangzhou.cr.aliyuncs.com/team/app:latest]
    pull: always
"""

RETURN = r"""
images:
  description: One item per image, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    ref:
      description: The fully qualified reference.
      type: str
      sample: acr-example-registry-vpc.cn-hangzhou.cr.aliyuncs.com/team/app:1.0
    digest:
      description: The repository digest of the local image (null when not there, as in check mode before a pull).
      type: str
      sample: sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b
    id:
      description: The local image ID (null when not there).
      type: str
      sample: sha256:9c7a54a9a43cca047013b82af109fe963fde787f63f9e016fdc3384500c2823d
    pulled:
      description: Whether it was pulled (or would be, in check mode).
      type: bool
      sample: true
    reason:
      description: Why it was pulled or not.
      type: str
      sample: not on this host
"""

import json

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.alicloud.acr_access.plugins.module_utils.registry_client import (
    ClientError, parse_images, remote_digest, stored_login,
)
from ansible_collections.alicloud.acr_access.plugins.module_utils.registry_probe import ProbeError, tls_context

ARGUMENT_SPEC = dict(
    engine=dict(type="str", choices=["docker", "podman"], default="docker"),
    registry=dict(type="str"),
    images=dict(type="list", elements="str", required=True),
    pull=dict(type="str", choices=["missing", "always"], default="missing"),
    ca_path=dict(type="path"),
    timeout=dict(type="float", default=10),
)


def inspect(module: AnsibleModule, binary: str, ref: str) -> dict | None:
    """{id, repo_digests} of the local image, or None when it is not there."""
    rc, out, _err = module.run_command([binary, "image", "inspect", ref], check_rc=False)
    if rc != 0:
        return None
    try:
        data = json.loads(out)[0]
    except (ValueError, IndexError, TypeError):
        return None
    return dict(id=data.get("Id"), repo_digests=data.get("RepoDigests") or [])


def local_digest(image: dict, local: dict | None) -> str | None:
    """The repo digest of the local image for the image's repository (``name@sha256:...``)."""
    for entry in (local or {}).get("repo_digests", []):
        name, _sep, digest = entry.partition("@")
        if name.lower() == image["name"]:
            return digest
    return None


def decide(module: AnsibleModule, image: dict, local: dict | None, context) -> tuple:
    """(pull?, reason)."""
    if local is None:
        return True, "not on this host"
    if module.params["pull"] == "missing" or image["digest"]:
        return False, "on this host" + (" (a digest never changes)" if image["digest"] and module.params["pull"] == "always" else "")
    here = local_digest(image, local)
    login = stored_login(module.params["engine"], image["registry"], lambda argv, data: module.run_command(argv, data=data, binary_data=True))
    if login:
        module.no_log_values.add(login["password"])
    remote = remote_digest(image, login, context, module.params["timeout"])
    if remote == here:
        return False, "the registry's digest %s is on this host" % remote
    return True, "the registry has %s, this host %s" % (remote, here or "no digest of %s" % image["name"])


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    if params["timeout"] <= 0:
        module.fail_json(msg="timeout must be a positive number of seconds, not %s" % params["timeout"])
    try:
        images = parse_images(params["images"], params["registry"])
    except ValueError as error:
        module.fail_json(msg=str(error))
    if not images:
        module.fail_json(msg="images: give at least one image, for example [team/app:1.0]")
    binary = module.get_bin_path(params["engine"], required=True)
    try:
        context = tls_context(True, params["ca_path"]) if params["pull"] == "always" else None
    except ProbeError as error:
        module.fail_json(msg=str(error))
    results, changed = [], False
    for image in images:
        local = inspect(module, binary, image["ref"])
        try:
            pull, reason = decide(module, image, local, context)
        except ClientError as error:
            module.fail_json(msg="cannot read the digest of %s in the registry: %s" % (image["ref"], error), stage=error.stage, images=results)
        if pull and not module.check_mode:
            rc, out, err = module.run_command([binary, "pull", image["ref"]], check_rc=False)
            if rc != 0:
                module.fail_json(msg="%s pull %s failed (exit %d): %s" % (params["engine"], image["ref"], rc, (err or out).strip()[-1000:]),
                                 images=results)
            after = inspect(module, binary, image["ref"])
            pull = after is None or local is None or after.get("id") != local.get("id") or local_digest(image, after) != local_digest(image, local)
            if not pull:
                reason += "; the pull fetched nothing new"
            local = after
        changed = changed or pull
        results.append(dict(ref=image["ref"], digest=local_digest(image, local), id=local and local.get("id"), pulled=pull, reason=reason))
    module.exit_json(changed=changed, images=results)


if __name__ == "__main__":
    main()
