"""Signature checks the cloud makes: ACS3-HMAC-SHA256 (the SDK default) and the v2 RPC signature."""

import base64
import hashlib
import hmac
from urllib.parse import quote

from acr_twin.errors import ApiError

ACS3 = "ACS3-HMAC-SHA256"


def _rfc3986(value):
    return quote(value, safe="~", encoding="utf-8")


def _acs3_canonical_query(query):
    return "&".join("%s=%s" % (key, _rfc3986(query[key])) for key in sorted(query))


def acs3_string_to_sign(method, path, query, headers, signed_headers, payload_hash):
    canonical_headers = "".join("%s:%s\n" % (name, headers.get(name, "").strip()) for name in signed_headers)
    canonical_request = "\n".join([method, path or "/", _acs3_canonical_query(query), canonical_headers,
                                   ";".join(signed_headers), payload_hash])
    return "%s\n%s" % (ACS3, hashlib.sha256(canonical_request.encode("utf-8")).hexdigest())


def parse_acs3_authorization(value):
    """``ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=a;b,Signature=hex`` -> dict."""
    algorithm, _space, rest = value.partition(" ")
    if algorithm != ACS3:
        raise ApiError("IncompleteSignature", "The signature algorithm %r is not supported; use %s." % (algorithm, ACS3))
    fields = {}
    for part in rest.split(","):
        key, _equals, val = part.strip().partition("=")
        fields[key] = val
    for key in ("Credential", "SignedHeaders", "Signature"):
        if not fields.get(key):
            raise ApiError("IncompleteSignature", "The Authorization header lacks %s." % key)
    return fields


def check_acs3(keys, method, path, query, headers, body):
    """Verify an ACS3 request; answer the access key id it was signed with."""
    fields = parse_acs3_authorization(headers["authorization"])
    access_key_id = fields["Credential"]
    secret = keys.secret_for(access_key_id, headers.get("x-acs-security-token"))
    payload_hash = hashlib.sha256(body).hexdigest()
    if headers.get("x-acs-content-sha256", payload_hash) != payload_hash:
        raise ApiError("IncompleteSignature", "The x-acs-content-sha256 header does not match the request body.")
    signed = fields["SignedHeaders"].split(";")
    if "x-acs-security-token" in headers and "x-acs-security-token" not in signed:
        raise ApiError("IncompleteSignature", "The security token header must be signed.")
    string_to_sign = acs3_string_to_sign(method, path, query, headers, signed, payload_hash)
    expected = hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, fields["Signature"]):
        raise ApiError("IncompleteSignature", "The request signature does not conform to Aliyun standards. "
                       "server string to sign is:%s" % string_to_sign)
    return access_key_id


def v2_string_to_sign(method, params):
    canonical = "&".join("%s=%s" % (_rfc3986(k), _rfc3986(params[k])) for k in sorted(params) if k != "Signature")
    return "%s&%s&%s" % (method, _rfc3986("/"), _rfc3986(canonical))


def check_v2(keys, method, params):
    """Verify a v2 RPC request (HMAC-SHA1 over the sorted parameters)."""
    for name in ("AccessKeyId", "Signature", "SignatureMethod", "SignatureNonce", "Timestamp"):
        if not params.get(name):
            raise ApiError("MissingParameter", 'The input parameter "%s" that is mandatory for processing this request is not supplied.' % name)
    if params["SignatureMethod"] != "HMAC-SHA1":
        raise ApiError("InvalidParameter", "SignatureMethod %r is not supported." % params["SignatureMethod"])
    access_key_id = params["AccessKeyId"]
    secret = keys.secret_for(access_key_id, params.get("SecurityToken"))
    string_to_sign = v2_string_to_sign(method, params)
    digest = hmac.new((secret + "&").encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha1).digest()
    if not hmac.compare_digest(base64.b64encode(digest).decode("ascii"), params["Signature"]):
        raise ApiError("SignatureDoesNotMatch", "Specified signature is not matched with our calculation. "
                       "server string to sign is:%s" % string_to_sign)
    return access_key_id


class KeyRing:
    """The long-term key pair the twin accepts, plus temporary STS keys it issued."""

    def __init__(self, access_key_id, access_key_secret, clock):
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.clock = clock
        self.temporary = {}
        self.disabled = False  # the long-term key set inactive in the RAM console

    def expire(self, access_key_id=None):
        """Let one temporary key (or all of them) reach its expiry now, as if its DurationSeconds had passed."""
        for key_id in [access_key_id] if access_key_id else list(self.temporary):
            secret, token, _expires = self.temporary[key_id]
            self.temporary[key_id] = (secret, token, self.clock() - 1.0)

    def issue(self, duration_seconds, issue_id):
        """New temporary credentials: (access key id, secret, security token, expiry on the clock)."""
        key_id = "STS.NTwin%012d" % issue_id
        secret = hashlib.sha256(("secret-%s-%s" % (self.access_key_secret, issue_id)).encode()).hexdigest()[:40]
        token = "CAIStwin" + hashlib.sha256(("token-%s-%s" % (self.access_key_secret, issue_id)).encode()).hexdigest()
        expires = self.clock() + duration_seconds
        self.temporary[key_id] = (secret, token, expires)
        return key_id, secret, token, expires

    def caller(self, access_key_id):
        """Who a verified request came from, as handlers may need it (STS keys expire)."""
        if access_key_id in self.temporary:
            return {"access_key_id": access_key_id, "temporary": True,
                    "expires_in": max(0.0, self.temporary[access_key_id][2] - self.clock())}
        return {"access_key_id": access_key_id, "temporary": False, "expires_in": None}

    def secret_for(self, access_key_id, security_token):
        """The secret to check the signature with; the cloud's answer for a key it refuses before that."""
        if access_key_id == self.access_key_id:
            if self.disabled:
                raise ApiError("InvalidAccessKeyId.Inactive", "Specified access key is disabled.")
            return self.access_key_secret
        if access_key_id in self.temporary:
            secret, token, expires = self.temporary[access_key_id]
            if not security_token:
                raise ApiError("InvalidSecurityToken.MismatchWithAccessKey", "The security token is missing for a temporary access key.")
            if not hmac.compare_digest(security_token, token):
                raise ApiError("InvalidSecurityToken.Malformed", "The specified SecurityToken is malformed.")
            if self.clock() > expires:
                raise ApiError("InvalidSecurityToken.Expired", "Specified SecurityToken is expired.")
            return secret
        raise ApiError("InvalidAccessKeyId.NotFound", "Specified access key is not found.", status=404)
