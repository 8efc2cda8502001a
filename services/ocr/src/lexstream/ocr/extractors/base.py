"""Types shared by every format plugin: options, results, errors and the plugin protocol."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel, ConfigDict, Field

from lexstream.shared.artifacts import TextDocument

if TYPE_CHECKING:
    from lexstream.ocr.extractors.pool import OcrPool

#: Bumped whenever a change alters the text produced for the same input.
EXTRACTOR_VERSION = "lexstream-ocr/1.0"

#: The languages this service ships Tesseract models for (ISO 639-1 -> Tesseract code).
SUPPORTED_LANGUAGES: dict[str, str] = {
    "en": "eng",
    "fr": "fra",
    "de": "deu",
    "es": "spa",
    "it": "ita",
    "nl": "nld",
    "pt": "por",
}

Progress = Callable[[int, int], None]


class ExtractionError(Exception):
    """The input cannot be turned into text and it is the file's fault (permanent).

    ``reason`` is written for a person: it ends up in ``documents.failed``.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __reduce__(self) -> tuple[type[ExtractionError], tuple[str]]:
        # Raised inside OCR worker processes: keep it picklable with its reason.
        return (type(self), (self.reason,))


class ExtractorUnavailableError(RuntimeError):
    """A tool an extractor needs (LibreOffice, Tesseract data) is missing: not the file's fault."""


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


@dataclass
class ExtractionContext:
    """Everything an extractor needs besides the file."""

    document_id: str
    media_type: str
    options: OcrOptions
    progress: Progress | None
    work_dir: Path
    pool: OcrPool | None = None
    declared_charset: str | None = None  # the media type's charset parameter, if any

    def report(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(done, total)


class Extractor(Protocol):
    """One format family (Aleph ingest-file style): says whether it takes a type, then extracts."""

    name: str

    def matches(self, media_type: str) -> bool: ...

    def extract(self, path: Path, ctx: ExtractionContext) -> ExtractionResult: ...
