"""Zoho Accounts as plain objects: clients, grant codes, refresh and access tokens, scopes.

Follows https://www.zoho.com/accounts/protocol/oauth/web-apps/authorization.html,
.../access-token.html, .../token-limits.html and the CRM "Token Validity" page (zoho-api.md §1).
Token-endpoint failures are returned as ``{"error": code}`` with HTTP 200, as Zoho does.
"""
from __future__ import annotations

import secrets
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

ACCESS_TOKEN_LIFETIME = timedelta(hours=1)
GRANT_CODE_LIFETIME = timedelta(minutes=2)
REFRESH_TOKENS_PER_USER = 20
LIVE_ACCESS_TOKENS_PER_REFRESH = 15
MINTS_PER_WINDOW, MINT_WINDOW = 10, timedelta(minutes=10)
GRANTS_PER_WINDOW = 10  # grant codes per 10 minutes per client


class OAuthError(Exception):
    """A token-endpoint error: Zoho answers ``{"error": code}``."""

    def __init__(self, code: str, description: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.description = description

    def body(self) -> dict[str, str]:
        out = {"error": self.code}
        if self.description:
            out.update({"error_description": self.description, "status": "failure"})
        return out


THROTTLED = ("Access Denied", "You have made too many requests continuously. Please try again after some time.")


@dataclass
class Client:
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]
    grants_issued: deque = field(default_factory=deque)


@dataclass
class GrantCode:
    code: str
    client_id: str
    user_id: str
    scopes: frozenset[str]
    redirect_uri: str
    offline: bool
    expires_at: datetime
    used: bool = False


@dataclass
class RefreshToken:
    token: str
    client_id: str
    user_id: str
    scopes: frozenset[str]
    issued_at: datetime
    revoked: bool = False
    mints: deque = field(default_factory=deque)
    access_tokens: deque = field(default_factory=deque)


@dataclass
class AccessToken:
    token: str
    client_id: str
    user_id: str
    scopes: frozenset[str]
    expires_at: datetime
    refresh_token: str | None
    revoked: bool = False

    def valid_at(self, now: datetime) -> bool:
        return not self.revoked and now < self.expires_at


def parse_scopes(raw: str) -> frozenset[str]:
    """Scopes are comma-separated on the auth URL (spaces tolerated); compared case-insensitively."""
    parts = raw.replace(" ", ",").split(",")
    return frozenset(p.strip() for p in parts if p.strip())


def scope_grants(granted: frozenset[str], required: str) -> bool:
    """Does any granted scope cover ``required`` ("Service.area[.sub].OPERATION")?

    ALL covers every operation, WRITE covers CREATE/UPDATE/DELETE, and a scope on a parent area
    covers its children (``ZohoCRM.modules.ALL`` covers ``ZohoCRM.modules.contacts.READ``).
    """
    req_parts = required.lower().split(".")
    req_area, req_op = req_parts[:-1], req_parts[-1]
    for scope in granted:
        parts = scope.lower().split(".")
        area, op = parts[:-1], parts[-1]
        if req_area[: len(area)] != area or len(area) < 2:
            continue
        if op == req_op or op == "all" or (op == "write" and req_op in {"create", "update", "delete"}):
            return True
    return False


class Accounts:
    """The accounts server's state for one emulated org."""

    def __init__(self, location: str = "us") -> None:
        self.location = location
        self.clients: dict[str, Client] = {}
        self.codes: dict[str, GrantCode] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self._lock = threading.RLock()

    # -- registration (the API console's job) --------------------------------------------------
    def register_client(self, client_id: str, client_secret: str, redirect_uris: tuple[str, ...]) -> Client:
        with self._lock:
            client = Client(client_id, client_secret, tuple(redirect_uris))
            self.clients[client_id] = client
            return client

    # -- /oauth/v2/auth -------------------------------------------------------------------------
    def check_auth_request(self, client_id: str, redirect_uri: str, response_type: str, scope: str) -> Client:
        """Validate an authorization request before the consent page is shown."""
        client = self.clients.get(client_id)
        if client is None:
            raise OAuthError("invalid_client", "Invalid Client")
        if redirect_uri not in client.redirect_uris:
            raise OAuthError("invalid_redirect_uri", "Invalid Redirect Uri")
        if response_type != "code":
            raise OAuthError("unsupported_response_type", "response_type must be code")
        if not parse_scopes(scope):
            raise OAuthError("invalid_scope", "Invalid OAuth Scope")
        return client

    def issue_grant(self, client_id: str, user_id: str, scope: str, redirect_uri: str,
                    offline: bool, now: datetime) -> GrantCode:
        with self._lock:
            client = self.clients[client_id]
            while client.grants_issued and now - client.grants_issued[0] > MINT_WINDOW:
                client.grants_issued.popleft()
            if len(client.grants_issued) >= GRANTS_PER_WINDOW:
                raise OAuthError(*THROTTLED)
            client.grants_issued.append(now)
            code = GrantCode(f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}", client_id, user_id,
                             parse_scopes(scope), redirect_uri, offline, now + GRANT_CODE_LIFETIME)
            self.codes[code.code] = code
            return code

    # -- /oauth/v2/token ------------------------------------------------------------------------
    def _client(self, client_id: str, client_secret: str) -> Client:
        client = self.clients.get(client_id)
        if client is None:
            raise OAuthError("invalid_client")
        if not secrets.compare_digest(client.client_secret, client_secret):
            raise OAuthError("invalid_client_secret")
        return client

    def exchange_code(self, client_id: str, client_secret: str, redirect_uri: str, code: str,
                      now: datetime) -> tuple[AccessToken, RefreshToken | None]:
        with self._lock:
            self._client(client_id, client_secret)
            grant = self.codes.get(code)
            if grant is None or grant.used or grant.client_id != client_id or now >= grant.expires_at:
                raise OAuthError("invalid_code")
            if grant.redirect_uri != redirect_uri:
                raise OAuthError("invalid_redirect_uri")
            grant.used = True
            refresh = self._new_refresh_token(client_id, grant.user_id, grant.scopes, now) if grant.offline else None
            # minted from the grant code, not "using a refresh token": not in the 10-per-10-min count
            return self._mint(client_id, grant.user_id, grant.scopes, refresh, now, counted=False), refresh

    def refresh(self, client_id: str, client_secret: str, refresh_token: str, now: datetime) -> AccessToken:
        with self._lock:
            self._client(client_id, client_secret)
            rt = self.refresh_tokens.get(refresh_token)
            if rt is None or rt.revoked or rt.client_id != client_id:
                raise OAuthError("invalid_code")
            while rt.mints and now - rt.mints[0] > MINT_WINDOW:
                rt.mints.popleft()
            if len(rt.mints) >= MINTS_PER_WINDOW:
                raise OAuthError(*THROTTLED)
            return self._mint(client_id, rt.user_id, rt.scopes, rt, now)

    def issue_refresh_token(self, client_id: str, user_id: str, scopes: frozenset[str], now: datetime,
                            token: str | None = None) -> RefreshToken:
        """Pre-issue a refresh token (``--refresh-token``), as a self-client grant would."""
        with self._lock:
            return self._new_refresh_token(client_id, user_id, scopes, now, token)

    def _new_refresh_token(self, client_id: str, user_id: str, scopes: frozenset[str], now: datetime,
                           token: str | None = None) -> RefreshToken:
        mine = sorted((rt for rt in self.refresh_tokens.values() if rt.user_id == user_id and not rt.revoked),
                      key=lambda rt: rt.issued_at)
        for oldest in mine[: max(0, len(mine) - REFRESH_TOKENS_PER_USER + 1)]:
            self._revoke_refresh(oldest)
        rt = RefreshToken(token or f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}",
                          client_id, user_id, scopes, now)
        self.refresh_tokens[rt.token] = rt
        return rt

    def _mint(self, client_id: str, user_id: str, scopes: frozenset[str], rt: RefreshToken | None,
              now: datetime, counted: bool = True) -> AccessToken:
        at = AccessToken(f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}", client_id, user_id, scopes,
                         now + ACCESS_TOKEN_LIFETIME, rt.token if rt else None)
        self.access_tokens[at.token] = at
        if rt is not None:
            if counted:
                rt.mints.append(now)
            rt.access_tokens.append(at.token)
            while len(rt.access_tokens) > LIVE_ACCESS_TOKENS_PER_REFRESH:
                old = self.access_tokens.get(rt.access_tokens.popleft())
                if old:
                    old.revoked = True
        return at

    # -- revoke / expiry ----------------------------------------------------------------------
    def revoke(self, token: str) -> bool:
        with self._lock:
            rt = self.refresh_tokens.get(token)
            if rt is not None:
                self._revoke_refresh(rt)
                return True
            at = self.access_tokens.get(token)
            if at is not None:
                at.revoked = True
                return True
            return False

    def _revoke_refresh(self, rt: RefreshToken) -> None:
        rt.revoked = True
        for token in rt.access_tokens:
            at = self.access_tokens.get(token)
            if at:
                at.revoked = True

    def expire_access_tokens(self, now: datetime, token: str | None = None) -> int:
        """Fault injection: make live access tokens (or one) expire now."""
        with self._lock:
            hit = [at for at in self.access_tokens.values()
                   if (token is None or at.token == token) and at.valid_at(now)]
            for at in hit:
                at.expires_at = now
            return len(hit)

    def authenticate(self, token: str, now: datetime) -> AccessToken | None:
        at = self.access_tokens.get(token)
        return at if at is not None and at.valid_at(now) else None
