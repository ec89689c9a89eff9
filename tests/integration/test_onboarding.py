"""Connecting orgs end to end against the emulator over HTTP: OAuth redirect flow, checks, tenants, ledger."""
from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
import requests

from sync_engine import service
from sync_engine.connect.onboarding import OnboardingRefused
from sync_engine.records.users import OurUser
from sync_engine.runtime import Runtime
from sync_engine.zoho.auth.oauth import parse_authorization_redirect
from zoho_emulator import EmulatorConfig, RunningEmulator, start_emulator

ROOT = Path(__file__).resolve().parents[2]
REDIRECT = "http://localhost:8501/"
CLIENT_ID, CLIENT_SECRET = "1000.EMULATORDEMOCLIENT", "emulator-demo-secret"


def emulator(**config) -> RunningEmulator:
    return start_emulator(EmulatorConfig(refresh_token="1000.headless", **config))


@pytest.fixture
def zoho() -> Iterator[RunningEmulator]:
    em = emulator()
    yield em
    em.stop()


def consent(auth_url: str, login: str | None = None, decision: str = "accept") -> str:
    """What an admin does in the browser: open the consent page, pick the account, accept."""
    page = requests.get(auth_url, timeout=10)
    assert page.status_code == 200, page.text
    fields = {name: unescape(value) for name, value in
              re.findall(r"<input type='hidden' name='([^']+)' value='([^']*)'>", page.text)}
    if login is None:
        login = unescape(re.search(r"<option value='([^']+)' selected>", page.text).group(1))
    base = auth_url.split("/oauth/")[0]
    answer = requests.post(f"{base}/oauth/v2/auth/consent", data={**fields, "login": login, "decision": decision},
                           allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def connect_by_browser(rt: Runtime, em: RunningEmulator, login: str | None = None, decision: str = "accept"):
    begun = service.begin_connect(rt, data_centre_code="LOCAL", accounts_url=em.url, client_id=CLIENT_ID,
                                  client_secret=CLIENT_SECRET, redirect_uri=REDIRECT)
    back = parse_authorization_redirect(consent(begun.authorization_url, login, decision))
    return service.finish_connect(rt, state=back.state or "", code=back.code, accounts_server=back.accounts_server,
                                  error=back.error)


def emulator_usage(em: RunningEmulator) -> dict:
    return requests.get(f"{em.url}/__emulator/usage", timeout=10).json()


def test_admin_connects_through_the_consent_page_and_sees_edition_limit_and_users(rt, zoho) -> None:
    connected = connect_by_browser(rt, zoho)
    org = connected.org
    data = zoho.state.data
    assert org.edition == "enterprise" and org.licences == data.org.licences
    assert org.daily_credit_limit == 50_000 + 1_000 * data.org.licences
    assert connected.admin_email == data.admin.email and not connected.reconnected
    assert {u.email for u in rt.users.zoho_users(org.org_id)} == {u.email for u in data.users.values()}
    rt.ledger.flush()
    assert rt.ledger.total(org.org_id) == emulator_usage(zoho)["total_charged"] > 0


def test_refresh_token_is_stored_encrypted_and_works_for_later_calls(rt, zoho, tmp_path) -> None:
    org = connect_by_browser(rt, zoho).org
    rt.forget_client(org.org_id)
    assert service.record_counts(rt, org.org_id)["Contacts"] == len(zoho.state.data.tables["Contacts"])
    rt.close()
    raw = (tmp_path / "sync.duckdb").read_bytes()
    for token in zoho.state.accounts.refresh_tokens:
        assert token.encode() not in raw


def test_free_edition_is_refused_with_what_to_do_and_the_token_is_revoked(rt) -> None:
    em = emulator(edition="free")
    try:
        with pytest.raises(OnboardingRefused, match="Free edition.*Upgrade"):
            connect_by_browser(rt, em)
        minted = [t for t in em.state.accounts.refresh_tokens.values() if t.token != "1000.headless"]
        assert minted and all(t.revoked for t in minted)
        assert service.list_orgs(rt) == []
    finally:
        em.stop()


def test_a_user_who_is_not_a_zoho_administrator_is_refused(rt, zoho) -> None:
    rep = next(u for u in zoho.state.data.users.values() if u.active and not u.is_admin)
    with pytest.raises(OnboardingRefused, match="not a Zoho CRM administrator"):
        connect_by_browser(rt, zoho, login=rep.email)
    assert service.list_orgs(rt) == []


def test_declined_consent_and_reused_or_forged_sign_ins_are_refused(rt, zoho) -> None:
    with pytest.raises(OnboardingRefused, match="declined"):
        connect_by_browser(rt, zoho, decision="deny")
    begun = service.begin_connect(rt, data_centre_code="LOCAL", accounts_url=zoho.url, client_id=CLIENT_ID,
                                  client_secret=CLIENT_SECRET, redirect_uri=REDIRECT)
    back = parse_authorization_redirect(consent(begun.authorization_url))
    with pytest.raises(OnboardingRefused, match="not Zoho's"):
        service.finish_connect(rt, state=back.state, code=back.code, accounts_server="https://evil.example")
    with pytest.raises(OnboardingRefused, match="expired or was already used"):
        service.finish_connect(rt, state=back.state, code=back.code, accounts_server=back.accounts_server)


def test_wrong_client_secret_is_explained(rt, zoho) -> None:
    begun = service.begin_connect(rt, data_centre_code="LOCAL", accounts_url=zoho.url, client_id=CLIENT_ID,
                                  client_secret="wrong", redirect_uri=REDIRECT)
    back = parse_authorization_redirect(consent(begun.authorization_url))
    with pytest.raises(OnboardingRefused, match="did not accept the sign-in"):
        service.finish_connect(rt, state=back.state, code=back.code, accounts_server=back.accounts_server)


def test_connecting_the_same_org_again_reconnects_instead_of_duplicating(rt, zoho) -> None:
    first = connect_by_browser(rt, zoho).org
    again = connect_by_browser(rt, zoho)
    assert again.reconnected and again.org.org_id == first.org_id
    assert len(service.list_orgs(rt)) == 1


def test_two_orgs_side_by_side_keep_data_and_credits_apart(rt) -> None:
    one, two = emulator(seed=1), emulator(seed=2, edition="professional", licences=20)
    try:
        a = connect_by_browser(rt, one).org
        b = connect_by_browser(rt, two).org
        assert a.org_id != b.org_id and b.edition == "professional" and b.daily_credit_limit == 60_000
        service.record_counts(rt, b.org_id)
        rt.ledger.flush()
        assert rt.ledger.total(a.org_id) == emulator_usage(one)["total_charged"]
        assert rt.ledger.total(b.org_id) == emulator_usage(two)["total_charged"]
        emails_a = {u.email for u in rt.users.zoho_users(a.org_id)}
        emails_b = {u.email for u in rt.users.zoho_users(b.org_id)}
        assert emails_a == {u.email for u in one.state.data.users.values()}
        assert emails_b == {u.email for u in two.state.data.users.values()}
    finally:
        one.stop()
        two.stop()


def test_conversation_of_an_unmapped_user_is_held_then_released_by_mapping(rt, zoho) -> None:
    org = connect_by_browser(rt, zoho).org
    rep = next(u for u in zoho.state.data.users.values() if u.active and not u.is_admin)
    service.set_our_users(rt, org.org_id, [OurUser("  " + rep.email.upper() + " "), OurUser("newbie@platform.io")])
    assert not service.hold_if_unmapped(rt, org.org_id, "c-1", rep.email.upper(), {"title": "Intro"})
    assert service.hold_if_unmapped(rt, org.org_id, "c-2", "newbie@platform.io", {"title": "Demo"})
    assert [h.conversation_id for h in service.connection_overview(rt, org.org_id).held] == ["c-2"]
    released = service.map_user(rt, org.org_id, "NEWBIE@platform.io", rep.id)
    assert [(h.conversation_id, h.payload) for h in released] == [("c-2", {"title": "Demo"})]
    assert service.connection_overview(rt, org.org_id).held == []


def test_disconnect_revokes_the_token_at_zoho_and_keeps_the_ledger(rt, zoho) -> None:
    org = connect_by_browser(rt, zoho).org
    secrets = rt.orgs.connection_secrets(org.org_id)
    spent = rt.ledger.total(org.org_id)
    assert service.disconnect(rt, org.org_id).status == "disconnected"
    assert zoho.state.accounts.refresh_tokens[secrets.refresh_token].revoked
    assert rt.ledger.total(org.org_id) >= spent > 0


def test_cli_connects_headlessly_with_a_refresh_token(zoho, tmp_path) -> None:
    env = {"SYNC_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "ZOHO_CLIENT_SECRET": CLIENT_SECRET,
           "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "sync_engine", "connect", "--accounts-url", zoho.url,
                          "--client-id", CLIENT_ID, "--refresh-token", "1000.headless"],
                         capture_output=True, text=True, env=env, timeout=60, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert "Enterprise" in run.stdout and "daily credit limit 60,000" in run.stdout
    assert "1000.headless" not in run.stdout + run.stderr
    listed = subprocess.run([sys.executable, "-m", "sync_engine", "orgs"], capture_output=True, text=True, env=env,
                            timeout=60, cwd=ROOT)
    assert "connected" in listed.stdout


def test_cli_explains_a_refused_connection(tmp_path) -> None:
    em = emulator(edition="free")
    try:
        env = {"SYNC_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
        run = subprocess.run([sys.executable, "-m", "sync_engine", "connect", "--accounts-url", em.url,
                              "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET,
                              "--refresh-token", "1000.headless"],
                             capture_output=True, text=True, env=env, timeout=60, cwd=ROOT)
        assert run.returncode == 1
        assert "Free edition" in run.stderr and "Traceback" not in run.stderr
    finally:
        em.stop()
