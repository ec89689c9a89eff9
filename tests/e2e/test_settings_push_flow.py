"""A write-back setting toggled in a real browser shows on the next push, in Zoho itself.

The demo org's admin turns "Log calls as Calls" off and sees the change audited; a meeting and a call
with one of the org's contacts are uploaded and pushed: the meeting becomes a Zoho Event, the call is
written nowhere. Turned back on, the next push writes the call the first one passed by, once.
What Zoho holds is read from the emulator's CRM API, not from the app.
"""
from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from browser_pages import (
    demo_zoho_when_mirrored,
    grid_cell,
    import_conversations,
    metric_value,
    open_page,
    org_id_of,
    push_now,
    search_conversations,
    settled_export,
)
from browser_sign_in import sign_in
from demo_zoho import meeting_and_call
from playwright.sync_api import Browser, Page, expect

from sync_engine.service.access import DEMO_ACCOUNTS
from sync_engine.writeback.plan import marker_for

pytestmark = pytest.mark.e2e
DEMO_ADMIN = next(a for a in DEMO_ACCOUNTS if a.role == "admin")
LOG_CALLS = "Log calls as Calls"


def save_log_calls(page: Page, on: bool) -> None:
    """Set the toggle on the Settings page, save, and see the change at the top of the audit log."""
    open_page(page, "Settings")
    switch = page.get_by_role("switch", name=LOG_CALLS)
    expect(switch).to_be_checked(checked=not on, timeout=30_000)
    page.get_by_test_id("stCheckbox").filter(has=switch).locator("label").click()
    expect(switch).to_be_checked(checked=on)
    page.get_by_role("button", name="Save write-back").click()
    expect(page.get_by_text("Saved write-back. It applies from the next push.")).to_be_visible(timeout=60_000)
    changes = page.get_by_test_id("stDataFrame").last  # Changes, the last section; its cells draw in view
    changes.scroll_into_view_if_needed()
    change = f"log_calls: {'off → on' if on else 'on → off'}"
    expect(grid_cell(changes, change)).to_be_attached(timeout=30_000)
    expect(grid_cell(changes, DEMO_ADMIN.email).first).to_be_attached()


def written(page: Page, tag: str) -> dict[str, dict[str, str]]:
    """The tag's conversations as the Conversations page exports them, by id."""
    open_page(page, "Conversations")
    search_conversations(page, tag)
    expect(metric_value(page, "Conversations")).to_have_text("2", timeout=60_000)
    _, rows = settled_export(page)
    return {row["id"]: row for row in rows}


def zoho_id(activity: str, module: str) -> str:
    found = re.fullmatch(rf"{module} (\d+)", activity)
    assert found, f"expected '{module} <Zoho id>', got {activity!r}"
    return found.group(1)


def test_log_calls_off_writes_the_meeting_not_the_call_and_back_on_the_next_push_writes_the_call(
        app_url: str, browser: Browser, screenshot_dir: Path) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(app_url)
    sign_in(page, DEMO_ADMIN.email, DEMO_ADMIN.password)
    zoho = demo_zoho_when_mirrored(page)
    org_id = org_id_of(page)
    user, customer = zoho.recording_user(), zoho.unambiguous_customers(1)[0]
    tag = f"e2e-push-{uuid.uuid4().hex[:8]}"
    meeting_id, call_id = f"{tag}-meeting", f"{tag}-call"

    save_log_calls(page, on=False)
    page.screenshot(path=str(screenshot_dir / "settings_log_calls_off.png"), full_page=True)
    import_conversations(page, f"{tag}.jsonl", meeting_and_call(tag, user, customer, datetime.now(UTC)))
    expect(page.get_by_text(f"{tag}.jsonl: 2 valid, 2 new, 0 already imported, 0 rejected.")).to_be_visible()
    push_now(page)
    expect(grid_cell(page, f"Roadmap review {tag} ({meeting_id})")).to_be_attached(timeout=30_000)
    page.screenshot(path=str(screenshot_dir / "writeback_pushed_with_calls_off.png"), full_page=True)

    rows = written(page, tag)
    assert {rows[meeting_id]["status"], rows[call_id]["status"]} == {"matched"}
    assert (rows[meeting_id]["written to Zoho"], rows[call_id]["written to Zoho"]) == ("written", "not planned")
    assert rows[call_id]["Zoho activity"] == ""
    event = zoho.record("Events", zoho_id(rows[meeting_id]["Zoho activity"], "Events"))
    assert event["Event_Title"] == f"Roadmap review {tag}"
    assert (event["Owner"]["id"], event["Who_Id"]["id"]) == (user.zoho_user_id, customer.contact_id)
    meeting_marker = marker_for(org_id, f"{meeting_id}/activity")  # the key each write carries into Zoho
    call_marker = marker_for(org_id, f"{call_id}/activity")
    assert meeting_marker in event["Description"]
    assert zoho.activities_marked("Calls", customer.contact_id, call_marker) == []
    page.screenshot(path=str(screenshot_dir / "conversations_pushed_with_calls_off.png"), full_page=True)

    save_log_calls(page, on=True)
    page.screenshot(path=str(screenshot_dir / "settings_log_calls_on_again.png"), full_page=True)
    push_now(page)
    rows = written(page, tag)
    assert (rows[meeting_id]["written to Zoho"], rows[call_id]["written to Zoho"]) == ("written", "written")
    call = zoho.record("Calls", zoho_id(rows[call_id]["Zoho activity"], "Calls"))
    assert call["Subject"].endswith(f" with {customer.name} ({customer.account_name})")
    assert (call["Owner"]["id"], call["Who_Id"]["id"], call["Call_Type"]) == (
        user.zoho_user_id, customer.contact_id, "Outbound")
    assert [c["id"] for c in zoho.activities_marked("Calls", customer.contact_id, call_marker)] == [call["id"]]
    assert len(zoho.activities_marked("Events", customer.contact_id, meeting_marker)) == 1  # not written again
    page.screenshot(path=str(screenshot_dir / "conversations_pushed_with_calls_on.png"), full_page=True)
    page.close()
