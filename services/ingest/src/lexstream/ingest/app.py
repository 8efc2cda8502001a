"""The ingest service's factory: the upload API, the upstream topic and S3 events, one pipeline.

Started like the workers (:func:`lexstream.shared.worker.create_worker_app`): topics and
buckets are waited for, then the broker consumes; readiness checks Kafka, S3 and Elasticsearch
(the matters registry), and while one is down the consumption gate pauses the three topic
consumers (the upload route answers 503). At start ingest checks that S3 honours create-only
puts (its claims depend on them across replicas) and refuses to start outside development
where it does not.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from fastapi import FastAPI
from faststream.kafka import KafkaBroker

from lexstream.ingest.containers import ZipLimits
from lexstream.ingest.handlers import ingest_router
from lexstream.ingest.imap_intake import pollers
from lexstream.ingest.pipeline import IngestPipeline
from lexstream.ingest.routes import Uploads, upload_router
from lexstream.ingest.settings import IngestSettings
from lexstream.ingest.submissions import SubmissionStage
from lexstream.shared.events import Event, Stage, Topics
from lexstream.shared.holds import HoldGuard
from lexstream.shared.kafka import StageRunner, ensure_topics, publish_event
from lexstream.shared.matters import MatterLookup, MatterRegistry
from lexstream.shared.search import make_search_client
from lexstream.shared.storage import ObjectStore
from lexstream.shared.telemetry import Telemetry
from lexstream.shared.worker import create_worker_app, kafka_check, worker_parts


def zip_limits(settings: IngestSettings) -> ZipLimits:
    return ZipLimits(
        max_depth=settings.zip_max_depth,
        max_members=settings.zip_max_members,
        max_total_bytes=settings.zip_max_total_bytes,
        max_ratio=settings.zip_max_ratio,
        ratio_min_bytes=settings.zip_ratio_min_bytes,
    )


log = logging.getLogger(__name__)


def build_ingest(
    settings: IngestSettings, broker: KafkaBroker, store: ObjectStore, matters: MatterLookup
) -> Uploads:
    """The pipeline publishing through ``broker``, with ingest's subscribers on it."""
    topics = Topics(settings.topic_prefix)

    async def publish(topic: str, event: Event) -> None:
        await publish_event(broker, topic, event)

    pipeline = IngestPipeline(
        store,
        topics,
        publish,
        matters=matters,
        limits=zip_limits(settings),
        spool_dir=settings.spool_dir,
        claim_lease_s=settings.claim_lease_s,
        # re-uploads redo failed documents under their id: never one under legal hold
        holds=HoldGuard(matters.es, store, settings)
        if isinstance(matters, MatterRegistry)
        else None,
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
    broker, store, topics = worker_parts(settings, "ingest", telemetry)
    es = make_search_client(settings)
    matters = MatterRegistry(es, settings, cache_ttl_s=settings.matter_cache_ttl_s)
    uploads = build_ingest(settings, broker, store, matters)
    io_threads = settings.io_threads

    def use_io_threads() -> None:
        # The minio client blocks, so every S3 call holds a worker thread while it waits;
        # asyncio's default pool (cores + 4 threads) capped concurrent uploads at a few S3
        # calls in flight (bench/ingest small files).
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(io_threads, thread_name_prefix="ingest-io")
        )

    async def s3_ready() -> None:
        await store.bootstrap()
        if not await store.honours_create_only(store.derived):
            if settings.environment != "development":
                raise SystemExit(
                    "the S3 server ignores If-None-Match on PutObject: several ingest replicas "
                    "could make two documents of one submission"
                )
            log.warning("S3 ignores create-only puts; run one ingest replica only")

    async def es_ping() -> None:
        await es.cluster.health()

    app = create_worker_app(
        title="lexstream ingest (internal)",
        broker=broker,
        checks=lambda: {
            "kafka": kafka_check(broker),
            "s3": store.ping,
            "elasticsearch": es_ping,
        },
        prepare=[use_io_threads],
        startup=[
            ("kafka topics", lambda: ensure_topics(settings, topics.all())),
            ("s3", s3_ready),
            ("elasticsearch", es_ping),
        ],
        shutdown=[es.close],
        routers=[upload_router()],
        background=pollers(settings, uploads.pipeline, store),
    )
    app.state.ingest = uploads
    return app
