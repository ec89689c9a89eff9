"""Get Records: filtering, sorting, page/per_page and page_token, as Zoho enforces them.

https://www.zoho.com/crm/developer/docs/api/v8/get-records.html (zoho-api.md §3): ``fields`` is
mandatory (at most 50), ``per_page`` at most 200, ``page`` only reaches the first 2,000 rows, after
which ``page_token`` (bound to the user and the parameters, valid 24 h, 100,000 rows at most) must
be used.
"""
from __future__ import annotations

import hashlib
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from zoho_emulator.engine.errors import ZohoError
from zoho_emulator.model.org import OrgData

MAX_FIELDS = 50
MAX_PER_PAGE = 200
DISCRETE_LIMIT = 2_000
TOKEN_LIMIT = 100_000
TOKEN_LIFETIME = timedelta(hours=24)
SORTABLE = ("id", "Created_Time", "Modified_Time")


@dataclass(frozen=True)
class ListQuery:
    module: str
    sort_by: str = "id"
    sort_order: str = "desc"
    modified_since: datetime | None = None
    ids: tuple[str, ...] = ()
    converted: str = "false"

    def binding(self, fields: tuple[str, ...], per_page: int) -> str:
        """What a page_token is bound to: every parameter but the position."""
        raw = repr((self, fields, per_page))
        return hashlib.sha256(raw.encode()).hexdigest()


@dataclass
class PageToken:
    user_id: str
    binding: str
    offset: int
    page: int
    issued_at: datetime


def parse_fields(raw: str | None, known: set[str]) -> tuple[str, ...]:
    if raw is None or not raw.strip():
        raise ZohoError("REQUIRED_PARAM_MISSING", "One of the expected parameter is missing",
                        {"param_name": "fields"})
    names = tuple(dict.fromkeys(n.strip() for n in raw.split(",") if n.strip()))
    if len(names) > MAX_FIELDS:
        raise ZohoError("LIMIT_EXCEEDED", "the number of fields exceeds the limit",
                        {"param_name": "fields", "limit": MAX_FIELDS})
    for name in names:
        if name not in known:
            raise ZohoError("INVALID_DATA", "invalid data", {"api_name": name, "param_name": "fields"})
    return names


def parse_int_param(raw: str | None, name: str, default: int, lo: int, hi: int) -> int:
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ZohoError("INVALID_DATA", "invalid data", {"param_name": name, "expected_data_type": "integer"}) from None
    if not lo <= value <= hi:
        raise ZohoError("INVALID_DATA", "invalid data", {"param_name": name, "minimum": lo, "maximum": hi})
    return value


def _sort_key(sort_by: str):
    if sort_by == "id":
        return lambda r: int(r["id"])
    return lambda r: (r[sort_by], int(r["id"]))


class ListingCache:
    """Ordered id lists per query, reused while the module's table is unchanged."""

    def __init__(self, size: int = 32) -> None:
        self._cache: OrderedDict[tuple[Any, ...], list[str]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def ordered_ids(self, data: OrgData, query: ListQuery) -> list[str]:
        table = data.table(query.module)
        key = (query, table.version, id(data))
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        ids = self._compute(data, query)
        with self._lock:
            self._cache[key] = ids
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return ids

    @staticmethod
    def _compute(data: OrgData, query: ListQuery) -> list[str]:
        with data.lock:
            rows = list(data.table(query.module).rows.values())
        if query.ids:
            wanted = set(query.ids)
            rows = [r for r in rows if r["id"] in wanted]
        if query.module == "Leads" and query.converted != "both":
            want = query.converted == "true"
            rows = [r for r in rows if bool(r.get("Converted__s")) == want]
        if query.modified_since is not None:
            rows = [r for r in rows if r["Modified_Time"] >= query.modified_since]
        reverse = query.sort_order == "desc"
        if query.sort_by == "id":
            if reverse:
                rows.reverse()
        else:
            rows.sort(key=_sort_key(query.sort_by), reverse=reverse)
        return [r["id"] for r in rows]


class PageTokens:
    """Opaque page tokens held server-side: user, parameter binding, position, age."""

    def __init__(self) -> None:
        self._tokens: dict[str, PageToken] = {}
        self._lock = threading.Lock()

    def issue(self, user_id: str, binding: str, offset: int, page: int, now: datetime) -> str:
        token = secrets.token_hex(24)
        with self._lock:
            self._tokens[token] = PageToken(user_id, binding, offset, page, now)
        return token

    def resolve(self, token: str, user_id: str, binding: str, now: datetime) -> PageToken:
        with self._lock:
            found = self._tokens.get(token)
        if found is None or found.user_id != user_id:
            raise ZohoError("INVALID_DATA", "invalid data", {"param_name": "page_token"})
        if now - found.issued_at > TOKEN_LIFETIME:
            raise ZohoError("EXPIRED_VALUE", "the page token has expired", {"param_name": "page_token"})
        if found.binding != binding:
            raise ZohoError("TOKEN_BOUND_DATA_MISMATCH", "the parameters differ from those the token was issued for",
                            {"param_name": "page_token"})
        return found

    def expiry(self, now: datetime) -> datetime:
        return now + TOKEN_LIFETIME


@dataclass
class Page:
    ids: list[str]
    page: int
    per_page: int
    more_records: bool
    next_page_token: str | None
    page_token_expiry: datetime | None


def paginate(ordered: list[str], *, page_raw: str | None, per_page: int, token_raw: str | None,
             tokens: PageTokens, user_id: str, binding: str, now: datetime) -> Page:
    if page_raw is not None and token_raw is not None:
        raise ZohoError("AMBIGUITY_DURING_PROCESSING", "page and page_token cannot be used together",
                        {"ambiguity_due_to": [{"param_name": "page"}, {"param_name": "page_token"}]})
    if token_raw is not None:
        position = tokens.resolve(token_raw, user_id, binding, now)
        offset, page = position.offset, position.page
        if offset >= TOKEN_LIMIT:
            raise ZohoError("PAGINATION_LIMIT_EXCEEDED", "pagination limit exceeded",
                            {"limit": TOKEN_LIMIT})
    else:
        page = parse_int_param(page_raw, "page", 1, 1, 10**6)
        offset = (page - 1) * per_page
        if offset + per_page > DISCRETE_LIMIT:
            raise ZohoError("DISCRETE_PAGINATION_LIMIT_EXCEEDED",
                            "use page_token to fetch records beyond 2000", {"limit": DISCRETE_LIMIT})
    chunk = ordered[offset: offset + per_page]
    more = offset + per_page < len(ordered)  # past 100,000 rows the next token is refused
    token = tokens.issue(user_id, binding, offset + per_page, page + 1, now) if more else None
    return Page(chunk, page, per_page, more, token, tokens.expiry(now) if token else None)
