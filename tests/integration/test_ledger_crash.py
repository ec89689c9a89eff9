"""kill -9 while calling Zoho: the credit ledger still holds every call, the one in flight at its expected price.

A child process (the same DuckDB file, the emulator over HTTP) calls ``org`` (1 credit) again and again,
each answer 200 ms late, and is SIGKILLed while one call is inside Zoho: Zoho has charged it, the child
never hears back. The calls answered just before the kill were buffered in memory; they must not be lost
with it. The next process to open the ledger writes them, and the call in flight as *unanswered*.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from zoho_client_support import Control

from sync_engine.runtime import Runtime, open_runtime
from sync_engine.store.credits.ledger import Ledger, Unanswered, journal_directory
from sync_engine.zoho.calls import ApiCall
from zoho_emulator import RunningEmulator

ROOT = Path(__file__).resolve().parents[2]
CHILD = """
import os, sys
os.environ["SYNC_DATA_DIR"] = sys.argv[1]
from sync_engine.runtime import open_runtime
rt = open_runtime()
client = rt.client(sys.argv[2])
while True:
    client.org()
    print("answered", flush=True)
"""


def test_a_kill_loses_no_answered_call_and_counts_the_one_in_flight_at_its_price(
        rt: Runtime, org_id: str, zoho: RunningEmulator, tmp_path: Path) -> None:
    control = Control(zoho)
    ledger_before = rt.ledger.total(org_id)
    rt.close()  # one process owns the DuckDB file at a time
    charged_before = control.usage()["total_charged"]
    control.faults(latency_ms=200)
    since = datetime.now(UTC)
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path), org_id], cwd=ROOT, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE)
    try:
        assert child.stdout is not None
        for _ in range(4):  # under the ledger's 1 s flush interval: all still in memory
            assert child.stdout.readline() == "answered\n"
        time.sleep(0.08)  # the next call is inside Zoho, charged, its answer 200 ms away
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
    control.no_faults()
    time.sleep(0.3)
    charged = control.usage()["total_charged"] - charged_before

    reopened = open_runtime()
    try:
        org_calls = [s for s in reopened.ledger.by_api(org_id, since) if s.key == "org"]
        assert reopened.ledger.unanswered(org_id, since) == Unanswered(calls=1, credits=1)
        assert org_calls[0].calls == charged == 5
        assert reopened.ledger.total(org_id) - ledger_before == charged
    finally:
        reopened.close()
    assert not any(journal_directory(reopened.store).iterdir())  # replayed journals are removed


def test_a_journal_replayed_twice_adds_nothing(tmp_path: Path) -> None:
    """A kill between committing a batch and deleting its journal segment must not count it twice."""
    from sync_engine.store.credits.journal import Journal
    from sync_engine.store.db import Store

    store = Store(tmp_path / "ledger.duckdb")
    call = ApiCall("acme", datetime(2026, 1, 5, tzinfo=UTC), "GET", "org", "/crm/v8/org", None, 200, None, 1, 3.0,
                   None, None, call_id="c1")
    Ledger(store, flush_interval_s=None, journal=False)._insert([call])
    journal = Journal(journal_directory(store))
    journal.append(call)
    os.close(journal._lock_fd)  # the owner died: its lock is released, its files stay
    ledger = Ledger(store, flush_interval_s=None)
    try:
        assert ledger.recovered == 0 and ledger.total("acme") == 1
    finally:
        ledger.close()
        store.close()
