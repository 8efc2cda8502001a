"""The OCR half of the PDF and image extractors: choose a language, OCR pages, build pages.

The pages are read by the context's :class:`~lexstream.ocr.extractors.base.PageOcr`; this
module only describes them (:class:`~lexstream.ocr.extractors.base.PageJob`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pypdfium2 as pdfium
from PIL import Image

from lexstream.ocr.errors import ExtractorUnavailableError
from lexstream.ocr.extractors.base import ExtractionContext, PageJob, PageOcrResult
from lexstream.ocr.languages import detect_language, find_tessdata, to_iso, to_tesseract
from lexstream.ocr.tables import page_may_hold_table, scan_tables
from lexstream.shared.artifacts import Page, WordBox

logger = logging.getLogger(__name__)

#: PDFium is not thread-safe; every use of it in the calling process takes this lock.
PDFIUM_LOCK = threading.Lock()


@dataclass
class LanguagePlan:
    language: str | None  # Tesseract code, or None: detect on the first OCR'd page
    recheck: bool  # let each page switch language when its text says so
    candidates: tuple[str, ...]
    warnings: list[str] = field(default_factory=list)


def plan_language(ctx: ExtractionContext, tessdata: Path, sample_text: str) -> LanguagePlan:
    """Pick the OCR language without loading all seven models at once (which is ~7x slower).

    A hint wins. Otherwise a text layer on other pages decides, and failing that the first
    OCR'd page is read with the English model, its language identified from its function
    words, and re-read with the right model if needed; later pages start from that answer.
    """
    installed = tuple(
        code
        for code in ctx.options.tesseract_languages()
        if (tessdata / f"{code}.traineddata").is_file()
    )
    if not installed:
        raise ExtractorUnavailableError(
            f"none of the OCR languages {ctx.options.languages!r} is installed in {tessdata}"
        )
    notes: list[str] = []
    hint = ctx.options.language_hint
    if hint:
        code = to_tesseract(hint)
        if code in installed:
            return LanguagePlan(code, False, installed)
        notes.append(f"language hint {hint!r} is not supported for OCR; detecting instead")
    if len(installed) == 1:
        return LanguagePlan(installed[0], False, installed, notes)
    iso_candidates = [iso for code in installed if (iso := to_iso(code))]
    guess = detect_language(sample_text, iso_candidates) if sample_text else None
    if guess is not None and guess.confident:
        return LanguagePlan(to_tesseract(guess.language), True, installed, notes)
    return LanguagePlan(None, True, installed, notes)


def run_ocr(
    ctx: ExtractionContext,
    source: Literal["pdf", "image"],
    path: Path,
    indexes: list[int],
    plan: LanguagePlan,
    tessdata: Path,
    on_page: Callable[[PageOcrResult], None],
) -> None:
    """OCR ``indexes`` of ``path``; the first page alone when the language is still unknown."""
    options = ctx.options

    def job(index: int, language: str | None) -> PageJob:
        outbase = str(ctx.work_dir / f"ocr-{index:05d}") if options.searchable_pdf else None
        return PageJob(
            source=source,
            path=str(path),
            index=index,
            dpi=options.dpi,
            min_dpi=options.min_dpi,
            max_page_pixels=options.max_page_pixels,
            tessdata=str(tessdata),
            language=language,
            candidates=plan.candidates,
            recheck_language=plan.recheck,
            detect_rotation=options.detect_rotation,
            rotation_min_confidence=options.rotation_min_confidence,
            pdf_outbase=outbase,
        )

    remaining = list(indexes)
    language = plan.language
    if language is None and remaining:
        first: list[PageOcrResult] = []
        ctx.ocr.map_pages([job(remaining.pop(0), None)], first.append)
        language = first[0].language
        on_page(first[0])
    if remaining:
        ctx.ocr.map_pages([job(index, language) for index in remaining], on_page)


def tessdata_for(ctx: ExtractionContext) -> Path:
    return find_tessdata(ctx.options.tessdata_dir)


def ocr_page_to_page(result: PageOcrResult, extra_warnings: list[str] | None = None) -> Page:
    return Page(
        number=result.index + 1,
        text=result.text,
        method="ocr",
        confidence=round(result.confidence, 2) if result.confidence is not None else None,
        language=to_iso(result.language),
        width=result.width,
        height=result.height,
        words=[
            WordBox(text=t, left=x, top=y, width=w, height=h, confidence=round(c, 2))
            for t, x, y, w, h, c in result.words
        ],
        warnings=[
            *(extra_warnings or []),
            *result.warnings,
            *([] if result.text.strip() else [NOTHING_RECOGNISED]),
        ],
    )


NOTHING_RECOGNISED = (
    "OCR recognised no text on this page (it is blank, or its image could not be decoded)"
)


def merge_pdf(parts: list[tuple[Path, int]], out: Path) -> Path:
    """Write a PDF made of page ``index`` of each ``path`` in ``parts``, in order."""
    with PDFIUM_LOCK:
        merged = pdfium.PdfDocument.new()
        opened: dict[Path, pdfium.PdfDocument] = {}
        try:
            for source, index in parts:
                document = opened.get(source)
                if document is None:
                    document = opened[source] = pdfium.PdfDocument(source)
                merged.import_pages(document, [index])
            merged.save(out)
        finally:
            for document in opened.values():
                document.close()
            merged.close()
    return out


def render_page_image(path: Path, index: int, width: int, height: int) -> Image.Image:
    """Page ``index`` of the PDF at ``path`` rendered to ``width`` x ``height`` pixels in
    grey (the size OCR read it at, so its word boxes fit the image)."""
    with PDFIUM_LOCK:
        document = pdfium.PdfDocument(path)
        try:
            page = document[index]
            try:
                page_width, page_height = page.get_size()
                scale = min(width / page_width, height / page_height)
                bitmap = page.render(scale=scale, grayscale=True)
                image: Image.Image = bitmap.to_pil()
                bitmap.close()
            finally:
                page.close()
        finally:
            document.close()
    return image


def with_scan_tables(page: Page, ocr: PageOcrResult, load_image: Callable[[], Image.Image]) -> Page:
    """An OCR'd page with the tables found in its image (``load_image``: the page as OCR
    read it), when its words stand in aligned columns (the gate) and it was read upright.
    Tables add to the text: whatever goes wrong finding them leaves the page as it was."""
    if ocr.rotation or not page.words or not page_may_hold_table(0, page.words, ocr.width):
        return page
    try:
        image = load_image()
        if image.size != (ocr.width, ocr.height):
            image = image.resize((ocr.width, ocr.height))
        tables = scan_tables(image, page.words)
    except Exception:  # OpenCV and img2table raise anything on an odd image
        logger.warning("tables of scanned page %d could not be read", ocr.index + 1, exc_info=True)
        return page
    return page.model_copy(update={"tables": tables}) if tables else page
