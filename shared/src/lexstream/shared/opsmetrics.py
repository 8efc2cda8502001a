"""The gauges an operator pages on, measured where the truth is rather than in one handler.

- :class:`ReadinessGauge` (every service): ``lexstream.service.ready``, 1 while the service's
  own readiness checks pass, 0 otherwise.
- :class:`PipelineGauges` (run by the index service, which owns the status records): consumer
  lag per group, topic and partition, topic offsets and DLQ depth read from Kafka's admin API
  (so a stopped worker's lag is still reported), documents in each status and the age of the
  oldest document not yet terminal read from the status index.

Names follow OpenTelemetry's: the Kafka ones are those of the Collector's ``kafkametrics``
receiver (``kafka.consumer_group.lag`` with ``group``, ``topic``, ``partition``), so the compose
installation's Collector and this module feed the same dashboards. Attributes are bounded:
topics, groups, partitions (``kafka_partitions``), statuses; never a document or matter id.
Observable gauges read the last snapshot; a collection that fails drops its part of the
snapshot (no series rather than a stale value) and counts ``lexstream.ops.collection.errors``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from opentelemetry import metrics
from opentelemetry.metrics import CallbackOptions, Observation

from lexstream.shared.events import DocumentStatus
from lexstream.shared.health import Check, run_checks
from lexstream.shared.settings import CommonSettings
from lexstream.shared.tasks import stop_task

log = logging.getLogger(__name__)

#: the upload-to-searchable histogram (its buckets: telemetry.SEARCHABLE_BUCKETS_S)
SEARCHABLE_METRIC = "lexstream.pipeline.searchable.duration"

TERMINAL = (DocumentStatus.INDEXED.value, DocumentStatus.FAILED.value)


class _Loop:
    """A background task that calls ``collect`` every ``interval_s`` until stopped."""

    def __init__(self, name: str, interval_s: float) -> None:
        self.name = name
        self.interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    async def collect(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    async def _run(self) -> None:
        while True:
            try:
                await self.collect()
            except asyncio.CancelledError:
                raise
            except Exception:  # a gauge must never take its service down
                log.exception("metrics collection failed", extra={"collector": self.name})
            await asyncio.sleep(self.interval_s)

    def start(self) -> None:
        """Start the loop (call inside the running event loop, e.g. a lifespan's prepare)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"metrics-{self.name}")

    async def stop(self) -> None:
        await stop_task(self._task)  # a check's wait_for can swallow one cancellation (3.11)
        self._task = None


class ReadinessGauge(_Loop):
    """``lexstream.service.ready``: the service's readiness checks, run every ``interval_s``."""

    def __init__(self, checks: Callable[[], Mapping[str, Check]], interval_s: float = 5.0) -> None:
        super().__init__("readiness", interval_s)
        self.checks = checks
        self.ready: int | None = None
        metrics.get_meter("lexstream.ops").create_observable_gauge(
            "lexstream.service.ready",
            callbacks=[self._observe],
            description="1 while the service's readiness checks pass, 0 while one fails",
        )

    async def collect(self) -> None:
        results = await run_checks(self.checks())
        self.ready = int(bool(results) and all(v == "ok" for v in results.values()))

    def _observe(self, _options: CallbackOptions) -> Iterable[Observation]:
        if self.ready is not None:
            yield Observation(self.ready)


@dataclass
class KafkaSnapshot:
    """Offsets of one prefix's topics and the lag of its consumer groups."""

    #: (group, topic, partition) -> messages not yet committed by the group
    lag: dict[tuple[str, str, int], int] = field(default_factory=dict)
    #: group -> members
    members: dict[str, int] = field(default_factory=dict)
    #: (topic, partition) -> (oldest offset, next offset)
    offsets: dict[tuple[str, int], tuple[int, int]] = field(default_factory=dict)

    def dlq_depth(self) -> dict[str, int]:
        depth: dict[str, int] = {}
        for (topic, _partition), (oldest, current) in self.offsets.items():
            if topic.endswith(".dlq"):
                depth[topic] = depth.get(topic, 0) + max(current - oldest, 0)
        return depth


def group_lag(
    committed: Mapping[tuple[str, int], int],
    offsets: Mapping[tuple[str, int], tuple[int, int]],
) -> dict[tuple[str, int], int]:
    """Lag per partition of every topic the group has committed on: a partition it never
    committed on counts from its oldest offset (the subscribers start at ``earliest``)."""
    topics = {topic for topic, _ in committed}
    lag: dict[tuple[str, int], int] = {}
    for (topic, partition), (oldest, current) in offsets.items():
        if topic not in topics:
            continue
        position = committed.get((topic, partition), -1)
        position = oldest if position < 0 else max(position, oldest)
        lag[(topic, partition)] = max(current - position, 0)
    return lag


def members_of(descriptions: Iterable[Any]) -> dict[str, int]:
    """Members per group from aiokafka's raw DescribeGroups responses."""
    members: dict[str, int] = {}
    for response in descriptions:
        for group in getattr(response, "groups", ()):
            # (error_code, group_id, state, protocol_type, protocol, members, ...)
            members[str(group[1])] = len(group[5])
    return members


async def read_kafka(settings: CommonSettings) -> KafkaSnapshot:
    from aiokafka import AIOKafkaConsumer, TopicPartition
    from aiokafka.admin import AIOKafkaAdminClient

    from lexstream.shared.transport import kafka_client_options

    prefix = settings.topic_prefix
    admin = AIOKafkaAdminClient(**kafka_client_options(settings))
    consumer = AIOKafkaConsumer(**kafka_client_options(settings), enable_auto_commit=False)
    await admin.start()
    await consumer.start()
    try:
        topics = sorted(t for t in await admin.list_topics() if t.startswith(f"{prefix}."))
        partitions = [
            TopicPartition(t["topic"], p["partition"])
            for t in await admin.describe_topics(topics)
            if not t.get("error_code")
            for p in t["partitions"]
        ]
        snapshot = KafkaSnapshot()
        if partitions:
            oldest = await consumer.beginning_offsets(partitions)
            current = await consumer.end_offsets(partitions)
            snapshot.offsets = {
                (tp.topic, tp.partition): (oldest[tp], current[tp]) for tp in partitions
            }
        groups = sorted(
            str(g[0])
            for g in await admin.list_consumer_groups()
            if str(g[0]).startswith(f"{prefix}-")
        )
        for group in groups:
            committed = {
                (tp.topic, tp.partition): meta.offset
                for tp, meta in (await admin.list_consumer_group_offsets(group)).items()
                if tp.topic.startswith(f"{prefix}.")
            }
            for (topic, partition), lag in group_lag(committed, snapshot.offsets).items():
                snapshot.lag[(group, topic, partition)] = lag
        if groups:
            # aiokafka 0.14 cannot decode Kafka 4.1's DescribeGroups answer for a group with
            # members (the connection drops): members are then left out, the lag kept
            with contextlib.suppress(Exception):
                snapshot.members = members_of(await admin.describe_consumer_groups(groups))
        return snapshot
    finally:
        await consumer.stop()
        await admin.close()


@dataclass
class StatusSnapshot:
    counts: dict[str, int]
    #: seconds since the oldest non-terminal document was received (0: none is pending)
    oldest_pending_age_s: float


def uuid7_seconds(document_id: str) -> float | None:
    """The creation time a UUIDv7 carries (its first 48 bits, milliseconds since the epoch)."""
    try:
        value = uuid.UUID(document_id)
    except ValueError:
        return None
    if value.version != 7:
        return None
    return (value.int >> 80) / 1000.0


async def read_statuses(es: Any, index: str, now: float | None = None) -> StatusSnapshot:
    """Documents per status and the oldest pending one, from the status records."""
    response = await es.search(
        index=index,
        size=1,
        track_total_hits=False,
        query={"bool": {"must_not": [{"terms": {"status": list(TERMINAL)}}]}},
        sort=[{"document_id": "asc"}],
        source_includes=["document_id"],
    )
    counts = {status.value: 0 for status in DocumentStatus}
    totals = await es.search(
        index=index,
        size=0,
        track_total_hits=False,
        aggs={"status": {"terms": {"field": "status", "size": 20}}},
    )
    for bucket in totals["aggregations"]["status"]["buckets"]:
        counts[str(bucket["key"])] = int(bucket["doc_count"])
    age = 0.0
    hits = response["hits"]["hits"]
    if hits:
        received = uuid7_seconds(str(hits[0]["_source"].get("document_id", "")))
        if received is not None:
            age = max((now if now is not None else time.time()) - received, 0.0)
    return StatusSnapshot(counts=counts, oldest_pending_age_s=age)


class PipelineGauges(_Loop):
    """Lag, offsets, DLQ depth, statuses and the oldest pending document of one prefix."""

    def __init__(
        self,
        settings: CommonSettings,
        es: Any,
        status_index: str,
        interval_s: float = 10.0,
    ) -> None:
        super().__init__("pipeline", interval_s)
        self.settings = settings
        self.es = es
        self.status_index = status_index
        self.kafka: KafkaSnapshot | None = None
        self.statuses: StatusSnapshot | None = None
        meter = metrics.get_meter("lexstream.ops")
        self._errors = meter.create_counter(
            "lexstream.ops.collection.errors",
            description="collections of the operator gauges that failed, by source",
        )
        gauges: list[tuple[str, Callable[[CallbackOptions], Iterable[Observation]], str, str]] = [
            ("kafka.consumer_group.lag", self._lag, "{message}", "messages not yet committed"),
            ("kafka.consumer_group.members", self._members, "{member}", "consumers per group"),
            ("kafka.partition.current_offset", self._current, "{message}", "next offset"),
            ("kafka.partition.oldest_offset", self._oldest, "{message}", "oldest offset kept"),
            ("lexstream.dlq.depth", self._dlq, "{message}", "messages waiting in a DLQ"),
            ("lexstream.pipeline.documents", self._documents, "{document}", "per status"),
            (
                "lexstream.pipeline.oldest_pending.age",
                self._oldest_pending,
                "s",
                "age of the oldest document neither indexed nor failed",
            ),
        ]
        self._searchable = meter.create_histogram(
            SEARCHABLE_METRIC,
            unit="s",
            description="from a document's reception (its UUIDv7) to its status record indexed",
        )
        self._indexed_since: str | None = None
        for name, callback, unit, description in gauges:
            meter.create_observable_gauge(
                name, callbacks=[callback], unit=unit, description=description
            )

    async def collect(self) -> None:
        try:
            self.kafka = await read_kafka(self.settings)
        except Exception as exc:
            self.kafka = None
            self._errors.add(1, {"source": "kafka"})
            log.warning("kafka gauges not collected", extra={"error_type": type(exc).__name__})
        try:
            self.statuses = await read_statuses(self.es, self.status_index)
            await self._record_searchable()
        except Exception as exc:
            self.statuses = None
            self._errors.add(1, {"source": "elasticsearch"})
            log.warning("status gauges not collected", extra={"error_type": type(exc).__name__})

    async def _record_searchable(self) -> None:
        """Upload-to-searchable time of the documents indexed since the last collection (the
        first collection only sets the mark: documents indexed before this process started
        were measured by the one before it)."""
        if self._indexed_since is None:
            self._indexed_since = datetime.now(UTC).isoformat()
            return
        response = await self.es.search(
            index=self.status_index,
            size=1000,
            track_total_hits=False,
            query={
                "bool": {
                    "filter": [
                        {"term": {"status": DocumentStatus.INDEXED.value}},
                        {"range": {"updated_at": {"gt": self._indexed_since}}},
                    ]
                }
            },
            sort=[{"updated_at": "asc"}],
            source_includes=["document_id", "updated_at"],
        )
        for hit in response["hits"]["hits"]:
            source = hit["_source"]
            received = uuid7_seconds(str(source.get("document_id", "")))
            updated = str(source.get("updated_at", ""))
            if received is None or not updated:
                continue
            indexed = datetime.fromisoformat(updated.replace("Z", "+00:00")).timestamp()
            self._searchable.record(max(indexed - received, 0.0))
            self._indexed_since = updated

    def _lag(self, _options: CallbackOptions) -> Iterable[Observation]:
        if self.kafka is not None:
            for (group, topic, partition), lag in self.kafka.lag.items():
                yield Observation(lag, {"group": group, "topic": topic, "partition": partition})

    def _members(self, _options: CallbackOptions) -> Iterable[Observation]:
        if self.kafka is not None:
            for group, count in self.kafka.members.items():
                yield Observation(count, {"group": group})

    def _current(self, _options: CallbackOptions) -> Iterable[Observation]:
        if self.kafka is not None:
            for (topic, partition), (_oldest, current) in self.kafka.offsets.items():
                yield Observation(current, {"topic": topic, "partition": partition})

    def _oldest(self, _options: CallbackOptions) -> Iterable[Observation]:
        if self.kafka is not None:
            for (topic, partition), (oldest, _current) in self.kafka.offsets.items():
                yield Observation(oldest, {"topic": topic, "partition": partition})

    def _dlq(self, _options: CallbackOptions) -> Iterable[Observation]:
        if self.kafka is not None:
            for topic, depth in self.kafka.dlq_depth().items():
                yield Observation(depth, {"topic": topic})

    def _documents(self, _options: CallbackOptions) -> Iterable[Observation]:
        if self.statuses is not None:
            for status, count in self.statuses.counts.items():
                yield Observation(count, {"status": status})

    def _oldest_pending(self, _options: CallbackOptions) -> Iterable[Observation]:
        if self.statuses is not None:
            yield Observation(self.statuses.oldest_pending_age_s)


def value_gauge(
    name: str, read: Callable[[], float | None], *, unit: str, description: str
) -> None:
    """An observable gauge of one value that ``read`` returns at each export (None: no point)."""

    def observe(_options: CallbackOptions) -> Iterable[Observation]:
        value = read()
        if value is not None:
            yield Observation(value)

    metrics.get_meter("lexstream.ops").create_observable_gauge(
        name, callbacks=[observe], unit=unit, description=description
    )
