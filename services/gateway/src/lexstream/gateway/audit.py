"""The audit trail: every search, view and download - who, what, when, from where.

Entries are queued on the request path and written off it, in batches, to the index
``<prefix>-audit`` (created once per entry id, never updated) and to the Kafka topic
``<topic prefix>.audit.recorded.v1``. No route changes or deletes an entry.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections import deque
from typing import Any

from elasticsearch import AsyncElasticsearch
from elasticsearch.helpers import async_bulk
from fastapi import Request
from faststream.kafka import KafkaBroker

from lexstream.gateway.settings import GatewaySettings
from lexstream.gateway.stores import audit_index, now_iso

log = logging.getLogger(__name__)

MAX_PENDING = 100_000


def audit_topic(settings: GatewaySettings) -> str:
    return f"{settings.topic_prefix}.audit.recorded.v1"


class AuditLog:
    def __init__(
        self, es: AsyncElasticsearch, broker: KafkaBroker | None, settings: GatewaySettings
    ) -> None:
        self.es = es
        self.broker = broker
        self.settings = settings
        self.index = audit_index(settings)
        self.topic = audit_topic(settings)
        self.pending: deque[dict[str, Any]] = deque(maxlen=MAX_PENDING)
        self.unpublished: deque[dict[str, Any]] = deque(maxlen=MAX_PENDING)
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    def record(
        self,
        request: Request,
        action: str,
        *,
        status_code: int = 200,
        document_id: str | None = None,
        matter_id: str | None = None,
        query: dict[str, Any] | None = None,
        hits: int | None = None,
    ) -> None:
        access = getattr(request.state, "access", None)
        who = access.audit_fields() if access is not None else {}
        forwarded = request.headers.get("x-forwarded-for")
        self.pending.append(
            {
                "event_id": str(uuid.uuid4()),
                "at": now_iso(),
                **who,
                "action": action,
                "document_id": document_id,
                "matter_id": matter_id,
                "status_code": status_code,
                "client_ip": request.client.host if request.client else None,
                "forwarded_for": forwarded,
                "user_agent": request.headers.get("user-agent"),
                "query": query,
                "hits": hits,
            }
        )

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        with contextlib.suppress(Exception):
            await self.flush()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.settings.audit_flush_interval_s)
            try:
                await self.flush()
            except Exception as exc:
                log.warning(
                    "audit flush failed; retrying", extra={"error_type": type(exc).__name__}
                )

    async def flush(self) -> None:
        async with self._lock:
            batch = list(self.pending)
            self.pending.clear()
            if batch:
                try:
                    await async_bulk(
                        self.es,
                        (
                            {
                                "_op_type": "create",
                                "_index": self.index,
                                "_id": e["event_id"],
                                "_source": e,
                            }
                            for e in batch
                        ),
                        raise_on_error=False,
                    )
                except Exception:
                    self.pending.extendleft(reversed(batch))
                    raise
                self.unpublished.extend(batch)
            if self.broker is not None and self.unpublished:
                pending = list(self.unpublished)
                for start in range(0, len(pending), 500):
                    chunk = pending[start : start + 500]
                    await self.broker.publish_batch(
                        *(json.dumps(e).encode() for e in chunk),
                        topic=self.topic,
                        headers={"event-type": "audit.recorded"},
                    )
                    for _ in chunk:
                        self.unpublished.popleft()

    async def query(
        self,
        tenant: str,
        *,
        subject: str | None,
        action: str | None,
        document_id: str | None,
        size: int,
    ) -> list[dict[str, Any]]:
        await self.flush()
        await self.es.indices.refresh(index=self.index)
        filters: list[dict[str, Any]] = [{"term": {"tenant": tenant}}]
        for name, value in (("subject", subject), ("action", action), ("document_id", document_id)):
            if value:
                filters.append({"term": {name: value}})
        result = await self.es.search(
            index=self.index,
            query={"bool": {"filter": filters}},
            sort=[{"at": "desc"}],
            size=size,
        )
        return [hit["_source"] for hit in result["hits"]["hits"]]
