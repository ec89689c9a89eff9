"""Match rates (managers): how conversations matched, over time, by source, user and reason; what did not and why."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pandas as pd
import plotly.express as px
import streamlit as st

import page_messages as say
from page_access import org_choices, page_viewer
from sync_engine import service
from sync_engine.service import ConversationFilter, Runtime

viewer = page_viewer("match_rates")
rt = st.session_state["runtime"]
COLOURS = {"matched": "#2ca02c", "partial": "#98df8a", "ambiguous": "#ff7f0e", "unmatched": "#d62728",
           "internal": "#7f7f7f", "held": "#9467bd", "not matched yet": "#c7c7c7"}


PERIODS = {"All time": None, "Last 7 days": 7, "Last 30 days": 30, "Last 90 days": 90}


@st.cache_data(ttl=60, show_spinner=False)
def summary(_rt: Runtime, org_id: str, filters: ConversationFilter) -> service.MatchSummary:
    return service.match_summary(_rt, org_id, filters)


@st.cache_data(ttl=60, show_spinner=False)
def to_check(_rt: Runtime, org_id: str, filters: ConversationFilter, reason: str | None) -> pd.DataFrame:
    return service.drill_down(_rt, org_id, filters, reason)


st.title("Match rates")
orgs = service.visible_orgs(rt, viewer)
if not orgs:
    say.info("No org connected yet (Connection page).")
    st.stop()
names = org_choices(rt)
org_id = names[st.selectbox("Org", list(names))] if len(names) > 1 else next(iter(names.values()))

left, right = st.columns([2, 3])
kinds = left.multiselect("Source", ["meeting", "call"], placeholder="meetings and calls")
period = right.radio("Period", list(PERIODS), horizontal=True)
days = PERIODS[period]
since = (datetime.now(UTC) - timedelta(days=days)).replace(minute=0, second=0, microsecond=0) if days else None
filters = ConversationFilter(kinds=tuple(kinds), since=since)
figures = summary(rt, org_id, filters)
if not figures.total:
    say.info("No conversations yet: import some on the Conversations page." if filters == ConversationFilter()
            else "No conversations in this period or source.")
    st.stop()

counts = figures.counts
cols = st.columns(8)
cols[0].metric("Conversations", figures.total)
cols[1].metric("Match rate", f"{figures.rate:.0%}" if figures.rate is not None else "—",
               help="matched or partial, of the conversations with customers (internal and held left out)")
for col, status in zip(cols[2:], ("matched", "partial", "ambiguous", "unmatched", "internal", "held"), strict=True):
    col.metric(status.title(), counts[status])
if counts[service.NOT_MATCHED_YET]:
    st.caption(f"{counts[service.NOT_MATCHED_YET]} conversation(s) not matched yet.")

st.markdown("#### Per day")
st.plotly_chart(px.bar(figures.daily, x="day", y="conversations", color="status", color_discrete_map=COLOURS,
                       category_orders={"status": list(service.MATCH_STATUSES)}), width="stretch")

left, right = st.columns(2)
with left:
    st.markdown("#### By source")
    st.dataframe(figures.by_kind, hide_index=True, width="stretch")
    st.markdown("#### By reason")
    st.plotly_chart(px.bar(figures.by_reason, x="conversations", y="reason", color="status", orientation="h",
                           color_discrete_map=COLOURS), width="stretch")
with right:
    st.markdown("#### By user")
    st.dataframe(figures.by_user, hide_index=True, width="stretch", height=420, column_config={
        "match rate": st.column_config.ProgressColumn("match rate", format="percent", min_value=0, max_value=1)})

st.markdown("#### Unmatched and ambiguous: why")
needing = figures.by_reason[figures.by_reason["status"].isin(service.DRILL_DOWN_STATUSES)]
if needing.empty:
    say.success("Nothing unmatched or ambiguous.")
    st.stop()
per_reason = needing.groupby("reason", sort=False)["conversations"].sum()
left, right = st.columns(2)
reason = left.selectbox("Reason", ["every reason", *per_reason.index],
                        format_func=lambda r: r if r == "every reason" else f"{r} ({per_reason[r]:,})")
user = right.selectbox("User", ["every user", *figures.by_user["user"]])
chosen = filters if user == "every user" else replace(filters, users=(user,))
table = to_check(rt, org_id, chosen, None if reason == "every reason" else reason)
in_all = int(per_reason.sum()) if reason == "every reason" else int(per_reason[reason])
st.caption(f"Newest first, at most {service.DRILL_DOWN_LIMIT:,} shown"
           + (f"; {in_all:,} in all." if user == "every user" else f" for {user}."))
st.dataframe(table, hide_index=True, width="stretch", column_config={
    "started_at": st.column_config.DatetimeColumn("started", format="YYYY-MM-DD HH:mm"),
    "reasons": st.column_config.TextColumn("the matcher's reasons", width="large")})
