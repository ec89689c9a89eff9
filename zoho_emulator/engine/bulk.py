"""Bulk Read (zoho-api.md §5) as plain objects: jobs, JSON criteria, the CSV in a ZIP, state by the clock.

Sources: https://www.zoho.com/crm/developer/docs/api/v8/bulk-read/overview.html, .../create-job.html,
.../job-details.html, .../download-result.html, https://www.zoho.com/crm/developer/docs/api/bulk-read/limitations.html
and github.com/zoho/crm-oas ``v8.0/bulk_read/bulk_read.yaml`` (the error codes used below).

Choices the docs leave open, made here on purpose:

* **Snapshot at creation.** The matching records are chosen and rendered to CSV cells when the job is
  created, so a job exports the data as it stood then. The ZIP is built once, the first time the job
  is seen COMPLETED, and the cells are then dropped.
* **No real waiting.** State follows the emulator clock: QUEUED from creation (the create response
  itself says ADDED), IN PROGRESS one second later, COMPLETED ``2 s + 1 s per 50,000 rows`` after
  creation (4 s for 100,000 rows, 6 s for a full page). Freeze the clock and advance it
  (``POST /__emulator/clock``) to step through the states.
* **Callbacks.** When a job is first seen COMPLETED or FAILURE -- by a status or download call, or by a
  ticker thread that watches the clock while callbacks are pending -- the job JSON (the element of
  the status call's ``data``) is POSTed once, from a daemon thread, and only to http(s) URLs on
  127.0.0.1/localhost/::1; other hosts are accepted but never contacted. Failures are ignored.
* Converted leads are left out, as Get Records and Search leave them out by default (guessed).
* An empty value never matches a positive comparator and always matches a negative one
  (``not_equal``, ``not_in``, ``not_contains``, ``not_between``); text comparisons ignore case (guessed).
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import threading
import time
import urllib.request
import zipfile
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlparse

from zoho_emulator.engine.bulk_criteria import Getter, Predicate, cell, compile_criteria, resolve_field
from zoho_emulator.engine.errors import ZohoError
from zoho_emulator.engine.listing import PageTokens
from zoho_emulator.engine.render import iso, zone
from zoho_emulator.model.org import User
from zoho_emulator.model.schema import MODULES, FieldDef

PER_PAGE = 200_000
QUEUED_FOR = timedelta(seconds=1)
RUN_BASE_S, ROWS_PER_SECOND = 1, 50_000
DOWNLOADS_PER_MINUTE = 10
TICKER_PERIOD_S, TICKER_LIFETIME_S = 0.2, 900.0
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
NOT_EXPORTABLE = frozenset({"Notes", "Attachments", "Emails"})  # limitations page


def page_window(offset: int, per_page: int, total: int) -> tuple[int, int, bool]:
    """Rows [start, end) of one job page and whether more rows follow it."""
    end = min(offset + per_page, total)
    return offset, max(offset, end), offset + per_page < total


@dataclass
class Prepared:
    """A validated create request: what to export, before credits are spent."""

    module: str
    columns: list[str]
    getters: list[tuple[FieldDef, Getter]]
    predicate: Predicate | None
    offset: int
    page: int
    binding: str
    query: dict[str, Any]


@dataclass
class BulkJob:
    id: str
    module: str
    query: dict[str, Any]  # as the status call echoes it
    created_by: dict[str, str]
    created_time: datetime
    tz_name: str
    callback: dict[str, str] | None
    page: int
    per_page: int
    header: list[str]
    rows: list[list[str]] | None
    count: int
    more_records: bool
    next_page_token: str | None = None
    failure: dict[str, Any] | None = None
    zip_bytes: bytes | None = None
    callback_state: str = "none"  # none | pending | sending | sent | failed | skipped (not a local host)

    @property
    def done_at(self) -> datetime:
        return self.created_time + QUEUED_FOR + timedelta(
            seconds=RUN_BASE_S + math.ceil(self.count / ROWS_PER_SECOND))

    def state_at(self, now: datetime) -> str:
        if self.failure is not None:
            return "FAILURE"
        if now >= self.done_at:
            return "COMPLETED"
        return "IN PROGRESS" if now >= self.created_time + QUEUED_FOR else "QUEUED"

    def to_json(self, now: datetime, tz: Any) -> dict[str, Any]:
        state = self.state_at(now)
        out: dict[str, Any] = {"id": self.id, "operation": "read", "state": state, "query": self.query,
                               "created_by": self.created_by, "created_time": iso(self.created_time, tz),
                               "file_type": "csv"}
        if state == "COMPLETED":
            out["result"] = {"page": self.page, "per_page": self.per_page, "count": self.count,
                             "download_url": f"/crm/bulk/v8/read/{self.id}/result",
                             "more_records": self.more_records}
            if self.next_page_token:
                out["result"]["next_page_token"] = self.next_page_token
        elif state == "FAILURE":
            out["result"] = {"error_message": self.failure}
        return out


def build_zip(job: BulkJob) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(job.header)
    writer.writerows(job.rows or [])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{job.id}.csv", text.getvalue())
    return buffer.getvalue()


def is_local(url: str) -> bool:
    return urlparse(url).hostname in LOCAL_HOSTS


class BulkJobs:
    """The org's bulk read jobs, page tokens and download throttle (kept in ``state.extras["bulk"]``)."""

    def __init__(self, state: Any) -> None:
        self.state = state
        self.per_page = PER_PAGE  # tests may shrink it to show paging without 200,001 records
        self.jobs: dict[str, BulkJob] = {}
        self.tokens = PageTokens()
        self._downloads: deque[datetime] = deque()
        self._lock = threading.RLock()
        self._ticker: threading.Thread | None = None

    def prepare(self, module: str, fields: list[str] | None, criteria: Any, page: int | None,
                page_token: str | None, user_id: str, now: datetime) -> Prepared:
        data = self.state.data
        columns = ["id", *dict.fromkeys(f for f in (fields or [f.api_name for f in MODULES[module].fields])
                                        if f != "id")]
        getters = []
        for name in columns:
            resolved = resolve_field(data, module, name)
            if resolved is None:
                raise ZohoError("FIELD_NOT_AVAILABLE", "the field given is not available", {"api_name": name})
            getters.append(resolved)
        predicate = compile_criteria(data, module, criteria) if criteria is not None else None
        binding = hashlib.sha256(json.dumps([module, fields, criteria], sort_keys=True, default=str)
                                 .encode()).hexdigest()
        if page_token is not None:
            if page is not None:
                raise ZohoError("AMBIGUITY_DURING_PROCESSING", "page and page_token cannot be used together",
                                {"ambiguity_due_to": [{"param_name": "page"}, {"param_name": "page_token"}]})
            position = self.tokens.resolve(page_token, user_id, binding, now)
            offset, page = position.offset, position.page
        else:
            page = page or 1
            offset = (page - 1) * self.per_page
        query: dict[str, Any] = {"module": {"id": MODULES[module].module_id, "api_name": module}, "page": page}
        if fields:
            query["fields"] = list(fields)
        if criteria is not None:
            query["criteria"] = criteria
        return Prepared(module, columns, getters, predicate, offset, page, binding, query)

    def create(self, plan: Prepared, user: User, now: datetime, tz_name: str,
               callback: dict[str, str] | None) -> BulkJob:
        data, tz = self.state.data, zone(tz_name)
        with data.lock:
            rows = list(data.table(plan.module))
        matches = [r for r in rows if not (plan.module == "Leads" and r.get("Converted__s"))
                   and (plan.predicate is None or plan.predicate(r))]
        start, end, more = page_window(plan.offset, self.per_page, len(matches))
        cells = [[cell(fd, get(r), tz) for fd, get in plan.getters] for r in matches[start:end]]
        job = BulkJob(data.ids.next(), plan.module, plan.query, {"id": user.id, "name": user.full_name}, now,
                      tz_name, callback, plan.page, self.per_page, plan.columns, cells, len(cells), more)
        if more:
            job.next_page_token = self.tokens.issue(user.id, plan.binding, end, plan.page + 1, now)
        if callback:
            job.callback_state = "pending" if is_local(callback["url"]) else "skipped"
        with self._lock:
            self.jobs[job.id] = job
            if job.callback_state == "pending" and self._ticker is None:
                self._ticker = threading.Thread(target=self._tick, name="zoho-bulk-callbacks", daemon=True)
                self._ticker.start()
        return job

    def get(self, job_id: str) -> BulkJob | None:
        with self._lock:
            return self.jobs.get(job_id)

    def refresh(self, job: BulkJob) -> str:
        """The job's state now; builds the ZIP and sends the callback the first time it is done."""
        now = self.state.clock.now()
        with self._lock:
            state = job.state_at(now)
            if state == "COMPLETED" and job.zip_bytes is None:
                job.zip_bytes, job.rows = build_zip(job), None
            if state in ("COMPLETED", "FAILURE") and job.callback_state == "pending":
                job.callback_state = "sending"
                payload = job.to_json(now, zone(job.tz_name))
                threading.Thread(target=self._deliver, args=(job, payload), daemon=True).start()
        return state

    def fail(self, job_id: str, code: str = "INTERNAL_ERROR", message: str = "Internal Server Error") -> BulkJob:
        """Make a not yet completed job end in FAILURE (for client tests; Zoho gives no such switch)."""
        job = self.get(job_id)
        if job is None or job.state_at(self.state.clock.now()) == "COMPLETED":
            raise KeyError(f"no unfinished bulk read job {job_id}")
        job.failure = ZohoError(code, message).body()
        self.refresh(job)
        return job

    def allow_download(self, now: datetime) -> bool:
        """At most 10 downloads in any minute per org; refused ones do not count."""
        with self._lock:
            while self._downloads and now - self._downloads[0] >= timedelta(minutes=1):
                self._downloads.popleft()
            if len(self._downloads) >= DOWNLOADS_PER_MINUTE:
                return False
            self._downloads.append(now)
            return True

    def _deliver(self, job: BulkJob, payload: dict[str, Any]) -> None:
        assert job.callback is not None
        request = urllib.request.Request(job.callback["url"], data=json.dumps(payload).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
        try:
            with opener.open(request, timeout=5) as response:
                response.read()
            job.callback_state = "sent"
        except (OSError, ValueError):
            job.callback_state = "failed"

    def _tick(self) -> None:
        """Watch the clock while callbacks are pending, so a client that only waits still hears back."""
        deadline = time.monotonic() + TICKER_LIFETIME_S
        while True:
            time.sleep(TICKER_PERIOD_S)
            with self._lock:
                pending = [j for j in self.jobs.values() if j.callback_state == "pending"]
                if not pending or time.monotonic() > deadline:
                    self._ticker = None
                    return
            for job in pending:
                self.refresh(job)


def registry(state: Any) -> BulkJobs:
    jobs = state.extras.get("bulk")
    if jobs is None:
        jobs = state.extras.setdefault("bulk", BulkJobs(state))
    return jobs
