"""Conversations: upload meetings and calls, see how each was matched and why."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from sync_engine import service

rt = st.session_state["runtime"]
st.title("Conversations")
orgs = service.list_orgs(rt, connected_only=True)
if not orgs:
    st.info("Connect an org first (Connection page).")
    st.stop()
names = {f"{o.company_name or o.name} ({o.org_id})": o.org_id for o in orgs}
org_id = names[st.selectbox("Org", list(names))] if len(names) > 1 else next(iter(names.values()))

with st.form("upload", clear_on_submit=True):
    upload = st.file_uploader("Calendar (.ics), dialer call log (.csv) or JSON Lines (.jsonl)",
                              type=["ics", "csv", "jsonl", "json", "txt"])
    user_email = st.text_input("Recording user's email (a calendar's owner; default for rows without one)")
    submitted = st.form_submit_button("Import and match", type="primary")
if submitted and upload is not None:
    summary = service.import_conversations(rt, org_id, upload.getvalue(), filename=upload.name,
                                           user_email=user_email.strip() or None)
    message = (f"{upload.name}: {summary.valid} valid, {summary.added} new, {summary.already_known} already "
               f"imported, {summary.held} held (user not mapped), {len(summary.errors)} rejected.")
    (st.success if not summary.errors else st.warning)(message)
    for error in summary.errors[:50]:
        st.error(error)
    if len(summary.errors) > 50:
        st.error(f"… and {len(summary.errors) - 50} more errors")
    service.match_stored_conversations(rt, org_id)

search = st.text_input("Search (title, user, contact, account, deal, reasons)")
rows = service.conversation_table(rt, org_id, search)
if not rows:
    st.info("No conversations match the search." if search else
            "No conversations yet. Upload a file above, or use `python -m sync_engine import`.")
    st.stop()
frame = pd.DataFrame(rows)
counts = frame["status"].value_counts()
cols = st.columns(5)
for col, status in zip(cols, ("matched", "partial", "ambiguous", "unmatched", "internal"), strict=True):
    col.metric(status.title(), int(counts.get(status, 0)))
status_filter = st.multiselect("Status", sorted(frame["status"].unique()))
shown = frame[frame["status"].isin(status_filter)] if status_filter else frame
st.dataframe(shown, hide_index=True, width="stretch")
st.download_button("Export CSV", shown.to_csv(index=False).encode("utf-8"), file_name=f"conversations-{org_id}.csv",
                   mime="text/csv")
