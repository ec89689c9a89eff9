"""Calls, Events (Meetings) and Tasks of the demo org, and Last_Activity_Time on their targets.

Linking follows Zoho's rules (shared/zoho-api.md §7): ``Who_Id`` only ever holds a Contact; a Lead,
Account or Deal goes in ``What_Id`` with ``"$se_module"`` beside it. Most activities are in the
past (logged calls, held meetings, done tasks); a few are upcoming, as in any live CRM.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from zoho_emulator.model.schema import CALL_PURPOSE, CALL_RESULT, TASK_PRIORITY
from zoho_emulator.seed.context import GenContext, Times
from zoho_emulator.seed.words import PRODUCTS, VENUES

_TASK_SUBJECTS = ("Send proposal", "Follow up on quote", "Prepare contract", "Send case studies",
                  "Update billing details", "Book onsite visit", "Check renewal date")
_OPEN_TASK_STATUS = ("Not Started", "In Progress", "Waiting for input", "Deferred")


def _pick(rng: Any, seq: Any) -> Any:
    return seq[int(rng.random() * len(seq))]


class _Targets:
    """Chooses what an activity is about and links it the way Zoho does."""

    def __init__(self, ctx: GenContext) -> None:
        self.ctx = ctx
        data = ctx.data
        self.contacts = data.table("Contacts").rows
        self.leads = data.table("Leads").rows
        self.deals = data.table("Deals").rows
        self.accounts = data.table("Accounts").rows
        self.deals_of: dict[str, list[str]] = {}
        for deal in self.deals.values():
            self.deals_of.setdefault(deal["Account_Name"], []).append(deal["id"])

    def pick(self) -> tuple[str | None, str | None, str | None, dict[str, Any]]:
        """(Who_Id, What_Id, $se_module, the record whose owner/name the activity takes)."""
        ctx, rng = self.ctx, self.ctx.rng
        r = rng.random()
        if r < 0.45 and ctx.contact_ids:
            contact = self.contacts[_pick(rng, ctx.contact_ids)]
            acc = ctx.contact_account.get(contact["id"])
            if acc is None or rng.random() < 0.3:
                return contact["id"], None, None, contact
            deals = self.deals_of.get(acc.id)
            if deals and rng.random() < 0.4:
                return contact["id"], _pick(rng, deals), "Deals", contact
            return contact["id"], acc.id, "Accounts", contact
        if r < 0.65 and ctx.lead_ids:
            lead = self.leads[_pick(rng, ctx.lead_ids)]
            return None, lead["id"], "Leads", lead
        if r < 0.85 and ctx.deal_ids:
            deal = self.deals[_pick(rng, ctx.deal_ids)]
            who = deal.get("Contact_Name") if rng.random() < 0.7 else None
            return who, deal["id"], "Deals", deal
        if ctx.accounts:
            acc = _pick(rng, ctx.accounts)
            who = _pick(rng, acc.contacts) if acc.contacts and rng.random() < 0.5 else None
            return who, acc.id, "Accounts", self.accounts[acc.id]
        contact = self.contacts[_pick(rng, ctx.contact_ids)]
        return contact["id"], None, None, contact


def _name(rec: dict[str, Any]) -> str:
    return rec.get("Full_Name") or rec.get("Deal_Name") or rec.get("Account_Name") or ""


def _plan(ctx: GenContext, n: int, future_share: float) -> tuple[list[datetime], Times]:
    """Activity times (past, a few upcoming) and their audit times, in creation order."""
    rng = ctx.rng
    span = (ctx.now - ctx.start).total_seconds()
    plans: list[tuple[datetime, datetime, datetime]] = []
    for _ in range(n):
        if rng.random() < future_share:
            when = ctx.now + timedelta(seconds=int(rng.random() * 45 * 86400) + 3600)
            created = ctx.now - timedelta(seconds=int(rng.random() * 20 * 86400) + 60)
        else:
            when = ctx.start + timedelta(seconds=int(span * rng.random() ** 0.5))
            created = min(ctx.now, when + timedelta(seconds=int(rng.random() * 7200) + 60))
        left = (ctx.now - created).total_seconds()
        modified = created if rng.random() < 0.6 else \
            created + timedelta(seconds=int(left * rng.random() ** 2))
        plans.append((created, modified, when))
    plans.sort(key=lambda p: p[0])
    times = Times([p[0] for p in plans], [p[1] for p in plans], bytearray(n), bytearray(n))
    return [p[2] for p in plans], times


def _link(rec: dict[str, Any], who: str | None, what: str | None, module: str | None) -> None:
    if who:
        rec["Who_Id"] = who
    if what:
        rec["What_Id"] = what
        rec["$se_module"] = module


def make_activities(ctx: GenContext, calls: int, events: int, tasks: int) -> None:
    rng, data = ctx.rng, ctx.data
    targets = _Targets(ctx)
    last: dict[str, datetime] = {}

    def touched(when: datetime, *ids: str | None) -> None:
        if when <= ctx.now:
            for i in ids:
                if i and (i not in last or last[i] < when):
                    last[i] = when

    rows = data.table("Calls").rows
    whens, times = _plan(ctx, calls, 0.05)
    for i, when in enumerate(whens):
        who, what, module, target = targets.pick()
        rec = ctx.audit({}, times, i, target["Owner"])
        _link(rec, who, what, module)
        phone = target.get("Phone") or target.get("Mobile")
        purpose = _pick(rng, CALL_PURPOSE)
        rec["Subject"] = f"{purpose} call: {_name(target)}"
        rec["Call_Start_Time"] = when
        if when > ctx.now:
            rec["Call_Type"] = "Outbound"
            rec["Outgoing_Call_Status"] = "Scheduled"
            rec["Call_Agenda"] = f"Discuss {_pick(rng, PRODUCTS)}"
        else:
            r = rng.random()
            kind = "Outbound" if r < 0.6 else "Inbound" if r < 0.9 else "Missed"
            seconds = 0 if kind == "Missed" else int(rng.lognormvariate(5.5, 0.8))
            rec["Call_Type"] = kind
            rec["Call_Duration"] = f"{seconds // 60:02d}:{seconds % 60:02d}"
            rec["Call_Duration_in_seconds"] = seconds
            if kind == "Outbound":
                rec["Outgoing_Call_Status"] = "Completed"
                if rng.random() < 0.6:
                    rec["Call_Result"] = _pick(rng, CALL_RESULT)
        if phone:
            rec["Dialled_Number" if rec["Call_Type"] == "Outbound" else "Caller_ID"] = phone
        if rng.random() < 0.7:
            rec["Call_Purpose"] = purpose
        rec["CTI_Entry"] = False
        rows[rec["id"]] = rec
        touched(when, who, what)

    rows = data.table("Events").rows
    whens, times = _plan(ctx, events, 0.08)
    for i, when in enumerate(whens):
        who, what, module, target = targets.pick()
        rec = ctx.audit({}, times, i, target["Owner"])
        _link(rec, who, what, module)
        start = when.replace(minute=when.minute // 15 * 15, second=0)
        all_day = rng.random() < 0.05
        if all_day:
            start = start.replace(hour=0, minute=0)
        end = start + (timedelta(hours=23, minutes=59) if all_day else
                       timedelta(minutes=_pick(rng, (30, 30, 45, 60, 60, 90))))
        title = _pick(rng, ("Meeting with {}", "Demo for {}", "{} – quarterly review", "Lunch: {}"))
        rec["Event_Title"] = title.format(_name(target))
        rec["Start_DateTime"] = start
        rec["End_DateTime"] = end
        rec["All_day"] = all_day
        if rng.random() < 0.7:
            rec["Venue"] = _pick(rng, VENUES)
        rec["Participants"] = _participants(ctx, targets, who, module, target)
        rec["Remind_Participants"] = rng.random() < 0.3
        rows[rec["id"]] = rec
        touched(start, who, what)

    rows = data.table("Tasks").rows
    whens, times = _plan(ctx, tasks, 0.15)
    for i, when in enumerate(whens):
        who, what, module, target = targets.pick()
        rec = ctx.audit({}, times, i, target["Owner"])
        _link(rec, who, what, module)
        rec["Subject"] = f"{_pick(rng, _TASK_SUBJECTS)} – {_name(target)}"
        rec["Due_Date"] = when.date()
        rec["Priority"] = _pick(rng, TASK_PRIORITY)
        if when <= ctx.now and rng.random() < 0.75:
            rec["Status"] = "Completed"
            rec["Closed_Time"] = max(rec["Created_Time"], min(ctx.now, when))
        else:
            rec["Status"] = _pick(rng, _OPEN_TASK_STATUS)
        rec["Send_Notification_Email"] = rng.random() < 0.1
        rows[rec["id"]] = rec
        touched(min(when, rec["Modified_Time"]), who, what)

    for module in ("Contacts", "Leads", "Accounts", "Deals"):
        for record_id, record in data.table(module).rows.items():
            if record_id in last:
                record["Last_Activity_Time"] = last[record_id]


def _participants(ctx: GenContext, targets: _Targets, who: str | None, module: str | None,
                  target: dict[str, Any]) -> list[dict[str, Any]]:
    """Invitees as Zoho returns them: contacts, a lead, colleagues (users), outside addresses."""
    rng = ctx.rng
    people: list[tuple[str, dict[str, Any]]] = []
    if who:
        people.append(("contact", targets.contacts[who]))
        acc = ctx.contact_account.get(who)
        if acc and len(acc.contacts) > 1 and rng.random() < 0.4:
            other = _pick(rng, acc.contacts)
            if other != who:
                people.append(("contact", targets.contacts[other]))
    elif module == "Leads":
        people.append(("lead", target))
    out = []
    for kind, rec in people:
        email = rec.get("Email")
        out.append({"type": kind, "participant": rec["id"],
                    "Email": email.strip() if email else None, "name": rec["Full_Name"],
                    "invited": True, "status": _pick(rng, ("not_known", "not_known", "accepted",
                                                             "declined"))})
    if rng.random() < 0.25 and ctx.active_ids:
        user = ctx.data.users[_pick(rng, ctx.active_ids)]
        out.append({"type": "user", "participant": user.id, "Email": user.email,
                    "name": user.full_name, "invited": True, "status": "accepted"})
    if rng.random() < 0.1:
        email = f"guest{rng.randrange(1000)}@{_pick(rng, ('partner.example', 'gmail.com'))}"
        out.append({"type": "email", "participant": email, "Email": email, "name": None,
                    "invited": True, "status": "not_known"})
    return out
