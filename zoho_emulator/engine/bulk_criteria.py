"""Bulk Read's JSON criteria and field paths (zoho-api.md §5), compiled to predicates over records.

Error codes follow github.com/zoho/crm-oas ``v8.0/bulk_read/bulk_read.yaml``; an empty value never matches a
positive comparator and always matches a negative one, and text comparisons ignore case (guessed).
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from zoho_emulator.engine.errors import ZohoError
from zoho_emulator.engine.render import iso
from zoho_emulator.model import schema as sc
from zoho_emulator.model.org import OrgData
from zoho_emulator.model.schema import MODULES, NUMERIC_TYPES, STRING_TYPES, FieldDef

MAX_CONDITIONS = 25  # CRITERIA_LIMIT_EXCEEDED max_limit in the OAS
MAX_IN_VALUES = 200  # VALUE_LIMIT_EXCEEDED_IN_CRITERIA max_limit in the OAS
EMPTY = "${EMPTY}"
TEXT_OPS = frozenset({"equal", "not_equal", "contains", "not_contains", "starts_with", "ends_with", "in", "not_in"})
ORDER_OPS = frozenset({"equal", "not_equal", "less_than", "less_equal", "greater_than", "greater_equal",
                       "between", "not_between"})
LOOKUP_OPS = frozenset({"equal", "not_equal", "in", "not_in"})
TEXTUAL = STRING_TYPES | {sc.MULTISELECT}
LOOKUPS = frozenset({sc.LOOKUP, sc.OWNERLOOKUP, sc.MULTIMODULE_LOOKUP})
OPS_BY_TYPE: dict[str, frozenset[str]] = {  # text: the string ones; numbers and dates: the ordered ones
    **{t: TEXT_OPS for t in TEXTUAL}, **{t: ORDER_OPS | {"in", "not_in"} for t in NUMERIC_TYPES},
    sc.DATE: ORDER_OPS, sc.DATETIME: ORDER_OPS, sc.BOOLEAN: frozenset({"equal"}), **{t: LOOKUP_OPS for t in LOOKUPS},
}
ALL_OPS = frozenset().union(*OPS_BY_TYPE.values())
NEGATED = {"not_equal": "equal", "not_in": "in", "not_contains": "contains", "not_between": "between"}
LIST_OPS = frozenset({"in", "not_in", "between", "not_between"})
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}\Z")  # no millis, offset required

Record = dict[str, Any]
Getter = Callable[[Record], Any]
Predicate = Callable[[Record], bool]



# -- fields -----------------------------------------------------------------------------------------
def resolve_field(data: OrgData, module: str, name: str) -> tuple[FieldDef, Getter] | None:
    """A field of ``module``, or ``Lookup.Field``: a field of the record the lookup points at."""
    base_name, _, sub = name.partition(".")
    base = MODULES[module].field(base_name)
    if base is None:
        return None
    if not sub:
        return base, lambda r: r.get(base_name)
    target_module = base.lookup_module or ""
    if base.data_type != sc.LOOKUP or target_module not in MODULES:
        return None
    target = MODULES[target_module].field(sub)
    if target is None:
        return None

    def through(record: Record) -> Any:
        linked = data.get(target_module, record[base_name]) if record.get(base_name) else None
        return linked.get(sub) if linked else None
    return target, through


def cell(fd: FieldDef, value: Any, tz: Any) -> str:
    """One CSV cell: lookups as ids, datetimes ISO 8601 in ``tz`` without millis, booleans lower-case."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, datetime):
        return iso(value, tz)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if fd.data_type == sc.MULTISELECT and isinstance(value, list):
        return ";".join(map(str, value))  # separator guessed
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


# -- criteria ---------------------------------------------------------------------------------------
def compile_criteria(data: OrgData, module: str, node: Any) -> Predicate:
    """Check Bulk Read's JSON criteria against the module's fields and turn it into a predicate."""
    return _compile(data, module, node, [0])


def _invalid_criteria(node: Any) -> ZohoError:
    return ZohoError("INVALID_CRITERIA", "the criteria is not valid",
                     {"criteria": node if isinstance(node, dict) else {}})


def _compile(data: OrgData, module: str, node: Any, count: list[int]) -> Predicate:
    if not isinstance(node, dict):
        raise _invalid_criteria(node)
    if "group" in node and "field" in node:
        raise ZohoError("AMBIGUOUS_CRITERIA", "a criteria object holds both a group and a field",
                        {"api_name": str((node.get("field") or {}).get("api_name", ""))})
    if "field" in node:
        return _leaf(data, module, node, count)
    group, operator = node.get("group"), node.get("group_operator")
    if not isinstance(group, list) or not group:
        raise _invalid_criteria(node)
    if operator is None and len(group) > 1:
        raise ZohoError("AMBIGUOUS_GROUP_IN_CRITERIA", "a group of several conditions needs a group_operator",
                        {"group": group})
    operator = "and" if operator is None else operator
    if not isinstance(operator, str) or operator.lower() not in ("and", "or"):
        raise ZohoError("GROUP_OPERATOR_NOT_SUPPORTED", "the group operator is not supported",
                        {"supported": ["and", "or"]})
    parts = [_compile(data, module, child, count) for child in group]
    if operator.lower() == "and":
        return lambda r: all(p(r) for p in parts)
    return lambda r: any(p(r) for p in parts)


def _leaf(data: OrgData, module: str, node: dict[str, Any], count: list[int]) -> Predicate:
    field_ref, comparator, value = node.get("field"), node.get("comparator"), node.get("value")
    name = field_ref.get("api_name") if isinstance(field_ref, dict) else None
    if not isinstance(name, str) or not name or not isinstance(comparator, str) or "value" not in node:
        raise _invalid_criteria(node)
    if node.get("type", "value") != "value":
        raise ZohoError("INVALID_DATA", "invalid data", {"api_name": "type", "supported_values": ["value"]})
    resolved = resolve_field(data, module, name)
    if resolved is None:
        raise ZohoError("FIELD_IN_CRITERIA_NOT_AVAILABLE", "the field given in the criteria is not available",
                        {"api_name": name})
    fd, get = resolved
    if comparator not in ALL_OPS:
        raise ZohoError("INVALID_DATA", "invalid data", {"api_name": "comparator", "supported_values": sorted(ALL_OPS)})
    where = {"api_name": name, "comparator": comparator, "type": fd.data_type, "value": value}
    allowed = OPS_BY_TYPE.get(fd.data_type)
    if allowed is None:
        raise ZohoError("FIELD_IN_CRITERIA_NOT_SUPPORTED", "the field cannot be used in criteria", where)
    if comparator not in allowed:
        raise ZohoError("FIELD_COMPARATOR_IN_CRITERIA_NOT_SUPPORTED",
                        "the comparator is not supported for the field's type", where)
    count[0] += 1
    if count[0] > MAX_CONDITIONS:
        raise ZohoError("CRITERIA_LIMIT_EXCEEDED", "too many conditions in the criteria", {"max_limit": MAX_CONDITIONS})
    if value == EMPTY:
        if comparator not in ("equal", "not_equal"):
            raise ZohoError("COMPARATOR_AND_VALUE_IN_CRITERIA_NOT_COMPATIBLE",
                            "${EMPTY} works only with equal and not_equal", where)
        wanted = comparator == "equal"
        return lambda r: (not _items(get(r))) is wanted
    test = _tester(NEGATED.get(comparator, comparator), _values(fd, comparator, value, where))
    negate, norm = comparator in NEGATED, _normaliser(fd)
    return lambda r: any(test(norm(item)) for item in _items(get(r))) is not negate


def _values(fd: FieldDef, comparator: str, value: Any, where: dict[str, Any]) -> list[Any]:
    mismatch = ZohoError("COMPARATOR_AND_VALUE_IN_CRITERIA_NOT_COMPATIBLE",
                         "the value does not suit the comparator", where)
    if comparator in LIST_OPS or (isinstance(value, list) and comparator in ("equal", "not_equal")):
        if not isinstance(value, list) or not value:
            raise mismatch
        if comparator in ("between", "not_between") and len(value) != 2:
            raise mismatch
        if len(value) > MAX_IN_VALUES:
            raise ZohoError("VALUE_LIMIT_EXCEEDED_IN_CRITERIA", "too many values in the criteria",
                            {"max_limit": MAX_IN_VALUES})
        return [_parse(fd, v, where) for v in value]
    if isinstance(value, (list, dict)) and fd.data_type not in LOOKUPS:
        raise mismatch
    return [_parse(fd, value, where)]


def _parse(fd: FieldDef, value: Any, where: dict[str, Any]) -> Any:
    """A criteria value as the comparable Python value of the field's type, else INVALID_DATA."""
    kind, bad = fd.data_type, ZohoError("INVALID_DATA", "invalid data", where)
    if kind == sc.BOOLEAN:
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return value == "true"
        raise bad
    if isinstance(value, bool):
        raise bad
    if kind in NUMERIC_TYPES:
        try:
            number = Decimal(str(value)) if isinstance(value, (int, float, str)) else None
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise bad
        return number
    if kind in (sc.DATE, sc.DATETIME):
        pattern, parse = (_DATE, date.fromisoformat) if kind == sc.DATE else (_DATETIME, datetime.fromisoformat)
        try:
            if isinstance(value, str) and pattern.match(value):
                return parse(value)
        except ValueError:
            pass
        raise bad
    if kind in LOOKUPS:
        value = value.get("id") if isinstance(value, dict) else value
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            return str(value)
        raise bad
    if isinstance(value, (str, int, float)):
        return str(value).lower()
    raise bad


def _normaliser(fd: FieldDef) -> Callable[[Any], Any]:
    """A stored value in the form ``_parse`` gives criteria values, so the two compare."""
    if fd.data_type in NUMERIC_TYPES:
        def number(v: Any) -> Decimal | None:
            try:
                return Decimal(str(v))
            except InvalidOperation:
                return None
        return number
    if fd.data_type in TEXTUAL:
        return lambda v: str(v).lower()
    return lambda v: v


def _items(value: Any) -> list[Any]:
    if value is None or value == "" or value == []:
        return []
    return list(value) if isinstance(value, list) else [value]


def _tester(op: str, values: list[Any]) -> Callable[[Any], bool]:
    first = values[0]
    tests: dict[str, Callable[[Any], bool]] = {
        "equal": lambda x: x in values, "in": lambda x: x in values,
        "contains": lambda x: isinstance(x, str) and first in x,
        "starts_with": lambda x: isinstance(x, str) and x.startswith(first),
        "ends_with": lambda x: isinstance(x, str) and x.endswith(first),
        "less_than": lambda x: x < first, "less_equal": lambda x: x <= first,
        "greater_than": lambda x: x > first, "greater_equal": lambda x: x >= first,
        "between": lambda x: values[0] <= x <= values[1],
    }
    test = tests[op]

    def safe(x: Any) -> bool:
        try:
            return x is not None and test(x)
        except TypeError:  # a stored value of an unexpected type never matches
            return False
    return safe


# -- jobs -------------------------------------------------------------------------------------------
