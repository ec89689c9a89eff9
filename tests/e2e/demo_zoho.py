"""The demo org's Zoho, reached from the test process over HTTP, and conversation files built from its data.

The app runs the emulator inside its own process, on a port it picks; the demo admin's Connection page
names it. A test signs in to it like any Zoho client (a self-client refresh token from the emulator's
control API, then the token endpoint) and reads records through the CRM API, so what the test checks is
what Zoho holds, not what the app says it wrote.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests

from zoho_emulator.engine.state import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

API_DOMAIN = re.compile(r"Data centre LOCAL · (http://127\.0\.0\.1:\d+) ·")
PERSON_FIELDS = "Full_Name,Email,Phone,Mobile,Account_Name"
PHONE_FIELDS = ("Phone", "Mobile", "Home_Phone", "Other_Phone", "Asst_Phone")


@dataclass(frozen=True)
class Customer:
    """A contact the matcher finds without doubt: their email and mobile are on no other record."""

    contact_id: str
    name: str
    email: str
    mobile: str
    account_id: str
    account_name: str


@dataclass(frozen=True)
class ZohoUser:
    zoho_user_id: str
    email: str


def digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


class DemoZoho:
    """A signed-in client of the emulator's CRM API (the admin's self-client grant, all scopes)."""

    def __init__(self, url: str) -> None:
        self.url = url
        grant = requests.post(f"{url}/__emulator/refresh-tokens", json={}, timeout=30)
        grant.raise_for_status()
        token = requests.post(f"{url}/oauth/v2/token", timeout=30, data={
            "grant_type": "refresh_token", "refresh_token": grant.json()["refresh_token"],
            "client_id": DEFAULT_CLIENT_ID, "client_secret": DEFAULT_CLIENT_SECRET})
        token.raise_for_status()
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Zoho-oauthtoken {token.json()['access_token']}"

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        response = self.session.get(f"{self.url}/crm/v8/{path}", params=params, timeout=30)
        response.raise_for_status()
        return response.json() if response.content else {}

    def record(self, module: str, record_id: str) -> dict[str, Any]:
        return self.get(f"{module}/{record_id}")["data"][0]

    def records(self, module: str, fields: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        params: dict[str, Any] = {"fields": fields, "per_page": 200}
        while True:
            page = self.get(module, **params)
            out.extend(page.get("data", []))
            info = page.get("info", {})
            if not info.get("more_records"):
                return out
            params["page_token"] = info["next_page_token"]

    def activities_marked(self, module: str, contact_id: str, marker: str) -> list[dict[str, Any]]:
        """The contact's Calls or Events carrying this write's marker in their Description.

        Like Zoho, the emulator refuses a multi-line field in COQL criteria: select by contact, then look.
        """
        response = self.session.post(f"{self.url}/crm/v8/coql", timeout=30, json={
            "select_query": f"select id, Description from {module} where Who_Id = '{contact_id}' limit 200"})
        response.raise_for_status()
        rows = response.json().get("data", []) if response.content else []
        return [r for r in rows if marker in (r.get("Description") or "")]

    def recording_user(self) -> ZohoUser:
        """An active Zoho user the demo maps to one of our users (it maps all but the first by email)."""
        users = sorted(self.get("users", type="ActiveUsers")["users"], key=lambda u: u["email"].lower())
        assert len(users) >= 2, "the demo org needs two active users"
        return ZohoUser(users[-1]["id"], users[-1]["email"])

    def unambiguous_customers(self, count: int) -> list[Customer]:
        """Contacts with an account, and an email and an international mobile number nobody else has."""
        people = self.records("Contacts", PERSON_FIELDS) + self.records("Leads", "Full_Name,Email,Phone,Mobile")
        emails = Counter((p.get("Email") or "").strip().lower() for p in people)
        phones = Counter(digits(p[f])[-9:] for p in people for f in PHONE_FIELDS if p.get(f))
        picked = []
        for contact in self.records("Contacts", PERSON_FIELDS):
            email, mobile, account = contact.get("Email"), contact.get("Mobile") or "", contact.get("Account_Name")
            if email and account and mobile.startswith("+") and emails[email.strip().lower()] == 1 \
                    and phones[digits(mobile)[-9:]] == 1 and "ext" not in mobile:
                picked.append(Customer(contact["id"], contact["Full_Name"], email, mobile, account["id"],
                                       account["name"]))
            if len(picked) == count:
                return picked
        raise AssertionError(f"the demo org has fewer than {count} unambiguous contacts")


def meeting_and_call(tag: str, user: ZohoUser, customer: Customer, now: datetime) -> bytes:
    """A JSON Lines file: a recent meeting with the customer and a call to their mobile, both by ``user``.

    Recent (ended within the hour), so write-back sends them at once rather than as a backfill.
    """
    meeting = {"kind": "meeting", "id": f"{tag}-meeting", "title": f"Roadmap review {tag}",
               "start": (now - timedelta(minutes=50)).isoformat(), "end": (now - timedelta(minutes=20)).isoformat(),
               "organizer": {"email": user.email}, "attendees": [{"email": customer.email, "name": customer.name,
                                                                   "response": "accepted"}],
               "user_email": user.email, "summary": f"Walked {customer.name} through the roadmap."}
    call = {"kind": "call", "id": f"{tag}-call", "direction": "outbound", "to": customer.mobile,
            "start": (now - timedelta(minutes=15)).isoformat(), "duration_s": 312, "user_email": user.email,
            "summary": "Agreed on the pilot's scope."}
    return ("\n".join(json.dumps(r) for r in (meeting, call)) + "\n").encode()
