"""Airbyte's Zoho CRM source (``airbyte-source-zoho-crm``), run unmodified against the emulator.

The connector writes Zoho's hosts into its code (``https://zohoapis.com``, ``https://accounts.zoho.com``) and
speaks ``/crm/v2``. It reaches the emulator by configuration alone: ``HTTPS_PROXY`` names a loopback proxy
(:mod:`zoho_emulator.public_hosts`) that answers for those hosts, and the venv trusts that proxy's test
authority. Each command (``check``, ``discover``, ``read``) is a subprocess of the venv's ``source-zoho-crm``;
its Airbyte protocol messages (JSON lines) come back parsed.
"""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.clients.client_venvs import CACHE, client_venv, trust_authority
from zoho_emulator import RunningEmulator
from zoho_emulator.public_hosts import LoopbackAuthority, PublicHostsProxy, start_public_hosts_proxy


@dataclass
class AirbyteRun:
    messages: list[dict[str, Any]]
    returncode: int
    stderr: str

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m.get("type") == kind]

    @property
    def records(self) -> list[dict[str, Any]]:
        return [m["record"] for m in self.of_type("RECORD")]

    def records_by_stream(self) -> Counter[str]:
        return Counter(r["stream"] for r in self.records)

    @property
    def errors(self) -> list[str]:
        traces = [m["trace"]["error"].get("internal_message") or m["trace"]["error"]["message"]
                  for m in self.of_type("TRACE") if m["trace"].get("type") == "ERROR"]
        logs = [m["log"]["message"] for m in self.of_type("LOG") if m["log"]["level"] in ("ERROR", "FATAL")]
        return traces + logs

    def state(self) -> list[dict[str, Any]]:
        """The last state message of each stream, as the next ``read --state`` takes them."""
        last: dict[str, dict[str, Any]] = {}
        for message in self.of_type("STATE"):
            stream = message["state"]["stream"]["stream_descriptor"]["name"]
            last[stream] = {"type": "STREAM", "stream": message["state"]["stream"]}
        return list(last.values())


@dataclass
class AirbyteSource:
    """The connector, configured for one emulator (refresh token of its admin), with its proxy running."""

    emulator: RunningEmulator
    refresh_token: str
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="airbyte-")))
    proxy: PublicHostsProxy | None = None
    start_datetime: str = "2000-01-01T00:00:00+00:00"

    def __post_init__(self) -> None:
        venv = client_venv("airbyte")
        self.executable = venv / "bin" / "source-zoho-crm"
        authority = LoopbackAuthority.in_folder(CACHE / "zoho-test-ca")
        trust_authority(venv, authority.ca_file)
        self.proxy = start_public_hosts_proxy(self.emulator.url, authority)
        config = {"client_id": self.emulator.config.client_id, "client_secret": self.emulator.config.client_secret,
                  "refresh_token": self.refresh_token, "dc_region": "US", "environment": "Production",
                  "start_datetime": self.start_datetime}
        self.config_file = self._write("config.json", config)

    def stop(self) -> None:
        if self.proxy is not None:
            self.proxy.stop()

    def _write(self, name: str, body: Any) -> Path:
        path = self.workdir / name
        path.touch(mode=0o600)
        path.write_text(json.dumps(body))
        return path

    def _env(self) -> dict[str, str]:
        assert self.proxy is not None
        env = {k: v for k, v in os.environ.items() if k.upper() not in ("NO_PROXY", "HTTP_PROXY", "ALL_PROXY")}
        env.update(HTTPS_PROXY=self.proxy.url, https_proxy=self.proxy.url,
                   REQUESTS_CA_BUNDLE=str(self.proxy.authority.ca_file))
        return env

    def run(self, *args: str, timeout: float = 600) -> AirbyteRun:
        done = subprocess.run([str(self.executable), *args, "--config", str(self.config_file)],
                              capture_output=True, text=True, timeout=timeout, env=self._env())
        messages = []
        for line in done.stdout.splitlines():
            if line.startswith("{"):
                messages.append(json.loads(line))
        return AirbyteRun(messages, done.returncode, done.stderr)

    def check(self) -> AirbyteRun:
        return self.run("check")

    def discover(self) -> list[dict[str, Any]]:
        found = self.run("discover").of_type("CATALOG")
        return found[0]["catalog"]["streams"] if found else []

    def read(self, streams: list[dict[str, Any]], mode: str, state: list[dict[str, Any]] | None = None,
             timeout: float = 1800) -> AirbyteRun:
        """``read`` the given discovered streams, ``full_refresh`` or ``incremental`` (from ``state``)."""
        catalog = {"streams": [{"stream": s, "sync_mode": mode,
                                "destination_sync_mode": "overwrite" if mode == "full_refresh" else "append",
                                **({"cursor_field": s["default_cursor_field"]} if mode == "incremental" else {})}
                               for s in streams]}
        args = ["read", "--catalog", str(self._write("catalog.json", catalog))]
        if state is not None:
            args += ["--state", str(self._write("state.json", state))]
        return self.run(*args, timeout=timeout)


def stream_for(streams: list[dict[str, Any]], module: str) -> dict[str, Any]:
    """The discovered stream of a Zoho module (``incremental_contacts_zoho_crm_stream`` for Contacts)."""
    name = f"incremental_{module.lower()}_zoho_crm_stream"
    return next(s for s in streams if s["name"] == name)
