"""How the mirror spends credits: the method for each module's first pull, and how often it polls after.

**Initial pull — cheapest method by record count** (zoho-api.md §2, §4, §5). For ``n`` records:

* Bulk Read: 50 credits per job of up to 200,000 rows, plus ~2 status polls and 1 download:
  ``53 x ceil(n / 200,000)``. Flat, whatever the size, but each job also waits in Zoho's queue.
* COQL key pagination (``where id > 'last' order by id asc limit 2000``): 3 credits per 2,000 rows, and a
  last page priced by its LIMIT (1 for <= 200 rows, 2 for <= 1,000): about ``3 x n / 2,000``.
* Paged list reads: 1 credit per 200 rows, ``n / 200`` -- 3.3 times COQL's price per row at every size
  above 200, and equal (1 credit) below, so it never wins; it is costed only to show that.

COQL is cheaper below ~35,000 records and Bulk Read above (at 100,000 contacts: 150 vs 53 credits).
Ties go to COQL: its key pagination resumes from the last committed id after a crash, and its rows are
usable as they arrive. ``bulk_threshold`` overrides the comparison (tests force either path with it).

**Polling after — a budget for the day.** Every COQL poll costs at least 1 credit even when nothing
changed (as does an If-Modified-Since list call that answers 304), so the daily cost is set by how
often each module is asked, not by how much changed. :data:`DEFAULT_PLAN`, per day:

===================================  ===========  =======
poll                                 every        credits
===================================  ===========  =======
Contacts, Leads changes (COQL)       5 min        2 x 288 = 576
Accounts, Deals changes (COQL)       15 min       2 x 96 = 192
Contacts, Leads deletions (2 each)   1 h          2 x 2 x 24 = 96
Accounts, Deals deletions (2 each)   2 h          2 x 2 x 12 = 48
users                                1 h          24
org + deal pipelines                 1 day        3
===================================  ===========  =======

939 credits a day, leaving headroom under 1,500 for catch-up pages on busy days. People are what
conversations are matched on, so Contacts and Leads are polled every cycle; accounts and deals
change less often and a 15-minute lag there only delays a stage shown on the dashboard. Deletions
are rarer still, and a deleted record lingering an hour is harmless (Zoho keeps it in the recycle
bin for 60 days). When an org's mirror budget is smaller (:func:`plan_for_budget`), every interval
is stretched by the same factor until the plan fits in 80% of it.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

BULK_PAGE_ROWS = 200_000
BULK_JOB_CREDITS = 50
BULK_EXPECTED_POLLS = 2
COQL_PAGE_ROWS = 2_000
LIST_PAGE_ROWS = 200
DELETED_CALL_CREDITS = 2
SETTINGS_CALL_CREDITS = 3  # GET /org, layouts, one pipeline call
MIRROR_SHARE = 0.5  # of the integration's budget share; the rest is for writing conversations back
PLAN_HEADROOM = 0.8
DUE_GRACE = timedelta(seconds=30)  # a scheduler firing a little early still finds a 5-minute poll due


def coql_cost(limit: int) -> int:
    """COQL is priced by its LIMIT: 1-200 -> 1, 201-1,000 -> 2, 1,001-2,000 -> 3."""
    return 1 if limit <= 200 else 2 if limit <= 1_000 else 3


def coql_page_limit(remaining: int, page_rows: int = COQL_PAGE_ROWS) -> int:
    """The LIMIT for the next page: the cheapest price band that still holds what is left."""
    for band in (200, 1_000):
        if remaining <= band and band <= page_rows:
            return band
    return page_rows


def coql_pull_cost(rows: int, page_rows: int = COQL_PAGE_ROWS) -> int:
    full, rest = divmod(rows, page_rows)
    return full * coql_cost(page_rows) + (coql_cost(coql_page_limit(rest, page_rows)) if rest or not full else 0)


def bulk_pull_cost(rows: int) -> int:
    jobs = max(1, math.ceil(rows / BULK_PAGE_ROWS))
    return jobs * (BULK_JOB_CREDITS + BULK_EXPECTED_POLLS + 1)


def list_pull_cost(rows: int) -> int:
    return max(1, math.ceil(rows / LIST_PAGE_ROWS))


@dataclass(frozen=True)
class MethodChoice:
    method: str  # "bulk" or "coql"
    credits: int  # the estimate for the chosen method
    costs: Mapping[str, int]  # every method's estimate, for the progress view
    reason: str


def choose_method(rows: int, bulk_threshold: int | None = None) -> MethodChoice:
    """The cheapest way to pull ``rows`` records (see the module docstring for the arithmetic)."""
    costs = {"bulk": bulk_pull_cost(rows), "coql": coql_pull_cost(rows), "list": list_pull_cost(rows)}
    if bulk_threshold is not None:
        method = "bulk" if rows >= bulk_threshold else "coql"
        reason = f"forced: {rows:,} records {'>=' if method == 'bulk' else '<'} threshold {bulk_threshold:,}"
    else:
        method = "bulk" if costs["bulk"] < costs["coql"] else "coql"
        reason = (f"{rows:,} records: Bulk Read ~{costs['bulk']} credits, COQL ~{costs['coql']}, "
                  f"list ~{costs['list']}")
    return MethodChoice(method, costs[method], costs, reason)


# -- the polling plan ---------------------------------------------------------------------------------
CHANGES, DELETIONS, USERS, SETTINGS = "changes", "deletions", "users", "settings"


@dataclass(frozen=True)
class Task:
    kind: str  # CHANGES, DELETIONS, USERS or SETTINGS
    module: str | None = None

    def __str__(self) -> str:
        return f"{self.kind}:{self.module}" if self.module else self.kind


@dataclass(frozen=True)
class PollPlan:
    changes: Mapping[str, timedelta]
    deletions: Mapping[str, timedelta]
    users: timedelta
    settings: timedelta

    def intervals(self) -> dict[Task, timedelta]:
        out = {Task(CHANGES, m): every for m, every in self.changes.items()}
        out.update({Task(DELETIONS, m): every for m, every in self.deletions.items()})
        out[Task(USERS)] = self.users
        out[Task(SETTINGS)] = self.settings
        return out

    def daily_credits(self) -> int:
        """Credits a quiet day costs (one call per poll; busy days add pages)."""
        price = {CHANGES: 1, DELETIONS: DELETED_CALL_CREDITS, USERS: 1, SETTINGS: SETTINGS_CALL_CREDITS}
        day = timedelta(days=1)
        return sum(price[task.kind] * max(1, math.floor(day / every)) for task, every in self.intervals().items())

    def stretched(self, factor: float) -> PollPlan:
        def scale(every: timedelta) -> timedelta:
            return timedelta(seconds=math.ceil(every.total_seconds() * factor))
        return PollPlan({m: scale(e) for m, e in self.changes.items()},
                        {m: scale(e) for m, e in self.deletions.items()}, scale(self.users), scale(self.settings))

    def due(self, last_runs: Mapping[Task, datetime | None], now: datetime) -> list[Task]:
        """The tasks whose interval has passed since they last ran (or that never ran), in plan order."""
        due = []
        for task, every in self.intervals().items():
            last = last_runs.get(task)
            if last is None or now - last >= every - DUE_GRACE:
                due.append(task)
        return due


_MINUTES = timedelta(minutes=1)
DEFAULT_PLAN = PollPlan(
    changes={"Contacts": 5 * _MINUTES, "Leads": 5 * _MINUTES, "Accounts": 15 * _MINUTES, "Deals": 15 * _MINUTES},
    deletions={"Contacts": 60 * _MINUTES, "Leads": 60 * _MINUTES, "Accounts": 120 * _MINUTES,
               "Deals": 120 * _MINUTES},
    users=60 * _MINUTES, settings=24 * 60 * _MINUTES)


def mirror_budget(daily_credit_limit: int | None, budget_share: float) -> int | None:
    """The credits a day the mirror may spend: half of the integration's share of the org's limit."""
    if not daily_credit_limit:
        return None
    return int(daily_credit_limit * budget_share * MIRROR_SHARE)


def plan_for_budget(daily_budget: int | None, plan: PollPlan = DEFAULT_PLAN) -> PollPlan:
    """``plan``, stretched evenly if its quiet-day cost does not fit in 80% of ``daily_budget``."""
    if daily_budget is None:
        return plan
    target = daily_budget * PLAN_HEADROOM
    cost = plan.daily_credits()
    return plan if cost <= target else plan.stretched(cost / max(target, 1))
