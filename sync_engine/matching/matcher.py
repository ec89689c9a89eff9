"""Conversation + mirror -> the contact or lead, account, deal and owner it belongs to, with reasons.

A wrong link puts one customer's call on another customer's deal, a missed one loses the activity,
and both are found out by a manager reading the record, so every result says why, in words:

    attendee ana@acme.com is contact Ana Ruiz (email)
    account Acme Inc by the domain acme.com of 2 unknown attendees
    deal 'Acme renewal' is the most recently modified of 3 open deals of account Acme Inc

The rules, in the order they apply (written for a customer's admin in docs/matching-rules.md):

* **Internal.** A participant is internal when their email is a Zoho user's or on one of the org's
  own domains (subdomains too). A meeting whose participants are all internal is ``internal`` and is
  not logged. A participant without an email address could be anyone, so it is never internal.
  A call whose customer number is one of the company's own lines -- a Zoho user's Phone or Mobile,
  the org's own number, a number the reps call from in other calls -- is ``internal`` too, even when
  a careless contact or lead also holds that number.
* **Addresses** are read with a real parser (``Ana Ruiz <ana@x.com>``, ``"Ruiz, Ana" <ana@x.com>``,
  ``mailto:``, any case, stray whitespace), in conversations and in the CRM's fields alike.
* **People by email.** Any email field of a contact or an (unconverted) lead finds them. One email on
  both a contact and a lead is one person: the contact is used.
* **People by phone.** A call's customer number (E.164, extension first when the dialer logged one)
  is looked up over every phone field, each read in its record's own country (its country fields),
  else the org's. When the E.164 is no key, the digits of its national format are (trunk prefix
  included): a number the CRM holds without a country code and no country to read it in is found
  only that way. Dialer and CRM numbers share one fallback (``contact_points.normalise_phone``).
* **Shared keys** (:mod:`.match_candidates`). An email or number on several records is resolved by
  account (all of them in one account: the account is linked, no person: ``partial``), else by
  recent activity (the one record active within ``shared_recent_days`` of the conversation), else
  it is ``ambiguous`` and not linked.
* **Accounts.** The account with strictly the most attendee contacts; when two or more tie for the
  most, the meeting is ``ambiguous``: no account, no deal, no primary person (every matched person is
  still listed in ``people``). With no contact: unknown external attendees' corporate domains, by the
  accounts' Website first, else by their contacts' email domains, and only when that leads to exactly
  one account; a personal-mail domain (gmail.com...) never links an account. A lead links no account:
  in Zoho a lead stands alone. Nothing depends on the order attendees are listed in.
* **Deal.** Among the account's open deals, by the org's :class:`~.deal_rules.DealRules`. The primary
  contact is the chosen deal's contact when they took part, else the organizer when they are a contact
  of that account, else the first of its attending contacts by name.
* **Owner.** The recording user's Zoho user, by email (the user mapping's choice when loaded from the
  store); an inactive Zoho user is named but not used, since Zoho refuses them as owners.

Status: ``matched`` (a contact or lead), ``partial`` (an account only), ``ambiguous`` (candidates,
none chosen), ``unmatched`` (nothing in Zoho), ``internal``. Pure functions: no I/O, no clock.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import phonenumbers

from sync_engine.intake.formats.model import Call, Meeting
from sync_engine.matching.activity_types import ActivityType, ConversationFacts, assign_activity_type
from sync_engine.matching.candidates import Found, count_of, describe, resolve
from sync_engine.matching.deal_rules import DealRules, choose_deal
from sync_engine.matching.index import WEBSITE_EVIDENCE, Account, Deal, MatchIndex, Person, within_domains
from sync_engine.matching.own_lines import rep_side_numbers, with_own_lines
from sync_engine.records.contact_points import email_domain, is_personal_domain
from sync_engine.records.users import normalise_email

Status = Literal["matched", "partial", "ambiguous", "unmatched", "internal"]
STATUSES: tuple[str, ...] = get_args(Status)


@dataclass(frozen=True)
class MatchRules:
    """An org's matching settings; the defaults are what the demo and the labelled benchmark assume."""

    deals: DealRules = field(default_factory=DealRules)
    shared_recent_days: int = 14  # a shared email or number goes to the one record active this close to the call
    activity_types: tuple[ActivityType, ...] = ()


@dataclass(frozen=True)
class MatchResult:
    conversation_id: str
    kind: str  # "meeting" | "call"
    status: Status
    contact_id: str | None = None
    lead_id: str | None = None
    account_id: str | None = None
    deal_id: str | None = None
    owner_id: str | None = None
    activity_type: str | None = None
    reasons: tuple[str, ...] = ()
    # every contact and lead found among the participants, contacts first: ("contact" | "lead", record id)
    people: tuple[tuple[str, str], ...] = ()

    @property
    def people_ids(self) -> tuple[str, ...]:
        return tuple(record_id for _, record_id in self.people)

    def to_json(self) -> dict[str, Any]:
        """One line of ``matches.jsonl``."""
        return {"id": self.conversation_id, "kind": self.kind, "status": self.status,
                "contact_id": self.contact_id, "lead_id": self.lead_id, "account_id": self.account_id,
                "deal_id": self.deal_id, "owner_id": self.owner_id, "activity_type": self.activity_type,
                "people": [{"kind": kind, "id": record_id} for kind, record_id in self.people],
                "reasons": list(self.reasons)}


@dataclass(slots=True)
class _Seen:
    """What a conversation's participants led to, gathered before anything is decided."""

    people: list[Person] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)  # from shared numbers or emails
    ambiguous: bool = False
    internal: int = 0
    external: int = 0
    own_line: str | None = None  # a call to or from one of the org's own numbers: what that number is
    unknown: dict[str, list[str]] = field(default_factory=dict)  # corporate domain -> unknown emails
    personal: list[str] = field(default_factory=list)  # unknown emails on personal-mail domains
    reasons: list[str] = field(default_factory=list)

    def take(self, found: Found) -> None:
        self.reasons.extend(found.reasons)
        if found.person is not None:
            if found.person not in self.people:
                self.people.append(found.person)
        elif found.account is not None:
            self.accounts.append(found.account)
        else:
            self.ambiguous = True


def match(conversation: Meeting | Call, index: MatchIndex, rules: MatchRules | None = None, *,
          activity_override: str | None = None) -> MatchResult:
    """Match one conversation; ``activity_override`` is an admin's choice of activity type for it."""
    rules = rules or MatchRules()
    if isinstance(conversation, Meeting):
        seen = _meeting_participants(conversation, index, rules)
    else:
        seen = _call_number(conversation, index, rules)
    return _decide(conversation, seen, index, rules, activity_override)


def match_all(conversations: Iterable[Meeting | Call], index: MatchIndex,
              rules: MatchRules | None = None) -> list[MatchResult]:
    """Match a batch; the reps' own numbers seen in the batch's calls count as the org's lines for all of it."""
    rules = rules or MatchRules()
    batch = list(conversations)
    index = with_own_lines(index, rep_side_numbers(batch))
    return [match(c, index, rules) for c in batch]


# -- gathering ---------------------------------------------------------------------------------------
def is_internal(email: str, index: MatchIndex) -> bool:
    if email in index.users:
        return True
    domain = email_domain(email)
    return domain is not None and within_domains(domain, index.own_domains)


def _meeting_participants(meeting: Meeting, index: MatchIndex, rules: MatchRules) -> _Seen:
    seen = _Seen()
    done: set[str] = set()
    nameless: list[str] = []
    participants = (meeting.organizer, *meeting.attendees) if meeting.organizer else meeting.attendees
    for p in participants:
        if p.email is None:
            seen.external += 1
            nameless.append(p.name or "someone")
            continue
        email = normalise_email(p.email)
        if email in done:
            continue
        done.add(email)
        if is_internal(email, index):
            seen.internal += 1
            continue
        seen.external += 1
        ids = index.emails.get(email)
        if ids:
            seen.take(resolve(ids, index, f"attendee {email}", "email", meeting.start, rules.shared_recent_days,
                              by_email=True))
            continue
        domain = email_domain(email)
        if domain is not None and not is_personal_domain(domain):
            seen.unknown.setdefault(domain, []).append(email)
        else:
            seen.personal.append(email)
    if normalise_email(meeting.user_email) not in done:
        seen.internal += 1  # the recording user took part, invited or not
    if nameless:
        seen.reasons.append(f"{count_of(len(nameless), 'attendee')} without an email address "
                            f"({', '.join(nameless[:3])}) cannot be matched")
    return seen


def _national_number(e164: str) -> str | None:
    """The digits of the number as its own country writes it (``+49301234567`` -> ``0301234567``)."""
    try:
        national = phonenumbers.format_number(phonenumbers.parse(e164, None), phonenumbers.PhoneNumberFormat.NATIONAL)
    except phonenumbers.NumberParseException:
        return None
    return "".join(ch for ch in national if ch.isdigit()) or None


def _call_number(call: Call, index: MatchIndex, rules: MatchRules) -> _Seen:
    seen = _Seen(internal=1, external=1)
    number = call.customer_number
    side = "called" if call.direction == "outbound" else "calling"
    if number is None or number.e164 is None:
        shown = f"'{number.raw}'" if number is not None else "missing"
        seen.reasons.append(f"the {side} number {shown} is not a phone number that can be matched")
        return seen
    subject, ids, how = f"{side} number {number.e164}", None, "phone"
    own = index.own_numbers.get(number.e164)
    if own is not None:
        seen.own_line = own
        seen.external = 0
        seen.reasons.append(f"the {subject} is the org's own line ({own}): a call between colleagues, not "
                            "logged, whatever contact or lead may also hold the number")
        return seen
    national = None
    if number.extension:  # the one person behind a switchboard, however the CRM wrote the number
        ids = index.phone_extensions.get((number.e164, number.extension))
        if not ids:
            national = _national_number(number.e164)
            ids = index.phone_extensions.get((national, number.extension)) if national else None
        how = f"phone, extension {number.extension}"
    if not ids:
        ids, how = index.phones.get(number.e164), "phone"
    if not ids:
        national = national or _national_number(number.e164)
        ids = index.national_numbers.get(national) if national else None
        how = f"a phone stored without country code, by its national digits {national}"
    if ids:
        seen.take(resolve(ids, index, subject, how, call.start, rules.shared_recent_days, by_email=False))
    else:
        seen.reasons.append(f"{subject} is not on any contact, lead or account")
    return seen


# -- deciding ----------------------------------------------------------------------------------------
def _domain_account(domain: str, index: MatchIndex) -> tuple[Account | None, str, bool]:
    """The one account a corporate domain (or its parent domain) points at; else why not, and whether several do."""
    labels = domain.split(".")
    for start in range(len(labels) - 1):
        ranked = index.domains.get(".".join(labels[start:]))
        if ranked:
            by_site = [a for a, n in ranked if n >= WEBSITE_EVIDENCE]
            candidates = by_site + _family(by_site, ranked, index) if by_site else [a for a, _ in ranked]
            if len(candidates) == 1:
                return index.accounts[candidates[0]], "website" if by_site else "contacts' email domain", False
            names = ", ".join(index.accounts[a].name for a in candidates[:3])
            return None, f"{domain} is the domain of {count_of(len(candidates), 'account')} ({names})", True
    return None, f"{domain} is not the domain of any account", False


def _family(by_site: list[str], ranked: tuple[tuple[str, int], ...], index: MatchIndex) -> list[str]:
    """Parents and subsidiaries of the website's accounts whose people use the domain too: one company, several
    accounts, and an unknown attendee may work for any of them."""
    parents = {index.accounts[a].parent_id for a in by_site}
    return [a for a, _ in ranked if a not in by_site
            and (a in parents or index.accounts[a].parent_id in by_site)]


def _account_without_contact(seen: _Seen, index: MatchIndex) -> Account | None:
    """The account found without a person: from shared keys and unknown attendees' domains, if they agree."""
    found: dict[str, Account] = {a.record_id: a for a in seen.accounts}
    for domain, emails in seen.unknown.items():
        account, why, several = _domain_account(domain, index)
        if account is None:
            seen.ambiguous = seen.ambiguous or several
            seen.reasons.append(f"{why}: no account from {count_of(len(emails), 'unknown attendee')}")
            continue
        found[account.record_id] = account
        who = f"unknown attendee {emails[0]}" if len(emails) == 1 else f"{len(emails)} unknown attendees"
        seen.reasons.append(f"{account.label} by the domain {domain} of {who} (the account's {why})")
    if len(found) > 1:
        seen.ambiguous = True
        names = ", ".join(a.name for a in list(found.values())[:3])
        seen.reasons.append(f"the participants point at {count_of(len(found), 'account')} ({names}): none is linked")
        return None
    return next(iter(found.values()), None)


def _owner(user_email: str, index: MatchIndex) -> tuple[str | None, str]:
    email = normalise_email(user_email)
    user = index.users.get(email)
    if user is None:
        return None, f"recording user {email} is not a Zoho user: no owner"
    if not user.active:
        return None, (f"recording user {email} is Zoho user {user.name or user.user_id}, who is inactive "
                      "(Zoho refuses inactive owners): no owner")
    return user.user_id, f"recording user {email} is Zoho user {user.name or user.user_id}"


@dataclass(slots=True)
class _Links:
    contact: Person | None = None
    lead: Person | None = None
    account: Account | None = None
    deal: Deal | None = None


def _links(conversation: Meeting | Call, seen: _Seen, index: MatchIndex, rules: MatchRules) -> _Links:
    """Person, account and deal from what the participants led to (reasons go to ``seen``)."""
    reasons = seen.reasons
    contacts = [p for p in seen.people if p.is_contact]
    leads = [p for p in seen.people if not p.is_contact]
    if len(leads) > 1:
        leads.sort(key=_by_name)
    links = _Links(lead=leads[0] if leads and not contacts else None)
    if leads and contacts:
        reasons.append(f"{describe(leads, [])} also took part; not linked, as a contact did")
    by_account: dict[str, list[Person]] = {}
    for c in contacts:
        if c.account_id is not None and c.account_id in index.accounts:
            by_account.setdefault(c.account_id, []).append(c)
    account_id, tied = _account_of_most_contacts(by_account, index, reasons)
    if tied:
        seen.ambiguous = True
        return links
    links.account = index.accounts[account_id] if account_id else None
    candidates = by_account[account_id] if account_id else contacts
    links.contact = _primary_contact(candidates, conversation)
    if links.account is None and links.lead is None and seen.external:
        links.account = _account_without_contact(seen, index)
    if links.account is None:
        return links
    deal_contacts = [c.record_id for c in candidates]  # a set inside: their order decides nothing
    choice = choose_deal(index.open_deals.get(links.account.record_id, ()), links.account.name, deal_contacts,
                         conversation.start.date(), rules.deals, has_contact=bool(contacts))
    links.deal = choice.deal
    reasons.extend(choice.reasons)
    if links.deal is not None and links.contact is not None and links.contact.record_id not in links.deal.contact_ids:
        on_deal = next((c for c in sorted(candidates, key=_by_name) if c.record_id in links.deal.contact_ids), None)
        if on_deal is not None:
            links.contact = on_deal
            reasons.append(f"{on_deal.label} is the primary contact: the deal names them")
    return links


def _by_name(person: Person) -> tuple[str, str]:
    return person.name.casefold(), person.record_id


def _account_of_most_contacts(by_account: dict[str, list[Person]], index: MatchIndex,
                              reasons: list[str]) -> tuple[str | None, bool]:
    """The account with strictly the most attendee contacts, and whether several tie for the most."""
    if len(by_account) <= 1:
        return next(iter(by_account), None), False
    ranked = sorted(by_account.items(), key=lambda item: (-len(item[1]), index.accounts[item[0]].name, item[0]))
    tally = ", ".join(f"{index.accounts[a].name} {len(people)}" for a, people in ranked[:4])
    most = len(ranked[0][1])
    if len(ranked[1][1]) == most:
        reasons.append(f"the attendees are contacts of {count_of(len(ranked), 'account')} ({tally}) and no account "
                       "has more of them than every other: a tie, so no account or deal is linked")
        return None, True
    reasons.append(f"{index.accounts[ranked[0][0]].label} has the most attendee contacts ({tally})")
    return ranked[0][0], False


def _primary_contact(contacts: list[Person], conversation: Meeting | Call) -> Person | None:
    """The organizer when they are one of these contacts, else the first by name: never the order of the invite."""
    if len(contacts) <= 1:
        return contacts[0] if contacts else None
    organizer = conversation.organizer.email if isinstance(conversation, Meeting) and conversation.organizer else None
    chosen = next((c for c in contacts if organizer and c.email == organizer), None)
    return chosen or min(contacts, key=_by_name)


def _status(seen: _Seen, links: _Links) -> Status:
    if seen.own_line is not None:
        return "internal"
    if seen.external == 0:
        seen.reasons.insert(0, f"all {count_of(seen.internal, 'participant')} are from the org: an internal "
                               "meeting, not logged")
        return "internal"
    if seen.personal:
        seen.reasons.append(f"{count_of(len(seen.personal), 'attendee')} on personal-mail domains not in Zoho "
                            f"({', '.join(seen.personal[:3])}): a personal domain never links an account")
    if links.contact is not None or links.lead is not None:
        return "matched"
    if links.account is not None:
        return "partial"
    return "ambiguous" if seen.ambiguous else "unmatched"


def _decide(conversation: Meeting | Call, seen: _Seen, index: MatchIndex, rules: MatchRules,
            activity_override: str | None) -> MatchResult:
    links = _links(conversation, seen, index, rules)
    status = _status(seen, links)
    owner_id, owner_reason = _owner(conversation.user_email, index)
    seen.reasons.append(owner_reason)
    type_choice = assign_activity_type(_facts(conversation, seen, links.account, links.deal),
                                       rules.activity_types, activity_override)
    if rules.activity_types or activity_override or conversation.activity_type:
        seen.reasons.append(type_choice.reason)
    return MatchResult(conversation.id, conversation.kind, status,
                       links.contact.record_id if links.contact else None,
                       links.lead.record_id if links.lead else None,
                       links.account.record_id if links.account else None,
                       links.deal.record_id if links.deal else None, owner_id, type_choice.name, tuple(seen.reasons),
                       _people_ids(seen))


def _people_ids(seen: _Seen) -> tuple[tuple[str, str], ...]:
    if not seen.people:
        return ()
    ordered = sorted(seen.people, key=lambda p: (not p.is_contact, p.record_id)) if len(seen.people) > 1 \
        else seen.people
    return tuple(("contact" if p.is_contact else "lead", p.record_id) for p in ordered)


def _facts(conversation: Meeting | Call, seen: _Seen, account: Account | None,
           deal: Deal | None) -> ConversationFacts:
    title, direction = (conversation.title, None) if isinstance(conversation, Meeting) else ("", conversation.direction)
    return ConversationFacts(
        kind=conversation.kind, title=title, direction=direction,
        duration_s=int((conversation.end - conversation.start).total_seconds()),
        internal=seen.internal, external=seen.external, contacts=sum(p.is_contact for p in seen.people),
        leads=sum(not p.is_contact for p in seen.people), account_type=account.account_type if account else None,
        deal_stage=deal.stage if deal else None, given_type=conversation.activity_type)
