"""Typed errors: the right type per answer, Zoho's fields kept, sentences a CSM understands, no tokens."""
from __future__ import annotations

import pytest

from sync_engine.zoho.errors import (
    AuthError,
    OAuthError,
    RateLimited,
    RecordError,
    ServerError,
    TransportError,
    WriteOutcomeUnknown,
    ZohoError,
    error_from_answer,
    scrub,
)

INVALID_TOKEN = {"code": "INVALID_TOKEN", "details": {}, "message": "invalid oauth token", "status": "error"}


@pytest.mark.parametrize("status, body, kind", [
    (401, INVALID_TOKEN, AuthError),
    (401, {"code": "OAUTH_SCOPE_MISMATCH", "details": {"required_scope": "ZohoCRM.users.READ"}, "message": "x"},
     AuthError),
    (429, {"code": "TOO_MANY_REQUESTS", "details": {}, "message": "limit"}, RateLimited),
    (500, {"code": "INTERNAL_ERROR", "details": {}, "message": "Internal Server Error"}, ServerError),
    (503, None, ServerError),
    (400, {"code": "INVALID_DATA", "details": {"api_name": "Phone"}, "message": "invalid data"}, ZohoError),
])
def test_answers_map_to_typed_errors(status, body, kind):
    err = error_from_answer(status, body, api="records.list", module="Contacts")
    assert type(err) is kind
    assert err.status == status and err.api == "records.list" and err.module == "Contacts"
    assert err.describe().endswith(".")


def test_fields_of_the_answer_are_kept():
    err = error_from_answer(400, {"code": "MANDATORY_NOT_FOUND", "details": {"api_name": "Subject"},
                                  "message": "required field not found"})
    assert (err.code, err.message, err.details) == ("MANDATORY_NOT_FOUND", "required field not found",
                                                    {"api_name": "Subject"})
    assert "Subject" in err.describe() and "400 MANDATORY_NOT_FOUND" in str(err)


def test_reconnect_advice():
    assert error_from_answer(401, INVALID_TOKEN).needs_reconnect
    assert OAuthError("x", code="invalid_code").needs_reconnect
    throttled = OAuthError("too many", code="Access Denied", status=400)
    assert throttled.throttled and not throttled.needs_reconnect and "few minutes" in throttled.describe()
    assert "data centre" in OAuthError("x", code="invalid_client").describe()
    assert not RateLimited("x", status=429).needs_reconnect


def test_write_outcome_unknown_keeps_its_cause():
    cause = TransportError("dropped", request_sent=True, api="records.insert", module="Calls")
    err = WriteOutcomeUnknown(cause, record_count=5)
    assert err.cause is cause and err.api == "records.insert" and err.status == 0
    assert "We sent 5 Calls record(s) to Zoho" in err.describe()


def test_record_error_names_its_position():
    err = RecordError(2, "DUPLICATE_DATA", "duplicate data", {"api_name": "Email"})
    assert err.index == 2 and str(err).startswith("record 2: DUPLICATE_DATA")
    assert err.describe().startswith("Record 3 of the batch")


def test_tokens_never_reach_messages():
    token = "1000.8cb99dxxxxxxxxxxxxx9be93.9b8xxxxxxxxxxxxxxxf"
    assert token not in scrub(f"bad token {token} and Zoho-oauthtoken abc.def")
    assert "abc.def" not in scrub("Authorization: Zoho-oauthtoken abc.def")
    err = ZohoError(f"echoed {token}", status=400, code="INVALID_DATA")
    assert token not in str(err) and token not in err.message and token not in err.describe()
    assert token not in str(TransportError(f"failed for {token}", request_sent=False))
