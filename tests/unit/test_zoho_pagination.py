"""Pagination: ``page`` for the first 2,000 rows, ``page_token`` after, stop on 204/304 or the search cap."""
from __future__ import annotations

from typing import Any

import pytest

from sync_engine.zoho.errors import ZohoError
from sync_engine.zoho.pagination import next_position, walk_pages


def test_page_numbers_until_2000_rows_then_the_token():
    more = {"more_records": True, "next_page_token": "tok"}
    assert next_position(1, 200, more, tokens=True) == {"page": 2}
    assert next_position(9, 200, more, tokens=True) == {"page": 10}
    assert next_position(10, 200, more, tokens=True) == {"page_token": "tok"}
    assert next_position(19, 100, more, tokens=True) == {"page": 20}
    assert next_position(20, 100, more, tokens=True) == {"page_token": "tok"}
    assert next_position(10, 200, more, tokens=False) == {"page": 11}
    assert next_position(3, 200, {"more_records": False, "next_page_token": "tok"}, tokens=True) is None


def test_more_records_without_a_token_past_2000_is_an_error_not_a_silent_stop():
    with pytest.raises(ZohoError, match="no page token"):
        next_position(10, 200, {"more_records": True}, tokens=True)


def test_search_stops_at_its_cap():
    assert next_position(9, 200, {"more_records": True}, tokens=False, cap=2000) == {"page": 10}
    assert next_position(10, 200, {"more_records": True}, tokens=False, cap=2000) is None


class FakeModule:
    """Serves ``total`` rows the way Zoho's Get Records does, refusing page>10 with 200 per page."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.asked: list[dict[str, Any]] = []

    def fetch(self, position: dict[str, Any]) -> dict[str, Any] | None:
        self.asked.append(position)
        if "page_token" in position:
            offset = int(position["page_token"])
        else:
            offset = (position["page"] - 1) * 200
            assert offset + 200 <= 2000, "DISCRETE_PAGINATION_LIMIT_EXCEEDED"
        rows = [{"id": str(i)} for i in range(offset, min(offset + 200, self.total))]
        if not rows:
            return None
        more = offset + 200 < self.total
        return {"data": rows, "info": {"more_records": more, "next_page_token": str(offset + 200) if more else None}}


def test_walk_reads_every_row_once():
    module = FakeModule(2_345)
    rows = list(walk_pages(module.fetch, per_page=200, tokens=True))
    assert [r["id"] for r in rows] == [str(i) for i in range(2_345)]
    assert module.asked[:10] == [{"page": n} for n in range(1, 11)]
    assert module.asked[10:] == [{"page_token": "2000"}, {"page_token": "2200"}]


def test_an_empty_first_page_ends_the_walk():
    assert list(walk_pages(lambda _: None, per_page=200)) == []
