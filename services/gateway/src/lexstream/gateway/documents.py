"""Documents: upload, metadata and status, text, transcript, original, children, moves."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Annotated, Any, Literal
from urllib.parse import quote

import httpx
from elasticsearch import NotFoundError
from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from lexstream.gateway.access import Access
from lexstream.gateway.authz import AuthorizedDep, document_rule, require_role
from lexstream.gateway.context import Gateway, GatewayDep
from lexstream.gateway.schemas import (
    COMMON_ERRORS,
    Children,
    DocumentMetadata,
    DocumentText,
    OriginalUrl,
    Similar,
    TextPage,
    TextPageWithWords,
    Transcript,
    UploadAccepted,
    errors,
)
from lexstream.gateway.search import HIT_SOURCE, more_like_this_query
from lexstream.gateway.stores import MATTER_ID, ROLE_RANK, Role
from lexstream.gateway.subjects import check_text
from lexstream.gateway.transcripts import caption_of, to_pdf
from lexstream.gateway.uploads import (
    BadUpload,
    MultipartReader,
    UploadTooLarge,
    boundary_of,
    read_spool,
    spool_file_then_fields,
)
from lexstream.shared.artifacts import Page, TextDocument
from lexstream.shared.events import DocumentMoved, ObjectRef
from lexstream.shared.holds import DocumentHeld, HoldGuard
from lexstream.shared.pageline import layout, to_text
from lexstream.shared.speakers import parse_channel_map
from lexstream.shared.storage import derived_key

log = logging.getLogger(__name__)

DocumentId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
UPLOAD_FIELDS = ("matter_id", "jurisdiction", "language", "external_id", "source", "channels")
CAPTION_MEDIA_TYPES = ("text/vtt", "application/x-subrip")
#: the gateway's own limits on the upload's form fields (within ingest's): a field past them is
#: the gateway's 400, never ingest's answer passed through
FIELD_LIMITS = {
    "matter_id": 100,
    "jurisdiction": 100,
    "language": 20,
    "external_id": 500,
    "source": 200,
    "channels": 2000,
}
#: ISO 639 codes with an optional region or script (``en``, ``de-CH``, ``zh-Hant``)
LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,2}$")

router = APIRouter(tags=["documents"], responses=COMMON_ERRORS)


class DocumentMove(BaseModel):
    matter_id: str = Field(pattern=MATTER_ID.pattern, description="the matter to move it to")


def _upload_fields(form: dict[str, str], matter_id: str | None) -> dict[str, str]:
    fields = {name: form[name] for name in UPLOAD_FIELDS if form.get(name)}
    if matter_id:
        fields["matter_id"] = matter_id
    for name, limit in FIELD_LIMITS.items():
        try:
            check_text(name, fields.get(name, ""), limit)
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from exc
    if "matter_id" in fields and not MATTER_ID.match(fields["matter_id"]):
        raise HTTPException(400, "matter_id: letters, digits, '.', '_' and '-', at most 100")
    if "language" in fields and not LANGUAGE.match(fields["language"]):
        raise HTTPException(400, "language: an ISO 639 code such as 'en' or 'de-CH'")
    if "channels" in fields:
        try:  # a recording's channel map: "1:the court,2:Ms. Hale for the plaintiff"
            parse_channel_map(fields["channels"])
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from exc
    return fields


async def check_can_add(
    gw: Gateway, access: Access, matter_id: str | None
) -> dict[str, Any] | None:
    """Adding a document needs editor rights in an open matter (admins may leave it out);
    the matter's record is returned."""
    if matter_id is None:
        if not access.principal.is_admin:
            raise HTTPException(400, "matter_id is required: name the matter of the document")
        return None
    # no role at all: the answer a matter that does not exist gets (existence does not leak)
    role = access.role_in(matter_id)
    if role is None:
        raise HTTPException(404, "no such matter")
    if ROLE_RANK[role] < ROLE_RANK[Role.EDITOR]:
        raise HTTPException(403, "adding documents needs the editor role in the matter")
    matter = await gw.matters.get(access.principal.tenant, matter_id)
    if matter is None:
        raise HTTPException(404, "no such matter")
    if matter["status"] != "open":
        raise HTTPException(409, "the matter is archived")
    return matter


@router.post(
    "/v1/documents",
    status_code=202,
    response_model=UploadAccepted,
    responses={202: {"description": "accepted; follow status_url"}, **errors(409, 413, 415)},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            **{name: {"type": "string"} for name in UPLOAD_FIELDS},
                        },
                    }
                }
            },
        }
    },
)
async def upload(
    request: Request,
    gw: GatewayDep,
    access: AuthorizedDep,
    matter_id: Annotated[str | None, Query(max_length=100)] = None,
) -> UploadAccepted | JSONResponse:
    """Upload a document (multipart field ``file``); it is streamed on to ingest.

    Send the form fields (``matter_id``, ``jurisdiction``, ``language``, ``external_id``,
    ``source``) before the file and the gateway passes the file through as it arrives; a file
    sent before its fields is spooled to a temporary file until the fields have come. A
    recording may name who speaks on each channel: ``channels=1:the court,2:Ms. Hale for the
    plaintiff,3:the witness`` (transcripts then label them ``THE COURT:``, ``MS. HALE:``, ...).
    """
    settings = gw.settings
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise HTTPException(415, "send the file as multipart/form-data in the field 'file'")
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > settings.max_upload_bytes:
        raise HTTPException(413, f"the upload is larger than {settings.max_upload_bytes} bytes")
    try:
        reader = MultipartReader(
            request.stream(), boundary_of(content_type), settings.max_upload_bytes
        )
        form, part = await reader.fields_until_file()
    except UploadTooLarge as exc:
        raise HTTPException(413, str(exc)) from exc
    except BadUpload as exc:
        raise HTTPException(400, str(exc)) from exc
    failure: list[Exception] = []
    body: AsyncIterator[bytes]
    spool = None
    if any(name in form for name in UPLOAD_FIELDS) or matter_id:
        # fields first: the file streams through; fields after it are refused

        async def streamed() -> AsyncIterator[bytes]:
            try:
                async for chunk in reader.file_bytes(set(UPLOAD_FIELDS)):
                    yield chunk
            except (BadUpload, UploadTooLarge) as exc:
                failure.append(exc)
                raise

        body = streamed()
    else:
        # the file first: its fields (if any) follow it, and ingest needs them up front
        try:
            spool, after = await spool_file_then_fields(reader)
        except UploadTooLarge as exc:
            raise HTTPException(413, str(exc)) from exc
        except BadUpload as exc:
            raise HTTPException(400, str(exc)) from exc
        form = {**form, **after}
        body = read_spool(spool)
    fields = _upload_fields(form, matter_id)
    try:
        matter = await check_can_add(gw, access, fields.get("matter_id"))
    except HTTPException:
        if spool is not None:
            spool.close()
        raise

    params = {**fields, "tenant": access.principal.tenant, "uploader": access.principal.subject}
    if "channels" not in params and matter and matter.get("channels"):
        params["channels"] = matter["channels"]  # the matter's map where the upload names none
    if part.content_type:
        params["declared_media_type"] = part.content_type[:200]

    assert gw.ingest is not None
    try:
        response = await gw.ingest.post(
            "/internal/v1/documents",
            content=body,
            params=params,
            headers={
                "X-Lexstream-Filename": quote((part.filename or "document")[:1000]),
                "Content-Type": "application/octet-stream",
            },
        )
    except (BadUpload, UploadTooLarge, httpx.TransportError) as exc:
        # the request to ingest was cut off, so ingest keeps nothing of it
        if failure:
            code = 413 if isinstance(failure[0], UploadTooLarge) else 400
            raise HTTPException(code, str(failure[0])) from exc
        log.warning("ingest unreachable", extra={"error_type": type(exc).__name__})
        return JSONResponse(
            {"detail": "ingest is temporarily unavailable; retry later"},
            status_code=503,
            headers={"Retry-After": "5"},
        )
    if response.status_code != 202:
        return _refused_by_ingest(response)
    answer = response.json()
    document_id = answer["document_id"]
    gw.audit.record(
        request,
        "upload",
        status_code=202,
        document_id=document_id,
        matter_id=fields.get("matter_id"),
    )
    return UploadAccepted(
        document_id=document_id,
        status_url=f"/v1/documents/{document_id}",
        duplicate=answer.get("status") == "duplicate",
    )


def _refused_by_ingest(response: httpx.Response) -> JSONResponse:
    """The gateway's own answer to an upload ingest did not take.

    Ingest's body is never passed on: it is an internal API (its 422 names its query
    parameters and echoes their values). The gateway validated the fields already, so a 4xx
    here is a disagreement between the two, logged for the operator.
    """
    status = response.status_code
    if status in (401, 403):
        # LEXSTREAM_INGEST_TOKEN differs between the two (or is missing): the operator's
        # problem, never the caller's 401 (which would read as "your key is wrong")
        log.error("ingest refused the gateway's credential", extra={"ingest_status": status})
        return JSONResponse(
            {"detail": "the document service refused the gateway's credential"},
            status_code=503,
            headers={"Retry-After": "30"},
        )
    log.warning("ingest refused an upload", extra={"ingest_status": status})
    if status == 413:
        return JSONResponse({"detail": "the upload is larger than ingest accepts"}, 413)
    if status == 429 or status >= 500:
        retry = response.headers.get("retry-after", "5")
        return JSONResponse(
            {"detail": "ingest is temporarily unavailable; retry later"},
            status_code=503,
            headers={"Retry-After": retry if retry.isdigit() else "5"},
        )
    if status in (404, 409):
        return JSONResponse({"detail": "the matter cannot take documents now"}, 409)
    return JSONResponse({"detail": "the upload was refused: check its form fields"}, 400)


def _metadata(document_id: str, record: dict[str, Any], doc: dict[str, Any]) -> DocumentMetadata:
    """The status record and the search document, merged into the documented answer."""
    return DocumentMetadata.model_validate(_metadata_fields(document_id, record, doc))


def _metadata_fields(
    document_id: str, record: dict[str, Any], doc: dict[str, Any]
) -> dict[str, Any]:
    return {
        "document_id": document_id,
        "status": record.get("status", "received"),
        "failure_reason": record.get("failure_reason"),
        "failure_stage": record.get("failure_stage"),
        "warnings": record.get("warnings") or [],
        "progress": record.get("progress"),
        "stages": record.get("stages", {}),
        "filename": record.get("filename") or doc.get("filename"),
        "media_type": record.get("media_type") or doc.get("media_type"),
        "kind": doc.get("kind"),
        "matter_id": record.get("matter_id"),
        "parent_document_id": record.get("parent_document_id"),
        "provenance": record.get("provenance"),
        "submissions": record.get("submissions") or [],
        "extractor_version": record.get("extractor_version") or doc.get("extractor_version"),
        **{
            name: doc.get(name)
            for name in (
                "title",
                "court",
                "jurisdiction",
                "decision_date",
                "case_numbers",
                "identifiers",
                "parties",
                "party_roles",
                "counsel",
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


@router.get("/v1/documents/{document_id}")
async def get_document(
    request: Request, document_id: DocumentId, gw: GatewayDep, access: AuthorizedDep
) -> DocumentMetadata:
    """Metadata, status (with failure reason), provenance and the extracted fields."""
    try:
        record = await gw.visible_record(access, document_id)
    except HTTPException:
        gw.audit.record(request, "view", status_code=404, document_id=document_id)
        raise
    doc = await gw.search_document(access, document_id) or {}
    gw.audit.record(request, "view", document_id=document_id, matter_id=record.get("matter_id"))
    return _metadata(document_id, record, doc)


@router.patch("/v1/documents/{document_id}")
async def move_document(
    request: Request,
    document_id: DocumentId,
    move: DocumentMove,
    gw: GatewayDep,
    access: AuthorizedDep,
) -> DocumentMetadata:
    """Move a document (and its attachments) to another matter; editors of both only."""
    record = await gw.visible_record(access, document_id)
    source = record.get("matter_id")
    # visible_record answered 404 to anyone with no role in the document's matter
    require_role(access, source, document_rule(request), "document")
    await check_can_add(gw, access, move.matter_id)
    if record.get("status") not in ("indexed", "failed"):
        raise HTTPException(409, "the document is still being processed; move it when done")
    try:  # a move would take it out of its matter's holds (lexstream.shared.holds)
        if move.matter_id != source:
            await HoldGuard(gw.es, gw.store, gw.settings).check(document_id)
    except DocumentHeld as exc:
        raise HTTPException(409, str(exc)) from exc
    # the index owns the records a move changes: it applies the event to the document and
    # its attachments shortly after (the answer already names the new matter)
    moved = DocumentMoved(
        document_id=document_id,
        tenant=record.get("tenant") or access.principal.tenant,
        matter_id=move.matter_id,
        from_matter_id=source,
        parent_document_id=record.get("parent_document_id"),
        moved_by=access.principal.subject,
    )
    await gw.publish(gw.topics.moved, moved)
    gw.audit.record(request, "move", document_id=document_id, matter_id=move.matter_id)
    doc = await gw.search_document(access, document_id) or {}
    return _metadata(document_id, {**record, "matter_id": move.matter_id}, doc)


@router.get("/v1/documents/{document_id}/children")
async def get_children(
    request: Request,
    document_id: DocumentId,
    gw: GatewayDep,
    access: AuthorizedDep,
    size: Annotated[int, Query(ge=1, le=1000)] = 1000,
    after: Annotated[
        str | None, Query(max_length=200, description="the previous page's next")
    ] = None,
) -> Children:
    """Attachments and archive members of a document that the caller may see, by id, a page
    of ``size`` at a time (a custodian's mailbox has thousands of messages)."""
    record = await gw.visible_record(access, document_id)
    hits: list[dict[str, Any]] = []
    total = 0
    body: dict[str, Any] = {
        "query": {
            "bool": {"filter": [{"term": {"parent_document_id": document_id}}, access.es_filter()]}
        },
        "size": size,
        "sort": [{"document_id": "asc"}],
        "track_total_hits": True,
    }
    if after is not None:
        body["search_after"] = [after]
    try:
        result = await gw.es.search(index=gw.statuses, body=body)
        hits = result["hits"]["hits"]
        total = int(result["hits"]["total"]["value"])
    except NotFoundError:
        pass  # no status index yet (the index service has not bootstrapped): no children
    gw.audit.record(
        request,
        "children",
        document_id=document_id,
        matter_id=record.get("matter_id"),
        hits=len(hits),
    )
    return Children.model_validate(
        {
            "document_id": document_id,
            "total": total,
            "children": [
                {
                    "document_id": hit["_id"],
                    "filename": hit["_source"].get("filename"),
                    "media_type": hit["_source"].get("media_type"),
                    "status": hit["_source"].get("status"),
                }
                for hit in hits
            ],
            "next": hits[-1]["_id"] if len(hits) == size else None,
        }
    )


@router.get("/v1/documents/{document_id}/similar")
async def similar(
    request: Request,
    document_id: DocumentId,
    gw: GatewayDep,
    access: AuthorizedDep,
    size: Annotated[int, Query(ge=1, le=50)] = 10,
) -> Similar:
    """More like this: documents the caller may see that resemble this one."""
    doc = await gw.search_document(access, document_id)
    if doc is None:
        raise HTTPException(404, "no such document (or not indexed yet)")
    result = await gw.search(access, more_like_this_query(doc["_index"], document_id, access, size))
    hits = [
        {
            "document_id": hit["_id"],
            "score": hit["_score"],
            **{k: hit["_source"].get(k) for k in HIT_SOURCE if k != "document_id"},
        }
        for hit in result["hits"]["hits"]
    ]
    gw.audit.record(
        request,
        "similar",
        document_id=document_id,
        matter_id=doc.get("matter_id"),
        hits=len(hits),
    )
    return Similar.model_validate({"document_id": document_id, "hits": hits})


@router.get("/v1/documents/{document_id}/text")
async def get_text(
    request: Request,
    document_id: DocumentId,
    gw: GatewayDep,
    access: AuthorizedDep,
    words: bool = False,
) -> DocumentText:
    """The recovered text, page by page, with method, confidence and warnings; with
    ``words=true`` also each page's size and word boxes (pixels at the page's DPI, top-left
    origin), to point at a place on a page."""
    record = await gw.visible_record(access, document_id)
    ref = ObjectRef(bucket=gw.store.derived, key=derived_key(document_id, "text.json"))
    if not await gw.s3(gw.store.exists(ref)):
        raise HTTPException(404, "this document has no text (yet)")
    text = TextDocument.model_validate(await gw.s3(gw.store.get_json(ref)))
    gw.audit.record(request, "text", document_id=document_id, matter_id=record.get("matter_id"))
    return DocumentText(
        document_id=document_id,
        language=text.language,
        warnings=text.warnings,
        pages=[_text_page(page, words) for page in text.pages],
    )


def _text_page(page: Page, words: bool) -> TextPageWithWords | TextPage:
    shown = TextPage(
        number=page.number,
        text=page.text,
        method=page.method,
        confidence=page.confidence,
        language=page.language,
        warnings=page.warnings,
    )
    if not words:
        return shown
    return TextPageWithWords(
        **shown.model_dump(), width=page.width, height=page.height, words=page.words
    )


@router.get(
    "/v1/documents/{document_id}/transcript",
    response_model=Transcript,
    responses={
        200: {
            "description": "JSON, or the captions with format=vtt (WebVTT) or format=srt, or "
            "the certified-transcript layout with format=pageline (text) or format=pdf",
            "content": {
                **{media: {"schema": {"type": "string"}} for media in CAPTION_MEDIA_TYPES},
                "text/plain": {"schema": {"type": "string"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def get_transcript(
    request: Request,
    document_id: DocumentId,
    gw: GatewayDep,
    access: AuthorizedDep,
    format: Literal["json", "vtt", "srt", "pageline", "pdf"] = "json",
    time_marks: bool = False,
) -> Transcript | Response:
    """The timed transcript as JSON, WebVTT or SRT; or as a court transcript in pages of 25
    numbered lines (``pageline``: text, ``pdf``), its caption page from the document's
    metadata, with each turn's time in the margin when ``time_marks=true``."""
    record = await gw.visible_record(access, document_id)
    name = {"vtt": "transcript.vtt", "srt": "transcript.srt"}.get(format, "transcript.json")
    ref = ObjectRef(bucket=gw.store.derived, key=derived_key(document_id, name))
    if not await gw.s3(gw.store.exists(ref)):
        raise HTTPException(404, "this document has no transcript (yet)")
    gw.audit.record(
        request, "transcript", document_id=document_id, matter_id=record.get("matter_id")
    )
    if format in ("json", "pageline", "pdf"):
        transcript = Transcript.model_validate(await gw.s3(gw.store.get_json(ref)))
        if format == "json":
            return transcript
        doc = await gw.search_document(access, document_id) or {}
        matter_id = record.get("matter_id")
        tenant = record.get("tenant") or access.principal.tenant
        matter = await gw.matters.get(tenant, matter_id) if matter_id else None
        pages = layout(transcript, caption_of(doc, matter))
        if format == "pdf":
            return Response(to_pdf(pages, time_marks=time_marks), media_type="application/pdf")
        return PlainTextResponse(to_text(pages, time_marks=time_marks))
    media = CAPTION_MEDIA_TYPES[0] if format == "vtt" else CAPTION_MEDIA_TYPES[1]
    return PlainTextResponse((await gw.s3(gw.store.get_bytes(ref))).decode(), media_type=media)


#: types a browser shows but never runs; an original of any other type is served as bytes
PASSIVE_MEDIA = re.compile(
    r"^(?:audio/[\w.+-]+|video/[\w.+-]+|image/(?:png|jpeg|gif|tiff|webp|bmp)|application/pdf"
    r"|text/plain)$"
)


def download_media_type(media_type: str | None) -> str:
    """``audio/mpeg`` -> itself; ``text/html``, ``image/svg+xml``, unknown -> octet-stream."""
    plain = (media_type or "").split(";")[0].strip().lower()
    return plain if PASSIVE_MEDIA.match(plain) else "application/octet-stream"


@router.get(
    "/v1/documents/{document_id}/original",
    status_code=307,
    response_class=RedirectResponse,
    responses={
        200: {"model": OriginalUrl, "description": "with redirect=false: the URL as JSON"},
        307: {
            "description": "redirect to a download URL that expires within minutes",
            "headers": {"Location": {"schema": {"type": "string", "format": "uri"}}},
        },
    },
)
async def get_original(
    request: Request,
    document_id: DocumentId,
    gw: GatewayDep,
    access: AuthorizedDep,
    redirect: bool = True,
) -> Response:
    """A redirect to a short-lived download URL of the original bytes.

    ``redirect=false`` answers ``{"url", "expires_in"}`` instead (for media players, which
    cannot send the caller's key). The storage answers that URL as an attachment, and with
    ``application/octet-stream`` for any type a browser could run (HTML, SVG, XML, scripts):
    an uploaded page never runs on the storage's origin. (Media elements play attachments.)
    """
    record = await gw.visible_record(access, document_id)
    ref = ObjectRef(bucket=gw.store.derived, key=derived_key(document_id, "document.json"))
    if not await gw.s3(gw.store.exists(ref)):
        raise HTTPException(404, "the original is not stored (yet)")
    ingest_record = await gw.s3(gw.store.get_json(ref))
    url = await gw.s3(
        gw.store.presign_get(
            ObjectRef.parse(ingest_record["original"]),
            expires=timedelta(seconds=gw.settings.presign_expiry_s),
            filename=ingest_record.get("filename"),
            content_type=download_media_type(ingest_record.get("media_type")),
        )
    )
    gw.audit.record(request, "download", document_id=document_id, matter_id=record.get("matter_id"))
    if not redirect:
        answer = OriginalUrl(url=url, expires_in=gw.settings.presign_expiry_s)
        return JSONResponse(answer.model_dump())
    return RedirectResponse(url, status_code=307)
