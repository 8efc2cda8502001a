"""The date from a document's structured metadata reaches the search document and beats the
dates written in its body."""

from __future__ import annotations

import json
from datetime import date

from lexstream.index.documents import load_artifact, text_search_document
from lexstream.shared.artifacts import Page, TextDocument
from lexstream.shared.events import ObjectRef, TextExtracted

BODY = (
    "IN THE COURT OF APPEAL (CIVIL DIVISION)\n"
    "Neutral Citation Number: [2021] EWCA Civ 1881\n"
    "Case No: B2/2021/0515\n"
    "Date: 3 November 2021\n\n"
    "Before: LORD JUSTICE EXAMPLE\n\n"
    "1. This appeal concerns a lease granted on 14 June 1987."
)


def _text(metadata_date: date | None) -> TextDocument:
    return TextDocument(
        document_id="d1",
        media_type="application/xml",
        pages=[Page(number=1, text=BODY, method="plain")],
        extractor="test",
        metadata_date=metadata_date,
    )


def _event() -> TextExtracted:
    return TextExtracted(
        document_id="d1",
        text=ObjectRef(bucket="b", key="d1/text.json"),
        media_type="application/xml",
        filename="judgment.xml",
        pages=1,
        extractor="test",
    )


def _decision_date(text: TextDocument) -> object:
    doc = text_search_document(
        _event(),
        text,
        filename="judgment.xml",
        language_hint=None,
        jurisdiction_hint=None,
        max_chars=100_000,
        extractor_version="t",
    )
    return doc["decision_date"]


def test_metadata_date_beats_the_date_in_the_body() -> None:
    # Without metadata the body's date is found: the body really does carry a rival date.
    assert _decision_date(_text(None)) == "2021-11-03"
    assert _decision_date(_text(date(2021, 12, 10))) == "2021-12-10"


def test_metadata_date_survives_text_json_and_old_text_json_still_loads() -> None:
    raw = json.dumps(_text(date(2021, 12, 10)).model_dump(mode="json")).encode()
    loaded, _ = load_artifact(raw, TextDocument, "text.json")
    assert loaded.metadata_date == date(2021, 12, 10)
    assert _decision_date(loaded) == "2021-12-10"

    old = _text(None).model_dump(mode="json")
    del old["metadata_date"]  # written before the field existed
    loaded_old, _ = load_artifact(json.dumps(old).encode(), TextDocument, "text.json")
    assert loaded_old.metadata_date is None
    assert _decision_date(loaded_old) == "2021-11-03"
