"""Zoho's daily API credit allowance by edition, and the editions this integration supports.

From Zoho's API limits page (https://www.zoho.com/crm/developer/docs/api/v8/api-limits.html):
credits per rolling 24 h = 50,000 + a per-licence amount by edition, capped per edition. Written
from the docs, independently of the emulator, so that each checks the other.
"""
from __future__ import annotations

from dataclasses import dataclass

SUPPORTED_EDITIONS = ("standard", "professional", "enterprise", "ultimate")


@dataclass(frozen=True)
class EditionAllowance:
    name: str
    per_licence: int
    cap: int | None


ALLOWANCES = {
    "free": EditionAllowance("Free", 0, 5_000),
    "standard": EditionAllowance("Standard", 250, 100_000),
    "professional": EditionAllowance("Professional", 500, 3_000_000),
    "enterprise": EditionAllowance("Enterprise", 1_000, 5_000_000),
    "ultimate": EditionAllowance("Ultimate", 2_000, None),
}
# What Zoho's org API may report as paid_type for the same editions (Zoho One, CRM Plus, Starter)
EDITION_ALIASES = {"starter": "standard", "zoho_one": "enterprise", "zohoone": "enterprise",
                   "crm_plus": "ultimate", "crmplus": "ultimate"}


class UnsupportedEdition(ValueError):
    """The org's edition cannot be connected; the message says what the admin can do."""


def edition_of(license_details: dict) -> str:
    """The edition from ``GET /org``'s license_details: the paid type, or the edition under trial."""
    kind = license_details.get("paid_type") if license_details.get("paid") else license_details.get("trial_type")
    if not kind:
        return "free"
    key = str(kind).strip().lower().replace(" ", "_")
    return EDITION_ALIASES.get(key, key)


def daily_credit_limit(edition: str, licences: int, add_on_credits: int = 0) -> int:
    allowance = ALLOWANCES[edition]
    if edition == "free":
        return 5_000
    limit = 50_000 + allowance.per_licence * max(0, licences)
    if allowance.cap is not None:
        limit = min(limit, allowance.cap)
    return limit + add_on_credits


def check_supported(edition: str) -> None:
    if edition == "free":
        raise UnsupportedEdition(
            "This Zoho CRM org is on the Free edition, which this integration does not support: its 5,000 "
            "daily API credits and missing activity features are not enough to log conversations. Upgrade the "
            "org to Standard, Professional, Enterprise or Ultimate (a trial works too), then connect again.")
    if edition not in ALLOWANCES:
        raise UnsupportedEdition(
            f"Zoho reports the edition {edition!r}, which this integration does not recognise. Supported: "
            "Standard/Starter, Professional, Enterprise and Ultimate. Contact support with this message.")
