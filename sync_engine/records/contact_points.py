"""Match keys derived from mirrored records: normalised emails, E.164 phones and company domains.

Matching (a meeting's attendees or a call's number -> Zoho records) never compares what people typed:
CRMs hold ``" Jane.Doe@ACME.com "``, ``(415) 555-0132 x12`` and ``https://www.acme.com/about``. These
pure functions turn every email, phone and website field of a record into index rows, computed once
when the record is written to the mirror, so lookups are exact matches on an indexed column.

* Emails: read with a real address parser (:mod:`.email_addresses`): ``Ana Ruiz <ana@x.com>``,
  ``"Ruiz, Ana" <ana@x.com>``, ``mailto:ana@x.com`` and stray whitespace all give ``ana@x.com``; a field
  holding two addresses gives two keys. Text with no readable address is kept, flagged ``invalid``.
* Phones: E.164 via ``phonenumbers``, read in the record's own country (its country fields, see
  :data:`COUNTRY_FIELDS`; names or ISO codes, any case), then in the org's country. The one fallback,
  the same for CRM fields and dialer logs (:func:`normalise_phone`): when no country gives a valid
  number, a text without ``+`` is read as international -- after an ``00`` or ``011`` exit code, or,
  for bare digits, as a number that starts with its country code (``14155550144``, ``4930123456``).
  Extensions are split off into their own column. A number ``phonenumbers`` cannot read is kept (its
  trimmed text as the value) and flagged ``unparseable``; one it reads but deems invalid everywhere is
  kept as E.164, flagged ``invalid``. Nothing is dropped: the matcher decides how much to trust a
  flagged key.
* Domains: from website fields (scheme, ``www.``, port, path removed) and from every email. Domains of
  personal mailboxes are flagged ``personal``, because ``gmail.com`` says nothing about the company.
  The list: :data:`PERSONAL_DOMAINS` (exact) plus the families in :data:`PERSONAL_FAMILIES` under any
  country ending (``yahoo.co.jp``, ``hotmail.fr``, ``gmx.net``, ``outlook.de``...).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

from sync_engine.records.countries import country_region
from sync_engine.records.email_addresses import read_addresses
from sync_engine.records.users import normalise_email

EMAIL, PHONE, DOMAIN = "email", "phone", "domain"
INVALID, UNPARSEABLE, PERSONAL = "invalid", "unparseable", "personal"

PERSONAL_DOMAINS = frozenset({
    # global webmail
    "gmail.com", "googlemail.com", "icloud.com", "me.com", "mac.com", "aol.com", "mail.com", "email.com",
    "proton.me", "pm.me", "protonmail.com", "protonmail.ch", "tutanota.com", "tuta.io", "fastmail.com",
    "hey.com", "zohomail.com", "ymail.com", "rocketmail.com", "msn.com", "inbox.com",
    # Germany, Austria, Switzerland
    "web.de", "t-online.de", "freenet.de", "arcor.de", "posteo.de", "mailbox.org", "bluewin.ch",
    # China, Korea, Japan, India
    "qq.com", "163.com", "126.com", "yeah.net", "sina.com", "sohu.com", "139.com", "foxmail.com",
    "naver.com", "daum.net", "hanmail.net", "docomo.ne.jp", "ezweb.ne.jp", "softbank.ne.jp", "i.softbank.jp",
    "rediffmail.com",
    # Europe
    "orange.fr", "free.fr", "laposte.net", "sfr.fr", "wanadoo.fr", "btinternet.com", "sky.com",
    "virginmedia.com", "ntlworld.com", "libero.it", "virgilio.it", "tiscali.it", "alice.it", "wp.pl",
    "o2.pl", "onet.pl", "interia.pl", "seznam.cz", "jubii.dk", "telia.com", "mail.ru", "inbox.ru", "list.ru",
    "bk.ru", "rambler.ru",
    # Americas, Oceania
    "comcast.net", "verizon.net", "att.net", "sbcglobal.net", "bellsouth.net", "cox.net", "charter.net",
    "earthlink.net", "shaw.ca", "rogers.com", "sympatico.ca", "uol.com.br", "bol.com.br", "terra.com.br",
    "prodigy.net.mx", "bigpond.com", "bigpond.net.au", "optusnet.com.au",
})
# Providers that run the same mailbox service under many country endings (yahoo.co.uk, gmx.at, live.fr).
PERSONAL_FAMILIES = frozenset({"yahoo", "hotmail", "outlook", "live", "windowslive", "gmx", "yandex", "ya",
                               "aol", "protonmail"})

_EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+\Z")
_DOMAIN_SHAPE = re.compile(r"[^\s/@:]+\.[^\s/@:.]+\Z")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_REGION_ALIASES = {"UK": "GB", "EL": "GR"}
_BARE_DIGITS = re.compile(r"[0-9][0-9 .\-]{6,}[0-9]\Z")
_EXIT_CODES = ("00", "011")
# The fields naming a record's country, in the order they are trusted (Zoho's standard address fields).
COUNTRY_FIELDS: dict[str, tuple[str, ...]] = {
    "Contacts": ("Mailing_Country", "Other_Country"), "Leads": ("Country",),
    "Accounts": ("Billing_Country", "Shipping_Country")}


@dataclass(frozen=True)
class ContactPoint:
    """One match key of a record: what it is, its normalised value, where it came from, how trustworthy."""

    kind: str  # EMAIL | PHONE | DOMAIN
    value: str  # casefolded email, E.164 number (or the trimmed text when unparseable), bare domain
    field: str  # the Zoho field it was read from
    raw: str  # the field's text as Zoho holds it
    extension: str | None = None  # phones only
    flag: str | None = None  # None, INVALID, UNPARSEABLE or PERSONAL


@dataclass(frozen=True)
class Phone:
    raw: str
    e164: str | None
    extension: str | None
    flag: str | None

    @property
    def value(self) -> str:
        return self.e164 or self.raw


def region_code(country_code: str | None) -> str | None:
    """Zoho's org ``country_code`` as a ``phonenumbers`` region (``UK`` -> ``GB``); None when unknown."""
    code = (country_code or "").strip().upper()
    code = _REGION_ALIASES.get(code, code)
    return code if code in phonenumbers.SUPPORTED_REGIONS else None


def email_key(raw: str) -> tuple[str, str | None] | None:
    """The first address in a field and its flag (``invalid``: no readable address); None if blank."""
    keys = email_keys(raw)
    return keys[0] if keys else None


def email_keys(raw: str) -> list[tuple[str, str | None]]:
    """Every address a field holds, normalised; or the field's text flagged ``invalid`` when none is readable."""
    if not raw.strip():
        return []
    found = read_addresses(raw)
    if found:
        return [(a.email, None) for a in found]
    value = normalise_email(raw)
    return [(value, INVALID)] if value else []


def email_domain(email: str) -> str | None:
    """The domain of a normalised email, or None when there is none to speak of."""
    _, at, domain = email.rpartition("@")
    domain = domain.strip(".")
    return domain if at and _DOMAIN_SHAPE.match(domain) else None


def website_domain(raw: str) -> str | None:
    """``https://www.Acme.com:443/about?x`` -> ``acme.com``; None for text that names no domain."""
    text = raw.strip().casefold()
    if not text:
        return None
    if not _SCHEME.match(text):
        text = "//" + text.lstrip("/")
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:
        return None
    host = host.strip(".")
    if host.startswith("www.") and host.count(".") >= 2:
        host = host[4:]
    return host if _DOMAIN_SHAPE.match(host) else None


def is_personal_domain(domain: str) -> bool:
    """Is this the domain of a personal mailbox provider rather than of a company?"""
    domain = domain.casefold().strip(".")
    if domain in PERSONAL_DOMAINS:
        return True
    family, _, ending = domain.partition(".")
    labels = ending.split(".") if ending else []
    return family in PERSONAL_FAMILIES and 1 <= len(labels) <= 2 and all(0 < len(x) <= 3 for x in labels)


def record_regions(record: Mapping[str, Any], module: str, org_region: str | None) -> tuple[str, ...]:
    """Where a record's numbers are read: the countries it names (in field order), then the org's."""
    regions = [country_region(record.get(name)) for name in COUNTRY_FIELDS.get(module, ())]
    regions.append(org_region)
    return tuple(dict.fromkeys(r for r in regions if r))


@lru_cache(maxsize=200_000)
def normalise_phone(raw: str, regions: tuple[str, ...] | str | None) -> Phone | None:
    """A phone text as E.164 plus extension and flag; None only for blank text (never drops a number).

    ``regions`` are tried in order for a number written without a country code; see the module
    docstring for the one fallback when none of them gives a valid number.
    """
    text = raw.strip()
    if not text:
        return None
    tried = (regions,) if isinstance(regions, str) or regions is None else regions or (None,)
    number, valid = _read(text, tried)
    if number is None:
        return Phone(text, None, None, UNPARSEABLE)
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    return Phone(text, e164, number.extension or None, None if valid else INVALID)


def _attempt(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException:
        return None
    return number if phonenumbers.is_possible_number(number) else None


def _international_readings(text: str) -> list[str]:
    """The fallback readings of a text written without ``+``: after an exit code, or bare digits with a country code."""
    start = text.lstrip("( ")
    if start.startswith("+"):
        return []
    readings = ["+" + start[len(code):].lstrip() for code in _EXIT_CODES if start.startswith(code)]
    if not readings and not start.startswith("0") and _BARE_DIGITS.match(_EXTENSION_OFF.sub("", start)):
        readings.append("+" + start)
    return readings


_EXTENSION_OFF = re.compile(r"(?i)\s*(?:x|ext\.?|extension|#)\s*\d+\s*$")


def _own_code_reading(text: str, regions: tuple[str | None, ...]) -> phonenumbers.PhoneNumber | None:
    """Bare digits that start with the calling code of a region tried, valid as international: read so.

    ``4915123456789`` in Germany is +49 151...: a German writes a national number with its trunk 0,
    and one without it does not start with 49 and run to 13 digits. The national reading may also be
    "valid" (German numbers vary in length), so this reading comes first, for these texts only.
    """
    start = text.strip()
    if start.startswith(("+", "0")) or not _BARE_DIGITS.match(start):
        return None
    digits = "".join(ch for ch in start if ch.isdigit())
    for region in regions:
        code = str(phonenumbers.country_code_for_region(region)) if region else ""
        if code and digits.startswith(code) and len(digits) > len(code) + 6:
            number = _attempt("+" + digits, None)
            if number is not None and phonenumbers.is_valid_number(number):
                return number
    return None


def _read(text: str, regions: tuple[str | None, ...]) -> tuple[phonenumbers.PhoneNumber | None, bool]:
    """The first valid reading (strict, region by region; then the fallback), else the first possible one."""
    possible = None
    own_code = _own_code_reading(text, regions)
    if own_code is not None:
        return own_code, True
    for region in regions:
        number = _attempt(text, region)
        if number is not None and phonenumbers.is_valid_number(number):
            return number, True
        possible = possible or number
    for reading in _international_readings(text):
        number = _attempt(reading, None)
        if number is not None and phonenumbers.is_valid_number(number):
            return number, True
    return possible, False


def record_points(record: Mapping[str, Any], fields: Iterable[tuple[str, str]],
                  region: tuple[str, ...] | str | None) -> list[ContactPoint]:
    """Every match key of one record; ``fields`` are (API name, Zoho data type) pairs.

    ``region``: where numbers without a country code are read (:func:`record_regions` gives a record's).
    """
    points: dict[tuple[str, str, str], ContactPoint] = {}

    def add(point: ContactPoint) -> None:
        points.setdefault((point.kind, point.value, point.field), point)

    for api_name, data_type in fields:
        raw = record.get(api_name)
        if not isinstance(raw, str) or not raw.strip():
            continue
        if data_type == "email":
            _email_points(api_name, raw, add)
        elif data_type == "phone":
            phone = normalise_phone(raw, region)
            if phone is not None:
                add(ContactPoint(PHONE, phone.value, api_name, raw, phone.extension, phone.flag))
        elif data_type == "website":
            domain = website_domain(raw)
            if domain is not None:
                add(ContactPoint(DOMAIN, domain, api_name, raw, flag=PERSONAL if is_personal_domain(domain) else None))
    return list(points.values())


def _email_points(api_name: str, raw: str, add: Any) -> None:
    for value, flag in email_keys(raw):
        add(ContactPoint(EMAIL, value, api_name, raw, flag=flag))
        domain = email_domain(value) if flag is None else None
        if domain is not None:
            add(ContactPoint(DOMAIN, domain, api_name, raw, flag=PERSONAL if is_personal_domain(domain) else None))
