"""The mirror's tables: shadow records, their match keys, deal stages and the sync state that covers them.

Every write that moves a cursor goes through :meth:`MirrorTables.apply`, which stores the records,
replaces their match keys, removes deleted or converted records and saves the module's state in one
transaction. That is the whole crash-safety argument: after a crash the state row describes exactly
the rows that are there, so the next run neither skips nor re-reads anything it committed.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any

import duckdb

from sync_engine.records.contact_points import ContactPoint
from sync_engine.records.streams import STREAMS_BY_MODULE, FieldSpec, Stream
from sync_engine.store.columns import insert_columns

if TYPE_CHECKING:  # db imports the migrations, which import the store's DDL
    from sync_engine.store.db import Store


@dataclass(frozen=True)
class OrgMirrorState:
    org_id: str
    country_code: str | None = None
    time_zone: str | None = None
    currency: str | None = None
    initial_started_at: datetime | None = None
    initial_finished_at: datetime | None = None
    users_refreshed_at: datetime | None = None
    settings_refreshed_at: datetime | None = None
    phone: str | None = None  # the org's own number (GET /org): a call to it is internal


@dataclass(frozen=True)
class ModuleState:
    org_id: str
    module: str
    fields: tuple[FieldSpec, ...] = ()
    method: str | None = None  # "bulk" | "coql"
    method_reason: str | None = None
    expected_count: int | None = None
    records_done: int = 0
    last_id: str | None = None
    bulk_job_id: str | None = None
    bulk_page: int = 1
    bulk_page_token: str | None = None
    bulk_rows_done: int = 0
    initial_started_at: datetime | None = None
    initial_finished_at: datetime | None = None
    changes_cursor: datetime | None = None
    changes_polled_at: datetime | None = None
    deletions_cursor: datetime | None = None
    deletions_polled_at: datetime | None = None
    skips_converted: bool | None = None  # Leads: None or True reads with Converted__s = false; False reads all

    @property
    def planned(self) -> bool:
        return self.method is not None

    @property
    def finished(self) -> bool:
        return self.initial_finished_at is not None


@dataclass(frozen=True)
class PointHit:
    """A record found by one of its match keys."""

    module: str
    record_id: str
    field: str
    raw_value: str
    extension: str | None
    flag: str | None


@dataclass(frozen=True)
class DealStage:
    pipeline_id: str
    pipeline: str
    is_default: bool
    stage: str
    display_value: str
    sequence_number: int | None
    forecast_type: str | None
    forecast_category: str | None
    probability: float | None


@dataclass
class Batch:
    """One transaction's worth of changes to one module, and the state that covers them."""

    state: ModuleState
    records: list[dict[str, Any]] = field(default_factory=list)  # canonical records to insert or replace
    points: list[tuple[str, ContactPoint]] = field(default_factory=list)  # (record id, key) for those records
    removed: list[str] = field(default_factory=list)  # ids of deleted or converted records


_MODULE_COLUMNS = [f.name for f in fields(ModuleState)]
_ORG_COLUMNS = [f.name for f in fields(OrgMirrorState)]


class MirrorTables:
    def __init__(self, store: Store) -> None:
        self._store = store

    # -- state -------------------------------------------------------------------------------------
    def org_state(self, org_id: str) -> OrgMirrorState:
        rows = self._store.query(f"SELECT {', '.join(_ORG_COLUMNS)} FROM mirror_orgs WHERE org_id = ?", [org_id])
        return OrgMirrorState(*rows[0]) if rows else OrgMirrorState(org_id)

    def save_org_state(self, state: OrgMirrorState) -> None:
        with self._store.transaction() as cursor:
            _upsert(cursor, "mirror_orgs", _ORG_COLUMNS, [getattr(state, c) for c in _ORG_COLUMNS])

    def module_states(self, org_id: str) -> dict[str, ModuleState]:
        rows = self._store.query(f"SELECT {', '.join(_MODULE_COLUMNS)} FROM mirror_modules WHERE org_id = ?",
                                 [org_id])
        states = {}
        for row in rows:
            values = dict(zip(_MODULE_COLUMNS, row, strict=True))
            values["fields"] = tuple(FieldSpec(*pair) for pair in json.loads(values["fields"]))
            states[values["module"]] = ModuleState(**values)
        return states

    def save_module_state(self, state: ModuleState) -> None:
        with self._store.transaction() as cursor:
            _save_module_state(cursor, state)

    # -- records -----------------------------------------------------------------------------------
    def apply(self, stream: Stream, batch: Batch, synced_at: datetime) -> None:
        """Replace the batch's records and their keys, drop the removed ones, save the state: one transaction."""
        org_id = batch.state.org_id
        ids = [r["id"] for r in batch.records] + list(batch.removed)
        with self._store.transaction() as cursor:
            if ids:
                params = {"org": org_id, "ids": ids}
                cursor.execute(f"DELETE FROM {stream.table} WHERE org_id = $org "
                               "AND record_id IN (SELECT unnest($ids::VARCHAR[]))", params)
                cursor.execute("DELETE FROM mirror_contact_points WHERE org_id = $org AND module = $module "
                               "AND record_id IN (SELECT unnest($ids::VARCHAR[]))", {**params, "module": stream.module})
            _insert_records(cursor, stream, org_id, batch.records, synced_at)
            insert_points(cursor, org_id, stream.module, batch.points)
            _save_module_state(cursor, batch.state)

    def mirrored(self, org_id: str, stream: Stream, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The mirrored copies of those of ``ids`` the mirror holds, id -> canonical record."""
        if not ids:
            return {}
        rows = self._store.query(f"SELECT record_id, raw_record FROM {stream.table} WHERE org_id = $org "
                                 "AND record_id IN (SELECT unnest($ids::VARCHAR[]))", {"org": org_id, "ids": list(ids)})
        return {record_id: json.loads(raw) for record_id, raw in rows}

    def records(self, org_id: str, module: str) -> dict[str, dict[str, Any]]:
        """Every mirrored record of a module, id -> canonical record (for checks and small orgs)."""
        stream = STREAMS_BY_MODULE[module]
        rows = self._store.query(f"SELECT record_id, raw_record FROM {stream.table} WHERE org_id = ?", [org_id])
        return {record_id: json.loads(raw) for record_id, raw in rows}

    def typed_rows(self, org_id: str, module: str) -> dict[str, dict[str, Any]]:
        """Every record's typed columns, id -> {column: value}."""
        stream = STREAMS_BY_MODULE[module]
        names = [c.name for c in stream.columns]
        rows = self._store.query(f"SELECT record_id, {', '.join(names)} FROM {stream.table} WHERE org_id = ?",
                                 [org_id])
        return {row[0]: dict(zip(names, row[1:], strict=True)) for row in rows}

    def count(self, org_id: str, module: str) -> int:
        table = STREAMS_BY_MODULE[module].table
        return int(self._store.query(f"SELECT count(*) FROM {table} WHERE org_id = ?", [org_id])[0][0])

    # -- match keys --------------------------------------------------------------------------------
    def find(self, org_id: str, kind: str, value: str) -> list[PointHit]:
        """Records holding this normalised email, E.164 phone or domain."""
        rows = self._store.query(
            "SELECT module, record_id, field, raw_value, extension, flag FROM mirror_contact_points "
            "WHERE org_id = ? AND kind = ? AND value = ? ORDER BY module, record_id, field", [org_id, kind, value])
        return [PointHit(*row) for row in rows]

    def accounts_for_domain(self, org_id: str, domain: str) -> list[tuple[str, int]]:
        """Accounts a company domain points at: by their Website, or by their contacts' email domains.

        Returns (account id, evidence) pairs, most evidence first; a Website match counts as 1,000
        contacts, because an admin typed it for that account.
        """
        rows = self._store.query("""
            WITH hits AS (
                SELECT p.record_id AS account_id, 1000 AS weight FROM mirror_contact_points p
                WHERE p.org_id = $org AND p.kind = 'domain' AND p.value = $domain AND p.module = 'Accounts'
                UNION ALL
                SELECT c.account_id, 1 FROM mirror_contact_points p
                JOIN mirror_contacts c ON c.org_id = p.org_id AND c.record_id = p.record_id
                WHERE p.org_id = $org AND p.kind = 'domain' AND p.value = $domain AND p.module = 'Contacts'
                  AND c.account_id IS NOT NULL)
            SELECT account_id, sum(weight)::BIGINT FROM hits GROUP BY account_id ORDER BY 2 DESC, 1""",
            {"org": org_id, "domain": domain})
        return [(account_id, int(weight)) for account_id, weight in rows]

    # -- deal stages -------------------------------------------------------------------------------
    def replace_deal_stages(self, org_id: str, stages: Sequence[DealStage], synced_at: datetime) -> None:
        with self._store.transaction() as cursor:
            cursor.execute("DELETE FROM mirror_deal_stages WHERE org_id = ?", [org_id])
            for s in stages:
                cursor.execute("INSERT INTO mirror_deal_stages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               [org_id, s.pipeline_id, s.pipeline, s.is_default, s.stage, s.display_value,
                                s.sequence_number, s.forecast_type, s.forecast_category, s.probability, synced_at])

    def deal_stages(self, org_id: str) -> list[DealStage]:
        rows = self._store.query(
            "SELECT pipeline_id, pipeline, is_default, stage, display_value, sequence_number, forecast_type, "
            "forecast_category, probability FROM mirror_deal_stages WHERE org_id = ? "
            "ORDER BY is_default DESC, pipeline, sequence_number", [org_id])
        return [DealStage(*row) for row in rows]


def _upsert(cursor: duckdb.DuckDBPyConnection, table: str, columns: list[str], values: list[Any]) -> None:
    keys = {"mirror_orgs": "org_id", "mirror_modules": "org_id, module"}[table]
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in keys.split(", "))
    cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
                   f"ON CONFLICT ({keys}) DO UPDATE SET {updates}", values)


def _save_module_state(cursor: duckdb.DuckDBPyConnection, state: ModuleState) -> None:
    values = [getattr(state, c) for c in _MODULE_COLUMNS]
    values[_MODULE_COLUMNS.index("fields")] = json.dumps([[f.api_name, f.data_type] for f in state.fields])
    _upsert(cursor, "mirror_modules", _MODULE_COLUMNS, values)


def _insert_records(cursor: duckdb.DuckDBPyConnection, stream: Stream, org_id: str,
                    records: Sequence[dict[str, Any]], synced_at: datetime) -> None:
    if not records:
        return
    typed = [stream.typed_values(r) for r in records]
    columns: dict[str, tuple[str, list[Any]]] = {
        "org_id": ("VARCHAR", [org_id] * len(records)),
        "record_id": ("VARCHAR", [r["id"] for r in records]),
        "raw_record": ("VARCHAR", [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in records]),
        "synced_at": ("TIMESTAMPTZ", [synced_at] * len(records))}
    for index, column in enumerate(stream.columns):
        columns[column.name] = (column.sql_type, [row[index] for row in typed])
    insert_columns(cursor, stream.table, columns)


def insert_points(cursor: duckdb.DuckDBPyConnection, org_id: str, module: str,
                   points: Sequence[tuple[str, ContactPoint]]) -> None:
    if not points:
        return
    insert_columns(cursor, "mirror_contact_points", {
        "org_id": ("VARCHAR", [org_id] * len(points)),
        "kind": ("VARCHAR", [p.kind for _, p in points]),
        "value": ("VARCHAR", [p.value for _, p in points]),
        "module": ("VARCHAR", [module] * len(points)),
        "record_id": ("VARCHAR", [record_id for record_id, _ in points]),
        "field": ("VARCHAR", [p.field for _, p in points]),
        "raw_value": ("VARCHAR", [p.raw for _, p in points]),
        "extension": ("VARCHAR", [p.extension for _, p in points]),
        "flag": ("VARCHAR", [p.flag for _, p in points])})
