"""Shared fixtures for integration tests: real DuckDB files in the test's temporary directory."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sync_engine.store.db import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "engine.duckdb")
    yield opened
    opened.close()
