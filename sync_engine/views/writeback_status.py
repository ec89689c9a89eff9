"""How write-back is doing for one org, as the Write-back page and ``writeback status`` show it.

Read only: the outbox's counts, whether Zoho's rate limit has paused the org, credits against the
budget, freshness, the dead letters with their reasons in words, and the latest writes. The dead
letters are what an admin acts on (map a user, reopen a deal, fix a stage mapping, then retry), so
each says what it was (an Event, Task 2, the deal stage) and why it stopped, in words a CSM can act on.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sync_engine.runtime import Runtime
from sync_engine.store.credits.ledger import Unanswered
from sync_engine.store.writeback.outbox import Outbox
from sync_engine.store.writeback.views import dead_letter_rows, freshness_row, recent_write_rows
from sync_engine.writeback.plan import PRIORITY_BACKFILL
from sync_engine.writeback.push import budget_of, governor_of
from sync_engine.zoho import ZohoError

FRESHNESS_WINDOW = timedelta(days=1)
RECENT_WRITES = 20
# Codes the planner gives writes it could not make (writeback/plan.py); their messages are in words already.
OUR_BLOCKS = ("OWNER_NOT_MAPPED", "DEAL_NOT_MIRRORED", "STAGE_NOT_IN_PIPELINE", "DEAL_CLOSED")
ACTIVITY_NAMES = {"Calls": "Call", "Events": "Event", "Tasks": "Task", "Deals": "Deal"}




@dataclass(frozen=True)
class Freshness:
    """Conversation end -> activity in Zoho, over the activities written in the window."""

    activities: int
    p50_s: float | None
    p95_s: float | None


@dataclass(frozen=True)
class WritebackStatus:
    org_id: str
    now: datetime
    counts: dict[str, int]  # pending, in_flight, done, dead
    paused_until: datetime | None  # Zoho's rate limit (this process's governor)
    credits_used_24h: int
    credit_budget: int  # the org's budget share of its daily limit
    freshness: Freshness
    unanswered: Unanswered = Unanswered(0, 0)  # in credits_used_24h at their expected price (a crash)


@dataclass(frozen=True)
class DeadLetter:
    op_key: str
    conversation_id: str
    title: str | None
    user_email: str | None
    what: str  # "Call", "Event", "Task 2", "Deal stage"
    code: str
    reason: str  # in words
    attempts: int
    when: datetime  # when it died


@dataclass(frozen=True)
class RecentWrite:
    op_key: str
    conversation_id: str
    title: str | None
    what: str
    action: str
    zoho_id: str | None
    done_at: datetime
    freshness_s: float


def what_of(op_key: str, conversation_id: str, module: str) -> str:
    """What a write is, from its key (``{conversation}/activity``, ``…/task/2``, ``…/stage``)."""
    kind = op_key[len(conversation_id) + 1:] if op_key.startswith(conversation_id + "/") else op_key
    if kind.startswith("task/"):
        return f"Task {kind.removeprefix('task/')}"
    if kind == "stage":
        return "Deal stage"
    return ACTIVITY_NAMES.get(module, module)


def reason_in_words(code: str | None, message: str | None, details: Any) -> str:
    """Our own blocks explain themselves; a Zoho code the client has words for gets them, plus what Zoho
    said; any other code keeps Zoho's message (or the push's description of it) as it is."""
    message = (message or "").strip()
    words = None if code in OUR_BLOCKS else _client_words(code, details if isinstance(details, dict) else None)
    if words is None:
        return message or f"Zoho refused it ({code or 'no code'})."
    if not message or message == words:
        return words
    return f"{words} Zoho said: “{message}”."


def _client_words(code: str | None, details: dict[str, Any] | None) -> str | None:
    """The Zoho client's sentence for ``code``; None when it has none (its fallback repeats the message)."""
    first, second = (ZohoError(probe, code=code, details=details).describe() for probe in ("1", "2"))
    return first if first == second else None


def freshness(rt: Runtime, org_id: str, now: datetime, window: timedelta = FRESHNESS_WINDOW) -> Freshness:
    """p50/p95 of done_at − ended_at for activities done in the window. Tasks and stage updates are left
    out (they wait for a credit's worth on purpose), and so are backfills (old by design)."""
    row = freshness_row(rt.store, org_id, PRIORITY_BACKFILL, now - window, now)
    return Freshness(int(row[0]), None if row[1] is None else float(row[1]), None if row[2] is None else float(row[2]))


def writeback_status(rt: Runtime, org_id: str, now: datetime | None = None) -> WritebackStatus:
    now = now or datetime.now(UTC)
    counts = Outbox(rt.store).counts(org_id)
    used, budget = budget_of(rt, org_id, now)
    return WritebackStatus(org_id, now, counts, governor_of(rt).paused_until(org_id, now), used, budget,
                           freshness(rt, org_id, now),
                           rt.ledger.unanswered(org_id, now - timedelta(hours=24), now + timedelta(microseconds=1)))


def dead_letters(rt: Runtime, org_id: str) -> list[DeadLetter]:
    """Newest first, with the conversation's title and user (the cause is often the user's mapping)."""
    rows = dead_letter_rows(rt.store, org_id)
    return [DeadLetter(key, conv, title, user, what_of(key, conv, module), code or "ERROR",
                       reason_in_words(code, message, _json(details)), int(attempts), when)
            for key, conv, title, user, module, code, message, details, attempts, when in rows]


def recent_writes(rt: Runtime, org_id: str, limit: int = RECENT_WRITES) -> list[RecentWrite]:
    """The latest writes Zoho accepted, newest first, with the Zoho record id."""
    rows = recent_write_rows(rt.store, org_id, limit)
    return [RecentWrite(key, conv, title, what_of(key, conv, module), action, zoho_id, done_at, float(seconds))
            for key, conv, title, module, action, zoho_id, done_at, seconds in rows]


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value
