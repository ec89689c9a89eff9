"""Activity types as admins write them in JSON: validated with messages that say where, round-tripped."""
from __future__ import annotations

import json

import pytest

from sync_engine.matching.activity_type_codec import ActivityTypeError, types_from_json, types_to_json

DEFINITION = [
    {"name": "Demo", "rules": [{"title_keywords": ["demo"], "participants": "external"}]},
    {"name": "Renewal", "rules": [{"deal_stages": ["Negotiation/Review"], "kinds": ["meeting", "call"]}]},
    {"name": "Long call", "rules": [{"kinds": ["call"], "directions": ["outbound"], "min_duration_s": 600}]},
    {"name": "Disposition only"},
]


def test_definitions_round_trip_in_order() -> None:
    types = types_from_json(json.dumps(DEFINITION))
    assert [t.name for t in types] == ["Demo", "Renewal", "Long call", "Disposition only"]
    assert types_from_json(types_to_json(types)) == types


@pytest.mark.parametrize(("definition", "message"), [
    ("not json", "not valid JSON"),
    ('{"name": "Demo"}', "JSON list"),
    ('[{"rules": []}]', "type 1: needs a name"),
    ('[{"name": "Demo", "rules": [{"title_keyword": ["demo"]}]}]', "unknown condition"),
    ('[{"name": "Demo", "rules": [{"participants": "everyone"}]}]', "participants"),
    ('[{"name": "Demo", "rules": [{"min_duration_s": -5}]}]', "min_duration_s"),
    ('[{"name": "Demo"}, {"name": "demo"}]', "Demo"),
])
def test_bad_definitions_are_refused_with_where_and_why(definition: str, message: str) -> None:
    with pytest.raises(ActivityTypeError, match=message):
        types_from_json(definition)


def test_deal_rules_round_trip_and_refuse_unknown_criteria() -> None:
    from sync_engine.matching.activity_type_codec import deal_rules_from_json, deal_rules_to_json

    rules = deal_rules_from_json('{"order": ["nearest_closing", "latest_modified"], "skip_stages": ["Qualification"]}')
    assert rules.order == ("nearest_closing", "latest_modified")
    assert rules.skip_stages == frozenset({"Qualification"})
    assert deal_rules_from_json(deal_rules_to_json(rules)) == rules
    with pytest.raises(ActivityTypeError, match="unknown deal criteria"):
        deal_rules_from_json('{"order": ["biggest_amount"]}')
    with pytest.raises(ActivityTypeError, match="keys among"):
        deal_rules_from_json('{"ordre": []}')
