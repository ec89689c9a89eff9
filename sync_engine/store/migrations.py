"""The schema of the engine's DuckDB file, as an ordered list of migrations applied on open.

A database file outlives the code that wrote it: a customer upgrades the app and keeps their file.
So the schema is never created in one go; it is the sum of numbered migrations, each applied once,
in order, in its own transaction together with its row in ``schema_version``. A crash half-way
leaves the file at the last whole version, and the next open carries on from there.

Rules for adding a migration: append, never edit or reorder a released one; plain SQL for DDL, a
Python callable when rows must be rewritten (it receives the connection inside the transaction).

Two DuckDB facts shape the tables (https://duckdb.org/docs/current/sql/indexes, .../connect/concurrency):
ART indexes (PRIMARY KEY, UNIQUE, CREATE INDEX) pay off only for point lookups and slow every
append, so the append-heavy ``credit_ledger`` has none and relies on the min-max zonemaps that
DuckDB keeps per row group -- its rows arrive in time order, so a time range prunes well. And no
FOREIGN KEYs: DuckDB checks them over-eagerly when an UPDATE rewrites a referenced row (the
documented ART limitations); tenancy is enforced by the repositories, which always filter by
``org_id``.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from sync_engine.store.conversations import ACTIVITY_TYPES, CONVERSATIONS, DEAL_RULES, MATCHED_PEOPLE
from sync_engine.store.credits.rollup import CREDIT_LEDGER_DAILY, LEDGER_CALL_IDS
from sync_engine.store.dashboard_accounts import DASHBOARD_ACCOUNTS, DEMO_ACCOUNTS_SEEDED
from sync_engine.store.job_runs import JOB_RUNS
from sync_engine.store.mirror.rekey import OWN_LINES, rekey_mirror
from sync_engine.store.mirror.schema import MIRROR_CONTACT_POINTS, MIRROR_RECORDS, MIRROR_STATE
from sync_engine.store.settings import ORG_SETTINGS
from sync_engine.store.tokens import ACCESS_TOKENS
from sync_engine.store.writeback.outbox import OUTBOX, SKIPS

MigrationStep = str | Callable[[duckdb.DuckDBPyConnection], None]


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    step: MigrationStep  # SQL (one or more statements) or a callable run inside the transaction


class SchemaTooNewError(RuntimeError):
    """The file was written by a newer release; running older code on it could corrupt it."""


_ORGS = """
CREATE TABLE orgs (
    org_id              VARCHAR PRIMARY KEY,      -- our id for the tenant
    name                VARCHAR NOT NULL,
    data_centre         VARCHAR NOT NULL,         -- US, EU, IN, AU, JP, CA, SA, CN
    accounts_url        VARCHAR NOT NULL,
    api_domain          VARCHAR,
    client_id           VARCHAR NOT NULL,
    zoho_org_id         VARCHAR,
    company_name        VARCHAR,
    edition             VARCHAR,
    licences            INTEGER,
    daily_credit_limit  INTEGER,
    budget_share        DOUBLE NOT NULL DEFAULT 0.20 CHECK (budget_share > 0 AND budget_share <= 1),
    status              VARCHAR NOT NULL DEFAULT 'connected' CHECK (status IN ('connected', 'disconnected')),
    connected_by_email  VARCHAR,
    connected_at        TIMESTAMPTZ,
    disconnected_at     TIMESTAMPTZ
);
CREATE TABLE org_secrets (
    org_id              VARCHAR PRIMARY KEY,
    client_secret_enc   BLOB NOT NULL,            -- Fernet tokens, see sync_engine.store.secret_box
    refresh_token_enc   BLOB NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);
"""

_CREDIT_LEDGER = """
CREATE TABLE credit_ledger (
    org_id           VARCHAR NOT NULL,
    called_at        TIMESTAMPTZ NOT NULL,        -- ApiCall.at ("at" is a reserved word in DuckDB)
    method           VARCHAR NOT NULL,
    api              VARCHAR NOT NULL,
    path             VARCHAR NOT NULL,
    module           VARCHAR,
    http_status      SMALLINT NOT NULL,           -- 0: no answer came
    zoho_code        VARCHAR,
    credits          INTEGER NOT NULL,
    latency_ms       DOUBLE NOT NULL,
    job              VARCHAR,
    attributed_user  VARCHAR                      -- our user's email; NULL for org-wide work
);
"""

_USERS = """
CREATE TABLE zoho_users (
    org_id            VARCHAR NOT NULL,
    zoho_user_id      VARCHAR NOT NULL,
    email             VARCHAR NOT NULL,
    email_normalised  VARCHAR NOT NULL,
    full_name         VARCHAR NOT NULL,
    status            VARCHAR NOT NULL,
    profile           VARCHAR NOT NULL,
    role              VARCHAR NOT NULL,
    is_admin          BOOLEAN NOT NULL,
    synced_at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, zoho_user_id)
);
CREATE INDEX zoho_users_by_email ON zoho_users (org_id, email_normalised);
CREATE TABLE our_users (
    org_id            VARCHAR NOT NULL,
    email             VARCHAR NOT NULL,
    email_normalised  VARCHAR NOT NULL,
    full_name         VARCHAR NOT NULL,
    PRIMARY KEY (org_id, email_normalised)
);
CREATE TABLE user_map (                         -- the effective mapping, rebuilt by map_users
    org_id                VARCHAR NOT NULL,
    our_email_normalised  VARCHAR NOT NULL,
    zoho_user_id          VARCHAR NOT NULL,
    matched_by            VARCHAR NOT NULL CHECK (matched_by IN ('email', 'manual')),
    mapped_at             TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, our_email_normalised)
);
CREATE TABLE manual_user_map (                  -- an admin's choices: input to map_users, kept when stale
    org_id                VARCHAR NOT NULL,
    our_email_normalised  VARCHAR NOT NULL,
    zoho_user_id          VARCHAR NOT NULL,
    set_at                TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, our_email_normalised)
);
"""

_HELD_CONVERSATIONS = """
CREATE TABLE held_conversations (
    org_id                 VARCHAR NOT NULL,
    conversation_id        VARCHAR NOT NULL,
    user_email             VARCHAR NOT NULL,
    user_email_normalised  VARCHAR NOT NULL,
    payload                JSON NOT NULL,
    held_reason            VARCHAR NOT NULL,
    held_at                TIMESTAMPTZ NOT NULL,
    released_at            TIMESTAMPTZ,           -- NULL while held
    PRIMARY KEY (org_id, conversation_id)
);
CREATE INDEX held_conversations_by_user ON held_conversations (org_id, user_email_normalised);
"""

_PENDING_CONNECTIONS = """
CREATE TABLE pending_connections (              -- an OAuth sign-in under way, keyed by its state value
    state              VARCHAR PRIMARY KEY,
    data_centre        VARCHAR NOT NULL,
    accounts_url       VARCHAR NOT NULL,
    client_id          VARCHAR NOT NULL,
    client_secret_enc  BLOB NOT NULL,
    redirect_uri       VARCHAR NOT NULL,
    started_by_email   VARCHAR,
    created_at         TIMESTAMPTZ NOT NULL
);
"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "orgs and their encrypted secrets", _ORGS),
    Migration(2, "credit ledger", _CREDIT_LEDGER),
    Migration(3, "zoho users, our users and the mapping", _USERS),
    Migration(4, "conversations held for unmapped users", _HELD_CONVERSATIONS),
    Migration(5, "OAuth sign-ins under way", _PENDING_CONNECTIONS),
    Migration(6, "mirror: shadow tables of Contacts, Leads, Accounts, Deals and deal stages", MIRROR_RECORDS),
    Migration(7, "mirror: match keys (emails, phones, domains)", MIRROR_CONTACT_POINTS),
    Migration(8, "mirror: sync state per org and module", MIRROR_STATE),
    Migration(9, "scheduled job runs", JOB_RUNS),
    Migration(10, "conversations, their matches and activity-type overrides", CONVERSATIONS),
    Migration(11, "activity types defined per org", ACTIVITY_TYPES),
    Migration(12, "deal rules per org", DEAL_RULES),
    Migration(13, "settings per org and their audit", ORG_SETTINGS),
    Migration(14, "write-back outbox", OUTBOX),
    Migration(15, "dashboard accounts, sessions and failed sign-ins", DASHBOARD_ACCOUNTS),
    Migration(16, "conversations write-back passes by", SKIPS),
    Migration(17, "credit ledger: daily sums of rolled-up rows, and the view over both", CREDIT_LEDGER_DAILY),
    Migration(18, "demo accounts seeded once", DEMO_ACCOUNTS_SEEDED),
    Migration(19, "credit ledger: call ids and calls whose answer is unknown", LEDGER_CALL_IDS),
    Migration(20, "access tokens kept encrypted, and token refreshes", ACCESS_TOKENS),
    Migration(21, "the company's own lines (users' phones, the org's number); Leads read filter", OWN_LINES),
    Migration(22, "mirror: match keys derived again (addresses parsed, numbers in each record's country)",
              rekey_mirror),
    Migration(23, "every matched contact and lead of a conversation", MATCHED_PEOPLE),
)

_SCHEMA_VERSION = """
CREATE TABLE IF NOT EXISTS schema_version (
    version     INTEGER PRIMARY KEY,
    name        VARCHAR NOT NULL,
    applied_at  TIMESTAMPTZ NOT NULL
)
"""


def current_version(conn: duckdb.DuckDBPyConnection) -> int:
    """The highest applied version; 0 for a new file."""
    exists = conn.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' "
                          "AND table_name = 'schema_version'").fetchone()
    if not exists or not exists[0]:
        return 0
    row = conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def migrate(conn: duckdb.DuckDBPyConnection, migrations: Sequence[Migration] = MIGRATIONS) -> list[int]:
    """Apply the pending migrations in order, each in its own transaction; return the versions applied.

    The caller must be the only writer while this runs (``Store`` calls it before sharing the file).
    """
    _check_ordered(migrations)
    conn.execute(_SCHEMA_VERSION)
    version = current_version(conn)
    known = migrations[-1].version if migrations else 0
    if version > known:
        raise SchemaTooNewError(
            f"the database is at schema version {version} but this release knows only up to {known}; "
            "upgrade the app, or open a copy of the file made before the newer release touched it")
    applied: list[int] = []
    for migration in migrations:
        if migration.version <= version:
            continue
        conn.execute("BEGIN TRANSACTION")
        try:
            if isinstance(migration.step, str):
                conn.execute(migration.step)
            else:
                migration.step(conn)
            conn.execute("INSERT INTO schema_version VALUES (?, ?, ?)",
                         [migration.version, migration.name, datetime.now(UTC)])
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied.append(migration.version)
    return applied


def _check_ordered(migrations: Sequence[Migration]) -> None:
    """Versions must run 1, 2, 3...: a gap or a duplicate is a merge mistake, caught before it ships."""
    for expected, migration in enumerate(migrations, start=1):
        if migration.version != expected:
            raise ValueError(f"migration {migration.name!r} has version {migration.version}, expected {expected}")
