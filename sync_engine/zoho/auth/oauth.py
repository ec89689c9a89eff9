"""Zoho Accounts OAuth 2.0: the consent URL, code exchange, refresh, revoke, and a shared access token.

Follows zoho-api.md §1 (Accounts "web apps" authorization and access-token pages). The token endpoint
reports failures as ``{"error": code}`` — usually with HTTP 200 — so the body decides, not the status.
Token calls are metered like API calls (``oauth.exchange``/``oauth.refresh``/``oauth.revoke``, 0
credits). Tokens never appear in reprs, logs or exception messages.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from sync_engine.zoho.auth.token_keeping import (
    REFRESH_WINDOW,
    StoredToken,
    TokenKeeper,
    TokenRefreshThrottled,
    refresh_allowed_at,
)
from sync_engine.zoho.credits import call_cost, charged
from sync_engine.zoho.errors import OAuthError, ServerError, ZohoError
from sync_engine.zoho.exchange import json_body, no_answer
from sync_engine.zoho.metering import Meter

log = logging.getLogger(__name__)

TOKEN_PATH = "/oauth/v2/token"
REVOKE_PATH = "/oauth/v2/token/revoke"
DEFAULT_LIFETIME_S = 3600.0


def authorization_url(accounts_url: str, *, client_id: str, scopes: Iterable[str], redirect_uri: str,
                      state: str, access_type: str = "offline", prompt: str = "consent") -> str:
    """The consent page URL. ``offline`` yields a refresh token; ``consent`` makes each connect mint a new one."""
    params = {"scope": ",".join(scopes), "client_id": client_id, "response_type": "code",
              "access_type": access_type, "prompt": prompt, "redirect_uri": redirect_uri, "state": state}
    return f"{accounts_url.rstrip('/')}/oauth/v2/auth?{urlencode(params)}"


@dataclass(frozen=True)
class AuthorizationRedirect:
    """What Zoho put on the redirect back to us: a grant code and where the org lives, or an error."""

    code: str | None = field(default=None, repr=False)
    state: str | None = None
    location: str | None = None  # "us", "eu", ...
    accounts_server: str | None = None  # use this for the token call
    error: str | None = None  # e.g. "access_denied" when the user rejected


def parse_authorization_redirect(url: str) -> AuthorizationRedirect:
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    return AuthorizationRedirect(query.get("code"), query.get("state"), query.get("location"),
                                 query.get("accounts-server"), query.get("error"))


@dataclass(frozen=True)
class TokenSet:
    """A token endpoint answer. ``refresh_token`` is only present on the code exchange."""

    access_token: str = field(repr=False)
    expires_in_s: float = DEFAULT_LIFETIME_S
    api_domain: str | None = None
    scopes: tuple[str, ...] = ()
    token_type: str = "Bearer"
    refresh_token: str | None = field(default=None, repr=False)

    @classmethod
    def from_answer(cls, body: dict[str, Any]) -> TokenSet:
        """Parse ``expires_in`` (seconds) — or, in older answers, ``expires_in_sec`` (then ``expires_in``
        is in milliseconds), as Zoho's own SDK does."""
        if body.get("expires_in_sec") is not None:
            lifetime = float(body["expires_in_sec"])
        elif body.get("expires_in") is not None:
            lifetime = float(body["expires_in"])
        else:
            lifetime = DEFAULT_LIFETIME_S
        scope = str(body.get("scope") or "")
        return cls(access_token=str(body["access_token"]), expires_in_s=lifetime,
                   api_domain=body.get("api_domain") or None, scopes=tuple(scope.replace(",", " ").split()),
                   token_type=str(body.get("token_type") or "Bearer"), refresh_token=body.get("refresh_token"))


class AccountsServer:
    """The token endpoint of one data centre's accounts server, for one client app."""

    def __init__(self, accounts_url: str, client_id: str, client_secret: str, *, http: requests.Session,
                 meter: Meter, timeout_s: float = 30.0) -> None:
        self.accounts_url = accounts_url.rstrip("/")
        self.client_id = client_id
        self._client_secret = client_secret
        self._http = http
        self._meter = meter
        self._timeout_s = timeout_s

    def exchange_code(self, code: str, redirect_uri: str) -> TokenSet:
        """Grant code (valid ~2 minutes, one use) -> access + refresh token."""
        body = self._post("oauth.exchange", TOKEN_PATH, {
            "grant_type": "authorization_code", "client_id": self.client_id, "client_secret": self._client_secret,
            "redirect_uri": redirect_uri, "code": code})
        return TokenSet.from_answer(body)

    def refresh(self, refresh_token: str) -> TokenSet:
        body = self._post("oauth.refresh", TOKEN_PATH, {
            "grant_type": "refresh_token", "client_id": self.client_id, "client_secret": self._client_secret,
            "refresh_token": refresh_token})
        return TokenSet.from_answer(body)

    def revoke(self, token: str) -> None:
        """Revoking a refresh token kills every access token minted from it."""
        body = self._post("oauth.revoke", REVOKE_PATH, {"token": token})
        if body.get("status") != "success":
            raise OAuthError("the token was not revoked", status=200, code=str(body.get("error") or "not_revoked"),
                             api="oauth.revoke")

    def _post(self, api: str, path: str, form: dict[str, str]) -> dict[str, Any]:
        price = call_cost(api)
        watch = self._meter.start(method="POST", api=api, path=path, module=None, price=price)
        try:
            response = self._http.post(f"{self.accounts_url}{path}", data=form, timeout=self._timeout_s)
        except requests.RequestException as err:
            self._meter.record(watch, method="POST", api=api, path=path, module=None, http_status=0,
                               zoho_code=None, credits=0)
            raise no_answer(err, api=api) from None
        body = json_body(response)
        error = body.get("error") if isinstance(body, dict) else None
        code = str(error) if error is not None else None
        self._meter.record(watch, method="POST", api=api, path=path, module=None, http_status=response.status_code,
                           zoho_code=code, credits=charged(price, response.status_code, code))
        if response.status_code >= 500:
            raise ServerError(f"the accounts server failed (HTTP {response.status_code})",
                              status=response.status_code, api=api)
        if code is not None:
            message = str(body.get("error_description") or code)
            raise OAuthError(message, status=response.status_code, code=code, api=api)
        if not isinstance(body, dict) or (api != "oauth.revoke" and "access_token" not in body):
            raise ZohoError("the accounts server gave an answer we do not understand",
                            status=response.status_code, code="UNEXPECTED_ANSWER", api=api)
        return body


class TokenManager:
    """One access token shared by every thread of a client, refreshed before it lapses.

    When the API rejects a token (INVALID_TOKEN) many threads may notice at once; each reports the
    token it used, and only a report about the *current* token triggers a refresh — the rest simply
    pick up the token that refresh produced.

    With a :class:`~.token_keeping.TokenKeeper` the token outlives the process: a new process takes the
    kept one while it has more than ``margin_s`` to live, a refresh is made under the keeper's guard
    (another process may have refreshed meanwhile) and counted first, and past
    :data:`~.token_keeping.REFRESHES_PER_WINDOW` refreshes in 10 minutes none is asked for:
    :class:`~.token_keeping.TokenRefreshThrottled` says until when.
    """

    def __init__(self, accounts: AccountsServer, refresh_token: str, *, margin_s: float = 300.0,
                 clock: Callable[[], float] = time.time, keeper: TokenKeeper | None = None) -> None:
        self._accounts = accounts
        self._refresh_token = refresh_token
        self._margin_s = margin_s
        self._clock = clock  # seconds since the epoch: a kept expiry must mean the same to the next process
        self._keeper = keeper
        self._lock = threading.Lock()
        self._current: TokenSet | None = None
        self._expires_at = 0.0
        self.refreshes = 0

    @property
    def api_domain(self) -> str | None:
        return self._current.api_domain if self._current else None

    def access_token(self) -> str:
        """A token with more than ``margin_s`` to live, refreshing first if needed."""
        with self._lock:
            if self._current is None or self._clock() >= self._expires_at - self._margin_s:
                self._obtain(stale=None)
            assert self._current is not None
            return self._current.access_token

    def token_rejected(self, used: str) -> str:
        """The API refused ``used``: refresh unless someone already replaced it; return the token to use now."""
        with self._lock:
            if self._current is None or self._current.access_token == used:
                self._obtain(stale=used)
            assert self._current is not None
            return self._current.access_token

    def current(self) -> StoredToken | None:
        """The token in use and its expiry (to keep one minted elsewhere, e.g. while connecting)."""
        with self._lock:
            return self._kept()

    def revoke(self) -> None:
        """Disconnect: revoke the refresh token (and with it every access token) and forget the current one."""
        with self._lock:
            self._accounts.revoke(self._refresh_token)
            self._current = None

    def _obtain(self, stale: str | None) -> None:
        keeper = self._keeper
        if keeper is None:
            self._refresh()
            return
        if self._adopt(keeper.load(), stale):
            return
        with keeper.refresh_guard():
            if self._adopt(keeper.load(), stale):  # another process refreshed while we waited
                return
            now = datetime.fromtimestamp(self._clock(), UTC)
            recent = keeper.refreshes_since(now - REFRESH_WINDOW)
            allowed_at = refresh_allowed_at(recent, now)
            if allowed_at is not None:
                waiting = TokenRefreshThrottled(len(recent), allowed_at)
                log.warning("%s", waiting.message)
                raise waiting
            keeper.note_refresh(now)
            self._refresh()
            kept = self._kept()
            assert kept is not None
            keeper.save(kept)

    def _kept(self) -> StoredToken | None:
        if self._current is None:
            return None
        return StoredToken(self._current.access_token, datetime.fromtimestamp(self._expires_at, UTC),
                           self._current.api_domain)

    def _adopt(self, kept: StoredToken | None, stale: str | None) -> bool:
        """Use a kept token unless it is the one just rejected or it lapses within the margin."""
        if kept is None or kept.access_token == stale:
            return False
        expires_at = kept.expires_at.timestamp()
        left = expires_at - self._clock()
        if left <= self._margin_s:
            return False
        self._current = TokenSet(kept.access_token, left, kept.api_domain)
        self._expires_at = expires_at
        return True

    def _refresh(self) -> None:
        started = self._clock()
        tokens = self._accounts.refresh(self._refresh_token)
        self._current = tokens
        self._expires_at = started + tokens.expires_in_s
        self.refreshes += 1
