"""Records API conformance: list, get, insert, update, upsert, delete, deleted records (zoho-api.md §3, §9, §10).

Every call goes over HTTP with ``Authorization: Zoho-oauthtoken``; assertions are on Zoho's documented
status codes, envelopes and per-record result objects.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

GET_RECORDS = "https://www.zoho.com/crm/developer/docs/api/v8/get-records.html"
JSON_TYPE = "application/json;charset=UTF-8"
KOLKATA = ZoneInfo("Asia/Kolkata")  # the seeded admin's time zone


def stamp(when: datetime, tz: ZoneInfo | timezone = UTC) -> str:
    """Zoho's datetime format: ISO 8601 with offset, no fractions."""
    return when.astimezone(tz).replace(microsecond=0).isoformat()


def ids_of(response) -> list[str]:
    return [row["id"] for row in response.json()["data"]]


def contact(**values):
    return {"Last_Name": "Mbeki", "First_Name": "Thabo", **values}


def call(**values):
    start = datetime.now(UTC) - timedelta(days=1)
    body = {"Subject": "Discovery call", "Call_Type": "Outbound", "Call_Start_Time": stamp(start),
            "Call_Duration": "05:30"}
    body.update(values)
    return {k: v for k, v in body.items() if v is not None}


def only_record(response) -> dict:
    data = response.json()["data"]
    assert len(data) == 1, data
    return data[0]


def assert_record_error(result: dict, code: str, api_name: str | None = None) -> dict:
    assert set(result) == {"code", "details", "message", "status"}, result
    assert result["status"] == "error" and result["code"] == code, result
    if api_name is not None:
        assert result["details"]["api_name"] == api_name, result
    return result["details"]


# -- list: parameters ----------------------------------------------------------------------------

def test_list_requires_fields(crm, zoho_error):
    """GET /{module} without ``fields`` → 400 REQUIRED_PARAM_MISSING naming the parameter.
    https://www.zoho.com/crm/developer/docs/api/v8/get-records.html"""
    body = zoho_error(crm.get("Contacts"), 400, "REQUIRED_PARAM_MISSING")
    assert "fields" in body["details"].values()


def test_list_more_than_50_fields_is_limit_exceeded(crm, zoho_error):
    """At most 50 field API names in ``fields``; 51 → 400 LIMIT_EXCEEDED.
    https://www.zoho.com/crm/developer/docs/api/v8/get-records.html"""
    names = ",".join(f"Field_{i}" for i in range(51))
    zoho_error(crm.get("Contacts", params={"fields": names}), 400, "LIMIT_EXCEEDED")


def test_list_per_page_defaults_to_and_caps_at_200(big_emulator, token, api, zoho_error):
    """per_page: default and maximum 200 (201 is refused; error code unverified).
    https://www.zoho.com/crm/developer/docs/api/v8/get-records.html"""
    crm = api(big_emulator, token(big_emulator))
    r = crm.get("Contacts", params={"fields": "Last_Name"})
    assert r.status_code == 200
    assert r.json()["info"]["per_page"] == 200 and len(r.json()["data"]) == 200
    zoho_error(crm.get("Contacts", params={"fields": "Last_Name", "per_page": "201"}), 400, "INVALID_DATA")


def test_list_info_has_the_documented_keys(crm):
    """The list envelope is {"data": [...], "info": {...}} with the v7/v8 info keys.
    https://www.zoho.com/crm/developer/docs/api/v8/get-records.html"""
    r = crm.get("Contacts", params={"fields": "Last_Name,Email"})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"data", "info"}
    assert set(body["info"]) == {"per_page", "count", "page", "sort_by", "sort_order", "more_records",
                                 "next_page_token", "previous_page_token", "page_token_expiry", "call", "email"}
    assert body["info"]["count"] == len(body["data"]) == 4
    assert body["info"]["more_records"] is False and body["info"]["next_page_token"] is None
    assert all(set(row) == {"id", "Last_Name", "Email"} for row in body["data"])


def test_page_beyond_2000_rows_is_discrete_pagination_limit_exceeded(big_emulator, token, api, zoho_error):
    """``page`` reaches only the first 2,000 rows (pages 1-10 of 200); page 11 → 400
    DISCRETE_PAGINATION_LIMIT_EXCEEDED.
    https://www.zoho.com/crm/developer/docs/api/v8/get-records.html"""
    crm = api(big_emulator, token(big_emulator))
    tenth = crm.get("Contacts", params={"fields": "Last_Name", "page": "10"})
    assert tenth.status_code == 200 and tenth.json()["info"]["page"] == 10
    assert tenth.json()["info"]["more_records"] is True
    zoho_error(crm.get("Contacts", params={"fields": "Last_Name", "page": "11"}), 400,
               "DISCRETE_PAGINATION_LIMIT_EXCEEDED")
    zoho_error(crm.get("Contacts", params={"fields": "Last_Name", "page": "21", "per_page": "100"}), 400,
               "DISCRETE_PAGINATION_LIMIT_EXCEEDED")


def test_next_page_token_pages_through_more_than_2000_records(big_emulator, token, api):
    """info.next_page_token (with page_token_expiry) walks past 2,000 rows: every record once, in order.
    https://www.zoho.com/crm/developer/docs/api/v8/get-records.html"""
    crm = api(big_emulator, token(big_emulator))
    params = {"fields": "Last_Name", "per_page": "200"}
    seen: list[str] = []
    r = crm.get("Contacts", params=params)
    while True:
        assert r.status_code == 200
        info = r.json()["info"]
        seen.extend(ids_of(r))
        if not info["more_records"]:
            assert info["next_page_token"] is None
            break
        assert isinstance(info["next_page_token"], str) and info["page_token_expiry"]
        r = crm.get("Contacts", params={**params, "page_token": info["next_page_token"]})
    expected = len(big_emulator.seed.contacts) + len(big_emulator.seed.bulk_contacts)
    assert len(seen) == len(set(seen)) == expected
    assert seen == sorted(seen, key=int, reverse=True)  # default sort: id desc


def test_page_with_page_token_is_ambiguity_during_processing(big_emulator, token, api, zoho_error):
    """``page`` and ``page_token`` together → 400 AMBIGUITY_DURING_PROCESSING.
    https://www.zoho.com/crm/developer/docs/api/v8/get-records.html"""
    crm = api(big_emulator, token(big_emulator))
    next_token = crm.get("Contacts", params={"fields": "Last_Name"}).json()["info"]["next_page_token"]
    r = crm.get("Contacts", params={"fields": "Last_Name", "page": "2", "page_token": next_token})
    zoho_error(r, 400, "AMBIGUITY_DURING_PROCESSING")


def test_page_token_reused_with_other_params_is_token_bound_data_mismatch(big_emulator, token, api, zoho_error):
    """A page_token is bound to the request's parameters; changing them → 400 TOKEN_BOUND_DATA_MISMATCH.
    https://www.zoho.com/crm/developer/docs/api/v8/get-records.html"""
    crm = api(big_emulator, token(big_emulator))
    next_token = crm.get("Contacts", params={"fields": "Last_Name"}).json()["info"]["next_page_token"]
    zoho_error(crm.get("Contacts", params={"fields": "Last_Name,Email", "page_token": next_token}), 400,
               "TOKEN_BOUND_DATA_MISMATCH")
    zoho_error(crm.get("Contacts", params={"fields": "Last_Name", "sort_order": "asc", "page_token": next_token}),
               400, "TOKEN_BOUND_DATA_MISMATCH")


def test_page_token_older_than_24_hours_is_expired_value(big_emulator, token, api, control, zoho_error):
    """A page_token is valid 24 h; later → 400 EXPIRED_VALUE.
    https://www.zoho.com/crm/developer/docs/api/v8/get-records.html"""
    crm = api(big_emulator, token(big_emulator))
    next_token = crm.get("Contacts", params={"fields": "Last_Name"}).json()["info"]["next_page_token"]
    control(big_emulator).advance(24 * 3600 + 1)
    crm = api(big_emulator, token(big_emulator))  # the old access token died meanwhile
    zoho_error(crm.get("Contacts", params={"fields": "Last_Name", "page_token": next_token}), 400, "EXPIRED_VALUE")


def test_page_token_is_user_specific(big_emulator, token, api, user_token, zoho_error):
    """A page_token issued to one user is refused for another → 400 INVALID_DATA.
    https://www.zoho.com/crm/developer/docs/api/v8/get-records.html"""
    admin = api(big_emulator, token(big_emulator))
    next_token = admin.get("Contacts", params={"fields": "Last_Name"}).json()["info"]["next_page_token"]
    rep = api(big_emulator, user_token(big_emulator, big_emulator.seed.rep.email))
    zoho_error(rep.get("Contacts", params={"fields": "Last_Name", "page_token": next_token}), 400, "INVALID_DATA")


def test_sort_by_accepts_only_id_created_time_modified_time(crm, zoho_error):
    """sort_by is one of id, Created_Time, Modified_Time; others are refused (code unverified).
    https://www.zoho.com/crm/developer/docs/api/v8/get-records.html"""
    for ok in ("id", "Created_Time", "Modified_Time"):
        assert crm.get("Contacts", params={"fields": "Last_Name", "sort_by": ok}).status_code == 200
    zoho_error(crm.get("Contacts", params={"fields": "Last_Name", "sort_by": "Last_Name"}), 400, "INVALID_DATA")


def test_sort_order_applies_to_sort_by(crm):
    """Default order is id desc; sort_by=Modified_Time&sort_order=asc orders by that field ascending.
    https://www.zoho.com/crm/developer/docs/api/v8/get-records.html"""
    default = crm.get("Contacts", params={"fields": "Last_Name"})
    assert ids_of(default) == sorted(ids_of(default), key=int, reverse=True)
    assert default.json()["info"]["sort_by"] == "id" and default.json()["info"]["sort_order"] == "desc"
    r = crm.get("Contacts", params={"fields": "Modified_Time", "sort_by": "Modified_Time", "sort_order": "asc"})
    times = [datetime.fromisoformat(row["Modified_Time"]) for row in r.json()["data"]]
    assert times == sorted(times) and len(times) == 4
    assert r.json()["info"]["sort_by"] == "Modified_Time" and r.json()["info"]["sort_order"] == "asc"
    assert ids_of(r)[-1] == crm.em.seed.recently_modified_contact


def test_if_modified_since_returns_only_modified_records(crm):
    """If-Modified-Since (ISO 8601 with offset) → only records modified at or after that instant.
    https://www.zoho.com/crm/developer/docs/api/v8/get-records.html"""
    seed = crm.em.seed
    since = stamp(seed.recent_modification - timedelta(hours=1), KOLKATA)
    r = crm.get("Contacts", params={"fields": "Last_Name,Modified_Time"}, headers={"If-Modified-Since": since})
    assert r.status_code == 200
    assert ids_of(r) == [seed.recently_modified_contact]


def test_if_modified_since_with_nothing_modified_is_304_without_body(crm):
    """Nothing modified since the header's instant → 304 Not Modified, empty body, no Content-Type.
    https://www.zoho.com/crm/developer/docs/api/v8/get-records.html"""
    since = stamp(datetime.now(UTC) - timedelta(hours=1))
    r = crm.get("Contacts", params={"fields": "Last_Name"}, headers={"If-Modified-Since": since})
    assert r.status_code == 304
    assert r.content == b""
    assert "Content-Type" not in r.headers


def test_empty_list_is_204_without_body(crm):
    """A module with no records → 204 No Content, empty body, no Content-Type.
    https://www.zoho.com/crm/developer/docs/api/v8/get-records.html"""
    r = crm.get("Tasks", params={"fields": "Subject"})
    assert r.status_code == 204
    assert r.content == b""
    assert "Content-Type" not in r.headers


def test_converted_leads_are_hidden_by_default(crm):
    """converted=false (default) hides converted leads; true shows only them; both shows all.
    https://www.zoho.com/crm/developer/docs/api/v8/get-records.html"""
    seed = crm.em.seed
    fields = {"fields": "Last_Name,Converted__s"}
    default = ids_of(crm.get("Leads", params=fields))
    assert seed.converted_lead not in default and len(default) == len(seed.leads) - 1
    assert ids_of(crm.get("Leads", params={**fields, "converted": "true"})) == [seed.converted_lead]
    assert set(ids_of(crm.get("Leads", params={**fields, "converted": "both"}))) == set(seed.leads)


def test_lookups_are_name_and_id_objects(crm):
    """Lookup fields come back as {"name", "id"}.
    https://www.zoho.com/crm/developer/docs/api/v8/get-records.html"""
    seed = crm.em.seed
    r = crm.get("Contacts", params={"fields": "Account_Name", "ids": seed.contacts[1]})
    assert only_record(r)["Account_Name"] == {"name": "Contoso Ltd", "id": seed.accounts[1]}


def test_owner_is_name_id_and_email(crm):
    """The Owner field comes back as {"name", "id", "email"}.
    https://www.zoho.com/crm/developer/docs/api/v8/get-records.html"""
    seed = crm.em.seed
    r = crm.get("Contacts", params={"fields": "Owner", "ids": seed.contacts[1]})
    assert only_record(r)["Owner"] == {"name": "Li Wei", "id": seed.rep.id, "email": seed.rep.email}


def test_datetimes_are_in_the_token_users_time_zone(emulator, token, api, user_token):
    """Datetime values are rendered in the requesting user's time zone with its offset.
    https://www.zoho.com/crm/developer/docs/api/v8/get-records.html (zoho-api.md §3 field formats)"""
    seed = emulator.seed
    params = {"fields": "Created_Time", "ids": seed.contacts[2]}
    admin_view = only_record(api(emulator, token(emulator)).get("Contacts", params=params))["Created_Time"]
    pacific = api(emulator, user_token(emulator, seed.pacific.email))
    pacific_view = only_record(pacific.get("Contacts", params=params))["Created_Time"]
    assert admin_view.endswith("+05:30")
    instant = datetime.fromisoformat(admin_view)
    assert datetime.fromisoformat(pacific_view) == instant
    assert pacific_view == instant.astimezone(ZoneInfo("America/Los_Angeles")).isoformat()


# -- get one -------------------------------------------------------------------------------------

def test_get_by_id_returns_a_one_element_data_array(crm):
    """GET /{module}/{id} → {"data": [record]} with all fields; ``fields`` optional.
    https://www.zoho.com/crm/developer/docs/api/v8/get-records.html"""
    seed = crm.em.seed
    r = crm.get(f"Deals/{seed.deals[0]}")
    assert r.status_code == 200 and r.headers["Content-Type"] == JSON_TYPE
    record = only_record(r)
    assert record["id"] == seed.deals[0]
    assert record["Deal_Name"] == "Northwind renewal" and record["Stage"] == "Negotiation/Review"
    assert record["Account_Name"] == {"name": "Northwind Traders", "id": seed.accounts[0]}
    assert set(r.json()) == {"data"}


def test_get_by_unknown_id_is_invalid_data(crm, zoho_error):
    """An id that does not exist → 400 INVALID_DATA (documented for update/delete; unverified for GET).
    https://www.zoho.com/crm/developer/docs/api/v8/get-records.html"""
    zoho_error(crm.get("Contacts/5725767999999999999"), 400, "INVALID_DATA")


# -- insert --------------------------------------------------------------------------------------

def test_insert_returns_201_with_record_added_details(crm):
    """POST /{module} → 201; per record {"code":"SUCCESS","details":{id, Created_Time, Modified_Time,
    $approval_state, Created_By, Modified_By},"message":"record added","status":"success"}.
    https://www.zoho.com/crm/developer/docs/api/v8/insert-records.html"""
    r = crm.post("Contacts", json={"data": [contact(Email="thabo@example.org")], "trigger": []})
    assert r.status_code == 201 and r.headers["Content-Type"] == JSON_TYPE
    result = only_record(r)
    assert result["code"] == "SUCCESS" and result["status"] == "success" and result["message"] == "record added"
    details = result["details"]
    assert set(details) == {"id", "Created_Time", "Modified_Time", "$approval_state", "Created_By", "Modified_By"}
    admin = crm.em.seed.admin
    assert details["Created_By"] == {"name": admin.full_name, "id": admin.id}
    stored = only_record(crm.get(f"Contacts/{details['id']}"))
    assert stored["Full_Name"] == "Thabo Mbeki" and stored["Owner"]["id"] == admin.id


def test_insert_with_some_failures_is_207(crm):
    """Some records fail → 207 Multi-Status; results in input order, each with its own code.
    https://www.zoho.com/crm/developer/docs/api/v8/insert-records.html · https://www.zoho.com/crm/help/api/error-messages.html"""
    r = crm.post("Contacts", json={"data": [contact(), {"First_Name": "No last name"}, contact(Last_Name="Ok")]})
    assert r.status_code == 207
    codes = [row["code"] for row in r.json()["data"]]
    assert codes == ["SUCCESS", "MANDATORY_NOT_FOUND", "SUCCESS"]


def test_insert_with_all_failing_is_400_with_per_record_errors(crm):
    """All records fail → 400 with the same data[] of per-record errors (unverified status).
    https://www.zoho.com/crm/developer/docs/api/v8/insert-records.html"""
    r = crm.post("Contacts", json={"data": [{"First_Name": "A"}, {"First_Name": "B"}]})
    assert r.status_code == 400
    assert [row["code"] for row in r.json()["data"]] == ["MANDATORY_NOT_FOUND"] * 2


def test_missing_mandatory_field_is_mandatory_not_found_with_api_name(crm):
    """A required field missing → MANDATORY_NOT_FOUND, details.api_name and json_path.
    https://www.zoho.com/crm/developer/docs/api/v8/insert-records.html"""
    r = crm.post("Accounts", json={"data": [{"Phone": "+1 415 555 0199"}]})
    details = assert_record_error(only_record(r), "MANDATORY_NOT_FOUND", "Account_Name")
    assert details["json_path"] == "$.data[0].Account_Name"


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("Employees", "many", "integer"), ("Email_Opt_Out", "yes", "boolean"), ("Annual_Revenue", "1M", "double"),
])
def test_wrong_type_is_invalid_data_with_expected_data_type(crm, field, value, expected):
    """A value of the wrong type → INVALID_DATA with details.expected_data_type and api_name.
    https://www.zoho.com/crm/developer/docs/api/v8/insert-records.html"""
    module, body = ("Contacts", contact()) if field == "Email_Opt_Out" else ("Accounts", {"Account_Name": "Acme"})
    r = crm.post(module, json={"data": [{**body, field: value}]})
    details = assert_record_error(only_record(r), "INVALID_DATA", field)
    assert details["expected_data_type"] == expected


def test_lookup_to_missing_record_is_invalid_data(crm):
    """A lookup must point at an existing record of the lookup's module → INVALID_DATA otherwise.
    https://www.zoho.com/crm/developer/docs/api/v8/insert-records.html"""
    r = crm.post("Contacts", json={"data": [contact(Account_Name={"id": "5725767999999999999"})]})
    assert_record_error(only_record(r), "INVALID_DATA", "Account_Name")


def test_what_id_without_se_module_is_refused(crm):
    """What_Id needs "$se_module" naming its module; without it the record is refused.
    https://www.zoho.com/crm/developer/docs/api/v8/insert-records.html"""
    seed = crm.em.seed
    r = crm.post("Tasks", json={"data": [{"Subject": "Send quote", "What_Id": {"id": seed.deals[0]}}]})
    assert_record_error(only_record(r), "MANDATORY_NOT_FOUND", "$se_module")
    ok = crm.post("Tasks", json={"data": [{"Subject": "Send quote", "What_Id": {"id": seed.deals[0]},
                                           "$se_module": "Deals"}]})
    assert ok.status_code == 201


def test_who_id_must_be_a_contact(crm):
    """Who_Id takes a Contact; a Lead id there → INVALID_DATA (Leads go in What_Id).
    https://www.zoho.com/crm/developer/docs/api/v8/insert-records.html"""
    seed = crm.em.seed
    r = crm.post("Tasks", json={"data": [{"Subject": "Follow up", "Who_Id": {"id": seed.leads[0]}}]})
    assert_record_error(only_record(r), "INVALID_DATA", "Who_Id")
    ok = crm.post("Tasks", json={"data": [{"Subject": "Follow up", "Who_Id": {"id": seed.contacts[0]}}]})
    assert ok.status_code == 201


def test_owner_must_be_an_active_user(crm):
    """Owner must be an active user of the org; an inactive one → INVALID_DATA.
    https://www.zoho.com/crm/developer/docs/api/v8/insert-records.html"""
    seed = crm.em.seed
    r = crm.post("Contacts", json={"data": [contact(Owner={"id": seed.inactive.id})]})
    assert_record_error(only_record(r), "INVALID_DATA", "Owner")
    ok = crm.post("Contacts", json={"data": [contact(Owner={"id": seed.rep.id})]})
    new_id = only_record(ok)["details"]["id"]
    assert only_record(crm.get(f"Contacts/{new_id}"))["Owner"]["id"] == seed.rep.id


def test_more_than_100_records_is_limit_exceeded(crm, zoho_error):
    """At most 100 records per insert call; 101 → 400 LIMIT_EXCEEDED for the whole request.
    https://www.zoho.com/crm/developer/docs/api/v8/insert-records.html"""
    zoho_error(crm.post("Contacts", json={"data": [contact()] * 101}), 400, "LIMIT_EXCEEDED")
    assert crm.post("Contacts", json={"data": [contact()] * 100}).status_code == 201


def test_more_than_50_participants_is_limit_exceeded(crm):
    """A meeting takes at most 50 participants; 51 → LIMIT_EXCEEDED.
    https://www.zoho.com/crm/developer/docs/api/v8/insert-records.html"""
    start = datetime.now(UTC) + timedelta(days=2)
    meeting = {"Event_Title": "Quarterly review", "Start_DateTime": stamp(start),
               "End_DateTime": stamp(start + timedelta(hours=1))}
    people = [{"type": "email", "Email": f"guest{i}@example.org"} for i in range(51)]
    r = crm.post("Events", json={"data": [{**meeting, "Participants": people}]})
    assert_record_error(only_record(r), "LIMIT_EXCEEDED")
    ok = crm.post("Events", json={"data": [{**meeting, "Participants": people[:50]}]})
    assert ok.status_code == 201


def test_calls_need_subject_call_type_and_start_time(crm):
    """Calls: Subject, Call_Type and Call_Start_Time are mandatory.
    https://www.zoho.com/crm/developer/docs/api/v8/insert-records.html"""
    r = crm.post("Calls", json={"data": [call(Subject=None), call(Call_Type=None), call(Call_Start_Time=None)]})
    assert r.status_code == 400
    names = [assert_record_error(row, "MANDATORY_NOT_FOUND")["api_name"] for row in r.json()["data"]]
    assert names == ["Subject", "Call_Type", "Call_Start_Time"]
    assert crm.post("Calls", json={"data": [call()]}).status_code == 201


def test_completed_call_needs_a_duration(crm):
    """A completed (past) call needs Call_Duration → MANDATORY_NOT_FOUND without it.
    https://www.zoho.com/crm/developer/docs/api/v8/insert-records.html"""
    r = crm.post("Calls", json={"data": [call(Call_Duration=None, Call_Type="Inbound")]})
    assert_record_error(only_record(r), "MANDATORY_NOT_FOUND", "Call_Duration")


def test_zero_call_duration_is_dependent_mismatch(crm):
    """A zero duration on an Inbound/Outbound call → DEPENDENT_MISMATCH.
    https://www.zoho.com/crm/developer/docs/api/v8/insert-records.html"""
    r = crm.post("Calls", json={"data": [call(Call_Duration="00:00")]})
    assert_record_error(only_record(r), "DEPENDENT_MISMATCH", "Call_Duration")


def test_deals_need_stage_and_pipeline(crm):
    """Deals: Deal_Name and Stage are mandatory, and Pipeline when pipelines are on; a Stage outside the
    pipeline → INVALID_DATA.
    https://www.zoho.com/crm/developer/docs/api/v8/insert-records.html · https://www.zoho.com/crm/developer/docs/api/v7/get-pipelines.html"""
    deal = {"Deal_Name": "Fabrikam expansion", "Stage": "Qualification", "Pipeline": "Standard"}
    r = crm.post("Deals", json={"data": [
        {k: v for k, v in deal.items() if k != "Stage"},
        {k: v for k, v in deal.items() if k != "Pipeline"},
        {**deal, "Stage": "Wishful Thinking"},
        deal,
    ]})
    assert r.status_code == 207
    rows = r.json()["data"]
    assert_record_error(rows[0], "MANDATORY_NOT_FOUND", "Stage")
    assert_record_error(rows[1], "MANDATORY_NOT_FOUND", "Pipeline")
    assert_record_error(rows[2], "INVALID_DATA", "Stage")
    assert rows[3]["code"] == "SUCCESS"


# -- update --------------------------------------------------------------------------------------

def test_update_by_id_in_body(crm, ctl):
    """PUT /{module} with ids in the body → 200 "record updated"; Modified_Time/Modified_By maintained.
    https://www.zoho.com/crm/developer/docs/api/v8/update-records.html"""
    seed = crm.em.seed
    r = crm.put("Contacts", json={"data": [{"id": seed.contacts[2], "Title": "CFO"}]})
    assert r.status_code == 200
    result = only_record(r)
    assert result["code"] == "SUCCESS" and result["message"] == "record updated"
    assert result["details"]["id"] == seed.contacts[2]
    stored = only_record(crm.get(f"Contacts/{seed.contacts[2]}"))
    assert stored["Title"] == "CFO" and stored["Last_Name"] == "Lind"
    assert stored["Modified_By"]["id"] == seed.admin.id
    assert datetime.fromisoformat(stored["Modified_Time"]) >= ctl.now() - timedelta(seconds=5)


def test_update_by_id_in_url(crm):
    """PUT /{module}/{id} updates that record.
    https://www.zoho.com/crm/developer/docs/api/v8/update-records.html"""
    seed = crm.em.seed
    r = crm.put(f"Deals/{seed.deals[1]}", json={"data": [{"Stage": "Needs Analysis"}]})
    assert r.status_code == 200 and only_record(r)["details"]["id"] == seed.deals[1]
    assert only_record(crm.get(f"Deals/{seed.deals[1]}"))["Stage"] == "Needs Analysis"


def test_update_unknown_id_is_invalid_data(crm):
    """An id that does not exist → INVALID_DATA ("the id given seems to be invalid").
    https://www.zoho.com/crm/developer/docs/api/v8/update-records.html"""
    r = crm.put("Contacts", json={"data": [{"id": "5725767999999999999", "Title": "CFO"}]})
    assert r.status_code == 400
    assert_record_error(only_record(r), "INVALID_DATA")


def test_if_unmodified_since_conflict_is_412_already_modified(crm):
    """If-Unmodified-Since earlier than the record's last change → 412 ALREADY_MODIFIED.
    https://www.zoho.com/crm/developer/docs/api/v8/update-records.html"""
    seed = crm.em.seed
    body = {"data": [{"id": seed.recently_modified_contact, "Title": "COO"}]}
    before = stamp(seed.recent_modification - timedelta(days=1))
    r = crm.put("Contacts", json=body, headers={"If-Unmodified-Since": before})
    assert r.status_code == 412
    assert_record_error(only_record(r), "ALREADY_MODIFIED")
    after = stamp(seed.recent_modification + timedelta(minutes=1))
    assert crm.put("Contacts", json=body, headers={"If-Unmodified-Since": after}).status_code == 200


# -- upsert --------------------------------------------------------------------------------------

def test_upsert_inserts_when_no_duplicate(crm):
    """POST /{module}/upsert with no match → inserted; result carries action "insert", duplicate_field null.
    https://www.zoho.com/crm/developer/docs/api/v8/upsert-records.html"""
    r = crm.post("Contacts/upsert", json={"data": [contact(Email="new.person@example.org")]})
    assert r.status_code in (200, 201)
    result = only_record(r)
    assert result["code"] == "SUCCESS" and result["action"] == "insert" and result["duplicate_field"] is None


def test_upsert_updates_on_the_system_duplicate_check_field(crm):
    """With no duplicate_check_fields, Contacts match on Email: the record is updated, action "update",
    duplicate_field "Email".
    https://www.zoho.com/crm/developer/docs/api/v8/upsert-records.html"""
    seed = crm.em.seed
    r = crm.post("Contacts/upsert", json={"data": [{"Last_Name": "Rossi", "Email": "MARCO.ROSSI@example.org",
                                                    "Title": "Procurement Lead"}]})
    assert r.status_code in (200, 201)
    result = only_record(r)
    assert result["action"] == "update" and result["duplicate_field"] == "Email"
    assert result["details"]["id"] == seed.contacts[1]
    assert only_record(crm.get(f"Contacts/{seed.contacts[1]}"))["Title"] == "Procurement Lead"


def test_upsert_uses_given_duplicate_check_fields(crm):
    """duplicate_check_fields picks the fields to match on (Accounts: Account_Name).
    https://www.zoho.com/crm/developer/docs/api/v8/upsert-records.html"""
    seed = crm.em.seed
    r = crm.post("Accounts/upsert", json={"data": [{"Account_Name": "Contoso Ltd", "Phone": "+44 20 7946 0999"}],
                                          "duplicate_check_fields": ["Account_Name"]})
    result = only_record(r)
    assert result["action"] == "update" and result["duplicate_field"] == "Account_Name"
    assert result["details"]["id"] == seed.accounts[1]


@pytest.mark.parametrize("module", ["Calls", "Events", "Tasks"])
def test_upsert_is_not_supported_for_activities(crm, module):
    """Upsert's supported-module list excludes Calls, Events and Tasks (error code unverified).
    https://www.zoho.com/crm/developer/docs/api/v8/upsert-records.html"""
    r = crm.post(f"{module}/upsert", json={"data": [{"Subject": "x", "Event_Title": "x"}]})
    assert r.status_code in (400, 403)
    body = r.json()
    assert body["status"] == "error" and body["code"] in ("NOT_SUPPORTED", "INVALID_MODULE")
    assert crm.get(module, params={"fields": "Owner"}).status_code == 204


# -- delete and deleted records ------------------------------------------------------------------

def test_delete_by_ids(crm, zoho_error):
    """DELETE /{module}?ids=a,b → 200, per record {"code":"SUCCESS","details":{"id"},"message":"record deleted"}.
    https://www.zoho.com/crm/developer/docs/api/v8/delete-records.html"""
    seed = crm.em.seed
    r = crm.delete("Contacts", params={"ids": f"{seed.contacts[1]},{seed.contacts[2]}"})
    assert r.status_code == 200
    assert r.json()["data"] == [
        {"code": "SUCCESS", "details": {"id": rid}, "message": "record deleted", "status": "success"}
        for rid in seed.contacts[1:3]]
    zoho_error(crm.get(f"Contacts/{seed.contacts[1]}"), 400, "INVALID_DATA")


def test_delete_by_id_in_url(crm):
    """DELETE /{module}/{id} deletes that record.
    https://www.zoho.com/crm/developer/docs/api/v8/delete-records.html"""
    seed = crm.em.seed
    r = crm.delete(f"Leads/{seed.leads[0]}")
    assert r.status_code == 200 and only_record(r)["details"] == {"id": seed.leads[0]}


def test_delete_without_ids_is_required_param_missing(crm, zoho_error):
    """DELETE /{module} without ``ids`` → 400 REQUIRED_PARAM_MISSING.
    https://www.zoho.com/crm/developer/docs/api/v8/delete-records.html"""
    zoho_error(crm.delete("Contacts"), 400, "REQUIRED_PARAM_MISSING")


def test_delete_already_deleted_is_invalid_data(crm):
    """Deleting a record again → INVALID_DATA for that record.
    https://www.zoho.com/crm/developer/docs/api/v8/delete-records.html"""
    seed = crm.em.seed
    crm.delete("Accounts", params={"ids": seed.accounts[2]})
    r = crm.delete("Accounts", params={"ids": seed.accounts[2]})
    assert r.status_code == 400
    assert_record_error(only_record(r), "INVALID_DATA")


def test_deleted_records_list_shows_recycle_bin_entries(crm):
    """GET /{module}/deleted?type=recycle lists deleted records: id, display_name, type, deleted_by,
    created_by, deleted_time.
    https://www.zoho.com/crm/developer/docs/api/v8/get-deleted-records.html"""
    seed = crm.em.seed
    crm.delete("Contacts", params={"ids": seed.contacts[1]})
    r = crm.get("Contacts/deleted", params={"type": "recycle"})
    assert r.status_code == 200
    entry = only_record(r)
    assert entry["id"] == seed.contacts[1] and entry["display_name"] == "Marco Rossi"
    assert entry["type"] == "recycle"
    assert entry["deleted_by"]["id"] == seed.admin.id and entry["created_by"]["id"] == seed.rep.id
    assert datetime.fromisoformat(entry["deleted_time"]).utcoffset() == timedelta(hours=5, minutes=30)
    assert {"per_page", "count", "page", "more_records"} <= set(r.json()["info"])


def test_deleted_records_bad_type_is_pattern_not_matched(crm, zoho_error):
    """type must be all, recycle or permanent → 400 PATTERN_NOT_MATCHED otherwise.
    https://www.zoho.com/crm/developer/docs/api/v8/get-deleted-records.html"""
    zoho_error(crm.get("Contacts/deleted", params={"type": "trash"}), 400, "PATTERN_NOT_MATCHED")


def test_deleted_records_none_is_204(crm):
    """No deleted records → 204 with no body.
    https://www.zoho.com/crm/developer/docs/api/v8/get-deleted-records.html"""
    r = crm.get("Leads/deleted", params={"type": "all"})
    assert r.status_code == 204 and r.content == b"" and "Content-Type" not in r.headers


# -- request-level errors and wire format --------------------------------------------------------

def test_unknown_module_is_invalid_module(crm, zoho_error):
    """A module name that does not exist (or Activities, gone since v3) → 400 INVALID_MODULE.
    https://www.zoho.com/crm/developer/docs/api/v8/get-records.html"""
    zoho_error(crm.get("Widgets", params={"fields": "Name"}), 400, "INVALID_MODULE")
    zoho_error(crm.get("Activities", params={"fields": "Subject"}), 400, "INVALID_MODULE")


def test_unknown_path_is_404_invalid_url_pattern(emulator, crm, zoho_error):
    """A URL outside the API → 404 INVALID_URL_PATTERN.
    https://www.zoho.com/crm/help/api/error-messages.html"""
    zoho_error(crm.get("Contacts/1/Notes/2/extra"), 404, "INVALID_URL_PATTERN")
    zoho_error(crm.session.get(f"{emulator.url}/crm/v99/Contacts", timeout=10), 404, "INVALID_URL_PATTERN")


def test_json_responses_are_application_json_utf8(crm):
    """JSON answers carry Content-Type application/json;charset=UTF-8 (lists, writes and errors).
    https://www.zoho.com/crm/developer/docs/api/v8/get-records.html (zoho-api.md "What an emulator must reproduce" 2)"""
    responses = [crm.get("Contacts", params={"fields": "Last_Name"}),
                 crm.post("Contacts", json={"data": [contact()]}),
                 crm.get("Contacts")]
    assert [r.headers["Content-Type"] for r in responses] == [JSON_TYPE] * 3
