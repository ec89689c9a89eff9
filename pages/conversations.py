"""Conversations: upload meetings and calls; browse how each was matched, why, and what was written to Zoho."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import streamlit as st

import page_messages as say
from page_access import org_choices, page_viewer
from sync_engine import service
from sync_engine.service import EXPORT_LIMIT, MATCH_STATUSES, PAGE_SIZE, WRITTEN_STATES, ConversationFilter

SHOWN_ERRORS = 50

viewer = page_viewer("conversations")
rt = st.session_state["runtime"]
st.title("Conversations")
orgs = service.visible_orgs(rt, viewer, connected_only=True)
if not orgs:
    say.info("Connect an org first (Connection page).")
    st.stop()
names = org_choices(rt, connected_only=True)
org_id = names[st.selectbox("Org", list(names))] if len(names) > 1 else next(iter(names.values()))

submitted = False
if viewer.can_administer(org_id):  # importing writes; CSMs and managers read
    with st.form("upload", clear_on_submit=True):
        upload = st.file_uploader("Calendar (.ics), dialer call log (.csv) or JSON Lines (.jsonl)",
                                  type=["ics", "csv", "jsonl", "json", "txt"])
        user_email = st.text_input("Recording user's email (a calendar's owner; default for rows without one)")
        submitted = st.form_submit_button("Import and match", type="primary")
if submitted and upload is not None:
    bar = st.progress(0.0, text=say.as_text(f"Importing {upload.name}"))
    summary = service.import_conversations_as(rt, viewer, org_id, upload.getvalue(), filename=upload.name,
                                              user_email=user_email.strip() or None,
                                              on_progress=lambda what, done: bar.progress(done, text=what))
    bar.empty()
    say.show(summary.outcome, summary.describe(upload.name))
    for error in summary.errors[:SHOWN_ERRORS]:
        say.error(error)
    if len(summary.errors) > SHOWN_ERRORS:
        say.error(f"… {len(summary.errors) - SHOWN_ERRORS:,} more error lines not shown here "
                  f"({summary.rejected:,} records rejected in all); the CLI's import prints the first 1,000.")

st.subheader("Activity")
choices = service.activity_filter_choices(rt, org_id)
left, middle, right = st.columns(3)
search = left.text_input("Search (title, user, id, contact, lead, account, deal, owner)")
statuses = middle.multiselect("Status", list(MATCH_STATUSES))
kinds = right.multiselect("Source", ["meeting", "call"], placeholder="meetings and calls")
left, middle, right = st.columns(3)
users = left.multiselect("User", list(choices.users))
types = middle.multiselect("Activity type", list(choices.activity_types))
written = right.multiselect("Written to Zoho", list(WRITTEN_STATES))
days = st.date_input("Started between", value=(), help="leave empty for any date")
since = datetime.combine(days[0], time.min, UTC) if days else None
until = datetime.combine(days[-1], time.min, UTC) + timedelta(days=1) if days else None
filters = ConversationFilter(tuple(statuses), tuple(kinds), tuple(users), since, until, tuple(types),
                             tuple(written), search)

page_number = st.session_state.get("activity_page", 1)
page = service.activity_page(rt, org_id, filters, (page_number - 1) * PAGE_SIZE, PAGE_SIZE)
if page.total and page.rows.empty:  # the filters shrank the set below the page shown: go to its last page
    st.session_state["activity_page"] = page_number = -(-page.total // PAGE_SIZE)
    page = service.activity_page(rt, org_id, filters, (page_number - 1) * PAGE_SIZE, PAGE_SIZE)
if not page.total:
    filtered = filters != ConversationFilter()
    st.info("No conversations match the filters." if filtered else  # our own words: Markdown meant
            "No conversations yet. Upload a file above, or use `python -m sync_engine import`.")
    st.stop()
cols = st.columns(6)
cols[0].metric("Conversations", f"{page.total:,}")
for col, status in zip(cols[1:], ("matched", "partial", "ambiguous", "unmatched", "internal"), strict=True):
    col.metric(status.title(), f"{page.by_status.get(status, 0):,}")

pages = max(1, -(-page.total // PAGE_SIZE))
st.dataframe(page.rows, hide_index=True, width="stretch", column_config={
    "when": st.column_config.DatetimeColumn("when", format="YYYY-MM-DD HH:mm"),
    "why": st.column_config.TextColumn("why", width="large")})
left, right = st.columns([1, 3])
left.number_input(f"Page (of {pages:,})", min_value=1, max_value=pages, key="activity_page")
right.caption(f"Rows {page.offset + 1:,}–{page.offset + len(page.rows):,} of {page.total:,}, newest first. "
              "Written to Zoho: the outbox's state for the conversation's activity, tasks and deal stage "
              "(\"not planned\" until write-back plans it).")
capped = page.total > EXPORT_LIMIT
st.download_button("Export CSV", lambda: service.export_activity_csv(rt, org_id, filters),
                   file_name=f"conversations-{org_id}.csv", mime="text/csv", on_click="ignore",
                   help=f"the newest {EXPORT_LIMIT:,} of the filtered set" if capped else "the filtered set")
if capped:
    st.caption(f"The export holds the newest {EXPORT_LIMIT:,} of the {page.total:,} filtered conversations; "
               "narrow the filters (dates, users) for the rest.")
