from __future__ import annotations

from pathlib import Path

import pytest

from lexstream.ocr.extractors import ExtractionResult, OcrOptions, extract_text

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "docs"


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def options() -> OcrOptions:
    return OcrOptions(workers=2)


def extract(path: Path, media_type: str, options: OcrOptions, **kwargs: object) -> ExtractionResult:
    return extract_text(
        path,
        media_type=media_type,
        document_id="doc-test",
        options=options,
        **kwargs,  # type: ignore[arg-type]
    )
