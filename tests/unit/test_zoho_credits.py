"""Our own credit table (zoho-api.md §2) and how failed calls are charged."""
from __future__ import annotations

import pytest

from sync_engine.zoho.credits import call_cost, charged, coql_cost, write_cost


@pytest.mark.parametrize("api, cost", [
    ("org", 1), ("users.list", 1), ("settings.fields", 1), ("settings.pipeline", 1), ("records.list", 1),
    ("records.get", 1), ("records.search", 1), ("records.delete", 1), ("records.deleted", 2),
    ("bulk.create", 50), ("bulk.status", 1), ("bulk.download", 1), ("oauth.refresh", 0), ("oauth.exchange", 0)])
def test_flat_costs(api, cost):
    assert call_cost(api) == cost


@pytest.mark.parametrize("records, cost", [(0, 1), (1, 1), (10, 1), (11, 2), (99, 10), (100, 10)])
def test_writes_cost_one_credit_per_ten_records(records, cost):
    assert write_cost(records) == cost
    assert call_cost("records.upsert", record_count=records) == cost


@pytest.mark.parametrize("limit, cost", [(1, 1), (200, 1), (201, 2), (1000, 2), (1001, 3), (2000, 3)])
def test_coql_is_priced_by_limit(limit, cost):
    assert coql_cost(limit) == cost == call_cost("coql", coql_limit=limit)


def test_reads_by_custom_view_cost_three():
    assert call_cost("records.list", cvid=True) == 3


@pytest.mark.parametrize("status, code, processed, expected", [
    (200, None, False, 3), (201, None, False, 3), (204, None, False, 3), (207, None, False, 3), (304, None, False, 3),
    (401, "INVALID_TOKEN", False, 0), (401, "OAUTH_SCOPE_MISMATCH", False, 0), (429, "TOO_MANY_REQUESTS", False, 0),
    (500, "INTERNAL_ERROR", False, 0), (0, None, False, 0),
    (400, "INVALID_DATA", False, 1), (404, "RESOURCE_NOT_FOUND", False, 1), (404, "INVALID_URL_PATTERN", False, 0),
    (400, "MANDATORY_NOT_FOUND", True, 3), (412, "ALREADY_MODIFIED", True, 3)])
def test_failed_calls(status, code, processed, expected):
    assert charged(3, status, code, records_processed=processed) == expected


def test_free_calls_stay_free():
    assert charged(0, 400, "x") == 0
