"""Scans behind a stamp: a text layer that is only an e-filing stamp, a Bates number or a
header line over a page-size image is OCR'd, and the stamp is kept first in the text."""

from __future__ import annotations

from pathlib import Path

import pytest
from ocr_docgen import pdf_page, pdf_with_garbage_text_layer, render_page
from PIL import Image
from tests.unit.ocr.ocr_extract import extract

from lexstream.ocr.extract import OcrOptions
from lexstream.ocr.extractors.pdf import STAMP_ONLY, _stamp_only

PDF = "application/pdf"
SCAN = [
    "The appellant filed a timely notice of appeal.",
    "Judgment affirmed in part and reversed in part.",
    "The mandate shall issue forthwith.",
]
BODY = [
    "The court of appeals affirmed the judgment of the district court below.",
    "The defendant moved to dismiss the complaint for lack of jurisdiction.",
    "Counsel for the plaintiff shall file a reply brief within fourteen days.",
] * 12


def scan() -> Image.Image:
    """A letter page scanned at 200 DPI (the image covers the whole page)."""
    image: Image.Image = render_page(SCAN, size=(1700, 2200), font_px=40, margin=200)
    return image


STAMPS = {
    "cm-ecf header": [
        ("Case 1:23-cv-00123-ABC Document 12 Filed 03/04/2023 Page 1 of 9", 36.0, 770.0, 9.0)
    ],
    "bates number only": [("ABC0001234", 500.0, 20.0, 9.0)],
    "appellate footer and bates header": [
        ("Appellate Case: 17-2543 Page: 3 Date Filed: 07/26/2017 Entry ID: 4561396", 90, 20, 8),
        ("XYZ-000417", 520.0, 770.0, 8.0),
    ],
}


@pytest.mark.parametrize("stamp", list(STAMPS.values()), ids=list(STAMPS))
def test_a_scan_behind_a_stamp_is_ocrd_and_the_stamp_kept_first(
    tmp_path: Path, options: OcrOptions, stamp: list[tuple[str, float, float, float]]
) -> None:
    path = tmp_path / "stamped.pdf"
    path.write_bytes(pdf_page(stamp, image=scan()))
    (page,) = extract(path, PDF, options).text.pages
    assert page.method == "ocr"
    assert any(STAMP_ONLY in warning and "stamp kept" in warning for warning in page.warnings)
    lines = page.text.split("\n")
    stamp_texts = [text for text, *_ in stamp]
    # the stamp's own text (PDFium orders the lines top to bottom), each once, then OCR's
    assert sorted(lines[: len(stamp)]) == sorted(stamp_texts)
    for text in stamp_texts:
        assert page.text.count(text) == 1
    assert "timely notice of appeal" in page.text
    assert "mandate shall issue" in page.text
    # the stamp's word boxes come first, from the text layer, in the OCR page's pixels
    stamp_words = [word for text in lines[: len(stamp)] for word in text.split()]
    assert [w.text for w in page.words[: len(stamp_words)]] == stamp_words
    assert page.width is not None
    assert page.height is not None
    assert all(0 <= w.left < page.width and 0 <= w.top < page.height for w in page.words)
    assert any(w.text == "appeal." or w.text == "appeal" for w in page.words)


def test_a_born_digital_page_is_not_ocrd(tmp_path: Path, options: OcrOptions) -> None:
    lines = [(text, 60.0, 740.0 - 16 * k, 10.0) for k, text in enumerate(BODY)]
    path = tmp_path / "digital.pdf"
    # with a letterhead logo (an image over a tenth of the page) as well
    logo = render_page(["LOGO"], size=(300, 150), font_px=60, margin=20)
    path.write_bytes(pdf_page(lines, image=logo, image_box=(60, 700, 240, 80)))
    (page,) = extract(path, PDF, options).text.pages
    assert page.method == "text-layer"
    assert page.text.split("\n")[0] == BODY[0]
    assert not page.warnings


def test_an_ocrd_scan_with_a_full_hidden_text_layer_is_not_ocrd_again(
    tmp_path: Path, options: OcrOptions
) -> None:
    hidden = [(text, 72.0, 720.0 - 29 * k, 14.0) for k, text in enumerate(BODY[:20])]
    path = tmp_path / "searchable.pdf"
    path.write_bytes(pdf_page(hidden, image=scan(), invisible=True))
    (page,) = extract(path, PDF, options).text.pages
    assert page.method == "text-layer"
    assert BODY[1] in page.text


def test_a_sparse_title_page_without_an_image_is_not_ocrd(
    tmp_path: Path, options: OcrOptions
) -> None:
    path = tmp_path / "title.pdf"
    path.write_bytes(pdf_page([("IN THE UNITED STATES DISTRICT COURT", 150.0, 500.0, 14.0)]))
    (page,) = extract(path, PDF, options).text.pages
    assert page.method == "text-layer"
    assert page.text == "IN THE UNITED STATES DISTRICT COURT"
    assert not page.warnings


def test_symbol_soup_over_a_scan_is_not_kept_as_a_stamp(
    tmp_path: Path, options: OcrOptions
) -> None:
    path = tmp_path / "garbage.pdf"
    path.write_bytes(pdf_with_garbage_text_layer(scan(), "#$%&*+<=>@[]^_{|}~ " * 3))
    (page,) = extract(path, PDF, options).text.pages
    assert page.method == "ocr"
    assert "timely notice of appeal" in page.text
    assert "#$%" not in page.text
    assert not any(STAMP_ONLY in warning for warning in page.warnings)


HEADER = "Case 2:19-cv-04567-JLS Document 88 Filed 11/12/2019 Page 4 of 20"


@pytest.mark.parametrize(
    ("text", "size", "cover", "stamp"),
    [
        (HEADER, (612, 792), 1.0, True),
        (f"{HEADER}\nDEF0004711", (612, 792), 0.95, True),
        ("EXHIBIT 7", (595, 842), 0.8, True),  # one header line over an A4 scan
        (HEADER, (612, 792), 0.3, False),  # the image is a picture on the page, not the page
        ("\n".join([HEADER] * 4), (612, 792), 1.0, False),  # more lines than a stamp has
        (HEADER + " " + HEADER + " " + HEADER, (612, 792), 1.0, False),  # a long line
        (f"{HEADER}\n{HEADER}", (216, 216), 1.0, False),  # dense for a 3-inch page
        ("--- *** --- ### --- *** ---", (612, 792), 1.0, False),  # not letters and digits
    ],
)
def test_stamp_structure(text: str, size: tuple[float, float], cover: float, stamp: bool) -> None:
    assert _stamp_only(text, size[0], size[1], cover) is stamp
