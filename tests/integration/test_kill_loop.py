"""A kill loop: ``python -m sync_engine run`` SIGKILLed again and again, then Zoho, the ledger and the tokens agree.

The emulator runs in this process with slow answers; the headless scheduler runs in a child process on
the same DuckDB file and is killed with SIGKILL -- first during the initial pull, then during pushes:
some kills at a random moment after its first call, others the instant Zoho has written a batch (before
the child can commit the answer). Every start is a new process reading the DuckDB file. Afterwards a
fresh runtime finishes the work (rows left in doubt are looked up once they are old enough), and:

* every activity and task is in Zoho exactly once;
* the credit ledger and Zoho's own count differ by no more than the calls in flight at the kills,
  which the ledger holds at their expected price as *unanswered*;
* no process start minted an access token: the one minted while connecting served them all.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from writeback_world import REFRESH_TOKEN, WritebackWorld, choose_people, utc_now
from zoho_client_support import Control

from sync_engine import service
from sync_engine.runtime import open_runtime
from sync_engine.settings.org_settings import set_writeback_settings
from sync_engine.settings.writeback_settings import WritebackSettings
from sync_engine.writeback.push import push
from zoho_emulator import EmulatorConfig, start_emulator

ROOT = Path(__file__).resolve().parents[2]
PULL_KILLS = 3
PUSH_KILLS = ("written", "random", "written", "random", "written")
MEETINGS = CALLS = 8


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[WritebackWorld]:
    """A connected org, not mirrored yet: the first processes are killed during the initial pull."""
    data_dir = tmp_path / "data"
    monkeypatch.setenv("SYNC_DATA_DIR", str(data_dir))
    em = start_emulator(EmulatorConfig(refresh_token=REFRESH_TOKEN))
    rt = open_runtime()
    org_id = service.connect_with_refresh_token(
        rt, data_centre_code="LOCAL", accounts_url=em.url, client_id=em.config.client_id,
        client_secret=em.config.client_secret, refresh_token=REFRESH_TOKEN).org.org_id
    opened = WritebackWorld(rt, em, org_id, data_dir, choose_people(em))
    yield opened
    opened.close()


def token_mints(world: WritebackWorld) -> int:
    return len(world.em.state.accounts.refresh_tokens[REFRESH_TOKEN].mints)


def written(world: WritebackWorld) -> int:
    """Records carrying a marker, read while the emulator's threads may be adding some."""
    while True:
        try:
            return sum(world.copies().values())
        except RuntimeError:  # a table grew while we read it
            continue


def run_and_kill(world: WritebackWorld, kill: str, rng: random.Random) -> str:
    """Start ``python -m sync_engine run``; SIGKILL it as ``kill`` says. Returns how it ended."""
    control = Control(world.em)
    before_calls, before_written = len(control.calls()), written(world)
    child = subprocess.Popen([sys.executable, "-m", "sync_engine", "run", "--first-run-within", "0.2"], cwd=ROOT,
                             env={**os.environ, "PYTHONPATH": str(ROOT), "SYNC_DATA_DIR": str(world.data_dir)},
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while child.poll() is None and time.monotonic() < deadline:
            if kill == "written" and written(world) > before_written:
                break  # Zoho has the records; the child waits for the answer
            if kill == "random" and len(control.calls()) > before_calls:
                time.sleep(rng.uniform(0.0, 1.5))
                break
            time.sleep(0.002)
        ended = "killed" if child.poll() is None else f"exited {child.returncode}"
        child.send_signal(signal.SIGKILL)
        _, err = child.communicate(timeout=20)
    finally:
        if child.poll() is None:
            child.kill()
    assert ended == "killed", err
    return ended


def test_a_kill_loop_leaves_zoho_the_ledger_and_the_token_store_consistent(world: WritebackWorld) -> None:
    world.rt.close()  # one process owns the DuckDB file at a time
    rng = random.Random(16)
    world.control.faults(latency_ms=120, seed=16)
    for _ in range(PULL_KILLS):
        run_and_kill(world, "random", rng)

    world.reopen()  # finish the pull here (resuming is test_mirror_kill's subject), then bring conversations in
    service.mirror_org(world.rt, world.org_id)
    set_writeback_settings(world.rt, world.org_id, WritebackSettings(create_tasks=True), by=None)
    now = utc_now()
    world.bring_in(*(world.meeting(f"m-{n}", now, action_items=[f"Send the deck {n}"]) for n in range(MEETINGS)),
                   *(world.call(f"c-{n}", now, duration_s=60 + n) for n in range(CALLS)))
    world.rt.close()

    world.control.faults(latency_ms=250, seed=17)
    for kill in PUSH_KILLS:
        run_and_kill(world, kill, rng)
    assert written(world) > 0

    world.control.no_faults()
    time.sleep(0.3)  # answers the killed children never read are logged by now
    rt = world.reopen()
    finish = now + timedelta(minutes=5)
    for _ in range(6):
        push(rt, world.org_id, finish)
        if set(world.states().values()) == {"done"}:
            break
        finish += timedelta(minutes=3)

    copies, outbox = world.copies(), world.outbox()
    assert set(world.states().values()) == {"done"}, world.states()
    assert len(outbox) == 2 * MEETINGS + CALLS  # an Event and a Task per meeting, a Call per call
    assert set(copies) == {row.marker for row in outbox.values()} and set(copies.values()) == {1}  # once each
    in_zoho = {r["id"] for m in ("Events", "Calls", "Tasks") for r in world.in_zoho(m)}
    assert {row.zoho_id for row in outbox.values()} == in_zoho

    charged = world.control.usage()["total_charged"]
    on_ledger = rt.ledger.total(world.org_id)
    unanswered = rt.ledger.unanswered(world.org_id)
    assert 0 <= on_ledger - charged <= unanswered.credits, (on_ledger, charged, unanswered)
    kills = PULL_KILLS + len(PUSH_KILLS)
    assert unanswered.calls <= kills * rt.client(world.org_id).concurrency  # at most what was in flight
    assert token_mints(world) == 1  # the connect's; every start reused it
