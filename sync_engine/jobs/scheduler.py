"""APScheduler wiring: which job runs when, per connected org. Nothing else.

One ``BackgroundScheduler`` per process (the app holds it in ``st.cache_resource``; the headless
``python -m sync_engine run`` holds it in ``main``). Jobs have stable ids ``{org_id}:{job}``,
``max_instances=1``, coalescing and a misfire grace, and are reloaded when orgs change or an admin
changes an org's schedule (the intervals come from ``settings.org_settings.job_schedule``).
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from sync_engine.jobs.specs import JobSpec, jobs_of, run_job
from sync_engine.runtime import Runtime
from sync_engine.settings.org_settings import job_schedule

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}


def job_id(org_id: str, spec: JobSpec) -> str:
    return f"{org_id}:{spec.name}"


class SyncScheduler:
    def __init__(self, rt: Runtime, jobs: tuple[JobSpec, ...] | None = None,
                 first_run_within_s: float | None = None) -> None:
        self.rt = rt
        self.jobs = jobs if jobs is not None else jobs_of(rt)
        self.first_run_within_s = first_run_within_s  # bring every job's first run forward (a restart resumes at once)
        self._scheduler = BackgroundScheduler(timezone=UTC, job_defaults=JOB_DEFAULTS)

    def start(self) -> None:
        self.reload()
        self._scheduler.start()

    def reload(self) -> None:
        """Match the scheduled jobs to the connected orgs and their schedules: add the new, drop the
        disconnected, reschedule those whose interval changed (the next run comes one new interval from now)."""
        wanted: dict[str, tuple[str, JobSpec, int]] = {}
        for org in self.rt.orgs.list("connected"):
            schedule = job_schedule(self.rt, org.org_id, self.jobs)
            for spec in self.jobs:
                if not spec.applies_to(self.rt, org.org_id):
                    continue
                every_s = schedule.intervals.get(spec.name, spec.every_s)
                wanted[job_id(org.org_id, spec)] = (org.org_id, spec, every_s)
        existing = {}
        for job in self._scheduler.get_jobs():
            if job.id in wanted:
                existing[job.id] = job
            else:
                job.remove()
        for ident, (org_id, spec, every_s) in wanted.items():
            job = existing.get(ident)
            if job is None:
                first = spec.first_after_s if self.first_run_within_s is None else \
                    min(spec.first_after_s, self.first_run_within_s)
                self._scheduler.add_job(run_job, "interval", seconds=every_s, id=ident, name=spec.name,
                                        args=(self.rt, org_id, spec),
                                        next_run_time=datetime.now(UTC) + timedelta(seconds=first))
            elif job.trigger.interval != timedelta(seconds=every_s):
                job.reschedule("interval", seconds=every_s)

    def intervals(self) -> dict[str, int]:
        """Seconds between runs of each scheduled job, by job id (what the scheduler actually uses)."""
        return {job.id: int(job.trigger.interval.total_seconds()) for job in self._scheduler.get_jobs()}

    def next_runs(self) -> dict[str, datetime | None]:
        return {job.id: job.next_run_time for job in self._scheduler.get_jobs()}

    def run_now(self, org_id: str, name: str) -> None:
        """Bring a job's next run forward to now (it still runs on the scheduler's thread, once)."""
        self._scheduler.modify_job(f"{org_id}:{name}", next_run_time=datetime.now(UTC))

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)  # let a running job commit before the store closes
