"""Walking Zoho's pages: ``page`` for the first 2,000 rows, then ``page_token`` (zoho-api.md §3).

Zoho lets ``page`` reach only the first 2,000 rows (``DISCRETE_PAGINATION_LIMIT_EXCEEDED`` beyond);
past that each request must carry the previous answer's ``info.next_page_token`` and otherwise the
very same parameters. Lists without tokens (users, deleted records, search) just step ``page``;
search stops at its 2,000-result cap. An empty answer (204, or 304 for If-Modified-Since) ends the walk.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sync_engine.zoho.errors import ZohoError

DISCRETE_LIMIT = 2_000
SEARCH_CAP = 2_000

Fetch = Callable[[dict[str, Any]], dict[str, Any] | None]  # page params -> body, None when empty


def next_position(page: int, per_page: int, info: dict[str, Any], *, tokens: bool,
                  cap: int | None = None) -> dict[str, Any] | None:
    """The paging parameters for the page after ``page``, or None when the walk is over."""
    if not info.get("more_records"):
        return None
    following = page + 1
    if cap is not None and page * per_page >= cap:
        return None
    if not tokens or following * per_page <= DISCRETE_LIMIT:
        return {"page": following}
    token = info.get("next_page_token")
    if not token:
        raise ZohoError("Zoho reported more records but gave no page token to reach them",
                        code="MISSING_PAGE_TOKEN", details={"page": page})
    return {"page_token": token}


def walk_pages(fetch: Fetch, *, per_page: int, tokens: bool = False, cap: int | None = None,
               items_key: str = "data") -> Iterator[dict[str, Any]]:
    """Yield every item of every page, asking ``fetch`` for one page at a time."""
    page = 1
    position: dict[str, Any] = {"page": 1}
    while True:
        body = fetch(position)
        if not body:
            return
        yield from body.get(items_key) or []
        following = next_position(page, per_page, body.get("info") or {}, tokens=tokens, cap=cap)
        if following is None:
            return
        position = following
        page += 1
