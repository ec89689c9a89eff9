"""The WSGI app and its server: routing, authentication, metering, faults; start in-process or standalone.

Each Zoho API call passes, in order: route match (404 INVALID_URL_PATTERN / 405), fault injection,
``Authorization: Zoho-oauthtoken`` (401 AUTHENTICATION_FAILURE / INVALID_TOKEN), the app's
concurrency gate (429), then the handler, which checks scopes and spends credits before working.
Every API call leaves a row in the call log, failed ones too.
"""
from __future__ import annotations

import gc
import logging
import socket
import threading
import time
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from zoho_emulator.api import accounts as responses_accounts
from zoho_emulator.api import control as responses_control
from zoho_emulator.api import meta as responses_meta
from zoho_emulator.api import records as responses_records
from zoho_emulator.api.wire import ApiVersionConverter, CallContext, Route, error_response, json_response
from zoho_emulator.engine.clock import Clock
from zoho_emulator.engine.errors import ZohoError
from zoho_emulator.engine.metering import CallRecord
from zoho_emulator.engine.state import (
    ALL_SCOPES,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REDIRECT_URIS,
    EmulatorState,
)
from zoho_emulator.model.org import OrgData

log = logging.getLogger("zoho_emulator")
AUTH_SCHEME = "Zoho-oauthtoken "
RECORD_WRITES = frozenset({"records.insert", "records.update", "records.upsert", "records.delete"})


def all_routes() -> list[Route]:
    from zoho_emulator.api import query as responses_query  # search and COQL
    routes = [*responses_accounts.ROUTES, *responses_control.ROUTES, *responses_meta.ROUTES,
              *responses_query.ROUTES, *responses_records.ROUTES]
    try:
        from zoho_emulator.api import bulk as responses_bulk
        routes.extend(responses_bulk.ROUTES)
    except ImportError:  # pragma: no cover - bulk read is optional while it is being built
        pass
    return routes


class EmulatorApp:
    def __init__(self, state: EmulatorState, routes: Iterable[Route] | None = None) -> None:
        self.state = state
        routes = list(routes) if routes is not None else all_routes()
        self.routes = {r.endpoint: r for r in routes}
        self.url_map = Map([r.werkzeug_rule() for r in routes], strict_slashes=False, merge_slashes=False,
                           converters={"api_version": ApiVersionConverter})

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        try:
            endpoint, values = self.url_map.bind_to_environ(environ).match()
        except NotFound:
            response = error_response(ZohoError("INVALID_URL_PATTERN", details={"path": request.path}))
            return response(environ, start_response)
        except MethodNotAllowed:
            response = error_response(ZohoError("METHOD_NOT_ALLOWED", details={"method": request.method}))
            return response(environ, start_response)
        route = self.routes[endpoint]
        if route.kind == "control":
            response = self._control(route, request)
        elif route.kind == "accounts":
            response = route.handler(self.state, request)
        else:
            response = self._api(route, request, values, environ)
        return response(environ, start_response)

    def _control(self, route: Route, request: Request) -> Response:
        try:
            return route.handler(self.state, request)
        except (ValueError, KeyError, TypeError) as err:
            return json_response({"error": str(err) or type(err).__name__}, 400)

    def _api(self, route: Route, request: Request, values: dict[str, Any], environ: dict[str, Any]) -> Response:
        fault = self.state.faults.roll()
        if fault is None and route.endpoint in RECORD_WRITES and self.state.faults.roll_late_write():
            return self._late_write(route, request, values, environ)
        return self._serve(route, request, values, environ, fault)

    def _late_write(self, route: Route, request: Request, values: dict[str, Any],
                    environ: dict[str, Any]) -> Response:
        """Answer now (no answer, or a 500) and make the write ``late_write_ms`` later, as Zoho would have."""
        faults = self.state.faults
        request.get_data()  # read the body while the connection is open; the write is made after it closes
        if faults.latency_ms:
            time.sleep(faults.latency_ms / 1000)
        timer = threading.Timer(faults.late_write_ms / 1000, self._serve, (route, request, values, None, "late"))
        timer.daemon = True
        timer.start()
        if faults.late_write_answer == "drop":
            _drop_connection(environ)
        return error_response(ZohoError("INTERNAL_ERROR"))

    def _serve(self, route: Route, request: Request, values: dict[str, Any], environ: dict[str, Any] | None,
               fault: str | None) -> Response:
        state = self.state
        started = time.perf_counter()
        ctx = CallContext(state, request, route.endpoint, api_version=values.pop("api_version", 8))
        gate = None
        try:
            if fault in ("drop", "error"):
                raise ZohoError("INTERNAL_ERROR")
            self._authenticate(ctx, request)
            if state.remaining_credits() <= 0:  # every call costs >= 1: refused before any validation
                raise ZohoError("TOO_MANY_REQUESTS", "You have reached the API limit of the day. "
                                "Please try again later.", {},
                                status=429)
            gate, ctx.sub_gate = state.gates.for_client(ctx.token.client_id)
            if not gate.try_enter():
                gate = None
                raise ZohoError("TOO_MANY_REQUESTS", "concurrency limit of the user for the app reached", {},
                                status=429)
            response = route.handler(ctx, **values)
        except ZohoError as err:
            if (not ctx.credits and ctx.user is not None and state.charge_client_errors
                    and err.status not in (401, 429) and err.status < 500):
                ctx.credits = 1
                state.credits.charge(ctx.now, 1)
            response = error_response(err)
        except Exception:  # a bug here must still answer like Zoho does
            traceback.print_exc()
            response = error_response(ZohoError("INTERNAL_ERROR"))
        finally:
            if state.faults.latency_ms and fault != "late":  # a slow answer keeps its slots while it waits
                time.sleep(state.faults.latency_ms / 1000)
            ctx.release()
            if gate is not None:
                gate.leave()
        self._remaining_header(response)
        self._log(ctx, request, response, started, dropped=fault)
        if fault in ("drop", "drop_after") and environ is not None:  # logged first: the log never lags the client
            _drop_connection(environ)
        return response

    def _authenticate(self, ctx: CallContext, request: Request) -> None:
        header = request.headers.get("Authorization", "")
        if not header.startswith(AUTH_SCHEME) or not header[len(AUTH_SCHEME):].strip():
            raise ZohoError("AUTHENTICATION_FAILURE", "Authentication failed", {})
        token = self.state.accounts.authenticate(header[len(AUTH_SCHEME):].strip(), ctx.now)
        user = self.state.data.users.get(token.user_id) if token else None
        if token is None or user is None or not user.active:
            raise ZohoError("INVALID_TOKEN", "invalid oauth token", {})
        ctx.token, ctx.user = token, user

    def _remaining_header(self, response: Response) -> None:
        state = self.state
        base = state.daily_limit() - state.data.org.add_on_credits
        used = state.used_credits()
        if base > 0 and used >= base / 2:
            response.headers["X-API-CREDITS-REMAINING"] = str(max(0, base - used))

    def _log(self, ctx: CallContext, request: Request, response: Response, started: float,
             dropped: str | None = None) -> None:
        code = None
        if response.status_code >= 400 and response.mimetype == "application/json":
            body = response.get_json(silent=True) or {}
            code = body.get("code") if isinstance(body, dict) else None
            if code is None and isinstance(body, dict) and body.get("data"):  # every record failed
                code = (body["data"][0] or {}).get("code")
        status = response.status_code
        if dropped in ("drop", "drop_after", "late"):  # the client got no answer at all
            status, code = 0, {"drop": "CONNECTION_DROPPED", "drop_after": "DROPPED_AFTER_PROCESSING",
                               "late": "APPLIED_AFTER_ANSWER"}[dropped]
        self.state.calls.append(CallRecord(
            ctx.now, request.method, request.path, ctx.endpoint, ctx.module, status, code,
            ctx.credits, ctx.token.client_id if ctx.token else None, ctx.user.id if ctx.user else None,
            round((time.perf_counter() - started) * 1000, 2)))


def _drop_connection(environ: dict[str, Any]) -> None:
    """Close the socket under the request: the client sees a reset, never the answer."""
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class QuietHandler(WSGIRequestHandler):
    """No access log on stderr: tests and the app make many thousands of calls."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass

    def log(self, type: str, message: str, *args: Any) -> None:
        if type == "error":
            log.debug(message, *args)


@dataclass
class EmulatorConfig:
    preset: str = "small"
    seed: int = 1
    edition: str = "enterprise"
    licences: int | None = None
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    redirect_uris: tuple[str, ...] = DEFAULT_REDIRECT_URIS
    refresh_token: str | None = None
    location: str = "us"
    now: datetime | None = None  # the generated org's "today"; default: today (UTC midnight)


@dataclass
class RunningEmulator:
    url: str
    state: EmulatorState
    server: BaseWSGIServer
    thread: threading.Thread
    config: EmulatorConfig = field(default_factory=EmulatorConfig)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> RunningEmulator:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def build_state(config: EmulatorConfig, data: OrgData | None = None) -> EmulatorState:
    clock = Clock()
    if data is None:
        from zoho_emulator.seed.org import generate_org

        today = clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
        data = generate_org(config.preset, seed=config.seed, edition=config.edition, licences=config.licences,
                            now=config.now or today)
        gc.freeze()  # millions of long-lived record dicts: keep them out of later full collections
    state = EmulatorState(data, clock=clock)
    state.accounts.location = config.location
    state.accounts.register_client(config.client_id, config.client_secret, tuple(config.redirect_uris))
    if config.refresh_token:
        state.accounts.issue_refresh_token(config.client_id, data.admin.id, ALL_SCOPES, state.clock.now(),
                                           config.refresh_token)
    return state


def serve(state: EmulatorState, host: str = "127.0.0.1", port: int = 0) -> tuple[BaseWSGIServer, str]:
    server = make_server(host, port, EmulatorApp(state), threaded=True, request_handler=QuietHandler)
    server.daemon_threads = True
    url = f"http://{host}:{server.server_port}"
    state.base_url = url
    return server, url


def start_emulator(config: EmulatorConfig | None = None, *, data: OrgData | None = None,
                   host: str = "127.0.0.1", port: int = 0) -> RunningEmulator:
    """Generate (or take) an org and serve it on a background thread; port 0 picks a free port."""
    config = config or EmulatorConfig()
    state = build_state(config, data)
    server, url = serve(state, host, port)
    thread = threading.Thread(target=server.serve_forever, name="zoho-emulator", daemon=True)
    thread.start()
    return RunningEmulator(url, state, server, thread, config)
