"""Every CLI command, while another process (the app, ``run``) holds the database: one line naming that
process and what to do, never DuckDB's traceback."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Iterator
from itertools import takewhile
from pathlib import Path

import pytest

from sync_engine import cli

ROOT = Path(__file__).resolve().parents[2]


def leaf_commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> Iterator[list[str]]:
    """Each command line the parser accepts, with every required argument filled in."""
    subparsers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if subparsers:
        for name, sub in subparsers[0].choices.items():
            yield from leaf_commands(sub, (*prefix, name))
        return
    argv = list(prefix)
    for action in parser._actions:
        if not action.option_strings and action.dest != "help":
            argv.append("x.jsonl")  # a positional: the file to import
        elif action.required:
            argv += [action.option_strings[0], action.choices[0] if action.choices else "x"]
    for group in parser._mutually_exclusive_groups:
        if group.required:
            argv.append(next(a.option_strings[0] for a in group._group_actions if a.nargs == 0))
    yield argv


COMMANDS = list(leaf_commands(cli.parser()))


@pytest.fixture(scope="module")
def held_elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int]]:
    """A second process with the database open, as the app keeps it."""
    path = tmp_path_factory.mktemp("in-use") / "sync.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from sync_engine.store.db import Store; s = Store(sys.argv[1]); "
                               "print('open', flush=True); time.sleep(120)", str(path)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        yield path, holder.pid
    finally:
        holder.kill()
        holder.wait()


def test_every_command_is_listed() -> None:
    names = {" ".join(takewhile(lambda token: not token.startswith("-") and token != "x.jsonl", argv))
             for argv in COMMANDS}
    assert {"orgs", "import", "accounts add", "accounts remove", "writeback retry", "run", "connect"} <= names


@pytest.mark.parametrize("argv", COMMANDS, ids=[" ".join(a) for a in COMMANDS])
def test_a_command_says_in_one_line_which_process_holds_the_database(argv: list[str], held_elsewhere,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    path, pid = held_elsewhere
    assert cli.main(["--db", str(path), *argv]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1, err
    assert err.startswith(f"error: the database {path} is in use by process {pid} (")
    assert "sync_engine.store.db" in err or "python" in err  # the holder's command line
    assert "Stop that process" in err and "Traceback" not in err
