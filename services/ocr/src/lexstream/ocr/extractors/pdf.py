"""PDF: the text layer where it is sound, OCR for the pages where it is not (page by page)."""

from __future__ import annotations

import ctypes
import functools
import logging
import re
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pypdfium2_raw

from lexstream.ocr.errors import ExtractionError
from lexstream.ocr.extractors.base import (
    EXTRACTOR_VERSION,
    ExtractionContext,
    ExtractionResult,
    PageOcrResult,
)
from lexstream.ocr.extractors.ocrplan import (
    PDFIUM_LOCK,
    merge_pdf,
    ocr_page_to_page,
    plan_language,
    run_ocr,
    tessdata_for,
)
from lexstream.ocr.extractors.quality import judge_text_layer
from lexstream.ocr.languages import document_language, page_language
from lexstream.shared.artifacts import Page, TextDocument, TextMethod, WordBox

logger = logging.getLogger(__name__)

_OPEN_ERRORS = {
    pdfium_c.FPDF_ERR_PASSWORD: "PDF is encrypted and needs a password to open",
    pdfium_c.FPDF_ERR_SECURITY: "PDF uses an unsupported encryption (security handler)",
    pdfium_c.FPDF_ERR_FILE: "PDF file cannot be read",
}


class PdfExtractor:
    name = "pdf"
    media_types = frozenset({"application/pdf", "application/x-pdf"})

    def matches(self, media_type: str) -> bool:
        return media_type in self.media_types

    def extract(self, path: Path, ctx: ExtractionContext) -> ExtractionResult:
        return extract_pdf(path, ctx, text_layer_method="text-layer")


def open_pdf(path: Path) -> pdfium.PdfDocument:
    with path.open("rb") as handle:
        head = handle.read(1024)
    if b"%PDF-" not in head:
        raise ExtractionError("not a PDF: the file has no %PDF- header")
    try:
        document = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        reason = _OPEN_ERRORS.get(code) if code != pdfium_c.FPDF_ERR_FORMAT else None
        if code in _ENCRYPTION_ERRORS and not _mentions_encryption(path):
            # PDFium's last-error code is not reset by every failing load: a password error
            # left by an earlier encrypted file must not name this one (found with a
            # zero-page PDF right after an encrypted one).
            reason = None
        raise ExtractionError(reason or _diagnose(path)) from exc
    return document


_ENCRYPTION_ERRORS = frozenset({pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY})


def _mentions_encryption(path: Path) -> bool:
    """Whether the file has an /Encrypt entry anywhere in its first 64 MiB or its tail."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        if b"/Encrypt" in handle.read(_DIAGNOSE_BYTES):
            return True
        handle.seek(max(0, size - 1024 * 1024))
        return b"/Encrypt" in handle.read()


def _diagnose(path: Path) -> str:
    """Say, for a person, why PDFium could not open ``path``."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        data = handle.read(_DIAGNOSE_BYTES)
        handle.seek(max(0, size - 2048))
        tail = handle.read()
    if not _OBJECT.search(data):
        return "PDF has a header but no content (no objects): it is empty or cut short"
    if _ZERO_PAGES.search(data) and not _PAGE.search(data):
        return "PDF has no pages"
    if b"%%EOF" not in tail:
        return "PDF is truncated (it stops before its end-of-file marker) and cannot be repaired"
    return "PDF is damaged: its structure cannot be read"


_DIAGNOSE_BYTES = 64 * 1024 * 1024
_OBJECT = re.compile(rb"\d+\s+\d+\s+obj\b")
_ZERO_PAGES = re.compile(rb"/Count\s+0\b")
_PAGE = re.compile(rb"/Type\s*/Page(?!s)")


def _looks_truncated(path: Path) -> bool:
    size = path.stat().st_size
    with path.open("rb") as handle:
        handle.seek(max(0, size - 2048))
        return b"%%EOF" not in handle.read()


def extract_pdf(
    path: Path, ctx: ExtractionContext, text_layer_method: TextMethod
) -> ExtractionResult:
    """Text of every page of ``path``; ``text_layer_method`` names a sound text layer."""
    options = ctx.options
    doc_warnings: list[str] = []
    text_pages: dict[int, Page] = {}
    needs_ocr: list[int] = []
    ocr_notes: dict[int, list[str]] = {}
    with PDFIUM_LOCK:
        document = open_pdf(path)
        try:
            total = len(document)
            if total == 0:
                raise ExtractionError("PDF has no pages")
            if _looks_truncated(path):
                doc_warnings.append(
                    "PDF looks truncated (no %%EOF marker at the end); pages were recovered"
                    " as far as they could be read"
                )
            for index in range(total):
                page_text, reason, sized, words = _read_text_layer(
                    document, index, options.dpi, options.min_chars_per_page
                )
                width, height = sized
                if reason is None:
                    text_pages[index] = Page(
                        number=index + 1,
                        text=page_text,
                        method=text_layer_method,
                        language=page_language(page_text),
                        width=width,
                        height=height,
                        words=words,
                    )
                elif reason == "blank":
                    text_pages[index] = Page(
                        number=index + 1,
                        text=page_text,
                        method=text_layer_method,
                        width=width,
                        height=height,
                        warnings=["page is blank"],
                    )
                elif reason.startswith("unreadable"):
                    text_pages[index] = Page(
                        number=index + 1, text="", method=text_layer_method, warnings=[reason]
                    )
                else:
                    needs_ocr.append(index)
                    if page_text.strip():
                        ocr_notes[index] = [f"{reason}; page was OCR'd instead"]
        finally:
            document.close()

    done = len(text_pages)
    ctx.report(done, total)
    ocr_results: dict[int, PageOcrResult] = {}
    plan_warnings: list[str] = []
    if needs_ocr:
        tessdata = tessdata_for(ctx)
        sample = "\n".join(page.text for page in text_pages.values())[:20_000]
        plan = plan_language(ctx, tessdata, sample)
        plan_warnings = plan.warnings

        def on_page(result: PageOcrResult) -> None:
            nonlocal done
            ocr_results[result.index] = result
            done += 1
            ctx.report(done, total)

        run_ocr(ctx, "pdf", path, needs_ocr, plan, tessdata, on_page)

    pages = [
        text_pages[index]
        if index in text_pages
        else ocr_page_to_page(ocr_results[index], ocr_notes.get(index))
        for index in range(total)
    ]
    searchable: Path | None = None
    if options.searchable_pdf and ocr_results:
        parts = [
            (Path(ocr_results[i].pdf_path or ""), 0) if i in ocr_results else (path, i)
            for i in range(total)
        ]
        searchable = merge_pdf(parts, ctx.work_dir / "searchable.pdf")
    text = TextDocument(
        document_id=ctx.document_id,
        media_type=ctx.media_type,
        pages=pages,
        language=document_language(pages),
        extractor=f"{EXTRACTOR_VERSION} pdf",
        warnings=[*doc_warnings, *plan_warnings],
    )
    return ExtractionResult(text=text, searchable_pdf=searchable)


def _read_text_layer(
    document: pdfium.PdfDocument, index: int, dpi: int, min_chars: int
) -> tuple[str, str | None, tuple[float | None, float | None], list[WordBox]]:
    """(text, why it is not usable or None, page size in pixels at ``dpi``, word boxes)."""
    try:
        page = document[index]
    except pdfium.PdfiumError as exc:
        return "", f"unreadable page: {exc}", (None, None), []
    try:
        width_pt, height_pt = page.get_size()
        size = (round(width_pt * dpi / 72, 1), round(height_pt * dpi / 72, 1))
        textpage = page.get_textpage()
        try:
            raw = textpage.get_text_range()
            text = raw.replace("\r\n", "\n").replace("\r", "\n")
            if not text.strip():
                # Nothing but text objects (or nothing at all): a blank page, nothing to OCR.
                empty = "blank" if not _draws(page, _NON_TEXT) else "page has no text layer"
                return "", empty, size, []
            # Short text on a page without pictures is a genuinely short page (a signature
            # page, an exhibit cover); it goes to OCR only when it also carries images.
            if not _draws(page, _IMAGES):
                min_chars = 1
            reason = judge_text_layer(text, min_chars).reason
            words = [] if reason else _word_boxes(page, textpage, raw, dpi / 72)
            return text.strip(), reason, size, words
        finally:
            textpage.close()
    finally:
        page.close()


_WORD = re.compile(r"\S+")


@functools.cache
def _char_box() -> Any:
    """``FPDFText_GetCharBox`` of the PDFium library pypdfium2 has loaded (the same file, so
    the same loaded library), without argument types: (textpage, index, 4 x double*)."""
    library = ctypes.CDLL(str(Path(pypdfium2_raw.__file__).parent / "libpdfium.so"))
    function = library.FPDFText_GetCharBox
    function.restype = ctypes.c_int
    return function


def _word_boxes(
    page: pdfium.PdfPage, textpage: pdfium.PdfTextPage, raw: str, scale: float
) -> list[WordBox]:
    """Boxes of the text layer's words in pixels at the page's DPI, top-left origin (as OCR
    gives them): the union of each word's first and last character box.

    Empty where PDFium's character indices do not line up with the text (characters outside
    the Basic Multilingual Plane count twice there) or the page is rotated.
    """
    if page.get_rotation() or textpage.count_chars() != len(raw):
        return []
    _, height_pt = page.get_size()
    # PDFium's C function called with reused out-parameters and no ctypes argument
    # conversion: about half the cost of pypdfium2's get_charbox, which matters at hundreds of
    # words a page and hundreds of pages a second.
    handle = ctypes.c_void_p(ctypes.cast(textpage.raw, ctypes.c_void_p).value)
    box = [ctypes.c_double() for _ in range(8)]
    refs = [ctypes.byref(value) for value in box]
    char_box = _char_box()
    words = []
    for match in _WORD.finditer(raw):
        char_box(handle, match.start(), *refs[:4])  # left, right, bottom, top
        char_box(handle, match.end() - 1, *refs[4:])
        left, right = min(box[0].value, box[4].value), max(box[1].value, box[5].value)
        bottom, top = min(box[2].value, box[6].value), max(box[3].value, box[7].value)
        if right <= left or top <= bottom:
            continue  # characters without a box (generated by PDFium)
        words.append(
            WordBox(
                text=match.group(),
                left=round(left * scale),
                top=round((height_pt - top) * scale),
                width=max(1, round((right - left) * scale)),
                height=max(1, round((top - bottom) * scale)),
            )
        )
    return words


_IMAGES = frozenset({pdfium_c.FPDF_PAGEOBJ_IMAGE})
_NON_TEXT = frozenset(
    {
        pdfium_c.FPDF_PAGEOBJ_IMAGE,
        pdfium_c.FPDF_PAGEOBJ_PATH,
        pdfium_c.FPDF_PAGEOBJ_SHADING,
        pdfium_c.FPDF_PAGEOBJ_FORM,
    }
)


def _draws(page: pdfium.PdfPage, kinds: frozenset[int]) -> bool:
    """Whether the page has any object of ``kinds`` (images, paths, ...)."""
    return any(obj.type in kinds for obj in page.get_objects(max_depth=3))
