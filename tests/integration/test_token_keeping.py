"""Access tokens outlive the process that minted them, and token refreshes stay under Zoho's limit.

Zoho mints at most 10 access tokens per refresh token in 10 minutes and then answers "Access Denied"
(zoho-api.md §1); the emulator enforces the same. Each runtime below is what a new process builds from
the same DuckDB file: nothing in memory survives from the one before.
"""
from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import CLIENT_ID, CLIENT_SECRET, fresh_refresh_token

from sync_engine import service
from sync_engine.runtime import Runtime, open_runtime
from sync_engine.store.tokens import OrgTokens
from sync_engine.zoho import Connection, ZohoClient
from sync_engine.zoho.auth.token_keeping import REFRESHES_PER_WINDOW, TokenRefreshThrottled
from zoho_emulator import RunningEmulator


def mints(zoho: RunningEmulator, refresh_token: str) -> int:
    """Access tokens Zoho minted from this refresh token (the connect's grant exchange excluded)."""
    return len(zoho.state.accounts.refresh_tokens[refresh_token].mints)


@pytest.fixture
def connected(rt: Runtime, zoho: RunningEmulator) -> tuple[str, str]:
    token = fresh_refresh_token(zoho)
    org_id = service.connect_with_refresh_token(rt, data_centre_code="LOCAL", accounts_url=zoho.url,
                                                client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                                                refresh_token=token).org.org_id
    return org_id, token


def test_processes_started_one_after_another_reuse_the_token_minted_while_connecting(
        rt: Runtime, zoho: RunningEmulator, connected: tuple[str, str], tmp_path: Path) -> None:
    org_id, refresh_token = connected
    assert mints(zoho, refresh_token) == 1  # connecting needed one
    rt.client(org_id).org()
    rt.close()
    for _ in range(12):  # more starts than Zoho would mint tokens for in 10 minutes
        again = open_runtime()
        try:
            assert again.client(org_id).org()["id"]
        finally:
            again.close()
    assert mints(zoho, refresh_token) == 1


def test_the_kept_token_is_encrypted_at_rest(rt: Runtime, zoho: RunningEmulator, connected: tuple[str, str]) -> None:
    org_id, _ = connected
    kept = OrgTokens(rt.store, rt.box, org_id).load()
    assert kept is not None and kept.expires_at > datetime.now(UTC)
    assert kept.access_token in zoho.state.accounts.access_tokens
    raw = rt.store.query("SELECT access_token_enc FROM org_access_tokens WHERE org_id = ?", [org_id])[0][0]
    assert kept.access_token.encode() not in bytes(raw)
    assert "1000." not in repr(kept)


def test_a_rejected_token_is_replaced_and_the_replacement_kept(rt: Runtime, zoho: RunningEmulator,
                                                               connected: tuple[str, str]) -> None:
    org_id, refresh_token = connected
    before = OrgTokens(rt.store, rt.box, org_id).load()
    zoho.state.accounts.expire_access_tokens(zoho.state.clock.now())
    rt.client(org_id).org()
    after = OrgTokens(rt.store, rt.box, org_id).load()
    assert before is not None and after is not None and after.access_token != before.access_token
    assert mints(zoho, refresh_token) == 2


def test_refreshes_stop_below_zohos_limit_with_a_message_saying_until_when(
        rt: Runtime, zoho: RunningEmulator, connected: tuple[str, str]) -> None:
    org_id, refresh_token = connected
    client = rt.client(org_id)
    for _ in range(REFRESHES_PER_WINDOW - 1):  # the connect made one
        zoho.state.accounts.expire_access_tokens(zoho.state.clock.now())
        client.org()
    zoho.state.accounts.expire_access_tokens(zoho.state.clock.now())
    with pytest.raises(TokenRefreshThrottled) as refused:
        client.org()
    assert mints(zoho, refresh_token) == REFRESHES_PER_WINDOW < 10  # Zoho never had to throttle us
    assert "waits until" in str(refused.value) and "UTC" in refused.value.describe()
    rt.close()
    restarted = open_runtime()  # a new process counts the refreshes the last one made
    try:
        with pytest.raises(TokenRefreshThrottled):
            restarted.client(org_id).org()
    finally:
        restarted.close()
    assert mints(zoho, refresh_token) == REFRESHES_PER_WINDOW


def test_two_clients_of_one_org_needing_a_token_at_once_make_one_refresh(
        rt: Runtime, zoho: RunningEmulator, connected: tuple[str, str]) -> None:
    """Two clients with their own memory, as two processes would have, sharing the kept token."""
    org_id, refresh_token = connected
    zoho.state.accounts.expire_access_tokens(zoho.state.clock.now())
    with rt.store.transaction() as cursor:
        cursor.execute("DELETE FROM org_access_tokens")
    org, secrets = rt.orgs.get(org_id), rt.orgs.connection_secrets(org_id)
    clients = [ZohoClient(Connection(org_id, org.accounts_url, org.api_domain or "", org.client_id,
                                     secrets.client_secret, secrets.refresh_token), rt.record_call,
                          token_keeper=OrgTokens(rt.store, rt.box, org_id)) for _ in range(2)]
    gate = threading.Barrier(2)
    errors: list[BaseException] = []

    def work(client: ZohoClient) -> None:
        gate.wait()
        try:
            client.org()
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert mints(zoho, refresh_token) == 2  # the connect's, and one for both
    assert sum(c.tokens.refreshes for c in clients) == 1
