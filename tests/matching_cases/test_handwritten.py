"""The hand-written matching cases (``*.yaml`` beside this file), each a test, plus what the set must cover."""
from __future__ import annotations

from dataclasses import replace

import pytest

from tests.matching_cases.casebook import LINKS, Case, coverage, load, run_case, score

WORLDS, CASES = load()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case) -> None:
    outcome = run_case(case, WORLDS[case.world])
    expected = {k: case.expect.get(k) for k in (*LINKS, "status")}
    assert outcome.got == expected, f"{case.why}; reasons: {list(outcome.reasons)}"


def test_the_set_is_large_and_covers_every_country_status_and_format() -> None:
    counts = coverage(CASES)
    assert len(CASES) >= 150
    assert len({c.id for c in CASES}) == len(CASES), "case ids must be unique"
    for world in ("us", "uk", "de", "fr", "in", "br", "au"):
        assert counts[f"world:{world}"] >= 20, world
    for status in ("matched", "partial", "ambiguous", "unmatched", "internal"):
        assert counts[f"status:{status}"] >= 5, status
    for fmt in ("jsonl", "csv", "ics"):
        assert counts[f"format:{fmt}"] >= 10, fmt


MEETINGS = [c for c in CASES if c.kind == "meeting" and len(c.conversation.get("attendees", [])) > 1]


@pytest.mark.parametrize("case", MEETINGS, ids=[c.id for c in MEETINGS])
def test_a_meeting_matches_the_same_with_its_attendees_in_reverse(case: Case) -> None:
    reversed_case = replace(case, conversation={**case.conversation,
                                                "attendees": list(reversed(case.conversation["attendees"]))})
    assert run_case(reversed_case, WORLDS[case.world]).got == run_case(case, WORLDS[case.world]).got


def test_the_figures_meet_the_targets() -> None:
    scores, status = score([run_case(c, WORLDS[c.world]) for c in CASES])
    assert status >= 0.98
    for name, s in scores.items():
        assert s.precision >= 0.995 and s.recall >= 0.98, name
