"""The demo org's working day: every minute a few meetings and calls that just ended, now and then Zoho edits.

Issue 7 asks that, with no configuration, every page is alive within a minute. The conversations
are the emulator's labelled generator's (the demo org's own users and customers, with summaries,
action items and outcomes), moved to end in the minute before ``now``, and they go in through the
normal import path: stored once by id, held when their user is unmapped, matched by the match job
and written back by the push job, exactly like a customer's files. Nothing here spends credits.

Only the embedded demo org gets this job (``DEMO_JOBS``, ``JobSpec.only_for``): a real org's conversations come
from its own recording tools, never from us.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import requests

from sync_engine.intake.imports import import_bytes
from sync_engine.jobs.specs import JobSpec
from sync_engine.runtime import Runtime

if TYPE_CHECKING:
    from demo.embedded import DemoOrg
    from zoho_emulator.model.org import OrgData

EVERY = timedelta(seconds=60)  # the job's interval: each run fills the minute since the last one
CONVERSATIONS_PER_RUN = (1, 3)  # fewest, most
EDIT_SHARE = 0.2  # runs in which a few Zoho users also edit records, so the incremental mirror finds changes
EDITS_PER_RUN = 3


@dataclass(frozen=True)
class DemoMinute:
    """What one run of the simulator did."""

    ids: tuple[str, ...]  # the conversations generated, all ending in the minute before ``now``
    added: int  # new to the store (0 when the same minute is simulated twice)
    held: int  # added, but their user has no Zoho user: held until mapped
    edits: int  # records edited in the emulator by its Zoho users

    def describe(self) -> str:
        held = f" ({self.held} held: user not mapped)" if self.held else ""
        plural = "" if self.added == 1 else "s"
        return f"{self.added} conversation{plural} just ended{held}; {self.edits} records edited in Zoho"


def demo_org(rt: Runtime) -> DemoOrg | None:
    return rt.demo


def is_demo_org(rt: Runtime, org_id: str) -> bool:
    """Whether ``org_id`` is the embedded demo org of this process (``demo.start_demo`` records it)."""
    demo = demo_org(rt)
    return demo is not None and demo.org_id == org_id


def simulate_demo_minute(rt: Runtime, org_id: str, now: datetime) -> DemoMinute:
    """Import the meetings and calls that ended in the minute before ``now``; maybe edit a few records.

    Deterministic by ``now`` (to the second): the conversations' ids carry it, so runs at different
    times never collide and simulating the same minute again adds nothing.
    """
    demo = demo_org(rt)
    if demo is None or demo.org_id != org_id:
        raise ValueError(f"org {org_id} is not the embedded demo org; the simulator only plays the demo")
    seed = int(now.timestamp())
    rng = random.Random(seed)
    records = just_ended(demo.emulator.state.data, now, rng.randint(*CONVERSATIONS_PER_RUN), seed)
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()
    summary = import_bytes(rt, org_id, data, filename="demo-simulator.jsonl")
    if summary.errors:
        raise ValueError(f"the generated conversations did not import: {summary.errors[:3]}")
    edits = _edit_records(demo.url, seed) if rng.random() < EDIT_SHARE else 0
    return DemoMinute(tuple(r["id"] for r in records), summary.added, summary.held, edits)


def just_ended(data: OrgData, now: datetime, count: int, seed: int) -> list[dict[str, Any]]:
    """``count`` generated conversations, each moved to end at a second in the minute before ``now``."""
    from demo.conversations.generator import generate_conversations

    with data.lock:  # the emulator serves (and edits) the same data meanwhile
        generated = generate_conversations(data, count, seed=seed, now=now)
    rng = random.Random(f"ends/{seed}")
    moment = now.astimezone(UTC).replace(microsecond=0)
    return [_ending_at(item.record, moment - timedelta(seconds=rng.randrange(int(EVERY.total_seconds()))))
            for item in generated]


def _ending_at(record: dict[str, Any], end: datetime) -> dict[str, Any]:
    """The record moved in time, its length kept, so that it ends at ``end``."""
    start = datetime.fromisoformat(record["start"])
    length = (datetime.fromisoformat(record["end"]) - start if record["kind"] == "meeting"
              else timedelta(seconds=int(record["duration_s"])))
    moved = {**record, "start": (end - length).isoformat()}
    if record["kind"] == "meeting":
        moved["end"] = end.isoformat()
    return moved


def _edit_records(emulator_url: str, seed: int) -> int:
    """A few edits by the org's Zoho users, through the emulator's control API (not Zoho's: no credits)."""
    response = requests.post(f"{emulator_url}/__emulator/edits", json={"count": EDITS_PER_RUN, "seed": seed},
                             timeout=10)
    response.raise_for_status()
    report = response.json()
    return sum(len(ids) for kind in ("updated", "created", "deleted") for ids in report[kind].values())


def simulate_demo(rt: Runtime, org_id: str) -> str:
    """The scheduled job: one minute of the demo, at the emulator's clock (real time unless a test moved it)."""
    demo = demo_org(rt)
    now = demo.emulator.state.clock.now() if demo is not None else datetime.now(UTC)
    return simulate_demo_minute(rt, org_id, now).describe()


# The demo's own job, added to the product's by ``start_demo`` (through ``Runtime.extra_jobs``).
DEMO_JOBS = (JobSpec("demo.simulate", 60, simulate_demo,
                     "the demo org only: import the meetings and calls that just ended",
                     first_after_s=30, only_for=is_demo_org),)
