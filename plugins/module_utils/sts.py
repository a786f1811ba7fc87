# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""STS, the home of everything this collection knows about it: the product and AssumeRole (option ram_role_arn)."""

from __future__ import annotations

import typing as t

from .product import Product
from .errors import AlicloudApiError

# One central endpoint; AssumeRole only issues a temporary key, so check mode may send it.
STS = Product("sts", "alibabacloud_sts20150401", "alibabacloud-sts20150401", "sts.aliyuncs.com", False, safe_writes=("AssumeRole",))
DEFAULT_ROLE_SESSION_NAME = "ansible-acr-access"
ROLE_DURATION_SECONDS = 3600


def assume_role(call: t.Callable[..., dict], role_arn: str, session_name: str | None) -> dict:
    """AssumeRole through ``call`` (a client built with the base credentials); the issued key as
    {access_key_id, access_key_secret, security_token}."""
    body = call(STS, "AssumeRole", {
        "RoleArn": role_arn,
        "RoleSessionName": session_name or DEFAULT_ROLE_SESSION_NAME,
        "DurationSeconds": ROLE_DURATION_SECONDS,
    })
    issued = body.get("Credentials") or {}
    if not issued.get("AccessKeyId") or not issued.get("AccessKeySecret"):
        raise AlicloudApiError("AssumeRole answered without credentials", operation="AssumeRole", request_id=body.get("RequestId"))
    return {"access_key_id": issued["AccessKeyId"], "access_key_secret": issued["AccessKeySecret"],
            "security_token": issued.get("SecurityToken")}
