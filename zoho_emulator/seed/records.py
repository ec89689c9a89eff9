"""Accounts, Contacts, Leads and Deals of the demo org.

The messiness is the point: downstream matching and sync are tested against it. Rates are module
constants so tests and readers can see what "a few %" means. Every record is created through
``GenContext.audit`` (ids from ``data.ids.next()``, so creation order is id order) and stored as a
plain dict keyed by field API name, lookups as the referenced id.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from zoho_emulator.model.org import full_name
from zoho_emulator.model.schema import ACCOUNT_TYPE, DEAL_STAGES, DEAL_TYPE, INDUSTRY, LEAD_SOURCE, LEAD_STATUS
from zoho_emulator.seed.context import AccountInfo, GenContext
from zoho_emulator.seed.people import (
    COUNTRY_BY_CODE,
    COUNTRY_PICKER,
    Company,
    country_name,
    messy,
    named_person,
    person,
    personal_domain,
    personal_local,
    pick_culture,
    street,
    website,
    work_local,
)
from zoho_emulator.seed.words import (
    ANCHOR_ACCOUNTS,
    ANCHOR_PEOPLE,
    DEPARTMENTS,
    DESCRIPTIONS,
    NEXT_STEPS,
    PRODUCTS,
    TITLES,
)

SUBSIDIARY_RATE = 0.08  # accounts that are a regional arm of an earlier account (same domain)
NO_ACCOUNT_RATE = 0.04  # contacts without an account (their Email is a personal one)
PERSONAL_EMAIL_RATE = 0.065  # contacts of an account on gmail.com & co.: ~10% of all, with the above
NO_EMAIL_RATE = 0.04
SECONDARY_EMAIL_RATE = 0.15
MESSY_EMAIL_RATE = 0.05  # mixed case / stray whitespace
SWITCHBOARD_RATE = 0.25  # contacts whose Phone is their account's main number
LEAD_IS_CONTACT_RATE = 0.04  # leads that are also a contact (same email)
HOT_DEAL_SHARE = 0.45  # share of deals that are extra open deals on a few busy accounts
OPEN_STAGES = [s for s in DEAL_STAGES if s[2] == "Open"]
WON = [s for s in DEAL_STAGES if s[2] == "Closed Won"]
LOST = [s for s in DEAL_STAGES if s[2] == "Closed Lost"]


def _pick(rng: Any, seq: Any) -> Any:
    return seq[int(rng.random() * len(seq))]


def make_accounts(ctx: GenContext, n: int) -> None:
    rng, maker, phones = ctx.rng, ctx.companies, ctx.phones
    rows = ctx.data.table("Accounts").rows
    times = ctx.timeline(n, imports=((0.01, 0.12),), mass_updates=((0.97, 0.04),))
    companies: list[Company] = []
    for anchor in ANCHOR_ACCOUNTS:
        maker.domains.add(anchor[2])
    for i in range(n):
        parent: AccountInfo | None = None
        if i < len(ANCHOR_ACCOUNTS):
            name, brand, domain, code, parent_index = ANCHOR_ACCOUNTS[i]
            country = COUNTRY_BY_CODE[code]
            company = Company(name, brand, domain)
            parent = ctx.accounts[parent_index] if parent_index >= 0 else None
        elif i > 20 and rng.random() < SUBSIDIARY_RATE:
            k = int(rng.random() * len(ctx.accounts))
            parent, country = ctx.accounts[k], COUNTRY_PICKER(rng)
            if country is parent.country:
                country = COUNTRY_BY_CODE["DE" if country.code != "DE" else "GB"]
            company = maker.subsidiary(companies[k], country)
        else:
            country = COUNTRY_PICKER(rng)
            company = maker.make(country)
        companies.append(company)
        owner = parent.owner if parent is not None and rng.random() < 0.5 else ctx.owner_pick(rng)
        rec = ctx.audit({}, times, i, owner)
        rec["Account_Name"] = company.name
        city = _pick(rng, country.cities)
        phone = phones.number(country.code) if rng.random() < 0.85 else None
        if phone:
            rec["Phone"] = phone
        if rng.random() < 0.12:
            rec["Fax"] = phones.number(country.code)
        if parent is not None:
            rec["Parent_Account"] = parent.id
            suffix = f"/{country.code.lower()}" if rng.random() < 0.3 else ""
            rec["Website"] = website(rng, company.domain, suffix)
        elif i < len(ANCHOR_ACCOUNTS) or rng.random() < 0.96:
            rec["Website"] = website(rng, company.domain)
        rec["Account_Type"] = _pick(rng, ACCOUNT_TYPE) if rng.random() < 0.4 else \
            ("Customer" if rng.random() < 0.6 else "Prospect")
        if rng.random() < 0.8:
            rec["Industry"] = _pick(rng, INDUSTRY)
        if rng.random() < 0.7:
            rec["Employees"] = min(int(rng.paretovariate(0.9) * 8), 400_000)
        if rng.random() < 0.5:
            rec["Annual_Revenue"] = float(round(rng.lognormvariate(14, 1.6), -3))
        if rng.random() < 0.05:
            rec["Description"] = _pick(rng, DESCRIPTIONS)
        if rng.random() < 0.8:
            rec["Billing_Street"] = street(rng, country.cultures[0][0])
        if rng.random() < 0.9:
            rec["Billing_City"] = city[0]
            if city[1]:
                rec["Billing_State"] = city[1]
            rec["Billing_Zip"] = city[2]
            rec["Billing_Country"] = country_name(rng, country)
        rows[rec["id"]] = rec
        ctx.accounts.append(AccountInfo(rec["id"], company.name, company.root, company.domain,
                                        country, city, owner, phone))


def _emails(ctx: GenContext, rec: dict[str, Any], p: Any, acc: AccountInfo | None,
            country_code: str) -> None:
    rng, book = ctx.rng, ctx.emails
    r = rng.random()
    work = acc is not None and r >= PERSONAL_EMAIL_RATE + NO_EMAIL_RATE
    if r < NO_EMAIL_RATE:
        return
    if work:
        email = book.claim(work_local(rng, p), acc.domain)  # type: ignore[union-attr]
    else:
        email = book.claim(personal_local(rng, p), personal_domain(rng, country_code))
    rec["Email"] = messy(rng, email) if rng.random() < MESSY_EMAIL_RATE else email
    if rng.random() < SECONDARY_EMAIL_RATE:
        if work or acc is None:
            second = book.claim(personal_local(rng, p), personal_domain(rng, country_code))
        else:
            second = book.claim(work_local(rng, p), acc.domain)
        rec["Secondary_Email"] = messy(rng, second) if rng.random() < MESSY_EMAIL_RATE else second


def make_contacts(ctx: GenContext, n: int) -> None:
    rng, phones = ctx.rng, ctx.phones
    rows = ctx.data.table("Contacts").rows
    times = ctx.timeline(n, imports=((0.01, 0.08), (0.45, 0.03), (0.8, 0.02)),
                         mass_updates=((0.96, 0.05),))
    accounts = ctx.accounts
    # heavy-tailed account sizes, capped so one switchboard is not shared by thousands
    weights = [min(rng.paretovariate(1.3), 100.0) for _ in accounts]
    assigned = rng.choices(range(len(accounts)), weights=weights, k=n) if accounts else [-1] * n
    for i in range(n):
        acc = accounts[assigned[i]] if assigned[i] >= 0 and rng.random() >= NO_ACCOUNT_RATE else None
        if i < len(ANCHOR_PEOPLE):
            first, last, culture = ANCHOR_PEOPLE[i]
            p = named_person(first, last, culture)
            country = acc.country if acc else COUNTRY_PICKER(rng)
        else:
            country = acc.country if acc and rng.random() < 0.85 else COUNTRY_PICKER(rng)
            p = person(rng, pick_culture(rng, country))
        owner = acc.owner if acc and rng.random() < 0.75 else ctx.owner_pick(rng)
        rec = ctx.audit({}, times, i, owner)
        if p.first and (i < len(ANCHOR_PEOPLE) or rng.random() >= 0.03):
            rec["First_Name"] = p.first
        rec["Last_Name"] = p.last
        rec["Full_Name"] = full_name(rec)
        _emails(ctx, rec, p, acc, country.code)
        r = rng.random()
        if acc and acc.phone and r < SWITCHBOARD_RATE:
            rec["Phone"] = acc.phone
        elif acc and acc.phone and r < SWITCHBOARD_RATE + 0.05:
            rec["Phone"] = phones.extension(acc.phone)
        elif r < 0.65:
            num = phones.number(country.code)
            rec["Phone"] = phones.extension(num) if rng.random() < 0.05 else num
        if rng.random() < 0.55:
            rec["Mobile"] = phones.number(country.code, "mobile")
        if rng.random() < 0.12:
            rec["Home_Phone"] = phones.number(country.code)
        if rng.random() < 0.06:
            rec["Other_Phone"] = phones.number(country.code, "mobile")
        if rng.random() < 0.03:
            rec["Fax"] = phones.number(country.code)
        if rng.random() < 0.02:
            rec["Asst_Phone"] = phones.number(country.code)
        if acc is not None:
            rec["Account_Name"] = acc.id
            if acc.contacts and rng.random() < 0.05:
                rec["Reporting_To"] = _pick(rng, acc.contacts)
        if rng.random() < 0.7:
            rec["Title"] = _pick(rng, TITLES)
        if rng.random() < 0.4:
            rec["Department"] = _pick(rng, DEPARTMENTS)
        if rng.random() < 0.6:
            rec["Lead_Source"] = _pick(rng, LEAD_SOURCE)
        rec["Email_Opt_Out"] = rng.random() < 0.08
        if rng.random() < 0.04:
            rec["Description"] = _pick(rng, DESCRIPTIONS)
        if rng.random() < 0.6:
            city = acc.city if acc and country is acc.country else _pick(rng, country.cities)
            rec["Mailing_Street"] = street(rng, country.cultures[0][0])
            rec["Mailing_City"] = city[0]
            if city[1]:
                rec["Mailing_State"] = city[1]
            rec["Mailing_Zip"] = city[2]
            rec["Mailing_Country"] = country_name(rng, country)
        rows[rec["id"]] = rec
        ctx.contact_ids.append(rec["id"])
        if acc is not None:
            acc.contacts.append(rec["id"])
            ctx.contact_account[rec["id"]] = acc


def make_leads(ctx: GenContext, n: int) -> None:
    rng, phones, book = ctx.rng, ctx.phones, ctx.emails
    rows = ctx.data.table("Leads").rows
    contacts = ctx.data.table("Contacts").rows
    times = ctx.timeline(n, imports=((0.3, 0.06), (0.7, 0.04)), mass_updates=((0.9, 0.03),))
    with_email = [cid for cid in ctx.contact_ids if "Email" in contacts[cid]]
    n_dup = min(len(with_email), max(1, round(n * LEAD_IS_CONTACT_RATE))) if n else 0
    dup_sources = iter(rng.sample(with_email, n_dup))
    dup_at = set(rng.sample(range(n), n_dup))
    lead_companies: list[tuple[str, str, Any]] = []
    for i in range(n):
        rec = ctx.audit({}, times, i, ctx.owner_pick(rng))
        if i in dup_at:  # the same person as an existing contact
            contact = contacts[next(dup_sources)]
            acc = ctx.contact_account.get(contact["id"])
            if "First_Name" in contact:
                rec["First_Name"] = contact["First_Name"]
            rec["Last_Name"] = contact["Last_Name"]
            rec["Full_Name"] = contact["Full_Name"]
            email = contact["Email"]
            rec["Email"] = email if rng.random() < 0.7 else messy(rng, email.strip().lower())
            rec["Company"] = acc.name if acc else "N/A"
            if "Mobile" in contact and rng.random() < 0.5:
                rec["Mobile"] = contact["Mobile"]
            if rng.random() < 0.25:
                rec["Converted__s"] = True
                rec["Converted_Contact"] = contact["id"]
                if acc:
                    rec["Converted_Account"] = acc.id
                converted = max(rec["Created_Time"], contact["Created_Time"])
                rec["Converted_Date_Time"] = converted
                if converted > rec["Modified_Time"]:  # converting is an edit of the lead
                    rec["Modified_Time"] = converted
            else:
                rec["Converted__s"] = False
            rec["Lead_Status"] = _pick(rng, LEAD_STATUS)
            rows[rec["id"]] = rec
            ctx.lead_ids.append(rec["id"])
            continue
        r = rng.random()
        if r < 0.10 and ctx.accounts:
            acc = _pick(rng, ctx.accounts)
            company, domain, country = acc.name, acc.domain, acc.country
        elif r < 0.40 and lead_companies:
            company, domain, country = _pick(rng, lead_companies)
        else:
            country = COUNTRY_PICKER(rng)
            made = ctx.companies.make(country)
            company, domain = made.name, made.domain
            lead_companies.append((company, domain, country))
        p = person(rng, pick_culture(rng, country))
        if p.first and rng.random() >= 0.05:
            rec["First_Name"] = p.first
        rec["Last_Name"] = p.last
        rec["Full_Name"] = full_name(rec)
        r = rng.random()
        if r < 0.03:
            rec["Company"] = _pick(rng, ("N/A", "-", "Private", "Self-employed"))
        else:
            rec["Company"] = company
        if r < 0.18:
            email = book.claim(personal_local(rng, p), personal_domain(rng, country.code))
        elif r < 0.95:
            email = book.claim(work_local(rng, p), domain)
        else:
            email = ""
        if email:
            rec["Email"] = messy(rng, email) if rng.random() < MESSY_EMAIL_RATE else email
        if rng.random() < 0.05:
            rec["Secondary_Email"] = book.claim(personal_local(rng, p),
                                                personal_domain(rng, country.code))
        if rng.random() < 0.55:
            rec["Phone"] = phones.number(country.code)
        if rng.random() < 0.40:
            rec["Mobile"] = phones.number(country.code, "mobile")
        if rng.random() < 0.03:
            rec["Fax"] = phones.number(country.code)
        if rng.random() < 0.6:
            rec["Designation"] = _pick(rng, TITLES)
        rec["Lead_Status"] = _pick(rng, LEAD_STATUS)
        if rng.random() < 0.85:
            rec["Lead_Source"] = _pick(rng, LEAD_SOURCE)
        if rng.random() < 0.35:
            rec["Website"] = website(rng, domain)
        rec["Email_Opt_Out"] = rng.random() < 0.06
        rec["Converted__s"] = False
        if rng.random() < 0.05:
            rec["Description"] = _pick(rng, DESCRIPTIONS)
        if rng.random() < 0.5:
            city = _pick(rng, country.cities)
            rec["Street"] = street(rng, country.cultures[0][0])
            rec["City"] = city[0]
            if city[1]:
                rec["State"] = city[1]
            rec["Zip_Code"] = city[2]
            rec["Country"] = country_name(rng, country)
        rows[rec["id"]] = rec
        ctx.lead_ids.append(rec["id"])


def make_deals(ctx: GenContext, n: int) -> None:
    """Deals: a few busy accounts carry several open deals at once; the rest won, lost or open."""
    rng = ctx.rng
    rows = ctx.data.table("Deals").rows
    if not ctx.accounts or n == 0:
        return
    with_contacts = [a for a in ctx.accounts if a.contacts] or ctx.accounts
    plans: list[tuple[AccountInfo, tuple[str, int, str]]] = []
    budget = int(n * HOT_DEAL_SHARE)
    while len(plans) < budget:
        acc = _pick(rng, with_contacts)
        plans.extend((acc, _pick(rng, OPEN_STAGES)) for _ in range(rng.randint(2, 4)))
    del plans[max(budget, 2):]
    while len(plans) < n:
        acc = _pick(rng, with_contacts) if rng.random() < 0.85 else _pick(rng, ctx.accounts)
        r = rng.random()
        stage = _pick(rng, OPEN_STAGES if r < 0.35 else WON if r < 0.75 else LOST)
        plans.append((acc, stage))
    rng.shuffle(plans)
    times = ctx.timeline(n, imports=((0.01, 0.05),), mass_updates=((0.85, 0.02),))
    today = ctx.now.date()
    for i, (acc, (stage, probability, forecast)) in enumerate(plans):
        owner = acc.owner if rng.random() < 0.7 else ctx.owner_pick(rng)
        rec = ctx.audit({}, times, i, owner)
        rec["Deal_Name"] = f"{acc.brand} - {_pick(rng, PRODUCTS)}"
        rec["Stage"] = stage
        rec["Pipeline"] = "Standard"
        rec["Probability"] = probability
        amount = float(max(500, round(rng.lognormvariate(9.6, 1.1), -2)))
        rec["Amount"] = amount
        rec["Expected_Revenue"] = amount * probability / 100
        if forecast == "Open":
            rec["Closing_Date"] = today + timedelta(days=rng.randint(-20, 180))
            if rng.random() < 0.5:
                rec["Next_Step"] = _pick(rng, NEXT_STEPS)
        else:
            closed = rec["Created_Time"].date() + timedelta(days=rng.randint(10, 120))
            rec["Closing_Date"] = min(closed, today)
            if forecast == "Closed Lost" and rng.random() < 0.7:
                rec["Reason_For_Loss__s"] = _pick(rng, ("Price", "Competition", "No Budget",
                                                        "Timing", "Other"))
        rec["Account_Name"] = acc.id
        if acc.contacts and rng.random() < 0.9:
            rec["Contact_Name"] = _pick(rng, acc.contacts)
        if rng.random() < 0.8:
            rec["Type"] = _pick(rng, DEAL_TYPE)
        if rng.random() < 0.6:
            rec["Lead_Source"] = _pick(rng, LEAD_SOURCE)
        if rng.random() < 0.05:
            rec["Description"] = _pick(rng, DESCRIPTIONS)
        rows[rec["id"]] = rec
        ctx.deal_ids.append(rec["id"])
