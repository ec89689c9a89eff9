"""Internal record -> Zoho's JSON shapes (lookups as objects, datetimes in the user's zone)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from zoho_emulator.model.org import OrgData
from zoho_emulator.model.schema import DATETIME, LOOKUP, MODULES, MULTIMODULE_LOOKUP, OWNERLOOKUP, ModuleDef


@lru_cache(maxsize=256)
def zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def iso(value: datetime, tz: tzinfo) -> str:
    """ISO 8601 with offset, no milliseconds: ``2025-03-02T14:05:11-08:00``."""
    return value.astimezone(tz).replace(microsecond=0).isoformat()


def plain(value: Any, tz: tzinfo) -> Any:
    """A Python value as JSON: datetimes in ``tz``, dates as yyyy-MM-dd."""
    if isinstance(value, datetime):
        return iso(value, tz)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v, tz) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v, tz) for v in value]
    return value


def user_ref(data: OrgData, user_id: str | None, with_email: bool = True) -> dict[str, Any] | None:
    user = data.users.get(user_id) if user_id else None
    if user is None:
        return None
    ref = {"name": user.full_name, "id": user.id}
    if with_email:
        ref["email"] = user.email
    return ref


def render_field(data: OrgData, module: ModuleDef, record: dict[str, Any], api_name: str,
                 tz: tzinfo) -> Any:
    fd = module.field(api_name)
    value = record.get(api_name)
    if fd is None or value is None:
        return plain(value, tz)
    if fd.data_type == OWNERLOOKUP:
        return user_ref(data, value)
    if fd.data_type == LOOKUP:
        name = data.lookup_name(fd.lookup_module or "", value)
        return None if name is None and data.get(fd.lookup_module or "", value) is None else {"name": name, "id": value}
    if fd.data_type == MULTIMODULE_LOOKUP:
        target = record.get("$se_module")
        if not target or data.get(target, value) is None:
            return None
        return {"name": data.lookup_name(target, value), "id": value}
    if fd.data_type == DATETIME:
        return iso(value, tz)
    return plain(value, tz)


def render_record(data: OrgData, module_name: str, record: dict[str, Any], fields: Iterable[str] | None,
                  tz: tzinfo) -> dict[str, Any]:
    module = MODULES[module_name]
    names = [f.api_name for f in module.fields] if fields is None else list(fields)
    out: dict[str, Any] = {"id": record["id"]}
    for name in names:
        if name == "id":
            continue
        out[name] = render_field(data, module, record, name, tz)
    if "What_Id" in out:
        out["$se_module"] = record.get("$se_module") if out["What_Id"] else None
    return out
