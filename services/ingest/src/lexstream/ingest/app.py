"""The ingest service's factory: the upload API, the upstream topic and S3 events, one pipeline.

Started like the workers (:func:`lexstream.shared.worker.create_worker_app`): topics and
buckets are waited for, then the broker consumes; readiness checks Kafka and S3, and while S3
is down the consumption gate pauses the three topic consumers (the upload route answers 503).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from fastapi import FastAPI
from faststream.kafka import KafkaBroker

from lexstream.ingest.containers import ZipLimits
from lexstream.ingest.handlers import ingest_router
from lexstream.ingest.pipeline import IngestPipeline
from lexstream.ingest.routes import Uploads, upload_router
from lexstream.ingest.settings import IngestSettings
from lexstream.ingest.submissions import SubmissionStage
from lexstream.shared.events import Event, Stage, Topics
from lexstream.shared.kafka import StageRunner, ensure_topics, make_broker, publish_event
from lexstream.shared.logs import setup_logging
from lexstream.shared.storage import ObjectStore
from lexstream.shared.telemetry import Telemetry, setup_telemetry
from lexstream.shared.worker import create_worker_app, kafka_check


def zip_limits(settings: IngestSettings) -> ZipLimits:
    return ZipLimits(
        max_depth=settings.zip_max_depth,
        max_members=settings.zip_max_members,
        max_total_bytes=settings.zip_max_total_bytes,
        max_ratio=settings.zip_max_ratio,
        ratio_min_bytes=settings.zip_ratio_min_bytes,
    )


def build_ingest(settings: IngestSettings, broker: KafkaBroker, store: ObjectStore) -> Uploads:
    """The pipeline publishing through ``broker``, with ingest's subscribers on it."""
    topics = Topics(settings.topic_prefix)

    async def publish(topic: str, event: Event) -> None:
        await publish_event(broker, topic, event)

    pipeline = IngestPipeline(
        store, topics, publish, limits=zip_limits(settings), spool_dir=settings.spool_dir
    )
    runner = StageRunner(broker, topics, Stage.INGEST, settings)
    broker.include_router(
        ingest_router(settings, runner, SubmissionStage(settings, store, pipeline))
    )
    return Uploads(settings, store, pipeline)


def create_app(
    settings: IngestSettings | None = None, telemetry: Telemetry | None = None
) -> FastAPI:
    settings = settings or IngestSettings()
    setup_logging("ingest", settings.log_level)
    telemetry = telemetry or setup_telemetry("lexstream-ingest", settings.otlp_endpoint)
    broker = make_broker(settings, telemetry, client_id="ingest")
    store = ObjectStore(settings)
    uploads = build_ingest(settings, broker, store)
    topics = Topics(settings.topic_prefix)
    io_threads = settings.io_threads

    def use_io_threads() -> None:
        # The minio client blocks, so every S3 call holds a worker thread while it waits;
        # asyncio's default pool (cores + 4 threads) capped concurrent uploads at a few S3
        # calls in flight (bench/ingest small files).
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(io_threads, thread_name_prefix="ingest-io")
        )

    app = create_worker_app(
        title="lexstream ingest (internal)",
        broker=broker,
        checks=lambda: {"kafka": kafka_check(broker), "s3": store.ping},
        prepare=[use_io_threads],
        startup=[
            ("kafka topics", lambda: ensure_topics(settings, topics.all())),
            ("s3", store.bootstrap),
        ],
        routers=[upload_router()],
    )
    app.state.ingest = uploads
    return app
