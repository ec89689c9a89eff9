"""The long-lived parts of one server process: the database, the ledger, org clients, the scheduler.

Built once (``st.cache_resource`` in the app, once in the CLI) and passed explicitly; nothing here
is a module-level global. The parts that stages above the store add (the scheduler, the credit
governor, the match-index cache, an embedded demo) are typed fields: their types are named for the
type checker only, so this module imports nothing above ``store`` and ``zoho``.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sync_engine.store.credits.ledger import Ledger
from sync_engine.store.db import Store
from sync_engine.store.job_runs import JobRuns
from sync_engine.store.orgs import OrgRepository
from sync_engine.store.pending import PendingConnections
from sync_engine.store.secret_box import SecretBox
from sync_engine.store.tokens import OrgTokens
from sync_engine.store.users import HeldConversations, UserRepository
from sync_engine.zoho import Connection, ZohoClient
from sync_engine.zoho.calls import ApiCall
from sync_engine.zoho.retry import RetryPolicy

if TYPE_CHECKING:
    from sync_engine.jobs.specs import JobSpec
    from sync_engine.matching.index import MatchIndex
    from sync_engine.writeback.governor import CreditGovernor

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "runtime"


def data_dir() -> Path:
    return Path(os.environ.get("SYNC_DATA_DIR") or DEFAULT_DATA_DIR)


class JobScheduler(Protocol):
    """The running scheduler, as pages and the service see it (``jobs.scheduler.SyncScheduler``)."""

    def reload(self) -> None: ...
    def run_now(self, org_id: str, name: str) -> None: ...
    def next_runs(self) -> dict[str, Any]: ...
    def shutdown(self) -> None: ...


class EmbeddedDemo(Protocol):
    """An embedded demo org served by a stand-in Zoho in this process (the top-level ``demo`` package)."""

    org_id: str
    client_id: str
    client_secret: str

    @property
    def url(self) -> str: ...
    def stop(self) -> None: ...


@dataclass
class Runtime:
    store: Store
    ledger: Ledger
    box: SecretBox
    orgs: OrgRepository
    users: UserRepository
    held: HeldConversations
    pending: PendingConnections
    job_runs: JobRuns
    _clients: dict[str, ZohoClient] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _closed: bool = field(default=False, repr=False)
    scheduler: JobScheduler | None = None  # set by whoever runs the jobs (the app, ``sync_engine run``)
    demo: EmbeddedDemo | None = None  # the embedded demo org, when this process serves one
    extra_jobs: tuple[JobSpec, ...] = ()  # jobs beside the product's own (the demo's simulator)
    governor: CreditGovernor | None = None  # made on first use by ``writeback.push.governor_of``
    match_indexes: dict[str, tuple[tuple[Any, ...], float, MatchIndex]] = field(default_factory=dict)
    client_timeout_s: float = 30.0  # per Zoho request; a benchmark shortens it to simulate timeouts
    client_retry: RetryPolicy | None = None  # None: the client's default; simulations shorten the waits
    clock: Callable[[], datetime] | None = None  # None: the wall clock; tests and simulations set their own

    def now(self) -> datetime:
        return self.clock() if self.clock is not None else datetime.now(UTC)

    def record_call(self, call: ApiCall) -> None:
        self.ledger.record(call)

    def client(self, org_id: str) -> ZohoClient:
        """The one client of a connected org (shared token, shared concurrency cap)."""
        with self._lock:
            client = self._clients.get(org_id)
            if client is None:
                org = self.orgs.get(org_id)
                secrets = self.orgs.connection_secrets(org_id)
                client = ZohoClient(Connection(org_id, org.accounts_url, org.api_domain or "", org.client_id,
                                               secrets.client_secret, secrets.refresh_token), self.record_call,
                                    timeout_s=self.client_timeout_s, retry=self.client_retry,
                                    token_keeper=OrgTokens(self.store, self.box, org_id),
                                    sent_observer=self.record_call, clock=lambda: self.now().timestamp())
                client.adopt_edition(org.edition)
                self._clients[org_id] = client
            return client

    def forget_client(self, org_id: str) -> None:
        with self._lock:
            client = self._clients.pop(org_id, None)
        if client is not None:
            client.close()

    def close(self) -> None:
        """Idempotent: clients, the demo, then the ledger (flushed) before the store."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()
        scheduler, self.scheduler = self.scheduler, None
        if scheduler is not None:
            scheduler.shutdown()
        demo, self.demo = self.demo, None
        if demo is not None:
            demo.stop()
        self.ledger.close()
        self.store.close()


def open_runtime(db_path: str | Path | None = None) -> Runtime:
    directory = data_dir()
    store = Store(db_path or directory / "sync.duckdb")
    box = SecretBox.from_environment(directory)
    return Runtime(store=store, ledger=Ledger(store), box=box, orgs=OrgRepository(store, box),
                   users=UserRepository(store), held=HeldConversations(store), pending=PendingConnections(store, box),
                   job_runs=JobRuns(store))
