"""Specification of write-back planning: a matched conversation and the org's settings -> Zoho writes.

Pure data in, pure data out: each table names a case and the record fields it must (or must not)
produce. Links follow Zoho's rules for activities (zoho-api.md section 7): a Contact is the ``Who_Id``;
a Deal, else an Account, else a Lead is the ``What_Id`` with ``$se_module``; a Lead is never a
``Who_Id``; an Event lists its contact or lead in ``Participants``.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync_engine.intake.conversations import Call, Meeting, Participant, PhoneNumber
from sync_engine.settings.writeback_settings import TaskRule, WritebackSettings
from sync_engine.writeback.plan import (
    MAX_DESCRIPTION,
    MAX_SUBJECT,
    PRIORITY_BACKFILL,
    PRIORITY_FOLLOW_UP,
    PRIORITY_RECENT,
    DealFacts,
    Links,
    Plan,
    PlanContext,
    PlannedWrite,
    StageFacts,
    due_date,
    marker_for,
    marker_line,
    plan_conversation,
)

NOW = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)  # a Wednesday
REP, DEAL_OWNER, CONTACT_OWNER, LEAD_OWNER, ACCOUNT_OWNER = "U-rep", "U-deal", "U-contact", "U-lead", "U-account"
ORDER = ("Qualification", "Needs Analysis", "Proposal", "Negotiation", "Closed Won", "Closed Lost")
CTX = PlanContext(
    "org-1",
    names={"C1": "Bob Stone", "L1": "Lee Lead", "A1": "Northwind", "D1": "Northwind renewal"},
    record_owners={"D1": DEAL_OWNER, "C1": CONTACT_OWNER, "L1": LEAD_OWNER, "A1": ACCOUNT_OWNER},
    deals={"D1": DealFacts("Needs Analysis", "Standard", DEAL_OWNER)},
    stages={("Standard", stage): StageFacts(n, stage if stage.startswith("Closed") else "Open")
            for n, stage in enumerate(ORDER, start=1)},
)
EVERYTHING = WritebackSettings(update_deal_stage=True, create_tasks=True,
                               stage_map={"Demo": "Proposal", "won": "Closed Won", "Kickoff": "Qualification"})


def meeting(**changes: Any) -> Meeting:
    base = Meeting(id="m-1", title="Quarterly review", start=NOW - timedelta(hours=2), end=NOW - timedelta(hours=1),
                   organizer=Participant("rep@ours.io", role="organizer"),
                   attendees=(Participant("rep@ours.io"), Participant("bob@northwind.com")),
                   user_email="rep@ours.io", source="jsonl", summary="Talked pricing.",
                   action_items=("Send the quote", "Book a demo"))
    return replace(base, **changes)


def call(**changes: Any) -> Call:
    base = Call(id="c-1", direction="outbound", from_number=PhoneNumber("+14155550100", "+14155550100"),
                to_number=PhoneNumber("+14155550199", "+14155550199"), start=NOW - timedelta(minutes=30),
                duration_s=125, user_email="rep@ours.io", source="jsonl", summary="Follow-up call.",
                action_items=("Email the contract",))
    return replace(base, **changes)


def links(**changes: Any) -> Links:
    return replace(Links(owner_id=REP, contact_id="C1", account_id="A1"), **changes)


def plan(conv: Meeting | Call, link: Links | None = None, settings: WritebackSettings = EVERYTHING,
         ctx: PlanContext = CTX, now: datetime = NOW) -> Plan:
    return plan_conversation(conv, link or links(), ctx, settings, now)


def write(result: Plan, op: str) -> PlannedWrite:
    found = [w for w in result.writes if w.op_key.endswith("/" + op) or w.op_key.split("/", 1)[1] == op]
    assert len(found) == 1, [w.op_key for w in result.writes]
    return found[0]


def activity(conv: Meeting | Call, link: Links | None = None, settings: WritebackSettings = EVERYTHING,
             ctx: PlanContext = CTX) -> dict[str, Any]:
    record = write(plan(conv, link, settings, ctx), "activity").record
    assert record is not None
    return record


def link_fields(record: dict[str, Any]) -> dict[str, Any]:
    return {k: record[k] for k in ("Who_Id", "What_Id", "$se_module", "Participants") if k in record}


# -- links ------------------------------------------------------------------------------------------
CONTACT, LEAD = {"type": "contact", "participant": "C1"}, {"type": "lead", "participant": "L1"}


@pytest.mark.parametrize(("found", "expected"), [
    pytest.param({"contact_id": "C1"}, {"Who_Id": {"id": "C1"}, "Participants": [CONTACT]}, id="contact only"),
    pytest.param({"contact_id": "C1", "account_id": "A1"},
                 {"Who_Id": {"id": "C1"}, "What_Id": {"id": "A1"}, "$se_module": "Accounts", "Participants": [CONTACT]},
                 id="contact and account"),
    pytest.param({"contact_id": "C1", "account_id": "A1", "deal_id": "D1"},
                 {"Who_Id": {"id": "C1"}, "What_Id": {"id": "D1"}, "$se_module": "Deals", "Participants": [CONTACT]},
                 id="a deal wins over its account"),
    pytest.param({"account_id": "A1"}, {"What_Id": {"id": "A1"}, "$se_module": "Accounts"}, id="account only"),
    pytest.param({"deal_id": "D1"}, {"What_Id": {"id": "D1"}, "$se_module": "Deals"}, id="deal only"),
    pytest.param({"lead_id": "L1"}, {"What_Id": {"id": "L1"}, "$se_module": "Leads", "Participants": [LEAD]},
                 id="a lead is a What_Id, never a Who_Id"),
    pytest.param({"lead_id": "L1", "account_id": "A1"},
                 {"What_Id": {"id": "A1"}, "$se_module": "Accounts", "Participants": [LEAD]},
                 id="an account wins over a lead"),
    pytest.param({"contact_id": "C1", "lead_id": "L1"},
                 {"Who_Id": {"id": "C1"}, "Participants": [CONTACT, LEAD]},
                 id="a lead beside a contact is only a participant"),
    pytest.param({}, {}, id="nothing matched: no links at all"),
    pytest.param({"contact_id": "C1", "account_id": "A1",
                  "people": (("contact", "C1"), ("contact", "C2"), ("lead", "L1"))},
                 {"Who_Id": {"id": "C1"}, "What_Id": {"id": "A1"}, "$se_module": "Accounts",
                  "Participants": [CONTACT, {"type": "contact", "participant": "C2"}, LEAD]},
                 id="every matched person of the meeting is a participant, once"),
    pytest.param({"people": (("contact", "C1"), ("contact", "C2"))},
                 {"Participants": [CONTACT, {"type": "contact", "participant": "C2"}]},
                 id="a tie links no account, but its people still took part"),
])
def test_event_links_follow_zohos_rules(found, expected):
    record = activity(meeting(), Links(owner_id=REP, **found))
    assert link_fields(record) == expected


@pytest.mark.parametrize(("found", "expected"), [
    ({"contact_id": "C1", "account_id": "A1", "deal_id": "D1"},
     {"Who_Id": {"id": "C1"}, "What_Id": {"id": "D1"}, "$se_module": "Deals"}),
    ({"contact_id": "C1", "account_id": "A1"},
     {"Who_Id": {"id": "C1"}, "What_Id": {"id": "A1"}, "$se_module": "Accounts"}),
    ({"lead_id": "L1"}, {"What_Id": {"id": "L1"}, "$se_module": "Leads"}),
    ({}, {}),
])
def test_calls_and_tasks_link_like_events_without_participants(found, expected):
    result = plan(call(), Links(owner_id=REP, **found))
    for w in result.writes:
        if w.module in ("Calls", "Tasks"):
            assert link_fields(w.record) == expected, w.op_key


def test_participants_are_never_sent_by_email_so_zoho_sends_no_invitations():
    record = activity(meeting(), links(lead_id="L1"))
    assert all(p["type"] in ("contact", "lead") and "Email" not in p for p in record["Participants"])


# -- the activity itself ----------------------------------------------------------------------------
def test_a_meeting_becomes_an_event_owned_by_the_rep_with_its_times_in_zohos_format():
    result = plan(meeting())
    event = write(result, "activity")
    assert (event.module, event.action, event.op_key) == ("Events", "insert", "m-1/activity")
    assert event.record["Owner"] == {"id": REP}
    assert event.record["Event_Title"] == "Quarterly review"
    assert event.record["Start_DateTime"] == "2026-03-04T13:00:00+00:00"  # an offset, never a Z
    assert event.record["End_DateTime"] == "2026-03-04T14:00:00+00:00"


@pytest.mark.parametrize(("title", "found", "expected"), [
    ("Quarterly review", {"contact_id": "C1"}, "Quarterly review"),
    ("   ", {"contact_id": "C1"}, "Meeting with Bob Stone"),
    ("", {"lead_id": "L1"}, "Meeting with Lee Lead"),
    ("", {"account_id": "A1"}, "Meeting"),
    ("x" * 300, {}, "x" * MAX_SUBJECT),
])
def test_event_titles(title, found, expected):
    assert activity(meeting(title=title), Links(owner_id=REP, **found))["Event_Title"] == expected


def test_a_call_becomes_a_call_owned_by_the_rep():
    result = plan(call())
    record = write(result, "activity").record
    assert write(result, "activity").module == "Calls"
    assert record["Owner"] == {"id": REP} and record["Call_Start_Time"] == "2026-03-04T14:30:00+00:00"


@pytest.mark.parametrize(("direction", "seconds", "call_type", "duration"), [
    ("outbound", 125, "Outbound", "02:05"),
    ("outbound", 59, "Outbound", "00:59"),
    ("outbound", 3600, "Outbound", "60:00"),  # minutes:seconds, not hours:minutes
    ("inbound", 5, "Inbound", "00:05"),
    ("inbound", 999 * 60 + 59, "Inbound", "999:59"),
    ("inbound", 0, "Missed", None),  # an unanswered inbound call is a missed call, with no duration
])
def test_call_type_and_duration_in_minutes_and_seconds(direction, seconds, call_type, duration):
    record = activity(call(direction=direction, duration_s=seconds))
    assert record["Call_Type"] == call_type
    assert record.get("Call_Duration") == duration


def test_an_outbound_call_nobody_answered_is_not_logged():
    result = plan(call(duration_s=0))
    assert result.writes == () and result.skipped == "outbound call not connected"


@pytest.mark.parametrize(("direction", "activity_type", "found", "expected"), [
    ("outbound", "Demo call", {"contact_id": "C1", "account_id": "A1"}, "Demo call with Bob Stone (Northwind)"),
    ("outbound", None, {"contact_id": "C1", "account_id": "A1"}, "Outbound call with Bob Stone (Northwind)"),
    ("inbound", None, {"lead_id": "L1"}, "Inbound call with Lee Lead"),
    ("inbound", None, {"account_id": "A1"}, "Inbound call (Northwind)"),
    ("outbound", None, {}, "Outbound call"),
    ("outbound", "D" * 300, {"contact_id": "C1"}, "D" * MAX_SUBJECT),
])
def test_call_subjects_name_the_type_the_person_and_the_account(direction, activity_type, found, expected):
    link = Links(owner_id=REP, activity_type=activity_type, **found)
    assert activity(call(direction=direction), link)["Subject"] == expected


# -- each setting changes exactly what it should ----------------------------------------------------
def shape(result: Plan) -> dict[str, Any]:
    """What a plan amounts to: its op keys, and each record without its description."""
    return {w.op_key: {k: v for k, v in (w.record or {}).items() if k != "Description"} for w in result.writes}


@pytest.mark.parametrize("conv", [meeting(), call()], ids=["meeting", "call"])
@pytest.mark.parametrize(("setting", "changes"), [
    ("log_meetings", lambda p: {k for k in p if k == "m-1/activity"}),
    ("log_calls", lambda p: {k for k in p if k == "c-1/activity"}),
    ("create_tasks", lambda p: {k for k in p if "/task/" in k}),
    ("update_deal_stage", lambda p: {k for k in p if k.endswith("/stage")}),
])
def test_each_toggle_adds_or_removes_exactly_its_own_writes(conv, setting, changes):
    link = links(deal_id="D1", activity_type="Demo")
    on = shape(plan(conv, link, replace(EVERYTHING, **{setting: True})))
    off = shape(plan(conv, link, replace(EVERYTHING, **{setting: False})))
    assert set(on) - set(off) == changes(on)
    assert set(off) <= set(on) and all(on[k] == off[k] for k in off)


def test_the_defaults_log_both_kinds_with_summaries_but_no_tasks_or_stages():
    defaults = WritebackSettings(stage_map={"Demo": "Proposal"})
    link = links(deal_id="D1", activity_type="Demo")
    assert [w.op_key for w in plan(meeting(), link, defaults).writes] == ["m-1/activity"]
    assert [w.op_key for w in plan(call(), link, defaults).writes] == ["c-1/activity"]


def test_tasks_and_the_stage_are_planned_even_when_the_activity_itself_is_not_logged():
    settings = replace(EVERYTHING, log_meetings=False)
    keys = [w.op_key for w in plan(meeting(), links(deal_id="D1", activity_type="Demo"), settings).writes]
    assert keys == ["m-1/task/1", "m-1/task/2", "m-1/stage"]


def test_set_call_subject_off_keeps_zohos_plain_subject_and_changes_nothing_else():
    link = links(activity_type="Demo call")
    on = activity(call(), link, replace(EVERYTHING, set_call_subject=True))
    off = activity(call(), link, replace(EVERYTHING, set_call_subject=False))
    assert (on["Subject"], off["Subject"]) == ("Demo call with Bob Stone (Northwind)", "Outbound call")
    assert {k: v for k, v in on.items() if k != "Subject"} == {k: v for k, v in off.items() if k != "Subject"}
    assert activity(call(direction="inbound"), link, replace(EVERYTHING, set_call_subject=False))["Subject"] \
        == "Inbound call"


@pytest.mark.parametrize("conv", [meeting(), call()], ids=["meeting", "call"])
def test_write_summary_puts_the_summary_above_the_marker_or_leaves_only_the_marker(conv):
    marker = marker_line(marker_for("org-1", f"{conv.id}/activity"))
    on = activity(conv, settings=replace(EVERYTHING, write_summary=True))
    off = activity(conv, settings=replace(EVERYTHING, write_summary=False))
    assert on["Description"] == f"{conv.summary}\n\n{marker}"
    assert off["Description"] == marker
    assert {k: v for k, v in on.items() if k != "Description"} == {k: v for k, v in off.items() if k != "Description"}


def test_a_conversation_without_summary_carries_only_the_marker():
    record = activity(meeting(summary=None))
    assert record["Description"] == marker_line(marker_for("org-1", "m-1/activity"))


@pytest.mark.parametrize(("status", "statuses", "written"), [
    ("matched", ("matched", "partial"), True),
    ("partial", ("matched", "partial"), True),
    ("ambiguous", ("matched", "partial"), False),
    ("unmatched", ("matched", "partial"), False),
    ("ambiguous", ("matched", "ambiguous"), True),
    ("partial", ("matched",), False),
    ("matched", (), False),
])
def test_statuses_choose_which_matches_are_written(status, statuses, written):
    result = plan(meeting(), links(status=status), replace(EVERYTHING, statuses=statuses))
    assert bool(result.writes) is written
    if not written:
        assert result.skipped == f"match status {status} is not written (Settings: statuses)"


@pytest.mark.parametrize(("conv", "reason"), [
    (meeting(status="cancelled"), "meeting cancelled or declined"),
    (meeting(attendees=(Participant("rep@ours.io", response="declined"),)), "meeting cancelled or declined"),
    (call(duration_s=0), "outbound call not connected"),
])
def test_conversations_that_did_not_happen_write_nothing_not_even_tasks(conv, reason):
    result = plan(conv, links(deal_id="D1", activity_type="Demo"))
    assert result == Plan((), reason)


def test_nothing_to_write_says_so():
    result = plan(meeting(action_items=()), links(), WritebackSettings(log_meetings=False))
    assert result == Plan((), "nothing to write under the org's settings")


# -- the owner ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("conv", [meeting(), call()], ids=["meeting", "call"])
def test_no_zoho_user_for_the_rep_blocks_the_activity_with_what_to_do(conv):
    result = plan(conv, links(owner_id=None, deal_id="D1", activity_type="Demo"))
    [blocked] = result.writes
    assert (blocked.op_key, blocked.record, blocked.marker) == (f"{conv.id}/activity", None, None)
    assert blocked.blocked_code == "OWNER_NOT_MAPPED"
    assert blocked.blocked_message == ("rep@ours.io has no active Zoho user: map them to one on the Connection page, "
                                       "then retry")
    assert blocked.module == ("Events" if isinstance(conv, Meeting) else "Calls")


def test_no_zoho_user_and_no_activity_to_log_says_why_nothing_is_written():
    result = plan(call(), links(owner_id=None), replace(EVERYTHING, log_calls=False))
    assert result == Plan((), "rep@ours.io has no active Zoho user: map them to one on the Connection page, then retry")


# -- tasks -------------------------------------------------------------------------------------------
def test_one_task_per_action_item_linked_like_the_activity_and_marked():
    result = plan(meeting(), links(deal_id="D1"))
    tasks = [w for w in result.writes if w.module == "Tasks"]
    assert [t.op_key for t in tasks] == ["m-1/task/1", "m-1/task/2"]
    first = tasks[0].record
    assert first["Subject"] == "Send the quote" and first["Status"] == "Not Started" and first["Priority"] == "Normal"
    assert link_fields(first) == {"Who_Id": {"id": "C1"}, "What_Id": {"id": "D1"}, "$se_module": "Deals"}
    assert first["Description"] == ("Follow-up from the Quarterly review on 2026-03-04.\n\n"
                                    + marker_line(tasks[0].marker))
    assert tasks[0].marker == marker_for("org-1", "m-1/task/1")


def test_a_long_action_item_is_cut_in_the_subject_and_kept_whole_in_the_description():
    item = "Prepare " + "a very detailed plan " * 20
    [task] = [w for w in plan(call(action_items=(item,))).writes if w.module == "Tasks"]
    assert task.record["Subject"] == item.strip()[:MAX_SUBJECT]
    assert item.strip() in task.record["Description"]
    assert task.record["Description"].startswith("Follow-up from the call on 2026-03-04.")


@pytest.mark.parametrize(("rule", "found", "owner"), [
    (TaskRule(owner="conversation_user"), {"deal_id": "D1", "contact_id": "C1"}, REP),
    (TaskRule(owner="record_owner"), {"deal_id": "D1", "contact_id": "C1", "account_id": "A1"}, DEAL_OWNER),
    (TaskRule(owner="record_owner"), {"contact_id": "C1", "account_id": "A1"}, CONTACT_OWNER),
    (TaskRule(owner="record_owner"), {"lead_id": "L1", "account_id": "A1"}, LEAD_OWNER),
    (TaskRule(owner="record_owner"), {"account_id": "A1"}, ACCOUNT_OWNER),
    (TaskRule(owner="record_owner"), {"contact_id": "C-unknown"}, REP),  # no owner known: the rep's
    (TaskRule(owner="record_owner"), {}, REP),
])
def test_task_owner_rule(rule, found, owner):
    result = plan(call(), Links(owner_id=REP, **found), replace(EVERYTHING, tasks=rule))
    [task] = [w for w in result.writes if w.module == "Tasks"]
    assert task.record["Owner"] == {"id": owner}
    assert write(result, "activity").record["Owner"] == {"id": REP}  # the activity stays the rep's


@pytest.mark.parametrize(("ended", "days", "business", "due"), [
    (date(2026, 3, 4), 2, True, date(2026, 3, 6)),  # Wednesday -> Friday
    (date(2026, 3, 5), 2, True, date(2026, 3, 9)),  # Thursday -> Monday, over the weekend
    (date(2026, 3, 6), 1, True, date(2026, 3, 9)),  # Friday -> Monday
    (date(2026, 3, 6), 5, True, date(2026, 3, 13)),  # a working week
    (date(2026, 3, 7), 1, True, date(2026, 3, 9)),  # Saturday -> Monday
    (date(2026, 3, 7), 0, True, date(2026, 3, 9)),  # due "today" on a Saturday: Monday
    (date(2026, 3, 4), 0, True, date(2026, 3, 4)),
    (date(2026, 3, 6), 2, False, date(2026, 3, 8)),  # calendar days may land on a Sunday
    (date(2026, 3, 4), 0, False, date(2026, 3, 4)),
    (date(2026, 12, 31), 1, True, date(2027, 1, 1)),
])
def test_due_dates_in_business_or_calendar_days(ended, days, business, due):
    assert due_date(ended, days, business) == due


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)), st.integers(0, 90))
def test_business_due_dates_are_weekdays_with_exactly_that_many_weekdays_between(ended, days):
    due = due_date(ended, days, True)
    assert due.weekday() < 5 and due >= ended
    between = [ended + timedelta(n) for n in range(1, (due - ended).days + 1)]
    weekdays = sum(d.weekday() < 5 for d in between)
    assert weekdays == days or (days == 0 and ended.weekday() >= 5 and weekdays == 1)


def test_the_task_rule_sets_due_date_and_priority():
    rule = TaskRule(due_in_days=3, business_days=False, priority="High")
    [task] = [w for w in plan(call(), settings=replace(EVERYTHING, tasks=rule)).writes if w.module == "Tasks"]
    assert (task.record["Due_Date"], task.record["Priority"]) == ("2026-03-07", "High")


# -- the deal stage ----------------------------------------------------------------------------------
def deal_at(stage: str) -> PlanContext:
    return replace(CTX, deals={"D1": DealFacts(stage, "Standard", DEAL_OWNER)})


@pytest.mark.parametrize(("current", "outcome", "activity_type", "allow_back", "expected"), [
    pytest.param("Needs Analysis", None, "Demo", False, ("update", "Proposal"), id="activity type moves forward"),
    pytest.param("Needs Analysis", "won", "Demo", False, ("update", "Closed Won"), id="an outcome wins over the type"),
    pytest.param("Needs Analysis", "WON ", None, False, ("update", "Closed Won"), id="outcomes match loosely"),
    pytest.param("Needs Analysis", None, "Check-in", False, None, id="unmapped type: no update"),
    pytest.param("Proposal", None, "Demo", False, None, id="already at that stage"),
    pytest.param("Negotiation", None, "Kickoff", False, None, id="never backwards"),
    pytest.param("Negotiation", None, "Kickoff", True, ("update", "Qualification"), id="backwards when allowed"),
    pytest.param("Closed Lost", None, "Demo", False, ("DEAL_CLOSED", "deal Northwind renewal is Closed Lost"),
                 id="a closed deal is never moved"),
    pytest.param("Closed Won", "won", None, False, None, id="a won deal marked won again: nothing to do"),
])
def test_stage_rules(current, outcome, activity_type, allow_back, expected):
    settings = replace(EVERYTHING, allow_stage_backwards=allow_back)
    result = plan(call(outcome=outcome), links(deal_id="D1", activity_type=activity_type), settings, deal_at(current))
    stages = [w for w in result.writes if w.module == "Deals"]
    if expected is None:
        assert stages == []
        return
    [stage] = stages
    assert (stage.op_key, stage.action, stage.priority, stage.marker) == ("c-1/stage", "update", PRIORITY_FOLLOW_UP,
                                                                          None)
    if expected[0] == "update":
        assert stage.record == {"id": "D1", "Stage": expected[1]} and stage.blocked_code is None
    else:
        assert stage.record is None and stage.blocked_code == expected[0]
        assert stage.blocked_message.startswith(expected[1])
        assert "reopen it in Zoho, then retry" in stage.blocked_message


def test_a_stage_the_pipeline_does_not_have_is_blocked_with_how_to_fix_it():
    settings = replace(EVERYTHING, stage_map={"Demo": "Demo Done"})
    [stage] = [w for w in plan(call(), links(deal_id="D1", activity_type="Demo"), settings).writes
               if w.module == "Deals"]
    assert stage.blocked_code == "STAGE_NOT_IN_PIPELINE" and stage.record is None
    assert stage.blocked_message == ("stage 'Demo Done' is not in the pipeline 'Standard' of deal Northwind renewal; "
                                     "fix the stage mapping in Settings, then retry")


def test_a_deal_missing_from_the_mirror_is_blocked():
    [stage] = [w for w in plan(call(), links(deal_id="D9", activity_type="Demo")).writes if w.module == "Deals"]
    assert stage.blocked_code == "DEAL_NOT_MIRRORED" and "D9" in stage.blocked_message


def test_no_deal_no_stage_update():
    assert [w for w in plan(call(), links(activity_type="Demo")).writes if w.module == "Deals"] == []


# -- markers, descriptions, priorities ---------------------------------------------------------------
def test_markers_are_stable_and_distinct_per_org_and_write():
    assert marker_for("org-1", "m-1/activity") == marker_for("org-1", "m-1/activity")
    keys = [(o, k) for o in ("org-1", "org-2") for k in ("m-1/activity", "m-1/task/1", "m-1/task/2", "m-2/activity")]
    markers = {marker_for(o, k) for o, k in keys}
    assert len(markers) == len(keys)
    assert all(m.startswith("cs-") and len(m) == 23 for m in markers)


def test_planning_twice_plans_the_same_writes():
    assert plan(meeting(), links(deal_id="D1", activity_type="Demo")) == \
        plan(meeting(), links(deal_id="D1", activity_type="Demo"))


def test_a_huge_summary_is_cut_to_zohos_32000_characters_keeping_the_marker():
    record = activity(meeting(summary="word " * 10_000))
    marker = marker_line(marker_for("org-1", "m-1/activity"))
    assert len(record["Description"]) == MAX_DESCRIPTION
    assert record["Description"].endswith("…\n\n" + marker)


def test_a_summary_that_just_fits_is_not_cut():
    marker = marker_line(marker_for("org-1", "m-1/activity"))
    summary = "x" * (MAX_DESCRIPTION - len(marker) - 2)
    assert activity(meeting(summary=summary))["Description"] == summary + "\n\n" + marker


@pytest.mark.parametrize(("ended_ago", "activity_priority", "later_priority"), [
    (timedelta(hours=1), PRIORITY_RECENT, PRIORITY_FOLLOW_UP),
    (timedelta(days=1, hours=23), PRIORITY_RECENT, PRIORITY_FOLLOW_UP),
    (timedelta(days=2, hours=1), PRIORITY_BACKFILL, PRIORITY_BACKFILL),
])
def test_priorities_recent_activity_first_then_follow_ups_then_backfill(ended_ago, activity_priority,
                                                                         later_priority):
    conv = meeting(start=NOW - ended_ago - timedelta(hours=1), end=NOW - ended_ago)
    result = plan(conv, links(deal_id="D1", activity_type="Demo"))
    assert {w.op_key: w.priority for w in result.writes} == {
        "m-1/activity": activity_priority, "m-1/task/1": later_priority, "m-1/task/2": later_priority,
        "m-1/stage": later_priority}


def test_backfill_days_moves_the_backfill_line():
    conv = meeting(start=NOW - timedelta(days=3, hours=1), end=NOW - timedelta(days=3))
    assert write(plan(conv, settings=replace(EVERYTHING, backfill_days=2)), "activity").priority == PRIORITY_BACKFILL
    assert write(plan(conv, settings=replace(EVERYTHING, backfill_days=5)), "activity").priority == PRIORITY_RECENT


# -- properties --------------------------------------------------------------------------------------
ids = st.sampled_from([None, "C1", "C2"]), st.sampled_from([None, "L1"]), st.sampled_from([None, "A1"]), \
    st.sampled_from([None, "D1", "D9"])
texts = st.text(min_size=0, max_size=300)


@st.composite
def conversations(draw: st.DrawFn) -> Meeting | Call:
    items = tuple(draw(st.lists(st.text(min_size=1, max_size=400).filter(str.strip), max_size=3)))
    summary = draw(st.one_of(st.none(), texts, st.just("s" * 40_000)))
    outcome = draw(st.sampled_from([None, "won", "lost"]))
    if draw(st.booleans()):
        return meeting(title=draw(texts), summary=summary, action_items=items, outcome=outcome)
    return call(direction=draw(st.sampled_from(["inbound", "outbound"])), duration_s=draw(st.integers(0, 90_000)),
                summary=summary, action_items=items, outcome=outcome)


@st.composite
def settings_drawn(draw: st.DrawFn) -> WritebackSettings:
    flags = {name: draw(st.booleans()) for name in ("log_meetings", "log_calls", "set_call_subject", "write_summary",
                                                    "update_deal_stage", "create_tasks", "allow_stage_backwards")}
    rule = TaskRule(owner=draw(st.sampled_from(["conversation_user", "record_owner"])))
    return WritebackSettings(**flags, tasks=rule, stage_map={"won": "Closed Won", "lost": "Closed Lost"})


@given(conversations(), *ids, st.sampled_from([REP, None]), settings_drawn())
def test_every_planned_write_follows_zohos_rules(conv, contact, lead, account, deal, owner, settings):
    result = plan_conversation(conv, Links(owner, contact, lead, account, deal), CTX, settings, NOW)
    keys = [w.op_key for w in result.writes]
    assert len(keys) == len(set(keys))
    assert (result.skipped is None) == bool(result.writes)
    for w in result.writes:
        if w.record is None:
            assert w.blocked_code and w.blocked_message
            continue
        record = w.record
        if w.action == "insert":
            assert record["Owner"]["id"], "every insert names its owner"
            assert w.marker == marker_for("org-1", w.op_key)
            assert record["Description"].endswith(marker_line(w.marker)), "the marker is the last line"
            assert len(record["Description"]) <= MAX_DESCRIPTION
            assert len(record.get("Subject") or record.get("Event_Title")) <= MAX_SUBJECT
        if "What_Id" in record:
            expected = {"D": "Deals", "A": "Accounts", "L": "Leads"}[record["What_Id"]["id"][0]]
            assert record["$se_module"] == expected
        assert "$se_module" not in record or "What_Id" in record
        assert record.get("Who_Id", {"id": "C"})["id"].startswith("C"), "only a contact is a Who_Id"
        for p in record.get("Participants", ()):
            assert p in ({"type": "contact", "participant": contact}, {"type": "lead", "participant": lead})


@given(conversations(), st.sampled_from(["org-1", "org-2"]))
def test_markers_within_a_plan_are_distinct(conv, org):
    result = plan_conversation(conv, links(deal_id="D1"), replace(CTX, org_id=org), EVERYTHING, NOW)
    markers = [w.marker for w in result.writes if w.marker]
    assert len(markers) == len(set(markers))
