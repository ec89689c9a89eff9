"""The credit ledger's write-ahead journal: every call is on disk before it leaves and when it is answered.

Writing each call to DuckDB as it happens would put a transaction (and a wait for the process-wide
write lock, held for seconds by a mirror batch) on the path of every Zoho call. Instead each process
appends one JSON line per event — ``sent`` before the request goes out, ``answered`` when it comes
back — to its own journal file beside the database, and the ledger moves them into DuckDB in batches.
An append is a ``write(2)`` to a file opened with ``O_APPEND``: it is in the kernel when the call
returns, so a ``kill -9`` loses nothing (a power cut can lose what the kernel had not yet written to
disk; the journal does not ``fsync``).

Each flush starts a new segment: the calls still open are copied into it, and the old segment is
deleted once its rows are committed. A process holds an ``flock`` on its own lock file for its whole
life; the next process to open the ledger replays the segments of owners that no longer hold theirs
(``orphans``): answered calls as they were, sent ones at their expected price, marked unanswered.
A segment is replayed by call id, so one whose rows were committed just before the kill adds nothing.
"""
from __future__ import annotations

import fcntl
import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from sync_engine.zoho.calls import ApiCall

LOCK_SUFFIX = ".lock"
SEGMENT_SUFFIX = ".jsonl"


def encode(call: ApiCall) -> bytes:
    record = dict(vars(call))  # flat and frozen: no need for dataclasses.asdict's deep copy
    record["at"] = call.at.isoformat()
    return (json.dumps(record, separators=(",", ":")) + "\n").encode()


def decode(line: bytes) -> ApiCall | None:
    """One journal line; None for a line cut short by a kill in the middle of writing it."""
    try:
        record = json.loads(line)
        record["at"] = datetime.fromisoformat(record["at"])
        return ApiCall(**record)
    except (ValueError, TypeError, KeyError):
        return None


@dataclass
class Replay:
    """What a dead process's journal says: settled calls, and calls sent with nothing written after."""

    answered: list[ApiCall] = field(default_factory=list)
    unanswered: list[ApiCall] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


class Journal:
    """One process's journal: an owner lock file and numbered segments, all private to the user."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.owner = f"{os.getpid()}-{secrets.token_hex(4)}"
        self._lock_fd = os.open(directory / f"{self.owner}{LOCK_SUFFIX}", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._number = 0
        self._fd = self._open_segment()

    def _segment_path(self, number: int) -> Path:
        return self.directory / f"{self.owner}.{number:09d}{SEGMENT_SUFFIX}"

    def _open_segment(self) -> int:
        return os.open(self._segment_path(self._number), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def append(self, call: ApiCall) -> None:
        """Callers serialise appends and rotations (the ledger's lock)."""
        os.write(self._fd, encode(call))

    def rotate(self, still_open: list[ApiCall]) -> Path:
        """Start a new segment holding the calls still open; returns the old one, to discard once committed."""
        old, old_fd = self._segment_path(self._number), self._fd
        self._number += 1
        self._fd = self._open_segment()
        if still_open:
            os.write(self._fd, b"".join(encode(call) for call in still_open))
        os.close(old_fd)
        return old

    @staticmethod
    def discard(segment: Path) -> None:
        segment.unlink(missing_ok=True)

    def close(self) -> None:
        """Everything was committed: remove the current segment and the owner's lock."""
        os.close(self._fd)
        self._segment_path(self._number).unlink(missing_ok=True)
        (self.directory / f"{self.owner}{LOCK_SUFFIX}").unlink(missing_ok=True)
        os.close(self._lock_fd)


def orphans(directory: Path) -> Iterator[Replay]:
    """The journals of processes that died (their owner lock is free), one Replay per dead process."""
    if not directory.is_dir():
        return
    for lock in sorted(directory.glob(f"*{LOCK_SUFFIX}")):
        owner = lock.name[: -len(LOCK_SUFFIX)]
        fd = os.open(lock, os.O_RDWR)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # alive
            yield replay(sorted(directory.glob(f"{owner}.*{SEGMENT_SUFFIX}")) + [lock])
        finally:
            os.close(fd)


def replay(files: list[Path]) -> Replay:
    """Merge an owner's segments (oldest first): an answer wins over the notice that it was sent."""
    sent: dict[str, ApiCall] = {}
    answered: dict[str, ApiCall] = {}
    for path in files:
        if path.suffix != SEGMENT_SUFFIX:
            continue
        for line in path.read_bytes().splitlines():
            call = decode(line)
            if call is None or call.call_id is None:
                continue
            (answered if call.settled else sent)[call.call_id] = call
    unanswered = [replace(call, settled=True) for call_id, call in sent.items() if call_id not in answered]
    return Replay(list(answered.values()), unanswered, files)
