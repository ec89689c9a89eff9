"""Escaping values for Search criteria and COQL (zoho-api.md §4), and reading LIMIT/FROM out of COQL."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync_engine.zoho.queries import coql_limit, coql_module, coql_quote, criterion, escape_criteria_value


@pytest.mark.parametrize("raw, escaped", [
    ("Burns,B", r"Burns\,B"), ("(x)", r"\(x\)"), ("trailing\\", "trailing\\\\"), ("a\\b", "a\\b"),
    ("a\\(", "a\\\\\\("), ("plain", "plain"), ("O'Brien", "O'Brien"), ("\\\\", "\\\\\\\\")])
def test_escaping_table(raw, escaped):
    assert escape_criteria_value(raw) == escaped


def read_value(escaped: str) -> tuple[list[str], bool]:
    """How a criteria reader takes a value apart: ``\\`` + special is literal, bare ``,`` splits,
    bare ``(``/``)`` is a syntax error (reported as False)."""
    parts, current, i = [], [], 0
    while i < len(escaped):
        ch = escaped[i]
        if ch == "\\" and i + 1 < len(escaped) and escaped[i + 1] in "\\(),":
            current.append(escaped[i + 1])
            i += 2
            continue
        if ch in "()":
            return [], False
        if ch == ",":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    return [*parts, "".join(current)], True


@given(st.text(alphabet=st.sampled_from(list("ab\\(),' ")), max_size=20))
def test_escaped_values_read_back_as_one_identical_value(value):
    assert read_value(escape_criteria_value(value)) == ([value], True)


def test_criterion_builds_one_condition():
    assert criterion("Last_Name", "equals", "Ruiz (Ana), Jr") == r"(Last_Name:equals:Ruiz \(Ana\)\, Jr)"
    assert criterion("Email", "in", "a,b@x.org", "c@x.org") == r"(Email:in:a\,b@x.org,c@x.org)"
    with pytest.raises(ValueError):
        criterion("Last_Name)or(Email", "equals", "x")


def test_coql_quote_doubles_single_quotes():
    assert coql_quote("O'Brien") == "'O''Brien'"
    assert coql_quote("'; drop") == "'''; drop'"
    with pytest.raises(TypeError):
        coql_quote(5)  # type: ignore[arg-type]


@pytest.mark.parametrize("query, limit", [
    ("select id from Contacts where id is not null", 200),
    ("select id from Contacts where id is not null limit 500", 500),
    ("SELECT id FROM Deals WHERE id is not null LIMIT 1500 OFFSET 2000", 1500),
    ("select id from Deals where id is not null limit 2000, 300", 300),
    ("select id from Contacts where Last_Name = 'limit 5' limit 40", 40),
    ("select id from Contacts where Last_Name = 'x limit 900'", 200)])
def test_coql_limit(query, limit):
    assert coql_limit(query) == limit


def test_coql_module():
    assert coql_module("select Last_Name from Contacts where Last_Name = 'from Deals'") == "Contacts"
    assert coql_module("select From_Date from Events where id is not null") == "Events"
