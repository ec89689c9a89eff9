"""An audited settings change in words: ``log_calls: on → off; tasks.priority: Normal → High``.

The audit stores whole values before and after (the truth, kept for export); an admin reading the
log wants only what moved. Pure functions of the parsed JSON, so the CLI and the page read alike.
"""
from __future__ import annotations

import json
from typing import Any

from sync_engine.settings.schedule import SCHEDULE_SETTING, duration_words

NONE = "—"


def _word(value: Any, setting: str) -> str:
    if value is None:
        return NONE
    if isinstance(value, bool):
        return "on" if value else "off"
    if setting == SCHEDULE_SETTING and isinstance(value, int):
        return duration_words(value)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested objects as dotted keys (``tasks.priority``), so a change deep inside names its place."""
    if not isinstance(value, dict):
        return {prefix: value}
    flat: dict[str, Any] = {}
    for key, inner in value.items():
        flat.update(_flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
    if not value and prefix:
        flat[prefix] = {}
    return flat


def _named_items(before: list[Any], after: list[Any]) -> str:
    """Lists of ``{"name": ...}`` objects (activity types): what was added, removed, changed or reordered."""
    old = {item["name"]: item for item in before}
    new = {item["name"]: item for item in after}
    parts = [f"added {name}" for name in new if name not in old]
    parts += [f"removed {name}" for name in old if name not in new]
    parts += [f"changed {name}" for name in new if name in old and new[name] != old[name]]
    if not parts and list(old) != list(new):
        parts.append("reordered: " + ", ".join(new))
    return "; ".join(parts) or "no change"


def percent_words(share: float) -> str:
    """A share as people write it: 0.2 -> ``20%``, 0.125 -> ``12.5%`` (never rounded to a whole percent)."""
    return f"{round(share * 100, 2):g}%"


def describe_change(setting: str, before: Any, after: Any) -> str:
    """What changed between two values of ``setting``, in words an admin reads at a glance."""
    if setting == "budget_share" and isinstance(after, int | float):
        shown = percent_words(before) if isinstance(before, int | float) else NONE
        return f"{shown} → {percent_words(after)}"
    if isinstance(after, list) and all(isinstance(i, dict) and "name" in i for i in [*(before or []), *after]):
        return _named_items(before or [], after)
    if isinstance(after, dict) and isinstance(before, dict | None):
        old, new = _flatten(before or {}), _flatten(after)
        keys = set(old) | set(new)
        leaves = [k for k in sorted(keys) if not any(other.startswith(k + ".") for other in keys)]
        parts = [f"{key}: {_word(old.get(key), setting)} → {_word(new.get(key), setting)}"
                 for key in leaves if old.get(key) != new.get(key)]
        return "; ".join(parts) or "no change"
    return f"{_word(before, setting)} → {_word(after, setting)}"
