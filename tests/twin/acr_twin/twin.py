"""One request in, one answer out: protocol, signature, faults, dispatch and the call log."""

import json
import threading
import time
import uuid
from collections import Counter
from urllib.parse import parse_qsl

# Registers every handler.
from acr_twin import products  # noqa: F401 pylint: disable=unused-import
from acr_twin.auth import KeyRing, check_acs3, check_v2
from acr_twin.errors import ApiError
from acr_twin.faults import Faults, LostResponse, fault_error
from acr_twin.fixtures import build_cloud
from acr_twin.params import Params
from acr_twin.registry import PRODUCT_VERSIONS, handler, is_write

DEFAULT_ACCESS_KEY_ID = "LTAI5tTwinAccessKey00001"
DEFAULT_ACCESS_KEY_SECRET = "twin-secret-do-not-use-in-production"

# Protocol parameters: the signature's business, not the action's.
PROTOCOL_PARAMS = frozenset(("Action", "Version", "Format", "Timestamp", "SignatureNonce", "SignatureMethod",
                             "SignatureVersion", "AccessKeyId", "Signature", "SecurityToken", "SignatureType"))

HOSTS = {"vpc": "vpc.aliyuncs.com", "cbn": "cbn.aliyuncs.com", "cr": "cr.aliyuncs.com", "sts": "sts.aliyuncs.com",
         "privatelink": "privatelink.aliyuncs.com", "ecs": "ecs.aliyuncs.com"}


class Answer:
    def __init__(self, status, body, headers=None):
        self.status = status
        self.body = body
        self.headers = dict(headers or {})

    def encoded(self):
        return json.dumps(self.body, sort_keys=False).encode("utf-8")


class Twin:
    """The emulated cloud behind one endpoint."""

    def __init__(self, fixture="seed", time_scale=1.0, faults=None, access_key_id=DEFAULT_ACCESS_KEY_ID,
                 access_key_secret=DEFAULT_ACCESS_KEY_SECRET):
        self.fixture = fixture
        self.faults = Faults(faults)
        self._log_lock = threading.Lock()
        self._calls = []
        self._started = time.monotonic()
        self.cloud = build_cloud(fixture, time_scale=time_scale)
        self.keys = KeyRing(access_key_id, access_key_secret, self.cloud.clock)
        self.cloud.keys = self.keys
        self.endpoint = None  # set by TwinServer

    # -- admin ----------------------------------------------------------------
    def reset(self, fixture=None):
        with self.cloud.lock:
            if fixture is not None:
                self.fixture = fixture
            time_scale = self.cloud.time_scale
            self.cloud = build_cloud(self.fixture, time_scale=time_scale)
            self.keys.temporary.clear()
            self.cloud.keys = self.keys
            self.faults.forced = []
        with self._log_lock:
            self._calls = []

    def set_time_scale(self, time_scale):
        self.cloud.time_scale = float(time_scale)

    def settle(self):
        with self.cloud.lock:
            self.cloud.settle()

    def calls(self, since=0, product=None, action=None):
        with self._log_lock:
            return [dict(c) for c in self._calls if c["seq"] > since and (product is None or c["product"] == product)
                    and (action is None or c["action"] == action)]

    def counts(self, since=0):
        return dict(Counter(c["action"] for c in self.calls(since)))

    def writes(self, since=0):
        """The calls since ``since`` that asked for a change (accepted or not)."""
        return [c for c in self.calls(since) if c["write"]]

    def last_seq(self):
        with self._log_lock:
            return self._calls[-1]["seq"] if self._calls else 0

    # -- requests -------------------------------------------------------------
    def handle(self, method, path, query_string, headers, body):
        """Answer one API request. Raises LostResponse when the answer must be dropped."""
        headers = dict((k.lower(), v) for k, v in headers.items())
        query = dict(parse_qsl(query_string, keep_blank_values=True))
        params = dict(query)
        if body and headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        version = headers.get("x-acs-version") or params.get("Version")
        action_name = headers.get("x-acs-action") or params.get("Action")
        product = PRODUCT_VERSIONS.get(version)
        request_id = str(uuid.uuid4()).upper()
        started = time.monotonic() - self._started
        record = {"product": product, "action": action_name, "version": version, "started": round(started, 4),
                  "params": dict((k, v) for k, v in params.items() if k not in PROTOCOL_PARAMS), "request_id": request_id}
        try:
            answer = self._answer(method, path, query, headers, body, params, product, version, action_name)
        except LostResponse:
            self._log(record, 200, None)
            raise
        except ApiError as err:
            answer = Answer(err.status, {"RequestId": request_id, "HostId": HOSTS.get(product, "aliyuncs.com"),
                                         "Code": err.code, "Message": err.message,
                                         "Recommend": "https://api.aliyun.com/troubleshoot?q=%s" % err.code}, err.headers)
        if answer.status < 400 and isinstance(answer.body, dict):
            answer.body.setdefault("RequestId", request_id)
        failed = answer.status >= 400 or answer.body.get("IsSuccess") is False or answer.body.get("Success") is False
        code = answer.body.get("Code") if failed else None
        self._log(record, answer.status, code)
        return answer

    def _answer(self, method, path, query, headers, body, params, product, version, action_name):
        if not action_name:
            raise ApiError("MissingParameter", 'The input parameter "Action" that is mandatory for processing this request is not supplied.')
        if product is None:
            raise ApiError("InvalidVersion", "Specified parameter Version (%s) is not valid." % version, status=400)
        if "authorization" in headers:
            access_key_id = check_acs3(self.keys, method, path, query, headers, body)
        elif "Signature" in params:
            access_key_id = check_v2(self.keys, method, params)
        else:
            raise ApiError("MissingParameter", "The request is not signed: no Authorization header and no Signature parameter.")
        fn = handler(product, action_name)
        if fn is None:
            raise ApiError("InvalidAction.NotFound", "Specified api is not found, please check your url and method.", status=404)
        cloud = self.cloud
        with cloud.lock:
            cloud.run_due()
            fault = self.faults.pick(action_name)
            if fault and fault[0] != "lost_response":
                raise fault_error(fault[0], product, fault[1])
            request = Params(dict((k, v) for k, v in params.items() if k not in PROTOCOL_PARAMS), action_name, product,
                             caller=self.keys.caller(access_key_id))
            answer = fn(cloud, request)
        if fault and fault[0] == "lost_response":
            raise LostResponse(action_name)
        if isinstance(answer, Answer):
            return answer
        return Answer(200, answer)

    def _log(self, record, status, code):
        with self._log_lock:
            record["seq"] = len(self._calls) + 1
            record["status"] = status
            record["code"] = code
            record["write"] = bool(record["action"]) and is_write(record["action"])
            record["finished"] = round(time.monotonic() - self._started, 4)
            self._calls.append(record)
