"""The Credits page: every org's rolling 24 h use, budget, forecast and alert, consistent with the ledger."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import streamlit as st
from streamlit.testing.v1 import AppTest

from sync_engine.store.credits.ledger import Ledger
from sync_engine.store.orgs import ConnectionSecrets, Org
from sync_engine.zoho.calls import ApiCall


def add_busy_org(rt: object) -> None:
    """An org with a 10,000-credit budget share, 9,000 credits of it used (3,000 in the last 3 h)."""
    rt.orgs.add(Org("busy", "Busy", "EU", "https://accounts.zoho.eu", "1000.BUSY", company_name="Busy Ltd",
                    edition="enterprise", licences=0, daily_credit_limit=50_000, budget_share=0.2),
                ConnectionSecrets("client-secret", "1000.refresh"))
    now = datetime.now(UTC)
    for at, credits, job in ((now - timedelta(hours=10), 6_000, "mirror.initial"),
                             (now - timedelta(hours=1), 3_000, "push")):
        rt.ledger.record(ApiCall("busy", at, "GET", "records.list", "/crm/v8/Deals", "Deals", 200, None, credits,
                                 10.0, job, "rep@busy.example" if job == "push" else None))


def test_credits_page_renders_for_the_demo_org(app: AppTest) -> None:
    st.cache_data.clear()
    app.run()
    app.switch_page("pages/credits.py")
    app.run()
    assert not app.exception, app.exception
    labels = {m.label for m in app.metric}
    assert {"Credits used (24 h)", "Budget share", "Daily credit limit", "Budget share reached"} <= labels
    assert len(app.get("plotly_chart")) >= 2


def test_an_org_above_the_threshold_shows_an_alert_and_its_figures(app: AppTest) -> None:
    st.cache_data.clear()
    app.run()
    add_busy_org(app.session_state["runtime"])
    app.switch_page("pages/credits.py")
    app.run()
    app.selectbox[0].select(next(o for o in app.selectbox[0].options if "(busy)" in o)).run()
    assert not app.exception, app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Credits used (24 h)"] == "9,000"
    assert metrics["Budget share"] == "10,000"
    assert metrics["Daily credit limit"] == "50,000"
    assert metrics["Rate (last 3 h)"] == "1,000.0 /h"
    assert metrics["Budget share reached"].startswith("in 1.0 h")
    assert metrics["Daily limit reached"] == "not within 24 h"
    assert any("90%" in w.value for w in app.warning)  # 90% of the budget share, above the default 80%
    tables = [t.value for t in app.dataframe]
    by_job = next(t for t in tables if "job" in t.columns).set_index("job")
    assert by_job.loc["push", "credits"] == 3_000

    app.number_input[0].set_value(95.0).run()
    assert not app.warning and not app.error


def test_calls_whose_answer_is_unknown_are_counted_and_said_to_be_unsettled(app: AppTest) -> None:
    st.cache_data.clear()
    app.run()
    rt = app.session_state["runtime"]
    add_busy_org(rt)
    other = Ledger(rt.store, flush_interval_s=None, journal=False)  # a process that stops while waiting
    other.record(ApiCall("busy", datetime.now(UTC) - timedelta(minutes=5), "POST", "records.insert",
                         "/crm/v8/Calls", "Calls", 0, None, 10, 0.0, "push", None, call_id="lost-1", settled=False,
                         answered=False))
    other.close()
    app.switch_page("pages/credits.py")
    app.run()
    app.selectbox[0].select(next(o for o in app.selectbox[0].options if "(busy)" in o)).run()
    assert not app.exception, app.exception
    assert {m.label: m.value for m in app.metric}["Credits used (24 h)"] == "9,010"
    assert any("Unsettled: 1 call(s) whose answer is unknown" in c.value and "expected 10 credit(s)" in c.value
               for c in app.caption)
