"""Bulk Read conformance: create a job, watch its state, download the ZIP (zoho-api.md §5, §2, §10).

Everything goes over HTTP to ``/crm/bulk/v8/read`` with ``Authorization: Zoho-oauthtoken``, against the
hand-built org of ``conftest.py`` (admin in Asia/Kolkata, 3 accounts, 4 contacts, 3 leads of which one
converted). The emulator clock is frozen and advanced (``POST /__emulator/clock``), so no test waits
for a job in real time.
"""
from __future__ import annotations

import csv
import io
import json
import threading
import time
import zipfile
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from zoho_emulator.engine.bulk import PER_PAGE, BulkJob, page_window

CREATE = "https://www.zoho.com/crm/developer/docs/api/v8/bulk-read/create-job.html"
DETAILS = "https://www.zoho.com/crm/developer/docs/api/v8/bulk-read/job-details.html"
DOWNLOAD = "https://www.zoho.com/crm/developer/docs/api/v8/bulk-read/download-result.html"
LIMITS = "https://www.zoho.com/crm/developer/docs/api/bulk-read/limitations.html"
OAS = "https://github.com/zoho/crm-oas/blob/main/v8.0/bulk_read/bulk_read.yaml"
JSON_TYPE = "application/json;charset=UTF-8"
KOLKATA = ZoneInfo("Asia/Kolkata")


class Bulk:
    """A documentation-only Bulk Read client: ``{api_domain}/crm/bulk/v8/read``."""

    def __init__(self, em: Any, access_token: str) -> None:
        self.em = em
        self.base = f"{em.url}/crm/bulk/v8/read"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Zoho-oauthtoken {access_token}"

    def create(self, query: dict[str, Any] | None = None, **body: Any) -> requests.Response:
        payload = {"query": {"module": {"api_name": "Contacts"}, **(query or {})}, **body}
        return self.session.post(self.base, json=payload, timeout=10)

    def job(self, query: dict[str, Any] | None = None, **body: Any) -> str:
        response = self.create(query, **body)
        assert response.status_code == 201, response.text
        return response.json()["data"][0]["details"]["id"]

    def status(self, job_id: str) -> requests.Response:
        return self.session.get(f"{self.base}/{job_id}", timeout=10)

    def details(self, job_id: str) -> dict[str, Any]:
        response = self.status(job_id)
        assert response.status_code == 200, response.text
        return response.json()["data"][0]

    def download(self, job_id: str) -> requests.Response:
        return self.session.get(f"{self.base}/{job_id}/result", timeout=10)

    def advance(self, seconds: float) -> None:
        r = requests.post(f"{self.em.url}/__emulator/clock", json={"advance_seconds": seconds}, timeout=10)
        assert r.status_code == 200, r.text

    def finished(self, job_id: str) -> dict[str, Any]:
        self.advance(10)
        details = self.details(job_id)
        assert details["state"] == "COMPLETED", details
        return details

    def table(self, job_id: str) -> tuple[list[str], list[dict[str, str]]]:
        """Finish the job, download it and read ``{job_id}.csv`` out of the ZIP."""
        self.finished(job_id)
        response = self.download(job_id)
        assert response.status_code == 200, response.text
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            text = archive.read(f"{job_id}.csv").decode("utf-8")
        reader = csv.reader(io.StringIO(text))
        header = next(reader)
        return header, [dict(zip(header, row, strict=True)) for row in reader]


@pytest.fixture
def bulk(emulator, token) -> Bulk:
    r = requests.post(f"{emulator.url}/__emulator/clock", json={"freeze": True}, timeout=10)
    assert r.status_code == 200
    return Bulk(emulator, token(emulator))


def record(em, module: str, record_id: str) -> dict[str, Any]:
    return em.state.data.tables[module].rows[record_id]


def leaf(field: str, comparator: str, value: Any) -> dict[str, Any]:
    return {"field": {"api_name": field}, "comparator": comparator, "value": value}


# -- create ------------------------------------------------------------------------------------------

def test_create_answers_201_with_the_documented_body(bulk, emulator):
    """POST /crm/bulk/v8/read → 201 ``{"data":[{status, code ADDED_SUCCESSFULLY, message, details{id,
    operation, state ADDED, created_by, created_time}}], "info":{}}``.
    https://www.zoho.com/crm/developer/docs/api/v8/bulk-read/create-job.html"""
    response = bulk.create({"fields": ["Last_Name", "Email"]})
    assert response.status_code == 201, response.text
    assert response.headers["Content-Type"] == JSON_TYPE
    body = response.json()
    assert set(body) == {"data", "info"} and body["info"] == {}
    (item,) = body["data"]
    assert item["status"] == "success" and item["code"] == "ADDED_SUCCESSFULLY"
    assert item["message"] == "Added successfully."
    details = item["details"]
    assert set(details) == {"id", "operation", "state", "created_by", "created_time"}
    assert details["id"].isdigit() and len(details["id"]) == 19
    assert details["operation"] == "read" and details["state"] == "ADDED"
    admin = emulator.seed.admin
    assert details["created_by"] == {"id": admin.id, "name": admin.full_name}
    created = datetime.fromisoformat(details["created_time"])
    assert created.utcoffset() == timedelta(hours=5, minutes=30) and "." not in details["created_time"]


@pytest.mark.parametrize("headers", [{"Content-Type": "text/plain"}, {}], ids=["text-plain", "no-content-type"])
def test_create_without_json_content_type_is_415(bulk, zoho_error, headers):
    """``Content-Type: application/json`` is required; otherwise 415 MEDIA_TYPE_NOT_SUPPORTED.
    https://www.zoho.com/crm/developer/docs/api/v8/bulk-read/create-job.html"""
    payload = json.dumps({"query": {"module": {"api_name": "Contacts"}}}).encode()
    response = bulk.session.post(bulk.base, data=payload, headers=headers, timeout=10)
    zoho_error(response, 415, "MEDIA_TYPE_NOT_SUPPORTED")


@pytest.mark.parametrize(("scopes", "status"), [
    (["ZohoCRM.modules.ALL"], 401),
    (["ZohoCRM.bulk.READ"], 401),
    (["ZohoCRM.bulk.READ", "ZohoCRM.modules.accounts.READ"], 401),
    (["ZohoCRM.bulk.ALL", "ZohoCRM.modules.contacts.READ"], 201),
], ids=["no-bulk-scope", "no-module-scope", "other-module", "bulk-ALL-and-module-READ"])
def test_create_needs_the_bulk_scope_and_module_read(emulator, user_token, zoho_error, scopes, status):
    """Scope ``ZohoCRM.bulk.READ`` and ``ZohoCRM.modules.{module}.READ``, else 401 OAUTH_SCOPE_MISMATCH.
    https://www.zoho.com/crm/developer/docs/api/v8/bulk-read/create-job.html"""
    client = Bulk(emulator, user_token(emulator, scopes=scopes))
    response = client.create()
    if status == 201:
        assert response.status_code == 201, response.text
    else:
        zoho_error(response, 401, "OAUTH_SCOPE_MISMATCH")


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"query": {"module": {"api_name": "Widgets"}}}, 400, "MODULE_NOT_AVAILABLE"),
    ({"query": {"module": {"api_name": "Notes"}}}, 400, "MODULE_NOT_SUPPORTED"),
    ({"query": {}}, 400, "REQUIRED_PARAM_MISSING"),
    ({"query": {"module": {"api_name": "Contacts"}, "fields": ["Last_Name", "Shoe_Size"]}}, 400,
     "FIELD_NOT_AVAILABLE"),
    ({"query": {"module": {"api_name": "Contacts"}, "fields": ["Account_Name.Nope"]}}, 400, "FIELD_NOT_AVAILABLE"),
    ({"query": {"module": {"api_name": "Contacts"}, "page": 0}}, 400, "INVALID_DATA"),
    ({"query": {"module": {"api_name": "Contacts"}}, "file_type": "ics"}, 400, "INVALID_DATA"),
    ({"query": {"module": {"api_name": "Events"}}, "file_type": "ics"}, 400, "NOT_SUPPORTED"),
    ({"query": {"module": {"api_name": "Contacts"}}, "callback": {"url": "https://x.test/h", "method": "get"}},
     400, "INVALID_CALLBACK_METHOD"),
    ({"query": {"module": {"api_name": "Contacts"}}, "callback": {"url": "not a url", "method": "post"}},
     400, "INVALID_CALLBACK_URL"),
], ids=["unknown-module", "notes", "no-module", "unknown-field", "unknown-dot-field", "page-0", "ics-not-events",
        "ics-events-emulator-gap", "callback-method", "callback-url"])
def test_create_validates_the_query(bulk, zoho_error, body, status, code):
    """Module, fields, page, file_type (ics only for Events, not produced by the emulator) and callback
    are checked before any job exists; codes from the v8 OAS (``createBulkReadJob`` 400 responses).
    https://www.zoho.com/crm/developer/docs/api/v8/bulk-read/create-job.html ·
    https://github.com/zoho/crm-oas/blob/main/v8.0/bulk_read/bulk_read.yaml"""
    zoho_error(bulk.session.post(bulk.base, json=body, timeout=10), status, code)


# -- state ---------------------------------------------------------------------------------------------

def test_state_moves_added_queued_in_progress_completed(bulk):
    """ADDED (create) → QUEUED → IN PROGRESS → COMPLETED; ``result`` (page, per_page 200,000, count,
    download_url, more_records) appears once the job is completed.
    https://www.zoho.com/crm/developer/docs/api/v8/bulk-read/job-details.html"""
    job_id = bulk.job({"fields": ["Last_Name"]})
    first = bulk.details(job_id)
    assert first["state"] == "QUEUED" and "result" not in first
    assert first["operation"] == "read" and first["file_type"] == "csv"
    assert first["query"]["module"]["api_name"] == "Contacts" and first["query"]["module"]["id"].isdigit()
    assert first["query"]["page"] == 1 and first["query"]["fields"] == ["Last_Name"]
    bulk.advance(1)
    assert bulk.details(job_id)["state"] == "IN PROGRESS"
    bulk.advance(5)
    done = bulk.details(job_id)
    assert done["state"] == "COMPLETED"
    assert done["result"] == {"page": 1, "per_page": PER_PAGE, "count": 4,
                              "download_url": f"/crm/bulk/v8/read/{job_id}/result", "more_records": False}


def test_completion_time_grows_with_rows_but_stays_seconds():
    """State is derived from the clock: IN PROGRESS after 1 s, COMPLETED a few seconds later even for
    100,000 rows (the emulator never makes a client wait in real time).
    https://www.zoho.com/crm/developer/docs/api/v8/bulk-read/job-details.html"""
    start = datetime(2025, 3, 1, tzinfo=UTC)

    def job(count: int) -> BulkJob:
        return BulkJob("1", "Contacts", {}, {}, start, "UTC", None, 1, PER_PAGE, ["id"], [], count, False)

    small, large = job(10), job(100_000)
    assert small.state_at(start) == "QUEUED"
    assert small.state_at(start + timedelta(seconds=1)) == "IN PROGRESS"
    assert small.done_at < large.done_at <= start + timedelta(seconds=5)
    assert large.state_at(large.done_at) == "COMPLETED"
    assert large.state_at(large.done_at - timedelta(seconds=1)) == "IN PROGRESS"


# -- result file ------------------------------------------------------------------------------------

def test_zip_holds_job_csv_with_id_column_and_requested_headers(bulk, emulator):
    """The download is a ZIP holding ``{job_id}.csv``: header = the requested API names, in order,
    with an ``id`` column always present.
    https://www.zoho.com/crm/developer/docs/api/v8/bulk-read/download-result.html ·
    https://www.zoho.com/crm/developer/docs/api/bulk-read/limitations.html"""
    job_id = bulk.job({"fields": ["Last_Name", "Email", "Phone"]})
    bulk.finished(job_id)
    response = bulk.download(job_id)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.namelist() == [f"{job_id}.csv"]
    header, rows = bulk.table(job_id)
    assert header == ["id", "Last_Name", "Email", "Phone"]
    assert {r["id"] for r in rows} == set(emulator.seed.contacts)
    nia = next(r for r in rows if r["id"] == emulator.seed.contacts[0])
    assert nia["Last_Name"] == "Okafor" and nia["Email"] == "nia.okafor@example.org"


def test_all_fields_when_fields_is_omitted(bulk, emulator):
    """Without ``fields`` every field of the module is exported (``id`` included).
    https://www.zoho.com/crm/developer/docs/api/v8/bulk-read/download-result.html"""
    header, rows = bulk.table(bulk.job())
    names = [f.api_name for f in emulator.state.data.tables["Contacts"].module.fields]
    assert header[0] == "id" and set(header) == set(names) and len(header) == len(names)
    assert len(rows) == 4


def test_lookups_are_ids_and_dot_fields_give_names(bulk, emulator):
    """Lookup columns hold the referenced record's id; ``Lookup.Field`` (``Account_Name.Account_Name``)
    gives the referenced record's field.
    https://www.zoho.com/crm/developer/docs/api/v8/bulk-read/create-job.html"""
    seed = emulator.seed
    header, rows = bulk.table(bulk.job({"fields": ["Last_Name", "Account_Name", "Account_Name.Account_Name",
                                                   "Owner"]}))
    assert header == ["id", "Last_Name", "Account_Name", "Account_Name.Account_Name", "Owner"]
    for row in rows:
        stored = record(emulator, "Contacts", row["id"])
        account = record(emulator, "Accounts", stored["Account_Name"])
        assert row["Account_Name"] == stored["Account_Name"] and row["Account_Name"] in seed.accounts
        assert row["Account_Name.Account_Name"] == account["Account_Name"]
        assert row["Owner"] == stored["Owner"]


def test_datetimes_are_iso_8601_in_the_users_zone_without_millis(bulk, emulator):
    """DateTime columns are ISO 8601 (with offset, no milliseconds), in the requesting user's time zone.
    https://www.zoho.com/crm/developer/docs/api/v8/bulk-read/download-result.html"""
    _, rows = bulk.table(bulk.job({"fields": ["Created_Time"]}))
    for row in rows:
        stored = record(emulator, "Contacts", row["id"])["Created_Time"]
        assert row["Created_Time"] == stored.astimezone(KOLKATA).replace(microsecond=0).isoformat()
        assert row["Created_Time"].endswith("+05:30") and "." not in row["Created_Time"]


def test_converted_leads_are_left_out(bulk, emulator):
    """Leads export without converted leads, as Get Records does by default (a guess: the bulk pages
    do not say). https://www.zoho.com/crm/developer/docs/api/v8/bulk-read/create-job.html"""
    _, rows = bulk.table(bulk.job({"module": {"api_name": "Leads"}, "fields": ["Last_Name"]}))
    ids = {r["id"] for r in rows}
    assert emulator.seed.converted_lead not in ids
    assert ids == set(emulator.seed.leads) - {emulator.seed.converted_lead}


def test_the_export_is_a_snapshot_taken_at_creation(bulk, emulator, crm):
    """Rows are chosen and rendered when the job is created; later edits do not leak into it.
    https://www.zoho.com/crm/developer/docs/api/v8/bulk-read/overview.html"""
    target = emulator.seed.contacts[1]
    job_id = bulk.job({"fields": ["Title"]})
    assert crm.put(f"Contacts/{target}", json={"data": [{"Title": "Changed later"}]}).status_code == 200
    _, rows = bulk.table(job_id)
    assert next(r for r in rows if r["id"] == target)["Title"] == "Buyer"


# -- criteria -----------------------------------------------------------------------------------------

def test_criteria_filter_with_nested_groups(bulk, emulator):
    """``criteria`` groups nest with ``group_operator`` and/or; text comparators starts_with/ends_with,
    lookup ``equal`` by id.
    https://www.zoho.com/crm/developer/docs/api/v8/bulk-read/create-job.html"""
    seed = emulator.seed
    criteria = {"group_operator": "or", "group": [
        leaf("Last_Name", "starts_with", "Oka"),
        {"group_operator": "and", "group": [leaf("Account_Name", "equal", seed.accounts[1]),
                                            leaf("Email", "ends_with", "@example.org")]},
    ]}
    _, rows = bulk.table(bulk.job({"fields": ["Last_Name"], "criteria": criteria}))
    assert sorted(r["Last_Name"] for r in rows) == ["Lind", "Okafor", "Rossi"]


def test_criteria_datetime_and_in(bulk, emulator):
    """DateTime values are ``yyyy-MM-ddTHH:mm:ss±HH:mm`` (no millis) with ordered comparators; ``in``
    takes a list.
    https://www.zoho.com/crm/developer/docs/api/v8/bulk-read/create-job.html"""
    seed = emulator.seed
    after = (seed.created_at + timedelta(hours=11, minutes=30)).astimezone(KOLKATA).isoformat()
    criteria = {"group_operator": "and", "group": [
        leaf("Created_Time", "greater_than", after),
        leaf("Last_Name", "in", ["Lind", "Sato", "Okafor"]),
    ]}
    _, rows = bulk.table(bulk.job({"fields": ["Last_Name"], "criteria": criteria}))
    assert sorted(r["Last_Name"] for r in rows) == ["Lind", "Sato"]


def test_criteria_empty_value(bulk, emulator, crm):
    """``${EMPTY}`` with equal / not_equal matches blank / filled fields.
    https://www.zoho.com/crm/developer/docs/api/v8/bulk-read/create-job.html"""
    filled = emulator.seed.contacts[2]
    assert crm.put(f"Contacts/{filled}", json={"data": [{"Secondary_Email": "s@x.org"}]}).status_code == 200
    _, rows = bulk.table(bulk.job({"criteria": leaf("Secondary_Email", "not_equal", "${EMPTY}")}))
    assert [r["id"] for r in rows] == [filled]
    _, rows = bulk.table(bulk.job({"criteria": leaf("Secondary_Email", "equal", "${EMPTY}")}))
    assert {r["id"] for r in rows} == set(emulator.seed.contacts) - {filled}


@pytest.mark.parametrize(("criteria", "code"), [
    (leaf("Email_Opt_Out", "contains", "x"), "FIELD_COMPARATOR_IN_CRITERIA_NOT_SUPPORTED"),
    (leaf("Account_Name", "starts_with", "1"), "FIELD_COMPARATOR_IN_CRITERIA_NOT_SUPPORTED"),
    (leaf("Created_Time", "greater_than", "2025-03-01T00:00:00.000+00:00"), "INVALID_DATA"),
    (leaf("Created_Time", "greater_than", "2025-03-01"), "INVALID_DATA"),
    (leaf("Email_Opt_Out", "equal", "maybe"), "INVALID_DATA"),
    (leaf("Created_Time", "between", "2025-03-01T00:00:00+00:00"), "COMPARATOR_AND_VALUE_IN_CRITERIA_NOT_COMPATIBLE"),
    (leaf("Last_Name", "starts_with", "${EMPTY}"), "COMPARATOR_AND_VALUE_IN_CRITERIA_NOT_COMPATIBLE"),
    (leaf("Shoe_Size", "equal", "9"), "FIELD_IN_CRITERIA_NOT_AVAILABLE"),
    (leaf("Last_Name", "like", "x"), "INVALID_DATA"),
    ({"group_operator": "xor", "group": [leaf("Last_Name", "equal", "a")]}, "GROUP_OPERATOR_NOT_SUPPORTED"),
    ({"group": [leaf("Last_Name", "equal", "a"), leaf("Last_Name", "equal", "b")]}, "AMBIGUOUS_GROUP_IN_CRITERIA"),
    ({"group_operator": "or", "group": [leaf("Last_Name", "equal", str(n)) for n in range(26)]},
     "CRITERIA_LIMIT_EXCEEDED"),
    (leaf("Last_Name", "in", [str(n) for n in range(201)]), "VALUE_LIMIT_EXCEEDED_IN_CRITERIA"),
], ids=["bool-contains", "lookup-starts-with", "datetime-millis", "datetime-as-date", "bool-value", "between-scalar",
        "empty-starts-with", "unknown-field", "unknown-comparator", "group-operator", "no-group-operator",
        "26-conditions", "201-values"])
def test_criteria_is_checked_per_field_type(bulk, zoho_error, criteria, code):
    """Comparators per type (text: the string ones; numbers/dates: the ordered ones; boolean: equal;
    lookup: equal/not_equal/in/not_in), DateTime without millis, ``${EMPTY}`` only with equal/not_equal,
    at most 25 conditions and 200 values; codes from the v8 OAS.
    https://www.zoho.com/crm/developer/docs/api/v8/bulk-read/create-job.html ·
    https://github.com/zoho/crm-oas/blob/main/v8.0/bulk_read/bulk_read.yaml"""
    zoho_error(bulk.create({"criteria": criteria}), 400, code)


# -- paging -----------------------------------------------------------------------------------------

def test_page_arithmetic():
    """Page n exports rows (n−1)·200,000+1 … n·200,000; ``more_records`` says whether rows follow.
    https://www.zoho.com/crm/developer/docs/api/bulk-read/limitations.html"""
    assert PER_PAGE == 200_000
    assert page_window(0, PER_PAGE, 450_000) == (0, 200_000, True)
    assert page_window(200_000, PER_PAGE, 450_000) == (200_000, 400_000, True)
    assert page_window(400_000, PER_PAGE, 450_000) == (400_000, 450_000, False)
    assert page_window(0, PER_PAGE, 200_000) == (0, 200_000, False)
    assert page_window(600_000, PER_PAGE, 450_000) == (600_000, 600_000, False)


def test_page_and_page_token_with_a_shrunk_page(bulk, emulator, zoho_error):
    """With the page size shrunk to 3 (``POST /__emulator/bulk {"per_page": 3}``), page 1 of 4 contacts
    has more_records and a next_page_token; page 2 and the token both give the 4th row; page and
    page_token together are ambiguous.
    https://www.zoho.com/crm/developer/docs/api/bulk-read/limitations.html ·
    https://www.zoho.com/crm/developer/docs/api/v8/bulk-read/job-details.html"""
    r = requests.post(f"{emulator.url}/__emulator/bulk", json={"per_page": 3}, timeout=10)
    assert r.status_code == 200 and r.json()["per_page"] == 3
    first = bulk.job({"fields": ["Last_Name"]})
    result = bulk.finished(first)["result"]
    assert result["count"] == 3 and result["more_records"] is True and result["per_page"] == 3
    token = result["next_page_token"]
    _, page_one = bulk.table(first)
    _, page_two = bulk.table(bulk.job({"fields": ["Last_Name"], "page": 2}))
    by_token = bulk.job({"fields": ["Last_Name"], "page_token": token})
    details = bulk.finished(by_token)
    assert details["result"]["page"] == 2 and details["result"]["more_records"] is False
    assert "next_page_token" not in details["result"]
    _, rows = bulk.table(by_token)
    assert rows == page_two and len(page_two) == 1
    assert {r["id"] for r in page_one + page_two} == set(emulator.seed.contacts)
    zoho_error(bulk.create({"fields": ["Last_Name"], "page": 2, "page_token": token}), 400,
               "AMBIGUITY_DURING_PROCESSING")
    zoho_error(bulk.create({"fields": ["Email"], "page_token": token}), 400, "TOKEN_BOUND_DATA_MISMATCH")


# -- status and download errors -------------------------------------------------------------------------

def test_unknown_job_is_404_resource_not_found(bulk, zoho_error):
    """An unknown job id → 404 RESOURCE_NOT_FOUND, for the status and the download.
    https://www.zoho.com/crm/developer/docs/api/v8/bulk-read/job-details.html ·
    https://github.com/zoho/crm-oas/blob/main/v8.0/bulk_read/bulk_read.yaml"""
    zoho_error(bulk.status("5725767000000999999"), 404, "RESOURCE_NOT_FOUND")
    zoho_error(bulk.download("5725767000000999999"), 404, "RESOURCE_NOT_FOUND")


def test_download_before_completion_is_404(bulk, zoho_error):
    """The result exists only once the job is COMPLETED; before that the download is RESOURCE_NOT_FOUND
    (the OAS: "does not exist or the result is not yet available").
    https://github.com/zoho/crm-oas/blob/main/v8.0/bulk_read/bulk_read.yaml"""
    job_id = bulk.job()
    zoho_error(bulk.download(job_id), 404, "RESOURCE_NOT_FOUND")
    bulk.advance(1)
    zoho_error(bulk.download(job_id), 404, "RESOURCE_NOT_FOUND")
    bulk.advance(5)
    assert bulk.download(job_id).status_code == 200


def test_eleventh_download_in_a_minute_is_429(bulk, zoho_error):
    """Only 10 downloads per minute; the 11th → 429 TOO_MANY_REQUESTS, and a minute later it works.
    https://www.zoho.com/crm/developer/docs/api/v8/bulk-read/download-result.html ·
    https://www.zoho.com/crm/developer/docs/api/bulk-read/limitations.html"""
    job_id = bulk.job()
    bulk.finished(job_id)
    for _ in range(10):
        assert bulk.download(job_id).status_code == 200
    zoho_error(bulk.download(job_id), 429, "TOO_MANY_REQUESTS")
    bulk.advance(60)
    assert bulk.download(job_id).status_code == 200


def test_forced_failure_shows_failure_and_has_no_result(bulk, emulator, zoho_error):
    """A job can end in FAILURE (forced here with ``POST /__emulator/bulk {"fail": id}``); its result
    holds an error envelope and there is nothing to download.
    https://www.zoho.com/crm/developer/docs/api/v8/bulk-read/job-details.html"""
    job_id = bulk.job()
    r = requests.post(f"{emulator.url}/__emulator/bulk", json={"fail": job_id}, timeout=10)
    assert r.status_code == 200, r.text
    details = bulk.details(job_id)
    assert details["state"] == "FAILURE"
    assert details["result"]["error_message"]["code"] == "INTERNAL_ERROR"
    bulk.advance(10)
    zoho_error(bulk.download(job_id), 404, "RESOURCE_NOT_FOUND")


# -- credits --------------------------------------------------------------------------------------------

def test_create_costs_50_credits_status_and_download_1(bulk, emulator):
    """Creating a bulk read job costs 50 credits; status and download calls 1 each (assumed).
    https://www.zoho.com/crm/developer/docs/api/v8/api-limits.html"""
    def spent() -> dict[str, int]:
        return requests.get(f"{emulator.url}/__emulator/usage", timeout=10).json()["credits_by_endpoint"]

    before = requests.get(f"{emulator.url}/__emulator/usage", timeout=10).json()["used_24h"]
    job_id = bulk.job()
    assert spent()["bulk.create"] == 50
    bulk.job({"fields": ["Email"]})
    assert spent()["bulk.create"] == 100
    bulk.finished(job_id)
    assert bulk.download(job_id).status_code == 200
    assert spent()["bulk.status"] == 1 and spent()["bulk.download"] == 1
    after = requests.get(f"{emulator.url}/__emulator/usage", timeout=10).json()["used_24h"]
    assert after - before == 102


# -- callback -------------------------------------------------------------------------------------------

class _Hook(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length", "0"))
        type(self).received.append({"content_type": self.headers.get("Content-Type"),
                                    "body": json.loads(self.rfile.read(length))})
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hook():
    handler = type("Hook", (_Hook,), {"received": []})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/zoho/bulk", handler.received
    server.shutdown()
    server.server_close()


def test_callback_is_posted_when_the_job_completes(bulk, hook):
    """With ``callback {url, method: post}`` the job JSON is POSTed to the URL on completion, without the
    client polling (the emulator only calls 127.0.0.1/localhost).
    https://www.zoho.com/crm/developer/docs/api/v8/bulk-read/create-job.html"""
    url, received = hook
    job_id = bulk.job({"fields": ["Last_Name"]}, callback={"url": url, "method": "post"})
    time.sleep(0.5)
    assert received == []  # not done yet
    bulk.advance(10)
    deadline = time.monotonic() + 5
    while not received and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(received) == 1, received
    assert received[0]["content_type"] == "application/json"
    body = received[0]["body"]
    assert body["id"] == job_id and body["state"] == "COMPLETED" and body["operation"] == "read"
    assert body["result"]["download_url"] == f"/crm/bulk/v8/read/{job_id}/result"
    bulk.details(job_id)
    time.sleep(0.3)
    assert len(received) == 1  # sent once


def test_callback_to_another_host_is_accepted_but_never_sent(bulk, emulator):
    """Any http(s) callback URL is accepted, but the emulator never contacts hosts other than loopback.
    https://www.zoho.com/crm/developer/docs/api/v8/bulk-read/create-job.html"""
    job_id = bulk.job(callback={"url": "https://example.com/zoho/bulk", "method": "post"})
    bulk.finished(job_id)
    jobs = requests.get(f"{emulator.url}/__emulator/bulk", timeout=10).json()["jobs"]
    assert next(j for j in jobs if j["id"] == job_id)["callback_state"] == "skipped"
