"""What each Zoho CRM edition allows: daily API credits and concurrent calls (zoho-api.md §2).

Source: https://www.zoho.com/crm/developer/docs/api/v8/api-limits.html
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EditionLimits:
    paid_type: str
    base_credits: int
    credits_per_licence: int
    credit_cap: int | None  # None: unlimited
    concurrency: int

    def daily_credits(self, licences: int, add_ons: int = 0) -> int:
        """Credits per rolling 24 h: base + per-licence share, capped, plus purchased add-ons."""
        allowance = self.base_credits + self.credits_per_licence * max(licences, 0)
        if self.credit_cap is not None:
            allowance = min(allowance, self.credit_cap)
        return allowance + add_ons


EDITION_LIMITS: dict[str, EditionLimits] = {
    "free": EditionLimits("free", 5_000, 0, 5_000, 5),
    "standard": EditionLimits("standard", 50_000, 250, 100_000, 10),
    "professional": EditionLimits("professional", 50_000, 500, 3_000_000, 15),
    "enterprise": EditionLimits("enterprise", 50_000, 1_000, 5_000_000, 20),
    "ultimate": EditionLimits("ultimate", 50_000, 2_000, None, 25),
}

SUB_CONCURRENCY = 10  # the same on every edition


def limits_for(edition: str) -> EditionLimits:
    try:
        return EDITION_LIMITS[edition]
    except KeyError:
        raise ValueError(f"unknown edition {edition!r}; expected one of {', '.join(EDITION_LIMITS)}") from None
