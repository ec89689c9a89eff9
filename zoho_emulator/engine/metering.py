"""Credit accounting on a rolling 24-hour window, the call log, and the concurrency gates.

Rules live here as plain objects so they are testable without HTTP (zoho-api.md §2).
"""
from __future__ import annotations

import bisect
import threading
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

WINDOW = timedelta(hours=24)


@dataclass
class CallRecord:
    time: datetime
    method: str
    path: str
    endpoint: str  # route name, e.g. "records.list"
    module: str | None
    status: int
    code: str | None
    credits: int
    client_id: str | None
    user_id: str | None
    latency_ms: float

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["time"] = self.time.isoformat()
        return out


class CreditWindow:
    """Credits charged at time t count against the allowance until t + 24 h."""

    def __init__(self) -> None:
        self._times: list[datetime] = []
        self._cumulative: list[int] = [0]
        self._lock = threading.Lock()

    def charge(self, when: datetime, credits: int) -> None:
        if credits <= 0:
            return
        with self._lock:
            if not self._times or when >= self._times[-1]:
                self._times.append(when)
                self._cumulative.append(self._cumulative[-1] + credits)
                return
            # the clock was set backwards: keep the list ordered
            at = bisect.bisect_right(self._times, when)
            self._times.insert(at, when)
            self._cumulative.insert(at + 1, self._cumulative[at])
            for i in range(at + 1, len(self._cumulative)):
                self._cumulative[i] += credits

    def used(self, now: datetime) -> int:
        with self._lock:
            hi = bisect.bisect_right(self._times, now)
            lo = bisect.bisect_right(self._times, now - WINDOW)
            return self._cumulative[hi] - self._cumulative[lo]

    def total(self) -> int:
        with self._lock:
            return self._cumulative[-1]

    def reset(self) -> None:
        with self._lock:
            self._times.clear()
            self._cumulative[:] = [0]


class CallLog:
    def __init__(self) -> None:
        self._records: list[CallRecord] = []
        self._lock = threading.Lock()

    def append(self, record: CallRecord) -> None:
        with self._lock:
            self._records.append(record)

    def since(self, index: int = 0) -> list[CallRecord]:
        with self._lock:
            return self._records[index:]

    def __len__(self) -> int:
        return len(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()


class Gate:
    """A non-blocking counter of in-flight calls: Zoho answers 429 instead of queueing."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._in_flight = 0
        self.peak = 0
        self._lock = threading.Lock()

    def try_enter(self) -> bool:
        with self._lock:
            if self._in_flight >= self.capacity:
                return False
            self._in_flight += 1
            self.peak = max(self.peak, self._in_flight)
            return True

    def leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    @property
    def in_flight(self) -> int:
        return self._in_flight


class ConcurrencyGates:
    """One pair of gates (all calls, complex calls) per client app, as Zoho counts per org+app."""

    def __init__(self, concurrency: int, sub_concurrency: int) -> None:
        self.concurrency = concurrency
        self.sub_concurrency = sub_concurrency
        self._gates: dict[str, tuple[Gate, Gate]] = {}
        self._lock = threading.Lock()

    def for_client(self, client_id: str) -> tuple[Gate, Gate]:
        with self._lock:
            if client_id not in self._gates:
                self._gates[client_id] = (Gate(self.concurrency), Gate(self.sub_concurrency))
            return self._gates[client_id]

    def resize(self, concurrency: int) -> None:
        with self._lock:
            self.concurrency = concurrency
            for gate, _ in self._gates.values():
                gate.capacity = concurrency

    def peaks(self) -> dict[str, dict[str, int]]:
        with self._lock:
            return {cid: {"concurrency": g.peak, "sub_concurrency": s.peak}
                    for cid, (g, s) in self._gates.items()}
