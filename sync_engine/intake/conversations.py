"""Bring meetings and calls in from files: iCalendar, dialer CSV and JSON Lines, validated.

Every reader follows one rule: a bad record is rejected whole, with an error naming where it is
("line 7", "event 3 (UID abc)"), and good records still come through; a file that is not the
format at all gets one error and imports nothing. Ids are stable (given, or derived from the
fields that identify the conversation), so importing the same file twice yields the same ids and
callers dedupe on them. Nothing here touches the database: the result is plain data.

    result = parse_file("calls.csv", user_email="jane@acme.com", default_region="GB")
    for error in result.errors:
        print(error)                        # line 7, start: needs a date and a time, got '2025-03-01'

The formats are documented, with examples, in docs/conversation-formats.md.
"""
from __future__ import annotations

from datetime import datetime
from os import PathLike
from pathlib import Path

from sync_engine.intake.formats.dialer_csv import looks_like_call_log, parse_call_log
from sync_engine.intake.formats.ics import looks_like_calendar, parse_calendar
from sync_engine.intake.formats.jsonl import conversation_to_json, parse_json_lines
from sync_engine.intake.formats.model import (
    Call,
    Conversation,
    Direction,
    ExpansionWindow,
    Format,
    ImportOptions,
    ImportResult,
    InputError,
    Meeting,
    MeetingStatus,
    Participant,
    PhoneNumber,
    Response,
    Role,
)

__all__ = [
    "Call", "Conversation", "Direction", "ExpansionWindow", "Format", "ImportOptions", "ImportResult", "InputError",
    "Meeting", "MeetingStatus", "Participant", "PhoneNumber", "Response", "Role", "conversation_to_json",
    "detect_format", "parse_bytes", "parse_file", "parse_text",
]

MAX_FILE_BYTES = 200 * 1024 * 1024
EXTENSIONS: dict[str, Format] = {".ics": "ics", ".ical": "ics", ".icalendar": "ics", ".csv": "csv", ".tsv": "csv",
                                 ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}
UNKNOWN_FORMAT = ("unrecognised format: expected an iCalendar file (starting BEGIN:VCALENDAR), a dialer CSV whose "
                  "header names direction, from, to, start and duration_s, or JSON Lines (one JSON object per "
                  "line); see docs/conversation-formats.md")
_PARSERS = {"ics": parse_calendar, "csv": parse_call_log, "jsonl": parse_json_lines}


def detect_format(text: str, filename: str | None = None) -> Format | None:
    """By content first (a renamed file is still what it is), by extension when content says nothing."""
    if looks_like_calendar(text):
        return "ics"
    if text.lstrip().startswith(("{", "[")):
        return "jsonl"
    if looks_like_call_log(text):
        return "csv"
    return EXTENSIONS.get(Path(filename).suffix.lower()) if filename else None


def _file_error(message: str) -> ImportResult:
    return ImportResult(errors=[InputError("file", None, message)])


def _decode(data: bytes) -> str | InputError:
    """UTF-8 text (a BOM is fine) or the reason it is not; guessing an encoding would garble names."""
    if len(data) > MAX_FILE_BYTES:
        return InputError("file", None, f"the file is {len(data) / 2**20:,.0f} MiB; the limit is "
                                        f"{MAX_FILE_BYTES // 2**20} MiB")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return InputError("file", None, "the file is UTF-16 text; save it as UTF-8")
    if b"\0" in data[:8192]:
        return InputError("file", None, "a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return InputError("file", None, f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start:,}); "
                                        "save it as UTF-8")


def _parse(text: str, filename: str | None, options: ImportOptions) -> ImportResult:
    text = text.removeprefix("\ufeff")
    if not text.strip():
        return _file_error("the file is empty")
    fmt = detect_format(text, filename)
    if fmt is None:
        return _file_error(UNKNOWN_FORMAT)
    return _PARSERS[fmt](text, options)


def parse_text(text: str, *, filename: str | None = None, user_email: str | None = None,
               default_region: str = "US", default_tz: str = "UTC", now: datetime | None = None,
               window: ExpansionWindow | None = None) -> ImportResult:
    """Parse text already in memory (a pasted sample, a request body); arguments as for ``parse_file``."""
    options = ImportOptions.build(user_email=user_email, default_region=default_region, default_tz=default_tz,
                                  now=now, window=window)
    return _parse(text, filename, options)


def parse_bytes(data: bytes, *, filename: str | None = None, user_email: str | None = None,
                default_region: str = "US", default_tz: str = "UTC", now: datetime | None = None,
                window: ExpansionWindow | None = None) -> ImportResult:
    """Parse an upload as it arrived; ``filename`` only breaks ties when the content says nothing."""
    options = ImportOptions.build(user_email=user_email, default_region=default_region, default_tz=default_tz,
                                  now=now, window=window)
    text = _decode(data)
    if isinstance(text, InputError):
        return ImportResult(errors=[text])
    return _parse(text, filename, options)


def parse_file(path: str | PathLike[str], *, user_email: str | None = None, default_region: str = "US",
               default_tz: str = "UTC", now: datetime | None = None,
               window: ExpansionWindow | None = None) -> ImportResult:
    """Read a calendar, call log or JSON Lines file into conversations and errors.

    ``user_email`` is the importing user: the owner of a calendar (else each event's organizer), and
    the fallback for CSV and JSON records without their own. ``default_region`` reads phone numbers
    written without a country code; ``default_tz`` reads times written without a zone. Recurring
    meetings are expanded within ``window``, by default the 30 days before ``now`` and the day after.
    Bad arguments raise ValueError; an unreadable path raises OSError; bad content never raises.
    """
    file = Path(path)
    if file.stat().st_size > MAX_FILE_BYTES:
        return _file_error(f"the file is larger than {MAX_FILE_BYTES // 2**20} MiB")
    return parse_bytes(file.read_bytes(), filename=file.name, user_email=user_email, default_region=default_region,
                       default_tz=default_tz, now=now, window=window)
