"""Signing in through the browser, shared by the e2e tests."""
from __future__ import annotations

from playwright.sync_api import Page, expect

# An admin with no org yet, added with the CLI before the app starts: connecting an org makes it theirs.
NEW_ADMIN = ("new.admin@corp.example", "new admin password")


def sign_in(page: Page, email: str, password: str) -> None:
    """Fill in the Sign in page (the only page until one signs in) and wait for the sidebar to name us."""
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible(timeout=90_000)
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("stSidebar").get_by_text(email)).to_be_visible(timeout=60_000)
