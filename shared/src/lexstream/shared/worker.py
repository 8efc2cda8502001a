"""A worker process: a FastStream broker plus the HTTP health routes probes call."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, NamedTuple

import uvicorn
from fastapi import APIRouter, FastAPI
from faststream.kafka import KafkaBroker

from lexstream.shared.clientguard import header_timeout_protocol
from lexstream.shared.events import Topics
from lexstream.shared.health import Check, health_router, run_checks
from lexstream.shared.kafka import make_broker
from lexstream.shared.logs import setup_logging
from lexstream.shared.opsmetrics import ReadinessGauge
from lexstream.shared.runtime import wait_for
from lexstream.shared.settings import CommonSettings
from lexstream.shared.storage import ObjectStore
from lexstream.shared.tasks import stop_task, stop_tasks
from lexstream.shared.telemetry import Telemetry, setup_telemetry

log = logging.getLogger(__name__)


class WorkerParts(NamedTuple):
    """What a service's factory wires its stages and subscribers to."""

    broker: KafkaBroker
    store: ObjectStore
    topics: Topics


def worker_parts(
    settings: CommonSettings, service: str, telemetry: Telemetry | None = None
) -> WorkerParts:
    """Logging and telemetry set up for ``service`` (``telemetry`` where a test brings its
    own), then its broker (client id ``service``), object store and topic names."""
    setup_logging(service, settings.log_level)
    telemetry = telemetry or setup_telemetry(f"lexstream-{service}", settings.otlp_endpoint)
    broker = make_broker(settings, telemetry, client_id=service)
    return WorkerParts(broker, ObjectStore(settings), Topics(settings.topic_prefix))


def kafka_check(broker: KafkaBroker) -> Check:
    async def check() -> None:
        if not await broker.ping(timeout=2.0):
            raise ConnectionError("kafka unreachable")

    return check


class ConsumptionGate:
    """Stops a worker consuming while a dependency it writes to is down, and resumes after.

    Every ``interval_s`` it runs the dependency checks (Kafka excluded: without it nothing is
    fetched anyway); while one fails, the partitions of every subscriber are paused, so no
    message is taken that could not be finished. The stage runner's retries cover the
    seconds before the gate notices.
    """

    def __init__(
        self,
        broker: KafkaBroker,
        checks: Callable[[], Mapping[str, Check]],
        interval_s: float = 2.0,
    ) -> None:
        self.broker = broker
        self.checks = checks
        self.interval_s = interval_s
        self.paused = False
        self._task: asyncio.Task[None] | None = None

    def _consumers(self) -> list[Any]:
        consumers = []
        for subscriber in self.broker.subscribers:
            consumer = getattr(subscriber, "consumer", None)
            if consumer is not None:
                consumers.append(consumer)
        return consumers

    def _apply(self) -> None:
        for consumer in self._consumers():
            partitions = consumer.assignment()
            if self.paused:
                consumer.pause(*partitions)
            else:
                consumer.resume(*partitions)

    async def _watch(self) -> None:
        while True:
            checks = {k: v for k, v in self.checks().items() if k != "kafka"}
            results = await run_checks(checks) if checks else {}
            down = sorted(name for name, state in results.items() if state != "ok")
            should_pause = bool(down)
            if should_pause != self.paused:
                self.paused = should_pause
                log.warning(
                    "consumption paused" if should_pause else "consumption resumed",
                    extra={"dependencies_down": down},
                )
                self._apply()
            elif self.paused:
                self._apply()  # re-applied each round: a rebalance brings new partitions
            await asyncio.sleep(self.interval_s)

    def start(self) -> None:
        self._task = asyncio.create_task(self._watch())

    async def stop(self) -> None:
        await stop_task(self._task)
        self._task = None


def create_worker_app(
    *,
    title: str,
    broker: KafkaBroker,
    checks: Callable[[], Mapping[str, Check]],
    startup: Sequence[tuple[str, Callable[[], Awaitable[object]]]] = (),
    shutdown: Sequence[Callable[[], Awaitable[object]]] = (),
    prepare: Sequence[Callable[[], object]] = (),
    routers: Sequence[APIRouter] = (),
    background: Sequence[Callable[[], Awaitable[object]]] = (),
) -> FastAPI:
    """Dependencies are waited for before the broker starts consuming.

    ``prepare`` runs first, inside the event loop (process set-up such as a thread pool, no
    dependency to wait for); ``routers`` are HTTP routes served beside the health routes (a
    service with an API of its own, such as ingest's upload route); ``background`` loops
    (ingest's IMAP pollers) start once the broker runs and are cancelled before it stops.
    """

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        for prepare_step in prepare:
            prepare_step()
        for name, step in startup:
            await wait_for(name, step)
        await wait_for("kafka", broker.connect)
        await broker.start()
        gate.start()
        readiness.start()
        tasks: list[asyncio.Future[object]] = [asyncio.ensure_future(loop()) for loop in background]
        log.info("worker consuming", extra={"worker": title})
        try:
            yield
        finally:
            await stop_tasks(tasks)
            await readiness.stop()
            await gate.stop()
            await broker.stop()
            for step in shutdown:
                await step()

    gate = ConsumptionGate(broker, checks)
    readiness = ReadinessGauge(checks)  # lexstream.service.ready, for the readiness alert
    # A worker port serves health (and the routes given): no /docs, /redoc or /openapi.json
    # telling whoever reaches it what else there is.
    app = FastAPI(title=title, lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.gate = gate
    app.include_router(health_router(checks))
    for router in routers:
        app.include_router(router)
    return app


def serve(
    app: FastAPI,
    host: str,
    port: int,
    *,
    keep_alive_s: int = 5,
    header_timeout_s: float | None = None,
) -> None:
    """Run ``app`` with uvicorn; ``header_timeout_s`` closes connections whose request headers
    come slower than that (clientguard.py)."""
    http: Any = "auto" if header_timeout_s is None else header_timeout_protocol(header_timeout_s)
    uvicorn.run(
        app, host=host, port=port, log_config=None, timeout_keep_alive=keep_alive_s, http=http
    )
