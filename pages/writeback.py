"""Write-back: what the outbox owes Zoho and how fast it gets there, what Zoho refused and why, and a retry
once the cause is fixed (admins; CSMs and managers read)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

import page_messages as say
from page_access import org_choices, page_viewer
from sync_engine import service

viewer = page_viewer("writeback")
rt = st.session_state["runtime"]


def seconds(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 120:
        return f"{value:,.0f} s"
    return f"{value / 60:,.1f} min" if value < 7_200 else f"{value / 3_600:,.1f} h"


st.title("Write-back")
orgs = service.visible_orgs(rt, viewer, connected_only=True)
if not orgs:
    say.info("No org connected yet (Connection page).")
    st.stop()
names = org_choices(rt, connected_only=True)  # an org in the URL the viewer may not see stops the page here
org_id = names[st.selectbox("Org", list(names))] if len(names) > 1 else next(iter(names.values()))
admin = viewer.can_administer(org_id)

if admin and st.button("Push now", icon=":material/cloud_upload:",
                       help="Match what just arrived, plan it and send what is due, within the budget"):
    try:
        say.success(f"Push: {service.push_now_as(rt, viewer, org_id).describe()}.")
    except service.ZohoError as err:
        say.error(f"Push stopped: {err.describe()}")
retried = st.session_state.pop("writeback-retried", None)
if retried:
    say.success(retried)

status = service.writeback_status(rt, org_id)
cols = st.columns(4)
for col, (state, label) in zip(cols, (("pending", "Pending"), ("in_flight", "In flight"), ("done", "Done"),
                                      ("dead", "Dead letters")), strict=True):
    col.metric(label, f"{status.counts.get(state, 0):,}")
if status.paused_until is not None:
    say.warning(f"Paused by Zoho's rate limit until {status.paused_until:%H:%M:%S} UTC; nothing is lost, "
               "the push resumes then.")
else:
    st.caption("Not paused by Zoho's rate limit.")
cols = st.columns(3)
share = status.credits_used_24h / status.credit_budget if status.credit_budget else 0.0
cols[0].metric("Credits used (24 h)", f"{status.credits_used_24h:,} of {status.credit_budget:,}",
               help=f"{share:.0%} of the org's budget share (everything: mirror and write-back)")
cols[1].metric("Freshness p50 (24 h)", seconds(status.freshness.p50_s),
               help="conversation end → activity in Zoho")
cols[2].metric("Freshness p95 (24 h)", seconds(status.freshness.p95_s),
               help=f"over {status.freshness.activities:,} activities written in the last 24 h (tasks, "
                    "stage updates and backfills wait on purpose and are left out)")
if status.unanswered.calls:
    st.caption(f"Unsettled: {status.unanswered.describe()}")

st.subheader("Dead letters")
dead = service.dead_letter_list(rt, org_id)
if not dead:
    st.caption("None: every write Zoho was sent, it accepted.")
else:
    st.dataframe(pd.DataFrame([{
        "conversation": f"{d.title or '(untitled)'} ({d.conversation_id})", "user": d.user_email, "what": d.what,
        "code": d.code, "reason": d.reason, "attempts": d.attempts, "when": d.when} for d in dead]),
        hide_index=True, width="stretch", column_config={
            "when": st.column_config.DatetimeColumn("when", format="YYYY-MM-DD HH:mm"),
            "reason": st.column_config.TextColumn("reason", width="large")})
    if admin:
        labels = {d.op_key: f"{d.what} · {d.title or d.conversation_id} · {d.code}" for d in dead}
        with st.form("retry"):
            picked = st.multiselect("Dead letters to retry", list(labels), format_func=labels.__getitem__,
                                    placeholder="choose the ones whose cause is fixed")
            submitted = st.form_submit_button("Retry selected", type="primary")
            if submitted and not picked:
                say.warning("Choose the dead letters to retry first.")
            if submitted and picked:
                replanned = service.retry_dead_letters_as(rt, viewer, org_id, picked)
                still = {d.op_key for d in service.dead_letter_list(rt, org_id)} & set(picked)
                message = f"{replanned} re-planned; the next push sends them."
                if still:
                    message += f" {len(still)} are blocked again: their cause is not fixed yet (see the list)."
                st.session_state["writeback-retried"] = message
                st.rerun()
    else:
        st.caption("An admin of the org retries these once the cause is fixed.")

st.subheader("Latest writes")
recent = service.recent_writes(rt, org_id)
if not recent:
    st.caption("Nothing written to Zoho yet.")
else:
    st.dataframe(pd.DataFrame([{
        "conversation": f"{w.title or '(untitled)'} ({w.conversation_id})", "what": w.what,
        "Zoho record id": w.zoho_id, "written": w.done_at, "after the conversation": seconds(w.freshness_s)}
        for w in recent]), hide_index=True, width="stretch", column_config={
            "written": st.column_config.DatetimeColumn("written", format="YYYY-MM-DD HH:mm:ss")})
