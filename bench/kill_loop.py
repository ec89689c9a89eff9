"""The kill-loop phase of bench/writeback.py: ``python -m sync_engine run`` SIGKILLed over and over.

A small org on the emulator (in this process), connected once; then the headless scheduler is started
in a child process on the same DuckDB file and killed with SIGKILL, again and again: during the
initial pull, then -- with a few hundred conversations imported -- during pushes, with every answer
slowed by 0 to 3 s, some kills at a random moment after the child's first call and some the instant
Zoho has written a batch (before the child can commit the answer). Every start is a new process. A
fresh runtime then finishes (rows in doubt are looked up once old enough), and the phase counts:

* duplicates and lost writes, from the emulator's own records;
* the gap between our credit ledger and the emulator's count (the ledger holds calls whose answer
  never came at their expected price, so it may exceed the emulator's by at most their cost);
* access tokens minted by the restarts, per hour of the loop (each start reuses the kept token);
* what the write-ahead journal costs a call (its "sent" and "answered" records), in microseconds.
"""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from bench.emulator_control import DrivesEmulator
from demo.conversations.generator import CASES, generate_conversations
from sync_engine import service
from sync_engine.intake.imports import import_bytes
from sync_engine.runtime import open_runtime
from sync_engine.settings.org_settings import set_writeback_settings
from sync_engine.settings.writeback_settings import WritebackSettings
from sync_engine.store.credits.ledger import Ledger
from sync_engine.store.db import Store
from sync_engine.store.writeback.outbox import Outbox
from sync_engine.writeback.plan import marker_line
from sync_engine.writeback.push import push
from sync_engine.zoho.calls import ApiCall
from zoho_emulator import EmulatorConfig, RunningEmulator, start_emulator

ROOT = Path(__file__).resolve().parents[1]
REFRESH_TOKEN = "1000.bench.killloop"
MARKER_PREFIX = marker_line("")[:-1]
LATENCIES_MS = (0, 250, 1000, 3000)


@dataclass
class KillLoopResult:
    kills: int = 0
    conversations: int = 0
    writes: int = 0
    duplicates: int = 0
    lost: int = 0
    ledger_credits: int = 0
    zoho_credits: int = 0
    unanswered_calls: int = 0
    unanswered_credits: int = 0
    token_refreshes: int = 0  # minted by the restarts (the connect's excluded)
    loop_s: float = 0.0
    restart_s: list[float] = field(default_factory=list)
    journal_us_per_call: float = 0.0

    @property
    def ledger_gap(self) -> int:
        return abs(self.ledger_credits - self.zoho_credits)

    @property
    def token_refreshes_per_hour(self) -> float:
        return self.token_refreshes * 3600 / self.loop_s if self.loop_s else 0.0


class KillLoop(DrivesEmulator):
    def __init__(self, seed: int) -> None:
        self.emulator: RunningEmulator = start_emulator(EmulatorConfig(preset="small", seed=seed,
                                                                       refresh_token=REFRESH_TOKEN))
        self.data_dir = Path(tempfile.mkdtemp(prefix="bench-kill-loop-"))
        os.environ["SYNC_DATA_DIR"] = str(self.data_dir)  # the children find the same file and secret key
        rt = open_runtime()
        try:
            self.org_id = service.connect_with_refresh_token(
                rt, data_centre_code="LOCAL", accounts_url=self.emulator.url,
                client_id=self.emulator.config.client_id, client_secret=self.emulator.config.client_secret,
                refresh_token=REFRESH_TOKEN).org.org_id
        finally:
            rt.close()

    def mints(self) -> int:
        return len(self.emulator.state.accounts.refresh_tokens[REFRESH_TOKEN].mints)

    def written(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for module in ("Events", "Calls", "Tasks"):
            for record in list(self.emulator.state.data.tables[module].rows.values()):
                text = record.get("Description") or ""
                if MARKER_PREFIX in text:
                    marker = text[text.index(MARKER_PREFIX) + len(MARKER_PREFIX):].split("]")[0]
                    found[marker] = found.get(marker, 0) + 1
        return found

    def calls(self) -> int:
        return int(requests.get(f"{self.emulator.url}/__emulator/usage", timeout=60).json()["calls"])

    def run_and_kill(self, kill: str, rng: random.Random) -> float:
        """One start of ``python -m sync_engine run``, SIGKILLed; returns seconds from start to its first call."""
        before_calls, before_written = self.calls(), sum(self.written().values())
        started = time.monotonic()
        child = subprocess.Popen([sys.executable, "-m", "sync_engine", "run", "--first-run-within", "0.2"], cwd=ROOT,
                                 env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        first_call = None
        try:
            deadline = started + 30
            while child.poll() is None and time.monotonic() < deadline:
                if first_call is None and self.calls() > before_calls:
                    first_call = time.monotonic() - started
                if kill == "written" and sum(self.written().values()) > before_written:
                    break
                if kill == "random" and first_call is not None:
                    time.sleep(rng.uniform(0.0, 2.0))
                    break
                time.sleep(0.005)
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
        return first_call if first_call is not None else float("nan")


def conversations(loop: KillLoop, count: int, seed: int, now: datetime) -> bytes:
    """Meetings and calls of the org's users that ended in the last two hours (JSON Lines)."""
    rng = random.Random(seed)
    data = loop.emulator.state.data
    lines = []
    for item in generate_conversations(data, count, seed=seed, now=now, cases=CASES):
        rec = dict(item.record)
        end = (now - timedelta(seconds=rng.uniform(300, 7200))).replace(microsecond=0)
        if rec["kind"] == "meeting":
            length = datetime.fromisoformat(rec["end"]) - datetime.fromisoformat(rec["start"])
            rec["start"], rec["end"] = (end - length).isoformat(), end.isoformat()
        else:
            rec["start"] = (end - timedelta(seconds=int(rec.get("duration_s") or 0))).isoformat()
        lines.append(json.dumps(rec))
    return ("\n".join(lines) + "\n").encode()


def journal_overhead_us(calls: int = 20_000) -> float:
    """Microseconds the write-ahead journal adds to one call (its sent and answered records)."""
    def timed(journal: bool) -> float:
        with Store(Path(tempfile.mkdtemp(prefix="bench-journal-")) / "ledger.duckdb") as store:
            ledger = Ledger(store, batch_size=10 * calls, flush_interval_s=None, journal=journal)
            at = datetime.now(UTC)
            started = time.perf_counter()
            for n in range(calls):
                call = ApiCall("bench", at, "POST", "records.insert", "/crm/v8/Calls", "Calls", 0, None, 1, 0.0,
                               "push", None, call_id=f"c{n}", settled=False, answered=False)
                ledger.record(call)
                ledger.record(ApiCall(**{**vars(call), "http_status": 201, "settled": True, "answered": True}))
            spent = time.perf_counter() - started
            ledger.close()
            return spent
    return (timed(True) - timed(False)) / calls * 1e6


def run_kill_loop(seed: int = 16, pull_kills: int = 4, push_kills: int = 16, count: int = 300) -> KillLoopResult:
    result = KillLoopResult()
    loop = KillLoop(seed)
    rng = random.Random(seed)
    mints_at_start = loop.mints()
    started = time.monotonic()
    try:
        loop.control("faults", {"latency_ms": 250, "seed": seed})
        for _ in range(pull_kills):
            result.restart_s.append(loop.run_and_kill("random", rng))
        rt = open_runtime()
        try:
            service.mirror_org(rt, loop.org_id)
            set_writeback_settings(rt, loop.org_id, WritebackSettings(create_tasks=True), by=None)
            now = datetime.now(UTC).replace(microsecond=0)
            summary = import_bytes(rt, loop.org_id, conversations(loop, count, seed, now), filename="day.jsonl")
            result.conversations = summary.valid
        finally:
            rt.close()
        for n in range(push_kills):
            loop.control("faults", {"latency_ms": rng.choice(LATENCIES_MS)})
            result.restart_s.append(loop.run_and_kill("written" if n % 2 == 0 else "random", rng))
        result.kills = pull_kills + push_kills
        result.loop_s = time.monotonic() - started
        result.token_refreshes = loop.mints() - mints_at_start
        loop.control("faults", {"latency_ms": 0})
        time.sleep(3.5)  # answers the killed children never read are logged by now
        rt = open_runtime()
        try:
            finish = now + timedelta(minutes=5)
            outbox = Outbox(rt.store)
            for _ in range(20):
                push(rt, loop.org_id, finish)
                counts = outbox.counts(loop.org_id)
                if counts["pending"] == counts["in_flight"] == 0:
                    break
                finish += timedelta(minutes=3)
            rows = outbox.rows(loop.org_id)
            written = loop.written()
            result.writes = sum(1 for r in rows if r.marker)
            result.duplicates = sum(n - 1 for n in written.values() if n > 1)
            result.lost = sum(1 for r in rows if r.marker and r.state != "dead" and r.marker not in written)
            result.ledger_credits = rt.ledger.total(loop.org_id)
            unanswered = rt.ledger.unanswered(loop.org_id)
            result.unanswered_calls, result.unanswered_credits = unanswered.calls, unanswered.credits
        finally:
            rt.close()
        result.zoho_credits = loop.charged()
    finally:
        loop.emulator.stop()
    result.journal_us_per_call = journal_overhead_us()
    return result
