"""Tesseract through its C API (tesserocr): one engine per process, one page at a time.

The engine reads the :class:`~lexstream.ocr.extractors.base.PageJob` the PDF and image
extractors describe; :mod:`lexstream.ocr.tesseract.pool` runs it in worker processes.

Pages are rendered here, in the process that OCRs them, so a page image never crosses a
process boundary and memory stays bounded by (workers x one page).
"""

from __future__ import annotations

import logging
import math
from collections import OrderedDict
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from PIL import Image

from lexstream.ocr.errors import ExtractionError, ExtractorUnavailableError
from lexstream.ocr.extractors.base import PageJob, PageOcrResult
from lexstream.ocr.extractors.raster import load_image_frame
from lexstream.ocr.languages import detect_language, to_iso, to_tesseract

logger = logging.getLogger(__name__)


class TesseractEngine:
    """Keeps one initialised Tesseract API per language (a few at most) and one for OSD."""

    def __init__(self, tessdata: str, max_apis: int = 3) -> None:
        self.tessdata = tessdata
        self._apis: OrderedDict[str, Any] = OrderedDict()
        self._osd: Any = None
        self._max_apis = max_apis
        self._pdf_path: str | None = None
        self._pdf: pdfium.PdfDocument | None = None

    def close(self) -> None:
        for api in self._apis.values():
            api.End()
        self._apis.clear()
        if self._osd is not None:
            self._osd.End()
            self._osd = None
        self._close_pdf()

    def _close_pdf(self) -> None:
        if self._pdf is not None:
            self._pdf.close()
            self._pdf = None
            self._pdf_path = None

    def _api(self, language: str) -> Any:
        from tesserocr import PSM, PyTessBaseAPI

        api = self._apis.get(language)
        if api is None:
            if not (Path(self.tessdata) / f"{language}.traineddata").is_file():
                raise ExtractorUnavailableError(f"Tesseract model {language!r} is not installed")
            api = PyTessBaseAPI(path=self.tessdata, lang=language, psm=PSM.AUTO)
            self._apis[language] = api
            while len(self._apis) > self._max_apis:
                _, old = self._apis.popitem(last=False)
                old.End()
        self._apis.move_to_end(language)
        return api

    def _osd_api(self) -> Any:
        from tesserocr import PSM, PyTessBaseAPI

        if self._osd is None:
            self._osd = PyTessBaseAPI(path=self.tessdata, lang="osd", psm=PSM.OSD_ONLY)
        return self._osd

    # -- page images ------------------------------------------------------------------

    def load_page(self, job: PageJob, warnings_out: list[str]) -> tuple[Image.Image, int]:
        if job.source == "pdf":
            return self._render_pdf_page(job, warnings_out)
        return load_image_frame(Path(job.path), job.index, job.max_page_pixels), 0

    def _render_pdf_page(self, job: PageJob, warnings_out: list[str]) -> tuple[Image.Image, int]:
        if self._pdf_path != job.path:
            self._close_pdf()
            self._pdf = pdfium.PdfDocument(job.path)
            self._pdf_path = job.path
        assert self._pdf is not None
        page = self._pdf[job.index]
        try:
            width_pt, height_pt = page.get_size()
            dpi = fit_dpi(width_pt, height_pt, job.dpi, job.max_page_pixels)
            if dpi < job.min_dpi:
                raise ExtractionError(
                    f"page {job.index + 1} is {width_pt / 72:.0f} x {height_pt / 72:.0f} inches:"
                    f" too large to render for OCR even at {job.min_dpi} dpi"
                    f" (limit {job.max_page_pixels:,} pixels)"
                )
            if dpi < job.dpi:
                warnings_out.append(
                    f"page {job.index + 1} is large; OCR'd at {dpi} dpi instead of {job.dpi}"
                )
            bitmap = page.render(scale=dpi / 72, grayscale=True)
            image = bitmap.to_pil()
            bitmap.close()
        finally:
            page.close()
        return image, dpi

    # -- OCR ----------------------------------------------------------------------------

    def orientation(self, image: Image.Image) -> tuple[int, float, str | None] | None:
        """(degrees to rotate counter-clockwise, confidence, script) or None when unsure."""
        osd = self._osd_api()
        osd.SetImage(image)
        try:
            result = osd.DetectOrientationScript()
        except RuntimeError:
            return None
        if not result:
            return None
        return int(result["orient_deg"]), float(result["orient_conf"]), result.get("script_name")

    def recognise(
        self, image: Image.Image, dpi: int, language: str, pdf_outbase: str | None
    ) -> tuple[str, list[tuple[str, int, int, int, int, float]], float | None]:
        from tesserocr import RIL, iterate_level

        api = self._api(language)
        if pdf_outbase is not None:
            # The PDF renderer only runs through ProcessPages, which reads an image file.
            png = pdf_outbase + ".png"
            image.save(png, dpi=(dpi, dpi))
            api.SetVariable("tessedit_create_pdf", "1")
            try:
                if not api.ProcessPages(pdf_outbase, png):
                    raise RuntimeError("Tesseract could not write the searchable PDF page")
            finally:
                api.SetVariable("tessedit_create_pdf", "0")
                Path(png).unlink(missing_ok=True)
        else:
            api.SetImage(image)
            api.SetSourceResolution(dpi)
            api.Recognize()
        words: list[tuple[str, int, int, int, int, float]] = []
        iterator = api.GetIterator()
        if iterator is not None:
            for word in iterate_level(iterator, RIL.WORD):
                try:
                    text = word.GetUTF8Text(RIL.WORD)
                except RuntimeError:  # "No text returned": an empty word, nothing to keep
                    continue
                box = word.BoundingBox(RIL.WORD)
                if not text or not text.strip() or box is None:
                    continue
                left, top, right, bottom = box
                words.append(
                    (text, left, top, right - left, bottom - top, float(word.Confidence(RIL.WORD)))
                )
        try:
            text = api.GetUTF8Text() or ""
        except RuntimeError:  # tesserocr raises "No text returned" when nothing was found
            text = ""
        confidence = sum(w[5] for w in words) / len(words) if words else None
        return text, words, confidence

    def ocr_page(self, job: PageJob) -> PageOcrResult:
        notes: list[str] = []
        image, dpi = self.load_page(job, notes)
        if job.source == "image":
            dpi = image_dpi(image, job.dpi)
        rotation, script = 0, None
        if job.detect_rotation:
            found = self.orientation(image)
            if found is not None:
                degrees, osd_confidence, script = found
                if degrees and osd_confidence >= job.rotation_min_confidence:
                    image = image.rotate(degrees, expand=True)
                    rotation = degrees
                    notes.append(f"page {job.index + 1} rotated by {degrees} degrees (OSD)")
                if script and script not in ("Latin", "Common"):
                    notes.append(
                        f"page {job.index + 1} looks like {script} script; only Latin-script"
                        " models are installed"
                    )

        language = job.language or "eng"
        text, words, confidence = self.recognise(image, dpi, language, job.pdf_outbase)
        if job.language is None or job.recheck_language:
            better = self._better_language(text, language, job.candidates)
            if better is not None:
                language = better
                text, words, confidence = self.recognise(image, dpi, language, job.pdf_outbase)
        result = PageOcrResult(
            index=job.index,
            text=text.strip(),
            words=words,
            confidence=confidence,
            language=language,
            rotation=rotation,
            width=image.width,
            height=image.height,
            dpi=dpi,
            script=script,
            warnings=notes,
            pdf_path=job.pdf_outbase + ".pdf" if job.pdf_outbase else None,
        )
        image.close()
        return result

    @staticmethod
    def _better_language(text: str, used: str, candidates: tuple[str, ...]) -> str | None:
        iso_candidates = [iso for code in candidates if (iso := to_iso(code))]
        guess = detect_language(text, iso_candidates or None)
        if guess is None or not guess.confident:
            return None
        code = to_tesseract(guess.language)
        return code if code and code != used and code in candidates else None


def fit_dpi(width_pt: float, height_pt: float, dpi: int, max_pixels: int) -> int:
    """``dpi``, or the highest lower resolution that keeps the page under ``max_pixels``."""
    pixels = width_pt * height_pt * (dpi / 72) ** 2
    if pixels <= max_pixels:
        return dpi
    return int(72 * math.sqrt(max_pixels / (width_pt * height_pt)))


def image_dpi(image: Image.Image, default: int) -> int:
    dpi = image.info.get("dpi")
    if dpi is None:
        return default
    try:
        value = round(float(dpi[1] if isinstance(dpi, tuple) else dpi))
    except (TypeError, ValueError, IndexError):
        return default
    return value if 70 <= value <= 1200 else default


# -- process-pool glue: one engine per worker process ---------------------------------

_worker_engine: TesseractEngine | None = None


def init_worker(tessdata: str) -> None:
    """Pool initializer: build this worker's Tesseract engine once."""
    global _worker_engine
    logging.getLogger("PIL").setLevel(logging.WARNING)
    _worker_engine = TesseractEngine(tessdata)


def run_job(job: PageJob) -> PageOcrResult:
    """Pool task: OCR one page with this worker's engine."""
    global _worker_engine
    if _worker_engine is None:
        _worker_engine = TesseractEngine(job.tessdata)
    return _worker_engine.ocr_page(job)
