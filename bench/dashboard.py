"""Dashboard render times with the large preset's data: 1M conversations, 10M credit-ledger rows.

    python bench/dashboard.py            # generate the DuckDB file (~1-2 min), then time every page
    python bench/dashboard.py --reuse    # time the pages against the file the last run left
    python bench/dashboard.py --conversations 50000 --ledger-rows 500000 --no-record   # a quick look

The data is written by ``bench/dashboard_data.py`` with set-based SQL (see there for the shapes and
distributions): five orgs of different sizes, 1,000 users, 90 days of meetings and calls with their
matches, the write-back outbox, 30 days of ledger rows with each org's initial-sync spike, and the
scheduler's job runs. No Zoho is involved: the app runs with ``SYNC_NO_DEMO`` and ``SYNC_NO_SCHEDULER``.

Each page is rendered by Streamlit's AppTest, in-process, the way tests/ui runs the app: "first" is
the page's first render with the data cache cleared (what a user switching to it after a minute
waits for), "warm" the rerun right after (a filter changed; cached figures reused). The default org
is the largest (45% of the rows). Target: every page <= 2 s.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from bench.dashboard_data import ORGS, Scale, generate  # noqa: E402
from bench.report import record  # noqa: E402

TARGET_S = 2.0
PAGES = {  # role -> the pages timed as that role (Settings is the admin's only)
    "csm": (("Connection", "pages/connection.py"), ("Conversations", "pages/conversations.py"),
            ("Write-back", "pages/writeback.py"), ("Jobs", "pages/jobs.py"), ("Credits", "pages/credits.py"),
            ("Match rates", "pages/match_rates.py")),
    "admin": (("Settings", "pages/settings.py"),),
}
ACCOUNTS = {"csm": ("bench.csm@ops.example", "Bench CSM", "bench-csm-password-1"),
            "admin": ("bench.admin@ops.example", "Bench admin", "bench-admin-password-1")}


def build(data_dir: Path, scale: Scale) -> tuple[float, dict[str, int]]:
    from sync_engine.runtime import open_runtime

    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    started = time.perf_counter()
    rt = open_runtime()
    try:
        counts = generate(rt, scale)
        rt.store.query("CHECKPOINT")
    finally:
        rt.close()
    return time.perf_counter() - started, counts


def sign_in_as(app: AppTest, role: str) -> bool:
    """Sign in as a CSM (every org) or the admin of the largest org, the way tests/ui/conftest.py does."""
    from sync_engine.service import access

    labels = {t.label for t in app.text_input}
    if not {"Email", "Password"} <= labels or "runtime" not in app.session_state:
        return False
    email, name, password = ACCOUNTS[role]
    try:
        access.create_account(app.session_state["runtime"], email, name, role, password,
                              org_id=ORGS[0].org_id if role == "admin" else None)
    except access.AccountRefused:
        pass  # it exists already (a --reuse run)
    fields = {t.label: t for t in app.text_input}
    fields["Email"].set_value(email)
    fields["Password"].set_value(password)
    next(b for b in app.button if b.label == "Sign in").click()
    app.run()
    if app.exception:
        raise RuntimeError(f"sign-in failed: {app.exception[0].value}")
    return True


def time_run(app: AppTest) -> float:
    started = time.perf_counter()
    app.run()
    elapsed = time.perf_counter() - started
    if app.exception:
        raise RuntimeError(f"the page raised: {app.exception[0].value}")
    return elapsed


def time_pages(default_timeout: float, role: str) -> tuple[float, list[tuple[str, float, float]]]:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=default_timeout)
    started = time.perf_counter()
    app.run()
    startup = time.perf_counter() - started
    print(f"signed in as {role}: {sign_in_as(app, role)}", flush=True)
    results = []
    for title, path in PAGES[role]:
        if not (ROOT / path).exists():
            continue
        st.cache_data.clear()
        app.switch_page(path)
        first = time_run(app)
        warm = time_run(app)
        results.append((title, first, warm))
        print(f"{title:15s} first {first:6.2f} s   warm {warm:6.2f} s", flush=True)
    return startup, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "tmp" / "dashboard-bench")
    parser.add_argument("--reuse", action="store_true", help="time the pages against the existing file")
    parser.add_argument("--conversations", type=int, default=Scale.conversations)
    parser.add_argument("--ledger-rows", type=int, default=Scale.ledger_rows)
    parser.add_argument("--no-record", action="store_true", help="print only; leave BENCHMARKS.md alone")
    args = parser.parse_args()
    os.environ.update({"SYNC_DATA_DIR": str(args.data_dir), "SYNC_NO_DEMO": "1", "SYNC_NO_SCHEDULER": "1"})
    scale = Scale(conversations=args.conversations, ledger_rows=args.ledger_rows)
    db = args.data_dir / "sync.duckdb"

    rows: list[tuple[str, str]] = []
    if not (args.reuse and db.exists()):
        generated_s, counts = build(args.data_dir, scale)
        print(f"generated in {generated_s:.1f} s: {counts}", flush=True)
        rows.append(("data generation (SQL, one transaction)", f"{generated_s:.1f} s; " + ", ".join(
            f"{t} {n:,}" for t, n in counts.items())))
    rows.append(("DuckDB file size", f"{db.stat().st_size / 2**20:,.0f} MiB"))

    startup, pages = time_pages(default_timeout=600, role="csm")
    pages += time_pages(default_timeout=600, role="admin")[1]
    print(f"app start (runtime opened, first page): {startup:.2f} s")
    rows.append(("app start (open the file, first render)", f"{startup:.2f} s"))
    for title, first, warm in pages:
        verdict = "ok" if max(first, warm) <= TARGET_S else "over the target"
        rows.append((f"{title}: first render / warm rerun", f"{first:.2f} s / {warm:.2f} s ({verdict})"))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(("peak RSS, whole process", f"{peak:,.0f} MiB"))
    print(f"peak RSS {peak:,.0f} MiB")
    if not args.no_record:
        largest = ORGS[0]
        record("Dashboard render times (issue 7)", "python bench/dashboard.py", rows,
               f"Five orgs ({', '.join(f'{o.name} {o.share}%' for o in ORGS)}), {scale.users:,} users, "
               f"{scale.conversation_days} days of conversations, {scale.ledger_days} days of ledger rows "
               f"({scale.initial_share:.0%} of them the orgs' initial syncs). Pages rendered in-process by "
               f"Streamlit's AppTest, signed in as a CSM (Settings as the admin of the default org), on the "
               f"default org ({largest.name}, the largest); first = data cache cleared, warm = the rerun after it. "
               f"Target: each page <= {TARGET_S:.0f} s.")


if __name__ == "__main__":
    main()
