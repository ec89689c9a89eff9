"""Every setting an admin changes is audited (who, when, before, after) and bad values change nothing."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest

from sync_engine import service
from sync_engine.runtime import Runtime
from sync_engine.settings.writeback_settings import DEFAULT_SETTINGS, TaskRule

ADMIN, OTHER_ADMIN = "ada@corp.example", "bob@corp.example"
DEMO = [{"name": "Demo", "rules": [{"title_keywords": ["demo"]}]}]


def only_change(rt: Runtime, org_id: str, setting: str) -> service.SettingChange:
    [change] = service.settings_audit(rt, org_id, setting)
    return change


def test_a_writeback_change_is_audited_with_who_the_defaults_before_and_the_new_value_after(rt, org_id) -> None:
    assert service.set_writeback_settings(rt, org_id, replace(DEFAULT_SETTINGS, log_calls=False), ADMIN)
    change = only_change(rt, org_id, "writeback")
    assert change.changed_by == ADMIN and change.changed_at is not None
    assert change.before["log_calls"] is True and change.after["log_calls"] is False
    assert not service.set_writeback_settings(rt, org_id, replace(DEFAULT_SETTINGS, log_calls=False), OTHER_ADMIN)
    assert len(service.settings_audit(rt, org_id)) == 1  # saving the same value again is no change


def test_a_mapped_stage_the_orgs_pipelines_lack_is_refused_and_nothing_is_audited(rt, org_id) -> None:
    service.mirror_org(rt, org_id)
    assert "Closed Won" in service.deal_stage_names(rt, org_id)
    with pytest.raises(service.SettingsError, match="Closed Wonn"):
        service.set_writeback_settings(rt, org_id, replace(DEFAULT_SETTINGS, stage_map={"won": "Closed Wonn"}), ADMIN)
    assert service.settings_audit(rt, org_id) == []
    assert service.set_writeback_settings(rt, org_id, replace(DEFAULT_SETTINGS, stage_map={"won": "Closed Won"}),
                                          ADMIN)
    assert service.writeback_settings(rt, org_id).stage_map == {"won": "Closed Won"}


def test_activity_types_changes_are_audited_with_the_previous_definition_before(rt, org_id) -> None:
    renewal = [*DEMO, {"name": "Renewal", "rules": [{"deal_stages": ["Negotiation/Review"]}]}]
    assert service.set_activity_types(rt, org_id, json.dumps(DEMO), ADMIN) == 1
    assert service.set_activity_types(rt, org_id, json.dumps(renewal), OTHER_ADMIN) == 2
    latest, first = service.settings_audit(rt, org_id, "activity_types")
    assert (first.changed_by, first.before, first.after) == (ADMIN, [], DEMO)
    assert (latest.changed_by, latest.before, [t["name"] for t in latest.after]) == (OTHER_ADMIN, DEMO,
                                                                                     ["Demo", "Renewal"])
    service.set_activity_types(rt, org_id, json.dumps(renewal), ADMIN)
    assert len(service.settings_audit(rt, org_id, "activity_types")) == 2


def test_invalid_activity_types_are_refused_and_change_nothing(rt, org_id) -> None:
    service.set_activity_types(rt, org_id, json.dumps(DEMO), ADMIN)
    with pytest.raises(service.ActivityTypeError, match="unknown condition"):
        service.set_activity_types(rt, org_id, '[{"name": "X", "rules": [{"titles": ["x"]}]}]', ADMIN)
    assert json.loads(service.activity_types_definition(rt, org_id)) == DEMO
    assert len(service.settings_audit(rt, org_id)) == 1


def test_deal_rules_changes_are_audited_from_the_default_rules_and_bad_rules_change_nothing(rt, org_id) -> None:
    default = json.loads(service.deal_rules_definition(rt, org_id))
    assert service.set_deal_rules(rt, org_id, '{"order": ["nearest_closing"]}', ADMIN)
    change = only_change(rt, org_id, "deal_rules")
    assert change.before == default and change.after["order"] == ["nearest_closing"]
    with pytest.raises(service.ActivityTypeError, match="unknown deal criteria"):
        service.set_deal_rules(rt, org_id, '{"order": ["biggest"]}', ADMIN)
    assert not service.set_deal_rules(rt, org_id, '{"order": ["nearest_closing"]}', OTHER_ADMIN)
    assert json.loads(service.deal_rules_definition(rt, org_id))["order"] == ["nearest_closing"]
    assert len(service.settings_audit(rt, org_id)) == 1


def test_the_budget_share_updates_the_org_and_is_audited(rt, org_id) -> None:
    assert service.set_budget_share(rt, org_id, 0.35, ADMIN)
    assert rt.orgs.get(org_id).budget_share == 0.35
    change = only_change(rt, org_id, "budget_share")
    assert (change.changed_by, change.before, change.after) == (ADMIN, 0.2, 0.35)
    assert not service.set_budget_share(rt, org_id, 0.35, ADMIN)


@pytest.mark.parametrize("share", [0, 0.005, 1.01, -0.2, True, "0.3"])
def test_a_budget_share_outside_1_to_100_percent_is_refused_and_changes_nothing(rt, org_id, share) -> None:
    with pytest.raises(service.SettingsError, match="between 1% and 100%"):
        service.set_budget_share(rt, org_id, share, ADMIN)
    assert rt.orgs.get(org_id).budget_share == 0.2
    assert service.settings_audit(rt, org_id) == []


def test_the_settings_log_lists_every_setting_newest_first_in_words(rt, org_id) -> None:
    service.set_writeback_settings(rt, org_id, replace(DEFAULT_SETTINGS, create_tasks=True,
                                                       tasks=TaskRule(priority="High")), ADMIN)
    service.set_activity_types(rt, org_id, json.dumps(DEMO), ADMIN)
    service.set_deal_rules(rt, org_id, '{"single_only": true}', ADMIN)
    service.set_budget_share(rt, org_id, 0.25, OTHER_ADMIN)
    service.set_job_schedule(rt, org_id, {"mirror": 600}, OTHER_ADMIN)
    log = service.settings_log(rt, org_id)
    assert [row["setting"] for row in log] == ["schedule", "budget_share", "deal_rules", "activity_types",
                                               "writeback"]
    changes = {row["setting"]: row["change"] for row in log}
    assert changes["writeback"] == "create_tasks: off → on; tasks.priority: Normal → High"
    assert changes["activity_types"] == "added Demo"
    assert changes["deal_rules"] == "single_only: off → on"
    assert changes["budget_share"] == "20% → 25%"
    assert changes["schedule"] == "mirror: 5 min → 10 min"
    assert log[0]["who"] == OTHER_ADMIN and log[-1]["who"] == ADMIN
    assert json.loads(log[1]["before"]) == 0.2 and json.loads(log[1]["after"]) == 0.25


def test_one_orgs_settings_and_audit_never_show_in_another_org(rt, org_id, zoho) -> None:
    other = rt.orgs.add(replace(rt.orgs.get(org_id), org_id="other-org", zoho_org_id="other"),
                        rt.orgs.connection_secrets(org_id)).org_id
    service.set_budget_share(rt, org_id, 0.5, ADMIN)
    service.set_job_schedule(rt, org_id, {"mirror": 900}, ADMIN)
    assert service.settings_audit(rt, other) == []
    assert rt.orgs.get(other).budget_share == 0.2
    assert service.job_schedule(rt, other).every_s("mirror") == 300
