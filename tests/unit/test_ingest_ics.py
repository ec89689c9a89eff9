"""Specification of calendar ingestion: series, instances, time zones, people, and what is rejected."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync_engine.intake.conversations import ExpansionWindow, ImportResult, Meeting, Participant, parse_text

NOW = datetime(2025, 3, 28, 12, tzinfo=UTC)  # default window: 2025-02-26 12:00Z .. 2025-03-29 12:00Z
BERLIN = ZoneInfo("Europe/Berlin")


def calendar(*events: str, head: str = "") -> str:
    body = "".join(f"BEGIN:VEVENT\n{event.strip()}\nEND:VEVENT\n" for event in events)
    return f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//tests//EN\n{head}{body}END:VCALENDAR\n"


def parse(text: str, **kwargs: object) -> ImportResult:
    kwargs.setdefault("now", NOW)
    return parse_text(text, **kwargs)  # type: ignore[arg-type]


def meetings(text: str, **kwargs: object) -> list[Meeting]:
    result = parse(text, **kwargs)
    assert result.errors == []
    return result.meetings


WEEKLY = """
UID:weekly@x
SUMMARY:Weekly sync
DTSTART;TZID=Europe/Berlin:20250303T100000
DTEND;TZID=Europe/Berlin:20250303T103000
RRULE:FREQ=WEEKLY
EXDATE;TZID=Europe/Berlin:20250317T100000
ORGANIZER;CN=Jane:mailto:jane@acme.com
ATTENDEE;CN=Bob;PARTSTAT=ACCEPTED:mailto:bob@client.com
"""
MOVED = """
UID:weekly@x
RECURRENCE-ID;TZID=Europe/Berlin:20250310T100000
SUMMARY:Weekly sync (moved)
DTSTART;TZID=Europe/Berlin:20250311T150000
DTEND;TZID=Europe/Berlin:20250311T153000
"""
CANCELLED = """
UID:weekly@x
RECURRENCE-ID;TZID=Europe/Berlin:20250324T100000
STATUS:CANCELLED
SUMMARY:Weekly sync
DTSTART;TZID=Europe/Berlin:20250324T100000
DTEND;TZID=Europe/Berlin:20250324T103000
"""


def test_weekly_series_with_a_moved_a_cancelled_and_an_excluded_instance() -> None:
    found = meetings(calendar(WEEKLY, MOVED, CANCELLED))
    assert [(m.id, m.start, m.title, m.status) for m in found] == [
        ("weekly@x/20250303T090000Z", datetime(2025, 3, 3, 10, tzinfo=BERLIN), "Weekly sync", "confirmed"),
        ("weekly@x/20250310T090000Z", datetime(2025, 3, 11, 15, tzinfo=BERLIN), "Weekly sync (moved)", "confirmed"),
        ("weekly@x/20250324T090000Z", datetime(2025, 3, 24, 10, tzinfo=BERLIN), "Weekly sync", "cancelled"),
    ]  # 17 March is the EXDATE; 31 March lies after the window
    assert [m.recurrence_id for m in found] == [datetime(2025, 3, d, 10, tzinfo=BERLIN) for d in (3, 10, 24)]
    assert all(m.cancelled == (m.status == "cancelled") for m in found)


def test_an_override_for_this_and_future_instances_moves_them_all_and_keeps_their_ids() -> None:
    later = ("UID:weekly@x\nRECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Berlin:20250317T100000\n"
             "SUMMARY:Weekly sync (afternoons)\nDTSTART;TZID=Europe/Berlin:20250317T140000\n"
             "DTEND;TZID=Europe/Berlin:20250317T143000")
    found = meetings(calendar(WEEKLY.replace("EXDATE", "X-EXDATE"), later))
    assert [(m.id, m.start.astimezone(BERLIN).hour) for m in found] == [
        ("weekly@x/20250303T090000Z", 10), ("weekly@x/20250310T090000Z", 10),
        ("weekly@x/20250317T090000Z", 14), ("weekly@x/20250324T090000Z", 14)]


def test_overridden_instance_without_people_keeps_the_series_organizer_and_attendees() -> None:
    moved = next(m for m in meetings(calendar(WEEKLY, MOVED)) if m.title.endswith("(moved)"))
    assert moved.organizer == Participant("jane@acme.com", "Jane", "organizer", None)
    assert [a.email for a in moved.attendees] == ["bob@client.com"]


def test_instance_ids_are_the_same_whichever_window_they_are_found_in() -> None:
    early = {m.id for m in meetings(calendar(WEEKLY), now=datetime(2025, 3, 12, tzinfo=UTC))}
    late = {m.id for m in meetings(calendar(WEEKLY), now=datetime(2025, 3, 27, tzinfo=UTC))}
    assert "weekly@x/20250310T090000Z" in early & late


def test_window_bounds_series_but_a_single_event_is_kept_whatever_its_date() -> None:
    old_single = "UID:old@x\nDTSTART:20200101T100000Z\nORGANIZER:mailto:jane@acme.com"
    window = ExpansionWindow(datetime(2025, 3, 9, tzinfo=UTC), datetime(2025, 3, 12, tzinfo=UTC))
    found = meetings(calendar(WEEKLY, old_single), window=window)
    assert [m.id for m in found] == ["weekly@x/20250310T090000Z", "old@x"]  # file order, instances by start


def test_series_in_berlin_keeps_local_time_across_the_dst_change() -> None:
    series = """
UID:dst@x
DTSTART;TZID=Europe/Berlin:20250324T100000
DTEND;TZID=Europe/Berlin:20250324T110000
RRULE:FREQ=WEEKLY;COUNT=2
ORGANIZER:mailto:jane@acme.com
"""
    window = ExpansionWindow(datetime(2025, 3, 20, tzinfo=UTC), datetime(2025, 4, 5, tzinfo=UTC))
    found = meetings(calendar(series), window=window)
    assert [m.start.astimezone(UTC).hour for m in found] == [9, 8]  # CET then CEST, 10:00 local both times
    assert [m.id for m in found] == ["dst@x/20250324T090000Z", "dst@x/20250331T080000Z"]


def test_event_across_the_dst_night_lasts_its_real_duration() -> None:
    night = """
UID:night@x
DTSTART;TZID=Europe/Berlin:20250330T013000
DTEND;TZID=Europe/Berlin:20250330T033000
ORGANIZER:mailto:jane@acme.com
"""
    (found,) = meetings(calendar(night))
    assert found.end - found.start == timedelta(hours=1)  # 02:00-03:00 does not exist that night
    assert found.start.utcoffset() == timedelta(0)  # times are UTC, so subtraction is elapsed time


def test_all_day_event_covers_its_dates_in_the_default_zone() -> None:
    offsite = "UID:offsite@x\nSUMMARY:Offsite\nDTSTART;VALUE=DATE:20250314\nDTEND;VALUE=DATE:20250316"
    single_day = "UID:holiday@x\nDTSTART;VALUE=DATE:20250317"
    found = meetings(calendar(offsite, single_day), default_tz="Europe/Berlin", user_email="jane@acme.com")
    assert [(m.start, m.end, m.all_day) for m in found] == [
        (datetime(2025, 3, 14, tzinfo=BERLIN), datetime(2025, 3, 16, tzinfo=BERLIN), True),
        (datetime(2025, 3, 17, tzinfo=BERLIN), datetime(2025, 3, 18, tzinfo=BERLIN), True),
    ]


def test_all_day_series_instances_are_named_by_date() -> None:
    series = "UID:standup@x\nDTSTART;VALUE=DATE:20250303\nRRULE:FREQ=WEEKLY;COUNT=2"
    found = meetings(calendar(series), user_email="jane@acme.com")
    assert [m.id for m in found] == ["standup@x/20250303", "standup@x/20250310"]


def test_floating_times_are_read_in_the_default_zone() -> None:
    floating = "UID:f@x\nDTSTART:20250305T090000\nDTEND:20250305T093000\nORGANIZER:mailto:jane@acme.com"
    (found,) = meetings(calendar(floating), default_tz="America/New_York")
    assert found.start == datetime(2025, 3, 5, 14, tzinfo=UTC)


def test_windows_time_zone_names_and_vtimezone_definitions_are_understood() -> None:
    windows_name = "UID:w@x\nDTSTART;TZID=W. Europe Standard Time:20250701T100000\nORGANIZER:mailto:j@acme.com"
    (found,) = meetings(calendar(windows_name))
    assert found.start == datetime(2025, 7, 1, 8, tzinfo=UTC)


def test_an_unknown_time_zone_rejects_that_event_rather_than_guessing() -> None:
    result = parse(calendar("UID:mars@x\nDTSTART;TZID=Mars/Olympus:20250301T100000\nORGANIZER:mailto:j@acme.com",
                            "UID:ok@x\nDTSTART:20250301T100000Z\nORGANIZER:mailto:j@acme.com"))
    assert [m.id for m in result.meetings] == ["ok@x"]
    assert [(e.location, e.field) for e in result.errors] == [("event 1 (UID mars@x)", "DTSTART")]
    assert "Mars/Olympus" in result.errors[0].message


@pytest.mark.parametrize(("address", "email", "name"), [
    pytest.param("ATTENDEE;CN=Bob:mailto:bob@client.com", "bob@client.com", "Bob", id="mailto"),
    pytest.param("ATTENDEE;CN=Bob:MAILTO:Bob.Stone@Client.COM", "bob.stone@client.com", "Bob", id="upper-case-mailto"),
    pytest.param("ATTENDEE;CN=Bob:bob@client.com", "bob@client.com", "Bob", id="bare-email-without-mailto"),
    pytest.param("ATTENDEE;CN=Bob;EMAIL=bob@client.com:urn:uuid:1234", "bob@client.com", "Bob", id="email-param"),
    pytest.param("ATTENDEE;CN=Bridge:tel:+1-650-253-0000", None, "Bridge", id="phone-bridge"),
    pytest.param("ATTENDEE;CN=Guest:invalid:nomail", None, "Guest", id="google-nomail"),
    pytest.param("ATTENDEE:urn:uuid:1234", None, None, id="neither-email-nor-name-is-left-out"),
])
def test_attendee_addresses(address: str, email: str | None, name: str | None) -> None:
    (found,) = meetings(calendar(f"UID:a@x\nDTSTART:20250301T100000Z\n{address}"), user_email="jane@acme.com")
    assert [(a.email, a.name) for a in found.attendees] == ([(email, name)] if email or name else [])


def test_rooms_and_resources_are_not_attendees() -> None:
    event = """
UID:a@x
DTSTART:20250301T100000Z
ATTENDEE;CUTYPE=ROOM;CN=Spree:mailto:spree@rooms.acme.com
ATTENDEE;CUTYPE=RESOURCE;CN=Projector:mailto:projector@acme.com
ATTENDEE;CUTYPE=INDIVIDUAL:mailto:bob@client.com
"""
    (found,) = meetings(calendar(event), user_email="jane@acme.com")
    assert [a.email for a in found.attendees] == ["bob@client.com"]


@pytest.mark.parametrize(("params", "role", "response"), [
    ("ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED", "required", "accepted"),
    ("ROLE=OPT-PARTICIPANT;PARTSTAT=TENTATIVE", "optional", "tentative"),
    ("ROLE=NON-PARTICIPANT;PARTSTAT=NEEDS-ACTION", "optional", "needs-action"),
    ("ROLE=CHAIR;PARTSTAT=DECLINED", "required", "declined"),
    ("PARTSTAT=DELEGATED", "required", None),  # RFC 5545's default role; a response we do not track
    ("ROLE=X-OBSERVER", "attendee", None),
])
def test_roles_and_responses(params: str, role: str, response: str | None) -> None:
    event = f"UID:a@x\nDTSTART:20250301T100000Z\nATTENDEE;{params}:mailto:bob@client.com"
    (found,) = meetings(calendar(event), user_email="jane@acme.com")
    assert (found.attendees[0].role, found.attendees[0].response) == (role, response)


DEMO = """
UID:demo@x
DTSTART:20250312T160000Z
ORGANIZER:mailto:jane@acme.com
ATTENDEE;PARTSTAT=ACCEPTED:mailto:dev@client.com
ATTENDEE;PARTSTAT=DECLINED:mailto:Erin@Acme.com
"""


@pytest.mark.parametrize(("owner", "declined"), [("erin@acme.com", True), (" ERIN@acme.com", True),
                                                 ("dev@client.com", False), (None, False)])
def test_declined_is_marked_only_when_the_recording_user_declined(owner: str | None, declined: bool) -> None:
    (found,) = meetings(calendar(DEMO), user_email=owner)
    assert found.declined_by_user is declined


def test_declining_one_instance_marks_only_that_instance() -> None:
    declined_once = MOVED.replace("SUMMARY:Weekly sync (moved)",
                                  "ATTENDEE;PARTSTAT=DECLINED:mailto:bob@client.com")
    found = meetings(calendar(WEEKLY, declined_once), user_email="bob@client.com")
    assert [m.declined_by_user for m in found] == [False, True, False]


def test_the_recording_user_is_the_calendar_owner_else_the_organizer() -> None:
    assert meetings(calendar(DEMO))[0].user_email == "jane@acme.com"
    assert meetings(calendar(DEMO), user_email="Dev@Client.com")[0].user_email == "dev@client.com"


def test_an_event_with_no_organizer_needs_the_calendar_owner() -> None:
    result = parse(calendar("UID:lonely@x\nDTSTART:20250301T100000Z"))
    assert result.conversations == []
    assert [(e.location, e.field) for e in result.errors] == [("event 1 (UID lonely@x)", "ORGANIZER")]


def test_a_calendar_carries_no_outcome_even_in_an_x_outcome_property() -> None:
    """An invitation is written before the meeting; an outcome comes with the JSON Lines record after it."""
    (meeting,) = meetings(calendar("UID:a@x\nDTSTART:20250301T100000Z\nORGANIZER:mailto:j@acme.com\nX-OUTCOME:won"))
    assert (meeting.outcome, meeting.summary, meeting.activity_type) == (None, None, None)


def test_cancelled_events_are_kept_and_marked() -> None:
    cancelled = "UID:c@x\nSTATUS:CANCELLED\nDTSTART:20250301T100000Z\nORGANIZER:mailto:jane@acme.com"
    assert [m.status for m in meetings(calendar(cancelled, DEMO))] == ["cancelled", "confirmed"]
    assert [m.status for m in meetings(calendar(DEMO, head="METHOD:CANCEL\n"))] == ["cancelled"]


def test_a_cancelled_series_cancels_every_instance() -> None:
    found = meetings(calendar(WEEKLY.replace("RRULE", "STATUS:CANCELLED\nRRULE")))
    assert found and {m.status for m in found} == {"cancelled"}


def test_an_instance_sent_on_its_own_is_imported_as_that_instance() -> None:
    (found,) = meetings(calendar(MOVED), user_email="jane@acme.com")
    assert (found.id, found.recurrence_id) == ("weekly@x/20250310T090000Z", datetime(2025, 3, 10, 10, tzinfo=BERLIN))


def test_a_broken_event_is_rejected_whole_and_the_others_still_come_through() -> None:
    text = calendar("UID:a@x\nDTSTART:20250301T100000Z\nORGANIZER:mailto:j@acme.com",
                    "UID:b@x\nDTSTART:2025-03-01\nORGANIZER:mailto:j@acme.com",
                    "UID:c@x\nDTSTART:20250301T100000Z\nATTENDEE;CN=\"unclosed:mailto:x@y.com\n"
                    "ORGANIZER:mailto:j@acme.com",
                    "UID:d@x\nDTSTART:20250301T100000Z\nORGANIZER:mailto:j@acme.com")
    result = parse(text)
    assert [m.id for m in result.meetings] == ["a@x", "d@x"]
    assert [(e.location, e.field) for e in result.errors] == [("event 2 (UID b@x)", "DTSTART"),
                                                              ("event 3 (UID c@x)", None)]


def test_a_broken_override_rejects_the_whole_series() -> None:
    broken = MOVED.replace("DTSTART;TZID=Europe/Berlin:20250311T150000", "DTSTART:tomorrow")
    result = parse(calendar(WEEKLY, broken, DEMO))
    assert [m.id for m in result.meetings] == ["demo@x"]
    (error,) = result.errors
    assert error.location == "event 2 (UID weekly@x)"
    assert "all 2 events of this series are skipped" in error.message


def test_a_repeated_event_is_an_error_on_the_later_one() -> None:
    result = parse(calendar(DEMO, DEMO.replace("DTSTART:20250312T160000Z", "DTSTART:20250313T160000Z")))
    assert [m.start.day for m in result.meetings] == [12]
    assert [(e.location, e.field) for e in result.errors] == [("event 2 (UID demo@x)", "UID")]


@pytest.mark.parametrize(("rule", "field"), [
    pytest.param("DTSTART:20250301T100000Z\nRRULE:FREQ=MINUTELY", "RRULE", id="every-minute"),
    pytest.param("DTSTART:20250301T100000Z\nRRULE:FREQ=HOURLY", "RRULE", id="every-hour"),
    pytest.param("DTSTART:20250301T100000Z\nRRULE:FREQ=DAILY;BYHOUR=9,10,11;BYMINUTE=0,5,10,15,20,25,30,35,40,45",
                 "RRULE", id="many-times-a-day"),
    pytest.param("DTSTART:00010101T100000Z\nRRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "DTSTART",
                 id="impossible-rule-from-year-one"),
])
def test_series_that_would_cost_too_much_to_expand_are_refused(rule: str, field: str) -> None:
    result = parse(calendar(f"UID:spam@x\n{rule}\nORGANIZER:mailto:j@acme.com"))
    assert result.conversations == [] and [e.field for e in result.errors] == [field]


def test_a_series_with_too_many_instances_in_the_window_is_refused() -> None:
    window = ExpansionWindow(datetime(2020, 1, 1, tzinfo=UTC), datetime(2025, 3, 1, tzinfo=UTC))
    result = parse(calendar("UID:daily@x\nDTSTART:20200101T090000Z\nRRULE:FREQ=DAILY\n"
                            "ORGANIZER:mailto:j@acme.com"), window=window)
    assert result.conversations == [] and "the limit is 1,000" in result.errors[0].message


def test_events_without_uid_get_ids_derived_from_what_they_are() -> None:
    event = "DTSTART:20250301T100000Z\nDTEND:20250301T110000Z\nSUMMARY:Call\nORGANIZER:mailto:j@acme.com"
    first, second = meetings(calendar(event)), meetings(calendar(event))
    assert first[0].id == second[0].id and first[0].id.startswith("meeting-")


@pytest.mark.parametrize("text", [
    pytest.param("BEGIN:VCALENDAR\nthis is not a content line\nEND:VCALENDAR\n", id="garbage-line"),
    pytest.param("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\n", id="truncated"),
])
def test_a_calendar_that_cannot_be_read_is_one_error_and_nothing_imported(text: str) -> None:
    result = parse(text)
    assert result.conversations == []
    assert [e.location for e in result.errors] == ["file"]


def test_a_calendar_without_events_warns() -> None:
    result = parse(calendar())
    assert (result.conversations, result.errors, [w.message for w in result.warnings]) == (
        [], [], ["the calendar holds no events"])


def test_hostile_text_in_a_calendar_is_cleaned_or_bounded() -> None:
    bidi_title = "UID:a@x\nDTSTART:20250301T100000Z\nSUMMARY:Renewal\u202e gnicirp\u0007\nORGANIZER:mailto:j@a.com"
    huge_name = f"UID:b@x\nDTSTART:20250301T100000Z\nORGANIZER;CN={'A' * 5000}:mailto:j@a.com"
    result = parse(calendar(bidi_title, huge_name))
    assert [m.title for m in result.meetings] == ["Renewal gnicirp"]
    assert [(e.location, e.field) for e in result.errors] == [("event 2 (UID b@x)", "ORGANIZER")]


GOOD_EVENTS = [f"UID:e{n}@x\nDTSTART:2025030{n}T100000Z\nORGANIZER:mailto:j@acme.com" for n in range(1, 4)]


@settings(max_examples=60, deadline=None)
@given(garbage=st.text(st.characters(blacklist_categories=["Cs"]), max_size=80), where=st.integers(0, 2))
def test_garbage_inside_one_event_never_crashes_nor_touches_the_other_events(garbage: str, where: int) -> None:
    events = list(GOOD_EVENTS)
    events[where] += "\n" + garbage.replace("\r", "")
    result = parse(calendar(*events))
    others = {f"e{n}@x" for n in range(1, 4)} - {f"e{where + 1}@x"}
    if result.errors and result.errors[0].location == "file":
        return  # garbage such as "END:VCALENDAR" can end the calendar early: then nothing is imported
    assert others <= {m.id for m in result.meetings}
