"""How often each scheduled job runs for one org, as its admin set it: job name -> interval in seconds.

    {"push": 30, "mirror": 300, "users.refresh": 3600, "match": 300}

A job the admin never set runs at its default (``JobSpec.every_s``). Each job declares the bounds an
interval must fall within (``min_every_s``, ``max_every_s``): pushing every second would spend the
org's credits on empty polls, and a mirror left for a week is no mirror.

What an admin submits is checked strictly (unknown job names, out-of-range values are refused with a
message that says what is allowed). A stored schedule is read leniently: it outlives changes to the job
list, and a job since removed or a bound since tightened must not stop the scheduler from starting.
"""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sync_engine.settings.writeback_settings import SettingsError

SCHEDULE_SETTING = "schedule"


class ScheduleError(SettingsError):
    """The schedule cannot be used; the message names the job and the interval it allows."""


class JobBounds(Protocol):
    """What a schedule needs to know of a job (``jobs.specs.JobSpec`` is one): its name, default and bounds."""

    @property
    def name(self) -> str: ...
    @property
    def every_s(self) -> int: ...
    @property
    def min_every_s(self) -> int: ...
    @property
    def max_every_s(self) -> int: ...


@dataclass(frozen=True)
class Schedule:
    intervals: Mapping[str, int]  # every known job -> seconds between runs

    def every_s(self, job: str) -> int:
        return self.intervals[job]


def duration_words(seconds: int) -> str:
    """``90`` -> ``1 min 30 s``, ``86400`` -> ``1 day``: intervals as an admin reads them."""
    parts = []
    for unit, size in (("day", 86_400), ("h", 3_600), ("min", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {unit}{'s' if unit == 'day' and count > 1 else ''}")
    return " ".join(parts) or "0 s"


def bounds_words(spec: JobBounds) -> str:
    return f"{duration_words(spec.min_every_s)} to {duration_words(spec.max_every_s)}"


def default_schedule(jobs: Sequence[JobBounds]) -> Schedule:
    return Schedule({spec.name: spec.every_s for spec in jobs})


def checked_schedule(intervals: Mapping[str, Any], jobs: Sequence[JobBounds]) -> Schedule:
    """An admin's intervals (missing jobs keep their defaults); ScheduleError says what is wrong."""
    specs = {spec.name: spec for spec in jobs}
    unknown = sorted(set(intervals) - set(specs))
    if unknown:
        raise ScheduleError(f"unknown job(s) {', '.join(unknown)}; the jobs are {', '.join(specs)}")
    problems = []
    for name, seconds in intervals.items():
        spec = specs[name]
        if isinstance(seconds, bool) or not isinstance(seconds, int):
            problems.append(f"{name}: the interval is a whole number of seconds, not {seconds!r}")
        elif seconds <= 0:
            problems.append(f"{name}: the interval is a number of seconds above zero, not {seconds}; "
                            f"it may run every {bounds_words(spec)}")
        elif not spec.min_every_s <= seconds <= spec.max_every_s:
            problems.append(f"{name} may run every {bounds_words(spec)}, not every {duration_words(seconds)}")
    if problems:
        raise ScheduleError("; ".join(problems))
    return Schedule({**default_schedule(jobs).intervals, **intervals})


def schedule_from_json(text: str, jobs: Sequence[JobBounds]) -> Schedule:
    """An admin's schedule as JSON (CLI, tests), checked like ``checked_schedule``."""
    try:
        raw = json.loads(text)
    except ValueError as err:
        raise ScheduleError(f"not valid JSON: {err}") from None
    if not isinstance(raw, dict):
        raise ScheduleError('the schedule is a JSON object: {"job name": seconds between runs}')
    return checked_schedule(raw, jobs)


def stored_schedule(text: str | None, jobs: Sequence[JobBounds]) -> Schedule:
    """The stored schedule for today's jobs: unknown names dropped, intervals brought within bounds."""
    schedule = dict(default_schedule(jobs).intervals)
    raw = json.loads(text) if text else {}
    for spec in jobs:
        seconds = raw.get(spec.name) if isinstance(raw, dict) else None
        if isinstance(seconds, int) and not isinstance(seconds, bool):
            schedule[spec.name] = min(max(seconds, spec.min_every_s), spec.max_every_s)
    return Schedule(schedule)


def schedule_to_json(schedule: Schedule) -> str:
    return json.dumps(dict(sorted(schedule.intervals.items())))
