"""People, email addresses, companies and addresses for the demo-org generator.

Everything takes the generator's single ``random.Random`` so one seed fixes the whole org. Name
lists are parsed once into ``(display, ascii)`` pairs: folding diacritics per record would be the
slowest part of generating a million contacts.
"""
from __future__ import annotations

import random
import unicodedata
from bisect import bisect
from dataclasses import dataclass

from zoho_emulator.seed.words import (
    COMPANY_POST,
    COMPANY_PRE,
    COMPANY_WORDS,
    COUNTRIES,
    FIRM_PATTERNS,
    LOCAL_PERSONAL_DOMAINS,
    NAMES,
    NUMBER_AFTER_STREET,
    PERSONAL_DOMAINS,
    STREETS,
    Country,
)

_FOLD = str.maketrans({"ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ı": "i"})
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
COUNTRY_BY_CODE = {c.code: c for c in COUNTRIES}


def fold(text: str, culture: str = "") -> str:
    """Lower-case ASCII letters and digits only: what a mail admin makes of a name."""
    text = text.lower()
    if culture == "de":
        text = text.translate(_GERMAN)
    text = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(ch for ch in text if ch.isascii() and ch.isalnum())


class Picker:
    """Weighted choice by bisect on cumulative weights: cheaper than ``rng.choices`` per call."""

    def __init__(self, items: list | tuple, weights: list | tuple) -> None:
        self.items = list(items)
        self.cum: list[float] = []
        total = 0.0
        for w in weights:
            total += w
            self.cum.append(total)
        self.total = total

    def __call__(self, rng: random.Random):
        return self.items[bisect(self.cum, rng.random() * self.total)]


@dataclass(frozen=True, slots=True)
class Person:
    first: str  # "" when the CRM only has a last name
    last: str
    first_ascii: str
    last_ascii: str
    culture: str


def _pairs(text: str, culture: str) -> list[tuple[str, str]]:
    out = []
    for entry in text.split("|"):
        native, _, roman = entry.partition("=")
        out.append((native, fold(roman) if roman else fold(native, culture)))
    return out


def _romans(text: str) -> list[str]:
    return [e.partition("=")[2] or e for e in text.split("|")]


_FIRST = {c: _pairs(f, c) for c, (f, _) in NAMES.items()}
_LAST = {c: _pairs(s, c) for c, (_, s) in NAMES.items()}
_FIRST_ROMAN = {c: _romans(f) for c, (f, _) in NAMES.items()}
_LAST_ROMAN = {c: _romans(s) for c, (_, s) in NAMES.items()}
_CJK = frozenset({"ja", "zh"})


def person(rng: random.Random, culture: str) -> Person:
    """A random person; CJK names come in native script or romanised, as CRMs hold both."""
    fi = int(rng.random() * len(_FIRST[culture]))
    li = int(rng.random() * len(_LAST[culture]))
    (first, fa), (last, la) = _FIRST[culture][fi], _LAST[culture][li]
    if culture in _CJK and rng.random() < 0.5:
        first, last = _FIRST_ROMAN[culture][fi], _LAST_ROMAN[culture][li]
    return Person(first, last, fa, la, culture)


def named_person(first: str, last: str, culture: str) -> Person:
    """An anchor person from ``ANCHOR_PEOPLE`` (``native=roman`` entries allowed)."""
    fn, _, fr = first.partition("=")
    ln, _, lr = last.partition("=")
    return Person(fn, ln, fold(fr or fn, culture), fold(lr or ln, culture), culture)


# --- email addresses --------------------------------------------------------------------------------
def work_local(rng: random.Random, p: Person) -> str:
    """A corporate mailbox name; companies pick one scheme, people are not consistent either."""
    f, last = p.first_ascii or "info", p.last_ascii
    r = rng.random()
    if r < 0.50:
        return f"{f}.{last}"
    if r < 0.65:
        return f"{f[0]}{last}"
    if r < 0.75:
        return f"{f[0]}.{last}"
    if r < 0.82:
        return f
    if r < 0.88:
        return f"{f}_{last}"
    if r < 0.94:
        return f"{f}{last[0]}"
    return f"{last}.{f}"


def personal_local(rng: random.Random, p: Person) -> str:
    f, last = p.first_ascii or p.last_ascii, p.last_ascii
    r = rng.random()
    if r < 0.35:
        return f"{f}.{last}{rng.randrange(1, 100)}"
    if r < 0.60:
        return f"{f}{last}{rng.randrange(60, 100)}"
    if r < 0.80:
        return f"{f[0]}{last}{rng.randrange(1000)}"
    return f"{last}.{f}"


def personal_domain(rng: random.Random, country: str) -> str:
    local = LOCAL_PERSONAL_DOMAINS.get(country)
    if local and rng.random() < 0.5:
        return local[int(rng.random() * len(local))]
    return PERSONAL_DOMAINS[int(rng.random() * len(PERSONAL_DOMAINS))]


def messy(rng: random.Random, email: str) -> str:
    """Mixed case or stray whitespace, as users type addresses into a CRM."""
    r = rng.random()
    local, _, domain = email.partition("@")
    if r < 0.35:
        return f"{local.title()}@{domain}"
    if r < 0.55:
        return f"{local}@{domain.upper()}"
    if r < 0.70:
        return email.upper()
    if r < 0.85:
        return f"{email} "
    return f" {local.title()}@{domain}  "


class EmailBook:
    """Unique addresses: a clash (two John Smiths at one company) gets a digit, like real mail."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def claim(self, local: str, domain: str) -> str:
        email = f"{local}@{domain}"
        n = 1
        while email in self.used:
            n += 1
            email = f"{local}{n}@{domain}"
        self.used.add(email)
        return email


# --- companies ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Company:
    name: str
    root: str  # the brand, reused by subsidiaries ("Acme" -> "Acme Germany GmbH")
    domain: str


class CompanyMaker:
    """Company names with unique web domains (subsidiaries deliberately reuse their parent's)."""

    def __init__(self, rng: random.Random, reserved: tuple[str, ...] = ()) -> None:
        self.rng = rng
        self.domains: set[str] = set(reserved)

    def _domain(self, base: str, tld: str) -> str:
        domain = f"{base}.{tld}"
        n = 1
        while domain in self.domains:
            n += 1
            domain = f"{base}{n}.{tld}"
        self.domains.add(domain)
        return domain

    def make(self, country: Country) -> Company:
        rng = self.rng
        tld = country.tlds[int(rng.random() * len(country.tlds))]
        legal = country.legal[int(rng.random() * len(country.legal))]
        if rng.random() < 0.22:
            return self._firm(rng, country, tld, legal)
        root = COMPANY_PRE[int(rng.random() * len(COMPANY_PRE))] + \
            COMPANY_POST[int(rng.random() * len(COMPANY_POST))]
        r = rng.random()
        if r < 0.3:
            brand, base = root, fold(root)
        else:
            word = COMPANY_WORDS[int(rng.random() * len(COMPANY_WORDS))]
            brand = f"{root} {word}"
            base = fold(root) + ("-" if r < 0.45 else "") + fold(word)
        name = brand if rng.random() < 0.15 else f"{brand} {legal}"
        return Company(name, brand, self._domain(base, tld))

    def _firm(self, rng: random.Random, country: Country, tld: str, legal: str) -> Company:
        culture = pick_culture(rng, country)
        patterns = FIRM_PATTERNS[culture]
        pattern, _, kind = patterns[int(rng.random() * len(patterns))].partition("=")
        a, b = person(rng, culture), person(rng, culture)
        name = pattern.format(L=a.last, M=b.last, X=legal).strip()
        if kind:  # CJK firm: domain from the romanised surname and business kind
            return Company(name, name, self._domain(f"{a.last_ascii}-{kind}", tld))
        base = a.last_ascii + (b.last_ascii if "{M}" in pattern else "")
        return Company(name, a.last, self._domain(base, tld))

    def subsidiary(self, parent: Company, country: Country) -> Company:
        """"Acme Germany GmbH" under "Acme Inc": same web domain, so same email domain."""
        return Company(f"{parent.root} {country.subsidiary}", parent.root, parent.domain)


def website(rng: random.Random, domain: str, suffix: str = "") -> str:
    r = rng.random()
    if r < 0.40:
        return f"www.{domain}{suffix}"
    if r < 0.65:
        return f"https://www.{domain}{suffix}"
    if r < 0.75:
        return f"http://{domain}{suffix}"
    if r < 0.90:
        return f"{domain}{suffix}"
    return f"https://{domain}/{suffix.lstrip('/')}"


# --- places -------------------------------------------------------------------------------------------
_CULTURE_PICKERS = {c.code: Picker([x for x, _ in c.cultures], [w for _, w in c.cultures])
                    for c in COUNTRIES}
_STREETS = {c: s.split("|") for c, s in STREETS.items()}
COUNTRY_PICKER = Picker(list(COUNTRIES), [c.weight for c in COUNTRIES])


def pick_culture(rng: random.Random, country: Country) -> str:
    return _CULTURE_PICKERS[country.code](rng)


def street(rng: random.Random, culture: str) -> str:
    streets = _STREETS.get(culture, _STREETS["en"])
    name = streets[int(rng.random() * len(streets))]
    number = rng.randrange(1, 400)
    if culture in NUMBER_AFTER_STREET:
        return f"{name} {number}" if culture != "es" else f"{name}, {number}"
    if culture in _CJK:
        return f"{name} {rng.randrange(1, 9)}-{rng.randrange(1, 30)}-{rng.randrange(1, 20)}"
    suite = f", Suite {rng.randrange(100, 2000)}" if rng.random() < 0.15 else ""
    return f"{number} {name}{suite}"


def country_name(rng: random.Random, country: Country) -> str:
    """Mostly the canonical name, sometimes a variant ("USA", "Deutschland")."""
    if rng.random() < 0.1:
        return country.variants[int(rng.random() * len(country.variants))]
    return country.name
