"""Write a benchmark's figures into its own section of BENCHMARKS.md, dated, replacing the last run's."""
from __future__ import annotations

import platform
import re
from datetime import date
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "BENCHMARKS.md"
PREAMBLE = ("# Benchmarks\n\nFigures written by the scripts in `bench/` (each rewrites its own section). "
            "Machine: 2 cores, 24 GiB, Python 3.11, loopback only.\n")


def record(section: str, command: str, rows: list[tuple[str, str]], notes: str = "") -> None:
    """Replace ``## section`` in BENCHMARKS.md with a table of (figure, value) rows."""
    text = BENCHMARKS.read_text() if BENCHMARKS.exists() else PREAMBLE
    body = [f"## {section}", "", f"Run {date.today().isoformat()} on {platform.machine()} "
            f"with `{command}`.", "", "| figure | value |", "|---|---|"]
    body += [f"| {name} | {value} |" for name, value in rows]
    if notes:
        body += ["", notes]
    block = "\n".join(body) + "\n"
    pattern = re.compile(rf"^## {re.escape(section)}\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(lambda _: block + "\n", text) if pattern.search(text) else text.rstrip() + "\n\n" + block
    BENCHMARKS.write_text(text.rstrip() + "\n")
