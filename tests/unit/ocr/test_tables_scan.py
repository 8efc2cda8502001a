"""Tables and columns on scanned pages, through the PDF extractor's OCR path (Tesseract)."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from tests.unit.ocr.ocr_extract import extract
from tests.unit.ocr.tablegen import TableSpec, scan_of, table_pdf, two_column_pdf

from lexstream.ocr.extract import OcrOptions
from lexstream.ocr.tables import grid_texts, normalise

pytestmark = pytest.mark.slow

RULED = TableSpec(
    name="scan-ruled.pdf",
    grid=[
        ["Item", "Amount", "Filed"],
        ["Filing fee", "1,250.00", "01/02/2024"],
        ["Expert report", "12,000.50", "15/03/2024"],
        ["Hearing", "800.00", "20/04/2024"],
        ["Transcript", "310.75", "02/05/2024"],
    ],
    ruled=True,
    merged_header=False,
    multiline=False,
    font_size=12,
)


@pytest.fixture
def scan_options() -> OcrOptions:
    return OcrOptions(workers=1, languages="eng", detect_rotation=False)


def test_scanned_ruled_table_becomes_cells(tmp_path: Path, scan_options: OcrOptions) -> None:
    pdf = table_pdf(RULED, tmp_path / "table.pdf")
    scan = scan_of(pdf, tmp_path / "scan.pdf", noise=2.0, seed=1)
    page = extract(scan, "application/pdf", scan_options).text.pages[0]
    assert page.method == "ocr"
    assert [t.source for t in page.tables] == ["scan"]
    grid = grid_texts(page.tables[0])
    truth = [[normalise(c) for c in row] for row in RULED.grid]
    assert len(grid) == len(truth)
    assert all(len(row) == len(truth[0]) for row in grid)
    right = sum(
        a == b for ra, rb in zip(grid, truth, strict=True) for a, b in zip(ra, rb, strict=True)
    )
    assert right >= 0.8 * len(truth) * len(truth[0]), grid


def test_scanned_two_column_page_is_read_column_by_column(
    tmp_path: Path, scan_options: OcrOptions
) -> None:
    expected = two_column_pdf(4, tmp_path / "columns.pdf")
    scan = scan_of(tmp_path / "columns.pdf", tmp_path / "scan.pdf", noise=1.0, seed=2)
    page = extract(scan, "application/pdf", scan_options).text.pages[0]
    got = page.text.split()
    # read across both columns line by line, the words would match about half the order
    assert difflib.SequenceMatcher(None, expected, got, autojunk=False).ratio() >= 0.85
    assert page.tables == []
