"""Ranked lexical search and fielded syntax on the real Elasticsearch (issue 15).

A few documents under an index prefix of this module's own, searched with the gateway's
``build_query``: a query with one word the document lacks still finds it, words on
different pages still find it, and a strict (``+`` / quoted) query does not; fielded terms
filter; a search that finds nothing gets a suggestion that finds something visible.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from elasticsearch import AsyncElasticsearch, NotFoundError
from elasticsearch.helpers import async_bulk
from fastapi import FastAPI
from tests.support.gateway import gateway_client, gateway_settings

from lexstream.gateway.access import Access, Principal
from lexstream.gateway.app import create_app
from lexstream.gateway.search import (
    SearchRequest,
    build_query,
    shape_response,
    suggest_instead,
)
from lexstream.index.bootstrap import bootstrap_indices
from lexstream.shared.search import documents_alias, make_search_client
from lexstream.shared.settings import CommonSettings

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

SPLIT = "split"  # its words on two pages
OTHER = "other"
HIDDEN = "hidden"  # in a matter the member may not see


def _doc(doc_id: str, matter: str, title: str, pages: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "document_id": doc_id,
        "matter_id": matter,
        "title": title,
        "filename": f"{doc_id}.pdf",
        "kind": "text",
        "content": "\n".join(pages),
        "language": "en",
        "pages": [
            {"number": n, "text": text, "method": "text-layer"} for n, text in enumerate(pages, 1)
        ],
        "page_count": len(pages),
        **extra,
    }


@pytest.fixture(scope="module")
async def corpus(settings: CommonSettings) -> AsyncIterator[tuple[AsyncElasticsearch, str, str]]:
    own = settings.model_copy(update={"index_prefix": f"{settings.index_prefix}rank"})
    es = make_search_client(own)
    alias = documents_alias(own)
    docs = [
        _doc(
            SPLIT,
            "R-1",
            "Smith v Jones",
            [
                "The tenant claimed that the landlord failed to repair the roof.",
                "The court awarded damages for the breach of the repairing covenant.",
            ],
            court="Court of Appeal (Civil Division)",
            court_id="ewca-civ",
            decision_date="2020-03-04",
            doc_type="judgment",
        ),
        _doc(
            OTHER,
            "R-1",
            "Widget supply agreement",
            ["A contract for the supply of widgets; delivery terms and price."],
            court="High Court of Justice, Commercial Court",
            court_id="ewhc-comm",
            decision_date="2015-06-01",
            doc_type="judgment",
        ),
        _doc(
            HIDDEN,
            "R-2",
            "Confidential memorandum",
            ["The zyxwvut arrangement of the landlord and tenant."],
        ),
    ]
    try:
        await bootstrap_indices(es, own)
        actions = [
            {"_index": alias, "_id": d["document_id"], "_source": {**d, "tenant": own.tenant}}
            for d in docs
        ]
        await async_bulk(es, actions, refresh="wait_for")
        yield es, alias, own.tenant
    finally:
        await es.indices.delete(index=f"{own.index_prefix}-*", allow_no_indices=True)
        with contextlib.suppress(NotFoundError):
            await es.indices.delete_index_template(name=alias)
        await es.close()


def _member(tenant: str) -> Access:
    return Access(Principal(subject="m", tenant=tenant, roles={"R-1": "viewer"}))  # type: ignore[dict-item]


async def _ids(corpus: tuple[AsyncElasticsearch, str, str], q: str) -> list[str]:
    es, alias, tenant = corpus
    body = build_query(SearchRequest(q=q), _member(tenant))
    answer = shape_response(dict(await es.search(index=alias, body=body)), 10)
    return [hit["document_id"] for hit in answer["hits"]]


async def test_one_missing_word_still_finds_the_document(corpus: Any) -> None:
    # 'mould' is in no document; the other three words are, on different pages
    assert (await _ids(corpus, "landlord roof damages mould"))[0] == SPLIT


async def test_words_on_different_pages_find_it(corpus: Any) -> None:
    es, alias, tenant = corpus
    body = build_query(SearchRequest(q="tenant covenant"), _member(tenant))
    answer = shape_response(dict(await es.search(index=alias, body=body)), 10)
    assert [h["document_id"] for h in answer["hits"]] == [SPLIT]
    # the hit still names its best pages
    assert {h["page"] for h in answer["hits"][0]["highlights"]} <= {1, 2}
    assert answer["hits"][0]["highlights"]


@pytest.mark.parametrize(
    "q", ["+landlord +roof +damages +mould", '"landlord roof damages mould"', "landlord AND mould"]
)
async def test_a_strict_query_does_not(corpus: Any, q: str) -> None:
    assert await _ids(corpus, q) == []


async def test_strict_query_over_the_whole_document(corpus: Any) -> None:
    assert await _ids(corpus, "+tenant +covenant") == [SPLIT]


async def test_fielded_terms_filter(corpus: Any) -> None:
    assert await _ids(corpus, "court:ewca-civ damages") == [SPLIT]
    assert await _ids(corpus, 'court:"Court of Appeal" damages') == [SPLIT]
    assert await _ids(corpus, "date:[2019 TO 2021] landlord") == [SPLIT]
    assert await _ids(corpus, "date:[2019 TO 2021] supply") == []  # OTHER is of 2015
    assert await _ids(corpus, "date:2015 supply") == [OTHER]
    assert await _ids(corpus, "-court:ewca-civ supply widgets") == [OTHER]


async def test_the_access_filter_holds_for_ranked_queries(corpus: Any) -> None:
    assert HIDDEN not in await _ids(corpus, "zyxwvut arrangement landlord tenant")


async def test_nothing_found_comes_with_a_visible_suggestion(corpus: Any) -> None:
    es, alias, tenant = corpus
    member = _member(tenant)

    async def search(body: dict[str, Any]) -> dict[str, Any]:
        return dict(await es.search(index=alias, body=body))

    # a misspelling: the correction is made of a visible document's words
    spelled = await suggest_instead(search, SearchRequest(q="+landlrd +tenent"), member)
    assert spelled == {"q": "+landlord +tenant", "kind": "spelling", "total": 1}
    # strict words not all in one document: the relaxed query finds them
    relaxed = await suggest_instead(search, SearchRequest(q="+widgets +roof"), member)
    assert relaxed == {"q": "widgets | roof", "kind": "relaxed", "total": 2}
    # a word that only a document the caller may not see has is never offered
    hidden = await suggest_instead(search, SearchRequest(q="+zyxwvat +arrangement"), member)
    assert hidden is None or "zyxwvut" not in hidden["q"]


@pytest.fixture
async def gateway(corpus: Any, settings: CommonSettings) -> AsyncIterator[FastAPI]:
    assert corpus  # indexed first
    own = settings.model_copy(update={"index_prefix": f"{settings.index_prefix}rank"})
    app = create_app(gateway_settings(own, rate_limit_per_s=1000.0, rate_limit_burst=1000))
    async with app.router.lifespan_context(app):
        yield app


async def test_the_route_answers_bad_queries_with_400_and_offers_suggestions(
    gateway: FastAPI,
) -> None:
    async with gateway_client(gateway) as admin:
        for q, message in [
            ("foo:bar landlord", "unknown field 'foo'"),
            ("date:[2021 TO 2019] landlord", "starts after it ends"),
            ('"landlord tenant', "unbalanced quote"),
        ]:
            response = await admin.get("/v1/search", params={"q": q})
            assert response.status_code == 400, response.text
            assert message in response.json()["detail"]
        found = (await admin.get("/v1/search", params={"q": "landlord roof mould"})).json()
        assert found["hits"][0]["document_id"] == SPLIT  # most words first
        assert found["suggestion"] is None
        empty = (await admin.get("/v1/search", params={"q": "+landlrd +roof"})).json()
        assert empty["total"] == 0
        assert empty["suggestion"] == {"q": "+landlord +roof", "kind": "spelling", "total": 1}
