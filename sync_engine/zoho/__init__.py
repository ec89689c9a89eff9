"""HTTP client for one Zoho CRM org connection.

``ZohoClient(Connection(...), observer)`` is the entry point; every HTTP attempt reaches ``observer``
as an :class:`ApiCall` for the credit ledger. Errors are the typed exceptions of :mod:`.errors`.
"""
from .calls import ApiCall, CallObserver, attributed_to, current_attribution
from .client import Connection, CoqlResult, ZohoClient
from .datacentres import DATA_CENTRES, DataCentre, by_accounts_url, by_code
from .errors import (
                     AuthError,
                     OAuthError,
                     RateLimited,
                     RecordError,
                     ServerError,
                     TransportError,
                     WriteOutcomeUnknown,
                     ZohoError,
)
from .queries import coql_quote, criterion, escape_criteria_value
from .records import RecordResult
from .retry import RetryPolicy

__all__ = [
    "DATA_CENTRES", "ApiCall", "AuthError", "CallObserver", "Connection", "CoqlResult", "DataCentre", "OAuthError",
    "RateLimited", "RecordError", "RecordResult", "RetryPolicy", "ServerError", "TransportError",
    "WriteOutcomeUnknown", "ZohoClient", "ZohoError", "attributed_to", "by_accounts_url", "by_code", "coql_quote",
    "criterion", "current_attribution", "escape_criteria_value",
]
