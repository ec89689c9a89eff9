"""Search and COQL over HTTP (zoho-api.md §4).

https://www.zoho.com/crm/developer/docs/api/v8/search-records.html and
https://www.zoho.com/crm/developer/docs/api/v8/COQL-Overview.html. Both are "complex" calls that
take a sub-concurrency slot.
"""
from __future__ import annotations

from datetime import timedelta

from werkzeug.wrappers import Response

from zoho_emulator.api.records import module_of, module_scope
from zoho_emulator.api.wire import CallContext, Route, empty_response, json_response
from zoho_emulator.engine.costs import coql_cost, cost_of
from zoho_emulator.engine.errors import ZohoError
from zoho_emulator.engine.listing import MAX_PER_PAGE, parse_fields, parse_int_param
from zoho_emulator.engine.query import coql, search
from zoho_emulator.engine.render import plain, render_record
from zoho_emulator.model.schema import MODULES

SEARCH_CAP = 2_000
SEARCH_KEYS = ("criteria", "email", "phone", "word")


def search_records(ctx: CallContext, module: str) -> Response:
    module = module_of(ctx, module)
    ctx.require_scope("ZohoSearch.securesearch.READ", module_scope(module, "READ"))
    args = ctx.request.args
    per_page = parse_int_param(args.get("per_page"), "per_page", MAX_PER_PAGE, 1, MAX_PER_PAGE)
    page = parse_int_param(args.get("page"), "page", 1, 1, 10**6)
    if page * per_page > SEARCH_CAP:
        raise ZohoError("LIMIT_REACHED", "search results are limited to 2000 records", {"limit": SEARCH_CAP})
    fields = parse_fields(args["fields"], set(MODULES[module].by_name)) if args.get("fields") else None
    converted = args.get("converted", "false")
    if converted not in ("true", "false", "both"):
        raise ZohoError("INVALID_DATA", "invalid data", {"param_name": "converted"})
    ctx.spend(cost_of("records.search"), complex_call=True)
    found = search.search_records(ctx.state.data, module, converted=converted,
                                  **{k: args[k] for k in SEARCH_KEYS if k in args})
    lag = ctx.state.search_index_lag_s
    if lag:
        horizon = ctx.now - timedelta(seconds=lag)
        found = [r for r in found if r["Created_Time"] <= horizon]
    found = found[:SEARCH_CAP]
    chunk = found[(page - 1) * per_page: page * per_page]
    if not chunk:
        return empty_response(204)
    rows = [render_record(ctx.state.data, module, r, fields, ctx.tz) for r in chunk]
    info = {"per_page": per_page, "count": len(rows), "page": page, "more_records": page * per_page < len(found)}
    return json_response({"data": rows, "info": info})


def run_coql(ctx: CallContext) -> Response:
    body = ctx.json_body()
    if not isinstance(body, dict) or not isinstance(body.get("select_query"), str):
        raise ZohoError("REQUIRED_PARAM_MISSING", "One of the expected parameter is missing",
                        {"param_name": "select_query"})
    ctx.require_scope("ZohoCRM.coql.READ")
    query = coql.parse(body["select_query"])
    ctx.module = query.module
    ctx.require_scope(module_scope(query.module, "READ"))
    ctx.spend(coql_cost(query.limit), complex_call=True)
    result = coql.execute(ctx.state.data, query)
    if not result.rows:
        return empty_response(204)
    return json_response({"data": [plain(row, ctx.tz) for row in result.rows],
                          "info": {"count": result.count, "more_records": result.more_records}})


ROUTES = (
    Route("/crm/v8/<module>/search", ("GET",), "records.search", search_records),
    Route("/crm/v8/coql", ("POST",), "coql", run_coql),
)
