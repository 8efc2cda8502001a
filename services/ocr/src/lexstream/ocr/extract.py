"""Text recovery for every non-audio format: the front door of the ocr domain.

``extract_text`` picks the first plugin (:mod:`lexstream.ocr.extractors`, one module per
format family) whose ``matches(media_type)`` is true and runs it, with the Tesseract pool it
is given for scanned pages. Nothing here knows about Kafka or S3: the service's stage calls
``extract_text`` and stores what it returns.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from lexstream.ocr.errors import ExtractionError, ExtractorUnavailableError
from lexstream.ocr.extractors.base import (
    EXTRACTOR_VERSION,
    Attachment,
    ExtractionContext,
    ExtractionResult,
    Extractor,
    OcrOptions,
    PageOcr,
    Progress,
)
from lexstream.ocr.extractors.html import HtmlExtractor
from lexstream.ocr.extractors.image import ImageExtractor
from lexstream.ocr.extractors.mail import EmlExtractor, MsgExtractor
from lexstream.ocr.extractors.office import OfficeExtractor
from lexstream.ocr.extractors.pdf import PdfExtractor
from lexstream.ocr.extractors.plaintext import PlainTextExtractor
from lexstream.ocr.languages import SUPPORTED_LANGUAGES
from lexstream.ocr.tesseract.pool import OcrPool, OnDemandOcr

__all__ = [
    "EXTRACTORS",
    "EXTRACTOR_VERSION",
    "SUPPORTED_LANGUAGES",
    "Attachment",
    "ExtractionError",
    "ExtractionResult",
    "Extractor",
    "ExtractorUnavailableError",
    "OcrOptions",
    "OcrPool",
    "PageOcr",
    "extract_text",
    "extractor_for",
]

logger = logging.getLogger(__name__)

#: Tried in order; the first that matches the media type extracts.
EXTRACTORS: tuple[Extractor, ...] = (
    PdfExtractor(),
    ImageExtractor(),
    OfficeExtractor(),
    HtmlExtractor(),
    EmlExtractor(),
    MsgExtractor(),
    PlainTextExtractor(),
)


def extractor_for(media_type: str) -> Extractor | None:
    normalised = media_type.split(";")[0].strip().lower()
    return next((e for e in EXTRACTORS if e.matches(normalised)), None)


def extract_text(
    path: Path,
    *,
    media_type: str,
    document_id: str,
    options: OcrOptions,
    progress: Progress | None = None,
    pool: PageOcr | None = None,
) -> ExtractionResult:
    """Recover the text of the file at ``path`` page by page.

    Raises :class:`ExtractionError` when the file itself is at fault (the message says
    why, for a person), :class:`ExtractorUnavailableError` when a needed tool is missing.
    ``pool`` reads scanned pages: a long-lived :class:`OcrPool` to reuse across calls, or
    (None) an :class:`OnDemandOcr` with ``options.workers`` processes. The result's
    ``searchable_pdf`` lives in a temporary folder: call ``result.cleanup()`` once stored.
    Not safe to call from several threads at once in one process (PDFium is guarded by a
    lock, Tesseract runs in worker processes, but callers should still use one thread).
    """
    extractor = extractor_for(media_type)
    if extractor is None:
        raise ExtractionError(f"no text extractor for media type {media_type!r}")
    if not path.is_file():
        raise ExtractionError(f"file {path.name!r} does not exist")
    if path.stat().st_size == 0:
        raise ExtractionError("file is empty")
    work_dir = Path(tempfile.mkdtemp(prefix="lexstream-ocr-", dir=options.work_dir))
    ctx = ExtractionContext(
        document_id=document_id,
        media_type=media_type.split(";")[0].strip().lower(),
        options=options,
        progress=progress,
        work_dir=work_dir,
        ocr=pool if pool is not None else OnDemandOcr(options.workers),
        declared_charset=_charset_of(media_type),
    )
    try:
        result = extractor.extract(path, ctx)
    except BaseException:
        shutil.rmtree(work_dir, ignore_errors=True)
        raise
    logger.info(
        "extracted %s with %s: %d pages, %d warnings",
        document_id,
        extractor.name,
        len(result.text.pages),
        len(result.text.warnings) + sum(len(p.warnings) for p in result.text.pages),
    )
    if result.searchable_pdf is None:
        shutil.rmtree(work_dir, ignore_errors=True)
    else:
        # Only the searchable PDF is kept; intermediate page files go now.
        for leftover in work_dir.iterdir():
            if leftover != result.searchable_pdf:
                if leftover.is_dir():
                    shutil.rmtree(leftover, ignore_errors=True)
                else:
                    leftover.unlink(missing_ok=True)
        result.work_dir = work_dir
    return result


def _charset_of(media_type: str) -> str | None:
    for parameter in media_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return None
