"""One DuckDB file per process, shared safely by the app's threads (pages, scheduler jobs, client).

DuckDB's model, from its docs (connect/concurrency, guides/python/multiple_threads): a single
process owns a read-write file; inside it, one connection is opened and every thread works through
its own ``cursor()`` -- a connection object must not be used by two threads at once. Writers use
optimistic concurrency, so two transactions touching the same row make the second fail with a
conflict. We avoid that failure mode instead of retrying it: every write transaction holds one
process-wide lock, while reads run on their own cursors without it, against a consistent snapshot.

``transaction()`` nests: a repository method opens one, and a caller that must commit several
repositories' writes atomically (rows and the cursor that covers them, a release and the work it
releases) wraps them in an outer one, which the inner calls join.
"""
from __future__ import annotations

import os
import re
import stat
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from sync_engine.store.migrations import MIGRATIONS, Migration, current_version, migrate

PRIVATE_FILE, PRIVATE_DIR = 0o600, 0o700


def keep_private(path: Path) -> None:
    """The database holds password hashes and people's data: only this user may read it.

    DuckDB creates its files (the database, its ``.wal``, spill files) with the process's umask, and
    the WAL comes and goes with every checkpoint, so the umask is narrowed for the whole process
    (nothing this process writes is for others), the directory is made 0700, and files already there
    -- from an older release, or copied in -- are brought to 0600. A shared directory that is not
    ours (``/tmp``, sticky) is left as it is.
    """
    os.umask(os.umask(0o077) | 0o077)
    directory = path.parent
    directory.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    info = directory.stat()
    if info.st_mode & 0o077 and info.st_uid == os.getuid() and not info.st_mode & stat.S_ISVTX:
        directory.chmod(PRIVATE_DIR)
    for file in (path, path.with_name(path.name + ".wal")):
        if file.exists() and file.stat().st_mode & 0o077:
            file.chmod(PRIVATE_FILE)


class DatabaseInUse(RuntimeError):
    """Another process holds the database file (DuckDB allows one writer process); ``str()`` says which and
    what to do, in one line."""

    def __init__(self, path: Path, pid: int | None, program: str) -> None:
        holder = f"process {pid} ({program})" if pid else f"another process ({program})"
        super().__init__(f"the database {path} is in use by {holder}: the app or `python -m sync_engine run` "
                         "keeps it open while it runs. Stop that process (or do this from the app's pages), "
                         "or point --db / SYNC_DATA_DIR at another file, then try again.")
        self.pid = pid


_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


def _in_use(path: Path, error: duckdb.IOException) -> DatabaseInUse | None:
    """DuckDB's lock error names the holder's program and PID; its command line says more, when readable."""
    found = _LOCK_HOLDER.search(str(error))
    if found is None:
        return None
    pid = int(found["pid"])
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        command = ""
    return DatabaseInUse(path, pid, command or found["program"])


class StoreClosedError(RuntimeError):
    """The store was closed; whoever still holds it outlived the runtime that owned it."""


class Store:
    """The engine's DuckDB file: opened, migrated to the latest schema, and shared across threads."""

    def __init__(self, path: str | Path, migrations: Sequence[Migration] = MIGRATIONS) -> None:
        self.path = Path(path)
        keep_private(self.path)
        try:
            self._conn: duckdb.DuckDBPyConnection | None = duckdb.connect(str(self.path))
        except duckdb.IOException as err:
            in_use = _in_use(self.path, err)
            if in_use is None:
                raise
            raise in_use from None
        keep_private(self.path)  # a file created just now, or one an older release left readable
        self._write_lock = threading.Lock()
        self._local = threading.local()
        try:
            # Sessions default to the machine's zone; UTC keeps date_trunc buckets and the
            # datetimes handed back to Python identical on every server.
            self._conn.execute("SET GLOBAL TimeZone = 'UTC'")
            migrate(self._conn, migrations)
        except BaseException:
            self._conn.close()
            self._conn = None
            raise

    @property
    def schema_version(self) -> int:
        with self.reading() as cursor:
            return current_version(cursor)

    @property
    def in_transaction(self) -> bool:
        """Whether this thread is inside ``transaction()`` (so a new, separate one would deadlock)."""
        return getattr(self._local, "cursor", None) is not None

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A write transaction: committed when the block ends, rolled back if it raises.

        Inside another ``transaction()`` on the same thread, joins it instead of starting a new one.
        """
        active = getattr(self._local, "cursor", None)
        if active is not None:
            yield active
            return
        with self._write_lock:
            cursor = self._connection().cursor()
            self._local.cursor = cursor
            try:
                cursor.execute("BEGIN TRANSACTION")
                try:
                    yield cursor
                except BaseException:
                    cursor.execute("ROLLBACK")
                    raise
                cursor.execute("COMMIT")
            finally:
                self._local.cursor = None
                cursor.close()

    @contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor for reads; inside a transaction it is that transaction's, so it sees its writes."""
        active = getattr(self._local, "cursor", None)
        if active is not None:
            yield active
            return
        cursor = self._connection().cursor()
        try:
            yield cursor
        finally:
            cursor.close()

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Run one read query and fetch every row."""
        with self.reading() as cursor:
            return cursor.execute(sql, params).fetchall()

    def close(self) -> None:
        """Wait for the running write transaction, then close the file. Idempotent."""
        with self._write_lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._conn is None else "open"
        return f"Store({str(self.path)!r}, {state})"

    def _connection(self) -> duckdb.DuckDBPyConnection:
        if self._conn is None:
            raise StoreClosedError(f"the store at {self.path} is closed")
        return self._conn
