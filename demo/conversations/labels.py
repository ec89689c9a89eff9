"""The labels of generated conversations, and the pieces every planted case shares.

A :class:`Truth` is what a conversation really was, from the generator's own knowledge of the org
(:mod:`.conversation_book`); :class:`CaseMaker` holds the run's random source, the org and the
choices every case makes alike (when, who records, which busy account).
"""
from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from demo.conversations.book import OrgBook, primary_contact, right_deal
from zoho_emulator.model.org import User

WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class Truth:
    case: str
    status: str  # matched | partial | unmatched | internal
    contact_id: str | None = None
    lead_id: str | None = None
    account_id: str | None = None
    deal_id: str | None = None
    owner_id: str | None = None
    notes: tuple[str, ...] = ()  # sub-cases: several_open_deals, shared_domain, dialer_national_format...


@dataclass(frozen=True)
class LabelledConversation:
    record: dict[str, Any]  # one JSON Lines record
    truth: Truth

    def line(self) -> str:
        return json.dumps({**self.record, "x_truth": asdict(self.truth)}, ensure_ascii=False)


class Skip(Exception):
    """This draw found no record fit for the case; draw again."""


class CaseMaker:
    """The run's random source, the org, and what every case chooses alike."""

    def __init__(self, book: OrgBook, rng: random.Random, now: datetime) -> None:
        self.book, self.rng, self.now = book, rng, now
        self.region = book.data.org.country_code
        self.contacts, self.leads, self.accounts = book.contacts, book.leads, book.accounts
        self.account_ids = [a for a in book.work_contacts if a in book.account_domain]

    def pick(self, seq: list[Any]) -> Any:
        if not seq:
            raise Skip
        return seq[int(self.rng.random() * len(seq))]

    def when(self) -> datetime:
        start = self.now - WINDOW + timedelta(seconds=int(self.rng.random() * (WINDOW.total_seconds() - 3600)))
        return start.replace(minute=start.minute // 5 * 5, second=0, microsecond=0)

    def user(self) -> User:
        return self.pick(self.book.users)

    def colleagues(self, user: User, most: int, at_least: bool = False) -> list[User]:
        """Other users on the invitation: up to ``most``, at least one if asked (a meeting of one is no meeting)."""
        count = int(self.rng.random() * (most + 1))
        picked = {u.id: u for u in (self.user() for _ in range(max(count, int(at_least)))) if u.id != user.id}
        if at_least and not picked:
            others = [u for u in self.book.users if u.id != user.id]
            picked = {u.id: u for u in [self.pick(others)]}
        return list(picked.values())

    def account_for_contacts(self) -> str:
        """Busy accounts get the meetings: a third of them go to accounts with several open deals."""
        r = self.rng.random()
        book = self.book
        if r < 0.35 and book.busy_accounts:
            return self.pick(book.busy_accounts)
        if r < 0.6 and book.one_deal_accounts:
            return self.pick(book.one_deal_accounts)
        return self.pick(self.account_ids)

    def deal_notes(self, account_id: str | None) -> tuple[str, ...]:
        return ("several_open_deals",) if len(self.book.open_deals.get(account_id or "", ())) > 1 else ()

    def truth_for_contacts(self, case: str, contact_ids: list[str], on: datetime, owner: User,
                           notes: tuple[str, ...] = ()) -> Truth:
        anchor = primary_contact(contact_ids, self.contacts, None)
        account_id = self.contacts[anchor].get("Account_Name") if anchor else None
        deal = right_deal(self.book, account_id, contact_ids, on.date()) if account_id else None
        contact = primary_contact(contact_ids, self.contacts, deal)
        return Truth(case, "matched", contact_id=contact, account_id=account_id,
                     deal_id=deal["id"] if deal else None, owner_id=owner.id, notes=notes + self.deal_notes(account_id))

    def truth_for_account(self, case: str, account_id: str, on: datetime, owner: User,
                          notes: tuple[str, ...] = ()) -> Truth:
        deal = right_deal(self.book, account_id, [], on.date())
        return Truth(case, "partial", account_id=account_id, deal_id=deal["id"] if deal else None,
                     owner_id=owner.id, notes=notes + self.deal_notes(account_id))

