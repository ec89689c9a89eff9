"""Airbyte's Zoho CRM connector (airbyte-source-zoho-crm 0.3.6), unmodified, against the emulator.

It speaks ``/crm/v2`` (lists without ``fields``: every field, https://www.zoho.com/crm/developer/docs/api/v2/get-records.html),
parses ``decimal_place`` from ``settings/fields`` (https://www.zoho.com/crm/developer/docs/api/v8/field-meta.html)
and reads incrementally with ``If-Modified-Since``. Check, discover, full refresh and incremental with state.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.clients.airbyte_source import AirbyteSource, stream_for
from zoho_emulator import EmulatorConfig, RunningEmulator, start_emulator

REFRESH_TOKEN = "1000.airbyte.clients.test"
MODULES = ("Leads", "Contacts", "Accounts", "Deals", "Calls", "Events", "Tasks")


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    with start_emulator(EmulatorConfig(preset="small", seed=3, refresh_token=REFRESH_TOKEN)) as running:
        yield running


@pytest.fixture(scope="module")
def source(emulator: RunningEmulator) -> Iterator[AirbyteSource]:
    connector = AirbyteSource(emulator, REFRESH_TOKEN)
    yield connector
    connector.stop()


@pytest.fixture(scope="module")
def streams(source: AirbyteSource) -> list[dict]:
    return source.discover()


def visible_ids(emulator: RunningEmulator, module: str) -> set[str]:
    """What a v2 list shows: every record, but converted leads (converted=false by default)."""
    rows = emulator.state.data.table(module)
    return {r["id"] for r in rows if not (module == "Leads" and r.get("Converted__s"))}


def test_check_connects_through_the_configured_proxy(source: AirbyteSource) -> None:
    run = source.check()
    status = run.of_type("CONNECTION_STATUS")
    assert status and status[0]["connectionStatus"]["status"] == "SUCCEEDED", run.errors or run.stderr[-2000:]
    assert source.proxy is not None and source.proxy.tunnels >= 1  # it really went through the proxy


def test_discover_finds_every_module_with_its_fields(streams: list[dict]) -> None:
    assert sorted(s["name"] for s in streams) == sorted(f"incremental_{m.lower()}_zoho_crm_stream" for m in MODULES)
    contacts = stream_for(streams, "Contacts")
    assert contacts["default_cursor_field"] == ["Modified_Time"]
    properties = contacts["json_schema"]["properties"]
    assert {"Email", "Last_Name", "Owner", "Modified_Time", "Account_Name"} <= set(properties)
    accounts = stream_for(streams, "Accounts")["json_schema"]["properties"]
    assert accounts["Annual_Revenue"]["type"] == ["null", "number"]  # a currency field: decimal_place read


def test_full_refresh_reads_every_record_with_every_field(source: AirbyteSource, streams: list[dict],
                                                          emulator: RunningEmulator) -> None:
    wanted = [stream_for(streams, m) for m in ("Deals", "Accounts", "Calls")]
    run = source.read(wanted, "full_refresh")
    assert not run.errors, run.errors
    for module in ("Deals", "Accounts", "Calls"):
        got = [r["data"] for r in run.records if r["stream"] == stream_for(streams, module)["name"]]
        assert {r["id"] for r in got} == visible_ids(emulator, module)
    deal = next(r["data"] for r in run.records if r["stream"] == stream_for(streams, "Deals")["name"])
    assert {"Deal_Name", "Stage", "Amount", "Owner", "Closing_Date"} <= set(deal)  # v2: all fields, no `fields`
    assert deal["id"].isdigit() and deal["Owner"]["id"].isdigit()


def test_incremental_reads_only_what_changed_since_its_state(source: AirbyteSource, streams: list[dict],
                                                             emulator: RunningEmulator) -> None:
    contacts = stream_for(streams, "Contacts")
    first = source.read([contacts], "incremental")
    assert not first.errors, first.errors
    assert {r["data"]["id"] for r in first.records} == visible_ids(emulator, "Contacts")
    state = first.state()
    assert state and state[0]["stream"]["stream_state"]["Modified_Time"]

    unchanged = source.read([contacts], "incremental", state)
    assert not unchanged.errors and unchanged.records == []  # Zoho's 304: nothing modified since

    emulator.state.clock.advance(60)  # edits happen a minute later, on the emulator's clock
    edited = emulator_edits(emulator, "Contacts", 7)
    second = source.read([contacts], "incremental", state)
    assert not second.errors, second.errors
    assert {r["data"]["id"] for r in second.records} == edited
    assert second.state()[0]["stream"]["stream_state"]["Modified_Time"] > state[0]["stream"]["stream_state"][
        "Modified_Time"]


def emulator_edits(emulator: RunningEmulator, module: str, count: int) -> set[str]:
    """Zoho users edit ``count`` records now (the emulator's control API); the ids of those still present."""
    import requests

    before = {r["id"]: r["Modified_Time"] for r in emulator.state.data.table(module)}
    answer = requests.post(f"{emulator.url}/__emulator/edits", json={"count": count, "modules": [module], "seed": 5},
                           timeout=30)
    answer.raise_for_status()
    rows = emulator.state.data.table(module)
    return {r["id"] for r in rows if r["id"] not in before or r["Modified_Time"] != before[r["id"]]}
