"""Deterministic, realistic demo orgs for the Zoho CRM emulator.

``generate_org(preset, seed)`` builds an ``OrgData`` whose content depends only on its arguments:
one ``random.Random(seed)`` drives everything and ``now`` defaults to a fixed instant, so tests can
pin digests and a bug seen on seed 7 can be replayed. The data is deliberately untidy in the ways
real CRMs are (duplicate people across Leads and Contacts, personal and mixed-case emails, shared
switchboards and company domains, phones in every national format, bulk-import timestamps, records
owned by users who left), because the sync and matching features are tested against it.

Layout: this module holds the presets, the org and its users; ``generator_records`` the core
modules, ``generator_activities`` Calls/Events/Tasks, ``generator_people``/``generator_phones``/
``generator_words`` the building blocks, ``generator_context`` the shared state and timeline.
"""
from __future__ import annotations

import gc
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from zoho_emulator.model.org import EDITIONS, IdSequence, Org, OrgData, User
from zoho_emulator.seed.activities import make_activities
from zoho_emulator.seed.context import GenContext
from zoho_emulator.seed.people import (
    COUNTRY_BY_CODE,
    COUNTRY_PICKER,
    CompanyMaker,
    EmailBook,
    Picker,
    person,
    pick_culture,
)
from zoho_emulator.seed.phones import PhoneBook
from zoho_emulator.seed.records import make_accounts, make_contacts, make_deals, make_leads
from zoho_emulator.seed.words import Country


@dataclass(frozen=True)
class Preset:
    """Record counts of one demo-org size."""

    name: str
    users: int
    accounts: int
    contacts: int
    leads: int
    deals: int
    calls: int
    events: int
    tasks: int


PRESETS: dict[str, Preset] = {
    "small": Preset("small", users=10, accounts=400, contacts=2_000, leads=500, deals=200,
                    calls=150, events=80, tasks=120),
    "medium": Preset("medium", users=50, accounts=20_000, contacts=100_000, leads=25_000,
                     deals=10_000, calls=7_500, events=4_000, tasks=6_000),
    "large": Preset("large", users=500, accounts=200_000, contacts=1_000_000, leads=250_000,
                    deals=100_000, calls=75_000, events=40_000, tasks=60_000),
}

# Fixed default "now", so the output depends on the seed alone.
DEFAULT_NOW = datetime(2025, 6, 2, 9, 30, 0, tzinfo=UTC)
HISTORY_DAYS = 730  # records are spread over the two years before now
INACTIVE_USER_RATE = 0.10
ORG_COUNTRIES = ("US", "GB", "DE", "IN", "AU", "CA")


def generate_org(preset: str = "small", seed: int = 1, edition: str = "enterprise",
                 licences: int | None = None, now: datetime | None = None) -> OrgData:
    """Build a demo org: org details, users and every module's records, reproducibly by seed.

    ``licences`` defaults to the preset's user count; ``now`` (aware) to ``DEFAULT_NOW``.
    Raises ``ValueError`` for an unknown preset or edition, a licence count below 1 or a naive
    ``now``.
    """
    spec = PRESETS.get(preset) if isinstance(preset, str) else None
    if spec is None:
        raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    if not isinstance(edition, str) or edition.strip().lower() not in EDITIONS:
        raise ValueError(f"unknown edition {edition!r}; choose one of {', '.join(EDITIONS)}")
    if licences is None:
        licences = spec.users
    if isinstance(licences, bool) or not isinstance(licences, int) or licences < 1:
        raise ValueError(f"licences must be a positive integer, got {licences!r}")
    now = DEFAULT_NOW if now is None else now
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    now = now.astimezone(UTC).replace(microsecond=0)

    rng = random.Random(seed)
    # The generator makes millions of acyclic containers; the cyclic GC would rescan them over and
    # over (~20% of the large preset's time) and find nothing, so it is paused meanwhile.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        ctx = _org_and_users(rng, spec, edition.strip().lower(), licences, now)
        make_accounts(ctx, spec.accounts)
        make_contacts(ctx, spec.contacts)
        make_leads(ctx, spec.leads)
        make_deals(ctx, spec.deals)
        make_activities(ctx, spec.calls, spec.events, spec.tasks)
    finally:
        if gc_was_enabled:
            gc.enable()
    for table in ctx.data.tables.values():
        table.version += 1
    return ctx.data


def _org_and_users(rng: random.Random, spec: Preset, edition: str, licences: int,
                   now: datetime) -> GenContext:
    """The org (company, its own email domains) and its users; returns the run's context."""
    country = COUNTRY_BY_CODE[ORG_COUNTRIES[int(rng.random() * len(ORG_COUNTRIES))]]
    companies = CompanyMaker(rng)
    company = companies.make(country)
    base, _, _ = company.domain.partition(".")
    second = f"{base}.io" if company.domain.endswith(".com") else f"{base}.com"
    companies.domains.add(second)
    own_domains = (company.domain, second)
    start = now - timedelta(days=HISTORY_DAYS)
    org_created = start - timedelta(days=rng.randint(60, 400), seconds=rng.randrange(86400))

    ids = IdSequence(prefix=str(rng.randrange(1_000_000, 10_000_000)))  # ids differ between orgs, as in Zoho
    zgid = str(rng.randrange(600_000_000, 900_000_000))
    org = Org(id=ids.next(), zgid=zgid, company_name=company.name, domain_name=f"org{zgid}",
              primary_email="", edition=edition, licences=licences,
              time_zone=country.time_zones[0], country_code=country.code,
              currency=country.currency, created_time=org_created, own_domains=own_domains)
    data = OrgData(org=org, ids=ids)
    emails = EmailBook()
    users = _users(rng, spec.users, country, own_domains, org_created, start, now, ids, emails)
    data.users = {u.id: u for u in users}
    admin = users[0]
    org.primary_email = admin.email
    org.primary_zuid = admin.zuid

    owners = [u for u in users if u.confirm]
    weights = [0.5 if u.is_admin else min(rng.paretovariate(1.2), 6.0) for u in owners]
    active = [u.id for u in users if u.active and u.confirm]
    importers = [u.id for u in users if u.is_admin and u.active] + active[1:2]
    return GenContext(
        data=data, rng=rng, now=now, start=start, phones=PhoneBook(rng), emails=emails,
        companies=companies, admin_id=admin.id, importer_ids=importers,
        owner_pick=Picker([u.id for u in owners], weights), active_ids=active,
    )


def _users(rng: random.Random, n: int, home: Country, own_domains: tuple[str, str],
           org_created: datetime, start: datetime, now: datetime, ids: IdSequence,
           emails: EmailBook) -> list[User]:
    """Admin first (Administrator/CEO); ~10% inactive, a couple unconfirmed, several time zones."""
    inactive = set(rng.sample(range(1, n), min(n - 1, max(1, round(n * INACTIVE_USER_RATE)))))
    rest = [i for i in range(1, n) if i not in inactive]
    unconfirmed = set(rng.sample(rest, min(len(rest), max(2, n // 100))))
    extra_admins = set(rng.sample(rest, n // 50)) - unconfirmed if n >= 50 else set()
    mixed_case = set(rng.sample(range(n), max(1, n // 5)))  # "Anna.Schmidt@..." as typed at invite
    abroad = set(rng.sample(range(1, n), min(2, n - 1)))
    seen_countries = {home.code}
    zuids: set[str] = set()
    users = []
    for i in range(n):
        country = home if i == 0 or rng.random() < 0.6 else COUNTRY_PICKER(rng)
        if i in abroad:  # at least two regional offices, so time zones always differ
            for _ in range(64):  # bounded: late in a large org every country may have been seen
                if country.code not in seen_countries:
                    break
                country = COUNTRY_PICKER(rng)
        seen_countries.add(country.code)
        p = person(rng, pick_culture(rng, country))
        domain = own_domains[0] if rng.random() < 0.8 else own_domains[1]
        email = emails.claim(f"{p.first_ascii or p.last_ascii}.{p.last_ascii}", domain)
        if i in mixed_case:
            local, _, dom = email.partition("@")
            email = f"{local.title()}@{dom}"
        zuid = str(rng.randrange(10_000_000, 999_999_999))
        while zuid in zuids:
            zuid = str(rng.randrange(10_000_000, 999_999_999))
        zuids.add(zuid)
        created = org_created if i == 0 else \
            org_created + (start - org_created) * rng.random()
        created = created.replace(microsecond=0)
        modified = created
        if i in inactive:  # deactivated some time in the window; their records stay theirs
            modified = (start + (now - start) * rng.random()).replace(microsecond=0)
        if i == 0:
            profile, role = "Administrator", "CEO"
        elif i in extra_admins:
            profile, role = "Administrator", "Manager"
        else:
            profile = "Standard"
            role = "Manager" if rng.random() < 0.15 else "Sales Representative"
        users.append(User(
            id=ids.next(), first_name=p.first, last_name=p.last, email=email,
            status="inactive" if i in inactive else "active", confirm=i not in unconfirmed,
            profile=profile, role=role,
            time_zone=country.time_zones[int(rng.random() * len(country.time_zones))],
            country=country.code, locale=country.locale,
            zuid=zuid, created_time=created, modified_time=modified))
    return users
