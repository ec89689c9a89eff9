"""What each call costs in Zoho API credits — our own table, written from Zoho's docs (zoho-api.md §2).

Kept independent of the emulator on purpose: the ledger built from this table is checked against
the emulator's usage figure, so a mistake on either side shows up as a mismatch.

Failed calls: Zoho does not document whether rejected calls are charged. We assume what the emulator
does by default: 401, 429, 5xx and unanswered calls cost nothing (Zoho refused before working); any
other 4xx costs 1 — or the full price when Zoho processed the records and answered per record (a
write where every record failed). A path that matches no API (404 INVALID_URL_PATTERN, 405) costs 0.
"""
from __future__ import annotations

import math

FLAT_COSTS: dict[str, int] = {
    "org": 1, "users.list": 1, "users.get": 1,
    "settings.modules": 1, "settings.fields": 1, "settings.layouts": 1, "settings.pipeline": 1,
    "records.list": 1, "records.get": 1, "records.search": 1, "records.delete": 1,
    "records.deleted": 2,
    "bulk.create": 50, "bulk.status": 1, "bulk.download": 1,
    "oauth.exchange": 0, "oauth.refresh": 0, "oauth.revoke": 0,
}
PER_TEN_RECORDS = frozenset({"records.insert", "records.update", "records.upsert"})
CVID_READ_COST = 3
COQL_DEFAULT_LIMIT = 200
NO_API_CODES = frozenset({"INVALID_URL_PATTERN", "METHOD_NOT_ALLOWED"})


def write_cost(record_count: int) -> int:
    """1 credit per 10 records, rounded up, at least 1."""
    return max(1, math.ceil(record_count / 10))


def coql_cost(limit: int) -> int:
    """COQL is priced by LIMIT: 1-200 -> 1, 201-1,000 -> 2, 1,001-2,000 -> 3."""
    if limit <= 200:
        return 1
    return 2 if limit <= 1000 else 3


def call_cost(api: str, *, record_count: int = 0, coql_limit: int = COQL_DEFAULT_LIMIT, cvid: bool = False) -> int:
    """The price of a successful call to ``api`` (names as in :class:`~sync_engine.zoho.calls.ApiCall`)."""
    if api in PER_TEN_RECORDS:
        return write_cost(record_count)
    if api == "coql":
        return coql_cost(coql_limit)
    if api == "records.list" and cvid:
        return CVID_READ_COST
    if api.startswith("oauth."):
        return 0
    return FLAT_COSTS.get(api, 1)


def charged(price: int, http_status: int, zoho_code: str | None = None, *, records_processed: bool = False) -> int:
    """What a call that would cost ``price`` was actually charged, given how Zoho answered."""
    if price == 0 or http_status == 0 or http_status in (401, 429) or http_status >= 500:
        return 0
    if http_status < 400 or records_processed:
        return price
    return 0 if zoho_code in NO_API_CODES else 1
