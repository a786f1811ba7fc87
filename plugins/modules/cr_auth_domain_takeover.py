#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cr_auth_domain_takeover
short_description: Check (or wait for) a registry instance's "Instance Taking over Authentication Domain Name" setting
version_added: 0.1.0
description:
  - An ACR Enterprise Edition instance can take over its authentication domain, so that clients reach the auth service on the
    instance's own address and need no route to the shared C(dockerauth-vpc) 100.x address (useful when 100.64.0.0/10 conflicts
    with a VPC's own addresses).
  - There is no public API for this setting (none of the 238 Container Registry API operations reads or changes it), so this
    module reads it from the registry itself - an anonymous C(GET https://<registry>/v2/) answers with a Bearer challenge whose realm
    is on the instance's own domain when the takeover is on - and never changes it.
  - With O(state=enabled) and the takeover off, the module fails with the console path to turn it on, or, with O(wait=true), waits
    until someone has turned it on in the console. O(state=disabled) is the mirror image. Without O(state) it only reports.
  - Runs with the Python standard library only, like M(alicloud.acr_access.registry_endpoint_info); run it on a host that can
    reach the registry (C(delegate_to) the probe host).
author:
  - alicloud.acr_access contributors (@alicloud-acr-access)
options:
  instance_domains:
    description: More domains of the instance (for example its internet endpoint); a realm on any of them also means takeover.
    type: list
    elements: str
    default: []
  state:
    description:
      - V(enabled) or V(disabled) - the state the play needs. The module checks it and fails (or waits) when it differs; it cannot
        change it.
      - Omit it to only report the current state.
    type: str
    choices: [enabled, disabled]
  wait:
    description:
      - When the state differs from O(state), wait for someone to change it in the console instead of failing at once.
      - Off by default, as the change needs a person (and, to turn it on, a ticket that allow-lists the instance).
    type: bool
    default: false
  wait_timeout:
    description: How many seconds to wait with O(wait=true).
    type: int
    default: 900
  poll_interval:
    description: Seconds between the first two probes while waiting (more than 0); the interval doubles after each probe, up to 60 seconds.
    type: float
    default: 5
  port:
    description: The HTTPS port of the registry (1 to 65535).
    type: int
    default: 443
  timeout:
    description: Seconds to wait for the TCP connection, the TLS handshake and the answer of one probe, each (more than 0).
    type: float
    default: 10
  ca_path:
    description: A CA bundle (PEM) to verify the registry's certificate with, instead of the host's trusted CAs.
    type: path
  validate_certs:
    description: Verify the registry's certificate and host name.
    type: bool
    default: true
notes:
  - No cloud credentials are needed; the module is not part of the C(alicloud) action group.
  - The module never reports C(changed), as it never changes anything.
extends_documentation_fragment:
  - alicloud.acr_access.attributes
  - alicloud.acr_access.cr_instance.REGISTRY_DOMAIN
attributes:
  check_mode:
    support: full
    details:
      - The module only reads. In check mode it does not wait; a state that differs is reported as a warning instead of a failure.
  diff_mode:
    support: none
  idempotent:
    support: full
seealso:
  - module: alicloud.acr_access.registry_endpoint_info
  - name: Access an Enterprise Edition instance across regions or from a data center
    description: The procedure, with the console steps for the takeover feature.
    link: https://www.alibabacloud.com/help/en/acr/user-guide/access-a-container-registry-enterprise-edition-instance-across-regions
"""

EXAMPLES = r"""
- name: Is the auth domain taken over? (report only)
  alicloud.acr_access.cr_auth_domain_takeover:
    instance_name: acr-example
    region: cn-hangzhou
  delegate_to: ecs1-hangzhou
  register: takeover

- name: Require the takeover (fails with the console path when it is off)
  alicloud.acr_access.cr_auth_domain_takeover:
    instance_name: acr-example
    region: cn-hangzhou
    state: enabled
  delegate_to: ecs1-hangzhou

- name: Wait up to an hour for someone to turn it on in the console
  alicloud.acr_access.cr_auth_domain_takeover:
    registry_domain: acr-example-registry-vpc.cn-hangzhou.cr.aliyuncs.com
    state: enabled
    wait: true
    wait_timeout: 3600
  delegate_to: ecs1-hangzhou
"""

RETURN = r"""
enabled:
  description: Whether the instance has taken over its authentication domain (at the last probe).
  returned: success
  type: bool
  sample: false
realm:
  description: The realm of the registry's Bearer challenge at the last probe.
  returned: success
  type: str
  sample: https://dockerauth-vpc.cn-hangzhou.aliyuncs.com/auth
auth_domain:
  description: The host of the realm.
  returned: success
  type: str
  sample: dockerauth-vpc.cn-hangzhou.aliyuncs.com
kind:
  description: V(dockerauth-vpc), V(dockerauth-ee-vpc), V(takeover) or V(other).
  returned: success
  type: str
  sample: dockerauth-vpc
registry_domain:
  description: The registry domain probed.
  returned: always
  type: str
  sample: acr-example-registry-vpc.cn-hangzhou.cr.aliyuncs.com
probes:
  description: How many probes were sent (more than one only while waiting).
  returned: success
  type: int
  sample: 1
console_path:
  description: Where the setting is in the console.
  returned: always
  type: str
  sample: >-
    Container Registry console > Instances > (the instance) > Domain: "Instance Taking over Authentication Domain Name"
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.alicloud.acr_access.plugins.module_utils.auth_takeover import CONSOLE_PATH, TakeoverProbe, takeover_state
from ansible_collections.alicloud.acr_access.plugins.module_utils.registry_probe import ProbeError, probe_option_problem, registry_target

ARGUMENT_SPEC = dict(
    registry_domain=dict(type="str"),
    instance_name=dict(type="str"),
    region=dict(type="str"),
    instance_domains=dict(type="list", elements="str", default=[]),
    state=dict(type="str", choices=["enabled", "disabled"]),
    wait=dict(type="bool", default=False),
    wait_timeout=dict(type="int", default=900),
    poll_interval=dict(type="float", default=5),
    port=dict(type="int", default=443),
    timeout=dict(type="float", default=10),
    ca_path=dict(type="path"),
    validate_certs=dict(type="bool", default=True),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    problem = probe_option_problem(params)
    if problem:
        module.fail_json(msg=problem)
    target = registry_target(params["registry_domain"], params["instance_name"], params["region"])
    if target is None:
        module.fail_json(msg="cr_auth_domain_takeover needs registry_domain, or instance_name together with region")
    domain = target[0]
    console_path = CONSOLE_PATH % (params["instance_name"] or domain)
    try:
        result = takeover_state(module, TakeoverProbe(module, domain))
    except ProbeError as error:
        module.fail_json(msg="Cannot read the takeover state: %s" % error, stage=error.stage, registry_domain=domain, console_path=console_path)
    module.exit_json(changed=False, registry_domain=domain, console_path=console_path, **result)


if __name__ == "__main__":
    main()
