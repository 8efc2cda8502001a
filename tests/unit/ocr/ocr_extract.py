"""``extract``: ``extract_text`` with a fixed document id, as every OCR unit test calls it."""

from __future__ import annotations

from pathlib import Path

from lexstream.ocr.extract import ExtractionResult, OcrOptions, extract_text


def extract(path: Path, media_type: str, options: OcrOptions, **kwargs: object) -> ExtractionResult:
    return extract_text(
        path,
        media_type=media_type,
        document_id="doc-test",
        options=options,
        **kwargs,  # type: ignore[arg-type]
    )
