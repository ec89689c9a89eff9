"""The Settings page: an admin changes each section and sees it saved and audited; a bad value changes
nothing; nobody but the org's admin gets any setting."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from sync_engine import service
from sync_engine.runtime import Runtime
from sync_engine.service.access import DEMO_ACCOUNTS, DemoAccount, Viewer

ROOT = Path(__file__).resolve().parents[2]
ADMIN = next(a for a in DEMO_ACCOUNTS if a.role == "admin")
MANAGER = next(a for a in DEMO_ACCOUNTS if a.role == "manager")
CSM = next(a for a in DEMO_ACCOUNTS if a.role == "csm")


@pytest.fixture
def app(signed_out: AppTest) -> AppTest:
    """Here the app starts signed out: each test first chooses whether the scheduler runs, then signs in."""
    return signed_out


def signed_in(app: AppTest, monkeypatch: pytest.MonkeyPatch, account: DemoAccount,
              scheduler: bool = False) -> AppTest:
    """Start the app on the demo org (by default without its scheduler: no job runs behind the test's back)
    and sign in on the Sign in page."""
    if not scheduler:
        monkeypatch.setenv("SYNC_NO_SCHEDULER", "1")
    app.run()
    fields = {t.label: t for t in app.text_input}
    fields["Email"].set_value(account.email)
    fields["Password"].set_value(account.password)
    click(app, "Sign in")
    app.run()  # the role's pages are registered from this run on
    assert app.session_state["viewer"].email == account.email
    return app


def open_settings(app: AppTest, monkeypatch: pytest.MonkeyPatch, scheduler: bool = False) -> tuple[Runtime, str]:
    """Sign in as the demo org's admin and open Settings."""
    signed_in(app, monkeypatch, ADMIN, scheduler)
    app.switch_page("pages/settings.py")
    app.run()
    assert not app.exception, app.exception
    return app.session_state["runtime"], app.session_state["viewer"].org_id


def click(app: AppTest, label: str) -> None:
    next(b for b in app.button if b.label == label).click()
    app.run()
    assert not app.exception, app.exception


def by_label(elements, label: str):  # noqa: ANN001, ANN201 -- AppTest's element sequences are loosely typed
    return next(e for e in elements if e.label == label)


def audit(app: AppTest) -> pd.DataFrame:
    return app.dataframe[-1].value


def messages(elements) -> str:  # noqa: ANN001
    return " | ".join(e.value for e in elements)


def test_the_page_reads_as_a_report_ending_with_the_changes(app: AppTest, monkeypatch) -> None:
    open_settings(app, monkeypatch)
    assert [h.value for h in app.subheader] == ["Write-back", "Deal stage mapping", "Follow-up tasks",
                                                "Activity types", "Deal rules", "Budget share", "Schedule",
                                                "Changes"]
    assert "No changes yet" in messages(app.caption)
    assert all(t.help for t in app.toggle)  # each write-back setting says what it does


def test_an_admin_turns_on_deal_stage_updates_and_sees_it_saved_and_audited(app: AppTest, monkeypatch) -> None:
    rt, org_id = open_settings(app, monkeypatch)
    by_label(app.toggle, "Update the deal stage").set_value(True)
    by_label(app.toggle, "Log calls as Calls").set_value(False)
    click(app, "Save write-back")
    assert "Saved write-back" in messages(app.success)
    settings = service.writeback_settings(rt, org_id)
    assert settings.update_deal_stage and not settings.log_calls
    latest = audit(app).iloc[0]
    assert (latest["who"], latest["setting"]) == (ADMIN.email, "writeback")
    assert latest["change"] == "log_calls: on → off; update_deal_stage: off → on"


def test_an_admin_maps_an_outcome_to_one_of_the_orgs_pipeline_stages(app: AppTest, monkeypatch) -> None:
    monkeypatch.setenv("SYNC_NO_SCHEDULER", "1")
    app.run()
    rt = app.session_state["runtime"]
    org_id = rt.orgs.list()[0].org_id
    service.mirror_org(rt, org_id)  # the pipeline stages come from the mirror
    open_settings(app, monkeypatch)
    by_label(app.text_input, "Add an outcome or activity type").input("won")
    stage = by_label(app.selectbox, "its stage")
    assert "Closed Won" in stage.options and "Qualification" in stage.options
    stage.select("Closed Won")
    click(app, "Save stage mapping")
    assert "Saved the stage mapping" in messages(app.success)
    assert service.writeback_settings(rt, org_id).stage_map == {"won": "Closed Won"}
    assert audit(app).iloc[0]["change"] == "stage_map.won: — → Closed Won"
    app.run()
    assert by_label(app.selectbox, "won").value == "Closed Won"  # the mapping is a row of its own now


def test_the_stage_mapping_waits_for_the_mirrors_pipeline_stages(app: AppTest, monkeypatch) -> None:
    open_settings(app, monkeypatch)
    assert "has not pulled this org's pipeline stages yet" in messages(app.info)
    assert not any(b.label == "Save stage mapping" for b in app.button)


def test_an_admin_changes_the_follow_up_task_rule(app: AppTest, monkeypatch) -> None:
    rt, org_id = open_settings(app, monkeypatch)
    by_label(app.number_input, "Due after (days)").set_value(5)
    by_label(app.selectbox, "Priority").select("High")
    by_label(app.selectbox, "Task owner").select("record_owner")
    click(app, "Save task rule")
    rule = service.writeback_settings(rt, org_id).tasks
    assert (rule.due_in_days, rule.priority, rule.owner) == (5, "High", "record_owner")
    assert audit(app).iloc[0]["change"] == ("tasks.due_in_days: 2 → 5; tasks.owner: conversation_user → "
                                            "record_owner; tasks.priority: Normal → High")


def test_an_admin_defines_activity_types_and_they_are_offered_in_the_stage_mapping(app: AppTest,
                                                                                    monkeypatch) -> None:
    rt, org_id = open_settings(app, monkeypatch)
    types = [{"name": "Demo", "rules": [{"title_keywords": ["demo"]}]}, {"name": "QBR", "rules": []}]
    by_label(app.text_area, "Activity types (JSON)").input(json.dumps(types))
    click(app, "Save activity types")
    assert "Saved 2 activity types" in messages(app.success)
    assert [t["name"] for t in json.loads(service.activity_types_definition(rt, org_id))] == ["Demo", "QBR"]
    assert (audit(app).iloc[0]["setting"], audit(app).iloc[0]["change"]) == ("activity_types", "added Demo; added QBR")
    app.run()
    assert "Activity types: Demo, QBR." in messages(app.caption)


def test_invalid_activity_types_show_the_error_in_words_and_change_nothing(app: AppTest, monkeypatch) -> None:
    rt, org_id = open_settings(app, monkeypatch)
    by_label(app.text_area, "Activity types (JSON)").input('[{"name": "Demo", "rules": [{"titles": ["demo"]}]}]')
    click(app, "Save activity types")
    assert "Not saved: type 1 (Demo), rule 1: unknown condition(s) titles" in messages(app.error)
    assert service.activity_types_definition(rt, org_id) == "[]"
    assert service.settings_audit(rt, org_id) == []
    assert "No changes yet" in messages(app.caption)


def test_an_admin_changes_the_deal_rules(app: AppTest, monkeypatch) -> None:
    rt, org_id = open_settings(app, monkeypatch)
    by_label(app.text_area, "Deal rules (JSON)").input('{"order": ["nearest_closing"], "single_only": true}')
    click(app, "Save deal rules")
    assert "Saved the deal rules" in messages(app.success)
    assert json.loads(service.deal_rules_definition(rt, org_id))["order"] == ["nearest_closing"]
    assert audit(app).iloc[0]["setting"] == "deal_rules"


def test_an_admin_changes_the_budget_share_and_sees_what_it_means_in_credits(app: AppTest, monkeypatch) -> None:
    rt, org_id = open_settings(app, monkeypatch)
    limit = rt.orgs.get(org_id).daily_credit_limit
    assert f"Now 20% of the daily limit of {limit:,} credits = {limit // 5:,} credits" in messages(app.caption)
    by_label(app.number_input, "Budget share (% of the daily credit limit)").set_value(35)
    click(app, "Save budget share")
    assert f"35% of {limit:,} = {int(limit * 0.35):,} credits per 24 h" in messages(app.success)
    assert rt.orgs.get(org_id).budget_share == 0.35
    assert (audit(app).iloc[0]["setting"], audit(app).iloc[0]["change"]) == ("budget_share", "20% → 35%")


@pytest.mark.parametrize(("percent", "says"), [
    (0, "not 0%: below 1% nothing useful fits in it"),
    (150, "not 150%: above 100% would spend more than Zoho allows the whole org in a day"),
    (-5, "not -5%: below 1%")])
def test_a_budget_share_out_of_range_is_refused_with_why_in_words(app: AppTest, monkeypatch, percent: float,
                                                                  says: str) -> None:
    rt, org_id = open_settings(app, monkeypatch)
    by_label(app.number_input, "Budget share (% of the daily credit limit)").set_value(percent)
    click(app, "Save budget share")
    shown = messages(app.error)
    assert "Not saved: the budget share is between 1% and 100% of the daily credit limit" in shown and says in shown
    assert rt.orgs.get(org_id).budget_share == 0.2


def test_a_fractional_budget_share_is_kept_as_typed(app: AppTest, monkeypatch) -> None:
    rt, org_id = open_settings(app, monkeypatch)
    by_label(app.number_input, "Budget share (% of the daily credit limit)").set_value(12.5)
    click(app, "Save budget share")
    assert rt.orgs.get(org_id).budget_share == 0.125
    assert "Saved the budget share. 12.5% of" in messages(app.success)
    app.run()  # the caption above the form is drawn before the form saves: the next run shows the new share
    assert "Now 12.5% of the daily limit" in messages(app.caption)
    assert audit(app).iloc[0]["change"] == "20% → 12.5%"


def test_a_negative_interval_is_refused_with_why_in_words(app: AppTest, monkeypatch) -> None:
    rt, org_id = open_settings(app, monkeypatch)
    by_label(app.number_input, "mirror (seconds)").set_value(-60)
    click(app, "Save schedule")
    assert ("Not saved: mirror: the interval is a number of seconds above zero, not -60; it may run every "
            "1 min to 1 day") in messages(app.error)
    assert service.job_schedule(rt, org_id).every_s("mirror") == 300


def test_an_admin_changes_the_schedule_and_the_running_scheduler_follows(app: AppTest, monkeypatch) -> None:
    rt, org_id = open_settings(app, monkeypatch, scheduler=True)
    scheduler = rt.scheduler
    assert scheduler.intervals()[f"{org_id}:mirror"] == 300
    by_label(app.number_input, "mirror (seconds)").set_value(900)
    click(app, "Save schedule")
    assert "Saved the schedule" in messages(app.success)
    assert service.job_schedule(rt, org_id).every_s("mirror") == 900
    assert scheduler.intervals()[f"{org_id}:mirror"] == 900
    assert audit(app).iloc[0]["change"] == "mirror: 5 min → 15 min"


def test_an_interval_out_of_bounds_shows_the_allowed_range_and_changes_nothing(app: AppTest, monkeypatch) -> None:
    rt, org_id = open_settings(app, monkeypatch)
    by_label(app.number_input, "push (seconds)").set_value(5)
    click(app, "Save schedule")
    assert "Not saved: push may run every 15 s to 1 h, not every 5 s" in messages(app.error)
    assert service.job_schedule(rt, org_id).every_s("push") == 30
    assert service.settings_audit(rt, org_id) == []


def test_saving_a_section_unchanged_says_so_and_audits_nothing(app: AppTest, monkeypatch) -> None:
    rt, org_id = open_settings(app, monkeypatch)
    click(app, "Save write-back")
    assert "No change to write-back" in messages(app.info)
    assert service.settings_audit(rt, org_id) == []


def test_the_changes_are_listed_newest_first_with_who_and_when(app: AppTest, monkeypatch) -> None:
    rt, org_id = open_settings(app, monkeypatch)
    service.set_budget_share(rt, org_id, 0.3, "someone.else@demo.example")
    by_label(app.toggle, "Create follow-up Tasks").set_value(True)
    click(app, "Save write-back")
    log = audit(app)
    assert list(log["setting"]) == ["writeback", "budget_share"]
    assert list(log["who"]) == [ADMIN.email, "someone.else@demo.example"]
    assert log["when"].is_monotonic_decreasing
    assert {"when", "who", "setting", "change", "before", "after"} <= set(log.columns)


@pytest.mark.parametrize("who", ["manager", "csm", "admin of another org", "nobody signed in"])
def test_nobody_but_the_orgs_admin_gets_any_setting(app: AppTest, monkeypatch, who: str) -> None:
    """The page checks the viewer itself, whatever the navigation offers."""
    monkeypatch.setenv("SYNC_NO_SCHEDULER", "1")
    app.run()
    rt = app.session_state["runtime"]
    org_id = rt.orgs.list()[0].org_id
    viewer = {"manager": Viewer(MANAGER.email, MANAGER.name, "manager", org_id),
              "csm": Viewer(CSM.email, CSM.name, "csm", None),
              "admin of another org": Viewer("admin@other.example", "Other Admin", "admin", "other-org"),
              "nobody signed in": None}[who]
    page = AppTest.from_file(str(ROOT / "pages" / "settings.py"), default_timeout=60)
    page.session_state["runtime"] = rt
    if viewer is not None:
        page.session_state["viewer"] = viewer
    page.run()
    assert not page.exception, page.exception
    assert page.warning  # what it says depends on who; what matters is that nothing else is drawn
    assert not page.button and not page.toggle and not page.text_area and not page.dataframe


@pytest.mark.parametrize("account", [MANAGER, CSM], ids=["manager", "csm"])
def test_a_manager_or_csm_who_opens_settings_gets_no_setting(app: AppTest, monkeypatch, account) -> None:
    """The navigation does not offer the page; opened anyway (AppTest may resolve it from the pages/ folder),
    the page refuses by itself."""
    signed_in(app, monkeypatch, account)
    try:
        app.switch_page("pages/settings.py")
    except ValueError:
        return  # not even reachable: not among the role's pages
    app.run()
    assert not app.exception, app.exception
    assert "Settings are changed by the admins of an org." in messages(app.warning)
    assert not app.subheader and not app.toggle and not app.text_area and not app.dataframe
    assert not any(b.label.startswith("Save") for b in app.button)
