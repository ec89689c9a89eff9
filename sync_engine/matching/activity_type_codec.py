"""Activity types and deal rules as JSON: how admins write them (file, CLI, settings) and how they are stored.

    [{"name": "Demo", "rules": [{"title_keywords": ["demo"], "participants": "external"}]},
     {"name": "Renewal", "rules": [{"deal_stages": ["Negotiation/Review"], "kinds": ["meeting", "call"]}]},
     {"name": "Internal sync", "rules": [{"participants": "internal_only"}]}]

Order matters: the first type whose rule holds wins. Unknown keys are refused, so a typo never
silently turns a condition off.
"""
from __future__ import annotations

import json
from typing import Any

from sync_engine.matching.activity_types import ActivityType, TypeRule, check_types
from sync_engine.matching.deal_rules import DealRules

RULE_KEYS = {"title_keywords", "kinds", "directions", "participants", "account_types", "deal_stages",
             "min_duration_s"}
SET_KEYS = {"kinds", "directions", "account_types", "deal_stages"}


class ActivityTypeError(ValueError):
    """The definition cannot be used; the message says which type and rule, and why."""


def _rule(raw: Any, where: str) -> TypeRule:
    if not isinstance(raw, dict):
        raise ActivityTypeError(f"{where}: a rule is an object of conditions")
    unknown = set(raw) - RULE_KEYS
    if unknown:
        raise ActivityTypeError(f"{where}: unknown condition(s) {', '.join(sorted(unknown))}; "
                                f"known: {', '.join(sorted(RULE_KEYS))}")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key in SET_KEYS or key == "title_keywords":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ActivityTypeError(f"{where}: {key} is a list of strings")
            values[key] = frozenset(value) if key in SET_KEYS else tuple(value)
        elif key == "min_duration_s":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ActivityTypeError(f"{where}: min_duration_s is a whole number of seconds >= 0")
            values[key] = value
        else:
            values[key] = value
    try:
        return TypeRule(**values)
    except ValueError as err:
        raise ActivityTypeError(f"{where}: {err}") from None


def types_from_json(text: str) -> tuple[ActivityType, ...]:
    try:
        raw = json.loads(text)
    except ValueError as err:
        raise ActivityTypeError(f"not valid JSON: {err}") from None
    if not isinstance(raw, list):
        raise ActivityTypeError("activity types are a JSON list of {name, rules} objects")
    types = []
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise ActivityTypeError(f"type {i}: needs a name")
        if set(item) - {"name", "rules"}:
            raise ActivityTypeError(f"type {i} ({item['name']}): only name and rules are allowed")
        rules = item.get("rules", [])
        if not isinstance(rules, list):
            raise ActivityTypeError(f"type {i} ({item['name']}): rules is a list")
        try:
            types.append(ActivityType(item["name"], tuple(_rule(r, f"type {i} ({item['name']}), rule {n}")
                                                          for n, r in enumerate(rules, start=1))))
        except ActivityTypeError:
            raise  # already says which type and rule
        except ValueError as err:
            raise ActivityTypeError(f"type {i}: {err}") from None
    problems = check_types(types)
    if problems:
        raise ActivityTypeError("; ".join(problems))
    return tuple(types)


def types_to_json(types: tuple[ActivityType, ...]) -> str:
    def rule(r: TypeRule) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in sorted(RULE_KEYS):
            value = getattr(r, key)
            if value in (None, 0, (), frozenset()):
                continue
            out[key] = sorted(value) if key in SET_KEYS else list(value) if key == "title_keywords" else value
        return out
    return json.dumps([{"name": t.name, "rules": [rule(r) for r in t.rules]} for t in types], ensure_ascii=False)


DEAL_RULE_KEYS = {"order", "pipelines", "skip_stages", "without_contact", "single_only"}


def deal_rules_from_json(text: str) -> DealRules:
    """An org's deal rules, e.g. ``{"order": ["latest_modified"], "skip_stages": ["Qualification"]}``."""
    try:
        raw = json.loads(text)
    except ValueError as err:
        raise ActivityTypeError(f"deal rules: not valid JSON: {err}") from None
    if not isinstance(raw, dict) or set(raw) - DEAL_RULE_KEYS:
        raise ActivityTypeError(f"deal rules are an object with keys among {', '.join(sorted(DEAL_RULE_KEYS))}")
    values: dict[str, Any] = {}
    for key in ("order", "pipelines", "skip_stages"):
        if key in raw:
            if not isinstance(raw[key], list) or not all(isinstance(v, str) for v in raw[key]):
                raise ActivityTypeError(f"deal rules: {key} is a list of strings")
            values[key] = tuple(raw[key]) if key == "order" else frozenset(raw[key])
    for key in ("without_contact", "single_only"):
        if key in raw:
            if not isinstance(raw[key], bool):
                raise ActivityTypeError(f"deal rules: {key} is true or false")
            values[key] = raw[key]
    try:
        return DealRules(**values)
    except ValueError as err:
        raise ActivityTypeError(f"deal rules: {err}") from None


def deal_rules_to_json(rules: DealRules) -> str:
    return json.dumps({"order": list(rules.order), "pipelines": sorted(rules.pipelines),
                       "skip_stages": sorted(rules.skip_stages), "without_contact": rules.without_contact,
                       "single_only": rules.single_only})
