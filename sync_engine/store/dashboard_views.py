"""SQL behind the Credits and Match rates pages: credit series from the ledger, match figures in one scan.

``views.dashboard`` shapes what these return into the pages' figures. The reason category is a SQL
expression the caller builds from the matcher's categories (``matching.reasons``), so these queries
group by the same rule the matcher's reasons follow.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd

from sync_engine.store.conversation_views import REASONS_TEXT, STATUS, ConversationFilter, scoped
from sync_engine.store.db import Store


def credit_series(store: Store, org_id: str, since: datetime, until: datetime, width_us: int,
                  initial_job: str) -> list[tuple[Any, ...]]:
    """(bucket start, credits, calls, credits of ``initial_job``) per ``width_us`` bucket; empty buckets are zeros.

    Integer arithmetic on epoch microseconds: a month of a large org is millions of rows, and
    date_trunc on TIMESTAMPTZ costs several times more (UTC buckets either way).
    """
    return store.query("""
        WITH spent AS (
            SELECT epoch_us(called_at) // $width AS n, sum(credits) AS credits, sum(calls) AS calls,
                   coalesce(sum(credits) FILTER (WHERE job = $initial), 0) AS initial_credits
            FROM credit_spend WHERE org_id = $org AND called_at >= $since AND called_at < $until GROUP BY 1)
        SELECT make_timestamptz(b.n * $width), coalesce(s.credits, 0), coalesce(s.calls, 0),
               coalesce(s.initial_credits, 0)
        FROM (SELECT unnest(range(epoch_us($since) // $width, (epoch_us($until) - 1) // $width + 1)) AS n) b
        LEFT JOIN spent s USING (n) ORDER BY b.n""",
        {"org": org_id, "since": since, "until": until, "width": width_us, "initial": initial_job})


def initial_sync_row(store: Store, org_id: str, initial_job: str) -> tuple[Any, ...]:
    """(credits, calls, first call, last call, busiest day, its credits) of the org's ``initial_job``."""
    return tuple(store.query("""
        WITH initial AS (SELECT called_at, credits, calls FROM credit_spend WHERE org_id = ? AND job = ?),
        days AS (SELECT date_trunc('day', called_at) AS day, sum(credits) AS credits FROM initial GROUP BY 1
                 ORDER BY 2 DESC, 1 LIMIT 1)
        SELECT sum(credits), sum(calls), min(called_at), max(called_at), (SELECT day FROM days),
               (SELECT credits FROM days) FROM initial""", [org_id, initial_job])[0])


# One pass over the org's conversations: counts per status by day, source, user and reason category.
_SUMMARY = f"""
WITH base AS (
    SELECT date_trunc('day', c.started_at) AS day, c.kind, c.user_email AS user, {STATUS} AS status,
           {REASONS_TEXT} AS reasons
    {{scoped}}),
categorised AS (SELECT day, kind, user, status, {{reason}} AS reason FROM base)
SELECT GROUPING(day) = 0, GROUPING(kind) = 0, GROUPING(user) = 0, GROUPING(reason) = 0,
       day, kind, user, reason, status, count(*) AS conversations
FROM categorised
GROUP BY GROUPING SETS ((day, status), (kind, status), (user, status), (reason, status))
"""


def match_summary_rows(store: Store, org_id: str, filters: ConversationFilter,
                       reason_sql: str) -> list[tuple[Any, ...]]:
    """(is day, is kind, is user, is reason, day, kind, user, reason, status, conversations) grouping sets."""
    clause, params = scoped(org_id, filters, status=True)
    return store.query(_SUMMARY.format(scoped=clause, reason=reason_sql), params)


def drill_down_frame(store: Store, org_id: str, filters: ConversationFilter, reason_sql: str,
                     reason: str | None, limit: int) -> pd.DataFrame:
    """The filtered conversations, newest first, with their reason category (``why``); at most ``limit``.

    Without a ``reason`` the newest rows are taken first and only they are categorised.
    """
    clause, params = scoped(org_id, filters, status=True)
    rows = f"SELECT c.started_at, c.kind, c.user_email AS user, {STATUS} AS status, c.title, " \
           f"{REASONS_TEXT} AS reasons, c.conversation_id {clause}"
    newest = "ORDER BY started_at DESC, conversation_id LIMIT $limit"
    sql = f"""
        WITH base AS ({rows} {"" if reason else newest}),
        categorised AS (SELECT *, {reason_sql} AS why FROM base)
        SELECT started_at, kind, user, status, why, coalesce(title, '') AS title,
               array_to_string(CAST(reasons AS VARCHAR[]), '; ') AS reasons, conversation_id
        FROM categorised {"WHERE why = $reason" if reason else ""} {newest}"""
    with store.reading() as cur:
        return cur.execute(sql, {**params, "limit": int(limit), **({"reason": reason} if reason else {})}).df()
