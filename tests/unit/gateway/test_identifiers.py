"""A document's own identifiers: extracted, stored in the search document, found by the
gateway's ``identifier=`` and by a ``q`` that is exactly one, and returned by the API.

Each identifier kind round-trips: the text -> extract() -> the search document the index
builds -> the keys the gateway queries with, for the forms a person types (other letter
case, other spacing, the ECLI without its prefix).
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from tests.unit.extraction.test_metadata import IDENTIFIER_CASES
from tests.unit.gateway.searching import search_body

from lexstream.gateway.app import create_app
from lexstream.gateway.documents import _metadata
from lexstream.gateway.schemas import DocumentMetadata, SearchResponse
from lexstream.gateway.search import BadSearch, identifier_keys, shape_response
from lexstream.gateway.settings import GatewaySettings
from lexstream.index.documents import text_search_document
from lexstream.index.mappings import documents_mappings
from lexstream.shared.artifacts import Page, TextDocument
from lexstream.shared.events import ObjectRef, TextExtracted
from lexstream.shared.telemetry import setup_telemetry


def _search_document(text: str) -> dict[str, Any]:
    document = TextDocument(
        document_id="d1",
        media_type="text/plain",
        pages=[Page(number=1, text=text, method="plain")],
        extractor="test",
    )
    event = TextExtracted(
        document_id="d1",
        text=ObjectRef(bucket="b", key="d1/text.json"),
        media_type="text/plain",
        filename="a.txt",
        pages=1,
        extractor="test",
    )
    return text_search_document(
        event,
        document,
        filename="a.txt",
        language_hint=None,
        jurisdiction_hint=None,
        max_chars=100_000,
        extractor_version="test",
    )


def _typed_forms(value: str) -> list[str]:
    """How a person may type an identifier: as printed, in lower and upper case, with
    doubled spaces, and an ECLI of the EU courts without its 'ECLI:' prefix."""
    forms = [value, value.lower(), value.upper(), value.replace(" ", "  ")]
    if value.startswith("ECLI:EU:"):
        forms.append(value.removeprefix("ECLI:"))
    return forms


@pytest.mark.parametrize(("kind", "value", "text"), IDENTIFIER_CASES)
def test_each_identifier_kind_round_trips_to_the_gateways_query(
    kind: str, value: str, text: str
) -> None:
    document = _search_document(text + "\nThe text of the decision follows.\n")
    assert {"kind": kind, "value": value} in document["identifiers"]
    stored = set(document["identifier_keys"])
    for typed in _typed_forms(value):
        keys = identifier_keys(typed)
        assert stored & set(keys), (typed, keys, stored)
        body = search_body(identifier=typed)
        assert {"terms": {"identifier_keys": keys}} in body["query"]["bool"]["filter"]


def test_an_eu_ecli_typed_without_its_prefix_or_in_lower_case_finds_it() -> None:
    text = "ECLI:EU:C:2014:317\n\nJUDGMENT OF THE COURT (Grand Chamber)\n\n13 May 2014\n"
    stored = set(_search_document(text)["identifier_keys"])
    assert "ecli:eu:c:2014:317" in stored
    for typed in ("EU:C:2014:317", "ecli:eu:c:2014:317", " ECLI:EU:C:2014:317 "):
        assert stored & set(identifier_keys(typed)), typed


def test_another_identifier_does_not_match() -> None:
    stored = set(_search_document("Neutral Citation Number: [2020] UKSC 5\n")["identifier_keys"])
    assert not stored & set(identifier_keys("[2020] UKSC 6"))
    assert not stored & set(identifier_keys("[2021] UKSC 5"))


def test_a_q_that_is_exactly_an_identifier_also_searches_the_identifiers() -> None:
    body = search_body(q="ecli:de:bgh:2013:171213uvizr211.12.0")
    should = body["query"]["bool"]["must"][0]["bool"]["should"]
    clauses = [c for c in should if "terms" in c]
    assert clauses == [
        {"terms": {"identifier_keys": ["ecli:de:bgh:2013:171213uvizr211.12.0"], "boost": 20.0}}
    ]
    # the text clauses are still there: a q is never only an identifier look-up
    assert any("nested" in c for c in should)


def test_an_empty_identifier_is_refused() -> None:
    with pytest.raises(BadSearch):
        search_body(identifier="   ")


def test_identifiers_and_people_fit_the_strict_mapping() -> None:
    properties = documents_mappings()["properties"]
    document = _search_document(IDENTIFIER_CASES[0][2])
    for name in ("identifiers", "identifier_keys", "party_roles", "counsel"):
        assert name in document, name
        assert name in properties, name
    for identifier in document["identifiers"]:
        assert set(identifier) <= set(properties["identifiers"]["properties"])
    assert properties["identifier_keys"]["type"] == "keyword"
    assert set(properties["party_roles"]["properties"]) == {"name", "role", "role_text"}


def test_search_hits_and_document_metadata_return_the_identifiers() -> None:
    document = _search_document(IDENTIFIER_CASES[0][2])
    result = {
        "hits": {
            "total": {"value": 1, "relation": "eq"},
            "hits": [{"_id": "d1", "_score": 1.0, "_source": document, "sort": [1.0, "d1"]}],
        }
    }
    answer = SearchResponse.model_validate(shape_response(result, size=10))
    hit = answer.hits[0]
    assert hit.identifiers is not None
    assert {(i.kind, i.value) for i in hit.identifiers} == {
        (i["kind"], i["value"]) for i in document["identifiers"]
    }
    meta: DocumentMetadata = _metadata("d1", {"status": "indexed"}, document)
    assert meta.identifiers == hit.identifiers
    assert meta.party_roles == []
    assert meta.counsel == []


def test_a_document_indexed_before_identifiers_existed_still_answers() -> None:
    old = {"document_id": "d0", "title": "Old"}
    result = {
        "hits": {"total": {"value": 1, "relation": "eq"}, "hits": [{"_id": "d0", "_source": old}]}
    }
    assert SearchResponse.model_validate(shape_response(result, size=10)).hits[0].identifiers == []
    meta = _metadata("d0", {"status": "indexed"}, old)
    assert meta.identifiers is None
    assert meta.party_roles is None


@pytest.fixture(scope="module")
def app() -> FastAPI:
    telemetry = setup_telemetry("lexstream-gateway", None, set_global=False, instrument_http=False)
    return create_app(GatewaySettings(), telemetry)


def test_the_search_route_documents_the_identifier_parameter(app: FastAPI) -> None:
    operation = app.openapi()["paths"]["/v1/search"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"identifier", "q", "cites"} <= names
