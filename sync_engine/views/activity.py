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

from sync_engine.runtime import Runtime
from sync_engine.store.conversation_views import (
    NO_ACTIVITY_TYPE,
    ConversationFilter,
    activity_rows,
    filter_values,
    status_counts,
)
from sync_engine.views.csv_export import frame_csv

PAGE_SIZE = 100
EXPORT_LIMIT = 100_000
COLUMNS = ("when", "kind", "title", "user", "status", "contact", "lead", "account", "deal", "owner", "activity type",
           "written to Zoho", "Zoho activity", "tasks", "deal stage update", "write-back error", "why", "id")

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


def activity_page(rt: Runtime, org_id: str, filters: ConversationFilter, offset: int = 0,
                  limit: int = PAGE_SIZE) -> ActivityPage:
    """One page of the filtered conversations, newest first, with the filtered set's size per status."""
    counts = status_counts(rt.store, org_id, filters)
    rows = activity_rows(rt.store, org_id, filters, max(0, offset), limit)
    return ActivityPage(_frame(rows), sum(counts.values()), counts, max(0, offset), limit)


def export_csv(rt: Runtime, org_id: str, filters: ConversationFilter, limit: int = EXPORT_LIMIT) -> bytes:
    """The filtered set as CSV, newest first, at most ``limit`` rows."""
    return frame_csv(_frame(activity_rows(rt.store, org_id, filters, 0, limit)))


@dataclass(frozen=True)
class FilterChoices:
    """The values the filters can offer for an org: who recorded conversations, which activity types exist."""

    users: tuple[str, ...]
    activity_types: tuple[str, ...]


def filter_choices(rt: Runtime, org_id: str) -> FilterChoices:
    users, types = filter_values(rt.store, org_id)
    return FilterChoices(users, (*types, NO_ACTIVITY_TYPE))
