"""Who may sign in to the dashboard: accounts, their sessions and failed sign-ins, in the engine's DuckDB file.

Rows only: the rules (hashing, expiry, throttling, roles) live in ``sync_engine.service.access``. A session
is stored by the SHA-256 of its token, so a copy of the database file signs nobody in; a password
is stored as its argon2 hash. Failed sign-ins are kept per email (known or not) only as long as the
throttle looks back.
"""
from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # db imports the migrations, which import this module's DDL
    from sync_engine.store.db import Store

DASHBOARD_ACCOUNTS = """
CREATE TABLE dashboard_accounts (
    email          VARCHAR PRIMARY KEY,           -- normalised: trimmed, lower case
    display_name   VARCHAR NOT NULL,
    role           VARCHAR NOT NULL CHECK (role IN ('csm', 'admin', 'manager')),
    org_id         VARCHAR,                       -- NULL: a CSM, or an admin who has not connected an org yet
    password_hash  VARCHAR NOT NULL,              -- argon2id, with its parameters and salt
    created_at     TIMESTAMPTZ NOT NULL,
    disabled       BOOLEAN NOT NULL DEFAULT false
);
CREATE TABLE dashboard_sessions (
    token_sha256   VARCHAR PRIMARY KEY,           -- hex SHA-256 of the token; the token itself is never stored
    email          VARCHAR NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    last_seen_at   TIMESTAMPTZ NOT NULL
);
CREATE TABLE dashboard_sign_in_failures (
    email          VARCHAR NOT NULL,              -- normalised, whether or not an account has it
    failed_at      TIMESTAMPTZ NOT NULL
);
"""

DEMO_ACCOUNTS_SEEDED = """
CREATE TABLE demo_accounts_seeded (             -- each demo account is created once: removing it is final
    email          VARCHAR PRIMARY KEY,
    seeded_at      TIMESTAMPTZ NOT NULL
);
"""

_ACCOUNT_COLUMNS = "email, display_name, role, org_id, created_at, disabled"


@dataclass(frozen=True)
class Account:
    email: str
    display_name: str
    role: str
    org_id: str | None
    created_at: datetime
    disabled: bool = False


@dataclass(frozen=True)
class StoredSession:
    token_sha256: str = field(repr=False)
    email: str
    created_at: datetime
    last_seen_at: datetime


class DashboardAccounts:
    def __init__(self, store: Store) -> None:
        self._store = store

    # -- accounts ----------------------------------------------------------------------------------
    def add(self, account: Account, password_hash: str) -> None:
        with self._store.transaction() as cur:
            cur.execute("INSERT INTO dashboard_accounts VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [account.email, account.display_name, account.role, account.org_id, password_hash,
                         account.created_at, account.disabled])

    def get(self, email: str) -> Account | None:
        rows = self._store.query(f"SELECT {_ACCOUNT_COLUMNS} FROM dashboard_accounts WHERE email = ?", [email])
        return Account(*rows[0]) if rows else None

    def password_hash(self, email: str) -> str | None:
        rows = self._store.query("SELECT password_hash FROM dashboard_accounts WHERE email = ?", [email])
        return rows[0][0] if rows else None

    def set_password_hash(self, email: str, password_hash: str) -> None:
        with self._store.transaction() as cur:
            cur.execute("UPDATE dashboard_accounts SET password_hash = ? WHERE email = ?", [password_hash, email])

    def list(self) -> list[Account]:
        rows = self._store.query(f"SELECT {_ACCOUNT_COLUMNS} FROM dashboard_accounts ORDER BY role, email")
        return [Account(*row) for row in rows]

    def remove(self, email: str) -> bool:
        """Delete the account and sign it out everywhere; False when there was no such account."""
        with self._store.transaction() as cur:
            cur.execute("DELETE FROM dashboard_sessions WHERE email = ?", [email])
            removed = cur.execute("DELETE FROM dashboard_accounts WHERE email = ? RETURNING email", [email]).fetchall()
        return bool(removed)

    def bind_to_org(self, email: str, org_id: str) -> bool:
        """Give an admin without an org this org; False (nothing changed) if they already have one."""
        with self._store.transaction() as cur:
            bound = cur.execute("UPDATE dashboard_accounts SET org_id = ? WHERE email = ? AND role = 'admin' "
                                "AND org_id IS NULL RETURNING email", [org_id, email]).fetchall()
        return bool(bound)

    def seed_once(self, account: Account, password_hash: str) -> bool:
        """Add a demo account unless it was ever seeded before (even if removed since); True when added now.

        An account of that email made before seeding was recorded (an older release) is kept, and
        narrowed to the account's org if it had none: such releases gave the demo CSM every org.
        """
        with self._store.transaction() as cur:
            seeded = cur.execute("INSERT INTO demo_accounts_seeded VALUES (?, ?) ON CONFLICT DO NOTHING "
                                 "RETURNING email", [account.email, account.created_at]).fetchall()
            if not seeded:
                return False
            if self.get(account.email) is not None:
                cur.execute("UPDATE dashboard_accounts SET org_id = ? WHERE email = ? AND org_id IS NULL",
                            [account.org_id, account.email])
                return False
            self.add(account, password_hash)
        return True

    # -- sessions ----------------------------------------------------------------------------------
    def add_session(self, session: StoredSession) -> None:
        with self._store.transaction() as cur:
            cur.execute("INSERT INTO dashboard_sessions VALUES (?, ?, ?, ?)",
                        [session.token_sha256, session.email, session.created_at, session.last_seen_at])

    def session(self, token_sha256: str) -> StoredSession | None:
        rows = self._store.query("SELECT token_sha256, email, created_at, last_seen_at FROM dashboard_sessions "
                                 "WHERE token_sha256 = ?", [token_sha256])
        return StoredSession(*rows[0]) if rows else None

    def touch_session(self, token_sha256: str, at: datetime) -> None:
        with self._store.transaction() as cur:
            cur.execute("UPDATE dashboard_sessions SET last_seen_at = ? WHERE token_sha256 = ?", [at, token_sha256])

    def remove_session(self, token_sha256: str) -> None:
        with self._store.transaction() as cur:
            cur.execute("DELETE FROM dashboard_sessions WHERE token_sha256 = ?", [token_sha256])

    def sweep_sessions(self, created_before: datetime, seen_before: datetime) -> int:
        """Delete sessions past their absolute lifetime or idle too long; how many went."""
        with self._store.transaction() as cur:
            gone = cur.execute("DELETE FROM dashboard_sessions WHERE created_at < ? OR last_seen_at < ? "
                               "RETURNING email", [created_before, seen_before]).fetchall()
        return len(gone)

    def session_count(self, email: str | None = None) -> int:
        if email is None:
            return int(self._store.query("SELECT count(*) FROM dashboard_sessions")[0][0])
        return int(self._store.query("SELECT count(*) FROM dashboard_sessions WHERE email = ?", [email])[0][0])

    # -- failed sign-ins ---------------------------------------------------------------------------
    def record_failure(self, email: str, at: datetime, forget_before: datetime) -> None:
        with self._store.transaction() as cur:
            cur.execute("DELETE FROM dashboard_sign_in_failures WHERE failed_at < ?", [forget_before])
            cur.execute("INSERT INTO dashboard_sign_in_failures VALUES (?, ?)", [email, at])

    def failures_since(self, email: str, since: datetime) -> builtins.list[datetime]:
        """Oldest first."""
        rows = self._store.query("SELECT failed_at FROM dashboard_sign_in_failures WHERE email = ? AND failed_at >= ? "
                                 "ORDER BY failed_at", [email, since])
        return [row[0] for row in rows]

    def clear_failures(self, email: str) -> None:
        with self._store.transaction() as cur:
            cur.execute("DELETE FROM dashboard_sign_in_failures WHERE email = ?", [email])
