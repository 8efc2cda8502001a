"""The transcribe subscriber: decode a ``transcribe.requested`` (through the stage runner,
which owns the retries and the DLQ), let the stage transcribe it, publish
``transcript.ready``."""

from __future__ import annotations

from faststream.kafka import KafkaRouter
from faststream.kafka.annotations import KafkaMessage

from lexstream.shared.asyncapi import TopicUse
from lexstream.shared.events import Topics, TranscribeRequested
from lexstream.shared.kafka import StageRunner, publish_event, subscriber_options
from lexstream.transcribe.settings import TranscribeSettings
from lexstream.transcribe.stage import TranscribeStage

#: the topics of this service, for the AsyncAPI document (lexstream.shared.asyncapi)
TOPICS = TopicUse(
    "transcribe",
    receives=("transcribe_requested",),
    sends=("transcript_ready", "progress", "failed"),
)


def build_router(
    settings: TranscribeSettings, topics: Topics, runner: StageRunner, stage: TranscribeStage
) -> KafkaRouter:
    router = KafkaRouter()

    async def transcribe(request: TranscribeRequested) -> None:
        await publish_event(runner.broker, topics.transcript_ready, await stage.handle(request))

    @router.subscriber(topics.transcribe_requested, **subscriber_options(settings, "transcribe"))
    async def on_transcribe_requested(message: KafkaMessage) -> None:
        """Transcribe one recording into timed segments."""
        await runner.run(message, TranscribeRequested, transcribe)

    return router
