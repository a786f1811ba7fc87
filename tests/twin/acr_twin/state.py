"""The twin's cloud: every resource of every product, a scaled clock and idempotency.

Resources are plain dicts keyed by id, stored with the API's own field names
(PascalCase) so that handlers answer with copies; fields only the twin needs
start with an underscore and are stripped from answers by ``public``.
"""

import copy
import heapq
import itertools
import threading
import time

from acr_twin.errors import ApiError

# The id prefixes the cloud uses per region (the part after the type prefix).
REGION_ID_PREFIX = {
    "cn-hangzhou": "bp1",
    "cn-shanghai": "uf6",
    "cn-beijing": "2ze",
    "cn-qingdao": "m5e",
    "cn-shenzhen": "wz9",
}

# How long the cloud remembers a ClientToken: not published for VPC, CBN or CR (unverified); one hour here, long enough that a
# teardown followed by a converge meets a token that still answers a deleted resource's id.
TOKEN_TTL = 3600.0

COLLECTIONS = (
    # VPC 2016-04-28 (and the ECS instances route entries point at)
    "vpcs", "vswitches", "route_tables", "route_entries", "instances", "vpn_gateways", "vpn_route_entries",
    "customer_gateways", "vpn_connections", "virtual_border_routers",
    # CBN 2017-09-12
    "cens", "transit_routers", "tr_route_tables", "tr_attachments", "tr_associations", "tr_propagations",
    "tr_route_entries", "published_routes",
    # CR 2018-12-01
    "cr_instances", "cr_endpoints", "cr_linked_vpcs", "cr_tokens", "cr_sync_rules", "cr_storage_rules",
    # STS 2015-04-01
    "sts_credentials",
)


def public(resource):
    """A deep copy without the twin's private (underscore) fields."""
    if isinstance(resource, dict):
        return dict((k, public(v)) for k, v in resource.items() if not k.startswith("_"))
    if isinstance(resource, list):
        return [public(v) for v in resource]
    return copy.deepcopy(resource)


class Cloud:
    """All state, one lock, and a clock whose delays a time scale multiplies."""

    def __init__(self, time_scale=1.0, clock=time.monotonic):
        self.lock = threading.RLock()
        self.time_scale = float(time_scale)
        self.clock = clock
        self._ids = itertools.count(1)
        self._tasks = []
        self._task_seq = itertools.count()
        self._tokens = {}
        self.token_ttl = TOKEN_TTL
        for name in COLLECTIONS:
            setattr(self, name, {})
        self.regions = set()
        # Product modules may keep extra bookkeeping here, keyed by their own names.
        self.extra = {}

    # -- time -------------------------------------------------------------
    def later(self, delay_seconds, fn):
        """Run ``fn()`` once ``delay_seconds`` (scaled) have passed; at the next request when the scale is 0."""
        due = self.clock() + max(0.0, delay_seconds) * self.time_scale
        heapq.heappush(self._tasks, (due, next(self._task_seq), fn))

    def run_due(self):
        """Apply every transition whose time has come, in order; called before each request."""
        now = self.clock()
        while self._tasks and self._tasks[0][0] <= now:
            _due, _seq, fn = heapq.heappop(self._tasks)
            fn()

    def pending_tasks(self):
        return len(self._tasks)

    def settle(self):
        """Run every scheduled transition now, however far ahead (tests, admin)."""
        while self._tasks:
            _due, _seq, fn = heapq.heappop(self._tasks)
            fn()

    def now_iso(self):
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())

    # -- ids and idempotency ------------------------------------------------
    def new_id(self, prefix, region=None, length=17):
        serial = next(self._ids)
        infix = REGION_ID_PREFIX.get(region, "xx0") if region else ""
        return "%s-%stwn%s" % (prefix, infix, format(serial, "x").rjust(length - 3, "0"))

    def idempotent(self, params, create):
        """Answer a repeated ClientToken of the same action with the first answer, as the cloud does.

        The VPC and ECS idempotence guides (help.aliyun.com knowledge_detail/36569, doc-detail/25693): a token sent again
        with the same parameters gets the first result and changes nothing; with other parameters the answer is
        IdempotentParameterMismatch. The CBN and CR references say only "ClientToken ensures the idempotence of the
        request": taken to behave alike (unverified). A token is remembered ``token_ttl`` seconds (unscaled, on the
        twin's clock): the cloud's tokens expire, but no public source gives how long (unverified, TOKEN_TTL). Within
        that time a token still answers the id of a resource deleted since, which is the worst a client must handle.
        """
        token = params.client_token()
        if not token:
            return create()
        key = (params.product, params.action, token)
        sent = dict((name, value) for name, value in params.raw.items() if name != "ClientToken")
        known = self._tokens.get(key)
        if known is not None and self.clock() - known["at"] > self.token_ttl:
            del self._tokens[key]
            known = None
        if known is not None:
            if known["params"] != sent:
                raise ApiError("IdempotentParameterMismatch", "The request uses the same client token as a previous, but "
                               "non-identical request. Use another ClientToken.")
            return copy.deepcopy(known["answer"])
        answer = create()
        self._tokens[key] = {"answer": copy.deepcopy(answer), "params": sent, "at": self.clock()}
        return answer

    # -- lookups --------------------------------------------------------------
    def get(self, collection, ident, code, what, status=404):
        """The resource, or the cloud's NotFound error for it."""
        found = getattr(self, collection).get(ident) if ident else None
        if found is None:
            raise ApiError(code, "The specified %s (%s) does not exist." % (what, ident), status=status)
        return found

    def dump(self):
        with self.lock:
            state = dict((name, public(getattr(self, name))) for name in COLLECTIONS)
            state["regions"] = sorted(self.regions)
            state["pending_tasks"] = len(self._tasks)
            return state


def page_by_number(items, params, default_size=10, max_size=50, size_name="PageSize", number_name="PageNumber"):
    """Classic PageNumber/PageSize paging: (items of the page, meta fields)."""
    size = params.int(size_name, default=default_size, minimum=1, maximum=max_size)
    number = params.int(number_name, default=1, minimum=1)
    start = (number - 1) * size
    return items[start:start + size], {"PageNumber": number, "PageSize": size, "TotalCount": len(items)}


def page_by_token(items, params, default_size=20, max_size=100, size_name="MaxResults", token_name="NextToken"):
    """NextToken paging: (items of the page, the next token or '' at the end)."""
    size = params.int(size_name, default=default_size, minimum=1, maximum=max_size)
    token = params.str(token_name)
    start = 0
    if token:
        if not token.startswith("twin-page-") or not token[len("twin-page-"):].isdigit():
            raise ApiError("InvalidNextToken", "The specified NextToken (%s) is invalid." % token)
        start = int(token[len("twin-page-"):])
    page = items[start:start + size]
    next_token = "twin-page-%d" % (start + size) if start + size < len(items) else ""
    return page, next_token
