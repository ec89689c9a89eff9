"""Specification of the DuckDB store: migrations on open, transactions, and use from many threads."""
from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from sync_engine.store.db import Store, StoreClosedError
from sync_engine.store.migrations import MIGRATIONS, Migration, SchemaTooNewError, current_version, migrate

TABLES = {"schema_version", "orgs", "org_secrets", "credit_ledger", "zoho_users", "our_users", "user_map",
          "manual_user_map", "held_conversations", "pending_connections",
          "mirror_contacts", "mirror_leads", "mirror_accounts", "mirror_deals", "mirror_deal_stages",
          "mirror_contact_points", "mirror_orgs", "mirror_modules", "job_runs",
          "conversations", "conversation_matches", "activity_type_overrides", "activity_types",
          "deal_rules", "org_settings", "settings_audit", "writeback_outbox", "writeback_skips",
          "dashboard_accounts", "dashboard_sessions", "dashboard_sign_in_failures", "credit_ledger_daily",
          "demo_accounts_seeded", "org_access_tokens", "org_token_refreshes"}


def tables(store: Store) -> set[str]:
    return {name for (name,) in store.query("SELECT table_name FROM duckdb_tables()")}


def test_opening_creates_parent_dirs_and_the_latest_schema(tmp_path: Path) -> None:
    with Store(tmp_path / "deep" / "dir" / "engine.duckdb") as store:
        assert store.schema_version == MIGRATIONS[-1].version
        assert tables(store) == TABLES
        names = store.query("SELECT name FROM schema_version ORDER BY version")
        assert [name for (name,) in names] == [m.name for m in MIGRATIONS]


def test_an_older_file_is_upgraded_in_place_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "engine.duckdb"
    with Store(path, migrations=MIGRATIONS[:1]) as old:
        assert old.schema_version == 1
        assert "credit_ledger" not in tables(old)
        with old.transaction() as cursor:
            cursor.execute("INSERT INTO orgs (org_id, name, data_centre, accounts_url, client_id) "
                           "VALUES ('acme', 'Acme', 'EU', 'https://accounts.zoho.eu', '1000.X')")
    with Store(path) as upgraded:
        assert upgraded.schema_version == MIGRATIONS[-1].version
        assert tables(upgraded) == TABLES
        assert upgraded.query("SELECT org_id, name, budget_share, status FROM orgs") == [
            ("acme", "Acme", 0.2, "connected")]


def test_reopening_an_up_to_date_file_applies_nothing(tmp_path: Path) -> None:
    Store(tmp_path / "e.duckdb").close()
    conn = duckdb.connect(str(tmp_path / "e.duckdb"))
    try:
        assert migrate(conn) == []
        assert current_version(conn) == MIGRATIONS[-1].version
    finally:
        conn.close()


def backfill_full_name(conn: duckdb.DuckDBPyConnection) -> None:
    rows = conn.execute("SELECT email FROM people").fetchall()
    for (email,) in rows:
        conn.execute("UPDATE people SET name = ? WHERE email = ?", [email.split("@")[0].title(), email])


PEOPLE = [
    Migration(1, "people", "CREATE TABLE people (email VARCHAR PRIMARY KEY)"),
    Migration(2, "people get names", "ALTER TABLE people ADD COLUMN name VARCHAR"),
    Migration(3, "names backfilled in Python", backfill_full_name),
]


def test_a_python_migration_rewrites_rows_after_an_alter_table(tmp_path: Path) -> None:
    path = tmp_path / "people.duckdb"
    with Store(path, migrations=PEOPLE[:1]) as store, store.transaction() as cursor:
        cursor.execute("INSERT INTO people VALUES ('ann@x.io'), ('bob@x.io')")
    with Store(path, migrations=PEOPLE) as store:
        assert store.query("SELECT email, name FROM people ORDER BY email") == [
            ("ann@x.io", "Ann"), ("bob@x.io", "Bob")]


def test_a_failing_migration_rolls_back_and_leaves_the_previous_version(tmp_path: Path) -> None:
    path = tmp_path / "e.duckdb"
    broken = [*PEOPLE[:2], Migration(3, "half done", "CREATE TABLE half (x INT); SELECT * FROM no_such_table")]
    with pytest.raises(duckdb.CatalogException):
        Store(path, migrations=broken)
    with Store(path, migrations=PEOPLE[:2]) as store:
        assert store.schema_version == 2
        assert "half" not in tables(store)


def test_a_file_from_a_newer_release_is_refused(tmp_path: Path) -> None:
    Store(tmp_path / "e.duckdb").close()
    with pytest.raises(SchemaTooNewError, match="upgrade the app"):
        Store(tmp_path / "e.duckdb", migrations=MIGRATIONS[:2])


def test_migrations_must_be_numbered_without_gaps(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="expected 2"):
        Store(tmp_path / "e.duckdb", migrations=[PEOPLE[0], PEOPLE[2]])


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "engine.duckdb", migrations=PEOPLE[:1])
    yield opened
    opened.close()


def emails(store: Store) -> list[str]:
    return [email for (email,) in store.query("SELECT email FROM people ORDER BY email")]


def test_a_transaction_commits_when_the_block_ends(store: Store) -> None:
    with store.transaction() as cursor:
        cursor.execute("INSERT INTO people VALUES ('a@x.io')")
    assert emails(store) == ["a@x.io"]


def test_a_transaction_rolls_back_when_the_block_raises(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as cursor:
        cursor.execute("INSERT INTO people VALUES ('a@x.io')")
        raise RuntimeError("crash after the write")
    assert emails(store) == []


def test_nested_transactions_join_the_outer_one_and_roll_back_with_it(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as outer:
        outer.execute("INSERT INTO people VALUES ('a@x.io')")
        with store.transaction() as inner:
            assert inner is outer
            inner.execute("INSERT INTO people VALUES ('b@x.io')")
        assert emails(store) == ["a@x.io", "b@x.io"]  # reads inside see the transaction's own writes
        raise RuntimeError("the outer work failed")
    assert emails(store) == []


def test_readers_on_other_threads_do_not_see_uncommitted_writes(store: Store) -> None:
    seen: list[list[str]] = []
    with store.transaction() as cursor:
        cursor.execute("INSERT INTO people VALUES ('a@x.io')")
        reader = threading.Thread(target=lambda: seen.append(emails(store)))
        reader.start()
        reader.join()
    assert seen == [[]]
    assert emails(store) == ["a@x.io"]


def test_many_threads_write_and_read_at_once_without_conflicts(store: Store) -> None:
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for i in range(50):
                with store.transaction() as cursor:
                    cursor.execute("INSERT INTO people VALUES (?)", [f"w{worker}-{i}@x.io"])
                    cursor.execute("UPDATE people SET email = email WHERE email LIKE 'w0-%'")  # same rows
                store.query("SELECT count(*) FROM people")
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.query("SELECT count(*) FROM people") == [(400,)]


def test_timestamps_come_back_in_utc_whatever_the_machine_zone(tmp_path: Path) -> None:
    with Store(tmp_path / "e.duckdb") as store:
        [(bucket,)] = store.query("SELECT date_trunc('day', ?::TIMESTAMPTZ)",
                                  [datetime(2024, 1, 1, 23, 30, tzinfo=UTC)])
        assert bucket == datetime(2024, 1, 1, tzinfo=UTC)
        assert bucket.utcoffset().total_seconds() == 0


def test_a_closed_store_says_so(tmp_path: Path) -> None:
    store = Store(tmp_path / "e.duckdb")
    store.close()
    store.close()
    with pytest.raises(StoreClosedError):
        store.query("SELECT 1")
    assert "closed" in repr(store)


# -- file permissions -------------------------------------------------------------------------------------
@pytest.fixture
def usual_umask() -> Iterator[None]:
    """A process with the common 022 umask, as a shell starts one (restored after the test)."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_and_its_wal_are_private_to_the_user_in_a_private_directory(tmp_path: Path,
                                                                                    usual_umask: None) -> None:
    path = tmp_path / "data" / "sync.duckdb"
    store = Store(path)
    with store.transaction() as cur:  # a commit writes the WAL next to the file
        cur.execute("CREATE TABLE people (email VARCHAR)")
        cur.execute("INSERT INTO people VALUES ('ana@corp.example')")
    wal = path.with_name("sync.duckdb.wal")
    assert wal.exists()
    assert (mode(path.parent), mode(path), mode(wal)) == (0o700, 0o600, 0o600)
    store.close()


def test_files_an_older_release_left_readable_are_made_private_on_open(tmp_path: Path, usual_umask: None) -> None:
    directory = tmp_path / "data"
    directory.mkdir(mode=0o755)
    path = directory / "sync.duckdb"
    Store(path).close()
    wal = path.with_name("sync.duckdb.wal")
    wal.write_bytes(b"")  # a WAL left behind by a crash
    for file, old in ((directory, 0o755), (path, 0o644), (wal, 0o644)):
        file.chmod(old)
    Store(path).close()
    assert (mode(directory), mode(path)) == (0o700, 0o600)
    assert not wal.exists() or mode(wal) == 0o600
