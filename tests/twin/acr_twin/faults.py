"""Faults on demand: random ones from a seeded spec, and forced ones queued by tests."""

import random

from acr_twin.errors import ApiError
from acr_twin.registry import is_write

KINDS = ("throttle", "server_error", "busy", "lost_response")

# The codes each product answers while it cannot take a change, "try again" (all retryable). A forced busy fault without
# a code answers the first; a random one any of them. VPC: its general busy codes (the API reference's retry advice,
# terraform-provider-alicloud's lists); CBN: Operation.Blocking, the transit router's "an earlier change is still being
# applied"; CR and STS: SystemBusy.
BUSY_CODES = {"vpc": ("OperationConflict", "TaskConflict", "LastTokenProcessing", "OperationFailed.DistibuteLock"),
              "cbn": ("Operation.Blocking",), "cr": ("SystemBusy",), "sts": ("SystemBusy",),
              "privatelink": ("ConcurrentCallNotSupported", "EndpointLocked")}


class LostResponse(Exception):
    """The change took effect but its answer never reaches the client."""


def parse_spec(spec):
    """``"seed=7,throttle=0.05,server_error=0.02,busy=0.05,lost_response=0.01"`` -> (seed, {kind: probability})."""
    seed, rates = 0, {}
    for part in filter(None, (spec or "").split(",")):
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep:
            raise ValueError("faults: %r is not KEY=VALUE" % part)
        if key == "seed":
            seed = int(value)
        elif key in KINDS:
            rate = float(value)
            if not 0.0 <= rate <= 1.0:
                raise ValueError("faults: %s must be a probability between 0 and 1" % key)
            rates[key] = rate
        else:
            raise ValueError("faults: unknown kind %r (known: seed, %s)" % (key, ", ".join(KINDS)))
    return seed, rates


def fault_error(kind, product, code=None):
    """The error the cloud answers for an injected fault of ``kind``."""
    if kind == "throttle":
        return ApiError(code or "Throttling.User", "Request was denied due to user flow control.", status=400,
                        headers={"x-acs-retry-after": "20"})
    if kind == "server_error":
        return ApiError(code or "ServiceUnavailable", "The request has failed due to a temporary failure of the server.", status=503)
    if kind == "busy":
        return ApiError(code or BUSY_CODES.get(product, ("SystemBusy",))[0], "The system is busy with another operation, try again later.")
    raise ValueError("unknown fault kind %r" % kind)


class Faults:
    def __init__(self, spec=None):
        seed, self.rates = parse_spec(spec)
        self.random = random.Random(seed)
        self.forced = []

    def force(self, items):
        """Queue faults: each ``{action ('*' = any), kind, count (1), code (optional)}``."""
        for item in items:
            kind = item.get("kind")
            if kind not in KINDS:
                raise ValueError("fault kind must be one of %s, not %r" % (", ".join(KINDS), kind))
            self.forced.append({"action": item.get("action", "*"), "kind": kind, "count": int(item.get("count", 1)),
                                "code": item.get("code")})

    def pick(self, action, product=None):
        """The fault to apply to this call, or None (forced faults first, then the random ones): (kind, code or None)."""
        for item in self.forced:
            applies = item["action"] in ("*", action) and (item["kind"] != "lost_response" or is_write(action))
            if applies and item["count"] > 0:
                item["count"] -= 1
                self.forced = [queued for queued in self.forced if queued["count"] > 0]
                return item["kind"], item["code"]
        for kind in KINDS:
            rate = self.rates.get(kind, 0.0)
            if rate and self.random.random() < rate:
                if kind == "lost_response" and not is_write(action):
                    continue
                if kind == "busy" and product in BUSY_CODES:
                    return kind, self.random.choice(BUSY_CODES[product])
                return kind, None
        return None
