"""An audited change reads as what moved, not as two whole JSON documents."""
from __future__ import annotations

import pytest

from sync_engine.settings.changes import describe_change

DEMO = {"name": "Demo", "rules": [{"title_keywords": ["demo"]}]}
QBR = {"name": "QBR", "rules": []}


@pytest.mark.parametrize(("setting", "before", "after", "words"), [
    ("writeback", {"log_calls": True, "tasks": {"priority": "Normal"}},
     {"log_calls": False, "tasks": {"priority": "High"}}, "log_calls: on → off; tasks.priority: Normal → High"),
    ("writeback", {"stage_map": {}}, {"stage_map": {"won": "Closed Won"}}, "stage_map.won: — → Closed Won"),
    ("writeback", {"stage_map": {"won": "Closed Won"}}, {"stage_map": {}}, "stage_map.won: Closed Won → —"),
    ("writeback", {"log_calls": True}, {"log_calls": True}, "no change"),
    ("schedule", {"push": 30, "mirror": 300}, {"push": 15, "mirror": 300}, "push: 30 s → 15 s"),
    ("budget_share", 0.2, 0.35, "20% → 35%"),
    ("activity_types", [], [DEMO], "added Demo"),
    ("activity_types", [DEMO, QBR], [QBR], "removed Demo"),
    ("activity_types", [DEMO], [{**DEMO, "rules": []}], "changed Demo"),
    ("activity_types", [DEMO, QBR], [QBR, DEMO], "reordered: QBR, Demo"),
    ("deal_rules", None, {"single_only": True}, "single_only: — → on"),
])
def test_a_change_is_described_by_what_moved(setting, before, after, words) -> None:
    assert describe_change(setting, before, after) == words
