"""AppTest runs the real app in-process: each test gets its own data directory and a fresh runtime."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.setenv("SYNC_DATA_DIR", str(tmp_path))
    st.cache_resource.clear()
    test = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    yield test
    runtime = test.session_state["runtime"] if "runtime" in test.session_state else None
    if runtime is not None:
        runtime.close()
    st.cache_resource.clear()
