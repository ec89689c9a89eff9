"""Zoho's rules as plain objects, tested without HTTP (credits, windows, scopes, costs)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from zoho_emulator.engine.clock import Clock
from zoho_emulator.engine.costs import coql_cost, cost_of, write_cost
from zoho_emulator.engine.metering import CreditWindow, Gate
from zoho_emulator.engine.oauth import scope_grants
from zoho_emulator.model.editions import limits_for

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
LIMITS_DOC = "https://www.zoho.com/crm/developer/docs/api/v8/api-limits.html"


@pytest.mark.parametrize(("edition", "licences", "expected"), [
    ("free", 3, 5_000),
    ("standard", 10, 52_500),
    ("standard", 1_000, 100_000),  # capped
    ("professional", 10, 55_000),
    ("professional", 10_000, 3_000_000),  # capped
    ("enterprise", 50, 100_000),
    ("enterprise", 10_000, 5_000_000),  # capped
    ("ultimate", 50, 150_000),
    ("ultimate", 10_000, 20_050_000),  # no cap
])
def test_daily_credits_follow_the_edition_formula_and_caps(edition: str, licences: int, expected: int) -> None:
    """50,000 + per-licence credits, capped per edition (api-limits)."""
    assert limits_for(edition).daily_credits(licences) == expected


def test_add_on_credits_come_on_top_of_the_allowance() -> None:
    """Add-on credits can be bought on top of the edition's allowance (api-limits)."""
    assert limits_for("enterprise").daily_credits(50, add_ons=10_000) == 110_000


@pytest.mark.parametrize(("edition", "concurrency"), [
    ("free", 5), ("standard", 10), ("professional", 15), ("enterprise", 20), ("ultimate", 25)])
def test_concurrency_limit_per_edition(edition: str, concurrency: int) -> None:
    """Concurrent calls per org and app: 5/10/15/20/25 (api-limits)."""
    assert limits_for(edition).concurrency == concurrency


def test_unknown_edition_is_refused_with_the_known_ones_named() -> None:
    with pytest.raises(ValueError, match="enterprise"):
        limits_for("platinum")


def test_credits_return_24_hours_after_they_were_spent() -> None:
    """The allowance is a rolling 24 h window (api-limits)."""
    window = CreditWindow()
    window.charge(T0, 10)
    window.charge(T0 + timedelta(hours=12), 5)
    assert window.used(T0 + timedelta(hours=12)) == 15
    assert window.used(T0 + timedelta(hours=24)) == 5
    assert window.used(T0 + timedelta(hours=36, seconds=1)) == 0
    assert window.total() == 15


def test_credit_window_stays_right_when_the_clock_is_set_back() -> None:
    window = CreditWindow()
    window.charge(T0 + timedelta(hours=5), 7)
    window.charge(T0, 3)
    assert window.used(T0 + timedelta(hours=1)) == 3
    assert window.used(T0 + timedelta(hours=6)) == 10


@pytest.mark.parametrize(("records", "credits"), [(1, 1), (10, 1), (11, 2), (25, 3), (100, 10)])
def test_writes_cost_one_credit_per_ten_records(records: int, credits: int) -> None:
    """Insert/update/upsert: 1 credit per 10 records, rounded up (``/__apis`` min 1, max 10)."""
    assert write_cost(records) == credits
    assert cost_of("records.upsert", record_count=records) == credits


@pytest.mark.parametrize(("limit", "credits"), [(1, 1), (200, 1), (201, 2), (1000, 2), (1001, 3), (2000, 3)])
def test_coql_is_priced_by_its_limit(limit: int, credits: int) -> None:
    """COQL: LIMIT 1-200 -> 1, 201-1,000 -> 2, 1,001-2,000 -> 3 (COQL overview)."""
    assert coql_cost(limit) == credits


def test_flat_costs_of_reads_deleted_records_and_bulk_read() -> None:
    """Get records 1, with cvid 3, deleted records 2, bulk read job 50 (api-limits, ``/__apis``)."""
    assert cost_of("records.list") == 1
    assert cost_of("records.list", cvid=True) == 3
    assert cost_of("records.deleted") == 2
    assert cost_of("bulk.create") == 50


@pytest.mark.parametrize(("granted", "required", "ok"), [
    ({"ZohoCRM.modules.ALL"}, "ZohoCRM.modules.contacts.READ", True),
    ({"ZohoCRM.modules.READ"}, "ZohoCRM.modules.contacts.CREATE", False),
    ({"ZohoCRM.modules.contacts.WRITE"}, "ZohoCRM.modules.contacts.DELETE", True),
    ({"ZohoCRM.modules.contacts.READ"}, "ZohoCRM.modules.leads.READ", False),
    ({"ZohoCRM.bulk.read"}, "ZohoCRM.bulk.READ", True),
    ({"ZohoCRM.settings.ALL"}, "ZohoCRM.settings.fields.READ", True),
    ({"ZohoCRM.users.READ"}, "ZohoCRM.org.READ", False),
    ({"ZohoCRM.ALL"}, "ZohoCRM.modules.contacts.READ", False),
])
def test_scopes_cover_their_operations_and_children(granted: set[str], required: str, ok: bool) -> None:
    """Scope format Service.scope.OPERATION; ALL covers all, WRITE covers create/update/delete (scopes page)."""
    assert scope_grants(frozenset(granted), required) is ok


def test_gate_refuses_past_capacity_instead_of_queueing() -> None:
    """Over the concurrency limit Zoho answers 429 at once (api-limits)."""
    gate = Gate(2)
    assert gate.try_enter() and gate.try_enter()
    assert not gate.try_enter()
    gate.leave()
    assert gate.try_enter()
    assert gate.peak == 2


def test_clock_advances_and_freezes_without_waiting() -> None:
    clock = Clock()
    clock.freeze()
    start = clock.now()
    assert clock.advance(86_400) == start + timedelta(days=1)
    clock.set(T0)
    assert clock.now() == T0
    with pytest.raises(ValueError):
        clock.set(datetime(2026, 1, 1))


def test_page_tokens_stop_at_100000_rows_with_pagination_limit_exceeded() -> None:
    """page_token reaches at most 100,000 rows; beyond -> PAGINATION_LIMIT_EXCEEDED (get-records v8)."""
    from zoho_emulator.engine.errors import ZohoError
    from zoho_emulator.engine.listing import PageTokens, paginate

    ordered = [str(i) for i in range(100_300)]
    tokens, seen, token = PageTokens(), 0, None
    page = paginate(ordered, page_raw=None, per_page=200, token_raw=None, tokens=tokens, user_id="u",
                    binding="b", now=T0)
    while True:
        seen += len(page.ids)
        token = page.next_page_token
        assert token is not None
        try:
            page = paginate(ordered, page_raw=None, per_page=200, token_raw=token, tokens=tokens, user_id="u",
                            binding="b", now=T0)
        except ZohoError as err:
            assert err.code == "PAGINATION_LIMIT_EXCEEDED"
            break
    assert seen == 100_000
