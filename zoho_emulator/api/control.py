"""``/__emulator/`` controls: not Zoho's API, never metered, for tests, benchmarks and the demo.

Usage and call log, fault injection, forced token expiry, credit exhaustion, the clock, simulated
edits by Zoho users, OAuth client registration and self-client refresh tokens.
"""
from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import Any

from werkzeug.wrappers import Request, Response

from zoho_emulator.api.wire import Route, json_response
from zoho_emulator.control.simulation import EDITABLE_MODULES, simulate_edits
from zoho_emulator.engine.oauth import parse_scopes
from zoho_emulator.engine.state import ALL_SCOPES, DEFAULT_CLIENT_ID, EmulatorState


class ControlError(ValueError):
    pass


def _body(request: Request) -> dict[str, Any]:
    raw = request.get_data(as_text=True)
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise ControlError("body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ControlError("body must be a JSON object")
    return body


def usage(state: EmulatorState, request: Request) -> Response:
    calls = state.calls.since(0)
    org = state.data.org
    by_endpoint = Counter()
    for call in calls:
        by_endpoint[call.endpoint] += call.credits
    return json_response({
        "edition": org.edition, "licences": org.licences, "daily_limit": state.daily_limit(),
        "used_24h": state.used_credits(), "remaining": state.remaining_credits(),
        "total_charged": sum(c.credits for c in calls), "calls": len(calls),
        "credits_by_endpoint": dict(by_endpoint), "concurrency_limit": state.edition_limits.concurrency,
        "peak_in_flight": state.gates.peaks() if state.gates else {}, "now": state.clock.now().isoformat(),
    })


def call_log(state: EmulatorState, request: Request) -> Response:
    try:
        offset = int(request.args.get("offset", "0"))
    except ValueError:
        raise ControlError("offset must be an integer") from None
    calls = state.calls.since(offset)
    return json_response({"calls": [c.to_json() for c in calls], "next_offset": offset + len(calls)})


def reset_usage(state: EmulatorState, request: Request) -> Response:
    state.credits.reset()
    state.calls.clear()
    return json_response({"status": "reset"})


def faults(state: EmulatorState, request: Request) -> Response:
    if request.method == "DELETE":
        state.faults.reset()
    elif request.method == "POST":
        state.faults.update(_body(request))
    return json_response(state.faults.to_json())


def expire_tokens(state: EmulatorState, request: Request) -> Response:
    body = _body(request)
    count = state.accounts.expire_access_tokens(state.clock.now(), body.get("token"))
    return json_response({"expired": count})


def exhaust_credits(state: EmulatorState, request: Request) -> Response:
    """Spend what is left of the 24 h allowance (less ``leave``), as another integration might."""
    leave = int(_body(request).get("leave", 0))
    burn = max(0, state.remaining_credits() - max(leave, 0))
    state.credits.charge(state.clock.now(), burn)
    return json_response({"charged": burn, "remaining": state.remaining_credits()})


def clock(state: EmulatorState, request: Request) -> Response:
    if request.method == "POST":
        body = _body(request)
        if "freeze" in body:
            state.clock.freeze(bool(body["freeze"]))
        if "set" in body:
            try:
                when = datetime.fromisoformat(str(body["set"]))
            except ValueError:
                raise ControlError("set must be an ISO 8601 datetime with offset") from None
            if when.tzinfo is None:
                raise ControlError("set must carry a UTC offset")
            state.clock.set(when)
        if "advance_seconds" in body:
            state.clock.advance(float(body["advance_seconds"]))
    return json_response({"now": state.clock.now().isoformat(), "frozen": state.clock.frozen})


def edits(state: EmulatorState, request: Request) -> Response:
    body = _body(request)
    report = simulate_edits(state.data, state.clock.now(), int(body.get("count", 10)),
                            tuple(body.get("modules", EDITABLE_MODULES)),
                            float(body.get("create_share", 0.1)), float(body.get("delete_share", 0.02)),
                            body.get("seed"))
    return json_response(report.to_json())


def clients(state: EmulatorState, request: Request) -> Response:
    body = _body(request)
    uris = body.get("redirect_uris")
    if not body.get("client_id") or not body.get("client_secret") or not isinstance(uris, list) or not uris:
        raise ControlError("client_id, client_secret and redirect_uris (a non-empty list) are required")
    state.accounts.register_client(str(body["client_id"]), str(body["client_secret"]), tuple(map(str, uris)))
    return json_response({"client_id": body["client_id"]}, 201)


def refresh_tokens(state: EmulatorState, request: Request) -> Response:
    """Issue a refresh token without the browser step (a self-client grant)."""
    body = _body(request)
    user = state.data.user_by_email(body["user_email"]) if body.get("user_email") else state.data.admin
    if user is None:
        raise ControlError("no such user")
    client_id = body.get("client_id", DEFAULT_CLIENT_ID)
    if client_id not in state.accounts.clients:
        raise ControlError("unknown client_id")
    scopes = parse_scopes(",".join(body["scopes"])) if body.get("scopes") else ALL_SCOPES
    rt = state.accounts.issue_refresh_token(client_id, user.id, scopes, state.clock.now(), body.get("token"))
    return json_response({"refresh_token": rt.token, "user_id": user.id, "scope": " ".join(sorted(scopes))}, 201)


def summary(state: EmulatorState, request: Request) -> Response:
    org = state.data.org
    return json_response({
        "company_name": org.company_name, "edition": org.edition, "licences": org.licences,
        "users": len(state.data.users), "records": {name: len(t) for name, t in state.data.tables.items()},
        "base_url": state.base_url,
    })


ROUTES = tuple(Route(rule, methods, endpoint, handler, kind="control") for rule, methods, endpoint, handler in (
    ("/__emulator/usage", ("GET",), "control.usage", usage),
    ("/__emulator/calls", ("GET",), "control.calls", call_log),
    ("/__emulator/usage/reset", ("POST",), "control.reset", reset_usage),
    ("/__emulator/faults", ("GET", "POST", "DELETE"), "control.faults", faults),
    ("/__emulator/tokens/expire", ("POST",), "control.expire", expire_tokens),
    ("/__emulator/credits/exhaust", ("POST",), "control.exhaust", exhaust_credits),
    ("/__emulator/clock", ("GET", "POST"), "control.clock", clock),
    ("/__emulator/edits", ("POST",), "control.edits", edits),
    ("/__emulator/clients", ("POST",), "control.clients", clients),
    ("/__emulator/refresh-tokens", ("POST",), "control.refresh_tokens", refresh_tokens),
    ("/__emulator/org", ("GET",), "control.org", summary),
))
