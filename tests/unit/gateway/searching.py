"""What the search-query tests share: an admin's access and the body of a search request."""

from __future__ import annotations

from typing import Any

from lexstream.gateway.access import Access, Principal
from lexstream.gateway.search import QueryCaps, SearchRequest, build_query

ADMIN = Access(Principal(subject="a", tenant="t", is_admin=True))


def search_body(
    access: Access = ADMIN, caps: QueryCaps | None = None, **request: Any
) -> dict[str, Any]:
    """The Elasticsearch body of a ``SearchRequest`` of ``request``'s fields, as ``access``
    may search (under ``caps``, the default caps where None)."""
    return build_query(SearchRequest(**request), access, caps or QueryCaps())
