"""Specification of reading whole files: which format, what is not a file we read, the samples."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync_engine.intake.conversations import detect_format, parse_bytes, parse_file, parse_text

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
NOW = datetime(2025, 3, 20, tzinfo=UTC)
CSV = "direction,from,to,start,duration_s,user_email\noutbound,+1 650-253-0000,+1 415-439-1234,1741599000,60,j@a.com\n"
ICS = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:20250301T100000Z\nORGANIZER:mailto:j@a.com\nEND:VEVENT\n" \
      "END:VCALENDAR\n"
JSONL = '{"kind": "call", "direction": "in", "from": "+1 650-253-0000", "start": 1741599000, "duration_s": 5, ' \
        '"user_email": "j@a.com"}\n'


@pytest.mark.parametrize(("name", "kind", "count"), [
    ("meetings.ics", "ics", 4), ("calls.csv", "csv", 4), ("conversations.jsonl", "jsonl", 4)])
def test_the_samples_parse_with_no_errors_and_no_warnings(name: str, kind: str, count: int) -> None:
    result = parse_file(SAMPLES / name, now=NOW)
    assert (result.format, result.errors, result.warnings, len(result.conversations)) == (kind, [], [], count)


def test_importing_a_sample_twice_yields_the_same_ids() -> None:
    ids = [[c.id for c in parse_file(SAMPLES / name, now=NOW).conversations]
           for name in ("meetings.ics", "meetings.ics")]
    assert ids[0] == ids[1]


@pytest.mark.parametrize(("text", "filename", "fmt"), [
    pytest.param(ICS, None, "ics", id="calendar-by-content"),
    pytest.param(CSV, None, "csv", id="call-log-by-header"),
    pytest.param(JSONL, None, "jsonl", id="json-lines-by-content"),
    pytest.param(ICS, "export.csv", "ics", id="content-beats-a-wrong-extension"),
    pytest.param("hello\n", "notes.ics", "ics", id="extension-when-content-says-nothing"),
    pytest.param("hello\n", "calls.CSV", "csv", id="extension-any-case"),
    pytest.param("hello\n", "notes.txt", None, id="unknown"),
    pytest.param("hello\n", None, None, id="unknown-without-a-name"),
])
def test_the_format_is_chosen_by_content_then_extension(text: str, filename: str | None, fmt: str | None) -> None:
    assert detect_format(text, filename) == fmt


@pytest.mark.parametrize(("data", "filename", "says"), [
    pytest.param(b"", "calls.csv", "the file is empty", id="empty"),
    pytest.param(b"\xef\xbb\xbf \n\n", "calls.csv", "the file is empty", id="only-a-bom-and-blank-lines"),
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "calls.csv", "a binary file", id="binary"),
    pytest.param("a,b\n".encode("utf-16"), "calls.csv", "UTF-16", id="utf-16"),
    pytest.param("caf\u00e9,b\n".encode("latin-1"), "calls.csv", "not UTF-8 text (byte 0xe9 at offset 3)",
                 id="latin-1"),
    pytest.param(b"hello\n", "notes.txt", "unrecognised format", id="unknown-format"),
    pytest.param(b"hello\n", "notes.ics", "not an iCalendar file", id="named-ics-but-is-not"),
    pytest.param(b"hello\n", "calls.csv", "not a dialer call log", id="named-csv-but-is-not"),
    pytest.param(b"hello\n", "c.jsonl", "not JSON Lines", id="named-jsonl-but-is-not"),
])
def test_a_file_that_is_not_a_format_we_read_is_one_clear_error(data: bytes, filename: str, says: str) -> None:
    result = parse_bytes(data, filename=filename)
    assert result.conversations == []
    (error,) = result.errors
    assert error.location == "file" and says in error.message


def test_a_csv_with_a_byte_order_mark_is_read() -> None:
    result = parse_bytes(b"\xef\xbb\xbf" + CSV.encode(), filename="calls.csv")
    assert result.errors == [] and len(result.calls) == 1


@pytest.mark.parametrize(("kwargs", "says"), [
    ({"default_region": "XX"}, "unknown phone region"),
    ({"default_tz": "Mars/Olympus"}, "unknown time zone"),
    ({"now": datetime(2025, 3, 20)}, "timezone-aware"),
    ({"user_email": "jane"}, "not an email address"),
])
def test_bad_arguments_are_the_callers_mistake_and_raise(kwargs: dict[str, object], says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_text(CSV, **kwargs)  # type: ignore[arg-type]


def test_errors_beyond_a_thousand_are_counted_not_listed() -> None:
    bad_row = "sideways,+1 650-253-0000,+1 415-439-1234,1741599000,4,j@a.com\n"  # one error: the direction
    text = "direction,from,to,start,duration_s,user_email\n" + bad_row * 1_500
    result = parse_text(text)
    assert len(result.errors) == 1_001
    assert str(result.errors[-1]) == "file: 500 more errors not shown"


def test_an_error_reads_as_a_sentence() -> None:
    result = parse_text(CSV.replace("1741599000", "yesterday"))
    assert [str(e) for e in result.errors] == ["line 2, start: needs a date and a time, got 'yesterday'"]


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=400), filename=st.sampled_from([None, "x.ics", "x.csv", "x.jsonl", "x.bin"]))
def test_any_bytes_never_raise(data: bytes, filename: str | None) -> None:
    result = parse_bytes(data, filename=filename)
    assert result.conversations or result.errors or result.warnings or result.format


@settings(max_examples=100, deadline=None)
@given(prefix=st.sampled_from([ICS[:40], CSV[:60], JSONL[:30], "BEGIN:VCALENDAR\n"]),
       garbage=st.text(st.characters(blacklist_categories=["Cs"]), max_size=300))
def test_a_plausible_start_followed_by_anything_never_raises(prefix: str, garbage: str) -> None:
    parse_text(prefix + garbage, now=NOW)
