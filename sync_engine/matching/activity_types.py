"""Activity types an admin defines (Zoho has none), and which one a conversation gets.

Teams want "Discovery", "Demo", "Renewal call", "Internal sync" on their activities, and Zoho's Calls
and Events carry no such thing, so the types are ours: each is a name and one or more rules. A rule
holds when all of its conditions hold (title keywords, kind, direction, who took part, the linked
account's type, the linked deal's stage, a minimum duration); a type applies when any of its rules
holds. Types are tried in the admin's order and the first that applies wins, so each conversation
gets exactly one type or none, and the reason names the type, the rule and its conditions.

Precedence, highest first: an admin's override for the conversation; the type the import named
(a dialer's disposition, the ``activity_type`` of a JSON record) when it is a defined type; the rules.
Pure functions over dataclasses: matching computes the facts, this module only decides.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, get_args

Participants = Literal["internal_only", "external", "contact", "lead", "unknown_only"]
PARTICIPANTS: tuple[str, ...] = get_args(Participants)
KINDS = ("meeting", "call")
DIRECTIONS = ("inbound", "outbound")


@dataclass(frozen=True)
class ConversationFacts:
    """What type rules may look at, as matching found it."""

    kind: str  # "meeting" | "call"
    title: str = ""
    direction: str | None = None  # calls
    duration_s: int = 0
    internal: int = 0  # participants from the org (the recording user included)
    external: int = 0  # participants from outside, known or not
    contacts: int = 0  # external participants matched to contacts
    leads: int = 0  # ... to leads
    account_type: str | None = None  # Account_Type of the linked account
    deal_stage: str | None = None  # stage of the linked deal
    given_type: str | None = None  # the type the import named, if any


@dataclass(frozen=True)
class TypeRule:
    """Conditions that must all hold; an empty condition does not constrain."""

    title_keywords: tuple[str, ...] = ()  # any one, as a whole word or phrase, in any case
    kinds: frozenset[str] = frozenset()
    directions: frozenset[str] = frozenset()
    participants: Participants | None = None
    account_types: frozenset[str] = frozenset()  # e.g. {"Customer"}: someone from a customer account took part
    deal_stages: frozenset[str] = frozenset()
    min_duration_s: int = 0

    def __post_init__(self) -> None:
        if self.participants is not None and self.participants not in PARTICIPANTS:
            raise ValueError(f"unknown participants condition {self.participants!r}; choose from "
                             f"{', '.join(PARTICIPANTS)}")
        if not set(self.kinds) <= set(KINDS) or not set(self.directions) <= set(DIRECTIONS):
            raise ValueError(f"kinds must be among {KINDS} and directions among {DIRECTIONS}")
        if any(not k.strip() for k in self.title_keywords):
            raise ValueError("a title keyword may not be blank")


@dataclass(frozen=True)
class ActivityType:
    name: str
    rules: tuple[TypeRule, ...] = ()  # none: the type is only ever set by hand or by the import

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("an activity type needs a name")


@dataclass(frozen=True)
class TypeChoice:
    name: str | None
    reason: str


def check_types(types: Sequence[ActivityType]) -> list[str]:
    """Problems an admin must fix before saving: two types whose names differ only in case would be one."""
    seen: dict[str, str] = {}
    problems = []
    for t in types:
        key = t.name.strip().casefold()
        if key in seen:
            problems.append(f"'{t.name}' and '{seen[key]}' are the same name")
        seen.setdefault(key, t.name)
    return problems


@lru_cache(maxsize=4096)
def _keyword(keyword: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(keyword.strip().casefold())}(?!\w)")


def _participants_hold(condition: str, f: ConversationFacts) -> bool:
    if condition == "internal_only":
        return f.external == 0
    if condition == "external":
        return f.external > 0
    if condition == "contact":
        return f.contacts > 0
    if condition == "lead":
        return f.leads > 0
    return f.external > 0 and f.contacts == 0 and f.leads == 0  # unknown_only


def rule_holds(rule: TypeRule, f: ConversationFacts) -> list[str] | None:
    """The conditions that held, in words, or None when one did not."""
    said: list[str] = []
    if rule.kinds:
        if f.kind not in rule.kinds:
            return None
        said.append(f"a {f.kind}")
    if rule.directions:
        if f.direction not in rule.directions:
            return None
        said.append(f"{f.direction}")
    if rule.title_keywords:
        title = f.title.casefold()
        hit = next((k for k in rule.title_keywords if _keyword(k).search(title)), None)
        if hit is None:
            return None
        said.append(f"title has '{hit.strip()}'")
    if rule.participants is not None:
        if not _participants_hold(rule.participants, f):
            return None
        said.append(f"participants: {rule.participants.replace('_', ' ')}")
    if rule.account_types:
        if f.account_type not in rule.account_types:
            return None
        said.append(f"account type is {f.account_type}")
    if rule.deal_stages:
        if f.deal_stage not in rule.deal_stages:
            return None
        said.append(f"deal stage is {f.deal_stage}")
    if rule.min_duration_s:
        if f.duration_s < rule.min_duration_s:
            return None
        said.append(f"lasted at least {rule.min_duration_s} s")
    return said


def _defined(name: str | None, types: Sequence[ActivityType]) -> ActivityType | None:
    if not name or not name.strip():
        return None
    key = name.strip().casefold()
    return next((t for t in types if t.name.strip().casefold() == key), None)


def assign_activity_type(facts: ConversationFacts, types: Sequence[ActivityType],
                         override: str | None = None) -> TypeChoice:
    """The one activity type of a conversation (or none), and why."""
    notes = []
    if override is not None:
        chosen = _defined(override, types)
        if chosen is not None:
            return TypeChoice(chosen.name, f"activity type '{chosen.name}' set by an admin")
        notes.append(f"the admin's '{override}' is no longer a defined activity type")
    if facts.given_type:
        chosen = _defined(facts.given_type, types)
        if chosen is not None:
            return TypeChoice(chosen.name, f"activity type '{chosen.name}' named by the import")
        notes.append(f"the import named '{facts.given_type}', which is not a defined activity type")
    for t in types:
        for number, rule in enumerate(t.rules, 1):
            said = rule_holds(rule, facts)
            if said is not None:
                how = f" ({'; '.join(said)})" if said else ""
                which = f"rule {number}" if len(t.rules) > 1 else "its rule"
                return TypeChoice(t.name, "; ".join([*notes, f"activity type '{t.name}' by {which}{how}"]))
    tail = "no activity type rule applies" if types else "no activity types are defined"
    return TypeChoice(None, "; ".join([*notes, tail]))
