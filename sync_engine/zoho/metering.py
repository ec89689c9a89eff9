"""Every HTTP attempt becomes one :class:`ApiCall` for the credit ledger, attributed to a job and user.

The attribution is read from :func:`calls.current_attribution` in the calling thread, so whoever
wraps work in ``attributed_to(job=…, user=…)`` is charged for it, retries and refreshes included.
"""
from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sync_engine.zoho.calls import ApiCall, CallObserver, current_attribution

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stopwatch:
    """When an attempt was sent, and a monotonic start for its latency."""

    at: datetime
    started: float
    call_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    @classmethod
    def start(cls) -> Stopwatch:
        return cls(datetime.now(UTC), time.perf_counter())

    def elapsed_ms(self) -> float:
        return round((time.perf_counter() - self.started) * 1000, 2)


class Meter:
    """Hands one ApiCall per attempt to the observer; a failing observer never fails the call.

    With a ``sent_observer``, ``start`` first hands it the attempt as *sent* at its expected price,
    before the request leaves; the answer (``record``) carries the same ``call_id``.
    """

    def __init__(self, org_id: str, observer: CallObserver, sent_observer: CallObserver | None = None) -> None:
        self.org_id = org_id
        self.observer = observer
        self.sent_observer = sent_observer

    def start(self, *, method: str, api: str, path: str, module: str | None, price: int) -> Stopwatch:
        """Start an attempt's stopwatch, announcing the attempt first when someone listens for that."""
        watch = Stopwatch.start()
        if self.sent_observer is not None:
            who = current_attribution()
            self._notify(self.sent_observer, ApiCall(
                org_id=self.org_id, at=watch.at, method=method, api=api, path=path, module=module, http_status=0,
                zoho_code=None, credits=price, latency_ms=0.0, job=who.job, user=who.user, call_id=watch.call_id,
                settled=False, answered=False))
        return watch

    def record(self, watch: Stopwatch, *, method: str, api: str, path: str, module: str | None,
               http_status: int, zoho_code: str | None, credits: int, answered: bool = True) -> ApiCall:
        who = current_attribution()
        call = ApiCall(org_id=self.org_id, at=watch.at, method=method, api=api, path=path, module=module,
                       http_status=http_status, zoho_code=zoho_code, credits=credits,
                       latency_ms=watch.elapsed_ms(), job=who.job, user=who.user, call_id=watch.call_id,
                       answered=answered)
        self._notify(self.observer, call)
        return call

    @staticmethod
    def _notify(observer: CallObserver, call: ApiCall) -> None:
        try:
            observer(call)
        except Exception:  # the call happened; losing its ledger row is bad, failing the caller is worse
            log.exception("call observer failed for %s %s", call.api, call.path)
