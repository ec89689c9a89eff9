"""The thin facade that pages, the CLI and tests call. Knows nothing of Streamlit."""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from . import access, activity_browser
from . import writeback_status as writeback_status_
from .access import AccountRefused, OrgNotVisible, SignInRefused, Viewer
from .activity_browser import PAGE_SIZE, ActivityPage, FilterChoices
from .activity_type_codec import (
    ActivityTypeError,
)
from .intake import ImportProgress, ImportSummary, import_bytes, match_conversations
from .job_schedule import (
    ScheduleError,
)
from .mirror import MirrorOptions, MirrorProgress, SyncReport, mirror_progress, sync_org
from .mirror_plan import DEFAULT_PLAN
from .mirror_reference import zoho_user
from .onboarding import Connected, ConnectStart, Onboarding, OnboardingRefused, data_centre
from .onboarding import begin as begin_onboarding
from .org_settings import (  # re-exported: the settings functions live there
    WRITEBACK_SETTING,
    activity_types_definition,
    deal_rules_definition,
    deal_stage_names,
    job_schedule,
    override_activity_type,
    set_activity_types,
    set_budget_share,
    set_deal_rules,
    set_job_schedule,
    set_writeback_settings,
    settings_audit,
    settings_log,
    writeback_settings,
)
from .runtime import Runtime
from .store.conversation_views import ConversationFilter
from .store.orgs import Org
from .store.outbox import Outbox, OutboxRow
from .store.tokens import OrgTokens
from .store.users import HeldConversation, MappingCounts
from .user_mapping import OurUser, UserMapping, map_users, normalise_email
from .writeback import PushReport, retry_dead, writeback_cycle
from .writeback_settings import (
    SettingsError,
)
from .zoho import ZohoError, attributed_to
from .zoho.token_keeping import StoredToken

ZOHO_MODULES = ("Contacts", "Leads", "Accounts", "Deals", "Calls", "Events", "Tasks")

__all__ = [
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
    "job_schedule",
    "override_activity_type",
    "set_activity_types",
    "set_budget_share",
    "set_deal_rules",
    "set_job_schedule",
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


# -- users ----------------------------------------------------------------------------------------
def refresh_zoho_users(rt: Runtime, org_id: str) -> list[HeldConversation]:
    """Pull Zoho's users, map ours to them, release conversations of newly mapped users."""
    with attributed_to(job="users.refresh"):
        raw = rt.client(org_id).users("AllUsers")
    rt.users.replace_zoho_users(org_id, [zoho_user(u) for u in raw])
    return _remap(rt, org_id)


def set_our_users(rt: Runtime, org_id: str, users: list[OurUser]) -> list[HeldConversation]:
    rt.users.replace_our_users(org_id, users)
    return _remap(rt, org_id)


def map_user(rt: Runtime, org_id: str, our_email: str, zoho_user_id: str | None) -> list[HeldConversation]:
    """An admin's manual choice (None clears it); releases what the user had held."""
    rt.users.set_manual(org_id, our_email, zoho_user_id)
    return _remap(rt, org_id)


def _remap(rt: Runtime, org_id: str) -> list[HeldConversation]:
    """Map again; conversations of users mapped now are released and matched again (they have an owner now),
    so the next push writes them."""
    with rt.store.transaction():
        _, newly_mapped = rt.users.remap(org_id)
        released: list[HeldConversation] = []
        for email in newly_mapped:
            released.extend(rt.held.release_for(org_id, email))
    if released:
        match_conversations(rt, org_id, ids=[h.conversation_id for h in released])
    return released


HELD_REASON = "no Zoho user is mapped to this user's email"


def hold_if_unmapped(rt: Runtime, org_id: str, conversation_id: str, user_email: str,
                     payload: dict[str, Any]) -> bool:
    """A conversation whose user has no Zoho user is held (shown, never dropped) until one is mapped."""
    return hold_unmapped(rt, org_id, [(conversation_id, user_email, payload)]) == 1


def hold_unmapped(rt: Runtime, org_id: str, conversations: list[tuple[str, str, dict[str, Any]]]) -> int:
    """Hold those of (conversation id, user email, payload) whose user has no Zoho user; how many were held.

    A user met for the first time is one of ours from now on: the mapping runs first, so one whose email
    is a Zoho user's is mapped, not held -- the mapping and write-back agree on who has a Zoho user.
    """
    with rt.store.transaction():
        mapped = rt.users.mapped_emails(org_id)
        if any(normalise_email(email) not in mapped for _, email, _ in conversations):
            _remap(rt, org_id)
            mapped = rt.users.mapped_emails(org_id)
        unmapped = [c for c in conversations if normalise_email(c[1]) not in mapped]
        rt.held.hold_many(org_id, unmapped, HELD_REASON)
    return len(unmapped)


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
    from .jobs import JOBS

    latest = {(r.org_id, r.job): r for r in rt.job_runs.latest()}
    rows = []
    for org in rt.orgs.list("connected"):
        for spec in (s for s in JOBS if s.applies_to(rt, org.org_id)):
            run = latest.get((org.org_id, spec.name))
            rows.append(JobRow(org.org_id, org.company_name or org.name, spec.name, spec.description,
                               run.started_at if run else None, run.duration_s if run else None,
                               run.outcome if run else "not run yet", run.error if run else None,
                               run.credits if run else 0, run.detail if run else None,
                               next_runs.get(f"{org.org_id}:{spec.name}")))
    return rows


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


def retry_dead_letters_as(rt: Runtime, viewer: Viewer, org_id: str, op_keys: list[str]) -> int:
    """Retry, if the viewer administers the org (OrgNotVisible otherwise): a retry spends its credits."""
    access.require_admin(viewer, org_id)
    return retry_dead_letters(rt, org_id, op_keys)


def push_now_as(rt: Runtime, viewer: Viewer, org_id: str) -> PushReport:
    access.require_admin(viewer, org_id)
    return push_now(rt, org_id)


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
    from .dashboard import credits_by_org

    frame = credits_by_org(rt)
    return frame[frame["org_id"].map(viewer.can_view)].reset_index(drop=True)


def disconnect_as(rt: Runtime, viewer: Viewer, org_id: str) -> Org:
    """Disconnect, if the viewer administers the org (OrgNotVisible otherwise)."""
    access.require_admin(viewer, org_id)
    return disconnect(rt, org_id)


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
