"""Specification of the mirror's canonical values: one record, whichever way Zoho sent it."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from sync_engine.records.streams import (
    CONTACTS,
    DEALS,
    LEADS,
    MAX_FIELDS,
    STREAMS,
    FieldSpec,
    canonical_value,
    converter,
    coql_columns,
)

PACIFIC = timezone(timedelta(hours=-7))


@pytest.mark.parametrize(("data_type", "value", "canonical"), [
    ("ownerlookup", {"name": "Ana Ruiz", "id": "5725767000000411001", "email": "ana@x.com"}, "5725767000000411001"),
    ("lookup", "5725767000000987001", "5725767000000987001"),
    ("lookup", {"name": None, "id": "57"}, "57"),
    ("datetime", "2025-03-02T14:05:11-07:00", "2025-03-02T21:05:11+00:00"),
    ("datetime", datetime(2025, 3, 2, 14, 5, 11, tzinfo=PACIFIC), "2025-03-02T21:05:11+00:00"),
    ("date", "2025-03-02", "2025-03-02"),
    ("date", date(2025, 3, 2), "2025-03-02"),
    ("boolean", "true", True), ("boolean", "false", False), ("boolean", False, False),
    ("integer", "42", 42), ("integer", 42, 42),
    ("currency", "12500.0", 12500.0), ("currency", 12500, 12500.0), ("percent", "40", 40.0),
    ("multiselectpicklist", "VIP;Partner", ["VIP", "Partner"]), ("multiselectpicklist", ["VIP"], ["VIP"]),
    ("text", " Ann ", " Ann "), ("email", "ANN@X.COM ", "ANN@X.COM "),
])
def test_values_from_coql_json_bulk_csv_and_python_agree(data_type, value, canonical):
    assert canonical_value(data_type, value) == canonical


@pytest.mark.parametrize("empty", [None, "", []])
@pytest.mark.parametrize("data_type", ["text", "lookup", "datetime", "boolean", "currency", "multiselectpicklist"])
def test_every_kind_of_empty_is_null(data_type, empty):
    assert canonical_value(data_type, empty) is None


def test_a_coql_row_and_a_bulk_csv_row_of_one_record_convert_to_the_same_record():
    fields = (FieldSpec("Last_Name", "text"), FieldSpec("Account_Name", "lookup"), FieldSpec("Owner", "ownerlookup"),
              FieldSpec("Modified_Time", "datetime"), FieldSpec("Email_Opt_Out", "boolean"),
              FieldSpec("Description", "textarea"))
    coql = {"id": "9", "Last_Name": "Okafor", "Account_Name": {"name": "Northwind", "id": "7"},
            "Owner": {"name": "Ruiz", "id": "3"}, "Modified_Time": "2025-03-02T14:05:11-08:00",
            "Email_Opt_Out": False, "Description": None}
    csv = {"id": "9", "Last_Name": "Okafor", "Account_Name": "7", "Owner": "3",
           "Modified_Time": "2025-03-02T22:05:11+00:00", "Email_Opt_Out": "false", "Description": ""}
    convert = converter(fields)
    assert convert(coql) == convert(csv) == {
        "id": "9", "Last_Name": "Okafor", "Account_Name": "7", "Owner": "3",
        "Modified_Time": "2025-03-02T22:05:11+00:00", "Email_Opt_Out": False, "Description": None}


def test_typed_columns_come_first_and_unsupported_or_surplus_fields_are_left_out():
    metadata = [{"api_name": "id", "data_type": "bigint"}, {"api_name": "Last_Name", "data_type": "text"},
                {"api_name": "Photo", "data_type": "profileimage"}, {"api_name": "Roles", "data_type": "subform"},
                *({"api_name": f"Custom_{i}", "data_type": "text"} for i in range(60))]
    fields = CONTACTS.fields_from_metadata(metadata)
    assert fields[:len(CONTACTS.columns)] == CONTACTS.base_fields
    assert len(fields) == MAX_FIELDS
    assert {"id", "Photo", "Roles"}.isdisjoint(f.api_name for f in fields)


def test_converted_leads_are_hidden_and_nothing_else_is():
    assert LEADS.is_hidden({"Converted__s": True}) and not LEADS.is_hidden({"Converted__s": False})
    assert not DEALS.is_hidden({"Converted__s": True})


def test_typed_values_are_what_duckdb_takes():
    record = {"Deal_Name": "Renewal", "Closing_Date": "2025-07-01", "Amount": 12500.0,
              "Modified_Time": "2025-03-02T22:05:11+00:00"}
    values = dict(zip([c.name for c in DEALS.columns], DEALS.typed_values(record), strict=True))
    assert values["closing_date"] == date(2025, 7, 1) and values["amount"] == 12500.0
    assert values["modified_time"] == datetime(2025, 3, 2, 22, 5, 11, tzinfo=UTC)
    assert values["stage"] is None


def test_reserved_words_are_quoted_in_coql():
    assert coql_columns([FieldSpec("Last_Name", "text"), FieldSpec("External", "text")]) == "Last_Name, 'External'"


def test_every_stream_has_the_columns_cursors_and_matching_need():
    for stream in STREAMS:
        names = {c.field.api_name for c in stream.columns}
        assert {"Modified_Time", "Created_Time", "Owner"} <= names
