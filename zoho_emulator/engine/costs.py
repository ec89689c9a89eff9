"""Zoho's published credit cost per API call (zoho-api.md §2, api-limits and ``/__apis``).

Source: https://www.zoho.com/crm/developer/docs/api/v8/api-limits.html
"""
from __future__ import annotations

import math

# endpoint name -> flat cost; write endpoints are priced per record below
FLAT_COSTS: dict[str, int] = {
    "org.get": 1, "users.list": 1, "users.get": 1,
    "settings.modules": 1, "settings.module": 1, "settings.fields": 1,
    "settings.layouts": 1, "settings.pipeline": 1,
    "records.list": 1, "records.get": 1, "records.deleted": 2,
    "records.delete": 1, "records.search": 1,
    "bulk.create": 50, "bulk.status": 1, "bulk.download": 1,
    "apis.list": 1,
}
WRITE_ENDPOINTS = frozenset({"records.insert", "records.update", "records.upsert"})
CVID_COST = 3


def write_cost(record_count: int) -> int:
    """1 credit per 10 records, rounded up, at least 1 (1-10 credits for 1-100 records)."""
    return max(1, math.ceil(record_count / 10))


def coql_cost(limit: int) -> int:
    """COQL is priced by its LIMIT: 1-200 -> 1, 201-1,000 -> 2, 1,001-2,000 -> 3."""
    if limit <= 200:
        return 1
    if limit <= 1000:
        return 2
    return 3


def cost_of(endpoint: str, *, record_count: int = 0, coql_limit: int = 200, cvid: bool = False) -> int:
    if endpoint in WRITE_ENDPOINTS:
        return write_cost(record_count)
    if endpoint == "coql":
        return coql_cost(coql_limit)
    if endpoint == "records.list" and cvid:
        return CVID_COST
    return FLAT_COSTS.get(endpoint, 1)


# what GET /crm/v8/__apis reports: (path, method, scope, min, max)
API_CATALOGUE: tuple[tuple[str, str, str, int, int], ...] = (
    ("/crm/v8/org", "GET", "ZohoCRM.org.READ", 1, 1),
    ("/crm/v8/users", "GET", "ZohoCRM.users.READ", 1, 1),
    ("/crm/v8/settings/modules", "GET", "ZohoCRM.settings.modules.READ", 1, 1),
    ("/crm/v8/settings/fields", "GET", "ZohoCRM.settings.fields.READ", 1, 1),
    ("/crm/v8/settings/layouts", "GET", "ZohoCRM.settings.layouts.READ", 1, 1),
    ("/crm/v8/settings/pipeline", "GET", "ZohoCRM.settings.pipeline.READ", 1, 1),
    ("/crm/v8/{{module}}", "GET", "ZohoCRM.modules.{{module}}.READ", 1, 3),
    ("/crm/v8/{{module}}", "POST", "ZohoCRM.modules.{{module}}.CREATE", 1, 10),
    ("/crm/v8/{{module}}", "PUT", "ZohoCRM.modules.{{module}}.UPDATE", 1, 10),
    ("/crm/v8/{{module}}", "DELETE", "ZohoCRM.modules.{{module}}.DELETE", 1, 1),
    ("/crm/v8/{{module}}/upsert", "POST", "ZohoCRM.modules.{{module}}.WRITE", 1, 10),
    ("/crm/v8/{{module}}/{{record_id}}", "GET", "ZohoCRM.modules.{{module}}.READ", 1, 1),
    ("/crm/v8/{{module}}/deleted", "GET", "ZohoCRM.modules.{{module}}.READ", 2, 2),
    ("/crm/v8/{{module}}/search", "GET", "ZohoSearch.securesearch.READ", 1, 1),
    ("/crm/v8/coql", "POST", "ZohoCRM.coql.READ", 1, 3),
    ("/crm/bulk/v8/read", "POST", "ZohoCRM.bulk.read", 50, 50),
    ("/crm/bulk/v8/read/{{job_id}}", "GET", "ZohoCRM.bulk.read", 1, 1),
    ("/crm/bulk/v8/read/{{job_id}}/result", "GET", "ZohoCRM.bulk.read", 1, 1),
)
