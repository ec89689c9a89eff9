"""Specification of the ledger roll-up: old rows folded into daily sums, atomically, without changing a figure."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sync_engine.jobs.specs import JOBS, JobSpec, run_job
from sync_engine.runtime import Runtime, open_runtime
from sync_engine.settings.schedule import ScheduleError, checked_schedule
from sync_engine.store.credits import rollup as ledger_rollup
from sync_engine.store.credits.ledger import Ledger
from sync_engine.store.credits.rollup import RAW_RETENTION, rollup_day
from sync_engine.store.db import Store
from sync_engine.store.orgs import ConnectionSecrets, Org
from sync_engine.views import dashboard
from sync_engine.zoho.calls import ApiCall

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
FIRST_RAW_DAY = datetime(2025, 12, 6, tzinfo=UTC)  # NOW - 35 days is 2025-12-06 12:00: that day stays raw
ORG = "acme"


def call(at: datetime, credits: int = 1, *, org_id: str = ORG, api: str = "records.list", job: str | None = "mirror",
         user: str | None = None, status: int = 200, zoho_code: str | None = None) -> ApiCall:
    return ApiCall(org_id, at, "GET", api, "/crm/v8/Contacts", "Contacts", status, zoho_code, credits, 12.0, job, user)


def history() -> list[ApiCall]:
    """Sixty days of calls for two orgs: several jobs, users and APIs a day, some failed, some free."""
    calls = []
    for days_ago in range(60):
        day = NOW - timedelta(days=days_ago)
        calls += [call(day.replace(hour=1), 2, job="mirror.initial", api="bulk.read"),
                  call(day.replace(hour=9, minute=15), 1, job="push", user="ann@acme.example"),
                  call(day.replace(hour=9, minute=30), 1, job="push", user="ann@acme.example"),
                  call(day.replace(hour=9, minute=45), 3, job="push", user="ann@acme.example", api="coql"),
                  call(day.replace(hour=10), 0, job="push", user="bob@acme.example", status=429,
                       zoho_code="TOO_MANY_REQUESTS"),
                  call(day.replace(hour=11), 1, job=None, status=0),
                  call(day.replace(hour=8), 5, org_id="other")]
    return calls


@pytest.fixture
def ledger(store: Store) -> Iterator[Ledger]:
    opened = Ledger(store, batch_size=10_000, flush_interval_s=None)
    yield opened
    opened.close()


@pytest.fixture
def fed(ledger: Ledger) -> Ledger:
    for c in history():
        ledger.record(c)
    ledger.flush()
    return ledger


def raw_rows(store: Store, org_id: str = ORG) -> int:
    return store.query("SELECT count(*) FROM credit_ledger WHERE org_id = ?", [org_id])[0][0]


def day_sums(store: Store) -> list[tuple[Any, ...]]:
    return store.query("SELECT * FROM credit_ledger_daily ORDER BY ALL")


def figures(ledger: Ledger) -> dict[str, Any]:
    """Every read that may span rolled-up days, over whole days and over everything."""
    since, until = NOW - timedelta(days=90), FIRST_RAW_DAY + timedelta(days=2)
    return {"total": ledger.total(ORG), "total_window": ledger.total(ORG, since=since, until=until),
            "by_user": ledger.by_user(ORG), "by_job": ledger.by_job(ORG, since=since, until=until),
            "by_api": ledger.by_api(ORG), "by_org": ledger.by_org(),
            "days": ledger.series(ORG, since, bucket="day", until=NOW),
            "weeks": ledger.series(ORG, since, bucket="week", until=NOW)}


FOLDED_DAYS, RAW_DAYS = 24, 36  # of the 60 days, 36..59 days ago are before FIRST_RAW_DAY


def test_rows_older_than_the_retention_are_folded_into_one_sum_per_day_job_user_and_api(fed: Ledger,
                                                                                        store: Store) -> None:
    rollup = fed.roll_up(ORG, NOW)
    assert (rollup.before, rollup.rows, rollup.day_sums) == (FIRST_RAW_DAY.date(), FOLDED_DAYS * 6, FOLDED_DAYS * 5)
    assert rollup.describe() == "rolled up 144 rows older than 2025-12-06 into 120 daily sums"
    assert raw_rows(store) == RAW_DAYS * 6 and raw_rows(store, "other") == 60  # the other org is not touched
    oldest = date(2025, 11, 12)  # 59 days before NOW
    assert {row for row in day_sums(store) if row[1] == oldest} == {
        (ORG, oldest, "mirror.initial", None, "bulk.read", 2, 1, 0),
        (ORG, oldest, "push", "ann@acme.example", "coql", 3, 1, 0),
        (ORG, oldest, "push", "ann@acme.example", "records.list", 2, 2, 0),
        (ORG, oldest, "push", "bob@acme.example", "records.list", 0, 1, 1),
        (ORG, oldest, None, None, "records.list", 1, 1, 1)}
    assert store.query("SELECT min(day), max(day), count(DISTINCT day) FROM credit_ledger_daily") == [
        (oldest, date(2025, 12, 5), FOLDED_DAYS)]


def test_a_second_roll_up_finds_nothing_and_changes_nothing(fed: Ledger, store: Store) -> None:
    fed.roll_up(ORG, NOW)
    sums, raw = day_sums(store), raw_rows(store)
    again = fed.roll_up(ORG, NOW)
    assert (again.rows, again.day_sums) == (0, 0)
    assert day_sums(store) == sums and raw_rows(store) == raw


def test_totals_breakdowns_and_daily_series_are_the_same_before_and_after_a_roll_up(fed: Ledger) -> None:
    before = figures(fed)
    assert fed.roll_up(ORG, NOW).rows and fed.roll_up("other", NOW).rows
    assert figures(fed) == before
    assert before["total"] == 60 * 8 and [s.credits for s in before["by_org"]] == [60 * 8, 60 * 5]


def test_failed_calls_are_still_counted_once_rolled_up(fed: Ledger) -> None:
    fed.roll_up(ORG, NOW)
    by_user = {s.key: s for s in fed.by_user(ORG)}
    assert (by_user["bob@acme.example"].calls, by_user["bob@acme.example"].failed_calls) == (60, 60)
    assert by_user[None].failed_calls == 60  # the calls that got no answer


def test_the_rolling_24h_window_and_the_last_35_days_are_left_raw(fed: Ledger, store: Store) -> None:
    used, recent = fed.used_last_24h(ORG, NOW), fed.series(ORG, NOW - RAW_RETENTION, bucket="hour", until=NOW)
    fed.roll_up(ORG, NOW)
    assert fed.used_last_24h(ORG, NOW) == used and used > 0
    assert fed.series(ORG, NOW - RAW_RETENTION, bucket="hour", until=NOW) == recent
    oldest_raw = store.query("SELECT min(called_at) FROM credit_ledger WHERE org_id = ?", [ORG])[0][0]
    assert oldest_raw >= FIRST_RAW_DAY and NOW - oldest_raw >= RAW_RETENTION


@pytest.mark.parametrize(("at", "folded"), [
    (FIRST_RAW_DAY - timedelta(microseconds=1), True),  # the last instant of the last whole day past retention
    (FIRST_RAW_DAY, False),  # 35.5 days old, but its day is not over 35 days ago yet
    (NOW - RAW_RETENTION, False),
    (NOW - timedelta(days=400), True),
])
def test_only_whole_utc_days_older_than_the_retention_are_folded(ledger: Ledger, store: Store, at: datetime,
                                                                   folded: bool) -> None:
    ledger.record(call(at, 7))
    rollup = ledger.roll_up(ORG, NOW)
    assert (rollup.rows, raw_rows(store)) == ((1, 0) if folded else (0, 1))
    assert ledger.total(ORG) == 7


def test_the_day_kept_raw_moves_with_the_clock_in_utc() -> None:
    assert rollup_day(NOW) == date(2025, 12, 6)
    assert rollup_day(datetime(2026, 1, 10, 23, 30, tzinfo=UTC)) == date(2025, 12, 6)
    assert rollup_day(datetime(2026, 1, 11, 0, 30, tzinfo=UTC)) == date(2025, 12, 7)


def test_a_late_row_for_a_folded_day_is_added_to_that_days_sum(fed: Ledger, store: Store) -> None:
    fed.roll_up(ORG, NOW)
    sums = len(day_sums(store))
    fed.record(call(datetime(2025, 11, 20, 14, 0, tzinfo=UTC), 10, job="push", user="ann@acme.example", api="coql"))
    late = fed.roll_up(ORG, NOW)
    assert (late.rows, late.day_sums, len(day_sums(store))) == (1, 1, sums)
    assert store.query("SELECT credits, calls FROM credit_ledger_daily WHERE day = DATE '2025-11-20' AND api = 'coql'"
                       ) == [(13, 2)]


def test_a_roll_up_that_fails_half_way_leaves_every_row_where_it_was(fed: Ledger, store: Store,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    before = figures(fed)
    monkeypatch.setattr(ledger_rollup, "_DELETE_FOLDED", "DELETE FROM no_such_table")
    with pytest.raises(Exception, match="no_such_table"):
        fed.roll_up(ORG, NOW)
    assert day_sums(store) == [] and raw_rows(store) == 60 * 6
    assert figures(fed) == before


def test_a_call_still_buffered_is_folded_with_its_day(store: Store) -> None:
    ledger = Ledger(store, batch_size=1_000, flush_interval_s=None)
    try:
        ledger.record(call(NOW - timedelta(days=50), 4))
        assert ledger.roll_up(ORG, NOW).rows == 1 and ledger.total(ORG) == 4
    finally:
        ledger.close()


# -- the dashboard and the scheduled job --------------------------------------------------------------------


@pytest.fixture
def rt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    monkeypatch.setenv("SYNC_DATA_DIR", str(tmp_path))
    runtime = open_runtime()
    runtime.orgs.add(Org(ORG, "Acme", "EU", "https://accounts.zoho.eu", "1000.ACME", company_name="Acme GmbH",
                         edition="enterprise", licences=50, daily_credit_limit=100_000, budget_share=0.2),
                     ConnectionSecrets("client-secret", "1000.refresh"))
    yield runtime
    runtime.close()


def test_the_credits_pages_90_day_chart_and_initial_sync_keep_their_figures(rt: Runtime) -> None:
    for c in history():
        rt.ledger.record(c)
    chart = dashboard.credits_over_time(rt, ORG, NOW, days=90, bucket="day")
    initial = dashboard.initial_sync(rt, ORG)
    rt.ledger.roll_up(ORG, NOW)
    assert dashboard.credits_over_time(rt, ORG, NOW, days=90, bucket="day").equals(chart)
    rolled = dashboard.initial_sync(rt, ORG)
    assert initial is not None and rolled is not None
    assert (rolled.credits, rolled.calls, rolled.peak_day_credits) == (initial.credits, initial.calls, 2)
    assert rolled.started_at == datetime(2025, 11, 12, tzinfo=UTC)  # known to the day once rolled up
    assert rolled.finished_at == initial.finished_at


def rollup_job() -> JobSpec:
    return next(spec for spec in JOBS if spec.name == "ledger.rollup")


def test_the_roll_up_is_a_daily_job_an_admin_may_run_hourly_to_weekly() -> None:
    spec = rollup_job()
    assert (spec.every_s, spec.min_every_s, spec.max_every_s) == (86_400, 3_600, 7 * 86_400)
    assert 60 <= spec.first_after_s <= 900 and spec.only_for is None
    assert checked_schedule({"ledger.rollup": 7 * 86_400}, JOBS).every_s("ledger.rollup") == 7 * 86_400
    with pytest.raises(ScheduleError, match="ledger.rollup may run every 1 h to 7 days"):
        checked_schedule({"ledger.rollup": 600}, JOBS)


def test_a_roll_up_run_is_recorded_with_what_it_folded(rt: Runtime) -> None:
    now = datetime.now(UTC)
    for c in (call(now - timedelta(days=50), 2), call(now - timedelta(days=50, hours=1), 3, job="push"),
              call(now - timedelta(days=40), 4), call(now - timedelta(hours=1), 5), call(now - timedelta(days=50),
                                                                                         6, org_id="other")):
        rt.ledger.record(c)
    run = run_job(rt, ORG, rollup_job())
    assert (run.outcome, run.error, run.credits) == ("ok", None, 0)
    assert run.detail == f"rolled up 3 rows older than {rollup_day(run.started_at).isoformat()} into 3 daily sums"
    assert rt.job_runs.history(ORG, "ledger.rollup")[0].detail == run.detail
    assert rt.ledger.total(ORG) == 14 and rt.ledger.total("other") == 6
    assert run_job(rt, ORG, rollup_job()).detail.startswith("rolled up 0 rows")
