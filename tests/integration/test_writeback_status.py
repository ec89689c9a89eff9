"""What the Write-back page and ``python -m sync_engine writeback`` show: counts, pause, credits, freshness,
dead letters in words, the latest writes; and the CLI's status, dead, retry and push against the emulator."""
from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from writeback_world import TARGET_STAGE, Template, WritebackWorld, utc_now

from sync_engine import service
from sync_engine.service.access import OrgNotVisible, Viewer
from sync_engine.settings.writeback_settings import WritebackSettings
from sync_engine.views.writeback_status import dead_letters, reason_in_words, recent_writes, what_of, writeback_status
from sync_engine.writeback.push import SLOW_LANE_WAIT, budget_of, governor_of, push

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return Template.build(tmp_path_factory.mktemp("writeback-status-template"))


@pytest.fixture
def world(tmp_path: Path, template: Template) -> Iterator[WritebackWorld]:
    opened = WritebackWorld.open(tmp_path, template)
    yield opened
    opened.close()


# -- the status queries -----------------------------------------------------------------------------------
def test_status_counts_the_outbox_and_measures_freshness_of_the_days_activities(world):
    now = utc_now()
    world.bring_in(world.meeting("m-1", now, action_items=["Send the quote"]), world.call("c-1", now))
    world.cycle(WritebackSettings(create_tasks=True), now)

    status = writeback_status(world.rt, world.org_id, now)

    assert status.counts == {"pending": 1, "in_flight": 0, "done": 2, "dead": 0}  # the task waits for its lane
    assert (status.credits_used_24h, status.credit_budget) == budget_of(world.rt, world.org_id, now)
    assert status.credits_used_24h > 0 and status.paused_until is None
    meeting_s, call_s = 30 * 60, 20 * 60 - 125  # each activity is done at ``now``
    assert status.freshness.activities == 2
    assert status.freshness.p50_s == pytest.approx((meeting_s + call_s) / 2)
    assert status.freshness.p95_s == pytest.approx(call_s + 0.95 * (meeting_s - call_s))
    assert writeback_status(world.rt, world.org_id, now + timedelta(days=1, seconds=1)).freshness.activities == 0


def test_status_says_until_when_zohos_rate_limit_paused_the_org(world):
    now = utc_now()
    until = governor_of(world.rt).pause(world.org_id, now)
    assert writeback_status(world.rt, world.org_id, now).paused_until == until
    assert writeback_status(world.rt, world.org_id, until).paused_until is None


def test_latest_writes_carry_the_zoho_record_id_and_say_what_they_were(world):
    now = utc_now()
    world.bring_in(world.meeting("m-1", now, outcome="demo booked", action_items=["Send the quote", "Book a demo"]))
    settings = WritebackSettings(create_tasks=True, update_deal_stage=True, stage_map={"demo booked": TARGET_STAGE})
    world.cycle(settings, now)
    push(world.rt, world.org_id, now + SLOW_LANE_WAIT)

    written = {w.what: w for w in recent_writes(world.rt, world.org_id)}

    assert set(written) == {"Event", "Task 1", "Task 2", "Deal stage"}
    [event] = world.in_zoho("Events")
    assert written["Event"].zoho_id == event["id"] and written["Event"].title == "Quarterly review"
    assert written["Deal stage"].zoho_id == world.people.deal["id"]
    assert {t["id"] for t in world.in_zoho("Tasks")} == {written["Task 1"].zoho_id, written["Task 2"].zoho_id}


def test_a_dead_letter_for_a_user_without_an_active_zoho_user_says_who_to_map_in_words(world):
    now = utc_now()
    inactive = world.inactive_user_email
    world.bring_in(world.call("c-9", now, user_email=inactive))
    world.cycle(now=now)

    [dead] = dead_letters(world.rt, world.org_id)

    assert (dead.op_key, dead.what, dead.code) == ("c-9/activity", "Call", "OWNER_NOT_MAPPED")
    assert dead.user_email == inactive
    assert dead.reason == f"{inactive} has no active Zoho user: map them to one on the Connection page, then retry"
    assert writeback_status(world.rt, world.org_id, now).counts["dead"] == 1


def test_a_dead_letter_zoho_refused_gives_zohos_code_and_the_field_in_words(world):
    world.people.rep.status = "inactive"  # deactivated in Zoho after our last user refresh
    now = utc_now()
    world.bring_in(world.call("c-1", now))
    world.cycle(now=now)

    [dead] = dead_letters(world.rt, world.org_id)

    assert (dead.code, dead.attempts) == ("INVALID_DATA", 1)
    assert dead.reason.startswith("Zoho rejected a value we sent (field Owner)")
    assert "Zoho said:" in dead.reason


@pytest.mark.parametrize(("op_key", "module", "what"), [("c-1/activity", "Calls", "Call"),
                                                        ("m-1/activity", "Events", "Event"),
                                                        ("m-1/task/2", "Tasks", "Task 2"),
                                                        ("m/x/stage", "Deals", "Deal stage")])
def test_each_write_is_named_for_people_by_its_key(op_key, module, what):
    assert what_of(op_key, op_key.rsplit("/", 2 if "/task/" in op_key else 1)[0], module) == what


def test_a_reason_already_in_words_is_shown_once_and_an_unknown_code_keeps_zohos_message():
    described = "Zoho rejected a value we sent (field Owner); the data needs fixing before it can sync."
    assert reason_in_words("INVALID_DATA", described, {"api_name": "Owner"}) == described  # a whole batch refused
    assert reason_in_words("NO_PERMISSION", None, {}) == ("The connected Zoho user is not allowed to do this; "
                                                          "reconnect with an administrator.")
    fallback = "Zoho refused the request (ODD_CODE: something odd)."
    assert reason_in_words("ODD_CODE", fallback, None) == fallback
    assert reason_in_words("ODD_CODE", "something odd", None) == "something odd"
    assert reason_in_words("ODD_CODE", None, None) == "Zoho refused it (ODD_CODE)."


def test_only_the_orgs_admin_may_retry_or_push_through_the_service(world):
    now = utc_now()
    world.bring_in(world.call("c-9", now, user_email=world.inactive_user_email))
    world.cycle(now=now)
    for viewer in (Viewer("m@x.example", "M", "manager", world.org_id), Viewer("c@x.example", "C", "csm", None),
                   Viewer("a@x.example", "A", "admin", "another-org")):
        with pytest.raises(OrgNotVisible):
            service.retry_dead_letters_as(world.rt, viewer, world.org_id, ["c-9/activity"])
        with pytest.raises(OrgNotVisible):
            service.push_now_as(world.rt, viewer, world.org_id)
    assert [d.op_key for d in service.dead_letter_list(world.rt, world.org_id)] == ["c-9/activity"]
    admin = Viewer("a@x.example", "A", "admin", world.org_id)
    assert service.retry_dead_letters_as(world.rt, admin, world.org_id, ["c-9/activity"]) == 1


# -- the CLI ----------------------------------------------------------------------------------------------
def cli(world: WritebackWorld, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m sync_engine writeback ...`` in its own process, on the world's DuckDB file (closed meanwhile:
    DuckDB lets one process at a time open it)."""
    env = {"SYNC_DATA_DIR": str(world.data_dir), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    world.rt.close()
    try:
        return subprocess.run([sys.executable, "-m", "sync_engine", "writeback", *args], capture_output=True,
                              text=True, env=env, timeout=120, cwd=ROOT)
    finally:
        world.reopen()


def test_cli_lists_dead_letters_with_reasons_retries_one_once_fixed_and_pushes_it(world):
    now = utc_now()
    inactive = world.inactive_user_email
    world.bring_in(world.call("c-9", now, user_email=inactive), world.meeting("m-1", now))
    world.cycle(now=now)

    status = cli(world, "status", "--org", world.org_id)
    assert status.returncode == 0, status.stderr
    assert "0 pending, 0 in flight, 1 done, 1 dead" in status.stdout
    assert "not paused" in status.stdout and "p50 1,800 s, p95 1,800 s" in status.stdout

    dead = cli(world, "dead", "--org", world.org_id)
    assert dead.returncode == 0, dead.stderr
    [line] = dead.stdout.splitlines()
    assert line.startswith("c-9/activity\tCall\tOWNER_NOT_MAPPED\t0 attempt(s)\t")
    assert line.endswith(f"{inactive} has no active Zoho user: map them to one on the Connection page, then retry")

    not_fixed = cli(world, "retry", "--org", world.org_id, "--key", "c-9/activity")
    assert not_fixed.returncode == 0, not_fixed.stderr
    assert "blocked again (cause not fixed): c-9/activity" in not_fixed.stdout

    service.map_user(world.rt, world.org_id, inactive, world.people.rep.id)
    retried = cli(world, "retry", "--org", world.org_id, "--all")
    assert retried.returncode == 0, retried.stderr
    assert retried.stdout.strip() == "1 re-planned; the next push sends them."

    pushed = cli(world, "push", "--org", world.org_id)
    assert pushed.returncode == 0, pushed.stderr
    assert pushed.stdout.strip() == f"{world.org_id}: 0 planned; 1 created; 0 updated"
    [call] = world.in_zoho("Calls")
    assert call["Owner"] == world.people.rep.id
    assert world.states() == {"c-9/activity": "done", "m-1/activity": "done"}


def test_cli_retry_needs_keys_or_all_and_says_when_a_key_is_not_a_dead_letter(world):
    neither = cli(world, "retry", "--org", world.org_id)
    assert neither.returncode == 2 and "one of the arguments --all --key is required" in neither.stderr
    unknown = cli(world, "retry", "--org", world.org_id, "--key", "nope/activity")
    assert unknown.returncode == 1
    assert "nope/activity is not a dead letter" in unknown.stderr and "0 re-planned" in unknown.stdout


def test_cli_status_of_an_unknown_org_explains_itself(world):
    run = cli(world, "status", "--org", "no-such-org")
    assert run.returncode == 1 and "python -m sync_engine orgs" in run.stderr and "Traceback" not in run.stderr


def test_dead_letter_for_a_stage_the_pipeline_lacks_names_the_fix(world):
    now = utc_now()
    world.bring_in(world.meeting("m-1", now, outcome="demo booked"))
    settings = replace(WritebackSettings(update_deal_stage=True), stage_map={"demo booked": "Contract Sent"})
    world.cycle(settings, now)
    [dead] = dead_letters(world.rt, world.org_id)
    assert (dead.what, dead.code) == ("Deal stage", "STAGE_NOT_IN_PIPELINE")
    assert "fix the stage mapping in Settings, then retry" in dead.reason


def test_a_call_which_has_no_title_is_named_by_its_direction_and_start(world):
    now = utc_now().replace(microsecond=0)
    call = world.call("c-1", now)
    world.bring_in(call)
    world.cycle(now=now)

    [written] = recent_writes(world.rt, world.org_id)

    started = datetime.fromisoformat(call["start"]).astimezone(UTC)
    assert (written.what, written.title) == ("Call", f"Outbound call at {started:%Y-%m-%d %H:%M}")


def test_status_counts_a_write_whose_answer_was_lost_at_its_price_and_says_it_is_unsettled(world):
    now = utc_now()
    world.bring_in(world.call("c-1", now))
    world.control.faults(drop_after_rate=1.0)  # Zoho writes it and charges it; the answer never arrives
    world.cycle(now=now)
    world.control.no_faults()

    status = writeback_status(world.rt, world.org_id)  # now: the call was made a moment after ``now``
    assert (status.unanswered.calls, status.unanswered.credits) == (1, 1)

    shown = cli(world, "status", "--org", world.org_id)
    assert shown.returncode == 0, shown.stderr
    assert "unsettled: 1 call(s) whose answer is unknown" in shown.stdout and "expected 1 credit(s)" in shown.stdout
