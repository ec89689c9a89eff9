"""Specification of activity types: admin-defined rules, first match wins, one type or none, overrides win."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync_engine.matching.activity_types import (
    ActivityType,
    ConversationFacts,
    TypeRule,
    assign_activity_type,
    check_types,
    rule_holds,
)

CUSTOMER_MEETING = ConversationFacts(kind="meeting", title="Acme – Quarterly Business Review", internal=2, external=2,
                                     contacts=2, account_type="Customer", deal_stage="Negotiation/Review",
                                     duration_s=3600)
TYPES = (
    ActivityType("Internal sync", (TypeRule(participants="internal_only"),)),
    ActivityType("QBR", (TypeRule(title_keywords=("qbr", "quarterly business review"), account_types=frozenset(
        {"Customer"})),)),
    ActivityType("Negotiation", (TypeRule(deal_stages=frozenset({"Negotiation/Review", "Proposal/Price Quote"})),)),
    ActivityType("Discovery", (
        TypeRule(kinds=frozenset({"call"}), directions=frozenset({"outbound"}), participants="lead"),
        TypeRule(title_keywords=("intro", "discovery")),
    )),
    ActivityType("Manual only"),
)


def facts(**changes: object) -> ConversationFacts:
    base = ConversationFacts(kind="meeting", internal=1, external=1)
    return ConversationFacts(**{**base.__dict__, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(("conversation", "expected"), [
    (CUSTOMER_MEETING, "QBR"),  # QBR comes before Negotiation in the admin's order
    (facts(title="Pricing", deal_stage="Proposal/Price Quote", contacts=1), "Negotiation"),
    (facts(kind="call", direction="outbound", leads=1), "Discovery"),
    (facts(kind="call", direction="inbound", leads=1), None),
    (facts(title="Intro: Globex"), "Discovery"),
    (facts(title="Introduction to Globex"), None),  # keywords are whole words
    (facts(external=0, internal=3, title="Intro to the new pricing"), "Internal sync"),
    (facts(title="QBR", account_type="Prospect"), None),
])
def test_the_first_type_in_the_admins_order_whose_rule_holds_wins(conversation, expected):
    assert assign_activity_type(conversation, TYPES).name == expected


def test_the_reason_names_the_type_the_rule_and_what_held():
    choice = assign_activity_type(CUSTOMER_MEETING, TYPES)
    assert choice.reason == ("activity type 'QBR' by its rule (title has 'quarterly business review'; "
                             "account type is Customer)")
    choice = assign_activity_type(facts(title="Discovery call"), TYPES)
    assert choice.reason == "activity type 'Discovery' by rule 2 (title has 'discovery')"


def test_an_admin_override_wins_over_the_import_and_the_rules():
    choice = assign_activity_type(facts(given_type="Discovery"), TYPES, override="manual ONLY")
    assert (choice.name, choice.reason) == ("Manual only", "activity type 'Manual only' set by an admin")


def test_a_type_named_by_the_import_wins_over_the_rules_when_it_is_defined():
    assert assign_activity_type(facts(external=0, given_type="qbr"), TYPES).name == "QBR"
    choice = assign_activity_type(facts(external=0, given_type="Cold call"), TYPES)
    assert choice.name == "Internal sync"
    assert choice.reason.startswith("the import named 'Cold call', which is not a defined activity type")


def test_an_override_naming_a_deleted_type_falls_back_to_the_rules_and_says_so():
    choice = assign_activity_type(facts(external=0), TYPES, override="Old type")
    assert choice.name == "Internal sync"
    assert "the admin's 'Old type' is no longer a defined activity type" in choice.reason


def test_no_rule_and_no_types_give_none_with_a_reason():
    assert assign_activity_type(facts(), TYPES).reason == "no activity type rule applies"
    assert assign_activity_type(facts(), ()).reason == "no activity types are defined"


@pytest.mark.parametrize(("rule", "conversation", "holds"), [
    (TypeRule(participants="contact"), facts(contacts=1), True),
    (TypeRule(participants="unknown_only"), facts(external=2), True),
    (TypeRule(participants="unknown_only"), facts(external=2, leads=1), False),
    (TypeRule(participants="external"), facts(external=0), False),
    (TypeRule(min_duration_s=600), facts(duration_s=599), False),
    (TypeRule(), facts(), True),  # no conditions: always
])
def test_each_condition_holds_or_not(rule, conversation, holds):
    assert (rule_holds(rule, conversation) is not None) == holds


@pytest.mark.parametrize("bad", [dict(participants="everyone"), dict(kinds=frozenset({"email"})),
                                 dict(title_keywords=(" ",))])
def test_a_rule_an_admin_could_not_mean_is_refused(bad):
    with pytest.raises(ValueError):
        TypeRule(**bad)  # type: ignore[arg-type]


def test_type_names_differing_only_in_case_are_one_name():
    assert check_types([ActivityType("Demo"), ActivityType("demo")]) == ["'demo' and 'Demo' are the same name"]
    with pytest.raises(ValueError):
        ActivityType("  ")


@given(st.text(max_size=40), st.sampled_from(["meeting", "call"]), st.integers(0, 3), st.integers(0, 3),
       st.sampled_from([None, "Customer", "Prospect"]), st.sampled_from([None, "Qualification", "Negotiation/Review"]))
def test_every_conversation_gets_exactly_one_defined_type_or_none(title, kind, external, contacts, account_type,
                                                                   stage):
    conversation = facts(kind=kind, title=title, external=external, contacts=min(contacts, external),
                         account_type=account_type, deal_stage=stage)
    choice = assign_activity_type(conversation, TYPES)
    assert choice.name is None or choice.name in {t.name for t in TYPES}
    assert choice.reason
