"""The ingest service: HTTP upload (internal API), the upstream topic, S3 events."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Annotated, Any, Literal
from urllib.parse import unquote

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import RootModel, ValidationError

from lexstream.ingest.containers import ZipLimits
from lexstream.ingest.digeststream import (
    BadDigest,
    check_digest,
    parse_repr_digest,
    spool_and_store,
)
from lexstream.ingest.intake import (
    S3ObjectCreated,
    TooLarge,
    parse_s3_event,
    spool_base64,
    spool_object,
    spool_stream,
)
from lexstream.ingest.pipeline import IngestPipeline, Submission
from lexstream.ingest.settings import IngestSettings
from lexstream.shared.errors import PermanentError, is_transient
from lexstream.shared.events import (
    DocumentStored,
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
    describe_validation_error,
    ensure_topics,
    make_broker,
    publish_event,
    subscriber_options,
)
from lexstream.shared.logs import setup_logging
from lexstream.shared.runtime import wait_for
from lexstream.shared.storage import ObjectStore, original_key, sha256_file
from lexstream.shared.telemetry import Telemetry, setup_telemetry

log = logging.getLogger(__name__)


class JsonPayload(RootModel[Any]):
    """Any JSON: topic messages are validated by the handlers, so that a readable but invalid
    submission still becomes a failed document with a reason."""


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

    limits = ZipLimits(
        max_depth=settings.zip_max_depth,
        max_members=settings.zip_max_members,
        max_total_bytes=settings.zip_max_total_bytes,
        max_ratio=settings.zip_max_ratio,
        ratio_min_bytes=settings.zip_ratio_min_bytes,
    )
    pipeline = IngestPipeline(store, topics, publish, limits=limits, spool_dir=settings.spool_dir)
    runner = StageRunner(broker, topics, Stage.INGEST, settings)
    options = subscriber_options(settings, "ingest")
    state = IngestState(settings, telemetry, broker, store, pipeline)

    @broker.subscriber(topics.submitted, **options, title="documents.submitted")
    async def on_submitted(message: KafkaMessage) -> None:
        """Upstream systems publish documents here (by reference or inline); ocr hands back
        e-mail attachments here too (with ``parent_document_id``)."""
        await runner.run(message, JsonPayload, lambda raw: handle_submitted(state, raw.root))

    s3_options = {**options, "group_id": f"{settings.topic_prefix}-ingest-s3"}

    @broker.subscriber(
        settings.s3_events_topic or topics.s3_events, **s3_options, title="storage.events"
    )
    async def on_s3_event(message: KafkaMessage) -> None:
        """Bucket notifications (MinIO's Kafka target): a drop into an inbox is a document."""
        await runner.run(message, JsonPayload, lambda raw: handle_s3_event(state, raw.root))

    container_options = {**options, "group_id": f"{settings.topic_prefix}-ingest-containers"}

    @broker.subscriber(topics.stored, **container_options, title="documents.stored (containers)")
    async def on_stored(message: KafkaMessage) -> None:
        """Expand stored containers (ZIP) into child documents."""
        await runner.run(message, DocumentStored, lambda event: expand_container(state, event))

    return state


async def expand_container(state: IngestState, event: DocumentStored) -> None:
    if event.route == "container":
        await state.pipeline.expand(event)


def _str(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value else None


async def handle_submitted(state: IngestState, data: Any) -> None:
    if not isinstance(data, dict):
        raise PermanentError("a submission must be a JSON object", error_type="InvalidSubmission")
    try:
        sub = DocumentSubmitted.model_validate(data)
    except ValidationError as exc:
        reason = describe_validation_error(DocumentSubmitted, exc)
        if _str(data, "source") and _str(data, "external_id"):
            # readable enough to name a document: it ends failed with the reason
            meta = Submission(
                path=None,
                sha256="",
                size=0,
                filename=_str(data, "filename"),
                provenance=Provenance(
                    intake="topic",
                    source=_str(data, "source"),
                    external_id=_str(data, "external_id"),
                    uploader=_str(data, "uploader"),
                ),
                tenant=_str(data, "tenant") or state.settings.tenant,
                matter_id=_str(data, "matter_id"),
                parent_document_id=_str(data, "parent_document_id"),
            )
            await state.pipeline.fail(meta, None, reason, "InvalidSubmission")
        raise PermanentError(reason, error_type="InvalidSubmission") from exc
    await ingest_reference(state, sub, "attachment" if sub.parent_document_id else "topic")


def submission_from_s3(record: S3ObjectCreated) -> DocumentSubmitted:
    """An inbox drop as a submission: object metadata (``x-amz-meta-*``) may name the matter
    and hints; otherwise the first folder of the key is the matter (``M-1/judgment.pdf``)."""
    meta = record.metadata
    folder, _, name = record.key.rpartition("/")
    etag = (record.etag or "").strip('"')
    return DocumentSubmitted(
        source=meta.get("source") or f"s3:{record.bucket}",
        external_id=meta.get("external-id") or f"{record.key}@{etag}",
        filename=meta.get("filename") or name or record.key,
        object_uri=record.uri,
        matter_id=meta.get("matter-id") or (folder.split("/", 1)[0] if folder else None),
        tenant=meta.get("tenant"),
        jurisdiction=meta.get("jurisdiction"),
        language=meta.get("language"),
        media_type=meta.get("content-type"),
        uploader=meta.get("uploader"),
    )


async def handle_s3_event(state: IngestState, data: Any) -> None:
    first_error: PermanentError | None = None
    for record in parse_s3_event(data):
        inboxes = state.settings.inbox_buckets
        if inboxes and record.bucket not in inboxes:
            log.info("s3 event for a bucket that is no inbox", extra={"bucket": record.bucket})
            continue
        try:
            await ingest_reference(state, submission_from_s3(record), "s3-event")
        except PermanentError as exc:
            first_error = first_error or exc
    if first_error is not None:
        raise first_error


async def ingest_reference(
    state: IngestState,
    sub: DocumentSubmitted,
    intake: Literal["topic", "s3-event", "attachment"],
) -> None:
    """A submission by reference or inline: fetch the bytes, then the one pipeline."""
    settings = state.settings
    depth = 0
    if sub.parent_document_id:
        depth = await state.pipeline.parent_depth(sub.parent_document_id) + 1
    meta = Submission(
        path=None,
        sha256="",
        size=0,
        filename=sub.filename,
        provenance=Provenance(
            intake=intake, source=sub.source, external_id=sub.external_id, uploader=sub.uploader
        ),
        tenant=sub.tenant or settings.tenant,
        matter_id=sub.matter_id,
        declared_media_type=sub.media_type,
        hints=Hints(language=sub.language, jurisdiction=sub.jurisdiction),
        parent_document_id=sub.parent_document_id,
        depth=depth,
    )
    adopted: ObjectRef | None = None
    try:
        if sub.content_base64 is not None:
            path, sha256, size = await asyncio.to_thread(
                spool_base64, sub.content_base64, settings.spool_dir, settings.inline_max_bytes
            )
        else:
            assert sub.object_uri is not None
            try:
                ref = ObjectRef.parse(sub.object_uri)
            except ValueError as exc:
                raise PermanentError(str(exc), error_type="InvalidObjectUri") from exc
            path = await spool_object(state.store, ref, settings.spool_dir)
            sha256 = await asyncio.to_thread(sha256_file, path)
            size = path.stat().st_size
            if ref.bucket in settings.adopt_buckets:
                adopted = ref
    except PermanentError as exc:
        await state.pipeline.fail(meta, None, exc.reason, exc.error_type)
        raise
    try:
        await state.pipeline.ingest(
            replace(meta, path=path, sha256=sha256, size=size, adopted=adopted)
        )
    finally:
        path.unlink(missing_ok=True)


def _unavailable(exc: BaseException) -> JSONResponse:
    log.warning("storage or broker unavailable", extra={"error_type": type(exc).__name__})
    return JSONResponse(
        {"detail": "storage or messaging is temporarily unavailable; retry later"},
        status_code=503,
        headers={"Retry-After": "5"},
    )


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
        # The minio client blocks, so every S3 call holds a worker thread while it waits;
        # asyncio's default pool (cores + 4 threads) capped concurrent uploads at a few S3
        # calls in flight (bench/ingest small files).
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(settings.io_threads, thread_name_prefix="ingest-io")
        )
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
        repr_digest: Annotated[str | None, Header()] = None,
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
        # Spooled to local disk while hashing (never the whole file in memory), then put.
        # Measured (bench/ingest): uploading to a staging key while the body arrives and
        # copying it to its content address afterwards was slower - the server-side copy
        # costs about half a put, more than the local spool it saves. A client may declare the
        # sha256 (Repr-Digest): the bytes must match it. With put_while_receiving its file is
        # put to the content address while it arrives (digeststream.py), completed only if
        # the bytes match.
        try:
            declared = parse_repr_digest(repr_digest)
        except BadDigest as exc:
            raise HTTPException(400, str(exc)) from exc
        stored = False
        try:
            target = (
                ObjectRef(bucket=state.store.originals, key=original_key(declared))
                if declared and state.settings.put_while_receiving
                else None
            )
            if target is not None and declared and not await state.store.exists(target):
                path, sha256, size = await spool_and_store(
                    request.stream(), state.settings.spool_dir, limit, state.store, target, declared
                )
                stored = size > 0
            else:
                path, sha256, size = await spool_stream(
                    request.stream(), state.settings.spool_dir, limit
                )
                if declared:
                    try:
                        check_digest(sha256, declared)
                    except BadDigest:
                        path.unlink(missing_ok=True)
                        raise
        except TooLarge as exc:
            raise HTTPException(413, str(exc)) from exc
        except BadDigest as exc:
            raise HTTPException(400, str(exc)) from exc
        except Exception as exc:
            if is_transient(exc):
                return _unavailable(exc)
            raise
        try:
            outcome = await state.pipeline.ingest(
                Submission(
                    path=path,
                    sha256=sha256,
                    size=size,
                    stored=stored,
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
                return _unavailable(exc)
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
