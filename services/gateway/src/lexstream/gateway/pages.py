"""Page images: one page of a document's PDF as a PNG, for the web workspace's viewer.

``GET /v1/documents/{id}/pages/{n}.png?width=`` renders page ``n`` with Poppler's
``pdftoppm`` from the searchable PDF the ocr service kept (scans) or else from the original
(when it is a PDF), behind the same access check as ``/text``. The width is snapped up to one
of a few sizes, so one page has at most :data:`WIDTHS` renderings, each cached in the derived
bucket (``<document_id>/pages/<n>-w<width>.png``): the second view of a page is one S3 read.

The image covers the whole page, so the word boxes of ``/text?words=true`` (page pixels,
top-left origin, the page's ``width`` x ``height``) scale onto it by ``image width / page
width``: that is how the viewer draws hits on the page.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import Response
from starlette.background import BackgroundTask

from lexstream.gateway.authz import AuthorizedDep
from lexstream.gateway.context import Gateway, GatewayDep
from lexstream.gateway.schemas import COMMON_ERRORS
from lexstream.shared.deletion import deleted_documents
from lexstream.shared.events import ObjectRef
from lexstream.shared.search import deletions_index
from lexstream.shared.storage import derived_key

log = logging.getLogger(__name__)

#: the widths a page is rendered at (a request's width is snapped up to the next one): a
#: thumbnail, phone, laptop and large screens; bounded so a caller cannot fill the cache
WIDTHS = (160, 320, 640, 960, 1280, 1600, 2000)
#: renders at once in this process (pdftoppm is CPU-bound; the rest of the gateway goes on)
RENDERS_AT_ONCE = 2
#: a page that takes longer than this to render is refused (a hostile or broken PDF)
RENDER_TIMEOUT_S = 30.0
PDFTOPPM = "pdftoppm"
PDF_MEDIA_TYPE = "application/pdf"

router = APIRouter(tags=["documents"], responses=COMMON_ERRORS)

DocumentId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]


class RenderFailed(Exception):
    """pdftoppm could not render the page (a broken PDF, or a page past its end)."""


def snapped_width(width: int) -> int:
    """The smallest rendering width at least ``width`` (the largest beyond them all)."""
    return next((w for w in WIDTHS if w >= width), WIDTHS[-1])


def page_cache_key(document_id: str, number: int, width: int) -> str:
    return derived_key(document_id, f"pages/{number}-w{width}.png")


async def render_page(pdf: FilePath, number: int, width: int, *, timeout_s: float) -> bytes:
    """Page ``number`` (1-based) of ``pdf`` as PNG bytes, ``width`` pixels wide."""
    if shutil.which(PDFTOPPM) is None:
        raise RenderFailed("pdftoppm is not installed (poppler-utils)")
    with tempfile.TemporaryDirectory(prefix="lexstream-page-") as folder:
        out = FilePath(folder) / "page"
        process = await asyncio.create_subprocess_exec(
            PDFTOPPM,
            "-png",
            "-f",
            str(number),
            "-l",
            str(number),
            "-singlefile",
            "-scale-to-x",
            str(width),
            "-scale-to-y",
            "-1",
            str(pdf),
            str(out),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            _, stderr = await asyncio.wait_for(process.communicate(), timeout=timeout_s)
        except TimeoutError as exc:
            process.kill()
            await process.wait()
            raise RenderFailed(f"rendering took longer than {timeout_s:.0f} s") from exc
        png = out.with_suffix(".png")
        if process.returncode != 0 or not png.exists():
            reason = stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
            raise RenderFailed(reason[0][:200])
        return png.read_bytes()


async def _pdf_source(gw: Gateway, document_id: str) -> ObjectRef | None:
    """The PDF to render: the searchable PDF where ocr kept one, else a PDF original."""
    searchable = ObjectRef(bucket=gw.store.derived, key=derived_key(document_id, "searchable.pdf"))
    if await gw.s3(gw.store.exists(searchable)):
        return searchable
    ref = ObjectRef(bucket=gw.store.derived, key=derived_key(document_id, "document.json"))
    record: Any = await gw.s3(gw.store.get_json_if_exists(ref))
    if not isinstance(record, dict) or not record.get("original"):
        return None
    media_type = str(record.get("media_type") or "").split(";")[0].strip().lower()
    if media_type != PDF_MEDIA_TYPE:
        return None
    return ObjectRef.parse(record["original"])


@router.get(
    "/v1/documents/{document_id}/pages/{number}.png",
    response_class=Response,
    responses={
        200: {
            "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
            "description": "the page as a PNG image",
        },
    },
)
async def page_image(
    request: Request,
    document_id: DocumentId,
    number: Annotated[int, Path(ge=1, le=100_000, description="1-based page number")],
    gw: GatewayDep,
    access: AuthorizedDep,
    width: Annotated[
        int, Query(ge=1, le=4000, description="wanted width in pixels (snapped up)")
    ] = 1280,
) -> Response:
    """Page ``number`` of the document as a PNG about ``width`` pixels wide, rendered from
    its searchable or original PDF and cached; the hits' word boxes of ``/text?words=true``
    scale onto it."""
    record = await gw.visible_record(access, document_id)
    matter_id = record.get("matter_id")
    snapped = snapped_width(width)
    cache = ObjectRef(bucket=gw.store.derived, key=page_cache_key(document_id, number, snapped))
    headers = {"X-Lexstream-Width": str(snapped)}
    if await gw.s3(gw.store.exists(cache)):
        png = await gw.s3(gw.store.get_bytes(cache))
        gw.audit.record(request, "page", document_id=document_id, matter_id=matter_id)
        return Response(png, media_type="image/png", headers=headers)
    png = await _render(gw, _renders(request), document_id, number, snapped)
    gw.audit.record(request, "page", document_id=document_id, matter_id=matter_id)
    # the page goes out first; the cache is written after it (the reader does not wait)
    stored = BackgroundTask(_store_in_cache, gw, cache, png, document_id)
    return Response(png, media_type="image/png", headers=headers, background=stored)


def _renders(request: Request) -> asyncio.Semaphore:
    """The app's bound on renders at once (made on first use, in the app's event loop)."""
    state = request.app.state
    if getattr(state, "page_renders", None) is None:
        state.page_renders = asyncio.Semaphore(RENDERS_AT_ONCE)
    renders: asyncio.Semaphore = state.page_renders
    return renders


async def _render(
    gw: Gateway, renders: asyncio.Semaphore, document_id: str, number: int, width: int
) -> bytes:
    """Render the page (a page past the end is pdftoppm's refusal: 404)."""
    source = await _pdf_source(gw, document_id)
    if source is None:
        raise HTTPException(404, "this document has no page images (it is not a PDF or scan)")
    with tempfile.TemporaryDirectory(prefix="lexstream-pdf-") as folder:
        pdf = FilePath(folder) / "document.pdf"
        await gw.s3(gw.store.download(source, pdf))
        async with renders:
            try:
                png = await render_page(pdf, number, width, timeout_s=RENDER_TIMEOUT_S)
            except RenderFailed as exc:
                log.warning("page render failed", extra={"error_type": "RenderFailed"})
                raise HTTPException(404, f"the page cannot be rendered: {exc}") from exc
    return png


async def _store_in_cache(gw: Gateway, cache: ObjectRef, png: bytes, document_id: str) -> None:
    """Write the rendering; then, where the document was deleted meanwhile (its tombstone is
    written before the deletion lists the document's objects, so a rendering written after
    that listing is found here), remove it again: nothing of a deleted document stays."""
    try:
        await gw.s3(gw.store.put_bytes(cache, png, content_type="image/png"))
        gone = await deleted_documents(gw.es, deletions_index(gw.settings), {document_id: None})
        if gone:
            await gw.s3(gw.store.remove(cache))
            log.info("page of a deleted document not cached", extra={"document_id": document_id})
    except Exception as exc:  # the page was shown; the next view renders it again
        log.warning("page cache write failed", extra={"error_type": type(exc).__name__})
