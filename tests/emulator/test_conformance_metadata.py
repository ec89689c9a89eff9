"""Metadata conformance: org, users, modules, fields, layouts, pipelines and the /__apis cost table.

zoho-api.md §6 and §2 (``/__apis``).
"""
from __future__ import annotations

import pytest

USER_KEYS = {"id", "email", "first_name", "last_name", "full_name", "status", "confirm", "role", "profile",
             "zuid", "time_zone", "locale", "country", "created_time", "Modified_Time", "created_by",
             "Modified_By", "type__s"}


def user_ids(response) -> set[str]:
    assert response.status_code == 200, response.text
    return {u["id"] for u in response.json()["users"]}


@pytest.mark.parametrize(("edition", "licences"), [("enterprise", 10), ("standard", 3), ("ultimate", 50)])
def test_org_reports_license_details(make_emulator, token, api, edition, licences):
    """GET /org → {"org":[{…, "license_details": {"paid", "paid_type", "users_license_purchased", …}}]};
    paid_type is the edition in lower case.
    https://www.zoho.com/crm/developer/docs/api/v8/get-org-data.html"""
    em = make_emulator(edition=edition, licences=licences)
    r = api(em, token(em)).get("org")
    assert r.status_code == 200
    (org,) = r.json()["org"]
    assert {"id", "zgid", "primary_zuid", "company_name", "domain_name", "primary_email", "time_zone",
            "country_code", "currency", "iso_code", "currency_symbol", "currency_locale", "mc_status", "type",
            "hipaa_compliance_enabled", "privacy_settings", "created_time", "max_per_page"} <= set(org)
    assert org["company_name"] == "Northwind Demo" and org["type"] == "production"
    licence = org["license_details"]
    assert set(licence) == {"paid", "paid_type", "paid_expiry", "users_license_purchased", "trial_type",
                            "trial_expiry", "trial_action", "portal_users_license_purchased"}
    assert licence["paid"] is True and licence["paid_type"] == edition
    assert licence["users_license_purchased"] == licences


def test_users_all_users(crm):
    """GET /users?type=AllUsers → every (non-deleted) user with the documented keys and info.
    https://www.zoho.com/crm/developer/docs/api/v8/get-users.html"""
    seed = crm.em.seed
    r = crm.get("users", params={"type": "AllUsers"})
    assert user_ids(r) == {u.id for u in (seed.admin, seed.rep, seed.inactive, seed.pacific, seed.berlin)}
    assert all(USER_KEYS <= set(u) for u in r.json()["users"])
    assert set(r.json()["info"]) == {"per_page", "count", "page", "more_records"}


def test_users_active_users(crm):
    """type=ActiveUsers leaves out deactivated users.
    https://www.zoho.com/crm/developer/docs/api/v8/get-users.html"""
    seed = crm.em.seed
    ids = user_ids(crm.get("users", params={"type": "ActiveUsers"}))
    assert seed.inactive.id not in ids and len(ids) == 4


def test_users_deactive_users(crm):
    """type=DeactiveUsers lists only deactivated users (status "inactive").
    https://www.zoho.com/crm/developer/docs/api/v8/get-users.html"""
    seed = crm.em.seed
    r = crm.get("users", params={"type": "DeactiveUsers"})
    assert user_ids(r) == {seed.inactive.id}
    assert r.json()["users"][0]["status"] == "inactive"


def test_users_admin_users(crm):
    """type=AdminUsers lists administrators (profile "Administrator").
    https://www.zoho.com/crm/developer/docs/api/v8/get-users.html"""
    seed = crm.em.seed
    r = crm.get("users", params={"type": "AdminUsers"})
    assert user_ids(r) == {seed.admin.id}
    assert r.json()["users"][0]["profile"]["name"] == "Administrator"


def test_users_current_user(emulator, api, user_token):
    """type=CurrentUser returns the token's user — the admin check is profile.name == "Administrator".
    https://www.zoho.com/crm/developer/docs/api/v8/get-users.html"""
    seed = emulator.seed
    rep = api(emulator, user_token(emulator, seed.rep.email))
    r = rep.get("users", params={"type": "CurrentUser"})
    assert user_ids(r) == {seed.rep.id}
    me = r.json()["users"][0]
    assert me["profile"]["name"] != "Administrator" and me["email"] == seed.rep.email
    assert me["time_zone"] == "UTC"


def test_users_bad_type_is_refused(crm, zoho_error):
    """An unknown ``type`` is refused with 400 (code unverified).
    https://www.zoho.com/crm/developer/docs/api/v8/get-users.html"""
    zoho_error(crm.get("users", params={"type": "EveryoneEver"}), 400, "INVALID_DATA")


def test_get_one_user(crm):
    """GET /users/{id} → {"users":[user]}.
    https://www.zoho.com/crm/developer/docs/api/v8/get-users.html"""
    seed = crm.em.seed
    r = crm.get(f"users/{seed.pacific.id}")
    assert r.status_code == 200
    (user,) = r.json()["users"]
    assert user["full_name"] == "Grace Park" and user["time_zone"] == "America/Los_Angeles"


def test_settings_modules(crm):
    """GET /settings/modules → {"modules":[{api_name, module_name, id, singular_label, plural_label,
    api_supported, generated_type, status, creatable, …}]}; Events' label is "Meetings".
    https://www.zoho.com/crm/developer/docs/api/v8/modules-api.html"""
    r = crm.get("settings/modules")
    assert r.status_code == 200
    modules = {m["api_name"]: m for m in r.json()["modules"]}
    assert {"Leads", "Contacts", "Accounts", "Deals", "Calls", "Events", "Tasks"} <= set(modules)
    for m in modules.values():
        assert {"api_name", "module_name", "id", "singular_label", "plural_label", "api_supported",
                "generated_type", "status", "creatable", "editable", "deletable", "viewable", "convertable",
                "profiles", "modified_time"} <= set(m)
        assert m["api_supported"] is True
    assert modules["Events"]["plural_label"] == "Meetings"
    assert modules["Leads"]["convertable"] is True


def test_settings_modules_if_modified_since_is_304_when_unchanged(crm):
    """The SDK sends If-Modified-Since to /settings/modules and treats 304 as "unchanged"; a date before the
    last change returns the list.
    https://www.zoho.com/crm/developer/docs/api/v8/modules-api.html"""
    cached = crm.get("settings/modules", headers={"If-Modified-Since": "2099-01-01T00:00:00+00:00"})
    assert cached.status_code == 304 and cached.content == b"" and "Content-Type" not in cached.headers
    stale = crm.get("settings/modules", headers={"If-Modified-Since": "2000-01-01T00:00:00+00:00"})
    assert stale.status_code == 200 and stale.json()["modules"]


def test_settings_fields_requires_module(crm, zoho_error):
    """GET /settings/fields without ``module`` → 400 REQUIRED_PARAM_MISSING.
    https://www.zoho.com/crm/developer/docs/api/v8/field-meta.html"""
    zoho_error(crm.get("settings/fields"), 400, "REQUIRED_PARAM_MISSING")


def test_settings_fields_unknown_module_is_invalid_module(crm, zoho_error):
    """GET /settings/fields?module=<unknown> → 400 INVALID_MODULE.
    https://www.zoho.com/crm/developer/docs/api/v8/field-meta.html"""
    zoho_error(crm.get("settings/fields", params={"module": "Widgets"}), 400, "INVALID_MODULE")


def test_settings_fields_describe_types_lookups_and_picklists(crm):
    """Each field has api_name, data_type, json_type, system_mandatory, read_only, length, lookup and
    pick_list_values [{display_value, actual_value, sequence_number, …}].
    https://www.zoho.com/crm/developer/docs/api/v8/field-meta.html"""
    r = crm.get("settings/fields", params={"module": "Contacts"})
    assert r.status_code == 200
    fields = {f["api_name"]: f for f in r.json()["fields"]}
    for f in fields.values():
        assert {"id", "api_name", "field_label", "display_label", "data_type", "json_type", "system_mandatory",
                "read_only", "field_read_only", "custom_field", "length", "visible", "pick_list_values",
                "lookup"} <= set(f)
    assert fields["Last_Name"]["system_mandatory"] is True and fields["Last_Name"]["data_type"] == "text"
    assert fields["Email"]["data_type"] == "email" and fields["Email"]["json_type"] == "string"
    assert fields["Owner"]["data_type"] == "ownerlookup"
    assert fields["Modified_Time"]["data_type"] == "datetime" and fields["Modified_Time"]["read_only"] is True
    assert fields["Email_Opt_Out"]["json_type"] == "boolean"
    account = fields["Account_Name"]
    assert account["data_type"] == "lookup" and account["json_type"] == "jsonobject"
    assert account["lookup"]["module"]["api_name"] == "Accounts"
    sources = fields["Lead_Source"]
    assert sources["data_type"] == "picklist"
    values = sources["pick_list_values"]
    assert {"display_value", "actual_value", "sequence_number"} <= set(values[0])
    assert "Trade Show" in {v["actual_value"] for v in values}


def test_deal_stage_picklist_has_display_and_actual_values(crm):
    """Deals.Stage: display and actual values can differ ("Identify Decision Makers" vs "Id. Decision Makers").
    https://www.zoho.com/crm/developer/docs/api/v8/field-meta.html"""
    fields = {f["api_name"]: f for f in crm.get("settings/fields", params={"module": "Deals"}).json()["fields"]}
    stage = {v["actual_value"]: v["display_value"] for v in fields["Stage"]["pick_list_values"]}
    assert stage["Id. Decision Makers"] == "Identify Decision Makers"
    assert stage["Closed Won"] == "Closed Won"


def test_settings_layouts_for_deals(crm):
    """GET /settings/layouts?module=Deals → {"layouts":[{id, name, …}]}.
    https://www.zoho.com/crm/developer/docs/api/v8/layouts-meta.html"""
    r = crm.get("settings/layouts", params={"module": "Deals"})
    assert r.status_code == 200
    layouts = r.json()["layouts"]
    assert layouts and all({"id", "name"} <= set(layout) for layout in layouts)


def test_settings_pipeline_requires_layout_id(crm, zoho_error):
    """GET /settings/pipeline without layout_id → 400 REQUIRED_PARAM_MISSING.
    https://www.zoho.com/crm/developer/docs/api/v7/get-pipelines.html"""
    zoho_error(crm.get("settings/pipeline"), 400, "REQUIRED_PARAM_MISSING")


def test_settings_pipeline_maps_stages_with_forecast_type(crm):
    """GET /settings/pipeline?layout_id= → {"pipeline":[{id, display_value, default, maps:[{id,
    display_value, actual_value, sequence_number, forecast_type, forecast_category{name,id}}]}]}.
    https://www.zoho.com/crm/developer/docs/api/v7/get-pipelines.html"""
    layout_id = crm.get("settings/layouts", params={"module": "Deals"}).json()["layouts"][0]["id"]
    r = crm.get("settings/pipeline", params={"layout_id": layout_id})
    assert r.status_code == 200
    (pipeline,) = r.json()["pipeline"]
    assert {"id", "display_value", "default", "maps"} <= set(pipeline) and pipeline["default"] is True
    maps = pipeline["maps"]
    for stage in maps:
        assert {"id", "display_value", "actual_value", "sequence_number", "forecast_type",
                "forecast_category"} <= set(stage)
        assert stage["forecast_type"] in ("Open", "Closed Won", "Closed Lost")
        assert set(stage["forecast_category"]) == {"name", "id"}
    by_value = {m["actual_value"]: m for m in maps}
    assert by_value["Closed Won"]["forecast_type"] == "Closed Won"
    assert by_value["Closed Lost"]["forecast_type"] == "Closed Lost"
    assert by_value["Qualification"]["forecast_type"] == "Open"
    assert [m["sequence_number"] for m in maps] == sorted(m["sequence_number"] for m in maps)


def test_apis_cost_table(crm):
    """GET /__apis → {"__apis":[{"path", "operation_types":[{"method", "oauth_scope", "min_credits",
    "max_credits"}]}]}: upsert 1-10 credits, deleted records 2.
    https://www.zoho.com/crm/developer/docs/api/v7/list-available-rest-apis.html"""
    r = crm.get("__apis")
    assert r.status_code == 200
    table = {}
    for api in r.json()["__apis"]:
        assert set(api) == {"path", "operation_types"}
        for op in api["operation_types"]:
            assert set(op) == {"method", "oauth_scope", "min_credits", "max_credits"}
            table[(api["path"], op["method"])] = (op["min_credits"], op["max_credits"])
    assert table[("/crm/v8/{{module}}/upsert", "POST")] == (1, 10)
    assert table[("/crm/v8/{{module}}", "POST")] == (1, 10)
    assert table[("/crm/v8/{{module}}/deleted", "GET")] == (2, 2)
    assert table[("/crm/v8/org", "GET")] == (1, 1)
