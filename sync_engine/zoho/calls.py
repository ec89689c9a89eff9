"""The record of one HTTP call to Zoho, as the client hands it to the credit ledger.

Every attempt is one ``ApiCall`` — retries, failures and dropped connections included — so the
ledger can account for every credit and attribute it to the user or job that caused it. A ledger that
must survive a crash also gets a notice *before* each attempt leaves (``settled`` False, its expected
price): a call whose answer never comes is still on the books. A call that got no answer (a dropped
connection, a timeout after sending) is settled with ``answered`` False at its expected price: Zoho may
well have done, and charged, the work.
"""
from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ApiCall:
    org_id: str
    at: datetime  # when the call was sent (aware, UTC)
    method: str
    api: str  # what was called, e.g. "records.list", "coql", "bulk.create", "oauth.refresh"
    path: str
    module: str | None
    http_status: int  # 0 when no answer came (dropped connection, timeout)
    zoho_code: str | None  # Zoho's error code, None on success
    credits: int  # credits Zoho charged for it, per Zoho's cost table
    latency_ms: float
    job: str | None  # the job that made it ("mirror.initial", "push", ...)
    user: str | None  # the user it is attributed to (our user's email); None for org-wide work
    call_id: str | None = None  # one id per attempt: its "sent" notice and its answer carry the same
    settled: bool = True  # False: the notice that it is leaving (credits = its expected price)
    answered: bool = True  # False: no answer is known (credits = its expected price, Zoho's unknown)


CallObserver = Callable[[ApiCall], None]


@dataclass(frozen=True)
class Attribution:
    job: str | None = None
    user: str | None = None


_NOBODY = Attribution()
_current: contextvars.ContextVar[Attribution] = contextvars.ContextVar(
    "zoho_attribution", default=_NOBODY)  # noqa: B039 - Attribution is frozen


@contextmanager
def attributed_to(job: str | None = None, user: str | None = None) -> Iterator[Attribution]:
    """Calls made inside the block are charged to this job and user (nesting keeps the outer job)."""
    outer = _current.get()
    attribution = Attribution(job or outer.job, user if user is not None else outer.user)
    token = _current.set(attribution)
    try:
        yield attribution
    finally:
        _current.reset(token)


def current_attribution() -> Attribution:
    return _current.get()
