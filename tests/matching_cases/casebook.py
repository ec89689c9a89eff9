"""The hand-written matching cases: load the declarative tables, run each case as a customer's file would run.

Each ``*.yaml`` file here is one org (``world``: its country and number, Zoho users, accounts, contacts,
leads, deals, as Zoho-shaped records) and its ``cases``: one conversation each, written in the case's
format (JSON Lines by default, ``csv`` for a dialer log, ``ics`` for a calendar), and the expected
contact or lead, account, deal, owner and status. The cases were written from the matching rules
(``sync_engine/matching.py``'s docstring, docs/matching-rules.md), not from the conversation generator.

A case's conversation is rendered to the text of its format and read back through ingestion, and the
index is built by ``index_from_records``, which derives match keys exactly as the mirror does; then
the matcher runs on the whole file (the case's call plus any ``context`` calls, as one import would).
"""
from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from sync_engine.intake.conversations import parse_text
from sync_engine.matching.index import MatchIndex, ZohoUserRef, index_from_records
from sync_engine.matching.matcher import MatchResult, MatchRules, match_all

HERE = Path(__file__).resolve().parent
WHEN = datetime(2025, 6, 2, 15, 0, tzinfo=UTC)
LINKS = ("person", "account", "deal", "owner")


@dataclass(frozen=True)
class Case:
    id: str
    world: str
    why: str
    format: str
    conversation: dict[str, Any]
    kind: str  # "meeting" | "call"
    context: tuple[dict[str, Any], ...]
    expect: dict[str, str | None]


@dataclass
class World:
    name: str
    spec: dict[str, Any]
    index: MatchIndex
    rep: str  # the default recording user: the first Zoho user


@dataclass
class Outcome:
    case: Case
    got: dict[str, str | None]
    reasons: tuple[str, ...]
    warnings: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.got == {k: self.case.expect.get(k) for k in (*LINKS, "status")}


def _index(spec: dict[str, Any]) -> MatchIndex:
    org = spec.get("org", {})
    users = [(u["email"], ZohoUserRef(u["id"], u.get("name", ""), u.get("active", True))) for u in spec["users"]]
    own = [(u[kind], f"Zoho user {u.get('name')}'s {kind}") for u in spec["users"] for kind in ("phone", "mobile")
           if u.get(kind)]
    if org.get("phone"):
        own.append((org["phone"], "the org's own number"))
    return index_from_records(contacts=spec.get("contacts", []), leads=spec.get("leads", []),
                              accounts=spec.get("accounts", []), deals=spec.get("deals", []), users=users,
                              region=org.get("country"), own_numbers=own)


def load() -> tuple[dict[str, World], list[Case]]:
    worlds: dict[str, World] = {}
    cases: list[Case] = []
    for path in sorted(HERE.glob("*.yaml")):
        book = yaml.safe_load(path.read_text(encoding="utf-8"))
        spec = book["world"]
        worlds[path.stem] = World(path.stem, spec, _index(spec), spec["users"][0]["email"])
        for item in book["cases"]:
            kind = "meeting" if "meeting" in item else "call"
            cases.append(Case(str(item["id"]), path.stem, item.get("why", ""), item.get("format", "jsonl"),
                              item[kind], kind, tuple(item.get("context", ())), item["expect"]))
    return worlds, cases


# -- rendering a case as the file a customer would import ---------------------------------------------
def _call_json(call: dict[str, Any], rep: str, number: int) -> dict[str, Any]:
    return {"kind": "call", "id": f"call-{number}", "direction": "outbound" if call["dir"] == "out" else "inbound",
            "from": call.get("from"), "to": call.get("to"), "start": (WHEN - timedelta(minutes=number)).isoformat(),
            "duration_s": 300, "user_email": call.get("user", rep)}


def _meeting_json(meeting: dict[str, Any], rep: str) -> dict[str, Any]:
    return {"kind": "meeting", "id": "meeting-0", "title": meeting.get("title", "Catch-up"),
            "start": WHEN.isoformat(), "end": (WHEN + timedelta(hours=1)).isoformat(),
            "organizer": meeting.get("organizer", rep), "attendees": meeting.get("attendees", []),
            "user_email": meeting.get("user", rep)}


def _ics_address(name: str, value: Any) -> str:
    if isinstance(value, str):
        value = {"value": value if ":" in value else f"mailto:{value}"}
    params = "".join(f';{key.upper()}="{value[key]}"' for key in ("cn", "email") if value.get(key))
    return f"{name}{params}:{value['value']}"


def _ics(meeting: dict[str, Any], rep: str) -> str:
    stamp = "%Y%m%dT%H%M%SZ"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//matching cases//EN", "BEGIN:VEVENT", "UID:meeting-0",
             f"DTSTART:{WHEN.strftime(stamp)}", f"DTEND:{(WHEN + timedelta(hours=1)).strftime(stamp)}",
             f"SUMMARY:{meeting.get('title', 'Catch-up')}",
             _ics_address("ORGANIZER", meeting.get("organizer", rep))]
    lines += [_ics_address("ATTENDEE", a) for a in meeting.get("attendees", [])]
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(lines) + "\r\n"


def _csv(calls: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "direction", "from", "to", "start", "duration_s", "user_email"])
    for call in calls:
        writer.writerow([call["id"], call["direction"], call["from"] or "", call["to"] or "", call["start"],
                         call["duration_s"], call["user_email"]])
    return out.getvalue()


def render(case: Case, rep: str) -> tuple[str, str, str]:
    """(file text, file name, id of the case's own conversation in it)."""
    if case.kind == "meeting":
        if case.format == "ics":
            return _ics(case.conversation, rep), "calendar.ics", "meeting-0"
        return json.dumps(_meeting_json(case.conversation, rep)) + "\n", "conversations.jsonl", "meeting-0"
    calls = [_call_json(case.conversation, rep, 0)] + [_call_json(c, rep, n) for n, c in enumerate(case.context, 1)]
    if case.format == "csv":
        return _csv(calls), "calls.csv", "call-0"
    return "".join(json.dumps(c) + "\n" for c in calls), "conversations.jsonl", "call-0"


def run_case(case: Case, world: World, rules: MatchRules | None = None) -> Outcome:
    text, filename, own_id = render(case, world.rep)
    user = world.rep if case.format == "ics" else None
    parsed = parse_text(text, filename=filename, user_email=user, default_region=world.spec["org"]["country"],
                        now=WHEN)
    if parsed.errors:
        raise AssertionError(f"{case.id}: ingestion refused the case: {[str(e) for e in parsed.errors]}")
    results = {r.conversation_id: r for r in match_all(parsed.conversations, world.index, rules)}
    result: MatchResult = results[own_id]
    got = {"person": result.contact_id or result.lead_id, "account": result.account_id, "deal": result.deal_id,
           "owner": result.owner_id, "status": result.status}
    return Outcome(case, got, result.reasons, [str(w) for w in parsed.warnings])


def run_all() -> list[Outcome]:
    worlds, cases = load()
    return [run_case(case, worlds[case.world]) for case in cases]


@dataclass
class Score:
    predicted: int = 0
    expected: int = 0
    correct: int = 0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 1.0


def score(outcomes: list[Outcome]) -> tuple[dict[str, Score], float]:
    """Precision and recall per link (a link is right when it names the expected record), and status accuracy."""
    scores = {name: Score() for name in LINKS}
    statuses = 0
    for outcome in outcomes:
        for name, s in scores.items():
            got, want = outcome.got[name], outcome.case.expect.get(name)
            s.predicted += got is not None
            s.expected += want is not None
            s.correct += got is not None and got == want
        statuses += outcome.got["status"] == outcome.case.expect.get("status")
    return scores, statuses / len(outcomes) if outcomes else 1.0


def coverage(cases: list[Case]) -> Counter[str]:
    """How many cases per world, status and format: the suite checks every status and country is covered."""
    counts: Counter[str] = Counter()
    for case in cases:
        counts[f"world:{case.world}"] += 1
        counts[f"status:{case.expect.get('status')}"] += 1
        counts[f"format:{case.format}"] += 1
    return counts


def failures(outcomes: list[Outcome]) -> Iterator[str]:
    for o in outcomes:
        if not o.passed:
            yield f"{o.case.id} ({o.case.why}): expected {o.case.expect}, got {o.got}; reasons {list(o.reasons)}"
