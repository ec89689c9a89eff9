"""Write conversations back to Zoho: plan into the outbox, push in batches, exactly once, within budget.

**Exactly once, and why this mechanism.** Calls, Events and Tasks cannot be upserted (Zoho's upsert
does not take those modules), and an external-id field would have to be created in the customer's
layout first. What stays is a key we write ourselves: every insert carries a marker in its Description
(:func:`.writeback_plan.marker_for`), and before a row is sent it is committed as ``in_flight``. The
costs compared, per 100 activities:

* a lookup before every insert (search or COQL by marker): +1 credit for every batch, always;
* upsert: not available for activities;
* *ours*: nothing extra while answers arrive; only rows left in doubt (a crash between sending and
  committing the answer, a dropped connection, a timeout) are reconciled, with **one COQL call per
  module** (``select id, Description ... where Created_Time >= <first send>``, 1 credit per 200 rows
  read), after which the ones found are settled with their Zoho id and the rest sent again.

Updates (the deal stage) set a value, so applying one twice is harmless: in-doubt updates are simply
sent again. Each row's state is committed before the request and after the answer, so a ``kill -9``
at any point leaves it pending, in doubt or settled -- never lost, never written twice. A row's
``sent_at`` is the moment its own batch went out (not the start of the push: a long push, or one
backing off after 429s, sends its last batch minutes later), and it is looked up only after
:func:`in_doubt_wait`, longer than the client's whole retry window: before that its request may still land.

**Budget.** Every batch asks the :class:`.budget.CreditGovernor` first. Recent activities go out at
once (freshness); tasks, stage updates and backfills wait until ten of them fill a credit (Zoho charges
1 credit per 10 records) or the oldest has waited five minutes.
"""
from __future__ import annotations

import json
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sync_engine.intake.imports import stored_conversations
from sync_engine.matching.run import match_conversations
from sync_engine.runtime import Runtime
from sync_engine.settings.writeback_settings import WritebackSettings
from sync_engine.store.writeback.outbox import NewWrite, Outbox, OutboxRow, Settled
from sync_engine.store.writeback.views import (
    deal_rows,
    names_and_owners,
    plan_candidate_rows,
    stage_rows,
    unmatched_conversation_ids,
    users_of,
)
from sync_engine.writeback.governor import BACKFILL, WRITEBACK, CreditGovernor
from sync_engine.writeback.plan import (
    PRIORITY_BACKFILL,
    PRIORITY_FOLLOW_UP,
    DealFacts,
    Links,
    PlanContext,
    StageFacts,
    marker_line,
    plan_conversation,
)
from sync_engine.zoho import RateLimited, WriteOutcomeUnknown, ZohoClient, ZohoError, attributed_to
from sync_engine.zoho.editions import daily_credit_limit
from sync_engine.zoho.errors import TransportError
from sync_engine.zoho.queries import coql_quote
from sync_engine.zoho.records import MAX_RECORDS_PER_CALL

log = logging.getLogger(__name__)

# A row in doubt is looked up only once its request cannot still land: counted from when its batch went out
# (``sent_at``), at least this long, and longer than the client's whole retry window (429s retried for up to
# RetryPolicy.max_total_s, then a last attempt waiting out its connect and read timeouts) plus RECONCILE_SLACK.
RECONCILE_AFTER = timedelta(seconds=120)
RECONCILE_SLACK = timedelta(seconds=30)  # a request Zoho received late, or processes slowly
RECONCILE_MARGIN = timedelta(minutes=10)  # Zoho's clock and ours may differ a little
SLOW_LANE_WAIT = timedelta(minutes=5)
SLOW_LANE_BATCH = 10  # a credit's worth of records
PLAN_PER_CYCLE = 2_000
RECONCILE_FIRST_LIMIT, RECONCILE_NEXT_LIMIT = 200, 2_000
BATCH_CREDITS = MAX_RECORDS_PER_CALL // 10  # the most a full batch costs (1 credit per 10 records)


@dataclass
class PushReport:
    planned: int = 0
    sent: int = 0
    created: int = 0
    updated: int = 0
    failed: int = 0  # dead-lettered by Zoho's answer
    reconciled_found: int = 0
    reconciled_resent: int = 0
    in_doubt: int = 0
    held_back: list[str] = field(default_factory=list)  # why something waits (budget, pause)

    def describe(self) -> str:
        parts = [f"{self.planned} planned", f"{self.created} created", f"{self.updated} updated"]
        if self.failed:
            parts.append(f"{self.failed} dead-lettered")
        if self.reconciled_found or self.reconciled_resent:
            parts.append(f"in doubt: {self.reconciled_found} found in Zoho, {self.reconciled_resent} to resend")
        if self.in_doubt:
            parts.append(f"{self.in_doubt} awaiting reconciliation")
        return "; ".join(parts + self.held_back)


def governor_of(rt: Runtime) -> CreditGovernor:
    if rt.governor is None:
        rt.governor = CreditGovernor()
    return rt.governor


def budget_of(rt: Runtime, org_id: str, now: datetime) -> tuple[int, int]:
    """(credits used in the rolling 24 h, the org's budget share of its daily limit)."""
    org = rt.orgs.get(org_id)
    limit = org.daily_credit_limit or daily_credit_limit(org.edition or "standard", org.licences or 0)
    return rt.ledger.used_last_24h(org_id, now), int(limit * org.budget_share)


# -- planning ---------------------------------------------------------------------------------------
def match_new(rt: Runtime, org_id: str) -> int:
    """Match conversations imported since the last match run (freshness should not wait for that job)."""
    ids = unmatched_conversation_ids(rt.store, org_id)
    return len(match_conversations(rt, org_id, ids=ids, accept_stale_index=True)) if ids else 0


def _candidates(rt: Runtime, org_id: str, settings: WritebackSettings,
                conversation_ids: Sequence[str] | None = None) -> list[tuple[str, Links]]:
    """Matched conversations with nothing in the outbox yet, or exactly ``conversation_ids`` (a retry); never
    a held one."""
    kinds = [k for k, on in (("meeting", settings.log_meetings), ("call", settings.log_calls)) if on]
    if settings.create_tasks or settings.update_deal_stage:
        kinds = ["meeting", "call"]
    if not kinds or not settings.statuses:
        return []
    rows = plan_candidate_rows(rt.store, org_id, settings.statuses, kinds, conversation_ids, PLAN_PER_CYCLE)
    return [(r[0], Links(r[1], r[2], r[3], r[4], r[5], r[6], r[7],
                         tuple((kind, rid) for kind, rid in json.loads(r[8] or "[]")))) for r in rows]


def _context(rt: Runtime, org_id: str, links: Iterable[Links]) -> PlanContext:
    """Names, owners, deals and stages for just the records these conversations point at."""
    ids = sorted({i for link in links for i in (link.contact_id, link.lead_id, link.account_id, link.deal_id) if i})
    names: dict[str, str] = {}
    owners: dict[str, str] = {}
    for rid, name, owner in names_and_owners(rt.store, org_id, ids):
        if name:
            names[rid] = name
        if owner:
            owners[rid] = owner
    deals = {r[0]: DealFacts(r[1], r[2], r[3]) for r in deal_rows(rt.store, org_id, ids)}
    stages = {(r[0], r[1]): StageFacts(r[2] if r[2] is not None else 0, r[3]) for r in stage_rows(rt.store, org_id)}
    return PlanContext(org_id, names, owners, deals, stages)


def plan_new(rt: Runtime, org_id: str, settings: WritebackSettings, now: datetime,
             conversation_ids: Sequence[str] | None = None) -> int:
    """Plan and enqueue the writes of matched conversations not planned yet (or of ``conversation_ids``,
    whose writes already queued or done the outbox keeps as they are); returns rows added."""
    candidates = _candidates(rt, org_id, settings, conversation_ids)
    if not candidates:
        return 0
    links = dict(candidates)
    ctx = _context(rt, org_id, links.values())
    writes: list[NewWrite] = []
    skipped: dict[str, str] = {}
    for conv in stored_conversations(rt, org_id, list(links)):
        plan = plan_conversation(conv, links[conv.id], ctx, settings, now)
        writes.extend(NewWrite(w.op_key, w.conversation_id, w.module, w.action, w.record, w.marker, w.priority,
                               conv.end, w.blocked_code, w.blocked_message) for w in plan.writes)
        if not plan.writes:
            skipped[conv.id] = plan.skipped or "nothing to write"
    outbox = Outbox(rt.store)
    with rt.store.transaction():
        outbox.skip(org_id, skipped, at=now)
        return outbox.enqueue(org_id, writes, at=now)


def retry_dead(rt: Runtime, org_id: str, op_keys: Sequence[str], settings: WritebackSettings,
               now: datetime | None = None) -> int:
    """Plan dead letters afresh (the cause fixed: a user mapped, a deal reopened, a mapping corrected).

    Their conversations are matched again first (a newly mapped user is their owner only then), and
    planned even though their other writes are in the outbox already: those stay as they are.
    """
    now = now or datetime.now(UTC)
    outbox = Outbox(rt.store)
    dead = {row.op_key: row.conversation_id for row in outbox.dead(org_id)}
    conversations = sorted({dead[key] for key in op_keys if key in dead})
    if not conversations:
        return 0
    match_conversations(rt, org_id, ids=conversations)
    with rt.store.transaction():  # one commit: a crash between forgetting and planning would lose them
        forgotten = outbox.forget(org_id, op_keys)
        plan_new(rt, org_id, settings, now, conversations)
    return forgotten


# -- reconciling what is in doubt -------------------------------------------------------------------
def _stamp(moment: datetime) -> str:
    return coql_quote(moment.astimezone(UTC).replace(microsecond=0).isoformat())


def _created_since(client: ZohoClient, module: str, since: datetime) -> Iterable[dict[str, Any]]:
    """Records of ``module`` created since ``since``, by key pagination (1 credit for the first 200)."""
    last_id, limit = None, RECONCILE_FIRST_LIMIT
    while True:
        after = f" and id > {coql_quote(last_id)}" if last_id else ""
        result = client.coql(f"select id, Description from {module} where Created_Time >= {_stamp(since)}{after} "
                             f"order by id asc limit {limit}")
        yield from result.rows
        if not result.more_records or not result.rows:
            return
        last_id, limit = str(result.rows[-1]["id"]), RECONCILE_NEXT_LIMIT


def in_doubt_wait(client: ZohoClient) -> timedelta:
    """How long after its batch went out a row in doubt waits before it is looked up."""
    return max(RECONCILE_AFTER, timedelta(seconds=client.longest_call_s) + RECONCILE_SLACK)


def batch_clock(rt: Runtime, now: datetime) -> Callable[[], datetime]:
    """When a batch goes out: the runtime's clock if it has one, else ``now`` plus the time spent since."""
    if rt.clock is not None:
        return rt.clock
    started = time.monotonic()
    return lambda: now + timedelta(seconds=time.monotonic() - started)


def reconcile(rt: Runtime, client: ZohoClient, org_id: str, in_doubt: Sequence[OutboxRow], now: datetime,
              report: PushReport) -> None:
    """Settle rows left in flight: found in Zoho by marker -> done; not found -> pending again."""
    outbox = Outbox(rt.store)
    wait = in_doubt_wait(client)
    rows = [r for r in in_doubt if r.sent_at is None or r.sent_at <= now - wait]
    report.in_doubt = len(in_doubt) - len(rows)
    updates = [r.op_key for r in rows if r.action == "update"]
    outbox.release(org_id, updates, now, "in doubt: sent again (an update is safe to repeat)")
    report.reconciled_resent += len(updates)
    by_module: dict[str, list[OutboxRow]] = defaultdict(list)
    for row in rows:
        if row.action == "insert":
            by_module[row.module].append(row)
    for module, group in by_module.items():
        waiting = {marker_line(r.marker): r for r in group if r.marker}
        since = min(r.sent_at or now for r in group) - RECONCILE_MARGIN
        found: list[Settled] = []
        for record in _created_since(client, module, since):
            description = record.get("Description") or ""
            for line in list(waiting):
                if line in description:
                    found.append(Settled(waiting.pop(line).op_key, True, str(record["id"])))
            if not waiting:
                break
        outbox.settle(org_id, found, now)
        outbox.release(org_id, [r.op_key for r in waiting.values()], now, "in doubt: not in Zoho, sent again")
        report.reconciled_found += len(found)
        report.reconciled_resent += len(waiting)


# -- pushing ----------------------------------------------------------------------------------------
def _only_user(rt: Runtime, org_id: str, rows: Sequence[OutboxRow]) -> str | None:
    """The one user whose conversations fill the batch, to charge its credit to; None for a mixed batch.

    Splitting batches by user would cost credits, so a batch of several reps' writes stays the job's.
    """
    users = users_of(rt.store, org_id, sorted({r.conversation_id for r in rows}))
    return users[0] if len(users) == 1 else None


def _send(rt: Runtime, client: ZohoClient, org_id: str, rows: list[OutboxRow], now: datetime,
          report: PushReport, sent_at: datetime) -> bool:
    """Send one batch, stamped ``sent_at``; False when the push should stop for now (paused, in doubt,
    Zoho unreachable)."""
    outbox = Outbox(rt.store)
    claimed = set(outbox.mark_in_flight(org_id, [r.op_key for r in rows], uuid.uuid4().hex, sent_at))
    rows = [r for r in rows if r.op_key in claimed]  # another push may have taken some meanwhile
    if not rows:
        return True
    keys = [r.op_key for r in rows]
    module, records = rows[0].module, [r.record or {} for r in rows]
    try:
        with attributed_to(user=_only_user(rt, org_id, rows)):
            if rows[0].action == "insert":
                results = client.insert(module, records)
            else:
                results = client.update(module, records)
    except RateLimited:
        outbox.release(org_id, keys, now, "Zoho's rate limit: waiting")
        _paused(report, governor_of(rt).pause(org_id, now))
        return False
    except WriteOutcomeUnknown:
        report.in_doubt += len(rows)  # reconciled on a later cycle
        return False
    except TransportError as err:
        if err.request_sent:
            report.in_doubt += len(rows)
        else:
            outbox.release(org_id, keys, now, "Zoho unreachable: waiting")
        return False
    except ZohoError as err:
        if err.needs_reconnect or err.status in (0, 429) or err.status >= 500:
            outbox.release(org_id, keys, now, err.describe())
            raise
        outbox.settle(org_id, [Settled(k, False, None, err.code or "ERROR", err.describe(), err.details)
                               for k in keys], now)
        report.failed += len(keys)
        return True
    governor_of(rt).resume(org_id)
    if len(results) != len(rows):
        report.in_doubt += len(rows)  # an answer we cannot pair with what we sent: reconcile
        return False
    settled = [Settled(row.op_key, True, res.id) if res.ok else
               Settled(row.op_key, False, None, res.code, res.message, res.details)
               for row, res in zip(rows, results, strict=True)]
    outbox.settle(org_id, settled, now)
    ok = sum(s.ok for s in settled)
    report.sent += len(rows)
    report.failed += len(rows) - ok
    if rows[0].action == "insert":
        report.created += ok
    else:
        report.updated += ok
    return True


def _due(best_priority: int, count: int, oldest: datetime, now: datetime) -> bool:
    """Recent activities go at once; the rest when a credit's worth waits, or the oldest waited long enough."""
    return best_priority == 0 or count >= SLOW_LANE_BATCH or oldest <= now - SLOW_LANE_WAIT


def _paused(report: PushReport, until: datetime) -> PushReport:
    report.held_back.append(f"paused by Zoho's rate limit until {until:%H:%M:%S} UTC")
    return report


def _batch_ceiling(rt: Runtime, governor: CreditGovernor, org_id: str, now: datetime,
                   report: PushReport) -> int | None:
    """The worst outbox priority the budget lets a batch take now (backfills stop first); None: nothing."""
    used, budget = budget_of(rt, org_id, now)
    if governor.may_spend(org_id, BACKFILL, BATCH_CREDITS, used, budget, now).allowed:
        return PRIORITY_BACKFILL
    decision = governor.may_spend(org_id, WRITEBACK, BATCH_CREDITS, used, budget, now)
    if decision.allowed:
        return PRIORITY_FOLLOW_UP
    report.held_back.append(decision.reason)
    return None


def push(rt: Runtime, org_id: str, now: datetime | None = None, *, report: PushReport | None = None,
         clock: Callable[[], datetime] | None = None) -> PushReport:
    """Reconcile what is in doubt, then send what is due, batch by batch, while the budget allows.

    ``now`` is the cycle's time (budget, due dates, what is old enough to look up); each batch is
    stamped with ``clock()`` as it goes out (default: :func:`batch_clock`).
    """
    now = now or rt.now()
    clock = clock or batch_clock(rt, now)
    report = report or PushReport()
    outbox, governor = Outbox(rt.store), governor_of(rt)
    paused = governor.paused_until(org_id, now)
    if paused:
        return _paused(report, paused)
    client = rt.client(org_id)
    in_doubt = outbox.in_doubt(org_id)
    if in_doubt:
        if _batch_ceiling(rt, governor, org_id, now, report) is None:
            return report
        try:
            reconcile(rt, client, org_id, in_doubt, now, report)
        except RateLimited:
            return _paused(report, governor.pause(org_id, now))
        except ZohoError as err:
            if err.needs_reconnect:
                raise
            report.held_back.append(f"reconciling postponed: {err.describe()}")  # the rows stay in doubt
    for module, action, best, count, oldest in outbox.pending_groups(org_id):
        if not _due(best, count, oldest, now):
            continue
        while True:
            ceiling = _batch_ceiling(rt, governor, org_id, now, report)
            if ceiling is None:
                return report
            rows = outbox.next_batch(org_id, module, action, ceiling, MAX_RECORDS_PER_CALL)
            if not rows:
                break
            if not _send(rt, client, org_id, rows, now, report, clock()):
                return report
            if len(rows) < MAX_RECORDS_PER_CALL:
                break
    return report


def writeback_cycle(rt: Runtime, org_id: str, settings: WritebackSettings,
                    now: datetime | None = None) -> PushReport:
    """The push job: match what just arrived, plan it, push. No Zoho calls unless something is due."""
    now = now or rt.now()
    clock = batch_clock(rt, now)  # matching and planning take time before the first batch goes out
    report = PushReport()
    match_new(rt, org_id)
    report.planned = plan_new(rt, org_id, settings, now)
    with attributed_to(job="push"):
        return push(rt, org_id, now, report=report, clock=clock)
