"""What the status record says about a degraded document: the extractor's warnings."""

from __future__ import annotations

from lexstream.index.indexer import extraction_warnings
from lexstream.shared.artifacts import Page, TextDocument


def document(*pages: Page, warnings: list[str] | None = None) -> TextDocument:
    return TextDocument(
        document_id="d",
        media_type="application/pdf",
        pages=list(pages),
        extractor="test",
        warnings=warnings or [],
    )


def test_each_page_warning_is_named_once_with_its_pages() -> None:
    text = document(
        Page(number=1, text="Some text.", method="ocr"),
        Page(number=2, text="", method="ocr", warnings=["blank"]),
        Page(number=3, text="", method="ocr", warnings=["blank", "rotated"]),
        warnings=["PDF looks truncated"],
    )
    assert extraction_warnings(text) == [
        "PDF looks truncated",
        "pages 2, 3: blank",
        "page 3: rotated",
    ]


def test_a_document_without_any_text_says_so_first() -> None:
    text = document(Page(number=1, text=" ", method="ocr", warnings=["undecodable"]))
    assert extraction_warnings(text) == [
        "no text could be recovered from any page",
        "page 1: undecodable",
    ]


def test_a_sound_document_has_no_warnings_and_many_are_capped() -> None:
    assert extraction_warnings(document(Page(number=1, text="Text.", method="text-layer"))) == []
    noisy = document(
        *(Page(number=n, text="x", method="ocr", warnings=[f"w{n}"]) for n in range(1, 40))
    )
    assert len(extraction_warnings(noisy)) == 20
