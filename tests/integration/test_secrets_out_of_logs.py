"""Nothing secret reaches a log, even at DEBUG: not the client secret, the refresh token, an access token,
a password or a session token (urllib3 logs every request line at DEBUG; Zoho's token calls must not carry
secrets in their URL)."""
from __future__ import annotations

import logging

import pytest
from conftest import CLIENT_ID, CLIENT_SECRET, fresh_refresh_token

from sync_engine import service
from sync_engine.runtime import Runtime
from sync_engine.service import access
from zoho_emulator import RunningEmulator


def test_connecting_pulling_users_and_signing_in_log_no_secret(rt: Runtime, zoho: RunningEmulator,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    refresh_token = fresh_refresh_token(zoho)
    caplog.set_level(logging.DEBUG)
    org_id = service.connect_with_refresh_token(rt, data_centre_code="LOCAL", accounts_url=zoho.url,
                                                client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                                                refresh_token=refresh_token).org.org_id
    service.refresh_zoho_users(rt, org_id)
    access_token = rt.client(org_id).tokens.access_token()  # the one the calls above used
    access.create_account(rt, "ana@corp.example", "Ana", "admin", "a long password 1", org_id)
    _, session_token = access.sign_in(rt, "ana@corp.example", "a long password 1")
    logged = caplog.text
    assert "POST /oauth/v2/token" in logged  # DEBUG request lines were captured
    for secret in (CLIENT_SECRET, refresh_token, "a long password 1", session_token, access_token):
        assert not secret or secret not in logged
