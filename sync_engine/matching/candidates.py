"""Several records behind one email or number: which one, if any, and why.

Keys are shared more often than one would like: a switchboard on an account and its contacts, a
mobile on a lead and the contact that person became, a team mailbox. The rules, in order: a lead
that is a contact's twin (same email; by phone, same name or email too) gives way to the contact;
one record left is the answer; records all in one account give that account, and no person;
else the one record active within ``recent_days`` of the conversation; else nobody.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sync_engine.matching.index import Account, MatchIndex, Person


@dataclass(slots=True)
class Found:
    """Where one email or number led: a person, an account only, or several candidates."""

    person: Person | None = None
    account: Account | None = None
    reasons: list[str] = field(default_factory=list)


def count_of(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _same_person(lead: Person, contact: Person, by_email: bool) -> bool:
    """A lead sharing an email with a contact is that person; by phone, the name or email must agree too."""
    if by_email:
        return True
    return bool(lead.email and lead.email == contact.email) or bool(
        lead.name and lead.name.casefold() == contact.name.casefold())


def describe(people: Sequence[Person], accounts: Sequence[Account]) -> str:
    parts = [a.label for a in accounts]
    contacts = [p for p in people if p.is_contact]
    leads = [p for p in people if not p.is_contact]
    for group, word in ((contacts, "contact"), (leads, "lead")):
        if len(group) == 1:
            parts.append(group[0].label)
        elif group:
            names = ", ".join(p.name for p in group[:3]) + (", ..." if len(group) > 3 else "")
            parts.append(f"{count_of(len(group), word)} ({names})")
    return " and ".join(parts)


def resolve(ids: tuple[str, ...], index: MatchIndex, subject: str, how: str, when: datetime, recent_days: int, *,
            by_email: bool) -> Found:
    """Who is behind a key held by ``ids``: one person, one account (all of them in it), or nobody certain.

    ``subject`` names the key in the reasons ("attendee ana@acme.com"); ``how`` says how it was found.
    """
    found = Found()
    people = [index.people[i] for i in ids if i in index.people]
    accounts = [index.accounts[i] for i in ids if i in index.accounts]
    contacts = [p for p in people if p.is_contact]
    leads = [p for p in people if not p.is_contact]
    for lead in list(leads):
        twin = next((c for c in contacts if _same_person(lead, c, by_email)), None)
        if twin is not None:
            leads.remove(lead)
            found.reasons.append(f"{subject} is both {twin.label} and {lead.label}: one person, so the contact "
                                 "is used (the lead was never converted)")
    people = contacts + leads
    if len(people) == 1 and not accounts:
        found.person = people[0]
        found.reasons.append(f"{subject} is {people[0].label} ({how})")
        return found
    if not people and len(accounts) == 1:
        found.account = accounts[0]
        found.reasons.append(f"{subject} is the number of {accounts[0].label}, not of a person ({how})")
        return found
    account_ids = {p.account_id for p in people} | {a.record_id for a in accounts}
    if len(account_ids) == 1 and None not in account_ids:
        account = index.accounts.get(next(iter(account_ids)) or "")
        if account is not None:
            found.account = account
            found.reasons.append(f"{subject} is shared by {describe(people, accounts)}, all of {account.label}: "
                                 "linked to the account, not to one person")
            return found
    return _by_recent_activity(found, people, accounts, subject, when, recent_days)


def _by_recent_activity(found: Found, people: list[Person], accounts: list[Account], subject: str,
                        when: datetime, recent_days: int) -> Found:
    window = timedelta(days=recent_days)
    records: list[Person | Account] = [*people, *accounts]
    recent = [r for r in records if r.last_activity is not None and abs(r.last_activity - when) <= window]
    shared = describe(people, accounts)
    if len(recent) == 1:
        chosen = recent[0]
        if isinstance(chosen, Person):
            found.person = chosen
        else:
            found.account = chosen
        found.reasons.append(f"{subject} is shared by {shared}; {chosen.label} is the only one active within "
                             f"{recent_days} days of the conversation")
        return found
    found.reasons.append(f"{subject} is shared by {shared}, not all of one account, and "
                         f"{'several were' if recent else 'none was'} active within {recent_days} "
                         "days: not linked")
    return found
