"""SQL behind the Write-back page and write-back planning: the outbox read with its conversations and mirror.

``views.writeback_status`` and ``writeback.push`` shape what these return; the outbox's own state
changes (claim, settle, retry) are ``store.writeback.outbox``'s.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # db imports the migrations, which import the store's DDL
    from sync_engine.store.db import Store


# A conversation as the page names it: its title, or for a call (no title) its direction and start.
CONVERSATION_LABEL = ("coalesce(c.title, CASE WHEN c.payload->>'direction' = 'inbound' THEN 'Inbound' "
                      "ELSE 'Outbound' END || ' call at ' || strftime(c.started_at, '%Y-%m-%d %H:%M'))")


def freshness_row(store: Store, org_id: str, backfill_priority: int, since: datetime,
                  until: datetime) -> tuple[Any, ...]:
    """(count, p50, p95) of done_at - ended_at for activities (not backfills) done in (since, until]."""
    return tuple(store.query(
        "SELECT count(*), quantile_cont(epoch(done_at) - epoch(ended_at), 0.5), "
        "quantile_cont(epoch(done_at) - epoch(ended_at), 0.95) FROM writeback_outbox WHERE org_id = ? "
        "AND state = 'done' AND action = 'insert' AND module IN ('Calls', 'Events') AND priority < ? "
        "AND done_at > ? AND done_at <= ?", [org_id, backfill_priority, since, until])[0])


def dead_letter_rows(store: Store, org_id: str) -> list[tuple[Any, ...]]:
    """(op key, conversation, label, user, module, code, message, details, attempts, when), newest first."""
    return store.query(
        "SELECT w.op_key, w.conversation_id, " + CONVERSATION_LABEL + ", c.user_email, w.module, w.error_code, "
        "w.error_message, "
        "w.error_details, w.attempts, w.updated_at FROM writeback_outbox w LEFT JOIN conversations c "
        "ON c.org_id = w.org_id AND c.conversation_id = w.conversation_id "
        "WHERE w.org_id = ? AND w.state = 'dead' ORDER BY w.updated_at DESC, w.op_key", [org_id])


def recent_write_rows(store: Store, org_id: str, limit: int) -> list[tuple[Any, ...]]:
    """(op key, conversation, label, module, action, Zoho id, done at, seconds after the end), newest first."""
    return store.query(
        "SELECT w.op_key, w.conversation_id, " + CONVERSATION_LABEL + ", w.module, w.action, w.zoho_id, w.done_at, "
        "epoch(w.done_at) - epoch(w.ended_at) FROM writeback_outbox w LEFT JOIN conversations c "
        "ON c.org_id = w.org_id AND c.conversation_id = w.conversation_id "
        "WHERE w.org_id = ? AND w.state = 'done' ORDER BY w.done_at DESC, w.op_key LIMIT ?", [org_id, int(limit)])


# -- what planning reads ----------------------------------------------------------------------------
def unmatched_conversation_ids(store: Store, org_id: str) -> list[str]:
    """Conversations imported but never matched."""
    return [r[0] for r in store.query(
        "SELECT c.conversation_id FROM conversations c LEFT JOIN conversation_matches m ON m.org_id = c.org_id "
        "AND m.conversation_id = c.conversation_id WHERE c.org_id = ? AND m.conversation_id IS NULL", [org_id])]


# Held (its user has no Zoho user): nothing of it is planned, so nothing is written, until the user is mapped.
NOT_HELD = ("NOT EXISTS (SELECT 1 FROM held_conversations h WHERE h.org_id = m.org_id "
            "AND h.conversation_id = m.conversation_id AND h.released_at IS NULL)")


def plan_candidate_rows(store: Store, org_id: str, statuses: Sequence[str], kinds: Sequence[str],
                        conversation_ids: Sequence[str] | None, limit: int) -> list[tuple[Any, ...]]:
    """Matched conversations with nothing in the outbox nor skipped yet, or exactly ``conversation_ids``, never a
    held one:
    (id, owner, contact, lead, account, deal, status, effective activity type, people JSON), latest ended
    first."""
    if conversation_ids is None:
        which, ids = ("AND NOT EXISTS (SELECT 1 FROM writeback_outbox w WHERE w.org_id = m.org_id "
                      "AND w.conversation_id = m.conversation_id) AND NOT EXISTS (SELECT 1 FROM writeback_skips s "
                      "WHERE s.org_id = m.org_id AND s.conversation_id = m.conversation_id)"), []
    else:
        which, ids = "AND m.conversation_id IN (SELECT unnest(?::VARCHAR[]))", [list(conversation_ids)]
    return store.query(
        "SELECT m.conversation_id, m.owner_id, m.contact_id, m.lead_id, m.account_id, m.deal_id, m.status, "
        "CASE WHEN o.conversation_id IS NULL THEN m.activity_type ELSE o.activity_type END, m.people "
        "FROM conversation_matches m JOIN conversations c ON c.org_id = m.org_id "
        "AND c.conversation_id = m.conversation_id "
        "LEFT JOIN activity_type_overrides o ON o.org_id = m.org_id AND o.conversation_id = m.conversation_id "
        "WHERE m.org_id = ? AND m.status IN (SELECT unnest(?::VARCHAR[])) AND c.kind IN (SELECT unnest(?::VARCHAR[])) "
        f"{which} AND {NOT_HELD} ORDER BY c.ended_at DESC LIMIT ?",
        [org_id, list(statuses), list(kinds), *ids, limit])


_NAMED = (("mirror_contacts", "full_name"), ("mirror_leads", "full_name"), ("mirror_accounts", "account_name"),
          ("mirror_deals", "deal_name"))


def names_and_owners(store: Store, org_id: str, ids: Sequence[str]) -> list[tuple[str, str | None, str | None]]:
    """(record id, name, owner id) of these contacts, leads, accounts and deals."""
    rows: list[tuple[str, str | None, str | None]] = []
    for table, column in _NAMED:
        rows.extend(store.query(
            f"SELECT record_id, {column}, owner_id FROM {table} WHERE org_id = ? AND record_id IN "
            "(SELECT unnest(?::VARCHAR[]))", [org_id, list(ids)]))
    return rows


def deal_rows(store: Store, org_id: str, ids: Sequence[str]) -> list[tuple[Any, ...]]:
    """(record id, stage, pipeline, owner id) of these deals."""
    return store.query("SELECT record_id, stage, pipeline, owner_id FROM mirror_deals WHERE org_id = ? AND record_id "
                       "IN (SELECT unnest(?::VARCHAR[]))", [org_id, list(ids)])


def stage_rows(store: Store, org_id: str) -> list[tuple[Any, ...]]:
    """(pipeline, stage, sequence number, forecast type) of every mirrored deal stage."""
    return store.query("SELECT pipeline, stage, sequence_number, forecast_type FROM mirror_deal_stages "
                       "WHERE org_id = ?", [org_id])


def users_of(store: Store, org_id: str, conversation_ids: Sequence[str]) -> list[str]:
    """The distinct users who recorded these conversations."""
    return [r[0] for r in store.query("SELECT DISTINCT user_email FROM conversations WHERE org_id = ? AND "
                                      "conversation_id IN (SELECT unnest(?::VARCHAR[]))",
                                      [org_id, list(conversation_ids)])]
