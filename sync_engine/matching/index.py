"""The mirror as matching needs it: plain dicts from match keys (emails, phones, domains) to records.

Matching must answer "who is ana@acme.com?" a hundred thousand times in seconds, so everything it
looks at is in memory, keyed by the normalised values :mod:`.contact_points` derives: exact dict
lookups, no queries, no parsing of CRM text at match time. The index is built once per org (from
the mirror's tables by ``matching.mirror_index.load_index``, or from plain records by
:func:`index_from_records`) and only read afterwards; plain dicts and frozen dataclasses, so a test
can build one from a few records and look inside.

What goes in mirrors what the mirror holds: contacts and unconverted leads (a converted lead *is*
its contact now), accounts, open deals only (a closed deal takes no new activity), and the Zoho users.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sync_engine.records.contact_points import (
    DOMAIN,
    EMAIL,
    PERSONAL,
    PHONE,
    UNPARSEABLE,
    ContactPoint,
    email_domain,
    is_personal_domain,
    normalise_phone,
    record_points,
    record_regions,
)
from sync_engine.records.users import normalise_email

CONTACTS, LEADS, ACCOUNTS = "Contacts", "Leads", "Accounts"
# A Website typed by an admin outweighs any number of contacts' email domains (as mirror_tables ranks them).
WEBSITE_EVIDENCE = 1_000
MIN_NATIONAL_DIGITS = 6

PERSON_FIELDS: tuple[tuple[str, str], ...] = (
    ("Email", "email"), ("Secondary_Email", "email"), ("Phone", "phone"), ("Mobile", "phone"),
    ("Home_Phone", "phone"), ("Other_Phone", "phone"), ("Asst_Phone", "phone"), ("Fax", "phone"))
LEAD_FIELDS: tuple[tuple[str, str], ...] = (
    ("Email", "email"), ("Secondary_Email", "email"), ("Phone", "phone"), ("Mobile", "phone"), ("Fax", "phone"),
    ("Website", "website"))
ACCOUNT_FIELDS: tuple[tuple[str, str], ...] = (("Website", "website"), ("Phone", "phone"), ("Fax", "phone"))

_EXTENSION_TAIL = re.compile(r"(?i)\s*(?:x|ext\.?|extension|#)\s*(\d+)\s*$")
_NON_DIGITS = re.compile(r"\D")


@dataclass(frozen=True, slots=True)
class Person:
    """A contact or an unconverted lead: who an email or a number can lead to."""

    record_id: str
    module: str  # CONTACTS or LEADS
    name: str
    account_id: str | None = None  # contacts only
    email: str | None = None  # normalised primary email: tells a lead that is a contact's twin
    last_activity: datetime | None = None

    @property
    def is_contact(self) -> bool:
        return self.module == CONTACTS

    @property
    def label(self) -> str:
        return f"{'contact' if self.is_contact else 'lead'} {self.name or self.record_id}"


@dataclass(frozen=True, slots=True)
class Account:
    record_id: str
    name: str
    account_type: str | None = None  # Zoho's Account_Type: Customer, Prospect, Partner...
    parent_id: str | None = None
    last_activity: datetime | None = None

    @property
    def label(self) -> str:
        return f"account {self.name or self.record_id}"


@dataclass(frozen=True, slots=True)
class Deal:
    """An open deal: what a conversation with its account may be about."""

    record_id: str
    name: str
    account_id: str
    stage: str | None = None
    pipeline: str | None = None
    closing_date: date | None = None
    modified_time: datetime | None = None
    last_activity: datetime | None = None
    contact_ids: tuple[str, ...] = ()  # its Contact_Name (and contact roles, when the mirror has them)


@dataclass(frozen=True, slots=True)
class ZohoUserRef:
    user_id: str
    name: str = ""
    active: bool = True


@dataclass(frozen=True)
class MatchIndex:
    """Everything matching reads, keyed by normalised values; tuples of record ids where several may share a key."""

    people: dict[str, Person] = field(default_factory=dict)  # contact or lead id -> person
    accounts: dict[str, Account] = field(default_factory=dict)
    emails: dict[str, tuple[str, ...]] = field(default_factory=dict)  # normalised email -> person ids
    phones: dict[str, tuple[str, ...]] = field(default_factory=dict)  # E.164 -> person and account ids
    # (E.164 or national digits, extension) -> ids: the one person behind a switchboard
    phone_extensions: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    # digits of numbers the CRM holds without a country code ("030 1234567" in a US org is a Berlin number
    # the org's country reads wrongly or not at all): a dialled E.164 that is not a key finds them by the
    # digits of its own national format, trunk prefix included
    national_numbers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    domains: dict[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)  # domain -> (account, evidence)
    open_deals: dict[str, tuple[Deal, ...]] = field(default_factory=dict)  # account id -> its open deals
    users: dict[str, ZohoUserRef] = field(default_factory=dict)  # normalised email -> Zoho user
    own_domains: frozenset[str] = frozenset()
    # the company's own lines (its users' phones, its own number, the reps' side of calls): E.164 -> what it is
    own_numbers: dict[str, str] = field(default_factory=dict)

    def summary(self) -> dict[str, int]:
        """Sizes, for logs and the benchmark."""
        return {"people": len(self.people), "accounts": len(self.accounts), "emails": len(self.emails),
                "phones": len(self.phones), "national_numbers": len(self.national_numbers),
                "domains": len(self.domains), "accounts_with_open_deals": len(self.open_deals),
                "users": len(self.users), "own_domains": len(self.own_domains), "own_numbers": len(self.own_numbers)}


def national_digits(raw: str) -> str | None:
    """The digits of a number written without a country code, as written: ``030 1234567 x2`` -> ``0301234567``.

    The trunk prefix stays: it is what tells a Paris ``01 23 45 34 09`` from a Kraków ``12 345 34 09``,
    which share every other digit. None for numbers written internationally (``+``/``00``), whose country
    is known and whose E.164 is already a key, and for too few digits to identify anyone.
    """
    text = raw.strip().lstrip("(").lstrip()
    if text.startswith(("+", "00")):
        return None
    digits = _NON_DIGITS.sub("", _EXTENSION_TAIL.sub("", text))
    return digits if len(digits) >= MIN_NATIONAL_DIGITS else None


def written_extension(raw: str) -> str | None:
    """The extension at the end of a phone text (``x12``, ``ext. 12``), for numbers ``phonenumbers`` could not read."""
    found = _EXTENSION_TAIL.search(raw)
    return found.group(1) if found else None


def own_domains_from_users(emails: Iterable[str]) -> frozenset[str]:
    """The org's own email domains, from its Zoho users' addresses (personal mailboxes say nothing about the org)."""
    domains = set()
    for email in emails:
        domain = email_domain(normalise_email(email))
        if domain and not is_personal_domain(domain):
            domains.add(domain)
    return frozenset(domains)


def _add(table: dict[Any, tuple[str, ...]], key: Any, record_id: str) -> None:
    ids = table.get(key)
    if ids is None:
        table[key] = (record_id,)
    elif record_id not in ids:
        table[key] = ids + (record_id,)


class IndexBuilder:
    """Accumulates records and their match keys into a :class:`MatchIndex`.

    Add people and accounts before their keys: a contact's email domain counts as evidence for its
    account, which is only known once the contact is. Keys of unknown records are ignored, as the
    mirror's keys of a record removed in the same batch would be.
    """

    def __init__(self, own_domains: Iterable[str] = ()) -> None:
        self.people: dict[str, Person] = {}
        self.accounts: dict[str, Account] = {}
        self.emails: dict[str, tuple[str, ...]] = {}
        self.phones: dict[str, tuple[str, ...]] = {}
        self.phone_extensions: dict[tuple[str, str], tuple[str, ...]] = {}
        self.national_numbers: dict[str, tuple[str, ...]] = {}
        self.websites: dict[str, tuple[str, ...]] = {}
        self.contact_domains: dict[str, dict[str, int]] = {}
        self.deals: dict[str, list[Deal]] = {}
        self.users: dict[str, ZohoUserRef] = {}
        self.own_numbers: dict[str, str] = {}
        self.chosen_users: set[str] = set()
        self.shared_user_emails: set[str] = set()
        self.own_domains = {d.casefold().strip(".") for d in own_domains if d and d.strip(".")}

    def add_person(self, person: Person) -> None:
        self.people[person.record_id] = person

    def add_account(self, account: Account) -> None:
        self.accounts[account.record_id] = account

    def add_open_deal(self, deal: Deal) -> None:
        self.deals.setdefault(deal.account_id, []).append(deal)

    def add_user(self, email: str, user: ZohoUserRef, chosen: bool = False) -> None:
        """A Zoho user by email; ``chosen`` when the user mapping (an admin, say) decided it.

        Two Zoho users sharing an email are neither's: the wrong owner is worse than none (as user mapping rules).
        """
        key = normalise_email(email)
        if not key or key in self.chosen_users:
            return
        if chosen:
            self.chosen_users.add(key)
            self.users[key] = user
            self.shared_user_emails.discard(key)
        elif key in self.users and self.users[key].user_id != user.user_id:
            self.shared_user_emails.add(key)
        else:
            self.users[key] = user

    def add_own_number(self, raw: str, what: str, region: str | None) -> None:
        """One of the company's own lines (a Zoho user's phone, the org's number), read in the org's country."""
        phone = normalise_phone(raw, region) if raw and raw.strip() else None
        if phone is not None and phone.e164 and phone.flag is None:
            self.own_numbers.setdefault(phone.e164, what)

    def add_point(self, record_id: str, kind: str, value: str, raw: str = "", extension: str | None = None,
                  flag: str | None = None) -> None:
        """One row of ``mirror_contact_points`` (or a :class:`ContactPoint` of a record)."""
        if kind == EMAIL:
            if flag is None and record_id in self.people:
                _add(self.emails, value, record_id)
        elif kind == PHONE:
            self._add_phone(record_id, value, raw, extension, flag)
        elif kind == DOMAIN and flag != PERSONAL:
            self._add_domain(record_id, value)

    def _add_phone(self, record_id: str, value: str, raw: str, extension: str | None, flag: str | None) -> None:
        if record_id not in self.people and record_id not in self.accounts:
            return
        if flag != UNPARSEABLE:
            _add(self.phones, value, record_id)
            if extension:
                _add(self.phone_extensions, (value, extension), record_id)
        digits = national_digits(raw)
        if digits:
            _add(self.national_numbers, digits, record_id)
            extension = extension or written_extension(raw)
            if extension:
                _add(self.phone_extensions, (digits, extension), record_id)

    def _add_domain(self, record_id: str, domain: str) -> None:
        if record_id in self.accounts:
            _add(self.websites, domain, record_id)
            return
        person = self.people.get(record_id)
        if person is not None and person.account_id is not None:
            counts = self.contact_domains.setdefault(domain, {})
            counts[person.account_id] = counts.get(person.account_id, 0) + 1

    def build(self) -> MatchIndex:
        domains: dict[str, tuple[tuple[str, int], ...]] = {}
        for domain in set(self.websites) | set(self.contact_domains):
            if self.own_domains and within_domains(domain, self.own_domains):
                continue
            evidence = dict(self.contact_domains.get(domain, {}))
            for account_id in self.websites.get(domain, ()):
                evidence[account_id] = evidence.get(account_id, 0) + WEBSITE_EVIDENCE
            ranked = sorted(((a, n) for a, n in evidence.items() if a in self.accounts), key=lambda x: (-x[1], x[0]))
            if ranked:
                domains[domain] = tuple(ranked)
        open_deals = {account_id: tuple(sorted(deals, key=lambda d: d.record_id))
                      for account_id, deals in self.deals.items()}
        users = {email: user for email, user in self.users.items() if email not in self.shared_user_emails}
        return MatchIndex(self.people, self.accounts, self.emails, self.phones, self.phone_extensions,
                          self.national_numbers, domains, open_deals, users, frozenset(self.own_domains),
                          dict(self.own_numbers))


def within_domains(domain: str, own: Iterable[str]) -> bool:
    """``domain`` is one of ``own`` or a subdomain of one (mail.acme.com is within acme.com)."""
    return any(domain == d or domain.endswith("." + d) for d in own)


# -- from plain records -------------------------------------------------------------------------------
def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _lookup(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("id")
    return str(value) if value not in (None, "") else None


def _moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value.strip():
        return datetime.fromisoformat(value.strip())
    return None


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        return date.fromisoformat(value.strip()[:10])
    return None


def _person(record: Mapping[str, Any], module: str) -> Person:
    email = record.get("Email")
    key = normalise_email(email) if isinstance(email, str) else ""
    name = _text(record.get("Full_Name")) or " ".join(
        p for p in (_text(record.get("First_Name")), _text(record.get("Last_Name"))) if p)
    return Person(str(record["id"]), module, name,
                  _lookup(record.get("Account_Name")) if module == CONTACTS else None,
                  key or None, _moment(record.get("Last_Activity_Time")))


def is_open_stage(stage: str | None, open_stages: frozenset[str] | None) -> bool:
    """Open by the org's pipeline (forecast type Open) when known, else by name: Zoho's closed stages say so."""
    if open_stages is not None:
        return stage in open_stages
    return bool(stage) and not stage.casefold().startswith("closed")  # type: ignore[union-attr]


def deal_from_record(record: Mapping[str, Any]) -> Deal | None:
    account_id = _lookup(record.get("Account_Name"))
    if account_id is None:
        return None
    contact = _lookup(record.get("Contact_Name"))
    return Deal(str(record["id"]), _text(record.get("Deal_Name")), account_id, _text(record.get("Stage")) or None,
                _text(record.get("Pipeline")) or None, _day(record.get("Closing_Date")),
                _moment(record.get("Modified_Time")), _moment(record.get("Last_Activity_Time")),
                (contact,) if contact else ())


def _add_points(builder: IndexBuilder, record_id: str, points: Iterable[ContactPoint]) -> None:
    for p in points:
        builder.add_point(record_id, p.kind, p.value, p.raw, p.extension, p.flag)


def index_from_records(*, contacts: Iterable[Mapping[str, Any]] = (), leads: Iterable[Mapping[str, Any]] = (),
                       accounts: Iterable[Mapping[str, Any]] = (), deals: Iterable[Mapping[str, Any]] = (),
                       users: Iterable[tuple[str, ZohoUserRef]] = (), own_domains: Iterable[str] | None = None,
                       region: str | None = None, open_stages: Iterable[str] | None = None,
                       own_numbers: Iterable[tuple[str, str]] = ()) -> MatchIndex:
    """An index from Zoho-shaped records (field API names, lookups as ids or ``{"id": ...}``).

    Match keys are derived exactly as the mirror derives them (:func:`contact_points.record_points`,
    ``region`` the org's country, each record's own country first), so an index built here matches like
    one loaded from the mirror. Converted leads are left out, as the mirror leaves them out. ``own_domains``
    defaults to the users' email domains; ``open_stages`` to every stage whose name does not start with
    "Closed"; ``own_numbers`` are (number as written, what it is) pairs of the company's own lines.
    """
    user_list = list(users)
    domains = own_domains if own_domains is not None else own_domains_from_users(email for email, _ in user_list)
    builder = IndexBuilder(domains)
    for email, user in user_list:
        builder.add_user(email, user)
    for raw, what in own_numbers:
        builder.add_own_number(raw, what, region)
    stages = frozenset(open_stages) if open_stages is not None else None
    for record in accounts:
        builder.add_account(Account(str(record["id"]), _text(record.get("Account_Name")),
                                    _text(record.get("Account_Type")) or None, _lookup(record.get("Parent_Account")),
                                    _moment(record.get("Last_Activity_Time"))))
        _add_points(builder, str(record["id"]),
                    record_points(record, ACCOUNT_FIELDS, record_regions(record, ACCOUNTS, region)))
    for module, records, fields in ((CONTACTS, contacts, PERSON_FIELDS), (LEADS, leads, LEAD_FIELDS)):
        for record in records:
            if module == LEADS and record.get("Converted__s") is True:
                continue
            builder.add_person(_person(record, module))
            regions = record_regions(record, module, region)
            _add_points(builder, str(record["id"]), record_points(record, fields, regions))
    for record in deals:
        deal = deal_from_record(record)
        if deal is not None and is_open_stage(deal.stage, stages):
            builder.add_open_deal(deal)
    return builder.build()
