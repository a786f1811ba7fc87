# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Credentials, region and endpoint options shared by every module (alicloud.acr_access.alicloud)."""

    DOCUMENTATION = r"""
options:
  access_key_id:
    description:
      - The AccessKey ID of a RAM user (or a temporary STS key, together with O(security_token)).
      - When no key pair is given by option or environment, the alibabacloud-credentials default chain is used
        (O(profile) file, OIDC, ECS RAM role); see O(profile).
      - If not set, the environment variable E(ALIBABA_CLOUD_ACCESS_KEY_ID) is used, then E(ALICLOUD_ACCESS_KEY).
    type: str
    aliases: [alicloud_access_key]
  access_key_secret:
    description:
      - The AccessKey secret that belongs to O(access_key_id). Never logged nor returned.
      - If not set, the environment variable E(ALIBABA_CLOUD_ACCESS_KEY_SECRET) is used, then E(ALICLOUD_SECRET_KEY).
    type: str
    aliases: [alicloud_secret_key]
  security_token:
    description:
      - The STS security token of a temporary O(access_key_id). Never logged nor returned.
      - If not set, the environment variable E(ALIBABA_CLOUD_SECURITY_TOKEN) is used, then E(ALICLOUD_SECURITY_TOKEN).
    type: str
    aliases: [alicloud_security_token]
  region:
    description:
      - The region to work in, for example V(cn-hangzhou).
      - Modules that work on several regions take the region of each resource from their own options and use this one as the default.
      - If not set, the environment variable E(ALIBABA_CLOUD_REGION_ID) is used, then E(ALICLOUD_REGION).
    type: str
    aliases: [alicloud_region, region_id]
  profile:
    description:
      - A named profile of the Alibaba Cloud CLI configuration C(~/.aliyun/config.json), or else of the credentials file
        C(~/.alibabacloud/credentials.ini) (E(ALIBABA_CLOUD_CREDENTIALS_FILE) names another file).
      - Only used when no access key pair is given. Without a profile, the default chain of alibabacloud-credentials is tried
        (environment, OIDC, CLI profile, credentials file, ECS RAM role, E(ALIBABA_CLOUD_CREDENTIALS_URI)).
      - If not set, the environment variable E(ALIBABA_CLOUD_PROFILE) is used, then E(ALICLOUD_PROFILE).
    type: str
    aliases: [alicloud_profile]
  ram_role_arn:
    description:
      - The ARN of a RAM role to assume, for example V(acs:ram::123456789012:role/ansible).
      - The module calls STS C(AssumeRole) with the credentials found as described above (through O(endpoint) when set)
        and uses the temporary credentials for every call.
    type: str
    aliases: [alicloud_assume_role_arn]
  role_session_name:
    description:
      - The session name for O(ram_role_arn); it appears in ActionTrail.
    type: str
    default: ansible-acr-access
  endpoint:
    description:
      - Send the requests of every product (VPC, CBN, CR, STS) in every region to this endpoint instead of the real ones,
        for example a local emulator or a proxy.
      - V(host:port) (HTTPS) or V(http://host:port) / V(https://host:port), without a path.
      - Without it, the real endpoints are used - VPC C(vpc.aliyuncs.com) or C(vpc.<region>.aliyuncs.com) as the SDK's
        endpoint map says, CBN C(cbn.aliyuncs.com), CR C(cr.<region>.aliyuncs.com), STS C(sts.aliyuncs.com).
      - If not set, the environment variable E(ACR_ACCESS_ENDPOINT) is used.
    type: str
requirements:
  - python >= 3.8
  - alibabacloud-tea-openapi
  - alibabacloud-credentials
notes:
  - Failed API calls return C(error) with the API's C(code), C(message), C(request_id) and the C(operation).
  - Throttling, busy and transient server or network errors are retried with jittered exponential backoff.
  - The SDK of each product (for example alibabacloud-vpc20160428) is needed only by the modules that call that product.
"""
