"""A manager browses the activity in a real browser: filters by status, searches a customer's name, sees
what was written to Zoho with the record ids after a push, exports the filtered set as CSV, and cannot
reach Settings, neither from the sidebar nor by typing its URL."""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from browser_pages import (
    demo_zoho_when_mirrored,
    export_csv,
    grid_cell,
    import_conversations,
    metric_value,
    open_page,
    push_now,
    search_conversations,
    settled_export,
)
from browser_sign_in import sign_in
from demo_zoho import Customer, DemoZoho, meeting_and_call
from playwright.sync_api import Browser, Page, expect

from sync_engine.service.access import DEMO_ACCOUNTS
from sync_engine.views.activity import COLUMNS

pytestmark = pytest.mark.e2e
ACCOUNTS = {a.role: a for a in DEMO_ACCOUNTS}


@dataclass(frozen=True)
class Pushed:
    """A meeting and a call with one customer, imported and pushed to Zoho by the demo org's admin."""

    tag: str
    customer: Customer
    zoho: DemoZoho
    activities: dict[str, str]  # conversation id -> "Events <Zoho id>" / "Calls <Zoho id>"


@pytest.fixture(scope="module")
def pushed(app_url: str, browser: Browser) -> Pushed:
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(app_url)
    sign_in(page, ACCOUNTS["admin"].email, ACCOUNTS["admin"].password)
    zoho = demo_zoho_when_mirrored(page)
    customer = zoho.unambiguous_customers(2)[1]  # the settings test takes the first
    tag = f"e2e-browse-{uuid.uuid4().hex[:8]}"
    import_conversations(page, f"{tag}.jsonl", meeting_and_call(tag, zoho.recording_user(), customer,
                                                                 datetime.now(UTC)))
    push_now(page)
    open_page(page, "Conversations")
    search_conversations(page, tag)
    expect(metric_value(page, "Conversations")).to_have_text("2", timeout=60_000)
    _, rows = settled_export(page)  # the scheduler's push may still be answering for a write it claimed
    page.close()
    assert {row["written to Zoho"] for row in rows} == {"written"}, rows
    return Pushed(tag, customer, zoho, {row["id"]: row["Zoho activity"] for row in rows})


def choose(page: Page, label: str, option: str) -> None:
    """Pick one option of the multiselect labelled ``label``."""
    page.get_by_test_id("stMultiSelect").filter(has=page.get_by_text(label, exact=True)).click()
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")


def nav_titles(page: Page) -> list[str]:
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav).to_be_visible(timeout=60_000)
    return [text.split("\n")[-1].strip() for text in nav.get_by_role("link").all_inner_texts()]


def test_a_manager_filters_searches_sees_zoho_ids_exports_csv_and_cannot_reach_settings(
        app_url: str, browser: Browser, pushed: Pushed, screenshot_dir: Path) -> None:
    page = browser.new_page(viewport={"width": 2400, "height": 1200})  # wide enough for the Zoho columns
    page.goto(app_url)
    manager = ACCOUNTS["manager"]
    sign_in(page, manager.email, manager.password)
    expect(page.get_by_role("heading", name="Conversations", exact=True)).to_be_visible(timeout=60_000)
    assert "Settings" not in nav_titles(page)
    expect(page.get_by_role("button", name="Import and match")).to_have_count(0)  # managers read

    choose(page, "Status", "matched")
    for other in ("Partial", "Ambiguous", "Unmatched", "Internal"):
        expect(metric_value(page, other)).to_have_text("0", timeout=60_000)
    page.screenshot(path=str(screenshot_dir / "manager_conversations_matched.png"), full_page=True)

    name = pushed.customer.name
    every_matched = metric_value(page, "Conversations").inner_text()
    search_conversations(page, name)
    expect(metric_value(page, "Conversations")).not_to_have_text(every_matched, timeout=60_000)
    meeting_id, call_id = f"{pushed.tag}-meeting", f"{pushed.tag}-call"
    expect(grid_cell(page, f"Roadmap review {pushed.tag}")).to_be_attached(timeout=60_000)
    meeting, call = pushed.activities[meeting_id], pushed.activities[call_id]
    assert re.fullmatch(r"Events \d+", meeting) and re.fullmatch(r"Calls \d+", call), pushed.activities
    page.get_by_test_id("stDataFrame").hover()
    page.mouse.wheel(2_000, 0)  # scroll the grid to its last columns: written to Zoho, the Zoho activity, why
    expect(grid_cell(page, meeting)).to_be_attached()  # the Zoho activity column, with the record id
    expect(grid_cell(page, call)).to_be_attached()
    expect(grid_cell(page, "written").first).to_be_attached()
    total = int(metric_value(page, "Conversations").inner_text().replace(",", ""))
    page.screenshot(path=str(screenshot_dir / "manager_conversations_search_written.png"), full_page=True)

    header, rows = export_csv(page)
    assert header == list(COLUMNS)
    assert len(rows) == total >= 2
    assert {row["status"] for row in rows} == {"matched"}
    assert all(name.lower() in " ".join(row.values()).lower() for row in rows)
    by_id = {row["id"]: row for row in rows}
    assert (by_id[meeting_id]["Zoho activity"], by_id[call_id]["Zoho activity"]) == (meeting, call)
    for activity in (meeting, call):  # the ids are Zoho's: the records are there, on the customer
        module, record_id = activity.split()
        assert pushed.zoho.record(module, record_id)["Who_Id"]["id"] == pushed.customer.contact_id

    page.goto(f"{app_url}/settings")  # a typed URL starts a new browser session: signed out, no such page
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(re.compile("not found", re.I), timeout=60_000)
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    sign_in(page, manager.email, manager.password)
    expect(page.get_by_role("heading", name="Conversations", exact=True)).to_be_visible(timeout=60_000)
    expect(page.get_by_role("heading", name="Settings", exact=True)).to_have_count(0)
    expect(page.get_by_role("switch", name="Log calls as Calls")).to_have_count(0)
    assert "Settings" not in nav_titles(page)
    page.screenshot(path=str(screenshot_dir / "manager_settings_url_refused.png"))
    page.close()
