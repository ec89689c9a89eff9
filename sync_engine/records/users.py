"""Which Zoho user is each of our users: matched by email, or chosen by an admin.

Records are written with the admin's token but must be owned by the user whose conversation they
come from, so every conversation needs a Zoho user id. Emails are the join key, compared after
normalising (people type "Jane.Doe@Acme.com " in one system and "jane.doe@acme.com" in the other).

What cannot be decided safely is reported rather than guessed: two Zoho users sharing one email are
not auto-mapped (the wrong owner is worse than a held conversation); inactive Zoho users are mapped
but flagged, since Zoho refuses them as owners; an admin's manual choice wins over the email match.

Pure functions over dataclasses: the store persists the result, the dashboard shows it.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

MatchedBy = Literal["email", "manual"]

_WHITESPACE = re.compile(r"\s+")


def normalise_email(email: str) -> str:
    """Remove all whitespace (inside too: pasted addresses carry stray spaces) and casefold."""
    return _WHITESPACE.sub("", email).casefold()


@dataclass(frozen=True)
class OurUser:
    """A user of the conversation-intelligence platform."""

    email: str
    full_name: str = ""

    @property
    def email_normalised(self) -> str:
        return normalise_email(self.email)


@dataclass(frozen=True)
class ZohoUser:
    zoho_user_id: str
    email: str
    full_name: str = ""
    status: str = "active"  # Zoho's status: active, inactive, disabled, deleted...
    profile: str = ""
    role: str = ""
    is_admin: bool = False
    phone: str = ""  # the user's own lines: a call to or from them is internal
    mobile: str = ""

    @property
    def email_normalised(self) -> str:
        return normalise_email(self.email)

    @property
    def is_active(self) -> bool:
        return self.status.strip().casefold() == "active"


@dataclass(frozen=True)
class MappedUser:
    ours: OurUser
    zoho: ZohoUser
    matched_by: MatchedBy

    @property
    def inactive(self) -> bool:
        """Zoho will not accept this user as a record owner until it is reactivated."""
        return not self.zoho.is_active


@dataclass(frozen=True)
class DuplicateEmail:
    """Several Zoho users share one email, so none of them is mapped automatically."""

    email_normalised: str
    zoho_users: tuple[ZohoUser, ...]
    ours: OurUser | None  # our user with that email; unmapped unless an admin chose manually


@dataclass(frozen=True)
class UserMapping:
    matched: tuple[MappedUser, ...]
    unmatched_ours: tuple[OurUser, ...]
    unmatched_zoho: tuple[ZohoUser, ...]  # Zoho users nobody maps to
    duplicates: tuple[DuplicateEmail, ...]
    stale_manual: tuple[str, ...]  # normalised emails whose manual choice names an unknown user

    @property
    def inactive_matched(self) -> tuple[MappedUser, ...]:
        return tuple(pair for pair in self.matched if pair.inactive)

    def zoho_user_id_for(self, email: str) -> str | None:
        key = normalise_email(email)
        return next((pair.zoho.zoho_user_id for pair in self.matched if pair.ours.email_normalised == key), None)


def map_users(ours: Iterable[OurUser], zoho: Iterable[ZohoUser],
              manual: Mapping[str, str] | None = None) -> UserMapping:
    """Map our users to Zoho users.

    ``manual`` maps our user's email (any spelling) to a Zoho user id chosen by an admin.
    Our users sharing a normalised email are one person; the first one given is kept. Our users
    without an email cannot be matched and are listed as unmatched.
    """
    our_by_email, without_email = _by_email(ours)
    zoho_list = list(zoho)
    zoho_by_id = {user.zoho_user_id: user for user in zoho_list}
    zoho_by_email: dict[str, list[ZohoUser]] = defaultdict(list)
    for user in zoho_list:
        if user.email_normalised:
            zoho_by_email[user.email_normalised].append(user)
    manual_ids = {normalise_email(email): zoho_id for email, zoho_id in (manual or {}).items()}

    matched: list[MappedUser] = []
    unmatched_ours: list[OurUser] = list(without_email)
    stale = sorted(email for email, zoho_id in manual_ids.items()
                   if email not in our_by_email or zoho_id not in zoho_by_id)
    for email, our_user in sorted(our_by_email.items()):
        chosen = zoho_by_id.get(manual_ids.get(email, ""))
        candidates = zoho_by_email.get(email, [])
        if chosen is not None:
            matched.append(MappedUser(our_user, chosen, "manual"))
        elif len(candidates) == 1:
            matched.append(MappedUser(our_user, candidates[0], "email"))
        else:
            unmatched_ours.append(our_user)

    mapped_ids = {pair.zoho.zoho_user_id for pair in matched}
    duplicates = tuple(
        DuplicateEmail(email, tuple(sorted(users, key=lambda u: u.zoho_user_id)), our_by_email.get(email))
        for email, users in sorted(zoho_by_email.items()) if len(users) > 1)
    unmatched_zoho = sorted((user for user in zoho_list if user.zoho_user_id not in mapped_ids),
                            key=lambda u: (u.email_normalised, u.zoho_user_id))
    return UserMapping(tuple(matched), tuple(unmatched_ours), tuple(unmatched_zoho), duplicates, tuple(stale))


def _by_email(ours: Iterable[OurUser]) -> tuple[dict[str, OurUser], list[OurUser]]:
    by_email: dict[str, OurUser] = {}
    without_email: list[OurUser] = []
    for user in ours:
        if user.email_normalised:
            by_email.setdefault(user.email_normalised, user)
        else:
            without_email.append(user)
    return by_email, without_email


def zoho_user(raw: dict[str, Any]) -> ZohoUser:
    """A user as ``GET /users`` answers it."""
    profile = (raw.get("profile") or {}).get("name") or ""
    return ZohoUser(str(raw["id"]), str(raw.get("email") or ""), str(raw.get("full_name") or ""),
                    str(raw.get("status") or ""), profile, (raw.get("role") or {}).get("name") or "",
                    profile == "Administrator", str(raw.get("phone") or ""), str(raw.get("mobile") or ""))
