"""Conversations in, matches out: import a file into an org, match what is stored against the mirror.

Import stores every valid conversation once (by its stable id), holds those whose user has no Zoho
user yet, and reports numbered errors for the rest. Matching reads the mirror into memory once and
runs the pure matcher; an admin's activity-type override wins over the rules.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .activity_type_codec import deal_rules_from_json, types_from_json
from .contact_points import normalise_phone, region_code
from .conversations import Call, Conversation, ImportResult, conversation_to_json, parse_bytes, parse_text
from .deal_rules import DealRules
from .match_index import MatchIndex
from .matching import MatchResult, MatchRules, match, match_all
from .own_lines import with_own_lines
from .runtime import Runtime
from .store.conversations import ConversationStore, NewConversation, StoredMatch
from .store.match_rows import load_index, mirror_fingerprint
from .store.mirror_tables import MirrorTables

STALE_INDEX_S = 900.0


@dataclass(frozen=True)
class ImportSummary:
    format: str | None
    valid: int
    added: int  # new conversations stored
    already_known: int  # the same conversation imported before: nothing added
    held: int  # added, but their user has no Zoho user yet
    errors: list[str] = field(default_factory=list)  # at most MAX_REPORTED shown, then a line saying how many more
    warnings: list[str] = field(default_factory=list)
    rejected: int = 0  # records refused, all of them (``errors`` lists the first ones)
    added_ids: tuple[str, ...] = field(default=(), repr=False)

    def describe(self, name: str) -> str:
        """One line an admin reads: what was stored, what waits, what was refused -- each counted exactly."""
        if self.format is None or (not self.valid and self.rejected == 0 and self.errors):
            return f"{name}: nothing imported: {self.errors[0] if self.errors else 'not a file we can read'}"
        parts = [f"{self.valid:,} valid", f"{self.added:,} new", f"{self.already_known:,} already imported"]
        if self.held:
            parts.append(f"{self.held:,} held: their user has no Zoho user, so nothing is written to Zoho until "
                         "they are mapped (Connection page)")
        parts.append(f"{self.rejected:,} rejected")
        return f"{name}: " + ", ".join(parts) + "."

    @property
    def outcome(self) -> str:
        """``success`` only when every record was stored and nothing waits; else ``warning`` or ``error``."""
        if not self.valid:
            return "error" if self.errors else "warning"
        return "warning" if self.rejected or self.held or self.errors else "success"


ImportProgress = Callable[[str, float], None]  # (what is happening, fraction done 0..1)


def _row(conversation: Conversation) -> NewConversation:
    payload = conversation_to_json(conversation)
    kind = "call" if isinstance(conversation, Call) else "meeting"
    title = None if isinstance(conversation, Call) else conversation.title
    return NewConversation(conversation.id, kind, conversation.user_email, title, conversation.start,
                           conversation.end, conversation.source, payload)


def import_bytes(rt: Runtime, org_id: str, data: bytes, *, filename: str | None = None,
                 user_email: str | None = None, default_tz: str = "UTC",
                 on_progress: ImportProgress | None = None) -> ImportSummary:
    """Validate and store a calendar, dialer log or JSON Lines file for the org."""
    progress = on_progress or (lambda _what, _done: None)
    rt.orgs.get(org_id)  # an unknown org is an error before anything is read
    country = _org_region(rt, org_id)
    progress(f"Reading {len(data) / 1e6:,.1f} MB", 0.0)
    result = parse_bytes(data, filename=filename, user_email=user_email, default_region=country,
                         default_tz=default_tz)
    progress(f"Storing {len(result.conversations):,} conversations", 0.3)
    return _store(rt, org_id, result)


def _org_region(rt: Runtime, org_id: str) -> str:
    """Where numbers without a country code are read: the org's country as the mirror read it (UK -> GB)."""
    return region_code(MirrorTables(rt.store).org_state(org_id).country_code) or "US"


def _store(rt: Runtime, org_id: str, result: ImportResult) -> ImportSummary:
    from .service import hold_unmapped

    valid = result.conversations
    added = set(ConversationStore(rt.store).add(org_id, [_row(c) for c in valid]))
    fresh = [c for c in valid if c.id in added]
    held = hold_unmapped(rt, org_id, [(c.id, c.user_email, conversation_to_json(c)) for c in fresh])
    return ImportSummary(result.format, len(valid), len(added), len(valid) - len(added), held,
                         [str(e) for e in result.errors], [str(w) for w in result.warnings],
                         result.rejected, tuple(c.id for c in fresh))


def stored_conversations(rt: Runtime, org_id: str, ids: Iterable[str] | None = None) -> Iterator[Conversation]:
    """Read stored conversations back through the JSON Lines parser (the same validation as on import)."""
    stored = ConversationStore(rt.store).get(org_id, ids)
    if not stored:
        return iter(())
    text = "\n".join(json.dumps(s.payload, ensure_ascii=False) for s in stored)
    return iter(parse_text(text, filename="stored.jsonl", default_region=_org_region(rt, org_id)).conversations)


def match_index(rt: Runtime, org_id: str, *, accept_stale: bool = False) -> MatchIndex:
    """The org's match index, rebuilt only when the mirror changed.

    Building it reads the whole mirror (seconds for 100k contacts), so the push job, which matches
    new arrivals every 30 s, may take one up to ``STALE_INDEX_S`` old (``accept_stale``): the match
    job re-matches everything against a fresh index every few minutes anyway.
    """
    cache: dict[str, tuple[tuple, float, MatchIndex]] = rt.extras.setdefault("match_indexes", {})
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
    region = _org_region(rt, org_id)
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
    parsed = parse_text(text, filename=filename, default_region=_org_region(rt, org_id))
    rules = rules or org_match_rules(rt, org_id)
    index = with_stored_rep_lines(rt, org_id, match_index(rt, org_id))
    return match_all(parsed.conversations, index, rules), parsed


def result_json(result: MatchResult) -> dict:
    return result.to_json()
