"""Rolling the credit ledger up: raw rows for ``RAW_RETENTION``, one row per day, job, user and API after that.

Every HTTP attempt leaves a row, ~1M per org-year. What the app needs of older periods is sums by day,
job, user and API, so once a whole UTC day has left the retention window its rows are folded into
``credit_ledger_daily`` and deleted, both in one transaction: a crash leaves either the rows or their
sums, never both or neither, and a second run finds nothing left to fold. A row that arrives for a day
already folded (a late flush, a restored backup) is added to that day's sums by the next run.

Reads go through the view ``credit_spend``: raw rows (one call each) and daily sums side by side, a
sum counted at 00:00 UTC of its day. Totals and breakdowns over whole days, and daily or weekly series,
are the same before and after a roll-up; an hourly series shows a rolled-up day as one bucket at
midnight. Zoho's rolling 24 h window is always inside the retention, so ``Ledger.used_last_24h`` reads
the raw rows alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # db imports the migrations, which import this table's DDL
    from sync_engine.store.db import Store

RAW_RETENTION = timedelta(days=35)  # longer than the Credits page's hourly chart and Zoho's 24 h window

# Part of migration 17's view: changing what counts as a failed call means a new migration.
_FAILED = "(http_status = 0 OR http_status >= 400 OR zoho_code IS NOT NULL)"

CREDIT_LEDGER_DAILY = f"""
CREATE TABLE credit_ledger_daily (             -- credit_ledger rows older than the retention, summed
    org_id           VARCHAR NOT NULL,
    day              DATE NOT NULL,               -- UTC
    job              VARCHAR,
    attributed_user  VARCHAR,
    api              VARCHAR NOT NULL,
    credits          BIGINT NOT NULL,
    calls            BIGINT NOT NULL,
    failed_calls     BIGINT NOT NULL              -- no answer, an HTTP error, or a Zoho error code
);
CREATE VIEW credit_spend AS                     -- every call ever metered: raw rows and daily sums
SELECT org_id, called_at, job, attributed_user, api, credits, 1 AS calls,
       CASE WHEN {_FAILED} THEN 1 ELSE 0 END AS failed_calls
FROM credit_ledger
UNION ALL
SELECT org_id, timezone('UTC', day::TIMESTAMP) AS called_at, job, attributed_user, api, credits, calls, failed_calls
FROM credit_ledger_daily;
"""

# Migration 18: each row carries the id of its call (a crashed process's journal is replayed without
# doubles), and calls whose answer never came are kept at their expected price with ``answered`` false.
LEDGER_CALL_IDS = f"""
ALTER TABLE credit_ledger ADD COLUMN call_id VARCHAR;
ALTER TABLE credit_ledger ADD COLUMN answered BOOLEAN DEFAULT true;
CREATE OR REPLACE VIEW credit_spend AS
SELECT org_id, called_at, job, attributed_user, api, credits, 1 AS calls,
       CASE WHEN {_FAILED} THEN 1 ELSE 0 END AS failed_calls,
       CASE WHEN answered THEN 0 ELSE 1 END AS unanswered_calls
FROM credit_ledger
UNION ALL
SELECT org_id, timezone('UTC', day::TIMESTAMP) AS called_at, job, attributed_user, api, credits, calls, failed_calls,
       0 AS unanswered_calls
FROM credit_ledger_daily;
"""

_FOLD = f"""
MERGE INTO credit_ledger_daily AS d
USING (SELECT org_id, CAST(timezone('UTC', called_at) AS DATE) AS day, job, attributed_user, api,
              sum(credits) AS credits, count(*) AS calls, count(*) FILTER (WHERE {_FAILED}) AS failed_calls
       FROM credit_ledger WHERE org_id = $org_id AND called_at < $before GROUP BY ALL) AS f
ON d.org_id = f.org_id AND d.day = f.day AND d.api = f.api AND d.job IS NOT DISTINCT FROM f.job
   AND d.attributed_user IS NOT DISTINCT FROM f.attributed_user
WHEN MATCHED THEN UPDATE SET credits = d.credits + f.credits, calls = d.calls + f.calls,
                             failed_calls = d.failed_calls + f.failed_calls
WHEN NOT MATCHED THEN INSERT (org_id, day, job, attributed_user, api, credits, calls, failed_calls)
     VALUES (f.org_id, f.day, f.job, f.attributed_user, f.api, f.credits, f.calls, f.failed_calls)
"""
_DELETE_FOLDED = "DELETE FROM credit_ledger WHERE org_id = $org_id AND called_at < $before"


@dataclass(frozen=True)
class Rollup:
    org_id: str
    before: date  # rows of calls made before 00:00 UTC of this day were folded
    rows: int  # raw rows folded into sums and deleted
    day_sums: int  # rows of credit_ledger_daily written or added to

    def describe(self) -> str:
        return f"rolled up {self.rows:,} rows older than {self.before.isoformat()} into {self.day_sums:,} daily sums"


def rollup_day(now: datetime, retention: timedelta = RAW_RETENTION) -> date:
    """The first UTC day kept raw: only whole days older than the retention are folded."""
    return (now.astimezone(UTC) - retention).date()


def roll_up(store: Store, org_id: str, now: datetime) -> Rollup:
    """Fold the org's ledger rows from before ``rollup_day(now)`` into daily sums, and delete them, atomically."""
    before = rollup_day(now)
    params = {"org_id": org_id, "before": datetime.combine(before, time(), UTC)}
    with store.transaction() as cursor:
        day_sums = _count(cursor.execute(_FOLD, params).fetchone())
        rows = _count(cursor.execute(_DELETE_FOLDED, params).fetchone())
    return Rollup(org_id, before, rows, day_sums)


def _count(row: tuple[int, ...] | None) -> int:
    return int(row[0]) if row else 0
