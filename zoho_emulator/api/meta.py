"""Org, users and metadata endpoints (zoho-api.md §6).

https://www.zoho.com/crm/developer/docs/api/v8/get-org-data.html, .../get-users.html,
.../modules-api.html, .../field-meta.html, .../layouts-meta.html, .../get-pipelines.html,
https://www.zoho.com/crm/developer/docs/api/v7/list-available-rest-apis.html (``/__apis``).
"""
from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from zoho_emulator.api.metadata_keys import (
    FIELD_KEYS,
    LAYOUT_KEYS,
    LICENSE_KEYS,
    MODULE_KEYS,
    ORG_KEYS,
    PICK_LIST_VALUE_KEYS,
    PIPELINE_KEYS,
    PIPELINE_STAGE_KEYS,
    USER_KEYS,
    complete,
)
from zoho_emulator.api.records import parse_header_time
from zoho_emulator.api.wire import CallContext, Route, empty_response, json_response
from zoho_emulator.engine.costs import API_CATALOGUE, cost_of
from zoho_emulator.engine.errors import ZohoError
from zoho_emulator.engine.listing import MAX_PER_PAGE, parse_int_param
from zoho_emulator.engine.render import iso, user_ref
from zoho_emulator.model.org import User
from zoho_emulator.model.schema import DEAL_STAGE_DISPLAY, DEAL_STAGES, MODULES, ModuleDef

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
# Role and profile ids are numeric strings like every Zoho id (get-users.html: "role": {"name": "CEO",
# "id": "4150868000000026005"}); the SDK reads them as Long.
ROLE_IDS = {"CEO": "5725767000000026005", "Manager": "5725767000000026008",
            "Sales Representative": "5725767000000026017"}
ADMIN_PROFILE_ID, STANDARD_PROFILE_ID = "5725767000000026011", "5725767000000026014"
NUMBER_TYPES_WITH_DECIMALS = ("double", "currency", "percent")


def metadata_id(kind: int, module: ModuleDef, *parts: int) -> str:
    """A 19-digit id unique in the org for a field (kind 1, its index), a pick-list value (kind 2, field and
    value index) or a layout (kind 3) of ``module``: the org prefix, the kind, the module's place, the parts."""
    tail = "".join(f"{p:04d}" for p in parts)
    return f"5725767{kind}{list(MODULES).index(module.api_name):02d}{tail:0>9}"


def role_id(name: str) -> str:
    """The role's id; a role the generator does not know gets a stable numeric one from its name."""
    if name in ROLE_IDS:
        return ROLE_IDS[name]
    return f"57257670000000{sum(ord(c) * (i + 1) for i, c in enumerate(name)) % 90000 + 10000:05d}"


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
        "license_details": complete({
            "paid": paid, "paid_type": org.edition if paid else None,
            "paid_expiry": iso(ctx.now.replace(year=ctx.now.year + 1), ctx.tz) if paid else None,
            "users_license_purchased": org.licences, "trial_type": None, "trial_expiry": None,
            "trial_action": None, "portal_users_license_purchased": 0,
        }, LICENSE_KEYS),
        "country": None, "alias": None, "ezgid": None, "deletable_org_account": False,
        "gapps_enabled": False, "translation_enabled": False, "lite_users_enabled": False,
        "zia_portal_id": None, "photo_id": None,
    }
    return json_response({"org": [complete(body, ORG_KEYS)]})


def org_currency(ctx: CallContext) -> str:
    return ctx.state.data.org.currency


def user_json(ctx: CallContext, user: User) -> dict[str, Any]:
    data = ctx.state.data
    return complete(_user_body(ctx, user, data), USER_KEYS)


def _user_body(ctx: CallContext, user: User, data: Any) -> dict[str, Any]:
    return {
        "id": user.id, "email": user.email, "first_name": user.first_name, "last_name": user.last_name,
        "full_name": user.full_name, "status": user.status, "confirm": user.confirm,
        "role": {"name": user.role, "id": role_id(user.role)},
        "profile": {"name": user.profile, "id": ADMIN_PROFILE_ID if user.is_admin else STANDARD_PROFILE_ID},
        "zuid": user.zuid, "phone": user.phone or None, "mobile": user.mobile or None,
        "time_zone": user.time_zone, "locale": user.locale, "country": user.country,
        "created_time": iso(user.created_time, ctx.tz) if user.created_time else None,
        "Modified_Time": iso(user.modified_time, ctx.tz) if user.modified_time else None,
        "created_by": user_ref(data, data.admin.id, with_email=True),
        "Modified_By": user_ref(data, data.admin.id, with_email=True),
        "type__s": "Regular User", "Isonline": False, "Currency": org_currency(ctx),
        "name_format__s": "Salutation,First Name,Last Name", "sort_order_preference__s": "First Name,Last Name",
        "status_reason__s": None, "date_format": "MM/dd/yyyy", "time_format": "hh:mm a",
        "decimal_separator": "Period", "number_separator": "Comma", "language": user.locale,
        "country_locale": user.locale, "personal_account": False, "ntc_enabled": False, "rtl_enabled": False,
        "telephony_enabled": False, "microsoft": False, "sandboxDeveloper": False, "imap_status": False,
        "name": user.full_name, "Created_Time": iso(user.created_time, ctx.tz) if user.created_time else None,
        "Created_By": user_ref(data, data.admin.id, with_email=True), "Tag": [],
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
    return complete(_module_body(module), MODULE_KEYS)


def _module_body(module: ModuleDef) -> dict[str, Any]:
    return {
        "api_name": module.api_name, "module_name": module.plural_label, "id": module.module_id,
        "singular_label": module.singular_label, "plural_label": module.plural_label,
        "api_supported": True, "generated_type": "default", "status": "visible",
        "creatable": True, "editable": True, "deletable": True, "viewable": True,
        "convertable": module.api_name == "Leads", "profiles": [{"name": "Administrator"}, {"name": "Standard"}],
        "modified_time": None, "modified_by": None, "visibility": 1, "visible": True, "show_as_tab": True,
        "quick_create": True, "global_search_supported": True, "filter_supported": True,
        "isBlueprintSupported": True, "triggers_supported": True, "webform_supported": True,
        "kanban_view_supported": True, "kanban_view": False, "per_page": 200,
        "sequence_number": list(MODULES).index(module.api_name) + 1, "presence_sub_menu": False,
        "feeds_required": False, "track_current_data": False, "scoring_supported": True,
        "emailTemplate_support": module.api_name in ("Leads", "Contacts", "Accounts", "Deals"),
        "inventory_template_supported": False, "recycle_bin_on_delete": True, "has_more_profiles": False,
        "profile_count": 2, "sub_menu_available": False, "description": None, "parent_module": {},
        "arguments": [], "$properties": [], "$on_demand_properties": [], "$field_states": [],
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
        out.append(complete({
            "id": metadata_id(1, module, i), "api_name": fd.api_name, "field_label": fd.display_label,
            "display_label": fd.display_label, "data_type": fd.data_type, "json_type": fd.json_type,
            "system_mandatory": fd.mandatory, "read_only": fd.read_only, "field_read_only": fd.read_only,
            "custom_field": fd.custom, "length": fd.length, "visible": True, "unique": {} if not fd.unique else
            {"casesensitive": False},
            "pick_list_values": [complete({
                "display_value": DEAL_STAGE_DISPLAY.get(v, v), "actual_value": v, "sequence_number": n + 1,
                "type": "used", "id": metadata_id(2, module, i, n), "colour_code": None,
                "reference_value": DEAL_STAGE_DISPLAY.get(v, v), "show_value": DEAL_STAGE_DISPLAY.get(v, v),
                "expected_data_type": None, "maps": [], "sys_ref_name": v}, PICK_LIST_VALUE_KEYS)
                for n, v in enumerate(fd.pick_list)],
            "lookup": lookup,
            # Airbyte's field parser requires the key; Zoho sends a number for decimal types, else null
            # (https://www.zoho.com/crm/developer/docs/api/v8/field-meta.html)
            "decimal_place": 2 if fd.data_type in NUMBER_TYPES_WITH_DECIMALS else None,
            "sequence_number": i + 1, "column_name": None, "type": "used", "ui_type": None,
            "created_source": "default", "display_type": -1, "webhook": False, "crypt": None,
            "sortable": fd.api_name in ("id", "Created_Time", "Modified_Time") or not fd.read_only,
            "searchable": True, "filterable": True, "mass_update": not fd.read_only, "private": None,
            "history_tracking": None, "history_tracking_enabled": False, "external": None, "virtual_field": False,
            "hipaa_compliance_enabled": False, "hipaa_compliance": None, "email_parser": None, "tooltip": None,
            "textarea": None, "auto_number": None, "formula": {}, "currency": {}, "multiselectlookup": {},
            "multiuserlookup": {}, "profiles": [], "quick_sequence_number": None, "default_value": None,
            "businesscard_supported": False, "enable_colour_code": False,
            "pick_list_values_sorted_lexically": False, "global_picklist": None, "operation_type": None,
            "view_type": {"view": True, "edit": not fd.read_only, "create": not fd.read_only,
                          "quick_create": fd.mandatory},
        }, FIELD_KEYS))
    return json_response({"fields": out})


def list_layouts(ctx: CallContext) -> Response:
    ctx.require_scope("ZohoCRM.settings.layouts.READ")
    module = _module_param(ctx)
    ctx.spend(cost_of("settings.layouts"))
    layout_id = DEALS_LAYOUT_ID if module.api_name == "Deals" else metadata_id(3, module)
    layout = {"id": layout_id, "name": "Standard", "status": "active", "visible": True, "api_name": "Standard",
              "display_label": "Standard", "generated_type": "default", "source": "crm", "mode": None,
              "show_business_card": False, "has_more_profiles": False, "created_time": None, "created_by": None,
              "modified_time": None, "modified_by": None, "profiles": [{"name": "Administrator",
                                                                         "id": ADMIN_PROFILE_ID, "default": True},
                                                                        {"name": "Standard",
                                                                         "id": STANDARD_PROFILE_ID, "default": True}],
              "sections": [], "convert_mapping": {}, "actions_allowed": {"edit": True, "rename": True,
                                                                       "clone": True, "downgrade": True,
                                                                       "delete": False, "deactivate": False,
                                                                       "set_layout_permissions": True}}
    return json_response({"layouts": [complete(layout, LAYOUT_KEYS)]})


def list_pipelines(ctx: CallContext) -> Response:
    ctx.require_scope("ZohoCRM.settings.pipeline.READ")
    layout_id = ctx.request.args.get("layout_id")
    if not layout_id:
        raise ZohoError("REQUIRED_PARAM_MISSING", "One of the expected parameter is missing",
                        {"param_name": "layout_id"})
    ctx.spend(cost_of("settings.pipeline"))
    if layout_id != DEALS_LAYOUT_ID:
        raise ZohoError("INVALID_DATA", "invalid data", {"param_name": "layout_id"})
    maps = [complete({"id": f"57257670000000{n:05d}", "display_value": DEAL_STAGE_DISPLAY.get(s, s), "actual_value": s,
             "sequence_number": n + 1, "forecast_type": forecast, "probability": p,
             "forecast_category": {"name": {"Open": "Pipeline", "Closed Won": "Closed",
                                            "Closed Lost": "Omitted"}[forecast], "id": f"57257670000001{n:05d}"},
                      "colour_code": None}, PIPELINE_STAGE_KEYS)
            for n, (s, p, forecast) in enumerate(DEAL_STAGES)]
    pipeline = {"id": PIPELINE_ID, "display_value": "Standard", "actual_value": "Standard", "default": True,
                "child_available": False, "parent": None, "maps": maps}
    return json_response({"pipeline": [complete(pipeline, PIPELINE_KEYS)]})


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
