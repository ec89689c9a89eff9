"""Fixtures for the emulator conformance suite.

The suite plays a client written from Zoho's documentation alone: it talks plain ``requests`` over
real HTTP to an emulator started with ``start_emulator`` on a loopback port, never to handler
functions. Only the org the emulator serves is built here by hand (users, a few records per
module, optionally 2,500 contacts for the page-token tests), so every test knows its data.

Fixtures and helpers:

* ``make_emulator(edition=..., licences=..., big=...)`` starts a fresh emulator (stopped after the
  test); ``emulator`` is one with the default enterprise org, ``big_emulator`` adds 2,500 contacts.
  Each running emulator carries ``.seed`` (a :class:`Seed`) naming the users and records.
* ``token(em, refresh_token=REFRESH_TOKEN)`` mints an access token with the refresh-token grant.
* ``api(em, access_token)`` returns a :class:`ZohoApi` bound to ``{url}/crm/v8`` with the
  ``Authorization: Zoho-oauthtoken`` header; ``crm`` is ``api(emulator, token(emulator))``.
* ``control(em)`` returns a :class:`Control` for the ``/__emulator/`` endpoints.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import requests

from zoho_emulator import EmulatorConfig, RunningEmulator, start_emulator
from zoho_emulator.model.org import Org, OrgData, User

CLIENT_ID = "1000.EMULATORDEMOCLIENT"
CLIENT_SECRET = "emulator-demo-secret"
REDIRECT_URI = "http://localhost:8501/"
REFRESH_TOKEN = "1000.conformance0refresh.token0for0admin"
BIG_CONTACTS = 2_500
TIMEOUT = 10
JSON_TYPE = "application/json;charset=UTF-8"


@dataclass
class Seed:
    """Who and what the hand-built org holds (ids are the emulator's 19-digit strings)."""

    admin: User
    rep: User
    inactive: User
    pacific: User  # time zone America/Los_Angeles
    berlin: User
    accounts: list[str] = field(default_factory=list)
    contacts: list[str] = field(default_factory=list)
    leads: list[str] = field(default_factory=list)
    converted_lead: str = ""
    deals: list[str] = field(default_factory=list)
    bulk_contacts: list[str] = field(default_factory=list)
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    recently_modified_contact: str = ""
    recent_modification: datetime = field(default_factory=lambda: datetime.now(UTC))


def _record(data: OrgData, module: str, owner: User, when: datetime, modified: datetime | None = None,
            **values: Any) -> str:
    rid = data.ids.next()
    row = {"id": rid, "Owner": owner.id, "Created_By": owner.id, "Modified_By": owner.id,
           "Created_Time": when, "Modified_Time": modified or when, **values}
    if module in ("Contacts", "Leads"):
        row["Full_Name"] = " ".join(p for p in (row.get("First_Name"), row.get("Last_Name")) if p)
    data.tables[module].rows[rid] = row
    return rid


def build_org(edition: str = "enterprise", licences: int = 10, big: bool = False) -> tuple[OrgData, Seed]:
    now = datetime.now(UTC).replace(microsecond=0)
    base = now - timedelta(days=30)
    data = OrgData(Org(id="5725767000000000001", zgid="710000001", company_name="Northwind Demo",
                       domain_name="org710000001", primary_email="ana.ruiz@northwind-demo.com",
                       edition=edition, licences=licences, time_zone="UTC", created_time=base - timedelta(days=400),
                       own_domains=("northwind-demo.com",)))

    def user(first: str, last: str, **kw: Any) -> User:
        u = User(data.ids.next(), first, last, f"{first.lower()}.{last.lower()}@northwind-demo.com",
                 zuid=str(60000000 + len(data.users)), created_time=base - timedelta(days=300),
                 modified_time=base - timedelta(days=200), **kw)
        data.users[u.id] = u
        return u

    seed = Seed(
        admin=user("Ana", "Ruiz", profile="Administrator", role="CEO", time_zone="Asia/Kolkata"),
        rep=user("Li", "Wei", time_zone="UTC"),
        inactive=user("Omar", "Haddad", status="inactive"),
        pacific=user("Grace", "Park", time_zone="America/Los_Angeles"),
        berlin=user("Jonas", "Berg", time_zone="Europe/Berlin", role="Sales Manager"),
    )
    seed.created_at = base
    admin, rep = seed.admin, seed.rep
    for n, (name, phone) in enumerate((("Northwind Traders", "+1 415 555 0100"), ("Contoso Ltd", "+44 20 7946 0000"),
                                       ("Fabrikam Inc", "+49 30 901820"))):
        seed.accounts.append(_record(data, "Accounts", admin, base + timedelta(hours=n), Account_Name=name,
                                     Phone=phone, Account_Type="Customer"))
    people = (("Nia", "Okafor", 0), ("Marco", "Rossi", 1), ("Sara", "Lind", 1), ("Kenji", "Sato", 2))
    for n, (first, last, acc) in enumerate(people):
        seed.contacts.append(_record(data, "Contacts", rep if n % 2 else admin, base + timedelta(hours=10 + n),
                                     First_Name=first, Last_Name=last,
                                     Email=f"{first.lower()}.{last.lower()}@example.org",
                                     Phone=f"+1 212 555 01{n:02d}", Account_Name=seed.accounts[acc],
                                     Title="Buyer"))
    # one contact edited two days ago, for If-Modified-Since
    seed.recent_modification = now - timedelta(days=2)
    recent = data.tables["Contacts"].rows[seed.contacts[0]]
    recent.update(Modified_Time=seed.recent_modification, Modified_By=rep.id, Title="Head of Purchasing")
    seed.recently_modified_contact = seed.contacts[0]
    for n, (first, last) in enumerate((("Priya", "Nair"), ("Tom", "Baker"))):
        seed.leads.append(_record(data, "Leads", admin, base + timedelta(hours=20 + n), First_Name=first,
                                  Last_Name=last, Company=f"{last} & Co",
                                  Email=f"{first.lower()}@{last.lower()}.example",
                                  Lead_Status="Contacted", Converted__s=False))
    seed.converted_lead = _record(data, "Leads", admin, base + timedelta(hours=22), First_Name="Kenji",
                                  Last_Name="Sato", Company="Fabrikam Inc", Converted__s=True,
                                  Converted_Contact=seed.contacts[3], Converted_Account=seed.accounts[2],
                                  Converted_Date_Time=base + timedelta(days=1))
    seed.leads.append(seed.converted_lead)
    for n, (name, stage, amount) in enumerate((("Northwind renewal", "Negotiation/Review", 48000.0),
                                               ("Contoso pilot", "Qualification", 12500.0))):
        seed.deals.append(_record(data, "Deals", admin, base + timedelta(hours=30 + n), Deal_Name=name,
                                  Stage=stage, Pipeline="Standard", Amount=amount,
                                  Closing_Date=date.today() + timedelta(days=30), Account_Name=seed.accounts[n],
                                  Contact_Name=seed.contacts[n]))
    if big:
        table = data.tables["Contacts"]
        for i in range(BIG_CONTACTS):
            rid = data.ids.next()
            when = base + timedelta(days=1, seconds=30 * i)
            table.rows[rid] = {"id": rid, "Owner": admin.id, "Created_By": admin.id, "Modified_By": admin.id,
                               "Created_Time": when, "Modified_Time": when, "First_Name": "Bulk",
                               "Last_Name": f"Contact {i:04d}", "Full_Name": f"Bulk Contact {i:04d}",
                               "Email": f"bulk{i:04d}@example.net"}
            seed.bulk_contacts.append(rid)
    return data, seed


class ZohoApi:
    """A documentation-only Zoho CRM client: ``{api_domain}/crm/v8`` + ``Zoho-oauthtoken``."""

    def __init__(self, em: RunningEmulator, access_token: str) -> None:
        self.em = em
        self.base = f"{em.url}/crm/v8"
        self.access_token = access_token
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Zoho-oauthtoken {access_token}"

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}"

    def request(self, method: str, path: str, **kw: Any) -> requests.Response:
        kw.setdefault("timeout", TIMEOUT)
        return self.session.request(method, self.url(path), **kw)

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> requests.Response:
        return self.request("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> requests.Response:
        return self.request("PUT", path, **kw)

    def delete(self, path: str, **kw: Any) -> requests.Response:
        return self.request("DELETE", path, **kw)


class Control:
    """The emulator's own ``/__emulator/`` endpoints (not Zoho's API)."""

    def __init__(self, em: RunningEmulator) -> None:
        self.base = f"{em.url}/__emulator"

    def get(self, name: str, **kw: Any) -> Any:
        r = requests.get(f"{self.base}/{name}", timeout=TIMEOUT, **kw)
        assert r.status_code == 200, r.text
        return r.json()

    def post(self, name: str, body: dict[str, Any] | None = None, status: int = 200) -> Any:
        r = requests.post(f"{self.base}/{name}", json=body or {}, timeout=TIMEOUT)
        assert r.status_code == status, r.text
        return r.json()

    def usage(self) -> dict[str, Any]:
        return self.get("usage")

    def calls(self, offset: int = 0) -> list[dict[str, Any]]:
        return self.get("calls", params={"offset": offset})["calls"]

    def last_call(self) -> dict[str, Any]:
        return self.calls()[-1]

    def advance(self, seconds: float) -> str:
        return self.post("clock", {"advance_seconds": seconds})["now"]

    def now(self) -> datetime:
        return datetime.fromisoformat(self.get("clock")["now"])


def refresh_grant(em: RunningEmulator, refresh_token: str = REFRESH_TOKEN) -> requests.Response:
    return requests.post(f"{em.url}/oauth/v2/token", timeout=TIMEOUT,
                         data={"grant_type": "refresh_token", "client_id": CLIENT_ID,
                               "client_secret": CLIENT_SECRET, "refresh_token": refresh_token})


def mint_token(em: RunningEmulator, refresh_token: str = REFRESH_TOKEN) -> str:
    body = refresh_grant(em, refresh_token).json()
    assert "access_token" in body, body
    return body["access_token"]


_stopping: list[threading.Thread] = []


def _stop_later(em: RunningEmulator) -> None:
    """``stop()`` waits out serve_forever's 0.5 s poll; do it off the test's critical path."""
    thread = threading.Thread(target=em.stop, name="stop-emulator", daemon=True)
    thread.start()
    _stopping.append(thread)


@pytest.fixture(scope="session", autouse=True)
def _join_stopped_emulators() -> Iterator[None]:
    yield
    for thread in _stopping:
        thread.join(timeout=5)


@pytest.fixture
def make_emulator() -> Iterator[Callable[..., RunningEmulator]]:
    started: list[RunningEmulator] = []

    def make(edition: str = "enterprise", licences: int = 10, big: bool = False) -> RunningEmulator:
        data, seed = build_org(edition, licences, big)
        em = start_emulator(EmulatorConfig(edition=edition, licences=licences, refresh_token=REFRESH_TOKEN),
                            data=data)
        em.seed = seed  # type: ignore[attr-defined]
        started.append(em)
        return em

    yield make
    for em in started:
        _stop_later(em)


@pytest.fixture
def emulator(make_emulator: Callable[..., RunningEmulator]) -> RunningEmulator:
    return make_emulator()


@pytest.fixture
def big_emulator(make_emulator: Callable[..., RunningEmulator]) -> RunningEmulator:
    return make_emulator(big=True)


@pytest.fixture
def token() -> Callable[..., str]:
    """``token(em, refresh_token=REFRESH_TOKEN)`` -> a fresh access token (refresh_token grant)."""
    return mint_token


@pytest.fixture
def api() -> Callable[[RunningEmulator, str], ZohoApi]:
    return ZohoApi


@pytest.fixture
def crm(emulator: RunningEmulator) -> ZohoApi:
    """The org admin's client on the default emulator."""
    return ZohoApi(emulator, mint_token(emulator))


@pytest.fixture
def control() -> Callable[[RunningEmulator], Control]:
    return Control


@pytest.fixture
def ctl(emulator: RunningEmulator) -> Control:
    return Control(emulator)


@pytest.fixture
def user_token(control: Callable[[RunningEmulator], Control]) -> Callable[..., str]:
    """``user_token(em, email, scopes=None)`` -> an access token for that user (self-client grant)."""

    def issue(em: RunningEmulator, email: str | None = None, scopes: list[str] | None = None) -> str:
        body: dict[str, Any] = {}
        if email:
            body["user_email"] = email
        if scopes:
            body["scopes"] = scopes
        rt = control(em).post("refresh-tokens", body, status=201)["refresh_token"]
        return mint_token(em, rt)

    return issue


def assert_error(response: requests.Response, status: int, code: str) -> dict[str, Any]:
    """A request-level Zoho error: the status and the four-key JSON envelope."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers.get("Content-Type") == JSON_TYPE
    body = response.json()
    assert set(body) == {"code", "details", "message", "status"}, body
    assert body["code"] == code, body
    assert body["status"] == "error"
    assert isinstance(body["details"], dict) and isinstance(body["message"], str) and body["message"]
    return body


@pytest.fixture
def zoho_error() -> Callable[[requests.Response, int, str], dict[str, Any]]:
    return assert_error
