"""Everything one running emulator holds: the org's data and the rules' bookkeeping."""
from __future__ import annotations

from dataclasses import dataclass, field

from zoho_emulator.control.faults import Faults
from zoho_emulator.engine.clock import Clock
from zoho_emulator.engine.listing import ListingCache, PageTokens
from zoho_emulator.engine.metering import CallLog, ConcurrencyGates, CreditWindow
from zoho_emulator.engine.oauth import Accounts
from zoho_emulator.model.editions import SUB_CONCURRENCY, limits_for
from zoho_emulator.model.org import OrgData

DEFAULT_CLIENT_ID = "1000.EMULATORDEMOCLIENT"
DEFAULT_CLIENT_SECRET = "emulator-demo-secret"
DEFAULT_REDIRECT_URIS = ("http://localhost:8501/", "http://127.0.0.1:8501/")
ALL_SCOPES = frozenset({
    "ZohoCRM.modules.ALL", "ZohoCRM.settings.ALL", "ZohoCRM.users.READ", "ZohoCRM.org.READ",
    "ZohoCRM.coql.READ", "ZohoCRM.bulk.READ", "ZohoSearch.securesearch.READ", "ZohoCRM.apis.READ",
})


@dataclass
class EmulatorState:
    data: OrgData
    clock: Clock = field(default_factory=Clock)
    accounts: Accounts = field(default_factory=Accounts)
    credits: CreditWindow = field(default_factory=CreditWindow)
    calls: CallLog = field(default_factory=CallLog)
    faults: Faults = field(default_factory=Faults)
    listing: ListingCache = field(default_factory=ListingCache)
    page_tokens: PageTokens = field(default_factory=PageTokens)
    gates: ConcurrencyGates | None = None
    base_url: str = ""
    # Whether Zoho charges calls it rejects for bad input is unverified (zoho-api.md §2); the
    # emulator charges them by default, so a client that sends bad calls sees the cost.
    charge_client_errors: bool = True
    search_index_lag_s: int = 0
    extras: dict = field(default_factory=dict)  # per-feature state (bulk jobs, ...)

    def __post_init__(self) -> None:
        if self.gates is None:
            self.gates = ConcurrencyGates(self.edition_limits.concurrency, SUB_CONCURRENCY)

    @property
    def edition_limits(self):
        return limits_for(self.data.org.edition)

    def daily_limit(self) -> int:
        org = self.data.org
        return self.edition_limits.daily_credits(org.licences, org.add_on_credits)

    def used_credits(self) -> int:
        return self.credits.used(self.clock.now())

    def remaining_credits(self) -> int:
        return max(0, self.daily_limit() - self.used_credits())
