"""When a failed call is tried again, and how long to wait: one policy, built on tenacity.

Reads are safe to repeat, so they are retried on 5xx, on no answer (timeouts, dropped or refused
connections) and on 429. Writes are retried only when Zoho surely did not process them: a 429 (Zoho
answers it before doing any work), a connection that could not even be opened, or a failure while
getting the access token (the write was never sent). A 5xx or a dropped connection after a write was
sent surfaces as :class:`WriteOutcomeUnknown` and is never repeated here.

Waits grow exponentially with jitter; a 429 starts from a longer wait because concurrency slots and
credits free up on Zoho's schedule, not ours. Attempts and total time are both bounded.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import tenacity
from tenacity.wait import wait_base

from sync_engine.zoho.errors import RateLimited, ServerError, TransportError, WriteOutcomeUnknown


def is_retryable(error: BaseException, *, write: bool) -> bool:
    """Is repeating the call that raised ``error`` both useful and safe?"""
    if isinstance(error, WriteOutcomeUnknown):
        return False
    if isinstance(error, RateLimited):
        return True
    if isinstance(error, TransportError | ServerError):
        if not write:
            return True
        never_sent = isinstance(error, TransportError) and not error.request_sent
        return never_sent or (error.api or "").startswith("oauth.")
    return False


class _Backoff(wait_base):
    """Exponential backoff with jitter; 429s start from ``rate_limited`` instead of ``normal``."""

    def __init__(self, normal: wait_base, rate_limited: wait_base) -> None:
        self.normal = normal
        self.rate_limited = rate_limited

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None else None
        chosen = self.rate_limited if isinstance(error, RateLimited) else self.normal
        return chosen(retry_state)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    max_total_s: float = 60.0  # no retry is started that would sleep past this
    initial_wait_s: float = 0.5
    max_wait_s: float = 8.0
    jitter_s: float = 0.5
    rate_limited_wait_s: float = 5.0  # first wait after a 429
    max_rate_limited_wait_s: float = 30.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False, repr=False)

    @classmethod
    def never(cls) -> RetryPolicy:
        """One attempt only."""
        return cls(max_attempts=1)

    def wait(self) -> wait_base:
        normal = tenacity.wait_exponential_jitter(multiplier=self.initial_wait_s, max=self.max_wait_s,
                                                  jitter=self.jitter_s)
        limited = tenacity.wait_exponential_jitter(multiplier=self.rate_limited_wait_s,
                                                   max=self.max_rate_limited_wait_s, jitter=self.jitter_s)
        return _Backoff(normal, limited)

    def retrying(self, *, write: bool) -> tenacity.Retrying:
        return tenacity.Retrying(
            stop=tenacity.stop_any(tenacity.stop_after_attempt(self.max_attempts),
                                   tenacity.stop_before_delay(self.max_total_s)),
            wait=self.wait(),
            retry=tenacity.retry_if_exception(lambda err: is_retryable(err, write=write)),
            sleep=self.sleep,
            reraise=True,
        )
