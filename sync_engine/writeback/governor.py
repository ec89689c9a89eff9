"""The credit governor: the share of Zoho's daily allowance this integration may spend, by priority.

The allowance itself (by edition and licences) is Zoho's published rule, in ``zoho.editions``.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_BUDGET_SHARE = 0.20  # leave 80% to the customer's own integrations

WRITEBACK, MIRROR, BACKFILL = 0, 1, 2  # spending priorities, most urgent first
PRIORITY_NAMES = {WRITEBACK: "write-back", MIRROR: "incremental mirror", BACKFILL: "backfill"}
# How much of the org's budget each priority may bring the rolling 24 h use up to: a backfill stops at
# 70% so that mirror polls still run, and the mirror at 90% so that recent conversations still go out.
PRIORITY_CEILINGS = {WRITEBACK: 1.0, MIRROR: 0.9, BACKFILL: 0.7}
FIRST_PAUSE_S = 60.0
MAX_PAUSE_S = 1800.0


@dataclass(frozen=True)
class SpendDecision:
    allowed: bool
    reason: str  # why not, in words for the Jobs page; "" when allowed


class CreditGovernor:
    """Decides whether a job may spend credits for an org now, and holds the org's pause after a 429.

    Zoho gives no reset time with TOO_MANY_REQUESTS (credits return as the rolling 24 h window moves,
    concurrency slots as calls finish), so a refused org pauses 1 min, then 2, 4 ... up to 30 min
    between attempts, and the first accepted call ends the pause. Nothing is dropped meanwhile: the
    outbox keeps what waits. The used credits come from our own ledger, which records every call.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._paused: dict[str, tuple[datetime, float]] = {}  # org -> (until, current backoff)

    def may_spend(self, org_id: str, priority: int, credits: int, used_24h: int, budget: int,
                  now: datetime) -> SpendDecision:
        until = self.paused_until(org_id, now)
        if until is not None:
            return SpendDecision(False, f"paused by Zoho's rate limit until {until:%H:%M:%S} UTC")
        ceiling = int(budget * PRIORITY_CEILINGS[priority])
        if used_24h + credits > ceiling:
            return SpendDecision(False, f"{PRIORITY_NAMES[priority]} may use up to {ceiling:,} credits in 24 h "
                                        f"({PRIORITY_CEILINGS[priority]:.0%} of the budget {budget:,}); "
                                        f"{used_24h:,} used")
        return SpendDecision(True, "")

    def pause(self, org_id: str, now: datetime) -> datetime:
        with self._lock:
            _, backoff = self._paused.get(org_id, (now, FIRST_PAUSE_S / 2))
            backoff = min(MAX_PAUSE_S, backoff * 2)
            until = now + timedelta(seconds=backoff)
            self._paused[org_id] = (until, backoff)
            return until

    def resume(self, org_id: str) -> None:
        with self._lock:
            self._paused.pop(org_id, None)

    def paused_until(self, org_id: str, now: datetime) -> datetime | None:
        with self._lock:
            entry = self._paused.get(org_id)
        return entry[0] if entry and entry[0] > now else None
