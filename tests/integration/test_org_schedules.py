"""Per-org job schedules: validated within each job's bounds, audited, and followed by the running scheduler."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from sync_engine import service
from sync_engine.jobs.scheduler import SyncScheduler
from sync_engine.jobs.specs import JOBS
from sync_engine.runtime import Runtime
from sync_engine.store.settings import SettingsStore

ADMIN = "ada@corp.example"
DEFAULTS = {spec.name: spec.every_s for spec in JOBS}


@pytest.fixture
def scheduler(rt: Runtime) -> Iterator[SyncScheduler]:
    """Loaded but not started: its jobs and triggers are real, and none runs behind the test's back."""
    wired = SyncScheduler(rt)
    yield wired
    wired.shutdown()


def test_an_org_nobody_configured_runs_every_job_at_its_default_interval(rt, org_id) -> None:
    assert dict(service.job_schedule(rt, org_id).intervals) == DEFAULTS


def test_a_schedule_change_is_audited_and_jobs_not_named_keep_their_interval(rt, org_id) -> None:
    assert service.set_job_schedule(rt, org_id, {"mirror": 600}, ADMIN)
    assert service.set_job_schedule(rt, org_id, {"users.refresh": 7200}, ADMIN)
    assert dict(service.job_schedule(rt, org_id).intervals) == {**DEFAULTS, "mirror": 600, "users.refresh": 7200}
    latest, first = service.settings_audit(rt, org_id, "schedule")
    assert first.before == DEFAULTS and first.after == {**DEFAULTS, "mirror": 600}
    assert latest.before == first.after and latest.changed_by == ADMIN
    assert not service.set_job_schedule(rt, org_id, {"mirror": 600}, ADMIN)


@pytest.mark.parametrize(("intervals", "message"), [
    ({"users.refresh": 60}, "users.refresh may run every 5 min to 1 day, not every 1 min"),
    ({"push": 5}, "push may run every 15 s to 1 h, not every 5 s"),
    ({"push": 7200}, "push may run every 15 s to 1 h, not every 2 h"),
    ({"mirror": 30}, "mirror may run every 1 min to 1 day, not every 30 s"),
    ({"mirror": 2 * 86_400}, "mirror may run every 1 min to 1 day, not every 2 days"),
    ({"mirror": 300.5}, "mirror: the interval is a whole number of seconds"),
    ({"mirror": True}, "mirror: the interval is a whole number of seconds"),
    ({"backup": 600}, "unknown job(s) backup"),
])
def test_an_interval_outside_its_jobs_bounds_is_refused_naming_the_job_and_range(rt, org_id, intervals,
                                                                                 message) -> None:
    with pytest.raises(service.ScheduleError) as refused:
        service.set_job_schedule(rt, org_id, intervals, ADMIN)
    assert message in str(refused.value)
    assert dict(service.job_schedule(rt, org_id).intervals) == DEFAULTS
    assert service.settings_audit(rt, org_id) == []


def test_the_scheduler_uses_the_orgs_intervals_and_reschedules_a_job_whose_interval_changed(
        rt, org_id, scheduler) -> None:
    service.set_job_schedule(rt, org_id, {"users.refresh": 1800}, ADMIN)
    scheduler.reload()
    expected = {**DEFAULTS, "users.refresh": 1800}
    assert scheduler.intervals() == {f"{org_id}:{spec.name}": expected[spec.name]
                                     for spec in JOBS if spec.applies_to(rt, org_id)}
    match_next = scheduler.next_runs()[f"{org_id}:match"]

    service.set_job_schedule(rt, org_id, {"mirror": 60}, ADMIN)
    scheduler.reload()
    assert scheduler.intervals()[f"{org_id}:mirror"] == 60
    next_mirror = scheduler.next_runs()[f"{org_id}:mirror"]
    assert next_mirror is not None and next_mirror <= datetime.now(UTC) + timedelta(seconds=61)
    assert scheduler.next_runs()[f"{org_id}:match"] == match_next  # unchanged jobs are left alone


def test_a_stored_schedule_outlives_a_removed_job_and_a_tightened_bound(rt, org_id) -> None:
    """What an older release stored: a job since retired, an interval below today's minimum."""
    SettingsStore(rt.store).put(org_id, "schedule", '{"mirror": 10, "retired.job": 60, "match": 120}', ADMIN)
    schedule = service.job_schedule(rt, org_id)
    assert dict(schedule.intervals) == {**DEFAULTS, "mirror": 60, "match": 120}
