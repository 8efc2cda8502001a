from __future__ import annotations

from pathlib import Path

import pytest
from tests.samples import LEGAL_DOCUMENTS, SampleFolder

from lexstream.ocr.extractors import ExtractionResult, OcrOptions, extract_text


@pytest.fixture(scope="session")
def fixtures() -> SampleFolder:
    """The public sample documents (LEXSTREAM_SAMPLE_DATA), looked up by file name."""
    return LEGAL_DOCUMENTS


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
