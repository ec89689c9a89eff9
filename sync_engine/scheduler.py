"""APScheduler wiring: which job runs when, per connected org. Nothing else.

One ``BackgroundScheduler`` per process (the app holds it in ``st.cache_resource``; the headless
``python -m sync_engine run`` holds it in ``main``). Jobs have stable ids ``{org_id}:{job}``,
``max_instances=1``, coalescing and a misfire grace, and are reloaded when orgs change.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from .jobs import JOBS, JobSpec, run_job
from .runtime import Runtime

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}


def job_id(org_id: str, spec: JobSpec) -> str:
    return f"{org_id}:{spec.name}"


class SyncScheduler:
    def __init__(self, rt: Runtime, jobs: tuple[JobSpec, ...] = JOBS) -> None:
        self.rt = rt
        self.jobs = jobs
        self._scheduler = BackgroundScheduler(timezone=UTC, job_defaults=JOB_DEFAULTS)

    def start(self) -> None:
        self.reload()
        self._scheduler.start()

    def reload(self) -> None:
        """Match the scheduled jobs to the connected orgs: add the new, drop the disconnected."""
        wanted = {}
        for org in self.rt.orgs.list("connected"):
            for spec in self.jobs:
                wanted[job_id(org.org_id, spec)] = (org.org_id, spec)
        for job in self._scheduler.get_jobs():
            if job.id not in wanted:
                job.remove()
        existing = {job.id for job in self._scheduler.get_jobs()}
        for ident, (org_id, spec) in wanted.items():
            if ident not in existing:
                self._scheduler.add_job(run_job, "interval", seconds=spec.every_s, id=ident, name=spec.name,
                                        args=(self.rt, org_id, spec),
                                        next_run_time=datetime.now(UTC) + timedelta(seconds=spec.first_after_s))

    def next_runs(self) -> dict[str, datetime | None]:
        return {job.id: job.next_run_time for job in self._scheduler.get_jobs()}

    def run_now(self, org_id: str, name: str) -> None:
        """Bring a job's next run forward to now (it still runs on the scheduler's thread, once)."""
        self._scheduler.modify_job(f"{org_id}:{name}", next_run_time=datetime.now(UTC))

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)  # let a running job commit before the store closes
