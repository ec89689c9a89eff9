"""SQL over stored conversations for the dashboard: one row per conversation with its effective status.

The Conversations and Match rates pages read up to millions of conversations, so they filter,
count and page inside DuckDB and fetch only what they show. This module holds the pieces both use:
the joins that give a conversation its status (held wins, then the match, else "not matched yet")
and its activity type (an admin's override wins), its write-back state from the outbox, and the
WHERE clause for the filters a page offers. Every query is scoped by ``$org``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sync_engine.store.db import Store

STATUS = "CASE WHEN h.conversation_id IS NOT NULL THEN 'held' ELSE coalesce(m.status, 'not matched yet') END"
ACTIVITY_TYPE = "CASE WHEN o.conversation_id IS NULL THEN m.activity_type ELSE o.activity_type END"
REASONS_TEXT = "coalesce(CAST(m.reasons AS VARCHAR), '')"
# Each table is narrowed to the org before joining on the conversation id alone: a one-column key
# joins markedly faster than (org_id, conversation_id) at a million rows. A query joins only what its
# columns and filters need (see ``scoped``).
CONVERSATIONS = "(SELECT * FROM conversations WHERE org_id = $org) c"
MATCHES = """
    LEFT JOIN (SELECT * FROM conversation_matches WHERE org_id = $org) m ON m.conversation_id = c.conversation_id"""
OVERRIDES = """
    LEFT JOIN (SELECT conversation_id, activity_type FROM activity_type_overrides WHERE org_id = $org) o
           ON o.conversation_id = c.conversation_id"""
HELD = """
    LEFT JOIN (SELECT conversation_id FROM held_conversations WHERE org_id = $org AND released_at IS NULL) h
           ON h.conversation_id = c.conversation_id"""
FROM = CONVERSATIONS + MATCHES + OVERRIDES + HELD

# What was written to Zoho for a conversation, from its outbox rows (none: not planned yet).
NOT_PLANNED, PENDING, IN_FLIGHT, WRITTEN, FAILED = "not planned", "pending", "in flight", "written", "failed"
WRITTEN_STATES = (NOT_PLANNED, PENDING, IN_FLIGHT, WRITTEN, FAILED)
# Over one conversation's outbox rows: any failure shows, then anything still on its way.
WRITTEN_STATE = f"""CASE WHEN bool_or(state = 'dead') THEN '{FAILED}'
    WHEN bool_or(state = 'in_flight') THEN '{IN_FLIGHT}' WHEN bool_or(state = 'pending') THEN '{PENDING}'
    ELSE '{WRITTEN}' END"""
_WRITTEN_JOIN = f"""
    LEFT JOIN (SELECT conversation_id, {WRITTEN_STATE} AS written FROM writeback_outbox WHERE org_id = $org
               GROUP BY conversation_id) w ON w.conversation_id = c.conversation_id"""
NO_ACTIVITY_TYPE = "(none)"


@dataclass(frozen=True)
class ConversationFilter:
    """What a page narrows the conversations to; empty tuples and None mean "any"."""

    statuses: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    since: datetime | None = None  # started_at >= since
    until: datetime | None = None  # started_at < until
    activity_types: tuple[str, ...] = ()  # NO_ACTIVITY_TYPE stands for "none assigned"
    written: tuple[str, ...] = ()  # of WRITTEN_STATES
    search: str = ""  # title, user, id, or a linked record's or owner's name (case-insensitive)

    def __post_init__(self) -> None:
        unknown = set(self.written) - set(WRITTEN_STATES)
        if unknown:
            raise ValueError(f"unknown write-back state(s) {sorted(unknown)}; known: {', '.join(WRITTEN_STATES)}")


# Conversations linked to a record or owner whose name contains the needle: the names are found first
# (a few thousand at most, Zoho ids are unique across modules), then the matches pointing at them.
_NAMED_HITS = """
    WITH named AS (
        SELECT record_id AS id FROM mirror_contacts WHERE org_id = $org AND contains(lower(full_name), $needle)
        UNION ALL SELECT record_id FROM mirror_leads WHERE org_id = $org AND contains(lower(full_name), $needle)
        UNION ALL SELECT record_id FROM mirror_accounts WHERE org_id = $org AND contains(lower(account_name), $needle)
        UNION ALL SELECT record_id FROM mirror_deals WHERE org_id = $org AND contains(lower(deal_name), $needle)
        UNION ALL SELECT zoho_user_id FROM zoho_users WHERE org_id = $org AND contains(lower(full_name), $needle))
    SELECT conversation_id FROM conversation_matches WHERE org_id = $org AND (contact_id IN (SELECT id FROM named)
        OR lead_id IN (SELECT id FROM named) OR account_id IN (SELECT id FROM named)
        OR deal_id IN (SELECT id FROM named) OR owner_id IN (SELECT id FROM named))"""


def scoped(org_id: str, f: ConversationFilter, *, status: bool = False) -> tuple[str, dict[str, Any]]:
    """``FROM … WHERE …`` over the org's conversations narrowed by ``f``, with its parameters.

    Only the joins the filters need are made (``status=True`` when the query selects ``STATUS``): the
    newest page of an unfiltered list then costs a top-N over one table, not a join of millions.
    """
    clauses = ["true"]
    params: dict[str, Any] = {"org": org_id}
    needle = f.search.strip().lower()
    joins = {"m": status or bool(f.statuses or f.activity_types), "o": bool(f.activity_types),
             "h": status or bool(f.statuses)}
    source = CONVERSATIONS + "".join(sql for key, sql in (("m", MATCHES), ("o", OVERRIDES), ("h", HELD))
                                     if joins[key])
    if f.written:
        source += _WRITTEN_JOIN
        clauses.append(f"coalesce(w.written, '{NOT_PLANNED}') IN (SELECT unnest($written::VARCHAR[]))")
        params["written"] = list(f.written)
    for name, expression, values in (("statuses", STATUS, f.statuses), ("kinds", "c.kind", f.kinds),
                                     ("users", "c.user_email", f.users)):
        if values:
            clauses.append(f"{expression} IN (SELECT unnest(${name}::VARCHAR[]))")
            params[name] = list(values)
    if f.activity_types:
        clauses.append(f"coalesce({ACTIVITY_TYPE}, '{NO_ACTIVITY_TYPE}') IN (SELECT unnest($types::VARCHAR[]))")
        params["types"] = list(f.activity_types)
    if f.since is not None:
        clauses.append("c.started_at >= $since")
        params["since"] = f.since
    if f.until is not None:
        clauses.append("c.started_at < $until")
        params["until"] = f.until
    if needle:
        clauses.append(f"""(contains(lower(coalesce(c.title, '')), $needle) OR contains(lower(c.user_email), $needle)
            OR contains(lower(c.conversation_id), $needle) OR c.conversation_id IN ({_NAMED_HITS}))""")
        params["needle"] = needle
    return f"FROM {source} WHERE {' AND '.join(clauses)}", params


# -- the activity browser (views.activity) ---------------------------------------------------------
# The rows on screen, by id: every table is read for those conversations only.
_DETAILS = f"""
WITH ids AS (SELECT unnest($ids::VARCHAR[]) AS conversation_id),
page AS (
    SELECT c.conversation_id, c.started_at, c.kind, c.title, c.user_email, {STATUS} AS status, m.contact_id,
           m.lead_id, m.account_id, m.deal_id, m.owner_id, {ACTIVITY_TYPE} AS activity_type, m.reasons
    FROM (SELECT * FROM conversations WHERE org_id = $org AND conversation_id IN (SELECT conversation_id FROM ids)) c
    LEFT JOIN (SELECT * FROM conversation_matches WHERE org_id = $org
                 AND conversation_id IN (SELECT conversation_id FROM ids)) m ON m.conversation_id = c.conversation_id
    {OVERRIDES} {HELD}),
writes AS (
    SELECT conversation_id,
           any_value(module) FILTER (WHERE op_key = conversation_id || '/activity') AS activity_module,
           any_value(zoho_id) FILTER (WHERE op_key = conversation_id || '/activity') AS activity_id,
           any_value(state) FILTER (WHERE op_key = conversation_id || '/activity') AS activity_state,
           count(*) FILTER (WHERE module = 'Tasks') AS tasks,
           count(*) FILTER (WHERE module = 'Tasks' AND state = 'done') AS tasks_done,
           any_value(state) FILTER (WHERE op_key = conversation_id || '/stage') AS stage_state,
           {WRITTEN_STATE} AS written,
           min(coalesce(error_code, 'error') || ': ' || coalesce(error_message, '')) FILTER (WHERE state = 'dead')
               AS error
    FROM writeback_outbox
    WHERE org_id = $org AND conversation_id IN (SELECT conversation_id FROM ids)
    GROUP BY conversation_id)
SELECT p.started_at, p.kind, coalesce(p.title, ''), p.user_email, p.status,
       p.contact_id, mc.full_name, p.lead_id, ml.full_name, p.account_id, ma.account_name, p.deal_id, md.deal_name,
       p.owner_id, zu.full_name, p.activity_type, coalesce(w.written, '{NOT_PLANNED}'), w.activity_module,
       w.activity_id, w.activity_state, coalesce(w.tasks, 0), coalesce(w.tasks_done, 0), w.stage_state, w.error,
       coalesce(array_to_string(CAST(p.reasons AS VARCHAR[]), '; '), ''), p.conversation_id
FROM page p
LEFT JOIN writes w ON w.conversation_id = p.conversation_id
LEFT JOIN mirror_contacts mc ON mc.org_id = $org AND mc.record_id = p.contact_id
LEFT JOIN mirror_leads ml ON ml.org_id = $org AND ml.record_id = p.lead_id
LEFT JOIN mirror_accounts ma ON ma.org_id = $org AND ma.record_id = p.account_id
LEFT JOIN mirror_deals md ON md.org_id = $org AND md.record_id = p.deal_id
LEFT JOIN zoho_users zu ON zu.org_id = $org AND zu.zoho_user_id = p.owner_id
ORDER BY p.started_at DESC, p.conversation_id
"""



def activity_rows(store: Store, org_id: str, filters: ConversationFilter, offset: int,
                  limit: int) -> list[tuple[Any, ...]]:
    """Two steps: the page's ids (a narrow top-N over what the filters need), then their details."""
    clause, params = scoped(org_id, filters)
    ids = [r[0] for r in store.query(
        f"SELECT c.conversation_id {clause} ORDER BY c.started_at DESC, c.conversation_id LIMIT $limit OFFSET $offset",
        {**params, "limit": int(limit), "offset": int(offset)})]
    if not ids:
        return []
    return store.query(_DETAILS, {"org": org_id, "ids": ids})


def status_counts(store: Store, org_id: str, filters: ConversationFilter) -> dict[str, int]:
    """Conversations per status in the filtered set (statuses with none left out)."""
    clause, params = scoped(org_id, filters, status=True)
    rows = store.query(f"SELECT {STATUS}, count(*) {clause} GROUP BY ALL", params)
    return {status: int(n) for status, n in rows}


def filter_values(store: Store, org_id: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Who recorded the org's conversations, and which activity types they have (overrides included)."""
    users = store.query("SELECT DISTINCT user_email FROM conversations WHERE org_id = ? ORDER BY 1", [org_id])
    types = store.query(
        "SELECT DISTINCT activity_type FROM conversation_matches WHERE org_id = $org AND activity_type IS NOT NULL "
        "UNION SELECT activity_type FROM activity_type_overrides WHERE org_id = $org AND activity_type IS NOT NULL "
        "ORDER BY 1", {"org": org_id})
    return tuple(u for (u,) in users), tuple(t for (t,) in types)
