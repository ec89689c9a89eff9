"""Read the mirror into a :class:`~sync_engine.match_index.MatchIndex`: the one place matching touches DuckDB.

Rows are streamed (``fetchmany``), never materialised whole, so a million contacts cost the index and
not a second copy. What is read: contacts, unconverted leads and accounts (typed columns, plus
``Last_Activity_Time`` from ``raw_record`` for resolving shared numbers), open deals (by the forecast
type of their pipeline stage in ``mirror_deal_stages``; by name when stages were never pulled), every
match key in ``mirror_contact_points``, and the Zoho users with the effective user mapping.

The org's own domains are not mirrored from Zoho (Zoho has no such setting): they are its users'
email domains, personal mailboxes left out, plus any the caller adds (an admin setting, once there is one).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from ..contact_points import region_code
from ..match_index import (
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
from ..user_mapping import normalise_email
from .db import Store

BATCH_ROWS = 50_000
_ACTIVITY = "json_extract_string(raw_record, '$.Last_Activity_Time')"


def _rows(store: Store, sql: str, params: list[Any] | dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    with store.reading() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(BATCH_ROWS):
            yield from batch


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _name(full: str | None, first: str | None, last: str | None) -> str:
    return full or " ".join(p for p in (first, last) if p)


def _open_stages(store: Store, org_id: str) -> list[str] | None:
    rows = store.query("SELECT stage, forecast_type FROM mirror_deal_stages WHERE org_id = ?", [org_id])
    if not rows:
        return None
    return [stage for stage, forecast in rows if (forecast or "").casefold() == "open"]


def _add_users(builder: IndexBuilder, store: Store, org_id: str, users: dict[str, tuple[Any, ...]]) -> None:
    """The effective mapping (an admin's choice included) first, then Zoho users by their own email."""
    def ref(user_id: str) -> ZohoUserRef:
        _, _, name, status = users[user_id]
        return ZohoUserRef(user_id, name, status.strip().casefold() == "active")

    for our_email, user_id in store.query(
            "SELECT our_email_normalised, zoho_user_id FROM user_map WHERE org_id = ?", [org_id]):
        if user_id in users:
            builder.add_user(our_email, ref(user_id), chosen=True)
    for user_id, email, _, _ in users.values():
        builder.add_user(email, ref(user_id))


def _add_deals(builder: IndexBuilder, store: Store, org_id: str) -> None:
    stages = _open_stages(store, org_id)
    if stages is None:
        stage_filter, params = "AND stage IS NOT NULL AND NOT lower(stage) LIKE 'closed%'", {"org": org_id}
    else:
        stage_filter, params = "AND stage IN (SELECT unnest($stages::VARCHAR[]))", {"org": org_id, "stages": stages}
    sql = (f"SELECT record_id, deal_name, account_id, stage, pipeline, closing_date, modified_time, {_ACTIVITY}, "
           f"contact_id FROM mirror_deals WHERE org_id = $org AND account_id IS NOT NULL {stage_filter}")
    for record_id, name, account_id, stage, pipeline, closing, modified, last, contact_id in _rows(store, sql, params):
        builder.add_open_deal(Deal(record_id, name or "", account_id, stage, pipeline, closing, modified,
                                   _moment(last), (contact_id,) if contact_id else ()))


def _add_own_lines(builder: IndexBuilder, store: Store, org_id: str) -> None:
    """The company's own numbers: each Zoho user's phone and mobile, the org's number; read in the org's country."""
    org = store.query("SELECT country_code, phone FROM mirror_orgs WHERE org_id = ?", [org_id])
    region = region_code(org[0][0]) if org else None
    if org and org[0][1]:
        builder.add_own_number(org[0][1], "the org's own number", region)
    for name, email, phone, mobile in store.query(
            "SELECT full_name, email, phone, mobile FROM zoho_users WHERE org_id = ? ORDER BY zoho_user_id", [org_id]):
        for raw, kind in ((phone, "phone"), (mobile, "mobile")):
            if raw:
                builder.add_own_number(raw, f"Zoho user {name or email}'s {kind}", region)


def load_index(store: Store, org_id: str, own_domains: Iterable[str] = ()) -> MatchIndex:
    """Everything matching needs about one org, read from the mirror tables."""
    users = {row[0]: row for row in store.query(
        "SELECT zoho_user_id, email, full_name, status FROM zoho_users WHERE org_id = ?", [org_id])}
    own = own_domains_from_users(email for _, email, _, _ in users.values()) | {d.casefold() for d in own_domains}
    builder = IndexBuilder(own)
    _add_users(builder, store, org_id, users)
    _add_own_lines(builder, store, org_id)
    for record_id, name, account_type, parent_id, last in _rows(
            store, f"SELECT record_id, account_name, account_type, parent_account_id, {_ACTIVITY} "
                   "FROM mirror_accounts WHERE org_id = ?", [org_id]):
        builder.add_account(Account(record_id, name or "", account_type, parent_id, _moment(last)))
    for module, sql in ((CONTACTS, f"SELECT record_id, full_name, first_name, last_name, account_id, email, "
                                   f"{_ACTIVITY} FROM mirror_contacts WHERE org_id = ?"),
                        (LEADS, f"SELECT record_id, full_name, first_name, last_name, NULL, email, {_ACTIVITY} "
                                "FROM mirror_leads WHERE org_id = ? AND converted IS NOT TRUE")):
        for record_id, full, first, last, account_id, email, active in _rows(store, sql, [org_id]):
            builder.add_person(Person(record_id, module, _name(full, first, last), account_id,
                                      normalise_email(email) if email else None, _moment(active)))
    _add_deals(builder, store, org_id)
    for record_id, kind, value, raw, extension, flag in _rows(
            store, "SELECT record_id, kind, value, raw_value, extension, flag FROM mirror_contact_points "
                   "WHERE org_id = ?", [org_id]):
        builder.add_point(record_id, kind, value, raw, extension, flag)
    return builder.build()


_FINGERPRINT_TABLES = ("mirror_contacts", "mirror_leads", "mirror_accounts", "mirror_deals", "mirror_contact_points",
                       "zoho_users")
_MAPPING_TABLES = ("user_map", "manual_user_map", "our_users", "mirror_orgs")  # small: hashed whole


def mirror_fingerprint(store: Store, org_id: str) -> tuple:
    """Changes whenever anything ``load_index`` reads changes: each table's row count and latest write.

    Writes stamp ``synced_at`` and deletions lower the count; the small user-mapping tables are hashed
    whole. An unchanged fingerprint means an unchanged index, and computing it is a handful of column
    scans, far cheaper than rebuilding the index.
    """
    parts = []
    for table in _FINGERPRINT_TABLES:
        stamp = "NULL" if table == "mirror_contact_points" else "max(synced_at)"
        parts.append(f"(SELECT [count(*)::VARCHAR, {stamp}::VARCHAR] FROM {table} WHERE org_id = $org)")
    for table in _MAPPING_TABLES:
        parts.append(f"(SELECT [count(*)::VARCHAR, sum(hash(t::VARCHAR))::VARCHAR] FROM {table} t WHERE org_id = $org)")
    row = store.query("SELECT " + ", ".join(parts), {"org": org_id})[0]
    return tuple(tuple(p) for p in row)
