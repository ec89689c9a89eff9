"""Jobs: what the scheduler runs for each org, when it last ran, how it went, what it spent, when it runs next."""
from __future__ import annotations

import pandas as pd
import streamlit as st

import page_messages as say
from page_access import org_choices, page_viewer
from sync_engine import service

viewer = page_viewer("jobs")
rt = st.session_state["runtime"]
scheduler = rt.scheduler

st.title("Jobs")
if scheduler is None:
    st.warning("The scheduler is not running in this process (start the app, or `python -m sync_engine run`).")
rows = service.visible_job_table(rt, viewer, scheduler.next_runs() if scheduler else {})
if st.query_params.get("org"):  # a link to one org's jobs; another org's id is "not found"
    rows = [r for r in rows if r.org_id == next(iter(org_choices(rt).values()))]
if not rows:
    say.info("No jobs yet: connect an org first.")
    st.stop()
frame = pd.DataFrame([r.__dict__ for r in rows])
failed = frame[frame["outcome"] == "failed"]
cols = st.columns(3)
cols[0].metric("Jobs", len(frame))
cols[1].metric("Failing", len(failed))
cols[2].metric("Credits spent by jobs (last runs)", int(frame["credits"].sum()))
for row in failed.itertuples():
    say.error(f"{row.org} · {row.job}: {row.error}")
st.dataframe(frame, hide_index=True, width="stretch", column_config={
    "last_run": st.column_config.DatetimeColumn("last run", format="YYYY-MM-DD HH:mm:ss"),
    "next_run": st.column_config.DatetimeColumn("next run", format="YYYY-MM-DD HH:mm:ss"),
    "duration_s": st.column_config.NumberColumn("duration (s)", format="%.1f"),
})
runnable = [r for r in rows if viewer.can_administer(r.org_id)]  # running spends credits: admins only
if scheduler is not None and runnable:
    names = sorted({f"{r.org_id}:{r.job}" for r in runnable})
    with st.form("run-now"):
        picked = st.selectbox("Run a job now", names)
        if st.form_submit_button("Run now"):
            org_id, job = picked.rsplit(":", 1)
            service.run_job_now_as(rt, viewer, org_id, job)
            say.success(f"{job} for {org_id} will run within seconds.")
