"""The activity browser: conversations with their links, activity type and what was written to Zoho.

An org can hold a million conversations, so nothing here loads them all: the filtered set is
counted per status in one query, and only the page on screen (newest first) is fetched, with the
linked records' names and the write-back outbox joined for those rows alone. The CSV export runs
the same query without paging, capped at ``EXPORT_LIMIT`` rows (newest first), so one click cannot
pin the server; the page says when the cap cut the file short. It is written by ``csv_export`` (formulas
in user text neutralised), like every CSV we hand out.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from .csv_export import frame_csv
from .runtime import Runtime
from .store.conversation_views import (
    ACTIVITY_TYPE,
    HELD,
    NO_ACTIVITY_TYPE,
    NOT_PLANNED,
    OVERRIDES,
    STATUS,
    WRITTEN_STATE,
    ConversationFilter,
    scoped,
)

PAGE_SIZE = 100
EXPORT_LIMIT = 100_000
COLUMNS = ("when", "kind", "title", "user", "status", "contact", "lead", "account", "deal", "owner", "activity type",
           "written to Zoho", "Zoho activity", "tasks", "deal stage update", "write-back error", "why", "id")

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


@dataclass(frozen=True)
class ActivityPage:
    rows: pd.DataFrame  # COLUMNS, newest first
    total: int  # conversations in the filtered set
    by_status: dict[str, int]  # of the filtered set
    offset: int
    limit: int


def _named(record_id: str | None, name: str | None) -> str | None:
    return f"{name or '?'} ({record_id})" if record_id else None


def _activity(module: str | None, zoho_id: str | None, state: str | None) -> str | None:
    if module is None:
        return None
    return f"{module} {zoho_id}" if zoho_id else f"{module}: {state}"


def _tasks(planned: int, done: int) -> str | None:
    if not planned:
        return None
    return f"{done} of {planned} created" if done < planned else f"{planned} created"


def _frame(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    out = []
    for (when, kind, title, user, status, contact_id, contact, lead_id, lead, account_id, account, deal_id, deal,
         owner_id, owner, activity_type, written, module, zoho_id, activity_state, tasks, tasks_done, stage_state,
         error, why, conversation_id) in rows:
        out.append((when, kind, title, user, status, _named(contact_id, contact), _named(lead_id, lead),
                    _named(account_id, account), _named(deal_id, deal), _named(owner_id, owner), activity_type,
                    written, _activity(module, zoho_id, activity_state), _tasks(tasks, tasks_done),
                    {"done": "updated"}.get(stage_state, stage_state), error, why, conversation_id))
    return pd.DataFrame(out, columns=list(COLUMNS))


def _fetch(rt: Runtime, org_id: str, filters: ConversationFilter, offset: int, limit: int) -> list[tuple[Any, ...]]:
    """Two steps: the page's ids (a narrow top-N over what the filters need), then their details."""
    clause, params = scoped(org_id, filters)
    ids = [r[0] for r in rt.store.query(
        f"SELECT c.conversation_id {clause} ORDER BY c.started_at DESC, c.conversation_id LIMIT $limit OFFSET $offset",
        {**params, "limit": int(limit), "offset": int(offset)})]
    if not ids:
        return []
    return rt.store.query(_DETAILS, {"org": org_id, "ids": ids})


def status_counts(rt: Runtime, org_id: str, filters: ConversationFilter) -> dict[str, int]:
    """Conversations per status in the filtered set (statuses with none left out)."""
    clause, params = scoped(org_id, filters, status=True)
    rows = rt.store.query(f"SELECT {STATUS}, count(*) {clause} GROUP BY ALL", params)
    return {status: int(n) for status, n in rows}


def activity_page(rt: Runtime, org_id: str, filters: ConversationFilter, offset: int = 0,
                  limit: int = PAGE_SIZE) -> ActivityPage:
    """One page of the filtered conversations, newest first, with the filtered set's size per status."""
    counts = status_counts(rt, org_id, filters)
    return ActivityPage(_frame(_fetch(rt, org_id, filters, max(0, offset), limit)), sum(counts.values()), counts,
                        max(0, offset), limit)


def export_csv(rt: Runtime, org_id: str, filters: ConversationFilter, limit: int = EXPORT_LIMIT) -> bytes:
    """The filtered set as CSV, newest first, at most ``limit`` rows."""
    return frame_csv(_frame(_fetch(rt, org_id, filters, 0, limit)))


@dataclass(frozen=True)
class FilterChoices:
    """The values the filters can offer for an org: who recorded conversations, which activity types exist."""

    users: tuple[str, ...]
    activity_types: tuple[str, ...]


def filter_choices(rt: Runtime, org_id: str) -> FilterChoices:
    users = rt.store.query("SELECT DISTINCT user_email FROM conversations WHERE org_id = ? ORDER BY 1", [org_id])
    types = rt.store.query(
        "SELECT DISTINCT activity_type FROM conversation_matches WHERE org_id = $org AND activity_type IS NOT NULL "
        "UNION SELECT activity_type FROM activity_type_overrides WHERE org_id = $org AND activity_type IS NOT NULL "
        "ORDER BY 1", {"org": org_id})
    return FilterChoices(tuple(u for (u,) in users), (*(t for (t,) in types), NO_ACTIVITY_TYPE))
