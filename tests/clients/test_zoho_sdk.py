"""Zoho's official Python SDK for v8 (zohocrmsdk8-0 7.0.0), unmodified, through every flow a sync tool uses.

tests/clients/sdk_flows.py runs the flows once in the SDK's own venv (pointed at the emulator by a DataCenter
subclass and a FileStore token store); each test below checks one flow's result against the emulator's state.
Doc pages: get-org-data, get-users, modules-api, field-meta, get-records, search-records, COQL, insert/update/
upsert/delete records, get-deleted-records, bulk-read (https://www.zoho.com/crm/developer/docs/api/v8/…).
"""
from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.clients.client_venvs import client_venv, site_packages
from zoho_emulator import EmulatorConfig, RunningEmulator, start_emulator
from zoho_emulator.api import metadata_keys
from zoho_emulator.model.schema import MODULES

REFRESH_TOKEN = "1000.sdk.clients.test"
FLOWS_SCRIPT = Path(__file__).with_name("sdk_flows.py")


class World:
    def __init__(self, emulator: RunningEmulator, flows: dict[str, dict[str, Any]], contact: dict, deal: dict,
                 owner_id: str) -> None:
        self.emulator, self.flows, self.contact, self.deal, self.owner_id = emulator, flows, contact, deal, owner_id

    def result(self, flow: str) -> Any:
        line = self.flows[flow]
        assert line["ok"], f"{flow}: {line.get('error')}\n{line.get('trace')}"
        return line["result"]


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    venv = client_venv("sdk")
    with start_emulator(EmulatorConfig(preset="small", seed=2, refresh_token=REFRESH_TOKEN)) as emulator:
        data = emulator.state.data
        contact = next(c for c in data.table("Contacts") if c.get("Email"))
        deal = next(iter(data.table("Deals")))
        owner = next(u for u in data.users.values() if u.active and not u.is_admin)
        workdir = tempfile.mkdtemp(prefix="zoho-sdk-")
        done = subprocess.run(
            [str(venv / "bin" / "python"), str(FLOWS_SCRIPT), "--url", emulator.url,
             "--client-id", emulator.config.client_id, "--client-secret", emulator.config.client_secret,
             "--refresh-token", REFRESH_TOKEN, "--workdir", workdir, "--contact-id", contact["id"],
             "--deal-id", deal["id"], "--owner-id", owner.id],
            capture_output=True, text=True, timeout=600)
        flows = {line["flow"]: line for line in map(json.loads, done.stdout.splitlines())}
        assert flows, done.stderr[-3000:]
        yield World(emulator, flows, contact, deal, owner.id)


def test_every_flow_ran(world: World) -> None:
    failed = {name: line.get("error") for name, line in world.flows.items() if not line["ok"]}
    assert len(world.flows) == 22 and not failed, failed


def test_token_is_refreshed_and_kept_in_the_file_store(world: World) -> None:
    assert world.result("token_refresh_and_store") == {"stored": 1, "has_access_token": True,
                                                       "refresh_token_kept": True}


def test_org(world: World) -> None:
    org = world.emulator.state.data.org
    got = world.result("org")
    assert got["id"] == org.id and got["company_name"] == org.company_name and got["paid_type"] == org.edition


def test_users_with_numeric_role_and_profile_ids(world: World) -> None:
    users = world.result("users")["users"]
    expected = {u.id for u in world.emulator.state.data.users.values() if u.status != "deleted"}
    assert {u["id"] for u in users} == expected
    assert all(u["role_id"].isdigit() and u["profile_id"].isdigit() for u in users)  # the SDK reads them as Long


def test_modules_and_fields(world: World) -> None:
    assert {"Leads", "Contacts", "Accounts", "Deals", "Calls", "Events", "Tasks"} <= set(
        world.result("modules")["api_names"])
    fields = world.result("fields")
    assert fields["api_names"] == [f.api_name for f in MODULES["Contacts"].fields]
    assert all(i.isdigit() for i in fields["ids"]) and len(set(fields["ids"])) == len(fields["ids"])


def test_list_with_fields_and_paging(world: World) -> None:
    got = world.result("list_with_fields_and_paging")
    ids = sorted((r["id"] for r in world.emulator.state.data.table("Contacts")), key=int)
    assert got["ids"] == ids[:400]
    assert got["pages"] == [{"count": 200, "more": True}, {"count": 200, "more": len(ids) > 400}]
    assert got["owner_id"].isdigit()


def test_get_search_and_coql_find_the_contact(world: World) -> None:
    contact = world.contact
    assert world.result("get") == {"id": contact["id"], "email": contact["Email"], "last_name": contact["Last_Name"]}
    search = world.result("search")
    same_email = {c["id"] for c in world.emulator.state.data.table("Contacts")
                  if (c.get("Email") or "").lower() == contact["Email"].lower()}
    assert contact["id"] in search["ids"] and set(search["ids"]) <= same_email
    assert world.result("coql") == {"ids": [contact["id"]], "emails": [contact["Email"]]}


@pytest.mark.parametrize("module, flow", [("Calls", "insert_call"), ("Events", "insert_event"),
                                          ("Tasks", "insert_task")])
def test_activity_written_with_owner_and_links_then_deleted(world: World, module: str, flow: str) -> None:
    inserted = world.result(flow)
    assert inserted["code"] == "SUCCESS" and inserted["id"].isdigit()
    assert world.result("update_activities")[module] == {"id": inserted["id"], "code": "SUCCESS"}
    assert world.result("read_back_activities")[module] == {
        "description": f"updated by the SDK ({module})", "owner_id": world.owner_id, "who_id": world.contact["id"],
        "what_id": world.deal["id"], "se_module": "Deals"}
    assert world.result("delete_activities")[module] == {"id": inserted["id"], "code": "SUCCESS"}
    assert world.emulator.state.data.get(module, inserted["id"]) is None
    assert inserted["id"] in world.result("deleted")[module]


def test_upsert_mixing_an_update_and_an_insert_answers_200(world: World) -> None:
    assert world.result("upsert_mixed") == {"status_code": 200, "actions": ["update", "insert"],
                                            "codes": ["SUCCESS", "SUCCESS"]}


def test_bulk_read_download(world: World) -> None:
    got = world.result("bulk_read")
    assert got["state"] == "COMPLETED" and got["header"] == "id,Last_Name,Email"
    assert got["rows"] == len(world.emulator.state.data.table("Contacts"))


def test_errors_come_back_as_zoho_documents_them(world: World) -> None:
    assert world.result("error_invalid_id") == {"status_code": 400, "code": "INVALID_DATA",
                                                "message": "the id given seems to be invalid", "details": {"id": 1}}
    assert '"code": "INVALID_MODULE"' in world.result("error_invalid_module")["sdk_exception"]
    missing = world.result("error_mandatory_missing")
    assert missing["code"] == "MANDATORY_NOT_FOUND" and missing["details"]["json_path"].startswith("$.data[0].")


def test_a_unique_field_refuses_a_second_record_with_duplicate_data(world: World) -> None:
    got = world.result("error_duplicate")
    assert got["first"] == "SUCCESS" and got["status_code"] == 400 and got["code"] == "DUPLICATE_DATA"
    assert got["details"]["api_name"] == "Customer_Number"
    assert got["details"]["json_path"] == "$.data[0].Customer_Number"
    assert got["details"]["duplicate_record"] == {"id": got["first_id"]}


@pytest.mark.parametrize("constant, sdk_class", [
    ("ORG_KEYS", "org.Org"), ("LICENSE_KEYS", "org.LicenseDetails"), ("USER_KEYS", "users.Users"),
    ("MODULE_KEYS", "modules.Modules"), ("FIELD_KEYS", "fields.Fields"),
    ("PICK_LIST_VALUE_KEYS", "fields.PickListValue"), ("LAYOUT_KEYS", "layouts.Layouts"),
    ("PIPELINE_KEYS", "pipeline.Pipeline"),
    ("PIPELINE_STAGE_KEYS", "pipeline.Maps")])
def test_metadata_keys_are_the_ones_the_sdk_declares(constant: str, sdk_class: str) -> None:
    details = json.loads((site_packages(client_venv("sdk")) / "zohocrmsdk" / "src" / "json_details.json").read_text())
    declared = {v["name"] for v in details[f"zohocrmsdk.src.com.zoho.crm.api.{sdk_class}"].values()} - {"keyModified"}
    assert set(getattr(metadata_keys, constant)) == declared
