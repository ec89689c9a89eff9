"""One API call, end to end: retry (outside) -> fresh token -> concurrency slot -> HTTP -> meter -> typed error.

Each concern is one small piece, in the order a call meets them:

* :class:`~.retry.RetryPolicy` decides whether a failed attempt is tried again;
* :class:`~.oauth.TokenManager` supplies the token, and on INVALID_TOKEN the call refreshes once;
* :class:`~.concurrency.ConcurrencyLimit` keeps in-flight calls under Zoho's caps;
* :class:`~.metering.Meter` turns every attempt into one ApiCall with its credits;
* :func:`~.errors.error_from_answer` turns a failed answer into a typed error.
"""
from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import requests

from sync_engine.zoho.auth.oauth import TokenManager
from sync_engine.zoho.concurrency import ConcurrencyLimit
from sync_engine.zoho.credits import charged
from sync_engine.zoho.errors import (
    AuthError,
    ServerError,
    TransportError,
    WriteOutcomeUnknown,
    ZohoError,
    error_from_answer,
)
from sync_engine.zoho.exchange import json_body, no_answer
from sync_engine.zoho.metering import Meter, Stopwatch
from sync_engine.zoho.records import first_failure_code, has_record_results
from sync_engine.zoho.retry import RetryPolicy

AUTH_SCHEME = "Zoho-oauthtoken"


@dataclass(frozen=True)
class ApiRequest:
    method: str
    path: str  # under the API domain, e.g. "/crm/v8/Contacts"
    api: str  # ledger name, e.g. "records.list"
    price: int  # credits if it succeeds (credits.call_cost)
    module: str | None = None
    params: dict[str, Any] | None = None
    json: Any = None
    headers: dict[str, str] | None = None
    write: bool = False  # may change data: retried only when surely not processed
    complex_call: bool = False  # takes a slot in Zoho's sub-concurrency pool
    record_count: int = 0


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any  # decoded JSON, None when empty or not JSON
    content: bytes = field(repr=False)
    headers: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def empty(self) -> bool:
        """204 No Content / 304 Not Modified: nothing to read."""
        return self.status in (204, 304) or self.body is None


class Transport:
    def __init__(self, http: requests.Session, tokens: TokenManager, meter: Meter, *, api_domain: str | None,
                 limit: ConcurrencyLimit, complex_limit: ConcurrencyLimit, retry: RetryPolicy,
                 timeout_s: float) -> None:
        self._http = http
        self._tokens = tokens
        self._meter = meter
        self._api_domain = api_domain.rstrip("/") if api_domain else None
        self.limit = limit
        self.complex_limit = complex_limit
        self.retry = retry
        self._timeout = (min(10.0, timeout_s), timeout_s)

    @property
    def longest_call_s(self) -> float:
        """The longest one call may keep a request on its way: every retry, then a last attempt's timeouts."""
        return self.retry.max_total_s + sum(self._timeout)

    def send(self, request: ApiRequest) -> Answer:
        return self.retry.retrying(write=request.write)(self._with_fresh_token, request)

    def _with_fresh_token(self, request: ApiRequest) -> Answer:
        token = self._tokens.access_token()
        try:
            return self._attempt(request, token)
        except AuthError as err:
            if err.code != "INVALID_TOKEN":
                raise
        return self._attempt(request, self._tokens.token_rejected(token))

    def _base_url(self) -> str:
        domain = self._api_domain or self._tokens.api_domain
        if not domain:
            raise ZohoError("no API domain: the connection names none and the token answer gave none",
                            code="NO_API_DOMAIN")
        return domain.rstrip("/")

    def _attempt(self, request: ApiRequest, token: str) -> Answer:
        headers = {**(request.headers or {}), "Authorization": f"{AUTH_SCHEME} {token}"}
        url = f"{self._base_url()}{request.path}"
        with ExitStack() as slots:
            if request.complex_call:
                slots.enter_context(self.complex_limit.slot())
            slots.enter_context(self.limit.slot())
            watch = self._meter.start(method=request.method, api=request.api, path=request.path,
                                      module=request.module, price=request.price)
            try:
                response = self._http.request(request.method, url, params=request.params, json=request.json,
                                              headers=headers, timeout=self._timeout)
            except requests.RequestException as err:
                error = no_answer(err, api=request.api, module=request.module)
                # sent but unanswered: Zoho may have done (and charged) it, so it stays at its expected price
                self._record(request, watch, 0, None, request.price if error.request_sent else 0,
                             answered=not error.request_sent)
                raise self._unanswered(request, error) from None
        return self._answer(request, watch, response)

    def _answer(self, request: ApiRequest, watch: Stopwatch, response: requests.Response) -> Answer:
        status, body = response.status_code, json_body(response)
        per_record = request.write and status >= 400 and has_record_results(body)
        code = None
        if per_record:
            code = first_failure_code(body)
        elif status >= 400 and isinstance(body, dict):
            code = body.get("code")
        credits = charged(request.price, status, code, records_processed=per_record)
        self._record(request, watch, status, code, credits)
        if status < 400 or per_record:
            return Answer(status, body, response.content, dict(response.headers))
        raise self._unanswered(request, error_from_answer(status, body, api=request.api, module=request.module))

    @staticmethod
    def _unanswered(request: ApiRequest, error: ZohoError) -> ZohoError:
        """A write that may have been processed must not look retryable."""
        maybe_processed = isinstance(error, ServerError) or (isinstance(error, TransportError) and error.request_sent)
        if request.write and maybe_processed:
            return WriteOutcomeUnknown(error, record_count=request.record_count)
        return error

    def _record(self, request: ApiRequest, watch: Stopwatch, status: int, code: str | None, credits: int,
                answered: bool = True) -> None:
        self._meter.record(watch, method=request.method, api=request.api, path=request.path, module=request.module,
                           http_status=status, zoho_code=code, credits=credits, answered=answered)
