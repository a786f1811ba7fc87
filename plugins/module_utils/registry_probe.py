# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Probe a registry from the host a module runs on: resolve names, ``GET https://<registry>/v2/``, read its challenge.

Standard library only (socket, ssl, http.client): the probe runs on hosts inside the
registry's VPC that have no SDK. Every failure raises ProbeError naming the stage that
failed (dns, tcp, tls, http) so that the user knows what to fix.
"""

from __future__ import annotations

import http.client
import re
import socket
import ssl
import typing as t

from ansible_collections.alicloud.acr_access.plugins.module_utils.realm import RealmError, parse_bearer

_REGISTRY_DOMAIN = re.compile(r"^(?P<name>[a-z0-9][a-z0-9-]*?)-registry(?:-vpc)?\.(?P<region>[a-z0-9-]+)\.cr\.aliyuncs\.com$")
_ANSWER_BYTES = 4096  # of a body we only show in an error


class ProbeError(Exception):
    """A probe step failed; ``stage`` is one of dns, tcp, tls, http."""

    def __init__(self, stage: str, message: str, **details: t.Any):
        super().__init__(message)
        self.stage = stage
        self.details = details

    @property
    def cause(self) -> BaseException | None:
        """The resolver, socket or ssl exception behind the failure (``raise ... from``), for callers that word it their own way."""
        return self.__cause__


def registry_vpc_domain(instance_name: str, region: str) -> str:
    """The VPC endpoint domain of an instance: ``<name>-registry-vpc.<region>.cr.aliyuncs.com``."""
    return "%s-registry-vpc.%s.cr.aliyuncs.com" % (instance_name, region)


def region_of_registry_domain(domain: str) -> str | None:
    """The region in an instance's system domain, or None for a custom domain."""
    match = _REGISTRY_DOMAIN.match(domain.lower())
    return match.group("region") if match else None


def registry_target(registry_domain: str | None, instance_name: str | None, region: str | None) -> tuple | None:
    """(registry domain, how it was chosen) from the options, or None when neither way is given."""
    if registry_domain:
        return registry_domain.lower().rstrip("."), "option registry_domain"
    if instance_name and region:
        return registry_vpc_domain(instance_name, region), "option instance_name + region"
    return None


def own_domains(registry_domain: str, instance_name: str | None, region: str | None, instance_domains: t.Iterable[str] = ()) -> list:
    """The domains that are the instance's own: a realm on one of them means auth domain takeover.

    The region defaults to the one in an instance system domain, so the instance's other system domains count too.
    """
    domains = [registry_domain] + list(instance_domains or [])
    region = region or region_of_registry_domain(registry_domain)
    if instance_name and region:
        domains += [registry_vpc_domain(instance_name, region), "%s-registry.%s.cr.aliyuncs.com" % (instance_name, region)]
    return domains


def probe_option_problem(params: dict) -> str | None:
    """What is wrong with the probe's numeric options (port, timeout; poll_interval, wait_timeout of a waiting module), or None.

    Checked before any traffic: a zero timeout or interval would make a tight loop, a negative one a traceback.
    """
    port = params.get("port")
    if port is not None and not 1 <= port <= 65535:
        return "port must be from 1 to 65535, not %s: give port the registry's HTTPS port (443 unless it is mapped)" % port
    for name in ("timeout", "poll_interval", "wait_timeout"):
        value = params.get(name)
        if value is not None and value <= 0:
            return "%s must be a positive number of seconds, not %s: give %s > 0 (for example 5)" % (name, value, name)
    return None


def resolve(name: str, port: int = 443) -> list:
    """Every IPv4 address (A record) of ``name`` as this host resolves it (/etc/hosts, then DNS), in the resolver's order."""
    try:
        infos = socket.getaddrinfo(name, port, socket.AF_INET, socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise ProbeError("dns", "DNS: no answer for %s on this host (%s). Add it to /etc/hosts or check the resolver "
                         "(in a VPC: the PrivateZone record of the endpoint)." % (name, _reason(error)), name=name) from error
    addresses = []
    for info in infos:
        if info[4][0] not in addresses:
            addresses.append(info[4][0])
    return addresses


def tls_context(validate_certs: bool = True, ca_path: str | None = None) -> ssl.SSLContext:
    """A client context: the system CAs plus ``ca_path`` and host name checks, or no verification at all.

    The CA of ``ca_path`` is added to the system's, not put in their place: a registry behind a private CA still sends its
    clients to an auth service and to OSS whose certificates a public CA signed.
    """
    if not validate_certs:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    try:
        context = ssl.create_default_context()
        if ca_path:
            context.load_verify_locations(cafile=ca_path)
        return context
    except (OSError, ssl.SSLError) as error:
        raise ProbeError("tls", "cannot load the CA bundle ca_path=%s: %s" % (ca_path, _reason(error)), ca_path=ca_path) from error


def _reason(error: BaseException) -> str:
    return getattr(error, "strerror", None) or getattr(error, "reason", None) or str(error) or type(error).__name__


def connect(domain: str, address: str, port: int, timeout: float) -> socket.socket:
    """A TCP connection to ``address`` (``domain``'s); ProbeError("tcp") naming why not (the socket error as its cause)."""
    where = "%s (%s) port %d" % (domain, address, port)
    try:
        return socket.create_connection((address, port), timeout=timeout)
    except ConnectionRefusedError as error:
        raise ProbeError("tcp", "TCP connection to %s refused: the address answers but nothing listens on the port "
                         "(wrong address for the registry, or a VPC ACL rejects it)." % where, address=address) from error
    except socket.timeout as error:
        raise ProbeError("tcp", "TCP connection to %s timed out after %ss: no route to the address from this host, "
                         "or a security group / ACL drops the packets." % (where, timeout), address=address) from error
    except OSError as error:
        raise ProbeError("tcp", "TCP connection to %s failed: %s." % (where, _reason(error)), address=address) from error


def tls_handshake(sock: socket.socket, context: ssl.SSLContext, domain: str, address: str, timeout: float) -> ssl.SSLSocket:
    """TLS over ``sock`` for ``domain`` (SNI and certificate checks per ``context``); ProbeError("tls") closes ``sock``."""
    try:
        return context.wrap_socket(sock, server_hostname=domain)
    except ssl.SSLCertVerificationError as error:
        sock.close()
        raise ProbeError("tls", "TLS verification of %s (%s) failed: %s. Give the CA bundle that signed the registry's "
                         "certificate with ca_path (or validate_certs=false to skip the check)."
                         % (domain, address, error.verify_message or _reason(error)), address=address) from error
    except socket.timeout as error:
        sock.close()
        raise ProbeError("tls", "TLS handshake with %s (%s) timed out after %ss: the port accepts TCP but does not speak TLS."
                         % (domain, address, timeout), address=address) from error
    except (ssl.SSLError, OSError) as error:
        sock.close()
        raise ProbeError("tls", "TLS handshake with %s (%s) failed: %s." % (domain, address, _reason(error)), address=address) from error


def _get_v2(tls_sock: ssl.SSLSocket, domain: str, port: int, address: str, timeout: float) -> tuple:
    url = "https://%s%s/v2/" % (domain, "" if port == 443 else ":%d" % port)
    connection = http.client.HTTPConnection(domain, port, timeout=timeout)
    connection.sock = tls_sock  # already connected and verified: http.client only speaks HTTP over it
    try:
        connection.request("GET", "/v2/", headers={"User-Agent": "alicloud.acr_access registry probe", "Accept": "application/json"})
        response = connection.getresponse()
        body = response.read(_ANSWER_BYTES)
        return url, response.status, response.reason, response.msg.get_all("WWW-Authenticate") or [], body
    except socket.timeout as error:
        raise ProbeError("http", "no HTTP answer to GET %s (%s) within %ss." % (url, address, timeout), address=address) from error
    except (http.client.HTTPException, OSError) as error:
        raise ProbeError("http", "GET %s (%s) failed: not an HTTP answer (%s: %s)." % (url, address, type(error).__name__, error),
                         address=address) from error
    finally:
        connection.close()


def _expect_bearer(url: str, status: int, reason: str, challenges: list, body: bytes, address: str):
    expected = "expected 401 with a Bearer challenge, as an anonymous request to a registry gets"
    if status != 401:
        snippet = body[:200].decode("utf-8", "replace").strip()
        raise ProbeError("http", "unexpected answer to GET %s (%s): HTTP %d %s (%s)%s"
                         % (url, address, status, reason, expected, ": %s" % snippet if snippet else "."), address=address, status=status)
    if not challenges:
        raise ProbeError("http", "unexpected answer to GET %s (%s): HTTP 401 without a WWW-Authenticate header (%s)."
                         % (url, address, expected), address=address, status=status)
    try:
        return parse_bearer(challenges)
    except RealmError as error:
        raise ProbeError("http", "unexpected answer to GET %s (%s): HTTP 401 with WWW-Authenticate %s: %s (%s)."
                         % (url, address, " / ".join(challenges), error, expected), address=address, status=status) from error


def probe_registry(domain: str, port: int = 443, timeout: float = 10, context: ssl.SSLContext | None = None,
                   addresses: list | None = None) -> dict:
    """Anonymous ``GET https://domain/v2/`` on the first address that answers; its Bearer challenge.

    Returns {domain, addresses, address, url, status, www_authenticate, challenge (BearerChallenge)}.
    Tries the addresses in the resolver's order, as curl does; when every one fails, raises
    the failure of the last one (each names its address).
    """
    addresses = addresses if addresses is not None else resolve(domain, port)
    context = context or tls_context()
    failure = None
    for address in addresses:
        try:
            sock = connect(domain, address, port, timeout)
            tls_sock = tls_handshake(sock, context, domain, address, timeout)
            url, status, reason, challenges, body = _get_v2(tls_sock, domain, port, address, timeout)
        except ProbeError as error:
            if error.stage != "tcp":  # the address answered: another one would not answer differently
                raise
            failure = error
            continue
        challenge = _expect_bearer(url, status, reason, challenges, body, address)
        return dict(domain=domain, addresses=addresses, address=address, url=url, status=status,
                    www_authenticate=challenges, challenge=challenge)
    raise failure or ProbeError("dns", "DNS: no address for %s." % domain, name=domain)
