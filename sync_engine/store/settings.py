"""Per-org settings that admins change, each change audited (who, when, before, after) in one transaction.

A setting is a named JSON value per org (``writeback``, ``schedule``, ``budget_share``…). Writing the
value it already has records nothing, so the audit lists only real changes.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # db imports the migrations, which import this module's DDL
    from sync_engine.store.db import Store

ORG_SETTINGS = """
CREATE TABLE org_settings (
    org_id       VARCHAR NOT NULL,
    setting      VARCHAR NOT NULL,
    value        JSON NOT NULL,
    updated_by   VARCHAR,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, setting)
);
CREATE TABLE settings_audit (
    org_id       VARCHAR NOT NULL,
    setting      VARCHAR NOT NULL,
    changed_by   VARCHAR,
    changed_at   TIMESTAMPTZ NOT NULL,
    before       JSON,                          -- NULL: the default was in force
    after        JSON NOT NULL
);
"""


@dataclass(frozen=True)
class SettingChange:
    org_id: str
    setting: str
    changed_by: str | None
    changed_at: datetime
    before: Any  # parsed JSON; None when the default was in force
    after: Any


def _canonical(value_json: str) -> str:
    return json.dumps(json.loads(value_json), sort_keys=True, ensure_ascii=False)


class SettingsStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, org_id: str, setting: str) -> str | None:
        rows = self._store.query("SELECT value FROM org_settings WHERE org_id = ? AND setting = ?", [org_id, setting])
        return rows[0][0] if rows else None

    def put(self, org_id: str, setting: str, value_json: str, by: str | None,
            at: datetime | None = None, before_default: str | None = None) -> bool:
        """Store the value and audit the change; False (nothing recorded) when it is unchanged.

        ``before_default`` is what the audit shows as "before" for a setting never set (its default).
        """
        after = _canonical(value_json)
        at = at or datetime.now(UTC)
        with self._store.transaction() as cur:
            row = cur.execute("SELECT value FROM org_settings WHERE org_id = ? AND setting = ?",
                              [org_id, setting]).fetchone()
            if not self.record_change(org_id, setting, row[0] if row else before_default, after, by, at):
                return False
            cur.execute("INSERT OR REPLACE INTO org_settings VALUES (?, ?, ?, ?, ?)", [org_id, setting, after, by, at])
        return True

    def record_change(self, org_id: str, setting: str, before_json: str | None, after_json: str, by: str | None,
                      at: datetime | None = None) -> bool:
        """Audit a change to a setting kept in its own table (activity types, deal rules, the org's budget
        share); False when it is no change. Call it inside the caller's ``transaction()`` that writes the
        value, so the value and its audit commit together."""
        after = _canonical(after_json)
        before = None if before_json is None else _canonical(before_json)
        if before == after:
            return False
        with self._store.transaction() as cur:
            cur.execute("INSERT INTO settings_audit VALUES (?, ?, ?, ?, ?, ?)",
                        [org_id, setting, by, at or datetime.now(UTC), before, after])
        return True

    def audit(self, org_id: str, setting: str | None = None, limit: int = 500) -> list[SettingChange]:
        """Newest first."""
        sql = ("SELECT org_id, setting, changed_by, changed_at, before, after FROM settings_audit WHERE org_id = ?")
        params: list[Any] = [org_id]
        if setting is not None:
            sql += " AND setting = ?"
            params.append(setting)
        rows = self._store.query(sql + " ORDER BY changed_at DESC LIMIT ?", [*params, limit])
        return [SettingChange(r[0], r[1], r[2], r[3], None if r[4] is None else json.loads(r[4]), json.loads(r[5]))
                for r in rows]
