"""Running a checked COQL query over ``OrgData``: compiled getters, predicates, ordering, aggregates.

Semantics follow https://www.zoho.com/crm/developer/docs/api/v8/Get-Records-through-COQL-Query.html
(v7 full text): lookups in the select list come back as ``{"name", "id"}`` (v7+; a Users lookup's
name is its last name), multi-module lookups as ``{"id"}``; aggregate rows carry no ``id``. Guessed
where the docs are silent: text comparisons are case-insensitive, nulls never satisfy a comparison
(SQL), nulls sort first ascending, converted leads are included, and a no-match aggregate returns no row.
"""
from __future__ import annotations

import weakref
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from zoho_emulator.engine.query.coql_fields import LOOKUPS, TEXT_LIKE, USERS, FieldPath, Hop
from zoho_emulator.engine.query.search import field_value
from zoho_emulator.model.org import OrgData, Table, User
from zoho_emulator.model.schema import BIGINT, INTEGER, LOOKUP, MODULES, MULTIMODULE_LOOKUP, MULTISELECT, OWNERLOOKUP

DEFAULT_LIMIT = 200
Record = dict[str, Any]
Getter = Callable[[Record], Any]


@dataclass(frozen=True)
class Column:
    key: str
    path: FieldPath
    aggregate: str | None = None


@dataclass(frozen=True)
class Condition:
    path: FieldPath
    op: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Junction:
    op: str
    left: Condition | Junction
    right: Condition | Junction


@dataclass(frozen=True)
class SortKey:
    key: str  # path text, or the output key of an aggregate column
    path: FieldPath | None
    descending: bool = False


@dataclass(frozen=True)
class CoqlQuery:
    """A checked query, ready to run against any org."""

    module: str
    columns: tuple[Column, ...]
    where: Condition | Junction
    group_by: tuple[FieldPath, ...] = ()
    order_by: tuple[SortKey, ...] = ()
    limit: int = DEFAULT_LIMIT
    offset: int = 0

    @property
    def is_aggregate(self) -> bool:
        return bool(self.group_by) or any(c.aggregate for c in self.columns)


@dataclass
class CoqlResult:
    rows: list[dict[str, Any]]
    count: int
    more_records: bool


def run(data: OrgData, query: CoqlQuery) -> tuple[list[dict[str, Any]], bool]:
    """The page of output rows and whether more rows exist past it."""
    access = _Access(data)
    matches = _predicate(query.where, access)
    table = data.table(query.module)
    if query.is_aggregate:
        return _aggregate_rows(query, access, [r for r in table.rows.values() if matches(r)])
    if _ordered_by_id(query):
        descending = bool(query.order_by) and query.order_by[0].descending
        records = _stream(_candidates(table, query.where, descending), matches, query.offset, query.limit)
    else:
        records = [r for r in table.rows.values() if matches(r)]
        _sort(records, [(access.getter(k.path), k) for k in query.order_by if k.path is not None])
        records = records[query.offset: query.offset + query.limit + 1]
    more = len(records) > query.limit
    return [_output_row(r, query.columns, access) for r in records[: query.limit]], more


class _Access:
    """Compiled field getters and lookup rendering over one org, cached per path."""

    def __init__(self, data: OrgData) -> None:
        self.data = data
        self._getters: dict[str, Getter] = {}
        self._users: dict[str, Record | None] = {}

    def getter(self, path: FieldPath) -> Getter:
        if path.text not in self._getters:
            self._getters[path.text] = self._build(path)
        return self._getters[path.text]

    def _build(self, path: FieldPath) -> Getter:
        leaf = path.leaf.api_name
        if not path.hops:
            return lambda r: field_value(r, leaf)
        steps = [(hop, self._resolver(hop)) for hop in path.hops]

        def get(record: Record) -> Any:
            current: Record | None = record
            for hop, resolve in steps:
                if hop.polymorphic and current.get("$se_module") != hop.target:
                    return None
                ref = current.get(hop.field)
                current = resolve(ref) if ref is not None else None
                if current is None:
                    return None
            return field_value(current, leaf)
        return get

    def _resolver(self, hop: Hop) -> Callable[[str], Record | None]:
        if hop.target == USERS:
            return self.user_record
        return self.data.table(hop.target).rows.get

    def user_record(self, user_id: str) -> Record | None:
        if user_id not in self._users:
            user = self.data.users.get(user_id)
            self._users[user_id] = None if user is None else _user_fields(user)
        return self._users[user_id]

    def render(self, value: Any, path: FieldPath) -> Any:
        kind = path.leaf.data_type
        if value is None:
            return None
        if kind == MULTIMODULE_LOOKUP:
            return {"id": value}
        if kind == OWNERLOOKUP:
            user = self.user_record(value)
            return {"name": user["last_name"] if user else None, "id": value}
        if kind == LOOKUP:
            return {"name": self._display_name(path.leaf.lookup_module or "", value), "id": value}
        return list(value) if isinstance(value, list) else value

    def _display_name(self, module: str, record_id: str) -> Any:
        """The target's name field (Full_Name falls back to First + Last, as Zoho concatenates them)."""
        target = self.data.get(module, record_id)
        return None if target is None else field_value(target, MODULES[module].name_field)


def _user_fields(user: User) -> Record:
    return {"id": user.id, "first_name": user.first_name, "last_name": user.last_name,
            "full_name": user.full_name, "email": user.email, "status": user.status}


def _normaliser(kind: str) -> Callable[[Any], Any]:
    """Stored values in comparable form: folded text, int ids, frozenset multi-selects."""
    if kind in TEXT_LIKE:
        return lambda v: str(v).casefold()
    if kind in (INTEGER, BIGINT):
        return lambda v: int(v) if isinstance(v, str) and v.isdigit() else v
    if kind in LOOKUPS:
        return str
    if kind == MULTISELECT:
        return lambda v: frozenset(str(x).casefold() for x in v)
    return lambda v: v


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _predicate(node: Condition | Junction, access: _Access) -> Callable[[Record], bool]:
    if isinstance(node, Junction):
        left, right = _predicate(node.left, access), _predicate(node.right, access)
        if node.op == "and":
            return lambda r: left(r) and right(r)
        return lambda r: left(r) or right(r)
    get = access.getter(node.path)
    if node.op == "is null":
        return lambda r: _is_empty(get(r))
    if node.op == "is not null":
        return lambda r: not _is_empty(get(r))
    norm = _normaliser(node.path.leaf.data_type)
    test = _test(node.op, node.values, norm, node.path.leaf.data_type)

    def matches(record: Record) -> bool:
        value = get(record)
        return not _is_empty(value) and test(norm(value))
    return matches


def _test(op: str, raw: tuple[Any, ...], norm: Callable[[Any], Any], kind: str) -> Callable[[Any], bool]:
    if op in ("like", "not like"):
        shape, core = raw[0]
        like = _LIKE[shape]
        return (lambda v: like(v, core)) if op == "like" else (lambda v: not like(v, core))
    values = [v if kind == MULTISELECT else norm(v) for v in raw]
    first, last = values[0], values[-1]
    tests: dict[str, Callable[[Any], bool]] = {
        "=": lambda v: v == first, "!=": lambda v: v != first,
        ">": lambda v: v > first, ">=": lambda v: v >= first,
        "<": lambda v: v < first, "<=": lambda v: v <= first,
        "between": lambda v: first <= v <= last, "not between": lambda v: not first <= v <= last,
        "in": lambda v: v in values, "not in": lambda v: v not in values,
    }
    return tests[op]


_LIKE: dict[str, Callable[[str, str], bool]] = {
    "contains": lambda v, core: core in v, "starts_with": str.startswith,
    "ends_with": str.endswith, "equals": lambda v, core: v == core,
}


def _ordered_by_id(query: CoqlQuery) -> bool:
    keys = query.order_by
    return not keys or (len(keys) == 1 and keys[0].path is not None and _is_id(keys[0].path))


def _is_id(path: FieldPath) -> bool:
    return not path.hops and path.leaf.api_name == "id"


def _stream(records: Iterable[Record], matches: Callable[[Record], bool], offset: int, limit: int) -> list[Record]:
    """Matches in order, skipping ``offset`` and stopping at ``limit + 1`` (to know about more)."""
    page: list[Record] = []
    for record in records:
        if matches(record):
            if offset:
                offset -= 1
                continue
            page.append(record)
            if len(page) > limit:
                break
    return page


def _candidates(table: Table, where: Condition | Junction, descending: bool) -> Iterator[Record]:
    """Records in id order, narrowed by ``id`` bounds in the top-level ``and`` chain."""
    rows = table.rows
    low, high = _id_bounds(where)
    if low is None and high is None:
        yield from (reversed(rows.values()) if descending else rows.values())
        return
    ints, keys = _id_index(table)
    start = 0 if low is None else bisect_left(ints, low)
    stop = len(ints) if high is None else bisect_right(ints, high)
    for index in (range(stop - 1, start - 1, -1) if descending else range(start, stop)):
        record = rows.get(keys[index])
        if record is not None:
            yield record


def _id_bounds(where: Condition | Junction) -> tuple[int | None, int | None]:
    """Inclusive integer id bounds implied by ``and``-ed id comparisons (None when unbounded)."""
    low: int | None = None
    high: int | None = None
    for cond in _and_chain(where):
        if not _is_id(cond.path) or cond.op not in (">", ">=", "<", "<=", "=", "between"):
            continue
        first, last = cond.values[0], cond.values[-1]
        lows = {">": first + 1, ">=": first, "=": first, "between": first}
        highs = {"<": first - 1, "<=": first, "=": first, "between": last}
        if cond.op in lows:
            low = lows[cond.op] if low is None else max(low, lows[cond.op])
        if cond.op in highs:
            high = highs[cond.op] if high is None else min(high, highs[cond.op])
    return low, high


def _and_chain(node: Condition | Junction) -> list[Condition]:
    if isinstance(node, Junction):
        return _and_chain(node.left) + _and_chain(node.right) if node.op == "and" else []
    return [node]


_ID_INDEXES: dict[int, tuple[weakref.ref[Table], tuple[Any, ...], list[int], list[str]]] = {}


def _id_index(table: Table) -> tuple[list[int], list[str]]:
    """Sorted int ids and their keys, rebuilt only when the table changes."""
    signature = (table.version, len(table.rows), next(reversed(table.rows), None))
    cached = _ID_INDEXES.get(id(table))
    if cached is not None and cached[0]() is table and cached[1] == signature:
        return cached[2], cached[3]
    keys = sorted(table.rows, key=int)
    ints = [int(k) for k in keys]
    for stale in [k for k, v in _ID_INDEXES.items() if v[0]() is None]:
        del _ID_INDEXES[stale]
    _ID_INDEXES[id(table)] = (weakref.ref(table), signature, ints, keys)
    return ints, keys


def _sort_value(kind: str) -> Callable[[Any], Any]:
    norm = _normaliser(kind)
    return lambda v: (0, 0) if _is_empty(v) else (1, tuple(sorted(norm(v))) if kind == MULTISELECT else norm(v))


def _sort(items: list[Any], keys: list[tuple[Callable[[Any], Any], SortKey]]) -> None:
    """Stable multi-key sort, last key first; nulls first ascending, last descending."""
    for value_of, key in reversed(keys):
        to_sort = _sort_value(key.path.leaf.data_type if key.path is not None else BIGINT)
        items.sort(key=lambda item, f=value_of, t=to_sort: t(f(item)), reverse=key.descending)


def _output_row(record: Record, columns: tuple[Column, ...], access: _Access) -> dict[str, Any]:
    row = {c.key: access.render(access.getter(c.path)(record), c.path) for c in columns}
    row["id"] = record["id"]
    return row


def _aggregate_rows(query: CoqlQuery, access: _Access, records: list[Record]) -> tuple[list[dict[str, Any]], bool]:
    """Group, aggregate, order (group values by default) and page; no records -> no rows."""
    getters = [access.getter(p) for p in query.group_by]
    groups: dict[tuple[Any, ...], list[Record]] = {}
    for record in records:
        key = tuple(_hashable(g(record)) for g in getters)
        groups.setdefault(key, []).append(record)
    results = [_aggregate_group(query, access, members) for members in groups.values()]
    sort_keys = query.order_by or tuple(SortKey(p.text, p) for p in query.group_by)
    _sort(results, [(lambda item, name=k.key: item[0].get(name), k) for k in sort_keys])
    page = results[query.offset: query.offset + query.limit + 1]
    return [out for _raw, out in page[: query.limit]], len(page) > query.limit


def _aggregate_group(query: CoqlQuery, access: _Access, members: list[Record]) -> tuple[dict[str, Any], dict[str, Any]]:
    raw: dict[str, Any] = {p.text: access.getter(p)(members[0]) for p in query.group_by}
    out: dict[str, Any] = {}
    for column in query.columns:
        if column.aggregate is None:
            out[column.key] = access.render(access.getter(column.path)(members[0]), column.path)
            continue
        norm = _normaliser(column.path.leaf.data_type)
        values = [norm(v) for v in map(access.getter(column.path), members) if not _is_empty(v)]
        out[column.key] = raw[column.key] = _aggregate(column.aggregate, values)
    return raw, out


def _aggregate(func: str, values: list[Any]) -> Any:
    if func == "COUNT":
        return len(values)
    if not values:
        return None
    if func == "AVG":
        return sum(values) / len(values)
    return {"SUM": sum, "MIN": min, "MAX": max}[func](values)


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value
