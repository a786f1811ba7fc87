"""STS 2015-04-01: AssumeRole, issuing temporary keys the other products accept."""

import re
import time

from acr_twin.errors import ApiError
from acr_twin.registry import action

TWIN_ACCOUNT = "1234567890123456"
# A role of the twin's account whose name starts with this has a trust policy that names nobody the twin knows: STS
# refuses to let any key assume it, as the cloud does when the trust policy or the caller's RAM policy does not allow it.
UNTRUSTED_ROLE_PREFIX = "untrusted-"
_ROLE_ARN = re.compile(r"acs:ram::(\d+):role/([A-Za-z0-9._-]{1,64})")
_SESSION_NAME = re.compile(r"[A-Za-z0-9.@_-]{2,64}")


@action("sts", "AssumeRole")
def assume_role(cloud, p):
    arn = p.required("RoleArn")
    match = _ROLE_ARN.fullmatch(arn)
    if not match:
        raise ApiError("InvalidParameter.RoleArn", "The parameter RoleArn (%s) is wrongly formed." % arn)
    account, role = match.groups()
    if account != TWIN_ACCOUNT:
        raise ApiError("EntityNotExist.Role", "The role not exists: %s." % arn, status=404)
    if role.startswith(UNTRUSTED_ROLE_PREFIX):
        raise ApiError("NoPermission", "You are not authorized to do this action. You should be authorized by RAM.", status=403)
    session = p.required("RoleSessionName")
    if not _SESSION_NAME.fullmatch(session):
        raise ApiError("InvalidParameter.RoleSessionName", "The parameter RoleSessionName (%s) is wrongly formed." % session)
    duration = p.int("DurationSeconds", default=3600, minimum=900, maximum=43200)
    policy = p.str("Policy")
    if policy is not None:
        p.json("Policy")
    issued = len(cloud.sts_credentials) + 1
    key_id, secret, token, _expires = cloud.keys.issue(duration, issued)
    expiration = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + duration))
    cloud.sts_credentials[key_id] = {"RoleArn": arn, "RoleSessionName": session, "Expiration": expiration}
    return {
        "Credentials": {"AccessKeyId": key_id, "AccessKeySecret": secret, "SecurityToken": token, "Expiration": expiration},
        "AssumedRoleUser": {"Arn": "acs:ram::%s:assumed-role/%s/%s" % (account, role.lower(), session),
                            "AssumedRoleId": "3%017d:%s" % (issued, session)},
    }
