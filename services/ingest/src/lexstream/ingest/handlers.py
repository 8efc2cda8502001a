"""ingest's Kafka subscribers: decode, call the submission stage, which publishes.

The stage runner decodes each message into its model, retries transient failures and sends
permanent ones to ``<topic>.dlq`` (with a ``documents.failed`` where the message names a
document). The pipeline publishes ``documents.stored`` and ``ocr.requested`` or
``transcribe.requested`` (or ``documents.failed``) itself, keyed by document id.
"""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaRouter
from faststream.kafka.annotations import KafkaMessage
from pydantic import RootModel

from lexstream.ingest.settings import IngestSettings
from lexstream.ingest.submissions import SubmissionStage
from lexstream.shared.asyncapi import TopicUse
from lexstream.shared.events import DocumentStored, Topics
from lexstream.shared.kafka import StageRunner, subscriber_options

#: the topics of this service, for the AsyncAPI document (lexstream.shared.asyncapi)
TOPICS = TopicUse(
    "ingest",
    receives=("submitted", "s3_events", "stored"),
    sends=("stored", "ocr_requested", "transcribe_requested", "text_extracted", "failed"),
)


class JsonPayload(RootModel[Any]):
    """Any JSON: topic messages are validated by the stage, so that a readable but invalid
    submission still becomes a failed document with a reason."""


def ingest_router(
    settings: IngestSettings, runner: StageRunner, stage: SubmissionStage
) -> KafkaRouter:
    topics = Topics(settings.topic_prefix)
    options = subscriber_options(settings, "ingest")
    s3_options = {**options, "group_id": f"{settings.topic_prefix}-ingest-s3"}
    container_options = {**options, "group_id": f"{settings.topic_prefix}-ingest-containers"}
    router = KafkaRouter()

    @router.subscriber(topics.submitted, **options, title="documents.submitted")
    async def on_submitted(message: KafkaMessage) -> None:
        """Upstream systems publish documents here (by reference or inline); ocr hands back
        e-mail attachments here too (with ``parent_document_id``)."""
        await runner.run(message, JsonPayload, lambda raw: stage.submitted(raw.root))

    @router.subscriber(
        settings.s3_events_topic or topics.s3_events, **s3_options, title="storage.events"
    )
    async def on_s3_event(message: KafkaMessage) -> None:
        """Bucket notifications (MinIO's Kafka target): a drop into an inbox is a document."""
        await runner.run(message, JsonPayload, lambda raw: stage.s3_event(raw.root))

    @router.subscriber(topics.stored, **container_options, title="documents.stored (containers)")
    async def on_stored(message: KafkaMessage) -> None:
        """Expand stored containers (ZIP, tar, 7z, RAR, MBOX, PST/OST) into child documents."""
        await runner.run(message, DocumentStored, stage.stored)

    return router
