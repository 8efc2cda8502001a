"""The ingest service: HTTP upload (internal API), the upstream topic, S3 events."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated
from urllib.parse import unquote

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from lexstream.ingest.intake import TooLarge, spool_base64, spool_stream
from lexstream.ingest.pipeline import IngestPipeline, Submission
from lexstream.ingest.settings import IngestSettings
from lexstream.shared.errors import PermanentError, is_transient
from lexstream.shared.events import (
    DocumentSubmitted,
    Event,
    Hints,
    ObjectRef,
    Provenance,
    Stage,
    Topics,
)
from lexstream.shared.health import health_router
from lexstream.shared.kafka import (
    StageRunner,
    ensure_topics,
    make_broker,
    publish_event,
    subscriber_options,
)
from lexstream.shared.logs import setup_logging
from lexstream.shared.runtime import wait_for
from lexstream.shared.storage import ObjectStore
from lexstream.shared.telemetry import Telemetry, setup_telemetry

log = logging.getLogger(__name__)


@dataclass
class IngestState:
    settings: IngestSettings
    telemetry: Telemetry
    broker: KafkaBroker
    store: ObjectStore
    pipeline: IngestPipeline


def build_state(settings: IngestSettings, telemetry: Telemetry) -> IngestState:
    broker = make_broker(settings, telemetry, client_id="ingest")
    store = ObjectStore(settings)
    topics = Topics(settings.topic_prefix)

    async def publish(topic: str, event: Event) -> None:
        await publish_event(broker, topic, event)

    pipeline = IngestPipeline(store, topics, publish)
    runner = StageRunner(broker, topics, Stage.INGEST, settings)
    options = subscriber_options(settings, "ingest")

    @broker.subscriber(topics.submitted, **options, title="documents.submitted")
    async def on_submitted(message: KafkaMessage) -> None:
        """Upstream systems publish documents here (by reference or inline)."""
        await runner.run(message, DocumentSubmitted, lambda sub: ingest_submitted(state, sub))

    state = IngestState(settings, telemetry, broker, store, pipeline)
    return state


async def ingest_submitted(state: IngestState, sub: DocumentSubmitted) -> None:
    settings = state.settings
    provenance = Provenance(intake="topic", source=sub.source, external_id=sub.external_id)
    if sub.content_base64 is not None:
        path, sha256, size = spool_base64(
            sub.content_base64, settings.spool_dir, settings.inline_max_bytes
        )
    else:
        assert sub.object_uri is not None
        try:
            ref = ObjectRef.parse(sub.object_uri)
        except ValueError as exc:
            raise PermanentError(str(exc)) from exc
        if not await state.store.exists(ref):
            raise PermanentError(f"the referenced object {sub.object_uri} does not exist")
        handle = tempfile.NamedTemporaryFile(dir=settings.spool_dir, delete=False)  # noqa: SIM115
        handle.close()
        path = Path(handle.name)
        await state.store.download(ref, path)
        from lexstream.shared.storage import sha256_file

        sha256 = await asyncio.to_thread(sha256_file, path)
        size = path.stat().st_size
    try:
        await state.pipeline.ingest(
            Submission(
                path=path,
                sha256=sha256,
                size=size,
                filename=sub.filename,
                provenance=provenance,
                tenant=sub.tenant or settings.tenant,
                matter_id=sub.matter_id,
                declared_media_type=sub.media_type,
                hints=Hints(language=sub.language, jurisdiction=sub.jurisdiction),
            )
        )
    finally:
        path.unlink(missing_ok=True)


def get_state(request: Request) -> IngestState:
    state: IngestState = request.app.state.ingest
    return state


StateDep = Annotated[IngestState, Depends(get_state)]


def create_app(
    settings: IngestSettings | None = None, telemetry: Telemetry | None = None
) -> FastAPI:
    settings = settings or IngestSettings()
    setup_logging("ingest", settings.log_level)
    telemetry = telemetry or setup_telemetry("lexstream-ingest", settings.otlp_endpoint)
    state = build_state(settings, telemetry)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        topics = Topics(settings.topic_prefix)
        await wait_for("kafka topics", lambda: ensure_topics(settings, topics.all()))
        await wait_for("s3", state.store.bootstrap)
        await wait_for("kafka", state.broker.connect)
        await state.broker.start()
        app.state.ingest = state
        log.info("ingest ready")
        yield
        await state.broker.stop()

    app = FastAPI(title="lexstream ingest (internal)", lifespan=lifespan)

    async def kafka_ready() -> None:
        if not await state.broker.ping(timeout=2.0):
            raise ConnectionError("kafka unreachable")

    app.include_router(health_router(lambda: {"kafka": kafka_ready, "s3": state.store.ping}))

    @app.post("/internal/v1/documents", status_code=202)
    async def upload(
        request: Request,
        state: StateDep,
        x_lexstream_filename: Annotated[str | None, Header()] = None,
        content_length: Annotated[int | None, Header()] = None,
        matter_id: Annotated[str | None, Query(max_length=200)] = None,
        tenant: Annotated[str | None, Query(max_length=200)] = None,
        jurisdiction: Annotated[str | None, Query(max_length=100)] = None,
        language: Annotated[str | None, Query(max_length=20)] = None,
        external_id: Annotated[str | None, Query(max_length=500)] = None,
        source: Annotated[str | None, Query(max_length=200)] = None,
        uploader: Annotated[str | None, Query(max_length=200)] = None,
        declared_media_type: Annotated[str | None, Query(max_length=200)] = None,
    ) -> JSONResponse:
        """Stream the request body (the file's bytes) into the pipeline."""
        limit = state.settings.max_upload_bytes
        if content_length is not None and content_length > limit:
            raise HTTPException(413, f"the file is larger than the limit of {limit} bytes")
        try:
            path, sha256, size = await spool_stream(
                request.stream(), state.settings.spool_dir, limit
            )
        except TooLarge as exc:
            raise HTTPException(413, str(exc)) from exc
        try:
            outcome = await state.pipeline.ingest(
                Submission(
                    path=path,
                    sha256=sha256,
                    size=size,
                    filename=unquote(x_lexstream_filename) if x_lexstream_filename else None,
                    provenance=Provenance(
                        intake="http", source=source, external_id=external_id, uploader=uploader
                    ),
                    tenant=tenant or state.settings.tenant,
                    matter_id=matter_id,
                    declared_media_type=declared_media_type,
                    hints=Hints(language=language, jurisdiction=jurisdiction),
                )
            )
        except Exception as exc:
            if is_transient(exc):
                log.warning(
                    "storage or broker unavailable", extra={"error_type": type(exc).__name__}
                )
                return JSONResponse(
                    {"detail": "storage or messaging is temporarily unavailable; retry later"},
                    status_code=503,
                    headers={"Retry-After": "5"},
                )
            raise
        finally:
            path.unlink(missing_ok=True)
        return JSONResponse(
            {
                "document_id": outcome.document_id,
                "status": outcome.status,
                "reason": outcome.reason,
                "sha256": sha256,
                "size": size,
            },
            status_code=202,
        )

    return app
