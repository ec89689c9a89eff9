"""What the e2e tests do on the app's pages, one small function per action, each waiting for its rerun."""
from __future__ import annotations

import csv
import io
import re
import time

from demo_zoho import API_DOMAIN, DemoZoho
from playwright.sync_api import Locator, Page, expect

SEARCH = "Search (title, user, id, contact, lead, account, deal, owner)"


def open_page(page: Page, title: str) -> None:
    """Click the page in the sidebar and wait for its title."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=60_000)


def choose_option(page: Page, label: str, option: str) -> None:
    """Pick ``option`` in the st.selectbox labelled ``label``. A click focuses the box but does not always open
    its list (it may land while the page re-renders); the arrow key opens it either way."""
    page.get_by_test_id("stSelectbox").filter(has=page.get_by_text(label, exact=True)).click()
    if not page.get_by_role("option").first.is_visible():
        page.keyboard.press("ArrowDown")
    page.get_by_role("option").filter(has_text=option).click()


def metric_value(page: Page, label: str) -> Locator:
    """The value of the st.metric labelled exactly ``label``."""
    label_text = page.get_by_test_id("stMetricLabel").filter(has_text=re.compile(rf"^{re.escape(label)}$"))
    return page.get_by_test_id("stMetric").filter(has=label_text).get_by_test_id("stMetricValue")


def grid_cell(scope: Page | Locator, text: str | re.Pattern[str]) -> Locator:
    """A cell of an st.dataframe: the grid paints a canvas, and keeps the cells in view as its hidden
    accessible table (assert ``to_be_attached``, not visible)."""
    return scope.get_by_role("gridcell", name=text, exact=True, include_hidden=True)


def org_id_of(page: Page) -> str:
    found = re.search(r"· (zoho-local-\d+)", page.get_by_test_id("stSidebar").inner_text())
    assert found, "the sidebar names the viewer's org"
    return found.group(1)


def demo_zoho_when_mirrored(page: Page, timeout_s: float = 120) -> DemoZoho:
    """On the admin's Connection page: the emulator's address, once the initial mirror is done.

    Conversations are matched against the mirror when they are imported, so a test must not import
    before the scheduler's first mirror run has pulled the demo org (a few seconds after start).
    """
    open_page(page, "Connection")
    caption = page.get_by_text(API_DOMAIN)
    expect(caption).to_be_visible(timeout=60_000)
    found = API_DOMAIN.search(caption.inner_text())
    assert found
    progress = page.get_by_test_id("stProgress")
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            expect(progress).to_contain_text("incremental:", timeout=3_000)
            return DemoZoho(found.group(1))
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            open_page(page, "Connection")  # the page draws the mirror's progress once per run


def import_conversations(page: Page, filename: str, data: bytes) -> None:
    """Upload a file on the Conversations page (admins) and wait for its import summary."""
    open_page(page, "Conversations")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": filename, "mimeType": "application/x-ndjson", "buffer": data}])
    expect(page.get_by_test_id("stFileChipName").and_(page.get_by_title(filename))).to_be_visible(
        timeout=30_000)  # the chip shortens long names; its title keeps the whole
    page.get_by_role("button", name="Import and match").click()
    expect(page.get_by_text(re.compile(rf"^{re.escape(filename)}: "))).to_be_visible(timeout=60_000)


def push_now(page: Page) -> str:
    """Press Push now on the Write-back page; returns the push's report."""
    open_page(page, "Write-back")
    page.get_by_role("button", name="Push now").click()
    page.mouse.move(0, 0)  # the button's tooltip would cover the page in screenshots
    report = page.get_by_text(re.compile(r"^Push: "))
    expect(report).to_be_visible(timeout=60_000)
    return report.inner_text()


def search_conversations(page: Page, text: str) -> None:
    """Type into the Conversations page's search box; the caller waits for what the search should show."""
    box = page.get_by_role("textbox", name=SEARCH)
    box.fill(text)
    box.press("Enter")


def export_csv(page: Page) -> tuple[list[str], list[dict[str, str]]]:
    """Download the Conversations page's CSV export (the filtered set): its header and its rows."""
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Export CSV").click()
    reader = csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8")))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def settled_export(page: Page, timeout_s: float = 30) -> tuple[list[str], list[dict[str, str]]]:
    """The export once no row is still on its way to Zoho.

    The scheduler's own push may have claimed a write a moment before "Push now" looked (a write is
    sent once, by whichever push claims it), so its answer can still be on the wire.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        header, rows = export_csv(page)
        if all(r["written to Zoho"] not in ("pending", "in flight") for r in rows) or time.monotonic() > deadline:
            return header, rows
        page.wait_for_timeout(1_000)
