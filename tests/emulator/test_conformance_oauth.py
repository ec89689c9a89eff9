"""Zoho Accounts OAuth 2.0 as a documentation-only client sees it (zoho-api.md §1).

Consent page, grant codes, the token endpoint (both grants), revoke, token lifetimes and limits,
and how the CRM API answers bad, expired, revoked or under-scoped tokens.
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

CLIENT_ID = "1000.EMULATORDEMOCLIENT"
CLIENT_SECRET = "emulator-demo-secret"
REDIRECT_URI = "http://localhost:8501/"
SCOPES = "ZohoCRM.modules.ALL,ZohoCRM.settings.ALL,ZohoCRM.users.READ,ZohoCRM.org.READ"
INVALID_TOKEN_BODY = {"code": "INVALID_TOKEN", "details": {}, "message": "invalid oauth token", "status": "error"}
THROTTLE_TEXT = "You have made too many requests continuously. Please try again after some time."


def auth_params(**overrides: str) -> dict[str, str]:
    params = {"scope": SCOPES, "client_id": CLIENT_ID, "response_type": "code", "access_type": "offline",
              "redirect_uri": REDIRECT_URI, "prompt": "consent", "state": "xyz-123"}
    params.update(overrides)
    return params


def consent(em, decision: str = "accept", **overrides: str) -> requests.Response:
    form = {**auth_params(**overrides), "decision": decision, "login": em.seed.admin.email}
    return requests.post(f"{em.url}/oauth/v2/auth/consent", data=form, allow_redirects=False, timeout=10)


def grant_code(em, **overrides: str) -> str:
    response = consent(em, **overrides)
    assert response.status_code == 302, response.text
    return parse_qs(urlsplit(response.headers["Location"]).query)["code"][0]


def exchange(em, code: str, **overrides: str) -> requests.Response:
    form = {"grant_type": "authorization_code", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "redirect_uri": REDIRECT_URI, "code": code}
    form.update(overrides)
    return requests.post(f"{em.url}/oauth/v2/token", data=form, timeout=10)


def refresh(em, refresh_token: str, **overrides: str) -> requests.Response:
    form = {"grant_type": "refresh_token", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "refresh_token": refresh_token}
    form.update(overrides)
    return requests.post(f"{em.url}/oauth/v2/token", data=form, timeout=10)


def contacts(em, access_token: str) -> requests.Response:
    return requests.get(f"{em.url}/crm/v8/Contacts", params={"fields": "Last_Name"}, timeout=10,
                        headers={"Authorization": f"Zoho-oauthtoken {access_token}"})


def offline_tokens(em) -> dict:
    body = exchange(em, grant_code(em)).json()
    assert "refresh_token" in body, body
    return body


# -- consent page --------------------------------------------------------------------------------

def test_consent_page_is_an_html_form(emulator):
    """GET /oauth/v2/auth with scope, client_id, response_type=code, access_type, redirect_uri, prompt and
    state shows the user a consent form.
    https://www.zoho.com/accounts/protocol/oauth/web-apps/authorization.html"""
    r = requests.get(f"{emulator.url}/oauth/v2/auth", params=auth_params(), timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")
    assert "<form" in r.text and "/oauth/v2/auth/consent" in r.text
    assert "ZohoCRM.modules.ALL" in r.text


def test_consent_page_refuses_unknown_client_id(emulator):
    """An authorization request from an unregistered client is refused.
    https://www.zoho.com/accounts/protocol/oauth/web-apps/authorization.html"""
    r = requests.get(f"{emulator.url}/oauth/v2/auth", params=auth_params(client_id="1000.NOPE"), timeout=10)
    assert r.status_code == 400
    assert "<form" not in r.text


def test_consent_page_refuses_unregistered_redirect_uri(emulator):
    """redirect_uri must equal a URI registered for the client exactly.
    https://www.zoho.com/accounts/protocol/oauth/web-apps/authorization.html"""
    r = requests.get(f"{emulator.url}/oauth/v2/auth", timeout=10,
                     params=auth_params(redirect_uri="http://localhost:8501/other"))
    assert r.status_code == 400
    assert "<form" not in r.text


def test_accepting_consent_redirects_with_code_location_and_accounts_server(emulator):
    """On accept Zoho redirects to {redirect_uri}?code=…&location=…&accounts-server=… and echoes state.
    https://www.zoho.com/accounts/protocol/oauth/web-apps/authorization.html ·
    https://www.zoho.com/crm/developer/docs/api/v8/multi-dc.html"""
    r = consent(emulator)
    assert r.status_code == 302
    location = urlsplit(r.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    query = parse_qs(location.query)
    assert query["code"][0].startswith("1000.")
    assert query["location"] == ["us"]
    assert query["accounts-server"] == [emulator.url]
    assert query["state"] == ["xyz-123"]


def test_rejecting_consent_redirects_with_access_denied(emulator):
    """When the user rejects, the redirect carries error=access_denied (and state), no code.
    https://www.zoho.com/accounts/protocol/oauth/web-apps/authorization.html (unverified in zoho-api.md)"""
    r = consent(emulator, decision="deny")
    assert r.status_code == 302
    query = parse_qs(urlsplit(r.headers["Location"]).query)
    assert query["error"] == ["access_denied"]
    assert query["state"] == ["xyz-123"]
    assert "code" not in query


# -- token endpoint: authorization_code ----------------------------------------------------------

def test_code_exchange_returns_the_documented_token_fields(emulator):
    """POST /oauth/v2/token grant_type=authorization_code (form body) → HTTP 200 with access_token,
    refresh_token, scope (space-separated), api_domain, token_type Bearer, expires_in 3600.
    https://www.zoho.com/accounts/protocol/oauth/web-apps/access-token.html"""
    r = exchange(emulator, grant_code(emulator))
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"access_token", "refresh_token", "scope", "api_domain", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["api_domain"] == emulator.url
    assert set(body["scope"].split(" ")) == set(SCOPES.split(","))
    assert contacts(emulator, body["access_token"]).status_code == 200


def test_online_access_type_gives_no_refresh_token(emulator):
    """access_type=online (the default) returns an access token only.
    https://www.zoho.com/accounts/protocol/oauth/web-apps/authorization.html"""
    body = exchange(emulator, grant_code(emulator, access_type="online")).json()
    assert "access_token" in body
    assert "refresh_token" not in body


def test_grant_code_is_single_use(emulator):
    """A grant code works once; reuse → {"error":"invalid_code"} with HTTP 200.
    https://www.zoho.com/accounts/protocol/oauth/web-apps/access-token.html"""
    code = grant_code(emulator)
    assert exchange(emulator, code).status_code == 200
    again = exchange(emulator, code)
    assert again.status_code == 200
    assert again.json() == {"error": "invalid_code"}


def test_grant_code_expires_after_two_minutes(emulator, ctl):
    """A grant code is valid for 2 minutes; later → invalid_code.
    https://www.zoho.com/crm/developer/docs/api/v2/token-validity.html"""
    code = grant_code(emulator)
    ctl.advance(121)
    r = exchange(emulator, code)
    assert r.status_code == 200
    assert r.json() == {"error": "invalid_code"}


def test_unknown_client_id_is_invalid_client(emulator):
    """Unknown client_id (often: the wrong DC's accounts server) → {"error":"invalid_client"}, HTTP 200.
    https://www.zoho.com/accounts/protocol/oauth/web-apps/access-token.html"""
    r = exchange(emulator, grant_code(emulator), client_id="1000.SOMEONEELSE")
    assert r.status_code == 200
    assert r.json() == {"error": "invalid_client"}


def test_wrong_client_secret_is_invalid_client_secret(emulator):
    """Wrong client_secret → {"error":"invalid_client_secret"}, HTTP 200.
    https://www.zoho.com/accounts/protocol/oauth/web-apps/access-token.html"""
    r = exchange(emulator, grant_code(emulator), client_secret="not-the-secret")
    assert r.status_code == 200
    assert r.json() == {"error": "invalid_client_secret"}


def test_redirect_uri_mismatch_on_exchange_is_refused(emulator):
    """The redirect_uri of the token call must match the authorization request.
    https://www.zoho.com/accounts/protocol/oauth/web-apps/access-token.html (code string unverified)"""
    r = exchange(emulator, grant_code(emulator), redirect_uri="http://127.0.0.1:8501/")
    assert r.status_code == 200
    assert r.json() == {"error": "invalid_redirect_uri"}


def test_token_endpoint_accepts_query_string_parameters(emulator):
    """The token endpoint's parameters may be sent in the query string instead of the body.
    https://www.zoho.com/accounts/protocol/oauth/web-apps/access-token.html"""
    code = grant_code(emulator)
    r = requests.post(f"{emulator.url}/oauth/v2/token", timeout=10, params={
        "grant_type": "authorization_code", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
        "redirect_uri": REDIRECT_URI, "code": code})
    assert r.status_code == 200
    assert "access_token" in r.json()


# -- token endpoint: refresh_token ---------------------------------------------------------------

def test_refresh_grant_returns_a_new_access_token_without_refresh_token(emulator):
    """grant_type=refresh_token → same shape as the code exchange without refresh_token.
    https://www.zoho.com/accounts/protocol/oauth/web-apps/access-token.html"""
    tokens = offline_tokens(emulator)
    r = refresh(emulator, tokens["refresh_token"])
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"access_token", "scope", "api_domain", "token_type", "expires_in"}
    assert body["access_token"] != tokens["access_token"]
    assert body["expires_in"] == 3600 and body["token_type"] == "Bearer"
    assert contacts(emulator, body["access_token"]).status_code == 200


def test_unknown_refresh_token_is_invalid_code(emulator):
    """A refresh token Zoho never issued → {"error":"invalid_code"}, HTTP 200.
    https://www.zoho.com/accounts/protocol/oauth/web-apps/access-token.html"""
    r = refresh(emulator, "1000.00000000.11111111")
    assert r.status_code == 200
    assert r.json() == {"error": "invalid_code"}


def test_eleventh_refresh_within_ten_minutes_is_throttled(emulator, ctl):
    """At most 10 access tokens per refresh token per 10 minutes; the 11th → "Access Denied".
    https://www.zoho.com/accounts/protocol/oauth/token-limits.html"""
    rt = offline_tokens(emulator)["refresh_token"]
    for _ in range(10):
        assert "access_token" in refresh(emulator, rt).json()
    r = refresh(emulator, rt)
    assert r.status_code == 400
    assert r.json() == {"error_description": THROTTLE_TEXT, "error": "Access Denied", "status": "failure"}
    ctl.advance(601)
    assert "access_token" in refresh(emulator, rt).json()


def test_eleventh_grant_code_within_ten_minutes_is_refused(emulator, ctl):
    """At most 10 grant codes per 10 minutes per client; the 11th consent is refused.
    https://www.zoho.com/accounts/protocol/oauth/token-limits.html"""
    for _ in range(10):
        assert consent(emulator).status_code == 302
    refused = consent(emulator)
    assert refused.status_code == 400
    assert "code=" not in refused.headers.get("Location", "")
    ctl.advance(601)
    assert consent(emulator).status_code == 302


def test_twenty_first_refresh_token_invalidates_the_oldest(emulator, ctl):
    """A user holds at most 20 refresh tokens; the 21st silently invalidates the oldest.
    https://www.zoho.com/crm/developer/docs/api/v3/token-validity.html"""
    issued = 0

    def new_refresh_token() -> str:
        nonlocal issued
        if issued and issued % 10 == 0:
            ctl.advance(601)  # stay under 10 grant codes per 10 minutes
        issued += 1
        return offline_tokens(emulator)["refresh_token"]

    first = new_refresh_token()
    # the fixture's self-client token is the admin's oldest: 18 more make 20 live ...
    for _ in range(18):
        new_refresh_token()
    assert "access_token" in refresh(emulator, first).json()
    # ... the 21st evicts the fixture's, the 22nd evicts ``first``
    new_refresh_token()
    assert "access_token" in refresh(emulator, first).json()
    new_refresh_token()
    assert refresh(emulator, first).json() == {"error": "invalid_code"}


# -- revoke --------------------------------------------------------------------------------------

def test_revoke_answers_status_success(emulator):
    """POST /oauth/v2/token/revoke with token={refresh_token} → body with "status": "success".
    https://www.zoho.com/accounts/protocol/oauth/web-apps/access-token.html (SDK oauth_token.py)"""
    rt = offline_tokens(emulator)["refresh_token"]
    r = requests.post(f"{emulator.url}/oauth/v2/token/revoke", data={"token": rt}, timeout=10)
    assert r.status_code == 200
    assert r.json()["status"] == "success"


def test_revoked_refresh_token_kills_its_access_tokens(emulator):
    """After revoke, access tokens minted from the refresh token → 401 INVALID_TOKEN with the exact body.
    https://www.zoho.com/accounts/protocol/oauth/web-apps/access-token.html ·
    github.com/solspace/craft-freeform/issues/1372"""
    tokens = offline_tokens(emulator)
    assert contacts(emulator, tokens["access_token"]).status_code == 200
    requests.post(f"{emulator.url}/oauth/v2/token/revoke", data={"token": tokens["refresh_token"]}, timeout=10)
    r = contacts(emulator, tokens["access_token"])
    assert r.status_code == 401
    assert r.json() == INVALID_TOKEN_BODY


def test_refresh_with_revoked_token_is_invalid_code(emulator):
    """Refreshing with a revoked refresh token → {"error":"invalid_code"}.
    https://www.zoho.com/accounts/protocol/oauth/web-apps/access-token.html"""
    rt = offline_tokens(emulator)["refresh_token"]
    requests.post(f"{emulator.url}/oauth/v2/token/revoke", data={"token": rt}, timeout=10)
    r = refresh(emulator, rt)
    assert r.status_code == 200
    assert r.json() == {"error": "invalid_code"}


# -- access tokens at the CRM API ----------------------------------------------------------------

def test_access_token_expires_after_one_hour(emulator, ctl):
    """Access tokens live 3600 s; afterwards the API answers 401 INVALID_TOKEN.
    https://www.zoho.com/crm/developer/docs/api/v3/token-validity.html"""
    at = offline_tokens(emulator)["access_token"]
    ctl.advance(3594)
    assert contacts(emulator, at).status_code == 200
    ctl.advance(7)
    r = contacts(emulator, at)
    assert r.status_code == 401
    assert r.json() == INVALID_TOKEN_BODY


def test_forced_token_expiry_answers_invalid_token(emulator, token, ctl):
    """An expired access token → 401 INVALID_TOKEN (forced with POST /__emulator/tokens/expire).
    https://www.zoho.com/crm/developer/docs/api/v3/token-validity.html"""
    at = token(emulator)
    assert contacts(emulator, at).status_code == 200
    assert ctl.post("tokens/expire")["expired"] >= 1
    r = contacts(emulator, at)
    assert r.status_code == 401
    assert r.json() == INVALID_TOKEN_BODY
    assert contacts(emulator, token(emulator)).status_code == 200  # a refresh recovers


def test_garbage_access_token_is_invalid_token(emulator):
    """An access token Zoho never issued → 401 INVALID_TOKEN, exact body.
    https://www.zoho.com/crm/developer/docs/api/v8/status-codes.html ·
    github.com/solspace/craft-freeform/issues/1372"""
    r = contacts(emulator, "1000.deadbeef.cafebabe")
    assert r.status_code == 401
    assert r.json() == INVALID_TOKEN_BODY


@pytest.mark.parametrize("header", [None, "Bearer {token}", "Zoho-oauthtoken ", "{token}"])
def test_missing_or_malformed_authorization_is_authentication_failure(emulator, token, zoho_error, header):
    """No header, the word Bearer, or no scheme → 401 AUTHENTICATION_FAILURE; only
    "Zoho-oauthtoken {access_token}" is accepted.
    https://www.zoho.com/crm/help/api/error-messages.html"""
    headers = {} if header is None else {"Authorization": header.format(token=token(emulator))}
    r = requests.get(f"{emulator.url}/crm/v8/Contacts", params={"fields": "Last_Name"}, headers=headers, timeout=10)
    zoho_error(r, 401, "AUTHENTICATION_FAILURE")


def test_scope_mismatch_is_rejected_with_401(emulator, user_token, api, zoho_error):
    """A token without the needed scope → 401 OAUTH_SCOPE_MISMATCH; granted scopes work.
    https://www.zoho.com/crm/developer/docs/api/v8/scopes.html"""
    narrow = api(emulator, user_token(emulator, scopes=["ZohoCRM.modules.contacts.READ"]))
    assert narrow.get("Contacts", params={"fields": "Last_Name"}).status_code == 200
    zoho_error(narrow.get("Leads", params={"fields": "Last_Name"}), 401, "OAUTH_SCOPE_MISMATCH")
    zoho_error(narrow.post("Contacts", json={"data": [{"Last_Name": "Nope"}]}), 401, "OAUTH_SCOPE_MISMATCH")
    zoho_error(narrow.get("org"), 401, "OAUTH_SCOPE_MISMATCH")
    zoho_error(narrow.get("settings/fields", params={"module": "Contacts"}), 401, "OAUTH_SCOPE_MISMATCH")


def test_parent_scope_covers_module_operations(emulator, user_token, api):
    """ZohoCRM.modules.ALL covers every module and operation; ZohoCRM.modules.{module}.ALL one module.
    https://www.zoho.com/crm/developer/docs/api/v8/scopes.html"""
    broad = api(emulator, user_token(emulator, scopes=["ZohoCRM.modules.ALL"]))
    assert broad.get("Leads", params={"fields": "Last_Name"}).status_code == 200
    assert broad.post("Tasks", json={"data": [{"Subject": "Call back"}]}).status_code == 201
    calls_only = api(emulator, user_token(emulator, scopes=["ZohoCRM.modules.calls.ALL"]))
    assert calls_only.get("Calls", params={"fields": "Subject"}).status_code in (200, 204)
    assert calls_only.get("Tasks", params={"fields": "Subject"}).status_code == 401
