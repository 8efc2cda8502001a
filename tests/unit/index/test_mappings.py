"""The index service's mappings: one analysed sub-field per supported language, everywhere."""

from __future__ import annotations

from typing import Any

from tests.support.factories import text_document, text_extracted

from lexstream.index.documents import text_search_document
from lexstream.index.mappings import documents_mappings, documents_settings, status_mappings
from lexstream.shared.legal.languages import LANGUAGES


def _text_fields(mappings: dict[str, Any]) -> dict[str, dict[str, Any]]:
    properties = mappings["properties"]
    return {
        "content": properties["content"],
        "pages.text": properties["pages"]["properties"]["text"],
        "segments.text": properties["segments"]["properties"]["text"],
    }


def test_every_language_has_its_analyzer_on_every_text_field() -> None:
    expected = {lang.code: {"type": "text", "analyzer": lang.analyzer} for lang in LANGUAGES}
    # 'EXAMPLECORP.COM' is one token of the standard analyzer; 'parts' splits it into words.
    expected["parts"] = {"type": "text", "analyzer": "simple"}
    for name, field in _text_fields(documents_mappings()).items():
        assert field["analyzer"] == "standard", name
        assert field["fields"] == expected, name


def test_pages_and_segments_are_nested_so_a_hit_names_its_page() -> None:
    properties = documents_mappings()["properties"]
    assert properties["pages"]["type"] == "nested"
    assert properties["segments"]["type"] == "nested"


def test_jurisdiction_is_indexed_as_a_path() -> None:
    settings = documents_settings()
    jurisdiction = documents_mappings()["properties"]["jurisdiction"]
    assert jurisdiction["analyzer"] == "jurisdiction_path"
    tokenizer = settings["analysis"]["tokenizer"]["jurisdiction_path"]
    assert tokenizer == {"type": "path_hierarchy", "delimiter": "/"}


def test_search_documents_fit_the_strict_mapping() -> None:
    """What the index builds from a text has no field the strict mapping would refuse."""
    mappings = documents_mappings()
    assert mappings["dynamic"] == "strict"
    text = text_document(
        ["SUPREME COURT OF THE UNITED STATES. Roe v. Wade, 410 U.S. 113 (1973) was cited."]
    )
    document = text_search_document(
        text_extracted(text.document_id),
        text,
        filename="opinion.txt",
        language_hint=None,
        jurisdiction_hint="US/FED",
        max_chars=10_000,
        extractor_version="test",
    )
    properties = mappings["properties"]
    assert set(document) <= set(properties)
    assert document["pages"]
    for page in document["pages"]:
        assert set(page) <= set(properties["pages"]["properties"])
    assert document["citations"]
    for citation in document["citations"]:
        assert set(citation) <= set(properties["citations"]["properties"])


def test_status_records_accept_fields_they_do_not_declare() -> None:
    assert status_mappings()["dynamic"] is False


def test_identifiers_and_people_have_kinds_and_keys() -> None:
    properties = documents_mappings()["properties"]
    identifiers = properties["identifiers"]["properties"]
    assert identifiers["kind"]["type"] == identifiers["value"]["type"] == "keyword"
    assert properties["identifier_keys"]["type"] == "keyword"
    for people in ("party_roles", "counsel"):
        fields = properties[people]["properties"]
        assert fields["role"]["type"] == "keyword"
        assert fields["name"]["fields"]["raw"]["type"] == "keyword"
