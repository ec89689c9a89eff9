"""The emulated org at a glance: edition, licences, users, records per module."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from sync_engine.service import OrgOverview, org_overview


@st.cache_data(ttl=60, show_spinner="Reading the org from Zoho…")
def load_overview(api_url: str) -> OrgOverview:
    return org_overview(st.session_state["demo"].session())


demo = st.session_state["demo"]
st.title("Demo org")
st.caption(f"Embedded Zoho CRM emulator at {demo.emulator.url}")
try:
    overview = load_overview(demo.emulator.url)
except Exception as err:  # a page shows the failure, it does not crash
    st.error(f"Could not read the org from Zoho: {err}")
    st.stop()

st.subheader(overview.company_name)
edition, licences, users, records = st.columns(4)
edition.metric("Edition", overview.edition.title())
licences.metric("Licences", overview.licences)
users.metric("Users", len(overview.users))
records.metric("Records", f"{sum(overview.record_counts.values()):,}")

st.subheader("Records per module")
st.dataframe(pd.DataFrame({"module": list(overview.record_counts), "records": list(overview.record_counts.values())}),
             hide_index=True, width="stretch")

st.subheader("Users")
st.dataframe(pd.DataFrame([u.__dict__ for u in overview.users]), hide_index=True, width="stretch")
