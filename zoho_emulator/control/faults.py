"""Fault injection settings, applied to Zoho's paths only (never to ``/__emulator/``)."""
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
    seed: int | None = None
    _rng: random.Random = field(default_factory=random.Random, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def update(self, settings: dict[str, Any]) -> None:
        for key in ("error_rate", "drop_rate", "drop_after_rate"):
            if key in settings:
                value = float(settings[key])
                if not 0.0 <= value <= 1.0:
                    raise ValueError(f"{key} must be between 0 and 1")
                setattr(self, key, value)
        if "latency_ms" in settings:
            value = int(settings["latency_ms"])
            if value < 0:
                raise ValueError("latency_ms must be >= 0")
            self.latency_ms = value
        if "seed" in settings:
            self.seed = settings["seed"]
            self._rng.seed(self.seed)

    def reset(self) -> None:
        self.error_rate = self.drop_rate = self.drop_after_rate = 0.0
        self.latency_ms = 0

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

    def to_json(self) -> dict[str, Any]:
        return {"error_rate": self.error_rate, "drop_rate": self.drop_rate, "drop_after_rate": self.drop_after_rate,
                "latency_ms": self.latency_ms, "seed": self.seed}
