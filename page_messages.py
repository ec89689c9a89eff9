"""Messages on the pages show text as text: user-supplied words are never read as Markdown.

``st.error``, ``st.warning``, ``st.info``, ``st.success`` and ``st.caption`` render their text as
Markdown (GitHub's flavour plus Streamlit's ``:red[...]``, ``:icon:`` and ``$...$``), and much of what
they show comes from people or other systems: an import error quotes the file, a Zoho error quotes Zoho,
an org's name is whatever its admin typed. So every message goes through ``as_text``: Markdown's
punctuation is backslash-escaped (CommonMark lets any ASCII punctuation be escaped); what GitHub's
flavour would turn into a link by itself -- a URL, ``www.``, an email address -- is set as inline code,
which no renderer links; and a zero-width space splits ``:name:``, which Streamlit would swap for an
emoji or icon after escapes are read. Plain sentences read (and compare in tests) as written.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

import streamlit as st

Kind = Literal["error", "warning", "info", "success", "caption"]

_LINKABLE = re.compile(r"(?:\b[a-z][a-z0-9+.-]*:/+|\bwww\.)[^\s`<]*[^\s`<.,;:!?)'\"]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
                       re.IGNORECASE)
_INLINE = re.compile(r"[\\`*_\[\]<>$~|&]")  # emphasis, code, links, HTML, LaTeX, tables, entities
_SHORTCODE = re.compile(r":(?=[\w/-]+[:\[])")  # :smile:, :material/home:, :red[...] -- Streamlit reads these late
_LINE_START = re.compile(r"^(\s*)([#>+\-=*]|\d+[.)])", re.MULTILINE)  # headings, quotes, lists, rules


def as_text(text: object) -> str:
    """``text`` as Markdown that renders to exactly ``text``: no link, emphasis, heading or HTML in it."""
    parts, last = [], 0
    value = str(text)
    for found in _LINKABLE.finditer(value):
        parts += [_escaped(value[last:found.start()]), f"`{found.group()}`"]
        last = found.end()
    parts.append(_escaped(value[last:]))
    return "".join(parts).replace("\n", "  \n")  # a line break stays one


def _escaped(text: str) -> str:
    text = _INLINE.sub(lambda m: "\\" + m.group(), _SHORTCODE.sub(":\u200b", text))  # a zero-width space splits it
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2) if len(m.group(2)) == 1
                           else m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], text)


_SHOW: dict[Kind, Callable[..., object]] = {"error": st.error, "warning": st.warning, "info": st.info,
                                            "success": st.success, "caption": st.caption}


def show(kind: Kind, text: object) -> None:
    """An alert (or caption) whose text is shown as typed."""
    _SHOW[kind](as_text(text))


def error(text: object) -> None:
    show("error", text)


def warning(text: object) -> None:
    show("warning", text)


def info(text: object) -> None:
    show("info", text)


def success(text: object) -> None:
    show("success", text)


def caption(text: object) -> None:
    show("caption", text)
