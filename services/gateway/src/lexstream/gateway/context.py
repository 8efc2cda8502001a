"""What the routes share: clients and stores, made in the app factory and its lifespan."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

import httpx
import orjson
from elasticsearch import AsyncElasticsearch, BadRequestError, NotFoundError
from fastapi import Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from faststream.kafka import KafkaBroker

from lexstream.gateway.access import Access
from lexstream.gateway.audit import AuditLog
from lexstream.gateway.limits import InFlight
from lexstream.gateway.search import QueryCaps
from lexstream.gateway.settings import GatewaySettings
from lexstream.gateway.stores import ApiKeyStore, MatterStore
from lexstream.shared.events import Event, ObjectRef, Topics
from lexstream.shared.kafka import publish_event
from lexstream.shared.storage import ObjectStore, derived_key

T = TypeVar("T")


class FastJSONResponse(JSONResponse):
    """JSON answers rendered by orjson (search answers are large)."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


class UpstreamTimeout(Exception):
    """A dependency (Elasticsearch, S3, ingest) did not answer in time (504)."""


#: how long a request waits for Kafka to take an event before it answers 503
PUBLISH_TIMEOUT_S = 10.0


@dataclass
class Gateway:
    settings: GatewaySettings
    es: AsyncElasticsearch
    store: ObjectStore
    alias: str
    statuses: str
    matters: MatterStore
    keys: ApiKeyStore
    audit: AuditLog
    ingest: httpx.AsyncClient | None = None
    broker: KafkaBroker | None = None
    in_flight: InFlight = field(default_factory=lambda: InFlight(bound=4))
    query_caps: QueryCaps = field(default_factory=QueryCaps)

    async def search(self, access: Access, body: dict[str, Any]) -> dict[str, Any]:
        """A search of the documents for this caller, within the caller's bound on searches in
        flight (429 beyond it) and Elasticsearch's own time limit (``timeout``: what was found
        by then comes back, rather than the query running on after the client gave up)."""
        p = access.principal
        with self.in_flight.slot(p.key_id or f"{p.tenant}:{p.subject}"):
            timeout = f"{round(self.settings.search_query_timeout_s * 1000)}ms"
            result = await self.es.search(index=self.alias, body={**body, "timeout": timeout})
        return dict(result)

    @property
    def topics(self) -> Topics:
        return Topics(self.settings.topic_prefix)

    async def publish(self, topic: str, event: Event) -> None:
        """Publish an event for the services that own what it changes (503 if Kafka is down)."""
        if self.broker is None:
            raise HTTPException(503, "events cannot be published now; retry later")
        try:
            await asyncio.wait_for(
                publish_event(self.broker, topic, event), timeout=PUBLISH_TIMEOUT_S
            )
        except Exception as exc:
            raise HTTPException(503, "events cannot be published now; retry later") from exc

    async def s3(self, call: Awaitable[T]) -> T:
        """An S3 call with the gateway's timeout toward S3."""
        try:
            return await asyncio.wait_for(call, timeout=self.settings.search_timeout_s)
        except TimeoutError as exc:
            raise UpstreamTimeout("object storage did not answer in time") from exc

    async def visible_record(self, access: Access, document_id: str) -> dict[str, Any]:
        """The document's status record, or its ingest record, if the caller may see it."""
        try:
            result = await self.es.search(
                index=self.statuses,
                query={
                    "bool": {"filter": [{"ids": {"values": [document_id]}}, access.es_filter()]}
                },
                size=1,
            )
            hits: list[dict[str, Any]] = result["hits"]["hits"]
        except NotFoundError:
            hits = []
        if hits:
            record: dict[str, Any] = hits[0]["_source"]
            return record
        # Not visible in the status index. Only a document without a status record (just
        # received) falls back to ingest's own record, checked by the same rule: a status
        # record, once there, is the truth (a move changes it, not ingest's record).
        if await self.es.exists(index=self.statuses, id=document_id):
            raise HTTPException(404, "no such document")
        ref = ObjectRef(bucket=self.store.derived, key=derived_key(document_id, "document.json"))
        if len(document_id) <= 64 and await self.s3(self.store.exists(ref)):
            ingest_record = await self.s3(self.store.get_json(ref))
            if access.allows(ingest_record.get("tenant"), ingest_record.get("matter_id")):
                return {**ingest_record, "status": "stored"}
        raise HTTPException(404, "no such document")

    async def search_document(
        self, access: Access, document_id: str, *, includes: list[str] | None = None
    ) -> dict[str, Any] | None:
        """The search document, if the caller may see it (only the fields ``includes`` names,
        besides what the access check reads, where it is given).

        A real-time GET (no wait for a refresh, so a document whose status already says
        ``indexed`` is found), checked with :meth:`Access.allows`; a search with the filter
        where the alias spans several indices (during a reindex).
        """
        # a statute's structure and ids are read by routes_structure alone
        excludes = ["content", "pages", "segments", "chunks", "structure", "provision_ids"]
        picked: dict[str, Any] = {"source_excludes": excludes}
        if includes is not None:
            picked = {"source_includes": [*includes, "tenant", "matter_id"]}
        try:
            found = await self.es.get(index=self.alias, id=document_id, **picked)
        except NotFoundError:
            return None
        except BadRequestError:  # the alias points at more than one index
            try:
                result = await self.es.search(
                    index=self.alias,
                    query={
                        "bool": {"filter": [{"ids": {"values": [document_id]}}, access.es_filter()]}
                    },
                    size=1,
                    **picked,
                )
            except NotFoundError:
                return None
            hits = result["hits"]["hits"]
            return {**hits[0]["_source"], "_index": hits[0]["_index"]} if hits else None
        source: dict[str, Any] = found["_source"]
        if not access.allows(source.get("tenant"), source.get("matter_id")):
            return None
        return {**source, "_index": found["_index"]}


def get_gateway(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


GatewayDep = Annotated[Gateway, Depends(get_gateway)]
