"""A worker process: a FastStream broker plus the HTTP health routes probes call."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI
from faststream.kafka import KafkaBroker

from lexstream.shared.health import Check, health_router
from lexstream.shared.runtime import wait_for

log = logging.getLogger(__name__)


def kafka_check(broker: KafkaBroker) -> Check:
    async def check() -> None:
        if not await broker.ping(timeout=2.0):
            raise ConnectionError("kafka unreachable")

    return check


def create_worker_app(
    *,
    title: str,
    broker: KafkaBroker,
    checks: Callable[[], Mapping[str, Check]],
    startup: Sequence[tuple[str, Callable[[], Awaitable[object]]]] = (),
    shutdown: Sequence[Callable[[], Awaitable[object]]] = (),
) -> FastAPI:
    """Dependencies are waited for before the broker starts consuming."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        for name, step in startup:
            await wait_for(name, step)
        await wait_for("kafka", broker.connect)
        await broker.start()
        log.info("worker consuming", extra={"worker": title})
        try:
            yield
        finally:
            await broker.stop()
            for step in shutdown:
                await step()

    app = FastAPI(title=title, lifespan=lifespan)
    app.include_router(health_router(checks))
    return app


def serve(app: FastAPI, host: str, port: int) -> None:
    uvicorn.run(app, host=host, port=port, log_config=None)
