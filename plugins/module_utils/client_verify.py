# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Verify a client host's path to a registry in the order a packet goes, and say which step of the procedure is missing.

Standard library only. ``verify()`` does the I/O; ``explain()`` and ``table()`` are pure, so the
messages are tested on their own. A check is {name, target, ok, detail, seconds}; the first
failure of the host becomes {check, step, message}.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import ssl
import time
import typing as t
from urllib.parse import urlsplit

from ansible_collections.alicloud.acr_access.plugins.module_utils.registry_client import (
    INDEX_TYPES, ClientError, challenge, get_token, manifest, registry_url, request,
)
from ansible_collections.alicloud.acr_access.plugins.module_utils.registry_probe import ProbeError, connect, resolve, tls_handshake

KINDS = ("registry", "auth", "oss")
PORT = 443
LABELS = {"registry": "the registry", "auth": "the auth service", "oss": "OSS"}
COLUMNS = (("resolve", ("resolve",)), ("tls", ("tcp", "tls")), ("/v2", ("v2",)), ("token", ("token",)), ("manifest", ("manifest",)),
           ("blob via OSS", ("blob",)))


def covering_route(address: str, source_routes: list) -> str | None:
    """The longest planned source route whose destination holds ``address``."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    best = None
    for route in source_routes or []:
        try:
            network = ipaddress.ip_network(str(route.get("destination_cidr_block")), strict=False)
        except (ValueError, AttributeError):
            continue
        if ip.version == network.version and ip in network and (best is None or network.prefixlen > best.prefixlen):
            best = network
    return str(best) if best else None


def _route_text(kind: str, address: str, source_routes: list) -> str:
    route = covering_route(address, source_routes)
    if route:
        return "the route for %s in the source VPC is missing, or the transit router has not learned it" % route
    if source_routes:
        return "no route of the plan covers %s: run step 3 again with the current addresses (registry_routes)" % address
    if kind == "oss":
        return "the route for the region's OSS VIP range holding %s in the source VPC is missing, or the transit router has not learned it" % address
    return "the route for %s/32 in the source VPC is missing, or the transit router has not learned it" % address


def explain(check: str, kind: str, target: str, detail: str, context: dict) -> tuple:
    """(step, message) for a failed check. ``context``: planned (addresses), address, source_routes, auth_domain, oss_domain, status."""
    label = LABELS.get(kind, kind)
    address = context.get("address") or ""
    routes = context.get("source_routes") or []
    if check == "resolve":
        planned = ", ".join(context.get("planned") or []) or "an address"
        return "4", "%s does not resolve to %s (%s): the /etc/hosts block is missing or stale (step 4)" % (target, planned, detail)
    if check == "tcp":
        if "refused" in detail.lower():
            return "2/4", ("%s refused the connection on %s:443: the address answers but is not %s - the /etc/hosts entry or the address found "
                           "in step 2 is wrong (step 2/4)" % (target, address, label))
        if kind == "registry":
            return "1/3", ("%s is unreachable from this host (%s:443: %s): %s, or the CEN connection between the VPCs is not up (step 1/3)"
                           % (label.capitalize(), address, detail, _route_text(kind, address, routes)))
        return "3", "%s is unreachable from this host (%s:443: %s): %s (step 3)" % (
            label[0].upper() + label[1:], address, detail, _route_text(kind, address, routes))
    if check == "tls":
        return "4", ("TLS to %s (%s) failed: %s: install the CA that signed its certificate (registry_client_ca_certificate / ca_path), "
                     "or the name maps to another service's address (step 4)" % (target, address, detail))
    if check == "v2":
        if context.get("realm_host"):
            return "2", ("the registry's Bearer realm is on %s, not on the auth domain %s: the endpoints are stale - run step 2 again "
                         "(registry_endpoints) and update the hosts block (step 4)" % (context["realm_host"], context.get("auth_domain")))
        return "2", "GET https://%s/v2/ did not answer as a registry: %s (step 2: is this the registry's VPC domain and address?)" % (target, detail)
    if check == "token":
        if context.get("no_login"):
            return "4", "no login for %s is stored on this host: log in (docker login / registry_login, step 4)" % target
        if context.get("status") in (401, 403):
            return "4", "%s: the stored login is refused - log in again with a fresh token (registry_login, step 4)" % detail
        return "3", "no token from the auth service: %s (step 3: the auth route)" % detail
    if check == "manifest":
        status = context.get("status")
        if status == 404:
            return "image", "the image %s is not in the registry (HTTP 404): push it, or fix registry_client_images" % target
        if status in (401, 403):
            return "4", "the login may not pull %s (HTTP %d): use an account with pull rights (step 4)" % (target, status)
        return "2", "the manifest of %s could not be read: %s" % (target, detail)
    if check == "blob":
        if context.get("redirect_host"):
            return "2", ("the layer download is redirected to %s, not to the planned OSS domain %s: a custom bucket or another region - "
                         "run step 2 with the instance's OSS bucket (registry_endpoints_oss_bucket)" % (context["redirect_host"], context.get("oss_domain")))
        if context.get("stage") == "tcp":
            return "3", "OSS is unreachable from this host (%s:443: %s): %s (step 3)" % (address, detail, _route_text("oss", address, routes))
        if context.get("stage") == "dns":
            return "4", "%s does not resolve on this host: the /etc/hosts block is missing (step 4)" % context.get("oss_domain")
        if context.get("stage") == "tls":
            return "4", "TLS to OSS failed: %s: install the CA (ca_path) (step 4)" % detail
        return "3", "the layer download from OSS failed: %s" % detail
    return "?", "%s %s failed: %s" % (check, target, detail)


def _record(checks: list, name: str, kind: str, target: str, started: float, ok: bool, detail: str) -> dict:
    check = dict(name=name, kind=kind, target=target, ok=ok, detail=detail, seconds=round(time.monotonic() - started, 3))
    checks.append(check)
    return check


def _cause_text(error: ProbeError) -> str:
    """The failed call's own words (client_verify's details), not the probe's sentence."""
    cause = error.cause
    if cause is None:
        return str(error)
    if isinstance(cause, ssl.SSLCertVerificationError):
        return cause.verify_message or str(cause)
    if error.stage == "tcp":
        return "timed out" if isinstance(cause, socket.timeout) else (cause.strerror or str(cause)).lower()
    return str(cause) or type(cause).__name__


def _address_chain(kind: str, endpoint: dict, context: ssl.SSLContext, timeout: float, checks: list, fail: t.Callable) -> str | None:
    """resolve -> tcp -> tls for one domain (registry_probe's steps); the address that works, or None (the failure recorded)."""
    domain, planned = endpoint["domain"], [str(a) for a in endpoint.get("addresses") or []]
    started = time.monotonic()
    try:
        found = resolve(domain, PORT)
    except ProbeError as error:
        detail = "does not resolve: %s" % (error.cause or error)
        _record(checks, "resolve", kind, domain, started, False, detail)
        fail("resolve", kind, domain, detail, dict(planned=planned))
        return None
    wrong = [a for a in found if planned and a not in planned]
    if wrong:
        detail = "resolves to %s" % ", ".join(found)
        _record(checks, "resolve", kind, domain, started, False, detail)
        fail("resolve", kind, domain, detail, dict(planned=planned))
        return None
    address = found[0]
    _record(checks, "resolve", kind, domain, started, True, "resolves to %s" % ", ".join(found))
    started = time.monotonic()
    try:
        sock = connect(domain, address, PORT, timeout)
    except ProbeError as error:
        _record(checks, "tcp", kind, "%s:%d" % (address, PORT), started, False, _cause_text(error))
        fail("tcp", kind, domain, _cause_text(error), dict(address=address))
        return None
    _record(checks, "tcp", kind, "%s:%d" % (address, PORT), started, True, "connected")
    started = time.monotonic()
    try:
        tls_handshake(sock, context, domain, address, timeout).close()
    except ProbeError as error:
        _record(checks, "tls", kind, domain, started, False, _cause_text(error))
        fail("tls", kind, domain, _cause_text(error), dict(address=address))
        return None
    _record(checks, "tls", kind, domain, started, True, "certificate verified")
    return address


def _platform_manifest(image: dict, response, token: str, context: ssl.SSLContext, timeout: float) -> dict:
    """The image manifest (for an index: linux/amd64's, else the first)."""
    document = json.loads(response.body.decode("utf-8"))
    media = response.headers.get("Content-Type", "").split(";")[0].strip() or document.get("mediaType", "")
    if media in INDEX_TYPES or "manifests" in document:
        entries = document.get("manifests") or []
        chosen = next((m for m in entries if (m.get("platform") or {}).get("os") == "linux"
                       and (m.get("platform") or {}).get("architecture") == "amd64"), entries[0] if entries else None)
        if not chosen:
            raise ClientError("manifest", "the index of %s lists no manifest" % image["ref"])
        child = dict(image, reference=chosen["digest"])
        response = manifest(child, token, context, timeout)
        if response.status != 200:
            raise ClientError("manifest", "GET of the manifest %s of %s answered HTTP %d" % (chosen["digest"], image["ref"], response.status),
                              status=response.status)
        document = json.loads(response.body.decode("utf-8"))
    return document


def verify(host: str, endpoints: dict, images: list, login: dict | None, context: ssl.SSLContext, timeout: float,
           source_routes: list | None = None, use_login: bool = True) -> dict:
    """The report: {host, ok, checks, failed}. ``endpoints``: {registry, auth, oss: {domain, addresses}}; ``images`` parsed."""
    checks: list = []
    failures: list = []
    base = dict(source_routes=source_routes or [], auth_domain=endpoints["auth"]["domain"], oss_domain=endpoints["oss"]["domain"])

    def fail(check, kind, target, detail, extra):
        step, message = explain(check, kind, target, detail, dict(base, **extra))
        failures.append(dict(check=check, kind=kind, step=step, message=message))

    working = {kind: _address_chain(kind, endpoints[kind], context, timeout, checks, fail) for kind in KINDS}
    registry = endpoints["registry"]["domain"]
    if working["registry"]:
        _http_chain(registry, endpoints, images, login, context, timeout, checks, fail, working, use_login)
    return dict(host=host, ok=not failures, checks=checks, failed=failures[0] if failures else None,
                failures=failures)


def _http_chain(registry, endpoints, images, login, context, timeout, checks, fail, working, use_login):
    started = time.monotonic()
    try:
        bearer = challenge(registry, context, timeout)
    except ClientError as error:
        _record(checks, "v2", "registry", registry, started, False, str(error))
        fail("v2", "registry", registry, str(error), {})
        return
    auth_domain = endpoints["auth"]["domain"]
    if bearer.auth_domain != auth_domain.lower():
        detail = "realm %s" % bearer.realm
        _record(checks, "v2", "registry", registry, started, False, detail)
        fail("v2", "registry", registry, detail, dict(realm_host=bearer.auth_domain))
        return
    _record(checks, "v2", "registry", registry, started, True, "401 Bearer realm %s" % bearer.realm)
    if not working["auth"]:
        return
    image = images[0] if images else None
    started = time.monotonic()
    if use_login and not login:
        _record(checks, "token", "auth", auth_domain, started, False, "no stored login")
        fail("token", "auth", registry, "no stored login", dict(no_login=True))
        return
    try:
        token = get_token(bearer, context, timeout, login if use_login else None,
                          "repository:%s:pull" % image["repository"] if image else None)
    except ClientError as error:
        _record(checks, "token", "auth", auth_domain, started, False, str(error))
        fail("token", "auth", auth_domain, str(error), dict(status=error.details.get("status"), address=error.details.get("address")))
        return
    _record(checks, "token", "auth", auth_domain, started, True, "issued" + (" for %s" % login["username"] if use_login else " (anonymous)"))
    if not image:
        return
    started = time.monotonic()
    try:
        response = manifest(image, token, context, timeout)
        if response.status != 200:
            raise ClientError("manifest", "GET answered HTTP %d %s" % (response.status, response.reason), status=response.status)
        document = _platform_manifest(image, response, token, context, timeout)
        blob = (document.get("config") or {}).get("digest") or ((document.get("layers") or [{}])[0]).get("digest")
        if not blob:
            raise ClientError("manifest", "the manifest of %s names no config or layer blob" % image["ref"])
    except ClientError as error:
        _record(checks, "manifest", "registry", image["ref"], started, False, str(error))
        fail("manifest", "registry", image["ref"], str(error), dict(status=error.details.get("status")))
        return
    except (ValueError, UnicodeDecodeError, KeyError, TypeError, AttributeError) as error:
        _record(checks, "manifest", "registry", image["ref"], started, False, "not a manifest: %s" % error)
        fail("manifest", "registry", image["ref"], "not a manifest: %s" % error, {})
        return
    _record(checks, "manifest", "registry", image["ref"], started, True, "HTTP 200, blob %s" % blob)
    _blob_chain(image, blob, token, endpoints, context, timeout, checks, fail, working)


def _blob_chain(image, blob, token, endpoints, context, timeout, checks, fail, working):
    started = time.monotonic()
    url = registry_url(image["registry"], "/v2/%s/blobs/%s" % (image["repository"], blob))
    oss_domain = endpoints["oss"]["domain"]
    try:
        response = request(url, context, timeout, headers={"Authorization": "Bearer " + token, "Range": "bytes=0-0"}, read_limit=1)
    except ClientError as error:
        _record(checks, "blob", "registry", url, started, False, str(error))
        fail("blob", "registry", url, str(error), dict(stage=error.stage, address=error.details.get("address")))
        return
    if response.status in (200, 206):
        _record(checks, "blob", "registry", url, started, True, "HTTP %d from the registry itself (no OSS redirect)" % response.status)
        return
    location = response.headers.get("Location") or ""
    if response.status not in (301, 302, 303, 307, 308) or not location:
        detail = "GET answered HTTP %d %s, not a redirect to OSS" % (response.status, response.reason)
        _record(checks, "blob", "registry", url, started, False, detail)
        fail("blob", "registry", url, detail, {})
        return
    host = (urlsplit(location).hostname or "").lower()
    if host != oss_domain.lower():
        detail = "redirected to %s" % host
        _record(checks, "blob", "oss", host, started, False, detail)
        fail("blob", "oss", host, detail, dict(redirect_host=host))
        return
    if not working["oss"]:
        _record(checks, "blob", "oss", oss_domain, started, False, "redirected to %s, which this host cannot reach" % oss_domain)
        return  # the OSS chain already said why
    try:
        followed = request(location, context, timeout, headers={"Range": "bytes=0-0"}, read_limit=1)
    except ClientError as error:
        _record(checks, "blob", "oss", oss_domain, started, False, str(error))
        fail("blob", "oss", oss_domain, str(error), dict(stage=error.stage, address=error.details.get("address")))
        return
    if followed.status not in (200, 206):
        detail = "OSS answered HTTP %d %s to the redirect" % (followed.status, followed.reason)
        _record(checks, "blob", "oss", oss_domain, started, False, detail)
        fail("blob", "oss", oss_domain, detail, {})
        return
    _record(checks, "blob", "oss", oss_domain, started, True, "HTTP %d redirect to %s, then HTTP %d from OSS" % (response.status, oss_domain, followed.status))


def cell(report: dict, names: tuple) -> str:
    checks = [check for check in report.get("checks") or [] if check["name"] in names]
    if not checks:
        return "-"
    return "ok" if all(check["ok"] for check in checks) else "FAIL"


def table(reports: list) -> list:
    """One line per host: host | resolve | tls | /v2 | token | manifest | blob via OSS | result; then each failure's message."""
    header = ["host"] + [title for title, _names in COLUMNS] + ["result"]
    rows = []
    for report in reports:
        failed = report.get("failed")
        result = "ok" if report.get("ok") else "FAILED (step %s)" % failed["step"] if failed else "FAILED"
        rows.append([str(report.get("host"))] + [cell(report, names) for _title, names in COLUMNS] + [result])
    widths = [max(len(row[i]) for row in [header] + rows) for i in range(len(header))]
    lines = [" | ".join(value.ljust(widths[i]) for i, value in enumerate(row)).rstrip() for row in [header] + rows]
    for report in reports:
        for failure in report.get("failures") or ([report["failed"]] if report.get("failed") else []):
            lines.append("%s: %s" % (report.get("host"), failure["message"]))
    return lines
