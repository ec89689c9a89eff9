"""kill -9 during the initial sync: the next process resumes from the DuckDB file without re-reading.

The sync runs in a child process (same DuckDB file, same emulator over HTTP) that SIGKILLs itself from
its progress callback -- right after a commit, half-way through the Bulk Read file of Contacts, when
Leads, Accounts and Deals are already done. No ``finally``, no flush, no clean close: what survives is
what DuckDB committed. The parent then reopens the file and finishes.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from mirror_world import MirrorWorld

ROOT = Path(__file__).resolve().parents[2]
OPTIONS = {"bulk_threshold": 1_000, "bulk_batch_rows": 500}  # the same as the child's
CHILD = """
import os, signal, sys
import requests
os.environ["SYNC_DATA_DIR"] = sys.argv[1]
from sync_engine.mirror.sync import MirrorOptions, sync_org
from sync_engine.runtime import open_runtime

url, org_id = sys.argv[2], sys.argv[3]
rt = open_runtime()

def wait(seconds):
    requests.post(url + "/__emulator/clock", json={"advance_seconds": seconds}, timeout=10)

def die_half_way(progress):
    contacts = next(m for m in progress.modules if m.module == "Contacts")
    if contacts.done >= 1000:
        os.kill(os.getpid(), signal.SIGKILL)

sync_org(rt, org_id, options=MirrorOptions(bulk_threshold=1000, bulk_batch_rows=500, wait=wait),
         on_progress=die_half_way)
print("finished without being killed")
"""


@pytest.fixture
def world(tmp_path: Path) -> Iterator[MirrorWorld]:
    opened = MirrorWorld.open(tmp_path)
    opened.options = dict(OPTIONS)
    yield opened
    opened.close()


def test_a_process_killed_mid_sync_resumes_without_rereading_finished_work(world):
    world.close_runtime()  # one process owns a DuckDB file at a time
    child = subprocess.run([sys.executable, "-c", CHILD, str(world.data_dir), world.emulator.url, world.org_id],
                           cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                           capture_output=True, text=True, timeout=120)
    assert child.returncode == -signal.SIGKILL, child.stdout + child.stderr
    before = world.calls_by()

    world.reopen()
    states = world.tables.module_states(world.org_id)
    assert [m for m, s in states.items() if s.finished] == ["Leads", "Accounts", "Deals"]
    contacts = states["Contacts"]
    assert contacts.bulk_job_id and contacts.bulk_rows_done == 1_000 == contacts.records_done
    assert world.tables.count(world.org_id, "Contacts") == 1_000

    mark = len(world.calls())
    world.sync()
    after = world.calls_by(mark)
    assert after[("bulk.create", "Contacts")] == 0 and before[("bulk.create", "Contacts")] == 1
    assert after[("bulk.download", "Contacts")] == 1
    assert all(after[(endpoint, module)] == 0 for module in ("Leads", "Accounts", "Deals")
               for endpoint in ("coql", "settings.fields"))
    assert world.differences() == []
