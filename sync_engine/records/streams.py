"""What the mirror pulls: one small declaration per Zoho module, and one canonical form for its values.

A :class:`Stream` says which module, which shadow table, and which fields get typed columns there
(what matching and the dashboard query). Everything else the org's field metadata lists is pulled
too (up to Zoho's 50 fields per call) and kept in the row's ``raw_record`` JSON, custom fields included.
The loops that pull (COQL, Bulk Read) and the one that writes are written once, over these declarations.

The same record reaches us three ways, and each spells values differently: COQL JSON (lookups as
``{"name", "id"}``, datetimes in the token user's zone), Bulk Read CSV (every value a string, lookups as
bare ids, empty cells for nulls) and, in tests, the emulator's Python objects. :func:`canonical_value`
turns all of them into one form, so a record compares equal however it arrived:

========================  =====================================================
lookups, owners           the target's id as a string
datetime                  ISO 8601 in UTC, seconds (``2025-06-02T09:30:00+00:00``)
date                      ``YYYY-MM-DD``
boolean                   ``true`` / ``false``
integer                   int; double, currency, percent: float
multi-select              list of strings
empty ("", [], null)      null (a CSV cannot tell them apart, so neither do we)
========================  =====================================================
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sync_engine.records.contact_points import COUNTRY_FIELDS

MAX_FIELDS = 50  # Zoho's cap on fields per list call and columns per COQL query
POINT_TYPES = frozenset({"email", "phone", "website"})  # the field types match keys are derived from
LOOKUP_TYPES = frozenset({"lookup", "ownerlookup"})
SQL_TYPES = {"datetime": "TIMESTAMPTZ", "date": "DATE", "boolean": "BOOLEAN", "integer": "BIGINT",
             "double": "DOUBLE", "currency": "DOUBLE", "percent": "DOUBLE"}
# Field types COQL and Bulk Read both export as plain values; subforms, files, multi-select lookups,
# formulas and the like are left out of the mirror.
SUPPORTED_TYPES = frozenset({"text", "textarea", "email", "phone", "website", "picklist", "multiselectpicklist",
                             "integer", "bigint", "double", "currency", "percent", "boolean", "date", "datetime",
                             "lookup", "ownerlookup", "autonumber"})
# Field API names COQL only accepts quoted (Kaizen #171); none of the standard fields, but custom ones may be.
COQL_RESERVED = frozenset({"select", "from", "where", "and", "or", "not", "in", "like", "between", "is", "null",
                           "group", "order", "by", "asc", "desc", "limit", "offset", "as", "external", "all",
                           "any", "case", "distinct", "else", "end", "exists", "having", "join", "on", "table",
                           "then", "union", "values", "when", "true", "false"})


@dataclass(frozen=True)
class FieldSpec:
    api_name: str
    data_type: str  # Zoho's field metadata data_type


@dataclass(frozen=True)
class Column:
    """A typed column of a shadow table, holding one Zoho field."""

    name: str
    field: FieldSpec

    @property
    def sql_type(self) -> str:
        return SQL_TYPES.get(self.field.data_type, "VARCHAR")


@dataclass(frozen=True)
class Stream:
    module: str
    table: str
    columns: tuple[Column, ...]
    hides_converted: bool = False  # Leads: converted leads are not mirrored (the contact they became is)
    # read before any other untyped field when the org has them: phone numbers are read in these countries
    country_fields: tuple[str, ...] = ()

    @property
    def base_fields(self) -> tuple[FieldSpec, ...]:
        return tuple(c.field for c in self.columns)

    def fields_from_metadata(self, metadata: Iterable[Mapping[str, Any]]) -> tuple[FieldSpec, ...]:
        """The typed fields first, then the country fields, then every other supported field; at most 50 in all."""
        chosen = {f.api_name: f for f in self.base_fields}
        metadata = list(metadata)
        countries = [m for m in metadata if str(m.get("api_name") or "") in self.country_fields]
        for meta in countries + metadata:
            name, kind = str(meta.get("api_name") or ""), str(meta.get("data_type") or "")
            if name and name != "id" and kind in SUPPORTED_TYPES and name not in chosen:
                chosen[name] = FieldSpec(name, kind)
        return tuple(chosen.values())[:MAX_FIELDS]

    def is_hidden(self, record: Mapping[str, Any]) -> bool:
        """A record the mirror must not hold (a converted lead)."""
        return self.hides_converted and record.get("Converted__s") is True

    def typed_values(self, record: Mapping[str, Any]) -> list[Any]:
        """The record's typed column values, in column order, as DuckDB takes them."""
        return [_sql_value(c.field.data_type, record.get(c.field.api_name)) for c in self.columns]


def _col(name: str, api_name: str, data_type: str = "text") -> Column:
    return Column(name, FieldSpec(api_name, data_type))


_AUDIT = (_col("owner_id", "Owner", "ownerlookup"), _col("created_time", "Created_Time", "datetime"),
          _col("modified_time", "Modified_Time", "datetime"))
_PERSON = (_col("first_name", "First_Name"), _col("last_name", "Last_Name"), _col("full_name", "Full_Name"),
           _col("email", "Email", "email"), _col("secondary_email", "Secondary_Email", "email"),
           _col("phone", "Phone", "phone"), _col("mobile", "Mobile", "phone"))

CONTACTS = Stream("Contacts", "mirror_contacts", _PERSON + (
    _col("home_phone", "Home_Phone", "phone"), _col("other_phone", "Other_Phone", "phone"),
    _col("asst_phone", "Asst_Phone", "phone"), _col("account_id", "Account_Name", "lookup"),
    _col("title", "Title")) + _AUDIT, country_fields=COUNTRY_FIELDS["Contacts"])
LEADS = Stream("Leads", "mirror_leads", _PERSON + (
    _col("company", "Company"), _col("website", "Website", "website"), _col("lead_status", "Lead_Status", "picklist"),
    _col("converted", "Converted__s", "boolean")) + _AUDIT, hides_converted=True,
    country_fields=COUNTRY_FIELDS["Leads"])
ACCOUNTS = Stream("Accounts", "mirror_accounts", (
    _col("account_name", "Account_Name"), _col("website", "Website", "website"), _col("phone", "Phone", "phone"),
    _col("parent_account_id", "Parent_Account", "lookup"), _col("account_type", "Account_Type", "picklist"),
    _col("industry", "Industry", "picklist")) + _AUDIT, country_fields=COUNTRY_FIELDS["Accounts"])
DEALS = Stream("Deals", "mirror_deals", (
    _col("deal_name", "Deal_Name"), _col("stage", "Stage", "picklist"), _col("pipeline", "Pipeline", "picklist"),
    _col("amount", "Amount", "currency"), _col("closing_date", "Closing_Date", "date"),
    _col("probability", "Probability", "percent"), _col("account_id", "Account_Name", "lookup"),
    _col("contact_id", "Contact_Name", "lookup")) + _AUDIT)

STREAMS: tuple[Stream, ...] = (CONTACTS, LEADS, ACCOUNTS, DEALS)
STREAMS_BY_MODULE = {s.module: s for s in STREAMS}


# -- canonical values ---------------------------------------------------------------------------------
def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _lookup(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("id")
    return None if _empty(value) else str(value)


def _datetime(value: Any) -> str:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def _date(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return date.fromisoformat(str(value).strip()[:10]).isoformat()


def _boolean(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).strip().lower() == "true"


def _integer(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else int(float(str(value)))


def _multiselect(value: Any) -> list[str] | None:
    items = value if isinstance(value, list) else str(value).split(";")
    kept = [str(item) for item in items if not _empty(item)]
    return kept or None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "lookup": _lookup, "ownerlookup": _lookup, "datetime": _datetime, "date": _date, "boolean": _boolean,
    "integer": _integer, "double": float, "currency": float, "percent": float, "multiselectpicklist": _multiselect,
    "bigint": _text,
}


def canonical_value(data_type: str, value: Any) -> Any:
    """One field's value in the mirror's canonical form, from JSON, CSV text or Python objects."""
    if _empty(value):
        return None
    return _CONVERTERS.get(data_type, _text)(value)


def converter(fields: Sequence[FieldSpec]) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """A function turning one source row (COQL JSON or Bulk CSV) into a canonical record with ``id``."""
    plan = [(f.api_name, _CONVERTERS.get(f.data_type, _text)) for f in fields]

    def convert(row: Mapping[str, Any]) -> dict[str, Any]:
        record: dict[str, Any] = {"id": str(row["id"])}
        for name, to_canonical in plan:
            value = row.get(name)
            record[name] = None if _empty(value) else to_canonical(value)
        return record
    return convert


def _sql_value(data_type: str, value: Any) -> Any:
    if value is None:
        return None
    if data_type == "datetime":
        return datetime.fromisoformat(value)
    if data_type == "date":
        return date.fromisoformat(value)
    return value


def coql_columns(fields: Sequence[FieldSpec]) -> str:
    """The select list of a COQL query; reserved words quoted, as Zoho requires."""
    return ", ".join(f"'{f.api_name}'" if f.api_name.lower() in COQL_RESERVED else f.api_name for f in fields)


def modified_time(record: Mapping[str, Any]) -> datetime | None:
    value = record.get("Modified_Time")
    return datetime.fromisoformat(value) if value else None
