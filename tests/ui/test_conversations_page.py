"""The Conversations page: imported meetings and calls with their match status and reasons."""
from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from sync_engine import service
from sync_engine.store.conversation_views import ConversationFilter


def test_imported_conversations_show_with_status_and_reasons(app: AppTest) -> None:
    app.run()
    rt = app.session_state["runtime"]
    org = rt.orgs.list()[0]
    service.mirror_org(rt, org.org_id)
    rep = next(u for u in rt.users.zoho_users(org.org_id) if u.status == "active" and not u.is_admin)
    lines = [{"kind": "meeting", "id": "int-1", "title": "Team sync", "start": "2026-11-20T10:00:00+00:00",
              "end": "2026-11-20T10:30:00+00:00", "organizer": rep.email, "user_email": rep.email,
              "attendees": [rep.email]},
             {"kind": "meeting", "id": "bad"}]
    data = "\n".join(json.dumps(x) for x in lines).encode()
    summary = service.import_conversations(rt, org.org_id, data, filename="x.jsonl")
    assert summary.added == 1 and summary.errors
    service.match_stored_conversations(rt, org.org_id)
    app.switch_page("pages/conversations.py")
    app.run()
    assert not app.exception, app.exception
    table = app.dataframe[0].value.set_index("id")
    assert table.loc["int-1", "status"] == "internal"
    assert table.loc["int-1", "why"]
    internal = service.activity_page(rt, org.org_id, ConversationFilter()).by_status["internal"]  # the whole set
    assert {m.label: m.value for m in app.metric}["Internal"] == f"{internal:,}"


def test_search_narrows_the_list_and_names_the_linked_records(app: AppTest) -> None:
    app.run()
    rt = app.session_state["runtime"]
    org_id = rt.orgs.list()[0].org_id
    service.mirror_org(rt, org_id)
    service.match_stored_conversations(rt, org_id)
    rows = service.conversation_table(rt, org_id)
    linked = next(r for r in rows if r["contact"])
    assert "?" not in linked["contact"]  # the contact's name comes from the mirror
    title = linked["title"] or linked["user"]
    found = service.conversation_table(rt, org_id, title.upper())
    assert found and all(title.casefold() in " ".join(str(v) for v in r.values() if v).casefold() for r in found)
    assert service.conversation_table(rt, org_id, "no such thing at all 42") == []
    app.switch_page("pages/conversations.py")
    app.run()
    assert not app.exception, app.exception
    assert any(b.label == "Export CSV" for b in app.get("download_button"))
