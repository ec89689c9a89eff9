"""OAuth pieces without HTTP: the consent URL, the redirect, token answers, and the shared TokenManager."""
from __future__ import annotations

import threading
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from sync_engine.zoho.auth.oauth import TokenManager, TokenSet, authorization_url, parse_authorization_redirect
from sync_engine.zoho.errors import OAuthError


def test_authorization_url_asks_for_offline_access_and_consent():
    url = authorization_url("https://accounts.zoho.eu/", client_id="1000.ABC", redirect_uri="https://app/cb",
                            scopes=["ZohoCRM.modules.ALL", "ZohoCRM.org.READ"], state="s1")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://accounts.zoho.eu/oauth/v2/auth"
    assert {k: v[0] for k, v in parse_qs(parts.query).items()} == {
        "scope": "ZohoCRM.modules.ALL,ZohoCRM.org.READ", "client_id": "1000.ABC", "response_type": "code",
        "access_type": "offline", "prompt": "consent", "redirect_uri": "https://app/cb", "state": "s1"}


def test_redirect_carries_code_location_and_accounts_server():
    back = parse_authorization_redirect("https://app/cb?state=s1&code=1000.x.y&location=eu"
                                        "&accounts-server=https%3A%2F%2Faccounts.zoho.eu")
    assert (back.code, back.state, back.location, back.accounts_server, back.error) == \
        ("1000.x.y", "s1", "eu", "https://accounts.zoho.eu", None)
    assert "1000.x.y" not in repr(back)
    assert parse_authorization_redirect("https://app/cb?error=access_denied&state=s1").error == "access_denied"


def test_token_answer_in_seconds():
    tokens = TokenSet.from_answer({"access_token": "1000.a.b", "refresh_token": "1000.c.d", "expires_in": 3600,
                                   "api_domain": "https://www.zohoapis.eu", "token_type": "Bearer",
                                   "scope": "ZohoCRM.modules.ALL ZohoCRM.org.READ"})
    assert tokens.expires_in_s == 3600 and tokens.api_domain == "https://www.zohoapis.eu"
    assert tokens.scopes == ("ZohoCRM.modules.ALL", "ZohoCRM.org.READ") and tokens.refresh_token == "1000.c.d"
    assert "1000." not in repr(tokens)


def test_old_token_answer_with_expires_in_sec_has_expires_in_in_milliseconds():
    tokens = TokenSet.from_answer({"access_token": "t", "expires_in": 3_600_000, "expires_in_sec": 3600})
    assert tokens.expires_in_s == 3600 and tokens.refresh_token is None


class FakeAccounts:
    """Mints t1, t2, ... slowly, so concurrent refreshes would overlap if they were allowed."""

    def __init__(self, lifetime: float = 3600, fail: OAuthError | None = None) -> None:
        self.minted = 0
        self.lifetime = lifetime
        self.fail = fail
        self._lock = threading.Lock()

    def refresh(self, refresh_token: str) -> TokenSet:
        assert refresh_token == "1000.refresh"
        if self.fail:
            raise self.fail
        time.sleep(0.01)
        with self._lock:
            self.minted += 1
            return TokenSet(f"t{self.minted}", self.lifetime, "https://api")

    def revoke(self, token: str) -> None:
        self.revoked = token


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def manager(accounts: FakeAccounts, clock: Clock | None = None) -> TokenManager:
    return TokenManager(accounts, "1000.refresh", margin_s=300, clock=clock or Clock())  # type: ignore[arg-type]


def test_token_is_refreshed_within_the_margin_before_expiry():
    clock, accounts = Clock(), FakeAccounts()
    tokens = manager(accounts, clock)
    assert tokens.access_token() == "t1" and tokens.api_domain == "https://api"
    clock.now += 3299
    assert tokens.access_token() == "t1"
    clock.now += 1  # 300 s left: refresh now rather than fail mid-call
    assert tokens.access_token() == "t2" and accounts.minted == 2


def test_many_threads_reporting_the_same_rejected_token_cause_one_refresh():
    accounts = FakeAccounts()
    tokens = manager(accounts)
    used = tokens.access_token()
    gate = threading.Barrier(8)
    seen: list[str] = []

    def rejected() -> None:
        gate.wait()
        seen.append(tokens.token_rejected(used))

    threads = [threading.Thread(target=rejected) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == ["t2"] * 8 and accounts.minted == 2 and tokens.refreshes == 2


def test_a_stale_rejection_does_not_refresh_again():
    accounts = FakeAccounts()
    tokens = manager(accounts)
    first = tokens.access_token()
    assert tokens.token_rejected(first) == "t2"
    assert tokens.token_rejected(first) == "t2" and accounts.minted == 2
    assert tokens.token_rejected("t2") == "t3"


def test_refresh_failure_propagates_and_nothing_is_cached():
    accounts = FakeAccounts(fail=OAuthError("invalid_code", code="invalid_code"))
    tokens = manager(accounts)
    with pytest.raises(OAuthError):
        tokens.access_token()
    with pytest.raises(OAuthError):
        tokens.access_token()


def test_revoke_forgets_the_current_token():
    accounts = FakeAccounts()
    tokens = manager(accounts)
    tokens.access_token()
    tokens.revoke()
    assert accounts.revoked == "1000.refresh"
    assert tokens.access_token() == "t2"
