"""Specification of single values read from files: times, durations, directions, text, emails."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from sync_engine.intake.formats import fields
from sync_engine.intake.formats.fields import FieldProblem

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(("raw", "expected"), [
    ("2025-03-10T09:30:00Z", datetime(2025, 3, 10, 9, 30, tzinfo=UTC)),
    ("2025-03-10T09:30:00+01:00", datetime(2025, 3, 10, 8, 30, tzinfo=UTC)),
    ("2025-03-10 09:30", datetime(2025, 3, 10, 8, 30, tzinfo=UTC)),  # naive: the default zone (Berlin, CET)
    ("2025-07-10T09:30:00", datetime(2025, 7, 10, 7, 30, tzinfo=UTC)),  # naive in summer: CEST
    ("20250310T093000Z", datetime(2025, 3, 10, 9, 30, tzinfo=UTC)),
    ("1741599000", datetime(2025, 3, 10, 9, 30, tzinfo=UTC)),
    ("1741599000.5", datetime(2025, 3, 10, 9, 30, 0, 500000, tzinfo=UTC)),
    (1741599000, datetime(2025, 3, 10, 9, 30, tzinfo=UTC)),
])
def test_times_are_iso_8601_or_epoch_seconds_and_come_out_in_utc(raw: object, expected: datetime) -> None:
    moment = fields.instant(raw, BERLIN)
    assert moment == expected and moment.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


@pytest.mark.parametrize(("raw", "says"), [
    ("", "is required"),
    ("2025-03-10", "needs a date and a time"),
    ("10/03/2025 09:30", "not an ISO 8601 time"),
    ("1741599000000", "epoch milliseconds"),
    ("1999-12-31T10:00:00Z", "outside 2000-2099"),
    ("20250310", "before 2000; a date without a time"),
    ("2025-03-10T25:00:00", "not an ISO 8601 time"),
    (True, "is not a time"),
    (float("nan"), "is not a time"),
    ("9" * 200, "is not a time"),
])
def test_times_that_are_refused(raw: object, says: str) -> None:
    with pytest.raises(FieldProblem, match=says):
        fields.instant(raw, UTC)


@pytest.mark.parametrize(("raw", "seconds"), [
    ("125", 125), ("125.4", 125), (" 0 ", 0), ("2:05", 125), ("90:00", 5400), ("1:02:03", 3723),
    ("00:00:59", 59), (95, 95), (95.6, 96),
])
def test_durations_are_seconds_or_mm_ss_or_hh_mm_ss(raw: object, seconds: int) -> None:
    assert fields.duration(raw) == seconds


@pytest.mark.parametrize("raw", ["", "-5", "2:5", "1:60", "1:00:60", "25:00:00", "86401", "ten", "１２", True,
                                 float("inf")])
def test_durations_that_are_refused(raw: object) -> None:
    with pytest.raises(FieldProblem):
        fields.duration(raw)


@pytest.mark.parametrize(("raw", "direction"), [
    ("outbound", "outbound"), ("Outgoing", "outbound"), (" OUT ", "outbound"),
    ("inbound", "inbound"), ("Incoming", "inbound"), ("in", "inbound"),
])
def test_directions_accept_the_words_dialers_use(raw: str, direction: str) -> None:
    assert fields.direction(raw) == direction


@pytest.mark.parametrize(("raw", "cleaned"), [
    ("  Renewal\n call\t ", "Renewal call"),
    ("ring\x07\x1b[31m", "ring[31m"),
    ("abc\u202edcba", "abcdcba"),  # bidi override: would reorder what a manager reads
    ("=cmd|' /C calc'!A0", "=cmd|' /C calc'!A0"),  # text, kept as said; escaping is the spreadsheet writer's job
])
def test_single_line_text_is_cleaned_not_escaped(raw: str, cleaned: str) -> None:
    assert fields.single_line(raw, 100) == cleaned


def test_text_blocks_keep_line_breaks_and_normalise_them() -> None:
    assert fields.text_block("first\r\nsecond\rthird\u2028fourth\x00", 100) == "first\nsecond\nthird\nfourth"


def test_text_over_its_limit_is_refused_not_truncated() -> None:
    with pytest.raises(FieldProblem, match="the limit is 10"):
        fields.single_line("x" * 11, 10)


@pytest.mark.parametrize(("raw", "address"), [(" Jane.Doe@Acme.COM ", "jane.doe@acme.com"),
                                              ("mailto@acme.com", "mailto@acme.com")])
def test_emails_are_normalised(raw: str, address: str) -> None:
    assert fields.email(raw) == address


@pytest.mark.parametrize("raw", ["jane", "jane@acme", "a@b@c.com", "=jane@acme.com\x00" * 40, 42])
def test_things_that_are_not_emails(raw: object) -> None:
    with pytest.raises(FieldProblem):
        fields.email(raw)


def test_error_messages_quote_only_a_bounded_piece_of_the_value() -> None:
    with pytest.raises(FieldProblem) as problem:
        fields.direction("sideways" * 10_000)
    assert len(problem.value.message) < 120
