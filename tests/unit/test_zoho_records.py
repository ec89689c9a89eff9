"""Per-record write results (zoho-api.md §3) and the 100-record batch limit."""
from __future__ import annotations

import pytest

from sync_engine.zoho.records import check_batch, first_failure_code, has_record_results, parse_results

PARTIAL = {"data": [
    {"code": "SUCCESS", "status": "success", "message": "record added", "details": {"id": "111"}},
    {"code": "MANDATORY_NOT_FOUND", "status": "error", "message": "required field not found",
     "details": {"api_name": "Subject", "json_path": "$.data[1].Subject"}},
    {"code": "SUCCESS", "status": "success", "message": "record updated", "details": {"id": "222"},
     "action": "update", "duplicate_field": "Email"}]}


def test_one_result_per_record_in_order():
    results = parse_results(PARTIAL, default_action="insert")
    assert [(r.index, r.ok, r.id, r.code, r.action) for r in results] == [
        (0, True, "111", "SUCCESS", "insert"), (1, False, None, "MANDATORY_NOT_FOUND", None),
        (2, True, "222", "SUCCESS", "update")]
    error = results[1].error(api="records.insert", module="Calls")
    assert error.index == 1 and error.details["api_name"] == "Subject" and error.module == "Calls"
    assert results[0].error() is None


def test_failure_code_and_shape_checks():
    assert first_failure_code(PARTIAL) == "MANDATORY_NOT_FOUND"
    assert has_record_results(PARTIAL)
    assert not has_record_results({"code": "INVALID_DATA", "details": {}, "message": "x", "status": "error"})
    assert parse_results(None, default_action="insert") == []


def test_batches_are_capped_at_100():
    check_batch([{}] * 100)
    with pytest.raises(ValueError, match="at most 100"):
        check_batch([{}] * 101)
