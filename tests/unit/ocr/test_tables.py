"""Tables and reading order on generated text PDFs, through the PDF extractor."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.unit.ocr.ocr_extract import extract
from tests.unit.ocr.tablegen import TableSpec, table_pdf, two_column_pdf

from lexstream.ocr.columns import find_gutter, reorder_columns
from lexstream.ocr.extract import OcrOptions
from lexstream.ocr.extractors import pdf as pdf_module
from lexstream.ocr.tables import cells_from_grid, grid_texts, normalise
from lexstream.shared.artifacts import Page, Table, TextDocument, WordBox

RULED_MERGED = TableSpec(
    name="ruled.pdf",
    grid=[
        ["Schedule", "Totals", ""],
        ["Item", "Paid", "Due"],
        ["Filing fee", "1,250.00", "01/02/2024"],
        ["Expert witness report on damages and the lease", "12,000.50", "15/03/2024"],
        ["Hearing", "800.00", "none"],
    ],
    ruled=True,
    merged_header=True,
    multiline=True,
)
UNRULED = TableSpec(
    name="unruled.pdf",
    grid=[
        ["Party", "Role", "Counsel", "Filed"],
        ["Acme Ltd", "claimant", "Hale LLP", "02/01/2023"],
        ["Widget plc", "defendant", "Moss & Co", "09/01/2023"],
        ["Jones", "intervener", "in person", "11/02/2023"],
    ],
    ruled=False,
    merged_header=False,
    multiline=False,
    padding=2.0,
    numbers_right=True,
)


def _truth(spec: TableSpec) -> list[list[str]]:
    return [[normalise(cell) for cell in row] for row in spec.grid]


@pytest.fixture
def text_options() -> OcrOptions:
    return OcrOptions(workers=1, languages="eng")


def test_old_text_json_without_tables_still_loads() -> None:
    old = {
        "document_id": "d",
        "media_type": "application/pdf",
        "extractor": "lexstream-ocr/1.2 pdf",
        "pages": [{"number": 1, "text": "x", "method": "text-layer"}],
    }
    document = TextDocument.model_validate(old)
    assert document.pages[0].tables == []
    table = Table(
        bbox=(1, 2, 3, 4), rows=cells_from_grid([["a", None], ["b", "c"]]), source="ruled"
    )
    page = Page(number=1, text="a b c", method="text-layer", tables=[table])
    again = Page.model_validate_json(page.model_dump_json())
    assert again.tables[0].rows[0][0].col_span == 2
    assert grid_texts(again.tables[0]) == [["a", ""], ["b", "c"]]


def test_merged_cells_from_a_grid() -> None:
    rows = cells_from_grid([["h", "span", None], ["tall", "x", "y"], [None, "z", "w"]])
    assert [[c.text for c in row] for row in rows] == [
        ["h", "span"],
        ["tall", "x", "y"],
        ["z", "w"],
    ]
    assert rows[0][1].col_span == 2
    assert rows[1][0].row_span == 2


def test_ruled_table_with_merged_header_and_multiline_cells(
    tmp_path: Path, text_options: OcrOptions
) -> None:
    path = table_pdf(RULED_MERGED, tmp_path / RULED_MERGED.name)
    page = extract(path, "application/pdf", text_options).text.pages[0]
    assert len(page.tables) == 1
    table = page.tables[0]
    assert table.source == "ruled"
    assert grid_texts(table) == _truth(RULED_MERGED)
    assert table.rows[0][1].col_span == 2
    assert table.header_rows == 1
    left, top, right, bottom = table.bbox
    assert 0 < left < right <= (page.width or 0)
    assert 0 < top < bottom <= (page.height or 0)
    # the cells' text is the page's text too, so search finds it
    flat = normalise(page.text)
    for row in _truth(RULED_MERGED):
        for cell in row:
            for word in cell.split():
                assert word in flat


def test_unruled_table_from_aligned_columns(tmp_path: Path, text_options: OcrOptions) -> None:
    path = table_pdf(UNRULED, tmp_path / UNRULED.name)
    page = extract(path, "application/pdf", text_options).text.pages[0]
    assert [t.source for t in page.tables] == ["aligned"]
    assert grid_texts(page.tables[0]) == _truth(UNRULED)
    assert page.tables[0].header_rows == 1  # set in bold


def test_two_column_page_reads_left_column_first(tmp_path: Path, text_options: OcrOptions) -> None:
    expected = two_column_pdf(7, tmp_path / "columns.pdf")
    page = extract(tmp_path / "columns.pdf", "application/pdf", text_options).text.pages[0]
    assert page.text.split() == expected
    assert page.tables == []  # two columns of prose are not a table
    assert [w.text for w in page.words] == expected


def test_one_column_page_keeps_its_text(tmp_path: Path) -> None:
    path = table_pdf(RULED_MERGED, tmp_path / "one.pdf")
    document = pdf_module.open_pdf(path)
    layer = pdf_module._read_text_layer(document, 0, 300, 25)
    document.close()
    assert find_gutter(layer.words, layer.size[0] or 0) is None
    assert reorder_columns(layer.text, layer.words, layer.size[0] or 0) is None


def test_short_columns_are_not_two_columns() -> None:
    # a two-column list of short entries (a table's shape) is left as it is
    words = [
        WordBox(text=text, left=left, top=100 + 40 * row, width=90, height=30)
        for row in range(12)
        for text, left in ((f"a{row}", 300), (f"b{row}", 1400))
    ]
    assert find_gutter(words, 2550) is None


def test_a_table_reader_failure_leaves_the_text(
    tmp_path: Path, text_options: OcrOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise ValueError("pdfminer could not parse the page")

    monkeypatch.setattr(pdf_module, "pdf_tables", broken)
    path = table_pdf(RULED_MERGED, tmp_path / "broken.pdf")
    page = extract(path, "application/pdf", text_options).text.pages[0]
    assert page.tables == []
    assert "Filing fee" in page.text


def test_prose_page_is_not_looked_at(
    tmp_path: Path, text_options: OcrOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    looked: list[object] = []
    original = pdf_module.pdf_tables

    def spy(path: Path, pages: dict[int, object], dpi: int) -> object:
        looked.append(sorted(pages))
        return original(path, pages, dpi)  # type: ignore[arg-type]

    monkeypatch.setattr(pdf_module, "pdf_tables", spy)
    two_column_pdf(3, tmp_path / "prose.pdf")
    extract(tmp_path / "prose.pdf", "application/pdf", text_options)
    assert looked == [[]]  # the gate let no page through
