"""The initial sync over real HTTP against the emulator: equal data by either method, progress, resuming."""
from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from mirror_world import MODULES, MirrorWorld

from sync_engine.mirror.sync import JOB_INITIAL, MirrorProgress, mirror_progress
from sync_engine.records.streams import LEADS


class Crash(Exception):
    """Stands for the process dying right after a commit."""


@pytest.fixture
def world(tmp_path: Path) -> Iterator[MirrorWorld]:
    opened = MirrorWorld.open(tmp_path)
    yield opened
    opened.close()


def _sizes(world: MirrorWorld) -> dict[str, int]:
    data = world.emulator.state.data
    sizes = {m: len(data.table(m)) for m in MODULES}
    sizes["Leads"] = sum(1 for r in data.table("Leads") if not r.get("Converted__s"))
    return sizes


def test_initial_sync_by_coql_equals_the_emulator_field_by_field(world):
    report = world.sync(bulk_threshold=10**9)
    assert report.phase == "initial" and report.written == sum(_sizes(world).values())
    assert {m: s.method for m, s in world.tables.module_states(world.org_id).items()} == dict.fromkeys(MODULES, "coql")
    assert world.differences() == []
    assert world.calls_by()[("bulk.create", "Contacts")] == 0
    assert world.ledger_total() == world.charged()


def test_initial_sync_by_bulk_read_equals_the_emulator_across_several_job_pages(world):
    world.control("bulk", {"per_page": 700})
    world.sync(bulk_threshold=1)
    assert world.differences() == []
    calls = world.calls_by()
    for module, size in _sizes(world).items():
        assert calls[("bulk.create", module)] == math.ceil(size / 700), module
    assert calls[("coql", "Contacts")] == 1  # the count, and nothing else: the rows came from the files
    assert world.ledger_total() == world.charged()


def test_the_cheapest_method_is_picked_and_explained_per_module(world):
    world.sync()
    states = world.tables.module_states(world.org_id)
    for module, size in _sizes(world).items():
        assert states[module].method == "coql" and states[module].expected_count == size
        assert f"{size:,} records" in (states[module].method_reason or "")
    assert world.calls_by()[("bulk.create", "Contacts")] == 0


def test_a_pull_costs_what_the_price_bands_say(world):
    world.sync(bulk_threshold=10**9)
    coql = [c for c in world.calls() if c["endpoint"] == "coql"]
    # four COUNTs at 1 and two more for Leads (all, converted: any lead with an empty flag?), then Contacts
    # 2,000 rows at 3, Leads 496 and Accounts 400 at 2 (LIMIT 1000), Deals 200 at 1
    assert sum(c["credits"] for c in coql) == 6 + 3 + 2 + 2 + 1
    world.rt.ledger.flush()
    by_job = {s.key: s.credits for s in world.rt.ledger.by_job(world.org_id)}
    assert by_job[JOB_INITIAL] == 14 + 4 + 4  # COQL, field metadata per module, org + users + layouts + pipeline


def test_converted_leads_are_left_out_of_the_mirror(world):
    world.sync()
    converted = {r["id"] for r in world.emulator.state.data.table("Leads") if r.get("Converted__s")}
    assert converted and converted.isdisjoint(world.tables.records(world.org_id, "Leads"))
    assert world.rt.store.query("SELECT count(*) FROM mirror_leads WHERE converted")[0][0] == 0
    assert LEADS.hides_converted


def test_progress_reports_records_credits_and_time_left(world):
    seen: list[MirrorProgress] = []
    world.sync(on_progress=seen.append, coql_page_rows=500)
    expected = sum(_sizes(world).values())
    assert all(p.records_expected == expected for p in seen)
    assert [p.records_done for p in seen] == sorted(p.records_done for p in seen)
    assert seen[-1].records_done == expected and seen[-1].fraction == 1.0
    assert [p.credits_spent for p in seen] == sorted(p.credits_spent for p in seen) and seen[-1].credits_spent > 0
    assert any(p.eta_s is not None and p.eta_s > 0 for p in seen[1:-1]) and seen[-1].eta_s == 0
    world.rt.ledger.flush()
    assert seen[-1].credits_spent == next(s.credits for s in world.rt.ledger.by_job(world.org_id)
                                          if s.key == JOB_INITIAL)
    stored = mirror_progress(world.rt, world.org_id)
    assert stored.phase == "incremental" and stored.records_done == expected and stored.fraction == 1.0


def test_a_crash_after_two_modules_resumes_without_reading_them_again(world):
    def crash_after_two(progress: MirrorProgress) -> None:
        if len(progress.finished_modules) == 2:
            raise Crash
    with pytest.raises(Crash):
        world.sync(on_progress=crash_after_two)
    finished = [m for m, s in world.tables.module_states(world.org_id).items() if s.finished]
    assert finished == ["Contacts", "Leads"]
    mark = len(world.calls())
    world.close_runtime()
    world.reopen()
    world.sync()
    again = world.calls_by(mark)
    assert all(again[(endpoint, module)] == 0 for module in finished for endpoint in
               ("coql", "settings.fields", "bulk.create"))
    assert again[("coql", "Accounts")] == 1 and again[("coql", "Deals")] == 1
    assert again[("org.get", None)] == 0 and again[("users.list", None)] == 0
    assert world.differences() == []


def test_a_crash_inside_a_module_resumes_after_its_last_committed_page(world):
    def crash_mid_contacts(progress: MirrorProgress) -> None:
        contacts = next(m for m in progress.modules if m.module == "Contacts")
        if contacts.done == 1_000:
            raise Crash
    with pytest.raises(Crash):
        world.sync(on_progress=crash_mid_contacts, coql_page_rows=500)
    state = world.tables.module_states(world.org_id)["Contacts"]
    assert state.records_done == 1_000 and world.tables.count(world.org_id, "Contacts") == 1_000
    world.sync(coql_page_rows=500)
    calls = world.calls_by()
    assert calls[("coql", "Contacts")] == 1 + 2_000 // 500  # the count and each page once, none twice
    assert world.differences() == []


def test_a_restart_polls_the_bulk_job_it_started_instead_of_paying_for_another(world):
    def crash_once_jobs_exist(progress: MirrorProgress) -> None:
        if len(progress.finished_modules) == 1:
            raise Crash
    with pytest.raises(Crash):  # jobs are started first, then the COQL modules; Deals (COQL) finishes first
        world.sync(on_progress=crash_once_jobs_exist, bulk_threshold=300)
    states = world.tables.module_states(world.org_id)
    assert states["Contacts"].bulk_job_id and not states["Contacts"].finished
    world.close_runtime()
    world.reopen()
    world.sync(bulk_threshold=300)
    calls = world.calls_by()
    assert calls[("bulk.create", "Contacts")] == 1 and calls[("bulk.create", "Leads")] == 1
    assert world.differences() == []


def test_reference_data_and_every_match_key_come_with_the_first_pull(world):
    world.sync()
    data, org_id = world.emulator.state.data, world.org_id
    assert world.tables.org_state(org_id).country_code == data.org.country_code
    assert {u.zoho_user_id for u in world.rt.users.zoho_users(org_id)} == set(data.users)
    stages = {s.stage: s for s in world.tables.deal_stages(org_id)}
    assert stages["Id. Decision Makers"].display_value == "Identify Decision Makers"
    assert stages["Closed Won"].forecast_type == "Closed Won"
    counts = dict(world.rt.store.query("SELECT kind, count(*) FROM mirror_contact_points GROUP BY kind"))
    values = {"email": 0, "phone": 0}
    for module in MODULES:
        fields = world.tables.module_states(org_id)[module].fields
        for record in world.tables.records(org_id, module).values():
            for f in fields:
                if f.data_type in values and (record.get(f.api_name) or "").strip():
                    values[f.data_type] += 1
    assert counts["email"] == values["email"] and counts["phone"] == values["phone"]  # none dropped
    contact = next(r for r in data.table("Contacts") if r.get("Email"))
    hits = world.tables.find(org_id, "email", contact["Email"].strip().casefold())
    assert ("Contacts", contact["id"]) in {(h.module, h.record_id) for h in hits}


def _leads_without_flag(world: MirrorWorld, n: int) -> list[str]:
    """Leads whose Converted__s is empty, as an old import into Zoho may have left them."""
    table = world.emulator.state.data.table("Leads")
    ids = [r["id"] for r in table if r.get("Converted__s") is False][:n]
    for record_id in ids:
        table.rows[record_id].pop("Converted__s")
    return ids


@pytest.mark.parametrize("bulk_threshold", [10**9, 1], ids=["coql", "bulk"])
def test_leads_with_an_empty_converted_flag_are_read_and_counted_so_100_percent_means_all(world, bulk_threshold):
    unflagged = _leads_without_flag(world, 3)
    seen: list[MirrorProgress] = []
    world.sync(bulk_threshold=bulk_threshold, on_progress=seen.append)
    leads = world.tables.module_states(world.org_id)["Leads"]
    assert set(unflagged) <= set(world.tables.records(world.org_id, "Leads"))
    # COQL reads every lead then (converted ones dropped as they come); Bulk Read leaves the converted out itself
    read = len(world.emulator.state.data.table("Leads")) if bulk_threshold > 1 else _sizes(world)["Leads"]
    assert leads.skips_converted is False and leads.expected_count == read == leads.records_done
    assert world.tables.count(world.org_id, "Leads") == _sizes(world)["Leads"]
    assert seen[-1].fraction == 1.0


def test_leads_read_with_the_converted_filter_when_every_lead_is_flagged(world):
    world.sync(bulk_threshold=10**9)
    leads = world.tables.module_states(world.org_id)["Leads"]
    assert leads.skips_converted is True and leads.records_done == leads.expected_count == _sizes(world)["Leads"]


def test_a_lead_created_through_the_api_is_unconverted_not_empty(world):
    client = world.rt.client(world.org_id)  # type: ignore[union-attr]
    created = client.insert("Leads", [{"Last_Name": "Fresh", "Email": "fresh@new.example"}])
    record = world.emulator.state.data.get("Leads", str(created[0].id))
    assert record is not None and record["Converted__s"] is False
