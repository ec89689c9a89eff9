"""Specification of deal rules: which of an account's open deals a conversation belongs to, and why."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync_engine.matching.deal_rules import DealRules, choose_deal
from sync_engine.matching.index import Deal

ON = date(2025, 6, 2)


def deal(ident: str, modified_day: int = 1, closing: date | None = None, contacts: tuple[str, ...] = (),
         stage: str = "Qualification", pipeline: str = "Standard") -> Deal:
    return Deal(ident, f"Deal {ident}", "A1", stage, pipeline, closing, datetime(2025, 5, modified_day, tzinfo=UTC),
                None, contacts)


RENEWAL = deal("R", modified_day=1, closing=date(2025, 6, 10), contacts=("C1",))
UPSELL = deal("U", modified_day=20, closing=date(2025, 9, 1))
PILOT = deal("P", modified_day=20, closing=date(2025, 6, 20), stage="Needs Analysis", pipeline="Partners")


def chosen(deals: list[Deal], contacts: tuple[str, ...] = (), rules: DealRules | None = None,
           has_contact: bool = True) -> str | None:
    picked = choose_deal(deals, "Acme", list(contacts), ON, rules or DealRules(), has_contact=has_contact).deal
    return picked.record_id if picked else None


@pytest.mark.parametrize(("deals", "contacts", "rules", "expected"), [
    ([RENEWAL], (), DealRules(), "R"),
    ([RENEWAL, UPSELL], (), DealRules(), "U"),  # latest modified
    ([RENEWAL, UPSELL], ("C1",), DealRules(), "R"),  # the deal naming an attending contact
    ([RENEWAL, UPSELL], ("C9",), DealRules(), "U"),  # a contact on no deal changes nothing
    ([UPSELL, PILOT], (), DealRules(), "P"),  # tie on modified: nearest closing date
    ([RENEWAL, UPSELL], (), DealRules(order=("nearest_closing",)), "R"),
    ([RENEWAL, UPSELL], (), DealRules(single_only=True), None),
    ([RENEWAL, UPSELL, PILOT], (), DealRules(pipelines=frozenset({"Partners"})), "P"),
    ([RENEWAL, UPSELL], (), DealRules(skip_stages=frozenset({"Qualification"})), None),
    ([RENEWAL], (), DealRules(without_contact=False), None),
    ([], (), DealRules(), None),
])
def test_the_deal_chosen_by_the_orgs_rules(deals, contacts, rules, expected):
    has_contact = bool(contacts) or rules.without_contact
    assert chosen(deals, contacts, rules, has_contact) == expected


def test_two_deals_tied_on_every_rule_link_no_deal_and_say_so():
    twin = deal("T", modified_day=20, closing=date(2025, 9, 1))
    choice = choose_deal([UPSELL, twin], "Acme", [], ON, DealRules())
    assert choice.deal is None and {d.record_id for d in choice.tied} == {"U", "T"}
    assert "tie on every deal rule (contact_role, latest_modified, nearest_closing): no deal is chosen" \
        in choice.reasons[0]


def test_closing_dates_before_and_after_the_day_count_alike():
    before, after = deal("B", 20, date(2025, 5, 28)), deal("A", 20, date(2025, 6, 9))
    assert chosen([before, after]) == "B"


@pytest.mark.parametrize(("deals", "contacts", "reason"), [
    ([RENEWAL], (), "deal 'Deal R' is the only open deal of account Acme"),
    ([RENEWAL, UPSELL], (), "deal 'Deal U' is the most recently modified of 2 open deals of account Acme"),
    ([RENEWAL, UPSELL], ("C1",), "deal 'Deal R' is the only one of 2 open deals of account Acme naming a contact "
                                 "in the conversation"),
    ([UPSELL, PILOT], (), "deal 'Deal P' is the one closing nearest 2025-06-02 of 2 open deals of account Acme "
                          "(tied on last modified)"),
    ([RENEWAL, UPSELL, PILOT], ("C1", "C2"), "deal 'Deal R' is the only one of 3 open deals of account Acme naming "
                                             "a contact in the conversation"),
    ([deal("X", 5, contacts=("C1",)), deal("Y", 9, contacts=("C1",)), UPSELL], ("C1",),
     "deal 'Deal Y' of 3 open deals of account Acme: naming a contact in the conversation (2 left), then the most "
     "recently modified"),
    ([deal("X", 20, contacts=("C1",)), UPSELL, PILOT], ("C1",), "deal 'Deal X' is the only one of 3 open deals of "
                                                                "account Acme naming a contact in the conversation"),
])
def test_every_choice_says_which_rule_decided(deals, contacts, reason):
    assert choose_deal(deals, "Acme", list(contacts), ON, DealRules()).reasons == (reason,)


@pytest.mark.parametrize("order", [("latest_modified", "latest_modified"), ("newest",)])
def test_rules_an_admin_could_not_mean_are_refused(order):
    with pytest.raises(ValueError):
        DealRules(order=order)  # type: ignore[arg-type]


DEALS = st.lists(st.builds(deal, st.text("abcdefgh", min_size=1, max_size=3), st.integers(1, 31),
                           st.none() | st.dates(date(2025, 1, 1), date(2025, 12, 31)),
                           st.sampled_from([(), ("C1",), ("C2",)])), max_size=6, unique_by=lambda d: d.record_id)


@given(DEALS, st.sampled_from([(), ("C1",), ("C1", "C2")]))
def test_the_choice_is_one_of_the_deals_and_does_not_depend_on_their_order(deals, contacts):
    first = choose_deal(deals, "Acme", list(contacts), ON, DealRules()).deal
    again = choose_deal(list(reversed(deals)), "Acme", list(contacts), ON, DealRules()).deal
    assert first == again
    assert first is None or first in deals
