"""Dashboard figures from a real DuckDB file: credits from ledger rows, match rates from imported conversations."""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sync_engine import service
from sync_engine.records.users import OurUser, ZohoUser
from sync_engine.runtime import Runtime, open_runtime
from sync_engine.store.conversation_views import ConversationFilter
from sync_engine.store.orgs import ConnectionSecrets, Org
from sync_engine.views import dashboard
from sync_engine.zoho.calls import ApiCall

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
ORG = "acme"


@pytest.fixture
def rt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    monkeypatch.setenv("SYNC_DATA_DIR", str(tmp_path))
    runtime = open_runtime()
    runtime.orgs.add(Org(ORG, "Acme", "EU", "https://accounts.zoho.eu", "1000.ACME", company_name="Acme GmbH",
                         edition="enterprise", licences=50, daily_credit_limit=100_000, budget_share=0.2),
                     ConnectionSecrets("client-secret", "1000.refresh"))
    yield runtime
    runtime.close()


def call(at: datetime, credits: int, *, api: str = "records.list", job: str | None = "mirror",
         user: str | None = None, org_id: str = ORG, status: int = 200) -> ApiCall:
    return ApiCall(org_id, at, "GET", api, "/crm/v8/Contacts", "Contacts", status, None, credits, 12.0, job, user)


def feed(rt: Runtime) -> None:
    """13,000 credits in the last 24 h, 3,000 of them in the last 3 h; 5,000 older; another org's 999."""
    for c in (call(NOW - timedelta(hours=30), 5_000),
              call(NOW - timedelta(hours=10), 10_000, api="bulk.read", job="mirror.initial"),
              call(NOW - timedelta(hours=2, minutes=30), 1_000, job="push", user="rep@acme.example"),
              call(NOW - timedelta(hours=1), 1_500, api="coql", job="push", user="rep@acme.example"),
              call(NOW - timedelta(minutes=5), 500, api="coql", job="users.refresh", status=429),
              call(NOW - timedelta(hours=1), 999, org_id="other")):
        rt.ledger.record(c)


def test_rolling_use_is_set_against_the_budget_share_and_the_daily_limit(rt: Runtime) -> None:
    feed(rt)
    status = dashboard.credit_status(rt, ORG, NOW)
    assert (status.used_24h, status.budget, status.daily_limit) == (13_000, 20_000, 100_000)
    assert status.percent_of_budget == 65.0
    assert status.percent_of_limit == 13.0
    assert not status.over_threshold()
    assert status.over_threshold(60.0)


def test_forecast_extrapolates_the_last_three_hours_rate(rt: Runtime) -> None:
    feed(rt)
    forecast = dashboard.credit_status(rt, ORG, NOW).forecast
    assert forecast.rate_per_hour == 1_000.0  # 3,000 credits over 3 h
    assert forecast.budget_reached_at == NOW + timedelta(hours=7)  # (20,000 - 13,000) / 1,000
    assert forecast.limit_reached_at is None  # 87 h away: not within 24 h


@pytest.mark.parametrize(("used", "target", "rate", "expected"), [
    (500, 1_000, 100.0, timedelta(hours=5)),
    (1_000, 1_000, 0.0, timedelta(0)),
    (1_200, 1_000, 50.0, timedelta(0)),
    (0, 2_400, 100.0, timedelta(hours=24)),
    (0, 2_401, 100.0, None),
    (10, 1_000, 0.0, None),
    (0, 0, 100.0, None),
])
def test_reach_time_is_now_when_reached_and_none_beyond_a_day(used: int, target: int, rate: float,
                                                              expected: timedelta | None) -> None:
    reached = dashboard.reach_time(used, target, rate, NOW)
    assert reached == (None if expected is None else NOW + expected)


def test_breakdowns_attribute_the_last_24h_to_user_job_and_api(rt: Runtime) -> None:
    feed(rt)
    by_user = dashboard.credits_breakdown(rt, ORG, "user", NOW).set_index("user")
    assert by_user["credits"].to_dict() == {dashboard.NO_USER: 10_500, "rep@acme.example": 2_500}
    by_job = dashboard.credits_breakdown(rt, ORG, "job", NOW).set_index("job")
    assert by_job["credits"].to_dict() == {"mirror.initial": 10_000, "push": 2_500, "users.refresh": 500}
    assert by_job.loc["users.refresh", "failed_calls"] == 1
    by_api = dashboard.credits_breakdown(rt, ORG, "api", NOW).set_index("api")
    assert by_api["credits"].to_dict() == {"bulk.read": 10_000, "coql": 2_000, "records.list": 1_000}


def test_credits_over_time_has_every_hour_of_the_week_and_sums_the_window(rt: Runtime) -> None:
    feed(rt)
    series = dashboard.credits_over_time(rt, ORG, NOW)
    assert len(series) == 7 * 24
    assert series["credits"].sum() == 18_000
    assert series.set_index("start").loc[NOW - timedelta(hours=10), "credits"] == 10_000


def test_every_org_is_listed_for_csms(rt: Runtime) -> None:
    feed(rt)
    table = dashboard.credits_by_org(rt, NOW).set_index("org_id")
    assert list(table.index) == [ORG]
    assert table.loc[ORG, "credits_24h"] == 13_000
    assert table.loc[ORG, "pct_of_budget"] == 65.0


def meeting(conversation_id: str, day: int, user: str, *others: str) -> dict:
    start = datetime(2026, 1, day, 10, tzinfo=UTC)
    return {"kind": "meeting", "id": conversation_id, "title": conversation_id, "start": start.isoformat(),
            "end": (start + timedelta(minutes=30)).isoformat(), "organizer": user, "user_email": user,
            "attendees": [user, *others]}


def import_and_match(rt: Runtime) -> None:
    rt.users.replace_zoho_users(ORG, [ZohoUser("1", "rep@acme.example", "Rep")])
    service.set_our_users(rt, ORG, [OurUser("rep@acme.example"), OurUser("new@acme.example")])
    lines = [meeting("internal-1", 5, "rep@acme.example", "bob@acme.example"),
             meeting("unknown-1", 5, "rep@acme.example", "x@customer.example"),
             meeting("unknown-2", 6, "rep@acme.example", "y@customer.example"),
             meeting("held-1", 6, "new@acme.example", "x@customer.example")]
    data = "\n".join(json.dumps(line) for line in lines).encode()
    assert service.import_conversations(rt, ORG, data, filename="x.jsonl").added == 4
    service.match_stored_conversations(rt, ORG)


def test_match_counts_cover_every_status_and_held_wins(rt: Runtime) -> None:
    import_and_match(rt)
    summary = dashboard.match_summary(rt, ORG)
    assert summary.counts == {"matched": 0, "partial": 0, "ambiguous": 0, "unmatched": 2, "internal": 1, "held": 1,
                              "not matched yet": 0}
    assert summary.total == 4
    assert summary.rate == 0.0


def test_matches_per_day_source_user_and_reason(rt: Runtime) -> None:
    import_and_match(rt)
    summary = dashboard.match_summary(rt, ORG)
    daily = summary.daily.pivot_table(index="day", columns="status", values="conversations", fill_value=0)
    day5, day6 = (datetime(2026, 1, d, tzinfo=UTC) for d in (5, 6))
    assert daily.loc[day5, ["unmatched", "internal", "held"]].tolist() == [1, 1, 0]
    assert daily.loc[day6, ["unmatched", "internal", "held"]].tolist() == [1, 0, 1]
    assert summary.by_kind.set_index("kind").loc["meeting"].sum() == 4
    by_user = summary.by_user.set_index("user")
    assert by_user.loc["rep@acme.example", ["conversations", "unmatched", "internal"]].tolist() == [3, 2, 1]
    assert by_user.loc["rep@acme.example", "match rate"] == 0.0
    assert by_user.loc["new@acme.example", "held"] == 1
    by_reason = summary.by_reason.set_index(["reason", "status"])["conversations"].to_dict()
    assert by_reason == {("company domain not in Zoho", "unmatched"): 2,
                         ("internal: only the org's people", "internal"): 1,
                         ("held: the user has no Zoho user", "held"): 1}


def test_filters_narrow_the_summary_to_a_source_and_a_period(rt: Runtime) -> None:
    import_and_match(rt)
    since_day6 = ConversationFilter(since=datetime(2026, 1, 6, tzinfo=UTC))
    assert dashboard.match_summary(rt, ORG, since_day6).counts["unmatched"] == 1
    assert dashboard.match_summary(rt, ORG, ConversationFilter(kinds=("call",))).total == 0


def test_drill_down_lists_unmatched_newest_first_with_the_reason_category(rt: Runtime) -> None:
    import_and_match(rt)
    table = dashboard.drill_down(rt, ORG)
    assert table["conversation_id"].tolist() == ["unknown-2", "unknown-1"]
    assert set(table["why"]) == {"company domain not in Zoho"}
    assert all("customer.example" in why for why in table["reasons"])
    assert dashboard.drill_down(rt, ORG, reason="phone number not in Zoho").empty
    one_user = dashboard.drill_down(rt, ORG, ConversationFilter(users=("nobody@acme.example",)))
    assert one_user.empty


def test_an_org_without_conversations_has_empty_figures(rt: Runtime) -> None:
    summary = dashboard.match_summary(rt, ORG)
    assert set(summary.counts.values()) == {0}
    assert summary.rate is None
    assert summary.by_user.empty and summary.by_reason.empty
    assert dashboard.drill_down(rt, ORG).empty


def test_the_initial_sync_is_reported_with_its_credits_and_day(rt: Runtime) -> None:
    feed(rt)
    initial = dashboard.initial_sync(rt, ORG)
    assert initial is not None
    assert (initial.credits, initial.calls) == (10_000, 1)
    assert initial.peak_day == datetime(2026, 1, 10, tzinfo=UTC)
    assert dashboard.initial_sync(rt, "other") is None


def test_credits_over_time_sets_the_initial_sync_apart(rt: Runtime) -> None:
    feed(rt)
    series = dashboard.credits_over_time(rt, ORG, NOW, days=2).set_index("start")
    assert len(series) == 48
    assert series.loc[NOW - timedelta(hours=10), ["credits", "initial_credits"]].tolist() == [10_000, 10_000]
    assert series["initial_credits"].sum() == 10_000
    daily = dashboard.credits_over_time(rt, ORG, NOW, days=3, bucket="day")
    assert daily["credits"].sum() == 18_000
