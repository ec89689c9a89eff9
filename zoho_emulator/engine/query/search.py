"""Zoho's Search Records engine (``GET /{module}/search``): criteria, email, phone and word searches.

Rules follow https://www.zoho.com/crm/developer/docs/api/v8/search-records.html (v7 full text):
exactly one of ``criteria > email > phone > word`` is used; ``equals`` behaves like *contains*;
``(`` ``)`` ``,`` in a value are escaped with ``\\`` and a trailing ``\\`` is doubled; at most 10
conditions and 100 ``in`` values; operators are checked per field type; ``converted`` hides converted
leads by default. Deluge's searchRecords page adds that null columns are never reported, so a
condition on an empty field never matches. Values arrive URL-decoded from the HTTP layer.

The engine is pure: it returns every match in id order and leaves paging and the 2,000 cap
(``LIMIT_REACHED``) to the HTTP layer.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from zoho_emulator.engine.errors import ZohoError
from zoho_emulator.model.org import OrgData, full_name
from zoho_emulator.model.schema import (
    BIGINT,
    BOOLEAN,
    DATE,
    DATETIME,
    EMAIL,
    INTEGER,
    LOOKUP,
    MULTISELECT,
    NUMERIC_TYPES,
    OWNERLOOKUP,
    PHONE,
    PICKLIST,
    TEXT,
    TEXTAREA,
    WEBSITE,
    FieldDef,
    ModuleDef,
)

MAX_CONDITIONS = 10
MAX_IN_VALUES = 100
MIN_WORD_LENGTH = 2
ESCAPABLE = frozenset("\\(),")
# Characters Zoho calls "special" for word search; the docs name the rule, not the set (guessed).
WORD_SPECIAL = frozenset("()[]{}<>!#$%^&*+=|\\/:;\"?,~`")
CONVERTED_VALUES = ("false", "true", "both")

_ORDERED_OPS = frozenset({"equals", "not_equal", "greater_than", "greater_equal", "less_than",
                          "less_equal", "between", "in"})
# Per-type operators, as listed in the Note of the search-records page.
OPERATORS_BY_TYPE: dict[str, frozenset[str]] = {
    **{t: frozenset({"equals", "not_equal", "starts_with", "in"}) for t in (TEXT, EMAIL, PHONE, WEBSITE)},
    TEXTAREA: frozenset({"equals", "not_equal", "starts_with"}),
    PICKLIST: frozenset({"equals", "not_equal", "in"}),
    MULTISELECT: frozenset({"equals", "not_equal", "in", "starts_with"}),
    BOOLEAN: frozenset({"equals", "not_equal"}),
    LOOKUP: frozenset({"equals", "not_equal", "in"}),
    OWNERLOOKUP: frozenset({"equals", "not_equal", "in"}),
    DATE: _ORDERED_OPS, DATETIME: _ORDERED_OPS,
    **{t: _ORDERED_OPS for t in NUMERIC_TYPES},
}
ALL_OPERATORS = frozenset().union(*OPERATORS_BY_TYPE.values())
TEXT_TYPES = frozenset({TEXT, TEXTAREA, EMAIL, PHONE, WEBSITE, PICKLIST, MULTISELECT})

_FIELD_NAME = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*\Z")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}\Z")
_INT = re.compile(r"-?\d+\Z")
_DECIMAL = re.compile(r"-?\d+(?:\.\d+)?\Z")
_JOINER = re.compile(r"\s*(and|or)\s*(?=\()", re.IGNORECASE)

Record = dict[str, Any]
Predicate = Callable[[Record], bool]


@dataclass(frozen=True)
class Condition:
    """One ``(Field:operator:value)``; ``values`` are unescaped, split on unescaped commas."""

    field: str
    operator: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Group:
    """Conditions joined by one logical word; mixing and/or needs nesting, as Zoho writes it."""

    joiner: str
    parts: tuple[Node, ...]


Node = Condition | Group


def search_records(data: OrgData, module: str, *, criteria: str | None = None, email: str | None = None,
                   phone: str | None = None, word: str | None = None, converted: str = "false") -> list[dict]:
    """All records of ``module`` matching the one search parameter Zoho would honour, in id order."""
    module_def = _module(data, module)
    keep_lead = _converted_filter(module, converted)
    if criteria:
        matches = compile_criteria(module_def, criteria)
    elif email:
        matches = _any_field_equals(module_def.email_fields, email.strip().casefold(), casefold=True)
    elif phone:
        matches = _any_field_equals(module_def.phone_fields, phone.strip(), casefold=False)
    elif word is not None and word != "":
        matches = _word_matcher(module_def, word)
    else:
        raise ZohoError("EXPECTED_PARAM_MISSING", "mandatory param missing",
                        {"param_names": ["criteria", "email", "phone", "word"]})
    with data.lock:
        return [r for r in data.table(module).rows.values() if keep_lead(r) and matches(r)]


def parse_criteria(text: str) -> Node:
    """Parse a criteria string into a tree (no field checks), enforcing the 10-condition cap."""
    return _CriteriaReader(text).parse()


def compile_criteria(module_def: ModuleDef, text: str) -> Predicate:
    """Parse and type-check criteria against the module, returning a record predicate."""
    return _compile(parse_criteria(text), module_def)


def _module(data: OrgData, module: str) -> ModuleDef:
    table = data.tables.get(module)
    if table is None:
        raise ZohoError("INVALID_MODULE", details={"resource_path_index": 0})
    return table.module


def _converted_filter(module: str, converted: str) -> Predicate:
    """Leads hide converted records unless ``converted`` says otherwise (other modules ignore it)."""
    if converted not in CONVERTED_VALUES:
        raise ZohoError("INVALID_DATA", details={"param_name": "converted", "expected": list(CONVERTED_VALUES)})
    if module != "Leads" or converted == "both":
        return lambda _r: True
    wanted = converted == "true"
    return lambda r: bool(r.get("Converted__s")) is wanted


def _invalid_query(reason: str, **details: Any) -> ZohoError:
    return ZohoError("INVALID_QUERY", "invalid query formed", {"reason": reason, **details})


class _CriteriaReader:
    """Recursive-descent reader for ``((A)and(B))``; a lone top-level ``A`` is allowed as in Zoho's sample."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.conditions = 0

    def parse(self) -> Node:
        self._skip_ws()
        node = self._sequence() if self._peek() == "(" else self._condition(closed=False)
        self._skip_ws()
        if self.pos != len(self.text):
            raise _invalid_query("unexpected text after the criteria", position=self.pos)
        return node

    def _sequence(self) -> Node:
        parts, joiner = [self._node()], None
        while (word := self._joiner()) is not None:
            if joiner is not None and word != joiner:
                raise _invalid_query("mixing and/or needs nested parentheses", position=self.pos)
            joiner = word
            parts.append(self._node())
        return parts[0] if joiner is None else Group(joiner, tuple(parts))

    def _node(self) -> Node:
        self._skip_ws()
        if self._peek() != "(":
            raise _invalid_query("expected '('", position=self.pos)
        self.pos += 1
        self._skip_ws()
        if self._peek() != "(":
            return self._condition(closed=True)
        node = self._sequence()
        self._skip_ws()
        if self._peek() != ")":
            raise _invalid_query("expected ')'", position=self.pos)
        self.pos += 1
        return node

    def _joiner(self) -> str | None:
        match = _JOINER.match(self.text, self.pos)
        if match is None:
            return None
        self.pos = match.end()
        return match.group(1).lower()

    def _condition(self, *, closed: bool) -> Condition:
        self.conditions += 1
        if self.conditions > MAX_CONDITIONS:
            raise ZohoError("LIMIT_EXCEEDED", "maximum of 10 criteria exceeded", {"limit": MAX_CONDITIONS})
        field = self._name()
        operator = self._name()
        return Condition(field, operator, self._value(closed))

    def _name(self) -> str:
        end = self.text.find(":", self.pos)
        if end < 0:
            raise _invalid_query("expected Field:operator:value", position=self.pos)
        name = self.text[self.pos:end].strip()
        if not _FIELD_NAME.match(name):
            raise _invalid_query("invalid field or operator name", api_name=name)
        self.pos = end + 1
        return name

    def _value(self, closed: bool) -> tuple[str, ...]:
        parts, current, text = [], [], self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch == "\\" and self.pos + 1 < len(text) and text[self.pos + 1] in ESCAPABLE:
                current.append(text[self.pos + 1])
                self.pos += 2
                continue
            if ch == ")" and closed:
                self.pos += 1
                return self._finish(parts, current)
            if ch in "()":
                raise _invalid_query("unescaped parenthesis in the value", position=self.pos)
            if ch == ",":
                parts.append("".join(current))
                current = []
            else:
                current.append(ch)
            self.pos += 1
        if closed:
            raise _invalid_query("missing ')'", position=self.pos)
        return self._finish(parts, current)

    @staticmethod
    def _finish(parts: list[str], current: list[str]) -> tuple[str, ...]:
        values = tuple(p.strip() for p in [*parts, "".join(current)])
        if any(v == "" for v in values):
            raise _invalid_query("empty value in the criteria")
        return values

    def _peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def _skip_ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1


def _compile(node: Node, module_def: ModuleDef) -> Predicate:
    if isinstance(node, Group):
        parts = [_compile(p, module_def) for p in node.parts]
        if node.joiner == "and":
            return lambda r: all(p(r) for p in parts)
        return lambda r: any(p(r) for p in parts)
    return _compile_condition(node, module_def)


def _compile_condition(cond: Condition, module_def: ModuleDef) -> Predicate:
    fdef = module_def.field(cond.field)
    if cond.operator not in ALL_OPERATORS:
        raise _invalid_query("invalid operator found", api_name=cond.field, operator=cond.operator)
    if fdef is None or fdef.data_type not in OPERATORS_BY_TYPE:
        raise _invalid_query("the field is not available for search", api_name=cond.field)
    if cond.operator not in OPERATORS_BY_TYPE[fdef.data_type]:
        raise _invalid_query("invalid operator for the field's data type", api_name=cond.field,
                             operator=cond.operator, data_type=fdef.data_type)
    _check_arity(cond)
    test = _value_test(fdef, cond.operator, cond.values)
    name = fdef.api_name

    def matches(record: Record) -> bool:
        value = field_value(record, name)
        return value is not None and value != "" and value != [] and test(value)
    return matches


def _check_arity(cond: Condition) -> None:
    count = len(cond.values)
    if cond.operator == "in" and count > MAX_IN_VALUES:
        raise ZohoError("LIMIT_EXCEEDED", "the in operator supports up to 100 values",
                        {"api_name": cond.field, "limit": MAX_IN_VALUES})
    expected = {"in": None, "between": 2}.get(cond.operator, 1)
    if expected is not None and count != expected:
        raise _invalid_query("wrong number of values; escape commas in a value as \\,",
                             api_name=cond.field, operator=cond.operator)


def field_value(record: Record, api_name: str) -> Any:
    """A stored value; ``Full_Name`` falls back to First + Last name, as Zoho concatenates them."""
    value = record.get(api_name)
    if value is None and api_name == "Full_Name":
        return full_name(record) or None
    return value


def _value_test(fdef: FieldDef, operator: str, raw: tuple[str, ...]) -> Callable[[Any], bool]:
    if fdef.data_type in TEXT_TYPES:
        return _text_test(operator, [v.casefold() for v in raw])
    values = [_coerce(fdef, v) for v in raw]
    normal = _normaliser(fdef)
    first = values[0]
    tests: dict[str, Callable[[Any], bool]] = {
        "equals": lambda v: normal(v) == first,
        "not_equal": lambda v: normal(v) != first,
        "greater_than": lambda v: normal(v) > first,
        "greater_equal": lambda v: normal(v) >= first,
        "less_than": lambda v: normal(v) < first,
        "less_equal": lambda v: normal(v) <= first,
        "between": lambda v: values[0] <= normal(v) <= values[-1],
        "in": lambda v: normal(v) in values,
    }
    return tests[operator]


def _text_test(operator: str, needles: list[str]) -> Callable[[Any], bool]:
    """Text operators; ``equals`` is *contains* per the docs, all case-insensitive (guessed)."""
    def texts(value: Any) -> list[str]:
        return [str(v).casefold() for v in value] if isinstance(value, list) else [str(value).casefold()]

    needle = needles[0]
    tests: dict[str, Callable[[Any], bool]] = {
        "equals": lambda v: any(needle in t for t in texts(v)),
        "not_equal": lambda v: not any(needle in t for t in texts(v)),
        "starts_with": lambda v: any(t.startswith(needle) for t in texts(v)),
        "in": lambda v: any(n in t for t in texts(v) for n in needles),
    }
    return tests[operator]


def _normaliser(fdef: FieldDef) -> Callable[[Any], Any]:
    """Stored ids are strings; numeric comparison of ``id`` needs them as ints."""
    if fdef.data_type in (INTEGER, BIGINT):
        return lambda v: int(v) if isinstance(v, str) and v.isdigit() else v
    return lambda v: v


def _coerce(fdef: FieldDef, raw: str) -> Any:
    """Turn a criteria value into the field's Python type, or reject it as Zoho does."""
    kind = fdef.data_type
    converters: dict[str, tuple[re.Pattern[str], Callable[[str], Any]]] = {
        INTEGER: (_INT, int), BIGINT: (_INT, int),
        DATE: (_DATE, date.fromisoformat), DATETIME: (_DATETIME, datetime.fromisoformat),
        BOOLEAN: (re.compile(r"(true|false)\Z"), lambda s: s == "true"),
        LOOKUP: (re.compile(r"\d+\Z"), str), OWNERLOOKUP: (re.compile(r"\d+\Z"), str),
    }
    pattern, convert = converters.get(kind, (_DECIMAL, float))
    if not pattern.match(raw):
        raise _invalid_query("the value does not match the field's data type", api_name=fdef.api_name,
                             expected_data_type=kind, value=raw)
    try:
        return convert(raw)
    except ValueError:
        raise _invalid_query("the value does not match the field's data type", api_name=fdef.api_name,
                             expected_data_type=kind, value=raw) from None


def _any_field_equals(fields: list[str], wanted: str, *, casefold: bool) -> Predicate:
    """Email/phone search: the exact value in any field of that type (no phone normalisation)."""
    def norm(value: Any) -> str:
        text = str(value).strip()
        return text.casefold() if casefold else text
    return lambda r: any(r.get(f) not in (None, "") and norm(r[f]) == wanted for f in fields)


def _word_matcher(module_def: ModuleDef, word: str) -> Predicate:
    """Word search: >=2 characters, no special characters, a whole-word match in any text field."""
    stripped = word.strip()
    if len(stripped) < MIN_WORD_LENGTH or any(ch in WORD_SPECIAL for ch in stripped):
        raise ZohoError("INVALID_DATA", "the search value contains special characters or does not "
                        "contain at least two characters", {"param_name": "word"})
    pattern = re.compile(r"(?<!\w)" + re.escape(stripped) + r"(?!\w)", re.IGNORECASE)
    fields = [f.api_name for f in module_def.fields if f.data_type in TEXT_TYPES]

    def matches(record: Record) -> bool:
        for name in fields:
            value = field_value(record, name)
            items = value if isinstance(value, list) else [value]
            if any(isinstance(v, str) and pattern.search(v) for v in items):
                return True
        return False
    return matches
