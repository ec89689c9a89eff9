"""Conversations in, matches out, end to end: import into an org, match against its mirror, offline CLI."""
from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync_engine import service
from sync_engine.intake.imports import import_bytes, stored_conversations
from sync_engine.matching.run import match_conversations
from sync_engine.records.users import OurUser
from sync_engine.runtime import Runtime, open_runtime
from sync_engine.store.conversations import ConversationStore
from zoho_emulator import EmulatorConfig, RunningEmulator, start_emulator

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Runtime, RunningEmulator, str]]:
    monkeypatch.setenv("SYNC_DATA_DIR", str(tmp_path))
    em = start_emulator(EmulatorConfig(refresh_token="1000.intake"))
    rt = open_runtime()
    org_id = service.connect_with_refresh_token(rt, data_centre_code="LOCAL", accounts_url=em.url,
                                                client_id="1000.EMULATORDEMOCLIENT",
                                                client_secret="emulator-demo-secret",
                                                refresh_token="1000.intake").org.org_id
    service.mirror_org(rt, org_id)
    yield rt, em, org_id
    rt.close()
    em.stop()


def lines(em: RunningEmulator) -> tuple[str, dict, dict]:
    data = em.state.data
    rep = next(u for u in data.users.values() if u.active and not u.is_admin)
    contact = next(c for c in data.tables["Contacts"].rows.values()
                   if c.get("Email") and c.get("Account_Name") and c["Email"] == c["Email"].strip())
    meeting = {"kind": "meeting", "id": "m-1", "title": "Quarterly review", "start": "2026-11-20T10:00:00+00:00",
               "end": "2026-11-20T10:30:00+00:00", "organizer": rep.email, "user_email": rep.email,
               "attendees": [rep.email, f"  {contact['Email'].upper()} "]}
    bad = {"kind": "meeting", "id": "m-2", "title": "No end", "start": "2026-11-20T10:00:00+00:00",
           "organizer": rep.email, "user_email": rep.email, "attendees": []}
    text = "\n".join(json.dumps(x) for x in (meeting, bad)) + "\n"
    return text, contact, {"rep": rep}


def test_import_stores_valid_conversations_once_and_numbers_the_errors(world) -> None:
    rt, em, org_id = world
    text, _, _ = lines(em)
    first = import_bytes(rt, org_id, text.encode(), filename="c.jsonl")
    assert (first.valid, first.added, first.already_known) == (1, 1, 0)
    assert len(first.errors) == 1 and "line 2" in first.errors[0]
    again = import_bytes(rt, org_id, text.encode(), filename="c.jsonl")
    assert (again.added, again.already_known) == (0, 1)
    assert [c.conversation_id for c in ConversationStore(rt.store).get(org_id)] == ["m-1"]


def test_imported_meeting_is_matched_to_the_contact_its_account_and_the_owner(world) -> None:
    rt, em, org_id = world
    text, contact, people = lines(em)
    import_bytes(rt, org_id, text.encode(), filename="c.jsonl")
    [result] = match_conversations(rt, org_id)
    assert result.contact_id == contact["id"] and result.account_id == contact["Account_Name"]
    assert result.owner_id == people["rep"].id
    assert result.status in ("matched", "partial") and result.reasons
    stored = ConversationStore(rt.store).matches(org_id)["m-1"]
    assert stored.contact_id == contact["id"] and stored.people == (("contact", contact["id"]),)
    ConversationStore(rt.store).override_activity_type(org_id, "m-1", "Renewal call")
    assert ConversationStore(rt.store).matches(org_id)["m-1"].activity_type == "Renewal call"


def test_conversation_of_an_unmapped_user_is_imported_and_held(world) -> None:
    rt, em, org_id = world
    line = {"kind": "call", "id": "c-9", "direction": "outbound", "from": "+14155550100", "to": "+14155550199",
            "start": "2026-11-20T10:00:00+00:00", "duration_s": 60, "user_email": "stranger@elsewhere.io"}
    summary = import_bytes(rt, org_id, (json.dumps(line) + "\n").encode(), filename="c.jsonl")
    assert (summary.added, summary.held) == (1, 1)
    assert [h.conversation_id for h in rt.held.held(org_id)] == ["c-9"]


def test_a_zoho_user_who_records_conversations_is_mapped_by_email_though_no_user_list_named_them(world) -> None:
    """The demo's Ava Smith: a Zoho user left off our users list, whose conversations arrive under her email."""
    rt, em, org_id = world
    zoho_users = rt.users.zoho_users(org_id)
    ava, others = zoho_users[0], zoho_users[1:]
    service.set_our_users(rt, org_id, [OurUser(u.email, u.full_name) for u in others])
    assert ava.zoho_user_id in {u.zoho_user_id for u in service.connection_overview(rt, org_id).mapping.unmatched_zoho}
    line = {"kind": "call", "id": "c-ava", "direction": "outbound", "from": "+14155550100", "to": "+14155550199",
            "start": "2026-11-20T10:00:00+00:00", "duration_s": 60, "user_email": f" {ava.email.upper()} "}
    summary = import_bytes(rt, org_id, (json.dumps(line) + "\n").encode(), filename="c.jsonl")
    assert (summary.added, summary.held) == (1, 0) and rt.held.held(org_id) == []
    overview = service.connection_overview(rt, org_id)
    assert ava.zoho_user_id not in {u.zoho_user_id for u in overview.mapping.unmatched_zoho}
    assert ava.zoho_user_id in {m.zoho.zoho_user_id for m in overview.mapping.matched}
    assert overview.counts.unmapped_zoho == len(overview.mapping.unmatched_zoho)
    assert rt.users.mapped_zoho_user_id(org_id, ava.email) == ava.zoho_user_id


def test_an_import_counts_every_rejected_record_exactly_however_many_and_whatever_their_problems(world) -> None:
    rt, _, org_id = world
    bad = [{"kind": "call", "id": f"b-{i}", "direction": "sideways", "from": "x", "start": "not a time",
            "user_email": "rep@corp.example"} for i in range(2_500)]  # several problems each
    summary = import_bytes(rt, org_id, "".join(json.dumps(b) + "\n" for b in bad).encode(), filename="bad.jsonl")
    assert summary.rejected == 2_500 and summary.valid == 0
    assert "2,500 rejected" in summary.describe("bad.jsonl") and summary.outcome == "error"
    assert "more errors not shown" in summary.errors[-1]


def test_an_import_whose_users_are_all_unmapped_reports_them_held_not_plain_success(world) -> None:
    rt, _, org_id = world
    lines = "".join(json.dumps({"kind": "call", "id": f"h-{i}", "direction": "outbound", "from": "+14155550100",
                                "to": "+14155550199", "start": "2026-11-20T10:00:00+00:00", "duration_s": 60,
                                "user_email": "nobody@elsewhere.example"}) + "\n" for i in range(50))
    seen: list[tuple[str, float]] = []
    summary = service.import_conversations(rt, org_id, lines.encode(), filename="h.jsonl",
                                           on_progress=lambda what, done: seen.append((what, done)))
    assert (summary.added, summary.held, summary.outcome) == (50, 50, "warning")
    assert "50 held: their user has no Zoho user" in summary.describe("h.jsonl")
    assert seen[-1] == ("Done", 1.0) and [d for _, d in seen] == sorted(d for _, d in seen)


def test_cli_matches_a_file_offline_against_the_mirror(world, tmp_path) -> None:
    rt, em, org_id = world
    text, contact, _ = lines(em)
    source = tmp_path / "in.jsonl"
    source.write_text(text)
    out = tmp_path / "out.jsonl"
    rt.close()  # the CLI opens the same database file
    env = {"SYNC_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "sync_engine", "match", "--in", str(source), "--out", str(out),
                          "--org", org_id], capture_output=True, text=True, env=env, timeout=120, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    [line] = [json.loads(x) for x in out.read_text().splitlines()]
    assert line["id"] == "m-1" and line["contact_id"] == contact["id"] and line["reasons"]
    assert "line 2" in run.stderr


def test_admin_defined_activity_types_apply_and_an_override_wins(world) -> None:
    rt, em, org_id = world
    text, _, _ = lines(em)
    import_bytes(rt, org_id, text.encode(), filename="c.jsonl")
    types = [{"name": "QBR", "rules": [{"title_keywords": ["quarterly"]}]}, {"name": "Renewal call"}]
    service.set_activity_types(rt, org_id, json.dumps(types))
    [result] = match_conversations(rt, org_id)
    assert result.activity_type == "QBR" and any("QBR" in r for r in result.reasons)
    service.override_activity_type(rt, org_id, "m-1", "Renewal call")
    [again] = match_conversations(rt, org_id)
    assert again.activity_type == "Renewal call"
    with pytest.raises(ValueError, match="not one of this org's activity types"):
        service.override_activity_type(rt, org_id, "m-1", "Made up")
    with pytest.raises(ValueError, match="unknown condition"):
        service.set_activity_types(rt, org_id, '[{"name": "X", "rules": [{"titles": ["x"]}]}]')


def test_org_deal_rules_are_stored_and_used_for_matching(world) -> None:
    from sync_engine.matching.run import org_match_rules

    rt, _, org_id = world
    assert org_match_rules(rt, org_id).deals.order[0] == "contact_role"
    service.set_deal_rules(rt, org_id, '{"order": ["nearest_closing"], "single_only": true}')
    rules = org_match_rules(rt, org_id)
    assert rules.deals.order == ("nearest_closing",) and rules.deals.single_only
    with pytest.raises(ValueError, match="unknown deal criteria"):
        service.set_deal_rules(rt, org_id, '{"order": ["biggest"]}')


def test_numbers_without_a_country_code_are_read_in_the_orgs_country_even_when_zoho_says_uk(world) -> None:
    from sync_engine.intake.imports import org_region
    from sync_engine.store.mirror.tables import MirrorTables

    rt, _, org_id = world
    tables = MirrorTables(rt.store)
    state = tables.org_state(org_id)
    tables.save_org_state(type(state)(**{**state.__dict__, "country_code": "UK"}))
    assert org_region(rt, org_id) == "GB"
    line = {"kind": "call", "id": "uk-1", "direction": "outbound", "from": "020 7946 0000", "to": "020 7946 0958",
            "start": "2026-11-20T10:00:00+00:00", "duration_s": 60, "user_email": "x@y.io"}
    summary = import_bytes(rt, org_id, (json.dumps(line) + "\n").encode(), filename="c.jsonl")
    assert summary.added == 1 and not summary.errors
    [call] = stored_conversations(rt, org_id, ["uk-1"])  # read back the way matching reads it
    assert call.to_number.e164 == "+442079460958"  # a London number, not a US one
