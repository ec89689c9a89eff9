"""The emulated org's state: org details, users, module tables, recycle bin.

Plain Python objects, no HTTP. Records are dicts keyed by field API name (see ``schema``); ids are
19-digit strings handed out in increasing order, so a table's insertion order is its id order.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from zoho_emulator.model.schema import MODULES, ModuleDef

EDITIONS = ("free", "standard", "professional", "enterprise", "ultimate")


@dataclass
class User:
    id: str
    first_name: str
    last_name: str
    email: str
    status: str = "active"  # active | inactive | deleted
    confirm: bool = True
    profile: str = "Standard"  # "Administrator" for admins
    role: str = "Sales Representative"
    time_zone: str = "UTC"
    country: str = "US"
    locale: str = "en_US"
    zuid: str = ""
    phone: str = ""
    mobile: str = ""
    created_time: datetime | None = None
    modified_time: datetime | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_admin(self) -> bool:
        return self.profile == "Administrator"

    @property
    def active(self) -> bool:
        return self.status == "active"


@dataclass
class Org:
    id: str
    zgid: str
    company_name: str
    domain_name: str
    primary_email: str
    edition: str = "enterprise"  # one of EDITIONS
    licences: int = 10
    add_on_credits: int = 0
    time_zone: str = "UTC"
    country_code: str = "US"
    currency: str = "USD"
    primary_zuid: str = ""
    created_time: datetime | None = None
    own_domains: tuple[str, ...] = ()  # the org's email domains (its users')
    phone: str = ""  # the company's own number, as GET /org gives it


@dataclass
class DeletedRecord:
    id: str
    module: str
    display_name: str
    deleted_by: str | None  # user id
    created_by: str | None
    deleted_time: datetime
    type: str = "recycle"  # recycle | permanent


@dataclass
class Table:
    """One module's records, id -> record, in id (creation) order."""

    module: ModuleDef
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    version: int = 0  # bumped on every change; lets readers cache sorted views

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows.values())


class IdSequence:
    """Zoho-like 19-digit ids: an org prefix and a counter, strictly increasing."""

    def __init__(self, prefix: str = "5725767", start: int = 1_000_000) -> None:
        self._prefix = prefix
        self._next = start
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            value = self._next
            self._next += 1
        return f"{self._prefix}{value:012d}"

    def advance_past(self, record_id: str) -> None:
        """Make sure later ids sort after an id created elsewhere (the generator)."""
        with self._lock:
            self._next = max(self._next, int(record_id[len(self._prefix):]) + 1)


@dataclass
class OrgData:
    org: Org
    users: dict[str, User] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    deleted: list[DeletedRecord] = field(default_factory=list)
    ids: IdSequence = field(default_factory=IdSequence)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def __post_init__(self) -> None:
        for name, module in MODULES.items():
            self.tables.setdefault(name, Table(module))

    def table(self, module: str) -> Table:
        return self.tables[module]

    def get(self, module: str, record_id: str) -> dict[str, Any] | None:
        table = self.tables.get(module)
        return table.rows.get(record_id) if table else None

    def find_module_of(self, record_id: str) -> str | None:
        for name, table in self.tables.items():
            if record_id in table.rows:
                return name
        return None

    def user_by_email(self, email: str) -> User | None:
        wanted = email.strip().lower()
        return next((u for u in self.users.values() if u.email.lower() == wanted), None)

    @property
    def admin(self) -> User:
        return next(u for u in self.users.values() if u.is_admin and u.active)

    def lookup_name(self, module: str, record_id: str) -> str | None:
        """The display name Zoho puts in a lookup object: the target's name field."""
        if module == "users":
            user = self.users.get(record_id)
            return user.full_name if user else None
        record = self.get(module, record_id)
        if record is None:
            return None
        return record.get(MODULES[module].name_field)

    def purge_deleted(self, now: datetime) -> None:
        """Zoho shows recycle-bin entries 60 days and permanent deletions 120 days."""
        keep = {"recycle": timedelta(days=60), "permanent": timedelta(days=120)}
        self.deleted = [d for d in self.deleted if now - d.deleted_time <= keep[d.type]]


def full_name(record: dict[str, Any]) -> str:
    return " ".join(p for p in (record.get("First_Name"), record.get("Last_Name")) if p)
