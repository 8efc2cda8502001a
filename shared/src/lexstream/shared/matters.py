"""The matters registry, read-only: whether a matter exists and whether it is open.

The gateway owns the matters: it creates ``<prefix>-matters`` in Elasticsearch and writes it
(``lexstream.gateway.stores.MatterStore``). Ingest asks here before it accepts a document into
a matter, so that nothing is stored under a matter id nobody has created: whoever created that
id later would become the owner of what had been squatted there (issue 13, finding 3). The
index name and the document id of a matter are defined once, here, for both sides.
"""

from __future__ import annotations

import time
from typing import Literal, Protocol

from elasticsearch import AsyncElasticsearch, NotFoundError

from lexstream.shared.settings import CommonSettings

MatterStatus = Literal["open", "archived"]


def matters_index(settings: CommonSettings) -> str:
    return f"{settings.index_prefix}-matters"


def matter_doc_id(tenant: str, matter_id: str) -> str:
    """The Elasticsearch id of a matter's record: matter ids are unique per tenant."""
    return f"{tenant}\x1f{matter_id}"


class MatterLookup(Protocol):
    async def matter_exists(self, tenant: str, matter_id: str) -> MatterStatus | None:
        """``"open"``, ``"archived"`` or None where the tenant has no such matter."""
        ...


class MatterRegistry:
    """Reads matters by id, with a short cache (a matter created or archived is seen within
    ``cache_ttl_s``). Elasticsearch errors are raised: a caller cannot tell a missing matter
    from an unreachable registry, so it must not guess (they are transient, retried)."""

    def __init__(
        self,
        es: AsyncElasticsearch,
        settings: CommonSettings,
        cache_ttl_s: float = 5.0,
        max_entries: int = 10_000,
    ) -> None:
        self.es = es
        self.index = matters_index(settings)
        self.cache_ttl_s = cache_ttl_s
        self.max_entries = max_entries
        self._cache: dict[tuple[str, str], tuple[float, MatterStatus | None]] = {}

    async def matter_exists(self, tenant: str, matter_id: str) -> MatterStatus | None:
        key = (tenant, matter_id)
        cached = self._cache.get(key)
        now = time.monotonic()
        if cached is not None and cached[0] > now:
            return cached[1]
        status = await self._read(tenant, matter_id)
        if len(self._cache) >= self.max_entries:
            self._cache.clear()
        self._cache[key] = (now + self.cache_ttl_s, status)
        return status

    async def _read(self, tenant: str, matter_id: str) -> MatterStatus | None:
        try:
            found = await self.es.get(
                index=self.index,
                id=matter_doc_id(tenant, matter_id),
                source_includes=["status", "tenant", "matter_id"],
            )
        except NotFoundError:  # no such matter, or no matter was ever created (no index)
            return None
        source = found.get("_source") or {}
        if source.get("tenant") != tenant or source.get("matter_id") != matter_id:
            return None
        return "archived" if source.get("status") == "archived" else "open"
