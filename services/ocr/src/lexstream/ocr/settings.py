from __future__ import annotations

from pathlib import Path

from pydantic import Field

from lexstream.shared.settings import CommonSettings


class OcrSettings(CommonSettings):
    uses_elasticsearch = False  # production asks no search credentials of it
    service_name: str = "ocr"
    health_port: int = 8091
    languages: str = Field(default="eng+fra+deu+spa+ita+nld+por", description="Tesseract languages")
    dpi: int = 300
    workers: int | None = Field(default=None, description="OCR processes; default = cores")
    searchable_pdf: bool = False
    text_cache: bool = Field(
        default=True,
        description="keep each original's text (by sha256, extractor version and options) in "
        "the derived bucket, so the same bytes in another document are not read again",
    )
    work_dir: Path | None = None
