"""What each scheduled job did: when, how long, the outcome, the error, the credits it spent."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # db imports the migrations, which import this table's DDL
    from sync_engine.store.db import Store

JOB_RUNS = """
CREATE TABLE job_runs (
    org_id       VARCHAR NOT NULL,
    job          VARCHAR NOT NULL,      -- e.g. "mirror", "users.refresh"
    started_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ NOT NULL,
    outcome      VARCHAR NOT NULL CHECK (outcome IN ('ok', 'failed', 'skipped')),
    error        VARCHAR,
    credits      INTEGER NOT NULL,
    detail       VARCHAR
);
CREATE INDEX job_runs_by_job ON job_runs (org_id, job, started_at);
"""


@dataclass(frozen=True)
class JobRun:
    org_id: str
    job: str
    started_at: datetime
    finished_at: datetime
    outcome: str
    error: str | None
    credits: int
    detail: str | None = None

    @property
    def duration_s(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()


class JobRuns:
    def __init__(self, store: Store) -> None:
        self._store = store

    def add(self, run: JobRun) -> None:
        with self._store.transaction() as cur:
            cur.execute("INSERT INTO job_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [run.org_id, run.job, run.started_at, run.finished_at, run.outcome,
                         (run.error or "")[:2000] or None, run.credits, run.detail])

    def latest(self, org_id: str | None = None) -> list[JobRun]:
        """The last run of every job (of one org, or of all)."""
        where, params = ("WHERE org_id = ?", [org_id]) if org_id else ("", [])
        with self._store.reading() as cur:
            rows = cur.execute(
                "SELECT org_id, job, started_at, finished_at, outcome, error, credits, detail FROM ("
                "  SELECT *, row_number() OVER (PARTITION BY org_id, job ORDER BY started_at DESC) AS n "
                f"  FROM job_runs {where}) WHERE n = 1 ORDER BY org_id, job", params).fetchall()
        return [JobRun(*row) for row in rows]

    def history(self, org_id: str, job: str | None = None, limit: int = 50) -> list[JobRun]:
        params: list[object] = [org_id]
        extra = ""
        if job:
            extra, params = " AND job = ?", [org_id, job]
        with self._store.reading() as cur:
            rows = cur.execute("SELECT org_id, job, started_at, finished_at, outcome, error, credits, detail "
                               f"FROM job_runs WHERE org_id = ?{extra} ORDER BY started_at DESC LIMIT ?",
                               [*params, limit]).fetchall()
        return [JobRun(*row) for row in rows]
