"""Specification of stored users, the stored mapping, and conversations held for unmapped users."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sync_engine.records.users import OurUser, ZohoUser, map_users
from sync_engine.store.db import Store
from sync_engine.store.users import HeldConversations, MappingCounts, UserRepository

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
ZOHO = [ZohoUser("z1", "Ann@Acme.example", "Ann", "active", "Administrator", "CEO", True),
        ZohoUser("z2", "bob@acme.example", "Bob", "inactive", "Standard", "Sales", False),
        ZohoUser("z3", "cy@acme.example", "Cy", "active", "Standard", "Sales", False)]
OURS = [OurUser(" ann@acme.example", "Ann"), OurUser("BOB@acme.example", "Bob"), OurUser("dee@acme.example", "Dee")]


@pytest.fixture
def users(store: Store) -> UserRepository:
    repo = UserRepository(store)
    repo.replace_zoho_users("acme", ZOHO, synced_at=T0)
    repo.replace_our_users("acme", OURS)
    return repo


@pytest.fixture
def held(store: Store) -> HeldConversations:
    return HeldConversations(store)


def test_user_lists_are_snapshots_replaced_per_org(users: UserRepository) -> None:
    users.replace_zoho_users("globex", [ZohoUser("g1", "gil@globex.example")])
    assert users.zoho_users("acme") == ZOHO
    users.replace_zoho_users("acme", ZOHO[:1])
    assert users.zoho_users("acme") == ZOHO[:1]
    assert [u.zoho_user_id for u in users.zoho_users("globex")] == ["g1"]
    users.replace_our_users("acme", [OurUser("eve@acme.example"), OurUser("EVE@acme.example ", "twin")])
    assert users.our_users("acme") == [OurUser("eve@acme.example")]


def test_a_large_org_replaces_its_users_in_one_transaction(users: UserRepository) -> None:
    many = [ZohoUser(f"z{i}", f"user{i}@big.example") for i in range(5_000)]
    users.replace_zoho_users("big", many)
    users.replace_zoho_users("big", list(reversed(many)))  # the same keys deleted and reinserted
    assert len(users.zoho_users("big")) == 5_000


def test_the_mapping_is_stored_and_answers_who_owns_a_users_records(users: UserRepository) -> None:
    mapping = map_users(users.our_users("acme"), users.zoho_users("acme"))
    newly_mapped = users.save_mapping("acme", mapping, at=T0)
    assert newly_mapped == ["ann@acme.example", "bob@acme.example"]
    assert users.mapped_zoho_user_id("acme", "ANN@acme.example ") == "z1"
    assert users.mapped_zoho_user_id("acme", "dee@acme.example") is None
    assert users.counts("acme") == MappingCounts(mapped=2, mapped_to_inactive=1, unmapped_ours=1,
                                                 unmapped_zoho=1, held_conversations=0)


def test_saving_again_reports_only_new_pairs_and_keeps_mapped_at(users: UserRepository, store: Store) -> None:
    users.save_mapping("acme", map_users(users.our_users("acme"), users.zoho_users("acme")), at=T0)
    users.set_manual("acme", "Dee@acme.example", "z3", at=T0)
    mapping, newly_mapped = users.remap("acme", at=T0 + timedelta(days=1))
    assert newly_mapped == ["dee@acme.example"]
    assert mapping.zoho_user_id_for("dee@acme.example") == "z3"
    rows = store.query("SELECT our_email_normalised, matched_by, mapped_at FROM user_map ORDER BY 1")
    assert rows == [("ann@acme.example", "email", T0), ("bob@acme.example", "email", T0),
                    ("dee@acme.example", "manual", T0 + timedelta(days=1))]


def test_a_manual_choice_survives_a_pull_where_its_zoho_user_is_missing(users: UserRepository) -> None:
    users.set_manual("acme", "dee@acme.example", "z3")
    users.replace_zoho_users("acme", ZOHO[:2])
    mapping, _ = users.remap("acme")
    assert mapping.stale_manual == ("dee@acme.example",)
    users.replace_zoho_users("acme", ZOHO)
    mapping, newly_mapped = users.remap("acme")
    assert mapping.zoho_user_id_for("dee@acme.example") == "z3" and "dee@acme.example" in newly_mapped
    users.set_manual("acme", "dee@acme.example", None)
    assert users.manual_mappings("acme") == {}


def test_user_data_of_one_org_never_shows_in_another(users: UserRepository) -> None:
    users.remap("acme")
    assert users.zoho_users("globex") == [] and users.our_users("globex") == []
    assert users.mapped_zoho_user_id("globex", "ann@acme.example") is None
    assert users.counts("globex") == MappingCounts(0, 0, 0, 0, 0)


def test_a_held_conversation_is_listed_until_released(held: HeldConversations) -> None:
    held.hold("acme", "c1", "Dee@acme.example", {"title": "Demo call", "minutes": 30}, "unmapped user", at=T0)
    [conversation] = held.held("acme")
    assert (conversation.conversation_id, conversation.payload, conversation.held_reason, conversation.held_at) == (
        "c1", {"title": "Demo call", "minutes": 30}, "unmapped user", T0)
    assert conversation.released_at is None
    assert held.held("globex") == []


def test_holding_the_same_conversation_twice_keeps_one_row_and_the_first_held_at(held: HeldConversations) -> None:
    held.hold("acme", "c1", "dee@acme.example", {"v": 1}, "unmapped user", at=T0)
    held.hold("acme", "c1", "dee@acme.example", {"v": 2}, "unmapped user", at=T0 + timedelta(hours=1))
    [conversation] = held.held("acme")
    assert (conversation.payload, conversation.held_at) == ({"v": 2}, T0)


def test_releasing_returns_every_held_conversation_of_that_user_once(held: HeldConversations) -> None:
    for i in range(3):
        held.hold("acme", f"c{i}", " DEE@acme.example", {"i": i}, "unmapped user", at=T0 + timedelta(minutes=i))
    held.hold("acme", "other", "eve@acme.example", {}, "unmapped user", at=T0)
    held.hold("globex", "c9", "dee@acme.example", {}, "unmapped user", at=T0)
    released = held.release_for("acme", "dee@acme.example", at=T0 + timedelta(days=1))
    assert [(c.conversation_id, c.payload) for c in released] == [("c0", {"i": 0}), ("c1", {"i": 1}),
                                                                  ("c2", {"i": 2})]
    assert all(c.released_at == T0 + timedelta(days=1) for c in released)
    assert held.release_for("acme", "dee@acme.example") == []
    assert [c.conversation_id for c in held.held("acme")] == ["other"]
    assert [c.conversation_id for c in held.held("globex")] == ["c9"]


def test_a_release_rolls_back_with_the_work_that_failed_to_process_it(store: Store, held: HeldConversations) -> None:
    held.hold("acme", "c1", "dee@acme.example", {"v": 1}, "unmapped user", at=T0)
    with pytest.raises(RuntimeError), store.transaction():
        assert len(held.release_for("acme", "dee@acme.example")) == 1
        raise RuntimeError("processing crashed")
    assert [c.conversation_id for c in held.held("acme")] == ["c1"]


def test_a_released_conversation_held_again_is_held_anew(held: HeldConversations) -> None:
    held.hold("acme", "c1", "dee@acme.example", {"v": 1}, "unmapped user", at=T0)
    held.release_for("acme", "dee@acme.example", at=T0 + timedelta(hours=1))
    held.hold("acme", "c1", "dee@acme.example", {"v": 1}, "user unmapped again", at=T0 + timedelta(hours=2))
    [conversation] = held.held("acme")
    assert (conversation.held_at, conversation.held_reason) == (T0 + timedelta(hours=2), "user unmapped again")


def test_mapping_a_user_releases_their_conversations_in_the_same_transaction(
        store: Store, users: UserRepository, held: HeldConversations) -> None:
    held.hold("acme", "c1", "dee@acme.example", {"v": 1}, "unmapped user", at=T0)
    users.remap("acme")
    assert users.counts("acme").held_conversations == 1
    processed: list[str] = []
    with store.transaction():
        users.set_manual("acme", "dee@acme.example", "z3")
        _, newly_mapped = users.remap("acme")
        for email in newly_mapped:
            processed += [c.conversation_id for c in held.release_for("acme", email)]
    assert processed == ["c1"]
    assert users.counts("acme").held_conversations == 0
