"""The Zoho CRM client for one org connection: a small, typed surface over the v8 REST API.

One :class:`ZohoClient` per :class:`Connection`, holding one ``requests.Session``, one shared access
token and one concurrency cap. Plumbing lives elsewhere — :mod:`.transport` (retry, token, slots,
metering, errors), :mod:`.pagination`, :mod:`.queries` (escaping) — so each method here only says
which path it calls, what it costs and how to read the answer (zoho-api.md §3–§6).
"""
from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from sync_engine.zoho.auth.oauth import AccountsServer, TokenManager
from sync_engine.zoho.auth.token_keeping import TokenKeeper
from sync_engine.zoho.calls import CallObserver
from sync_engine.zoho.concurrency import (
    DEFAULT_COMPLEX_CONCURRENCY,
    DEFAULT_CONCURRENCY,
    ConcurrencyLimit,
    safe_concurrency,
)
from sync_engine.zoho.credits import call_cost, coql_cost
from sync_engine.zoho.datacentres import DataCentre
from sync_engine.zoho.metering import Meter
from sync_engine.zoho.pagination import SEARCH_CAP, walk_pages
from sync_engine.zoho.queries import coql_limit, coql_module, coql_quote, escape_criteria_value
from sync_engine.zoho.records import RecordResult, check_batch, parse_results
from sync_engine.zoho.retry import RetryPolicy
from sync_engine.zoho.transport import Answer, ApiRequest, Transport

__all__ = ["Connection", "CoqlResult", "ZohoClient", "coql_quote", "escape_criteria_value"]

CRM = "/crm/v8"
BULK_READ = "/crm/bulk/v8/read"
MAX_FIELDS = 50
MAX_PER_PAGE = 200
_SEGMENT = re.compile(r"[A-Za-z0-9_.$-]+\Z")


@dataclass(frozen=True)
class Connection:
    """Everything needed to act for one org. ``api_domain`` may be empty: then the token answer's is used."""

    org_id: str
    accounts_url: str
    api_domain: str
    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)

    @classmethod
    def in_data_centre(cls, dc: DataCentre, *, org_id: str, client_id: str, client_secret: str,
                       refresh_token: str) -> Connection:
        return cls(org_id, dc.accounts_url, dc.api_domain, client_id, client_secret, refresh_token)


@dataclass(frozen=True)
class CoqlResult:
    rows: list[dict[str, Any]]
    more_records: bool


def _segment(value: str, what: str) -> str:
    """A module name or id going into a URL path: plain characters only (no ``/``, ``?``, ``..``)."""
    if not _SEGMENT.match(value) or value in (".", ".."):
        raise ValueError(f"not a valid {what}: {value!r}")
    return value


def _header_time(when: datetime) -> str:
    if when.tzinfo is None:
        raise ValueError("modified_since must be timezone-aware (Zoho needs an offset)")
    return when.isoformat(timespec="seconds")


def _converted(value: bool | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if value not in ("true", "false", "both"):
        raise ValueError("converted must be True, False or 'both'")
    return value


class ZohoClient:
    def __init__(self, connection: Connection, observer: CallObserver, *, max_concurrency: int | None = None,
                 timeout_s: float = 30.0, retry: RetryPolicy | None = None, token_margin_s: float = 300.0,
                 max_complex_concurrency: int = DEFAULT_COMPLEX_CONCURRENCY, token_keeper: TokenKeeper | None = None,
                 sent_observer: CallObserver | None = None, clock: Callable[[], float] = time.time) -> None:
        self.connection = connection
        self._http = requests.Session()
        pool = max(32, max_concurrency or 0)
        for prefix in ("https://", "http://"):
            self._http.mount(prefix, HTTPAdapter(pool_connections=4, pool_maxsize=pool))
        meter = Meter(connection.org_id, observer, sent_observer)
        accounts = AccountsServer(connection.accounts_url, connection.client_id, connection.client_secret,
                                  http=self._http, meter=meter, timeout_s=timeout_s)
        self.tokens = TokenManager(accounts, connection.refresh_token, margin_s=token_margin_s, keeper=token_keeper,
                                   clock=clock)
        self._transport = Transport(
            self._http, self.tokens, meter, api_domain=connection.api_domain or None,
            limit=ConcurrencyLimit(max_concurrency or DEFAULT_CONCURRENCY),
            complex_limit=ConcurrencyLimit(max_complex_concurrency), retry=retry or RetryPolicy(), timeout_s=timeout_s)

    # -- the connection itself ------------------------------------------------------------------
    @property
    def concurrency(self) -> int:
        return self._transport.limit.capacity

    @property
    def longest_call_s(self) -> float:
        """How long after a call starts its request may still reach Zoho (retries and timeouts included)."""
        return self._transport.longest_call_s

    def set_concurrency(self, max_in_flight: int) -> None:
        """Raise or lower the cap on calls in flight (e.g. to ``safe_concurrency(edition)`` after ``org()``)."""
        self._transport.limit.resize(max_in_flight)

    def adopt_edition(self, edition: str | None) -> int:
        """Set the concurrency cap for the org's edition (``license_details.paid_type``); returns the cap."""
        cap = safe_concurrency(edition)
        self.set_concurrency(cap)
        return cap

    def revoke(self) -> None:
        """Disconnect the org: revoke the refresh token at Zoho."""
        self.tokens.revoke()

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ZohoClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(self, method: str, path: str, *, api: str, module: str | None = None,
                params: dict[str, Any] | None = None, json: Any = None, headers: dict[str, str] | None = None,
                price: int | None = None, write: bool = False, complex_call: bool = False,
                record_count: int = 0) -> Answer:
        """Any call under the API domain (``path`` like ``/crm/v8/org``), metered and retried like the rest."""
        return self._transport.send(ApiRequest(
            method, path, api, call_cost(api, record_count=record_count) if price is None else price, module,
            params, json, headers, write, complex_call, record_count))

    def _get(self, path: str, api: str, *, module: str | None = None, params: dict[str, Any] | None = None,
             headers: dict[str, str] | None = None, complex_call: bool = False) -> dict[str, Any] | None:
        answer = self.request("GET", path, api=api, module=module, params=params, headers=headers,
                              complex_call=complex_call)
        return None if answer.empty else answer.body

    # -- org, users, metadata -------------------------------------------------------------------
    def org(self) -> dict[str, Any]:
        body = self._get(f"{CRM}/org", "org") or {}
        return (body.get("org") or [{}])[0]

    def users(self, type: str = "AllUsers") -> list[dict[str, Any]]:
        """Every user of that type, all pages."""
        def fetch(position: dict[str, Any]) -> dict[str, Any] | None:
            return self._get(f"{CRM}/users", "users.list",
                             params={"type": type, "per_page": MAX_PER_PAGE, **position})
        return list(walk_pages(fetch, per_page=MAX_PER_PAGE, items_key="users"))

    def current_user(self) -> dict[str, Any] | None:
        body = self._get(f"{CRM}/users", "users.list", params={"type": "CurrentUser"}) or {}
        return next(iter(body.get("users") or []), None)

    def modules(self) -> list[dict[str, Any]]:
        return (self._get(f"{CRM}/settings/modules", "settings.modules") or {}).get("modules", [])

    def fields(self, module: str) -> list[dict[str, Any]]:
        body = self._get(f"{CRM}/settings/fields", "settings.fields", module=module, params={"module": module})
        return (body or {}).get("fields", [])

    def layouts(self, module: str) -> list[dict[str, Any]]:
        body = self._get(f"{CRM}/settings/layouts", "settings.layouts", module=module, params={"module": module})
        return (body or {}).get("layouts", [])

    def pipelines(self, layout_id: str) -> list[dict[str, Any]]:
        body = self._get(f"{CRM}/settings/pipeline", "settings.pipeline", module="Deals",
                         params={"layout_id": layout_id})
        return (body or {}).get("pipeline", [])

    # -- reading records ------------------------------------------------------------------------
    def iter_records(self, module: str, fields: Sequence[str], *, sort_by: str | None = None,
                     sort_order: str | None = None, modified_since: datetime | None = None, per_page: int = 200,
                     converted: bool | str | None = None) -> Iterator[dict[str, Any]]:
        """Every record of ``module`` (one page in memory at a time), ``page`` then ``page_token`` past 2,000.

        With ``modified_since``, only records modified at or after it (Zoho answers 304 when none).
        """
        module = _segment(module, "module")
        if not fields or len(fields) > MAX_FIELDS:
            raise ValueError(f"Zoho needs between 1 and {MAX_FIELDS} fields per list call")
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise ValueError(f"per_page must be 1..{MAX_PER_PAGE}")
        params: dict[str, Any] = {"fields": ",".join(fields), "per_page": per_page}
        optional = {"sort_by": sort_by, "sort_order": sort_order, "converted": _converted(converted)}
        params.update({k: v for k, v in optional.items() if v is not None})
        headers = {"If-Modified-Since": _header_time(modified_since)} if modified_since else None

        def fetch(position: dict[str, Any]) -> dict[str, Any] | None:
            return self._get(f"{CRM}/{module}", "records.list", module=module, params={**params, **position},
                             headers=headers, complex_call=sort_by is not None)
        return walk_pages(fetch, per_page=per_page, tokens=True)

    def get_record(self, module: str, record_id: str, fields: Sequence[str] | None = None) -> dict[str, Any] | None:
        """One record with all its fields (or ``fields``); an unknown id raises ZohoError INVALID_DATA."""
        module = _segment(module, "module")
        params = {"fields": ",".join(fields)} if fields else None
        body = self._get(f"{CRM}/{module}/{_segment(record_id, 'record id')}", "records.get", module=module,
                         params=params)
        return next(iter((body or {}).get("data") or []), None)

    def deleted_records(self, module: str, type: str = "all",
                        modified_since: datetime | None = None) -> list[dict[str, Any]]:
        """Recycle-bin and permanent deletions (2 credits per page), all pages."""
        module = _segment(module, "module")
        headers = {"If-Modified-Since": _header_time(modified_since)} if modified_since else None

        def fetch(position: dict[str, Any]) -> dict[str, Any] | None:
            return self._get(f"{CRM}/{module}/deleted", "records.deleted", module=module, headers=headers,
                             params={"type": type, "per_page": MAX_PER_PAGE, **position})
        return list(walk_pages(fetch, per_page=MAX_PER_PAGE))

    def search(self, module: str, *, criteria: str | None = None, email: str | None = None,
               phone: str | None = None, word: str | None = None, fields: Sequence[str] | None = None,
               converted: bool | str | None = None) -> list[dict[str, Any]]:
        """Records matching exactly one of criteria/email/phone/word (Zoho caps results at 2,000).

        Build ``criteria`` with :func:`~.queries.criterion` / :func:`escape_criteria_value`. Zoho's index
        lags writes, so a just-written record may not be found yet — use COQL for that.
        """
        module = _segment(module, "module")
        given = {k: v for k, v in {"criteria": criteria, "email": email, "phone": phone, "word": word}.items()
                 if v is not None}
        if len(given) != 1:
            raise ValueError("search takes exactly one of criteria, email, phone or word")
        params: dict[str, Any] = {**given, "per_page": MAX_PER_PAGE}
        if fields:
            params["fields"] = ",".join(fields)
        if converted is not None:
            params["converted"] = _converted(converted)

        def fetch(position: dict[str, Any]) -> dict[str, Any] | None:
            return self._get(f"{CRM}/{module}/search", "records.search", module=module,
                             params={**params, **position}, complex_call=True)
        return list(walk_pages(fetch, per_page=MAX_PER_PAGE, cap=SEARCH_CAP))

    def coql(self, query: str) -> CoqlResult:
        """Run one COQL SELECT (priced by its LIMIT). Put values in with :func:`coql_quote`, never raw."""
        answer = self.request("POST", f"{CRM}/coql", api="coql", module=coql_module(query),
                              json={"select_query": query}, price=coql_cost(coql_limit(query)), complex_call=True)
        if answer.empty:
            return CoqlResult([], False)
        info = answer.body.get("info") or {}
        return CoqlResult(answer.body.get("data") or [], bool(info.get("more_records")))

    # -- writing records ------------------------------------------------------------------------
    def insert(self, module: str, records: list[dict[str, Any]], *,
               trigger: list[str] | None = None) -> list[RecordResult]:
        """Create up to 100 records; one result per record, in order. ``trigger=[]`` runs no automation."""
        return self._write("POST", module, "", "records.insert", records, "insert", trigger=trigger)

    def update(self, module: str, records: list[dict[str, Any]], *,
               trigger: list[str] | None = None) -> list[RecordResult]:
        """Update up to 100 records, each carrying its ``id``."""
        if any(not record.get("id") for record in records):
            raise ValueError("every record to update needs its id")
        return self._write("PUT", module, "", "records.update", records, "update", trigger=trigger)

    def upsert(self, module: str, records: list[dict[str, Any]], duplicate_check_fields: Sequence[str], *,
               trigger: list[str] | None = None) -> list[RecordResult]:
        """Insert or update by ``duplicate_check_fields`` (not for Calls/Events/Tasks); ``action`` says which."""
        return self._write("POST", module, "/upsert", "records.upsert", records, "insert", trigger=trigger,
                           duplicate_check_fields=list(duplicate_check_fields))

    def delete(self, module: str, ids: Sequence[str]) -> list[RecordResult]:
        """Move up to 100 records to the recycle bin."""
        module = _segment(module, "module")
        check_batch(list(ids), "ids")
        if not ids:
            return []
        answer = self.request("DELETE", f"{CRM}/{module}", api="records.delete", module=module,
                              params={"ids": ",".join(_segment(i, "record id") for i in ids)}, write=True,
                              record_count=len(ids))
        return parse_results(answer.body, default_action="delete")

    def _write(self, method: str, module: str, suffix: str, api: str, records: list[dict[str, Any]],
               action: str, *, trigger: list[str] | None, **extra: Any) -> list[RecordResult]:
        module = _segment(module, "module")
        check_batch(records)
        if not records:
            return []
        body: dict[str, Any] = {"data": records, **extra}
        if trigger is not None:
            body["trigger"] = trigger
        answer = self.request(method, f"{CRM}/{module}{suffix}", api=api, module=module, json=body, write=True,
                              complex_call=len(records) > 10, record_count=len(records))
        return parse_results(answer.body, default_action=action)

    # -- bulk read ------------------------------------------------------------------------------
    def bulk_read_create(self, module: str, *, fields: Sequence[str] | None = None,
                         criteria: dict[str, Any] | None = None, page: int | None = None,
                         page_token: str | None = None, callback_url: str | None = None) -> dict[str, Any]:
        """Start a Bulk Read job (50 credits); returns the job details, its id under ``"id"``."""
        query: dict[str, Any] = {"module": {"api_name": _segment(module, "module")}}
        if fields:
            query["fields"] = list(fields)
        if criteria:
            query["criteria"] = criteria
        if page_token:
            query["page_token"] = page_token
        else:
            query["page"] = page or 1
        body: dict[str, Any] = {"query": query}
        if callback_url:
            body["callback"] = {"url": callback_url, "method": "post"}
        answer = self.request("POST", BULK_READ, api="bulk.create", module=module, json=body, write=True)
        return ((answer.body or {}).get("data") or [{}])[0].get("details", {})

    def bulk_read_status(self, job_id: str) -> dict[str, Any]:
        """The job: ``state`` (ADDED, QUEUED, IN PROGRESS, COMPLETED, FAILURE) and, when done, ``result``."""
        body = self._get(f"{BULK_READ}/{_segment(job_id, 'job id')}", "bulk.status") or {}
        return (body.get("data") or [{}])[0]

    def bulk_read_download(self, job_id: str) -> bytes:
        """The finished job's ZIP (one CSV). Zoho allows 10 downloads a minute."""
        answer = self.request("GET", f"{BULK_READ}/{_segment(job_id, 'job id')}/result", api="bulk.download")
        return answer.content
