"""Zoho's error vocabulary: one exception type carrying what the wire layer sends back.

Request-level errors answer ``{"code", "details", "message", "status": "error"}`` with the HTTP
status below (shared/zoho-api.md §10). Record-level errors use the same four keys inside ``data[i]``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

HTTP_STATUS = {
    "INVALID_DATA": 400, "MANDATORY_NOT_FOUND": 400, "DUPLICATE_DATA": 400, "INVALID_MODULE": 400,
    "REQUIRED_PARAM_MISSING": 400, "EXPECTED_PARAM_MISSING": 400, "LIMIT_EXCEEDED": 400,
    "LIMIT_REACHED": 400, "DISCRETE_PAGINATION_LIMIT_EXCEEDED": 400, "PAGINATION_LIMIT_EXCEEDED": 400,
    "TOKEN_BOUND_DATA_MISMATCH": 400, "EXPIRED_VALUE": 400, "AMBIGUITY_DURING_PROCESSING": 400,
    "INVALID_QUERY": 400, "SYNTAX_ERROR": 400, "DEPENDENT_FIELD_MISSING": 400,
    "DEPENDENT_MISMATCH": 400, "PATTERN_NOT_MATCHED": 400, "INVALID_REQUEST_METHOD": 400,
    "INVALID_HOST": 400, "INVALID_ALIAS": 400, "RECORD_LOCKED": 400, "MULTIPLE_OR_MULTI_ERRORS": 400,
    "INVALID_TOKEN": 401, "AUTHENTICATION_FAILURE": 401, "OAUTH_SCOPE_MISMATCH": 401,
    "NO_PERMISSION": 403, "NOT_SUPPORTED": 403, "NOT_ALLOWED": 403,
    "INVALID_URL_PATTERN": 404, "RESOURCE_NOT_FOUND": 404, "METHOD_NOT_ALLOWED": 405,
    "ALREADY_MODIFIED": 412, "REQUEST_ENTITY_TOO_LARGE": 413, "MEDIA_TYPE_NOT_SUPPORTED": 415,
    "TOO_MANY_REQUESTS": 429, "INTERNAL_ERROR": 500,
}

DEFAULT_MESSAGES = {
    "INVALID_TOKEN": "invalid oauth token",
    "AUTHENTICATION_FAILURE": "Authentication failed",
    "OAUTH_SCOPE_MISMATCH": "invalid oauth scope to access this URL",
    "MANDATORY_NOT_FOUND": "required field not found",
    "DUPLICATE_DATA": "duplicate data",
    "INVALID_DATA": "invalid data",
    "INVALID_MODULE": "the module name given seems to be invalid",
    "INVALID_URL_PATTERN": "Please check if the URL trying to access is a correct one",
    "INTERNAL_ERROR": "Internal Server Error",
    "TOO_MANY_REQUESTS": "You have reached the API limit. Please try again later.",
    "NO_PERMISSION": "permission denied",
    "METHOD_NOT_ALLOWED": "The http request method type is not a valid one",
}


@dataclass
class ZohoError(Exception):
    """A Zoho error, request-level when raised, record-level when collected per record."""

    code: str
    message: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    status: int = 0

    def __post_init__(self) -> None:
        self.message = self.message or DEFAULT_MESSAGES.get(self.code, self.code.lower().replace("_", " "))
        self.status = self.status or HTTP_STATUS.get(self.code, 400)
        super().__init__(f"{self.code}: {self.message}")

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "details": self.details, "message": self.message, "status": "error"}
