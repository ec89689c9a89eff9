"""What the Credits and Match rates pages show: figures computed from the ledger and the conversations.

Everything here reads through the store's query objects and returns dataclasses or pandas frames,
so the pages only lay them out and the CLI or a benchmark can reuse the same numbers. Nothing here
knows about Streamlit.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pandas as pd

from .matching import STATUSES
from .runtime import Runtime
from .store.conversations import ConversationStore
from .store.ledger import CreditSum

RATE_WINDOW = timedelta(hours=3)  # the "current rate" the forecast extrapolates
FORECAST_HORIZON = timedelta(hours=24)
DEFAULT_ALERT_PERCENT = 80.0  # of the budget share
HELD = "held"
NOT_MATCHED_YET = "not matched yet"
MATCH_STATUSES: tuple[str, ...] = (*STATUSES, HELD, NOT_MATCHED_YET)
DRILL_DOWN_STATUSES = ("unmatched", "ambiguous")
NO_USER = "(org-wide work)"
NO_KEY = "(none)"


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
                        org.budget_share, budget, forecast_credits(used, recent, budget, limit, now))


def credits_over_time(rt: Runtime, org_id: str, now: datetime | None = None, days: int = 7) -> pd.DataFrame:
    """Credits and calls per hour over the last ``days`` days (empty hours are zeros): start, credits, calls."""
    now = now or datetime.now(UTC)
    buckets = rt.ledger.series(org_id, since=now - timedelta(days=days), bucket="hour", until=now)
    return pd.DataFrame(buckets, columns=["start", "credits", "calls"])


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
_MATCH_COLUMNS = ["conversation_id", "kind", "user", "started_at", "day", "status", "reasons"]


def match_frame(rt: Runtime, org_id: str) -> pd.DataFrame:
    """One row per stored conversation with its status: held wins (it waits for a user mapping)."""
    store = ConversationStore(rt.store)
    matches = store.matches(org_id)
    held = {h.conversation_id for h in rt.held.held(org_id)}
    rows = []
    for c in store.get(org_id):
        m = matches.get(c.conversation_id)
        status = HELD if c.conversation_id in held else (m.status if m else NOT_MATCHED_YET)
        started = pd.Timestamp(c.started_at).tz_convert(UTC)
        rows.append((c.conversation_id, c.kind, c.user_email, started, started.normalize(), status,
                     "; ".join(m.reasons) if m else ""))
    return pd.DataFrame(rows, columns=_MATCH_COLUMNS)


def match_counts(frame: pd.DataFrame) -> dict[str, int]:
    """Conversations per status, every status present (zeros included), in the order of MATCH_STATUSES."""
    counts = frame["status"].value_counts() if not frame.empty else pd.Series(dtype=int)
    return {status: int(counts.get(status, 0)) for status in MATCH_STATUSES}


def match_rate(frame: pd.DataFrame) -> float | None:
    """Matched or partial, as a share of the conversations with customers (internal and held left out)."""
    counts = match_counts(frame)
    external = sum(counts[s] for s in ("matched", "partial", "ambiguous", "unmatched"))
    return (counts["matched"] + counts["partial"]) / external if external else None


def matches_by(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Counts per ``column`` value (``day``, ``kind`` or ``user``) and status: one column per status seen."""
    if frame.empty:
        return pd.DataFrame(columns=[column])
    table = pd.crosstab(frame[column], frame["status"])
    ordered = [s for s in MATCH_STATUSES if s in table.columns]
    table = table[ordered]
    table.columns.name = None
    return table.reset_index()


def matches_over_time_long(frame: pd.DataFrame) -> pd.DataFrame:
    """Daily counts in long form (day, status, conversations) for a stacked bar chart."""
    if frame.empty:
        return pd.DataFrame(columns=["day", "status", "conversations"])
    return frame.groupby(["day", "status"]).size().rename("conversations").reset_index()


def drill_down(frame: pd.DataFrame, statuses: tuple[str, ...] = DRILL_DOWN_STATUSES) -> pd.DataFrame:
    """The conversations that need a look (unmatched and ambiguous by default), newest first, with why."""
    shown = frame[frame["status"].isin(statuses)]
    return (shown.sort_values(["started_at", "conversation_id"], ascending=[False, True])
            [["started_at", "kind", "user", "status", "reasons", "conversation_id"]].reset_index(drop=True))
