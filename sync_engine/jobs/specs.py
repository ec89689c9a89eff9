"""The scheduled jobs: plain functions of (runtime, org_id), each run recorded with the credits it spent.

What runs and how often is declared here (``JOBS``); ``scheduler.py`` only wires them to APScheduler.
A process may add jobs of its own (the embedded demo's simulator) through ``Runtime.extra_jobs``.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sync_engine.connect.users import refresh_zoho_users
from sync_engine.matching.run import match_conversations
from sync_engine.mirror.sync import SyncReport, sync_org
from sync_engine.runtime import Runtime
from sync_engine.settings.org_settings import writeback_settings
from sync_engine.store.credits.rollup import RAW_RETENTION
from sync_engine.store.job_runs import JobRun
from sync_engine.writeback.governor import MIRROR
from sync_engine.writeback.push import budget_of, governor_of, writeback_cycle
from sync_engine.zoho import RateLimited, ZohoError, attributed_to

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobSpec:
    name: str
    every_s: int
    run: Callable[[Runtime, str], str | None]  # returns a short detail for the Jobs page
    description: str
    first_after_s: int = 5  # delay of the first run after the scheduler starts
    min_every_s: int = 60  # the bounds an admin may set its interval within (Settings page, settings/schedule.py)
    max_every_s: int = 86_400
    only_for: Callable[[Runtime, str], bool] | None = None  # the orgs it runs for (None: every connected org)

    def applies_to(self, rt: Runtime, org_id: str) -> bool:
        return self.only_for is None or self.only_for(rt, org_id)


def refresh_users(rt: Runtime, org_id: str) -> str:
    released = refresh_zoho_users(rt, org_id)
    return f"{len(rt.users.zoho_users(org_id))} Zoho users; {len(released)} held conversations released"


def mirror_within_budget(rt: Runtime, org_id: str, now: datetime | None = None) -> SyncReport | str:
    """The mirror's due work if the credit governor allows it, else why not; a 429 pauses every job of the org."""
    now = now or datetime.now(UTC)
    used, budget = budget_of(rt, org_id, now)
    decision = governor_of(rt).may_spend(org_id, MIRROR, 1, used, budget, now)
    if not decision.allowed:  # write-back of recent conversations comes first
        return decision.reason
    try:
        return sync_org(rt, org_id, now)
    except RateLimited:
        governor_of(rt).pause(org_id, now)
        raise


def mirror(rt: Runtime, org_id: str) -> str:
    report = mirror_within_budget(rt, org_id)
    if isinstance(report, str):
        return f"held back: {report}"
    progress = report.progress
    done = f"{progress.records_done:,}" + (f" of {progress.records_expected:,}" if progress.records_expected else "")
    return (f"{report.phase}: {', '.join(report.ran) or 'nothing due'}; {report.written} written, "
            f"{report.removed} removed; {done} records mirrored")


def push(rt: Runtime, org_id: str) -> str:
    return writeback_cycle(rt, org_id, writeback_settings(rt, org_id)).describe()


def roll_up_ledger(rt: Runtime, org_id: str) -> str:
    return rt.ledger.roll_up(org_id, datetime.now(UTC)).describe()


def match(rt: Runtime, org_id: str) -> str:
    results = match_conversations(rt, org_id)
    statuses: dict[str, int] = {}
    for result in results:
        statuses[result.status] = statuses.get(result.status, 0) + 1
    return f"{len(results)} conversations: " + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))


# The mirror job runs every 5 minutes; mirror/sync.py decides which polls are due (its own budget plan).
JOBS: tuple[JobSpec, ...] = (
    JobSpec("mirror", 300, mirror, "keep the shadow copy of Zoho up to date (initial pull, then changes)"),
    JobSpec("users.refresh", 3600, refresh_users, "pull Zoho users, map ours, release held conversations",
            min_every_s=300),
    JobSpec("push", 30, push, "write conversations back to Zoho: match what arrived, plan, send in batches",
            first_after_s=20, min_every_s=15, max_every_s=3600),
    JobSpec("match", 300, match, "match conversations against the mirror (no Zoho calls)", first_after_s=60),
    JobSpec("ledger.rollup", 86_400, roll_up_ledger,
            f"fold credit-ledger rows older than {RAW_RETENTION.days} days into daily sums (no Zoho calls)",
            first_after_s=300, min_every_s=3600, max_every_s=7 * 86_400),
)


def jobs_of(rt: Runtime) -> tuple[JobSpec, ...]:
    """Every job this process knows: the product's, then any its composition root added."""
    return JOBS + rt.extra_jobs


def run_job(rt: Runtime, org_id: str, spec: JobSpec) -> JobRun:
    """Run one job for one org, charge its calls to the job, and record the outcome (never raises)."""
    started = datetime.now(UTC)
    outcome, error, detail = "ok", None, None
    try:
        with attributed_to(job=spec.name):
            detail = spec.run(rt, org_id)
    except ZohoError as err:
        outcome, error = "failed", err.describe()
    except Exception as err:  # a job's failure is shown on the Jobs page, never kills the scheduler
        log.exception("job %s for %s failed", spec.name, org_id)
        outcome, error = "failed", f"{type(err).__name__}: {err}"
    finished = datetime.now(UTC)
    credits = sum(s.credits for s in rt.ledger.by_job(org_id, since=started, until=finished)
                  if s.key and (s.key == spec.name or s.key.startswith(spec.name + ".")))
    run = JobRun(org_id, spec.name, started, finished, outcome, error, credits, detail)
    rt.job_runs.add(run)
    return run
