"""The ocr service: ``ocr.requested`` in, ``text.extracted`` out."""

from __future__ import annotations

from fastapi import FastAPI
from faststream.kafka.annotations import KafkaMessage

from lexstream.ocr.handlers import OcrHandler
from lexstream.ocr.settings import OcrSettings
from lexstream.shared.events import OcrRequested, Stage, Topics
from lexstream.shared.kafka import StageRunner, ensure_topics, make_broker, subscriber_options
from lexstream.shared.logs import setup_logging
from lexstream.shared.storage import ObjectStore
from lexstream.shared.telemetry import Telemetry, setup_telemetry
from lexstream.shared.worker import create_worker_app, kafka_check


def create_app(settings: OcrSettings | None = None, telemetry: Telemetry | None = None) -> FastAPI:
    settings = settings or OcrSettings()
    setup_logging("ocr", settings.log_level)
    telemetry = telemetry or setup_telemetry("lexstream-ocr", settings.otlp_endpoint)
    broker = make_broker(settings, telemetry, client_id="ocr")
    store = ObjectStore(settings)
    topics = Topics(settings.topic_prefix)
    handler = OcrHandler(settings, broker, store, topics)
    runner = StageRunner(broker, topics, Stage.OCR, settings)

    @broker.subscriber(topics.ocr_requested, **subscriber_options(settings, "ocr"))
    async def on_ocr_requested(message: KafkaMessage) -> None:
        """Recover the text of one document, page by page."""
        await runner.run(message, OcrRequested, handler.handle)

    return create_worker_app(
        title="lexstream ocr",
        broker=broker,
        checks=lambda: {"kafka": kafka_check(broker), "s3": store.ping},
        startup=[
            ("kafka topics", lambda: ensure_topics(settings, topics.all())),
            ("s3", store.bootstrap),
            ("ocr workers", handler.start),
        ],
        shutdown=[handler.stop],
    )
