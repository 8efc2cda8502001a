"""Types shared by every format plugin: options, results and the two protocols.

``Extractor`` is one format family; ``PageOcr`` is what reads scanned pages for the PDF and
image extractors. Nothing here imports an OCR engine: :mod:`lexstream.ocr.tesseract`
implements ``PageOcr``, and the caller of ``extract_text`` hands one in.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from lexstream.shared.artifacts import TextDocument

#: Bumped whenever a change alters the text produced for the same input.
# 1.1: scans behind a stamp are OCR'd; 1.2: metadata_date; 1.3: tables, two-column order
EXTRACTOR_VERSION = "lexstream-ocr/1.3"

Progress = Callable[[int, int], None]


def _default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


class OcrOptions(BaseModel):
    """How to recover text; built by the service from its settings and the document's hints."""

    model_config = ConfigDict(frozen=True)

    languages: str = Field(
        default="eng+fra+deu+spa+ita+nld+por",
        description=(
            "Tesseract languages the document may be in, '+'-separated. They are candidates:"
            " one is chosen per document (and re-checked per page), never all loaded at once."
        ),
    )
    language_hint: str | None = Field(
        default=None, description="ISO 639-1 code from the submitter; skips detection"
    )
    dpi: int = Field(default=300, ge=72, le=600, description="render resolution for OCR")
    min_dpi: int = Field(
        default=100, ge=50, description="lowest resolution a too-large page may be rendered at"
    )
    workers: int = Field(default_factory=_default_workers, ge=1)
    max_page_pixels: int = Field(
        default=64_000_000, ge=1, description="largest page image OCR will decode (w x h)"
    )
    min_chars_per_page: int = Field(
        default=25, ge=0, description="fewer text-layer characters than this means OCR the page"
    )
    detect_rotation: bool = True
    rotation_min_confidence: float = Field(
        default=5.0, description="Tesseract OSD orientation confidence needed to rotate a page"
    )
    searchable_pdf: bool = False
    tessdata_dir: Path | None = Field(
        default=None, description="Tesseract model folder; found automatically when None"
    )
    office_timeout_s: float = Field(default=180.0, gt=0)
    max_archive_bytes: int = Field(
        default=512 * 1024 * 1024, description="largest uncompressed size of a DOCX/ODT zip"
    )
    max_attachments: int = Field(default=500, ge=0)
    max_mime_depth: int = Field(default=30, ge=1)
    work_dir: Path | None = Field(
        default=None, description="where temporary files go (system temp folder when None)"
    )

    def tesseract_languages(self) -> list[str]:
        return [code for code in self.languages.split("+") if code and code != "osd"]


@dataclass(frozen=True)
class Attachment:
    """A file found inside another (an e-mail attachment): ingest turns it into a child document."""

    filename: str
    media_type: str
    data: bytes


@dataclass
class ExtractionResult:
    """What :func:`extract_text` hands back. Call :meth:`cleanup` once the files are stored."""

    text: TextDocument
    attachments: list[Attachment] = field(default_factory=list)
    searchable_pdf: Path | None = None
    work_dir: Path | None = None

    def cleanup(self) -> None:
        """Delete the temporary folder holding ``searchable_pdf`` (if any)."""
        if self.work_dir is not None:
            shutil.rmtree(self.work_dir, ignore_errors=True)
            self.work_dir = None
            self.searchable_pdf = None


@dataclass(frozen=True)
class PageJob:
    """One page to OCR; small and picklable (it crosses to an OCR worker process)."""

    source: Literal["pdf", "image"]
    path: str
    index: int  # 0-based page (PDF) or frame (image)
    dpi: int
    min_dpi: int
    max_page_pixels: int
    tessdata: str
    language: str | None  # Tesseract code; None: detect (English first pass)
    candidates: tuple[str, ...]  # Tesseract codes the page may be in
    recheck_language: bool
    detect_rotation: bool
    rotation_min_confidence: float
    pdf_outbase: str | None = None  # write a one-page searchable PDF to <outbase>.pdf


@dataclass
class PageOcrResult:
    """What OCR read on one page: its text, word boxes and how it was read."""

    index: int
    text: str
    words: list[tuple[str, int, int, int, int, float]]
    confidence: float | None
    language: str  # Tesseract code used for the final pass
    rotation: int
    width: int
    height: int
    dpi: int
    script: str | None = None
    warnings: list[str] = field(default_factory=list)
    pdf_path: str | None = None


class PageOcr(Protocol):
    """Reads scanned pages. ``map_pages`` calls ``on_result`` as each page is done (in any
    order) and re-raises the first error a page raised (an ``ExtractionError`` for a page
    too large to render, say)."""

    def map_pages(
        self, jobs: Sequence[PageJob], on_result: Callable[[PageOcrResult], None]
    ) -> None: ...


@dataclass
class ExtractionContext:
    """Everything an extractor needs besides the file."""

    document_id: str
    media_type: str
    options: OcrOptions
    progress: Progress | None
    work_dir: Path
    ocr: PageOcr
    declared_charset: str | None = None  # the media type's charset parameter, if any

    def report(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(done, total)


class Extractor(Protocol):
    """One format family (Aleph ingest-file style): says whether it takes a type, then extracts."""

    name: str

    def matches(self, media_type: str) -> bool: ...

    def extract(self, path: Path, ctx: ExtractionContext) -> ExtractionResult: ...
