"""The match index read from the mirror's DuckDB tables matches like one built from the same records in memory."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sync_engine.intake.conversations import Call, Meeting, Participant, PhoneNumber
from sync_engine.matching.index import ACCOUNT_FIELDS, LEAD_FIELDS, PERSON_FIELDS, ZohoUserRef, index_from_records
from sync_engine.matching.matcher import match
from sync_engine.matching.mirror_index import load_index
from sync_engine.records.contact_points import record_points
from sync_engine.records.streams import ACCOUNTS, CONTACTS, DEALS, LEADS, Stream
from sync_engine.records.users import OurUser, ZohoUser
from sync_engine.store.db import Store
from sync_engine.store.mirror.tables import Batch, DealStage, MirrorTables, ModuleState
from sync_engine.store.users import UserRepository

ORG = "org-1"
NOW = datetime(2025, 6, 2, 12, tzinfo=UTC)
RECENT = (NOW - timedelta(days=2)).isoformat()
RECORDS: dict[str, list[dict[str, Any]]] = {
    "Accounts": [
        {"id": "A1", "Account_Name": "Acme Inc", "Website": "https://www.acme.com", "Phone": "+1 650 253 0000",
         "Account_Type": "Customer"},
        {"id": "A2", "Account_Name": "Globex", "Website": "globex.com"},
    ],
    "Contacts": [
        {"id": "C1", "Full_Name": "Ana Ruiz", "Email": "Ana@Acme.com", "Account_Name": "A1",
         "Phone": "+1 650 253 0000"},
        {"id": "C2", "Full_Name": "Bob Stone", "Email": "bob@acme.com", "Account_Name": "A1",
         "Mobile": "(646) 555-0123", "Last_Activity_Time": RECENT},
        {"id": "C3", "Full_Name": "Gus Wu", "Email": "gus@globex.com", "Account_Name": "A2",
         "Home_Phone": "(646) 555-0123"},
        {"id": "C4", "Full_Name": "Hanna Vogt", "Email": "hanna@globex.com", "Account_Name": "A2",
         "Phone": "030 1234567"},
    ],
    "Leads": [
        {"id": "L1", "Full_Name": "Ana Ruiz", "Email": "ana@acme.com", "Converted__s": False},
        {"id": "L2", "Full_Name": "Frank Ng", "Email": "frank@startup.io", "Converted__s": False},
    ],
    "Deals": [
        {"id": "D1", "Deal_Name": "Acme renewal", "Account_Name": "A1", "Stage": "Negotiation/Review",
         "Modified_Time": "2025-05-01T10:00:00+00:00", "Closing_Date": "2025-07-01", "Contact_Name": "C1"},
        {"id": "D2", "Deal_Name": "Acme upsell", "Account_Name": "A1", "Stage": "Qualification",
         "Modified_Time": "2025-05-20T10:00:00+00:00", "Closing_Date": "2025-09-01"},
        {"id": "D3", "Deal_Name": "Acme won", "Account_Name": "A1", "Stage": "Signed",
         "Modified_Time": "2025-06-01T10:00:00+00:00"},
    ],
}
FIELDS = {"Accounts": ACCOUNT_FIELDS, "Contacts": PERSON_FIELDS, "Leads": LEAD_FIELDS, "Deals": ()}
STREAMS: dict[str, Stream] = {"Accounts": ACCOUNTS, "Contacts": CONTACTS, "Leads": LEADS, "Deals": DEALS}
STAGES = [("Qualification", "Open"), ("Negotiation/Review", "Open"), ("Signed", "Closed Won")]
USERS = [ZohoUser("U1", "Jane@OurCo.com", "Jane Doe"), ZohoUser("U2", "max@ourco.com", "Max M", status="inactive"),
         ZohoUser("U3", "temp@agency.com", "Temp")]


@pytest.fixture
def mirrored(store: Store) -> Store:
    tables = MirrorTables(store)
    for module, records in RECORDS.items():
        points = [(r["id"], p) for r in records for p in record_points(r, FIELDS[module], "US")]
        tables.apply(STREAMS[module], Batch(ModuleState(ORG, module), records=records, points=points), NOW)
    tables.replace_deal_stages(ORG, [DealStage("P1", "Standard", True, stage, stage, n, forecast, None, None)
                                     for n, (stage, forecast) in enumerate(STAGES)], NOW)
    users = UserRepository(store)
    users.replace_zoho_users(ORG, USERS, NOW)
    users.replace_our_users(ORG, [OurUser("jane@ourco.com"), OurUser("contractor@ourco.com")])
    users.set_manual(ORG, "contractor@ourco.com", "U3")
    users.remap(ORG, NOW)
    return store


def meeting(*emails: str, user: str = "jane@ourco.com") -> Meeting:
    return Meeting("m1", "Sync", NOW, NOW, None, tuple(Participant(e) for e in emails), user, "jsonl")


def call(e164: str) -> Call:
    return Call("c1", "outbound", None, PhoneNumber(e164, e164), NOW, 60, "jane@ourco.com", "csv")


def test_the_index_from_the_mirror_equals_the_one_from_the_records(mirrored: Store):
    loaded = load_index(mirrored, ORG)
    built = index_from_records(accounts=RECORDS["Accounts"], contacts=RECORDS["Contacts"], leads=RECORDS["Leads"],
                               deals=RECORDS["Deals"], region="US", open_stages=["Qualification", "Negotiation/Review"],
                               users=[(u.email, ZohoUserRef(u.zoho_user_id, u.full_name, u.is_active)) for u in USERS])
    for name in ("emails", "phones", "phone_extensions", "national_numbers", "domains", "open_deals"):
        assert getattr(loaded, name) == getattr(built, name), name
    assert loaded.people == built.people and loaded.accounts == built.accounts
    assert loaded.own_domains == {"ourco.com", "agency.com"}


@pytest.mark.parametrize(("conversation", "expected"), [
    (meeting("ana@acme.com"), ("matched", "C1", "A1", "D1", "U1")),
    (meeting("someone@globex.com"), ("partial", None, "A2", None, "U1")),
    (call("+16502530000"), ("partial", None, "A1", "D2", "U1")),
    (call("+16465550123"), ("matched", "C2", "A1", "D2", "U1")),  # shared, but only Bob was active lately
    (call("+49301234567"), ("matched", "C4", "A2", None, "U1")),  # stored without its country code
    (meeting("frank@startup.io", user="contractor@ourco.com"), ("matched", "L2", None, None, "U3")),
    (meeting("bob@acme.com", user="max@ourco.com"), ("matched", "C2", "A1", "D2", None)),
])
def test_conversations_match_against_the_mirror(mirrored: Store, conversation, expected):
    result = match(conversation, load_index(mirrored, ORG))
    assert (result.status, result.contact_id or result.lead_id, result.account_id, result.deal_id,
            result.owner_id) == expected


def test_an_org_whose_pipelines_were_never_pulled_treats_closed_named_stages_as_closed(store: Store):
    tables = MirrorTables(store)
    deals = [{"id": "D1", "Deal_Name": "Open", "Account_Name": "A1", "Stage": "Qualification"},
             {"id": "D2", "Deal_Name": "Lost", "Account_Name": "A1", "Stage": "Closed Lost"}]
    tables.apply(DEALS, Batch(ModuleState(ORG, "Deals"), records=deals), NOW)
    assert [d.record_id for d in load_index(store, ORG).open_deals["A1"]] == ["D1"]


def test_another_orgs_records_are_not_read(mirrored: Store):
    assert load_index(mirrored, "org-2").summary()["people"] == 0


def test_the_users_phones_and_the_orgs_number_are_the_companys_own_lines(store: Store):
    tables = MirrorTables(store)
    tables.save_org_state(replace(tables.org_state(ORG), country_code="UK", phone="020 7946 0000"))
    UserRepository(store).replace_zoho_users(ORG, [
        ZohoUser("U1", "jane@ourco.com", "Jane Doe", phone="+1 (415) 555-0101", mobile="07400 123456")], NOW)
    lead = {"id": "L9", "Full_Name": "Careless", "Mobile": "07400 123456"}
    tables.apply(LEADS, Batch(ModuleState(ORG, "Leads"), records=[lead],
                              points=[("L9", p) for p in record_points(lead, LEAD_FIELDS, "GB")]), NOW)
    index = load_index(store, ORG)
    assert set(index.own_numbers) == {"+442079460000", "+14155550101", "+447400123456"}
    result = match(call("+447400123456"), index)
    assert (result.status, result.lead_id) == ("internal", None)
    assert any("the org's own line (Zoho user Jane Doe's mobile)" in r for r in result.reasons)
