"""Checks a written record the way Zoho does: field names, types, lengths, lookups, mandatory fields.

Follows https://www.zoho.com/crm/developer/docs/api/v8/insert-records.html (field formats, lookups,
activity links, participants) and zoho-api.md §3 "Field value formats" and §7. Every failure is a
record-level ``ZohoError`` whose details name the field and the JSON path.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from zoho_emulator.engine.errors import ZohoError
from zoho_emulator.model.org import OrgData
from zoho_emulator.model.schema import (
    BIGINT,
    BOOLEAN,
    CURRENCY,
    DATE,
    DATETIME,
    DEAL_STAGES,
    DOUBLE,
    EMAIL,
    INTEGER,
    LOOKUP,
    MULTIMODULE_LOOKUP,
    MULTISELECT,
    OWNERLOOKUP,
    PARTICIPANTS,
    PERCENT,
    PHONE,
    PICKLIST,
    PIPELINES,
    TEXT,
    TEXTAREA,
    WEBSITE,
    WHAT_ID_MODULES,
    FieldDef,
    ModuleDef,
)

DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^[0-9+()\-.\s/xX#*,;extEXT]{1,30}$")
WEBSITE_RE = re.compile(r"^(https?://)?[\w.-]+\.[a-zA-Z]{2,}(/\S*)?$")
CALL_DURATION_RE = re.compile(r"^(\d{1,3}):([0-5]\d)$")
PARTICIPANT_TYPES = ("contact", "lead", "user", "email")
MAX_PARTICIPANTS = 50
INTEGER_MAX = 999_999_999


def invalid(fd: FieldDef | str, path: str, expected: str | None = None, **extra: Any) -> ZohoError:
    api_name = fd if isinstance(fd, str) else fd.api_name
    details: dict[str, Any] = {"api_name": api_name, "json_path": path}
    if expected:
        details["expected_data_type"] = expected
    details.update(extra)
    return ZohoError("INVALID_DATA", "invalid data", details)


def _parse_datetime(fd: FieldDef, value: Any, path: str) -> datetime:
    if not isinstance(value, str) or not DATETIME_RE.match(value):
        raise invalid(fd, path, "datetime")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise invalid(fd, path, "datetime") from None


def _parse_date(fd: FieldDef, value: Any, path: str) -> date:
    if not isinstance(value, str) or not DATE_RE.match(value):
        raise invalid(fd, path, "date")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise invalid(fd, path, "date") from None


def _lookup_id(fd: FieldDef, value: Any, path: str) -> str:
    if isinstance(value, dict) and isinstance(value.get("id"), str | int):
        return str(value["id"])
    raise invalid(fd, path, "jsonobject")


def _text(fd: FieldDef, value: Any, path: str, pattern: re.Pattern[str] | None = None) -> str:
    if not isinstance(value, str):
        raise invalid(fd, path, fd.data_type)
    if len(value) > fd.length:
        raise invalid(fd, path, fd.data_type, maximum_length=fd.length)
    if pattern is not None and value and not pattern.match(value):
        raise invalid(fd, path, fd.data_type)
    return value


def coerce(data: OrgData, fd: FieldDef, value: Any, path: str) -> Any:
    """One input value -> the stored Python value, or a record-level INVALID_DATA."""
    if value is None:
        return None
    kind = fd.data_type
    if kind in (TEXT, TEXTAREA):
        return _text(fd, value, path)
    if kind == EMAIL:
        return _text(fd, value, path, EMAIL_RE)
    if kind == PHONE:
        return _text(fd, value, path, PHONE_RE)
    if kind == WEBSITE:
        return _text(fd, value, path, WEBSITE_RE)
    if kind == PICKLIST:
        return _text(fd, value, path)
    if kind == MULTISELECT:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise invalid(fd, path, "jsonarray")
        return list(value)
    if kind == INTEGER:
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) > INTEGER_MAX:
            raise invalid(fd, path, "integer")
        return value
    if kind == BIGINT:
        if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).lstrip("-").isdigit():
            raise invalid(fd, path, "bigint")
        return str(value)
    if kind in (DOUBLE, CURRENCY, PERCENT):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise invalid(fd, path, "double")
        return float(value)
    if kind == BOOLEAN:
        if not isinstance(value, bool):
            raise invalid(fd, path, "boolean")
        return value
    if kind == DATE:
        return _parse_date(fd, value, path)
    if kind == DATETIME:
        return _parse_datetime(fd, value, path)
    if kind == OWNERLOOKUP:
        user_id = _lookup_id(fd, value, path)
        user = data.users.get(user_id)
        if user is None or not user.active:
            raise invalid(fd, path, "ownerlookup")
        return user_id
    if kind == LOOKUP:
        record_id = _lookup_id(fd, value, path)
        if data.get(fd.lookup_module or "", record_id) is None:
            raise invalid(fd, path, "lookup")
        return record_id
    if kind == MULTIMODULE_LOOKUP:
        return _lookup_id(fd, value, path)
    if kind == PARTICIPANTS:
        return _participants(data, fd, value, path)
    raise invalid(fd, path, kind)


def _participants(data: OrgData, fd: FieldDef, value: Any, path: str) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise invalid(fd, path, "jsonarray")
    if len(value) > MAX_PARTICIPANTS:
        raise ZohoError("LIMIT_EXCEEDED", "participants limit exceeded",
                        {"api_name": fd.api_name, "json_path": path, "limit": MAX_PARTICIPANTS})
    out = []
    for i, item in enumerate(value):
        item_path = f"{path}[{i}]"
        if not isinstance(item, dict) or item.get("type") not in PARTICIPANT_TYPES:
            raise invalid("type", f"{item_path}.type", "picklist")
        kind = item["type"]
        if kind == "email":
            email = item.get("Email")
            if not isinstance(email, str) or not EMAIL_RE.match(email):
                raise invalid("Email", f"{item_path}.Email", "email")
            out.append({"type": "email", "Email": email, "name": item.get("name") or email,
                        "participant": None, "invited": True, "status": "not_known"})
            continue
        pid = str(item.get("participant") or "")
        target = {"contact": "Contacts", "lead": "Leads"}.get(kind)
        if kind == "user":
            user = data.users.get(pid)
            found = user is not None
            name, email = (user.full_name, user.email) if user else ("", "")
        else:
            record = data.get(target or "", pid)
            found = record is not None
            name = (record or {}).get("Full_Name", "")
            email = (record or {}).get("Email")
        if not found:
            raise invalid("participant", f"{item_path}.participant", "jsonobject")
        out.append({"type": kind, "participant": pid, "name": name, "Email": email,
                    "invited": True, "status": "not_known"})
    return out


def check_activity_links(data: OrgData, module: ModuleDef, record: dict[str, Any], raw: dict[str, Any],
                         path: str) -> None:
    """Who_Id must be a Contact; What_Id needs ``$se_module`` naming the module that holds it."""
    if record.get("Who_Id") and data.get("Contacts", record["Who_Id"]) is None:
        raise invalid("Who_Id", f"{path}.Who_Id", "lookup")
    if record.get("What_Id"):
        se_module = raw.get("$se_module", record.get("$se_module"))
        if not se_module:
            raise ZohoError("MANDATORY_NOT_FOUND", "required field not found",
                            {"api_name": "$se_module", "json_path": f"{path}.$se_module"})
        if se_module not in WHAT_ID_MODULES:
            raise invalid("$se_module", f"{path}.$se_module", "string")
        if data.get(se_module, record["What_Id"]) is None:
            raise invalid("What_Id", f"{path}.What_Id", "lookup")
        record["$se_module"] = se_module
    elif "What_Id" in record:
        record["$se_module"] = None


def check_call(record: dict[str, Any], now: datetime, path: str) -> None:
    """Completed calls need a non-zero duration; Call_Duration is mm:ss (Call_Duration_in_seconds derived)."""
    duration = record.get("Call_Duration")
    start = record.get("Call_Start_Time")
    completed = record.get("Call_Type") in ("Inbound", "Missed") or (start is not None and start <= now)
    if duration:
        match = CALL_DURATION_RE.match(duration)
        if not match:
            raise invalid("Call_Duration", f"{path}.Call_Duration", "text")
        seconds = int(match.group(1)) * 60 + int(match.group(2))
        if seconds == 0 and record.get("Call_Type") in ("Inbound", "Outbound"):
            raise ZohoError("DEPENDENT_MISMATCH", "call duration must be greater than zero",
                            {"api_name": "Call_Duration", "json_path": f"{path}.Call_Duration"})
        record["Call_Duration_in_seconds"] = seconds
    elif completed and record.get("Call_Type") != "Missed":
        raise ZohoError("MANDATORY_NOT_FOUND", "required field not found",
                        {"api_name": "Call_Duration", "json_path": f"{path}.Call_Duration"})
    if record.get("Call_Type") == "Outbound":
        record["Outgoing_Call_Status"] = "Completed" if completed else "Scheduled"
        if not completed and not (record.get("Who_Id") or record.get("What_Id")):
            raise ZohoError("DEPENDENT_FIELD_MISSING", "Who_Id or What_Id is required for a scheduled call",
                            {"api_name": "Who_Id", "json_path": f"{path}.Who_Id"})


def check_event(record: dict[str, Any], path: str) -> None:
    start, end = record.get("Start_DateTime"), record.get("End_DateTime")
    if start and end and end < start:
        raise invalid("End_DateTime", f"{path}.End_DateTime", "datetime")


def check_deal(record: dict[str, Any], path: str) -> None:
    if record.get("Pipeline") is not None and record["Pipeline"] not in PIPELINES:
        raise invalid("Pipeline", f"{path}.Pipeline", "picklist")
    stages = {s for s, _, _ in DEAL_STAGES}
    if record.get("Stage") is not None and record["Stage"] not in stages:
        raise invalid("Stage", f"{path}.Stage", "picklist")
    if record.get("Stage") and record.get("Probability") is None:
        record["Probability"] = float(next(p for s, p, _ in DEAL_STAGES if s == record["Stage"]))
    if record.get("Amount") is not None and record.get("Probability") is not None:
        record["Expected_Revenue"] = round(record["Amount"] * record["Probability"] / 100, 2)


def check_picklist_strict(module: ModuleDef, record: dict[str, Any], path: str) -> None:
    """Call_Type drives the call's behaviour, so unlike ordinary picklists it takes only its values."""
    fd = module.field("Call_Type")
    if fd and record.get("Call_Type") is not None and record["Call_Type"] not in fd.pick_list:
        raise invalid(fd, f"{path}.Call_Type", "picklist")
