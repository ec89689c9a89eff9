"""Shared set-up for the ZohoClient <-> emulator tests (no tests here).

The client talks real HTTP to an emulator on loopback; the emulator serves both the accounts server
and the API on one URL, which the client receives as an injected ``accounts_url``/``api_domain``.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from sync_engine.zoho.calls import ApiCall
from sync_engine.zoho.client import Connection, ZohoClient
from sync_engine.zoho.retry import RetryPolicy
from zoho_emulator import EmulatorConfig, RunningEmulator, start_emulator
from zoho_emulator.model.org import Org, OrgData, User

CLIENT_ID = "1000.EMULATORDEMOCLIENT"
CLIENT_SECRET = "emulator-demo-secret"
REFRESH_TOKEN = "1000.test"
ORG_ID = "5725767000000000001"
FAST_RETRY = RetryPolicy(max_attempts=8, max_total_s=10.0, initial_wait_s=0.005, max_wait_s=0.05, jitter_s=0.005,
                         rate_limited_wait_s=0.02, max_rate_limited_wait_s=0.1)


@dataclass
class Ledger:
    """A thread-safe CallObserver that keeps every ApiCall it is given."""

    calls: list[ApiCall] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, call: ApiCall) -> None:
        with self._lock:
            self.calls.append(call)

    def of(self, api: str) -> list[ApiCall]:
        return [c for c in self.calls if c.api == api]

    def refreshes(self) -> int:
        return len(self.of("oauth.refresh"))

    def credits(self) -> int:
        return sum(c.credits for c in self.calls)

    def statuses(self, api: str) -> list[int]:
        return [c.http_status for c in self.of(api)]


def build_org(contacts: int = 0) -> OrgData:
    """An enterprise org with two users, one account, three named contacts and ``contacts`` more."""
    base = datetime.now(UTC).replace(microsecond=0) - timedelta(days=30)
    data = OrgData(Org(id=ORG_ID, zgid="710000001", company_name="Northwind Demo", domain_name="org710000001",
                       primary_email="ana.ruiz@northwind-demo.com", edition="enterprise", licences=10,
                       created_time=base - timedelta(days=400)))
    admin = User(data.ids.next(), "Ana", "Ruiz", "ana.ruiz@northwind-demo.com", profile="Administrator",
                 role="CEO", created_time=base, modified_time=base)
    rep = User(data.ids.next(), "Li", "Wei", "li.wei@northwind-demo.com", created_time=base, modified_time=base)
    data.users.update({admin.id: admin, rep.id: rep})

    def add(module: str, when: datetime, **values: Any) -> str:
        rid = data.ids.next()
        data.tables[module].rows[rid] = {"id": rid, "Owner": admin.id, "Created_By": admin.id,
                                         "Modified_By": admin.id, "Created_Time": when, "Modified_Time": when,
                                         **values}
        return rid

    account = add("Accounts", base, Account_Name="Northwind Traders")
    for n, (first, last) in enumerate((("Nia", "Okafor"), ("Marco", "Rossi"), ("Sara", "Lind"))):
        add("Contacts", base + timedelta(hours=n), First_Name=first, Last_Name=last, Full_Name=f"{first} {last}",
            Email=f"{first.lower()}@example.org", Account_Name=account)
    for i in range(contacts):
        add("Contacts", base + timedelta(days=1, seconds=30 * i), First_Name="Bulk", Last_Name=f"Contact {i:04d}",
            Full_Name=f"Bulk Contact {i:04d}", Email=f"bulk{i:04d}@example.net")
    return data


def start(contacts: int = 0) -> RunningEmulator:
    return start_emulator(EmulatorConfig(refresh_token=REFRESH_TOKEN), data=build_org(contacts))


def stop_later(em: RunningEmulator) -> None:
    """``stop()`` waits out serve_forever's 0.5 s poll; keep it off the test's critical path."""
    threading.Thread(target=em.stop, name="stop-emulator", daemon=True).start()


def connect(em: RunningEmulator, ledger: Ledger, *, api_domain: str | None = None, client_secret: str = CLIENT_SECRET,
            refresh_token: str = REFRESH_TOKEN, retry: RetryPolicy = FAST_RETRY, **kwargs: Any) -> ZohoClient:
    connection = Connection(ORG_ID, em.url, api_domain or em.url, CLIENT_ID, client_secret, refresh_token)
    return ZohoClient(connection, ledger, retry=retry, timeout_s=10, **kwargs)


class Control:
    """The emulator's ``/__emulator/`` endpoints (not Zoho's API, never metered)."""

    def __init__(self, em: RunningEmulator) -> None:
        self.url = f"{em.url}/__emulator"

    def post(self, name: str, body: dict[str, Any] | None = None) -> Any:
        response = requests.post(f"{self.url}/{name}", json=body or {}, timeout=10)
        assert response.status_code in (200, 201), response.text
        return response.json()

    def get(self, name: str) -> Any:
        response = requests.get(f"{self.url}/{name}", timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def faults(self, **settings: Any) -> None:
        self.post("faults", settings)

    def no_faults(self) -> None:
        requests.delete(f"{self.url}/faults", timeout=10)

    def usage(self) -> dict[str, Any]:
        return self.get("usage")

    def calls(self, endpoint: str | None = None) -> list[dict[str, Any]]:
        calls = self.get("calls")["calls"]
        return [c for c in calls if endpoint is None or c["endpoint"] == endpoint]

    def settled_calls(self, endpoint: str | None = None, at_least: int = 1) -> list[dict[str, Any]]:
        """The call log once it holds ``at_least`` calls: a dropped call is logged only after the
        emulator has already closed the connection, so the client can look before the row exists."""
        deadline = time.monotonic() + 2
        while len(calls := self.calls(endpoint)) < at_least and time.monotonic() < deadline:
            time.sleep(0.01)
        return calls

    def settled_usage(self, calls: int) -> dict[str, Any]:
        """Usage once the emulator has logged ``calls`` calls (or after 2 s, whatever it says then)."""
        deadline = time.monotonic() + 2
        while (usage := self.usage())["calls"] < calls and time.monotonic() < deadline:
            time.sleep(0.01)
        return usage
