"""Sign-in in a real browser: nothing but Sign in before it; each demo account's pages; a manager typing
another page's URL gets none of it; signing out goes back to Sign in."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_sign_in import sign_in
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from page_access import NAVIGATION, PAGES
from sync_engine.service.access import DEMO_ACCOUNTS

pytestmark = pytest.mark.e2e
ACCOUNTS = {a.role: a for a in DEMO_ACCOUNTS}


def role_titles(role: str, *required: str) -> list[str]:
    """The role's navigation, checked to hold the pages the issue asks for, in that order."""
    titles = [PAGES[name][0] for name in NAVIGATION[role]]
    assert [t for t in titles if t in required] == list(required)
    return titles


def nav_links(page: Page) -> list[str]:
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav).to_be_visible(timeout=60_000)
    return [text.split("\n")[-1].strip() for text in nav.get_by_role("link").all_inner_texts()]  # after the icon


def test_signed_out_there_is_only_the_sign_in_page_and_a_wrong_password_is_refused(
        app_url: str, browser: Browser, screenshot_dir: Path) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{app_url}/credits")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible(timeout=90_000)
    expect(page.get_by_role("heading", name="Credits", exact=True)).to_have_count(0)
    dialog = page.get_by_role("dialog")  # a server that already ran a session says "Page not found" first
    try:
        dialog.wait_for(state="visible", timeout=3_000)
    except PlaywrightTimeout:
        pass
    else:
        page.keyboard.press("Escape")
        expect(dialog).to_have_count(0)
    page.get_by_role("textbox", name="Email").fill(ACCOUNTS["csm"].email)
    page.get_by_role("textbox", name="Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("The email or password is wrong.")).to_be_visible(timeout=30_000)
    page.screenshot(path=str(screenshot_dir / "sign_in_refused.png"))
    page.close()


def test_a_csm_signs_in_sees_every_page_of_the_role_and_signs_out(app_url: str, browser: Browser,
                                                                   screenshot_dir: Path) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(app_url)
    csm = ACCOUNTS["csm"]
    sign_in(page, csm.email, csm.password)
    expect(page.get_by_role("heading", name="Credits", exact=True)).to_be_visible(timeout=60_000)
    assert nav_links(page) == role_titles("csm", "Credits", "Match rates", "Conversations", "Jobs", "Connection")
    expect(page.get_by_test_id("stMetric").first).to_be_visible(timeout=60_000)  # figures drawn, not placeholders
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=60_000)
    page.screenshot(path=str(screenshot_dir / "csm_credits.png"), full_page=True)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Connection").click()
    expect(page.get_by_role("heading", name="Connection", exact=True)).to_be_visible(timeout=60_000)
    expect(page.locator("[data-testid='stMetric']").filter(has_text="Edition")).to_be_visible(timeout=60_000)
    expect(page.get_by_role("button", name="Start sign-in")).to_have_count(0)  # read-only for a CSM
    expect(page.get_by_role("button", name="Disconnect")).to_have_count(0)
    page.screenshot(path=str(screenshot_dir / "csm_connection_read_only.png"), full_page=True)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("You signed out.")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "signed_out.png"))
    page.close()


def test_a_manager_gets_three_pages_and_a_typed_url_to_another_page_shows_none_of_it(
        app_url: str, browser: Browser, screenshot_dir: Path) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(app_url)
    manager = ACCOUNTS["manager"]
    sign_in(page, manager.email, manager.password)
    expect(page.get_by_role("heading", name="Conversations", exact=True)).to_be_visible(timeout=60_000)
    assert nav_links(page) == role_titles("manager", "Conversations", "Match rates", "Credits")
    assert not {"Connection", "Settings", "Jobs"} & set(nav_links(page))
    expect(page.get_by_text(re.compile(r"manager · zoho-local-\d+"))).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "manager_conversations.png"), full_page=True)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Match rates").click()
    expect(page.get_by_role("heading", name="Match rates", exact=True)).to_be_visible(timeout=60_000)
    page.goto(f"{app_url}/connection")  # a new browser session: signed out again, and no such page
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(re.compile("not found", re.I), timeout=60_000)
    page.screenshot(path=str(screenshot_dir / "manager_typed_url.png"))
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    sign_in(page, manager.email, manager.password)
    expect(page.get_by_role("heading", name="Conversations", exact=True)).to_be_visible(timeout=60_000)
    expect(page.get_by_role("heading", name="Connection", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Disconnect")).to_have_count(0)
    page.close()
