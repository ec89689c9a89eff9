"""Does a mirror equal the emulator's data? Field by field, typed columns included, for tests and benchmarks.

The expected side is computed from the emulator's in-process model (Python values: aware datetimes,
dates, floats, lookup ids), independently of the mirror's own conversion from COQL JSON and Bulk CSV,
so a conversion mistake on either path shows up as a difference.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from sync_engine.records.streams import STREAMS, FieldSpec, Stream
from sync_engine.store.mirror.tables import MirrorTables
from zoho_emulator.engine.state import EmulatorState

FLOATS = frozenset({"double", "currency", "percent"})


def expected_value(data_type: str, value: Any) -> Any:
    """An emulator model value as the mirror should hold it."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(microsecond=0).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [str(v) for v in value]
    if data_type in FLOATS:
        return float(value)
    return value if isinstance(value, (bool, int)) and data_type in ("boolean", "integer") else str(value)


def expected_records(state: EmulatorState, stream: Stream, fields: Iterable[FieldSpec]) -> dict[str, dict[str, Any]]:
    specs = list(fields)
    with state.data.lock:
        rows = list(state.data.table(stream.module).rows.values())
    out = {}
    for row in rows:
        if stream.hides_converted and row.get("Converted__s"):
            continue
        out[row["id"]] = {"id": row["id"], **{f.api_name: expected_value(f.data_type, row.get(f.api_name))
                                               for f in specs}}
    return out


def _typed(data_type: str, value: Any) -> Any:
    if value is None:
        return None
    if data_type == "datetime":
        return datetime.fromisoformat(value)
    if data_type == "date":
        return date.fromisoformat(value)
    return value


def differences(tables: MirrorTables, org_id: str, state: EmulatorState, *, limit: int = 20,
                ids_only: bool = False) -> list[str]:
    """Human-readable differences between mirror and emulator (empty when equal); at most ``limit``."""
    found: list[str] = []
    states = tables.module_states(org_id)
    for stream in STREAMS:
        module_state = states.get(stream.module)
        if module_state is None:
            found.append(f"{stream.module}: never mirrored")
            continue
        expected = expected_records(state, stream, module_state.fields)
        mirrored = tables.records(org_id, stream.module)
        for record_id in sorted(expected.keys() - mirrored.keys())[:limit]:
            found.append(f"{stream.module} {record_id}: missing from the mirror")
        for record_id in sorted(mirrored.keys() - expected.keys())[:limit]:
            found.append(f"{stream.module} {record_id}: in the mirror, not in Zoho")
        if not ids_only:
            found += _field_differences(tables, org_id, stream, expected, mirrored, limit)
        if len(found) >= limit:
            break
    return found[:limit]


def _field_differences(tables: MirrorTables, org_id: str, stream: Stream, expected: dict[str, dict[str, Any]],
                       mirrored: dict[str, dict[str, Any]], limit: int) -> list[str]:
    found = []
    typed = tables.typed_rows(org_id, stream.module)
    for record_id in sorted(expected.keys() & mirrored.keys()):
        want, got = expected[record_id], mirrored[record_id]
        for name, value in want.items():
            if got.get(name) != value:
                found.append(f"{stream.module} {record_id}.{name}: mirror {got.get(name)!r}, Zoho {value!r}")
        for column in stream.columns:
            value = _typed(column.field.data_type, want.get(column.field.api_name))
            if typed[record_id][column.name] != value:
                found.append(f"{stream.module} {record_id} column {column.name}: "
                             f"{typed[record_id][column.name]!r}, Zoho {value!r}")
        if len(found) >= limit:
            break
    return found
