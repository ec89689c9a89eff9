"""Conversations in: import a file into an org, read stored conversations back.

Import stores every valid conversation once (by its stable id), holds those whose user has no Zoho
user yet, and reports numbered errors for the rest. Matching them is the next stage's
(``matching.run``).
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from sync_engine.connect.users import hold_unmapped
from sync_engine.intake.conversations import (
    Call,
    Conversation,
    ImportResult,
    conversation_to_json,
    parse_bytes,
    parse_text,
)
from sync_engine.records.contact_points import region_code
from sync_engine.runtime import Runtime
from sync_engine.store.conversations import ConversationStore, NewConversation
from sync_engine.store.mirror.tables import MirrorTables


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
    country = org_region(rt, org_id)
    progress(f"Reading {len(data) / 1e6:,.1f} MB", 0.0)
    result = parse_bytes(data, filename=filename, user_email=user_email, default_region=country,
                         default_tz=default_tz)
    progress(f"Storing {len(result.conversations):,} conversations", 0.3)
    return _store(rt, org_id, result)


def org_region(rt: Runtime, org_id: str) -> str:
    """Where numbers without a country code are read: the org's country as the mirror read it (UK -> GB)."""
    return region_code(MirrorTables(rt.store).org_state(org_id).country_code) or "US"


def _store(rt: Runtime, org_id: str, result: ImportResult) -> ImportSummary:
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
    return iter(parse_text(text, filename="stored.jsonl", default_region=org_region(rt, org_id)).conversations)
