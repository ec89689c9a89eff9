"""Shared fixtures for integration tests: real DuckDB files in the test's temporary directory, and a
runtime connected to an emulator org over HTTP."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from sync_engine import service
from sync_engine.runtime import Runtime, open_runtime
from sync_engine.store.db import Store
from zoho_emulator import EmulatorConfig, RunningEmulator, start_emulator

CLIENT_ID, CLIENT_SECRET = "1000.EMULATORDEMOCLIENT", "emulator-demo-secret"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "engine.duckdb")
    yield opened
    opened.close()


@pytest.fixture
def rt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    """A runtime on its own data directory (DuckDB file and secret key)."""
    monkeypatch.setenv("SYNC_DATA_DIR", str(tmp_path))
    runtime = open_runtime()
    yield runtime
    runtime.close()


@pytest.fixture(scope="module")
def zoho() -> Iterator[RunningEmulator]:
    """One emulator per test module (a module may define its own)."""
    em = start_emulator(EmulatorConfig())
    yield em
    em.stop()


@pytest.fixture
def org_id(rt: Runtime, zoho: RunningEmulator) -> str:
    """The module's emulator org, connected to this test's runtime with a refresh token of its own."""
    return service.connect_with_refresh_token(rt, data_centre_code="LOCAL", accounts_url=zoho.url,
                                              client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                                              refresh_token=fresh_refresh_token(zoho)).org.org_id


def fresh_refresh_token(zoho: RunningEmulator) -> str:
    """One per test: Zoho throttles the access tokens minted from any one refresh token."""
    issued = requests.post(f"{zoho.url}/__emulator/refresh-tokens", json={}, timeout=10)
    issued.raise_for_status()
    return issued.json()["refresh_token"]
