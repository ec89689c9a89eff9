"""Keeping an access token beyond one process, and keeping token refreshes under Zoho's limit.

Zoho mints at most 10 access tokens per refresh token in 10 minutes (zoho-api.md §1, "Lifetimes and
limits"); past that the token endpoint answers "Access Denied" and the org is locked out until the
window passes. A process that minted a token at every start would get there by restarting a few times
a minute, so the token is kept (encrypted, by the app's :class:`TokenKeeper`) with its expiry and
reused by the next process until shortly before it lapses. Refreshes are counted where every process
sees them and stopped at :data:`REFRESHES_PER_WINDOW`, half of Zoho's limit, so that a crash loop or a
token Zoho keeps rejecting cannot lock the org out: the refusal says when the next one is allowed.
"""
from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sync_engine.zoho.errors import ZohoError

REFRESH_WINDOW = timedelta(minutes=10)
REFRESHES_PER_WINDOW = 5  # Zoho allows 10 per refresh token per 10 minutes


@dataclass(frozen=True)
class StoredToken:
    """An access token as kept between processes. The repr hides the token."""

    access_token: str = field(repr=False)
    expires_at: datetime  # aware, UTC
    api_domain: str | None = None


class TokenKeeper(Protocol):
    """Where one org's access token and its refreshes are kept (the app keeps them in DuckDB)."""

    def load(self) -> StoredToken | None:
        """The kept token, or None."""

    def save(self, token: StoredToken) -> None:
        """Keep a newly minted token (replacing the previous one)."""

    def refresh_guard(self) -> AbstractContextManager[None]:
        """Held while deciding on and making a refresh, so two processes do not both refresh."""

    def refreshes_since(self, since: datetime) -> list[datetime]:
        """When the refreshes since ``since`` were started, oldest first (by any process)."""

    def note_refresh(self, at: datetime) -> None:
        """Count a refresh before it is sent: one whose answer is lost still counts at Zoho."""


class TokenRefreshThrottled(ZohoError):
    """We did not ask Zoho for a token: the org has had its share of refreshes in the last 10 minutes."""

    def __init__(self, made: int, retry_at: datetime) -> None:
        self.retry_at = retry_at
        super().__init__(
            f"{made} access tokens were requested for this org in the last {int(REFRESH_WINDOW.total_seconds() // 60)} "
            f"minutes (Zoho allows 10; we stop at {REFRESHES_PER_WINDOW}); the next request waits until "
            f"{retry_at:%H:%M:%S} UTC", status=429, code="TOKEN_REFRESH_LIMIT", api="oauth.refresh")

    def describe(self) -> str:
        return (f"Waiting to sign in to Zoho again until {self.retry_at:%H:%M:%S} UTC: this org asked for "
                "several new access tokens in the last 10 minutes, and Zoho locks out an org that asks for "
                "more than 10. Nothing is lost; the work runs once the wait is over.")


def refresh_allowed_at(recent: list[datetime], now: datetime, *, limit: int = REFRESHES_PER_WINDOW,
                       window: timedelta = REFRESH_WINDOW) -> datetime | None:
    """None when another refresh may start now; else when it may (the oldest counted one leaves the window)."""
    inside = sorted(at for at in recent if at > now - window)
    if len(inside) < limit:
        return None
    return inside[len(inside) - limit] + window
