"""Credits (CSMs): every org's rolling 24 h use against its limit and budget, over time, by user/job/API."""
from __future__ import annotations

from datetime import datetime

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

import page_messages as say
from page_access import org_choices, page_viewer
from sync_engine import service
from sync_engine.service import Runtime, percent_words

viewer = page_viewer("credits")
rt = st.session_state["runtime"]
PERIODS = {"24 h": 1, "7 days": 7, "30 days": 30, "90 days": 90}


@st.cache_data(ttl=30, show_spinner=False)
def status_of(_rt: Runtime, org_id: str, minute: str) -> service.CreditStatus:
    return service.credit_status(_rt, org_id)


@st.cache_data(ttl=30, show_spinner=False)
def over_time(_rt: Runtime, org_id: str, days: int, minute: str) -> pd.DataFrame:
    return service.credits_over_time(_rt, org_id, days=days, bucket="hour" if days <= 30 else "day")


@st.cache_data(ttl=300, show_spinner=False)
def initial_sync(_rt: Runtime, org_id: str, minute: str) -> service.InitialSync | None:
    return service.initial_sync(_rt, org_id)


@st.cache_data(ttl=30, show_spinner=False)
def breakdown(_rt: Runtime, org_id: str, dimension: str, minute: str) -> pd.DataFrame:
    return service.credits_breakdown(_rt, org_id, dimension)


def when(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "not within 24 h"
    if moment <= now:
        return "already reached"
    hours = (moment - now).total_seconds() / 3600
    return f"in {hours:.1f} h ({moment:%Y-%m-%d %H:%M} UTC)"


st.title("Credits")
orgs = service.visible_orgs(rt, viewer)
if not orgs:
    say.info("No org connected yet (Connection page).")
    st.stop()
minute = f"{datetime.now():%Y%m%d%H%M}"  # part of the cache key, so "now" moves at least every minute

names = org_choices(rt)  # before any figure: an org in the URL the viewer may not see stops the page here
with st.expander("All orgs (rolling 24 h)", expanded=len(orgs) > 1):
    st.dataframe(service.visible_credits_by_org(rt, viewer), hide_index=True, width="stretch")

left, right = st.columns([3, 1])
org_id = names[left.selectbox("Org", list(names))]
threshold = right.number_input("Alert above (% of budget share)", min_value=1.0, max_value=500.0,
                               value=service.DEFAULT_ALERT_PERCENT, step=5.0)

status = status_of(rt, org_id, minute)
if status.over_threshold(threshold):
    say.show("error" if status.used_24h >= status.budget else "warning",
             f"{status.org_name} used {status.used_24h:,} credits in the last 24 h: {status.percent_of_budget:.0f}% "
             f"of its budget share ({status.budget:,}), above the {threshold:.0f}% alert threshold.")

cols = st.columns(4)
cols[0].metric("Credits used (24 h)", f"{status.used_24h:,}")
cols[1].metric("Budget share", f"{status.budget:,}", help=f"{percent_words(status.budget_share)} of the daily limit")
cols[2].metric("Daily credit limit", f"{status.daily_limit:,}", help=f"{status.edition.title()} edition")
cols[3].metric("Rate (last 3 h)", f"{status.forecast.rate_per_hour:,.1f} /h")
if status.unanswered.calls:
    st.caption(f"Unsettled: {status.unanswered.describe()}")

gauge = go.Figure(go.Indicator(
    mode="gauge+number", value=status.used_24h, number={"valueformat": ","},
    title={"text": "Rolling 24 h credits"},
    gauge={"axis": {"range": [0, max(status.daily_limit, status.used_24h, 1)]},
           "steps": [{"range": [0, status.budget], "color": "#d9f0d9"}],
           "threshold": {"line": {"color": "red", "width": 3}, "value": status.budget * threshold / 100}}))
gauge.update_layout(height=260, margin={"t": 40, "b": 10})
st.plotly_chart(gauge, width="stretch")

st.markdown("#### Forecast at the last 3 hours' rate")
forecast_cols = st.columns(2)
forecast_cols[0].metric("Budget share reached", when(status.forecast.budget_reached_at, status.now))
forecast_cols[1].metric("Daily limit reached", when(status.forecast.limit_reached_at, status.now))

st.markdown("#### Credits over time")
initial = initial_sync(rt, org_id, minute[:-1])
if initial is not None:
    st.metric("Initial sync", f"{initial.credits:,} credits",
              help=f"{initial.calls:,} calls, {initial.started_at:%Y-%m-%d %H:%M} to "
                   f"{initial.finished_at:%Y-%m-%d %H:%M} UTC (ledger job mirror.initial): the one-off first pull")
    st.caption(f"Initial sync: {initial.credits:,} credits on {initial.peak_day:%Y-%m-%d}"
               + (f" ({initial.peak_day_credits:,} that day)" if initial.peak_day_credits != initial.credits else "")
               + "; it is shown apart from the daily work below.")
period = st.radio("Period", list(PERIODS), horizontal=True, index=1)
days = PERIODS[period]
series = over_time(rt, org_id, days, minute)
series["other work"] = series["credits"] - series["initial_credits"]
chart = px.area(series.rename(columns={"initial_credits": "initial sync"}), x="start",
                y=["other work", "initial sync"], labels={"start": "UTC", "value": "credits", "variable": "job"},
                color_discrete_map={"other work": "#1f77b4", "initial sync": "#ff7f0e"})
if initial is not None and initial.finished_at >= series["start"].min():
    chart.add_vrect(x0=max(initial.started_at, series["start"].min()), x1=initial.finished_at, fillcolor="#ff7f0e",
                    opacity=0.12, line_width=0, annotation_text=f"initial sync: {initial.credits:,} credits",
                    annotation_position="top left")
st.plotly_chart(chart, width="stretch")

st.markdown("#### Last 24 h by user, job and API")
for column, dimension in zip(st.columns(3), ("user", "job", "api"), strict=True):
    with column:
        frame = breakdown(rt, org_id, dimension, minute)
        if frame.empty:
            st.caption(f"No credits by {dimension} in the last 24 h.")
            continue
        st.plotly_chart(px.bar(frame, x="credits", y=dimension, orientation="h"), width="stretch")
        st.dataframe(frame, hide_index=True, width="stretch")
