"""Specification of how the mirror spends credits: the initial method per module and the polling plan."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sync_engine.mirror.plan import (
    CHANGES,
    DEFAULT_PLAN,
    DELETIONS,
    SETTINGS,
    USERS,
    Task,
    bulk_pull_cost,
    choose_method,
    coql_page_limit,
    coql_pull_cost,
    list_pull_cost,
    mirror_budget,
    plan_for_budget,
)

T0 = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("rows", "credits"), [(0, 1), (150, 1), (200, 1), (201, 2), (1_000, 2), (1_001, 3),
                                               (2_000, 3), (2_001, 4), (2_300, 5), (100_000, 150)])
def test_coql_pull_costs_three_credits_per_2000_rows_and_the_last_page_by_its_band(rows, credits):
    assert coql_pull_cost(rows) == credits


@pytest.mark.parametrize(("rows", "credits"), [(1, 53), (200_000, 53), (200_001, 106)])
def test_bulk_read_costs_a_job_and_its_polls_per_200000_rows(rows, credits):
    assert bulk_pull_cost(rows) == credits


def test_paged_list_reads_never_beat_coql():
    assert all(list_pull_cost(n) >= coql_pull_cost(n) for n in range(0, 50_000, 97))


@pytest.mark.parametrize(("rows", "method"), [(0, "coql"), (400, "coql"), (10_000, "coql"), (25_000, "coql"),
                                              (35_000, "coql"), (36_000, "bulk"), (100_000, "bulk"),
                                              (1_000_000, "bulk")])
def test_the_cheaper_method_is_chosen_by_record_count(rows, method):
    choice = choose_method(rows)
    assert choice.method == method
    assert choice.credits == min(choice.costs["bulk"], choice.costs["coql"])
    assert f"{rows:,} records" in choice.reason


def test_a_threshold_forces_the_method_either_way():
    assert choose_method(10, bulk_threshold=10).method == "bulk"
    assert choose_method(100_000, bulk_threshold=100_001).method == "coql"
    assert "forced" in choose_method(10, bulk_threshold=1).reason


@pytest.mark.parametrize(("remaining", "limit"), [(1, 200), (200, 200), (201, 1_000), (1_000, 1_000),
                                                  (1_001, 2_000), (50_000, 2_000)])
def test_each_coql_page_asks_for_the_cheapest_band_that_holds_what_is_left(remaining, limit):
    assert coql_page_limit(remaining) == limit


def test_a_smaller_page_size_caps_the_limit():
    assert coql_page_limit(5_000, page_rows=500) == 500
    assert coql_page_limit(150, page_rows=500) == 200


def test_the_default_plan_costs_939_credits_on_a_quiet_day():
    assert DEFAULT_PLAN.daily_credits() == 2 * 288 + 2 * 96 + 2 * 2 * 24 + 2 * 2 * 12 + 24 + 3 == 939


def test_an_ample_budget_keeps_the_default_plan():
    assert plan_for_budget(mirror_budget(100_000, 0.2)) is DEFAULT_PLAN
    assert plan_for_budget(None) is DEFAULT_PLAN


def test_a_small_budget_stretches_every_interval_until_the_plan_fits():
    plan = plan_for_budget(500)
    assert plan.daily_credits() <= 0.8 * 500
    assert plan.changes["Contacts"] > DEFAULT_PLAN.changes["Contacts"]
    ratio = plan.users / DEFAULT_PLAN.users
    assert plan.changes["Deals"] / DEFAULT_PLAN.changes["Deals"] == pytest.approx(ratio, rel=0.01)


def test_everything_is_due_at_first_then_each_poll_on_its_interval():
    everything = DEFAULT_PLAN.due({}, T0)
    assert {str(t) for t in everything} == {"changes:Contacts", "changes:Leads", "changes:Accounts", "changes:Deals",
                                            "deletions:Contacts", "deletions:Leads", "deletions:Accounts",
                                            "deletions:Deals", "users", "settings"}
    ran = dict.fromkeys(everything, T0)
    assert DEFAULT_PLAN.due(ran, T0 + timedelta(minutes=5)) == [Task(CHANGES, "Contacts"), Task(CHANGES, "Leads")]
    at_15 = DEFAULT_PLAN.due(ran, T0 + timedelta(minutes=15))
    assert Task(CHANGES, "Deals") in at_15 and Task(DELETIONS, "Contacts") not in at_15
    at_60 = DEFAULT_PLAN.due(ran, T0 + timedelta(minutes=60))
    assert {Task(DELETIONS, "Contacts"), Task(USERS)} <= set(at_60) and Task(DELETIONS, "Deals") not in at_60
    assert Task(SETTINGS) in DEFAULT_PLAN.due(ran, T0 + timedelta(days=1))


def test_a_cycle_that_fires_a_little_early_still_finds_its_poll_due():
    ran = dict.fromkeys(DEFAULT_PLAN.due({}, T0), T0)
    assert Task(CHANGES, "Contacts") in DEFAULT_PLAN.due(ran, T0 + timedelta(minutes=4, seconds=45))
    assert DEFAULT_PLAN.due(ran, T0 + timedelta(minutes=4)) == []
