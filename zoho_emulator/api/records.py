"""HTTP <-> record operations: list, get, insert, update, upsert, delete, deleted records.

https://www.zoho.com/crm/developer/docs/api/v8/get-records.html and the insert/update/upsert/
delete/get-deleted-records pages (zoho-api.md §3, §9).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from werkzeug.wrappers import Response

from zoho_emulator.api.wire import CallContext, Route, empty_response, json_response
from zoho_emulator.engine import records as ops
from zoho_emulator.engine.costs import cost_of
from zoho_emulator.engine.errors import ZohoError
from zoho_emulator.engine.listing import MAX_PER_PAGE, ListQuery, paginate, parse_fields, parse_int_param
from zoho_emulator.engine.render import iso, render_record, user_ref
from zoho_emulator.model.schema import MODULES

DELETED_TYPES = ("all", "recycle", "permanent")


def module_of(ctx: CallContext, name: str) -> str:
    if name not in MODULES:
        # the module is the path's first segment after the version (crm-oas v8 records: InvalidModuleGETError)
        raise ZohoError("INVALID_MODULE", "the module name given seems to be invalid", {"resource_path_index": 0})
    ctx.module = name
    return name


def module_scope(module: str, operation: str) -> str:
    return f"ZohoCRM.modules.{module.lower()}.{operation}"


def parse_header_time(ctx: CallContext, header: str) -> datetime | None:
    raw = ctx.request.headers.get(header)
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise ZohoError("INVALID_DATA", "invalid data", {"header_name": header,
                                                        "expected_data_type": "datetime"})
    return value


def list_fields_param(ctx: CallContext, module: str) -> tuple[str, ...]:
    """``fields`` is mandatory from v3 on; a v2 list without it answers every field.

    https://www.zoho.com/crm/developer/docs/api/v2/get-records.html (``fields`` optional) against
    https://www.zoho.com/crm/developer/docs/api/v8/get-records.html (mandatory).
    """
    raw = ctx.request.args.get("fields")
    if ctx.api_version < 3 and (raw is None or not raw.strip()):
        return tuple(f.api_name for f in MODULES[module].fields)
    return parse_fields(raw, set(MODULES[module].by_name))


def list_records(ctx: CallContext, module: str) -> Response:
    module = module_of(ctx, module)
    ctx.require_scope(module_scope(module, "READ"))
    args = ctx.request.args
    if args.get("cvid"):
        raise ZohoError("INVALID_DATA", "invalid data", {"param_name": "cvid"})
    fields = list_fields_param(ctx, module)
    per_page = parse_int_param(args.get("per_page"), "per_page", MAX_PER_PAGE, 1, MAX_PER_PAGE)
    sort_by = args.get("sort_by", "id")
    if sort_by not in ("id", "Created_Time", "Modified_Time"):
        raise ZohoError("INVALID_DATA", "invalid data", {"param_name": "sort_by",
                                                        "supported_values": ["id", "Created_Time", "Modified_Time"]})
    sort_order = args.get("sort_order", "desc")
    converted = args.get("converted", "false")
    if sort_order not in ("asc", "desc") or converted not in ("true", "false", "both"):
        name = "sort_order" if sort_order not in ("asc", "desc") else "converted"
        raise ZohoError("INVALID_DATA", "invalid data", {"param_name": name})
    ids = tuple(i.strip() for i in args.get("ids", "").split(",") if i.strip())
    query = ListQuery(module, sort_by, sort_order, parse_header_time(ctx, "If-Modified-Since"), ids, converted)
    ctx.spend(cost_of("records.list"), complex_call="sort_by" in args)
    ordered = ctx.state.listing.ordered_ids(ctx.state.data, query)
    page = paginate(ordered, page_raw=args.get("page"), per_page=per_page, token_raw=args.get("page_token"),
                    tokens=ctx.state.page_tokens, user_id=ctx.user_id, binding=query.binding(fields, per_page),
                    now=ctx.now)
    if not page.ids:
        return empty_response(304 if query.modified_since is not None and not ordered else 204)
    data = ctx.state.data
    rows = [render_record(data, module, data.get(module, rid), fields, ctx.tz)
            for rid in page.ids if data.get(module, rid) is not None]
    info = {"per_page": per_page, "count": len(rows), "page": page.page, "sort_by": sort_by,
            "sort_order": sort_order, "more_records": page.more_records,
            "next_page_token": page.next_page_token, "previous_page_token": None,
            "page_token_expiry": iso(page.page_token_expiry, ctx.tz) if page.page_token_expiry else None,
            "call": False, "email": False}
    return json_response({"data": rows, "info": info})


def get_record(ctx: CallContext, module: str, record_id: str) -> Response:
    module = module_of(ctx, module)
    ctx.require_scope(module_scope(module, "READ"))
    ctx.spend(cost_of("records.get"))
    record = ctx.state.data.get(module, record_id)
    if record is None:
        raise ZohoError("INVALID_DATA", "the id given seems to be invalid", {"id": record_id})
    fields = None
    if ctx.request.args.get("fields"):
        fields = parse_fields(ctx.request.args.get("fields"), set(MODULES[module].by_name))
    return json_response({"data": [render_record(ctx.state.data, module, record, fields, ctx.tz)]})


def _write_items(ctx: CallContext) -> tuple[list[Any], dict[str, Any]]:
    body = ctx.json_body()
    if not isinstance(body, dict) or "data" not in body:
        raise ZohoError("REQUIRED_PARAM_MISSING", "One of the expected parameter is missing",
                        {"param_name": "data"})
    items = body["data"]
    if not isinstance(items, list) or not items:
        raise ZohoError("INVALID_DATA", "invalid data", {"param_name": "data", "expected_data_type": "jsonarray"})
    if len(items) > ops.MAX_RECORDS_PER_CALL:
        raise ZohoError("LIMIT_EXCEEDED", "the number of records exceeds the limit",
                        {"limit": ops.MAX_RECORDS_PER_CALL, "param_name": "data"})
    trigger = body.get("trigger")
    if trigger is not None and not isinstance(trigger, list):
        raise ZohoError("INVALID_DATA", "invalid data", {"param_name": "trigger"})
    return items, body


def _write_response(results: list[dict[str, Any]], ok_status: int) -> Response:
    failed = [r for r in results if r["status"] != "success"]
    if not failed:
        return json_response({"data": results}, ok_status)
    if len(failed) < len(results):
        return json_response({"data": results}, 207)
    status = 412 if all(r["code"] == "ALREADY_MODIFIED" for r in failed) else 400
    return json_response({"data": results}, status)


def insert_records(ctx: CallContext, module: str) -> Response:
    module = module_of(ctx, module)
    ctx.require_scope(module_scope(module, "CREATE"))
    items, _ = _write_items(ctx)
    ctx.spend(cost_of("records.insert", record_count=len(items)), complex_call=len(items) > 10)
    results = [ops.insert_one(ctx.state.data, module, item, i, ctx.user_id, ctx.now, ctx.tz)
               for i, item in enumerate(items)]
    return _write_response(results, 201)


def update_records(ctx: CallContext, module: str, record_id: str | None = None) -> Response:
    module = module_of(ctx, module)
    ctx.require_scope(module_scope(module, "UPDATE"))
    items, _ = _write_items(ctx)
    if record_id is not None and len(items) != 1:
        raise ZohoError("INVALID_DATA", "only one record can be updated by id", {"param_name": "data"})
    unmodified_since = parse_header_time(ctx, "If-Unmodified-Since")
    ctx.spend(cost_of("records.update", record_count=len(items)), complex_call=len(items) > 10)
    results = [ops.update_one(ctx.state.data, module, item, i, ctx.user_id, ctx.now, ctx.tz,
                              record_id=record_id, unmodified_since=unmodified_since)
               for i, item in enumerate(items)]
    return _write_response(results, 200)


def upsert_records(ctx: CallContext, module: str) -> Response:
    module = module_of(ctx, module)
    ctx.require_scope(module_scope(module, "CREATE"), module_scope(module, "UPDATE"))
    definition = MODULES[module]
    if not definition.upsert_supported:
        raise ZohoError("NOT_SUPPORTED", "upsert is not supported for this module", {"module": module},
                        status=400)
    items, body = _write_items(ctx)
    check = body.get("duplicate_check_fields")
    unique = [f.api_name for f in definition.fields if f.unique]
    if check is None:
        check = [definition.duplicate_check_field, *unique]
    elif not isinstance(check, list) or not all(isinstance(c, str) for c in check):
        raise ZohoError("INVALID_DATA", "invalid data", {"param_name": "duplicate_check_fields"})
    allowed = {definition.duplicate_check_field, *unique}
    for name in check:
        if name not in allowed:
            raise ZohoError("INVALID_DATA", "the field is not unique and cannot be a duplicate check field",
                            {"api_name": name, "param_name": "duplicate_check_fields"})
    check = [c for c in check if c]
    ctx.spend(cost_of("records.upsert", record_count=len(items)), complex_call=len(items) > 10)
    index = ops.DuplicateIndex(ctx.state.data, module, check)
    results = [ops.upsert_one(ctx.state.data, module, item, i, check, ctx.user_id, ctx.now, ctx.tz, index)
               for i, item in enumerate(items)]
    # 201 only when every record was inserted; a call that updated any answers 200 (upsert-records.html)
    return _write_response(results, 201 if all(r.get("action") == "insert" for r in results) else 200)


def delete_records(ctx: CallContext, module: str, record_id: str | None = None) -> Response:
    module = module_of(ctx, module)
    ctx.require_scope(module_scope(module, "DELETE"))
    if record_id is not None:
        ids = [record_id]
    else:
        ids = [i.strip() for i in ctx.request.args.get("ids", "").split(",") if i.strip()]
        if not ids:
            raise ZohoError("REQUIRED_PARAM_MISSING", "One of the expected parameter is missing",
                            {"param_name": "ids"})
        if len(ids) > ops.MAX_RECORDS_PER_CALL:
            raise ZohoError("LIMIT_EXCEEDED", "the number of records exceeds the limit",
                            {"limit": ops.MAX_RECORDS_PER_CALL, "param_name": "ids"})
    ctx.spend(cost_of("records.delete", record_count=len(ids)))
    results = [ops.delete_one(ctx.state.data, module, rid, ctx.user_id, ctx.now) for rid in ids]
    return _write_response(results, 200)


def deleted_records(ctx: CallContext, module: str) -> Response:
    module = module_of(ctx, module)
    ctx.require_scope(module_scope(module, "READ"))
    args = ctx.request.args
    kind = args.get("type", "all")
    if kind not in DELETED_TYPES:
        raise ZohoError("PATTERN_NOT_MATCHED", "Please check whether the input values are correct",
                        {"param_name": "type", "supported_values": list(DELETED_TYPES)})
    per_page = parse_int_param(args.get("per_page"), "per_page", MAX_PER_PAGE, 1, MAX_PER_PAGE)
    page = parse_int_param(args.get("page"), "page", 1, 1, 10**6)
    since = parse_header_time(ctx, "If-Modified-Since")
    ctx.spend(cost_of("records.deleted"))
    data = ctx.state.data
    with data.lock:
        data.purge_deleted(ctx.now)
        entries = [d for d in data.deleted if d.module == module and (kind == "all" or d.type == kind)
                   and (since is None or d.deleted_time >= since)]
    entries.sort(key=lambda d: d.deleted_time, reverse=True)
    chunk = entries[(page - 1) * per_page: page * per_page]
    if not chunk:
        return empty_response(304 if since is not None and not entries else 204)
    rows = [{"id": d.id, "display_name": d.display_name, "type": d.type,
             "deleted_by": user_ref(data, d.deleted_by, with_email=False),
             "created_by": user_ref(data, d.created_by, with_email=False),
             "deleted_time": iso(d.deleted_time, ctx.tz)} for d in chunk]
    info = {"per_page": per_page, "count": len(rows), "page": page,
            "more_records": page * per_page < len(entries)}
    return json_response({"data": rows, "info": info})


ROUTES = (
    Route("/crm/v8/<module>", ("GET",), "records.list", list_records),
    Route("/crm/v8/<module>", ("POST",), "records.insert", insert_records),
    Route("/crm/v8/<module>", ("PUT",), "records.update", update_records),
    Route("/crm/v8/<module>", ("DELETE",), "records.delete", delete_records),
    Route("/crm/v8/<module>/upsert", ("POST",), "records.upsert", upsert_records),
    Route("/crm/v8/<module>/deleted", ("GET",), "records.deleted", deleted_records),
    Route("/crm/v8/<module>/<record_id>", ("GET",), "records.get", get_record),
    Route("/crm/v8/<module>/<record_id>", ("PUT",), "records.update_one", update_records),
    Route("/crm/v8/<module>/<record_id>", ("DELETE",), "records.delete_one", delete_records),
)
