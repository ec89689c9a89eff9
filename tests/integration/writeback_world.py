"""A connected, mirrored org for write-back tests (no tests here).

The ``world`` fixture is an in-process emulator (small preset) on loopback and a runtime on a real
DuckDB file in the test's ``tmp_path``, connected with a refresh token and mirrored: the module's
``template`` connects and mirrors once, each test gets a copy of its data directory and a fresh
emulator with the same seeded org (so every test starts from the same Zoho and the same mirror). It picks a
rep (an active Zoho user) and a contact reachable by email and phone whose account has exactly one
open deal, early enough in the pipeline to move forward, so that a meeting and a call with that
contact match contact, account and deal. Conversations are imported as JSON Lines, as a customer's
recording tool would send them; what reached Zoho is read from the emulator's own tables.
"""
from __future__ import annotations

import json
import os
import shutil
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from zoho_client_support import FAST_RETRY, Control

from sync_engine import service
from sync_engine.intake.imports import import_bytes
from sync_engine.runtime import Runtime, open_runtime
from sync_engine.settings.writeback_settings import WritebackSettings
from sync_engine.store.tokens import OrgTokens
from sync_engine.store.writeback.outbox import Outbox, OutboxRow
from sync_engine.writeback.push import PushReport, writeback_cycle
from sync_engine.zoho import Connection, ZohoClient
from zoho_emulator import EmulatorConfig, RunningEmulator, start_emulator
from zoho_emulator.model.schema import DEAL_STAGES

REFRESH_TOKEN = "1000.writeback.tests"
MARKER_PREFIX = "[logged by conversation sync: "
STAGE_ORDER = [stage for stage, _, _ in DEAL_STAGES]
TARGET_STAGE = "Negotiation/Review"
ACTIVITY_MODULES = ("Events", "Calls", "Tasks")


@dataclass
class People:
    rep: Any  # the emulator's User
    contact: dict[str, Any]
    deal: dict[str, Any]


def choose_people(em: RunningEmulator) -> People:
    data = em.state.data
    rep = next(u for u in data.users.values() if u.active and not u.is_admin)
    deals = list(data.tables["Deals"].rows.values())
    open_deals = Counter(d.get("Account_Name") for d in deals if not str(d.get("Stage")).startswith("Closed"))
    people = [r for m in ("Contacts", "Leads") for r in data.tables[m].rows.values()]
    phones = Counter(r.get(k) for r in people for k in ("Phone", "Mobile") if r.get(k))
    emails = Counter((r.get("Email") or "").lower() for r in people)
    for contact in data.tables["Contacts"].rows.values():
        phone, email = contact.get("Phone") or "", contact.get("Email") or ""
        if not (phone.startswith("+1 ") and "ext" not in phone and phones[phone] == 1 and email
                and emails[email.lower()] == 1 and open_deals.get(contact.get("Account_Name")) == 1):
            continue
        deal = next(d for d in deals if d.get("Account_Name") == contact["Account_Name"]
                    and not str(d.get("Stage")).startswith("Closed"))
        if STAGE_ORDER.index(deal["Stage"]) < STAGE_ORDER.index(TARGET_STAGE):
            return People(rep, contact, deal)
    raise AssertionError("the small preset has no contact with one open early deal")


@dataclass(frozen=True)
class Template:
    """A data directory holding a connected org mirrored from the seeded emulator org (built once)."""

    data_dir: Path
    org_id: str

    @classmethod
    def build(cls, directory: Path) -> Template:
        os.environ["SYNC_DATA_DIR"] = str(directory)
        em = start_emulator(EmulatorConfig(refresh_token=REFRESH_TOKEN))
        rt = open_runtime()
        try:
            org_id = service.connect_with_refresh_token(
                rt, data_centre_code="LOCAL", accounts_url=em.url, client_id=em.config.client_id,
                client_secret=em.config.client_secret, refresh_token=REFRESH_TOKEN).org.org_id
            service.mirror_org(rt, org_id)
        finally:
            rt.close()
            threading.Thread(target=em.stop, daemon=True).start()
        return cls(directory, org_id)


@dataclass
class WritebackWorld:
    rt: Runtime
    em: RunningEmulator
    org_id: str
    data_dir: Path
    people: People

    @classmethod
    def open(cls, tmp_path: Path, template: Template) -> WritebackWorld:
        """A fresh emulator (the same seeded org) and a copy of the template's mirrored data directory,
        pointed at the new emulator: a connected, mirrored org in a fraction of a mirror's time."""
        data_dir = tmp_path / "data"
        shutil.copytree(template.data_dir, data_dir)
        os.environ["SYNC_DATA_DIR"] = str(data_dir)
        em = start_emulator(EmulatorConfig(refresh_token=REFRESH_TOKEN))
        rt = open_runtime()
        rt.orgs.update(template.org_id, accounts_url=em.url, api_domain=em.url)
        world = cls(rt, em, template.org_id, data_dir, choose_people(em))
        world.use_client()
        return world

    def close(self) -> None:
        self.rt.close()
        threading.Thread(target=self.em.stop, daemon=True).start()  # stop() waits out a 0.5 s poll

    def reopen(self) -> Runtime:
        """A fresh process's runtime on the same DuckDB file (nothing in memory survives)."""
        os.environ["SYNC_DATA_DIR"] = str(self.data_dir)
        self.rt = open_runtime()
        self.use_client()
        return self.rt

    def use_client(self, timeout_s: float = 10.0) -> ZohoClient:
        return install_test_client(self.rt, self.org_id, timeout_s)

    # -- conversations --------------------------------------------------------------------------------
    @property
    def control(self) -> Control:
        return Control(self.em)

    def meeting(self, conversation_id: str, now: datetime, **changes: Any) -> dict[str, Any]:
        rep, contact = self.people.rep, self.people.contact
        return {"kind": "meeting", "id": conversation_id, "title": "Quarterly review",
                "start": (now - timedelta(hours=1)).isoformat(), "end": (now - timedelta(minutes=30)).isoformat(),
                "organizer": rep.email, "user_email": rep.email, "attendees": [rep.email, contact["Email"]],
                "summary": "Talked pricing.", **changes}

    @property
    def inactive_user_email(self) -> str:
        """The org's Zoho user who is inactive: mapped by email, but Zoho takes no activity owned by them."""
        return next(u.email for u in self.em.state.data.users.values() if not u.active)

    def call(self, conversation_id: str, now: datetime, **changes: Any) -> dict[str, Any]:
        return {"kind": "call", "id": conversation_id, "direction": "outbound", "from": "+14155550100",
                "to": self.people.contact["Phone"], "start": (now - timedelta(minutes=20)).isoformat(),
                "duration_s": 125, "user_email": self.people.rep.email, "summary": "Follow-up call.", **changes}

    def bring_in(self, *conversations: dict[str, Any]) -> None:
        text = "".join(json.dumps(c) + "\n" for c in conversations)
        summary = import_bytes(self.rt, self.org_id, text.encode(), filename="conversations.jsonl")
        assert summary.errors == [] and summary.valid == len(conversations), summary

    def cycle(self, settings: WritebackSettings | None = None, now: datetime | None = None) -> PushReport:
        return writeback_cycle(self.rt, self.org_id, settings or WritebackSettings(), now)

    # -- what is where --------------------------------------------------------------------------------
    def outbox(self) -> dict[str, OutboxRow]:
        return {row.op_key: row for row in Outbox(self.rt.store).rows(self.org_id)}

    def states(self) -> dict[str, str]:
        return {key: row.state for key, row in self.outbox().items()}

    def in_zoho(self, module: str) -> list[dict[str, Any]]:
        """The module's records in the emulator that this integration wrote (they carry a marker)."""
        return [r for r in self.em.state.data.tables[module].rows.values()
                if MARKER_PREFIX in (r.get("Description") or "")]

    def copies(self) -> Counter[str]:
        """How many records in Zoho carry each marker: exactly once means every count is 1."""
        found: Counter[str] = Counter()
        for module in ACTIVITY_MODULES:
            for record in self.in_zoho(module):
                text = record["Description"]
                found[text[text.index(MARKER_PREFIX) + len(MARKER_PREFIX):].split("]")[0]] += 1
        return found

    def insert_calls(self, module: str | None = None, at_least: int = 0) -> list[dict[str, Any]]:
        """Insert calls in the emulator's log (a slow answer is logged once sent: wait for ``at_least``)."""
        calls = self.control.settled_calls("records.insert", at_least) if at_least else \
            self.control.calls("records.insert")
        return [c for c in calls if module is None or c["module"] == module]


def install_test_client(rt: Runtime, org_id: str, timeout_s: float = 10.0) -> ZohoClient:
    """The org's client as the runtime builds it, but with test-sized retry waits and timeout (the
    production policy waits 5 s and more after a 429), cached where ``Runtime.client`` keeps it."""
    org = rt.orgs.get(org_id)
    secrets = rt.orgs.connection_secrets(org_id)
    client = ZohoClient(Connection(org_id, org.accounts_url, org.api_domain or "", org.client_id,
                                   secrets.client_secret, secrets.refresh_token), rt.record_call,
                        retry=FAST_RETRY, timeout_s=timeout_s, token_keeper=OrgTokens(rt.store, rt.box, org_id),
                        sent_observer=rt.record_call)
    client.adopt_edition(org.edition)
    rt.forget_client(org_id)
    rt._clients[org_id] = client
    return client


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
