"""Connected orgs (our tenants) and their OAuth secrets, encrypted with ``SecretBox``.

The secrets sit in their own table so that everything that lists or shows orgs reads ``orgs`` and
never touches a ciphertext; only ``connection_secrets`` decrypts, and it is meant for building the
Zoho client. Disconnecting deletes the secrets (and the kept access token, see ``tokens``) outright:
a disconnected org's token has no use here, and a token we do not hold cannot leak. Its ledger and
history stay.
"""
from __future__ import annotations

from dataclasses import astuple, dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import Any

import duckdb

from sync_engine.store.db import Store
from sync_engine.store.secret_box import SecretBox

STATUSES = ("connected", "disconnected")


class UnknownOrgError(KeyError):
    def __str__(self) -> str:
        return f"no org with id {self.args[0]!r}"


class OrgExistsError(ValueError):
    pass


class NotConnectedError(RuntimeError):
    """The org is disconnected (or never stored a token); an admin must connect it again."""


@dataclass(frozen=True)
class Org:
    org_id: str
    name: str
    data_centre: str
    accounts_url: str
    client_id: str
    api_domain: str | None = None
    zoho_org_id: str | None = None
    company_name: str | None = None
    edition: str | None = None
    licences: int | None = None
    daily_credit_limit: int | None = None
    budget_share: float = 0.20  # the part of the daily limit this integration may spend
    status: str = "connected"
    connected_by_email: str | None = None
    connected_at: datetime | None = None
    disconnected_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, not {self.status!r}")
        if not 0 < self.budget_share <= 1:
            raise ValueError(f"budget_share must be in (0, 1], not {self.budget_share}")


@dataclass(frozen=True)
class ConnectionSecrets:
    """Decrypted, for the Zoho client only. The repr hides both values."""

    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)


_COLUMNS = tuple(f.name for f in fields(Org))
_TOKEN_ISSUER = ("accounts_url", "api_domain", "client_id")  # a kept access token is valid only for these
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM orgs"


class OrgRepository:
    def __init__(self, store: Store, box: SecretBox) -> None:
        self._store = store
        self._box = box

    def add(self, org: Org, secrets: ConnectionSecrets, at: datetime | None = None) -> Org:
        """Store a newly connected org with its secrets, atomically."""
        with self._store.transaction() as cursor:
            if self._find(cursor, org.org_id) is not None:
                raise OrgExistsError(f"an org with id {org.org_id!r} already exists; update or reconnect it")
            cursor.execute(f"INSERT INTO orgs ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
                           list(astuple(org)))
            self._write_secrets(cursor, org.org_id, secrets, at)
        return org

    def update(self, org_id: str, /, **changes: Any) -> Org:
        """Change some fields (edition, licences, limit, budget share...).

        The status moves only through ``disconnect`` and ``reconnect``, which also handle the secrets.
        """
        for frozen in ("org_id", "status"):
            if frozen in changes:
                raise ValueError(f"{frozen} cannot be changed by update; use disconnect() or reconnect()")
        with self._store.transaction() as cursor:
            before = self._get(cursor, org_id)
            org = self._update(cursor, org_id, changes)
            if any(getattr(before, name) != getattr(org, name) for name in _TOKEN_ISSUER):
                cursor.execute("DELETE FROM org_access_tokens WHERE org_id = ?", [org_id])  # another server's
            return org

    def reconnect(self, org_id: str, secrets: ConnectionSecrets, connected_by_email: str,
                  at: datetime | None = None, **changes: Any) -> Org:
        """A new OAuth grant for a known org: fresh secrets, status connected, in one transaction."""
        moment = at or datetime.now(UTC)
        with self._store.transaction() as cursor:
            org = self._update(cursor, org_id, {**changes, "status": "connected", "connected_at": moment,
                                                "connected_by_email": connected_by_email, "disconnected_at": None})
            self._write_secrets(cursor, org_id, secrets, moment)
            cursor.execute("DELETE FROM org_access_tokens WHERE org_id = ?", [org_id])  # minted from the old grant
        return org

    def disconnect(self, org_id: str, at: datetime | None = None) -> Org:
        """Mark disconnected and delete the secrets; the ledger and history are kept."""
        with self._store.transaction() as cursor:
            org = self._update(cursor, org_id, {"status": "disconnected", "disconnected_at": at or datetime.now(UTC)})
            cursor.execute("DELETE FROM org_secrets WHERE org_id = ?", [org_id])
            cursor.execute("DELETE FROM org_access_tokens WHERE org_id = ?", [org_id])
        return org

    def get(self, org_id: str) -> Org:
        with self._store.reading() as cursor:
            return self._get(cursor, org_id)

    def find_by_zoho_org_id(self, zoho_org_id: str) -> Org | None:
        """The tenant already holding this Zoho org, so connecting it twice can be refused or reused."""
        rows = self._store.query(f"{_SELECT} WHERE zoho_org_id = ? ORDER BY connected_at DESC NULLS LAST",
                                 [zoho_org_id])
        return Org(*rows[0]) if rows else None

    def list(self, status: str | None = None) -> list[Org]:
        if status is None:
            rows = self._store.query(f"{_SELECT} ORDER BY name, org_id")
        else:
            rows = self._store.query(f"{_SELECT} WHERE status = ? ORDER BY name, org_id", [status])
        return [Org(*row) for row in rows]

    def connection_secrets(self, org_id: str) -> ConnectionSecrets:
        """Decrypt the org's client secret and refresh token -- for building its Zoho client, nothing else."""
        rows = self._store.query(
            "SELECT o.status, s.client_secret_enc, s.refresh_token_enc FROM orgs o "
            "LEFT JOIN org_secrets s USING (org_id) WHERE o.org_id = ?", [org_id])
        if not rows:
            raise UnknownOrgError(org_id)
        status, client_secret, refresh_token = rows[0]
        if status != "connected" or client_secret is None:
            raise NotConnectedError(f"org {org_id!r} is not connected; an admin must connect it again")
        return ConnectionSecrets(self._box.decrypt(client_secret), self._box.decrypt(refresh_token))

    def _write_secrets(self, cursor: duckdb.DuckDBPyConnection, org_id: str, secrets: ConnectionSecrets,
                       at: datetime | None) -> None:
        cursor.execute(
            "INSERT INTO org_secrets VALUES (?, ?, ?, ?) ON CONFLICT (org_id) DO UPDATE SET "
            "client_secret_enc = excluded.client_secret_enc, refresh_token_enc = excluded.refresh_token_enc, "
            "updated_at = excluded.updated_at",
            [org_id, self._box.encrypt(secrets.client_secret), self._box.encrypt(secrets.refresh_token),
             at or datetime.now(UTC)])

    def _update(self, cursor: duckdb.DuckDBPyConnection, org_id: str, changes: dict[str, Any]) -> Org:
        org = replace(self._get(cursor, org_id), **changes)
        assignments = ", ".join(f"{name} = ?" for name in _COLUMNS[1:])
        cursor.execute(f"UPDATE orgs SET {assignments} WHERE org_id = ?", [*astuple(org)[1:], org_id])
        return org

    def _get(self, cursor: duckdb.DuckDBPyConnection, org_id: str) -> Org:
        org = self._find(cursor, org_id)
        if org is None:
            raise UnknownOrgError(org_id)
        return org

    @staticmethod
    def _find(cursor: duckdb.DuckDBPyConnection, org_id: str) -> Org | None:
        row = cursor.execute(f"{_SELECT} WHERE org_id = ?", [org_id]).fetchone()
        return Org(*row) if row else None
