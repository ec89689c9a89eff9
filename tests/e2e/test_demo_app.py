"""A new user opens the app and sees the live demo org (real chromium, real streamlit server)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

pytestmark = pytest.mark.e2e


def test_first_visit_shows_the_demo_org_edition_users_and_records(app_url: str, browser: Browser,
                                                                  screenshot_dir: Path) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(app_url)
    expect(page.get_by_role("heading", name="Demo org")).to_be_visible(timeout=90_000)
    edition = page.locator("[data-testid='stMetric']").filter(has_text="Edition")
    expect(edition).to_contain_text("Enterprise", timeout=60_000)
    expect(page.locator("[data-testid='stMetric']").filter(has_text="Users")).to_contain_text(re.compile(r"\d+"))
    expect(page.get_by_text("Records per module")).to_be_visible()
    frames = page.locator("[data-testid='stDataFrame']")
    expect(frames).to_have_count(2, timeout=30_000)
    expect(frames.first.locator("canvas").first).to_be_visible(timeout=30_000)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1_500)  # the data grid paints its canvas after it is attached
    page.screenshot(path=str(screenshot_dir / "demo_org.png"), full_page=True)
    page.close()
