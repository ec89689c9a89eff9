"""The edge where ``requests`` meets our error types: what a missing answer means, how bodies are read."""
from __future__ import annotations

from typing import Any

import requests
from urllib3.exceptions import NewConnectionError

from sync_engine.zoho.errors import TransportError, scrub


def request_was_sent(error: requests.RequestException) -> bool:
    """False only when the connection could not be opened, so the request surely never reached Zoho.

    Refused connections, failed DNS and connect timeouts qualify; a dropped connection or a read
    timeout does not — Zoho may have received and processed the request.
    """
    if isinstance(error, requests.ConnectTimeout):
        return False
    if isinstance(error, requests.ConnectionError):
        reason = getattr(error.args[0], "reason", None) if error.args else None
        return not isinstance(reason, NewConnectionError)
    return True


def no_answer(error: requests.RequestException, *, api: str, module: str | None = None) -> TransportError:
    """A TransportError for a call that got no HTTP answer (its text names the failure, never a token)."""
    kind = type(error).__name__
    sent = request_was_sent(error)
    what = "the connection failed after the request was sent" if sent else "could not connect"
    return TransportError(f"{what} ({kind}: {scrub(str(error))[:200]})", request_sent=sent, api=api, module=module)


def json_body(response: requests.Response) -> Any:
    """The decoded JSON body, or None for empty or non-JSON bodies (204/304 carry none; downloads are ZIP)."""
    content_type = response.headers.get("Content-Type", "")
    if not response.content or (content_type and "json" not in content_type.lower()):
        return None
    try:
        return response.json()
    except ValueError:
        return None
