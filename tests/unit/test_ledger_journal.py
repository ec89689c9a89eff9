"""The credit ledger's journal lines: every field round-trips, a line cut short by a kill is skipped."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sync_engine.store.credits.journal import decode, encode, replay
from sync_engine.zoho.calls import ApiCall

CALL = ApiCall("acme", datetime(2026, 3, 2, 9, 30, 1, 250000, tzinfo=UTC), "POST", "records.insert", "/crm/v8/Calls",
               "Calls", 0, None, 2, 0.0, "push", "rep@acme.example", call_id="c-1", settled=False, answered=False)


def test_a_line_round_trips_every_field():
    assert decode(encode(CALL)) == CALL


def test_a_line_cut_short_is_skipped():
    assert decode(encode(CALL)[:-12]) is None


def test_an_answer_wins_over_its_notice_and_a_lone_notice_is_unanswered_at_its_price(tmp_path: Path):
    other = ApiCall(**{**vars(CALL), "call_id": "c-2"})
    answer = ApiCall(**{**vars(CALL), "http_status": 201, "settled": True, "answered": True})
    first, second = tmp_path / "p.000000000.jsonl", tmp_path / "p.000000001.jsonl"
    first.write_bytes(encode(CALL) + encode(other))
    second.write_bytes(encode(other) + encode(answer) + encode(CALL)[:10])  # a kill mid-line
    found = replay([first, second])
    assert found.answered == [answer]
    assert [(c.call_id, c.settled, c.answered, c.credits) for c in found.unanswered] == [("c-2", True, False, 2)]
