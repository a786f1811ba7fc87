#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cr_authorization_token
short_description: Get a temporary docker login for a Container Registry Enterprise Edition instance
version_added: 0.1.0
description:
  - Asks the registry for a temporary user name and password (C(GetAuthorizationToken), CR API 2018-12-01) for
    C(docker login) to the instance's domains, valid for O(expires_in_hours).
  - B(The result holds a secret) (RV(password)). The module's action plugin marks every successful result of this module
    as C(no_log), so Ansible shows that the output has been hidden instead of the result, at every verbosity (C(-vvv)
    included), while the registered variable keeps the password for the next task. A failure holds no password, so its
    message (a bad O(expires_in_hours), an API error) is shown.
  - Set the C(no_log) keyword of the task to V(true) as well (it states the intent, and protects the result if the action
    plugin is ever bypassed), and use the password only in tasks whose C(no_log) is V(true) (for example
    M(community.docker.docker_login)). A C(debug) of the registered variable prints the password.
  - The module has no secret among its options, returns no C(diff), and never puts the password in a message or an error.
  - With temporary STS credentials (O(security_token), O(ram_role_arn), an ECS RAM role...) the token never outlives
    them, so it can live shorter than asked; RV(capped) then says so, with a warning.
author:
  - alicloud.acr_access contributors (@alicloud-acr-access)
options:
  expires_in_hours:
    description:
      - How long the login is valid, from 1 to 24 hours.
    type: int
    default: 1
extends_documentation_fragment:
  - alicloud.acr_access.alicloud
  - alicloud.acr_access.attributes
  - alicloud.acr_access.attributes.ACTIONGROUP_ALICLOUD
  - alicloud.acr_access.cr_instance
attributes:
  check_mode:
    support: full
    details:
      - The API call is a read that changes no configuration, so the token is fetched in check mode too (later tasks
        of a check run may need it). The task never reports a change.
  diff_mode:
    support: none
    details:
      - There is nothing to compare, and a diff must never show the password.
  idempotent:
    support: full
    details:
      - Every run returns a new password; no configuration changes.
  action:
    description: Runs through an action plugin of the same name on the controller.
    support: full
requirements:
  - alibabacloud-cr20181201
seealso:
  - module: alicloud.acr_access.cr_instance_info
  - module: community.docker.docker_login
  - name: GetAuthorizationToken API reference
    description: The CR API operation behind this module.
    link: https://www.alibabacloud.com/help/en/acr/developer-reference/api-cr-2018-12-01-getauthorizationtoken
"""

EXAMPLES = r"""
- name: Get a registry login for the next two hours
  alicloud.acr_access.cr_authorization_token:
    region: cn-hangzhou
    instance_name: acr-example
    expires_in_hours: 2
  register: registry_login
  no_log: true

- name: Log in from the build host (the password only ever reaches no_log tasks)
  community.docker.docker_login:
    registry_url: acr-example-registry-vpc.cn-hangzhou.cr.aliyuncs.com
    username: "{{ registry_login.username }}"
    password: "{{ registry_login.password }}"
  no_log: true

- name: Say until when it is valid (no secret in this message)
  ansible.builtin.debug:
    msg: "Registry login valid until {{ registry_login.expires_at }} (capped by STS: {{ registry_login.capped }})"
"""

RETURN = r"""
instance_id:
  description: The ID of the instance.
  returned: success
  type: str
  sample: cri-example000000001
username:
  description: The temporary user name for C(docker login) (C(TempUsername)).
  returned: success
  type: str
  sample: cr_temp_user
password:
  description:
    - The temporary password for C(docker login) (C(AuthorizationToken)). A secret - see the description.
  returned: success
  type: str
  sample: "<secret>"
expires_at:
  description: When the login expires, UTC, ISO 8601.
  returned: success
  type: str
  sample: "2026-01-01T01:00:00Z"
expires_at_epoch:
  description: When the login expires, in seconds since the epoch.
  returned: success
  type: int
  sample: 1767229200
expires_in_seconds:
  description: How many seconds the login is still valid, counted when the answer came.
  returned: success
  type: int
  sample: 3599
requested_expires_in_seconds:
  description: The lifetime asked for (O(expires_in_hours) in seconds).
  returned: success
  type: int
  sample: 3600
capped:
  description:
    - V(true) when the login lives shorter than asked (by more than a minute), because the request was signed with
      temporary STS credentials that expire sooner. A warning says so as well.
  returned: success
  type: bool
  sample: false
"""

from ansible_collections.alicloud.acr_access.plugins.module_utils.client import AnsibleAlicloudModule
from ansible_collections.alicloud.acr_access.plugins.module_utils.cr import TOKEN_HOURS, authorization_token
from ansible_collections.alicloud.acr_access.plugins.module_utils.errors import AlicloudError


def main():
    argument_spec = dict(
        instance_id=dict(type="str"),
        instance_name=dict(type="str"),
        expires_in_hours=dict(type="int", default=1),
    )
    module = AnsibleAlicloudModule(argument_spec=argument_spec, supports_check_mode=True,
                                   mutually_exclusive=[("instance_id", "instance_name")],
                                   required_one_of=[("instance_id", "instance_name")])
    hours = module.params["expires_in_hours"]
    if hours not in TOKEN_HOURS:
        module.fail_json(msg="expires_in_hours must be from %d to %d, not %d" % (TOKEN_HOURS[0], TOKEN_HOURS[-1], hours))
    try:
        token = authorization_token(module, module.region, hours, module.params["instance_id"], module.params["instance_name"])
    except AlicloudError as error:
        module.fail_json_api(error, msg="Failed to get a registry login")
    module.exit_json(changed=False, **token)


if __name__ == "__main__":
    main()
