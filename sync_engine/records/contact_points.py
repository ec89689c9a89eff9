"""Match keys derived from mirrored records: normalised emails, E.164 phones and company domains.

Matching (a meeting's attendees or a call's number -> Zoho records) never compares what people typed:
CRMs hold ``" Jane.Doe@ACME.com "``, ``(415) 555-0132 x12`` and ``https://www.acme.com/about``. These
pure functions turn every email, phone and website field of a record into index rows, computed once
when the record is written to the mirror, so lookups are exact matches on an indexed column.

* Emails: all whitespace removed and casefolded (the same rule as user mapping). An address without
  exactly one ``@`` and a dotted domain is kept, flagged ``invalid``.
* Phones: E.164 via ``phonenumbers``, the org's country as the region for numbers written without a
  country code; ``00``-prefixed international numbers are understood whatever the region's own exit
  code. Extensions are split off into their own column. A number ``phonenumbers`` cannot read is
  kept (its trimmed text as the value) and flagged ``unparseable``; one it reads but deems invalid
  for its region is kept as E.164, flagged ``invalid``. Nothing is dropped: the matcher decides
  how much to trust a flagged key.
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
    """The normalised email and its flag (``invalid`` when it is not shaped like an address); None if blank."""
    value = normalise_email(raw)
    if not value:
        return None
    return value, None if _EMAIL_SHAPE.match(value) else INVALID


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


@lru_cache(maxsize=200_000)
def normalise_phone(raw: str, region: str | None) -> Phone | None:
    """A phone field's text as E.164 plus extension and flag; None only for blank text (never drops a number)."""
    text = raw.strip()
    if not text:
        return None
    number = _parse(text, region)
    if number is None:
        return Phone(text, None, None, UNPARSEABLE)
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    flag = None if phonenumbers.is_valid_number(number) else INVALID
    return Phone(text, e164, number.extension or None, flag)


def _parse(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    """Read the number in the region, then as ``00`` + international if that is what it must be."""
    candidates = [text]
    digits_first = text.lstrip("(")
    if digits_first.startswith("00"):
        candidates.append("+" + digits_first[2:])
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except NumberParseException:
            continue
        if phonenumbers.is_possible_number(number):
            return number
    return None


def record_points(record: Mapping[str, Any], fields: Iterable[tuple[str, str]],
                  region: str | None) -> list[ContactPoint]:
    """Every match key of one record; ``fields`` are (API name, Zoho data type) pairs."""
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
    key = email_key(raw)
    if key is None:
        return
    value, flag = key
    add(ContactPoint(EMAIL, value, api_name, raw, flag=flag))
    domain = email_domain(value) if flag is None else None
    if domain is not None:
        add(ContactPoint(DOMAIN, domain, api_name, raw, flag=PERSONAL if is_personal_domain(domain) else None))
