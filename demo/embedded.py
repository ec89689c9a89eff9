"""The embedded demo: an in-process Zoho emulator with a seeded org, connected, so the app works with no setup.

The demo org is connected the headless way (a pre-issued refresh token), through the same
onboarding checks as any org. Its "platform users" (the people whose conversations we record) are
its active Zoho users, less one and plus one outsider. The one left off the list still records
conversations, so the mapping finds her by email; the outsider has no Zoho user, so his few
conversations are held -- shown on the Connection page, never written to Zoho until he is mapped.
"""
from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field

import requests

from demo.simulator import DEMO_JOBS
from sync_engine.intake.imports import import_bytes
from sync_engine.records.users import OurUser
from sync_engine.runtime import Runtime
from sync_engine.service import connect_with_refresh_token, set_our_users
from sync_engine.service.access import ensure_demo_accounts
from zoho_emulator import EmulatorConfig, RunningEmulator, start_emulator

DEMO_OUTSIDER = OurUser("new.hire@demo-platform.example", "New Hire (not in Zoho yet)")
HELD_FOR_OUTSIDER = 3


@dataclass
class DemoOrg:
    emulator: RunningEmulator
    client_id: str
    client_secret: str = field(repr=False)
    org_id: str = ""

    @property
    def url(self) -> str:
        return self.emulator.url

    def allow_redirects_to(self, *uris: str) -> None:
        """Register the app's own URL(s) as redirect URIs of the demo client (as one would in Zoho's console)."""
        response = requests.post(f"{self.url}/__emulator/clients", timeout=10, json={
            "client_id": self.client_id, "client_secret": self.client_secret,
            "redirect_uris": sorted(set(uris) | set(self.emulator.config.redirect_uris))})
        response.raise_for_status()

    def stop(self) -> None:
        self.emulator.stop()


def start_demo(rt: Runtime, preset: str | None = None, seed: int = 1) -> DemoOrg:
    """Start the emulator on a free loopback port and connect its org like an admin would."""
    preset = preset or os.environ.get("DEMO_PRESET", "small")
    refresh_token = f"1000.{secrets.token_hex(24)}"
    config = EmulatorConfig(preset=preset, seed=seed, refresh_token=refresh_token)
    demo = DemoOrg(start_emulator(config), config.client_id, config.client_secret)
    rt.demo = demo
    rt.extra_jobs = DEMO_JOBS  # its working day: conversations keep arriving
    connected = connect_with_refresh_token(rt, data_centre_code="LOCAL", accounts_url=demo.url,
                                           client_id=config.client_id, client_secret=config.client_secret,
                                           refresh_token=refresh_token)
    demo.org_id = connected.org.org_id
    ensure_demo_accounts(rt, demo.org_id)  # sign-in: the CSM, and the demo org's admin and manager (README)
    zoho_users = rt.users.zoho_users(demo.org_id)
    ours = [OurUser(u.email, u.full_name) for u in zoho_users if u.status == "active"][1:]
    set_our_users(rt, demo.org_id, [*ours, DEMO_OUTSIDER])
    _record_some_conversations(rt, demo)
    return demo


def _record_some_conversations(rt: Runtime, demo: DemoOrg, count: int = 150) -> None:
    """The demo platform's recent meetings and calls, so the Conversations page has something to match."""
    from demo.conversations.generator import generate_conversations

    state = demo.emulator.state
    generated = generate_conversations(state.data, count, seed=7, now=state.clock.now())
    lines = [c.line() for c in generated]
    for item in generated[:HELD_FOR_OUTSIDER]:  # the same meetings and calls, recorded by the outsider
        lines.append(json.dumps({**item.record, "id": f"{item.record['id']}-outsider",
                                 "user_email": DEMO_OUTSIDER.email}, ensure_ascii=False))
    import_bytes(rt, demo.org_id, ("\n".join(lines) + "\n").encode(), filename="demo.jsonl")
