"""The client-side concurrency cap: never more in flight than allowed, resizable, edition-aware."""
from __future__ import annotations

import threading
import time

import pytest

from sync_engine.zoho.concurrency import ConcurrencyLimit, safe_concurrency


@pytest.mark.parametrize("edition, cap", [
    (None, 4), ("free", 4), ("standard", 8), ("professional", 12), ("enterprise", 16), ("Ultimate", 20),
    ("something new", 4)])
def test_caps_stay_under_each_editions_limit(edition, cap):
    assert safe_concurrency(edition) == cap


def test_no_more_than_capacity_in_flight_and_resizing_takes_effect():
    limit = ConcurrencyLimit(3)
    peak, lock = [0], threading.Lock()

    def call() -> None:
        with limit.slot():
            with lock:
                peak[0] = max(peak[0], limit.in_flight)
            time.sleep(0.01)

    threads = [threading.Thread(target=call) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak[0] == 3 and limit.in_flight == 0
    limit.resize(6)
    assert limit.capacity == 6
    with pytest.raises(ValueError):
        limit.resize(0)
