"""Airbyte's Zoho CRM source on the same org and the same simulated day as our mirror (bench/credits.py).

The connector runs unmodified in its own venv (tests/clients/airbyte_source.py): each sync is one
``source-zoho-crm read`` process over the four modules our mirror copies (Leads, Contacts, Accounts, Deals).

* **Initial**: a full refresh. Airbyte 0.3.6 pages ``/crm/v2/{module}`` with ``page`` only, so Zoho stops each
  module after 2,000 records with ``DISCRETE_PAGINATION_LIMIT_EXCEEDED`` (airbytehq/airbyte#30977); the phase
  reports what it read and which streams failed.
* **Day**: an incremental sync every 300 s of emulator clock while ~2% of the records are edited (the same
  schedule and seeds as ours). A failed stream leaves no state, and as shipped the connector would then
  re-read from the start every cycle and fail again; the day is instead measured as if the initial had
  finished: each stream starts from the cursor a completed full refresh leaves (the newest ``Modified_Time``
  in the module). Its state then moves on from what it reads (``If-Modified-Since`` = cursor + 1 s).
  Airbyte's clock is the records' own ``Modified_Time``, so the emulator's simulated clock reaches it
  through the data; its access token is refreshed once per process, on the emulator's clock too.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.emulator_control import DrivesEmulator
from tests.clients.airbyte_source import AirbyteRun, AirbyteSource, stream_for
from zoho_emulator import EmulatorConfig, RunningEmulator, start_emulator

REFRESH_TOKEN = "1000.bench.airbyte"
MODULES = ("Leads", "Contacts", "Accounts", "Deals")


@dataclass
class PeerPhase:
    name: str
    credits: int
    calls: int
    records: int
    wall_s: float
    cycles: int = 1
    failed_streams: tuple[str, ...] = ()
    extrapolated_from: int | None = None


@dataclass
class AirbyteOrg(DrivesEmulator):
    emulator: RunningEmulator
    source: AirbyteSource

    @classmethod
    def start(cls, preset: str, seed: int) -> AirbyteOrg:
        emulator = start_emulator(EmulatorConfig(preset=preset, seed=seed, refresh_token=REFRESH_TOKEN))
        return cls(emulator, AirbyteSource(emulator, REFRESH_TOKEN))

    def calls(self) -> int:
        return len(self.emulator.state.calls)

    def stop(self) -> None:
        self.source.stop()
        self.emulator.stop()

    def completed_cursor(self, module: str) -> str:
        """The state a finished full refresh of ``module`` leaves: its newest Modified_Time, to the second."""
        newest = max(r["Modified_Time"] for r in self.emulator.state.data.table(module))
        return newest.replace(microsecond=0).isoformat()


def measured_peer(name: str, org: AirbyteOrg, work: Callable[[], tuple[int, int, set[str]]]) -> PeerPhase:
    """Run ``work`` (returning cycles, records read and the streams that failed) and count around it."""
    credits, calls, started = org.charged(), org.calls(), time.perf_counter()
    cycles, records, failed = work()
    phase = PeerPhase(name, org.charged() - credits, org.calls() - calls, records, time.perf_counter() - started,
                      cycles, tuple(sorted(failed)))
    print(f"{name}: {phase.credits:,} credits, {phase.calls:,} calls, {phase.records:,} records, "
          f"{phase.wall_s:.1f} s" + (f"; failed: {', '.join(phase.failed_streams)}" if failed else ""), flush=True)
    return phase


def failed_streams(run: AirbyteRun) -> set[str]:
    return {m["trace"]["stream_status"]["stream_descriptor"]["name"] for m in run.of_type("TRACE")
            if m["trace"].get("type") == "STREAM_STATUS" and m["trace"]["stream_status"]["status"] == "INCOMPLETE"}


def airbyte_initial(org: AirbyteOrg, streams: list[dict[str, Any]]) -> tuple[int, int, set[str]]:
    run = org.source.read(streams, "full_refresh")
    for error in run.errors[:2]:
        print(f"  airbyte: {error.splitlines()[0][:200]}", flush=True)
    return 1, len(run.records), failed_streams(run)


def airbyte_day(org: AirbyteOrg, streams: list[dict[str, Any]], schedule: list[dict[str, int]], cycles: int,
                simulate: Callable[[DrivesEmulator, dict[str, int], int], None]) -> tuple[int, int, set[str]]:
    state = [{"type": "STREAM", "stream": {"stream_descriptor": {"name": s["name"], "namespace": None},
                                           "stream_state": {"Modified_Time": org.completed_cursor(m)}}}
             for m, s in zip(MODULES, streams, strict=True)]
    org.clock(freeze=True)
    records, failed = 0, set()
    for cycle in range(cycles):
        org.clock(advance_seconds=300)
        simulate(org, schedule[cycle], cycle)
        run = org.source.read(streams, "incremental", state)
        records += len(run.records)
        failed |= failed_streams(run)
        newer = {s["stream"]["stream_descriptor"]["name"]: s for s in run.state()}
        state = [newer.get(s["stream"]["stream_descriptor"]["name"], s) for s in state]
    return cycles, records, failed


def run_airbyte(preset: str, seed: int, cycles: int, day_cycles: int, schedule: list[dict[str, int]],
                simulate: Callable[[DrivesEmulator, dict[str, int], int], None]) -> list[PeerPhase]:
    org = AirbyteOrg.start(preset, seed)
    try:
        discovered = org.source.discover()
        streams = [stream_for(discovered, m) for m in MODULES]
        org.control("usage/reset")  # discovery is a one-off set-up, as our connect is
        initial = measured_peer("airbyte: initial full refresh", org, lambda: airbyte_initial(org, streams))
        ran = measured_peer(f"airbyte: incremental, {cycles} cycles", org,
                            lambda: airbyte_day(org, streams, schedule, cycles, simulate))
        if cycles == day_cycles:
            return [initial, ran]
        factor = day_cycles / max(1, cycles)
        day = PeerPhase(f"airbyte: working day ({day_cycles} cycles, extrapolated from {cycles})",
                        round(ran.credits * factor), round(ran.calls * factor), round(ran.records * factor),
                        ran.wall_s * factor, day_cycles, ran.failed_streams, cycles)
        return [initial, day]
    finally:
        org.stop()


def side_by_side(ours: list[Any], peer: list[PeerPhase]) -> list[tuple[str, str]]:
    """Rows of the two columns (our mirror's phases from bench/credits.py, then Airbyte's): credits, calls,
    records read, wall time for the initial sync and the day."""
    rows = []
    for label, mine, theirs in (("initial sync", ours[0], peer[0]), ("working day", ours[1], peer[1])):
        for what, a, b in (("credits", f"{mine.credits:,}", f"{theirs.credits:,}"),
                           ("calls", f"{mine.calls:,}", f"{theirs.calls:,}"),
                           ("records read", f"{mine.records:,}", f"{theirs.records:,}"),
                           ("wall time", f"{mine.wall_s:,.0f} s", f"{theirs.wall_s:,.0f} s"
                            + (" (extrapolated)" if theirs.extrapolated_from else ""))):
            rows.append((f"{label}: {what}", f"ours {a} · Airbyte {b}"))
    rows.append(("Airbyte streams that failed", "initial: " + (", ".join(peer[0].failed_streams) or "none")
                 + "; day: " + (", ".join(peer[1].failed_streams) or "none")))
    return rows
