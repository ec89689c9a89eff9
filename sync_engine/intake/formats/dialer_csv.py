"""Dialer call logs as CSV: a header naming the columns, then one call per row.

Line 1 must be the header. Column names are matched ignoring case, surrounding whitespace and the
choice of space, hyphen or underscore ("User Email" is ``user_email``); unknown columns are ignored so
a dialer's full export can be dropped in as it is. The delimiter (comma, semicolon or tab) is the one
that makes line 1 name the most known columns, which covers spreadsheets saved in European locales.
Errors carry the file's own line numbers (header = line 1; a quoted value spanning lines is reported
at the line where its row starts).
"""
from __future__ import annotations

import csv
import io
import re

from sync_engine.intake.formats.fields import RecordCheck
from sync_engine.intake.formats.model import ImportOptions, ImportResult
from sync_engine.intake.formats.records import call_from_values
from sync_engine.intake.formats.report import ResultBuilder

COLUMNS = ("id", "direction", "from", "to", "start", "duration_s", "user_email", "summary", "action_items",
           "activity_type", "outcome")
REQUIRED = ("direction", "from", "to", "start", "duration_s")
DELIMITERS = (",", ";", "\t")
_SEPARATORS = re.compile(r"[\s\-]+")


def column_name(header_cell: str) -> str:
    return _SEPARATORS.sub("_", header_cell.replace("\ufeff", "").strip().casefold())


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0].rstrip("\r")


def _header(line: str, delimiter: str) -> list[str]:
    try:
        return [column_name(cell) for cell in next(csv.reader([line], delimiter=delimiter), [])]
    except csv.Error:
        return []


def sniff_delimiter(text: str) -> str | None:
    """The delimiter under which line 1 names every required column, or None if none does."""
    line = _first_line(text)
    best = max(DELIMITERS, key=lambda d: len(set(_header(line, d)) & set(COLUMNS)))
    return best if set(REQUIRED) <= set(_header(line, best)) else None


def looks_like_call_log(text: str) -> bool:
    return sniff_delimiter(text) is not None


def _header_problem(names: list[str], options: ImportOptions) -> str | None:
    required = REQUIRED if options.user_email else (*REQUIRED, "user_email")
    missing = [name for name in required if name not in names]
    if missing:
        return (f"not a dialer call log: the header (line 1) lacks {', '.join(missing)}. "
                f"Expected columns: {', '.join(COLUMNS)} (id, summary, action_items, activity_type and outcome "
                "optional; user_email optional when the importing user is given)")
    repeated = sorted({name for name in names if name in COLUMNS and names.count(name) > 1})
    if repeated:
        return f"the header (line 1) names {', '.join(repeated)} more than once"
    return None


def parse_call_log(text: str, options: ImportOptions) -> ImportResult:
    builder = ResultBuilder("csv")
    delimiter = sniff_delimiter(text) or ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        names = [column_name(cell) for cell in next(reader, [])]
    except csv.Error as exc:
        return builder.file_error(f"not a dialer call log: line 1 is not a CSV header ({exc})")
    problem = _header_problem(names, options)
    if problem:
        return builder.file_error(problem)
    positions = {name: names.index(name) for name in COLUMNS if name in names}
    last_line = reader.line_num
    while True:
        first_line = last_line + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            builder.error(f"line {first_line}", None, f"unreadable CSV ({exc}); an unclosed quote swallows the "
                                                      "lines after it")
            last_line = reader.line_num
            continue
        last_line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        location = f"line {first_line}"
        if len(row) > len(names):
            builder.error(location, None, f"{len(row)} values but the header names {len(names)} columns; "
                                          "quote values that contain the delimiter")
            continue
        values = {name: row[index] if index < len(row) else "" for name, index in positions.items()}
        check = RecordCheck()
        builder.record(check, location, call_from_values(values, options, "csv", check))
    return builder.result()
