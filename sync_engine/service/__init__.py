"""The thin facade that pages, the CLI and tests call. Knows nothing of Streamlit."""
from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from sync_engine.connect import users
from sync_engine.connect.onboarding import Connected, ConnectStart, Onboarding, OnboardingRefused, data_centre
from sync_engine.connect.onboarding import begin as begin_onboarding
from sync_engine.connect.users import hold_unmapped
from sync_engine.intake.imports import ImportProgress, ImportSummary, import_bytes
from sync_engine.jobs.specs import JobSpec, jobs_of
from sync_engine.matching.activity_type_codec import ActivityTypeError
from sync_engine.matching.run import match_conversations
from sync_engine.mirror.plan import DEFAULT_PLAN
from sync_engine.mirror.sync import MirrorOptions, MirrorProgress, SyncReport, mirror_progress, sync_org
from sync_engine.records.users import OurUser, UserMapping, ZohoUser, map_users
from sync_engine.runtime import Runtime
from sync_engine.service import access
from sync_engine.service.access import AccountRefused, OrgNotVisible, SignInRefused, Viewer
from sync_engine.settings import org_settings
from sync_engine.settings.changes import percent_words
from sync_engine.settings.org_settings import (
    WRITEBACK_SETTING,
    activity_types_definition,
    deal_rules_definition,
    deal_stage_names,
    override_activity_type,
    set_activity_types,
    set_budget_share,
    set_deal_rules,
    set_writeback_settings,
    settings_audit,
    settings_log,
    writeback_settings,
)
from sync_engine.settings.schedule import Schedule, ScheduleError, bounds_words, duration_words
from sync_engine.settings.writeback_settings import (
    MAX_DUE_DAYS,
    TASK_PRIORITIES,
    WRITABLE_STATUSES,
    SettingsError,
    WritebackSettings,
)
from sync_engine.store.conversation_views import WRITTEN_STATES, ConversationFilter
from sync_engine.store.orgs import Org
from sync_engine.store.tokens import OrgTokens
from sync_engine.store.users import HeldConversation, MappingCounts
from sync_engine.store.writeback.outbox import Outbox, OutboxRow
from sync_engine.views import activity as activity_browser
from sync_engine.views import writeback_status as writeback_status_
from sync_engine.views.activity import EXPORT_LIMIT, PAGE_SIZE, ActivityPage, FilterChoices
from sync_engine.views.dashboard import (
    DEFAULT_ALERT_PERCENT,
    DRILL_DOWN_LIMIT,
    DRILL_DOWN_STATUSES,
    MATCH_STATUSES,
    NOT_MATCHED_YET,
    CreditStatus,
    InitialSync,
    MatchSummary,
    credit_status,
    credits_breakdown,
    credits_by_org,
    credits_over_time,
    drill_down,
    initial_sync,
    match_summary,
)
from sync_engine.writeback.push import PushReport, retry_dead, writeback_cycle
from sync_engine.zoho import DATA_CENTRES, ZohoError, attributed_to
from sync_engine.zoho.auth.token_keeping import StoredToken

ZOHO_MODULES = ("Contacts", "Leads", "Accounts", "Deals", "Calls", "Events", "Tasks")

# What the pages read beside the functions below (they import nothing else of the engine), and what tests use.
__all__ = [
    "percent_words",
    "Viewer",
    "ConversationFilter",
    "CreditStatus",
    "DATA_CENTRES",
    "DEFAULT_ALERT_PERCENT",
    "DRILL_DOWN_LIMIT",
    "DRILL_DOWN_STATUSES",
    "EXPORT_LIMIT",
    "InitialSync",
    "MATCH_STATUSES",
    "MAX_DUE_DAYS",
    "MatchSummary",
    "NOT_MATCHED_YET",
    "PAGE_SIZE",
    "Runtime",
    "TASK_PRIORITIES",
    "WRITABLE_STATUSES",
    "WRITTEN_STATES",
    "WritebackSettings",
    "bounds_words",
    "credit_status",
    "credits_breakdown",
    "credits_over_time",
    "drill_down",
    "duration_words",
    "initial_sync",
    "match_summary",
    "OurUser",
    "ZohoUser",
    "hold_unmapped",
    "AccountRefused",
    "ActivityTypeError",
    "OnboardingRefused",
    "OrgNotVisible",
    "ScheduleError",
    "SettingsError",
    "SignInRefused",
    "WRITEBACK_SETTING",
    "ZohoError",
    "activity_types_definition",
    "deal_rules_definition",
    "deal_stage_names",
    "override_activity_type",
    "set_activity_types",
    "set_budget_share",
    "set_deal_rules",
    "set_writeback_settings",
    "settings_audit",
    "settings_log",
    "writeback_settings",
]


@dataclass(frozen=True)
class ConnectionOverview:
    org: Org
    credits_used_24h: int
    credit_budget: int  # the org's budget share of its daily limit
    counts: MappingCounts
    mapping: UserMapping
    held: list[HeldConversation]


def _onboarding(rt: Runtime) -> Onboarding:
    return Onboarding(rt.orgs, rt.pending, rt.record_call,
                      may_connect=lambda org_id, email: access.check_may_connect(rt, org_id, email),
                      keep_token=lambda org_id, token, refreshes: _keep_token(rt, org_id, token, refreshes))


def _keep_token(rt: Runtime, org_id: str, token: StoredToken, refreshes: int) -> None:
    """The token minted while connecting serves the org's client; its refreshes count against the limit."""
    tokens = OrgTokens(rt.store, rt.box, org_id)
    for _ in range(refreshes):
        tokens.note_refresh(datetime.now(UTC))
    tokens.save(token)


# -- connecting -----------------------------------------------------------------------------------
def begin_connect(rt: Runtime, *, data_centre_code: str, client_id: str, client_secret: str, redirect_uri: str,
                  accounts_url: str | None = None, started_by_email: str | None = None) -> ConnectStart:
    return begin_onboarding(rt.pending, data_centre(data_centre_code, accounts_url), client_id, client_secret,
                            redirect_uri, started_by_email)


def finish_connect(rt: Runtime, *, state: str, code: str | None, accounts_server: str | None = None,
                   error: str | None = None) -> Connected:
    connected = _onboarding(rt).finish(state, code, accounts_server, error)
    access.bind_admin(rt, connected.started_by_email, connected.org.org_id)
    rt.forget_client(connected.org.org_id)
    refresh_zoho_users(rt, connected.org.org_id)
    return connected


def connect_with_refresh_token(rt: Runtime, *, data_centre_code: str, client_id: str, client_secret: str,
                               refresh_token: str, accounts_url: str | None = None,
                               started_by_email: str | None = None) -> Connected:
    connected = _onboarding(rt).with_refresh_token(data_centre(data_centre_code, accounts_url), client_id,
                                                    client_secret, refresh_token, started_by_email)
    access.bind_admin(rt, connected.started_by_email, connected.org.org_id)
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


# -- users (connect.users holds the rules) ------------------------------------------------------------
def _matched_again(rt: Runtime, org_id: str, released: list[HeldConversation]) -> list[HeldConversation]:
    """Conversations released from hold are matched again at once: they have an owner now."""
    if released:
        match_conversations(rt, org_id, ids=[h.conversation_id for h in released])
    return released


def refresh_zoho_users(rt: Runtime, org_id: str) -> list[HeldConversation]:
    """Pull Zoho's users, map ours to them, release (and match again) conversations of newly mapped users."""
    return _matched_again(rt, org_id, users.refresh_zoho_users(rt, org_id))


def set_our_users(rt: Runtime, org_id: str, ours: list[OurUser]) -> list[HeldConversation]:
    return _matched_again(rt, org_id, users.set_our_users(rt, org_id, ours))


def map_user(rt: Runtime, org_id: str, our_email: str, zoho_user_id: str | None) -> list[HeldConversation]:
    """An admin's manual choice (None clears it); releases (and matches again) what the user had held."""
    return _matched_again(rt, org_id, users.map_user(rt, org_id, our_email, zoho_user_id))


def hold_if_unmapped(rt: Runtime, org_id: str, conversation_id: str, user_email: str,
                     payload: dict[str, Any]) -> bool:
    """A conversation whose user has no Zoho user is held (shown, never dropped) until one is mapped."""
    return hold_unmapped(rt, org_id, [(conversation_id, user_email, payload)]) == 1


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


def mirror_until_current(rt: Runtime, org_id: str,
                         on_progress: Callable[[MirrorProgress], None] | None = None) -> SyncReport:
    """In the foreground: the first pull to its end, or (once there is one) every poll now -- changes and
    deletions of each module, users, org settings -- so the mirror is current when this returns."""
    if mirror_progress(rt, org_id).phase == "initial":
        report = sync_org(rt, org_id, on_progress=on_progress)
        while report.phase == "initial" and mirror_progress(rt, org_id).phase == "initial":
            report = sync_org(rt, org_id, on_progress=on_progress)
        return report
    return sync_org(rt, org_id, options=MirrorOptions(plan=DEFAULT_PLAN.stretched(0)), on_progress=on_progress)


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
    latest = {(r.org_id, r.job): r for r in rt.job_runs.latest()}
    rows = []
    for org in rt.orgs.list("connected"):
        for spec in (s for s in jobs_of(rt) if s.applies_to(rt, org.org_id)):
            run = latest.get((org.org_id, spec.name))
            rows.append(JobRow(org.org_id, org.company_name or org.name, spec.name, spec.description,
                               run.started_at if run else None, run.duration_s if run else None,
                               run.outcome if run else "not run yet", run.error if run else None,
                               run.credits if run else 0, run.detail if run else None,
                               next_runs.get(f"{org.org_id}:{spec.name}")))
    return rows


def job_specs(rt: Runtime) -> tuple[JobSpec, ...]:
    """The jobs this process runs (the product's and any the app added), for the Settings page's schedule."""
    return jobs_of(rt)


def job_schedule(rt: Runtime, org_id: str) -> Schedule:
    """How often each job runs for the org (the jobs' defaults until an admin changes them)."""
    return org_settings.job_schedule(rt, org_id, jobs_of(rt))


def set_job_schedule(rt: Runtime, org_id: str, intervals: Mapping[str, int], by: str | None) -> bool:
    """Store the org's job intervals, audited; the running scheduler picks them up on its next reload."""
    changed = org_settings.set_job_schedule(rt, org_id, intervals, by, jobs_of(rt))
    if changed and rt.scheduler is not None:
        rt.scheduler.reload()
    return changed


# -- conversations ----------------------------------------------------------------------------------
MATCH_CHUNK = 5_000  # conversations matched between two progress reports


def import_conversations(rt: Runtime, org_id: str, data: bytes, *, filename: str | None = None,
                         user_email: str | None = None, on_progress: ImportProgress | None = None) -> ImportSummary:
    """Import a file and match what it added (not the whole org again), reporting progress as it goes."""
    progress = on_progress or (lambda _what, _done: None)
    summary = import_bytes(rt, org_id, data, filename=filename, user_email=user_email, on_progress=progress)
    ids = summary.added_ids
    for start in range(0, len(ids), MATCH_CHUNK):
        progress(f"Matching {start:,} of {len(ids):,} new conversations", 0.5 + 0.5 * start / len(ids))
        match_conversations(rt, org_id, ids=ids[start:start + MATCH_CHUNK])
    progress("Done", 1.0)
    return summary


def match_stored_conversations(rt: Runtime, org_id: str) -> int:
    return len(match_conversations(rt, org_id))


def conversation_table(rt: Runtime, org_id: str, search: str = "", *,
                       filters: ConversationFilter | None = None, limit: int = PAGE_SIZE) -> list[dict[str, Any]]:
    """The newest ``limit`` conversations with their links and write-back, as dicts (see ``activity_page``)."""
    chosen = replace(filters or ConversationFilter(), search=search) if search else filters or ConversationFilter()
    rows = activity_page(rt, org_id, chosen, 0, limit).rows
    return rows.astype(object).where(rows.notna(), None).to_dict("records")


def activity_page(rt: Runtime, org_id: str, filters: ConversationFilter, offset: int = 0,
                  limit: int = PAGE_SIZE) -> ActivityPage:
    """One page of the activity browser, filtered and searched in SQL; with the filtered set's counts."""
    return activity_browser.activity_page(rt, org_id, filters, offset, limit)


def export_activity_csv(rt: Runtime, org_id: str, filters: ConversationFilter) -> bytes:
    """The filtered conversations as CSV, newest first, capped at activity_browser.EXPORT_LIMIT rows."""
    return activity_browser.export_csv(rt, org_id, filters)


def activity_filter_choices(rt: Runtime, org_id: str) -> FilterChoices:
    return activity_browser.filter_choices(rt, org_id)


# -- write-back -------------------------------------------------------------------------------------
def dead_letters(rt: Runtime, org_id: str) -> list[OutboxRow]:
    """The outbox rows of the dead letters, with Zoho's code, message and details as it sent them (for
    people: ``dead_letter_list``)."""
    return Outbox(rt.store).dead(org_id)


def retry_dead_letters(rt: Runtime, org_id: str, op_keys: list[str]) -> int:
    """Plan these dead letters again from the current match and settings; the next push sends them."""
    return retry_dead(rt, org_id, op_keys, writeback_settings(rt, org_id))


def push_now(rt: Runtime, org_id: str) -> PushReport:
    """Run the push job's work at once (match new conversations, plan, send)."""
    return writeback_cycle(rt, org_id, writeback_settings(rt, org_id))


def writeback_status(rt: Runtime, org_id: str) -> writeback_status_.WritebackStatus:
    """Counts by state, the rate-limit pause, credits against the budget, freshness of the last day."""
    return writeback_status_.writeback_status(rt, org_id)


def dead_letter_list(rt: Runtime, org_id: str) -> list[writeback_status_.DeadLetter]:
    """The dead letters as people read them: what, which conversation, Zoho's code and the reason in words."""
    return writeback_status_.dead_letters(rt, org_id)


def recent_writes(rt: Runtime, org_id: str) -> list[writeback_status_.RecentWrite]:
    return writeback_status_.recent_writes(rt, org_id)


# -- sign-in and what each viewer may see (rules in access.py) ---------------------------------------
def sign_in(rt: Runtime, email: str, password: str) -> tuple[Viewer, str]:
    """The viewer and their session token; raises SignInRefused with what to show."""
    return access.sign_in(rt, email, password)


def viewer_for(rt: Runtime, session_token: str | None) -> Viewer | None:
    """Who holds this session now; None once it expired or was signed out."""
    return access.viewer_for(rt, session_token)


def sign_out(rt: Runtime, session_token: str | None) -> None:
    access.sign_out(rt, session_token)


def create_account(rt: Runtime, *, email: str, name: str, role: str, password: str,
                   org_id: str | None = None) -> Viewer:
    return access.create_account(rt, email, name, role, password, org_id)


def list_accounts(rt: Runtime) -> list[access.Account]:
    return access.list_accounts(rt)


def remove_account(rt: Runtime, email: str) -> bool:
    return access.remove_account(rt, email)


def visible_orgs(rt: Runtime, viewer: Viewer, connected_only: bool = False) -> list[Org]:
    """The orgs this viewer may see: every org for a CSM, their own for an admin or manager."""
    return access.visible_orgs(viewer, list_orgs(rt, connected_only))


def visible_org(rt: Runtime, viewer: Viewer, org_id: str) -> Org:
    """The org, if the viewer may see it; OrgNotVisible alike for another org's id and an unknown one."""
    access.require_view(viewer, org_id)
    try:
        return rt.orgs.get(org_id)
    except KeyError:
        raise OrgNotVisible(org_id) from None


def org_choices(rt: Runtime, viewer: Viewer, connected_only: bool = False,
                requested: str | None = None) -> dict[str, str]:
    """Label -> org id for a page's org picker, only the viewer's orgs; a ``requested`` id (from the URL)
    comes first, so it is the one picked, and raises OrgNotVisible when the viewer may not see it."""
    orgs = visible_orgs(rt, viewer, connected_only)
    if requested:
        if requested not in {o.org_id for o in orgs}:  # another org's, unknown, or disconnected on this page
            raise OrgNotVisible(requested)
        orgs.sort(key=lambda o: o.org_id != requested)
    return {f"{o.company_name or o.name} ({o.org_id})": o.org_id for o in orgs}


def visible_job_table(rt: Runtime, viewer: Viewer, next_runs: dict[str, datetime | None]) -> list[JobRow]:
    return [row for row in job_table(rt, next_runs) if viewer.can_view(row.org_id)]


def visible_credits_by_org(rt: Runtime, viewer: Viewer) -> Any:
    """The Credits page's all-orgs table (a pandas frame), cut to the orgs the viewer may see."""
    frame = credits_by_org(rt)
    return frame[frame["org_id"].map(viewer.can_view)].reset_index(drop=True)


CLIENT_SECRET_ENV = "ZOHO_CLIENT_SECRET"


def client_secret_configured() -> bool:
    """Whether the server has a client secret of its own (``ZOHO_CLIENT_SECRET``); its value stays here."""
    return bool(os.environ.get(CLIENT_SECRET_ENV, "").strip())


def begin_connect_as(rt: Runtime, viewer: Viewer, *, client_secret: str = "", **kwargs: Any) -> ConnectStart:
    """Start a connection on behalf of a dashboard admin; finishing it binds them to the org.

    A secret left empty is the server's ``ZOHO_CLIENT_SECRET``: the form never shows it to the browser.
    """
    if viewer.role != "admin":
        raise OnboardingRefused("Only an admin can connect an org.")
    secret = client_secret.strip() or os.environ.get(CLIENT_SECRET_ENV, "").strip()
    if not secret:
        raise OnboardingRefused(f"Enter the client secret (or set {CLIENT_SECRET_ENV} on the server).")
    return begin_connect(rt, started_by_email=viewer.email, client_secret=secret, **kwargs)


# -- changes on a dashboard viewer's behalf ----------------------------------------------------------
# Pages change nothing except through these: each checks, before anything else, that the viewer
# administers the org (``access.require_admin``; OrgNotVisible otherwise, the same as for an org that
# does not exist), and audited settings record the viewer as their author. The functions above
# without a viewer are the operator's (CLI, scheduler, demo).
_Change = TypeVar("_Change", bound=Callable[..., Any])


def _as_admin(change: _Change, *, audited: bool = False) -> Callable[..., Any]:
    """``change(rt, org_id, *args)`` as ``change_as(rt, viewer, org_id, *args)``, for admins of the org only."""
    @functools.wraps(change)
    def on_behalf(rt: Runtime, viewer: Viewer, org_id: str, *args: Any, **kwargs: Any) -> Any:
        access.require_admin(viewer, org_id)
        return change(rt, org_id, *args, viewer.email, **kwargs) if audited else change(rt, org_id, *args, **kwargs)
    on_behalf.__name__ = on_behalf.__qualname__ = f"{change.__name__}_as"
    return on_behalf


def run_job_now(rt: Runtime, org_id: str, job: str) -> None:
    """Bring the org's job forward to now (it runs on the scheduler's thread, once)."""
    if rt.scheduler is None:
        raise SettingsError("no scheduler runs in this process: start the app or `python -m sync_engine run`")
    if job not in {spec.name for spec in jobs_of(rt)}:
        raise SettingsError(f"there is no job {job!r}")
    rt.scheduler.run_now(org_id, job)


disconnect_as = _as_admin(disconnect)
map_user_as = _as_admin(map_user)
refresh_zoho_users_as = _as_admin(refresh_zoho_users)
import_conversations_as = _as_admin(import_conversations)
match_stored_conversations_as = _as_admin(match_stored_conversations)
retry_dead_letters_as = _as_admin(retry_dead_letters)  # a retry spends its credits
push_now_as = _as_admin(push_now)
run_job_now_as = _as_admin(run_job_now)  # running spends credits
set_writeback_settings_as = _as_admin(set_writeback_settings, audited=True)
set_activity_types_as = _as_admin(set_activity_types, audited=True)
set_deal_rules_as = _as_admin(set_deal_rules, audited=True)
set_budget_share_as = _as_admin(set_budget_share, audited=True)
set_job_schedule_as = _as_admin(set_job_schedule, audited=True)
