"""Email addresses as people and calendars write them, read with a real parser (``email.utils``).

CRM fields, calendar invitations and exports carry ``Ana Ruiz <ana@x.com>``, ``"Ruiz, Ana" <ana@x.com>``,
``<ana@x.com>``, ``mailto:ana@x.com``, upper case and stray whitespace. Deleting characters until
something looks like an address turns ``Ana Ruiz <ana@x.com>`` into ``anaruiz<ana@x.com>`` -- a key
that silently matches nobody. So the text is parsed as RFC 5322 address lists are (display names,
quoted strings, angle brackets, comments), a ``mailto:`` scheme is taken off first, and what comes out
must be shaped like ``local@domain.tld``; anything else is *unreadable*, which callers report.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import getaddresses

from sync_engine.records.users import normalise_email

MAX_ADDRESS_CHARS = 254
_MAILTO = re.compile(r"(?i)(^|[<\s,;:])mailto:")
_SHAPE = re.compile(r"[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\".]+\Z")


@dataclass(frozen=True)
class Address:
    """One address read from a text: normalised (casefolded) and the display name that came with it."""

    email: str
    name: str | None = None


def read_addresses(text: str) -> list[Address]:
    """Every well-formed address in ``text`` (a field may hold ``a@x.com; b@y.com``); [] when none is readable."""
    cleaned = _MAILTO.sub(lambda m: m.group(1), text.strip()).replace(";", ",")
    if not cleaned:
        return []
    found: list[Address] = []
    for name, raw in getaddresses([cleaned]):
        address = normalise_email(raw)
        if len(address) <= MAX_ADDRESS_CHARS and _SHAPE.match(address) and not address.startswith("."):
            item = Address(address, " ".join(name.split()) or None)
            if item.email not in {a.email for a in found}:
                found.append(item)
    return found


def read_address(text: str) -> Address | None:
    """The one address a participant or a field holds; None when there is none, or several, to read."""
    found = read_addresses(text)
    return found[0] if len(found) == 1 else None
