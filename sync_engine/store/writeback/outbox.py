"""The write-back outbox: every Zoho write we owe, its state, and what Zoho answered.

A row is one planned write, keyed by ``op_key`` (``{conversation_id}/activity``, ``…/task/2``,
``…/stage``), so planning the same conversation twice adds nothing. States:

* ``pending``   -- to send; ``priority`` orders it (0 recent activities, 1 tasks and stages, 2 backfill);
* ``in_flight`` -- sent in batch ``batch_id`` at ``sent_at`` and not yet settled: after a crash or a lost
  answer this is *in doubt*, and the push reconciles it with Zoho before sending anything again;
* ``done``      -- Zoho answered success; ``zoho_id`` is the record;
* ``dead``      -- Zoho refused it, or it cannot be sent (no Zoho user for its owner…); ``error_*`` say
  why, and it stays visible until retried.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # db imports the migrations, which import this module's DDL
    from sync_engine.store.db import Store

OUTBOX = """
CREATE TABLE writeback_outbox (
    org_id           VARCHAR NOT NULL,
    op_key           VARCHAR NOT NULL,
    conversation_id  VARCHAR NOT NULL,
    module           VARCHAR NOT NULL,            -- Calls | Events | Tasks | Deals
    action           VARCHAR NOT NULL CHECK (action IN ('insert', 'update')),
    record           JSON,                         -- the body sent to Zoho (NULL when blocked)
    marker           VARCHAR,                      -- the key written into Zoho for inserts (see writeback/push.py)
    priority         INTEGER NOT NULL,
    state            VARCHAR NOT NULL CHECK (state IN ('pending', 'in_flight', 'done', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    batch_id         VARCHAR,
    sent_at          TIMESTAMPTZ,
    zoho_id          VARCHAR,
    error_code       VARCHAR,
    error_message    VARCHAR,
    error_details    JSON,
    ended_at         TIMESTAMPTZ NOT NULL,         -- when the conversation ended (freshness, priority)
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    done_at          TIMESTAMPTZ,
    PRIMARY KEY (org_id, op_key)
);
"""

SKIPS = """
CREATE TABLE writeback_skips (                  -- conversations planned to nothing, and why (not planned again)
    org_id           VARCHAR NOT NULL,
    conversation_id  VARCHAR NOT NULL,
    reason           VARCHAR NOT NULL,
    skipped_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, conversation_id)
);
"""

STATES = ("pending", "in_flight", "done", "dead")


@dataclass(frozen=True)
class OutboxRow:
    org_id: str
    op_key: str
    conversation_id: str
    module: str
    action: str
    record: dict[str, Any] | None
    marker: str | None
    priority: int
    state: str
    attempts: int
    batch_id: str | None
    sent_at: datetime | None
    zoho_id: str | None
    error_code: str | None
    error_message: str | None
    error_details: Any
    ended_at: datetime
    created_at: datetime
    updated_at: datetime
    done_at: datetime | None


_COLUMNS = ("org_id, op_key, conversation_id, module, action, record, marker, priority, state, attempts, batch_id, "
            "sent_at, zoho_id, error_code, error_message, error_details, ended_at, created_at, updated_at, done_at")


def _row(r: Sequence[Any]) -> OutboxRow:
    values = list(r)
    values[5] = None if values[5] is None else json.loads(values[5])
    values[15] = None if values[15] is None else json.loads(values[15])
    return OutboxRow(*values)


@dataclass(frozen=True)
class NewWrite:
    """A write to enqueue (``record`` None with an error when it cannot be sent as planned)."""

    op_key: str
    conversation_id: str
    module: str
    action: str
    record: dict[str, Any] | None
    marker: str | None
    priority: int
    ended_at: datetime
    blocked_code: str | None = None
    blocked_message: str | None = None


@dataclass(frozen=True)
class Settled:
    """Zoho's answer for one in-flight row."""

    op_key: str
    ok: bool
    zoho_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    error_details: Any = None


class Outbox:
    def __init__(self, store: Store) -> None:
        self._store = store

    # -- planning side -------------------------------------------------------------------------------
    def enqueue(self, org_id: str, writes: Iterable[NewWrite], at: datetime | None = None) -> int:
        """Add writes not queued yet; a still-pending or dead one is replaced by the fresh plan. Returns added."""
        at = at or datetime.now(UTC)
        writes = list(writes)
        if not writes:
            return 0
        added = 0
        with self._store.transaction() as cur:
            keys = [w.op_key for w in writes]
            known = dict(cur.execute("SELECT op_key, state FROM writeback_outbox WHERE org_id = ? AND op_key IN "
                                     "(SELECT unnest(?::VARCHAR[]))", [org_id, keys]).fetchall())
            for w in writes:
                state = known.get(w.op_key)
                if state in ("in_flight", "done"):
                    continue  # already (maybe) in Zoho: never planned twice
                if state is not None:
                    if state == "dead":
                        continue  # stays dead until someone retries it (retry re-plans)
                    cur.execute("DELETE FROM writeback_outbox WHERE org_id = ? AND op_key = ?", [org_id, w.op_key])
                else:
                    added += 1
                blocked = w.blocked_code is not None
                cur.execute(f"INSERT INTO writeback_outbox ({_COLUMNS}) VALUES "
                            "(?, ?, ?, ?, ?, ?, ?, ?, ?, 0, NULL, NULL, NULL, ?, ?, NULL, ?, ?, ?, NULL)",
                            [org_id, w.op_key, w.conversation_id, w.module, w.action,
                             None if w.record is None else json.dumps(w.record, ensure_ascii=False), w.marker,
                             w.priority, "dead" if blocked else "pending", w.blocked_code, w.blocked_message,
                             w.ended_at, at, at])
        return added

    def skip(self, org_id: str, skipped: dict[str, str], at: datetime | None = None) -> None:
        """Remember conversations that need no write (cancelled, not connected…), so planning passes them by."""
        if not skipped:
            return
        at = at or datetime.now(UTC)
        with self._store.transaction() as cur:
            for conversation_id, reason in skipped.items():
                cur.execute("INSERT OR REPLACE INTO writeback_skips VALUES (?, ?, ?, ?)",
                            [org_id, conversation_id, reason, at])

    def forget_skips(self, org_id: str) -> None:
        """Settings changed: what was skipped under the old ones is looked at again."""
        with self._store.transaction() as cur:
            cur.execute("DELETE FROM writeback_skips WHERE org_id = ?", [org_id])

    # -- push side -----------------------------------------------------------------------------------
    def in_doubt(self, org_id: str) -> list[OutboxRow]:
        return self._select("org_id = ? AND state = 'in_flight'", [org_id], "sent_at, op_key")

    def next_batch(self, org_id: str, module: str, action: str, max_priority: int, limit: int) -> list[OutboxRow]:
        return self._select("org_id = ? AND state = 'pending' AND module = ? AND action = ? AND priority <= ?",
                            [org_id, module, action, max_priority], "priority, ended_at, op_key", limit)

    def pending_groups(self, org_id: str) -> list[tuple[str, str, int, int, datetime]]:
        """(module, action, best priority, rows, oldest queued) of what is pending, best priority first."""
        rows = self._store.query(
            "SELECT module, action, min(priority), count(*), min(created_at) FROM writeback_outbox WHERE org_id = ? "
            "AND state = 'pending' GROUP BY module, action ORDER BY 3, 1, 2", [org_id])
        return [(r[0], r[1], int(r[2]), int(r[3]), r[4]) for r in rows]

    def mark_in_flight(self, org_id: str, op_keys: Sequence[str], batch_id: str, at: datetime) -> list[str]:
        """Committed before the request goes out: a crash after this leaves the rows in doubt, never lost.

        Claims only rows still pending and returns their keys: two pushes that read the same batch
        (the scheduler's and a "push now") must not both send it.
        """
        with self._store.transaction() as cur:
            claimed = cur.execute(
                "UPDATE writeback_outbox SET state = 'in_flight', batch_id = ?, sent_at = ?, "
                "attempts = attempts + 1, updated_at = ? WHERE org_id = ? AND state = 'pending' AND op_key IN "
                "(SELECT unnest(?::VARCHAR[])) RETURNING op_key", [batch_id, at, at, org_id, list(op_keys)]).fetchall()
        return [r[0] for r in claimed]

    def settle(self, org_id: str, results: Sequence[Settled], at: datetime | None = None) -> None:
        at = at or datetime.now(UTC)
        with self._store.transaction() as cur:
            for s in results:
                if s.ok:
                    cur.execute("UPDATE writeback_outbox SET state = 'done', zoho_id = ?, error_code = NULL, "
                                "error_message = NULL, error_details = NULL, updated_at = ?, done_at = ? "
                                "WHERE org_id = ? AND op_key = ?", [s.zoho_id, at, at, org_id, s.op_key])
                else:
                    cur.execute("UPDATE writeback_outbox SET state = 'dead', error_code = ?, error_message = ?, "
                                "error_details = ?, updated_at = ? WHERE org_id = ? AND op_key = ?",
                                [s.error_code, s.error_message,
                                 None if s.error_details is None else json.dumps(s.error_details), at,
                                 org_id, s.op_key])

    def release(self, org_id: str, op_keys: Sequence[str], at: datetime | None = None,
                note: str | None = None) -> None:
        """Back to pending (Zoho certainly did not apply them, or applying again is harmless)."""
        if not op_keys:
            return
        at = at or datetime.now(UTC)
        with self._store.transaction() as cur:
            cur.execute("UPDATE writeback_outbox SET state = 'pending', batch_id = NULL, error_message = ?, "
                        "updated_at = ? WHERE org_id = ? AND op_key IN (SELECT unnest(?::VARCHAR[]))",
                        [note, at, org_id, list(op_keys)])

    # -- dead letters --------------------------------------------------------------------------------
    def dead(self, org_id: str) -> list[OutboxRow]:
        return self._select("org_id = ? AND state = 'dead'", [org_id], "updated_at DESC, op_key")

    def forget(self, org_id: str, op_keys: Sequence[str]) -> int:
        """Drop dead rows so that the next planning pass plans them afresh (the retry of a dead letter)."""
        with self._store.transaction() as cur:
            before = cur.execute("SELECT count(*) FROM writeback_outbox WHERE org_id = ? AND state = 'dead' AND "
                                 "op_key IN (SELECT unnest(?::VARCHAR[]))", [org_id, list(op_keys)]).fetchone()
            cur.execute("DELETE FROM writeback_outbox WHERE org_id = ? AND state = 'dead' AND op_key IN "
                        "(SELECT unnest(?::VARCHAR[]))", [org_id, list(op_keys)])
        return int(before[0]) if before else 0

    # -- reading -------------------------------------------------------------------------------------
    def rows(self, org_id: str, conversation_ids: Iterable[str] | None = None) -> list[OutboxRow]:
        if conversation_ids is None:
            return self._select("org_id = ?", [org_id], "conversation_id, op_key")
        return self._select("org_id = ? AND conversation_id IN (SELECT unnest(?::VARCHAR[]))",
                            [org_id, list(conversation_ids)], "conversation_id, op_key")

    def counts(self, org_id: str) -> dict[str, int]:
        rows = self._store.query("SELECT state, count(*) FROM writeback_outbox WHERE org_id = ? GROUP BY state",
                                 [org_id])
        return {state: 0 for state in STATES} | {r[0]: int(r[1]) for r in rows}

    def _select(self, where: str, params: list[Any], order: str, limit: int | None = None) -> list[OutboxRow]:
        sql = f"SELECT {_COLUMNS} FROM writeback_outbox WHERE {where} ORDER BY {order}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [_row(r) for r in self._store.query(sql, params)]
