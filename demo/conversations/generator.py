"""Labelled meetings and calls for a generated org: the JSON Lines records and their ground truth.

``generate_conversations(data, n, seed)`` plays the org's users meeting and calling the org's
customers over the 30 days before the org's "now", and says for each conversation what it really
was: which contact or lead, account and deal it belongs to, and the status a perfect matcher would
give. The same arguments give the same conversations. Records follow docs/conversation-formats.md
(``kind`` meeting or call); the truth travels in an ``x_truth`` key, which ingestion ignores.

The mix (:data:`CASES`) plants the hard cases in realistic proportions: the same person as lead and
contact, shared switchboards, accounts with several open deals, personal-mail attendees known and
unknown, national number formats on either side, case and whitespace in emails, internal-only
meetings, unknown colleagues at a known company's domain, unknown numbers. Most records also carry what the
recording tool wrote afterwards (summary, action items, sometimes an outcome; ``conversation_notes``).

What the truth is, case by case:

* a known person (contact, lead, or both: then the contact) is the truth for their conversation;
  the account is the primary contact's, a lead has none (in Zoho a lead stands alone);
* a call to a number several records share (a switchboard) or to an account's own number reached
  the company, not a person: account only, status ``partial``;
* an attendee not in the CRM, from a company that is an account, belongs to that account (even when
  another account shares the domain: the truth is where they work, whether or not a matcher can tell);
* the deal and the primary contact follow the documented default deal rules (``conversation_book.right_deal``);
* people, numbers and domains the CRM does not hold give ``unmatched``; only colleagues, ``internal``.
"""
from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from demo.conversations.book import KNOWN_PERSONAL, plain_email, read_org
from demo.conversations.calls import CallCases
from demo.conversations.labels import LabelledConversation, Skip, Truth
from demo.conversations.notes import notes_for
from zoho_emulator.model.org import OrgData, User
from zoho_emulator.seed.org import DEFAULT_NOW
from zoho_emulator.seed.people import fold, messy, person, personal_local, work_local
from zoho_emulator.seed.words import COMPANY_POST, COMPANY_PRE, COMPANY_WORDS, PRODUCTS

__all__ = ["CASES", "LabelledConversation", "Truth", "generate_conversations", "write_jsonl"]
# Share of each planted case; meetings first, then calls.
CASES: dict[str, float] = {
    "contact_meeting": 0.29,  # contacts of one account by work email, colleagues along
    "messy_email_meeting": 0.04,  # the address as typed: mixed case, stray spaces
    "secondary_email_meeting": 0.03,
    "personal_email_contact": 0.03,  # a contact known by a gmail.com-style address
    "lead_meeting": 0.05,
    "lead_and_contact_meeting": 0.03,  # one email on a lead and on a contact
    "unknown_colleague": 0.05,  # not in the CRM, on a known account's corporate domain
    "unknown_personal": 0.02,  # not in the CRM, on a personal-mail domain
    "unknown_company": 0.03,
    "internal_meeting": 0.08,
    "contact_call": 0.20,  # a direct number, in whatever format the dialer logs
    "switchboard_call": 0.04,  # the company's main number
    "extension_call": 0.01,  # main number plus the contact's extension
    "lead_call": 0.05,
    "lead_and_contact_call": 0.01,  # the mobile a lead and its contact share
    "unknown_number": 0.04,
}
MEETING_TITLES = ("{company} – weekly sync", "Demo for {company}", "{company} renewal review", "QBR – {company}",
                  "Intro: {company}", "Pricing discussion – {company}", "{product} walkthrough", "Kick-off {company}")
INTERNAL_TITLES = ("Pipeline review", "Team standup", "Forecast call", "1:1", "Deal desk", "Sales kick-off prep")


class _Maker(CallCases):
    """Every case: the meeting cases here, the call cases inherited."""

    def meeting(self, ident: str, case: str, externals: list[dict[str, Any]], truth: Truth, owner: User,
                on: datetime, title: str) -> LabelledConversation:
        rng = self.rng
        people: list[dict[str, Any]] = list(externals)
        internal = case == "internal_meeting"
        for colleague in self.colleagues(owner, 3 if internal else 2, at_least=internal):
            people.insert(int(rng.random() * (len(people) + 1)) if internal else len(people),
                          {"email": colleague.email, "name": colleague.full_name})
        me = {"email": owner.email, "name": owner.full_name}
        if externals and rng.random() < 0.3:
            organizer, attendees = externals[0], [me, *people[1:]]
            truth = self.organized_by(truth, organizer, externals)
        else:
            organizer, attendees = me, people
        record = {"kind": "meeting", "id": ident, "title": title, "start": on.isoformat(),
                  "end": (on + timedelta(minutes=self.pick([30, 30, 45, 60, 60, 90]))).isoformat(),
                  "organizer": {k: v for k, v in organizer.items() if k != "contact_id"},
                  "attendees": [self.as_attendee(a) for a in attendees],
                  "user_email": owner.email}
        return LabelledConversation(record, truth)

    def organized_by(self, truth: Truth, organizer: dict[str, Any], externals: list[dict[str, Any]]) -> Truth:
        """A customer contact who organizes is the primary contact, unless the chosen deal names an attendee."""
        contact_id = organizer.get("contact_id")
        if contact_id is None or truth.contact_id is None or \
                self.contacts[contact_id].get("Account_Name") != truth.account_id:
            return truth
        deal = self.book.data.get("Deals", truth.deal_id) if truth.deal_id else None
        if deal is not None and deal.get("Contact_Name") in {e.get("contact_id") for e in externals}:
            return truth
        return replace(truth, contact_id=contact_id)

    def as_attendee(self, person: dict[str, Any]) -> Any:
        if self.rng.random() < 0.4 or not person.get("name"):
            return person["email"]
        return {"email": person["email"], "name": person["name"],
                "response": self.pick(["accepted", "accepted", "tentative", "needs-action"])}

    def title(self, account_or_company: str) -> str:
        return self.pick(list(MEETING_TITLES)).format(company=account_or_company, product=self.pick(list(PRODUCTS)))

    def external(self, record: dict[str, Any], email: str) -> dict[str, Any]:
        return {"email": email, "name": record.get("Full_Name")}

    def contact_meeting(self, ident: str, case: str) -> LabelledConversation:
        on, owner, rng = self.when(), self.user(), self.rng
        if case == "personal_email_contact":
            chosen = [self.pick(self.book.personal_contacts)]
            emails = [plain_email(self.contacts[chosen[0]]["Email"])]
        elif case == "secondary_email_meeting":
            chosen = [self.pick(self.book.secondary_contacts)]
            emails = [plain_email(self.contacts[chosen[0]]["Secondary_Email"])]
        else:
            account_id = self.account_for_contacts()
            pool = self.book.work_contacts[account_id]
            chosen = list(dict.fromkeys(self.pick(pool) for _ in range(1 + int(rng.random() ** 2 * 3))))
            emails = [self.contacts[c]["Email"] for c in chosen]
            emails = [messy(rng, plain_email(e)) if case == "messy_email_meeting" else plain_email(e) for e in emails]
        externals = [{**self.external(self.contacts[c], e), "contact_id": c}
                     for c, e in zip(chosen, emails, strict=True)]
        notes: tuple[str, ...] = ()
        if case == "contact_meeting" and rng.random() < 0.10:
            externals.append({"email": self.unknown_personal_email(), "name": None})
            notes += ("unknown_personal_guest",)
        truth = self.truth_for_contacts(case, chosen, on, owner, notes)
        company = self.accounts[truth.account_id]["Account_Name"] if truth.account_id else "catch-up"
        return self.meeting(ident, case, externals, truth, owner, on, self.title(company))

    def lead_meeting(self, ident: str, case: str) -> LabelledConversation:
        on, owner = self.when(), self.user()
        if case == "lead_and_contact_meeting":
            lead_id, contact_id = self.pick(self.book.twin_leads)
            lead = self.leads[lead_id]
            truth = self.truth_for_contacts(case, [contact_id], on, owner)
        else:
            lead = self.leads[self.pick(self.book.plain_leads)]
            truth = Truth(case, "matched", lead_id=lead["id"], owner_id=owner.id)
        externals = [self.external(lead, plain_email(lead["Email"]))]
        return self.meeting(ident, case, externals, truth, owner, on, self.title(lead.get("Company") or "intro"))

    def unknown_meeting(self, ident: str, case: str) -> LabelledConversation:
        on, owner = self.when(), self.user()
        if case == "unknown_colleague":
            account_id = self.pick(self.account_ids)
            domain = self.book.account_domain[account_id]
            emails = [self.unknown_email(domain) for _ in range(1 + int(self.rng.random() < 0.3))]
            notes = ("shared_domain",) if self.book.domain_accounts[domain] > 1 else ()
            truth = self.truth_for_account(case, account_id, on, owner, notes)
            title = self.title(self.accounts[account_id]["Account_Name"])
        elif case == "unknown_personal":
            emails = [self.unknown_personal_email()]
            truth, title = Truth(case, "unmatched", owner_id=owner.id), self.title("intro")
        else:
            domain = self.unknown_domain()
            emails = [self.unknown_email(domain) for _ in range(1 + int(self.rng.random() < 0.4))]
            truth, title = Truth(case, "unmatched", owner_id=owner.id), self.title(domain.partition(".")[0].title())
        return self.meeting(ident, case, [{"email": e, "name": None} for e in emails], truth, owner, on, title)

    def internal_meeting(self, ident: str, case: str) -> LabelledConversation:
        on, owner = self.when(), self.user()
        return self.meeting(ident, case, [], Truth(case, "internal", owner_id=owner.id), owner, on,
                            self.pick(list(INTERNAL_TITLES)))

    def unknown_email(self, domain: str) -> str:
        for attempt in range(50):
            local = work_local(self.rng, person(self.rng, "en"))
            email = f"{local}{attempt or ''}@{domain}"
            if email not in self.book.emails:
                self.book.emails.add(email)
                return email
        raise Skip

    def unknown_personal_email(self) -> str:
        domain = self.pick(sorted(KNOWN_PERSONAL))
        for _ in range(50):
            email = f"{personal_local(self.rng, person(self.rng, 'en'))}@{domain}"
            if email not in self.book.emails:
                self.book.emails.add(email)
                return email
        raise Skip

    def unknown_domain(self) -> str:
        for _ in range(50):
            base = fold(self.pick(list(COMPANY_PRE)) + self.pick(list(COMPANY_POST)))
            domain = f"{base}-{fold(self.pick(list(COMPANY_WORDS)))}.{self.pick(['com', 'io', 'net', 'de'])}"
            if domain not in self.book.domains:
                self.book.domains.add(domain)
                return domain
        raise Skip


_MAKERS: dict[str, Callable[[_Maker, str, str], LabelledConversation]] = {
    **dict.fromkeys(("contact_meeting", "messy_email_meeting", "secondary_email_meeting", "personal_email_contact"),
                    _Maker.contact_meeting),
    **dict.fromkeys(("lead_meeting", "lead_and_contact_meeting"), _Maker.lead_meeting),
    **dict.fromkeys(("unknown_colleague", "unknown_personal", "unknown_company"), _Maker.unknown_meeting),
    "internal_meeting": _Maker.internal_meeting,
    **dict.fromkeys(("contact_call", "extension_call"), _Maker.contact_call),
    **dict.fromkeys(("lead_call", "lead_and_contact_call"), _Maker.lead_call),
    "switchboard_call": _Maker.switchboard_call,
    "unknown_number": _Maker.unknown_call,
}
MAX_DRAWS = 400  # per conversation: a case whose records are missing (a tiny org) gives way to another
TRIES_PER_CASE = 40


def generate_conversations(data: OrgData, n: int, seed: int = 1, *, now: datetime | None = None,
                           cases: dict[str, float] | None = None) -> list[LabelledConversation]:
    """``n`` labelled conversations with ``data``'s customers, deterministic by ``seed``.

    ``now`` is the org's "today" (the demo-org generator's ``now``, ``DEFAULT_NOW`` unless it was given
    one); conversations fall in the 30 days before it. ``cases`` overrides the mix in :data:`CASES`.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    mix = cases or CASES
    unknown = set(mix) - set(_MAKERS)
    if unknown:
        raise ValueError(f"unknown cases {sorted(unknown)}; choose from {', '.join(_MAKERS)}")
    rng = random.Random(seed)
    maker = _Maker(read_org(data), rng, (now or DEFAULT_NOW).astimezone(UTC))
    names, weights = list(mix), list(mix.values())
    out: list[LabelledConversation] = []
    for i in range(n):
        item = None
        for draw in range(MAX_DRAWS):
            if draw % TRIES_PER_CASE == 0:  # a case keeps its share: its draws retry before another case is drawn
                case = rng.choices(names, weights)[0]
            ident = f"{'call' if case.endswith(('call', 'number')) else 'mtg'}-{seed}-{i:06d}"
            try:
                item = _MAKERS[case](maker, ident, case)
                break
            except Skip:
                continue
        if item is None:
            raise ValueError(f"the org has no records fit for conversation {i} after {MAX_DRAWS} draws")
        notes = notes_for(item.record, item.truth, _company(maker, item.truth), seed, i)
        out.append(LabelledConversation({**item.record, **notes}, item.truth))
    return out


def _company(maker: _Maker, truth: Truth) -> str | None:
    """Whom the conversation was with, by name, for its summary."""
    if truth.account_id:
        return maker.accounts[truth.account_id].get("Account_Name")
    if truth.lead_id:
        return maker.leads[truth.lead_id].get("Company")
    return None


def write_jsonl(conversations: Iterable[LabelledConversation], path: str) -> int:
    """Write one JSON Lines record per conversation, truth in ``x_truth``; returns how many."""
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        for item in conversations:
            out.write(item.line() + "\n")
            count += 1
    return count

