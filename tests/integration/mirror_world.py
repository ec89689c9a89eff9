"""A connected org for mirror tests: an in-process emulator over real HTTP, a runtime on a real DuckDB file.

``MirrorWorld.open(tmp_path)`` starts the emulator (small preset unless told), opens a runtime with its
data directory in ``tmp_path`` and connects the org with a refresh token, as an admin would headless.
Its helpers drive the emulator's ``/__emulator/`` controls (clock, edits, bulk page size, call log) and
run ``sync_org`` with a wait that advances the emulator clock instead of sleeping.
"""
from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

from bench.mirror_check import differences
from sync_engine import service
from sync_engine.mirror.run import ProgressCallback
from sync_engine.mirror.sync import MirrorOptions, SyncReport, sync_org
from sync_engine.runtime import Runtime, open_runtime
from sync_engine.store.mirror.tables import MirrorTables
from zoho_emulator import EmulatorConfig, RunningEmulator, start_emulator

REFRESH_TOKEN = "1000.mirror.tests"
MODULES = ("Contacts", "Leads", "Accounts", "Deals")


@dataclass
class MirrorWorld:
    emulator: RunningEmulator
    data_dir: Path
    org_id: str
    rt: Runtime | None = None
    options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def open(cls, tmp_path: Path, preset: str = "small", seed: int = 1) -> MirrorWorld:
        emulator = start_emulator(EmulatorConfig(preset=preset, seed=seed, refresh_token=REFRESH_TOKEN))
        world = cls(emulator, tmp_path, "")
        rt = world.reopen()
        connected = service.connect_with_refresh_token(
            rt, data_centre_code="LOCAL", accounts_url=emulator.url, client_id=emulator.config.client_id,
            client_secret=emulator.config.client_secret, refresh_token=REFRESH_TOKEN)
        world.org_id = connected.org.org_id
        return world

    # -- our side ----------------------------------------------------------------------------------
    def reopen(self) -> Runtime:
        """(Re)open the runtime on the same DuckDB file, as a restarted process would."""
        os.environ["SYNC_DATA_DIR"] = str(self.data_dir)
        self.rt = open_runtime()
        return self.rt

    def close_runtime(self) -> None:
        if self.rt is not None:
            self.rt.close()
            self.rt = None

    @property
    def tables(self) -> MirrorTables:
        assert self.rt is not None
        return MirrorTables(self.rt.store)

    def sync(self, now: datetime | None = None, on_progress: ProgressCallback | None = None,
             **options: Any) -> SyncReport:
        assert self.rt is not None
        chosen = MirrorOptions(wait=self.wait, **{**self.options, **options})
        return sync_org(self.rt, self.org_id, now, options=chosen, on_progress=on_progress)

    def sync_until_initial_done(self, **options: Any) -> None:
        while self.tables.org_state(self.org_id).initial_finished_at is None:
            self.sync(**options)

    def differences(self, **kwargs: Any) -> list[str]:
        return differences(self.tables, self.org_id, self.emulator.state, **kwargs)

    def ledger_total(self) -> int:
        assert self.rt is not None
        self.rt.ledger.flush()
        return self.rt.ledger.total(self.org_id)

    # -- the emulator ------------------------------------------------------------------------------
    def control(self, name: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        answer = requests.post(f"{self.emulator.url}/__emulator/{name}", json=body or {}, timeout=30)
        assert answer.status_code in (200, 201), answer.text
        return answer.json()

    def clock(self, **body: Any) -> datetime:
        return datetime.fromisoformat(self.control("clock", body)["now"])

    def wait(self, seconds: float) -> None:
        self.clock(advance_seconds=seconds)

    def edits(self, count: int, seed: int, modules: tuple[str, ...] = MODULES, **shares: float) -> dict[str, Any]:
        return self.control("edits", {"count": count, "seed": seed, "modules": list(modules), **shares})

    def calls(self, offset: int = 0) -> list[dict[str, Any]]:
        answer = requests.get(f"{self.emulator.url}/__emulator/calls", params={"offset": offset}, timeout=30)
        return answer.json()["calls"]

    def calls_by(self, offset: int = 0) -> Counter[tuple[str, str | None]]:
        """(endpoint, module) -> number of calls, from the emulator's call log."""
        return Counter((c["endpoint"], c["module"]) for c in self.calls(offset))

    def charged(self) -> int:
        return int(requests.get(f"{self.emulator.url}/__emulator/usage", timeout=30).json()["total_charged"])

    def close(self) -> None:
        self.close_runtime()
        self.emulator.stop()
