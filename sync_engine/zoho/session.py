"""One org connection over HTTP: an access token from a refresh token, refreshed when it lapses.

A first, small cut of the client (OAuth refresh and JSON calls); retries, metering and typed errors
come with the connect-and-meter work. Tokens are never logged or put in exception messages.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests

API_VERSION = "v8"


class ZohoApiError(Exception):
    """A Zoho error answer: its HTTP status, Zoho code, message and details."""

    def __init__(self, status: int, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(f"Zoho answered {status} {code}: {message}")
        self.status, self.code, self.message, self.details = status, code, message, details or {}


@dataclass
class ZohoSession:
    accounts_url: str
    client_id: str
    client_secret: str
    refresh_token: str = field(repr=False)
    api_domain: str | None = None
    timeout_s: float = 30.0
    _access_token: str | None = field(default=None, repr=False)
    _expires_at: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _http: requests.Session = field(default_factory=requests.Session, repr=False)

    def _token(self, force: bool = False) -> str:
        with self._lock:
            if force or self._access_token is None or time.monotonic() > self._expires_at - 60:
                response = self._http.post(f"{self.accounts_url}/oauth/v2/token", timeout=self.timeout_s, data={
                    "grant_type": "refresh_token", "client_id": self.client_id,
                    "client_secret": self.client_secret, "refresh_token": self.refresh_token})
                body = response.json()
                if "access_token" not in body:
                    raise ZohoApiError(response.status_code, str(body.get("error", "unknown")),
                                       "the refresh token was refused; reconnect the org")
                self._access_token = body["access_token"]
                self._expires_at = time.monotonic() + float(body.get("expires_in", 3600))
                self.api_domain = body.get("api_domain") or self.api_domain
            return self._access_token

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Call ``{api_domain}/crm/v8{path}``; on 401 INVALID_TOKEN refresh once and retry."""
        for attempt in (0, 1):
            token = self._token(force=attempt == 1)
            response = self._http.request(method, f"{self.api_domain}/crm/{API_VERSION}{path}",
                                          headers={"Authorization": f"Zoho-oauthtoken {token}"},
                                          timeout=self.timeout_s, **kwargs)
            if response.status_code == 401 and attempt == 0 and _code(response) == "INVALID_TOKEN":
                continue
            break
        if response.status_code >= 400:
            body = _json(response)
            raise ZohoApiError(response.status_code, str(body.get("code", "HTTP_ERROR")),
                               str(body.get("message", response.reason)), body.get("details"))
        return response

    def get_json(self, path: str, **params: Any) -> dict[str, Any]:
        response = self.request("GET", path, params=params)
        return {} if response.status_code in (204, 304) else response.json()

    def coql(self, query: str) -> dict[str, Any]:
        response = self.request("POST", "/coql", json={"select_query": query})
        return {"data": []} if response.status_code == 204 else response.json()


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _code(response: requests.Response) -> str | None:
    return _json(response).get("code")
