"""The thin HTTP layer's shared pieces: JSON responses, the per-call context, route declarations."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from werkzeug.routing import BaseConverter, Rule
from werkzeug.wrappers import Request, Response

from zoho_emulator.engine.errors import ZohoError
from zoho_emulator.engine.metering import Gate
from zoho_emulator.engine.oauth import AccessToken, scope_grants
from zoho_emulator.engine.render import zone
from zoho_emulator.engine.state import EmulatorState
from zoho_emulator.model.org import User

JSON_TYPE = "application/json;charset=UTF-8"


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status, headers=headers or {},
                    content_type=JSON_TYPE)


def empty_response(status: int) -> Response:
    """204 and 304 carry no body and no Content-Type (the SDK picks its parser from it)."""
    response = Response(status=status)
    response.headers.remove("Content-Type")
    return response


def error_response(err: ZohoError) -> Response:
    return json_response(err.body(), err.status)


@dataclass
class CallContext:
    """One Zoho API call being served: who makes it, what it may cost, and what it did cost."""

    state: EmulatorState
    request: Request
    endpoint: str
    token: AccessToken | None = None
    user: User | None = None
    module: str | None = None
    credits: int = 0
    sub_gate: Gate | None = None
    api_version: int = 8  # the path's major version: v2 and v2.1 answer lists without ``fields`` in full
    _sub_entered: bool = field(default=False, repr=False)

    @property
    def now(self) -> datetime:
        return self.state.clock.now()

    @property
    def tz(self) -> tzinfo:
        return zone(self.user.time_zone if self.user else self.state.data.org.time_zone)

    @property
    def user_id(self) -> str:
        assert self.user is not None
        return self.user.id

    def require_scope(self, *scopes: str) -> None:
        """Every listed scope must be granted (e.g. search needs the search scope and module READ)."""
        granted = self.token.scopes if self.token else frozenset()
        for scope in scopes:
            if not scope_grants(granted, scope):
                raise ZohoError("OAUTH_SCOPE_MISMATCH", "invalid oauth scope to access this URL",
                                {"required_scope": scope})

    def spend(self, credits: int, complex_call: bool = False) -> None:
        """Charge the call before doing the work; over the 24 h allowance or a pool -> 429."""
        state = self.state
        if state.used_credits() + credits > state.daily_limit():
            raise ZohoError("TOO_MANY_REQUESTS", "You have reached the API limit of the day. Please try again later.",
                            {}, status=429)  # details {} as zoho-api.md §2 shows the 429 envelope
        if complex_call and self.sub_gate is not None:
            if not self.sub_gate.try_enter():
                raise ZohoError("TOO_MANY_REQUESTS", "sub-concurrency limit of the user for the app reached",
                                {}, status=429)
            self._sub_entered = True
        self.credits = credits
        state.credits.charge(self.now, credits)

    def release(self) -> None:
        if self._sub_entered and self.sub_gate is not None:
            self.sub_gate.leave()
            self._sub_entered = False

    def json_body(self) -> Any:
        raw = self.request.get_data(as_text=True)  # whatever the Content-Type claims
        if not raw:
            raise ZohoError("INVALID_DATA", "body is empty", {})
        try:
            return json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise ZohoError("INVALID_DATA", "the request body is not valid JSON", {}) from None


Handler = Callable[..., Response]


@dataclass(frozen=True)
class Route:
    rule: str
    methods: tuple[str, ...]
    endpoint: str
    handler: Handler
    kind: str = "api"  # api (metered, authenticated) | accounts | control

    def werkzeug_rule(self) -> Rule:
        """API routes are declared at ``/v8/``; the same rule serves every version (see API_VERSIONS)."""
        rule = self.rule.replace("/v8/", "/<api_version:api_version>/", 1) if self.kind == "api" else self.rule
        return Rule(rule, methods=list(self.methods), endpoint=self.endpoint)


class ApiVersionConverter(BaseConverter):
    """``v2``, ``v2.1``, ``v3`` … ``v8`` in a path, as the major version (2.1 counts as 2)."""

    regex = r"v(?:2\.1|[2-8])"

    def to_python(self, value: str) -> int:
        return int(value[1:].split(".")[0])

    def to_url(self, value: object) -> str:
        return f"v{value}"
