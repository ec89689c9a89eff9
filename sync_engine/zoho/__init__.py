"""HTTP client for one Zoho CRM org connection.

``ZohoClient(Connection(...), observer)`` is the entry point; every HTTP attempt reaches ``observer``
as an :class:`ApiCall` for the credit ledger. Errors are the typed exceptions of :mod:`.errors`.
"""
from sync_engine.zoho.calls import ApiCall, CallObserver, attributed_to, current_attribution
from sync_engine.zoho.client import Connection, CoqlResult, ZohoClient
from sync_engine.zoho.datacentres import DATA_CENTRES, DataCentre, by_accounts_url, by_code
from sync_engine.zoho.errors import (
    AuthError,
    OAuthError,
    RateLimited,
    RecordError,
    ServerError,
    TransportError,
    WriteOutcomeUnknown,
    ZohoError,
)
from sync_engine.zoho.queries import coql_quote, criterion, escape_criteria_value
from sync_engine.zoho.records import RecordResult
from sync_engine.zoho.retry import RetryPolicy

__all__ = [
    "DATA_CENTRES", "ApiCall", "AuthError", "CallObserver", "Connection", "CoqlResult", "DataCentre", "OAuthError",
    "RateLimited", "RecordError", "RecordResult", "RetryPolicy", "ServerError", "TransportError",
    "WriteOutcomeUnknown", "ZohoClient", "ZohoError", "attributed_to", "by_accounts_url", "by_code", "coql_quote",
    "criterion", "current_attribution", "escape_criteria_value",
]
