"""Shared state of one generator run, and the record timeline (Created_Time / Modified_Time).

The timeline is where incremental sync gets tested: creation times are spread over the history
window (skewed recent, as a growing org adds more), but bulk imports create many records in the
same second and mass updates stamp a large share of a module with one identical Modified_Time.
Times are sorted before ids are assigned, so within a module id order is creation order.
"""
from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from zoho_emulator.model.org import OrgData
from zoho_emulator.seed.people import CompanyMaker, EmailBook, Picker
from zoho_emulator.seed.phones import PhoneBook
from zoho_emulator.seed.words import Country


@dataclass(slots=True)
class AccountInfo:
    """What later modules need to know about an account without re-reading its record."""

    id: str
    name: str
    brand: str
    domain: str
    country: Country
    city: tuple[str, str, str]
    owner: str
    phone: str | None
    contacts: list[str] = field(default_factory=list)


@dataclass
class Times:
    created: list[datetime]
    modified: list[datetime]
    imported: bytearray  # 1: created by a bulk import
    mass: bytearray  # 1: stamped by a mass update


@dataclass
class GenContext:
    data: OrgData
    rng: random.Random
    now: datetime
    start: datetime  # beginning of the record history window
    phones: PhoneBook
    emails: EmailBook
    companies: CompanyMaker
    admin_id: str
    importer_ids: list[str]  # who runs imports (admins, an ops user)
    owner_pick: Picker  # user ids, weighted; includes inactive users (they left records behind)
    active_ids: list[str]
    accounts: list[AccountInfo] = field(default_factory=list)
    contact_ids: list[str] = field(default_factory=list)
    contact_account: dict[str, AccountInfo] = field(default_factory=dict)
    lead_ids: list[str] = field(default_factory=list)
    deal_ids: list[str] = field(default_factory=list)

    def timeline(self, n: int, imports: tuple[tuple[float, float], ...] = (),
                 mass_updates: tuple[tuple[float, float], ...] = ()) -> Times:
        """``n`` ascending creation times plus modification times.

        ``imports``: (position in the window 0..1, share of records) created in one same second.
        ``mass_updates``: (position, share) of records whose Modified_Time becomes one instant.
        """
        rng, rnd = self.rng, self.rng.random
        span = int((self.now - self.start).total_seconds())
        keys: list[int] = []
        for pos, share in imports:
            keys.extend([int(span * pos) * 2 + 1] * int(n * share))
        keys.extend(int(span * rnd() ** 0.6) * 2 for _ in range(n - len(keys)))
        keys.sort()
        start, cache = self.start, {}
        created: list[datetime] = []
        modified: list[datetime] = []
        imported = bytearray(n)
        for i, key in enumerate(keys):
            t = key >> 1
            if key & 1:
                imported[i] = 1
                c = cache.get(t) or cache.setdefault(t, start + timedelta(seconds=t))
                keep = rnd() < 0.7
            else:
                c = start + timedelta(seconds=t)
                keep = rnd() < 0.45
            created.append(c)
            modified.append(c if keep else start + timedelta(seconds=t + int((span - t) * rnd() ** 2)))
        mass = bytearray(n)
        for pos, share in mass_updates:
            t = int(span * pos)
            when = start + timedelta(seconds=t)
            eligible = bisect(keys, t * 2 + 1)
            for i in rng.sample(range(eligible), min(eligible, int(n * share))):
                modified[i] = when
                mass[i] = 1
        return Times(created, modified, imported, mass)

    def audit(self, record: dict[str, Any], times: Times, i: int, owner: str) -> dict[str, Any]:
        """Fill id, Owner, Created_By/Modified_By and the two times of the i-th record."""
        rng = self.rng
        created, modified = times.created[i], times.modified[i]
        creator = self.importer_ids[int(rng.random() * len(self.importer_ids))] \
            if times.imported[i] else owner
        if times.mass[i]:
            modifier = self.admin_id
        elif modified is created:
            modifier = creator
        elif rng.random() < 0.7 or not self.active_ids:
            modifier = owner
        else:
            modifier = self.active_ids[int(rng.random() * len(self.active_ids))]
        record["id"] = self.data.ids.next()
        record["Owner"] = owner
        record["Created_By"] = creator
        record["Modified_By"] = modifier
        record["Created_Time"] = created
        record["Modified_Time"] = modified
        return record
