"""Zoho's failures as typed exceptions, each able to explain itself to a customer success manager.

Every error carries what Zoho said — HTTP status, Zoho ``code``, ``message``, ``details`` — plus which
API we called (``api``, the same name the credit ledger uses). The type says what to do about it:

* :class:`AuthError` — the API refused the access token (401); reconnect unless a refresh fixes it.
* :class:`OAuthError` — the accounts server refused a token request (``{"error": …}``, often HTTP 200).
* :class:`RateLimited` — 429 ``TOO_MANY_REQUESTS`` (credits, concurrency or sub-concurrency).
* :class:`ServerError` — 5xx; :class:`TransportError` — no answer at all (dropped, timed out, refused).
* :class:`WriteOutcomeUnknown` — a write whose fate cannot be known; never retried blindly.
* :class:`RecordError` — one record of a multi-record write failed.

Messages never contain tokens: Zoho's own text is passed through :func:`scrub` as a last defence.
"""
from __future__ import annotations

import re
from typing import Any

_TOKENISH = re.compile(r"(?i)(zoho-oauthtoken\s+)\S+|\b1000\.[A-Za-z0-9._-]+")


def scrub(text: str) -> str:
    """Blank out anything shaped like a Zoho token (``1000.…``) or an Authorization header value."""
    return _TOKENISH.sub(lambda m: f"{m.group(1)}[redacted]" if m.group(1) else "1000.[redacted]", text)


class ZohoError(Exception):
    """A Zoho failure: status (0 when no answer), Zoho's code, message and details."""

    needs_reconnect = False

    def __init__(self, message: str, *, status: int = 0, code: str | None = None,
                 details: dict[str, Any] | None = None, api: str | None = None, module: str | None = None) -> None:
        self.status = status
        self.code = code
        self.message = scrub(message)
        self.details = details or {}
        self.api = api
        self.module = module
        super().__init__(self._summary())

    def _summary(self) -> str:
        where = f" on {self.api}" if self.api else ""
        status = f"HTTP {self.status}" if self.status else "no answer"
        return f"Zoho {status} {self.code or ''}{where}: {self.message}".replace("  ", " ")

    def describe(self) -> str:
        """One sentence for the dashboard, in words a CSM can act on."""
        detail = self.details.get("api_name") or self.details.get("param_name")
        field = f" (field {detail})" if detail else ""
        texts = {
            "INVALID_DATA": f"Zoho rejected a value we sent{field}; the data needs fixing before it can sync.",
            "MANDATORY_NOT_FOUND": f"Zoho needs a field we did not fill{field}; check the field mapping.",
            "DUPLICATE_DATA": f"Zoho already has a record with the same unique value{field}.",
            "INVALID_MODULE": "This Zoho org has no module by that name, or the connected user cannot see it.",
            "NO_PERMISSION": "The connected Zoho user is not allowed to do this; reconnect with an administrator.",
            "NOT_SUPPORTED": "Zoho does not support this operation for this module.",
            "RECORD_LOCKED": "Zoho has locked the record (approval or blueprint), so it cannot be changed now.",
            "ALREADY_MODIFIED": "Someone changed the record in Zoho after we read it; it will be re-read first.",
            "LIMIT_EXCEEDED": f"The request went over one of Zoho's size limits{field}.",
            "INVALID_QUERY": "Zoho could not understand a search we sent; this is a bug on our side.",
            "SYNTAX_ERROR": "Zoho could not understand a query we sent; this is a bug on our side.",
        }
        return texts.get(self.code or "", f"Zoho refused the request ({self.code or 'HTTP ' + str(self.status)}: "
                                          f"{self.message}).")


class AuthError(ZohoError):
    """401 from the CRM API: INVALID_TOKEN, AUTHENTICATION_FAILURE or OAUTH_SCOPE_MISMATCH."""

    needs_reconnect = True

    def describe(self) -> str:
        if self.code == "OAUTH_SCOPE_MISMATCH":
            scope = self.details.get("required_scope")
            needed = f" ({scope})" if scope else ""
            return (f"The Zoho connection lacks a permission it needs{needed}; an admin should reconnect "
                    "and accept every permission asked for.")
        return "Zoho no longer accepts this connection (it was revoked or expired); an admin should reconnect the org."


_OAUTH_TEXTS = {
    "invalid_code": "The Zoho connection was revoked or has expired, or the sign-in code was already used; "
                    "an admin should reconnect the org.",
    "invalid_client": "Zoho does not recognise our app in this data centre; check the org's data centre "
                      "(US, EU, IN, ...) and reconnect.",
    "invalid_client_secret": "Our app's Zoho client secret is wrong; an engineer must fix the app configuration.",
    "invalid_redirect_uri": "The sign-in return address does not match the one registered with Zoho.",
    "Access Denied": "Zoho is throttling sign-ins for this connection (too many token requests); "
                     "it will recover by itself in a few minutes.",
}


class OAuthError(ZohoError):
    """The accounts server refused a token request; ``code`` is Zoho's ``error`` string."""

    @property
    def throttled(self) -> bool:
        return self.code == "Access Denied"

    @property
    def needs_reconnect(self) -> bool:  # type: ignore[override]
        return self.code in ("invalid_code", "invalid_client", "invalid_client_secret", "invalid_redirect_uri")

    def describe(self) -> str:
        return _OAUTH_TEXTS.get(self.code or "", f"Zoho refused to issue an access token ({self.code}).")


class RateLimited(ZohoError):
    """429 TOO_MANY_REQUESTS: the daily credits, the concurrency or the sub-concurrency pool ran out."""

    def describe(self) -> str:
        return ("Zoho is limiting our calls for this org (daily API credits used up, or too many calls at "
                "once); syncing resumes automatically when Zoho allows it.")


class ServerError(ZohoError):
    """5xx: Zoho failed while answering."""

    def describe(self) -> str:
        return "Zoho had an internal error and did not complete the request; it will be tried again."


class TransportError(ZohoError):
    """No answer came: refused, dropped or timed out. ``request_sent`` is False only when the request
    surely never reached Zoho (the connection could not be opened)."""

    def __init__(self, message: str, *, request_sent: bool, api: str | None = None, module: str | None = None) -> None:
        self.request_sent = request_sent
        super().__init__(message, status=0, code=None, api=api, module=module)

    def describe(self) -> str:
        return "We could not reach Zoho (network problem or timeout); it will be tried again."


class WriteOutcomeUnknown(ZohoError):
    """A write was sent but no usable answer came back (5xx, dropped connection, timeout).

    Zoho may or may not have saved it; retrying blindly could create duplicates, so the caller must
    check (e.g. search by its own marker) before sending it again.
    """

    def __init__(self, cause: ZohoError, *, record_count: int = 0) -> None:
        self.cause = cause
        self.record_count = record_count
        super().__init__(f"outcome unknown after {type(cause).__name__}: {cause.message}", status=cause.status,
                         code=cause.code, details=cause.details, api=cause.api, module=cause.module)

    def describe(self) -> str:
        module = f"{self.module} " if self.module else ""
        what = f"{self.record_count} {module}record(s)" if self.record_count else f"a {module}change"
        return (f"We sent {what} to Zoho but got no clear answer, so we cannot tell whether Zoho saved it; "
                "it was not resent automatically, to avoid duplicates.")


class RecordError(ZohoError):
    """One record of a multi-record write failed; ``index`` is its position in the batch sent."""

    def __init__(self, index: int, code: str, message: str, details: dict[str, Any] | None = None, *,
                 status: int = 0, api: str | None = None, module: str | None = None) -> None:
        self.index = index
        super().__init__(message, status=status, code=code, details=details, api=api, module=module)

    def _summary(self) -> str:
        return f"record {self.index}: {self.code}: {self.message}"

    def describe(self) -> str:
        return f"Record {self.index + 1} of the batch: {super().describe()}"


def error_from_answer(status: int, body: Any, *, api: str | None = None, module: str | None = None) -> ZohoError:
    """The typed error for a request-level Zoho error answer."""
    body = body if isinstance(body, dict) else {}
    code = body.get("code")
    code = str(code) if code is not None else None
    message = str(body.get("message") or f"HTTP {status}")
    details = body.get("details") if isinstance(body.get("details"), dict) else {}
    kind: type[ZohoError] = ZohoError
    if status == 401:
        kind = AuthError
    elif status == 429 or code == "TOO_MANY_REQUESTS":
        kind = RateLimited
    elif status >= 500:
        kind = ServerError
    return kind(message, status=status, code=code, details=details, api=api, module=module)
