"""Write-back under faults: nothing duplicated, nothing lost, and the budget respected.

Each fault comes from the emulator's controls (``/__emulator/faults``, token expiry, credit
exhaustion): a 5xx or a connection dropped before Zoho processed the batch, one dropped *after*
Zoho wrote the records (the answer lost), a timeout, an expired token, a 429 from exhausted
credits. Rows whose outcome is unknown wait ``RECONCILE_AFTER`` and are then looked up by their
marker, so the push is run again with ``now`` that much later.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from writeback_world import Template, WritebackWorld, utc_now

from sync_engine.intake.conversations import Call
from sync_engine.settings.writeback_settings import WritebackSettings
from sync_engine.store.writeback.outbox import NewWrite, Outbox
from sync_engine.writeback.governor import FIRST_PAUSE_S
from sync_engine.writeback.plan import Links, PlanContext, plan_conversation
from sync_engine.writeback.push import RECONCILE_AFTER, governor_of, match_new, plan_new, push
from sync_engine.zoho.records import MAX_RECORDS_PER_CALL

# A batch is stamped when it goes out, a moment after the push's ``now``: look up a little after the wait.
LOOKUP_AFTER = RECONCILE_AFTER + timedelta(seconds=5)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return Template.build(tmp_path_factory.mktemp("writeback-template"))


@pytest.fixture
def world(tmp_path: Path, template: Template) -> Iterator[WritebackWorld]:
    opened = WritebackWorld.open(tmp_path, template)
    yield opened
    opened.close()


@pytest.mark.parametrize("answer", ["drop", "error"])
def test_a_write_zoho_applies_late_in_a_long_push_is_not_looked_up_before_it_can_land(world, answer):
    """A row's wait counts from when its batch went out, not from the start of the push.

    The push starts at ``now`` but its batch goes out 100 s later (matching, planning, earlier batches
    and 429 back-offs take that long in a big org); Zoho gives no answer (or a 500) and applies the write
    a moment later. A lookup 125 s after the push started is 25 s after the request: it finds nothing,
    and a resend would make a second copy once the first lands.
    """
    now = utc_now()
    world.bring_in(world.call("c-1", now))
    match_new(world.rt, world.org_id)
    assert plan_new(world.rt, world.org_id, WritebackSettings(), now) == 1
    world.control.faults(late_write_rate=1.0, late_write_ms=1_500, late_write_answer=answer)
    world.rt.clock = lambda: now + timedelta(seconds=100)  # when the batch goes out
    first = push(world.rt, world.org_id, now)
    assert first.in_doubt == 1 and world.copies() == {}  # not in Zoho yet
    world.control.no_faults()

    second = push(world.rt, world.org_id, now + timedelta(seconds=125))
    assert second.reconciled_resent == 0 and world.states() == {"c-1/activity": "in_flight"}
    deadline = time.monotonic() + 5
    while not any(c["code"] == "APPLIED_AFTER_ANSWER" for c in world.control.calls("records.insert")):
        assert time.monotonic() < deadline, "the late write never landed"
        time.sleep(0.05)
    third = push(world.rt, world.org_id, now + timedelta(seconds=300))
    assert third.reconciled_found == 1
    assert_each_written_once(world, 1)
    assert world.outbox()["c-1/activity"].sent_at == now + timedelta(seconds=100)


def two_conversations(world: WritebackWorld):
    now = utc_now()
    world.bring_in(world.meeting("m-1", now), world.call("c-1", now))
    return now


def assert_each_written_once(world: WritebackWorld, expected: int) -> None:
    copies = world.copies()
    assert len(copies) == expected and set(copies.values()) == {1}, copies
    outbox = world.outbox()
    assert {row.state for row in outbox.values()} == {"done"}
    in_zoho = {r["id"] for m in ("Events", "Calls", "Tasks") for r in world.in_zoho(m)}
    assert {row.zoho_id for row in outbox.values()} == in_zoho


@pytest.mark.parametrize("fault", [{"error_rate": 1.0}, {"drop_rate": 1.0}], ids=["5xx", "dropped before processing"])
def test_a_batch_zoho_never_processed_is_looked_up_then_sent_again_once(world, fault):
    now = two_conversations(world)
    world.control.faults(**fault)
    failed = world.cycle(now=now)
    # The first batch (Calls) is in doubt; the push stops there, so the Events wait their turn.
    assert (failed.created, failed.in_doubt) == (0, 1)
    assert world.states() == {"c-1/activity": "in_flight", "m-1/activity": "pending"}
    assert world.in_zoho("Events") == world.in_zoho("Calls") == []

    world.control.no_faults()
    too_soon = push(world.rt, world.org_id, now + RECONCILE_AFTER - timedelta(seconds=1))
    assert too_soon.in_doubt == 1 and too_soon.created == 1 and world.control.calls("coql") == []
    assert world.states() == {"c-1/activity": "in_flight", "m-1/activity": "done"}

    later = push(world.rt, world.org_id, now + LOOKUP_AFTER)
    assert (later.reconciled_found, later.reconciled_resent, later.created) == (0, 1, 1)
    assert_each_written_once(world, 2)


def lost_answer_then_reconciled(world: WritebackWorld, now) -> None:
    """Zoho wrote the Calls batch but we never heard back; the Events batch waits behind it."""
    assert len(world.in_zoho("Calls")) == 1 and world.in_zoho("Events") == []
    assert world.states() == {"c-1/activity": "in_flight", "m-1/activity": "pending"}

    world.control.no_faults()
    later = push(world.rt, world.org_id, now + LOOKUP_AFTER)
    assert (later.reconciled_found, later.reconciled_resent, later.created) == (1, 0, 1)
    assert_each_written_once(world, 2)
    assert sorted(c["module"] for c in world.insert_calls(at_least=2)) == ["Calls", "Events"]  # the Call went once
    assert [(c["module"], c["credits"]) for c in world.control.calls("coql")] == [("Calls", 1)]


def test_a_batch_whose_answer_was_lost_after_zoho_wrote_it_is_found_by_its_marker_not_written_twice(world):
    now = two_conversations(world)
    world.control.faults(drop_after_rate=1.0)
    assert world.cycle(now=now).in_doubt == 1
    lost_answer_then_reconciled(world, now)


def test_a_timeout_after_zoho_wrote_the_batch_is_reconciled_like_a_lost_answer(world):
    now = two_conversations(world)
    world.use_client(timeout_s=0.3)
    world.control.faults(latency_ms=700)
    assert world.cycle(now=now).in_doubt == 1
    lost_answer_then_reconciled(world, now)


def test_latency_below_the_timeout_only_slows_the_push(world):
    now = two_conversations(world)
    world.control.faults(latency_ms=150)
    report = world.cycle(now=now)
    assert report.created == 2 and report.in_doubt == 0
    assert_each_written_once(world, 2)


def test_an_access_token_expiring_mid_push_is_refreshed_and_the_batch_sent_once(world):
    now = utc_now()
    world.bring_in(world.call("c-1", now))
    world.cycle(now=now)
    world.control.post("tokens/expire")  # Zoho ends the token our client still holds
    world.bring_in(world.meeting("m-1", now))
    report = world.cycle(now=now)
    assert report.created == 1
    assert [c["status"] for c in world.insert_calls()] == [201, 401, 201]
    assert_each_written_once(world, 2)


def test_exhausted_credits_pause_the_org_keep_every_row_and_resume_when_the_window_allows(world):
    now = two_conversations(world)
    world.control.post("credits/exhaust")
    first = world.cycle(now=now)
    assert first.created == 0 and any("paused by Zoho's rate limit" in h for h in first.held_back)
    assert world.states() == {"m-1/activity": "pending", "c-1/activity": "pending"}
    until = governor_of(world.rt).paused_until(world.org_id, now)
    assert until == now + timedelta(seconds=FIRST_PAUSE_S)

    mark = len(world.control.calls())
    paused = push(world.rt, world.org_id, now + timedelta(seconds=30))
    assert paused.sent == 0 and world.control.calls()[mark:] == []  # a paused org does not even knock

    still = push(world.rt, world.org_id, until)  # Zoho still refuses: the pause doubles
    assert governor_of(world.rt).paused_until(world.org_id, until) == until + timedelta(seconds=2 * FIRST_PAUSE_S)
    assert still.created == 0 and set(world.states().values()) == {"pending"}

    world.control.post("usage/reset")  # credits came back as the rolling window moved
    resumed = push(world.rt, world.org_id, until + timedelta(seconds=2 * FIRST_PAUSE_S))
    assert resumed.created == 2 and governor_of(world.rt).paused_until(world.org_id, until) is None
    assert_each_written_once(world, 2)


def test_the_budget_ceiling_holds_sending_back_and_nothing_is_lost(world):
    now = two_conversations(world)
    used = world.rt.ledger.used_last_24h(world.org_id, now)
    world.rt.orgs.update(world.org_id, daily_credit_limit=used + 9, budget_share=1.0)  # less than a batch's 10
    held = world.cycle(now=now)
    assert held.created == 0 and world.insert_calls() == []
    assert any("write-back may use up to" in reason for reason in held.held_back)
    assert set(world.states().values()) == {"pending"}

    world.rt.orgs.update(world.org_id, daily_credit_limit=used + 100)
    assert push(world.rt, world.org_id, now).created == 2
    assert_each_written_once(world, 2)


def test_backfills_stop_at_70_percent_of_the_budget_while_recent_conversations_still_go(world):
    now = utc_now()
    week_ago = now - timedelta(days=7)
    world.bring_in(world.call("c-old", week_ago), world.call("c-new", now, duration_s=61))
    used = world.rt.ledger.used_last_24h(world.org_id, now)
    limit = int((used + 10) / 0.7) - 1  # a backfill batch would cross 70%; a recent one fits in 100%
    world.rt.orgs.update(world.org_id, daily_credit_limit=limit, budget_share=1.0)
    world.cycle(now=now)
    assert world.states() == {"c-new/activity": "done", "c-old/activity": "pending"}

    world.rt.orgs.update(world.org_id, daily_credit_limit=limit * 10)
    push(world.rt, world.org_id, now + timedelta(minutes=6))
    assert_each_written_once(world, 2)


def test_batches_never_exceed_zohos_100_records(world):
    now = utc_now()
    count = 2 * MAX_RECORDS_PER_CALL + 5
    people = world.people
    links = Links(people.rep.id, people.contact["id"], None, people.contact["Account_Name"], people.deal["id"])
    ctx = PlanContext(world.org_id)
    writes = [w for n in range(count) for w in plan_conversation(
        Call(f"c-{n:03d}", "outbound", None, None, now - timedelta(minutes=30), 60 + n, people.rep.email, "jsonl"),
        links, ctx, WritebackSettings(), now).writes]
    added = Outbox(world.rt.store).enqueue(world.org_id, [
        NewWrite(w.op_key, w.conversation_id, w.module, w.action, w.record, w.marker, w.priority, now)
        for w in writes], at=now)
    assert added == count

    report = push(world.rt, world.org_id, now)
    assert report.created == count
    calls = world.insert_calls("Calls")
    assert [c["credits"] for c in calls] == [10, 10, 1]  # 1 credit per 10 records: 100, 100, then 5
    assert all(c["status"] == 201 for c in calls)
    assert_each_written_once(world, count)


def test_two_pushes_at_once_send_each_row_once(world):
    """The scheduler's push and an admin's "push now" may overlap in one process."""
    now = utc_now()
    world.bring_in(*(world.call(f"c-{n}", now, duration_s=60 + n) for n in range(5)))
    match_new(world.rt, world.org_id)
    plan_new(world.rt, world.org_id, WritebackSettings(), now)
    world.control.faults(latency_ms=300)
    threads = [threading.Thread(target=push, args=(world.rt, world.org_id, now)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert_each_written_once(world, 5)
    assert len(world.insert_calls(at_least=1)) == 1


def test_a_rate_limit_while_looking_up_rows_in_doubt_pauses_the_org_and_loses_nothing(world):
    now = two_conversations(world)
    world.control.faults(drop_after_rate=1.0)
    world.cycle(now=now)
    world.control.no_faults()
    world.control.post("credits/exhaust")

    paused = push(world.rt, world.org_id, now + LOOKUP_AFTER)
    assert any("paused by Zoho's rate limit" in h for h in paused.held_back)
    assert world.states() == {"c-1/activity": "in_flight", "m-1/activity": "pending"}

    world.control.post("usage/reset")
    push(world.rt, world.org_id, now + LOOKUP_AFTER + timedelta(seconds=FIRST_PAUSE_S))
    assert_each_written_once(world, 2)


def test_rows_in_doubt_are_not_looked_up_beyond_the_budget_and_are_once_it_allows(world):
    now = two_conversations(world)
    world.control.faults(drop_after_rate=1.0)
    assert world.cycle(now=now).in_doubt == 1
    world.control.no_faults()
    later = now + LOOKUP_AFTER
    used = world.rt.ledger.used_last_24h(world.org_id, later)
    world.rt.orgs.update(world.org_id, daily_credit_limit=used + 9, budget_share=1.0)

    held = push(world.rt, world.org_id, later)

    assert held.reconciled_found == 0 and world.control.calls("coql") == []
    assert any("write-back may use up to" in reason for reason in held.held_back)
    world.rt.orgs.update(world.org_id, daily_credit_limit=used + 100)
    assert push(world.rt, world.org_id, later).reconciled_found == 1
    assert_each_written_once(world, 2)
