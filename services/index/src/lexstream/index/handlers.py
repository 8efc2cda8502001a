"""The index subscribers: decode each message (through the stage runner, which owns the
retries and the DLQ) and hand it to its stage. Text and transcripts go, a batch at a time, to
:class:`lexstream.index.batch.BatchIndexStage`, which writes them and publishes
``documents.indexed``; status events and moves go to
:class:`lexstream.index.records.RecordStage`."""

from __future__ import annotations

from faststream.kafka import KafkaRouter
from faststream.kafka.annotations import KafkaMessage

from lexstream.index.batch import BatchIndexStage
from lexstream.index.records import RecordStage
from lexstream.index.settings import IndexSettings
from lexstream.shared.asyncapi import TopicUse
from lexstream.shared.events import (
    DocumentFailed,
    DocumentMoved,
    DocumentProgress,
    DocumentStored,
    TextExtracted,
    Topics,
    TranscriptReady,
)
from lexstream.shared.kafka import StageRunner, subscriber_options

#: the topics of this service, for the AsyncAPI document (lexstream.shared.asyncapi)
TOPICS = TopicUse(
    "index",
    receives=("text_extracted", "transcript_ready", "stored", "progress", "failed", "moved"),
    sends=("indexed", "failed"),
)


def build_router(
    settings: IndexSettings,
    topics: Topics,
    runner: StageRunner,
    batches: BatchIndexStage,
    records: RecordStage,
) -> KafkaRouter:
    router = KafkaRouter()
    options = subscriber_options(settings, "index")
    batch_options = {
        **options,
        "batch": True,
        "max_records": settings.batch_max_docs,
        "batch_timeout_ms": settings.batch_timeout_ms,
    }

    @router.subscriber(topics.text_extracted, **batch_options)
    async def on_text_extracted(message: KafkaMessage) -> None:
        """Extract legal structure from documents' text and index them (one bulk per batch)."""
        await batches.run(message, TextExtracted)

    @router.subscriber(topics.transcript_ready, **batch_options)
    async def on_transcript_ready(message: KafkaMessage) -> None:
        """Index transcripts with their timed segments (one bulk per batch)."""
        await batches.run(message, TranscriptReady)

    @router.subscriber(topics.stored, **options)
    async def on_stored(message: KafkaMessage) -> None:
        """Record that a document's original is stored."""
        await runner.run(message, DocumentStored, records.on_stored)

    @router.subscriber(topics.progress, **options)
    async def on_progress(message: KafkaMessage) -> None:
        """Record a stage's progress."""
        await runner.run(message, DocumentProgress, records.on_progress)

    @router.subscriber(topics.failed, **options)
    async def on_failed(message: KafkaMessage) -> None:
        """Record a failure and its reason."""
        await runner.run(message, DocumentFailed, records.on_failed)

    @router.subscriber(topics.moved, **options)
    async def on_moved(message: KafkaMessage) -> None:
        """Move a document and its attachments to the matter the gateway moved it to."""
        await runner.run(message, DocumentMoved, records.on_moved)

    return router
