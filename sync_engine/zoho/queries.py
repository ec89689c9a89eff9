"""Putting user data inside Search criteria and COQL safely (zoho-api.md §4). Never interpolate raw values.

Search criteria: ``(Field:operator:value)``. Inside a value, ``(``, ``)`` and ``,`` are prefixed with
``\\`` and a trailing ``\\`` is doubled; the whole criteria string is then URL-encoded (``requests``
does that when it is passed as a query parameter). Zoho's rule leaves one case ambiguous — a
backslash right before ``(``, ``)``, ``,`` or another backslash would read as an escape — so such a
backslash is doubled too. A backslash before any other character stays single, as Zoho documents.

COQL: string literals are single-quoted and a quote inside is doubled (``'O''Brien'``).
"""
from __future__ import annotations

import re

SPECIAL = frozenset("(),")
COQL_DEFAULT_LIMIT = 200
_QUOTED = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"")
_LIMIT = re.compile(r"\blimit\s+(\d+)(?:\s*,\s*(\d+))?", re.IGNORECASE)
_FROM = re.compile(r"\bfrom\s+([A-Za-z0-9_]+)", re.IGNORECASE)


def escape_criteria_value(value: str) -> str:
    """``Burns,B`` -> ``Burns\\,B``; ``a\\`` -> ``a\\\\``; ``(x)`` -> ``\\(x\\)``."""
    out = []
    for i, ch in enumerate(value):
        if ch in SPECIAL:
            out.append("\\" + ch)
        elif ch == "\\":
            following = value[i + 1] if i + 1 < len(value) else None
            out.append("\\\\" if following is None or following in SPECIAL or following == "\\" else "\\")
        else:
            out.append(ch)
    return "".join(out)


def criterion(field: str, operator: str, *values: str) -> str:
    """One condition, e.g. ``criterion("Last_Name", "equals", "O'Brien (Jr)")``; ``in`` takes several values."""
    if not values:
        raise ValueError("a criterion needs at least one value")
    if not field.replace("_", "").replace("$", "").isalnum() or not operator.replace("_", "").isalpha():
        raise ValueError(f"not a field API name and operator: {field!r} {operator!r}")
    return f"({field}:{operator}:{','.join(escape_criteria_value(v) for v in values)})"


def coql_quote(value: str) -> str:
    """A COQL string literal: ``O'Brien`` -> ``'O''Brien'``."""
    if not isinstance(value, str):
        raise TypeError("coql_quote takes a string; format numbers and dates explicitly")
    return "'" + value.replace("'", "''") + "'"


def _without_literals(query: str) -> str:
    """The query with string literals emptied, so words inside them are not mistaken for clauses."""
    return _QUOTED.sub("''", query)


def coql_limit(query: str) -> int:
    """The LIMIT a COQL query asks for (``limit n``, ``limit n offset m`` or ``limit offset, n``); 200 if none."""
    found = _LIMIT.findall(_without_literals(query))
    if not found:
        return COQL_DEFAULT_LIMIT
    first, second = found[-1]
    return int(second) if second else int(first)


def coql_module(query: str) -> str | None:
    """The module a COQL query reads (its FROM clause)."""
    found = _FROM.search(_without_literals(query))
    return found.group(1) if found else None
