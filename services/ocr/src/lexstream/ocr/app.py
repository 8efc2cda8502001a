"""The ocr service: ``ocr.requested`` in, ``text.extracted`` out."""

from __future__ import annotations

from fastapi import FastAPI

from lexstream.ocr.handlers import build_router
from lexstream.ocr.settings import OcrSettings
from lexstream.ocr.stage import OcrStage
from lexstream.shared.events import Stage
from lexstream.shared.kafka import StageRunner, ensure_topics
from lexstream.shared.telemetry import Telemetry
from lexstream.shared.worker import create_worker_app, kafka_check, worker_parts


def create_app(settings: OcrSettings | None = None, telemetry: Telemetry | None = None) -> FastAPI:
    settings = settings or OcrSettings()
    broker, store, topics = worker_parts(settings, "ocr", telemetry)
    stage = OcrStage(settings, broker, store, topics)
    runner = StageRunner(broker, topics, Stage.OCR, settings)
    broker.include_router(build_router(settings, topics, runner, stage))
    return create_worker_app(
        title="lexstream ocr",
        broker=broker,
        checks=lambda: {"kafka": kafka_check(broker), "s3": store.ping},
        startup=[
            ("kafka topics", lambda: ensure_topics(settings, topics.all())),
            ("s3", store.bootstrap),
            ("ocr workers", stage.start),
        ],
        shutdown=[stage.stop],
    )
