"""Calendars as iCalendar (RFC 5545): one meeting per event, one per instance of a recurring event.

Events sharing a UID are one series: the master (RRULE/RDATE, EXDATE) and its overridden instances
(RECURRENCE-ID). A series is read whole or not at all: if any of its events is broken, importing the
rest would put a moved instance back at its old time, so every instance is rejected, with the error
on the broken event. Expansion is bounded by the caller's window (a series has no natural end);
an event that stands alone is imported whatever its date.

Time zones come from TZID (with the file's VTIMEZONE, IANA and Windows names); floating times and
all-day dates are read in the caller's default zone. An unknown TZID rejects the event rather than
guessing: a meeting an hour off can be matched to the wrong call.
"""
from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, cast

import icalendar
import recurring_ical_events

from sync_engine.intake.formats import fields
from sync_engine.intake.formats.fields import FieldProblem
from sync_engine.intake.formats.model import ImportOptions, ImportResult, Meeting, Participant, Response, Role
from sync_engine.intake.formats.records import MAX_PARTICIPANTS
from sync_engine.intake.formats.report import ResultBuilder

MAX_INSTANCES_PER_SERIES = 1_000
PROPERTIES_READ = frozenset({"DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID", "UID",
                             "SUMMARY", "ORGANIZER", "ATTENDEE", "STATUS"})
ROLES: dict[str, Role] = {"CHAIR": "required", "REQ-PARTICIPANT": "required", "OPT-PARTICIPANT": "optional",
                          "NON-PARTICIPANT": "optional"}
RESPONSES: dict[str, Response] = {"ACCEPTED": "accepted", "DECLINED": "declined", "TENTATIVE": "tentative",
                                  "NEEDS-ACTION": "needs-action"}
NOT_PEOPLE = frozenset({"ROOM", "RESOURCE"})
TOO_FREQUENT = frozenset({"SECONDLY", "MINUTELY", "HOURLY"})
MAX_TIMES_A_PERIOD = 24
EARLIEST_SERIES_YEAR = 1970


class EventRejected(Exception):
    def __init__(self, event: CalendarEvent, field: str | None, message: str) -> None:
        super().__init__(message)
        self.event, self.field, self.message = event, field, message


@dataclass(frozen=True)
class CalendarEvent:
    """A VEVENT as found in the file, with what it inherits from its VCALENDAR."""

    number: int
    component: icalendar.Event
    method: str
    x_wr_timezone: Any | None

    @property
    def uid(self) -> str | None:
        return str(self.component["UID"]) if "UID" in self.component else None

    @property
    def location(self) -> str:
        uid = self.uid
        return f"event {self.number} (UID {fields.shown(uid, 60)[1:-1]})" if uid else f"event {self.number}"

    @property
    def is_override(self) -> bool:
        return "RECURRENCE-ID" in self.component

    @property
    def repeats(self) -> bool:
        return "RRULE" in self.component or "RDATE" in self.component


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _events(calendars: Sequence[icalendar.Component]) -> Iterator[CalendarEvent]:
    number = 0
    for calendar in calendars:
        method = str(calendar.get("METHOD", "")).strip().upper()
        for component in calendar.subcomponents:
            if component.name == "VEVENT":
                number += 1
                event = cast(icalendar.Event, component)  # icalendar parses every VEVENT as an Event
                yield CalendarEvent(number, event, method, calendar.get("X-WR-TIMEZONE"))


def _moment(value: Any) -> date | datetime | None:
    """The date or time a property holds, or None when it is missing or broken."""
    try:
        moment = getattr(value, "dt", None)
    except ValueError:  # icalendar's BrokenCalendarProperty
        return None
    return moment if isinstance(moment, date) else None


def _event_problems(event: CalendarEvent) -> Iterator[tuple[str | None, str]]:
    component = event.component
    for name, message in component.errors:
        if name is None or name.upper() in PROPERTIES_READ:
            yield name, str(message)[:200]
    if "DTSTART" not in component:
        yield "DTSTART", "is required"
    for name in ("DTSTART", "DTEND", "RECURRENCE-ID"):
        value = component.get(name)
        tzid = getattr(value, "params", {}).get("TZID")
        moment = _moment(value)
        if tzid and isinstance(moment, datetime) and moment.tzinfo is None:
            yield name, f"unknown time zone {fields.shown(str(tzid))}; the file needs its VTIMEZONE"
    yield from _rule_problems(component)


def _rule_problems(component: icalendar.Event) -> Iterator[tuple[str, str]]:
    """Expansion cost grows with the periods since DTSTART and the times per period: both are bounded."""
    rules = [rule for rule in _listed(component.get("RRULE")) if isinstance(rule, dict)]
    for rule in rules:
        if set(map(str, rule.get("FREQ", []))) & TOO_FREQUENT:
            yield "RRULE", "repeats more than daily; that is not a meeting"
        times_a_period = math.prod(len(rule.get(part, [])) or 1 for part in ("BYHOUR", "BYMINUTE", "BYSECOND"))
        if times_a_period > MAX_TIMES_A_PERIOD:
            yield "RRULE", f"repeats {times_a_period:,} times a period; the limit is {MAX_TIMES_A_PERIOD}"
    start = _moment(component.get("DTSTART"))
    if rules and start is not None and start.year < EARLIEST_SERIES_YEAR:
        yield "DTSTART", f"a series starting in {start.year} (before {EARLIEST_SERIES_YEAR}) is not expanded"


def _utc(value: date | datetime, options: ImportOptions) -> datetime:
    """Floating times and all-day dates are read in the default zone; everything ends up in UTC."""
    if isinstance(value, datetime):
        local = value if value.tzinfo is not None else value.replace(tzinfo=options.default_tz)
    else:
        local = datetime.combine(value, time(), options.default_tz)
    return local.astimezone(UTC)


def _address_text(address: Any) -> tuple[str, bool]:
    """The address an ORGANIZER/ATTENDEE gives, and whether it claims to be an email (EMAIL=, mailto:)."""
    value, params = str(address).strip(), getattr(address, "params", {})
    if params.get("EMAIL"):
        return str(params["EMAIL"]), True
    claims = value.lower().startswith("mailto:") or ("@" in value and ":" not in value.split("@")[0])
    return value, claims


def _participant(event: CalendarEvent, address: Any, role: Role, field: str) -> Participant:
    params = getattr(address, "params", {})
    candidate, _ = _address_text(address)
    try:
        email = fields.email(candidate)
    except FieldProblem:
        email = None  # a room, a phone bridge or a urn: a participant, just not one we can match by email
    try:
        name = fields.optional_line(str(params.get("CN", "")), fields.MAX_NAME_CHARS)
    except FieldProblem as problem:
        raise EventRejected(event, field, f"CN {problem.message}") from None
    response = RESPONSES.get(str(params.get("PARTSTAT", "")).upper())
    return Participant(email, name, role, response)


def _role(address: Any) -> Role:
    """RFC 5545's default ROLE is REQ-PARTICIPANT; a role we do not know is just "attendee"."""
    return ROLES.get(str(getattr(address, "params", {}).get("ROLE", "REQ-PARTICIPANT")).upper(), "attendee")


def _people(event: CalendarEvent, component: icalendar.Event,
            master: icalendar.Event | None) -> tuple[Participant | None, tuple[Participant, ...]]:
    """Organizer and attendees; an overridden instance that omits them keeps the series' own."""
    def read(name: str) -> list[Any]:
        own = _listed(component.get(name))
        return own or (_listed(master.get(name)) if master is not None else [])

    organizers = read("ORGANIZER")
    organizer = _participant(event, organizers[0], "organizer", "ORGANIZER") if organizers else None
    addresses = [a for a in read("ATTENDEE")
                 if str(getattr(a, "params", {}).get("CUTYPE", "")).upper() not in NOT_PEOPLE]
    if len(addresses) > MAX_PARTICIPANTS:
        raise EventRejected(event, "ATTENDEE", f"{len(addresses):,} attendees; the limit is {MAX_PARTICIPANTS:,}")
    attendees = tuple(person for person in (_participant(event, a, _role(a), "ATTENDEE") for a in addresses)
                      if person.email or person.name)  # neither: nobody we could ever name or match
    if organizer is not None and not (organizer.email or organizer.name):
        organizer = None
    return organizer, attendees


def _field(event: CalendarEvent, name: str, parse: Any, *args: Any) -> Any:
    try:
        return parse(*args)
    except FieldProblem as problem:
        raise EventRejected(event, name, problem.message) from None


def _meeting(event: CalendarEvent, component: icalendar.Event, master: icalendar.Event | None,
             options: ImportOptions, recurrence: date | datetime | None) -> Meeting:
    """One meeting from one VEVENT (or one computed instance of a series)."""
    start_value, end_value = component.start, component.end
    all_day = not isinstance(start_value, datetime)
    start, end = _utc(start_value, options), _utc(end_value, options)
    _field(event, "DTSTART", fields.within_supported_range, start)
    if end < start:
        raise EventRejected(event, "DTEND", "is before DTSTART")
    title = _field(event, "SUMMARY", fields.single_line, str(component.get("SUMMARY", "")), fields.MAX_TITLE_CHARS)
    organizer, attendees = _people(event, component, master)
    user = options.user_email or (organizer.email if organizer else None)
    if user is None:
        raise EventRejected(event, "ORGANIZER", "no recording user: the event has no ORGANIZER email; "
                                                "import it as the calendar's owner (user_email)")
    uid = _field(event, "UID", fields.identifier, event.uid)
    base = uid or fields.meeting_id(start, end, title, organizer.email if organizer and organizer.email else user)
    recurrence_id = _utc(recurrence, options) if recurrence is not None else None
    cancelled = str(component.get("STATUS", "")).upper() == "CANCELLED" or event.method == "CANCEL"
    return Meeting(
        id=f"{base}/{fields.instance_key(recurrence_id, all_day)}" if recurrence_id else base,
        title=title, start=start, end=end, organizer=organizer, attendees=attendees, user_email=user,
        source="ics", status="cancelled" if cancelled else "confirmed", recurrence_id=recurrence_id,
        all_day=all_day)


def _date_value(prop: Any) -> date | datetime:
    """The ``.dt`` of a date-time property (RECURRENCE-ID): icalendar types ``component[name]`` as any
    property type, while these properties hold a date or a datetime."""
    return cast("date | datetime", prop.dt)


def _recurrence(component: icalendar.Event) -> date | datetime:
    return _date_value(component["RECURRENCE-ID"])


def _expand(master: CalendarEvent, overrides: list[CalendarEvent],
            options: ImportOptions) -> list[tuple[Meeting, CalendarEvent]]:
    series = icalendar.Calendar()
    if master.x_wr_timezone is not None:
        series["X-WR-TIMEZONE"] = master.x_wr_timezone
    for event in (master, *overrides):
        series.add_component(event.component)
    instances = recurring_ical_events.of(series).between(options.window.start, options.window.end)
    if len(instances) > MAX_INSTANCES_PER_SERIES:
        raise EventRejected(master, "RRULE", f"{len(instances):,} instances in the import window; "
                                             f"the limit is {MAX_INSTANCES_PER_SERIES:,}")
    overridden = {_utc(_recurrence(o.component), options): o for o in overrides}
    meetings = []
    for instance in instances:
        event = overridden.get(_utc(_recurrence(instance), options), master)
        recurrence = _original_start(instance, event)
        meetings.append((_meeting(event, instance, master.component, options, recurrence), event))
    return meetings


def _original_start(instance: icalendar.Event, event: CalendarEvent) -> date | datetime:
    """Where the series put this instance: its RECURRENCE-ID, except after a RANGE=THISANDFUTURE override.

    Instances after such an override carry the override's RECURRENCE-ID, so they would share one id;
    their own original start is their start less the override's shift.
    """
    recurrence = instance["RECURRENCE-ID"]
    if str(recurrence.params.get("RANGE", "")).upper() != "THISANDFUTURE" or not event.is_override:
        return _date_value(recurrence)
    shift = event.component.start - _recurrence(event.component)
    return instance.start - shift


def _without_duplicates(series: list[CalendarEvent], builder: ResultBuilder) -> list[CalendarEvent]:
    """A second master, or a second override of one instance, is the later record with a used id."""
    kept: list[CalendarEvent] = []
    seen: dict[object, CalendarEvent] = {}
    for event in series:
        key: object = "master"
        if event.is_override:
            key = _moment(event.component.get("RECURRENCE-ID")) or event.number  # broken: reported later
        first = seen.get(key)
        if first is not None:
            what, field = ("event", "UID") if key == "master" else ("override of one instance", "RECURRENCE-ID")
            builder.error(event.location, field, f"duplicate {what}: {first.location} has it already; "
                                                 "this event is skipped")
            continue
        seen[key] = event
        kept.append(event)
    return kept


def _series_meetings(series: list[CalendarEvent], options: ImportOptions) -> list[tuple[Meeting, CalendarEvent]]:
    master = next((event for event in series if not event.is_override), None)
    overrides = [event for event in series if event.is_override]
    if master is None:  # instances sent on their own, e.g. an invitation to one occurrence
        return [(_meeting(o, o.component, None, options, _recurrence(o.component)), o) for o in overrides]
    if not master.repeats and not overrides:
        return [(_meeting(master, master.component, None, options, None), master)]
    return _expand(master, overrides, options)


def _import_series(series: list[CalendarEvent], options: ImportOptions, builder: ResultBuilder) -> None:
    series = _without_duplicates(series, builder)
    skipped = f"; all {len(series)} events of this series are skipped" if len(series) > 1 else ""
    problems = [(event, name, message) for event in series for name, message in _event_problems(event)]
    for event, name, message in problems:
        builder.error(event.location, name, message + skipped)
    if problems:
        return
    try:
        meetings = _series_meetings(series, options)
    except EventRejected as rejected:
        builder.error(rejected.event.location, rejected.field, rejected.message + skipped)
        return
    except Exception as exc:  # the calendar libraries raise many kinds on odd input; one event must not stop a file
        builder.error(series[0].location, None, f"could not read this event ({fields.shown(str(exc), 160)})"
                                                + skipped)
        return
    for meeting, event in sorted(meetings, key=lambda pair: (pair[0].start, pair[0].id)):
        builder.add(meeting, event.location)
    if meetings:
        for event in series:
            for name, message in _unreadable_addresses(event):
                builder.warn(event.location, name, message)


def _unreadable_addresses(event: CalendarEvent) -> Iterator[tuple[str, str]]:
    """Addresses that claim to be emails (mailto:, EMAIL=) but cannot be read: warned once per event."""
    for name in ("ORGANIZER", "ATTENDEE"):
        for address in _listed(event.component.get(name)):
            text, claims = _address_text(address)
            if not claims:
                continue
            try:
                fields.email(text)
            except FieldProblem:
                yield name, (f"{fields.shown(text)} is not a readable email address; kept as a participant "
                             "without one, who cannot be matched by email")


def looks_like_calendar(text: str) -> bool:
    return text.lstrip()[:15].upper() == "BEGIN:VCALENDAR"


def parse_calendar(text: str, options: ImportOptions) -> ImportResult:
    builder = ResultBuilder("ics")
    if not looks_like_calendar(text):
        return builder.file_error("not an iCalendar file: it must begin with BEGIN:VCALENDAR")
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except Exception as exc:  # icalendar raises ValueError, KeyError and others for text it cannot read
        return builder.file_error(f"not a readable iCalendar file ({fields.shown(str(exc), 160)})")
    if not calendars or any(calendar.name != "VCALENDAR" for calendar in calendars):
        return builder.file_error("not an iCalendar file: expected VCALENDAR components only")
    series: dict[str, list[CalendarEvent]] = {}
    for event in _events(calendars):
        series.setdefault(event.uid or f"\0{event.number}", []).append(event)
    for events in series.values():
        _import_series(events, options, builder)
    if not series:
        builder.warn("file", None, "the calendar holds no events")
    return builder.result()
