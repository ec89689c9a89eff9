"""Specification of the match keys: emails, phones and domains as matching will look them up."""
from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from sync_engine.records.contact_points import (
    DOMAIN,
    EMAIL,
    INVALID,
    PERSONAL,
    PHONE,
    UNPARSEABLE,
    ContactPoint,
    email_domain,
    email_key,
    is_personal_domain,
    normalise_phone,
    record_points,
    region_code,
    website_domain,
)


@pytest.mark.parametrize(("raw", "expected"), [
    (" Jane.Doe@ACME.com ", ("jane.doe@acme.com", None)),
    ("JANE@EXAMPLE.DE", ("jane@example.de", None)),
    ("jane @ example.com", ("jane@example.com", None)),
    ("Straße@Example.com", ("strasse@example.com", None)),
    ("jane.doe", ("jane.doe", INVALID)),
    ("jane@localhost", ("jane@localhost", INVALID)),
    ("a@b@c.com", ("a@b@c.com", INVALID)),
])
def test_emails_are_stripped_and_casefolded_and_odd_ones_flagged_not_dropped(raw, expected):
    assert email_key(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "\t\n"])
def test_a_blank_email_gives_no_key(raw):
    assert email_key(raw) is None


@pytest.mark.parametrize(("email", "domain"), [
    ("jane@acme.com", "acme.com"), ("jane@mail.acme.co.uk", "mail.acme.co.uk"), ("jane", None), ("jane@", None),
])
def test_the_domain_of_an_email(email, domain):
    assert email_domain(email) == domain


@pytest.mark.parametrize(("raw", "domain"), [
    ("https://www.Acme.com/about", "acme.com"),
    ("www.acme.co.uk", "acme.co.uk"),
    ("http://acme.com:8080/", "acme.com"),
    ("acme.com", "acme.com"),
    ("ACME.COM/", "acme.com"),
    ("//acme.com", "acme.com"),
    ("https://user@shop.acme.com/x?y=1#z", "shop.acme.com"),
    ("www.com", "www.com"),
    (" https://www.acme.com. ", "acme.com"),
    ("not a website", None),
    ("localhost", None),
    ("", None),
])
def test_websites_become_bare_domains(raw, domain):
    assert website_domain(raw) == domain


@pytest.mark.parametrize("domain", ["gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.jp", "yahoo.co.in",
                                    "hotmail.fr", "hotmail.co.uk", "outlook.de", "live.com", "gmx.net", "gmx.de",
                                    "web.de", "icloud.com", "qq.com", "163.com", "proton.me", "protonmail.com",
                                    "t-online.de", "aol.com", "GMAIL.COM"])
def test_personal_mailbox_domains_are_marked(domain):
    assert is_personal_domain(domain)


@pytest.mark.parametrize("domain", ["acme.com", "live.acme.com", "yahoo-inc.com", "mail.acme.com",
                                    "gmail.acme.com", "outlookconsulting.com", "hotmail.example.org"])
def test_company_domains_are_not_marked_personal(domain):
    assert not is_personal_domain(domain)


@pytest.mark.parametrize(("raw", "region", "e164", "extension", "flag"), [
    ("(415) 555-0132", "US", "+14155550132", None, None),
    ("415.555.0132", "US", "+14155550132", None, None),
    ("+1 415 555 0132", "GB", "+14155550132", None, None),
    ("+44 20 7946 0958", "US", "+442079460958", None, None),
    ("0044 20 7946 0958", "US", "+442079460958", None, None),
    ("0044 20 7946 0958", "DE", "+442079460958", None, None),
    ("030 1234567", "DE", "+49301234567", None, None),
    ("+49 (0) 30 1234567", "US", "+49301234567", None, None),
    ("(415) 555-0132 x123", "US", "+14155550132", "123", None),
    ("+1 415 555 0132 ext. 45", "US", "+14155550132", "45", None),
    ("020 7946 0958", "GB", "+442079460958", None, None),
    ("555-0132", "US", "+15550132", None, INVALID),
])
def test_phones_become_e164_with_the_org_country_as_default(raw, region, e164, extension, flag):
    phone = normalise_phone(raw, region)
    assert (phone.e164, phone.extension, phone.flag) == (e164, extension, flag)
    assert phone.value == e164


@pytest.mark.parametrize(("raw", "region"), [("n/a", "US"), ("12", "US"), ("call reception", "DE"),
                                             ("020 7946 0958", None)])
def test_unreadable_phones_are_kept_as_typed_and_flagged(raw, region):
    phone = normalise_phone(raw, region)
    assert phone.e164 is None and phone.flag == UNPARSEABLE and phone.value == raw


def test_a_blank_phone_gives_no_key():
    assert normalise_phone("   ", "US") is None


@pytest.mark.parametrize(("code", "region"), [("US", "US"), ("us", "US"), ("UK", "GB"), ("GB", "GB"),
                                              ("", None), (None, None), ("XX", None)])
def test_the_org_country_code_becomes_a_phone_region(code, region):
    assert region_code(code) == region


def test_a_contact_yields_email_phone_and_domain_keys_each_from_its_own_field():
    contact = {"Email": " Ann.Lee@Acme.COM", "Secondary_Email": "ann.lee@gmail.com", "Phone": "(415) 555-0132 x7",
               "Mobile": "n/a", "Home_Phone": None, "Title": "CFO"}
    fields = [("Email", "email"), ("Secondary_Email", "email"), ("Phone", "phone"), ("Mobile", "phone"),
              ("Home_Phone", "phone"), ("Title", "text")]
    points = record_points(contact, fields, "US")
    assert points == [
        ContactPoint(EMAIL, "ann.lee@acme.com", "Email", " Ann.Lee@Acme.COM"),
        ContactPoint(DOMAIN, "acme.com", "Email", " Ann.Lee@Acme.COM"),
        ContactPoint(EMAIL, "ann.lee@gmail.com", "Secondary_Email", "ann.lee@gmail.com"),
        ContactPoint(DOMAIN, "gmail.com", "Secondary_Email", "ann.lee@gmail.com", flag=PERSONAL),
        ContactPoint(PHONE, "+14155550132", "Phone", "(415) 555-0132 x7", extension="7"),
        ContactPoint(PHONE, "n/a", "Mobile", "n/a", flag=UNPARSEABLE),
    ]


def test_an_account_website_yields_its_domain():
    points = record_points({"Website": "https://www.northwind.example/", "Phone": "+1 415 555 0100"},
                           [("Website", "website"), ("Phone", "phone")], "US")
    assert [(p.kind, p.value) for p in points] == [(DOMAIN, "northwind.example"), (PHONE, "+14155550100")]


def test_an_invalid_email_gives_no_domain_key():
    points = record_points({"Email": "ann at acme"}, [("Email", "email")], None)
    assert points == [ContactPoint(EMAIL, "annatacme", "Email", "ann at acme", flag=INVALID)]


# -- properties ---------------------------------------------------------------------------------------
@given(st.emails(), st.sampled_from([str.upper, str.lower, str.title, lambda s: f"  {s} ", lambda s: f"\t{s}"]))
def test_casing_and_stray_spaces_never_change_an_email_key(email, mangle):
    assert email_key(mangle(email))[0] == email_key(email)[0] == email.casefold()


@given(st.text())
def test_an_email_key_is_its_own_normal_form(text):
    key = email_key(text)
    if key is not None:
        assert email_key(key[0])[0] == key[0]


_REGIONS = ["US", "GB", "DE", "FR", "IN", "AU", "CA", "JP", "BR", "NL"]
_FORMATS = [PhoneNumberFormat.NATIONAL, PhoneNumberFormat.INTERNATIONAL, PhoneNumberFormat.E164]


@settings(max_examples=60)
@given(st.sampled_from(_REGIONS), st.sampled_from([PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE]),
       st.sampled_from(_FORMATS))
def test_every_way_of_writing_a_number_gives_the_same_e164(region, kind, fmt):
    example = phonenumbers.example_number_for_type(region, kind)
    e164 = phonenumbers.format_number(example, PhoneNumberFormat.E164)
    written = phonenumbers.format_number(example, fmt)
    phone = normalise_phone(written, region)
    assert (phone.e164, phone.flag) == (e164, None)
    if fmt != PhoneNumberFormat.NATIONAL:  # written internationally, it reads the same from any org country
        assert normalise_phone(written, "US").e164 == e164


@given(st.text(min_size=1).filter(str.strip), st.sampled_from([*_REGIONS, None]))
def test_a_phone_is_never_dropped_and_never_raises(text, region):
    phone = normalise_phone(text, region)
    assert phone is not None and phone.value
    assert phone.e164 is None or phone.e164.startswith("+") and phone.e164[1:].isdigit()


_LABEL = st.from_regex(r"[a-z][a-z0-9-]{0,14}[a-z0-9]", fullmatch=True)


@given(st.lists(_LABEL, min_size=1, max_size=3), st.sampled_from(["com", "co.uk", "de", "io", "com.au"]),
       st.sampled_from(["https://www.{}/about", "http://{}", "{}", "www.{}", "HTTPS://{}/?q=1"]))
def test_any_website_spelling_gives_the_bare_domain(labels, suffix, template):
    domain = ".".join([*labels, suffix])
    expected = domain[4:] if domain.startswith("www.") and domain.count(".") >= 2 else domain
    assert website_domain(template.format(domain)) == expected
