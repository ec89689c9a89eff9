"""Each org's access token, kept encrypted between processes, and the log of token refreshes.

The token is a Fernet token made by the same :class:`~sync_engine.secret_box.SecretBox` as the refresh
token, in its own table so disconnecting or reconnecting drops it with the org's other secrets. The
refresh log is what :class:`~sync_engine.zoho.auth.oauth.TokenManager` counts against Zoho's limit; a row
is written before the refresh is sent, so a process killed mid-refresh still counts it.

Cross-process guard: DuckDB lets one process at a time open the file for writing, so today "every
process of the org" means the processes that follow one another (a restart, the CLI after the app).
The refresh is nevertheless made under an exclusive ``flock`` on a per-org lock file beside the
database, so that a deployment where several processes do share the token (a read-write attach from
another process, a server database later) still makes one refresh, not one per process.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sync_engine.store.secret_box import SecretBox
from sync_engine.zoho.auth.token_keeping import StoredToken

if TYPE_CHECKING:  # db imports the migrations, which import this module's DDL
    from sync_engine.store.db import Store

ACCESS_TOKENS = """
CREATE TABLE org_access_tokens (
    org_id            VARCHAR PRIMARY KEY,
    access_token_enc  BLOB NOT NULL,              -- Fernet token, see sync_engine.secret_box
    api_domain        VARCHAR,
    expires_at        TIMESTAMPTZ NOT NULL,
    saved_at          TIMESTAMPTZ NOT NULL
);
CREATE TABLE org_token_refreshes (              -- every refresh started, by any process (Zoho limits them)
    org_id            VARCHAR NOT NULL,
    started_at        TIMESTAMPTZ NOT NULL,
    pid               INTEGER NOT NULL
);
"""
KEEP_REFRESHES = timedelta(days=1)


class OrgTokens:
    """The :class:`~sync_engine.zoho.auth.token_keeping.TokenKeeper` of one org."""

    def __init__(self, store: Store, box: SecretBox, org_id: str) -> None:
        self._store = store
        self._box = box
        self.org_id = org_id
        digest = hashlib.sha256(org_id.encode()).hexdigest()[:16]
        self._lock_path = Path(store.path).with_name(f".{Path(store.path).name}.token-{digest}.lock")

    def load(self) -> StoredToken | None:
        rows = self._store.query("SELECT access_token_enc, expires_at, api_domain FROM org_access_tokens "
                                 "WHERE org_id = ?", [self.org_id])
        if not rows:
            return None
        encrypted, expires_at, api_domain = rows[0]
        return StoredToken(self._box.decrypt(encrypted), expires_at.astimezone(UTC), api_domain)

    def save(self, token: StoredToken) -> None:
        with self._store.transaction() as cursor:
            cursor.execute(
                "INSERT INTO org_access_tokens VALUES (?, ?, ?, ?, ?) ON CONFLICT (org_id) DO UPDATE SET "
                "access_token_enc = excluded.access_token_enc, api_domain = excluded.api_domain, "
                "expires_at = excluded.expires_at, saved_at = excluded.saved_at",
                [self.org_id, self._box.encrypt(token.access_token), token.api_domain, token.expires_at,
                 datetime.now(UTC)])

    @contextmanager
    def refresh_guard(self) -> Iterator[None]:
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def refreshes_since(self, since: datetime) -> list[datetime]:
        rows = self._store.query("SELECT started_at FROM org_token_refreshes WHERE org_id = ? AND started_at > ? "
                                 "ORDER BY started_at", [self.org_id, since])
        return [r[0].astimezone(UTC) for r in rows]

    def note_refresh(self, at: datetime) -> None:
        with self._store.transaction() as cursor:
            cursor.execute("DELETE FROM org_token_refreshes WHERE org_id = ? AND started_at < ?",
                           [self.org_id, at - KEEP_REFRESHES])
            cursor.execute("INSERT INTO org_token_refreshes VALUES (?, ?, ?)", [self.org_id, at, os.getpid()])
