"""Edits made by the org's own Zoho users, so that incremental sync has something to find."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from zoho_emulator.model.org import DeletedRecord, OrgData, full_name
from zoho_emulator.model.schema import DEAL_STAGES, MODULES

EDITABLE_MODULES = ("Contacts", "Leads", "Accounts", "Deals")
TITLES = ("VP Sales", "Head of Operations", "CFO", "Account Executive", "Procurement Lead", "CTO")


@dataclass
class EditReport:
    updated: dict[str, list[str]] = field(default_factory=dict)
    created: dict[str, list[str]] = field(default_factory=dict)
    deleted: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"updated": self.updated, "created": self.created, "deleted": self.deleted}


def _change(module: str, record: dict[str, Any], rng: random.Random) -> None:
    if module == "Deals":
        record["Stage"] = rng.choice(DEAL_STAGES)[0]
        record["Amount"] = float(rng.randrange(1_000, 250_000, 500))
    elif module == "Accounts":
        record["Phone"] = f"+1 415 555 {rng.randrange(0, 10_000):04d}"
    else:
        choice = rng.random()
        if choice < 0.4:
            record["Title" if module == "Contacts" else "Designation"] = rng.choice(TITLES)
        elif choice < 0.7:
            record["Mobile"] = f"+44 7700 9{rng.randrange(0, 100_000):05d}"
        else:
            local = f"{(record.get('First_Name') or 'x').lower()}.{rng.randrange(100, 999)}"
            domain = (record.get("Email") or "@example.com").split("@")[-1]
            record["Email"] = f"{local}@{domain}"


def simulate_edits(data: OrgData, now: datetime, count: int, modules: tuple[str, ...] = EDITABLE_MODULES,
                   create_share: float = 0.1, delete_share: float = 0.02, seed: int | None = None) -> EditReport:
    """Apply ``count`` changes spread over ``modules``: mostly updates, some creations and deletions."""
    for module in modules:
        if module not in MODULES:
            raise ValueError(f"unknown module {module!r}")
    if count < 0:
        raise ValueError("count must be >= 0")
    rng = random.Random(seed)
    report = EditReport()
    editors = [u.id for u in data.users.values() if u.active] or [data.admin.id]
    keys: dict[str, list[str]] = {}
    with data.lock:
        for _ in range(count):
            module = rng.choice(modules)
            table = data.table(module)
            if not table.rows:
                continue
            editor = rng.choice(editors)
            draw = rng.random()
            ids = keys.setdefault(module, list(table.rows))
            record_id = rng.choice(ids)
            if record_id not in table.rows:
                continue  # deleted earlier in this batch
            if draw < delete_share:
                removed = table.rows.pop(record_id)
                data.deleted.append(DeletedRecord(record_id, module, str(removed.get(MODULES[module].name_field) or ""),
                                                  editor, removed.get("Created_By"), now))
                report.deleted.setdefault(module, []).append(record_id)
            elif draw < delete_share + create_share:
                clone = dict(table.rows[record_id])
                clone.update(id=data.ids.next(), Created_Time=now, Created_By=editor, Owner=editor)
                if module in ("Contacts", "Leads"):
                    clone["Last_Name"] = f"{clone.get('Last_Name', 'New')}-{rng.randrange(10, 99)}"
                    clone["Full_Name"] = full_name(clone)
                    clone["Email"] = None
                elif module == "Accounts":
                    clone["Account_Name"] = f"{clone['Account_Name']} {rng.randrange(2, 99)}"
                clone.update(Modified_Time=now, Modified_By=editor)
                table.rows[clone["id"]] = clone
                report.created.setdefault(module, []).append(clone["id"])
            else:
                record = dict(table.rows[record_id])
                _change(module, record, rng)
                if "Full_Name" in record:
                    record["Full_Name"] = full_name(record)
                record.update(Modified_Time=now, Modified_By=editor)
                table.rows[record_id] = record
                report.updated.setdefault(module, []).append(record_id)
            table.version += 1
    return report

