"""A settable clock, so rolling 24-hour windows and simulated days need no waiting."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class Clock:
    """Real time plus an offset; ``set``/``advance`` move it, ``freeze`` stops it."""

    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._frozen: datetime | None = None
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            if self._frozen is not None:
                return self._frozen
            return datetime.now(UTC).replace(microsecond=0) + self._offset

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("the clock needs an aware datetime")
        with self._lock:
            if self._frozen is not None:
                self._frozen = when.astimezone(UTC)
            else:
                self._offset = when - datetime.now(UTC)

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            if self._frozen is not None:
                self._frozen += timedelta(seconds=seconds)
            else:
                self._offset += timedelta(seconds=seconds)
        return self.now()

    def freeze(self, frozen: bool = True) -> None:
        with self._lock:
            current = datetime.now(UTC).replace(microsecond=0) + self._offset
            if frozen and self._frozen is None:
                self._frozen = current
            elif not frozen and self._frozen is not None:
                self._offset = self._frozen - datetime.now(UTC)
                self._frozen = None

    @property
    def frozen(self) -> bool:
        return self._frozen is not None
