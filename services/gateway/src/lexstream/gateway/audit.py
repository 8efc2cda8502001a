"""The audit trail: every search, view and download - who, what, when, from where.

A request only builds its entry and puts it in a bounded backlog in memory; it never waits for
Elasticsearch or Kafka. A background task drains the backlog in two stages: into the index
``<prefix>-audit`` (each entry created once under its ``event_id``, never updated), then onto
the Kafka topic ``<topic prefix>.audit.events.v1`` in batches sized to fit the producer's
batch buffer. An entry leaves a stage only once that sink has acknowledged it, so delivery is
at-least-once: after an outage every waiting entry arrives, and a retried batch can repeat an
entry (consumers count by ``event_id``). Readiness reports the backlog and the last successful
publish (:meth:`AuditLog.check`); when the backlog reaches its bound, requests are refused
(:class:`AuditBacklogFull`, 503) rather than served unaudited. No route changes or deletes an
entry.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections import deque
from collections.abc import Sequence
from datetime import UTC, datetime
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from typing import Any

from aiokafka.record.default_records import DefaultRecordBatchBuilder
from elasticsearch import AsyncElasticsearch, NotFoundError
from fastapi import Request
from faststream.kafka import KafkaBroker
from faststream.kafka.exceptions import BatchBufferOverflowException

from lexstream.gateway.settings import GatewaySettings
from lexstream.gateway.stores import audit_index, now_iso
from lexstream.shared.events import Topics
from lexstream.shared.health import NotReady
from lexstream.shared.kafka import ensure_topics
from lexstream.shared.tasks import stop_task

log = logging.getLogger(__name__)

Network = IPv4Network | IPv6Network

#: aiokafka's ``max_batch_size`` (``make_broker`` keeps the default): what one
#: ``create_batch()`` may hold. ``publish_batch`` raises BatchBufferOverflowException beyond it.
KAFKA_BATCH_BYTES = 16_384
#: the record batch format (v2): a batch's fixed header, and the most a record adds to its
#: key, value and headers (length, attributes, timestamp and offset deltas as varints)
BATCH_HEADER_BYTES = 61
RECORD_OVERHEAD_BYTES = 21
#: room per record for the headers FastStream and its telemetry middleware add (content type,
#: correlation id, trace context) on top of ours; theirs are under 200 bytes
HEADER_ALLOWANCE = 512
#: entries written to the index in one bulk request
INDEX_CHUNK = 1_000
#: longest header value kept in an entry (user agents and forwarded chains are client-made)
MAX_HEADER_CHARS = 512
AUDIT_HEADERS = {"event-type": "audit.recorded"}


def audit_topic(settings: GatewaySettings) -> str:
    """``Topics.audit``: the topic the deployment creates with unlimited retention."""
    return Topics(settings.topic_prefix).audit


class AuditBacklogFull(Exception):
    """The backlog is at its bound: the request is refused (503) rather than left unaudited."""


def record_bytes(value: bytes) -> int:
    """An upper bound of what one unkeyed record with our headers takes in a producer batch."""
    body = int(DefaultRecordBatchBuilder.size_of(None, value, []))
    return RECORD_OVERHEAD_BYTES + body + HEADER_ALLOWANCE


def split_batches(values: Sequence[bytes], limit: int = KAFKA_BATCH_BYTES) -> list[list[bytes]]:
    """The values in order, cut into runs that each fit one producer batch of ``limit`` bytes.

    aiokafka always takes the first record of a batch, so a value too big for any batch goes
    alone (the request limit, 4 MiB, is far above what an entry can hold).
    """
    batches: list[list[bytes]] = []
    current: list[bytes] = []
    size = BATCH_HEADER_BYTES
    for value in values:
        need = record_bytes(value)
        if current and size + need > limit:
            batches.append(current)
            current, size = [], BATCH_HEADER_BYTES
        current.append(value)
        size += need
    if current:
        batches.append(current)
    return batches


def _address(text: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address: IPv4Address | IPv6Address | None, proxies: Sequence[Network]) -> bool:
    return address is not None and any(address in network for network in proxies)


def client_address(
    request: Request, trusted_proxies: Sequence[Network]
) -> tuple[str | None, str | None]:
    """The client's address and the ``X-Forwarded-For`` chain it was read from, if believed.

    The header is believed only when the direct peer is a trusted proxy; then the chain is read
    from the right, past every trusted proxy, and the first other address is the client's.
    From anyone else the header is ignored: a client can write anything into it.
    """
    peer = request.client.host if request.client else None
    if peer is None or not _trusted(_address(peer), trusted_proxies):
        return peer, None
    chain = ",".join(request.headers.getlist("x-forwarded-for"))
    client = peer
    for hop in reversed([part for part in chain.split(",") if part.strip()]):
        address = _address(hop)
        if address is None:  # not an address: nothing left of it can be believed
            break
        client = str(address)
        if not _trusted(address, trusted_proxies):
            break
    return client, (chain[:MAX_HEADER_CHARS] or None)


def _error_type(item: dict[str, Any]) -> str | None:
    error = item.get("error")
    return error.get("type") if isinstance(error, dict) else None


class AuditLog:
    def __init__(
        self, es: AsyncElasticsearch, broker: KafkaBroker | None, settings: GatewaySettings
    ) -> None:
        self.es = es
        self.broker = broker
        self.settings = settings
        self.index = audit_index(settings)
        self.topic = audit_topic(settings)
        self._to_index: deque[dict[str, Any]] = deque()  # recorded, not yet in the index
        self._to_publish: deque[dict[str, Any]] = deque()  # in the index, not yet on Kafka
        self._recorded = 0  # entries recorded so far
        self._indexed = 0  # of those, how many the index has (they go in order)
        self._index_progress = time.monotonic()  # last success, or when entries began waiting
        self._publish_progress = time.monotonic()
        self.last_published_at: str | None = None
        self._kafka_ready = False
        self._wake = asyncio.Event()
        self._progress = asyncio.Condition()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    @property
    def backlog(self) -> int:
        return len(self._to_index) + len(self._to_publish)

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
        client_ip, forwarded_for = client_address(request, self.settings.trusted_proxies)
        self.enqueue(
            {
                "event_id": str(uuid.uuid4()),
                "at": now_iso(),
                **who,
                "action": action,
                "document_id": document_id,
                "matter_id": matter_id,
                "status_code": status_code,
                "client_ip": client_ip,
                "peer_ip": request.client.host if request.client else None,
                "forwarded_for": forwarded_for,
                "user_agent": (request.headers.get("user-agent") or "")[:MAX_HEADER_CHARS] or None,
                "query": query,
                "hits": hits,
            }
        )

    def enqueue(self, entry: dict[str, Any]) -> None:
        """Put an entry in the backlog; the background task delivers it."""
        if self.backlog >= self.settings.audit_max_backlog:
            raise AuditBacklogFull(f"{self.backlog} audit entries wait for delivery")
        if not self._to_index:
            self._index_progress = time.monotonic()
        self._to_index.append(entry)
        self._recorded += 1

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        await stop_task(self._task)  # cancelled again where wait_for swallowed it (3.11)
        self._task = None
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.drain(), self.settings.audit_publish_timeout_s)
        if self.backlog:
            log.error("audit entries not delivered at shutdown", extra={"count": self.backlog})

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.audit_flush_interval_s)
            self._wake.clear()
            try:
                await self.drain()
            except Exception as exc:
                log.warning(
                    "audit delivery failed; retrying",
                    extra={"error_type": type(exc).__name__, "backlog": self.backlog},
                )

    async def drain(self) -> None:
        """Deliver what waits: first into the index, then onto Kafka; raise what stopped it."""
        async with self._lock:
            failure: Exception | None = None
            try:
                while self._to_index:
                    await self._index_some()
            except Exception as exc:  # Kafka gets what the index already has
                failure = exc
            if self.broker is not None:
                while self._to_publish:
                    await self._publish_some(self.broker)
            if failure is not None:
                raise failure

    async def _index_some(self) -> None:
        batch = [self._to_index[i] for i in range(min(INDEX_CHUNK, len(self._to_index)))]
        operations: list[dict[str, Any]] = []
        for entry in batch:
            operations += [{"create": {"_index": self.index, "_id": entry["event_id"]}}, entry]
        result = await self.es.bulk(operations=operations)
        done = 0
        for item in result["items"]:
            status = item["create"]["status"]
            if status in (429,) or status >= 500:
                break  # it and the entries after it wait for the next round, in order
            if status >= 300 and status != 409:  # 409: already there from an earlier try
                log.error(
                    "audit entry refused by the index",
                    extra={"status": status, "error_type": _error_type(item["create"])},
                )
            done += 1
        if done and not self._to_publish:
            self._publish_progress = time.monotonic()
        for _ in range(done):
            self._to_publish.append(self._to_index.popleft())
        if done:
            async with self._progress:
                self._indexed += done
                self._index_progress = time.monotonic()
                self._progress.notify_all()
        if done < len(batch):
            raise RuntimeError(f"the index took {done} of {len(batch)} audit entries")

    async def _publish_some(self, broker: KafkaBroker) -> None:
        if not self._kafka_ready:  # Kafka was away when the gateway started
            await asyncio.wait_for(self._connect(broker), self.settings.audit_publish_timeout_s)
        entries = [self._to_publish[i] for i in range(min(INDEX_CHUNK, len(self._to_publish)))]
        values = [json.dumps(entry).encode() for entry in entries]
        for batch in split_batches(values):
            await self._publish_batch(broker, batch)
            for _ in batch:
                self._to_publish.popleft()
            self._publish_progress = time.monotonic()
            self.last_published_at = datetime.now(UTC).isoformat()

    async def _connect(self, broker: KafkaBroker) -> None:
        await ensure_topics(self.settings, [self.topic])
        await broker.connect()
        self._kafka_ready = True

    async def _publish_batch(self, broker: KafkaBroker, batch: list[bytes]) -> None:
        try:
            await asyncio.wait_for(
                broker.publish_batch(*batch, topic=self.topic, headers=AUDIT_HEADERS),
                self.settings.audit_publish_timeout_s,
            )
        except BatchBufferOverflowException:
            # our estimate was short (headers grew?): halves always fit, one record always does
            if len(batch) == 1:
                raise
            log.warning("audit batch over the producer's buffer; splitting it")
            middle = len(batch) // 2
            await self._publish_batch(broker, batch[:middle])
            await self._publish_batch(broker, batch[middle:])

    def problems(self) -> list[str]:
        """Why the audit trail is not keeping up (empty when it is)."""
        now = time.monotonic()
        limit = self.settings.audit_ready_max_delay_s
        found = []
        if self.backlog > self.settings.audit_ready_max_backlog:
            found.append(f"backlog {self.backlog} > {self.settings.audit_ready_max_backlog}")
        if self._to_index and now - self._index_progress > limit:
            found.append(
                f"{len(self._to_index)} entries not indexed for {now - self._index_progress:.0f} s"
            )
        if self._to_publish and now - self._publish_progress > limit:
            found.append(
                f"{len(self._to_publish)} entries not published for "
                f"{now - self._publish_progress:.0f} s (last publish {self.last_published_at})"
            )
        return found

    async def check(self) -> None:
        """The readiness check: not ready while entries pile up or stop moving."""
        problems = self.problems()
        if problems:
            raise NotReady(f"audit backlog {self.backlog}: " + "; ".join(problems))

    def status(self) -> dict[str, Any]:
        return {
            "backlog": self.backlog,
            "to_index": len(self._to_index),
            "to_publish": len(self._to_publish),
            "last_published_at": self.last_published_at,
        }

    async def _indexed_up_to(self, count: int) -> None:
        self._wake.set()
        async with self._progress:
            await self._progress.wait_for(lambda: self._indexed >= count)

    async def query(
        self,
        tenant: str,
        *,
        subject: str | None,
        action: str | None,
        document_id: str | None,
        size: int,
    ) -> list[dict[str, Any]]:
        """The tenant's entries, newest first; waits a moment for entries just recorded (the
        background task writes them), never writes them itself."""
        recorded = self._recorded
        if self._indexed < recorded:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._indexed_up_to(recorded), self.settings.audit_read_wait_s
                )
        filters: list[dict[str, Any]] = [{"term": {"tenant": tenant}}]
        for name, value in (("subject", subject), ("action", action), ("document_id", document_id)):
            if value:
                filters.append({"term": {name: value}})
        try:
            await self.es.indices.refresh(index=self.index)
            result = await self.es.search(
                index=self.index,
                query={"bool": {"filter": filters}},
                sort=[{"at": "desc"}],
                size=size,
            )
        except NotFoundError:
            return []
        return [hit["_source"] for hit in result["hits"]["hits"]]
