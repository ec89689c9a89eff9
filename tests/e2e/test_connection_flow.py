"""Key flows in a real browser: the demo org's admin sees it connected; a new admin connects an org through
the consent page, signs in again (the trip to Zoho starts a new browser session) and administers it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_sign_in import NEW_ADMIN, sign_in
from playwright.sync_api import Browser, Page, expect

from sync_engine.service.access import DEMO_ACCOUNTS

pytestmark = pytest.mark.e2e
DEMO_ADMIN = next(a for a in DEMO_ACCOUNTS if a.role == "admin")


def metric(page: Page, label: str):
    return page.locator("[data-testid='stMetric']").filter(has_text=label)


def test_first_visit_shows_the_connected_demo_org(app_url: str, browser: Browser, screenshot_dir: Path) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(app_url)
    sign_in(page, DEMO_ADMIN.email, DEMO_ADMIN.password)
    expect(page.get_by_role("heading", name="Connection")).to_be_visible(timeout=90_000)
    expect(metric(page, "Edition")).to_contain_text("Enterprise", timeout=60_000)
    expect(metric(page, "Daily credit limit")).to_contain_text(re.compile(r"\d{2},\d{3}"))
    expect(metric(page, "Users mapped")).to_contain_text(re.compile(r"\d+ / \d+"))
    expect(page.get_by_text("Our users with no Zoho user")).to_be_visible()
    page.wait_for_timeout(1_000)  # let the data grids paint before the screenshot
    page.screenshot(path=str(screenshot_dir / "connection.png"), full_page=True)
    page.close()


def test_admin_connects_the_org_through_the_zoho_consent_page(app_url: str, browser: Browser,
                                                              screenshot_dir: Path) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(app_url)
    sign_in(page, *NEW_ADMIN)
    expect(page.get_by_text("No org is connected yet. Connect one below.")).to_be_visible(timeout=60_000)
    expect(page.get_by_role("heading", name="Connect an org")).to_be_visible(timeout=90_000)
    page.get_by_role("button", name="Start sign-in").click()
    link = page.locator("#zoho-sign-in")
    expect(link).to_be_visible(timeout=30_000)
    link.click()
    expect(page.get_by_role("heading", name="Zoho Accounts: grant access")).to_be_visible(timeout=30_000)
    page.screenshot(path=str(screenshot_dir / "zoho_consent.png"))
    page.locator("#accept").click()
    expect(page.get_by_text(re.compile(r"Connected .* \(enterprise\) as "))).to_be_visible(timeout=60_000)
    assert "code=" not in page.url
    page.screenshot(path=str(screenshot_dir / "connected_sign_in_again.png"))
    sign_in(page, *NEW_ADMIN)  # the redirect came back in a new browser session
    expect(page.get_by_test_id("stSidebar").get_by_text(re.compile(r"admin · zoho-local-\d+"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"Connected .* \(enterprise\) as "))).to_be_visible(timeout=60_000)
    expect(metric(page, "Edition")).to_contain_text("Enterprise")
    expect(page.get_by_role("button", name="Disconnect")).to_be_visible()
    page.wait_for_timeout(1_000)
    page.screenshot(path=str(screenshot_dir / "connected.png"), full_page=True)
    page.close()
