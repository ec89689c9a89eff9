"""Keeping the mirror current: changed records, deletions, users and settings, each when its poll is due.

**Changes, by COQL on Modified_Time.** ``select … where Modified_Time >= 'cursor' order by Modified_Time
asc, id asc``. A first page of LIMIT 200 costs 1 credit and holds a normal cycle's changes; further
pages go to LIMIT 2,000 (3 credits). If-Modified-Since list reads cost the same 1 credit for the first
200 rows (and for a 304), but 10 credits per 2,000 after, and cannot resume inside a timestamp, so
COQL is never dearer. COQL also returns converted leads, which is how a conversion is noticed: the
lead then leaves the mirror.

**Never skipping records that share one Modified_Time.** Zoho's times have one-second resolution and
its filter is inclusive, and a bulk import or mass update gives thousands of records the same second.
Three rules together:

1. Inside one poll, pages continue by the key (Modified_Time, id):
   ``((Modified_Time = 'T' and id > 'last') or Modified_Time > 'T')``, so a page boundary inside a
   second loses nothing and reads nothing twice.
2. The cursor never passes a second that may still gain records. A write can become visible a
   little after the second it is stamped with, so a second counts as settled only :data:`SETTLE` after
   it began, by our clock (which also absorbs modest clock skew with Zoho). After a complete poll
   the cursor moves to ``min(now - SETTLE, ...)``; mid-poll to the last page's Modified_Time (everything
   before it has been read), never beyond ``now - SETTLE``. The cursor is committed with each page.
3. Because the cursor is inclusive and lags, the next poll reads the last ``SETTLE`` of changes again.
   A re-read row is de-duplicated against the mirror by id and Modified_Time -- and by content, since a
   record edited twice within one second keeps its Modified_Time: only a row that differs is rewritten.

**Deletions.** ``GET /{module}/deleted`` (2 credits a page) with If-Modified-Since on its own cursor,
moved the same way; deleting is idempotent, so re-reading the settle window costs nothing but the call.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sync_engine.mirror.plan import CHANGES, DELETIONS, SETTINGS, USERS, PollPlan, Task, mirror_budget, plan_for_budget
from sync_engine.mirror.reference import refresh_settings, refresh_users
from sync_engine.mirror.run import MirrorRun
from sync_engine.records.streams import STREAMS_BY_MODULE, Stream, converter, coql_columns, modified_time
from sync_engine.store.mirror.tables import ModuleState
from sync_engine.zoho import coql_quote

SETTLE = timedelta(minutes=2)
FIRST_PAGE_LIMIT = 200  # 1 credit, and enough for a five-minute cycle's changes
NEXT_PAGE_LIMIT = 2_000  # 3 credits: the cheapest rows per credit once a poll needs more than one page


def run_incremental(run: MirrorRun) -> list[str]:
    """Run every poll that is due at ``run.now``; returns their names."""
    plan = run.options.plan or default_plan(run)
    tasks = plan.due(last_runs(run), run.now)
    for task in tasks:
        if task.kind == CHANGES and task.module in STREAMS_BY_MODULE:
            poll_changes(run, STREAMS_BY_MODULE[task.module])
        elif task.kind == DELETIONS and task.module in STREAMS_BY_MODULE:
            poll_deletions(run, STREAMS_BY_MODULE[task.module])
        elif task.kind == USERS:
            refresh_users(run)
        elif task.kind == SETTINGS:
            refresh_settings(run)
    return [str(t) for t in tasks]


def default_plan(run: MirrorRun) -> PollPlan:
    org = run.rt.orgs.get(run.org_id)
    return plan_for_budget(mirror_budget(org.daily_credit_limit, org.budget_share))


def last_runs(run: MirrorRun) -> dict[Task, datetime | None]:
    org = run.org_state
    runs: dict[Task, datetime | None] = {Task(USERS): org.users_refreshed_at, Task(SETTINGS): org.settings_refreshed_at}
    for module in STREAMS_BY_MODULE:
        state = run.states.get(module)
        runs[Task(CHANGES, module)] = state.changes_polled_at if state else None
        runs[Task(DELETIONS, module)] = state.deletions_polled_at if state else None
    return runs


def _stamp(moment: datetime) -> str:
    return coql_quote(moment.astimezone(UTC).replace(microsecond=0).isoformat())


def changes_query(stream: Stream, state: ModuleState, after: tuple[datetime, str] | None, limit: int) -> str:
    """One page of changes: from the cursor, or past the (Modified_Time, id) key of the previous page."""
    if after is None:
        where = f"Modified_Time >= {_stamp(state.changes_cursor or datetime.fromtimestamp(0, UTC))}"
    else:
        moment, last_id = after
        where = (f"((Modified_Time = {_stamp(moment)} and id > {coql_quote(last_id)}) "
                 f"or Modified_Time > {_stamp(moment)})")
    return (f"select {coql_columns(state.fields)} from {stream.module} where {where} "
            "order by Modified_Time asc, id asc limit " + str(limit))


def poll_changes(run: MirrorRun, stream: Stream) -> None:
    state = run.state(stream)
    settled = run.now - SETTLE
    convert = converter(state.fields)
    after: tuple[datetime, str] | None = None
    limit = FIRST_PAGE_LIMIT
    while True:
        result = run.client.coql(changes_query(stream, state, after, limit))
        records = [convert(row) for row in result.rows]
        more = result.more_records and bool(records)
        last_seen = modified_time(records[-1]) if records else None
        reached = min(last_seen, settled) if more and last_seen else settled
        cursor = max(c for c in (state.changes_cursor, reached) if c is not None)
        state = replace(state, changes_cursor=cursor, changes_polled_at=state.changes_polled_at if more else run.now)
        run.write(stream, state, _not_yet_mirrored(run, stream, records))
        if not more:
            return
        after, limit = (last_seen or settled, records[-1]["id"]), NEXT_PAGE_LIMIT


def _not_yet_mirrored(run: MirrorRun, stream: Stream, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop rows the mirror already holds exactly as they are: the settle window's re-reads.

    Same id and Modified_Time is not enough: a record edited twice within one second keeps its
    Modified_Time, so the whole record is compared. A converted lead the mirror does not hold is
    dropped too; one it holds is kept, to be removed.
    """
    held = run.tables.mirrored(run.org_id, stream, [r["id"] for r in records])
    fresh = []
    for record in records:
        copy = held.get(record["id"])
        if copy is None and not stream.is_hidden(record):
            fresh.append(record)
        elif copy is not None and (copy != record or stream.is_hidden(record)):
            fresh.append(record)
    return fresh


def poll_deletions(run: MirrorRun, stream: Stream) -> None:
    state = run.state(stream)
    entries = run.client.deleted_records(stream.module, "all", modified_since=state.deletions_cursor)
    ids = list(dict.fromkeys(str(e["id"]) for e in entries if e.get("id")))
    present = list(run.tables.mirrored(run.org_id, stream, ids))
    settled = run.now - SETTLE
    cursor = max(c for c in (state.deletions_cursor, settled) if c is not None)
    run.write(stream, replace(state, deletions_cursor=cursor, deletions_polled_at=run.now), [], removed=present)
