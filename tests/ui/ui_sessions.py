"""Browser sessions for AppTest: a fresh one, or one already signed in with a demo account.

A signed-in session is a second AppTest on the same server (the runtime is shared through
``st.cache_resource``, as two browser tabs share it) whose session already holds a token: its first
run goes through app.py's gate, navigation and sidebar. (After its first run AppTest executes a
file under ``pages/`` directly, Streamlit's older multipage mode, so app.py-level behaviour is
asserted on first runs; each page checks its viewer itself, see page_access.py.)
"""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from sync_engine import service
from sync_engine.access import DEMO_ACCOUNTS
from sync_engine.runtime import Runtime

ROOT = Path(__file__).resolve().parents[2]
PASSWORDS = {account.role: (account.email, account.password) for account in DEMO_ACCOUNTS}


def new_session(token: str | None = None) -> AppTest:
    """Another browser session on this server; with a token, one that has signed in."""
    test = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if token is not None:
        test.session_state["session_token"] = token
    return test


def runtime_of(app: AppTest) -> Runtime:
    return app.session_state["runtime"]


def signed_in_as(signed_out: AppTest, role: str) -> AppTest:
    """A session signed in with the demo account of ``role``, run once (its role's first page shown)."""
    if "runtime" not in signed_out.session_state:
        signed_out.run()  # starts the server's runtime and the demo, which creates the demo accounts
    _, token = service.sign_in(runtime_of(signed_out), *PASSWORDS[role])
    session = new_session(token).run()
    assert not session.exception, session.exception
    return session
