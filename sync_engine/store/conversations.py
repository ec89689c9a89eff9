"""Imported conversations and their matches, per org. Re-importing the same input adds nothing.

A conversation is stored as the JSON Lines record of docs/conversation-formats.md, so what was
imported can always be read back through the same validated parser.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sync_engine.store.columns import insert_columns

if TYPE_CHECKING:  # db imports the migrations, which import this module's DDL
    from sync_engine.store.db import Store

CONVERSATIONS = """
CREATE TABLE conversations (
    org_id           VARCHAR NOT NULL,
    conversation_id  VARCHAR NOT NULL,
    kind             VARCHAR NOT NULL CHECK (kind IN ('meeting', 'call')),
    user_email       VARCHAR NOT NULL,
    title            VARCHAR,
    started_at       TIMESTAMPTZ NOT NULL,
    ended_at         TIMESTAMPTZ NOT NULL,
    source           VARCHAR,
    payload          JSON NOT NULL,
    imported_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, conversation_id)
);
CREATE TABLE conversation_matches (
    org_id            VARCHAR NOT NULL,
    conversation_id   VARCHAR NOT NULL,
    status            VARCHAR NOT NULL,
    contact_id        VARCHAR,
    lead_id           VARCHAR,
    account_id        VARCHAR,
    deal_id           VARCHAR,
    owner_id          VARCHAR,
    activity_type     VARCHAR,
    reasons           JSON NOT NULL,
    matched_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, conversation_id)
);
CREATE TABLE activity_type_overrides (           -- an admin's choice wins over the rules
    org_id            VARCHAR NOT NULL,
    conversation_id   VARCHAR NOT NULL,
    activity_type     VARCHAR,                    -- NULL: explicitly none
    set_by            VARCHAR,
    set_at            TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, conversation_id)
);
"""

ACTIVITY_TYPES = """
CREATE TABLE activity_types (                   -- an org's definitions, in the admin's order (JSON list)
    org_id       VARCHAR PRIMARY KEY,
    definition   JSON NOT NULL,
    updated_by   VARCHAR,
    updated_at   TIMESTAMPTZ NOT NULL
);
"""

DEAL_RULES = """
CREATE TABLE deal_rules (                       -- how an org picks among an account's open deals (JSON)
    org_id       VARCHAR PRIMARY KEY,
    definition   JSON NOT NULL,
    updated_by   VARCHAR,
    updated_at   TIMESTAMPTZ NOT NULL
);
"""


@dataclass(frozen=True)
class StoredConversation:
    conversation_id: str
    kind: str
    user_email: str
    title: str | None
    started_at: datetime
    ended_at: datetime
    payload: dict[str, Any]


@dataclass(frozen=True)
class StoredMatch:
    conversation_id: str
    status: str
    contact_id: str | None
    lead_id: str | None
    account_id: str | None
    deal_id: str | None
    owner_id: str | None
    activity_type: str | None
    reasons: tuple[str, ...]
    matched_at: datetime
    people: tuple[tuple[str, str], ...] = ()  # every matched contact and lead: ("contact" | "lead", id)


@dataclass(frozen=True)
class NewConversation:
    conversation_id: str
    kind: str
    user_email: str
    title: str | None
    started_at: datetime
    ended_at: datetime
    source: str | None
    payload: dict[str, Any]


MATCHED_PEOPLE = """
ALTER TABLE conversation_matches ADD COLUMN people JSON;  -- every matched contact and lead: [["contact", id], ...]
"""


class ConversationStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    def add(self, org_id: str, conversations: Sequence[NewConversation], at: datetime | None = None) -> list[str]:
        """Insert the ones not stored yet (by id) and return their ids; known ones are left as they are."""
        at = at or datetime.now(UTC)
        if not conversations:
            return []
        with self._store.transaction() as cur:
            ids = [c.conversation_id for c in conversations]
            known = {row[0] for row in cur.execute(
                "SELECT conversation_id FROM conversations WHERE org_id = ? AND conversation_id IN "
                "(SELECT unnest(?::VARCHAR[]))", [org_id, ids]).fetchall()}
            fresh = [c for c in conversations if c.conversation_id not in known]
            insert_columns(cur, "conversations", {
                "org_id": ("VARCHAR", [org_id] * len(fresh)),
                "conversation_id": ("VARCHAR", [c.conversation_id for c in fresh]),
                "kind": ("VARCHAR", [c.kind for c in fresh]),
                "user_email": ("VARCHAR", [c.user_email for c in fresh]),
                "title": ("VARCHAR", [c.title for c in fresh]),
                "started_at": ("TIMESTAMPTZ", [c.started_at for c in fresh]),
                "ended_at": ("TIMESTAMPTZ", [c.ended_at for c in fresh]),
                "source": ("VARCHAR", [c.source for c in fresh]),
                "payload": ("JSON", [json.dumps(c.payload, ensure_ascii=False) for c in fresh]),
                "imported_at": ("TIMESTAMPTZ", [at] * len(fresh))})
        return [c.conversation_id for c in fresh]

    def get(self, org_id: str, ids: Iterable[str] | None = None) -> list[StoredConversation]:
        sql = ("SELECT conversation_id, kind, user_email, title, started_at, ended_at, payload "
               "FROM conversations WHERE org_id = ?")
        params: list[Any] = [org_id]
        if ids is not None:
            sql += " AND conversation_id IN (SELECT unnest(?::VARCHAR[]))"
            params.append(list(ids))
        with self._store.reading() as cur:
            rows = cur.execute(sql + " ORDER BY started_at, conversation_id", params).fetchall()
        return [StoredConversation(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6])) for r in rows]

    def rep_side_numbers(self, org_id: str) -> dict[str, str]:
        """The reps' side of every stored call, as written: the number -> a recording user who used it."""
        rows = self._store.query(
            "SELECT DISTINCT CASE json_extract_string(payload, '$.direction') WHEN 'outbound' "
            "THEN json_extract_string(payload, '$.from') ELSE json_extract_string(payload, '$.to') END AS number, "
            "min(user_email) FROM conversations WHERE org_id = ? AND kind = 'call' GROUP BY number", [org_id])
        return {number: user for number, user in rows if number}

    def save_matches(self, org_id: str, matches: Sequence[StoredMatch]) -> None:
        with self._store.transaction() as cur:
            insert_columns(cur, "conversation_matches", {
                "org_id": ("VARCHAR", [org_id] * len(matches)),
                "conversation_id": ("VARCHAR", [m.conversation_id for m in matches]),
                "status": ("VARCHAR", [m.status for m in matches]),
                "contact_id": ("VARCHAR", [m.contact_id for m in matches]),
                "lead_id": ("VARCHAR", [m.lead_id for m in matches]),
                "account_id": ("VARCHAR", [m.account_id for m in matches]),
                "deal_id": ("VARCHAR", [m.deal_id for m in matches]),
                "owner_id": ("VARCHAR", [m.owner_id for m in matches]),
                "activity_type": ("VARCHAR", [m.activity_type for m in matches]),
                "reasons": ("JSON", [json.dumps(list(m.reasons)) for m in matches]),
                "matched_at": ("TIMESTAMPTZ", [m.matched_at for m in matches]),
                "people": ("JSON", [json.dumps([list(p) for p in m.people]) for m in matches])}, or_replace=True)

    def forget_matches(self, org_id: str, conversation_ids: Sequence[str]) -> None:
        """Drop these conversations' matches, so that they are matched again (their user was just mapped)."""
        if conversation_ids:
            with self._store.transaction() as cur:
                cur.execute("DELETE FROM conversation_matches WHERE org_id = ? AND conversation_id IN "
                            "(SELECT unnest(?::VARCHAR[]))", [org_id, list(conversation_ids)])

    def matches(self, org_id: str) -> dict[str, StoredMatch]:
        with self._store.reading() as cur:
            rows = cur.execute(
                "SELECT m.conversation_id, status, contact_id, lead_id, account_id, deal_id, owner_id, "
                "CASE WHEN o.conversation_id IS NULL THEN m.activity_type ELSE o.activity_type END, "
                "reasons, matched_at, people FROM conversation_matches m LEFT JOIN activity_type_overrides o "
                "ON o.org_id = m.org_id AND o.conversation_id = m.conversation_id WHERE m.org_id = ?",
                [org_id]).fetchall()
        return {r[0]: StoredMatch(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], tuple(json.loads(r[8])), r[9],
                                  tuple((k, i) for k, i in json.loads(r[10] or "[]"))) for r in rows}

    def override_activity_type(self, org_id: str, conversation_id: str, activity_type: str | None,
                               set_by: str | None = None) -> None:
        with self._store.transaction() as cur:
            cur.execute("INSERT OR REPLACE INTO activity_type_overrides VALUES (?, ?, ?, ?, ?)",
                        [org_id, conversation_id, activity_type, set_by, datetime.now(UTC)])

    def set_activity_types(self, org_id: str, definition_json: str, updated_by: str | None = None) -> None:
        self._set_definition("activity_types", org_id, definition_json, updated_by)

    def activity_types(self, org_id: str) -> str | None:
        return self._definition("activity_types", org_id)

    def set_deal_rules(self, org_id: str, definition_json: str, updated_by: str | None = None) -> None:
        self._set_definition("deal_rules", org_id, definition_json, updated_by)

    def deal_rules(self, org_id: str) -> str | None:
        return self._definition("deal_rules", org_id)

    def _set_definition(self, table: str, org_id: str, definition_json: str, updated_by: str | None) -> None:
        """One JSON definition per org in ``table`` (activity_types, deal_rules): replaced whole."""
        with self._store.transaction() as cur:
            cur.execute(f"INSERT OR REPLACE INTO {table} VALUES (?, ?, ?, ?)",
                        [org_id, definition_json, updated_by, datetime.now(UTC)])

    def _definition(self, table: str, org_id: str) -> str | None:
        rows = self._store.query(f"SELECT definition FROM {table} WHERE org_id = ?", [org_id])
        return rows[0][0] if rows else None

    def overrides(self, org_id: str) -> dict[str, str | None]:
        with self._store.reading() as cur:
            rows = cur.execute("SELECT conversation_id, activity_type FROM activity_type_overrides WHERE org_id = ?",
                               [org_id]).fetchall()
        return dict(rows)
