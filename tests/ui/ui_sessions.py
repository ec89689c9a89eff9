"""Browser sessions for AppTest: a fresh one, or one already signed in with a demo account.

A signed-in session is a second AppTest on the same server (the runtime is shared through
``st.cache_resource``, as two browser tabs share it) whose session already holds a token: its first
run goes through app.py's gate, navigation and sidebar. (After its first run AppTest executes a
file under ``pages/`` directly, Streamlit's older multipage mode, so app.py-level behaviour is
asserted on first runs; each page checks its viewer itself, see page_access.py.)
"""
from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from sync_engine import service
from sync_engine.runtime import Runtime
from sync_engine.service.access import DEMO_ACCOUNTS

ROOT = Path(__file__).resolve().parents[2]
PASSWORDS = {account.role: (account.email, account.password) for account in DEMO_ACCOUNTS}
# The demo's CSM sees the demo org alone; "csm" is a CSM of every org (as a real deployment's), "demo-csm" the demo's.
PASSWORDS["demo-csm"] = PASSWORDS["csm"]
PASSWORDS["csm"] = ("every.org.csm@corp.example", "every-org csm password")


def new_session(token: str | None = None) -> AppTest:
    """Another browser session on this server; with a token, one that has signed in."""
    test = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if token is not None:
        test.session_state["session_token"] = token
    return test


def runtime_of(app: AppTest) -> Runtime:
    return app.session_state["runtime"]


def token_for(rt: Runtime, role: str) -> str:
    """A session token for the test account of ``role`` (the every-org CSM is created on first use)."""
    email, password = PASSWORDS[role]
    if role == "csm" and not any(a.email == email for a in service.list_accounts(rt)):
        service.create_account(rt, email=email, name="Every-org CSM", role="csm", password=password)
    return service.sign_in(rt, email, password)[1]


def signed_in_as(signed_out: AppTest, role: str) -> AppTest:
    """A session signed in with the test account of ``role`` (see PASSWORDS), run once (its first page shown)."""
    if "runtime" not in signed_out.session_state:
        signed_out.run()  # starts the server's runtime and the demo, which creates the demo accounts
    session = new_session(token_for(runtime_of(signed_out), role)).run()
    assert not session.exception, session.exception
    return session


def import_internal_and_stranger_meetings(rt: Runtime, title: str = "Intro") -> str:
    """Into the first org: an internal meeting ``int-1`` and ``ext-1`` (``title``) with someone Zoho does not
    know, both matched; returns the org id."""
    org = rt.orgs.list()[0]
    rep = next(u for u in rt.users.zoho_users(org.org_id) if u.status == "active" and not u.is_admin)
    lines = [{"kind": "meeting", "id": "int-1", "title": "Team sync", "start": "2026-11-20T10:00:00+00:00",
              "end": "2026-11-20T10:30:00+00:00", "organizer": rep.email, "user_email": rep.email,
              "attendees": [rep.email]},
             {"kind": "meeting", "id": "ext-1", "title": title, "start": "2026-11-21T10:00:00+00:00",
              "end": "2026-11-21T10:30:00+00:00", "organizer": rep.email, "user_email": rep.email,
              "attendees": [rep.email, "someone@nowhere-in-zoho.example"]}]
    data = "\n".join(json.dumps(x) for x in lines).encode()
    assert service.import_conversations(rt, org.org_id, data, filename="x.jsonl").added == 2
    service.match_stored_conversations(rt, org.org_id)
    return org.org_id
