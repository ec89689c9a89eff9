"""What every input format becomes: meetings and calls, and the errors that kept records out.

The dataclasses are frozen and hold only validated values (UTC datetimes, normalised emails, bounded
text), so matching and write-back never re-check what ingestion already refused.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

from sync_engine.records.users import normalise_email

Role = Literal["organizer", "attendee", "required", "optional"]
Response = Literal["accepted", "declined", "tentative", "needs-action"]
MeetingStatus = Literal["confirmed", "cancelled"]
Direction = Literal["inbound", "outbound"]
Source = Literal["ics", "csv", "jsonl"]
Format = Source

DEFAULT_LOOKBACK = timedelta(days=30)
DEFAULT_LOOKAHEAD = timedelta(days=1)

# Deliberately loose: one "@", no spaces, a dot in the domain. Stricter checks reject real addresses.
EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
MAX_EMAIL_CHARS = 254


@dataclass(frozen=True)
class Participant:
    """Someone on a meeting. ``email`` is normalised, or None when the calendar gave no email address."""

    email: str | None
    name: str | None = None
    role: Role = "attendee"
    response: Response | None = None


@dataclass(frozen=True)
class PhoneNumber:
    """A number as the dialer wrote it, plus E.164 when ``phonenumbers`` finds a valid number in it.

    The raw text is kept even when it cannot be read ("anonymous", a short code), so nothing the
    dialer said is lost; ``e164`` is None for those, which is the flag matching looks at.
    """

    raw: str
    e164: str | None = None
    extension: str | None = None

    @property
    def parsed(self) -> bool:
        return self.e164 is not None


def _require_aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")


def _require_utc(name: str, value: datetime) -> None:
    """Conversation times are UTC: subtracting two times in one zone gives wall-clock, not elapsed, time."""
    _require_aware(name, value)
    if value.utcoffset():
        raise ValueError(f"{name} must be in UTC, got {value.isoformat()}")


@dataclass(frozen=True)
class Meeting:
    """One meeting, or one instance of a recurring meeting (then ``recurrence_id`` is its original start)."""

    kind: ClassVar[str] = "meeting"

    id: str
    title: str
    start: datetime
    end: datetime
    organizer: Participant | None
    attendees: tuple[Participant, ...]
    user_email: str
    source: Source
    summary: str | None = None
    action_items: tuple[str, ...] = ()
    activity_type: str | None = None
    outcome: str | None = None  # what came of it ("won", "demo booked"), as the recording tool says
    status: MeetingStatus = "confirmed"
    recurrence_id: datetime | None = None
    all_day: bool = False

    def __post_init__(self) -> None:
        _require_utc("start", self.start)
        _require_utc("end", self.end)
        if self.recurrence_id is not None:
            _require_utc("recurrence_id", self.recurrence_id)
        if self.end < self.start:
            raise ValueError(f"meeting {self.id!r} ends before it starts")

    @property
    def declined_by_user(self) -> bool:
        """The recording user said no: there is no conversation to log, so callers skip it."""
        user = normalise_email(self.user_email)
        return any(p.email == user and p.response == "declined" for p in self.attendees)

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"


@dataclass(frozen=True)
class Call:
    """One dialer call. The customer's number is ``to_number`` when outbound, ``from_number`` when inbound."""

    kind: ClassVar[str] = "call"

    id: str
    direction: Direction
    from_number: PhoneNumber | None
    to_number: PhoneNumber | None
    start: datetime
    duration_s: int
    user_email: str
    source: Source
    summary: str | None = None
    action_items: tuple[str, ...] = ()
    activity_type: str | None = None
    outcome: str | None = None

    def __post_init__(self) -> None:
        _require_utc("start", self.start)
        if self.duration_s < 0:
            raise ValueError(f"call {self.id!r} has a negative duration")

    @property
    def end(self) -> datetime:
        return self.start + timedelta(seconds=self.duration_s)

    @property
    def customer_number(self) -> PhoneNumber | None:
        return self.to_number if self.direction == "outbound" else self.from_number


Conversation = Meeting | Call


@dataclass(frozen=True)
class InputError:
    """Why one record (or the whole file) was not imported, in words the person who exported it can act on.

    ``location`` names the record as the user would find it: "line 7", "event 3 (UID abc)", or "file".
    """

    location: str
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.location}, {self.field}" if self.field else self.location
        return f"{where}: {self.message}"


@dataclass
class ImportResult:
    """Conversations that passed, and errors for records that did not. Warnings did not stop a record."""

    conversations: list[Conversation] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    warnings: list[InputError] = field(default_factory=list)
    format: Format | None = None
    rejected: int = 0  # records refused; ``errors`` stops listing them after MAX_REPORTED, this does not

    @property
    def meetings(self) -> list[Meeting]:
        return [c for c in self.conversations if isinstance(c, Meeting)]

    @property
    def calls(self) -> list[Call]:
        return [c for c in self.conversations if isinstance(c, Call)]


@dataclass(frozen=True)
class ExpansionWindow:
    """The period in which recurring meetings are expanded into instances; series are otherwise endless."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        _require_aware("window start", self.start)
        _require_aware("window end", self.end)
        if self.end <= self.start:
            raise ValueError("the window must end after it starts")

    @classmethod
    def around(cls, now: datetime, before: timedelta = DEFAULT_LOOKBACK,
               after: timedelta = DEFAULT_LOOKAHEAD) -> ExpansionWindow:
        return cls(now - before, now + after)


@dataclass(frozen=True)
class ImportOptions:
    """The caller's context that a file does not carry: whose calendar, which country, which zone, when."""

    user_email: str | None
    default_region: str
    default_tz: ZoneInfo
    window: ExpansionWindow

    @classmethod
    def build(cls, *, user_email: str | None = None, default_region: str = "US", default_tz: str = "UTC",
              now: datetime | None = None, window: ExpansionWindow | None = None) -> ImportOptions:
        """Check the arguments; a bad one is the caller's mistake, so it raises rather than becoming an InputError."""
        region = default_region.strip().upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"unknown phone region {default_region!r}; use an ISO 3166 code such as 'US' or 'DE'")
        try:
            zone = ZoneInfo(default_tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {default_tz!r}; use an IANA name such as 'Europe/Berlin'") from exc
        if now is None:
            now = datetime.now(UTC)
        _require_aware("now", now)
        email = normalise_email(user_email) if user_email and user_email.strip() else None
        if email is not None and (len(email) > MAX_EMAIL_CHARS or not EMAIL_SHAPE.fullmatch(email)):
            raise ValueError(f"user_email {user_email!r} is not an email address")
        return cls(email, region, zone, window or ExpansionWindow.around(now))
