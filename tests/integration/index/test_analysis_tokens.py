"""Compound tokens (domains, e-mail addresses, dotted names) are searchable by their parts,
on an index made from the project's own template, with the gateway's text query."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import pytest
from elasticsearch import AsyncElasticsearch

from lexstream.gateway.search import QueryCaps, _text_query
from lexstream.index.mappings import PARTS_FIELD
from lexstream.index.settings import IndexSettings
from lexstream.shared.legal.languages import LANGUAGE_ANALYZERS
from lexstream.shared.search import documents_alias

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

PAGES = {
    "en": "The merger agreement with EXAMPLECORP.COM was signed by john.doe@acme-legal.co.uk.",
    "fr": "La société EXEMPLE-AVOCATS.FR a notifié le contrat à marie.dupont@cabinet.fr.",
    "de": "Die Klägerin ist die MUSTER.GMBH.DE; Schriftsätze an info@kanzlei-muster.de.",
}


@pytest.fixture(scope="module")
async def index(es: AsyncElasticsearch, index_settings: IndexSettings) -> AsyncIterator[str]:
    """A backing index named like the template's pattern: it gets the template's settings
    and mapping exactly as bootstrap and reindex create them."""
    name = f"{documents_alias(index_settings)}-analysis-{uuid4().hex[:8]}"
    await es.indices.create(index=name)
    for n, (language, text) in enumerate(PAGES.items()):
        await es.index(
            index=name,
            id=language,
            document={
                "document_id": language,
                "content": text,
                "language": language,
                "pages": [{"number": n + 1, "text": text, "method": "text-layer"}],
            },
        )
    await es.indices.refresh(index=name)
    try:
        yield name
    finally:
        await es.indices.delete(index=name, ignore_unavailable=True)


async def _tokens(es: AsyncElasticsearch, index: str, field: str, text: str) -> list[str]:
    result = await es.indices.analyze(index=index, field=field, text=text)
    return [token["token"] for token in result["tokens"]]


async def test_the_parts_field_splits_what_the_standard_tokenizer_keeps_whole(
    es: AsyncElasticsearch, index: str
) -> None:
    text = "EXAMPLECORP.COM john.doe@acme-legal.co.uk"
    assert await _tokens(es, index, "pages.text", text) == [
        "examplecorp.com",
        "john.doe",
        "acme",
        "legal.co.uk",
    ]
    parts = await _tokens(es, index, f"pages.text.{PARTS_FIELD}", text)
    assert parts == ["examplecorp", "com", "john", "doe", "acme", "legal", "co", "uk"]
    # every text field of the mapping has the parts, and every language keeps the whole token
    for field in ("content", "pages.text", "segments.text"):
        assert "examplecorp" in await _tokens(es, index, f"{field}.{PARTS_FIELD}", text)
        for language in LANGUAGE_ANALYZERS:
            whole = await _tokens(es, index, f"{field}.{language}", text)
            assert any(token.startswith("examplecorp.") for token in whole), (field, language)


async def _found(es: AsyncElasticsearch, index: str, q: str) -> set[str]:
    query: dict[str, Any] = {
        "nested": {
            "path": "pages",
            "query": _text_query(q, ["pages.text", "pages.text.*"], QueryCaps()),
        }
    }
    result = await es.search(index=index, query=query, size=10)
    return {hit["_id"] for hit in result["hits"]["hits"]}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("examplecorp", {"en"}),
        ("EXAMPLECORP.COM", {"en"}),
        ("examplecorp merger", {"en"}),  # every word must match, each in any sub-field
        ("examplecorp notinthetext", set()),
        ("john.doe@acme-legal.co.uk", {"en"}),
        ("doe", {"en"}),
        ("exemple avocats", {"fr"}),
        ("dupont", {"fr"}),
        ("muster", {"de"}),
        ("kanzlei", {"de"}),
    ],
)
async def test_search_finds_a_document_by_a_part_of_a_compound_token(
    es: AsyncElasticsearch, index: str, q: str, expected: set[str]
) -> None:
    assert await _found(es, index, q) == expected
