"""Pull Zoho records into the DuckDB shadow copy, for the fewest credits: ``sync_org`` does whatever is due.

The first calls for an org run the initial sync (:mod:`.mirror_initial`; cheapest method per module,
resumable at every commit); once it has finished, each call runs the polls that are due
(:mod:`.mirror_incremental`, on the budget-fitted plan of :mod:`.mirror_plan`). Every HTTP call is
attributed to the job ``mirror.initial`` or ``mirror.incremental`` in the credit ledger. Scheduling is
not done here: call ``sync_org`` every five minutes (the scheduler's job), and it decides what to spend.

Module map: :mod:`.mirror_streams` (what is pulled, canonical values), :mod:`.mirror_run` (options,
progress, the shared write path), :mod:`.mirror_reference` (org, users, deal stages),
:mod:`sync_engine.records.contact_points` (match keys), :mod:`sync_engine.store.mirror.tables` (the tables).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sync_engine.mirror.incremental import run_incremental
from sync_engine.mirror.initial import run_initial
from sync_engine.mirror.run import (
    JOB_INCREMENTAL,
    JOB_INITIAL,
    MirrorOptions,
    MirrorProgress,
    MirrorRun,
    ModuleProgress,
    ProgressCallback,
)
from sync_engine.runtime import Runtime
from sync_engine.zoho import attributed_to

__all__ = ["JOB_INCREMENTAL", "JOB_INITIAL", "MirrorOptions", "MirrorProgress", "ModuleProgress", "SyncReport",
           "mirror_progress", "sync_org"]


@dataclass(frozen=True)
class SyncReport:
    org_id: str
    phase: str  # "initial" while the first pull is under way (or finished in this call), else "incremental"
    ran: tuple[str, ...]  # the steps or polls run, e.g. ("coql:Leads",) or ("changes:Contacts", "users")
    written: int  # records inserted or replaced
    removed: int  # records deleted or converted in Zoho, removed from the mirror
    progress: MirrorProgress


def sync_org(rt: Runtime, org_id: str, now: datetime | None = None, *, options: MirrorOptions | None = None,
             on_progress: ProgressCallback | None = None) -> SyncReport:
    """Run what is due for the org's mirror at ``now`` (default: the current time): initial or incremental.

    ``now`` is the clock the schedule and cursors follow; pass the emulator's clock when simulating a day.
    An exception (from Zoho, or from ``on_progress``) leaves the mirror at its last commit, ready to resume.
    """
    run = MirrorRun.open(rt, org_id, now or datetime.now(UTC), options or MirrorOptions(), on_progress)
    if run.org_state.initial_finished_at is None:
        phase = "initial"
        with attributed_to(job=JOB_INITIAL):
            ran = run_initial(run)
    else:
        phase = "incremental"
        with attributed_to(job=JOB_INCREMENTAL):
            ran = run_incremental(run)
    return SyncReport(org_id, phase, tuple(ran), run.written, run.removed, run.progress(phase))


def mirror_progress(rt: Runtime, org_id: str) -> MirrorProgress:
    """Where the org's mirror stands, from its stored state (for a page drawing the bar between runs)."""
    run = MirrorRun.open(rt, org_id, datetime.now(UTC), MirrorOptions(), None)
    phase = "incremental" if run.org_state.initial_finished_at is not None else "initial"
    progress = run.progress(phase)
    return MirrorProgress(progress.org_id, phase, progress.modules, progress.credits_spent, 0.0, None)
