"""Who is looking at the dashboard, and what they may see and change.

Roles: a CSM reads every org (or, given one, only that org: the demo's CSM sees the demo org alone);
an admin reads and changes their own org (settings, connection); a manager reads their own org. Pages
receive a ``Viewer`` from the sign-in and pass its org scope to the service layer, which never returns
another org's rows.

Passwords are argon2id hashes; a session is a random token of which only the SHA-256 is stored, and it
ends after 8 hours, or 1 hour unused. Five wrong passwords for an email within 15 minutes lock it
for 15 minutes, whether or not the email has an account, so the lock tells nothing either. The lock is
checked and the attempt counted in one transaction, before the password is: parallel attempts queue
behind each other, so no more than five are ever checked.
"""
from __future__ import annotations

import hashlib
import math
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from sync_engine.connect.onboarding import OnboardingRefused
from sync_engine.records.users import normalise_email
from sync_engine.store.dashboard_accounts import Account, DashboardAccounts, StoredSession
from sync_engine.store.orgs import Org, UnknownOrgError

if TYPE_CHECKING:
    from sync_engine.runtime import Runtime

Role = Literal["csm", "admin", "manager"]
ROLES: tuple[str, ...] = ("csm", "admin", "manager")


@dataclass(frozen=True)
class Viewer:
    email: str
    name: str
    role: Role
    org_id: str | None  # None for a CSM of every org, or an admin who has not connected an org yet

    def can_view(self, org_id: str) -> bool:
        if self.org_id is not None:
            return self.org_id == org_id
        return self.role == "csm"

    @property
    def scope(self) -> str:
        """The orgs this viewer reads, in words."""
        if self.org_id is not None:
            return self.org_id
        return "every org" if self.role == "csm" else "no org connected yet"

    def can_administer(self, org_id: str) -> bool:
        return self.role == "admin" and self.org_id is not None and self.org_id == org_id


# -- accounts, sessions and scope -------------------------------------------------------------------
# Below: the rules behind sign-in. Rows live in store/dashboard_accounts.py; pages reach all of this
# through the service package. Nothing here logs or returns a password, and a token leaves only as sign_in's
# return value.

SESSION_LIFETIME = timedelta(hours=8)  # absolute: a stolen token is useless by the end of the working day
SESSION_IDLE = timedelta(hours=1)  # an unattended browser signs itself out
TOUCH_EVERY = timedelta(minutes=1)  # last_seen is written at most this often, not on every rerun
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
WRONG_CREDENTIALS = "The email or password is wrong."  # the same for an unknown email: no account probing

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("not a password anyone has")  # verified for unknown emails, so timing tells nothing


class SignInRefused(Exception):
    """Wrong email or password, a locked or disabled account; ``str()`` is what to show."""


class AccountRefused(ValueError):
    """An account cannot be created as asked; ``str()`` says what to change."""


class OrgNotVisible(PermissionError):
    """The viewer may not see (or administer) the org -- or it does not exist: the message is the same."""

    def __init__(self, org_id: str) -> None:
        super().__init__(f"Org {org_id!r} was not found.")
        self.org_id = org_id


@dataclass(frozen=True)
class SessionPolicy:
    """Expiry and throttle limits; the defaults are the module's constants, tests pass shorter ones."""

    lifetime: timedelta = SESSION_LIFETIME
    idle: timedelta = SESSION_IDLE
    max_failures: int = MAX_FAILURES
    failure_window: timedelta = FAILURE_WINDOW
    lockout: timedelta = LOCKOUT


DEFAULT_POLICY = SessionPolicy()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _accounts(rt: Runtime) -> DashboardAccounts:
    return DashboardAccounts(rt.store)


def _viewer(account: Account) -> Viewer:
    return Viewer(account.email, account.display_name, account.role, account.org_id)  # type: ignore[arg-type]


def create_account(rt: Runtime, email: str, name: str, role: str, password: str, org_id: str | None = None,
                   now: datetime | None = None) -> Viewer:
    """A new dashboard account. A manager needs an org; an admin may have none yet (connecting one binds it);
    a CSM given an org sees only that org, else every org."""
    email, account = _new_account(rt, email, name, role, password, org_id, now)
    accounts = _accounts(rt)
    if accounts.get(email) is not None:
        raise AccountRefused(f"There is already an account for {email}.")
    accounts.add(account, _HASHER.hash(password))
    return _viewer(account)


def _new_account(rt: Runtime, email: str, name: str, role: str, password: str, org_id: str | None,
                 now: datetime | None) -> tuple[str, Account]:
    """The account as asked, checked; AccountRefused says what to change."""
    email = normalise_email(email)
    if not _EMAIL.match(email):
        raise AccountRefused(f"{email!r} is not an email address.")
    if role not in ROLES:
        raise AccountRefused(f"The role must be one of {', '.join(ROLES)}, not {role!r}.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountRefused(f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.")
    if role == "manager" and not org_id:
        raise AccountRefused("A manager sees one org: give its org id.")
    if org_id:
        try:
            rt.orgs.get(org_id)
        except UnknownOrgError:
            raise AccountRefused(f"There is no org {org_id!r}; list them with `python -m sync_engine orgs`.") from None
    return email, Account(email, name.strip() or email, role, org_id or None, now or datetime.now(UTC))


def list_accounts(rt: Runtime) -> list[Account]:
    return _accounts(rt).list()


def remove_account(rt: Runtime, email: str) -> bool:
    """Delete the account and end its sessions; False when there was none."""
    return _accounts(rt).remove(normalise_email(email))


def locked_until(rt: Runtime, email: str, now: datetime, policy: SessionPolicy = DEFAULT_POLICY) -> datetime | None:
    """When the email's lock ends: ``max_failures`` failures within ``failure_window`` lock it for ``lockout``."""
    failures = _accounts(rt).failures_since(normalise_email(email), now - policy.failure_window - policy.lockout)
    until = None
    n = policy.max_failures
    for i in range(n - 1, len(failures)):
        if failures[i] - failures[i - n + 1] <= policy.failure_window:
            until = failures[i] + policy.lockout
    return until if until is not None and until > now else None


def sign_in(rt: Runtime, email: str, password: str, now: datetime | None = None,
            policy: SessionPolicy = DEFAULT_POLICY) -> tuple[Viewer, str]:
    """Check the password and open a session: the viewer and the session's token (keep it, show it nowhere)."""
    now = now or datetime.now(UTC)
    email = normalise_email(email)
    accounts = _accounts(rt)
    with rt.store.transaction():  # one step: parallel attempts cannot all pass the check before any is counted
        until = locked_until(rt, email, now, policy)
        if until is None:  # counted as a failure until the password proves right
            accounts.record_failure(email, now, forget_before=now - policy.failure_window - policy.lockout)
    if until is not None:
        minutes = max(1, math.ceil((until - now).total_seconds() / 60))
        raise SignInRefused(f"Too many failed sign-ins for this email: it is locked for {minutes} more minute(s). "
                            "Try again later.")
    stored_hash = accounts.password_hash(email)
    try:
        _HASHER.verify(stored_hash or _DUMMY_HASH, password)
        verified = stored_hash is not None
    except (VerificationError, InvalidHashError):
        verified = False
    if not verified:
        raise SignInRefused(WRONG_CREDENTIALS)
    account = accounts.get(email)
    if account is None:  # removed between the two reads
        raise SignInRefused(WRONG_CREDENTIALS)
    if account.disabled:
        raise SignInRefused("This account is disabled: ask an administrator.")
    accounts.clear_failures(email)
    if stored_hash is not None and _HASHER.check_needs_rehash(stored_hash):
        accounts.set_password_hash(email, _HASHER.hash(password))
    token = secrets.token_urlsafe(32)
    accounts.add_session(StoredSession(token_digest(token), email, now, now))
    return _viewer(account), token


def viewer_for(rt: Runtime, token: str | None, now: datetime | None = None,
               policy: SessionPolicy = DEFAULT_POLICY) -> Viewer | None:
    """Who holds this token now; None when it is unknown, expired (then swept), or its account is gone."""
    if not token:
        return None
    now = now or datetime.now(UTC)
    accounts = _accounts(rt)
    digest = token_digest(token)
    session = accounts.session(digest)
    if session is None:
        return None
    if now - session.created_at >= policy.lifetime or now - session.last_seen_at >= policy.idle:
        accounts.sweep_sessions(created_before=now - policy.lifetime, seen_before=now - policy.idle)
        accounts.remove_session(digest)
        return None
    account = accounts.get(session.email)
    if account is None or account.disabled:
        accounts.remove_session(digest)
        return None
    if now - session.last_seen_at >= TOUCH_EVERY:
        accounts.touch_session(digest, now)
    return _viewer(account)


def sign_out(rt: Runtime, token: str | None) -> None:
    if token:
        _accounts(rt).remove_session(token_digest(token))


def sweep_sessions(rt: Runtime, now: datetime | None = None, policy: SessionPolicy = DEFAULT_POLICY) -> int:
    now = now or datetime.now(UTC)
    return _accounts(rt).sweep_sessions(created_before=now - policy.lifetime, seen_before=now - policy.idle)


# -- binding an admin to the org they connect ------------------------------------------------------
def check_may_connect(rt: Runtime, org_id: str, started_by_email: str | None) -> None:
    """Before an org is stored: a dashboard user may connect it only as an admin, and a bound admin only
    their own org. Connections with no dashboard user behind them (CLI, demo) are the operator's."""
    if started_by_email is None:
        return
    account = _accounts(rt).get(normalise_email(started_by_email))
    if account is None or account.disabled or account.role != "admin":
        raise OnboardingRefused("Only a dashboard admin can connect an org; sign in as one and start again.")
    if account.org_id is not None and account.org_id != org_id:
        raise OnboardingRefused(f"You administer the org {account.org_id}: you can reconnect only that org. "
                                "Ask for another admin account to connect a different org.")


def bind_admin(rt: Runtime, started_by_email: str | None, org_id: str) -> bool:
    """After a connection: an admin who had no org now administers this one. True when bound now."""
    if started_by_email is None:
        return False
    return _accounts(rt).bind_to_org(normalise_email(started_by_email), org_id)


# -- scope ------------------------------------------------------------------------------------------
def visible_orgs(viewer: Viewer, orgs: Iterable[Org]) -> list[Org]:
    return [org for org in orgs if viewer.can_view(org.org_id)]


def require_view(viewer: Viewer, org_id: str) -> None:
    if not viewer.can_view(org_id):
        raise OrgNotVisible(org_id)


def require_admin(viewer: Viewer, org_id: str) -> None:
    if not viewer.can_administer(org_id):
        raise OrgNotVisible(org_id)


# -- the demo's accounts ----------------------------------------------------------------------------
@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: str
    password: str = field(repr=False)


DEMO_ACCOUNTS = (  # documented in README.md ("Demo accounts"); for the embedded demo only
    DemoAccount("csm@demo.example", "Casey CSM", "csm", "demo-csm-password"),
    DemoAccount("admin@demo.example", "Alex Admin", "admin", "demo-admin-password"),
    DemoAccount("manager@demo.example", "Morgan Manager", "manager", "demo-manager-password"),
)


def ensure_demo_accounts(rt: Runtime, demo_org_id: str) -> list[str]:
    """Create the demo accounts, all scoped to the demo org, the first time the demo starts; their emails.

    Each is seeded once: an operator who removes one (its password is in the README) removes it for
    good, and a restart does not bring it back.
    """
    accounts = _accounts(rt)
    created = []
    for demo in DEMO_ACCOUNTS:
        email, account = _new_account(rt, demo.email, demo.name, demo.role, demo.password, demo_org_id, None)
        if accounts.seed_once(account, _HASHER.hash(demo.password)):
            created.append(email)
    return created
