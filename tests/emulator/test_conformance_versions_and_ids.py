"""API versions, numeric ids, full metadata objects, unique fields, upsert status and error details.

What third-party clients (Zoho's v8 SDK, Airbyte's v2 connector; tests/clients) rely on, from the docs:
https://www.zoho.com/crm/developer/docs/api/v2/get-records.html, .../v8/get-records.html, .../v8/get-users.html,
.../v8/field-meta.html, .../v8/insert-records.html, .../v8/upsert-records.html and Zoho's OpenAPI specs
(github.com/zoho/crm-oas, v8.0 records: InvalidModuleGETError, AmbiguityDuringProcessingGETError).
"""
from __future__ import annotations

import pytest
import requests

from zoho_emulator.api import metadata_keys
from zoho_emulator.model.schema import MODULES


def versioned(crm, version: str, path: str, **kw) -> requests.Response:
    """GET ``/crm/{version}/{path}`` with the conformance client's token."""
    return crm.session.get(f"{crm.em.url}/crm/{version}/{path}", timeout=10, **kw)


@pytest.mark.parametrize("version", ["v2", "v2.1", "v3", "v4", "v5", "v6", "v7", "v8"])
def test_every_version_path_is_served(crm, version):
    """The same API answers under /crm/v2 … /crm/v8 (each doc version's base URL)."""
    r = versioned(crm, version, "org")
    assert r.status_code == 200 and r.json()["org"][0]["id"] == crm.em.state.data.org.id


def test_an_unknown_version_is_not_a_url(crm, zoho_error):
    zoho_error(versioned(crm, "v9", "org"), 404, "INVALID_URL_PATTERN")
    zoho_error(versioned(crm, "v1", "org"), 404, "INVALID_URL_PATTERN")


def test_v2_list_without_fields_answers_every_field(crm):
    """v2 get-records: ``fields`` optional, every field comes back (Airbyte's connector sends none)."""
    r = versioned(crm, "v2", "Contacts")
    assert r.status_code == 200
    row = r.json()["data"][0]
    assert {f.api_name for f in MODULES["Contacts"].fields} <= set(row)
    assert row["Owner"]["id"].isdigit() and "email" in row["Owner"]


@pytest.mark.parametrize("version", ["v3", "v8"])
def test_later_versions_require_fields(crm, zoho_error, version):
    body = zoho_error(versioned(crm, version, "Contacts"), 400, "REQUIRED_PARAM_MISSING")
    assert body["details"] == {"param_name": "fields"}


def test_user_role_and_profile_ids_are_numeric_strings(crm):
    """get-users.html: ``"role": {"name": "CEO", "id": "4150868000000026005"}`` — the SDK parses them as Long."""
    users = crm.get("users", params={"type": "AllUsers"}).json()["users"]
    for user in users:
        assert user["id"].isdigit() and user["role"]["id"].isdigit() and user["profile"]["id"].isdigit()
    roles = {u["role"]["name"]: u["role"]["id"] for u in users}
    assert len(set(roles.values())) == len(roles)  # one id per role


def test_metadata_ids_are_numeric_strings(crm):
    fields = crm.get("settings/fields", params={"module": "Deals"}).json()["fields"]
    assert all(f["id"].isdigit() for f in fields)
    assert all(v["id"].isdigit() for f in fields for v in f["pick_list_values"])
    layouts = crm.get("settings/layouts", params={"module": "Deals"}).json()["layouts"]
    assert all(layout["id"].isdigit() for layout in layouts)
    pipeline = crm.get("settings/pipeline", params={"layout_id": layouts[0]["id"]}).json()["pipeline"][0]
    assert pipeline["id"].isdigit() and all(m["id"].isdigit() for m in pipeline["maps"])
    assert all(m["id"].isdigit() for m in crm.get("settings/modules").json()["modules"])


def test_metadata_ids_are_unique_in_the_org(crm):
    """A field, pick-list value or layout id names one thing in the org, whatever its module."""
    ids = []
    for module in ("Leads", "Contacts", "Accounts", "Deals", "Calls", "Events", "Tasks"):
        for f in crm.get("settings/fields", params={"module": module}).json()["fields"]:
            ids += [f["id"], *(v["id"] for v in f["pick_list_values"])]
        ids += [layout["id"] for layout in crm.get("settings/layouts", params={"module": module}).json()["layouts"]]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("path, params, key, keys", [
    ("org", {}, "org", metadata_keys.ORG_KEYS),
    ("users", {"type": "AllUsers"}, "users", metadata_keys.USER_KEYS),
    ("settings/modules", {}, "modules", metadata_keys.MODULE_KEYS),
    ("settings/fields", {"module": "Accounts"}, "fields", metadata_keys.FIELD_KEYS),
    ("settings/layouts", {"module": "Deals"}, "layouts", metadata_keys.LAYOUT_KEYS),
])
def test_metadata_objects_carry_every_key(crm, path, params, key, keys):
    """Every key the SDK declares is present (null when unset), e.g. field-meta.html's ``decimal_place``."""
    for item in crm.get(path, params=params).json()[key]:
        assert set(keys) <= set(item), set(keys) - set(item)


def test_decimal_place_is_a_number_for_decimal_fields_and_null_otherwise(crm):
    fields = {f["api_name"]: f for f in crm.get("settings/fields", params={"module": "Accounts"}).json()["fields"]}
    assert fields["Annual_Revenue"]["decimal_place"] == 2
    assert fields["Account_Name"]["decimal_place"] is None


def test_a_unique_field_says_so_in_its_metadata(crm):
    fields = {f["api_name"]: f for f in crm.get("settings/fields", params={"module": "Accounts"}).json()["fields"]}
    assert fields["Customer_Number"]["unique"] == {"casesensitive": False}
    assert fields["Customer_Number"]["custom_field"] is True
    assert fields["Account_Name"]["unique"] == {}


def test_insert_with_a_taken_unique_value_is_duplicate_data(crm):
    """insert-records.html: DUPLICATE_DATA with api_name, json_path and the record holding the value."""
    first = crm.post("Accounts", json={"data": [{"Account_Name": "Unique One", "Customer_Number": "C-100"}]})
    assert first.status_code == 201
    held_by = first.json()["data"][0]["details"]["id"]
    r = crm.post("Accounts", json={"data": [{"Account_Name": "Unique Two", "Customer_Number": "c-100"}]})
    assert r.status_code == 400
    result = r.json()["data"][0]
    assert result["code"] == "DUPLICATE_DATA" and result["status"] == "error"
    details = result["details"]
    assert details["api_name"] == "Customer_Number" and details["json_path"] == "$.data[0].Customer_Number"
    assert details["duplicate_record"]["id"] == held_by
    assert details["duplicate_record"]["module"] == {"api_name": "Accounts", "id": MODULES["Accounts"].module_id}
    assert details["duplicate_record"]["Owner"]["id"] == crm.em.seed.admin.id


def test_update_to_a_taken_unique_value_is_duplicate_data_and_changes_nothing(crm):
    one = crm.post("Accounts", json={"data": [{"Account_Name": "U1", "Customer_Number": "C-1"}]}).json()
    two = crm.post("Accounts", json={"data": [{"Account_Name": "U2", "Customer_Number": "C-2"}]}).json()
    two_id = two["data"][0]["details"]["id"]
    r = crm.put("Accounts", json={"data": [{"id": two_id, "Customer_Number": "C-1", "Phone": "+1 555 0100"}]})
    assert r.status_code == 400 and r.json()["data"][0]["code"] == "DUPLICATE_DATA"
    assert r.json()["data"][0]["details"]["duplicate_record"]["id"] == one["data"][0]["details"]["id"]
    assert crm.em.state.data.get("Accounts", two_id)["Customer_Number"] == "C-2"
    same = crm.put("Accounts", json={"data": [{"id": two_id, "Customer_Number": "C-2", "Phone": "+1 555 0101"}]})
    assert same.status_code == 200  # its own value is no duplicate


def test_upsert_answers_201_only_when_every_record_was_inserted(crm):
    """upsert-records.html: a call that updated any record answers 200; all inserts 201."""
    seed = crm.em.seed
    email = crm.em.state.data.get("Contacts", seed.contacts[1])["Email"]
    inserts = crm.post("Contacts/upsert", json={"data": [{"Last_Name": "A", "Email": "a.new@example.org"},
                                                         {"Last_Name": "B", "Email": "b.new@example.org"}]})
    assert inserts.status_code == 201
    mixed = crm.post("Contacts/upsert", json={"data": [{"Last_Name": "Rossi", "Email": email},
                                                       {"Last_Name": "C", "Email": "c.new@example.org"}]})
    assert mixed.status_code == 200
    assert [d["action"] for d in mixed.json()["data"]] == ["update", "insert"]
    updates = crm.post("Contacts/upsert", json={"data": [{"Last_Name": "Rossi", "Email": email}]})
    assert updates.status_code == 200


def test_invalid_module_details_name_the_path_segment(crm, zoho_error):
    """crm-oas v8 records, InvalidModuleGETError: details ``{"resource_path_index": 0}``."""
    body = zoho_error(crm.get("Widgets", params={"fields": "Last_Name"}), 400, "INVALID_MODULE")
    assert body["details"] == {"resource_path_index": 0}


def test_page_with_page_token_details_list_both_params(big_emulator, token, api, zoho_error):
    """crm-oas v8 records, AmbiguityDuringProcessingGETError: ``ambiguity_due_to`` [{param_name}, …]."""
    crm = api(big_emulator, token(big_emulator))
    first = crm.get("Contacts", params={"fields": "Last_Name", "page": 10}).json()
    r = crm.get("Contacts", params={"fields": "Last_Name", "page": 2,
                                    "page_token": first["info"]["next_page_token"]})
    body = zoho_error(r, 400, "AMBIGUITY_DURING_PROCESSING")
    assert body["details"] == {"ambiguity_due_to": [{"param_name": "page"}, {"param_name": "page_token"}]}


def test_429_over_the_daily_credits_has_empty_details(crm, ctl, zoho_error):
    """The 429 envelope: ``{"code": "TOO_MANY_REQUESTS", "details": {}, …}`` (zoho-api.md §2)."""
    ctl.post("credits/exhaust")
    body = zoho_error(crm.get("org"), 429, "TOO_MANY_REQUESTS")
    assert body["details"] == {}
