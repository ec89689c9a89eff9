"""One record's raw values (a CSV row, a JSON object) into a Call or a Meeting, or into problems.

Shared by the dialer CSV and JSON Lines readers so that a call means the same in both: same
required fields, same fallbacks, same derived id. The record's own ``user_email`` wins over the
caller's ``user_email`` argument, which only fills blanks; a meeting may fall back to its organizer.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar, cast, get_args

from sync_engine.intake.formats import fields
from sync_engine.intake.formats.fields import FieldProblem, RecordCheck, shown
from sync_engine.intake.formats.model import (
    Call,
    ImportOptions,
    Meeting,
    MeetingStatus,
    Participant,
    PhoneNumber,
    Response,
    Role,
    Source,
)
from sync_engine.records.email_addresses import read_address

T = TypeVar("T")

MAX_PARTICIPANTS = 1_000
PARTICIPANT_KEYS = frozenset({"email", "name", "role", "response"})


def _customer_side(check: RecordCheck, call_direction: str | None, from_number: PhoneNumber | None,
                   to_number: PhoneNumber | None) -> None:
    """The customer's number is what matching needs; our agent's own line may be missing from an export."""
    if call_direction == "outbound" and to_number is None and "to" not in dict(check.problems):
        check.fail("to", "is required for an outbound call (it is the customer's number)")
    if call_direction == "inbound" and from_number is None and "from" not in dict(check.problems):
        check.fail("from", "is required for an inbound call (it is the customer's number)")


def _flag_unread(check: RecordCheck, name: str, number: PhoneNumber | None, region: str) -> None:
    if number is not None and not number.parsed:
        check.warn(name, f"{shown(number.raw)} kept as given: not a valid phone number (default region {region}), "
                         "so it cannot be matched by number")


def _user_email(check: RecordCheck, value: object, fallback: str | None) -> str:
    own = check.take("user_email", fields.optional_email, value)
    user = own or fallback
    if user is None and "user_email" not in dict(check.problems):
        check.fail("user_email", "is required (in the record, or as the importing user)")
    return user or ""


def call_from_values(values: Mapping[str, object], options: ImportOptions, source: Source,
                     check: RecordCheck) -> Call | None:
    region = options.default_region
    record_id = check.take("id", fields.identifier, values.get("id"))
    call_direction = check.take("direction", fields.direction, values.get("direction"))
    from_number = check.take("from", fields.optional_phone, values.get("from"), region)
    to_number = check.take("to", fields.optional_phone, values.get("to"), region)
    start = check.take("start", fields.instant, values.get("start"), options.default_tz)
    duration_s = check.take("duration_s", fields.duration, values.get("duration_s"))
    user = _user_email(check, values.get("user_email"), options.user_email)
    summary = check.take("summary", fields.optional_block, values.get("summary"), fields.MAX_SUMMARY_CHARS)
    action_items = check.take("action_items", fields.action_items, values.get("action_items"))
    activity_type = check.take("activity_type", fields.optional_line, values.get("activity_type"),
                               fields.MAX_LABEL_CHARS)
    outcome = check.take("outcome", fields.optional_line, values.get("outcome"), fields.MAX_LABEL_CHARS)
    _customer_side(check, call_direction, from_number, to_number)
    _flag_unread(check, "from", from_number, region)
    _flag_unread(check, "to", to_number, region)
    if not check.ok:
        return None
    return Call(
        id=record_id or fields.call_id(call_direction, from_number, to_number, start, user),
        direction=call_direction, from_number=from_number, to_number=to_number, start=start,
        duration_s=duration_s, user_email=user, source=source, summary=summary, action_items=action_items,
        activity_type=activity_type, outcome=outcome)


def _choice(value: object, allowed: tuple[str, ...], default: str | None) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    text = value.strip().casefold() if isinstance(value, str) else None
    if text not in allowed:
        raise FieldProblem(f"must be one of {', '.join(allowed)}; got {shown(value)}")
    return text


def _part(key: str, parse: Callable[..., T], *args: object) -> T:
    """Parse one key of a nested object, naming the key in the problem."""
    try:
        return parse(*args)
    except FieldProblem as problem:
        raise FieldProblem(f"{key} {problem.message}") from None


Warn = Callable[[str], None]


def _address(value: object, warn: Warn | None) -> tuple[str | None, str | None]:
    """(email, display name) of an address as written; an unreadable one is a warning, kept as a name."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if not isinstance(value, str):
        raise FieldProblem(f"must be text, got {shown(value)}")
    found = read_address(value[: fields.MAX_EMAIL_CHARS * 4])
    if found is not None and fields.EMAIL_SHAPE.fullmatch(found.email):
        return found.email, found.name
    if warn is None:
        raise FieldProblem(f"is not an email address: {shown(value)}")
    warn(f"{shown(value)} is not a readable email address; kept as a participant without one, who cannot be "
         "matched by email")
    return None, fields.optional_line(value, fields.MAX_NAME_CHARS)


def _numbered(warn: Warn | None, position: int) -> Warn | None:
    """``warn`` with the attendee's position in front of each message."""
    if warn is None:
        return None
    return lambda message: warn(f"item {position}: {message}")


def participant(value: object, default_role: Role, warn: Warn | None = None) -> Participant:
    """An address (``ana@x.com``, ``Ana Ruiz <ana@x.com>``...), or an object with email and optional name,
    role and response. With ``warn``, an unreadable address is a warning and a participant without email."""
    if isinstance(value, str):
        address, written_name = _address(value, warn)
        return Participant(address, written_name, role=default_role)
    if not isinstance(value, dict):
        raise FieldProblem(f"must be an email or an object with an email, got {shown(value)}")
    unknown = sorted(str(key) for key in value if key not in PARTICIPANT_KEYS)
    if unknown:
        raise FieldProblem(f"unknown keys {', '.join(shown(key) for key in unknown)}")
    address, written_name = _part("email", _address, value.get("email"), warn)
    name = _part("name", fields.optional_line, value.get("name"), fields.MAX_NAME_CHARS) or written_name
    if address is None and name is None:
        raise FieldProblem("needs an email (or at least a name, for someone without one)")
    role = default_role if default_role == "organizer" else _part("role", _choice, value.get("role"),
                                                                  get_args(Role), default_role)
    response = _part("response", _choice, value.get("response"), get_args(Response), None)
    return Participant(address, name, cast(Role, role), cast(Response | None, response))


def optional_organizer(value: object, warn: Warn | None = None) -> Participant | None:
    return None if value is None or value == "" else participant(value, "organizer", warn)


def attendee_list(value: object, warn: Warn | None = None) -> tuple[Participant, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise FieldProblem(f"must be a list, got {shown(value)}")
    if len(value) > MAX_PARTICIPANTS:
        raise FieldProblem(f"has {len(value):,} attendees; the limit is {MAX_PARTICIPANTS:,}")
    attendees = []
    for position, item in enumerate(value, 1):
        try:
            attendees.append(participant(item, "attendee", _numbered(warn, position)))
        except FieldProblem as problem:
            raise FieldProblem(f"item {position}: {problem.message}") from None
    return tuple(attendees)


def meeting_status(value: object) -> MeetingStatus:
    return cast(MeetingStatus, _choice(value, get_args(MeetingStatus), "confirmed"))


def flag(value: object) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise FieldProblem(f"must be true or false, got {shown(value)}")
    return value


def _title(value: object) -> str:
    """Required, but may be empty: calendars hold events without a SUMMARY, and they must round-trip."""
    if value is None:
        raise FieldProblem("is required (it may be empty)")
    return fields.single_line(value, fields.MAX_TITLE_CHARS)


def meeting_from_values(values: Mapping[str, object], options: ImportOptions, source: Source,
                        check: RecordCheck) -> Meeting | None:
    zone = options.default_tz
    record_id = check.take("id", fields.identifier, values.get("id"))
    title = check.take("title", _title, values.get("title"))
    start = check.take("start", fields.instant, values.get("start"), zone)
    end = check.take("end", fields.instant, values.get("end"), zone)
    organizer = check.take("organizer", optional_organizer, values.get("organizer"),
                           lambda message: check.warn("organizer", message))
    attendees = check.take("attendees", attendee_list, values.get("attendees"),
                           lambda message: check.warn("attendees", message))
    fallback = options.user_email or (organizer.email if organizer else None)
    user = _user_email(check, values.get("user_email"), fallback)
    summary = check.take("summary", fields.optional_block, values.get("summary"), fields.MAX_SUMMARY_CHARS)
    action_items = check.take("action_items", fields.action_items, values.get("action_items"))
    activity_type = check.take("activity_type", fields.optional_line, values.get("activity_type"),
                               fields.MAX_LABEL_CHARS)
    outcome = check.take("outcome", fields.optional_line, values.get("outcome"), fields.MAX_LABEL_CHARS)
    status = check.take("status", meeting_status, values.get("status"))
    recurrence_id = check.take("recurrence_id", fields.optional_instant, values.get("recurrence_id"), zone)
    all_day = check.take("all_day", flag, values.get("all_day"))
    if start is not None and end is not None and end < start:
        check.fail("end", f"{end.isoformat()} is before start {start.isoformat()}")
    if not check.ok:
        return None
    owner = organizer.email if organizer and organizer.email else user
    return Meeting(
        id=record_id or fields.meeting_id(start, end, title, owner or ""), title=title, start=start, end=end,
        organizer=organizer, attendees=attendees, user_email=user, source=source, summary=summary,
        action_items=action_items, activity_type=activity_type, outcome=outcome, status=status,
        recurrence_id=recurrence_id, all_day=all_day)
