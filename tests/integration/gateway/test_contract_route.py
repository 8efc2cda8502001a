"""A contract's structure in its search document and through the gateway (issue 16, item 3),
on the real Elasticsearch and S3.

Under an index prefix of this module's own, two contracts of tests/fixtures/contracts (an
English licence, a German Werkvertrag) and a judgment go through the real Indexer (text.json
in S3, classification, contract extraction, bulk write), all in matter A. The contracts come
back from ``GET /v1/documents/{id}/contract`` as their hand labels (labels.json) say: governing
law, forum, top-level clauses, defined terms with their later uses, parties; the judgment is
not a contract (404); a viewer of B gets, for the contracts, the 404 of a document that does
not exist; and the indexed ``contract`` fields filter a search.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from tests.support.gateway import (
    gateway_client,
    gateway_settings,
    own_indices,
    put_text,
    service_fields,
)

from lexstream.gateway.app import create_app
from lexstream.index.bootstrap import bootstrap_indices
from lexstream.index.extraction.contracts import contract_structure
from lexstream.index.indexer import Indexer
from lexstream.index.settings import IndexSettings
from lexstream.shared.events import TextExtracted
from lexstream.shared.search import make_search_client
from lexstream.shared.settings import CommonSettings
from lexstream.shared.storage import ObjectStore

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "contracts"
LABELS = json.loads((FIXTURES / "labels.json").read_text(encoding="utf-8"))["contracts"]
CONTRACTS = ("uk_software_licence.txt", "de_werkvertrag.txt")
RUN = str(time.time_ns())
MATTER_A, MATTER_B = f"CA-{RUN}", f"CB-{RUN}"
VIEWER_A, VIEWER_B = (f"contract-{who}-{RUN}" for who in ("a", "b"))
JUDGMENT = (
    "Neutral Citation Number: [2024] EWCA Civ 9\n\nIN THE COURT OF APPEAL\n\nApproved "
    "Judgment\n\n[1] This appeal concerns a contract for the supply of goods between the "
    "parties.\n\n[2] The agreement is governed by the laws of England and Wales.\n\n[3] The "
    "appeal is dismissed."
)


def _pages(text: str) -> list[str]:
    """A contract's text over two pages (cut at a blank line near the middle)."""
    cut = text.find("\n\n", len(text) // 2)
    return [text] if cut < 0 else [text[:cut], text[cut + 2 :]]


async def _text(store: ObjectStore, name: str, pages: list[str]) -> TextExtracted:
    document_id = f"{name.split('.')[0]}-{RUN}"
    event: TextExtracted = await put_text(store, document_id, MATTER_A, pages, filename=name)
    return event


@pytest.fixture(scope="module")
async def own(settings: CommonSettings) -> AsyncIterator[CommonSettings]:
    async with own_indices(settings, "contract") as own:
        yield own


@pytest.fixture(scope="module")
async def documents(own: CommonSettings) -> dict[str, str]:
    """The two contracts and the judgment, through the real Indexer: file name -> id."""
    index_settings = IndexSettings(**{**service_fields(own, IndexSettings), "embeddings": False})
    es = make_search_client(index_settings)
    store = ObjectStore(index_settings)
    try:
        await store.bootstrap()
        await bootstrap_indices(es, index_settings)
        indexer = Indexer(index_settings, es, store, refresh=True)
        events = [
            await _text(store, name, _pages((FIXTURES / name).read_text(encoding="utf-8")))
            for name in CONTRACTS
        ]
        events.append(await _text(store, "judgment.txt", [JUDGMENT]))
        prepared = [await indexer.prepare(e) for e in events]
        assert await indexer.write(prepared) == {}
    finally:
        await es.close()
    return {e.filename: e.document_id for e in events}


@pytest.fixture(scope="module")
async def gateway(own: CommonSettings) -> AsyncIterator[FastAPI]:
    settings = gateway_settings(
        own, rate_limit_per_s=1000.0, rate_limit_burst=1000, hybrid_search=False
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="module")
async def keys(gateway: FastAPI) -> dict[str, str]:
    found = {}
    async with gateway_client(gateway) as admin:
        for matter in (MATTER_A, MATTER_B):
            created = await admin.post("/v1/matters", json={"matter_id": matter, "name": matter})
            assert created.status_code == 201, created.text
        for subject, matter in ((VIEWER_A, MATTER_A), (VIEWER_B, MATTER_B)):
            key = await admin.post(
                "/v1/apikeys", json={"subject": subject, "name": subject, "scopes": ["read"]}
            )
            assert key.status_code in (200, 201), key.text
            found[subject] = key.json()["key"]
            member = await admin.put(
                f"/v1/matters/{matter}/members/{subject}", json={"role": "viewer"}
            )
            assert member.status_code == 200, member.text
    return found


@pytest.mark.parametrize("name", CONTRACTS)
async def test_a_contract_reads_as_extracted_and_labelled(
    gateway: FastAPI, keys: dict[str, str], documents: dict[str, str], name: str
) -> None:
    """The route serves what the extractor finds in the indexed text (the wiring), and that
    is the hand label's governing law, forum and top-level clauses (the extractor's quality
    over all the contracts is bench/research/contract_eval.py's)."""
    label = LABELS[name]
    text = "\n\n".join(_pages((FIXTURES / name).read_text(encoding="utf-8")))
    expected = contract_structure(text)
    async with gateway_client(gateway, keys[VIEWER_A]) as a:
        answer = await a.get(f"/v1/documents/{documents[name]}/contract")
    assert answer.status_code == 200, answer.text
    contract, structure = answer.json()["contract"], answer.json()["structure"]
    assert contract["governing_law"] == label["governing_law"]
    assert contract["forum_place"] == label["forum_place"]
    top = [c["id"] for c in structure["clauses"] if c["level"] == 1]
    assert top == [number for number, _ in label["clauses"]]
    assert [c["id"] for c in structure["clauses"]] == [c.id for c in expected.clauses]
    assert contract["clause_categories"] == sorted(
        {category for c in expected.clauses for category in c.categories}
    )
    assert [t["term"] for t in structure["defined_terms"]] == [
        t.term for t in expected.defined_terms
    ]
    assert [p["name"] for p in structure["parties"]] == [p.name for p in expected.parties]
    # each defined term links to the pages where it is used later
    used = [t for t in structure["defined_terms"] if t["uses"]]
    assert used
    assert all(t["use_pages"] and set(t["use_pages"]) <= {1, 2} for t in used)
    assert {c["page"] for c in structure["clauses"]} == {1, 2}


async def test_what_is_not_a_contract_or_not_visible_is_404(
    gateway: FastAPI, keys: dict[str, str], documents: dict[str, str]
) -> None:
    async with gateway_client(gateway, keys[VIEWER_A]) as a:
        judgment = await a.get(f"/v1/documents/{documents['judgment.txt']}/contract")
    async with gateway_client(gateway, keys[VIEWER_B]) as b:
        hidden = [await b.get(f"/v1/documents/{documents[n]}/contract") for n in CONTRACTS]
        absent = await b.get(f"/v1/documents/no-such-{RUN}/contract")
    assert judgment.status_code == 404
    assert [r.status_code for r in hidden] == [404, 404]
    # the same answer as for a document that does not exist: nothing tells it is there
    assert all(r.json() == absent.json() for r in hidden)


async def test_the_contract_fields_filter_a_search(
    own: CommonSettings, documents: dict[str, str]
) -> None:
    es = make_search_client(own)
    try:
        alias = f"{own.index_prefix}-documents"
        found: dict[str, Any] = dict(
            await es.search(
                index=alias,
                query={"term": {"contract.governing_law": "EU/DE"}},
                source=["document_id", "doc_type"],
            )
        )
    finally:
        await es.close()
    hits = [h["_source"] for h in found["hits"]["hits"]]
    assert [h["document_id"] for h in hits] == [documents["de_werkvertrag.txt"]]
    assert hits[0]["doc_type"] == "contract"
