"""What the Credits and Match rates pages show: figures computed from the ledger and the conversations.

Everything here reads through the store's query objects and returns dataclasses or pandas frames,
so the pages only lay them out and the CLI or a benchmark can reuse the same numbers. Nothing here
knows about Streamlit.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pandas as pd

from sync_engine.matching.matcher import STATUSES
from sync_engine.matching.reasons import reason_category_sql
from sync_engine.mirror.run import JOB_INITIAL
from sync_engine.runtime import Runtime
from sync_engine.store.conversation_views import ConversationFilter
from sync_engine.store.credits.ledger import CreditSum, Unanswered
from sync_engine.store.dashboard_views import credit_series, drill_down_frame, initial_sync_row, match_summary_rows

RATE_WINDOW = timedelta(hours=3)  # the "current rate" the forecast extrapolates
FORECAST_HORIZON = timedelta(hours=24)
DEFAULT_ALERT_PERCENT = 80.0  # of the budget share
HELD = "held"
NOT_MATCHED_YET = "not matched yet"
MATCH_STATUSES: tuple[str, ...] = (*STATUSES, HELD, NOT_MATCHED_YET)
DRILL_DOWN_STATUSES = ("unmatched", "ambiguous")
NO_USER = "(org-wide work)"
NO_KEY = "(none)"
BUCKET_SECONDS = {"hour": 3_600, "day": 86_400}


# -- credits --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CreditForecast:
    """At ``rate_per_hour`` (the last 3 h), when the rolling 24 h use would reach each line.

    ``None`` means not within the next 24 h. The figure ignores credits leaving the rolling window,
    so it errs early: a warning, not a schedule.
    """

    rate_per_hour: float
    budget_reached_at: datetime | None
    limit_reached_at: datetime | None


@dataclass(frozen=True)
class CreditStatus:
    org_id: str
    org_name: str
    edition: str
    now: datetime
    used_24h: int
    daily_limit: int
    budget_share: float
    budget: int  # the budget share of the daily limit, in credits
    forecast: CreditForecast
    unanswered: Unanswered = Unanswered(0, 0)  # in used_24h at their expected price: a process died waiting

    @property
    def percent_of_budget(self) -> float:
        return 100.0 * self.used_24h / self.budget if self.budget else 0.0

    @property
    def percent_of_limit(self) -> float:
        return 100.0 * self.used_24h / self.daily_limit if self.daily_limit else 0.0

    def over_threshold(self, percent_of_budget: float = DEFAULT_ALERT_PERCENT) -> bool:
        return self.budget > 0 and self.percent_of_budget >= percent_of_budget


def reach_time(used: int, target: int, rate_per_hour: float, now: datetime,
               horizon: timedelta = FORECAST_HORIZON) -> datetime | None:
    """When ``used`` growing at ``rate_per_hour`` reaches ``target``; now if already there, None past the horizon."""
    if target <= 0:
        return None
    if used >= target:
        return now
    if rate_per_hour <= 0:
        return None
    wait = timedelta(hours=(target - used) / rate_per_hour)
    return now + wait if wait <= horizon else None


def forecast_credits(used_24h: int, spent_in_rate_window: int, budget: int, daily_limit: int,
                     now: datetime) -> CreditForecast:
    rate = spent_in_rate_window / (RATE_WINDOW / timedelta(hours=1))
    return CreditForecast(rate, reach_time(used_24h, budget, rate, now), reach_time(used_24h, daily_limit, rate, now))


def credit_status(rt: Runtime, org_id: str, now: datetime | None = None) -> CreditStatus:
    """The org's rolling 24 h use against its daily limit and budget share, with the forecast."""
    now = now or datetime.now(UTC)
    org = rt.orgs.get(org_id)
    limit = org.daily_credit_limit or 0
    budget = int(limit * org.budget_share)
    used = rt.ledger.used_last_24h(org_id, now)
    recent = rt.ledger.total(org_id, since=now - RATE_WINDOW, until=now + timedelta(microseconds=1))
    return CreditStatus(org_id, org.company_name or org.name, org.edition or "unknown", now, used, limit,
                        org.budget_share, budget, forecast_credits(used, recent, budget, limit, now),
                        rt.ledger.unanswered(org_id, now - timedelta(hours=24), now + timedelta(microseconds=1)))


def credits_over_time(rt: Runtime, org_id: str, now: datetime | None = None, days: int = 7,
                      bucket: str = "hour") -> pd.DataFrame:
    """Credits and calls per ``bucket`` over the last ``days`` days (empty buckets are zeros): start, credits,
    calls, and initial_credits -- the part the mirror's initial sync spent, so a chart can set it apart."""
    now = now or datetime.now(UTC)
    if bucket not in BUCKET_SECONDS:
        raise ValueError(f"bucket must be one of {', '.join(BUCKET_SECONDS)}, not {bucket!r}")
    rt.ledger.flush()
    # Integer arithmetic on epoch microseconds: a month of a large org is millions of rows, and
    # date_trunc on TIMESTAMPTZ costs several times more (UTC buckets either way).
    rows = credit_series(rt.store, org_id, now - timedelta(days=days), now, BUCKET_SECONDS[bucket] * 10**6,
                         JOB_INITIAL)
    frame = pd.DataFrame(rows, columns=["start", "credits", "calls", "initial_credits"])
    return frame.astype({"credits": int, "calls": int, "initial_credits": int})


@dataclass(frozen=True)
class InitialSync:
    """What the mirror's first full pull of the org cost: the spike at the start of its credit history."""

    credits: int
    calls: int
    started_at: datetime
    finished_at: datetime
    peak_day: datetime  # the UTC day it spent the most
    peak_day_credits: int


def initial_sync(rt: Runtime, org_id: str) -> InitialSync | None:
    """The initial sync's credits (ledger job ``mirror.initial``), or None if the org has none recorded.

    Once its rows are rolled up (``store.credits.rollup``), its start and finish are known to the day.
    """
    rt.ledger.flush()
    credits, calls, started, finished, peak_day, peak_credits = initial_sync_row(rt.store, org_id, JOB_INITIAL)
    if not calls:
        return None
    return InitialSync(int(credits), int(calls), started, finished, peak_day, int(peak_credits))


def credits_breakdown(rt: Runtime, org_id: str, dimension: str, now: datetime | None = None,
                      hours: int = 24) -> pd.DataFrame:
    """Credits by ``user``, ``job`` or ``api`` over the last ``hours``, largest first."""
    now = now or datetime.now(UTC)
    query = {"user": rt.ledger.by_user, "job": rt.ledger.by_job, "api": rt.ledger.by_api}[dimension]
    sums = query(org_id, since=now - timedelta(hours=hours), until=now + timedelta(microseconds=1))
    return _sums_frame(sums, dimension, NO_USER if dimension == "user" else NO_KEY)


def credits_by_org(rt: Runtime, now: datetime | None = None) -> pd.DataFrame:
    """Every org side by side (CSMs see them all): rolling 24 h use against budget and limit."""
    now = now or datetime.now(UTC)
    rows = []
    for org in rt.orgs.list():
        status = credit_status(rt, org.org_id, now)
        rows.append({"org": status.org_name, "org_id": org.org_id, "status": org.status, "edition": status.edition,
                     "credits_24h": status.used_24h, "budget": status.budget, "daily_limit": status.daily_limit,
                     "pct_of_budget": round(status.percent_of_budget, 1)})
    return pd.DataFrame(rows, columns=["org", "org_id", "status", "edition", "credits_24h", "budget", "daily_limit",
                                       "pct_of_budget"])


def _sums_frame(sums: list[CreditSum], dimension: str, missing: str) -> pd.DataFrame:
    frame = pd.DataFrame(sums, columns=["key", "credits", "calls", "failed_calls"])
    frame["key"] = frame["key"].fillna(missing)
    return frame.rename(columns={"key": dimension})


# -- match rates ----------------------------------------------------------------------------------
STATUS_COLUMNS = ("matched", "partial", "ambiguous", "unmatched", "internal", HELD, NOT_MATCHED_YET)
DRILL_DOWN_LIMIT = 500

_REASON = reason_category_sql("status", "reasons")


@dataclass(frozen=True)
class MatchSummary:
    """How an org's conversations matched, every figure from one scan (see ``match_summary``)."""

    counts: dict[str, int]  # every status of MATCH_STATUSES, zeros included
    daily: pd.DataFrame  # day, status, conversations (long, for a stacked bar chart)
    by_kind: pd.DataFrame  # kind, one column per status seen
    by_user: pd.DataFrame  # user, conversations, match rate, one column per status seen; busiest first
    by_reason: pd.DataFrame  # reason, status, conversations; largest first

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def rate(self) -> float | None:
        """Matched or partial, as a share of the conversations with customers (internal and held left out)."""
        return _rate(self.counts)


def _rate(counts: dict[str, int]) -> float | None:
    external = sum(counts.get(s, 0) for s in ("matched", "partial", "ambiguous", "unmatched"))
    return (counts.get("matched", 0) + counts.get("partial", 0)) / external if external else None


def _crosstab(long: pd.DataFrame, column: str) -> pd.DataFrame:
    if long.empty:
        return pd.DataFrame(columns=[column])
    table = long.pivot_table(index=column, columns="status", values="conversations", aggfunc="sum", fill_value=0)
    table = table[[s for s in MATCH_STATUSES if s in table.columns]].astype(int)
    table.columns.name = None
    return table.reset_index()


def match_summary(rt: Runtime, org_id: str, filters: ConversationFilter = ConversationFilter()) -> MatchSummary:
    """Counts per status overall, per day, source (meeting/call), user and reason category."""
    rows = match_summary_rows(rt.store, org_id, filters, _REASON)
    groups: dict[int, list[tuple]] = {0: [], 1: [], 2: [], 3: []}
    for *flags, day, kind, user, reason, status, n in rows:
        which = flags.index(True)
        groups[which].append(((day, kind, user, reason)[which], status, int(n)))
    daily = pd.DataFrame(groups[0], columns=["day", "status", "conversations"]).sort_values(["day", "status"])
    by_kind = pd.DataFrame(groups[1], columns=["kind", "status", "conversations"])
    counts = {s: int(by_kind.loc[by_kind["status"] == s, "conversations"].sum()) for s in MATCH_STATUSES}
    users = _crosstab(pd.DataFrame(groups[2], columns=["user", "status", "conversations"]), "user")
    if not users.empty:
        statuses = [s for s in MATCH_STATUSES if s in users.columns]
        users.insert(1, "conversations", users[statuses].sum(axis=1))
        users.insert(2, "match rate", [_rate(r) for r in users[statuses].to_dict("records")])
        users = users.sort_values(["conversations", "user"], ascending=[False, True]).reset_index(drop=True)
    by_reason = (pd.DataFrame(groups[3], columns=["reason", "status", "conversations"])
                 .sort_values(["conversations", "reason"], ascending=[False, True]).reset_index(drop=True))
    return MatchSummary(counts, daily.reset_index(drop=True), _crosstab(by_kind, "kind"), users, by_reason)


def drill_down(rt: Runtime, org_id: str, filters: ConversationFilter = ConversationFilter(),
               reason: str | None = None, limit: int = DRILL_DOWN_LIMIT) -> pd.DataFrame:
    """The conversations that need a look (unmatched and ambiguous unless ``filters`` says), newest first,
    with their reason category ("why") and the matcher's own reasons; at most ``limit`` rows.

    Without a ``reason`` the newest rows are taken first and only they are categorised; how many
    there are in all is in ``match_summary``'s ``by_reason``.
    """
    if not filters.statuses:
        filters = replace(filters, statuses=DRILL_DOWN_STATUSES)
    return drill_down_frame(rt.store, org_id, filters, _REASON, reason, limit)
