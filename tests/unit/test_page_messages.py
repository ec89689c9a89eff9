"""Messages show user text as text: ``as_text`` turns any string into Markdown that renders to that string.

Rendered here with markdown-it (CommonMark, as Streamlit's renderer reads it, plus tables and
strikethrough); the browser test (tests/e2e/test_safe_by_default.py) checks Streamlit's own renderer,
where GitHub's autolinks and Streamlit's ``:name:`` shortcodes also apply.
"""
from __future__ import annotations

import html
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from page_messages import as_text

RENDER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
NASTY = ["[Sign in again](http://evil.example)", "![x](http://evil.example/x.png)", "**bold** and _it_",
         "<b>html</b> &amp; &#60;", "# heading", "- item", "1. item", "> quote", "`code`", "a\\b", "~~gone~~",
         "| a | b |\n|---|---|\n| 1 | 2 |", "line\n===", "<http://evil.example>", "[x][1]\n\n[1]: http://evil.example"]


def rendered_text(markdown: str) -> tuple[str, str]:
    """(the HTML, its text with tags stripped and entities decoded)."""
    out = RENDER.render(markdown)
    return out, html.unescape(re.sub(r"<[^>]+>", "", out)).strip()


@pytest.mark.parametrize("text", NASTY)
def test_markdown_in_user_text_renders_as_that_text_with_no_markup(text: str) -> None:
    out, shown = rendered_text(as_text(text))
    assert not re.search(r"<(a|img|strong|em|h\d|ul|ol|blockquote|table|del|b)\b", out), out
    assert shown.split() == text.split()  # the words as typed (line breaks may differ)


@pytest.mark.parametrize("text", ["Saved the budget share. 12.5% of 50,000 = 6,250 credits per 24 h.",
                                  "Not saved: push may run every 15 s to 1 h, not every 5 s",
                                  "1 re-planned; the next push sends them."])
def test_our_own_plain_sentences_are_unchanged(text: str) -> None:
    assert as_text(text) == text


def test_what_would_link_itself_is_set_as_code_and_shortcodes_are_split() -> None:
    assert as_text("write to ana@corp.example or see www.evil.example.") == \
        "write to `ana@corp.example` or see `www.evil.example`."
    assert as_text(":red[x] :smile:") == ":\u200bred\\[x\\] :\u200bsmile:"


@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60))
def test_any_printable_text_renders_to_its_own_words(text: str) -> None:
    _, shown = rendered_text(as_text(text))
    assert shown.split() == text.split()
