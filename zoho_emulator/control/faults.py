"""Fault injection settings, applied to Zoho's paths only (never to ``/__emulator/``).

``late_write_rate`` is the hazard an in-doubt write must survive: a share of record writes (insert,
update, upsert, delete) is *applied* ``late_write_ms`` after the client got its answer -- no answer
at all (``late_write_answer="drop"``, the connection closes) or a 500 (``"error"``) -- as a request
held up inside a busy service can be. A lookup made in that window finds nothing; a resend then
duplicates.
"""
from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Faults:
    error_rate: float = 0.0  # share of API calls answered 500 INTERNAL_ERROR
    drop_rate: float = 0.0  # share of API calls whose connection is closed before they are processed
    drop_after_rate: float = 0.0  # share processed (records written, credits spent), then closed unanswered
    latency_ms: int = 0  # added to every API call
    late_write_rate: float = 0.0  # share of record writes applied late_write_ms after the answer
    late_write_ms: int = 0
    late_write_answer: str = "drop"  # what the client gets meanwhile: "drop" (no answer) or "error" (500)
    seed: int | None = None
    _rng: random.Random = field(default_factory=random.Random, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def update(self, settings: dict[str, Any]) -> None:
        for key in ("error_rate", "drop_rate", "drop_after_rate", "late_write_rate"):
            if key in settings:
                value = float(settings[key])
                if not 0.0 <= value <= 1.0:
                    raise ValueError(f"{key} must be between 0 and 1")
                setattr(self, key, value)
        for key in ("latency_ms", "late_write_ms"):
            if key in settings:
                value = int(settings[key])
                if value < 0:
                    raise ValueError(f"{key} must be >= 0")
                setattr(self, key, value)
        if "late_write_answer" in settings:
            if settings["late_write_answer"] not in ("drop", "error"):
                raise ValueError("late_write_answer must be 'drop' or 'error'")
            self.late_write_answer = settings["late_write_answer"]
        if "seed" in settings:
            self.seed = settings["seed"]
            self._rng.seed(self.seed)

    def reset(self) -> None:
        self.error_rate = self.drop_rate = self.drop_after_rate = self.late_write_rate = 0.0
        self.latency_ms = self.late_write_ms = 0
        self.late_write_answer = "drop"

    def roll(self) -> str | None:
        """Decide this call's fault: "drop", "error", "drop_after" or None."""
        with self._lock:
            draw = self._rng.random()
        if draw < self.drop_rate:
            return "drop"
        if draw < self.drop_rate + self.error_rate:
            return "error"
        if draw < self.drop_rate + self.error_rate + self.drop_after_rate:
            return "drop_after"
        return None

    def roll_late_write(self) -> bool:
        """Is this record write to be applied late (drawn separately, only for writes)?"""
        if not self.late_write_rate:
            return False
        with self._lock:
            return self._rng.random() < self.late_write_rate

    def to_json(self) -> dict[str, Any]:
        return {"error_rate": self.error_rate, "drop_rate": self.drop_rate, "drop_after_rate": self.drop_after_rate,
                "latency_ms": self.latency_ms, "late_write_rate": self.late_write_rate,
                "late_write_ms": self.late_write_ms, "late_write_answer": self.late_write_answer, "seed": self.seed}
