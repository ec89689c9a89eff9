"""OAuth sign-ins under way survive the browser round trip, once, encrypted, and expire."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sync_engine.store.db import Store
from sync_engine.store.pending import PENDING_LIFETIME, PendingConnection, PendingConnections
from sync_engine.store.secret_box import SecretBox, generate_key

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def pending(state: str, at: datetime = T0) -> PendingConnection:
    return PendingConnection(state, "EU", "https://accounts.zoho.eu", "1000.X", "s3cret-value",
                             "http://localhost:8501/", "admin@acme.com", at)


def test_a_sign_in_is_taken_once_with_its_secret(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        repo = PendingConnections(store, SecretBox(generate_key()))
        repo.add(pending("abc"))
        taken = repo.take("abc", now=T0 + timedelta(minutes=1))
        assert taken is not None and taken.client_secret == "s3cret-value" and taken.data_centre == "EU"
        assert repo.take("abc", now=T0 + timedelta(minutes=1)) is None
        assert b"s3cret-value" not in (tmp_path / "s.duckdb").read_bytes()


def test_an_expired_sign_in_is_refused_and_old_ones_are_swept(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        repo = PendingConnections(store, SecretBox(generate_key()))
        repo.add(pending("old"))
        assert repo.take("old", now=T0 + PENDING_LIFETIME + timedelta(seconds=1)) is None
        repo.add(pending("stale"))
        repo.add(pending("fresh", at=T0 + PENDING_LIFETIME * 2))
        assert store.query("SELECT state FROM pending_connections") == [("fresh",)]
