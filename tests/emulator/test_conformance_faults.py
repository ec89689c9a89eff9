"""Fault injection and the emulator's controls (zoho-api.md §10 and "What an emulator must reproduce" 12, 14).

Faults behave like Zoho's failures (500 INTERNAL_ERROR, dropped connections, slow answers) and touch
only Zoho's API paths; the clock and simulated user edits drive what Zoho's API then reports.
"""
from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import requests

INTERNAL_ERROR_BODY = {"code": "INTERNAL_ERROR", "details": {}, "message": "Internal Server Error", "status": "error"}


def list_contacts(crm, **headers: str) -> requests.Response:
    return crm.get("Contacts", params={"fields": "Last_Name,Modified_Time"}, headers=headers)


def test_error_rate_one_answers_500_internal_error(crm, ctl):
    """A server fault answers HTTP 500 with {"code":"INTERNAL_ERROR", …, "message":"Internal Server Error"}.
    https://www.zoho.com/crm/help/api/error-messages.html · https://www.zoho.com/crm/developer/docs/api/v8/status-codes.html"""
    ctl.post("faults", {"error_rate": 1.0})
    r = list_contacts(crm)
    assert r.status_code == 500
    assert r.headers["Content-Type"] == "application/json;charset=UTF-8"
    assert r.json() == INTERNAL_ERROR_BODY
    requests.delete(f"{crm.em.url}/__emulator/faults", timeout=10)
    assert list_contacts(crm).status_code == 200


def test_drop_rate_one_closes_the_connection(emulator, token, ctl):
    """A dropped connection reaches the client as a connection error, not an HTTP answer.
    zoho-api.md "What an emulator must reproduce" 14 (client retry path; https://www.zoho.com/crm/developer/docs/api/v8/status-codes.html)"""
    access = token(emulator)
    ctl.post("faults", {"drop_rate": 1.0})
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"{emulator.url}/crm/v8/Contacts", params={"fields": "Last_Name"}, timeout=10,
                     headers={"Authorization": f"Zoho-oauthtoken {access}"})


def test_drop_after_processing_writes_the_record_but_never_answers(emulator, token, ctl):
    """A write can succeed at Zoho while its answer is lost: the record exists, credits are spent, the
    client sees only a broken connection; the call log says so (status 0) before the client can look.
    zoho-api.md "What an emulator must reproduce" 14 (faults) and §3 (insert)"""
    access = token(emulator)
    ctl.post("faults", {"drop_after_rate": 1.0})
    before = ctl.get("usage")["total_charged"]
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.post(f"{emulator.url}/crm/v8/Accounts", json={"data": [{"Account_Name": "Lost Answer Ltd"}]},
                      timeout=10, headers={"Authorization": f"Zoho-oauthtoken {access}"})
    ctl.post("faults", {"drop_after_rate": 0.0})
    names = [r.get("Account_Name") for r in emulator.state.data.tables["Accounts"].rows.values()]
    assert names.count("Lost Answer Ltd") == 1
    last = ctl.last_call()
    assert (last["status"], last["code"], last["credits"]) == (0, "DROPPED_AFTER_PROCESSING", 1)
    assert ctl.get("usage")["total_charged"] == before + 1


@pytest.mark.parametrize("answer", ["drop", "error"])
def test_a_late_write_is_applied_after_the_client_got_no_answer_or_a_500(emulator, token, ctl, answer):
    """The in-doubt hazard: the client hears nothing (or a 500), looks, finds nothing -- and the record
    appears later. Only record writes are delayed; reads are served at once.
    zoho-api.md "What an emulator must reproduce" 14 (faults)"""
    access = token(emulator)
    headers = {"Authorization": f"Zoho-oauthtoken {access}"}
    ctl.post("faults", {"late_write_rate": 1.0, "late_write_ms": 400, "late_write_answer": answer})
    name = f"Late Answer {answer} Ltd"

    def written() -> int:
        return [r.get("Account_Name") for r in emulator.state.data.tables["Accounts"].rows.values()].count(name)

    if answer == "drop":
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.post(f"{emulator.url}/crm/v8/Accounts", json={"data": [{"Account_Name": name}]}, timeout=10,
                          headers=headers)
    else:
        answered = requests.post(f"{emulator.url}/crm/v8/Accounts", json={"data": [{"Account_Name": name}]},
                                 timeout=10, headers=headers)
        assert answered.status_code == 500 and answered.json() == INTERNAL_ERROR_BODY
    assert written() == 0
    assert requests.get(f"{emulator.url}/crm/v8/org", headers=headers, timeout=10).status_code == 200
    time.sleep(0.7)
    assert written() == 1
    last = [c for c in ctl.get("calls")["calls"] if c["endpoint"] == "records.insert"][-1]
    assert (last["status"], last["code"], last["credits"]) == (0, "APPLIED_AFTER_ANSWER", 1)
    requests.delete(f"{emulator.url}/__emulator/faults", timeout=10)


def test_latency_delays_api_answers(crm, ctl):
    """latency_ms is added to every API call.
    zoho-api.md "What an emulator must reproduce" 14 ·
    https://www.zoho.com/crm/developer/docs/api/v8/api-limits.html (slow calls hold concurrency)"""
    assert ctl.post("faults", {"latency_ms": 250})["latency_ms"] == 250
    started = time.perf_counter()
    assert list_contacts(crm).status_code == 200
    assert time.perf_counter() - started >= 0.25


def test_faults_never_touch_emulator_or_oauth_paths(emulator, token, ctl):
    """Faults apply to Zoho's CRM paths only: /__emulator/ controls and the accounts server keep working.
    zoho-api.md "What an emulator must reproduce" 14 · https://www.zoho.com/accounts/protocol/oauth/web-apps/access-token.html"""
    ctl.post("faults", {"error_rate": 1.0, "latency_ms": 400})
    started = time.perf_counter()
    assert requests.get(f"{emulator.url}/__emulator/usage", timeout=10).status_code == 200
    assert token(emulator).startswith("1000.")
    r = requests.get(f"{emulator.url}/oauth/v2/auth", timeout=10, params={
        "scope": "ZohoCRM.modules.ALL", "client_id": "1000.EMULATORDEMOCLIENT", "response_type": "code",
        "redirect_uri": "http://localhost:8501/"})
    assert r.status_code == 200
    assert time.perf_counter() - started < 0.4
    ctl.post("faults", {"error_rate": 0.0, "drop_rate": 1.0})
    assert requests.get(f"{emulator.url}/__emulator/clock", timeout=10).status_code == 200
    assert token(emulator).startswith("1000.")


def test_fault_settings_are_validated_and_reset(emulator, ctl):
    """Rates outside 0..1 are refused; DELETE /__emulator/faults resets everything (an emulator control:
    Zoho documents the faults, not the switch). zoho-api.md "What an emulator must reproduce" 14 ·
    https://www.zoho.com/crm/developer/docs/api/v8/status-codes.html"""
    r = requests.post(f"{emulator.url}/__emulator/faults", json={"error_rate": 2}, timeout=10)
    assert r.status_code == 400
    ctl.post("faults", {"error_rate": 0.5, "latency_ms": 10})
    reset = requests.delete(f"{emulator.url}/__emulator/faults", timeout=10).json()
    assert reset["error_rate"] == 0 and reset["drop_rate"] == 0 and reset["latency_ms"] == 0


def test_clock_set_moves_server_time(emulator, token, api, ctl):
    """Setting the clock moves the time Zoho stamps on writes (Created_Time/Modified_Time are server-maintained).
    https://www.zoho.com/crm/developer/docs/api/v8/insert-records.html"""
    target = datetime(2030, 1, 15, 9, 30, tzinfo=UTC)
    now = datetime.fromisoformat(ctl.post("clock", {"set": target.isoformat()})["now"])
    assert abs(now - target) < timedelta(seconds=5)
    crm = api(emulator, token(emulator))  # minted after the jump: tokens from before it have expired
    result = crm.post("Contacts", json={"data": [{"Last_Name": "Future"}]}).json()["data"][0]
    created = datetime.fromisoformat(result["details"]["Created_Time"])
    assert abs(created - target) < timedelta(seconds=5)


def test_clock_advance(ctl):
    """advance_seconds moves the clock forward (rolling windows, token and page-token lifetimes need no waiting).
    https://www.zoho.com/crm/developer/docs/api/v8/api-limits.html"""
    before = ctl.now()
    after = datetime.fromisoformat(ctl.advance(7200))
    assert timedelta(seconds=7200) <= after - before < timedelta(seconds=7205)
    r = requests.post(f"{ctl.base}/clock", json={"set": "2030-01-01T00:00:00"}, timeout=10)
    assert r.status_code == 400  # an offset is required


def test_simulated_edits_feed_if_modified_since_and_deleted(crm, ctl):
    """Edits by the org's users (POST /__emulator/edits) stamp Modified_Time, so an If-Modified-Since listing
    finds exactly them, and their deletions appear in /deleted.
    https://www.zoho.com/crm/developer/docs/api/v8/get-records.html ·
    https://www.zoho.com/crm/developer/docs/api/v8/get-deleted-records.html"""
    ctl.advance(60)
    cursor = ctl.now()
    ctl.advance(1)
    report = ctl.post("edits", {"count": 12, "modules": ["Contacts"], "create_share": 0.25,
                                "delete_share": 0.25, "seed": 11})
    updated = set(report["updated"].get("Contacts", []))
    created = set(report["created"].get("Contacts", []))
    deleted = set(report["deleted"].get("Contacts", []))
    assert updated and created and deleted
    r = list_contacts(crm, **{"If-Modified-Since": cursor.isoformat()})
    assert r.status_code == 200
    assert {row["id"] for row in r.json()["data"]} == (updated | created) - deleted
    gone = crm.get("Contacts/deleted", params={"type": "all"})
    assert gone.status_code == 200
    assert {row["id"] for row in gone.json()["data"]} == deleted
    editors = {u.id for u in (crm.em.seed.admin, crm.em.seed.rep, crm.em.seed.pacific, crm.em.seed.berlin)}
    assert all(row["deleted_by"]["id"] in editors for row in gone.json()["data"])
    ctl.advance(1)
    later = ctl.now().isoformat()
    assert list_contacts(crm, **{"If-Modified-Since": later}).status_code == 304
