"""What an org writes back to Zoho, as its admin set it: one frozen record per org, stored as JSON.

An org nobody configured logs meetings as Events and calls as Calls, with a descriptive call subject
and the summary in the activity's Description. Deal-stage updates and follow-up Tasks are off until an
admin turns them on: both change records that the customer's people own.

    {"log_meetings": true, "log_calls": true, "set_call_subject": true, "write_summary": true,
     "update_deal_stage": true, "stage_map": {"Demo": "Needs Analysis", "won": "Closed Won"},
     "create_tasks": true, "tasks": {"owner": "conversation_user", "due_in_days": 2, "business_days": true,
                                     "priority": "High"},
     "statuses": ["matched", "partial"], "backfill_days": 2}

``stage_map`` keys are activity type names or explicit outcomes on the conversation (an outcome wins
over the activity type); values are the actual values of the org's pipeline stages. Unknown keys are
refused, so a typo never silently turns a setting off.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

TaskOwner = Literal["conversation_user", "record_owner"]
TASK_OWNERS: tuple[str, ...] = ("conversation_user", "record_owner")
TASK_PRIORITIES: tuple[str, ...] = ("Highest", "High", "Normal", "Low", "Lowest")
WRITABLE_STATUSES: tuple[str, ...] = ("matched", "partial", "ambiguous", "unmatched")
MAX_DUE_DAYS = 90


class SettingsError(ValueError):
    """The settings cannot be used; the message names the setting and why."""


@dataclass(frozen=True)
class TaskRule:
    """How follow-up Tasks are made from a conversation's action items."""

    owner: TaskOwner = "conversation_user"  # or the owner of the deal/contact/lead it is about
    due_in_days: int = 2  # after the conversation's day
    business_days: bool = True  # count Monday to Friday only
    priority: str = "Normal"

    def __post_init__(self) -> None:
        if self.owner not in TASK_OWNERS:
            raise SettingsError(f"tasks.owner must be one of {', '.join(TASK_OWNERS)}, not {self.owner!r}")
        if isinstance(self.due_in_days, bool) or not isinstance(self.due_in_days, int) \
                or not 0 <= self.due_in_days <= MAX_DUE_DAYS:
            raise SettingsError(f"tasks.due_in_days must be a whole number of days from 0 to {MAX_DUE_DAYS}")
        if self.priority not in TASK_PRIORITIES:
            raise SettingsError(f"tasks.priority must be one of {', '.join(TASK_PRIORITIES)}, not {self.priority!r}")


@dataclass(frozen=True)
class WritebackSettings:
    log_meetings: bool = True  # meetings become Events
    log_calls: bool = True  # calls become Calls
    set_call_subject: bool = True  # "Demo call with Bob Stone (Northwind)" rather than "Outbound call"
    write_summary: bool = True  # the conversation's summary goes into the activity's Description
    update_deal_stage: bool = False
    stage_map: Mapping[str, str] = field(default_factory=dict)  # activity type or outcome -> stage value
    allow_stage_backwards: bool = False  # never move a deal back along its pipeline unless allowed
    create_tasks: bool = False
    tasks: TaskRule = field(default_factory=TaskRule)
    statuses: tuple[str, ...] = ("matched", "partial")  # which match statuses are written
    backfill_days: int = 2  # conversations that ended longer ago than this are written at backfill priority

    def __post_init__(self) -> None:
        for f in fields(self):
            if f.type == "bool" and not isinstance(getattr(self, f.name), bool):
                raise SettingsError(f"{f.name} must be true or false")
        bad = [s for s in self.statuses if s not in WRITABLE_STATUSES]
        if bad:
            raise SettingsError(f"statuses: {', '.join(bad)} cannot be written; choose from "
                                f"{', '.join(WRITABLE_STATUSES)}")
        folded: dict[str, str] = {}
        for key, stage in self.stage_map.items():
            if not isinstance(key, str) or not key.strip() or not isinstance(stage, str) or not stage.strip():
                raise SettingsError("stage_map maps an activity type or outcome (text) to a stage (text)")
            if key.strip().lower() in folded:  # stage_for ignores case and spaces: one would silently win
                raise SettingsError(f"stage_map has both {folded[key.strip().lower()]!r} and {key!r}, the same "
                                    "key once case and spaces are ignored; keep one")
            folded[key.strip().lower()] = key
        if isinstance(self.backfill_days, bool) or not isinstance(self.backfill_days, int) or self.backfill_days < 0:
            raise SettingsError("backfill_days must be a whole number of days >= 0")

    def stage_for(self, outcome: str | None, activity_type: str | None) -> str | None:
        """The stage a conversation moves its deal to: its explicit outcome first, then its activity type."""
        lowered = {k.strip().lower(): v for k, v in self.stage_map.items()}
        for key in (outcome, activity_type):
            if key and key.strip().lower() in lowered:
                return lowered[key.strip().lower()]
        return None


DEFAULT_SETTINGS = WritebackSettings()
_TOP_KEYS = {f.name for f in fields(WritebackSettings)}
_TASK_KEYS = {f.name for f in fields(TaskRule)}


def settings_to_json(settings: WritebackSettings) -> str:
    raw = asdict(settings)
    raw["stage_map"] = dict(settings.stage_map)
    raw["statuses"] = list(settings.statuses)
    return json.dumps(raw, sort_keys=True, ensure_ascii=False)


def settings_from_json(text: str | None) -> WritebackSettings:
    """Parse what an admin wrote (missing keys take their defaults); SettingsError says what is wrong."""
    if text is None or not text.strip():
        return DEFAULT_SETTINGS
    try:
        raw = json.loads(text)
    except ValueError as err:
        raise SettingsError(f"not valid JSON: {err}") from None
    if not isinstance(raw, dict):
        raise SettingsError("write-back settings are a JSON object")
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        raise SettingsError(f"unknown setting(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(_TOP_KEYS))}")
    values: dict[str, Any] = dict(raw)
    if "tasks" in values:
        tasks = values["tasks"]
        if not isinstance(tasks, dict) or set(tasks) - _TASK_KEYS:
            raise SettingsError(f"tasks is an object with keys {', '.join(sorted(_TASK_KEYS))}")
        values["tasks"] = TaskRule(**tasks)
    if "stage_map" in values:
        if not isinstance(values["stage_map"], dict):
            raise SettingsError("stage_map is an object: {\"activity type or outcome\": \"stage\"}")
        values["stage_map"] = dict(values["stage_map"])
    if "statuses" in values:
        if not isinstance(values["statuses"], list):
            raise SettingsError("statuses is a list, e.g. [\"matched\", \"partial\"]")
        values["statuses"] = tuple(values["statuses"])
    try:
        return WritebackSettings(**values)
    except TypeError as err:
        raise SettingsError(str(err)) from None


def unknown_stages(settings: WritebackSettings, stages: Iterable[str]) -> list[str]:
    """Mapped stages the org's pipelines do not have (a write would fail with INVALID_DATA)."""
    known = set(stages)
    return sorted({stage for stage in settings.stage_map.values() if stage not in known})
