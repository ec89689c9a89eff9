"""The emulator's control API (``/__emulator/…``) as the benchmarks drive it: the clock, faults, usage.

A benchmark's world class inherits this and holds the running emulator in ``self.emulator``.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

import requests

from zoho_emulator import RunningEmulator


class DrivesEmulator:
    emulator: RunningEmulator

    def control(self, name: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        answer = requests.post(f"{self.emulator.url}/__emulator/{name}", json=body or {}, timeout=60)
        answer.raise_for_status()
        return answer.json()

    def clock(self, **body: Any) -> datetime:
        """Set, freeze or advance the emulator's clock (``set=``, ``freeze=``, ``advance_seconds=``); its time now."""
        return datetime.fromisoformat(self.control("clock", body)["now"])

    def charged(self) -> int:
        """Every credit the emulator has charged since it started."""
        return int(requests.get(f"{self.emulator.url}/__emulator/usage", timeout=60).json()["total_charged"])
