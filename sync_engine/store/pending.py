"""OAuth sign-ins under way: what the redirect back from Zoho needs, kept across the browser round trip.

The redirect arrives in a new browser session (and maybe another server process), so the pending
sign-in lives in the database, keyed by the unguessable ``state`` value, with its client secret
encrypted. Each is taken once and expires after ``PENDING_LIFETIME``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sync_engine.store.db import Store
from sync_engine.store.secret_box import SecretBox

PENDING_LIFETIME = timedelta(minutes=15)


@dataclass(frozen=True)
class PendingConnection:
    state: str = field(repr=False)
    data_centre: str
    accounts_url: str
    client_id: str
    client_secret: str = field(repr=False)
    redirect_uri: str
    started_by_email: str | None
    created_at: datetime


class PendingConnections:
    def __init__(self, store: Store, box: SecretBox) -> None:
        self._store = store
        self._box = box

    def add(self, pending: PendingConnection) -> None:
        with self._store.transaction() as cur:
            cur.execute("DELETE FROM pending_connections WHERE created_at < ?",
                        [pending.created_at - PENDING_LIFETIME])
            cur.execute("INSERT INTO pending_connections VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [pending.state, pending.data_centre, pending.accounts_url, pending.client_id,
                         self._box.encrypt(pending.client_secret), pending.redirect_uri,
                         pending.started_by_email, pending.created_at])

    def take(self, state: str, now: datetime | None = None) -> PendingConnection | None:
        """The sign-in for this state, removed so it cannot be used twice; None if unknown or expired."""
        now = now or datetime.now(UTC)
        with self._store.transaction() as cur:
            row = cur.execute("DELETE FROM pending_connections WHERE state = ? RETURNING data_centre, accounts_url, "
                              "client_id, client_secret_enc, redirect_uri, started_by_email, created_at",
                              [state]).fetchone()
        if row is None or now - row[6] > PENDING_LIFETIME:
            return None
        return PendingConnection(state, row[0], row[1], row[2], self._box.decrypt(row[3]), row[4], row[5], row[6])
