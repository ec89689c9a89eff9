"""Specification of dialer CSV ingestion: the header, phone numbers, line-numbered errors, ids."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync_engine.intake.conversations import Call, ImportResult, PhoneNumber, parse_text

HEADER = "id,direction,from,to,start,duration_s,user_email,summary,action_items,activity_type"


def parse(text: str, **kwargs: object) -> ImportResult:
    return parse_text(text, filename="calls.csv", **kwargs)  # type: ignore[arg-type]


def calls(text: str, **kwargs: object) -> list[Call]:
    result = parse(text, **kwargs)
    assert result.errors == []
    return result.calls


def row(call_id: str = "c1", direction: str = "outbound", from_: str = "+1 650-253-0000",
        to: str = "+1 415-439-1234", start: str = "2025-03-10T09:30:00Z", duration: str = "60",
        user: str = "jane@acme.com", rest: str = ",,") -> str:
    return f"{call_id},{direction},{from_},{to},{start},{duration},{user},{rest}"


def test_a_call_log_row_becomes_a_call() -> None:
    text = (f"{HEADER}\n"
            'c1,outbound,+1 650-253-0000,(415) 439-1234,2025-03-10T09:30:00-07:00,7:45,Jane@Acme.com,'
            '"Pricing, then a demo","Send the quote; Book a demo ;",Discovery\n')
    (call,) = calls(text)
    assert call == Call(
        id="c1", direction="outbound", from_number=PhoneNumber("+1 650-253-0000", "+16502530000"),
        to_number=PhoneNumber("(415) 439-1234", "+14154391234"), start=datetime(2025, 3, 10, 16, 30, tzinfo=UTC),
        duration_s=465, user_email="jane@acme.com", source="csv", summary="Pricing, then a demo",
        action_items=("Send the quote", "Book a demo"), activity_type="Discovery")
    assert call.customer_number == call.to_number


@pytest.mark.parametrize(("raw", "region", "e164", "extension"), [
    ("+1 650-253-0000", "US", "+16502530000", None),
    ("(650) 253-0000", "US", "+16502530000", None),
    ("650.253.0000", "US", "+16502530000", None),
    ("1-650-253-0000", "US", "+16502530000", None),
    ("+1 650 253 0000 ext. 214", "US", "+16502530000", "214"),
    ("(650) 253-0000 x12", "US", "+16502530000", "12"),
    ("011 49 30 901820", "US", "+4930901820", None),  # US international prefix
    ("+44 (0)20 7946 0958", "US", "+442079460958", None),
    ("020 7946 0958", "GB", "+442079460958", None),  # national format, read with the caller's region
    ("030 901820", "DE", "+4930901820", None),
    ("0049 30 901820", "DE", "+4930901820", None),
    ("020 7946 0958", "US", None, None),  # a British national number is not a US one: kept, flagged
    ("253-0000", "US", None, None),  # no area code: possible, not valid, so never matched
    ("anonymous", "US", None, None),
])
def test_numbers_in_any_format_are_kept_as_given_with_e164_when_valid(raw: str, region: str, e164: str | None,
                                                                      extension: str | None) -> None:
    result = parse(f"{HEADER}\n{row(direction='inbound', from_=raw)}\n", default_region=region)
    (call,) = result.calls
    assert call.from_number == PhoneNumber(raw, e164, extension)
    assert [(w.location, w.field) for w in result.warnings] == ([] if e164 else [("line 2", "from")])


@pytest.mark.parametrize("raw", ["=cmd|' /C calc'!A0", "@SUM(A1)", "+1 650 <script>", "---"])
def test_a_cell_that_is_not_a_number_at_all_rejects_the_row(raw: str) -> None:
    result = parse(f"{HEADER}\n{row(to=raw)}\n")
    assert result.calls == []
    assert [(e.location, e.field) for e in result.errors] == [("line 2", "to")]


def test_bad_rows_in_the_middle_are_numbered_as_in_the_file_and_the_rest_imported() -> None:
    text = "\n".join([
        HEADER,                                                      # line 1
        row("c1"),                                                   # line 2
        row("c2", start="yesterday"),                                # line 3
        row("c3", rest='"a summary\nspanning\nthree lines",,'),      # lines 4-6
        row("c4", direction="sideways", duration="-1"),              # line 7
        "",                                                          # line 8, blank: skipped
        row("c5", user="not-an-email"),                              # line 9
        row("c6"),                                                   # line 10
    ]) + "\n"
    result = parse(text)
    assert [c.id for c in result.calls] == ["c1", "c3", "c6"]
    assert [(e.location, e.field) for e in result.errors] == [
        ("line 3", "start"), ("line 7", "direction"), ("line 7", "duration_s"), ("line 9", "user_email")]


def test_header_names_ignore_case_whitespace_and_separators_and_extra_columns() -> None:
    text = (" ID ;Direction;From;To;Start Time;START;Duration-S;User Email;Notes\n"
            "c1;Outgoing;+1 650-253-0000;+1 415-439-1234;x;2025-03-10T09:30:00Z;1:00;jane@acme.com;ignored\n")
    (call,) = calls(text)
    assert (call.id, call.direction, call.duration_s) == ("c1", "outbound", 60)


def test_tab_separated_logs_are_read_too() -> None:
    text = HEADER.replace(",", "\t") + "\n" + row().replace(",", "\t") + "\n"
    assert [c.id for c in calls(text)] == ["c1"]


def test_a_byte_order_mark_before_the_header_is_ignored() -> None:
    assert [c.id for c in calls(f"\ufeff{HEADER}\r\n{row()}\r\n")] == ["c1"]


def test_a_header_without_the_required_columns_is_one_error_and_nothing_imported() -> None:
    result = parse("id,number,when\nc1,+1 650-253-0000,2025-03-10T09:30:00Z\n")
    assert result.conversations == []
    (error,) = result.errors
    assert error.location == "file" and "direction, from, to, start, duration_s, user_email" in error.message


def test_user_email_column_may_be_left_out_when_the_importing_user_is_given() -> None:
    text = "direction,from,to,start,duration_s\noutbound,+1 650-253-0000,+1 415-439-1234,1741599000,60\n"
    (call,) = calls(text, user_email="Jane@Acme.com")
    assert call.user_email == "jane@acme.com"
    assert parse(text).errors[0].location == "file"


def test_the_rows_own_user_email_wins_over_the_importing_user() -> None:
    text = f"{HEADER}\n{row(user='sam@acme.com')}\n{row('c2', user='')}\n"
    assert [c.user_email for c in calls(text, user_email="jane@acme.com")] == ["sam@acme.com", "jane@acme.com"]


@pytest.mark.parametrize(("direction", "from_", "to", "missing"), [
    ("outbound", "+1 650-253-0000", "", "to"),
    ("inbound", "", "+1 650-253-0000", "from"),
])
def test_the_customers_number_is_required_our_own_line_is_not(direction: str, from_: str, to: str,
                                                               missing: str) -> None:
    result = parse(f"{HEADER}\n{row(direction=direction, from_=from_, to=to)}\n"
                   f"{row('c2', direction=direction, from_=to, to=from_)}\n")
    assert [c.id for c in result.calls] == ["c2"]
    assert [(e.location, e.field) for e in result.errors] == [("line 2", missing)]


def test_action_items_may_be_separated_by_semicolons_or_a_json_list() -> None:
    json_cell = '"[""x; y"", ""z""]"'
    text = "\n".join([HEADER, row("c1", rest="s,a; b ;;c,"), row("c2", rest=f"s,{json_cell},"),
                      row("c3", rest="s,[not json,")]) + "\n"
    result = parse(text)
    assert [c.action_items for c in result.calls] == [("a", "b", "c"), ("x; y", "z")]
    assert [(e.location, e.field) for e in result.errors] == [("line 4", "action_items")]


def test_an_outcome_column_gives_the_calls_explicit_outcome_and_a_blank_cell_none() -> None:
    text = "\n".join([f"{HEADER},Outcome", row("c1", rest="s,,, Demo  booked "), row("c2", rest="s,,,")]) + "\n"
    assert [c.outcome for c in calls(text)] == ["Demo booked", None]


def test_a_log_without_an_outcome_column_has_no_outcomes() -> None:
    assert [c.outcome for c in calls(f"{HEADER}\n{row()}\n")] == [None]


def test_an_outcome_over_100_characters_rejects_the_row() -> None:
    text = "\n".join([f"{HEADER},outcome", row("c1", rest=",,," + "w" * 101), row("c2", rest=",,," + "w" * 100)])
    result = parse(text + "\n")
    assert [c.id for c in result.calls] == ["c2"]
    assert [(e.location, e.field) for e in result.errors] == [("line 2", "outcome")]


def test_a_row_with_more_values_than_the_header_is_rejected() -> None:
    result = parse(f"{HEADER}\n{row(rest='a summary, with a comma,,')}\n")
    assert result.calls == [] and result.errors[0].location == "line 2"


def test_rows_without_an_id_get_one_derived_from_the_call_and_stable_across_imports() -> None:
    text = f"{HEADER}\n{row('')}\n{row('', start='2025-03-10T09:31:00Z')}\n"
    first, second = calls(text), calls(text)
    assert [c.id for c in first] == [c.id for c in second]
    assert len({c.id for c in first}) == 2 and all(c.id.startswith("call-") for c in first)


def test_a_derived_id_does_not_depend_on_how_the_number_was_written() -> None:
    a = calls(f"{HEADER}\n{row('', to='(415) 439-1234')}\n")
    b = calls(f"{HEADER}\n{row('', to='+1 415 439 1234')}\n")
    assert a[0].id == b[0].id


def test_a_repeated_id_is_an_error_on_the_later_row() -> None:
    result = parse(f"{HEADER}\n{row('c1')}\n{row('c1', duration='90')}\n")
    assert [c.duration_s for c in result.calls] == [60]
    assert [(e.location, e.field) for e in result.errors] == [("line 3", "id")]
    assert "line 2 has it already" in result.errors[0].message


def test_hostile_cells_are_bounded_cleaned_or_kept_as_text() -> None:
    huge = "x" * 200_000
    formula = '"=HYPERLINK(""http://evil"")"'
    text = "\n".join([HEADER, row("c1", rest=f"{formula},,"), row("c2", rest="ring\x07ring\x1b[31m,,"),
                      row("c3", rest=huge + ",,"), row("c4")]) + "\n"
    result = parse(text)
    assert [(c.id, c.summary) for c in result.calls] == [
        ("c1", '=HYPERLINK("http://evil")'), ("c2", "ringring[31m"), ("c4", None)]
    assert [e.location for e in result.errors] == ["line 4"]


GOOD_ROWS = [row(f"c{n}", start=f"2025-03-1{n}T09:00:00Z") for n in range(5)]
CLEAN = parse(HEADER + "\n" + "\n".join(GOOD_ROWS) + "\n")


@settings(max_examples=80, deadline=None)
@given(garbage=st.lists(st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters='"\r\n'),
                                max_size=120), min_size=1, max_size=5),
       seed=st.randoms(use_true_random=False))
def test_garbage_lines_never_crash_and_never_change_the_good_rows(garbage: list[str], seed: object) -> None:
    lines = list(GOOD_ROWS)
    for line in garbage:
        lines.insert(seed.randint(0, len(lines)), line)  # type: ignore[attr-defined]
    result = parse(HEADER + "\n" + "\n".join(lines) + "\n")
    assert [c for c in result.calls if c.id.startswith("c")] == CLEAN.calls
    assert len({e.location for e in result.errors}) <= len(garbage)  # at most one rejected row per garbage line


@settings(max_examples=80, deadline=None)
@given(garbage=st.text(st.characters(blacklist_categories=["Cs"]), max_size=300))
def test_any_text_after_the_header_yields_only_whole_valid_calls(garbage: str) -> None:
    result = parse(HEADER + "\n" + GOOD_ROWS[0] + "\n" + garbage)
    for call in result.calls:
        assert call.start.tzinfo is not None and call.duration_s >= 0 and call.user_email
        assert call.customer_number is not None
