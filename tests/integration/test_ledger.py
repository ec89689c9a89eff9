"""Specification of the credit ledger: every call recorded, attributed, and summed the ways the app needs."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from sync_engine.store.credits.ledger import CreditBucket, CreditSum, Ledger
from sync_engine.store.db import Store
from sync_engine.zoho.calls import ApiCall

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def call(at: datetime = T0, org_id: str = "acme", credits: int = 1, api: str = "records.list",
         job: str | None = "mirror.initial", user: str | None = None, http_status: int = 200,
         zoho_code: str | None = None) -> ApiCall:
    return ApiCall(org_id=org_id, at=at, method="GET", api=api, path="/crm/v8/Contacts", module="Contacts",
                   http_status=http_status, zoho_code=zoho_code, credits=credits, latency_ms=12.5, job=job, user=user)


@pytest.fixture
def ledger(store: Store) -> Iterator[Ledger]:
    opened = Ledger(store, batch_size=100, flush_interval_s=None)
    yield opened
    opened.close()


def rows(store: Store) -> int:
    return store.query("SELECT count(*) FROM credit_ledger")[0][0]


def test_a_recorded_call_keeps_every_field(ledger: Ledger, store: Store) -> None:
    ledger.record(call(user="ann@acme.example", http_status=429, zoho_code="TOO_MANY_REQUESTS", credits=0))
    ledger.flush()
    assert store.query("SELECT * FROM credit_ledger") == [
        ("acme", T0, "GET", "records.list", "/crm/v8/Contacts", "Contacts", 429, "TOO_MANY_REQUESTS", 0, 12.5,
         "mirror.initial", "ann@acme.example", None, True)]


def test_calls_are_buffered_and_written_in_batches(ledger: Ledger, store: Store) -> None:
    for _ in range(99):
        ledger.record(call())
    assert rows(store) == 0 and ledger.pending == 99
    ledger.record(call())
    assert rows(store) == 100 and ledger.pending == 0


def test_the_background_flusher_writes_a_partial_batch(store: Store) -> None:
    ledger = Ledger(store, batch_size=1_000, flush_interval_s=0.05)
    try:
        ledger.record(call())
        deadline = time.monotonic() + 5
        while rows(store) == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert rows(store) == 1
    finally:
        ledger.close()


def test_ten_thousand_calls_from_four_threads_are_all_counted(store: Store) -> None:
    ledger = Ledger(store, batch_size=250, flush_interval_s=0.01)

    def client(worker: int) -> None:
        for i in range(2_500):
            ledger.record(call(at=T0 + timedelta(milliseconds=i), user=f"user{worker}@acme.example", credits=2))
            if i % 500 == 0:
                ledger.total("acme")  # readers interleave with writers

    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ledger.close()
    assert rows(store) == 10_000
    assert ledger.total("acme") == 20_000
    assert sorted((s.key, s.calls) for s in ledger.by_user("acme")) == [
        (f"user{n}@acme.example", 2_500) for n in range(4)]


def test_a_failed_write_keeps_the_batch_and_retries_it(ledger: Ledger, store: Store,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    real_insert = ledger._insert

    def broken(batch: list[ApiCall]) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(ledger, "_insert", broken)
    for _ in range(150):
        ledger.record(call())  # the batch-size flush fails quietly: the client is never disturbed
    assert ledger.pending == 150
    with pytest.raises(OSError):
        ledger.flush()
    monkeypatch.setattr(ledger, "_insert", real_insert)
    assert ledger.flush() == 150
    assert rows(store) == 150


def test_ledger_rows_do_not_roll_back_with_the_callers_transaction(store: Store) -> None:
    ledger = Ledger(store, batch_size=1, flush_interval_s=0.01)
    try:
        with pytest.raises(RuntimeError), store.transaction():
            ledger.record(call())  # a call made while this thread holds a transaction: left to the flusher
            raise RuntimeError("the work failed after spending the credit")
        ledger.close()
        assert ledger.total("acme") == 1
    finally:
        ledger.close()


def test_flushing_inside_a_transaction_is_refused(ledger: Ledger, store: Store) -> None:
    with store.transaction(), pytest.raises(RuntimeError, match="outside a store transaction"):
        ledger.flush()


def test_calls_recorded_after_close_are_written_at_once(ledger: Ledger, store: Store) -> None:
    ledger.close()
    ledger.record(call())
    assert rows(store) == 1


def test_totals_respect_the_org_and_the_window(ledger: Ledger) -> None:
    for hours, org, credits in [(0, "acme", 1), (1, "acme", 2), (2, "acme", 4), (1, "globex", 100)]:
        ledger.record(call(at=T0 + timedelta(hours=hours), org_id=org, credits=credits))
    assert ledger.total("acme") == 7
    assert ledger.total("acme", since=T0 + timedelta(hours=1)) == 6
    assert ledger.total("acme", until=T0 + timedelta(hours=2)) == 3
    assert ledger.total("globex") == 100
    assert ledger.total("initech") == 0


def test_used_last_24h_is_zohos_rolling_window(ledger: Ledger) -> None:
    now = T0 + timedelta(days=1)
    for at, credits in [(T0, 1000), (T0 + timedelta(seconds=1), 5), (now, 7), (now + timedelta(seconds=1), 9)]:
        ledger.record(call(at=at, credits=credits))
    assert ledger.used_last_24h("acme", now) == 12  # (now - 24 h, now]


def test_naive_datetimes_are_refused_in_queries(ledger: Ledger) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ledger.used_last_24h("acme", datetime(2025, 3, 1))


def test_breakdowns_by_user_job_and_api_put_the_biggest_spender_first(ledger: Ledger) -> None:
    ledger.record(call(user="ann@acme.example", job="push", api="records.create", credits=10))
    ledger.record(call(user="ann@acme.example", job="push", api="records.create", credits=0, http_status=0))
    ledger.record(call(user="bob@acme.example", job="push", api="records.create", credits=5))
    ledger.record(call(user=None, job="mirror.initial", api="bulk.read", credits=50))
    assert ledger.by_user("acme") == [CreditSum(None, 50, 1, 0), CreditSum("ann@acme.example", 10, 2, 1),
                                      CreditSum("bob@acme.example", 5, 1, 0)]
    assert ledger.by_job("acme") == [CreditSum("mirror.initial", 50, 1, 0), CreditSum("push", 15, 3, 1)]
    assert ledger.by_api("acme") == [CreditSum("bulk.read", 50, 1, 0), CreditSum("records.create", 15, 3, 1)]
    assert ledger.by_user("acme", since=T0 + timedelta(seconds=1)) == []


def test_by_org_shows_every_tenant_for_csms(ledger: Ledger) -> None:
    ledger.record(call(org_id="acme", credits=3))
    ledger.record(call(org_id="globex", credits=8))
    assert ledger.by_org() == [CreditSum("globex", 8, 1, 0), CreditSum("acme", 3, 1, 0)]


def test_series_fills_empty_buckets_with_zeros(ledger: Ledger) -> None:
    ledger.record(call(at=T0 + timedelta(minutes=10), credits=2))
    ledger.record(call(at=T0 + timedelta(minutes=50), credits=3))
    ledger.record(call(at=T0 + timedelta(hours=2, minutes=5), credits=4))
    ledger.record(call(at=T0 + timedelta(hours=2), org_id="globex", credits=99))
    series = ledger.series("acme", since=T0, until=T0 + timedelta(hours=3))
    assert series == [CreditBucket(T0, 5, 2), CreditBucket(T0 + timedelta(hours=1), 0, 0),
                      CreditBucket(T0 + timedelta(hours=2), 4, 1)]
    daily = ledger.series("acme", since=T0, until=T0 + timedelta(hours=3), bucket="day")
    assert daily == [CreditBucket(datetime(2025, 3, 1, tzinfo=UTC), 9, 3)]
    assert ledger.series("acme", since=T0, until=T0) == []


def test_series_refuses_an_unknown_bucket(ledger: Ledger) -> None:
    with pytest.raises(ValueError, match="hour"):
        ledger.series("acme", since=T0, bucket="fortnight")


def test_results_turn_into_a_dataframe_for_charts(ledger: Ledger) -> None:
    pandas = pytest.importorskip("pandas")
    ledger.record(call(credits=2))
    frame = pandas.DataFrame(ledger.series("acme", since=T0, until=T0 + timedelta(hours=1)))
    assert list(frame.columns) == ["start", "credits", "calls"] and frame["credits"].sum() == 2
