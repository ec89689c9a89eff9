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

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from sync_engine.store.migrations import MIGRATIONS, Migration, current_version, migrate


class StoreClosedError(RuntimeError):
    """The store was closed; whoever still holds it outlived the runtime that owned it."""


class Store:
    """The engine's DuckDB file: opened, migrated to the latest schema, and shared across threads."""

    def __init__(self, path: str | Path, migrations: Sequence[Migration] = MIGRATIONS) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn: duckdb.DuckDBPyConnection | None = duckdb.connect(str(self.path))
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
