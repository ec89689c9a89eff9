"""Zoho users, our users, the mapping between them, and the conversations held until a user is mapped.

The user lists are snapshots: each pull replaces an org's list in one transaction, so a user removed
on either side disappears rather than lingering. The mapping is derived (``map_users``) and stored
whole, keeping ``mapped_at`` for pairs that did not change; an admin's manual choices are stored
apart, because they are an input that must survive a pull in which their Zoho user went missing.

A conversation whose user is not mapped is held, never dropped. ``release_for`` hands the held
conversations back and marks them released in one statement; call it inside the same
``store.transaction()`` that queues them for processing, and a crash releases nothing or everything.
"""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sync_engine.records.users import OurUser, UserMapping, ZohoUser, map_users, normalise_email
from sync_engine.store.columns import insert_columns
from sync_engine.store.db import Store


@dataclass(frozen=True)
class HeldConversation:
    org_id: str
    conversation_id: str
    user_email: str
    payload: dict[str, Any]
    held_reason: str
    held_at: datetime
    released_at: datetime | None


@dataclass(frozen=True)
class MappingCounts:
    """What the Connection page shows: mapped and unmapped users on each side, held conversations."""

    mapped: int
    mapped_to_inactive: int
    unmapped_ours: int
    unmapped_zoho: int
    held_conversations: int


class UserRepository:
    def __init__(self, store: Store) -> None:
        self._store = store

    def replace_zoho_users(self, org_id: str, users: Sequence[ZohoUser], synced_at: datetime | None = None) -> None:
        at = synced_at or datetime.now(UTC)
        with self._store.transaction() as cursor:
            cursor.execute("DELETE FROM zoho_users WHERE org_id = ?", [org_id])
            insert_columns(cursor, "zoho_users", {
                "org_id": ("VARCHAR", [org_id] * len(users)),
                "zoho_user_id": ("VARCHAR", [u.zoho_user_id for u in users]),
                "email": ("VARCHAR", [u.email for u in users]),
                "email_normalised": ("VARCHAR", [u.email_normalised for u in users]),
                "full_name": ("VARCHAR", [u.full_name for u in users]),
                "status": ("VARCHAR", [u.status for u in users]),
                "profile": ("VARCHAR", [u.profile for u in users]),
                "role": ("VARCHAR", [u.role for u in users]),
                "is_admin": ("BOOLEAN", [u.is_admin for u in users]),
                "phone": ("VARCHAR", [u.phone or None for u in users]),
                "mobile": ("VARCHAR", [u.mobile or None for u in users]),
                "synced_at": ("TIMESTAMPTZ", [at] * len(users))})

    def zoho_users(self, org_id: str) -> list[ZohoUser]:
        rows = self._store.query(
            "SELECT zoho_user_id, email, full_name, status, profile, role, is_admin, coalesce(phone, ''), "
            "coalesce(mobile, '') FROM zoho_users WHERE org_id = ? ORDER BY email_normalised, zoho_user_id", [org_id])
        return [ZohoUser(*row) for row in rows]

    def replace_our_users(self, org_id: str, users: Sequence[OurUser]) -> None:
        """Our platform's users for the org; two spellings of one email are one user (the first kept).

        A user without an email cannot be mapped or stored; ``map_users`` reports them as unmatched.
        """
        by_email: dict[str, OurUser] = {}
        for user in users:
            if user.email_normalised:
                by_email.setdefault(user.email_normalised, user)
        unique = list(by_email.values())
        with self._store.transaction() as cursor:
            cursor.execute("DELETE FROM our_users WHERE org_id = ?", [org_id])
            insert_columns(cursor, "our_users", {
                "org_id": ("VARCHAR", [org_id] * len(unique)),
                "email": ("VARCHAR", [u.email for u in unique]),
                "email_normalised": ("VARCHAR", [u.email_normalised for u in unique]),
                "full_name": ("VARCHAR", [u.full_name for u in unique])})

    def our_users(self, org_id: str) -> list[OurUser]:
        """The platform's users: the list imported, and everyone who recorded a conversation for the org.

        Whoever records a conversation is one of ours whether or not a list named them, so the mapping
        matches them by email like the others, and what the mapping says is what write-back does.
        """
        rows = self._store.query("SELECT email, full_name FROM our_users WHERE org_id = ? "
                                 "ORDER BY email_normalised", [org_id])
        listed = [OurUser(*row) for row in rows]
        known = {user.email_normalised for user in listed}
        recording: dict[str, OurUser] = {}
        for (email,) in self._store.query("SELECT DISTINCT user_email FROM conversations WHERE org_id = ?",
                                          [org_id]):
            user = OurUser(email)
            if user.email_normalised and user.email_normalised not in known:
                recording.setdefault(user.email_normalised, user)
        return sorted([*listed, *recording.values()], key=lambda u: u.email_normalised)

    def mapped_emails(self, org_id: str) -> set[str]:
        """Normalised emails of our users that have a Zoho user."""
        rows = self._store.query("SELECT our_email_normalised FROM user_map WHERE org_id = ?", [org_id])
        return {email for (email,) in rows}

    def set_manual(self, org_id: str, our_email: str, zoho_user_id: str | None, at: datetime | None = None) -> None:
        """An admin's choice of Zoho user for one of ours; None returns the user to matching by email."""
        key = normalise_email(our_email)
        with self._store.transaction() as cursor:
            cursor.execute("DELETE FROM manual_user_map WHERE org_id = ? AND our_email_normalised = ?", [org_id, key])
            if zoho_user_id is not None:
                cursor.execute("INSERT INTO manual_user_map VALUES (?, ?, ?, ?)",
                               [org_id, key, zoho_user_id, at or datetime.now(UTC)])

    def manual_mappings(self, org_id: str) -> dict[str, str]:
        rows = self._store.query("SELECT our_email_normalised, zoho_user_id FROM manual_user_map WHERE org_id = ?",
                                 [org_id])
        return dict(rows)

    def save_mapping(self, org_id: str, mapping: UserMapping, at: datetime | None = None) -> list[str]:
        """Store the mapping; return the normalised emails mapped now that were not before.

        Those are the users whose held conversations can be released.
        """
        moment = at or datetime.now(UTC)
        with self._store.transaction() as cursor:
            before = {email: (zoho_id, mapped_at) for email, zoho_id, mapped_at in cursor.execute(
                "SELECT our_email_normalised, zoho_user_id, mapped_at FROM user_map WHERE org_id = ?",
                [org_id]).fetchall()}
            cursor.execute("DELETE FROM user_map WHERE org_id = ?", [org_id])
            pairs = mapping.matched
            insert_columns(cursor, "user_map", {
                "org_id": ("VARCHAR", [org_id] * len(pairs)),
                "our_email_normalised": ("VARCHAR", [p.ours.email_normalised for p in pairs]),
                "zoho_user_id": ("VARCHAR", [p.zoho.zoho_user_id for p in pairs]),
                "matched_by": ("VARCHAR", [p.matched_by for p in pairs]),
                "mapped_at": ("TIMESTAMPTZ", [_kept_mapped_at(before, p.ours.email_normalised, p.zoho.zoho_user_id,
                                                              moment) for p in pairs])})
        return sorted(p.ours.email_normalised for p in pairs if p.ours.email_normalised not in before)

    def remap(self, org_id: str, at: datetime | None = None) -> tuple[UserMapping, list[str]]:
        """Map the stored users with the stored manual choices and save the result, atomically."""
        with self._store.transaction():
            mapping = map_users(self.our_users(org_id), self.zoho_users(org_id), self.manual_mappings(org_id))
            return mapping, self.save_mapping(org_id, mapping, at)

    def mapped_zoho_user_id(self, org_id: str, our_email: str) -> str | None:
        """The Zoho owner for records that come from this user's conversations."""
        rows = self._store.query("SELECT zoho_user_id FROM user_map WHERE org_id = ? AND our_email_normalised = ?",
                                 [org_id, normalise_email(our_email)])
        return rows[0][0] if rows else None

    def counts(self, org_id: str) -> MappingCounts:
        mapped, to_inactive, unmapped_zoho, held = self._store.query("""
            SELECT
              (SELECT count(*) FROM user_map WHERE org_id = $org),
              (SELECT count(*) FROM user_map m JOIN zoho_users z USING (org_id, zoho_user_id)
                WHERE m.org_id = $org AND lower(trim(z.status)) <> 'active'),
              (SELECT count(*) FROM zoho_users z WHERE z.org_id = $org AND NOT EXISTS (SELECT 1 FROM user_map m
                WHERE m.org_id = z.org_id AND m.zoho_user_id = z.zoho_user_id)),
              (SELECT count(*) FROM held_conversations WHERE org_id = $org AND released_at IS NULL)""",
            {"org": org_id})[0]
        mapped_emails = self.mapped_emails(org_id)
        unmapped_ours = sum(user.email_normalised not in mapped_emails for user in self.our_users(org_id))
        return MappingCounts(int(mapped), int(to_inactive), unmapped_ours, int(unmapped_zoho), int(held))


class HeldConversations:
    def __init__(self, store: Store) -> None:
        self._store = store

    def hold(self, org_id: str, conversation_id: str, user_email: str, payload: Mapping[str, Any],
             reason: str, at: datetime | None = None) -> None:
        """Hold a conversation. Holding it again keeps one row: the newest payload, the first ``held_at``.

        A conversation released earlier and held again (its user was unmapped since) is held anew.
        """
        self.hold_many(org_id, [(conversation_id, user_email, payload)], reason, at)

    def hold_many(self, org_id: str, conversations: Sequence[tuple[str, str, Mapping[str, Any]]], reason: str,
                  at: datetime | None = None) -> None:
        """``hold`` for many (conversation id, user email, payload), in one statement."""
        moment = at or datetime.now(UTC)
        with self._store.transaction() as cursor:
            insert_columns(cursor, "held_conversations", {
                "org_id": ("VARCHAR", [org_id] * len(conversations)),
                "conversation_id": ("VARCHAR", [c[0] for c in conversations]),
                "user_email": ("VARCHAR", [c[1] for c in conversations]),
                "user_email_normalised": ("VARCHAR", [normalise_email(c[1]) for c in conversations]),
                "payload": ("JSON", [json.dumps(dict(c[2])) for c in conversations]),
                "held_reason": ("VARCHAR", [reason] * len(conversations)),
                "held_at": ("TIMESTAMPTZ", [moment] * len(conversations))}, on_conflict="""
                ON CONFLICT (org_id, conversation_id) DO UPDATE SET
                  user_email = excluded.user_email, user_email_normalised = excluded.user_email_normalised,
                  payload = excluded.payload, held_reason = excluded.held_reason,
                  held_at = CASE WHEN held_conversations.released_at IS NULL
                                 THEN held_conversations.held_at ELSE excluded.held_at END,
                  released_at = NULL""")

    def held(self, org_id: str, user_email: str | None = None) -> list[HeldConversation]:
        """Still held, oldest first; for one user when ``user_email`` is given."""
        sql = f"SELECT {_HELD_COLUMNS} FROM held_conversations WHERE org_id = ? AND released_at IS NULL"
        params: list[Any] = [org_id]
        if user_email is not None:
            sql += " AND user_email_normalised = ?"
            params.append(normalise_email(user_email))
        return [_held(row) for row in self._store.query(sql + " ORDER BY held_at, conversation_id", params)]

    def release_for(self, org_id: str, user_email: str, at: datetime | None = None) -> list[HeldConversation]:
        """Mark the user's held conversations released and return them, oldest first, for processing."""
        with self._store.transaction() as cursor:
            rows = cursor.execute(
                "UPDATE held_conversations SET released_at = ? "
                "WHERE org_id = ? AND user_email_normalised = ? AND released_at IS NULL "
                f"RETURNING {_HELD_COLUMNS}",
                [at or datetime.now(UTC), org_id, normalise_email(user_email)]).fetchall()
        return sorted((_held(row) for row in rows), key=lambda c: (c.held_at, c.conversation_id))


_HELD_COLUMNS = "org_id, conversation_id, user_email, payload, held_reason, held_at, released_at"


def _held(row: tuple[Any, ...]) -> HeldConversation:
    org_id, conversation_id, user_email, payload, reason, held_at, released_at = row
    return HeldConversation(org_id, conversation_id, user_email, json.loads(payload), reason, held_at, released_at)


def _kept_mapped_at(before: dict[str, tuple[str, datetime]], email: str, zoho_user_id: str,
                    now: datetime) -> datetime:
    previous = before.get(email)
    return previous[1] if previous is not None and previous[0] == zoho_user_id else now
