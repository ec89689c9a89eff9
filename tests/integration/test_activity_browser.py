"""The activity browser's SQL: filters, search, paging, export, and what was written to Zoho per conversation."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from sync_engine import service
from sync_engine.records.users import OurUser, ZohoUser
from sync_engine.runtime import Runtime, open_runtime
from sync_engine.store.conversation_views import ConversationFilter
from sync_engine.store.orgs import ConnectionSecrets, Org
from sync_engine.store.writeback.outbox import NewWrite, Outbox, Settled
from sync_engine.views import activity as activity_browser

ORG = "acme"
ENDED = datetime(2026, 1, 5, 11, tzinfo=UTC)


@pytest.fixture
def rt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    monkeypatch.setenv("SYNC_DATA_DIR", str(tmp_path))
    runtime = open_runtime()
    for org_id in (ORG, "other"):
        runtime.orgs.add(Org(org_id, org_id.title(), "EU", "https://accounts.zoho.eu", f"1000.{org_id}",
                             company_name=f"{org_id.title()} GmbH", edition="enterprise", licences=5,
                             daily_credit_limit=100_000), ConnectionSecrets("client-secret", "1000.refresh"))
    yield runtime
    runtime.close()


def meeting(conversation_id: str, day: int, user: str, title: str, *others: str) -> dict:
    start = datetime(2026, 1, day, 10, tzinfo=UTC)
    return {"kind": "meeting", "id": conversation_id, "title": title, "start": start.isoformat(),
            "end": (start + timedelta(minutes=30)).isoformat(), "organizer": user, "user_email": user,
            "attendees": [user, *others]}


def call(conversation_id: str, day: int, user: str, number: str) -> dict:
    start = datetime(2026, 1, day, 15, tzinfo=UTC)
    return {"kind": "call", "id": conversation_id, "start": start.isoformat(), "duration_s": 300,
            "user_email": user, "direction": "outbound",
            "to": number, "from": "+4930111111"}


def add_contact(rt: Runtime, record_id: str, name: str, email: str) -> None:
    with rt.store.transaction() as cur:
        cur.execute("INSERT INTO mirror_contacts (org_id, record_id, full_name, email, raw_record, synced_at) "
                    "VALUES (?, ?, ?, ?, '{}', ?)", [ORG, record_id, name, email, ENDED])
        cur.execute("INSERT INTO mirror_contact_points (org_id, kind, value, module, record_id, field, raw_value) "
                    "VALUES (?, 'email', ?, 'Contacts', ?, 'Email', ?)", [ORG, email, record_id, email])


def import_all(rt: Runtime, org_id: str = ORG) -> None:
    rt.users.replace_zoho_users(org_id, [ZohoUser("u1", "rep@acme.example", "Rita Rep"),
                                         ZohoUser("u2", "sam@acme.example", "Sam Seller")])
    service.set_our_users(rt, org_id, [OurUser("rep@acme.example"), OurUser("sam@acme.example"),
                                       OurUser("new@acme.example")])
    lines = [meeting("m-contact", 3, "rep@acme.example", "Pricing review", "ana@customer.example"),
             meeting("m-internal", 4, "sam@acme.example", "Team sync", "rep@acme.example"),
             meeting("m-unknown", 5, "rep@acme.example", "Intro", "x@nowhere.example"),
             call("c-unknown", 6, "sam@acme.example", "+4930999999"),
             meeting("m-held", 7, "new@acme.example", "Demo", "ana@customer.example")]
    data = "\n".join(json.dumps(line) for line in lines).encode()
    assert service.import_conversations(rt, org_id, data, filename="x.jsonl").added == 5
    service.match_stored_conversations(rt, org_id)


@pytest.fixture
def world(rt: Runtime) -> Runtime:
    """Five conversations of two users (one held); one contact named in the mirror; write-back for one."""
    add_contact(rt, "C1", "Ana Alvarez", "ana@customer.example")
    import_all(rt)
    outbox = Outbox(rt.store)
    outbox.enqueue(ORG, [NewWrite("m-contact/activity", "m-contact", "Events", "insert", {}, "k1", 0, ENDED),
                         NewWrite("m-contact/task/1", "m-contact", "Tasks", "insert", {}, "k2", 1, ENDED),
                         NewWrite("m-contact/task/2", "m-contact", "Tasks", "insert", {}, "k3", 1, ENDED),
                         NewWrite("m-unknown/activity", "m-unknown", "Events", "insert", {}, "k4", 0, ENDED)])
    outbox.mark_in_flight(ORG, ["m-contact/activity", "m-contact/task/1", "m-unknown/activity"], "b1", ENDED)
    outbox.settle(ORG, [Settled("m-contact/activity", True, zoho_id="5725767000001"),
                        Settled("m-contact/task/1", True, zoho_id="5725767000002"),
                        Settled("m-unknown/activity", False, error_code="INVALID_DATA",
                                error_message="the owner is not an active user")])
    return rt


def page(rt: Runtime, **filters: object) -> activity_browser.ActivityPage:
    return activity_browser.activity_page(rt, ORG, ConversationFilter(**filters))


def test_the_list_is_newest_first_with_linked_names_and_counts_per_status(world: Runtime) -> None:
    shown = page(world)
    assert shown.rows["id"].tolist() == ["m-held", "c-unknown", "m-unknown", "m-internal", "m-contact"]
    assert shown.total == 5
    assert shown.by_status == {"matched": 1, "internal": 1, "unmatched": 2, "held": 1}
    row = shown.rows.set_index("id").loc["m-contact"]
    assert row["contact"] == "Ana Alvarez (C1)"
    assert row["owner"] == "Rita Rep (u1)"


def test_what_was_written_to_zoho_shows_the_activity_tasks_and_errors(world: Runtime) -> None:
    rows = page(world).rows.set_index("id")
    assert rows.loc["m-contact", "Zoho activity"] == "Events 5725767000001"
    assert rows.loc["m-contact", "tasks"] == "1 of 2 created"
    assert rows.loc["m-contact", "written to Zoho"] == "pending"  # task 2 still queued
    assert rows.loc["m-unknown", "written to Zoho"] == "failed"
    assert rows.loc["m-unknown", "write-back error"] == "INVALID_DATA: the owner is not an active user"
    assert rows.loc["m-internal", "written to Zoho"] == "not planned"
    assert pd.isna(rows.loc["m-internal", "Zoho activity"])


@pytest.mark.parametrize(("filters", "expected"), [
    ({"statuses": ("unmatched",)}, ["c-unknown", "m-unknown"]),
    ({"statuses": ("held",)}, ["m-held"]),
    ({"kinds": ("call",)}, ["c-unknown"]),
    ({"users": ("sam@acme.example",)}, ["c-unknown", "m-internal"]),
    ({"since": datetime(2026, 1, 5, tzinfo=UTC), "until": datetime(2026, 1, 7, tzinfo=UTC)},
     ["c-unknown", "m-unknown"]),
    ({"written": ("failed",)}, ["m-unknown"]),
    ({"written": ("not planned",), "statuses": ("unmatched",)}, ["c-unknown"]),
    ({"activity_types": ("(none)",), "kinds": ("call",)}, ["c-unknown"]),
    ({"search": "PRICING"}, ["m-contact"]),
    ({"search": "alvarez"}, ["m-held", "m-contact"]),  # held, but matched already
    ({"search": "sam seller"}, ["c-unknown", "m-internal"]),
    ({"search": "no such thing 42"}, []),
])
def test_filters_and_search_narrow_the_set_in_sql(world: Runtime, filters: dict, expected: list[str]) -> None:
    shown = page(world, **filters)
    assert shown.rows["id"].tolist() == expected if expected else shown.rows.empty
    assert shown.total == len(expected)


def test_pages_follow_each_other_without_overlap(world: Runtime) -> None:
    first = activity_browser.activity_page(world, ORG, ConversationFilter(), 0, 2)
    second = activity_browser.activity_page(world, ORG, ConversationFilter(), 2, 2)
    third = activity_browser.activity_page(world, ORG, ConversationFilter(), 4, 2)
    ids = [*first.rows["id"], *second.rows["id"], *third.rows["id"]]
    assert ids == page(world).rows["id"].tolist()
    assert first.total == second.total == 5


def test_export_holds_the_filtered_set_and_stops_at_the_cap(world: Runtime) -> None:
    text = activity_browser.export_csv(world, ORG, ConversationFilter(statuses=("unmatched",))).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["id"] for r in rows] == ["c-unknown", "m-unknown"]
    assert rows[1]["write-back error"].startswith("INVALID_DATA")
    capped = activity_browser.export_csv(world, ORG, ConversationFilter(), limit=3).decode()
    assert len(list(csv.DictReader(io.StringIO(capped)))) == 3


def test_export_neutralises_a_title_that_is_a_spreadsheet_formula(world: Runtime) -> None:
    evil = '=HYPERLINK("http://evil.example","x")'
    line = meeting("m-evil", 8, "rep@acme.example", evil, "ana@customer.example")
    service.import_conversations(world, ORG, json.dumps(line).encode(), filename="evil.jsonl")
    text = activity_browser.export_csv(world, ORG, ConversationFilter(search="m-evil")).decode()
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["title"] == "'" + evil


def test_another_orgs_conversations_never_show(world: Runtime) -> None:
    import_all(world, "other")
    assert page(world).total == 5
    assert activity_browser.activity_page(world, "other", ConversationFilter()).total == 5
    assert page(world).rows.set_index("id").loc["m-contact", "tasks"] == "1 of 2 created"


def test_filter_choices_list_the_users_and_activity_types(world: Runtime) -> None:
    choices = activity_browser.filter_choices(world, ORG)
    assert choices.users == ("new@acme.example", "rep@acme.example", "sam@acme.example")
    assert choices.activity_types[-1] == "(none)"


def test_an_unknown_write_back_state_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown write-back state"):
        ConversationFilter(written=("sent",))


def test_the_service_table_keeps_its_search_by_title(world: Runtime) -> None:
    rows = service.conversation_table(world, ORG, "team SYNC")
    assert [r["id"] for r in rows] == ["m-internal"]
