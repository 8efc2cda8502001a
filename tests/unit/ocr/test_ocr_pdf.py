"""PDF: text layer page by page, OCR where it is unsound, and bad PDFs."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
from ocr_docgen import (
    pdf_encrypted,
    pdf_huge_image_page,
    pdf_with_garbage_text_layer,
    pdf_zero_pages,
    render_page,
    save_scanned_pdf,
)
from tests.unit.ocr.ocr_extract import extract

from lexstream.ocr.extract import ExtractionError, OcrOptions

PDF = "application/pdf"


def test_text_pdf_uses_the_text_layer(fixtures: Path, options: OcrOptions) -> None:
    result = extract(fixtures / "FederalCircuit-09-1361.pdf", PDF, options)
    pages = result.text.pages
    assert [p.number for p in pages] == [1, 2]
    assert all(p.method == "text-layer" and p.confidence is None for p in pages)
    assert "United States Court of Appeals for the Federal Circuit" in pages[0].text
    assert "PAUL N. NELSON" in pages[0].text
    assert result.text.language == "en"
    assert result.searchable_pdf is None


def test_text_layer_pages_carry_word_boxes_that_point_at_the_ink(
    fixtures: Path, options: OcrOptions
) -> None:
    path = fixtures / "FederalCircuit-09-1361.pdf"
    page = extract(path, PDF, options).text.pages[0]
    words = page.words
    assert len(words) == len(page.text.split()) > 50
    assert [w.text for w in words] == page.text.split()
    assert page.width is not None
    assert page.height is not None
    assert all(
        w.left >= 0 and w.left + w.width <= page.width + 1 and 0 <= w.top < page.height
        for w in words
    )
    # the boxes are in pixels at the page's DPI, top-left origin, like OCR's: render the page
    # at that DPI and every sampled box holds dark pixels, while the same box in the page's
    # top-left margin holds none
    image = pdfium.PdfDocument(path)[0].render(scale=options.dpi / 72).to_pil().convert("L")
    assert abs(image.width - page.width) <= 1
    assert abs(image.height - page.height) <= 1
    for word in words[::25]:
        ink = image.crop((word.left, word.top, word.left + word.width, word.top + word.height))
        assert ink.getextrema()[0] < 100, word
    margin = image.crop((0, 0, words[0].width, words[0].height))
    assert margin.getextrema()[0] > 200


def test_german_gazette_is_detected_as_german(fixtures: Path, options: OcrOptions) -> None:
    result = extract(fixtures / "bgbl-1_2024_107.pdf", PDF, options)
    assert len(result.text.pages) == 5
    assert result.text.language == "de"
    assert "Bundesgesetzblatt" in result.text.pages[0].text
    assert "März" in result.text.pages[0].text


def test_scanned_court_pdf_is_ocrd_with_word_boxes(fixtures: Path, options: OcrOptions) -> None:
    calls: list[tuple[int, int]] = []
    result = extract(
        fixtures / "fisc_image_based_snippet.pdf",
        PDF,
        options,
        progress=lambda d, t: calls.append((d, t)),
    )
    (page,) = result.text.pages
    assert page.method == "ocr"
    assert "Foreign Intelligence" in page.text
    assert page.confidence is not None
    assert page.confidence > 80
    assert page.language == "en"
    assert {w.text for w in page.words} >= {"Foreign", "Intelligence"}
    assert all(w.width > 0 and w.height > 0 for w in page.words)
    assert calls[-1] == (1, 1)


def test_scanned_pdf_rotation_progress_and_searchable_output(
    tmp_path: Path, options: OcrOptions
) -> None:
    upright = render_page(
        [
            "IN THE SUPERIOR COURT OF THE STATE",
            "The motion to dismiss is denied.",
            "The defendant shall answer the complaint",
            "within twenty days of this order.",
        ]
        * 3,
        size=(1700, 2200),
    )
    sideways = render_page(
        ["This page was scanned sideways by the clerk.", "Exhibit B is attached hereto."] * 4,
        size=(1700, 2200),
    ).rotate(90, expand=True)
    scanned = save_scanned_pdf([upright, sideways], tmp_path / "scan.pdf")
    calls: list[tuple[int, int]] = []
    result = extract(
        scanned,
        PDF,
        options.model_copy(update={"searchable_pdf": True}),
        progress=lambda d, t: calls.append((d, t)),
    )
    try:
        first, second = result.text.pages
        assert first.method == second.method == "ocr"
        assert "motion to dismiss is denied" in first.text
        assert "scanned sideways by the clerk" in second.text
        assert any("rotated" in w for w in second.warnings)
        assert calls[0] == (0, 2)
        assert calls[-1] == (2, 2)
        assert result.searchable_pdf is not None
        searchable = pdfium.PdfDocument(result.searchable_pdf)
        assert len(searchable) == 2
        layer = searchable[0].get_textpage().get_text_range()
        assert "motion to dismiss" in layer
        searchable.close()
    finally:
        result.cleanup()
    assert result.searchable_pdf is None


def test_language_of_a_french_scan_is_detected(tmp_path: Path, options: OcrOptions) -> None:
    page = render_page(
        [
            "La cour d'appel a jugé que le contrat était nul.",
            "Le tribunal de commerce a rejeté la demande de la société",
            "et a condamné les défendeurs aux dépens de l'instance.",
        ],
        size=(1700, 700),
    )
    result = extract(save_scanned_pdf([page], tmp_path / "fr.pdf"), PDF, options)
    assert result.text.language == "fr"
    assert "jugé" in result.text.pages[0].text
    assert "défendeurs" in result.text.pages[0].text


def test_garbage_text_layer_falls_back_to_ocr(tmp_path: Path, options: OcrOptions) -> None:
    image = render_page(
        ["The appellant filed a timely notice of appeal.", "Judgment affirmed in part."],
        size=(1700, 800),
    )
    path = tmp_path / "garbage.pdf"
    path.write_bytes(pdf_with_garbage_text_layer(image, "#$%&*+<=>@[]^_{|}~ " * 8))
    (page,) = extract(path, PDF, options).text.pages
    assert page.method == "ocr"
    assert "timely notice of appeal" in page.text
    assert any("text layer" in w and "OCR" in w for w in page.warnings)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (lambda: pdf_encrypted(b"secret", b"owner", "Sealed"), "encrypted"),
        (lambda: b"%PDF-1.7\n", "no content"),
        (lambda: pdf_zero_pages(), "no pages"),
        (lambda: pdf_huge_image_page(14400), "too large"),
        (lambda: b"GIF89a not a pdf at all", "no %PDF- header"),
    ],
    ids=["encrypted", "header-only", "zero-pages", "huge-page", "not-a-pdf"],
)
def test_bad_pdfs_fail_with_a_reason(
    tmp_path: Path, options: OcrOptions, content: object, reason: str
) -> None:
    path = tmp_path / "bad.pdf"
    path.write_bytes(content())  # type: ignore[operator]
    with pytest.raises(ExtractionError) as caught:
        extract(path, PDF, options)
    assert reason in caught.value.reason


def test_truncated_pdf(fixtures: Path, tmp_path: Path, options: OcrOptions) -> None:
    data = (fixtures / "FederalCircuit-09-1361.pdf").read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: len(data) * 6 // 10])
    with pytest.raises(ExtractionError, match="truncated"):
        extract(path, PDF, options)


def test_owner_password_only_pdf_still_reads(tmp_path: Path, options: OcrOptions) -> None:
    path = tmp_path / "restricted.pdf"
    path.write_bytes(pdf_encrypted(b"", b"owner", "Restricted copying of the court record"))
    (page,) = extract(path, PDF, options).text.pages
    assert page.text == "Restricted copying of the court record"


def test_zero_page_pdf_right_after_an_encrypted_one_is_not_called_encrypted(
    tmp_path: Path, options: OcrOptions
) -> None:
    # PDFium keeps its last error across loads; the zero-page file must get its own reason
    sealed, empty = tmp_path / "sealed.pdf", tmp_path / "empty.pdf"
    sealed.write_bytes(pdf_encrypted(b"secret", b"owner", "Sealed"))
    empty.write_bytes(pdf_zero_pages())
    with pytest.raises(ExtractionError, match="encrypted"):
        extract(sealed, PDF, options)
    with pytest.raises(ExtractionError) as caught:
        extract(empty, PDF, options)
    assert "no pages" in caught.value.reason


def test_a_blank_scanned_page_is_a_degraded_page_not_a_failure(
    tmp_path: Path, options: OcrOptions
) -> None:
    path = save_scanned_pdf(
        [render_page([]), render_page(["The blank page is followed by this one."])],
        tmp_path / "blank-first.pdf",
    )
    blank, written = extract(path, PDF, options).text.pages
    assert blank.method == "ocr"
    assert blank.text == ""
    assert any("recognised no text" in w for w in blank.warnings)
    assert "followed by this one" in written.text
    assert not any("recognised no text" in w for w in written.warnings)
