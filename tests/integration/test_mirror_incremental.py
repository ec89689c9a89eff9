"""The incremental sync over real HTTP: edits, creations, deletions and conversions caught, nothing skipped.

The emulator clock is frozen and advanced by hand, so a "five-minute cycle" takes no real time and
every edit made between two cycles carries a known Modified_Time.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from mirror_world import MirrorWorld

from sync_engine.records.contact_points import EMAIL

CYCLE = 300


@pytest.fixture
def world(tmp_path: Path) -> Iterator[MirrorWorld]:
    opened = MirrorWorld.open(tmp_path)
    opened.clock(freeze=True)
    opened.sync_until_initial_done()
    yield opened
    opened.close()


def _cycle(world: MirrorWorld, seconds: int = CYCLE):
    return world.sync(world.clock(advance_seconds=seconds))


def test_cycles_of_updates_creations_and_deletions_keep_the_mirror_equal_to_zoho(world):
    written = removed = 0
    for cycle in range(12):
        world.edits(40, seed=cycle, create_share=0.15, delete_share=0.1)
        report = _cycle(world)
        assert report.phase == "incremental"
        written, removed = written + report.written, removed + report.removed
    report = _cycle(world, 2 * 3600)  # every poll due, deletions included
    assert written > 0 and removed + report.removed > 0
    assert world.differences() == []
    assert world.ledger_total() == world.charged()


def test_the_first_cycle_after_the_initial_sync_catches_edits_made_during_it(tmp_path):
    fresh = MirrorWorld.open(tmp_path / "during")
    try:
        fresh.clock(freeze=True)

        def edit_once(progress):
            if progress.records_done and not getattr(edit_once, "done", False):
                edit_once.done = True
                fresh.edits(30, seed=99, create_share=0.2, delete_share=0.1)
        fresh.sync(on_progress=edit_once)
        _cycle(fresh, 2 * 3600)
        assert fresh.differences() == []
    finally:
        fresh.close()


def test_many_records_sharing_one_modified_time_are_not_skipped(world):
    now = world.clock(advance_seconds=CYCLE)
    first = world.edits(900, seed=1, modules=("Contacts",), create_share=0, delete_share=0)
    mark = len(world.calls())
    world.sync(now)  # 900 changes in one second: a 200-row page, then the rest past (Modified_Time, id)
    pages = world.calls_by(mark)[("coql", "Contacts")]
    assert pages == 2
    second = world.edits(300, seed=2, modules=("Contacts",), create_share=0, delete_share=0)  # the same second
    twice = set(first["updated"]["Contacts"]) & set(second["updated"]["Contacts"])
    assert twice, "some records were edited twice within the second"
    report = _cycle(world)
    assert report.written == len(set(second["updated"]["Contacts"]))
    assert world.differences() == []


def test_a_quiet_cycle_rereads_the_settle_window_but_rewrites_nothing(world):
    world.edits(20, seed=3, modules=("Contacts",), create_share=0, delete_share=0)
    assert _cycle(world).written > 0
    before = world.charged()
    report = _cycle(world)  # the previous edits are re-read (cursor lags by the settle margin) and skipped
    assert report.ran == ("changes:Contacts", "changes:Leads") and report.written == 0
    assert world.charged() - before == 2


def test_polls_run_on_their_own_intervals(world):
    first = _cycle(world, 0)  # right after the initial sync every module's polls are due (users were just read)
    assert len(first.ran) == 8 and "users" not in first.ran
    ran = [set(_cycle(world).ran) for _ in range(12)]  # one hour of five-minute cycles
    assert all({"changes:Contacts", "changes:Leads"} <= r for r in ran)
    assert [i for i, r in enumerate(ran, 1) if "changes:Deals" in r] == [3, 6, 9, 12]
    assert [i for i, r in enumerate(ran, 1) if "deletions:Contacts" in r] == [12]
    assert [i for i, r in enumerate(ran, 1) if "users" in r] == [12]
    assert not any("deletions:Deals" in r or "settings" in r for r in ran)


def test_a_lead_converted_in_zoho_leaves_the_mirror_with_its_match_keys(world):
    data = world.emulator.state.data
    lead_id = next(r["id"] for r in data.table("Leads") if not r.get("Converted__s") and r.get("Email"))
    email = data.get("Leads", lead_id)["Email"].strip().casefold()
    assert any(h.record_id == lead_id for h in world.tables.find(world.org_id, EMAIL, email))
    now = world.clock(advance_seconds=CYCLE)
    with data.lock:  # what Zoho's convert does to the lead record
        lead = dict(data.table("Leads").rows[lead_id])
        lead.update(Converted__s=True, Converted_Date_Time=now, Modified_Time=now)
        data.table("Leads").rows[lead_id] = lead
        data.table("Leads").version += 1
    report = world.sync(now)
    assert report.removed == 1 and lead_id not in world.tables.records(world.org_id, "Leads")
    assert not any(h.record_id == lead_id for h in world.tables.find(world.org_id, EMAIL, email))
    assert world.differences() == []


def test_a_record_deleted_through_the_api_leaves_the_mirror_at_the_next_deletions_poll(world):
    contact_id = next(iter(world.tables.records(world.org_id, "Contacts")))
    assert world.rt.client(world.org_id).delete("Contacts", [contact_id])[0].ok
    assert contact_id in world.tables.records(world.org_id, "Contacts")
    report = _cycle(world, 3600)
    assert "deletions:Contacts" in report.ran and report.removed >= 1
    assert contact_id not in world.tables.records(world.org_id, "Contacts")
    keys = world.rt.store.query("SELECT count(*) FROM mirror_contact_points WHERE record_id = ?", [contact_id])
    assert keys == [(0,)]


def test_cursors_never_pass_the_settle_margin(world):
    now = world.clock(advance_seconds=CYCLE)
    world.sync(now)
    states = world.tables.module_states(world.org_id)
    assert states["Contacts"].changes_cursor == now - timedelta(minutes=2)
    assert states["Deals"].deletions_cursor == now - timedelta(minutes=2)
