"""How many calls one client keeps in flight, so Zoho's concurrency limits are met by waiting, not 429s.

Zoho counts simultaneous calls per org and client app (5/10/15/20/25 by edition) and keeps a second
pool of 10 for "complex" calls on every edition (zoho-api.md §2). Zoho answers 429 instead of
queueing; we queue. Limits start low — the edition is unknown until the org has been read — and are
raised with :meth:`ConcurrencyLimit.resize`.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

EDITION_CONCURRENCY = {"free": 5, "standard": 10, "professional": 15, "enterprise": 20, "ultimate": 25}
SUB_CONCURRENCY = 10
DEFAULT_CONCURRENCY = 4  # under the Free edition's 5, so safe before the edition is known
DEFAULT_COMPLEX_CONCURRENCY = 8  # under the sub-concurrency pool of 10


def safe_concurrency(edition: str | None) -> int:
    """A cap comfortably under the edition's limit, leaving room for other clients of the same app."""
    limit = EDITION_CONCURRENCY.get((edition or "").strip().lower())
    if limit is None:
        return DEFAULT_CONCURRENCY
    return max(1, (limit * 4) // 5)


class ConcurrencyLimit:
    """A counting semaphore whose capacity can change while calls are in flight."""

    def __init__(self, capacity: int) -> None:
        self._check(capacity)
        self._capacity = capacity
        self._in_flight = 0
        self._changed = threading.Condition()

    @staticmethod
    def _check(capacity: int) -> None:
        if capacity < 1:
            raise ValueError("concurrency must be at least 1")

    @property
    def capacity(self) -> int:
        return self._capacity

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def resize(self, capacity: int) -> None:
        """New calls obey the new capacity; calls already in flight finish normally."""
        self._check(capacity)
        with self._changed:
            self._capacity = capacity
            self._changed.notify_all()

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._changed:
            self._changed.wait_for(lambda: self._in_flight < self._capacity)
            self._in_flight += 1
        try:
            yield
        finally:
            with self._changed:
                self._in_flight -= 1
                self._changed.notify()
