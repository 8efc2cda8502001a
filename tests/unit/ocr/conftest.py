from __future__ import annotations

import pytest
from tests.samples import LEGAL_DOCUMENTS, SampleFolder

from lexstream.ocr.extract import OcrOptions


@pytest.fixture(scope="session")
def fixtures() -> SampleFolder:
    """The public sample documents (LEXSTREAM_SAMPLE_DATA), looked up by file name."""
    return LEGAL_DOCUMENTS


@pytest.fixture(scope="session")
def options() -> OcrOptions:
    return OcrOptions(workers=2)
