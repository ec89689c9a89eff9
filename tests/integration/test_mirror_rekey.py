"""A mirror built before addresses were parsed and numbers read in each record's country is re-keyed on open,
from the records it stores, without asking Zoho for anything."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from sync_engine.store.db import Store
from sync_engine.store.migrations import MIGRATIONS, migrate
from sync_engine.store.mirror.rekey import OWN_LINES
from sync_engine.store.mirror.tables import MirrorTables

ORG = "org-1"
NOW = datetime(2025, 6, 2, 12, tzinfo=UTC)
CONTACT = {"id": "C1", "Full_Name": "Ana Ruiz", "Email": "Ana Ruiz <Ana@X.com>", "Phone": "(415) 555-0144",
           "Mailing_Country": "United States", "Account_Name": None}
OLD_FIELDS = [["First_Name", "text"], ["Email", "email"], ["Phone", "phone"], ["Mailing_Country", "text"]]


def _old_mirror(path: Path) -> None:
    """The file as the release before wrote it: keys derived the old way, Leads without their Country field."""
    conn = duckdb.connect(str(path))
    first_new = next(i for i, m in enumerate(MIGRATIONS) if m.step == OWN_LINES)
    migrate(conn, MIGRATIONS[:first_new])
    conn.execute("INSERT INTO mirror_orgs (org_id, country_code) VALUES (?, 'GB')", [ORG])
    conn.execute("INSERT INTO mirror_contacts (org_id, record_id, full_name, email, phone, raw_record, synced_at) "
                 "VALUES (?, 'C1', 'Ana Ruiz', ?, ?, ?, ?)",
                 [ORG, CONTACT["Email"], CONTACT["Phone"], json.dumps(CONTACT), NOW])
    conn.execute("INSERT INTO mirror_contact_points VALUES (?, 'email', 'anaruiz<ana@x.com>', 'Contacts', 'C1', "
                 "'Email', ?, NULL, NULL)", [ORG, CONTACT["Email"]])
    conn.execute("INSERT INTO mirror_contact_points VALUES (?, 'phone', '+44415555014', 'Contacts', 'C1', "
                 "'Phone', ?, NULL, 'invalid')", [ORG, CONTACT["Phone"]])
    for module, fields in (("Contacts", OLD_FIELDS), ("Leads", [["Email", "email"]])):
        conn.execute("INSERT INTO mirror_modules (org_id, module, fields) VALUES (?, ?, ?)",
                     [ORG, module, json.dumps(fields)])
    conn.close()


def test_an_old_mirror_is_rekeyed_from_its_stored_records(tmp_path: Path) -> None:
    path = tmp_path / "engine.duckdb"
    _old_mirror(path)
    store = Store(path)
    try:
        tables = MirrorTables(store)
        assert [(h.record_id, h.field) for h in tables.find(ORG, "email", "ana@x.com")] == [("C1", "Email")]
        assert tables.find(ORG, "email", "anaruiz<ana@x.com>") == []
        phone = tables.find(ORG, "phone", "+14155550144")  # a US number on a contact of a UK org
        assert [(h.record_id, h.flag) for h in phone] == [("C1", None)]
        assert [(h.record_id, h.flag) for h in tables.find(ORG, "domain", "x.com")] == [("C1", None)]
        states = tables.module_states(ORG)
        assert "Country" in [f.api_name for f in states["Leads"].fields]
        assert "Other_Country" in [f.api_name for f in states["Contacts"].fields]
    finally:
        store.close()
