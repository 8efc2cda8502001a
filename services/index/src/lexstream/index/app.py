"""The index service: structure extraction and Elasticsearch writes, status records."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from faststream.kafka.annotations import KafkaMessage

from lexstream.index.batch import BatchIndexStage
from lexstream.index.bootstrap import bootstrap_indices
from lexstream.index.extraction import warm_up
from lexstream.index.handlers import IndexHandler
from lexstream.index.indexer import Indexer
from lexstream.index.settings import IndexSettings
from lexstream.shared.events import (
    DocumentFailed,
    DocumentMoved,
    DocumentProgress,
    DocumentStored,
    Stage,
    TextExtracted,
    TranscriptReady,
)
from lexstream.shared.kafka import StageRunner, ensure_topics, subscriber_options
from lexstream.shared.search import make_search_client
from lexstream.shared.telemetry import Telemetry
from lexstream.shared.worker import create_worker_app, kafka_check, worker_parts


def create_app(
    settings: IndexSettings | None = None, telemetry: Telemetry | None = None
) -> FastAPI:
    settings = settings or IndexSettings()
    broker, store, topics = worker_parts(settings, "index", telemetry)
    es = make_search_client(settings)
    handler = IndexHandler(settings, es)
    runner = StageRunner(broker, topics, Stage.INDEX, settings)
    batches = BatchIndexStage(
        runner,
        Indexer(settings, es, store),
        broker,
        topics,
        concurrency=settings.prepare_concurrency,
    )
    options = subscriber_options(settings, "index")
    batch_options = {
        **options,
        "batch": True,
        "max_records": settings.batch_max_docs,
        "batch_timeout_ms": settings.batch_timeout_ms,
    }

    @broker.subscriber(topics.text_extracted, **batch_options)
    async def on_text_extracted(message: KafkaMessage) -> None:
        """Extract legal structure from documents' text and index them (one bulk per batch)."""
        await batches.run(message, TextExtracted)

    @broker.subscriber(topics.transcript_ready, **batch_options)
    async def on_transcript_ready(message: KafkaMessage) -> None:
        """Index transcripts with their timed segments (one bulk per batch)."""
        await batches.run(message, TranscriptReady)

    @broker.subscriber(topics.stored, **options)
    async def on_stored(message: KafkaMessage) -> None:
        """Record that a document's original is stored."""
        await runner.run(message, DocumentStored, handler.on_stored)

    @broker.subscriber(topics.progress, **options)
    async def on_progress(message: KafkaMessage) -> None:
        """Record a stage's progress."""
        await runner.run(message, DocumentProgress, handler.on_progress)

    @broker.subscriber(topics.failed, **options)
    async def on_failed(message: KafkaMessage) -> None:
        """Record a failure and its reason."""
        await runner.run(message, DocumentFailed, handler.on_failed)

    @broker.subscriber(topics.moved, **options)
    async def on_moved(message: KafkaMessage) -> None:
        """Move a document and its attachments to the matter the gateway moved it to."""
        await runner.run(message, DocumentMoved, handler.on_moved)

    async def es_ping() -> None:
        await es.cluster.health()

    async def bootstrap() -> None:
        await bootstrap_indices(es, settings)

    return create_worker_app(
        title="lexstream index",
        broker=broker,
        checks=lambda: {"kafka": kafka_check(broker), "s3": store.ping, "elasticsearch": es_ping},
        startup=[
            ("kafka topics", lambda: ensure_topics(settings, topics.all())),
            ("s3", store.bootstrap),
            ("elasticsearch", bootstrap),
            ("extraction tables", lambda: asyncio.to_thread(warm_up)),
        ],
        shutdown=[es.close],
    )
