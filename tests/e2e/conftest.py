"""Real browser tests: the app served by ``streamlit run`` and driven by Playwright in Debian's chromium."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from browser_sign_in import NEW_ADMIN
from playwright.sync_api import Browser, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / "tests" / "e2e" / "screenshots"
# The operator's client secret, set on the server: no page may send it to the browser (test_safe_by_default.py).
SERVER_CLIENT_SECRET = "server-only-client-secret-7f3a9c"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SYNC_DATA_DIR": str(tmp_path_factory.mktemp("app-data")),
           "ZOHO_CLIENT_SECRET": SERVER_CLIENT_SECRET}
    subprocess.run([sys.executable, "-m", "sync_engine", "accounts", "add", "--email", NEW_ADMIN[0], "--name",
                    "New Admin", "--role", "admin", "--password-stdin"], input=NEW_ADMIN[1] + "\n", text=True,
                   cwd=ROOT, env=env, check=True, capture_output=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(proc, url)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_until_healthy(proc: subprocess.Popen, url: str, timeout_s: float = 90) -> None:
    """Until the started streamlit answers its health check; fails if it exits or takes too long."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{proc.stdout.read() if proc.stdout else ''}")
        try:
            if requests.get(f"{url}/_stcore/health", timeout=1).ok:
                return
        except requests.ConnectionError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit did not become healthy within {timeout_s:.0f} s")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (./dev test does)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"])
        yield browser
        browser.close()


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
