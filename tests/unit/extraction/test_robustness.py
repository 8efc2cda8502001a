"""Empty, odd and very large inputs stay bounded and never raise."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from lexstream.index.extraction import EXTRACTOR_VERSION, LegalMetadata, extract
from lexstream.index.extraction.text import MAX_CITATIONS, clean


@pytest.mark.parametrize("text", ["", "   \n\t ", "\x00\x00"])
def test_empty_text_gives_empty_metadata(text: str) -> None:
    meta = extract(text)
    assert meta.court is None
    assert meta.jurisdiction is None
    assert meta.decision_date is None
    assert meta.citations == []
    assert meta.parties == []
    assert meta.case_numbers == []
    assert meta.doc_type == "other"


def test_odd_unicode_is_accepted() -> None:
    text = "\ud800 lone surrogate \u202e bidi \ufeff bom \x07 bell [2020] UKSC 12 — fin \U0001f600"
    meta = extract(text)
    assert [c.normalized for c in meta.citations] == ["[2020] UKSC 12"]
    assert meta.model_dump_json()  # serialisable, surrogates included


def test_clean_keeps_offsets() -> None:
    text = "C‑131/12\u00a0and\u2013more\ud800"
    assert len(clean(text)) == len(text)


def test_metadata_is_frozen() -> None:
    meta = extract("[2020] UKSC 12")
    with pytest.raises(ValidationError, match="Instance is frozen"):
        meta.court = "x"  # type: ignore[misc]
    assert isinstance(meta, LegalMetadata)


def test_extractor_version_is_a_release_number() -> None:
    """Stored with every document and compared by ``rerun --outdated``: a dotted release
    number, never empty or a placeholder that every build would share."""
    assert re.fullmatch(r"\d+\.\d+\.\d+", EXTRACTOR_VERSION), EXTRACTOR_VERSION


def test_ten_thousand_citations_are_folded_and_bounded() -> None:
    text = " ".join(f"See [2019] EWCA Civ {n % 2000}; C-{n % 3000}/12." for n in range(5000))
    meta = extract(text)
    assert len(meta.citations) == 2000 + 3000
    assert len(meta.citations) <= MAX_CITATIONS
    assert sum(c.count for c in meta.citations) == 10_000


@pytest.mark.slow
def test_fifty_megabytes_of_text() -> None:
    text = ("The court considered the matter. See [2020] UKSC 12 and § 823 BGB. " * 760_000)[
        :50_000_000
    ]
    meta = extract(text)
    assert {c.normalized for c in meta.citations} == {"[2020] UKSC 12", "§ 823 BGB"}
    assert meta.language == "en"
