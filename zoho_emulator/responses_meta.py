"""Org, users and metadata endpoints (zoho-api.md §6).

https://www.zoho.com/crm/developer/docs/api/v8/get-org-data.html, .../get-users.html,
.../modules-api.html, .../field-meta.html, .../layouts-meta.html, .../get-pipelines.html,
https://www.zoho.com/crm/developer/docs/api/v7/list-available-rest-apis.html (``/__apis``).
"""
from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from .costs import API_CATALOGUE, cost_of
from .errors import ZohoError
from .listing import MAX_PER_PAGE, parse_int_param
from .model import User
from .render import iso, user_ref
from .responses_records import parse_header_time
from .schema import DEAL_STAGE_DISPLAY, DEAL_STAGES, MODULES, ModuleDef
from .wire import CallContext, Route, empty_response, json_response

USER_TYPES = {
    "AllUsers": lambda u: u.status != "deleted",
    "ActiveUsers": lambda u: u.active,
    "DeactiveUsers": lambda u: u.status == "inactive",
    "ConfirmedUsers": lambda u: u.confirm and u.status != "deleted",
    "NotConfirmedUsers": lambda u: not u.confirm,
    "DeletedUsers": lambda u: u.status == "deleted",
    "ActiveConfirmedUsers": lambda u: u.active and u.confirm,
    "AdminUsers": lambda u: u.is_admin and u.status != "deleted",
    "ActiveConfirmedAdmins": lambda u: u.is_admin and u.active and u.confirm,
}
DEALS_LAYOUT_ID = "5725767000000091055"
PIPELINE_ID = "5725767000000091001"


def get_org(ctx: CallContext) -> Response:
    ctx.require_scope("ZohoCRM.org.READ")
    ctx.spend(cost_of("org.get"))
    org = ctx.state.data.org
    paid = org.edition != "free"
    body = {
        "id": org.id, "zgid": org.zgid, "primary_zuid": org.primary_zuid, "company_name": org.company_name,
        "domain_name": org.domain_name, "primary_email": org.primary_email, "time_zone": org.time_zone,
        "country_code": org.country_code, "phone": org.phone or None, "currency": org.currency,
        "iso_code": org.currency,
        "currency_symbol": "$" if org.currency == "USD" else org.currency, "currency_locale": "en_US",
        "mc_status": False, "type": "production", "hipaa_compliance_enabled": False,
        "privacy_settings": False, "max_per_page": MAX_PER_PAGE,
        "created_time": iso(org.created_time, ctx.tz) if org.created_time else None,
        "license_details": {
            "paid": paid, "paid_type": org.edition if paid else None,
            "paid_expiry": iso(ctx.now.replace(year=ctx.now.year + 1), ctx.tz) if paid else None,
            "users_license_purchased": org.licences, "trial_type": None, "trial_expiry": None,
            "trial_action": None, "portal_users_license_purchased": 0,
        },
    }
    return json_response({"org": [body]})


def user_json(ctx: CallContext, user: User) -> dict[str, Any]:
    data = ctx.state.data
    return {
        "id": user.id, "email": user.email, "first_name": user.first_name, "last_name": user.last_name,
        "full_name": user.full_name, "status": user.status, "confirm": user.confirm,
        "role": {"name": user.role, "id": f"{user.id[:-3]}r{len(user.role):02d}"},
        "profile": {"name": user.profile, "id": "5725767000000026011" if user.is_admin else "5725767000000026014"},
        "zuid": user.zuid, "phone": user.phone or None, "mobile": user.mobile or None,
        "time_zone": user.time_zone, "locale": user.locale, "country": user.country,
        "created_time": iso(user.created_time, ctx.tz) if user.created_time else None,
        "Modified_Time": iso(user.modified_time, ctx.tz) if user.modified_time else None,
        "created_by": user_ref(data, data.admin.id, with_email=True),
        "Modified_By": user_ref(data, data.admin.id, with_email=True),
        "type__s": "Regular User",
    }


def list_users(ctx: CallContext) -> Response:
    ctx.require_scope("ZohoCRM.users.READ")
    args = ctx.request.args
    kind = args.get("type", "AllUsers")
    if kind != "CurrentUser" and kind not in USER_TYPES:
        raise ZohoError("INVALID_DATA", "invalid data", {"param_name": "type", "supported_values":
                                                        ["CurrentUser", *USER_TYPES]})
    per_page = parse_int_param(args.get("per_page"), "per_page", MAX_PER_PAGE, 1, MAX_PER_PAGE)
    page = parse_int_param(args.get("page"), "page", 1, 1, 10**6)
    ids = [i.strip() for i in args.get("ids", "").split(",") if i.strip()]
    if len(ids) > 100:
        raise ZohoError("LIMIT_EXCEEDED", "too many ids", {"param_name": "ids", "limit": 100})
    since = parse_header_time(ctx, "If-Modified-Since")
    ctx.spend(cost_of("users.list"))
    users = list(ctx.state.data.users.values())
    if kind == "CurrentUser":
        users = [ctx.user] if ctx.user else []
    else:
        users = [u for u in users if USER_TYPES[kind](u)]
    if ids:
        users = [u for u in users if u.id in ids]
    if since is not None:
        users = [u for u in users if u.modified_time and u.modified_time >= since]
        if not users:
            return empty_response(304)
    chunk = users[(page - 1) * per_page: page * per_page]
    if not chunk:
        return empty_response(204)
    info = {"per_page": per_page, "count": len(chunk), "page": page, "more_records": page * per_page < len(users)}
    return json_response({"users": [user_json(ctx, u) for u in chunk], "info": info})


def get_user(ctx: CallContext, user_id: str) -> Response:
    ctx.require_scope("ZohoCRM.users.READ")
    ctx.spend(cost_of("users.get"))
    user = ctx.state.data.users.get(user_id)
    if user is None:
        raise ZohoError("INVALID_DATA", "the id given seems to be invalid", {"id": user_id})
    return json_response({"users": [user_json(ctx, user)]})


def module_json(module: ModuleDef) -> dict[str, Any]:
    return {
        "api_name": module.api_name, "module_name": module.plural_label, "id": module.module_id,
        "singular_label": module.singular_label, "plural_label": module.plural_label,
        "api_supported": True, "generated_type": "default", "status": "visible",
        "creatable": True, "editable": True, "deletable": True, "viewable": True,
        "convertable": module.api_name == "Leads", "profiles": [{"name": "Administrator"}, {"name": "Standard"}],
        "modified_time": None,
    }


def list_modules(ctx: CallContext) -> Response:
    ctx.require_scope("ZohoCRM.settings.modules.READ")
    since = parse_header_time(ctx, "If-Modified-Since")
    ctx.spend(cost_of("settings.modules"))
    # the module list never changes after the org is created: 304 for a client that has it (the SDK's cache)
    created = ctx.state.data.org.created_time
    if since is not None and created is not None and since >= created:
        return empty_response(304)
    return json_response({"modules": [module_json(m) for m in MODULES.values()]})


def get_module(ctx: CallContext, api_name: str) -> Response:
    ctx.require_scope("ZohoCRM.settings.modules.READ")
    ctx.spend(cost_of("settings.module"))
    if api_name not in MODULES:
        raise ZohoError("INVALID_MODULE", "the module name given seems to be invalid", {"module": api_name})
    return json_response({"modules": [module_json(MODULES[api_name])]})


def _module_param(ctx: CallContext) -> ModuleDef:
    name = ctx.request.args.get("module")
    if not name:
        raise ZohoError("REQUIRED_PARAM_MISSING", "One of the expected parameter is missing",
                        {"param_name": "module"})
    if name not in MODULES:
        raise ZohoError("INVALID_MODULE", "the module name given seems to be invalid", {"module": name})
    ctx.module = name
    return MODULES[name]


def list_fields(ctx: CallContext) -> Response:
    ctx.require_scope("ZohoCRM.settings.fields.READ")
    module = _module_param(ctx)
    ctx.spend(cost_of("settings.fields"))
    out = []
    for i, fd in enumerate(module.fields):
        lookup = {"module": {"api_name": fd.lookup_module, "id": MODULES[fd.lookup_module].module_id}} \
            if fd.lookup_module in MODULES else {}
        out.append({
            "id": f"{module.module_id[:-4]}{i:04d}", "api_name": fd.api_name, "field_label": fd.display_label,
            "display_label": fd.display_label, "data_type": fd.data_type, "json_type": fd.json_type,
            "system_mandatory": fd.mandatory, "read_only": fd.read_only, "field_read_only": fd.read_only,
            "custom_field": False, "length": fd.length, "visible": True, "unique": {} if not fd.unique else
            {"casesensitive": False},
            "pick_list_values": [{"display_value": DEAL_STAGE_DISPLAY.get(v, v), "actual_value": v,
                                  "sequence_number": n + 1, "type": "used", "id": f"{module.module_id[:-4]}{n:04d}"}
                                 for n, v in enumerate(fd.pick_list)],
            "lookup": lookup,
        })
    return json_response({"fields": out})


def list_layouts(ctx: CallContext) -> Response:
    ctx.require_scope("ZohoCRM.settings.layouts.READ")
    module = _module_param(ctx)
    ctx.spend(cost_of("settings.layouts"))
    layout_id = DEALS_LAYOUT_ID if module.api_name == "Deals" else f"{module.module_id[:-3]}055"
    return json_response({"layouts": [{"id": layout_id, "name": "Standard", "status": "active",
                                       "visible": True, "api_name": "Standard"}]})


def list_pipelines(ctx: CallContext) -> Response:
    ctx.require_scope("ZohoCRM.settings.pipeline.READ")
    layout_id = ctx.request.args.get("layout_id")
    if not layout_id:
        raise ZohoError("REQUIRED_PARAM_MISSING", "One of the expected parameter is missing",
                        {"param_name": "layout_id"})
    ctx.spend(cost_of("settings.pipeline"))
    if layout_id != DEALS_LAYOUT_ID:
        raise ZohoError("INVALID_DATA", "invalid data", {"param_name": "layout_id"})
    maps = [{"id": f"57257670000000{n:05d}", "display_value": DEAL_STAGE_DISPLAY.get(s, s), "actual_value": s,
             "sequence_number": n + 1, "forecast_type": forecast, "probability": p,
             "forecast_category": {"name": {"Open": "Pipeline", "Closed Won": "Closed",
                                            "Closed Lost": "Omitted"}[forecast], "id": f"57257670000001{n:05d}"}}
            for n, (s, p, forecast) in enumerate(DEAL_STAGES)]
    return json_response({"pipeline": [{"id": PIPELINE_ID, "display_value": "Standard", "actual_value": "Standard",
                                         "default": True, "maps": maps}]})


def list_apis(ctx: CallContext) -> Response:
    ctx.require_scope("ZohoCRM.apis.READ")
    ctx.spend(cost_of("apis.list"))
    return json_response({"__apis": [
        {"path": path, "operation_types": [{"method": method, "oauth_scope": scope,
                                            "min_credits": lo, "max_credits": hi}]}
        for path, method, scope, lo, hi in API_CATALOGUE]})


ROUTES = (
    Route("/crm/v8/org", ("GET",), "org.get", get_org),
    Route("/crm/v8/users", ("GET",), "users.list", list_users),
    Route("/crm/v8/users/<user_id>", ("GET",), "users.get", get_user),
    Route("/crm/v8/settings/modules", ("GET",), "settings.modules", list_modules),
    Route("/crm/v8/settings/modules/<api_name>", ("GET",), "settings.module", get_module),
    Route("/crm/v8/settings/fields", ("GET",), "settings.fields", list_fields),
    Route("/crm/v8/settings/layouts", ("GET",), "settings.layouts", list_layouts),
    Route("/crm/v8/settings/pipeline", ("GET",), "settings.pipeline", list_pipelines),
    Route("/crm/v8/__apis", ("GET",), "apis.list", list_apis),
)
