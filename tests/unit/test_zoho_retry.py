"""The retry policy: what is retried for reads and for writes, how long it waits, and when it stops."""
from __future__ import annotations

import time

import pytest

from sync_engine.zoho.errors import (
    AuthError,
    OAuthError,
    RateLimited,
    ServerError,
    TransportError,
    WriteOutcomeUnknown,
    ZohoError,
)
from sync_engine.zoho.retry import RetryPolicy, is_retryable

DROPPED = TransportError("dropped", request_sent=True, api="records.list")
REFUSED = TransportError("refused", request_sent=False, api="records.insert")
SERVER = ServerError("boom", status=500, api="records.list")
LIMITED = RateLimited("slow down", status=429, api="records.insert")


@pytest.mark.parametrize("error, read, write", [
    (DROPPED, True, False), (REFUSED, True, True), (SERVER, True, False), (LIMITED, True, True),
    (WriteOutcomeUnknown(SERVER), False, False), (AuthError("x", status=401, code="INVALID_TOKEN"), False, False),
    (OAuthError("x", code="invalid_code"), False, False),
    (ZohoError("x", status=400, code="INVALID_DATA"), False, False),
    (TransportError("token endpoint down", request_sent=True, api="oauth.refresh"), True, True),
    (ServerError("token endpoint 502", status=502, api="oauth.refresh"), True, True),
    (ValueError("a bug"), False, False)])
def test_what_is_retried(error, read, write):
    assert is_retryable(error, write=False) is read
    assert is_retryable(error, write=True) is write


class Flaky:
    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def policy(sleeps: list[float], **kw) -> RetryPolicy:
    defaults = {"max_attempts": 5, "initial_wait_s": 1.0, "max_wait_s": 8.0, "jitter_s": 0.0,
                "rate_limited_wait_s": 10.0, "max_rate_limited_wait_s": 60.0, "sleep": sleeps.append}
    return RetryPolicy(**{**defaults, **kw})


def test_reads_back_off_exponentially_then_succeed():
    sleeps: list[float] = []
    work = Flaky(SERVER, DROPPED, SERVER)
    assert policy(sleeps).retrying(write=False)(work) == "ok"
    assert work.calls == 4 and sleeps == [1.0, 2.0, 4.0]


def test_429_waits_longer():
    sleeps: list[float] = []
    assert policy(sleeps).retrying(write=True)(Flaky(LIMITED, LIMITED)) == "ok"
    assert sleeps == [10.0, 20.0]


def test_attempts_are_bounded_and_the_last_error_is_raised():
    sleeps: list[float] = []
    work = Flaky(*[SERVER] * 10)
    with pytest.raises(ServerError):
        policy(sleeps, max_attempts=3).retrying(write=False)(work)
    assert work.calls == 3


def test_total_time_is_bounded():
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:  # really sleeps: the bound is on elapsed time
        sleeps.append(seconds)
        time.sleep(seconds)

    work = Flaky(*[LIMITED] * 10)
    with pytest.raises(RateLimited):
        policy(sleeps, max_attempts=10, max_total_s=0.25, rate_limited_wait_s=0.1, sleep=sleep
               ).retrying(write=False)(work)
    assert sleeps == [0.1]  # a second wait of 0.2 s would end past 0.25 s: give up instead


def test_a_write_that_may_have_landed_is_not_repeated():
    sleeps: list[float] = []
    work = Flaky(WriteOutcomeUnknown(DROPPED), "never reached")  # type: ignore[arg-type]
    with pytest.raises(WriteOutcomeUnknown):
        policy(sleeps).retrying(write=True)(work)
    assert work.calls == 1 and sleeps == []


def test_jitter_stays_within_its_bound():
    sleeps: list[float] = []
    policy(sleeps, jitter_s=0.5).retrying(write=False)(Flaky(SERVER, SERVER))
    assert 1.0 <= sleeps[0] <= 1.5 and 2.0 <= sleeps[1] <= 2.5


def test_never_means_one_attempt():
    work = Flaky(SERVER)
    with pytest.raises(ServerError):
        RetryPolicy.never().retrying(write=False)(work)
    assert work.calls == 1
