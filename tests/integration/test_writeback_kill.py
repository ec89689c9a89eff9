"""kill -9 in the middle of pushing: every planned activity and task ends up in Zoho exactly once.

The emulator runs in this process; a child process (same DuckDB file, the emulator over HTTP) pushes
the outbox in a loop and is SIGKILLed, several times: some kills at a random moment after its first
call to Zoho, others the instant the emulator has *written* a batch -- with 250 ms of latency on every
answer, that is between Zoho's answer and our commit, the window where a naive retry duplicates.
Each child sees a later ``now`` (35 s per run), so that the rows a dead process left in flight are old
enough to be reconciled. A fresh runtime then finishes the job with faults off.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from writeback_world import Template, WritebackWorld, utc_now

from sync_engine.settings.writeback_settings import WritebackSettings
from sync_engine.writeback.push import match_new, plan_new, push

ROOT = Path(__file__).resolve().parents[2]
MEETINGS = CALLS = 12
KILLS = ("written", "random", "written", "random", "written", "random")
RUN_STEP = timedelta(seconds=35)
CHILD = """
import os, sys, time
from datetime import datetime, timedelta
sys.path.insert(0, sys.argv[4])
os.environ["SYNC_DATA_DIR"] = sys.argv[1]
from sync_engine.runtime import open_runtime
from sync_engine.store.writeback.outbox import Outbox
from sync_engine.writeback.push import push
from writeback_world import install_test_client

org_id, base = sys.argv[2], datetime.fromisoformat(sys.argv[3])
rt = open_runtime()
install_test_client(rt, org_id)
started = time.monotonic()
while True:
    push(rt, org_id, base + timedelta(seconds=time.monotonic() - started))
    counts = Outbox(rt.store).counts(org_id)
    if counts["pending"] == counts["in_flight"] == 0:
        break
rt.close()
print("finished without being killed")
"""


@pytest.fixture
def world(tmp_path: Path) -> Iterator[WritebackWorld]:
    opened = WritebackWorld.open(tmp_path, Template.build(tmp_path / "template"))
    yield opened
    opened.close()


def written(world: WritebackWorld) -> int:
    return sum(world.copies().values())


def run_child(world: WritebackWorld, base: datetime, kill: str | None, rng: random.Random) -> str:
    """Push in a child process; SIGKILL it as ``kill`` says. Returns how it ended."""
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(world.data_dir), world.org_id, base.isoformat(),
                              str(Path(__file__).parent)], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        before, calls = written(world), len(world.control.calls())
        deadline = time.monotonic() + 60
        while kill is not None and child.poll() is None and time.monotonic() < deadline:
            if kill == "written" and written(world) > before:
                child.send_signal(signal.SIGKILL)  # Zoho has the records; the child waits for the answer
                break
            if kill == "random" and len(world.control.calls()) > calls:
                time.sleep(rng.uniform(0.0, 0.6))
                child.send_signal(signal.SIGKILL)
                break
            time.sleep(0.002)
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    if child.returncode == -signal.SIGKILL:
        return "killed"
    assert child.returncode == 0, out + err
    return "finished"


def test_pushes_killed_at_random_points_and_between_answer_and_commit_write_everything_exactly_once(world):
    now = utc_now()
    world.bring_in(*(world.meeting(f"m-{n}", now, action_items=[f"Follow up {n}"]) for n in range(MEETINGS)),
                   *(world.call(f"c-{n}", now, duration_s=60 + n) for n in range(CALLS)))
    match_new(world.rt, world.org_id)
    planned = plan_new(world.rt, world.org_id, WritebackSettings(create_tasks=True), now)
    assert planned == 2 * MEETINGS + CALLS  # an Event and a Task per meeting, a Call per call
    markers = {row.marker for row in world.outbox().values()}
    world.rt.close()  # one process owns the DuckDB file at a time

    world.control.faults(latency_ms=250)
    rng = random.Random(6)
    endings = [run_child(world, now + RUN_STEP * (n + 1), kill, rng) for n, kill in enumerate(KILLS)]
    assert endings.count("killed") >= 4, endings
    assert written(world) > 0

    world.control.no_faults()
    world.reopen()
    finish = now + RUN_STEP * (len(KILLS) + 1)
    for _ in range(10):
        push(world.rt, world.org_id, finish)
        if set(world.states().values()) == {"done"}:
            break
        finish += RUN_STEP

    assert set(world.states().values()) == {"done"}, world.states()
    copies = world.copies()
    assert set(copies) == markers and set(copies.values()) == {1}  # none lost, none twice
    in_zoho = {r["id"] for m in ("Events", "Calls", "Tasks") for r in world.in_zoho(m)}
    assert {row.zoho_id for row in world.outbox().values()} == in_zoho
