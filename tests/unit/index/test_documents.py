"""Reading artefacts and building search documents: bad input and bounds."""

from __future__ import annotations

import json

import pytest

from lexstream.index.documents import load_artifact, text_search_document
from lexstream.index.reindex import next_index_name
from lexstream.shared.artifacts import Page, TextDocument
from lexstream.shared.errors import PermanentError
from lexstream.shared.events import ObjectRef, TextExtracted


def _text(pages: list[str]) -> TextDocument:
    return TextDocument(
        document_id="d1",
        media_type="text/plain",
        pages=[Page(number=n, text=t, method="plain") for n, t in enumerate(pages, 1)],
        extractor="test",
    )


def _event() -> TextExtracted:
    ref = ObjectRef(bucket="b", key="d1/text.json")
    return TextExtracted(
        document_id="d1",
        text=ref,
        media_type="text/plain",
        filename="a.txt",
        pages=1,
        extractor="test",
    )


def test_invalid_utf8_and_lone_surrogates_are_repaired_with_warnings() -> None:
    raw = json.dumps(_text(["caf\udce9 ok"]).model_dump(mode="json")).encode()
    raw = raw.replace(b"ok", b"o\xffk")
    text, warnings = load_artifact(raw, TextDocument, "text.json")
    assert text.pages[0].text == "caf\ufffd o\ufffdk"
    assert len(warnings) == 2


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1, 2]", b'{"document_id": 1}'])
def test_what_is_not_a_text_document_is_a_permanent_error(raw: bytes) -> None:
    with pytest.raises(PermanentError, match=r"text\.json of the document"):
        load_artifact(raw, TextDocument, "text.json")


def _build(pages: list[str], **limits: int) -> dict[str, object]:
    return text_search_document(
        _event(),
        _text(pages),
        filename="a.txt",
        language_hint=None,
        jurisdiction_hint=None,
        extractor_version="t",
        **{"max_chars": 1_000, **limits},
    )


def test_content_pages_and_nested_objects_are_bounded_and_recorded() -> None:
    assert _build(["short"])["content_truncated"] is False
    long = _build(["x" * 5_000])
    assert long["content_truncated"] is True
    assert len(str(long["content"])) == 1_000
    page_cap = _build(["y" * 500], max_page_chars=100)
    assert page_cap["content_truncated"] is True
    many = _build(["p"] * 50, max_nested=10)
    assert many["content_truncated"] is True
    assert len(many["pages"]) == 10  # type: ignore[arg-type]
    assert many["page_count"] == 50


def test_empty_text_is_a_document_with_no_fields() -> None:
    doc = _build([""])
    assert doc["content"] == ""
    assert doc["cites"] == []
    assert doc["court"] is None


def test_next_index_name() -> None:
    assert next_index_name("lx-documents", []) == "lx-documents-000001"
    names = ["lx-documents-000001", "lx-documents-000003", "lx-documents-x", "other-000009"]
    assert next_index_name("lx-documents", names) == "lx-documents-000004"


def test_identifiers_are_stored_with_a_case_folded_key_of_each() -> None:
    from lexstream.index.documents import identifier_key

    text = _text(["Neutral Citation Number: [2020] UKSC 5\nCase No: UKSC 2018/0213\n\nJudgment"])
    document = text_search_document(
        _event(),
        text,
        filename="a.txt",
        language_hint=None,
        jurisdiction_hint=None,
        max_chars=10_000,
        extractor_version="test",
    )
    assert {"kind": "neutral_citation", "value": "[2020] UKSC 5"} in document["identifiers"]
    assert "[2020] uksc 5" in document["identifier_keys"]
    assert document["identifier_keys"] == sorted(
        {identifier_key(i["value"]) for i in document["identifiers"]}
    )
    assert identifier_key("  ECLI:EU:C:2014:317\n") == "ecli:eu:c:2014:317"
    assert document["party_roles"] == []
    assert document["counsel"] == []


def test_a_judgment_keeps_how_it_treats_a_case_with_the_sentence() -> None:
    judgment = (
        "IN THE COURT OF APPEAL (CIVIL DIVISION)\n"
        "Neutral Citation Number: [2021] EWCA Civ 100\n"
        "Between: Alpha Ltd (Claimant) and Beta plc (Defendant)\n"
        "JUDGMENT\n"
        "1. The claim is for damages in negligence.\n"
        "2. The judge applied the decision in Caparo Industries plc v Dickman [1990] 2 AC 605 "
        "to the facts found. We agree with him.\n"
    )
    doc = _build([judgment], max_chars=100_000)
    [caparo] = [c for c in doc["citations"] if c["normalized"] == "[1990] 2 AC 605"]  # type: ignore[union-attr]
    assert [t["signal"] for t in caparo["treatments"]] == ["applied"]
    assert "applied the decision in Caparo" in caparo["treatments"][0]["sentence"]
    # a statute or a document that is no judgment gets no treatment
    brief = _build(
        ["MEMORANDUM\nThe court applied Caparo Industries plc v Dickman [1990] 2 AC 605."]
    )
    assert all(not c["treatments"] for c in brief["citations"])  # type: ignore[union-attr]
