"""Connecting an org: the OAuth sign-in, the edition and admin checks, and the stored tenant.

The Zoho admin signs in once (authorization-code grant, any data centre) or, headless, hands over a
self-client refresh token. Either way we read ``/org`` and the signed-in user before storing
anything: a Free org, or a user who is not a Zoho administrator, is refused with what to do, and the
token just minted is revoked so nothing is left behind.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import requests

from sync_engine.store.orgs import ConnectionSecrets, Org, OrgRepository
from sync_engine.store.pending import PendingConnection, PendingConnections
from sync_engine.zoho import (
    DATA_CENTRES,
    ApiCall,
    Connection,
    DataCentre,
    ZohoClient,
    ZohoError,
    attributed_to,
    by_accounts_url,
    by_code,
)
from sync_engine.zoho.auth.oauth import AccountsServer, authorization_url
from sync_engine.zoho.auth.token_keeping import StoredToken
from sync_engine.zoho.editions import UnsupportedEdition, check_supported, daily_credit_limit, edition_of
from sync_engine.zoho.metering import Meter

SCOPES = (
    "ZohoCRM.modules.ALL", "ZohoCRM.settings.ALL", "ZohoCRM.users.READ", "ZohoCRM.org.READ",
    "ZohoCRM.coql.READ", "ZohoCRM.bulk.READ", "ZohoSearch.securesearch.READ",
)
ADMIN_PROFILE = "Administrator"


class OnboardingRefused(Exception):
    """The org or the user cannot be connected; ``str()`` tells the admin why and what to do."""


@dataclass(frozen=True)
class ConnectStart:
    state: str
    authorization_url: str


@dataclass(frozen=True)
class Connected:
    org: Org
    admin_email: str
    reconnected: bool
    started_by_email: str | None = None  # the dashboard user who started it; None from the CLI or the demo


# Asked before an org is stored, with its org id and who started the connection: raise
# OnboardingRefused to refuse (the access rules: only admins, a bound admin only their own org).
MayConnect = Callable[[str, str | None], None]


def data_centre(code: str, accounts_url: str | None = None) -> DataCentre:
    """A Zoho data centre by code, or a custom accounts server (the emulator) by URL."""
    if accounts_url:
        return DataCentre.custom(accounts_url)
    try:
        return by_code(code)
    except (KeyError, ValueError):
        known = ", ".join(sorted(DATA_CENTRES))
        raise OnboardingRefused(f"Unknown data centre {code!r}: choose one of {known}.") from None


def begin(pending: PendingConnections, dc: DataCentre, client_id: str, client_secret: str, redirect_uri: str,
          started_by_email: str | None = None, now: datetime | None = None) -> ConnectStart:
    """Record a sign-in under way and give the consent page URL to send the admin to."""
    if not client_id.strip() or not client_secret.strip():
        raise OnboardingRefused("Enter the client ID and client secret of the app registered in Zoho's API console.")
    state = secrets.token_urlsafe(24)
    pending.add(PendingConnection(state, dc.code, dc.accounts_url, client_id.strip(), client_secret.strip(),
                                  redirect_uri, started_by_email, now or datetime.now(UTC)))
    url = authorization_url(dc.accounts_url, client_id=client_id.strip(), scopes=SCOPES, redirect_uri=redirect_uri,
                            state=state)
    return ConnectStart(state, url)


def trusted_accounts_server(pending: PendingConnection, accounts_server: str | None) -> str:
    """Where to exchange the code. Zoho names the org's data centre on the redirect; we only follow it to a
    known Zoho accounts server (or the one we sent the admin to), never to a host a forged link names."""
    if not accounts_server or accounts_server.rstrip("/") == pending.accounts_url.rstrip("/"):
        return pending.accounts_url
    known = {dc.accounts_url.rstrip("/") for dc in DATA_CENTRES.values()}
    if accounts_server.rstrip("/") not in known:
        raise OnboardingRefused("The sign-in came back naming an accounts server that is not Zoho's; "
                                "it was ignored. Start the connection again.")
    return accounts_server.rstrip("/")


class Onboarding:
    """Turns a grant code or refresh token into a stored, checked tenant. Every call goes to ``record``."""

    def __init__(self, orgs: OrgRepository, pending: PendingConnections, record: Callable[[ApiCall], None],
                 may_connect: MayConnect | None = None,
                 keep_token: Callable[[str, StoredToken, int], None] | None = None) -> None:
        self.orgs = orgs
        self.pending = pending
        self._record = record
        self._may_connect = may_connect
        self._keep_token = keep_token  # the access token minted while connecting serves the org's client too

    def finish(self, state: str, code: str | None, accounts_server: str | None = None,
               error: str | None = None) -> Connected:
        """The redirect back from Zoho's consent page."""
        taken = self.pending.take(state) if state else None
        if taken is None:
            raise OnboardingRefused("This sign-in link has expired or was already used. Start the connection again.")
        if error or not code:
            raise OnboardingRefused("Access was not granted in Zoho (the consent page was declined). "
                                    "Start again and choose Accept.")
        accounts_url = trusted_accounts_server(taken, accounts_server)
        calls: list[ApiCall] = []
        server = AccountsServer(accounts_url, taken.client_id, taken.client_secret,
                                http=requests.Session(), meter=Meter("pending", calls.append))
        with attributed_to(job="onboarding"):
            try:
                tokens = server.exchange_code(code, taken.redirect_uri)
            except ZohoError as err:
                self._flush(calls, "pending")
                raise OnboardingRefused(f"Zoho did not accept the sign-in: {err.describe()}") from err
        if not tokens.refresh_token:
            raise OnboardingRefused("Zoho gave no refresh token: the sign-in must ask for offline access.")
        dc = by_accounts_url(accounts_url) or DataCentre.custom(accounts_url)
        connection = Connection(org_id="pending", accounts_url=accounts_url, api_domain=tokens.api_domain or "",
                                client_id=taken.client_id, client_secret=taken.client_secret,
                                refresh_token=tokens.refresh_token)
        return self._connect(connection, dc, calls, started_by_email=taken.started_by_email)

    def with_refresh_token(self, dc: DataCentre, client_id: str, client_secret: str,
                           refresh_token: str, started_by_email: str | None = None) -> Connected:
        """Headless onboarding (CLI, self-client): the same checks, starting from a refresh token."""
        connection = Connection(org_id="pending", accounts_url=dc.accounts_url, api_domain="",
                                client_id=client_id, client_secret=client_secret, refresh_token=refresh_token)
        return self._connect(connection, dc, [], revoke_on_refusal=False, started_by_email=started_by_email)

    def _connect(self, connection: Connection, dc: DataCentre, calls: list[ApiCall],
                 revoke_on_refusal: bool = True, started_by_email: str | None = None) -> Connected:
        client = ZohoClient(connection, calls.append)
        org_id = "pending"
        try:
            with attributed_to(job="onboarding"):
                org_info = client.org()
                org_id = f"zoho-{dc.code.lower()}-{org_info['id']}"
                user = self._checked(client, org_info, revoke_on_refusal)
                self._authorised(client, org_id, org_info, started_by_email, revoke_on_refusal)
            connected = self._store(org_id, dc, connection, client, org_info, user)
            token = client.tokens.current()
            if token is not None and self._keep_token is not None:
                self._keep_token(connected.org.org_id, token, client.tokens.refreshes)
            return replace(connected, started_by_email=started_by_email)
        except ZohoError as err:
            raise OnboardingRefused(f"Zoho refused the connection: {err.describe()}") from err
        finally:
            client.close()
            self._flush(calls, org_id)

    def _checked(self, client: ZohoClient, org_info: dict[str, Any], revoke_on_refusal: bool) -> dict[str, Any]:
        edition = edition_of(org_info.get("license_details") or {})
        user = client.current_user() or {}
        try:
            try:
                check_supported(edition)
            except UnsupportedEdition as unsupported:
                raise OnboardingRefused(str(unsupported)) from None
            if (user.get("profile") or {}).get("name") != ADMIN_PROFILE:
                name = user.get("email") or "the signed-in user"
                raise OnboardingRefused(
                    f"{name} is not a Zoho CRM administrator. Ask a user with the Administrator profile to "
                    "connect the org: activities are created with the admin's token and assigned to each user.")
        except OnboardingRefused:
            if revoke_on_refusal:
                client.revoke()
            raise
        return user

    def _authorised(self, client: ZohoClient, org_id: str, org_info: dict[str, Any], started_by_email: str | None,
                    revoke_on_refusal: bool) -> None:
        """The dashboard's say: may whoever started this connect this org (a new one, or the tenant it is)?"""
        if self._may_connect is None:
            return
        existing = self.orgs.find_by_zoho_org_id(str(org_info["id"]))
        try:
            self._may_connect(existing.org_id if existing else org_id, started_by_email)
        except OnboardingRefused:
            if revoke_on_refusal:
                client.revoke()
            raise

    def _store(self, org_id: str, dc: DataCentre, connection: Connection, client: ZohoClient,
               org_info: dict[str, Any], user: dict[str, Any]) -> Connected:
        licence = org_info.get("license_details") or {}
        edition = edition_of(licence)
        licences = int(licence.get("users_license_purchased") or 0)
        details: dict[str, Any] = dict(
            data_centre=dc.code, client_id=connection.client_id, accounts_url=dc.accounts_url,
            api_domain=client.tokens.api_domain or connection.api_domain, zoho_org_id=str(org_info["id"]),
            company_name=org_info.get("company_name"), edition=edition, licences=licences,
            daily_credit_limit=daily_credit_limit(edition, licences))
        secrets_ = ConnectionSecrets(connection.client_secret, connection.refresh_token)
        admin_email = str(user.get("email") or "")
        existing = self.orgs.find_by_zoho_org_id(str(org_info["id"]))
        if existing is not None:
            org = self.orgs.reconnect(existing.org_id, secrets_, admin_email, **details)
            return Connected(org, admin_email, reconnected=True)
        org = Org(org_id=org_id, name=org_info.get("company_name") or org_id, connected_by_email=admin_email,
                  connected_at=datetime.now(UTC), **details)
        return Connected(self.orgs.add(org, secrets_), admin_email, reconnected=False)

    def _flush(self, calls: list[ApiCall], org_id: str) -> None:
        """Onboarding calls are made before the org has an id: charge them to it once it has one."""
        for call in calls:
            self._record(replace(call, org_id=org_id))
        calls.clear()

