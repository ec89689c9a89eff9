"""Record writes as Zoho performs them: insert, update, upsert, delete, each record on its own.

https://www.zoho.com/crm/developer/docs/api/v8/insert-records.html, .../update-records.html,
.../upsert-records.html, .../delete-records.html (zoho-api.md §3). A failing record does not stop
the others; each gets ``{"code","details","message","status"}`` in input order.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from zoho_emulator.engine.errors import ZohoError
from zoho_emulator.engine.validation import (
    check_activity_links,
    check_call,
    check_deal,
    check_event,
    check_picklist_strict,
    coerce,
    invalid,
)
from zoho_emulator.model.org import DeletedRecord, OrgData, full_name
from zoho_emulator.model.schema import MODULES, ModuleDef

MAX_RECORDS_PER_CALL = 100
SYSTEM_KEYS = frozenset({"$se_module", "$append_values", "$approval_state"})


def success(message: str, details: dict[str, Any], **extra: Any) -> dict[str, Any]:
    out = {"code": "SUCCESS", "details": details, "message": message, "status": "success"}
    out.update(extra)
    return out


def _error_result(err: ZohoError) -> dict[str, Any]:
    return err.body()


def _apply_fields(data: OrgData, module: ModuleDef, item: dict[str, Any], record: dict[str, Any],
                  path: str) -> None:
    for key, value in item.items():
        if key in SYSTEM_KEYS or key == "id":
            continue
        if key.startswith("$"):
            raise invalid(key, f"{path}.{key}")
        fd = module.field(key)
        if fd is None:
            raise invalid(key, f"{path}.{key}")
        if fd.read_only:
            raise ZohoError("INVALID_DATA", "the field is read only",
                            {"api_name": key, "json_path": f"{path}.{key}"})
        if key == "Owner" and value is None:
            raise ZohoError("MANDATORY_NOT_FOUND", "required field not found",
                            {"api_name": "Owner", "json_path": f"{path}.Owner"})
        record[key] = coerce(data, fd, value, f"{path}.{key}")


def _finish(data: OrgData, module: ModuleDef, record: dict[str, Any], raw: dict[str, Any], path: str,
            now: datetime) -> None:
    """Module rules and derived fields; raises the record's first error."""
    for fd in module.fields:
        if fd.mandatory and record.get(fd.api_name) in (None, "", []):
            raise ZohoError("MANDATORY_NOT_FOUND", "required field not found",
                            {"api_name": fd.api_name, "json_path": f"{path}.{fd.api_name}"})
    if "Full_Name" in module.by_name:
        record["Full_Name"] = full_name(record)
    if "What_Id" in module.by_name:
        check_activity_links(data, module, record, raw, path)
    if module.api_name == "Calls":
        check_picklist_strict(module, record, path)
        check_call(record, now, path)
    elif module.api_name == "Events":
        check_event(record, path)
    elif module.api_name == "Deals":
        check_deal(record, path)


def _system_details(data: OrgData, record: dict[str, Any], tz) -> dict[str, Any]:
    from zoho_emulator.engine.render import iso, user_ref

    return {"id": record["id"], "Created_Time": iso(record["Created_Time"], tz),
            "Modified_Time": iso(record["Modified_Time"], tz), "$approval_state": "approved",
            "Created_By": user_ref(data, record["Created_By"], with_email=False),
            "Modified_By": user_ref(data, record["Modified_By"], with_email=False)}


def duplicate_of(data: OrgData, module_name: str, record: dict[str, Any], path: str) -> ZohoError | None:
    """DUPLICATE_DATA when a unique field's value (case-insensitive) is another record's already.

    https://www.zoho.com/crm/developer/docs/api/v8/insert-records.html: details carry the field, its JSON
    path and ``duplicate_record`` (id, Owner, module) of the record that holds the value.
    """
    module = MODULES[module_name]
    for fd in module.fields:
        value = record.get(fd.api_name)
        if not fd.unique or value in (None, ""):
            continue
        wanted = str(value).casefold()
        for other in data.table(module_name):
            if other["id"] != record.get("id") and str(other.get(fd.api_name) or "").casefold() == wanted:
                owner = data.users.get(other.get("Owner") or "")
                return ZohoError("DUPLICATE_DATA", "duplicate data", {
                    "api_name": fd.api_name, "json_path": f"{path}.{fd.api_name}",
                    "duplicate_record": {
                        "id": other["id"], "module": {"api_name": module_name, "id": module.module_id},
                        "Owner": {"name": owner.full_name, "id": owner.id, "zuid": owner.zuid} if owner else None,
                    }})
    return None


def insert_one(data: OrgData, module_name: str, item: Any, index: int, user_id: str, now: datetime,
               tz) -> dict[str, Any]:
    module = MODULES[module_name]
    path = f"$.data[{index}]"
    if not isinstance(item, dict):
        return _error_result(invalid("data", path, "jsonobject"))
    record: dict[str, Any] = {"Owner": user_id}
    if module_name == "Leads":
        record["Converted__s"] = False  # as Zoho: every new lead is unconverted, never empty
    try:
        _apply_fields(data, module, item, record, path)
        _finish(data, module, record, item, path, now)
    except ZohoError as err:
        return _error_result(err)
    with data.lock:
        clash = duplicate_of(data, module_name, record, path)
        if clash is not None:
            return _error_result(clash)
        record.update(id=data.ids.next(), Created_By=user_id, Modified_By=user_id,
                      Created_Time=now, Modified_Time=now)
        table = data.table(module_name)
        table.rows[record["id"]] = record
        table.version += 1
    return success("record added", _system_details(data, record, tz))


def update_one(data: OrgData, module_name: str, item: Any, index: int, user_id: str, now: datetime,
               tz, record_id: str | None = None, unmodified_since: datetime | None = None) -> dict[str, Any]:
    module = MODULES[module_name]
    path = f"$.data[{index}]"
    if not isinstance(item, dict):
        return _error_result(invalid("data", path, "jsonobject"))
    record_id = record_id or (str(item["id"]) if item.get("id") is not None else None)
    if record_id is None:
        return _error_result(ZohoError("MANDATORY_NOT_FOUND", "required field not found",
                                       {"api_name": "id", "json_path": f"{path}.id"}))
    with data.lock:
        current = data.get(module_name, record_id)
        if current is None:
            return _error_result(ZohoError("INVALID_DATA", "the id given seems to be invalid",
                                           {"id": record_id}))
        if unmodified_since is not None and current["Modified_Time"] > unmodified_since:
            return _error_result(ZohoError("ALREADY_MODIFIED", "the record was modified after the given time",
                                           {"id": record_id}, status=412))
        updated = dict(current)
        try:
            _apply_fields(data, module, item, updated, path)
            _finish(data, module, updated, item, path, now)
        except ZohoError as err:
            return _error_result(err)
        clash = duplicate_of(data, module_name, updated, path)
        if clash is not None:
            return _error_result(clash)
        updated.update(Modified_By=user_id, Modified_Time=now)
        table = data.table(module_name)
        table.rows[record_id] = updated
        table.version += 1
    return success("record updated", _system_details(data, updated, tz))


def upsert_one(data: OrgData, module_name: str, item: Any, index: int, check_fields: list[str],
               user_id: str, now: datetime, tz, index_of: DuplicateIndex) -> dict[str, Any]:
    if isinstance(item, dict):
        for name in check_fields:
            value = item.get(name)
            if value in (None, ""):
                continue
            existing = index_of.find(name, value)
            if existing is not None:
                result = update_one(data, module_name, item, index, user_id, now, tz, record_id=existing)
                if result["status"] == "success":
                    result.update(action="update", duplicate_field=name)
                return result
    result = insert_one(data, module_name, item, index, user_id, now, tz)
    if result["status"] == "success":
        result.update(action="insert", duplicate_field=None)
        if isinstance(item, dict):
            index_of.add(data.get(module_name, result["details"]["id"]) or {})
    return result


class DuplicateIndex:
    """value -> record id for the duplicate-check fields of one upsert call (case-insensitive)."""

    def __init__(self, data: OrgData, module_name: str, fields: list[str]) -> None:
        self.fields = fields
        self._index: dict[str, dict[str, str]] = {f: {} for f in fields}
        for record in data.table(module_name):
            self.add(record)

    @staticmethod
    def _key(value: Any) -> str:
        return str(value).strip().lower()

    def add(self, record: dict[str, Any]) -> None:
        for name in self.fields:
            value = record.get(name)
            if value not in (None, ""):
                self._index[name].setdefault(self._key(value), record["id"])

    def find(self, name: str, value: Any) -> str | None:
        return self._index[name].get(self._key(value))


def delete_one(data: OrgData, module_name: str, record_id: str, user_id: str, now: datetime) -> dict[str, Any]:
    with data.lock:
        table = data.table(module_name)
        record = table.rows.pop(record_id, None)
        if record is None:
            return _error_result(ZohoError("INVALID_DATA", "the id given seems to be invalid", {"id": record_id}))
        table.version += 1
        data.deleted.append(DeletedRecord(record_id, module_name,
                                          str(record.get(MODULES[module_name].name_field) or ""),
                                          user_id, record.get("Created_By"), now))
    return success("record deleted", {"id": record_id})
