"""The matter's vocabulary read from the local stack's Elasticsearch: a matter's search
documents (made by the index service's own code from three legal documents) seeded into
the documents alias, then the prompt and hotwords the transcribe service builds from them;
another matter's, another tenant's and the matter's recordings stay out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from bench.transcribe.vocabulary import (
    MATTER_DOCUMENTS,
    answer_search,
    search_documents,
)
from elasticsearch import AsyncElasticsearch
from tests.conftest import settings_for

from lexstream.index.bootstrap import bootstrap_indices
from lexstream.index.settings import IndexSettings
from lexstream.shared.search import documents_alias, make_search_client
from lexstream.transcribe.settings import TranscribeSettings
from lexstream.transcribe.vocabulary import (
    EMPTY,
    MatterVocabularies,
    build_vocabulary,
    matter_query,
    rank_terms,
    terms_from_response,
)

pytestmark = pytest.mark.integration

MATTER = "M-vocabulary"


@pytest.fixture(scope="module")
async def seeded(stack_env: dict[str, str]) -> AsyncIterator[tuple[AsyncElasticsearch, str]]:
    """The alias with the matter's three documents, a recording of it, and documents of
    another matter and another tenant naming other people."""
    settings = settings_for(stack_env, IndexSettings)
    client = make_search_client(settings)
    await bootstrap_indices(client, settings)
    alias = documents_alias(settings)
    others = {"other.txt": MATTER_DOCUMENTS["order.txt"].replace("Pemberton", "Featherstonehaugh")}
    docs = [
        *search_documents(MATTER, "default"),
        *search_documents("M-other", "default", others),
        *search_documents(MATTER, "another-tenant", others),
    ]
    recording = {
        **docs[0],
        "document_id": "m-vocabulary-recording",
        "kind": "recording",
        "parties": ["Quigley Transport"],
    }
    for doc in [*docs, recording]:
        await client.index(index=alias, id=doc["document_id"], document=doc)
    await client.indices.refresh(index=alias)
    try:
        yield client, alias
    finally:
        await client.close()


async def test_the_matters_names_become_the_prompt_and_hotwords(
    seeded: tuple[AsyncElasticsearch, str],
) -> None:
    client, alias = seeded
    vocabularies = MatterVocabularies(client, alias, hotword_tokens=50)
    vocabulary = await vocabularies.for_matter("default", MATTER)
    prompt, hotwords = vocabulary.prompt or "", vocabulary.hotwords or ""
    for term in (
        "Harrington Logistics Limited",  # a party, printed in capitals
        "Bellweather Freight PLC",
        "Daniel Okafor",  # counsel
        "Margaret Hale",  # counsel, out of "UPON hearing Margaret Hale for the Claimant"
        "Pemberton",  # the judge
        "Hadley v Baxendale",  # a case name around a citation
        "Associated Provincial Picture Houses Ltd v Wednesbury Corporation",
        "Caparo Industries plc v Dickman",
        "[2008] UKHL 48",  # a citation
    ):
        assert term in prompt, term
    for name in ("Daniel Okafor", "Margaret Hale", "Pemberton", "Bellweather Freight PLC"):
        assert name in hotwords, name
    assert "Hadley" not in hotwords  # case names prime the prompt only
    # ranked: named by all three documents before named by one
    assert prompt.index("Harrington Logistics Limited") < prompt.index("Pemberton")
    assert prompt.index("Daniel Okafor") < prompt.index("Margaret Hale")
    # others' documents and the matter's recordings stay out
    for stranger in ("Featherstonehaugh", "Quigley"):
        assert stranger not in prompt + hotwords
    # the terms are counted by documents, as the bench's local answer counts them
    documents = {term.text: term.documents for term in vocabulary.terms}
    assert documents["Harrington Logistics Limited"] == 3
    assert documents["Daniel Okafor"] == 2
    assert documents["Hadley v Baxendale"] == 2


async def test_elasticsearch_answers_as_the_bench_does(
    seeded: tuple[AsyncElasticsearch, str],
) -> None:
    """The bench's numbers hold for the service: the same vocabulary from the real search."""
    client, alias = seeded
    body = matter_query("default", MATTER, max_terms=50, sample=50)
    real = (await client.search(index=alias, body=body)).body
    local = answer_search(search_documents(MATTER, "default"), body)

    def vocabulary(response: dict[str, Any]) -> tuple[str | None, str | None]:
        terms = rank_terms(terms_from_response(response), max_terms=50)
        built = build_vocabulary(terms, prompt_tokens=150, hotword_tokens=50)
        return built.prompt, built.hotwords

    assert vocabulary(real) == vocabulary(local)


async def test_a_matter_without_documents_has_no_vocabulary(
    seeded: tuple[AsyncElasticsearch, str],
) -> None:
    client, alias = seeded
    assert (await MatterVocabularies(client, alias).for_matter("default", "M-none")).empty


async def test_elasticsearch_out_of_reach_leaves_the_recording_without_it(
    stack_env: dict[str, str],
) -> None:
    settings = settings_for(
        {**stack_env, "LEXSTREAM_ELASTICSEARCH_URL": "http://127.0.0.1:9"}, TranscribeSettings
    )
    client = make_search_client(settings, request_timeout=2, max_retries=0)
    try:
        vocabulary = await MatterVocabularies(client, "nowhere").for_matter("default", MATTER)
    finally:
        await client.close()
    assert vocabulary is EMPTY
