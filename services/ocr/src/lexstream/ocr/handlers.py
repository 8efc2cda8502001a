"""The ocr subscriber: decode an ``ocr.requested`` (through the stage runner, which owns the
retries and the DLQ), let the stage recover the text, publish ``text.extracted``."""

from __future__ import annotations

from faststream.kafka import KafkaRouter
from faststream.kafka.annotations import KafkaMessage

from lexstream.ocr.settings import OcrSettings
from lexstream.ocr.stage import OcrStage
from lexstream.shared.asyncapi import TopicUse
from lexstream.shared.events import OcrRequested, Topics
from lexstream.shared.kafka import StageRunner, publish_event, subscriber_options

#: the topics of this service, for the AsyncAPI document (lexstream.shared.asyncapi);
#: attachments go back to ingest as submissions, progress and failures to the index
TOPICS = TopicUse(
    "ocr",
    receives=("ocr_requested",),
    sends=("text_extracted", "submitted", "progress", "failed"),
)


def build_router(
    settings: OcrSettings, topics: Topics, runner: StageRunner, stage: OcrStage
) -> KafkaRouter:
    router = KafkaRouter()

    async def recover(request: OcrRequested) -> None:
        await publish_event(runner.broker, topics.text_extracted, await stage.handle(request))

    @router.subscriber(topics.ocr_requested, **subscriber_options(settings, "ocr"))
    async def on_ocr_requested(message: KafkaMessage) -> None:
        """Recover the text of one document, page by page."""
        await runner.run(message, OcrRequested, recover)

    return router
