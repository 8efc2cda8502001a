"""A statute's or judgment's structure at indexing time (lexstream.index.structures): which
documents get one, the bounded copy in the search document, the derived objects, and the
search document that carries them (text_search_document with ``objects``)."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from lexstream.index import structures
from lexstream.index.documents import text_search_document
from lexstream.index.extraction import LegalMetadata
from lexstream.index.mappings import documents_mappings
from lexstream.index.structures import (
    STRUCTURE_AKN,
    STRUCTURE_JSON,
    document_structure,
    exports,
    indexed_fields,
)
from lexstream.shared.artifacts import Page, TextDocument
from lexstream.shared.events import Hints, ObjectRef, TextExtracted
from lexstream.shared.legal.structure import DocumentStructure, Provision, walk

AKN = {"a": "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"}
STATUTE = (
    "# Beispielgesetz (BspG)\n\n## Abschnitt 1 - Allgemeines\n\n### § 1 Zweck\n\n"
    "(1) Dieses Gesetz regelt Beispiele.\n\n(2) Es gilt für alle.\n\n### § 2 Begriffe\n\n"
    "Beispiele sind Fälle."
)
JUDGMENT = (
    "Approved Judgment\n\nThe issue\n\n[1] The claimant sues under Article 6(1)(f) GDPR.\n\n"
    "[2] The defendant denies it.\n\n[3] The claim fails."
)


def _pages(*texts: str) -> list[Page]:
    return [Page(number=n, text=t, method="plain") for n, t in enumerate(texts, 1)]


@pytest.mark.parametrize(
    ("doc_type", "text", "kind"),
    [
        ("statute", STATUTE, "statute"),
        ("regulation", STATUTE, "statute"),
        ("judgment", JUDGMENT, "judgment"),
        ("opinion", JUDGMENT, "judgment"),
        ("order", JUDGMENT, "judgment"),
        ("contract", STATUTE, None),
        ("other", JUDGMENT, None),
        ("judgment", "No numbered paragraphs, nor any text to speak of", "judgment"),
        ("statute", "   ", None),
    ],
)
def test_only_statutes_and_judgments_get_a_structure(
    doc_type: str, text: str, kind: str | None
) -> None:
    found = document_structure(LegalMetadata(doc_type=doc_type), _pages(text), max_chars=10_000)
    assert (found.kind if found else None) == kind


def test_the_structure_reads_at_most_max_chars_and_keeps_the_documents_offsets() -> None:
    first, second = STATUTE.split("### § 2")
    pages = _pages(first.rstrip(), "### § 2" + second)
    whole = document_structure(LegalMetadata(doc_type="statute"), pages, max_chars=10_000)
    cut = document_structure(LegalMetadata(doc_type="statute"), pages, max_chars=len(first))
    assert whole is not None
    assert cut is not None
    assert "par:2" in [p.id for p in walk(whole.provisions)]
    assert "par:2" not in [p.id for p in walk(cut.provisions)]
    text = "\n\n".join(page.text for page in pages)
    par2 = next(p for p in walk(whole.provisions) if p.id == "par:2")
    assert par2.page == 2
    assert text[par2.start :].startswith("### § 2 Begriffe")


def test_a_parser_failure_leaves_the_document_without_structure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise IndexError("a parser bug")

    monkeypatch.setattr(structures, "statute_provisions", broken)
    assert (
        document_structure(LegalMetadata(doc_type="statute"), _pages(STATUTE), max_chars=9999)
        is None
    )


def _tree(sections: int, subdivisions: int) -> DocumentStructure:
    provisions = [
        Provision(
            id=f"par:{s}",
            kind="section",
            number=str(s),
            text=f"Section {s}",
            children=[
                Provision(id=f"par:{s}/abs:{a}", kind="paragraph", text=f"({a}) text")
                for a in range(1, subdivisions + 1)
            ],
        )
        for s in range(1, sections + 1)
    ]
    return DocumentStructure(kind="statute", source_format="text", provisions=provisions)


def test_the_indexed_copy_is_bounded_by_levels_and_names_every_id(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(structures, "MAX_INDEXED_UNITS", 30)
    small = indexed_fields(_tree(5, 4))  # 25 units: all of it
    assert small["structure"]["truncated"] is False
    assert len(small["structure"]["provisions"][0]["children"]) == 4
    big = indexed_fields(_tree(10, 4))  # 50 units: the sections only
    assert big["structure"]["truncated"] is True
    assert big["structure"]["units"] == 50
    assert [p.get("children", []) for p in big["structure"]["provisions"]] == [[]] * 10
    assert len(big["provision_ids"]) == 50
    assert "par:10/abs:4" in big["provision_ids"]
    huge = indexed_fields(_tree(40, 1))  # even the top level is too long: its first 30
    assert len(huge["structure"]["provisions"]) == 30
    assert all("text" not in p for p in huge["structure"]["provisions"])
    # under containers (Buch, Abschnitt), the §§ are kept and their Absätze go first
    book = Provision(id="buch:1", kind="book", children=list(_tree(10, 4).provisions))
    nested = indexed_fields(DocumentStructure(kind="statute", source_format="markdown",
                                              provisions=[book]))  # fmt: skip
    kept = nested["structure"]["provisions"][0]["children"]
    assert [p["id"] for p in kept] == [f"par:{n}" for n in range(1, 11)]
    assert all(not p.get("children") for p in kept)
    assert indexed_fields(None) == {}


def test_exports_are_the_json_form_with_text_and_akoma_ntoso() -> None:
    meta = LegalMetadata(doc_type="judgment", title="A v B")
    structure = document_structure(meta, _pages(JUDGMENT), max_chars=10_000)
    assert structure is not None
    made = exports(structure, meta, title="A v B")
    data, media = made[STRUCTURE_JSON]
    assert media == "application/json"
    assert DocumentStructure.model_validate(json.loads(data)) == structure
    xml, media = made[STRUCTURE_AKN]
    assert media == "application/akn+xml"
    root = etree.fromstring(xml)
    numbers = [n.text for n in root.iterfind(".//a:judgmentBody//a:paragraph/a:num", AKN)]
    assert numbers == ["1.", "2.", "3."]
    assert root.findtext(".//a:docTitle", namespaces=AKN) == "A v B"


def _event(document_id: str) -> TextExtracted:
    return TextExtracted(
        document_id=document_id,
        matter_id="M-1",
        text=ObjectRef(bucket="derived", key=f"{document_id}/text.json"),
        media_type="text/markdown",
        filename="bspg.md",
        pages=1,
        hints=Hints(),
        extractor="test",
    )


def test_the_search_document_carries_the_structure_and_hands_out_its_objects() -> None:
    text = TextDocument(
        document_id="d-1", media_type="text/markdown", pages=_pages(STATUTE), extractor="test"
    )
    objects: structures.Exports = {}
    doc = text_search_document(
        _event("d-1"),
        text,
        filename="bspg.md",
        language_hint=None,
        jurisdiction_hint=None,
        max_chars=100_000,
        extractor_version="test",
        objects=objects,
    )
    assert doc["doc_type"] == "statute"
    assert doc["structure"]["kind"] == "statute"
    assert {"par:1", "par:1/abs:1", "par:1/abs:2", "par:2"} <= set(doc["provision_ids"])
    assert set(objects) == {STRUCTURE_JSON, STRUCTURE_AKN}
    # the mapping is strict: both fields must be declared, the copy stored and not indexed
    properties = documents_mappings()["properties"]
    assert properties["structure"] == {"type": "object", "enabled": False}
    assert properties["provision_ids"]["type"] == "keyword"
    plain = text_search_document(
        _event("d-2"),
        text.model_copy(update={"pages": _pages("An e-mail about nothing in particular.")}),
        filename="note.txt",
        language_hint=None,
        jurisdiction_hint=None,
        max_chars=100_000,
        extractor_version="test",
    )
    assert "structure" not in plain
    assert "provision_ids" not in plain
