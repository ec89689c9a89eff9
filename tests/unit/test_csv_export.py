"""CSV export: text that a spreadsheet would run as a formula is neutralised (OWASP's CSV injection rule)."""
from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from sync_engine.views.csv_export import frame_csv, neutralised


@pytest.mark.parametrize("text", ['=HYPERLINK("http://evil.example","x")', "+1+cmd|' /C calc'!A0", "-2+3",
                                  "@SUM(A1:A9)", "\t=1+1", "\r=1+1"])
def test_text_starting_like_a_formula_gets_a_leading_quote(text: str) -> None:
    assert neutralised(text) == "'" + text


@pytest.mark.parametrize("value", ["Quarterly review", " =not first", "a=b", "", None, -5, 3.5])
def test_other_text_and_every_number_are_left_as_they_are(value: object) -> None:
    assert neutralised(value) == value


def test_the_file_quotes_every_field_and_reads_back_with_the_quote_in_front() -> None:
    frame = pd.DataFrame({"title": ['=HYPERLINK("http://evil.example","x")', "Pricing, review"],
                          "credits": [-3, 4], "=header": ["@x", "y"]})
    text = frame_csv(frame).decode("utf-8")
    assert text.splitlines()[0] == '"title","credits","\'=header"'
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == ["'=HYPERLINK(\"http://evil.example\",\"x\")", "-3", "'@x"]
    assert rows[2] == ["Pricing, review", "4", "y"]
