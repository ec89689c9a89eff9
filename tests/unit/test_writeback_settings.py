"""Specification of the write-back settings an admin stores (JSON codec, validation in words), and of the
credit governor that decides what may spend the org's budget now."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync_engine.settings.writeback_settings import (
    DEFAULT_SETTINGS,
    SettingsError,
    TaskRule,
    WritebackSettings,
    settings_from_json,
    settings_to_json,
    unknown_stages,
)
from sync_engine.writeback.governor import (
    BACKFILL,
    FIRST_PAUSE_S,
    MAX_PAUSE_S,
    MIRROR,
    PRIORITY_CEILINGS,
    WRITEBACK,
    CreditGovernor,
)

NOW = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)


# -- defaults and the codec ---------------------------------------------------------------------------
def test_an_org_nobody_configured_logs_activities_with_subject_and_summary_but_changes_no_deals():
    s = DEFAULT_SETTINGS
    assert (s.log_meetings, s.log_calls, s.set_call_subject, s.write_summary) == (True, True, True, True)
    assert (s.update_deal_stage, s.create_tasks, s.allow_stage_backwards) == (False, False, False)
    assert s.statuses == ("matched", "partial") and s.stage_map == {} and s.backfill_days == 2
    assert s.tasks == TaskRule("conversation_user", 2, True, "Normal")


@pytest.mark.parametrize("text", [None, "", "  \n", "{}"])
def test_no_stored_settings_means_the_defaults(text):
    assert settings_from_json(text) == DEFAULT_SETTINGS


def test_missing_keys_take_their_defaults():
    parsed = settings_from_json('{"create_tasks": true, "tasks": {"priority": "High"}}')
    assert parsed == WritebackSettings(create_tasks=True, tasks=TaskRule(priority="High"))


def test_the_documented_example_parses():
    text = """{"log_meetings": true, "log_calls": true, "set_call_subject": true, "write_summary": true,
     "update_deal_stage": true, "stage_map": {"Demo": "Needs Analysis", "won": "Closed Won"},
     "create_tasks": true, "tasks": {"owner": "conversation_user", "due_in_days": 2, "business_days": true,
                                     "priority": "High"},
     "statuses": ["matched", "partial"], "backfill_days": 2}"""
    parsed = settings_from_json(text)
    assert parsed.update_deal_stage and parsed.stage_map == {"Demo": "Needs Analysis", "won": "Closed Won"}
    assert parsed.tasks.priority == "High"


settings_strategy = st.builds(
    WritebackSettings,
    log_meetings=st.booleans(), log_calls=st.booleans(), set_call_subject=st.booleans(), write_summary=st.booleans(),
    update_deal_stage=st.booleans(), allow_stage_backwards=st.booleans(), create_tasks=st.booleans(),
    stage_map=st.dictionaries(st.text(min_size=1).filter(str.strip), st.text(min_size=1).filter(str.strip),
                              max_size=4).filter(lambda m: len({k.strip().lower() for k in m}) == len(m)),
    tasks=st.builds(TaskRule, owner=st.sampled_from(["conversation_user", "record_owner"]),
                    due_in_days=st.integers(0, 90), business_days=st.booleans(),
                    priority=st.sampled_from(["Highest", "High", "Normal", "Low", "Lowest"])),
    statuses=st.lists(st.sampled_from(["matched", "partial", "ambiguous", "unmatched"]), unique=True).map(tuple),
    backfill_days=st.integers(0, 365),
)


@given(settings_strategy)
def test_settings_survive_the_json_round_trip(settings):
    text = settings_to_json(settings)
    assert settings_from_json(text) == settings
    assert settings_to_json(settings_from_json(text)) == text  # canonical: the audit compares texts


# -- validation messages ------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "message"), [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "write-back settings are a JSON object"),
    ('{"log_meeting": true}', "unknown setting(s) log_meeting; known: allow_stage_backwards, backfill_days"),
    ('{"log_calls": "yes"}', "log_calls must be true or false"),
    ('{"write_summary": 1}', "write_summary must be true or false"),
    ('{"statuses": "matched"}', 'statuses is a list, e.g. ["matched", "partial"]'),
    ('{"statuses": ["matched", "maybe"]}', "statuses: maybe cannot be written; choose from matched, partial, "
                                           "ambiguous, unmatched"),
    ('{"stage_map": ["Demo"]}', 'stage_map is an object: {"activity type or outcome": "stage"}'),
    ('{"stage_map": {"Demo": ""}}', "stage_map maps an activity type or outcome (text) to a stage (text)"),
    ('{"stage_map": {"Demo": 3}}', "stage_map maps an activity type or outcome (text) to a stage (text)"),
    ('{"stage_map": {" ": "Closed Won"}}', "stage_map maps an activity type or outcome (text) to a stage (text)"),
    ('{"stage_map": {"won": "Closed Won", " WON": "Closed Lost"}}', "stage_map has both 'won' and ' WON', the same "
                                                                  "key once case and spaces are ignored; keep one"),
    ('{"backfill_days": -1}', "backfill_days must be a whole number of days >= 0"),
    ('{"backfill_days": true}', "backfill_days must be a whole number of days >= 0"),
    ('{"backfill_days": 1.5}', "backfill_days must be a whole number of days >= 0"),
    ('{"tasks": "soon"}', "tasks is an object with keys business_days, due_in_days, owner, priority"),
    ('{"tasks": {"due": 2}}', "tasks is an object with keys business_days, due_in_days, owner, priority"),
    ('{"tasks": {"owner": "manager"}}', "tasks.owner must be one of conversation_user, record_owner, not 'manager'"),
    ('{"tasks": {"due_in_days": 91}}', "tasks.due_in_days must be a whole number of days from 0 to 90"),
    ('{"tasks": {"due_in_days": -1}}', "tasks.due_in_days must be a whole number of days from 0 to 90"),
    ('{"tasks": {"due_in_days": true}}', "tasks.due_in_days must be a whole number of days from 0 to 90"),
    ('{"tasks": {"priority": "Urgent"}}', "tasks.priority must be one of Highest, High, Normal, Low, Lowest, "
                                          "not 'Urgent'"),
])
def test_what_is_wrong_is_said_in_words(text, message):
    with pytest.raises(SettingsError) as caught:
        settings_from_json(text)
    assert message in str(caught.value)


def test_the_outcome_wins_over_the_activity_type_and_both_match_loosely():
    settings = WritebackSettings(stage_map={"Demo": "Needs Analysis", "Won": "Closed Won"})
    assert settings.stage_for("won", "Demo") == "Closed Won"
    assert settings.stage_for(" WON ", None) == "Closed Won"
    assert settings.stage_for("no decision", "demo") == "Needs Analysis"
    assert settings.stage_for(None, "Check-in") is None
    assert settings.stage_for(None, None) is None


def test_mapped_stages_the_pipelines_lack_are_named():
    settings = WritebackSettings(stage_map={"Demo": "Needs Analysis", "won": "Closed Won", "x": "Contract Sent"})
    assert unknown_stages(settings, ["Needs Analysis", "Closed Won", "Qualification"]) == ["Contract Sent"]
    assert unknown_stages(DEFAULT_SETTINGS, []) == []


def test_stored_json_is_canonical_and_readable():
    stored = json.loads(settings_to_json(WritebackSettings(stage_map={"b": "B", "a": "A"})))
    assert stored["stage_map"] == {"a": "A", "b": "B"} and stored["statuses"] == ["matched", "partial"]
    assert stored["tasks"] == {"owner": "conversation_user", "due_in_days": 2, "business_days": True,
                               "priority": "Normal"}


# -- the credit governor ------------------------------------------------------------------------------
BUDGET = 1_000


@pytest.mark.parametrize(("priority", "used", "allowed"), [
    (WRITEBACK, 990, True),  # write-back of recent conversations may use the whole budget
    (WRITEBACK, 991, False),
    (MIRROR, 890, True),  # the incremental mirror stops at 90%
    (MIRROR, 891, False),
    (BACKFILL, 690, True),  # backfills stop at 70%
    (BACKFILL, 691, False),
    (BACKFILL, 0, True),
])
def test_each_priority_spends_up_to_its_ceiling(priority, used, allowed):
    decision = CreditGovernor().may_spend("org-1", priority, 10, used, BUDGET, NOW)
    assert decision.allowed is allowed
    assert (decision.reason == "") is allowed


def test_the_ceilings_are_100_90_and_70_percent():
    assert PRIORITY_CEILINGS == {WRITEBACK: 1.0, MIRROR: 0.9, BACKFILL: 0.7}


def test_a_refusal_says_who_may_spend_how_much_and_what_is_used():
    decision = CreditGovernor().may_spend("org-1", BACKFILL, 10, 695, BUDGET, NOW)
    assert decision.reason == "backfill may use up to 700 credits in 24 h (70% of the budget 1,000); 695 used"


def test_a_rate_limited_org_pauses_one_minute_then_doubling_up_to_thirty():
    governor = CreditGovernor()
    moment, waits = NOW, []
    for _ in range(8):
        until = governor.pause("org-1", moment)
        waits.append((until - moment).total_seconds())
        moment = until  # the retry after the pause is refused again
    assert FIRST_PAUSE_S == 60 and MAX_PAUSE_S == 1800
    assert waits == [60, 120, 240, 480, 960, 1800, 1800, 1800]


def test_while_paused_nothing_may_spend_and_afterwards_everything_may():
    governor = CreditGovernor()
    until = governor.pause("org-1", NOW)
    for priority in (WRITEBACK, MIRROR, BACKFILL):
        decision = governor.may_spend("org-1", priority, 1, 0, BUDGET, NOW + timedelta(seconds=59))
        assert not decision.allowed and decision.reason == "paused by Zoho's rate limit until 15:01:00 UTC"
    assert governor.paused_until("org-1", NOW + timedelta(seconds=59)) == until
    assert governor.paused_until("org-1", until) is None
    assert governor.may_spend("org-1", WRITEBACK, 1, 0, BUDGET, until).allowed


def test_an_accepted_call_ends_the_pause_and_resets_the_backoff():
    governor = CreditGovernor()
    governor.pause("org-1", NOW)
    governor.pause("org-1", NOW + timedelta(minutes=1))
    governor.resume("org-1")
    assert governor.paused_until("org-1", NOW + timedelta(minutes=1)) is None
    assert governor.pause("org-1", NOW) == NOW + timedelta(seconds=FIRST_PAUSE_S)


def test_one_orgs_pause_does_not_hold_another():
    governor = CreditGovernor()
    governor.pause("org-1", NOW)
    assert governor.may_spend("org-2", WRITEBACK, 10, 0, BUDGET, NOW).allowed
    assert governor.paused_until("org-2", NOW) is None
