"""JSON Lines: one JSON object per line, ``"kind": "meeting"`` or ``"kind": "call"``.

Unknown keys reject the record: a misspelt optional key ("acton_items") would otherwise drop data
without a word, which is a partial import. Keys starting with ``x_`` are the escape hatch: ignored,
so producers can carry their own data along. ``conversation_to_json`` writes the same schema, so a
parsed file can be written back out and read again to the same conversations.
"""
from __future__ import annotations

import json
from typing import Any

from sync_engine.intake.formats.fields import RecordCheck, shown
from sync_engine.intake.formats.model import (
    Call,
    Conversation,
    ImportOptions,
    ImportResult,
    Meeting,
    Participant,
    PhoneNumber,
)
from sync_engine.intake.formats.records import call_from_values, meeting_from_values
from sync_engine.intake.formats.report import ResultBuilder

MEETING_KEYS = frozenset({"kind", "id", "title", "start", "end", "organizer", "attendees", "user_email", "summary",
                          "action_items", "activity_type", "outcome", "status", "recurrence_id",
                          "all_day"})
CALL_KEYS = frozenset({"kind", "id", "direction", "from", "to", "start", "duration_s", "user_email", "summary",
                       "action_items", "activity_type", "outcome"})
MAX_LINE_CHARS = 1_000_000


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed")


def _decode(line: str) -> tuple[dict[str, Any] | None, str | None]:
    if len(line) > MAX_LINE_CHARS:
        return None, f"line is {len(line):,} characters long; the limit is {MAX_LINE_CHARS:,}"
    try:
        value = json.loads(line, parse_constant=_reject_constant)
    except RecursionError:
        return None, "JSON nested too deeply"
    except ValueError as exc:
        return None, f"not valid JSON ({exc})"
    if not isinstance(value, dict):
        return None, f"must be a JSON object, got {shown(value)}"
    return value, None


def _unknown_keys(record: dict[str, Any], known: frozenset[str]) -> list[str]:
    return sorted(key for key in record if key not in known and not key.startswith("x_"))


def _conversation(record: dict[str, Any], options: ImportOptions, check: RecordCheck) -> Conversation | None:
    kind = record.get("kind")
    if kind not in ("meeting", "call"):
        check.fail("kind", f"must be \"meeting\" or \"call\", got {shown(kind)}")
        return None
    known = MEETING_KEYS if kind == "meeting" else CALL_KEYS
    unknown = _unknown_keys(record, known)
    if unknown:
        check.fail(None, f"unknown keys for a {kind}: {', '.join(shown(key) for key in unknown[:10])} "
                         "(prefix your own keys with x_)")
    if kind == "meeting":
        return meeting_from_values(record, options, "jsonl", check)
    return call_from_values(record, options, "jsonl", check)


def looks_like_json_lines(text: str) -> bool:
    return text.lstrip().startswith("{")


def parse_json_lines(text: str, options: ImportOptions) -> ImportResult:
    builder = ResultBuilder("jsonl")
    if text.lstrip().startswith("["):
        return builder.file_error("a JSON array, not JSON Lines: write one JSON object per line")
    if not looks_like_json_lines(text):
        return builder.file_error("not JSON Lines: the first line is not a JSON object")
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        location = f"line {number}"
        record, problem = _decode(line)
        if record is None:
            builder.error(location, None, problem or "unreadable")
            continue
        check = RecordCheck()
        builder.record(check, location, _conversation(record, options, check))
    return builder.result()


def _participant_json(person: Participant) -> dict[str, Any]:
    return {"email": person.email, "name": person.name, "role": person.role, "response": person.response}


def _number_json(number: PhoneNumber | None) -> str | None:
    return None if number is None else number.raw


def conversation_to_json(conversation: Conversation) -> dict[str, Any]:
    """The JSON Lines record for a conversation; ``parse_json_lines`` reads it back to an equal one."""
    common = {"id": conversation.id, "user_email": conversation.user_email, "summary": conversation.summary,
              "action_items": list(conversation.action_items), "activity_type": conversation.activity_type,
              "outcome": conversation.outcome}
    if isinstance(conversation, Call):
        return {"kind": "call", **common, "direction": conversation.direction,
                "from": _number_json(conversation.from_number), "to": _number_json(conversation.to_number),
                "start": conversation.start.isoformat(), "duration_s": conversation.duration_s}
    meeting: Meeting = conversation
    return {"kind": "meeting", **common, "title": meeting.title, "start": meeting.start.isoformat(),
            "end": meeting.end.isoformat(),
            "organizer": _participant_json(meeting.organizer) if meeting.organizer else None,
            "attendees": [_participant_json(person) for person in meeting.attendees], "status": meeting.status,
            "recurrence_id": meeting.recurrence_id.isoformat() if meeting.recurrence_id else None,
            "all_day": meeting.all_day}
