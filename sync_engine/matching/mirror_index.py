"""Read the mirror into a :class:`~sync_engine.matching.index.MatchIndex`, from ``store.mirror.match_rows``.

The org's own domains are not mirrored from Zoho (Zoho has no such setting): they are its users'
email domains, personal mailboxes left out, plus any the caller adds (an admin setting, once there is one).
"""
from __future__ import annotations

from collections.abc import Iterable

from sync_engine.matching.index import (
    CONTACTS,
    LEADS,
    Account,
    Deal,
    IndexBuilder,
    MatchIndex,
    Person,
    ZohoUserRef,
    own_domains_from_users,
)
from sync_engine.records.contact_points import region_code
from sync_engine.records.users import normalise_email
from sync_engine.store.db import Store
from sync_engine.store.mirror.match_rows import MatchRows


def _name(full: str | None, first: str | None, last: str | None) -> str:
    return full or " ".join(p for p in (first, last) if p)


def _add_users(builder: IndexBuilder, rows: MatchRows, users: dict[str, tuple[str, str, str, str]]) -> None:
    """The effective mapping (an admin's choice included) first, then Zoho users by their own email."""
    def ref(user_id: str) -> ZohoUserRef:
        _, _, name, status = users[user_id]
        return ZohoUserRef(user_id, name, status.strip().casefold() == "active")

    for our_email, user_id in rows.chosen_users():
        if user_id in users:
            builder.add_user(our_email, ref(user_id), chosen=True)
    for user_id, email, _, _ in users.values():
        builder.add_user(email, ref(user_id))


def _add_own_lines(builder: IndexBuilder, rows: MatchRows) -> None:
    """The company's own numbers: each Zoho user's phone and mobile, the org's number; read in the org's country."""
    country, numbers = rows.own_numbers()
    region = region_code(country)
    for raw, what in numbers:
        builder.add_own_number(raw, what, region)


def load_index(store: Store, org_id: str, own_domains: Iterable[str] = ()) -> MatchIndex:
    """Everything matching needs about one org, read from the mirror tables."""
    rows = MatchRows(store, org_id)
    users = {row[0]: row for row in rows.zoho_users()}
    own = own_domains_from_users(email for _, email, _, _ in users.values()) | {d.casefold() for d in own_domains}
    builder = IndexBuilder(own)
    _add_users(builder, rows, users)
    _add_own_lines(builder, rows)
    for record_id, name, account_type, parent_id, last in rows.accounts():
        builder.add_account(Account(record_id, name or "", account_type, parent_id, last))
    for module in (CONTACTS, LEADS):
        for record_id, full, first, last, account_id, email, active in rows.people(module):
            builder.add_person(Person(record_id, module, _name(full, first, last), account_id,
                                      normalise_email(email) if email else None, active))
    for record_id, name, account_id, stage, pipeline, closing, modified, last, contact_id in rows.open_deals():
        builder.add_open_deal(Deal(record_id, name or "", account_id, stage, pipeline, closing, modified,
                                   last, (contact_id,) if contact_id else ()))
    for record_id, kind, value, raw, extension, flag in rows.contact_points():
        builder.add_point(record_id, kind, value, raw, extension, flag)
    return builder.build()
