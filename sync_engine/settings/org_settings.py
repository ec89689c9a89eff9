"""An org's settings as admins change them: activity types, deal rules, budget share, job schedule and
write-back; every change audited (who, when, before, after) in the same transaction as the change.

``service`` re-exports these functions; pages and the CLI call them through it.
"""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sync_engine.matching.activity_type_codec import (
    deal_rules_from_json,
    deal_rules_to_json,
    types_from_json,
    types_to_json,
)
from sync_engine.matching.deal_rules import DealRules
from sync_engine.runtime import Runtime
from sync_engine.settings.changes import describe_change, percent_words
from sync_engine.settings.schedule import (
    SCHEDULE_SETTING,
    JobBounds,
    Schedule,
    checked_schedule,
    default_schedule,
    schedule_to_json,
    stored_schedule,
)
from sync_engine.settings.writeback_settings import (
    DEFAULT_SETTINGS,
    SettingsError,
    WritebackSettings,
    settings_from_json,
    settings_to_json,
    unknown_stages,
)
from sync_engine.store.conversations import ConversationStore
from sync_engine.store.mirror.tables import MirrorTables
from sync_engine.store.settings import SettingChange, SettingsStore
from sync_engine.store.writeback.outbox import Outbox

WRITEBACK_SETTING = "writeback"


def set_activity_types(rt: Runtime, org_id: str, definition_json: str, by: str | None = None) -> int:
    """Validate and store an org's activity types (JSON, see activity_type_codec), audited; returns how many."""
    types = types_from_json(definition_json)
    rt.orgs.get(org_id)
    store, after = ConversationStore(rt.store), types_to_json(types)
    with rt.store.transaction():
        before = store.activity_types(org_id)
        if SettingsStore(rt.store).record_change(org_id, "activity_types", before or "[]", after, by):
            store.set_activity_types(org_id, after, by)
    return len(types)


def activity_types_definition(rt: Runtime, org_id: str) -> str:
    """The org's activity types as JSON (``[]`` until an admin defines some)."""
    return ConversationStore(rt.store).activity_types(org_id) or "[]"


def override_activity_type(rt: Runtime, org_id: str, conversation_id: str, activity_type: str | None,
                           by: str | None = None) -> None:
    """An admin's choice for one conversation (None: no type); it must be one of the org's types."""
    store = ConversationStore(rt.store)
    if activity_type is not None:
        defined = types_from_json(store.activity_types(org_id) or "[]")
        if activity_type not in {t.name for t in defined}:
            names = ", ".join(t.name for t in defined) or "none defined yet"
            raise ValueError(f"{activity_type!r} is not one of this org's activity types ({names})")
    store.override_activity_type(org_id, conversation_id, activity_type, by)


def set_deal_rules(rt: Runtime, org_id: str, definition_json: str, by: str | None = None) -> bool:
    """Validate and store how the org picks among an account's open deals, audited; False if unchanged."""
    rules = deal_rules_from_json(definition_json)
    rt.orgs.get(org_id)
    store, after = ConversationStore(rt.store), deal_rules_to_json(rules)
    with rt.store.transaction():
        before = store.deal_rules(org_id) or deal_rules_to_json(DealRules())
        changed = SettingsStore(rt.store).record_change(org_id, "deal_rules", before, after, by)
        if changed:
            store.set_deal_rules(org_id, after, by)
    return changed


def deal_rules_definition(rt: Runtime, org_id: str) -> str:
    """The org's deal rules as JSON (the defaults until an admin changes them)."""
    return ConversationStore(rt.store).deal_rules(org_id) or deal_rules_to_json(DealRules())


def deal_stage_names(rt: Runtime, org_id: str) -> list[str]:
    """The stages of the org's mirrored pipelines, default pipeline first, in pipeline order (empty until
    the mirror has pulled them)."""
    return list(dict.fromkeys(s.stage for s in MirrorTables(rt.store).deal_stages(org_id)))


def set_budget_share(rt: Runtime, org_id: str, share: float, by: str | None) -> bool:
    """Set the part of the org's daily credit limit this integration may spend (0.01 to 1), audited.

    Below 1% nothing useful fits; above 100% is more than Zoho allows. False when unchanged.
    """
    if isinstance(share, bool) or not isinstance(share, int | float) or share != share:
        raise SettingsError(f"the budget share is a number between 1% and 100% of the daily credit limit, "
                            f"not {share!r}")
    if not 0.01 <= share <= 1:
        why = ("below 1% nothing useful fits in it" if share < 0.01 else
               "above 100% would spend more than Zoho allows the whole org in a day")
        raise SettingsError(f"the budget share is between 1% and 100% of the daily credit limit, not "
                            f"{percent_words(share)}: {why}")
    share = round(float(share), 4)
    with rt.store.transaction():
        before = rt.orgs.get(org_id).budget_share
        changed = SettingsStore(rt.store).record_change(org_id, "budget_share", json.dumps(before),
                                                        json.dumps(share), by)
        if changed:
            rt.orgs.update(org_id, budget_share=share)
    return changed


def job_schedule(rt: Runtime, org_id: str, jobs: Sequence[JobBounds]) -> Schedule:
    """How often each of ``jobs`` runs for the org (the jobs' defaults until an admin changes them)."""
    return stored_schedule(SettingsStore(rt.store).get(org_id, SCHEDULE_SETTING), jobs)


def set_job_schedule(rt: Runtime, org_id: str, intervals: Mapping[str, int], by: str | None,
                     jobs: Sequence[JobBounds]) -> bool:
    """Store the org's job intervals (job name -> seconds; missing jobs keep their current interval), audited.

    Raises ScheduleError naming each interval out of its job's bounds; the running scheduler picks the
    new intervals up on its next ``reload``. False when unchanged.
    """
    rt.orgs.get(org_id)
    schedule = checked_schedule({**job_schedule(rt, org_id, jobs).intervals, **intervals}, jobs)
    return SettingsStore(rt.store).put(org_id, SCHEDULE_SETTING, schedule_to_json(schedule), by,
                                       before_default=schedule_to_json(default_schedule(jobs)))


def writeback_settings(rt: Runtime, org_id: str) -> WritebackSettings:
    """The org's write-back settings (the defaults until an admin changes them)."""
    return settings_from_json(SettingsStore(rt.store).get(org_id, WRITEBACK_SETTING))


def set_writeback_settings(rt: Runtime, org_id: str, settings: WritebackSettings, by: str | None) -> bool:
    """Store the org's write-back settings, audited; mapped stages must exist in its pipelines.

    Returns False when nothing changed. Raises SettingsError naming unknown stages.
    """
    rt.orgs.get(org_id)
    stages = [s.stage for s in MirrorTables(rt.store).deal_stages(org_id)]
    missing = unknown_stages(settings, stages) if stages else []
    if missing:
        raise SettingsError(f"stage_map names stage(s) the org's pipelines do not have: {', '.join(missing)}; "
                            f"known: {', '.join(sorted(set(stages)))}")
    with rt.store.transaction():
        changed = SettingsStore(rt.store).put(org_id, WRITEBACK_SETTING, settings_to_json(settings), by,
                                              before_default=settings_to_json(DEFAULT_SETTINGS))
        if changed:
            Outbox(rt.store).forget_skips(org_id)  # what the old settings passed by is looked at again
    return changed


def settings_audit(rt: Runtime, org_id: str, setting: str | None = None) -> list[SettingChange]:
    """Every change to the org's settings, newest first: who, when, before, after."""
    return SettingsStore(rt.store).audit(org_id, setting)


def settings_log(rt: Runtime, org_id: str) -> list[dict[str, Any]]:
    """The audit as the Settings page shows it, newest first: when, who, setting, what changed in words,
    and the whole values before and after (JSON) for whoever needs the full record."""
    return [{"when": c.changed_at, "who": c.changed_by or "(system)", "setting": c.setting,
             "change": describe_change(c.setting, c.before, c.after),
             "before": json.dumps(c.before, ensure_ascii=False, sort_keys=True),
             "after": json.dumps(c.after, ensure_ascii=False, sort_keys=True)}
            for c in settings_audit(rt, org_id)]
