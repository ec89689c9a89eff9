"""Addresses, countries and phone numbers as customers write them (RFC 5322 display names, country names in
any language, dialer habits): the pure readers both the mirror and ingestion use."""
from __future__ import annotations

import pytest

from sync_engine.records.contact_points import INVALID, email_keys, normalise_phone, record_regions
from sync_engine.records.countries import country_region
from sync_engine.records.email_addresses import read_address, read_addresses


@pytest.mark.parametrize(("written", "email", "name"), [
    ("Ana Ruiz <ana@x.com>", "ana@x.com", "Ana Ruiz"),
    ('"Ruiz, Ana" <ana@x.com>', "ana@x.com", "Ruiz, Ana"),
    ("Ruiz, Ana <ana@x.com>", "ana@x.com", "Ana"),
    ("<ana@x.com>", "ana@x.com", None),
    ("mailto:ana@x.com", "ana@x.com", None),
    ('"Ana" <MAILTO:Ana@X.COM>', "ana@x.com", "Ana"),
    ("  ANA@X.COM\t", "ana@x.com", None),
    ("ana @ x.com", "ana@x.com", None),
    ("ana@x.com (Ana at work)", "ana@x.com", "Ana at work"),
])
def test_an_address_is_read_as_people_write_it(written, email, name):
    found = read_address(written)
    assert found is not None and (found.email, found.name) == (email, name)


@pytest.mark.parametrize("written", ["", "ana", "a@b@c.com", "ana@localhost", "Ana Ruiz", "<>", "mailto:"])
def test_text_with_no_readable_address_gives_none(written):
    assert read_address(written) is None


def test_a_field_with_two_addresses_gives_both_and_a_participant_none():
    assert [a.email for a in read_addresses("a@x.com; B@Y.com")] == ["a@x.com", "b@y.com"]
    assert read_address("a@x.com, b@y.com") is None


def test_a_crm_field_that_holds_no_address_is_kept_flagged_not_made_into_a_broken_key():
    assert email_keys("Ana Ruiz <ana@x.com>") == [("ana@x.com", None)]
    assert email_keys("ana at x dot com") == [("anaatxdotcom", INVALID)]


@pytest.mark.parametrize(("written", "region"), [
    ("Germany", "DE"), ("deutschland", "DE"), ("DE", "DE"), ("deu", "DE"), ("U.S.A.", "US"), ("United States", "US"),
    ("uk", "GB"), ("England", "GB"), ("United Kingdom", "GB"), ("France", "FR"), ("République française", "FR"),
    ("India", "IN"), ("Brasil", "BR"), ("brazil", "BR"), ("Australia", "AU"), ("AUS", "AU"), ("Schweiz", "CH"),
    ("Österreich", "AT"), ("日本", "JP"), (" New Zealand ", "NZ"), ("Belgique", "BE"),
])
def test_country_fields_name_regions_in_any_language_case_or_code(written, region):
    assert country_region(written) == region


@pytest.mark.parametrize("written", ["", "Narnia", "---", None, 49])
def test_text_naming_no_country_gives_none(written):
    assert country_region(written) is None


def test_a_records_countries_come_first_in_field_order_then_the_orgs():
    contact = {"Mailing_Country": "usa", "Other_Country": "Deutschland"}
    assert record_regions(contact, "Contacts", "GB") == ("US", "DE", "GB")
    assert record_regions({"Country": "Brasil"}, "Leads", "BR") == ("BR",)
    assert record_regions({"Billing_Country": "Narnia"}, "Accounts", "AU") == ("AU",)


@pytest.mark.parametrize(("written", "regions", "e164", "extension"), [
    ("(415) 555-0144", ("GB", "US"), "+14155550144", None),  # not British: the next country tried
    ("14155550144", ("GB",), "+14155550144", None),  # bare digits with a country code
    ("4930901820", ("US",), "+4930901820", None),
    ("0049 30 901820", ("US",), "+4930901820", None),  # 00 is no US exit code: the fallback
    ("011 44 20 7946 0958", ("DE",), "+442079460958", None),  # nor 011 a German one
    ("+44 (0)20 7946 0958", ("US",), "+442079460958", None),
    ("4915123456789", ("DE",), "+4915123456789", None),  # own calling code first, not a Leer number
    ("0151 23456789", ("DE",), "+4915123456789", None),
    ("151 23456789", ("DE",), "+4915123456789", None),  # national without the trunk 0
    ("+1 650 253 0000 ext. 214", ("US",), "+16502530000", "214"),
])
def test_numbers_as_dialers_and_crms_write_them(written, regions, e164, extension):
    phone = normalise_phone(written, regions)
    assert phone is not None and (phone.e164, phone.extension, phone.flag) == (e164, extension, None)


def test_a_us_formatted_number_is_never_read_as_international_by_the_fallback():
    phone = normalise_phone("(493) 012-3456", ("US",))  # 493 is no US area code; no + reading of brackets
    assert phone is not None and phone.flag is not None
