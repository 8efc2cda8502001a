"""The index service: structure extraction and Elasticsearch writes, status records."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from lexstream.index.batch import BatchIndexStage
from lexstream.index.bootstrap import bootstrap_indices
from lexstream.index.extraction import warm_up
from lexstream.index.handlers import build_router
from lexstream.index.indexer import Indexer
from lexstream.index.records import RecordStage
from lexstream.index.settings import IndexSettings
from lexstream.shared.events import Stage
from lexstream.shared.kafka import StageRunner, ensure_topics
from lexstream.shared.opsmetrics import PipelineGauges
from lexstream.shared.search import make_search_client, status_index
from lexstream.shared.telemetry import Telemetry
from lexstream.shared.worker import create_worker_app, kafka_check, worker_parts


def create_app(
    settings: IndexSettings | None = None, telemetry: Telemetry | None = None
) -> FastAPI:
    settings = settings or IndexSettings()
    broker, store, topics = worker_parts(settings, "index", telemetry)
    es = make_search_client(settings)
    runner = StageRunner(broker, topics, Stage.INDEX, settings)
    batches = BatchIndexStage(
        runner,
        Indexer(settings, es, store),
        broker,
        topics,
        concurrency=settings.prepare_concurrency,
    )
    broker.include_router(
        build_router(settings, topics, runner, batches, RecordStage(settings, es))
    )

    # lag, DLQ depth, statuses, oldest pending document: for every stage, not only this one
    gauges = PipelineGauges(settings, es, status_index(settings))

    async def es_ping() -> None:
        await es.cluster.health()

    async def bootstrap() -> None:
        await bootstrap_indices(es, settings)

    return create_worker_app(
        title="lexstream index",
        broker=broker,
        checks=lambda: {"kafka": kafka_check(broker), "s3": store.ping, "elasticsearch": es_ping},
        startup=[
            ("kafka topics", lambda: ensure_topics(settings, topics.all())),
            ("s3", store.bootstrap),
            ("elasticsearch", bootstrap),
            ("extraction tables", lambda: asyncio.to_thread(warm_up)),
        ],
        prepare=[gauges.start],
        shutdown=[gauges.stop, es.close],
    )
