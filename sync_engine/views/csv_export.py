"""Every CSV we hand out, written one way: spreadsheet formulas in user text neutralised (OWASP's rule).

A conversation titled ``=HYPERLINK("http://evil.example","x")`` (or a Zoho record name, a summary, an
error message: anything people or other systems typed) would be a live formula once the file is opened
in Excel or Sheets. OWASP's CSV injection advice: a text cell beginning with ``=``, ``+``, ``-``, ``@``,
tab or carriage return is prefixed with a single quote, and every field is quoted, so the value reads as
text and a spreadsheet shows it as typed (https://owasp.org/www-community/attacks/CSV_Injection).
Numbers stay numbers: only text cells are touched.
"""
from __future__ import annotations

import csv
from typing import Any

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: Any) -> Any:
    """The cell as a spreadsheet must read it: text that could start a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def frame_csv(frame: pd.DataFrame) -> bytes:
    """The frame as UTF-8 CSV with a header row, every field quoted, formula-like text neutralised."""
    safe = frame.copy()
    safe.columns = [neutralised(str(c)) for c in safe.columns]
    for column in safe.columns:
        if not (pd.api.types.is_numeric_dtype(safe[column]) or pd.api.types.is_datetime64_any_dtype(safe[column])):
            safe[column] = safe[column].map(neutralised)
    return safe.to_csv(index=False, quoting=csv.QUOTE_ALL).encode("utf-8")
