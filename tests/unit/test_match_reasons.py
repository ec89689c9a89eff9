"""Reason categories: the matcher's sentences grouped the same way in Python and in DuckDB."""
from __future__ import annotations

import json

import duckdb
import pytest

from sync_engine.matching.reasons import CATEGORY_NAMES, OTHER, reason_category, reason_category_sql

CASES = [
    ("matched", ["attendee ana@acme.com is contact Ana (email)", "recording user r@x.com is Zoho user Rita"],
     "contact or lead by email"),
    ("matched", ["called number +4930123 is contact Ana (phone, extension 12)"], "contact or lead by phone"),
    ("partial", ["account Acme by the domain acme.com of unknown attendee x@acme.com (the account's website)"],
     "account by the attendees' domain"),
    ("partial", ["attendee a@b.com is shared by 2 contacts (A, B), all of account Acme: linked to the account"],
     "shared email or phone, all of one account"),
    ("ambiguous", ["shared.com is the domain of 2 accounts (North, South): no account from 1 unknown attendee"],
     "several accounts share the domain"),
    ("unmatched", ["new.io is not the domain of any account: no account from 1 unknown attendee",
                   "1 attendee on personal-mail domains not in Zoho (x@gmail.com): a personal domain never links"],
     "company domain not in Zoho"),
    ("unmatched", ["called number +1646555 is not on any contact, lead or account"], "phone number not in Zoho"),
    ("unmatched", ["the called number 'n/a' is not a phone number that can be matched"],
     "phone number missing or invalid"),
    ("internal", ["all 3 participants are from the org: an internal meeting, not logged"],
     "internal: only the org's people"),
    ("held", [], "held: the user has no Zoho user"),
    ("unmatched", ["something the matcher never said before"], OTHER),
]


@pytest.mark.parametrize(("status", "reasons", "expected"), CASES)
def test_a_conversation_falls_in_the_first_category_its_status_and_reasons_fit(status: str, reasons: list[str],
                                                                                expected: str) -> None:
    assert reason_category(status, reasons) == expected
    assert expected in CATEGORY_NAMES


def test_the_sql_expression_agrees_with_the_python_rule_on_the_stored_json() -> None:
    rows = [(status, json.dumps(reasons)) for status, reasons, _ in CASES]
    con = duckdb.connect()
    con.execute("CREATE TABLE m (status VARCHAR, reasons VARCHAR)")
    con.executemany("INSERT INTO m VALUES (?, ?)", rows)
    got = [r[0] for r in con.execute(f"SELECT {reason_category_sql('status', 'reasons')} FROM m").fetchall()]
    assert got == [expected for _, _, expected in CASES]
