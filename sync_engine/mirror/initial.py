"""The first pull of an org: every module by its cheapest method, resumable at any commit.

Order of work, chosen to overlap Zoho's waiting with ours: plan every module (field metadata and a
COQL ``COUNT``, 2 credits each), start every Bulk Read job, pull the COQL modules while the jobs run,
then collect the jobs. Each step commits its position with its rows (``MirrorRun.write``):

* COQL: ``last_id`` -- the next page asks ``id > last_id``, so a restart reads no committed page again.
* Bulk Read: the job id as soon as the job exists (a restart polls it instead of paying 50 credits
  for another), then ``bulk_rows_done`` with each batch of the downloaded file; a restart downloads
  the file again (1 credit) and skips what was committed. A job Zoho no longer knows is recreated;
  a job that FAILED falls back to COQL for its module.

Converted leads are not mirrored: COQL is told ``Converted__s = false`` and Bulk Read leaves them out,
as Zoho's list API does by default. A lead whose ``Converted__s`` is empty (imported by some tool that
way) would pass neither filter nor count, and the progress would say 100% with it missing; so leads
with an empty flag are counted first (all leads less the converted and the unconverted: 2 credits), and
when there are any, COQL reads every lead and leaves out the converted ones itself (``skips_converted``
False): the progress counts what is really read. The person is mirrored as the contact the lead
became, and the incremental sync removes a lead from the mirror when it is converted later.

Each module's change and deletion cursors start at the moment its pull was planned, less the settle
margin, so whatever changes while the (possibly hours-long) pull runs is caught by the first poll.
"""
from __future__ import annotations

import csv
import io
import logging
import time
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from sync_engine.mirror.incremental import SETTLE
from sync_engine.mirror.plan import choose_method, coql_page_limit
from sync_engine.mirror.reference import refresh_settings, refresh_users
from sync_engine.mirror.run import MirrorRun
from sync_engine.records.streams import STREAMS, Stream, converter, coql_columns
from sync_engine.store.mirror.tables import ModuleState
from sync_engine.zoho import ZohoError, coql_quote

log = logging.getLogger(__name__)

FIRST_POLL_S = 5.0  # Zoho needs seconds to minutes for a job; the first status poll waits this long
MAX_POLL_S = 60.0  # each poll costs a credit, so the wait between polls doubles up to this


def run_initial(run: MirrorRun) -> list[str]:
    """Do whatever is left of the initial sync; returns what ran ("plan:Contacts", "coql:Leads"...)."""
    ran: list[str] = []
    if run.org_state.initial_started_at is None:
        run.update_org_state(initial_started_at=run.now)
    if run.org_state.settings_refreshed_at is None:
        refresh_settings(run)
        ran.append("settings")
    if run.org_state.users_refreshed_at is None:
        refresh_users(run)
        ran.append("users")
    for stream in STREAMS:
        if not run.state(stream).planned:
            plan_module(run, stream)
            ran.append(f"plan:{stream.module}")
    run.report()
    for stream in _unfinished(run, "bulk"):
        if run.state(stream).bulk_job_id is None:
            start_bulk_job(run, stream, run.state(stream))
    for stream in _unfinished(run, "coql"):
        pull_coql(run, stream)
        ran.append(f"coql:{stream.module}")
    for stream in _unfinished(run, "bulk"):
        pull_bulk(run, stream)
        ran.append(f"bulk:{stream.module}")
    if all(run.state(s).finished for s in STREAMS):
        run.update_org_state(initial_finished_at=run.now)
    return ran


def _unfinished(run: MirrorRun, method: str) -> list[Stream]:
    return [s for s in STREAMS if run.state(s).method == method and not run.state(s).finished]


def plan_module(run: MirrorRun, stream: Stream) -> ModuleState:
    """Fields from Zoho's metadata, the record count, the method; committed before any record is read."""
    fields = stream.fields_from_metadata(run.client.fields(stream.module))
    count = count_records(run, stream)
    skips = None
    if stream.hides_converted:
        # COQL compares a boolean with = only: the empty ones are all less the true and the false ones
        total = _count(run, f"select COUNT(id) from {stream.module} where id is not null")
        converted = _count(run, f"select COUNT(id) from {stream.module} where Converted__s = true")
        unflagged = max(0, total - converted - count)
        skips, count = unflagged == 0, count + unflagged
    choice = choose_method(count, run.options.bulk_threshold)
    if skips is False and choice.method == "coql":  # read every lead, converted ones too (dropped as they come)
        count = total
    log.info("mirror %s %s: %s -> %s", run.org_id, stream.module, choice.reason, choice.method)
    cursor = run.now - SETTLE
    state = replace(run.state(stream), fields=fields, method=choice.method, method_reason=choice.reason,
                    expected_count=count, initial_started_at=run.now, changes_cursor=cursor, deletions_cursor=cursor,
                    skips_converted=skips)
    run.save_state(state)
    return state


def count_records(run: MirrorRun, stream: Stream) -> int:
    """COQL ``COUNT(id)``: 1 credit, where Zoho's record-count API is said to cost 50."""
    where = "Converted__s = false" if stream.hides_converted else "id is not null"
    return _count(run, f"select COUNT(id) from {stream.module} where {where}")


def _count(run: MirrorRun, query: str) -> int:
    result = run.client.coql(query)
    row = result.rows[0] if result.rows else {}
    return int(next(iter(row.values()), 0) or 0)


# -- COQL key pagination ------------------------------------------------------------------------------
def initial_query(stream: Stream, state: ModuleState, limit: int) -> str:
    where = "id is not null" if state.last_id is None else f"id > {coql_quote(state.last_id)}"
    if stream.hides_converted and state.skips_converted is not False:
        where = f"(Converted__s = false and {where})"
    return f"select {coql_columns(state.fields)} from {stream.module} where {where} order by id asc limit {limit}"


def pull_coql(run: MirrorRun, stream: Stream) -> None:
    state = run.state(stream)
    convert = converter(state.fields)
    while not state.finished:
        remaining = max(1, (state.expected_count or 0) - state.records_done)
        result = run.client.coql(initial_query(stream, state, coql_page_limit(remaining, run.options.coql_page_rows)))
        records = [convert(row) for row in result.rows]
        state = replace(state, records_done=state.records_done + len(records),
                        last_id=records[-1]["id"] if records else state.last_id,
                        initial_finished_at=None if result.more_records and records else run.now)
        run.write(stream, state, records)
        run.report()


# -- Bulk Read ----------------------------------------------------------------------------------------
def start_bulk_job(run: MirrorRun, stream: Stream, state: ModuleState) -> ModuleState:
    """Create the job for the state's page (50 credits) and commit its id at once."""
    details = run.client.bulk_read_create(
        stream.module, fields=[f.api_name for f in state.fields],
        page=None if state.bulk_page_token else state.bulk_page, page_token=state.bulk_page_token)
    state = replace(state, bulk_job_id=str(details["id"]), bulk_rows_done=0)
    run.save_state(state)
    run.bulk_created[stream.module] = time.monotonic()
    return state


def pull_bulk(run: MirrorRun, stream: Stream) -> None:
    state = run.state(stream)
    while not state.finished:
        if state.bulk_job_id is None:
            state = start_bulk_job(run, stream, state)
        job = await_job(run, stream, state)
        if job is not None and job.get("state") == "FAILURE":
            _fall_back_to_coql(run, stream, state, job)
            return
        if job is not None:
            state = read_job_file(run, stream, state)
        if job is None or state.bulk_job_id is None:  # Zoho no longer knows the job: create it again
            state = replace(state, bulk_job_id=None, bulk_rows_done=0)
        else:
            state = _after_page(run, state, job.get("result") or {})
        run.save_state(state)
        run.report()


def _after_page(run: MirrorRun, state: ModuleState, result: dict[str, Any]) -> ModuleState:
    """The next job page to read, or the module finished."""
    more = bool(result.get("more_records"))
    return replace(state, bulk_job_id=None, bulk_rows_done=0, bulk_page=state.bulk_page + int(more),
                   bulk_page_token=result.get("next_page_token") if more else None,
                   initial_finished_at=None if more else run.now)


def await_job(run: MirrorRun, stream: Stream, state: ModuleState) -> dict[str, Any] | None:
    """Poll until the job is COMPLETED or FAILURE; None when Zoho does not know it (expired, purged)."""
    created = run.bulk_created.get(stream.module)
    delay = max(0.0, FIRST_POLL_S - (time.monotonic() - created)) if created is not None else 0.0
    while True:
        if delay > 0:
            run.options.wait(delay)
        try:
            job = run.client.bulk_read_status(state.bulk_job_id or "")
        except ZohoError as err:
            if err.code == "RESOURCE_NOT_FOUND":
                return None
            raise
        if job.get("state") in ("COMPLETED", "FAILURE"):
            return job
        delay = min(MAX_POLL_S, max(FIRST_POLL_S, delay * 2))


def read_job_file(run: MirrorRun, stream: Stream, state: ModuleState) -> ModuleState:
    """Download the job's CSV and commit it in batches, skipping the rows a previous run committed."""
    try:
        content = run.client.bulk_read_download(state.bulk_job_id or "")
    except ZohoError as err:
        if err.code != "RESOURCE_NOT_FOUND":
            raise
        return replace(state, bulk_job_id=None)
    convert, batch = converter(state.fields), []
    for index, row in enumerate(_csv_rows(content)):
        if index < state.bulk_rows_done:
            continue
        batch.append(convert(row))
        if len(batch) >= run.options.bulk_batch_rows:
            state = _commit_bulk_batch(run, stream, state, batch)
            batch = []
    return _commit_bulk_batch(run, stream, state, batch) if batch else state


def _commit_bulk_batch(run: MirrorRun, stream: Stream, state: ModuleState, batch: list[dict[str, Any]]) -> ModuleState:
    state = replace(state, bulk_rows_done=state.bulk_rows_done + len(batch),
                    records_done=state.records_done + len(batch), last_id=batch[-1]["id"])
    run.write(stream, state, batch)
    run.report()
    return state


def _csv_rows(content: bytes) -> Iterator[dict[str, str]]:
    """The rows of the one CSV in a Bulk Read ZIP, streamed (a page can hold 200,000 records)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        name = next(n for n in archive.namelist() if n.lower().endswith(".csv"))
        with archive.open(name) as raw:
            yield from csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""))


def _fall_back_to_coql(run: MirrorRun, stream: Stream, state: ModuleState, job: dict[str, Any]) -> None:
    error = (job.get("result") or {}).get("error_message") or {}
    reason = f"Bulk Read job {state.bulk_job_id} failed ({error.get('code') or 'FAILURE'}); COQL instead"
    log.warning("mirror %s %s: %s", run.org_id, stream.module, reason)
    run.save_state(replace(state, method="coql", method_reason=reason, bulk_job_id=None, bulk_rows_done=0,
                           records_done=0, last_id=None))
    pull_coql(run, stream)
