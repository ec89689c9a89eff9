"""Per-record outcomes of insert, update, upsert and delete (zoho-api.md §3).

Zoho answers a multi-record write with one ``{code, details, message, status}`` object per record,
in input order — 201/200 when all succeed, 207 when some fail, 400 when all fail.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sync_engine.zoho.errors import RecordError

MAX_RECORDS_PER_CALL = 100


@dataclass(frozen=True)
class RecordResult:
    index: int  # position in the batch we sent
    ok: bool
    id: str | None  # the record's id (new id on insert)
    code: str  # "SUCCESS" or Zoho's error code
    message: str
    details: dict[str, Any] = field(default_factory=dict)
    action: str | None = None  # "insert" | "update" (upsert tells which), "delete"; None on failure

    def error(self, *, api: str | None = None, module: str | None = None) -> RecordError | None:
        if self.ok:
            return None
        return RecordError(self.index, self.code, self.message, self.details, api=api, module=module)


def check_batch(items: list[Any], what: str = "records") -> None:
    """Zoho takes at most 100 records per write; batching is the caller's job."""
    if len(items) > MAX_RECORDS_PER_CALL:
        raise ValueError(f"{len(items)} {what} in one call; Zoho accepts at most {MAX_RECORDS_PER_CALL}, "
                         "so split them into batches")


def parse_results(body: Any, *, default_action: str) -> list[RecordResult]:
    """One RecordResult per ``data[i]`` of a write answer."""
    items = body.get("data") if isinstance(body, dict) else None
    results = []
    for index, item in enumerate(items or []):
        item = item if isinstance(item, dict) else {}
        raw_details = item.get("details")
        details: dict[str, Any] = raw_details if isinstance(raw_details, dict) else {}
        ok = item.get("status") == "success"
        record_id = details.get("id") if ok else None
        results.append(RecordResult(
            index=index, ok=ok, id=str(record_id) if record_id is not None else None,
            code=str(item.get("code") or ("SUCCESS" if ok else "UNKNOWN")), message=str(item.get("message") or ""),
            details=details, action=(item.get("action") or default_action) if ok else None))
    return results


def first_failure_code(body: Any) -> str | None:
    """The code of the first failed record, for the ledger row of a write that failed per record."""
    items = body.get("data") if isinstance(body, dict) else None
    for item in items or []:
        if isinstance(item, dict) and item.get("status") != "success":
            return str(item.get("code")) if item.get("code") else None
    return None


def has_record_results(body: Any) -> bool:
    """Is this a per-record answer (the records were processed) rather than a request-level error?"""
    return isinstance(body, dict) and isinstance(body.get("data"), list) and "code" not in body
