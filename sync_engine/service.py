"""The thin facade that pages, the CLI and tests call. Knows nothing of Streamlit."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .activity_type_codec import deal_rules_from_json, deal_rules_to_json, types_from_json, types_to_json
from .intake import ImportSummary, import_bytes, match_conversations
from .mirror import MirrorOptions, MirrorProgress, SyncReport, mirror_progress, sync_org
from .onboarding import Connected, ConnectStart, Onboarding, OnboardingRefused, data_centre
from .onboarding import begin as begin_onboarding
from .runtime import Runtime
from .store.conversations import ConversationStore
from .store.mirror_tables import MirrorTables
from .store.orgs import Org
from .store.settings import SettingChange, SettingsStore
from .store.users import HeldConversation, MappingCounts
from .user_mapping import OurUser, UserMapping, ZohoUser, map_users
from .writeback_settings import (
    DEFAULT_SETTINGS,
    SettingsError,
    WritebackSettings,
    settings_from_json,
    settings_to_json,
    unknown_stages,
)
from .zoho import ZohoError, attributed_to

WRITEBACK_SETTING = "writeback"
ZOHO_MODULES = ("Contacts", "Leads", "Accounts", "Deals", "Calls", "Events", "Tasks")

__all__ = ["OnboardingRefused", "SettingsError", "ZohoError"]


@dataclass(frozen=True)
class ConnectionOverview:
    org: Org
    credits_used_24h: int
    credit_budget: int  # the org's budget share of its daily limit
    counts: MappingCounts
    mapping: UserMapping
    held: list[HeldConversation]


def _onboarding(rt: Runtime) -> Onboarding:
    return Onboarding(rt.orgs, rt.pending, rt.record_call)


# -- connecting -----------------------------------------------------------------------------------
def begin_connect(rt: Runtime, *, data_centre_code: str, client_id: str, client_secret: str, redirect_uri: str,
                  accounts_url: str | None = None, started_by_email: str | None = None) -> ConnectStart:
    return begin_onboarding(rt.pending, data_centre(data_centre_code, accounts_url), client_id, client_secret,
                            redirect_uri, started_by_email)


def finish_connect(rt: Runtime, *, state: str, code: str | None, accounts_server: str | None = None,
                   error: str | None = None) -> Connected:
    connected = _onboarding(rt).finish(state, code, accounts_server, error)
    rt.forget_client(connected.org.org_id)
    refresh_zoho_users(rt, connected.org.org_id)
    return connected


def connect_with_refresh_token(rt: Runtime, *, data_centre_code: str, client_id: str, client_secret: str,
                               refresh_token: str, accounts_url: str | None = None) -> Connected:
    connected = _onboarding(rt).with_refresh_token(data_centre(data_centre_code, accounts_url), client_id,
                                                    client_secret, refresh_token)
    rt.forget_client(connected.org.org_id)
    refresh_zoho_users(rt, connected.org.org_id)
    return connected


def disconnect(rt: Runtime, org_id: str) -> Org:
    """Revoke our refresh token at Zoho (best effort: Zoho may be unreachable) and forget the secrets."""
    try:
        with attributed_to(job="disconnect"):
            rt.client(org_id).revoke()
    except ZohoError:
        pass  # the stored token is deleted either way; an admin can also revoke it in Zoho
    rt.forget_client(org_id)
    return rt.orgs.disconnect(org_id)


def list_orgs(rt: Runtime, connected_only: bool = False) -> list[Org]:
    return rt.orgs.list("connected" if connected_only else None)


# -- users ----------------------------------------------------------------------------------------
def _zoho_user(raw: dict[str, Any]) -> ZohoUser:
    profile = (raw.get("profile") or {}).get("name") or ""
    return ZohoUser(str(raw["id"]), str(raw.get("email") or ""), str(raw.get("full_name") or ""),
                    str(raw.get("status") or ""), profile, (raw.get("role") or {}).get("name") or "",
                    profile == "Administrator")


def refresh_zoho_users(rt: Runtime, org_id: str) -> list[HeldConversation]:
    """Pull Zoho's users, map ours to them, release conversations of newly mapped users."""
    with attributed_to(job="users.refresh"):
        raw = rt.client(org_id).users("AllUsers")
    rt.users.replace_zoho_users(org_id, [_zoho_user(u) for u in raw])
    return _remap(rt, org_id)


def set_our_users(rt: Runtime, org_id: str, users: list[OurUser]) -> list[HeldConversation]:
    rt.users.replace_our_users(org_id, users)
    return _remap(rt, org_id)


def map_user(rt: Runtime, org_id: str, our_email: str, zoho_user_id: str | None) -> list[HeldConversation]:
    """An admin's manual choice (None clears it); releases what the user had held."""
    rt.users.set_manual(org_id, our_email, zoho_user_id)
    return _remap(rt, org_id)


def _remap(rt: Runtime, org_id: str) -> list[HeldConversation]:
    with rt.store.transaction():
        _, newly_mapped = rt.users.remap(org_id)
        released: list[HeldConversation] = []
        for email in newly_mapped:
            released.extend(rt.held.release_for(org_id, email))
    return released


def hold_if_unmapped(rt: Runtime, org_id: str, conversation_id: str, user_email: str,
                     payload: dict[str, Any]) -> bool:
    """A conversation whose user has no Zoho user is held (shown, never dropped) until one is mapped."""
    if rt.users.mapped_zoho_user_id(org_id, user_email) is not None:
        return False
    rt.held.hold(org_id, conversation_id, user_email, payload, "no Zoho user is mapped to this user's email")
    return True


# -- what the Connection page shows ---------------------------------------------------------------
def connection_overview(rt: Runtime, org_id: str, now: datetime | None = None) -> ConnectionOverview:
    org = rt.orgs.get(org_id)
    limit = org.daily_credit_limit or 0
    mapping = map_users(rt.users.our_users(org_id), rt.users.zoho_users(org_id), rt.users.manual_mappings(org_id))
    return ConnectionOverview(org, rt.ledger.used_last_24h(org_id, now or datetime.now(UTC)),
                              int(limit * org.budget_share), rt.users.counts(org_id), mapping,
                              rt.held.held(org_id))


def record_counts(rt: Runtime, org_id: str) -> dict[str, int]:
    """Records per module in Zoho: one COQL aggregate each (1 credit), cheaper than the count API."""
    client = rt.client(org_id)
    counts = {}
    with attributed_to(job="overview"):
        for module in ZOHO_MODULES:
            result = client.coql(f"select COUNT(id) from {module} where id is not null")
            row = result.rows[0] if result.rows else {}
            counts[module] = int(next(iter(row.values()), 0) or 0)
    return counts


# -- the mirror -----------------------------------------------------------------------------------
def mirror_org(rt: Runtime, org_id: str, now: datetime | None = None, *, options: MirrorOptions | None = None,
               on_progress: Callable[[MirrorProgress], None] | None = None) -> SyncReport:
    """Bring the org's shadow copy up to date: the initial pull until it is done, then the polls that are due."""
    return sync_org(rt, org_id, now, options=options, on_progress=on_progress)


def mirror_status(rt: Runtime, org_id: str) -> MirrorProgress:
    """Where the mirror stands (records per module, credits spent), for the progress bar between runs."""
    return mirror_progress(rt, org_id)


# -- jobs -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class JobRow:
    org_id: str
    org: str
    job: str
    description: str
    last_run: datetime | None
    duration_s: float | None
    outcome: str
    error: str | None
    credits: int
    detail: str | None
    next_run: datetime | None


def job_table(rt: Runtime, next_runs: dict[str, datetime | None]) -> list[JobRow]:
    """Every (connected org, job) with its last run and next run, for the Jobs page."""
    from .jobs import JOBS

    latest = {(r.org_id, r.job): r for r in rt.job_runs.latest()}
    rows = []
    for org in rt.orgs.list("connected"):
        for spec in JOBS:
            run = latest.get((org.org_id, spec.name))
            rows.append(JobRow(org.org_id, org.company_name or org.name, spec.name, spec.description,
                               run.started_at if run else None, run.duration_s if run else None,
                               run.outcome if run else "not run yet", run.error if run else None,
                               run.credits if run else 0, run.detail if run else None,
                               next_runs.get(f"{org.org_id}:{spec.name}")))
    return rows


# -- conversations ----------------------------------------------------------------------------------
def import_conversations(rt: Runtime, org_id: str, data: bytes, *, filename: str | None = None,
                         user_email: str | None = None) -> ImportSummary:
    return import_bytes(rt, org_id, data, filename=filename, user_email=user_email)


def match_stored_conversations(rt: Runtime, org_id: str) -> int:
    return len(match_conversations(rt, org_id))


def _names(rt: Runtime, org_id: str) -> dict[str, str]:
    """Record id -> display name from the mirror (contacts, leads, accounts, deals) and Zoho users."""
    names: dict[str, str] = {}
    for table, column in (("mirror_contacts", "full_name"), ("mirror_leads", "full_name"),
                          ("mirror_accounts", "account_name"), ("mirror_deals", "deal_name")):
        names.update(rt.store.query(f"SELECT record_id, {column} FROM {table} WHERE org_id = ?", [org_id]))
    names.update(rt.store.query("SELECT zoho_user_id, full_name FROM zoho_users WHERE org_id = ?", [org_id]))
    return names


def conversation_table(rt: Runtime, org_id: str, search: str = "") -> list[dict[str, Any]]:
    """Conversations with their match and the linked records' names, newest first; ``search`` filters
    on title, user, names and reasons (case-insensitive)."""
    store = ConversationStore(rt.store)
    matches = store.matches(org_id)
    held = {h.conversation_id for h in rt.held.held(org_id)}
    names = _names(rt, org_id)

    def named(record_id: str | None) -> str | None:
        return f"{names.get(record_id) or '?'} ({record_id})" if record_id else None

    rows = []
    needle = search.strip().casefold()
    for c in reversed(store.get(org_id)):
        m = matches.get(c.conversation_id)
        row = {"when": c.started_at, "kind": c.kind, "title": c.title or "", "user": c.user_email,
               "status": "held" if c.conversation_id in held else (m.status if m else "not matched yet"),
               "contact": named(m.contact_id) if m else None, "lead": named(m.lead_id) if m else None,
               "account": named(m.account_id) if m else None, "deal": named(m.deal_id) if m else None,
               "owner": named(m.owner_id) if m else None, "activity type": m.activity_type if m else None,
               "why": "; ".join(m.reasons) if m else "", "id": c.conversation_id}
        if needle and not any(needle in str(v).casefold() for v in row.values() if v):
            continue
        rows.append(row)
    return rows

def set_activity_types(rt: Runtime, org_id: str, definition_json: str, by: str | None = None) -> int:
    """Validate and store an org's activity types (JSON, see activity_type_codec); returns how many."""
    types = types_from_json(definition_json)
    rt.orgs.get(org_id)
    ConversationStore(rt.store).set_activity_types(org_id, types_to_json(types), by)
    return len(types)


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


def set_deal_rules(rt: Runtime, org_id: str, definition_json: str, by: str | None = None) -> None:
    """Validate and store how the org picks among an account's open deals."""
    rules = deal_rules_from_json(definition_json)
    rt.orgs.get(org_id)
    ConversationStore(rt.store).set_deal_rules(org_id, deal_rules_to_json(rules), by)


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
    return SettingsStore(rt.store).put(org_id, WRITEBACK_SETTING, settings_to_json(settings), by,
                                       before_default=settings_to_json(DEFAULT_SETTINGS))


def settings_audit(rt: Runtime, org_id: str, setting: str | None = None) -> list[SettingChange]:
    """Every change to the org's settings, newest first: who, when, before, after."""
    return SettingsStore(rt.store).audit(org_id, setting)
