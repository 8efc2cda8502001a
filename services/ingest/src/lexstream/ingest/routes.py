"""The internal HTTP upload API (the gateway streams uploads here): ``POST /internal/v1/documents``.

The body is the file's bytes. It is spooled to local disk while hashed (never the whole file
in memory), then handed to the one pipeline. Storage or messaging down is a 503 with
``Retry-After``, never a 500: the client retries and the pipeline's idempotence records make
the retry the same document.

The route takes documents into any tenant and matter, for any uploader: only the gateway, which
has checked the caller's rights, may call it. It proves that with the service token
(``LEXSTREAM_INGEST_TOKEN``, ``Authorization: Bearer``; compared in constant time); without the
token a request is 401. A matter that does not exist is 404, an archived one 422: nothing is
stored under them.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated
from urllib.parse import unquote

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from lexstream.ingest.digeststream import (
    BadDigest,
    check_digest,
    parse_repr_digest,
    spool_and_store,
)
from lexstream.ingest.intake import TooLarge, spool_stream
from lexstream.ingest.pipeline import IngestPipeline, MatterRefused, Submission
from lexstream.ingest.settings import IngestSettings
from lexstream.shared.errors import is_transient
from lexstream.shared.events import Hints, ObjectRef, Provenance
from lexstream.shared.holds import DocumentHeld
from lexstream.shared.storage import ObjectStore, original_key

log = logging.getLogger(__name__)


@dataclass
class Uploads:
    """What the upload route works with; the factory puts it on ``app.state.ingest``."""

    settings: IngestSettings
    store: ObjectStore
    pipeline: IngestPipeline


def get_uploads(request: Request) -> Uploads:
    uploads: Uploads = request.app.state.ingest
    return uploads


UploadsDep = Annotated[Uploads, Depends(get_uploads)]


def require_service_token(
    uploads: UploadsDep, authorization: Annotated[str | None, Header()] = None
) -> None:
    """The gateway's service credential; unset (development only) lets every caller in."""
    token = uploads.settings.ingest_token
    if token is None:
        return
    scheme, _, given = (authorization or "").partition(" ")
    expected = token.get_secret_value().encode()
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected):
        raise HTTPException(
            401, "the internal API needs the service token", {"WWW-Authenticate": "Bearer"}
        )


def _refused(exc: MatterRefused) -> HTTPException:
    return HTTPException(422 if exc.exists else 404, exc.reason)


class UploadAccepted(BaseModel):
    """What became of an upload: a new document, an existing one (same bytes or external id),
    or a document that failed at once (empty, unsupported type, hostile ZIP)."""

    document_id: str = Field(description="the document the upload is, new or existing")
    status: str = Field(description='"stored", "duplicate" or "failed"')
    reason: str | None = Field(description="why it failed, for a failed document")
    sha256: str = Field(description="sha256 of the bytes received (hex)")
    size: int = Field(description="bytes received")


def _unavailable(exc: BaseException) -> JSONResponse:
    log.warning("storage or broker unavailable", extra={"error_type": type(exc).__name__})
    return JSONResponse(
        {"detail": "storage or messaging is temporarily unavailable; retry later"},
        status_code=503,
        headers={"Retry-After": "5"},
    )


async def _receive(
    request: Request, uploads: Uploads, declared: str | None
) -> tuple[Path, str, int, bool]:
    """Spool the body (path, sha256, size) and say whether it is already stored.

    Measured (bench/ingest): uploading to a staging key while the body arrives and copying it
    to its content address afterwards was slower - the server-side copy costs about half a
    put, more than the local spool it saves. A client may declare the sha256 (Repr-Digest):
    the bytes must match it. With put_while_receiving its file is put to the content address
    while it arrives (digeststream.py), completed only if the bytes match.
    """
    settings = uploads.settings
    limit = settings.max_upload_bytes
    target = (
        ObjectRef(bucket=uploads.store.originals, key=original_key(declared))
        if declared and settings.put_while_receiving
        else None
    )
    if target is not None and declared and not await uploads.store.exists(target):
        path, sha256, size = await spool_and_store(
            request.stream(), settings.spool_dir, limit, uploads.store, target, declared
        )
        return path, sha256, size, size > 0
    path, sha256, size = await spool_stream(request.stream(), settings.spool_dir, limit)
    if declared:
        try:
            check_digest(sha256, declared)
        except BadDigest:
            path.unlink(missing_ok=True)
            raise
    return path, sha256, size, False


def upload_router() -> APIRouter:
    router = APIRouter(tags=["internal"], dependencies=[Depends(require_service_token)])

    @router.post("/internal/v1/documents", status_code=202, response_model=UploadAccepted)
    async def upload(
        request: Request,
        uploads: UploadsDep,
        x_lexstream_filename: Annotated[str | None, Header()] = None,
        content_length: Annotated[int | None, Header()] = None,
        repr_digest: Annotated[str | None, Header()] = None,
        matter_id: Annotated[str | None, Query(max_length=200)] = None,
        tenant: Annotated[str | None, Query(max_length=200)] = None,
        jurisdiction: Annotated[str | None, Query(max_length=100)] = None,
        language: Annotated[str | None, Query(max_length=20)] = None,
        channels: Annotated[str | None, Query(max_length=2000)] = None,
        external_id: Annotated[str | None, Query(max_length=500)] = None,
        source: Annotated[str | None, Query(max_length=200)] = None,
        uploader: Annotated[str | None, Query(max_length=256)] = None,
        declared_media_type: Annotated[str | None, Query(max_length=200)] = None,
    ) -> UploadAccepted | JSONResponse:
        """Stream the request body (the file's bytes) into the pipeline."""
        limit = uploads.settings.max_upload_bytes
        if content_length is not None and content_length > limit:
            raise HTTPException(413, f"the file is larger than the limit of {limit} bytes")
        tenant = tenant or uploads.settings.tenant
        try:
            await uploads.pipeline.admit(tenant, matter_id)  # before the body is read
        except MatterRefused as exc:
            raise _refused(exc) from exc
        except Exception as exc:
            if is_transient(exc):
                return _unavailable(exc)
            raise
        try:
            declared = parse_repr_digest(repr_digest)
            path, sha256, size, stored = await _receive(request, uploads, declared)
        except TooLarge as exc:
            raise HTTPException(413, str(exc)) from exc
        except BadDigest as exc:
            raise HTTPException(400, str(exc)) from exc
        except Exception as exc:
            if is_transient(exc):
                return _unavailable(exc)
            raise
        try:
            outcome = await uploads.pipeline.ingest(
                Submission(
                    path=path,
                    sha256=sha256,
                    size=size,
                    stored=stored,
                    filename=unquote(x_lexstream_filename) if x_lexstream_filename else None,
                    provenance=Provenance(
                        intake="http", source=source, external_id=external_id, uploader=uploader
                    ),
                    tenant=tenant,
                    matter_id=matter_id,
                    declared_media_type=declared_media_type,
                    hints=Hints(language=language, jurisdiction=jurisdiction, channels=channels),
                )
            )
        except MatterRefused as exc:  # archived while the body arrived
            raise _refused(exc) from exc
        except DocumentHeld as exc:  # a re-upload would overwrite a document under hold
            raise HTTPException(409, str(exc)) from exc
        except Exception as exc:
            if is_transient(exc):
                return _unavailable(exc)
            raise
        finally:
            path.unlink(missing_ok=True)
        return UploadAccepted(
            document_id=outcome.document_id,
            status=outcome.status,
            reason=outcome.reason,
            sha256=sha256,
            size=size,
        )

    return router
