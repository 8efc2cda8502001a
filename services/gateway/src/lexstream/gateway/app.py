"""The gateway: the HTTP front for lawyers, paralegals and client systems."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta
from typing import Annotated, Any, Literal
from urllib.parse import quote

import httpx
from elasticsearch import AsyncElasticsearch, NotFoundError
from fastapi import FastAPI, HTTPException, Query, Request, UploadFile
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from lexstream.gateway.access import AccessDep
from lexstream.gateway.search import BadSearch, SearchRequest, build_query, shape_response
from lexstream.gateway.settings import GatewaySettings
from lexstream.shared.artifacts import TextDocument, Transcript
from lexstream.shared.errors import is_transient
from lexstream.shared.events import ObjectRef
from lexstream.shared.health import health_router
from lexstream.shared.logs import setup_logging
from lexstream.shared.search import documents_alias, make_search_client, status_index
from lexstream.shared.storage import ObjectStore, derived_key
from lexstream.shared.telemetry import Telemetry, setup_telemetry

log = logging.getLogger(__name__)

UPLOAD_CHUNK = 1024 * 1024


def create_app(
    settings: GatewaySettings | None = None, telemetry: Telemetry | None = None
) -> FastAPI:
    settings = settings or GatewaySettings()
    setup_logging("gateway", settings.log_level)
    telemetry = telemetry or setup_telemetry("lexstream-gateway", settings.otlp_endpoint)
    store = ObjectStore(settings)
    es: AsyncElasticsearch = make_search_client(settings)
    alias = documents_alias(settings)
    statuses = status_index(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.ingest = httpx.AsyncClient(
            base_url=settings.ingest_url,
            timeout=httpx.Timeout(settings.ingest_timeout_s, connect=5.0),
        )
        yield
        await app.state.ingest.aclose()
        await es.close()

    app = FastAPI(title="lexstream gateway", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings

    async def es_ping() -> None:
        await es.cluster.health()

    async def ingest_ping() -> None:
        response = await app.state.ingest.get("/health/live")
        response.raise_for_status()

    app.include_router(
        health_router(lambda: {"elasticsearch": es_ping, "s3": store.ping, "ingest": ingest_ping})
    )

    @app.exception_handler(BadSearch)
    async def bad_search(_: Request, exc: BadSearch) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    async def visible_record(access: AccessDep, document_id: str) -> dict[str, Any]:
        """The document's status record, or its ingest record, if the caller may see it."""
        try:
            result = await es.search(
                index=statuses,
                query={
                    "bool": {"filter": [{"ids": {"values": [document_id]}}, access.es_filter()]}
                },
                size=1,
            )
            hits: list[dict[str, Any]] = result["hits"]["hits"]
        except NotFoundError:
            hits = []
        if hits:
            record: dict[str, Any] = hits[0]["_source"]
            return record
        ref = ObjectRef(bucket=store.derived, key=derived_key(document_id, "document.json"))
        if await store.exists(ref):
            ingest_record = await store.get_json(ref)
            if access.allows(ingest_record.get("tenant"), ingest_record.get("matter_id")):
                return {**ingest_record, "status": "stored"}
        raise HTTPException(404, "no such document")

    async def search_document(access: AccessDep, document_id: str) -> dict[str, Any] | None:
        result = await es.search(
            index=alias,
            query={"bool": {"filter": [{"ids": {"values": [document_id]}}, access.es_filter()]}},
            size=1,
            source_excludes=["content", "pages", "segments"],
        )
        hits = result["hits"]["hits"]
        return hits[0]["_source"] if hits else None

    @app.post("/v1/documents", status_code=202)
    async def upload(
        request: Request,
        access: AccessDep,
        file: UploadFile,
        matter_id: Annotated[str | None, Query(max_length=200)] = None,
    ) -> JSONResponse:
        """Upload a document (multipart field ``file``); it is streamed on to ingest."""
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > settings.max_upload_bytes:
            raise HTTPException(413, f"the upload is larger than {settings.max_upload_bytes} bytes")
        form = await request.form()
        fields = {
            name: str(form[name])
            for name in ("matter_id", "jurisdiction", "language", "external_id", "source")
            if isinstance(form.get(name), str) and form.get(name)
        }
        if matter_id:
            fields["matter_id"] = matter_id
        if "matter_id" in fields and not access.allows(
            access.principal.tenant, fields["matter_id"]
        ):
            raise HTTPException(403, "you may not add documents to this matter")

        async def chunks() -> AsyncIterator[bytes]:
            while chunk := await file.read(UPLOAD_CHUNK):
                yield chunk

        params = {**fields, "tenant": access.principal.tenant, "uploader": access.principal.subject}
        if file.content_type:
            params["declared_media_type"] = file.content_type
        try:
            response = await app.state.ingest.post(
                "/internal/v1/documents",
                content=chunks(),
                params=params,
                headers={
                    "X-Lexstream-Filename": quote(file.filename or "document"),
                    "Content-Type": "application/octet-stream",
                },
            )
        except httpx.TransportError as exc:
            log.warning("ingest unreachable", extra={"error_type": type(exc).__name__})
            return JSONResponse(
                {"detail": "ingest is temporarily unavailable; retry later"},
                status_code=503,
                headers={"Retry-After": "5"},
            )
        if response.status_code != 202:
            headers = {k: v for k, v in response.headers.items() if k.lower() == "retry-after"}
            detail = response.json().get("detail", "ingest refused the file")
            return JSONResponse(
                {"detail": detail}, status_code=response.status_code, headers=headers
            )
        answer = response.json()
        document_id = answer["document_id"]
        return JSONResponse(
            {
                "document_id": document_id,
                "status_url": f"/v1/documents/{document_id}",
                "duplicate": answer.get("status") == "duplicate",
            },
            status_code=202,
        )

    @app.get("/v1/documents/{document_id}")
    async def get_document(document_id: str, access: AccessDep) -> dict[str, Any]:
        """Metadata, status (with failure reason) and the extracted fields."""
        record = await visible_record(access, document_id)
        doc = await search_document(access, document_id) or {}
        return {
            "document_id": document_id,
            "status": record.get("status", "received"),
            "failure_reason": record.get("failure_reason"),
            "failure_stage": record.get("failure_stage"),
            "progress": record.get("progress"),
            "stages": record.get("stages", {}),
            "filename": record.get("filename") or doc.get("filename"),
            "media_type": record.get("media_type") or doc.get("media_type"),
            "matter_id": record.get("matter_id"),
            "parent_document_id": record.get("parent_document_id"),
            "provenance": record.get("provenance"),
            "extractor_version": record.get("extractor_version"),
            **{
                name: doc.get(name)
                for name in (
                    "title",
                    "court",
                    "jurisdiction",
                    "decision_date",
                    "case_numbers",
                    "parties",
                    "judges",
                    "citations",
                    "doc_type",
                    "language",
                    "page_count",
                    "duration",
                    "content_truncated",
                )
            },
            "pages": doc.get("page_count"),
        }

    @app.get("/v1/documents/{document_id}/text")
    async def get_text(document_id: str, access: AccessDep) -> dict[str, Any]:
        """The recovered text, page by page, with method and confidence."""
        await visible_record(access, document_id)
        ref = ObjectRef(bucket=store.derived, key=derived_key(document_id, "text.json"))
        if not await store.exists(ref):
            raise HTTPException(404, "this document has no text (yet)")
        text = TextDocument.model_validate(await store.get_json(ref))
        return {
            "document_id": document_id,
            "language": text.language,
            "warnings": text.warnings,
            "pages": [
                {
                    "number": p.number,
                    "text": p.text,
                    "method": p.method,
                    "confidence": p.confidence,
                    "language": p.language,
                }
                for p in text.pages
            ],
        }

    @app.get("/v1/documents/{document_id}/transcript", response_model=None)
    async def get_transcript(
        document_id: str,
        access: AccessDep,
        format: Literal["json", "vtt", "srt"] = "json",
    ) -> Response | dict[str, Any]:
        """The timed transcript as JSON, WebVTT or SRT."""
        await visible_record(access, document_id)
        name = {"json": "transcript.json", "vtt": "transcript.vtt", "srt": "transcript.srt"}[format]
        ref = ObjectRef(bucket=store.derived, key=derived_key(document_id, name))
        if not await store.exists(ref):
            raise HTTPException(404, "this document has no transcript (yet)")
        if format == "json":
            transcript = Transcript.model_validate(await store.get_json(ref))
            return transcript.model_dump(mode="json")
        media = "text/vtt" if format == "vtt" else "application/x-subrip"
        return PlainTextResponse((await store.get_bytes(ref)).decode(), media_type=media)

    @app.get("/v1/documents/{document_id}/original")
    async def get_original(document_id: str, access: AccessDep) -> RedirectResponse:
        """A redirect to a short-lived download URL of the original bytes."""
        await visible_record(access, document_id)
        ref = ObjectRef(bucket=store.derived, key=derived_key(document_id, "document.json"))
        record = await store.get_json(ref)
        url = await store.presign_get(
            ObjectRef.parse(record["original"]),
            expires=timedelta(seconds=settings.presign_expiry_s),
            filename=record.get("filename"),
        )
        return RedirectResponse(url, status_code=307)

    @app.get("/v1/search")
    async def search(
        access: AccessDep,
        q: Annotated[str | None, Query(max_length=2000)] = None,
        jurisdiction: Annotated[str | None, Query(max_length=100)] = None,
        court: Annotated[str | None, Query(max_length=300)] = None,
        doc_type: Annotated[str | None, Query(max_length=50)] = None,
        language: Annotated[str | None, Query(max_length=10)] = None,
        matter_id: Annotated[str | None, Query(max_length=200)] = None,
        date_from: date | None = None,
        date_to: date | None = None,
        cites: Annotated[str | None, Query(max_length=300)] = None,
        sort: Literal["relevance", "date"] = "relevance",
        size: Annotated[int, Query(ge=1, le=100)] = 10,
        search_after: Annotated[str | None, Query(max_length=2000)] = None,
    ) -> dict[str, Any]:
        """Full-text search across jurisdictions, filtered by what the caller may see."""
        req = SearchRequest(
            q=q,
            jurisdiction=jurisdiction,
            court=court,
            doc_type=doc_type,
            language=language,
            matter_id=matter_id,
            date_from=date_from,
            date_to=date_to,
            cites=cites,
            sort=sort,
            size=size,
            search_after=search_after,
        )
        body = build_query(req, access)
        try:
            result = await es.search(index=alias, body=body)
        except NotFoundError:
            return {"total": 0, "hits": [], "facets": {}, "next": None}
        except Exception as exc:
            if is_transient(exc):
                return JSONResponse(  # type: ignore[return-value]
                    {"detail": "search is temporarily unavailable"},
                    status_code=503,
                    headers={"Retry-After": "5"},
                )
            raise
        return shape_response(dict(result), size)

    return app
