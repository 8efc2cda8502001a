"""The transcribe service: ``transcribe.requested`` in, ``transcript.ready`` out."""

from __future__ import annotations

from fastapi import FastAPI

from lexstream.shared.events import Stage
from lexstream.shared.kafka import StageRunner, ensure_topics
from lexstream.shared.telemetry import Telemetry
from lexstream.shared.worker import create_worker_app, kafka_check, worker_parts
from lexstream.transcribe.engine import Transcriber
from lexstream.transcribe.handlers import build_router
from lexstream.transcribe.settings import TranscribeSettings
from lexstream.transcribe.stage import TranscribeStage


def create_app(
    settings: TranscribeSettings | None = None, telemetry: Telemetry | None = None
) -> FastAPI:
    settings = settings or TranscribeSettings()
    broker, store, topics = worker_parts(settings, "transcribe", telemetry)
    # One model per process, loaded once and reused for every recording.
    transcriber = Transcriber(
        model=settings.model,
        device=settings.device,
        compute_type=settings.compute_type,
        batch_size=settings.batch_size,
        cpu_threads=settings.cpu_threads,
        cache_dir=settings.model_cache_dir,
    )
    stage = TranscribeStage(settings, broker, store, topics, transcriber)
    runner = StageRunner(broker, topics, Stage.TRANSCRIBE, settings)
    broker.include_router(build_router(settings, topics, runner, stage))
    return create_worker_app(
        title="lexstream transcribe",
        broker=broker,
        checks=lambda: {"kafka": kafka_check(broker), "s3": store.ping},
        startup=[
            ("kafka topics", lambda: ensure_topics(settings, topics.all())),
            ("s3", store.bootstrap),
        ],
    )
