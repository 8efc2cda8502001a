"""Saved searches: a caller's own named searches (the workspace's "save this search").

A saved search is the search's address, not its results: the query and the filters, run
again when it is opened, so it always shows what the caller may see now (a wall raised since
hides what it would have found). Each belongs to one person of one tenant: another caller, a
tenant admin too, gets the 404 an unknown one gets, so nobody learns what others look for.

The records live in a small index of the gateway's own (``<prefix>-saved-searches``), made
on first use like the batch-search indices, and always read through a tenant + subject
filter.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Annotated, Any

from elasticsearch import ApiError, AsyncElasticsearch, BadRequestError, NotFoundError
from fastapi import APIRouter, HTTPException, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from lexstream.gateway.access import Access
from lexstream.gateway.authz import AuthorizedDep
from lexstream.gateway.context import Gateway, GatewayDep
from lexstream.gateway.schemas import COMMON_ERRORS, Timestamp, errors
from lexstream.gateway.stores import KEYWORD, now_iso
from lexstream.shared.settings import CommonSettings

router = APIRouter(tags=["saved searches"], responses=COMMON_ERRORS)

SEARCH_ID = re.compile(r"^[0-9a-f]{32}$")
NO_SUCH = "no such saved search"
#: a person's saved searches at most (a list to pick from, not an archive)
MAX_PER_SUBJECT = 200
#: reads of a just-made index before it answers (0.1 s apart)
SHARD_WAIT_ATTEMPTS = 100
SearchId = Annotated[str, Path(max_length=64, description="the id POST answered")]

#: the GET /v1/search parameters a saved search keeps (its address, not its page)
FILTER_NAMES = (
    "sort",
    "mode",
    "jurisdiction",
    "court",
    "doc_type",
    "language",
    "matter_id",
    "date_from",
    "date_to",
    "cites",
    "authority",
)

SAVED_MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "search_id": KEYWORD,
        "tenant": KEYWORD,
        "subject": KEYWORD,
        "name": {"type": "keyword", "ignore_above": 512},
        "q": {"type": "keyword", "index": False},
        "filters": {"type": "object", "enabled": False},
        "created_at": {"type": "date"},
    },
}


def saved_index(settings: CommonSettings) -> str:
    return f"{settings.index_prefix}-saved-searches"


class SavedSearchStore:
    """One person's saved searches; every read and delete is filtered by tenant and subject."""

    def __init__(self, es: AsyncElasticsearch, settings: CommonSettings) -> None:
        self.es = es
        self.index = saved_index(settings)
        self._ready = False
        self._making = asyncio.Lock()

    async def ensure(self) -> None:
        if self._ready:
            return
        # One creation at a time: a request that finds the index made but its shard not yet
        # started would search it and get a 503 (no shard available).
        async with self._making:
            if not self._ready:
                await self._make()
                self._ready = True

    async def _make(self) -> None:
        if not await self.es.indices.exists(index=self.index):
            try:
                await self.es.indices.create(
                    index=self.index,
                    settings={"number_of_shards": 1, "number_of_replicas": 0},
                    mappings=SAVED_MAPPINGS,
                )
            except BadRequestError as exc:
                if exc.error != "resource_already_exists_exception":
                    raise
        # made by another replica just now, its shard may not be searchable yet (a health
        # wait can answer before the shard is routed): read it until it answers
        await self.es.cluster.health(index=self.index, wait_for_status="yellow", timeout="30s")
        for attempt in range(SHARD_WAIT_ATTEMPTS):
            try:
                await self.es.count(index=self.index)
                return
            except ApiError as exc:
                if exc.meta.status != 503 or attempt == SHARD_WAIT_ATTEMPTS - 1:
                    raise
                await asyncio.sleep(0.1)

    @staticmethod
    def _own(tenant: str, subject: str) -> list[dict[str, Any]]:
        return [{"term": {"tenant": tenant}}, {"term": {"subject": subject}}]

    async def count(self, tenant: str, subject: str) -> int:
        await self.ensure()
        found = await self.es.count(
            index=self.index, query={"bool": {"filter": self._own(tenant, subject)}}
        )
        return int(found["count"])

    async def create(
        self, *, tenant: str, subject: str, name: str, q: str, filters: dict[str, str]
    ) -> dict[str, Any]:
        await self.ensure()
        search_id = uuid.uuid4().hex
        record: dict[str, Any] = {
            "search_id": search_id,
            "tenant": tenant,
            "subject": subject,
            "name": name,
            "q": q,
            "filters": filters,
            "created_at": now_iso(),
        }
        await self.es.index(
            index=self.index,
            id=search_id,
            document=record,
            op_type="create",
            refresh="wait_for",  # the list the workspace reads next has it
        )
        return record

    async def list(self, tenant: str, subject: str) -> list[dict[str, Any]]:
        await self.ensure()
        result = await self.es.search(
            index=self.index,
            query={"bool": {"filter": self._own(tenant, subject)}},
            size=MAX_PER_SUBJECT,
            sort=[{"created_at": "desc"}, {"search_id": "asc"}],
        )
        return [hit["_source"] for hit in result["hits"]["hits"]]

    async def delete(self, tenant: str, subject: str, search_id: str) -> dict[str, Any] | None:
        """Delete the caller's own saved search: what it was; None if they have none of that id."""
        await self.ensure()
        try:
            found = await self.es.get(index=self.index, id=search_id)
        except NotFoundError:
            return None
        record: dict[str, Any] = found["_source"]
        if record.get("tenant") != tenant or record.get("subject") != subject:
            return None
        try:
            await self.es.delete(index=self.index, id=search_id, refresh="wait_for")
        except NotFoundError:
            return None  # deleted meanwhile (another tab)
        return record


def saved_store(request: Request) -> SavedSearchStore:
    """This replica's store (made on first use)."""
    state = request.app.state
    store: SavedSearchStore | None = getattr(state, "saved_searches", None)
    if store is None:
        gw: Gateway = state.gateway
        store = SavedSearchStore(gw.es, gw.settings)
        state.saved_searches = store
    return store


class SavedSearchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="what the person calls it")
    q: str = Field(default="", max_length=2000, description="as GET /v1/search's q")
    filters: dict[str, Annotated[str, Field(min_length=1, max_length=300)]] = Field(
        default_factory=dict,
        description="GET /v1/search parameters by name: " + ", ".join(FILTER_NAMES),
    )


class SavedSearch(BaseModel):
    search_id: str
    name: str
    q: str
    filters: dict[str, str]
    created_at: Timestamp


class SavedSearchList(BaseModel):
    saved_searches: list[SavedSearch] = Field(description="newest first")


def _view(record: dict[str, Any]) -> SavedSearch:
    return SavedSearch.model_validate(
        {k: record[k] for k in ("search_id", "name", "q", "filters", "created_at")}
    )


def _who(access: Access) -> tuple[str, str]:
    return access.principal.tenant, access.principal.subject


@router.post("/v1/saved-searches", status_code=201, responses=errors(409))
async def create_saved_search(
    request: Request, body: SavedSearchCreate, gw: GatewayDep, access: AuthorizedDep
) -> SavedSearch:
    """Save a search (its query and filters) for the caller alone."""
    unknown = sorted(set(body.filters) - set(FILTER_NAMES))
    if unknown:
        raise HTTPException(
            400,
            f"filters not kept by a saved search: {', '.join(unknown)}; "
            f"known: {', '.join(FILTER_NAMES)}",
        )
    name = body.name.strip()
    if not name:
        raise HTTPException(400, "a saved search needs a name")
    if not body.q.strip() and not body.filters:
        raise HTTPException(400, "a saved search needs a query or a filter")
    store = saved_store(request)
    tenant, subject = _who(access)
    if await store.count(tenant, subject) >= MAX_PER_SUBJECT:
        raise HTTPException(
            409, f"you have {MAX_PER_SUBJECT} saved searches already; delete one first"
        )
    record = await store.create(
        tenant=tenant, subject=subject, name=name, q=body.q.strip(), filters=body.filters
    )
    gw.audit.record(request, "saved-search.create", status_code=201)
    return _view(record)


@router.get("/v1/saved-searches")
async def list_saved_searches(request: Request, access: AuthorizedDep) -> SavedSearchList:
    """The caller's saved searches, newest first."""
    records = await saved_store(request).list(*_who(access))
    return SavedSearchList(saved_searches=[_view(r) for r in records])


@router.delete("/v1/saved-searches/{search_id}")
async def delete_saved_search(
    request: Request, search_id: SearchId, gw: GatewayDep, access: AuthorizedDep
) -> SavedSearch:
    """Delete one of the caller's saved searches: what it was (another's is a 404, as an
    unknown one)."""
    tenant, subject = _who(access)
    deleted = None
    if SEARCH_ID.match(search_id):
        deleted = await saved_store(request).delete(tenant, subject, search_id)
    if deleted is None:
        raise HTTPException(404, NO_SUCH)
    gw.audit.record(request, "saved-search.delete")
    return _view(deleted)
