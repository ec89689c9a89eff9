"""The Match rates page: counts per status, per day, source and user, and the unmatched items with why."""
from __future__ import annotations

import streamlit as st
from streamlit.testing.v1 import AppTest
from ui_sessions import import_internal_and_stranger_meetings

from sync_engine.store.orgs import ConnectionSecrets, Org


def test_match_rates_page_counts_and_drills_down(app: AppTest) -> None:
    st.cache_data.clear()
    app.run()
    rt = app.session_state["runtime"]
    import_internal_and_stranger_meetings(rt)
    app.switch_page("pages/match_rates.py")
    app.run()
    assert not app.exception, app.exception
    metrics = {m.label: m.value for m in app.metric}  # the demo's simulator adds conversations too
    statuses = ("Matched", "Partial", "Ambiguous", "Unmatched", "Internal", "Held")
    assert int(metrics["Conversations"]) >= sum(int(metrics[s]) for s in statuses)
    assert int(metrics["Internal"]) >= 1 and int(metrics["Unmatched"]) >= 1
    drill = app.dataframe[-1].value.set_index("conversation_id")
    assert set(drill["status"]) <= {"unmatched", "ambiguous"}
    assert "nowhere-in-zoho.example" in drill.loc["ext-1", "reasons"]
    by_source = app.dataframe[0].value.set_index("kind")
    assert by_source.loc["meeting"].sum() + (by_source.loc["call"].sum() if "call" in by_source.index else 0) \
        == int(metrics["Conversations"])
    assert app.get("plotly_chart")


def test_an_org_without_conversations_says_so(app: AppTest) -> None:
    st.cache_data.clear()
    app.run()
    rt = app.session_state["runtime"]
    rt.orgs.add(Org("quiet", "Quiet", "EU", "https://accounts.zoho.eu", "1000.QUIET", company_name="Quiet Ltd",
                    edition="standard", licences=3, daily_credit_limit=50_750),
                ConnectionSecrets("client-secret", "1000.refresh"))
    app.switch_page("pages/match_rates.py")
    app.run()
    app.selectbox[0].select(next(o for o in app.selectbox[0].options if "(quiet)" in o)).run()
    assert not app.exception, app.exception
    assert any("No conversations yet" in i.value for i in app.info)
