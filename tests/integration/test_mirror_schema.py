"""The mirror's tables in a real DuckDB file: in-place upgrade from version 5, match-key lookups."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sync_engine.records.contact_points import DOMAIN, EMAIL, PHONE, ContactPoint
from sync_engine.records.streams import ACCOUNTS, CONTACTS, FieldSpec
from sync_engine.store.db import Store
from sync_engine.store.migrations import MIGRATIONS
from sync_engine.store.mirror.tables import Batch, DealStage, MirrorTables, ModuleState

T0 = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
MIRROR_TABLES = {"mirror_contacts", "mirror_leads", "mirror_accounts", "mirror_deals", "mirror_deal_stages",
                 "mirror_contact_points", "mirror_orgs", "mirror_modules"}


def _tables(store: Store) -> set[str]:
    return {name for (name,) in store.query("SELECT table_name FROM duckdb_tables()")}


def test_a_version_5_file_upgrades_in_place_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "from-v5.duckdb"
    with Store(path, MIGRATIONS[:5]) as old:
        assert old.schema_version == 5 and not MIRROR_TABLES & _tables(old)
        with old.transaction() as cursor:
            cursor.execute("INSERT INTO orgs (org_id, name, data_centre, accounts_url, client_id) "
                           "VALUES ('acme', 'Acme', 'EU', 'https://accounts.zoho.eu', '1000.X')")
            cursor.execute("INSERT INTO credit_ledger VALUES ('acme', ?, 'GET', 'org', '/crm/v8/org', NULL, 200, "
                           "NULL, 1, 12.0, 'onboarding', NULL)", [T0])
    with Store(path) as upgraded:
        assert upgraded.schema_version == MIGRATIONS[-1].version >= 8
        assert MIRROR_TABLES <= _tables(upgraded)
        assert upgraded.query("SELECT org_id, data_centre FROM orgs") == [("acme", "EU")]
        assert upgraded.query("SELECT count(*) FROM credit_ledger") == [(1,)]
        versions = upgraded.query("SELECT version FROM schema_version ORDER BY version")
        assert [v for (v,) in versions] == list(range(1, MIGRATIONS[-1].version + 1))
        _write_a_contact(MirrorTables(upgraded))
    with Store(path) as reopened:  # nothing applied twice, the written rows still there
        assert reopened.schema_version == MIGRATIONS[-1].version
        assert MirrorTables(reopened).count("acme", "Contacts") == 1


def _write_a_contact(tables: MirrorTables) -> None:
    state = ModuleState("acme", "Contacts", fields=CONTACTS.base_fields, method="coql", records_done=1, last_id="7")
    record = {"id": "7", "Last_Name": "Lee", "Email": "Ann.Lee@Acme.com", "Account_Name": "3",
              "Modified_Time": "2025-06-02T09:00:00+00:00"}
    points = [("7", ContactPoint(EMAIL, "ann.lee@acme.com", "Email", "Ann.Lee@Acme.com")),
              ("7", ContactPoint(DOMAIN, "acme.com", "Email", "Ann.Lee@Acme.com"))]
    tables.apply(CONTACTS, Batch(state, [record], points), T0)


def test_state_and_rows_are_written_together_and_read_back(store: Store) -> None:
    tables = MirrorTables(store)
    _write_a_contact(tables)
    state = tables.module_states("acme")["Contacts"]
    assert (state.last_id, state.records_done, state.fields) == ("7", 1, CONTACTS.base_fields)
    assert tables.typed_rows("acme", "Contacts")["7"]["modified_time"] == T0
    assert tables.records("acme", "Contacts")["7"]["Email"] == "Ann.Lee@Acme.com"


def test_replacing_a_record_replaces_its_match_keys(store: Store) -> None:
    tables = MirrorTables(store)
    _write_a_contact(tables)
    state = ModuleState("acme", "Contacts", fields=CONTACTS.base_fields)
    moved = {"id": "7", "Last_Name": "Lee", "Email": "ann@newco.example", "Modified_Time": "2025-06-03T09:00:00+00:00"}
    tables.apply(CONTACTS, Batch(state, [moved], [("7", ContactPoint(EMAIL, "ann@newco.example", "Email",
                                                                     "ann@newco.example"))]), T0)
    assert tables.find("acme", EMAIL, "ann.lee@acme.com") == [] and tables.find("acme", DOMAIN, "acme.com") == []
    assert [h.record_id for h in tables.find("acme", EMAIL, "ann@newco.example")] == ["7"]
    tables.apply(CONTACTS, Batch(state, removed=["7"]), T0)
    assert tables.count("acme", "Contacts") == 0 and tables.find("acme", EMAIL, "ann@newco.example") == []


def test_an_account_is_found_by_its_website_or_by_its_contacts_email_domain(store: Store) -> None:
    tables = MirrorTables(store)
    accounts = ModuleState("acme", "Accounts", fields=ACCOUNTS.base_fields)
    records = [{"id": "3", "Account_Name": "Acme"}, {"id": "4", "Account_Name": "Acme EU"}]
    website = ContactPoint(DOMAIN, "acme.com", "Website", "www.acme.com")
    tables.apply(ACCOUNTS, Batch(accounts, records, [("4", website)]), T0)
    _write_a_contact(tables)  # contact 7 of account 3 has an acme.com address
    assert tables.accounts_for_domain("acme", "acme.com") == [("4", 1000), ("3", 1)]
    assert tables.accounts_for_domain("acme", "other.example") == []


def test_a_phone_key_keeps_its_extension_and_flag(store: Store) -> None:
    tables = MirrorTables(store)
    state = ModuleState("acme", "Contacts", fields=(FieldSpec("Phone", "phone"),))
    tables.apply(CONTACTS, Batch(state, [{"id": "8", "Phone": "(415) 555-0132 x7"}],
                                 [("8", ContactPoint(PHONE, "+14155550132", "Phone", "(415) 555-0132 x7", "7"))]), T0)
    hit = tables.find("acme", PHONE, "+14155550132")[0]
    assert (hit.module, hit.record_id, hit.extension, hit.flag) == ("Contacts", "8", "7", None)


def test_deal_stages_are_replaced_whole(store: Store) -> None:
    tables = MirrorTables(store)
    won = DealStage("p1", "Standard", True, "Closed Won", "Closed Won", 8, "Closed Won", "Closed", 100.0)
    tables.replace_deal_stages("acme", [won, DealStage("p1", "Standard", True, "Qualification", "Qualification", 1,
                                                       "Open", "Pipeline", 10.0)], T0)
    assert [s.stage for s in tables.deal_stages("acme")] == ["Qualification", "Closed Won"]
    tables.replace_deal_stages("acme", [won], T0)
    assert tables.deal_stages("acme") == [won]
