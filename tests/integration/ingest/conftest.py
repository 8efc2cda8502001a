"""The ingest app in-process (its real lifespan: Kafka consumers, S3) and an event watcher.

Ingest refuses documents for matters that do not exist (the matters registry in Elasticsearch,
written by the gateway), so the matters the tests upload into are created first, through the
gateway's own store (:func:`create_matters`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from tests.support.greenmail import greenmail_running
from tests.support.wait import eventually_async

from lexstream.gateway.stores import MatterStore, StoreConflict, bootstrap_gateway_indices
from lexstream.ingest.app import create_app
from lexstream.ingest.settings import IngestSettings
from lexstream.ocr.settings import OcrSettings
from lexstream.ocr.stage import OcrStage
from lexstream.shared.events import Topics
from lexstream.shared.kafka import make_broker
from lexstream.shared.search import make_search_client
from lexstream.shared.settings import CommonSettings
from lexstream.shared.storage import ObjectStore
from lexstream.shared.telemetry import setup_telemetry

UPLOAD_LIMIT = 40 * 1024 * 1024  # above two S3 parts: multipart puts are tested
#: the service credential of the in-process ingest (the gateway sends it in deployments)
SERVICE_TOKEN = "integration-test-ingest-token-" + "x" * 16
#: the matters this package's tests upload into (made by the ``matters`` fixture)
MATTERS = (
    "M-ingest",
    "M-other",
    "M-topic",
    "M-inbox",
    "M-digest",
    "M-cache-a",
    "M-cache-b",
    "M-cache-gone",
    "M-outage",
)


async def create_matters(
    settings: CommonSettings, *matter_ids: str, tenant: str = "default", archived: bool = False
) -> None:
    """Create matters as the gateway does (an existing one is left as it is, unless it is to
    be archived)."""
    es = make_search_client(settings)
    try:
        await bootstrap_gateway_indices(es, settings)
        store = MatterStore(es, settings, cache_ttl_s=0)
        for matter_id in matter_ids:
            with contextlib.suppress(StoreConflict):
                await store.create(
                    tenant=tenant,
                    matter_id=matter_id,
                    name=f"test matter {matter_id}",
                    description=None,
                    client=None,
                    owner="tests",
                )
            if archived:
                await store.change(tenant, matter_id, lambda m: {**m, "status": "archived"})
    finally:
        await es.close()


@pytest.fixture(scope="package", autouse=True)
async def matters(stack_env: dict[str, str]) -> tuple[str, ...]:
    await create_matters(ingest_settings_for(stack_env, Path(".")), *MATTERS)
    return MATTERS


def ingest_settings_for(stack_env: dict[str, str], spool: Path, **extra: Any) -> IngestSettings:
    prefix = stack_env["LEXSTREAM_TOPIC_PREFIX"]
    values: dict[str, Any] = {
        "topic_prefix": prefix,
        "index_prefix": stack_env["LEXSTREAM_INDEX_PREFIX"],
        "originals_bucket": stack_env["LEXSTREAM_ORIGINALS_BUCKET"],
        "derived_bucket": stack_env["LEXSTREAM_DERIVED_BUCKET"],
        "retry_attempts": 3,
        "retry_max_wait_s": 1.0,
        "spool_dir": spool,
        "max_upload_bytes": UPLOAD_LIMIT,
        "inbox_buckets": [f"{prefix}-inbox"],
        "adopt_buckets": [f"{prefix}-adopt"],
        "upstream_buckets": [f"{prefix}-upstream"],
        "ingest_token": SERVICE_TOKEN,
        "kafka_partitions": 1,
    }
    values.update(extra)
    return IngestSettings(**values)


@dataclass
class Running:
    app: FastAPI
    client: httpx.AsyncClient
    settings: IngestSettings
    store: ObjectStore
    topics: Topics


@contextlib.asynccontextmanager
async def running_ingest(settings: IngestSettings) -> AsyncIterator[Running]:
    app = create_app(settings)
    token = settings.ingest_token
    headers = {"Authorization": f"Bearer {token.get_secret_value()}"} if token else {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://ingest", timeout=120, headers=headers
        ) as client:
            yield Running(
                app, client, settings, ObjectStore(settings), Topics(settings.topic_prefix)
            )


@pytest.fixture(scope="package")
async def ingest(
    stack_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Running]:
    settings = ingest_settings_for(stack_env, tmp_path_factory.mktemp("spool"))
    async with running_ingest(settings) as running:
        for bucket in (
            settings.inbox_buckets + settings.adopt_buckets + [f"{settings.topic_prefix}-upstream"]
        ):
            if not await asyncio.to_thread(running.store.client.bucket_exists, bucket):
                await asyncio.to_thread(running.store.client.make_bucket, bucket)
        yield running


@dataclass
class Seen:
    topic: str
    value: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


class EventLog:
    """Everything published on some topics since the session began, searchable by predicate."""

    def __init__(self, servers: str, topics: list[str]) -> None:
        self.consumer = AIOKafkaConsumer(
            *topics, bootstrap_servers=servers, group_id=None, auto_offset_reset="earliest"
        )
        self.seen: list[Seen] = []
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.consumer.start()
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        async for record in self.consumer:
            try:
                value = json.loads(record.value or b"null")
            except ValueError:
                value = {"_raw": (record.value or b"").decode(errors="replace")}
            headers = {k: v.decode(errors="replace") for k, v in (record.headers or [])}
            self.seen.append(Seen(record.topic, value if isinstance(value, dict) else {}, headers))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.consumer.stop()

    async def wait(
        self, topic: str, predicate: Callable[[dict[str, Any]], bool], within: float = 60
    ) -> dict[str, Any]:
        return (await self.wait_seen(topic, lambda item: predicate(item.value), within)).value

    async def wait_seen(
        self, topic: str, predicate: Callable[[Seen], bool], within: float = 60
    ) -> Seen:
        async def first() -> Seen | None:
            return next((i for i in self.seen if i.topic == topic and predicate(i)), None)

        return await eventually_async(
            first, what=f"a matching event on {topic}", timeout_s=within, interval_s=0.1
        )

    def all(self, topic: str, predicate: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
        return [i.value for i in self.seen if i.topic == topic and predicate(i.value)]


@pytest.fixture(scope="package")
async def events(ingest: Running) -> AsyncIterator[EventLog]:
    t = ingest.topics
    names = [
        t.stored,
        t.failed,
        t.ocr_requested,
        t.transcribe_requested,
        t.text_extracted,
        Topics.dlq(t.submitted),
        Topics.dlq(t.s3_events),
    ]
    log = EventLog(ingest.settings.kafka_bootstrap_servers, names)
    await log.start()
    yield log
    await log.stop()


@pytest.fixture(scope="package")
async def producer(ingest: Running) -> AsyncIterator[AIOKafkaProducer]:
    producer = AIOKafkaProducer(bootstrap_servers=ingest.settings.kafka_bootstrap_servers)
    await producer.start()
    yield producer
    await producer.stop()


# -- the real ocr handler, run in the test against this ingest's topics and buckets --------


@pytest.fixture
async def ocr_broker(ingest: Running) -> AsyncIterator[KafkaBroker]:
    settings = OcrSettings(topic_prefix=ingest.settings.topic_prefix)
    broker = make_broker(
        settings, setup_telemetry("ocr-test", None, instrument_http=False), client_id="ocr-test"
    )
    await broker.connect()
    try:
        yield broker
    finally:
        await broker.stop()


def handler_for(ingest: Running, broker: KafkaBroker, **extra: Any) -> OcrStage:
    """The ocr service's stage (one OCR worker) on this ingest's topics and buckets."""
    s = ingest.settings
    settings = OcrSettings(
        topic_prefix=s.topic_prefix,
        originals_bucket=s.originals_bucket,
        derived_bucket=s.derived_bucket,
        workers=1,
        **extra,
    )
    return OcrStage(settings, broker, ingest.store, ingest.topics)


# -- a real IMAP server (GreenMail) for the IMAP intake tests ------------------------------


@pytest.fixture(scope="package")
def greenmail() -> Iterator[int]:
    """GreenMail on loopback; stopped again only where this fixture started it."""
    with greenmail_running() as port:
        yield port
