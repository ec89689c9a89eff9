"""Specification of matching: conversations against a small CRM, each rule by a case, and its properties."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync_engine.intake.conversations import Call, Meeting, Participant, PhoneNumber
from sync_engine.matching.activity_types import ActivityType, TypeRule
from sync_engine.matching.deal_rules import DealRules
from sync_engine.matching.index import (
    MatchIndex,
    ZohoUserRef,
    index_from_records,
    national_digits,
    own_domains_from_users,
)
from sync_engine.matching.matcher import STATUSES, MatchResult, MatchRules, match

WHEN = datetime(2025, 6, 2, 15, 0, tzinfo=UTC)
ME = "jane@ourco.com"
ACCOUNTS: list[dict[str, Any]] = [
    {"id": "A1", "Account_Name": "Acme Inc", "Website": "https://www.acme.com", "Phone": "+1 650 253 0000",
     "Account_Type": "Customer"},
    {"id": "A2", "Account_Name": "Acme Germany GmbH", "Website": "www.acme.com/de", "Parent_Account": "A1"},
    {"id": "A3", "Account_Name": "Globex", "Website": "globex.com", "Phone": "(212) 555-0100",
     "Account_Type": "Prospect"},
    {"id": "A4", "Account_Name": "Initech"},  # no website: its people's work mail says its domain
    {"id": "A5", "Account_Name": "Umbrella", "Website": "umbrella.com", "Phone": "(312) 555-0142"},
    {"id": "A6", "Account_Name": "Northwind", "Website": "northwind.de"},
]
CONTACTS: list[dict[str, Any]] = [
    {"id": "C1", "Full_Name": "Ana Ruiz", "Email": " Ana.Ruiz@ACME.com", "Account_Name": "A1",
     "Phone": "+1 650 253 0000"},
    {"id": "C2", "Full_Name": "Bob Stone", "Email": "bob@acme.com", "Secondary_Email": "bob.stone@gmail.com",
     "Mobile": "(415) 439-1234", "Account_Name": "A1"},
    {"id": "C3", "Full_Name": "Carla Diaz", "Email": "carla@globex.com", "Account_Name": "A3",
     "Phone": "+1 212 555 0100 x214"},
    {"id": "C4", "Full_Name": "Dan Park", "Email": "danpark77@gmail.com", "Mobile": "+1 917 555 0199"},
    {"id": "C5", "Full_Name": "Eve Moss", "Email": "eve@initech.io", "Account_Name": "A4"},
    {"id": "C6", "Full_Name": "Finn Holt", "Email": "finn@umbrella.com", "Account_Name": "A5",
     "Home_Phone": "(646) 555-0123"},
    {"id": "C7", "Full_Name": "Gus Wu", "Email": "gus@globex.com", "Account_Name": "A3",
     "Home_Phone": "(646) 555-0123"},
    {"id": "C8", "Full_Name": "Hanna Vogt", "Email": "hanna@northwind.de", "Account_Name": "A6",
     "Phone": "030 1234567 x12"},
]
LEADS: list[dict[str, Any]] = [
    {"id": "L1", "Full_Name": "Ana Ruiz", "Email": "ana.ruiz@acme.com", "Converted__s": False},
    {"id": "L2", "Full_Name": "Frank Ng", "Email": "frank@startup.io", "Mobile": "+1 917 555 0111",
     "Converted__s": False},
    {"id": "L3", "Full_Name": "Old Lead", "Email": "old@converted.com", "Converted__s": True},
    {"id": "L4", "Full_Name": "Bob Stone", "Mobile": "(415) 439-1234", "Converted__s": False},
]
DEALS: list[dict[str, Any]] = [
    {"id": "D1", "Deal_Name": "Acme renewal", "Account_Name": "A1", "Stage": "Negotiation/Review",
     "Modified_Time": "2025-05-01T10:00:00+00:00", "Closing_Date": "2025-07-01"},
    {"id": "D2", "Deal_Name": "Acme upsell", "Account_Name": "A1", "Stage": "Qualification",
     "Modified_Time": "2025-05-20T10:00:00+00:00", "Closing_Date": "2025-09-01"},
    {"id": "D3", "Deal_Name": "Acme pilot", "Account_Name": "A1", "Stage": "Closed Won",
     "Modified_Time": "2025-06-01T10:00:00+00:00", "Contact_Name": "C1"},
    {"id": "D4", "Deal_Name": "Globex pilot", "Account_Name": "A3", "Stage": "Value Proposition",
     "Modified_Time": "2025-04-01T10:00:00+00:00", "Contact_Name": "C7"},
    {"id": "D5", "Deal_Name": "Globex expansion", "Account_Name": "A3", "Stage": "Needs Analysis",
     "Modified_Time": "2025-04-02T10:00:00+00:00", "Contact_Name": "C3"},
]
USERS = [(ME, ZohoUserRef("U1", "Jane Doe")), ("Max.Mustermann@OurCo.com", ZohoUserRef("U2", "Max Mustermann")),
         ("gone@ourco.com", ZohoUserRef("U3", "Gone Away", active=False))]


def crm(**changes: list[dict[str, Any]]) -> MatchIndex:
    tables = {"accounts": ACCOUNTS, "contacts": CONTACTS, "leads": LEADS, "deals": DEALS} | changes
    return index_from_records(**tables, users=USERS, region="US")


INDEX = crm()


def meeting(*attendees: str | Participant | None, organizer: str | None = ME, user: str = ME,
            title: str = "Catch-up") -> Meeting:
    people = tuple(a if isinstance(a, Participant) else Participant(a, "Someone" if a is None else None)
                   for a in attendees)
    return Meeting("m1", title, WHEN, WHEN + timedelta(hours=1), Participant(organizer, role="organizer")
                   if organizer else None, people, user, "jsonl")


def call(number: str, e164: str | None, extension: str | None = None, *, direction: str = "outbound",
         user: str = ME) -> Call:
    dialled = PhoneNumber(number, e164, extension)
    return Call("c1", direction, dialled if direction == "inbound" else None,  # type: ignore[arg-type]
                dialled if direction == "outbound" else None, WHEN, 300, user, "csv")


def links(result: MatchResult) -> tuple[str, str | None, str | None, str | None, str | None]:
    return result.status, result.contact_id or result.lead_id, result.account_id, result.deal_id, result.owner_id


def said(result: MatchResult, words: str) -> bool:
    return any(words in reason for reason in result.reasons)


# -- people by email ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("attendee", "expected"), [
    ("ana.ruiz@acme.com", ("matched", "C1", "A1", "D2", "U1")),
    ("bob.stone@gmail.com", ("matched", "C2", "A1", "D2", "U1")),
    ("eve@initech.io", ("matched", "C5", "A4", None, "U1")),
    ("danpark77@gmail.com", ("matched", "C4", None, None, "U1")),
    ("frank@startup.io", ("matched", "L2", None, None, "U1")),
])
def test_an_attendee_is_found_by_any_email_field_with_the_account_and_deal(attendee, expected):
    assert links(match(meeting(attendee), INDEX)) == expected


def test_an_attendee_known_by_email_is_explained_in_words():
    result = match(meeting("bob@acme.com"), INDEX)
    assert "attendee bob@acme.com is contact Bob Stone (email)" in result.reasons
    assert "recording user jane@ourco.com is Zoho user Jane Doe" in result.reasons


@pytest.mark.parametrize("spelling", ["ANA.RUIZ@ACME.COM", " ana.ruiz@acme.com ", "Ana.Ruiz @Acme.com"])
def test_email_case_and_stray_whitespace_do_not_change_the_match(spelling):
    assert links(match(meeting(spelling), INDEX)) == links(match(meeting("ana.ruiz@acme.com"), INDEX))


def test_lead_and_contact_for_the_same_person_prefers_the_contact_and_says_why():
    result = match(meeting("ana.ruiz@acme.com"), INDEX)
    assert (result.contact_id, result.lead_id) == ("C1", None)
    assert said(result, "is both contact Ana Ruiz and lead Ana Ruiz: one person, so the contact is used")


def test_a_lead_alone_links_no_account_and_no_deal():
    result = match(meeting("frank@startup.io", "someone@acme.com"), INDEX)
    assert links(result) == ("matched", "L2", None, None, "U1")


def test_a_converted_lead_is_not_matched_as_the_mirror_no_longer_holds_it():
    assert match(meeting("old@converted.com"), INDEX).status == "unmatched"


def test_contacts_of_two_accounts_in_equal_numbers_are_a_tie_linking_no_account_nor_deal():
    result = match(meeting("danpark77@gmail.com", "carla@globex.com", "bob@acme.com"), INDEX)
    assert links(result) == ("ambiguous", None, None, None, "U1")
    assert set(result.people_ids) == {"C2", "C3", "C4"}
    assert said(result, "a tie, so no account or deal is linked")


@given(st.permutations(["carla@globex.com", "bob@acme.com", "gus@globex.com", "danpark77@gmail.com"]))
def test_the_account_with_strictly_most_attendee_contacts_wins_whatever_the_order(order):
    result = match(meeting(*order), INDEX)
    # Globex 2, Acme 1; both Globex deals name an attendee, D5 is the later modified and names Carla
    assert links(result) == ("matched", "C3", "A3", "D5", "U1")
    assert set(result.people_ids) == {"C2", "C3", "C4", "C7"}


# -- internal ----------------------------------------------------------------------------------------
def test_a_meeting_of_colleagues_only_is_internal_and_links_nothing():
    result = match(meeting("max.mustermann@ourco.com", "Someone@EU.OurCo.com"), INDEX)
    assert links(result) == ("internal", None, None, None, "U1")
    assert said(result, "from the org: an internal meeting, not logged")


def test_an_attendee_without_an_email_keeps_a_meeting_from_being_internal():
    assert match(meeting("max.mustermann@ourco.com", None), INDEX).status == "unmatched"


def test_a_zoho_user_on_a_personal_mailbox_is_still_internal():
    index = index_from_records(users=[*USERS, ("jane.private@gmail.com", ZohoUserRef("U9", "Jane"))], region="US")
    assert match(meeting("jane.private@gmail.com"), index).status == "internal"


# -- accounts by domain -------------------------------------------------------------------------------
def test_unknown_attendees_of_a_corporate_domain_link_the_account_as_partial():
    result = match(meeting("new.person@umbrella.com", "another@umbrella.com"), INDEX)
    assert links(result) == ("partial", None, "A5", None, "U1")
    assert "account Umbrella by the domain umbrella.com of 2 unknown attendees (the account's website)" \
        in result.reasons


def test_a_domain_known_only_from_an_accounts_people_links_that_account():
    result = match(meeting("zed@initech.io"), INDEX)
    assert links(result)[:3] == ("partial", None, "A4")
    assert "account Initech by the domain initech.io of unknown attendee zed@initech.io (the account's contacts' " \
           "email domain)" in result.reasons


def test_a_subdomain_of_an_accounts_domain_links_the_account():
    assert match(meeting("ops@eu.umbrella.com"), INDEX).account_id == "A5"


def test_personal_domain_attendee_never_links_an_account():
    index = crm(contacts=[*CONTACTS, {"id": "C9", "Full_Name": "X", "Email": "x@gmail.com", "Account_Name": "A5"}])
    result = match(meeting("stranger@gmail.com"), index)
    assert links(result) == ("unmatched", None, None, None, "U1")
    assert said(result, "a personal domain never links an account")


def test_a_domain_shared_by_a_parent_and_its_subsidiary_is_ambiguous():
    result = match(meeting("new.person@acme.com"), INDEX)
    assert links(result) == ("ambiguous", None, None, None, "U1")
    assert said(result, "acme.com is the domain of 2 accounts (Acme Inc, Acme Germany GmbH)")


def test_an_unknown_company_is_unmatched():
    result = match(meeting("someone@nowhere.example"), INDEX)
    assert result.status == "unmatched"
    assert said(result, "nowhere.example is not the domain of any account")


def test_unknown_attendees_pointing_at_two_accounts_link_neither():
    assert links(match(meeting("a@umbrella.com", "b@globex.com"), INDEX))[:3] == ("ambiguous", None, None)


# -- deals -------------------------------------------------------------------------------------------
def test_meeting_with_two_open_deals_picks_the_latest_modified():
    result = match(meeting("ana.ruiz@acme.com"), INDEX)
    assert result.deal_id == "D2"
    assert "deal 'Acme upsell' is the most recently modified of 2 open deals of account Acme Inc" in result.reasons


def test_the_deal_naming_an_attending_contact_wins_over_a_later_modified_one():
    result = match(meeting("carla@globex.com"), INDEX)
    assert result.deal_id == "D5"
    result = match(meeting("gus@globex.com"), INDEX)
    assert result.deal_id == "D4"
    assert said(result, "is the only one of 2 open deals of account Globex naming a contact in the conversation")


def test_the_deals_contact_becomes_the_primary_contact():
    result = match(meeting("carla@globex.com", "gus@globex.com"), INDEX)
    assert (result.deal_id, result.contact_id) == ("D5", "C3")
    deals = [replace_deal(d, Modified_Time="2025-05-30T00:00:00+00:00") if d["id"] == "D4" else d for d in DEALS]
    result = match(meeting("carla@globex.com", "gus@globex.com"), crm(deals=deals))
    assert (result.deal_id, result.contact_id) == ("D4", "C7")
    assert said(result, "contact Gus Wu is the primary contact: the deal names them")


def test_closed_deals_are_never_chosen():
    index = crm(deals=[d for d in DEALS if d["id"] == "D3"])
    assert match(meeting("ana.ruiz@acme.com"), index).deal_id is None


def replace_deal(deal: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**deal, **changes}


def test_the_org_can_put_the_closing_date_first():
    rules = MatchRules(deals=DealRules(order=("nearest_closing", "latest_modified")))
    assert match(meeting("ana.ruiz@acme.com"), INDEX, rules).deal_id == "D1"


def test_the_org_can_refuse_deals_for_account_only_matches():
    rules = MatchRules(deals=DealRules(without_contact=False))
    result = match(call("+1 650 253 0000", "+16502530000"), INDEX, rules)
    assert (result.account_id, result.deal_id) == ("A1", None)
    assert said(result, "no deal is chosen without a contact (org rule)")


# -- calls -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("written", "e164", "direction", "expected"), [
    ("(415) 439-1234", "+14154391234", "outbound", "C2"),  # national format, as the dialer logged it
    ("+1 917 555 0199", "+19175550199", "inbound", "C4"),
    ("+19175550111", "+19175550111", "outbound", "L2"),
])
def test_a_call_is_matched_by_its_number_over_every_phone_field(written, e164, direction, expected):
    result = match(call(written, e164, direction=direction), INDEX)
    assert (result.status, result.contact_id or result.lead_id) == ("matched", expected)


def test_a_number_shared_by_a_lead_and_the_contact_of_the_same_name_is_the_contact():
    result = match(call("(415) 439-1234", "+14154391234"), INDEX)
    assert (result.contact_id, result.lead_id) == ("C2", None)
    assert said(result, "is both contact Bob Stone and lead Bob Stone")


def test_a_switchboard_shared_within_one_account_links_the_account_only():
    result = match(call("+1 650 253 0000", "+16502530000"), INDEX)
    assert links(result) == ("partial", None, "A1", "D2", "U1")
    assert said(result, "is shared by account Acme Inc and contact Ana Ruiz, all of account Acme Inc: "
                        "linked to the account, not to one person")


def test_an_extension_finds_the_person_behind_the_switchboard():
    result = match(call("+1 212 555 0100 ext. 214", "+12125550100", "214"), INDEX)
    assert (result.status, result.contact_id, result.account_id) == ("matched", "C3", "A3")
    assert match(call("+1 212 555 0100", "+12125550100"), INDEX).status == "partial"


def test_a_number_shared_across_accounts_is_ambiguous():
    result = match(call("(646) 555-0123", "+16465550123"), INDEX)
    assert links(result) == ("ambiguous", None, None, None, "U1")
    assert said(result, "is shared by 2 contacts (Finn Holt, Gus Wu), not all of one account, and none was active "
                        "within 14 days: not linked")


def test_recent_activity_resolves_a_number_shared_across_accounts():
    active = WHEN - timedelta(days=3)
    contacts = [{**c, "Last_Activity_Time": active} if c["id"] == "C7" else c for c in CONTACTS]
    result = match(call("(646) 555-0123", "+16465550123"), crm(contacts=contacts))
    assert (result.status, result.contact_id) == ("matched", "C7")
    assert said(result, "contact Gus Wu is the only one active within 14 days of the conversation")


def test_a_number_stored_without_its_country_code_is_found_by_its_digits():
    result = match(call("+49 30 1234567", "+49301234567"), INDEX)
    assert (result.status, result.contact_id) == ("matched", "C8")
    assert said(result, "a phone stored without country code, by its national digits 0301234567")
    assert match(call("+49 30 1234567 x12", "+49301234567", "12"), INDEX).contact_id == "C8"


def test_national_digits_shared_by_two_countries_without_their_trunk_prefix_do_not_match():
    contacts = [*CONTACTS, {"id": "C9", "Full_Name": "Kasia Nowak", "Email": "k@nowak.pl", "Phone": "12 345 34 09"}]
    paris = call("+33 1 23 45 34 09", "+33123453409")
    assert match(paris, crm(contacts=contacts)).status == "unmatched"
    assert match(call("+48 12 345 34 09", "+48123453409"), crm(contacts=contacts)).contact_id == "C9"


@pytest.mark.parametrize(("written", "e164"), [("anonymous", None), ("+1 305 555 0177", "+13055550177")])
def test_an_unreadable_or_unknown_number_is_unmatched(written, e164):
    assert links(match(call(written, e164), INDEX)) == ("unmatched", None, None, None, "U1")


# -- owner -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("user", "owner", "words"), [
    ("MAX.MUSTERMANN@ourco.com", "U2", "is Zoho user Max Mustermann"),
    ("gone@ourco.com", None, "who is inactive (Zoho refuses inactive owners): no owner"),
    ("temp@ourco.com", None, "recording user temp@ourco.com is not a Zoho user: no owner"),
])
def test_the_recording_user_becomes_the_owner_when_zoho_accepts_them(user, owner, words):
    result = match(meeting("bob@acme.com", user=user, organizer=user), INDEX)
    assert result.owner_id == owner and said(result, words)


def test_two_zoho_users_sharing_an_email_own_nothing():
    index = index_from_records(users=[*USERS, (ME, ZohoUserRef("U7", "Jane Twin"))], region="US")
    assert match(meeting("bob@acme.com"), index).owner_id is None


# -- activity types ----------------------------------------------------------------------------------
TYPES = (ActivityType("Renewal", (TypeRule(title_keywords=("renewal",), account_types=frozenset({"Customer"})),)),
         ActivityType("Customer call", (TypeRule(kinds=frozenset({"call"}), participants="contact"),)))


def test_a_matching_rule_names_the_activity_type_and_says_why():
    result = match(meeting("bob@acme.com", title="Acme renewal review"), INDEX, MatchRules(activity_types=TYPES))
    assert result.activity_type == "Renewal"
    assert said(result, "activity type 'Renewal' by its rule (title has 'renewal'; account type is Customer)")


def test_an_admin_override_wins_over_the_rules():
    result = match(meeting("bob@acme.com", title="Acme renewal"), INDEX, MatchRules(activity_types=TYPES),
                   activity_override="customer call")
    assert result.activity_type == "Customer call"


def test_a_result_is_one_json_line_for_the_cli():
    line = match(meeting("bob@acme.com"), INDEX).to_json()
    assert line["id"] == "m1" and line["status"] == "matched" and line["contact_id"] == "C2"
    assert isinstance(line["reasons"], list) and line["reasons"]


# -- the index ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("raw", "digits"), [
    ("030 1234567", "0301234567"), ("(415) 439-1234 x7", "4154391234"), ("0044 20 7946 0958", None),
    ("+49 30 1234567", None), ("12345", None), ("03-1234-5678 ext. 9", "0312345678")])
def test_national_digits_are_the_number_as_written_without_its_extension(raw, digits):
    assert national_digits(raw) == digits


def test_the_orgs_own_domains_are_its_users_domains_without_personal_mailboxes():
    assert own_domains_from_users(["Jane@OurCo.com", "x@ourco.io", "me@gmail.com"]) == {"ourco.com", "ourco.io"}


def test_the_index_holds_open_deals_only_and_no_converted_leads():
    assert {d.record_id for d in INDEX.open_deals["A1"]} == {"D1", "D2"}
    assert "L3" not in INDEX.people and "old@converted.com" not in INDEX.emails


# -- properties --------------------------------------------------------------------------------------
KNOWN = ["ana.ruiz@acme.com", "bob@acme.com", "carla@globex.com", "eve@initech.io", "frank@startup.io",
         "danpark77@gmail.com", "new@umbrella.com", "x@acme.com", "who@nowhere.example", "y@gmail.com"]
INTERNAL = ["jane@ourco.com", "max.mustermann@ourco.com", "a@ourco.com", "b@sales.ourco.com"]
MANGLE = st.sampled_from([str.upper, str.title, lambda s: f"  {s}", lambda s: s.replace("@", " @ ")])


@settings(max_examples=150)
@given(st.lists(st.sampled_from(KNOWN + INTERNAL), min_size=1, max_size=5), st.data())
def test_matching_is_invariant_under_email_case_and_whitespace(emails, data):
    mangled = [data.draw(MANGLE)(e) for e in emails]
    assert links(match(meeting(*mangled), INDEX)) == links(match(meeting(*emails), INDEX))


@settings(max_examples=150)
@given(st.lists(st.one_of(st.sampled_from(KNOWN + INTERNAL), st.none()), max_size=5), st.booleans())
def test_a_meeting_is_internal_exactly_when_every_participant_is_internal(attendees, with_organizer):
    result = match(meeting(*attendees, organizer=ME if with_organizer else None), INDEX)
    every_internal = all(a is not None and a in INTERNAL for a in attendees)
    assert (result.status == "internal") == every_internal


@settings(max_examples=150)
@given(st.lists(st.one_of(st.sampled_from(KNOWN + INTERNAL), st.none()), max_size=5))
def test_every_result_is_consistent_and_explained(attendees):
    result = match(meeting(*attendees), INDEX)
    assert result.status in STATUSES and result.reasons
    if result.deal_id is not None:
        assert any(d.record_id == result.deal_id for d in INDEX.open_deals[result.account_id or ""])
    if result.contact_id is not None and INDEX.people[result.contact_id].account_id:
        assert INDEX.people[result.contact_id].account_id == result.account_id
    assert (result.status == "matched") == (result.contact_id is not None or result.lead_id is not None)
    assert result.lead_id is None or (result.account_id is None and result.contact_id is None)


@given(st.permutations(["bob@acme.com", "ana.ruiz@acme.com", "y@gmail.com", "max.mustermann@ourco.com"]))
def test_the_order_of_attendees_of_one_account_does_not_change_account_or_deal(order):
    result = match(meeting(*order), INDEX)
    assert (result.account_id, result.deal_id) == ("A1", "D2")


def test_a_meeting_on_a_later_day_uses_that_day_for_closing_dates():
    rules = MatchRules(deals=DealRules(order=("nearest_closing",)))
    later = replace(meeting("ana.ruiz@acme.com"), start=datetime(2025, 8, 30, tzinfo=UTC),
                    end=datetime(2025, 8, 30, 1, tzinfo=UTC))
    assert match(later, INDEX, rules).deal_id == "D2"
    assert date(2025, 9, 1) - later.start.date() < date(2025, 8, 30) - date(2025, 7, 1)
