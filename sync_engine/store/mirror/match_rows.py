"""The mirror's rows that matching reads, streamed: the one place matching touches DuckDB.

Rows are streamed (``fetchmany``), never materialised whole, so a million contacts cost the index and
not a second copy. What is read: contacts, unconverted leads and accounts (typed columns, plus
``Last_Activity_Time`` from ``raw_record`` for resolving shared numbers), open deals (by the forecast
type of their pipeline stage in ``mirror_deal_stages``; by name when stages were never pulled), every
match key in ``mirror_contact_points``, and the Zoho users with the effective user mapping.
``matching.mirror_index`` builds the index from them.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # db imports the migrations, which import the store's DDL
    from sync_engine.store.db import Store


BATCH_ROWS = 50_000
_ACTIVITY = "json_extract_string(raw_record, '$.Last_Activity_Time')"
CONTACTS, LEADS = "Contacts", "Leads"


def _rows(store: Store, sql: str, params: list[Any] | dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    with store.reading() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(BATCH_ROWS):
            yield from batch


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _open_stages(store: Store, org_id: str) -> list[str] | None:
    rows = store.query("SELECT stage, forecast_type FROM mirror_deal_stages WHERE org_id = ?", [org_id])
    if not rows:
        return None
    return [stage for stage, forecast in rows if (forecast or "").casefold() == "open"]


class MatchRows:
    """One org's mirror, as the rows the match index is built from."""

    def __init__(self, store: Store, org_id: str) -> None:
        self.store, self.org_id = store, org_id

    def zoho_users(self) -> list[tuple[str, str, str, str]]:
        """(user id, email, full name, status) of every Zoho user."""
        return [tuple(r) for r in self.store.query(
            "SELECT zoho_user_id, email, full_name, status FROM zoho_users WHERE org_id = ?", [self.org_id])]

    def chosen_users(self) -> list[tuple[str, str]]:
        """(our normalised email, Zoho user id) of the effective mapping, an admin's choice included."""
        return [tuple(r) for r in self.store.query(
            "SELECT our_email_normalised, zoho_user_id FROM user_map WHERE org_id = ?", [self.org_id])]

    def accounts(self) -> Iterator[tuple[str, str | None, str | None, str | None, datetime | None]]:
        """(record id, name, type, parent id, last activity)."""
        for record_id, name, account_type, parent_id, last in _rows(
                self.store, f"SELECT record_id, account_name, account_type, parent_account_id, {_ACTIVITY} "
                            "FROM mirror_accounts WHERE org_id = ?", [self.org_id]):
            yield record_id, name, account_type, parent_id, _moment(last)

    def people(self, module: str) -> Iterator[tuple[Any, ...]]:
        """Contacts, or unconverted leads: (record id, full, first, last name, account id, email, last activity)."""
        sql = (f"SELECT record_id, full_name, first_name, last_name, account_id, email, {_ACTIVITY} "
               "FROM mirror_contacts WHERE org_id = ?" if module == CONTACTS else
               f"SELECT record_id, full_name, first_name, last_name, NULL, email, {_ACTIVITY} "
               "FROM mirror_leads WHERE org_id = ? AND converted IS NOT TRUE")
        for record_id, full, first, last, account_id, email, active in _rows(self.store, sql, [self.org_id]):
            yield record_id, full, first, last, account_id, email, _moment(active)

    def open_deals(self) -> Iterator[tuple[Any, ...]]:
        """(record id, name, account id, stage, pipeline, closing date, modified, last activity, contact id)."""
        stages = _open_stages(self.store, self.org_id)
        params: dict[str, Any]
        if stages is None:
            stage_filter, params = "AND stage IS NOT NULL AND NOT lower(stage) LIKE 'closed%'", {"org": self.org_id}
        else:
            stage_filter = "AND stage IN (SELECT unnest($stages::VARCHAR[]))"
            params = {"org": self.org_id, "stages": stages}
        sql = (f"SELECT record_id, deal_name, account_id, stage, pipeline, closing_date, modified_time, {_ACTIVITY}, "
               f"contact_id FROM mirror_deals WHERE org_id = $org AND account_id IS NOT NULL {stage_filter}")
        for *head, last, contact_id in _rows(self.store, sql, params):
            yield *head, _moment(last), contact_id

    def own_numbers(self) -> tuple[str | None, list[tuple[str, str]]]:
        """The org's country code, and the company's own numbers as (raw number, what it is): the org's
        number, then each Zoho user's phone and mobile."""
        org = self.store.query("SELECT country_code, phone FROM mirror_orgs WHERE org_id = ?", [self.org_id])
        numbers: list[tuple[str, str]] = []
        if org and org[0][1]:
            numbers.append((org[0][1], "the org's own number"))
        for name, email, phone, mobile in self.store.query(
                "SELECT full_name, email, phone, mobile FROM zoho_users WHERE org_id = ? ORDER BY zoho_user_id",
                [self.org_id]):
            for raw, kind in ((phone, "phone"), (mobile, "mobile")):
                if raw:
                    numbers.append((raw, f"Zoho user {name or email}'s {kind}"))
        return (org[0][0] if org else None), numbers

    def contact_points(self) -> Iterator[tuple[Any, ...]]:
        """(record id, kind, value, raw value, extension, flag) of every match key."""
        yield from _rows(self.store, "SELECT record_id, kind, value, raw_value, extension, flag "
                                     "FROM mirror_contact_points WHERE org_id = ?", [self.org_id])


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
