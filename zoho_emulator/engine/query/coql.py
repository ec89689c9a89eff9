"""COQL (``POST /coql``): parse and check a query against the schema, then run it over ``OrgData``.

Caps and codes follow https://www.zoho.com/crm/developer/docs/api/v8/COQL-Limitations.html and
…/Get-Records-through-COQL-Query.html (v7 full text): LIMIT defaults to 200 and may not pass 2,000,
LIMIT+OFFSET reach 100,000, ≤50 select columns (Overview; Kaizen #183 claims 500 — the stricter figure is
kept), ≤5 aggregates, ≤4 GROUP BY and ≤10 ORDER BY fields, duplicates are ``DUPLICATE_DATA``. Rows come
back in id order unless ORDER BY says otherwise, always with ``id`` unless the query aggregates.

Execution streams in id order and stops after LIMIT+1 matches when the order is by id, and uses a
cached sorted-id index for ``id > 'x'`` bounds, so key pagination over a million records stays linear.
"""
from __future__ import annotations

from typing import Any

from zoho_emulator.engine.errors import ZohoError
from zoho_emulator.engine.query.coql_engine import Column, Condition, CoqlQuery, CoqlResult, Junction, SortKey, run
from zoho_emulator.engine.query.coql_fields import FieldPath, check_aggregate, check_comparator, coerce, resolve_path
from zoho_emulator.engine.query.coql_parser import AggregateRef, Criterion, FieldRef, Logical, SyntaxTree, parse_syntax
from zoho_emulator.model.org import OrgData
from zoho_emulator.model.schema import MODULES

DEFAULT_LIMIT = 200
MAX_LIMIT = 2000
MAX_REACH = 100_000
MAX_COLUMNS = 50
MAX_AGGREGATES = 5
MAX_GROUP_BY = 4
MAX_ORDER_BY = 10
MAX_WHERE_JOINS = 5  # "base JOINs", COQL-Limitations (v7+)
MAX_SELECT_JOINS = 15  # "SELECT clause JOINs", COQL-Limitations (v7+)
CREDIT_BANDS = ((200, 1), (1000, 2), (2000, 3))

__all__ = ["CoqlQuery", "CoqlResult", "credits_for_limit", "execute", "parse"]


def parse(query: str) -> CoqlQuery:
    """Parse ``select_query`` and check it against the schema, raising Zoho's error codes."""
    tree = parse_syntax(query)
    if tree.module not in MODULES:
        raise ZohoError("INVALID_MODULE", details={"module": tree.module})
    columns = _columns(tree)
    where = _bind_where(tree.module, tree.where)
    _check_joins([c.path for c in columns], MAX_SELECT_JOINS, "select")
    _check_joins(list(_where_paths(where)), MAX_WHERE_JOINS, "where")
    group_by = _group_by(tree, columns)
    limit, offset = _paging(tree)
    order_by = _order_by(tree, columns, group_by)
    return CoqlQuery(tree.module, columns, where, group_by, order_by, limit, offset)


def execute(data: OrgData, query: CoqlQuery) -> CoqlResult:
    """Run a parsed query; ``more_records`` is true when rows exist past offset+limit."""
    with data.lock:
        rows, more = run(data, query)
    return CoqlResult(rows, len(rows), more)


def credits_for_limit(limit: int) -> int:
    """API credits a COQL call costs by its LIMIT: 1-200 -> 1, 201-1000 -> 2, 1001-2000 -> 3."""
    for ceiling, credits in CREDIT_BANDS:
        if 1 <= limit <= ceiling:
            return credits
    raise ValueError(f"COQL limit must be 1..{MAX_LIMIT}, got {limit}")


def _limit_exceeded(message: str, **details: Any) -> ZohoError:
    return ZohoError("LIMIT_EXCEEDED", message, details)


def _duplicate(kind: str, name: str) -> ZohoError:
    return ZohoError("DUPLICATE_DATA", f"duplicate {kind}", {"column_name": name})


def _columns(tree: SyntaxTree) -> tuple[Column, ...]:
    if len(tree.items) > MAX_COLUMNS:
        raise _limit_exceeded("a maximum of 50 columns can be selected", limit=MAX_COLUMNS)
    aggregates = [i for i in tree.items if isinstance(i.expr, AggregateRef)]
    if len(aggregates) > MAX_AGGREGATES:
        raise _limit_exceeded("a maximum of five aggregate fields is allowed", limit=MAX_AGGREGATES)
    columns, seen_exprs, seen_keys = [], set(), set()
    for item in tree.items:
        expr = item.expr
        text = expr.key if isinstance(expr, AggregateRef) else expr.path
        if text in seen_exprs:
            raise _duplicate("select column", text)
        if item.key in seen_keys:
            raise ZohoError("DUPLICATE_ALIAS", "the same alias cannot refer to more than one column",
                            {"alias": item.key})
        seen_exprs.add(text)
        seen_keys.add(item.key)
        columns.append(_column(tree.module, item.key, expr))
    return tuple(columns)


def _column(module: str, key: str, expr: FieldRef | AggregateRef) -> Column:
    if isinstance(expr, AggregateRef):
        path = resolve_path(module, expr.field.path)
        check_aggregate(expr.func, path)
        return Column(key, path, expr.func)
    return Column(key, resolve_path(module, expr.path))


def _bind_where(module: str, node: Criterion | Logical) -> Condition | Junction:
    if isinstance(node, Logical):
        return Junction(node.op, _bind_where(module, node.left), _bind_where(module, node.right))
    path = resolve_path(module, node.field.path)
    check_comparator(path, node.op)
    return Condition(path, node.op, tuple(coerce(path, node.op, v) for v in node.values))


def _where_paths(node: Condition | Junction) -> list[FieldPath]:
    if isinstance(node, Junction):
        return _where_paths(node.left) + _where_paths(node.right)
    return [node.path]


def _check_joins(paths: list[FieldPath], limit: int, clause: str) -> None:
    joins = {join for path in paths for join in path.joins}
    if len(joins) > limit:
        raise _limit_exceeded(f"too many joins in the {clause} clause", limit=limit)


def _group_by(tree: SyntaxTree, columns: tuple[Column, ...]) -> tuple[FieldPath, ...]:
    if len(tree.group_by) > MAX_GROUP_BY:
        raise _limit_exceeded("a maximum of four fields can be given in group by", limit=MAX_GROUP_BY)
    texts = [ref.path for ref in tree.group_by]
    for index, text in enumerate(texts):
        if text in texts[:index]:
            raise _duplicate("group by field", text)
    paths = tuple(resolve_path(tree.module, text) for text in texts)
    if any(c.aggregate for c in columns) or paths:
        for column in columns:
            if column.aggregate is None and column.path.text not in texts:
                raise ZohoError("INVALID_QUERY", "a non-aggregate column must be in group by",
                                {"column_name": column.path.text})
    return paths


def _order_by(tree: SyntaxTree, columns: tuple[Column, ...], group_by: tuple[FieldPath, ...]) -> tuple[SortKey, ...]:
    if len(tree.order_by) > MAX_ORDER_BY:
        raise _limit_exceeded("a maximum of 10 fields can be given in order by", limit=MAX_ORDER_BY)
    keys: list[SortKey] = []
    aggregate = any(c.aggregate for c in columns) or bool(group_by)
    for item in tree.order_by:
        key = _sort_key(tree.module, item.expr, item.descending, columns)
        if any(k.key == key.key for k in keys):
            raise _duplicate("order by field", key.key)
        if aggregate and key.path is not None and key.key not in {p.text for p in group_by}:
            raise ZohoError("INVALID_QUERY", "order by must use group by fields or aggregates",
                            {"column_name": key.key})
        keys.append(key)
    return tuple(keys)


def _sort_key(module: str, expr: FieldRef | AggregateRef, descending: bool,
              columns: tuple[Column, ...]) -> SortKey:
    """Resolve an ORDER BY entry: an aggregate in the select list, an alias, or a field path."""
    if isinstance(expr, AggregateRef):
        column = next((c for c in columns if c.aggregate == expr.func and c.path.text == expr.field.path), None)
        if column is None:
            raise ZohoError("INVALID_QUERY", "order by aggregate must be selected", {"column_name": expr.key})
        return SortKey(column.key, None, descending)
    aliased = next((c for c in columns if c.key == expr.path and c.key != c.path.text), None)
    if aliased is not None:
        return (SortKey(aliased.key, None, descending) if aliased.aggregate
                else SortKey(aliased.path.text, aliased.path, descending))
    return SortKey(expr.path, resolve_path(module, expr.path), descending)


def _paging(tree: SyntaxTree) -> tuple[int, int]:
    limit = DEFAULT_LIMIT if tree.limit is None else tree.limit
    offset = tree.offset or 0
    if limit < 1:
        raise ZohoError("INVALID_QUERY", "limit must be at least 1", {"clause": "limit"})
    if limit > MAX_LIMIT:
        raise _limit_exceeded("the limit clause can be at most 2000", limit=MAX_LIMIT)
    if limit + offset > MAX_REACH:
        raise _limit_exceeded("max records limit exceeded (limit + offset <= 100000)", limit=MAX_REACH)
    return limit, offset
