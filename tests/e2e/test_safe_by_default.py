"""What a reviewer tries on a fresh clone, in a real browser: the server listens on loopback only, the
operator's client secret never reaches the page, text in messages stays text, and an exported CSV does
not carry live spreadsheet formulas."""
from __future__ import annotations

import csv
import io
import ipaddress
import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from browser_pages import choose_option, export_csv, import_conversations, search_conversations
from browser_sign_in import sign_in
from conftest import ROOT, SERVER_CLIENT_SECRET, free_port, wait_until_healthy
from playwright.sync_api import Browser, expect

from sync_engine.service.access import DEMO_ACCOUNTS

pytestmark = pytest.mark.e2e
DEMO_ADMIN = next(a for a in DEMO_ACCOUNTS if a.role == "admin")
EVIL_LINK = "[Sign in again](http://evil.example)"
EVIL_FORMULA = '=HYPERLINK("http://evil.example","x")'
LOOPBACK = {"127.0.0.1", "::1", "::ffff:127.0.0.1"}


def listening_addresses(port: int) -> set[str]:
    """The local addresses with a socket listening on ``port`` (Linux's /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state != "0A" or int(hex_port, 16) != port:  # 0A: LISTEN
                continue
            raw = bytes.fromhex(address)
            words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))  # each 32-bit word is little-endian
            ip = ipaddress.ip_address(words)
            found.add(str(ip.ipv4_mapped) if getattr(ip, "ipv4_mapped", None) else str(ip))
    return found


def test_the_app_started_as_documented_listens_on_loopback_only(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SYNC_DATA_DIR": str(tmp_path), "SYNC_NO_DEMO": "1",
           "SYNC_NO_SCHEDULER": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_healthy(proc, f"http://127.0.0.1:{port}", timeout_s=60)
        addresses = listening_addresses(port)
        assert addresses and addresses <= LOOPBACK, addresses
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_servers_client_secret_never_reaches_the_browser(app_url: str, browser: Browser,
                                                             screenshot_dir: Path) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    received: list[bytes] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda frame: received.append(
        frame if isinstance(frame, bytes) else frame.encode())))
    page.goto(app_url)
    sign_in(page, DEMO_ADMIN.email, DEMO_ADMIN.password)
    expect(page.get_by_role("heading", name="Connect an org")).to_be_visible(timeout=90_000)
    secret_box = page.get_by_role("textbox", name="Client secret")
    expect(secret_box).to_have_value("")  # the demo's own secret is not pre-filled either
    choose_option(page, "Data centre", "EU (https://accounts.zoho.eu)")
    expect(page.get_by_role("textbox", name="Client secret")).to_have_attribute(
        "placeholder", "leave empty to use the secret set on the server", timeout=30_000)
    expect(page.get_by_role("textbox", name="Client secret")).to_have_value("")
    page.screenshot(path=str(screenshot_dir / "connect_form_secret_empty.png"), full_page=True)
    assert SERVER_CLIENT_SECRET not in page.content()
    assert not any(SERVER_CLIENT_SECRET.encode() in frame for frame in received)
    assert not any(b"emulator-demo-secret" in frame for frame in received)
    page.close()


def test_markdown_in_an_import_error_is_shown_as_text_not_a_link(app_url: str, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(app_url)
    sign_in(page, DEMO_ADMIN.email, DEMO_ADMIN.password)
    line = {"kind": "meeting", "id": "md-1", "title": "**bold** <b>x</b>", "start": EVIL_LINK,
            "end": "2026-01-01T10:00:00+00:00", "user_email": DEMO_ADMIN.email, "attendees": []}
    import_conversations(page, "markdown.jsonl", (json.dumps(line) + "\n").encode())
    alert = page.get_by_test_id("stAlert").filter(has_text="needs a date and a time")
    expect(alert).to_contain_text(f"got '{EVIL_LINK}'")
    assert alert.locator("a").count() == 0
    assert page.locator("a[href*='evil.example']").count() == 0
    page.close()


def test_an_exported_title_that_is_a_formula_is_neutralised(app_url: str, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(app_url)
    sign_in(page, DEMO_ADMIN.email, DEMO_ADMIN.password)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    line = {"kind": "meeting", "id": "formula-1", "title": EVIL_FORMULA, "start": start.isoformat(),
            "end": (start + timedelta(minutes=30)).isoformat(), "user_email": DEMO_ADMIN.email,
            "organizer": DEMO_ADMIN.email, "attendees": [DEMO_ADMIN.email]}
    import_conversations(page, "formula.jsonl", (json.dumps(line) + "\n").encode())
    search_conversations(page, "formula-1")
    expect(page.get_by_text(re.compile(r"^Rows 1–1 of 1,"))).to_be_visible(timeout=30_000)
    _, rows = export_csv(page)
    assert [r["title"] for r in rows] == ["'" + EVIL_FORMULA]
    with page.expect_download(timeout=30_000) as download:
        page.get_by_role("button", name="Export CSV").click()
    raw = download.value.path().read_text(encoding="utf-8")
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
               for row in csv.reader(io.StringIO(raw)) for cell in row)
    page.close()
