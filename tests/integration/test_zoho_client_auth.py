"""ZohoClient OAuth against the emulator: refresh on expiry (once, even under contention), revocation,
bad credentials, missing scopes and the full authorization-code flow (zoho-api.md §1)."""
from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import requests
from zoho_client_support import (
    CLIENT_ID,
    CLIENT_SECRET,
    REFRESH_TOKEN,
    Control,
    Ledger,
    connect,
    start,
    stop_later,
)

from sync_engine.zoho.auth.oauth import AccountsServer, authorization_url, parse_authorization_redirect
from sync_engine.zoho.datacentres import resolve
from sync_engine.zoho.errors import AuthError, OAuthError
from sync_engine.zoho.metering import Meter
from zoho_emulator import RunningEmulator

REDIRECT_URI = "http://localhost:8501/"


@pytest.fixture
def em() -> Iterator[RunningEmulator]:
    emulator = start()
    yield emulator
    stop_later(emulator)


def test_first_call_refreshes_once_then_reuses_the_token(em):
    ledger = Ledger()
    client = connect(em, ledger)
    assert client.org()["company_name"] == "Northwind Demo"
    assert client.current_user()["email"] == "ana.ruiz@northwind-demo.com"
    assert ledger.refreshes() == 1
    assert [c.credits for c in ledger.of("oauth.refresh")] == [0]
    assert [c.http_status for c in ledger.calls if c.api != "oauth.refresh"] == [200, 200]


def test_forced_expiry_mid_run_costs_exactly_one_refresh(em):
    ledger = Ledger()
    client = connect(em, ledger)
    assert len(list(client.iter_records("Contacts", ["Last_Name"]))) == 3
    Control(em).post("tokens/expire")
    assert len(list(client.iter_records("Contacts", ["Last_Name"]))) == 3
    assert ledger.refreshes() == 2
    rejected = [c for c in ledger.calls if c.http_status == 401]
    assert [(c.zoho_code, c.credits) for c in rejected] == [("INVALID_TOKEN", 0)]


def test_server_clock_past_the_token_lifetime_is_handled_like_expiry(em):
    ledger = Ledger()
    client = connect(em, ledger)
    client.org()
    Control(em).post("clock", {"advance_seconds": 3700})
    client.org()
    assert ledger.refreshes() == 2


def test_eight_threads_on_an_expired_token_share_one_refresh(em):
    ledger = Ledger()
    client = connect(em, ledger, max_concurrency=8)
    client.org()
    Control(em).post("tokens/expire")
    gate = threading.Barrier(8)
    failures: list[BaseException] = []

    def work() -> None:
        gate.wait()
        try:
            client.org()
        except BaseException as err:  # noqa: BLE001 - reported below
            failures.append(err)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert ledger.refreshes() == 2  # the first call's, then exactly one for the expiry
    assert len([c for c in ledger.of("org") if c.http_status == 200]) == 9


def test_revoked_refresh_token_raises_oauth_error_asking_for_reconnect(em):
    ledger = Ledger()
    client = connect(em, ledger)
    client.org()
    answer = requests.post(f"{em.url}/oauth/v2/token/revoke", data={"token": REFRESH_TOKEN}, timeout=10)
    assert answer.json()["status"] == "success"  # revoked elsewhere: the admin disconnected the app in Zoho
    with pytest.raises(OAuthError) as caught:
        client.org()
    err = caught.value
    assert err.code == "invalid_code" and err.needs_reconnect
    assert "reconnect" in err.describe()
    assert REFRESH_TOKEN not in str(err) and "1000." not in str(err) + err.describe()
    assert ledger.statuses("org")[-1] == 401 and ledger.refreshes() == 2


def test_client_revoke_disconnects_the_org(em):
    ledger = Ledger()
    client = connect(em, ledger)
    client.org()
    client.revoke()
    assert [c.api for c in ledger.calls][-1] == "oauth.revoke"
    with pytest.raises(OAuthError, match="invalid_code"):
        client.org()


def test_wrong_client_secret_is_explained(em):
    client = connect(em, Ledger(), client_secret="not-the-secret")
    with pytest.raises(OAuthError) as caught:
        client.org()
    assert caught.value.code == "invalid_client_secret"
    assert "client secret" in caught.value.describe()


def test_missing_scope_is_an_auth_error_without_a_refresh_loop(em):
    issued = Control(em).post("refresh-tokens", {"scopes": ["ZohoCRM.org.READ"]})
    ledger = Ledger()
    client = connect(em, ledger, refresh_token=issued["refresh_token"])
    assert client.org()["id"]
    with pytest.raises(AuthError) as caught:
        client.users()
    assert caught.value.code == "OAUTH_SCOPE_MISMATCH"
    assert "permission" in caught.value.describe()
    assert ledger.statuses("users.list") == [401] and ledger.refreshes() == 1


def test_authorization_code_flow_yields_a_refresh_token(em):
    url = authorization_url(em.url, client_id=CLIENT_ID, scopes=["ZohoCRM.modules.ALL", "ZohoCRM.org.READ"],
                            redirect_uri=REDIRECT_URI, state="xyz")
    assert requests.get(url, timeout=10).status_code == 200  # the consent page
    consent = requests.post(f"{em.url}/oauth/v2/auth/consent", allow_redirects=False, timeout=10, data={
        "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "scope": "ZohoCRM.modules.ALL,ZohoCRM.org.READ",
        "response_type": "code", "access_type": "offline", "prompt": "consent", "state": "xyz",
        "decision": "accept", "login": "ana.ruiz@northwind-demo.com"})
    redirect = parse_authorization_redirect(consent.headers["Location"])
    assert redirect.state == "xyz" and redirect.code and redirect.error is None
    dc = resolve(redirect.accounts_server, redirect.location)
    assert dc.accounts_url == em.url and dc.code == "US"
    ledger = Ledger()
    accounts = AccountsServer(dc.accounts_url, CLIENT_ID, CLIENT_SECRET, http=requests.Session(),
                              meter=Meter("org", ledger))
    tokens = accounts.exchange_code(redirect.code, REDIRECT_URI)
    assert tokens.refresh_token and tokens.access_token and tokens.api_domain == em.url
    assert 3590 <= tokens.expires_in_s <= 3600 and "ZohoCRM.org.READ" in tokens.scopes
    assert "1000." not in repr(tokens)
    assert [(c.api, c.credits, c.zoho_code) for c in ledger.calls] == [("oauth.exchange", 0, None)]
    with pytest.raises(OAuthError, match="invalid_code"):  # grant codes are single-use
        accounts.exchange_code(redirect.code, REDIRECT_URI)
