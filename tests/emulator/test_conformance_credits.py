"""API credits, daily allowance, rolling window, concurrency and sub-concurrency (zoho-api.md §2).

Costs are read two ways: from the usage counter (what the allowance sees) and from the call log's
``credits`` column for the call just made.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

API_LIMITS = "https://www.zoho.com/crm/developer/docs/api/v8/api-limits.html"
LATENCY_MS = 800  # long enough that calls overlap even on a busy 2-core machine


def charged(ctl, before: int) -> int:
    """Credits the last call cost: the usage delta, which must equal the call log's entry."""
    used = ctl.usage()["used_24h"] - before
    assert ctl.last_call()["credits"] == used
    return used


def cost_of(crm, ctl, method: str, path: str, **kw) -> tuple[int, requests.Response]:
    before = ctl.usage()["used_24h"]
    response = crm.request(method, path, **kw)
    return charged(ctl, before), response


def contacts(n: int) -> dict:
    return {"data": [{"Last_Name": f"Credit {i}"} for i in range(n)]}


def fire(n: int, call: Callable[[], requests.Response]) -> list[tuple[int, str | None]]:
    """n requests released together; (status, Zoho code) for each."""
    barrier = threading.Barrier(n)

    def one(_: int) -> tuple[int, str | None]:
        barrier.wait()
        r = call()
        return r.status_code, (r.json().get("code") if r.status_code >= 400 else None)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


# -- cost per call -------------------------------------------------------------------------------

def test_list_costs_1_credit(crm, ctl):
    """Get Records (≤200 rows) costs 1 credit.
    https://www.zoho.com/crm/developer/docs/api/v8/api-limits.html"""
    credits, r = cost_of(crm, ctl, "GET", "Contacts", params={"fields": "Last_Name"})
    assert r.status_code == 200 and credits == 1


def test_get_by_id_costs_1_credit(crm, ctl):
    """Get a record by id costs 1 credit.
    https://www.zoho.com/crm/developer/docs/api/v8/api-limits.html"""
    credits, r = cost_of(crm, ctl, "GET", f"Contacts/{crm.em.seed.contacts[0]}")
    assert r.status_code == 200 and credits == 1


@pytest.mark.parametrize("path", ["org", "users", "settings/modules", "settings/fields?module=Deals",
                                  "settings/layouts?module=Deals", "__apis"])
def test_metadata_calls_cost_1_credit(crm, ctl, path):
    """Users, org, modules, fields, layouts and /__apis cost 1 credit each.
    https://www.zoho.com/crm/developer/docs/api/v8/api-limits.html"""
    credits, r = cost_of(crm, ctl, "GET", path)
    assert r.status_code == 200 and credits == 1


@pytest.mark.parametrize(("records", "expected"), [(1, 1), (10, 1), (11, 2), (25, 3), (100, 10)])
def test_insert_costs_1_credit_per_10_records(crm, ctl, records, expected):
    """Insert costs 1 credit per 10 records, rounded up (25 records → 3; 100 → 10).
    https://www.zoho.com/crm/developer/docs/api/v8/api-limits.html ·
    https://www.zoho.com/crm/developer/docs/api/v7/list-available-rest-apis.html"""
    credits, r = cost_of(crm, ctl, "POST", "Contacts", json=contacts(records))
    assert r.status_code == 201 and credits == expected


def test_update_costs_1_credit_per_10_records(crm, ctl):
    """Update is priced like insert: 12 records → 2 credits.
    https://www.zoho.com/crm/developer/docs/api/v8/api-limits.html"""
    seed = crm.em.seed
    ids = (seed.contacts * 3)[:12]
    credits, r = cost_of(crm, ctl, "PUT", "Contacts", json={"data": [{"id": i, "Title": "VP"} for i in ids]})
    assert r.status_code == 200 and credits == 2


def test_upsert_costs_1_credit_per_10_records(crm, ctl):
    """Upsert is priced like insert: 21 records → 3 credits (/__apis: min 1, max 10).
    https://www.zoho.com/crm/developer/docs/api/v7/list-available-rest-apis.html"""
    credits, r = cost_of(crm, ctl, "POST", "Contacts/upsert", json=contacts(21))
    assert r.status_code in (200, 201) and credits == 3


def test_delete_costs_1_credit(crm, ctl):
    """Delete records costs 1 credit (per-10 pricing unverified).
    https://www.zoho.com/crm/developer/docs/api/v8/api-limits.html"""
    seed = crm.em.seed
    credits, r = cost_of(crm, ctl, "DELETE", "Contacts", params={"ids": ",".join(seed.contacts[:3])})
    assert r.status_code == 200 and credits == 1


def test_deleted_records_cost_2_credits(crm, ctl):
    """GET /{module}/deleted costs 2 credits (Zoho's own /__apis sample).
    https://www.zoho.com/crm/developer/docs/api/v7/list-available-rest-apis.html ·
    https://www.zoho.com/crm/developer/docs/api/v8/get-deleted-records.html"""
    crm.delete("Contacts", params={"ids": crm.em.seed.contacts[0]})
    credits, r = cost_of(crm, ctl, "GET", "Contacts/deleted", params={"type": "recycle"})
    assert r.status_code == 200 and credits == 2


@pytest.mark.parametrize(("limit", "expected"), [(None, 1), (200, 1), (201, 2), (1000, 2), (1001, 3), (2000, 3)])
def test_coql_costs_by_limit(crm, ctl, limit, expected):
    """COQL is priced by LIMIT: 1-200 → 1, 201-1,000 → 2, 1,001-2,000 → 3 (default LIMIT 200).
    https://www.zoho.com/crm/developer/docs/api/COQL-Overview.html"""
    query = "select Last_Name, Email from Contacts where Last_Name is not null"
    if limit is not None:
        query += f" limit {limit}"
    credits, r = cost_of(crm, ctl, "POST", "coql", json={"select_query": query})
    assert r.status_code == 200, r.text
    assert credits == expected


def test_search_costs_1_credit(crm, ctl):
    """Search costs 1 credit (not separately listed: unverified).
    https://www.zoho.com/crm/developer/docs/api/v8/search-records.html"""
    credits, r = cost_of(crm, ctl, "GET", "Contacts/search", params={"email": "marco.rossi@example.org"})
    assert r.status_code == 200 and credits == 1


# -- the daily allowance -------------------------------------------------------------------------

@pytest.mark.parametrize(("edition", "licences", "expected"), [
    ("free", 3, 5_000),
    ("standard", 10, 52_500),
    ("standard", 1_000, 100_000),            # capped
    ("professional", 10, 55_000),
    ("professional", 10_000, 3_000_000),     # capped
    ("enterprise", 50, 100_000),
    ("enterprise", 10_000, 5_000_000),       # capped
    ("ultimate", 50, 150_000),
    ("ultimate", 10_000, 20_050_000),        # no cap
])
def test_daily_limit_from_edition_and_licences(make_emulator, control, edition, licences, expected):
    """Credits per 24 h: Free 5,000; Standard 50,000+250/licence (cap 100,000); Professional +500 (cap
    3,000,000); Enterprise +1,000 (cap 5,000,000); Ultimate +2,000 (no cap).
    https://www.zoho.com/crm/developer/docs/api/v8/api-limits.html ·
    https://help.zoho.com/portal/en/community/topic/credit-calculation-and-concurrency-in-zoho-crm-apis"""
    em = make_emulator(edition=edition, licences=licences)
    usage = control(em).usage()
    assert usage["daily_limit"] == expected
    assert usage["remaining"] == expected and usage["used_24h"] == 0


def test_credits_come_back_after_24_hours(emulator, token, api, ctl):
    """The window is rolling: credits spent at t count until t+24 h, then come back.
    https://www.zoho.com/crm/developer/docs/api/v8/api-limits.html"""
    for _ in range(3):
        api(emulator, token(emulator)).get("Contacts", params={"fields": "Last_Name"})
    assert ctl.usage()["used_24h"] == 3
    ctl.advance(12 * 3600)
    crm = api(emulator, token(emulator))
    crm.get("Contacts", params={"fields": "Last_Name"})
    crm.get("Contacts", params={"fields": "Last_Name"})
    assert ctl.usage()["used_24h"] == 5
    ctl.advance(12 * 3600)
    assert ctl.usage()["used_24h"] == 2
    ctl.advance(12 * 3600)
    assert ctl.usage()["used_24h"] == 0


def test_exhausted_credits_answer_429_too_many_requests(emulator, token, api, ctl, zoho_error):
    """With the allowance spent every call → 429 TOO_MANY_REQUESTS; 24 h later calls work again.
    https://www.zoho.com/crm/developer/docs/api/v8/api-limits.html · https://www.zoho.com/crm/help/api/error-messages.html"""
    crm = api(emulator, token(emulator))
    assert ctl.post("credits/exhaust")["remaining"] == 0
    zoho_error(crm.get("Contacts", params={"fields": "Last_Name"}), 429, "TOO_MANY_REQUESTS")
    zoho_error(crm.get("org"), 429, "TOO_MANY_REQUESTS")
    ctl.advance(24 * 3600 + 1)
    assert api(emulator, token(emulator)).get("org").status_code == 200


def test_exhausted_allowance_refuses_even_malformed_calls(crm, ctl, zoho_error):
    """Every call is checked against the allowance first: when it is spent a malformed call is 429 too,
    and the allowance is never overdrawn.
    https://www.zoho.com/crm/developer/docs/api/v8/api-limits.html"""
    ctl.post("credits/exhaust")
    zoho_error(crm.get("Contacts"), 429, "TOO_MANY_REQUESTS")  # no fields: would be 400
    zoho_error(crm.get("Widgets", params={"fields": "Name"}), 429, "TOO_MANY_REQUESTS")
    usage = ctl.usage()
    assert usage["used_24h"] == usage["daily_limit"] and usage["remaining"] == 0


def test_a_call_costing_more_than_remains_is_refused(crm, ctl, zoho_error):
    """Each call is checked against what is left of the allowance: 2 credits left, a 3-credit insert → 429.
    https://www.zoho.com/crm/developer/docs/api/v8/api-limits.html"""
    ctl.post("credits/exhaust", {"leave": 2})
    zoho_error(crm.post("Contacts", json=contacts(25)), 429, "TOO_MANY_REQUESTS")
    assert crm.post("Contacts", json=contacts(20)).status_code == 201


def test_credits_remaining_header_only_from_half_used(crm, ctl):
    """X-API-CREDITS-REMAINING appears only once usage in the window reaches 50 % of the allowance.
    https://www.zoho.com/crm/developer/docs/api/v8/api-limits.html"""
    limit = ctl.usage()["daily_limit"]
    first = crm.get("org")
    assert "X-API-CREDITS-REMAINING" not in first.headers
    ctl.post("credits/exhaust", {"leave": limit - limit // 2 + 2})  # used = half - 2
    below = crm.get("org")  # used = half - 1
    assert "X-API-CREDITS-REMAINING" not in below.headers
    at_half = crm.get("org")  # used = half
    assert at_half.headers["X-API-CREDITS-REMAINING"] == str(limit - limit // 2)
    assert crm.get("org").headers["X-API-CREDITS-REMAINING"] == str(limit - limit // 2 - 1)
    assert not any(h.lower().startswith("x-ratelimit") for h in at_half.headers)


def test_call_log_sums_to_the_usage_total(crm, ctl):
    """Keep our own ledger (Zoho's dashboard lags): the call log's credits add up to what was charged.
    https://www.zoho.com/crm/developer/docs/api/v8/api-limits.html"""
    seed = crm.em.seed
    crm.get("Contacts", params={"fields": "Last_Name"})
    crm.post("Contacts", json=contacts(25))
    crm.put("Contacts", json={"data": [{"id": seed.contacts[0], "Title": "VP"}]})
    crm.delete("Contacts", params={"ids": seed.contacts[1]})
    crm.get("Contacts/deleted")
    crm.get("Contacts")  # an error call
    crm.get("settings/fields", params={"module": "Leads"})
    calls = ctl.calls()
    assert len(calls) == 7
    usage = ctl.usage()
    assert sum(c["credits"] for c in calls) == usage["used_24h"] == usage["total_charged"]
    assert [c["credits"] for c in calls][:5] == [1, 3, 1, 1, 2]


# -- concurrency ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("edition", "limit"), [("free", 5), ("standard", 10), ("professional", 15),
                                                ("enterprise", 20), ("ultimate", 25)])
def test_concurrency_limit_per_edition(make_emulator, token, api, control, edition, limit):
    """In-flight calls per org and client app: Free 5, Standard 10, Professional 15, Enterprise 20,
    Ultimate 25; over → 429 TOO_MANY_REQUESTS, at the limit none.
    https://www.zoho.com/crm/developer/docs/api/v8/api-limits.html · airbytehq/airbyte source-zoho-crm/api.py"""
    em = make_emulator(edition=edition, licences=10)
    crm = api(em, token(em))
    control(em).post("faults", {"latency_ms": LATENCY_MS})

    def plain_read() -> requests.Response:
        return requests.get(crm.url("Contacts"), params={"fields": "Last_Name"}, timeout=10,
                            headers={"Authorization": f"Zoho-oauthtoken {crm.access_token}"})

    over = fire(limit + 5, plain_read)
    rejected = [code for status, code in over if status == 429]
    assert rejected and set(rejected) == {"TOO_MANY_REQUESTS"}
    assert sum(status == 200 for status, _ in over) >= limit
    assert all(status in (200, 429) for status, _ in over)
    at_limit = fire(limit, plain_read)
    assert [status for status, _ in at_limit] == [200] * limit


def _sub_pool_emulator(make_emulator, token, api, control):
    em = make_emulator(edition="ultimate", licences=10)  # 25 concurrent calls: the pool of 10 binds first
    crm = api(em, token(em))
    control(em).post("faults", {"latency_ms": LATENCY_MS})
    auth = {"Authorization": f"Zoho-oauthtoken {crm.access_token}"}
    return crm, auth


def test_sort_by_reads_share_a_sub_concurrency_pool_of_10(make_emulator, token, api, control):
    """Get Records with sort_by is a "complex" call: 10 at a time on every edition, more → 429.
    https://help.zoho.com/portal/en/community/topic/sub-concurrency-for-complex-apis ·
    https://www.zoho.com/crm/developer/docs/api/v8/api-limits.html"""
    crm, auth = _sub_pool_emulator(make_emulator, token, api, control)

    def read(sort: bool) -> Callable[[], requests.Response]:
        params = {"fields": "Last_Name", **({"sort_by": "Modified_Time"} if sort else {})}
        return lambda: requests.get(crm.url("Contacts"), params=params, headers=auth, timeout=10)

    sorted_reads = fire(15, read(True))
    assert [code for status, code in sorted_reads if status != 200] and \
        {code for status, code in sorted_reads if status != 200} == {"TOO_MANY_REQUESTS"}
    assert sum(status == 200 for status, _ in sorted_reads) >= 10
    assert [status for status, _ in fire(10, read(True))] == [200] * 10
    assert [status for status, _ in fire(15, read(False))] == [200] * 15  # plain reads: not complex


def test_inserts_of_more_than_10_records_share_the_sub_concurrency_pool(make_emulator, token, api, control):
    """Insert/update/upsert with more than 10 records are "complex": 10 at a time, more → 429.
    https://help.zoho.com/portal/en/community/topic/sub-concurrency-for-complex-apis"""
    crm, auth = _sub_pool_emulator(make_emulator, token, api, control)

    def insert(n: int) -> Callable[[], requests.Response]:
        return lambda: requests.post(crm.url("Contacts"), json=contacts(n), headers=auth, timeout=10)

    big = fire(15, insert(11))
    assert {code for status, code in big if status != 201} == {"TOO_MANY_REQUESTS"}
    assert sum(status == 201 for status, _ in big) >= 10
    assert [status for status, _ in fire(15, insert(10))] == [201] * 15
