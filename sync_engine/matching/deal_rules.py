"""Which of an account's open deals a conversation belongs to: per-org rules, applied in order.

An account with one open deal is easy. Busy accounts carry several (a renewal, an upsell, a pilot
in another team), and logging a call on the wrong one misleads a forecast, so the choice follows
rules an admin can read and reorder, and every result says which rule decided:

``contact_role``
    prefer the deals whose contact (Contact_Name, or a contact role) is someone in the conversation;
    when none is, this criterion keeps every deal (it is a preference, not a filter).
``latest_modified``
    keep the most recently modified deal(s): the deal people are working on.
``latest_activity``
    keep the deal(s) with the latest activity (Last_Activity_Time, else Modified_Time).
``nearest_closing``
    keep the deal(s) whose closing date is nearest the conversation's day (UTC), before or after.

Criteria narrow the candidates one after another until one deal is left. If every criterion has
run and several deals are still tied, none is chosen: a coin toss is not a rule a manager can check.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, get_args

from sync_engine.matching.index import Deal

DealCriterion = Literal["contact_role", "latest_modified", "latest_activity", "nearest_closing"]
CRITERIA: tuple[str, ...] = get_args(DealCriterion)
_FAR = 10**9


@dataclass(frozen=True)
class DealRules:
    """An org's deal rules; the defaults are what the demo and the labelled benchmark assume."""

    order: tuple[DealCriterion, ...] = ("contact_role", "latest_modified", "nearest_closing")
    pipelines: frozenset[str] = frozenset()  # only deals in these pipelines; empty: every pipeline
    skip_stages: frozenset[str] = frozenset()  # open stages never chosen (e.g. "Qualification")
    without_contact: bool = True  # also choose for account-only matches (a switchboard, a colleague's domain)
    single_only: bool = False  # link a deal only when exactly one candidate is left before any criterion

    def __post_init__(self) -> None:
        unknown = [c for c in self.order if c not in CRITERIA]
        if unknown:
            raise ValueError(f"unknown deal criteria {unknown}; choose from {', '.join(CRITERIA)}")
        if len(set(self.order)) != len(self.order):
            raise ValueError("each deal criterion may appear once")


@dataclass(frozen=True)
class DealChoice:
    deal: Deal | None
    reasons: tuple[str, ...]
    tied: tuple[Deal, ...] = ()  # the deals left tied when none was chosen


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _keep_best(deals: list[Deal], score: dict[str, float]) -> list[Deal]:
    best = max(score[d.record_id] for d in deals)
    return [d for d in deals if score[d.record_id] == best]


def _timestamp(moment: datetime | None) -> float:
    return moment.timestamp() if moment is not None else float(-_FAR)


def _narrow(criterion: str, deals: list[Deal], contact_ids: Sequence[str], on: date) -> tuple[list[Deal], str]:
    """The deals a criterion keeps, and what it prefers in words ("" when it kept every deal)."""
    if criterion == "contact_role":
        attending = set(contact_ids)
        kept = [d for d in deals if attending.intersection(d.contact_ids)]
        return (kept, "naming a contact in the conversation") if kept else (deals, "")
    if criterion == "latest_modified":
        kept = _keep_best(deals, {d.record_id: _timestamp(d.modified_time) for d in deals})
        words = "most recently modified"
    elif criterion == "latest_activity":
        kept = _keep_best(deals, {d.record_id: _timestamp(d.last_activity or d.modified_time) for d in deals})
        words = "most recently active"
    else:
        kept = _keep_best(deals, {d.record_id: -(abs((d.closing_date - on).days) if d.closing_date else _FAR)
                                  for d in deals})
        words = f"one closing nearest {on.isoformat()}"
    return kept, words if len(kept) < len(deals) else ""


_TIED = {"latest_modified": "last modified", "latest_activity": "last activity", "nearest_closing": "closing date"}


def _explain(deal: Deal, account_name: str, total: int, steps: list[str], tied: list[str]) -> str:
    """"deal 'Renewal' is the most recently modified of 3 open deals of account Acme Inc" and the like."""
    of = f"{total} open deals of account {account_name}"
    ties = f" (tied on {' and '.join(tied)})" if tied else ""
    if len(steps) == 1 and steps[0].startswith("naming"):
        return f"deal '{deal.name}' is the only one of {of} {steps[0]}{ties}"
    if len(steps) == 1:
        return f"deal '{deal.name}' is the {steps[0]} of {of}{ties}"
    return f"deal '{deal.name}' of {of}: {', then the '.join(steps)}{ties}"


def eligible_deals(deals: Sequence[Deal], rules: DealRules) -> list[Deal]:
    return [d for d in deals if (not rules.pipelines or d.pipeline in rules.pipelines)
            and d.stage not in rules.skip_stages]


def choose_deal(deals: Sequence[Deal], account_name: str, contact_ids: Sequence[str], on: date,
                rules: DealRules, *, has_contact: bool = True) -> DealChoice:
    """The deal of ``deals`` (one account's open deals) a conversation on ``on`` belongs to, with reasons.

    ``contact_ids`` are the contacts in the conversation, in order; ``has_contact`` is False when the
    account was found without a person (by domain or a shared number).
    """
    if not deals:
        return DealChoice(None, ())
    if not has_contact and not rules.without_contact:
        return DealChoice(None, (f"account {account_name} has {_plural(len(deals), 'open deal')}; no deal is "
                                 "chosen without a contact (org rule)",))
    candidates = eligible_deals(deals, rules)
    if not candidates:
        return DealChoice(None, (f"none of the {_plural(len(deals), 'open deal')} of account {account_name} is in "
                                 "a pipeline and stage the org's rules allow",))
    if len(candidates) == 1:
        deal = candidates[0]
        return DealChoice(deal, (f"deal '{deal.name}' is the only open deal of account {account_name}",))
    if rules.single_only:
        return DealChoice(None, (f"account {account_name} has {_plural(len(candidates), 'open deal')}; the org "
                                 "links a deal only when there is one",), tuple(candidates))
    total, steps, tied = len(candidates), [], []
    for criterion in rules.order:
        candidates, words = _narrow(criterion, candidates, contact_ids, on)
        if words:
            steps.append(f"{words} ({len(candidates)} left)" if len(candidates) > 1 else words)
        elif criterion in _TIED:
            tied.append(_TIED[criterion])
        if len(candidates) == 1:
            return DealChoice(candidates[0], (_explain(candidates[0], account_name, total, steps, tied),))
    names = ", ".join(f"'{d.name}'" for d in candidates[:3])
    return DealChoice(None, (f"{_plural(len(candidates), 'open deal')} of account {account_name} ({names}) tie on "
                             f"every deal rule ({', '.join(rules.order)}): no deal is chosen",), tuple(candidates))
