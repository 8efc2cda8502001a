"""A document's own authorities, and where each citation stands (authority_links)."""

from __future__ import annotations

import pytest

from lexstream.index.authority_links import Places, context, own_authorities
from lexstream.index.documents import text_search_document, transcript_search_document
from lexstream.index.extraction import Identifier
from lexstream.shared.artifacts import Page, Segment, TextDocument, Transcript
from lexstream.shared.events import ObjectRef, TextExtracted, TranscriptReady


@pytest.mark.parametrize(
    ("kind", "value", "jurisdiction", "expected"),
    [
        ("ecli", "ECLI:EU:C:2014:317", "EU", ["ecli:EU:C:2014:317"]),
        ("neutral_citation", "[2020] UKSC 5", "UK", ["uk:nc:2020/UKSC/5"]),
        ("celex", "62012CJ0131", "EU", ["eu:case:C-131/12"]),
        ("celex", "32016R0679", "EU", ["eu:celex:32016R0679"]),
        ("docket", "C-131/12", "EU", ["eu:case:C-131/12"]),
        ("docket", "VI ZR 211/12", "EU/DE", ["de:case:BGH/VI-ZR-211/12"]),
        ("docket", "A2/2021/1372", "UK/EW", []),
        ("abbreviation", "BGB", "EU/DE", ["de:act:BGB"]),
        ("abbreviation", "KSchG", None, ["de:act:KSchG"]),
        ("abbreviation", "BGB", "UK", []),
        ("eli", "http://data.europa.eu/eli/reg/2016/679/oj", "EU", ["eu:celex:32016R0679"]),
        ("eli", "http://data.europa.eu/eli/dir/1995/46/oj", "EU", ["eu:celex:31995L0046"]),
        ("eli", "/eli/bund/bgbl-1/2024/107", "EU/DE", ["de:bgbl:2024/I/Nr/107"]),
        ("oj", "OJ 2016 L 119, p. 1", "EU", ["eu:oj:2016/L/119/1"]),
        # a gazette page that the US query reader takes for a reporter is no identifier
        ("oj", "RGBl. 1896 S. 195", "EU/DE", []),
    ],
)
def test_own_identifiers_resolve_to_the_authority_the_document_is(
    kind: str, value: str, jurisdiction: str | None, expected: list[str]
) -> None:
    assert own_authorities([Identifier(kind=kind, value=value)], jurisdiction) == expected


def test_own_authorities_are_sorted_and_each_once() -> None:
    identifiers = [
        Identifier(kind="celex", value="62012CJ0131"),
        Identifier(kind="docket", value="C-131/12"),
        Identifier(kind="ecli", value="ECLI:EU:C:2014:317"),
    ]
    assert own_authorities(identifiers, "EU") == ["ecli:EU:C:2014:317", "eu:case:C-131/12"]


def test_context_cuts_at_words_and_marks_what_it_leaves_out() -> None:
    text = "word " * 100 + "Art. 6 DSGVO" + " tail" * 100
    start = text.index("Art. 6")
    snippet = context(text, start, start + len("Art. 6 DSGVO"), chars=30)
    assert snippet is not None
    assert snippet.startswith("… word")
    assert snippet.endswith("tail …")
    assert "Art. 6 DSGVO" in snippet
    assert all(part in ("…", "word", "tail", "Art.", "6", "DSGVO") for part in snippet.split())
    assert context("short text", 0, 5) == "short text"
    assert context("short", 3, 99) is None


def test_places_map_offsets_to_pages_and_seconds() -> None:
    pages = [Page(number=n, text=t, method="plain") for n, t in enumerate(["aaaa", "bb", "c"], 1)]
    text = "\n\n".join(p.text for p in pages)  # TextDocument.text
    places = Places.of_pages(pages)
    assert [places.at(text.index(ch)) for ch in "abc"] == [1, 2, 3]
    segments = [
        Segment(id=0, start=0.0, end=1.0, text=" one "),
        Segment(id=1, start=7.5, end=9.0, text="two"),
    ]
    spoken = " ".join(s.text.strip() for s in segments)
    assert Places.of_segments(segments).at(spoken.index("two")) == 7.5


def _event(document_id: str) -> TextExtracted:
    return TextExtracted(
        document_id=document_id,
        matter_id="M-1",
        text=ObjectRef(bucket="b", key=f"{document_id}/text.json"),
        media_type="text/plain",
        filename="brief.txt",
        pages=2,
        extractor="test",
    )


def test_a_search_document_says_where_each_citation_stands() -> None:
    pages = [
        "Schriftsatz der Klägerin",
        "Die Verarbeitung ist nach Art. 6 Abs. 1 lit. f DSGVO rechtmäßig. Nochmals Art. 6 Abs. "
        "1 lit. f DSGVO.",
    ]
    text = TextDocument(
        document_id="d1",
        media_type="text/plain",
        pages=[Page(number=n, text=t, method="plain") for n, t in enumerate(pages, 1)],
        extractor="test",
    )
    doc = text_search_document(
        _event("d1"),
        text,
        filename="brief.txt",
        language_hint=None,
        jurisdiction_hint=None,
        max_chars=100_000,
        extractor_version="test",
    )
    [citation] = doc["citations"]
    assert citation["authority_id"] == "eu:celex:32016R0679/art:6/para:1/point:f"
    assert (citation["page"], citation["count"]) == (2, 2)
    assert "Die Verarbeitung ist nach Art. 6" in citation["context"]
    assert doc["own_authorities"] == []


def test_an_act_holds_its_own_authority_and_a_transcript_cites_by_second() -> None:
    act = TextDocument(
        document_id="gdpr",
        media_type="text/plain",
        pages=[
            Page(
                number=1,
                text="REGULATION (EU) 2016/679 OF THE EUROPEAN PARLIAMENT AND OF THE COUNCIL\n"
                "of 27 April 2016 on the protection of natural persons (General Data "
                "Protection Regulation)",
                method="plain",
            )
        ],
        extractor="test",
    )
    doc = text_search_document(
        _event("gdpr"),
        act,
        filename="gdpr.txt",
        language_hint=None,
        jurisdiction_hint=None,
        max_chars=100_000,
        extractor_version="test",
    )
    assert doc["own_authorities"] == ["eu:celex:32016R0679"]
    transcript = Transcript(
        document_id="t1",
        media_type="audio/wav",
        duration=20.0,
        language="en",
        segments=[
            Segment(id=0, start=0.0, end=4.0, text="Counsel, please begin."),
            Segment(id=1, start=12.0, end=18.0, text="We rely on Article 8 ECHR, my Lord."),
        ],
        model="fake",
        device="cpu",
        compute_type="int8",
    )
    event = TranscriptReady(
        document_id="t1",
        matter_id="M-1",
        transcript=ObjectRef(bucket="b", key="t1/transcript.json"),
        vtt=ObjectRef(bucket="b", key="t1/transcript.vtt"),
        srt=ObjectRef(bucket="b", key="t1/transcript.srt"),
        media_type="audio/wav",
        filename="hearing.wav",
        duration=20.0,
        language="en",
        model="fake",
        device="cpu",
    )
    spoken = transcript_search_document(
        event,
        transcript,
        filename="hearing.wav",
        jurisdiction_hint=None,
        max_chars=100_000,
        extractor_version="test",
    )
    [echr] = spoken["citations"]
    assert echr["authority_id"] == "coe:ets:005/art:8"
    assert echr["second"] == 12.0


def test_the_authorities_field_names_the_same_wholes_as_the_citations() -> None:
    """The gateway reads a document's ``authorities`` alone to find the documents that hold
    what it cites while its citations are fetched: both must name the same wholes."""
    from lexstream.gateway.research import cited_roots, roots_of

    pages = [
        "Nach Art. 6 Abs. 1 lit. f DSGVO und Art. 8 EMRK; vgl. EuGH, C-131/12, Google Spain.",
        "Conformément à l'article 17 du RGPD et à [2020] UKSC 5; see also 410 U.S. 113 (1973).",
    ]
    text = TextDocument(
        document_id="d2",
        media_type="text/plain",
        pages=[Page(number=n, text=t, method="plain") for n, t in enumerate(pages, 1)],
        extractor="test",
    )
    doc = text_search_document(
        _event("d2"),
        text,
        filename="brief.txt",
        language_hint=None,
        jurisdiction_hint=None,
        max_chars=100_000,
        extractor_version="test",
    )
    wholes = cited_roots(doc["citations"])
    assert len(wholes) >= 4, doc["citations"]
    assert roots_of(doc["authorities"]) == wholes
