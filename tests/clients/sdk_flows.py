"""Zoho's official Python SDK for v8 (zohocrmsdk8-0), driven through what a sync tool does. Runs in its own venv.

Pointed at the emulator by configuration only: a ``DataCenter`` subclass whose environment names the emulator's
URL for both the API and the accounts server, an ``OAuthToken`` from a refresh token, a ``FileStore`` token store.
Prints one JSON line per flow: ``{"flow", "ok", "result" | "error"}``; tests/clients/test_zoho_sdk.py compares
the results with the emulator's own state.

Usage (inside the venv): ``python sdk_flows.py --url http://127.0.0.1:PORT --client-id … --client-secret …
--refresh-token … --workdir DIR --contact-id ID --deal-id ID --owner-id ID``
"""
from __future__ import annotations

import argparse
import io
import json
import time
import traceback
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from zohocrmsdk.src.com.zoho.api.authenticator.oauth_token import OAuthToken
from zohocrmsdk.src.com.zoho.api.authenticator.store.file_store import FileStore
from zohocrmsdk.src.com.zoho.crm.api import ParameterMap
from zohocrmsdk.src.com.zoho.crm.api.bulk_read import ActionWrapper as BulkActionWrapper
from zohocrmsdk.src.com.zoho.crm.api.bulk_read import BodyWrapper as BulkRequestWrapper
from zohocrmsdk.src.com.zoho.crm.api.bulk_read import BulkReadOperations, FileBodyWrapper, Query
from zohocrmsdk.src.com.zoho.crm.api.bulk_read import ResponseWrapper as BulkResponseWrapper
from zohocrmsdk.src.com.zoho.crm.api.coql import BodyWrapper as CoqlBody
from zohocrmsdk.src.com.zoho.crm.api.coql import CoqlOperations
from zohocrmsdk.src.com.zoho.crm.api.coql import ResponseWrapper as CoqlResponse
from zohocrmsdk.src.com.zoho.crm.api.dc.data_center import DataCenter
from zohocrmsdk.src.com.zoho.crm.api.exception import SDKException
from zohocrmsdk.src.com.zoho.crm.api.fields import FieldsOperations, GetFieldsParam
from zohocrmsdk.src.com.zoho.crm.api.fields import ResponseWrapper as FieldsResponse
from zohocrmsdk.src.com.zoho.crm.api.initializer import Initializer
from zohocrmsdk.src.com.zoho.crm.api.modules import ModulesOperations
from zohocrmsdk.src.com.zoho.crm.api.modules import ResponseWrapper as ModulesResponse
from zohocrmsdk.src.com.zoho.crm.api.org import OrgOperations
from zohocrmsdk.src.com.zoho.crm.api.org import ResponseWrapper as OrgResponse
from zohocrmsdk.src.com.zoho.crm.api.record import (
    ActionWrapper,
    APIException,
    BodyWrapper,
    DeletedRecordsWrapper,
    GetDeletedRecordsParam,
    GetRecordsParam,
    Participants,
    Record,
    RecordOperations,
    ResponseWrapper,
    SearchRecordsParam,
    SuccessResponse,
)
from zohocrmsdk.src.com.zoho.crm.api.sdk_config import SDKConfig
from zohocrmsdk.src.com.zoho.crm.api.users import GetUsersParam, MinifiedUser, UsersOperations
from zohocrmsdk.src.com.zoho.crm.api.users import ResponseWrapper as UsersResponse
from zohocrmsdk.src.com.zoho.crm.api.util import Choice


class EmulatorDataCenter(DataCenter):
    """Zoho's data centres are classes with URLs; this one names the emulator's (accounts and API on one port)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def get_iam_url(self) -> str:
        return f"{self.url}/oauth/v2/token"

    def get_file_upload_url(self) -> str:
        return self.url

    def environment(self) -> DataCenter.Environment:
        return DataCenter.Environment(self.url, self.get_iam_url(), self.get_file_upload_url())


def value(choice: Any) -> Any:
    return choice.get_value() if isinstance(choice, Choice) else choice


def api_error(answer: Any) -> dict[str, Any]:
    return {"code": value(answer.get_code()), "message": value(answer.get_message()),
            "details": answer.get_details()}


def data_of(response: Any, wrapper: type) -> Any:
    """The response's object if it is ``wrapper``; Zoho's error as an exception otherwise."""
    if response is None:
        raise AssertionError("no response")
    answer = response.get_object()
    if isinstance(answer, wrapper):
        return answer
    if answer is not None and hasattr(answer, "get_code"):
        raise AssertionError(f"status {response.get_status_code()}: {json.dumps(api_error(answer), default=str)}")
    raise AssertionError(f"status {response.get_status_code()}: {answer!r}")


def action_results(response: Any) -> list[dict[str, Any]]:
    out = []
    for item in data_of(response, ActionWrapper).get_data():
        row = {"status": value(item.get_status()), "code": value(item.get_code()),
               "details": item.get_details(), "message": value(item.get_message())}
        if isinstance(item, SuccessResponse):
            row["action"] = value(item.get_action()) if hasattr(item, "get_action") else None
        out.append(row)
    return out


class Flows:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.created: dict[str, str] = {}

    # -- reads ---------------------------------------------------------------------------------------------
    def token_refresh_and_store(self) -> dict[str, Any]:
        response = OrgOperations().get_organization()
        data_of(response, OrgResponse)
        tokens = FileStore(self.args.workdir + "/tokens.csv").get_tokens()
        return {"stored": len(tokens), "has_access_token": bool(tokens and tokens[0].get_access_token()),
                "refresh_token_kept": bool(tokens and tokens[0].get_refresh_token() == self.args.refresh_token)}

    def org(self) -> dict[str, Any]:
        org = data_of(OrgOperations().get_organization(), OrgResponse).get_org()[0]
        licence = org.get_license_details()
        return {"id": str(org.get_id()), "company_name": org.get_company_name(),
                "paid_type": licence.get_paid_type() if licence else None, "time_zone": org.get_time_zone()}

    def users(self) -> dict[str, Any]:
        params = ParameterMap()
        params.add(GetUsersParam.type, "AllUsers")
        params.add(GetUsersParam.per_page, 200)
        users = data_of(UsersOperations().get_users(params), UsersResponse).get_users()
        return {"users": [{"id": str(u.get_id()), "email": u.get_email(), "role_id": str(u.get_role().get_id()),
                           "profile_id": str(u.get_profile().get_id()), "status": u.get_status()} for u in users]}

    def modules(self) -> dict[str, Any]:
        modules = data_of(ModulesOperations().get_modules(), ModulesResponse).get_modules()
        return {"api_names": [m.get_api_name() for m in modules]}

    def fields(self) -> dict[str, Any]:
        params = ParameterMap()
        params.add(GetFieldsParam.module, "Contacts")
        fields = data_of(FieldsOperations().get_fields(params), FieldsResponse).get_fields()
        return {"api_names": [f.get_api_name() for f in fields], "ids": [str(f.get_id()) for f in fields]}

    def list_with_fields_and_paging(self) -> dict[str, Any]:
        ids: list[str] = []
        pages = []
        for page in (1, 2):
            params = ParameterMap()
            params.add(GetRecordsParam.fields, "Last_Name,Email,Owner,Modified_Time")
            params.add(GetRecordsParam.per_page, 200)
            params.add(GetRecordsParam.page, page)
            params.add(GetRecordsParam.sort_by, "id")
            params.add(GetRecordsParam.sort_order, "asc")
            wrapper = data_of(RecordOperations("Contacts").get_records(params), ResponseWrapper)
            rows = wrapper.get_data()
            ids += [str(r.get_id()) for r in rows]
            pages.append({"count": wrapper.get_info().get_count(), "more": wrapper.get_info().get_more_records()})
            emails = [r.get_key_value("Email") for r in rows]
        owner = rows[0].get_key_value("Owner")
        return {"ids": ids, "pages": pages, "some_email": next((e for e in emails if e), None),
                "owner_id": str(owner.get_id()) if owner else None}

    def get(self) -> dict[str, Any]:
        rows = data_of(RecordOperations("Contacts").get_record(int(self.args.contact_id)), ResponseWrapper).get_data()
        return {"id": str(rows[0].get_id()), "email": rows[0].get_key_value("Email"),
                "last_name": rows[0].get_key_value("Last_Name")}

    def search(self) -> dict[str, Any]:
        email = self.get()["email"]
        params = ParameterMap()
        params.add(SearchRecordsParam.email, email)
        params.add(SearchRecordsParam.fields, "Email,Last_Name")
        rows = data_of(RecordOperations("Contacts").search_records(params), ResponseWrapper).get_data()
        return {"email": email, "ids": [str(r.get_id()) for r in rows]}

    def coql(self) -> dict[str, Any]:
        body = CoqlBody()
        body.set_select_query(f"select Last_Name, Email from Contacts where id = '{self.args.contact_id}' limit 5")
        rows = data_of(CoqlOperations().get_records(body), CoqlResponse).get_data()
        return {"ids": [str(r.get_id()) for r in rows], "emails": [r.get_key_value("Email") for r in rows]}

    # -- writes --------------------------------------------------------------------------------------------
    def _owner(self) -> MinifiedUser:
        owner = MinifiedUser()
        owner.set_id(int(self.args.owner_id))
        return owner

    def _links(self, record: Record) -> None:
        contact, deal = Record(), Record()
        contact.set_id(int(self.args.contact_id))
        deal.set_id(int(self.args.deal_id))
        record.add_key_value("Owner", self._owner())
        record.add_key_value("Who_Id", contact)
        record.add_key_value("What_Id", deal)
        record.add_key_value("$se_module", "Deals")

    def _insert(self, module: str, record: Record) -> dict[str, Any]:
        body = BodyWrapper()
        body.set_data([record])
        results = action_results(RecordOperations(module).create_records(body))
        self.created[module] = str(results[0]["details"]["id"])
        return {"id": self.created[module], "code": results[0]["code"], "status": results[0]["status"]}

    def insert_call(self) -> dict[str, Any]:
        call = Record()
        self._links(call)
        call.add_key_value("Subject", "SDK flow: discovery call")
        call.add_key_value("Call_Type", Choice("Outbound"))
        call.add_key_value("Call_Start_Time", datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
        call.add_key_value("Call_Duration", "12:30")
        call.add_key_value("Description", "sdk flow")
        return self._insert("Calls", call)

    def insert_event(self) -> dict[str, Any]:
        event = Record()
        self._links(event)
        start = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
        event.add_key_value("Event_Title", "SDK flow: demo meeting")
        event.add_key_value("Start_DateTime", start)
        event.add_key_value("End_DateTime", start + timedelta(minutes=45))
        participant = Participants()
        participant.set_participant(self.args.contact_id)
        participant.set_type("contact")
        event.add_key_value("Participants", [participant])
        return self._insert("Events", event)

    def insert_task(self) -> dict[str, Any]:
        task = Record()
        self._links(task)
        task.add_key_value("Subject", "SDK flow: send the proposal")
        task.add_key_value("Due_Date", (datetime(2026, 3, 9)).date())
        task.add_key_value("Status", Choice("Not Started"))
        return self._insert("Tasks", task)

    def update_activities(self) -> dict[str, Any]:
        out = {}
        for module, record_id in self.created.items():
            record = Record()
            record.set_id(int(record_id))
            record.add_key_value("Description", f"updated by the SDK ({module})")
            body = BodyWrapper()
            body.set_data([record])
            results = action_results(RecordOperations(module).update_records(body))
            out[module] = {"id": record_id, "code": results[0]["code"]}
        return out

    def read_back_activities(self) -> dict[str, Any]:
        out = {}
        for module, record_id in self.created.items():
            row = data_of(RecordOperations(module).get_record(int(record_id)), ResponseWrapper).get_data()[0]
            owner, who, what = row.get_key_value("Owner"), row.get_key_value("Who_Id"), row.get_key_value("What_Id")
            out[module] = {"description": row.get_key_value("Description"),
                           "owner_id": str(owner.get_id()) if owner else None,
                           "who_id": str(who.get_id()) if who else None,
                           "what_id": str(what["id"] if isinstance(what, dict) else what.get_id()) if what else None,
                           "se_module": row.get_key_value("$se_module")}
        return out

    def delete_activities(self) -> dict[str, Any]:
        out = {}
        for module, record_id in self.created.items():
            results = action_results(RecordOperations(module).delete_record(int(record_id)))
            out[module] = {"id": record_id, "code": results[0]["code"]}
        return out

    def deleted(self) -> dict[str, Any]:
        out = {}
        for module in self.created:
            params = ParameterMap()
            params.add(GetDeletedRecordsParam.type, "all")
            wrapper = data_of(RecordOperations(module).get_deleted_records(params), DeletedRecordsWrapper)
            out[module] = [str(d.get_id()) for d in wrapper.get_data()]
        return out

    def upsert_mixed(self) -> dict[str, Any]:
        existing = self.get()
        known, fresh = Record(), Record()
        known.add_key_value("Last_Name", existing["last_name"])
        known.add_key_value("Email", existing["email"])
        fresh.add_key_value("Last_Name", "Upserted")
        fresh.add_key_value("Email", f"sdk.upsert.{int(time.time() * 1000)}@example.org")
        body = BodyWrapper()
        body.set_data([known, fresh])
        body.set_duplicate_check_fields(["Email"])
        response = RecordOperations("Contacts").upsert_records(body)
        results = action_results(response)
        return {"status_code": response.get_status_code(), "actions": [r.get("action") for r in results],
                "codes": [r["code"] for r in results]}

    def bulk_read(self) -> dict[str, Any]:
        operations = BulkReadOperations()
        query = Query()
        query.set_module(_module("Contacts"))
        query.set_fields(["Last_Name", "Email"])
        request = BulkRequestWrapper()
        request.set_query(query)
        request.set_file_type("csv")
        created = data_of(operations.create_bulk_read_job(request), BulkActionWrapper).get_data()[0]
        job_id = created.get_details()["id"]
        state = None
        for _ in range(60):
            details = data_of(operations.get_bulk_read_job_details(int(job_id)), BulkResponseWrapper).get_data()[0]
            state = value(details.get_state())
            if state == "COMPLETED":
                break
            time.sleep(0.5)
        download = data_of(operations.download_result(int(job_id)), FileBodyWrapper)
        raw = download.get_file().get_stream()
        payload = raw if isinstance(raw, bytes) else b"".join(raw)
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            name = archive.namelist()[0]
            lines = archive.read(name).decode("utf-8").splitlines()
        return {"job_id": str(job_id), "state": state, "header": lines[0], "rows": len(lines) - 1}

    # -- errors --------------------------------------------------------------------------------------------
    def _expect_error(self, response: Any) -> dict[str, Any]:
        answer = response.get_object()
        if isinstance(answer, ActionWrapper):
            item = answer.get_data()[0]
            return {"status_code": response.get_status_code(), **api_error(item)}
        assert isinstance(answer, APIException) or hasattr(answer, "get_code"), f"no error: {answer!r}"
        return {"status_code": response.get_status_code(), **api_error(answer)}

    def error_invalid_id(self) -> dict[str, Any]:
        return self._expect_error(RecordOperations("Contacts").get_record(1))

    def error_invalid_module(self) -> dict[str, Any]:
        """The SDK asks for the module's fields first; Zoho's INVALID_MODULE comes back as its SDKException."""
        params = ParameterMap()
        params.add(GetRecordsParam.fields, "Last_Name")
        try:
            response = RecordOperations("Nonexistent_Module").get_records(params)
        except SDKException as err:
            return {"sdk_exception": str(err)}
        return self._expect_error(response)

    def error_mandatory_missing(self) -> dict[str, Any]:
        call = Record()
        call.add_key_value("Subject", "no start time")
        body = BodyWrapper()
        body.set_data([call])
        return self._expect_error(RecordOperations("Calls").create_records(body))

    def error_duplicate(self) -> dict[str, Any]:
        """Two accounts with one Customer_Number (a unique field): the second is refused with DUPLICATE_DATA."""
        number = f"SDK-{int(time.time() * 1000)}"
        answers = []
        for name in ("SDK unique first", "SDK unique second"):
            account = Record()
            account.add_key_value("Account_Name", name)
            account.add_key_value("Customer_Number", number)
            body = BodyWrapper()
            body.set_data([account])
            answers.append(RecordOperations("Accounts").create_records(body))
        first = action_results(answers[0])[0]
        refused = self._expect_error(answers[1])
        held_by = refused["details"].get("duplicate_record")
        refused["details"]["duplicate_record"] = {"id": str(held_by.get_id())} if held_by is not None else None
        return {"first": first["code"], "first_id": str(first["details"]["id"]), **refused}


def _module(api_name: str) -> Any:
    from zohocrmsdk.src.com.zoho.crm.api.modules import MinifiedModule
    module = MinifiedModule()
    module.set_api_name(api_name)
    return module


FLOWS: tuple[str, ...] = (
    "token_refresh_and_store", "org", "users", "modules", "fields", "list_with_fields_and_paging", "get",
    "search", "coql", "insert_call", "insert_event", "insert_task", "update_activities", "read_back_activities",
    "delete_activities", "deleted", "upsert_mixed", "bulk_read", "error_invalid_id", "error_invalid_module",
    "error_mandatory_missing", "error_duplicate",
)


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("url", "client-id", "client-secret", "refresh-token", "workdir", "contact-id", "deal-id", "owner-id"):
        parser.add_argument(f"--{name}", required=True)
    args = parser.parse_args()
    token = OAuthToken(client_id=args.client_id, client_secret=args.client_secret, refresh_token=args.refresh_token)
    Initializer.initialize(environment=EmulatorDataCenter(args.url).environment(), token=token,
                           store=FileStore(args.workdir + "/tokens.csv"),
                           sdk_config=SDKConfig(auto_refresh_fields=False, pick_list_validation=False),
                           resource_path=args.workdir)
    flows = Flows(args)
    for name in FLOWS:
        run: Callable[[], Any] = getattr(flows, name)
        try:
            line = {"flow": name, "ok": True, "result": run()}
        except Exception as err:  # a flow's failure is reported, and the next flow still runs
            line = {"flow": name, "ok": False, "error": f"{type(err).__name__}: {err}",
                    "trace": traceback.format_exc(limit=4)}
        print(json.dumps(line, default=str), flush=True)


if __name__ == "__main__":
    main()
