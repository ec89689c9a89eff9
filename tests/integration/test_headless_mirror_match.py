"""The headless loop from a fresh data dir: connect, mirror --wait, status, match -- the CLI in its own process,
the emulator over loopback HTTP, a real DuckDB file."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from zoho_emulator import EmulatorConfig, RunningEmulator, start_emulator

REFRESH_TOKEN = "1000.headless.tests"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    running = start_emulator(EmulatorConfig(preset="small", seed=1, refresh_token=REFRESH_TOKEN))
    yield running
    running.stop()


def cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SYNC_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", "sync_engine", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def test_mirror_wait_then_match_from_a_fresh_data_dir(emulator: RunningEmulator, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    refused = cli(data_dir, "match", "--in", "missing.jsonl")
    assert refused.returncode != 0 and "no org is connected" in refused.stderr
    connected = cli(data_dir, "connect", "--accounts-url", emulator.url, "--client-id", emulator.config.client_id,
                    "--client-secret", emulator.config.client_secret, "--refresh-token", REFRESH_TOKEN)
    assert connected.returncode == 0, connected.stderr

    conversations = tmp_path / "conversations.jsonl"
    contact = next(r for r in emulator.state.data.table("Contacts") if r.get("Email"))
    conversations.write_text("\n".join(json.dumps(line) for line in [
        {"kind": "meeting", "id": "m1", "title": "Review", "start": "2025-06-02T15:00:00Z",
         "end": "2025-06-02T16:00:00Z", "user_email": emulator.state.data.admin.email,
         "attendees": [f"{contact.get('Full_Name') or 'Someone'} <{contact['Email'].strip()}>", "not an address"]},
    ]) + "\n")
    early = cli(data_dir, "match", "--in", str(conversations))
    assert early.returncode != 0 and "mirror --org" in early.stderr and "--wait" in early.stderr

    mirrored = cli(data_dir, "mirror", "--wait")
    assert mirrored.returncode == 0, mirrored.stderr
    assert "initial: 100%" in mirrored.stdout and "mirror current" in mirrored.stdout
    status = cli(data_dir, "status")
    assert status.returncode == 0, status.stderr
    for module in ("Contacts", "Leads", "Accounts", "Deals"):
        line = next(x for x in status.stdout.splitlines() if x.strip().startswith(module))
        assert line.rstrip().endswith("done")
    again = cli(data_dir, "mirror", "--wait")  # once there is a mirror: every poll, now
    assert again.returncode == 0 and "changes:Contacts" in again.stdout, again.stderr

    matched = cli(data_dir, "match", "--in", str(conversations))
    assert matched.returncode == 0, matched.stderr
    assert "line 1, attendees: item 2: 'not an address' is not a readable email address" in matched.stderr
    result = json.loads(matched.stdout.splitlines()[0])
    assert result["status"] == "matched" and result["contact_id"] == contact["id"]
