"""What the conversation generator knows about a generated org, read once from its records.

The ground truth of a labelled conversation must come from the data, not from the matcher under
test, so this module reads the org the way the demo-org generator built it: an account's domain is
its website's host (or its people's work-mail domain), a contact's work email is on that domain, a
lead that is also a contact carries the contact's email, a switchboard is a phone text copied onto
several records. Its deal rule restates the documented default of the sync engine's deal rules in
its own code (see ``right_deal``). Nothing here imports ``sync_engine``.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import phonenumbers

from zoho_emulator.model.org import OrgData, User
from zoho_emulator.model.schema import DEAL_STAGES
from zoho_emulator.seed.words import COUNTRIES, LOCAL_PERSONAL_DOMAINS, PERSONAL_DOMAINS

OPEN_STAGES = frozenset(name for name, _, forecast in DEAL_STAGES if forecast == "Open")
PERSON_PHONES = ("Phone", "Mobile", "Home_Phone", "Other_Phone", "Asst_Phone")
LEAD_PHONES = ("Phone", "Mobile")
KNOWN_PERSONAL = frozenset(PERSONAL_DOMAINS) | {d for ds in LOCAL_PERSONAL_DOMAINS.values() for d in ds}
COUNTRY_CODES = tuple(c.code for c in COUNTRIES)
_COUNTRY_BY_NAME = {name.casefold(): c.code for c in COUNTRIES for name in (c.name, *c.variants)}
_EXTENSION = re.compile(r"\s*(?:x|ext\.?)\s*(\d+)\s*$", re.IGNORECASE)
_NON_DIGITS = re.compile(r"\D")


def plain_email(text: str) -> str:
    """How a mail server reads an address a person typed: no spaces, any case."""
    return "".join(text.split()).lower()


def host_of(website: str) -> str | None:
    text = website.strip().lower()
    text = text.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0].strip(".")
    if text.startswith("www.") and text.count(".") >= 2:
        text = text[4:]
    return text or None


def split_extension(raw: str) -> tuple[str, str | None]:
    found = _EXTENSION.search(raw)
    return (raw[:found.start()], found.group(1)) if found else (raw, None)


def digits_key(raw: str) -> str:
    """The digits of a phone text without its extension or ``00`` exit code: copies of one text share it, and
    one number written ``+44 …`` and ``0044 …`` too."""
    digits = _NON_DIGITS.sub("", split_extension(raw)[0])
    return digits[2:] if digits.startswith("00") else digits


def country_code(name: Any) -> str | None:
    return _COUNTRY_BY_NAME.get(name.strip().casefold()) if isinstance(name, str) else None


def true_number(raw: str, hint: str | None) -> phonenumbers.PhoneNumber | None:
    """The number a CRM text stands for, or None when that cannot be known (it is then never dialled).

    Written with a country code, that country. Written nationally, the one market of the demo org where
    the text is a valid number; where it is valid in several, the record's own country decides if it is
    one of them (the demo-org generator gives each record's numbers its country, a switchboard its account's).
    """
    text, _ = split_extension(raw)
    text = text.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    if text.startswith("+"):
        return _valid(text, None)
    found = {region: number for region in COUNTRY_CODES if (number := _valid(text, region)) is not None}
    if len(found) == 1:
        return next(iter(found.values()))
    return found.get(hint) if hint else None


def _valid(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


@dataclass
class OrgBook:
    data: OrgData
    users: list[User]  # who records conversations: active, confirmed
    account_domain: dict[str, str]  # account id -> its corporate domain
    domain_accounts: Counter[str]  # corporate domain -> number of accounts on it
    work_contacts: dict[str, list[str]]  # account id -> contacts with an email on its domain
    personal_contacts: list[str]  # contacts whose Email is on a personal-mail domain
    secondary_contacts: list[str]  # contacts with a Secondary_Email
    twin_leads: list[tuple[str, str]]  # (unconverted lead, contact) with one email
    plain_leads: list[str]  # unconverted leads with an email no contact has
    emails: set[str]  # every email in the CRM, read plainly
    domains: set[str]  # every domain on a website or an email in the CRM
    phone_copies: Counter[str]  # digits of each phone text -> records holding it
    open_deals: dict[str, list[dict[str, Any]]]  # account id -> open deals
    busy_accounts: list[str] = field(default_factory=list)  # accounts with several open deals and contacts
    one_deal_accounts: list[str] = field(default_factory=list)

    @property
    def contacts(self) -> dict[str, dict[str, Any]]:
        return self.data.table("Contacts").rows

    @property
    def leads(self) -> dict[str, dict[str, Any]]:
        return self.data.table("Leads").rows

    @property
    def accounts(self) -> dict[str, dict[str, Any]]:
        return self.data.table("Accounts").rows

    def country_of(self, record: dict[str, Any] | None) -> str | None:
        """The country the demo-org generator gave a record (and so its own numbers), when the record says."""
        if record is None:
            return None
        return country_code(record.get("Mailing_Country") or record.get("Country")
                            or record.get("Billing_Country"))

    def account_of(self, record: dict[str, Any]) -> dict[str, Any] | None:
        return self.accounts.get(record.get("Account_Name") or "")

    def is_direct(self, raw: str) -> bool:
        return self.phone_copies[digits_key(raw)] == 1


def read_org(data: OrgData) -> OrgBook:
    accounts, contacts, leads = (data.table(m).rows for m in ("Accounts", "Contacts", "Leads"))
    emails: set[str] = set()
    domains: set[str] = set()
    phone_copies: Counter[str] = Counter()
    account_domain: dict[str, str] = {}
    for account in accounts.values():
        host = host_of(account.get("Website") or "")
        if host:
            account_domain[account["id"]] = host
            domains.add(host)
        for name in ("Phone", "Fax"):
            if account.get(name):
                phone_copies[digits_key(account[name])] += 1
    work: dict[str, list[str]] = {}
    personal, secondary = [], []
    primary: dict[str, str] = {}
    for contact in contacts.values():
        for name in (*PERSON_PHONES, "Fax"):
            if contact.get(name):
                phone_copies[digits_key(contact[name])] += 1
        for name in ("Email", "Secondary_Email"):
            if contact.get(name):
                emails.add(plain_email(contact[name]))
                domains.add(plain_email(contact[name]).rpartition("@")[2])
        if contact.get("Secondary_Email"):
            secondary.append(contact["id"])
        if not contact.get("Email"):
            continue
        email = plain_email(contact["Email"])
        primary[email] = contact["id"]
        domain = email.rpartition("@")[2]
        account_id = contact.get("Account_Name")
        if domain in KNOWN_PERSONAL:
            personal.append(contact["id"])
        elif account_id:
            account_domain.setdefault(account_id, domain)
            if account_domain[account_id] == domain:
                work.setdefault(account_id, []).append(contact["id"])
    twins, plain = [], []
    for lead in leads.values():
        for name in ("Phone", "Mobile", "Fax"):
            if lead.get(name):
                phone_copies[digits_key(lead[name])] += 1
        for name in ("Email", "Secondary_Email"):
            if lead.get(name):
                emails.add(plain_email(lead[name]))
                domains.add(plain_email(lead[name]).rpartition("@")[2])
        if lead.get("Website"):
            domains.add(host_of(lead["Website"]) or "")
        if lead.get("Converted__s") or not lead.get("Email"):
            continue
        contact_id = primary.get(plain_email(lead["Email"]))
        (twins.append((lead["id"], contact_id)) if contact_id else plain.append(lead["id"]))
    open_deals: dict[str, list[dict[str, Any]]] = {}
    for deal in data.table("Deals").rows.values():
        if deal.get("Stage") in OPEN_STAGES and deal.get("Account_Name"):
            open_deals.setdefault(deal["Account_Name"], []).append(deal)
    book = OrgBook(data, [u for u in data.users.values() if u.active and u.confirm], account_domain,
                   Counter(account_domain.values()), work, personal, secondary, twins, plain, emails, domains,
                   phone_copies, open_deals)
    book.busy_accounts = [a for a, deals in open_deals.items() if len(deals) >= 2 and a in work]
    book.one_deal_accounts = [a for a, deals in open_deals.items() if len(deals) == 1 and a in work]
    return book


def right_deal(book: OrgBook, account_id: str | None, contact_ids: list[str], day: date) -> dict[str, Any] | None:
    """The deal a conversation belongs to, by the sync engine's documented default rules.

    Among the account's open deals: those naming a contact who took part, if any; then the most
    recently modified; then the closing date nearest the conversation's (UTC) day. A tie left after
    all three means no deal: the rules do not pick at random, so neither does the truth.
    """
    deals = book.open_deals.get(account_id or "", [])
    if len(deals) <= 1:
        return deals[0] if deals else None
    deals = [d for d in deals if d.get("Contact_Name") in contact_ids] or deals
    latest = max(d["Modified_Time"] for d in deals)
    deals = [d for d in deals if d["Modified_Time"] == latest]

    def distance(d: dict[str, Any]) -> int:
        return abs((d["Closing_Date"] - day).days) if d.get("Closing_Date") else 10**9

    nearest = min(distance(d) for d in deals)
    deals = [d for d in deals if distance(d) == nearest]
    return deals[0] if len(deals) == 1 else None


def primary_contact(contact_ids: list[str], contacts: dict[str, dict[str, Any]],
                    deal: dict[str, Any] | None) -> str | None:
    """The documented primary person: the deal's contact if they took part, else the first by name of those with
    an account (the order of the invitation never decides: docs/matching-rules.md)."""
    if not contact_ids:
        return None
    if deal is not None and deal.get("Contact_Name") in contact_ids:
        return deal["Contact_Name"]
    with_account = [c for c in contact_ids if contacts[c].get("Account_Name")] or contact_ids
    return min(with_account, key=lambda c: (_name(contacts[c]).casefold(), c))


def _name(record: dict[str, Any]) -> str:
    full = record.get("Full_Name")
    if isinstance(full, str) and full.strip():
        return full.strip()
    return " ".join(p.strip() for p in (record.get("First_Name") or "", record.get("Last_Name") or "") if p.strip())
