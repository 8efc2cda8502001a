"""PDF: the text layer where it is sound, OCR for the pages where it is not (page by page)."""

from __future__ import annotations

import ctypes
import difflib
import functools
import logging
import re
import struct
from pathlib import Path
from typing import Any, NamedTuple

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pypdfium2_raw

from lexstream.ocr.columns import reorder_columns
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
    render_page_image,
    run_ocr,
    tessdata_for,
    with_scan_tables,
)
from lexstream.ocr.extractors.quality import judge_text_layer
from lexstream.ocr.languages import document_language, page_language
from lexstream.ocr.tables import page_may_hold_table, pdf_tables
from lexstream.shared.artifacts import Page, Table, TextDocument, TextMethod, WordBox

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
    stamps: dict[int, _Layer] = {}
    table_candidates: dict[int, list[WordBox]] = {}
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
                layer = _read_text_layer(document, index, options.dpi, options.min_chars_per_page)
                page_text, reason, (width, height), words = layer[:4]
                if reason is None:
                    reordered = reorder_columns(page_text, words, width or 0.0)
                    if reordered is not None:
                        page_text, words = reordered
                    if page_may_hold_table(layer.rulings, words, width or 0.0):
                        table_candidates[index] = words
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
                    if layer.stamp:
                        stamps[index] = layer
                        ocr_notes[index] = [f"{STAMP_ONLY}; page was OCR'd and the stamp kept"]
                    elif page_text.strip():
                        ocr_notes[index] = [f"{reason}; page was OCR'd instead"]
        finally:
            document.close()

    for index, tables in _text_layer_tables(path, table_candidates, options.dpi).items():
        text_pages[index] = text_pages[index].model_copy(update={"tables": tables})
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
        else _with_stamp(
            ocr_page_to_page(ocr_results[index], ocr_notes.get(index)),
            stamps.get(index),
            ocr_results[index],
        )
        for index in range(total)
    ]
    pages = [
        _with_scan_tables(page, path, ocr_results[i]) if i in ocr_results else page
        for i, page in enumerate(pages)
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


def _text_layer_tables(
    path: Path, candidates: dict[int, list[WordBox]], dpi: int
) -> dict[int, list[Table]]:
    """Tables of the text-layer pages the gate let through; none where they cannot be read
    (tables add to the text, they never fail a document)."""
    try:
        return pdf_tables(path, candidates, dpi)
    except Exception:  # pdfminer's parser raises anything on a PDF PDFium could read
        logger.warning("tables could not be read from %s", path.name, exc_info=True)
        return {}


def _with_scan_tables(page: Page, path: Path, ocr: PageOcrResult) -> Page:
    return with_scan_tables(
        page, ocr, lambda: render_page_image(path, ocr.index, ocr.width, ocr.height)
    )


def _with_stamp(page: Page, stamp: _Layer | None, ocr: PageOcrResult) -> Page:
    """The OCR'd ``page`` with the text layer's stamp lines first: the stamp's own text
    (exact, unlike its OCR reading) and word boxes, then the OCR text without the lines that
    are the stamp read again (the stamp is drawn on the page that OCR renders)."""
    if stamp is None:
        return page
    stamp_lines = [" ".join(line.split()) for line in stamp.text.split("\n") if line.strip()]
    kept = [line for line in page.text.split("\n") if not _is_stamp_line(line, stamp_lines)]
    body = "\n".join(kept).strip()
    words = list(page.words)
    stamp_words: list[WordBox] = []
    width, _ = stamp.size
    if stamp.words and not ocr.rotation and width and ocr.width:
        factor = ocr.width / width
        stamp_words = [
            word.model_copy(
                update={
                    "left": round(word.left * factor),
                    "top": round(word.top * factor),
                    "width": max(1, round(word.width * factor)),
                    "height": max(1, round(word.height * factor)),
                }
            )
            for word in stamp.words
        ]
        # OCR's words for the stamp's lines go with those lines: any OCR word whose middle
        # lies within a stamp word's height band and horizontal extent is the stamp again.
        words = [w for w in words if not any(_overlaps(w, s) for s in stamp_words)]
    return page.model_copy(
        update={
            "text": "\n".join([*stamp_lines, body]) if body else "\n".join(stamp_lines),
            "words": [*stamp_words, *words],
        }
    )


def _is_stamp_line(line: str, stamp_lines: list[str]) -> bool:
    normal = " ".join(line.split())
    if not normal:
        return False
    return any(
        difflib.SequenceMatcher(None, normal, stamp).ratio() >= _SAME_LINE for stamp in stamp_lines
    )


_SAME_LINE = 0.8  # OCR reads a printed stamp with a few characters wrong, not more


def _overlaps(word: WordBox, stamp: WordBox) -> bool:
    middle_x = word.left + word.width / 2
    middle_y = word.top + word.height / 2
    return (
        stamp.left <= middle_x <= stamp.left + stamp.width
        and stamp.top <= middle_y <= stamp.top + stamp.height
    )


class _Layer(NamedTuple):
    """One page's text layer as read: its text, why it is not usable (None: it is), the
    page size in pixels at the DPI, its word boxes, and whether the text is only a stamp or
    header line over a page-size image (then the page is OCR'd and the text kept first)."""

    text: str
    reason: str | None
    size: tuple[float | None, float | None]
    words: list[WordBox]
    stamp: bool = False
    rulings: int = 0  # path objects drawn (lines, rectangles): the gate for ruled tables


def _read_text_layer(document: pdfium.PdfDocument, index: int, dpi: int, min_chars: int) -> _Layer:
    try:
        page = document[index]
    except pdfium.PdfiumError as exc:
        return _Layer("", f"unreadable page: {exc}", (None, None), [])
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
                return _Layer("", empty, size, [])
            # Short text on a page without pictures is a genuinely short page (a signature
            # page, an exhibit cover); it goes to OCR only when it also carries images. The
            # images are looked for only where they can matter: too little text, or little
            # enough to be a stamp (a full page of text is neither, whatever it draws).
            cover: float | None = None
            visible = len("".join(text.split()))
            if visible < min_chars or visible <= _STAMP_MAX_LINES * _STAMP_MAX_LINE_CHARS:
                cover = _image_cover(page)
                if cover is None:
                    min_chars = 1
            reason = judge_text_layer(text, min_chars).reason
            stamp = (
                cover is not None
                and (reason is None or _SHORT.match(reason) is not None)
                and _stamp_only(text, width_pt, height_pt, cover)
            )
            if stamp:
                reason = reason or STAMP_ONLY
            words = [] if reason and not stamp else _word_boxes(page, textpage, raw, dpi / 72)
            rulings = _count_paths(page) if reason is None else 0
            return _Layer(text.strip(), reason, size, words, stamp, rulings)
        finally:
            textpage.close()
    finally:
        page.close()


#: Why a page whose text layer is only an e-filing stamp, a Bates number or one header or
#: footer line over a scanned image is OCR'd (its text is kept, first).
STAMP_ONLY = "text layer holds only a stamp or header line over a page-size image"
_SHORT = re.compile(r"text layer has \d+ characters$")  # judge_text_layer: too few
#: A scan behind a stamp: images cover most of the page, the text is at most a header, a
#: footer and a Bates line, each short, mostly letters and digits, and sparse for the page's
#: area (a full page of text holds some 30 characters a square inch, a stamp under one).
_STAMP_MIN_COVER = 0.6
_STAMP_MAX_LINES = 3
_STAMP_MAX_LINE_CHARS = 160
_STAMP_MAX_CHARS_PER_SQ_INCH = 4.0
_STAMP_MIN_ALNUM = 0.5


def _stamp_only(text: str, width_pt: float, height_pt: float, cover: float) -> bool:
    """Whether ``text`` is only a stamp, Bates number or header line over a scanned page:
    decided by structure (image cover, line count and length, characters per page area,
    the share of letters and digits), not by any vendor's wording."""
    if cover < _STAMP_MIN_COVER:
        return False
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines or len(lines) > _STAMP_MAX_LINES:
        return False
    if any(len(line.strip()) > _STAMP_MAX_LINE_CHARS for line in lines):
        return False
    visible = [ch for line in lines for ch in line if not ch.isspace()]
    square_inches = max(width_pt * height_pt / (72 * 72), 1.0)
    if len(visible) / square_inches > _STAMP_MAX_CHARS_PER_SQ_INCH:
        return False
    return sum(ch.isalnum() for ch in visible) >= _STAMP_MIN_ALNUM * len(visible)


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
    # words a page and hundreds of pages a second. The eight doubles (first and last
    # character: left, right, bottom, top) live in one buffer read back in one unpack.
    handle = ctypes.c_void_p(ctypes.cast(textpage.raw, ctypes.c_void_p).value)
    buffer = (ctypes.c_double * 8)()
    refs = [ctypes.byref(buffer, 8 * k) for k in range(8)]
    first, last = refs[:4], refs[4:]
    unpack = _EIGHT_DOUBLES.unpack_from
    char_box = _char_box()
    words: list[WordBox] = []
    append = words.append
    for match in _WORD.finditer(raw):
        start, end = match.span()
        char_box(handle, start, *first)
        if end - start > 1:
            char_box(handle, end - 1, *last)
            l1, r1, b1, t1, l2, r2, b2, t2 = unpack(buffer)
            left = l1 if l1 < l2 else l2
            right = r1 if r1 > r2 else r2
            bottom = b1 if b1 < b2 else b2
            top = t1 if t1 > t2 else t2
        else:
            left, right, bottom, top = unpack(buffer)[:4]
        if right <= left or top <= bottom:
            continue  # characters without a box (generated by PDFium)
        width = round((right - left) * scale)
        height = round((top - bottom) * scale)
        append(
            WordBox(
                text=match.group(),
                left=round(left * scale),
                top=round((height_pt - top) * scale),
                width=width if width > 1 else 1,
                height=height if height > 1 else 1,
            )
        )
    return words


_EIGHT_DOUBLES = struct.Struct("8d")


_IMAGES = frozenset({pdfium_c.FPDF_PAGEOBJ_IMAGE})
_NON_TEXT = frozenset(
    {
        pdfium_c.FPDF_PAGEOBJ_IMAGE,
        pdfium_c.FPDF_PAGEOBJ_PATH,
        pdfium_c.FPDF_PAGEOBJ_SHADING,
        pdfium_c.FPDF_PAGEOBJ_FORM,
    }
)


def _count_paths(page: pdfium.PdfPage) -> int:
    """How many path objects (lines, rectangles) the page draws at its top level, through
    PDFium's C functions (no Python object per page object)."""
    handle = page.raw
    return sum(
        pdfium_c.FPDFPageObj_GetType(pdfium_c.FPDFPage_GetObject(handle, i))
        == pdfium_c.FPDF_PAGEOBJ_PATH
        for i in range(pdfium_c.FPDFPage_CountObjects(handle))
    )


def _draws(page: pdfium.PdfPage, kinds: frozenset[int]) -> bool:
    """Whether the page has any object of ``kinds`` (images, paths, ...)."""
    return any(obj.type in kinds for obj in page.get_objects(max_depth=3))


def _image_cover(page: pdfium.PdfPage) -> float | None:
    """The share of the page's area that its images cover (capped at 1), or None where it
    has no image at all. An image inside a form XObject counts with the form's bounds.

    Through PDFium's C functions, without a Python object per page object: a text page has
    hundreds of text objects and this runs on every page."""
    handle = page.raw
    area = 0.0
    found = False
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    page_left, page_bottom, page_right, page_top = page.get_bbox()
    for i in range(pdfium_c.FPDFPage_CountObjects(handle)):
        obj = pdfium_c.FPDFPage_GetObject(handle, i)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
            continue
        if kind != pdfium_c.FPDF_PAGEOBJ_IMAGE and not (
            kind == pdfium_c.FPDF_PAGEOBJ_FORM and _form_has_image(obj, _FORM_DEPTH)
        ):
            continue
        found = True
        if pdfium_c.FPDFPageObj_GetBounds(
            obj, ctypes.byref(left), ctypes.byref(bottom), ctypes.byref(right), ctypes.byref(top)
        ):
            width = min(right.value, page_right) - max(left.value, page_left)
            height = min(top.value, page_top) - max(bottom.value, page_bottom)
            if width > 0 and height > 0:
                area += width * height
    if not found:
        return None
    page_area = (page_right - page_left) * (page_top - page_bottom)
    return min(1.0, area / page_area) if page_area > 0 else 0.0


_FORM_DEPTH = 1  # forms inside forms looked into, as _draws does (max_depth=3)


def _form_has_image(form: Any, depth: int) -> bool:
    for i in range(pdfium_c.FPDFFormObj_CountObjects(form)):
        obj = pdfium_c.FPDFFormObj_GetObject(form, i)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            return True
        if kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth > 0 and _form_has_image(obj, depth - 1):
            return True
    return False
