"""The first cut's interface (``get_json``, ``coql``), kept for the demo page, now a thin shim over ZohoClient.

New code should use :class:`~.client.ZohoClient` directly. Calls made through a session are metered
like any others; pass ``observer`` to see them (by default they are not recorded anywhere).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import requests

from .calls import ApiCall, CallObserver
from .client import Connection, ZohoClient
from .errors import ZohoError

API_VERSION = "v8"
ZohoApiError = ZohoError  # the first cut's name

_API_BY_PATH = {"/org": "org", "/users": "users.list", "/settings/modules": "settings.modules",
                "/settings/fields": "settings.fields", "/settings/layouts": "settings.layouts",
                "/settings/pipeline": "settings.pipeline", "/coql": "coql"}


WRITE_APIS = frozenset({"records.insert", "records.update", "records.upsert", "records.delete"})


def _ignore(_call: ApiCall) -> None:
    return None


def api_for_path(method: str, path: str) -> tuple[str, str | None]:
    """The ledger name and module for a CRM path like ``/Contacts`` or ``/users``."""
    if path in _API_BY_PATH:
        return _API_BY_PATH[path], None
    parts = [p for p in path.split("/") if p]
    module = parts[0] if parts else None
    if len(parts) >= 2 and parts[1] in ("search", "deleted", "upsert"):
        return {"search": "records.search", "deleted": "records.deleted", "upsert": "records.upsert"}[parts[1]], module
    if len(parts) >= 2:
        return "records.get", module
    return {"GET": "records.list", "POST": "records.insert", "PUT": "records.update",
            "DELETE": "records.delete"}.get(method.upper(), "records.list"), module


@dataclass
class ZohoSession:
    accounts_url: str
    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)
    api_domain: str | None = None
    timeout_s: float = 30.0
    observer: CallObserver = field(default=_ignore, repr=False)
    org_id: str = ""
    _client: ZohoClient | None = field(default=None, init=False, repr=False)

    @property
    def client(self) -> ZohoClient:
        if self._client is None:
            self._client = ZohoClient(
                Connection(self.org_id, self.accounts_url, self.api_domain or "", self.client_id, self.client_secret,
                           self.refresh_token), self.observer, timeout_s=self.timeout_s)
        return self._client

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Deprecated: returns a minimal Response built from the client's answer."""
        api, module = api_for_path(method, path)
        answer = self.client.request(method, f"/crm/{API_VERSION}{path}", api=api, module=module,
                                     params=kwargs.get("params"), json=kwargs.get("json"),
                                     write=api in WRITE_APIS)
        response = requests.Response()
        response.status_code = answer.status
        response._content = answer.content
        response.headers.update(answer.headers)
        return response

    def get_json(self, path: str, **params: Any) -> dict[str, Any]:
        api, module = api_for_path("GET", path)
        answer = self.client.request("GET", f"/crm/{API_VERSION}{path}", api=api, module=module, params=params)
        return {} if answer.empty else answer.body

    def coql(self, query: str) -> dict[str, Any]:
        result = self.client.coql(query)
        return {"data": result.rows, "info": {"more_records": result.more_records}}
