"""A schedule is checked strictly when an admin submits it and read leniently once stored."""
from __future__ import annotations

import pytest

from sync_engine.jobs.specs import JobSpec
from sync_engine.settings.schedule import (
    ScheduleError,
    checked_schedule,
    default_schedule,
    duration_words,
    schedule_from_json,
    schedule_to_json,
    stored_schedule,
)

JOBS = (JobSpec("push", 30, lambda rt, org: None, "write back", min_every_s=15, max_every_s=3600),
        JobSpec("mirror", 300, lambda rt, org: None, "mirror"))


@pytest.mark.parametrize(("seconds", "words"), [
    (0, "0 s"), (15, "15 s"), (90, "1 min 30 s"), (3600, "1 h"), (86_400, "1 day"), (2 * 86_400 + 60, "2 days 1 min"),
])
def test_intervals_read_as_an_admin_says_them(seconds, words) -> None:
    assert duration_words(seconds) == words


def test_jobs_an_admin_leaves_out_keep_their_defaults() -> None:
    assert dict(checked_schedule({"push": 60}, JOBS).intervals) == {"push": 60, "mirror": 300}
    assert checked_schedule({}, JOBS) == default_schedule(JOBS)


def test_every_problem_is_named_at_once() -> None:
    with pytest.raises(ScheduleError) as refused:
        checked_schedule({"push": 10, "mirror": "5 min"}, JOBS)
    assert str(refused.value) == ("push may run every 15 s to 1 h, not every 10 s; "
                                  "mirror: the interval is a whole number of seconds, not '5 min'")


def test_the_bounds_themselves_are_allowed() -> None:
    assert dict(checked_schedule({"push": 15, "mirror": 86_400}, JOBS).intervals) == {"push": 15, "mirror": 86_400}


@pytest.mark.parametrize(("text", "message"), [
    ("{", "not valid JSON"), ("[30]", "a JSON object"),
    ('{"pull": 60}', "unknown job(s) pull; the jobs are push, mirror"),
])
def test_a_schedule_written_as_json_is_refused_with_the_reason(text, message) -> None:
    with pytest.raises(ScheduleError, match=message.replace("(", r"\(").replace(")", r"\)")):
        schedule_from_json(text, JOBS)


def test_a_stored_schedule_round_trips_and_is_read_leniently() -> None:
    schedule = checked_schedule({"push": 45}, JOBS)
    assert stored_schedule(schedule_to_json(schedule), JOBS) == schedule
    assert dict(stored_schedule('{"push": 1, "mirror": 999999, "gone": 5}', JOBS).intervals) == {
        "push": 15, "mirror": 86_400}
    assert stored_schedule(None, JOBS) == default_schedule(JOBS)
