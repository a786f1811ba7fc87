#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: registry_endpoint_info
short_description: Find a registry's domain, auth domain and OSS domain, and their addresses as a host sees them
version_added: 0.1.0
description:
  - Does on the host it runs on what step 2 of the cross-region access procedure does by hand (C(curl -vv https://<registry>/v2/), C(ping)).
  - Sends an anonymous C(GET https://<registry_domain>/v2/), expects C(401) with a C(WWW-Authenticate) Bearer challenge, and takes the
    authentication service's domain from the challenge's realm (C(dockerauth-vpc.<region>.aliyuncs.com),
    C(dockerauth-ee-vpc.<region>.aliyuncs.com), or the instance's own domain when the instance has taken over the auth domain).
  - Derives the internal OSS domain from the region (C(oss-<region>-internal.aliyuncs.com)), or from O(oss_bucket)
    (C(<bucket>.oss-<region>-internal.aliyuncs.com)).
  - Resolves every name as this host resolves it (C(/etc/hosts), then DNS) and returns all IPv4 addresses (A records).
  - Warns when the registry resolves to an address not in O(expected_registry_addresses), and when an OSS address lies outside the
    published OSS VIP ranges of the region (routes must cover the whole ranges, as the VIP moves within them).
  - Runs with the Python standard library only, so it works on a plain host inside the registry's VPC (use C(delegate_to)).
    It needs no cloud credentials and calls no cloud API.
  - Fails with a message naming what failed - no DNS answer, TCP connection refused or timed out, TLS verification,
    or an unexpected answer (anything but 401 with a Bearer challenge).
author:
  - alicloud.acr_access contributors (@alicloud-acr-access)
options:
  region:
    description:
      - The region of the instance, for example V(cn-hangzhou). It selects the OSS domain and its VIP ranges.
      - Defaults to the region in O(registry_domain) when that is an instance's system domain.
  oss_bucket:
    description:
      - The instance's custom OSS bucket, if it uses one; the OSS domain then is C(<bucket>.oss-<region>-internal.aliyuncs.com).
    type: str
  instance_domains:
    description:
      - More domains of the instance (for example its internet endpoint). A realm on any of them, or on O(registry_domain),
        means that the instance has taken over the authentication domain.
    type: list
    elements: str
    default: []
  expected_registry_addresses:
    description:
      - The addresses the instance's API reports for its VPC endpoint (the IPs of the linked VPCs).
      - A warning names every resolved registry address that is not among them. Empty means no check.
    type: list
    elements: str
    default: []
  port:
    description: The HTTPS port of the registry (1 to 65535).
    type: int
    default: 443
  timeout:
    description: Seconds to wait for the TCP connection, the TLS handshake and the answer, each (more than 0).
    type: float
    default: 10
  ca_path:
    description:
      - A CA bundle (PEM) to verify the registry's certificate with, instead of the host's trusted CAs.
    type: path
  validate_certs:
    description:
      - Verify the registry's certificate and host name. Set to V(false) only to look at a registry whose certificate is not trusted yet.
    type: bool
    default: true
notes:
  - Only the registry is contacted; the auth and OSS names are resolved, not contacted.
  - No cloud credentials are needed; the module is not part of the C(alicloud) action group.
extends_documentation_fragment:
  - alicloud.acr_access.attributes
  - alicloud.acr_access.attributes.INFO_MODULE
  - alicloud.acr_access.cr_instance.REGISTRY_DOMAIN
seealso:
  - module: alicloud.acr_access.cr_auth_domain_takeover
  - module: alicloud.acr_access.cr_instance_info
  - name: Internal OSS endpoints and VIP ranges
    description: The published OSS domains and VIP ranges per region.
    link: https://www.alibabacloud.com/help/en/oss/user-guide/internal-oss-endpoints-and-vip-ranges
"""

EXAMPLES = r"""
- name: Find the three domains and their addresses from a host inside the registry VPC
  alicloud.acr_access.registry_endpoint_info:
    instance_name: acr-example
    region: cn-hangzhou
  delegate_to: ecs1-hangzhou
  register: endpoints

- name: Show them
  ansible.builtin.debug:
    msg: >-
      {{ endpoints.registry.domain }} {{ endpoints.registry.addresses }},
      {{ endpoints.auth.domain }} {{ endpoints.auth.addresses }},
      {{ endpoints.oss.domain }} {{ endpoints.oss.addresses }}

- name: A custom OSS bucket and a registry certificate signed by a private CA
  alicloud.acr_access.registry_endpoint_info:
    registry_domain: acr-example-registry-vpc.cn-hangzhou.cr.aliyuncs.com
    oss_bucket: my-registry-bucket
    ca_path: /etc/pki/registry-ca.pem
    expected_registry_addresses: [10.94.205.198]
"""

RETURN = r"""
registry:
  description: The registry's domain and its addresses.
  returned: success
  type: dict
  contains:
    domain:
      description: The registry domain that was probed.
      type: str
      returned: always
      sample: acr-example-registry-vpc.cn-hangzhou.cr.aliyuncs.com
    addresses:
      description: Every IPv4 address of the domain as this host resolves it.
      type: list
      elements: str
      returned: always
      sample: ["10.94.205.198"]
    found_by:
      description: Where the domain and its addresses came from.
      type: str
      returned: always
      sample: "option instance_name + region; addresses: getaddrinfo on ecs1-hangzhou"
    unexpected_addresses:
      description: The resolved addresses that are not in O(expected_registry_addresses) (empty without that option).
      type: list
      elements: str
      returned: always
      sample: []
auth:
  description: The authentication service that the registry's Bearer challenge names.
  returned: success
  type: dict
  contains:
    domain:
      description: The host of the realm URL.
      type: str
      returned: always
      sample: dockerauth-vpc.cn-hangzhou.aliyuncs.com
    addresses:
      description: Every IPv4 address of the auth domain as this host resolves it.
      type: list
      elements: str
      returned: always
      sample: ["100.103.7.181"]
    realm:
      description: The realm URL of the Bearer challenge.
      type: str
      returned: always
      sample: https://dockerauth-vpc.cn-hangzhou.aliyuncs.com/auth
    service:
      description: The service parameter of the challenge (null when absent).
      type: str
      returned: always
      sample: registry.aliyuncs.com:cn-hangzhou:26842
    kind:
      description: V(dockerauth-vpc), V(dockerauth-ee-vpc), V(takeover) (the instance's own domain) or V(other).
      type: str
      returned: always
      sample: dockerauth-vpc
    takeover:
      description: Whether the instance has taken over the authentication domain (the realm is on the instance's own domain).
      type: bool
      returned: always
      sample: false
    found_by:
      description: Where the domain and its addresses came from.
      type: str
      returned: always
      sample: "realm of the Bearer challenge of GET https://acr-example-registry-vpc.cn-hangzhou.cr.aliyuncs.com/v2/ (HTTP 401)"
oss:
  description: The internal OSS domain that stores the instance's layers.
  returned: success
  type: dict
  contains:
    domain:
      description: The internal OSS domain of the region or of the custom bucket.
      type: str
      returned: always
      sample: oss-cn-hangzhou-internal.aliyuncs.com
    addresses:
      description: Every IPv4 address of the OSS domain as this host resolves it.
      type: list
      elements: str
      returned: always
      sample: ["100.118.28.43"]
    bucket:
      description: The custom bucket (null for the region's default domain).
      type: str
      returned: always
      sample: null
    outside_vip_ranges:
      description: The resolved addresses outside the region's published OSS VIP ranges.
      type: list
      elements: str
      returned: always
      sample: []
    found_by:
      description: Where the domain and its addresses came from.
      type: str
      returned: always
      sample: "internal OSS endpoint of region cn-hangzhou; addresses: getaddrinfo on ecs1-hangzhou"
probe:
  description: The request that found the auth domain.
  returned: success
  type: dict
  contains:
    url:
      description: The URL requested.
      type: str
      returned: always
      sample: https://acr-example-registry-vpc.cn-hangzhou.cr.aliyuncs.com/v2/
    address:
      description: The address that answered.
      type: str
      returned: always
      sample: 10.94.205.198
    status:
      description: The HTTP status (always 401 on success).
      type: int
      returned: always
      sample: 401
    www_authenticate:
      description: The values of the C(WWW-Authenticate) header.
      type: list
      elements: str
      returned: always
      sample: ['Bearer realm="https://dockerauth-vpc.cn-hangzhou.aliyuncs.com/auth",service="registry.aliyuncs.com:cn-hangzhou:26842"']
    host:
      description: The host name of the machine that ran the probe.
      type: str
      returned: always
      sample: ecs1-hangzhou
stage:
  description: On failure, the step that failed - V(dns), V(tcp), V(tls) or V(http).
  returned: failure
  type: str
  sample: tcp
"""

import socket

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.alicloud.acr_access.plugins.module_utils.oss import in_vip_ranges, oss_domain, vip_ranges
from ansible_collections.alicloud.acr_access.plugins.module_utils.realm import AUTH_TAKEOVER, classify_auth_domain
from ansible_collections.alicloud.acr_access.plugins.module_utils.registry_probe import (
    ProbeError, own_domains, probe_option_problem, probe_registry, region_of_registry_domain, registry_target, resolve, tls_context,
)

ARGUMENT_SPEC = dict(
    registry_domain=dict(type="str"),
    instance_name=dict(type="str"),
    region=dict(type="str"),
    oss_bucket=dict(type="str"),
    instance_domains=dict(type="list", elements="str", default=[]),
    expected_registry_addresses=dict(type="list", elements="str", default=[]),
    port=dict(type="int", default=443),
    timeout=dict(type="float", default=10),
    ca_path=dict(type="path"),
    validate_certs=dict(type="bool", default=True),
)


def target_of(module: AnsibleModule) -> tuple:
    """(registry domain, region, how the domain was chosen), or fail naming the missing option."""
    params = module.params
    target = registry_target(params["registry_domain"], params["instance_name"], params["region"])
    if target is None:
        module.fail_json(msg="registry_endpoint_info needs registry_domain, or instance_name together with region")
    domain, source = target
    region = params["region"] or region_of_registry_domain(domain)
    if not region:
        module.fail_json(msg="region is required: %s is not an instance system domain (<name>-registry-vpc.<region>.cr.aliyuncs.com)" % domain)
    return domain, region, source


def resolve_named(what: str, name: str, port: int) -> list:
    """resolve(), with the role of the name in the error ("the auth domain ...")."""
    try:
        return resolve(name, port)
    except ProbeError as error:
        raise ProbeError(error.stage, "%s: %s" % (what, error), **error.details)


def oss_domain_or_fail(module: AnsibleModule, region: str, bucket: str | None) -> str:
    try:
        return oss_domain(region, bucket)
    except ValueError as error:
        module.fail_json(msg="%s (options region / oss_bucket)" % error)


def outside_vip_ranges(region: str, addresses: list) -> list:
    """The addresses outside the region's published VIP ranges; none for a region the table does not list."""
    if not vip_ranges(region):
        return []
    return [address for address in addresses if not in_vip_ranges(region, address)]


def discover(module: AnsibleModule) -> dict:
    params = module.params
    domain, region, source = target_of(module)
    bucket = params["oss_bucket"] or None
    oss_name = oss_domain_or_fail(module, region, bucket)  # bad input fails before any traffic
    host = socket.gethostname()
    resolved_on = "addresses: getaddrinfo on %s" % host
    context = tls_context(params["validate_certs"], params["ca_path"])
    registry_addresses = resolve_named("the registry domain", domain, params["port"])
    probe = probe_registry(domain, params["port"], params["timeout"], context, registry_addresses)
    challenge = probe["challenge"]
    kind = classify_auth_domain(challenge.auth_domain, own_domains(domain, params["instance_name"], region, params["instance_domains"]))
    auth_addresses = resolve_named("the auth domain from the realm %s" % challenge.realm, challenge.auth_domain, 443)
    oss_addresses = resolve_named("the OSS domain", oss_name, 443)
    expected = params["expected_registry_addresses"]
    return dict(
        registry=dict(domain=domain, addresses=registry_addresses, found_by="%s; %s" % (source, resolved_on),
                      unexpected_addresses=[a for a in registry_addresses if expected and a not in expected]),
        auth=dict(domain=challenge.auth_domain, addresses=auth_addresses, realm=challenge.realm, service=challenge.service,
                  kind=kind, takeover=kind == AUTH_TAKEOVER,
                  found_by="realm of the Bearer challenge of GET %s (HTTP %d); %s" % (probe["url"], probe["status"], resolved_on)),
        oss=dict(domain=oss_name, addresses=oss_addresses, bucket=bucket,
                 outside_vip_ranges=outside_vip_ranges(region, oss_addresses),
                 found_by="internal OSS endpoint of region %s%s; %s" % (region, " for the custom bucket %s" % bucket if bucket else "", resolved_on)),
        probe=dict(url=probe["url"], address=probe["address"], status=probe["status"], www_authenticate=probe["www_authenticate"], host=host),
    )


def warn_about_addresses(module: AnsibleModule, result: dict, expected: list) -> None:
    registry, oss = result["registry"], result["oss"]
    if registry["unexpected_addresses"]:
        module.warn("%s resolves to %s on %s, but the instance's linked VPCs have %s: this host may use another VPC's endpoint or a stale "
                    "hosts entry." % (registry["domain"], ", ".join(registry["unexpected_addresses"]), result["probe"]["host"], ", ".join(expected)))
    if oss["outside_vip_ranges"]:
        module.warn("%s resolves to %s, outside the published OSS VIP ranges of the region: routes to the published ranges will not cover it."
                    % (oss["domain"], ", ".join(oss["outside_vip_ranges"])))


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    problem = probe_option_problem(module.params)
    if problem:
        module.fail_json(msg=problem)
    try:
        result = discover(module)
    except ProbeError as error:
        module.fail_json(msg=str(error), stage=error.stage, **error.details)
    warn_about_addresses(module, result, module.params["expected_registry_addresses"])
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
