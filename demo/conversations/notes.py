"""What a recording tool says after a generated conversation: a summary, action items, sometimes an outcome.

Write-back turns these into an activity's description, follow-up Tasks and a deal-stage update, so
the demo and the write-back benchmark need them on most conversations. They are drawn from their own
random source, seeded by the run's seed and the conversation's position: adding notes leaves every
draw of the conversations themselves (people, numbers, times, and so the matching labels) unchanged.
"""
from __future__ import annotations

import random
from typing import Any

from demo.conversations.labels import Truth
from zoho_emulator.seed.words import PRODUCTS

SUMMARY_SHARE = 0.9
OUTCOME_SHARE = 0.3
ACTION_ITEM_COUNTS = (0, 1, 1, 1, 2, 2, 2, 3)  # most conversations leave at least one thing to do

OPENINGS = (
    "Walked {company} through {product} and how the rollout would work.",
    "Reviewed where {company} stands on {product}; the champion joined with two colleagues.",
    "Discovery with {company}: current process, pain points and who signs off.",
    "Checked in with {company} on {product} after last week's trial.",
    "Pricing conversation with {company} about {product}.",
)
MIDDLES = (
    "Their main concern is the migration effort and how long the team would be without reports.",
    "Budget is approved for this quarter, but procurement wants three quotes.",
    "Security review is the next hurdle; they asked for our SOC 2 report.",
    "They compared us with a competitor on price and asked for a multi-year discount.",
    "Usage in the trial is good; two teams are asking for more seats.",
    "Legal has the MSA and is reviewing the data processing terms.",
)
CLOSINGS = (
    "Agreed to reconvene next week.",
    "They will come back with a decision by the end of the month.",
    "Next step is a proposal for the wider team.",
    "Good energy overall; the timeline still depends on their board.",
)
INTERNAL_SUMMARIES = (
    "Went through the pipeline deal by deal; two deals slipped to next quarter.",
    "Forecast review: commit is on track, upside depends on two renewals.",
    "Agreed who covers which accounts during the holidays.",
    "Deal desk on a non-standard discount; approved with a two-year term.",
)
SHORT_CALL_SUMMARIES = ("Left a voicemail.", "No answer; will try again tomorrow.",
                        "Reached the switchboard; the contact was in a meeting.")
ACTION_ITEMS = (
    "Send the pricing proposal", "Book a technical deep-dive", "Share the recording", "Send case studies",
    "Send the security questionnaire", "Loop in legal for the MSA review", "Follow up on budget approval",
    "Schedule a demo for the wider team", "Confirm the pilot's success criteria", "Update the mutual action plan",
)
INTERNAL_ACTION_ITEMS = ("Update the forecast in Zoho", "Prepare the QBR deck", "Review the stalled deals",
                         "Send the territory plan")
OUTCOMES = (("demo booked", 6), ("proposal requested", 4), ("follow-up scheduled", 4), ("negotiation", 3),
            ("won", 2), ("lost", 1), ("not interested", 1))
SHORT_CALL_S = 45


def notes_for(record: dict[str, Any], truth: Truth, company: str | None, seed: int, position: int) -> dict[str, Any]:
    """The keys to add to one generated record: ``summary``, ``action_items`` and ``outcome`` (when drawn)."""
    rng = random.Random(f"notes/{seed}/{position}")
    if record["kind"] == "call" and int(record["duration_s"]) < SHORT_CALL_S:
        notes: dict[str, Any] = {"summary": _pick(rng, SHORT_CALL_SUMMARIES)}
        if rng.random() < 0.5:
            notes["action_items"] = ["Call back tomorrow"]
        return notes
    internal = truth.status == "internal"
    notes = {}
    if rng.random() < SUMMARY_SHARE:
        notes["summary"] = _pick(rng, INTERNAL_SUMMARIES) if internal else _summary(rng, company)
    count = _pick(rng, ACTION_ITEM_COUNTS)
    if count:
        notes["action_items"] = rng.sample(INTERNAL_ACTION_ITEMS if internal else ACTION_ITEMS, count)
    if not internal and rng.random() < OUTCOME_SHARE:
        names, weights = zip(*OUTCOMES, strict=True)
        notes["outcome"] = rng.choices(names, weights)[0]
    return notes


def _summary(rng: random.Random, company: str | None) -> str:
    opening = _pick(rng, OPENINGS).format(company=company or "the prospect", product=_pick(rng, PRODUCTS))
    return " ".join((opening, _pick(rng, MIDDLES), _pick(rng, CLOSINGS)))


def _pick(rng: random.Random, seq: tuple[str, ...]) -> str:
    return seq[int(rng.random() * len(seq))]
