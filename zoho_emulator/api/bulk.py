"""Bulk Read over HTTP: create a job, poll it, download its ZIP (zoho-api.md §5).

https://www.zoho.com/crm/developer/docs/api/v8/bulk-read/create-job.html, .../job-details.html and
.../download-result.html; error codes from github.com/zoho/crm-oas ``v8.0/bulk_read/bulk_read.yaml``.
Every call needs ``ZohoCRM.bulk.READ`` (``bulk.ALL`` covers it) and the module's READ scope. Creating
costs 50 credits, a status or download call 1 (``engine/costs.py``). The model lives in ``engine/bulk.py``.

``/__emulator/bulk`` is a control route, not Zoho's: list jobs, shrink the page size, force a FAILURE.
"""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlparse

from werkzeug.wrappers import Request, Response

from zoho_emulator.api.records import module_scope
from zoho_emulator.api.wire import CallContext, Route, json_response
from zoho_emulator.engine.bulk import DOWNLOADS_PER_MINUTE, NOT_EXPORTABLE, BulkJob, BulkJobs, registry
from zoho_emulator.engine.costs import cost_of
from zoho_emulator.engine.errors import ZohoError
from zoho_emulator.engine.render import iso
from zoho_emulator.engine.state import EmulatorState
from zoho_emulator.model.schema import MODULES

BULK_SCOPE = "ZohoCRM.bulk.READ"
FILE_TYPES = ("csv", "ics")


def _json_body(ctx: CallContext) -> dict[str, Any]:
    """Bulk APIs insist on ``Content-Type: application/json`` (415 otherwise)."""
    if ctx.request.mimetype != "application/json":
        raise ZohoError("MEDIA_TYPE_NOT_SUPPORTED", "The media type of the request is not supported",
                        {"supported_media_types": ["application/json"]}, status=415)
    raw = ctx.request.get_data()
    if not raw.strip():
        raise ZohoError("REQUEST_BODY_IS_EMPTY", "the request body is empty", {})
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        raise ZohoError("REQUEST_BODY_NOT_SUPPORTED", "request body contains invalid format", {})
    return body


def _module(query: Any) -> str:
    if not isinstance(query, dict):
        raise ZohoError("REQUIRED_PARAM_MISSING", "One of the expected parameter is missing", {"api_name": "query"})
    ref = query.get("module")
    name = ref.get("api_name") if isinstance(ref, dict) else None
    if not isinstance(name, str) or not name:
        raise ZohoError("REQUIRED_PARAM_MISSING", "One of the expected parameter is missing", {"api_name": "module"})
    if name in NOT_EXPORTABLE:
        raise ZohoError("MODULE_NOT_SUPPORTED", "the module is not supported by bulk read", {"api_name": name})
    if name not in MODULES:
        raise ZohoError("MODULE_NOT_AVAILABLE", "the module is not available", {"api_name": name})
    return name


def _fields(query: dict[str, Any]) -> list[str] | None:
    fields = query.get("fields")
    if fields is None:
        return None
    if not isinstance(fields, list) or not all(isinstance(f, str) and f for f in fields):
        raise ZohoError("INVALID_DATA", "invalid data", {"api_name": "fields", "expected_data_type": "jsonarray"})
    return fields or None  # an empty list exports every field, as an absent one does


def _paging(query: dict[str, Any]) -> tuple[int | None, str | None]:
    page, token = query.get("page"), query.get("page_token")
    if page is not None and (isinstance(page, bool) or not isinstance(page, int) or page < 1):
        raise ZohoError("INVALID_DATA", "invalid data", {"api_name": "page", "expected_data_type": "integer",
                                                        "minimum": 1})
    if token is not None and (not isinstance(token, str) or not token):
        raise ZohoError("INVALID_DATA", "invalid data", {"api_name": "page_token"})
    return page, token


def _file_type(body: dict[str, Any], query: dict[str, Any], module: str) -> None:
    """csv only: ics (Events only per the docs) is refused with a message naming the emulator's gap."""
    file_type = body.get("file_type", query.get("file_type", "csv"))
    if file_type not in FILE_TYPES:
        raise ZohoError("INVALID_DATA", "invalid data", {"api_name": "file_type", "supported_values": list(FILE_TYPES)})
    if file_type == "ics" and module != "Events":
        raise ZohoError("INVALID_DATA", "ics export is available only for the Events module",
                        {"api_name": "file_type", "supported_values": ["csv"]})
    if file_type == "ics":
        raise ZohoError("NOT_SUPPORTED", "the emulator does not produce ics files; export Events as csv",
                        {"api_name": "file_type", "supported_values": ["csv"]}, status=400)


def _callback(body: dict[str, Any]) -> dict[str, str] | None:
    callback = body.get("callback")
    if callback is None:
        return None
    url = callback.get("url") if isinstance(callback, dict) else None
    parsed = urlparse(url) if isinstance(url, str) else None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ZohoError("INVALID_CALLBACK_URL", "the callback url is not valid", {})
    method = callback.get("method")
    if not isinstance(method, str) or method.lower() != "post":
        raise ZohoError("INVALID_CALLBACK_METHOD", "the callback method is not valid",
                        {"supported_callback_methods": ["post"]})
    return {"url": url, "method": "post"}


def create_job(ctx: CallContext) -> Response:
    ctx.require_scope(BULK_SCOPE)
    body = _json_body(ctx)
    query = body.get("query")
    module = _module(query)
    ctx.module = module
    ctx.require_scope(module_scope(module, "READ"))
    if query.get("cvid") is not None:  # the emulator has no custom views, so every cvid is unknown
        raise ZohoError("INVALID_DATA", "invalid data", {"api_name": "cvid"})
    _file_type(body, query, module)
    fields, (page, token), callback = _fields(query), _paging(query), _callback(body)
    jobs = registry(ctx.state)
    plan = jobs.prepare(module, fields, query.get("criteria"), page, token, ctx.user_id, ctx.now)
    ctx.spend(cost_of("bulk.create"))
    assert ctx.user is not None
    job = jobs.create(plan, ctx.user, ctx.now, ctx.user.time_zone, callback)
    details = {"id": job.id, "operation": "read", "state": "ADDED", "created_by": job.created_by,
               "created_time": iso(job.created_time, ctx.tz)}
    return json_response({"data": [{"status": "success", "code": "ADDED_SUCCESSFULLY",
                                    "message": "Added successfully.", "details": details}], "info": {}}, 201)


def _job(ctx: CallContext, jobs: BulkJobs, job_id: str) -> BulkJob:
    job = jobs.get(job_id)
    if job is None:
        raise ZohoError("RESOURCE_NOT_FOUND", "the requested resource does not exist", {"resource": "job_id"})
    ctx.module = job.module
    ctx.require_scope(module_scope(job.module, "READ"))
    return job


def job_details(ctx: CallContext, job_id: str) -> Response:
    ctx.require_scope(BULK_SCOPE)
    jobs = registry(ctx.state)
    job = _job(ctx, jobs, job_id)
    ctx.spend(cost_of("bulk.status"))
    jobs.refresh(job)
    return json_response({"data": [job.to_json(ctx.now, ctx.tz)]})


def download_result(ctx: CallContext, job_id: str) -> Response:
    ctx.require_scope(BULK_SCOPE)
    jobs = registry(ctx.state)
    job = _job(ctx, jobs, job_id)
    if not jobs.allow_download(ctx.now):
        raise ZohoError("TOO_MANY_REQUESTS", "only 10 download requests are allowed in a minute",
                        {"limit": DOWNLOADS_PER_MINUTE}, status=429)
    ctx.spend(cost_of("bulk.download"))
    if jobs.refresh(job) != "COMPLETED" or job.zip_bytes is None:
        # the OAS: RESOURCE_NOT_FOUND when "the result is not yet available"
        raise ZohoError("RESOURCE_NOT_FOUND", "the result of the job is not available", {"resource": "result"})
    return Response(job.zip_bytes, status=200, content_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{job.id}.zip"'})


def control(state: EmulatorState, request: Request) -> Response:
    """GET: the jobs. POST ``{"per_page": n}`` shrinks job pages; ``{"fail": job_id}`` forces FAILURE."""
    jobs = registry(state)
    if request.method == "POST":
        body = json.loads(request.get_data(as_text=True) or "{}")
        if not isinstance(body, dict):
            raise ValueError("body must be a JSON object")
        if "per_page" in body:
            per_page = int(body["per_page"])
            if per_page < 1:
                raise ValueError("per_page must be at least 1")
            jobs.per_page = per_page
        if "fail" in body:
            jobs.fail(str(body["fail"]), str(body.get("code", "INTERNAL_ERROR")),
                      str(body.get("message", "Internal Server Error")))
    now = state.clock.now()
    listed = [{"id": j.id, "module": j.module, "state": j.state_at(now), "page": j.page, "count": j.count,
               "more_records": j.more_records, "callback_state": j.callback_state} for j in list(jobs.jobs.values())]
    return json_response({"per_page": jobs.per_page, "jobs": listed})


ROUTES = (
    Route("/crm/bulk/v8/read", ("POST",), "bulk.create", create_job),
    Route("/crm/bulk/v8/read/<job_id>", ("GET",), "bulk.status", job_details),
    Route("/crm/bulk/v8/read/<job_id>/result", ("GET",), "bulk.download", download_result),
    Route("/__emulator/bulk", ("GET", "POST"), "control.bulk", control, kind="control"),
)
