"""AppTest runs the real app in-process: each test gets its own data directory and a fresh runtime.

Every page needs a signed-in viewer. ``app`` is a browser session signed in as a CSM of every org
(Credits opens first; the demo's own CSM sees the demo org alone), ``admin_app`` and ``manager_app`` as
the demo org's admin and manager, and ``signed_out`` is a session before anyone signs in. Sessions are
built in ui_sessions.py.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from ui_sessions import ROOT, signed_in_as


@pytest.fixture
def signed_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.setenv("SYNC_DATA_DIR", str(tmp_path))
    st.cache_resource.clear()
    test = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    yield test
    runtime = test.session_state["runtime"] if "runtime" in test.session_state else None
    if runtime is not None:
        runtime.close()
    st.cache_resource.clear()


@pytest.fixture
def app(signed_out: AppTest) -> AppTest:
    return signed_in_as(signed_out, "csm")


@pytest.fixture
def admin_app(signed_out: AppTest) -> AppTest:
    return signed_in_as(signed_out, "admin")


@pytest.fixture
def manager_app(signed_out: AppTest) -> AppTest:
    return signed_in_as(signed_out, "manager")
