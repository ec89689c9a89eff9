"""The call cases of the conversation generator: direct lines, switchboards, extensions, leads, unknown numbers.

Numbers are dialled as the org's dialer would log them: at home often in national format without a
country code, abroad in international or E.164 form, with the contact's extension when there is one.
A number is only dialled when its true country is known (see ``conversation_book.true_number``).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any

import phonenumbers
from phonenumbers import PhoneNumberFormat

from demo.conversations.book import LEAD_PHONES, PERSON_PHONES, digits_key, split_extension, true_number
from demo.conversations.labels import CaseMaker, LabelledConversation, Skip, Truth
from zoho_emulator.model.org import User


class CallCases(CaseMaker):
    """The call cases; the generator's maker adds the meeting cases."""

    def dial(self, number: phonenumbers.PhoneNumber, extension: str | None) -> tuple[str, tuple[str, ...]]:
        """The number as a dialer logs it: national without country code at home, international abroad."""
        r = self.rng.random()
        home = phonenumbers.region_code_for_number(number) == self.region
        if home and r < 0.45:
            fmt, notes = PhoneNumberFormat.NATIONAL, ("dialer_national_format",)
        elif r < (0.75 if home else 0.55):
            fmt, notes = PhoneNumberFormat.E164, ()
        else:
            fmt, notes = PhoneNumberFormat.INTERNATIONAL, ()
        text = phonenumbers.format_number(number, fmt)
        return (f"{text} ext. {extension}" if extension else text), notes

    def call(self, ident: str, case: str, text: str, truth: Truth, owner: User, on: datetime) -> LabelledConversation:
        direction = "outbound" if self.rng.random() < 0.6 else "inbound"
        side = "to" if direction == "outbound" else "from"
        record = {"kind": "call", "id": ident, "direction": direction, side: text, "start": on.isoformat(),
                  "duration_s": max(5, int(self.rng.lognormvariate(5.3, 0.9))), "user_email": owner.email}
        return LabelledConversation(record, truth)

    def crm_number(self, record: dict[str, Any], fields: Iterable[str], hint: str | None, direct: bool = True,
                   ) -> tuple[phonenumbers.PhoneNumber, str | None, tuple[str, ...]]:
        """One of a record's phones whose true number is known, with its extension and notes.

        ``hint`` is the country the number was given (the record's, or for a switchboard its account's).
        """
        usable = [f for f in fields if record.get(f) and self.book.is_direct(record[f]) == direct]
        field = self.pick(usable)
        raw = record[field]
        number = true_number(raw, hint)
        if number is None:
            raise Skip
        foreign = not raw.lstrip().startswith(("+", "00")) and \
            phonenumbers.region_code_for_number(number) != self.region
        return number, split_extension(raw)[1], ("crm_foreign_national_format",) if foreign else ()

    def contact_call(self, ident: str, case: str) -> LabelledConversation:
        on, owner, rng = self.when(), self.user(), self.rng
        if case == "extension_call":
            contact = self.contacts[self.pick(self.extension_contacts())]
            hint = self.book.country_of(self.book.account_of(contact))
            number, extension, notes = self.crm_number(contact, ["Phone"], hint, direct=False)
        else:
            pool = self.book.work_contacts[self.account_for_contacts()] if rng.random() < 0.8 else self.contact_ids()
            contact = self.contacts[self.pick(pool)]
            number, extension, notes = self.crm_number(contact, PERSON_PHONES, self.book.country_of(contact))
            extension = extension if rng.random() < 0.5 else None
        text, dialled = self.dial(number, extension)
        truth = self.truth_for_contacts(case, [contact["id"]], on, owner, notes + dialled)
        return self.call(ident, case, text, truth, owner, on)

    def lead_call(self, ident: str, case: str) -> LabelledConversation:
        on, owner = self.when(), self.user()
        if case == "lead_and_contact_call":
            lead_id, contact_id = self.pick(self.shared_mobile_twins())
            hint = self.book.country_of(self.contacts[contact_id])
            number, _, notes = self.crm_number(self.leads[lead_id], ["Mobile"], hint, direct=False)
            truth = self.truth_for_contacts(case, [contact_id], on, owner, notes)
        else:
            lead = self.leads[self.pick(self.book.plain_leads)]
            number, _, notes = self.crm_number(lead, LEAD_PHONES, self.book.country_of(lead))
            truth = Truth(case, "matched", lead_id=lead["id"], owner_id=owner.id, notes=notes)
        text, dialled = self.dial(number, None)
        return self.call(ident, case, text, replace(truth, notes=truth.notes + dialled), owner, on)

    def switchboard_call(self, ident: str, case: str) -> LabelledConversation:
        on, owner = self.when(), self.user()
        account = self.accounts[self.pick(self.account_ids)]
        if not account.get("Phone"):
            raise Skip
        number = true_number(account["Phone"], self.book.country_of(account))
        if number is None:
            raise Skip
        shared = ("shared_number",) if not self.book.is_direct(account["Phone"]) else ()
        text, dialled = self.dial(number, None)
        truth = self.truth_for_account(case, account["id"], on, owner, shared + dialled)
        return self.call(ident, case, text, truth, owner, on)

    def unknown_call(self, ident: str, case: str) -> LabelledConversation:
        on, owner, rng = self.when(), self.user(), self.rng
        region = self.region if rng.random() < 0.7 else self.pick(["US", "GB", "DE", "FR", "IN", "JP", "AU", "BR"])
        example = phonenumbers.example_number(region)
        for _ in range(50):
            nsn = str(example.national_number)
            candidate = nsn[:-5] + f"{rng.randrange(100_000):05d}"
            number = phonenumbers.parse("+" + str(example.country_code) + candidate, None)
            national = digits_key(phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL))
            written = {national, str(example.country_code) + candidate}  # as its country writes it, or intl
            known = written & self.book.phone_copies.keys()  # this very number is on a record
            if phonenumbers.is_valid_number(number) and not known:
                text, dialled = self.dial(number, None)
                return self.call(ident, case, text, Truth(case, "unmatched", owner_id=owner.id, notes=dialled),
                                 owner, on)
        raise Skip

    # -- lazily built pools (a scan of the org, once) -------------------------------------------------
    def contact_ids(self) -> list[str]:
        if not hasattr(self, "_contact_ids"):
            self._contact_ids = list(self.contacts)
        return self._contact_ids

    def extension_contacts(self) -> list[str]:
        """Contacts reached on their company's switchboard plus an extension."""
        if not hasattr(self, "_extension_contacts"):
            self._extension_contacts = [
                c["id"] for c in self.contacts.values()
                if c.get("Phone") and split_extension(c["Phone"])[1] and not self.book.is_direct(c["Phone"])]
        return self._extension_contacts

    def shared_mobile_twins(self) -> list[tuple[str, str]]:
        if not hasattr(self, "_shared_mobile_twins"):
            self._shared_mobile_twins = [
                (lead, contact) for lead, contact in self.book.twin_leads
                if self.leads[lead].get("Mobile")
                and self.leads[lead]["Mobile"] == self.contacts[contact].get("Mobile")]
        return self._shared_mobile_twins
