"""ZohoClient under failure: 429s from concurrency and exhausted credits, 5xx bursts, dropped and refused
connections — reads recover, writes are retried only when Zoho surely did not process them."""
from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from zoho_client_support import FAST_RETRY, Control, Ledger, connect, start, stop_later

from sync_engine.zoho.errors import RateLimited, ServerError, TransportError, WriteOutcomeUnknown
from sync_engine.zoho.retry import RetryPolicy
from zoho_emulator import RunningEmulator

NEW_CALL = {"Subject": "Discovery call", "Call_Type": "Outbound", "Call_Start_Time": "2025-03-03T10:00:00+00:00",
            "Call_Duration": "12:00"}


@pytest.fixture
def em() -> Iterator[RunningEmulator]:
    emulator = start()
    yield emulator
    stop_later(emulator)


def run_in_threads(count: int, work) -> list[BaseException]:
    failures: list[BaseException] = []
    gate = threading.Barrier(count)

    def run() -> None:
        gate.wait()
        try:
            work()
        except BaseException as err:  # noqa: BLE001 - returned to the test
            failures.append(err)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return failures


def test_concurrency_429s_are_retried_for_reads(em):
    ctl = Control(em)
    ledger = Ledger()
    client = connect(em, ledger, max_concurrency=60)
    client.org()
    ctl.faults(latency_ms=500)  # long enough that 40 calls overlap on a busy machine
    assert run_in_threads(40, client.org) == []
    rejected = [c for c in ledger.of("org") if c.http_status == 429]
    assert rejected and all(c.zoho_code == "TOO_MANY_REQUESTS" and c.credits == 0 for c in rejected)
    assert len([c for c in ledger.of("org") if c.http_status == 200]) == 41


def test_the_edition_cap_keeps_calls_under_zohos_limit(em):
    ctl = Control(em)
    ledger = Ledger()
    client = connect(em, ledger)
    assert client.concurrency == 4  # safe for every edition until the org is read
    assert client.adopt_edition(client.org()["license_details"]["paid_type"]) == 16
    ctl.faults(latency_ms=40)
    assert run_in_threads(30, client.org) == []
    assert 429 not in ledger.statuses("org")
    assert ctl.usage()["peak_in_flight"]["1000.EMULATORDEMOCLIENT"]["concurrency"] <= 16


def test_exhausted_credits_raise_rate_limited_after_bounded_retries(em):
    ledger = Ledger()
    client = connect(em, ledger)
    client.org()
    Control(em).post("credits/exhaust")
    with pytest.raises(RateLimited) as caught:
        client.org()
    assert caught.value.status == 429 and "credits" in caught.value.describe()
    assert ledger.statuses("org") == [200] + [429] * FAST_RETRY.max_attempts


def test_bursts_of_server_errors_are_retried_for_reads(em):
    ledger = Ledger()
    client = connect(em, ledger)
    Control(em).faults(error_rate=0.5, seed=7)
    for _ in range(10):
        assert client.org()["id"]
        assert len(list(client.iter_records("Contacts", ["Last_Name"]))) == 3
    assert 500 in ledger.statuses("org") + ledger.statuses("records.list")


def test_dropped_connections_are_retried_for_reads(em):
    ledger = Ledger()
    client = connect(em, ledger)
    Control(em).faults(drop_rate=0.4, seed=3)
    for _ in range(10):
        assert len(client.users()) == 2
    dropped = [c for c in ledger.of("users.list") if c.http_status == 0]
    # sent, no answer: whether Zoho did (and charged) the work is unknown, so it counts at its price
    assert dropped and all(c.zoho_code is None and not c.answered and c.credits == 1 for c in dropped)


def test_dropped_insert_is_not_retried_and_its_outcome_is_unknown(em):
    ctl = Control(em)
    ledger = Ledger()
    client = connect(em, ledger)
    client.org()
    ctl.faults(drop_rate=1.0)
    with pytest.raises(WriteOutcomeUnknown) as caught:
        client.insert("Calls", [NEW_CALL])
    assert isinstance(caught.value.cause, TransportError) and caught.value.cause.request_sent
    assert "cannot tell whether Zoho saved" in caught.value.describe()
    assert len(ctl.settled_calls("records.insert")) == 1
    assert ledger.statuses("records.insert") == [0]


def test_server_error_on_insert_is_not_retried(em):
    ctl = Control(em)
    client = connect(em, Ledger())
    client.org()
    ctl.faults(error_rate=1.0)
    with pytest.raises(WriteOutcomeUnknown) as caught:
        client.insert("Calls", [NEW_CALL])
    assert isinstance(caught.value.cause, ServerError) and caught.value.status == 500
    assert len(ctl.settled_calls("records.insert")) == 1


def test_rate_limited_insert_is_retried_because_zoho_did_not_process_it(em):
    ctl = Control(em)
    ledger = Ledger()
    patient = RetryPolicy(max_attempts=40, max_total_s=10, initial_wait_s=0.01, max_wait_s=0.02, jitter_s=0.01,
                          rate_limited_wait_s=0.02, max_rate_limited_wait_s=0.03)
    client = connect(em, ledger, retry=patient)
    client.org()
    ctl.post("credits/exhaust")
    results: list = []
    writer = threading.Thread(target=lambda: results.extend(client.insert("Calls", [NEW_CALL])))
    writer.start()
    while 429 not in ledger.statuses("records.insert") and writer.is_alive():
        threading.Event().wait(0.005)
    ctl.post("clock", {"advance_seconds": 86_401})  # a day later the credits are back
    writer.join()
    assert [r.ok for r in results] == [True]
    statuses = [c["status"] for c in ctl.calls("records.insert")]
    assert statuses[0] == 429 and statuses[-1] == 201 and statuses.count(201) == 1


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_refused_connection_is_retried_even_for_writes(em):
    ledger = Ledger()
    client = connect(em, ledger, api_domain=f"http://127.0.0.1:{_closed_port()}")
    with pytest.raises(TransportError) as caught:
        client.insert("Calls", [NEW_CALL])
    assert not caught.value.request_sent and not isinstance(caught.value, WriteOutcomeUnknown)
    assert ledger.statuses("records.insert") == [0] * FAST_RETRY.max_attempts
