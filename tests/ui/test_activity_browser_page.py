"""The activity browser, the match-rate reasons and the Credits page's initial sync, as a CSM sees them."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import streamlit as st
from streamlit.testing.v1 import AppTest
from ui_sessions import import_internal_and_stranger_meetings

from sync_engine.store.writeback.outbox import NewWrite, Outbox, Settled
from sync_engine.zoho.calls import ApiCall

ENDED = datetime(2026, 11, 21, 10, 30, tzinfo=UTC)


def import_two(app: AppTest) -> str:
    """An internal meeting and one with a stranger; the stranger's activity written to Zoho."""
    rt = app.session_state["runtime"]
    org_id = import_internal_and_stranger_meetings(rt, "Intro zebra")
    outbox = Outbox(rt.store)
    outbox.enqueue(org_id, [NewWrite("ext-1/activity", "ext-1", "Events", "insert", {}, "k", 0, ENDED)])
    outbox.mark_in_flight(org_id, ["ext-1/activity"], "b1", ENDED)
    outbox.settle(org_id, [Settled("ext-1/activity", True, zoho_id="5725767000042")])
    return org_id


def test_the_activity_browser_shows_what_was_written_to_zoho_and_searches_in_sql(app: AppTest) -> None:
    st.cache_data.clear()
    import_two(app)
    app.switch_page("pages/conversations.py")
    app.run()
    assert not app.exception, app.exception
    table = app.dataframe[0].value.set_index("id")
    assert table.loc["ext-1", "Zoho activity"] == "Events 5725767000042"
    assert table.loc["ext-1", "written to Zoho"] == "written"
    assert table.loc["int-1", "written to Zoho"] == "not planned"
    assert any(b.label == "Export CSV" for b in app.get("download_button"))

    next(t for t in app.text_input if t.label.startswith("Search")).set_value("ZEBRA").run()
    assert not app.exception, app.exception
    assert app.dataframe[0].value["id"].tolist() == ["ext-1"]
    assert {m.label: m.value for m in app.metric}["Conversations"] == "1"


def test_filters_that_match_nothing_say_so(app: AppTest) -> None:
    st.cache_data.clear()
    import_two(app)
    app.switch_page("pages/conversations.py")
    app.run()
    next(m for m in app.multiselect if m.label == "Written to Zoho").set_value(["failed"]).run()
    assert not app.exception, app.exception
    assert any("No conversations match the filters" in i.value for i in app.info)


def test_match_rates_group_reasons_and_drill_down_by_reason(app: AppTest) -> None:
    st.cache_data.clear()
    import_two(app)
    app.switch_page("pages/match_rates.py")
    app.run()
    assert not app.exception, app.exception
    reason = next(s for s in app.selectbox if s.label == "Reason")
    unknown = next(o for o in reason.options if o.startswith("company domain not in Zoho"))
    reason.select(unknown).run()
    assert not app.exception, app.exception
    drill = app.dataframe[-1].value.set_index("conversation_id")
    assert set(drill["why"]) == {"company domain not in Zoho"}
    assert "nowhere-in-zoho.example" in drill.loc["ext-1", "reasons"]
    by_user = next(d.value for d in app.dataframe if "match rate" in d.value.columns)
    assert by_user["conversations"].sum() >= 2


def test_the_credits_page_names_the_initial_sync_spike(app: AppTest) -> None:
    st.cache_data.clear()
    rt = app.session_state["runtime"]
    org_id = rt.orgs.list()[0].org_id
    at = datetime.now(UTC) - timedelta(days=3)
    rt.ledger.record(ApiCall(org_id, at, "POST", "bulk.create", "/crm/bulk/v8/read", "Contacts", 200, None, 4_321,
                             10.0, "mirror.initial", None))
    app.switch_page("pages/credits.py")
    app.run()
    assert not app.exception, app.exception
    initial = next(m for m in app.metric if m.label == "Initial sync")
    assert int(initial.value.split()[0].replace(",", "")) >= 4_321
    assert any(c.value.startswith("Initial sync:") for c in app.caption)
