"""One mirror run for one org: its options, its progress report, and the write path every step shares.

:class:`MirrorProgress` is what the app draws as a progress bar: records done of records expected per
module, credits spent so far (from the credit ledger, so retries and polls count) and an estimate of
the time left from this run's own pace. It is handed to ``on_progress`` after every commit; an
exception raised there stops the run right after a commit, which is how tests simulate a crash.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sync_engine.mirror.plan import COQL_PAGE_ROWS, PollPlan
from sync_engine.records.contact_points import ContactPoint, record_points, record_regions, region_code
from sync_engine.records.streams import POINT_TYPES, STREAMS, Stream
from sync_engine.runtime import Runtime
from sync_engine.store.mirror.tables import Batch, MirrorTables, ModuleState, OrgMirrorState
from sync_engine.zoho import ZohoClient

JOB_INITIAL, JOB_INCREMENTAL = "mirror.initial", "mirror.incremental"


@dataclass(frozen=True)
class MirrorOptions:
    bulk_threshold: int | None = None  # force Bulk Read at or above this many records, COQL below
    coql_page_rows: int = COQL_PAGE_ROWS
    bulk_batch_rows: int = 10_000  # rows of a Bulk Read file per transaction
    plan: PollPlan | None = None  # None: the default plan, fitted to the org's budget
    wait: Callable[[float], None] = time.sleep  # how to wait for a Bulk Read job (tests advance a clock)


@dataclass(frozen=True)
class ModuleProgress:
    module: str
    method: str | None
    expected: int | None  # None until counted
    done: int
    finished: bool


@dataclass(frozen=True)
class MirrorProgress:
    org_id: str
    phase: str  # "initial" or "incremental"
    modules: tuple[ModuleProgress, ...]
    credits_spent: int  # by this phase's job, per the ledger
    elapsed_s: float  # of this run
    eta_s: float | None  # None until the pace is known

    @property
    def records_done(self) -> int:
        return sum(m.done for m in self.modules)

    @property
    def records_expected(self) -> int | None:
        if any(m.expected is None for m in self.modules):
            return None
        return sum(m.expected or 0 for m in self.modules)

    @property
    def fraction(self) -> float:
        """0..1 for a progress bar: finished modules count whole, the rest by records."""
        if self.modules and all(m.finished for m in self.modules):
            return 1.0
        expected = self.records_expected
        return min(0.99, self.records_done / expected) if expected else 0.0

    @property
    def finished_modules(self) -> list[str]:
        return [m.module for m in self.modules if m.finished]


ProgressCallback = Callable[[MirrorProgress], None]


@dataclass
class MirrorRun:
    rt: Runtime
    org_id: str
    now: datetime
    options: MirrorOptions
    on_progress: ProgressCallback | None
    tables: MirrorTables
    states: dict[str, ModuleState]
    started: float = field(default_factory=time.monotonic)
    done_at_start: int = 0
    written: int = 0
    removed: int = 0
    bulk_created: dict[str, float] = field(default_factory=dict)  # module -> monotonic time of job creation
    region: str | None = None  # default phone region: the org's country (GET /org)

    @classmethod
    def open(cls, rt: Runtime, org_id: str, now: datetime, options: MirrorOptions,
             on_progress: ProgressCallback | None) -> MirrorRun:
        tables = MirrorTables(rt.store)
        states = tables.module_states(org_id)
        return cls(rt, org_id, now, options, on_progress, tables, states,
                   done_at_start=sum(s.records_done for s in states.values()),
                   region=region_code(tables.org_state(org_id).country_code))

    @property
    def client(self) -> ZohoClient:
        return self.rt.client(self.org_id)

    @property
    def org_state(self) -> OrgMirrorState:
        return self.tables.org_state(self.org_id)

    def update_org_state(self, **changes: Any) -> None:
        self.tables.save_org_state(replace(self.org_state, **changes))

    def state(self, stream: Stream) -> ModuleState:
        return self.states.get(stream.module) or ModuleState(self.org_id, stream.module)

    def save_state(self, state: ModuleState) -> None:
        self.tables.save_module_state(state)
        self.states[state.module] = state

    def write(self, stream: Stream, state: ModuleState, records: Sequence[dict[str, Any]],
              removed: Sequence[str] = ()) -> None:
        """Commit records (converted leads among them become removals), their match keys and ``state``."""
        kept = [r for r in records if not stream.is_hidden(r)]
        gone = [r["id"] for r in records if stream.is_hidden(r)] + list(removed)
        self.tables.apply(stream, Batch(state, kept, self._points(state, kept), gone), self.now)
        self.states[state.module] = state
        self.written += len(kept)
        self.removed += len(gone)

    def _points(self, state: ModuleState, records: Sequence[dict[str, Any]]) -> list[tuple[str, ContactPoint]]:
        pairs = [(f.api_name, f.data_type) for f in state.fields if f.data_type in POINT_TYPES]
        return [(r["id"], p) for r in records
                for p in record_points(r, pairs, record_regions(r, state.module, self.region))]

    # -- progress ----------------------------------------------------------------------------------
    def progress(self, phase: str) -> MirrorProgress:
        modules = tuple(ModuleProgress(s.module, st.method, st.expected_count, st.records_done, st.finished)
                        for s in STREAMS for st in [self.state(s)])
        elapsed = time.monotonic() - self.started
        done_now = sum(m.done for m in modules)
        expected = sum(m.expected or 0 for m in modules)
        pace = (done_now - self.done_at_start) / elapsed if elapsed > 0 else 0.0
        eta = max(0.0, expected - done_now) / pace if pace > 0 else None
        return MirrorProgress(self.org_id, phase, modules, job_credits(self.rt, self.org_id, phase), elapsed, eta)

    def report(self, phase: str = "initial") -> None:
        if self.on_progress is not None:
            self.on_progress(self.progress(phase))


def job_credits(rt: Runtime, org_id: str, phase: str) -> int:
    """Credits the ledger holds for this org's mirror job of that phase, over its lifetime."""
    job = JOB_INITIAL if phase == "initial" else JOB_INCREMENTAL
    return next((s.credits for s in rt.ledger.by_job(org_id) if s.key == job), 0)
