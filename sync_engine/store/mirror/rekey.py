"""Migrations of the mirror for matching that reads data as customers write it (the company's own lines,
addresses parsed, numbers read in each record's country).

A mirror built before holds match keys derived the old way: ``Ana Ruiz <ana@x.com>`` kept as a broken
key, a US number on a contact of a UK org read as British. Every record's full text is in its
``raw_record``, so the keys are derived again from it here, without pulling anything from Zoho. The
module's field list gains the country fields it lacked, so that changed records bring them from now
on; a record whose country was never pulled keeps being read in the org's country until it changes.
"""
from __future__ import annotations

import json
from typing import Any

import duckdb

from sync_engine.records.contact_points import COUNTRY_FIELDS, ContactPoint, record_points, record_regions, region_code
from sync_engine.records.streams import MAX_FIELDS, POINT_TYPES, STREAMS, FieldSpec, Stream

OWN_LINES = """
ALTER TABLE zoho_users ADD COLUMN phone VARCHAR;     -- the users' own lines: calls to them are internal
ALTER TABLE zoho_users ADD COLUMN mobile VARCHAR;
ALTER TABLE mirror_orgs ADD COLUMN phone VARCHAR;    -- the org's own number (GET /org)
ALTER TABLE mirror_modules ADD COLUMN skips_converted BOOLEAN;  -- Leads: read with Converted__s = false
"""
PAGE_ROWS = 20_000


def _with_countries(stream: Stream, fields: list[FieldSpec]) -> list[FieldSpec]:
    """The field list with the stream's country fields, within Zoho's 50 (the last untyped fields give way)."""
    names = {f.api_name for f in fields}
    missing = [FieldSpec(name, "text") for name in stream.country_fields if name not in names]
    if not missing:
        return fields
    base = {f.api_name for f in stream.base_fields}
    kept = list(fields)
    while len(kept) + len(missing) > MAX_FIELDS:
        last_extra = max(i for i, f in enumerate(kept) if f.api_name not in base)
        kept.pop(last_extra)
    return kept + missing


def _rekey_module(conn: duckdb.DuckDBPyConnection, org_id: str, region: str | None, stream: Stream,
                  fields: list[FieldSpec]) -> None:
    from sync_engine.store.mirror.tables import insert_points

    pairs = [(f.api_name, f.data_type) for f in fields if f.data_type in POINT_TYPES]
    conn.execute("DELETE FROM mirror_contact_points WHERE org_id = ? AND module = ?", [org_id, stream.module])
    last = ""
    while True:
        rows = conn.execute(f"SELECT record_id, raw_record FROM {stream.table} WHERE org_id = ? AND record_id > ? "
                            f"ORDER BY record_id LIMIT {PAGE_ROWS}", [org_id, last]).fetchall()
        if not rows:
            return
        points: list[tuple[str, ContactPoint]] = []
        for record_id, raw in rows:
            record: dict[str, Any] = json.loads(raw)
            regions = record_regions(record, stream.module, region)
            points.extend((record_id, p) for p in record_points(record, pairs, regions))
        insert_points(conn, org_id, stream.module, points)
        last = rows[-1][0]


def rekey_mirror(conn: duckdb.DuckDBPyConnection) -> None:
    """Derive every org's match keys again from the stored records; add the country fields to the field lists."""
    orgs = {org_id: region_code(country) for org_id, country in
            conn.execute("SELECT org_id, country_code FROM mirror_orgs").fetchall()}
    for (org_id,) in conn.execute("SELECT DISTINCT org_id FROM mirror_contact_points").fetchall():
        orgs.setdefault(org_id, None)
    states = {(org_id, module): [FieldSpec(*pair) for pair in json.loads(fields)] for org_id, module, fields in
              conn.execute("SELECT org_id, module, fields FROM mirror_modules").fetchall()}
    for (org_id, module), fields in states.items():
        stream = next((s for s in STREAMS if s.module == module), None)
        if stream is not None and module in COUNTRY_FIELDS and fields:
            extended = _with_countries(stream, fields)
            conn.execute("UPDATE mirror_modules SET fields = ? WHERE org_id = ? AND module = ?",
                         [json.dumps([[f.api_name, f.data_type] for f in extended]), org_id, module])
    for org_id, region in orgs.items():
        for stream in STREAMS:
            fields = states.get((org_id, stream.module)) or list(stream.base_fields)
            _rekey_module(conn, org_id, region, stream, fields)
