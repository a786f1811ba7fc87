# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a client host needs to talk to a registry as docker / podman do: image references, stored logins, tokens, manifests.

Standard library only (client hosts have no SDK). The HTTP calls reuse the TLS context and
the Bearer challenge parsing of registry_probe / realm. Nothing here logs or raises a
password: errors name the registry, the file or the helper, never a secret.
"""

from __future__ import annotations

import base64
import binascii
import http.client
import json
import os
import re
import socket
import ssl
import typing as t
from urllib.parse import urlencode, urlsplit

from ansible_collections.alicloud.acr_access.plugins.module_utils.realm import RealmError, parse_bearer

ENGINES = ("docker", "podman")
MANIFEST_TYPES = (
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
)
INDEX_TYPES = MANIFEST_TYPES[:2]
USER_AGENT = "alicloud.acr_access registry client"

# docker/distribution reference grammar (reference/regexp.go), lower-case repository path components
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REPOSITORY = re.compile(r"^%s(?:/%s)*$" % (_COMPONENT, _COMPONENT))
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_DIGEST = re.compile(r"^sha256:[a-f0-9]{64}$")
_DOMAIN = re.compile(r"^(?:localhost|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z0-9-]+|\[[0-9A-Fa-f:.]+\]|[0-9.]+)(?::[0-9]+)?$")
_IMAGE_EXAMPLE = "repo/name:tag or repo/name@sha256:<64 hex digits>, for example team/app:1.0"


class ClientError(Exception):
    """A step against the registry failed. ``stage`` names it (dns, tcp, tls, http, token, manifest, blob, login, config)."""

    def __init__(self, stage: str, message: str, **details: t.Any):
        super().__init__(message)
        self.stage = stage
        self.details = details


# ---------------------------------------------------------------- image references


def parse_image(ref: str, registry: str | None = None) -> dict:
    """``repo/name:tag`` / ``repo/name@sha256:...`` (relative to ``registry``) or a fully qualified reference.

    Returns {registry, repository, tag, digest, reference (tag or digest), name (registry/repository), ref (full)}.
    A reference without tag or digest means ``:latest``, as for docker. Raises ValueError saying what is wrong.
    """
    if not isinstance(ref, str) or not ref.strip():
        raise ValueError("an empty image reference; expected %s" % _IMAGE_EXAMPLE)
    text = ref.strip()
    if text != ref or any(char.isspace() for char in text):
        raise ValueError("%r contains whitespace; expected %s" % (ref, _IMAGE_EXAMPLE))
    digest = None
    if "@" in text:
        text, digest = text.split("@", 1)
        if not _DIGEST.match(digest):
            raise ValueError("%r: the digest %r is not sha256:<64 lower-case hex digits>; expected %s" % (ref, digest, _IMAGE_EXAMPLE))
    tag = None
    slash = text.rfind("/")
    colon = text.rfind(":")
    if colon > slash:
        text, tag = text[:colon], text[colon + 1:]
        if not _TAG.match(tag):
            raise ValueError("%r: the tag %r is not valid (letters, digits, '_', '.', '-', up to 128, not starting with '.' or '-'); expected %s"
                             % (ref, tag, _IMAGE_EXAMPLE))
    first, _sep, rest = text.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost") and _DOMAIN.match(first):
        domain, repository = first.lower(), rest
    else:
        if not registry:
            raise ValueError("%r has no registry domain and no registry is given; write it as <registry>/%s" % (ref, ref))
        domain, repository = registry.lower().rstrip("."), text
    if not _REPOSITORY.match(repository):
        raise ValueError("%r: the repository %r is not valid (lower-case letters, digits and separators, components joined by '/'); "
                         "expected %s" % (ref, repository, _IMAGE_EXAMPLE))
    if "/" not in repository:
        raise ValueError("%r: the repository %r has no namespace; an Enterprise Edition instance stores <namespace>/<repository>, "
                         "expected %s" % (ref, repository, _IMAGE_EXAMPLE))
    if tag is None and digest is None:
        tag = "latest"
    name = "%s/%s" % (domain, repository)
    full = name + (":" + tag if tag else "") + ("@" + digest if digest else "")
    return dict(registry=domain, repository=repository, tag=tag, digest=digest, reference=digest or tag, name=name, ref=full)


def parse_images(refs: list, registry: str | None) -> list:
    """Every reference parsed; ValueError naming the bad item (``images[2]``)."""
    parsed = []
    for index, ref in enumerate(refs or []):
        try:
            parsed.append(parse_image(ref, registry))
        except ValueError as error:
            raise ValueError("images[%d]: %s" % (index, error))
    return parsed


# ---------------------------------------------------------------- stored logins


def _registry_key(key: str) -> str:
    """``https://reg.example/v1/`` -> ``reg.example``: docker writes some keys as URLs."""
    key = key.strip()
    if "://" in key:
        key = urlsplit(key).netloc or key
    return key.split("/", 1)[0].lower().rstrip(".")


def docker_config_path(environ: t.Mapping | None = None) -> str:
    environ = os.environ if environ is None else environ
    directory = environ.get("DOCKER_CONFIG") or os.path.join(os.path.expanduser("~"), ".docker")
    return os.path.join(directory, "config.json")


def podman_auth_paths(environ: t.Mapping | None = None, uid: int | None = None) -> list:
    """Where podman reads logins, in its order: $REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR, /run/containers/<uid>, $XDG_CONFIG_HOME, docker's."""
    environ = os.environ if environ is None else environ
    uid = os.getuid() if uid is None else uid
    paths = []
    if environ.get("REGISTRY_AUTH_FILE"):
        paths.append(environ["REGISTRY_AUTH_FILE"])
    if environ.get("XDG_RUNTIME_DIR"):
        paths.append(os.path.join(environ["XDG_RUNTIME_DIR"], "containers", "auth.json"))
    paths.append("/run/containers/%d/auth.json" % uid)
    config_home = environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    paths.append(os.path.join(config_home, "containers", "auth.json"))
    paths.append(docker_config_path(environ))
    unique = []
    for path in paths:
        if path not in unique:
            unique.append(path)
    return unique


def podman_write_path(environ: t.Mapping | None = None, uid: int | None = None) -> str:
    """The file ``podman login`` writes: $REGISTRY_AUTH_FILE, else ${XDG_RUNTIME_DIR}/containers/auth.json, else /run/containers/<uid>/auth.json."""
    environ = os.environ if environ is None else environ
    if environ.get("REGISTRY_AUTH_FILE"):
        return environ["REGISTRY_AUTH_FILE"]
    if environ.get("XDG_RUNTIME_DIR"):
        return os.path.join(environ["XDG_RUNTIME_DIR"], "containers", "auth.json")
    return "/run/containers/%d/auth.json" % (os.getuid() if uid is None else uid)


def auth_file_paths(engine: str, environ: t.Mapping | None = None) -> list:
    return podman_auth_paths(environ) if engine == "podman" else [docker_config_path(environ)]


def _load_json(path: str) -> dict | None:
    try:
        with open(path, "rb") as handle:
            data = json.loads(handle.read().decode("utf-8") or "{}")
    except FileNotFoundError:
        return None
    except (OSError, ValueError, UnicodeDecodeError) as error:
        raise ClientError("config", "cannot read the login file %s: %s" % (path, getattr(error, "strerror", None) or error), path=path)
    if not isinstance(data, dict):
        raise ClientError("config", "the login file %s is not a JSON object" % path, path=path)
    return data


def _from_helper(helper: str, registry: str, path: str, run: t.Callable) -> dict | None:
    """``docker-credential-<helper> get`` with the registry on stdin -> {username, password}, None when it has none."""
    command = "docker-credential-%s" % helper
    try:
        rc, out, err = run([command, "get"], registry)
    except OSError as error:
        raise ClientError("config", "%s names the credential helper %s, which cannot run: %s" % (path, command, error.strerror or error),
                          path=path, helper=command)
    if rc != 0:
        if "not found" in (out + err).lower():
            return None
        raise ClientError("config", "%s get for %s failed (exit %d): %s" % (command, registry, rc, (err or out).strip()[:200]),
                          path=path, helper=command)
    try:
        answer = json.loads(out)
        username, secret = answer["Username"], answer["Secret"]
    except (ValueError, KeyError, TypeError):
        raise ClientError("config", "%s get for %s did not answer {ServerURL, Username, Secret}" % (command, registry), path=path, helper=command)
    if not secret:
        return None
    return dict(username=username, password=secret)


def _from_auths(auths: dict, registry: str, path: str) -> dict | None:
    for key, value in (auths or {}).items():
        if _registry_key(key) != registry or not isinstance(value, dict):
            continue
        if value.get("auth"):
            try:
                decoded = base64.b64decode(value["auth"], validate=False).decode("utf-8")
            except (binascii.Error, ValueError, UnicodeDecodeError):
                raise ClientError("config", "the login of %s in %s is not base64 of user:password: log in again" % (registry, path), path=path)
            username, sep, password = decoded.partition(":")
            if not sep:
                raise ClientError("config", "the login of %s in %s is not base64 of user:password: log in again" % (registry, path), path=path)
            return dict(username=username, password=password)
        if value.get("username") and value.get("password"):
            return dict(username=value["username"], password=value["password"])
    return None


def stored_login(engine: str, registry: str, run: t.Callable, environ: t.Mapping | None = None) -> dict | None:
    """The engine's stored login for ``registry``: {username, password, source, path}, or None.

    ``run(argv, stdin_text) -> (rc, stdout, stderr)`` runs a credential helper. credHelpers[registry] wins over credsStore,
    which wins over ``auths`` (as docker reads them); for podman the first file that knows the registry wins.
    """
    registry = _registry_key(registry)
    for path in auth_file_paths(engine, environ):
        data = _load_json(path)
        if data is None:
            continue
        helpers = {_registry_key(key): value for key, value in (data.get("credHelpers") or {}).items()}
        helper = helpers.get(registry) or data.get("credsStore")
        if helper:
            found = _from_helper(helper, registry, path, run)
            if found:
                return dict(found, source="docker-credential-%s" % helper, path=path)
            if registry in helpers:
                continue
        found = _from_auths(data.get("auths"), registry, path)
        if found:
            return dict(found, source="auths", path=path)
    return None


# ---------------------------------------------------------------- HTTP over the probe's TLS helpers


class Response(t.NamedTuple):
    status: int
    reason: str
    headers: t.Any  # http.client.HTTPMessage
    body: bytes
    url: str


def request(url: str, context: ssl.SSLContext, timeout: float, method: str = "GET", headers: dict | None = None,
            read_limit: int = 1 << 20) -> Response:
    """One HTTPS request, no redirect followed; ClientError naming the stage (dns, tcp, tls, http) on failure."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ClientError("http", "refusing %s: only https:// URLs are used" % url, url=url)
    host, port = parts.hostname, parts.port or 443
    path = (parts.path or "/") + ("?" + parts.query if parts.query else "")
    try:
        addresses = socket.getaddrinfo(host, port, socket.AF_INET, socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise ClientError("dns", "%s does not resolve on this host (%s)" % (host, error), host=host)
    address = addresses[0][4][0]
    try:
        sock = socket.create_connection((address, port), timeout=timeout)
    except socket.timeout:
        raise ClientError("tcp", "TCP to %s (%s:%d) timed out after %ss" % (host, address, port, timeout), host=host, address=address)
    except OSError as error:
        raise ClientError("tcp", "TCP to %s (%s:%d) failed: %s" % (host, address, port, error.strerror or error), host=host, address=address)
    try:
        tls = context.wrap_socket(sock, server_hostname=host)
    except ssl.SSLCertVerificationError as error:
        sock.close()
        raise ClientError("tls", "TLS verification of %s (%s) failed: %s" % (host, address, error.verify_message or error), host=host, address=address)
    except (ssl.SSLError, OSError) as error:
        sock.close()
        raise ClientError("tls", "TLS handshake with %s (%s) failed: %s" % (host, address, error), host=host, address=address)
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    connection.sock = tls
    sent = {"User-Agent": USER_AGENT}
    sent.update(headers or {})
    try:
        connection.request(method, path, headers=sent)
        response = connection.getresponse()
        body = b"" if method == "HEAD" else response.read(read_limit)
        return Response(response.status, response.reason, response.msg, body, url)
    except socket.timeout:
        raise ClientError("http", "no HTTP answer to %s %s within %ss" % (method, url, timeout), url=url)
    except (http.client.HTTPException, OSError) as error:
        raise ClientError("http", "%s %s failed: %s" % (method, url, error), url=url)
    finally:
        connection.close()


def registry_url(registry: str, path: str) -> str:
    return "https://%s%s" % (registry, path)


def challenge(registry: str, context: ssl.SSLContext, timeout: float):
    """The Bearer challenge of an anonymous ``GET /v2/`` (realm.BearerChallenge); ClientError when the answer is not 401 Bearer."""
    response = request(registry_url(registry, "/v2/"), context, timeout)
    found = response.headers.get_all("WWW-Authenticate") or []
    if response.status != 401 or not found:
        raise ClientError("http", "GET https://%s/v2/ answered HTTP %d %s, not 401 with a Bearer challenge" % (registry, response.status, response.reason),
                          status=response.status)
    try:
        return parse_bearer(found)
    except RealmError as error:
        raise ClientError("http", "GET https://%s/v2/: %s" % (registry, error), status=response.status)


def get_token(bearer, context: ssl.SSLContext, timeout: float, login: dict | None = None, scope: str | None = None) -> str:
    """A token from the realm (Basic auth with ``login``, anonymous without); ClientError("token") when none is issued."""
    query = {}
    if bearer.service:
        query["service"] = bearer.service
    if scope:
        query["scope"] = scope
    if login:
        query["account"] = login["username"]
    url = bearer.realm + ("&" if "?" in bearer.realm else "?") + urlencode(query)
    headers = {"Accept": "application/json"}
    if login:
        basic = base64.b64encode(("%s:%s" % (login["username"], login["password"])).encode("utf-8")).decode("ascii")
        headers["Authorization"] = "Basic " + basic
    response = request(url, context, timeout, headers=headers)
    who = "the login of %s" % login["username"] if login else "an anonymous request"
    if response.status != 200:
        raise ClientError("token", "the auth service %s refused %s: HTTP %d %s" % (urlsplit(bearer.realm).hostname, who, response.status, response.reason),
                          status=response.status)
    try:
        answer = json.loads(response.body.decode("utf-8"))
        token = answer.get("token") or answer.get("access_token")
    except (ValueError, UnicodeDecodeError, AttributeError):
        token = None
    if not token:
        raise ClientError("token", "the auth service %s answered HTTP 200 without a token to %s" % (urlsplit(bearer.realm).hostname, who))
    return token


def login_works(registry: str, login: dict, context: ssl.SSLContext, timeout: float, repository: str | None = None) -> tuple:
    """(works, detail): whether the auth service of the registry issues a token for ``login`` (as ``docker login`` checks)."""
    try:
        bearer = challenge(registry, context, timeout)
        get_token(bearer, context, timeout, login, "repository:%s:pull" % repository if repository else None)
    except ClientError as error:
        return False, str(error)
    return True, "the auth service issued a token for %s" % login["username"]


def manifest(image: dict, token: str | None, context: ssl.SSLContext, timeout: float, method: str = "GET") -> Response:
    headers = {"Accept": ", ".join(MANIFEST_TYPES)}
    if token:
        headers["Authorization"] = "Bearer " + token
    return request(registry_url(image["registry"], "/v2/%s/manifests/%s" % (image["repository"], image["reference"])), context, timeout,
                   method=method, headers=headers)


def remote_digest(image: dict, login: dict | None, context: ssl.SSLContext, timeout: float) -> str:
    """The registry's digest of the image (``HEAD /v2/<repo>/manifests/<ref>``, Docker-Content-Digest)."""
    bearer = challenge(image["registry"], context, timeout)
    token = get_token(bearer, context, timeout, login, "repository:%s:pull" % image["repository"])
    response = manifest(image, token, context, timeout, method="HEAD")
    if response.status != 200:
        raise ClientError("manifest", "HEAD of the manifest of %s answered HTTP %d %s" % (image["ref"], response.status, response.reason),
                          status=response.status)
    digest = response.headers.get("Docker-Content-Digest")
    if not digest:
        raise ClientError("manifest", "the registry sent no Docker-Content-Digest for %s" % image["ref"])
    return digest
