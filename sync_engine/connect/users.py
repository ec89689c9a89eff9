"""Our users and Zoho's: pull Zoho's users, map ours to them by email, hold and release conversations.

A conversation whose user has no Zoho user is held (shown, never dropped, never written to Zoho) until
one is mapped; every change to either side of the mapping releases what became mapped.
"""
from __future__ import annotations

from typing import Any

from sync_engine.records.users import OurUser, normalise_email, zoho_user
from sync_engine.runtime import Runtime
from sync_engine.store.conversations import ConversationStore
from sync_engine.store.users import HeldConversation
from sync_engine.zoho import attributed_to


def refresh_zoho_users(rt: Runtime, org_id: str) -> list[HeldConversation]:
    """Pull Zoho's users, map ours to them, release conversations of newly mapped users."""
    with attributed_to(job="users.refresh"):
        raw = rt.client(org_id).users("AllUsers")
    rt.users.replace_zoho_users(org_id, [zoho_user(u) for u in raw])
    return _remap(rt, org_id)


def set_our_users(rt: Runtime, org_id: str, users: list[OurUser]) -> list[HeldConversation]:
    rt.users.replace_our_users(org_id, users)
    return _remap(rt, org_id)


def map_user(rt: Runtime, org_id: str, our_email: str, zoho_user_id: str | None) -> list[HeldConversation]:
    """An admin's manual choice (None clears it); releases what the user had held."""
    rt.users.set_manual(org_id, our_email, zoho_user_id)
    return _remap(rt, org_id)


def _remap(rt: Runtime, org_id: str) -> list[HeldConversation]:
    """Map again; conversations of users mapped now are released, and their matches (made without an owner)
    forgotten, so that they are matched again before anything of them is planned (``writeback.push.match_new``)."""
    with rt.store.transaction():
        _, newly_mapped = rt.users.remap(org_id)
        released: list[HeldConversation] = []
        for email in newly_mapped:
            released.extend(rt.held.release_for(org_id, email))
        ConversationStore(rt.store).forget_matches(org_id, [h.conversation_id for h in released])
    return released


HELD_REASON = "no Zoho user is mapped to this user's email"


def hold_unmapped(rt: Runtime, org_id: str, conversations: list[tuple[str, str, dict[str, Any]]]) -> int:
    """Hold those of (conversation id, user email, payload) whose user has no Zoho user; how many were held.

    A user met for the first time is one of ours from now on: the mapping runs first, so one whose email
    is a Zoho user's is mapped, not held -- the mapping and write-back agree on who has a Zoho user.
    """
    with rt.store.transaction():
        mapped = rt.users.mapped_emails(org_id)
        if any(normalise_email(email) not in mapped for _, email, _ in conversations):
            _remap(rt, org_id)
            mapped = rt.users.mapped_emails(org_id)
        unmapped = [c for c in conversations if normalise_email(c[1]) not in mapped]
        rt.held.hold_many(org_id, unmapped, HELD_REASON)
    return len(unmapped)
