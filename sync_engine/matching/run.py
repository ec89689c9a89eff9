"""Matching what is stored: the org's conversations against its mirror, with the org's rules.

Reads the mirror into memory once (cached by the mirror's fingerprint) and runs the pure matcher;
an admin's activity-type override wins over the rules. The results are saved for write-back and
the dashboard.
"""
from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import UTC, datetime

from sync_engine.intake.conversations import ImportResult, parse_text
from sync_engine.intake.imports import org_region, stored_conversations
from sync_engine.matching.activity_type_codec import deal_rules_from_json, types_from_json
from sync_engine.matching.deal_rules import DealRules
from sync_engine.matching.index import MatchIndex
from sync_engine.matching.matcher import MatchResult, MatchRules, match, match_all
from sync_engine.matching.mirror_index import load_index
from sync_engine.matching.own_lines import with_own_lines
from sync_engine.records.contact_points import normalise_phone
from sync_engine.runtime import Runtime
from sync_engine.store.conversations import ConversationStore, StoredMatch
from sync_engine.store.mirror.match_rows import mirror_fingerprint

STALE_INDEX_S = 900.0


def match_index(rt: Runtime, org_id: str, *, accept_stale: bool = False) -> MatchIndex:
    """The org's match index, rebuilt only when the mirror changed.

    Building it reads the whole mirror (seconds for 100k contacts), so the push job, which matches
    new arrivals every 30 s, may take one up to ``STALE_INDEX_S`` old (``accept_stale``): the match
    job re-matches everything against a fresh index every few minutes anyway.
    """
    cache = rt.match_indexes
    cached = cache.get(org_id)
    if accept_stale and cached is not None and time.monotonic() - cached[1] < STALE_INDEX_S:
        return cached[2]
    fingerprint = mirror_fingerprint(rt.store, org_id)
    if cached is not None and cached[0] == fingerprint:
        return cached[2]
    index = load_index(rt.store, org_id)
    cache[org_id] = (fingerprint, time.monotonic(), index)
    return index


def match_conversations(rt: Runtime, org_id: str, rules: MatchRules | None = None,
                        ids: Iterable[str] | None = None, *, accept_stale_index: bool = False) -> list[MatchResult]:
    """Match the org's stored conversations (or some of them) against its mirror and save the results."""
    store = ConversationStore(rt.store)
    rules = rules or org_match_rules(rt, org_id)
    index = with_stored_rep_lines(rt, org_id, match_index(rt, org_id, accept_stale=accept_stale_index))
    overrides = store.overrides(org_id)
    results = [match(c, index, rules, activity_override=overrides.get(c.id))
               for c in stored_conversations(rt, org_id, ids)]
    now = datetime.now(UTC)
    store.save_matches(org_id, [StoredMatch(r.conversation_id, r.status, r.contact_id, r.lead_id, r.account_id,
                                            r.deal_id, r.owner_id, r.activity_type, r.reasons, now, r.people)
                                for r in results])
    return results


def with_stored_rep_lines(rt: Runtime, org_id: str, index: MatchIndex) -> MatchIndex:
    """The index with the reps' side of every stored call among the org's own lines (read in the org's country)."""
    region = org_region(rt, org_id)
    lines: dict[str, str] = {}
    for raw, user in ConversationStore(rt.store).rep_side_numbers(org_id).items():
        phone = normalise_phone(raw, region)
        if phone is not None and phone.e164 and phone.flag is None:
            lines.setdefault(phone.e164, f"a number {user} calls from")
    return with_own_lines(index, lines)


def org_match_rules(rt: Runtime, org_id: str) -> MatchRules:
    """The org's matching settings: its deal rules (default if none set) and its activity types."""
    store = ConversationStore(rt.store)
    types, deals = store.activity_types(org_id), store.deal_rules(org_id)
    return MatchRules(deals=deal_rules_from_json(deals) if deals else DealRules(),
                      activity_types=types_from_json(types) if types else ())


def match_file(rt: Runtime, org_id: str, text: str, *, filename: str | None = None,
               rules: MatchRules | None = None) -> tuple[list[MatchResult], ImportResult]:
    """Offline: match a file's conversations against the mirror without storing them (no Zoho calls)."""
    parsed = parse_text(text, filename=filename, default_region=org_region(rt, org_id))
    rules = rules or org_match_rules(rt, org_id)
    index = with_stored_rep_lines(rt, org_id, match_index(rt, org_id))
    return match_all(parsed.conversations, index, rules), parsed
