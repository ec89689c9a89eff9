"""Single values from untrusted files: text, ids, emails, phone numbers, times, durations.

Each reader returns a clean value or raises ``FieldProblem`` with a message that quotes (a bounded
piece of) what it was given. Text is bounded and stripped of control and bidi-override characters,
so a hostile cell cannot blow up memory, corrupt a terminal, or reorder what a manager reads.
Free text that merely looks like a spreadsheet formula ("=cmd|...") is kept verbatim: it is what
was said, and escaping belongs to whoever writes a spreadsheet. Fields with a strict shape (ids,
emails, phone numbers, times) cannot carry a formula in the first place.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from typing import Any, TypeVar, cast

from sync_engine.intake.formats.model import EMAIL_SHAPE, MAX_EMAIL_CHARS, Direction, PhoneNumber
from sync_engine.records.contact_points import normalise_phone
from sync_engine.records.email_addresses import read_address

T = TypeVar("T")

MAX_ID_CHARS = 255
MAX_TITLE_CHARS = 1_000
MAX_NAME_CHARS = 500
MAX_LABEL_CHARS = 100
MAX_SUMMARY_CHARS = 100_000
MAX_ACTION_ITEMS = 200
MAX_ACTION_ITEM_CHARS = 2_000
MAX_PHONE_CHARS = 64
MAX_TIME_CHARS = 64
MAX_CALL_SECONDS = 24 * 3600
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)  # before any recorded conversation; catches YYYYMMDD read as epoch
LATEST = datetime(2100, 1, 1, tzinfo=UTC)

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")
_NEWLINES = re.compile("\r\n|[\r\u2028\u2029]")
_WHITESPACE = re.compile(r"\s+")
_EPOCH = re.compile(r"[0-9]{1,15}(\.[0-9]{1,9})?")
_HAS_TIME = re.compile(r"[0-9][Tt ][0-9]")
_SECONDS = re.compile(r"[0-9]{1,6}(\.[0-9]{1,6})?")
_MM_SS = re.compile(r"([0-9]{1,4}):([0-5][0-9])")
_HH_MM_SS = re.compile(r"([0-9]{1,2}):([0-5][0-9]):([0-5][0-9])")
_PHONE_CHARS = re.compile(r"[0-9A-Za-z +()./,;:#*~=\-]+")
_DIRECTIONS: dict[str, Direction] = {
    "inbound": "inbound", "in": "inbound", "incoming": "inbound",
    "outbound": "outbound", "out": "outbound", "outgoing": "outbound",
}


class FieldProblem(Exception):
    """One value is unusable; the record it belongs to is rejected whole."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RecordCheck:
    """Collects every problem in one record, so a user fixes a row in one pass instead of one error per try.

    ``take`` returns the parsed value, or None (typed as the value) after recording the problem; callers
    build the record only when ``ok``, so no None ever reaches a dataclass.
    """

    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []
        self.warnings: list[tuple[str, str]] = []

    def take(self, field_name: str, parse: Callable[..., T], *args: Any) -> T:
        try:
            return parse(*args)
        except FieldProblem as problem:
            self.problems.append((field_name, problem.message))
            return cast(T, None)

    def fail(self, field_name: str | None, message: str) -> None:
        self.problems.append((field_name or "", message))

    def warn(self, field_name: str, message: str) -> None:
        self.warnings.append((field_name, message))

    @property
    def ok(self) -> bool:
        return not self.problems


def shown(value: object, limit: int = 40) -> str:
    """A value quoted for an error message, cut short: messages must stay readable whatever the input."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    text = _CONTROL.sub("", text)
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _text(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FieldProblem(f"must be text, got {shown(value)}")
    return value


def _bounded(text: str, limit: int) -> str:
    if len(text) > limit:
        raise FieldProblem(f"is {len(text):,} characters long; the limit is {limit:,}")
    return text


def single_line(value: object, limit: int) -> str:
    """Text for a title or a name: controls removed, whitespace runs (newlines too) become one space."""
    text = _text(value)
    if len(text) > 4 * limit + 1_000:  # not worth cleaning: it cannot come under the limit
        raise FieldProblem(f"is {len(text):,} characters long; the limit is {limit:,}")
    return _bounded(_WHITESPACE.sub(" ", _CONTROL.sub("", text)).strip(), limit)


def text_block(value: object, limit: int) -> str:
    """Text for a summary: line breaks kept (normalised to \\n), controls removed."""
    text = _text(value)
    if len(text) > 4 * limit + 1_000:
        raise FieldProblem(f"is {len(text):,} characters long; the limit is {limit:,}")
    return _bounded(_CONTROL.sub("", _NEWLINES.sub("\n", text)).strip(), limit)


def required_line(value: object, limit: int) -> str:
    text = single_line(value, limit)
    if not text:
        raise FieldProblem("is required")
    return text


def optional_line(value: object, limit: int) -> str | None:
    return single_line(value, limit) or None


def optional_block(value: object, limit: int) -> str | None:
    return text_block(value, limit) or None


def identifier(value: object) -> str | None:
    """A record's own id, or None when blank (the caller derives one)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    text = _text(value).strip()
    if _CONTROL.search(text) or "\n" in text or "\r" in text:
        raise FieldProblem("must not contain control characters or line breaks")
    return _bounded(text, MAX_ID_CHARS) or None


def email(value: object) -> str:
    """One address as people write it (``Ana <ana@x.com>``, ``mailto:``...), parsed, normalised."""
    text = _text(value)
    if not text.strip():
        raise FieldProblem("is required")
    found = read_address(text[: MAX_EMAIL_CHARS * 4])
    if found is None or not EMAIL_SHAPE.fullmatch(found.email):
        raise FieldProblem(f"is not an email address: {shown(text)}")
    return found.email


def optional_email(value: object) -> str | None:
    return email(value) if _text(value).strip() else None


def phone(value: object, region: str) -> PhoneNumber:
    """Keep what the dialer wrote; add E.164 and the extension when ``phonenumbers`` finds a valid number.

    Read exactly as the mirror reads CRM numbers (``contact_points.normalise_phone``: the region, then
    one fallback for ``00``/``011`` exit codes and bare digits with a country code), so both sides agree.
    Only *valid* numbers get an E.164 form: a merely "possible" one (a 7-digit local number without its
    area code) would match the wrong customer, and a wrong link is worse than a missed one.
    """
    raw = single_line(value, MAX_PHONE_CHARS)
    if not raw:
        raise FieldProblem("is required")
    if raw[0] in "=@" or not _PHONE_CHARS.fullmatch(raw) or not any(c.isalnum() for c in raw):
        raise FieldProblem(f"is not a phone number: {shown(raw)}")
    return _read_number(raw, region)


@lru_cache(maxsize=65_536)
def _read_number(raw: str, region: str) -> PhoneNumber:
    """Cached: ``phonenumbers`` costs ~80 µs a number, and call logs repeat the same lines all day."""
    number = normalise_phone(raw, region)
    if number is None or number.e164 is None or number.flag is not None:
        return PhoneNumber(raw)
    return PhoneNumber(raw, number.e164, number.extension)


def optional_phone(value: object, region: str) -> PhoneNumber | None:
    return phone(value, region) if _text(value).strip() else None


def within_supported_range(moment: datetime) -> datetime:
    if not EARLIEST <= moment < LATEST:
        raise FieldProblem(f"{moment.isoformat()} is outside 2000-2099")
    return moment


def _from_epoch(seconds: float) -> datetime:
    if not math.isfinite(seconds):
        raise FieldProblem(f"is not a time: {shown(seconds)}")
    if seconds >= LATEST.timestamp():
        hint = "; epoch milliseconds? give seconds" if seconds / 1000 < LATEST.timestamp() else ""
        raise FieldProblem(f"{seconds:.0f} epoch seconds is after 2099{hint}")
    if seconds < EARLIEST.timestamp():
        raise FieldProblem(f"{seconds:.0f} epoch seconds is before 2000; a date without a time?")
    return datetime.fromtimestamp(seconds, UTC)


def instant(value: object, zone: tzinfo) -> datetime:
    """ISO 8601 (an offset or Z wins; a naive time is read in ``zone``) or Unix epoch seconds, as UTC."""
    if isinstance(value, bool):
        raise FieldProblem(f"is not a time: {shown(value)}")
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    text = _text(value).strip()
    if not text:
        raise FieldProblem("is required")
    if len(text) > MAX_TIME_CHARS:
        raise FieldProblem(f"is not a time: {shown(text)}")
    if _EPOCH.fullmatch(text):
        return _from_epoch(float(text))
    if not _HAS_TIME.search(text):
        raise FieldProblem(f"needs a date and a time, got {shown(text)}")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise FieldProblem(f"is not an ISO 8601 time or epoch seconds: {shown(text)}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return within_supported_range(moment.astimezone(UTC))


def optional_instant(value: object, zone: tzinfo) -> datetime | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return instant(value, zone)


def duration(value: object) -> int:
    """Whole seconds from seconds ("125", 125.4), mm:ss ("2:05") or hh:mm:ss ("0:02:05")."""
    if isinstance(value, bool):
        raise FieldProblem(f"is not a duration: {shown(value)}")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise FieldProblem(f"is not a duration: {shown(value)}")
        seconds = round(value)
    else:
        text = _text(value).strip()
        if not text:
            raise FieldProblem("is required")
        if _SECONDS.fullmatch(text):
            seconds = round(float(text))
        elif match := _MM_SS.fullmatch(text):
            seconds = int(match[1]) * 60 + int(match[2])
        elif match := _HH_MM_SS.fullmatch(text):
            seconds = int(match[1]) * 3600 + int(match[2]) * 60 + int(match[3])
        else:
            raise FieldProblem(f"is not seconds, mm:ss or hh:mm:ss: {shown(text)}")
    if not 0 <= seconds <= MAX_CALL_SECONDS:
        raise FieldProblem(f"{seconds} seconds is not between 0 and {MAX_CALL_SECONDS} (24 hours)")
    return seconds


def direction(value: object) -> Direction:
    text = _text(value).strip().casefold()
    if not text:
        raise FieldProblem("is required")
    if text not in _DIRECTIONS:
        raise FieldProblem(f"must be inbound or outbound, got {shown(value)}")
    return _DIRECTIONS[text]


def action_item_list(value: object) -> tuple[str, ...]:
    """A list of strings; blank items are dropped."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise FieldProblem(f"must be a list of strings, got {shown(value)}")
    if len(value) > MAX_ACTION_ITEMS:
        raise FieldProblem(f"has {len(value)} items; the limit is {MAX_ACTION_ITEMS}")
    items = []
    for position, item in enumerate(value, 1):
        if not isinstance(item, str):
            raise FieldProblem(f"item {position} must be text, got {shown(item)}")
        try:
            items.append(single_line(item, MAX_ACTION_ITEM_CHARS))
        except FieldProblem as problem:
            raise FieldProblem(f"item {position} {problem.message}") from None
    return tuple(item for item in items if item)


def action_item_text(value: object) -> tuple[str, ...]:
    """A cell holding "a; b; c" or a JSON list '["a", "b"]'."""
    text = _text(value).strip()
    if not text:
        return ()
    if text.startswith("["):
        try:
            return action_item_list(json.loads(text))
        except (ValueError, RecursionError):
            raise FieldProblem("starts with '[' but is not a JSON list of strings") from None
    return action_item_list(text.split(";"))


def action_items(value: object) -> tuple[str, ...]:
    """A JSON list of strings, or text as in a CSV cell."""
    if isinstance(value, list):
        return action_item_list(value)
    return action_item_text(value)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def derived_id(kind: str, *parts: str) -> str:
    """A stable id from the fields that identify a conversation, so re-importing it yields the same id."""
    digest = hashlib.sha256(json.dumps([kind, *parts], ensure_ascii=True).encode()).hexdigest()
    return f"{kind}-{digest[:32]}"


def meeting_id(start: datetime, end: datetime, title: str, owner_email: str) -> str:
    """Owner is the organizer when known, else the recording user: the same meeting from both sides agrees."""
    return derived_id("meeting", _utc(start), _utc(end), single_line(title, MAX_TITLE_CHARS).casefold(), owner_email)


def call_id(direction_: Direction, from_number: PhoneNumber | None, to_number: PhoneNumber | None,
            start: datetime, user_email: str) -> str:
    def key(number: PhoneNumber | None) -> str:
        return "" if number is None else number.e164 or number.raw.casefold()
    return derived_id("call", direction_, key(from_number), key(to_number), _utc(start), user_email)


def instance_key(recurrence_id: datetime, all_day: bool) -> str:
    """The part of an instance id that names which occurrence it is: the date, or the UTC start."""
    return recurrence_id.strftime("%Y%m%d") if all_day else _utc(recurrence_id)
