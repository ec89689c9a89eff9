"""ZohoClient reading and writing records against the emulator: page_token pagination, If-Modified-Since,
per-record write results, search and COQL escaping, metadata and Bulk Read (zoho-api.md §3–§6)."""
from __future__ import annotations

import csv
import io
import itertools
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from zoho_client_support import (
    Control,
    Ledger,
    connect,
    start,
    stop_later,
)

from sync_engine.zoho.client import ZohoClient
from sync_engine.zoho.errors import ZohoError
from sync_engine.zoho.queries import coql_quote, criterion
from zoho_emulator import RunningEmulator

BIG = 2_500


@pytest.fixture(scope="module")
def big() -> Iterator[tuple[RunningEmulator, ZohoClient, Ledger]]:
    emulator = start(contacts=BIG)
    ledger = Ledger()
    yield emulator, connect(emulator, ledger, max_concurrency=8), ledger
    stop_later(emulator)


@pytest.fixture(scope="module")
def scratch() -> Iterator[ZohoClient]:
    """A client on an org of its own, for tests that add many records."""
    emulator = start()
    yield connect(emulator, Ledger())
    stop_later(emulator)


@pytest.fixture
def em() -> Iterator[RunningEmulator]:
    emulator = start()
    yield emulator
    stop_later(emulator)


def test_listing_past_2000_rows_switches_from_page_to_page_token(big):
    _, client, ledger = big
    sent: list[str] = []
    client._http.hooks["response"].append(lambda r, *a, **k: sent.append(r.request.url))
    try:
        rows = list(client.iter_records("Contacts", ["Last_Name", "Email"], sort_by="id", sort_order="asc"))
    finally:
        client._http.hooks["response"].clear()
    assert len(rows) == BIG + 3 and len({r["id"] for r in rows}) == BIG + 3
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    listing = [url for url in sent if "/crm/v8/Contacts?" in url]
    assert len(listing) == 13
    assert all("page_token=" not in u and "page=" in u for u in listing[:10])
    assert all("page_token=" in u and "&page=" not in u for u in listing[10:])


def test_modified_since_returns_recent_records_and_304_ends_quietly(em):
    client = connect(em, Ledger())
    later = datetime.now(UTC) + timedelta(hours=1)
    assert list(client.iter_records("Contacts", ["Last_Name"], modified_since=later)) == []
    recent = datetime.now(UTC) - timedelta(days=29, hours=23, minutes=30)  # between the 1st and 2nd contact
    assert {r["Last_Name"] for r in client.iter_records("Contacts", ["Last_Name"], modified_since=recent)} == \
        {"Rossi", "Lind"}
    with pytest.raises(ValueError, match="timezone"):
        list(client.iter_records("Contacts", ["Last_Name"], modified_since=datetime(2025, 1, 1)))


def test_writes_report_one_result_per_record(em):
    ledger = Ledger()
    client = connect(em, ledger)
    inserted = client.insert("Contacts", [{"Last_Name": "Adeyemi", "Email": "tola@example.org"},
                                          {"First_Name": "No last name"}], trigger=[])
    assert [(r.index, r.ok, r.action) for r in inserted] == [(0, True, "insert"), (1, False, None)]
    assert inserted[1].code == "MANDATORY_NOT_FOUND" and inserted[1].error().details["api_name"] == "Last_Name"
    new_id = inserted[0].id
    assert client.get_record("Contacts", new_id)["Last_Name"] == "Adeyemi"
    assert client.update("Contacts", [{"id": new_id, "Title": "CFO"}])[0].ok
    upserted = client.upsert("Contacts", [{"Last_Name": "Adeyemi", "Email": "tola@example.org", "Title": "CEO"},
                                          {"Last_Name": "Brand", "Email": "new@example.org"}], ["Email"])
    assert [(r.ok, r.action) for r in upserted] == [(True, "update"), (True, "insert")]
    assert upserted[0].id == new_id
    deleted = client.delete("Contacts", [new_id])
    assert [(r.ok, r.id, r.action) for r in deleted] == [(True, new_id, "delete")]
    assert [d["id"] for d in client.deleted_records("Contacts")] == [new_id]
    assert [c.credits for c in ledger.of("records.insert")] == [1]


def test_a_write_where_every_record_fails_is_returned_not_raised(em):
    ledger = Ledger()
    client = connect(em, ledger)
    results = client.insert("Contacts", [{"First_Name": f"x{i}"} for i in range(11)])
    assert len(results) == 11 and not any(r.ok for r in results)
    [call] = ledger.of("records.insert")
    assert (call.http_status, call.zoho_code, call.credits) == (400, "MANDATORY_NOT_FOUND", 2)


def test_batches_over_100_are_refused_before_any_call(em):
    ledger = Ledger()
    client = connect(em, ledger)
    with pytest.raises(ValueError, match="at most 100"):
        client.insert("Contacts", [{"Last_Name": str(i)} for i in range(101)])
    with pytest.raises(ValueError, match="at most 100"):
        client.delete("Contacts", [str(i) for i in range(101)])
    assert ledger.calls == []


def test_unknown_record_id_is_a_typed_error(em):
    client = connect(em, Ledger())
    with pytest.raises(ZohoError) as caught:
        client.get_record("Contacts", "5725767000099999999")
    assert (caught.value.status, caught.value.code) == (400, "INVALID_DATA")
    with pytest.raises(ValueError):
        client.get_record("Contacts", "../org")


_tags = itertools.count()
PRINTABLE = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=24)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=PRINTABLE)
@example(value="\\(")
@example(value="ends with a backslash \\")
@example(value="O'Brien (Jr), \\\\ 'x'")
@example(value="a:b:c) or (Last_Name:equals:x")
def test_values_with_quotes_parentheses_commas_and_backslashes_round_trip(scratch, value):
    """Whatever the value, criteria search and COQL find exactly the record holding it."""
    client = scratch
    name = f"Ω{next(_tags)}Ω {value}".rstrip()  # a tag no generated value can contain; no trailing blanks
    [created] = client.insert("Contacts", [{"Last_Name": name}])
    assert created.ok, created
    found = client.search("Contacts", criteria=criterion("Last_Name", "equals", name))
    assert [r["id"] for r in found] == [created.id]
    rows = client.coql(f"select id, Last_Name from Contacts where Last_Name = {coql_quote(name)}").rows
    assert [(r["id"], r["Last_Name"]) for r in rows] == [(created.id, name)]


def test_search_by_email_and_an_empty_search(em):
    client = connect(em, Ledger())
    assert [r["Last_Name"] for r in client.search("Contacts", email="nia@example.org")] == ["Okafor"]
    assert client.search("Contacts", word="Nobody") == []
    with pytest.raises(ValueError, match="exactly one"):
        client.search("Contacts", email="a@b.c", word="ab")


def test_metadata_calls(em):
    client = connect(em, Ledger())
    org = client.org()
    assert org["license_details"]["paid_type"] == "enterprise"
    assert {u["email"] for u in client.users()} == {"ana.ruiz@northwind-demo.com", "li.wei@northwind-demo.com"}
    assert "Contacts" in {m["api_name"] for m in client.modules()}
    assert "Stage" in {f["api_name"] for f in client.fields("Deals")}
    [layout] = client.layouts("Deals")
    [pipeline] = client.pipelines(layout["id"])
    assert pipeline["maps"] and pipeline["default"]


def test_bulk_read_create_poll_download(em):
    ctl = Control(em)
    ledger = Ledger()
    client = connect(em, ledger)
    job = client.bulk_read_create("Contacts", fields=["Last_Name", "Email"])
    assert job["state"] == "ADDED"
    ctl.post("clock", {"advance_seconds": 120})
    status = client.bulk_read_status(job["id"])
    assert status["state"] == "COMPLETED"
    archive = zipfile.ZipFile(io.BytesIO(client.bulk_read_download(job["id"])))
    rows = list(csv.DictReader(io.TextIOWrapper(archive.open(f"{job['id']}.csv"), "utf-8")))
    assert sorted(r["Last_Name"] for r in rows) == ["Lind", "Okafor", "Rossi"]
    assert [(c.api, c.credits) for c in ledger.calls if not c.api.startswith("oauth")] == \
        [("bulk.create", 50), ("bulk.status", 1), ("bulk.download", 1)]
