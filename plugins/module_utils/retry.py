# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.acr_access collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Retries for Alibaba Cloud API calls: jittered exponential backoff up to a deadline.

The SDK's own retry (``Config.retry_options``) stays off: this is the only
retry layer, so a call is never retried by two loops at once.

Codes retried everywhere are in ``BASE_RETRYABLE_CODES``; codes that only mean
"busy, try again" for some APIs are passed at the call site (``extra_codes``),
from the busy-code tuples of each product's home (vpc_routes.py, cen.py...).
"""

from __future__ import annotations

import random
import time
import typing as t

from .errors import error_code, http_status

BASE_RETRYABLE_CODES = frozenset((
    "ServiceUnavailable",
    "SystemBusy",
    "UnknownError",
    "InternalError",
    "Rejected.Throttling",
))
THROTTLING_PREFIX = "Throttling"  # Throttling, Throttling.User, Throttling.Api...

DEFAULT_DEADLINE = 120.0  # seconds for one API call, retries included
DEFAULT_BASE_DELAY = 1.0
DEFAULT_MAX_DELAY = 20.0
# A wrong endpoint or a dead network should fail in seconds, not at the deadline.
DEFAULT_TRANSPORT_ATTEMPTS = 3


def is_transport_error(exc: BaseException) -> bool:
    """Connection refused/reset, timeouts: the request may not have reached the cloud."""
    if isinstance(exc, OSError):  # ConnectionError, TimeoutError, socket errors, requests' exceptions
        return True
    # The Tea SDK turns an IOError into RetryError and wraps that in UnretryableException.
    if type(exc).__name__ == "RetryError":
        return True
    inner = getattr(exc, "inner_exception", None)
    return inner is not None and inner is not exc and is_transport_error(inner)


def retry_after_seconds(exc: BaseException) -> float | None:
    """The server's x-acs-retry-after (milliseconds in the SDK's ThrottlingException), in seconds."""
    value = getattr(exc, "retry_after", None)
    if isinstance(value, (int, float)) and value > 0:
        return value / 1000.0
    return None


def is_retryable(exc: BaseException, extra_codes: t.Iterable[str] = ()) -> bool:
    """Whether ``exc`` is worth another attempt (base codes, extra codes, 5xx, throttling, transport)."""
    code = error_code(exc)
    if code is not None and (code.startswith(THROTTLING_PREFIX) or code in BASE_RETRYABLE_CODES or code in extra_codes):
        return True
    if retry_after_seconds(exc) is not None:
        return True
    status = http_status(exc)
    if status is not None and status >= 500:
        return True
    return code is None and is_transport_error(exc)


class RetryPolicy:
    """Run a callable until it succeeds, fails for good, or the deadline would pass.

    Transport errors (no answer at all) get at most ``transport_attempts`` attempts.

    ``sleep``, ``clock`` and ``uniform`` exist so that tests can run the loop
    on a fake clock; production code leaves them alone.
    """

    def __init__(self, deadline: float = DEFAULT_DEADLINE, extra_codes: t.Iterable[str] = (),
                 base_delay: float = DEFAULT_BASE_DELAY, max_delay: float = DEFAULT_MAX_DELAY,
                 transport_attempts: int = DEFAULT_TRANSPORT_ATTEMPTS,
                 sleep: t.Callable[[float], None] = time.sleep,
                 clock: t.Callable[[], float] = time.monotonic,
                 uniform: t.Callable[[float, float], float] = random.uniform):
        self.deadline = max(0.0, float(deadline))
        self.extra_codes = frozenset(extra_codes)
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.transport_attempts = transport_attempts
        self._sleep = sleep
        self._clock = clock
        self._uniform = uniform
        self.attempts = 0

    def backoff(self, attempt: int) -> float:
        """Delay after failed attempt number ``attempt`` (1-based): "equal jitter" in [cap/2, cap].

        Half the exponential step is kept so that a storm of retries still spreads out
        and never hammers the API with zero delays.
        """
        cap = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return self._uniform(cap / 2.0, cap)

    def delay_for(self, exc: BaseException, attempt: int) -> float:
        delay = self.backoff(attempt)
        server_wait = retry_after_seconds(exc)
        return max(delay, server_wait) if server_wait is not None else delay

    def run(self, func: t.Callable[[], t.Any]) -> t.Any:
        """Call ``func()`` with retries; the last exception propagates unchanged."""
        give_up_at = self._clock() + self.deadline
        self.attempts = 0
        transport_failures = 0
        while True:
            self.attempts += 1
            try:
                return func()
            except Exception as exc:  # pylint: disable=broad-except
                if not is_retryable(exc, self.extra_codes):
                    raise
                if error_code(exc) is None and is_transport_error(exc):
                    transport_failures += 1
                    if transport_failures >= self.transport_attempts:
                        raise
                delay = self.delay_for(exc, self.attempts)
                # Stop before the deadline rather than sending a request after it:
                # a late write would leave changes nobody tracks.
                if self._clock() + delay > give_up_at:
                    raise
                self._sleep(delay)
