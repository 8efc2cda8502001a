"""HTML (visible text, headings kept) and plain text (encoding detected)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.unit.ocr.ocr_extract import extract

from lexstream.ocr.extract import ExtractionError, OcrOptions


def test_court_html_page(fixtures: Path, options: OcrOptions) -> None:
    (page,) = extract(
        fixtures / "txctapp3_case_03-23-00068-CR.html", "text/html", options
    ).text.pages
    assert page.method == "converted"
    assert "03-23-00068-CR" in page.text
    assert "Third Court of Appeals" in page.text
    assert "<" not in page.text
    assert "function(" not in page.text


def test_html_visible_text_and_headings(tmp_path: Path, options: OcrOptions) -> None:
    path = tmp_path / "judgment.html"
    path.write_text(
        "<html><head><title>T</title><style>p {color: red}</style>"
        "<script>var secret = 'tracking';</script></head><body>"
        "<h1>Judgment of the Court</h1><p>The appeal is <b>dismissed</b>.</p>"
        "<div style='display:none'>hidden boilerplate</div>"
        "<h2>Costs</h2><ul><li>first item</li><li>second item</li></ul>"
        "<p>Lyon, le 3 mars 2024 &mdash; arrêt n&deg; 12</p></body></html>",
        encoding="windows-1252",
    )
    (page,) = extract(path, "text/html; charset=windows-1252", options).text.pages
    lines = page.text.splitlines()
    assert "Judgment of the Court" in lines
    assert "Costs" in lines
    assert "The appeal is dismissed." in lines
    assert "- first item" in lines
    assert "arrêt n° 12" in page.text
    assert "tracking" not in page.text
    assert "hidden boilerplate" not in page.text
    assert "color" not in page.text


def test_plain_text_fixture(fixtures: Path, options: OcrOptions) -> None:
    (page,) = extract(fixtures / "nc_statute_163-230.2.txt", "text/plain", options).text.pages
    assert page.method == "plain"
    assert "§ 163-230.2" in page.text


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16", "utf-8"])
def test_plain_text_encodings(tmp_path: Path, options: OcrOptions, encoding: str) -> None:
    text = (
        "Arrêt de la Cour de cassation, chambre commerciale.\n"
        "La société requérante soutient que la décision attaquée a été rendue à tort.\f"
        "Deuxième page: les défendeurs sont condamnés aux dépens."
    )
    path = tmp_path / "arret.txt"
    path.write_bytes(text.encode(encoding))
    result = extract(path, "text/plain", options)
    assert [p.text for p in result.text.pages] == text.split("\f")
    assert result.text.language == "fr"


def test_binary_is_not_text(tmp_path: Path, options: OcrOptions) -> None:
    path = tmp_path / "blob.txt"
    path.write_bytes(bytes(range(256)) * 50)
    with pytest.raises(ExtractionError, match="binary"):
        extract(path, "text/plain", options)


def test_unknown_media_type(tmp_path: Path, options: OcrOptions) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(b"\x00\x01")
    with pytest.raises(ExtractionError, match="no text extractor"):
        extract(path, "application/x-unknown", options)
