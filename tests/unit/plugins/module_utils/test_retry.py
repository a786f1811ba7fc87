"""RetryPolicy on a fake clock; errors are the SDK's own exception classes."""

import random

import pytest
from alibabacloud_tea_openapi.exceptions import ClientException, ServerException, ThrottlingException
from darabonba.exceptions import RetryError, UnretryableException
from darabonba.policy.retry import RetryPolicyContext

from ansible_collections.alicloud.acr_access.plugins.module_utils.cen import TRANSIT_ROUTER_BUSY
from ansible_collections.alicloud.acr_access.plugins.module_utils.errors import AlicloudApiError
from ansible_collections.alicloud.acr_access.plugins.module_utils.retry import BASE_RETRYABLE_CODES, RetryPolicy, is_retryable
from ansible_collections.alicloud.acr_access.plugins.module_utils.vpc_routes import ROUTE_ENTRY_BUSY


class FakeClock:
    """time.monotonic and time.sleep that only move when the code sleeps."""

    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def client_error(code, status=400):
    return ClientException(status_code=status, code=code, message="code: %d, boom request id: R1" % status, request_id="R1",
                           data={"Code": code, "Message": "boom", "RequestId": "R1"})


def transport_error():
    """What the SDK raises when the connection is refused: UnretryableException around RetryError."""
    return UnretryableException(RetryPolicyContext(retries_attempted=1, exception=RetryError("Connection refused")))


@pytest.mark.parametrize("exc, extra, expected", [
    (client_error("Throttling"), (), True),
    (client_error("Throttling.User"), (), True),
    (client_error("Throttling.Api"), (), True),
    (client_error("Rejected.Throttling"), (), True),
    (client_error("ServiceUnavailable", 503), (), True),
    (client_error("SystemBusy"), (), True),
    (client_error("UnknownError"), (), True),
    (client_error("InternalError", 500), (), True),
    (ServerException(status_code=502, code="BadGateway", message="x"), (), True),
    (ThrottlingException(status_code=400, code="Flow.Limited", message="x", retry_after=20), (), True),
    (client_error("InvalidVpcId.NotFound", 404), (), False),
    (client_error("Forbidden.RAM", 403), (), False),
    (client_error("SignatureDoesNotMatch"), (), False),
    (client_error("TaskConflict"), (), False),
    (client_error("TaskConflict"), ROUTE_ENTRY_BUSY, True),
    (client_error("OperationFailed.DistibuteLock"), ROUTE_ENTRY_BUSY, True),
    (client_error("Operation.Blocking"), ROUTE_ENTRY_BUSY, False),
    (client_error("Operation.Blocking"), TRANSIT_ROUTER_BUSY, True),
    (AlicloudApiError("busy", code="SYSTEM_BUSY"), ("SYSTEM_BUSY",), True),
    (AlicloudApiError("no such instance", code="INSTANCE_NOT_EXIST"), (), False),
    (ConnectionRefusedError("refused"), (), True),
    (TimeoutError("read timed out"), (), True),
    (transport_error(), (), True),
    (ValueError("a bug"), (), False),
])
def test_is_retryable(exc, extra, expected):
    assert is_retryable(exc, extra) is expected


def test_busy_codes_live_in_their_product_homes_not_in_the_base():
    """retry.py retries only the generic codes; a product's busy codes are passed by the calls that need them."""
    assert not (set(ROUTE_ENTRY_BUSY) | set(TRANSIT_ROUTER_BUSY)) & BASE_RETRYABLE_CODES


def failing(errors, result="done"):
    """A callable that raises each of ``errors`` in turn, then returns ``result``."""
    remaining = list(errors)
    calls = []

    def call():
        calls.append(1)
        if remaining:
            raise remaining.pop(0)
        return result

    call.calls = calls
    return call


def test_success_after_retryable_errors():
    clock = FakeClock()
    policy = RetryPolicy(deadline=60, sleep=clock.sleep, clock=clock.clock)
    func = failing([client_error("Throttling.User"), client_error("ServiceUnavailable", 503)])
    assert policy.run(func) == "done"
    assert policy.attempts == 3
    assert len(clock.sleeps) == 2


def test_non_retryable_error_raised_at_once():
    clock = FakeClock()
    policy = RetryPolicy(deadline=60, sleep=clock.sleep, clock=clock.clock)
    error = client_error("InvalidVpcId.NotFound", 404)
    with pytest.raises(ClientException) as raised:
        policy.run(failing([error]))
    assert raised.value is error
    assert policy.attempts == 1
    assert clock.sleeps == []


def test_extra_codes_only_where_given():
    clock = FakeClock()
    plain = RetryPolicy(deadline=60, sleep=clock.sleep, clock=clock.clock)
    with pytest.raises(ClientException):
        plain.run(failing([client_error("TaskConflict")]))
    busy_aware = RetryPolicy(deadline=60, extra_codes=ROUTE_ENTRY_BUSY, sleep=clock.sleep, clock=clock.clock)
    assert busy_aware.run(failing([client_error("TaskConflict")] * 3)) == "done"
    assert busy_aware.attempts == 4


@pytest.mark.parametrize("deadline", [0, 1, 10, 45.5, 120])
def test_deadline_stops_before_it_passes(deadline):
    """Every attempt starts before the deadline, and the loop gives up rather than sleep past it."""
    clock = FakeClock()
    starts = []

    def always_throttled():
        starts.append(clock.now)
        raise client_error("Throttling.User")

    policy = RetryPolicy(deadline=deadline, sleep=clock.sleep, clock=clock.clock, uniform=random.Random(deadline).uniform)
    with pytest.raises(ClientException):
        policy.run(always_throttled)
    assert all(start <= deadline for start in starts)
    assert clock.now <= deadline
    assert policy.attempts == len(starts)
    if deadline == 0:
        assert starts == [0.0]
    if deadline >= 10:
        assert policy.attempts >= 4


def test_jitter_bounds_follow_the_exponential_caps():
    rng = random.Random(7)
    policy = RetryPolicy(base_delay=1.0, max_delay=20.0, uniform=rng.uniform)
    for attempt in range(1, 12):
        cap = min(20.0, 2.0 ** (attempt - 1))
        delays = [policy.backoff(attempt) for draw in range(50)]
        assert all(cap / 2 <= delay <= cap for delay in delays)
        assert len(set(delays)) > 1  # really jittered


@pytest.mark.parametrize("pick, expected", [
    (lambda low, high: low, [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0]),
    (lambda low, high: high, [1.0, 2.0, 4.0, 8.0, 16.0, 20.0, 20.0]),
])
def test_backoff_extremes(pick, expected):
    policy = RetryPolicy(base_delay=1.0, max_delay=20.0, uniform=pick)
    assert [policy.backoff(attempt) for attempt in range(1, 8)] == expected


def test_throttling_retry_after_is_honoured():
    clock = FakeClock()
    policy = RetryPolicy(deadline=60, sleep=clock.sleep, clock=clock.clock, uniform=lambda low, high: low)
    throttled = ThrottlingException(status_code=400, code="Throttling.User", message="slow down", retry_after=7000)
    assert policy.run(failing([throttled])) == "done"
    assert clock.sleeps == [7.0]


def test_retry_after_beyond_deadline_gives_up():
    clock = FakeClock()
    policy = RetryPolicy(deadline=5, sleep=clock.sleep, clock=clock.clock)
    throttled = ThrottlingException(status_code=400, code="Throttling.User", message="slow down", retry_after=30000)
    with pytest.raises(ThrottlingException):
        policy.run(failing([throttled]))
    assert clock.sleeps == []


def test_transport_errors_get_a_few_attempts_only():
    clock = FakeClock()
    policy = RetryPolicy(deadline=600, sleep=clock.sleep, clock=clock.clock)
    with pytest.raises(UnretryableException):
        policy.run(failing([transport_error()] * 10))
    assert policy.attempts == 3
    recovered = RetryPolicy(deadline=600, sleep=clock.sleep, clock=clock.clock)
    assert recovered.run(failing([ConnectionResetError("reset")] * 2)) == "done"
