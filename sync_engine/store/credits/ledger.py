"""The credit ledger: one row per HTTP attempt to Zoho, and the sums the budget and dashboard need.

Zoho charges credits per call and shows usage only per OAuth user (always the admin), so this is the
only place that can say which user, job and API spent them. It must hold every call, a crash
included: ``record`` is the client's observer, told before each attempt leaves (*sent*, at its
expected price) and again when its answer comes. It is called on the request path of many threads,
so it only appends the event to this process's write-ahead journal (``ledger_journal``: a ``kill -9``
loses nothing written there) and the answered call to a buffer; batches reach DuckDB when the buffer
is full, every ``flush_interval_s`` from a background thread, on ``flush()`` and on ``close()``. A
failed write puts the batch back to be retried. Opening a ledger replays the journals of processes
that died: their answered calls as they were, and calls whose answer is unknown at their expected
price with ``answered`` false -- shown as such by ``unanswered``.

Ledger rows are written in their own transactions, never in a caller's: credits are spent whether or
not the work that spent them commits. Queries flush first, so they see every call recorded before
them, and return small frozen dataclasses (aggregates, never raw rows) that pandas turns into a
frame with ``pd.DataFrame(result)``.

Raw rows are kept for ``RAW_RETENTION``; ``roll_up`` folds older ones into daily sums, and every read
but ``used_last_24h`` goes through the view ``credit_spend`` over both (see ``ledger_rollup``).
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sync_engine.store.credits.journal import Journal, orphans
from sync_engine.store.credits.rollup import Rollup, roll_up
from sync_engine.zoho.calls import ApiCall

if TYPE_CHECKING:  # db imports the migrations, which import the store's DDL
    from sync_engine.store.db import Store

log = logging.getLogger(__name__)

BUCKETS = {"minute": "1 minute", "hour": "1 hour", "day": "1 day", "week": "1 week"}
_INSERT = """
INSERT INTO credit_ledger
SELECT unnest($org_id::VARCHAR[]), unnest($called_at::TIMESTAMPTZ[]), unnest($method::VARCHAR[]),
       unnest($api::VARCHAR[]), unnest($path::VARCHAR[]), unnest($module::VARCHAR[]),
       unnest($http_status::SMALLINT[]), unnest($zoho_code::VARCHAR[]), unnest($credits::INTEGER[]),
       unnest($latency_ms::DOUBLE[]), unnest($job::VARCHAR[]), unnest($attributed_user::VARCHAR[]),
       unnest($call_id::VARCHAR[]), unnest($answered::BOOLEAN[])
"""


@dataclass(frozen=True)
class CreditSum:
    """Credits and calls for one user, job, API or org (``key`` is None for "none given")."""

    key: str | None
    credits: int
    calls: int
    failed_calls: int  # no answer, an HTTP error, or a Zoho error code


@dataclass(frozen=True)
class Unanswered:
    """Calls that left and whose answer was never written (a crash): counted at their expected price."""

    calls: int
    credits: int

    def describe(self) -> str:
        """One sentence for pages and the CLI; empty when there are none."""
        if not self.calls:
            return ""
        return (f"{self.calls:,} call(s) whose answer is unknown (no answer came, or a process stopped "
                f"while waiting) are counted "
                f"at their expected {self.credits:,} credit(s): Zoho may have charged less.")


@dataclass(frozen=True)
class CreditBucket:
    start: datetime  # the bucket's first instant, UTC
    credits: int
    calls: int


def journal_directory(store: Store) -> Path:
    return store.path.with_name(f"{store.path.name}.ledger-journal")


class Ledger:
    def __init__(self, store: Store, batch_size: int = 500, flush_interval_s: float | None = 1.0,
                 journal: bool = True) -> None:
        self._store = store
        self._batch_size = batch_size
        self._pending: list[ApiCall] = []
        self._open: dict[str, ApiCall] = {}  # sent, not answered yet
        self._journal: Journal | None = None
        self.recovered = 0  # rows written at opening from the journals of processes that died
        if journal:
            self.recovered = self._recover(journal_directory(store))
            self._journal = Journal(journal_directory(store))
        self._lock = threading.Lock()  # guards _pending, _open, the journal and _closed; never held during DB I/O
        self._flush_lock = threading.Lock()  # one flush at a time, so flush() returning means written
        self._closed = False
        self._stop = threading.Event()
        self._flusher: threading.Thread | None = None
        if flush_interval_s is not None:
            self._flusher = threading.Thread(target=self._flush_periodically, args=(flush_interval_s,),
                                             name="credit-ledger-flush", daemon=True)
            self._flusher.start()

    # -- writing ---------------------------------------------------------------------------------

    def record(self, call: ApiCall) -> None:
        """Account for one HTTP attempt: leaving (``settled`` False) or settled. Cheap (one append to the
        journal, ~10 µs) and never raises for a storage problem."""
        with self._lock:
            if self._journal is not None:
                try:
                    self._journal.append(call)
                except OSError:
                    log.exception("could not journal a call; it is kept in memory until the next flush")
            if not call.settled:
                if call.call_id is not None:
                    self._open[call.call_id] = call
                return
            if call.call_id is not None:
                self._open.pop(call.call_id, None)
            self._pending.append(call)
            full = len(self._pending) >= self._batch_size or self._closed
        if full:
            self._flush_quietly(blocking=self._closed)

    __call__ = record  # a Ledger is a zoho.calls.CallObserver

    def flush(self) -> int:
        """Write every call recorded so far; return how many rows were written."""
        if self._store.in_transaction:
            raise RuntimeError("flush the ledger outside a store transaction: its rows must not roll back with it")
        with self._flush_lock:
            return self._write_pending()

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def close(self) -> None:
        """Stop the background flusher and write what is left. Calls recorded later are written at once."""
        if self._store.in_transaction:
            raise RuntimeError("close the ledger outside a store transaction: its flusher may be waiting for it")
        with self._lock:
            self._closed = True
        self._stop.set()
        if self._flusher is not None:
            self._flusher.join()
        with self._lock:  # left open at a clean close: sent, and no answer will be written
            self._pending.extend(replace(call, settled=True) for call in self._open.values())
            self._open.clear()
        self.flush()
        if self._journal is not None:
            with self._lock:
                self._journal.close()
                self._journal = None

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _insert(self, batch: list[ApiCall]) -> None:
        columns: dict[str, list[Any]] = {
            "org_id": [c.org_id for c in batch], "called_at": [_as_utc(c.at) for c in batch],
            "method": [c.method for c in batch], "api": [c.api for c in batch], "path": [c.path for c in batch],
            "module": [c.module for c in batch], "http_status": [c.http_status for c in batch],
            "zoho_code": [c.zoho_code for c in batch], "credits": [c.credits for c in batch],
            "latency_ms": [float(c.latency_ms) for c in batch], "job": [c.job for c in batch],
            "attributed_user": [c.user for c in batch], "call_id": [c.call_id for c in batch],
            "answered": [c.answered for c in batch]}
        with self._store.transaction() as cursor:
            cursor.execute(_INSERT, columns)

    def _write_pending(self) -> int:
        """Called with ``_flush_lock`` held; a failed batch goes back to the front of the buffer."""
        with self._lock:
            batch, self._pending = self._pending, []
            segment = self._journal.rotate(list(self._open.values())) if batch and self._journal else None
        if not batch:
            return 0
        try:
            self._insert(batch)
        except BaseException:
            with self._lock:
                self._pending[:0] = batch
                if self._journal is not None:  # the old segment goes: its answers are journalled again
                    for call in batch:
                        self._journal.append(call)
            raise
        finally:
            if segment is not None:
                Journal.discard(segment)
        return len(batch)

    def _recover(self, directory: Path) -> int:
        """Write what dead processes journalled and DuckDB lacks; returns the rows added."""
        added = 0
        for found in orphans(directory):
            calls = found.answered + found.unanswered
            ids = [c.call_id for c in calls]
            known = {r[0] for r in self._store.query(
                "SELECT call_id FROM credit_ledger WHERE call_id IN (SELECT unnest(?::VARCHAR[]))", [ids])}
            missing = [c for c in calls if c.call_id not in known]
            if missing:
                self._insert(missing)
                log.warning("credit ledger: %d calls of a process that stopped without flushing were recovered "
                            "(%d whose answer is unknown, counted at their expected price)",
                            len(missing), sum(not c.answered for c in missing))
            added += len(missing)
            for path in found.files:
                path.unlink(missing_ok=True)
        return added

    def _flush_quietly(self, blocking: bool) -> None:
        if self._store.in_transaction:
            return  # this thread holds the write lock: leave the batch to the flusher thread
        if not self._flush_lock.acquire(blocking=blocking):
            return  # another thread is writing; what it did not take goes with the next flush
        try:
            self._write_pending()
        except Exception:
            log.exception("could not write %d credit-ledger rows; they stay buffered and are retried",
                          self.pending)
        finally:
            self._flush_lock.release()

    def _flush_periodically(self, interval_s: float) -> None:
        while not self._stop.wait(interval_s):
            self._flush_quietly(blocking=True)

    # -- rolling up ------------------------------------------------------------------------------

    def roll_up(self, org_id: str, now: datetime) -> Rollup:
        """Fold the org's rows older than ``RAW_RETENTION`` into daily sums; running it again changes nothing."""
        self.flush()  # a buffered call of a day being folded goes with its day
        return roll_up(self._store, org_id, _as_utc(now, "now"))

    # -- reading ---------------------------------------------------------------------------------

    def total(self, org_id: str, since: datetime | None = None, until: datetime | None = None) -> int:
        """Credits charged to the org in [since, until) (a rolled-up day counts at its 00:00 UTC)."""
        where, params = _window(org_id, since, until)
        return int(self._one(f"SELECT coalesce(sum(credits), 0) FROM credit_spend WHERE {where}", params))

    def unanswered(self, org_id: str, since: datetime | None = None, until: datetime | None = None) -> Unanswered:
        """Calls in [since, until) whose answer is unknown (no answer came, or a process died waiting),
        at their expected price."""
        where, params = _window(org_id, since, until)
        self._flush_for_read()
        calls, credits = self._store.query(
            f"SELECT count(*), coalesce(sum(credits), 0) FROM credit_ledger WHERE {where} AND NOT answered",
            params)[0]
        return Unanswered(int(calls), int(credits))

    def used_last_24h(self, org_id: str, now: datetime) -> int:
        """Credits in Zoho's rolling window (now - 24 h, now], the figure the daily limit applies to."""
        self._flush_for_read()
        end = _as_utc(now, "now")
        return int(self._one(
            "SELECT coalesce(sum(credits), 0) FROM credit_ledger "
            "WHERE org_id = $org_id AND called_at > $start AND called_at <= $end",
            {"org_id": org_id, "start": end - timedelta(hours=24), "end": end}))

    def by_user(self, org_id: str, since: datetime | None = None, until: datetime | None = None) -> list[CreditSum]:
        """Per attributed user; ``key`` None is org-wide work (see ``by_job`` for which)."""
        return self._sums("attributed_user", org_id, since, until)

    def by_job(self, org_id: str, since: datetime | None = None, until: datetime | None = None) -> list[CreditSum]:
        return self._sums("job", org_id, since, until)

    def by_api(self, org_id: str, since: datetime | None = None, until: datetime | None = None) -> list[CreditSum]:
        return self._sums("api", org_id, since, until)

    def by_org(self, since: datetime | None = None, until: datetime | None = None) -> list[CreditSum]:
        """Every org side by side, for CSMs."""
        return self._sums("org_id", None, since, until)

    def series(self, org_id: str, since: datetime, bucket: str = "hour",
               until: datetime | None = None) -> list[CreditBucket]:
        """Credits per bucket over [since, until) (default until: now); empty buckets are zeros, not gaps.

        A rolled-up day has no hours: below ``day``, its sums fall in the bucket of its 00:00 UTC.
        """
        if bucket not in BUCKETS:
            raise ValueError(f"bucket must be one of {', '.join(BUCKETS)}, not {bucket!r}")
        end = datetime.now(UTC) if until is None else until
        where, params = _window(org_id, since, end)
        if params["until"] <= params["since"]:
            return []
        self._flush_for_read()
        rows = self._store.query(f"""
            WITH buckets AS (
                SELECT unnest(generate_series(date_trunc($bucket, $since),
                                              date_trunc($bucket, $until - INTERVAL 1 MICROSECOND),
                                              $step::INTERVAL)) AS start),
            spent AS (
                SELECT date_trunc($bucket, called_at) AS start, sum(credits) AS credits, sum(calls) AS calls
                FROM credit_spend WHERE {where} GROUP BY ALL)
            SELECT b.start, coalesce(s.credits, 0), coalesce(s.calls, 0)
            FROM buckets b LEFT JOIN spent s USING (start) ORDER BY b.start""",
            {**params, "bucket": bucket, "step": BUCKETS[bucket]})
        return [CreditBucket(start, int(credits), int(calls)) for start, credits, calls in rows]

    def _sums(self, column: str, org_id: str | None, since: datetime | None, until: datetime | None) -> list[CreditSum]:
        where, params = _window(org_id, since, until)
        self._flush_for_read()
        rows = self._store.query(
            f"SELECT {column}, sum(credits), sum(calls), sum(failed_calls) "
            f"FROM credit_spend WHERE {where} GROUP BY {column} ORDER BY 2 DESC, 1 NULLS LAST", params)
        return [CreditSum(key, int(credits), int(calls), int(failed)) for key, credits, calls, failed in rows]

    def _one(self, sql: str, params: dict[str, Any]) -> Any:
        self._flush_for_read()
        return self._store.query(sql, params)[0][0]

    def _flush_for_read(self) -> None:
        if not self._store.in_transaction:
            self.flush()


def _window(org_id: str | None, since: datetime | None, until: datetime | None) -> tuple[str, dict[str, Any]]:
    clauses = ["true"]
    params: dict[str, Any] = {}
    if org_id is not None:
        clauses.append("org_id = $org_id")
        params["org_id"] = org_id
    if since is not None:
        clauses.append("called_at >= $since")
        params["since"] = _as_utc(since, "since")
    if until is not None:
        clauses.append("called_at < $until")
        params["until"] = _as_utc(until, "until")
    return " AND ".join(clauses), params


def _as_utc(moment: datetime, name: str | None = None) -> datetime:
    """Aware datetimes only in queries: a naive one would silently mean the server's zone to someone."""
    if moment.tzinfo is None:
        if name is not None:
            raise ValueError(f"{name} must be timezone-aware (UTC), got {moment.isoformat()}")
        return moment.replace(tzinfo=UTC)  # a recorded call is never refused; ApiCall.at is UTC
    return moment.astimezone(UTC)
