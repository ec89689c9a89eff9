"""Match rates (managers): how conversations matched, over time, by source and by user; what did not and why."""
from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from sync_engine import dashboard, service
from sync_engine.runtime import Runtime

rt = st.session_state["runtime"]
COLOURS = {"matched": "#2ca02c", "partial": "#98df8a", "ambiguous": "#ff7f0e", "unmatched": "#d62728",
           "internal": "#7f7f7f", "held": "#9467bd", "not matched yet": "#c7c7c7"}


@st.cache_data(ttl=30, show_spinner=False)
def conversations(_rt: Runtime, org_id: str) -> pd.DataFrame:
    return dashboard.match_frame(_rt, org_id)


st.title("Match rates")
orgs = service.list_orgs(rt)
if not orgs:
    st.info("No org connected yet (Connection page).")
    st.stop()
names = {f"{o.company_name or o.name} ({o.org_id})": o.org_id for o in orgs}
org_id = names[st.selectbox("Org", list(names))] if len(names) > 1 else next(iter(names.values()))

frame = conversations(rt, org_id)
if frame.empty:
    st.info("No conversations yet: import some on the Conversations page.")
    st.stop()
kinds = st.multiselect("Source", sorted(frame["kind"].unique()), placeholder="meetings and calls")
if kinds:
    frame = frame[frame["kind"].isin(kinds)]

counts = dashboard.match_counts(frame)
rate = dashboard.match_rate(frame)
cols = st.columns(8)
cols[0].metric("Conversations", len(frame))
cols[1].metric("Match rate", f"{rate:.0%}" if rate is not None else "—",
               help="matched or partial, of the conversations with customers (internal and held left out)")
for col, status in zip(cols[2:], ("matched", "partial", "ambiguous", "unmatched", "internal", "held"), strict=True):
    col.metric(status.title(), counts[status])
if counts[dashboard.NOT_MATCHED_YET]:
    st.caption(f"{counts[dashboard.NOT_MATCHED_YET]} conversation(s) not matched yet.")

st.markdown("#### Per day")
daily = dashboard.matches_over_time_long(frame)
st.plotly_chart(px.bar(daily, x="day", y="conversations", color="status", color_discrete_map=COLOURS,
                       category_orders={"status": list(dashboard.MATCH_STATUSES)}), width="stretch")

left, right = st.columns(2)
with left:
    st.markdown("#### By source")
    st.dataframe(dashboard.matches_by(frame, "kind"), hide_index=True, width="stretch")
with right:
    st.markdown("#### By user")
    st.dataframe(dashboard.matches_by(frame, "user"), hide_index=True, width="stretch")

st.markdown("#### Unmatched and ambiguous: why")
to_check = dashboard.drill_down(frame)
if to_check.empty:
    st.success("Nothing unmatched or ambiguous.")
else:
    st.dataframe(to_check, hide_index=True, width="stretch")
