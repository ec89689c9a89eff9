"""Plan the Zoho writes for matched conversations: pure data in, pure data out.

For each conversation, by the org's settings (:mod:`.writeback_settings`):

* **the activity** -- a meeting becomes an Event, a call a Call, owned by the matched Zoho user (the
  admin's token creates it; ``Owner`` makes it the rep's). Links follow Zoho's rules for activities
  (zoho-api.md section 7): a Contact goes in ``Who_Id``; a Deal, else an Account, else a Lead goes in
  ``What_Id`` with ``$se_module`` naming its module (a Lead is never a ``Who_Id``); an Event also lists
  the contact or lead in ``Participants``, with every other matched contact and lead of the meeting
  (never by email: Zoho would send them an invitation);
* **follow-up Tasks** -- one per action item, due a set number of (business) days later, owned by the
  rep or by the owner of the record it is about, linked like the activity;
* **the deal stage** -- the stage mapped from the conversation's outcome or activity type, if the deal
  is open, the stage is in the deal's pipeline, and (unless allowed) it moves the deal forward.

Inserts carry a *marker* in their Description: the key by which a write whose answer was lost is found
in Zoho again (see :mod:`.writeback`). A write that cannot be made as planned (no Zoho user for the
rep, a closed deal, a stage the pipeline lacks) is planned as *blocked*, with the reason, so it shows
in the dead-letter list and can be retried once the cause is fixed.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sync_engine.intake.conversations import Call, Conversation, Meeting
from sync_engine.settings.writeback_settings import WritebackSettings

ACTIVITY, TASK, STAGE = "activity", "task", "stage"
PRIORITY_RECENT, PRIORITY_FOLLOW_UP, PRIORITY_BACKFILL = 0, 1, 2
MAX_SUBJECT = 255
MAX_DESCRIPTION = 32_000
CLOSED_FORECASTS = ("Closed Won", "Closed Lost")


@dataclass(frozen=True)
class Links:
    """What the matcher found for a conversation, and whose it is."""

    owner_id: str | None  # the rep's Zoho user
    contact_id: str | None = None
    lead_id: str | None = None
    account_id: str | None = None
    deal_id: str | None = None
    status: str = "matched"
    activity_type: str | None = None
    people: tuple[tuple[str, str], ...] = ()  # every matched contact and lead: ("contact" | "lead", id)


@dataclass(frozen=True)
class DealFacts:
    stage: str | None
    pipeline: str | None
    owner_id: str | None


@dataclass(frozen=True)
class StageFacts:
    sequence: int
    forecast_type: str | None  # Open, Closed Won, Closed Lost


@dataclass(frozen=True)
class PlanContext:
    """What planning reads from the mirror: names for subjects, owners for tasks, deals and their stages."""

    org_id: str
    names: Mapping[str, str] = field(default_factory=dict)  # record id -> display name
    record_owners: Mapping[str, str] = field(default_factory=dict)  # record id -> Zoho owner id
    deals: Mapping[str, DealFacts] = field(default_factory=dict)
    stages: Mapping[tuple[str, str], StageFacts] = field(default_factory=dict)  # (pipeline, stage) -> facts


@dataclass(frozen=True)
class PlannedWrite:
    op_key: str  # "{conversation_id}/activity", ".../task/1", ".../stage"
    conversation_id: str
    module: str  # Calls | Events | Tasks | Deals
    action: str  # insert | update
    record: dict[str, Any] | None  # None when blocked
    marker: str | None
    priority: int
    blocked_code: str | None = None
    blocked_message: str | None = None


@dataclass(frozen=True)
class Plan:
    writes: tuple[PlannedWrite, ...]
    skipped: str | None = None  # why nothing is written for this conversation (by design, not an error)


def marker_for(org_id: str, op_key: str) -> str:
    """A short key unique to this org's write, stored in Zoho with the record."""
    return "cs-" + hashlib.sha256(f"{org_id}\0{op_key}".encode()).hexdigest()[:20]


def marker_line(marker: str) -> str:
    return f"[logged by conversation sync: {marker}]"


def zoho_datetime(moment: datetime) -> str:
    """Zoho's ISO 8601 with an explicit offset (a trailing Z is refused)."""
    return moment.isoformat(timespec="seconds")


def due_date(ended: date, days: int, business_days: bool) -> date:
    """``days`` after ``ended``; counting only Monday-Friday, and never landing on a weekend, if asked."""
    if not business_days:
        return ended + timedelta(days=days)
    current, left = ended, days
    while left > 0 or current.weekday() >= 5:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def _person(links: Links, ctx: PlanContext) -> str | None:
    for record_id in (links.contact_id, links.lead_id):
        if record_id and ctx.names.get(record_id):
            return ctx.names[record_id]
    return None


def _link_fields(links: Links) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if links.contact_id:
        out["Who_Id"] = {"id": links.contact_id}
    for module, record_id in (("Deals", links.deal_id), ("Accounts", links.account_id)):
        if record_id:
            out["What_Id"], out["$se_module"] = {"id": record_id}, module
            return out
    if links.lead_id and not links.contact_id:
        out["What_Id"], out["$se_module"] = {"id": links.lead_id}, "Leads"
    return out


def _description(parts: Sequence[str | None], marker: str | None) -> str:
    text = "\n\n".join(p.strip() for p in parts if p and p.strip())
    tail = marker_line(marker) if marker else ""
    room = MAX_DESCRIPTION - len(tail) - 2
    if len(text) > room:
        text = text[: room - 1] + "…"
    return (text + "\n\n" + tail).strip() if tail else text


def _call_subject(call: Call, links: Links, ctx: PlanContext, settings: WritebackSettings) -> str:
    direction = "Inbound" if call.direction == "inbound" else "Outbound"
    if not settings.set_call_subject:
        return f"{direction} call"
    what = links.activity_type or f"{direction} call"
    person = _person(links, ctx)
    account = ctx.names.get(links.account_id or "")
    subject = what + (f" with {person}" if person else "") + (f" ({account})" if account else "")
    return subject[:MAX_SUBJECT]


def _activity(conv: Conversation, links: Links, ctx: PlanContext, settings: WritebackSettings,
              op_key: str) -> dict[str, Any]:
    marker = marker_for(ctx.org_id, op_key)
    summary = conv.summary if settings.write_summary else None
    record: dict[str, Any] = {"Owner": {"id": links.owner_id}, **_link_fields(links),
                              "Description": _description([summary], marker)}
    if isinstance(conv, Meeting):
        person = _person(links, ctx)
        title = conv.title.strip() or (f"Meeting with {person}" if person else "Meeting")
        record |= {"Event_Title": title[:MAX_SUBJECT], "Start_DateTime": zoho_datetime(conv.start),
                   "End_DateTime": zoho_datetime(conv.end)}
        linked = [(kind, rid) for kind, rid in (("contact", links.contact_id), ("lead", links.lead_id)) if rid]
        participants = [{"type": kind, "participant": rid}
                        for kind, rid in dict.fromkeys([*linked, *links.people])]
        if participants:
            record["Participants"] = participants
        return record
    record |= {"Subject": _call_subject(conv, links, ctx, settings), "Call_Start_Time": zoho_datetime(conv.start)}
    if conv.direction == "inbound" and conv.duration_s == 0:
        record["Call_Type"] = "Missed"
    else:
        record["Call_Type"] = "Inbound" if conv.direction == "inbound" else "Outbound"
        minutes, seconds = divmod(conv.duration_s, 60)
        record["Call_Duration"] = f"{min(minutes, 999):02d}:{seconds:02d}"
    return record


def _tasks(conv: Conversation, links: Links, ctx: PlanContext, settings: WritebackSettings,
           priority: int) -> list[PlannedWrite]:
    rule = settings.tasks
    owner = links.owner_id
    if rule.owner == "record_owner":
        for record_id in (links.deal_id, links.contact_id, links.lead_id, links.account_id):
            if record_id and ctx.record_owners.get(record_id):
                owner = ctx.record_owners[record_id]
                break
    what = getattr(conv, "title", None) or ("call" if isinstance(conv, Call) else "meeting")
    origin = f"Follow-up from the {what} on {conv.end:%Y-%m-%d}."
    writes = []
    for i, item in enumerate(conv.action_items, start=1):
        op_key = f"{conv.id}/{TASK}/{i}"
        marker = marker_for(ctx.org_id, op_key)
        record = {"Subject": item.strip()[:MAX_SUBJECT], "Owner": {"id": owner}, **_link_fields(links),
                  "Due_Date": due_date(conv.end.date(), rule.due_in_days, rule.business_days).isoformat(),
                  "Status": "Not Started", "Priority": rule.priority,
                  "Description": _description([origin, item if len(item) > MAX_SUBJECT else None], marker)}
        writes.append(PlannedWrite(op_key, conv.id, "Tasks", "insert", record, marker, priority))
    return writes


def _stage(conv: Conversation, links: Links, ctx: PlanContext, settings: WritebackSettings,
           priority: int) -> PlannedWrite | None:
    target = settings.stage_for(getattr(conv, "outcome", None), links.activity_type)
    if not target or not links.deal_id:
        return None
    op_key = f"{conv.id}/{STAGE}"
    deal = ctx.deals.get(links.deal_id)

    def blocked(code: str, message: str) -> PlannedWrite:
        return PlannedWrite(op_key, conv.id, "Deals", "update", None, None, priority, code, message)

    if deal is None:
        return blocked("DEAL_NOT_MIRRORED", f"deal {links.deal_id} is not in the mirror (deleted in Zoho?)")
    if deal.stage == target:
        return None
    current = ctx.stages.get((deal.pipeline or "", deal.stage or ""))
    wanted = ctx.stages.get((deal.pipeline or "", target))
    name = ctx.names.get(links.deal_id, links.deal_id)
    if wanted is None:
        return blocked("STAGE_NOT_IN_PIPELINE", f"stage {target!r} is not in the pipeline {deal.pipeline!r} of "
                                                f"deal {name}; fix the stage mapping in Settings, then retry")
    if current is not None and current.forecast_type in CLOSED_FORECASTS:
        return blocked("DEAL_CLOSED", f"deal {name} is {deal.stage} ({current.forecast_type}); reopen it in Zoho, "
                                      "then retry to move it to " + target)
    if current is not None and wanted.sequence < current.sequence and not settings.allow_stage_backwards:
        return None  # never move a deal back unless the admin allows it
    return PlannedWrite(op_key, conv.id, "Deals", "update", {"id": links.deal_id, "Stage": target}, None, priority)


def plan_conversation(conv: Conversation, links: Links, ctx: PlanContext, settings: WritebackSettings,
                      now: datetime) -> Plan:
    """The writes one conversation needs (possibly none, with the reason in ``skipped``)."""
    if links.status not in settings.statuses:
        return Plan((), f"match status {links.status} is not written (Settings: statuses)")
    if isinstance(conv, Meeting) and (conv.cancelled or conv.declined_by_user):
        return Plan((), "meeting cancelled or declined")
    if isinstance(conv, Call) and conv.direction == "outbound" and conv.duration_s == 0:
        return Plan((), "outbound call not connected")
    wanted = settings.log_meetings if isinstance(conv, Meeting) else settings.log_calls
    backfill = conv.end < now - timedelta(days=settings.backfill_days)
    first = PRIORITY_BACKFILL if backfill else PRIORITY_RECENT
    later = PRIORITY_BACKFILL if backfill else PRIORITY_FOLLOW_UP
    writes: list[PlannedWrite] = []
    if links.owner_id is None:
        message = f"{conv.user_email} has no active Zoho user: map them to one on the Connection page, then retry"
        if wanted:
            op_key = f"{conv.id}/{ACTIVITY}"
            writes.append(PlannedWrite(op_key, conv.id, "Events" if isinstance(conv, Meeting) else "Calls",
                                       "insert", None, None, first, "OWNER_NOT_MAPPED", message))
        return Plan(tuple(writes), None if writes else message)
    if wanted:
        op_key = f"{conv.id}/{ACTIVITY}"
        writes.append(PlannedWrite(op_key, conv.id, "Events" if isinstance(conv, Meeting) else "Calls", "insert",
                                   _activity(conv, links, ctx, settings, op_key), marker_for(ctx.org_id, op_key),
                                   first))
    if settings.create_tasks:
        writes.extend(_tasks(conv, links, ctx, settings, later))
    if settings.update_deal_stage:
        stage = _stage(conv, links, ctx, settings, later)
        if stage is not None:
            writes.append(stage)
    return Plan(tuple(writes), None if writes else "nothing to write under the org's settings")
