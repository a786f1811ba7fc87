# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ``WWW-Authenticate`` header of a registry's ``/v2/`` answer, and what its realm says about the auth domain.

Pure code (no I/O, no Ansible): it runs on probe hosts that have only the Python
standard library. An ACR Enterprise Edition instance answers an anonymous
``GET https://<instance>-registry-vpc.<region>.cr.aliyuncs.com/v2/`` with::

    WWW-Authenticate: Bearer realm="https://dockerauth-vpc.cn-hangzhou.aliyuncs.com/auth",service="registry.aliyuncs.com:cn-hangzhou:26842"

There is no public API that returns the auth domain, so this header is the only
source. When the instance has taken over the auth domain, the realm points at
the instance's own domain instead.
"""

from __future__ import annotations

import re
import typing as t
from urllib.parse import urlsplit

# RFC 7230 token characters: scheme names and parameter names
_TCHAR = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
# RFC 7235 token68 (a scheme's opaque credentials, e.g. "Negotiate abc123==")
_TOKEN68 = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
_WHITESPACE = " \t"

# Auth hosts seen: dockerauth-vpc.<region>.aliyuncs.com, dockerauth-ee-vpc.<region>.aliyuncs.com and, in the
# console's own example, dockerauth-ee-vpc-beijing.aliyuncs.com (region without the "cn-" prefix).
_DOCKERAUTH = re.compile(r"^(?P<kind>dockerauth(?:-ee)?-vpc)[.-](?P<region>[a-z0-9-]+)\.aliyuncs\.com$")

AUTH_TAKEOVER = "takeover"
AUTH_OTHER = "other"


class RealmError(ValueError):
    """A ``WWW-Authenticate`` header that cannot be read, or one without a usable Bearer challenge."""


class Challenge(t.NamedTuple):
    """One challenge: the scheme (lower case), its parameters (names lower case) and its token68, if any."""

    scheme: str
    params: dict
    token68: str | None = None


class BearerChallenge(t.NamedTuple):
    """The Bearer challenge of a registry: where to get a token (realm), for what (service, scope)."""

    realm: str
    service: str | None
    scope: str | None
    params: dict
    auth_domain: str


# Not urllib.request.parse_http_list: it accepts an unterminated quote and a missing comma (test_realm cases unterminated-quote, missing-comma).
class _Reader:
    """A cursor over one header value."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self) -> str:
        return "" if self.at_end() else self.text[self.pos]

    def skip_whitespace(self) -> None:
        while self.peek() and self.peek() in _WHITESPACE:
            self.pos += 1

    def skip_commas(self) -> None:
        """Empty list elements are allowed (RFC 7230 section 7): ``a, , b``."""
        while True:
            self.skip_whitespace()
            if self.peek() != ",":
                return
            self.pos += 1

    def token(self) -> str:
        start = self.pos
        while self.peek() and self.peek() in _TCHAR:
            self.pos += 1
        return self.text[start:self.pos]

    def quoted_string(self) -> str:
        """The value of a quoted-string; ``\\x`` stands for ``x`` (escaped quotes and backslashes)."""
        start = self.pos
        self.pos += 1  # the opening quote
        chars = []
        while not self.at_end():
            char = self.text[self.pos]
            self.pos += 1
            if char == '"':
                return "".join(chars)
            if char == "\\":
                if self.at_end():
                    break
                char = self.text[self.pos]
                self.pos += 1
            chars.append(char)
        raise RealmError("unterminated quoted string starting at character %d: %s" % (start, self.text[start:]))

    def bare_value(self) -> str:
        """An unquoted value. Tokens per the RFC; some servers send ``realm=https://...`` unquoted, so read up to ``,``."""
        start = self.pos
        while self.peek() and self.peek() not in ", \t":
            self.pos += 1
        return self.text[start:self.pos]


def _looks_like_param(reader: _Reader) -> bool:
    """Whether the cursor is at ``name=value`` (a parameter) rather than at a token68 or the next challenge's scheme.

    ``abc==`` and a trailing ``abc=`` are token68 (padding), not parameters: a parameter's
    ``=`` is followed by a value.
    """
    saved = reader.pos
    try:
        if not reader.token():
            return False
        reader.skip_whitespace()
        if reader.peek() != "=":
            return False
        reader.pos += 1
        if reader.peek() == "=":
            return False
        reader.skip_whitespace()
        return reader.peek() not in ("", ",")
    finally:
        reader.pos = saved


def _read_param(reader: _Reader, params: dict) -> None:
    name = reader.token()
    reader.skip_whitespace()
    reader.pos += 1  # "=", checked by _looks_like_param
    reader.skip_whitespace()
    value = reader.quoted_string() if reader.peek() == '"' else reader.bare_value()
    key = name.lower()
    if key in params:
        raise RealmError("parameter %r appears twice in one challenge" % name)
    params[key] = value


def _read_challenge(reader: _Reader) -> Challenge:
    scheme = reader.token()
    if not scheme:
        raise RealmError("expected an auth scheme at character %d, found %r" % (reader.pos, reader.text[reader.pos:reader.pos + 20]))
    if reader.peek() and reader.peek() not in _WHITESPACE + ",":
        raise RealmError("unexpected character %r after the scheme %r" % (reader.peek(), scheme))
    reader.skip_whitespace()
    params: dict = {}
    token68 = None
    if not reader.at_end() and reader.peek() != "," and not _looks_like_param(reader):
        match = _TOKEN68.match(reader.text, reader.pos)
        if not match:
            raise RealmError("unexpected character %r in the %s challenge" % (reader.peek(), scheme))
        token68 = match.group(0)
        reader.pos = match.end()
        return Challenge(scheme.lower(), params, token68)
    while True:
        reader.skip_whitespace()
        if reader.at_end() or not _looks_like_param(reader):
            break
        _read_param(reader, params)
        reader.skip_whitespace()
        if reader.at_end():
            break
        if reader.peek() != ",":
            raise RealmError("expected ',' between parameters at character %d, found %r" % (reader.pos, reader.text[reader.pos:reader.pos + 20]))
        reader.skip_commas()
    return Challenge(scheme.lower(), params, token68)


def parse_challenges(header: str | t.Iterable[str]) -> list:
    """Every challenge of one ``WWW-Authenticate`` value, or of several (a list of the header's values).

    >>> parse_challenges('Basic realm="x", Bearer realm="https://a/auth",service="s"')[1].params["service"]
    's'
    """
    values = [header] if isinstance(header, str) else list(header)
    challenges = []
    for value in values:
        reader = _Reader(value)
        reader.skip_commas()
        while not reader.at_end():
            challenges.append(_read_challenge(reader))
            reader.skip_commas()
    if not challenges:
        raise RealmError("the WWW-Authenticate header is empty")
    return challenges


def auth_domain_of(realm: str) -> str:
    """The host name of a realm URL (``https://dockerauth-vpc.cn-hangzhou.aliyuncs.com/auth`` -> the domain)."""
    parts = urlsplit(realm)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise RealmError("the Bearer realm %r is not an http(s) URL with a host name" % realm)
    return parts.hostname.lower().rstrip(".")


def parse_bearer(header: str | t.Iterable[str]) -> BearerChallenge:
    """The Bearer challenge of a ``WWW-Authenticate`` header (its values), with the auth domain of its realm."""
    challenges = parse_challenges(header)
    bearer = [challenge for challenge in challenges if challenge.scheme == "bearer"]
    if not bearer:
        found = ", ".join(challenge.scheme for challenge in challenges)
        raise RealmError("no Bearer challenge in the WWW-Authenticate header (found: %s)" % found)
    params = bearer[0].params
    if not params.get("realm"):
        raise RealmError("the Bearer challenge has no realm parameter")
    realm = params["realm"]
    return BearerChallenge(realm, params.get("service"), params.get("scope"), dict(params), auth_domain_of(realm))


def classify_auth_domain(auth_domain: str, instance_domains: t.Iterable[str] = ()) -> str:
    """What kind of auth domain a realm names.

    ``takeover`` when it is one of the instance's own domains (the instance took over the
    auth domain: no 100.x route is needed for it), ``dockerauth-vpc`` / ``dockerauth-ee-vpc``
    for the shared VPC auth services, ``other`` for anything else.
    """
    domain = auth_domain.lower().rstrip(".")
    if domain in {name.lower().rstrip(".") for name in instance_domains if name}:
        return AUTH_TAKEOVER
    match = _DOCKERAUTH.match(domain)
    if match:
        return match.group("kind")
    return AUTH_OTHER


def is_takeover(auth_domain: str, instance_domains: t.Iterable[str]) -> bool:
    """Whether the realm is on the instance's own domain."""
    return classify_auth_domain(auth_domain, instance_domains) == AUTH_TAKEOVER
