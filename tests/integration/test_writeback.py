"""Write-back end to end: conversations in, Zoho records out (real emulator over HTTP, real DuckDB).

A meeting and a call with a known contact become an Event and a Call owned by the rep, linked to the
contact and the deal; tasks and the deal stage follow when the org turns them on; running again adds
nothing; settings are audited; what Zoho refuses becomes a dead letter with Zoho's reason, and a
retry after the cause is fixed writes it exactly once.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from writeback_world import TARGET_STAGE, Template, WritebackWorld, utc_now

from sync_engine import service
from sync_engine.matching.run import match_conversations
from sync_engine.records.users import OurUser
from sync_engine.settings.writeback_settings import SettingsError, TaskRule, WritebackSettings
from sync_engine.writeback.plan import marker_for, marker_line
from sync_engine.writeback.push import SLOW_LANE_WAIT, push

STAGES_AND_TASKS = WritebackSettings(create_tasks=True, update_deal_stage=True,
                                     stage_map={"demo booked": TARGET_STAGE})


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return Template.build(tmp_path_factory.mktemp("writeback-template"))


@pytest.fixture
def world(tmp_path: Path, template: Template) -> Iterator[WritebackWorld]:
    opened = WritebackWorld.open(tmp_path, template)
    yield opened
    opened.close()


def test_a_meeting_and_a_call_become_an_event_and_a_call_owned_by_the_rep_linked_as_planned(world):
    now = utc_now()
    rep, contact, deal = world.people.rep, world.people.contact, world.people.deal
    world.bring_in(world.meeting("m-1", now), world.call("c-1", now))

    report = world.cycle(now=now)

    assert (report.planned, report.created, report.failed) == (2, 2, 0)
    [event], [call] = world.in_zoho("Events"), world.in_zoho("Calls")
    outbox = world.outbox()
    assert outbox["m-1/activity"].zoho_id == event["id"] and outbox["c-1/activity"].zoho_id == call["id"]
    assert world.states() == {"m-1/activity": "done", "c-1/activity": "done"}
    for record in (event, call):
        assert record["Owner"] == rep.id and record["Created_By"] != rep.id  # the admin's token, the rep's record
        assert (record["Who_Id"], record["What_Id"], record["$se_module"]) == (contact["id"], deal["id"], "Deals")
    assert event["Event_Title"] == "Quarterly review"
    assert [(p["type"], p["participant"]) for p in event["Participants"]] == [("contact", contact["id"])]
    assert event["Description"] == "Talked pricing.\n\n" + marker_line(marker_for(world.org_id, "m-1/activity"))
    account = world.em.state.data.tables["Accounts"].rows[contact["Account_Name"]]["Account_Name"]
    assert call["Subject"] == f"Outbound call with {contact['Full_Name']} ({account})"
    assert (call["Call_Type"], call["Call_Duration"], call["Call_Duration_in_seconds"]) == ("Outbound", "02:05", 125)


def test_running_again_and_importing_again_creates_nothing_more(world):
    now = utc_now()
    lines = (world.meeting("m-1", now, action_items=["Send the quote"]), world.call("c-1", now))
    world.bring_in(*lines)
    world.cycle(STAGES_AND_TASKS, now)
    world.cycle(STAGES_AND_TASKS, now + SLOW_LANE_WAIT)
    mark = len(world.control.calls())

    world.bring_in(*lines)
    again = world.cycle(STAGES_AND_TASKS, now + 2 * SLOW_LANE_WAIT)

    assert (again.planned, again.sent, again.created) == (0, 0, 0)
    assert world.control.calls()[mark:] == []  # not even a lookup
    assert set(world.copies().values()) == {1} and len(world.copies()) == 3


def test_tasks_and_the_stage_update_wait_for_the_slow_lane_then_go_once(world):
    now = utc_now()
    deal_id = world.people.deal["id"]
    world.bring_in(world.meeting("m-1", now, outcome="Demo booked", action_items=["Send the quote", "Book a demo"]))

    first = world.cycle(STAGES_AND_TASKS, now)
    assert world.states() == {"m-1/activity": "done", "m-1/task/1": "pending", "m-1/task/2": "pending",
                              "m-1/stage": "pending"}
    assert first.created == 1 and world.insert_calls("Tasks") == []

    not_yet = push(world.rt, world.org_id, now + SLOW_LANE_WAIT - timedelta(seconds=1))
    assert not_yet.sent == 0

    later = push(world.rt, world.org_id, now + SLOW_LANE_WAIT)
    assert (later.created, later.updated) == (2, 1)
    tasks = world.in_zoho("Tasks")
    assert sorted(t["Subject"] for t in tasks) == ["Book a demo", "Send the quote"]
    assert all(t["Owner"] == world.people.rep.id and t["What_Id"] == deal_id and t["$se_module"] == "Deals"
               for t in tasks)
    assert world.em.state.data.tables["Deals"].rows[deal_id]["Stage"] == TARGET_STAGE
    assert len(world.insert_calls("Tasks")) == 1  # both tasks in one call
    assert push(world.rt, world.org_id, now + 2 * SLOW_LANE_WAIT).sent == 0


def test_ten_waiting_follow_ups_fill_a_credit_and_go_at_once(world):
    now = utc_now()
    world.bring_in(world.meeting("m-1", now, action_items=[f"Step {n}" for n in range(1, 11)]))
    report = world.cycle(WritebackSettings(create_tasks=True, log_meetings=False), now)
    assert report.created == 10 and len(world.in_zoho("Tasks")) == 10
    assert [c["credits"] for c in world.insert_calls("Tasks")] == [1]


def test_tasks_follow_the_orgs_owner_and_due_date_rule(world):
    now = utc_now()
    world.bring_in(world.call("c-1", now, action_items=["Email the contract"]))
    rule = TaskRule(owner="record_owner", due_in_days=0, business_days=False, priority="High")
    world.cycle(WritebackSettings(create_tasks=True, tasks=rule), now)
    push(world.rt, world.org_id, now + SLOW_LANE_WAIT)
    [task] = world.in_zoho("Tasks")
    assert task["Owner"] == world.people.deal["Owner"]
    assert (task["Due_Date"].isoformat(), task["Priority"]) == ((now - timedelta(minutes=20) + timedelta(
        seconds=125)).date().isoformat(), "High")


def test_each_logging_setting_is_obeyed_by_the_push(world):
    now = utc_now()
    world.bring_in(world.meeting("m-1", now), world.call("c-1", now))
    world.cycle(WritebackSettings(log_meetings=False, set_call_subject=False, write_summary=False), now)
    assert world.in_zoho("Events") == []
    [call] = world.in_zoho("Calls")
    assert call["Subject"] == "Outbound call"
    assert call["Description"] == marker_line(marker_for(world.org_id, "c-1/activity"))


def test_settings_are_stored_audited_and_used_by_push_now(world):
    assert service.writeback_settings(world.rt, world.org_id) == WritebackSettings()
    chosen = WritebackSettings(log_calls=False, create_tasks=True)
    assert service.set_writeback_settings(world.rt, world.org_id, chosen, "admin@ours.io") is True
    assert service.set_writeback_settings(world.rt, world.org_id, chosen, "admin@ours.io") is False
    [change] = service.settings_audit(world.rt, world.org_id, "writeback")
    assert change.changed_by == "admin@ours.io"
    assert (change.before["log_calls"], change.after["log_calls"]) == (True, False)
    assert (change.before["create_tasks"], change.after["create_tasks"]) == (False, True)
    assert service.writeback_settings(world.rt, world.org_id) == chosen

    with pytest.raises(SettingsError, match="stage_map names stage\\(s\\) the org's pipelines do not have: "
                                            "Contract Sent"):
        service.set_writeback_settings(world.rt, world.org_id, replace(chosen, stage_map={"won": "Contract Sent"}),
                                       "admin@ours.io")
    assert len(service.settings_audit(world.rt, world.org_id, "writeback")) == 1

    now = utc_now()
    world.bring_in(world.meeting("m-1", now), world.call("c-1", now))
    service.push_now(world.rt, world.org_id)
    assert len(world.in_zoho("Events")) == 1 and world.in_zoho("Calls") == []
    assert service.writeback_status(world.rt, world.org_id).counts == {"pending": 0, "in_flight": 0, "done": 1,
                                                                       "dead": 0}


# -- dead letters ---------------------------------------------------------------------------------------
def test_a_stage_zoho_refuses_is_a_dead_letter_with_zohos_reason_and_goes_once_the_mapping_is_fixed(world):
    # The mirror still lists a stage someone has since removed from the pipeline in Zoho.
    with world.rt.store.transaction() as cur:
        cur.execute("INSERT INTO mirror_deal_stages SELECT org_id, pipeline_id, pipeline, is_default, 'Contract Sent', "
                    "'Contract Sent', sequence_number + 1, forecast_type, forecast_category, probability, synced_at "
                    "FROM mirror_deal_stages WHERE org_id = ? AND stage = ?", [world.org_id, TARGET_STAGE])
    stale = replace(STAGES_AND_TASKS, create_tasks=False, stage_map={"demo booked": "Contract Sent"})
    service.set_writeback_settings(world.rt, world.org_id, stale, "admin@ours.io")
    now = utc_now()
    deal_id = world.people.deal["id"]
    world.bring_in(world.meeting("m-1", now, outcome="demo booked"))
    world.cycle(stale, now)
    push(world.rt, world.org_id, now + SLOW_LANE_WAIT)

    [dead] = service.dead_letters(world.rt, world.org_id)
    assert (dead.op_key, dead.error_code) == ("m-1/stage", "INVALID_DATA")
    assert dead.error_details["api_name"] == "Stage" and dead.error_message
    assert world.em.state.data.tables["Deals"].rows[deal_id]["Stage"] == world.people.deal["Stage"]

    fixed = replace(stale, stage_map={"demo booked": TARGET_STAGE})
    service.set_writeback_settings(world.rt, world.org_id, fixed, "admin@ours.io")
    assert service.retry_dead_letters(world.rt, world.org_id, ["m-1/stage"]) == 1
    push(world.rt, world.org_id, now + 2 * SLOW_LANE_WAIT)

    assert service.dead_letters(world.rt, world.org_id) == []
    assert world.em.state.data.tables["Deals"].rows[deal_id]["Stage"] == TARGET_STAGE
    assert world.states() == {"m-1/activity": "done", "m-1/stage": "done"}
    assert len(world.in_zoho("Events")) == 1


def test_a_held_conversation_is_never_written_until_its_user_is_mapped_then_exactly_once(world):
    now = utc_now()
    world.bring_in(world.call("c-9", now, user_email="stranger@elsewhere.io"))
    assert [h.conversation_id for h in world.rt.held.held(world.org_id)] == ["c-9"]
    for _ in range(2):
        world.cycle(now=now)
    assert world.insert_calls() == [] and world.in_zoho("Calls") == []
    assert world.states() == {} and service.dead_letters(world.rt, world.org_id) == []  # held, not refused

    service.set_our_users(world.rt, world.org_id, [OurUser("stranger@elsewhere.io", "Sam Stranger")])
    released = service.map_user(world.rt, world.org_id, "stranger@elsewhere.io", world.people.rep.id)
    assert [h.conversation_id for h in released] == ["c-9"]
    world.cycle(now=now)
    world.cycle(now=now)

    [call] = world.in_zoho("Calls")
    assert call["Owner"] == world.people.rep.id
    assert world.states() == {"c-9/activity": "done"} and service.dead_letters(world.rt, world.org_id) == []


def test_a_held_conversation_stays_unwritten_even_when_its_email_later_matches_a_zoho_user_unmapped(world):
    """The matcher knows Zoho users by email; write-back still waits for the mapping to say so."""
    now = utc_now()
    world.bring_in(world.meeting("m-7", now, user_email="stranger@elsewhere.io"))
    with world.rt.store.transaction() as cur:  # a Zoho user appears with that email, not yet pulled into the map
        cur.execute("UPDATE zoho_users SET email = 'stranger@elsewhere.io', email_normalised = "
                    "'stranger@elsewhere.io' WHERE org_id = ? AND zoho_user_id = ?", [world.org_id,
                                                                                     world.people.rep.id])
    world.cycle(now=now)
    assert world.in_zoho("Events") == [] and "m-7/activity" not in world.states()


def test_an_owner_zoho_refuses_is_a_dead_letter_with_zohos_reason_and_a_retry_writes_it_once(world):
    rep = world.people.rep
    rep.status = "inactive"  # deactivated in Zoho after our last user refresh
    now = utc_now()
    world.bring_in(world.call("c-1", now), world.call("c-2", now, id="c-2", duration_s=60))
    report = world.cycle(now=now)
    assert report.failed == 2 and world.in_zoho("Calls") == []
    dead = {d.op_key: d for d in service.dead_letters(world.rt, world.org_id)}
    assert set(dead) == {"c-1/activity", "c-2/activity"}
    assert {(d.error_code, d.error_details["api_name"]) for d in dead.values()} == {("INVALID_DATA", "Owner")}

    rep.status = "active"
    assert service.retry_dead_letters(world.rt, world.org_id, ["c-1/activity"]) == 1
    service.push_now(world.rt, world.org_id)
    assert [c["Call_Duration"] for c in world.in_zoho("Calls")] == ["02:05"]
    assert world.states() == {"c-1/activity": "done", "c-2/activity": "dead"}
    assert match_conversations(world.rt, world.org_id, ids=["c-1"])[0].owner_id == rep.id


def test_a_conversation_planned_to_nothing_is_passed_by_until_the_settings_change(world):
    now = utc_now()
    world.bring_in(world.call("c-0", now, duration_s=0))  # an outbound call nobody answered: nothing to log
    world.cycle(now=now)
    skipped = world.rt.store.query("SELECT conversation_id, reason FROM writeback_skips WHERE org_id = ?",
                                   [world.org_id])
    assert skipped == [("c-0", "outbound call not connected")]

    assert world.cycle(now=now + timedelta(seconds=30)).planned == 0  # not planned again, nothing sent
    assert world.in_zoho("Calls") == []

    service.set_writeback_settings(world.rt, world.org_id, WritebackSettings(write_summary=False), "admin@x.example")
    assert world.rt.store.query("SELECT count(*) FROM writeback_skips WHERE org_id = ?", [world.org_id]) == [(0,)]


def test_a_batch_of_one_reps_writes_is_charged_to_that_rep_and_a_mixed_batch_to_the_push_job(world):
    now = utc_now()
    rep = world.people.rep
    other = next(u for u in world.em.state.data.users.values() if u.active and not u.is_admin and u.id != rep.id)
    world.bring_in(world.call("c-1", now))
    world.cycle(now=now)
    world.rt.ledger.flush()
    charged = {s.key: s.credits for s in world.rt.ledger.by_user(world.org_id) if s.credits}
    assert charged.get(rep.email.casefold()) == 1  # the one Call's insert (conversations keep emails casefolded)

    world.bring_in(world.call("c-2", now), world.call("c-3", now, user_email=other.email))
    world.cycle(now=now + timedelta(seconds=30))
    world.rt.ledger.flush()
    after = {s.key: s.credits for s in world.rt.ledger.by_user(world.org_id) if s.credits}
    assert after.get(rep.email.casefold()) == 1 and other.email.casefold() not in after  # a mixed batch: the job's
    assert len(world.in_zoho("Calls")) == 3
