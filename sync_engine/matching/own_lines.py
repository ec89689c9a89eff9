"""The company's own lines: numbers on which a call is between colleagues, never with a customer.

A Zoho user's Phone and Mobile and the org's own number come from the mirror (``store.match_rows``).
The reps' side of calls is a third source no CRM field holds: the number a rep calls from (outbound)
or is called on (inbound) is the company's, whatever a careless lead or contact says. Those are taken
from the calls being matched and from every call the org has stored, so a colleague calling a
colleague is ``internal`` however the file is split.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from sync_engine.intake.formats.model import Call, Meeting
from sync_engine.matching.index import MatchIndex


def rep_side_numbers(conversations: Iterable[Meeting | Call]) -> dict[str, str]:
    """E.164 -> what it is, for the reps' side of calls (the caller of an outbound call, the called of an inbound)."""
    lines: dict[str, str] = {}
    for c in conversations:
        if isinstance(c, Call):
            ours = c.from_number if c.direction == "outbound" else c.to_number
            if ours is not None and ours.e164:
                lines.setdefault(ours.e164, f"a number {c.user_email} calls from")
    return lines


def with_own_lines(index: MatchIndex, lines: Mapping[str, str]) -> MatchIndex:
    """The index with more of the company's own lines (E.164 -> what it is); the index's own labels win."""
    found = {n: why for n, why in lines.items() if n not in index.own_numbers}
    return replace(index, own_numbers={**index.own_numbers, **found}) if found else index
