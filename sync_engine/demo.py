"""The embedded demo: an in-process Zoho emulator with a seeded org, so the app works with no setup."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field

from zoho_emulator import EmulatorConfig, RunningEmulator, start_emulator

from .zoho.session import ZohoSession


@dataclass
class DemoOrg:
    emulator: RunningEmulator
    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)

    def session(self) -> ZohoSession:
        return ZohoSession(self.emulator.url, self.client_id, self.client_secret, self.refresh_token)

    def stop(self) -> None:
        self.emulator.stop()


def start_demo(preset: str | None = None, seed: int = 1) -> DemoOrg:
    """Start the emulator on a free loopback port with a pre-issued admin refresh token."""
    preset = preset or os.environ.get("DEMO_PRESET", "small")
    config = EmulatorConfig(preset=preset, seed=seed, refresh_token=f"1000.{secrets.token_hex(24)}")
    emulator = start_emulator(config)
    return DemoOrg(emulator, config.client_id, config.client_secret, config.refresh_token or "")
