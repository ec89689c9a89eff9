"""COQL columns against the schema: lookup paths, comparators per data type, literal types.

Sources: https://www.zoho.com/crm/developer/docs/api/v8/Get-Records-through-COQL-Query.html (v7 full text)
"Field Types and their Comparators" and "Possible Errors", and
https://www.zoho.com/crm/developer/docs/api/v8/COQL-Limitations.html (two relations per path, no
multi-line fields in criteria, no Participants). Everything here raises ``INVALID_QUERY`` except the
hop cap (``LIMIT_EXCEEDED``, as the docs' "more than two joins" error).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from zoho_emulator.engine.errors import ZohoError
from zoho_emulator.engine.query.coql_parser import Literal
from zoho_emulator.model.schema import (
    BIGINT,
    BOOLEAN,
    DATE,
    DATETIME,
    EMAIL,
    INTEGER,
    LOOKUP,
    MODULES,
    MULTIMODULE_LOOKUP,
    MULTISELECT,
    NUMERIC_TYPES,
    OWNERLOOKUP,
    PARTICIPANTS,
    PHONE,
    PICKLIST,
    TEXT,
    TEXTAREA,
    WEBSITE,
    WHAT_ID_MODULES,
    FieldDef,
)

MAX_HOPS = 2
USERS = "users"
# The Users module as a lookup target (``Owner.last_name``); field names per the Users API.
USER_FIELDS: dict[str, FieldDef] = {f.api_name: f for f in (
    FieldDef("id", BIGINT), FieldDef("first_name", TEXT), FieldDef("last_name", TEXT),
    FieldDef("full_name", TEXT), FieldDef("email", EMAIL), FieldDef("status", PICKLIST),
)}

TEXT_LIKE = frozenset({TEXT, EMAIL, PHONE, WEBSITE, PICKLIST})
ORDERED = frozenset(NUMERIC_TYPES | {DATE, DATETIME})
LOOKUPS = frozenset({LOOKUP, OWNERLOOKUP, MULTIMODULE_LOOKUP})
_NULL_OPS = {"is null", "is not null"}
_SET_OPS = {"in", "not in"}
OPERATORS: dict[str, frozenset[str]] = {
    **{t: frozenset({"=", "!=", "like", "not like", *_SET_OPS, *_NULL_OPS}) for t in TEXT_LIKE},
    **{t: frozenset({"=", "!=", ">", ">=", "<", "<=", "between", "not between", *_SET_OPS, *_NULL_OPS})
       for t in ORDERED},
    **{t: frozenset({"=", "!=", *_SET_OPS, *_NULL_OPS}) for t in LOOKUPS},
    BOOLEAN: frozenset({"="}),
    MULTISELECT: frozenset({"=", "!=", *_NULL_OPS}),  # the docs show only '=' with 'a;b' (guessed)
}
AGGREGATE_TYPES: dict[str, frozenset[str]] = {
    "COUNT": frozenset(NUMERIC_TYPES | LOOKUPS | {PICKLIST}),  # "only for number, lookup, and picklist"
    "SUM": frozenset(NUMERIC_TYPES), "AVG": frozenset(NUMERIC_TYPES),
    "MIN": frozenset(NUMERIC_TYPES), "MAX": frozenset(NUMERIC_TYPES),
}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}\Z")
_DIGITS = re.compile(r"\d+\Z")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?\Z")


@dataclass(frozen=True)
class Hop:
    """One relation: follow ``field`` into ``target``; polymorphic hops need ``$se_module == target``."""

    field: str
    target: str
    polymorphic: bool = False


@dataclass(frozen=True)
class FieldPath:
    text: str
    hops: tuple[Hop, ...]
    leaf: FieldDef
    module: str  # the module (or "users") holding the leaf field

    @property
    def joins(self) -> tuple[tuple[Hop, ...], ...]:
        """Every relation prefix, so a query's distinct joins can be counted."""
        return tuple(self.hops[: i + 1] for i in range(len(self.hops)))


def invalid_query(reason: str, **details: Any) -> ZohoError:
    return ZohoError("INVALID_QUERY", reason, details)


def resolve_path(base: str, text: str) -> FieldPath:
    """Resolve ``Account_Name.Parent_Account.Account_Name`` or ``What_Id->Leads.Last_Name``."""
    module, hops, rest = base, [], text
    if "->" in text:
        head, _, rest = text.partition("->")
        fdef = _field(module, head, text)
        target, _, rest = rest.partition(".")
        if fdef.data_type != MULTIMODULE_LOOKUP or target not in WHAT_ID_MODULES or not rest:
            raise invalid_query("invalid multi-module lookup path", column_name=text)
        hops.append(Hop(head, target, polymorphic=True))
        module = target
    names = rest.split(".")
    for name in names[:-1]:
        fdef = _field(module, name, text)
        if fdef.data_type not in (LOOKUP, OWNERLOOKUP) or fdef.lookup_module is None:
            raise invalid_query("only lookup fields can be followed with '.'", column_name=text)
        hops.append(Hop(name, fdef.lookup_module))
        module = fdef.lookup_module
    if len(hops) > MAX_HOPS:
        raise ZohoError("LIMIT_EXCEEDED", "a column can use at most two relations (joins)",
                        {"column_name": text, "limit": MAX_HOPS})
    leaf = _field(module, names[-1], text)
    if leaf.data_type == PARTICIPANTS:
        raise invalid_query("the column's data type is not supported in COQL", column_name=text)
    return FieldPath(text, tuple(hops), leaf, module)


def _field(module: str, name: str, text: str) -> FieldDef:
    fdef = USER_FIELDS.get(name) if module == USERS else MODULES[module].field(name)
    if fdef is None:
        raise invalid_query("invalid column name", column_name=text)
    return fdef


def check_comparator(path: FieldPath, op: str) -> None:
    """Reject a comparator the field's data type does not support (docs' per-type lists)."""
    kind = path.leaf.data_type
    if kind == TEXTAREA:
        raise invalid_query("multi-line fields cannot be used in criteria", column_name=path.text)
    if op not in OPERATORS.get(kind, frozenset()):
        raise invalid_query("invalid operator for the column's data type", column_name=path.text,
                            operator=op, data_type=kind)


def check_aggregate(func: str, path: FieldPath) -> None:
    if path.leaf.data_type not in AGGREGATE_TYPES[func]:
        raise invalid_query(f"{func} is not supported for this data type", column_name=path.text,
                            data_type=path.leaf.data_type)


def coerce(path: FieldPath, op: str, literal: Literal) -> Any:
    """The literal as the Python value stored for this field, or ``INVALID_QUERY``."""
    kind = path.leaf.data_type
    if op in ("like", "not like"):
        return _like_pattern(path, op, literal)
    converters = {
        BOOLEAN: _boolean, DATE: _date, DATETIME: _datetime, MULTISELECT: _multiselect,
        INTEGER: _integer, BIGINT: _integer, LOOKUP: _record_id, OWNERLOOKUP: _record_id,
        MULTIMODULE_LOOKUP: _record_id,
    }
    convert = converters.get(kind, _decimal if kind in NUMERIC_TYPES else _text)
    value = convert(literal, kind)
    if value is None:
        raise invalid_query("the data type of the value is invalid", column_name=path.text,
                            expected_data_type=kind)
    return value


def _text(literal: Literal, kind: str) -> str | None:
    if literal.kind == "string":
        return literal.value
    return literal.value if literal.kind == "word" and kind == PICKLIST else None  # docs' unquoted picklist


def _multiselect(literal: Literal, kind: str) -> frozenset[str] | None:
    if literal.kind != "string":
        return None
    return frozenset(v.strip().casefold() for v in literal.value.split(";") if v.strip())


def _boolean(literal: Literal, kind: str) -> bool | None:
    text = str(literal.value).lower() if literal.kind in ("string", "word") else ""
    return {"true": True, "false": False}.get(text)


def _date(literal: Literal, kind: str) -> date | None:
    return _parse(literal, _DATE, date.fromisoformat)


def _datetime(literal: Literal, kind: str) -> datetime | None:
    return _parse(literal, _DATETIME, datetime.fromisoformat)


def _parse(literal: Literal, pattern: re.Pattern[str], convert: Any) -> Any:
    if literal.kind != "string" or not pattern.match(literal.value):
        return None
    try:
        return convert(literal.value)
    except ValueError:
        return None


def _integer(literal: Literal, kind: str) -> int | None:
    if literal.kind == "number":
        return literal.value if isinstance(literal.value, int) else None
    if literal.kind == "string" and _NUMBER.match(literal.value) and "." not in literal.value:
        return int(literal.value)
    return None


def _decimal(literal: Literal, kind: str) -> float | None:
    if literal.kind == "number":
        return literal.value
    return float(literal.value) if literal.kind == "string" and _NUMBER.match(literal.value) else None


def _record_id(literal: Literal, kind: str) -> str | None:
    """Lookups compare record ids, quoted or bare digits (a name like 'Zylker' is a client mistake)."""
    text = str(literal.value) if literal.kind in ("string", "number") else ""
    return text if _DIGITS.match(text) else None


def _like_pattern(path: FieldPath, op: str, literal: Literal) -> tuple[str, str]:
    """``like``: 'x%', '%x', '%x%' or no wildcard; ``not like`` only '%x%' (docs' valid cases)."""
    if literal.kind != "string":
        raise invalid_query("like needs a quoted pattern", column_name=path.text)
    text = literal.value
    starts, ends = text.startswith("%"), text.endswith("%") and len(text) > 1
    core = text[1 if starts else 0: len(text) - 1 if ends else len(text)]
    shape = {(True, True): "contains", (False, True): "starts_with", (True, False): "ends_with",
             (False, False): "equals"}[(starts, ends)]
    if "%" in core or core == "" or (op == "not like" and shape != "contains"):
        raise invalid_query("unsupported like pattern", column_name=path.text, pattern=text)
    return shape, core.casefold()
