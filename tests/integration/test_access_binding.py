"""An admin without an org gets the org they connect, over real OAuth against the emulator; a bound admin
may reconnect only that org; nobody else connects at all."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from test_onboarding import CLIENT_ID, CLIENT_SECRET, REDIRECT, consent

from sync_engine import service
from sync_engine.connect.onboarding import OnboardingRefused
from sync_engine.runtime import Runtime
from sync_engine.service import access
from sync_engine.service.access import Viewer
from sync_engine.zoho.auth.oauth import parse_authorization_redirect
from zoho_emulator import EmulatorConfig, RunningEmulator, start_emulator

PASSWORD = "admin password 1"


@pytest.fixture
def zoho() -> Iterator[RunningEmulator]:
    em = start_emulator(EmulatorConfig(refresh_token="1000.headless", seed=1))
    yield em
    em.stop()


@pytest.fixture
def other_zoho() -> Iterator[RunningEmulator]:
    em = start_emulator(EmulatorConfig(refresh_token="1000.other", seed=2))
    yield em
    em.stop()


def connect_as(rt: Runtime, viewer: Viewer, em: RunningEmulator):
    begun = service.begin_connect_as(rt, viewer, data_centre_code="LOCAL", accounts_url=em.url, client_id=CLIENT_ID,
                                     client_secret=CLIENT_SECRET, redirect_uri=REDIRECT)
    back = parse_authorization_redirect(consent(begun.authorization_url))
    return service.finish_connect(rt, state=back.state or "", code=back.code, accounts_server=back.accounts_server,
                                  error=back.error)


def signed_in(rt: Runtime, email: str) -> tuple[Viewer, str]:
    return access.sign_in(rt, email, PASSWORD)


def test_an_admin_without_an_org_is_bound_to_the_org_they_connect(rt: Runtime, zoho: RunningEmulator) -> None:
    access.create_account(rt, "new.admin@corp.com", "New Admin", "admin", PASSWORD)
    viewer, token = signed_in(rt, "new.admin@corp.com")
    assert viewer.org_id is None
    connected = connect_as(rt, viewer, zoho)
    assert connected.started_by_email == "new.admin@corp.com"
    refreshed = access.viewer_for(rt, token)
    assert refreshed is not None and refreshed.org_id == connected.org.org_id
    assert refreshed.can_administer(connected.org.org_id)


def test_a_bound_admin_may_reconnect_their_own_org(rt: Runtime, zoho: RunningEmulator) -> None:
    access.create_account(rt, "new.admin@corp.com", "New Admin", "admin", PASSWORD)
    viewer, _ = signed_in(rt, "new.admin@corp.com")
    first = connect_as(rt, viewer, zoho)
    bound, _ = signed_in(rt, "new.admin@corp.com")
    again = connect_as(rt, bound, zoho)
    assert again.reconnected and again.org.org_id == first.org.org_id
    assert access.list_accounts(rt)[0].org_id == first.org.org_id


def test_a_bound_admin_cannot_connect_another_org_and_its_token_is_revoked(rt: Runtime, zoho: RunningEmulator,
                                                                           other_zoho: RunningEmulator) -> None:
    access.create_account(rt, "new.admin@corp.com", "New Admin", "admin", PASSWORD)
    viewer, _ = signed_in(rt, "new.admin@corp.com")
    mine = connect_as(rt, viewer, zoho).org.org_id
    bound, _ = signed_in(rt, "new.admin@corp.com")
    with pytest.raises(OnboardingRefused, match=f"You administer the org {mine}: you can reconnect only that org"):
        connect_as(rt, bound, other_zoho)
    assert [o.org_id for o in rt.orgs.list()] == [mine]
    minted = [t for t in other_zoho.state.accounts.refresh_tokens.values() if t.token != "1000.other"]
    assert minted and all(t.revoked for t in minted)
    assert access.list_accounts(rt)[0].org_id == mine


def test_only_admins_start_a_connection(rt: Runtime, zoho: RunningEmulator) -> None:
    for role in ("csm", "manager"):
        viewer = Viewer(f"{role}@corp.com", role, role, None if role == "csm" else "x")  # type: ignore[arg-type]
        with pytest.raises(OnboardingRefused, match="Only an admin"):
            connect_as(rt, viewer, zoho)
    assert rt.orgs.list() == []


def test_a_connection_started_by_a_non_admin_is_refused_when_it_comes_back(rt: Runtime, zoho: RunningEmulator) -> None:
    access.create_account(rt, "csm@corp.com", "Casey", "csm", PASSWORD)
    begun = service.begin_connect(rt, data_centre_code="LOCAL", accounts_url=zoho.url, client_id=CLIENT_ID,
                                  client_secret=CLIENT_SECRET, redirect_uri=REDIRECT, started_by_email="csm@corp.com")
    back = parse_authorization_redirect(consent(begun.authorization_url))
    with pytest.raises(OnboardingRefused, match="Only a dashboard admin"):
        service.finish_connect(rt, state=back.state or "", code=back.code, accounts_server=back.accounts_server)
    assert rt.orgs.list() == []


def test_a_refresh_token_connect_on_behalf_of_an_admin_binds_them_and_one_from_the_cli_binds_nobody(
        rt: Runtime, zoho: RunningEmulator, other_zoho: RunningEmulator) -> None:
    access.create_account(rt, "new.admin@corp.com", "New Admin", "admin", PASSWORD)
    cli = service.connect_with_refresh_token(rt, data_centre_code="LOCAL", accounts_url=other_zoho.url,
                                             client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                                             refresh_token="1000.other")
    assert cli.started_by_email is None and access.list_accounts(rt)[0].org_id is None
    mine = service.connect_with_refresh_token(rt, data_centre_code="LOCAL", accounts_url=zoho.url, client_id=CLIENT_ID,
                                              client_secret=CLIENT_SECRET, refresh_token="1000.headless",
                                              started_by_email="New.Admin@corp.com")
    assert access.list_accounts(rt)[0].org_id == mine.org.org_id != cli.org.org_id


def test_a_secret_left_empty_in_the_form_is_the_servers_zoho_client_secret(
        rt: Runtime, zoho: RunningEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    access.create_account(rt, "new.admin@corp.com", "New Admin", "admin", PASSWORD)
    viewer, _ = signed_in(rt, "new.admin@corp.com")
    monkeypatch.delenv("ZOHO_CLIENT_SECRET", raising=False)
    with pytest.raises(OnboardingRefused, match="Enter the client secret"):
        service.begin_connect_as(rt, viewer, data_centre_code="LOCAL", accounts_url=zoho.url, client_id=CLIENT_ID,
                                 client_secret=" ", redirect_uri=REDIRECT)
    monkeypatch.setenv("ZOHO_CLIENT_SECRET", CLIENT_SECRET)
    assert service.client_secret_configured()
    begun = service.begin_connect_as(rt, viewer, data_centre_code="LOCAL", accounts_url=zoho.url, client_id=CLIENT_ID,
                                     client_secret="", redirect_uri=REDIRECT)
    back = parse_authorization_redirect(consent(begun.authorization_url))
    connected = service.finish_connect(rt, state=back.state or "", code=back.code,
                                       accounts_server=back.accounts_server, error=back.error)
    assert connected.started_by_email == "new.admin@corp.com"  # the token exchange took the server's secret
