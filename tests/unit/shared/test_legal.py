"""The shared legal vocabulary: citation normal form, languages, access entries."""

from __future__ import annotations

import pytest

from lexstream.index.extraction.citations import find_citations
from lexstream.shared.events import DocumentMoved, Topics
from lexstream.shared.legal import (
    LANGUAGE_ANALYZERS,
    LANGUAGE_CODES,
    TESSERACT_MODELS,
    document_acl,
    language_code,
    matter_acl,
    normalize_citation,
    tenant_acl,
)
from lexstream.shared.legal.us import bluebook_abbreviation

# Each typed US citation, and the document text eyecite reads it from in the index.
TYPED_US_CITATIONS = [
    "410 U.S. 113",
    "410 US 113",
    "347 U. S. 483",
    "93 S.Ct. 705",
    "35 L.Ed.2d 147",
    "500 F. 3d 100",
    "123 F.Supp.2d 456",
    "12 F. App'x 34",
    "99 N. E. 2d 12",
    "45 Cal.App.4th 1",
    "10 So. 2d 20",
    "50 Cal. Rptr. 2d 3",
    "300 N.Y.S.2d 4",
    "80 Ohio St. 3d 9",
    "3 Wheat. 4",
    "11 Mass. App. Ct. 12",
    "410 U.S. 113, 120 (1973)",
    "42 U. S. C. § 1983",
    "28 C.F.R. § 35.130",
    "Cal. Civ. Code § 1714",
    "15 U.S.C. §§ 78j",
]


@pytest.mark.parametrize("typed", TYPED_US_CITATIONS)
def test_query_normal_form_is_the_one_eyecite_gives_the_index(typed: str) -> None:
    """The gateway's pure-Python form of a typed citation is what the index stores for the
    same citation read by eyecite from a document, so a ``cites`` search finds it."""
    stored = {c.normalized for c in find_citations(f"As held in {typed}, the claim fails.")}
    assert normalize_citation(typed) in stored


@pytest.mark.parametrize(
    ("printed", "bluebook"),
    [
        ("U. S.", "U.S."),
        ("US", "U.S."),
        ("F. 3d", "F.3d"),
        ("S.Ct.", "S. Ct."),
        ("F.Supp.2d", "F. Supp. 2d"),
        ("N.E.2d", "N.E.2d"),
        ("Ohio St. 3d", "Ohio St. 3d"),
    ],
)
def test_reporters_are_spelt_with_bluebook_spacing(printed: str, bluebook: str) -> None:
    assert bluebook_abbreviation(printed) == bluebook


@pytest.mark.parametrize("query", ["5 apples and 3 pears", "Roe v. Wade", "page 12", "1983"])
def test_text_that_is_no_citation_has_no_normal_form(query: str) -> None:
    assert normalize_citation(query) is None


def test_one_language_table_for_analysers_and_ocr_models() -> None:
    assert LANGUAGE_CODES == ("en", "fr", "de", "es", "it", "nl", "pt")
    assert set(LANGUAGE_ANALYZERS) == set(TESSERACT_MODELS) == set(LANGUAGE_CODES)
    assert LANGUAGE_ANALYZERS["nl"] == "dutch"
    assert TESSERACT_MODELS["de"] == "deu"
    assert language_code("en-GB") == "en"
    assert language_code("FR") == "fr"
    assert language_code("ja") is None
    assert language_code(None) is None


def test_access_entries() -> None:
    assert matter_acl("M-1") == "matter:M-1"
    assert tenant_acl("acme") == "tenant:acme"
    assert document_acl("acme", "M-1") == ["matter:M-1"]
    assert document_acl("acme", None) == ["tenant:acme"]


def test_documents_moved_is_a_frozen_event_on_its_own_topic() -> None:
    topics = Topics("lx")
    assert topics.moved == "lx.documents.moved.v1"
    assert topics.moved in topics.all()
    event = DocumentMoved(document_id="d1", matter_id="M-2", from_matter_id="M-1", moved_by="ann")
    assert event.model_dump_event()["event_type"] == "documents.moved"
    with pytest.raises(ValueError, match="frozen"):
        event.matter_id = "M-3"  # type: ignore[misc]
    with pytest.raises(ValueError, match="matter_id"):
        DocumentMoved.model_validate({"document_id": "d1", "moved_by": "ann"})
