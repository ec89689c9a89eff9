"""Settings (admins of one org): what is written back to Zoho, how conversations are typed and linked to
deals, what the integration may spend, how often its jobs run; every saved change audited and listed last."""
from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st

import page_messages as say
from sync_engine import service
from sync_engine.service import (
    MAX_DUE_DAYS,
    TASK_PRIORITIES,
    WRITABLE_STATUSES,
    WritebackSettings,
    bounds_words,
    duration_words,
    percent_words,
)

NO_STAGE = "— no stage change —"
TOGGLES: dict[str, tuple[str, str]] = {
    "log_meetings": ("Log meetings as Events", "Each recorded meeting becomes a Zoho Event owned by the matched "
                     "Zoho user, linked to its contact or lead, account and deal."),
    "log_calls": ("Log calls as Calls", "Each recorded call becomes a Zoho Call owned by the matched Zoho user."),
    "set_call_subject": ("Descriptive call subject", "“Demo call with Bob Stone (Northwind)” rather than "
                         "“Outbound call”."),
    "write_summary": ("Write the summary", "The conversation's summary goes into the activity's Description."),
    "update_deal_stage": ("Update the deal stage", "Move the linked deal to the stage mapped below for the "
                          "conversation's outcome or activity type. It changes records your people own."),
    "allow_stage_backwards": ("Allow moving a deal back", "Off: a mapped stage only ever moves a deal forward "
                              "along its pipeline."),
    "create_tasks": ("Create follow-up Tasks", "One Zoho Task per action item, by the task rule below."),
}
TASK_OWNER_LABELS = {"conversation_user": "the user who had the conversation",
                     "record_owner": "the owner of the deal, contact or lead"}
ACTIVITY_TYPES_EXAMPLE = """[{"name": "Demo", "rules": [{"title_keywords": ["demo"], "participants": "external"}]},
 {"name": "Renewal", "rules": [{"deal_stages": ["Negotiation/Review"], "kinds": ["meeting", "call"]}]},
 {"name": "Internal sync", "rules": [{"participants": "internal_only"}]}]"""
DEAL_RULES_EXAMPLE = """{"order": ["contact_role", "latest_modified", "nearest_closing"],
 "pipelines": [], "skip_stages": ["Qualification"], "without_contact": true, "single_only": false}"""

rt = st.session_state["runtime"]
viewer = st.session_state.get("viewer")

st.title("Settings")
if viewer is None or viewer.org_id is None or not viewer.can_administer(viewer.org_id):
    say.warning("Settings are changed by the admins of an org.")
    st.stop()

org_id: str = viewer.org_id
org = next((o for o in service.list_orgs(rt) if o.org_id == org_id), None)
if org is None:
    say.warning("Your org is not connected yet (Connection page).")
    st.stop()


def saved(changed: bool, what: str, then: str = "") -> None:
    if changed:
        say.success(f"Saved {what}.{' ' + then if then else ''}")
    else:
        say.info(f"No change to {what}: nothing saved.")


def save_writeback(what: str, **changes: Any) -> None:
    """Apply changes to the settings as stored now (another section may have saved since this page drew)."""
    try:
        settings = replace(service.writeback_settings(rt, org_id), **changes)
        saved(service.set_writeback_settings_as(rt, viewer, org_id, settings), what,
              "It applies from the next push.")
    except service.SettingsError as err:
        say.error(f"Not saved: {err}")


def pretty(definition: str) -> str:
    return json.dumps(json.loads(definition), indent=2, ensure_ascii=False)


def writeback_section(current: WritebackSettings) -> None:
    st.subheader("Write-back")
    with st.form("writeback"):
        values: dict[str, Any] = {name: st.toggle(label, value=getattr(current, name), help=help_text,
                                                  key=f"wb-{name}")
                                  for name, (label, help_text) in TOGGLES.items()}
        values["statuses"] = tuple(st.multiselect(
            "Match statuses written", WRITABLE_STATUSES, default=list(current.statuses),
            help="Ambiguous and unmatched conversations are better reviewed before they reach Zoho."))
        values["backfill_days"] = int(st.number_input(
            "Backfill after (days)", min_value=0, max_value=365, value=current.backfill_days,
            help="Conversations that ended longer ago are written after the recent ones (backfill priority)."))
        if st.form_submit_button("Save write-back"):
            save_writeback("write-back", **values)


def stage_map_section(current: WritebackSettings, type_names: list[str]) -> None:
    st.subheader("Deal stage mapping")
    st.caption("A conversation's explicit outcome (e.g. “won”) wins over its activity type. Activity types: "
               + (", ".join(type_names) if type_names else "none defined yet (see Activity types below)") + ".")
    if not current.update_deal_stage:
        st.caption("Deal stage updates are off (Write-back above): the mapping is kept but not applied.")
    stages = service.deal_stage_names(rt, org_id)
    if not stages:
        say.info("The mirror has not pulled this org's pipeline stages yet; the mapping opens after its first run.")
        return
    keys = [*type_names, *(k for k in current.stage_map if k not in type_names)]
    with st.form("stage-map"):
        chosen: dict[str, str] = {}
        for key in keys:
            options = [NO_STAGE, *stages]
            mapped = current.stage_map.get(key)
            if mapped and mapped not in stages:
                options.append(mapped)  # kept visible so the admin sees it, refused on save
            chosen[key] = st.selectbox(say.as_text(key), options, index=options.index(mapped) if mapped else 0,
                                       key=f"stage-{key}")
        left, right = st.columns(2)
        new_key = left.text_input("Add an outcome or activity type", key="stage-new-key")
        new_stage = right.selectbox("its stage", [NO_STAGE, *stages], key="stage-new-stage")
        if st.form_submit_button("Save stage mapping"):
            if new_key.strip() and new_stage != NO_STAGE:
                chosen[new_key.strip()] = new_stage
            save_writeback("the stage mapping", stage_map={k: v for k, v in chosen.items() if v != NO_STAGE})


def task_section(current: WritebackSettings) -> None:
    st.subheader("Follow-up tasks")
    if not current.create_tasks:
        st.caption("Follow-up tasks are off (Write-back above): the rule is kept but not applied.")
    rule = current.tasks
    with st.form("tasks"):
        owner = st.selectbox("Task owner", list(TASK_OWNER_LABELS), format_func=TASK_OWNER_LABELS.get,
                             index=list(TASK_OWNER_LABELS).index(rule.owner))
        due = st.number_input("Due after (days)", min_value=0, max_value=MAX_DUE_DAYS, value=rule.due_in_days,
                              help="Counted from the conversation's day.")
        business = st.checkbox("Count business days only (Monday to Friday)", value=rule.business_days)
        priority = st.selectbox("Priority", TASK_PRIORITIES, index=TASK_PRIORITIES.index(rule.priority))
        if st.form_submit_button("Save task rule"):
            try:
                tasks = replace(rule, owner=owner, due_in_days=int(due), business_days=business, priority=priority)
            except service.SettingsError as err:
                say.error(f"Not saved: {err}")
            else:
                save_writeback("the task rule", tasks=tasks)


def json_section(title: str, key: str, definition: str, example: str, help_text: str) -> str | None:
    """A JSON editor with its example; returns the text when its Save was pressed."""
    st.subheader(title)
    st.caption(help_text)
    with st.expander("Example"):
        st.code(example, language="json")
    with st.form(key):
        text = st.text_area(f"{title} (JSON)", value=pretty(definition), height=220, key=f"{key}-json")
        return text if st.form_submit_button(f"Save {title.lower()}") else None


def activity_types_section() -> None:
    text = json_section("Activity types", "activity-types", service.activity_types_definition(rt, org_id),
                        ACTIVITY_TYPES_EXAMPLE, "Each conversation takes the first type whose rule holds. "
                        "Conditions: title_keywords, kinds, directions, participants, account_types, deal_stages, "
                        "min_duration_s.")
    if text is not None:
        try:
            before = service.activity_types_definition(rt, org_id)
            count = service.set_activity_types_as(rt, viewer, org_id, text)
            changed = json.loads(before) != json.loads(service.activity_types_definition(rt, org_id))
            saved(changed, f"{count} activity types", "They apply from the next match.")
        except service.ActivityTypeError as err:
            say.error(f"Not saved: {err}")


def deal_rules_section() -> None:
    text = json_section("Deal rules", "deal-rules", service.deal_rules_definition(rt, org_id), DEAL_RULES_EXAMPLE,
                        "How one of an account's open deals is chosen: criteria in order (contact_role, "
                        "latest_modified, latest_activity, nearest_closing), pipelines, stages to skip.")
    if text is not None:
        try:
            saved(service.set_deal_rules_as(rt, viewer, org_id, text), "the deal rules",
                  "They apply from the next match.")
        except service.ActivityTypeError as err:
            say.error(f"Not saved: {err}")


def budget_section() -> None:
    st.subheader("Budget share")
    current = next(o for o in service.list_orgs(rt) if o.org_id == org_id)
    limit = current.daily_credit_limit or 0
    st.caption(f"Now {percent_words(current.budget_share)} of the daily limit of {limit:,} credits = "
               f"{int(limit * current.budget_share):,} credits per rolling 24 h for this integration; the rest "
               "stays with the org's own integrations. Write-back comes first, then the mirror, then backfills.")
    with st.form("budget"):  # no min/max on the widget: the service's check says why a value is refused
        percent = st.number_input("Budget share (% of the daily credit limit)", value=current.budget_share * 100,
                                  step=0.5, format="%g", help="Between 1% and 100%; fractions such as 12.5% are kept.")
        if st.form_submit_button("Save budget share"):
            try:
                saved(service.set_budget_share_as(rt, viewer, org_id, percent / 100), "the budget share",
                      f"{percent_words(percent / 100)} of {limit:,} = {int(limit * percent / 100):,} credits per 24 h.")
            except service.SettingsError as err:
                say.error(f"Not saved: {err}")


def schedule_section() -> None:
    st.subheader("Schedule")
    st.caption("Seconds between runs of each job for this org.")
    schedule = service.job_schedule(rt, org_id)
    with st.form("schedule"):
        intervals = {spec.name: int(st.number_input(  # no min_value: the service's check says why it is refused
            f"{spec.name} (seconds)", value=schedule.every_s(spec.name), step=1,
            help=f"{spec.description}. Allowed: {bounds_words(spec)}; default {duration_words(spec.every_s)}.",
            key=f"every-{spec.name}")) for spec in service.job_specs(rt) if spec.applies_to(rt, org_id)}
        if st.form_submit_button("Save schedule"):
            try:
                changed = service.set_job_schedule_as(rt, viewer, org_id, intervals)
            except service.SettingsError as err:
                say.error(f"Not saved: {err}")
                return
            saved(changed, "the schedule", "The jobs run at their new intervals from now.")


def audit_section() -> None:
    st.subheader("Changes")
    rows = service.settings_log(rt, org_id)
    if not rows:
        st.caption("No changes yet: every setting is at its default.")
        return
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", column_config={
        "when": st.column_config.DatetimeColumn("when (UTC)", format="YYYY-MM-DD HH:mm:ss")})


say.caption(f"{org.company_name or org.name} ({org_id}) · every saved change is audited with your email "
           f"({viewer.email}) and listed under Changes at the end of the page.")
# Each section reads what is stored as it draws, so it shows what a section above has just saved.
writeback_section(service.writeback_settings(rt, org_id))
stage_map_section(service.writeback_settings(rt, org_id),
                  [t["name"] for t in json.loads(service.activity_types_definition(rt, org_id))])
task_section(service.writeback_settings(rt, org_id))
activity_types_section()
deal_rules_section()
budget_section()
schedule_section()
audit_section()
