"""Zoho Accounts over HTTP: the consent page, the token endpoint, revoke (zoho-api.md §1).

https://www.zoho.com/accounts/protocol/oauth/web-apps/authorization.html and
https://www.zoho.com/accounts/protocol/oauth/web-apps/access-token.html. Token-endpoint errors
are ``{"error": ...}`` with HTTP 200, except the "Access Denied" throttle (400).
"""
from __future__ import annotations

import html
from datetime import datetime
from urllib.parse import urlencode, urlsplit, urlunsplit

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from zoho_emulator.api.wire import Route, json_response
from zoho_emulator.engine.oauth import AccessToken, OAuthError, RefreshToken, parse_scopes
from zoho_emulator.engine.state import EmulatorState

AUTH_FIELDS = ("client_id", "redirect_uri", "scope", "response_type", "access_type", "prompt", "state")


def _page(title: str, body: str, status: int = 200) -> Response:
    doc = (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
           "<style>body{font-family:sans-serif;max-width:36em;margin:3em auto}button{margin-right:1em}</style>"
           f"</head><body><h1>{html.escape(title)}</h1>{body}</body></html>")
    return Response(doc, status=status, content_type="text/html; charset=utf-8")


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = f"{parts.query}&{urlencode(params)}" if parts.query else urlencode(params)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def auth_page(state: EmulatorState, request: Request) -> Response:
    args = request.args
    try:
        client = state.accounts.check_auth_request(args.get("client_id", ""), args.get("redirect_uri", ""),
                                                   args.get("response_type", ""), args.get("scope", ""))
    except OAuthError as err:
        return _page("Zoho Accounts: request refused", f"<p id='error'>{html.escape(err.description or err.code)}</p>",
                     400)
    hidden = "".join(f"<input type='hidden' name='{k}' value='{html.escape(args.get(k, ''), quote=True)}'>"
                     for k in AUTH_FIELDS)
    users = [u for u in state.data.users.values() if u.active and u.confirm]
    options = "".join(f"<option value='{html.escape(u.email, quote=True)}'{' selected' if u.is_admin else ''}>"
                      f"{html.escape(u.full_name)} &lt;{html.escape(u.email)}&gt;</option>" for u in users)
    scopes = "".join(f"<li>{html.escape(s)}</li>" for s in sorted(parse_scopes(args.get("scope", ""))))
    body = (f"<p>The application <b>{html.escape(client.client_id)}</b> would like to access your Zoho CRM "
            f"data in <b>{html.escape(state.data.org.company_name)}</b>:</p><ul>{scopes}</ul>"
            f"<form method='post' action='/oauth/v2/auth/consent'>{hidden}"
            f"<label>Sign in as <select name='login' id='login'>{options}</select></label><p>"
            "<button type='submit' name='decision' value='accept' id='accept'>Accept</button>"
            "<button type='submit' name='decision' value='deny' id='deny'>Reject</button></p></form>")
    return _page("Zoho Accounts: grant access", body)


def consent(state: EmulatorState, request: Request) -> Response:
    form = request.form
    try:
        state.accounts.check_auth_request(form.get("client_id", ""), form.get("redirect_uri", ""),
                                          form.get("response_type", ""), form.get("scope", ""))
    except OAuthError as err:
        return _page("Zoho Accounts: request refused", f"<p id='error'>{html.escape(err.description or err.code)}</p>",
                     400)
    redirect_uri = form["redirect_uri"]
    back = {"state": form["state"]} if form.get("state") else {}
    if form.get("decision") != "accept":
        return redirect(_with_query(redirect_uri, {**back, "error": "access_denied"}), 302)
    user = state.data.user_by_email(form.get("login", ""))
    if user is None or not user.active:
        return _page("Zoho Accounts: sign-in failed", "<p id='error'>Unknown or inactive user</p>", 400)
    try:
        grant = state.accounts.issue_grant(form["client_id"], user.id, form["scope"], redirect_uri,
                                           form.get("access_type") == "offline", state.clock.now())
    except OAuthError as err:
        return _page("Zoho Accounts: request refused", f"<p id='error'>{html.escape(err.description)}</p>", 400)
    params = {**back, "code": grant.code, "location": state.accounts.location,
              "accounts-server": state.base_url}
    return redirect(_with_query(redirect_uri, params), 302)


def _token_json(state: EmulatorState, at: AccessToken, rt: RefreshToken | None, now: datetime) -> dict:
    body = {"access_token": at.token}
    if rt is not None:
        body["refresh_token"] = rt.token
    # from the minting instant: a second clock read could cross a second and say 3599
    body.update({"scope": " ".join(sorted(at.scopes)), "api_domain": state.base_url, "token_type": "Bearer",
                 "expires_in": int((at.expires_at - now).total_seconds())})
    return body


def token(state: EmulatorState, request: Request) -> Response:
    params = {**request.args.to_dict(), **request.form.to_dict()}
    now = state.clock.now()
    try:
        grant_type = params.get("grant_type")
        client_id, secret = params.get("client_id", ""), params.get("client_secret", "")
        if grant_type == "authorization_code":
            at, rt = state.accounts.exchange_code(client_id, secret, params.get("redirect_uri", ""),
                                                  params.get("code", ""), now)
        elif grant_type == "refresh_token":
            at = state.accounts.refresh(client_id, secret, params.get("refresh_token", ""), now)
            rt = None
        else:
            raise OAuthError("unsupported_grant_type")
    except OAuthError as err:
        return json_response(err.body(), 400 if err.code == "Access Denied" else 200)
    return json_response(_token_json(state, at, rt, now))


def revoke(state: EmulatorState, request: Request) -> Response:
    value = request.form.get("token") or request.args.get("token") or ""
    if not state.accounts.revoke(value):
        return json_response({"error": "invalid_code", "status": "failure"})
    return json_response({"status": "success"})


ROUTES = (
    Route("/oauth/v2/auth", ("GET",), "accounts.auth", auth_page, kind="accounts"),
    Route("/oauth/v2/auth/consent", ("POST",), "accounts.consent", consent, kind="accounts"),
    Route("/oauth/v2/token", ("POST",), "accounts.token", token, kind="accounts"),
    Route("/oauth/v2/token/revoke", ("POST",), "accounts.revoke", revoke, kind="accounts"),
)
