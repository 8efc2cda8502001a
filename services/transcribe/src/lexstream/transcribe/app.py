"""The transcribe service: ``transcribe.requested`` in, ``transcript.ready`` out."""

from __future__ import annotations

from fastapi import FastAPI

from lexstream.shared.events import Stage, Topics
from lexstream.shared.kafka import StageRunner, ensure_topics, make_broker
from lexstream.shared.logs import setup_logging
from lexstream.shared.storage import ObjectStore
from lexstream.shared.telemetry import Telemetry, setup_telemetry
from lexstream.shared.worker import create_worker_app, kafka_check
from lexstream.transcribe.engine import Transcriber
from lexstream.transcribe.handlers import build_router
from lexstream.transcribe.settings import TranscribeSettings
from lexstream.transcribe.stage import TranscribeStage


def create_app(
    settings: TranscribeSettings | None = None, telemetry: Telemetry | None = None
) -> FastAPI:
    settings = settings or TranscribeSettings()
    setup_logging("transcribe", settings.log_level)
    telemetry = telemetry or setup_telemetry("lexstream-transcribe", settings.otlp_endpoint)
    broker = make_broker(settings, telemetry, client_id="transcribe")
    store = ObjectStore(settings)
    topics = Topics(settings.topic_prefix)
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
