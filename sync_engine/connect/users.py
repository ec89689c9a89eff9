"""Our users and Zoho's: pull Zoho's users, map ours to them by email, hold and release conversations.

A conversation whose user has no Zoho user is held (shown, never dropped, never written to Zoho) until
one is mapped; every change to either side of the mapping releases what became mapped.
"""
from __future__ import annotations

from typing import Any

from sync_engine.records.users import OurUser, ZohoUser
from sync_engine.runtime import Runtime
from sync_engine.store.users import HeldConversation
from sync_engine.zoho import attributed_to


def _zoho_user(raw: dict[str, Any]) -> ZohoUser:
    profile = (raw.get("profile") or {}).get("name") or ""
    return ZohoUser(str(raw["id"]), str(raw.get("email") or ""), str(raw.get("full_name") or ""),
                    str(raw.get("status") or ""), profile, (raw.get("role") or {}).get("name") or "",
                    profile == "Administrator")


def refresh_zoho_users(rt: Runtime, org_id: str) -> list[HeldConversation]:
    """Pull Zoho's users, map ours to them, release conversations of newly mapped users."""
    with attributed_to(job="users.refresh"):
        raw = rt.client(org_id).users("AllUsers")
    rt.users.replace_zoho_users(org_id, [_zoho_user(u) for u in raw])
    return _remap(rt, org_id)


def set_our_users(rt: Runtime, org_id: str, users: list[OurUser]) -> list[HeldConversation]:
    rt.users.replace_our_users(org_id, users)
    return _remap(rt, org_id)


def map_user(rt: Runtime, org_id: str, our_email: str, zoho_user_id: str | None) -> list[HeldConversation]:
    """An admin's manual choice (None clears it); releases what the user had held."""
    rt.users.set_manual(org_id, our_email, zoho_user_id)
    return _remap(rt, org_id)


def _remap(rt: Runtime, org_id: str) -> list[HeldConversation]:
    with rt.store.transaction():
        _, newly_mapped = rt.users.remap(org_id)
        released: list[HeldConversation] = []
        for email in newly_mapped:
            released.extend(rt.held.release_for(org_id, email))
    return released


def hold_if_unmapped(rt: Runtime, org_id: str, conversation_id: str, user_email: str,
                     payload: dict[str, Any]) -> bool:
    """A conversation whose user has no Zoho user is held (shown, never dropped) until one is mapped."""
    if rt.users.mapped_zoho_user_id(org_id, user_email) is not None:
        return False
    rt.held.hold(org_id, conversation_id, user_email, payload, "no Zoho user is mapped to this user's email")
    return True
