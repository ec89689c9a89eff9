"""Specification of user mapping: our users to Zoho users by email, manual choices, what is reported."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync_engine.records.users import OurUser, UserMapping, ZohoUser, map_users, normalise_email


@pytest.mark.parametrize(("raw", "normalised"), [
    ("jane@acme.com", "jane@acme.com"),
    ("  Jane.Doe@Acme.COM ", "jane.doe@acme.com"),
    ("jane .doe@ acme.com", "jane.doe@acme.com"),
    ("jane\t@acme.com\n", "jane@acme.com"),
    ("STRASSE@Example.de", "strasse@example.de"),
    ("Straße@example.de", "strasse@example.de"),  # casefold, not lower
    ("", ""),
])
def test_normalise_email_strips_casefolds_and_removes_inner_whitespace(raw: str, normalised: str) -> None:
    assert normalise_email(raw) == normalised


def zoho(user_id: str, email: str, status: str = "active") -> ZohoUser:
    return ZohoUser(user_id, email, full_name=user_id, status=status)


def pairs(mapping: UserMapping) -> set[tuple[str, str, str]]:
    return {(p.ours.email_normalised, p.zoho.zoho_user_id, p.matched_by) for p in mapping.matched}


CASES = [
    pytest.param([OurUser("a@x.io")], [zoho("z1", "A@X.io")], {},
                 {("a@x.io", "z1", "email")}, [], [], id="case-insensitive-match"),
    pytest.param([OurUser(" a@x.io")], [zoho("z1", "a @x.io")], {},
                 {("a@x.io", "z1", "email")}, [], [], id="whitespace-insensitive-match"),
    pytest.param([OurUser("a@x.io"), OurUser("b@x.io")], [zoho("z1", "a@x.io"), zoho("z2", "c@x.io")], {},
                 {("a@x.io", "z1", "email")}, ["b@x.io"], ["z2"], id="unmatched-on-both-sides"),
    pytest.param([OurUser("a@x.io")], [zoho("z1", "a@x.io"), zoho("z2", "A@x.io")], {},
                 set(), ["a@x.io"], ["z1", "z2"], id="duplicate-zoho-email-is-not-auto-mapped"),
    pytest.param([OurUser("a@x.io")], [zoho("z1", "a@x.io"), zoho("z2", "A@x.io")], {"A@X.IO": "z2"},
                 {("a@x.io", "z2", "manual")}, [], ["z1"], id="manual-choice-resolves-a-duplicate"),
    pytest.param([OurUser("a@x.io")], [zoho("z1", "a@x.io"), zoho("z2", "alias@x.io")], {"a@x.io": "z2"},
                 {("a@x.io", "z2", "manual")}, [], ["z1"], id="manual-choice-beats-the-email-match"),
    pytest.param([OurUser("a@x.io")], [zoho("z1", "a@x.io")], {"a@x.io": "gone"},
                 {("a@x.io", "z1", "email")}, [], [], id="stale-manual-choice-falls-back-to-email"),
    pytest.param([OurUser("a@x.io"), OurUser("A@X.IO", "twin")], [zoho("z1", "a@x.io")], {},
                 {("a@x.io", "z1", "email")}, [], [], id="two-spellings-of-our-user-are-one-user"),
    pytest.param([OurUser("")], [zoho("z1", "")], {},
                 set(), [""], ["z1"], id="blank-emails-never-match"),
    pytest.param([], [], {}, set(), [], [], id="nothing-to-map"),
]


@pytest.mark.parametrize(("ours", "zoho_users", "manual", "matched", "unmatched_ours", "unmatched_zoho"), CASES)
def test_map_users(ours: list[OurUser], zoho_users: list[ZohoUser], manual: dict[str, str],
                   matched: set[tuple[str, str, str]], unmatched_ours: list[str], unmatched_zoho: list[str]) -> None:
    mapping = map_users(ours, zoho_users, manual)
    assert pairs(mapping) == matched
    assert [u.email_normalised for u in mapping.unmatched_ours] == unmatched_ours
    assert [u.zoho_user_id for u in mapping.unmatched_zoho] == unmatched_zoho


def test_inactive_zoho_user_is_matched_but_flagged() -> None:
    mapping = map_users([OurUser("a@x.io"), OurUser("b@x.io")],
                        [zoho("z1", "a@x.io", status="inactive"), zoho("z2", "b@x.io")])
    assert pairs(mapping) == {("a@x.io", "z1", "email"), ("b@x.io", "z2", "email")}
    assert [p.zoho.zoho_user_id for p in mapping.inactive_matched] == ["z1"]


def test_duplicates_are_reported_with_the_affected_user() -> None:
    mapping = map_users([OurUser("Dup@x.io", "Dee")], [zoho("z2", "dup@x.io"), zoho("z1", "DUP@x.io")])
    [duplicate] = mapping.duplicates
    assert duplicate.email_normalised == "dup@x.io"
    assert [u.zoho_user_id for u in duplicate.zoho_users] == ["z1", "z2"]
    assert duplicate.ours == OurUser("Dup@x.io", "Dee")


def test_stale_manual_choices_are_reported() -> None:
    mapping = map_users([OurUser("a@x.io")], [zoho("z1", "a@x.io")], {"A@x.io": "gone", "left@x.io": "z1"})
    assert mapping.stale_manual == ("a@x.io", "left@x.io")


def test_zoho_user_id_for_accepts_any_spelling() -> None:
    mapping = map_users([OurUser("a@x.io")], [zoho("z1", "a@x.io")])
    assert mapping.zoho_user_id_for(" A@X.io ") == "z1"
    assert mapping.zoho_user_id_for("b@x.io") is None


# -- properties ----------------------------------------------------------------------------------

LOCAL = st.sampled_from(["ann", "bob", "cy", "dee", "eve"])  # few names, so duplicates happen
DOMAIN = st.sampled_from(["acme.com", "x.io"])
EMAIL = st.builds(lambda local, domain: f"{local}@{domain}", LOCAL, DOMAIN)


@st.composite
def respelled(draw: st.DrawFn, email: str) -> str:
    """The same address with its letters' case flipped at random and whitespace sprinkled in."""
    chars = [c.swapcase() if draw(st.booleans()) else c for c in email]
    for _ in range(draw(st.integers(0, 3))):
        chars.insert(draw(st.integers(0, len(chars))), draw(st.sampled_from([" ", "\t", "  "])))
    return "".join(chars)


@st.composite
def directories(draw: st.DrawFn) -> tuple[list[OurUser], list[ZohoUser], dict[str, str]]:
    ours = [OurUser(email) for email in draw(st.lists(EMAIL, max_size=6))]
    zoho_emails = draw(st.lists(EMAIL, max_size=8))
    zoho_users = [ZohoUser(f"z{i}", email, status=draw(st.sampled_from(["active", "inactive"])))
                  for i, email in enumerate(zoho_emails)]
    manual = {}
    if ours and zoho_users and draw(st.booleans()):
        manual[draw(st.sampled_from(ours)).email] = draw(st.sampled_from(zoho_users)).zoho_user_id
    return ours, zoho_users, manual


def projection(mapping: UserMapping) -> tuple[object, ...]:
    return (pairs(mapping), sorted(u.email_normalised for u in mapping.unmatched_ours),
            sorted(u.zoho_user_id for u in mapping.unmatched_zoho),
            [(d.email_normalised, [u.zoho_user_id for u in d.zoho_users]) for d in mapping.duplicates],
            mapping.stale_manual, sorted(p.zoho.zoho_user_id for p in mapping.inactive_matched))


@given(st.data(), directories())
def test_mapping_is_invariant_under_case_and_whitespace_changes(
        data: st.DataObject, directory: tuple[list[OurUser], list[ZohoUser], dict[str, str]]) -> None:
    ours, zoho_users, manual = directory
    ours2 = [OurUser(data.draw(respelled(u.email))) for u in ours]
    zoho2 = [ZohoUser(u.zoho_user_id, data.draw(respelled(u.email)), status=u.status) for u in zoho_users]
    manual2 = {data.draw(respelled(email)): zoho_id for email, zoho_id in manual.items()}
    assert projection(map_users(ours2, zoho2, manual2)) == projection(map_users(ours, zoho_users, manual))


@given(directories())
def test_every_user_is_accounted_for_exactly_once(
        directory: tuple[list[OurUser], list[ZohoUser], dict[str, str]]) -> None:
    ours, zoho_users, manual = directory
    mapping = map_users(ours, zoho_users, manual)
    distinct_ours = {u.email_normalised for u in ours}
    matched_ours = [p.ours.email_normalised for p in mapping.matched]
    unmatched_ours = [u.email_normalised for u in mapping.unmatched_ours]
    assert sorted(matched_ours + unmatched_ours) == sorted(distinct_ours)
    mapped_ids = {p.zoho.zoho_user_id for p in mapping.matched}
    assert mapped_ids.isdisjoint(u.zoho_user_id for u in mapping.unmatched_zoho)
    assert mapped_ids | {u.zoho_user_id for u in mapping.unmatched_zoho} == {u.zoho_user_id for u in zoho_users}
    for pair in mapping.matched:
        if pair.matched_by == "email":
            assert sum(u.email_normalised == pair.ours.email_normalised for u in zoho_users) == 1
