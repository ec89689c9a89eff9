"""The Jobs page lists each org's jobs with last run, outcome, credits and next run."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from sync_engine.jobs.specs import JOBS, jobs_of, run_job


def test_jobs_page_shows_every_job_with_its_last_run_and_next_run(app: AppTest) -> None:
    app.run()
    rt = app.session_state["runtime"]
    org_id = rt.orgs.list()[0].org_id
    run_job(rt, org_id, next(s for s in JOBS if s.name == "users.refresh"))
    app.switch_page("pages/jobs.py")
    app.run()
    assert not app.exception, app.exception
    table = app.dataframe[0].value.set_index("job")
    assert set(table.index) == {s.name for s in jobs_of(rt)}  # the demo org has the simulator too
    assert "demo.simulate" in table.index
    assert table.loc["users.refresh", "outcome"] == "ok"
    assert table.loc["mirror", "next_run"] is not None
    assert {m.label for m in app.metric} >= {"Jobs", "Failing"}


def test_connection_page_shows_the_mirror_progress(app: AppTest) -> None:
    app.run()
    rt = app.session_state["runtime"]
    run_job(rt, rt.orgs.list()[0].org_id, next(s for s in JOBS if s.name == "mirror"))
    app.switch_page("pages/connection.py")  # read-only for the CSM, progress included
    app.run()
    assert not app.exception, app.exception
    assert any("records mirrored" in p.proto.text for p in app.get("progress"))
