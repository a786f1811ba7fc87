"""The HTTP face of the twin: API requests on ``/``, the admin interface on ``/_twin/``."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from acr_twin import network
from acr_twin.faults import LostResponse
from acr_twin.products import cr

ADMIN_PREFIX = "/_twin/"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "acr_twin"
    # Headers and body go out in two writes: without this, Nagle + delayed ACK add ~40 ms to every call.
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):  # the call log is the record; keep stderr quiet
        pass

    def _read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status, payload, headers=None):
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _dispatch(self):
        twin = self.server.twin
        url = urlsplit(self.path)
        body = self._read_body()
        if url.path.startswith(ADMIN_PREFIX):
            return self._admin(twin, url, body)
        try:
            answer = twin.handle(self.command, url.path, url.query, dict(self.headers.items()), body)
        except LostResponse:
            # The change is made; the client only sees the connection drop.
            self.close_connection = True
            return None
        return self._send(answer.status, answer.encoded(), answer.headers)

    do_GET = _dispatch
    do_POST = _dispatch
    do_PUT = _dispatch
    do_DELETE = _dispatch

    def _admin(self, twin, url, body):
        name = url.path[len(ADMIN_PREFIX):].strip("/")
        query = parse_qs(url.query)
        doc = json.loads(body.decode("utf-8")) if body else {}
        try:
            if name == "health":
                return self._send(200, {"ok": True, "endpoint": twin.endpoint})
            if name == "state":
                return self._send(200, twin.cloud.dump())
            if name == "calls" and self.command == "GET":
                since = int(query.get("since", ["0"])[0])
                calls = twin.calls(since)
                return self._send(200, {"calls": calls, "counts": twin.counts(since), "writes": sum(1 for c in calls if c["write"]),
                                        "last_seq": twin.last_seq()})
            if name == "reset" and self.command == "POST":
                twin.reset(doc.get("fixture"))
                return self._send(200, {"ok": True})
            if name == "faults" and self.command == "POST":
                twin.faults.force(doc if isinstance(doc, list) else doc.get("faults", []))
                return self._send(200, {"ok": True, "forced": twin.faults.forced})
            if name == "config" and self.command == "POST":
                if "time_scale" in doc:
                    twin.set_time_scale(doc["time_scale"])
                return self._send(200, {"ok": True, "time_scale": twin.cloud.time_scale})
            if name == "settle" and self.command == "POST":
                twin.settle()
                return self._send(200, {"ok": True})
            if name == "network" and self.command == "GET":
                # the network twin's reconciler: what every VPC router and transit router forwards now (acr_twin/network.py)
                return self._send(200, network.forwarding(twin.cloud))
            if name == "cr/login" and self.command == "POST":
                # the network twin's token service: is this a valid GetAuthorizationToken login? (no secret is logged or stored)
                return self._send(200, {"valid": cr.valid_token(twin.cloud, doc.get("instance_id"), doc.get("username"), doc.get("password"))})
        except (ValueError, TypeError) as err:
            return self._send(400, {"error": str(err)})
        return self._send(404, {"error": "unknown admin call %s %s (known: GET health, state, calls, network; POST reset, faults, config, settle, cr/login)"
                                % (self.command, url.path)})


class TwinServer:
    """Serves a Twin on ``host:port`` (port 0: a free one) in a background thread."""

    def __init__(self, twin, host="127.0.0.1", port=0):
        self.twin = twin
        self.httpd = ThreadingHTTPServer((host, port), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.twin = twin
        self.host, self.port = self.httpd.server_address[:2]
        self.endpoint = "%s:%d" % (self.host, self.port)
        twin.endpoint = self.endpoint
        self._thread = None

    def start(self):
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="acr_twin", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self):
        self.httpd.serve_forever()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
