"""The demo simulator: meetings and calls that just ended keep arriving in the demo org, and only there."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from demo.embedded import DemoOrg, start_demo
from demo.simulator import DEMO_JOBS, simulate_demo_minute
from sync_engine import service
from sync_engine.jobs.scheduler import SyncScheduler
from sync_engine.jobs.specs import JOBS, JobSpec, run_job
from sync_engine.runtime import Runtime, open_runtime
from sync_engine.store.conversations import ConversationStore
from zoho_emulator import EmulatorConfig, start_emulator


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Runtime, DemoOrg]]:
    """One demo per module (starting it imports 150 conversations); each test simulates its own minutes."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SYNC_DATA_DIR", str(tmp_path_factory.mktemp("demo")))
        rt = open_runtime()
        org = start_demo(rt)
        yield rt, org
        rt.close()


def spec(name: str) -> JobSpec:
    return next(s for s in JOBS + DEMO_JOBS if s.name == name)


def stored_ids(rt: Runtime, org_id: str) -> set[str]:
    return {c.conversation_id for c in ConversationStore(rt.store).get(org_id)}


# Tests simulate fixed minutes, so what each run draws is the same every time (the job itself uses the clock).
BASE = datetime(2031, 3, 3, 9, 0, 17, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return BASE + timedelta(minutes=minutes)


def test_each_run_adds_meetings_and_calls_that_ended_in_the_minute_before_now(demo) -> None:
    rt, org = demo
    now = at(1)
    before = stored_ids(rt, org.org_id)
    minute = simulate_demo_minute(rt, org.org_id, now)
    assert 1 <= minute.added == len(minute.ids) <= 3
    assert stored_ids(rt, org.org_id) - before == set(minute.ids)
    for conversation in ConversationStore(rt.store).get(org.org_id, minute.ids):
        assert now - timedelta(seconds=60) < conversation.ended_at <= now
        assert conversation.started_at < conversation.ended_at


def test_runs_minute_after_minute_never_reuse_an_id_and_the_same_minute_twice_adds_nothing(demo) -> None:
    rt, org = demo
    initial, base = stored_ids(rt, org.org_id), at(10)
    minutes = [simulate_demo_minute(rt, org.org_id, base + timedelta(minutes=m)) for m in range(5)]
    ids = [i for minute in minutes for i in minute.ids]
    assert len(ids) == len(set(ids)) >= 5
    assert not set(ids) & initial
    assert stored_ids(rt, org.org_id) == initial | set(ids)
    again = simulate_demo_minute(rt, org.org_id, base)
    assert again.ids == minutes[0].ids and again.added == 0


def test_the_next_match_run_matches_what_the_simulator_added(demo) -> None:
    rt, org = demo
    assert run_job(rt, org.org_id, spec("mirror")).outcome == "ok"
    minutes = [simulate_demo_minute(rt, org.org_id, at(20 + m)) for m in range(4)]
    ids = {i for minute in minutes for i in minute.ids}
    assert not ids & set(ConversationStore(rt.store).matches(org.org_id))
    run = run_job(rt, org.org_id, spec("match"))
    assert run.outcome == "ok", run.error
    matches = ConversationStore(rt.store).matches(org.org_id)
    assert ids <= set(matches)
    assert any(matches[i].status in ("matched", "partial") for i in ids)


def test_the_simulated_conversations_carry_summaries_and_action_items(demo) -> None:
    rt, org = demo
    minutes = [simulate_demo_minute(rt, org.org_id, at(30 + m)) for m in range(6)]
    stored = ConversationStore(rt.store).get(org.org_id, [i for m in minutes for i in m.ids])
    assert sum(1 for c in stored if c.payload.get("summary")) > len(stored) / 2
    assert any(c.payload.get("action_items") for c in stored)


def test_some_runs_also_edit_records_in_zoho(demo) -> None:
    rt, org = demo
    minutes = [simulate_demo_minute(rt, org.org_id, at(40 + m)) for m in range(20)]
    assert 0 < sum(1 for m in minutes if m.edits) < 20


def test_the_scheduled_job_runs_for_the_demo_org_and_says_what_it_did(demo) -> None:
    rt, org = demo
    run = run_job(rt, org.org_id, spec("demo.simulate"))
    assert run.outcome == "ok", run.error
    assert "just ended" in (run.detail or "") and run.credits == 0


def test_the_simulator_refuses_an_org_that_is_not_the_demo(demo) -> None:
    rt, org = demo
    with pytest.raises(ValueError, match="not the embedded demo org"):
        simulate_demo_minute(rt, "some-customer-org", at(0))


def test_the_simulator_job_is_scheduled_and_listed_for_the_demo_org_only(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SYNC_DATA_DIR", str(tmp_path))
    rt = open_runtime()
    customer = start_emulator(EmulatorConfig(seed=5, refresh_token="1000.customer"))
    try:
        org = start_demo(rt)
        other = service.connect_with_refresh_token(
            rt, data_centre_code="LOCAL", accounts_url=customer.url, client_id=customer.config.client_id,
            client_secret=customer.config.client_secret, refresh_token="1000.customer").org.org_id
        assert other != org.org_id
        scheduler = SyncScheduler(rt)
        scheduler.start()
        try:
            scheduled = {ident.partition(":")[::2] for ident in scheduler.next_runs()}
        finally:
            scheduler.shutdown()
        assert (org.org_id, "demo.simulate") in scheduled and (other, "demo.simulate") not in scheduled
        assert (other, "mirror") in scheduled
        rows = {(r.org_id, r.job) for r in service.job_table(rt, {})}
        assert (org.org_id, "demo.simulate") in rows and (other, "demo.simulate") not in rows
    finally:
        rt.close()
        customer.stop()


def test_without_the_demo_no_org_gets_the_simulator(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SYNC_DATA_DIR", str(tmp_path))
    rt = open_runtime()
    customer = start_emulator(EmulatorConfig(seed=5, refresh_token="1000.customer"))
    try:
        org_id = service.connect_with_refresh_token(
            rt, data_centre_code="LOCAL", accounts_url=customer.url, client_id=customer.config.client_id,
            client_secret=customer.config.client_secret, refresh_token="1000.customer").org.org_id
        assert not spec("demo.simulate").applies_to(rt, org_id)
        assert all(s.applies_to(rt, org_id) for s in JOBS if s.name != "demo.simulate")
    finally:
        rt.close()
        customer.stop()
