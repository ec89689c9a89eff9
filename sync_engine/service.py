"""The thin facade that pages, the CLI and tests call."""
from __future__ import annotations

from dataclasses import dataclass

from .zoho.session import ZohoSession

MIRRORED_MODULES = ("Contacts", "Leads", "Accounts", "Deals", "Calls", "Events", "Tasks")


@dataclass(frozen=True)
class ZohoUserRow:
    name: str
    email: str
    status: str
    profile: str
    role: str


@dataclass(frozen=True)
class OrgOverview:
    company_name: str
    edition: str
    licences: int
    users: list[ZohoUserRow]
    record_counts: dict[str, int]


def _all_users(session: ZohoSession) -> list[ZohoUserRow]:
    rows: list[ZohoUserRow] = []
    page = 1
    while True:
        body = session.get_json("/users", type="AllUsers", page=page, per_page=200)
        for user in body.get("users", []):
            rows.append(ZohoUserRow(user["full_name"], user["email"], user["status"],
                                    user["profile"]["name"], user["role"]["name"]))
        if not body.get("info", {}).get("more_records"):
            return rows
        page += 1


def record_count(session: ZohoSession, module: str) -> int:
    """One COQL aggregate per module: 1 credit, where Zoho's count API is priced higher."""
    body = session.coql(f"select COUNT(id) from {module} where id is not null")
    rows = body.get("data") or [{}]
    return int(next(iter(rows[0].values()), 0) or 0)


def org_overview(session: ZohoSession) -> OrgOverview:
    org = session.get_json("/org")["org"][0]
    licence = org.get("license_details") or {}
    return OrgOverview(
        company_name=org.get("company_name", ""),
        edition=licence.get("paid_type") or ("free" if not licence.get("paid") else "unknown"),
        licences=int(licence.get("users_license_purchased") or 0),
        users=_all_users(session),
        record_counts={module: record_count(session, module) for module in MIRRORED_MODULES},
    )
