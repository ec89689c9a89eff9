"""The matcher's reasons grouped into a few categories a manager can read at a glance.

Reasons are sentences written by ``matching/matcher.py`` and ``matching/candidates.py`` ("x.com is not the
domain of any account: ..."), one list per conversation. The dashboard counts conversations per
*category*: the first category, in the order below, whose status fits and one of whose phrases
appears in the conversation's reasons. The phrases are quoted from the matcher; a reworded reason
falls into "other", which the Match rates page shows, so a drift is visible rather than silent.

The same definitions give a pure function (for a single conversation) and a SQL expression (for a
million of them at once, inside DuckDB).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MATCHED = ("matched",)
PARTIAL = ("partial",)
LINKED = ("matched", "partial")
AMBIGUOUS = ("ambiguous",)
NOT_LINKED = ("unmatched", "ambiguous")
HELD_CATEGORY = "held: the user has no Zoho user"
NOT_MATCHED_YET_CATEGORY = "not matched yet"
INTERNAL_CATEGORY = "internal: only the org's people"
OTHER = "other"


@dataclass(frozen=True)
class ReasonCategory:
    name: str
    statuses: tuple[str, ...]
    phrases: tuple[str, ...]


# The commonest first where the order does not change the answer: at a million conversations every
# phrase tested is a pass over the reasons' text.
CATEGORIES: tuple[ReasonCategory, ...] = (
    ReasonCategory("contact or lead by email", MATCHED, (" (email)",)),
    ReasonCategory("contact or lead by phone", MATCHED, (" (phone", "by its national digits")),
    ReasonCategory("account by the attendees' domain", PARTIAL, (" by the domain ",)),
    ReasonCategory("account by a company phone number", PARTIAL, ("is the number of ",)),
    ReasonCategory("shared email or phone, all of one account", PARTIAL, (", all of ",)),
    ReasonCategory("shared email or phone, resolved by recent activity", LINKED, ("is the only one active within",)),
    ReasonCategory("several accounts share the domain", AMBIGUOUS, ("is the domain of ",)),
    ReasonCategory("participants point at several accounts", AMBIGUOUS, ("the participants point at ",
                                                                          "a tie, so no account")),
    ReasonCategory("shared email or phone, no clear owner", AMBIGUOUS, ("not all of one account",)),
    ReasonCategory("company domain not in Zoho", NOT_LINKED, ("is not the domain of any account",)),
    ReasonCategory("phone number not in Zoho", NOT_LINKED, ("is not on any contact, lead or account",)),
    ReasonCategory("personal email addresses only", NOT_LINKED, ("on personal-mail domains",)),
    ReasonCategory("phone number missing or invalid", NOT_LINKED, ("is not a phone number that can be matched",)),
    ReasonCategory("attendees without an email address", NOT_LINKED, ("without an email address",)),
)

CATEGORY_NAMES: tuple[str, ...] = (INTERNAL_CATEGORY, *(c.name for c in CATEGORIES), HELD_CATEGORY,
                                   NOT_MATCHED_YET_CATEGORY, OTHER)


def reason_category(status: str, reasons: Iterable[str]) -> str:
    """The category of one conversation (see the module docstring for the rule)."""
    if status == "held":
        return HELD_CATEGORY
    if status == "not matched yet":
        return NOT_MATCHED_YET_CATEGORY
    if status == "internal":
        return INTERNAL_CATEGORY
    text = "\n".join(reasons)
    for category in CATEGORIES:
        if status in category.statuses and any(p in text for p in category.phrases):
            return category.name
    return OTHER


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def reason_category_sql(status: str, reasons_text: str) -> str:
    """``reason_category`` as a DuckDB expression over a status and the reasons' JSON text.

    The phrases are plain ASCII, and JSON escapes only quotes, backslashes and non-ASCII characters,
    so a phrase found in the sentence is found in its JSON text too.
    """
    whens = [f"WHEN {status} = 'held' THEN {_literal(HELD_CATEGORY)}",
             f"WHEN {status} = 'not matched yet' THEN {_literal(NOT_MATCHED_YET_CATEGORY)}",
             f"WHEN {status} = 'internal' THEN {_literal(INTERNAL_CATEGORY)}"]
    for c in CATEGORIES:
        statuses = ", ".join(_literal(s) for s in c.statuses)
        found = " OR ".join(f"contains({reasons_text}, {_literal(p)})" for p in c.phrases)
        whens.append(f"WHEN {status} IN ({statuses}) AND ({found}) THEN {_literal(c.name)}")
    return "CASE " + " ".join(whens) + f" ELSE {_literal(OTHER)} END"
