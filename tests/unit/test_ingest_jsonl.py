"""Specification of JSON Lines ingestion: the schema, line-numbered errors, and the round trip."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync_engine.intake.conversations import (
    Call,
    Conversation,
    ImportResult,
    Meeting,
    Participant,
    PhoneNumber,
    conversation_to_json,
    parse_text,
)

MEETING: dict[str, Any] = {
    "kind": "meeting", "id": "m1", "title": "Renewal review", "start": "2025-03-12T14:00:00+01:00",
    "end": "2025-03-12T15:00:00+01:00", "organizer": {"email": "Jane@Acme.com", "name": "Jane"},
    "attendees": ["bob@client.com", {"email": "carla@client.com", "role": "optional", "response": "declined"}],
    "user_email": "jane@acme.com", "summary": "On track.", "action_items": ["Send redlines"],
    "activity_type": "Renewal"}
CALL: dict[str, Any] = {
    "kind": "call", "id": "c1", "direction": "inbound", "from": "+44 20 7946 0958", "to": "+1 650 253 0000",
    "start": 1741800000, "duration_s": "3:30", "user_email": "jane@acme.com"}


def lines(*records: dict[str, Any] | str) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


def parse(text: str, **kwargs: object) -> ImportResult:
    return parse_text(text, filename="conversations.jsonl", **kwargs)  # type: ignore[arg-type]


def test_meetings_and_calls_in_the_documented_schema() -> None:
    result = parse(lines(MEETING, CALL))
    assert result.errors == []
    meeting, call = result.conversations
    assert meeting == Meeting(
        id="m1", title="Renewal review", start=datetime(2025, 3, 12, 13, tzinfo=UTC),
        end=datetime(2025, 3, 12, 14, tzinfo=UTC), organizer=Participant("jane@acme.com", "Jane", "organizer"),
        attendees=(Participant("bob@client.com"), Participant("carla@client.com", None, "optional", "declined")),
        user_email="jane@acme.com", source="jsonl", summary="On track.", action_items=("Send redlines",),
        activity_type="Renewal")
    assert call == Call(
        id="c1", direction="inbound", from_number=PhoneNumber("+44 20 7946 0958", "+442079460958"),
        to_number=PhoneNumber("+1 650 253 0000", "+16502530000"), start=datetime(2025, 3, 12, 17, 20, tzinfo=UTC),
        duration_s=210, user_email="jane@acme.com", source="jsonl")


def test_a_bad_line_is_numbered_and_the_others_come_through() -> None:
    text = lines(MEETING, "{not json", "", {**CALL, "start": "soon"}, "[1, 2]", {**CALL, "id": "c2"})
    result = parse(text)
    assert [c.id for c in result.conversations] == ["m1", "c2"]
    assert [(e.location, e.field) for e in result.errors] == [("line 2", None), ("line 4", "start"),
                                                              ("line 5", None)]


@pytest.mark.parametrize(("change", "field"), [
    pytest.param({"acton_items": ["typo"]}, None, id="misspelt-key"),
    pytest.param({"kind": "webinar"}, "kind", id="unknown-kind"),
    pytest.param({"title": None}, "title", id="no-title"),
    pytest.param({"end": "2025-03-12T13:00:00+01:00"}, "end", id="ends-before-it-starts"),
    pytest.param({"attendees": [{"email": "b@c.com", "response": "maybe"}]}, "attendees", id="unknown-response"),
    pytest.param({"attendees": [{"email": "b@c.com", "phone": "1"}]}, "attendees", id="unknown-attendee-key"),
    pytest.param({"attendees": "bob@client.com"}, "attendees", id="attendees-not-a-list"),
    pytest.param({"action_items": [1, 2]}, "action_items", id="action-items-not-text"),
    pytest.param({"status": "postponed"}, "status", id="unknown-status"),
    pytest.param({"all_day": "yes"}, "all_day", id="all-day-not-a-boolean"),
    pytest.param({"title": {"text": "x"}}, "title", id="title-not-text"),
    pytest.param({"user_email": None, "organizer": None}, "user_email", id="nobody-to-log-it-for"),
])
def test_meeting_records_that_are_rejected(change: dict[str, Any], field: str | None) -> None:
    result = parse(lines({**MEETING, **change}))
    assert result.conversations == []
    assert [(e.location, e.field) for e in result.errors] == [("line 1", field)]


@pytest.mark.parametrize(("written", "email", "name"), [
    ("Ana Ruiz <Ana@X.com>", "ana@x.com", "Ana Ruiz"),
    ('"Ruiz, Ana" <ana@x.com>', "ana@x.com", "Ruiz, Ana"),
    ("<ana@x.com>", "ana@x.com", None),
    ("mailto:ana@x.com", "ana@x.com", None),
    ("  ANA@X.COM\t", "ana@x.com", None),
])
def test_attendees_are_read_as_people_write_addresses(written: str, email: str, name: str | None) -> None:
    result = parse(lines({**MEETING, "attendees": [written, {"email": written}]}))
    assert not result.warnings and not result.errors
    assert [(p.email, p.name) for p in result.meetings[0].attendees] == [(email, name), (email, name)]


def test_an_unreadable_attendee_address_is_a_numbered_warning_not_a_broken_key() -> None:
    result = parse(lines(CALL, {**MEETING, "attendees": ["bob@client.com", "not an email", "a@b@c.com"]}))
    assert not result.errors
    assert [(w.location, w.field) for w in result.warnings] == [("line 2", "attendees"), ("line 2", "attendees")]
    assert "item 2: 'not an email' is not a readable email address" in str(result.warnings[0])
    assert [p.email for p in result.meetings[0].attendees] == ["bob@client.com", None, None]


@pytest.mark.parametrize(("change", "field"), [
    pytest.param({"duration_s": True}, "duration_s", id="boolean-duration"),
    pytest.param({"duration_s": -3}, "duration_s", id="negative-duration"),
    pytest.param({"start": 1741800000000}, "start", id="epoch-milliseconds"),
    pytest.param({"direction": None}, "direction", id="no-direction"),
    pytest.param({"from": 4420}, "from", id="number-not-text"),
    pytest.param({"title": "calls have none"}, None, id="meeting-key-on-a-call"),
])
def test_call_records_that_are_rejected(change: dict[str, Any], field: str | None) -> None:
    result = parse(lines({**CALL, **change}))
    assert result.conversations == []
    assert [(e.location, e.field) for e in result.errors] == [("line 1", field)]


def test_meetings_and_calls_carry_an_explicit_outcome_and_a_blank_one_is_none() -> None:
    result = parse(lines({**MEETING, "outcome": "won"}, {**CALL, "outcome": "  "}, {**CALL, "id": "c2"}))
    assert [c.outcome for c in result.conversations] == ["won", None, None]


@pytest.mark.parametrize("outcome", [["won"], 3, "x" * 101])
def test_an_outcome_that_is_not_a_short_line_of_text_rejects_the_record(outcome: object) -> None:
    result = parse(lines({**CALL, "outcome": outcome}))
    assert result.conversations == []
    assert [(e.location, e.field) for e in result.errors] == [("line 1", "outcome")]


def test_the_outcome_is_written_back_and_records_stored_before_it_existed_still_read() -> None:
    (call,) = parse(lines({**CALL, "outcome": "demo booked"})).calls
    assert conversation_to_json(call)["outcome"] == "demo booked"
    stored_before = {k: v for k, v in conversation_to_json(replace(call, outcome=None)).items() if k != "outcome"}
    (again,) = parse(lines(stored_before)).calls
    assert again == replace(call, outcome=None)


def test_a_title_may_be_empty_as_in_calendars_but_not_left_out() -> None:
    assert [m.title for m in parse(lines({**MEETING, "title": " "})).meetings] == [""]


def test_calendar_meetings_written_as_json_lines_read_back_the_same() -> None:
    ics = ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a@x\nDTSTART;VALUE=DATE:20250314\nORGANIZER:mailto:j@acme.com\n"
           "ATTENDEE;CN=Bridge;PARTSTAT=DECLINED:tel:+1-650-253-0000\nEND:VEVENT\nEND:VCALENDAR\n")
    (meeting,) = parse_text(ics).meetings
    (again,) = parse(json.dumps(conversation_to_json(meeting))).meetings
    assert again == replace(meeting, source="jsonl")


def test_keys_starting_with_x_are_ignored() -> None:
    result = parse(lines({**CALL, "x_recording_url": "https://rec.example/1", "x_score": 0.9}))
    assert result.errors == [] and len(result.calls) == 1


def test_the_organizer_records_the_meeting_when_no_user_is_named() -> None:
    (meeting,) = parse(lines({**MEETING, "user_email": None})).meetings
    assert meeting.user_email == "jane@acme.com"


def test_hostile_json_is_refused_line_by_line() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    text = lines('{"kind": "call", "duration_s": NaN}', deep, "x" * 1_100_000, CALL)
    result = parse(text)
    assert [c.id for c in result.conversations] == ["c1"]
    assert [e.location for e in result.errors] == ["line 1", "line 2", "line 3"]


def test_a_json_array_is_one_error_saying_what_to_do() -> None:
    result = parse(json.dumps([MEETING, CALL]))
    assert result.conversations == []
    assert [e.message for e in result.errors] == ["a JSON array, not JSON Lines: write one JSON object per line"]


def test_ids_left_out_are_derived_and_agree_with_the_same_call_from_a_csv() -> None:
    csv = ("direction,from,to,start,duration_s,user_email\n"
           "inbound,+44 20 7946 0958,+1 650 253 0000,1741800000,210,jane@acme.com\n")
    from_csv = parse_text(csv).calls[0].id
    from_jsonl = parse(lines({k: v for k, v in CALL.items() if k != "id"})).calls[0].id
    assert from_csv == from_jsonl


# -- round trip ------------------------------------------------------------------------------------
WORDS = st.text(st.characters(whitelist_categories=["L", "N"]), min_size=1, max_size=12)
EMAILS = st.builds(lambda a, b: f"{a}@{b}.example".casefold(), WORDS, WORDS)
TIMES = st.datetimes(datetime(2000, 1, 1), datetime(2090, 1, 1)).map(
    lambda moment: moment.replace(microsecond=0, tzinfo=UTC))
OPTIONAL_TEXT = st.none() | WORDS
PEOPLE = st.builds(Participant, email=EMAILS, name=OPTIONAL_TEXT,
                   role=st.sampled_from(["attendee", "required", "optional"]),
                   response=st.sampled_from([None, "accepted", "declined", "tentative", "needs-action"]))
NUMBERS = st.sampled_from([PhoneNumber("+1 650-253-0000", "+16502530000"),
                           PhoneNumber("(650) 253-0000 x12", "+16502530000", "12"), PhoneNumber("anonymous")])
COMMON = {"id": WORDS, "user_email": EMAILS, "summary": OPTIONAL_TEXT,
          "action_items": st.lists(WORDS, max_size=3).map(tuple), "activity_type": OPTIONAL_TEXT,
          "outcome": OPTIONAL_TEXT}
MEETINGS = st.builds(
    lambda start, length, **kw: Meeting(start=start, end=start + timedelta(minutes=length), source="jsonl", **kw),
    start=TIMES, length=st.integers(0, 600), title=WORDS, organizer=st.none() | PEOPLE.map(
        lambda p: replace(p, role="organizer")), attendees=st.lists(PEOPLE, max_size=3).map(tuple),
    status=st.sampled_from(["confirmed", "cancelled"]), recurrence_id=st.none() | TIMES, all_day=st.booleans(),
    **COMMON)
CALLS = st.builds(Call, direction=st.just("outbound"), from_number=st.none() | NUMBERS, to_number=NUMBERS,
                  start=TIMES, duration_s=st.integers(0, 86_400), source=st.just("jsonl"), **COMMON)


@settings(max_examples=100, deadline=None)
@given(conversations=st.lists(MEETINGS | CALLS, min_size=1, max_size=5, unique_by=lambda c: c.id))
def test_written_conversations_read_back_the_same(conversations: list[Conversation]) -> None:
    text = "".join(json.dumps(conversation_to_json(c)) + "\n" for c in conversations)
    result = parse(text)
    assert result.errors == []
    assert result.conversations == conversations


@settings(max_examples=100, deadline=None)
@given(garbage=st.lists(st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\n"),
                                max_size=80), max_size=5))
def test_garbage_lines_never_crash_and_never_yield_a_record(garbage: list[str]) -> None:
    result = parse(lines(CALL, *garbage))
    assert [c.id for c in result.conversations] == ["c1"]
