"""Scheduled jobs: each run recorded with outcome and credits; the scheduler follows connected orgs."""
from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests

from sync_engine import service
from sync_engine.jobs.scheduler import SyncScheduler
from sync_engine.jobs.specs import JOBS, JobSpec, run_job
from sync_engine.runtime import Runtime
from sync_engine.writeback.push import governor_of
from zoho_emulator import EmulatorConfig, RunningEmulator, start_emulator

CLIENT_ID, CLIENT_SECRET = "1000.EMULATORDEMOCLIENT", "emulator-demo-secret"


@pytest.fixture
def zoho() -> Iterator[RunningEmulator]:
    em = start_emulator(EmulatorConfig(refresh_token="1000.jobs"))
    yield em
    em.stop()


def connect(rt: Runtime, em: RunningEmulator) -> str:
    return service.connect_with_refresh_token(rt, data_centre_code="LOCAL", accounts_url=em.url, client_id=CLIENT_ID,
                                              client_secret=CLIENT_SECRET, refresh_token="1000.jobs").org.org_id


def spec(name: str) -> JobSpec:
    return next(s for s in JOBS if s.name == name)


def test_a_mirror_run_is_recorded_with_its_credits_matching_the_ledger(rt, zoho) -> None:
    org_id = connect(rt, zoho)
    before = requests.get(f"{zoho.url}/__emulator/usage", timeout=10).json()["total_charged"]
    run = run_job(rt, org_id, spec("mirror"))
    after = requests.get(f"{zoho.url}/__emulator/usage", timeout=10).json()["total_charged"]
    assert run.outcome == "ok", run.error
    assert run.credits == after - before > 0
    assert "initial" in (run.detail or "")
    assert rt.job_runs.latest(org_id)[0].credits == run.credits


def test_a_failing_job_is_recorded_with_a_readable_error_and_does_not_raise(rt, zoho) -> None:
    org_id = connect(rt, zoho)
    requests.post(f"{zoho.url}/__emulator/credits/exhaust", timeout=10)
    failing = JobSpec("users.refresh", 3600, spec("users.refresh").run, "")
    run = run_job(rt, org_id, failing)
    assert run.outcome == "failed" and run.error
    assert "1000." not in run.error  # no token in what the Jobs page shows


def test_the_scheduler_follows_connected_orgs_and_runs_a_job_on_demand(rt, zoho) -> None:
    org_id = connect(rt, zoho)
    scheduler = SyncScheduler(rt)
    scheduler.start()
    try:
        assert set(scheduler.next_runs()) == {f"{org_id}:{s.name}" for s in JOBS if s.applies_to(rt, org_id)}
        scheduler.run_now(org_id, "users.refresh")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not rt.job_runs.history(org_id, "users.refresh"):
            time.sleep(0.2)
        assert rt.job_runs.history(org_id, "users.refresh")[0].outcome == "ok"
        rows = service.job_table(rt, scheduler.next_runs())
        assert {r.job for r in rows} == {s.name for s in JOBS if s.applies_to(rt, org_id)}
        service.disconnect(rt, org_id)
        scheduler.reload()
        assert scheduler.next_runs() == {}
    finally:
        scheduler.shutdown()


def test_the_mirror_job_is_held_back_when_the_budget_is_spent_or_zoho_paused_the_org(rt, zoho) -> None:
    org_id = connect(rt, zoho)
    calls_before = requests.get(f"{zoho.url}/__emulator/usage", timeout=10).json()["calls"]
    used = rt.ledger.used_last_24h(org_id, datetime.now(UTC))
    rt.orgs.update(org_id, daily_credit_limit=used, budget_share=1.0)  # at 90% of this the mirror stops

    held = run_job(rt, org_id, spec("mirror"))

    assert held.outcome == "ok" and held.detail.startswith("held back: incremental mirror may use up to")
    rt.orgs.update(org_id, daily_credit_limit=1_000_000)
    governor_of(rt).pause(org_id, datetime.now(UTC))
    paused = run_job(rt, org_id, spec("mirror"))
    assert paused.detail.startswith("held back: paused by Zoho's rate limit")
    assert requests.get(f"{zoho.url}/__emulator/usage", timeout=10).json()["calls"] == calls_before
